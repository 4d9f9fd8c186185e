/*
 * tests/unit/test_udf_update_meta.c - volumes with a metadata partition
 * (UDF 2.50/2.60: mkimage's BD-RE layout, as Windows formats BD-RE) are
 * continued in place: entries, AEDs and directory streams in the metadata
 * file and its mirror, new metadata blocks from the metadata bitmap file,
 * the metadata file growing when it is full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_udf_update_helpers.h"
#include "udf/tag.h"

#define CAP 40000u

struct env {
	char dir[256];
	char img[300];
	char src[300];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	ut_tmpdir(e->dir, sizeof(e->dir));
	snprintf(e->img, sizeof(e->img), "%s/disc.img", e->dir);
	snprintf(e->src, sizeof(e->src), "%s/src", e->dir);
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

/* A source file with the model's content for seed, and its entry. */
static void src_file(struct env *e, struct ut_model *m, const char *path,
		     uint64_t size, uint32_t seed)
{
	char full[600];
	snprintf(full, sizeof(full), "%s%s", e->src, path);
	FILE *f = fopen(full, "w");
	assert_non_null(f);
	for (uint64_t i = 0; i < size; i++)
		fputc(ut_byte(seed, i), f);
	fclose(f);
	struct ut_ent *x = ut_slot(m, path);
	x->type = 'f';
	x->size = size;
	x->seed = seed;
	m->src[x - m->e].seed = seed;
}

static void src_dir(struct env *e, struct ut_model *m, const char *path)
{
	char full[600];
	snprintf(full, sizeof(full), "%s%s", e->src, path);
	assert_int_equal(mkdir(full, 0755), 0);
	ut_slot(m, path)->type = 'd';
}

/* Masters the model's tree onto img (volume of CAP blocks) and opens it. */
static void master(struct env *e, struct ut_model *m, const char *media,
		   unsigned rev, struct udf_bdev *bd, struct udf_update **u)
{
	discfs_error err = { 0 };
	discfs_image_options o;
	discfs_image *img;
	assert_int_equal(mkdir(e->src, 0755), 0);
	src_dir(e, m, "/docs");
	src_file(e, m, "/docs/small", 100, 1);     /* inside its entry */
	src_file(e, m, "/docs/big", 300000, 2);
	src_file(e, m, "/top", 5000, 3);
	discfs_image_options_init(&o);
	o.media = media;
	o.udf_revision = rev;
	o.volume_blocks = CAP;
	o.fixed_time_set = true;
	o.fixed_time = 1700000000;
	assert_int_equal(discfs_image_open(e->src, &o, &img, &err), 0);
	assert_int_equal(discfs_image_write(img, e->img, &err), 0);
	discfs_image_free(img);
	ut_check_tree(e->img, m);
	ut_check_fsck_clean(e->img);
	struct udf_update_opts uo = { .now = 1700000000 };
	if (udf_bdev_open_file(e->img, UDF_BDEV_RANDOM, CAP, bd, &err))
		fail_msg("bdev: %s", err.msg);
	if (udf_update_open(bd, &uo, u, &err))
		fail_msg("open: %s", err.msg);
}

/* Metadata partition facts of img: its length, the number of extents of
 * the main file, and whether every block of the mirror equals the main's. */
static void meta_facts(const char *img, uint32_t *len, uint32_t *n_ext,
		       bool *mirror_same)
{
	struct udf_bsrc src;
	struct udf_vol *v;
	discfs_error err = { 0 };
	assert_int_equal(udf_bsrc_open_file(img, DISCFS_BLOCK_SIZE, false, &src, &err), 0);
	struct udf_open_opts oo = { .last_block = UINT64_MAX };
	if (udf_vol_open(&src, &oo, &v, &err))
		fail_msg("open: %s", err.msg);
	int mi = -1;
	for (unsigned i = 0; i < v->n_maps; i++)
		if (v->maps[i].kind == MAPK_METADATA)
			mi = (int)i;
	assert_true(mi >= 0);
	struct udf_map *mp = &v->maps[mi];
	struct udf_inode *mirror = NULL;
	struct udf_icb icb = { mp->meta_loc[1], (uint16_t)mp->phys };
	assert_int_equal(udf_inode_get(v, icb, &mirror, &err), 0);
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < mp->meta_n; i++)
		bytes += mp->meta_ext[i].len;
	*len = (uint32_t)(bytes / DISCFS_BLOCK_SIZE);
	*n_ext = mp->meta_n;
	*mirror_same = true;
	uint8_t a[DISCFS_BLOCK_SIZE], b[DISCFS_BLOCK_SIZE];
	uint64_t off = 0;
	for (uint32_t i = 0; i < mirror->n_ext; i++) {
		const struct udf_ext *x = &mirror->ext[i];
		for (uint32_t k = 0; k < x->len / DISCFS_BLOCK_SIZE; k++, off++) {
			assert_int_equal(udf_read_lblocks(v, (uint16_t)mi, (uint32_t)off, 1, a, &err), 0);
			assert_int_equal(udf_read_lblocks(v, (uint16_t)mp->phys, x->lbn + k, 1, b, &err), 0);
			*mirror_same = *mirror_same && !memcmp(a, b, sizeof(a));
		}
	}
	assert_int_equal(off, *len);
	udf_inode_free(mirror);
	udf_vol_close(v);
	udf_bsrc_close(&src);
}

