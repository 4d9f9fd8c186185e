/*
 * udf/update_vat.c - the Virtual Allocation Table of write-once volumes
 * (UDF 2.00+ format: 152-byte header, then one u32 per virtual block; a
 * UDF 1.50 volume keeps its format: the entries, then a 36-byte trailer
 * with the previous VAT's place, in a file entry of type 0).
 *
 * Header implementation use (UDF 2.2.11 allows it): our regid followed by
 * the next UniqueID (u64 LE), since on write-once media the LVID cannot be
 * rewritten to carry it.  L_IU = 40, so entries start at byte 192.
 *
 * Writing: the header block is always new; other VAT blocks are written
 * only when an entry in them changed or they grew, the others are
 * referenced where the previous VAT recorded them.  When that would need
 * more allocation descriptors than one ICB holds, or the previous layout
 * differs, the whole table is written again.  A table small enough lives
 * inside the VAT ICB.  The VAT ICB is always the last block written.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/ident.h"
#include "udf/tag.h"
#include "udf/update_int.h"
#include "util/bytes.h"
#include "util/err.h"

#define VAT_IU_LEN 40u
#define VAT_LHD (sizeof(struct udf_vat20) + VAT_IU_LEN)

static size_t icb_fixed(const struct udf_update *u)
{
	return u->efe ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe);
}

int upd_vat_load(struct udf_update *u, discfs_error *err)
{
	struct udf_map *m = &u->vol->maps[u->virt];
	struct udf_inode *ino = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	u->vat150 = m->vat_rev < 0x0200;
	u->vat_cap = m->vat_n + 1024;
	u->vat = malloc((size_t)u->vat_cap * sizeof(uint32_t));
	u->vat_dirty = calloc(u->vat_cap / 8 + 1, 1);
	if (!u->vat || !u->vat_dirty)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	memcpy(u->vat, m->vat, (size_t)m->vat_n * sizeof(uint32_t));
	u->vat_n = m->vat_n;
	u->vat_icb_lbn = (uint32_t)(m->vat_abs - u->part_start);
	struct udf_icb icb = { u->vat_icb_lbn, (uint16_t)u->phys };
	int rc = udf_inode_get(u->vol, icb, &ino, err);
	if (!rc)
		rc = udf_read_stream(u->vol, ino, UDF_MAX_DIR_BYTES, &data, &len, err);
	if (rc) {
		udf_inode_free(ino);
		return dfs_wrap(err, rc, "VAT");
	}
	u->vat_len = len;
	u->vat_lhd = u->vat150 ? 0 : len >= 2 ? get_le16(data) : 0;
	if (!ino->inline_data && ino->n_ext) {
		u->vat_ext = malloc(ino->n_ext * sizeof(*u->vat_ext));
		if (!u->vat_ext)
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		else
			memcpy(u->vat_ext, ino->ext, ino->n_ext * sizeof(*u->vat_ext));
		u->vat_n_ext = ino->n_ext;
	}
	/* our next UniqueID, when we wrote this VAT (1.50: none; the tree
	 * is scanned for it) */
	uint16_t l_iu = !u->vat150 && len >= 4 ? get_le16(data + 2) : 0;
	const uint8_t *iu = data + sizeof(struct udf_vat20);
	if (l_iu >= VAT_IU_LEN && len >= VAT_LHD &&
	    udf_regid_is((const struct ecma_regid *)iu, UDF_ID_DISCFS))
		u->next_uid = get_le64(iu + 32);
	udf_inode_free(ino);
	free(data);
	return rc;
}

int upd_vat_new(struct udf_update *u, uint32_t *vaddr, discfs_error *err)
{
	if (u->vat_n == u->vat_cap) {
		uint32_t cap = u->vat_cap * 2;
		uint32_t *v = realloc(u->vat, (size_t)cap * sizeof(*v));
		if (v)
			u->vat = v;
		uint8_t *d = v ? realloc(u->vat_dirty, cap / 8 + 1) : NULL;
		if (!d)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		memset(d + u->vat_cap / 8 + 1, 0, cap / 8 - u->vat_cap / 8);
		u->vat_dirty = d;
		u->vat_cap = cap;
	}
	*vaddr = u->vat_n;
	u->vat[u->vat_n++] = UDF_VAT_UNUSED;
	u->vat_dirty[*vaddr >> 3] |= (uint8_t)(1u << (*vaddr & 7));
	return 0;
}

void upd_vat_set(struct udf_update *u, uint32_t vaddr, uint32_t lbn)
{
	if (vaddr >= u->vat_n)
		return;
	u->vat[vaddr] = lbn;
	u->vat_dirty[vaddr >> 3] |= (uint8_t)(1u << (vaddr & 7));
}

/* Bytes before the entries and after them in u's VAT format. */
static size_t vat_head(const struct udf_update *u)
{
	return u->vat150 ? 0 : VAT_LHD;
}

static size_t vat_tail(const struct udf_update *u)
{
	return u->vat150 ? sizeof(struct udf_vat150_trailer) : 0;
}

