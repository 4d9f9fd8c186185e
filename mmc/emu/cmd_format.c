/*
 * mmc/emu/cmd_format.c - READ FORMAT CAPACITIES and FORMAT UNIT
 * (mmc-notes 1.6, 2.5-2.8).  Formats offered per profile:
 *   DVD+RW 26h (background: TUR stays GOOD, BG status 10b then 11b);
 *   DVD-RW 00h/10h/15h (-> Restricted Overwrite, whole capacity), 13h no-op
 *   on RO; DVD-RAM 00h/01h; BD-RE 00h/30h/31h; BD-R (blank) 00h/32h with
 *   subtype 00 (SRM+POW) or 01 (SRM); CD-RW 10h with packet size 32 (fixed
 *   packets: random-writable in whole packets, profile stays 000Ah).
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

#define SEC 1000000000ull

struct fdesc {
	uint32_t blocks;
	uint8_t type, subtype;
	uint32_t param;
};

static uint32_t spare_default(const struct emu_disc *disc)
{
	return (uint32_t)(disc->capacity - disc->capacity / 32) / 32 * 32;
}

/* Offered descriptors; returns their count. */
static unsigned offered(const struct emu_disc *disc, struct fdesc *f)
{
	uint32_t cap = (uint32_t)disc->capacity;
	unsigned n = 0;
	switch (disc->profile) {
	case MMC_PROF_CD_RW:
		f[n++] = (struct fdesc){ emu_cd_packet_capacity(disc->capacity),
					 0x10, 0, EMU_CD_PACKET };
		break;
	case MMC_PROF_DVD_PLUS_RW:
		f[n++] = (struct fdesc){ cap, 0x26, 0, 0 };
		break;
	case MMC_PROF_DVD_RW_SEQ: case MMC_PROF_DVD_RW_RO:
		f[n++] = (struct fdesc){ cap, 0x00, 0, 16 };
		f[n++] = (struct fdesc){ cap, 0x10, 0, 16 };
		f[n++] = (struct fdesc){ cap, 0x15, 0, 16 };
		break;
	case MMC_PROF_DVD_RAM:
		f[n++] = (struct fdesc){ cap, 0x00, 0, 0 };
		f[n++] = (struct fdesc){ cap, 0x01, 0, 0 };
		break;
	case MMC_PROF_BD_RE:
		f[n++] = (struct fdesc){ spare_default(disc), 0x00, 0,
					 cap - spare_default(disc) };
		f[n++] = (struct fdesc){ spare_default(disc), 0x30, 0,
					 cap - spare_default(disc) };
		f[n++] = (struct fdesc){ cap, 0x31, 0, 0 };
		break;
	case MMC_PROF_BD_R_SRM:
		if (emu_disc_status(disc) != DISCFS_DISC_BLANK || disc->formatted)
			break;
		f[n++] = (struct fdesc){ spare_default(disc), 0x00, 0,
					 cap - spare_default(disc) };
		f[n++] = (struct fdesc){ spare_default(disc), 0x32, 0,
					 cap - spare_default(disc) };
		break;
	default:
		break;
	}
	return n;
}

void emu_cmd_read_format_caps(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const struct emu_disc *disc = &d->disc;
	struct fdesc f[4];
	uint8_t b[4 + 8 * 5] = { 0 };
	unsigned n = offered(disc, f);
	uint32_t cur = (uint32_t)disc->capacity;
	uint8_t cur_type = 2; /* formatted */
	if (emu_is_random(disc) || disc->profile == MMC_PROF_BD_R_SRM) {
		if (disc->formatted)
			cur = (uint32_t)disc->formatted;
		else if (emu_disc_status(disc) == DISCFS_DISC_BLANK)
			cur_type = 1;
	} else if (emu_is_seq(disc) &&
		   emu_disc_status(disc) == DISCFS_DISC_BLANK) {
		cur_type = 1;
	}
	b[3] = (uint8_t)(8 * (n + 1));
	put_be32(b + 4, cur);
	b[8] = cur_type;
	put_be24(b + 9, EMU_BLOCK);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = b + 12 + 8 * i;
		put_be32(p, f[i].blocks);
		p[4] = (uint8_t)(f[i].type << 2 | f[i].subtype);
		put_be24(p + 5, f[i].param);
	}
	emu_reply(cmd, b, 4 + b[3], get_be16(cmd->cdb + 7));
}

static void erase_all(struct emu_disc *disc)
{
	emu_image_erase(disc);
	disc->n_tracks = 0;
	disc->sessions_closed = 0;
	disc->next_start = 0;
	disc->finalized = false;
}

