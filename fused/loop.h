/*
 * fused/loop.h - the daemon's one-threaded request loop: libfuse's
 * fuse_session_loop() plus a look at each request's header, so that the
 * thread can follow the CPU of its one busy client (fused/cpu_follow.h).
 */
#ifndef DFS_FUSED_LOOP_H
#define DFS_FUSED_LOOP_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <stdbool.h>

/* Serves se until it is unmounted or told to exit: 0, or -errno of the
 * read from /dev/fuse that ended it (as fuse_session_loop). */
int dfs_session_loop(struct fuse_session *se, bool follow_cpu);

#endif
