/*
 * test_emu_basic.c - the emulated drive's conventions: INQUIRY, unit
 * attentions, GESN events, allocation lengths, tray and lock, unknown
 * opcodes, GET CONFIGURATION, MODE SENSE, READ CAPACITY.
 */
#include "test_emu_helpers.h"

static char path[512];

static void inquiry_reports_a_removable_cd_dvd_device(void **s)
{
	struct emu_drive *d = emu_new("bd-r", 4096, 0, path, sizeof(path));
	uint8_t b[36];
	/* INQUIRY is answered even with the power-on UA pending */
	assert_good(emu_cmd(d, CDB(0x12, 0, 0, 0, 36, 0), MMC_DIR_IN, b, 36));
	assert_int_equal(b[0], 0x05);
	assert_int_equal(b[1], 0x80);
	assert_memory_equal(b + 8, "DISCFS  ", 8);
	/* the UA is still there for the next ordinary command */
	assert_sense(emu_tur(d), SK_UNIT_ATTENTION, ASC_POWER_ON_RESET);
	assert_good(emu_tur(d));
	emu_close(d);
}

static void request_sense_reports_and_clears_the_unit_attention(void **s)
{
	struct emu_drive *d = emu_new("cd-r", 4096, 0, path, sizeof(path));
	uint8_t b[18];
	assert_good(emu_cmd(d, CDB(0x03, 0, 0, 0, 18, 0), MMC_DIR_IN, b, 18));
	assert_int_equal(b[2] & 0x0F, SK_UNIT_ATTENTION);
	assert_int_equal(b[12], 0x29);
	assert_good(emu_tur(d));
	assert_good(emu_cmd(d, CDB(0x03, 0, 0, 0, 18, 0), MMC_DIR_IN, b, 18));
	assert_int_equal(b[2] & 0x0F, SK_NO_SENSE);
	emu_close(d);
}

