/*
 * udf/ad_chain.c - allocation descriptors in the entry and in a chain of
 * AED blocks (see ad_chain.h for the layout rules).
 */
#include <string.h>

#include "udf/ad_chain.h"
#include "udf/ecma167.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

static size_t icb_slots(const struct udf_ad_chain_fmt *f)
{
	return f->icb_room / f->kind;
}

static size_t aed_slots(const struct udf_ad_chain_fmt *f)
{
	return f->bs > sizeof(struct ecma_aed)
		       ? (f->bs - sizeof(struct ecma_aed)) / f->kind : 0;
}

uint32_t udf_ad_chain_aeds(const struct udf_ad_chain_fmt *f, size_t n)
{
	size_t ci = icb_slots(f), ca = aed_slots(f);
	if (n <= ci)
		return 0;
	if (ci < 1 || ca < 2)
		return UINT32_MAX;
	/* the entry keeps its last slot for the pointer */
	size_t rest = n - (ci - 1);
	if (rest <= ca)
		return 1;
	/* every AED but the last keeps one slot for the next pointer */
	size_t k = 1 + (rest - ca + (ca - 2)) / (ca - 1);
	return k > UINT32_MAX - 1 ? UINT32_MAX : (uint32_t)k;
}

static void put_ad(const struct udf_ad_chain_fmt *f, uint8_t *p, uint32_t len,
		   uint8_t type, uint32_t lbn, uint16_t part)
{
	memset(p, 0, f->kind);
	put_le32(p, len | (uint32_t)type << ECMA_EXT_TYPE_SHIFT);
	put_le32(p + 4, lbn);
	if (f->kind == UDF_AD_LONG)
		put_le16(p + 8, part);
}

/* Fills one AD area of slots slots with extents from *next, ending with a
 * pointer to `to` when more remain; returns the bytes used. */
static uint32_t fill_area(const struct udf_ad_chain_fmt *f, uint8_t *area,
			  size_t slots, const struct udf_ad_ext *ext, size_t n,
			  size_t *next, const struct udf_aed_addr *to)
{
	size_t left = n - *next;
	size_t take = left <= slots ? left : slots - 1;
	uint8_t *p = area;
	for (size_t i = 0; i < take; i++, p += f->kind) {
		const struct udf_ad_ext *e = &ext[*next + i];
		put_ad(f, p, e->len, e->type, e->lbn, e->part);
	}
	*next += take;
	if (*next < n) {
		put_ad(f, p, f->bs, EXT_NEXT_AD, to->lbn, to->part);
		p += f->kind;
	}
	return (uint32_t)(p - area);
}

int udf_ad_chain_build(const struct udf_ad_chain_fmt *f,
		       const struct udf_ad_ext *ext, size_t n,
		       const struct udf_aed_addr *aed, uint32_t n_aed,
		       uint8_t *icb_ads, uint32_t *l_ad, uint8_t *aed_blocks,
		       discfs_error *err)
{
	uint32_t need = udf_ad_chain_aeds(f, n);
	if (need == UINT32_MAX)
		return dfs_fail(err, DISCFS_EINVAL,
				"%zu extents: no room for an allocation extent pointer", n);
	if (need != n_aed)
		return dfs_fail(err, DISCFS_EINVAL,
				"%zu extents need %u allocation extents, %u given",
				n, need, n_aed);
	if (f->bs > ECMA_EXT_LEN_MASK)
		return dfs_fail(err, DISCFS_EINVAL, "block size %u", f->bs);
	for (size_t i = 0; i < n; i++)
		if (!ext[i].len || ext[i].len > ECMA_EXT_LEN_MASK ||
		    ext[i].type >= EXT_NEXT_AD)
			return dfs_fail(err, DISCFS_EINVAL,
					"extent %zu: length %u type %u", i,
					ext[i].len, ext[i].type);
	size_t next = 0;
	memset(icb_ads, 0, f->icb_room);
	*l_ad = fill_area(f, icb_ads, icb_slots(f), ext, n, &next, aed);
	for (uint32_t k = 0; k < n_aed; k++) {
		uint8_t *blk = aed_blocks + (size_t)k * f->bs;
		struct ecma_aed *h = (struct ecma_aed *)blk;
		memset(blk, 0, f->bs);
		uint32_t used = fill_area(f, blk + sizeof(*h), aed_slots(f), ext,
					  n, &next, k + 1 < n_aed ? &aed[k + 1] : NULL);
		put_le32(h->l_ad, used);
		udf_tag_make(blk, sizeof(*h) + used, TAG_AED, f->tag_version,
			     f->tag_serial, aed[k].tag_loc);
	}
	return 0;
}
