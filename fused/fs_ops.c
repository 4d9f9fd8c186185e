/*
 * fused/fs_ops.c - FUSE low-level handlers for names and attributes, and
 * the table of all handlers.  Each maps one kernel request onto one store
 * call (one journal record), under the mount lock.
 */
#include "fused/fs_int.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

static struct timespec ts_of(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };

	if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += 1000000000;
	}
	return ts;
}

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

void dfs_fill_stat(const struct stg_inode *in, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = in->ino;
	st->st_mode = in->mode;
	st->st_nlink = in->nlink;
	st->st_uid = in->uid;
	st->st_gid = in->gid;
	st->st_rdev = in->rdev;
	st->st_size = (off_t)in->size;
	st->st_blksize = 1 << 20;
	st->st_blocks = (blkcnt_t)((in->size + 511) / 512);
	st->st_atim = ts_of(in->atime);
	st->st_mtim = ts_of(in->mtime);
	st->st_ctim = ts_of(in->ctime);
}

void dfs_reply_entry(fuse_req_t req, struct stg_inode *in)
{
	struct fuse_entry_param e = {
		.ino = in->ino, .generation = 1,
		.attr_timeout = DFS_TIMEOUT, .entry_timeout = DFS_TIMEOUT,
	};

	dfs_fill_stat(in, &e.attr);
	stg_tree_ref(in);
	if (fuse_reply_entry(req, &e) == -ENOENT)
		stg_tree_unref(&dfs_req_mount(req)->store.tree, in); /* interrupted */
}

void dfs_touched(struct dfs_mount *m)
{
	m->last_change = stg_now();
}

static void dfs_init(void *userdata, struct fuse_conn_info *conn)
{
	const struct dfs_mount *m = userdata;

	/* Bigger requests: fewer round trips for large files.  No splice:
	 * for the many small requests of a copy it costs more syscalls. */
	conn->want &= ~(unsigned)(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
				  FUSE_CAP_SPLICE_MOVE);
	conn->max_write = 1u << 20;
	conn->max_readahead = 1u << 20;
	conn->want &= ~(unsigned)FUSE_CAP_HANDLE_KILLPRIV;
	if (m->opt.writeback && (conn->capable & FUSE_CAP_WRITEBACK_CACHE))
		conn->want |= FUSE_CAP_WRITEBACK_CACHE;
	else
		conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
}

static void dfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct dfs_mount *m = dfs_req_mount(req);
	struct stg_inode *dir;
	struct stg_dentry *d;

	pthread_mutex_lock(&m->lock);
	dir = stg_tree_inode(&m->store.tree, parent);
	d = dir ? stg_tree_lookup(&m->store.tree, dir, name, strlen(name)) : NULL;
	if (d) {
		dfs_reply_entry(req, d->inode);
	} else if (dir) {
		/* A cached negative entry spares the next lookup of this name. */
		struct fuse_entry_param e = { .ino = 0, .entry_timeout = DFS_TIMEOUT };
		fuse_reply_entry(req, &e);
	} else {
		fuse_reply_err(req, ENOENT);
	}
	pthread_mutex_unlock(&m->lock);
}

static void forget_one(struct dfs_mount *m, fuse_ino_t ino, uint64_t n)
{
	struct stg_inode *in = stg_tree_inode(&m->store.tree, ino);

	if (in)
		stg_tree_unref_n(&m->store.tree, in, n);
}

static void dfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct dfs_mount *m = dfs_req_mount(req);

	pthread_mutex_lock(&m->lock);
	forget_one(m, ino, nlookup);
	pthread_mutex_unlock(&m->lock);
	fuse_reply_none(req);
}

static void dfs_forget_multi(fuse_req_t req, size_t count,
			     struct fuse_forget_data *forgets)
{
	struct dfs_mount *m = dfs_req_mount(req);

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < count; i++)
		forget_one(m, forgets[i].ino, forgets[i].nlookup);
	pthread_mutex_unlock(&m->lock);
	fuse_reply_none(req);
}

