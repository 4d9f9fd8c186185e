/*
 * udf/fsck_api.c - discfs_fsck(): runs the checks of udf/fsck.h in order
 * and sums them up in a discfs_fsck_result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "udf/fsck.h"
#include "util/err.h"

static void run_checks(struct fsck *f)
{
	struct udf_vol *v = f->vol;
	size_t bytes = (size_t)(f->n_blocks / 8 + 1);
	f->used = calloc(bytes, 1);
	f->container = calloc(bytes, 1);
	if (!f->used || !f->container) {
		fsck_report(f, DISCFS_FSCK_ERROR, "fsck", false,
			    "out of memory for the block map of %llu blocks",
			    (unsigned long long)f->n_blocks);
		return;
	}
	fsck_check_anchors(f, &v->src);
	fsck_check_vds(f, &v->src);
	fsck_check_parts(f);
	fsck_check_tree(f);
	fsck_check_vat(f);
	fsck_check_space(f);
}

int udf_fsck_src(struct udf_bsrc *src, unsigned flags, discfs_fsck_fn fn,
		 void *user, discfs_fsck_result *res)
{
	return udf_fsck_src_at(src, 0, flags, fn, user, res);
}

int udf_fsck_src_at(struct udf_bsrc *src, uint64_t session, unsigned flags,
		    discfs_fsck_fn fn, void *user, discfs_fsck_result *res)
{
	struct fsck f = { .flags = flags, .fn = fn, .user = user, .res = res,
			  .session = session };
	struct udf_open_opts oo = { .session_start = session,
				    .last_block = UINT64_MAX };
	discfs_error e = { 0 };
	memset(res, 0, sizeof(*res));
	f.n_blocks = src->n_blocks;
	if (udf_vol_open(src, &oo, &f.vol, &e)) {
		fsck_report(&f, DISCFS_FSCK_ERROR, "volume", false,
			    "cannot read the volume: %s", e.msg);
		fsck_check_anchors(&f, src); /* names damaged anchors, if any */
		return -1;
	}
	res->opened = true;
	if (f.vol->vds_used == 1)
		fsck_report(&f, DISCFS_FSCK_ERROR, "vds", false,
			    "main volume descriptor sequence unusable; the "
			    "reserve copy was used");
	run_checks(&f);
	free(f.used);
	free(f.container);
	free(f.icbs);
	/* give the source back to the caller */
	*src = f.vol->src;
	f.vol->src = (struct udf_bsrc){ 0 };
	udf_vol_close(f.vol);
	return 0;
}

static int count_entry(void *user, const char *name, const discfs_stat *st)
{
	discfs_fsck_result *res = user;
	(void)name;
	if (S_ISDIR(st->mode))
		res->dirs++;
	else if (S_ISLNK(st->mode))
		res->symlinks++;
	else
		res->files++;
	return 0;
}

static void iso_report(discfs_fsck_fn fn, void *user, int severity,
		       discfs_fsck_result *res, const char *msg)
{
	discfs_fsck_issue is = { .severity = severity, .area = "iso9660" };
	snprintf(is.msg, sizeof(is.msg), "%s", msg);
	if (severity == DISCFS_FSCK_ERROR)
		res->errors++;
	if (fn)
		fn(user, &is);
}

/*
 * A volume with no UDF but ISO9660: there is no UDF structure to check.
 * Its whole tree is walked (the ISO9660 reader's bounds, loop and
 * record checks run on every directory), and the finding says that this
 * is all that was checked.  Returns true when it was such a volume.
 */
static bool iso_only(const char *path, discfs_fsck_fn fn, void *user,
		     discfs_fsck_result *res)
{
	discfs_volume *vol;
	discfs_volume_info vi;
	discfs_error e = { 0 };
	char msg[256];

	if (discfs_volume_open(path, &vol, NULL) < 0)
		return false;
	discfs_volume_info_get(vol, &vi);
	if (vi.format != DISCFS_VOLUME_ISO9660) {
		discfs_volume_close(vol);
		return false;
	}
	res->opened = true;
	if (discfs_volume_walk(vol, "", count_entry, res, &e) < 0) {
		snprintf(msg, sizeof(msg), "ISO9660 tree unreadable: %.200s",
			 e.msg);
		iso_report(fn, user, DISCFS_FSCK_ERROR, res, msg);
	} else {
		iso_report(fn, user, DISCFS_FSCK_INFO, res, "ISO9660 volume "
			   "without UDF: its directory tree was read; ISO9660 "
			   "structures are not checked further");
	}
	discfs_volume_close(vol);
	return true;
}

int discfs_fsck(const char *path, unsigned flags, discfs_fsck_fn fn,
		void *user, discfs_fsck_result *res, discfs_error *err)
{
	struct udf_bsrc src;
	int rc;
	memset(res, 0, sizeof(*res));
	if (!path || !*path)
		return dfs_fail(err, DISCFS_EINVAL, "no image or device given");
	if (!strncmp(path, "emu:", 4)) {
		/* writing the image behind the emulator's back would leave its
		 * recorded state (next writable address) stale */
		if (flags & DISCFS_FSCK_REPAIR)
			return dfs_fail(err, DISCFS_ENOTSUP,
					"--repair works on image files, not on "
					"emulated drives");
		path += 4;
	}
	/* find the logical block size the volume works with (2048 if none) */
	uint32_t bs = 0;
	uint64_t session = 0;
	struct udf_vol *probe;
	rc = udf_vol_open_path(path, false, &probe, NULL);
	if (rc == 0) {
		bs = probe->bs;
		session = probe->session;
		udf_vol_close(probe);
	} else if (rc == -DISCFS_EFORMAT && iso_only(path, fn, user, res)) {
		return (flags & DISCFS_FSCK_REPAIR)
		       ? dfs_fail(err, DISCFS_ENOTSUP, "--repair: an ISO9660 "
				  "volume has nothing this build repairs")
		       : 0;
	}
	rc = udf_bsrc_open_file(path, bs, flags & DISCFS_FSCK_REPAIR, &src, err);
	if (rc)
		return rc;
	udf_fsck_src_at(&src, session, flags, fn, user, res);
	udf_bsrc_close(&src);
	return 0;
}
