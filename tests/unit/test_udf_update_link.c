/*
 * tests/unit/test_udf_update_link.c - hard links through the incremental
 * UDF writer (udf_update_link): a name added to a committed file or to
 * one created in the same increment, across directories, removed again,
 * mixed with removals of other names; on write-once (VAT) and rewritable
 * (bitmap) volumes.  After each commit our reader must see every name
 * with the same inode number and the link count of its names, the data
 * recorded once, and fsck (which counts the FIDs naming each entry
 * against its FileLinkCount) no error; udfinfo and udfclient read the
 * plain volume against the same tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_udf_update_helpers.h"

#define CAP 6000u

static int setup_vat(void **state)
{
	return ut_env_setup(state, UDF_BDEV_SEQUENTIAL, "dvd+r", CAP);
}

static int setup_plain(void **state)
{
	return ut_env_setup(state, UDF_BDEV_RANDOM, "dvd+rw", CAP);
}


/* Stages a new name for existing, in the disc and in the model. */
static void link_(struct ut_env *e, const char *existing, const char *newpath)
{
	ut_link(e->u, e->m, existing, newpath);
}

/* Commits, reopens from the disc, and checks tree and fsck. */
static void commit_check(struct ut_env *e, struct udf_update_stats *st)
{
	ut_env_commit_check(e, st);
}

struct names {
	uint64_t ino;
	uint32_t nlink;
};

static struct names stat_of(const char *img, const char *path)
{
	struct udf_vol *vol = NULL;
	struct udf_inode *ino = NULL;
	struct udf_stat st;
	discfs_error err = { 0 };
	if (udf_vol_open_path(img, false, &vol, &err))
		fail_msg("reader: %s", err.msg);
	if (udf_lookup(vol, path, &ino, &err))
		fail_msg("%s: %s", path, err.msg);
	udf_inode_stat(ino, &st);
	udf_inode_free(ino);
	udf_vol_close(vol);
	return (struct names){ st.ino, st.nlink };
}

/* Every path names one entry, whose link count is nlink. */
static void assert_linked(const char *img, unsigned nlink, const char *const *paths,
			  size_t n)
{
	struct names first = stat_of(img, paths[0]);
	for (size_t i = 0; i < n; i++) {
		struct names s = stat_of(img, paths[i]);
		if (s.ino != first.ino || s.nlink != nlink)
			fail_msg("%s: ino %llx nlink %u, expected ino %llx nlink %u",
				 paths[i], (unsigned long long)s.ino, s.nlink,
				 (unsigned long long)first.ino, nlink);
	}
}

#define LINKED(img, k, ...) do { \
	const char *const p_[] = { __VA_ARGS__ }; \
	assert_linked(img, k, p_, sizeof(p_) / sizeof(p_[0])); \
} while (0)

static const uint64_t BIG = 300000; /* 147 blocks */
#define BIG_BLOCKS ((BIG + DISCFS_BLOCK_SIZE - 1) / DISCFS_BLOCK_SIZE)

/* ------------------------------------------------------------ tests */

static void test_link_to_committed_file_records_no_data(void **state)
{
	struct ut_env *e = *state;
	struct udf_update_stats st;
	ut_mkdir(e->u, e->m, "/d");
	ut_file(e->u, e->m, "/f", BIG, 1);
	commit_check(e, NULL);
	uint64_t ino = stat_of(e->img, "/f").ino;

	link_(e, "/f", "/d/g"); /* across directories */
	link_(e, "/d/g", "/h"); /* through the added name */
	commit_check(e, &st);
	assert_int_equal(st.data_blocks, 0);
	LINKED(e->img, 3, "/f", "/d/g", "/h");
	assert_int_equal(stat_of(e->img, "/h").ino, ino); /* same entry kept */
}

