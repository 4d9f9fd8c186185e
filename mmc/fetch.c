/* mmc/fetch.c - mmc_fetch(): the two-pass allocation-length fetch (see
 * exec.h). */
#include "mmc/exec.h"

#include <stdlib.h>
#include <string.h>

#include "mmc/cdb.h"
#include "mmc/mmc_defs.h"
#include "util/bytes.h"
#include "util/err.h"

/* Header bytes needed to learn the full length, per opcode. */
static uint32_t header_len(uint8_t op)
{
	switch (op) {
	case MMC_INQUIRY: return 5;
	case MMC_READ_FORMAT_CAPACITIES: return 4;
	case MMC_GET_CONFIGURATION: return 8;
	case MMC_GET_PERFORMANCE: return 8;
	case MMC_MECHANISM_STATUS: return 8;
	case MMC_GET_EVENT_STATUS: return 4;
	default: return 4;
	}
}

uint32_t mmc_response_length(uint8_t op, const uint8_t *h, size_t n)
{
	switch (op) {
	case MMC_INQUIRY:
		return n >= 5 ? 5u + h[4] : 0;
	case MMC_READ_FORMAT_CAPACITIES:
		return n >= 4 ? 4u + h[3] : 0;
	case MMC_GET_CONFIGURATION:
	case MMC_GET_PERFORMANCE:
		return n >= 4 ? (uint32_t)(get_be32(h) > 0xFFFFFFF0u
					   ? 0xFFFFFFFFu : get_be32(h) + 4u)
			      : 0;
	case MMC_GET_EVENT_STATUS:
		return n >= 2 ? 4u + get_be16(h) : 0;
	case MMC_MECHANISM_STATUS:
		return n >= 8 ? 8u + get_be16(h + 6) : 0;
	case MMC_MODE_SENSE10:
	case MMC_READ_DISC_INFO:
	case MMC_READ_TRACK_INFO:
	case MMC_READ_TOC:
	case MMC_READ_BUFFER_CAPACITY:
	case MMC_READ_DISC_STRUCTURE:
		return n >= 2 ? 2u + get_be16(h) : 0;
	default:
		return 0;
	}
}

/* GET CONFIGURATION's and GET PERFORMANCE's alloc fields are 16 bits
 * (GET PERFORMANCE counts descriptors): the most one request can ask. */
static uint32_t max_alloc(uint8_t op)
{
	if (op == MMC_INQUIRY)
		return 0xFF;
	if (op == MMC_GET_PERFORMANCE)
		return 8u + 16u * 4095u;
	return 0xFFFF;
}

int mmc_fetch(struct mmc_transport *t, struct mmc_cmd *cmd, uint32_t max_len,
	      uint8_t **out, size_t *out_len, discfs_error *err)
{
	uint8_t op = cmd->cdb[0];
	uint32_t hl = header_len(op), full, got;
	uint8_t hdr[8], *buf;
	int rc;

	*out = NULL;
	*out_len = 0;
	memset(hdr, 0, sizeof(hdr));
	if (!mmc_cmd_set_alloc(cmd, hdr, hl))
		return dfs_fail(err, DISCFS_EINVAL, "%s: no allocation length",
				mmc_op_name(op));
	rc = mmc_run(t, cmd, err);
	if (rc)
		return rc;
	got = mmc_cmd_received(cmd);
	full = mmc_response_length(op, hdr, got);
	if (full == 0)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: response header of %u bytes is too short",
				mmc_op_name(op), got);
	if (full > max_len || full > max_alloc(op))
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: response of %u bytes exceeds the limit %u",
				mmc_op_name(op), full,
				max_len < max_alloc(op) ? max_len
							: max_alloc(op));
	buf = calloc(1, full > hl ? full : hl);
	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (full <= hl) {
		memcpy(buf, hdr, got < full ? got : full);
		*out = buf;
		*out_len = got < full ? got : full;
		return 0;
	}
	mmc_cmd_set_alloc(cmd, buf, full);
	rc = mmc_run(t, cmd, err);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = mmc_cmd_received(cmd);
	return 0;
}
