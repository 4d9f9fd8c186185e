/*
 * test_staging_store.c - crash safety of the staging store: the journal
 * replays to exactly the acknowledged tree; a journal cut at any byte of
 * its last record replays to the tree before that change (never a half
 * change); hostile journals are refused with DISCFS_EFORMAT, never a
 * crash; a journal of another disc state, a busy or unsafe staging
 * directory, and symlinks planted in it are refused; committed entries
 * from the disc merge with staged changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fused/crc32c.c"
#include "fused/staging.c"
#include "fused/staging_dump.c"
#include "fused/staging_io.c"
#include "fused/staging_journal.c"
#include "fused/staging_op.c"
#include "fused/staging_segs.c"
#include "fused/staging_extent.c"
#include "fused/staging_tree.c"
#include "fused/staging_xattr.c"

struct fx {
	char dir[64], journal[96];
	struct stg_store s;
	const char *generation;
	stg_disc_load_fn load;
};

static int open_store(struct fx *f, discfs_error *err)
{
	struct stg_params p = {
		.root_mode = 0755, .uid = 1000, .gid = 1000,
		.generation = f->generation, .load = f->load,
		.read = NULL, .disc_ctx = NULL, .seg_max = 4096,
	};
	return stg_store_open(&f->s, f->dir, &p, err);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/stgstoreXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->journal, sizeof(f->journal), "%s/journal", f->dir);
	f->generation = "blank";
	*state = f;
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	stg_store_close(&f->s);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static uint64_t mk(struct stg_store *s, uint64_t parent, const char *name,
		   uint32_t mode)
{
	struct stg_inode *in = NULL;

	assert_int_equal(stg_mknod(s, parent, name, mode, 1000, 1000, 0, &in), 0);
	return in->ino;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	uint8_t *buf;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*n = (size_t)st.st_size;
	return buf;
}

static void spill(const char *path, const uint8_t *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
}

/* A bit of everything; returns a regular file's inode. */
static uint64_t busy_script(struct stg_store *s)
{
	uint64_t d = mk(s, 1, "dir", S_IFDIR | 0755);
	uint64_t x = mk(s, d, "x", S_IFREG | 0644);
	uint64_t y = mk(s, 1, "y", S_IFREG | 0600);
	char big[10000];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	assert_int_equal(stg_write(s, x, 0, big, sizeof(big)), sizeof(big));
	assert_int_equal(stg_write(s, x, 100, "patch", 5), 5);
	assert_int_equal(stg_write(s, y, 0, "why", 3), 3);
	assert_int_equal(stg_symlink(s, d, "ln", "../y", 1000, 1000, NULL), 0);
	assert_int_equal(stg_link(s, y, d, "y2"), 0);
	assert_int_equal(stg_setxattr(s, x, "user.k", "v", 1, 0), 0);
	assert_int_equal(stg_setattr(s, y, STG_SET_MODE | STG_SET_MTIME, 0640, 0, 0,
				     0, 0, 123456789), 0);
	assert_int_equal(stg_setattr(s, x, STG_SET_SIZE, 0, 0, 0, 9000, 0, 0), 0);
	mk(s, d, "gone", S_IFREG | 0644);
	assert_int_equal(stg_unlink(s, d, "gone", false), 0);
	mk(s, 1, "other", S_IFDIR | 0700);
	assert_int_equal(stg_rename(s, 1, "other", d, "moved", 0), 0);
	return x;
}

static void replay_reproduces_the_tree_exactly(void **state)
{
	struct fx *f = *state;
	char *before, *after;

	assert_int_equal(open_store(f, NULL), 0);
	busy_script(&f->s);
	before = stg_dump_string(&f->s);
	stg_store_close(&f->s);
	assert_int_equal(open_store(f, NULL), 0);
	after = stg_dump_string(&f->s);
	assert_string_equal(before, after);
	assert_true(f->s.replayed > 10);
	assert_int_equal(f->s.torn_bytes, 0);
	/* New inodes after replay do not collide with replayed ones. */
	mk(&f->s, 1, "fresh", S_IFREG | 0644);
	free(before);
	free(after);
}

