/*
 * mmc/emu/dispatch.c - emu_exec(): the gates every command passes before
 * its handler, in the order a real drive applies them:
 *   vanished drive -> unknown opcode (5/20/00) -> pending unit attention
 *   (not for INQUIRY, REQUEST SENSE, GESN) -> never-ready fault -> long
 *   operation in progress (2/04/xx + progress) -> no medium (2/3A/0x).
 */
#include <time.h>

#include "mmc/emu/emu_int.h"

enum {
	F_NOUA = 1,    /* not blocked by a pending unit attention */
	F_MEDIUM = 2,  /* needs a medium in a closed tray */
	F_BUSYOK = 4,  /* answered while a long operation runs */
	F_NOREADY = 8, /* answered by a never-ready drive */
};

struct emu_op_entry {
	uint8_t opcode;
	uint8_t flags;
	emu_handler *run;
};

static const struct emu_op_entry ops[] = {
	{ MMC_TEST_UNIT_READY, F_BUSYOK, emu_cmd_tur },
	{ MMC_REQUEST_SENSE, F_NOUA | F_BUSYOK | F_NOREADY, emu_cmd_request_sense },
	{ MMC_FORMAT_UNIT, F_MEDIUM, emu_cmd_format },
	{ MMC_INQUIRY, F_NOUA | F_BUSYOK | F_NOREADY, emu_cmd_inquiry },
	{ MMC_START_STOP_UNIT, F_NOREADY, emu_cmd_start_stop },
	{ MMC_PREVENT_ALLOW, F_BUSYOK | F_NOREADY, emu_cmd_prevent },
	{ MMC_READ_FORMAT_CAPACITIES, F_MEDIUM, emu_cmd_read_format_caps },
	{ MMC_READ_CAPACITY, F_MEDIUM, emu_cmd_read_capacity },
	{ MMC_READ10, F_MEDIUM, emu_cmd_read },
	{ MMC_WRITE10, F_MEDIUM, emu_cmd_write },
	{ MMC_WRITE_VERIFY10, F_MEDIUM, emu_cmd_write },
	{ MMC_VERIFY10, F_MEDIUM, emu_cmd_verify },
	{ MMC_SYNCHRONIZE_CACHE, F_MEDIUM, emu_cmd_sync_cache },
	{ MMC_READ_TOC, F_MEDIUM, emu_cmd_read_toc },
	{ MMC_GET_CONFIGURATION, F_BUSYOK | F_NOREADY, emu_cmd_get_config },
	{ MMC_GET_EVENT_STATUS, F_NOUA | F_BUSYOK | F_NOREADY, emu_cmd_gesn },
	{ MMC_READ_DISC_INFO, F_MEDIUM, emu_cmd_disc_info },
	{ MMC_READ_TRACK_INFO, F_MEDIUM, emu_cmd_track_info },
	{ MMC_RESERVE_TRACK, F_MEDIUM, emu_cmd_reserve_track },
	{ MMC_SEND_OPC, F_MEDIUM, emu_cmd_send_opc },
	{ MMC_MODE_SELECT10, F_NOREADY, emu_cmd_mode_select },
	{ MMC_MODE_SENSE10, F_BUSYOK | F_NOREADY, emu_cmd_mode_sense },
	{ MMC_CLOSE_TRACK_SESSION, F_MEDIUM, emu_cmd_close },
	{ MMC_READ_BUFFER_CAPACITY, F_BUSYOK | F_NOREADY, emu_cmd_read_buffer_cap },
	{ MMC_SEND_CUE_SHEET, F_MEDIUM, emu_cmd_send_cue },
	{ MMC_BLANK, F_MEDIUM, emu_cmd_blank },
	{ MMC_READ12, F_MEDIUM, emu_cmd_read },
	{ MMC_WRITE12, F_MEDIUM, emu_cmd_write },
	{ MMC_GET_PERFORMANCE, F_MEDIUM | F_BUSYOK, emu_cmd_get_performance },
	{ MMC_READ_DISC_STRUCTURE, F_MEDIUM, emu_cmd_read_structure },
	{ MMC_SET_STREAMING, F_MEDIUM, emu_cmd_set_streaming },
	{ MMC_SEND_DISC_STRUCTURE, F_MEDIUM, emu_cmd_send_structure },
	{ MMC_SET_CD_SPEED, F_NOREADY, emu_cmd_set_cd_speed },
	{ MMC_MECHANISM_STATUS, F_NOUA | F_BUSYOK | F_NOREADY, emu_cmd_mechanism },
};

