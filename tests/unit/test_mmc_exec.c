/* tests/unit/test_mmc_exec.c - mmc_run turns drive answers into discfs
 * errors, mmc_fetch does the two-pass allocation-length fetch, and
 * mmc_wait_ready polls through busy answers with progress.  The drive is
 * a scripted transport: each step is the answer a drive gives to the next
 * command (data returned as min(alloc, available), as MMC requires). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmc/cdb.h"
#include "mmc/exec.h"
#include "util/err.h"

struct step {
	uint8_t opcode;           /* expected opcode */
	uint8_t status;
	uint8_t key, asc, ascq;   /* sense when status is CHECK */
	int progress;             /* -1 none, else 0..65535 */
	const uint8_t *data;
	size_t data_len;
	int transport_rc;         /* < 0: exec fails */
	bool no_sense;            /* CHECK without sense bytes */
};

struct script {
	const struct step *steps;
	size_t n, pos;
	uint8_t cdbs[16][16];     /* CDBs received */
	uint32_t lens[16];
};

static int script_exec(struct mmc_transport *t, struct mmc_cmd *c,
		       discfs_error *err)
{
	struct script *s = t->ctx;
	const struct step *st;

	assert_true(s->pos < s->n);
	st = &s->steps[s->pos];
	if (s->pos < 16) {
		memcpy(s->cdbs[s->pos], c->cdb, 16);
		s->lens[s->pos] = c->len;
	}
	s->pos++;
	assert_int_equal(c->cdb[0], st->opcode);
	if (st->transport_rc)
		return dfs_fail(err, -st->transport_rc, "transport failed");
	c->status = st->status;
	if (st->status == MMC_STATUS_CHECK && !st->no_sense) {
		memset(c->sense, 0, 18);
		c->sense[0] = 0x70;
		c->sense[2] = st->key;
		c->sense[7] = 10;
		c->sense[12] = st->asc;
		c->sense[13] = st->ascq;
		if (st->progress >= 0) {
			c->sense[15] = 0x80;
			c->sense[16] = (uint8_t)(st->progress >> 8);
			c->sense[17] = (uint8_t)st->progress;
		}
		c->sense_len = 18;
	}
	if (c->dir == MMC_DIR_IN) {
		size_t n = st->data_len < c->len ? st->data_len : c->len;
		if (n)
			memcpy(c->buf, st->data, n);
		c->resid = c->len - (uint32_t)n;
	}
	return 0;
}

static const struct mmc_transport_ops script_ops = {
	.name = "script", .exec = script_exec,
};

static struct mmc_transport make(struct script *s, const struct step *st,
				 size_t n)
{
	struct mmc_transport t = { .ops = &script_ops, .ctx = s };

	memset(s, 0, sizeof(*s));
	s->steps = st;
	s->n = n;
	return t;
}

#define GOOD(op) { .opcode = op, .progress = -1 }
#define CHECK(op, k, a, q) { .opcode = op, .status = 2, .key = k, .asc = a, \
			     .ascq = q, .progress = -1 }

static void test_good_status_is_success(void **st)
{
	static const struct step steps[] = { GOOD(0x00) };
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;

	mmc_cdb_test_unit_ready(&c);
	assert_int_equal(mmc_run(&t, &c, NULL), 0);
}

static void test_no_medium_reads_plainly(void **st)
{
	static const struct step steps[] = { CHECK(0x51, 2, 0x3A, 0x01) };
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;
	uint8_t buf[34];
	discfs_error err;

	mmc_cdb_read_disc_info(&c, 0, buf, sizeof(buf));
	assert_int_equal(mmc_run(&t, &c, &err), -DISCFS_ENOMEDIUM);
	assert_string_equal(err.msg, "no medium in drive");
	assert_int_equal(err.sense_key, 2);
	assert_int_equal(err.asc, 0x3A);
	assert_int_equal(err.ascq, 0x01);
}

