/*
 * udf/mk_emit.c - producing a planned image block by block, in ascending
 * LBA order with no gaps, through a sink (see mk.h).  Nothing is kept in
 * memory beyond one batch buffer and one directory's FID stream; file
 * contents are read from the source as they are reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "udf/mk.h"
#include "util/err.h"

#define OUT_BLOCKS 256u /* 512 KiB batches */
/* below this, one read into the batch beats a flush plus a copy call */
#define COPY_MIN_BYTES (1u << 20)

struct out {
	const struct mk_sink *sink;
	uint8_t *buf;
	uint32_t n;      /* blocks buffered */
	uint64_t lba;    /* lba of buf[0] */
	discfs_error *err;
};

static uint64_t out_pos(const struct out *o)
{
	return o->lba + o->n;
}

static int out_flush(struct out *o)
{
	if (!o->n)
		return 0;
	int rc = o->sink->blocks(o->sink->ctx, o->lba, o->buf, o->n, o->err);
	o->lba += o->n;
	o->n = 0;
	return rc;
}

/* Next free block of the batch (zeroed), flushing when full. */
static int out_slot(struct out *o, uint8_t **blk)
{
	int rc = o->n == OUT_BLOCKS ? out_flush(o) : 0;
	if (rc)
		return rc;
	*blk = o->buf + (size_t)o->n++ * MK_BS;
	memset(*blk, 0, MK_BS);
	return 0;
}

static int out_pad_to(struct out *o, uint64_t lba)
{
	uint8_t *b;
	int rc = 0;
	while (!rc && out_pos(o) < lba)
		rc = out_slot(o, &b);
	return rc;
}

static int out_bytes(struct out *o, const uint8_t *p, size_t len)
{
	uint8_t *b;
	for (size_t off = 0; off < len; off += MK_BS) {
		int rc = out_slot(o, &b);
		if (rc)
			return rc;
		memcpy(b, p + off, len - off < MK_BS ? len - off : MK_BS);
	}
	return 0;
}

static int read_full(int fd, uint8_t *p, size_t len, const char *path,
		     discfs_error *err)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", path);
		if (r == 0)
			return dfs_fail(err, DISCFS_EIO,
					"%s: file shrank while mastering", path);
		got += (size_t)r;
	}
	return 0;
}

/* File content: through the sink's copy hook when it has one. */
static int out_file(struct out *o, const struct mk_inode *ino)
{
	int fd = mk_open_source(ino->path);
	int rc = 0;

	if (fd < 0)
		return dfs_fail_errno(o->err, DISCFS_EIO, errno, "%s", ino->path);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (o->sink->copy && ino->size >= COPY_MIN_BYTES) {
		uint64_t lba;
		if (!(rc = out_flush(o))) {
			lba = o->lba;
			rc = o->sink->copy(o->sink->ctx, lba, fd, 0, ino->size, o->err);
			o->lba += ino->blocks;
		}
		close(fd);
		return rc;
	}
	uint64_t left = ino->size;
	while (!rc && left) {
		if (o->n == OUT_BLOCKS && (rc = out_flush(o)))
			break;
		size_t room = (size_t)(OUT_BLOCKS - o->n) * MK_BS;
		size_t chunk = left < room ? (size_t)left : room;
		uint8_t *p = o->buf + (size_t)o->n * MK_BS;
		rc = read_full(fd, p, chunk, ino->path, o->err);
		size_t blocks = (chunk + MK_BS - 1) / MK_BS;
		memset(p + chunk, 0, blocks * MK_BS - chunk);
		o->n += (uint32_t)blocks;
		left -= chunk;
	}
	close(fd);
	return rc;
}

/* The AED blocks of ino, right after its ICB. */
static int emit_aeds(const struct udf_mk *mk, struct out *o,
		     const struct mk_inode *ino, uint64_t base_abs)
{
	uint8_t *aed = malloc((size_t)ino->n_aed * MK_BS);
	int rc = aed ? 0 : dfs_fail(o->err, DISCFS_ENOMEM, "out of memory");
	if (!rc)
		rc = mk_build_aeds(mk, ino, aed, o->err);
	if (!rc && out_pos(o) != base_abs + ino->aed_m)
		rc = dfs_fail(o->err, DISCFS_EFORMAT, "internal: AED out of place");
	if (!rc)
		rc = out_bytes(o, aed, (size_t)ino->n_aed * MK_BS);
	free(aed);
	return rc;
}

/* The meta space: FSD, ICBs, AEDs and directory FID streams (main or mirror). */
static int emit_meta(const struct udf_mk *mk, struct out *o, uint64_t base_abs)
{
	uint8_t *b;
	int rc = out_slot(o, &b);

	if (rc)
		return rc;
	mk_build_fsd(mk, b);
	if ((rc = out_slot(o, &b)))
		return rc;
	mk_build_fsd_td(mk, b);
	for (size_t i = 0; i < mk->icb_order.n; i++) {
		const struct mk_node *n = mk->icb_order.v[i];
		if ((rc = out_pad_to(o, base_abs + n->ino->icb_m)) ||
		    (rc = out_slot(o, &b)) ||
		    (rc = mk_build_icb(mk, n->ino, b, o->err)))
			return rc;
		if (n->ino->n_aed && (rc = emit_aeds(mk, o, n->ino, base_abs)))
			return rc;
		if (!S_ISDIR(n->ino->mode))
			continue;
		uint8_t *s;
		size_t len;
		if ((rc = mk_build_dir_stream(mk, n, &s, &len, o->err)))
			return rc;
		rc = out_bytes(o, s, len);
		free(s);
		if (rc)
			return rc;
	}
	return out_pad_to(o, base_abs + mk->meta_blocks);
}

