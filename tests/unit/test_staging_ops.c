/*
 * test_staging_ops.c - the POSIX meaning of every staged operation on the
 * merged tree (through the store API): create, mkdir, symlink, link,
 * unlink, rmdir, rename (over files, over empty directories, refusals),
 * setattr (chmod, chown, truncate, utimens), write/read with overlapping
 * extents, xattrs; and that a refused operation changes nothing at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
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
	char dir[64];
	struct stg_store s;
};

static int open_store(struct fx *f)
{
	struct stg_params p = {
		.root_mode = 0755, .uid = getuid(), .gid = getgid(),
		.generation = "blank",
	};
	return stg_store_open(&f->s, f->dir, &p, NULL);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/stgopsXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(open_store(f), 0);
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

	assert_int_equal(stg_mknod(s, parent, name, mode, 1, 2, 0, &in), 0);
	assert_non_null(in);
	return in->ino;
}

static struct stg_inode *at(struct stg_store *s, uint64_t dir, const char *name)
{
	struct stg_dentry *d = stg_tree_lookup(&s->tree, stg_tree_inode(&s->tree, dir),
					       name, strlen(name));
	return d ? d->inode : NULL;
}

/* Runs a refused operation and checks the tree is byte-for-byte the same. */
#define REFUSED(f, call, err) do {                                  \
		char *before_ = stg_dump_string(&(f)->s);           \
		uint64_t seq_ = (f)->s.journal.next_seq;            \
		assert_int_equal((call), -(err));                   \
		char *after_ = stg_dump_string(&(f)->s);            \
		assert_string_equal(before_, after_);               \
		assert_int_equal((f)->s.journal.next_seq, seq_);    \
		free(before_);                                      \
		free(after_);                                       \
	} while (0)

static void create_and_mkdir_make_entries_with_links(void **state)
{
	struct fx *f = *state;
	uint64_t d = mk(&f->s, 1, "dir", S_IFDIR | 0750);
	uint64_t x = mk(&f->s, d, "file", S_IFREG | 0640);

	assert_int_equal(at(&f->s, 1, "dir")->ino, d);
	assert_int_equal(at(&f->s, d, "file")->ino, x);
	assert_int_equal(stg_tree_inode(&f->s.tree, 1)->nlink, 3);
	assert_int_equal(stg_tree_inode(&f->s.tree, d)->nlink, 2);
	assert_int_equal(stg_tree_inode(&f->s.tree, x)->nlink, 1);
	assert_int_equal(stg_tree_inode(&f->s.tree, x)->mode, S_IFREG | 0640);
	assert_int_equal(stg_tree_inode(&f->s.tree, x)->uid, 1);
	assert_true(x >= STG_FIRST_NEW_INO);
	assert_true(stg_store_dirty(&f->s));
}

static void create_refuses_existing_bad_and_missing(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "a", S_IFREG | 0644);

	REFUSED(f, stg_mknod(&f->s, 1, "a", S_IFREG | 0644, 0, 0, 0, NULL), EEXIST);
	REFUSED(f, stg_mknod(&f->s, 1, "..", S_IFDIR | 0755, 0, 0, 0, NULL), EINVAL);
	REFUSED(f, stg_mknod(&f->s, 1, "a/b", S_IFREG | 0644, 0, 0, 0, NULL), EINVAL);
	REFUSED(f, stg_mknod(&f->s, x, "b", S_IFREG | 0644, 0, 0, 0, NULL), ENOTDIR);
	REFUSED(f, stg_mknod(&f->s, 999, "b", S_IFREG | 0644, 0, 0, 0, NULL), ENOENT);
	REFUSED(f, stg_mknod(&f->s, 1, "lnk", S_IFLNK | 0777, 0, 0, 0, NULL), EINVAL);
	char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[299] = 0;
	REFUSED(f, stg_mknod(&f->s, 1, longname, S_IFREG | 0644, 0, 0, 0, NULL),
		ENAMETOOLONG);
}

static void symlink_keeps_its_target(void **state)
{
	struct fx *f = *state;
	struct stg_inode *in;

	assert_int_equal(stg_symlink(&f->s, 1, "l", "../some/where", 5, 6, &in), 0);
	assert_true(S_ISLNK(in->mode));
	assert_string_equal(in->symlink, "../some/where");
	assert_int_equal(in->size, 13);
	REFUSED(f, stg_symlink(&f->s, 1, "l", "x", 0, 0, NULL), EEXIST);
}

