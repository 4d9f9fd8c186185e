/*
 * tests/unit/test_discemu_ring.c - discemu's TCMU side without a kernel:
 * a command ring laid out in memory exactly as target_core_user lays it out
 * (mailbox, entries, iovecs into the data area), served by tcmu_ring_serve()
 * with the bridge to a real emulated drive.  Hostile entries must fail the
 * command or the serve call, never the process.
 * The two discemu sources are compiled in: they are not part of libdiscfs.
 */
#include "tools/discemu/tcmu_ring.c"
#include "tools/discemu/bridge.c"

#include <setjmp.h>
#include <stdarg.h>
#include <sys/socket.h>

#include "test_emu_helpers.h"

#define MAP_SIZE (64u * 1024)
#define CMDR_OFF 4096u
#define CMDR_SIZE 8192u
#define DATA_OFF 16384u

struct fixture {
	uint8_t *map;
	int kick[2]; /* [0] the ring's, [1] the "kernel's" */
	uint32_t head;
	struct tcmu_ring *ring;
};

static struct tcmu_mailbox *mbox(struct fixture *f)
{
	return (struct tcmu_mailbox *)(void *)f->map;
}

static void fixture_init(struct fixture *f, uint16_t version)
{
	memset(f, 0, sizeof *f);
	f->map = calloc(1, MAP_SIZE);
	assert_non_null(f->map);
	struct tcmu_mailbox mb = { .version = version, .flags = TCMU_MAILBOX_FLAG_CAP_READ_LEN,
				   .cmdr_off = CMDR_OFF, .cmdr_size = CMDR_SIZE };
	memcpy(f->map, &mb, sizeof mb);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, f->kick), 0);
}

static void fixture_open(struct fixture *f)
{
	discfs_error err = { 0 };
	fixture_init(f, TCMU_MAILBOX_VERSION);
	assert_int_equal(tcmu_ring_from_map(f->map, MAP_SIZE, f->kick[0], &f->ring, &err), 0);
}

static void fixture_done(struct fixture *f)
{
	tcmu_ring_close(f->ring);
	close(f->kick[0]);
	close(f->kick[1]);
	free(f->map);
}

static void set_head(struct fixture *f)
{
	uint32_t h = f->head;
	memcpy(f->map + MB_HEAD, &h, sizeof h);
}

static uint32_t tail_of(struct fixture *f)
{
	uint32_t t;
	memcpy(&t, f->map + MB_TAIL, sizeof t);
	return t;
}

/* Queues an entry of op with the CDB at cdb_at and n iovecs; returns its
 * offset in the map. */
static size_t queue(struct fixture *f, uint8_t op, const uint8_t *cdb, size_t cdb_len,
		    size_t cdb_at, const struct iovec *iov, uint32_t n)
{
	size_t off = CMDR_OFF + f->head;
	/* as the kernel: room for the response at least, 8-byte aligned */
	uint32_t len = (uint32_t)(ENT_IOV + n * sizeof *iov);
	if (op == TCMU_OP_CMD && len < sizeof(struct tcmu_cmd_entry))
		len = sizeof(struct tcmu_cmd_entry);
	len = (len + 7) & ~7u;
	struct tcmu_cmd_entry e;
	memset(&e, 0, sizeof e);
	e.hdr.len_op = len | op;
	e.hdr.cmd_id = (uint16_t)(f->head / 8);
	e.req.iov_cnt = n;
	e.req.cdb_off = cdb_at;
	memcpy(f->map + off, &e, sizeof e);
	if (n)
		memcpy(f->map + off + ENT_IOV, iov, n * sizeof *iov);
	if (cdb)
		memcpy(f->map + cdb_at, cdb, cdb_len);
	f->head += len;
	set_head(f);
	return off;
}

static struct tcmu_cmd_entry answer(struct fixture *f, size_t off)
{
	struct tcmu_cmd_entry e;
	memcpy(&e, f->map + off, sizeof e);
	return e;
}

