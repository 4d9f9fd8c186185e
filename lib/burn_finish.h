/*
 * lib/burn_finish.h - the end of a burn on one or more drives: flush the
 * drive cache, close the track, close (or finalize) the session.
 *
 * Each step is started on every drive (Immed) before it is waited for on
 * any, so N drives finish in the time of one.  A drive whose burn failed or
 * was cancelled is still flushed and, if anything reached its sequential
 * disc, gets its track and session closed as appendable (never finalized),
 * so the disc stays readable; if nothing reached it, it is left alone.
 * A failing step ends that drive's finishing with rc/err set.
 */
#ifndef DFS_LIB_BURN_FINISH_H
#define DFS_LIB_BURN_FINISH_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"
#include "lib/burn_ctx.h"
#include "lib/burn_plan.h"
#include "mmc/transport.h"

struct burn_finish {
	/* in */
	struct mmc_transport *t;
	const struct burn_plan *plan;
	struct burn_ctx *ctx;
	bool ok;          /* every block went through */
	uint64_t acked;   /* blocks the drive acknowledged */
	/* out */
	bool flushed;
	bool closed;
	uint64_t flushed_ns; /* bc_now_ns() when the flush completed */
	int rc;
	discfs_error err;
};

void burn_finish_all(struct burn_finish *f, size_t n);

#endif
