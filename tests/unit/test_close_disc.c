/*
 * test_close_disc.c - discfs_close_disc() against the emulated drive.
 *
 * Each write-once profile, left the way the incremental writer leaves it
 * (data appended in an open track, nothing closed), is finalized: the
 * drive then reports the disc complete, the last written block (where a
 * VAT would be) is still the last recorded one and reads back, and the
 * commands sent are the profile's (flush, close track, page 05 without a
 * next session on CD/DVD-R, the finalizing close function).  A disc burnt
 * as an appendable multisession disc closes too.  Rewritable media succeed
 * with nothing but a flush; a DVD+RW whose background format still runs
 * gets it stopped (CF 000) and its lead-out written (CF 010).  Blank, already closed, absent and vanishing discs
 * fail with a clear error.
 */
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
#include "mmc/emu/emu.h"
#include "mmc/mmc_defs.h"

static char dir[64];
static unsigned seq;

/* ------------------------------------------------- command recording */

#define MAX_LOG 256
static struct { uint8_t op, b2; uint8_t ms; } cmd_log[MAX_LOG];
static size_t n_log;
static const struct mmc_transport_ops *real_ops;
static struct mmc_transport_ops spy_ops;

static int spy_exec(struct mmc_transport *t, struct mmc_cmd *cmd,
		    discfs_error *err)
{
	if (n_log < MAX_LOG) {
		cmd_log[n_log].op = cmd->cdb[0];
		cmd_log[n_log].b2 = cmd->cdb[2];
		/* MODE SELECT: the page 05 MS bits (header 8, page byte 3) */
		cmd_log[n_log].ms = cmd->cdb[0] == MMC_MODE_SELECT10 &&
				    cmd->buf && cmd->len > 11
				    ? ((const uint8_t *)cmd->buf)[11] >> 6 : 0xFF;
		n_log++;
	}
	return real_ops->exec(t, cmd, err);
}

static void spy_on(discfs_drive *d)
{
	struct mmc_transport *t = discfs_drive_transport(d);
	if (t->ops != &spy_ops) { /* not twice: it would call itself */
		real_ops = t->ops;
		spy_ops = *t->ops;
		spy_ops.exec = spy_exec;
		t->ops = &spy_ops;
	}
	n_log = 0;
}

/* Index of the first logged command with op (and CLOSE function cf when
 * op is CLOSE TRACK/SESSION) at or after from, or -1. */
