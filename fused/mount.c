/*
 * fused/mount.c - the life of a mount's store and disc: opening the store
 * on the disc, committing, and after a commit reloading the tree from the
 * disc.  The reload gives every entry the inode number it had (inomap.h),
 * so nothing the kernel cached goes stale.
 */
#include "fused/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/*
 * A commit cut short is recognised as finished on write-once media, where
 * a volume that reads back is complete by construction (the VAT is
 * written last; a cut-short increment has its previous VAT copied to the
 * end at open and keeps the old generation, disc.c), and on rewritable
 * media whose volume did not need a repair at open (its LVID was closed:
 * the in-place update finished).
 */
static bool write_once(uint16_t profile)
{
	const char *m = dfs_disc_media_name(profile);

	return m && (!strcmp(m, "cd-r") || !strcmp(m, "dvd-r") ||
		     !strcmp(m, "dvd+r") || !strcmp(m, "dvd-r-dl") ||
		     !strcmp(m, "dvd+r-dl") || !strcmp(m, "bd-r"));
}

int dfs_mount_open_store(struct dfs_mount *m, discfs_error *err)
{
	struct stg_params p = {
		.root_mode = 0755, .uid = getuid(), .gid = getgid(),
		.generation = m->disc.generation, .load = dfs_disc_load,
		.read = dfs_disc_read, .disc_ctx = &m->disc,
		.adopt_finished_commit = m->disc.vol &&
			(write_once(m->disc.profile) || !m->disc.repaired),
	};

	struct dfs_inomap *map = NULL;
	int dirfd = open(m->opt.staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (dirfd >= 0) {
		dfs_inomap_load(dirfd, m->disc.generation, &map);
		close(dirfd);
	}
	m->disc.map = map;
	rc = stg_store_open(&m->store, m->opt.staging, &p, err);
	m->disc.map = NULL;
	dfs_inomap_free(map);
	return rc;
}

static int errno_of(int discfs_rc)
{
	switch (-discfs_rc) {
	case DISCFS_ENOSPC: return ENOSPC;
	case DISCFS_ENOTSUP: case DISCFS_EWRONGMEDIA: return ENOTSUP;
	case DISCFS_EPROTECT: return EROFS;
	case DISCFS_EBUSY: return EBUSY;
	case DISCFS_ENOMEDIUM: return ENOMEDIUM;
	default: return EIO;
	}
}

/* After a commit: the disc changed, so the committed tree is read again. */
static int reload(struct dfs_mount *m, discfs_error *err)
{
	int rc;

	stg_store_close(&m->store);
	dfs_disc_close(&m->disc);
	rc = dfs_disc_open(&m->disc, m->opt.dev, m->opt.capacity, NULL, err);
	if (rc == 0)
		rc = dfs_mount_open_store(m, err);
	if (rc == 0)
		stg_tree_pin_all(&m->store.tree); /* the kernel knows these */
	if (rc < 0) {
		/* Nothing sound to serve: every change fails, then we leave. */
		m->store.broken = EIO;
		if (m->se)
			fuse_session_exit(m->se);
	}
	return rc;
}

int dfs_mount_commit(struct dfs_mount *m, const char *why)
{
	discfs_error err = { 0 };
	int rc;

	if (m->store.broken)
		return -EIO;
	bool dirty = stg_store_dirty(&m->store);

	rc = dfs_commit(&m->store, m->writer, m->opt.staging, &err);
	if (rc < 0) {
		snprintf(m->status, sizeof(m->status), "commit failed (%s): %s",
			 why, err.msg);
		syslog(LOG_ERR, "discfs %s: %s", m->opt.mountpoint, m->status);
		return -errno_of(rc);
	}
	/* Something was written: the committed tree is read again (even when
	 * the disc's generation string did not change, e.g. a same-size
	 * rewrite on a rewritable disc). */
	if (dirty) {
		rc = reload(m, &err);
		if (rc < 0) {
			snprintf(m->status, sizeof(m->status),
				 "committed (%s), but reading the disc back "
				 "failed: %s", why, err.msg);
			syslog(LOG_ERR, "discfs %s: %s", m->opt.mountpoint, m->status);
			return -EIO;
		}
	}
	snprintf(m->status, sizeof(m->status), "committed (%s)", why);
	return 0;
}
