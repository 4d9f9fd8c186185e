/* uring/lane.c - see lane.h */
#include "uring/lane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmc/cdb.h"
#include "util/bytes.h"
#include "util/err.h"
#include "uring/verdict.h"

#define NS_PER_MS 1000000ull
#define BACKOFF_MIN_MS 2u
#define BACKOFF_MAX_MS 200u
#define RESEND_MAX_MS 1000u
#define MAX_REORDERS 16u /* per WRITE, before 5/21/02 counts as real */

int lane_init(struct lane *l, unsigned index, const struct dfs_lane_cfg *cfg,
	      struct dfs_lane_status *st, uint64_t now_ns, discfs_error *err)
{
	size_t chunk = (size_t)cfg->units.chunk_blocks * DISCFS_BLOCK_SIZE;
	int rc;

	memset(l, 0, sizeof(*l));
	memset(st, 0, sizeof(*st));
	l->index = index;
	l->cfg = cfg;
	l->st = st;
	if (!cfg->src || !cfg->units.unit_blocks || !cfg->units.chunk_blocks ||
	    cfg->units.chunk_blocks % cfg->units.unit_blocks ||
	    !cfg->depth || cfg->depth > DFS_ENGINE_MAX_DEPTH)
		return dfs_fail(err, DISCFS_EINVAL,
				"lane %u: bad source, units or depth", index);
	rc = port_init(&l->port, index, cfg->transport, cfg->sg_fd, err);
	if (rc < 0)
		return rc;
	l->slots = calloc(cfg->depth, sizeof(*l->slots));
	if (!l->slots)
		return dfs_fail(err, DISCFS_ENOMEM, "lane %u", index);
	l->nslots = cfg->depth;
	for (unsigned i = 0; i < l->nslots; i++)
		if (posix_memalign((void **)&l->slots[i].buf, 4096, chunk)) {
			lane_free(l);
			return dfs_fail(err, DISCFS_ENOMEM, "lane %u buffers",
					index);
		}
	l->next_lba = l->acked_lba = cfg->start_lba;
	l->start_ns = l->last_ack_ns = l->last_progress_ns = now_ns;
	l->last_rbc_ns = now_ns;
	if (dfs_source_size_known(cfg->src)) {
		uint64_t blocks = (dfs_source_size(cfg->src) +
				   DISCFS_BLOCK_SIZE - 1) / DISCFS_BLOCK_SIZE;
		st->total_blocks = dfs_round_up(blocks, cfg->units.unit_blocks) +
				   cfg->lead_zero_blocks;
	}
	if (cfg->pad_to_blocks > st->total_blocks)
		st->total_blocks = cfg->pad_to_blocks;
	return 0;
}

void lane_free(struct lane *l)
{
	if (!l->slots)
		return;
	/* A transport that reported the device gone no longer touches the
	 * commands it held (mmc/transport.h), so every buffer can go. */
	for (unsigned i = 0; i < l->nslots; i++)
		free(l->slots[i].buf);
	free(l->slots);
	l->slots = NULL;
}

void lane_fail(struct lane *l, int rc, const discfs_error *err)
{
	l->stopping = true;
	if (l->st->rc < 0)
		return;
	l->st->rc = rc;
	if (err)
		l->st->err = *err;
	else
		dfs_fail(&l->st->err, rc, "%s", discfs_strcode(rc));
}

static unsigned count_state(const struct lane *l, enum slot_state s)
{
	unsigned n = 0;
	for (unsigned i = 0; i < l->nslots; i++)
		n += l->slots[i].state == s;
	return n;
}

static struct slot *free_slot(struct lane *l)
{
	for (unsigned i = 0; i < l->nslots; i++)
		if (l->slots[i].state == SLOT_FREE)
			return &l->slots[i];
	return NULL;
}

static int build_write(struct lane *l, struct slot *s, discfs_error *err)
{
	int rc;
	if (l->cfg->write12_streaming)
		rc = mmc_cdb_write12(&s->cmd, s->lba, s->blocks,
				     DISCFS_BLOCK_SIZE, MMC_W_STREAMING, s->buf,
				     err);
	else
		rc = mmc_cdb_write10(&s->cmd, s->lba, (uint16_t)s->blocks,
				     DISCFS_BLOCK_SIZE, 0, s->buf, err);
	if (l->cfg->timeout_ms)
		s->cmd.timeout_ms = l->cfg->timeout_ms;
	return rc;
}