static int logged(uint8_t op, int cf, size_t from)
{
	for (size_t i = from; i < n_log; i++)
		if (cmd_log[i].op == op &&
		    (cf < 0 || (cmd_log[i].b2 & 7) == cf))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------ helpers */

static const char *new_disc(const char *media, uint64_t cap, double scale,
			    char *path, size_t n)
{
	discfs_error e;
	snprintf(path, n, "%s/d%u.img", dir, ++seq);
	if (discfs_emu_create(path, media, cap, &e))
		fail_msg("create %s: %s", media, e.msg);
	if (emu_disc_set(path, NULL, NULL, scale, &e))
		fail_msg("time scale: %s", e.msg);
	return path;
}

static discfs_drive *open_drive(const char *disc)
{
	discfs_drive *d;
	discfs_error e;
	if (discfs_open(disc, &d, &e))
		fail_msg("open: %s", e.msg);
	return d;
}

static void media_info(discfs_drive *d, discfs_media_info *mi)
{
	discfs_error e;
	if (discfs_media_info_get(d, mi, &e))
		fail_msg("media info: %s", e.msg);
}

/* Appends blocks at the open track's NWA, as the incremental writer does;
 * each block carries its LBA.  Returns the last LBA written. */
static uint32_t append_blocks(discfs_drive *d, uint32_t blocks)
{
	discfs_media_info mi;
	discfs_error e;
	uint8_t *buf = calloc(blocks, DISCFS_BLOCK_SIZE);
	uint32_t nwa;

	assert_non_null(buf);
	media_info(d, &mi);
	assert_true(mi.next_writable_valid);
	nwa = mi.next_writable;
	discfs_media_info_free(&mi);
	for (uint32_t i = 0; i < blocks; i++)
		snprintf((char *)buf + (size_t)i * DISCFS_BLOCK_SIZE, 32,
			 "block %u", nwa + i);
	if (discfs_write_blocks(d, nwa, blocks, buf, &e))
		fail_msg("write at %u: %s", nwa, e.msg);
	if (discfs_sync(d, &e))
		fail_msg("sync: %s", e.msg);
	free(buf);
	return nwa + blocks - 1;
}

static void assert_block_reads(discfs_drive *d, uint32_t lba)
{
	uint8_t buf[DISCFS_BLOCK_SIZE];
	char want[32];
	discfs_error e;

	if (discfs_read_blocks(d, lba, 1, buf, &e))
		fail_msg("read %u: %s", lba, e.msg);
	snprintf(want, sizeof(want), "block %u", lba);
	assert_string_equal((const char *)buf, want);
}

/* The highest last-recorded address of any track. */
static uint32_t last_recorded(const discfs_media_info *mi)
{
	uint32_t last = 0;
	for (size_t i = 0; i < mi->n_tracks; i++)
		if (mi->tracks[i].lra_valid && mi->tracks[i].last_recorded > last)
			last = mi->tracks[i].last_recorded;
	return last;
}

/* Appends, closes; checks status, the last block and the close sent. */
static void closes_open_track(const char *media, int want_cf, bool ms_bits,
			      bool close_track)
{
	char disc[128];
	discfs_media_info mi;
	discfs_error e;
	discfs_drive *d;
	uint32_t last;
	int i;

	new_disc(media, 20000, 0, disc, sizeof(disc));
	d = open_drive(disc);
	last = append_blocks(d, 100);
	spy_on(d);
	if (discfs_close_disc(d, &e))
		fail_msg("%s: close: %s", media, e.msg);
	i = logged(MMC_SYNCHRONIZE_CACHE, -1, 0);
	assert_true(i >= 0);
	if (close_track)
		assert_true(logged(MMC_CLOSE_TRACK_SESSION, MMC_CLOSE_TRACK, (size_t)i) > i);
	else
		assert_int_equal(logged(MMC_CLOSE_TRACK_SESSION, MMC_CLOSE_TRACK, 0), -1);
	if (ms_bits) {
		int s = logged(MMC_MODE_SELECT10, -1, 0);
		assert_true(s >= 0);
		assert_int_equal(cmd_log[s].ms, 0); /* no next session */
		assert_true(logged(MMC_CLOSE_TRACK_SESSION, want_cf, (size_t)s) > s);
	} else {
		assert_int_equal(logged(MMC_MODE_SELECT10, -1, 0), -1);
		assert_true(logged(MMC_CLOSE_TRACK_SESSION, want_cf, (size_t)i) > i);
	}
	media_info(d, &mi);
	assert_int_equal(mi.disc_status, DISCFS_DISC_COMPLETE);
	assert_int_equal(mi.last_session_state, DISCFS_SESSION_COMPLETE);
	/* where a VAT would be: still the last recorded block, and readable */
	assert_int_equal(last_recorded(&mi), last);
	discfs_media_info_free(&mi);
	assert_block_reads(d, last);
	discfs_close(d);
}

/* ------------------------------------------------------------ tests */

static void cd_r_session_closes_without_next_session(void **st)
{
	(void)st;
	closes_open_track("cd-r", MMC_CLOSE_SESSION, true, false);
}

static void cd_rw_session_closes_without_next_session(void **st)
{
	(void)st;
	closes_open_track("cd-rw", MMC_CLOSE_SESSION, true, false);
}

static void dvd_minus_r_track_then_session_close_without_next_session(void **st)
{
	(void)st;
	closes_open_track("dvd-r", MMC_CLOSE_SESSION, true, true);
	closes_open_track("dvd-rw", MMC_CLOSE_SESSION, true, true);
}

static void dvd_plus_r_finalizes_with_compatible_lead_out(void **st)
{
	(void)st;
	closes_open_track("dvd+r", MMC_CLOSE_FINALIZE, false, true);
}

static void dvd_plus_r_dl_finalizes_with_minimal_radius(void **st)
{
	(void)st;
	closes_open_track("dvd+r-dl", MMC_CLOSE_FINALIZE_MINRAD, false, true);
}

static void bd_r_finalizes(void **st)
{
	(void)st;
	closes_open_track("bd-r", MMC_CLOSE_FINALIZE, false, true);
}

static void appendable_multisession_disc_is_finalized(void **st)
{
	static const char *const media[] = { "cd-r", "dvd+r", "bd-r", "dvd-r", NULL };
	char disc[128], img[128];
	(void)st;
	snprintf(img, sizeof(img), "%s/img.bin", dir);
	FILE *f = fopen(img, "wb");
	assert_non_null(f);
	for (int i = 0; i < 400 * 2048; i++)
		fputc(i & 0xFF, f);
	fclose(f);
	for (int i = 0; media[i]; i++) {
		discfs_burn_opts o = { .close = DISCFS_CLOSE_SESSION };
		discfs_burn_result r;
		discfs_media_info mi;
		discfs_error e;
		discfs_drive *d;

		new_disc(media[i], 20000, 0, disc, sizeof(disc));
		d = open_drive(disc);
		if (discfs_burn_image(d, img, &o, &r, &e))
			fail_msg("%s: burn: %s", media[i], e.msg);
		media_info(d, &mi);
		assert_int_equal(mi.disc_status, DISCFS_DISC_APPENDABLE);
		discfs_media_info_free(&mi);
		if (discfs_close_disc(d, &e))
			fail_msg("%s: close: %s", media[i], e.msg);
		media_info(d, &mi);
		assert_int_equal(mi.disc_status, DISCFS_DISC_COMPLETE);
		discfs_media_info_free(&mi);
		discfs_close(d);
	}
}

static void closing_a_closed_disc_says_it_is_already_closed(void **st)
{
	char disc[128];
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("bd-r", 20000, 0, disc, sizeof(disc));
	d = open_drive(disc);
	append_blocks(d, 32);
	assert_int_equal(discfs_close_disc(d, &e), 0);
	spy_on(d);
	assert_int_equal(discfs_close_disc(d, &e), -DISCFS_EWRONGMEDIA);
	assert_int_equal(e.code, DISCFS_EWRONGMEDIA);
	assert_non_null(strstr(e.msg, "already closed"));
	/* refused before anything was sent to change the disc */
	assert_int_equal(logged(MMC_CLOSE_TRACK_SESSION, -1, 0), -1);
	assert_int_equal(logged(MMC_SYNCHRONIZE_CACHE, -1, 0), -1);
	discfs_close(d);
	/* and again from a fresh open (the state lives in the disc files) */
	d = open_drive(disc);
	assert_int_equal(discfs_close_disc(d, &e), -DISCFS_EWRONGMEDIA);
	assert_non_null(strstr(e.msg, "already closed"));
	discfs_close(d);
}

static void a_blank_disc_has_nothing_to_close(void **st)
{
	static const char *const media[] = { "cd-r", "dvd+r", "bd-r", "dvd+rw", NULL };
	char disc[128];
	(void)st;
	for (int i = 0; media[i]; i++) {
		discfs_media_info mi;
		discfs_error e;
		discfs_drive *d;

		new_disc(media[i], 20000, 0, disc, sizeof(disc));
		d = open_drive(disc);
		assert_int_equal(discfs_close_disc(d, &e), -DISCFS_EWRONGMEDIA);
		assert_non_null(strstr(e.msg, "blank"));
		media_info(d, &mi);
		assert_int_equal(mi.disc_status, DISCFS_DISC_BLANK);
		discfs_media_info_free(&mi);
		discfs_close(d);
	}
}

static void rewritable_media_only_flush(void **st)
{
	static const char *const media[] = { "bd-re", "dvd-ram", NULL };
	char disc[128];
	(void)st;
	for (int i = 0; media[i]; i++) {
		discfs_format_opts fo = { 0 };
		discfs_media_info before, after;
		discfs_error e;
		discfs_drive *d;

		new_disc(media[i], 20000, 0, disc, sizeof(disc));
		d = open_drive(disc);
		if (discfs_format(d, &fo, &e))
			fail_msg("%s: format: %s", media[i], e.msg);
		media_info(d, &before);
		spy_on(d);
		if (discfs_close_disc(d, &e))
			fail_msg("%s: close: %s", media[i], e.msg);
		assert_true(logged(MMC_SYNCHRONIZE_CACHE, -1, 0) >= 0);
		assert_int_equal(logged(MMC_CLOSE_TRACK_SESSION, -1, 0), -1);
		assert_int_equal(logged(MMC_MODE_SELECT10, -1, 0), -1);
		media_info(d, &after);
		assert_int_equal(after.disc_status, before.disc_status);
		assert_int_equal(after.capacity_blocks, before.capacity_blocks);
		discfs_media_info_free(&before);
		discfs_media_info_free(&after);
		/* and again: still nothing to do, still fine */
		assert_int_equal(discfs_close_disc(d, &e), 0);
		discfs_close(d);
	}
}

static void formatted_dvd_plus_rw_needs_only_a_flush(void **st)
{
	char disc[128];
	discfs_format_opts fo = { 0 };
	discfs_media_info mi;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	/* time scale 0: the background format finishes at once */
	new_disc("dvd+rw", 20000, 0, disc, sizeof(disc));
	d = open_drive(disc);
	if (discfs_format(d, &fo, &e))
		fail_msg("format: %s", e.msg);
	media_info(d, &mi);
	assert_int_equal(mi.bg_format_status, 3);
	discfs_media_info_free(&mi);
	spy_on(d);
	if (discfs_close_disc(d, &e))
		fail_msg("close: %s", e.msg);
	assert_true(logged(MMC_SYNCHRONIZE_CACHE, -1, 0) >= 0);
	assert_int_equal(logged(MMC_CLOSE_TRACK_SESSION, -1, 0), -1);
	media_info(d, &mi);
	assert_int_equal(mi.bg_format_status, 3);
	discfs_media_info_free(&mi);
	discfs_close(d);
}

static void dvd_plus_rw_background_format_is_stopped_and_closed(void **st)
{
	char disc[128];
	discfs_format_opts fo = { 0 };
	discfs_media_info mi;
	discfs_error e;
	discfs_drive *d;
	int stop;
	(void)st;
	/* full size and a clock 100 times fast: the background format is
	 * still running when the close comes */
	new_disc("dvd+rw", 0, 100, disc, sizeof(disc));
	d = open_drive(disc);
	if (discfs_format(d, &fo, &e))
		fail_msg("format: %s", e.msg);
	media_info(d, &mi);
	assert_int_equal(mi.bg_format_status, 2);
	discfs_media_info_free(&mi);
	spy_on(d);
	if (discfs_close_disc(d, &e))
		fail_msg("close: %s", e.msg);
	stop = logged(MMC_CLOSE_TRACK_SESSION, MMC_CLOSE_STOP_BG_FORMAT, 0);
	assert_true(stop >= 0);
	assert_true(logged(MMC_CLOSE_TRACK_SESSION, MMC_CLOSE_SESSION, (size_t)stop) > stop);
	media_info(d, &mi);
	assert_int_equal(mi.bg_format_status, 3);
	discfs_media_info_free(&mi);
	discfs_close(d);
}

static void no_disc_read_only_disc_and_bad_arguments_fail_cleanly(void **st)
{
	char disc[128];
	int open = 1;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	assert_int_equal(discfs_close_disc(NULL, &e), -DISCFS_EINVAL);

	new_disc("cd-r", 20000, 0, disc, sizeof(disc));
	if (emu_disc_set(disc, &open, NULL, -1, &e))
		fail_msg("tray: %s", e.msg);
	d = open_drive(disc);
	assert_int_equal(discfs_close_disc(d, &e), -DISCFS_ENOMEDIUM);
	discfs_close(d);

	/* a ROM disc is made from an existing image */
	snprintf(disc, sizeof(disc), "%s/rom%u.img", dir, ++seq);
	FILE *f = fopen(disc, "wb");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 64 * DISCFS_BLOCK_SIZE), 0);
	fclose(f);
	if (discfs_emu_create(disc, "dvd-rom", 0, &e))
		fail_msg("create dvd-rom: %s", e.msg);
	d = open_drive(disc);
	assert_int_equal(discfs_close_disc(d, &e), -DISCFS_EWRONGMEDIA);
	assert_non_null(strstr(e.msg, "read-only"));
	discfs_close(d);
}

