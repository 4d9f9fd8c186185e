/*
 * mmc/emu/layout.c - what the disc model derives: disc status, the
 * invisible track, gaps between tracks and sessions, recorded ranges.
 * Pure functions of struct emu_disc (no I/O, no drive state).
 */
#include "mmc/emu/emu_int.h"

bool emu_is_rom(const struct emu_disc *disc)
{
	return disc->media->flags & EMU_M_ROM;
}

bool emu_is_random(const struct emu_disc *disc)
{
	switch (disc->profile) {
	case MMC_PROF_DVD_RAM:
	case MMC_PROF_DVD_PLUS_RW:
	case MMC_PROF_DVD_RW_RO:
	case MMC_PROF_BD_RE:
		return true;
	case MMC_PROF_CD_RW:
		return disc->formatted != 0; /* fixed packets (FORMAT 10h) */
	default:
		return false;
	}
}

uint32_t emu_fixed_packet(const struct emu_disc *disc)
{
	if (disc->profile == MMC_PROF_DVD_RW_RO)
		return 16;
	if (disc->profile == MMC_PROF_CD_RW && disc->formatted)
		return EMU_CD_PACKET;
	return 0;
}

uint32_t emu_cd_packet_capacity(uint64_t capacity)
{
	/* each packet costs 7 more blocks (link, 4 run-in, 2 run-out) and the
	 * track its 150-block pregap; the host addresses user blocks only */
	if (capacity <= 150)
		return 0;
	return (uint32_t)((capacity - 150) / (EMU_CD_PACKET + 7) *
			  EMU_CD_PACKET);
}

bool emu_is_seq(const struct emu_disc *disc)
{
	return !emu_is_rom(disc) && !emu_is_random(disc);
}

uint64_t emu_usable(const struct emu_disc *disc)
{
	if (disc->formatted && disc->profile == MMC_PROF_BD_R_SRM)
		return disc->formatted;
	return disc->capacity;
}

uint32_t emu_track_end(const struct emu_track *t)
{
	return t->start + (t->size ? t->size : t->written);
}

struct emu_track *emu_incomplete_track(struct emu_disc *disc)
{
	if (!disc->n_tracks)
		return NULL;
	struct emu_track *t = &disc->tracks[disc->n_tracks - 1];
	if (t->flags & (EMU_TR_CLOSED | EMU_TR_RESERVED))
		return NULL;
	return t;
}

uint32_t emu_open_session(const struct emu_disc *disc)
{
	return disc->sessions_closed + 1;
}

bool emu_can_add_track(const struct emu_disc *disc)
{
	if (!emu_is_seq(disc) || disc->finalized)
		return false;
	if (disc->n_tracks >= EMU_MAX_TRACKS)
		return false;
	if (disc->media->family == EMU_CD && disc->n_tracks >= 99)
		return false;
	return disc->next_start < emu_usable(disc);
}

uint32_t emu_invisible_number(const struct emu_disc *disc)
{
	if (!emu_is_seq(disc) || disc->finalized)
		return 0;
	if (emu_incomplete_track((struct emu_disc *)disc))
		return disc->n_tracks;
	return emu_can_add_track(disc) ? disc->n_tracks + 1 : 0;
}

int emu_disc_status(const struct emu_disc *disc)
{
	if (emu_is_rom(disc))
		return DISCFS_DISC_COMPLETE;
	if (emu_is_random(disc)) {
		if (!disc->formatted)
			return DISCFS_DISC_BLANK;
		if (disc->profile == MMC_PROF_DVD_RAM ||
		    disc->profile == MMC_PROF_BD_RE)
			return DISCFS_DISC_OTHER;
		return DISCFS_DISC_COMPLETE;
	}
	if (disc->finalized)
		return DISCFS_DISC_COMPLETE;
	if (!disc->n_tracks && !disc->sessions_closed)
		return DISCFS_DISC_BLANK;
	return DISCFS_DISC_APPENDABLE;
}

