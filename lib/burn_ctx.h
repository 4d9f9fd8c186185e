/*
 * lib/burn_ctx.h - progress reporting and cancellation shared by the
 * burn/erase/format/verify/read operations.
 *
 * A burn_ctx carries the caller's callback, user pointer and cancel flag
 * (all may be NULL) plus the progress record being reported.  Changing
 * action resets the clock used for elapsed time and speed.  Nothing here
 * allocates; the callback runs on the calling thread.
 */
#ifndef DFS_LIB_BURN_CTX_H
#define DFS_LIB_BURN_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"

struct burn_ctx {
	discfs_progress_fn fn;
	void *user;
	const volatile int *cancel;
	discfs_progress p;
	uint64_t t0_ns;
};

void bc_init(struct burn_ctx *c, discfs_progress_fn fn, void *user,
	     const volatile int *cancel);
/* Starts a new action (emits it at once). */
void bc_action(struct burn_ctx *c, int action, uint32_t start_lba,
	       uint64_t total_blocks);
/* Updates done_blocks (and speed), emits. */
void bc_blocks(struct burn_ctx *c, uint64_t done);
void bc_emit(struct burn_ctx *c);
bool bc_cancelled(const struct burn_ctx *c);
double bc_elapsed(const struct burn_ctx *c);

/* For mmc_wait (mmc/exec.h): records drive progress and emits; never stops
 * the wait (a close or format is not abandoned half-way). */
bool bc_wait_progress(void *ctx, int progress_x100);

/* 1x speed of a profile in bytes/s (CD 153600, DVD 1385000, BD 4500000). */
double bc_rated_1x(uint16_t profile);

uint64_t bc_now_ns(void);

#endif
