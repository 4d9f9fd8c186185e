/* uring/port.c - see port.h */
#include "uring/port.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "uring/verdict.h"

/* Status values a port writes into cmd->status when the command did not
 * come back from the device (never a real SCSI status: those are even). */
#define PORT_STATUS_LOST DFS_STATUS_LOST

static uint64_t ud(const struct port *p, unsigned idx, enum port_event ev)
{
	return (uint64_t)p->lane << 16 | (uint64_t)idx << 8 | ev;
}

int port_init(struct port *p, unsigned lane, struct mmc_transport *t,
	      int sg_fd, discfs_error *err)
{
	memset(p, 0, sizeof(*p));
	p->lane = lane;
	p->t = t;
	p->fd = -1;
	if (sg_fd >= 0) {
		p->kind = PORT_SG;
		p->fd = sg_fd;
		return 0;
	}
	if (!t || !t->ops)
		return dfs_fail(err, DISCFS_EINVAL, "port: no transport");
	if (t->ops->submit && t->ops->reap && t->ops->event_fd &&
	    t->ops->event_fd(t) >= 0) {
		p->kind = PORT_ASYNC;
		p->fd = t->ops->event_fd(t);
	} else {
		p->kind = PORT_SYNC;
	}
	return 0;
}

static void push_done(struct port *p, struct mmc_cmd *cmd)
{
	unsigned tail = (p->done_head + p->done_count) % PORT_MAX_CMDS;
	p->done[tail] = cmd;
	p->done_count++;
}

static void mark_dead(struct port *p, int code, int errnum, const char *what)
{
	if (p->dead)
		return;
	p->dead = true;
	if (errnum)
		dfs_fail_errno(&p->dead_err, code, errnum, "%s", what);
	else
		dfs_fail(&p->dead_err, code, "%s", what);
}

static void lose(struct port *p, struct mmc_cmd *cmd)
{
	cmd->status = PORT_STATUS_LOST;
	cmd->sense_len = 0;
	push_done(p, cmd);
}

bool port_can_submit(const struct port *p)
{
	if (p->inflight >= PORT_MAX_CMDS)
		return false;
	if (p->kind == PORT_SG)
		/* sg queues at most SG_MAX_QUEUE (16) per descriptor */
		return p->inflight < PORT_SG_MAX_QUEUE &&
		       (p->sqe_pending == 0 || p->last_sqe != NULL);
	return true;
}

static int free_entry(struct port *p)
{
	for (unsigned i = 0; i < PORT_MAX_CMDS; i++)
		if (!p->ent[i].used)
			return (int)i;
	return -1;
}

static void fill_hdr(struct sg_io_hdr *h, struct mmc_cmd *cmd, unsigned idx)
{
	memset(h, 0, sizeof(*h));
	h->interface_id = 'S';
	h->dxfer_direction = cmd->dir == MMC_DIR_OUT ? SG_DXFER_TO_DEV
			     : cmd->dir == MMC_DIR_IN ? SG_DXFER_FROM_DEV
						      : SG_DXFER_NONE;
	h->cmd_len = cmd->cdb_len;
	h->cmdp = cmd->cdb;
	h->mx_sb_len = MMC_SENSE_MAX;
	h->sbp = cmd->sense;
	h->dxfer_len = cmd->len;
	h->dxferp = cmd->buf;
	h->timeout = cmd->timeout_ms ? cmd->timeout_ms : 60000;
	h->pack_id = (int)idx;
	h->usr_ptr = cmd;
}

static int submit_sg(struct port *p, struct io_uring *ring,
		     struct mmc_cmd *cmd, discfs_error *err)
{
	int idx = free_entry(p);
	struct io_uring_sqe *sqe;

	if (idx < 0)
		return dfs_fail(err, DISCFS_EBUSY, "port: queue full");
	sqe = io_uring_get_sqe(ring);
	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			return dfs_fail(err, DISCFS_EBUSY, "io_uring full");
	}
	p->ent[idx].used = true;
	p->ent[idx].cmd = cmd;
	fill_hdr(&p->ent[idx].hdr, cmd, (unsigned)idx);
	io_uring_prep_write(sqe, p->fd, &p->ent[idx].hdr,
			    sizeof(p->ent[idx].hdr), 0);
	io_uring_sqe_set_data64(sqe, ud(p, (unsigned)idx, PORT_EV_WRITE));
	/* Keep the order of one batch: link it to the previous write. */
	if (p->last_sqe)
		p->last_sqe->flags |= IOSQE_IO_LINK;
	p->last_sqe = sqe;
	p->sqe_pending++;
	p->inflight++;
	return 0;
}

int port_submit(struct port *p, struct io_uring *ring, struct mmc_cmd *cmd,
		discfs_error *err)
{
	int rc;

	if (p->dead) {
		p->inflight++;
		lose(p, cmd);
		return 0;
	}
	switch (p->kind) {
	case PORT_SG:
		return submit_sg(p, ring, cmd, err);
	case PORT_ASYNC:
		rc = p->t->ops->submit(p->t, cmd, err);
		if (rc < 0)
			return rc;
		p->inflight++;
		return 0;
	default:
		p->inflight++;
		rc = p->t->ops->exec(p->t, cmd, &p->dead_err);
		if (rc < 0) {
			p->dead = true;
			lose(p, cmd);
		} else {
			push_done(p, cmd);
		}
		return 0;
	}
}

