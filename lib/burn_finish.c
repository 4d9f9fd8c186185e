/* lib/burn_finish.c - see burn_finish.h */
#include "lib/burn_finish.h"

#include <string.h>

#include "lib/burn_steps.h"
#include "mmc/mmc_defs.h"
#include "util/err.h"

enum step { STEP_FLUSH, STEP_CLOSE_TRACK, STEP_CLOSE_SESSION };

/* Whether step applies to this drive (and it is still going). */
static bool wanted(const struct burn_finish *f, enum step s)
{
	const struct burn_plan *p = f->plan;
	if (f->rc < 0)
		return false;
	if (s == STEP_FLUSH)
		return true;
	if (!f->flushed || (p->sequential && !f->ok && f->acked == 0))
		return false; /* nothing reached the disc: leave it be */
	return s == STEP_CLOSE_TRACK ? p->close_track : p->close_fn >= 0;
}

static int start(struct burn_finish *f, enum step s)
{
	const struct burn_plan *p = f->plan;
	bool cd = p->profile == MMC_PROF_CD_R || p->profile == MMC_PROF_CD_RW;
	uint8_t fn;

	switch (s) {
	case STEP_FLUSH:
		return bs_start_flush(f->t, &f->err);
	case STEP_CLOSE_TRACK:
		return bs_start_close(f->t, MMC_CLOSE_TRACK, p->track, &f->err);
	default:
		/* after a failure: close as appendable, never finalize */
		fn = f->ok ? (uint8_t)p->close_fn : MMC_CLOSE_SESSION;
		/* CD sessions are closed with track number 0 */
		return bs_start_close(f->t, fn, cd ? 0 : p->track, &f->err);
	}
}

static const char *step_name(enum step s)
{
	return s == STEP_FLUSH ? "flushing the drive cache"
	       : s == STEP_CLOSE_TRACK ? "closing the track"
				       : "closing the session";
}

/*
 * A close may reach the drive twice: a lower layer (a USB bridge's reset,
 * the SCSI midlayer) can deliver a command again when its answer was
 * lost.  The second one is refused: NOT READY, operation in progress,
 * while the first still runs (then it is waited for like any close), or
 * ILLEGAL REQUEST once nothing is open.  In the latter case the drive is
 * asked: the track has no writable address any more, or the last session
 * is no longer incomplete.
 */
static bool already_closed(struct burn_finish *f, enum step s)
{
	struct mmc_track_info ti;
	struct mmc_disc_info di;
	discfs_error e = { 0 };
	if (s == STEP_FLUSH)
		return false;
	if (f->err.sense_key == 0x02 && f->err.asc == 0x04 && f->err.ascq == 0x07)
		return true;
	if (f->err.sense_key != 0x05)
		return false;
	if (s == STEP_CLOSE_TRACK)
		return bs_track_info(f->t, f->plan->track, &ti, &e) == 0 && !ti.nwa_v &&
		       !ti.blank;
	return bs_disc_info(f->t, &di, &e) == 0 &&
	       di.last_session_state != DISCFS_SESSION_INCOMPLETE;
}

static void run_step(struct burn_finish *f, size_t n, enum step s)
{
	bool started[64];

	for (size_t i = 0; i < n && i < 64; i++) {
		started[i] = wanted(&f[i], s);
		if (started[i] && (f[i].rc = start(&f[i], s)) < 0 &&
		    already_closed(&f[i], s)) {
			f[i].rc = 0; /* then wait for it as for any close */
			memset(&f[i].err, 0, sizeof(f[i].err));
		}
		if (started[i] && f[i].rc < 0) {
			dfs_wrap(&f[i].err, f[i].rc, "%s", step_name(s));
			started[i] = false;
		}
	}
	for (size_t i = 0; i < n && i < 64; i++) {
		if (!started[i])
			continue;
		f[i].rc = bs_wait_ready(f[i].t, f[i].ctx, &f[i].err);
		if (f[i].rc < 0) {
			dfs_wrap(&f[i].err, f[i].rc, "%s", step_name(s));
			continue;
		}
		if (s == STEP_FLUSH) {
			f[i].flushed = true;
			f[i].flushed_ns = bc_now_ns();
		}
	}
}

void burn_finish_all(struct burn_finish *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		f[i].rc = 0;
		f[i].flushed = f[i].closed = false;
		bc_action(f[i].ctx, DISCFS_ACTION_FINALIZING,
			  f[i].plan->start_lba, 0);
	}
	run_step(f, n, STEP_FLUSH);
	run_step(f, n, STEP_CLOSE_TRACK);
	run_step(f, n, STEP_CLOSE_SESSION);
	for (size_t i = 0; i < n; i++)
		f[i].closed = f[i].flushed && f[i].rc == 0 &&
			      !(f[i].plan->sequential && !f[i].ok &&
				f[i].acked == 0);
}