static void send_write(struct lane *l, struct io_uring *ring, struct slot *s)
{
	discfs_error e;
	int rc = build_write(l, s, &e);
	if (rc == 0)
		rc = port_submit(&l->port, ring, &s->cmd, &e);
	if (rc < 0) {
		s->state = SLOT_FREE;
		lane_fail(l, rc, &e);
		return;
	}
	s->state = SLOT_INFLIGHT;
	l->dirty = true;
}

/* Reads the next chunk into s; false when there is nothing more. */
static bool fill_slot(struct lane *l, struct slot *s)
{
	const struct dfs_lane_cfg *c = l->cfg;
	size_t chunk = (size_t)c->units.chunk_blocks * DISCFS_BLOCK_SIZE;
	uint64_t sent = l->next_lba - c->start_lba;
	uint64_t blocks;
	discfs_error e;
	int64_t n = 0;

	if (sent < c->lead_zero_blocks) {
		/* the pregap before the data: zeros, no source bytes */
		blocks = c->lead_zero_blocks - sent;
		if (blocks > c->units.chunk_blocks)
			blocks = c->units.chunk_blocks;
		memset(s->buf, 0, (size_t)blocks * DISCFS_BLOCK_SIZE);
		goto place;
	}
	if (!l->src_eof) {
		n = dfs_source_read(c->src, s->buf, chunk, &e);
		if (n < 0) {
			lane_fail(l, (int)n, &e);
			return false;
		}
		l->st->source_bytes += (uint64_t)n;
		if ((size_t)n < chunk)
			l->src_eof = true;
	}
	if (n > 0) {
		blocks = ((uint64_t)n + DISCFS_BLOCK_SIZE - 1) / DISCFS_BLOCK_SIZE;
		blocks = dfs_round_up(blocks, c->units.unit_blocks);
	} else if (sent < c->pad_to_blocks) {
		blocks = c->pad_to_blocks - sent;
		if (blocks > c->units.chunk_blocks)
			blocks = c->units.chunk_blocks;
	} else {
		return false;
	}
	memset(s->buf + n, 0, (size_t)blocks * DISCFS_BLOCK_SIZE - (size_t)n);
	if (c->max_blocks && sent + blocks > c->max_blocks) {
		dfs_fail(&e, DISCFS_ENOSPC,
			 "the data does not fit: %llu blocks free from LBA %u, "
			 "more than that to write",
			 (unsigned long long)c->max_blocks, c->start_lba);
		lane_fail(l, -DISCFS_ENOSPC, &e);
		return false;
	}
place:
	s->lba = l->next_lba;
	s->blocks = (uint32_t)blocks;
	s->reorders = 0;
	l->next_lba += (uint32_t)blocks;
	l->st->sent_blocks += blocks;
	return true;
}

static int cmp_lba(const void *a, const void *b)
{
	const struct slot *x = *(struct slot *const *)a;
	const struct slot *y = *(struct slot *const *)b;
	return x->lba < y->lba ? -1 : x->lba > y->lba;
}

/* After a stall: resend the refused writes, lowest LBA first.  What the
 * port cannot take now waits for the next round (and for these to come
 * back first, so the order holds). */
static void resend(struct lane *l, struct io_uring *ring, uint64_t now_ns)
{
	struct slot *order[DFS_ENGINE_MAX_DEPTH];
	unsigned n = 0, i;

	for (i = 0; i < l->nslots; i++)
		if (l->slots[i].state == SLOT_RETRY)
			order[n++] = &l->slots[i];
	qsort(order, n, sizeof(order[0]), cmp_lba);
	for (i = 0; i < n && !l->stopping && port_can_submit(&l->port); i++)
		send_write(l, ring, order[i]);
	if (i < n && !l->stopping) {
		l->resend_at_ns = now_ns;
		return;
	}
	l->stalled = false;
	l->resend_at_ns = 0;
}

