/*
 * test_burn_flow.c - the public burn/verify/read/erase/format API against
 * the emulated drive (small discs, time scale 0 unless a test needs time):
 * every profile burns, verifies and reads back; refusals happen before
 * anything is written; faults (write error at an LBA, vanishing drive,
 * power loss, unreadable ranges) and cancellation leave a described,
 * readable disc.
 */
#include <fcntl.h>
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
#include "support/scratch.h"
#include "lib/drive_internal.h"
#include "mmc/emu/emu.h"

static char dir[64];
static unsigned seq;

static const char *new_disc(const char *media, uint64_t cap, double scale,
			    char *path, size_t n)
{
	discfs_error e;
	snprintf(path, n, "%s/d%u.img", dir, ++seq);
	if (discfs_emu_create(path, media, cap, &e))
		fail_msg("create %s: %s", media, e.msg);
	if (emu_disc_set(path, NULL, NULL, scale, &e))
		fail_msg("time scale: %s", e.msg);
	return path;
}

static void set_faults(const char *path, const struct emu_faults *f)
{
	discfs_error e;
	if (emu_disc_set(path, NULL, f, -1, &e))
		fail_msg("faults: %s", e.msg);
}

/* An image file of blocks * 2048 + extra bytes with a seeded pattern. */
static const char *new_image(size_t blocks, size_t extra, unsigned seed,
			     char *path, size_t n)
{
	size_t len = blocks * 2048 + extra;
	uint8_t *b = malloc(len ? len : 1);
	int fd;
	assert_non_null(b);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 31 + (i >> 11) * 7 + seed);
	snprintf(path, n, "%s/i%u.bin", dir, ++seq);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	free(b);
	return path;
}

static bool same_prefix(const char *a, const char *b, size_t n)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	bool same = fa && fb;
	for (size_t i = 0; same && i < n; i++)
		same = fgetc(fa) == fgetc(fb);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* The emulated drive behind an open discfs drive (for live faults). */
static struct emu_drive *emu_of(discfs_drive *d)
{
	return emu_transport_drive(discfs_drive_transport(d));
}

static discfs_drive *open_drive(const char *disc)
{
	discfs_drive *d;
	discfs_error e;
	if (discfs_open(disc, &d, &e))
		fail_msg("open: %s", e.msg);
	return d;
}

static int disc_status(discfs_drive *d)
{
	discfs_media_info mi;
	discfs_error e;
	int s;
	if (discfs_media_info_get(d, &mi, &e))
		fail_msg("media info: %s", e.msg);
	s = mi.disc_status;
	discfs_media_info_free(&mi);
	return s;
}

/* ------------------------------------------------------------ tests */

static void every_profile_burns_verifies_and_reads_back(void **st)
{
	static const char *const media[] = {
		"cd-r", "cd-rw", "dvd-r", "dvd-r-dl", "dvd-rw", "dvd+r",
		"dvd+r-dl", "dvd+rw", "dvd-ram", "bd-r", "bd-re", NULL };
	char disc[128], img[128], back[128];
	(void)st;
	new_image(700, 123, 1, img, sizeof(img));
	for (int i = 0; media[i]; i++) {
		discfs_burn_opts o = { 0 };
		discfs_burn_result r;
		discfs_read_report rr;
		discfs_error e;
		discfs_drive *d;

		new_disc(media[i], 4096, 0, disc, sizeof(disc));
		d = open_drive(disc);
		o.verify = DISCFS_VERIFY_FULL;
		if (discfs_burn_image(d, img, &o, &r, &e))
			fail_msg("%s: burn: %s", media[i], e.msg);
		assert_int_equal(r.start_lba, 0);
		assert_true(r.written_blocks >= 701);
		assert_true(r.flushed);
		snprintf(back, sizeof(back), "%s/back.bin", dir);
		if (discfs_read_image(d, back, DISCFS_READ_SESSION, NULL, &rr, &e))
			fail_msg("%s: read: %s", media[i], e.msg);
		assert_int_equal(rr.unreadable_blocks, 0);
		if (!same_prefix(img, back, 700 * 2048 + 123))
			fail_msg("%s: read back differs", media[i]);
		discfs_close(d);
	}
}

