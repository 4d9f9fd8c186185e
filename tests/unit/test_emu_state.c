/*
 * test_emu_state.c - the disc files: state survives close/open, creation
 * rules, and damaged or hostile state files and images are refused with
 * DISCFS_EFORMAT and a message (never a crash).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "test_emu_helpers.h"

static char path[512];

static void state_survives_close_and_reopen(void **s)
{
	discfs_error err;
	struct emu_drive *d = emu_ready("dvd+r", 8192, 0, path, sizeof(path));
	assert_good(emu_write(d, 0, 40));
	assert_good(emu_close_fn(d, 1, 1, false));
	assert_good(emu_close_fn(d, 2, 0, false));
	assert_good(emu_write(d, 64, 16));
	emu_close(d);
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	emu_clear_ua(d);
	uint8_t di[34];
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 3, 1);
	assert_int_equal(di[4], 2);
	assert_int_equal(emu_nwa(d, 2), 80);
	assert_good(emu_read(d, 0, 40));
	assert_good(emu_read(d, 64, 16));
	emu_close(d);
	struct emu_disc_summary sum;
	assert_int_equal(emu_disc_summary(path, &sum, &err), 0);
	assert_string_equal(sum.media, "dvd+r");
	assert_int_equal(sum.tracks, 2);
	assert_int_equal(sum.sessions, 1);
	assert_int_equal(sum.used_blocks, 56);
}

static void create_checks_its_arguments(void **s)
{
	discfs_error err;
	emu_path(path, sizeof(path));
	assert_int_equal(emu_disc_create(path, "floppy", 0, &err), -DISCFS_EINVAL);
	assert_int_equal(emu_disc_create(path, "bd-r", 10, &err), -DISCFS_EINVAL);
	assert_int_equal(emu_disc_create(path, "cd-r", 400000, &err),
			 -DISCFS_EINVAL);
	assert_int_equal(emu_disc_create(path, "bd-r", 0, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 12219392ll * 2048);
	assert_true(st.st_blocks < 1024); /* sparse */
	assert_int_equal(emu_disc_create(path, "bd-r", 0, &err), -DISCFS_EBUSY);
	const char *const *names = emu_media_names();
	unsigned n = 0;
	while (names[n])
		n++;
	assert_int_equal(n, 14);
}

