/*
 * tests/unit/test_udf_update_aed.c - files with more extents than one file
 * entry holds, through the incremental UDF writer on a rewritable (space
 * bitmap) volume.  Free space is fragmented first (many one-block files,
 * every other one removed); a file written into it gets one extent per
 * hole and its allocation descriptors continue in a chain of AED blocks.
 * Our reader reads it back byte-exact, fsck finds neither error nor
 * leaked block, the AED blocks are in use in the bitmap while the file
 * lives and free again once it is rewritten or removed; udfinfo,
 * udfclient and libudfread read the same tree.  fsck reports a damaged
 * AED and a chain that loops back on itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_udf_update_helpers.h"
#include "udf/tag.h"
#include "udf/update_int.h"

#define CAP 6000u
#define NFRAG 400u
#define BIG_BLOCKS 700u
#define VAT_CAP 12000u

static int setup(void **state)
{
	return ut_env_setup(state, UDF_BDEV_RANDOM, "dvd+rw", CAP);
}

static int setup_vat(void **state)
{
	return ut_env_setup(state, UDF_BDEV_SEQUENTIAL, "dvd+r", VAT_CAP);
}

static int setup_vat_big(void **state)
{
	return ut_env_setup(state, UDF_BDEV_SEQUENTIAL, "dvd+r", 3 * VAT_CAP);
}


static void commit_check(struct ut_env *e)
{
	ut_env_commit_check(e, NULL);
}

static uint64_t used_blocks(const char *img)
{
	discfs_fsck_result res;
	discfs_error err = { 0 };
	if (discfs_fsck(img, 0, NULL, NULL, &res, &err))
		fail_msg("fsck: %s", err.msg);
	return res.used_blocks;
}

/* NFRAG one-block files, then every other one removed: ~2 holes each. */
static void fragment(struct ut_env *e)
{
	char p[64];
	ut_mkdir(e->u, e->m, "/frag");
	for (unsigned i = 0; i < NFRAG; i++) {
		snprintf(p, sizeof(p), "/frag/f%03u", i);
		ut_file(e->u, e->m, p, 2000, 100 + i);
	}
	commit_check(e);
	for (unsigned i = 0; i < NFRAG; i += 2) {
		snprintf(p, sizeof(p), "/frag/f%03u", i);
		ut_remove(e->u, e->m, p);
	}
	commit_check(e);
}

/* Extents and AEDs of the file at path as our reader decodes them. */
static void shape(const char *img, const char *path, uint32_t *n_ext,
		  uint32_t *n_aed)
{
	struct udf_vol *vol = NULL;
	struct udf_inode *ino = NULL;
	discfs_error err = { 0 };
	if (udf_vol_open_path(img, false, &vol, &err) ||
	    udf_lookup(vol, path, &ino, &err))
		fail_msg("%s: %s", path, err.msg);
	*n_ext = ino->n_ext;
	*n_aed = ino->n_aed;
	udf_inode_free(ino);
	udf_vol_close(vol);
}

static void test_file_in_fragmented_space_gets_an_aed_chain(void **state)
{
	struct ut_env *e = *state;
	uint32_t n_ext, n_aed;
	fragment(e);
	uint64_t before = used_blocks(e->img);
	ut_file(e->u, e->m, "/big", (uint64_t)BIG_BLOCKS * 2048 - 77, 7);
	commit_check(e);
	shape(e->img, "/big", &n_ext, &n_aed);
	assert_true(n_ext > 300);
	/* 113 extents in the entry, 125 more per AED but the last */
	assert_int_equal(n_aed, 1 + (n_ext - 113 - 126 + 124) / 125);
	/* content, entry and every AED block counted as used */
	assert_int_equal(used_blocks(e->img), before + BIG_BLOCKS + 1 + n_aed);
	ut_remove(e->u, e->m, "/big");
	commit_check(e);
	assert_int_equal(used_blocks(e->img), before);
}