static void hard_links_share_one_inode(void **state)
{
	struct fx *f = *state;
	uint64_t d = mk(&f->s, 1, "d", S_IFDIR | 0755);
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);

	assert_int_equal(stg_link(&f->s, x, d, "y"), 0);
	assert_int_equal(at(&f->s, d, "y")->ino, x);
	assert_int_equal(stg_tree_inode(&f->s.tree, x)->nlink, 2);
	REFUSED(f, stg_link(&f->s, d, 1, "dlink"), EPERM);
	REFUSED(f, stg_link(&f->s, x, 1, "x"), EEXIST);
	assert_int_equal(stg_unlink(&f->s, 1, "x", false), 0);
	assert_int_equal(stg_tree_inode(&f->s.tree, x)->nlink, 1);
	assert_non_null(at(&f->s, d, "y"));
}

static void unlink_and_rmdir_check_the_kind(void **state)
{
	struct fx *f = *state;
	uint64_t d = mk(&f->s, 1, "d", S_IFDIR | 0755);
	uint64_t x = mk(&f->s, d, "x", S_IFREG | 0644);

	REFUSED(f, stg_unlink(&f->s, 1, "d", false), EISDIR);
	REFUSED(f, stg_unlink(&f->s, 1, "d", true), ENOTEMPTY);
	REFUSED(f, stg_unlink(&f->s, d, "x", true), ENOTDIR);
	REFUSED(f, stg_unlink(&f->s, d, "nope", false), ENOENT);
	assert_int_equal(stg_unlink(&f->s, d, "x", false), 0);
	assert_null(stg_tree_inode(&f->s.tree, x));
	assert_int_equal(stg_unlink(&f->s, 1, "d", true), 0);
	assert_null(stg_tree_inode(&f->s.tree, d));
	assert_int_equal(stg_tree_inode(&f->s.tree, 1)->nlink, 2);
}

static void unlinked_but_referenced_file_stays_readable(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);
	struct stg_inode *in = stg_tree_inode(&f->s.tree, x);
	char buf[8] = { 0 };

	assert_int_equal(stg_write(&f->s, x, 0, "hello", 5), 5);
	stg_tree_ref(in);
	assert_int_equal(stg_unlink(&f->s, 1, "x", false), 0);
	assert_non_null(stg_tree_inode(&f->s.tree, x));
	assert_int_equal(stg_write(&f->s, x, 5, "!", 1), 1);
	assert_int_equal(stg_read(&f->s, x, 0, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "hello!");
	stg_tree_unref(&f->s.tree, in);
	assert_null(stg_tree_inode(&f->s.tree, x));
	assert_int_equal(f->s.tree.staged_bytes, 0);
}

static void pinned_inodes_outlive_their_names_until_unpinned(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);
	struct stg_inode *in = stg_tree_inode(&f->s.tree, x);

	stg_tree_pin_all(&f->s.tree);
	assert_int_equal(stg_unlink(&f->s, 1, "x", false), 0);
	assert_non_null(stg_tree_inode(&f->s.tree, x));
	stg_tree_unref_n(&f->s.tree, in, 5); /* the kernel's FORGET */
	assert_null(stg_tree_inode(&f->s.tree, x));
	assert_non_null(stg_tree_inode(&f->s.tree, STG_ROOT_INO));
}

/* Names that fit Linux but not a UDF file identifier are refused when
 * they are made, not at commit (udf/safe_name.h). */
