/*
 * test_close_session.c - sessions of write-once discs (lib/import_api.c)
 * against the emulated drive: discfs_close_session() closes the open
 * session of CD-R, DVD+R, DVD-R and BD-R and leaves the disc appendable
 * (the data reads back, the next write opens a new session); an open
 * session with nothing in it is left alone; blank and closed discs are
 * refused.  discfs_last_session_start() names the last closed session
 * holding data, discfs_udf_session_start() the last closed one with a
 * UDF anchor at its block 256 - never the open session, which Linux does
 * not read either.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "discfs.h"
#include "mmc/emu/emu.h"
#include "support/scratch.h"
#include "udf/tag.h"
#include "util/bytes.h"

static char dir[64];
static unsigned seq;

static int group_setup(void **state)
{
	(void)state;
	return scratch_make(dir, sizeof(dir), "test_close_session");
}

static int group_teardown(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

static discfs_drive *new_drive(const char *media)
{
	char path[128];
	discfs_drive *d;
	discfs_error e;
	snprintf(path, sizeof(path), "%s/d%u.img", dir, ++seq);
	if (discfs_emu_create(path, media, 40000, &e))
		fail_msg("create %s: %s", media, e.msg);
	if (emu_disc_set(path, NULL, NULL, 0, &e))
		fail_msg("time scale: %s", e.msg);
	if (discfs_open(path, &d, &e))
		fail_msg("open: %s", e.msg);
	return d;
}

static void info(discfs_drive *d, discfs_media_info *mi)
{
	discfs_error e;
	if (discfs_media_info_get(d, mi, &e))
		fail_msg("media info: %s", e.msg);
}

/* Writes blocks at the NWA; block i holds "block LBA", except that
 * anchor_at (if inside) holds an anchor descriptor pointer tagged for it.
 * Returns the first LBA written. */
static uint32_t append(discfs_drive *d, uint32_t blocks, uint32_t anchor_rel)
{
	discfs_media_info mi;
	discfs_error e;
	uint8_t *buf = calloc(blocks, DISCFS_BLOCK_SIZE);
	assert_non_null(buf);
	info(d, &mi);
	assert_true(mi.next_writable_valid);
	uint32_t nwa = mi.next_writable;
	discfs_media_info_free(&mi);
	for (uint32_t i = 0; i < blocks; i++) {
		uint8_t *b = buf + (size_t)i * DISCFS_BLOCK_SIZE;
		if (i == anchor_rel) {
			put_le32(b + 16, 16 * DISCFS_BLOCK_SIZE); /* main VDS */
			put_le32(b + 20, nwa + 32);
			udf_tag_make(b, 512, 2, 3, 1, nwa + i);
		} else {
			snprintf((char *)b, 32, "block %u", nwa + i);
		}
	}
	if (discfs_write_blocks(d, nwa, blocks, buf, &e) || discfs_sync(d, &e))
		fail_msg("write at %u: %s", nwa, e.msg);
	free(buf);
	return nwa;
}

static void closes_and_stays_appendable(const char *media)
{
	discfs_drive *d = new_drive(media);
	discfs_media_info mi;
	discfs_error e;
	uint8_t b[DISCFS_BLOCK_SIZE];

	uint32_t s1 = append(d, 300, UINT32_MAX);
	assert_int_equal(discfs_last_session_start(d), 0); /* s1 still open */
	if (discfs_close_session(d, &e))
		fail_msg("%s: close session: %s", media, e.msg);
	info(d, &mi);
	assert_int_equal(mi.disc_status, DISCFS_DISC_APPENDABLE);
	assert_int_equal(mi.last_session_state, DISCFS_SESSION_EMPTY);
	discfs_media_info_free(&mi);
	assert_int_equal(discfs_read_blocks(d, s1 + 299, 1, b, &e), 0);
	assert_string_equal((char *)b, "block 299");
	/* an empty open session: nothing to close, nothing changes */
	assert_int_equal(discfs_close_session(d, &e), 0);
	info(d, &mi);
	unsigned sessions = mi.sessions;
	assert_int_equal(mi.last_session_state, DISCFS_SESSION_EMPTY);
	discfs_media_info_free(&mi);

	/* a second session with an anchor at its block 256 */
	uint32_t s2 = append(d, 300, 256);
	assert_true(s2 > s1 + 299);
	assert_int_equal(discfs_udf_session_start(d), 0); /* open: not seen */
	assert_int_equal(discfs_close_session(d, &e), 0);
	assert_int_equal(discfs_last_session_start(d), s2);
	assert_int_equal(discfs_udf_session_start(d), s2);
	/* a third, without an anchor: the anchored one is still named */
	append(d, 10, UINT32_MAX);
	assert_int_equal(discfs_close_session(d, &e), 0);
	assert_int_equal(discfs_udf_session_start(d), s2);
	info(d, &mi);
	assert_int_equal(mi.sessions, sessions + 2);
	assert_int_equal(mi.disc_status, DISCFS_DISC_APPENDABLE);
	discfs_media_info_free(&mi);
	discfs_close(d);
}

static void cd_r_session_closes(void **state)
{
	(void)state;
	closes_and_stays_appendable("cd-r");
}

static void dvd_plus_r_session_closes(void **state)
{
	(void)state;
	closes_and_stays_appendable("dvd+r");
}

static void dvd_minus_r_session_closes(void **state)
{
	(void)state;
	closes_and_stays_appendable("dvd-r");
}

static void bd_r_session_closes(void **state)
{
	(void)state;
	closes_and_stays_appendable("bd-r");
}

static void blank_and_closed_discs_are_refused(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	discfs_drive *d = new_drive("dvd+r");
	assert_int_equal(discfs_close_session(d, &e), -DISCFS_EWRONGMEDIA);
	assert_non_null(strstr(e.msg, "not appendable"));
	assert_int_equal(discfs_last_session_start(d), 0);
	assert_int_equal(discfs_udf_session_start(d), 0);
	append(d, 20, UINT32_MAX);
	assert_int_equal(discfs_close_disc(d, &e), 0);
	assert_int_equal(discfs_close_session(d, &e), -DISCFS_EWRONGMEDIA);
	discfs_close(d);
	assert_int_equal(discfs_last_session_start(NULL), 0);
	assert_int_equal(discfs_udf_session_start(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cd_r_session_closes),
		cmocka_unit_test(dvd_plus_r_session_closes),
		cmocka_unit_test(dvd_minus_r_session_closes),
		cmocka_unit_test(bd_r_session_closes),
		cmocka_unit_test(blank_and_closed_discs_are_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