int emu_last_session_state(const struct emu_disc *disc)
{
	switch (emu_disc_status(disc)) {
	case DISCFS_DISC_BLANK:
		return DISCFS_SESSION_EMPTY;
	case DISCFS_DISC_APPENDABLE:
		if (disc->n_tracks && disc->tracks[disc->n_tracks - 1].session ==
					      emu_open_session(disc))
			return DISCFS_SESSION_INCOMPLETE;
		return DISCFS_SESSION_EMPTY;
	default:
		return DISCFS_SESSION_COMPLETE;
	}
}

uint32_t emu_last_recorded(const struct emu_disc *disc, bool *any)
{
	*any = false;
	if (emu_is_rom(disc)) {
		*any = disc->capacity > 0;
		return (uint32_t)(disc->capacity - 1);
	}
	if (emu_is_random(disc)) {
		*any = disc->formatted > 0;
		return disc->formatted ? (uint32_t)(disc->formatted - 1) : 0;
	}
	uint32_t last = 0;
	for (uint32_t i = 0; i < disc->n_tracks; i++) {
		const struct emu_track *t = &disc->tracks[i];
		uint32_t end = (t->flags & EMU_TR_CLOSED) ? emu_track_end(t)
							 : t->start + t->written;
		if (end > t->start) {
			*any = true;
			last = end - 1;
		}
	}
	return last;
}

uint32_t emu_track_gap(const struct emu_disc *disc)
{
	/* CD: 150-block pregap before every track after the first. */
	return disc->media->family == EMU_CD ? 150 : 0;
}

uint32_t emu_session_gap(const struct emu_disc *disc, bool first_session)
{
	switch (disc->media->family) {
	case EMU_CD:
		/* lead-out 6750 (first) / 2250, lead-in 4500, pregap 150 */
		return first_session ? 11400 : 6900;
	case EMU_DVD:
		return 16;  /* emulator-defined lead-out/lead-in zone */
	default:
		return 32;
	}
}

uint32_t emu_round_ecc(const struct emu_disc *disc, uint32_t lba)
{
	uint32_t e = disc->media->ecc;
	return e > 1 ? (lba + e - 1) / e * e : lba;
}

void emu_close_track(struct emu_disc *disc, struct emu_track *t)
{
	if (!(t->flags & EMU_TR_RESERVED)) {
		t->size = t->written;
		/* CD TAO: two run-out blocks belong to the track (unreadable) */
		if (disc->media->family == EMU_CD && t->written)
			t->size += 2;
	}
	t->flags |= EMU_TR_CLOSED;
	if (t == &disc->tracks[disc->n_tracks - 1]) {
		uint32_t end = emu_round_ecc(disc, emu_track_end(t));
		disc->next_start = end + emu_track_gap(disc);
	}
}

bool emu_range_recorded(const struct emu_disc *disc, uint32_t lba, uint32_t n)
{
	uint64_t end = (uint64_t)lba + n;
	if (emu_is_rom(disc))
		return end <= disc->capacity;
	if (emu_is_random(disc))
		return end <= disc->formatted;
	while (lba < end) {
		const struct emu_track *hit = NULL;
		for (uint32_t i = 0; i < disc->n_tracks && !hit; i++) {
			const struct emu_track *t = &disc->tracks[i];
			if (lba >= t->start && lba < t->start + t->written)
				hit = t;
		}
		if (!hit)
			return false;
		lba = hit->start + hit->written;
	}
	return true;
}

uint64_t emu_used_blocks(const struct emu_disc *disc)
{
	if (emu_is_rom(disc))
		return disc->capacity;
	if (emu_is_random(disc))
		return disc->formatted;
	uint64_t sum = 0;
	for (uint32_t i = 0; i < disc->n_tracks; i++)
		sum += disc->tracks[i].written;
	return sum;
}

void emu_msf(uint32_t lba_plus_150, uint8_t *m, uint8_t *s, uint8_t *f)
{
	*m = (uint8_t)(lba_plus_150 / (60 * 75));
	*s = (uint8_t)(lba_plus_150 / 75 % 60);
	*f = (uint8_t)(lba_plus_150 % 75);
}
