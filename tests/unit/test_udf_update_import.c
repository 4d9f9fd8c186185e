/*
 * tests/unit/test_udf_update_import.c - importing an ISO9660 disc into a
 * new UDF session (udf/update.h, "importing"): the new session's tree is
 * the ISO tree (names, modes, symlinks from Rock Ridge) plus the staged
 * changes; imported files keep their recorded extents (nothing is
 * copied); the volume is an ordinary VAT volume afterwards, continued by
 * udf_update_open with the session's start, and in a later session
 * (udf_update_continue_session); fsck finds no error.  Bad
 * extents and unsuitable media are refused with a code and a message.
 *
 * ISO images come from xorriso (-R -J), as a user's burned ISO would;
 * write-once media are image files opened as sequential block devices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/scratch.h"
#include "udf/fsck.h"
#include "udf/read_int.h"
#include "udf/update.h"
#include "util/bytes.h"

#define CAP 40000u /* blocks of the emulated write-once medium */

static char g_dir[200];

static int group_setup(void **state)
{
	(void)state;
	return scratch_make(g_dir, sizeof(g_dir), "test_udf_update_import");
}

static int group_teardown(void **state)
{
	(void)state;
	return scratch_remove(g_dir);
}

static uint8_t pat(uint32_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 21);
	x ^= x >> 31;
	return (uint8_t)(x * 0xBF58476D1CE4E5B9ull >> 56);
}

static void write_pat(const char *path, uint64_t size, uint32_t seed)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (uint64_t i = 0; i < size; i++)
		fputc(pat(seed, i), f);
	fclose(f);
}

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/*
 * The source tree: tree/{empty, small (0640), big (300000 bytes),
 * dir/{inner, link -> ../small}, gone, old}; made into iso with xorriso.
 */
static void make_iso(const char *name, char *tree, char *iso, size_t n)
{
	char p[512];
	snprintf(tree, n, "%s/%s.tree", g_dir, name);
	snprintf(iso, n, "%s/%s.iso", g_dir, name);
	assert_int_equal(mkdir(tree, 0755), 0);
	snprintf(p, sizeof(p), "%s/empty", tree);
	write_pat(p, 0, 1);
	snprintf(p, sizeof(p), "%s/small", tree);
	write_pat(p, 100, 2);
	assert_int_equal(chmod(p, 0640), 0);
	snprintf(p, sizeof(p), "%s/big", tree);
	write_pat(p, 300000, 3);
	snprintf(p, sizeof(p), "%s/gone", tree);
	write_pat(p, 5000, 4);
	snprintf(p, sizeof(p), "%s/old", tree);
	write_pat(p, 7000, 5);
	snprintf(p, sizeof(p), "%s/dir", tree);
	assert_int_equal(mkdir(p, 0750), 0);
	snprintf(p, sizeof(p), "%s/dir/inner", tree);
	write_pat(p, 4096, 6);
	snprintf(p, sizeof(p), "%s/dir/link", tree);
	assert_int_equal(symlink("../small", p), 0);
	sh("xorriso -as mkisofs -quiet -R -J -V ISOVOL -o '%s' '%s' "
	   ">/dev/null 2>&1", iso, tree);
}

/* Opens path (an image) as a write-once medium of CAP blocks. */
static void open_seq(const char *path, struct udf_bdev *bd)
{
	discfs_error err = { 0 };
	if (udf_bdev_open_file(path, UDF_BDEV_SEQUENTIAL, CAP, bd, &err))
		fail_msg("bdev: %s", err.msg);
}

static struct udf_vol *open_vol(const char *img, uint64_t session)
{
	struct udf_bsrc src;
	struct udf_vol *v = NULL;
	discfs_error err = { 0 };
	struct udf_open_opts oo = { .session_start = session,
				    .last_block = UINT64_MAX };
	assert_int_equal(udf_bsrc_open_file(img, 2048, false, &src, &err), 0);
	if (udf_vol_open(&src, &oo, &v, &err))
		fail_msg("reader: %s", err.msg);
	return v;
}

