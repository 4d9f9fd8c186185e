/*
 * lib/burn_read.c - discfs_read_image: copy the last session or the whole
 * recorded disc into an image file.  Unreadable blocks do not end the copy:
 * they are retried alone, then written as zeros and listed in the report
 * (the output keeps every block at its offset, so it stays mountable).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/burn_ctx.h"
#include "lib/burn_ranges.h"
#include "lib/burn_session.h"
#include "lib/burn_steps.h"
#include "lib/drive_internal.h"
#include "util/err.h"

#define CHUNK 32u

static int write_all(int fd, const uint8_t *buf, size_t n, off_t off,
		     discfs_error *err)
{
	while (n) {
		ssize_t w = pwrite(fd, buf, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno,
					      "writing the image");
		buf += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

static int copy(struct mmc_transport *t, int fd, const struct extent *ex,
		struct burn_ctx *ctx, discfs_read_report *rep,
		discfs_error *err)
{
	uint8_t *buf = malloc(CHUNK * DISCFS_BLOCK_SIZE);
	bool bad[CHUNK];
	int rc = 0;

	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "read");
	for (uint64_t off = 0; off < ex->blocks && rc == 0; off += CHUNK) {
		uint16_t n = (uint16_t)(ex->blocks - off < CHUNK
					? ex->blocks - off : CHUNK);
		uint32_t lba = (uint32_t)(ex->start + off);
		if (bc_cancelled(ctx)) {
			rc = dfs_fail(err, DISCFS_ECANCELED,
				      "read cancelled at LBA %u", lba);
			break;
		}
		rc = bs_read_salvage(t, lba, n, buf, bad, err);
		if (rc < 0)
			break;
		for (uint16_t i = 0; i < n; i++)
			if (bad[i]) {
				rep->unreadable_blocks++;
				br_add(rep->bad, &rep->n_bad,
				       &rep->bad_truncated, lba + i, true);
			}
		rc = write_all(fd, buf, (size_t)n * DISCFS_BLOCK_SIZE,
			       (off_t)(off * DISCFS_BLOCK_SIZE), err);
		rep->blocks = off + n;
		bc_blocks(ctx, rep->blocks);
	}
	free(buf);
	return rc;
}

int discfs_read_image(discfs_drive *drive, const char *out, int scope,
		      const discfs_op_opts *opts, discfs_read_report *rep,
		      discfs_error *err)
{
	static const discfs_op_opts none;
	discfs_read_report local;
	discfs_media_info mi;
	struct burn_ctx ctx;
	struct extent ex;
	int fd, rc;

	if (!drive || !out)
		return dfs_fail(err, DISCFS_EINVAL, "read: no drive or output");
	if (scope != DISCFS_READ_SESSION && scope != DISCFS_READ_DISC)
		return dfs_fail(err, DISCFS_EINVAL, "read: unknown scope %d",
				scope);
	if (!opts)
		opts = &none;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	bc_init(&ctx, opts->progress, opts->user, opts->cancel);
	bc_action(&ctx, DISCFS_ACTION_VALIDATING, 0, 0);
	rc = discfs_media_info_get(drive, &mi, err);
	if (rc < 0)
		return rc;
	rc = scope == DISCFS_READ_DISC ? disc_extent(&mi, &ex, err)
				       : last_session_extent(&mi, &ex, err);
	discfs_media_info_free(&mi);
	if (rc < 0)
		return rc;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", out);
	rep->first_lba = ex.start;
	bc_action(&ctx, DISCFS_ACTION_READING, ex.start, ex.blocks);
	rc = copy(discfs_drive_transport(drive), fd, &ex, &ctx, rep, err);
	if (close(fd) < 0 && rc == 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "%s", out);
	if (rc == 0)
		bc_action(&ctx, DISCFS_ACTION_COMPLETED, ex.start, rep->blocks);
	return rc;
}
