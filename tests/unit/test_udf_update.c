/*
 * tests/unit/test_udf_update.c - the incremental UDF writer on image
 * files: a blank medium is formatted, then several increments (add,
 * change, delete, rename, mkdir, symlink, setattr), each followed by the
 * reader comparing the whole tree with the model and fsck finding no
 * error; write-once (VAT) and rewritable (bitmap) layouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_udf_update_helpers.h"
#include "udf/cs0.h"
#include "udf/ecma167.h"
#include "udf/osta.h"
#include "udf/tag.h"

#define CAP 6000u

struct env {
	char dir[128];
	char img[256];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	ut_tmpdir(e->dir, sizeof(e->dir));
	snprintf(e->img, sizeof(e->img), "%s/disc.img", e->dir);
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

static void check(const char *img, struct ut_model *m)
{
	ut_check_tree(img, m);
	ut_check_fsck_clean(img);
}

/* Five increments through every operation; reopen in between. */
static void scenario(const char *img, enum udf_bdev_kind kind, const char *media)
{
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	ut_blank(img, CAP);
	ut_open(img, kind, CAP, media, true, &bd, &u);
	check(img, m);

	ut_mkdir(u, m, "/a");
	ut_mkdir(u, m, "/a/b");
	ut_file(u, m, "/f1", 5000, 1);
	ut_file(u, m, "/a/f2", 0, 2);
	ut_file(u, m, "/a/b/f3", 300000, 3);
	ut_symlink(u, m, "/l1", "a/b/f3");
	ut_commit(u, NULL);
	check(img, m);

	ut_file(u, m, "/f1", 7000, 11);
	ut_file(u, m, "/a/new", 10, 12);
	ut_commit(u, NULL);
	check(img, m);

	/* continue from what the disc says */
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_open(img, kind, CAP, media, false, &bd, &u);

	ut_remove(u, m, "/a/f2");
	ut_rename(u, m, "/a/b", "/c");
	ut_rename(u, m, "/f1", "/a/f1x");
	ut_commit(u, NULL);
	check(img, m);

	struct udf_update_attr a = { .mask = UDF_ATTR_MODE, .mode = 0600 };
	discfs_error err = { 0 };
	assert_int_equal(udf_update_setattr(u, "/a/f1x", &a, &err), 0);
	ut_find(m, "/a/f1x")->mode = 0600;
	ut_symlink(u, m, "/abs", "/x/../y/./z");
	ut_mkdir(u, m, "/d");
	ut_mkdir(u, m, "/d/e");
	ut_file(u, m, "/d/e/g", 4096, 13);
	ut_remove(u, m, "/l1");
	ut_commit(u, NULL);
	check(img, m);

	ut_remove(u, m, "/c/f3");
	ut_remove(u, m, "/c");
	ut_file(u, m, "/d/e/g", 1, 14); /* shrink */
	ut_commit(u, NULL);
	check(img, m);

	udf_update_close(u);
	udf_bdev_close(&bd);
	free(m);
}

static void test_vat_increments_match_the_model(void **state)
{
	struct env *e = *state;
	scenario(e->img, UDF_BDEV_SEQUENTIAL, "dvd+r");
}

static void test_vat_on_bd_r_uses_udf_250(void **state)
{
	struct env *e = *state;
	scenario(e->img, UDF_BDEV_SEQUENTIAL, "bd-r");
	struct udf_vol *vol;
	discfs_error err = { 0 };
	assert_int_equal(udf_vol_open_path(e->img, false, &vol, &err), 0);
	assert_int_equal(udf_vol_info(vol)->udf_rev, 0x0250);
	assert_int_equal(udf_vol_info(vol)->layout, UDF_LAYOUT_VAT);
	udf_vol_close(vol);
}

static void test_plain_increments_match_the_model(void **state)
{
	struct env *e = *state;
	scenario(e->img, UDF_BDEV_RANDOM, "dvd+rw");
	struct udf_vol *vol;
	discfs_error err = { 0 };
	assert_int_equal(udf_vol_open_path(e->img, false, &vol, &err), 0);
	assert_int_equal(udf_vol_info(vol)->layout, UDF_LAYOUT_PLAIN);
	assert_true(udf_vol_info(vol)->lvid_closed);
	udf_vol_close(vol);
}