static void test_write_protect_reads_plainly(void **st)
{
	static const struct step steps[] = { CHECK(0x2A, 7, 0x27, 0) };
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;
	uint8_t buf[2048] = { 0 };
	discfs_error err;

	assert_int_equal(mmc_cdb_write10(&c, 0, 1, 2048, 0, buf, NULL), 0);
	assert_int_equal(mmc_run(&t, &c, &err), -DISCFS_EPROTECT);
	assert_string_equal(err.msg, "medium is write-protected");
}

static void test_illegal_request_names_command_and_sense(void **st)
{
	static const struct step steps[] = { CHECK(0x5B, 5, 0x24, 0) };
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;
	discfs_error err;

	mmc_cdb_close_track_session(&c, 2, 0, true);
	assert_int_equal(mmc_run(&t, &c, &err), -DISCFS_EILLEGAL);
	assert_non_null(strstr(err.msg, "CLOSE TRACK/SESSION"));
	assert_non_null(strstr(err.msg, "Invalid field in cdb"));
	assert_non_null(strstr(err.msg, "5/24/00"));
}

static void test_recovered_error_counts_as_success(void **st)
{
	static const struct step steps[] = { CHECK(0x28, 1, 0x17, 0x01) };
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;
	uint8_t buf[2048];

	assert_int_equal(mmc_cdb_read10(&c, 0, 1, 2048, buf, NULL), 0);
	assert_int_equal(mmc_run(&t, &c, NULL), 0);
}

static void test_odd_statuses_and_transport_failures(void **st)
{
	static const struct step steps[] = {
		{ .opcode = 0, .status = 2, .no_sense = true, .progress = -1 },
		{ .opcode = 0, .status = 8, .progress = -1 },
		{ .opcode = 0, .status = 0x18, .progress = -1 },
		{ .opcode = 0, .transport_rc = -DISCFS_ENODEV, .progress = -1 },
	};
	struct script s;
	struct mmc_transport t = make(&s, steps, 4);
	struct mmc_cmd c;
	discfs_error err;

	mmc_cdb_test_unit_ready(&c);
	assert_int_equal(mmc_run(&t, &c, &err), -DISCFS_EIO);
	assert_non_null(strstr(err.msg, "without sense"));
	assert_int_equal(mmc_run(&t, &c, &err), -DISCFS_EBUSY);
	assert_int_equal(mmc_run(&t, &c, &err), -DISCFS_EIO);
	assert_int_equal(mmc_run(&t, &c, &err), -DISCFS_ENODEV);
}

/* A 60-byte disc information answer (length field 58). */
static const uint8_t disc60[60] = { 0, 58, 0x0E, 1, 1, 1, 1 };

static void test_fetch_asks_header_then_full_length(void **st)
{
	static const struct step steps[] = {
		{ .opcode = 0x51, .data = disc60, .data_len = 60, .progress = -1 },
		{ .opcode = 0x51, .data = disc60, .data_len = 60, .progress = -1 },
	};
	struct script s;
	struct mmc_transport t = make(&s, steps, 2);
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;

	mmc_cdb_read_disc_info(&c, 0, NULL, 0);
	assert_int_equal(mmc_fetch(&t, &c, 4096, &buf, &len, NULL), 0);
	assert_int_equal(s.pos, 2);
	assert_int_equal(s.cdbs[0][7] << 8 | s.cdbs[0][8], 4);
	assert_int_equal(s.cdbs[1][7] << 8 | s.cdbs[1][8], 60);
	assert_int_equal(len, 60);
	assert_memory_equal(buf, disc60, 60);
	free(buf);
}

static void test_fetch_refuses_length_over_limit(void **st)
{
	static const struct step steps[] = {
		{ .opcode = 0x51, .data = disc60, .data_len = 60, .progress = -1 },
	};
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;
	discfs_error err;

	mmc_cdb_read_disc_info(&c, 0, NULL, 0);
	assert_int_equal(mmc_fetch(&t, &c, 40, &buf, &len, &err), -DISCFS_EPROTO);
	assert_null(buf);
	assert_non_null(strstr(err.msg, "exceeds"));
}

