/*
 * uring/verdict.h - what the engine does with a finished WRITE.
 *
 * Built on mmc/sense.h: done, retry after the buffer has drained, a write
 * refused only because an earlier one was (5/21/02), a unit attention, lost
 * on the way (the port never got an answer), or fatal.  RECOVERED ERROR
 * (key 1) counts as done.
 */
#ifndef DFS_URING_VERDICT_H
#define DFS_URING_VERDICT_H

#include <stdint.h>

#include "discfs.h"
#include "mmc/transport.h"

/* cmd->status a port stores when a command never came back (uring/port.c) */
#define DFS_STATUS_LOST 0xFFu

enum dfs_verdict {
	DFS_V_OK = 0,
	DFS_V_BUSY,        /* 2/04/08, 2/04/07, 2/04/04, 2/04/01, BUSY, B/xx */
	DFS_V_BAD_ADDRESS, /* 5/21/02: fatal unless behind a busy write */
	DFS_V_ATTENTION,   /* key 6: medium changed, reset */
	DFS_V_LOST,        /* the device did not answer */
	DFS_V_FATAL,
};

enum dfs_verdict dfs_verdict_of(const struct mmc_cmd *c);

/* Fills err from a failed command: "WHAT: decoded sense (K/ASC/ASCQ)",
 * with the sense bytes recorded; returns -code. */
int dfs_fail_cmd(discfs_error *err, const struct mmc_cmd *c, const char *what);

#endif
