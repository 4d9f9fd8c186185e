/*
 * mmc/emu/cmd_cue.c - SEND CUE SHEET and the CD SAO write sequence.
 * Cue entries (8 bytes): CTL|ADR, TNO, INDEX, DATA FORM, SCMS, MIN, SEC,
 * FRAME (binary).  ADR 1 entries give time points; TNO 1..99 INDEX 1 are
 * track starts, TNO AAh the lead-out.  Writing starts at the first TNO-1
 * entry (usually 00:00:00 = LBA -150) and must arrive in order; blocks at
 * negative LBAs (pregap) are accepted and not stored.  Until the SYNC CACHE
 * after the lead-out the host sees the blank disc (emu_host_view).
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

#define CUE_MAX_ENTRIES 400

static int32_t cue_lba(const uint8_t *e)
{
	return ((int32_t)e[5] * 60 + e[6]) * 75 + e[7] - 150;
}

struct cue {
	int32_t first, leadout;
	uint32_t n_tracks;
	int32_t start[99];
	uint8_t ctl[99];
};

static bool parse(const uint8_t *p, uint32_t len, struct cue *c)
{
	memset(c, 0, sizeof(*c));
	bool have_first = false, have_leadout = false;
	for (uint32_t off = 0; off < len; off += 8) {
		const uint8_t *e = p + off;
		if ((e[0] & 0x0F) != 1)
			continue; /* MCN / ISRC entries */
		if (e[5] > 99 || e[6] > 59 || e[7] > 74)
			return false;
		int32_t lba = cue_lba(e);
		if (e[1] >= 1 && e[1] <= 99 && !have_first) {
			c->first = lba;
			have_first = true;
		}
		if (e[1] == 0xAA) {
			c->leadout = lba;
			have_leadout = true;
		} else if (e[1] >= 1 && e[1] <= 99 && e[2] == 1) {
			if (e[1] != c->n_tracks + 1 ||
			    (c->n_tracks && lba <= c->start[c->n_tracks - 1]))
				return false;
			c->ctl[c->n_tracks] = e[0] >> 4;
			c->start[c->n_tracks++] = lba;
		}
	}
	return have_first && have_leadout && c->n_tracks && c->start[0] >= 0 &&
	       c->first <= c->start[0] &&
	       c->leadout > c->start[c->n_tracks - 1];
}

void emu_cmd_send_cue(struct emu_drive *d, struct mmc_cmd *cmd)
{
	struct emu_disc *disc = &d->disc;
	uint32_t len = get_be24(cmd->cdb + 6);
	struct cue c;
	if (!emu_check_writable(d, cmd))
		return;
	if (disc->media->family != EMU_CD || !emu_is_seq(disc)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_CANNOT_WRITE_INCOMPATIBLE);
		return;
	}
	if (emu_write_type(d) != MMC_WT_SAO ||
	    emu_disc_status(disc) != DISCFS_DISC_BLANK || d->sao_active) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
		return;
	}
	if (!len || len % 8 || len > CUE_MAX_ENTRIES * 8 ||
	    cmd->dir != MMC_DIR_OUT || !cmd->buf || cmd->len < len) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
		return;
	}
	if (!parse(cmd->buf, len, &c) || (uint64_t)c.leadout > emu_usable(disc)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
		return;
	}
	for (uint32_t i = 0; i < c.n_tracks; i++) {
		int32_t end = i + 1 < c.n_tracks ? c.start[i + 1] : c.leadout;
		disc->tracks[disc->n_tracks++] = (struct emu_track){
			.start = (uint32_t)c.start[i],
			.size = (uint32_t)(end - c.start[i]), .session = 1,
			.flags = EMU_TR_RESERVED, .mode = c.ctl[i] & 0x0F };
	}
	disc->next_start = (uint32_t)c.leadout;
	d->sao_active = true;
	d->sao_next = c.first;
	d->sao_end = c.leadout;
	emu_good(cmd);
}

static bool sao_check(struct emu_drive *d, struct mmc_cmd *cmd, int32_t lba,
		      uint32_t n)
{
	if (lba != d->sao_next) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_WRITE_ADDRESS);
		return false;
	}
	if ((int64_t)lba + n > d->sao_end) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

static void sao_advance(struct emu_drive *d, uint32_t n)
{
	struct emu_disc *disc = &d->disc;
	d->sao_next += (int32_t)n;
	for (uint32_t i = 0; i < disc->n_tracks; i++) {
		struct emu_track *t = &disc->tracks[i];
		int64_t w = (int64_t)d->sao_next - t->start;
		if (w < 0)
			w = 0;
		if (w > t->size)
			w = t->size;
		t->written = (uint32_t)w;
	}
}

void emu_sao_write(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t lba,
		   uint32_t n)
{
	int32_t first = (int32_t)lba;
	if (!sao_check(d, cmd, first, n))
		return;
	/* pregap blocks (negative LBAs) are accepted and not stored */
	uint32_t skip = first < 0 ? (uint32_t)(-first) : 0;
	if (skip > n)
		skip = n;
	uint32_t done = skip;
	if (n > skip) {
		void *save = cmd->buf;
		cmd->buf = (uint8_t *)cmd->buf + (size_t)skip * EMU_BLOCK;
		done += emu_record(d, cmd, lba + skip, n - skip, NULL, false);
		cmd->buf = save;
	} else {
		emu_good(cmd);
	}
	if (cmd->status == MMC_STATUS_GOOD)
		sao_advance(d, done);
}

const struct emu_disc *emu_host_view(const struct emu_drive *d,
				     struct emu_disc *scratch)
{
	if (!d->sao_active)
		return &d->disc;
	*scratch = d->disc;
	scratch->n_tracks = 0; /* SEND CUE SHEET needs a blank disc */
	scratch->next_start = 0;
	return scratch;
}
