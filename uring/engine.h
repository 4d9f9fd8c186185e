/*
 * uring/engine.h - the streaming write engine: keeps drive buffers full.
 *
 * One call of dfs_engine_run() streams one source to each of N drives
 * ("lanes") at once, from one thread and one io_uring.  Each lane keeps up
 * to `depth` WRITE commands in flight (see uring/port.h for how they reach
 * a /dev/sg device, the emulated drive, or a synchronous transport).
 *
 * Per lane, the engine:
 *  - writes lead_zero_blocks of zeros first (CD SAO pregap), then
 *    reads the source in chunks of units->chunk_blocks, pads the last one to
 *    the write unit with zeros (and, with pad_to_blocks, writes zeros up to
 *    that many blocks: DVD-R DAO reservations must be filled exactly);
 *  - writes them at start_lba, start_lba + chunk, ... with WRITE(10), or
 *    WRITE(12) with the streaming bit;
 *  - refuses to go past max_blocks (free space) with ENOSPC before sending
 *    the WRITE that would overflow: a source of unknown length that turns
 *    out too large stops at the last whole chunk that fits;
 *  - on 2/04/08 (long write in progress: buffer full), 2/04/07, 2/04/04,
 *    2/04/01 and SCSI BUSY: stops sending, lets the writes already in flight
 *    come back, asks READ BUFFER CAPACITY, sleeps until about half of the
 *    buffer should have drained at the measured rate, and resends the
 *    refused writes in LBA order.  A write refused with 5/21/02 (invalid
 *    address) at an LBA beyond the first unacknowledged one reached the
 *    drive out of order (behind a refused write, or reordered by the
 *    kernel's block queues) and is resent the same way; 5/21/02 at the very
 *    next address, or 16 times for one WRITE, is an error.  For /dev/sg
 *    lanes the ring's worker threads are kept on one CPU, which keeps the
 *    kernel from reordering in the first place (seen on Linux 6.1);
 *  - treats a unit attention (6/28 medium changed, 6/29 reset) as fatal:
 *    the drive may have lost its buffer or the disc may be another one, so
 *    writing on would corrupt it (ECHANGED);
 *  - on any other CHECK CONDITION, a lost device or cancellation: stops
 *    sending, waits for what is in flight, and reports.
 *
 * What was written: acked_blocks counts the blocks from start_lba the
 * drive acknowledged without a gap (the data is in the drive, on the medium
 * once the caller has sent SYNCHRONIZE CACHE).  On failure fail_lba is the
 * first block of the first refused WRITE and err says why, with the sense.
 *
 * No allocation happens while streaming; buffers are allocated up front
 * (depth * chunk per lane).  Nothing is printed.
 */
#ifndef DFS_URING_ENGINE_H
#define DFS_URING_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"
#include "mmc/transport.h"
#include "uring/source.h"
#include "uring/units.h"

#define DFS_ENGINE_MAX_DEPTH 16  /* sg v3 queues at most 16 per descriptor */
#define DFS_ENGINE_MAX_LANES 32

struct dfs_lane_cfg {
	struct mmc_transport *transport; /* used when sg_fd < 0 */
	int sg_fd;                       /* >= 0: sg v3 async on it */
	struct dfs_source *src;          /* borrowed */
	uint32_t start_lba;
	struct dfs_write_units units;
	uint64_t max_blocks;     /* room from start_lba; 0 = no limit */
	uint64_t pad_to_blocks;  /* write zeros up to this many; 0 = none */
	uint32_t lead_zero_blocks; /* zeros written before the source (CD SAO
				      pregap from LBA -150); counted in
				      pad_to_blocks and max_blocks */
	unsigned depth;          /* WRITEs in flight, 1..DFS_ENGINE_MAX_DEPTH */
	bool write12_streaming;  /* WRITE(12) with the streaming bit */
	uint64_t rate_hint;      /* expected bytes/s, for the first backoffs */
	uint32_t timeout_ms;     /* per WRITE; 0 = 60 s */
};

struct dfs_lane_status {
	/* progress */
	uint64_t acked_blocks;     /* contiguous from start_lba */
	uint64_t sent_blocks;      /* handed to the drive (may be unacked) */
	uint64_t source_bytes;     /* taken from the source */
	uint64_t total_blocks;     /* expected total, 0 when unknown */
	uint32_t buf_size;         /* from READ BUFFER CAPACITY, when valid */
	uint32_t buf_free;
	bool buf_valid;
	unsigned busy_stalls;      /* times the drive said "buffer full" */
	unsigned buffer_empty_seen;/* polls that found the drive buffer empty
				      while the source had data: underrun risk */
	/* outcome */
	bool finished;
	int rc;                    /* 0 or -discfs code */
	uint32_t fail_lba;         /* valid when rc < 0 and fail_lba_valid */
	bool fail_lba_valid;
	discfs_error err;
};

typedef void (*dfs_engine_progress_fn)(void *user, unsigned lane,
				       const struct dfs_lane_status *st);

struct dfs_engine_cfg {
	dfs_engine_progress_fn progress; /* may be NULL */
	void *user;
	const volatile int *cancel;      /* nonzero: stop safely; may be NULL */
	unsigned progress_ms;            /* between progress calls; 0 = 250 */
	unsigned buffer_poll_ms;         /* READ BUFFER CAPACITY period;
					    0 = 500; fills buf_* */
	unsigned stall_timeout_ms;       /* no progress at all: give up;
					    0 = 120 s */
};

/*
 * Streams every lane to its end.  status[i] receives lane i's outcome.
 * Returns 0 when all lanes succeeded, else the rc of the first failed lane
 * (err filled from it, prefixed with the lane's device when n > 1).
 */
int dfs_engine_run(const struct dfs_engine_cfg *cfg,
		   const struct dfs_lane_cfg *lanes, size_t n,
		   struct dfs_lane_status *status, discfs_error *err);

#endif
