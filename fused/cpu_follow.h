/*
 * fused/cpu_follow.h - keep the one-threaded daemon on the CPU of the
 * process that keeps it busy.
 *
 * A copy into the mount is a strict ping-pong: the copier waits for each
 * reply, the daemon waits for each request.  When the two sit on
 * different CPUs every hand-over is a cross-CPU wake-up of an idle CPU,
 * which on a virtual machine costs a VM exit each way and dominates a
 * small-file copy (measured: 5,000 small files took 6x as long as with
 * both on one CPU).  The kernel's FUSE-over-io_uring answers this with
 * per-CPU queues; libfuse 3.14 cannot use them, so the loop does the
 * same by hand: now and then it looks at which process sent the request
 * and, if the same one is still sending, moves this thread to the CPU
 * that process last ran on.  Requests from several processes, big
 * writes, and any request that may start a commit put the thread back
 * on all its CPUs.
 *
 * Only the calling thread's affinity changes; nothing here can fail the
 * request (a failed look-up or move is ignored: it is only a hint).
 *
 * Off by default (-o follow_cpu): with both processes pinned to one CPU
 * by hand a 5,000-file copy took 0.32 s instead of 2.0 s, but moving
 * only the daemon did not reliably bring the copier along (the scheduler
 * may wake it elsewhere), and on a loaded machine a pinned daemon cannot
 * escape a busy CPU: measured 1.2-2.6 s against 2.3-2.6 s quiet, and
 * slower under load (scripts/bench_discfs.sh compares both).
 */
#ifndef DFS_FUSED_CPU_FOLLOW_H
#define DFS_FUSED_CPU_FOLLOW_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

/* Requests between two looks at who is sending. */
#define DFS_FOLLOW_EVERY 64

struct dfs_cpu_follow {
	bool enabled;
	bool pinned;
	uint32_t count;    /* requests since the last look */
	uint32_t last_pid; /* who sent the request we last looked at */
	cpu_set_t all;     /* the thread's CPUs when it started */
};

/* Records the thread's CPUs; enabled=false makes every call a no-op. */
void dfs_cpu_follow_init(struct dfs_cpu_follow *f, bool enabled);

/*
 * Called once per request, before it is handled, with the sender's pid
 * (0 for the kernel's own requests) and whether the request must run on
 * all CPUs (one that may start a commit, whose threads inherit the
 * affinity of the thread that starts them; a big write).
 */
void dfs_cpu_follow_request(struct dfs_cpu_follow *f, uint32_t pid,
			    bool unpin);

/* Back on all CPUs (the loop ends, or a commit follows). */
void dfs_cpu_follow_release(struct dfs_cpu_follow *f);

/* The CPU a process last ran on (field 39 of /proc/PID/stat), or -1. */
int dfs_cpu_of_pid(uint32_t pid);

#endif
