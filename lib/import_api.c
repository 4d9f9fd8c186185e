/*
 * lib/import_api.c - sessions of write-once discs for the public API
 * (include/discfs.h: discfs_last_session_start, discfs_udf_session_start,
 * discfs_close_session).  `discfs -o import` adds a UDF volume to an
 * ISO9660 disc as a new session: readers find it at that session's start
 * + 256, Linux only once the session is closed (its READ TOC reports the
 * last complete session).
 */
#include <stdlib.h>

#include "discfs.h"
#include "lib/burn_ctx.h"
#include "lib/burn_steps.h"
#include "lib/drive_internal.h"
#include "mmc/cdb.h"
#include "mmc/exec.h"
#include "mmc/mmc_defs.h"
#include "mmc/parse.h"
#include "util/bytes.h"
#include "util/err.h"

#define MAX_SESSIONS 256u

/*
 * First blocks of the closed sessions holding data, in session order; n
 * of them.  The open session (the one the drive counts last while the
 * disc's last session is not complete) is left out: it is still being
 * written, and Linux does not read it either.
 */
static size_t session_starts(discfs_drive *drive, uint64_t *start, size_t cap)
{
	discfs_media_info mi;
	discfs_error ignored;
	size_t n = 0;
	unsigned cur = 0, open = 0;

	if (!drive || discfs_media_info_get(drive, &mi, &ignored) < 0)
		return 0;
	if (mi.last_session_state != DISCFS_SESSION_COMPLETE)
		for (size_t i = 0; i < mi.n_tracks; i++)
			if (mi.tracks[i].session > open)
				open = mi.tracks[i].session;
	/* tracks come in order: the first recorded one of a session starts it */
	for (size_t i = 0; i < mi.n_tracks; i++) {
		const discfs_track_info *t = &mi.tracks[i];
		if (t->blank || t->session == cur || t->session == open)
			continue;
		cur = t->session;
		if (n < cap)
			start[n++] = t->start;
	}
	discfs_media_info_free(&mi);
	return n;
}

uint64_t discfs_last_session_start(discfs_drive *drive)
{
	uint64_t start[MAX_SESSIONS];
	size_t n = session_starts(drive, start, MAX_SESSIONS);

	return n ? start[n - 1] : 0;
}

/* Whether block lba holds an anchor volume descriptor pointer for lba. */
static bool anchor_at(discfs_drive *drive, uint64_t lba)
{
	uint8_t b[DISCFS_BLOCK_SIZE];
	discfs_error ignored;
	uint8_t sum = 0;

	if (discfs_read_blocks(drive, lba, 1, b, &ignored) < 0)
		return false;
	for (int i = 0; i < 16; i++)
		sum = (uint8_t)(sum + (i == 4 ? 0 : b[i]));
	return get_le16(b) == 2 && b[4] == sum && get_le32(b + 12) == lba;
}

uint64_t discfs_udf_session_start(discfs_drive *drive)
{
	uint64_t start[MAX_SESSIONS];
	size_t n = session_starts(drive, start, MAX_SESSIONS);

	while (n--)
		if (start[n] && anchor_at(drive, start[n] + 256))
			return start[n];
	return 0;
}

/* The next session allowed (CD, DVD-R: the MS bits decide whether CLOSE
 * SESSION finalizes). */
static int allow_next_session(struct mmc_transport *t, discfs_error *err)
{
	return bs_set_multisession(t, 3, err);
}

int discfs_close_session(discfs_drive *drive, discfs_error *err)
{
	struct mmc_transport *t = discfs_drive_transport(drive);
	struct burn_ctx ctx;
	discfs_media_info mi;
	unsigned last = 0;
	int rc = discfs_media_info_get(drive, &mi, err);

	if (rc < 0)
		return rc;
	uint16_t p = mi.profile;
	bool cd = p == MMC_PROF_CD_R || p == MMC_PROF_CD_RW;
	bool ms_bits = cd || p == MMC_PROF_DVD_R_SEQ || p == MMC_PROF_DVD_RW_SEQ;
	if (mi.disc_status != DISCFS_DISC_APPENDABLE)
		rc = dfs_fail(err, DISCFS_EWRONGMEDIA, "%s: the disc is not "
			      "appendable: no session to close",
			      discfs_profile_name(p));
	bc_init(&ctx, NULL, NULL, NULL);
	if (rc == 0 && mi.last_session_state != DISCFS_SESSION_INCOMPLETE)
		goto out; /* nothing recorded in the open session */
	if (rc == 0)
		rc = bs_flush(t, &ctx, err);
	if (rc == 0 && ms_bits)
		rc = allow_next_session(t, err);
	/* open tracks holding data are closed first (the session close
	 * closes a CD's TAO track itself) */
	for (size_t i = 0; rc == 0 && i < mi.n_tracks; i++) {
		const discfs_track_info *tr = &mi.tracks[i];
		if (tr->blank || tr->reserved)
			continue;
		last = tr->number;
		if (!cd && tr->nwa_valid)
			rc = bs_close(t, MMC_CLOSE_TRACK, (uint16_t)tr->number, &ctx, err);
	}
	if (rc == 0)
		rc = bs_close(t, MMC_CLOSE_SESSION, cd ? 0 : (uint16_t)last, &ctx, err);
	if (rc < 0)
		rc = dfs_wrap(err, rc, "closing the session");
out:
	discfs_media_info_free(&mi);
	return rc;
}
