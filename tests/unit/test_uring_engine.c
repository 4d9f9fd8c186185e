/*
 * test_uring_engine.c - the streaming write engine against a small fake
 * drive that is strict where real drives are: WRITEs must arrive at the
 * next writable address (5/21/02 otherwise), a full buffer answers 2/04/08,
 * and faults (write error at an LBA, unit attention, vanishing) are
 * injected on demand.  The fake runs on its own thread and signals an
 * eventfd, as the emulated drive does, so the engine reaches it through
 * io_uring polling; one test uses an exec-only (synchronous) transport.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmc/mmc_defs.h"
#include "util/bytes.h"
#include "util/err.h"
#include "uring/engine.h"
#include "uring/source.h"

/* ------------------------------------------------------------ fake drive */

#define FAKE_QUEUE 64

struct fake {
	struct mmc_transport t;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t worker;
	int efd;
	bool stop;
	struct mmc_cmd *q[FAKE_QUEUE];
	unsigned qn;
	struct mmc_cmd *done[FAKE_QUEUE];
	unsigned dn;
	/* medium */
	uint8_t *image;
	uint32_t capacity;
	uint32_t nwa;
	bool sequential;
	/* buffer model: drains at rate bytes/s */
	uint32_t buf_size;
	double buf_used;
	double rate;
	struct timespec last;
	/* faults and observations */
	int64_t write_error_lba;  /* -1 none */
	int64_t ua_at_lba;        /* -1 none */
	int64_t vanish_after;     /* commands; -1 never */
	bool vanished;
	unsigned in_queue_max;
	unsigned outstanding;     /* submitted, not yet reaped */
	unsigned outstanding_max;
	int64_t swap_at_lba;      /* run the WRITE behind this one first, once */
	unsigned busy_replies;
	unsigned bad_address;
	unsigned rbc_count;
};

static void set_sense(struct mmc_cmd *c, uint8_t key, uint8_t asc,
		      uint8_t ascq)
{
	c->status = MMC_STATUS_CHECK;
	memset(c->sense, 0, sizeof(c->sense));
	c->sense[0] = 0x70;
	c->sense[2] = key;
	c->sense[7] = 10;
	c->sense[12] = asc;
	c->sense[13] = ascq;
	c->sense_len = 18;
}

static void drain(struct fake *f)
{
	struct timespec now;
	double dt;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - f->last.tv_sec) +
	     (double)(now.tv_nsec - f->last.tv_nsec) / 1e9;
	f->last = now;
	f->buf_used -= dt * f->rate;
	if (f->buf_used < 0)
		f->buf_used = 0;
}

static void do_write(struct fake *f, struct mmc_cmd *c)
{
	uint32_t lba = get_be32(c->cdb + 2);
	uint32_t n = c->cdb[0] == MMC_WRITE12 ? get_be32(c->cdb + 6)
					      : get_be16(c->cdb + 7);
	if (f->ua_at_lba >= 0 && lba + n > (uint64_t)f->ua_at_lba) {
		f->ua_at_lba = -1;
		set_sense(c, SK_UNIT_ATTENTION, 0x29, 0x00);
		return;
	}
	if (f->sequential && lba != f->nwa) {
		f->bad_address++;
		set_sense(c, SK_ILLEGAL_REQUEST, 0x21, 0x02);
		return;
	}
	if ((uint64_t)lba + n > f->capacity) {
		set_sense(c, SK_ILLEGAL_REQUEST, 0x21, 0x00);
		return;
	}
	if (f->write_error_lba >= 0 && lba <= f->write_error_lba &&
	    f->write_error_lba < (int64_t)(lba + n)) {
		set_sense(c, SK_MEDIUM_ERROR, 0x0C, 0x00);
		return;
	}
	drain(f);
	if (f->buf_size && f->buf_used + c->len > f->buf_size) {
		f->busy_replies++;
		set_sense(c, SK_NOT_READY, 0x04, 0x08);
		return;
	}
	f->buf_used += c->len;
	memcpy(f->image + (size_t)lba * 2048, c->buf, c->len);
	if (lba + n > f->nwa)
		f->nwa = lba + n;
	c->status = MMC_STATUS_GOOD;
}

static void do_rbc(struct fake *f, struct mmc_cmd *c)
{
	uint8_t *b = c->buf;
	f->rbc_count++;
	drain(f);
	memset(b, 0, c->len);
	put_be16(b, 10);
	put_be32(b + 4, f->buf_size);
	put_be32(b + 8, f->buf_size - (uint32_t)f->buf_used);
	c->resid = 0;
	c->status = MMC_STATUS_GOOD;
}

