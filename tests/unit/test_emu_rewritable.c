/*
 * test_emu_rewritable.c - state machines of the rewritable profiles:
 * CD-RW blanking, DVD-RW sequential <-> restricted overwrite, DVD+RW
 * background format, DVD-RAM, BD-RE format; READ FORMAT CAPACITIES;
 * BLANK and FORMAT refused where the medium cannot do them.
 */
#include "test_emu_helpers.h"

static char path[512];

static void cd_rw_blank_returns_to_blank(void **s)
{
	struct emu_drive *d = emu_ready("cd-rw", 4096, 0, path, sizeof(path));
	uint8_t di[34];
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 0x10, 0x10); /* erasable */
	assert_good(emu_write(d, 0, 300));
	assert_good(emu_sync(d, false));
	assert_good(emu_close_fn(d, 2, 0, false)); /* MS 00: finalized */
	assert_int_equal(emu_status_of(d), 2);
	emu_drain_events(d);
	assert_good(emu_blank(d, MMC_BLANK_FULL, false));
	assert_int_equal(emu_gesn(d, NULL), 2); /* new media */
	assert_int_equal(emu_status_of(d), 0);
	assert_sense(emu_read(d, 0, 1), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	assert_good(emu_write(d, 0, 10));
	assert_good(emu_blank(d, MMC_BLANK_MINIMAL, false));
	assert_int_equal(emu_status_of(d), 0);
	assert_sense(emu_blank(d, MMC_BLANK_TRACK, false), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_FIELD_CDB);
	emu_close(d);
}

static void blank_and_format_refused_on_the_wrong_media(void **s)
{
	const char *no_blank[] = { "cd-r", "dvd+r", "dvd+rw", "bd-r", "bd-re",
				   "dvd-ram", "dvd-r" };
	for (size_t i = 0; i < sizeof(no_blank) / sizeof(no_blank[0]); i++) {
		struct emu_drive *d = emu_ready(no_blank[i], 4096, 0, path,
						sizeof(path));
		assert_sense(emu_blank(d, 0, false), SK_ILLEGAL_REQUEST,
			     ASC_INCOMPATIBLE_MEDIUM);
		emu_close(d);
	}
	const char *no_format[] = { "cd-r", "dvd+r", "dvd-r", "dvd+r-dl" };
	for (size_t i = 0; i < sizeof(no_format) / sizeof(no_format[0]); i++) {
		struct emu_drive *d = emu_ready(no_format[i], 4096, 0, path,
						sizeof(path));
		assert_sense(emu_format(d, 4096, 0, 0, false), SK_ILLEGAL_REQUEST,
			     ASC_CANNOT_FORMAT);
		emu_close(d);
	}
	struct emu_drive *d = emu_ready("cd-rw", 4096, 0, path, sizeof(path));
	/* CD-RW formats only to fixed packets of 32 blocks
	 * (test_emu_cdrw_packet); any other type or size is refused */
	assert_sense(emu_format(d, 4096, 0x10, 0, false), SK_ILLEGAL_REQUEST,
		     ASC_CANNOT_FORMAT);
	emu_close(d);
}