static void write_state(const char *text)
{
	char sp[600];
	snprintf(sp, sizeof(sp), "%s.state", path);
	FILE *f = fopen(sp, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void refused(const char *text)
{
	discfs_error err = { 0 };
	struct emu_drive *d = NULL;
	write_state(text);
	int rc = emu_open(path, NULL, &d, &err);
	if (rc != -DISCFS_EFORMAT)
		fail_msg("accepted: %s (rc %d)", text, rc);
	assert_null(d);
	assert_true(strlen(err.msg) > 10);
	assert_null(strchr(err.msg, '\n'));
}

#define HEAD "discfs-emu-state 1\nmedia dvd+r\ncapacity 4096\n"

static void hostile_state_files_are_refused(void **s)
{
	struct emu_drive *d = emu_new("dvd+r", 4096, 0, path, sizeof(path));
	emu_close(d);
	refused("");
	refused("hello\n");
	refused("discfs-emu-state 2\nmedia dvd+r\ncapacity 4096\nend\n");
	refused(HEAD);                                 /* truncated */
	refused(HEAD "end\nmedia bd-r\n");             /* text after end */
	refused("discfs-emu-state 1\ncapacity 4096\nmedia dvd+r\nend\n");
	refused("discfs-emu-state 1\nmedia floppy\ncapacity 4096\nend\n");
	refused(HEAD "capacity 4096\nend\n");          /* twice */
	refused(HEAD "capacity2 4096\nend\n");
	refused("discfs-emu-state 1\nmedia dvd+r\ncapacity -1\nend\n");
	refused("discfs-emu-state 1\nmedia dvd+r\ncapacity 99999999999\nend\n");
	refused("discfs-emu-state 1\nmedia dvd+r\ncapacity 12\nend\n");
	refused(HEAD "profile 0x0041\nend\n");
	refused(HEAD "track 1 0 100 200 0 7\nend\n");  /* written > size */
	refused(HEAD "track 1 0 100 100 1 7\ntrack 1 50 10 10 1 7\nend\n");
	refused(HEAD "track 1 4000 200 200 1 7\nend\n"); /* beyond capacity */
	refused(HEAD "track 1 0 0 10 0 7\ntrack 1 100 0 10 0 7\nend\n");
	refused(HEAD "track 3 0 100 100 1 7\nend\n");  /* session too high */
	refused(HEAD "track 1 0 100 100 9 7\nend\n");  /* bad flags */
	refused(HEAD "track 1 0 100\nend\n");
	refused(HEAD "fault-unreadable 9 3\nend\n");
	refused(HEAD "fault-bogus\nend\n");
	refused(HEAD "time-scale nan\nend\n");
	refused(HEAD "tray ajar\nend\n");
	refused(HEAD "sessions-closed 999\nend\n");
	char big[400];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	char text[600];
	snprintf(text, sizeof(text), HEAD "%s\nend\n", big);
	refused(text);
	/* binary junk */
	char sp[600];
	snprintf(sp, sizeof(sp), "%s.state", path);
	FILE *f = fopen(sp, "w");
	fwrite("discfs-emu-state 1\n\0\0\0end\n", 1, 26, f);
	fclose(f);
	discfs_error err;
	assert_int_equal(emu_open(path, NULL, &d, &err), -DISCFS_EFORMAT);
	/* the good one still works */
	write_state(HEAD "track 1 0 0 10 0 7\nnext-start 0\nend\n");
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	emu_clear_ua(d);
	assert_int_equal(emu_nwa(d, 1), 10);
	emu_close(d);
}

static void image_that_does_not_match_is_refused(void **s)
{
	discfs_error err;
	struct emu_drive *d = emu_new("dvd+r", 4096, 0, path, sizeof(path));
	emu_close(d);
	assert_int_equal(truncate(path, 4096 * 2048 - 1), 0);
	assert_int_equal(emu_open(path, NULL, &d, &err), -DISCFS_EFORMAT);
	assert_non_null(strstr(err.msg, "image"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(emu_open(path, NULL, &d, &err), -DISCFS_ENOENT);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(emu_open(path, NULL, &d, &err), -DISCFS_EFORMAT);
	assert_int_equal(emu_open("/nonexistent/none.img", NULL, &d, &err),
			 -DISCFS_ENOENT);
}

static void tray_state_is_kept_in_the_files(void **s)
{
	discfs_error err;
	struct emu_drive *d = emu_ready("bd-re", 4096, 0, path, sizeof(path));
	assert_good(emu_cmd(d, CDB(0x1B, 0, 0, 0, 0x02, 0), MMC_DIR_NONE, NULL, 0));
	emu_close(d);
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	emu_clear_ua(d);
	assert_sense(emu_tur(d), SK_NOT_READY, ASC_NO_MEDIUM_TRAY_OPEN);
	emu_close(d);
	int closed = 0;
	assert_int_equal(emu_disc_set(path, &closed, NULL, 50.0, &err), 0);
	struct emu_disc_summary sum;
	assert_int_equal(emu_disc_summary(path, &sum, &err), 0);
	assert_false(sum.tray_open);
	assert_true(sum.time_scale == 50.0);
}

static int teardown(void **s)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_survives_close_and_reopen),
		cmocka_unit_test(create_checks_its_arguments),
		cmocka_unit_test(hostile_state_files_are_refused),
		cmocka_unit_test(image_that_does_not_match_is_refused),
		cmocka_unit_test(tray_state_is_kept_in_the_files),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