static void cd_session_at_once_writes_pregap_and_track_by_cue_sheet(void **st)
{
	char disc[128], img[128], back[128];
	discfs_burn_opts o = { 0 };
	discfs_read_report rr;
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("cd-r", 20000, 0, disc, sizeof(disc));
	new_image(500, 1000, 18, img, sizeof(img));
	d = open_drive(disc);
	o.dao = true;
	o.verify = DISCFS_VERIFY_FULL;
	if (discfs_burn_image(d, img, &o, &r, &e))
		fail_msg("SAO burn: %s", e.msg);
	assert_int_equal(r.start_lba, 0);
	assert_int_equal(r.written_blocks, 501); /* pregap not counted */
	snprintf(back, sizeof(back), "%s/sao.bin", dir);
	assert_int_equal(discfs_read_image(d, back, DISCFS_READ_SESSION, NULL,
					   &rr, &e), 0);
	assert_int_equal(rr.blocks, 501);
	assert_true(same_prefix(img, back, 500 * 2048 + 1000));
	/* a second SAO session needs a blank disc */
	assert_int_equal(discfs_burn_image(d, img, &o, &r, &e),
			 -DISCFS_EWRONGMEDIA);
	discfs_close(d);
}

static void a_second_session_is_appended_after_the_first(void **st)
{
	char disc[128], a[128], b[128], back[128];
	discfs_burn_result r1, r2;
	discfs_read_report rr;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("bd-r", 8192, 0, disc, sizeof(disc));
	new_image(1000, 0, 2, a, sizeof(a));
	new_image(500, 0, 3, b, sizeof(b));
	d = open_drive(disc);
	assert_int_equal(discfs_burn_image(d, a, NULL, &r1, &e), 0);
	assert_int_equal(disc_status(d), DISCFS_DISC_APPENDABLE);
	assert_int_equal(discfs_burn_image(d, b, NULL, &r2, &e), 0);
	assert_true(r2.start_lba >= r1.start_lba + 1000);
	snprintf(back, sizeof(back), "%s/back2.bin", dir);
	assert_int_equal(discfs_read_image(d, back, DISCFS_READ_SESSION, NULL,
					   &rr, &e), 0);
	assert_int_equal(rr.first_lba, r2.start_lba);
	assert_true(same_prefix(b, back, 500 * 2048));
	assert_int_equal(discfs_verify(d, a, r1.start_lba, DISCFS_VERIFY_FULL,
				       NULL, NULL, &e), 0);
	discfs_close(d);
}

static void a_finalized_disc_is_refused_before_writing(void **st)
{
	char disc[128], img[128];
	discfs_burn_opts o = { 0 };
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("dvd+r", 4096, 0, disc, sizeof(disc));
	new_image(100, 0, 4, img, sizeof(img));
	d = open_drive(disc);
	o.close = DISCFS_CLOSE_DISC;
	assert_int_equal(discfs_burn_image(d, img, &o, &r, &e), 0);
	assert_int_equal(disc_status(d), DISCFS_DISC_COMPLETE);
	assert_int_equal(discfs_burn_image(d, img, NULL, &r, &e),
			 -DISCFS_EWRONGMEDIA);
	assert_non_null(strstr(e.msg, "finalized"));
	assert_int_equal(r.written_blocks, 0);
	discfs_close(d);
}

static void an_image_larger_than_the_disc_is_refused_before_writing(void **st)
{
	char disc[128], img[128];
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("bd-r", 1024, 0, disc, sizeof(disc));
	new_image(2000, 0, 5, img, sizeof(img));
	d = open_drive(disc);
	assert_int_equal(discfs_burn_image(d, img, NULL, &r, &e),
			 -DISCFS_ENOSPC);
	assert_non_null(strstr(e.msg, "needs 2016 blocks"));
	assert_int_equal(r.written_blocks, 0);
	assert_int_equal(disc_status(d), DISCFS_DISC_BLANK);
	discfs_close(d);
}

