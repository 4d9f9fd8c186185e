/*
 * mmc/emu/cmd_unit.c - unit state commands: TEST UNIT READY, REQUEST
 * SENSE, START STOP UNIT (eject/load), PREVENT ALLOW, MECHANISM STATUS.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

/* The not-ready condition of the unit, 0 when ready. */
static uint16_t not_ready(struct emu_drive *d, bool *progress)
{
	*progress = false;
	if (d->has_disc && d->disc.faults.never_ready)
		return ASC_BECOMING_READY;
	emu_op_update(d);
	if (d->op.active && !d->op.background) {
		*progress = true;
		return d->op.asc;
	}
	if (d->tray_open)
		return ASC_NO_MEDIUM_TRAY_OPEN;
	if (!d->has_disc)
		return ASC_NO_MEDIUM_TRAY_CLOSED;
	return 0;
}

void emu_cmd_tur(struct emu_drive *d, struct mmc_cmd *cmd)
{
	bool progress;
	uint16_t asc = not_ready(d, &progress);
	if (!asc)
		emu_good(cmd);
	else if (progress)
		emu_sense_progress(cmd, SK_NOT_READY, asc, emu_op_progress(d));
	else
		emu_sense(cmd, SK_NOT_READY, asc);
}

void emu_cmd_request_sense(struct emu_drive *d, struct mmc_cmd *cmd)
{
	uint8_t s[18];
	bool progress;
	uint16_t asc = not_ready(d, &progress);
	if (progress) {
		emu_fill_sense(s, SK_NOT_READY, asc, true, emu_op_progress(d));
	} else if (d->n_ua) {
		emu_fill_sense(s, SK_UNIT_ATTENTION, d->ua[0], false, 0);
		d->ua[0] = d->ua[1];
		d->n_ua--;
	} else if (asc) {
		emu_fill_sense(s, SK_NOT_READY, asc, false, 0);
	} else {
		emu_fill_sense(s, SK_NO_SENSE, ASC_NONE, false, 0);
	}
	emu_reply(cmd, s, sizeof(s), cmd->cdb[4]);
}

static void eject(struct emu_drive *d, struct mmc_cmd *cmd)
{
	if (d->locked) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED);
		return;
	}
	if (!d->tray_open) {
		d->tray_open = true;
		emu_save(d);
		if (d->has_disc)
			emu_raise_event(d, 3); /* MediaRemoval */
	}
	emu_good(cmd);
}

static void load(struct emu_drive *d, struct mmc_cmd *cmd)
{
	if (d->tray_open) {
		d->tray_open = false;
		if (d->has_disc) {
			emu_save(d);
			emu_raise_ua(d, ASC_MEDIUM_CHANGED);
			emu_raise_event(d, 2); /* NewMedia */
		}
	}
	emu_good(cmd);
}

void emu_cmd_start_stop(struct emu_drive *d, struct mmc_cmd *cmd)
{
	uint8_t b4 = cmd->cdb[4];
	bool loej = b4 & 0x02, start = b4 & 0x01;
	if (b4 & 0xF0) { /* power conditions: accepted, nothing to do */
		emu_good(cmd);
		return;
	}
	if (loej && !start)
		return eject(d, cmd);
	if (loej && start)
		return load(d, cmd);
	if (start && (d->tray_open || !d->has_disc)) {
		emu_sense(cmd, SK_NOT_READY, d->tray_open
				     ? ASC_NO_MEDIUM_TRAY_OPEN
				     : ASC_NO_MEDIUM_TRAY_CLOSED);
		return;
	}
	emu_good(cmd);
}

void emu_cmd_prevent(struct emu_drive *d, struct mmc_cmd *cmd)
{
	d->locked = cmd->cdb[4] & 0x01;
	emu_good(cmd);
}

void emu_cmd_mechanism(struct emu_drive *d, struct mmc_cmd *cmd)
{
	uint8_t b[8] = { 0 };
	if (d->tray_open)
		b[1] |= 0x10;
	emu_op_update(d);
	if (d->op.active && !d->op.background)
		b[1] |= 0x20; /* mechanism state: playing/writing */
	emu_reply(cmd, b, sizeof(b), get_be16(cmd->cdb + 8));
}
