/*
 * tests/unit/test_udf_mkimage.c - the mastering engine, read back through
 * the on-disc structures: anchors, descriptor sequences, FSD, ICBs, FID
 * streams, VAT, sparing tables, metadata mirror, large files, names,
 * determinism, streaming order and every error path of the API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discfs.h"
#include "udf/cs0.h"
#include "udf/mk.h"
#include "udf/ecma167.h"
#include "udf/ident.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "util/bytes.h"

#define BS 2048u

/* ------------------------------------------------------------ helpers */

static char *mktree(void)
{
	char tmpl[] = "/tmp/test_udf_mkimage.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void put_file(const char *dir, const char *name, const char *content)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void rm_tree(const char *d)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

struct mem {
	uint8_t *p;
	uint64_t blocks;
	uint64_t stop_at; /* 0 = never */
	bool out_of_order;
};

static int mem_sink(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
		    discfs_error *err)
{
	struct mem *m = ctx;
	(void)err;
	if (lba != m->blocks)
		m->out_of_order = true;
	if (m->stop_at && lba + n > m->stop_at)
		return -DISCFS_ECANCELED;
	m->p = realloc(m->p, (size_t)(lba + n) * BS);
	assert_non_null(m->p);
	memcpy(m->p + lba * BS, data, (size_t)n * BS);
	m->blocks = lba + n;
	return 0;
}

static struct mem produce(const char *dir, const discfs_image_options *o)
{
	discfs_image *img;
	discfs_error e = { 0 };
	struct mem m = { 0 };
	discfs_image_stats st;
	int rc = discfs_image_open(dir, o, &img, &e);
	if (rc)
		fail_msg("open: %s", e.msg);
	rc = discfs_image_produce(img, mem_sink, &m, &e);
	if (rc)
		fail_msg("produce: %s", e.msg);
	discfs_image_stats_get(img, &st);
	assert_int_equal(st.blocks, m.blocks);
	assert_false(m.out_of_order);
	discfs_image_free(img);
	return m;
}

static const uint8_t *blk(const struct mem *m, uint64_t lba)
{
	assert_true(lba < m->blocks);
	return m->p + lba * BS;
}

static void opts_fixed(discfs_image_options *o)
{
	discfs_image_options_init(o);
	o->fixed_time_set = true;
	o->fixed_time = 1700000000;
}

/* The volume as a reader finds it: anchors -> VDS -> LVD/PD -> FSD. */
struct vol {
	const struct ecma_lvd *lvd;
	const struct ecma_pd *pd;
	uint32_t part_start;
	const uint8_t *maps;
	unsigned n_maps;
	uint32_t vat_icb_abs; /* VAT layout */
};

static void read_volume(const struct mem *m, struct vol *v)
{
	const uint8_t *a = blk(m, 256);
	assert_int_equal(udf_tag_verify(a, BS, TAG_AVDP, 256, NULL), 0);
	const struct ecma_avdp *avdp = (const void *)a;
	uint32_t vds = get_le32(avdp->main_vds.location);
	uint32_t len = get_le32(avdp->main_vds.length) / BS;
	memset(v, 0, sizeof(*v));
	for (uint32_t i = 0; i < len; i++) {
		const uint8_t *d = blk(m, vds + i);
		uint16_t id = get_le16(d);
		if (id == TAG_TD)
			break;
		assert_int_equal(udf_tag_verify(d, BS, -1, vds + i, NULL), 0);
		if (id == TAG_LVD)
			v->lvd = (const void *)d;
		if (id == TAG_PD)
			v->pd = (const void *)d;
	}
	assert_non_null(v->lvd);
	assert_non_null(v->pd);
	v->part_start = get_le32(v->pd->start);
	v->maps = (const uint8_t *)v->lvd + sizeof(struct ecma_lvd);
	v->n_maps = get_le32(v->lvd->num_maps);
}

static bool is_vat_layout(const struct vol *v)
{
	return v->n_maps == 2 && v->maps[6] == 2 &&
	       udf_regid_is((const struct ecma_regid *)(v->maps + 6 + 4), UDF_ID_VIRTUAL);
}

/* Absolute sector of (lbn, pref) for plain and VAT volumes. */
static uint32_t resolve(const struct mem *m, const struct vol *v, uint32_t lbn,
			uint16_t pref)
{
	if (pref == 0)
		return v->part_start + lbn;
	assert_true(is_vat_layout(v));
	const uint8_t *icb = blk(m, m->blocks - 1);
	const struct ecma_efe *e = (const void *)icb;
	assert_int_equal(e->icbtag.file_type, FT_VAT20);
	assert_int_equal(get_le16(e->icbtag.flags) & ICBF_AD_MASK, ICBF_AD_IN_ICB);
	const uint8_t *vat = icb + sizeof(*e);
	uint16_t l_hd = get_le16(vat);
	assert_true(4u * lbn + l_hd + 4 <= get_le32(e->l_ad));
	return v->part_start + get_le32(vat + l_hd + 4 * lbn);
}

/* Finds name in the FID stream of the directory whose ICB is at abs. */
static bool find_fid(const struct mem *m, const struct vol *v, uint32_t dir_abs,
		     const char *name, struct ecma_long_ad *out, uint8_t *chars)
{
	const uint8_t *icb = blk(m, dir_abs);
	bool efe = get_le16(icb) == TAG_EFE;
	size_t fixed = efe ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe);
	uint64_t size = get_le64(icb + 56);
	const struct ecma_long_ad *ad = (const void *)(icb + fixed);
	uint32_t s_lbn = get_le32(ad->loc.lbn);
	uint32_t s_abs = resolve(m, v, s_lbn, get_le16(ad->loc.part_ref));
	const uint8_t *s = blk(m, s_abs);
	for (uint64_t off = 0; off < size;) {
		const struct ecma_fid *f = (const void *)(s + off);
		/* a FID's tag never straddles a block boundary */
		assert_true(off / BS == (off + 15) / BS);
		unsigned l_iu = get_le16(f->l_iu), size1 = ecma_fid_size(l_iu, f->l_fi);
		assert_int_equal(udf_tag_verify(s + off, size1, TAG_FID,
						s_lbn + off / BS, NULL), 0);
		char nm[1024];
		assert_int_equal(udf_cs0_decode(s + off + 38 + l_iu, f->l_fi, nm,
						sizeof nm, NULL, NULL), 0);
		if (!strcmp(nm, name) && !(f->characteristics & FID_PARENT)) {
			*out = f->icb;
			*chars = f->characteristics;
			return true;
		}
		off += size1;
	}
	return false;
}