static void test_link_then_remove_one_name_keeps_data(void **state)
{
	struct ut_env *e = *state;
	struct udf_update_stats st;
	ut_file(e->u, e->m, "/f", BIG, 2);
	commit_check(e, NULL);
	link_(e, "/f", "/g");
	commit_check(e, NULL);
	LINKED(e->img, 2, "/f", "/g");

	ut_remove(e->u, e->m, "/f");
	commit_check(e, &st);
	LINKED(e->img, 1, "/g");
	assert_true(st.blocks_freed < BIG_BLOCKS); /* the data stays */

	ut_remove(e->u, e->m, "/g");
	commit_check(e, &st);
	if (udf_update_layout(e->u) == DISCFS_LAYOUT_PLAIN)
		assert_true(st.blocks_freed >= BIG_BLOCKS); /* the last name took it */
}

static void test_link_to_file_of_the_same_increment(void **state)
{
	struct ut_env *e = *state;
	struct udf_update_stats st;
	ut_mkdir(e->u, e->m, "/a");
	ut_mkdir(e->u, e->m, "/b");
	ut_file(e->u, e->m, "/a/n", BIG, 3);
	link_(e, "/a/n", "/b/n2");
	link_(e, "/a/n", "/n3");
	ut_symlink(e->u, e->m, "/s", "a/n");
	link_(e, "/s", "/b/s2");
	commit_check(e, &st);
	assert_int_equal(st.data_blocks, BIG_BLOCKS); /* recorded once */
	LINKED(e->img, 3, "/a/n", "/b/n2", "/n3");
	LINKED(e->img, 2, "/s", "/b/s2");
	assert_true(stat_of(e->img, "/s").ino != stat_of(e->img, "/a/n").ino);
}

/* The name that owns the new entry goes before the commit: another name
 * takes over, with the content and the count. */
static void test_first_name_removed_before_commit(void **state)
{
	struct ut_env *e = *state;
	ut_mkdir(e->u, e->m, "/d");
	ut_file(e->u, e->m, "/p", 5000, 4);
	link_(e, "/p", "/d/q");
	link_(e, "/p", "/r");
	ut_remove(e->u, e->m, "/p");
	commit_check(e, NULL);
	LINKED(e->img, 2, "/d/q", "/r");

	ut_file(e->u, e->m, "/c", 7000, 5);
	commit_check(e, NULL);
	link_(e, "/c", "/d/c2");
	ut_remove(e->u, e->m, "/c");
	ut_remove(e->u, e->m, "/r");
	commit_check(e, NULL);
	LINKED(e->img, 1, "/d/c2");
	LINKED(e->img, 1, "/d/q");
	assert_true(stat_of(e->img, "/d/c2").ino != stat_of(e->img, "/d/q").ino);
}

/* Names added and committed names removed in one increment are counted
 * together on the one entry. */
static void test_links_added_and_removed_together(void **state)
{
	struct ut_env *e = *state;
	ut_file(e->u, e->m, "/a", 3000, 6);
	link_(e, "/a", "/b");
	link_(e, "/a", "/c");
	commit_check(e, NULL);
	LINKED(e->img, 3, "/a", "/b", "/c");

	link_(e, "/b", "/d");
	ut_remove(e->u, e->m, "/a");
	ut_remove(e->u, e->m, "/c");
	commit_check(e, NULL);
	LINKED(e->img, 2, "/b", "/d");

	/* new content through one name is every name's */
	ut_file(e->u, e->m, "/d", 9000, 7);
	ut_find(e->m, "/b")->size = 9000;
	ut_find(e->m, "/b")->seed = 7;
	ut_remove(e->u, e->m, "/b");
	link_(e, "/d", "/e");
	commit_check(e, NULL);
	LINKED(e->img, 2, "/d", "/e");
}

static void test_link_of_a_link_removed_in_the_same_increment(void **state)
{
	struct ut_env *e = *state;
	ut_file(e->u, e->m, "/a", 100, 8);
	commit_check(e, NULL);
	link_(e, "/a", "/b");
	ut_remove(e->u, e->m, "/b");
	commit_check(e, NULL);
	LINKED(e->img, 1, "/a");
}

