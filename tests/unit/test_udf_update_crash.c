/*
 * tests/unit/test_udf_update_crash.c - power loss at every block boundary
 * of a commit, on write-once (VAT) and rewritable (bitmap) layouts.
 *
 * A wrapper block device lets the first k blocks of the commit reach the
 * image and then loses power (a write crossing the budget records only
 * its prefix; everything after fails).  For every k below the commit's
 * size: the reader must see what was committed before (write-once:
 * exactly the previous tree; rewritable: every entry in its previous or
 * its new state, none lost), the next open must recover (append the VAT
 * again / repair and close the LVID), fsck must then find no error, and
 * the same changes must commit cleanly afterwards.  Hard links: no link
 * count is ever below the names of its file.  A file whose descriptors
 * continue in an AED is removed and another one written (one-block
 * extents through the engine's internal knob).  Names moved both ways
 * between two directories keep every file named at every cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_udf_update_helpers.h"
#include "udf/update_int.h"
#include "util/err.h"

#define CAP 3000u

/* ---------------------------------------------- power-loss block device */

struct pl {
	struct udf_bdev inner;
	int64_t budget; /* blocks that may still be written; < 0 = unlimited */
	bool dead;
};

static int pl_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		   discfs_error *err)
{
	struct pl *p = ctx;
	if (p->dead)
		return dfs_fail(err, DISCFS_ENODEV, "power lost");
	return p->inner.read(p->inner.ctx, lba, count, buf, err);
}

static int pl_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		    discfs_error *err)
{
	struct pl *p = ctx;
	if (p->dead)
		return dfs_fail(err, DISCFS_ENODEV, "power lost");
	if (p->budget >= 0 && count > p->budget) {
		if (p->budget)
			p->inner.write(p->inner.ctx, lba, (uint32_t)p->budget, buf, NULL);
		p->dead = true;
		return dfs_fail(err, DISCFS_ENODEV, "power lost");
	}
	if (p->budget >= 0)
		p->budget -= count;
	return p->inner.write(p->inner.ctx, lba, count, buf, err);
}

static int pl_sync(void *ctx, discfs_error *err)
{
	struct pl *p = ctx;
	if (p->dead)
		return dfs_fail(err, DISCFS_ENODEV, "power lost");
	return p->inner.sync(p->inner.ctx, err);
}

static int pl_refresh(struct udf_bdev *bd, discfs_error *err)
{
	struct pl *p = bd->ctx;
	int rc = p->inner.refresh(&p->inner, err);
	bd->nwa = p->inner.nwa;
	bd->last_recorded = p->inner.last_recorded;
	bd->capacity = p->inner.capacity;
	return rc;
}

static void pl_open(struct pl *p, const char *img, enum udf_bdev_kind kind,
		    int64_t budget, struct udf_bdev *bd)
{
	discfs_error err = { 0 };
	memset(p, 0, sizeof(*p));
	assert_int_equal(udf_bdev_open_file(img, kind, CAP, &p->inner, &err), 0);
	p->budget = budget;
	*bd = p->inner;
	bd->ctx = p;
	bd->read = pl_read;
	bd->write = pl_write;
	bd->sync = pl_sync;
	bd->refresh = pl_refresh;
	bd->close = NULL;
}

/* ------------------------------------------------------------ scenario */

struct env {
	char dir[128], img[256], base[256];
	struct ut_model old, new_;
	bool meta;  /* the base is a mastered volume with a metadata partition */
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	ut_tmpdir(e->dir, sizeof(e->dir));
	snprintf(e->img, sizeof(e->img), "%s/disc.img", e->dir);
	snprintf(e->base, sizeof(e->base), "%s/base.img", e->dir);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	ut_rmdir(e->dir);
	free(e);
	return 0;
}

static void copy_file(const char *from, const char *to)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/* An empty BD-RE volume with a metadata partition, mastered to CAP blocks
 * (its metadata file of 32 blocks, as mkimage leaves it). */
