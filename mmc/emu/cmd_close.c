/*
 * mmc/emu/cmd_close.c - CLOSE TRACK/SESSION with only the close functions
 * each profile allows (mmc-notes 1.8); session close and finalization.
 */
#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

#define SEC 1000000000ull
#define CLOSE_TRACK_NS (2 * SEC)
#define CLOSE_SESSION_NS (20 * SEC)
#define FINALIZE_NS (40 * SEC)

void emu_session_close(struct emu_drive *d, bool finalize)
{
	struct emu_disc *disc = &d->disc;
	uint32_t open = emu_open_session(disc);
	bool any = false;
	for (uint32_t i = 0; i < disc->n_tracks; i++) {
		struct emu_track *t = &disc->tracks[i];
		if (t->session != open)
			continue;
		any = true;
		if (!(t->flags & EMU_TR_CLOSED))
			emu_close_track(disc, t);
	}
	d->sao_active = false;
	if (any) {
		disc->sessions_closed++;
		const struct emu_track *last = &disc->tracks[disc->n_tracks - 1];
		uint64_t next = (uint64_t)emu_round_ecc(disc, emu_track_end(last)) +
				emu_session_gap(disc, disc->sessions_closed == 1);
		uint64_t usable = emu_usable(disc);
		disc->next_start = (uint32_t)(next < usable ? next : usable);
	}
	if (disc->sessions_closed &&
	    (finalize || disc->sessions_closed >= disc->media->max_sessions ||
	     !emu_can_add_track(disc)))
		disc->finalized = true;
}

/* Which close functions the current profile allows (bit per CF). */
static unsigned allowed(const struct emu_disc *disc)
{
	switch (disc->profile) {
	case MMC_PROF_CD_R: case MMC_PROF_CD_RW:
	case MMC_PROF_DVD_R_SEQ: case MMC_PROF_DVD_RW_SEQ:
	case MMC_PROF_DVD_R_DL_SEQ:
		return 1u << 1 | 1u << 2;
	case MMC_PROF_DVD_RW_RO:
		return 1u << 2;
	case MMC_PROF_DVD_PLUS_R: case MMC_PROF_DVD_PLUS_R_DL:
		return 1u << 1 | 1u << 2 | 1u << 5 | 1u << 6;
	case MMC_PROF_DVD_PLUS_RW:
		return 1u << 0 | 1u << 2;
	case MMC_PROF_BD_R_SRM:
		return 1u << 1 | (disc->pow ? 0 : 1u << 2) | 1u << 6;
	default:
		return 0;
	}
}

static void close_track(struct emu_drive *d, struct mmc_cmd *cmd,
			uint32_t number, bool immed)
{
	struct emu_disc *disc = &d->disc;
	uint32_t inv = emu_invisible_number(disc);
	if (number == 0xFF && disc->media->family == EMU_CD)
		number = inv;
	if (number >= 1 && number <= disc->n_tracks) {
		struct emu_track *t = &disc->tracks[number - 1];
		if (t->flags & EMU_TR_CLOSED) {
			emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
			return;
		}
		emu_close_track(disc, t);
	} else if (!inv || number != inv) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	} /* else: the empty invisible track, nothing to close */
	emu_save(d);
	emu_long_op(d, ASC_OP_IN_PROGRESS, d->scale > 0 ? CLOSE_TRACK_NS : 0,
		    immed, 0);
	emu_good(cmd);
}

static bool close_finalizes(const struct emu_drive *d, uint8_t cf)
{
	if (cf == 5 || cf == 6)
		return true;
	switch (d->disc.profile) {
	case MMC_PROF_DVD_R_DL_SEQ:
		return true; /* single session */
	case MMC_PROF_CD_R: case MMC_PROF_CD_RW:
	case MMC_PROF_DVD_R_SEQ: case MMC_PROF_DVD_RW_SEQ:
		return emu_ms_finalize(d);
	default:
		return false;
	}
}

void emu_cmd_close(struct emu_drive *d, struct mmc_cmd *cmd)
{
	struct emu_disc *disc = &d->disc;
	bool immed = cmd->cdb[1] & 0x01;
	uint8_t cf = cmd->cdb[2] & 0x07;
	if (!emu_check_writable(d, cmd))
		return;
	/* CF 010 on POW BD-R is refused here always: real drives do so
	 * (Debian bug 713016), so it needs no quirk switch. */
	if (!(allowed(disc) & (1u << cf))) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (emu_is_random(disc)) {
		if (cf == 0 && disc->bg_format == 2) {
			disc->bg_format = 1;
			d->op.active = false;
		} else if (cf == 2 && disc->bg_format) {
			disc->bg_format = 3; /* compatible close */
			d->op.active = false;
		}
		emu_save(d);
		emu_long_op(d, ASC_OP_IN_PROGRESS, d->scale > 0 ? CLOSE_TRACK_NS : 0,
			    immed, cf == 2 ? 2 : 0);
		emu_good(cmd);
		return;
	}
	if (disc->finalized) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
		return;
	}
	/* quirk: some drives refuse CLOSE TRACK while test write is set */
	if (cf == 1 && (d->page05[2] & 0x10) &&
	    emu_quirk(d, EMU_Q_CLOSE_TRACK_SIM_ERROR)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
		return;
	}
	if (cf == 1)
		return close_track(d, cmd, get_be16(cmd->cdb + 4), immed);
	bool fin = close_finalizes(d, cf);
	emu_session_close(d, fin);
	emu_save(d);
	emu_long_op(d, ASC_OP_IN_PROGRESS,
		    d->scale > 0 ? (fin ? FINALIZE_NS : CLOSE_SESSION_NS) : 0,
		    immed, 2);
	emu_good(cmd);
}