static void test_attributes_through_any_name(void **state)
{
	struct ut_env *e = *state;
	discfs_error err = { 0 };
	ut_file(e->u, e->m, "/a", 100, 9);
	link_(e, "/a", "/b");
	struct udf_update_attr a = { .mask = UDF_ATTR_MODE, .mode = 0640 };
	assert_int_equal(udf_update_setattr(e->u, "/b", &a, &err), 0);
	ut_find(e->m, "/a")->mode = ut_find(e->m, "/b")->mode = 0640;
	commit_check(e, NULL);
	LINKED(e->img, 2, "/a", "/b");
	/* mv between names of one file changes nothing (POSIX) */
	assert_int_equal(udf_update_rename(e->u, "/a", "/b", &err), 0);
	commit_check(e, NULL);
	LINKED(e->img, 2, "/a", "/b");
}

static void test_bad_links_are_refused(void **state)
{
	struct ut_env *e = *state;
	discfs_error err = { 0 };
	ut_mkdir(e->u, e->m, "/d");
	ut_file(e->u, e->m, "/f", 10, 10);
	assert_int_equal(udf_update_link(e->u, "/d", "/d2", &err), -DISCFS_EINVAL);
	assert_non_null(strstr(err.msg, "directories"));
	assert_int_equal(udf_update_link(e->u, "/", "/r", &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_link(e->u, "/f", "/d", &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_link(e->u, "/nope", "/x", &err), -DISCFS_ENOENT);
	assert_int_equal(udf_update_link(e->u, "/f", "/nope/x", &err), -DISCFS_ENOENT);
	assert_int_equal(udf_update_link(e->u, "/f", "/f/x", &err), -DISCFS_EINVAL);
	commit_check(e, NULL);
	LINKED(e->img, 1, "/f");
}

/* udfinfo (counts) and udfclient (names, sizes, contents) agree. */
static void test_independent_readers_see_the_links(void **state)
{
	struct ut_env *e = *state;
	char src[300], cmd[2400];
	ut_mkdir(e->u, e->m, "/d");
	ut_file(e->u, e->m, "/f", BIG, 11);
	commit_check(e, NULL);
	link_(e, "/f", "/d/g");
	ut_file(e->u, e->m, "/n", 4000, 12);
	link_(e, "/n", "/d/n2");
	commit_check(e, NULL);
	snprintf(src, sizeof(src), "%s/src", e->dir);
	ut_dump_model(e->m, src);
	const char *top = getenv("DISCFS_SRC");
	snprintf(cmd, sizeof(cmd),
		 "udfinfo '%s' 2>&1 | grep -q '^numfiles=4$' && "
		 "sh '%s/tests/lib/crosscheck.sh' --readers udfinfo,udfclient,udfread "
		 "'%s' '%s' > '%s/cross.out' 2>&1 || { cat '%s/cross.out'; exit 1; }",
		 e->img, top ? top : ".", e->img, src, e->dir, e->dir);
	assert_int_equal(system(cmd), 0);
}

#define BOTH(t) \
	cmocka_unit_test_setup_teardown(t, setup_vat, ut_env_teardown), \
	cmocka_unit_test_setup_teardown(t, setup_plain, ut_env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_link_to_committed_file_records_no_data),
		BOTH(test_link_then_remove_one_name_keeps_data),
		BOTH(test_link_to_file_of_the_same_increment),
		BOTH(test_first_name_removed_before_commit),
		BOTH(test_links_added_and_removed_together),
		BOTH(test_link_of_a_link_removed_in_the_same_increment),
		BOTH(test_attributes_through_any_name),
		BOTH(test_bad_links_are_refused),
		cmocka_unit_test_setup_teardown(test_independent_readers_see_the_links,
						setup_plain, ut_env_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