static void names_udf_cannot_record_are_refused_at_once(void **state)
{
	struct fx *f = *state;
	uint64_t a = mk(&f->s, 1, "a", S_IFREG | 0644);
	char cjk[260];

	/* 250 letters and one CJK character: 253 bytes, 503 bytes of CS0 */
	memset(cjk, 'a', 250);
	memcpy(cjk + 250, "\xe6\x97\xa5", 4);
	REFUSED(f, stg_mknod(&f->s, 1, cjk, S_IFREG | 0644, 0, 0, 0, NULL),
		ENAMETOOLONG);
	REFUSED(f, stg_symlink(&f->s, 1, cjk, "t", 0, 0, NULL), ENAMETOOLONG);
	REFUSED(f, stg_link(&f->s, a, 1, cjk), ENAMETOOLONG);
	REFUSED(f, stg_rename(&f->s, 1, "a", 1, cjk, 0), ENAMETOOLONG);
	/* 254 Latin-1 letters fit; 255 do not */
	char l1[256];
	memset(l1, 'l', 254);
	l1[254] = 0;
	mk(&f->s, 1, l1, S_IFREG | 0644);
	l1[254] = 'l';
	l1[255] = 0;
	REFUSED(f, stg_mknod(&f->s, 1, l1, S_IFREG | 0644, 0, 0, 0, NULL),
		ENAMETOOLONG);
	/* safe names standing for what UDF cannot record */
	REFUSED(f, stg_mknod(&f->s, 1, "%2E", S_IFREG | 0644, 0, 0, 0, NULL), EINVAL);
	REFUSED(f, stg_mknod(&f->s, 1, "%~", S_IFREG | 0644, 0, 0, 0, NULL), EINVAL);
	REFUSED(f, stg_mknod(&f->s, 1, "x%00", S_IFREG | 0644, 0, 0, 0, NULL), EINVAL);
	REFUSED(f, stg_rename(&f->s, 1, "a", 1, "n%~0000ABCD", 0), EINVAL);
	/* escaped names that decode to something recordable are fine */
	mk(&f->s, 1, "a%2Fb", S_IFREG | 0644);
	mk(&f->s, 1, "100%", S_IFREG | 0644);
	assert_int_equal(stg_rename(&f->s, 1, "a", 1, "%252E", 0), 0);
}

static void rename_moves_and_replaces(void **state)
{
	struct fx *f = *state;
	uint64_t a = mk(&f->s, 1, "a", S_IFREG | 0644);
	uint64_t b = mk(&f->s, 1, "b", S_IFREG | 0600);
	uint64_t d = mk(&f->s, 1, "d", S_IFDIR | 0755);

	assert_int_equal(stg_write(&f->s, b, 0, "old", 3), 3);
	assert_int_equal(stg_rename(&f->s, 1, "a", 1, "b", 0), 0);
	assert_null(at(&f->s, 1, "a"));
	assert_int_equal(at(&f->s, 1, "b")->ino, a);
	assert_null(stg_tree_inode(&f->s.tree, b)); /* replaced, freed */
	assert_int_equal(f->s.tree.staged_bytes, 0);
	assert_int_equal(stg_rename(&f->s, 1, "b", d, "c", 0), 0);
	assert_int_equal(at(&f->s, d, "c")->ino, a);
	/* Renaming one name of a file onto another name of it: nothing happens. */
	assert_int_equal(stg_link(&f->s, a, d, "c2"), 0);
	assert_int_equal(stg_rename(&f->s, d, "c", d, "c2", 0), 0);
	assert_non_null(at(&f->s, d, "c"));
	assert_non_null(at(&f->s, d, "c2"));
}

static void rename_of_directories_follows_posix(void **state)
{
	struct fx *f = *state;
	uint64_t p = mk(&f->s, 1, "p", S_IFDIR | 0755);
	uint64_t q = mk(&f->s, p, "q", S_IFDIR | 0755);
	uint64_t e = mk(&f->s, 1, "empty", S_IFDIR | 0755);
	uint64_t full = mk(&f->s, 1, "full", S_IFDIR | 0755);

	mk(&f->s, full, "x", S_IFREG | 0644);
	mk(&f->s, 1, "file", S_IFREG | 0644);
	REFUSED(f, stg_rename(&f->s, 1, "p", q, "inside", 0), EINVAL);
	REFUSED(f, stg_rename(&f->s, 1, "p", p, "self", 0), EINVAL);
	REFUSED(f, stg_rename(&f->s, 1, "p", 1, "full", 0), ENOTEMPTY);
	REFUSED(f, stg_rename(&f->s, 1, "p", 1, "file", 0), ENOTDIR);
	REFUSED(f, stg_rename(&f->s, 1, "file", 1, "empty", 0), EISDIR);
	REFUSED(f, stg_rename(&f->s, 1, "file", 1, "full", STG_RENAME_NOREPLACE),
		EEXIST);
	REFUSED(f, stg_rename(&f->s, 1, "ghost", 1, "x", 0), ENOENT);
	assert_int_equal(stg_rename(&f->s, 1, "p", 1, "empty", 0), 0);
	assert_null(stg_tree_inode(&f->s.tree, e));
	assert_int_equal(at(&f->s, 1, "empty")->ino, p);
	assert_int_equal(stg_rename(&f->s, p, "q", full, "q", 0), 0);
	assert_int_equal(stg_tree_inode(&f->s.tree, p)->nlink, 2);
	assert_int_equal(stg_tree_inode(&f->s.tree, full)->nlink, 3);
	assert_int_equal(stg_tree_inode(&f->s.tree, q)->dir_name->parent->ino, full);
}