typedef void (*last_change_fn)(struct stg_store *s, uint64_t x);

static void last_write(struct stg_store *s, uint64_t x)
{
	assert_int_equal(stg_write(s, x, 8990, "tail-bytes-here", 15), 15);
}
static void last_rename(struct stg_store *s, uint64_t x)
{
	assert_int_equal(stg_rename(s, 1, "y", 1, "renamed-y", 0), 0);
}
static void last_setattr(struct stg_store *s, uint64_t x)
{
	assert_int_equal(stg_setattr(s, x, STG_SET_UID | STG_SET_ATIME, 0, 4242, 0,
				     0, 777, 0), 0);
}
static void last_xattr(struct stg_store *s, uint64_t x)
{
	assert_int_equal(stg_setxattr(s, x, "user.long", "0123456789", 10, 0), 0);
}
static void last_unlink(struct stg_store *s, uint64_t x)
{
	assert_int_equal(stg_unlink(s, 1, "y", false), 0);
}
static void last_mkdir(struct stg_store *s, uint64_t x)
{
	mk(s, 1, "newdir", S_IFDIR | 0755);
}

static void cut_inside_the_last_record_replays_the_state_before_it(void **state)
{
	static const last_change_fn changes[] = {
		last_write, last_rename, last_setattr, last_xattr, last_unlink,
		last_mkdir,
	};
	struct fx *f = *state;

	for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
		char *before, *after, *got;
		uint8_t *full;
		size_t n;
		uint64_t x, last_start;

		assert_int_equal(open_store(f, NULL), 0);
		x = busy_script(&f->s);
		before = stg_dump_string(&f->s);
		last_start = f->s.journal.end;
		changes[c](&f->s, x);
		after = stg_dump_string(&f->s);
		assert_string_not_equal(before, after);
		stg_store_close(&f->s);
		full = slurp(f->journal, &n);
		for (size_t cut = last_start; cut <= n; cut++) {
			spill(f->journal, full, cut);
			assert_int_equal(open_store(f, NULL), 0);
			got = stg_dump_string(&f->s);
			assert_string_equal(got, cut == n ? after : before);
			assert_int_equal(f->s.torn_bytes, cut == n ? 0 : cut - last_start);
			free(got);
			stg_store_close(&f->s);
		}
		free(full);
		free(before);
		free(after);
		unlink(f->journal);
	}
}

static void changes_after_a_torn_tail_survive_the_next_replay(void **state)
{
	struct fx *f = *state;
	uint8_t *full;
	size_t n;
	char *want, *got;

	assert_int_equal(open_store(f, NULL), 0);
	busy_script(&f->s);
	stg_store_close(&f->s);
	full = slurp(f->journal, &n);
	spill(f->journal, full, n - 3);
	assert_int_equal(open_store(f, NULL), 0);
	mk(&f->s, 1, "after-crash", S_IFREG | 0644);
	want = stg_dump_string(&f->s);
	stg_store_close(&f->s);
	assert_int_equal(open_store(f, NULL), 0);
	got = stg_dump_string(&f->s);
	assert_string_equal(want, got);
	free(full);
	free(want);
	free(got);
}

static void hostile_journals_are_refused_never_crash(void **state)
{
	struct fx *f = *state;
	uint8_t *full, *bad;
	size_t n;
	unsigned seed = 99;
	int ok = 0, refused = 0;

	assert_int_equal(open_store(f, NULL), 0);
	busy_script(&f->s);
	stg_store_close(&f->s);
	full = slurp(f->journal, &n);
	bad = malloc(n);
	for (int round = 0; round < 400; round++) {
		discfs_error err;
		int rc;
		memcpy(bad, full, n);
		for (int k = 0; k < 1 + round % 5; k++)
			bad[rand_r(&seed) % n] ^= (uint8_t)(1 + rand_r(&seed) % 255);
		spill(f->journal, bad, n);
		rc = open_store(f, &err);
		if (rc == 0) {
			ok++; /* damage only in the last record: dropped as torn */
			stg_store_close(&f->s);
		} else {
			refused++;
			assert_int_equal(rc, -DISCFS_EFORMAT);
			assert_true(strlen(err.msg) > 10);
			assert_null(strchr(err.msg, '\n'));
		}
	}
	assert_true(refused > 300);
	(void)ok;
	free(full);
	free(bad);
}

