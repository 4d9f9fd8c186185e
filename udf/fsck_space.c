/*
 * udf/fsck_space.c - space and integrity: the unallocated space bitmap
 * against the blocks really in use, the LVID (counts, free space, next
 * unique ID, open/close), and the VAT (entries, last recorded block), with
 * their safe repairs.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/ecma167.h"
#include "udf/fsck.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "util/bytes.h"

static bool in_use(const struct fsck *f, uint64_t abs)
{
	return fsck_is_used(f, abs) ||
	       (f->container && abs < f->n_blocks &&
		(f->container[abs >> 3] & (1u << (abs & 7))));
}

static bool repairing(const struct fsck *f)
{
	return (f->flags & DISCFS_FSCK_REPAIR) && f->vol->src.write;
}

/* Rewrites a descriptor of desc_len bytes at absolute block abs (its tag
 * keeps ident, version, serial and location; CRC and checksum are new). */
static bool rewrite_desc(struct fsck *f, uint8_t *buf, size_t desc_len,
			 uint64_t abs, uint32_t blocks)
{
	const struct ecma_tag *t = (const struct ecma_tag *)buf;
	udf_tag_make(buf, desc_len, get_le16(t->ident), get_le16(t->version),
		     get_le16(t->serial), get_le32(t->location));
	return udf_bsrc_write(&f->vol->src, abs, blocks, buf, NULL) == 0;
}

/* Blocks marked used that nothing refers to but that hold a valid file
 * entry: files that no directory reaches any more. */
static void report_orphans(struct fsck *f, const struct udf_pd *pd,
			   const uint8_t *map)
{
	struct udf_vol *v = f->vol;
	uint8_t *b = malloc(v->bs);
	unsigned found = 0;
	if (!b)
		return;
	for (uint32_t i = 0; i < pd->length && found < 20; i++) {
		uint64_t abs = (uint64_t)pd->start + i;
		if ((map[i >> 3] & (1u << (i & 7))) || in_use(f, abs))
			continue;
		if (udf_bsrc_read(&v->src, abs, 1, b, NULL))
			continue;
		uint16_t id = get_le16(b);
		if ((id != TAG_FE && id != TAG_EFE) ||
		    udf_tag_verify(b, v->bs, -1, i, NULL))
			continue;
		found++;
		fsck_report(f, DISCFS_FSCK_WARNING, "tree", false,
			    "file entry at block %u is not reachable from the "
			    "root", i);
	}
	free(b);
}

/* Returns the number of free blocks the bitmap records, or -1. */
static int64_t check_bitmap(struct fsck *f, const struct udf_map *m,
			    const struct udf_pd *pd)
{
	struct udf_vol *v = f->vol;
	uint32_t blocks = (uint32_t)(((uint64_t)pd->bitmap_len + v->bs - 1) / v->bs);
	uint64_t need = sizeof(struct ecma_sbd) + ((uint64_t)pd->length + 7) / 8;
	discfs_error e = { 0 };
	uint64_t abs;
	if (!blocks || blocks > (need + v->bs - 1) / v->bs + 1) {
		fsck_report(f, DISCFS_FSCK_ERROR, "space", false,
			    "space bitmap length %u bytes does not fit partition "
			    "of %u blocks", pd->bitmap_len, pd->length);
		return -1;
	}
	uint8_t *b = malloc((size_t)blocks * v->bs);
	if (!b)
		return -1;
	if (udf_map_block(v, (uint16_t)(m - v->maps), pd->bitmap_lbn, &abs, &e) ||
	    udf_bsrc_read(&v->src, abs, blocks, b, &e) ||
	    udf_tag_verify(b, (size_t)blocks * v->bs, TAG_SBD, pd->bitmap_lbn, &e)) {
		fsck_report(f, DISCFS_FSCK_ERROR, "space", false,
			    "space bitmap: %s", e.msg);
		free(b);
		return -1;
	}
	fsck_mark(f, abs, blocks, "the space bitmap");
	uint32_t bits = get_le32(b + 16);
	if (bits < pd->length || need > (uint64_t)blocks * v->bs) {
		fsck_report(f, DISCFS_FSCK_ERROR, "space", false,
			    "space bitmap covers %u of %u blocks", bits, pd->length);
		free(b);
		return -1;
	}
	uint8_t *map = b + sizeof(struct ecma_sbd);
	uint64_t busy_free = 0, leaked = 0, first_bf = 0, first_lk = 0, free_n = 0;
	for (uint32_t i = 0; i < pd->length; i++) {
		bool is_free = map[i >> 3] & (1u << (i & 7));
		/* a spared packet's blocks are used where the table moved it */
		uint64_t at = (uint64_t)pd->start + i;
		if (m->kind == MAPK_SPARABLE)
			udf_map_block(v, (uint16_t)(m - v->maps), i, &at, NULL);
		bool used = in_use(f, at);
		if (used && is_free) {
			if (!busy_free++)
				first_bf = i;
			if (repairing(f))
				map[i >> 3] &= (uint8_t)~(1u << (i & 7));
			else
				free_n++;
		} else if (!used && !is_free) {
			if (!leaked++)
				first_lk = i;
		} else if (is_free) {
			free_n++;
		}
	}
	if (busy_free) {
		bool fixed = repairing(f) &&
			     rewrite_desc(f, b, 16 + get_le16(b + 10), abs, blocks);
		fsck_report(f, DISCFS_FSCK_ERROR, "space", fixed,
			    "%llu blocks in use are marked free in the space "
			    "bitmap (first: %llu)", (unsigned long long)busy_free,
			    (unsigned long long)first_bf);
	}
	if (leaked)
		report_orphans(f, pd, map);
	if (leaked)
		fsck_report(f, DISCFS_FSCK_WARNING, "space", false,
			    "%llu blocks are marked used but nothing refers to "
			    "them (first: %llu)", (unsigned long long)leaked,
			    (unsigned long long)first_lk);
	free(b);
	return (int64_t)free_n;
}

