/*
 * tests/unit/test_udf_read.c - the UDF reader on well-formed volumes of
 * every layout (plain 1.02/2.01, VAT 2.01/2.50, sparable 1.50, metadata
 * 2.50/2.60) mastered at test time, compared byte for byte with the source
 * tree; VAT scanning, reserve VDS and metadata mirror fallbacks; sparing
 * remaps.  Hostile volumes are in test_udf_read_hostile.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "test_udf_read_helpers.h"

struct layout_case {
	unsigned rev;
	const char *media;
	enum udf_layout layout;
	char img[4200];
};

static struct layout_case cases[] = {
	{ 0x0102, NULL, UDF_LAYOUT_PLAIN, "" },
	{ 0x0201, NULL, UDF_LAYOUT_PLAIN, "" },
	{ 0x0150, "cd-rw", UDF_LAYOUT_SPARABLE, "" },
	{ 0x0201, "cd-r", UDF_LAYOUT_VAT, "" },
	{ 0x0250, "bd-r", UDF_LAYOUT_VAT, "" },
	{ 0x0250, NULL, UDF_LAYOUT_METADATA, "" },
	{ 0x0260, "bd-re", UDF_LAYOUT_METADATA, "" },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static char *tmp;
static char src[4200];

static int setup(void **state)
{
	(void)state;
	tmp = tr_tmpdir();
	tr_path(src, sizeof src, tmp, "src");
	mkdir(src, 0755);
	tr_make_tree(src);
	for (size_t i = 0; i < N_CASES; i++) {
		char name[64];
		snprintf(name, sizeof name, "case%zu.udf", i);
		tr_path(cases[i].img, sizeof cases[i].img, tmp, name);
		tr_make_image(src, cases[i].img, cases[i].rev, cases[i].media);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tr_rm_rf(tmp);
	free(tmp);
	return 0;
}

/* Copies case i to a scratch image the test may damage. */
static void scratch(size_t i, char *out, size_t cap)
{
	char cmd[9000];
	tr_path(out, cap, tmp, "scratch.udf");
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", cases[i].img, out);
	assert_int_equal(system(cmd), 0);
}

static void check_tree(struct udf_vol *v)
{
	struct udf_inode *ino;
	discfs_error e = { 0 };
	char target[256];

	tr_expect_content(v, "/hello.txt", 13, 7);
	tr_expect_content(v, "empty", 0, 0);
	tr_expect_content(v, "/dir/sub/deep.bin", 5000, 1);
	tr_expect_content(v, "/dir/big.bin", 300000, 2);
	tr_expect_content(v, "dir/one_block", 2048, 3);
	tr_expect_content(v, "/\xc3\xbcn\xc3\xaf \xe2\x82\xac.txt", 3, 4);
	tr_expect_content(v, "/dir/sub/../../hard", 13, 7);

	assert_int_equal(udf_lookup(v, "/link", &ino, &e), 0);
	assert_true(S_ISLNK(ino->st.mode));
	assert_int_equal(udf_readlink(v, ino, target, sizeof target, &e), 0);
	assert_string_equal(target, "dir/big.bin");
	udf_inode_free(ino);
	assert_int_equal(udf_lookup(v, "/abslink", &ino, &e), 0);
	assert_int_equal(udf_readlink(v, ino, target, sizeof target, &e), 0);
	assert_string_equal(target, "/etc/passwd");
	udf_inode_free(ino);

	assert_int_equal(udf_lookup(v, "/dir/sub/deep.bin", &ino, &e), 0);
	assert_int_equal(ino->st.mode & 07777, 0640);
	assert_true(S_ISREG(ino->st.mode));
	udf_inode_free(ino);
	assert_int_equal(udf_lookup(v, "/dir/sub", &ino, &e), 0);
	assert_true(S_ISDIR(ino->st.mode));
	assert_int_equal(ino->st.mode & 07777, 0750);
	udf_inode_free(ino);

	/* hard links: one file entry, two names */
	struct udf_inode *a, *b;
	assert_int_equal(udf_lookup(v, "/hello.txt", &a, &e), 0);
	assert_int_equal(udf_lookup(v, "/hard", &b, &e), 0);
	assert_true(a->st.ino == b->st.ino);
	assert_int_equal(a->st.nlink, 2);
	udf_inode_free(a);
	udf_inode_free(b);
}

