/*
 * test_emu_transport.c - the emulated drive as a struct mmc_transport:
 * synchronous exec, several commands in flight through submit/reap with
 * an eventfd per completion, the drive vanishing, and another thread
 * polling TUR/GESN (as the kernel does) while a burn runs.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>

#include "test_emu_helpers.h"

static char path[512];

static struct mmc_transport *open_tp(const char *media)
{
	discfs_error err;
	struct mmc_transport *t;
	struct emu_options o;
	emu_path(path, sizeof(path));
	assert_int_equal(emu_disc_create(path, media, 8192, &err), 0);
	emu_options_default(&o);
	o.time_scale = 0;
	assert_int_equal(emu_transport_open(path, &o, &t, &err), 0);
	assert_non_null(emu_transport_drive(t));
	emu_clear_ua(emu_transport_drive(t));
	return t;
}

static void write_cmd(struct mmc_cmd *c, uint32_t lba, uint16_t n, void *buf)
{
	memset(c, 0, sizeof(*c));
	c->cdb[0] = 0x2A;
	put_be32(c->cdb + 2, lba);
	put_be16(c->cdb + 7, n);
	c->cdb_len = 10;
	c->dir = MMC_DIR_OUT;
	c->buf = buf;
	c->len = (uint32_t)n * 2048;
}

static void exec_runs_a_command(void **s)
{
	struct mmc_transport *t = open_tp("bd-r");
	discfs_error err;
	uint8_t b[36];
	struct mmc_cmd c = { .cdb = { 0x12, 0, 0, 0, 36 }, .cdb_len = 6,
			     .dir = MMC_DIR_IN, .buf = b, .len = 36 };
	assert_int_equal(mmc_transport_exec(t, &c, &err), 0);
	assert_int_equal(c.status, MMC_STATUS_GOOD);
	assert_int_equal(b[0], 5);
	assert_non_null(strstr(t->path, "emu:"));
	mmc_transport_destroy(t);
}

static void submitted_commands_complete_in_order(void **s)
{
	struct mmc_transport *t = open_tp("bd-r");
	discfs_error err;
	enum { N = 8 };
	struct mmc_cmd cmds[N];
	uint8_t *buf = calloc(N, 32 * 2048);
	for (int i = 0; i < N; i++) {
		write_cmd(&cmds[i], (uint32_t)i * 32, 32, buf + i * 32 * 2048);
		cmds[i].user_tag = (uint64_t)i;
		assert_int_equal(t->ops->submit(t, &cmds[i], &err), 0);
	}
	int efd = t->ops->event_fd(t);
	assert_true(efd >= 0);
	for (int i = 0; i < N; i++) {
		struct pollfd p = { .fd = efd, .events = POLLIN };
		assert_int_equal(poll(&p, 1, 5000), 1);
		struct mmc_cmd *done = NULL;
		assert_int_equal(t->ops->reap(t, &done, 5000, &err), 0);
		assert_ptr_equal(done, &cmds[i]);
		assert_int_equal(done->user_tag, (uint64_t)i);
		assert_int_equal(done->status, MMC_STATUS_GOOD);
	}
	struct mmc_cmd *none = NULL;
	assert_int_equal(t->ops->reap(t, &none, 0, &err), -DISCFS_EBUSY);
	assert_null(none);
	/* all data reached the disc */
	assert_int_equal(emu_nwa(emu_transport_drive(t), 1), N * 32);
	free(buf);
	mmc_transport_destroy(t);
}

static void vanished_drive_reports_no_device(void **s)
{
	struct mmc_transport *t = open_tp("dvd+r");
	struct emu_faults f;
	discfs_error err;
	emu_faults_clear(&f);
	f.vanish_after = 0;
	emu_set_faults(emu_transport_drive(t), &f);
	struct mmc_cmd c = { .cdb_len = 6 };
	assert_int_equal(mmc_transport_exec(t, &c, &err), -DISCFS_ENODEV);
	assert_int_equal(err.code, DISCFS_ENODEV);
	assert_int_equal(t->ops->submit(t, &c, &err), 0);
	struct mmc_cmd *done;
	assert_int_equal(t->ops->reap(t, &done, -1, &err), -DISCFS_ENODEV);
	assert_ptr_equal(done, &c);
	mmc_transport_destroy(t);
}

struct poller {
	struct emu_drive *d;
	volatile bool stop;
	unsigned polls;
	bool bad;
};

static void *poll_main(void *arg)
{
	struct poller *p = arg;
	while (!p->stop) {
		struct mmc_cmd c = { .cdb = { 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8 },
				     .cdb_len = 10, .dir = MMC_DIR_IN };
		uint8_t b[8];
		c.buf = b;
		c.len = 8;
		if (emu_exec(p->d, &c) || c.status != MMC_STATUS_GOOD)
			p->bad = true;
		struct mmc_cmd tur = { .cdb_len = 6 };
		if (emu_exec(p->d, &tur) || tur.status != MMC_STATUS_GOOD)
			p->bad = true;
		p->polls++;
	}
	return NULL;
}

static void polling_thread_does_not_disturb_a_burn(void **s)
{
	struct mmc_transport *t = open_tp("dvd+r");
	discfs_error err;
	struct poller p = { .d = emu_transport_drive(t) };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, poll_main, &p), 0);
	uint8_t *buf = calloc(16, 2048);
	for (uint32_t lba = 0; lba < 4096; lba += 16) {
		struct mmc_cmd c;
		write_cmd(&c, lba, 16, buf);
		assert_int_equal(mmc_transport_exec(t, &c, &err), 0);
		assert_int_equal(c.status, MMC_STATUS_GOOD);
	}
	while (!p.polls) /* make sure the poller really interleaved */
		sched_yield();
	p.stop = true;
	pthread_join(th, NULL);
	assert_false(p.bad);
	assert_true(p.polls > 0);
	free(buf);
	mmc_transport_destroy(t);
}

static int teardown(void **s)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exec_runs_a_command),
		cmocka_unit_test(submitted_commands_complete_in_order),
		cmocka_unit_test(vanished_drive_reports_no_device),
		cmocka_unit_test(polling_thread_does_not_disturb_a_burn),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
