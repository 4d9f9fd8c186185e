/*
 * udf/read_vds.c - anchors, the volume descriptor sequence and the LVID.
 *
 * Anchor candidates follow Linux (udf-notes 1.2): session+256, then for
 * L in {last, last-1, last+1, last-2, last-150, last-152}: L and L-256,
 * then session+512.  A candidate counts only when its tag is valid and its
 * location field names the block it was read from.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/cs0.h"
#include "udf/ident.h"
#include "udf/osta.h"
#include "udf/read_int.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

#define VDS_MAX_BLOCKS 1024u /* a VDS longer than this is hostile */
#define VDP_MAX_HOPS 8
#define LVID_MAX_HOPS 16
#define LVID_MAX_BLOCKS 1024u

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Read errors that say the disc or drive failed, not that the block is
 * merely unrecorded or out of range (which probing meets normally). */
static bool drive_failure(int rc)
{
	switch (-rc) {
	case DISCFS_EMEDIUM: case DISCFS_ECHANGED: case DISCFS_ENOMEDIUM:
	case DISCFS_ENOTREADY: case DISCFS_EHARDWARE: case DISCFS_ENODEV:
		return true;
	default:
		return false;
	}
}

/* 0: an anchor at loc; -1: none there.  The first drive failure met is
 * kept in *medium so that a damaged disc, a changed medium or a drive
 * gone is not reported as "not UDF". */
static int try_anchor(struct udf_vol *vol, uint64_t loc, uint8_t *buf,
		      discfs_error *medium)
{
	discfs_error e = { 0 };
	int rc;

	if (loc >= vol->src.n_blocks || loc > UINT32_MAX)
		return -1;
	rc = udf_read_abs(vol, loc, buf, &e);
	if (drive_failure(rc) && !medium->code)
		*medium = e;
	if (rc)
		return -1;
	if (udf_tag_verify(buf, vol->bs, TAG_AVDP, (int64_t)loc, NULL))
		return -1;
	const struct ecma_avdp *a = (const struct ecma_avdp *)buf;
	vol->anchor = loc;
	vol->vds_loc[0] = get_le32(a->main_vds.location);
	vol->vds_len[0] = get_le32(a->main_vds.length) / vol->bs;
	vol->vds_loc[1] = get_le32(a->reserve_vds.location);
	vol->vds_len[1] = get_le32(a->reserve_vds.length) / vol->bs;
	return 0;
}

int udf_find_anchor(struct udf_vol *vol, discfs_error *err)
{
	uint8_t *buf = malloc(vol->bs);
	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	const int64_t d[] = { 0, -1, 1, -2, -150, -152 };
	uint64_t s = vol->session, l = vol->last;
	discfs_error medium = { 0 };
	int rc = try_anchor(vol, s + 256, buf, &medium);
	for (size_t i = 0; rc && i < sizeof(d) / sizeof(d[0]); i++) {
		if ((int64_t)l + d[i] < 0)
			continue;
		uint64_t c = (uint64_t)((int64_t)l + d[i]);
		rc = try_anchor(vol, c, buf, &medium);
		if (rc && c >= 256)
			rc = try_anchor(vol, c - 256, buf, &medium);
	}
	if (rc)
		rc = try_anchor(vol, s + 512, buf, &medium);
	free(buf);
	if (rc && medium.code)
		return dfs_fail(err, medium.code, "no anchor volume descriptor "
				"pointer could be read: %s", medium.msg);
	if (rc)
		return dfs_fail(err, DISCFS_EFORMAT,
				"no valid anchor volume descriptor pointer "
				"(not a UDF volume?)");
	return 0;
}

struct vds_state {
	uint32_t pvd_num, lvd_num, iuvd_num;
	bool have_pvd, have_lvd;
	uint32_t pd_num[UDF_MAX_MAPS];
};

