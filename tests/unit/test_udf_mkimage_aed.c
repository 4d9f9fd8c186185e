/*
 * tests/unit/test_udf_mkimage_aed.c - mastered images whose files have
 * more extents than an ICB holds.  Real images need a file above ~114 GiB
 * for that; the engine's internal max_extent knob (struct udf_mk) cuts
 * file content into one- or two-block extents instead, so small files
 * get AED chains on every layout: plain (2.01 EFE), UDF 1.02 + ISO9660
 * bridge (FE), VAT (AEDs referenced through the physical partition) and
 * metadata partition (AEDs inside it, mirrored).  Each image is read back
 * byte-exact by our reader with the expected number of AEDs per file, has
 * a clean fsck, is byte-identical when mastered twice, and the
 * independent readers of tests/lib/crosscheck.sh agree with the source
 * (all but 7-Zip, which follows no AED chain).
 * With DFS_AED_KEEP=DIR the images and sources are kept there (the VM
 * lane mounts them with the kernel: tests/vm/t_udf_aed.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_udf_update_helpers.h"
#include "udf/mk.h"
#include "udf/reader.h"
#include "udf/tag.h"

struct file_spec {
	const char *name;
	uint64_t size;
	uint32_t seed;
};

/* with 1-block extents: 0, 1 and 3 AEDs on a 2.01 volume; the 114-block
 * file fills an EFE exactly, the 115-block one needs one AED */