/* Write-once: a commit appends; nothing before the old NWA changes. */
static void test_vat_commit_only_appends(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	ut_blank(e->img, CAP);
	ut_open(e->img, UDF_BDEV_SEQUENTIAL, CAP, NULL, true, &bd, &u);
	ut_file(u, m, "/x", 20000, 5);
	ut_commit(u, NULL);
	uint64_t nwa = bd.nwa;
	size_t len = (size_t)nwa * DISCFS_BLOCK_SIZE;
	uint8_t *before = malloc(len), *after = malloc(len);
	FILE *f = fopen(e->img, "rb");
	assert_int_equal(fread(before, 1, len, f), len);
	fclose(f);
	ut_file(u, m, "/x", 100, 6);
	ut_remove(u, m, "/x");
	ut_file(u, m, "/y", 3000, 7);
	ut_commit(u, NULL);
	f = fopen(e->img, "rb");
	assert_int_equal(fread(after, 1, len, f), len);
	fclose(f);
	assert_memory_equal(before, after, len);
	assert_true(bd.nwa > nwa);
	check(e->img, m);
	free(before);
	free(after);
	udf_update_close(u);
	udf_bdev_close(&bd);
	free(m);
}

/* Rewritable: deleting gives the blocks back; rewriting reuses them. */
static void test_plain_delete_frees_space(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	struct udf_update_stats st;
	struct udf_vol *vol;
	discfs_error err = { 0 };
	ut_blank(e->img, CAP);
	ut_open(e->img, UDF_BDEV_RANDOM, CAP, NULL, true, &bd, &u);
	assert_int_equal(udf_vol_open_path(e->img, false, &vol, &err), 0);
	uint64_t free0 = udf_vol_info(vol)->free_blocks;
	udf_vol_close(vol);
	ut_file(u, m, "/big", 1000 * DISCFS_BLOCK_SIZE, 9);
	ut_commit(u, &st);
	assert_int_equal(st.data_blocks, 1000);
	assert_int_equal(udf_vol_open_path(e->img, false, &vol, &err), 0);
	assert_true(udf_vol_info(vol)->free_blocks <= free0 - 1000);
	udf_vol_close(vol);
	ut_remove(u, m, "/big");
	ut_commit(u, &st);
	assert_true(st.blocks_freed >= 1001);
	check(e->img, m);
	assert_int_equal(udf_vol_open_path(e->img, false, &vol, &err), 0);
	/* the root's stream moved once per commit: same count as before */
	assert_int_equal(udf_vol_info(vol)->free_blocks, free0);
	udf_vol_close(vol);
	/* a disc-filling file fits again */
	ut_file(u, m, "/again", 4000ull * DISCFS_BLOCK_SIZE, 10);
	ut_commit(u, NULL);
	check(e->img, m);
	udf_update_close(u);
	udf_bdev_close(&bd);
	free(m);
}

