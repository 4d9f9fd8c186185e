/*
 * tests/unit/test_max_transfer.c - no command carries more than the host
 * adapter allows (struct mmc_transport.max_xfer, read from sg with
 * BLKSECTGET): burns and raw block I/O cut their WRITEs and READs to fit,
 * and a medium whose write unit does not fit is refused before anything
 * is written.  A spy wrapped around the emulated drive's transport
 * (support/spy_transport.h) records the largest WRITE and READ it saw, on
 * both the synchronous and the queued (io_uring engine) paths.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "discfs.h"
#include "support/scratch.h"
#include "lib/drive_internal.h"
#include "support/spy_transport.h"

static char dir[64];
static unsigned seq;

static struct spy_log spy;

/* Opens an emulated disc of media whose adapter allows max_xfer bytes. */
static discfs_drive *open_limited(const char *media, uint32_t max_xfer)
{
	char path[128];
	discfs_drive *d;
	discfs_error e;
	struct mmc_transport *t;

	snprintf(path, sizeof(path), "%s/d%u.img", dir, ++seq);
	if (discfs_emu_create(path, media, 8192, &e))
		fail_msg("create %s: %s", media, e.msg);
	if (discfs_open(path, &d, &e))
		fail_msg("open: %s", e.msg);
	spy_attach(d, &spy);
	t = discfs_drive_transport(d);
	t->max_xfer = max_xfer;
	return d;
}

static const char *new_image(size_t blocks)
{
	static char path[128];
	size_t len = blocks * 2048;
	uint8_t *b = malloc(len);
	int fd;
	assert_non_null(b);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + (i >> 11));
	snprintf(path, sizeof(path), "%s/i%u.bin", dir, ++seq);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	free(b);
	return path;
}

/* ------------------------------------------------------------ tests */

static void a_burn_cuts_its_writes_to_the_adapter_limit(void **st)
{
	static const struct { const char *media; uint32_t xfer, want; } c[] = {
		{ "cd-r", 16384, 8 },   /* 1-block unit: 8 blocks per WRITE */
		{ "dvd+r", 32768, 16 }, /* one 32 KiB ECC block per WRITE */
		{ "dvd+rw", 1 << 20, 32 }, /* more allowed: still the default */
	};
	const char *img = new_image(300);
	(void)st;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		discfs_burn_opts o = { 0 };
		discfs_burn_result r;
		discfs_error e;
		discfs_drive *d = open_limited(c[i].media, c[i].xfer);
		if (discfs_burn_image(d, img, &o, &r, &e))
			fail_msg("%s: burn: %s", c[i].media, e.msg);
		assert_true(spy.writes > 0);
		assert_int_equal(spy.max_write_blocks, c[i].want);
		discfs_close(d);
	}
}

static void a_unit_larger_than_the_adapter_allows_is_refused_first(void **st)
{
	const char *img = new_image(64);
	discfs_burn_opts o = { 0 };
	discfs_burn_result r;
	discfs_error e = { 0 };
	discfs_drive *d = open_limited("bd-r", 32768); /* BD unit: 64 KiB */
	(void)st;
	assert_int_equal(discfs_burn_image(d, img, &o, &r, &e), -DISCFS_EINVAL);
	assert_non_null(strstr(e.msg, "maximum transfer"));
	assert_int_equal(spy.writes, 0);
	discfs_close(d);
}

static void raw_block_io_cuts_its_commands_too(void **st)
{
	static uint8_t buf[100 * 2048], back[100 * 2048];
	discfs_error e;
	discfs_drive *d = open_limited("bd-re", 8192); /* 4 blocks */
	(void)st;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13);
	discfs_format_opts fo = { 0 };
	if (discfs_format(d, &fo, &e))
		fail_msg("format: %s", e.msg);
	if (discfs_write_blocks(d, 64, 100, buf, &e))
		fail_msg("write: %s", e.msg);
	if (discfs_read_blocks(d, 64, 100, back, &e))
		fail_msg("read: %s", e.msg);
	assert_memory_equal(buf, back, sizeof(buf));
	assert_int_equal(spy.max_write_blocks, 4);
	assert_int_equal(spy.max_read_blocks, 4);
	discfs_close(d);
}

static int setup(void **st)
{
	(void)st;
	return scratch_make(dir, sizeof(dir), "dfs-maxxfer");
}

static int teardown(void **st)
{
	(void)st;
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_burn_cuts_its_writes_to_the_adapter_limit),
		cmocka_unit_test(a_unit_larger_than_the_adapter_allows_is_refused_first),
		cmocka_unit_test(raw_block_io_cuts_its_commands_too),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