/* Appends a well-framed record holding op to the journal file. */
static void append_raw(struct fx *f, const struct stg_op *op)
{
	struct stg_journal j;
	uint8_t body[1024];
	size_t len = stg_op_encode(op, body);
	int fd = open(f->journal, O_RDWR);
	struct stg_op dummy;

	(void)dummy;
	j.fd = fd;
	j.end = (uint64_t)lseek(fd, 0, SEEK_END);
	/* count records to continue the sequence */
	{
		size_t n;
		uint8_t *all = slurp(f->journal, &n);
		size_t pos = 0;
		j.next_seq = 1;
		while (pos < n) {
			pos += STG_JOURNAL_HDR + get_le32(all + pos + 4) + STG_JOURNAL_TRAILER;
			j.next_seq++;
		}
		free(all);
	}
	assert_int_equal(stg_journal_append(&j, body, len, NULL), 0);
	close(fd);
}

static void well_framed_nonsense_is_refused(void **state)
{
	struct fx *f = *state;
	struct stg_op ops[] = {
		{ .type = STG_OP_UNLINK, .parent = 1, .name = "nope", .name_len = 4 },
		{ .type = STG_OP_WRITE, .ino = 424242, .off = 0, .len = 5 },
		{ .type = STG_OP_MKNOD, .parent = 1, .name = "a", .name_len = 1,
		  .ino = 1, .mode = S_IFREG | 0644 },
		{ .type = STG_OP_MKNOD, .parent = 1, .name = "a", .name_len = 1,
		  .ino = STG_FIRST_NEW_INO, .mode = 0170000 },
		{ .type = STG_OP_BASE, .flags = STG_FORMAT_VERSION, .data = "blank",
		  .data_len = 5 },
		{ .type = STG_OP_SETATTR, .ino = 1, .valid = 0xffff },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		discfs_error err;
		assert_int_equal(open_store(f, NULL), 0);
		stg_store_close(&f->s);
		append_raw(f, &ops[i]);
		append_raw(f, &(struct stg_op){ .type = STG_OP_MKNOD, .parent = 1,
			.name = "z", .name_len = 1, .ino = STG_FIRST_NEW_INO + 9,
			.mode = S_IFREG | 0644 });
		assert_int_equal(open_store(f, &err), -DISCFS_EFORMAT);
		assert_non_null(strstr(err.msg, "journal record 2"));
		unlink(f->journal);
	}
}

