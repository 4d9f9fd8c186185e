/*
 * tests/unit/test_udf_fsck.c - discfs_fsck(): clean volumes of every layout
 * pass; each injected corruption is reported in the right area; --repair
 * fixes what it says it fixed (a second run is clean) and leaves the data
 * readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "test_udf_read_helpers.h"
#include "udf/fsck.h"

static char *tmp;
static char src[4200], img[4200];
static char base[6][4200];
static const struct { unsigned rev; const char *media; } kinds[6] = {
	{ 0x0102, "dvd-ram" }, { 0x0201, NULL }, { 0x0150, "cd-rw" },
	{ 0x0201, "cd-r" }, { 0x0250, "bd-r" }, { 0x0250, NULL },
};
enum { PLAIN102, PLAIN201, SPARABLE, VAT201, VAT250, META250 };

static int setup(void **state)
{
	(void)state;
	tmp = tr_tmpdir();
	tr_path(src, sizeof src, tmp, "src");
	mkdir(src, 0755);
	tr_make_tree(src);
	for (int i = 0; i < 6; i++) {
		char n[32];
		snprintf(n, sizeof n, "base%d.udf", i);
		tr_path(base[i], sizeof base[i], tmp, n);
		tr_make_image(src, base[i], kinds[i].rev, kinds[i].media);
	}
	tr_path(img, sizeof img, tmp, "scratch.udf");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tr_rm_rf(tmp);
	free(tmp);
	return 0;
}

static void fresh(int k)
{
	char cmd[9000];
	int n = snprintf(cmd, sizeof cmd, "cp '%s' '%s'", base[k], img);
	assert_true(n > 0 && (size_t)n < sizeof cmd);
	assert_int_equal(system(cmd), 0);
}

/* Collected findings of one run. */
struct findings {
	unsigned n;
	char text[64][300];
	bool repaired[64];
};

static void collect(void *user, const discfs_fsck_issue *is)
{
	struct findings *f = user;
	if (f->n < 64) {
		snprintf(f->text[f->n], sizeof f->text[0], "%s %s: %s",
			 is->severity == DISCFS_FSCK_ERROR ? "error"
			 : is->severity == DISCFS_FSCK_WARNING ? "warning" : "info",
			 is->area, is->msg);
		f->repaired[f->n] = is->repaired;
		f->n++;
	}
}

static discfs_fsck_result run(unsigned flags, struct findings *f)
{
	discfs_fsck_result res;
	discfs_error e = { 0 };
	memset(f, 0, sizeof(*f));
	if (discfs_fsck(img, flags, collect, f, &res, &e))
		fail_msg("fsck: %s", e.msg);
	return res;
}

/* True if some finding contains both words (word2 may be NULL). */
static bool found(const struct findings *f, const char *w1, const char *w2)
{
	for (unsigned i = 0; i < f->n; i++)
		if (strstr(f->text[i], w1) && (!w2 || strstr(f->text[i], w2)))
			return true;
	return false;
}

static void dump(const struct findings *f)
{
	for (unsigned i = 0; i < f->n; i++)
		print_message("  %s%s\n", f->text[i], f->repaired[i] ? " [repaired]" : "");
}

static void clean_volumes_of_every_layout_have_no_errors(void **state)
{
	(void)state;
	for (int k = 0; k < 6; k++) {
		struct findings f;
		fresh(k);
		discfs_fsck_result r = run(0, &f);
		if (r.errors)
			dump(&f);
		assert_true(r.opened);
		assert_int_equal(r.errors, 0);
		/* tree: hello/hard (1 FE), empty, deep, big, one_block, ünï */
		assert_int_equal(r.files, 6);
		assert_int_equal(r.dirs, 3);
		assert_int_equal(r.symlinks, 2);
		assert_true(r.used_blocks > 150);
	}
}

static void damaged_file_entry_is_reported_in_the_tree(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	fresh(PLAIN201);
	struct tr_where w = tr_locate(img, "/dir/one_block");
	tr_rw_block(img, w.fe_abs, b, false);
	b[44] ^= 0x10; /* permissions: CRC no longer matches */
	tr_rw_block(img, w.fe_abs, b, true);
	discfs_fsck_result r = run(0, &f);
	assert_true(r.errors >= 1);
	assert_true(found(&f, "error tree", "one_block"));
	assert_true(found(&f, "CRC", NULL));
}

static void block_used_by_two_files_is_reported(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	fresh(PLAIN201);
	struct tr_where a = tr_locate(img, "/dir/big.bin");
	struct tr_where c = tr_locate(img, "/dir/one_block");
	tr_rw_block(img, c.fe_abs, b, false);
	put_le32(b + tr_ad_offset(b) + 4, a.ext0.lbn);
	tr_retag(b);
	tr_rw_block(img, c.fe_abs, b, true);
	discfs_fsck_result r = run(0, &f);
	assert_true(r.errors >= 1);
	assert_true(found(&f, "used twice", NULL));
}