static void reply_attr_of(fuse_req_t req, struct dfs_mount *m, fuse_ino_t ino)
{
	struct stg_inode *in = stg_tree_inode(&m->store.tree, ino);
	struct stat st;

	if (!in) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	dfs_fill_stat(in, &st);
	fuse_reply_attr(req, &st, DFS_TIMEOUT);
}

static void dfs_getattr(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);

	pthread_mutex_lock(&m->lock);
	reply_attr_of(req, m, ino);
	pthread_mutex_unlock(&m->lock);
}

static uint32_t setattr_valid(int to_set)
{
	uint32_t v = 0;

	if (to_set & FUSE_SET_ATTR_MODE) v |= STG_SET_MODE;
	if (to_set & FUSE_SET_ATTR_UID) v |= STG_SET_UID;
	if (to_set & FUSE_SET_ATTR_GID) v |= STG_SET_GID;
	if (to_set & FUSE_SET_ATTR_SIZE) v |= STG_SET_SIZE;
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW)) v |= STG_SET_ATIME;
	if (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW)) v |= STG_SET_MTIME;
	return v;
}

static void dfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			int to_set, struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);
	int64_t now = stg_now();
	int64_t atime = to_set & FUSE_SET_ATTR_ATIME_NOW ? now : ns_of(&attr->st_atim);
	int64_t mtime = to_set & FUSE_SET_ATTR_MTIME_NOW ? now : ns_of(&attr->st_mtim);
	uint32_t valid = setattr_valid(to_set);
	struct stg_inode *in;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	in = stg_tree_inode(&m->store.tree, ino);
	if (m->store.broken == EROFS && valid)
		rc = -EROFS; /* a closed disc: not a full one */
	else if (in && (valid & STG_SET_SIZE) && (uint64_t)attr->st_size > in->size &&
	    (uint64_t)attr->st_size - in->size > dfs_space_left(m))
		rc = -ENOSPC; /* a hole must fit on the disc too */
	if (rc == 0 && valid)
		rc = stg_setattr(&m->store, ino, valid, attr->st_mode, attr->st_uid,
				 attr->st_gid, (uint64_t)attr->st_size, atime, mtime);
	if (rc < 0) {
		fuse_reply_err(req, -rc);
	} else {
		if (valid)
			dfs_touched(m);
		reply_attr_of(req, m, ino);
	}
	pthread_mutex_unlock(&m->lock);
}

static void dfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct dfs_mount *m = dfs_req_mount(req);
	struct stg_inode *in;

	pthread_mutex_lock(&m->lock);
	in = stg_tree_inode(&m->store.tree, ino);
	if (!in)
		fuse_reply_err(req, ENOENT);
	else if (!in->symlink)
		fuse_reply_err(req, EINVAL);
	else
		fuse_reply_readlink(req, in->symlink);
	pthread_mutex_unlock(&m->lock);
}

/* Owner of a new entry: the caller, with a setgid directory's group. */
static void new_owner(fuse_req_t req, const struct stg_inode *dir,
		      uint32_t *mode, uint32_t *uid, uint32_t *gid)
{
	const struct fuse_ctx *c = fuse_req_ctx(req);

	*uid = c->uid;
	*gid = c->gid;
	if (dir && (dir->mode & S_ISGID)) {
		*gid = dir->gid;
		if (S_ISDIR(*mode))
			*mode |= S_ISGID;
	}
}

int dfs_make(fuse_req_t req, fuse_ino_t parent, const char *name,
	     uint32_t mode, dev_t rdev, struct stg_inode **out)
{
	struct dfs_mount *m = dfs_req_mount(req);
	struct stg_inode *dir = stg_tree_inode(&m->store.tree, parent);
	uint32_t uid, gid;
	int rc;

	if (m->store.broken == EROFS)
		return -EROFS; /* a closed disc: not a full one */
	if (dfs_space_left(m) < 2 * DISCFS_BLOCK_SIZE)
		return -ENOSPC;
	new_owner(req, dir, &mode, &uid, &gid);
	rc = stg_mknod(&m->store, parent, name, mode, uid, gid, rdev, out);
	if (rc == 0)
		dfs_touched(m);
	return rc;
}