static void a_drive_that_vanishes_mid_close_is_reported(void **st)
{
	char disc[128];
	struct emu_faults f;
	discfs_error e;
	discfs_drive *d;
	int rc;
	(void)st;
	new_disc("dvd+r", 20000, 0, disc, sizeof(disc));
	d = open_drive(disc);
	append_blocks(d, 16);
	discfs_close(d);
	emu_faults_clear(&f);
	f.vanish_after = 12; /* a few queries, then gone */
	if (emu_disc_set(disc, NULL, &f, -1, &e))
		fail_msg("fault: %s", e.msg);
	d = open_drive(disc);
	rc = discfs_close_disc(d, &e);
	assert_true(rc < 0);
	assert_int_equal(e.code, -rc);
	assert_true(e.msg[0] != '\0');
	discfs_close(d);
}

static int setup(void **st)
{
	(void)st;
	return scratch_make(dir, sizeof(dir), "test_close_disc");
}

static int teardown(void **st)
{
	(void)st;
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cd_r_session_closes_without_next_session),
		cmocka_unit_test(cd_rw_session_closes_without_next_session),
		cmocka_unit_test(dvd_minus_r_track_then_session_close_without_next_session),
		cmocka_unit_test(dvd_plus_r_finalizes_with_compatible_lead_out),
		cmocka_unit_test(dvd_plus_r_dl_finalizes_with_minimal_radius),
		cmocka_unit_test(bd_r_finalizes),
		cmocka_unit_test(appendable_multisession_disc_is_finalized),
		cmocka_unit_test(closing_a_closed_disc_says_it_is_already_closed),
		cmocka_unit_test(a_blank_disc_has_nothing_to_close),
		cmocka_unit_test(rewritable_media_only_flush),
		cmocka_unit_test(formatted_dvd_plus_rw_needs_only_a_flush),
		cmocka_unit_test(dvd_plus_rw_background_format_is_stopped_and_closed),
		cmocka_unit_test(no_disc_read_only_disc_and_bad_arguments_fail_cleanly),
		cmocka_unit_test(a_drive_that_vanishes_mid_close_is_reported),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
