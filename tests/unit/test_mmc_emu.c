/* tests/unit/test_mmc_emu.c - the command layer end to end against the
 * emulated drive: for each medium, each query built by mmc/cdb.c, fetched
 * with mmc_fetch()/mmc_run() and parsed by mmc/parse_*.c, gives the fields
 * a real drive gives (mmc-notes §1-§2); and a short write moves the NWA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmc/cdb.h"
#include "mmc/emu/emu.h"
#include "mmc/exec.h"
#include "mmc/parse.h"

static char dir[64];

static int setup(void **st)
{
	snprintf(dir, sizeof(dir), "/tmp/dfs-mmcemu-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct mmc_transport *drive_with(const char *medium)
{
	char path[128];
	struct emu_options o;
	struct mmc_transport *t;
	discfs_error err;

	snprintf(path, sizeof(path), "%s/%s.img", dir, medium);
	if (access(path, F_OK) != 0 &&
	    emu_disc_create(path, medium, 0, &err) != 0)
		fail_msg("create %s: %s", medium, err.msg);
	emu_options_default(&o);
	o.time_scale = 0; /* long operations finish at once */
	if (emu_transport_open(path, &o, &t, &err))
		fail_msg("open %s: %s", medium, err.msg);
	mmc_clear_unit_attention(t, NULL);
	return t;
}

static uint8_t *fetch(struct mmc_transport *t, struct mmc_cmd *c, size_t *len)
{
	uint8_t *buf;
	discfs_error err;

	if (mmc_fetch(t, c, 65535, &buf, len, &err))
		fail_msg("%s: %s", mmc_op_name(c->cdb[0]), err.msg);
	return buf;
}

static void test_inquiry_says_removable_optical(void **st)
{
	struct mmc_transport *t = drive_with("dvd+r");
	struct mmc_inquiry q;
	struct mmc_cmd c;
	size_t len;
	uint8_t *b;

	mmc_cdb_inquiry(&c, NULL, 0);
	b = fetch(t, &c, &len);
	assert_int_equal(mmc_parse_inquiry(b, len, &q, NULL), 0);
	assert_int_equal(q.peripheral_type, 5);
	assert_true(q.removable);
	free(b);
	mmc_transport_destroy(t);
}

struct profile_case {
	const char *medium;
	uint16_t profile;
	uint16_t feature; /* one feature that must be current (§1.4 table) */
};

static const struct profile_case profiles[] = {
	{ "cd-r", 0x09, 0x002D }, { "cd-rw", 0x0A, 0x002D },
	{ "dvd-r", 0x11, 0x002F }, { "dvd-rw", 0x14, 0x002F },
	{ "dvd+r", 0x1B, 0x002B }, { "dvd+rw", 0x1A, 0x002A },
	{ "dvd-ram", 0x12, 0x0020 }, { "dvd+r-dl", 0x2B, 0x003B },
	{ "bd-r", 0x41, 0x0041 }, { "bd-re", 0x43, 0x0023 },
};

static void test_current_profile_and_features_per_medium(void **st)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct mmc_transport *t = drive_with(profiles[i].medium);
		struct mmc_config *cfg = malloc(sizeof(*cfg));
		const struct mmc_feature_desc *f;
		struct mmc_cmd c;
		size_t len;
		uint8_t *b;

		mmc_cdb_get_configuration(&c, MMC_GC_ALL, 0, NULL, 0);
		b = fetch(t, &c, &len);
		assert_int_equal(mmc_parse_config(b, len, cfg, NULL), 0);
		assert_int_equal(cfg->current_profile, profiles[i].profile);
		f = mmc_config_feature(cfg, profiles[i].feature);
		if (!f || !f->current)
			fail_msg("%s: feature %04X not current",
				 profiles[i].medium, profiles[i].feature);
		free(b);

		/* RT=2 for one feature: just that descriptor */
		mmc_cdb_get_configuration(&c, MMC_GC_ONE, profiles[i].feature,
					  NULL, 0);
		b = fetch(t, &c, &len);
		assert_int_equal(mmc_parse_config(b, len, cfg, NULL), 0);
		assert_int_equal(cfg->n_features, 1);
		assert_int_equal(cfg->features[0].code, profiles[i].feature);
		free(b);
		free(cfg);
		mmc_transport_destroy(t);
	}
}

