/*
 * mmc/cdb_int.h - what the CDB builder files share (private to mmc/cdb_*.c).
 */
#ifndef DFS_MMC_CDB_INT_H
#define DFS_MMC_CDB_INT_H

#include <string.h>

#include "mmc/cdb.h"

/* Clears c and fills the parts every builder sets; a zero length means no
 * data phase whatever dir says. */
static inline void cdb_setup(struct mmc_cmd *c, uint8_t op, uint8_t cdb_len,
			     enum mmc_dir dir, void *buf, uint32_t len,
			     uint32_t tmo)
{
	memset(c, 0, sizeof(*c));
	c->cdb[0] = op;
	c->cdb_len = cdb_len;
	c->dir = len ? dir : MMC_DIR_NONE;
	c->buf = len ? buf : NULL;
	c->len = len;
	c->timeout_ms = tmo;
}

#endif
