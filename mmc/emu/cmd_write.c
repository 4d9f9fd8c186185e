/*
 * mmc/emu/cmd_write.c - WRITE(10/12), WRITE AND VERIFY(10), SYNCHRONIZE
 * CACHE, SEND OPC.  Sequential media: a WRITE must start at the NWA of an
 * open track, or at the start of the invisible track (which creates an
 * incomplete track); anything else is 5/21/02.  Random media: anywhere in
 * the formatted area, in whole fixed packets where the disc has them
 * (DVD-RW RO: 16 blocks, CD-RW formatted with fixed packets: 32).  CD SAO writes follow
 * the cue sheet (cmd_cue.c).  Data reaches the image with one pwrite.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

uint8_t emu_write_type(const struct emu_drive *d)
{
	return d->page05[2] & 0x0F;
}

bool emu_ms_finalize(const struct emu_drive *d)
{
	return (d->page05[3] >> 6) != 3;
}

bool emu_check_writable(struct emu_drive *d, struct mmc_cmd *cmd)
{
	if (emu_is_rom(&d->disc)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_CANNOT_WRITE_INCOMPATIBLE);
		return false;
	}
	return true;
}

static bool is_dvd_minus(const struct emu_disc *disc)
{
	return disc->profile == MMC_PROF_DVD_R_SEQ ||
	       disc->profile == MMC_PROF_DVD_RW_SEQ ||
	       disc->profile == MMC_PROF_DVD_R_DL_SEQ;
}

/* Write type usable on this sequential medium? */
static bool write_type_ok(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const struct emu_disc *disc = &d->disc;
	uint8_t wt = emu_write_type(d);
	if (disc->media->family == EMU_CD && wt == MMC_WT_SAO) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
		return false; /* SAO without a cue sheet */
	}
	if (is_dvd_minus(disc) && wt == MMC_WT_PACKET && disc->minimal_blanked) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_ILLEGAL_MODE_FOR_TRACK);
		return false;
	}
	return true;
}

/* The open track whose NWA is lba, a new incomplete track, or NULL with
 * the sense set. */
static struct emu_track *seq_target(struct emu_drive *d, struct mmc_cmd *cmd,
				    uint32_t lba, uint32_t n, bool *created)
{
	struct emu_disc *disc = &d->disc;
	*created = false;
	if (disc->finalized) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_WRITE_ADDRESS);
		return NULL;
	}
	if (!write_type_ok(d, cmd))
		return NULL;
	struct emu_track *t = NULL;
	for (uint32_t i = 0; i < disc->n_tracks && !t; i++) {
		struct emu_track *x = &disc->tracks[i];
		if (!(x->flags & (EMU_TR_CLOSED | EMU_TR_DAMAGED)) &&
		    x->start + x->written == lba)
			t = x;
	}
	if (!t && is_dvd_minus(disc) && emu_write_type(d) == MMC_WT_SAO) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
		return NULL; /* DAO needs RESERVE TRACK first */
	}
	if (!t && !emu_incomplete_track(disc) && emu_can_add_track(disc) &&
	    lba == disc->next_start) {
		t = &disc->tracks[disc->n_tracks++];
		*t = (struct emu_track){ .start = lba,
					 .session = emu_open_session(disc),
					 .mode = disc->media->family == EMU_CD ? 4
						 : is_dvd_minus(disc) ? 5 : 7 };
		*created = true;
	}
	if (!t) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_WRITE_ADDRESS);
		return NULL;
	}
	uint64_t limit = (t->flags & EMU_TR_RESERVED) ? (uint64_t)t->start + t->size
						      : emu_usable(disc);
	if ((uint64_t)lba + n > limit) {
		if (*created)
			disc->n_tracks--;
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return NULL;
	}
	return t;
}

/* BD-R POW: overwriting recorded blocks of one track is allowed. */
static bool pow_overwrite(const struct emu_disc *disc, uint32_t lba,
			  uint32_t n)
{
	if (!disc->pow)
		return false;
	for (uint32_t i = 0; i < disc->n_tracks; i++) {
		const struct emu_track *t = &disc->tracks[i];
		if (lba >= t->start &&
		    (uint64_t)lba + n <= (uint64_t)t->start + t->written)
			return true;
	}
	return false;
}

static bool random_ok(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t lba,
		      uint32_t n)
{
	const struct emu_disc *disc = &d->disc;
	if (!disc->formatted) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_NOT_FORMATTED);
		return false;
	}
	if ((uint64_t)lba + n > disc->formatted) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	uint32_t pk = emu_fixed_packet(disc);
	if (pk && lba % pk) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_WRITE_ADDRESS);
		return false;
	}
	if (pk && n % pk) {
		/* CD: a partial packet is an invalid packet size (MMC 64/01);
		 * DVD-RW RO answers it as an invalid address */
		emu_sense(cmd, SK_ILLEGAL_REQUEST,
			  disc->media->family == EMU_CD ? ASC_INVALID_PACKET_SIZE
							: ASC_INVALID_WRITE_ADDRESS);
		return false;
	}
	return true;
}