static const struct file_spec files[] = {
	{ "a/exact", 114 * 2048, 1 },
	{ "a/one_more", 115 * 2048 - 5, 2 },
	{ "big", 400 * 2048 - 100, 3 },
	{ "small", 3000, 4 },
	{ "empty", 0, 5 },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

struct env {
	char dir[128];
	char src[200];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char p[400];
	ut_tmpdir(e->dir, sizeof(e->dir));
	snprintf(e->src, sizeof(e->src), "%s/src", e->dir);
	assert_int_equal(mkdir(e->src, 0755), 0);
	snprintf(p, sizeof(p), "%s/a", e->src);
	assert_int_equal(mkdir(p, 0755), 0);
	for (size_t i = 0; i < NFILES; i++) {
		snprintf(p, sizeof(p), "%s/%s", e->src, files[i].name);
		FILE *f = fopen(p, "wb");
		assert_non_null(f);
		for (uint64_t o = 0; o < files[i].size; o++)
			fputc(ut_byte(files[i].seed, o), f);
		fclose(f);
	}
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

static int sink_blocks(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
		       discfs_error *err)
{
	int fd = *(int *)ctx;
	ssize_t w = pwrite(fd, data, (size_t)n * MK_BS, (off_t)(lba * MK_BS));
	if (w != (ssize_t)n * MK_BS)
		return -DISCFS_EIO;
	(void)err;
	return 0;
}

/* Masters src into img for media (and revision), extents of max bytes. */
static void master(const struct env *e, const char *img, const char *media,
		   unsigned rev, bool iso, uint32_t max)
{
	struct udf_mk mk;
	discfs_image_options o;
	discfs_error err = { 0 };
	memset(&mk, 0, sizeof(mk));
	discfs_image_options_init(&o);
	o.media = media;
	o.udf_revision = rev;
	o.iso9660 = iso;
	strcpy(mk.label, "AED");
	mk.now = 1700000000;
	mk.srcdir = strdup(e->src);
	mk.max_extent = max;
	if (mk_choose_layout(&mk, &o, &err) || mk_tree_scan(&mk, &err) ||
	    mk_plan(&mk, &err))
		fail_msg("plan: %s", err.msg);
	int fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	struct mk_sink s = { .blocks = sink_blocks, .ctx = &fd };
	if (mk_emit(&mk, &s, &err))
		fail_msg("emit: %s", err.msg);
	assert_int_equal(ftruncate(fd, (off_t)(mk.total * MK_BS)), 0);
	close(fd);
	udf_mk_free(&mk);
}

/* Our reader: every file byte-exact, with n_aed(file) AEDs. */
static void check_read(const char *img, uint32_t (*n_aed)(const struct file_spec *))
{
	struct udf_vol *vol = NULL;
	discfs_error err = { 0 };
	uint8_t buf[8192];
	if (udf_vol_open_path(img, false, &vol, &err))
		fail_msg("reader: %s", err.msg);
	for (size_t i = 0; i < NFILES; i++) {
		struct udf_inode *ino = NULL;
		char p[100];
		snprintf(p, sizeof(p), "/%s", files[i].name);
		if (udf_lookup(vol, p, &ino, &err))
			fail_msg("%s: %s", p, err.msg);
		if (ino->n_aed != n_aed(&files[i]))
			fail_msg("%s: %u AEDs, expected %u", p, ino->n_aed, n_aed(&files[i]));
		for (uint64_t off = 0; off < files[i].size; off += sizeof(buf)) {
			size_t got = 0;
			if (udf_read(vol, ino, off, buf, sizeof(buf), &got, &err))
				fail_msg("%s: %s", p, err.msg);
			assert_true(got > 0);
			for (size_t b = 0; b < got; b++)
				if (buf[b] != ut_byte(files[i].seed, off + b))
					fail_msg("%s: byte %llu differs", p,
						 (unsigned long long)(off + b));
		}
		udf_inode_free(ino);
	}
	udf_vol_close(vol);
}

/* 7-Zip (UdfIn.cpp) takes every AD of an entry as a data extent and
 * follows no AED: it is asked only of the image without chains. */
static void crosscheck(const struct env *e, const char *img, bool chains)
{
	const char *readers = chains ? "udfinfo,udfclient,udfread,xorriso,bsdtar"
				     : "udfinfo,7z,udfclient,udfread,xorriso,bsdtar";
	char cmd[2000];
	const char *top = getenv("DISCFS_SRC");
	snprintf(cmd, sizeof(cmd),
		 "sh '%s/tests/lib/crosscheck.sh' --readers %s '%s' '%s' > '%s/cross.out' 2>&1 "
		 "|| { cat '%s/cross.out'; exit 1; }",
		 top ? top : ".", readers, img, e->src, e->dir, e->dir);
	assert_int_equal(system(cmd), 0);
}

/* Keeps img and the source for the VM lane when DFS_AED_KEEP is set. */
static void keep(const struct env *e, const char *img, const char *name)
{
	const char *k = getenv("DFS_AED_KEEP");
	char cmd[1200];
	if (!k)
		return;
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/%s.img' && rm -rf '%s/%s.src' && "
		 "cp -a '%s' '%s/%s.src'", img, k, name, k, name, e->src, k, name);
	assert_int_equal(system(cmd), 0);
}

/* The whole check for one layout. */
static void one(void **state, const char *name, const char *media, unsigned rev,
		bool iso, uint32_t max, uint32_t (*n_aed)(const struct file_spec *))
{
	struct env *e = *state;
	char img[300], img2[300], cmd[800];
	snprintf(img, sizeof(img), "%s/%s.img", e->dir, name);
	snprintf(img2, sizeof(img2), "%s/%s.again.img", e->dir, name);
	master(e, img, media, rev, iso, max);
	check_read(img, n_aed);
	ut_check_fsck_clean(img);
	master(e, img2, media, rev, iso, max);
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", img, img2);
	assert_int_equal(system(cmd), 0);
	crosscheck(e, img, max != 0);
	keep(e, img, name);
}

/* AEDs a file of s->size bytes needs with extents of blk blocks when the
 * ICB holds slots long_ads: (slots - 1) in the ICB, 125 + pointer per
 * AED, the last up to 126. */
static uint32_t aeds_for(uint64_t size, uint32_t blk, uint32_t slots)
{
	uint64_t n = (size + (uint64_t)blk * 2048 - 1) / ((uint64_t)blk * 2048);
	if (n <= slots)
		return 0;
	uint64_t rest = n - (slots - 1);
	return rest <= 126 ? 1 : (uint32_t)(1 + (rest - 126 + 124) / 125);
}

static uint32_t efe_1blk(const struct file_spec *f)
{
	return aeds_for(f->size, 1, 114);
}

static uint32_t fe_1blk(const struct file_spec *f)
{
	return aeds_for(f->size, 1, 117);
}

static uint32_t efe_2blk(const struct file_spec *f)
{
	return aeds_for(f->size, 2, 114);
}

static void test_plain_201_files_continue_in_aeds(void **state)
{
	assert_int_equal(efe_1blk(&files[0]), 0);
	assert_int_equal(efe_1blk(&files[1]), 1);
	assert_int_equal(efe_1blk(&files[2]), 3);
	one(state, "plain", "hdd", 0x201, false, 2048, efe_1blk);
}

static void test_bridge_102_file_entries_continue_in_aeds(void **state)
{
	one(state, "bridge", "dvd-rom", 0x102, true, 2048, fe_1blk);
}

static void test_vat_aeds_are_addressed_physically(void **state)
{
	one(state, "vat", "dvd+r", 0, false, 2048, efe_1blk);
}

static void test_metadata_partition_holds_the_aeds(void **state)
{
	assert_int_equal(efe_2blk(&files[2]), 1);
	one(state, "metadata", "bd-re", 0, false, 4096, efe_2blk);
}

static uint32_t none(const struct file_spec *f)
{
	(void)f;
	return 0;
}

static void test_default_extents_need_no_aed(void **state)
{
	one(state, "default", "hdd", 0x201, false, 0, none);
}

/*
 * Without the knob: a sparse 120 GiB source file needs 121 extents of
 * just under 1 GiB, 7 more than an EFE holds; the plan gives it one AED
 * right after its ICB and the ICB's last AD points there (checked on the
 * descriptors; the image itself is not produced).
 */
static void test_a_file_above_114_gib_gets_one_aed(void **state)
{
	struct env *e = *state;
	char dir[300], p[400];
	snprintf(dir, sizeof(dir), "%s/huge", e->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/f", dir);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)120 << 30), 0);
	close(fd);
	struct udf_mk mk;
	discfs_image_options o;
	discfs_error err = { 0 };
	memset(&mk, 0, sizeof(mk));
	discfs_image_options_init(&o);
	o.media = "bd-r";
	strcpy(mk.label, "HUGE");
	mk.srcdir = strdup(dir);
	if (mk_choose_layout(&mk, &o, &err) || mk_tree_scan(&mk, &err) ||
	    mk_plan(&mk, &err))
		fail_msg("plan: %s", err.msg);
	const struct mk_inode *ino = mk.root->kids[0]->ino;
	assert_int_equal(ino->n_aed, 1);
	assert_int_equal(ino->aed_m, ino->icb_m + 1);
	uint8_t icb[MK_BS], aed[MK_BS];
	assert_int_equal(mk_build_icb(&mk, ino, icb, &err), 0);
	assert_int_equal(mk_build_aeds(&mk, ino, aed, &err), 0);
	/* the EFE: 113 extents and the pointer */
	const struct ecma_efe *x = (const struct ecma_efe *)icb;
	assert_int_equal(get_le32(x->l_ad), 114 * 16);
	const uint8_t *ptr = icb + sizeof(*x) + 113 * 16;
	assert_int_equal(get_le32(ptr), 3u << 30 | MK_BS);
	uint32_t lbn;
	uint16_t pref;
	mk_stream_ref(&mk, ino->aed_m, &lbn, &pref);
	assert_int_equal(get_le32(ptr + 4), lbn);
	assert_int_equal(get_le16(ptr + 8), pref);
	/* the AED at that address: the last 8 extents, the last one short */
	if (udf_tag_verify(aed, MK_BS, TAG_AED, lbn, &err))
		fail_msg("AED: %s", err.msg);
	assert_int_equal(get_le32(aed + 20), 8 * 16);
	uint64_t rest = (120ull << 30) - 120ull * MK_MAX_EXTENT;
	assert_int_equal(get_le32(aed + 24 + 6 * 16), MK_MAX_EXTENT);
	assert_int_equal(get_le32(aed + 24 + 7 * 16), rest);
	udf_mk_free(&mk);
}

/* A chain longer than the reader keeps places of (UDF_INODE_AED_KEEP):
 * fsck walks it again and counts every AED block as used. */
static void test_a_chain_of_65_aeds_is_counted_whole_by_fsck(void **state)
{
	struct env *e = *state;
	char dir[sizeof(e->src)], p[400], img[400], cmd[1500];
	/* 113 in the EFE, 64 x 125, 126 in the last: 65 AEDs */
	const uint64_t blocks = 113 + 64 * 125 + 126;
	snprintf(dir, sizeof(dir), "%s/long", e->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/f", dir);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	for (uint64_t o = 0; o < blocks * 2048; o++)
		fputc(ut_byte(50, o), f);
	fclose(f);
	struct env e2 = *e;
	snprintf(e2.src, sizeof(e2.src), "%s", dir);
	snprintf(img, sizeof(img), "%s/long.img", e->dir);
	master(&e2, img, "hdd", 0x201, false, 2048);
	struct udf_vol *vol = NULL;
	struct udf_inode *ino = NULL;
	discfs_error err = { 0 };
	if (udf_vol_open_path(img, false, &vol, &err) || udf_lookup(vol, "/f", &ino, &err))
		fail_msg("/f: %s", err.msg);
	assert_int_equal(ino->n_aed, UDF_INODE_AED_KEEP + 1);
	assert_int_equal(ino->n_ext, blocks);
	udf_inode_free(ino);
	udf_vol_close(vol);
	ut_check_fsck_clean(img);
	snprintf(cmd, sizeof(cmd),
		 "sh '%s/tests/lib/crosscheck.sh' --readers udfclient,udfread '%s' '%s' "
		 "> '%s/cross.out' 2>&1 || { cat '%s/cross.out'; exit 1; }",
		 getenv("DISCFS_SRC") ? getenv("DISCFS_SRC") : ".", img, dir, e->dir, e->dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_201_files_continue_in_aeds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_102_file_entries_continue_in_aeds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vat_aeds_are_addressed_physically,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_partition_holds_the_aeds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_extents_need_no_aed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_file_above_114_gib_gets_one_aed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_chain_of_65_aeds_is_counted_whole_by_fsck,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