static int take_pd(struct udf_vol *vol, struct vds_state *s, const uint8_t *b,
		   discfs_error *err)
{
	const struct ecma_pd *pd = (const struct ecma_pd *)b;
	uint16_t num = get_le16(pd->part_num);
	uint32_t seq = get_le32(pd->vds_num);
	unsigned i;
	for (i = 0; i < vol->n_pds; i++)
		if (vol->pds[i].part_num == num)
			break;
	if (i == vol->n_pds) {
		if (vol->n_pds == UDF_MAX_MAPS)
			return dfs_fail(err, DISCFS_EFORMAT,
					"more than %u partition descriptors",
					UDF_MAX_MAPS);
		vol->n_pds++;
	} else if (seq < s->pd_num[i]) {
		return 0;
	}
	s->pd_num[i] = seq;
	struct udf_pd *p = &vol->pds[i];
	*p = (struct udf_pd){
		.part_num = num,
		.access = get_le32(pd->access_type),
		.start = get_le32(pd->start),
		.length = get_le32(pd->length),
	};
	if (udf_regid_is(&pd->contents, UDF_ID_NSR02) ||
	    udf_regid_is(&pd->contents, UDF_ID_NSR03)) {
		const struct ecma_phd *h = &pd->header;
		p->table_len = get_le32(h->unalloc_table.length) & ECMA_EXT_LEN_MASK;
		p->table_lbn = get_le32(h->unalloc_table.position);
		p->bitmap_len = get_le32(h->unalloc_bitmap.length) & ECMA_EXT_LEN_MASK;
		p->bitmap_lbn = get_le32(h->unalloc_bitmap.position);
		p->freed_table_len = get_le32(h->freed_table.length) & ECMA_EXT_LEN_MASK;
		p->freed_bitmap_len = get_le32(h->freed_bitmap.length) & ECMA_EXT_LEN_MASK;
	}
	return 0;
}

static int take_lvd(struct udf_vol *vol, struct vds_state *s, const uint8_t *b,
		    uint64_t loc, discfs_error *err)
{
	const struct ecma_lvd *lvd = (const struct ecma_lvd *)b;
	uint32_t seq = get_le32(lvd->vds_num);
	if (s->have_lvd && seq < s->lvd_num)
		return 0;
	uint32_t mtl = get_le32(lvd->map_table_len);
	if (mtl > vol->bs - sizeof(*lvd))
		return dfs_fail(err, DISCFS_EFORMAT,
				"LVD map table length %u does not fit a block", mtl);
	free(vol->lvd);
	vol->lvd_size = sizeof(*lvd) + mtl;
	vol->lvd = malloc(vol->lvd_size);
	if (!vol->lvd)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	memcpy(vol->lvd, b, vol->lvd_size);
	vol->lvd_loc = loc;
	s->lvd_num = seq;
	s->have_lvd = true;
	return 0;
}

static void take_pvd(struct udf_vol *vol, struct vds_state *s,
		     const uint8_t *b, uint64_t loc)
{
	const struct ecma_pvd *pvd = (const struct ecma_pvd *)b;
	uint32_t seq = get_le32(pvd->vds_num);
	if (s->have_pvd && seq < s->pvd_num)
		return;
	s->have_pvd = true;
	s->pvd_num = seq;
	vol->pvd_loc = loc;
	if (udf_dstring_get(pvd->vol_ident, sizeof(pvd->vol_ident),
			    vol->info.vol_ident, sizeof(vol->info.vol_ident), NULL))
		vol->info.vol_ident[0] = 0;
}

/* Reads one VDS extent (following VDPs); fills vol on success. */
static int read_one_vds(struct udf_vol *vol, uint64_t loc, uint32_t len,
			discfs_error *err)
{
	struct vds_state s = { 0 };
	uint8_t *b = malloc(vol->bs);
	int rc = 0, hops = 0;
	if (!b)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	vol->n_pds = 0;
	if (len > VDS_MAX_BLOCKS)
		len = VDS_MAX_BLOCKS;
	for (uint32_t i = 0; i < len && !rc; i++) {
		uint64_t at = loc + i;
		if ((rc = udf_read_abs(vol, at, b, err)))
			break;
		if (all_zero(b, vol->bs))
			break;
		if ((rc = udf_tag_verify(b, vol->bs, -1, (int64_t)at, err))) {
			dfs_wrap(err, rc, "volume descriptor at block %llu",
				 (unsigned long long)at);
			break;
		}
		uint16_t id = get_le16(((const struct ecma_tag *)b)->ident);
		if (i == 0 && at == loc)
			vol->desc_version = get_le16(((const struct ecma_tag *)b)->version);
		if (id == TAG_TD)
			break;
		if (id == TAG_PVD)
			take_pvd(vol, &s, b, at);
		else if (id == TAG_LVD)
			rc = take_lvd(vol, &s, b, at, err);
		else if (id == TAG_PD)
			rc = take_pd(vol, &s, b, err);
		else if (id == TAG_IUVD)
			vol->iuvd_loc = at;
		else if (id == TAG_VDP) {
			if (++hops > VDP_MAX_HOPS) {
				rc = dfs_fail(err, DISCFS_EFORMAT,
					      "too many volume descriptor pointers");
				break;
			}
			/* VDP (3/10.3): VDSN @16, next extent_ad @20 */
			loc = get_le32(b + 24);
			len = get_le32(b + 20) / vol->bs;
			if (len > VDS_MAX_BLOCKS)
				len = VDS_MAX_BLOCKS;
			i = (uint32_t)-1;
		}
	}
	free(b);
	if (rc)
		return rc;
	if (!s.have_pvd || !s.have_lvd || !vol->n_pds)
		return dfs_fail(err, DISCFS_EFORMAT,
				"volume descriptor sequence at %llu lacks a%s",
				(unsigned long long)loc,
				!s.have_pvd ? " primary volume descriptor"
				: !s.have_lvd ? " logical volume descriptor"
					      : " partition descriptor");
	return 0;
}