/* Runs one command; false when the drive has vanished. */
static bool fake_run(struct fake *f, struct mmc_cmd *c)
{
	if (f->vanish_after >= 0 && f->vanish_after-- == 0)
		f->vanished = true;
	if (f->vanished)
		return false;
	c->status = MMC_STATUS_GOOD;
	c->sense_len = 0;
	c->resid = 0;
	if (c->cdb[0] == MMC_WRITE10 || c->cdb[0] == MMC_WRITE12)
		do_write(f, c);
	else if (c->cdb[0] == MMC_READ_BUFFER_CAPACITY)
		do_rbc(f, c);
	else
		set_sense(c, SK_ILLEGAL_REQUEST, 0x20, 0x00);
	return true;
}

/* The WRITE to be overtaken waits at the head of the queue until the one
 * behind it arrives, so the reordering happens on every run rather than
 * only when the machine happens to be slow enough to queue two. */
static bool holding_for_swap(const struct fake *f)
{
	return f->swap_at_lba >= 0 && f->qn == 1 && f->q[0]->cdb[0] == 0x2A &&
	       get_be32(f->q[0]->cdb + 2) == (uint64_t)f->swap_at_lba;
}

static void *fake_worker(void *arg)
{
	struct fake *f = arg;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		struct mmc_cmd *c;
		uint64_t one = 1;
		while ((!f->qn || holding_for_swap(f)) && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stop)
			break;
		if (f->swap_at_lba >= 0 && f->qn >= 2 &&
		    get_be32(f->q[0]->cdb + 2) == (uint64_t)f->swap_at_lba) {
			/* the kernel reordered two queued WRITEs */
			struct mmc_cmd *t = f->q[0];
			f->q[0] = f->q[1];
			f->q[1] = t;
			f->swap_at_lba = -1;
		}
		c = f->q[0];
		memmove(f->q, f->q + 1, --f->qn * sizeof(f->q[0]));
		if (!fake_run(f, c)) {
			/* vanished: the command never comes back, but the
			 * waiter is woken to hear it from reap() */
			if (write(f->efd, &one, sizeof(one)) < 0)
				abort();
			continue;
		}
		f->done[f->dn++] = c;
		if (write(f->efd, &one, sizeof(one)) < 0)
			abort();
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static int fake_exec(struct mmc_transport *t, struct mmc_cmd *c,
		     discfs_error *err)
{
	struct fake *f = t->ctx;
	bool ok;
	pthread_mutex_lock(&f->mu);
	ok = fake_run(f, c);
	pthread_mutex_unlock(&f->mu);
	return ok ? 0 : dfs_fail(err, DISCFS_ENODEV, "fake drive vanished");
}

static int fake_submit(struct mmc_transport *t, struct mmc_cmd *c,
		       discfs_error *err)
{
	struct fake *f = t->ctx;
	pthread_mutex_lock(&f->mu);
	if (f->qn == FAKE_QUEUE) {
		pthread_mutex_unlock(&f->mu);
		return dfs_fail(err, DISCFS_EBUSY, "fake queue full");
	}
	f->q[f->qn++] = c;
	if (f->qn > f->in_queue_max)
		f->in_queue_max = f->qn;
	if (++f->outstanding > f->outstanding_max)
		f->outstanding_max = f->outstanding;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return 0;
}

static int fake_reap(struct mmc_transport *t, struct mmc_cmd **done,
		     int timeout_ms, discfs_error *err)
{
	struct fake *f = t->ctx;
	int rc = 0;
	pthread_mutex_lock(&f->mu);
	*done = NULL;
	if (f->dn) {
		f->outstanding--;
		*done = f->done[0];
		memmove(f->done, f->done + 1, --f->dn * sizeof(f->done[0]));
	} else if (f->vanished) {
		rc = dfs_fail(err, DISCFS_ENODEV, "fake drive vanished");
	} else {
		rc = dfs_fail(err, DISCFS_ENOTREADY, "nothing finished");
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_event_fd(struct mmc_transport *t)
{
	return ((struct fake *)t->ctx)->efd;
}

static const struct mmc_transport_ops fake_async_ops = {
	.name = "fake-async",
	.exec = fake_exec,
	.submit = fake_submit,
	.reap = fake_reap,
	.event_fd = fake_event_fd,
};

static const struct mmc_transport_ops fake_sync_ops = {
	.name = "fake-sync",
	.exec = fake_exec,
};

static struct fake *fake_new(uint32_t capacity, bool async)
{
	struct fake *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->t.ops = async ? &fake_async_ops : &fake_sync_ops;
	f->t.ctx = f;
	snprintf(f->t.path, sizeof(f->t.path), "fake");
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(f->efd >= 0);
	f->image = calloc(capacity, 2048);
	assert_non_null(f->image);
	f->capacity = capacity;
	f->sequential = true;
	f->write_error_lba = f->ua_at_lba = f->vanish_after = -1;
	f->swap_at_lba = -1;
	clock_gettime(CLOCK_MONOTONIC, &f->last);
	pthread_create(&f->worker, NULL, fake_worker, f);
	return f;
}

static void fake_free(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->worker, NULL);
	close(f->efd);
	free(f->image);
	free(f);
}

/* ------------------------------------------------------------ helpers */

static uint8_t *pattern(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n ? n : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 11)) & 0xFF);
	return p;
}