void port_end_batch(struct port *p)
{
	p->last_sqe = NULL;
}

int port_arm(struct port *p, struct io_uring *ring, discfs_error *err)
{
	struct io_uring_sqe *sqe;

	if (p->kind == PORT_SYNC || p->poll_armed || p->dead)
		return 0;
	if (p->inflight == p->done_count)
		return 0;
	sqe = io_uring_get_sqe(ring);
	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			return dfs_fail(err, DISCFS_EBUSY, "io_uring full");
	}
	io_uring_prep_poll_add(sqe, p->fd, POLLIN);
	io_uring_sqe_set_data64(sqe, ud(p, 0, PORT_EV_POLL));
	p->poll_armed = true;
	return 0;
}

static void sg_finish(struct port *p, const struct sg_io_hdr *h)
{
	unsigned idx = (unsigned)h->pack_id;
	struct mmc_cmd *cmd;

	if (idx >= PORT_MAX_CMDS || !p->ent[idx].used ||
	    p->ent[idx].cmd != h->usr_ptr)
		return; /* not ours: ignore rather than trust it */
	cmd = p->ent[idx].cmd;
	p->ent[idx].used = false;
	cmd->status = h->status;
	cmd->sense_len = h->sb_len_wr > MMC_SENSE_MAX ? MMC_SENSE_MAX
						      : h->sb_len_wr;
	cmd->resid = h->resid > 0 ? (uint32_t)h->resid : 0;
	cmd->duration_ms = h->duration;
	/* host_status: the command never reached the drive (DID_NO_CONNECT
	 * when the device went away); driver_status timeout likewise. */
	if (h->host_status || (h->driver_status & 0x0F) == 0x06) {
		mark_dead(p, DISCFS_ENODEV, 0,
			  h->host_status ? "drive went away"
					 : "command timed out");
		cmd->status = PORT_STATUS_LOST;
	}
	push_done(p, cmd);
}

static void sg_reap(struct port *p)
{
	struct sg_io_hdr h;

	for (;;) {
		ssize_t n;
		memset(&h, 0, sizeof(h));
		h.interface_id = 'S';
		h.pack_id = -1;
		n = read(p->fd, &h, sizeof(h));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				mark_dead(p, DISCFS_ENODEV, errno,
					  "reading sg completion");
			return;
		}
		if ((size_t)n < sizeof(h))
			return;
		sg_finish(p, &h);
	}
}

static void async_reap(struct port *p)
{
	uint64_t v;

	/* Clear the wakeup before reaping: a completion that lands after this
	 * read signals again, so none is missed.  (With a semaphore eventfd
	 * this takes one count; reap() then finds the others.) */
	while (read(p->fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	for (;;) {
		struct mmc_cmd *done = NULL;
		discfs_error e;
		int rc;

		memset(&e, 0, sizeof(e));
		rc = p->t->ops->reap(p->t, &done, 0, &e);
		if (rc == 0 && done) {
			push_done(p, done);
			continue;
		}
		/* "nothing finished yet" is EBUSY or ENOTREADY with no command */
		if (!done && (rc == 0 || e.code == DISCFS_EBUSY ||
			      e.code == DISCFS_ENOTREADY))
			return;
		/* the transport failed: the device is gone */
		if (!p->dead) {
			p->dead = true;
			p->dead_err = e;
			if (!p->dead_err.code)
				dfs_fail(&p->dead_err, DISCFS_ENODEV,
					 "drive went away");
		}
		if (!done)
			return;
		lose(p, done);
	}
}

/* The device failed for good: every command still out is lost. */
static void lose_all_sg(struct port *p)
{
	for (unsigned i = 0; i < PORT_MAX_CMDS; i++)
		if (p->ent[i].used) {
			p->ent[i].used = false;
			lose(p, p->ent[i].cmd);
		}
}

void port_on_cqe(struct port *p, enum port_event ev, int res)
{
	if (ev == PORT_EV_WRITE) {
		if (p->sqe_pending)
			p->sqe_pending--;
		if (res < 0) {
			mark_dead(p, DISCFS_ENODEV, -res, "submitting to sg");
			if (p->sqe_pending == 0)
				lose_all_sg(p);
		}
		return;
	}
	p->poll_armed = false;
	if (res == -ECANCELED)
		return; /* removed by the engine at the end */
	if (res < 0 || (res & (POLLERR | POLLHUP | POLLNVAL)))
		mark_dead(p, DISCFS_ENODEV, res < 0 ? -res : 0,
			  "drive went away");
	if (p->kind == PORT_SG) {
		sg_reap(p);
		if (p->dead && p->sqe_pending == 0)
			lose_all_sg(p);
	} else if (p->kind == PORT_ASYNC) {
		async_reap(p);
	}
}

struct mmc_cmd *port_next_done(struct port *p)
{
	struct mmc_cmd *cmd;

	if (!p->done_count)
		return NULL;
	cmd = p->done[p->done_head];
	p->done_head = (p->done_head + 1) % PORT_MAX_CMDS;
	p->done_count--;
	p->inflight--;
	return cmd;
}
