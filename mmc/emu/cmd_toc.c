/*
 * mmc/emu/cmd_toc.c - READ TOC/PMA/ATIP formats 0 (TOC), 1 (session info),
 * 2 (raw TOC, CD), 4 (ATIP, CD-R/RW).  DVD/BD get a fabricated TOC as real
 * drives do; format 1 gives the true start of the last complete session
 * (the Linux multisession mount and growisofs -M rely on it).
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

#define TOC_MAX 2048

static void put_addr(uint8_t *p, uint32_t lba, bool msf)
{
	if (!msf) {
		put_be32(p, lba);
		return;
	}
	p[0] = 0;
	emu_msf(lba + 150, &p[1], &p[2], &p[3]);
}

/* Tracks listed in the TOC: closed ones (all of a ROM/random disc). */
static uint32_t toc_tracks(const struct emu_disc *disc)
{
	if (!emu_is_seq(disc))
		return 1;
	uint32_t n = 0;
	while (n < disc->n_tracks && (disc->tracks[n].flags & EMU_TR_CLOSED))
		n++;
	return n;
}

static uint32_t track_start(const struct emu_disc *disc, uint32_t i)
{
	return emu_is_seq(disc) ? disc->tracks[i].start : 0;
}

static uint32_t track_stop(const struct emu_disc *disc, uint32_t i)
{
	if (emu_is_rom(disc))
		return (uint32_t)disc->capacity;
	if (emu_is_random(disc))
		return (uint32_t)(disc->formatted ? disc->formatted
						   : disc->capacity);
	return emu_track_end(&disc->tracks[i]);
}

static uint8_t ctrl(const struct emu_disc *disc, uint32_t i)
{
	if (!emu_is_seq(disc))
		return emu_fixed_packet(disc) && disc->media->family == EMU_CD
			       ? 0x15 : 0x14; /* CD packet track: incremental */
	return (uint8_t)(0x10 | (disc->tracks[i].mode & 0x0F));
}

/*
 * Quirk toc0-dvd-variant: a DVD/BD with no complete track answers only the
 * lead-out (track AAh at the next writable address), first = 1, last = 0,
 * instead of 5/24/00.  Returns true when it answered.
 */
static bool toc0_variant(struct emu_drive *d, struct mmc_cmd *cmd, bool msf,
			 uint8_t from, uint32_t alloc)
{
	const struct emu_disc *disc = &d->disc;
	uint8_t b[12] = { 0 };
	if (!emu_quirk(d, EMU_Q_TOC0_DVD_VARIANT) ||
	    disc->media->family == EMU_CD || (from > 1 && from != 0xAA))
		return false;
	put_be16(b, 10);
	b[2] = 1;
	b[3] = 0;
	b[5] = 0x14;
	b[6] = 0xAA;
	put_addr(b + 8, disc->next_start, msf);
	emu_reply(cmd, b, sizeof(b), alloc);
	return true;
}

