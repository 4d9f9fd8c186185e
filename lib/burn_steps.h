/*
 * lib/burn_steps.h - the MMC steps burners take around the data (mmc-notes
 * §4): flush, close, write parameters, reservation, speed, format, blank,
 * and the reads a verify needs.  Each runs synchronously on the drive's
 * transport (nothing else may use it meanwhile) and returns 0 or -code
 * with err naming the step and the drive's sense.  Long operations are sent
 * Immed and then polled with TEST UNIT READY, reporting progress into ctx.
 */
#ifndef DFS_LIB_BURN_STEPS_H
#define DFS_LIB_BURN_STEPS_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"
#include "lib/burn_ctx.h"
#include "mmc/parse.h"
#include "mmc/transport.h"

int bs_disc_info(struct mmc_transport *t, struct mmc_disc_info *out,
		 discfs_error *err);
/* READ TRACK INFORMATION by track number (0xFF: the invisible track). */
int bs_track_info(struct mmc_transport *t, uint32_t track,
		  struct mmc_track_info *out, discfs_error *err);
int bs_format_caps(struct mmc_transport *t, struct mmc_format_caps *out,
		   discfs_error *err);
/* Whether feature code is current (GET CONFIGURATION RT=2). */
bool bs_feature_current(struct mmc_transport *t, uint16_t code);

/* MODE SELECT page 05 with the given parameters. */
int bs_write_params(struct mmc_transport *t, const struct mmc_page_05 *p,
		    discfs_error *err);
/* Page 05 as the drive has it, with its multi-session bits set to ms
 * (0: the next CLOSE SESSION finalizes; 3: it keeps the disc appendable)
 * and test writing off; MODE SELECT.  Errors name which step failed. */
int bs_set_multisession(struct mmc_transport *t, uint8_t ms, discfs_error *err);
int bs_reserve_track(struct mmc_transport *t, uint32_t blocks,
		     discfs_error *err);
/* SET STREAMING (DVD/BD) or SET CD SPEED (CD); 0 = maximum.  Failures are
 * ignored: drives clamp or refuse speeds and burn anyway. */
void bs_set_speed(struct mmc_transport *t, uint16_t profile, uint32_t kbps,
		  uint32_t end_lba);
/* SEND CUE SHEET */
int bs_send_cue(struct mmc_transport *t, const uint8_t *cue, uint32_t len,
		discfs_error *err);

/* Starting a long operation without waiting (Immed), then waiting for the
 * drive to be ready: several drives can work at the same time. */
int bs_start_flush(struct mmc_transport *t, discfs_error *err);
int bs_start_close(struct mmc_transport *t, uint8_t fn, uint16_t track,
		   discfs_error *err);
int bs_wait_ready(struct mmc_transport *t, struct burn_ctx *ctx,
		  discfs_error *err);

/* SYNCHRONIZE CACHE (Immed, then wait). */
int bs_flush(struct mmc_transport *t, struct burn_ctx *ctx, discfs_error *err);
/* CLOSE TRACK/SESSION fn (enum mmc_close_fn) on track (Immed, then wait). */
int bs_close(struct mmc_transport *t, uint8_t fn, uint16_t track,
	     struct burn_ctx *ctx, discfs_error *err);
/* FORMAT UNIT with a 12-byte parameter list (Immed set here), then wait. */
int bs_format(struct mmc_transport *t, uint8_t params[12],
	      struct burn_ctx *ctx, discfs_error *err);
/* BLANK type (Immed), then wait. */
int bs_blank(struct mmc_transport *t, uint8_t type, struct burn_ctx *ctx,
	     discfs_error *err);

/* READ(10) of blocks at lba into buf. */
int bs_read(struct mmc_transport *t, uint32_t lba, uint16_t blocks,
	    void *buf, discfs_error *err);

/*
 * Reads n blocks (n <= 32) at lba, salvaging what can be read: when the
 * whole read fails with a medium error or an out-of-range address, each
 * block is read alone; the unreadable ones are zero-filled in buf and
 * flagged in bad[i].  Returns the number of unreadable blocks, or -code
 * for failures that are not about the medium (drive gone, no disc).
 */
int bs_read_salvage(struct mmc_transport *t, uint32_t lba, uint16_t n,
		    uint8_t *buf, bool *bad, discfs_error *err);

#endif