static void reads_every_layout_like_the_source_tree(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CASES; i++) {
		discfs_error e = { 0 };
		struct udf_vol *v = tr_open(cases[i].img, &e);
		if (!v)
			fail_msg("case %zu: %s", i, e.msg);
		assert_int_equal(udf_vol_info(v)->layout, cases[i].layout);
		assert_int_equal(udf_vol_info(v)->udf_rev, cases[i].rev);
		check_tree(v);
		udf_vol_close(v);
	}
}

struct count_ctx {
	unsigned entries, dirs;
	bool saw_hello;
};

static int count_one(void *arg, const struct udf_dirent *d)
{
	struct count_ctx *c = arg;
	c->entries++;
	if (d->characteristics & FID_DIRECTORY)
		c->dirs++;
	if (!strcmp(d->name, "hello.txt"))
		c->saw_hello = true;
	return 0;
}

static void readdir_lists_root_without_parent_entry(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	struct udf_vol *v = tr_open(cases[1].img, &e);
	struct udf_inode *root;
	struct count_ctx c = { 0 };
	assert_non_null(v);
	assert_int_equal(udf_inode_get(v, udf_vol_root(v), &root, &e), 0);
	assert_int_equal(udf_readdir(v, root, count_one, &c, &e), 0);
	/* dir, hello.txt, empty, ünï €.txt, link, abslink, hard */
	assert_int_equal(c.entries, 7);
	assert_int_equal(c.dirs, 1);
	assert_true(c.saw_hello);
	udf_inode_free(root);
	udf_vol_close(v);
}

static void lookup_of_missing_path_is_enoent(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	struct udf_vol *v = tr_open(cases[1].img, &e);
	struct udf_inode *ino = NULL;
	assert_non_null(v);
	assert_int_equal(udf_lookup(v, "/dir/nope", &ino, &e), -DISCFS_ENOENT);
	assert_non_null(strstr(e.msg, "/dir/nope"));
	assert_int_equal(udf_lookup(v, "/hello.txt/x", &ino, &e), -DISCFS_ENOENT);
	udf_vol_close(v);
}

static void read_at_offsets_and_past_the_end(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	struct udf_vol *v = tr_open(cases[4].img, &e);
	struct udf_inode *ino;
	uint8_t want[300000], buf[10000];
	size_t got;
	assert_non_null(v);
	tr_fill(want, sizeof want, 2);
	assert_int_equal(udf_lookup(v, "/dir/big.bin", &ino, &e), 0);
	assert_int_equal(udf_read(v, ino, 2047, buf, 5000, &got, &e), 0);
	assert_int_equal(got, 5000);
	assert_memory_equal(buf, want + 2047, 5000);
	assert_int_equal(udf_read(v, ino, 299990, buf, 100, &got, &e), 0);
	assert_int_equal(got, 10);
	assert_memory_equal(buf, want + 299990, 10);
	assert_int_equal(udf_read(v, ino, 400000, buf, 100, &got, &e), 0);
	assert_int_equal(got, 0);
	udf_inode_free(ino);
	assert_int_equal(udf_lookup(v, "/dir", &ino, &e), 0);
	assert_int_equal(udf_read(v, ino, 0, buf, 10, &got, &e), -DISCFS_EINVAL);
	udf_inode_free(ino);
	udf_vol_close(v);
}

static void vat_is_found_behind_trailing_garbage_and_zeros(void **state)
{
	(void)state;
	char img[4200];
	uint8_t b[TR_BS];
	discfs_error e = { 0 };
	scratch(3, img, sizeof img);
	struct stat st;
	assert_int_equal(stat(img, &st), 0);
	uint64_t n = (uint64_t)st.st_size / TR_BS;
	/* a few damaged blocks after the VAT (a torn last write) ... */
	memset(b, 0xA5, sizeof b);
	for (int i = 0; i < 5; i++)
		tr_rw_block(img, n + (uint64_t)i, b, true);
	/* ... and a zero tail such as an unfinished image file has */
	assert_int_equal(truncate(img, (off_t)((n + 5 + 100) * TR_BS)), 0);
	struct udf_vol *v = tr_open(img, &e);
	if (!v)
		fail_msg("%s", e.msg);
	assert_int_equal(udf_vol_info(v)->vat_block, n - 1);
	check_tree(v);
	udf_vol_close(v);
}

