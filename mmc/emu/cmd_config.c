/*
 * mmc/emu/cmd_config.c - GET CONFIGURATION (RT 0 all, 1 current, 2 one),
 * with the feature set of the current profile (mmc-notes 1.4).
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

static const uint16_t all_profiles[] = {
	MMC_PROF_BD_RE, MMC_PROF_BD_R_SRM, MMC_PROF_BD_ROM,
	MMC_PROF_DVD_PLUS_R_DL, MMC_PROF_DVD_PLUS_R, MMC_PROF_DVD_PLUS_RW,
	MMC_PROF_DVD_R_DL_SEQ, MMC_PROF_DVD_RW_SEQ, MMC_PROF_DVD_RW_RO,
	MMC_PROF_DVD_RAM, MMC_PROF_DVD_R_SEQ, MMC_PROF_DVD_ROM,
	MMC_PROF_CD_RW, MMC_PROF_CD_R, MMC_PROF_CD_ROM,
};

static const uint16_t feature_codes[] = {
	0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x001D, 0x001E, 0x001F,
	0x0020, 0x0021, 0x0023, 0x0024, 0x0026, 0x002A, 0x002B, 0x002C,
	0x002D, 0x002E, 0x002F, 0x0038, 0x003B, 0x0040, 0x0041, 0x0100,
	0x0105, 0x0107, 0x0108, 0x010C,
};

struct fctx {
	struct emu_drive *d;
	uint16_t prof;   /* current profile, 0 = none */
	enum emu_family fam;
	bool present;
};

static bool is(const struct fctx *x, uint16_t a)
{
	return x->prof == a;
}

static bool any(const struct fctx *x, const uint16_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (x->prof == list[i])
			return true;
	return false;
}
#define ANY(x, ...) any(x, (const uint16_t[]){ __VA_ARGS__ }, \
			sizeof((const uint16_t[]){ __VA_ARGS__ }) / 2)

static bool feature_current(const struct fctx *x, uint16_t code)
{
	const struct emu_disc *disc = x->present ? &x->d->disc : NULL;
	switch (code) {
	case 0x0010: return x->present;
	case 0x001D: case 0x001E: return x->present && x->fam == EMU_CD;
	case 0x001F: return x->present && x->fam == EMU_DVD;
	case 0x0020:
		return (is(x, MMC_PROF_DVD_RAM) || is(x, MMC_PROF_BD_RE) ||
			is(x, MMC_PROF_CD_RW)) && disc->formatted;
	case 0x0021:
		return ANY(x, MMC_PROF_CD_R, MMC_PROF_DVD_R_SEQ,
			   MMC_PROF_DVD_R_DL_SEQ, MMC_PROF_BD_R_SRM) ||
		       (is(x, MMC_PROF_CD_RW) && !disc->formatted) ||
		       (is(x, MMC_PROF_DVD_RW_SEQ) && !disc->minimal_blanked);
	case 0x0026: /* Restricted Overwrite: CD-RW fixed packets */
		return is(x, MMC_PROF_CD_RW) && disc->formatted;
	case 0x0023:
		return ANY(x, MMC_PROF_CD_RW, MMC_PROF_DVD_PLUS_RW,
			   MMC_PROF_DVD_RW_SEQ,
			   MMC_PROF_DVD_RW_RO, MMC_PROF_DVD_RAM,
			   MMC_PROF_BD_RE) ||
		       (is(x, MMC_PROF_BD_R_SRM) &&
			emu_disc_status(disc) == DISCFS_DISC_BLANK);
	case 0x0024: return ANY(x, MMC_PROF_DVD_RAM, MMC_PROF_BD_RE);
	case 0x002A: return is(x, MMC_PROF_DVD_PLUS_RW);
	case 0x002B: return is(x, MMC_PROF_DVD_PLUS_R);
	case 0x002C: return is(x, MMC_PROF_DVD_RW_RO);
	case 0x002D: case 0x002E:
		return ANY(x, MMC_PROF_CD_R, MMC_PROF_CD_RW);
	case 0x002F:
		return ANY(x, MMC_PROF_DVD_R_SEQ, MMC_PROF_DVD_RW_SEQ,
			   MMC_PROF_DVD_R_DL_SEQ);
	case 0x0038: return is(x, MMC_PROF_BD_R_SRM) && disc->pow;
	case 0x003B: return is(x, MMC_PROF_DVD_PLUS_R_DL);
	case 0x0040: return x->present && x->fam == EMU_BD;
	case 0x0041: return ANY(x, MMC_PROF_BD_R_SRM, MMC_PROF_BD_RE);
	default: return true; /* 0000-0003, 0100, 0105, 0107, 0108, 010C */
	}
}

