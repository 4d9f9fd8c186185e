/* mmc/query_media.c - mmc_query_media() (see drive_query.h): presence,
 * profile, disc and track information, capacity accounting. */
#include <stdlib.h>
#include <string.h>

#include "mmc/cdb.h"
#include "mmc/drive_query.h"
#include "mmc/exec.h"
#include "mmc/mmc_defs.h"
#include "mmc/parse.h"
#include "util/err.h"

#define CONFIG_MAX 65535u

bool mmc_profile_random_access(uint16_t p)
{
	return p == MMC_PROF_DVD_PLUS_RW || p == MMC_PROF_DVD_RW_RO ||
	       p == MMC_PROF_DVD_RAM || p == MMC_PROF_BD_RE ||
	       p == MMC_PROF_BD_R_RRM || p == MMC_PROF_DVD_PLUS_RW_DL;
}

bool mmc_media_random_access(const discfs_media_info *mi)
{
	return mmc_profile_random_access(mi->profile) ||
	       (mi->profile == MMC_PROF_CD_RW && mi->n_tracks == 1 &&
		mi->tracks[0].fixed_packet);
}

static bool profile_formattable(uint16_t p)
{
	return mmc_profile_random_access(p) || p == MMC_PROF_DVD_RW_SEQ ||
	       p == MMC_PROF_BD_R_SRM || p == MMC_PROF_CD_RW;
}

/* Waits out "becoming ready"; 1 = medium present, 0 = none, < 0 error. */
static int settle(struct mmc_transport *t, discfs_error *err)
{
	struct mmc_wait w = { .timeout_ms = 20000, .poll_ms = 250 };
	int rc = mmc_clear_unit_attention(t, err);

	if (rc == -DISCFS_ENOTREADY)
		rc = mmc_wait_ready(t, &w, err);
	if (rc == -DISCFS_ENOMEDIUM) {
		dfs_clear(err);
		return 0;
	}
	return rc < 0 ? rc : 1;
}

static int current_profile(struct mmc_transport *t, uint16_t *profile,
			   discfs_error *err)
{
	struct mmc_config *cfg = malloc(sizeof(*cfg));
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;
	int rc;

	if (!cfg)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	mmc_cdb_get_configuration(&c, MMC_GC_ONE, MMC_FEAT_PROFILE_LIST, NULL,
				  8);
	rc = mmc_fetch(t, &c, CONFIG_MAX, &buf, &len, err);
	if (!rc) {
		rc = mmc_parse_config(buf, len, cfg, err);
		free(buf);
	}
	if (!rc)
		*profile = cfg->current_profile;
	free(cfg);
	return rc;
}

static int disc_info(struct mmc_transport *t, struct mmc_disc_info *di,
		     discfs_error *err)
{
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;
	int rc;

	mmc_cdb_read_disc_info(&c, 0, NULL, 34);
	if ((rc = mmc_fetch(t, &c, 0xFFFF, &buf, &len, err)))
		return rc;
	rc = mmc_parse_disc_info(buf, len, di, err);
	free(buf);
	return rc;
}

static int track_info(struct mmc_transport *t, unsigned number,
		      struct mmc_track_info *ti, discfs_error *err)
{
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;
	int rc;

	mmc_cdb_read_track_info(&c, MMC_RTI_TRACK, number, NULL, 48);
	if ((rc = mmc_fetch(t, &c, 0xFFFF, &buf, &len, err)))
		return dfs_wrap(err, rc, "track %u", number);
	rc = mmc_parse_track_info(buf, len, ti, err);
	free(buf);
	return rc;
}

static void to_public_track(const struct mmc_track_info *ti,
			    discfs_track_info *o)
{
	memset(o, 0, sizeof(*o));
	o->number = ti->track;
	o->session = ti->session;
	o->start = ti->start;
	o->size = ti->size;
	o->nwa = ti->nwa;
	o->free_blocks = ti->free_blocks;
	o->last_recorded = ti->lra;
	o->packet_size = ti->packet_size;
	o->track_mode = ti->track_mode;
	o->data_mode = ti->data_mode;
	o->blank = ti->blank;
	o->nwa_valid = ti->nwa_v;
	o->lra_valid = ti->lra_v;
	o->reserved = ti->rt;
	o->packet = ti->packet;
	o->fixed_packet = ti->fp;
	o->damaged = ti->damage;
}

static int read_tracks(struct mmc_transport *t, const struct mmc_disc_info *di,
		       discfs_media_info *o, discfs_error *err)
{
	unsigned first = di->first_track ? di->first_track : 1;
	unsigned last = di->last_track_last_session;

	if (last < first)
		return 0;
	if (last - first + 1 > MMC_QUERY_MAX_TRACKS)
		return dfs_fail(err, DISCFS_EPROTO,
				"disc information: %u tracks", last - first + 1);
	o->tracks = calloc(last - first + 1, sizeof(*o->tracks));
	if (!o->tracks)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (unsigned n = first; n <= last; n++) {
		struct mmc_track_info ti;
		int rc = track_info(t, n, &ti, err);
		if (rc)
			return rc;
		to_public_track(&ti, &o->tracks[o->n_tracks++]);
	}
	o->first_track = first;
	o->last_track = last;
	return 0;
}

