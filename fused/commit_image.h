/*
 * fused/commit_image.h - the first-session commit writer: compiles the
 * whole merged tree into one UDF image with the public mastering API and
 * burns it to a blank disc with the public burn API (the session is
 * closed; write-once discs stay appendable).
 *
 * How: the plan's tree is materialised in STAGING/commit-tree (names,
 * bytes, modes, owners where permitted, user xattrs, times with ns), then
 * discfs_image_open() lays it out for the disc's medium, the image goes
 * to STAGING/commit.img, and discfs_burn_image() writes it.  Both are
 * removed afterwards (also after a failure).  This costs twice the staged
 * size of local disk during the commit.
 *
 * It refuses a disc that is not blank (DISCFS_ENOTSUP): appending a
 * session, or updating in place, is the incremental writer's job, which
 * this build does not have.  On success the new generation is that of
 * the disc as it now reads.
 */
#ifndef DFS_FUSED_COMMIT_IMAGE_H
#define DFS_FUSED_COMMIT_IMAGE_H

#include "fused/commit.h"
#include "fused/disc.h"

struct dfs_image_writer {
	struct dfs_commit_writer w;  /* w.ctx points here */
	const struct dfs_disc *disc; /* borrowed */
	const char *staging;         /* borrowed */
};

/* Removes what a commit cut short left in the staging directory. */
void dfs_image_writer_cleanup(const char *staging);

void dfs_image_writer_init(struct dfs_image_writer *iw,
			   const struct dfs_disc *disc, const char *staging);

#endif
