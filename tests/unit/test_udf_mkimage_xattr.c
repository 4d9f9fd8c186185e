/*
 * tests/unit/test_udf_mkimage_xattr.c - discctl mkimage records the
 * source's extended attributes (all but system.*) in the file entries'
 * EA space, and the reader gives them back: on files, directories and
 * the root; --no-xattrs leaves them out; attributes that do not fit are
 * refused with the file's path; they are recorded in name order, and
 * the same tree makes the same image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include "discfs.h"
#include "support/scratch.h"

static char dir[64];

static void put(const char *rel, const char *data)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static int set(const char *rel, const char *name, const void *v, size_t len)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lsetxattr(p, name, v, len, 0);
}

static int setup(void **state)
{
	char p[256];

	(void)state;
	if (scratch_make(dir, sizeof(dir), "test_mkimage_xattr") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/src", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/src/sub", dir);
	mkdir(p, 0755);
	put("src/a", "alpha\n");
	put("src/sub/b", "beta\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

/* Skips (reported by cmocka) when the scratch file system has no user
 * xattrs: then there is nothing to record. */
static void need_user_xattrs(void)
{
	if (set("src/a", "user.probe", "1", 1) < 0) {
		print_message("no user xattrs on %s\n", dir);
		skip();
	}
	char p[256];
	snprintf(p, sizeof(p), "%s/src/a", dir);
	lremovexattr(p, "user.probe");
}

static int make(const char *img, bool no_xattrs, discfs_error *e)
{
	discfs_image_options o = { .fixed_time_set = true,
				   .fixed_time = 1700000000,
				   .no_xattrs = no_xattrs };
	char src[256], out[256];
	discfs_image *im;
	int rc;

	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(out, sizeof(out), "%s/%s", dir, img);
	rc = discfs_image_open(src, &o, &im, e);
	if (rc)
		return rc;
	rc = discfs_image_write(im, out, e);
	discfs_image_free(im);
	return rc;
}

struct got {
	int n;
	char text[512];
};

static int collect(void *user, const char *name, const void *value, size_t len)
{
	struct got *g = user;
	size_t at = strlen(g->text);

	snprintf(g->text + at, sizeof(g->text) - at, "%s%s=%.*s", at ? ";" : "",
		 name, (int)len, (const char *)value);
	g->n++;
	return 0;
}

static struct got xattrs_of(const char *img, const char *path)
{
	char p[256];
	discfs_volume *v;
	discfs_error e = { 0 };
	struct got g = { 0 };

	snprintf(p, sizeof(p), "%s/%s", dir, img);
	assert_int_equal(discfs_volume_open(p, &v, &e), 0);
	assert_int_equal(discfs_volume_xattrs(v, path, collect, &g, &e), 0);
	discfs_volume_close(v);
	return g;
}

static void files_dirs_and_the_root_keep_their_xattrs(void **state)
{
	discfs_error e = { 0 };

	(void)state;
	need_user_xattrs();
	assert_int_equal(set("src/a", "user.color", "blue", 4), 0);
	assert_int_equal(set("src/a", "user.empty", "", 0), 0);
	assert_int_equal(set("src/sub", "user.kind", "dir", 3), 0);
	assert_int_equal(set("src", "user.top", "root", 4), 0);
	assert_int_equal(make("x.img", false, &e), 0);
	assert_string_equal(xattrs_of("x.img", "/a").text, "user.color=blue;user.empty=");
	assert_string_equal(xattrs_of("x.img", "/sub").text, "user.kind=dir");
	assert_string_equal(xattrs_of("x.img", "/").text, "user.top=root");
	assert_int_equal(xattrs_of("x.img", "/sub/b").n, 0);
}

static void no_xattrs_leaves_them_out(void **state)
{
	discfs_error e = { 0 };

	(void)state;
	need_user_xattrs();
	assert_int_equal(set("src/a", "user.color", "blue", 4), 0);
	assert_int_equal(make("n.img", true, &e), 0);
	assert_int_equal(xattrs_of("n.img", "/a").n, 0);
	assert_int_equal(xattrs_of("n.img", "/").n, 0);
}

static void xattrs_too_big_for_a_file_entry_are_refused_by_path(void **state)
{
	static char big[1500];
	discfs_error e = { 0 };
	char p[256];

	(void)state;
	need_user_xattrs();
	memset(big, 'x', sizeof(big));
	assert_int_equal(set("src/sub/b", "user.big", big, sizeof(big)), 0);
	assert_int_equal(make("big.img", false, &e), -DISCFS_EINVAL);
	assert_non_null(strstr(e.msg, "sub/b"));
	assert_non_null(strstr(e.msg, "--no-xattrs"));
	snprintf(p, sizeof(p), "%s/src/sub/b", dir);
	lremovexattr(p, "user.big");
}

/* Sorted by name whatever order listxattr gives; and the same tree makes
 * the same image.  (Two trees cannot be compared byte for byte: setting
 * an attribute changes the file's ctime, which is recorded.) */
static void xattrs_are_recorded_in_name_order_and_deterministically(void **state)
{
	discfs_error e = { 0 };
	char p[256], q[256], cmd[600];

	(void)state;
	need_user_xattrs();
	snprintf(p, sizeof(p), "%s/src/a", dir);
	lremovexattr(p, "user.color");
	lremovexattr(p, "user.empty");
	assert_int_equal(set("src/a", "user.z", "1", 1), 0);
	assert_int_equal(set("src/a", "user.a", "2", 1), 0);
	assert_int_equal(set("src/a", "user.m", "3", 1), 0);
	assert_int_equal(make("o1.img", false, &e), 0);
	assert_int_equal(make("o2.img", false, &e), 0);
	assert_string_equal(xattrs_of("o1.img", "/a").text,
			    "user.a=2;user.m=3;user.z=1");
	snprintf(p, sizeof(p), "%s/o1.img", dir);
	snprintf(q, sizeof(q), "%s/o2.img", dir);
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", p, q);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(files_dirs_and_the_root_keep_their_xattrs),
		cmocka_unit_test(no_xattrs_leaves_them_out),
		cmocka_unit_test(xattrs_too_big_for_a_file_entry_are_refused_by_path),
		cmocka_unit_test(xattrs_are_recorded_in_name_order_and_deterministically),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