static bool kicked(struct fixture *f)
{
	uint32_t v;
	return read(f->kick[1], &v, sizeof v) == (ssize_t)sizeof v;
}

static struct iovec data_iov(size_t at, size_t len)
{
	return (struct iovec){ .iov_base = (void *)(uintptr_t)at, .iov_len = len };
}

static void count_handler(void *arg, struct tcmu_req *req)
{
	(*(int *)arg)++;
	req->status = 0;
}

/* ------------------------------------------------------------ tests */

static void inquiry_reaches_the_drive_and_its_answer_comes_back(void **state)
{
	struct fixture f;
	char path[512];
	fixture_open(&f);
	struct emu_drive *d = emu_new("bd-r", 4096, 0, path, sizeof path);
	struct bridge b = { .drive = d };
	const uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	struct iovec v = data_iov(DATA_OFF, 36);
	size_t e = queue(&f, TCMU_OP_CMD, inq, 6, DATA_OFF + 4096, &v, 1);
	unsigned n = 0;
	discfs_error err = { 0 };
	assert_int_equal(tcmu_ring_serve(f.ring, bridge_handle, &b, &n, &err), 0);
	assert_int_equal(n, 1);
	struct tcmu_cmd_entry a = answer(&f, e);
	assert_int_equal(a.rsp.scsi_status, 0);
	assert_true(a.hdr.uflags & TCMU_UFLAG_READ_LEN);
	assert_int_equal(a.rsp.read_len, 36);
	assert_int_equal(f.map[DATA_OFF] & 0x1f, 5); /* CD/DVD device */
	assert_int_equal(tail_of(&f), f.head);
	assert_true(kicked(&f));
	bridge_free(&b);
	emu_close(d);
	fixture_done(&f);
}

static void a_check_condition_carries_the_drives_sense(void **state)
{
	struct fixture f;
	char path[512];
	fixture_open(&f);
	struct emu_drive *d = emu_new("bd-r", 4096, 0, path, sizeof path);
	struct bridge b = { .drive = d };
	const uint8_t tur[6] = { 0 };
	size_t e = queue(&f, TCMU_OP_CMD, tur, 6, DATA_OFF, NULL, 0);
	assert_int_equal(tcmu_ring_serve(f.ring, bridge_handle, &b, NULL, NULL), 0);
	struct tcmu_cmd_entry a = answer(&f, e);
	/* the first command after power-on meets the 6/29/00 unit attention */
	assert_int_equal(a.rsp.scsi_status, MMC_STATUS_CHECK);
	assert_int_equal(a.rsp.sense_buffer[2] & 0x0f, 6);
	assert_int_equal((uint8_t)a.rsp.sense_buffer[12], 0x29);
	assert_int_equal(b.checks, 1);
	bridge_free(&b);
	emu_close(d);
	fixture_done(&f);
}