static void master_meta(struct env *e)
{
	char src[200];
	discfs_error err = { 0 };
	discfs_image_options o;
	discfs_image *img;
	snprintf(src, sizeof(src), "%s/src", e->dir);
	assert_int_equal(mkdir(src, 0755), 0);
	discfs_image_options_init(&o);
	o.media = "bd-re";
	o.volume_blocks = CAP;
	assert_int_equal(discfs_image_open(src, &o, &img, &err), 0);
	assert_int_equal(discfs_image_write(img, e->base, &err), 0);
	discfs_image_free(img);
}

/* Blocks of the metadata partition of img (0: none). */
static uint32_t meta_len(const char *img)
{
	struct udf_vol *vol = NULL;
	discfs_error err = { 0 };
	uint64_t bytes = 0;
	assert_int_equal(udf_vol_open_path(img, false, &vol, &err), 0);
	for (unsigned i = 0; i < vol->n_maps; i++)
		for (uint32_t k = 0; vol->maps[i].kind == MAPK_METADATA && k < vol->maps[i].meta_n; k++)
			bytes += vol->maps[i].meta_ext[k].len;
	udf_vol_close(vol);
	return (uint32_t)(bytes / DISCFS_BLOCK_SIZE);
}

/* The committed state every crash must preserve. */
static void make_base(struct env *e, enum udf_bdev_kind kind)
{
	struct udf_bdev bd;
	struct udf_update *u;
	ut_blank(e->base, CAP);
	if (e->meta)
		master_meta(e);
	ut_open(e->base, kind, CAP, NULL, !e->meta, &bd, &u);
	/* a metadata file almost full: the cut commit grows it */
	for (unsigned i = 0; e->meta && i < 17; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/fill%u", i);
		ut_file(u, &e->old, p, 0, 40 + i);
	}
	ut_mkdir(u, &e->old, "/docs");
	ut_file(u, &e->old, "/docs/a", 9000, 1);
	ut_file(u, &e->old, "/docs/b", 100, 2);
	ut_file(u, &e->old, "/top", 40000, 3);
	ut_symlink(u, &e->old, "/link", "docs/a");
	ut_link(u, &e->old, "/top", "/docs/top2");
	/* one-block extents: 115 of them continue in an AED */
	u->max_ext_blocks = 1;
	ut_file(u, &e->old, "/many", 115 * 2048, 4);
	ut_commit(u, NULL);
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_check_tree(e->base, &e->old);
	e->new_ = e->old;
}

/* The interrupted commit: every kind of change. */
static void stage(struct udf_update *u, struct ut_model *m)
{
	ut_file(u, m, "/docs/a", 12000, 11);   /* new content */
	ut_remove(u, m, "/docs/b");            /* delete */
	ut_mkdir(u, m, "/new");                /* new directory ... */
	ut_file(u, m, "/new/c", 5000, 12);     /* ... with a file */
	ut_file(u, m, "/d", 3, 13);            /* new file in the root */
	struct udf_update_attr a = { .mask = UDF_ATTR_MODE, .mode = 0640 };
	discfs_error err = { 0 };
	assert_int_equal(udf_update_setattr(u, "/top", &a, &err), 0);
	ut_find(m, "/top")->mode = 0640;
	ut_remove(u, m, "/docs/top2");         /* one name of a linked file */
	ut_link(u, m, "/docs/a", "/new/a2");   /* a link to a changed file */
	u->max_ext_blocks = 1;
	ut_remove(u, m, "/many");              /* its AED chain freed */
	ut_file(u, m, "/new/many", 115 * 2048 - 9, 14); /* a new chain */
}

/* Blocks the whole commit writes (measured on a copy). */
static uint64_t commit_size(struct env *e, enum udf_bdev_kind kind)
{
	struct udf_bdev bd;
	struct udf_update *u;
	struct udf_update_stats st;
	struct ut_model *scratch = calloc(1, sizeof(*scratch));
	*scratch = e->old;
	copy_file(e->base, e->img);
	uint32_t before = e->meta ? meta_len(e->img) : 0;
	ut_open(e->img, kind, CAP, NULL, false, &bd, &u);
	stage(u, scratch);
	ut_commit(u, &st);
	if (e->meta) /* the commit grows the metadata file */
		assert_true(meta_len(e->img) > before);
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_check_tree(e->img, scratch);
	ut_check_fsck(e->img);
	/* the new file's descriptors do continue in an AED */
	struct udf_vol *vol = NULL;
	struct udf_inode *ino = NULL;
	discfs_error err = { 0 };
	if (udf_vol_open_path(e->img, false, &vol, &err) ||
	    udf_lookup(vol, "/new/many", &ino, &err))
		fail_msg("/new/many: %s", err.msg);
	assert_int_equal(ino->n_aed, 1);
	udf_inode_free(ino);
	udf_vol_close(vol);
	e->new_ = *scratch;
	free(scratch);
	return st.blocks_written;
}