/* The file at path in vol holds size bytes of pattern seed. */
static void check_file(struct udf_vol *v, const char *path, uint64_t size,
		       uint32_t seed, uint32_t mode)
{
	struct udf_inode *ino = NULL;
	discfs_error err = { 0 };
	struct udf_stat st;
	if (udf_lookup(v, path, &ino, &err))
		fail_msg("%s: %s", path, err.msg);
	udf_inode_stat(ino, &st);
	assert_true(S_ISREG(st.mode));
	assert_int_equal(st.size, size);
	if (mode)
		assert_int_equal(st.mode & 07777, mode);
	uint8_t *buf = malloc(size + 1);
	size_t got = 0;
	assert_int_equal(udf_read(v, ino, 0, buf, size + 1, &got, &err), 0);
	assert_int_equal(got, size);
	for (uint64_t i = 0; i < size; i++)
		if (buf[i] != pat(seed, i))
			fail_msg("%s: byte %llu differs", path, (unsigned long long)i);
	free(buf);
	udf_inode_free(ino);
}

static void check_missing(struct udf_vol *v, const char *path)
{
	struct udf_inode *ino = NULL;
	discfs_error err = { 0 };
	assert_int_equal(udf_lookup(v, path, &ino, &err), -DISCFS_ENOENT);
}

/* First block (absolute) of the file's first extent. */
static uint64_t first_block(struct udf_vol *v, const char *path)
{
	struct udf_inode *ino = NULL;
	discfs_error err = { 0 };
	assert_int_equal(udf_lookup(v, path, &ino, &err), 0);
	assert_true(ino->n_ext >= 1);
	uint32_t start = v->pds[v->maps[ino->ext[0].part].pd].start;
	uint64_t abs = (uint64_t)start + ino->ext[0].lbn;
	udf_inode_free(ino);
	return abs;
}

struct fsck_count {
	unsigned errors;
	char first[600];
};

static void on_issue(void *user, const discfs_fsck_issue *is)
{
	struct fsck_count *c = user;
	if (is->severity == DISCFS_FSCK_ERROR && !c->errors++)
		snprintf(c->first, sizeof(c->first), "%s: %s", is->area, is->msg);
}

static void check_fsck(const char *img, uint64_t session)
{
	struct udf_bsrc src;
	discfs_fsck_result res;
	struct fsck_count c = { 0 };
	discfs_error err = { 0 };
	assert_int_equal(udf_bsrc_open_file(img, 2048, false, &src, &err), 0);
	assert_int_equal(udf_fsck_src_at(&src, session, 0, on_issue, &c, &res), 0);
	udf_bsrc_close(&src);
	assert_true(res.opened);
	if (c.errors)
		fail_msg("fsck: %u errors, first: %s", c.errors, c.first);
}

struct pat_src {
	uint32_t seed;
};

static int pat_read(void *ctx, uint64_t off, void *buf, size_t len,
		    discfs_error *err)
{
	const struct pat_src *s = ctx;
	(void)err;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = pat(s->seed, off + i);
	return 0;
}

/* ------------------------------------------------------------- tests */

