/*
 * uring/lane.h - one drive's share of the streaming engine (internal to
 * uring/engine.c; see engine.h for the behaviour it implements).
 *
 * A lane owns `depth` write slots (command + chunk buffer) and one slot for
 * READ BUFFER CAPACITY.  Slot life: FREE -> INFLIGHT -> DONE (absorbed into
 * acked_blocks in LBA order, then FREE) or -> RETRY (sent again in LBA
 * order once the lane's stall is over) or -> FREE (dropped on failure).
 */
#ifndef DFS_URING_LANE_H
#define DFS_URING_LANE_H

#include <stdbool.h>
#include <stdint.h>

#include "uring/engine.h"
#include "uring/port.h"

enum slot_state { SLOT_FREE, SLOT_INFLIGHT, SLOT_RETRY, SLOT_DONE };

struct slot {
	struct mmc_cmd cmd; /* first: port hands back &cmd */
	uint8_t *buf;
	uint32_t lba;
	uint32_t blocks;
	enum slot_state state;
	unsigned reorders;  /* times refused as out of order (5/21/02) */
};

struct lane {
	unsigned index;
	const struct dfs_lane_cfg *cfg;
	struct dfs_lane_status *st;
	struct port port;
	struct slot *slots;
	unsigned nslots;
	struct slot rbc;          /* READ BUFFER CAPACITY */
	uint8_t rbc_buf[16];
	bool rbc_inflight;
	uint32_t next_lba;        /* next LBA to fill */
	uint32_t acked_lba;       /* first LBA not yet acknowledged */
	bool src_eof;
	bool stopping;            /* no more sends: failure or cancel */
	bool stalled;             /* waiting for the buffer to drain */
	uint64_t resend_at_ns;    /* stalled: when to resend (0 = not yet known) */
	unsigned backoff_ms;      /* stalled without buffer info: next pause */
	uint64_t start_ns;
	uint64_t last_ack_ns;
	uint64_t last_rbc_ns;
	uint64_t last_progress_ns;
	bool abandoned;           /* the device died with commands inside */
	bool dirty;               /* work to submit this round */
};

/* Allocates slots and sets up the port.  */
int lane_init(struct lane *l, unsigned index, const struct dfs_lane_cfg *cfg,
	      struct dfs_lane_status *st, uint64_t now_ns, discfs_error *err);
void lane_free(struct lane *l);

/* Sends what can be sent now (writes, resends, buffer polls). */
void lane_pump(struct lane *l, struct io_uring *ring,
	       const struct dfs_engine_cfg *cfg, uint64_t now_ns);

/* Handles every finished command the port holds. */
void lane_collect(struct lane *l, uint64_t now_ns);

/* Stops the lane with rc/err unless it already failed. */
void lane_fail(struct lane *l, int rc, const discfs_error *err);

/* True once nothing is in flight and nothing is left to send. */
bool lane_finished(const struct lane *l);

/* Nanoseconds until this lane needs the loop again (resend time), or
 * UINT64_MAX. */
uint64_t lane_next_deadline(const struct lane *l);

#endif