/* The 1.50 VAT file's bytes: entries, then the trailer. */
static uint8_t *build_stream150(struct udf_update *u, size_t *len)
{
	size_t n = (size_t)u->vat_n * 4 + vat_tail(u);
	uint32_t bs = u->bd->block_size;
	uint8_t *s = calloc(1, (n + bs - 1) / bs * bs);
	if (!s)
		return NULL;
	for (uint32_t i = 0; i < u->vat_n; i++)
		put_le32(s + 4 * (size_t)i, u->vat[i]);
	struct udf_vat150_trailer *t = (struct udf_vat150_trailer *)(s + 4 * (size_t)u->vat_n);
	udf_regid_udf(&t->ident, UDF_ID_VAT150, UDF_REV_150);
	put_le32(t->prev_vat_loc, u->vat_icb_lbn);
	*len = n;
	return s;
}

/* The VAT file's bytes: header, then entries. */
static uint8_t *build_stream(struct udf_update *u, size_t *len)
{
	if (u->vat150)
		return build_stream150(u, len);
	size_t n = VAT_LHD + (size_t)u->vat_n * 4;
	uint32_t bs = u->bd->block_size;
	uint8_t *s = calloc(1, (n + bs - 1) / bs * bs);
	if (!s)
		return NULL;
	struct udf_vat20 *h = (struct udf_vat20 *)s;
	uint16_t rev = u->rev;
	put_le16(h->l_hd, (uint16_t)VAT_LHD);
	put_le16(h->l_iu, VAT_IU_LEN);
	memcpy(h->lv_ident, u->vol->lvd + 84, sizeof(h->lv_ident));
	put_le32(h->prev_vat_loc, u->vat_icb_lbn);
	put_le32(h->num_files, (uint32_t)u->num_files);
	put_le32(h->num_dirs, (uint32_t)u->num_dirs);
	put_le16(h->min_read_rev, rev);
	put_le16(h->min_write_rev, rev);
	put_le16(h->max_write_rev, rev);
	udf_regid_impl((struct ecma_regid *)(s + sizeof(*h)));
	put_le64(s + sizeof(*h) + 32, u->next_uid);
	for (uint32_t i = 0; i < u->vat_n; i++)
		put_le32(s + VAT_LHD + 4 * (size_t)i, u->vat[i]);
	*len = n;
	return s;
}

/* Where block b of the previous VAT file is, or UINT32_MAX. */
static uint32_t old_block(const struct udf_update *u, uint64_t b)
{
	uint32_t bs = u->bd->block_size;
	uint64_t off = b * bs;
	for (uint32_t i = 0; i < u->vat_n_ext; i++) {
		const struct udf_ext *e = &u->vat_ext[i];
		if (off >= e->file_off && off < e->file_off + e->len &&
		    e->type == EXT_RECORDED && e->part == u->phys)
			return e->lbn + (uint32_t)((off - e->file_off) / bs);
	}
	return UINT32_MAX;
}

/* May block b be taken from the previous VAT as it is?  Only blocks of
 * entries alone (no header or trailer bytes, now or then) qualify. */
static bool block_unchanged(const struct udf_update *u, uint64_t b, size_t len)
{
	uint32_t bs = u->bd->block_size;
	uint64_t lo = b * bs, hi = lo + bs < len ? lo + bs : len;
	size_t head = vat_head(u), tail = vat_tail(u);
	if (lo < head || !u->vat_ext || u->vat_lhd != head ||
	    hi + tail > u->vat_len || hi + tail > len)
		return false;
	uint64_t first = (lo - head) / 4, last = (hi - 1 - head) / 4;
	for (uint64_t i = first; i <= last && i < u->vat_n; i++)
		if (u->vat_dirty[i >> 3] & (1u << (i & 7)))
			return false;
	return old_block(u, b) != UINT32_MAX;
}

struct vat_runs {
	uint32_t lbn[128], n[128];
	unsigned count;
};

static bool run_add(struct vat_runs *r, uint32_t lbn, unsigned max)
{
	if (r->count && r->lbn[r->count - 1] + r->n[r->count - 1] == lbn) {
		r->n[r->count - 1]++;
		return true;
	}
	if (r->count == max)
		return false;
	r->lbn[r->count] = lbn;
	r->n[r->count++] = 1;
	return true;
}

/* Writes the VAT's blocks (partial when it can); fills runs. */
static int write_blocks(struct udf_update *u, const uint8_t *s, size_t len,
			struct vat_runs *r, discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	uint64_t nb = (len + bs - 1) / bs;
	unsigned max = (unsigned)((bs - icb_fixed(u)) / sizeof(struct ecma_long_ad));
	if (max > 128)
		max = 128;
	/* count the runs a mix of old and new blocks needs before writing
	 * anything: new blocks are contiguous among themselves */
	bool partial = true;
	struct vat_runs *probe = calloc(1, sizeof(*probe));
	if (!probe)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	uint32_t fake = UINT32_MAX / 2;
	for (uint64_t b = 0; b < nb && partial; b++) {
		uint32_t l = block_unchanged(u, b, len) ? old_block(u, b) : fake++;
		partial = run_add(probe, l, max);
	}
	free(probe);
	r->count = 0;
	for (uint64_t b = 0; b < nb;) {
		uint32_t lbn, got;
		int rc;
		if (partial && block_unchanged(u, b, len)) {
			run_add(r, old_block(u, b), max);
			b++;
			continue;
		}
		uint64_t k = 1; /* new blocks in a row */
		while (b + k < nb && !(partial && block_unchanged(u, b + k, len)))
			k++;
		if ((rc = upd_alloc(u, (uint32_t)k, true, &lbn, &got, err)) ||
		    (rc = upd_write(u, lbn, (uint32_t)k, s + b * bs, false, err)))
			return rc;
		for (uint64_t i = 0; i < k; i++)
			if (!run_add(r, lbn + (uint32_t)i, max))
				return dfs_fail(err, DISCFS_ENOTSUP, "VAT too fragmented");
		b += k;
	}
	return 0;
}

