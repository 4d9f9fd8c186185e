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
		/* In place, a cut after the first rewritten file entry leaves
		 * the disc partly old, partly committed: the journal is then
		 * replayed over it (staging.h), from the record of the tree it
		 * stacks on, kept for this. */
		.keep_base_tree = m->disc.in_place,
		.tolerate_cut_commit = m->disc.vol && m->disc.in_place &&
				       m->disc.repaired,
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
	if (rc == 0 && m->disc.closed)
		m->store.broken = EROFS; /* nothing can be appended any more */
	dfs_inomap_free(map);
	return rc;
}

static int errno_of(int discfs_rc)
{
	switch (-discfs_rc) {
	case DISCFS_ENOSPC: return ENOSPC;
	case DISCFS_ENOTSUP: case DISCFS_EWRONGMEDIA: return ENOTSUP;
	case DISCFS_EPROTECT: return EROFS;
	case DISCFS_EBUSY: case DISCFS_ENOTREADY: return EBUSY;
	case DISCFS_ENOMEDIUM: return ENOMEDIUM;
	case DISCFS_ENODEV: return ENODEV;
	/* the block layer's own errno for a drive's medium error ("critical
	 * target error"), so `discctl commit` can tell it from other EIO */
	case DISCFS_EMEDIUM: return EREMOTEIO;
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

	if (m->disc.closed) {
		snprintf(m->status, sizeof(m->status), "commit refused (%s): "
			 "the disc is closed (finalized): read-only", why);
		return -EROFS;
	}
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

/* Why this disc cannot be closed, or NULL. */
static const char *cannot_close(const struct dfs_mount *m)
{
	if (m->disc.none)
		return "no disc to close (DEV none)";
	if (m->disc.closed)
		return "the disc is already closed (finalized)";
	if (m->disc.read_only)
		return m->disc.read_only;
	if (m->disc.blank)
		return "the disc is blank: there is nothing to close";
	return NULL;
}

static int close_drive(const char *dev, discfs_error *err)
{
	discfs_drive *drive;
	int rc = discfs_open(dev, &drive, err);

	if (rc < 0)
		return rc;
	rc = discfs_close_disc(drive, err);
	discfs_close(drive);
	return rc;
}

int dfs_mount_close(struct dfs_mount *m, const char *why)
{
	discfs_error err = { 0 };
	const char *no;
	int rc;

	if (stg_store_dirty(&m->store) && (rc = dfs_mount_commit(m, why)) < 0)
		return rc; /* the status says why; nothing closed */
	if ((no = cannot_close(m))) {
		snprintf(m->status, sizeof(m->status), "close refused (%s): %s",
			 why, no);
		return -ENOTSUP;
	}
	if ((rc = close_drive(m->opt.dev, &err)) < 0) {
		snprintf(m->status, sizeof(m->status), "close failed (%s): %s",
			 why, err.msg);
		syslog(LOG_ERR, "discfs %s: %s", m->opt.mountpoint, m->status);
		return -errno_of(rc);
	}
	/* The disc changed: read it again (closed now, or a rewritable disc
	 * that was only flushed). */
	if ((rc = reload(m, &err)) < 0) {
		snprintf(m->status, sizeof(m->status), "closed (%s), but reading "
			 "the disc back failed: %s", why, err.msg);
		syslog(LOG_ERR, "discfs %s: %s", m->opt.mountpoint, m->status);
		return -EIO;
	}
	if (m->disc.closed) {
		m->store.broken = EROFS; /* nothing may be staged any more */
		snprintf(m->status, sizeof(m->status), "closed (%s): the disc "
			 "is finalized; the mount is read-only", why);
	} else {
		snprintf(m->status, sizeof(m->status), "closed (%s): rewritable "
			 "disc, flushed; nothing to finalize", why);
	}
	syslog(LOG_INFO, "discfs %s: %s", m->opt.mountpoint, m->status);
	return 0;
}