static uint32_t root_abs(const struct mem *m, const struct vol *v)
{
	const struct ecma_long_ad *fl = &v->lvd->fsd_loc;
	uint32_t lbn = get_le32(fl->loc.lbn);
	uint32_t abs = resolve(m, v, lbn, get_le16(fl->loc.part_ref));
	assert_int_equal(udf_tag_verify(blk(m, abs), BS, TAG_FSD, lbn, NULL), 0);
	const struct ecma_fsd *fsd = (const void *)blk(m, abs);
	lbn = get_le32(fsd->root_icb.loc.lbn);
	abs = resolve(m, v, lbn, get_le16(fsd->root_icb.loc.part_ref));
	assert_int_equal(udf_tag_verify(blk(m, abs), BS, -1, lbn, NULL), 0);
	return abs;
}

/* ------------------------------------------------------------- tests */

static void plain_image_has_anchors_vrs_and_a_readable_tree(void **state)
{
	(void)state;
	char *d = mktree();
	put_file(d, "b.txt", "bee");
	put_file(d, "a.txt", "ay");
	discfs_image_options o;
	opts_fixed(&o);
	o.label = "TESTVOL";
	struct mem m = produce(d, &o);

	assert_memory_equal(blk(&m, 16) + 1, "BEA01", 5);
	assert_memory_equal(blk(&m, 17) + 1, "NSR03", 5);
	assert_memory_equal(blk(&m, 18) + 1, "TEA01", 5);
	assert_int_equal(udf_tag_verify(blk(&m, m.blocks - 1), BS, TAG_AVDP,
					(int64_t)m.blocks - 1, NULL), 0);
	struct vol v;
	read_volume(&m, &v);
	char label[64];
	assert_int_equal(udf_dstring_get(v.lvd->lv_ident, 128, label, sizeof label, NULL), 0);
	assert_string_equal(label, "TESTVOL");
	assert_int_equal(get_le32(v.pd->access_type), PD_ACCESS_READ_ONLY);
	uint32_t r = root_abs(&m, &v);
	struct ecma_long_ad ad;
	uint8_t ch;
	assert_true(find_fid(&m, &v, r, "a.txt", &ad, &ch));
	uint32_t fabs = resolve(&m, &v, get_le32(ad.loc.lbn), get_le16(ad.loc.part_ref));
	const struct ecma_efe *fe = (const void *)blk(&m, fabs);
	assert_int_equal(get_le16(fe->tag.ident), TAG_EFE);
	assert_int_equal(get_le64(fe->info_length), 2);
	/* two bytes: stored inside the ICB */
	assert_int_equal(get_le16(fe->icbtag.flags) & ICBF_AD_MASK, ICBF_AD_IN_ICB);
	assert_memory_equal((const uint8_t *)fe + sizeof(*fe), "ay", 2);
	assert_false(find_fid(&m, &v, r, "c.txt", &ad, &ch));
	free(m.p);
	rm_tree(d);
	free(d);
}

