/*
 * test_emu_faults.c - injected faults: write error at an LBA, unreadable
 * sectors, power loss after N sectors (the files keep exactly what a real
 * disc would), the drive vanishing, a drive that never becomes ready, a
 * medium change (6/28/00) after N commands.
 */
#include "test_emu_helpers.h"

static char path[512];

static void write_error_at_an_lba(void **s)
{
	struct emu_drive *d = emu_ready("bd-re", 4096, 0, path, sizeof(path));
	struct emu_faults f;
	emu_faults_clear(&f);
	f.write_error = true;
	f.write_error_lba = 100;
	emu_set_faults(d, &f);
	assert_good(emu_format(d, 4096, 0x31, 0, false));
	assert_good(emu_write(d, 0, 100));
	assert_sense(emu_write(d, 96, 8), SK_MEDIUM_ERROR, ASC_WRITE_ERROR);
	assert_good(emu_write(d, 101, 8));
	emu_faults_clear(&f);
	emu_set_faults(d, &f);
	assert_good(emu_write(d, 96, 8));
	emu_close(d);
}

static void write_error_leaves_the_nwa_alone(void **s)
{
	struct emu_drive *d = emu_ready("dvd+r", 4096, 0, path, sizeof(path));
	struct emu_faults f;
	emu_faults_clear(&f);
	f.write_error = true;
	f.write_error_lba = 0;
	emu_set_faults(d, &f);
	assert_sense(emu_write(d, 0, 16), SK_MEDIUM_ERROR, ASC_WRITE_ERROR);
	assert_int_equal(emu_status_of(d), 0); /* no track was created */
	assert_int_equal(emu_nwa(d, 1), 0);
	emu_close(d);
}

static void unreadable_sectors(void **s)
{
	struct emu_drive *d = emu_ready("dvd+r", 4096, 0, path, sizeof(path));
	struct emu_faults f;
	assert_good(emu_write(d, 0, 64));
	emu_faults_clear(&f);
	f.n_unreadable = 1;
	f.unreadable_first[0] = 20;
	f.unreadable_last[0] = 29;
	emu_set_faults(d, &f);
	assert_good(emu_read(d, 0, 20));
	assert_sense(emu_read(d, 15, 6), SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ);
	assert_sense(emu_read(d, 29, 1), SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ);
	assert_good(emu_read(d, 30, 34));
	emu_close(d);
}

static void power_loss_keeps_what_reached_the_disc(void **s)
{
	discfs_error err;
	struct emu_drive *d = emu_ready("bd-r", 8192, 0, path, sizeof(path));
	struct emu_faults f;
	emu_faults_clear(&f);
	f.power_loss_after = 40;
	emu_set_faults(d, &f);
	assert_good(emu_write(d, 0, 32));
	struct mmc_cmd c = { .cdb = { 0x2A, 0, 0, 0, 0, 32, 0, 0, 32 },
			     .cdb_len = 10, .dir = MMC_DIR_OUT };
	uint8_t *buf = calloc(32, 2048);
	memset(buf, 0x77, 32 * 2048);
	c.buf = buf;
	c.len = 32 * 2048;
	assert_int_equal(emu_exec(d, &c), -DISCFS_ENODEV);
	assert_int_equal(emu_exec(d, &c), -DISCFS_ENODEV); /* stays gone */
	free(buf);
	emu_close(d);
	/* the next open shows 40 blocks in an open track, fault spent */
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	emu_clear_ua(d);
	assert_int_equal(emu_status_of(d), 1);
	assert_int_equal(emu_nwa(d, 1), 40);
	assert_good(emu_read(d, 0, 32));
	uint8_t b[2048];
	assert_good(emu_cmd(d, CDB(0x28, 0, 0, 0, 0, 39, 0, 0, 1, 0), MMC_DIR_IN,
			    b, 2048));
	assert_int_equal(b[0], 0x77);
	assert_sense(emu_read(d, 40, 1), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	emu_get_faults(d, &f);
	assert_true(f.power_loss_after < 0);
	assert_good(emu_write(d, 40, 8)); /* the track can be continued */
	emu_close(d);
}

static void drive_vanishes_after_n_commands(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 4096, 0, path, sizeof(path));
	struct emu_faults f;
	emu_faults_clear(&f);
	f.vanish_after = 2;
	emu_set_faults(d, &f);
	assert_good(emu_tur(d));
	assert_good(emu_tur(d));
	struct mmc_cmd c = { .cdb = { 0 }, .cdb_len = 6 };
	assert_int_equal(emu_exec(d, &c), -DISCFS_ENODEV);
	emu_close(d);
}