static void unknown_opcode_is_invalid_command(void **s)
{
	struct emu_drive *d = emu_ready("dvd+r", 4096, 0, path, sizeof(path));
	assert_sense(emu_cmd(d, CDB(0xE7, 0, 0, 0, 0, 0), MMC_DIR_NONE, NULL, 0),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	emu_close(d);
}

static void eject_load_cycle_raises_events_and_medium_changed(void **s)
{
	struct emu_drive *d = emu_ready("dvd+r", 4096, 0, path, sizeof(path));
	uint8_t flags;
	emu_drain_events(d);
	uint64_t before = emu_media_event_count(d);
	assert_good(emu_cmd(d, CDB(0x1B, 0, 0, 0, 0x02, 0), MMC_DIR_NONE, NULL, 0));
	assert_sense(emu_tur(d), SK_NOT_READY, ASC_NO_MEDIUM_TRAY_OPEN);
	assert_int_equal(emu_gesn(d, &flags), 3); /* media removal */
	assert_int_equal(flags & 1, 1);           /* tray open */
	assert_int_equal(emu_gesn(d, NULL), 0);   /* consumed */
	assert_good(emu_cmd(d, CDB(0x1B, 0, 0, 0, 0x03, 0), MMC_DIR_NONE, NULL, 0));
	assert_int_equal(emu_gesn(d, &flags), 2); /* new media */
	assert_int_equal(flags, 0x02);            /* present, closed */
	assert_sense(emu_tur(d), SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
	assert_good(emu_tur(d));
	assert_true(emu_media_event_count(d) >= before + 2);
	emu_close(d);
}

static void prevent_blocks_eject(void **s)
{
	struct emu_drive *d = emu_ready("cd-rw", 4096, 0, path, sizeof(path));
	discfs_error err;
	assert_good(emu_cmd(d, CDB(0x1E, 0, 0, 0, 1, 0), MMC_DIR_NONE, NULL, 0));
	assert_sense(emu_cmd(d, CDB(0x1B, 0, 0, 0, 0x02, 0), MMC_DIR_NONE, NULL, 0),
		     SK_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED);
	assert_int_equal(emu_eject(d, &err), -DISCFS_EBUSY);
	assert_good(emu_cmd(d, CDB(0x1E, 0, 0, 0, 0, 0), MMC_DIR_NONE, NULL, 0));
	assert_int_equal(emu_eject(d, &err), 0);
	assert_sense(emu_tur(d), SK_NOT_READY, ASC_NO_MEDIUM_TRAY_OPEN);
	emu_close(d);
}

static void empty_drive_and_loading_another_disc(void **s)
{
	discfs_error err;
	struct emu_drive *d, *tmp = emu_new("bd-re", 4096, 0, path, sizeof(path));
	emu_close(tmp);
	assert_int_equal(emu_open(NULL, NULL, &d, &err), 0);
	emu_clear_ua(d);
	assert_sense(emu_tur(d), SK_NOT_READY, ASC_NO_MEDIUM_TRAY_CLOSED);
	assert_int_equal(emu_profile_of(d), 0);
	assert_int_equal(emu_load(d, path, &err), 0);
	assert_sense(emu_tur(d), SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
	assert_good(emu_tur(d));
	assert_int_equal(emu_profile_of(d), MMC_PROF_BD_RE);
	assert_int_equal(emu_load(d, "/nonexistent/x.img", &err), -DISCFS_ENOENT);
	assert_int_equal(emu_profile_of(d), MMC_PROF_BD_RE); /* unchanged */
	emu_close(d);
}

static void gesn_without_media_class_says_no_event(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 4096, 0, path, sizeof(path));
	uint8_t b[8] = { 0 };
	assert_good(emu_cmd(d, CDB(0x4A, 1, 0, 0, 0x02, 0, 0, 0, 8, 0),
			    MMC_DIR_IN, b, 8));
	assert_int_equal(b[2] & 0x80, 0x80);
	assert_int_equal(get_be16(b), 0); /* nothing follows the header */
	assert_good(emu_cmd(d, CDB(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0),
			    MMC_DIR_IN, b, 8));
	/* MMC: the length counts the bytes after the 4-byte header, so a
	 * media-class answer says 4 (one descriptor), as the kernel's sr and
	 * QEMU expect. */
	assert_int_equal(get_be16(b), 4);
	assert_int_equal(b[2] & 0x07, 4);
	assert_sense(emu_cmd(d, CDB(0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8, 0),
			     MMC_DIR_IN, b, 8),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	emu_close(d);
}

static void short_allocation_returns_prefix_with_full_length(void **s)
{
	struct emu_drive *d = emu_ready("dvd-rw", 4096, 0, path, sizeof(path));
	uint8_t b[1024];
	struct emu_res r = emu_cmd(d, CDB(0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0),
				   MMC_DIR_IN, b, sizeof(b));
	assert_good(r);
	assert_int_equal(r.resid, sizeof(b) - 8);
	uint32_t full = get_be32(b) + 4;
	assert_true(full > 100 && full < 1024);
	r = emu_cmd(d, CDB(0x46, 0, 0, 0, 0, 0, 0, 4, 0, 0), MMC_DIR_IN, b,
		    sizeof(b));
	assert_int_equal(sizeof(b) - r.resid, full);
	/* every feature descriptor length is a multiple of 4 and in bounds */
	for (uint32_t off = 8; off < full; off += 4 + b[off + 3]) {
		assert_int_equal(b[off + 3] % 4, 0);
		assert_true(off + 4 + b[off + 3] <= full);
	}
	/* a 4-byte MODE SENSE still states the whole length */
	r = emu_cmd(d, CDB(0x5A, 0x08, 0x2A, 0, 0, 0, 0, 0, 4, 0), MMC_DIR_IN,
		    b, 4);
	assert_good(r);
	assert_true(get_be16(b) > 30);
	emu_close(d);
}

static bool has_current(struct emu_drive *d, uint16_t feature)
{
	uint8_t b[64] = { 0 };
	uint8_t c[10] = { 0x46, 2 };
	put_be16(c + 2, feature);
	put_be16(c + 7, sizeof(b));
	assert_good(emu_cmd(d, c, 10, MMC_DIR_IN, b, sizeof(b)));
	if (get_be32(b) < 8)
		return false; /* header only: feature not offered */
	assert_int_equal(get_be16(b + 8), feature);
	return b[10] & 1;
}

static void config_reports_current_profile_and_features(void **s)
{
	struct emu_drive *d = emu_ready("dvd-r", 4096, 0, path, sizeof(path));
	assert_int_equal(emu_profile_of(d), MMC_PROF_DVD_R_SEQ);
	assert_true(has_current(d, 0x0021));
	assert_true(has_current(d, 0x002F));
	assert_false(has_current(d, 0x002B));
	assert_false(has_current(d, 0x0020));
	/* RT=1 lists only current features */
	uint8_t b[1024];
	assert_good(emu_cmd(d, CDB(0x46, 1, 0, 0, 0, 0, 0, 4, 0, 0), MMC_DIR_IN,
			    b, sizeof(b)));
	uint32_t full = get_be32(b) + 4;
	for (uint32_t off = 8; off < full; off += 4 + b[off + 3])
		assert_int_equal(b[off + 2] & 1, 1);
	/* the profile list contains every media and marks the current one */
	assert_good(emu_cmd(d, CDB(0x46, 2, 0, 0, 0, 0, 0, 0, 255, 0),
			    MMC_DIR_IN, b, 255));
	unsigned n = b[11] / 4, cur = 0;
	assert_true(n >= 14);
	for (unsigned i = 0; i < n; i++)
		if (b[12 + 4 * i + 2] & 1) {
			cur++;
			assert_int_equal(get_be16(b + 12 + 4 * i), 0x0011);
		}
	assert_int_equal(cur, 1);
	assert_sense(emu_cmd(d, CDB(0x46, 3, 0, 0, 0, 0, 0, 0, 8, 0), MMC_DIR_IN,
			     b, 8), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	emu_close(d);
}

struct feat_row {
	const char *media;
	uint16_t current[8]; /* must be current (0 ends) */
	uint16_t not_current[4];
};

/* The per-profile current features of mmc-notes 1.4. */
static void current_features_follow_the_profile(void **s)
{
	static const struct feat_row rows[] = {
		{ "cd-r", { 0x10, 0x1D, 0x1E, 0x21, 0x2D, 0x2E }, { 0x1F, 0x40 } },
		{ "cd-rw", { 0x10, 0x1E, 0x2D, 0x2E }, { 0x1F } },
		{ "dvd-r", { 0x10, 0x1F, 0x21, 0x2F }, { 0x1E, 0x2B } },
		{ "dvd-rw", { 0x10, 0x1F, 0x21, 0x23, 0x2F }, { 0x2C } },
		{ "dvd-r-dl", { 0x10, 0x1F, 0x2F }, { 0x2B } },
		{ "dvd+r", { 0x10, 0x1F, 0x2B }, { 0x2A, 0x21 } },
		{ "dvd+r-dl", { 0x10, 0x1F, 0x3B }, { 0x2B } },
		{ "dvd+rw", { 0x10, 0x1F, 0x23, 0x2A }, { 0x2B, 0x20 } },
		{ "dvd-ram", { 0x10, 0x1F, 0x20, 0x23, 0x24 }, { 0x2A } },
		{ "bd-r", { 0x10, 0x40, 0x41, 0x23 }, { 0x38, 0x20 } },
		{ "bd-re", { 0x10, 0x40, 0x41, 0x23, 0x24 }, { 0x1F } },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct emu_drive *d = emu_ready(rows[i].media, 4096, 0, path,
						sizeof(path));
		for (int k = 0; k < 8 && rows[i].current[k]; k++)
			if (!has_current(d, rows[i].current[k]))
				fail_msg("%s: feature %04x not current",
					 rows[i].media, rows[i].current[k]);
		for (int k = 0; k < 4 && rows[i].not_current[k]; k++)
			if (has_current(d, rows[i].not_current[k]))
				fail_msg("%s: feature %04x current",
					 rows[i].media, rows[i].not_current[k]);
		for (uint16_t f = 0; f <= 3; f++)
			assert_true(has_current(d, f));
		emu_close(d);
	}
}

static void mode_pages_describe_the_drive(void **s)
{
	struct emu_drive *d = emu_ready("bd-r", 4096, 0, path, sizeof(path));
	uint8_t b[256];
	assert_good(emu_cmd(d, CDB(0x5A, 0x08, 0x2A, 0, 0, 0, 0, 0, 255, 0),
			    MMC_DIR_IN, b, 255));
	const uint8_t *p = b + 8;
	assert_int_equal(p[0] & 0x3F, 0x2A);
	assert_int_equal(get_be16(p + 12), 4096); /* 4 MiB buffer */
	assert_int_equal(get_be16(p + 30), 6);    /* BD-R speeds */
	assert_int_equal(get_be16(p + 28), 0xFFFF); /* 16x BD: 16 bits full */
	/* GET PERFORMANCE type 03h: one descriptor per speed, fastest first */
	assert_good(emu_cmd(d, CDB(0xAC, 0, 0, 0, 0, 0, 0, 0, 0, 16, 3, 0),
			    MMC_DIR_IN, b, 8 + 16 * 16));
	assert_int_equal(get_be32(b), 4 + 16 * 6);
	assert_int_equal(get_be32(b + 8 + 12), 16 * 4495);
	assert_int_equal(get_be32(b + 8 + 16 * 5 + 12), 2 * 4495);
	assert_good(emu_cmd(d, CDB(0x5A, 0x08, 0x05, 0, 0, 0, 0, 0, 255, 0),
			    MMC_DIR_IN, b, 255));
	assert_int_equal(b[8] & 0x3F, 0x05);
	assert_true(get_be16(b) + 2 >= 8 + 14);
	assert_sense(emu_cmd(d, CDB(0x5A, 0x08, 0xC5, 0, 0, 0, 0, 0, 255, 0),
			     MMC_DIR_IN, b, 255),
		     SK_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED);
	assert_sense(emu_cmd(d, CDB(0x5A, 0x08, 0x1C, 0, 0, 0, 0, 0, 255, 0),
			     MMC_DIR_IN, b, 255),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	emu_close(d);
}

static void mode_select_rejects_bad_lists(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 4096, 0, path, sizeof(path));
	uint8_t p[8 + 52] = { 0 };
	/* PF=0 */
	assert_sense(emu_cmd(d, CDB(0x55, 0, 0, 0, 0, 0, 0, 0, 60, 0),
			     MMC_DIR_OUT, p, 60),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	/* page longer than the list */
	p[8] = 0x05;
	p[9] = 0x80;
	assert_sense(emu_cmd(d, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, 60, 0),
			     MMC_DIR_OUT, p, 60),
		     SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
	/* raw write type and packet writing are not modelled on CD */
	assert_sense(emu_page05(d, MMC_WT_RAW, 0, true, false),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	assert_sense(emu_page05(d, MMC_WT_PACKET, 0, true, false),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	assert_good(emu_page05(d, MMC_WT_TAO, 3, true, false));
	emu_close(d);
}

static void read_capacity_is_last_recorded_block(void **s)
{
	struct emu_drive *d = emu_ready("dvd+r", 4096, 0, path, sizeof(path));
	uint8_t b[8];
	assert_good(emu_cmd(d, CDB(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), MMC_DIR_IN,
			    b, 8));
	assert_int_equal(get_be32(b), 0);
	assert_int_equal(get_be32(b + 4), 2048);
	assert_good(emu_write(d, 0, 32));
	assert_good(emu_cmd(d, CDB(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), MMC_DIR_IN,
			    b, 8));
	assert_int_equal(get_be32(b), 31);
	emu_close(d);
}

static void rom_disc_from_an_image_is_readable_and_not_writable(void **s)
{
	discfs_error err;
	struct emu_drive *d;
	emu_path(path, sizeof(path));
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 100; i++) {
		uint8_t blk[2048];
		memset(blk, i, sizeof(blk));
		fwrite(blk, 1, sizeof(blk), f);
	}
	fclose(f);
	assert_int_equal(emu_disc_create(path, "dvd-rom", 0, &err), 0);
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	emu_clear_ua(d);
	assert_int_equal(emu_profile_of(d), MMC_PROF_DVD_ROM);
	assert_int_equal(emu_status_of(d), 2);
	assert_good(emu_read(d, 10, 5));
	assert_sense(emu_read(d, 100, 1), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	assert_sense(emu_write(d, 0, 1), SK_ILLEGAL_REQUEST,
		     ASC_CANNOT_WRITE_INCOMPATIBLE);
	emu_close(d);
	assert_int_equal(emu_disc_create("/nonexistent/rom.iso", "cd-rom", 0, &err),
			 -DISCFS_ENOENT);
}

static void inquiry_vpd_and_mechanism_status(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 4096, 0, path, sizeof(path));
	uint8_t b[64];
	assert_good(emu_cmd(d, CDB(0x12, 1, 0x80, 0, 64, 0), MMC_DIR_IN, b, 64));
	assert_int_equal(b[1], 0x80);
	assert_sense(emu_cmd(d, CDB(0x12, 1, 0x83, 0, 64, 0), MMC_DIR_IN, b, 64),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	assert_good(emu_cmd(d, CDB(0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0),
			    MMC_DIR_IN, b, 8));
	assert_int_equal(b[1] & 0x10, 0);
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
		cmocka_unit_test(inquiry_reports_a_removable_cd_dvd_device),
		cmocka_unit_test(request_sense_reports_and_clears_the_unit_attention),
		cmocka_unit_test(unknown_opcode_is_invalid_command),
		cmocka_unit_test(eject_load_cycle_raises_events_and_medium_changed),
		cmocka_unit_test(prevent_blocks_eject),
		cmocka_unit_test(empty_drive_and_loading_another_disc),
		cmocka_unit_test(gesn_without_media_class_says_no_event),
		cmocka_unit_test(short_allocation_returns_prefix_with_full_length),
		cmocka_unit_test(config_reports_current_profile_and_features),
		cmocka_unit_test(current_features_follow_the_profile),
		cmocka_unit_test(mode_pages_describe_the_drive),
		cmocka_unit_test(mode_select_rejects_bad_lists),
		cmocka_unit_test(read_capacity_is_last_recorded_block),
		cmocka_unit_test(rom_disc_from_an_image_is_readable_and_not_writable),
		cmocka_unit_test(inquiry_vpd_and_mechanism_status),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
