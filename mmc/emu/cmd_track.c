/*
 * mmc/emu/cmd_track.c - READ TRACK INFORMATION and RESERVE TRACK.
 * Track numbers: real tracks 1..n_tracks; the invisible track n+1 (or
 * FFh) when the disc takes another track.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

struct tinfo {
	uint32_t number, session, start, size, nwa, free, lra, packet;
	uint8_t mode;
	bool nwa_v, lra_v, blank, rt, inc, fp, damage;
};

static void encode(const struct tinfo *t, uint8_t *b)
{
	memset(b, 0, 48);
	put_be16(b, 46);
	b[2] = (uint8_t)t->number;
	b[3] = (uint8_t)t->session;
	b[5] = (uint8_t)((t->damage ? 0x20 : 0) | (t->mode & 0x0F));
	b[6] = (uint8_t)((t->rt ? 0x80 : 0) | (t->blank ? 0x40 : 0) |
			 (t->inc ? 0x20 : 0) | (t->fp ? 0x10 : 0) | 0x01);
	b[7] = (uint8_t)((t->lra_v ? 2 : 0) | (t->nwa_v ? 1 : 0));
	put_be32(b + 8, t->start);
	put_be32(b + 12, t->nwa_v ? t->nwa : 0);
	put_be32(b + 16, t->free);
	put_be32(b + 20, t->packet);
	put_be32(b + 24, t->size);
	put_be32(b + 28, t->lra_v ? t->lra : 0);
	b[32] = (uint8_t)(t->number >> 8);
	b[33] = (uint8_t)(t->session >> 8);
}

static uint8_t default_mode(const struct emu_disc *disc)
{
	if (disc->media->family == EMU_CD)
		return 4;
	return disc->profile == MMC_PROF_DVD_PLUS_R ||
	       disc->profile == MMC_PROF_DVD_PLUS_R_DL ? 7 : 5;
}

static void real_track(const struct emu_disc *disc, uint32_t i,
		       struct tinfo *t)
{
	const struct emu_track *tr = &disc->tracks[i];
	uint64_t usable = emu_usable(disc);
	t->number = i + 1;
	t->session = tr->session;
	t->start = tr->start;
	t->mode = tr->mode;
	/* RT only while the reservation is open: a closed track is complete */
	t->rt = (tr->flags & (EMU_TR_RESERVED | EMU_TR_CLOSED)) ==
		EMU_TR_RESERVED;
	t->damage = tr->flags & EMU_TR_DAMAGED;
	t->inc = disc->media->family != EMU_CD &&
		 !(tr->flags & EMU_TR_RESERVED);
	t->lra_v = tr->written > 0;
	t->lra = tr->start + tr->written - 1;
	if (tr->flags & EMU_TR_CLOSED) {
		t->size = tr->size;
		return;
	}
	t->nwa_v = !t->damage;
	t->nwa = tr->start + tr->written;
	t->blank = tr->written == 0;
	if (t->rt) {
		t->size = tr->size;
		t->free = tr->size - tr->written;
	} else {
		t->size = (uint32_t)(usable - tr->start);
		t->free = (uint32_t)(usable - t->nwa);
	}
}

static void invisible_track(const struct emu_disc *disc, struct tinfo *t)
{
	uint64_t usable = emu_usable(disc);
	t->number = disc->n_tracks + 1;
	t->session = emu_open_session(disc);
	t->start = t->nwa = disc->next_start;
	t->size = t->free = (uint32_t)(usable - disc->next_start);
	t->blank = t->nwa_v = true;
	t->inc = disc->media->family != EMU_CD;
	t->mode = default_mode(disc);
}

static void whole_disc_track(const struct emu_disc *disc, struct tinfo *t)
{
	t->number = t->session = 1;
	t->mode = disc->media->family == EMU_CD ? 4 : 5;
	if (emu_is_rom(disc)) {
		t->size = (uint32_t)disc->capacity;
		t->lra_v = true;
		t->lra = t->size - 1;
		return;
	}
	t->size = (uint32_t)(disc->formatted ? disc->formatted : disc->capacity);
	t->blank = !disc->formatted;
	t->free = t->blank ? t->size : 0;
	t->packet = emu_fixed_packet(disc);
	if (t->packet) /* DVD-RW restricted overwrite, CD-RW fixed packets */
		t->fp = t->inc = true;
	if (t->packet && disc->media->family == EMU_CD)
		t->mode = 5; /* data, recorded incrementally */
}