static void disc_at_once_needs_a_blank_disc(void **st)
{
	char disc[128], img[128];
	discfs_burn_opts o = { 0 };
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("dvd-r", 4096, 0, disc, sizeof(disc));
	new_image(100, 0, 6, img, sizeof(img));
	d = open_drive(disc);
	assert_int_equal(discfs_burn_image(d, img, NULL, &r, &e), 0);
	o.dao = true;
	assert_int_equal(discfs_burn_image(d, img, &o, &r, &e),
			 -DISCFS_EWRONGMEDIA);
	assert_non_null(strstr(e.msg, "needs a blank disc"));
	discfs_close(d);
}

static void write_error_at_an_lba_reports_exactly_what_was_written(void **st)
{
	char disc[128], img[128];
	struct emu_faults f;
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("dvd+r", 4096, 0, disc, sizeof(disc));
	new_image(1000, 0, 7, img, sizeof(img));
	emu_faults_clear(&f);
	f.write_error = true;
	f.write_error_lba = 500;
	set_faults(disc, &f);
	d = open_drive(disc);
	assert_int_equal(discfs_burn_image(d, img, NULL, &r, &e),
			 -DISCFS_EMEDIUM);
	assert_int_equal(e.sense_key, 3);
	/* 32-block WRITEs: the one covering LBA 500 starts at 480 */
	assert_int_equal(r.written_blocks, 480);
	assert_non_null(strstr(e.msg, "WRITE at LBA 480"));
	assert_true(r.flushed);
	assert_non_null(strstr(r.state, "480 blocks written"));
	/* what was acknowledged is on the disc and readable */
	assert_int_equal(disc_status(d), DISCFS_DISC_APPENDABLE);
	discfs_close(d);
}

static void a_vanishing_drive_ends_the_burn_with_no_such_drive(void **st)
{
	char disc[128], img[128];
	struct emu_faults f;
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("bd-r", 8192, 0, disc, sizeof(disc));
	new_image(3000, 0, 8, img, sizeof(img));
	d = open_drive(disc);
	emu_faults_clear(&f);
	f.vanish_after = 40; /* a few setup commands, then some WRITEs */
	emu_set_faults(emu_of(d), &f);
	assert_int_equal(discfs_burn_image(d, img, NULL, &r, &e),
			 -DISCFS_ENODEV);
	assert_true(r.written_blocks < 3008);
	assert_false(r.flushed);
	assert_non_null(strstr(r.state, "NOT flushed"));
	discfs_close(d);
}

static void power_loss_keeps_exactly_the_written_sectors(void **st)
{
	char disc[128], img[128], back[128];
	struct emu_faults f;
	discfs_burn_result r;
	discfs_read_report rr;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("bd-r", 8192, 0, disc, sizeof(disc));
	new_image(2000, 0, 9, img, sizeof(img));
	emu_faults_clear(&f);
	f.power_loss_after = 1000;
	set_faults(disc, &f);
	d = open_drive(disc);
	assert_true(discfs_burn_image(d, img, NULL, &r, &e) < 0);
	discfs_close(d);
	/* power back: the disc keeps what reached it, readable */
	emu_faults_clear(&f);
	set_faults(disc, &f);
	d = open_drive(disc);
	snprintf(back, sizeof(back), "%s/pl.bin", dir);
	if (discfs_read_image(d, back, DISCFS_READ_DISC, NULL, &rr, &e) == 0) {
		assert_true(rr.blocks <= 1000);
		assert_true(same_prefix(img, back, rr.blocks * 2048));
	} else {
		/* nothing recorded is a valid outcome of an early loss */
		assert_int_equal(e.code, DISCFS_EMEDIUM);
	}
	discfs_close(d);
}

static void test_write_leaves_the_disc_blank(void **st)
{
	char disc[128], img[128];
	discfs_burn_opts o = { 0 };
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("cd-r", 20000, 0, disc, sizeof(disc));
	new_image(400, 0, 10, img, sizeof(img));
	d = open_drive(disc);
	o.dummy = true;
	assert_int_equal(discfs_burn_image(d, img, &o, &r, &e), 0);
	assert_int_equal(r.written_blocks, 400);
	assert_int_equal(disc_status(d), DISCFS_DISC_BLANK);
	discfs_close(d);
}

