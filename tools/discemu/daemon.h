/*
 * tools/discemu/daemon.h - one running emulated burner: the emulated drive
 * (mmc/emu), the TCMU ring that feeds it the kernel's SCSI commands, the
 * configfs target that makes the kernel attach sr + sg, and the control
 * socket.
 *
 * Threads: the ring thread serves the TCMU ring (every CDB goes through
 * bridge_handle() into emu_exec()); the poke thread asks the block layer
 * to check for media events whenever the drive raises one (load, eject,
 * CLOSE, FORMAT, BLANK) so sr re-reads the capacity; the calling thread
 * sets up, answers the control socket and signals, and tears down.
 *
 * Life: discemu_run() returns after SIGTERM/SIGINT/SIGHUP or a "stop"
 * request, having removed the LUN (while still serving it), the backstore,
 * the socket and pid file, and written the disc's state.  On a failed
 * start it undoes what it made and returns the error.
 */
#ifndef DFS_DISCEMU_DAEMON_H
#define DFS_DISCEMU_DAEMON_H

#include <stdio.h>

#include "discfs.h"
#include "mmc/emu/emu.h"

struct discemu_config {
	const char *name;          /* lio_name_ok() */
	const char *image;         /* absolute path, or NULL for an empty tray */
	struct emu_options opts;
	FILE *trace;               /* per-command trace, or NULL */
	bool trace_data;           /* with the first 64 bytes of each transfer */
	FILE *log;                 /* life-cycle messages, or NULL */
	int ready_fd;              /* gets "ok SR SG\n" or "error CODE: msg\n"; -1 */
	int attach_timeout_ms;     /* for sr/sg to appear */
};

int discemu_run(const struct discemu_config *cfg, discfs_error *err);

#endif
