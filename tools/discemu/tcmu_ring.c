/* tools/discemu/tcmu_ring.c - see tcmu_ring.h */

/* The UAPI header first: its linux/uio.h defines struct iovec, which glibc
 * must then not define again. */
#include <linux/target_core_user.h>
#define __iovec_defined 1

#include "tools/discemu/tcmu_ring.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/err.h"

struct tcmu_ring {
	int fd;
	uint8_t *map;
	size_t map_size;
	uint32_t cmdr_off, cmdr_size;
	uint16_t flags;
	bool owns; /* map and fd came from tcmu_ring_open() */
};

/* Offsets inside the mapping, taken once so that no code takes the address
 * of a member of the packed UAPI structs. */
#define MB_HEAD offsetof(struct tcmu_mailbox, cmd_head)
#define MB_TAIL offsetof(struct tcmu_mailbox, cmd_tail)
#define ENT_IOV offsetof(struct tcmu_cmd_entry, req.iov)

static uint32_t *mb_word(struct tcmu_ring *r, size_t off)
{
	return (uint32_t *)(void *)(r->map + off);
}

static int read_map_size(const char *uio, size_t *size, discfs_error *err)
{
	char path[128];
	unsigned long long v = 0;
	snprintf(path, sizeof path, "/sys/class/uio/%s/maps/map0/size", uio);
	FILE *f = fopen(path, "r");
	if (!f)
		return dfs_fail_errno(err, DISCFS_ENODEV, errno, "%s", path);
	int ok = fscanf(f, "%llx", &v) == 1;
	fclose(f);
	if (!ok || v < sizeof(struct tcmu_mailbox) || v > (1ull << 40))
		return dfs_fail(err, DISCFS_EPROTO, "%s: bad map size", path);
	*size = (size_t)v;
	return 0;
}

static int check_mailbox(struct tcmu_ring *r, discfs_error *err)
{
	struct tcmu_mailbox mb;
	memcpy(&mb, r->map, sizeof mb);
	if (mb.version != TCMU_MAILBOX_VERSION)
		return dfs_fail(err, DISCFS_EPROTO,
				"TCMU mailbox version %u (this discemu speaks %u)",
				mb.version, TCMU_MAILBOX_VERSION);
	if (mb.cmdr_size == 0 || mb.cmdr_off < sizeof mb ||
	    (uint64_t)mb.cmdr_off + mb.cmdr_size > r->map_size)
		return dfs_fail(err, DISCFS_EPROTO, "TCMU command ring outside the mapping");
	r->cmdr_off = mb.cmdr_off;
	r->cmdr_size = mb.cmdr_size;
	r->flags = mb.flags;
	return 0;
}

int tcmu_ring_from_map(void *map, size_t size, int fd, struct tcmu_ring **out,
		       discfs_error *err)
{
	if (size < sizeof(struct tcmu_mailbox))
		return dfs_fail(err, DISCFS_EPROTO, "TCMU mapping of %zu bytes", size);
	struct tcmu_ring *r = calloc(1, sizeof *r);
	if (!r)
		return dfs_fail(err, DISCFS_ENOMEM, "tcmu ring");
	r->map = map;
	r->map_size = size;
	r->fd = fd;
	int rc = check_mailbox(r, err);
	if (rc < 0) {
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int tcmu_ring_open(const char *uio_name, struct tcmu_ring **out,
		   discfs_error *err)
{
	char dev[64];
	size_t size = 0;
	int rc = read_map_size(uio_name, &size, err);
	if (rc < 0)
		return rc;
	snprintf(dev, sizeof dev, "/dev/%s", uio_name);
	int fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_ENODEV, errno, "%s", dev);
	void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "mmap %s", dev);
		close(fd);
		return rc;
	}
	rc = tcmu_ring_from_map(map, size, fd, out, err);
	if (rc < 0) {
		munmap(map, size);
		close(fd);
		return rc;
	}
	(*out)->owns = true;
	return 0;
}

void tcmu_ring_close(struct tcmu_ring *r)
{
	if (!r)
		return;
	if (r->owns) {
		munmap(r->map, r->map_size);
		close(r->fd);
	}
	free(r);
}

int tcmu_ring_fd(const struct tcmu_ring *r)
{
	return r->fd;
}

/* The i-th data iovec of the entry, checked against the mapping. */
static int entry_iov(const struct tcmu_req *req, uint32_t i, size_t *off, size_t *len)
{
	const struct tcmu_ring *r = req->ring;
	struct iovec v;
	memcpy(&v, (const uint8_t *)req->entry + ENT_IOV + i * sizeof v, sizeof v);
	uintptr_t base = (uintptr_t)v.iov_base;
	if (base > r->map_size || v.iov_len > r->map_size - base)
		return -1;
	*off = base;
	*len = v.iov_len;
	return 0;
}

static uint32_t entry_iov_cnt(const void *entry)
{
	struct tcmu_cmd_entry e;
	memcpy(&e, entry, sizeof e);
	return e.req.iov_cnt;
}

size_t tcmu_req_gather(const struct tcmu_req *req, void *dst, size_t len)
{
	size_t done = 0, off, n;
	uint32_t cnt = entry_iov_cnt(req->entry);
	for (uint32_t i = 0; i < cnt && done < len; i++) {
		if (entry_iov(req, i, &off, &n) < 0)
			return 0;
		if (n > len - done)
			n = len - done;
		memcpy((uint8_t *)dst + done, req->ring->map + off, n);
		done += n;
	}
	return done;
}

