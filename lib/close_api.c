/*
 * lib/close_api.c - discfs_close_disc(): finalize a disc so that every
 * drive and OS reads it (mmc-notes §1.8, §2.2-2.8).
 *
 * Sequential (write-once) media: flush the drive cache, close every track
 * still open (not on CD: the session close closes a TAO track itself, and
 * some CD drives refuse CLOSE TRACK), then close the last session in the
 * way that finalizes this profile:
 *   CD-R/RW, DVD-R/RW seq   page 05 multi-session bits set to 00 (no next
 *                           session), then CLOSE SESSION (CF 010)
 *   DVD-R DL                CLOSE SESSION (single-session medium)
 *   DVD+R                   CF 110, finalize with a full-radius lead-out
 *                           (the DVD-ROM-compatible close growisofs does
 *                           with -dvd-compat)
 *   DVD+R DL                CF 101, finalize with minimal radius (as gi does
 *                           on DL media: a full lead-out takes very long)
 *   BD-R SRM                CF 110 (allowed on POW-formatted discs too,
 *                           where CF 010 is refused)
 * Afterwards the disc must report "complete", or the call fails.
 *
 * Rewritable media need no finalization: the cache is flushed, and a
 * DVD+RW whose background format is still running or suspended gets it
 * stopped (CF 000) and its lead-out written (CF 010, the compatible close)
 * so DVD-ROM drives read it.
 *
 * The VAT: a VAT volume's last VAT ICB is the last block the writer
 * recorded.  Closing adds nothing readable after it on DVD±R and BD-R (the
 * track ends where its data ends).  On CD the TAO track gains two
 * unreadable run-out blocks after it; they cannot be written over (the
 * disc is closed by then, and the run-out always follows the last written
 * block), and readers look for the VAT that far back: Linux tries the last
 * readable block - 0..3 and uses the track's last recorded address (READ
 * TRACK INFORMATION LRA), which is the VAT.
 */
#include <stdlib.h>
#include <string.h>

#include "discfs.h"
#include "lib/burn_ctx.h"
#include "lib/burn_steps.h"
#include "lib/drive_internal.h"
#include "mmc/cdb.h"
#include "mmc/drive_query.h"
#include "mmc/exec.h"
#include "mmc/mmc_defs.h"
#include "mmc/parse.h"
#include "util/err.h"

static bool is_cd(uint16_t p)
{
	return p == MMC_PROF_CD_R || p == MMC_PROF_CD_RW;
}

static bool is_rom(uint16_t p)
{
	return p == MMC_PROF_CD_ROM || p == MMC_PROF_DVD_ROM ||
	       p == MMC_PROF_BD_ROM;
}

/* Profiles whose finalization is decided by the page 05 MS bits. */
static bool ms_bits_finalize(uint16_t p)
{
	return is_cd(p) || p == MMC_PROF_DVD_R_SEQ || p == MMC_PROF_DVD_RW_SEQ;
}

/* The close function that finalizes a sequential profile, -1 if none. */
static int finalize_fn(uint16_t p)
{
	switch (p) {
	case MMC_PROF_CD_R: case MMC_PROF_CD_RW:
	case MMC_PROF_DVD_R_SEQ: case MMC_PROF_DVD_RW_SEQ:
	case MMC_PROF_DVD_R_DL_SEQ:
		return MMC_CLOSE_SESSION;
	case MMC_PROF_DVD_PLUS_R:
	case MMC_PROF_BD_R_SRM:
		return MMC_CLOSE_FINALIZE;
	case MMC_PROF_DVD_PLUS_R_DL:
		return MMC_CLOSE_FINALIZE_MINRAD;
	default:
		return -1;
	}
}

/* No next session: the close finalizes. */
static int set_no_next_session(struct mmc_transport *t, discfs_error *err)
{
	return bs_set_multisession(t, 0, err);
}

/* CLOSE TRACK on every track holding data that is still open. */
static int close_open_tracks(struct mmc_transport *t,
			     const discfs_media_info *mi, struct burn_ctx *ctx,
			     discfs_error *err)
{
	for (size_t i = 0; i < mi->n_tracks; i++) {
		const discfs_track_info *tr = &mi->tracks[i];
		int rc;

		if (!tr->nwa_valid || tr->blank || tr->reserved)
			continue;
		rc = bs_close(t, MMC_CLOSE_TRACK, (uint16_t)tr->number, ctx, err);
		if (rc < 0)
			return dfs_wrap(err, rc, "closing track %u", tr->number);
	}
	return 0;
}

