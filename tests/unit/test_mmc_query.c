/* tests/unit/test_mmc_query.c - drive and medium queries survive a drive
 * that answers badly: a wrapper around the emulated drive corrupts one
 * kind of answer, and the query must fail with a clear EPROTO/ENODEV (or
 * carry on where the answer is optional), never crash, hang or leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmc/drive_query.h"
#include "mmc/emu/emu.h"
#include "mmc/exec.h"
#include "mmc/mmc_defs.h"

static char dir[64];

struct evil {
	struct mmc_transport *inner;
	uint8_t opcode;                      /* answers to corrupt */
	void (*spoil)(struct mmc_cmd *c);
	unsigned calls;
};

static int evil_exec(struct mmc_transport *t, struct mmc_cmd *c,
		     discfs_error *err)
{
	struct evil *e = t->ctx;
	int rc = mmc_transport_exec(e->inner, c, err);

	if (rc == 0 && c->cdb[0] == e->opcode && c->status == 0) {
		e->calls++;
		e->spoil(c);
	}
	return rc;
}

static const struct mmc_transport_ops evil_ops = { .name = "evil",
						   .exec = evil_exec };

static int setup(void **st)
{
	snprintf(dir, sizeof(dir), "/tmp/dfs-query-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct mmc_transport *open_emu(const char *medium)
{
	char path[128];
	struct emu_options o;
	struct mmc_transport *t;
	discfs_error err;

	snprintf(path, sizeof(path), "%s/%s.img", dir, medium);
	if (access(path, F_OK) != 0 && emu_disc_create(path, medium, 0, &err))
		fail_msg("create: %s", err.msg);
	emu_options_default(&o);
	o.time_scale = 0;
	if (emu_transport_open(path, &o, &t, &err))
		fail_msg("open: %s", err.msg);
	return t;
}

static struct mmc_transport evil_on(struct evil *e, const char *medium,
				    uint8_t opcode, void (*spoil)(struct mmc_cmd *))
{
	struct mmc_transport t = { .ops = &evil_ops, .ctx = e };

	memset(e, 0, sizeof(*e));
	e->inner = open_emu(medium);
	e->opcode = opcode;
	e->spoil = spoil;
	return t;
}

static uint8_t *data(struct mmc_cmd *c)
{
	return c->buf;
}

static void many_tracks(struct mmc_cmd *c)
{
	if (c->len >= 12) {
		data(c)[6] = 0xFF; /* last track in last session LSB */
		data(c)[11] = 0xFF;
	}
}

static void truncated_track(struct mmc_cmd *c)
{
	c->resid = c->len > 20 ? c->len - 20 : 0; /* only 20 bytes came */
}

static void huge_config(struct mmc_cmd *c)
{
	if (c->len >= 4)
		memset(c->buf, 0x7F, 4);
}

static void disk_not_cdrom(struct mmc_cmd *c)
{
	data(c)[0] = 0x00;
}

static void garbage_perf(struct mmc_cmd *c)
{
	memset(c->buf, 0xEE, c->len);
}

static void test_disc_claiming_65535_tracks_is_refused(void **st)
{
	struct evil e;
	struct mmc_transport t = evil_on(&e, "bd-r", MMC_READ_DISC_INFO,
					 many_tracks);
	discfs_media_info mi;
	discfs_error err;

	assert_int_equal(mmc_query_media(&t, &mi, &err), -DISCFS_EPROTO);
	assert_null(mi.tracks);
	assert_non_null(strstr(err.msg, "tracks"));
	mmc_transport_destroy(e.inner);
}

static void test_truncated_track_info_fails_cleanly(void **st)
{
	struct evil e;
	struct mmc_transport t = evil_on(&e, "dvd+r", MMC_READ_TRACK_INFO,
					 truncated_track);
	discfs_media_info mi;
	discfs_error err;

	assert_int_equal(mmc_query_media(&t, &mi, &err), -DISCFS_EPROTO);
	assert_null(mi.tracks);
	assert_int_equal(mi.n_tracks, 0);
	assert_non_null(strstr(err.msg, "track"));
	mmc_transport_destroy(e.inner);
}

static void test_configuration_of_2gb_is_refused(void **st)
{
	struct evil e;
	struct mmc_transport t = evil_on(&e, "cd-r", MMC_GET_CONFIGURATION,
					 huge_config);
	discfs_drive_info di;
	discfs_error err;

	assert_int_equal(mmc_query_drive(&t, &di, &err), -DISCFS_EPROTO);
	assert_non_null(strstr(err.msg, "GET CONFIGURATION"));
	mmc_transport_destroy(e.inner);
}

static void test_a_disk_is_not_an_optical_drive(void **st)
{
	struct evil e;
	struct mmc_transport t = evil_on(&e, "cd-r", MMC_INQUIRY, disk_not_cdrom);
	discfs_drive_info di;
	discfs_error err;

	assert_int_equal(mmc_query_drive(&t, &di, &err), -DISCFS_ENODEV);
	assert_non_null(strstr(err.msg, "not an optical drive"));
	mmc_transport_destroy(e.inner);
}

static void test_garbage_speeds_fall_back_to_page_2a(void **st)
{
	struct evil e;
	struct mmc_transport t = evil_on(&e, "dvd+r", MMC_GET_PERFORMANCE,
					 garbage_perf);
	discfs_drive_info di;

	assert_int_equal(mmc_query_drive(&t, &di, NULL), 0);
	assert_true(e.calls >= 1);
	/* speeds then come from the mode page's descriptors, if any */
	for (size_t i = 1; i < di.n_write_speeds; i++)
		assert_true(di.write_speeds[i - 1] > di.write_speeds[i]);
	mmc_transport_destroy(e.inner);
}

static void test_empty_drive_has_no_medium(void **st)
{
	struct emu_drive *d;
	struct mmc_transport *t;
	discfs_media_info mi;
	discfs_error err;

	assert_int_equal(emu_open(NULL, NULL, &d, &err), 0);
	assert_int_equal(emu_transport_new(d, true, &t, &err), 0);
	assert_int_equal(mmc_query_media(t, &mi, &err), 0);
	assert_false(mi.present);
	assert_int_equal(mi.profile, 0);
	assert_null(mi.tracks);
	mmc_transport_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disc_claiming_65535_tracks_is_refused),
		cmocka_unit_test(test_truncated_track_info_fails_cleanly),
		cmocka_unit_test(test_configuration_of_2gb_is_refused),
		cmocka_unit_test(test_a_disk_is_not_an_optical_drive),
		cmocka_unit_test(test_garbage_speeds_fall_back_to_page_2a),
		cmocka_unit_test(test_empty_drive_has_no_medium),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
