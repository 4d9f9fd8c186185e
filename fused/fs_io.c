/*
 * fused/fs_io.c - FUSE handlers for file contents and space: open, create,
 * read, write, fsync, statfs.  Staged bytes go to the store's segments;
 * ENOSPC comes as soon as a write would no longer fit on the disc.
 */
#include "fused/fs_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

uint64_t dfs_space_left(const struct dfs_mount *m)
{
	/*
	 * Each new entry costs a file entry block, its name in the directory,
	 * and up to a block of rounding of its data: two blocks covers all
	 * three.  Attribute-only changes of committed entries (a new file
	 * entry each on write-once media) come out of the reserve.
	 */
	uint64_t used = m->store.tree.staged_bytes +
			m->store.tree.n_new * 2 * DISCFS_BLOCK_SIZE +
			m->reserve_bytes;

	return m->disc.free_bytes > used ? m->disc.free_bytes - used : 0;
}

static int truncate_on_open(struct dfs_mount *m, fuse_ino_t ino, int flags)
{
	struct stg_inode *in = stg_tree_inode(&m->store.tree, ino);

	if (!in)
		return -ENOENT;
	if (!(flags & O_TRUNC) || !S_ISREG(in->mode) || in->size == 0)
		return 0;
	dfs_touched(m);
	return stg_setattr(&m->store, ino, STG_SET_SIZE, 0, 0, 0, 0, 0, 0);
}

void dfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = truncate_on_open(m, ino, fi->flags);
	pthread_mutex_unlock(&m->lock);
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	fi->keep_cache = 1; /* all writes pass through us: the cache stays true */
	fuse_reply_open(req, fi);
}

void dfs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		mode_t mode, struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);
	struct fuse_entry_param e = {
		.generation = 1, .attr_timeout = DFS_TIMEOUT,
		.entry_timeout = DFS_TIMEOUT,
	};
	struct stg_inode *in;
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = dfs_make(req, parent, name, S_IFREG | (mode & 07777), 0, &in);
	if (rc < 0) {
		fuse_reply_err(req, -rc);
	} else {
		e.ino = in->ino;
		dfs_fill_stat(in, &e.attr);
		stg_tree_ref(in);
		fi->keep_cache = 1;
		if (fuse_reply_create(req, &e, fi) == -ENOENT)
			stg_tree_unref(&m->store.tree, in);
	}
	pthread_mutex_unlock(&m->lock);
}

void dfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	      struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);
	char *buf = malloc(size ? size : 1);
	ssize_t n;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&m->lock);
	n = stg_read(&m->store, ino, (uint64_t)off, buf, size);
	pthread_mutex_unlock(&m->lock);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

void dfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
	       off_t off, struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);
	ssize_t n = -ENOSPC;

	pthread_mutex_lock(&m->lock);
	if (m->store.broken == EROFS) /* a closed disc: not a full one */
		n = -EROFS;
	else if (size <= dfs_space_left(m))
		n = stg_write(&m->store, ino, (uint64_t)off, buf, size);
	if (n >= 0)
		dfs_touched(m);
	pthread_mutex_unlock(&m->lock);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

void dfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
	       struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);
	discfs_error err;
	int rc;

	/* fsync of a file makes the staged state durable (not a commit). */
	pthread_mutex_lock(&m->lock);
	rc = stg_store_sync(&m->store, &err);
	pthread_mutex_unlock(&m->lock);
	fuse_reply_err(req, rc < 0 ? EIO : 0);
}

void dfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct dfs_mount *m = dfs_req_mount(req);
	struct statvfs sv;

	memset(&sv, 0, sizeof(sv));
	pthread_mutex_lock(&m->lock);
	sv.f_bsize = DISCFS_BLOCK_SIZE;
	sv.f_frsize = DISCFS_BLOCK_SIZE;
	sv.f_blocks = m->disc.capacity_bytes / DISCFS_BLOCK_SIZE;
	sv.f_bfree = sv.f_bavail = dfs_space_left(m) / DISCFS_BLOCK_SIZE;
	sv.f_ffree = sv.f_favail = sv.f_bfree;
	sv.f_files = m->store.tree.n_inodes + sv.f_ffree;
	sv.f_namemax = STG_NAME_MAX;
	pthread_mutex_unlock(&m->lock);
	fuse_reply_statfs(req, &sv);
}
