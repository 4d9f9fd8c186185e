/*
 * mmc/emu/cmd_events.c - GET EVENT STATUS NOTIFICATION, polled, media
 * class.  An event is consumed when its descriptor is actually returned.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

#define CLASS_MEDIA 0x10

void emu_cmd_gesn(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint32_t alloc = get_be16(c + 7);
	uint8_t b[8] = { 0 };
	if (!(c[1] & 0x01)) { /* asynchronous mode is not supported */
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	b[3] = CLASS_MEDIA;
	if (!(c[4] & CLASS_MEDIA)) {
		/* The length counts what follows the 4-byte header: nothing. */
		put_be16(b, 0);
		b[2] = 0x80; /* no event available (NEA) */
		emu_reply(cmd, b, 4, alloc);
		return;
	}
	put_be16(b, 4); /* one 4-byte media descriptor after the header */
	b[2] = 0x04; /* media class */
	if (d->n_events && alloc >= 8 && cmd->len >= 8) {
		b[4] = d->events[0].code;
		memmove(d->events, d->events + 1,
			sizeof(d->events[0]) * (EMU_MAX_EVENTS - 1));
		d->n_events--;
	}
	if (d->tray_open)
		b[5] |= 0x01;
	else if (d->has_disc)
		b[5] |= 0x02;
	emu_reply(cmd, b, sizeof(b), alloc);
}