static char *temp_image(const uint8_t *data, size_t n)
{
	char *path = strdup("/tmp/test_uring_engine.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	return path;
}

static struct dfs_lane_cfg lane_for(struct fake *f, struct dfs_source *src,
				    uint32_t unit, uint32_t chunk,
				    unsigned depth)
{
	struct dfs_lane_cfg c;
	memset(&c, 0, sizeof(c));
	c.transport = &f->t;
	c.sg_fd = -1;
	c.src = src;
	c.units.unit_blocks = unit;
	c.units.chunk_blocks = chunk;
	c.depth = depth;
	c.max_blocks = f->capacity;
	return c;
}

static void assert_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			fail_msg("byte %zu is %u, not 0", i, p[i]);
}

/* ------------------------------------------------------------ tests */

static void streams_file_in_order_with_several_writes_in_flight(void **st)
{
	size_t n = 1024 * 1024 + 3 * 2048 + 100; /* not unit aligned */
	uint8_t *data = pattern(n, 1);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(4096, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;
	uint64_t blocks = (n + 2047) / 2048, padded = (blocks + 31) / 32 * 32;

	(void)st;
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 32, 32, 8);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), 0);
	assert_int_equal(s.rc, 0);
	assert_true(s.finished);
	assert_int_equal(s.acked_blocks, padded);
	assert_int_equal(s.total_blocks, padded);
	assert_int_equal(s.source_bytes, n);
	assert_int_equal(f->nwa, padded);
	assert_memory_equal(f->image, data, n);
	assert_zero(f->image + n, padded * 2048 - n);
	assert_int_equal(f->bad_address, 0);
	assert_int_equal(f->outstanding_max, 8); /* the whole window in flight */
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

static void full_buffer_is_retried_after_draining_and_nothing_is_lost(void **st)
{
	size_t n = 6 * 1024 * 1024;
	uint8_t *data = pattern(n, 2);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(4096, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	f->buf_size = 512 * 1024;
	f->rate = 40e6; /* 40 MB/s: the 6 MiB take ~150 ms */
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 16, 32, 12);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), 0);
	assert_int_equal(s.acked_blocks, n / 2048);
	assert_memory_equal(f->image, data, n);
	assert_true(f->busy_replies > 0);
	assert_true(s.busy_stalls > 0);
	assert_true(f->rbc_count > 0); /* the pause was chosen from the buffer */
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

static void write_error_aborts_and_reports_exactly_what_was_written(void **st)
{
	size_t n = 400 * 2048;
	uint8_t *data = pattern(n, 3);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(1024, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	f->write_error_lba = 100;
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 16, 32, 4);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), -DISCFS_EMEDIUM);
	assert_int_equal(e.code, DISCFS_EMEDIUM);
	assert_int_equal(e.sense_key, 3);
	assert_int_equal(e.asc, 0x0C);
	assert_true(s.fail_lba_valid);
	assert_int_equal(s.fail_lba, 96);       /* the chunk 96..127 */
	assert_int_equal(s.acked_blocks, 96);   /* everything before it */
	assert_int_equal(f->nwa, 96);
	assert_memory_equal(f->image, data, 96 * 2048);
	assert_non_null(strstr(e.msg, "96 blocks written from LBA 0"));
	assert_non_null(strstr(e.msg, "WRITE at LBA 96"));
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

