/*
 * test_emu_timing.c - long operations with Immed and progress, the drive
 * buffer (full -> wait or 2/04/08), underruns with and without protection,
 * speeds chosen by SET STREAMING / SET CD SPEED.  All on the manual clock,
 * so nothing here depends on how fast the machine is.
 */
#include "test_emu_helpers.h"

static char path[512];

static void immed_blank_reports_progress_until_done(void **s)
{
	struct emu_drive *d = emu_ready("cd-rw", 8192, 1.0, path, sizeof(path));
	emu_drain_events(d);
	assert_good(emu_blank(d, MMC_BLANK_FULL, true));
	struct emu_res r = emu_tur(d);
	assert_sense(r, SK_NOT_READY, ASC_OP_IN_PROGRESS);
	assert_true(r.sksv);
	uint16_t first = r.progress;
	/* full blank of 8192 blocks at 24x takes ~4.5 s of emulated time */
	emu_clock_advance(d, 2000);
	r = emu_tur(d);
	assert_sense(r, SK_NOT_READY, ASC_OP_IN_PROGRESS);
	assert_true(r.progress > first);
	/* REQUEST SENSE carries the same progress, with GOOD status */
	uint8_t sb[18];
	assert_good(emu_cmd(d, CDB(0x03, 0, 0, 0, 18, 0), MMC_DIR_IN, sb, 18));
	assert_int_equal(sb[2] & 0x0F, SK_NOT_READY);
	assert_int_equal(sb[15] & 0x80, 0x80);
	assert_int_equal(get_be16(sb + 16), r.progress);
	/* media access is refused while it runs; GESN and INQUIRY are not */
	assert_sense(emu_read(d, 0, 1), SK_NOT_READY, ASC_OP_IN_PROGRESS);
	assert_int_equal(emu_gesn(d, NULL), 0);
	emu_clock_advance(d, 10000);
	assert_good(emu_tur(d));
	assert_int_equal(emu_gesn(d, NULL), 2); /* new media at the end */
	emu_close(d);
}

static void immed_format_reports_format_in_progress(void **s)
{
	struct emu_drive *d = emu_ready("bd-re", 8192, 1.0, path, sizeof(path));
	assert_good(emu_format(d, 8192, 0x31, 0, true));
	assert_sense(emu_tur(d), SK_NOT_READY, ASC_FORMAT_IN_PROGRESS);
	emu_clock_advance(d, 60000);
	assert_good(emu_tur(d));
	emu_close(d);
}

static void non_immed_close_waits_out_the_operation(void **s)
{
	struct emu_drive *d = emu_ready("dvd+r", 4096, 1.0, path, sizeof(path));
	assert_good(emu_write(d, 0, 16));
	assert_good(emu_sync(d, false));
	assert_good(emu_close_fn(d, 2, 0, false));
	assert_good(emu_tur(d)); /* the clock moved while the command ran */
	emu_close(d);
}

static void pioneer_quirk_reports_busy_once_after_the_operation(void **s)
{
	discfs_error err;
	struct emu_drive *d, *tmp = emu_new("dvd+r", 4096, 1.0, path, sizeof(path));
	emu_close(tmp);
	struct emu_options o;
	emu_options_default(&o);
	o.time_scale = 1.0;
	o.manual_clock = true;
	o.pioneer_quirk = true;
	assert_int_equal(emu_open(path, &o, &d, &err), 0);
	emu_clear_ua(d);
	assert_good(emu_write(d, 0, 16));
	assert_good(emu_close_fn(d, 2, 0, true));
	emu_clock_advance(d, 60000);
	assert_good(emu_tur(d));
	assert_sense(emu_read(d, 0, 1), SK_NOT_READY, ASC_OP_IN_PROGRESS);
	assert_good(emu_read(d, 0, 1));
	emu_close(d);
}

static struct emu_drive *buffered(const char *media, bool busy, bool protect)
{
	discfs_error err;
	struct emu_drive *d, *tmp = emu_new(media, 65536, 1.0, path, sizeof(path));
	emu_close(tmp);
	struct emu_options o;
	emu_options_default(&o);
	o.time_scale = 1.0;
	o.manual_clock = true;
	o.buffer_bytes = 1u << 20;
	o.busy_when_full = busy;
	o.underrun_protection = protect;
	assert_int_equal(emu_open(path, &o, &d, &err), 0);
	emu_clear_ua(d);
	return d;
}