static void test_write_is_refused_where_media_cannot(void **st)
{
	char disc[128], img[128];
	discfs_burn_opts o = { 0 };
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("bd-r", 4096, 0, disc, sizeof(disc));
	new_image(10, 0, 11, img, sizeof(img));
	d = open_drive(disc);
	o.dummy = true;
	assert_int_equal(discfs_burn_image(d, img, &o, &r, &e), -DISCFS_ENOTSUP);
	assert_int_equal(disc_status(d), DISCFS_DISC_BLANK);
	discfs_close(d);
}

static void erase_makes_a_rewritable_blank_again(void **st)
{
	char disc[128], img[128];
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("cd-rw", 20000, 0, disc, sizeof(disc));
	new_image(400, 0, 12, img, sizeof(img));
	d = open_drive(disc);
	assert_int_equal(discfs_burn_image(d, img, NULL, &r, &e), 0);
	assert_int_equal(disc_status(d), DISCFS_DISC_APPENDABLE);
	assert_int_equal(discfs_erase(d, false, NULL, &e), 0);
	assert_int_equal(disc_status(d), DISCFS_DISC_BLANK);
	discfs_close(d);
	new_disc("bd-r", 4096, 0, disc, sizeof(disc));
	d = open_drive(disc);
	assert_int_equal(discfs_erase(d, true, NULL, &e), -DISCFS_EWRONGMEDIA);
	discfs_close(d);
}

static void format_offers_spare_choices_per_medium(void **st)
{
	static const struct { const char *media; int spare; int rc; } cases[] = {
		{ "bd-re", DISCFS_SPARE_DEFAULT, 0 },
		{ "bd-re", DISCFS_SPARE_NONE, 0 },
		{ "bd-re", DISCFS_SPARE_MAX, 0 },
		{ "bd-r", DISCFS_SPARE_DEFAULT, 0 },
		{ "bd-r", DISCFS_SPARE_NONE, -DISCFS_EINVAL },
		{ "dvd+rw", DISCFS_SPARE_DEFAULT, 0 },
		{ "dvd-rw", DISCFS_SPARE_DEFAULT, 0 },
		{ "dvd-ram", DISCFS_SPARE_DEFAULT, 0 },
		{ "dvd+r", DISCFS_SPARE_DEFAULT, -DISCFS_EWRONGMEDIA },
	};
	char disc[128];
	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		discfs_format_opts o = { 0 };
		discfs_error e;
		discfs_drive *d;
		int rc;
		new_disc(cases[i].media, 8192, 0, disc, sizeof(disc));
		d = open_drive(disc);
		o.spare = cases[i].spare;
		rc = discfs_format(d, &o, &e);
		if (rc != cases[i].rc)
			fail_msg("%s spare %d: rc %d (%s)", cases[i].media,
				 cases[i].spare, rc, rc ? e.msg : "");
		discfs_close(d);
	}
}

struct cancel_at {
	volatile int flag;
	uint64_t blocks;
	struct emu_drive *emu;
};

static void cancel_cb(const discfs_progress *p, void *user)
{
	struct cancel_at *c = user;
	discfs_error e;
	if (p->action == DISCFS_ACTION_WRITING && p->done_blocks >= c->blocks &&
	    !c->flag) {
		c->flag = 1;
		/* the closing that follows need not take real time */
		emu_set_time_scale(c->emu, 0, &e);
	}
}

static void cancel_mid_burn_leaves_a_closed_readable_disc(void **st)
{
	char disc[128], img[128], back[128];
	struct cancel_at c = { 0, 64, NULL };
	discfs_burn_opts o = { 0 };
	discfs_burn_result r;
	discfs_read_report rr;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	/* real time at DVD 2x: the 8 MB would take ~3 s; we stop early */
	new_disc("dvd+r", 8192, 1.0, disc, sizeof(disc));
	new_image(4000, 0, 13, img, sizeof(img));
	d = open_drive(disc);
	c.emu = emu_of(d);
	o.speed_kbps = 2770;
	o.progress = cancel_cb;
	o.user = &c;
	o.cancel = &c.flag;
	assert_int_equal(discfs_burn_image(d, img, &o, &r, &e),
			 -DISCFS_ECANCELED);
	assert_true(r.written_blocks >= 64);
	assert_true(r.written_blocks < 4000);
	assert_true(r.flushed);
	assert_true(r.closed);
	assert_int_equal(r.disc_status, DISCFS_DISC_APPENDABLE);
	snprintf(back, sizeof(back), "%s/cancel.bin", dir);
	assert_int_equal(discfs_read_image(d, back, DISCFS_READ_SESSION, NULL,
					   &rr, &e), 0);
	assert_int_equal(rr.blocks, r.written_blocks);
	assert_true(same_prefix(img, back, rr.blocks * 2048));
	discfs_close(d);
}

