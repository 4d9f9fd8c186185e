/* tools/discemu/bridge.c - see bridge.h */
#include "tools/discemu/bridge.h"

#include <stdlib.h>
#include <string.h>

#include "mmc/mmc_defs.h"

bool bridge_is_data_out(uint8_t op)
{
	switch (op) {
	case 0x04: /* FORMAT UNIT */
	case 0x0a: /* WRITE(6) */
	case 0x15: /* MODE SELECT(6) */
	case 0x1d: /* SEND DIAGNOSTIC */
	case 0x2a: /* WRITE(10) */
	case 0x2e: /* WRITE AND VERIFY(10) */
	case 0x3b: /* WRITE BUFFER */
	case 0x54: /* SEND OPC INFORMATION */
	case 0x55: /* MODE SELECT(10) */
	case 0x5d: /* SEND CUE SHEET */
	case 0x8a: /* WRITE(16) */
	case 0xa2: /* SEND EVENT */
	case 0xa3: /* SEND KEY */
	case 0xaa: /* WRITE(12) */
	case 0xb6: /* SET STREAMING */
	case 0xbf: /* SEND DISC STRUCTURE */
		return true;
	default:
		return false;
	}
}

/* CDB length from the group code of the opcode (SPC). */
static uint8_t cdb_length(uint8_t op)
{
	switch (op >> 5) {
	case 0: return 6;
	case 1: case 2: return 10;
	case 4: return 16;
	case 5: return 12;
	default: return 16;
	}
}

static int ensure_buf(struct bridge *b, size_t n)
{
	if (n <= b->buf_size)
		return 0;
	uint8_t *p = realloc(b->buf, n);
	if (!p)
		return -1;
	b->buf = p;
	b->buf_size = n;
	return 0;
}

static void set_check(struct tcmu_req *req, uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(req->sense, 0, 18);
	req->sense[0] = 0x70;
	req->sense[2] = key;
	req->sense[7] = 10;
	req->sense[12] = asc;
	req->sense[13] = ascq;
	req->sense_len = 18;
	req->status = MMC_STATUS_CHECK;
	req->read_len = 0;
}

static void trace_cmd(struct bridge *b, const struct tcmu_req *req, const struct mmc_cmd *c)
{
	fprintf(b->trace, "cmd %llu:", (unsigned long long)b->commands);
	for (unsigned i = 0; i < c->cdb_len; i++)
		fprintf(b->trace, " %02x", req->cdb[i]);
	fprintf(b->trace, " | %s %zu", c->dir == MMC_DIR_OUT ? "out" : c->dir == MMC_DIR_IN ? "in" : "-",
		req->data_len);
	if (req->status == MMC_STATUS_CHECK && req->sense_len >= 14)
		fprintf(b->trace, " -> CHECK %x/%02x/%02x\n", req->sense[2] & 0x0f,
			req->sense[12], req->sense[13]);
	else
		fprintf(b->trace, " -> status %02x, %zu in\n", req->status, req->read_len);
	size_t n = c->dir == MMC_DIR_OUT ? c->len : c->dir == MMC_DIR_IN ? req->read_len : 0;
	if (b->trace_data && n) {
		fprintf(b->trace, "    %s", c->dir == MMC_DIR_OUT ? "out:" : "in:");
		for (size_t i = 0; i < n && i < 64; i++)
			fprintf(b->trace, " %02x", b->buf[i]);
		fprintf(b->trace, "%s\n", n > 64 ? " ..." : "");
	}
	fflush(b->trace);
}

void bridge_handle(void *arg, struct tcmu_req *req)
{
	struct bridge *b = arg;
	struct mmc_cmd c;
	memset(&c, 0, sizeof c);
	memcpy(c.cdb, req->cdb, sizeof c.cdb);
	c.cdb_len = cdb_length(req->cdb[0]);
	__atomic_fetch_add(&b->commands, 1, __ATOMIC_RELAXED);
	if (req->data_len > UINT32_MAX || ensure_buf(b, req->data_len ? req->data_len : 1) < 0) {
		set_check(req, 0x04, 0x44, 0x00); /* INTERNAL TARGET FAILURE */
		goto out;
	}
	if (req->data_len && bridge_is_data_out(req->cdb[0])) {
		c.dir = MMC_DIR_OUT;
		c.len = (uint32_t)tcmu_req_gather(req, b->buf, req->data_len);
	} else if (req->data_len) {
		c.dir = MMC_DIR_IN;
		c.len = (uint32_t)req->data_len;
		memset(b->buf, 0, req->data_len);
	}
	c.buf = b->buf;
	if (emu_exec(b->drive, &c) < 0) {
		set_check(req, 0x04, 0x08, 0x01);
		goto out;
	}
	req->status = c.status;
	req->sense_len = c.sense_len;
	memcpy(req->sense, c.sense, c.sense_len < sizeof req->sense ? c.sense_len : sizeof req->sense);
	req->read_len = 0;
	if (c.dir == MMC_DIR_IN) {
		uint32_t got = c.resid < c.len ? c.len - c.resid : 0;
		tcmu_req_scatter(req, b->buf, got);
	}
out:
	if (req->status == MMC_STATUS_CHECK)
		__atomic_fetch_add(&b->checks, 1, __ATOMIC_RELAXED);
	if (b->trace)
		trace_cmd(b, req, &c);
}

void bridge_free(struct bridge *b)
{
	free(b->buf);
	b->buf = NULL;
	b->buf_size = 0;
}
