/*
 * mmc/emu/cmd_blank.c - BLANK (A1h) on CD-RW and DVD-RW: types 000 (full)
 * and 001 (minimal) return the disc to blank; DVD-RW goes back to the
 * sequential profile, and after a minimal blank incremental writing is
 * no longer possible (feature 0021h not current; DAO only).
 */
#include "mmc/emu/emu_int.h"

#define MINIMAL_BLANK_NS (60 * 1000000000ull)

void emu_cmd_blank(struct emu_drive *d, struct mmc_cmd *cmd)
{
	struct emu_disc *disc = &d->disc;
	bool immed = cmd->cdb[1] & 0x10;
	uint8_t type = cmd->cdb[1] & 0x07;
	if (!emu_check_writable(d, cmd))
		return;
	if (!(disc->media->flags & EMU_M_BLANKABLE)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INCOMPATIBLE_MEDIUM);
		return;
	}
	if (type != MMC_BLANK_FULL && type != MMC_BLANK_MINIMAL) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (emu_image_erase(disc) < 0) {
		emu_sense(cmd, SK_MEDIUM_ERROR, ASC_WRITE_ERROR);
		return;
	}
	disc->n_tracks = 0;
	disc->sessions_closed = 0;
	disc->next_start = 0;
	disc->finalized = false;
	disc->formatted = 0;
	disc->profile = disc->media->profile;
	disc->minimal_blanked = type == MMC_BLANK_MINIMAL &&
				disc->media->family == EMU_DVD;
	d->sao_active = d->sim_active = false;
	emu_save(d);
	uint64_t ns = type == MMC_BLANK_FULL
			      ? emu_duration(d, disc->capacity * EMU_BLOCK)
			      : (d->scale > 0 ? MINIMAL_BLANK_NS : 0);
	emu_long_op(d, ASC_OP_IN_PROGRESS, ns, immed, 2);
	emu_good(cmd);
}
