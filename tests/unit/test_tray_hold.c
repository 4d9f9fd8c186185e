/*
 * tests/unit/test_tray_hold.c - the tray is locked (PREVENT MEDIUM
 * REMOVAL) before a burn, format, erase or close sends its first
 * recording command and unlocked after its last one, so the disc cannot
 * be swapped under the drive, and the tray opens again afterwards — also
 * when the operation failed.
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
#include "support/disc_fixture.h"
#include "support/scratch.h"
#include "support/spy_transport.h"

#define OP_PREVENT 0x1E
#define OP_FORMAT 0x04
#define OP_WRITE10 0x2A
#define OP_CLOSE 0x5B
#define OP_BLANK 0xA1

static char dir[64];
static struct spy_log spy;

static discfs_drive *open_disc(const char *media, char *path, size_t n)
{
	return fixture_open_disc(dir, media, -1, path, n);
}

static const char *new_image(size_t blocks)
{
	return fixture_zero_image(dir, blocks);
}

/* Locked before the first op command, unlocked after the last one, and
 * the last PREVENT ALLOW of the operation is an unlock. */
static void assert_held_around(uint8_t op)
{
	long first = spy_first(&spy, op, -1), last = spy_last(&spy, op, -1);
	long lock = spy_first(&spy, OP_PREVENT, 1);
	long unlock = spy_last(&spy, OP_PREVENT, 0);
	assert_true(first >= 0);
	assert_true(lock >= 0 && lock < first);
	assert_true(unlock > last);
	assert_int_equal(spy_last(&spy, OP_PREVENT, -1), unlock);
}

static void tray_opens_afterwards(discfs_drive *d)
{
	discfs_error e;
	if (discfs_eject(d, &e))
		fail_msg("eject after the operation: %s", e.msg);
}

static void a_burn_holds_the_tray(void **st)
{
	char path[128];
	discfs_burn_opts o = { 0 };
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d = open_disc("dvd+r", path, sizeof(path));
	(void)st;
	spy_attach(d, &spy);
	if (discfs_burn_image(d, new_image(100), &o, &r, &e))
		fail_msg("burn: %s", e.msg);
	assert_held_around(OP_WRITE10);
	assert_held_around(OP_CLOSE);
	tray_opens_afterwards(d);
	discfs_close(d);
}

static void format_erase_and_close_hold_the_tray(void **st)
{
	char path[128];
	discfs_format_opts fo = { 0 };
	discfs_burn_opts o = { .close = DISCFS_CLOSE_SESSION };
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d = open_disc("bd-re", path, sizeof(path));
	(void)st;
	spy_attach(d, &spy);
	if (discfs_format(d, &fo, &e))
		fail_msg("format: %s", e.msg);
	assert_held_around(OP_FORMAT);
	tray_opens_afterwards(d);
	discfs_close(d);

	d = open_disc("cd-rw", path, sizeof(path));
	if (discfs_burn_image(d, new_image(300), &o, &r, &e))
		fail_msg("burn: %s", e.msg);
	spy_attach(d, &spy);
	if (discfs_erase(d, false, NULL, &e))
		fail_msg("erase: %s", e.msg);
	assert_held_around(OP_BLANK);
	tray_opens_afterwards(d);
	discfs_close(d);

	d = open_disc("dvd+r", path, sizeof(path));
	if (discfs_burn_image(d, new_image(100), &o, &r, &e))
		fail_msg("burn: %s", e.msg);
	spy_attach(d, &spy);
	if (discfs_close_disc(d, &e))
		fail_msg("close: %s", e.msg);
	assert_held_around(OP_CLOSE);
	tray_opens_afterwards(d);
	discfs_close(d);
}

static void a_failed_burn_still_unlocks(void **st)
{
	char path[128];
	discfs_burn_opts o = { 0 };
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d = open_disc("dvd+r", path, sizeof(path));
	(void)st;
	/* larger than the disc: refused after the lock, before writing */
	spy_attach(d, &spy);
	assert_int_equal(discfs_burn_image(d, new_image(9000), &o, &r, &e),
			 -DISCFS_ENOSPC);
	assert_int_equal(spy.writes, 0);
	assert_true(spy_first(&spy, OP_PREVENT, 1) >= 0);
	assert_int_equal(spy_last(&spy, OP_PREVENT, -1),
			 spy_last(&spy, OP_PREVENT, 0));
	tray_opens_afterwards(d);
	discfs_close(d);
}

static int setup(void **st)
{
	(void)st;
	return scratch_make(dir, sizeof(dir), "dfs-tray");
}

static int teardown(void **st)
{
	(void)st;
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_burn_holds_the_tray),
		cmocka_unit_test(format_erase_and_close_hold_the_tray),
		cmocka_unit_test(a_failed_burn_still_unlocks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