static void commit_check(const char *img, struct udf_update *u, struct ut_model *m)
{
	uint32_t len, n_ext;
	bool same;
	ut_commit(u, NULL);
	ut_check_tree(img, m);
	ut_check_fsck_clean(img);
	meta_facts(img, &len, &n_ext, &same);
	assert_true(same);
}

/* Every operation on a mastered metadata volume, commit by commit, with
 * many new files: past the room mastering left in the metadata file (a
 * 256th of the volume: 160 blocks here) it grows a second extent, and the
 * mirror follows. */
static void continue_mastered(struct env *e, const char *media, unsigned rev,
			      unsigned many, const char *keep_as)
{
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	uint32_t len0, len, n_ext;
	bool same;
	char p[64];
	master(e, m, media, rev, &bd, &u);
	meta_facts(e->img, &len0, &n_ext, &same);
	assert_true(same);

	ut_mkdir(u, m, "/new");
	ut_file(u, m, "/new/f", 70000, 10);
	ut_file(u, m, "/docs/small", 200, 11);      /* changed in place */
	commit_check(e->img, u, m);

	ut_rename(u, m, "/docs/big", "/new/big");   /* moved between dirs */
	ut_remove(u, m, "/top");
	ut_symlink(u, m, "/new/link", "../docs/small");
	for (unsigned i = 0; i < many; i++) {
		snprintf(p, sizeof(p), "/new/many%u", i);
		ut_file(u, m, p, i % 3 ? 0 : 3000, 20 + i);
	}
	commit_check(e->img, u, m);
	meta_facts(e->img, &len, &n_ext, &same);
	assert_true(many > 150 ? len > len0 && n_ext > 1 : len == len0 && n_ext == 1);

	ut_remove(u, m, "/new/link");
	for (unsigned i = 0; i < many; i += 2) {    /* frees metadata blocks */
		snprintf(p, sizeof(p), "/new/many%u", i);
		ut_remove(u, m, p);
	}
	ut_link(u, m, "/docs/small", "/small-link");
	commit_check(e->img, u, m);
	udf_update_close(u);
	udf_bdev_close(&bd);

	/* reopened: the freed metadata blocks are used again, no growth */
	meta_facts(e->img, &len0, &n_ext, &same);
	struct udf_update_opts uo = { .now = 1700000000 };
	discfs_error err = { 0 };
	assert_int_equal(udf_bdev_open_file(e->img, UDF_BDEV_RANDOM, CAP, &bd, &err), 0);
	assert_int_equal(udf_update_open(&bd, &uo, &u, &err), 0);
	for (unsigned i = 0; i < 60; i++) {
		snprintf(p, sizeof(p), "/again%u", i);
		ut_file(u, m, p, 0, 400 + i);
	}
	commit_check(e->img, u, m);
	meta_facts(e->img, &len, &n_ext, &same);
	assert_int_equal(len, len0);
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_keep_image(e->img, m, keep_as);
	free(m);
}

static void test_mastered_bd_re_volume_is_continued(void **state)
{
	continue_mastered(*state, "bd-re", 0, 40, "bd-re-meta");
}

/* UDF 2.60, and the metadata file grows */
static void test_mastered_260_volume_grows_its_metadata_file(void **state)
{
	continue_mastered(*state, "hdd", 0x0260, 250, "hdd-260-meta");
}

/* A metadata volume sized to its content (no bitmap file: the read-only
 * layout) is refused with the reason, not damaged. */
