/*
 * mmc/emu/disc_validate.c - the invariants of the disc model, checked on
 * every state file read (and before one is rewritten by emu_disc_set):
 * profile matches the medium, capacity and counts in range, tracks in
 * order, not overlapping, inside the capacity, open only in the open
 * session, at most one incomplete track and it is the last.
 */
#include "mmc/emu/emu_int.h"
#include "util/err.h"

static int bad(discfs_error *err, const char *what)
{
	return dfs_fail(err, DISCFS_EFORMAT, "state file: %s", what);
}

static bool profile_ok(const struct emu_disc *d)
{
	if (d->media->profile == MMC_PROF_DVD_RW_SEQ)
		return d->profile == MMC_PROF_DVD_RW_SEQ ||
		       d->profile == MMC_PROF_DVD_RW_RO;
	return d->profile == d->media->profile;
}

static int validate_tracks(const struct emu_disc *d, discfs_error *err)
{
	uint32_t prev_end = 0, prev_session = 1, open_reserved = 0;
	for (uint32_t i = 0; i < d->n_tracks; i++) {
		const struct emu_track *t = &d->tracks[i];
		bool closed = t->flags & EMU_TR_CLOSED;
		bool reserved = t->flags & EMU_TR_RESERVED;
		if (t->flags & ~7u)
			return bad(err, "unknown track flags");
		if (t->session < prev_session ||
		    t->session > d->sessions_closed + 1 || t->session == 0)
			return bad(err, "track sessions out of order");
		if (t->start < prev_end)
			return bad(err, "tracks overlap");
		if (t->size && t->written > t->size)
			return bad(err, "track written beyond its size");
		if (!closed && !reserved && (t->size || i + 1 != d->n_tracks))
			return bad(err, "only the last track may be incomplete");
		if ((closed || reserved) && !t->size && !closed)
			return bad(err, "reserved track without a size");
		uint64_t end = (uint64_t)t->start + (t->size ? t->size : t->written);
		if (end > d->capacity)
			return bad(err, "track beyond the capacity");
		if (!closed && t->session != d->sessions_closed + 1)
			return bad(err, "open track in a closed session");
		if (!closed && reserved && ++open_reserved > EMU_MAX_OPEN_RESERVED)
			return bad(err, "too many open reserved tracks");
		prev_end = (uint32_t)end;
		prev_session = t->session;
	}
	if (d->n_tracks && !emu_incomplete_track((struct emu_disc *)d) &&
	    d->next_start < prev_end && !d->finalized)
		return bad(err, "next-start inside a track");
	return 0;
}

int emu_disc_validate(const struct emu_disc *d, discfs_error *err)
{
	bool rom = d->media->flags & EMU_M_ROM;
	if (!profile_ok(d))
		return bad(err, "profile does not match the medium");
	if (!rom && (d->capacity < EMU_MIN_CAPACITY ||
		     d->capacity > (d->media->capacity ? d->media->capacity
						       : UINT32_MAX)))
		return bad(err, "capacity out of range");
	if (rom && (d->capacity == 0 || d->capacity > UINT32_MAX))
		return bad(err, "capacity out of range");
	if (d->formatted > d->capacity)
		return bad(err, "formatted size beyond the capacity");
	if (d->profile == MMC_PROF_CD_RW && d->formatted &&
	    (d->formatted % EMU_CD_PACKET ||
	     d->formatted > emu_cd_packet_capacity(d->capacity)))
		return bad(err, "CD-RW fixed-packet size out of range");
	if (d->bg_format > 3)
		return bad(err, "bg-format out of range");
	if (d->next_start > d->capacity)
		return bad(err, "next-start beyond the capacity");
	if (d->sessions_closed > d->media->max_sessions ||
	    d->sessions_closed > EMU_MAX_TRACKS)
		return bad(err, "too many sessions");
	if (!(d->time_scale >= 0 && d->time_scale <= 1e6))
		return bad(err, "time-scale out of range");
	if (d->faults.n_unreadable > EMU_MAX_UNREADABLE)
		return bad(err, "too many unreadable ranges");
	for (unsigned i = 0; i < d->faults.n_unreadable; i++)
		if (d->faults.unreadable_first[i] > d->faults.unreadable_last[i])
			return bad(err, "unreadable range reversed");
	if (rom && (d->n_tracks != 1 || !d->finalized))
		return bad(err, "ROM disc must be one finalized track");
	if (!rom && emu_is_random(d) && d->n_tracks)
		return bad(err, "random-access disc with tracks");
	return validate_tracks(d, err);
}