static void output_is_deterministic_and_write_matches_produce(void **state)
{
	(void)state;
	char *d = mktree();
	put_file(d, "x", "content");
	char p[4200];
	snprintf(p, sizeof p, "%s/sub", d);
	mkdir(p, 0755);
	put_file(p, "y", "more");
	/* big enough for the image writer's copy_file_range path, odd tail */
	snprintf(p, sizeof p, "%s/big", d);
	FILE *bf = fopen(p, "wb");
	assert_non_null(bf);
	for (unsigned i = 0; i < 1600000 + 123; i++)
		fputc((int)((i * 2654435761u) >> 13 & 0xFF), bf);
	fclose(bf);
	discfs_image_options o;
	opts_fixed(&o);
	struct mem m1 = produce(d, &o), m2 = produce(d, &o);
	assert_int_equal(m1.blocks, m2.blocks);
	assert_memory_equal(m1.p, m2.p, m1.blocks * BS);

	discfs_image *img;
	discfs_error e = { 0 };
	char out[] = "/tmp/test_udf_mkimage.img.XXXXXX";
	int fd = mkstemp(out);
	close(fd);
	assert_int_equal(discfs_image_open(d, &o, &img, &e), 0);
	assert_int_equal(discfs_image_write(img, out, &e), 0);
	discfs_image_free(img);
	FILE *f = fopen(out, "rb");
	uint8_t *buf = malloc(m1.blocks * BS + 1);
	assert_int_equal(fread(buf, 1, m1.blocks * BS + 1, f), m1.blocks * BS);
	fclose(f);
	assert_memory_equal(buf, m1.p, m1.blocks * BS);
	unlink(out);
	free(buf);
	free(m1.p);
	free(m2.p);
	rm_tree(d);
	free(d);
}

static void vat_image_ends_at_the_vat_icb_that_maps_the_fsd(void **state)
{
	(void)state;
	char *d = mktree();
	put_file(d, "f", "data");
	discfs_image_options o;
	opts_fixed(&o);
	o.media = "cd-r";
	struct mem m = produce(d, &o);
	struct vol v;
	read_volume(&m, &v);
	assert_true(is_vat_layout(&v));
	assert_int_equal(get_le32(v.pd->access_type), PD_ACCESS_WRITE_ONCE);
	/* last block: the VAT ICB, tag location partition-relative */
	assert_int_equal(udf_tag_verify(blk(&m, m.blocks - 1), BS, TAG_EFE,
					(int64_t)(m.blocks - 1 - v.part_start), NULL), 0);
	/* no closing anchor on an open write-once volume */
	assert_int_not_equal(get_le16(blk(&m, m.blocks - 2)), TAG_AVDP);
	uint32_t r = root_abs(&m, &v);
	struct ecma_long_ad ad;
	uint8_t ch;
	assert_true(find_fid(&m, &v, r, "f", &ad, &ch));
	assert_int_equal(get_le16(ad.loc.part_ref), 1); /* through the VAT */
	free(m.p);
	rm_tree(d);
	free(d);
}

