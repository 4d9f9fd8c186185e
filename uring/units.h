/*
 * uring/units.h - how a burn is cut into WRITE commands.
 *
 * Each medium has a physical write unit (mmc-notes §2.1): DVD 32 KiB ECC
 * blocks (16 blocks), BD 64 KiB clusters (32 blocks), CD one sector (or the
 * fixed packet of a packet-written track).  A burn writes whole units: every
 * WRITE starts on a unit boundary and carries a whole number of units, the
 * last one padded with zeros.  A WRITE never exceeds the device's maximum
 * transfer (64 KiB unless the caller knows better, as Linux's sr limit).
 */
#ifndef DFS_URING_UNITS_H
#define DFS_URING_UNITS_H

#include <stdint.h>

#include "discfs.h"

#define DFS_DEFAULT_MAX_XFER (64u * 1024u)

struct dfs_write_units {
	uint32_t unit_blocks;  /* alignment and padding unit */
	uint32_t chunk_blocks; /* blocks per WRITE: multiple of unit_blocks */
};

/* Unit of a profile (CD: 1, or packet_blocks when a fixed packet is set). */
uint32_t dfs_profile_unit_blocks(uint16_t profile, uint32_t packet_blocks);

/*
 * Chooses unit and chunk for profile within max_xfer bytes (0 = default).
 * Fails (EINVAL) when max_xfer cannot hold one unit.
 */
int dfs_write_units_for(uint16_t profile, uint32_t packet_blocks,
			uint32_t max_xfer, struct dfs_write_units *out,
			discfs_error *err);

/* n rounded up to a multiple of unit (unit > 0). */
static inline uint64_t dfs_round_up(uint64_t n, uint32_t unit)
{
	return (n + unit - 1) / unit * unit;
}

#endif
