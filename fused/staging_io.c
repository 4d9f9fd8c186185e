/*
 * fused/staging_io.c - file contents in the staging store: writes append
 * to the segments and journal where the bytes went; reads merge staged
 * extents, committed bytes from the disc and holes.  (See staging.h.)
 */
#include "fused/staging.h"
#include "fused/staging_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One WRITE op: bytes to the segments first, then the journal record. */
static ssize_t write_op(struct stg_store *s, uint64_t ino, uint64_t off,
			const void *buf, size_t len)
{
	struct stg_op op = {
		.type = STG_OP_WRITE, .ino = ino, .off = off, .len = len,
		.time = stg_now(),
	};
	uint32_t seg;
	int rc;

	/* The journal record must never point at missing data. */
	rc = stg_segs_append(&s->segs, buf, len, &seg, &op.segoff);
	if (rc < 0)
		return rc;
	op.seg = seg;
	rc = stg_store_apply(s, &op);
	return rc < 0 ? rc : (ssize_t)len;
}

/*
 * Keeps a file's extent list bounded: past STG_MAX_EXTENTS, the staged
 * span is rewritten as one run (merged bytes read back, appended again),
 * as long as that span is not mostly holes.  Replay sees plain WRITEs.
 */
static int compact_extents(struct stg_store *s, struct stg_inode *in)
{
	uint64_t from = in->ext[0].off;
	uint64_t to = in->ext[in->n_ext - 1].off + in->ext[in->n_ext - 1].len;
	uint8_t *buf;
	int rc = 0;

	if (to - from > 2 * in->ext_bytes + (1u << 20))
		return 0; /* sparse: copying the holes would cost more */
	buf = malloc(1u << 20);
	if (!buf)
		return -ENOMEM;
	for (uint64_t pos = from; rc == 0 && pos < to;) {
		size_t n = to - pos < (1u << 20) ? (size_t)(to - pos) : (1u << 20);
		ssize_t got = stg_read(s, in->ino, pos, buf, n);
		if (got <= 0) {
			rc = got < 0 ? (int)got : -EIO;
			break;
		}
		got = write_op(s, in->ino, pos, buf, (size_t)got);
		rc = got < 0 ? (int)got : 0;
		pos += (uint64_t)(got > 0 ? got : 0);
	}
	free(buf);
	return rc;
}

ssize_t stg_write(struct stg_store *s, uint64_t ino, uint64_t off,
		  const void *buf, size_t len)
{
	struct stg_inode *in = stg_tree_inode(&s->tree, ino);
	ssize_t n;

	if (s->broken)
		return s->broken == EROFS ? -EROFS : -EIO;
	if (!in)
		return -ENOENT;
	if (!S_ISREG(in->mode))
		return -EISDIR;
	if (len == 0)
		return 0;
	if (off + len < off || off + len > (1ull << 62))
		return -EFBIG;
	n = write_op(s, ino, off, buf, len);
	if (n > 0 && in->n_ext > STG_MAX_EXTENTS && compact_extents(s, in) < 0)
		return -EIO;
	return n;
}

/* Fills a gap between staged extents: committed bytes, then zeros. */
static int read_gap(struct stg_store *s, const struct stg_inode *in,
		    uint64_t off, uint8_t *buf, size_t len)
{
	size_t from_disc = 0;

	if (off < in->base_size) {
		from_disc = in->base_size - off < len ? in->base_size - off : len;
		if (!s->read)
			return -EIO;
		int rc = s->read(s->disc_ctx, in->disc_id, off, buf, from_disc);
		if (rc < 0)
			return rc;
	}
	memset(buf + from_disc, 0, len - from_disc);
	return 0;
}

ssize_t stg_read(struct stg_store *s, uint64_t ino, uint64_t off, void *out,
		 size_t len)
{
	struct stg_inode *in = stg_tree_inode(&s->tree, ino);
	uint8_t *buf = out;
	uint64_t pos = off, end;
	uint32_t lo = 0, hi;
	int rc;

	if (!in)
		return -ENOENT;
	if (!S_ISREG(in->mode))
		return -EISDIR;
	if (off >= in->size)
		return 0;
	end = in->size - off < len ? in->size : off + len;
	/* First extent ending after off (binary search). */
	hi = in->n_ext;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (in->ext[mid].off + in->ext[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; pos < end; i++) {
		const struct stg_extent *e = i < in->n_ext ? &in->ext[i] : NULL;
		uint64_t gap_end = e && e->off < end ? e->off : end;
		if (pos < gap_end) {
			rc = read_gap(s, in, pos, buf + (pos - off), gap_end - pos);
			if (rc < 0)
				return rc;
			pos = gap_end;
		}
		if (!e || pos >= end)
			break;
		uint64_t take_end = e->off + e->len < end ? e->off + e->len : end;
		rc = stg_segs_read(&s->segs, e->seg, e->segoff + (pos - e->off),
				   buf + (pos - off), take_end - pos);
		if (rc < 0)
			return rc;
		pos = take_end;
	}
	return (ssize_t)(end - off);
}