static void verify_reports_the_ranges_that_differ(void **st)
{
	char disc[128], a[128], b[128];
	discfs_verify_report rep;
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	FILE *f;
	(void)st;
	new_disc("bd-re", 4096, 0, disc, sizeof(disc));
	new_image(300, 0, 14, a, sizeof(a));
	d = open_drive(disc);
	assert_int_equal(discfs_burn_image(d, a, NULL, &r, &e), 0);
	/* b = a with blocks 100..102 changed */
	new_image(300, 0, 14, b, sizeof(b));
	f = fopen(b, "r+b");
	assert_non_null(f);
	fseek(f, 100 * 2048 + 5, SEEK_SET);
	for (int i = 0; i < 3; i++) {
		fputc(0xAB, f);
		fseek(f, 2047, SEEK_CUR);
	}
	fclose(f);
	assert_int_equal(discfs_verify(d, b, 0, DISCFS_VERIFY_FULL, NULL, &rep,
				       &e), -DISCFS_EMEDIUM);
	assert_int_equal(rep.mismatched_blocks, 3);
	assert_int_equal(rep.n_bad, 1);
	assert_int_equal(rep.bad[0].first, 100);
	assert_int_equal(rep.bad[0].last, 102);
	assert_false(rep.bad[0].unreadable);
	assert_int_equal(discfs_verify(d, a, 0, DISCFS_VERIFY_QUICK, NULL, &rep,
				       &e), 0);
	assert_true(rep.checked_blocks > 0);
	discfs_close(d);
}

static void read_maps_unreadable_ranges_instead_of_giving_up(void **st)
{
	char disc[128], img[128], back[128];
	struct emu_faults f;
	discfs_read_report rr;
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("dvd+r", 4096, 0, disc, sizeof(disc));
	new_image(320, 0, 15, img, sizeof(img));
	d = open_drive(disc);
	assert_int_equal(discfs_burn_image(d, img, NULL, &r, &e), 0);
	emu_faults_clear(&f);
	f.n_unreadable = 1;
	f.unreadable_first[0] = 40;
	f.unreadable_last[0] = 43;
	emu_set_faults(emu_of(d), &f);
	snprintf(back, sizeof(back), "%s/bad.bin", dir);
	assert_int_equal(discfs_read_image(d, back, DISCFS_READ_SESSION, NULL,
					   &rr, &e), 0);
	assert_int_equal(rr.blocks, 320);
	assert_int_equal(rr.unreadable_blocks, 4);
	assert_int_equal(rr.n_bad, 1);
	assert_int_equal(rr.bad[0].first, 40);
	assert_int_equal(rr.bad[0].last, 43);
	assert_true(same_prefix(img, back, 40 * 2048));
	discfs_close(d);
}

struct gen {
	uint64_t left;
};

static int gen_fn(void *user, void *buf, size_t len, size_t *got,
		  discfs_error *err)
{
	struct gen *g = user;
	size_t k = len < g->left ? len : (size_t)g->left;
	(void)err;
	memset(buf, 0x5A, k);
	g->left -= k;
	*got = k;
	return 0;
}

static void a_producer_streams_to_the_disc_without_an_image(void **st)
{
	char disc[128];
	struct gen g = { 123 * 2048 };
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("bd-r", 4096, 0, disc, sizeof(disc));
	d = open_drive(disc);
	assert_int_equal(discfs_burn_producer(d, gen_fn, &g, 0, NULL, &r, &e), 0);
	assert_int_equal(r.image_bytes, 123 * 2048);
	assert_int_equal(r.written_blocks, 128); /* BD cluster padding */
	discfs_close(d);
}