static int finalize_sequential(struct mmc_transport *t,
			       const discfs_media_info *mi, discfs_error *err)
{
	struct burn_ctx ctx;
	int fn = finalize_fn(mi->profile);
	int rc;

	if (fn < 0)
		return dfs_fail(err, DISCFS_ENOTSUP, "closing %s discs is not "
				"supported", discfs_profile_name(mi->profile));
	if (mi->disc_status == DISCFS_DISC_BLANK)
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"the disc is blank: there is nothing to close");
	if (mi->disc_status == DISCFS_DISC_COMPLETE)
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"the disc is already closed (finalized)");
	bc_init(&ctx, NULL, NULL, NULL);
	rc = bs_flush(t, &ctx, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "flushing the drive cache");
	if (!is_cd(mi->profile) && (rc = close_open_tracks(t, mi, &ctx, err)) < 0)
		return rc;
	if (ms_bits_finalize(mi->profile) &&
	    (rc = set_no_next_session(t, err)) < 0)
		return rc;
	/* CD sessions are closed with track number 0, others name the last
	 * track (gi, lb) */
	rc = bs_close(t, (uint8_t)fn, is_cd(mi->profile) ? 0
		      : (uint16_t)mi->last_track, &ctx, err);
	return rc < 0 ? dfs_wrap(err, rc, "finalizing the disc") : 0;
}

static int close_random(struct mmc_transport *t, const discfs_media_info *mi,
			discfs_error *err)
{
	bool plus_rw = mi->profile == MMC_PROF_DVD_PLUS_RW ||
		       mi->profile == MMC_PROF_DVD_PLUS_RW_DL;
	struct burn_ctx ctx;
	int rc;

	if (mi->profile == MMC_PROF_BD_R_RRM)
		return dfs_fail(err, DISCFS_ENOTSUP, "closing BD-R discs in "
				"random recording mode is not supported");
	if (plus_rw && mi->bg_format_status == 0)
		return dfs_fail(err, DISCFS_EWRONGMEDIA, "the disc is blank (not "
				"formatted): there is nothing to close");
	bc_init(&ctx, NULL, NULL, NULL);
	rc = bs_flush(t, &ctx, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "flushing the drive cache");
	if (!plus_rw || mi->bg_format_status == 3)
		return 0;
	/* A running background format is stopped first, then the lead-out
	 * is written (gi: "stop de-icing", then "close session"). */
	if (mi->bg_format_status == 2 &&
	    (rc = bs_close(t, MMC_CLOSE_STOP_BG_FORMAT, 0, &ctx, err)) < 0)
		return dfs_wrap(err, rc, "stopping the background format");
	rc = bs_close(t, MMC_CLOSE_SESSION, 0, &ctx, err);
	return rc < 0 ? dfs_wrap(err, rc, "writing the lead-out (compatible "
				 "close)") : 0;
}

/* The disc must now say it is complete. */
static int check_complete(struct mmc_transport *t, discfs_error *err)
{
	discfs_media_info mi;
	int rc = mmc_query_media(t, &mi, err);

	if (rc < 0)
		return dfs_wrap(err, rc, "reading the disc after closing it");
	if (mi.disc_status != DISCFS_DISC_COMPLETE)
		rc = dfs_fail(err, DISCFS_EPROTO, "the drive accepted the close "
			      "but the disc is not complete (status %d)",
			      mi.disc_status);
	discfs_media_info_free(&mi);
	return rc;
}

static int close_held(discfs_drive *drive, discfs_error *err)
{
	struct mmc_transport *t;
	discfs_media_info mi;
	int rc;

	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "no drive");
	t = discfs_drive_transport(drive);
	rc = mmc_query_media(t, &mi, err);
	if (rc < 0)
		return rc;
	if (!mi.present)
		rc = dfs_fail(err, DISCFS_ENOMEDIUM, "no disc in the drive");
	else if (is_rom(mi.profile))
		rc = dfs_fail(err, DISCFS_EWRONGMEDIA, "the disc is read-only "
			      "(%s)", discfs_profile_name(mi.profile));
	else if (mi.write_protected)
		rc = dfs_fail(err, DISCFS_EPROTECT, "the disc is write-protected");
	else if (mmc_media_random_access(&mi))
		rc = close_random(t, &mi, err);
	else if ((rc = finalize_sequential(t, &mi, err)) == 0)
		rc = check_complete(t, err);
	discfs_media_info_free(&mi);
	return rc;
}

/* The public call: the tray stays locked while the drive finalizes. */
int discfs_close_disc(discfs_drive *drive, discfs_error *err)
{
	int rc;
	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "no drive");
	dfs_tray_hold(drive, true);
	rc = close_held(drive, err);
	dfs_tray_hold(drive, false);
	return rc;
}