size_t tcmu_req_scatter(struct tcmu_req *req, const void *src, size_t len)
{
	size_t done = 0, off, n;
	uint32_t cnt = entry_iov_cnt(req->entry);
	for (uint32_t i = 0; i < cnt && done < len; i++) {
		if (entry_iov(req, i, &off, &n) < 0)
			break;
		if (n > len - done)
			n = len - done;
		memcpy(req->ring->map + off, (const uint8_t *)src + done, n);
		done += n;
	}
	req->read_len = done;
	return done;
}

/* Sums the entry's data iovecs; -1 when an entry is malformed. */
static int entry_parse(struct tcmu_req *req, uint32_t ent_len)
{
	const struct tcmu_ring *r = req->ring;
	struct tcmu_cmd_entry e;
	memcpy(&e, req->entry, sizeof e);
	uint64_t need = ENT_IOV + (uint64_t)e.req.iov_cnt * sizeof(struct iovec);
	if (need > ent_len || e.req.cdb_off >= r->map_size)
		return -1;
	size_t cdb_n = r->map_size - e.req.cdb_off;
	memcpy(req->cdb, r->map + e.req.cdb_off, cdb_n < sizeof req->cdb ? cdb_n : sizeof req->cdb);
	req->data_len = 0;
	for (uint32_t i = 0; i < e.req.iov_cnt; i++) {
		size_t off, n;
		if (entry_iov(req, i, &off, &n) < 0)
			return -1;
		req->data_len += n;
	}
	return 0;
}

/* Writes the answer over the request part of the entry (they share it). */
static void entry_respond(struct tcmu_ring *r, void *entry, const struct tcmu_req *req)
{
	struct tcmu_cmd_entry e;
	memcpy(&e, entry, sizeof e);
	memset(&e.rsp, 0, sizeof e.rsp);
	e.rsp.scsi_status = req->status;
	size_t sl = req->sense_len < sizeof e.rsp.sense_buffer ? req->sense_len
							       : sizeof e.rsp.sense_buffer;
	memcpy(e.rsp.sense_buffer, req->sense, sl);
	if (r->flags & TCMU_MAILBOX_FLAG_CAP_READ_LEN) {
		e.hdr.uflags |= TCMU_UFLAG_READ_LEN;
		e.rsp.read_len = (uint32_t)req->read_len;
	}
	memcpy(entry, &e, sizeof e);
}

/* Answers a malformed command with CHECK CONDITION, HARDWARE ERROR,
 * 44h/00h INTERNAL TARGET FAILURE. */
static void fail_entry(struct tcmu_req *req)
{
	memset(req->sense, 0, 18);
	req->sense[0] = 0x70;
	req->sense[2] = 0x04;
	req->sense[7] = 10;
	req->sense[12] = 0x44;
	req->sense_len = 18;
	req->status = 0x02;
	req->read_len = 0;
}

int tcmu_ring_serve(struct tcmu_ring *r, tcmu_handler fn, void *arg,
		    unsigned *handled, discfs_error *err)
{
	uint32_t kick;
	unsigned n = 0;
	bool moved = false;
	if (read(r->fd, &kick, sizeof kick) < 0 && errno != EAGAIN)
		return dfs_fail_errno(err, DISCFS_ENODEV, errno, "TCMU device");
	uint32_t tail = __atomic_load_n(mb_word(r, MB_TAIL), __ATOMIC_RELAXED);
	for (;;) {
		uint32_t head = __atomic_load_n(mb_word(r, MB_HEAD), __ATOMIC_ACQUIRE);
		if (tail == head)
			break;
		if (tail >= r->cmdr_size)
			return dfs_fail(err, DISCFS_EPROTO, "TCMU ring tail %u out of range", tail);
		uint8_t *entry = r->map + r->cmdr_off + tail;
		struct tcmu_cmd_entry_hdr hdr;
		memcpy(&hdr, entry, sizeof hdr);
		uint32_t len = tcmu_hdr_get_len(hdr.len_op);
		if (len < sizeof hdr || len > r->cmdr_size - tail)
			return dfs_fail(err, DISCFS_EPROTO, "TCMU ring entry of %u bytes", len);
		if (tcmu_hdr_get_op(hdr.len_op) == TCMU_OP_CMD) {
			/* the kernel sizes every command entry to hold the
			 * response; a shorter one cannot be answered */
			if (len < sizeof(struct tcmu_cmd_entry))
				return dfs_fail(err, DISCFS_EPROTO,
						"TCMU command entry of %u bytes", len);
			struct tcmu_req req = { .ring = r, .entry = entry };
			if (entry_parse(&req, len) < 0)
				fail_entry(&req);
			else
				fn(arg, &req);
			entry_respond(r, entry, &req);
			n++;
		} else if (tcmu_hdr_get_op(hdr.len_op) != TCMU_OP_PAD) {
			/* TMR notifications and future operations */
			hdr.uflags |= TCMU_UFLAG_UNKNOWN_OP;
			memcpy(entry, &hdr, sizeof hdr);
		}
		tail = (tail + len) % r->cmdr_size;
		__atomic_store_n(mb_word(r, MB_TAIL), tail, __ATOMIC_RELEASE);
		moved = true;
	}
	if (moved) {
		uint32_t one = 1;
		if (write(r->fd, &one, sizeof one) < 0)
			return dfs_fail_errno(err, DISCFS_ENODEV, errno, "TCMU device kick");
	}
	if (handled)
		*handled = n;
	return 0;
}
