/*
 * test_emu_quirks.c - the emulated drive's quirk switches (mmc-notes 6
 * item 7, docs/emulator.md "Quirks"): each one changes exactly the answer
 * it names when on, and nothing when off (the default); they are stored
 * with the disc and survive close/reopen; the options add to the stored
 * set without being saved; a hostile "quirks" line in the state file is
 * refused with a clear error.
 */
#include <errno.h>

#include "test_emu_helpers.h"

static char path[512];

/* A new disc whose state file stores `stored`, opened with opts.quirks =
 * `opt` (instant clock), power-on unit attention cleared. */
static struct emu_drive *open_quirky(const char *media, uint64_t cap,
				     unsigned stored, unsigned opt)
{
	discfs_error err = { 0 };
	struct emu_options o;
	struct emu_drive *d = NULL;
	emu_path(path, sizeof(path));
	assert_int_equal(emu_disc_create(path, media, cap, &err), 0);
	assert_int_equal(emu_disc_set_quirks(path, stored, &err), 0);
	emu_options_default(&o);
	o.time_scale = 0;
	o.quirks = opt;
	assert_int_equal(emu_open(path, &o, &d, &err), 0);
	emu_clear_ua(d);
	return d;
}

static struct emu_drive *reopen(unsigned opt)
{
	discfs_error err = { 0 };
	struct emu_options o;
	struct emu_drive *d = NULL;
	emu_options_default(&o);
	o.time_scale = 0;
	o.quirks = opt;
	assert_int_equal(emu_open(path, &o, &d, &err), 0);
	emu_clear_ua(d);
	return d;
}

static unsigned stored_quirks(void)
{
	discfs_error err = { 0 };
	struct emu_disc_summary s;
	assert_int_equal(emu_disc_summary(path, &s, &err), 0);
	return s.quirks;
}

static uint32_t read_capacity(struct emu_drive *d)
{
	uint8_t b[8];
	assert_good(emu_cmd(d, CDB(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), MMC_DIR_IN,
			    b, 8));
	assert_int_equal(get_be32(b + 4), 2048);
	return get_be32(b);
}

/* ------------------------------------------------------ names and lists */