static void test_rewriting_the_file_frees_its_old_chain(void **state)
{
	struct ut_env *e = *state;
	uint32_t n_ext, n_aed, n_ext2, n_aed2;
	fragment(e);
	uint64_t before = used_blocks(e->img);
	ut_file(e->u, e->m, "/big", (uint64_t)BIG_BLOCKS * 2048, 8);
	commit_check(e);
	shape(e->img, "/big", &n_ext, &n_aed);
	assert_true(n_aed >= 2);
	/* attributes only: the chain is carried over as recorded */
	struct udf_update_attr a = { .mask = UDF_ATTR_MODE, .mode = 0600 };
	discfs_error err = { 0 };
	assert_int_equal(udf_update_setattr(e->u, "/big", &a, &err), 0);
	ut_find(e->m, "/big")->mode = 0600;
	commit_check(e);
	shape(e->img, "/big", &n_ext2, &n_aed2);
	assert_int_equal(n_ext2, n_ext);
	assert_int_equal(n_aed2, n_aed);
	/* new content: new runs, new chain; the old one is given back */
	ut_file(e->u, e->m, "/big", (uint64_t)(BIG_BLOCKS - 100) * 2048, 9);
	commit_check(e);
	shape(e->img, "/big", &n_ext2, &n_aed2);
	assert_int_equal(used_blocks(e->img), before + BIG_BLOCKS - 100 + 1 + n_aed2);
	/* and shrunk to fit its entry again: no chain at all */
	ut_file(e->u, e->m, "/big", 5 * 2048, 10);
	commit_check(e);
	shape(e->img, "/big", &n_ext2, &n_aed2);
	assert_int_equal(n_aed2, 0);
	assert_int_equal(used_blocks(e->img), before + 5 + 1);
}

static void test_independent_readers_read_the_chained_file(void **state)
{
	struct ut_env *e = *state;
	char src[300], cmd[2400];
	uint32_t n_ext, n_aed;
	fragment(e);
	ut_file(e->u, e->m, "/big", (uint64_t)BIG_BLOCKS * 2048 - 1000, 11);
	commit_check(e);
	/* libudfread reads only the first extent of a directory's stream:
	 * /frag's, rewritten after the removals, went to one free run */
	shape(e->img, "/frag", &n_ext, &n_aed);
	assert_int_equal(n_ext, 1);
	shape(e->img, "/big", &n_ext, &n_aed);
	assert_true(n_aed >= 2);
	snprintf(src, sizeof(src), "%s/src", e->dir);
	ut_dump_model(e->m, src);
	const char *top = getenv("DISCFS_SRC");
	snprintf(cmd, sizeof(cmd),
		 "sh '%s/tests/lib/crosscheck.sh' --readers udfinfo,udfclient,udfread "
		 "'%s' '%s' > '%s/cross.out' 2>&1 || { cat '%s/cross.out'; exit 1; }",
		 top ? top : ".", e->img, src, e->dir, e->dir);
	assert_int_equal(system(cmd), 0);
	/* DFS_AED_KEEP=DIR: image and tree kept for the kernel (VM lane) */
	const char *k = getenv("DFS_AED_KEEP");
	if (k) {
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s/update-dvd+rw.img' && "
			 "rm -rf '%s/update-dvd+rw.src' && cp -a '%s' '%s/update-dvd+rw.src'",
			 e->img, k, k, src, k);
		assert_int_equal(system(cmd), 0);
	}
}

/* fsck on img: errors and the first message. */
static unsigned fsck_errors(const char *img, char *first, size_t n)
{
	struct ut_fsck f = { 0 };
	discfs_fsck_result res;
	discfs_error err = { 0 };
	if (discfs_fsck(img, 0, ut_fsck_cb, &f, &res, &err))
		fail_msg("fsck: %s", err.msg);
	snprintf(first, n, "%s", f.first);
	return f.errors;
}