static void write_read_and_overlapping_writes(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);
	char buf[32];

	assert_int_equal(stg_write(&f->s, x, 0, "aaaaaaaaaa", 10), 10);
	assert_int_equal(stg_write(&f->s, x, 10, "bbbbb", 5), 5);
	assert_int_equal(stg_tree_inode(&f->s.tree, x)->n_ext, 1); /* merged */
	assert_int_equal(stg_write(&f->s, x, 3, "XYZ", 3), 3);       /* split */
	assert_int_equal(stg_write(&f->s, x, 20, "t", 1), 1);        /* hole */
	memset(buf, '?', sizeof(buf));
	assert_int_equal(stg_read(&f->s, x, 0, buf, sizeof(buf)), 21);
	assert_memory_equal(buf, "aaaXYZaaaabbbbb\0\0\0\0\0t", 21);
	assert_int_equal(stg_read(&f->s, x, 4, buf, 3), 3);
	assert_memory_equal(buf, "YZa", 3);
	assert_int_equal(stg_read(&f->s, x, 21, buf, 3), 0);
	assert_int_equal(stg_tree_inode(&f->s.tree, x)->ext_bytes, 16);
	assert_int_equal(f->s.tree.staged_bytes, 16);
	/* One write covering everything leaves one extent. */
	assert_int_equal(stg_write(&f->s, x, 0, "0123456789abcdefghijklmn", 24), 24);
	assert_int_equal(stg_tree_inode(&f->s.tree, x)->n_ext, 1);
	assert_int_equal(f->s.tree.staged_bytes, 24);
	REFUSED(f, (int)stg_write(&f->s, 1, 0, "x", 1), EISDIR);
}

static void truncate_then_extend_reads_zeros(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);
	char buf[16];

	assert_int_equal(stg_write(&f->s, x, 0, "0123456789", 10), 10);
	assert_int_equal(stg_setattr(&f->s, x, STG_SET_SIZE, 0, 0, 0, 4, 0, 0), 0);
	assert_int_equal(f->s.tree.staged_bytes, 4);
	assert_int_equal(stg_setattr(&f->s, x, STG_SET_SIZE, 0, 0, 0, 8, 0, 0), 0);
	assert_int_equal(stg_read(&f->s, x, 0, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "0123\0\0\0\0", 8);
	REFUSED(f, stg_setattr(&f->s, 1, STG_SET_SIZE, 0, 0, 0, 0, 0, 0), EISDIR);
}

static void chmod_chown_utimens_change_only_what_is_asked(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);
	struct stg_inode *in = stg_tree_inode(&f->s.tree, x);
	int64_t ct = in->ctime;

	assert_int_equal(stg_setattr(&f->s, x, STG_SET_MODE, 04711 | S_IFDIR, 0, 0,
				     0, 0, 0), 0);
	assert_int_equal(in->mode, S_IFREG | 04711); /* type bits kept */
	assert_int_equal(stg_setattr(&f->s, x, STG_SET_UID | STG_SET_GID, 0, 77,
				     88, 0, 0, 0), 0);
	assert_int_equal(in->uid, 77);
	assert_int_equal(in->gid, 88);
	assert_int_equal(stg_setattr(&f->s, x, STG_SET_ATIME | STG_SET_MTIME, 0, 0,
				     0, 0, 1000000000ll, 2000000001ll), 0);
	assert_int_equal(in->atime, 1000000000ll);
	assert_int_equal(in->mtime, 2000000001ll);
	assert_true(in->ctime >= ct);
	REFUSED(f, stg_setattr(&f->s, x, 0x4000, 0, 0, 0, 0, 0, 0), EINVAL);
	REFUSED(f, stg_setattr(&f->s, 12345, STG_SET_MODE, 0, 0, 0, 0, 0, 0), ENOENT);
}

