/*
 * udf/fsck_vol.c - volume-level checks: anchors, both volume descriptor
 * sequences, partitions, sparing tables and the metadata files.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/ecma167.h"
#include "udf/fsck.h"
#include "udf/ident.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "util/bytes.h"

#define VDS_MAX 1024u

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* 1 valid anchor, 0 nothing there, -1 something damaged (reported). */
static int check_anchor(struct fsck *f, struct udf_bsrc *src, uint64_t at,
			uint8_t *b, uint8_t *first_ext)
{
	discfs_error e = { 0 };
	if (at >= src->n_blocks || udf_bsrc_read(src, at, 1, b, NULL))
		return 0;
	if (all_zero(b, 16) || get_le16(b) != TAG_AVDP)
		return 0;
	if (udf_tag_verify(b, src->block_size, TAG_AVDP, (int64_t)at, &e)) {
		fsck_report(f, DISCFS_FSCK_ERROR, "anchor", false,
			    "anchor at block %llu is damaged: %s",
			    (unsigned long long)at, e.msg);
		return -1;
	}
	if (first_ext[0] == 0xFF)
		memcpy(first_ext, b + 16, 16);
	else if (memcmp(first_ext, b + 16, 16))
		fsck_report(f, DISCFS_FSCK_WARNING, "anchor", false,
			    "anchor at block %llu points at other VDS extents "
			    "than the first anchor", (unsigned long long)at);
	return 1;
}

void fsck_check_anchors(struct fsck *f, struct udf_bsrc *src)
{
	uint8_t *b = malloc(src->block_size);
	uint8_t ext[16];
	uint64_t n = src->n_blocks;
	uint64_t last = f->vol ? f->vol->last : n - 1;
	int valid = 0;
	if (!b)
		return;
	memset(ext, 0xFF, sizeof(ext));
	uint64_t cand[4] = { f->session + 256, UINT64_MAX, UINT64_MAX, UINT64_MAX };
	if (last >= 256 + 256)
		cand[1] = last - 256;
	cand[2] = last;
	if (last != n - 1)
		cand[3] = n - 1;
	for (int i = 0; i < 4; i++)
		if (cand[i] != UINT64_MAX && check_anchor(f, src, cand[i], b, ext) > 0)
			valid++;
	free(b);
	bool vat = f->vol && f->vol->info.layout == UDF_LAYOUT_VAT;
	if (valid == 0 && f->vol)
		fsck_report(f, DISCFS_FSCK_ERROR, "anchor", false,
			    "no valid anchor at 256, N-256 or N (found one at "
			    "block %llu)", (unsigned long long)f->vol->anchor);
	else if (valid == 1 && !vat)
		fsck_report(f, DISCFS_FSCK_WARNING, "anchor", false,
			    "only one anchor among blocks 256, N-256 and N "
			    "(UDF wants two)");
}

/* Checks one VDS copy; returns the number of descriptors or -1. */
static int check_one_vds(struct fsck *f, struct udf_bsrc *src, const char *which,
			 uint64_t loc, uint32_t len, uint8_t *copy)
{
	uint32_t bs = src->block_size;
	uint8_t *b = malloc(bs);
	int n = 0;
	if (!b)
		return -1;
	if (len == 0)
		fsck_report(f, DISCFS_FSCK_ERROR, "vds", false, "%s VDS is empty",
			    which);
	if (len > VDS_MAX)
		len = VDS_MAX;
	for (uint32_t i = 0; i < len; i++) {
		discfs_error e = { 0 };
		if (udf_bsrc_read(src, loc + i, 1, b, &e)) {
			fsck_report(f, DISCFS_FSCK_ERROR, "vds", false,
				    "%s VDS: %s", which, e.msg);
			n = -1;
			break;
		}
		if (all_zero(b, bs))
			break;
		if (udf_tag_verify(b, bs, -1, (int64_t)(loc + i), &e)) {
			fsck_report(f, DISCFS_FSCK_ERROR, "vds", false,
				    "%s VDS block %llu: %s", which,
				    (unsigned long long)(loc + i), e.msg);
			n = -1;
			break;
		}
		if (copy && (uint32_t)n < 64)
			memcpy(copy + (size_t)n * 512, b + 16, 496);
		n++;
		if (get_le16(b) == TAG_TD)
			break;
	}
	free(b);
	return n;
}

void fsck_check_vds(struct fsck *f, struct udf_bsrc *src)
{
	struct udf_vol *v = f->vol;
	if (!v)
		return;
	uint8_t *c0 = calloc(64, 512), *c1 = calloc(64, 512);
	int n0 = check_one_vds(f, src, "main", v->vds_loc[0], v->vds_len[0], c0);
	int n1 = check_one_vds(f, src, "reserve", v->vds_loc[1], v->vds_len[1], c1);
	if (n0 > 0 && n1 > 0 && c0 && c1 &&
	    (n0 != n1 || memcmp(c0, c1, (size_t)(n0 < 64 ? n0 : 64) * 512)))
		fsck_report(f, DISCFS_FSCK_WARNING, "vds", false,
			    "main and reserve VDS differ");
	if (v->vds_loc[0] == v->vds_loc[1])
		fsck_report(f, DISCFS_FSCK_WARNING, "vds", false,
			    "main and reserve VDS are the same extent");
	free(c0);
	free(c1);
}