static void test_mode_pages_parse(void **st)
{
	struct mmc_transport *t = drive_with("cd-r");
	struct mmc_page_ref mp;
	struct mmc_page_2a p2a;
	struct mmc_page_05 p05;
	struct mmc_page_01 p01;
	struct mmc_cmd c;
	size_t len;
	uint8_t *b;

	mmc_cdb_mode_sense10(&c, 0x2A, MMC_PC_CURRENT, NULL, 0);
	b = fetch(t, &c, &len);
	assert_int_equal(mmc_parse_mode_sense10(b, len, 0x2A, &mp, NULL), 0);
	assert_int_equal(mmc_parse_page_2a(mp.data, mp.size, &p2a, NULL), 0);
	assert_true(p2a.can_eject);
	assert_true(p2a.buffer_kib >= 512);
	free(b);

	mmc_cdb_mode_sense10(&c, 0x05, MMC_PC_CURRENT, NULL, 0);
	b = fetch(t, &c, &len);
	assert_int_equal(mmc_parse_mode_sense10(b, len, 0x05, &mp, NULL), 0);
	assert_int_equal(mmc_parse_page_05(mp.data, mp.size, &p05, NULL), 0);
	free(b);

	mmc_cdb_mode_sense10(&c, 0x01, MMC_PC_CURRENT, NULL, 0);
	b = fetch(t, &c, &len);
	assert_int_equal(mmc_parse_mode_sense10(b, len, 0x01, &mp, NULL), 0);
	assert_int_equal(mmc_parse_page_01(mp.data, mp.size, &p01, NULL), 0);
	free(b);
	mmc_transport_destroy(t);
}

static void test_page_05_select_round_trips(void **st)
{
	struct mmc_transport *t = drive_with("cd-r");
	struct mmc_page_05 want = { .write_type = MMC_WT_TAO, .track_mode = 4,
				    .data_block_type = 8, .multisession = 3,
				    .audio_pause = 150 }, got;
	uint8_t sel[MMC_MODE_SELECT_05_LEN];
	struct mmc_page_ref mp;
	struct mmc_cmd c;
	discfs_error err;
	size_t len;
	uint8_t *b;

	mmc_build_page_05(&want, sel);
	mmc_cdb_mode_select10(&c, sel, sizeof(sel));
	if (mmc_run(t, &c, &err))
		fail_msg("MODE SELECT: %s", err.msg);
	mmc_cdb_mode_sense10(&c, 0x05, MMC_PC_CURRENT, NULL, 0);
	b = fetch(t, &c, &len);
	assert_int_equal(mmc_parse_mode_sense10(b, len, 0x05, &mp, NULL), 0);
	assert_int_equal(mmc_parse_page_05(mp.data, mp.size, &got, NULL), 0);
	assert_int_equal(got.write_type, MMC_WT_TAO);
	assert_int_equal(got.multisession, 3);
	assert_int_equal(got.data_block_type, 8);
	free(b);
	mmc_transport_destroy(t);
}

static void test_cd_toc_atip(void **st)
{
	struct mmc_transport *t = drive_with("cd-rw");
	struct mmc_atip a;
	struct mmc_cmd c;
	size_t len;
	uint8_t *b;

	mmc_cdb_read_toc(&c, MMC_TOC_ATIP, true, 0, NULL, 0);
	b = fetch(t, &c, &len);
	assert_int_equal(mmc_parse_atip(b, len, &a, NULL), 0);
	assert_true(a.cd_rw);
	assert_int_equal(a.lead_out_lba, 359849);
	free(b);
	mmc_transport_destroy(t);
}

static void test_format_capacities_on_formattable_media(void **st)
{
	static const char *const media[] = { "dvd+rw", "bd-re", "dvd-ram" };

	for (size_t i = 0; i < 3; i++) {
		struct mmc_transport *t = drive_with(media[i]);
		struct mmc_format_caps f;
		struct mmc_cmd c;
		uint8_t b[260];

		mmc_cdb_read_format_capacities(&c, b, sizeof(b));
		assert_int_equal(mmc_run(t, &c, NULL), 0);
		assert_int_equal(mmc_parse_format_caps(b, mmc_cmd_received(&c),
						       &f, NULL), 0);
		assert_int_equal(f.cur_block_len, 2048);
		assert_true(f.n >= 1);
		if (!strcmp(media[i], "dvd+rw"))
			assert_int_equal(f.d[0].type, 0x26);
		if (!strcmp(media[i], "dvd-ram"))
			assert_int_equal(f.cur_type, MMC_CAP_FORMATTED);
		else
			assert_int_equal(f.cur_type, MMC_CAP_UNFORMATTED);
		mmc_transport_destroy(t);
	}
}

