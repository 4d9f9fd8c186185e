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

/*
 * Serves se until it is unmounted or told to exit: 0, or -errno of the
 * read from /dev/fuse that ended it (as fuse_session_loop).
 *
 * spin_us: after each request the next one is looked for this long
 * before the thread sleeps.  A copy is a ping-pong of small requests;
 * a thread that has gone to sleep must be woken for each one, which on
 * a virtual machine costs a VM exit (an idle CPU's wake-up) per request.
 * Measured here: 5,000 small files copied with cp -a took 2.4 s with no
 * spin, 1.2 s with 50 us (20 us: 1.4-1.7 s; 10 us: no gain); large files
 * are not affected.  The cost is at most spin_us of CPU per request while
 * requests come; an idle mount sleeps.
 */
#define DFS_SPIN_US_DEFAULT 50
int dfs_session_loop(struct fuse_session *se, bool follow_cpu,
		     unsigned spin_us);

#endif
