/*
 * uring/port.h - how commands of one drive travel through the io_uring.
 *
 * A port queues struct mmc_cmd commands to one drive and hands back the
 * finished ones, every wait happening in the shared ring (so one thread and
 * one ring drive several drives at once).  Kinds:
 *
 *  - SG: a /dev/sg descriptor (O_RDWR|O_NONBLOCK), sg v3 asynchronous
 *    interface.  Submission is IORING_OP_WRITE of a struct sg_io_hdr;
 *    completion is IORING_OP_POLL_ADD(POLLIN) then read() of the header
 *    (non-blocking, until EAGAIN).  Write SQEs of one batch are linked and
 *    a new batch waits for the previous one's CQEs, because io_uring may run
 *    unlinked writes to a character device out of order on its workers,
 *    and a sequential medium refuses out-of-order WRITEs.
 *  - ASYNC: a transport with submit/reap/event_fd (the emulated drive: a
 *    worker thread and an eventfd).  Submission calls submit() (it only
 *    queues); completion is POLL_ADD on event_fd(), then reap(0 ms).
 *  - SYNC: any other transport (exec only, e.g. SG_IO on /dev/sr).  The
 *    command runs at once during port_submit(); one command at a time.
 *
 * user_data of the ring's CQEs: (lane index << 8) | PORT_EV_*.
 * Ownership: the port borrows the transport / descriptor; the commands and
 * their buffers belong to the caller until handed back by port_next_done().
 */
#ifndef DFS_URING_PORT_H
#define DFS_URING_PORT_H

#include <liburing.h>
#include <scsi/sg.h>
#include <stdbool.h>

#include "discfs.h"
#include "mmc/transport.h"

enum port_kind { PORT_SG, PORT_ASYNC, PORT_SYNC };

enum port_event {
	PORT_EV_POLL = 1,  /* the completion descriptor became readable */
	PORT_EV_WRITE = 2, /* an IORING_OP_WRITE of an sg header finished */
};

#define PORT_MAX_CMDS 64
#define PORT_SG_MAX_QUEUE 16

struct port_entry {
	struct mmc_cmd *cmd;
	struct sg_io_hdr hdr;  /* SG only: what was written for cmd */
	bool used;
};

struct port {
	enum port_kind kind;
	unsigned lane;
	struct mmc_transport *t; /* ASYNC/SYNC */
	int fd;                  /* SG: the sg descriptor; ASYNC: event fd */
	bool poll_armed;
	unsigned sqe_pending;    /* SG: write SQEs without a CQE yet */
	unsigned inflight;       /* commands submitted and not handed back */
	struct port_entry ent[PORT_MAX_CMDS];
	/* finished commands not yet handed back (FIFO) */
	struct mmc_cmd *done[PORT_MAX_CMDS];
	unsigned done_head, done_count;
	/* batch of SG write SQEs being prepared (linked on flush) */
	struct io_uring_sqe *last_sqe;
	bool dead;               /* the device vanished or failed */
	discfs_error dead_err;
};

/*
 * Sets up a port.  sg_fd >= 0 selects SG (t may be NULL); else the kind
 * follows t's ops (submit+reap+event_fd: ASYNC, else SYNC).
 */
int port_init(struct port *p, unsigned lane, struct mmc_transport *t,
	      int sg_fd, discfs_error *err);

/* Whether another command can be queued now (SG waits for its previous
 * batch's write CQEs so that order is kept). */
bool port_can_submit(const struct port *p);

/* Queues cmd.  May need io_uring_submit() afterwards (SG). */
int port_submit(struct port *p, struct io_uring *ring, struct mmc_cmd *cmd,
		discfs_error *err);

/* Ends the current SG batch (no more links); call before io_uring_submit. */
void port_end_batch(struct port *p);

/* Arms the completion poll when commands are in flight. */
int port_arm(struct port *p, struct io_uring *ring, discfs_error *err);

/* Feeds a CQE that belongs to this port (ev, res). */
void port_on_cqe(struct port *p, enum port_event ev, int res);

/* Hands back one finished command, or NULL. */
struct mmc_cmd *port_next_done(struct port *p);

#endif
