/*
 * udf/update_space.c - where new blocks come from, and the space bitmap.
 *
 * Write-once volumes hand out blocks in order from the next writable
 * address (the caller writes them in that same order).  Plain volumes
 * take free runs from the space bitmap (1 = free), starting where the
 * last allocation ended, and never hand out a block freed in the same
 * commit: freed blocks are only given back after the new tree is in place
 * (upd_free_push collects them).
 */
#include <stdlib.h>
#include <string.h>

#include "udf/tag.h"
#include "udf/update_int.h"
#include "util/bytes.h"
#include "util/err.h"

static bool bit_free(const struct udf_update *u, uint32_t i)
{
	return u->bitmap[i >> 3] & (1u << (i & 7));
}

void upd_bitmap_set(struct udf_update *u, uint32_t lbn, uint32_t n, bool free)
{
	for (uint32_t i = lbn; i < lbn + n && i < u->part_len; i++) {
		if (free)
			u->bitmap[i >> 3] |= (uint8_t)(1u << (i & 7));
		else
			u->bitmap[i >> 3] &= (uint8_t)~(1u << (i & 7));
	}
}

uint64_t upd_bitmap_free_count(const struct udf_update *u)
{
	uint64_t n = 0;
	for (uint32_t i = 0; u->bitmap && i < u->part_len; i++)
		n += bit_free(u, i);
	return n;
}

static int alloc_seq(struct udf_update *u, uint32_t want, uint32_t *lbn,
		     discfs_error *err)
{
	uint64_t end = (uint64_t)u->part_start + u->part_len;
	if (u->seq_next + want > end || u->seq_next + want > u->bd->capacity)
		return dfs_fail(err, DISCFS_ENOSPC,
				"the disc is full (%u more blocks needed)", want);
	*lbn = (uint32_t)(u->seq_next - u->part_start);
	u->seq_next += want;
	return 0;
}

bool upd_find_run(const uint8_t *bits, uint32_t n, uint32_t from, uint32_t want,
		  bool contig, uint32_t *start, uint32_t *len)
{
	for (uint32_t step = 0; step < n;) {
		uint32_t i = (from + step) % n;
		if (!(bits[i >> 3] & (1u << (i & 7)))) {
			step++;
			continue;
		}
		uint32_t j = i;
		while (j < n && j - i < want && (bits[j >> 3] & (1u << (j & 7))))
			j++;
		if (!contig || j - i == want) {
			*start = i;
			*len = j - i;
			return true;
		}
		step += j - i;
	}
	return false;
}

int upd_alloc(struct udf_update *u, uint32_t want, bool contig, uint32_t *lbn,
	      uint32_t *got, discfs_error *err)
{
	if (!want)
		return dfs_fail(err, DISCFS_EINVAL, "allocation of 0 blocks");
	if (u->layout == DISCFS_LAYOUT_VAT) {
		*got = want;
		return alloc_seq(u, want, lbn, err);
	}
	uint32_t start, len;
	if (!upd_find_run(u->bitmap, u->part_len, u->alloc_cursor, want, contig,
			  &start, &len))
		return dfs_fail(err, DISCFS_ENOSPC,
				"no free space for %u more blocks", want);
	upd_bitmap_set(u, start, len, false);
	for (uint32_t i = start; i < start + len; i++)
		u->alloc_now[i >> 3] |= (uint8_t)(1u << (i & 7));
	u->alloc_cursor = start + len;
	*lbn = start;
	*got = len;
	return 0;
}

/* Where partition block lbn is recorded: after the partition's start,
 * or, on a sparable volume, where the table moved its packet. */
static uint64_t abs_of(const struct udf_update *u, uint32_t lbn)
{
	uint64_t abs;
	if (u->sparable && udf_map_block(u->vol, (uint16_t)u->phys, lbn, &abs, NULL) == 0)
		return abs;
	return (uint64_t)u->part_start + lbn;
}

uint32_t upd_lbn_of(const struct udf_update *u, uint64_t abs)
{
	const struct udf_map *m = &u->vol->maps[u->phys];
	for (uint32_t i = 0; u->sparable && i < m->n_spare; i++)
		if (m->spare_orig[i] < UDF_SPARE_DEFECTIVE && abs >= m->spare_mapped[i] &&
		    abs - m->spare_mapped[i] < m->packet_len)
			return m->spare_orig[i] + (uint32_t)(abs - m->spare_mapped[i]);
	return (uint32_t)(abs - u->part_start);
}

/* Writes runs of blocks that are recorded next to each other at once. */
static int write_mapped(struct udf_update *u, uint32_t lbn, uint32_t count,
			const void *buf, discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	for (uint32_t i = 0; i < count;) {
		uint64_t first = abs_of(u, lbn + i);
		uint32_t run = 1;
		while (i + run < count && abs_of(u, lbn + i + run) == first + run)
			run++;
		int rc = udf_bdev_write(u->bd, first, run,
					(const uint8_t *)buf + (size_t)i * bs, err);
		if (rc)
			return rc;
		i += run;
	}
	return 0;
}

