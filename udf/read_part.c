/*
 * udf/read_part.c - partition maps of the LVD: type 1, sparable (with its
 * sparing table), virtual (VAT, see read_vat.c) and metadata (main file,
 * mirror fallback).
 */
#include <stdlib.h>
#include <string.h>

#include "udf/ident.h"
#include "udf/osta.h"
#include "udf/read_int.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

static int find_pd(const struct udf_vol *vol, uint16_t num)
{
	for (unsigned i = 0; i < vol->n_pds; i++)
		if (vol->pds[i].part_num == num)
			return (int)i;
	return -1;
}

/* Loads the first sparing table copy that verifies. */
static int load_sparing(struct udf_vol *vol, struct udf_map *m,
			discfs_error *err)
{
	uint32_t blocks = (m->table_size + vol->bs - 1) / vol->bs;
	if (!m->table_size || blocks > 4)
		return dfs_fail(err, DISCFS_EFORMAT,
				"sparing table size %u bytes", m->table_size);
	uint8_t *b = malloc((size_t)blocks * vol->bs);
	if (!b)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	m->spare_table_used = -1;
	for (uint32_t t = 0; t < m->n_tables && t < 4; t++) {
		uint64_t at = m->table_loc[t];
		if (at + blocks > vol->src.n_blocks)
			continue;
		if (udf_bsrc_read(&vol->src, at, blocks, b, NULL) ||
		    udf_tag_verify(b, (size_t)blocks * vol->bs, TAG_SPARING_TABLE,
				   (int64_t)at, NULL))
			continue;
		const struct udf_sparing_table *st = (const void *)b;
		uint32_t n = get_le16(st->rt_len);
		if (!udf_regid_is(&st->ident, UDF_ID_SPARING_TABLE) ||
		    sizeof(*st) + 8ull * n > (size_t)blocks * vol->bs)
			continue;
		m->spare_orig = calloc(n ? n : 1, sizeof(uint32_t));
		m->spare_mapped = calloc(n ? n : 1, sizeof(uint32_t));
		if (!m->spare_orig || !m->spare_mapped) {
			free(b);
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		}
		const struct udf_sparing_entry *e = (const void *)(b + sizeof(*st));
		for (uint32_t i = 0; i < n; i++) {
			m->spare_orig[i] = get_le32(e[i].original);
			m->spare_mapped[i] = get_le32(e[i].mapped);
		}
		m->n_spare = n;
		m->spare_table_used = (int)t;
		break;
	}
	free(b);
	if (m->spare_table_used < 0)
		return dfs_fail(err, DISCFS_EFORMAT,
				"no readable sparing table (%u copies)", m->n_tables);
	return 0;
}

/* Reads the metadata (or mirror) file FE at physical lbn of map m->phys. */
static int load_meta_file(struct udf_vol *vol, struct udf_map *m, int which,
			  discfs_error *err)
{
	struct udf_inode *ino = NULL;
	struct udf_icb icb = { m->meta_loc[which], (uint16_t)m->phys };
	uint8_t want = which ? FT_METADATA_MIRROR : FT_METADATA;
	int rc = udf_inode_get(vol, icb, &ino, err);
	if (rc)
		return rc;
	if (ino->file_type != want || ino->inline_data) {
		unsigned type = ino->file_type; /* read before the free */
		udf_inode_free(ino);
		return dfs_fail(err, DISCFS_EFORMAT,
				"metadata %s file at %u: file type %u",
				which ? "mirror" : "main", icb.lbn, type);
	}
	for (uint32_t i = 0; i < ino->n_ext; i++)
		if (ino->ext[i].part != m->phys) {
			udf_inode_free(ino);
			return dfs_fail(err, DISCFS_EFORMAT,
					"metadata file extent outside its partition");
		}
	free(m->meta_ext);
	m->meta_ext = ino->ext;
	m->meta_n = ino->n_ext;
	ino->ext = NULL;
	ino->n_ext = 0;
	udf_inode_free(ino);
	m->meta_used = which;
	return 0;
}

static int load_metadata(struct udf_vol *vol, struct udf_map *m,
			 discfs_error *err)
{
	discfs_error e1 = { 0 };
	if (load_meta_file(vol, m, 0, &e1) == 0)
		return 0;
	discfs_error e2 = { 0 };
	int rc = load_meta_file(vol, m, 1, &e2);
	if (rc)	/* e2, not err: err->msg must not be both source and target */
		return dfs_fail(err, DISCFS_EFORMAT,
				"metadata partition: main file: %s; mirror: %s",
				e1.msg, e2.msg);
	return 0;
}