static void test_fetch_refuses_short_header(void **st)
{
	static const uint8_t one[1] = { 0 };
	static const struct step steps[] = {
		{ .opcode = 0x46, .data = one, .data_len = 1, .progress = -1 },
	};
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;

	mmc_cdb_get_configuration(&c, 0, 0, NULL, 0);
	assert_int_equal(mmc_fetch(&t, &c, 4096, &buf, &len, NULL),
			 -DISCFS_EPROTO);
}

static void test_fetch_of_header_only_answer_is_one_pass(void **st)
{
	static const uint8_t hdr[8] = { 0, 0, 0, 4, 0, 0, 0, 0x41 };
	static const struct step steps[] = {
		{ .opcode = 0x46, .data = hdr, .data_len = 8, .progress = -1 },
	};
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;

	mmc_cdb_get_configuration(&c, MMC_GC_ONE, 0x21, NULL, 0);
	assert_int_equal(mmc_fetch(&t, &c, 4096, &buf, &len, NULL), 0);
	assert_int_equal(s.pos, 1);
	assert_int_equal(len, 8);
	assert_int_equal(buf[7], 0x41);
	free(buf);
}

static void test_fetch_passes_drive_errors(void **st)
{
	static const struct step steps[] = { CHECK(0x23, 2, 0x3A, 0) };
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;

	mmc_cdb_read_format_capacities(&c, NULL, 0);
	assert_int_equal(mmc_fetch(&t, &c, 4096, &buf, &len, NULL),
			 -DISCFS_ENOMEDIUM);
	assert_null(buf);
}

static void test_response_lengths_per_opcode(void **st)
{
	const uint8_t h[8] = { 0x00, 0x10, 0x20, 0x30, 0x05, 0, 0x00, 0x08 };

	assert_int_equal(mmc_response_length(0x12, h, 8), 5 + 0x05);
	assert_int_equal(mmc_response_length(0x23, h, 8), 4 + 0x30);
	assert_int_equal(mmc_response_length(0x46, h, 8), 4 + 0x102030);
	assert_int_equal(mmc_response_length(0x4A, h, 8), 4 + 0x10);
	assert_int_equal(mmc_response_length(0xBD, h, 8), 8 + 8);
	assert_int_equal(mmc_response_length(0x52, h, 8), 2 + 0x10);
	assert_int_equal(mmc_response_length(0x52, h, 1), 0);
	assert_int_equal(mmc_response_length(0x00, h, 8), 0);
}

/* ------------------------------------------------------ wait_ready */

struct watch {
	int seen[16];
	int n;
	int naps;
	int stop_after;
};

static bool on_progress(void *ctx, int p)
{
	struct watch *w = ctx;

	if (w->n < 16)
		w->seen[w->n] = p;
	w->n++;
	return !(w->stop_after && w->n >= w->stop_after);
}

static void nap(void *ctx, uint32_t ms)
{
	((struct watch *)ctx)->naps++;
}

static const uint8_t rs_75[18] = { 0x70, 0, 0x00, 0, 0, 0, 0, 10,
				   0, 0, 0, 0, 0, 0, 0, 0x80, 0xC0, 0x00 };

static void test_wait_ready_reports_progress_until_good(void **st)
{
	static const struct step ok[] = {
		{ .opcode = 0, .status = 2, .key = 2, .asc = 4, .ascq = 7,
		  .progress = 0x4000 },
		{ .opcode = 0, .status = 2, .key = 2, .asc = 4, .ascq = 7,
		  .progress = -1 },
		{ .opcode = 0x03, .data = rs_75, .data_len = 18, .progress = -1 },
		CHECK(0, 6, 0x28, 0),
		GOOD(0),
	};
	struct script s;
	struct mmc_transport t = make(&s, ok, 5);
	struct watch w = { 0 };
	struct mmc_wait mw = { .progress = on_progress, .ctx = &w,
			       .sleep_ms = nap, .poll_ms = 10 };

	assert_int_equal(mmc_wait_ready(&t, &mw, NULL), 0);
	assert_int_equal(w.n, 4);
	assert_int_equal(w.seen[0], 2500);
	assert_int_equal(w.seen[1], 7500);
	assert_int_equal(w.seen[2], -1);    /* unit attention: unknown */
	assert_int_equal(w.seen[3], 10000);
	assert_int_equal(w.naps, 3);
}