/* Feature-specific bytes after the 4-byte header; returns their count. */
static uint8_t feature_data(const struct fctx *x, uint16_t code, uint8_t *p)
{
	uint8_t n = 0;
	switch (code) {
	case 0x0000:
		for (size_t i = 0; i < sizeof(all_profiles) / 2; i++, n += 4) {
			put_be16(p + n, all_profiles[i]);
			p[n + 2] = x->prof == all_profiles[i];
		}
		return n;
	case 0x0001: put_be32(p, 1); p[4] = 0x01; return 8; /* SCSI, DBE */
	case 0x0002: p[0] = 0x02; return 4;                  /* OCEvent */
	case 0x0003: p[0] = 0x39; return 4;  /* tray, load, eject, lock */
	case 0x0010:
	case 0x0020: {
		uint32_t last = 0;
		if (x->present) {
			bool any_rec;
			last = emu_last_recorded(&x->d->disc, &any_rec);
		}
		uint32_t blocking = 1;
		if (x->present) { /* fixed packets: the packet is the unit */
			blocking = emu_fixed_packet(&x->d->disc);
			if (!blocking)
				blocking = x->d->disc.media->ecc;
		}
		if (code == 0x0010) {
			put_be32(p, EMU_BLOCK);
			put_be16(p + 4, (uint16_t)blocking);
			p[6] = 1;
			return 8;
		}
		put_be32(p, last);
		put_be32(p + 4, EMU_BLOCK);
		put_be16(p + 8, (uint16_t)blocking);
		p[10] = 1;
		return 12;
	}
	case 0x001E: p[0] = 0x00; return 4;
	case 0x001F: p[0] = 0x01; return 4;
	case 0x0021:
		put_be16(p, 1u << 8 | 1u << 10); /* Mode 1, Mode 2 Form 1 */
		p[2] = 0x03; /* ARSV, BUF */
		p[3] = 1;    /* one link size */
		p[4] = x->fam == EMU_CD ? 7 : 16;
		return 8;
	case 0x0023: p[0] = 0x00; p[4] = 0; return 8;
	case 0x0024: p[0] = 0x80; return 4;
	case 0x002A: case 0x002B: case 0x003B: p[0] = 0x01; return 4;
	case 0x002C: p[0] = 0x01; return 4;
	case 0x002D: p[0] = 0x46; put_be16(p + 2, 1u << 8); return 4;
	case 0x002E: p[0] = 0x66; put_be24(p + 1, 0x10000); return 4;
	case 0x002F: p[0] = 0x4E; return 4;
	case 0x0038: return 4; /* reserved bytes: growisofs wants length >= 12 */
	case 0x0040: case 0x0041: return 0;
	case 0x0105: p[0] = 0x01; put_be16(p + 2, 512); return 4;
	case 0x0107: p[0] = 0x1F; return 4;
	case 0x0108: memcpy(p, "EMU00000001\0", 12); return 12;
	case 0x010C: memcpy(p, "20260101000000\0\0", 16); return 16;
	default: return 0; /* 0100: no data */
	}
}

/* Appends feature code; returns the new length. */
static uint32_t put_feature(const struct fctx *x, uint16_t code, uint8_t *b,
			    uint32_t n)
{
	uint8_t *p = b + n;
	bool cur = feature_current(x, code);
	bool persistent = code <= 0x0003 || code >= 0x0100;
	uint8_t version = code == 0x0001 ? 2 : code == 0x0107 ? 4 : 0;
	put_be16(p, code);
	p[2] = (uint8_t)(version << 2 | (persistent ? 2 : 0) | (cur ? 1 : 0));
	p[3] = feature_data(x, code, p + 4);
	return n + 4 + p[3];
}

void emu_cmd_get_config(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint8_t rt = c[1] & 0x03;
	uint16_t sfn = get_be16(c + 2);
	uint8_t b[1024];
	if (rt == 3) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	struct fctx x = { .d = d };
	x.present = d->has_disc && !d->tray_open;
	x.prof = x.present ? d->disc.profile : 0;
	x.fam = x.present ? d->disc.media->family : EMU_CD;
	uint32_t n = 8;
	memset(b, 0, sizeof(b));
	for (size_t i = 0; i < sizeof(feature_codes) / 2; i++) {
		uint16_t code = feature_codes[i];
		if (rt == 2 ? code != sfn : code < sfn)
			continue;
		if (rt == 1 && !feature_current(&x, code))
			continue;
		n = put_feature(&x, code, b, n);
	}
	put_be32(b, n - 4);
	put_be16(b + 6, x.prof);
	emu_reply(cmd, b, n, get_be16(c + 7));
}
