/*
 * tests/unit/test_udf_update_xattr.c - extended attributes through the
 * incremental UDF writer (UDF_ATTR_XATTRS): set on new files and
 * directories, replaced and removed on committed ones (the recorded
 * allocation descriptors move behind the new EA space), kept when only
 * the mode changes or the content is rewritten; on write-once (VAT) and
 * rewritable (bitmap) volumes.  After each commit our reader gives back
 * exactly what was set, the tree and its contents are intact, fsck finds
 * no error, and the independent readers read the volume.  Attributes
 * that cannot fit in a file entry are refused.  FIFOs, sockets and
 * devices (udf_update_mknod) are entries without content, a device with
 * its numbers in the same EA space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "test_udf_update_helpers.h"

#define CAP 6000u

static int setup_vat(void **state) { return ut_env_setup(state, UDF_BDEV_SEQUENTIAL, "dvd+r", CAP); }
static int setup_plain(void **state) { return ut_env_setup(state, UDF_BDEV_RANDOM, "dvd+rw", CAP); }


static void commit_check(struct ut_env *e)
{
	ut_env_commit_check(e, NULL);
}

static void set_xattrs(struct ut_env *e, const char *path, const struct udf_xattr *x,
		       size_t n)
{
	struct udf_update_attr a = { .mask = UDF_ATTR_XATTRS, .xattrs = x, .n_xattrs = n };
	discfs_error err = { 0 };

	if (udf_update_setattr(e->u, path, &a, &err))
		fail_msg("setattr %s: %s", path, err.msg);
}

static int cat(void *user, const char *name, const void *value, size_t len)
{
	char *out = user;
	size_t at = strlen(out);

	snprintf(out + at, 512 - at, "%s%s=%.*s", at ? ";" : "", name, (int)len,
		 (const char *)value);
	return 0;
}

/* "name=value;..." as our reader gives them back. */
static const char *xattrs_of(struct ut_env *e, const char *path)
{
	static char out[512];
	discfs_volume *v;
	discfs_error err = { 0 };

	out[0] = '\0';
	if (discfs_volume_open(e->img, &v, &err))
		fail_msg("open: %s", err.msg);
	if (discfs_volume_xattrs(v, path, cat, out, &err))
		fail_msg("xattrs %s: %s", path, err.msg);
	discfs_volume_close(v);
	return out;
}

static const struct udf_xattr two[] = {
	{ "user.a", (const uint8_t *)"one", 3 },
	{ "user.b", (const uint8_t *)"two", 3 },
};

static void new_entries_record_their_xattrs(void **state)
{
	struct ut_env *e = *state;
	struct udf_update_attr a = { .mask = UDF_ATTR_XATTRS, .xattrs = two, .n_xattrs = 2 };
	discfs_error err = { 0 };

	ut_mkdir(e->u, e->m, "/d");
	ut_file(e->u, e->m, "/d/f", 70000, 3);
	set_xattrs(e, "/d", two, 1);
	assert_int_equal(udf_update_write_file(e->u, "/g", &a, 0, NULL, NULL, &err), 0);
	ut_slot(e->m, "/g")->type = 'f';
	commit_check(e);
	assert_string_equal(xattrs_of(e, "/d"), "user.a=one");
	assert_string_equal(xattrs_of(e, "/g"), "user.a=one;user.b=two");
	assert_string_equal(xattrs_of(e, "/d/f"), "");
}

static void committed_entries_get_replaced_and_removed_xattrs(void **state)
{
	struct ut_env *e = *state;
	const struct udf_xattr one[] = { { "user.new", (const uint8_t *)"v", 1 } };

	ut_file(e->u, e->m, "/f", 150000, 5); /* several ADs to move */
	ut_file(e->u, e->m, "/h", 9000, 6);
	commit_check(e);
	set_xattrs(e, "/f", two, 2);
	set_xattrs(e, "/h", two, 2);
	commit_check(e);
	assert_string_equal(xattrs_of(e, "/f"), "user.a=one;user.b=two");
	set_xattrs(e, "/f", one, 1);      /* smaller space: ADs move back */
	set_xattrs(e, "/h", NULL, 0);     /* removed: no EA space at all */
	commit_check(e);
	assert_string_equal(xattrs_of(e, "/f"), "user.new=v");
	assert_string_equal(xattrs_of(e, "/h"), "");
}

