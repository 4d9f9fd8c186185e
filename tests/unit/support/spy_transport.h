/*
 * tests/unit/support/spy_transport.h - a spy wrapped around an open
 * drive's transport: every command sent (synchronously or queued for the
 * io_uring engine) is recorded, in order, before it goes to the real
 * transport.  One spy at a time (tests run one drive each).
 */
#ifndef DFS_TEST_SPY_TRANSPORT_H
#define DFS_TEST_SPY_TRANSPORT_H

#include <stdint.h>

#include "discfs.h"

#define SPY_MAX 65536

struct spy_log {
	uint32_t n;                 /* commands seen (up to SPY_MAX kept) */
	uint8_t op[SPY_MAX];        /* opcode of each */
	uint8_t arg[SPY_MAX];       /* PREVENT ALLOW: cdb[4]; else 0 */
	uint32_t max_write_blocks;  /* largest WRITE(10) transfer length */
	uint32_t max_read_blocks;   /* largest READ(10) transfer length */
	uint32_t writes;
	/* set after spy_attach: commands with this opcode reach the drive
	 * twice, the first answer lost (a lower layer's redelivery) */
	int twice_op;               /* -1 (spy_attach's default): none */
};

/* Wraps d's transport; log is cleared and filled from now on. */
void spy_attach(discfs_drive *d, struct spy_log *log);

/* Index of the first / last command with opcode op (and, when arg >= 0,
 * that cdb[4] value), -1 when none. */
long spy_first(const struct spy_log *log, uint8_t op, int arg);
long spy_last(const struct spy_log *log, uint8_t op, int arg);

#endif