static void dvd_rw_format_to_restricted_overwrite_and_back(void **s)
{
	struct emu_drive *d = emu_ready("dvd-rw", 4096, 0, path, sizeof(path));
	uint8_t b[64];
	assert_int_equal(emu_profile_of(d), MMC_PROF_DVD_RW_SEQ);
	assert_good(emu_cmd(d, CDB(0x23, 0, 0, 0, 0, 0, 0, 0, 64, 0), MMC_DIR_IN,
			    b, 64));
	assert_int_equal(b[3] % 8, 0);
	assert_true(b[3] >= 16);
	assert_int_equal(b[8] & 3, 1); /* unformatted */
	assert_good(emu_format(d, 4096, 0x15, 0, false));
	assert_int_equal(emu_profile_of(d), MMC_PROF_DVD_RW_RO);
	assert_good(emu_write(d, 32, 16));
	assert_good(emu_write(d, 0, 32));
	assert_sense(emu_write(d, 8, 16), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_sense(emu_write(d, 16, 8), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_good(emu_read(d, 0, 48));
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[6] & 0x10, 0x10); /* fixed packets */
	assert_int_equal(get_be32(b + 20), 16);
	assert_good(emu_close_fn(d, 2, 0, false));
	assert_sense(emu_close_fn(d, 1, 1, false), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_FIELD_CDB);
	assert_good(emu_blank(d, MMC_BLANK_FULL, false));
	assert_int_equal(emu_profile_of(d), MMC_PROF_DVD_RW_SEQ);
	assert_int_equal(emu_status_of(d), 0);
	emu_close(d);
}

static void dvd_plus_rw_background_format(void **s)
{
	struct emu_drive *d = emu_ready("dvd+rw", 4096, 1.0, path, sizeof(path));
	uint8_t di[34], b[64];
	assert_int_equal(emu_status_of(d), 0);
	assert_sense(emu_write(d, 0, 16), SK_ILLEGAL_REQUEST, ASC_NOT_FORMATTED);
	assert_good(emu_cmd(d, CDB(0x23, 0, 0, 0, 0, 0, 0, 0, 64, 0), MMC_DIR_IN,
			    b, 64));
	assert_int_equal(b[12 + 4] >> 2, 0x26);
	assert_good(emu_format(d, 0xFFFFFFFF, 0x26, 0, true));
	emu_disc_info(d, di);
	assert_int_equal(di[7] & 3, 2); /* running */
	assert_good(emu_tur(d));        /* background: ready */
	assert_good(emu_write(d, 100, 1));
	assert_good(emu_close_fn(d, 0, 0, false)); /* stop de-icing */
	emu_disc_info(d, di);
	assert_int_equal(di[7] & 3, 1); /* suspended */
	assert_good(emu_format(d, 4096, 0x26, 0, true));
	emu_clock_advance(d, 3600 * 1000);
	assert_good(emu_tur(d));
	emu_disc_info(d, di);
	assert_int_equal(di[7] & 3, 3); /* complete */
	assert_int_equal(di[2] & 3, 2);
	assert_good(emu_read(d, 100, 1));
	assert_sense(emu_cmd(d, CDB(0x52, 1, 0, 0, 0, 2, 0, 0, 48, 0), MMC_DIR_IN,
			     b, 48), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	emu_close(d);
}

static void dvd_ram_is_random_from_the_start(void **s)
{
	struct emu_drive *d = emu_ready("dvd-ram", 4096, 0, path, sizeof(path));
	assert_int_equal(emu_status_of(d), 3);
	assert_good(emu_write(d, 4000, 3));
	assert_good(emu_write(d, 7, 1));
	assert_good(emu_read(d, 4000, 3));
	assert_sense(emu_write(d, 4095, 2), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	uint8_t c[32];
	assert_good(emu_cmd(d, CDB(0x46, 2, 0, 0x20, 0, 0, 0, 0, 32, 0),
			    MMC_DIR_IN, c, 32));
	assert_int_equal(c[10] & 1, 1);
	assert_int_equal(get_be32(c + 12), 4095);
	emu_close(d);
}

static void bd_re_needs_a_format_then_writes_anywhere(void **s)
{
	struct emu_drive *d = emu_ready("bd-re", 8192, 0, path, sizeof(path));
	uint8_t b[64];
	assert_int_equal(emu_status_of(d), 0);
	assert_sense(emu_write(d, 0, 32), SK_ILLEGAL_REQUEST, ASC_NOT_FORMATTED);
	assert_good(emu_cmd(d, CDB(0x23, 0, 0, 0, 0, 0, 0, 0, 64, 0), MMC_DIR_IN,
			    b, 64));
	uint32_t def = get_be32(b + 12);
	assert_true(def < 8192 && def > 7000);
	assert_sense(emu_format(d, 8192, 0x30, 0, false), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_FIELD_PARAM);
	assert_good(emu_format(d, def, 0x00, 0, false));
	assert_int_equal(emu_status_of(d), 3);
	assert_good(emu_write(d, def - 32, 32));
	assert_good(emu_write(d, 0, 32));
	assert_sense(emu_write(d, def, 1), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	uint8_t cap[8];
	assert_good(emu_cmd(d, CDB(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), MMC_DIR_IN,
			    cap, 8));
	assert_int_equal(get_be32(cap), def - 1);
	/* 31h: no spares, whole capacity */
	assert_good(emu_format(d, 8192, 0x31, 0, false));
	assert_good(emu_write(d, 8191, 1));
	/* spare area structure */
	uint8_t ds[16];
	assert_good(emu_cmd(d, CDB(0xAD, 1, 0, 0, 0, 0, 0, 0x0A, 0, 16, 0, 0),
			    MMC_DIR_IN, ds, 16));
	assert_int_equal(get_be32(ds + 8), 0); /* 31h: no spare */
	assert_sense(emu_cmd(d, CDB(0xAD, 0, 0, 0, 0, 0, 0, 0x00, 0, 16, 0, 0),
			     MMC_DIR_IN, ds, 16), /* DVD structure on BD */
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	emu_close(d);
}

static void bd_re_structure_on_dvd_is_refused(void **s)
{
	struct emu_drive *d = emu_ready("dvd+rw", 4096, 0, path, sizeof(path));
	uint8_t ds[256];
	assert_sense(emu_cmd(d, CDB(0xAD, 1, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0),
			     MMC_DIR_IN, ds, 16),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	/* FFh list: lengths let a client size each structure */
	assert_good(emu_cmd(d, CDB(0xAD, 0, 0, 0, 0, 0, 0, 0xFF, 1, 0, 0, 0),
			    MMC_DIR_IN, ds, 256));
	uint32_t len = get_be16(ds) + 2;
	assert_int_equal((len - 4) % 4, 0);
	bool adip = false;
	for (uint32_t off = 4; off < len; off += 4)
		adip |= ds[off] == 0x11;
	assert_true(adip);
	emu_close(d);
}

static void format_rejects_malformed_parameter_lists(void **s)
{
	struct emu_drive *d = emu_ready("bd-re", 4096, 0, path, sizeof(path));
	uint8_t p[12] = { 0, 2, 0, 7 };
	assert_sense(emu_cmd(d, CDB(0x04, 0x11, 0, 0, 0, 0), MMC_DIR_OUT, p, 12),
		     SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
	assert_sense(emu_cmd(d, CDB(0x04, 0x11, 0, 0, 0, 0), MMC_DIR_OUT, p, 4),
		     SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
	assert_sense(emu_cmd(d, CDB(0x04, 0x01, 0, 0, 0, 0), MMC_DIR_OUT, p, 12),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	assert_sense(emu_format(d, 0, 0x00, 0, false), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_FIELD_PARAM);
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
		cmocka_unit_test(cd_rw_blank_returns_to_blank),
		cmocka_unit_test(blank_and_format_refused_on_the_wrong_media),
		cmocka_unit_test(dvd_rw_format_to_restricted_overwrite_and_back),
		cmocka_unit_test(dvd_plus_rw_background_format),
		cmocka_unit_test(dvd_ram_is_random_from_the_start),
		cmocka_unit_test(bd_re_needs_a_format_then_writes_anywhere),
		cmocka_unit_test(bd_re_structure_on_dvd_is_refused),
		cmocka_unit_test(format_rejects_malformed_parameter_lists),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