static void names_parse_and_format_round_trip(void **s)
{
	discfs_error err = { 0 };
	unsigned q = 99;
	char buf[160];
	assert_int_equal(emu_quirks_parse("none", &q, &err), 0);
	assert_int_equal(q, 0);
	assert_int_equal(emu_quirks_format(0, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "none");
	assert_int_equal(emu_quirks_parse("adip-refused,cd-nwa-150", &q, &err),
			 0);
	assert_int_equal(q, EMU_Q_ADIP_REFUSED | EMU_Q_CD_NWA_150);
	/* formatting lists them in bit order, whatever order they came in */
	assert_int_equal(emu_quirks_format(q, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "cd-nwa-150,adip-refused");
	assert_int_equal(emu_quirks_format(EMU_Q_ALL, buf, sizeof(buf), &err), 0);
	unsigned back = 0;
	assert_int_equal(emu_quirks_parse(buf, &back, &err), 0);
	assert_int_equal(back, EMU_Q_ALL);
	/* every advertised name parses to one distinct bit */
	unsigned seen = 0, n = 0;
	for (const char *const *name = emu_quirk_names(); *name; name++, n++) {
		assert_int_equal(emu_quirks_parse(*name, &q, &err), 0);
		assert_int_equal(q & (q - 1), 0);
		assert_int_equal(seen & q, 0);
		seen |= q;
	}
	assert_int_equal(seen, EMU_Q_ALL);
	assert_int_equal(n, 5);
}

static void bad_lists_are_refused_and_leave_the_output_alone(void **s)
{
	discfs_error err = { 0 };
	unsigned q = 7;
	char buf[8];
	const char *bad[] = { "", "bogus", "cd-nwa-150,", ",cd-nwa-150",
			      "cd-nwa-150,,adip-refused", "CD-NWA-150",
			      "cd-nwa-150 ", "none,cd-nwa-150", "cd-nwa" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = (discfs_error){ 0 };
		assert_int_equal(emu_quirks_parse(bad[i], &q, &err),
				 -DISCFS_EINVAL);
		assert_int_equal(q, 7);
		assert_non_null(strstr(err.msg, "quirk"));
	}
	assert_int_equal(emu_quirks_parse(NULL, &q, &err), -DISCFS_EINVAL);
	/* the message names the bad word, cut short when it is huge */
	char huge[600];
	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = 0;
	assert_int_equal(emu_quirks_parse(huge, &q, &err), -DISCFS_EINVAL);
	assert_true(strlen(err.msg) < sizeof(err.msg) - 1);
	assert_int_equal(emu_quirks_format(1u << 20, buf, sizeof(buf), &err),
			 -DISCFS_EINVAL);
	assert_int_equal(emu_quirks_format(EMU_Q_ALL, buf, sizeof(buf), &err),
			 -DISCFS_EINVAL); /* does not fit in 8 bytes */
	assert_int_equal(emu_quirks_format(0, buf, 0, &err), -DISCFS_EINVAL);
}

static void defaults_are_all_off(void **s)
{
	struct emu_options o;
	discfs_error err = { 0 };
	emu_options_default(&o);
	assert_int_equal(o.quirks, 0);
	emu_path(path, sizeof(path));
	assert_int_equal(emu_disc_create(path, "cd-r", 4096, &err), 0);
	assert_int_equal(stored_quirks(), 0);
	/* and then no "quirks" line at all in the state file */
	char st[600], line[256];
	assert_int_equal(emu_state_path(path, st, sizeof(st), &err), 0);
	FILE *f = fopen(st, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		assert_null(strstr(line, "quirks"));
	fclose(f);
}

/* ------------------------------------------------------- each quirk */

static void cd_nwa_150_reports_minus_150_on_a_blank_cd_only(void **s)
{
	struct emu_drive *d = open_quirky("cd-r", 4096, 0, 0);
	assert_int_equal(emu_nwa(d, 0xFF), 0);
	assert_int_equal(emu_nwa(d, 1), 0);
	emu_close(d);

	d = open_quirky("cd-r", 4096, 0, EMU_Q_CD_NWA_150);
	uint8_t b[48];
	assert_int_equal(emu_nwa(d, 0xFF), (uint32_t)-150);
	assert_int_equal(emu_nwa(d, 1), (uint32_t)-150);
	assert_good(emu_track(d, 1, b));
	assert_int_equal(get_be32(b + 8), 0); /* the track still starts at 0 */
	/* the host that repairs it (NWA := start) writes at 0 as usual */
	assert_good(emu_page05(d, MMC_WT_TAO, 3, true, false));
	assert_good(emu_write(d, 0, 10));
	/* once written the disc is appendable: the real NWA again */
	assert_int_equal(emu_nwa(d, 1), 10);
	emu_close(d);

	/* DVD media never do it */
	d = open_quirky("dvd-r", 4096, EMU_Q_CD_NWA_150, 0);
	assert_int_equal(emu_nwa(d, 1), 0);
	emu_close(d);
}

static void bdr_formatted_appendable_changes_only_disc_information(void **s)
{
	for (int on = 0; on <= 1; on++) {
		struct emu_drive *d = open_quirky(
			"bd-r", 8192, 0, on ? EMU_Q_BDR_FORMATTED_APPENDABLE : 0);
		uint8_t di[34];
		/* unformatted blank BD-R: blank either way */
		assert_int_equal(emu_status_of(d), 0);
		assert_good(emu_format(d, 7936, 0x00, 1, false)); /* SRM, no POW */
		emu_disc_info(d, di);
		assert_int_equal(di[2] & 3, on ? 1 : 0);  /* appendable : blank */
		assert_int_equal((di[2] >> 2) & 3, 0);    /* empty session */
		assert_int_equal(di[2] & 0x10, 0);        /* not erasable */
		assert_int_equal(di[4], 1);               /* one session */
		assert_int_equal(di[5], 1);
		assert_int_equal(di[6], 1);
		/* READ CAPACITY answers 0 (no last LBA) on it, as real drives */
		assert_int_equal(read_capacity(d), 0);
		/* once written it is appendable either way, NWA unaffected */
		assert_int_equal(emu_nwa(d, 1), 0);
		assert_good(emu_write(d, 0, 32));
		assert_int_equal(emu_status_of(d), 1);
		assert_int_equal(read_capacity(d), 31);
		emu_close(d);
	}
}

static void adip_refused_answers_5_24_00_for_structure_11h(void **s)
{
	uint8_t b[4 + 256];
	for (int on = 0; on <= 1; on++) {
		struct emu_drive *d = open_quirky("dvd+r", 4096,
						  on ? EMU_Q_ADIP_REFUSED : 0, 0);
		struct emu_res r = emu_cmd(d, CDB(0xAD, 0, 0, 0, 0, 0, 0, 0x11,
						  1, 4, 0, 0),
					   MMC_DIR_IN, b, sizeof(b));
		if (on)
			assert_sense(r, SK_ILLEGAL_REQUEST,
				     ASC_INVALID_FIELD_CDB);
		else
			assert_good(r);
		/* the physical format information is still there */
		assert_good(emu_cmd(d, CDB(0xAD, 0, 0, 0, 0, 0, 0, 0x00, 0, 64,
					   0, 0), MMC_DIR_IN, b, 64));
		emu_close(d);
	}
}

static void toc0_dvd_variant_answers_a_lead_out_only_toc(void **s)
{
	uint8_t t[12];
	struct emu_drive *d = open_quirky("dvd+r", 4096, 0, 0);
	assert_sense(emu_cmd(d, CDB(0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0),
			     MMC_DIR_IN, t, 12),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	emu_close(d);

	d = open_quirky("dvd+r", 4096, 0, EMU_Q_TOC0_DVD_VARIANT);
	memset(t, 0xEE, sizeof(t));
	assert_good(emu_cmd(d, CDB(0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0),
			    MMC_DIR_IN, t, 12));
	assert_int_equal(get_be16(t), 10);
	assert_int_equal(t[2], 1);
	assert_int_equal(t[3], 0);
	assert_int_equal(t[5], 0x14);
	assert_int_equal(t[6], 0xAA);
	assert_int_equal(get_be32(t + 8), 0); /* lead-out at the NWA */
	/* MSF form: LBA 0 = 00:02:00 */
	assert_good(emu_cmd(d, CDB(0x43, 0x02, 0, 0, 0, 0, 0, 0, 12, 0),
			    MMC_DIR_IN, t, 12));
	assert_int_equal(t[9], 0);
	assert_int_equal(t[10], 2);
	assert_int_equal(t[11], 0);
	/* asking from a track that cannot exist is still refused */
	assert_sense(emu_cmd(d, CDB(0x43, 0, 0, 0, 0, 0, 5, 0, 12, 0),
			     MMC_DIR_IN, t, 12),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	emu_close(d);

	/* CDs keep 5/24/00 on an empty TOC */
	d = open_quirky("cd-r", 4096, 0, EMU_Q_TOC0_DVD_VARIANT);
	assert_sense(emu_cmd(d, CDB(0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0),
			     MMC_DIR_IN, t, 12),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	emu_close(d);
}

static void close_track_sim_error_refuses_close_track_in_test_mode(void **s)
{
	for (int on = 0; on <= 1; on++) {
		struct emu_drive *d = open_quirky(
			"cd-r", 4096, 0, on ? EMU_Q_CLOSE_TRACK_SIM_ERROR : 0);
		assert_good(emu_page05(d, MMC_WT_TAO, 0, true, true));
		assert_good(emu_write(d, 0, 10));
		struct emu_res r = emu_close_fn(d, 1, 0xFF, false);
		if (on)
			assert_sense(r, SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
		else
			assert_good(r);
		/* CLOSE SESSION is not affected */
		assert_good(emu_close_fn(d, 2, 0, false));
		emu_close(d);
	}
	/* without test write the quirk changes nothing */
	struct emu_drive *d = open_quirky("cd-r", 4096, 0,
					  EMU_Q_CLOSE_TRACK_SIM_ERROR);
	assert_good(emu_page05(d, MMC_WT_TAO, 3, true, false));
	assert_good(emu_write(d, 0, 10));
	assert_good(emu_close_fn(d, 1, 0xFF, false));
	emu_close(d);
}

/* ---------------------------------------------------------- storage */

static void stored_quirks_survive_close_and_reopen(void **s)
{
	discfs_error err = { 0 };
	struct emu_drive *d = open_quirky("cd-r", 4096,
					  EMU_Q_CD_NWA_150 | EMU_Q_ADIP_REFUSED,
					  0);
	assert_int_equal(emu_nwa(d, 1), (uint32_t)-150);
	emu_close(d);
	assert_int_equal(stored_quirks(), EMU_Q_CD_NWA_150 | EMU_Q_ADIP_REFUSED);
	d = reopen(0);
	assert_int_equal(emu_nwa(d, 1), (uint32_t)-150);
	emu_close(d);
	/* "none" clears them: the default answer is back */
	assert_int_equal(emu_disc_set_quirks(path, 0, &err), 0);
	assert_int_equal(stored_quirks(), 0);
	d = reopen(0);
	assert_int_equal(emu_nwa(d, 1), 0);
	emu_close(d);
	/* unknown bits are refused and change nothing */
	assert_int_equal(emu_disc_set_quirks(path, 1u << 30, &err),
			 -DISCFS_EINVAL);
	assert_int_equal(stored_quirks(), 0);
}

static void option_quirks_apply_but_are_not_stored(void **s)
{
	struct emu_drive *d = open_quirky("cd-r", 4096, EMU_Q_ADIP_REFUSED,
					  EMU_Q_CD_NWA_150);
	assert_int_equal(emu_nwa(d, 1), (uint32_t)-150);
	emu_close(d);
	assert_int_equal(stored_quirks(), EMU_Q_ADIP_REFUSED);
	d = reopen(0);
	assert_int_equal(emu_nwa(d, 1), 0);
	emu_close(d);
}

static void public_api_sets_and_shows_quirks_by_name(void **s)
{
	discfs_error err = { 0 };
	discfs_emu_info in;
	emu_path(path, sizeof(path));
	assert_int_equal(discfs_emu_create(path, "dvd+r", 4096, &err), 0);
	assert_int_equal(discfs_emu_info_get(path, &in, &err), 0);
	assert_string_equal(in.quirks, "none");
	assert_int_equal(discfs_emu_set_quirks(path,
			 "toc0-dvd-variant,adip-refused", &err), 0);
	assert_int_equal(discfs_emu_info_get(path, &in, &err), 0);
	assert_string_equal(in.quirks, "adip-refused,toc0-dvd-variant");
	err = (discfs_error){ 0 };
	assert_int_equal(discfs_emu_set_quirks(path, "adip-refused,nope", &err),
			 -DISCFS_EINVAL);
	assert_int_equal(err.code, DISCFS_EINVAL);
	assert_non_null(strstr(err.msg, "'nope'"));
	assert_int_equal(discfs_emu_info_get(path, &in, &err), 0);
	assert_string_equal(in.quirks, "adip-refused,toc0-dvd-variant");
	assert_int_equal(discfs_emu_set_quirks(path, "none", &err), 0);
	assert_int_equal(discfs_emu_info_get(path, &in, &err), 0);
	assert_string_equal(in.quirks, "none");
	const char *const *names = discfs_emu_quirk_names();
	assert_string_equal(names[0], "cd-nwa-150");
	assert_int_equal(discfs_emu_set_quirks(path, "nope", &err) < 0, 1);
	emu_path(path, sizeof(path)); /* no such disc */
	assert_true(discfs_emu_set_quirks(path, "none", &err) < 0);
}

/* Replaces the state file's line starting with key by `line` (or adds it
 * before "end" when there is none). */
static void edit_state(const char *key, const char *line)
{
	discfs_error err = { 0 };
	char st[600], buf[8192] = "", l[512];
	bool done = false;
	assert_int_equal(emu_state_path(path, st, sizeof(st), &err), 0);
	FILE *f = fopen(st, "r");
	assert_non_null(f);
	while (fgets(l, sizeof(l), f)) {
		if (!strncmp(l, key, strlen(key)) && !done) {
			snprintf(l, sizeof(l), "%s\n", line);
			done = true;
		} else if (!strcmp(l, "end\n") && !done) {
			strncat(buf, line, sizeof(buf) - strlen(buf) - 1);
			strncat(buf, "\n", sizeof(buf) - strlen(buf) - 1);
			done = true;
		}
		strncat(buf, l, sizeof(buf) - strlen(buf) - 1);
	}
	fclose(f);
	f = fopen(st, "w");
	assert_non_null(f);
	fputs(buf, f);
	fclose(f);
}

static void hostile_quirks_lines_are_refused_clearly(void **s)
{
	const char *lines[] = {
		"quirks bogus",
		"quirks cd-nwa-150,,adip-refused",
		"quirks cd-nwa-150,",
		"quirks",
		"quirks cd-nwa-150 adip-refused",
		"quirks xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		discfs_error err = { 0 };
		struct emu_drive *d = NULL;
		emu_path(path, sizeof(path));
		assert_int_equal(emu_disc_create(path, "cd-r", 4096, &err), 0);
		edit_state("quirks", lines[i]);
		assert_int_equal(emu_open(path, NULL, &d, &err), -DISCFS_EFORMAT);
		assert_null(d);
		assert_non_null(strstr(err.msg, "state"));
		assert_null(strchr(err.msg, '\n'));
	}
	/* a quirks line twice is refused too */
	discfs_error err = { 0 };
	struct emu_drive *d = NULL;
	emu_path(path, sizeof(path));
	assert_int_equal(emu_disc_create(path, "cd-r", 4096, &err), 0);
	assert_int_equal(emu_disc_set_quirks(path, EMU_Q_CD_NWA_150, &err), 0);
	edit_state("end", "quirks adip-refused\nend");
	assert_int_equal(emu_open(path, NULL, &d, &err), -DISCFS_EFORMAT);
	assert_null(d);
	/* a well-formed line written by hand is taken */
	emu_path(path, sizeof(path));
	assert_int_equal(emu_disc_create(path, "cd-r", 4096, &err), 0);
	edit_state("quirks", "quirks cd-nwa-150");
	assert_int_equal(stored_quirks(), EMU_Q_CD_NWA_150);
}

static int teardown_all(void **s)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_parse_and_format_round_trip),
		cmocka_unit_test(bad_lists_are_refused_and_leave_the_output_alone),
		cmocka_unit_test(defaults_are_all_off),
		cmocka_unit_test(cd_nwa_150_reports_minus_150_on_a_blank_cd_only),
		cmocka_unit_test(bdr_formatted_appendable_changes_only_disc_information),
		cmocka_unit_test(adip_refused_answers_5_24_00_for_structure_11h),
		cmocka_unit_test(toc0_dvd_variant_answers_a_lead_out_only_toc),
		cmocka_unit_test(close_track_sim_error_refuses_close_track_in_test_mode),
		cmocka_unit_test(stored_quirks_survive_close_and_reopen),
		cmocka_unit_test(option_quirks_apply_but_are_not_stored),
		cmocka_unit_test(public_api_sets_and_shows_quirks_by_name),
		cmocka_unit_test(hostile_quirks_lines_are_refused_clearly),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