/* Bad requests fail with a clear code and leave the staging usable. */
static void test_bad_requests_are_refused(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	discfs_error err = { 0 };
	ut_blank(e->img, CAP);
	ut_open(e->img, UDF_BDEV_SEQUENTIAL, CAP, NULL, true, &bd, &u);
	ut_mkdir(u, m, "/d");
	ut_file(u, m, "/d/f", 10, 1);
	assert_int_equal(udf_update_mkdir(u, "/d", NULL, &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_remove(u, "/d", &err), -DISCFS_EINVAL);
	assert_non_null(strstr(err.msg, "not empty"));
	assert_int_equal(udf_update_remove(u, "/", &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_remove(u, "/nope", &err), -DISCFS_ENOENT);
	assert_int_equal(udf_update_rename(u, "/d", "/d/inner", &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_write_file(u, "/d", NULL, 1, ut_read, &m->src[0], &err),
			 -DISCFS_EINVAL);
	assert_int_equal(udf_update_mkdir(u, "/d/f/x", NULL, &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_mkdir(u, "/a/..", NULL, &err), -DISCFS_ENOENT);
	assert_int_equal(udf_update_mkdir(u, "/..", NULL, &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_symlink(u, "/s", "", NULL, &err), -DISCFS_EINVAL);
	char longname[400];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(udf_update_mkdir(u, longname, NULL, &err), -DISCFS_EINVAL);
	/* the disc is full: the commit fails, nothing staged is lost */
	ut_file(u, m, "/huge", (uint64_t)CAP * DISCFS_BLOCK_SIZE, 2);
	assert_int_equal(udf_update_commit(u, NULL, &err), -DISCFS_ENOSPC);
	assert_true(udf_update_pending(u));
	ut_remove(u, m, "/huge");
	ut_commit(u, NULL);
	check(e->img, m);
	/* formatting a used write-once medium is refused */
	assert_int_equal(udf_update_format(&bd, NULL, &err), -DISCFS_EINVAL);
	udf_update_close(u);
	udf_bdev_close(&bd);
	/* no UDF at all */
	ut_blank(e->img, CAP);
	assert_int_equal(udf_bdev_open_file(e->img, UDF_BDEV_RANDOM, 0, &bd, &err), 0);
	assert_true(udf_update_open(&bd, NULL, &u, &err) < 0);
	assert_true(err.msg[0] != '\0');
	udf_bdev_close(&bd);
	free(m);
}

struct recorded {
	char names[2048];
};

static int record_one(void *arg, const struct udf_fid *f, discfs_error *err)
{
	struct recorded *r = arg;
	char n[1024];
	if (f->characteristics & (FID_PARENT | FID_DELETED))
		return 0;
	int rc = udf_cs0_decode(f->name, f->l_fi, n, sizeof(n), NULL, err);
	if (rc)
		return rc;
	size_t at = strlen(r->names);
	snprintf(r->names + at, sizeof(r->names) - at, "%s%s", at ? "|" : "", n);
	return 0;
}

/* The names recorded (CS0, decoded but not made safe) in the root. */
static void recorded_root_names(const char *img, char *out, size_t cap)
{
	struct udf_vol *vol = NULL;
	struct udf_inode *root = NULL;
	struct recorded r = { "" };
	uint8_t *data = NULL;
	size_t len = 0;
	discfs_error err = { 0 };
	assert_int_equal(udf_vol_open_path(img, false, &vol, &err), 0);
	assert_int_equal(udf_lookup(vol, "/", &root, &err), 0);
	assert_int_equal(udf_read_stream(vol, root, UDF_MAX_DIR_BYTES, &data,
					 &len, &err), 0);
	assert_int_equal(udf_fids_parse(data, len, record_one, &r, &err), 0);
	free(data);
	udf_inode_free(root);
	udf_vol_close(vol);
	snprintf(out, cap, "%s", r.names);
}

/* Names given through the update engine are safe names: they are
 * decoded before being recorded and so read back exactly as given; names
 * loaded from the disc are written back as recorded. */
static void test_escaped_names_round_trip_through_write_and_read(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	char names[2048];
	discfs_error err = { 0 };
	ut_blank(e->img, CAP);
	ut_open(e->img, UDF_BDEV_RANDOM, CAP, NULL, true, &bd, &u);
	ut_file(u, m, "/plain", 10, 1);
	ut_file(u, m, "/100%", 11, 2);
	ut_file(u, m, "/a%2Fb", 12, 3);
	ut_file(u, m, "/a%252Fb", 13, 4);
	ut_mkdir(u, m, "/d%2Fe");
	ut_file(u, m, "/d%2Fe/x", 14, 5);
	ut_file(u, m, "/tmp", 1, 6);
	ut_rename(u, m, "/tmp", "/%2F");
	/* names UDF cannot record, or that stand for a longer name */
	assert_int_equal(udf_update_mkdir(u, "/%2E", NULL, &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_mkdir(u, "/a%00", NULL, &err), -DISCFS_EINVAL);
	assert_int_equal(udf_update_mkdir(u, "/x%~01234567", NULL, &err),
			 -DISCFS_EINVAL);
	ut_commit(u, NULL);
	udf_update_close(u);
	udf_bdev_close(&bd);
	check(e->img, m);
	recorded_root_names(e->img, names, sizeof(names));
	assert_string_equal(names, "plain|100%|a/b|a%2Fb|d/e|/");

	/* a second session: the loaded names are found by their safe names
	 * and written back as recorded when their directory changes */
	ut_open(e->img, UDF_BDEV_RANDOM, CAP, NULL, false, &bd, &u);
	ut_file(u, m, "/new", 15, 7);
	ut_rename(u, m, "/a%2Fb", "/a%2Fc");
	ut_commit(u, NULL);
	udf_update_close(u);
	udf_bdev_close(&bd);
	check(e->img, m);
	recorded_root_names(e->img, names, sizeof(names));
	assert_string_equal(names, "plain|100%|a%2Fb|d/e|/|new|a/c");
	free(m);
}

/* A one-file change on a volume with many files costs a few blocks. */
static void test_vat_small_change_on_many_files_is_cheap(void **state)
{
	struct env *e = *state;
	struct udf_bdev bd;
	struct udf_update *u;
	struct udf_update_stats st;
	struct ut_src src = { 3 };
	discfs_error err = { 0 };
	char p[64];
	unsigned dirs = 10, per = 300;
	ut_blank(e->img, 40000);
	ut_open(e->img, UDF_BDEV_SEQUENTIAL, 40000, "bd-r", true, &bd, &u);
	for (unsigned d = 0; d < dirs; d++) {
		snprintf(p, sizeof(p), "/dir%u", d);
		assert_int_equal(udf_update_mkdir(u, p, NULL, &err), 0);
		for (unsigned i = 0; i < per; i++) {
			snprintf(p, sizeof(p), "/dir%u/file%u", d, i);
			assert_int_equal(udf_update_write_file(u, p, NULL, 100, ut_read,
							       &src, &err), 0);
		}
	}
	ut_commit(u, &st);
	/* change one file */
	assert_int_equal(udf_update_write_file(u, "/dir3/file7", NULL, 1000, ut_read,
					       &src, &err), 0);
	ut_commit(u, &st);
	print_message("one changed file among %u: %llu blocks written (%llu data)\n",
		      dirs * per, (unsigned long long)st.blocks_written,
		      (unsigned long long)st.data_blocks);
	/* data + entry + the VAT block holding its entry + header + VAT ICB */
	assert_true(st.blocks_written <= 6);
	/* add one file: its directory is rewritten too */
	assert_int_equal(udf_update_write_file(u, "/dir3/added", NULL, 1000, ut_read,
					       &src, &err), 0);
	ut_commit(u, &st);
	print_message("one added file: %llu blocks written\n",
		      (unsigned long long)st.blocks_written);
	assert_true(st.blocks_written * DISCFS_BLOCK_SIZE < 1024 * 1024);
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_check_fsck(e->img);
}

/* 100 small commits on a BD-R (real capacity, sparse file) leave at
 * least 99% of the disc for data, even if the drive padded every commit
 * to a 32-block cluster. */
static void test_bd_r_hundred_small_commits_keep_99_percent(void **state)
{
	struct env *e = *state;
	const uint64_t cap = 12219392; /* BD-R SL */
	struct udf_bdev bd;
	struct udf_update *u;
	struct udf_update_stats st;
	struct ut_src src = { 1 };
	discfs_error err = { 0 };
	uint64_t data = 0;
	char p[32];
	ut_blank(e->img, cap);
	ut_open(e->img, UDF_BDEV_SEQUENTIAL, cap, "bd-r", true, &bd, &u);
	for (unsigned c = 0; c < 100; c++) {
		snprintf(p, sizeof(p), "/f%u", c);
		assert_int_equal(udf_update_write_file(u, p, NULL, 10000, ut_read, &src, &err), 0);
		ut_commit(u, &st);
		data += st.data_blocks;
	}
	uint64_t overhead = bd.nwa - data;
	double usable = 1.0 - (double)(overhead + 100 * 31) / (double)cap;
	print_message("100 commits: %llu blocks of file system overhead; usable "
		      "%.3f%% (with cluster padding)\n", (unsigned long long)overhead,
		      usable * 100.0);
	assert_true(usable >= 0.99);
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_check_fsck(e->img);
}

/* The VAT format of the volume in img (0x0150 or 0x0200). */
static unsigned vat_rev_of(const char *img)
{
	struct udf_vol *vol = NULL;
	discfs_error err = { 0 };
	unsigned rev = 0;
	assert_int_equal(udf_vol_open_path(img, false, &vol, &err), 0);
	for (unsigned i = 0; i < vol->n_maps; i++)
		if (vol->maps[i].kind == MAPK_VIRTUAL)
			rev = vol->maps[i].vat_rev;
	udf_vol_close(vol);
	return rev;
}

/* Volumes other tools made are continued: mkudffs VAT (2.01 and 1.50)
 * and bitmap. */
/* With DFS_UPDATE_KEEP=DIR, a copy of the image as NAME.img, the blocks
 * a reader of it must see (NAME.blocks: up to its VAT, or all) and the tree it
 * holds (NAME.src), for the kernel in tests/vm/t_udf_update.sh. */
static void continue_foreign(struct env *e, const char *mk_media,
			     const char *rev, enum udf_bdev_kind kind,
			     const char *keep_as)
{
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "truncate -s 16M '%s' && mkudffs -b 2048 "
		 "--media-type=%s --udfrev=%s --label=MK '%s' > /dev/null",
		 e->img, mk_media, rev, e->img);
	assert_int_equal(system(cmd), 0);
	ut_open(e->img, kind, 0, NULL, false, &bd, &u);
	ut_check_tree(e->img, m);
	ut_mkdir(u, m, "/from-discfs");
	ut_file(u, m, "/from-discfs/f", 50000, 4);
	ut_commit(u, NULL);
	check(e->img, m);
	ut_remove(u, m, "/from-discfs/f");
	ut_file(u, m, "/g", 10, 5);
	/* enough new objects that the VAT outgrows its first block */
	for (unsigned i = 0; i < 600 && kind == UDF_BDEV_SEQUENTIAL; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/many%u", i);
		ut_file(u, m, p, 0, 6);
	}
	ut_commit(u, NULL);
	check(e->img, m);
	ut_file(u, m, "/many7", 3000, 7); /* and then a small change */
	ut_commit(u, NULL);
	check(e->img, m);
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_keep_image(e->img, m, keep_as);
	free(m);
}

static void test_mkudffs_vat_volume_is_continued(void **state)
{
	struct env *e = *state;
	continue_foreign(e, "dvdr", "2.01", UDF_BDEV_SEQUENTIAL, NULL);
	assert_int_equal(vat_rev_of(e->img), 0x0200);
}

/* A UDF 1.50 VAT volume keeps its VAT format (entries, then the
 * "*UDF Virtual Alloc Tbl" trailer, in a file entry of type 0). */
static void test_mkudffs_150_vat_volume_is_continued(void **state)
{
	struct env *e = *state;
	continue_foreign(e, "cdr", "1.50", UDF_BDEV_SEQUENTIAL, "cd-r-150");
	assert_int_equal(vat_rev_of(e->img), 0x0150);
}

static void test_mkudffs_bitmap_volume_is_continued(void **state)
{
	continue_foreign(*state, "dvdram", "2.01", UDF_BDEV_RANDOM, NULL);
}

/* Sparable volumes (packet-written CD-RW and DVD-RW, as mkudffs and
 * Windows make them) are continued in place. */
static void test_mkudffs_sparable_volumes_are_continued(void **state)
{
	struct env *e = *state;
	continue_foreign(e, "cdrw", "2.01", UDF_BDEV_RANDOM, "cd-rw-sparable");
	continue_foreign(e, "dvdrw", "2.01", UDF_BDEV_RANDOM, NULL);
	continue_foreign(e, "cdrw", "1.50", UDF_BDEV_RANDOM, NULL);
}

static void pread_blocks(const char *img, uint64_t lba, uint32_t n, void *buf)
{
	int fd = open(img, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, (size_t)n * DISCFS_BLOCK_SIZE,
			       (off_t)(lba * DISCFS_BLOCK_SIZE)), (ssize_t)n * DISCFS_BLOCK_SIZE);
	close(fd);
}

static void pwrite_blocks(const char *img, uint64_t lba, uint32_t n, const void *buf)
{
	int fd = open(img, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, (size_t)n * DISCFS_BLOCK_SIZE,
				(off_t)(lba * DISCFS_BLOCK_SIZE)), (ssize_t)n * DISCFS_BLOCK_SIZE);
	close(fd);
}

/*
 * A packet the drive found bad was spared: the sparing table sends its
 * blocks to a spare packet.  Here the packet holding the root's entry
 * (rewritten by every commit) is spared and its original place zeroed:
 * commits must read and write the spare, never the original.
 */
static void test_sparable_writes_a_spared_packet_in_its_spare(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_vol *vol = NULL;
	struct udf_bdev bd;
	struct udf_update *u;
	discfs_error err = { 0 };
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "truncate -s 16M '%s' && mkudffs -b 2048 "
		 "--media-type=cdrw --udfrev=2.01 '%s' > /dev/null", e->img, e->img);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(udf_vol_open_path(e->img, false, &vol, &err), 0);
	const struct udf_map *sm = &vol->maps[vol->phys_map];
	assert_int_equal(sm->kind, MAPK_SPARABLE);
	uint32_t plen = sm->packet_len, root = udf_vol_root(vol).lbn;
	uint32_t pkt = root - root % plen, start = vol->pds[sm->pd].start;
	uint32_t ntab = sm->n_tables, tsize = sm->table_size, loc[4];
	memcpy(loc, sm->table_loc, sizeof(loc));
	udf_vol_close(vol);
	/* every copy of the table: its first free entry takes the packet */
	uint32_t tblocks = (tsize + DISCFS_BLOCK_SIZE - 1) / DISCFS_BLOCK_SIZE;
	uint8_t *t = malloc((size_t)tblocks * DISCFS_BLOCK_SIZE);
	uint32_t spare = 0;
	for (uint32_t c = 0; c < ntab; c++) {
		pread_blocks(e->img, loc[c], tblocks, t);
		uint16_t n = get_le16(t + 48);
		uint32_t i = 0;
		while (i < n && get_le32(t + 56 + 8 * i) != UDF_SPARE_FREE)
			i++;
		assert_true(i < n);
		put_le32(t + 56 + 8 * i, pkt);
		spare = get_le32(t + 56 + 8 * i + 4);
		udf_tag_make(t, 16 + (size_t)get_le16(t + 10), get_le16(t), get_le16(t + 2),
			     get_le16(t + 4), get_le32(t + 12));
		pwrite_blocks(e->img, loc[c], tblocks, t);
	}
	free(t);
	uint8_t *p = malloc((size_t)plen * DISCFS_BLOCK_SIZE);
	uint8_t *z = calloc(plen, DISCFS_BLOCK_SIZE);
	pread_blocks(e->img, (uint64_t)start + pkt, plen, p);
	pwrite_blocks(e->img, spare, plen, p);
	pwrite_blocks(e->img, (uint64_t)start + pkt, plen, z);
	check(e->img, m);
	/* two commits through the spared packet */
	ut_open(e->img, UDF_BDEV_RANDOM, 0, NULL, false, &bd, &u);
	ut_mkdir(u, m, "/d");
	ut_file(u, m, "/d/f", 70000, 9);
	ut_commit(u, NULL);
	ut_file(u, m, "/g", 100, 10);
	ut_commit(u, NULL);
	udf_update_close(u);
	udf_bdev_close(&bd);
	check(e->img, m);
	pread_blocks(e->img, (uint64_t)start + pkt, plen, p);
	assert_memory_equal(p, z, (size_t)plen * DISCFS_BLOCK_SIZE); /* untouched */
	pread_blocks(e->img, spare + root % plen, 1, p);
	uint16_t id = get_le16(p);
	assert_true(id == TAG_FE || id == TAG_EFE); /* the root, rewritten there */
	free(p);
	free(z);
	free(m);
}

/* A write-once image mastered to the size of its content has no room:
 * refused at open with a clear reason. */
static void test_mastered_vat_image_without_room_is_refused(void **state)
{
	struct env *e = *state;
	struct udf_bdev bd;
	struct udf_update *u = NULL;
	discfs_error err = { 0 };
	char dir[300], cmd[700];
	snprintf(dir, sizeof(dir), "%s/src", e->dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && echo hi > '%s/a'", dir, dir);
	assert_int_equal(system(cmd), 0);
	discfs_image_options o;
	discfs_image *img;
	discfs_image_options_init(&o);
	o.media = "dvd+r";
	assert_int_equal(discfs_image_open(dir, &o, &img, &err), 0);
	assert_int_equal(discfs_image_write(img, e->img, &err), 0);
	discfs_image_free(img);
	assert_int_equal(udf_bdev_open_file(e->img, UDF_BDEV_SEQUENTIAL, 8192, &bd, &err), 0);
	assert_int_equal(udf_update_open(&bd, NULL, &u, &err), -DISCFS_ENOSPC);
	assert_non_null(strstr(err.msg, "no room"));
	udf_bdev_close(&bd);
}

/* The same image mastered with a volume size (the disc's, as discctl burn
 * gives it) has its partition run to the end: sessions are appended. */
static void test_mastered_vat_image_with_a_volume_size_is_continued(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u = NULL;
	discfs_error err = { 0 };
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/src", e->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	discfs_image_options o;
	discfs_image *img;
	discfs_image_options_init(&o);
	o.media = "bd-r";
	o.volume_blocks = CAP;
	assert_int_equal(discfs_image_open(dir, &o, &img, &err), 0);
	assert_int_equal(discfs_image_write(img, e->img, &err), 0);
	discfs_image_free(img);
	struct stat sb;
	assert_int_equal(stat(e->img, &sb), 0);
	assert_true(sb.st_size < 1000 * DISCFS_BLOCK_SIZE); /* recorded up to its VAT */
	assert_int_equal(udf_bdev_open_file(e->img, UDF_BDEV_SEQUENTIAL, CAP, &bd, &err), 0);
	if (udf_update_open(&bd, NULL, &u, &err))
		fail_msg("open: %s", err.msg);
	ut_mkdir(u, m, "/later");
	ut_file(u, m, "/later/f", 30000, 9);
	ut_commit(u, NULL);
	check(e->img, m);
	ut_file(u, m, "/later/g", 10, 10);
	ut_commit(u, NULL);
	check(e->img, m);
	udf_update_close(u);
	udf_bdev_close(&bd);
	free(m);
}

/* A large directory (name index, holes left by removals, compaction):
 * many removals, renames and additions in one commit, then more. */
static void test_large_directory_churn_keeps_the_tree(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	char p[64], q[64];
	ut_blank(e->img, CAP);
	ut_open(e->img, UDF_BDEV_RANDOM, CAP, NULL, true, &bd, &u);
	ut_mkdir(u, m, "/big");
	for (unsigned i = 0; i < 200; i++) {
		snprintf(p, sizeof(p), "/big/f%03u", i);
		ut_file(u, m, p, i * 7, i);
	}
	ut_commit(u, NULL);
	check(e->img, m);
	for (unsigned i = 0; i < 200; i += 4) { /* keep every 4th */
		for (unsigned j = 1; j < 4; j++) {
			snprintf(p, sizeof(p), "/big/f%03u", i + j);
			if (j == 3) {
				snprintf(q, sizeof(q), "/big/r%03u", i + j);
				ut_rename(u, m, p, q);
			} else {
				ut_remove(u, m, p);
			}
		}
	}
	for (unsigned i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), "/big/n%03u", i);
		ut_file(u, m, p, 100, 1000 + i);
	}
	ut_commit(u, NULL);
	check(e->img, m);
	udf_update_close(u);
	udf_bdev_close(&bd);
	ut_open(e->img, UDF_BDEV_RANDOM, CAP, NULL, false, &bd, &u);
	ut_remove(u, m, "/big/f000");
	ut_file(u, m, "/big/f000", 5, 77); /* same name, new file */
	ut_commit(u, NULL);
	check(e->img, m);
	udf_update_close(u);
	udf_bdev_close(&bd);
	free(m);
}

/* Patches one byte of block lba of an image (no re-tagging). */
static void poke(const char *img, uint64_t lba, unsigned off, uint8_t v)
{
	FILE *f = fopen(img, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)(lba * DISCFS_BLOCK_SIZE + off), SEEK_SET), 0);
	assert_int_equal(fputc(v, f), v);
	fclose(f);
}