static void dfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, dev_t rdev)
{
	struct dfs_mount *m = dfs_req_mount(req);
	struct stg_inode *in;
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = dfs_make(req, parent, name, mode, rdev, &in);
	if (rc < 0)
		fuse_reply_err(req, -rc);
	else
		dfs_reply_entry(req, in);
	pthread_mutex_unlock(&m->lock);
}

static void dfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode)
{
	dfs_mknod(req, parent, name, (mode & 07777) | S_IFDIR, 0);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name,
			bool is_dir)
{
	struct dfs_mount *m = dfs_req_mount(req);
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = stg_unlink(&m->store, parent, name, is_dir);
	if (rc == 0)
		dfs_touched(m);
	fuse_reply_err(req, -rc);
	pthread_mutex_unlock(&m->lock);
}

static void dfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, false);
}

static void dfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, true);
}

static void dfs_symlink(fuse_req_t req, const char *target, fuse_ino_t parent,
			const char *name)
{
	struct dfs_mount *m = dfs_req_mount(req);
	const struct fuse_ctx *c = fuse_req_ctx(req);
	struct stg_inode *in, *dir;
	uint32_t gid = c->gid;
	int rc = -ENOSPC;

	pthread_mutex_lock(&m->lock);
	dir = stg_tree_inode(&m->store.tree, parent);
	if (dir && (dir->mode & S_ISGID))
		gid = dir->gid;
	if (m->store.broken == EROFS)
		rc = -EROFS;
	else if (dfs_space_left(m) >= 2 * DISCFS_BLOCK_SIZE)
		rc = stg_symlink(&m->store, parent, name, target, c->uid, gid, &in);
	if (rc < 0) {
		fuse_reply_err(req, -rc);
	} else {
		dfs_touched(m);
		dfs_reply_entry(req, in);
	}
	pthread_mutex_unlock(&m->lock);
}

static void dfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		       fuse_ino_t newparent, const char *newname,
		       unsigned int flags)
{
	struct dfs_mount *m = dfs_req_mount(req);
	int rc;

	if (flags & ~(unsigned)RENAME_NOREPLACE) {
		fuse_reply_err(req, EINVAL); /* RENAME_EXCHANGE, WHITEOUT */
		return;
	}
	pthread_mutex_lock(&m->lock);
	rc = stg_rename(&m->store, parent, name, newparent, newname,
			flags & RENAME_NOREPLACE ? STG_RENAME_NOREPLACE : 0);
	if (rc == 0)
		dfs_touched(m);
	fuse_reply_err(req, -rc);
	pthread_mutex_unlock(&m->lock);
}

static void dfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		     const char *newname)
{
	struct dfs_mount *m = dfs_req_mount(req);
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = stg_link(&m->store, ino, newparent, newname);
	if (rc < 0) {
		fuse_reply_err(req, -rc);
	} else {
		dfs_touched(m);
		dfs_reply_entry(req, stg_tree_inode(&m->store.tree, ino));
	}
	pthread_mutex_unlock(&m->lock);
}

const struct fuse_lowlevel_ops dfs_ops = {
	.init = dfs_init,
	.lookup = dfs_lookup,
	.forget = dfs_forget,
	.forget_multi = dfs_forget_multi,
	.getattr = dfs_getattr,
	.setattr = dfs_setattr,
	.readlink = dfs_readlink,
	.mknod = dfs_mknod,
	.mkdir = dfs_mkdir,
	.unlink = dfs_unlink,
	.rmdir = dfs_rmdir,
	.symlink = dfs_symlink,
	.rename = dfs_rename,
	.link = dfs_link,
	.open = dfs_open,
	.create = dfs_create,
	.read = dfs_read,
	.write = dfs_write,
	.fsync = dfs_fsync,
	.opendir = dfs_opendir,
	.readdir = dfs_readdir,
	.releasedir = dfs_releasedir,
	.fsyncdir = dfs_fsyncdir,
	.statfs = dfs_statfs,
	.setxattr = dfs_setxattr,
	.getxattr = dfs_getxattr,
	.listxattr = dfs_listxattr,
	.removexattr = dfs_removexattr,
};