static uint32_t buffer_free(struct emu_drive *d, uint32_t *size)
{
	uint8_t b[12];
	assert_good(emu_cmd(d, CDB(0x5C, 0, 0, 0, 0, 0, 0, 0, 12, 0), MMC_DIR_IN,
			    b, 12));
	*size = get_be32(b + 4);
	return get_be32(b + 8);
}

static void full_buffer_answers_long_write_in_progress(void **s)
{
	struct emu_drive *d = buffered("dvd+r", true, true);
	uint32_t size, lba = 0;
	struct emu_stats st;
	/* 1 MiB buffer = 512 blocks; the host is "infinitely" fast */
	for (int i = 0; i < 16; i++, lba += 32)
		assert_good(emu_write(d, lba, 32));
	assert_int_equal(buffer_free(d, &size), 0);
	assert_int_equal(size, 1u << 20);
	assert_sense(emu_write(d, lba, 32), SK_NOT_READY,
		     ASC_LONG_WRITE_IN_PROGRESS);
	emu_get_stats(d, &st);
	assert_int_equal(st.busy_replies, 1);
	/* 16x DVD drains 64 KiB in ~3 ms */
	emu_clock_advance(d, 5);
	assert_true(buffer_free(d, &size) >= 65536);
	assert_good(emu_write(d, lba, 32));
	assert_int_equal(emu_nwa(d, 1), lba + 32);
	emu_close(d);
}

static void full_buffer_makes_the_write_wait(void **s)
{
	struct emu_drive *d = buffered("dvd+r", false, true);
	uint32_t lba = 0;
	struct emu_stats st;
	for (int i = 0; i < 64; i++, lba += 32)
		assert_good(emu_write(d, lba, 32));
	emu_get_stats(d, &st);
	assert_int_equal(st.busy_replies, 0);
	assert_int_equal(st.links, 0);
	assert_int_equal(st.blocks_written, 64 * 32);
	assert_true(st.buffer_used > (1u << 20) - 65536);
	emu_close(d);
}

static void slow_host_causes_links_with_protection(void **s)
{
	struct emu_drive *d = buffered("dvd+r", false, true);
	struct emu_stats st;
	assert_good(emu_write(d, 0, 32));
	emu_clock_advance(d, 1000); /* the buffer ran dry long ago */
	assert_good(emu_write(d, 32, 32));
	emu_get_stats(d, &st);
	assert_int_equal(st.links, 1);
	assert_int_equal(st.underruns, 0);
	/* a SYNC CACHE ends the job: a pause after it is no underrun */
	assert_good(emu_sync(d, false));
	emu_clock_advance(d, 1000);
	assert_good(emu_write(d, 64, 32));
	emu_get_stats(d, &st);
	assert_int_equal(st.links, 1);
	emu_close(d);
}

static void slow_host_without_protection_fails_the_cd(void **s)
{
	struct emu_drive *d = buffered("cd-r", false, true);
	struct emu_stats st;
	assert_good(emu_page05(d, MMC_WT_TAO, 0, false, false)); /* BUFE=0 */
	assert_good(emu_write(d, 0, 32));
	emu_clock_advance(d, 5000);
	assert_sense(emu_write(d, 32, 32), SK_MEDIUM_ERROR, ASC_LOSS_OF_STREAMING);
	emu_get_stats(d, &st);
	assert_int_equal(st.underruns, 1);
	/* the track is damaged: no NWA any more */
	uint8_t b[48];
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[5] & 0x20, 0x20);
	assert_int_equal(b[7] & 1, 0);
	assert_sense(emu_write(d, 32, 32), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	emu_close(d);
}

