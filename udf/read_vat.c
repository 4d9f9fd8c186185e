/*
 * udf/read_vat.c - finding and loading the Virtual Allocation Table.
 *
 * The VAT ICB is the last block recorded (UDF 2.2.11).  We start at the
 * source's last recorded block (or the caller's last_block), step back over
 * blocks that are all zero (unrecorded tails of image files), then try each
 * block for at most UDF_VAT_SCAN blocks: a FE/EFE whose tag location is its
 * partition-relative block and whose file type is 248 (2.00 VAT) or 0 with
 * the "*UDF Virtual Alloc Tbl" trailer (1.50 VAT).
 */
#include <stdlib.h>
#include <string.h>

#include "udf/ident.h"
#include "udf/osta.h"
#include "udf/read_int.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

#define ZERO_CHUNK 64u

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int parse_vat(struct udf_vol *vol, struct udf_map *m,
		     const uint8_t *d, size_t len, uint8_t ftype,
		     discfs_error *err)
{
	size_t first, n;
	uint32_t prev;
	if (ftype == FT_VAT20) {
		const struct udf_vat20 *h = (const void *)d;
		if (len < sizeof(*h))
			return dfs_fail(err, DISCFS_EFORMAT, "VAT shorter than its header");
		first = get_le16(h->l_hd);
		if (first < sizeof(*h) || first > len ||
		    first != sizeof(*h) + get_le16(h->l_iu))
			return dfs_fail(err, DISCFS_EFORMAT,
					"VAT header length %zu (L_IU %u, %zu bytes)",
					first, get_le16(h->l_iu), len);
		n = (len - first) / 4;
		prev = get_le32(h->prev_vat_loc);
		vol->info.num_files = get_le32(h->num_files);
		vol->info.num_dirs = get_le32(h->num_dirs);
		m->vat_rev = 0x0200;
	} else {
		const struct udf_vat150_trailer *t;
		if (len < sizeof(*t))
			return dfs_fail(err, DISCFS_EFORMAT, "VAT shorter than its trailer");
		t = (const void *)(d + len - sizeof(*t));
		if (!udf_regid_is(&t->ident, UDF_ID_VAT150))
			return dfs_fail(err, DISCFS_EFORMAT, "no 1.50 VAT trailer");
		first = 0;
		n = (len - sizeof(*t)) / 4;
		prev = get_le32(t->prev_vat_loc);
		m->vat_rev = 0x0150;
	}
	uint32_t *vat = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!vat)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		vat[i] = get_le32(d + first + 4 * i);
	free(m->vat);
	m->vat = vat;
	m->vat_n = (uint32_t)n;
	m->vat_prev = prev;
	return 0;
}

/* Every commit remaps or adds an entry; a VAT copied elsewhere unchanged
 * (a cut-short commit put in order) keeps the hash. */
static uint64_t vat_hash(const uint32_t *vat, uint32_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (uint32_t i = 0; i < n; i++)
		for (int b = 0; b < 32; b += 8)
			h = (h ^ ((vat[i] >> b) & 0xFFu)) * 1099511628211ull;
	return h;
}

int udf_vat_try(struct udf_vol *vol, unsigned mapi, uint32_t lbn,
		discfs_error *err)
{
	struct udf_map *m = &vol->maps[mapi];
	struct udf_icb icb = { lbn, (uint16_t)m->phys };
	struct udf_inode *ino = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = udf_inode_get(vol, icb, &ino, err);
	if (rc)
		return rc;
	if (ino->file_type != FT_VAT20 && ino->file_type != FT_UNSPECIFIED) {
		rc = dfs_fail(err, DISCFS_EFORMAT, "file type %u is not a VAT",
			      ino->file_type);
		goto out;
	}
	/* Each entry names a distinct recorded block: 4 bytes per block of
	 * the partition (or of the source, if smaller) plus a header is the
	 * most a sane VAT can need. */
	uint64_t blocks = vol->pds[vol->maps[m->phys].pd].length;
	if (blocks > vol->src.n_blocks)
		blocks = vol->src.n_blocks;
	uint64_t max = 4 * blocks + 65536;
	if ((rc = udf_read_stream(vol, ino, max, &data, &len, err)))
		goto out;
	if ((rc = parse_vat(vol, m, data, len, ino->file_type, err)))
		goto out;
	m->vat_abs = ino->abs;
	vol->info.vat_block = ino->abs;
	vol->info.vat_entries = m->vat_n;
	vol->info.vat_hash = vat_hash(m->vat, m->vat_n);
out:
	free(data);
	udf_inode_free(ino);
	return rc;
}

/* Last block at or below start that is not all zero (start if unreadable). */
static uint64_t skip_zero_tail(struct udf_vol *vol, uint64_t start,
			       uint64_t floor)
{
	uint8_t *b = malloc((size_t)ZERO_CHUNK * vol->bs);
	uint64_t at = start;
	if (!b)
		return start;
	while (at >= floor) {
		uint64_t lo = at + 1 >= floor + ZERO_CHUNK ? at + 1 - ZERO_CHUNK : floor;
		uint32_t cnt = (uint32_t)(at - lo + 1);
		if (udf_bsrc_read(&vol->src, lo, cnt, b, NULL))
			break;
		for (uint32_t i = cnt; i-- > 0;)
			if (!all_zero(b + (size_t)i * vol->bs, vol->bs)) {
				free(b);
				return lo + i;
			}
		if (lo == floor)
			break;
		at = lo - 1;
	}
	free(b);
	return start;
}

int udf_load_vat(struct udf_vol *vol, unsigned mapi, discfs_error *err)
{
	struct udf_map *m = &vol->maps[mapi];
	const struct udf_pd *pd = &vol->pds[vol->maps[m->phys].pd];
	uint64_t last = vol->last;
	discfs_error e = { 0 };

	if (last >= vol->src.n_blocks)
		last = vol->src.n_blocks - 1;
	if (last < pd->start)
		return dfs_fail(err, DISCFS_EFORMAT,
				"last block %llu is before the partition",
				(unsigned long long)last);
	last = skip_zero_tail(vol, last, pd->start);
	for (uint32_t k = 0; k < UDF_VAT_SCAN && last >= pd->start + k; k++) {
		uint64_t abs = last - k;
		if (abs - pd->start >= pd->length)
			continue;
		if (udf_vat_try(vol, mapi, (uint32_t)(abs - pd->start), &e) == 0)
			return 0;
	}
	return dfs_fail(err, DISCFS_EFORMAT,
			"no VAT found in the %u blocks before block %llu (last: %s)",
			UDF_VAT_SCAN, (unsigned long long)last,
			e.msg[0] ? e.msg : "nothing readable");
}