static void crash_at_every_boundary(struct env *e, enum udf_bdev_kind kind)
{
	make_base(e, kind);
	uint64_t total = commit_size(e, kind);
	assert_true(total > 3);
	for (uint64_t k = 0; k < total; k++) {
		struct pl p;
		struct udf_bdev bd, fbd;
		struct udf_update *u;
		struct ut_model *m = calloc(1, sizeof(*m));
		discfs_error err = { 0 };
		*m = e->old;
		copy_file(e->base, e->img);
		pl_open(&p, e->img, kind, (int64_t)k, &bd);
		assert_int_equal(udf_update_open(&bd, NULL, &u, &err), 0);
		stage(u, m);
		int rc = udf_update_commit(u, NULL, &err);
		if (rc == 0)
			fail_msg("commit survived a power loss after %llu blocks",
				 (unsigned long long)k);
		udf_update_close(u);
		udf_bdev_close(&p.inner);

		/* what was committed before is there */
		ut_check_links_not_low(e->img);
		if (kind == UDF_BDEV_SEQUENTIAL)
			ut_check_tree(e->img, &e->old);
		else
			ut_check_tree_either(e->img, &e->old, &e->new_);

		/* the next open recovers; fsck is clean; the commit goes through */
		ut_open(e->img, kind, CAP, NULL, false, &fbd, &u);
		udf_update_close(u);
		/* rewritable: blocks of the cut commit may stay marked used
		 * (a warning); never an error */
		if (kind == UDF_BDEV_SEQUENTIAL)
			ut_check_fsck_clean(e->img);
		else
			ut_check_fsck(e->img);
		if (kind == UDF_BDEV_SEQUENTIAL)
			ut_check_tree(e->img, &e->old);
		else
			ut_check_tree_either(e->img, &e->old, &e->new_);
		if (kind == UDF_BDEV_SEQUENTIAL) {
			if (udf_update_open(&fbd, NULL, &u, &err))
				fail_msg("reopen after crash at %llu: %s", (unsigned long long)k, err.msg);
			*m = e->old;
			stage(u, m);
			ut_commit(u, NULL);
			udf_update_close(u);
			ut_check_tree(e->img, &e->new_);
			ut_check_fsck_clean(e->img);
		}
		if (kind == UDF_BDEV_RANDOM) {
			/* the recovered volume takes the next commit */
			struct ut_model *o2 = calloc(1, sizeof(*o2));
			struct ut_model *n2 = calloc(1, sizeof(*n2));
			*o2 = e->old;
			*n2 = e->new_;
			assert_int_equal(udf_update_open(&fbd, NULL, &u, &err), 0);
			ut_file(u, o2, "/after", 7777, 30);
			ut_slot(n2, "/after")->type = 'f';
			ut_find(n2, "/after")->size = 7777;
			ut_find(n2, "/after")->seed = 30;
			ut_commit(u, NULL);
			udf_update_close(u);
			ut_check_tree_either(e->img, o2, n2);
			ut_check_fsck(e->img);
			free(o2);
			free(n2);
		}
		udf_bdev_close(&fbd);
		free(m);
	}
	print_message("power lost at each of %llu block boundaries: previous "
		      "state kept every time\n", (unsigned long long)total);
}

/* ------------------------------------------- names moved both ways */