static void fmt0(struct emu_drive *d, struct mmc_cmd *cmd, bool msf,
		 uint8_t from, uint32_t alloc)
{
	const struct emu_disc *disc = &d->disc;
	uint32_t n = toc_tracks(disc);
	uint8_t b[4 + 8 * 100];
	if (!n && toc0_variant(d, cmd, msf, from, alloc))
		return;
	if (!n || (from > n && from != 0xAA)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	uint32_t len = 4;
	for (uint32_t i = from ? from - 1 : 0; i < n && from != 0xAA; i++) {
		uint8_t *p = b + len;
		memset(p, 0, 8);
		p[1] = ctrl(disc, i);
		p[2] = (uint8_t)(i + 1);
		put_addr(p + 4, track_start(disc, i), msf);
		len += 8;
	}
	uint8_t *p = b + len;
	memset(p, 0, 8);
	p[1] = 0x14;
	p[2] = 0xAA;
	put_addr(p + 4, track_stop(disc, n - 1), msf);
	len += 8;
	put_be16(b, (uint16_t)(len - 2));
	b[2] = 1;
	b[3] = (uint8_t)n;
	emu_reply(cmd, b, len, alloc);
}

static void fmt1(struct emu_drive *d, struct mmc_cmd *cmd, bool msf,
		 uint32_t alloc)
{
	const struct emu_disc *disc = &d->disc;
	uint8_t b[12] = { 0 };
	uint32_t last = 1, first_track = 1, start = 0;
	if (emu_is_seq(disc)) {
		if (!disc->n_tracks) {
			emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
			return;
		}
		last = disc->sessions_closed ? disc->sessions_closed : 1;
		for (uint32_t i = 0; i < disc->n_tracks; i++)
			if (disc->tracks[i].session == last) {
				first_track = i + 1;
				start = disc->tracks[i].start;
				break;
			}
	}
	put_be16(b, 10);
	b[2] = 1;
	b[3] = (uint8_t)last;
	b[5] = 0x14;
	b[6] = (uint8_t)first_track;
	put_addr(b + 8, start, msf);
	emu_reply(cmd, b, sizeof(b), alloc);
}

static uint8_t *raw_entry(uint8_t *p, uint8_t session, uint8_t adr_ctl,
			  uint8_t point, uint32_t pmsf_lba)
{
	memset(p, 0, 11);
	p[0] = session;
	p[1] = adr_ctl;
	p[3] = point;
	emu_msf(pmsf_lba + 150, &p[8], &p[9], &p[10]);
	return p + 11;
}

/* ATIP values this drive reports (format 4 and raw TOC point C0). */
#define ATIP_POWER_BYTE 0x80 /* indicative writing power bits, as fmt4 */
#define ATIP_LEADIN_M 97     /* start of the first lead-in, 97:15:35 */
#define ATIP_LEADIN_S 15
#define ATIP_LEADIN_F 35

/*
 * Point C0 (ADR 5), first session of a recordable CD: Min = the ATIP's
 * optimum recording power byte, Sec = its application code (0: general
 * use), PMIN/PSEC/PFRAME = the start of the disc's first lead-in, as in
 * the ATIP (format 4).  Readers use it to tell a CD-R/RW from a pressed
 * disc and to find the lead-in.
 */
static uint8_t *raw_c0(uint8_t *p)
{
	memset(p, 0, 11);
	p[0] = 1;
	p[1] = 0x54;
	p[3] = 0xC0;
	p[4] = ATIP_POWER_BYTE;
	p[8] = ATIP_LEADIN_M;
	p[9] = ATIP_LEADIN_S;
	p[10] = ATIP_LEADIN_F;
	return p + 11;
}

static void fmt2(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t alloc)
{
	const struct emu_disc *disc = &d->disc;
	uint8_t b[4 + 11 * (99 + 5 * 99)];
	uint32_t n = toc_tracks(disc);
	if (disc->media->family != EMU_CD || !n) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	uint8_t *p = b + 4;
	uint32_t s_last = emu_is_seq(disc) ? disc->tracks[n - 1].session : 1;
	for (uint32_t s = 1; s <= s_last; s++) {
		uint32_t f = 0, l = 0;
		for (uint32_t i = 0; i < n; i++)
			if (!emu_is_seq(disc) || disc->tracks[i].session == s) {
				if (!f)
					f = i + 1;
				l = i + 1;
			}
		if (!f)
			continue;
		p = raw_entry(p, (uint8_t)s, 0x14, 0xA0, 0);
		p[-3] = (uint8_t)f; /* PMIN first track, PSEC disc type 0 */
		p[-2] = p[-1] = 0;
		p = raw_entry(p, (uint8_t)s, 0x14, 0xA1, 0);
		p[-3] = (uint8_t)l;
		p[-2] = p[-1] = 0;
		p = raw_entry(p, (uint8_t)s, 0x14, 0xA2, track_stop(disc, l - 1));
		for (uint32_t i = f; i <= l; i++)
			p = raw_entry(p, (uint8_t)s, ctrl(disc, i - 1),
				      (uint8_t)i, track_start(disc, i - 1));
		if (s == s_last && !disc->finalized && emu_is_seq(disc)) {
			p = raw_entry(p, (uint8_t)s, 0x54, 0xB0,
				      (uint32_t)emu_usable(disc));
			emu_msf(disc->next_start + 150, &p[-7], &p[-6], &p[-5]);
		}
		if (s == 1 && !emu_is_rom(disc))
			p = raw_c0(p);
	}
	uint32_t len = (uint32_t)(p - b);
	put_be16(b, (uint16_t)(len - 2));
	b[2] = 1;
	b[3] = (uint8_t)s_last;
	emu_reply(cmd, b, len, alloc);
}

static void fmt4(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t alloc)
{
	const struct emu_disc *disc = &d->disc;
	uint8_t b[28] = { 0 };
	if (disc->media->family != EMU_CD || emu_is_rom(disc)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	put_be16(b, 26);
	b[4] = ATIP_POWER_BYTE;
	b[6] = 0x80 | ((disc->media->flags & EMU_M_ERASABLE) ? 0x40 : 0);
	b[8] = ATIP_LEADIN_M; b[9] = ATIP_LEADIN_S; b[10] = ATIP_LEADIN_F;
	emu_msf((uint32_t)disc->capacity + 150, &b[12], &b[13], &b[14]);
	emu_reply(cmd, b, sizeof(b), alloc);
}

void emu_cmd_read_toc(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	bool msf = c[1] & 0x02;
	uint8_t fmt = c[2] & 0x0F;
	uint32_t alloc = get_be16(c + 7);
	if (!fmt && (c[9] >> 6)) /* old-style format in the control byte */
		fmt = c[9] >> 6;
	switch (fmt) {
	case 0: return fmt0(d, cmd, msf, c[6], alloc);
	case 1: return fmt1(d, cmd, msf, alloc);
	case 2: return fmt2(d, cmd, alloc);
	case 4: return fmt4(d, cmd, alloc);
	default:
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	}
}
