/*
 * test_staging_commit.c - the commit interface: the plan lists the merged
 * tree root first and every directory before its contents, marks what
 * changed, reads merged bytes; a commit without a writer, or with a writer
 * that fails, leaves every change staged (also across a reopen); a
 * successful one starts an empty journal on the new disc generation.
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

#include "fused/commit.c"
#include "fused/crc32c.c"
#include "fused/inomap.c"
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
	const char *gen;
};

static int open_store_adopting(struct fx *f, bool adopt, discfs_error *err)
{
	struct stg_params p = { .root_mode = 0755, .generation = f->gen,
				.adopt_finished_commit = adopt };
	return stg_store_open(&f->s, f->dir, &p, err);
}

static int open_store(struct fx *f)
{
	return open_store_adopting(f, false, NULL);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/stgcommitXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->gen = "blank";
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

	assert_int_equal(stg_mknod(s, parent, name, mode, 0, 0, 0, &in), 0);
	return in->ino;
}

/* /a/b/c, /a/f (data), /z, a hard link /a/b/f2 -> /a/f */
static void build(struct stg_store *s)
{
	uint64_t a = mk(s, 1, "a", S_IFDIR | 0755);
	uint64_t b = mk(s, a, "b", S_IFDIR | 0755);
	uint64_t f;

	mk(s, b, "c", S_IFREG | 0644);
	f = mk(s, a, "f", S_IFREG | 0644);
	assert_int_equal(stg_write(s, f, 0, "content", 7), 7);
	mk(s, 1, "z", S_IFREG | 0600);
	assert_int_equal(stg_link(s, f, b, "f2"), 0);
}

static size_t index_of(const struct dfs_commit_plan *p, const char *name)
{
	for (size_t i = 1; i < p->n; i++)
		if (!strcmp(p->entries[i].name->name, name))
			return i;
	fail_msg("%s not in the plan", name);
	return 0;
}

static void plan_lists_parents_before_children(void **state)
{
	struct fx *f = *state;
	struct dfs_commit_plan p;

	build(&f->s);
	assert_int_equal(dfs_commit_plan_build(&f->s, &p, NULL), 0);
	assert_int_equal(p.n, 7); /* root a z b f c f2 */
	assert_int_equal(p.entries[0].inode->ino, STG_ROOT_INO);
	assert_null(p.entries[0].name);
	for (size_t i = 1; i < p.n; i++) {
		const struct stg_inode *parent = p.entries[i].name->parent;
		size_t j = p.entries[i].parent;
		assert_true(j < i);
		assert_ptr_equal(p.entries[j].inode, parent);
		assert_int_equal(p.entries[i].depth, p.entries[j].depth + 1);
	}
	assert_true(index_of(&p, "a") < index_of(&p, "b"));
	assert_true(index_of(&p, "b") < index_of(&p, "c"));
	/* Both names of the hard-linked file, one inode. */
	assert_ptr_equal(p.entries[index_of(&p, "f")].inode,
			 p.entries[index_of(&p, "f2")].inode);
	assert_int_equal(p.staged_bytes, 7);
	dfs_commit_plan_free(&p);
}