static void vat_search_gives_up_after_its_window(void **state)
{
	(void)state;
	char img[4200];
	uint8_t b[TR_BS];
	discfs_error e = { 0 };
	scratch(3, img, sizeof img);
	struct stat st;
	assert_int_equal(stat(img, &st), 0);
	uint64_t n = (uint64_t)st.st_size / TR_BS;
	memset(b, 0x5A, sizeof b);
	for (uint64_t i = 0; i < UDF_VAT_SCAN + 8; i++)
		tr_rw_block(img, n + i, b, true);
	assert_null(tr_open(img, &e));
	assert_int_equal(e.code, DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "no VAT found"));
}

static void reserve_vds_is_used_when_the_main_one_is_damaged(void **state)
{
	(void)state;
	char img[4200];
	uint8_t b[TR_BS];
	discfs_error e = { 0 };
	scratch(1, img, sizeof img);
	struct udf_vol *v = tr_open(img, &e);
	assert_non_null(v);
	uint64_t main0 = v->vds_loc[0];
	udf_vol_close(v);
	tr_rw_block(img, main0, b, false);
	b[20] ^= 0xFF; /* breaks the CRC of the first main descriptor */
	tr_rw_block(img, main0, b, true);
	v = tr_open(img, &e);
	if (!v)
		fail_msg("%s", e.msg);
	assert_int_equal(v->vds_used, 1);
	check_tree(v);
	udf_vol_close(v);
}

static void metadata_mirror_is_used_when_the_main_file_is_damaged(void **state)
{
	(void)state;
	char img[4200];
	uint8_t b[TR_BS];
	discfs_error e = { 0 };
	scratch(5, img, sizeof img);
	struct udf_vol *v = tr_open(img, &e);
	assert_non_null(v);
	unsigned mi = 0;
	while (v->maps[mi].kind != MAPK_METADATA)
		mi++;
	uint64_t fe_abs;
	assert_int_equal(udf_map_block(v, (uint16_t)v->maps[mi].phys,
				       v->maps[mi].meta_loc[0], &fe_abs, &e), 0);
	udf_vol_close(v);
	tr_rw_block(img, fe_abs, b, false);
	b[4] ^= 0x55; /* tag checksum */
	tr_rw_block(img, fe_abs, b, true);
	v = tr_open(img, &e);
	if (!v)
		fail_msg("%s", e.msg);
	assert_int_equal(v->maps[mi].meta_used, 1);
	check_tree(v);
	udf_vol_close(v);
}

static void sparing_table_remaps_a_moved_packet(void **state)
{
	(void)state;
	char img[4200];
	discfs_error e = { 0 };
	scratch(2, img, sizeof img);
	struct tr_where w = tr_locate(img, "/dir/big.bin");
	struct udf_vol *v = tr_open(img, &e);
	assert_non_null(v);
	const struct udf_map *m = &v->maps[v->phys_map];
	assert_int_equal(m->kind, MAPK_SPARABLE);
	assert_true(m->n_spare > 0);
	uint32_t plen = m->packet_len, pkt = w.ext0.lbn - w.ext0.lbn % plen;
	uint32_t spare = m->spare_mapped[0];
	assert_true(spare > pkt && spare < UDF_SPARE_DEFECTIVE);
	assert_int_equal(m->spare_orig[0], UDF_SPARE_FREE);
	uint64_t pstart = v->pds[m->pd].start;
	uint32_t ntab = m->n_tables, tloc[4];
	memcpy(tloc, m->table_loc, sizeof tloc);
	udf_vol_close(v);

	/* move the packet to the first spare packet and wipe the original */
	uint8_t b[TR_BS], zero[TR_BS] = { 0 };
	for (uint32_t i = 0; i < plen; i++) {
		tr_rw_block(img, pstart + pkt + i, b, false);
		tr_rw_block(img, (uint64_t)spare + i, b, true);
		tr_rw_block(img, pstart + pkt + i, zero, true);
	}
	for (uint32_t t = 0; t < ntab; t++) {
		tr_rw_block(img, tloc[t], b, false);
		put_le32(b + 56, pkt); /* entry 0: original = packet start */
		tr_retag(b);
		tr_rw_block(img, tloc[t], b, true);
	}
	v = tr_open(img, &e);
	if (!v)
		fail_msg("%s", e.msg);
	tr_expect_content(v, "/dir/big.bin", 300000, 2);
	udf_vol_close(v);
}