static void writes_reordered_below_us_are_resent_in_order(void **st)
{
	size_t n = 200 * 2048;
	uint8_t *data = pattern(n, 13);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(1024, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	f->swap_at_lba = 64; /* the WRITE at 80 reaches the drive first */
	f->buf_size = 1024 * 1024; /* slow enough that WRITEs queue up */
	f->rate = 2e6;
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 16, 16, 8);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), 0);
	assert_true(f->bad_address >= 1); /* it was refused, then resent */
	assert_int_equal(s.acked_blocks, 208);
	assert_memory_equal(f->image, data, n);
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

static void a_write_refused_at_the_next_address_is_an_error(void **st)
{
	size_t n = 64 * 2048;
	uint8_t *data = pattern(n, 14);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(1024, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	f->nwa = 16; /* the disc's next writable address is not our start */
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 16, 16, 4);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), -DISCFS_EILLEGAL);
	assert_int_equal(s.acked_blocks, 0);
	assert_int_equal(s.fail_lba, 0);
	assert_int_equal(e.asc, 0x21);
	assert_int_equal(e.ascq, 0x02);
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

static void unit_attention_mid_burn_stops_with_medium_changed(void **st)
{
	size_t n = 300 * 2048;
	uint8_t *data = pattern(n, 4);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(1024, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	f->ua_at_lba = 200;
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 16, 16, 4);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), -DISCFS_ECHANGED);
	assert_int_equal(s.fail_lba, 192);
	assert_int_equal(s.acked_blocks, 192);
	assert_int_equal(e.sense_key, 6);
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

static void vanishing_drive_ends_the_burn_with_no_such_drive(void **st)
{
	size_t n = 512 * 2048;
	uint8_t *data = pattern(n, 5);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(1024, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	f->vanish_after = 5;
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 16, 16, 4);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), -DISCFS_ENODEV);
	assert_true(s.acked_blocks <= 5 * 16);
	assert_int_equal(s.acked_blocks % 16, 0);
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

struct feeder {
	int fd;
	const uint8_t *data;
	size_t n;
};

static void *feed(void *arg)
{
	struct feeder *fd = arg;
	/* dribble in odd pieces, as a slow pipe does */
	for (size_t off = 0; off < fd->n;) {
		size_t k = fd->n - off < 7777 ? fd->n - off : 7777;
		ssize_t w = write(fd->fd, fd->data + off, k);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd->fd);
	return NULL;
}

static void image_larger_than_free_space_stops_before_overflowing(void **st)
{
	size_t n = 100 * 2048;
	uint8_t *data = pattern(n, 6);
	struct fake *f = fake_new(1024, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	struct feeder fd;
	pthread_t th;
	discfs_error e;
	int fds[2];

	(void)st;
	/* A pipe: the size is not known in advance. */
	assert_int_equal(pipe(fds), 0);
	fd = (struct feeder){ fds[1], data, n };
	pthread_create(&th, NULL, feed, &fd);
	assert_int_equal(dfs_source_from_fd(fds[0], &src, &e), 0);
	c = lane_for(f, src, 16, 16, 4);
	c.max_blocks = 64;
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), -DISCFS_ENOSPC);
	assert_int_equal(s.acked_blocks, 64);
	assert_int_equal(f->nwa, 64);
	assert_non_null(strstr(e.msg, "does not fit"));
	dfs_source_close(src);
	close(fds[0]); /* the feeder gets EPIPE and ends */
	pthread_join(th, NULL);
	fake_free(f);
	free(data);
}

static void pipe_of_unknown_length_is_written_to_its_end(void **st)
{
	size_t n = 777 * 1000;
	uint8_t *data = pattern(n, 7);
	struct fake *f = fake_new(2048, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	struct feeder fd;
	pthread_t th;
	discfs_error e;
	int fds[2];

	(void)st;
	assert_int_equal(pipe(fds), 0);
	fd = (struct feeder){ fds[1], data, n };
	pthread_create(&th, NULL, feed, &fd);
	assert_int_equal(dfs_source_from_fd(fds[0], &src, &e), 0);
	c = lane_for(f, src, 16, 32, 6);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), 0);
	pthread_join(th, NULL);
	assert_int_equal(s.total_blocks, 0); /* unknown in advance */
	assert_int_equal(s.acked_blocks, 384); /* 380 blocks, 16-aligned */
	assert_memory_equal(f->image, data, n);
	dfs_source_close(src);
	close(fds[0]);
	fake_free(f);
	free(data);
}

