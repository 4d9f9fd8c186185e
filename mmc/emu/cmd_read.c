/*
 * mmc/emu/cmd_read.c - READ(10/12) and VERIFY(10).  Only recorded blocks
 * are readable: never-written blocks of sequential media (and anything
 * beyond the formatted area of random media) fail with 5/21/00, as the
 * drives tgt imitates do; injected unreadable sectors fail with 3/11/00.
 */
#include <stdlib.h>
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

/* Common checks; true when [lba, lba+n) may be read. */
static bool readable(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t lba,
		     uint32_t n)
{
	if (!emu_range_recorded(&d->disc, lba, n)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	if (emu_fault_unreadable(&d->disc, lba, n)) {
		emu_sense(cmd, SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ);
		return false;
	}
	return true;
}

void emu_cmd_read(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint32_t lba = get_be32(c + 2);
	uint32_t n = c[0] == MMC_READ12 ? get_be32(c + 6) : get_be16(c + 7);
	if (!n) {
		emu_good(cmd);
		return;
	}
	if (!readable(d, cmd, lba, n))
		return;
	uint32_t fit = cmd->dir == MMC_DIR_IN && cmd->buf ? cmd->len / EMU_BLOCK
							  : 0;
	if (fit > n)
		fit = n;
	if (fit && emu_image_read(&d->disc, lba, cmd->buf, fit) < 0) {
		emu_sense(cmd, SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ);
		return;
	}
	emu_good(cmd);
	cmd->resid = cmd->len - fit * EMU_BLOCK;
}

/* BytChk=1: compare the host's data with the medium. */
static bool compare(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t lba,
		    uint32_t n)
{
	uint8_t *tmp = malloc(64 * EMU_BLOCK);
	const uint8_t *want = cmd->buf;
	bool same = tmp != NULL;
	for (uint32_t done = 0; same && done < n;) {
		uint32_t k = n - done < 64 ? n - done : 64;
		same = emu_image_read(&d->disc, lba + done, tmp, k) == 0 &&
		       !memcmp(tmp, want + (size_t)done * EMU_BLOCK,
			       (size_t)k * EMU_BLOCK);
		done += k;
	}
	free(tmp);
	return same;
}

void emu_cmd_verify(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint32_t lba = get_be32(c + 2), n = get_be16(c + 7);
	bool bytchk = c[1] & 0x02;
	if (n && !readable(d, cmd, lba, n))
		return;
	if (n && bytchk) {
		if (cmd->dir != MMC_DIR_OUT || !cmd->buf ||
		    (uint64_t)cmd->len < (uint64_t)n * EMU_BLOCK) {
			emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
			return;
		}
		if (!compare(d, cmd, lba, n)) {
			emu_sense(cmd, SK_MISCOMPARE, ASC_MISCOMPARE);
			return;
		}
	}
	emu_good(cmd);
}