static void never_ready_drive(void **s)
{
	struct emu_drive *d = emu_ready("dvd-r", 4096, 0, path, sizeof(path));
	struct emu_faults f;
	emu_faults_clear(&f);
	f.never_ready = true;
	emu_set_faults(d, &f);
	for (int i = 0; i < 5; i++)
		assert_sense(emu_tur(d), SK_NOT_READY, ASC_BECOMING_READY);
	assert_sense(emu_read(d, 0, 1), SK_NOT_READY, ASC_BECOMING_READY);
	uint8_t b[36];
	assert_good(emu_cmd(d, CDB(0x12, 0, 0, 0, 36, 0), MMC_DIR_IN, b, 36));
	emu_close(d);
}

static void faults_armed_on_the_files_reach_the_next_opener(void **s)
{
	discfs_error err;
	struct emu_drive *d = emu_new("dvd+r", 4096, 0, path, sizeof(path));
	emu_close(d);
	struct emu_faults f;
	emu_faults_clear(&f);
	f.never_ready = true;
	assert_int_equal(emu_disc_set(path, NULL, &f, -1, &err), 0);
	struct emu_disc_summary sum;
	assert_int_equal(emu_disc_summary(path, &sum, &err), 0);
	assert_true(sum.faults.never_ready);
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	emu_clear_ua(d);
	assert_sense(emu_tur(d), SK_NOT_READY, ASC_BECOMING_READY);
	emu_close(d);
}

static void media_change_is_reported_once_after_n_commands(void **s)
{
	struct emu_drive *d = emu_ready("dvd+rw", 4096, 0, path, sizeof(path));
	struct emu_faults f;
	emu_faults_clear(&f);
	f.media_change_after = 3;
	emu_set_faults(d, &f);
	assert_good(emu_tur(d));
	assert_good(emu_tur(d));
	assert_good(emu_tur(d));
	/* the fourth command is where the disc "changed": a READ fails with
	 * the unit attention, then the drive carries on as before */
	assert_sense(emu_read(d, 0, 1), SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
	for (int i = 0; i < 4; i++)
		assert_good(emu_tur(d));
	emu_get_faults(d, &f);
	assert_true(f.media_change_after < 0); /* spent */
	emu_close(d);
}

static void media_change_spec_survives_the_state_file(void **s)
{
	discfs_error err;
	struct emu_drive *d = emu_new("bd-re", 4096, 0, path, sizeof(path));
	emu_close(d);
	assert_int_equal(discfs_emu_fault(path, "media-change-after=0", &err), 0);
	discfs_emu_info info;
	assert_int_equal(discfs_emu_info_get(path, &info, &err), 0);
	assert_non_null(strstr(info.faults, "media-change-after=0"));
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	/* the power-on attention first, then ours, then nothing */
	assert_sense(emu_tur(d), SK_UNIT_ATTENTION, ASC_POWER_ON_RESET);
	assert_sense(emu_tur(d), SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
	assert_good(emu_tur(d));
	emu_close(d);
	/* spent on the first opener, saved so: the next one sees nothing */
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	emu_clear_ua(d);
	assert_good(emu_tur(d));
	emu_close(d);
	assert_int_equal(discfs_emu_info_get(path, &info, &err), 0);
	assert_null(strstr(info.faults, "media-change"));
	/* hostile specs are refused with EINVAL */
	assert_int_equal(discfs_emu_fault(path, "media-change-after=-1", &err),
			 -DISCFS_EINVAL);
	assert_int_equal(discfs_emu_fault(path, "media-change-after=", &err),
			 -DISCFS_EINVAL);
	assert_int_equal(discfs_emu_fault(path, "media-change-after=1x", &err),
			 -DISCFS_EINVAL);
}

static int teardown(void **s)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_error_at_an_lba),
		cmocka_unit_test(write_error_leaves_the_nwa_alone),
		cmocka_unit_test(unreadable_sectors),
		cmocka_unit_test(power_loss_keeps_what_reached_the_disc),
		cmocka_unit_test(drive_vanishes_after_n_commands),
		cmocka_unit_test(never_ready_drive),
		cmocka_unit_test(faults_armed_on_the_files_reach_the_next_opener),
		cmocka_unit_test(media_change_is_reported_once_after_n_commands),
		cmocka_unit_test(media_change_spec_survives_the_state_file),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
