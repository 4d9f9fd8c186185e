/*
 * mmc/emu/cmd_structure.c - READ DISC STRUCTURE (mmc-notes 1.10).
 * DVD (media type 0): 00h/10h physical format, 01h copyright, 04h
 * manufacturing, 0Eh (DVD-R) pre-recorded info, 11h ADIP (DVD+),
 * 20h DVD+R DL layer boundary, C0h write protection, FFh list.
 * BD (media type 1): 00h disc information, 0Ah spare area (formatted
 * media; 3/31/00 otherwise), FFh list.
 * SEND DISC STRUCTURE: only 20h (DVD+R DL layer break on a blank disc).
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

#define DS_MAX (4 + 2048)

struct ds_format {
	uint8_t code;
	uint16_t len; /* data bytes after the 4-byte header */
};

static const struct ds_format dvd_formats[] = {
	{ 0x00, 2048 }, { 0x01, 4 }, { 0x04, 2048 }, { 0x0E, 64 },
	{ 0x10, 2048 }, { 0x11, 256 }, { 0x20, 8 }, { 0xC0, 4 },
};
static const struct ds_format bd_formats[] = {
	{ 0x00, 112 }, { 0x0A, 12 },
};

static bool dvd_has(const struct emu_disc *disc, uint8_t code)
{
	uint16_t p = disc->profile;
	bool plus = p == MMC_PROF_DVD_PLUS_R || p == MMC_PROF_DVD_PLUS_R_DL ||
		    p == MMC_PROF_DVD_PLUS_RW;
	switch (code) {
	case 0x0E: return p == MMC_PROF_DVD_R_SEQ || p == MMC_PROF_DVD_R_DL_SEQ ||
			  p == MMC_PROF_DVD_RW_SEQ || p == MMC_PROF_DVD_RW_RO;
	case 0x11: return plus;
	case 0x20: return p == MMC_PROF_DVD_PLUS_R_DL;
	default: return true;
	}
}

static void pfi(const struct emu_disc *disc, uint8_t *p)
{
	bool dl = disc->media->flags & EMU_M_DL;
	uint32_t start = 0x030000, cap = (uint32_t)disc->capacity;
	p[0] = (uint8_t)(disc->media->book_type << 4 | 0x01);
	p[1] = 0x02; /* 120 mm, 10.08 Mbit/s */
	p[2] = (uint8_t)((dl ? 0x20 : 0) |
			 (emu_is_rom(disc) ? 0x01
			  : (disc->media->flags & EMU_M_ERASABLE) ? 0x04 : 0x02));
	p[3] = 0x10;
	put_be32(p + 4, start);
	put_be32(p + 8, start + cap - 1);
	put_be32(p + 12, dl ? start + cap / 2 - 1 : 0);
}

static int dvd_fill(const struct emu_drive *d, uint8_t code, uint8_t *p)
{
	const struct emu_disc *disc = &d->disc;
	switch (code) {
	case 0x00: case 0x10: pfi(disc, p); break;
	case 0x0E: memcpy(p + 17, "DISCFSEM", 8); break;
	case 0x11: memcpy(p + 19, "DISCFS\0\0EMU", 11); break;
	case 0x20:
		p[0] = d->l0_capacity ? 0x80 : 0x00; /* L0 capacity fixed */
		put_be32(p + 4, d->l0_capacity ? d->l0_capacity
					       : (uint32_t)disc->capacity / 2);
		break;
	case 0xC0: p[0] = emu_is_rom(disc) ? 0x02 : 0; break;
	default: break; /* 01h, 04h: zeros (no copy protection) */
	}
	return 0;
}

static int bd_fill(const struct emu_disc *disc, uint8_t code, uint8_t *p)
{
	if (code == 0x00) {
		p[0] = 'D'; p[1] = 'I';
		p[2] = 0x01; p[3] = 0x01; p[6] = 0x70;
		const char *t = disc->profile == MMC_PROF_BD_RE ? "BDW"
				: disc->profile == MMC_PROF_BD_R_SRM ? "BDR" : "BDO";
		memcpy(p + 8, t, 3);
		memcpy(p + 100, "DISCFS", 6);
		memcpy(p + 106, "EMU", 3);
		return 0;
	}
	/* 0Ah spare area information */
	if (!disc->formatted || !(disc->profile == MMC_PROF_BD_RE ||
				  disc->profile == MMC_PROF_BD_R_SRM))
		return -1;
	uint32_t spare = (uint32_t)(disc->capacity - disc->formatted);
	put_be32(p + 4, spare);
	put_be32(p + 8, spare);
	return 0;
}

static uint32_t list(const struct ds_format *f, size_t n,
		     const struct emu_disc *disc, bool dvd, uint8_t *p)
{
	uint32_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (dvd && !dvd_has(disc, f[i].code))
			continue;
		p[len] = f[i].code;
		p[len + 1] = 0x40; /* readable */
		put_be16(p + len + 2, (uint16_t)(f[i].len + 4));
		len += 4;
	}
	p[len] = 0xFF;
	p[len + 1] = 0x40;
	put_be16(p + len + 2, (uint16_t)(len + 8));
	return len + 4;
}

void emu_cmd_read_structure(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	const struct emu_disc *disc = &d->disc;
	uint8_t media = c[1] & 0x0F, code = c[7];
	bool dvd = media == 0;
	const struct ds_format *f = dvd ? dvd_formats : bd_formats;
	size_t nf = dvd ? sizeof(dvd_formats) / sizeof(dvd_formats[0])
			: sizeof(bd_formats) / sizeof(bd_formats[0]);
	uint8_t b[DS_MAX];
	uint32_t len = 0;
	if (media > 1 || (dvd && disc->media->family != EMU_DVD) ||
	    (!dvd && disc->media->family != EMU_BD)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (dvd && code == 0x11 && emu_quirk(d, EMU_Q_ADIP_REFUSED)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	memset(b, 0, sizeof(b));
	if (code == 0xFF) {
		len = list(f, nf, disc, dvd, b + 4);
	} else {
		for (size_t i = 0; i < nf && !len; i++)
			if (f[i].code == code && (!dvd || dvd_has(disc, code)))
				len = f[i].len;
		if (!len) {
			emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
			return;
		}
		if ((dvd ? dvd_fill(d, code, b + 4)
			 : bd_fill(disc, code, b + 4)) < 0) {
			emu_sense(cmd, SK_MEDIUM_ERROR, ASC_FORMAT_CORRUPTED);
			return;
		}
	}
	put_be16(b, (uint16_t)(len + 2));
	emu_reply(cmd, b, len + 4, get_be16(c + 8));
}

void emu_cmd_send_structure(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	const uint8_t *p = cmd->buf;
	uint32_t len = get_be16(c + 8);
	if (!emu_check_writable(d, cmd))
		return;
	if ((c[1] & 0x0F) != 0 || c[7] != 0x20 ||
	    d->disc.profile != MMC_PROF_DVD_PLUS_R_DL) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (len < 12 || cmd->dir != MMC_DIR_OUT || !p || cmd->len < 12) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
		return;
	}
	uint32_t l0 = get_be32(p + 8);
	if (emu_disc_status(&d->disc) != DISCFS_DISC_BLANK) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
		return;
	}
	if (!l0 || l0 % 16 || l0 > d->disc.capacity / 2) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
		return;
	}
	d->l0_capacity = l0;
	emu_good(cmd);
}
