/*
 * mmc/exec.h - running MMC commands through a transport.
 *
 * mmc_run() sends one command and turns everything that is not success into
 * a discfs_error: transport failures keep the transport's code; CHECK
 * CONDITION becomes the code of its sense class (mmc/sense.h), with
 * err->sense_key/asc/ascq set and a one-line message naming the command
 * and the decoded sense ("READ DISC INFORMATION: Not Ready, Medium not
 * present (2/3A/00)"), except for the messages users meet most, which read
 * plainly: "no medium in drive", "medium is write-protected".  A RECOVERED
 * ERROR (key 1) counts as success, as real burners treat it.
 *
 * mmc_fetch() does the allocation-length dance every careful MMC client
 * does (mmc-notes §1.0): ask for the header, read the full length from it,
 * ask again for exactly that.
 *
 * mmc_wait_ready() polls TEST UNIT READY after an Immed operation (BLANK,
 * FORMAT, CLOSE, SYNC CACHE) until the drive is ready, reporting progress.
 *
 * None of these keeps state between calls; the transport is borrowed.
 */
#ifndef DFS_MMC_EXEC_H
#define DFS_MMC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"
#include "mmc/sense.h"
#include "mmc/transport.h"

/* Name of an opcode for messages, e.g. "GET CONFIGURATION". Never NULL. */
const char *mmc_op_name(uint8_t opcode);

/* Runs cmd; 0 on GOOD (or recovered error), else -code with err filled.
 * cmd keeps status, sense and resid for the caller to inspect. */
int mmc_run(struct mmc_transport *t, struct mmc_cmd *cmd, discfs_error *err);

/* The sense of a finished command, decoded (valid = false when none). */
void mmc_cmd_sense(const struct mmc_cmd *cmd, struct mmc_sense *out);

/* Bytes the drive actually returned: len - resid (bounded by len). */
uint32_t mmc_cmd_received(const struct mmc_cmd *cmd);

/*
 * Two-pass fetch of a variable-length response.  cmd is a built data-in
 * command (its buffer and allocation length are replaced).  The full
 * length is taken from the response header as this opcode defines it;
 * a full length above max_len is refused (DISCFS_EPROTO) so a hostile
 * drive cannot make us allocate without bound.  On success *out is a
 * malloc'd buffer the caller frees, *out_len the bytes received (never more
 * than the buffer).  Opcodes: INQUIRY, MODE SENSE(10), GET CONFIGURATION,
 * GET EVENT STATUS, READ DISC/TRACK INFORMATION, READ TOC, READ FORMAT
 * CAPACITIES, READ BUFFER CAPACITY, READ DISC STRUCTURE, MECHANISM STATUS,
 * GET PERFORMANCE.
 */
int mmc_fetch(struct mmc_transport *t, struct mmc_cmd *cmd, uint32_t max_len,
	      uint8_t **out, size_t *out_len, discfs_error *err);

/* Full response length as stated by a header of hdr_len bytes for this
 * opcode; 0 when the header is too short to say. */
uint32_t mmc_response_length(uint8_t opcode, const uint8_t *hdr,
			     size_t hdr_len);

/* Called with progress in hundredths of a percent (-1 = unknown); return
 * false to stop waiting (mmc_wait_ready then fails with ECANCELED). */
typedef bool (*mmc_progress_fn)(void *ctx, int progress_x100);

struct mmc_wait {
	uint32_t timeout_ms;  /* give up after this long (0 = 1 hour) */
	uint32_t poll_ms;     /* pause between polls (0 = 500 ms) */
	mmc_progress_fn progress;
	void *ctx;
	/* Sleep hook, for tests and emulated clocks; NULL = nanosleep. */
	void (*sleep_ms)(void *ctx, uint32_t ms);
};

/*
 * Polls TEST UNIT READY until GOOD.  Retry-class answers (2/04/01,04,07,08)
 * and unit attentions keep polling; progress comes from the TUR sense or,
 * failing that, from REQUEST SENSE.  Any other failure is returned as is.
 * w may be NULL (defaults).
 */
int mmc_wait_ready(struct mmc_transport *t, const struct mmc_wait *w,
		   discfs_error *err);

/* Sends TEST UNIT READY until no unit attention is pending (at most a few
 * times); returns the final TUR result (0 ready, -ENOMEDIUM, ...). */
int mmc_clear_unit_attention(struct mmc_transport *t, discfs_error *err);

#endif