/* On BD-R and DVD±R the image ends a whole write unit (BD cluster of 32
 * blocks, DVD ECC block of 16) with the VAT ICB: a burner pads a track to
 * one, and readers look for the VAT in the last block written.  With a
 * volume size the partition runs to the disc's end, unrecorded. */
static void vat_image_ends_a_write_unit_and_may_span_the_disc(void **state)
{
	(void)state;
	static const struct { const char *media; uint64_t unit; } cases[] = {
		{ "bd-r", 32 }, { "dvd+r", 16 }, { "dvd-r", 16 }, { "cd-r", 1 },
	};
	char *d = mktree();
	put_file(d, "f", "data");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int sized = 0; sized < 2; sized++) {
			discfs_image_options o;
			opts_fixed(&o);
			o.media = cases[i].media;
			o.volume_blocks = sized ? 100000 : 0;
			struct mem m = produce(d, &o);
			struct vol v;
			read_volume(&m, &v);
			assert_int_equal(m.blocks % cases[i].unit, 0);
			assert_int_equal(udf_tag_verify(blk(&m, m.blocks - 1), BS, TAG_EFE,
							(int64_t)(m.blocks - 1 - v.part_start), NULL), 0);
			uint32_t len = get_le32(v.pd->length);
			if (sized)
				assert_int_equal(v.part_start + len, 100000);
			else
				assert_int_equal(v.part_start + len, m.blocks);
			free(m.p);
		}
	rm_tree(d);
	free(d);
}

static void sparing_tables_are_identical_and_point_at_spare_packets(void **state)
{
	(void)state;
	char *d = mktree();
	put_file(d, "f", "data");
	discfs_image_options o;
	opts_fixed(&o);
	o.media = "cd-rw";
	struct mem m = produce(d, &o);
	struct vol v;
	read_volume(&m, &v);
	const struct udf_map_sparable *sp = (const void *)v.maps;
	assert_int_equal(sp->head.type, 2);
	assert_true(udf_regid_is(&sp->head.ident, UDF_ID_SPARABLE));
	assert_int_equal(get_le16(sp->packet_length), 32);
	assert_int_equal(v.part_start % 32, 0);
	uint32_t t0 = get_le32(sp->table_loc[0]), t1 = get_le32(sp->table_loc[1]);
	uint32_t size = get_le32(sp->table_size);
	assert_true(size <= BS);
	assert_int_equal(udf_tag_verify(blk(&m, t0), BS, TAG_SPARING_TABLE, t0, NULL), 0);
	assert_int_equal(udf_tag_verify(blk(&m, t1), BS, TAG_SPARING_TABLE, t1, NULL), 0);
	assert_memory_equal(blk(&m, t0) + 16, blk(&m, t1) + 16, size - 16);
	const struct udf_sparing_table *t = (const void *)blk(&m, t0);
	unsigned n = get_le16(t->rt_len);
	assert_true(n > 0);
	const struct udf_sparing_entry *e = (const void *)(blk(&m, t0) + sizeof(*t));
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(get_le32(e[i].original), UDF_SPARE_FREE);
		uint32_t mapped = get_le32(e[i].mapped);
		assert_int_equal(mapped % 32, 0);
		assert_true(mapped >= v.part_start + get_le32(v.pd->length));
		assert_true(mapped + 32 <= m.blocks);
	}
	free(m.p);
	rm_tree(d);
	free(d);
}