static void written_data_is_gathered_from_every_iovec(void **state)
{
	struct fixture f;
	char path[512];
	fixture_open(&f);
	/* DVD-RAM comes formatted: it takes a WRITE anywhere */
	struct emu_drive *d = emu_new("dvd-ram", 4096, 0, path, sizeof path);
	struct bridge b = { .drive = d };
	const uint8_t tur[6] = { 0 };
	uint8_t w[10] = { 0x2a, 0, 0, 0, 0, 5, 0, 0, 1, 0 };
	struct iovec wv[2] = { data_iov(DATA_OFF, 1000), data_iov(DATA_OFF + 3000, 1048) };
	for (unsigned i = 0; i < 1000; i++)
		f.map[DATA_OFF + i] = (uint8_t)i;
	for (unsigned i = 0; i < 1048; i++)
		f.map[DATA_OFF + 3000 + i] = (uint8_t)(1000 + i);
	uint8_t r[10] = { 0x28, 0, 0, 0, 0, 5, 0, 0, 1, 0 };
	struct iovec rv = data_iov(DATA_OFF + 16384, 2048);
	queue(&f, TCMU_OP_CMD, tur, 6, DATA_OFF + 30000, NULL, 0);
	size_t ew = queue(&f, TCMU_OP_CMD, w, 10, DATA_OFF + 30032, wv, 2);
	size_t er = queue(&f, TCMU_OP_CMD, r, 10, DATA_OFF + 30048, &rv, 1);
	unsigned n = 0;
	assert_int_equal(tcmu_ring_serve(f.ring, bridge_handle, &b, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(answer(&f, ew).rsp.scsi_status, 0);
	struct tcmu_cmd_entry a = answer(&f, er);
	assert_int_equal(a.rsp.scsi_status, 0);
	assert_int_equal(a.rsp.read_len, 2048);
	for (unsigned i = 0; i < 2048; i++)
		assert_int_equal(f.map[DATA_OFF + 16384 + i], (uint8_t)i);
	bridge_free(&b);
	emu_close(d);
	fixture_done(&f);
}

static void an_iovec_outside_the_mapping_fails_only_its_command(void **state)
{
	struct fixture f;
	int calls = 0;
	fixture_open(&f);
	const uint8_t rd[10] = { 0x28 };
	struct iovec bad = data_iov(MAP_SIZE - 10, 100);
	struct iovec good = data_iov(DATA_OFF, 16);
	size_t e1 = queue(&f, TCMU_OP_CMD, rd, 10, DATA_OFF + 100, &bad, 1);
	size_t e2 = queue(&f, TCMU_OP_CMD, rd, 10, DATA_OFF + 200, &good, 1);
	assert_int_equal(tcmu_ring_serve(f.ring, count_handler, &calls, NULL, NULL), 0);
	assert_int_equal(calls, 1); /* only the good one reached the handler */
	struct tcmu_cmd_entry a = answer(&f, e1);
	assert_int_equal(a.rsp.scsi_status, MMC_STATUS_CHECK);
	assert_int_equal(a.rsp.sense_buffer[2], 0x04);     /* HARDWARE ERROR */
	assert_int_equal((uint8_t)a.rsp.sense_buffer[12], 0x44); /* internal target failure */
	assert_int_equal(answer(&f, e2).rsp.scsi_status, 0);
	assert_int_equal(tail_of(&f), f.head);
	fixture_done(&f);
}

static void a_cdb_offset_outside_the_mapping_fails_the_command(void **state)
{
	struct fixture f;
	int calls = 0;
	fixture_open(&f);
	size_t e = queue(&f, TCMU_OP_CMD, NULL, 0, MAP_SIZE + 5, NULL, 0);
	assert_int_equal(tcmu_ring_serve(f.ring, count_handler, &calls, NULL, NULL), 0);
	assert_int_equal(calls, 0);
	assert_int_equal(answer(&f, e).rsp.scsi_status, MMC_STATUS_CHECK);
	fixture_done(&f);
}

static void an_entry_longer_than_the_ring_is_refused(void **state)
{
	struct fixture f;
	int calls = 0;
	discfs_error err = { 0 };
	fixture_open(&f);
	struct tcmu_cmd_entry_hdr h = { .len_op = (CMDR_SIZE + 64) | TCMU_OP_CMD };
	memcpy(f.map + CMDR_OFF, &h, sizeof h);
	f.head = 64;
	set_head(&f);
	assert_int_equal(tcmu_ring_serve(f.ring, count_handler, &calls, NULL, &err), -DISCFS_EPROTO);
	assert_int_equal(calls, 0);
	assert_non_null(strstr(err.msg, "entry"));
	fixture_done(&f);
}

static void a_command_entry_too_short_for_its_answer_is_refused(void **state)
{
	struct fixture f;
	int calls = 0;
	fixture_open(&f);
	struct tcmu_cmd_entry_hdr h = { .len_op = 64 | TCMU_OP_CMD };
	memcpy(f.map + CMDR_OFF, &h, sizeof h);
	f.head = 64;
	set_head(&f);
	assert_int_equal(tcmu_ring_serve(f.ring, count_handler, &calls, NULL, NULL), -DISCFS_EPROTO);
	assert_int_equal(calls, 0);
	fixture_done(&f);
}

static void padding_and_unknown_entries_are_passed_over(void **state)
{
	struct fixture f;
	int calls = 0;
	fixture_open(&f);
	const uint8_t tur[6] = { 0 };
	queue(&f, TCMU_OP_PAD, NULL, 0, DATA_OFF, NULL, 0);
	size_t tmr = queue(&f, TCMU_OP_TMR, NULL, 0, DATA_OFF, NULL, 0);
	queue(&f, TCMU_OP_CMD, tur, 6, DATA_OFF, NULL, 0);
	assert_int_equal(tcmu_ring_serve(f.ring, count_handler, &calls, NULL, NULL), 0);
	assert_int_equal(calls, 1);
	assert_true(answer(&f, tmr).hdr.uflags & TCMU_UFLAG_UNKNOWN_OP);
	assert_int_equal(tail_of(&f), f.head);
	fixture_done(&f);
}

static void a_mailbox_of_another_version_is_refused(void **state)
{
	struct fixture f;
	struct tcmu_ring *r = NULL;
	discfs_error err = { 0 };
	fixture_init(&f, 1);
	assert_int_equal(tcmu_ring_from_map(f.map, MAP_SIZE, f.kick[0], &r, &err), -DISCFS_EPROTO);
	assert_null(r);
	fixture_done(&f);
}

static void a_ring_outside_the_mapping_is_refused(void **state)
{
	struct fixture f;
	struct tcmu_ring *r = NULL;
	fixture_init(&f, TCMU_MAILBOX_VERSION);
	struct tcmu_mailbox *mb = mbox(&f);
	uint32_t big = MAP_SIZE;
	memcpy((uint8_t *)mb + offsetof(struct tcmu_mailbox, cmdr_size), &big, sizeof big);
	assert_int_equal(tcmu_ring_from_map(f.map, MAP_SIZE, f.kick[0], &r, NULL), -DISCFS_EPROTO);
	fixture_done(&f);
}

static void data_direction_follows_the_opcode(void **state)
{
	assert_true(bridge_is_data_out(0x2a));  /* WRITE(10) */
	assert_true(bridge_is_data_out(0xaa));  /* WRITE(12) */
	assert_true(bridge_is_data_out(0x55));  /* MODE SELECT(10) */
	assert_true(bridge_is_data_out(0x5d));  /* SEND CUE SHEET */
	assert_true(bridge_is_data_out(0x04));  /* FORMAT UNIT */
	assert_true(bridge_is_data_out(0xb6));  /* SET STREAMING */
	assert_false(bridge_is_data_out(0x28)); /* READ(10) */
	assert_false(bridge_is_data_out(0x12)); /* INQUIRY */
	assert_false(bridge_is_data_out(0x46)); /* GET CONFIGURATION */
	assert_false(bridge_is_data_out(0x4a)); /* GET EVENT STATUS */
	assert_false(bridge_is_data_out(0x5b)); /* CLOSE TRACK/SESSION */
}

static int cleanup(void **state)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(inquiry_reaches_the_drive_and_its_answer_comes_back),
		cmocka_unit_test(a_check_condition_carries_the_drives_sense),
		cmocka_unit_test(written_data_is_gathered_from_every_iovec),
		cmocka_unit_test(an_iovec_outside_the_mapping_fails_only_its_command),
		cmocka_unit_test(a_cdb_offset_outside_the_mapping_fails_the_command),
		cmocka_unit_test(an_entry_longer_than_the_ring_is_refused),
		cmocka_unit_test(a_command_entry_too_short_for_its_answer_is_refused),
		cmocka_unit_test(padding_and_unknown_entries_are_passed_over),
		cmocka_unit_test(a_mailbox_of_another_version_is_refused),
		cmocka_unit_test(a_ring_outside_the_mapping_is_refused),
		cmocka_unit_test(data_direction_follows_the_opcode),
	};
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