static void test_read_only_metadata_layout_is_refused(void **state)
{
	struct env *e = *state;
	struct udf_bdev bd;
	struct udf_update *u = NULL;
	discfs_error err = { 0 };
	discfs_image_options o;
	discfs_image *img;
	assert_int_equal(mkdir(e->src, 0755), 0);
	discfs_image_options_init(&o);
	o.media = "bd-rom";
	assert_int_equal(discfs_image_open(e->src, &o, &img, &err), 0);
	assert_int_equal(discfs_image_write(img, e->img, &err), 0);
	discfs_image_free(img);
	assert_int_equal(udf_bdev_open_file(e->img, UDF_BDEV_RANDOM, 0, &bd, &err), 0);
	assert_true(udf_update_open(&bd, NULL, &u, &err) < 0);
	assert_null(u);
	print_message("refused: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "not rewritable"));
	udf_bdev_close(&bd);
}

/* Hostile metadata files are refused at open, never followed: a mirror
 * longer than the main file, a main file longer than the partition. */
static void test_inconsistent_metadata_files_are_refused(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	master(e, m, "bd-re", 0, &bd, &u);
	udf_update_close(u);
	udf_bdev_close(&bd);
	struct udf_vol *v = NULL;
	discfs_error err = { 0 };
	assert_int_equal(udf_vol_open_path(e->img, false, &v, &err), 0);
	uint64_t at[2] = { 0, 0 };
	for (unsigned i = 0; i < v->n_maps; i++)
		if (v->maps[i].kind == MAPK_METADATA)
			for (int k = 0; k < 2; k++)
				assert_int_equal(udf_map_block(v, (uint16_t)v->maps[i].phys,
							       v->maps[i].meta_loc[k], &at[k], &err), 0);
	udf_vol_close(v);
	static const uint32_t grow[2] = { CAP * DISCFS_BLOCK_SIZE, 64 * DISCFS_BLOCK_SIZE };
	static const char *const why[2] = { "partition", "mirror" };
	for (int k = 0; k < 2; k++) {
		char cmd[700];
		snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s.bad'", e->img, e->img);
		assert_int_equal(system(cmd), 0);
		char bad[400];
		snprintf(bad, sizeof(bad), "%s.bad", e->img);
		uint8_t b[DISCFS_BLOCK_SIZE];
		int fd = open(bad, O_RDWR);
		assert_true(fd >= 0);
		uint64_t abs = at[k == 0 ? 0 : 1];
		assert_int_equal(pread(fd, b, sizeof(b), (off_t)(abs * DISCFS_BLOCK_SIZE)), (ssize_t)sizeof(b));
		uint32_t l_ea = get_le32(b + 208), l_ad = get_le32(b + 212);
		put_le32(b + 216 + l_ea, get_le32(b + 216 + l_ea) + grow[k]);
		udf_tag_make(b, 216 + l_ea + l_ad, get_le16(b), get_le16(b + 2),
			     get_le16(b + 6), get_le32(b + 12));
		assert_int_equal(pwrite(fd, b, sizeof(b), (off_t)(abs * DISCFS_BLOCK_SIZE)), (ssize_t)sizeof(b));
		close(fd);
		assert_int_equal(udf_bdev_open_file(bad, UDF_BDEV_RANDOM, CAP, &bd, &err), 0);
		u = NULL;
		assert_true(udf_update_open(&bd, NULL, &u, &err) < 0);
		assert_null(u);
		print_message("refused: %s\n", err.msg);
		assert_non_null(strstr(err.msg, why[k]));
		udf_bdev_close(&bd);
	}
	free(m);
}

/* A partition that ends past the medium is refused before its bitmap is
 * read (a hostile descriptor would have it held for blocks that do not
 * exist). */
static void test_partition_past_the_medium_is_refused(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	discfs_error err = { 0 };
	master(e, m, "bd-re", 0, &bd, &u);
	udf_update_close(u);
	udf_bdev_close(&bd);
	assert_int_equal(truncate(e->img, (off_t)CAP / 2 * DISCFS_BLOCK_SIZE), 0);
	assert_int_equal(udf_bdev_open_file(e->img, UDF_BDEV_RANDOM, CAP / 2, &bd, &err), 0);
	u = NULL;
	assert_int_equal(udf_update_open(&bd, NULL, &u, &err), -DISCFS_EFORMAT);
	assert_null(u);
	assert_non_null(strstr(err.msg, "past the medium"));
	udf_bdev_close(&bd);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mastered_bd_re_volume_is_continued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mastered_260_volume_grows_its_metadata_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_metadata_layout_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inconsistent_metadata_files_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partition_past_the_medium_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