struct prod {
	uint64_t left;
	unsigned calls;
};

static int produce(void *user, void *buf, size_t len, size_t *got,
		   discfs_error *err)
{
	struct prod *p = user;
	size_t k = len > 5000 ? 5000 : len; /* smaller than asked */
	(void)err;
	if (k > p->left)
		k = (size_t)p->left;
	for (size_t i = 0; i < k; i++)
		((uint8_t *)buf)[i] = (uint8_t)(p->left - i);
	p->left -= k;
	p->calls++;
	*got = k;
	return 0;
}

static void producer_callback_streams_straight_to_the_drive(void **st)
{
	struct prod p = { 300 * 2048, 0 };
	struct fake *f = fake_new(1024, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	assert_int_equal(dfs_source_from_producer(produce, &p, 300 * 2048,
						  &src, &e), 0);
	c = lane_for(f, src, 32, 32, 4);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), 0);
	assert_int_equal(s.acked_blocks, 320);
	assert_true(p.calls > 100);
	assert_int_equal(f->image[0], (uint8_t)(300 * 2048));
	assert_int_equal(f->image[300 * 2048 - 1], 1);
	assert_zero(f->image + 300 * 2048, 20 * 2048);
	dfs_source_close(src);
	fake_free(f);
}

static void reservation_is_filled_with_zeros_to_its_size(void **st)
{
	size_t n = 10 * 2048;
	uint8_t *data = pattern(n, 8);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(1024, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	memset(f->image, 0xEE, 200 * 2048);
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 16, 32, 4);
	c.pad_to_blocks = 150; /* a DAO reservation: exactly 150 blocks */
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), 0);
	assert_int_equal(s.acked_blocks, 150);
	assert_int_equal(f->nwa, 150);
	assert_memory_equal(f->image, data, n);
	assert_zero(f->image + n, 150 * 2048 - n);
	assert_int_equal(f->image[150 * 2048], 0xEE);
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

struct cancel_ctx {
	volatile int flag;
	uint64_t at;
};

static void cancel_when(void *user, unsigned lane, const struct dfs_lane_status *s)
{
	struct cancel_ctx *c = user;
	(void)lane;
	if (s->acked_blocks >= c->at)
		c->flag = 1;
}

static void cancel_stops_safely_on_a_whole_prefix(void **st)
{
	size_t n = 2048 * 2048;
	uint8_t *data = pattern(n, 9);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(4096, true);
	struct cancel_ctx cc = { 0, 256 };
	struct dfs_engine_cfg ec = { 0 };
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	f->buf_size = 256 * 1024;
	f->rate = 20e6; /* ~200 ms for the whole image: time to cancel */
	ec.progress = cancel_when;
	ec.user = &cc;
	ec.progress_ms = 1;
	ec.cancel = &cc.flag;
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 16, 32, 4);
	assert_int_equal(dfs_engine_run(&ec, &c, 1, &s, &e), -DISCFS_ECANCELED);
	assert_true(s.acked_blocks >= 256);
	assert_true(s.acked_blocks < n / 2048);
	assert_int_equal(f->nwa, s.acked_blocks); /* no hole, nothing beyond */
	assert_memory_equal(f->image, data, s.acked_blocks * 2048);
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

static void one_ring_burns_the_same_image_to_four_drives(void **st)
{
	size_t n = 3 * 1024 * 1024;
	uint8_t *data = pattern(n, 10);
	char *path = temp_image(data, n);
	struct fake *f[4];
	struct dfs_source *src[4];
	struct dfs_lane_status s[4];
	struct dfs_lane_cfg c[4];
	discfs_error e;

	(void)st;
	for (int i = 0; i < 4; i++) {
		f[i] = fake_new(2048, true);
		f[i]->buf_size = 1024 * 1024;
		f[i]->rate = 100e6;
		assert_int_equal(dfs_source_open_file(path, &src[i], &e), 0);
		c[i] = lane_for(f[i], src[i], 32, 32, 6);
	}
	f[2]->rate = 60e6; /* a slower drive does not hold up the others */
	assert_int_equal(dfs_engine_run(NULL, c, 4, s, &e), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(s[i].rc, 0);
		assert_int_equal(s[i].acked_blocks, n / 2048);
		assert_memory_equal(f[i]->image, data, n);
		dfs_source_close(src[i]);
		fake_free(f[i]);
	}
	unlink(path);
	free(path);
	free(data);
}