/* Damaged structures give a clear error, never a crash or a write. */
static void test_damaged_volumes_are_refused(void **state)
{
	struct env *e = *state;
	struct ut_model *m = calloc(1, sizeof(*m));
	struct udf_bdev bd;
	struct udf_update *u;
	discfs_error err = { 0 };
	/* rewritable: space bitmap (partition block 0 = sector 257) */
	ut_blank(e->img, CAP);
	ut_open(e->img, UDF_BDEV_RANDOM, CAP, NULL, true, &bd, &u);
	udf_update_close(u);
	udf_bdev_close(&bd);
	poke(e->img, 257, 18, 0xAA); /* numBits: under the CRC */
	assert_int_equal(udf_bdev_open_file(e->img, UDF_BDEV_RANDOM, CAP, &bd, &err), 0);
	assert_int_equal(udf_update_open(&bd, NULL, &u, &err), -DISCFS_EFORMAT);
	assert_non_null(strstr(err.msg, "space bitmap"));
	assert_null(strchr(err.msg, '\n'));
	udf_bdev_close(&bd);

	/* write-once: a directory's entry is damaged after a commit */
	ut_blank(e->img, CAP);
	ut_open(e->img, UDF_BDEV_SEQUENTIAL, CAP, NULL, true, &bd, &u);
	ut_mkdir(u, m, "/d");
	ut_commit(u, NULL);
	struct udf_vol *vol;
	struct udf_inode *ino;
	assert_int_equal(udf_vol_open_path(e->img, false, &vol, &err), 0);
	assert_int_equal(udf_lookup(vol, "/d", &ino, &err), 0);
	uint64_t abs = ino->abs;
	udf_inode_free(ino);
	udf_vol_close(vol);
	udf_update_close(u);
	udf_bdev_close(&bd);
	poke(e->img, abs, 100, 0x5A);
	ut_open(e->img, UDF_BDEV_SEQUENTIAL, CAP, NULL, false, &bd, &u);
	uint64_t nwa = bd.nwa;
	assert_true(udf_update_mkdir(u, "/d/x", NULL, &err) < 0);
	assert_true(err.msg[0] != '\0');
	/* the root still takes changes; the damaged one is not touched */
	ut_file(u, m, "/ok", 10, 1);
	ut_commit(u, NULL);
	assert_true(bd.nwa > nwa);
	udf_update_close(u);
	udf_bdev_close(&bd);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vat_increments_match_the_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaped_names_round_trip_through_write_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vat_on_bd_r_uses_udf_250, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_increments_match_the_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vat_commit_only_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_delete_frees_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vat_small_change_on_many_files_is_cheap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_r_hundred_small_commits_keep_99_percent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkudffs_vat_volume_is_continued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkudffs_150_vat_volume_is_continued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkudffs_bitmap_volume_is_continued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkudffs_sparable_volumes_are_continued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparable_writes_a_spared_packet_in_its_spare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mastered_vat_image_without_room_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mastered_vat_image_with_a_volume_size_is_continued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_volumes_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_directory_churn_keeps_the_tree, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