static void a_mode_change_or_new_content_keeps_them(void **state)
{
	struct ut_env *e = *state;
	discfs_error err = { 0 };
	struct udf_update_attr mode = { .mask = UDF_ATTR_MODE, .mode = 0600 };

	ut_file(e->u, e->m, "/f", 5000, 7);
	set_xattrs(e, "/f", two, 2);
	commit_check(e);
	assert_int_equal(udf_update_setattr(e->u, "/f", &mode, &err), 0);
	ut_find(e->m, "/f")->mode = 0600;
	commit_check(e);
	assert_string_equal(xattrs_of(e, "/f"), "user.a=one;user.b=two");
	ut_file(e->u, e->m, "/f", 30000, 8); /* rewritten */
	commit_check(e);
	assert_string_equal(xattrs_of(e, "/f"), "user.a=one;user.b=two");
}

static void xattrs_that_cannot_fit_are_refused(void **state)
{
	struct ut_env *e = *state;
	static uint8_t big[1100];
	const struct udf_xattr x[] = { { "user.big", big, sizeof(big) } };
	struct udf_update_attr a = { .mask = UDF_ATTR_XATTRS, .xattrs = x, .n_xattrs = 1 };
	struct udf_update_stats st;
	discfs_error err = { 0 };

	ut_file(e->u, e->m, "/f", 100, 9);
	assert_int_equal(udf_update_setattr(e->u, "/f", &a, &err), 0);
	assert_int_not_equal(udf_update_commit(e->u, &st, &err), 0);
	assert_non_null(strstr(err.msg, "/f") ? err.msg : strstr(err.msg, "'f'"));
}

/* With DFS_XATTR_KEEP=DIR, the image (DIR/MEDIA.img), the blocks a
 * reader of the image file must see (DIR/MEDIA.blocks: up to the VAT, or
 * all) and the tree (DIR/MEDIA.src) are kept for tests/vm/t_udf_xattrs.sh. */
static void keep_for_the_kernel(struct ut_env *e)
{
	const char *keep = getenv("DFS_XATTR_KEEP");
	char cmd[1200], src[600];
	discfs_volume *v;
	discfs_volume_info vi;
	discfs_error err = { 0 };

	if (!keep)
		return;
	assert_int_equal(discfs_volume_open(e->img, &v, &err), 0);
	discfs_volume_info_get(v, &vi);
	discfs_volume_close(v);
	snprintf(src, sizeof(src), "%s/%s.src", keep, e->media);
	ut_dump_model(e->m, src);
	snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s/%s.img' && echo %llu > '%s/%s.blocks'",
		 e->img, keep, e->media,
		 vi.layout == DISCFS_LAYOUT_VAT ? (unsigned long long)vi.vat_block + 1
						: (unsigned long long)CAP,
		 keep, e->media);
	assert_int_equal(system(cmd), 0);
}

static void independent_readers_read_the_volume(void **state)
{
	struct ut_env *e = *state;
	char src[300], cmd[2400];

	ut_mkdir(e->u, e->m, "/d");
	ut_file(e->u, e->m, "/d/f", 20000, 10);
	ut_file(e->u, e->m, "/g", 3000, 11);
	set_xattrs(e, "/d", two, 2);
	set_xattrs(e, "/d/f", two, 2);
	commit_check(e);
	set_xattrs(e, "/g", two, 1);
	commit_check(e);
	keep_for_the_kernel(e);
	if (e->kind != UDF_BDEV_RANDOM)
		return; /* image files of VAT volumes need the VAT given: see
			 * test_udf_update_readers.sh; the kernel reads both */
	snprintf(src, sizeof(src), "%s/src", e->dir);
	ut_dump_model(e->m, src);
	const char *top = getenv("DISCFS_SRC");
	snprintf(cmd, sizeof(cmd),
		 "sh '%s/tests/lib/crosscheck.sh' --readers udfinfo,udfclient,udfread "
		 "'%s' '%s' > '%s/cross.out' 2>&1 || { cat '%s/cross.out'; exit 1; }",
		 top ? top : ".", e->img, src, e->dir, e->dir);
	assert_int_equal(system(cmd), 0);
}