/* Formatted size (or maximum formattable) from READ FORMAT CAPACITIES. */
static void format_state(struct mmc_transport *t, discfs_media_info *o,
			 uint64_t *format_blocks)
{
	struct mmc_format_caps fc;
	struct mmc_cmd c;
	uint8_t buf[4 + 8 * 33];

	*format_blocks = 0;
	memset(buf, 0, sizeof(buf));
	mmc_cdb_read_format_capacities(&c, buf, sizeof(buf));
	if (mmc_run(t, &c, NULL))
		return;
	/* 255 list bytes at most: the buffer always holds the full list. */
	if (mmc_parse_format_caps(buf, mmc_cmd_received(&c), &fc, NULL))
		return;
	o->formatted = fc.cur_type == MMC_CAP_FORMATTED;
	if (fc.cur_type == MMC_CAP_FORMATTED ||
	    fc.cur_type == MMC_CAP_UNFORMATTED)
		*format_blocks = fc.cur_blocks;
	/* fixed packets cost their link blocks: what a file system written
	 * in place on this CD-RW will really have */
	for (size_t i = 0; o->profile == MMC_PROF_CD_RW && i < fc.n; i++)
		if (fc.d[i].type == 0x10 && fc.d[i].blocks > o->packet_blocks)
			o->packet_blocks = fc.d[i].blocks;
}

/* Sequential media: only writable tracks have free blocks, and recorded
 * blocks are known per track.  Random-access media: every block of the
 * (formatted or formattable) area can be written in place and the drive
 * does not know which ones the file system uses (drives report 0 or all
 * as the track's free blocks), so all of it is free and none used. */
static void account(discfs_media_info *o, uint64_t format_blocks)
{
	bool random = mmc_media_random_access(o);
	uint64_t end = 0;

	for (size_t i = 0; i < o->n_tracks; i++) {
		const discfs_track_info *tr = &o->tracks[i];
		if (tr->nwa_valid)
			o->free_blocks += tr->free_blocks;
		if (tr->nwa_valid && !tr->blank)
			o->used_blocks += tr->nwa - tr->start;
		else if (!tr->nwa_valid && !tr->blank)
			o->used_blocks += tr->size;
		if ((uint64_t)tr->start + tr->size > end)
			end = (uint64_t)tr->start + tr->size;
		if (tr->nwa_valid && !o->next_writable_valid) {
			o->next_writable = tr->nwa;
			o->next_writable_valid = true;
		}
	}
	if (random) {
		o->capacity_blocks = format_blocks ? format_blocks : end;
		o->free_blocks = o->capacity_blocks;
		o->used_blocks = 0;
	} else {
		o->capacity_blocks = end;
		if (o->disc_status == DISCFS_DISC_COMPLETE &&
		    o->last_lba + 1ull > end && o->last_lba)
			o->capacity_blocks = o->last_lba + 1ull;
	}
}

static void read_capacity(struct mmc_transport *t, discfs_media_info *o)
{
	struct mmc_capacity cap;
	struct mmc_cmd c;
	uint8_t buf[8];

	memset(buf, 0, sizeof(buf));
	mmc_cdb_read_capacity(&c, buf);
	if (!mmc_run(t, &c, NULL) &&
	    !mmc_parse_capacity(buf, mmc_cmd_received(&c), &cap, NULL))
		o->last_lba = cap.last_lba;
}

/* DVD/BD write protection status (READ DISC STRUCTURE C0h): software,
 * persistent or media-specific protection bits of byte 4. */
static void write_protection(struct mmc_transport *t, discfs_media_info *o)
{
	struct mmc_disc_structure ds;
	struct mmc_cmd c;
	uint8_t buf[8];

	if (o->profile < MMC_PROF_DVD_ROM)
		return;
	memset(buf, 0, sizeof(buf));
	mmc_cdb_read_disc_structure(&c, o->profile >= MMC_PROF_BD_ROM ? 1 : 0,
				    0, 0, 0xC0, buf, sizeof(buf));
	if (mmc_run(t, &c, NULL))
		return;
	if (!mmc_parse_disc_structure(buf, mmc_cmd_received(&c), &ds, NULL) &&
	    ds.size >= 1)
		o->write_protected = ds.data[0] & 0x07;
}

int mmc_query_media(struct mmc_transport *t, discfs_media_info *out,
		    discfs_error *err)
{
	struct mmc_disc_info di;
	uint64_t format_blocks = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = settle(t, err);
	if (rc <= 0)
		return rc;
	if ((rc = current_profile(t, &out->profile, err)))
		return rc;
	if (out->profile == MMC_PROF_NONE)
		return 0;
	out->present = true;
	if ((rc = disc_info(t, &di, err)))
		return rc;
	out->disc_status = di.disc_status;
	out->last_session_state = di.last_session_state;
	out->erasable = di.erasable;
	out->bg_format_status = di.bg_format_status;
	out->sessions = di.sessions;
	if ((rc = read_tracks(t, &di, out, err))) {
		free(out->tracks);
		out->tracks = NULL;
		out->n_tracks = 0;
		return rc;
	}
	read_capacity(t, out);
	if (profile_formattable(out->profile))
		format_state(t, out, &format_blocks);
	write_protection(t, out);
	account(out, format_blocks);
	return 0;
}