uint32_t emu_record(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t lba,
		       uint32_t n, struct emu_track *t, bool created)
{
	struct emu_disc *disc = &d->disc;
	bool underrun;
	if (emu_fault_write_error(disc, lba, n)) {
		if (created)
			disc->n_tracks--;
		emu_sense(cmd, SK_MEDIUM_ERROR, ASC_WRITE_ERROR);
		return 0;
	}
	uint32_t todo = emu_fault_power_budget(disc, n);
	if (emu_buffer_accept(d, cmd, (uint64_t)n * EMU_BLOCK, &underrun)) {
		if (created)
			disc->n_tracks--;
		else if (underrun && t)
			t->flags |= EMU_TR_DAMAGED;
		return 0;
	}
	if (todo && !d->sim_active &&
	    emu_image_write(disc, lba, cmd->buf, todo) < 0) {
		if (created)
			disc->n_tracks--;
		emu_sense(cmd, SK_MEDIUM_ERROR, ASC_WRITE_ERROR);
		return 0;
	}
	if (t && lba == t->start + t->written)
		t->written += todo;
	d->stats.blocks_written += todo;
	if (disc->faults.power_loss_after >= 0) {
		disc->faults.power_loss_after -= todo;
		if (todo < n || disc->faults.power_loss_after == 0) {
			emu_fault_power_loss(d);
			return todo;
		}
	}
	emu_good(cmd);
	return todo;
}

/* Test write: the NWA moves for this job, nothing is recorded. */
static void sim_write(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t lba,
		      uint32_t n)
{
	struct emu_disc *disc = &d->disc;
	if (!d->sim_active) {
		struct emu_track *t = emu_incomplete_track(disc);
		d->sim_nwa = t ? t->start + t->written : disc->next_start;
		d->sim_active = true;
	}
	if (lba != d->sim_nwa) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_WRITE_ADDRESS);
		return;
	}
	if ((uint64_t)lba + n > emu_usable(disc)) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return;
	}
	bool underrun;
	if (emu_buffer_accept(d, cmd, (uint64_t)n * EMU_BLOCK, &underrun))
		return;
	d->sim_nwa += n;
	emu_good(cmd);
}

void emu_cmd_write(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint32_t lba = get_be32(c + 2);
	uint32_t n = c[0] == MMC_WRITE12 ? get_be32(c + 6) : get_be16(c + 7);
	if (!emu_check_writable(d, cmd))
		return;
	if (!n) {
		emu_good(cmd);
		return;
	}
	if (cmd->dir != MMC_DIR_OUT || !cmd->buf ||
	    (uint64_t)cmd->len < (uint64_t)n * EMU_BLOCK) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (d->sao_active) {
		emu_sao_write(d, cmd, lba, n);
		return;
	}
	if ((d->page05[2] & 0x10) && !emu_is_random(&d->disc)) {
		sim_write(d, cmd, lba, n);
		return;
	}
	if (emu_is_random(&d->disc)) {
		if (random_ok(d, cmd, lba, n))
			emu_record(d, cmd, lba, n, NULL, false);
		return;
	}
	if (pow_overwrite(&d->disc, lba, n)) {
		emu_record(d, cmd, lba, n, NULL, false);
		return;
	}
	bool created;
	struct emu_track *t = seq_target(d, cmd, lba, n, &created);
	if (t)
		emu_record(d, cmd, lba, n, t, created);
}

/* -------------------------------------------------------- SYNC CACHE */

/*
 * DVD-R DAO: the recording is the reserved length.  RESERVE TRACK rounded
 * the host's size up to the ECC block, so a host that wrote exactly what it
 * asked for stops inside the last ECC block: the drive pads that block
 * itself, writes the lead-out and the disc is complete.  The host learns of
 * the new disc through a NewMedia event (sr re-reads the capacity).
 */
static void finish_dao(struct emu_drive *d)
{
	struct emu_disc *disc = &d->disc;
	if (!is_dvd_minus(disc) || emu_write_type(d) != MMC_WT_SAO ||
	    !disc->n_tracks)
		return;
	struct emu_track *t = &disc->tracks[disc->n_tracks - 1];
	if (!(t->flags & EMU_TR_RESERVED) || (t->flags & EMU_TR_CLOSED) ||
	    !t->written ||
	    emu_round_ecc(disc, t->start + t->written) < t->start + t->size)
		return;
	t->written = t->size; /* the padding is recorded (zeros) */
	emu_session_close(d, true);
	emu_raise_event(d, 2);
}

void emu_cmd_sync_cache(struct emu_drive *d, struct mmc_cmd *cmd)
{
	struct emu_disc *disc = &d->disc;
	bool immed = cmd->cdb[1] & 0x02;
	emu_buffer_flush(d, immed);
	d->sim_active = false;
	if (d->sao_active && d->sao_next >= d->sao_end) {
		d->sao_active = false;
		emu_session_close(d, emu_ms_finalize(d));
		emu_raise_event(d, 2);
	} else if (disc->media->family == EMU_CD &&
		   emu_write_type(d) == MMC_WT_TAO) {
		struct emu_track *t = emu_incomplete_track(disc);
		if (t && t->written)
			emu_close_track(disc, t);
	}
	finish_dao(d);
	emu_save(d);
	emu_good(cmd);
}

void emu_cmd_send_opc(struct emu_drive *d, struct mmc_cmd *cmd)
{
	if (emu_check_writable(d, cmd))
		emu_good(cmd);
}
