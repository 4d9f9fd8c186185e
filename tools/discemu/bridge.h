/*
 * tools/discemu/bridge.h - answers TCMU commands with the emulated drive.
 *
 * Each command from the ring becomes one struct mmc_cmd for emu_exec(): the
 * CDB as is, the data direction from the opcode (TCMU does not pass it on:
 * see bridge_is_data_out()), data-out gathered from the ring's buffers into
 * a bounce buffer, data-in scattered back with its true length, and the
 * drive's status and sense copied into the response.  There is no MMC
 * knowledge here beyond the direction table: mmc/emu/ is the only model.
 *
 * A drive that has vanished (fault injection) answers every command with
 * HARDWARE ERROR 4/08/01 (logical unit communication time-out), the nearest
 * a TCMU target can come to a device that stopped answering.
 *
 * Ownership: struct bridge borrows the drive; it owns its bounce buffer.
 * Used by the one thread that serves the ring.
 */
#ifndef DFS_DISCEMU_BRIDGE_H
#define DFS_DISCEMU_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mmc/emu/emu.h"
#include "tools/discemu/tcmu_ring.h"

struct bridge {
	struct emu_drive *drive;
	uint8_t *buf;         /* bounce buffer */
	size_t buf_size;
	FILE *trace;          /* one line per command when not NULL */
	bool trace_data;      /* and the first bytes of its data */
	uint64_t commands;    /* counters for `discemu status` (atomic) */
	uint64_t checks;
};

/* True for the opcodes whose data flows to the device (WRITE, MODE
 * SELECT, SEND CUE SHEET, FORMAT UNIT, ...). */
bool bridge_is_data_out(uint8_t opcode);

/* The tcmu_handler: arg is a struct bridge *. */
void bridge_handle(void *arg, struct tcmu_req *req);

void bridge_free(struct bridge *b);

#endif