static void metadata_partition_has_an_identical_mirror(void **state)
{
	(void)state;
	char *d = mktree();
	put_file(d, "f", "data");
	discfs_image_options o;
	opts_fixed(&o);
	o.udf_revision = 0x0260;
	struct mem m = produce(d, &o);
	struct vol v;
	read_volume(&m, &v);
	assert_int_equal(v.n_maps, 2);
	const struct udf_map_metadata *mm = (const void *)(v.maps + 6);
	assert_true(udf_regid_is(&mm->head.ident, UDF_ID_METADATA));
	uint32_t mf = v.part_start + get_le32(mm->meta_file_loc);
	uint32_t mr = v.part_start + get_le32(mm->mirror_file_loc);
	const struct ecma_efe *a = (const void *)blk(&m, mf), *b = (const void *)blk(&m, mr);
	assert_int_equal(a->icbtag.file_type, FT_METADATA);
	assert_int_equal(b->icbtag.file_type, FT_METADATA_MIRROR);
	assert_int_equal(get_le16(a->icbtag.flags) & ICBF_AD_MASK, ICBF_AD_SHORT);
	assert_int_equal(get_le32(mm->bitmap_file_loc), UDF_NO_BITMAP_FILE);
	uint32_t len = get_le32((const uint8_t *)a + sizeof(*a));
	uint32_t pa = v.part_start + get_le32((const uint8_t *)a + sizeof(*a) + 4);
	uint32_t pb = v.part_start + get_le32((const uint8_t *)b + sizeof(*b) + 4);
	assert_int_not_equal(pa, pb);
	assert_memory_equal(blk(&m, pa), blk(&m, pb), len);
	/* the LVID's minimum read revision stays 2.50 for 2.60 volumes */
	const uint8_t *lvid = blk(&m, get_le32(v.lvd->integrity_seq.location));
	assert_int_equal(udf_tag_verify(lvid, BS, TAG_LVID, -1, NULL), 0);
	const struct udf_lvid_iu *iu = (const void *)(lvid + 80 + 8 * 2);
	assert_int_equal(get_le16(iu->min_read_rev), 0x0250);
	assert_int_equal(get_le16(iu->max_write_rev), 0x0260);
	assert_int_equal(get_le32(iu->num_files), 1);
	assert_int_equal(get_le32(iu->num_dirs), 1);
	free(m.p);
	rm_tree(d);
	free(d);
}

static void files_over_4_gib_get_several_extents_under_1_gib(void **state)
{
	(void)state;
	char *d = mktree();
	char p[4200];
	snprintf(p, sizeof p, "%s/huge", d);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	const uint64_t size = 5ull * 1024 * 1024 * 1024 + 123; /* sparse */
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
	discfs_image_options o;
	opts_fixed(&o);
	discfs_image *img;
	discfs_error e = { 0 };
	assert_int_equal(discfs_image_open(d, &o, &img, &e), 0);
	discfs_image_stats st;
	discfs_image_stats_get(img, &st);
	assert_true(st.blocks > size / BS);
	/* stop before the file's data: metadata only, also proves cancel */
	struct mem m = { .stop_at = 512 }; /* batches are 256 blocks */
	int rc = discfs_image_produce(img, mem_sink, &m, &e);
	assert_int_equal(rc, -DISCFS_ECANCELED);
	assert_true(e.msg[0] != 0);
	discfs_image_free(img);
	struct vol v;
	read_volume(&m, &v);
	uint32_t r = root_abs(&m, &v);
	struct ecma_long_ad ad;
	uint8_t ch;
	assert_true(find_fid(&m, &v, r, "huge", &ad, &ch));
	const uint8_t *icb = blk(&m, resolve(&m, &v, get_le32(ad.loc.lbn), 0));
	const struct ecma_efe *fe = (const void *)icb;
	assert_int_equal(get_le64(fe->info_length), size);
	unsigned n = get_le32(fe->l_ad) / 16;
	assert_int_equal(n, 6);
	uint64_t sum = 0;
	uint32_t next = get_le32(((const struct ecma_long_ad *)(icb + sizeof(*fe)))->loc.lbn);
	for (unsigned i = 0; i < n; i++) {
		const struct ecma_long_ad *a = (const void *)(icb + sizeof(*fe) + 16 * i);
		uint32_t len = get_le32(a->length);
		assert_true(len < (1u << 30));
		if (i + 1 < n)
			assert_int_equal(len % BS, 0);
		assert_int_equal(get_le32(a->loc.lbn), next);
		next += len / BS;
		sum += len;
	}
	assert_int_equal(sum, size);
	assert_int_equal(get_le64(fe->blocks_recorded), (size + BS - 1) / BS);
	free(m.p);
	rm_tree(d);
	free(d);
}