/* FIFOs, sockets and devices: entries without content; a device's
 * numbers in its EA space, beside its xattrs. */
static void special_files_are_entries_without_content(void **state)
{
	struct ut_env *e = *state;
	struct udf_update_attr a = { .mask = UDF_ATTR_MODE | UDF_ATTR_XATTRS,
				     .mode = 0600, .xattrs = two, .n_xattrs = 1 };
	discfs_volume *v;
	discfs_stat st;
	discfs_error err = { 0 };

	assert_int_equal(udf_update_mknod(e->u, "/pipe", S_IFIFO | 0644, 0, 0, NULL, &err), 0);
	assert_int_equal(udf_update_mknod(e->u, "/null", S_IFCHR, 1, 3, &a, &err), 0);
	assert_int_equal(udf_update_mknod(e->u, "/disk", S_IFBLK, 8, 17, NULL, &err), 0);
	assert_int_equal(udf_update_mknod(e->u, "/sock", S_IFSOCK, 0, 0, NULL, &err), 0);
	assert_int_equal(udf_update_mknod(e->u, "/file", S_IFREG, 0, 0, NULL, &err),
			 -DISCFS_EINVAL);
	ut_commit(e->u, NULL);
	ut_check_fsck_clean(e->img);
	assert_int_equal(discfs_volume_open(e->img, &v, &err), 0);
	assert_int_equal(discfs_volume_stat(v, "/pipe", &st, &err), 0);
	assert_true(S_ISFIFO(st.mode));
	assert_int_equal(st.size, 0);
	assert_int_equal(discfs_volume_stat(v, "/null", &st, &err), 0);
	assert_true(S_ISCHR(st.mode));
	assert_int_equal(st.mode & 07777, 0600);
	assert_int_equal(st.rdev_major, 1);
	assert_int_equal(st.rdev_minor, 3);
	assert_true(st.flags & DISCFS_STAT_XATTRS);
	assert_int_equal(discfs_volume_stat(v, "/disk", &st, &err), 0);
	assert_true(S_ISBLK(st.mode));
	assert_int_equal(st.rdev_major, 8);
	assert_int_equal(st.rdev_minor, 17);
	assert_int_equal(discfs_volume_stat(v, "/sock", &st, &err), 0);
	assert_true(S_ISSOCK(st.mode));
	discfs_volume_close(v);
	assert_string_equal(xattrs_of(e, "/null"), "user.a=one");
	/* replacing a device's xattrs keeps its numbers */
	set_xattrs(e, "/null", NULL, 0);
	ut_commit(e->u, NULL);
	assert_int_equal(discfs_volume_open(e->img, &v, &err), 0);
	assert_int_equal(discfs_volume_stat(v, "/null", &st, &err), 0);
	assert_int_equal(st.rdev_major, 1);
	assert_int_equal(st.rdev_minor, 3);
	assert_false(st.flags & DISCFS_STAT_XATTRS);
	discfs_volume_close(v);
}

#define BOTH(t) \
	cmocka_unit_test_setup_teardown(t, setup_vat, ut_env_teardown), \
	cmocka_unit_test_setup_teardown(t, setup_plain, ut_env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(new_entries_record_their_xattrs),
		BOTH(committed_entries_get_replaced_and_removed_xattrs),
		BOTH(a_mode_change_or_new_content_keeps_them),
		BOTH(xattrs_that_cannot_fit_are_refused),
		BOTH(independent_readers_read_the_volume),
		BOTH(special_files_are_entries_without_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