static void test_wait_ready_returns_other_errors(void **st)
{
	static const struct step steps[] = { CHECK(0, 3, 0x31, 0) };
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct watch w = { 0 };
	struct mmc_wait mw = { .ctx = &w, .sleep_ms = nap };

	assert_int_equal(mmc_wait_ready(&t, &mw, NULL), -DISCFS_EMEDIUM);
	assert_int_equal(w.naps, 0);
}

static void test_wait_ready_times_out(void **st)
{
	struct step steps[8];
	struct script s;
	struct mmc_transport t;
	struct watch w = { 0 };
	struct mmc_wait mw = { .ctx = &w, .sleep_ms = nap, .poll_ms = 100,
			       .timeout_ms = 300 };
	discfs_error err;

	for (int i = 0; i < 8; i++)
		steps[i] = (struct step)CHECK(0, 2, 4, 1);
	t = make(&s, steps, 8);
	assert_int_equal(mmc_wait_ready(&t, &mw, &err), -DISCFS_ENOTREADY);
	assert_int_equal(w.naps, 3);
	assert_non_null(strstr(err.msg, "busy"));
}

static void test_wait_ready_can_be_cancelled(void **st)
{
	static const struct step steps[] = {
		{ .opcode = 0, .status = 2, .key = 2, .asc = 4, .ascq = 4,
		  .progress = 100 },
	};
	struct script s;
	struct mmc_transport t = make(&s, steps, 1);
	struct watch w = { .stop_after = 1 };
	struct mmc_wait mw = { .progress = on_progress, .ctx = &w,
			       .sleep_ms = nap };

	assert_int_equal(mmc_wait_ready(&t, &mw, NULL), -DISCFS_ECANCELED);
}

static void test_clear_unit_attention_consumes_all(void **st)
{
	static const struct step steps[] = {
		CHECK(0, 6, 0x29, 0), CHECK(0, 6, 0x28, 0), CHECK(0, 2, 0x3A, 0),
	};
	struct script s;
	struct mmc_transport t = make(&s, steps, 3);

	assert_int_equal(mmc_clear_unit_attention(&t, NULL), -DISCFS_ENOMEDIUM);
	assert_int_equal(s.pos, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_status_is_success),
		cmocka_unit_test(test_no_medium_reads_plainly),
		cmocka_unit_test(test_write_protect_reads_plainly),
		cmocka_unit_test(test_illegal_request_names_command_and_sense),
		cmocka_unit_test(test_recovered_error_counts_as_success),
		cmocka_unit_test(test_odd_statuses_and_transport_failures),
		cmocka_unit_test(test_fetch_asks_header_then_full_length),
		cmocka_unit_test(test_fetch_refuses_length_over_limit),
		cmocka_unit_test(test_fetch_refuses_short_header),
		cmocka_unit_test(test_fetch_of_header_only_answer_is_one_pass),
		cmocka_unit_test(test_fetch_passes_drive_errors),
		cmocka_unit_test(test_response_lengths_per_opcode),
		cmocka_unit_test(test_wait_ready_reports_progress_until_good),
		cmocka_unit_test(test_wait_ready_returns_other_errors),
		cmocka_unit_test(test_wait_ready_times_out),
		cmocka_unit_test(test_wait_ready_can_be_cancelled),
		cmocka_unit_test(test_clear_unit_attention_consumes_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
