/*
 * lib/burn_erase.c - discfs_erase (BLANK) and discfs_format (FORMAT UNIT
 * with a descriptor chosen from READ FORMAT CAPACITIES), mmc-notes §1.6,
 * §1.9, §4 F/G/K/L.  Both run Immed and poll the drive, reporting its
 * progress; they are not interrupted half-way (a half-blanked or
 * half-formatted disc is worse than waiting), so cancel is only checked
 * before starting.
 */
#include <string.h>

#include "lib/burn_ctx.h"
#include "lib/burn_steps.h"
#include "lib/drive_internal.h"
#include "mmc/cdb.h"
#include "mmc/mmc_defs.h"
#include "util/err.h"

static const discfs_op_opts no_opts;

static int media(discfs_drive *d, discfs_media_info *mi, discfs_error *err)
{
	int rc = discfs_media_info_get(d, mi, err);
	if (rc < 0)
		return rc;
	if (!mi->present) {
		discfs_media_info_free(mi);
		return dfs_fail(err, DISCFS_ENOMEDIUM, "no disc in the drive");
	}
	if (mi->write_protected) {
		discfs_media_info_free(mi);
		return dfs_fail(err, DISCFS_EPROTECT,
				"the disc is write-protected");
	}
	return 0;
}

static int erase_held(discfs_drive *drive, bool full,
		      const discfs_op_opts *opts, discfs_error *err)
{
	discfs_media_info mi;
	struct burn_ctx ctx;
	uint16_t prof;
	int rc;

	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "erase: no drive");
	if (!opts)
		opts = &no_opts;
	bc_init(&ctx, opts->progress, opts->user, opts->cancel);
	bc_action(&ctx, DISCFS_ACTION_VALIDATING, 0, 0);
	rc = media(drive, &mi, err);
	if (rc < 0)
		return rc;
	prof = mi.profile;
	discfs_media_info_free(&mi);
	if (prof != MMC_PROF_CD_RW && prof != MMC_PROF_DVD_RW_SEQ &&
	    prof != MMC_PROF_DVD_RW_RO) {
		if (prof == MMC_PROF_DVD_PLUS_RW || prof == MMC_PROF_BD_RE ||
		    prof == MMC_PROF_DVD_RAM || prof == MMC_PROF_DVD_PLUS_RW_DL)
			return dfs_fail(err, DISCFS_ENOTSUP,
					"%s is rewritten in place and needs no "
					"erase (use format to reformat it)",
					discfs_profile_name(prof));
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"%s cannot be erased (only CD-RW and DVD-RW)",
				discfs_profile_name(prof));
	}
	if (bc_cancelled(&ctx))
		return dfs_fail(err, DISCFS_ECANCELED, "erase cancelled");
	bc_action(&ctx, DISCFS_ACTION_ERASING, 0, 0);
	rc = bs_blank(discfs_drive_transport(drive),
		      full ? MMC_BLANK_FULL : MMC_BLANK_MINIMAL, &ctx, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "erasing");
	bc_action(&ctx, DISCFS_ACTION_COMPLETED, 0, 0);
	return 0;
}

/* Index of the descriptor of type with the most (largest) or fewest
 * blocks, or -1. */
static int pick(const struct mmc_format_caps *fc, uint8_t type, bool largest)
{
	int best = -1;
	for (size_t i = 0; i < fc->n; i++) {
		if (fc->d[i].type != type)
			continue;
		if (best < 0 || (largest ? fc->d[i].blocks > fc->d[best].blocks
					 : fc->d[i].blocks < fc->d[best].blocks))
			best = (int)i;
	}
	return best;
}