/* Resolves the address; false if there is no such track. */
static bool find(const struct emu_disc *disc, uint8_t type, uint32_t addr,
		 struct tinfo *t)
{
	memset(t, 0, sizeof(*t));
	if (!emu_is_seq(disc)) {
		bool ok = (type == 1 && addr == 1) || (type == 2 && addr == 1) ||
			  (type == 0 && addr < (disc->formatted ? disc->formatted
								: disc->capacity));
		if (ok)
			whole_disc_track(disc, t);
		return ok;
	}
	uint32_t inv = emu_invisible_number(disc);
	bool virt = inv && inv == disc->n_tracks + 1;
	if (type == 1) {
		if (addr == 0xFF && inv)
			addr = inv;
		if (addr >= 1 && addr <= disc->n_tracks) {
			real_track(disc, addr - 1, t);
			return true;
		}
		if (virt && addr == inv) {
			invisible_track(disc, t);
			return true;
		}
		return false;
	}
	for (uint32_t i = 0; i < disc->n_tracks; i++) {
		const struct emu_track *tr = &disc->tracks[i];
		bool hit = type == 0 ? addr >= tr->start &&
					       addr < tr->start + (tr->size ? tr->size
								: tr->written + 1)
				     : tr->session == addr;
		if (hit) {
			real_track(disc, i, t);
			return true;
		}
	}
	if (virt && ((type == 0 && addr >= disc->next_start &&
		      addr < emu_usable(disc)) ||
		     (type == 2 && addr == emu_open_session(disc)))) {
		invisible_track(disc, t);
		return true;
	}
	return false;
}

void emu_cmd_track_info(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint8_t type = c[1] & 0x03;
	struct tinfo t;
	uint8_t b[48];
	struct emu_disc scratch;
	const struct emu_disc *disc = emu_host_view(d, &scratch);
	if (type == 3 || !find(disc, type, get_be32(c + 2), &t)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	/* quirk: the blank CD's invisible track at NWA -150 (libburn repairs) */
	if (emu_quirk(d, EMU_Q_CD_NWA_150) && disc->media->family == EMU_CD &&
	    emu_disc_status(disc) == DISCFS_DISC_BLANK && t.number == 1 &&
	    t.nwa_v)
		t.nwa = (uint32_t)-150;
	encode(&t, b);
	emu_reply(cmd, b, sizeof(b), get_be16(c + 7));
}

/* -------------------------------------------------------- RESERVE TRACK */

static unsigned open_reserved(const struct emu_disc *disc)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < disc->n_tracks; i++)
		n += (disc->tracks[i].flags &
		      (EMU_TR_RESERVED | EMU_TR_CLOSED)) == EMU_TR_RESERVED;
	return n;
}

void emu_cmd_reserve_track(struct emu_drive *d, struct mmc_cmd *cmd)
{
	struct emu_disc *disc = &d->disc;
	uint32_t size = get_be32(cmd->cdb + 5);
	if (!emu_check_writable(d, cmd))
		return;
	if (!emu_is_seq(disc)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_CANNOT_WRITE_INCOMPATIBLE);
		return;
	}
	if ((cmd->cdb[1] & 0x01) || size == 0) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (disc->finalized || emu_incomplete_track(disc) || d->sao_active) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
		return;
	}
	if (!emu_can_add_track(disc) ||
	    open_reserved(disc) >= EMU_MAX_OPEN_RESERVED) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_NO_MORE_RESERVATIONS);
		return;
	}
	/* checked before rounding too: rounding 0xFFFFFFF0+ up wraps to 0 */
	if ((uint64_t)disc->next_start + size > emu_usable(disc) ||
	    (size = emu_round_ecc(disc, size)) == 0 ||
	    (uint64_t)disc->next_start + size > emu_usable(disc)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return;
	}
	struct emu_track *t = &disc->tracks[disc->n_tracks++];
	*t = (struct emu_track){ .start = disc->next_start, .size = size,
				 .session = emu_open_session(disc),
				 .flags = EMU_TR_RESERVED,
				 .mode = default_mode(disc) };
	disc->next_start = emu_round_ecc(disc, t->start + size) +
			   emu_track_gap(disc);
	if (disc->next_start > emu_usable(disc))
		disc->next_start = (uint32_t)emu_usable(disc);
	emu_save(d);
	emu_good(cmd);
}