/* First AED block of /big: its absolute block and bytes. */
static uint64_t first_aed(const char *img, uint8_t *blk)
{
	struct udf_vol *vol = NULL;
	struct udf_inode *ino = NULL;
	discfs_error err = { 0 };
	if (udf_vol_open_path(img, false, &vol, &err) ||
	    udf_lookup(vol, "/big", &ino, &err))
		fail_msg("/big: %s", err.msg);
	assert_true(ino->n_aed >= 2);
	uint64_t abs = ino->aed_abs[0];
	udf_inode_free(ino);
	udf_vol_close(vol);
	int fd = open(img, O_RDONLY);
	assert_int_equal(pread(fd, blk, 2048, (off_t)(abs * 2048)), 2048);
	close(fd);
	return abs;
}

static void put_block(const char *img, uint64_t abs, const uint8_t *blk)
{
	int fd = open(img, O_WRONLY);
	assert_int_equal(pwrite(fd, blk, 2048, (off_t)(abs * 2048)), 2048);
	close(fd);
}

static void test_fsck_flags_a_broken_chain(void **state)
{
	struct ut_env *e = *state;
	uint8_t blk[2048], saved[2048];
	char first[512];
	fragment(e);
	ut_file(e->u, e->m, "/big", (uint64_t)BIG_BLOCKS * 2048, 12);
	commit_check(e);
	udf_update_close(e->u);
	udf_bdev_close(&e->bd);
	e->u = NULL;
	uint64_t abs = first_aed(e->img, blk);
	memcpy(saved, blk, sizeof(blk));
	/* a damaged AED: the chain ends in garbage */
	blk[40] ^= 0x55;
	put_block(e->img, abs, blk);
	assert_true(fsck_errors(e->img, first, sizeof(first)) >= 1);
	assert_non_null(strstr(first, "allocation extent"));
	/* a chain that points back at itself: reported, no endless walk */
	memcpy(blk, saved, sizeof(blk));
	uint32_t l_ad = get_le32(blk + 20), loc = get_le32(blk + 12);
	uint8_t *ptr = blk + 24 + l_ad - 16;
	assert_int_equal(get_le32(ptr) >> 30, 3);
	put_le32(ptr + 4, loc);
	udf_tag_make(blk, 24 + l_ad, 258, get_le16(blk + 2), get_le16(blk + 6), loc);
	put_block(e->img, abs, blk);
	assert_true(fsck_errors(e->img, first, sizeof(first)) >= 1);
	assert_non_null(strstr(first, "allocation extent"));
	/* repaired by hand: clean again */
	put_block(e->img, abs, saved);
	ut_check_fsck_clean(e->img);
	ut_open(e->img, e->kind, e->cap, e->media, false, &e->bd, &e->u);
}

/* AEDs a file of blocks one-block extents needs (EFE: 114 slots). */
static uint32_t aeds_1blk(uint32_t blocks)
{
	if (blocks <= 114)
		return 0;
	uint32_t rest = blocks - 113;
	return rest <= 126 ? 1 : 1 + (rest - 126 + 124) / 125;
}

/*
 * Write-once (VAT): content is sequential, so only a file above ~114 GiB
 * needs AEDs; one-block extents (the engine's internal knob) get them on
 * a small disc.  The AEDs are written before the entry and referenced
 * through the physical partition (no VAT entry of their own).
 */