static void hard_links_share_one_icb_with_link_count_and_own_unique_ids(void **state)
{
	(void)state;
	char *d = mktree(), a[4200], b[4200];
	put_file(d, "one", "shared");
	snprintf(a, sizeof a, "%s/one", d);
	snprintf(b, sizeof b, "%s/two", d);
	assert_int_equal(link(a, b), 0);
	discfs_image_options o;
	opts_fixed(&o);
	struct mem m = produce(d, &o);
	struct vol v;
	read_volume(&m, &v);
	uint32_t r = root_abs(&m, &v);
	struct ecma_long_ad x, y;
	uint8_t ch;
	assert_true(find_fid(&m, &v, r, "one", &x, &ch));
	assert_true(find_fid(&m, &v, r, "two", &y, &ch));
	assert_int_equal(get_le32(x.loc.lbn), get_le32(y.loc.lbn));
	assert_int_not_equal(get_le32(x.imp_use + 2), get_le32(y.imp_use + 2));
	assert_true(get_le32(x.imp_use + 2) >= 16);
	const struct ecma_efe *fe = (const void *)blk(&m, resolve(&m, &v, get_le32(x.loc.lbn), 0));
	assert_int_equal(get_le16(fe->link_count), 2);
	free(m.p);
	rm_tree(d);
	free(d);
}

static void long_and_wide_names_are_recorded_and_overlong_ones_refused(void **state)
{
	(void)state;
	char *d = mktree();
	char name[300];
	memset(name, 'n', 254);
	name[254] = 0; /* 254 Latin-1 characters = 255 bytes of CS0 */
	put_file(d, name, "1");
	put_file(d, "\xf0\x9f\x98\x80 smile", "2");
	/* many names of varying length: FID tags must never straddle blocks */
	for (int i = 0; i < 120; i++) {
		char nm[64];
		snprintf(nm, sizeof nm, "%.*s%d", i % 37 + 1, "abcdefghijklmnopqrstuvwxyz0123456789xyz", i);
		put_file(d, nm, "v");
	}
	discfs_image_options o;
	opts_fixed(&o);
	struct mem m = produce(d, &o);
	struct vol v;
	read_volume(&m, &v);
	uint32_t r = root_abs(&m, &v);
	struct ecma_long_ad ad;
	uint8_t ch;
	assert_true(find_fid(&m, &v, r, name, &ad, &ch));
	assert_true(find_fid(&m, &v, r, "\xf0\x9f\x98\x80 smile", &ad, &ch));
	assert_true(find_fid(&m, &v, r, "abcdefghi119", &ad, &ch));
	assert_false(find_fid(&m, &v, r, "nonexistent", &ad, &ch));
	free(m.p);

	/* 255 Latin-1 characters do not fit in a FID */
	memset(name, 'n', 255);
	name[255] = 0;
	put_file(d, name, "1");
	discfs_image *img;
	discfs_error e = { 0 };
	assert_int_equal(discfs_image_open(d, &o, &img, &e), -DISCFS_EINVAL);
	assert_non_null(strstr(e.msg, "too long"));
	rm_tree(d);
	free(d);
}

