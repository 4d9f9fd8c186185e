/* uring/engine.c - see engine.h.  The loop: every lane sends what it can,
 * the ring is submitted, then we wait for CQEs (or the next resend time),
 * give each CQE to its lane's port, and let lanes handle what finished. */
#include "uring/engine.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/err.h"
#include "uring/lane.h"

#define RING_ENTRIES 256
#define WAIT_MAX_MS 50u /* checks cancel and progress this often */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool has_ready(const struct lane *lanes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lanes[i].port.done_count)
			return true;
	return false;
}

static void wait_events(struct io_uring *ring, struct lane *lanes, size_t n,
			uint64_t t)
{
	uint64_t deadline = t + WAIT_MAX_MS * 1000000ull;
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t d = lane_next_deadline(&lanes[i]);
		if (d < deadline)
			deadline = d;
	}
	if (has_ready(lanes, n))
		deadline = t;
	ts.tv_sec = 0;
	ts.tv_nsec = deadline > t ? (long long)(deadline - t) : 0;
	if (ts.tv_nsec > 0)
		io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	io_uring_for_each_cqe(ring, head, cqe) {
		uint64_t ud = io_uring_cqe_get_data64(cqe);
		size_t lane = (size_t)(ud >> 16);
		if (lane < n)
			port_on_cqe(&lanes[lane].port,
				    (enum port_event)(ud & 0xFF), cqe->res);
		seen++;
	}
	io_uring_cq_advance(ring, seen);
}

static void report(const struct dfs_engine_cfg *cfg, struct lane *l,
		   uint64_t t, bool force)
{
	unsigned ms = cfg->progress_ms ? cfg->progress_ms : 250;
	if (!cfg->progress)
		return;
	if (!force && t - l->last_progress_ns < ms * 1000000ull)
		return;
	l->last_progress_ns = t;
	cfg->progress(cfg->user, l->index, l->st);
}

static void check_stuck(const struct dfs_engine_cfg *cfg, struct lane *l,
			uint64_t t)
{
	uint64_t lim = (cfg->stall_timeout_ms ? cfg->stall_timeout_ms
					       : 120000u) * 1000000ull;
	discfs_error e;
	if (l->stopping || t - l->last_ack_ns < lim)
		return;
	dfs_fail(&e, DISCFS_ENOTREADY,
		 "the drive accepted no data for %u s (at LBA %u)",
		 (unsigned)(lim / 1000000000ull), l->acked_lba);
	lane_fail(l, -DISCFS_ENOTREADY, &e);
}

static void finish_lane(struct lane *l)
{
	struct dfs_lane_status *st = l->st;
	st->finished = true;
	if (st->rc == 0 && st->err.code == 0)
		return;
	if (st->rc == 0)
		st->rc = -st->err.code;
	dfs_wrap(&st->err, st->rc, "%llu blocks written from LBA %u",
		 (unsigned long long)st->acked_blocks, l->cfg->start_lba);
}

static bool run_round(const struct dfs_engine_cfg *cfg, struct io_uring *ring,
		      struct lane *lanes, size_t n)
{
	uint64_t t = now_ns();
	bool active = false;
	discfs_error e;

	for (size_t i = 0; i < n; i++) {
		struct lane *l = &lanes[i];
		if (l->st->finished)
			continue;
		if (cfg->cancel && *cfg->cancel && !l->stopping) {
			dfs_fail(&e, DISCFS_ECANCELED, "cancelled");
			lane_fail(l, -DISCFS_ECANCELED, &e);
		}
		check_stuck(cfg, l, t);
		lane_pump(l, ring, cfg, t);
		port_end_batch(&l->port);
		if (port_arm(&l->port, ring, &e) < 0)
			lane_fail(l, -e.code, &e);
	}
	io_uring_submit(ring);
	wait_events(ring, lanes, n, t);
	t = now_ns();
	for (size_t i = 0; i < n; i++) {
		struct lane *l = &lanes[i];
		if (l->st->finished)
			continue;
		lane_collect(l, t);
		report(cfg, l, t, false);
		if (lane_finished(l)) {
			finish_lane(l);
			report(cfg, l, t, true);
		} else {
			active = true;
		}
	}
	return active;
}

/*
 * sg writes are run by io_uring's worker threads (sg cannot take them
 * without blocking); workers on different CPUs put the requests into
 * different per-CPU block queues, and the drive may then see WRITEs out of
 * order (observed on Linux 6.1 with a TCMU drive).  Keeping every worker on
 * one CPU keeps the order; a kernel that refuses is still covered by the
 * reorder recovery in lane.c.
 */
static void pin_workers(struct io_uring *ring, const struct dfs_lane_cfg *c,
			size_t n)
{
	cpu_set_t one;
	int cpu = sched_getcpu();
	bool sg = false;

	for (size_t i = 0; i < n; i++)
		sg |= c[i].sg_fd >= 0;
	if (!sg || cpu < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	(void)io_uring_register_iowq_aff(ring, sizeof(one), &one);
}

/* Drains the ring so no CQE still points at freed memory. */
static void quiesce(struct io_uring *ring, struct lane *lanes, size_t n)
{
	for (int tries = 0; tries < 100; tries++) {
		bool pending = false;
		for (size_t i = 0; i < n; i++)
			if (lanes[i].port.poll_armed ||
			    lanes[i].port.sqe_pending)
				pending = true;
		if (!pending)
			return;
		for (size_t i = 0; i < n; i++)
			if (lanes[i].port.poll_armed) {
				struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
				if (!sqe)
					continue;
				io_uring_prep_poll_remove(sqe,
					(uint64_t)i << 16 | PORT_EV_POLL);
				/* its own CQE belongs to no lane */
				io_uring_sqe_set_data64(sqe, ~0ull);
			}
		io_uring_submit(ring);
		wait_events(ring, lanes, n, now_ns());
	}
}

int dfs_engine_run(const struct dfs_engine_cfg *cfg,
		   const struct dfs_lane_cfg *lane_cfgs, size_t n,
		   struct dfs_lane_status *status, discfs_error *err)
{
	static const struct dfs_engine_cfg defaults;
	struct io_uring ring;
	struct lane *lanes;
	size_t ready = 0;
	int rc;

	if (!cfg)
		cfg = &defaults;
	if (!n || n > DFS_ENGINE_MAX_LANES)
		return dfs_fail(err, DISCFS_EINVAL, "engine: %zu drives", n);
	lanes = calloc(n, sizeof(*lanes));
	if (!lanes)
		return dfs_fail(err, DISCFS_ENOMEM, "engine");
	rc = io_uring_queue_init(RING_ENTRIES, &ring, 0);
	if (rc < 0) {
		free(lanes);
		return dfs_fail_errno(err, DISCFS_EIO, -rc, "io_uring setup");
	}
	pin_workers(&ring, lane_cfgs, n);
	for (; ready < n; ready++) {
		rc = lane_init(&lanes[ready], (unsigned)ready, &lane_cfgs[ready],
			       &status[ready], now_ns(), err);
		if (rc < 0)
			goto out;
	}
	while (run_round(cfg, &ring, lanes, n))
		;
	quiesce(&ring, lanes, n);
	rc = 0;
	for (size_t i = 0; i < n; i++)
		if (status[i].rc < 0) {
			rc = status[i].rc;
			if (err)
				*err = status[i].err;
			if (n > 1)
				dfs_wrap(err, rc, "drive %zu", i + 1);
			break;
		}
out:
	for (size_t i = 0; i < ready; i++)
		lane_free(&lanes[i]);
	io_uring_queue_exit(&ring);
	free(lanes);
	return rc;
}