static void test_vat_file_with_many_extents_gets_an_aed_chain(void **state)
{
	struct ut_env *e = *state;
	uint32_t n_ext, n_aed;
	const uint32_t sizes[] = { 114, 115, 400 };
	const char *names[] = { "/exact", "/one_more", "/big" };
	e->u->max_ext_blocks = 1;
	ut_mkdir(e->u, e->m, "/d");
	for (unsigned i = 0; i < 3; i++)
		ut_file(e->u, e->m, names[i], (uint64_t)sizes[i] * 2048 - i, 20 + i);
	commit_check(e);
	for (unsigned i = 0; i < 3; i++) {
		shape(e->img, names[i], &n_ext, &n_aed);
		assert_int_equal(n_ext, sizes[i]);
		assert_int_equal(n_aed, aeds_1blk(sizes[i]));
	}
	/* a second increment: one file rewritten, one removed */
	e->u->max_ext_blocks = 1;
	ut_file(e->u, e->m, "/big", 300 * 2048, 30);
	ut_remove(e->u, e->m, "/one_more");
	ut_file(e->u, e->m, "/d/new", 200 * 2048, 31);
	commit_check(e);
	shape(e->img, "/big", &n_ext, &n_aed);
	assert_int_equal(n_aed, aeds_1blk(300));
	shape(e->img, "/d/new", &n_ext, &n_aed);
	assert_int_equal(n_aed, aeds_1blk(200));
	/* DFS_AED_KEEP=DIR: the disc as a drive would end it (after the VAT) */
	const char *k = getenv("DFS_AED_KEEP");
	if (k) {
		char src[300], cmd[1500];
		snprintf(src, sizeof(src), "%s/src", e->dir);
		ut_dump_model(e->m, src);
		snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s/update-dvd+r.img' && "
			 "truncate -s %llu '%s/update-dvd+r.img' && rm -rf '%s/update-dvd+r.src' && "
			 "cp -a '%s' '%s/update-dvd+r.src'", e->img, k,
			 (unsigned long long)e->bd.nwa * 2048, k, k, src, k);
		assert_int_equal(system(cmd), 0);
	}
}

/* Past UDF_INODE_AED_KEEP chained blocks (fsck and freeing see no more)
 * the commit is refused with nothing on the disc changed. */
static void test_too_many_aeds_are_refused(void **state)
{
	struct ut_env *e = *state;
	discfs_error err = { 0 };
	ut_file(e->u, e->m, "/keep", 5000, 40);
	commit_check(e);
	e->u->max_ext_blocks = 1;
	/* 113 in the entry, 63 x 125, 126 in the last: 64 AEDs, one more;
	 * (a file entry would hold 3 more: 116 + 63 x 125 + 126 + 1) */
	uint32_t blocks = 116 + 63 * 125 + 126 + 1;
	assert_int_equal(upd_max_extents(e->u), blocks - 1);
	struct ut_src s = { 41 };
	assert_int_equal(udf_update_write_file(e->u, "/huge", NULL, (uint64_t)blocks * 2048,
					       ut_read, &s, &err), 0);
	assert_int_equal(udf_update_commit(e->u, NULL, &err), -DISCFS_ENOSPC);
	assert_non_null(strstr(err.msg, "allocation extent"));
	ut_check_tree(e->img, e->m);
	/* past the early bound but over 64 AEDs in an extended file entry:
	 * refused by the exact rule (after the content, before any entry) */
	assert_int_equal(udf_update_remove(e->u, "/huge", &err), 0);
	assert_int_equal(udf_update_write_file(e->u, "/huge", NULL,
					       (uint64_t)(blocks - 1) * 2048,
					       ut_read, &s, &err), 0);
	assert_int_equal(udf_update_commit(e->u, NULL, &err), -DISCFS_ENOSPC);
	assert_non_null(strstr(err.msg, "allocation extent"));
	/* 64 AEDs fit */
	assert_int_equal(udf_update_remove(e->u, "/huge", &err), 0);
	ut_file(e->u, e->m, "/huge", (uint64_t)(113 + 63 * 125 + 126) * 2048, 42);
	commit_check(e);
	uint32_t n_ext, n_aed;
	shape(e->img, "/huge", &n_ext, &n_aed);
	assert_int_equal(n_aed, UDF_INODE_AED_KEEP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_in_fragmented_space_gets_an_aed_chain,
						setup, ut_env_teardown),
		cmocka_unit_test_setup_teardown(test_rewriting_the_file_frees_its_old_chain,
						setup, ut_env_teardown),
		cmocka_unit_test_setup_teardown(test_independent_readers_read_the_chained_file,
						setup, ut_env_teardown),
		cmocka_unit_test_setup_teardown(test_fsck_flags_a_broken_chain,
						setup, ut_env_teardown),
		cmocka_unit_test_setup_teardown(test_vat_file_with_many_extents_gets_an_aed_chain,
						setup_vat, ut_env_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_aeds_are_refused,
						setup_vat_big, ut_env_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
