/* lib/burn_plan.c - see burn_plan.h */
#include "lib/burn_plan.h"

#include <string.h>

#include "lib/burn_steps.h"
#include "mmc/cdb.h"
#include "mmc/drive_query.h"
#include "mmc/mmc_defs.h"
#include "util/err.h"

#define CD_MIN_TRACK 300u
#define CD_PREGAP 150u

static bool is_cd(uint16_t p)
{
	return p == MMC_PROF_CD_R || p == MMC_PROF_CD_RW;
}

static bool is_dvd_minus_seq(uint16_t p)
{
	return p == MMC_PROF_DVD_R_SEQ || p == MMC_PROF_DVD_RW_SEQ ||
	       p == MMC_PROF_DVD_R_DL_SEQ;
}

static bool is_rom(uint16_t p)
{
	return p == MMC_PROF_CD_ROM || p == MMC_PROF_DVD_ROM ||
	       p == MMC_PROF_BD_ROM;
}

uint64_t burn_plan_blocks(const struct burn_plan *p, uint64_t image_blocks)
{
	uint64_t n = dfs_round_up(image_blocks, p->units.unit_blocks);
	if (n < p->min_blocks)
		n = p->min_blocks;
	return n;
}

static void cue_entry(uint8_t *e, uint8_t tno, uint8_t index, uint8_t form,
		      uint64_t lba150)
{
	/* time points are MSF of LBA + 150 (00:00:00 = LBA -150) */
	e[0] = 0x41; /* CTL data track, ADR 1 */
	e[1] = tno;
	e[2] = index;
	e[3] = form;
	e[4] = 0;
	e[5] = (uint8_t)(lba150 / (60 * 75));
	e[6] = (uint8_t)(lba150 / 75 % 60);
	e[7] = (uint8_t)(lba150 % 75);
}

void burn_cue_sheet(uint8_t out[BURN_CUE_LEN], uint64_t track_blocks)
{
	cue_entry(out, 0x00, 0, 0x14, 0);            /* lead-in */
	cue_entry(out + 8, 0x01, 0, 0x10, 0);        /* pregap, Mode 1 */
	cue_entry(out + 16, 0x01, 1, 0x10, CD_PREGAP); /* track 1 at LBA 0 */
	cue_entry(out + 24, 0xAA, 1, 0x14, CD_PREGAP + track_blocks);
}

/* The writable (invisible or open) track: the last with a valid NWA. */
static const discfs_track_info *writable_track(const discfs_media_info *mi)
{
	for (size_t i = mi->n_tracks; i-- > 0;)
		if (mi->tracks[i].nwa_valid)
			return &mi->tracks[i];
	return NULL;
}

static int plan_format(struct mmc_transport *t, struct burn_plan *p,
		       discfs_error *err)
{
	struct mmc_format_caps fc;
	int rc = bs_format_caps(t, &fc, err);
	uint8_t want = p->profile == MMC_PROF_DVD_PLUS_RW ||
		       p->profile == MMC_PROF_DVD_PLUS_RW_DL ? 0x26 : 0x00;

	if (rc < 0)
		return dfs_wrap(err, rc, "reading format capacities");
	for (size_t i = 0; i < fc.n; i++) {
		const struct mmc_format_desc *d = &fc.d[i];
		if (d->type != want && !(want == 0 && d->type == 0x30))
			continue;
		mmc_format_params(p->format_params, 0, d->blocks, d->type,
				  want == 0x26 ? 0 : d->subtype, d->param);
		p->format_first = true;
		p->free_blocks = d->blocks;
		return 0;
	}
	return dfs_fail(err, DISCFS_EWRONGMEDIA,
			"the disc is not formatted and the drive offers no "
			"format for it");
}

static int plan_random(struct mmc_transport *t, const discfs_media_info *mi,
		       const discfs_burn_opts *o, struct burn_plan *p,
		       discfs_error *err)
{
	if (o->dummy)
		return dfs_fail(err, DISCFS_ENOTSUP,
				"test writes (--dummy) are possible on CD-R/RW "
				"and DVD-R/RW only");
	p->start_lba = 0;
	p->free_blocks = mi->capacity_blocks;
	p->close_fn = -1;
	p->write12_streaming = p->profile == MMC_PROF_BD_RE ||
			       p->profile == MMC_PROF_DVD_RAM;
	if (!mi->formatted && p->profile != MMC_PROF_DVD_RW_RO &&
	    p->profile != MMC_PROF_DVD_RAM) {
		int rc = plan_format(t, p, err);
		if (rc < 0)
			return rc;
	}
	/* DVD+RW: a compatible close (lead-out) after a fresh format. */
	if ((p->profile == MMC_PROF_DVD_PLUS_RW ||
	     p->profile == MMC_PROF_DVD_PLUS_RW_DL) && p->format_first)
		p->close_fn = MMC_CLOSE_SESSION;
	return 0;
}

static void page05_for(struct burn_plan *p, const discfs_burn_opts *o)
{
	struct mmc_page_05 *w = &p->p05;
	bool finalize = o->close == DISCFS_CLOSE_DISC;

	memset(w, 0, sizeof(*w));
	p->use_page05 = true;
	w->bufe = true;
	w->test_write = o->dummy;
	w->multisession = finalize ? 0 : 3;
	w->data_block_type = 8; /* Mode 1, 2048 */
	if (is_cd(p->profile)) {
		w->write_type = o->dao ? MMC_WT_SAO : MMC_WT_TAO;
		w->track_mode = 4;
		w->audio_pause = 150;
		return;
	}
	w->track_mode = 5;
	if (p->dao) {
		w->write_type = MMC_WT_SAO;
		w->multisession = 0;
		return;
	}
	w->write_type = MMC_WT_PACKET;
	w->ls_v = true;
	w->link_size = 16;
	w->fp = true;
	w->packet_size = 16;
	if (p->profile == MMC_PROF_DVD_R_DL_SEQ)
		w->multisession = 0; /* single session only */
}

