/*
 * lib/burn_verify.c - discfs_verify: read the disc back and compare it
 * with the image, as IMAPI2's verification levels do.
 *
 * Quick: the recorded extent must hold the whole image (disc and track
 * information), then SAMPLES chunks spread over the image (first and last
 * included) are read and compared.  Full: every block.  Unreadable blocks
 * are retried one by one (bs_read_salvage) and reported, not fatal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/burn_internal.h"
#include "lib/burn_ranges.h"
#include "lib/burn_session.h"
#include "lib/burn_steps.h"
#include "lib/drive_internal.h"
#include "util/err.h"

#define CHUNK 32u
#define SAMPLES 64u

struct vjob {
	struct mmc_transport *t;
	int fd;
	uint64_t image_blocks;
	uint64_t image_bytes;
	discfs_verify_report *rep;
	struct burn_ctx *ctx;
	uint8_t disc[CHUNK * DISCFS_BLOCK_SIZE];
	uint8_t file[CHUNK * DISCFS_BLOCK_SIZE];
	bool bad[CHUNK];
};

/* Compares image blocks [off, off + n) with the disc. */
static int check_chunk(struct vjob *v, uint64_t off, uint16_t n,
		       discfs_error *err)
{
	discfs_verify_report *r = v->rep;
	size_t bytes = (size_t)n * DISCFS_BLOCK_SIZE;
	ssize_t got;
	int rc;

	rc = bs_read_salvage(v->t, (uint32_t)(r->start_lba + off), n, v->disc,
			     v->bad, err);
	if (rc < 0)
		return rc;
	memset(v->file, 0, bytes);
	got = pread(v->fd, v->file, bytes, (off_t)(off * DISCFS_BLOCK_SIZE));
	if (got < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "reading image");
	for (uint16_t i = 0; i < n; i++) {
		size_t o = (size_t)i * DISCFS_BLOCK_SIZE;
		uint32_t lba = (uint32_t)(r->start_lba + off + i);
		if (v->bad[i]) {
			r->unreadable_blocks++;
			br_add(r->bad, &r->n_bad, &r->bad_truncated, lba, true);
		} else if (memcmp(v->disc + o, v->file + o, DISCFS_BLOCK_SIZE)) {
			r->mismatched_blocks++;
			br_add(r->bad, &r->n_bad, &r->bad_truncated, lba, false);
		}
	}
	r->checked_blocks += n;
	bc_blocks(v->ctx, r->checked_blocks);
	return 0;
}

static uint16_t chunk_at(const struct vjob *v, uint64_t off)
{
	uint64_t left = v->image_blocks - off;
	return (uint16_t)(left < CHUNK ? left : CHUNK);
}