/* One of the names path_a, path_b shows the file m expects at want. */
static void check_named(const char *img, struct ut_model *m, const char *want,
			const char *path_a, const char *path_b, uint64_t k)
{
	struct udf_vol *vol = NULL;
	discfs_error err = { 0 };
	char why[1024] = "";
	int found = 0;
	if (udf_vol_open_path(img, false, &vol, &err))
		fail_msg("reader: %s", err.msg);
	const char *paths[2] = { path_a, path_b };
	for (int i = 0; i < 2; i++) {
		struct udf_inode *ino = NULL;
		if (udf_lookup(vol, paths[i], &ino, &err))
			continue;
		if (ut_match(vol, paths[i], ino, ut_find(m, want), why, sizeof(why)))
			fail_msg("cut after %llu blocks: %s", (unsigned long long)k, why);
		found++;
		udf_inode_free(ino);
	}
	udf_vol_close(vol);
	if (!found)
		fail_msg("cut after %llu blocks: the file at %s has no name (%s, %s)",
			 (unsigned long long)k, want, path_a, path_b);
}

static int parent_fid(void *arg, const struct udf_fid *f, discfs_error *err)
{
	(void)err;
	if (f->characteristics & FID_PARENT)
		*(struct udf_icb *)arg = f->icb;
	return 0;
}

/* The moved directory shows at dir_a or dir_b (or both, for a moment),
 * and its ".." entry names a directory that shows it.  Returns at how
 * many of the two it shows. */
static int check_dotdot(const char *img, const char *dir_a, const char *dir_b,
			uint64_t k)
{
	struct udf_vol *vol = NULL;
	discfs_error err = { 0 };
	int shown = 0, agree = 0;
	struct udf_icb dotdot = { UINT32_MAX, 0 };
	if (udf_vol_open_path(img, false, &vol, &err))
		fail_msg("reader: %s", err.msg);
	const char *paths[2] = { dir_a, dir_b };
	for (int i = 0; i < 2; i++) {
		struct udf_inode *d = NULL, *up = NULL;
		char parent[256];
		uint8_t *data = NULL;
		size_t len = 0;
		if (udf_lookup(vol, paths[i], &d, &err))
			continue;
		shown++;
		snprintf(parent, sizeof(parent), "%s", paths[i]);
		*strrchr(parent, '/') = '\0';
		assert_int_equal(udf_lookup(vol, *parent ? parent : "/", &up, &err), 0);
		assert_int_equal(udf_read_stream(vol, d, 1 << 20, &data, &len, &err), 0);
		assert_int_equal(udf_fids_parse(data, len, parent_fid, &dotdot, &err), 0);
		agree += dotdot.lbn == up->icb.lbn && dotdot.part == up->icb.part;
		free(data);
		udf_inode_free(d);
		udf_inode_free(up);
	}
	udf_vol_close(vol);
	if (!shown)
		fail_msg("cut after %llu blocks: %s has no name", (unsigned long long)k, dir_a);
	if (!agree)
		fail_msg("cut after %llu blocks: its .. (%u:%u) names no directory "
			 "that shows %s", (unsigned long long)k, dotdot.part,
			 dotdot.lbn, dir_a);
	return shown;
}

static void stage_moves(struct udf_update *u, struct ut_model *m)
{
	ut_rename(u, m, "/p/x", "/x");      /* up, out of /p */
	ut_rename(u, m, "/y", "/p/y2");     /* down into /p, renamed */
	ut_rename(u, m, "/p/q/z", "/z");    /* /p/q loses a name too */
	ut_file(u, m, "/p/new", 700, 24);   /* and /p gains a new file */
	ut_rename(u, m, "/p/r", "/r2");     /* a directory moved up */
}

/*
 * Names moved both ways between two directories (/p/x up to the root,
 * /y down into /p): whichever directory is rewritten first drops a name
 * the other does not show yet.  At every cut of the in-place commit each
 * moved file still has a name, its old or its new one, with its content;
 * a moved directory's ".." names the directory that shows it; the next
 * open recovers (dropping the moved directory's stale second name,
 * raising the count of a file named twice) and fsck finds no error.
 */