static void build_icb(struct udf_update *u, uint8_t *blk, const uint8_t *s,
		      size_t len, const struct vat_runs *r, uint32_t loc)
{
	uint32_t bs = u->bd->block_size;
	size_t fixed = icb_fixed(u), l_ad = 0;
	struct ecma_fe *fe = (struct ecma_fe *)blk;
	struct ecma_efe *e = (struct ecma_efe *)blk;
	uint64_t blocks = 0;
	memset(blk, 0, bs);
	put_le16(fe->icbtag.strategy_type, 4);
	put_le16(fe->icbtag.max_entries, 1);
	fe->icbtag.file_type = u->vat150 ? FT_UNSPECIFIED : FT_VAT20;
	put_le16(fe->icbtag.flags, r ? ICBF_AD_LONG : ICBF_AD_IN_ICB);
	put_le32(fe->uid, 0xFFFFFFFFu);
	put_le32(fe->gid, 0xFFFFFFFFu);
	put_le16(fe->link_count, 1);
	put_le64(fe->info_length, len);
	if (!r) {
		memcpy(blk + fixed, s, len);
		l_ad = len;
	} else {
		uint64_t left = len;
		for (unsigned i = 0; i < r->count; i++) {
			struct ecma_long_ad *a = (struct ecma_long_ad *)(blk + fixed + l_ad);
			uint64_t bytes = (uint64_t)r->n[i] * bs;
			if (bytes > left)
				bytes = left;
			put_le32(a->length, (uint32_t)bytes);
			put_le32(a->loc.lbn, r->lbn[i]);
			put_le16(a->loc.part_ref, (uint16_t)u->phys);
			l_ad += sizeof(*a);
			left -= bytes;
			blocks += r->n[i];
		}
	}
	struct ecma_timestamp now;
	upd_now(u, &now);
	if (u->efe) {
		put_le64(e->object_size, len);
		put_le64(e->blocks_recorded, blocks);
		e->atime = e->mtime = e->ctime = e->attr_time = now;
		put_le32(e->checkpoint, 1);
		udf_regid_impl(&e->imp_ident);
		put_le32(e->l_ad, (uint32_t)l_ad);
	} else {
		put_le64(fe->blocks_recorded, blocks);
		fe->atime = fe->mtime = fe->attr_time = now;
		put_le32(fe->checkpoint, 1);
		udf_regid_impl(&fe->imp_ident);
		put_le32(fe->l_ad, (uint32_t)l_ad);
	}
	udf_tag_make(blk, fixed + l_ad, u->efe ? TAG_EFE : TAG_FE, u->tag_version,
		     u->serial, loc);
}

int upd_vat_write(struct udf_update *u, discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	size_t len = 0;
	uint8_t *s = build_stream(u, &len);
	uint8_t *blk = malloc(bs);
	struct vat_runs *r = calloc(1, sizeof(*r));
	int rc = 0;
	if (!s || !blk || !r) {
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		goto out;
	}
	bool inline_vat = len <= bs - icb_fixed(u);
	if (!inline_vat)
		rc = write_blocks(u, s, len, r, err);
	uint32_t loc, got;
	if (!rc)
		rc = upd_alloc(u, 1, true, &loc, &got, err);
	if (!rc) {
		build_icb(u, blk, s, len, inline_vat ? NULL : r, loc);
		rc = upd_write(u, loc, 1, blk, false, err);
	}
out:
	free(r);
	free(blk);
	free(s);
	return rc;
}

int upd_vat_append_copy(struct udf_update *u, discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	uint8_t *blk = malloc(bs);
	uint32_t loc, got;
	if (!blk)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	int rc = udf_bdev_read(u->bd, (uint64_t)u->part_start + u->vat_icb_lbn, 1,
			       blk, err);
	if (!rc)
		rc = upd_alloc(u, 1, true, &loc, &got, err);
	if (!rc) {
		const struct ecma_tag *t = (const struct ecma_tag *)blk;
		udf_tag_make(blk, 16 + (size_t)get_le16(t->crc_len), get_le16(t->ident),
			     get_le16(t->version), get_le16(t->serial), loc);
		rc = upd_write(u, loc, 1, blk, false, err);
	}
	if (!rc)
		rc = udf_bdev_sync(u->bd, err);
	free(blk);
	return rc;
}
