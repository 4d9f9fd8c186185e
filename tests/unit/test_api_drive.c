/* tests/unit/test_api_drive.c - the public drive API on emulated drives:
 * open (real/emulated selection and its errors), drive and medium
 * information per medium as a real drive reports it (mmc-notes §2), tray
 * operations and their errors. */
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
#include "lib/drive_internal.h"
#include "mmc/cdb.h"
#include "mmc/emu/emu.h"
#include "mmc/exec.h"
#include "mmc/parse.h"

static char dir[64];

static int setup(void **st)
{
	snprintf(dir, sizeof(dir), "/tmp/dfs-api-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Creates a disc of medium at its real capacity (the image is sparse). */
static const char *disc(const char *medium)
{
	static char path[128];
	discfs_error err;

	snprintf(path, sizeof(path), "%s/%s.img", dir, medium);
	if (access(path, F_OK) != 0 &&
	    emu_disc_create(path, medium, 0, &err) != 0)
		fail_msg("create %s: %s", medium, err.msg);
	return path;
}

static void media_of(const char *medium, discfs_media_info *mi)
{
	discfs_drive *d;
	discfs_error err;

	if (discfs_open(disc(medium), &d, &err))
		fail_msg("open %s: %s", medium, err.msg);
	if (discfs_media_info_get(d, mi, &err))
		fail_msg("media %s: %s", medium, err.msg);
	discfs_close(d);
}

static void test_regular_file_and_emu_prefix_are_emulated(void **st)
{
	bool emu;
	char tmp[128];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/plain", dir);
	f = fopen(tmp, "w");
	fclose(f);
	assert_string_equal(discfs_dev_classify("emu:/x/y.img", &emu), "/x/y.img");
	assert_true(emu);
	assert_string_equal(discfs_dev_classify(tmp, &emu), tmp);
	assert_true(emu);
	assert_string_equal(discfs_dev_classify("/dev/sr0", &emu), "/dev/sr0");
	assert_false(emu);
}

static void test_open_errors_are_one_line(void **st)
{
	discfs_drive *d = (void *)1;
	discfs_error err;
	char tmp[128];
	FILE *f;

	assert_int_equal(discfs_open("", &d, &err), -DISCFS_EINVAL);
	assert_null(d);
	assert_int_equal(discfs_open("emu:", &d, &err), -DISCFS_EINVAL);
	assert_int_equal(discfs_open("/nonexistent/sr0", &d, &err),
			 -DISCFS_ENODEV);
	assert_null(strchr(err.msg, '\n'));
	/* an image without its state file is not an emulated disc */
	snprintf(tmp, sizeof(tmp), "%s/nostate.img", dir);
	f = fopen(tmp, "w");
	fputs("data", f);
	fclose(f);
	assert_true(discfs_open(tmp, &d, &err) < 0);
	assert_null(d);
	assert_true(err.msg[0] != '\0');
}

static void test_drive_info_identifies_a_burner(void **st)
{
	discfs_drive *d;
	discfs_drive_info di;
	discfs_error err;
	bool has_bdr = false, core_current = false;

	assert_int_equal(discfs_open(disc("bd-r"), &d, &err), 0);
	assert_int_equal(discfs_drive_info_get(d, &di, &err), 0);
	discfs_close(d);
	assert_true(di.vendor[0] != '\0');
	assert_true(di.model[0] != '\0');
	assert_true(di.n_profiles >= 10);
	for (size_t i = 0; i < di.n_profiles; i++)
		has_bdr |= di.profiles[i] == 0x41;
	assert_true(has_bdr);
	for (size_t i = 0; i < di.n_features; i++)
		if (di.features[i] == 0x0001)
			core_current = di.feature_current[i];
	assert_true(core_current);
	assert_true(di.n_write_speeds > 0);
	for (size_t i = 1; i < di.n_write_speeds; i++)
		assert_true(di.write_speeds[i - 1] > di.write_speeds[i]);
	assert_true(di.buffer_bytes >= 1024 * 1024);
	assert_true(di.can_eject);
	assert_true(di.can_lock);
	assert_false(di.locked);
}

struct blank_case {
	const char *medium;
	uint16_t profile;
	bool erasable;
	uint64_t capacity;
	bool nwa_valid; /* sequential media: invisible track writable at 0 */
};

/* mmc-notes §2.2 "Blank" column and §2.9 capacities. */
static const struct blank_case blanks[] = {
	{ "cd-r", 0x09, false, 359849, true },
	{ "cd-rw", 0x0A, true, 359849, true },
	{ "dvd-r", 0x11, false, 2298496, true },
	{ "dvd-rw", 0x14, true, 2297888, true },
	{ "dvd+r", 0x1B, false, 2295104, true },
	{ "dvd+r-dl", 0x2B, false, 4173824, true },
	{ "bd-r", 0x41, false, 12219392, true },
};

static void test_blank_sequential_media_report_one_invisible_track(void **st)
{
	for (size_t i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
		const struct blank_case *c = &blanks[i];
		discfs_media_info mi;

		media_of(c->medium, &mi);
		assert_true(mi.present);
		assert_int_equal(mi.profile, c->profile);
		assert_int_equal(mi.disc_status, DISCFS_DISC_BLANK);
		assert_int_equal(mi.last_session_state, DISCFS_SESSION_EMPTY);
		assert_int_equal(mi.erasable, c->erasable);
		assert_int_equal(mi.sessions, 1);
		assert_int_equal(mi.n_tracks, 1);
		assert_int_equal(mi.first_track, 1);
		assert_int_equal(mi.last_track, 1);
		assert_true(mi.tracks[0].blank);
		assert_int_equal(mi.tracks[0].start, 0);
		assert_true(mi.tracks[0].nwa_valid);
		assert_int_equal(mi.tracks[0].nwa, 0);
		assert_int_equal(mi.tracks[0].free_blocks, c->capacity);
		assert_int_equal(mi.capacity_blocks, c->capacity);
		assert_int_equal(mi.free_blocks, c->capacity);
		assert_int_equal(mi.used_blocks, 0);
		assert_true(mi.next_writable_valid);
		assert_int_equal(mi.next_writable, 0);
		/* only a CD-RW is formatted with fixed packets: 32 of every
		 * 39 blocks after the 150 of the pregap hold data */
		assert_int_equal(mi.packet_blocks,
				 c->profile == 0x0A ? (c->capacity - 150) / 39 * 32 : 0);
		discfs_media_info_free(&mi);
		assert_null(mi.tracks);
	}
}

static void test_rewritable_random_media(void **st)
{
	discfs_media_info mi;

	/* DVD+RW as sold: unformatted, BG format none (§2.6) */
	media_of("dvd+rw", &mi);
	assert_int_equal(mi.profile, 0x1A);
	assert_int_equal(mi.disc_status, DISCFS_DISC_BLANK);
	assert_true(mi.erasable);
	assert_false(mi.formatted);
	assert_int_equal(mi.bg_format_status, 0);
	assert_int_equal(mi.capacity_blocks, 2295104);
	discfs_media_info_free(&mi);

	/* DVD-RAM is sold formatted; disc status "others" (§2.7) */
	media_of("dvd-ram", &mi);
	assert_int_equal(mi.profile, 0x12);
	assert_int_equal(mi.disc_status, DISCFS_DISC_OTHER);
	assert_true(mi.formatted);
	assert_int_equal(mi.capacity_blocks, 2236704);
	assert_int_equal(mi.free_blocks, mi.capacity_blocks);
	discfs_media_info_free(&mi);

	/* BD-RE is sold blank, unformatted (§2.7) */
	media_of("bd-re", &mi);
	assert_int_equal(mi.profile, 0x43);
	assert_int_equal(mi.disc_status, DISCFS_DISC_BLANK);
	assert_false(mi.formatted);
	assert_true(mi.erasable);
	discfs_media_info_free(&mi);
}

static void test_tray_lock_eject_load(void **st)
{
	discfs_drive *d;
	discfs_drive_info di;
	discfs_media_info mi;
	discfs_error err;

	assert_int_equal(discfs_open(disc("dvd+r"), &d, &err), 0);
	assert_int_equal(discfs_lock(d, true, &err), 0);
	assert_int_equal(discfs_drive_info_get(d, &di, &err), 0);
	assert_true(di.locked);
	/* a locked tray does not open: 5/53/02 */
	assert_int_equal(discfs_eject(d, &err), -DISCFS_EILLEGAL);
	assert_int_equal(err.asc, 0x53);
	assert_int_equal(err.ascq, 0x02);
	assert_non_null(strstr(err.msg, "START STOP UNIT"));
	assert_int_equal(discfs_lock(d, false, &err), 0);
	assert_int_equal(discfs_eject(d, &err), 0);
	assert_int_equal(discfs_media_info_get(d, &mi, &err), 0);
	assert_false(mi.present);
	assert_int_equal(mi.n_tracks, 0);
	assert_int_equal(discfs_load(d, &err), 0);
	assert_int_equal(discfs_media_info_get(d, &mi, &err), 0);
	assert_true(mi.present);
	assert_int_equal(mi.profile, 0x1B);
	discfs_media_info_free(&mi);
	discfs_close(d);
}

static void run_ok(struct mmc_transport *t, struct mmc_cmd *c)
{
	discfs_error err;

	if (mmc_run(t, c, &err))
		fail_msg("%s: %s", mmc_op_name(c->cdb[0]), err.msg);
}

/* mmc-notes §2.2, column "Appendable: after session close": disc status
 * appendable, last session empty, sessions = closed + 1, the written track
 * closed, a new invisible track after it. */
static void test_appendable_disc_after_session_close(void **st)
{
	static uint8_t data[32 * 2048];
	struct mmc_transport *t;
	discfs_drive *d;
	discfs_media_info mi;
	discfs_error err;
	struct mmc_cmd c;
	struct mmc_wait w = { .poll_ms = 1, .timeout_ms = 60000 };

	assert_int_equal(discfs_open(disc("dvd+r"), &d, &err), 0);
	t = discfs_drive_transport(d);
	assert_non_null(t);
	mmc_clear_unit_attention(t, NULL);
	assert_int_equal(mmc_cdb_write10(&c, 0, 32, 2048, 0, data, NULL), 0);
	run_ok(t, &c);
	mmc_cdb_synchronize_cache(&c, false);
	run_ok(t, &c);
	mmc_cdb_close_track_session(&c, MMC_CLOSE_TRACK, 1, false);
	run_ok(t, &c);
	mmc_cdb_close_track_session(&c, MMC_CLOSE_SESSION, 1, true);
	run_ok(t, &c);
	assert_int_equal(mmc_wait_ready(t, &w, &err), 0);

	assert_int_equal(discfs_media_info_get(d, &mi, &err), 0);
	assert_int_equal(mi.disc_status, DISCFS_DISC_APPENDABLE);
	assert_int_equal(mi.last_session_state, DISCFS_SESSION_EMPTY);
	assert_int_equal(mi.sessions, 2);
	assert_int_equal(mi.n_tracks, 2);
	assert_int_equal(mi.first_track, 1);
	assert_int_equal(mi.last_track, 2);
	assert_false(mi.tracks[0].nwa_valid);
	assert_false(mi.tracks[0].blank);
	assert_int_equal(mi.tracks[0].session, 1);
	assert_int_equal(mi.tracks[0].start, 0);
	assert_true(mi.tracks[0].size >= 32);
	assert_true(mi.tracks[1].blank);
	assert_true(mi.tracks[1].nwa_valid);
	assert_int_equal(mi.tracks[1].session, 2);
	assert_true(mi.tracks[1].start >= mi.tracks[0].size);
	assert_int_equal(mi.tracks[1].nwa, mi.tracks[1].start);
	assert_true(mi.next_writable_valid);
	assert_int_equal(mi.next_writable, mi.tracks[1].start);
	assert_int_equal(mi.used_blocks, mi.tracks[0].size);
	assert_int_equal(mi.free_blocks, mi.tracks[1].free_blocks);
	assert_int_equal(mi.capacity_blocks, 2295104);

	/* READ TOC format 1 names the last complete session and its first
	 * track's start (what the kernel's multisession mount uses) */
	{
		struct mmc_toc toc;
		uint8_t *b;
		size_t len;

		mmc_cdb_read_toc(&c, MMC_TOC_SESSION, false, 0, NULL, 0);
		assert_int_equal(mmc_fetch(t, &c, 4096, &b, &len, &err), 0);
		assert_int_equal(mmc_parse_toc(b, len, 1, &toc, &err), 0);
		assert_int_equal(toc.first, 1);
		assert_int_equal(toc.last, 1);
		assert_int_equal(toc.e[0].track, 1);
		assert_int_equal(toc.e[0].addr, 0);
		free(b);
		mmc_cdb_read_toc(&c, MMC_TOC_FORMATTED, false, 0, NULL, 0);
		assert_int_equal(mmc_fetch(t, &c, 4096, &b, &len, &err), 0);
		assert_int_equal(mmc_parse_toc(b, len, 0, &toc, &err), 0);
		assert_int_equal(toc.n, 2);
		assert_int_equal(toc.e[0].track, 1);
		assert_int_equal(toc.e[1].track, 0xAA);
		free(b);
	}
	discfs_media_info_free(&mi);
	discfs_close(d);
}

static void test_bad_arguments(void **st)
{
	discfs_error err;
	size_t n;

	assert_int_equal(discfs_drive_info_get(NULL, NULL, &err), -DISCFS_EINVAL);
	assert_int_equal(discfs_media_info_get(NULL, NULL, &err), -DISCFS_EINVAL);
	assert_int_equal(discfs_eject(NULL, &err), -DISCFS_EINVAL);
	assert_int_equal(discfs_lock(NULL, true, &err), -DISCFS_EINVAL);
	assert_int_equal(discfs_list_drives(NULL, 1, &n, &err), -DISCFS_EINVAL);
	assert_int_equal(discfs_list_drives(NULL, 0, &n, &err), 0);
	discfs_close(NULL);
	discfs_media_info_free(NULL);
}

static void test_profile_names(void **st)
{
	assert_string_equal(discfs_profile_name(0x41), "BD-R SRM");
	assert_string_equal(discfs_profile_name(0x1A), "DVD+RW");
	assert_string_equal(discfs_profile_name(0x09), "CD-R");
	assert_string_equal(discfs_profile_name(0x0000), "none");
	assert_string_equal(discfs_profile_name(0x7777), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_file_and_emu_prefix_are_emulated),
		cmocka_unit_test(test_open_errors_are_one_line),
		cmocka_unit_test(test_drive_info_identifies_a_burner),
		cmocka_unit_test(test_blank_sequential_media_report_one_invisible_track),
		cmocka_unit_test(test_rewritable_random_media),
		cmocka_unit_test(test_tray_lock_eject_load),
		cmocka_unit_test(test_appendable_disc_after_session_close),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_profile_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