static void check_sparing(struct fsck *f, const struct udf_map *m)
{
	struct udf_vol *v = f->vol;
	uint32_t blocks = (m->table_size + v->bs - 1) / v->bs;
	uint8_t *first = NULL, *b = malloc((size_t)blocks * v->bs);
	if (!b)
		return;
	for (uint32_t t = 0; t < m->n_tables; t++) {
		discfs_error e = { 0 };
		uint64_t at = m->table_loc[t];
		if (udf_bsrc_read(&v->src, at, blocks, b, &e) ||
		    udf_tag_verify(b, (size_t)blocks * v->bs, TAG_SPARING_TABLE,
				   (int64_t)at, &e)) {
			fsck_report(f, DISCFS_FSCK_ERROR, "partition", false,
				    "sparing table %u at %llu: %s", t,
				    (unsigned long long)at, e.msg);
			continue;
		}
		fsck_mark(f, at, blocks, "a sparing table");
		size_t cmp = 16 + get_le16(b + 10);
		if (!first) {
			first = malloc(cmp);
			if (first)
				memcpy(first, b, cmp);
		} else if (memcmp(first + 16, b + 16, cmp - 16)) {
			fsck_report(f, DISCFS_FSCK_ERROR, "partition", false,
				    "sparing table %u differs from the first copy", t);
		}
	}
	free(first);
	free(b);
	for (uint32_t i = 1; i < m->n_spare; i++)
		if (m->spare_orig[i] < UDF_SPARE_DEFECTIVE &&
		    m->spare_orig[i] <= m->spare_orig[i - 1])
			fsck_report(f, DISCFS_FSCK_WARNING, "partition", false,
				    "sparing table entries are not sorted");
}

static void check_metadata(struct fsck *f, struct udf_map *m)
{
	for (int which = 0; which < 3; which++) {
		struct udf_inode *ino = NULL;
		discfs_error e = { 0 };
		const char *name = which == 0 ? "main" : which == 1 ? "mirror" : "bitmap";
		if (which == 2 && m->meta_loc[2] == UDF_NO_BITMAP_FILE)
			continue;
		struct udf_icb icb = { m->meta_loc[which], (uint16_t)m->phys };
		if (udf_inode_get(f->vol, icb, &ino, &e)) {
			fsck_report(f, DISCFS_FSCK_ERROR, "partition", false,
				    "metadata %s file: %s", name, e.msg);
			continue;
		}
		fsck_mark(f, ino->abs, 1, "a metadata file entry");
		for (uint32_t i = 0; i < ino->n_ext; i++) {
			const struct udf_ext *x = &ino->ext[i];
			uint64_t abs;
			uint32_t nb = (x->len + f->vol->bs - 1) / f->vol->bs;
			for (uint32_t k = 0; k < nb && f->container; k++)
				if (!udf_map_block(f->vol, x->part, x->lbn + k, &abs, NULL) &&
				    abs < f->n_blocks)
					f->container[abs >> 3] |= (uint8_t)(1u << (abs & 7));
		}
		udf_inode_free(ino);
	}
	if (m->meta_used == 1)
		fsck_report(f, DISCFS_FSCK_ERROR, "partition", false,
			    "metadata main file unusable; read through the mirror");
}

void fsck_check_parts(struct fsck *f)
{
	struct udf_vol *v = f->vol;
	for (unsigned i = 0; i < v->n_pds; i++) {
		const struct udf_pd *pd = &v->pds[i];
		if ((uint64_t)pd->start + pd->length > f->n_blocks &&
		    v->info.layout != UDF_LAYOUT_VAT)
			fsck_report(f, DISCFS_FSCK_ERROR, "partition", false,
				    "partition %u (%u+%u) extends past the end of "
				    "the volume (%llu blocks)", pd->part_num,
				    pd->start, pd->length,
				    (unsigned long long)f->n_blocks);
		if (pd->freed_bitmap_len || pd->freed_table_len)
			fsck_report(f, DISCFS_FSCK_WARNING, "partition", false,
				    "partition %u has freed-space structures "
				    "(Linux mounts it read-only)", pd->part_num);
		if (pd->bitmap_len && pd->table_len)
			fsck_report(f, DISCFS_FSCK_WARNING, "partition", false,
				    "partition %u has both a space bitmap and a "
				    "space table", pd->part_num);
	}
	for (unsigned i = 0; i < v->n_maps; i++) {
		struct udf_map *m = &v->maps[i];
		if (m->kind == MAPK_SPARABLE)
			check_sparing(f, m);
		else if (m->kind == MAPK_METADATA)
			check_metadata(f, m);
	}
	const struct ecma_lvd *lvd = (const struct ecma_lvd *)v->lvd;
	if (!udf_regid_is(&lvd->domain_ident, UDF_ID_DOMAIN))
		fsck_report(f, DISCFS_FSCK_ERROR, "vds", false,
			    "logical volume domain is not \"%s\"", UDF_ID_DOMAIN);
	else if (lvd->domain_ident.suffix[2] & (UDF_DOMAIN_HARD_WP | UDF_DOMAIN_SOFT_WP))
		fsck_report(f, DISCFS_FSCK_WARNING, "vds", false,
			    "volume is marked write-protected");
}
