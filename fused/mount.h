/*
 * fused/mount.h - one mounted disc: the state the FUSE handlers share.
 *
 * Locking: one mutex guards the store, the disc and the counters; every
 * handler takes it for its whole call (the store is not thread-safe, and
 * a commit must see a still tree).  Nothing here is global: the session's
 * userdata points at the struct dfs_mount.
 */
#ifndef DFS_FUSED_MOUNT_H
#define DFS_FUSED_MOUNT_H

#define FUSE_USE_VERSION 312

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fused/commit.h"
#include "fused/commit_image.h"
#include "fused/commit_update.h"
#include "fused/disc.h"
#include "fused/staging.h"

/* Names on the root that make the control channel (discfs.h). */
#define DFS_XATTR_COMMIT DISCFS_XATTR_COMMIT /* set: commit now */
#define DFS_XATTR_STATUS DISCFS_XATTR_STATUS /* get: one-line status */
#define DFS_XATTR_CLOSE DISCFS_XATTR_CLOSE   /* set: commit, then close */

struct dfs_options {
	char *dev, *mountpoint, *staging;
	unsigned commit_idle;       /* seconds; 0 = never */
	unsigned threads;           /* FUSE worker threads (1: single loop) */
	int writeback;              /* kernel writeback cache (-o writeback) */
	int follow_cpu;             /* fused/cpu_follow.h (-o follow_cpu) */
	unsigned spin_us;           /* fused/loop.h (-o spin=US) */
	uint64_t capacity;          /* DEV "none" only */
	int allow_other;
	int foreground, debug;
	int no_commit_on_unmount;
	int close_on_unmount;       /* commit, then finalize at unmount */
	int import_iso;             /* -o import: ISO9660 disc into a new UDF session */
	int show_help, show_version;
};

struct dfs_mount {
	pthread_mutex_t lock;
	struct dfs_options opt;
	struct dfs_disc disc;
	struct stg_store store;
	const struct dfs_commit_writer *writer; /* NULL: none for this disc */
	struct dfs_update_writer update_writer;
	uint64_t reserve_bytes;     /* kept free for the commit's metadata */
	int64_t last_change;        /* ns, for commit_idle */
	char status[512];           /* last commit result, one line */
	struct fuse_session *se;
	pthread_t idle_thread;
	bool idle_running, stopping;
	pthread_cond_t idle_cond;
};

/* The low-level operations (fs_ops.c). */
extern const struct fuse_lowlevel_ops dfs_ops;

/* Bytes a commit could still write: free space less staged and reserve. */
uint64_t dfs_space_left(const struct dfs_mount *m);

/* Opens m->store on m->disc (mount.c). */
int dfs_mount_open_store(struct dfs_mount *m, discfs_error *err);

/*
 * Runs a commit with m->lock held; fills m->status.  0 or -errno.  After
 * a commit that wrote something, the tree is reloaded from the disc.
 */
int dfs_mount_commit(struct dfs_mount *m, const char *why);

/*
 * Commits what is staged, then finalizes the disc (discfs_close_disc), with
 * m->lock held; fills m->status.  0 or -errno: -ENOTSUP (the disc cannot
 * be closed: none, blank, already closed), -EROFS, -EIO, ...  A failed
 * commit leaves the disc open and the changes staged.  Once the disc is
 * closed the store is read-only (broken = EROFS) and the status says so;
 * on rewritable media the close only flushes and the mount stays writable.
 */
int dfs_mount_close(struct dfs_mount *m, const char *why);

/* Starts/stops the commit_idle thread (control.c).  dfs_idle_stop() is
 * called once when serving ends (unmount, signal): with close_on_unmount
 * it then commits and closes a write-once disc that is not closed yet. */
int dfs_idle_start(struct dfs_mount *m);
void dfs_idle_stop(struct dfs_mount *m);

/* Control-channel xattrs on the root (control.c): 1 if handled. */
int dfs_control_setxattr(struct dfs_mount *m, fuse_req_t req, fuse_ino_t ino,
			 const char *name);
int dfs_control_getxattr(struct dfs_mount *m, fuse_req_t req, fuse_ino_t ino,
			 const char *name, size_t size);

#endif
