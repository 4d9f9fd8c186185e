/*
 * fused/control.c - extended attributes, and the control channel that
 * rides on them: setting DFS_XATTR_COMMIT on the root commits (what
 * `discctl commit MOUNTPOINT` does), reading DFS_XATTR_STATUS on the root
 * tells what is staged and how the last commit went; setting
 * DFS_XATTR_CLOSE on the root commits and then finalizes the disc (what
 * `discctl close MOUNTPOINT` does).  Also the commit_idle thread, and
 * close_on_unmount at the end of serving.  (The commit itself: mount.c.)
 * An inode's attributes must fit in its file entry's EA space on the disc
 * (udf/ea_space.h, about 1 KiB in all): setxattr past that is ENOSPC.
 */
#include "fused/fs_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mmc/drive_query.h"
#include "udf/ea_space.h"
#include "udf/ecma167.h"

static int is_control(fuse_ino_t ino, const char *name)
{
	return ino == FUSE_ROOT_ID && !strncmp(name, "user.discfs.", 12);
}

/* system.* (POSIX ACLs) would need enforcing, which we do not do. */
static int storable(const char *name)
{
	return strncmp(name, "system.", 7) != 0;
}

/*
 * Whether the inode's attributes, with name set to a value of size bytes,
 * still fit in its file entry on the disc (udf/ea_space.h): past that a
 * commit could not record them, so setxattr says ENOSPC now.
 */
static bool fits_on_disc(const struct stg_inode *in, const char *name,
			 size_t size)
{
	struct udf_xattr one = { .name = name, .value_len = size };
	size_t len = udf_ea_space_len(S_ISBLK(in->mode) || S_ISCHR(in->mode),
				      &one, 1);

	if (strlen(name) > UDF_XATTR_NAME_MAX || size > UINT16_MAX)
		return false;
	for (const struct stg_xattr *x = in->xattrs; x; x = x->next) {
		struct udf_xattr o = { .name = x->data, .value_len = x->value_len };
		if (strcmp(x->data, name))
			len += udf_ea_space_len(false, &o, 1) -
			       sizeof(struct ecma_eahd);
	}
	return len <= UDF_EA_SPACE_MAX;
}

static void status_line(struct dfs_mount *m, char *out, size_t n)
{
	snprintf(out, n, "disc: %s; staged: %s, %llu bytes of file data, "
			 "%llu bytes left; staging: %s; daemon: pid %ld; last: %s",
		 m->disc.desc, stg_store_dirty(&m->store) ? "yes" : "nothing",
		 (unsigned long long)m->store.tree.staged_bytes,
		 (unsigned long long)dfs_space_left(m), m->opt.staging,
		 (long)getpid(), m->status[0] ? m->status : "no commit yet");
}

void dfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		  const char *value, size_t size, int flags)
{
	struct dfs_mount *m = dfs_req_mount(req);
	const struct stg_inode *in;
	uint32_t f = 0;
	int rc;

	if (flags & XATTR_CREATE) f |= STG_XATTR_CREATE;
	if (flags & XATTR_REPLACE) f |= STG_XATTR_REPLACE;
	pthread_mutex_lock(&m->lock);
	if (is_control(ino, name))
		rc = !strcmp(name, DFS_XATTR_COMMIT)
		     ? dfs_mount_commit(m, "discctl commit")
		     : !strcmp(name, DFS_XATTR_CLOSE)
		     ? dfs_mount_close(m, "discctl close") : -EPERM;
	else if (!storable(name))
		rc = -ENOTSUP;
	else if ((in = stg_tree_inode(&m->store.tree, ino)) &&
		 !fits_on_disc(in, name, size))
		rc = -ENOSPC;
	else if (size + strlen(name) > dfs_space_left(m))
		rc = -ENOSPC;
	else
		rc = stg_setxattr(&m->store, ino, name, value, size, f);
	if (rc == 0 && !is_control(ino, name))
		dfs_touched(m);
	pthread_mutex_unlock(&m->lock);
	fuse_reply_err(req, -rc);
}