static void one_call_burns_the_same_image_to_three_drives(void **st)
{
	char disc[3][128], img[128];
	discfs_drive *d[3];
	discfs_burn_result r[3];
	const char *imgs[3];
	discfs_burn_opts o = { 0 };
	discfs_error e;
	(void)st;
	new_image(600, 0, 16, img, sizeof(img));
	new_disc("bd-r", 4096, 0, disc[0], sizeof(disc[0]));
	new_disc("dvd+r", 4096, 0, disc[1], sizeof(disc[1]));
	new_disc("cd-r", 20000, 0, disc[2], sizeof(disc[2]));
	for (int i = 0; i < 3; i++) {
		d[i] = open_drive(disc[i]);
		imgs[i] = img;
	}
	o.verify = DISCFS_VERIFY_FULL;
	assert_int_equal(discfs_burn_multi(d, 3, imgs, &o, r, &e), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(r[i].written_blocks >= 600);
		assert_true(r[i].closed);
		discfs_close(d[i]);
	}
}

static void no_disc_and_bad_arguments_fail_cleanly(void **st)
{
	char disc[128], img[128];
	discfs_burn_result r;
	discfs_error e;
	discfs_drive *d;
	(void)st;
	new_disc("bd-r", 4096, 0, disc, sizeof(disc));
	new_image(10, 0, 17, img, sizeof(img));
	d = open_drive(disc);
	assert_int_equal(discfs_burn_image(d, "/nonexistent/x.iso", NULL, &r,
					   &e), -DISCFS_ENOENT);
	assert_int_equal(discfs_burn_image(NULL, img, NULL, &r, &e),
			 -DISCFS_EINVAL);
	assert_int_equal(discfs_verify(d, img, 0, 7, NULL, NULL, &e),
			 -DISCFS_EINVAL);
	assert_int_equal(discfs_read_image(d, "/tmp/x", 9, NULL, NULL, &e),
			 -DISCFS_EINVAL);
	/* a blank disc has nothing to verify or read */
	assert_int_equal(discfs_verify(d, img, UINT32_MAX, DISCFS_VERIFY_QUICK,
				       NULL, NULL, &e), -DISCFS_EMEDIUM);
	assert_int_equal(emu_eject(emu_of(d), &e), 0);
	assert_int_equal(discfs_burn_image(d, img, NULL, &r, &e),
			 -DISCFS_ENOMEDIUM);
	discfs_close(d);
	assert_string_equal(discfs_action_name(DISCFS_ACTION_WRITING), "writing");
	assert_string_equal(discfs_action_name(99), "unknown");
}

static int setup(void **st)
{
	(void)st;
	return scratch_make(dir, sizeof(dir), "test_burn_flow");
}

static int teardown(void **st)
{
	(void)st;
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_profile_burns_verifies_and_reads_back),
		cmocka_unit_test(cd_session_at_once_writes_pregap_and_track_by_cue_sheet),
		cmocka_unit_test(a_second_session_is_appended_after_the_first),
		cmocka_unit_test(a_finalized_disc_is_refused_before_writing),
		cmocka_unit_test(an_image_larger_than_the_disc_is_refused_before_writing),
		cmocka_unit_test(disc_at_once_needs_a_blank_disc),
		cmocka_unit_test(write_error_at_an_lba_reports_exactly_what_was_written),
		cmocka_unit_test(a_vanishing_drive_ends_the_burn_with_no_such_drive),
		cmocka_unit_test(power_loss_keeps_exactly_the_written_sectors),
		cmocka_unit_test(test_write_leaves_the_disc_blank),
		cmocka_unit_test(test_write_is_refused_where_media_cannot),
		cmocka_unit_test(erase_makes_a_rewritable_blank_again),
		cmocka_unit_test(format_offers_spare_choices_per_medium),
		cmocka_unit_test(cancel_mid_burn_leaves_a_closed_readable_disc),
		cmocka_unit_test(verify_reports_the_ranges_that_differ),
		cmocka_unit_test(read_maps_unreadable_ranges_instead_of_giving_up),
		cmocka_unit_test(a_producer_streams_to_the_disc_without_an_image),
		cmocka_unit_test(one_call_burns_the_same_image_to_three_drives),
		cmocka_unit_test(no_disc_and_bad_arguments_fail_cleanly),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