static void public_api_lists_stats_and_reads(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	discfs_volume *vol;
	discfs_volume_info info;
	discfs_stat st;
	discfs_file *f;
	char buf[64], target[64];
	size_t got;
	assert_int_equal(discfs_volume_open(cases[3].img, &vol, &e), 0);
	discfs_volume_info_get(vol, &info);
	assert_int_equal(info.layout, DISCFS_LAYOUT_VAT);
	assert_int_equal(info.udf_revision, 0x0201);
	assert_int_equal(discfs_volume_stat(vol, "/hello.txt", &st, &e), 0);
	assert_int_equal(st.size, 13);
	assert_int_equal(discfs_file_open(vol, "/hello.txt", &f, &e), 0);
	assert_int_equal(discfs_file_read(f, 0, buf, sizeof buf, &got, &e), 0);
	assert_int_equal(got, 13);
	discfs_file_close(f);
	assert_int_equal(discfs_file_open(vol, "/dir", &f, &e), -DISCFS_EINVAL);
	assert_int_equal(discfs_volume_readlink(vol, "/link", target,
						sizeof target, &e), 0);
	assert_string_equal(target, "dir/big.bin");
	discfs_volume_close(vol);
	assert_int_equal(discfs_volume_open("/nonexistent/x.udf", &vol, &e),
			 -DISCFS_ENOENT);
}

/* A mkudffs volume with one 300000-byte file put in by udfclient (they
 * leave lots of free space to build allocation extents in).  Returns
 * false when the tools are missing. */
static bool mkudffs_with_file(char *out, size_t cap)
{
	char cmd[13000], file[4300];
	if (system("command -v mkudffs >/dev/null 2>&1 && "
		   "command -v udfclient >/dev/null 2>&1"))
		return false;
	tr_path(out, cap, tmp, "mk.udf");
	tr_path(file, sizeof file, tmp, "big.bin");
	tr_write_file(file, 300000, 2);
	int n = snprintf(cmd, sizeof cmd,
		"rm -f '%s' && truncate -s 32M '%s' && "
		"mkudffs -b 2048 --media-type=hd --udfrev=2.01 '%s' >/dev/null 2>&1 && "
		"vol=$(printf 'ls\\nquit\\n' | udfclient -b 2048 '%s' 2>/dev/null | "
		"awk '/^drwx/{print $NF; exit}') && "
		"printf 'cd \"%%s\"\\nlcd %s\\nput big.bin\\nsync\\nquit\\n' \"$vol\" | "
		"udfclient -b 2048 -W '%s' >/dev/null 2>&1",
		out, out, out, out, tmp, out);
	assert_true(n > 0 && (size_t)n < sizeof cmd);
	assert_int_equal(system(cmd), 0);
	return true;
}

struct ad { uint32_t len; uint8_t type; uint32_t lbn; uint16_t part; };

/* Replaces the ADs of the FE at abs with ads[] in the given AD type. */
static void rewrite_ads(const char *path, uint64_t abs, unsigned adtype,
			const struct ad *ads, unsigned n)
{
	uint8_t b[TR_BS];
	tr_rw_block(path, abs, b, false);
	bool efe = get_le16(b) == TAG_EFE;
	size_t o = tr_ad_offset(b);
	unsigned sz = adtype == 0 ? 8 : adtype == 1 ? 16 : 20;
	memset(b + o, 0, TR_BS - o);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *a = b + o + i * sz;
		put_le32(a, (uint32_t)ads[i].type << 30 | ads[i].len);
		if (adtype == 0) {
			put_le32(a + 4, ads[i].lbn);
		} else if (adtype == 1) {
			put_le32(a + 4, ads[i].lbn);
			put_le16(a + 8, ads[i].part);
		} else {
			put_le32(a + 4, ads[i].len);
			put_le32(a + 8, ads[i].len);
			put_le32(a + 12, ads[i].lbn);
			put_le16(a + 16, ads[i].part);
		}
	}
	uint16_t flags = get_le16(b + 34);
	put_le16(b + 34, (uint16_t)((flags & ~7u) | adtype));
	put_le32(b + (efe ? 212 : 172), n * sz);
	put_le16(b + 10, (uint16_t)(o + n * sz - 16));
	tr_retag(b);
	tr_rw_block(path, abs, b, true);
}