/* CD-RW full format with fixed packets (type 10h): the whole disc becomes
 * one fixed-packet track of f->blocks user blocks; what was on it is gone.
 * The drive knows only 32-block packets: any other packet size is a format
 * it cannot do (5/30/06, as before fixed packets were modelled). */
static int64_t cd_rw_packets(struct emu_drive *d, struct mmc_cmd *cmd,
			     const struct fdesc *f)
{
	struct emu_disc *disc = &d->disc;
	uint32_t max = emu_cd_packet_capacity(disc->capacity);
	if (f->type != 0x10 || f->param != EMU_CD_PACKET) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_CANNOT_FORMAT);
		return -1;
	}
	if (f->blocks < EMU_CD_PACKET || f->blocks > max ||
	    f->blocks % EMU_CD_PACKET) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
		return -1;
	}
	erase_all(disc);
	disc->formatted = f->blocks;
	return (int64_t)emu_duration(d, disc->capacity * EMU_BLOCK);
}

/* Applies format f; returns the emulated duration or sets sense (-1). */
static int64_t apply(struct emu_drive *d, struct mmc_cmd *cmd,
		     const struct fdesc *f, bool restart)
{
	struct emu_disc *disc = &d->disc;
	uint64_t full = emu_duration(d, disc->capacity * EMU_BLOCK);
	uint64_t quick = d->scale > 0 ? 10 * SEC : 0;
	switch (disc->profile) {
	case MMC_PROF_CD_RW:
		return cd_rw_packets(d, cmd, f);
	case MMC_PROF_DVD_PLUS_RW:
		if (f->type != 0x26)
			break;
		if (restart && disc->bg_format != 1)
			break;
		disc->formatted = disc->capacity;
		disc->bg_format = 2;
		emu_start_op(d, ASC_FORMAT_IN_PROGRESS, full, true, 0);
		return 0;
	case MMC_PROF_DVD_RW_RO:
		if (f->type == 0x13)
			return 0;
		/* fall through */
	case MMC_PROF_DVD_RW_SEQ:
		if (f->type != 0x00 && f->type != 0x10 && f->type != 0x15)
			break;
		erase_all(disc);
		disc->profile = MMC_PROF_DVD_RW_RO;
		disc->formatted = disc->capacity;
		disc->minimal_blanked = false;
		return (int64_t)(f->type == 0x15 ? 6 * quick : full);
	case MMC_PROF_DVD_RAM:
		if (f->type > 0x01)
			break;
		erase_all(disc);
		disc->formatted = disc->capacity;
		return (int64_t)full;
	case MMC_PROF_BD_RE:
		if (f->type != 0x00 && f->type != 0x30 && f->type != 0x31)
			break;
		if (!f->blocks || f->blocks > disc->capacity ||
		    (f->type != 0x31 && f->blocks > spare_default(disc)))
			break;
		disc->formatted = f->blocks;
		return (int64_t)(f->subtype == 2 ? 2 * full : quick);
	case MMC_PROF_BD_R_SRM:
		if ((f->type != 0x00 && f->type != 0x32) || f->subtype > 1 ||
		    !f->blocks || f->blocks > disc->capacity ||
		    emu_disc_status(disc) != DISCFS_DISC_BLANK || disc->formatted)
			break;
		disc->formatted = f->blocks;
		disc->pow = f->subtype == 0;
		return (int64_t)quick;
	default:
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_CANNOT_FORMAT);
		return -1;
	}
	emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	return -1;
}

void emu_cmd_format(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	const uint8_t *p = cmd->buf;
	if (!emu_check_writable(d, cmd))
		return;
	if ((c[1] & 0x17) != 0x11) { /* FmtData, format code 001 */
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (cmd->dir != MMC_DIR_OUT || !p || cmd->len < 12 ||
	    get_be16(p + 2) != 8) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
		return;
	}
	bool immed = p[1] & 0x02;
	struct fdesc f = { get_be32(p + 4), p[8] >> 2, p[8] & 3,
			   get_be24(p + 9) };
	int64_t ns = apply(d, cmd, &f, p[11] & 1);
	if (ns < 0)
		return;
	d->sao_active = d->sim_active = false;
	emu_save(d);
	if (d->disc.profile == MMC_PROF_DVD_PLUS_RW)
		emu_raise_event(d, 2); /* background: media usable at once */
	else
		emu_long_op(d, ASC_FORMAT_IN_PROGRESS, (uint64_t)ns, immed, 2);
	emu_good(cmd);
}
