/*
 * lib/burn_internal.h - what the burn modules share (not public API).
 */
#ifndef DFS_LIB_BURN_INTERNAL_H
#define DFS_LIB_BURN_INTERNAL_H

#include "discfs.h"
#include "lib/burn_ctx.h"
#include "uring/source.h"

/* Burns srcs[i] to drives[i] (images[i]: the file path for verification,
 * or images NULL / images[i] NULL for pipes and producers). */
int burn_sources(discfs_drive *const *drives, size_t n,
		 struct dfs_source *const *srcs, const char *const *images,
		 const discfs_burn_opts *o, discfs_burn_result *res,
		 discfs_error *err);

/* discfs_verify() reporting through an existing context. */
int burn_verify_on(discfs_drive *drive, const char *image, uint32_t start_lba,
		   int level, const discfs_op_opts *opts, struct burn_ctx *ctx,
		   discfs_verify_report *rep, discfs_error *err);

#endif