static void test_plain_moves_both_ways_keep_every_file_named(void **state)
{
	struct env *e = *state;
	struct udf_bdev bd;
	struct udf_update *u;
	struct udf_update_stats st;
	ut_blank(e->base, CAP);
	ut_open(e->base, UDF_BDEV_RANDOM, CAP, NULL, true, &bd, &u);
	ut_mkdir(u, &e->old, "/p");
	ut_mkdir(u, &e->old, "/p/q");
	ut_file(u, &e->old, "/p/x", 5000, 21);
	ut_file(u, &e->old, "/p/q/z", 300, 23);
	ut_file(u, &e->old, "/y", 3000, 22);
	ut_mkdir(u, &e->old, "/p/r");
	ut_file(u, &e->old, "/p/r/f", 200, 25);
	ut_commit(u, NULL);
	udf_update_close(u);
	udf_bdev_close(&bd);
	/* measured on a copy: the whole commit */
	e->new_ = e->old;
	copy_file(e->base, e->img);
	ut_open(e->img, UDF_BDEV_RANDOM, CAP, NULL, false, &bd, &u);
	stage_moves(u, &e->new_);
	ut_commit(u, &st);
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_check_tree(e->img, &e->new_);
	ut_check_fsck_clean(e->img);
	unsigned twice = 0;
	for (uint64_t k = 0; k < st.blocks_written; k++) {
		struct pl p;
		struct ut_model *m = calloc(1, sizeof(*m));
		discfs_error err = { 0 };
		*m = e->old;
		copy_file(e->base, e->img);
		pl_open(&p, e->img, UDF_BDEV_RANDOM, (int64_t)k, &bd);
		assert_int_equal(udf_update_open(&bd, NULL, &u, &err), 0);
		stage_moves(u, m);
		assert_int_not_equal(udf_update_commit(u, NULL, &err), 0);
		udf_update_close(u);
		udf_bdev_close(&p.inner);
		check_named(e->img, &e->old, "/p/x", "/p/x", "/x", k);
		check_named(e->img, &e->old, "/y", "/y", "/p/y2", k);
		check_named(e->img, &e->old, "/p/q/z", "/p/q/z", "/z", k);
		check_named(e->img, &e->old, "/p/r/f", "/p/r/f", "/r2/f", k);
		/* a cut between the rewrites of the two directories that show
		 * the moved directory leaves it named twice: no order avoids
		 * both that and leaving it nameless */
		twice += check_dotdot(e->img, "/p/r", "/r2", k) == 2;
		/* a file may show both names with its count still 1 (moves do
		 * not raise counts): the next open's repair raises it, and
		 * drops the directory's name that ".." disagrees with */
		ut_open(e->img, UDF_BDEV_RANDOM, CAP, NULL, false, &bd, &u);
		udf_update_close(u);
		udf_bdev_close(&bd);
		ut_check_fsck(e->img);
		ut_check_links_not_low(e->img);
		check_named(e->img, &e->old, "/p/r/f", "/p/r/f", "/r2/f", k);
		assert_int_equal(check_dotdot(e->img, "/p/r", "/r2", k), 1);
		free(m);
	}
	/* the order of the rewrites does leave that state: the repair ran */
	assert_true(twice > 0);
	print_message("names moved both ways, cut at each of %llu block "
		      "boundaries: every file kept a name (%u cuts showed the "
		      "moved directory twice until the next open)\n",
		      (unsigned long long)st.blocks_written, twice);
}

static void test_vat_commit_survives_power_loss_anywhere(void **state)
{
	crash_at_every_boundary(*state, UDF_BDEV_SEQUENTIAL);
}

static void test_plain_commit_survives_power_loss_anywhere(void **state)
{
	crash_at_every_boundary(*state, UDF_BDEV_RANDOM);
}

/* The same on a mastered BD-RE volume with a metadata partition: entries
 * in the metadata file and its mirror, which the cut commit also grows. */
static void test_metadata_commit_survives_power_loss_anywhere(void **state)
{
	struct env *e = *state;
	e->meta = true;
	crash_at_every_boundary(e, UDF_BDEV_RANDOM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vat_commit_survives_power_loss_anywhere,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_commit_survives_power_loss_anywhere,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_moves_both_ways_keep_every_file_named,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_commit_survives_power_loss_anywhere,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
