/*
 * mmc/emu/sense.c - how the drive answers: fixed-format (70h) sense data,
 * CHECK CONDITION, and data-in replies under the allocation-length rule.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"

void emu_fill_sense(uint8_t *s, uint8_t key, uint16_t ascq, bool sksv,
		    uint16_t progress)
{
	memset(s, 0, 18);
	s[0] = 0x70;
	s[2] = key & 0x0F;
	s[7] = 10; /* additional sense length */
	s[12] = (uint8_t)(ascq >> 8);
	s[13] = (uint8_t)ascq;
	if (sksv) {
		s[15] = 0x80;
		s[16] = (uint8_t)(progress >> 8);
		s[17] = (uint8_t)progress;
	}
}

void emu_sense_progress(struct mmc_cmd *cmd, uint8_t key, uint16_t ascq,
			uint16_t progress)
{
	cmd->status = MMC_STATUS_CHECK;
	emu_fill_sense(cmd->sense, key, ascq, true, progress);
	cmd->sense_len = 18;
	cmd->resid = cmd->len;
}

void emu_sense(struct mmc_cmd *cmd, uint8_t key, uint16_t ascq)
{
	cmd->status = MMC_STATUS_CHECK;
	emu_fill_sense(cmd->sense, key, ascq, false, 0);
	cmd->sense_len = 18;
	cmd->resid = cmd->len;
}

void emu_good(struct mmc_cmd *cmd)
{
	cmd->status = MMC_STATUS_GOOD;
	cmd->sense_len = 0;
	cmd->resid = cmd->len;
}

void emu_reply(struct mmc_cmd *cmd, const void *data, uint32_t avail,
	       uint32_t alloc)
{
	uint32_t n = avail < alloc ? avail : alloc;
	if (cmd->dir != MMC_DIR_IN || !cmd->buf)
		n = 0;
	if (n > cmd->len)
		n = cmd->len;
	if (n)
		memcpy(cmd->buf, data, n);
	cmd->status = MMC_STATUS_GOOD;
	cmd->sense_len = 0;
	cmd->resid = cmd->len - n;
}