static void reply_value(fuse_req_t req, const void *v, size_t len, size_t size)
{
	if (size == 0)
		fuse_reply_xattr(req, len);
	else if (size < len)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, v, len);
}

void dfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		  size_t size)
{
	struct dfs_mount *m = dfs_req_mount(req);
	const struct stg_inode *in;
	const struct stg_xattr *x;
	char line[1024];

	pthread_mutex_lock(&m->lock);
	in = stg_tree_inode(&m->store.tree, ino);
	if (is_control(ino, name) && !strcmp(name, DFS_XATTR_STATUS)) {
		status_line(m, line, sizeof(line));
		reply_value(req, line, strlen(line), size);
	} else if (!in) {
		fuse_reply_err(req, ENOENT);
	} else if (!(x = stg_tree_xattr(in, name, strlen(name)))) {
		fuse_reply_err(req, ENODATA);
	} else {
		reply_value(req, x->data + x->name_len + 1, x->value_len, size);
	}
	pthread_mutex_unlock(&m->lock);
}

void dfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct dfs_mount *m = dfs_req_mount(req);
	const struct stg_inode *in;
	size_t len = 0;
	char *buf;

	pthread_mutex_lock(&m->lock);
	in = stg_tree_inode(&m->store.tree, ino);
	if (!in) {
		pthread_mutex_unlock(&m->lock);
		fuse_reply_err(req, ENOENT);
		return;
	}
	for (const struct stg_xattr *x = in->xattrs; x; x = x->next)
		len += x->name_len + 1u;
	buf = malloc(len + 1);
	if (buf) {
		size_t pos = 0;
		for (const struct stg_xattr *x = in->xattrs; x; x = x->next) {
			memcpy(buf + pos, x->data, x->name_len + 1u);
			pos += x->name_len + 1u;
		}
		reply_value(req, buf, len, size);
		free(buf);
	} else {
		fuse_reply_err(req, ENOMEM);
	}
	pthread_mutex_unlock(&m->lock);
}

void dfs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct dfs_mount *m = dfs_req_mount(req);
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = is_control(ino, name) ? -EPERM : stg_rmxattr(&m->store, ino, name);
	if (rc == 0)
		dfs_touched(m);
	pthread_mutex_unlock(&m->lock);
	fuse_reply_err(req, -rc);
}

/* ------------------------------------------------------- commit_idle */

static void *idle_main(void *arg)
{
	struct dfs_mount *m = arg;
	int64_t idle_ns = (int64_t)m->opt.commit_idle * 1000000000;

	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&m->idle_cond, &m->lock, &until);
		/* Retry a failed commit only after new changes. */
		if (!m->stopping && stg_store_dirty(&m->store) &&
		    m->last_change && stg_now() - m->last_change >= idle_ns) {
			dfs_mount_commit(m, "idle");
			m->last_change = 0;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int dfs_idle_start(struct dfs_mount *m)
{
	if (!m->opt.commit_idle)
		return 0;
	pthread_cond_init(&m->idle_cond, NULL);
	if (pthread_create(&m->idle_thread, NULL, idle_main, m) != 0)
		return -1;
	m->idle_running = true;
	return 0;
}

/* -o close_on_unmount: like Windows on eject, a write-once disc that was
 * written to is committed and finalized when the mount ends. */
static void close_on_unmount(struct dfs_mount *m)
{
	pthread_mutex_lock(&m->lock);
	if (!m->disc.none && !m->disc.closed && !m->disc.read_only &&
	    !m->store.broken && !m->disc.in_place &&
	    (!m->disc.blank || stg_store_dirty(&m->store)) &&
	    dfs_mount_close(m, "unmount") < 0)
		fprintf(stderr, "discfs: %s\n", m->status);
	pthread_mutex_unlock(&m->lock);
}

void dfs_idle_stop(struct dfs_mount *m)
{
	if (m->idle_running) {
		pthread_mutex_lock(&m->lock);
		m->stopping = true;
		pthread_cond_signal(&m->idle_cond);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->idle_thread, NULL);
		m->idle_running = false;
	}
	if (m->opt.close_on_unmount)
		close_on_unmount(m);
}