static int emit_data(const struct udf_mk *mk, struct out *o, uint64_t base_abs)
{
	for (size_t i = 0; i < mk->data_order.n; i++) {
		const struct mk_inode *ino = mk->data_order.v[i]->ino;
		int rc = out_pad_to(o, base_abs + ino->data_pos);
		if (!rc)
			rc = S_ISLNK(ino->mode)
				     ? out_bytes(o, (const uint8_t *)ino->body, ino->body_len)
				     : out_file(o, ino);
		if (rc)
			return rc;
	}
	return 0;
}

static int emit_volume(const struct udf_mk *mk, struct out *o, uint64_t end)
{
	uint8_t *b;
	while (out_pos(o) < end) {
		int rc = out_slot(o, &b);
		if (rc)
			return rc;
		mk_build_volume_block(mk, out_pos(o) - 1, b);
	}
	return 0;
}

static int emit_vat(const struct udf_mk *mk, struct out *o, uint64_t P)
{
	uint8_t *vat, *b;
	size_t len;
	int rc = mk_build_vat(mk, &vat, &len, o->err);

	if (rc)
		return rc;
	if (!(rc = out_pad_to(o, P + mk->vat_pos)) && mk->vat_blocks)
		rc = out_bytes(o, vat, len);
	if (!rc && !(rc = out_pad_to(o, P + mk->vat_icb)) && !(rc = out_slot(o, &b)))
		mk_build_vat_icb(mk, vat, len, b);
	free(vat);
	return rc;
}

static int emit_partition(const struct udf_mk *mk, struct out *o)
{
	const uint64_t P = mk->part_start;
	uint8_t *b;
	int rc = 0;

	/* in the order mk_plan placed them */
	if (mk->meta_first && !(rc = out_pad_to(o, P + mk->meta_base)))
		rc = emit_meta(mk, o, P + mk->meta_base);
	if (!rc)
		rc = out_pad_to(o, P + mk->sbd_pos);
	for (uint64_t i = 0; i < mk->sbd_blocks && !rc; i++)
		if (!(rc = out_slot(o, &b)))
			mk_build_sbd_block(mk, i, b);
	if (!rc)
		rc = out_pad_to(o, P + mk->iso_base);
	for (uint64_t i = 0; i < mk->iso_blocks && !rc; i++)
		if (!(rc = out_slot(o, &b)))
			rc = mk_iso_area_block(mk, i, b, o->err);
	if (!rc && mk->virt == MK_VIRT_METADATA) {
		if (!(rc = out_pad_to(o, P + mk->metafile_fe)) && !(rc = out_slot(o, &b)))
			mk_build_metafile(mk, false, b);
		if (!rc && !(rc = out_pad_to(o, P + mk->mirror_fe)) && !(rc = out_slot(o, &b)))
			mk_build_metafile(mk, true, b);
		if (!rc && mk->meta_bitmap && !(rc = out_pad_to(o, P + mk->metabm_fe)) &&
		    !(rc = out_slot(o, &b)))
			mk_build_metabm_fe(mk, b);
		for (uint64_t i = 0; !rc && mk->meta_bitmap && i < mk->metabm_blocks; i++)
			if (!(rc = out_slot(o, &b)))
				mk_build_metabm_block(mk, i, b);
	}
	if (!rc && !mk->meta_first && !(rc = out_pad_to(o, P + mk->meta_base)))
		rc = emit_meta(mk, o, P + mk->meta_base);
	if (!rc && !(rc = out_pad_to(o, P + mk->data_base)))
		rc = emit_data(mk, o, P + mk->data_base);
	if (!rc && mk->virt == MK_VIRT_METADATA && !(rc = out_pad_to(o, P + mk->mirror_base)))
		rc = emit_meta(mk, o, P + mk->mirror_base);
	if (!rc && mk->virt == MK_VIRT_VAT)
		rc = emit_vat(mk, o, P);
	/* a write-once partition goes on past its VAT, unrecorded */
	return rc ? rc : out_pad_to(o, P + (mk->virt == MK_VIRT_VAT ? mk->used_len
								     : mk->part_len));
}

int mk_emit(struct udf_mk *mk, const struct mk_sink *sink, discfs_error *err)
{
	struct out o = { .sink = sink, .err = err };
	int rc;

	o.buf = malloc((size_t)OUT_BLOCKS * MK_BS);
	if (!o.buf)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	rc = emit_volume(mk, &o, mk->part_start);
	if (!rc)
		rc = emit_partition(mk, &o);
	if (!rc)
		rc = emit_volume(mk, &o, mk->total);
	if (!rc)
		rc = out_flush(&o);
	if (!rc && out_pos(&o) != mk->total)
		rc = dfs_fail(err, DISCFS_EFORMAT, "internal: emitted %llu of %llu blocks",
			      (unsigned long long)out_pos(&o),
			      (unsigned long long)mk->total);
	free(o.buf);
	return rc;
}