static int plan_sequential(const discfs_media_info *mi,
			   const discfs_burn_opts *o, bool size_known,
			   struct burn_plan *p, discfs_error *err)
{
	const discfs_track_info *tr;
	bool finalize = o->close == DISCFS_CLOSE_DISC;

	if (mi->disc_status == DISCFS_DISC_COMPLETE)
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"the disc is finalized (closed): nothing more "
				"can be written on it%s", mi->erasable ?
				"; erase it first" : "");
	p->appending = mi->disc_status == DISCFS_DISC_APPENDABLE;
	if (o->dummy && !is_cd(p->profile) && !is_dvd_minus_seq(p->profile))
		return dfs_fail(err, DISCFS_ENOTSUP,
				"test writes (--dummy) are possible on CD-R/RW "
				"and DVD-R/RW only");
	p->dao = o->dao || p->profile == MMC_PROF_DVD_R_DL_SEQ;
	if (p->dao && !is_dvd_minus_seq(p->profile) && !is_cd(p->profile))
		p->dao = false;
	if (p->appending && (p->dao || p->profile == MMC_PROF_DVD_R_DL_SEQ))
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"the disc is not blank: %s needs a blank disc",
				p->profile == MMC_PROF_DVD_R_DL_SEQ
				? "DVD-R DL (single session)"
				: is_cd(p->profile) ? "session-at-once writing"
				: "disc-at-once writing");
	if (p->dao && !size_known)
		return dfs_fail(err, DISCFS_EINVAL,
				"disc-at-once needs the image size in advance "
				"(not a pipe)");
	tr = writable_track(mi);
	if (!tr)
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"the disc has no writable track left");
	if (!tr->blank && tr->nwa != tr->start)
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"track %u is open with data in it (an "
				"interrupted burn?): close it before writing",
				tr->number);
	p->start_lba = tr->nwa;
	p->free_blocks = tr->free_blocks;
	if (is_cd(p->profile) && p->dao)
		p->start_lba = (uint32_t)-(int32_t)CD_PREGAP; /* LBA -150 */
	p->track = (uint16_t)tr->number;
	p->close_track = !is_cd(p->profile) && !p->dao;
	p->close_fn = -1;
	if (is_cd(p->profile) && p->dao) {
		/* SAO: the cue sheet lays out the session; writing starts at
		 * the pregap, LBA -150; no CLOSE afterwards */
		p->min_blocks = CD_MIN_TRACK;
		p->cue = true;
		p->lead_blocks = CD_PREGAP;
		p->close_track = false;
		page05_for(p, o);
	} else if (is_cd(p->profile)) {
		p->min_blocks = CD_MIN_TRACK;
		p->close_fn = MMC_CLOSE_SESSION; /* page 05 MS says finalize */
		page05_for(p, o);
	} else if (is_dvd_minus_seq(p->profile)) {
		page05_for(p, o);
		p->reserve = p->dao;
		if (!p->dao)
			p->close_fn = MMC_CLOSE_SESSION;
	} else if (p->profile == MMC_PROF_DVD_PLUS_R ||
		   p->profile == MMC_PROF_DVD_PLUS_R_DL) {
		p->close_fn = finalize ? MMC_CLOSE_FINALIZE_MINRAD
				       : MMC_CLOSE_SESSION;
	} else {
		/* BD-R SRM */
		p->close_fn = finalize ? MMC_CLOSE_FINALIZE : MMC_CLOSE_SESSION;
	}
	return 0;
}

int burn_plan_make(struct mmc_transport *t, const discfs_media_info *mi,
		   const discfs_burn_opts *o, uint64_t image_blocks,
		   bool size_known, struct burn_plan *p, discfs_error *err)
{
	int rc;

	memset(p, 0, sizeof(*p));
	if (!mi->present)
		return dfs_fail(err, DISCFS_ENOMEDIUM, "no disc in the drive");
	p->profile = mi->profile;
	if (is_rom(p->profile))
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"the disc is read-only (%s)",
				discfs_profile_name(p->profile));
	if (mi->write_protected)
		return dfs_fail(err, DISCFS_EPROTECT,
				"the disc is write-protected");
	/* WRITEs of the default size, or less when the adapter allows less */
	uint32_t max_xfer = t && t->max_xfer && t->max_xfer < DFS_DEFAULT_MAX_XFER
			    ? t->max_xfer : 0;
	rc = dfs_write_units_for(p->profile, 0, max_xfer, &p->units, err);
	if (rc < 0)
		return rc;
	p->sequential = !mmc_profile_random_access(p->profile);
	rc = p->sequential ? plan_sequential(mi, o, size_known, p, err)
			   : plan_random(t, mi, o, p, err);
	if (rc < 0)
		return rc;
	if (size_known && burn_plan_blocks(p, image_blocks) > p->free_blocks)
		return dfs_fail(err, DISCFS_ENOSPC,
				"the image needs %llu blocks (%llu MB) but the "
				"disc has %llu free from LBA %d (%llu MB)",
				(unsigned long long)burn_plan_blocks(p, image_blocks),
				(unsigned long long)(burn_plan_blocks(p, image_blocks)
						     * 2048 / 1000000),
				(unsigned long long)p->free_blocks,
				(int32_t)(p->start_lba + p->lead_blocks),
				(unsigned long long)(p->free_blocks * 2048 /
						     1000000));
	return 0;
}
