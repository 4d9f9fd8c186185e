/*
 * tests/unit/test_burn_close_twice.c - a CLOSE TRACK/SESSION that reaches
 * the drive twice (a USB bridge's reset, the SCSI midlayer redelivering a
 * command whose answer was lost) finds nothing open the second time and
 * is refused as an illegal request.  The burn asks the drive whether the
 * track (session) is closed and, when it is, reports the burn as done;
 * a close that really failed stays a failure.
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

#define OP_CLOSE 0x5B

static char dir[64];
static struct spy_log spy;


static void burn_with_closes_delivered_twice(const char *media, int close,
					     double scale)
{
	char path[128];
	discfs_burn_opts o = { .close = close };
	discfs_burn_result r;
	discfs_error e;
	/* scale 0: commands finish at once, so the second close finds the
	 * track closed; 1: the first one still runs */
	discfs_drive *d = fixture_open_disc(dir, media, scale, path, sizeof(path));
	spy_attach(d, &spy);
	spy.twice_op = OP_CLOSE;
	if (discfs_burn_image(d, fixture_zero_image(dir, 100), &o, &r, &e))
		fail_msg("%s: burn: %s", media, e.msg);
	assert_true(r.closed);
	discfs_media_info m;
	assert_int_equal(discfs_media_info_get(d, &m, &e), 0);
	/* nothing left open; a doubled CLOSE SESSION may close an empty
	 * session too, which finalizes a DVD-R (the drive's choice) */
	assert_true(m.disc_status == DISCFS_DISC_COMPLETE ||
		    (close != DISCFS_CLOSE_DISC && m.disc_status == DISCFS_DISC_APPENDABLE));
	assert_int_not_equal(m.last_session_state, DISCFS_SESSION_INCOMPLETE);
	discfs_media_info_free(&m);
	discfs_close(d);
}

static void a_close_delivered_twice_is_a_close(void **st)
{
	(void)st;
	for (double scale = 0; scale <= 1; scale += 1) {
		burn_with_closes_delivered_twice("dvd-r", DISCFS_CLOSE_SESSION, scale);
		burn_with_closes_delivered_twice("dvd+r", DISCFS_CLOSE_SESSION, scale);
		burn_with_closes_delivered_twice("bd-r", DISCFS_CLOSE_DISC, scale);
		burn_with_closes_delivered_twice("cd-r", DISCFS_CLOSE_SESSION, scale);
	}
}

static int setup(void **st)
{
	(void)st;
	return scratch_make(dir, sizeof(dir), "dfs-close2");
}

static int teardown(void **st)
{
	(void)st;
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_close_delivered_twice_is_a_close),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