static void allocation_extent_chain_and_extended_ads_are_followed(void **state)
{
	(void)state;
	char img[4300];
	discfs_error e = { 0 };
	if (!mkudffs_with_file(img, sizeof img))
		skip();
	struct tr_where w = tr_locate(img, "/big.bin");
	assert_true(w.has_ext && w.ext0.len >= 300000);
	struct udf_vol *v = tr_open(img, &e);
	assert_non_null(v);
	uint32_t plen = v->pds[v->maps[v->phys_map].pd].length;
	uint64_t pstart = v->pds[v->maps[v->phys_map].pd].start;
	udf_vol_close(v);
	uint32_t lbn = w.ext0.lbn, part = w.ext0.part;
	uint32_t free_blk = plen - 100; /* far beyond the little data written */

	/* 1) three extents: 10 blocks, then an AED holding the rest in two */
	struct ad head[2] = {
		{ 10 * TR_BS, 0, lbn, (uint16_t)part },
		{ TR_BS, 3, free_blk, (uint16_t)part },
	};
	rewrite_ads(img, w.fe_abs, 1, head, 2);
	uint8_t a[TR_BS] = { 0 };
	put_le32(a + 20, 32);
	put_le32(a + 24, 20 * TR_BS);
	put_le32(a + 28, lbn + 10);
	put_le16(a + 32, (uint16_t)part);
	put_le32(a + 40, 300000 - 30 * TR_BS);
	put_le32(a + 44, lbn + 30);
	put_le16(a + 48, (uint16_t)part);
	udf_tag_make(a, 24 + 32, TAG_AED, 3, 1, free_blk);
	tr_rw_block(img, pstart + free_blk, a, true);
	v = tr_open(img, &e);
	assert_non_null(v);
	struct udf_inode *ino;
	assert_int_equal(udf_lookup(v, "/big.bin", &ino, &e), 0);
	assert_int_equal(ino->n_ext, 3);
	assert_int_equal(ino->n_aed, 1);
	udf_inode_free(ino);
	tr_expect_content(v, "/big.bin", 300000, 2);
	udf_vol_close(v);

	/* 2) the same data through two extended ADs */
	struct ad ext[2] = {
		{ 7 * TR_BS, 0, lbn, (uint16_t)part },
		{ 300000 - 7 * TR_BS, 0, lbn + 7, (uint16_t)part },
	};
	rewrite_ads(img, w.fe_abs, 2, ext, 2);
	v = tr_open(img, &e);
	assert_non_null(v);
	tr_expect_content(v, "/big.bin", 300000, 2);
	udf_vol_close(v);

	/* 3) a sparse hole (not allocated) reads as zeros */
	struct ad hole[2] = {
		{ 4 * TR_BS, 2, 0, (uint16_t)part },
		{ 300000 - 4 * TR_BS, 0, lbn + 4, (uint16_t)part },
	};
	rewrite_ads(img, w.fe_abs, 0, hole, 2);
	v = tr_open(img, &e);
	assert_non_null(v);
	uint8_t *got = NULL;
	size_t n = 0;
	uint8_t want[300000];
	tr_fill(want, sizeof want, 2);
	memset(want, 0, 4 * TR_BS);
	assert_int_equal(tr_read_all(v, "/big.bin", &got, &n, &e), 0);
	assert_int_equal(n, 300000);
	assert_memory_equal(got, want, 300000);
	free(got);
	udf_vol_close(v);
}

static void vat_150_volume_of_our_writer_reads(void **state)
{
	(void)state;
	char img[4300];
	discfs_error e = { 0 };
	tr_path(img, sizeof img, tmp, "vat150.udf");
	tr_make_image(src, img, 0x0150, "cd-r");
	struct udf_vol *v = tr_open(img, &e);
	if (!v)
		fail_msg("%s", e.msg);
	assert_int_equal(udf_vol_info(v)->layout, UDF_LAYOUT_VAT);
	unsigned mi = 0;
	while (v->maps[mi].kind != MAPK_VIRTUAL)
		mi++;
	assert_int_equal(v->maps[mi].vat_rev, 0x0150);
	check_tree(v);
	udf_vol_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_every_layout_like_the_source_tree),
		cmocka_unit_test(readdir_lists_root_without_parent_entry),
		cmocka_unit_test(lookup_of_missing_path_is_enoent),
		cmocka_unit_test(read_at_offsets_and_past_the_end),
		cmocka_unit_test(vat_is_found_behind_trailing_garbage_and_zeros),
		cmocka_unit_test(vat_search_gives_up_after_its_window),
		cmocka_unit_test(reserve_vds_is_used_when_the_main_one_is_damaged),
		cmocka_unit_test(metadata_mirror_is_used_when_the_main_file_is_damaged),
		cmocka_unit_test(sparing_table_remaps_a_moved_packet),
		cmocka_unit_test(public_api_lists_stats_and_reads),
		cmocka_unit_test(allocation_extent_chain_and_extended_ads_are_followed),
		cmocka_unit_test(vat_150_volume_of_our_writer_reads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