static const struct emu_op_entry *lookup(uint8_t opcode)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].opcode == opcode)
			return &ops[i];
	return NULL;
}

static bool medium_gate(struct emu_drive *d, struct mmc_cmd *cmd)
{
	if (d->tray_open) {
		emu_sense(cmd, SK_NOT_READY, ASC_NO_MEDIUM_TRAY_OPEN);
		return false;
	}
	if (!d->has_disc) {
		emu_sense(cmd, SK_NOT_READY, ASC_NO_MEDIUM_TRAY_CLOSED);
		return false;
	}
	return true;
}

/* The gates; true when the handler may run. */
static bool gates(struct emu_drive *d, struct mmc_cmd *cmd,
		  const struct emu_op_entry *e)
{
	if (!(e->flags & F_NOUA) && d->n_ua) {
		uint16_t ua = d->ua[0];
		d->ua[0] = d->ua[1];
		d->n_ua--;
		emu_sense(cmd, SK_UNIT_ATTENTION, ua);
		return false;
	}
	if (!(e->flags & F_NOREADY) && d->has_disc &&
	    d->disc.faults.never_ready) {
		emu_sense(cmd, SK_NOT_READY, ASC_BECOMING_READY);
		return false;
	}
	emu_op_update(d);
	if (d->op.active && !d->op.background && !(e->flags & F_BUSYOK)) {
		emu_sense_progress(cmd, SK_NOT_READY, d->op.asc,
				   emu_op_progress(d));
		return false;
	}
	if (d->pioneer_pending && e->opcode != MMC_TEST_UNIT_READY &&
	    !(e->flags & F_NOUA)) {
		d->pioneer_pending = false;
		emu_sense(cmd, SK_NOT_READY, ASC_OP_IN_PROGRESS);
		return false;
	}
	if ((e->flags & F_MEDIUM) && !medium_gate(d, cmd))
		return false;
	return true;
}

static uint64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The media-change fault: counts commands down, then raises 6/28/00 once
 * (as a swapped disc would) for this command to report.  Spent once
 * raised, and saved, so the next opener does not see it again. */
static void media_change_tick(struct emu_drive *d)
{
	if (!d->has_disc || d->disc.faults.media_change_after < 0)
		return;
	if (d->disc.faults.media_change_after > 0) {
		d->disc.faults.media_change_after--;
		return;
	}
	d->disc.faults.media_change_after = -1;
	emu_save(d);
	emu_raise_ua(d, ASC_MEDIUM_CHANGED);
}

int emu_exec(struct emu_drive *d, struct mmc_cmd *cmd)
{
	uint64_t t0 = ms_now();
	pthread_mutex_lock(&d->lock);
	if (emu_fault_vanish_tick(d)) {
		pthread_mutex_unlock(&d->lock);
		return -DISCFS_ENODEV;
	}
	media_change_tick(d);
	cmd->sense_len = 0;
	cmd->status = MMC_STATUS_GOOD;
	cmd->resid = cmd->len;
	const struct emu_op_entry *e = lookup(cmd->cdb[0]);
	if (!e)
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	else if (gates(d, cmd, e))
		e->run(d, cmd);
	bool gone = d->vanished;
	pthread_mutex_unlock(&d->lock);
	cmd->duration_ms = (uint32_t)(ms_now() - t0);
	return gone ? -DISCFS_ENODEV : 0;
}