static uint64_t bitmap_block(void)
{
	discfs_error e = { 0 };
	struct udf_vol *v = tr_open(img, &e);
	uint64_t abs;
	assert_non_null(v);
	const struct udf_pd *pd = &v->pds[v->maps[v->phys_map].pd];
	assert_true(pd->bitmap_len > 0);
	assert_int_equal(udf_map_block(v, (uint16_t)v->phys_map, pd->bitmap_lbn,
				       &abs, &e), 0);
	udf_vol_close(v);
	return abs;
}

static void used_block_marked_free_is_repaired(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	fresh(PLAIN102);
	struct tr_where w = tr_locate(img, "/dir/big.bin");
	uint64_t sbd = bitmap_block();
	uint32_t lbn = w.ext0.lbn;
	tr_rw_block(img, sbd, b, false);
	b[24 + lbn / 8] |= (uint8_t)(1u << (lbn % 8)); /* "free" */
	tr_retag(b);
	tr_rw_block(img, sbd, b, true);

	discfs_fsck_result r = run(0, &f);
	assert_true(found(&f, "error space", "marked free"));
	assert_int_equal(r.repaired, 0);
	r = run(DISCFS_FSCK_REPAIR, &f);
	assert_true(r.repaired >= 1);
	r = run(0, &f);
	if (r.errors)
		dump(&f);
	assert_int_equal(r.errors, 0);
	tr_rw_block(img, sbd, b, false);
	assert_int_equal(b[24 + lbn / 8] & (1u << (lbn % 8)), 0);
}

static void wrong_lvid_counts_are_repaired(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	discfs_error e = { 0 };
	fresh(PLAIN201);
	struct udf_vol *v = tr_open(img, &e);
	assert_non_null(v);
	uint64_t at = v->lvid_loc;
	unsigned n = v->n_maps;
	udf_vol_close(v);
	tr_rw_block(img, at, b, false);
	size_t iu = 80 + 8 * n;
	uint32_t files = get_le32(b + iu + 32);
	put_le32(b + iu + 32, files + 5);
	tr_retag(b);
	tr_rw_block(img, at, b, true);

	discfs_fsck_result r = run(0, &f);
	assert_true(found(&f, "error lvid", "files"));
	r = run(DISCFS_FSCK_REPAIR, &f);
	assert_true(r.repaired >= 1);
	r = run(0, &f);
	assert_int_equal(r.errors, 0);
	tr_rw_block(img, at, b, false);
	assert_int_equal(get_le32(b + iu + 32), files);
}

/* mkudffs' VAT images have a partition that spans the medium, so there is
 * room after the VAT (our own images end the partition at the VAT). */
static bool mkudffs_vat(const char *rev)
{
	char cmd[9000];
	if (system("command -v mkudffs >/dev/null 2>&1"))
		return false;
	int n = snprintf(cmd, sizeof cmd, "rm -f '%s' && truncate -s 8M '%s' && "
			 "mkudffs -b 2048 --media-type=dvdr --udfrev=%s '%s' "
			 ">/dev/null 2>&1", img, img, rev, img);
	assert_true(n > 0 && (size_t)n < sizeof cmd);
	assert_int_equal(system(cmd), 0);
	return true;
}

static void damaged_last_vat_is_repaired_by_appending_a_copy(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	discfs_error e = { 0 };
	if (!mkudffs_vat("2.01"))
		skip();
	struct udf_vol *v = tr_open(img, &e);
	assert_non_null(v);
	uint64_t vat = udf_vol_info(v)->vat_block;
	udf_vol_close(v);
	/* a later VAT write that was torn: a copy of the VAT ICB, bad CRC */
	tr_rw_block(img, vat, b, false);
	b[100] ^= 0xFF;
	tr_rw_block(img, vat + 1, b, true);

	discfs_fsck_result r = run(0, &f);
	assert_true(found(&f, "error vat", "last recorded block"));
	assert_int_equal(r.repaired, 0);
	r = run(DISCFS_FSCK_REPAIR, &f);
	if (!found(&f, "error vat", "appended"))
		dump(&f);
	assert_true(found(&f, "error vat", "appended"));
	assert_int_equal(r.repaired, 1);
	r = run(0, &f);
	if (r.errors)
		dump(&f);
	assert_int_equal(r.errors, 0);
	/* the new last block is a valid VAT that the reader uses */
	v = tr_open(img, &e);
	assert_non_null(v);
	assert_int_equal(udf_vol_info(v)->vat_block, vat + 2);
	udf_vol_close(v);
}