static void bad_names_and_bad_options_fail_with_one_clear_message(void **state)
{
	(void)state;
	char *d = mktree();
	discfs_image *img;
	discfs_error e = { 0 };
	discfs_image_options o;
	opts_fixed(&o);

	assert_int_equal(discfs_image_open("/nonexistent/dir", &o, &img, &e), -DISCFS_ENOENT);
	assert_null(img);
	put_file(d, "plain", "x");
	char p[4200];
	snprintf(p, sizeof p, "%s/plain", d);
	assert_int_equal(discfs_image_open(p, &o, &img, &e), -DISCFS_EINVAL);
	assert_non_null(strstr(e.msg, "not a directory"));

	o.media = "floppy";
	assert_int_equal(discfs_image_open(d, &o, &img, &e), -DISCFS_EINVAL);
	assert_non_null(strstr(e.msg, "unknown media"));
	o.media = "cd-r";
	o.udf_revision = 0x0102; /* VAT needs 1.50+ */
	assert_int_equal(discfs_image_open(d, &o, &img, &e), -DISCFS_EINVAL);
	o.media = NULL;
	o.udf_revision = 0x0301;
	assert_int_equal(discfs_image_open(d, &o, &img, &e), -DISCFS_EINVAL);
	o.udf_revision = 0;
	o.tz_minutes = 5000;
	assert_int_equal(discfs_image_open(d, &o, &img, &e), -DISCFS_EINVAL);
	o.tz_minutes = 0;

	put_file(d, "bad\xff" "name", "x"); /* not UTF-8 */
	assert_int_equal(discfs_image_open(d, &o, &img, &e), -DISCFS_EINVAL);
	assert_non_null(strstr(e.msg, "UTF-8"));
	assert_null(strchr(e.msg, '\n'));
	rm_tree(d);
	free(d);
}

