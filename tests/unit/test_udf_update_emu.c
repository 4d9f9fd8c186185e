/*
 * tests/unit/test_udf_update_emu.c - the incremental writer through the
 * public API (discfs_update_*) on emulated drives: every writable medium
 * kind from blank (first commit formats), increments after reopening the
 * drive, the reader and fsck after each; power loss of the emulated drive
 * (discfs_emu_fault "power-loss-after=N") at every block boundary of a
 * commit on BD-R (VAT) and BD-RE (in place).
 *
 * With DFS_UPDATE_KEEP=DIR in the environment the final images are copied
 * there (tests/sh/test_udf_update_readers.sh checks them with independent
 * readers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_udf_update_helpers.h"

struct env {
	char dir[128], img[256], dev[300], save[256];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	ut_tmpdir(e->dir, sizeof(e->dir));
	snprintf(e->img, sizeof(e->img), "%s/disc.img", e->dir);
	snprintf(e->dev, sizeof(e->dev), "emu:%s", e->img);
	snprintf(e->save, sizeof(e->save), "%s/save.img", e->dir);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	ut_rmdir(e->dir);
	free(e);
	return 0;
}

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), fmt, a, b, a, b);
	assert_int_equal(system(cmd), 0);
}

static void new_disc(struct env *e, const char *media, uint64_t cap)
{
	discfs_error err = { 0 };
	if (discfs_emu_create(e->img, media, cap, &err))
		fail_msg("emu create %s: %s", media, err.msg);
	assert_int_equal(discfs_emu_set_time_scale(e->img, 0, &err), 0);
}

static discfs_update *open_up(struct env *e, bool format)
{
	discfs_update *up = NULL;
	discfs_error err = { 0 };
	discfs_update_opts o = { .format_blank = format, .label = "EMU",
				 .fixed_time_set = true, .fixed_time = 1700000000 };
	if (discfs_update_open(e->dev, &o, &up, &err))
		fail_msg("update open %s: %s", e->dev, err.msg);
	return up;
}

static int model_read(void *user, uint64_t off, void *buf, size_t len,
		      discfs_error *err)
{
	return ut_read(user, off, buf, len, err);
}

static void put(discfs_update *up, struct ut_model *m, const char *path,
		uint64_t size, uint32_t seed)
{
	discfs_error err = { 0 };
	struct ut_ent *e = ut_slot(m, path);
	struct ut_src *s = &m->src[e - m->e];
	s->seed = seed;
	if (discfs_update_write(up, path, 0644, size, model_read, s, &err))
		fail_msg("write %s: %s", path, err.msg);
	e->type = 'f';
	e->size = size;
	e->seed = seed;
	e->mode = 0644;
}

static void mkd(discfs_update *up, struct ut_model *m, const char *path)
{
	discfs_error err = { 0 };
	if (discfs_update_mkdir(up, path, 0755, &err))
		fail_msg("mkdir %s: %s", path, err.msg);
	ut_slot(m, path)->type = 'd';
}

static void commit(discfs_update *up)
{
	discfs_error err = { 0 };
	if (discfs_update_commit(up, NULL, &err))
		fail_msg("commit: %s", err.msg);
}

static void media_round_trip(struct env *e, const char *media, uint64_t cap)
{
	struct ut_model *m = calloc(1, sizeof(*m));
	discfs_error err = { 0 };
	new_disc(e, media, cap);
	discfs_update *up = open_up(e, true);
	mkd(up, m, "/music");
	put(up, m, "/music/a.flac", 70000, 1);
	put(up, m, "/readme", 10, 2);
	assert_int_equal(discfs_update_symlink(up, "/r", "readme", &err), 0);
	ut_slot(m, "/r")->type = 'l';
	snprintf(ut_find(m, "/r")->target, 128, "readme");
	commit(up);
	discfs_update_close(up);
	ut_check_tree(e->img, m);
	ut_check_fsck_clean(e->img);

	up = open_up(e, false);
	put(up, m, "/readme", 3000, 3);
	assert_int_equal(discfs_update_rename(up, "/music/a.flac", "/a.flac", &err), 0);
	snprintf(ut_find(m, "/music/a.flac")->path, 256, "/a.flac");
	commit(up);
	assert_int_equal(discfs_update_remove(up, "/music", &err), 0);
	ut_find(m, "/music")->used = false;
	assert_int_equal(discfs_update_remove(up, "/r", &err), 0);
	ut_find(m, "/r")->used = false;
	assert_int_equal(discfs_update_chmod(up, "/readme", 0600, &err), 0);
	ut_find(m, "/readme")->mode = 0600;
	commit(up);
	discfs_update_close(up);
	ut_check_tree(e->img, m);
	ut_check_fsck_clean(e->img);

	const char *keep = getenv("DFS_UPDATE_KEEP");
	if (keep) {
		char to[512];
		snprintf(to, sizeof(to), "%s/%s.img", keep, media);
		sh("cp --sparse=always '%s' '%s'", e->img, to);
		/* where the VAT is: readers of image files need it given */
		discfs_volume *v;
		discfs_volume_info vi;
		assert_int_equal(discfs_volume_open(e->img, &v, &err), 0);
		discfs_volume_info_get(v, &vi);
		discfs_volume_close(v);
		snprintf(to, sizeof(to), "%s/%s.vat", keep, media);
		FILE *f = fopen(to, "w");
		assert_non_null(f);
		fprintf(f, "%llu\n", vi.layout == DISCFS_LAYOUT_VAT
				     ? (unsigned long long)vi.vat_block : 0ull);
		fclose(f);
		/* blocks a reader of the image file must see: up to the VAT, or
		 * the formatted capacity (the file also holds spare areas) */
		discfs_drive *d;
		discfs_media_info mi;
		assert_int_equal(discfs_open(e->dev, &d, &err), 0);
		assert_int_equal(discfs_media_info_get(d, &mi, &err), 0);
		snprintf(to, sizeof(to), "%s/%s.blocks", keep, media);
		f = fopen(to, "w");
		assert_non_null(f);
		fprintf(f, "%llu\n", vi.layout == DISCFS_LAYOUT_VAT
				     ? (unsigned long long)vi.vat_block + 1
				     : (unsigned long long)mi.capacity_blocks);
		fclose(f);
		discfs_media_info_free(&mi);
		discfs_close(d);
		snprintf(to, sizeof(to), "%s/%s.src", keep, media);
		ut_dump_model(m, to);
	}
	free(m);
}