static void vat_with_no_room_after_it_is_reported_unrepaired(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	struct stat st;
	fresh(VAT250);
	assert_int_equal(stat(img, &st), 0);
	uint64_t n = (uint64_t)st.st_size / TR_BS;
	tr_rw_block(img, n - 1, b, false);
	b[100] ^= 0xFF;
	tr_rw_block(img, n, b, true);
	discfs_fsck_result r = run(DISCFS_FSCK_REPAIR, &f);
	assert_true(found(&f, "error vat", "last recorded block"));
	assert_int_equal(r.repaired, 0);
	assert_int_equal(r.errors, 1);
}

static void vat_entry_outside_the_partition_is_reported(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	struct stat st;
	fresh(VAT201);
	assert_int_equal(stat(img, &st), 0);
	uint64_t n = (uint64_t)st.st_size / TR_BS;
	tr_rw_block(img, n - 1, b, false);
	assert_true((get_le16(b + 16 + 18) & 7) == 3); /* VAT held in the ICB */
	size_t o = tr_ad_offset(b);
	uint32_t l_hd = get_le16(b + o);
	/* the last entry: assumed unused by the tree (highest virtual block
	 * may be used; any entry works for the "outside" check) */
	uint32_t l_ad = get_le32(b + (get_le16(b) == TAG_EFE ? 212 : 172));
	put_le32(b + o + l_ad - 4, 0x00FFFFF0u);
	(void)l_hd;
	tr_retag(b);
	tr_rw_block(img, n - 1, b, true);
	discfs_fsck_result r = run(0, &f);
	assert_true(r.errors >= 1);
	assert_true(found(&f, "error vat", "outside the partition"));
}

static void directory_loop_is_reported(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	fresh(PLAIN201);
	struct tr_where root = tr_locate(img, "/");
	struct tr_where d = tr_locate(img, "/dir");
	uint64_t at = d.inline_data ? d.fe_abs : d.ext0_abs;
	tr_rw_block(img, at, b, false);
	size_t o = d.inline_data ? tr_ad_offset(b) : 0;
	bool done = false;
	while (o + 38 <= TR_BS && get_le16(b + o) == TAG_FID && !done) {
		uint8_t *p = b + o;
		size_t liu = get_le16(p + 36);
		if (p[19] == 4 && !memcmp(p + 38 + liu + 1, "sub", 3)) {
			put_le32(p + 24, root.icb.lbn);
			put_le16(p + 28, root.icb.part);
			tr_retag(p);
			done = true;
		}
		o += ecma_fid_size((unsigned)liu, p[19]);
	}
	assert_true(done);
	if (d.inline_data)
		tr_retag(b);
	tr_rw_block(img, at, b, true);
	discfs_fsck_result r = run(0, &f);
	assert_true(r.errors >= 1);
	assert_true(found(&f, "error tree", "loop") ||
		    found(&f, "error tree", "second time"));
}

static void damaged_anchor_and_main_vds_are_reported(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	discfs_error e = { 0 };
	fresh(PLAIN201);
	struct udf_vol *v = tr_open(img, &e);
	assert_non_null(v);
	uint64_t vds = v->vds_loc[0];
	udf_vol_close(v);
	tr_rw_block(img, 256, b, false);
	b[30] ^= 1;
	tr_rw_block(img, 256, b, true);
	tr_rw_block(img, vds, b, false);
	b[30] ^= 1;
	tr_rw_block(img, vds, b, true);
	discfs_fsck_result r = run(0, &f);
	assert_true(r.opened); /* other anchor, reserve VDS */
	assert_true(found(&f, "error anchor", "256"));
	assert_true(found(&f, "error vds", "main"));
}

static void zeros_are_reported_not_crashed_on(void **state)
{
	(void)state;
	struct findings f;
	fresh(PLAIN201);
	assert_int_equal(truncate(img, 0), 0);
	assert_int_equal(truncate(img, 1 << 20), 0);
	discfs_fsck_result r = run(0, &f);
	assert_false(r.opened);
	assert_int_equal(r.errors, 1);
	assert_true(found(&f, "error volume", "anchor"));
}

/* In-memory block source with room to grow (repairs may append). */
struct mem_src {
	uint8_t *data;
	uint64_t cap;
};

static int mem_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		    discfs_error *err)
{
	struct mem_src *m = ctx;
	(void)err;
	memcpy(buf, m->data + lba * TR_BS, (size_t)count * TR_BS);
	return 0;
}

static int mem_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		     discfs_error *err)
{
	struct mem_src *m = ctx;
	(void)err;
	if (lba + count > m->cap)
		return -DISCFS_EIO;
	memcpy(m->data + lba * TR_BS, buf, (size_t)count * TR_BS);
	return 0;
}