static int verify_full(struct vjob *v, discfs_error *err)
{
	for (uint64_t off = 0; off < v->image_blocks; off += CHUNK) {
		int rc;
		if (bc_cancelled(v->ctx))
			return dfs_fail(err, DISCFS_ECANCELED,
					"verify cancelled at block %llu",
					(unsigned long long)off);
		rc = check_chunk(v, off, chunk_at(v, off), err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int verify_quick(struct vjob *v, discfs_error *err)
{
	uint64_t chunks = (v->image_blocks + CHUNK - 1) / CHUNK;
	uint64_t step = chunks > SAMPLES ? chunks / (SAMPLES - 1) : 1;
	uint64_t last = chunks - 1;

	for (uint64_t c = 0; c < chunks; c += step) {
		int rc = check_chunk(v, c * CHUNK, chunk_at(v, c * CHUNK), err);
		if (rc < 0)
			return rc;
		if (c == last)
			return 0;
	}
	return check_chunk(v, last * CHUNK, chunk_at(v, last * CHUNK), err);
}

/* Disc and track information must show the image fits the recording. */
static int check_extent(discfs_drive *d, struct vjob *v, uint32_t *start,
			discfs_error *err)
{
	discfs_media_info mi;
	struct extent ex;
	int rc = discfs_media_info_get(d, &mi, err);
	if (rc < 0)
		return rc;
	/* no start given: the last session; else anywhere recorded */
	rc = *start == UINT32_MAX ? last_session_extent(&mi, &ex, err)
				  : disc_extent(&mi, &ex, err);
	discfs_media_info_free(&mi);
	if (rc < 0)
		return rc;
	if (*start == UINT32_MAX)
		*start = ex.start;
	if (*start < ex.start || *start + v->image_blocks > ex.start + ex.blocks)
		return dfs_fail(err, DISCFS_EMEDIUM,
				"the recorded area (LBA %u, %llu blocks) "
				"does not hold the %llu-block image at LBA %u",
				ex.start, (unsigned long long)ex.blocks,
				(unsigned long long)v->image_blocks, *start);
	return 0;
}

static int verdict(const discfs_verify_report *r, discfs_error *err)
{
	if (!r->mismatched_blocks && !r->unreadable_blocks)
		return 0;
	return dfs_fail(err, DISCFS_EMEDIUM,
			"verify failed: %llu blocks differ, %llu unreadable "
			"(first bad LBA %u)",
			(unsigned long long)r->mismatched_blocks,
			(unsigned long long)r->unreadable_blocks,
			r->n_bad ? r->bad[0].first : 0);
}

int burn_verify_on(discfs_drive *drive, const char *image, uint32_t start_lba,
		   int level, const discfs_op_opts *opts, struct burn_ctx *ctx,
		   discfs_verify_report *rep, discfs_error *err)
{
	struct vjob *v;
	struct stat st;
	int rc;

	if (level != DISCFS_VERIFY_QUICK && level != DISCFS_VERIFY_FULL)
		return dfs_fail(err, DISCFS_EINVAL, "verify: unknown level %d",
				level);
	memset(rep, 0, sizeof(*rep));
	v = calloc(1, sizeof(*v));
	if (!v)
		return dfs_fail(err, DISCFS_ENOMEM, "verify");
	v->t = discfs_drive_transport(drive);
	v->rep = rep;
	v->ctx = ctx;
	v->fd = open(image, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0 || fstat(v->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = v->fd < 0 ? dfs_fail_errno(err, errno == ENOENT
						  ? DISCFS_ENOENT : DISCFS_EIO,
						  errno, "%s", image)
			       : dfs_fail(err, DISCFS_EINVAL,
					  "%s: not a regular file", image);
		goto out;
	}
	v->image_bytes = (uint64_t)st.st_size;
	v->image_blocks = (v->image_bytes + DISCFS_BLOCK_SIZE - 1) /
			  DISCFS_BLOCK_SIZE;
	rep->image_blocks = v->image_blocks;
	if (!v->image_blocks) {
		rc = dfs_fail(err, DISCFS_EINVAL, "%s: empty image", image);
		goto out;
	}
	rc = check_extent(drive, v, &start_lba, err);
	if (rc < 0)
		goto out;
	rep->start_lba = start_lba;
	bc_action(ctx, DISCFS_ACTION_VERIFYING, start_lba,
		  level == DISCFS_VERIFY_FULL ? v->image_blocks : 0);
	rc = level == DISCFS_VERIFY_FULL ? verify_full(v, err)
					 : verify_quick(v, err);
	if (rc == 0)
		rc = verdict(rep, err);
out:
	if (v->fd >= 0)
		close(v->fd);
	free(v);
	(void)opts;
	return rc;
}

int discfs_verify(discfs_drive *drive, const char *image, uint32_t start_lba,
		  int level, const discfs_op_opts *opts,
		  discfs_verify_report *rep, discfs_error *err)
{
	static const discfs_op_opts none;
	struct burn_ctx ctx;
	discfs_verify_report local;
	int rc;

	if (!drive || !image)
		return dfs_fail(err, DISCFS_EINVAL, "verify: no drive or image");
	if (!opts)
		opts = &none;
	bc_init(&ctx, opts->progress, opts->user, opts->cancel);
	rc = burn_verify_on(drive, image, start_lba, level, opts, &ctx,
			    rep ? rep : &local, err);
	if (rc == 0)
		bc_action(&ctx, DISCFS_ACTION_COMPLETED, start_lba,
			  (rep ? rep : &local)->checked_blocks);
	return rc;
}
