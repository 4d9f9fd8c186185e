/*
 * mmc/emu/cmd_disc_info.c - READ DISC INFORMATION (types 0, 1, 2) and
 * READ CAPACITY, as the tables of mmc-notes 1.5 and 2.2 say.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

static void put_msf(uint8_t *p, uint32_t lba_plus_150)
{
	p[0] = 0;
	emu_msf(lba_plus_150, &p[1], &p[2], &p[3]);
}

/* First track number of session s, or 0. */
static uint32_t first_track_of(const struct emu_disc *disc, uint32_t s)
{
	for (uint32_t i = 0; i < disc->n_tracks; i++)
		if (disc->tracks[i].session == s)
			return i + 1;
	return 0;
}

static void track_numbers(const struct emu_disc *disc, uint32_t *sessions,
			  uint32_t *first, uint32_t *last)
{
	*sessions = *first = *last = 1;
	if (!emu_is_seq(disc) || emu_disc_status(disc) == DISCFS_DISC_BLANK)
		return;
	if (disc->finalized) {
		*sessions = disc->sessions_closed;
		*first = first_track_of(disc, disc->sessions_closed);
		*last = disc->n_tracks;
		return;
	}
	uint32_t open = emu_open_session(disc);
	uint32_t inv = emu_invisible_number(disc);
	*sessions = open;
	*last = inv ? inv : disc->n_tracks;
	*first = first_track_of(disc, open);
	if (!*first)
		*first = *last;
}

static void lead_fields(const struct emu_disc *disc, uint8_t *b)
{
	if (emu_disc_status(disc) == DISCFS_DISC_COMPLETE ||
	    emu_is_random(disc)) {
		put_be32(b + 16, 0xFFFFFFFF);
		put_be32(b + 20, 0xFFFFFFFF);
		return;
	}
	if (disc->media->family == EMU_CD) {
		if (disc->next_start == 0) {
			b[17] = 97; b[18] = 15; b[19] = 35; /* ATIP lead-in */
		} else {
			uint32_t li = disc->next_start > 4650
					      ? disc->next_start - 4650 : 0;
			put_msf(b + 16, li + 150);
		}
		put_msf(b + 20, (uint32_t)emu_usable(disc) + 150);
		return;
	}
	put_be32(b + 16, disc->next_start);
	put_be32(b + 20, (uint32_t)emu_usable(disc));
}

static void standard(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t alloc)
{
	struct emu_disc scratch;
	const struct emu_disc *disc = emu_host_view(d, &scratch);
	uint8_t b[34] = { 0 };
	uint32_t sessions, first, last;
	track_numbers(disc, &sessions, &first, &last);
	put_be16(b, sizeof(b) - 2);
	b[2] = (uint8_t)(((disc->media->flags & EMU_M_ERASABLE) ? 0x10 : 0) |
			 emu_last_session_state(disc) << 2 |
			 emu_disc_status(disc));
	/* quirk: formatted, unwritten BD-R says appendable, 1 empty session */
	if (emu_quirk(d, EMU_Q_BDR_FORMATTED_APPENDABLE) &&
	    disc->profile == MMC_PROF_BD_R_SRM && disc->formatted &&
	    emu_disc_status(disc) == DISCFS_DISC_BLANK)
		b[2] = (uint8_t)(DISCFS_SESSION_EMPTY << 2 |
				 DISCFS_DISC_APPENDABLE);
	b[3] = 1;
	b[4] = (uint8_t)sessions;
	b[5] = (uint8_t)first;
	b[6] = (uint8_t)last;
	b[7] = 0x20; /* URU: unrestricted use */
	if (disc->profile == MMC_PROF_DVD_PLUS_RW)
		b[7] |= disc->bg_format & 3;
	b[8] = 0x00;
	b[9] = (uint8_t)(sessions >> 8);
	b[10] = (uint8_t)(first >> 8);
	b[11] = (uint8_t)(last >> 8);
	lead_fields(disc, b);
	emu_reply(cmd, b, sizeof(b), alloc);
}

static void track_resources(struct emu_drive *d, struct mmc_cmd *cmd,
			    uint32_t alloc)
{
	const struct emu_disc *disc = &d->disc;
	uint8_t b[12] = { 0 };
	uint32_t max = disc->media->family == EMU_CD ? 99 : EMU_MAX_TRACKS;
	put_be16(b, 10);
	b[2] = 1 << 5 | 1;
	put_be16(b + 4, (uint16_t)max);
	put_be16(b + 6, (uint16_t)disc->n_tracks);
	put_be16(b + 8, EMU_MAX_OPEN_RESERVED);
	uint32_t open = 0;
	for (uint32_t i = 0; i < disc->n_tracks; i++)
		open += !(disc->tracks[i].flags & EMU_TR_CLOSED);
	put_be16(b + 10, (uint16_t)open);
	emu_reply(cmd, b, sizeof(b), alloc);
}

static void pow_resources(struct emu_drive *d, struct mmc_cmd *cmd,
			  uint32_t alloc)
{
	uint8_t b[16] = { 0 };
	if (d->disc.profile != MMC_PROF_BD_R_SRM || !d->disc.pow) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	put_be16(b, 14);
	b[2] = 2 << 5 | 2;
	put_be32(b + 4, (uint32_t)(d->disc.capacity - emu_usable(&d->disc)));
	put_be32(b + 8, 0);
	put_be32(b + 12, 0);
	emu_reply(cmd, b, sizeof(b), alloc);
}

void emu_cmd_disc_info(struct emu_drive *d, struct mmc_cmd *cmd)
{
	uint32_t alloc = get_be16(cmd->cdb + 7);
	switch (cmd->cdb[1] & 0x07) {
	case 0: return standard(d, cmd, alloc);
	case 1: return track_resources(d, cmd, alloc);
	case 2: return pow_resources(d, cmd, alloc);
	default:
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	}
}

void emu_cmd_read_capacity(struct emu_drive *d, struct mmc_cmd *cmd)
{
	uint8_t b[8];
	bool any;
	put_be32(b, emu_last_recorded(&d->disc, &any));
	put_be32(b + 4, EMU_BLOCK);
	emu_reply(cmd, b, sizeof(b), sizeof(b));
}
