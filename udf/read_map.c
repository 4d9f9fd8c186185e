/* udf/read_map.c - logical block -> absolute block, and block reads. */
#include <stdlib.h>
#include <string.h>

#include "udf/osta.h"
#include "udf/read_int.h"
#include "util/err.h"

int udf_read_abs(struct udf_vol *vol, uint64_t abs, void *buf,
		 discfs_error *err)
{
	return udf_bsrc_read(&vol->src, abs, 1, buf, err);
}

static int map_sparable(const struct udf_map *m, uint32_t lbn, uint64_t *abs)
{
	uint32_t pkt = m->packet_len ? lbn - lbn % m->packet_len : lbn;
	for (uint32_t i = 0; i < m->n_spare; i++) {
		uint32_t orig = m->spare_orig[i];
		if (orig >= UDF_SPARE_DEFECTIVE)
			continue;
		if (orig == pkt) {
			*abs = (uint64_t)m->spare_mapped[i] + (lbn - pkt);
			return 1;
		}
	}
	return 0;
}

/* Physical translation through a type 1 or sparable map. */
static int map_phys(struct udf_vol *vol, unsigned mi, uint32_t lbn,
		    uint64_t *abs, discfs_error *err)
{
	const struct udf_map *m = &vol->maps[mi];
	const struct udf_pd *pd = &vol->pds[m->pd];
	if (lbn >= pd->length)
		return dfs_fail(err, DISCFS_EFORMAT,
				"block %u outside partition %u (%u blocks)", lbn,
				m->part_num, pd->length);
	if (m->kind == MAPK_SPARABLE && map_sparable(m, lbn, abs))
		return 0;
	*abs = (uint64_t)pd->start + lbn;
	return 0;
}

static int map_meta(struct udf_vol *vol, const struct udf_map *m, uint32_t lbn,
		    uint64_t *abs, discfs_error *err)
{
	uint64_t off = (uint64_t)lbn * vol->bs;
	for (uint32_t i = 0; i < m->meta_n; i++) {
		const struct udf_ext *e = &m->meta_ext[i];
		if (off < e->file_off || off - e->file_off >= e->len)
			continue;
		if (e->type != EXT_RECORDED)
			return dfs_fail(err, DISCFS_EFORMAT,
					"metadata block %u is not recorded", lbn);
		uint32_t rel = (uint32_t)((off - e->file_off) / vol->bs);
		return map_phys(vol, (unsigned)m->phys, e->lbn + rel, abs, err);
	}
	return dfs_fail(err, DISCFS_EFORMAT,
			"block %u outside the metadata partition", lbn);
}

int udf_map_block(struct udf_vol *vol, uint16_t part, uint32_t lbn,
		  uint64_t *abs, discfs_error *err)
{
	if (part >= vol->n_maps)
		return dfs_fail(err, DISCFS_EFORMAT,
				"partition reference %u (volume has %u maps)", part,
				vol->n_maps);
	const struct udf_map *m = &vol->maps[part];
	switch (m->kind) {
	case MAPK_TYPE1:
	case MAPK_SPARABLE:
		return map_phys(vol, part, lbn, abs, err);
	case MAPK_VIRTUAL:
		if (lbn >= m->vat_n)
			return dfs_fail(err, DISCFS_EFORMAT,
					"virtual block %u outside the VAT (%u entries)",
					lbn, m->vat_n);
		if (m->vat[lbn] == UDF_VAT_UNUSED)
			return dfs_fail(err, DISCFS_EFORMAT,
					"virtual block %u is unused in the VAT", lbn);
		return map_phys(vol, (unsigned)m->phys, m->vat[lbn], abs, err);
	case MAPK_METADATA:
		return map_meta(vol, m, lbn, abs, err);
	}
	return dfs_fail(err, DISCFS_EFORMAT, "bad map kind");
}

uint64_t udf_map_length(const struct udf_vol *vol, uint16_t part)
{
	if (part >= vol->n_maps)
		return 0;
	const struct udf_map *m = &vol->maps[part];
	switch (m->kind) {
	case MAPK_VIRTUAL:
		return m->vat_n;
	case MAPK_METADATA: {
		uint64_t end = 0;
		for (uint32_t i = 0; i < m->meta_n; i++)
			if (m->meta_ext[i].file_off + m->meta_ext[i].len > end)
				end = m->meta_ext[i].file_off + m->meta_ext[i].len;
		return end / vol->bs;
	}
	default:
		return vol->pds[m->pd].length;
	}
}

int udf_read_lblocks(struct udf_vol *vol, uint16_t part, uint32_t lbn,
		     uint32_t count, void *buf, discfs_error *err)
{
	uint8_t *p = buf;
	uint32_t i = 0;
	while (i < count) {
		uint64_t first, next;
		uint32_t run = 1;
		int rc = udf_map_block(vol, part, lbn + i, &first, err);
		if (rc)
			return rc;
		/* Merge blocks that land next to each other into one read. */
		while (i + run < count && run < 256) {
			if (lbn + i + run < lbn)
				break;
			rc = udf_map_block(vol, part, lbn + i + run, &next, err);
			if (rc)
				return rc;
			if (next != first + run)
				break;
			run++;
		}
		rc = udf_bsrc_read(&vol->src, first, run,
				   p + (size_t)i * vol->bs, err);
		if (rc)
			return rc;
		i += run;
	}
	return 0;
}
