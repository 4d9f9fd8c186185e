/*
 * tools/discemu/tcmu_ring.h - the userspace side of one TCMU device
 * (target_core_user): its UIO node, the shared mailbox, command ring and
 * data area (kernel UAPI linux/target_core_user.h, mailbox version 2).
 *
 * The kernel queues SCSI commands into the ring and kicks the UIO node;
 * tcmu_ring_serve() hands each one to a handler, writes the response
 * (status, sense, data-in length) into the same entry, advances cmd_tail
 * and kicks back.  Commands are handled one at a time, in ring order.
 *
 * Data never crosses the ring itself: an entry names iovecs whose bases are
 * offsets into the mapping (the data area); tcmu_req_gather()/scatter()
 * copy between them and a flat buffer, checking every offset against the
 * mapping's size (a malformed entry fails the command, never the process).
 *
 * Ownership: struct tcmu_ring is owned by its opener; tcmu_ring_close()
 * unmaps and closes the node.  Not thread-safe: one thread serves a ring.
 */
#ifndef DFS_DISCEMU_TCMU_RING_H
#define DFS_DISCEMU_TCMU_RING_H

#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

#define TCMU_REQ_CDB_MAX 16
#define TCMU_REQ_SENSE_MAX 96

struct tcmu_ring;

/* One SCSI command taken from the ring, and the answer to put back. */
struct tcmu_req {
	uint8_t cdb[TCMU_REQ_CDB_MAX]; /* first 16 bytes of the CDB */
	size_t data_len;               /* bytes the initiator's buffers hold */
	/* answer, filled by the handler */
	uint8_t status;                /* SCSI status byte */
	uint8_t sense[TCMU_REQ_SENSE_MAX];
	size_t sense_len;
	size_t read_len;               /* data-in bytes actually returned */
	/* private to tcmu_ring.c */
	struct tcmu_ring *ring;
	const void *entry;
};

typedef void (*tcmu_handler)(void *arg, struct tcmu_req *req);

/* Opens /dev/UIO_NAME (e.g. "uio0") and maps its memory. */
int tcmu_ring_open(const char *uio_name, struct tcmu_ring **out,
		   discfs_error *err);
void tcmu_ring_close(struct tcmu_ring *r);

/* A ring over memory the caller owns (tests): map laid out as the kernel
 * lays it out, fd a descriptor for kicks (read/written 4 bytes at a time). */
int tcmu_ring_from_map(void *map, size_t size, int fd, struct tcmu_ring **out,
		       discfs_error *err);

/* The UIO descriptor: readable when the kernel has kicked the ring. */
int tcmu_ring_fd(const struct tcmu_ring *r);

/*
 * Consumes the kick (if any), handles every queued command with fn, and
 * kicks the kernel when it completed any.  *handled (may be NULL) gets how
 * many commands it handled.  Fails only when the UIO node does (device
 * removed): DISCFS_ENODEV.
 */
int tcmu_ring_serve(struct tcmu_ring *r, tcmu_handler fn, void *arg,
		    unsigned *handled, discfs_error *err);

/* Copies up to len bytes of the command's data (data-out) into dst;
 * returns how many; 0 when the entry's iovecs leave the mapping. */
size_t tcmu_req_gather(const struct tcmu_req *req, void *dst, size_t len);

/* Copies len bytes of data-in from src into the command's buffers;
 * returns how many fitted (also sets req->read_len). */
size_t tcmu_req_scatter(struct tcmu_req *req, const void *src, size_t len);

#endif
