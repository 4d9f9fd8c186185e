/*
 * fused/fs_int.h - shared helpers of the FUSE handlers (fs_*.c); private
 * to the daemon.  Every handler: m = dfs_req_mount(req), lock, work on
 * m->store, reply, unlock.
 */
#ifndef DFS_FUSED_FS_INT_H
#define DFS_FUSED_FS_INT_H

#include "fused/mount.h"

#define DFS_TIMEOUT 86400.0 /* only we change the tree: cache it long */

static inline struct dfs_mount *dfs_req_mount(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

void dfs_fill_stat(const struct stg_inode *in, struct stat *st);

/* Replies with an entry for in, counting the kernel's new reference. */
void dfs_reply_entry(fuse_req_t req, struct stg_inode *in);

/* Creates an entry owned by the caller (no reply); 0 or -errno. */
int dfs_make(fuse_req_t req, fuse_ino_t parent, const char *name,
	     uint32_t mode, dev_t rdev, struct stg_inode **out);

/* Marks a change now (commit_idle counts from the last one). */
void dfs_touched(struct dfs_mount *m);

void dfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void dfs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		mode_t mode, struct fuse_file_info *fi);
void dfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	      struct fuse_file_info *fi);
void dfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
	       off_t off, struct fuse_file_info *fi);
void dfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
	       struct fuse_file_info *fi);
void dfs_statfs(fuse_req_t req, fuse_ino_t ino);
void dfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void dfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi);
void dfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void dfs_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		  struct fuse_file_info *fi);
void dfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		  const char *value, size_t size, int flags);
void dfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		  size_t size);
void dfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void dfs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

#endif