static void a_sink_error_stops_production_and_is_returned(void **state)
{
	(void)state;
	char *d = mktree();
	put_file(d, "f", "x");
	discfs_image_options o;
	opts_fixed(&o);
	discfs_image *img;
	discfs_error e = { 0 };
	assert_int_equal(discfs_image_open(d, &o, &img, &e), 0);
	struct mem m = { .stop_at = 1 };
	assert_int_equal(discfs_image_produce(img, mem_sink, &m, &e), -DISCFS_ECANCELED);
	assert_int_equal(m.blocks, 0);
	/* and a file that shrank after planning is reported, not padded */
	char p[4200];
	snprintf(p, sizeof p, "%s/f", d);
	discfs_image_free(img);
	char big[5000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = 0;
	put_file(d, "f", big);
	assert_int_equal(discfs_image_open(d, &o, &img, &e), 0);
	assert_int_equal(truncate(p, 10), 0);
	struct mem m2 = { 0 };
	assert_int_equal(discfs_image_produce(img, mem_sink, &m2, &e), -DISCFS_EIO);
	assert_non_null(strstr(e.msg, "shrank"));
	discfs_image_free(img);
	free(m2.p);
	rm_tree(d);
	free(d);
}

static void stream_hands_out_the_same_bytes_as_produce(void **state)
{
	(void)state;
	char *d = mktree(), p[4200];
	snprintf(p, sizeof p, "%s/big", d);
	FILE *bf = fopen(p, "wb");
	for (unsigned i = 0; i < 3000000; i++)
		fputc((int)(i * 7 % 253), bf);
	fclose(bf);
	put_file(d, "small", "s");
	discfs_image_options o;
	opts_fixed(&o);
	struct mem m = produce(d, &o);
	discfs_image *img;
	discfs_image_stream *st;
	discfs_error e = { 0 };
	assert_int_equal(discfs_image_open(d, &o, &img, &e), 0);
	assert_int_equal(discfs_image_stream_open(img, &st, &e), 0);
	uint8_t *all = malloc(m.blocks * BS + 4096);
	size_t total = 0, got, want = 1;
	for (;;) {
		/* odd request sizes: the stream is a byte stream */
		assert_int_equal(discfs_image_stream_read(st, all + total, want, &got, &e), 0);
		if (!got)
			break;
		total += got;
		assert_true(total <= m.blocks * BS);
		want = want * 3 % 70001 + 1;
	}
	assert_int_equal(total, m.blocks * BS);
	assert_memory_equal(all, m.p, total);
	discfs_image_stream_close(st);

	/* closing early cancels the producer thread (no hang) */
	assert_int_equal(discfs_image_stream_open(img, &st, &e), 0);
	assert_int_equal(discfs_image_stream_read(st, all, 100, &got, &e), 0);
	assert_int_equal(got, 100);
	discfs_image_stream_close(st);

	/* a production error reaches the reader */
	assert_int_equal(truncate(p, 5), 0);
	assert_int_equal(discfs_image_stream_open(img, &st, &e), 0);
	int rc = 0;
	do
		rc = discfs_image_stream_read(st, all, 65536, &got, &e);
	while (!rc && got);
	assert_int_equal(rc, -DISCFS_EIO);
	assert_non_null(strstr(e.msg, "shrank"));
	discfs_image_stream_close(st);
	discfs_image_free(img);
	free(all);
	free(m.p);
	rm_tree(d);
	free(d);
}

static void device_nodes_carry_a_device_specification_ea(void **state)
{
	(void)state;
	/* built directly (no mknod needed): a block device 7:200 at meta 5 */
	struct udf_mk mk;
	memset(&mk, 0, sizeof mk);
	mk.rev = 0x0201;
	mk.meta_base = 3;
	struct mk_inode ino;
	memset(&ino, 0, sizeof ino);
	ino.mode = S_IFBLK | 0640;
	ino.rdev_major = 7;
	ino.rdev_minor = 200;
	ino.names = 1;
	ino.icb_m = 5;
	ino.in_icb = true;
	uint8_t b[BS];
	assert_int_equal(mk_build_icb(&mk, &ino, b, NULL), 0);
	const struct ecma_efe *e = (const void *)b;
	assert_int_equal(udf_tag_verify(b, BS, TAG_EFE, 3 + 5, NULL), 0);
	assert_int_equal(e->icbtag.file_type, FT_BLOCKDEV);
	assert_int_equal(get_le32(e->l_ea), 48);
	assert_int_equal(get_le32(e->l_ad), 0);
	const uint8_t *ea = b + sizeof(*e);
	assert_int_equal(udf_tag_verify(ea, 24, TAG_EAHD, 3 + 5, NULL), 0);
	assert_int_equal(get_le32(ea + 16), 48); /* impl EAs start at the end */
	assert_int_equal(get_le32(ea + 20), 48);
	assert_int_equal(get_le32(ea + 24), 12); /* Device Specification */
	assert_int_equal(ea[28], 1);
	assert_int_equal(get_le32(ea + 32), 24);
	assert_int_equal(get_le32(ea + 40), 7);
	assert_int_equal(get_le32(ea + 44), 200);
	/* permissions: owner rw (+ delete, chattr with write), group r */
	uint32_t perm = get_le32(e->permissions);
	assert_int_equal(perm >> 10 & 0x1F, 0x1E);
	assert_int_equal(perm >> 5 & 0x1F, 0x04);
	assert_int_equal(perm & 0x1F, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_image_has_anchors_vrs_and_a_readable_tree),
		cmocka_unit_test(output_is_deterministic_and_write_matches_produce),
		cmocka_unit_test(vat_image_ends_at_the_vat_icb_that_maps_the_fsd),
		cmocka_unit_test(vat_image_ends_a_write_unit_and_may_span_the_disc),
		cmocka_unit_test(sparing_tables_are_identical_and_point_at_spare_packets),
		cmocka_unit_test(metadata_partition_has_an_identical_mirror),
		cmocka_unit_test(files_over_4_gib_get_several_extents_under_1_gib),
		cmocka_unit_test(hard_links_share_one_icb_with_link_count_and_own_unique_ids),
		cmocka_unit_test(long_and_wide_names_are_recorded_and_overlong_ones_refused),
		cmocka_unit_test(bad_names_and_bad_options_fail_with_one_clear_message),
		cmocka_unit_test(a_sink_error_stops_production_and_is_returned),
		cmocka_unit_test(stream_hands_out_the_same_bytes_as_produce),
		cmocka_unit_test(device_nodes_carry_a_device_specification_ea),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