static void count_issue(void *user, const discfs_fsck_issue *is)
{
	assert_true(is->msg[0] != 0);
	assert_non_null(is->area);
	(*(unsigned *)user)++;
}

static void random_damage_never_crashes_check_or_repair(void **state)
{
	(void)state;
	const int kinds_used[4] = { PLAIN102, SPARABLE, VAT201, META250 };
	uint32_t x = 777;
	unsigned runs = 0, issues = 0;
	for (int k = 0; k < 4; k++) {
		struct stat st;
		assert_int_equal(stat(base[kinds_used[k]], &st), 0);
		uint64_t blocks = (uint64_t)st.st_size / TR_BS;
		uint8_t *orig = malloc((size_t)st.st_size);
		FILE *fp = fopen(base[kinds_used[k]], "rb");
		assert_non_null(orig);
		assert_non_null(fp);
		assert_int_equal(fread(orig, 1, (size_t)st.st_size, fp), (size_t)st.st_size);
		fclose(fp);
		struct mem_src m = { malloc((size_t)(blocks + 64) * TR_BS), blocks + 64 };
		assert_non_null(m.data);
		for (int it = 0; it < 120; it++) {
			memset(m.data, 0, (size_t)m.cap * TR_BS);
			memcpy(m.data, orig, (size_t)st.st_size);
			for (int f = 0; f < 3; f++) {
				x = x * 1103515245u + 12345u;
				uint64_t blk = (x >> 8) % 3 ? 16 + (x >> 11) % 400
							    : (x >> 11) % blocks;
				x = x * 1103515245u + 12345u;
				uint8_t *p = m.data + blk * TR_BS;
				p[(x >> 6) % 512] ^= (uint8_t)(1u << (x >> 3) % 8);
				if (x & 1 && get_le16(p + 10) + 16u <= TR_BS)
					tr_retag(p);
			}
			struct udf_bsrc s = { .ctx = &m, .block_size = TR_BS,
					      .n_blocks = blocks,
					      .last_recorded = blocks - 1,
					      .read = mem_read,
					      .write = (it & 1) ? mem_write : NULL };
			discfs_fsck_result r;
			udf_fsck_src(&s, (it & 1) ? DISCFS_FSCK_REPAIR : 0,
				     count_issue, &issues, &r);
			assert_true(s.n_blocks <= m.cap);
			runs++;
		}
		free(m.data);
		free(orig);
	}
	print_message("fsck on damaged volumes: %u runs, %u findings\n", runs,
		      issues);
	assert_int_equal(runs, 480);
}

static void unreachable_file_entry_is_reported(void **state)
{
	(void)state;
	struct findings f;
	uint8_t b[TR_BS];
	fresh(PLAIN102); /* has a space bitmap */
	struct tr_where d = tr_locate(img, "/dir");
	uint64_t at = d.inline_data ? d.fe_abs : d.ext0_abs;
	tr_rw_block(img, at, b, false);
	size_t o = d.inline_data ? tr_ad_offset(b) : 0;
	bool done = false;
	while (o + 38 <= TR_BS && get_le16(b + o) == TAG_FID && !done) {
		uint8_t *p = b + o;
		size_t liu = get_le16(p + 36);
		if (p[19] == 10 && !memcmp(p + 38 + liu + 1, "one_block", 9)) {
			p[18] |= FID_DELETED;
			tr_retag(p);
			done = true;
		}
		o += ecma_fid_size((unsigned)liu, p[19]);
	}
	assert_true(done);
	if (d.inline_data)
		tr_retag(b);
	tr_rw_block(img, at, b, true);
	run(0, &f);
	if (!found(&f, "not reachable", NULL))
		dump(&f);
	assert_true(found(&f, "warning tree", "not reachable"));
	assert_true(found(&f, "warning space", "nothing refers"));
	assert_true(found(&f, "error lvid", "files"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_volumes_of_every_layout_have_no_errors),
		cmocka_unit_test(damaged_file_entry_is_reported_in_the_tree),
		cmocka_unit_test(block_used_by_two_files_is_reported),
		cmocka_unit_test(used_block_marked_free_is_repaired),
		cmocka_unit_test(wrong_lvid_counts_are_repaired),
		cmocka_unit_test(damaged_last_vat_is_repaired_by_appending_a_copy),
		cmocka_unit_test(vat_with_no_room_after_it_is_reported_unrepaired),
		cmocka_unit_test(vat_entry_outside_the_partition_is_reported),
		cmocka_unit_test(directory_loop_is_reported),
		cmocka_unit_test(unreachable_file_entry_is_reported),
		cmocka_unit_test(damaged_anchor_and_main_vds_are_reported),
		cmocka_unit_test(zeros_are_reported_not_crashed_on),
		cmocka_unit_test(random_damage_never_crashes_check_or_repair),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