static void failure_of_one_drive_leaves_the_others_burning(void **st)
{
	size_t n = 256 * 2048;
	uint8_t *data = pattern(n, 11);
	char *path = temp_image(data, n);
	struct fake *f[2];
	struct dfs_source *src[2];
	struct dfs_lane_status s[2];
	struct dfs_lane_cfg c[2];
	discfs_error e;

	(void)st;
	for (int i = 0; i < 2; i++) {
		f[i] = fake_new(1024, true);
		assert_int_equal(dfs_source_open_file(path, &src[i], &e), 0);
		c[i] = lane_for(f[i], src[i], 16, 16, 4);
	}
	f[0]->write_error_lba = 40;
	assert_int_equal(dfs_engine_run(NULL, c, 2, s, &e), -DISCFS_EMEDIUM);
	assert_non_null(strstr(e.msg, "drive 1"));
	assert_int_equal(s[0].acked_blocks, 32);
	assert_int_equal(s[1].rc, 0);
	assert_int_equal(s[1].acked_blocks, 256);
	assert_memory_equal(f[1]->image, data, n);
	for (int i = 0; i < 2; i++) {
		dfs_source_close(src[i]);
		fake_free(f[i]);
	}
	unlink(path);
	free(path);
	free(data);
}

static void synchronous_transport_is_driven_one_command_at_a_time(void **st)
{
	size_t n = 100 * 2048;
	uint8_t *data = pattern(n, 12);
	char *path = temp_image(data, n);
	struct fake *f = fake_new(1024, false);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	assert_int_equal(dfs_source_open_file(path, &src, &e), 0);
	c = lane_for(f, src, 1, 32, 4); /* CD: unit of one sector */
	c.write12_streaming = true;
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), 0);
	assert_int_equal(s.acked_blocks, 100);
	assert_memory_equal(f->image, data, n);
	assert_int_equal(f->outstanding_max, 0); /* never queued: exec only */
	dfs_source_close(src);
	fake_free(f);
	unlink(path);
	free(path);
	free(data);
}

static void bad_lane_settings_are_refused(void **st)
{
	struct fake *f = fake_new(64, true);
	struct dfs_source *src;
	struct dfs_lane_status s;
	struct dfs_lane_cfg c;
	discfs_error e;

	(void)st;
	assert_int_equal(dfs_source_from_fd(0, &src, &e), 0);
	c = lane_for(f, src, 16, 24, 4); /* chunk not a multiple of unit */
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), -DISCFS_EINVAL);
	c = lane_for(f, src, 16, 32, 0);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), -DISCFS_EINVAL);
	c = lane_for(f, src, 16, 32, DFS_ENGINE_MAX_DEPTH + 1);
	assert_int_equal(dfs_engine_run(NULL, &c, 1, &s, &e), -DISCFS_EINVAL);
	assert_int_equal(dfs_engine_run(NULL, &c, 0, &s, &e), -DISCFS_EINVAL);
	dfs_source_close(src);
	fake_free(f);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(streams_file_in_order_with_several_writes_in_flight),
		cmocka_unit_test(full_buffer_is_retried_after_draining_and_nothing_is_lost),
		cmocka_unit_test(write_error_aborts_and_reports_exactly_what_was_written),
		cmocka_unit_test(writes_reordered_below_us_are_resent_in_order),
		cmocka_unit_test(a_write_refused_at_the_next_address_is_an_error),
		cmocka_unit_test(unit_attention_mid_burn_stops_with_medium_changed),
		cmocka_unit_test(vanishing_drive_ends_the_burn_with_no_such_drive),
		cmocka_unit_test(image_larger_than_free_space_stops_before_overflowing),
		cmocka_unit_test(pipe_of_unknown_length_is_written_to_its_end),
		cmocka_unit_test(producer_callback_streams_straight_to_the_drive),
		cmocka_unit_test(reservation_is_filled_with_zeros_to_its_size),
		cmocka_unit_test(cancel_stops_safely_on_a_whole_prefix),
		cmocka_unit_test(one_ring_burns_the_same_image_to_four_drives),
		cmocka_unit_test(failure_of_one_drive_leaves_the_others_burning),
		cmocka_unit_test(synchronous_transport_is_driven_one_command_at_a_time),
		cmocka_unit_test(bad_lane_settings_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