static void test_cd_r_first_commit_and_increments(void **state)
{
	media_round_trip(*state, "cd-r", 20000);
}

static void test_dvd_plus_r_first_commit_and_increments(void **state)
{
	media_round_trip(*state, "dvd+r", 8192);
}

static void test_dvd_minus_r_first_commit_and_increments(void **state)
{
	media_round_trip(*state, "dvd-r", 8192);
}

static void test_bd_r_first_commit_and_increments(void **state)
{
	media_round_trip(*state, "bd-r", 8192);
}

static void test_dvd_plus_rw_first_commit_and_increments(void **state)
{
	media_round_trip(*state, "dvd+rw", 8192);
}

static void test_bd_re_first_commit_and_increments(void **state)
{
	media_round_trip(*state, "bd-re", 8192);
}

static void test_dvd_ram_first_commit_and_increments(void **state)
{
	media_round_trip(*state, "dvd-ram", 8192);
}

/* Blank CD-RW / DVD-RW are formatted for overwriting first (fixed
 * packets / restricted overwrite) and then written in place, with a
 * plain partition (the sparable layout is not made by this engine). */
static void test_cd_rw_is_formatted_and_written_in_place(void **state)
{
	struct env *e = *state;
	discfs_volume *v;
	discfs_volume_info vi;
	discfs_error err = { 0 };

	media_round_trip(e, "cd-rw", 20000);
	assert_int_equal(discfs_volume_open(e->img, &v, &err), 0);
	discfs_volume_info_get(v, &vi);
	assert_int_equal(vi.layout, DISCFS_LAYOUT_PLAIN);
	discfs_volume_close(v);
}