static void import_shows_iso_tree_with_changes_and_copies_nothing(void **state)
{
	(void)state;
	char tree[256], iso[256];
	struct udf_bdev bd;
	struct udf_update *u = NULL;
	struct udf_update_stats st;
	discfs_error err = { 0 };
	struct udf_update_opts o = { .now = 1700000000 };
	struct pat_src added = { 7 }, changed = { 8 };

	make_iso("main", tree, iso, sizeof(tree));
	open_seq(iso, &bd);
	uint64_t session = bd.nwa;
	assert_true(session > 150); /* 300 KB and more of ISO data */
	if (udf_update_import_open(&bd, &o, 0, &u, &err))
		fail_msg("import: %s", err.msg);
	assert_int_equal(udf_update_layout(u), DISCFS_LAYOUT_VAT);
	assert_int_equal(udf_update_write_file(u, "/dir/added", NULL, 10000,
					       pat_read, &added, &err), 0);
	assert_int_equal(udf_update_write_file(u, "/old", NULL, 3000, pat_read,
					       &changed, &err), 0);
	assert_int_equal(udf_update_remove(u, "/gone", &err), 0);
	assert_int_equal(udf_update_rename(u, "/small", "/dir/moved", &err), 0);
	if (udf_update_commit(u, &st, &err))
		fail_msg("commit: %s", err.msg);
	/* only the new content is data: 10000 + 3000 bytes, 5 + 2 blocks */
	assert_int_equal(st.data_blocks, 7);
	assert_true(st.blocks_written < 40);
	udf_update_close(u);
	udf_bdev_close(&bd);

	struct udf_vol *v = open_vol(iso, session);
	assert_int_equal(v->info.layout, UDF_LAYOUT_VAT);
	assert_int_equal(v->pds[0].start, UDF_IMPORT_PART_START);
	check_file(v, "/empty", 0, 1, 0);
	check_file(v, "/dir/moved", 100, 2, 0640);
	check_file(v, "/big", 300000, 3, 0);
	check_file(v, "/old", 3000, 8, 0);
	check_file(v, "/dir/inner", 4096, 6, 0);
	check_file(v, "/dir/added", 10000, 7, 0);
	check_missing(v, "/gone");
	check_missing(v, "/small");
	/* the imported files are where the ISO put them, before the session */
	assert_true(first_block(v, "/big") < session);
	assert_true(first_block(v, "/dir/inner") < session);
	assert_true(first_block(v, "/dir/added") > session);
	struct udf_inode *ino = NULL;
	char target[64];
	assert_int_equal(udf_lookup(v, "/dir/link", &ino, &err), 0);
	assert_int_equal(udf_readlink(v, ino, target, sizeof(target), &err), 0);
	assert_string_equal(target, "../small");
	udf_inode_free(ino);
	assert_int_equal(udf_lookup(v, "/dir", &ino, &err), 0);
	assert_int_equal(ino->st.mode & 07777, 0750);
	udf_inode_free(ino);
	assert_string_equal(v->info.lv_ident, "ISOVOL");
	udf_vol_close(v);
	check_fsck(iso, session);

	/* the next increment is an ordinary one on the new session */
	open_seq(iso, &bd);
	o.session_start = session;
	if (udf_update_open(&bd, &o, &u, &err))
		fail_msg("reopen: %s", err.msg);
	assert_int_equal(udf_update_mkdir(u, "/later", NULL, &err), 0);
	assert_int_equal(udf_update_remove(u, "/big", &err), 0);
	assert_int_equal(udf_update_commit(u, NULL, &err), 0);
	udf_update_close(u);
	udf_bdev_close(&bd);
	v = open_vol(iso, session);
	check_file(v, "/dir/inner", 4096, 6, 0);
	check_missing(v, "/big");
	assert_int_equal(udf_lookup(v, "/later", &ino, &err), 0);
	udf_inode_free(ino);
	udf_vol_close(v);
	check_fsck(iso, session);
}

/*
 * After the import, a later session continues the volume: its first
 * blocks get the volume's descriptors (a reader given that session finds
 * the same tree) and a copy of the VAT; the next commit goes on from there.
 */
static void continue_session_copies_the_volume_descriptors(void **state)
{
	(void)state;
	char tree[256], iso[256];
	struct udf_bdev bd;
	struct udf_update *u = NULL;
	discfs_error err = { 0 };
	struct udf_update_opts o = { .now = 1700000000 };

	make_iso("cont", tree, iso, sizeof(tree));
	open_seq(iso, &bd);
	uint64_t session = bd.nwa;
	assert_int_equal(udf_update_import_open(&bd, &o, 0, &u, &err), 0);
	assert_int_equal(udf_update_commit(u, NULL, &err), 0);
	udf_update_close(u);
	udf_bdev_close(&bd);

	open_seq(iso, &bd);
	o.session_start = session;
	assert_int_equal(udf_update_open(&bd, &o, &u, &err), 0);
	assert_int_equal(udf_update_mkdir(u, "/staged", NULL, &err), 0);
	assert_int_equal(udf_update_continue_session(u, session, &err),
			 -DISCFS_EINVAL); /* something is staged */
	udf_update_close(u);
	assert_int_equal(udf_update_open(&bd, &o, &u, &err), 0);
	uint64_t next = bd.nwa;
	if (udf_update_continue_session(u, session, &err))
		fail_msg("continue: %s", err.msg);
	assert_int_equal(bd.nwa, next + 258); /* 257 blocks, then the VAT */
	assert_int_equal(udf_update_mkdir(u, "/later", NULL, &err), 0);
	assert_int_equal(udf_update_commit(u, NULL, &err), 0);
	udf_update_close(u);
	udf_bdev_close(&bd);

	/* both sessions lead to the same, current volume */
	uint64_t starts[2] = { session, next };
	for (int i = 0; i < 2; i++) {
		struct udf_vol *v = open_vol(iso, starts[i]);
		struct udf_inode *ino = NULL;
		assert_int_equal(v->anchor, starts[i] + 256);
		check_file(v, "/big", 300000, 3, 0);
		assert_int_equal(udf_lookup(v, "/later", &ino, &err), 0);
		udf_inode_free(ino);
		check_missing(v, "/staged");
		udf_vol_close(v);
		check_fsck(iso, starts[i]);
	}
	/* a session without the volume's anchor is refused */
	open_seq(iso, &bd);
	o.session_start = session;
	assert_int_equal(udf_update_open(&bd, &o, &u, &err), 0);
	assert_int_equal(udf_update_continue_session(u, session + 1, &err),
			 -DISCFS_EFORMAT);
	udf_update_close(u);
	udf_bdev_close(&bd);
}

