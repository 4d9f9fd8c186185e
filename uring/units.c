/* uring/units.c - see units.h */
#include "uring/units.h"

#include "mmc/mmc_defs.h"
#include "util/err.h"

uint32_t dfs_profile_unit_blocks(uint16_t profile, uint32_t packet_blocks)
{
	switch (profile) {
	case MMC_PROF_CD_R:
	case MMC_PROF_CD_RW:
	case MMC_PROF_CD_ROM:
		return packet_blocks ? packet_blocks : 1;
	case MMC_PROF_BD_ROM:
	case MMC_PROF_BD_R_SRM:
	case MMC_PROF_BD_R_RRM:
	case MMC_PROF_BD_RE:
		return 32;
	default:
		/* Every DVD profile records 32 KiB ECC blocks. */
		return 16;
	}
}

int dfs_write_units_for(uint16_t profile, uint32_t packet_blocks,
			uint32_t max_xfer, struct dfs_write_units *out,
			discfs_error *err)
{
	uint32_t unit = dfs_profile_unit_blocks(profile, packet_blocks);
	uint32_t max_blocks;

	if (!max_xfer)
		max_xfer = DFS_DEFAULT_MAX_XFER;
	max_blocks = max_xfer / DISCFS_BLOCK_SIZE;
	if (max_blocks < unit)
		return dfs_fail(err, DISCFS_EINVAL,
				"maximum transfer %u bytes is below the %u-byte "
				"write unit of profile %04Xh", max_xfer,
				unit * DISCFS_BLOCK_SIZE, profile);
	out->unit_blocks = unit;
	out->chunk_blocks = max_blocks / unit * unit;
	return 0;
}