int upd_write(struct udf_update *u, uint32_t lbn, uint32_t count,
	      const void *buf, bool data, discfs_error *err)
{
	int rc = u->sparable ? write_mapped(u, lbn, count, buf, err)
			     : udf_bdev_write(u->bd, (uint64_t)u->part_start + lbn,
					      count, buf, err);
	if (rc)
		return rc;
	u->st.blocks_written += count;
	if (data)
		u->st.data_blocks += count;
	else
		u->st.meta_blocks += count;
	return 0;
}

int upd_bitmap_load(struct udf_update *u, discfs_error *err)
{
	const struct udf_pd *pd = &u->vol->pds[u->vol->maps[u->phys].pd];
	uint32_t bs = u->bd->block_size;
	if (!pd->bitmap_len)
		return dfs_fail(err, DISCFS_ENOTSUP,
				"rewritable volume without a space bitmap");
	uint64_t need = sizeof(struct ecma_sbd) + ((uint64_t)u->part_len + 7) / 8;
	u->sbd_lbn = pd->bitmap_lbn;
	u->sbd_blocks = (uint32_t)((need + bs - 1) / bs);
	if ((uint64_t)pd->bitmap_len + bs - 1 < need || u->sbd_lbn >= u->part_len)
		return dfs_fail(err, DISCFS_EFORMAT, "space bitmap too small");
	u->sbd_raw = calloc(u->sbd_blocks, bs);
	u->alloc_now = calloc(((size_t)u->part_len + 7) / 8, 1);
	if (!u->sbd_raw || !u->alloc_now)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	/* through the map: on a sparable volume its packet may be spared */
	int rc = udf_read_lblocks(u->vol, (uint16_t)u->phys, u->sbd_lbn,
				  u->sbd_blocks, u->sbd_raw, err);
	if (!rc)
		rc = udf_tag_verify(u->sbd_raw, (size_t)u->sbd_blocks * bs, TAG_SBD,
				    u->sbd_lbn, err);
	if (rc)
		return dfs_wrap(err, rc, "space bitmap");
	if (get_le32(u->sbd_raw + 16) < u->part_len)
		return dfs_fail(err, DISCFS_EFORMAT, "space bitmap covers too few blocks");
	u->bitmap = u->sbd_raw + sizeof(struct ecma_sbd);
	return 0;
}

int upd_bitmap_write(struct udf_update *u, discfs_error *err)
{
	const struct ecma_tag *t = (const struct ecma_tag *)u->sbd_raw;
	/* keep the CRC length as recorded (mkudffs covers the header only) */
	size_t crc_len = get_le16(t->crc_len);
	if (16 + crc_len > (size_t)u->sbd_blocks * u->bd->block_size)
		crc_len = 8;
	udf_tag_make(u->sbd_raw, 16 + crc_len, TAG_SBD, get_le16(t->version),
		     get_le16(t->serial), u->sbd_lbn);
	return upd_write(u, u->sbd_lbn, u->sbd_blocks, u->sbd_raw, false, err);
}

int upd_free_push(struct upd_freelist *f, uint32_t lbn, uint32_t len,
		  discfs_error *err)
{
	if (!len)
		return 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		uint32_t *a = realloc(f->lbn, cap * sizeof(*a));
		if (a)
			f->lbn = a;
		uint32_t *b = a ? realloc(f->len, cap * sizeof(*b)) : NULL;
		if (!b)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		f->len = b;
		f->cap = cap;
	}
	f->lbn[f->n] = lbn;
	f->len[f->n++] = len;
	return 0;
}

uint32_t upd_max_ext_blocks(const struct udf_update *u)
{
	uint32_t m = u->max_ext_blocks;
	return m && m < UPD_MAX_EXT_BLOCKS ? m : UPD_MAX_EXT_BLOCKS;
}

int upd_add_run(struct upd_node *n, uint32_t lbn, uint32_t len,
		discfs_error *err)
{
	return upd_add_run_max(n, lbn, len, UPD_MAX_EXT_BLOCKS, err);
}

int upd_add_run_max(struct upd_node *n, uint32_t lbn, uint32_t len,
		    uint32_t max, discfs_error *err)
{
	if (n->n_data && n->data_lbn[n->n_data - 1] + n->data_len[n->n_data - 1] == lbn &&
	    n->data_len[n->n_data - 1] + len <= max) {
		n->data_len[n->n_data - 1] += len;
		return 0;
	}
	uint32_t *a = realloc(n->data_lbn, (n->n_data + 1) * sizeof(*a));
	if (a)
		n->data_lbn = a;
	uint32_t *b = a ? realloc(n->data_len, (n->n_data + 1) * sizeof(*b)) : NULL;
	if (!b)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	n->data_len = b;
	n->data_lbn[n->n_data] = lbn;
	n->data_len[n->n_data++] = len;
	return 0;
}

void upd_commit_reset_space(struct udf_update *u)
{
	u->freed.n = 0;
	if (u->alloc_now)
		memset(u->alloc_now, 0, ((size_t)u->part_len + 7) / 8);
	memset(&u->st, 0, sizeof(u->st));
	u->seq_next = u->bd->nwa;
}