/* The public API asks for the same with discfs_update_opts.import_iso. */
static void public_api_imports_with_import_iso(void **state)
{
	(void)state;
	char tree[256], iso[256], src[300];
	discfs_update *up = NULL;
	discfs_error err = { 0 };
	discfs_update_opts o = { .import_iso = true };
	struct udf_bdev bd;

	make_iso("api", tree, iso, sizeof(tree));
	open_seq(iso, &bd);
	uint64_t session = bd.nwa;
	udf_bdev_close(&bd);
	/* without the flag: no UDF volume to update */
	o.import_iso = false;
	assert_int_equal(discfs_update_open_image(iso, true, CAP, &o, &up, &err),
			 -DISCFS_EFORMAT);
	o.import_iso = true;
	if (discfs_update_open_image(iso, true, CAP, &o, &up, &err))
		fail_msg("open: %s", err.msg);
	snprintf(src, sizeof(src), "%s/small", tree);
	assert_int_equal(discfs_update_copy_file(up, "/copied", src, &err), 0);
	assert_int_equal(discfs_update_remove(up, "/old", &err), 0);
	discfs_update_stats st;
	assert_int_equal(discfs_update_commit(up, &st, &err), 0);
	assert_int_equal(st.data_blocks, 1); /* the copied file only */
	discfs_update_close(up);
	struct udf_vol *v = open_vol(iso, session);
	check_file(v, "/big", 300000, 3, 0);
	check_file(v, "/copied", 100, 2, 0640);
	check_missing(v, "/old");
	udf_vol_close(v);
}

/* A VAT volume formatted on a blank medium, with raw blocks after it. */
static void vat_with_raw(const char *img, struct udf_bdev *bd,
			 struct udf_update **u, uint64_t *raw)
{
	discfs_error err = { 0 };
	struct udf_update_opts o = { .now = 1700000000 };
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	open_seq(img, bd);
	if (udf_update_format(bd, &o, &err))
		fail_msg("format: %s", err.msg);
	/* four blocks of pattern 9 nobody references yet */
	uint8_t *b = malloc(4 * 2048);
	for (unsigned i = 0; i < 4 * 2048; i++)
		b[i] = pat(9, i);
	*raw = bd->nwa;
	assert_int_equal(udf_bdev_write(bd, *raw, 4, b, &err), 0);
	free(b);
	if (udf_update_open(bd, &o, u, &err))
		fail_msg("open: %s", err.msg);
}

static void import_file_describes_several_extents(void **state)
{
	(void)state;
	char img[300];
	struct udf_bdev bd;
	struct udf_update *u = NULL;
	discfs_error err = { 0 };
	uint64_t raw;
	snprintf(img, sizeof(img), "%s/multi.img", g_dir);
	vat_with_raw(img, &bd, &u, &raw);
	/* blocks raw+2..3 then raw+0: pattern bytes 4096.. then 0.. */
	struct udf_import_ext e[2] = { { (uint32_t)raw + 2, 4096 },
				       { (uint32_t)raw, 1000 } };
	if (udf_update_import_file(u, "/m", NULL, 5000, e, 2, &err))
		fail_msg("import file: %s", err.msg);
	struct udf_update_stats st;
	assert_int_equal(udf_update_commit(u, &st, &err), 0);
	assert_int_equal(st.data_blocks, 0);
	udf_update_close(u);
	udf_bdev_close(&bd);

	struct udf_vol *v = open_vol(img, 0);
	struct udf_inode *ino = NULL;
	assert_int_equal(udf_lookup(v, "/m", &ino, &err), 0);
	assert_int_equal(ino->n_ext, 2);
	uint8_t buf[5000];
	size_t got = 0;
	assert_int_equal(udf_read(v, ino, 0, buf, sizeof(buf), &got, &err), 0);
	assert_int_equal(got, 5000);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(buf[i], pat(9, 4096 + i));
	for (unsigned i = 0; i < 904; i++)
		assert_int_equal(buf[4096 + i], pat(9, i));
	udf_inode_free(ino);
	udf_vol_close(v);
}

