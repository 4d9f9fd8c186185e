/*
 * udf/fsck_vat.c - the Virtual Allocation Table: entries inside the
 * partition and unique, the VAT ICB being the last recorded block, and the
 * repair for a damaged or missing last VAT: append a copy of the VAT ICB
 * the reader found (scanning back) right after the last recorded block, so
 * readers that look only at the last block (Linux) find it again.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/ecma167.h"
#include "udf/fsck.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "util/bytes.h"

static bool zero_block(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Last block at or below from that is not all zero (bounded by floor). */
static uint64_t last_nonzero(struct udf_vol *v, uint64_t from, uint64_t floor)
{
	uint8_t *b = malloc(v->bs);
	uint64_t at = from;
	if (!b)
		return from;
	for (; at > floor; at--)
		if (udf_bsrc_read(&v->src, at, 1, b, NULL) || !zero_block(b, v->bs))
			break;
	free(b);
	return at;
}

static void check_entries(struct fsck *f, const struct udf_map *m, uint32_t plen)
{
	uint8_t *seen = calloc((size_t)plen / 8 + 1, 1);
	uint64_t outside = 0, dup = 0;
	if (!seen)
		return;
	for (uint32_t i = 0; i < m->vat_n; i++) {
		uint32_t e = m->vat[i];
		if (e >= 0xFFFFFFFEu)
			continue;
		if (e >= plen) {
			if (!outside++)
				fsck_report(f, DISCFS_FSCK_ERROR, "vat", false,
					    "VAT entry %u points outside the "
					    "partition (%u)", i, e);
			continue;
		}
		if (seen[e >> 3] & (1u << (e & 7))) {
			if (!dup++)
				fsck_report(f, DISCFS_FSCK_ERROR, "vat", false,
					    "VAT entries share physical block %u "
					    "(entry %u)", e, i);
		}
		seen[e >> 3] |= (uint8_t)(1u << (e & 7));
	}
	if (outside > 1 || dup > 1)
		fsck_report(f, DISCFS_FSCK_ERROR, "vat", false,
			    "%llu VAT entries outside the partition, %llu shared",
			    (unsigned long long)outside, (unsigned long long)dup);
	free(seen);
}

/* VAT entries in use whose block the tree walk never reached. */
static void report_unreached(struct fsck *f, const struct udf_map *m,
			     const struct udf_pd *pd)
{
	uint64_t n = 0, first = 0;
	for (uint32_t i = 0; i < m->vat_n; i++) {
		uint32_t e = m->vat[i];
		if (e >= 0xFFFFFFFEu || e >= pd->length)
			continue;
		if (!fsck_is_used(f, (uint64_t)pd->start + e) && !n++)
			first = i;
	}
	if (n)
		fsck_report(f, DISCFS_FSCK_WARNING, "tree", false,
			    "%llu VAT entries name blocks nothing reaches "
			    "(first: virtual block %llu)", (unsigned long long)n,
			    (unsigned long long)first);
}

/* Writes a copy of the VAT ICB at absolute block at; true on success. */
static bool append_vat(struct fsck *f, unsigned mi, uint64_t at)
{
	struct udf_vol *v = f->vol;
	struct udf_map *m = &v->maps[mi];
	const struct udf_pd *pd = &v->pds[v->maps[m->phys].pd];
	uint8_t *b = malloc(v->bs);
	bool ok = false;
	if (!b || udf_bsrc_read(&v->src, m->vat_abs, 1, b, NULL))
		goto out;
	const struct ecma_tag *t = (const struct ecma_tag *)b;
	udf_tag_make(b, 16 + (size_t)get_le16(t->crc_len), get_le16(t->ident),
		     get_le16(t->version), get_le16(t->serial),
		     (uint32_t)(at - pd->start));
	if (udf_bsrc_write(&v->src, at, 1, b, NULL))
		goto out;
	if (at >= v->src.n_blocks)
		v->src.n_blocks = at + 1;
	/* Prove it: the reader must accept the new copy as a VAT. */
	ok = udf_vat_try(v, mi, (uint32_t)(at - pd->start), NULL) == 0;
	if (ok)
		v->last = at;
out:
	free(b);
	return ok;
}

void fsck_check_vat(struct fsck *f)
{
	struct udf_vol *v = f->vol;
	for (unsigned mi = 0; mi < v->n_maps; mi++) {
		struct udf_map *m = &v->maps[mi];
		if (m->kind != MAPK_VIRTUAL)
			continue;
		const struct udf_pd *pd = &v->pds[v->maps[m->phys].pd];
		struct udf_inode *ino = NULL;
		struct udf_icb icb = { (uint32_t)(m->vat_abs - pd->start),
				       (uint16_t)m->phys };
		if (udf_inode_get(v, icb, &ino, NULL) == 0) {
			fsck_mark(f, ino->abs, 1, "the VAT");
			for (uint32_t i = 0; i < ino->n_ext; i++)
				fsck_mark_ext(f, &ino->ext[i], "the VAT");
			udf_inode_free(ino);
		}
		check_entries(f, m, pd->length);
		report_unreached(f, m, pd);
		uint64_t last = last_nonzero(v, v->last < v->src.n_blocks
							? v->last : v->src.n_blocks - 1,
					     pd->start);
		if (last == m->vat_abs)
			continue;
		uint64_t was = m->vat_abs;
		bool room = last + 1 - pd->start < pd->length;
		bool fixed = (f->flags & DISCFS_FSCK_REPAIR) && v->src.write &&
			     room && append_vat(f, mi, last + 1);
		fsck_report(f, DISCFS_FSCK_ERROR, "vat", fixed,
			    "last recorded block %llu is not a valid VAT (the "
			    "VAT in use is at %llu)%s", (unsigned long long)last,
			    (unsigned long long)was,
			    fixed ? "; appended a copy after it"
			    : room ? "" : "; no room in the partition to append "
					  "a copy");
	}
}