static void test_write_then_track_info_moves_nwa(void **st)
{
	struct mmc_transport *t = drive_with("bd-r");
	static uint8_t data[32 * 2048];
	struct mmc_track_info ti;
	struct mmc_disc_info di;
	struct mmc_capacity cap;
	struct mmc_cmd c;
	discfs_error err;
	uint8_t cb[8];
	size_t len;
	uint8_t *b;

	memset(data, 0x5A, sizeof(data));
	assert_int_equal(mmc_cdb_write10(&c, 0, 32, 2048, 0, data, NULL), 0);
	if (mmc_run(t, &c, &err))
		fail_msg("WRITE: %s", err.msg);
	mmc_cdb_synchronize_cache(&c, false);
	assert_int_equal(mmc_run(t, &c, NULL), 0);

	mmc_cdb_read_disc_info(&c, 0, NULL, 0);
	b = fetch(t, &c, &len);
	assert_int_equal(mmc_parse_disc_info(b, len, &di, NULL), 0);
	assert_int_equal(di.disc_status, 1);
	assert_int_equal(di.last_session_state, 1);
	free(b);

	mmc_cdb_read_track_info(&c, MMC_RTI_TRACK, di.last_track_last_session,
				NULL, 0);
	b = fetch(t, &c, &len);
	assert_int_equal(mmc_parse_track_info(b, len, &ti, NULL), 0);
	assert_true(ti.nwa_v);
	assert_false(ti.blank);
	assert_true(ti.nwa >= 32);
	free(b);

	/* writing anywhere else than the NWA is refused (5/21/02) */
	assert_int_equal(mmc_cdb_write10(&c, 1000, 1, 2048, 0, data, NULL), 0);
	assert_int_equal(mmc_run(t, &c, &err), -DISCFS_EILLEGAL);
	assert_int_equal(err.asc, 0x21);
	assert_int_equal(err.ascq, 0x02);

	/* what was written reads back */
	memset(data, 0, sizeof(data));
	assert_int_equal(mmc_cdb_read10(&c, 0, 2, 2048, data, NULL), 0);
	assert_int_equal(mmc_run(t, &c, NULL), 0);
	assert_int_equal(data[0], 0x5A);
	assert_int_equal(data[4095], 0x5A);

	mmc_cdb_read_capacity(&c, cb);
	assert_int_equal(mmc_run(t, &c, NULL), 0);
	assert_int_equal(mmc_parse_capacity(cb, mmc_cmd_received(&c), &cap,
					    NULL), 0);
	assert_int_equal(cap.block_len, 2048);
	mmc_transport_destroy(t);
}

static void test_no_medium_after_eject(void **st)
{
	struct mmc_transport *t = drive_with("dvd-r");
	struct mmc_cmd c;
	discfs_error err;

	mmc_cdb_start_stop(&c, false, true, false);
	assert_int_equal(mmc_run(t, &c, NULL), 0);
	mmc_cdb_test_unit_ready(&c);
	assert_int_equal(mmc_run(t, &c, &err), -DISCFS_ENOMEDIUM);
	assert_string_equal(err.msg, "no medium in drive");
	assert_int_equal(err.sense_key, 2);
	assert_int_equal(err.asc, 0x3A);
	mmc_cdb_start_stop(&c, true, true, false);
	assert_int_equal(mmc_run(t, &c, NULL), 0);
	mmc_transport_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inquiry_says_removable_optical),
		cmocka_unit_test(test_current_profile_and_features_per_medium),
		cmocka_unit_test(test_mode_pages_parse),
		cmocka_unit_test(test_page_05_select_round_trips),
		cmocka_unit_test(test_cd_toc_atip),
		cmocka_unit_test(test_format_capacities_on_formattable_media),
		cmocka_unit_test(test_write_then_track_info_moves_nwa),
		cmocka_unit_test(test_no_medium_after_eject),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