static void import_file_refuses_bad_extents(void **state)
{
	(void)state;
	char img[300];
	struct udf_bdev bd;
	struct udf_update *u = NULL;
	discfs_error err = { 0 };
	uint64_t raw;
	snprintf(img, sizeof(img), "%s/bad.img", g_dir);
	vat_with_raw(img, &bd, &u, &raw);
	uint32_t r = (uint32_t)raw;
	struct udf_import_ext ragged[2] = { { r, 1000 }, { r + 2, 2048 } };
	assert_int_equal(udf_update_import_file(u, "/a", NULL, 3048, ragged, 2, &err),
			 -DISCFS_ENOTSUP);
	assert_non_null(strstr(err.msg, "whole number of blocks"));
	struct udf_import_ext before[1] = { { 100, 2048 } }; /* before block 257 */
	assert_int_equal(udf_update_import_file(u, "/b", NULL, 2048, before, 1, &err),
			 -DISCFS_EINVAL);
	assert_non_null(strstr(err.msg, "outside the partition"));
	struct udf_import_ext beyond[1] = { { CAP - 1, 8192 } };
	assert_int_equal(udf_update_import_file(u, "/c", NULL, 8192, beyond, 1, &err),
			 -DISCFS_EINVAL);
	struct udf_import_ext one[1] = { { r, 2048 } };
	assert_int_equal(udf_update_import_file(u, "/d", NULL, 2049, one, 1, &err),
			 -DISCFS_EINVAL);
	assert_int_equal(udf_update_import_file(u, "/e", NULL, 2048, one, 1, &err), 0);
	assert_int_equal(udf_update_import_file(u, "/e", NULL, 2048, one, 1, &err),
			 -DISCFS_EINVAL);
	assert_non_null(strstr(err.msg, "already exists"));
	/* the refused names were not left behind */
	assert_int_equal(udf_update_commit(u, NULL, &err), 0);
	udf_update_close(u);
	udf_bdev_close(&bd);
	struct udf_vol *v = open_vol(img, 0);
	check_missing(v, "/a");
	check_missing(v, "/b");
	check_missing(v, "/c");
	check_missing(v, "/d");
	udf_vol_close(v);
}

static void import_open_refuses_unsuitable_media(void **state)
{
	(void)state;
	char tree[256], iso[256], img[300];
	struct udf_bdev bd;
	struct udf_update *u = NULL;
	discfs_error err = { 0 };

	make_iso("refuse", tree, iso, sizeof(tree));
	/* rewritable */
	assert_int_equal(udf_bdev_open_file(iso, UDF_BDEV_RANDOM, CAP, &bd, &err), 0);
	assert_int_equal(udf_update_import_open(&bd, NULL, 0, &u, &err),
			 -DISCFS_ENOTSUP);
	assert_non_null(strstr(err.msg, "rewritable"));
	udf_bdev_close(&bd);
	/* full: the medium ends with the ISO's data (its padding included) */
	assert_int_equal(udf_bdev_open_file(iso, UDF_BDEV_SEQUENTIAL, 0, &bd, &err), 0);
	uint64_t full_nwa = bd.nwa;
	assert_int_equal(udf_update_import_open(&bd, NULL, 0, &u, &err),
			 bd.nwa >= bd.capacity ? -DISCFS_EPROTECT : -DISCFS_ENOSPC);
	assert_null(u);
	assert_int_equal(bd.nwa, full_nwa);
	udf_bdev_close(&bd);
	/* blank */
	snprintf(img, sizeof(img), "%s/blank.img", g_dir);
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	open_seq(img, &bd);
	assert_int_equal(udf_update_import_open(&bd, NULL, 0, &u, &err),
			 -DISCFS_EFORMAT);
	udf_bdev_close(&bd);
	/* data, but no ISO9660 */
	snprintf(img, sizeof(img), "%s/noiso.img", g_dir);
	fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	uint8_t junk[2048];
	memset(junk, 0x5A, sizeof(junk));
	for (int i = 0; i < 40; i++)
		assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	open_seq(img, &bd);
	uint64_t nwa = bd.nwa;
	assert_int_equal(udf_update_import_open(&bd, NULL, 0, &u, &err),
			 -DISCFS_EFORMAT);
	assert_null(u);
	assert_int_equal(bd.nwa, nwa); /* nothing written */
	udf_bdev_close(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(import_shows_iso_tree_with_changes_and_copies_nothing),
		cmocka_unit_test(import_file_describes_several_extents),
		cmocka_unit_test(continue_session_copies_the_volume_descriptors),
		cmocka_unit_test(public_api_imports_with_import_iso),
		cmocka_unit_test(import_file_refuses_bad_extents),
		cmocka_unit_test(import_open_refuses_unsuitable_media),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