static int parse_map(struct udf_vol *vol, const uint8_t *p, unsigned len,
		     struct udf_map *m, discfs_error *err)
{
	if (p[0] == UDF_MAP_TYPE1 && len == sizeof(struct udf_map1)) {
		const struct udf_map1 *t = (const void *)p;
		m->kind = MAPK_TYPE1;
		m->part_num = get_le16(t->part_num);
		return 0;
	}
	if (p[0] != UDF_MAP_TYPE2 || len != 64)
		return dfs_fail(err, DISCFS_EFORMAT,
				"partition map type %u length %u", p[0], len);
	const struct udf_map2_head *h = (const void *)p;
	if (udf_regid_is(&h->ident, UDF_ID_VIRTUAL)) {
		const struct udf_map_virtual *v = (const void *)p;
		m->kind = MAPK_VIRTUAL;
		m->part_num = get_le16(v->part_num);
		m->vat_rev = udf_regid_rev(&h->ident);
	} else if (udf_regid_is(&h->ident, UDF_ID_SPARABLE)) {
		const struct udf_map_sparable *s = (const void *)p;
		m->kind = MAPK_SPARABLE;
		m->part_num = get_le16(s->part_num);
		m->packet_len = get_le16(s->packet_length);
		m->n_tables = s->num_tables;
		m->table_size = get_le32(s->table_size);
		for (int i = 0; i < 4; i++)
			m->table_loc[i] = get_le32(s->table_loc[i]);
		if (!m->packet_len || m->n_tables < 1 || m->n_tables > 4)
			return dfs_fail(err, DISCFS_EFORMAT,
					"sparable map: packet %u, %u tables",
					m->packet_len, m->n_tables);
	} else if (udf_regid_is(&h->ident, UDF_ID_METADATA)) {
		const struct udf_map_metadata *md = (const void *)p;
		m->kind = MAPK_METADATA;
		m->part_num = get_le16(md->part_num);
		m->meta_loc[0] = get_le32(md->meta_file_loc);
		m->meta_loc[1] = get_le32(md->mirror_file_loc);
		m->meta_loc[2] = get_le32(md->bitmap_file_loc);
		m->alloc_unit = get_le32(md->alloc_unit);
		m->align_unit = get_le16(md->align_unit);
		m->meta_flags = md->flags;
	} else {
		return dfs_fail(err, DISCFS_ENOTSUP,
				"unknown partition map '%.23s'", h->ident.ident);
	}
	return 0;
}

/* The physical (type 1 / sparable) map serving partition number num. */
static int phys_for(const struct udf_vol *vol, uint16_t num)
{
	for (unsigned i = 0; i < vol->n_maps; i++)
		if ((vol->maps[i].kind == MAPK_TYPE1 ||
		     vol->maps[i].kind == MAPK_SPARABLE) &&
		    vol->maps[i].part_num == num)
			return (int)i;
	return -1;
}

int udf_load_maps(struct udf_vol *vol, discfs_error *err)
{
	const struct ecma_lvd *lvd = (const struct ecma_lvd *)vol->lvd;
	uint32_t n = get_le32(lvd->num_maps);
	uint32_t mtl = get_le32(lvd->map_table_len);
	const uint8_t *p = vol->lvd + sizeof(*lvd);
	uint32_t off = 0;
	int rc;

	if (n == 0 || n > UDF_MAX_MAPS)
		return dfs_fail(err, DISCFS_EFORMAT, "%u partition maps", n);
	for (uint32_t i = 0; i < n; i++) {
		if (off + 2 > mtl || p[off + 1] < 2 || off + p[off + 1] > mtl)
			return dfs_fail(err, DISCFS_EFORMAT,
					"partition map %u overruns the map table", i);
		struct udf_map *m = &vol->maps[i];
		*m = (struct udf_map){ .phys = -1, .spare_table_used = -1 };
		vol->n_maps = i + 1;
		if ((rc = parse_map(vol, p + off, p[off + 1], m, err)))
			return rc;
		m->pd = find_pd(vol, m->part_num);
		if (m->pd < 0)
			return dfs_fail(err, DISCFS_EFORMAT,
					"map %u names partition %u, which has no "
					"descriptor", i, m->part_num);
		off += p[off + 1];
	}
	vol->phys_map = -1;
	vol->info.layout = UDF_LAYOUT_PLAIN;
	/* Physical maps first: virtual and metadata maps translate through them. */
	for (unsigned i = 0; i < vol->n_maps; i++) {
		struct udf_map *m = &vol->maps[i];
		if (m->kind == MAPK_SPARABLE) {
			vol->info.layout = UDF_LAYOUT_SPARABLE;
			if ((rc = load_sparing(vol, m, err)))
				return rc;
		}
		if ((m->kind == MAPK_TYPE1 || m->kind == MAPK_SPARABLE) &&
		    vol->phys_map < 0)
			vol->phys_map = (int)i;
	}
	if (vol->phys_map < 0)
		return dfs_fail(err, DISCFS_EFORMAT, "no physical partition map");
	vol->info.part_blocks = vol->pds[vol->maps[vol->phys_map].pd].length;
	for (unsigned i = 0; i < vol->n_maps; i++) {
		struct udf_map *m = &vol->maps[i];
		if (m->kind != MAPK_VIRTUAL && m->kind != MAPK_METADATA)
			continue;
		m->phys = phys_for(vol, m->part_num);
		if (m->phys < 0)
			return dfs_fail(err, DISCFS_EFORMAT,
					"map %u has no physical map for partition %u",
					i, m->part_num);
		if (m->kind == MAPK_VIRTUAL) {
			vol->info.layout = UDF_LAYOUT_VAT;
			rc = udf_load_vat(vol, i, err);
		} else {
			vol->info.layout = UDF_LAYOUT_METADATA;
			rc = load_metadata(vol, m, err);
		}
		if (rc)
			return rc;
	}
	return 0;
}

void udf_free_maps(struct udf_vol *vol)
{
	for (unsigned i = 0; i < vol->n_maps; i++) {
		struct udf_map *m = &vol->maps[i];
		free(m->spare_orig);
		free(m->spare_mapped);
		free(m->vat);
		free(m->meta_ext);
	}
	vol->n_maps = 0;
}
