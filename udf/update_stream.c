/*
 * udf/update_stream.c - writing a directory's new FID stream, lending the
 * blocks of the committed stream that come out byte-identical (so a name
 * added to a huge directory costs its tail, not the whole stream).
 *
 * FID tag locations depend on the block a FID starts in, so the stream is
 * built twice: once with every block at its old place to find the blocks
 * that are unchanged, then with the final places.  A mix of old and new
 * pieces is limited to STREAM_MAX_PIECES (the directory's entry must hold
 * one descriptor per piece); beyond that the stream is written anew.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/update_int.h"
#include "util/err.h"

#define STREAM_MAX_PIECES 64u

/* The committed stream of directory d, when it can lend blocks: its
 * bytes (block padded) and where each block is; 0 with *old NULL when not. */
static int old_stream(struct udf_update *u, const struct upd_node *d,
		      uint8_t **old, uint64_t *old_len, uint32_t **lbn,
		      discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	struct udf_inode *ino = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	*old = NULL;
	*lbn = NULL;
	if (!d->on_disc)
		return 0;
	int rc = udf_inode_get(u->vol, d->icb, &ino, err);
	if (!rc && !ino->inline_data)
		rc = udf_read_stream(u->vol, ino, UDF_MAX_DIR_BYTES, &data, &len, err);
	uint64_t nb = (len + bs - 1) / bs;
	uint32_t *map = rc || !data ? NULL : malloc((nb + 1) * sizeof(*map));
	uint8_t *padded = map ? calloc(nb + 1, bs) : NULL;
	for (uint64_t b = 0; padded && b < nb; b++) {
		map[b] = UINT32_MAX; /* not lendable unless recorded here */
		for (uint32_t i = 0; i < ino->n_ext; i++) {
			const struct udf_ext *e = &ino->ext[i];
			uint64_t off = b * bs;
			if (off >= e->file_off && off < e->file_off + e->len &&
			    e->type == EXT_RECORDED && e->part == upd_meta_map(u) &&
			    (e->file_off % bs) == 0)
				map[b] = e->lbn + (uint32_t)((off - e->file_off) / bs);
		}
	}
	if (padded) {
		memcpy(padded, data, len);
		*old = padded;
		*old_len = len;
		*lbn = map;
	} else {
		free(map);
	}
	free(data);
	udf_inode_free(ino);
	return rc;
}

/* Is block b of the new stream s (len bytes) the same as the old one? */
static bool same_block(const uint8_t *s, uint64_t len, const uint8_t *old,
		       uint64_t old_len, const uint32_t *old_lbn, uint64_t b,
		       uint32_t bs)
{
	uint64_t lo = b * bs;
	uint64_t n_new = len - lo < bs ? len - lo : bs;
	if (!old || lo >= old_len || old_lbn[b] == UINT32_MAX)
		return false;
	uint64_t n_old = old_len - lo < bs ? old_len - lo : bs;
	return n_new == n_old && !memcmp(s + lo, old + lo, n_new);
}

/*
 * Writes directory d's new FID stream.  Blocks whose bytes are the same as
 * in the committed stream stay where they are (a name added at the end of
 * a large directory costs its last blocks, not the whole stream); the
 * others go to new blocks.  Runs land in d->data_lbn/len.
 */
int upd_write_stream(struct udf_update *u, struct upd_node *d,
		     discfs_error *err)
{
	uint32_t bs = u->bd->block_size, got;
	uint64_t size = upd_stream_size(d, bs), len = 0, old_len = 0;
	uint64_t nb = (size + bs - 1) / bs;
	uint8_t *s = NULL, *old = NULL;
	uint32_t *old_lbn = NULL;
	uint32_t *lbn = calloc(nb + 1, sizeof(*lbn));
	bool *keep = calloc(nb + 1, sizeof(*keep));
	int rc = lbn && keep ? 0 : dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (!rc)
		rc = old_stream(u, d, &old, &old_len, &old_lbn, err);
	/* first pass with the old places: which blocks come out the same */
	uint64_t old_nb = (old_len + bs - 1) / bs;
	for (uint64_t b = 0; !rc && b < nb; b++)
		lbn[b] = old && b < old_nb ? old_lbn[b] : 0;
	if (!rc && old)
		rc = upd_build_stream(u, d, lbn, nb, &s, &len, err);
	for (uint64_t b = 0; !rc && old && b < nb; b++)
		keep[b] = same_block(s, len, old, old_len, old_lbn, b, bs);
	free(s);
	s = NULL;
	/* a mix of old and new pieces must fit the entry's descriptors */
	unsigned pieces = 0;
	for (uint64_t b = 0; b < nb; b++)
		pieces += b == 0 || keep[b] != keep[b - 1] ||
			  (keep[b] && old_lbn[b] != old_lbn[b - 1] + 1);
	if (pieces > STREAM_MAX_PIECES)
		memset(keep, 0, (nb + 1) * sizeof(*keep));
	/* new places for the others, in as few runs as the allocator gives */
	for (uint64_t b = 0; !rc && b < nb;) {
		if (keep[b]) {
			b++;
			continue;
		}
		uint64_t k = 0;
		while (b + k < nb && !keep[b + k])
			k++;
		/* one run when free space has one: libudfread (and so Blu-ray
		 * players built on it) reads only a directory's first extent */
		rc = upd_alloc_md(u, (uint32_t)k, true, &lbn[b], &got, err);
		if (rc == -DISCFS_ENOSPC)
			rc = upd_alloc_md(u, (uint32_t)k, false, &lbn[b], &got, err);
		for (uint64_t i = 1; !rc && i < got; i++)
			lbn[b + i] = lbn[b] + (uint32_t)i;
		b += rc ? 0 : got;
	}
	if (!rc)
		rc = upd_build_stream(u, d, lbn, nb, &s, &d->stream_len, err);
	d->n_data = 0;
	for (uint64_t b = 0; !rc && b < nb;) {
		uint64_t k = 1;
		while (b + k < nb && keep[b + k] == keep[b] && lbn[b + k] == lbn[b] + k)
			k++;
		if (!keep[b])
			rc = upd_write_md(u, lbn[b], (uint32_t)k, s + b * bs, err);
		if (!rc)
			rc = upd_add_run(d, lbn[b], (uint32_t)k, err);
		b += k;
	}
	free(s);
	free(old);
	free(old_lbn);
	free(lbn);
	free(keep);
	return rc;
}