int udf_read_vds(struct udf_vol *vol, discfs_error *err)
{
	discfs_error first = { 0 };
	int rc = read_one_vds(vol, vol->vds_loc[0], vol->vds_len[0], &first);
	vol->vds_used = 0;
	if (rc) {
		discfs_error second = { 0 }; /* dfs_fail clears err first */
		vol->vds_used = 1;
		rc = read_one_vds(vol, vol->vds_loc[1], vol->vds_len[1], &second);
		if (rc)
			return dfs_fail(err, -rc > 0 ? -rc : DISCFS_EFORMAT,
					"main VDS: %s; reserve VDS: %s", first.msg,
					second.msg);
	}
	const struct ecma_lvd *lvd = (const struct ecma_lvd *)vol->lvd;
	if (get_le32(lvd->block_size) != vol->bs)
		return dfs_fail(err, DISCFS_ENOTSUP,
				"logical block size %u (only %u supported here)",
				get_le32(lvd->block_size), vol->bs);
	vol->info.udf_rev = udf_regid_rev(&lvd->domain_ident);
	vol->info.block_size = vol->bs;
	if (udf_dstring_get(lvd->lv_ident, sizeof(lvd->lv_ident),
			    vol->info.lv_ident, sizeof(vol->info.lv_ident), NULL))
		vol->info.lv_ident[0] = 0;
	vol->lvid_ext_loc = get_le32(lvd->integrity_seq.location);
	vol->lvid_ext_len = get_le32(lvd->integrity_seq.length);
	return 0;
}

/* Takes the LVID in b if it is well formed; returns true if taken. */
static bool take_lvid(struct udf_vol *vol, const uint8_t *b, uint64_t at)
{
	const struct ecma_lvid *l = (const struct ecma_lvid *)b;
	uint32_t n = get_le32(l->num_partitions);
	uint32_t liu = get_le32(l->imp_use_len);
	if (n > UDF_MAX_MAPS || liu > vol->bs ||
	    sizeof(*l) + 8ull * n + liu > vol->bs)
		return false;
	memcpy(vol->lvid, b, vol->bs);
	vol->lvid_loc = at;
	vol->info.lvid_closed = get_le32(l->integrity_type) == LVID_CLOSE;
	vol->info.next_unique_id = get_le64(l->next_unique_id);
	vol->info.free_blocks = n ? get_le32(b + sizeof(*l)) : UINT64_MAX;
	if (liu >= sizeof(struct udf_lvid_iu)) {
		const struct udf_lvid_iu *iu =
			(const struct udf_lvid_iu *)(b + sizeof(*l) + 8 * n);
		vol->info.num_files = get_le32(iu->num_files);
		vol->info.num_dirs = get_le32(iu->num_dirs);
	}
	return true;
}

int udf_read_lvid(struct udf_vol *vol, discfs_error *err)
{
	uint64_t loc = vol->lvid_ext_loc;
	uint32_t len = vol->lvid_ext_len / vol->bs;
	uint8_t *b = malloc(vol->bs);
	vol->lvid = calloc(1, vol->bs);
	if (!b || !vol->lvid) {
		free(b);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	vol->info.free_blocks = UINT64_MAX;
	for (int hop = 0; hop < LVID_MAX_HOPS && len; hop++) {
		uint64_t next = 0;
		uint32_t next_len = 0;
		if (len > LVID_MAX_BLOCKS)
			len = LVID_MAX_BLOCKS;
		for (uint32_t i = 0; i < len; i++) {
			uint64_t at = loc + i;
			if (udf_read_abs(vol, at, b, NULL) ||
			    udf_tag_verify(b, vol->bs, -1, (int64_t)at, NULL))
				break;
			uint16_t id = get_le16(((const struct ecma_tag *)b)->ident);
			if (id != TAG_LVID)
				break;
			if (!take_lvid(vol, b, at))
				break;
			const struct ecma_lvid *l = (const struct ecma_lvid *)b;
			next = get_le32(l->next_ext.location);
			next_len = get_le32(l->next_ext.length) / vol->bs;
		}
		loc = next;
		len = next_len;
	}
	free(b);
	/* A volume without an LVID is readable; fsck reports it. */
	return 0;
}