static void poll_buffer(struct lane *l, struct io_uring *ring, uint64_t now_ns)
{
	discfs_error e;

	mmc_cdb_read_buffer_capacity(&l->rbc.cmd, false, l->rbc_buf, 12);
	if (port_submit(&l->port, ring, &l->rbc.cmd, &e) < 0) {
		/* only a hint: pace by plain backoff without it */
		if (l->stalled && !l->resend_at_ns) {
			l->resend_at_ns = now_ns + l->backoff_ms * NS_PER_MS;
			if (l->backoff_ms < BACKOFF_MAX_MS)
				l->backoff_ms *= 2;
		}
		return;
	}
	l->rbc_inflight = true;
	l->dirty = true;
}

void lane_pump(struct lane *l, struct io_uring *ring,
	       const struct dfs_engine_cfg *cfg, uint64_t now_ns)
{
	unsigned poll_ms = cfg->buffer_poll_ms ? cfg->buffer_poll_ms : 500;
	unsigned inflight = count_state(l, SLOT_INFLIGHT);

	if (l->stopping)
		return;
	if (l->stalled) {
		if (!l->resend_at_ns && !l->rbc_inflight &&
		    port_can_submit(&l->port))
			poll_buffer(l, ring, now_ns);
		if (inflight == 0 && l->resend_at_ns && now_ns >= l->resend_at_ns
		    && port_can_submit(&l->port))
			resend(l, ring, now_ns);
		return;
	}
	while (!l->stopping && port_can_submit(&l->port)) {
		struct slot *s = free_slot(l);
		if (!s || !fill_slot(l, s))
			break;
		send_write(l, ring, s);
	}
	if (!l->rbc_inflight && !l->stopping &&
	    now_ns - l->last_rbc_ns >= poll_ms * NS_PER_MS &&
	    port_can_submit(&l->port)) {
		l->last_rbc_ns = now_ns;
		poll_buffer(l, ring, now_ns);
	}
}

/* Moves acknowledged slots, in LBA order, into acked_blocks. */
static void absorb(struct lane *l, uint64_t now_ns)
{
	bool moved = true;
	while (moved) {
		moved = false;
		for (unsigned i = 0; i < l->nslots; i++) {
			struct slot *s = &l->slots[i];
			if (s->state == SLOT_DONE && s->lba == l->acked_lba) {
				l->acked_lba += s->blocks;
				l->st->acked_blocks += s->blocks;
				s->state = SLOT_FREE;
				l->last_ack_ns = now_ns;
				moved = true;
			}
		}
	}
}

static bool retry_below(const struct lane *l, uint32_t lba)
{
	for (unsigned i = 0; i < l->nslots; i++)
		if (l->slots[i].state == SLOT_RETRY && l->slots[i].lba < lba)
			return true;
	return false;
}

/* Measured drain rate of the drive (bytes/s), or the hint. */
static uint64_t rate_of(const struct lane *l, uint64_t now_ns)
{
	uint64_t el = now_ns - l->start_ns;
	uint64_t bytes = l->st->acked_blocks * DISCFS_BLOCK_SIZE;
	if (el > 200 * NS_PER_MS && bytes)
		return bytes * 1000000000ull / el;
	return l->cfg->rate_hint ? l->cfg->rate_hint : 1000000;
}

/* The drive refused a write as busy: stop sending; lane_pump asks READ
 * BUFFER CAPACITY and rbc_done() picks the moment to resend. */
static void stall(struct lane *l)
{
	if (l->stalled)
		return;
	l->stalled = true;
	l->st->busy_stalls++;
	l->resend_at_ns = 0;
	if (!l->backoff_ms)
		l->backoff_ms = BACKOFF_MIN_MS;
}

static void write_failed(struct lane *l, struct slot *s, discfs_error *e)
{
	if (!l->st->fail_lba_valid || s->lba < l->st->fail_lba) {
		l->st->fail_lba = s->lba;
		l->st->fail_lba_valid = true;
	}
	s->state = SLOT_FREE;
	lane_fail(l, -e->code, e);
}

