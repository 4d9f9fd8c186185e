/*
 * mmc/emu/cmd_mode.c - MODE SENSE(10) and MODE SELECT(10) for pages 01h
 * (error recovery), 05h (write parameters) and 2Ah (capabilities).
 * No block descriptors.  Page 05h is validated per medium: CD takes write
 * types TAO/SAO with block types 8 (Mode 1) and 10 (Mode 2 Form 1) only;
 * DVD-R/-RW and DVD+R take incremental (0) and DAO (2); other media accept
 * and ignore it.  Unsupported combinations get 5/26/00.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

static uint32_t page01(uint8_t *p, uint8_t pc)
{
	memset(p, 0, 12);
	p[0] = MMC_PAGE_ERROR_RECOVERY;
	p[1] = 0x0A;
	if (pc != 1) {
		p[2] = 0x80; /* AWRE */
		p[3] = 0x20; /* read retries */
		p[8] = 0x20; /* write retries */
	}
	return 12;
}

static uint32_t page05(struct emu_drive *d, uint8_t *p, uint8_t pc)
{
	if (pc == 1) { /* changeable: every field we honour */
		memset(p, 0, 52);
		p[0] = MMC_PAGE_WRITE_PARAMS;
		p[1] = 0x32;
		p[2] = 0x5F;
		p[3] = 0xCF;
		p[4] = 0x0F;
		p[5] = 0xFF;
		memset(p + 8, 0xFF, 8);
		return 52;
	}
	memcpy(p, d->page05, 52);
	p[0] &= 0x3F;
	return 52;
}

static uint32_t page2a(struct emu_drive *d, uint8_t *p, uint8_t pc)
{
	const struct emu_media *m = d->has_disc ? d->disc.media : NULL;
	uint32_t n = 0;
	uint8_t speeds[8] = { 0 };
	for (; m && n < 8 && m->speeds[n]; n++)
		speeds[n] = m->speeds[n];
	uint32_t len = 32 + 4 * n;
	memset(p, 0, len);
	p[0] = MMC_PAGE_CAPABILITIES;
	p[1] = (uint8_t)(len - 2);
	if (pc == 1)
		return len;
	p[2] = 0x3B;   /* reads DVD-RAM, -R, -ROM, CD-RW, CD-R */
	p[3] = 0x37;   /* writes DVD-RAM, -R, test write, CD-RW, CD-R */
	p[4] = 0xF0;   /* BUF, multisession, Mode 2 Form 1/2 */
	p[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0));
	uint32_t cur = emu_speed_kbps(d), max = m && n
		? emu_family_kbps(m->family, speeds[0]) : 0;
	put_be16(p + 8, (uint16_t)(max > 0xFFFF ? 0xFFFF : max));
	put_be16(p + 12, (uint16_t)(d->opt.buffer_bytes / 1024 > 0xFFFF
					    ? 0xFFFF : d->opt.buffer_bytes / 1024));
	put_be16(p + 14, (uint16_t)(max > 0xFFFF ? 0xFFFF : max));
	put_be16(p + 18, (uint16_t)(max > 0xFFFF ? 0xFFFF : max));
	put_be16(p + 20, (uint16_t)(cur > 0xFFFF ? 0xFFFF : cur));
	put_be16(p + 28, (uint16_t)(cur > 0xFFFF ? 0xFFFF : cur));
	put_be16(p + 30, (uint16_t)n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = emu_family_kbps(m->family, speeds[i]);
		put_be16(p + 32 + 4 * i + 2, (uint16_t)(k > 0xFFFF ? 0xFFFF : k));
	}
	return len;
}

void emu_cmd_mode_sense(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint8_t pc = c[2] >> 6, page = c[2] & 0x3F;
	uint8_t b[8 + 12 + 52 + 64];
	uint32_t n = 8;
	if (pc == 3) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED);
		return;
	}
	memset(b, 0, 8);
	if (page == MMC_PAGE_ERROR_RECOVERY || page == 0x3F)
		n += page01(b + n, pc);
	if (page == MMC_PAGE_WRITE_PARAMS || page == 0x3F)
		n += page05(d, b + n, pc);
	if (page == MMC_PAGE_CAPABILITIES || page == 0x3F)
		n += page2a(d, b + n, pc);
	if (n == 8) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	put_be16(b, (uint16_t)(n - 2));
	emu_reply(cmd, b, n, get_be16(c + 7));
}

/* Is this page 05h acceptable for the medium now in the drive? */
static bool page05_ok(const struct emu_drive *d, const uint8_t *p)
{
	uint8_t wt = p[2] & 0x0F, dbt = p[4] & 0x0F;
	if (!d->has_disc)
		return wt <= MMC_WT_SAO;
	/* fixed-packet CD-RW: packet writing with FP=1 and its packet size */
	if (d->disc.profile == MMC_PROF_CD_RW && d->disc.formatted &&
	    wt == MMC_WT_PACKET)
		return (p[3] & 0x20) && get_be32(p + 10) == EMU_CD_PACKET;
	switch (d->disc.profile) {
	case MMC_PROF_CD_R: case MMC_PROF_CD_RW:
		return (wt == MMC_WT_TAO || wt == MMC_WT_SAO) &&
		       (dbt == 8 || dbt == 10 || wt == MMC_WT_SAO);
	case MMC_PROF_DVD_R_SEQ: case MMC_PROF_DVD_RW_SEQ:
	case MMC_PROF_DVD_R_DL_SEQ: case MMC_PROF_DVD_PLUS_R:
	case MMC_PROF_DVD_PLUS_R_DL:
		return wt == MMC_WT_PACKET || wt == MMC_WT_SAO;
	default:
		return wt <= MMC_WT_SAO;
	}
}

void emu_cmd_mode_select(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	const uint8_t *b = cmd->buf;
	uint32_t len = get_be16(c + 7);
	if (!(c[1] & 0x10) || (c[1] & 0x01)) { /* PF=1, SP=0 */
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (len < 8 || cmd->dir != MMC_DIR_OUT || !b || cmd->len < len) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
		return;
	}
	uint32_t off = 8 + get_be16(b + 6); /* skip block descriptors */
	while (off + 2 <= len) {
		const uint8_t *p = b + off;
		uint32_t plen = 2u + p[1];
		if (off + plen > len) {
			emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
			return;
		}
		uint8_t code = p[0] & 0x3F;
		if (code == MMC_PAGE_WRITE_PARAMS) {
			if (plen < 16 || !page05_ok(d, p)) {
				emu_sense(cmd, SK_ILLEGAL_REQUEST,
					  ASC_INVALID_FIELD_PARAM);
				return;
			}
			uint32_t k = plen < 52 ? plen : 52;
			memcpy(d->page05, p, k);
			d->page05[0] = MMC_PAGE_WRITE_PARAMS;
			d->page05[1] = 0x32;
			/* BUFE matters on CD; DVD/BD drives always link */
			if (d->has_disc && d->disc.media->family == EMU_CD)
				d->underrun_protection = p[2] & 0x40;
		} else if (code != MMC_PAGE_ERROR_RECOVERY &&
			   code != MMC_PAGE_CAPABILITIES) {
			emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
			return;
		}
		off += plen;
	}
	emu_good(cmd);
}