/* Chooses the descriptor for this medium and options; -1 with err. */
static int choose(const discfs_media_info *mi, const struct mmc_format_caps *fc,
		  const discfs_format_opts *o, discfs_error *err)
{
	int i = -1;

	switch (mi->profile) {
	case MMC_PROF_DVD_PLUS_RW:
	case MMC_PROF_DVD_PLUS_RW_DL:
		i = pick(fc, 0x26, true);
		break;
	case MMC_PROF_DVD_RW_SEQ:
	case MMC_PROF_DVD_RW_RO:
		if (o->quick)
			i = pick(fc, 0x15, true);
		if (i < 0)
			i = pick(fc, 0x10, true);
		if (i < 0)
			i = pick(fc, 0x00, true);
		break;
	case MMC_PROF_DVD_RAM:
		if (o->spare == DISCFS_SPARE_NONE)
			break;
		i = pick(fc, 0x00, o->spare != DISCFS_SPARE_MAX);
		break;
	case MMC_PROF_BD_RE:
		if (o->spare == DISCFS_SPARE_NONE)
			i = pick(fc, 0x31, true);
		else if (o->spare == DISCFS_SPARE_DEFAULT)
			i = pick(fc, 0x00, true) >= 0 ? pick(fc, 0x00, true)
						      : pick(fc, 0x30, true);
		else
			i = pick(fc, 0x30, o->spare == DISCFS_SPARE_MIN);
		break;
	case MMC_PROF_CD_RW:
		/* fixed packets (10h) would erase the disc: only a blank one,
		 * or one already formatted with fixed packets, is taken */
		if (mi->disc_status != DISCFS_DISC_BLANK &&
		    !(mi->n_tracks == 1 && mi->tracks[0].fixed_packet))
			return dfs_fail(err, DISCFS_EWRONGMEDIA,
					"only a blank CD-RW can be formatted "
					"(erase it first)");
		i = pick(fc, 0x10, true);
		break;
	case MMC_PROF_BD_R_SRM:
		if (o->spare == DISCFS_SPARE_NONE)
			return dfs_fail(err, DISCFS_EINVAL,
					"a BD-R without spares needs no format: "
					"burn it directly");
		if (mi->disc_status != DISCFS_DISC_BLANK)
			return dfs_fail(err, DISCFS_EWRONGMEDIA,
					"only a blank BD-R can be formatted");
		i = pick(fc, 0x32, o->spare == DISCFS_SPARE_MIN);
		if (i < 0)
			i = pick(fc, 0x00, true);
		break;
	default:
		return dfs_fail(err, DISCFS_EWRONGMEDIA,
				"%s cannot be formatted",
				discfs_profile_name(mi->profile));
	}
	if (i < 0)
		return dfs_fail(err, DISCFS_ENOTSUP,
				"the drive offers no format of that kind for %s",
				discfs_profile_name(mi->profile));
	return i;
}

static int format_held(discfs_drive *drive, const discfs_format_opts *opts,
		       discfs_error *err)
{
	static const discfs_format_opts none;
	struct mmc_transport *t;
	struct mmc_format_caps fc;
	const struct mmc_format_desc *d;
	discfs_media_info mi;
	struct burn_ctx ctx;
	uint8_t params[MMC_FORMAT_PARAMS_LEN];
	uint8_t fov = 0;
	int rc, i;

	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "format: no drive");
	if (!opts)
		opts = &none;
	t = discfs_drive_transport(drive);
	bc_init(&ctx, opts->op.progress, opts->op.user, opts->op.cancel);
	bc_action(&ctx, DISCFS_ACTION_VALIDATING, 0, 0);
	rc = media(drive, &mi, err);
	if (rc < 0)
		return rc;
	rc = bs_format_caps(t, &fc, err);
	i = rc < 0 ? rc : choose(&mi, &fc, opts, err);
	if (mi.profile == MMC_PROF_DVD_RAM || mi.profile == MMC_PROF_BD_RE)
		fov = MMC_FMT_FOV; /* reformat what is formatted */
	discfs_media_info_free(&mi);
	if (i < 0)
		return i;
	if (bc_cancelled(&ctx))
		return dfs_fail(err, DISCFS_ECANCELED, "format cancelled");
	d = &fc.d[i];
	mmc_format_params(params, fov, d->blocks, d->type, d->subtype,
			  d->param);
	bc_action(&ctx, DISCFS_ACTION_FORMATTING, 0, d->blocks);
	rc = bs_format(t, params, &ctx, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "formatting (type %02Xh, %u blocks)",
				d->type, d->blocks);
	bc_action(&ctx, DISCFS_ACTION_COMPLETED, 0, d->blocks);
	return 0;
}

/* The public calls: the tray stays locked while the drive works. */
int discfs_erase(discfs_drive *drive, bool full, const discfs_op_opts *opts,
		 discfs_error *err)
{
	int rc;
	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "erase: no drive");
	dfs_tray_hold(drive, true);
	rc = erase_held(drive, full, opts, err);
	dfs_tray_hold(drive, false);
	return rc;
}

int discfs_format(discfs_drive *drive, const discfs_format_opts *opts,
		  discfs_error *err)
{
	int rc;
	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "format: no drive");
	dfs_tray_hold(drive, true);
	rc = format_held(drive, opts, err);
	dfs_tray_hold(drive, false);
	return rc;
}