static void check_lvid(struct fsck *f, int64_t bitmap_free)
{
	struct udf_vol *v = f->vol;
	bool vat = v->info.layout == UDF_LAYOUT_VAT;
	if (!v->lvid_loc) {
		fsck_report(f, vat ? DISCFS_FSCK_WARNING : DISCFS_FSCK_ERROR,
			    "lvid", false, "no valid logical volume integrity "
			    "descriptor");
		return;
	}
	uint8_t *b = v->lvid;
	const struct ecma_lvid *l = (const struct ecma_lvid *)b;
	uint32_t n = get_le32(l->num_partitions);
	uint32_t liu = get_le32(l->imp_use_len);
	bool closed = get_le32(l->integrity_type) == LVID_CLOSE;
	bool fix = false;
	if (!closed && !vat)
		fsck_report(f, DISCFS_FSCK_WARNING, "lvid", false,
			    "volume was not closed cleanly (integrity open)");
	if (n != v->n_maps)
		fsck_report(f, DISCFS_FSCK_ERROR, "lvid", false,
			    "LVID has %u partition entries, volume has %u maps",
			    n, v->n_maps);
	uint64_t next = get_le64(l->next_unique_id);
	if (vat && f->max_unique && next <= f->max_unique) {
		/* On write-once media the LVID is recorded once, when the
		 * volume is laid out; increments cannot rewrite it, so writers
		 * keep the counter elsewhere (ours: the VAT header's
		 * implementation use).  A stale LVID counter is expected. */
		fsck_report(f, DISCFS_FSCK_INFO, "lvid", false,
			    "LVID next unique ID %llu predates later increments "
			    "(highest in use %llu): expected on write-once media",
			    (unsigned long long)next,
			    (unsigned long long)f->max_unique);
	} else if (f->max_unique && next <= f->max_unique) {
		fsck_report(f, DISCFS_FSCK_ERROR, "lvid", repairing(f) && !f->tree_errors,
			    "next unique ID %llu is not above the highest in "
			    "use (%llu)", (unsigned long long)next,
			    (unsigned long long)f->max_unique);
		put_le64(b + 40, f->max_unique + 1);
		fix = true;
	}
	if (f->tree_errors) {
		fsck_report(f, DISCFS_FSCK_INFO, "lvid", false,
			    "file and directory counts not checked: the tree "
			    "has errors");
		return;
	}
	uint32_t rf, rd;
	uint16_t vat_rev = 0;
	for (unsigned i = 0; i < v->n_maps; i++)
		if (v->maps[i].kind == MAPK_VIRTUAL)
			vat_rev = v->maps[i].vat_rev;
	if (vat && vat_rev >= 0x0200) {
		rf = v->info.num_files;
		rd = v->info.num_dirs;
		if (rf != f->num_files || rd != f->num_dirs)
			fsck_report(f, DISCFS_FSCK_ERROR, "vat", false,
				    "VAT header counts %u files, %u directories; "
				    "found %llu and %llu", rf, rd,
				    (unsigned long long)f->num_files,
				    (unsigned long long)f->num_dirs);
	} else if (liu >= sizeof(struct udf_lvid_iu) && n <= UDF_MAX_MAPS) {
		uint8_t *iu = b + sizeof(*l) + 8 * n;
		rf = get_le32(iu + 32);
		rd = get_le32(iu + 36);
		/* a 1.50 VAT holds no counts: the LVID, recorded once, has
		 * the only ones, and increments cannot follow them there */
		if (rf != f->num_files || rd != f->num_dirs) {
			fsck_report(f, vat ? DISCFS_FSCK_INFO : DISCFS_FSCK_ERROR,
				    "lvid", repairing(f) && !vat,
				    "LVID counts %u files, %u directories; found "
				    "%llu and %llu%s", rf, rd,
				    (unsigned long long)f->num_files,
				    (unsigned long long)f->num_dirs,
				    vat ? ": expected after increments to a UDF "
					  "1.50 VAT volume" : "");
			put_le32(iu + 32, (uint32_t)f->num_files);
			put_le32(iu + 36, (uint32_t)f->num_dirs);
			fix = fix || !vat;
		}
	}
	if (bitmap_free >= 0 && n > (unsigned)v->phys_map && !vat) {
		uint8_t *fs = b + sizeof(*l) + 4 * (unsigned)v->phys_map;
		if (get_le32(fs) != (uint64_t)bitmap_free) {
			fsck_report(f, closed ? DISCFS_FSCK_ERROR : DISCFS_FSCK_WARNING,
				    "lvid", repairing(f),
				    "LVID free space %u blocks, space bitmap has "
				    "%lld free", get_le32(fs), (long long)bitmap_free);
			put_le32(fs, (uint32_t)bitmap_free);
			fix = true;
		}
	}
	if (fix && repairing(f))
		rewrite_desc(f, b, sizeof(*l) + 8 * n + liu, v->lvid_loc, 1);
}

void fsck_check_space(struct fsck *f)
{
	struct udf_vol *v = f->vol;
	int64_t bitmap_free = -1;
	const struct udf_map *m = &v->maps[v->phys_map];
	const struct udf_pd *pd = &v->pds[m->pd];
	if (pd->bitmap_len)
		bitmap_free = check_bitmap(f, m, pd);
	fsck_check_metabm(f);
	check_lvid(f, bitmap_free);
}