static void set_streaming_and_cd_speed_select_rated_speeds(void **s)
{
	struct emu_drive *d = emu_ready("bd-r", 8192, 1.0, path, sizeof(path));
	struct emu_stats st;
	uint8_t p[28] = { 0 };
	put_be32(p + 8, 8191);
	put_be32(p + 20, 20000); /* 20000 kB per second: between 4x and 6x */
	put_be32(p + 24, 1000);
	assert_good(emu_cmd(d, CDB(0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 28, 0),
			    MMC_DIR_OUT, p, 28));
	emu_get_stats(d, &st);
	assert_int_equal(st.write_speed_kbps, 4 * 4495);
	put_be32(p + 24, 0);
	assert_sense(emu_cmd(d, CDB(0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 28, 0),
			     MMC_DIR_OUT, p, 28),
		     SK_ILLEGAL_REQUEST, ASC_PARAM_VALUE_INVALID);
	assert_good(emu_cmd(d, CDB(0xBB, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0,
				   0, 0), MMC_DIR_NONE, NULL, 0));
	emu_get_stats(d, &st);
	assert_int_equal(st.write_speed_kbps, 16 * 4495);
	uint8_t g[24];
	assert_good(emu_cmd(d, CDB(0xAC, 0x04, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
			    MMC_DIR_IN, g, 24));
	assert_int_equal(get_be32(g + 8 + 12), 16 * 4495);
	emu_close(d);
}

static void speed_ratio_holds_under_the_time_scale(void **s)
{
	/* The same 8 MiB burn at 4x takes 4 times the emulated time of 16x
	 * (the manual clock moves only by what the drive waits). */
	uint64_t took[2];
	for (int k = 0; k < 2; k++) {
		struct emu_drive *d = buffered("dvd+r", false, true);
		uint8_t c[12] = { 0xBB, 0, 0xFF, 0xFF };
		put_be16(c + 4, (uint16_t)(k ? 4 * 1385 : 16 * 1385));
		assert_good(emu_cmd(d, c, 12, MMC_DIR_NONE, NULL, 0));
		uint64_t t0 = emu_clock_ms(d);
		for (uint32_t lba = 0; lba < 4096; lba += 32)
			assert_good(emu_write(d, lba, 32));
		assert_good(emu_sync(d, false));
		took[k] = emu_clock_ms(d) - t0;
		emu_close(d);
	}
	/* 8 MiB at 16 x 1,385,000 B/s = 378 ms */
	assert_true(took[0] >= 370 && took[0] <= 390);
	assert_true(took[1] >= 4 * took[0] - 8 && took[1] <= 4 * took[0] + 8);
}

/* The real clock (scaled): long operations end and full buffers drain by
 * themselves; nothing here measures how long that took. */
static void real_clock_runs_operations_and_drains_the_buffer(void **s)
{
	discfs_error err;
	struct emu_drive *d, *tmp = emu_new("cd-rw", 8192, 0, path, sizeof(path));
	emu_close(tmp);
	struct emu_options o;
	emu_options_default(&o);
	o.time_scale = 100000; /* a 4.5 s full blank takes ~45 us */
	o.buffer_bytes = 256 * 1024;
	assert_int_equal(emu_open(path, &o, &d, &err), 0);
	emu_clear_ua(d);
	assert_good(emu_blank(d, MMC_BLANK_FULL, true));
	struct emu_res r = { 0 };
	for (int i = 0; i < 100000; i++) {
		r = emu_tur(d);
		if (r.status == MMC_STATUS_GOOD)
			break;
		assert_sense(r, SK_NOT_READY, ASC_OP_IN_PROGRESS);
		usleep(100);
	}
	assert_good(r);
	/* 4 MiB through a 256 KiB buffer: WRITEs wait for room */
	for (uint32_t lba = 0; lba < 2048; lba += 32)
		assert_good(emu_write(d, lba, 32));
	assert_good(emu_sync(d, false));
	struct emu_stats st;
	emu_get_stats(d, &st);
	assert_int_equal(st.blocks_written, 2048);
	assert_int_equal(st.buffer_used, 0);
	assert_int_equal(st.underruns, 0);
	assert_good(emu_read(d, 0, 64));
	assert_int_equal(emu_set_time_scale(d, -1, &err), -DISCFS_EINVAL);
	assert_int_equal(emu_set_time_scale(d, 0, &err), 0);
	emu_close(d);
}

static int teardown(void **s)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(immed_blank_reports_progress_until_done),
		cmocka_unit_test(immed_format_reports_format_in_progress),
		cmocka_unit_test(non_immed_close_waits_out_the_operation),
		cmocka_unit_test(pioneer_quirk_reports_busy_once_after_the_operation),
		cmocka_unit_test(full_buffer_answers_long_write_in_progress),
		cmocka_unit_test(full_buffer_makes_the_write_wait),
		cmocka_unit_test(slow_host_causes_links_with_protection),
		cmocka_unit_test(slow_host_without_protection_fails_the_cd),
		cmocka_unit_test(set_streaming_and_cd_speed_select_rated_speeds),
		cmocka_unit_test(speed_ratio_holds_under_the_time_scale),
		cmocka_unit_test(real_clock_runs_operations_and_drains_the_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
