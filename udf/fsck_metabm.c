/*
 * udf/fsck_metabm.c - the metadata bitmap file of a UDF 2.50+ volume
 * against the metadata blocks the tree really uses, and the LVID's free
 * space of the metadata partition.
 *
 * A commit cut short can leave new entries in use that the bitmap file
 * still marks free (it is recorded last); the next commit would hand them
 * out again, so --repair (and the writer's open after a cut) marks them
 * used.  Blocks marked used that nothing refers to are only reported.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/ecma167.h"
#include "udf/fsck.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

struct metabm {
	uint8_t *buf;       /* the bitmap file's content */
	uint64_t *abs;      /* where each of its blocks is */
	uint32_t blocks;
	uint32_t len;       /* metadata partition blocks */
};

static void metabm_free(struct metabm *b)
{
	free(b->buf);
	free(b->abs);
}

/* Reads the bitmap file of map m; 0, or -1 after reporting. */
static int metabm_read(struct fsck *f, const struct udf_map *m, struct metabm *b)
{
	struct udf_vol *v = f->vol;
	struct udf_inode *ino = NULL;
	discfs_error e = { 0 };
	struct udf_icb icb = { m->meta_loc[2], (uint16_t)m->phys };
	int rc = udf_inode_get(v, icb, &ino, &e);
	for (uint32_t i = 0; !rc && i < ino->n_ext; i++)
		b->blocks += ino->ext[i].len / v->bs;
	if (!rc && (!b->blocks || b->blocks > 1024))
		rc = dfs_fail(&e, DISCFS_EFORMAT, "%u blocks of content", b->blocks);
	if (!rc) {
		b->buf = calloc(b->blocks, v->bs);
		b->abs = calloc(b->blocks, sizeof(*b->abs));
		if (!b->buf || !b->abs)
			rc = -1;
	}
	for (uint32_t i = 0, k = 0; !rc && i < ino->n_ext; i++)
		for (uint32_t j = 0; !rc && j < ino->ext[i].len / v->bs; j++, k++)
			rc = udf_map_block(v, ino->ext[i].part, ino->ext[i].lbn + j,
					   &b->abs[k], &e) ||
			     udf_bsrc_read(&v->src, b->abs[k], 1, b->buf + (size_t)k * v->bs, &e);
	if (!rc)
		rc = udf_tag_verify(b->buf, (size_t)b->blocks * v->bs, TAG_SBD, -1, &e);
	udf_inode_free(ino);
	if (rc)
		fsck_report(f, DISCFS_FSCK_ERROR, "space", false,
			    "metadata bitmap file: %s", e.msg[0] ? e.msg : "unreadable");
	return rc ? -1 : 0;
}

static bool metabm_write(struct fsck *f, struct metabm *b)
{
	struct udf_vol *v = f->vol;
	const struct ecma_tag *t = (const struct ecma_tag *)b->buf;
	size_t crc = get_le16(t->crc_len);
	if (16 + crc > (size_t)b->blocks * v->bs)
		crc = 8;
	udf_tag_make(b->buf, 16 + crc, TAG_SBD, get_le16(t->version),
		     get_le16(t->serial), get_le32(t->location));
	for (uint32_t i = 0; i < b->blocks; i++)
		if (udf_bsrc_write(&v->src, b->abs[i], 1, b->buf + (size_t)i * v->bs, NULL))
			return false;
	return true;
}

/* Checks the bits against the tree; returns the free count. */
static uint32_t metabm_compare(struct fsck *f, unsigned map, struct metabm *b,
			       bool *changed)
{
	uint8_t *bits = b->buf + sizeof(struct ecma_sbd);
	uint32_t busy_free = 0, leaked = 0, first_bf = 0, free_n = 0;
	for (uint32_t i = 0; i < b->len; i++) {
		uint64_t abs;
		bool is_free = bits[i >> 3] & (1u << (i & 7));
		bool used = !udf_map_block(f->vol, (uint16_t)map, i, &abs, NULL) &&
			    fsck_is_used(f, abs);
		if (used && is_free) {
			if (!busy_free++)
				first_bf = i;
			bits[i >> 3] &= (uint8_t)~(1u << (i & 7));
			*changed = true;
		}
		leaked += !used && !is_free;
		free_n += !used && is_free;
	}
	if (busy_free)
		fsck_report(f, DISCFS_FSCK_ERROR, "space", f->vol->src.write &&
			    (f->flags & DISCFS_FSCK_REPAIR),
			    "%u metadata blocks in use are marked free in the metadata "
			    "bitmap (first: %u)", busy_free, first_bf);
	if (leaked)
		fsck_report(f, DISCFS_FSCK_INFO, "space", false,
			    "%u metadata blocks are marked used but nothing refers "
			    "to them", leaked);
	return free_n;
}

/* The LVID's free space of the metadata partition, from the bitmap. */
static void metabm_lvid(struct fsck *f, unsigned map, uint32_t free_n)
{
	struct udf_vol *v = f->vol;
	if (!v->lvid_loc)
		return;
	const struct ecma_lvid *l = (const struct ecma_lvid *)v->lvid;
	uint32_t n = get_le32(l->num_partitions);
	if (map >= n || n > UDF_MAX_MAPS)
		return;
	uint32_t rec = get_le32(v->lvid + sizeof(*l) + 4 * map);
	if (rec != free_n && get_le32(l->integrity_type) == LVID_CLOSE)
		fsck_report(f, DISCFS_FSCK_WARNING, "lvid", false,
			    "LVID free space of the metadata partition %u blocks, "
			    "its bitmap has %u free", rec, free_n);
}

void fsck_check_metabm(struct fsck *f)
{
	struct udf_vol *v = f->vol;
	for (unsigned i = 0; i < v->n_maps; i++) {
		const struct udf_map *m = &v->maps[i];
		struct metabm b = { 0 };
		bool changed = false;
		if (m->kind != MAPK_METADATA || m->meta_loc[2] == UDF_NO_BITMAP_FILE)
			continue;
		for (uint32_t k = 0; k < m->meta_n; k++)
			b.len += m->meta_ext[k].len / v->bs;
		if (f->tree_errors || metabm_read(f, m, &b)) {
			metabm_free(&b);
			continue;
		}
		uint32_t bits = get_le32(b.buf + 16);
		uint64_t room = ((uint64_t)b.blocks * v->bs - sizeof(struct ecma_sbd)) * 8;
		if (bits != b.len || b.len > room) {
			fsck_report(f, DISCFS_FSCK_ERROR, "space", false,
				    "metadata bitmap covers %u blocks, the metadata "
				    "partition has %u", bits, b.len);
			if (b.len > room) {
				metabm_free(&b);
				continue;
			}
			put_le32(b.buf + 16, b.len);
			put_le32(b.buf + 20, (b.len + 7) / 8);
			changed = true;
		}
		uint32_t free_n = metabm_compare(f, i, &b, &changed);
		if (changed && f->vol->src.write && (f->flags & DISCFS_FSCK_REPAIR))
			metabm_write(f, &b);
		metabm_lvid(f, i, free_n);
		metabm_free(&b);
	}
}
