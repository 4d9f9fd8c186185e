/*
 * tests/fuzz/sparse_src.h - a UDF block source (udf/read_src.h) built from
 * a fuzz input that describes a sparse image, so that a whole volume (its
 * anchor sits at block 256) fits in a few kilobytes of input.
 *
 * Input layout (little-endian):
 *   u8  flags     bit 0: refresh descriptor tags (see below)
 *                 bits 1-2: block size 2048, 512, 1024, 4096
 *                 bit 3: free for the harness (fsck: repair)
 *   u32 n_blocks  size of the image in blocks (clamped to 1 .. 2^22)
 *   u32 last      last recorded block, 0xFFFFFFFF = unknown
 *   chunks        u32 lba, then one block (a short last one is zero-padded)
 * Blocks no chunk names read as zeros; a later chunk for the same lba wins;
 * chunks at or past n_blocks are dropped.
 *
 * Refreshing tags: a mutated descriptor almost always fails its CRC or
 * checksum, which would stop the reader at the first check.  With bit 0
 * set, every chunk that starts with a plausible descriptor tag (known
 * ident, version 2 or 3) gets its CRC (over its stated CRC length, when it
 * fits the block) and checksum recomputed, so the mutations reach the
 * decoding behind the tag checks; so do file identifier descriptors found
 * inside a block.  The location field is left as it is.
 *
 * Writes (fsck repair) go to a private copy: a written block replaces or
 * joins the chunk list (bounded), and may grow n_blocks.
 */
#ifndef FUZZ_SPARSE_SRC_H
#define FUZZ_SPARSE_SRC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udf/read_src.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

#define SPARSE_HDR 9u
#define SPARSE_MAX_BLOCKS (1u << 22)
#define SPARSE_MAX_CHUNKS 4096u
#define SPARSE_FLAG_RETAG 1u
#define SPARSE_FLAG_X 8u

struct sparse_img {
	uint32_t bs;
	uint32_t n_chunks, cap;
	uint32_t *lba;      /* n_chunks, in input order */
	uint8_t *blocks;    /* n_chunks * bs */
	uint8_t flags;
};

static inline int sparse_plausible_tag(const uint8_t *b)
{
	uint16_t id = get_le16(b), ver = get_le16(b + 2);
	return (ver == 2 || ver == 3) &&
	       ((id >= 1 && id <= 9) || (id >= 256 && id <= 266));
}

static inline void sparse_retag_one(uint8_t *b, uint32_t avail)
{
	uint16_t crc_len = get_le16(b + 10);

	if (16u + crc_len <= avail)
		put_le16(b + 8, udf_crc_itu(b + 16, crc_len));
	b[4] = udf_tag_checksum(b);
}

/* The descriptor at the block start, and file identifier descriptors
 * (ident 257, 4-byte aligned) anywhere in it: directories hold many. */
static inline void sparse_retag(uint8_t *b, uint32_t bs)
{
	for (uint32_t off = 0; off + 16 <= bs; off += 4)
		if (sparse_plausible_tag(b + off) &&
		    (off == 0 || get_le16(b + off) == 257))
			sparse_retag_one(b + off, bs - off);
}

/* The newest chunk holding lba, or NULL. */
static inline uint8_t *sparse_find(struct sparse_img *im, uint64_t lba)
{
	for (uint32_t i = im->n_chunks; i-- > 0;)
		if (im->lba[i] == lba)
			return im->blocks + (size_t)i * im->bs;
	return NULL;
}

static int sparse_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		       discfs_error *err)
{
	struct sparse_img *im = ctx;
	uint8_t *out = buf;

	for (uint32_t i = 0; i < count; i++, out += im->bs) {
		const uint8_t *b = sparse_find(im, lba + i);
		if (b)
			memcpy(out, b, im->bs);
		else
			memset(out, 0, im->bs);
	}
	return 0;
}

static int sparse_write(void *ctx, uint64_t lba, uint32_t count,
			const void *buf, discfs_error *err)
{
	struct sparse_img *im = ctx;
	const uint8_t *in = buf;

	for (uint32_t i = 0; i < count; i++, in += im->bs) {
		uint8_t *b = sparse_find(im, lba + i);
		if (!b) {
			if (im->n_chunks >= im->cap)
				return dfs_fail(err, DISCFS_ENOSPC,
						"sparse image full");
			b = im->blocks + (size_t)im->n_chunks * im->bs;
			im->lba[im->n_chunks++] = (uint32_t)(lba + i);
		}
		memcpy(b, in, im->bs);
	}
	return 0;
}

static void sparse_close(void *ctx)
{
	struct sparse_img *im = ctx;

	free(im->lba);
	free(im->blocks);
	free(im);
}

/*
 * Builds the source from the input; 0, or -1 when the input is too short
 * to be an image or memory ran out.  The source owns the image: close it
 * with udf_bsrc_close() (unless a udf_vol took it over).
 */
static inline int sparse_src_make(const uint8_t *data, size_t size,
				  struct udf_bsrc *src)
{
	static const uint32_t sizes[4] = { 2048, 512, 1024, 4096 };
	struct sparse_img *im;
	uint32_t n_blocks, last;
	size_t cap;

	if (size < SPARSE_HDR)
		return -1;
	im = calloc(1, sizeof(*im));
	if (!im)
		return -1;
	im->flags = data[0];
	im->bs = sizes[(data[0] >> 1) & 3];
	n_blocks = get_le32(data + 1);
	n_blocks = n_blocks == 0 ? 1 : n_blocks > SPARSE_MAX_BLOCKS
				  ? SPARSE_MAX_BLOCKS : n_blocks;
	last = get_le32(data + 5);
	/* room for the input's chunks and some repair writes */
	cap = 256;
	for (size_t off = SPARSE_HDR; off + 4 < size && cap < SPARSE_MAX_CHUNKS;
	     off += 4 + im->bs)
		cap++;
	im->cap = (uint32_t)cap;
	im->lba = calloc(cap, sizeof(*im->lba));
	im->blocks = calloc(cap, im->bs);
	if (!im->lba || !im->blocks) {
		sparse_close(im);
		return -1;
	}
	for (size_t off = SPARSE_HDR; off + 4 < size && im->n_chunks < cap;) {
		uint32_t lba = get_le32(data + off);
		size_t n = size - off - 4 < im->bs ? size - off - 4 : im->bs;
		if (lba < n_blocks) {
			uint8_t *b = im->blocks + (size_t)im->n_chunks * im->bs;
			memcpy(b, data + off + 4, n);
			if (im->flags & SPARSE_FLAG_RETAG)
				sparse_retag(b, im->bs);
			im->lba[im->n_chunks++] = lba;
		}
		off += 4 + n;
	}
	*src = (struct udf_bsrc){
		.ctx = im, .block_size = im->bs, .n_blocks = n_blocks,
		.last_recorded = last == 0xFFFFFFFFu ? UINT64_MAX : last,
		.read = sparse_read, .write = sparse_write, .close = sparse_close,
	};
	return 0;
}

#endif