static void plan_marks_what_changed(void **state)
{
	struct fx *f = *state;
	struct dfs_commit_plan p;
	char buf[16];

	build(&f->s);
	assert_int_equal(dfs_commit_plan_build(&f->s, &p, NULL), 0);
	for (size_t i = 1; i < p.n; i++)
		assert_int_equal(p.entries[i].change, DFS_CH_NEW);
	assert_int_equal(p.entries[0].change, DFS_CH_META); /* root got names */
	assert_int_equal(p.n_changed, 7);
	assert_int_equal(dfs_commit_read(&p, p.entries[index_of(&p, "f")].inode,
					 0, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "content", 7);
	dfs_commit_plan_free(&p);
}

static void without_a_writer_everything_stays_staged(void **state)
{
	struct fx *f = *state;
	discfs_error err;
	char *before, *after;

	build(&f->s);
	before = stg_dump_string(&f->s);
	assert_int_equal(dfs_commit(&f->s, NULL, f->dir, &err), -DISCFS_ENOTSUP);
	assert_non_null(strstr(err.msg, "stay staged"));
	assert_true(stg_store_dirty(&f->s));
	stg_store_close(&f->s);
	assert_int_equal(open_store(f), 0);
	after = stg_dump_string(&f->s);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

struct fake {
	int fail;
	size_t seen;
	char first_name[32];
};

static int fake_write(void *ctx, const struct dfs_commit_plan *plan,
		      char *gen, size_t n, discfs_error *err)
{
	struct fake *fk = ctx;

	fk->seen = plan->n;
	snprintf(fk->first_name, sizeof(fk->first_name), "%s",
		 plan->n > 1 ? plan->entries[1].name->name : "");
	if (fk->fail)
		return dfs_fail(err, DISCFS_EMEDIUM, "write error at LBA 1234");
	snprintf(gen, n, "session-2");
	return 0;
}

static void a_failing_writer_leaves_everything_staged(void **state)
{
	struct fx *f = *state;
	struct fake fk = { .fail = 1 };
	struct dfs_commit_writer w = { "fake", fake_write, &fk };
	discfs_error err;
	char *before, *after;

	build(&f->s);
	before = stg_dump_string(&f->s);
	assert_int_equal(dfs_commit(&f->s, &w, f->dir, &err), -DISCFS_EMEDIUM);
	assert_int_equal(fk.seen, 7);
	assert_non_null(strstr(err.msg, "stay staged"));
	assert_non_null(strstr(err.msg, "LBA 1234"));
	after = stg_dump_string(&f->s);
	assert_string_equal(before, after);
	stg_store_close(&f->s);
	assert_int_equal(open_store(f), 0);
	free(after);
	after = stg_dump_string(&f->s);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void a_successful_commit_restarts_on_the_new_generation(void **state)
{
	struct fx *f = *state;
	struct fake fk = { 0 };
	struct dfs_commit_writer w = { "fake", fake_write, &fk };

	build(&f->s);
	assert_int_equal(dfs_commit(&f->s, &w, f->dir, NULL), 0);
	assert_string_equal(fk.first_name, "a");
	assert_string_equal(f->s.generation, "session-2");
	stg_store_close(&f->s);
	/* The old generation no longer matches: the journal moved on. */
	assert_int_equal(open_store(f), -DISCFS_ECHANGED);
	f->gen = "session-2";
	assert_int_equal(open_store(f), 0);
	assert_false(stg_store_dirty(&f->s));
}

static void nothing_staged_is_a_no_op(void **state)
{
	struct fx *f = *state;
	struct fake fk = { 0 };
	struct dfs_commit_writer w = { "fake", fake_write, &fk };

	assert_int_equal(dfs_commit(&f->s, &w, f->dir, NULL), 0);
	assert_int_equal(fk.seen, 0);
	assert_string_equal(f->s.generation, "blank");
}

static void a_commit_cut_short_stays_staged(void **state)
{
	struct fx *f = *state;
	discfs_error err;
	char *before, *after;

	build(&f->s);
	before = stg_dump_string(&f->s);
	assert_int_equal(stg_store_commit_begin(&f->s, "fake", NULL), 0);
	stg_store_close(&f->s); /* the crash, while the disc was written */
	f->gen = "half-written";
	assert_int_equal(open_store_adopting(f, false, &err), -DISCFS_ECHANGED);
	assert_non_null(strstr(err.msg, "commit was interrupted"));
	f->gen = "blank"; /* the disc as it was: everything is still staged */
	assert_int_equal(open_store(f), 0);
	assert_true(f->s.commit_pending);
	after = stg_dump_string(&f->s);
	assert_string_equal(before, after);
	/* A change after the interrupted commit: no longer pending. */
	mk(&f->s, 1, "later", S_IFREG | 0644);
	assert_false(f->s.commit_pending);
	free(before);
	free(after);
}

static void a_finished_but_unrecorded_commit_is_adopted(void **state)
{
	struct fx *f = *state;

	build(&f->s);
	assert_int_equal(stg_store_commit_begin(&f->s, "fake", NULL), 0);
	stg_store_close(&f->s); /* killed after the disc was written */
	f->gen = "session-2";
	assert_int_equal(open_store_adopting(f, true, NULL), 0);
	assert_true(f->s.adopted_commit);
	assert_false(stg_store_dirty(&f->s));
	stg_store_close(&f->s);
	assert_int_equal(open_store(f), 0);
	assert_false(stg_store_dirty(&f->s));
}

static void changes_after_a_commit_start_are_never_adopted_away(void **state)
{
	struct fx *f = *state;
	discfs_error err;

	build(&f->s);
	assert_int_equal(stg_store_commit_begin(&f->s, "fake", NULL), 0);
	mk(&f->s, 1, "after", S_IFREG | 0644);
	stg_store_close(&f->s);
	f->gen = "session-2";
	assert_int_equal(open_store_adopting(f, true, &err), -DISCFS_ECHANGED);
	f->gen = "blank";
	assert_int_equal(open_store(f), 0);
	assert_non_null(stg_tree_lookup(&f->s.tree, stg_tree_inode(&f->s.tree, 1),
					"after", 5));
}

static void the_inode_map_keeps_numbers_for_the_new_generation(void **state)
{
	struct fx *f = *state;
	struct dfs_commit_plan p;
	struct dfs_inomap *m = NULL;
	uint64_t a, c;

	build(&f->s);
	assert_int_equal(dfs_commit_plan_build(&f->s, &p, NULL), 0);
	a = p.entries[index_of(&p, "a")].inode->ino;
	c = p.entries[index_of(&p, "c")].inode->ino;
	assert_int_equal(dfs_inomap_save(f->s.dirfd, &p, "gen-2", NULL), 0);
	dfs_commit_plan_free(&p);
	assert_int_equal(dfs_inomap_load(f->s.dirfd, "gen-1", &m), 0);
	assert_null(m); /* another generation: not used */
	assert_int_equal(dfs_inomap_load(f->s.dirfd, "gen-2", &m), 0);
	assert_non_null(m);
	assert_int_equal(dfs_inomap_get(m, "/a"), a);
	assert_int_equal(dfs_inomap_get(m, "/a/b/c"), c);
	assert_int_equal(dfs_inomap_get(m, "/a/f"), dfs_inomap_get(m, "/a/b/f2"));
	assert_int_equal(dfs_inomap_get(m, "/nope"), 0);
	dfs_inomap_free(m);
}

static void a_damaged_inode_map_is_ignored(void **state)
{
	struct fx *f = *state;
	struct dfs_commit_plan p;
	struct dfs_inomap *m = (void *)1;
	char path[128];
	FILE *fp;

	build(&f->s);
	assert_int_equal(dfs_commit_plan_build(&f->s, &p, NULL), 0);
	assert_int_equal(dfs_inomap_save(f->s.dirfd, &p, "gen-2", NULL), 0);
	dfs_commit_plan_free(&p);
	snprintf(path, sizeof(path), "%s/inomap", f->dir);
	assert_int_equal(truncate(path, 20), 0); /* cut inside a record */
	assert_int_equal(dfs_inomap_load(f->s.dirfd, "gen-2", &m), 0);
	assert_null(m);
	fp = fopen(path, "w");
	fputs("DFSM1\ngen-2\n\x01\x00\x00\x00\x00\x00\x00\x00/x", fp);
	fclose(fp); /* ino 1 and no NUL */
	assert_int_equal(dfs_inomap_load(f->s.dirfd, "gen-2", &m), 0);
	assert_null(m);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(plan_lists_parents_before_children),
		T(plan_marks_what_changed),
		T(without_a_writer_everything_stays_staged),
		T(a_failing_writer_leaves_everything_staged),
		T(a_successful_commit_restarts_on_the_new_generation),
		T(nothing_staged_is_a_no_op),
		T(a_commit_cut_short_stays_staged),
		T(a_finished_but_unrecorded_commit_is_adopted),
		T(changes_after_a_commit_start_are_never_adopted_away),
		T(the_inode_map_keeps_numbers_for_the_new_generation),
		T(a_damaged_inode_map_is_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
