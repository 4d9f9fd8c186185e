/*
 * udf/packet_rmw.c - whole-packet writes with read-modify-write of the
 * partly covered packets at the ends of a range, and a one-packet cache
 * of the last partly written packet (see packet_rmw.h).
 */
#include <string.h>

#include "udf/packet_rmw.h"
#include "util/err.h"

static uint8_t *pkt_buf(const struct udf_packet_io *io, unsigned i)
{
	return io->scratch + (size_t)i * io->packet * io->block_size;
}

static size_t bytes(const struct udf_packet_io *io, uint64_t blocks)
{
	return (size_t)blocks * io->block_size;
}

/* One packet partly covered by the write: where it starts, its copy. */
struct edge {
	uint64_t start;
	uint8_t *copy; /* NULL: wholly covered (or the same packet as head) */
	bool partial;
};

/* The copy of e: the cache when it holds that packet, else the spare
 * buffer, read from the medium. */
static int load_edge(struct udf_packet_io *io, struct edge *e, uint8_t *spare,
		     discfs_error *err)
{
	if (io->valid && io->cached == e->start) {
		e->copy = pkt_buf(io, 0);
		return 0;
	}
	e->copy = spare;
	int rc = io->read(io->ctx, e->start, io->packet, spare, err);
	return rc ? dfs_wrap(err, rc, "reading packet %llu to rewrite part of it",
			     (unsigned long long)e->start) : 0;
}

/* Lays the caller's blocks of [lba, end) that fall into e over its copy. */
static void overlay(const struct udf_packet_io *io, const struct edge *e,
		    uint64_t lba, uint64_t end, const uint8_t *buf)
{
	uint64_t from = lba > e->start ? lba : e->start;
	uint64_t to = end < e->start + io->packet ? end : e->start + io->packet;
	memcpy(e->copy + bytes(io, from - e->start), buf + bytes(io, from - lba),
	       bytes(io, to - from));
}

int udf_packet_flush(struct udf_packet_io *io, discfs_error *err)
{
	if (!io->valid || !io->dirty)
		return 0;
	int rc = io->write(io->ctx, io->cached, io->packet, pkt_buf(io, 0), err);
	io->dirty = false;
	if (rc)
		io->valid = false;
	return rc;
}

void udf_packet_forget(struct udf_packet_io *io)
{
	io->valid = io->dirty = false;
}

static int put(struct udf_packet_io *io, uint64_t lba, uint64_t count,
	       const void *buf, discfs_error *err)
{
	int rc = io->write(io->ctx, lba, (uint32_t)count, buf, err);
	if (rc)
		udf_packet_forget(io);
	return rc;
}

/* Makes copy (the packet at start, as now written or to be written) the
 * cache. */
static void keep(struct udf_packet_io *io, uint64_t start, const uint8_t *copy,
		 bool dirty)
{
	if (copy != pkt_buf(io, 0))
		memcpy(pkt_buf(io, 0), copy, bytes(io, io->packet));
	io->cached = start;
	io->valid = true;
	io->dirty = dirty;
}

int udf_packet_write(struct udf_packet_io *io, uint64_t lba, uint32_t count,
		     const void *buf, discfs_error *err)
{
	const uint8_t *src = buf;
	uint64_t p = io->packet, end = lba + count;
	int rc = 0;

	if (p <= 1 || !count)
		return count ? io->write(io->ctx, lba, count, buf, err) : 0;
	struct edge head = { .start = lba / p * p };
	struct edge tail = { .start = (end - 1) / p * p };
	bool single = head.start == tail.start;
	head.partial = lba != head.start || (single && end != head.start + p);
	tail.partial = !single && end != tail.start + p;

	/* all reads first: a failed read leaves the medium untouched */
	if (head.partial)
		rc = load_edge(io, &head, pkt_buf(io, 1), err);
	if (!rc && tail.partial)
		rc = load_edge(io, &tail, pkt_buf(io, 2), err);
	if (rc)
		return rc;
	/* A dirty cache reaches the medium before anything this write
	 * changes, unless it is the first packet written (then both go in
	 * one write): the medium sees the writes in order. */
	bool cache_first = io->valid && head.partial && io->cached == head.start;
	if (!cache_first && (rc = udf_packet_flush(io, err)))
		return rc;
	if (head.partial)
		overlay(io, &head, lba, end, src);
	if (tail.partial)
		overlay(io, &tail, lba, end, src);
	if (single && head.partial) { /* nothing to write yet */
		keep(io, head.start, head.copy, true);
		return 0;
	}
	if (head.partial && (rc = put(io, head.start, p, head.copy, err)))
		return rc;
	/* the wholly covered packets, straight from the caller's buffer */
	uint64_t mid = head.partial ? head.start + p : head.start;
	uint64_t mid_end = tail.partial ? tail.start : tail.start + p;
	if (mid_end > mid) {
		if (io->valid && io->cached >= mid && io->cached < mid_end)
			udf_packet_forget(io); /* clean, and about to be stale */
		if ((rc = put(io, mid, mid_end - mid, src + bytes(io, mid - lba), err)))
			return rc;
	}
	if (tail.partial)
		keep(io, tail.start, tail.copy, true);
	else if (head.partial)
		keep(io, head.start, head.copy, false);
	return 0;
}

int udf_packet_read(struct udf_packet_io *io, uint64_t lba, uint32_t count,
		    void *buf, discfs_error *err)
{
	int rc = io->read(io->ctx, lba, count, buf, err);
	uint64_t end = lba + count;

	if (rc || io->packet <= 1 || !io->valid || !io->dirty ||
	    io->cached >= end || io->cached + io->packet <= lba)
		return rc;
	struct edge c = { .start = io->cached, .copy = pkt_buf(io, 0) };
	uint64_t from = lba > c.start ? lba : c.start;
	uint64_t to = end < c.start + io->packet ? end : c.start + io->packet;
	memcpy((uint8_t *)buf + bytes(io, from - lba),
	       c.copy + bytes(io, from - c.start), bytes(io, to - from));
	return 0;
}