static void test_dvd_minus_rw_is_formatted_and_written_in_place(void **state)
{
	struct env *e = *state;
	discfs_volume *v;
	discfs_volume_info vi;
	discfs_error err = { 0 };

	media_round_trip(e, "dvd-rw", 8192);
	assert_int_equal(discfs_volume_open(e->img, &v, &err), 0);
	discfs_volume_info_get(v, &vi);
	assert_int_equal(vi.layout, DISCFS_LAYOUT_PLAIN);
	discfs_volume_close(v);
}

/* The changes of the interrupted commit. */
static void stage(discfs_update *up, struct ut_model *m)
{
	discfs_error err = { 0 };
	put(up, m, "/keep/one", 9000, 21);
	put(up, m, "/fresh", 5000, 22);
	assert_int_equal(discfs_update_remove(up, "/keep/two", &err), 0);
	ut_find(m, "/keep/two")->used = false;
}

static void save_disc(struct env *e, bool restore)
{
	if (restore)
		sh("cp --sparse=always '%s' '%s' && cp '%s.state' '%s.state'", e->save, e->img);
	else
		sh("cp --sparse=always '%s' '%s' && cp '%s.state' '%s.state'", e->img, e->save);
}

static void power_loss_everywhere(struct env *e, const char *media, bool vat)
{
	struct ut_model *old = calloc(1, sizeof(*old)), *new_ = calloc(1, sizeof(*new_));
	discfs_error err = { 0 };
	discfs_update_stats st;
	new_disc(e, media, 8192);
	discfs_update *up = open_up(e, true);
	mkd(up, old, "/keep");
	put(up, old, "/keep/one", 30000, 11);
	put(up, old, "/keep/two", 100, 12);
	commit(up);
	discfs_update_close(up);
	save_disc(e, false);

	*new_ = *old;
	up = open_up(e, false);
	stage(up, new_);
	assert_int_equal(discfs_update_commit(up, &st, &err), 0);
	discfs_update_close(up);
	ut_check_tree(e->img, new_);
	uint64_t total = st.blocks_written;

	for (uint64_t k = 0; k < total; k++) {
		struct ut_model *m = calloc(1, sizeof(*m));
		char spec[64];
		*m = *old;
		save_disc(e, true);
		snprintf(spec, sizeof(spec), "power-loss-after=%llu", (unsigned long long)k);
		assert_int_equal(discfs_emu_fault(e->img, spec, &err), 0);
		up = open_up(e, false);
		stage(up, m);
		if (discfs_update_commit(up, NULL, &err) == 0)
			fail_msg("commit survived power loss after %llu blocks",
				 (unsigned long long)k);
		discfs_update_close(up);
		assert_int_equal(discfs_emu_fault(e->img, "clear", &err), 0);
		if (vat)
			ut_check_tree(e->img, old);
		else
			ut_check_tree_either(e->img, old, new_);
		up = open_up(e, false); /* the next mount recovers */
		discfs_update_close(up);
		ut_check_fsck(e->img);
		if (vat)
			ut_check_tree(e->img, old);
		else
			ut_check_tree_either(e->img, old, new_);
		free(m);
	}
	print_message("%s: power lost at each of %llu block boundaries, previous "
		      "state kept\n", media, (unsigned long long)total);
	free(old);
	free(new_);
}

static void test_bd_r_power_loss_at_every_boundary(void **state)
{
	power_loss_everywhere(*state, "bd-r", true);
}

static void test_bd_re_power_loss_at_every_boundary(void **state)
{
	power_loss_everywhere(*state, "bd-re", false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cd_r_first_commit_and_increments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dvd_plus_r_first_commit_and_increments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dvd_minus_r_first_commit_and_increments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_r_first_commit_and_increments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dvd_plus_rw_first_commit_and_increments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_re_first_commit_and_increments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dvd_ram_first_commit_and_increments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cd_rw_is_formatted_and_written_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dvd_minus_rw_is_formatted_and_written_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_r_power_loss_at_every_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_re_power_loss_at_every_boundary, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