static void write_done(struct lane *l, struct slot *s, uint64_t now_ns)
{
	char what[64];
	discfs_error e;

	switch (dfs_verdict_of(&s->cmd)) {
	case DFS_V_OK:
		s->state = SLOT_DONE;
		l->backoff_ms = 0;
		absorb(l, now_ns);
		return;
	case DFS_V_BAD_ADDRESS:
		/* Refused at an address beyond the first unacknowledged one:
		 * the drive saw it before an earlier WRITE (an earlier one was
		 * refused, or the kernel reordered them).  Resend in order; a
		 * write refused at the very next address is a real error. */
		if (s->lba == l->acked_lba && !retry_below(l, s->lba))
			break;
		if (++s->reorders > MAX_REORDERS)
			break;
		__attribute__((fallthrough));
	case DFS_V_BUSY:
		if (l->stopping) {
			s->state = SLOT_FREE;
			return;
		}
		s->state = SLOT_RETRY;
		stall(l);
		return;
	case DFS_V_LOST:
		e = l->port.dead_err;
		if (!e.code)
			dfs_fail(&e, DISCFS_ENODEV, "the drive did not answer");
		dfs_wrap(&e, -e.code, "WRITE at LBA %u", s->lba);
		write_failed(l, s, &e);
		return;
	default:
		break;
	}
	snprintf(what, sizeof(what), "WRITE at LBA %u", s->lba);
	dfs_fail_cmd(&e, &s->cmd, what);
	write_failed(l, s, &e);
}

static void rbc_done(struct lane *l, uint64_t now_ns)
{
	struct dfs_lane_status *st = l->st;
	uint32_t size, free_b;

	l->rbc_inflight = false;
	if (l->rbc.cmd.status == MMC_STATUS_GOOD &&
	    l->rbc.cmd.len - l->rbc.cmd.resid >= 12) {
		size = get_be32(l->rbc_buf + 4);
		free_b = get_be32(l->rbc_buf + 8);
		if (free_b > size)
			free_b = size;
		st->buf_size = size;
		st->buf_free = free_b;
		st->buf_valid = true;
		if (size && free_b == size && !l->src_eof && !l->stalled &&
		    st->acked_blocks)
			st->buffer_empty_seen++;
	}
	if (!l->stalled || l->resend_at_ns)
		return;
	if (st->buf_valid && st->buf_size) {
		/* Sleep until about half of the buffer has drained. */
		uint64_t used = st->buf_size - st->buf_free;
		uint64_t excess = used > st->buf_size / 2 ? used - st->buf_size / 2
							   : 0;
		uint64_t ms = excess * 1000 / rate_of(l, now_ns);
		if (ms < BACKOFF_MIN_MS)
			ms = BACKOFF_MIN_MS;
		if (ms > RESEND_MAX_MS)
			ms = RESEND_MAX_MS;
		l->resend_at_ns = now_ns + ms * NS_PER_MS;
	} else {
		l->resend_at_ns = now_ns + l->backoff_ms * NS_PER_MS;
		if (l->backoff_ms < BACKOFF_MAX_MS)
			l->backoff_ms *= 2;
	}
}

void lane_collect(struct lane *l, uint64_t now_ns)
{
	struct mmc_cmd *c;

	while ((c = port_next_done(&l->port))) {
		if (c == &l->rbc.cmd)
			rbc_done(l, now_ns);
		else
			write_done(l, (struct slot *)c, now_ns);
	}
	if (l->port.dead && l->port.kind == PORT_ASYNC &&
	    l->port.inflight > l->port.done_count) {
		/* The transport died and will hand nothing more back. */
		l->abandoned = true;
		lane_fail(l, -l->port.dead_err.code, &l->port.dead_err);
	}
}

bool lane_finished(const struct lane *l)
{
	if (l->abandoned)
		return true;
	if (l->port.inflight)
		return false;
	if (l->stopping)
		return true;
	return l->src_eof && !l->stalled && count_state(l, SLOT_FREE) ==
	       l->nslots && l->next_lba - l->cfg->start_lba >=
	       l->cfg->pad_to_blocks;
}

uint64_t lane_next_deadline(const struct lane *l)
{
	if (l->stalled && l->resend_at_ns && !l->stopping)
		return l->resend_at_ns;
	return UINT64_MAX;
}