static void xattrs_honour_create_and_replace(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);
	const struct stg_xattr *a;

	REFUSED(f, stg_setxattr(&f->s, x, "user.a", "1", 1, STG_XATTR_REPLACE),
		ENODATA);
	assert_int_equal(stg_setxattr(&f->s, x, "user.a", "1", 1, STG_XATTR_CREATE), 0);
	REFUSED(f, stg_setxattr(&f->s, x, "user.a", "2", 1, STG_XATTR_CREATE), EEXIST);
	assert_int_equal(stg_setxattr(&f->s, x, "user.a", "22", 2, STG_XATTR_REPLACE), 0);
	assert_int_equal(stg_setxattr(&f->s, x, "user.empty", "", 0, 0), 0);
	a = stg_tree_xattr(stg_tree_inode(&f->s.tree, x), "user.a", 6);
	assert_non_null(a);
	assert_int_equal(a->value_len, 2);
	assert_memory_equal(a->data + a->name_len + 1, "22", 2);
	assert_int_equal(stg_rmxattr(&f->s, x, "user.a"), 0);
	REFUSED(f, stg_rmxattr(&f->s, x, "user.a"), ENODATA);
	assert_null(stg_tree_xattr(stg_tree_inode(&f->s.tree, x), "user.a", 6));
	assert_non_null(stg_tree_xattr(stg_tree_inode(&f->s.tree, x), "user.empty", 10));
}

static void scattered_writes_keep_the_extent_list_bounded(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);
	char want[40000], got[40000];

	/* Every other 10-byte block, backwards: no two writes merge. */
	memset(want, 0, sizeof(want));
	for (int i = 3999; i >= 0; i -= 2) {
		char block[10];
		memset(block, 'a' + i % 26, sizeof(block));
		memcpy(want + i * 10, block, sizeof(block));
		assert_int_equal(stg_write(&f->s, x, (uint64_t)i * 10, block, 10), 10);
		assert_true(stg_tree_inode(&f->s.tree, x)->n_ext <= STG_MAX_EXTENTS + 1);
	}
	assert_int_equal(stg_read(&f->s, x, 0, got, sizeof(got)), sizeof(got));
	assert_memory_equal(want, got, sizeof(got));
}

static void sparse_writes_are_not_compacted_into_huge_copies(void **state)
{
	struct fx *f = *state;
	uint64_t x = mk(&f->s, 1, "x", S_IFREG | 0644);

	for (uint64_t i = 0; i < STG_MAX_EXTENTS + 10; i++)
		assert_int_equal(stg_write(&f->s, x, i << 30, "z", 1), 1);
	assert_int_equal(f->s.tree.staged_bytes, STG_MAX_EXTENTS + 10);
}

static void many_entries_in_one_directory(void **state)
{
	struct fx *f = *state;
	char name[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "f%05d", i);
		mk(&f->s, 1, name, S_IFREG | 0644);
	}
	for (int i = 0; i < 5000; i += 2) {
		snprintf(name, sizeof(name), "f%05d", i);
		assert_int_equal(stg_unlink(&f->s, 1, name, false), 0);
	}
	assert_int_equal(stg_tree_inode(&f->s.tree, 1)->n_children, 2500);
	assert_null(at(&f->s, 1, "f00000"));
	assert_non_null(at(&f->s, 1, "f04999"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(create_and_mkdir_make_entries_with_links),
		T(create_refuses_existing_bad_and_missing),
		T(names_udf_cannot_record_are_refused_at_once),
		T(symlink_keeps_its_target),
		T(hard_links_share_one_inode),
		T(unlink_and_rmdir_check_the_kind),
		T(unlinked_but_referenced_file_stays_readable),
		T(pinned_inodes_outlive_their_names_until_unpinned),
		T(rename_moves_and_replaces),
		T(rename_of_directories_follows_posix),
		T(write_read_and_overlapping_writes),
		T(truncate_then_extend_reads_zeros),
		T(chmod_chown_utimens_change_only_what_is_asked),
		T(xattrs_honour_create_and_replace),
		T(scattered_writes_keep_the_extent_list_bounded),
		T(sparse_writes_are_not_compacted_into_huge_copies),
		T(many_entries_in_one_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