static void journal_of_another_disc_state_is_left_alone(void **state)
{
	struct fx *f = *state;
	size_t n1, n2;
	uint8_t *a, *b;
	discfs_error err;

	assert_int_equal(open_store(f, NULL), 0);
	busy_script(&f->s);
	stg_store_close(&f->s);
	a = slurp(f->journal, &n1);
	f->generation = "session-2";
	assert_int_equal(open_store(f, &err), -DISCFS_ECHANGED);
	assert_non_null(strstr(err.msg, "blank"));
	b = slurp(f->journal, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	free(a);
	free(b);
}

static void a_busy_staging_directory_is_refused(void **state)
{
	struct fx *f = *state;
	struct stg_store other;
	struct stg_params p = { .root_mode = 0755, .generation = "blank" };
	discfs_error err;

	assert_int_equal(open_store(f, NULL), 0);
	assert_int_equal(stg_store_open(&other, f->dir, &p, &err), -DISCFS_EBUSY);
	assert_non_null(strstr(err.msg, "in use"));
}

static void unsafe_staging_directory_is_refused(void **state)
{
	struct fx *f = *state;
	discfs_error err;

	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(open_store(f, &err), -DISCFS_EINVAL);
	assert_non_null(strstr(err.msg, "not be writable by others"));
	assert_int_equal(chmod(f->dir, 0700), 0);
}

static void planted_symlinks_are_not_followed(void **state)
{
	struct fx *f = *state;
	char target[96], seg[128];
	discfs_error err;
	struct stat st;

	snprintf(target, sizeof(target), "%s-outside", f->dir);
	assert_int_equal(symlink(target, f->journal), 0);
	assert_int_equal(open_store(f, &err), -DISCFS_EIO);
	assert_int_equal(err.sys_errno, ELOOP);
	assert_int_equal(lstat(target, &st), -1); /* nothing created outside */
	unlink(f->journal);
	snprintf(seg, sizeof(seg), "%s/seg-00000000.dat", f->dir);
	unlink(seg);
	assert_int_equal(symlink(target, seg), 0);
	assert_true(open_store(f, &err) < 0);
	assert_int_equal(lstat(target, &st), -1);
}

static void data_rolls_over_segments_and_reads_back(void **state)
{
	struct fx *f = *state;
	uint64_t x;
	char buf[3000], back[3000];
	char seg1[128];
	struct stat st;

	assert_int_equal(open_store(f, NULL), 0);
	x = mk(&f->s, 1, "x", S_IFREG | 0644);
	for (int i = 0; i < 10; i++) {
		memset(buf, 'A' + i, sizeof(buf));
		assert_int_equal(stg_write(&f->s, x, (uint64_t)i * sizeof(buf), buf,
					   sizeof(buf)), sizeof(buf));
	}
	snprintf(seg1, sizeof(seg1), "%s/seg-00000001.dat", f->dir);
	assert_int_equal(stat(seg1, &st), 0); /* seg_max 4096 forced a roll */
	stg_store_close(&f->s);
	assert_int_equal(open_store(f, NULL), 0);
	for (int i = 0; i < 10; i++) {
		memset(buf, 'A' + i, sizeof(buf));
		assert_int_equal(stg_read(&f->s, x, (uint64_t)i * sizeof(back), back,
					  sizeof(back)), sizeof(back));
		assert_memory_equal(buf, back, sizeof(buf));
	}
}

/* A fake disc with /old (dir) and /old/file (20 bytes "committed-bytes-....") */
static int fake_load(void *ctx, struct stg_tree *t, discfs_error *err)
{
	struct stg_op dir = { .ino = 2, .mode = S_IFDIR | 0755, .uid = 1, .gid = 1,
			      .atime = 5, .mtime = 6, .time = 7 };
	struct stg_op file = { .ino = 3, .mode = S_IFREG | 0644, .size = 20,
			       .atime = 5, .mtime = 6, .time = 7 };

	if (stg_tree_add_committed(t, 1, "old", &dir, 100) < 0 ||
	    stg_tree_add_committed(t, 2, "file", &file, 101) < 0)
		return dfs_fail(err, DISCFS_EFORMAT, "fake disc");
	return 0;
}

static int fake_read(void *ctx, uint64_t disc_id, uint64_t off, void *buf,
		     size_t len)
{
	const char *content = "committed-bytes-0123";

	if (disc_id != 101 || off + len > 20)
		return -EIO;
	memcpy(buf, content + off, len);
	return 0;
}

static void committed_entries_merge_with_staged_changes(void **state)
{
	struct fx *f = *state;
	struct stg_params p = {
		.root_mode = 0755, .generation = "disc-1", .load = fake_load,
		.read = fake_read,
	};
	char buf[40], *before, *after;
	struct stg_inode *file;

	assert_int_equal(stg_store_open(&f->s, f->dir, &p, NULL), 0);
	assert_false(stg_store_dirty(&f->s));
	file = stg_tree_inode(&f->s.tree, 3);
	assert_non_null(file);
	assert_int_equal(file->changed, 0);
	assert_int_equal(stg_tree_inode(&f->s.tree, 1)->changed, 0);
	assert_int_equal(stg_read(&f->s, 3, 0, buf, sizeof(buf)), 20);
	assert_memory_equal(buf, "committed-bytes-0123", 20);
	/* Overwrite the middle, cut, and extend: disc, staged, zeros. */
	assert_int_equal(stg_write(&f->s, 3, 10, "NEW", 3), 3);
	assert_int_equal(stg_setattr(&f->s, 3, STG_SET_SIZE, 0, 0, 0, 15, 0, 0), 0);
	assert_int_equal(stg_setattr(&f->s, 3, STG_SET_SIZE, 0, 0, 0, 18, 0, 0), 0);
	assert_int_equal(stg_read(&f->s, 3, 0, buf, sizeof(buf)), 18);
	assert_memory_equal(buf, "committed-NEWes\0\0\0", 18);
	assert_int_equal(stg_rename(&f->s, 2, "file", 1, "top", 0), 0);
	assert_true(file->changed & STG_I_DATA);
	before = stg_dump_string(&f->s);
	stg_store_close(&f->s);
	assert_int_equal(stg_store_open(&f->s, f->dir, &p, NULL), 0);
	after = stg_dump_string(&f->s);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void reset_after_commit_starts_empty(void **state)
{
	struct fx *f = *state;
	char seg0[128];
	struct stat st;

	assert_int_equal(open_store(f, NULL), 0);
	busy_script(&f->s);
	assert_true(stg_store_dirty(&f->s));
	assert_int_equal(stg_store_sync(&f->s, NULL), 0);
	assert_int_equal(stg_store_reset(&f->s, "after-commit", NULL), 0);
	stg_store_close(&f->s);
	snprintf(seg0, sizeof(seg0), "%s/seg-00000000.dat", f->dir);
	f->generation = "after-commit";
	assert_int_equal(open_store(f, NULL), 0);
	assert_false(stg_store_dirty(&f->s));
	assert_int_equal(f->s.tree.n_inodes, 1);
	assert_int_equal(stat(seg0, &st), 0);
	assert_int_equal(st.st_size, 0);
}

static void the_base_generation_can_be_read_without_opening(void **state)
{
	struct fx *f = *state;
	char gen[STG_GEN_MAX + 1];
	uint8_t b = 0xff;
	int fd;

	assert_int_equal(stg_journal_base(f->dir, gen, sizeof(gen)), -1);
	assert_int_equal(open_store(f, NULL), 0);
	busy_script(&f->s);
	stg_store_close(&f->s);
	assert_int_equal(stg_journal_base(f->dir, gen, sizeof(gen)), 0);
	assert_string_equal(gen, "blank");
	assert_int_equal(stg_journal_base(f->dir, gen, 3), -1); /* too small */
	fd = open(f->journal, O_WRONLY);
	assert_int_equal(pwrite(fd, &b, 1, 20), 1); /* break the BASE record */
	close(fd);
	assert_int_equal(stg_journal_base(f->dir, gen, sizeof(gen)), -1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(replay_reproduces_the_tree_exactly),
		T(cut_inside_the_last_record_replays_the_state_before_it),
		T(changes_after_a_torn_tail_survive_the_next_replay),
		T(hostile_journals_are_refused_never_crash),
		T(well_framed_nonsense_is_refused),
		T(journal_of_another_disc_state_is_left_alone),
		T(a_busy_staging_directory_is_refused),
		T(unsafe_staging_directory_is_refused),
		T(planted_symlinks_are_not_followed),
		T(data_rolls_over_segments_and_reads_back),
		T(committed_entries_merge_with_staged_changes),
		T(reset_after_commit_starts_empty),
		T(the_base_generation_can_be_read_without_opening),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
