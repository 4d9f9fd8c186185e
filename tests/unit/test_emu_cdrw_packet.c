/*
 * test_emu_cdrw_packet.c - CD-RW fixed-packet formatting in the emulated
 * drive (mmc-notes 1.6 type 10h, 2.3): READ FORMAT CAPACITIES offers 10h
 * with packet size 32; FORMAT UNIT 10h makes the disc random-writable in
 * whole 32-block packets (profile stays 000Ah, features 0020h and 0026h
 * current, one fixed-packet track); Immed reports progress; BLANK returns
 * it to a blank sequential CD-RW; the state survives reopening and a
 * hostile formatted size in the state file is refused.
 */
#include "test_emu_helpers.h"

static char path[512];

#define CAP 4096u
/* (4096 - 150 pregap) / (32 + 7 overhead) packets of 32 user blocks */
#define PACKETS_CAP (((CAP - 150) / 39) * 32)

static struct emu_res format_packets(struct emu_drive *d, uint32_t blocks,
				     uint8_t type, uint32_t tdp, bool immed)
{
	uint8_t p[12] = { 0, immed ? 0x02 : 0, 0, 8 };
	put_be32(p + 4, blocks);
	p[8] = (uint8_t)(type << 2);
	put_be24(p + 9, tdp);
	return emu_cmd(d, CDB(0x04, 0x11, 0, 0, 0, 0), MMC_DIR_OUT, p, 12);
}

/* READ FORMAT CAPACITIES into b (returns the list length). */
static uint8_t format_caps(struct emu_drive *d, uint8_t *b)
{
	memset(b, 0, 44);
	assert_good(emu_cmd(d, CDB(0x23, 0, 0, 0, 0, 0, 0, 0, 44, 0), MMC_DIR_IN,
			    b, 44));
	return b[3];
}

/* Is feature code current (GET CONFIGURATION RT=2)? */
static bool current(struct emu_drive *d, uint16_t code)
{
	uint8_t b[64] = { 0 };
	assert_good(emu_cmd(d, CDB(0x46, 2, (uint8_t)(code >> 8), (uint8_t)code,
				   0, 0, 0, 0, 64, 0), MMC_DIR_IN, b, 64));
	if (get_be32(b) < 4 + 4)
		return false;
	assert_int_equal(get_be16(b + 8), code);
	return b[10] & 1;
}

static uint32_t read_capacity(struct emu_drive *d)
{
	uint8_t b[8];
	assert_good(emu_cmd(d, CDB(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), MMC_DIR_IN,
			    b, 8));
	return get_be32(b);
}

static struct emu_drive *formatted_cd_rw(void)
{
	struct emu_drive *d = emu_ready("cd-rw", CAP, 0, path, sizeof(path));
	assert_good(format_packets(d, PACKETS_CAP, 0x10, 32, false));
	return d;
}

static void blank_cd_rw_offers_fixed_packet_format_10h(void **s)
{
	struct emu_drive *d = emu_ready("cd-rw", CAP, 0, path, sizeof(path));
	uint8_t b[44];
	assert_int_equal(format_caps(d, b), 16);
	/* current descriptor: unformatted, the whole capacity (as before) */
	assert_int_equal(get_be32(b + 4), CAP);
	assert_int_equal(b[8] & 3, 1);
	assert_int_equal(get_be24(b + 9), 2048);
	/* one formattable descriptor: 10h, packet size 32 */
	assert_int_equal(get_be32(b + 12), PACKETS_CAP);
	assert_int_equal(b[16] >> 2, 0x10);
	assert_int_equal(get_be24(b + 17), 32);
	assert_true(current(d, MMC_FEAT_FORMATTABLE));
	assert_true(current(d, 0x0021));
	assert_false(current(d, 0x0020));
	assert_false(current(d, 0x0026));
	emu_close(d);
}

static void format_10h_makes_one_fixed_packet_track(void **s)
{
	struct emu_drive *d = emu_ready("cd-rw", CAP, 0, path, sizeof(path));
	uint8_t b[48];
	emu_drain_events(d);
	assert_good(format_packets(d, PACKETS_CAP, 0x10, 32, false));
	assert_int_equal(emu_gesn(d, NULL), 2); /* new media */
	assert_int_equal(emu_profile_of(d), MMC_PROF_CD_RW);
	assert_true(current(d, 0x0020));
	assert_true(current(d, 0x0026));
	assert_false(current(d, 0x0021));
	/* Random Writable's blocking is the packet */
	uint8_t f[32];
	assert_good(emu_cmd(d, CDB(0x46, 2, 0x00, 0x20, 0, 0, 0, 0, 32, 0),
			    MMC_DIR_IN, f, 32));
	assert_int_equal(get_be32(f + 12), PACKETS_CAP - 1); /* last LBA */
	assert_int_equal(get_be16(f + 20), 32);
	/* one track, FP=1, packet 32, spanning the formatted area */
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[2], 1);
	assert_int_equal(b[3], 1);
	assert_int_equal(b[6] & 0x30, 0x30); /* Packet/Inc and FP */
	assert_int_equal(b[6] & 0x40, 0);    /* not blank */
	assert_int_equal(get_be32(b + 8), 0);
	assert_int_equal(get_be32(b + 20), 32);
	assert_int_equal(get_be32(b + 24), PACKETS_CAP);
	assert_sense(emu_track(d, 2, b), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_FIELD_CDB);
	/* READ FORMAT CAPACITIES: formatted, at the formatted size */
	uint8_t c[44];
	format_caps(d, c);
	assert_int_equal(get_be32(c + 4), PACKETS_CAP);
	assert_int_equal(c[8] & 3, 2);
	assert_int_equal(read_capacity(d), PACKETS_CAP - 1);
	uint8_t di[34];
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 0x10, 0x10); /* still erasable */
	assert_int_equal(di[2] & 3, 2);
	emu_close(d);
}

static void writes_go_anywhere_in_whole_aligned_packets(void **s)
{
	struct emu_drive *d = formatted_cd_rw();
	assert_good(emu_write(d, 64, 32));
	assert_good(emu_write(d, 0, 64));
	assert_good(emu_write(d, 0, 32)); /* overwrite in place */
	assert_good(emu_read(d, 0, 96));
	assert_good(emu_write(d, PACKETS_CAP - 32, 32));
	/* misaligned start: invalid address; partial packet: packet size */
	assert_sense(emu_write(d, 16, 32), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_sense(emu_write(d, 1, 1), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_sense(emu_write(d, 32, 16), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_PACKET_SIZE);
	assert_sense(emu_write(d, 32, 33), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_PACKET_SIZE);
	/* past the formatted area */
	assert_sense(emu_write(d, PACKETS_CAP, 32), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	assert_sense(emu_write(d, PACKETS_CAP - 32, 64), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	/* the refused writes changed nothing */
	assert_good(emu_read(d, 0, 96));
	emu_close(d);
}

static void page05_takes_packet_writing_only_when_formatted(void **s)
{
	uint8_t p[8 + 52] = { 0 };
	p[8] = 0x05;
	p[9] = 0x32;
	p[10] = 0x40 | MMC_WT_PACKET;
	p[11] = 0x20 | 5; /* FP, data track incremental */
	p[12] = 8;
	put_be32(p + 18, 32);
	struct emu_drive *d = emu_ready("cd-rw", CAP, 0, path, sizeof(path));
	assert_sense(emu_cmd(d, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, sizeof(p), 0),
			     MMC_DIR_OUT, p, sizeof(p)),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	assert_good(format_packets(d, PACKETS_CAP, 0x10, 32, false));
	assert_good(emu_cmd(d, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, sizeof(p), 0),
			    MMC_DIR_OUT, p, sizeof(p)));
	put_be32(p + 18, 16); /* another packet size */
	assert_sense(emu_cmd(d, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, sizeof(p), 0),
			     MMC_DIR_OUT, p, sizeof(p)),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	put_be32(p + 18, 32);
	p[11] = 5; /* variable packets */
	assert_sense(emu_cmd(d, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, sizeof(p), 0),
			     MMC_DIR_OUT, p, sizeof(p)),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	emu_close(d);
}

static void bad_format_descriptors_are_refused_and_change_nothing(void **s)
{
	struct emu_drive *d = emu_ready("cd-rw", CAP, 0, path, sizeof(path));
	/* a packet size or format type this drive cannot do */
	assert_sense(format_packets(d, PACKETS_CAP, 0x10, 16, false),
		     SK_ILLEGAL_REQUEST, ASC_CANNOT_FORMAT);
	assert_sense(format_packets(d, PACKETS_CAP, 0x10, 0, false),
		     SK_ILLEGAL_REQUEST, ASC_CANNOT_FORMAT);
	assert_sense(format_packets(d, PACKETS_CAP, 0x00, 32, false),
		     SK_ILLEGAL_REQUEST, ASC_CANNOT_FORMAT);
	assert_sense(format_packets(d, PACKETS_CAP, 0x26, 32, false),
		     SK_ILLEGAL_REQUEST, ASC_CANNOT_FORMAT);
	/* sizes: whole packets, 1..the offered maximum */
	const uint32_t bad[] = { 0, 31, 33, PACKETS_CAP + 32, CAP, 0xFFFFFFE0u };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_sense(format_packets(d, bad[i], 0x10, 32, false),
			     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	assert_int_equal(emu_status_of(d), 0);
	assert_int_equal(emu_nwa(d, 1), 0);
	assert_false(current(d, 0x0020));
	/* a smaller format than offered is taken */
	assert_good(format_packets(d, 64, 0x10, 32, false));
	assert_good(emu_write(d, 32, 32));
	assert_sense(emu_write(d, 64, 32), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	/* and CD-R still cannot be formatted at all */
	emu_close(d);
	d = emu_ready("cd-r", CAP, 0, path, sizeof(path));
	assert_sense(format_packets(d, PACKETS_CAP, 0x10, 32, false),
		     SK_ILLEGAL_REQUEST, ASC_CANNOT_FORMAT);
	emu_close(d);
}

static void immed_format_reports_progress_until_done(void **s)
{
	struct emu_drive *d = emu_ready("cd-rw", CAP, 1.0, path, sizeof(path));
	emu_drain_events(d);
	assert_good(format_packets(d, PACKETS_CAP, 0x10, 32, true));
	struct emu_res r = emu_tur(d);
	assert_sense(r, SK_NOT_READY, ASC_FORMAT_IN_PROGRESS);
	assert_true(r.sksv);
	uint16_t first = r.progress;
	emu_clock_advance(d, 1000);
	r = emu_tur(d);
	assert_sense(r, SK_NOT_READY, ASC_FORMAT_IN_PROGRESS);
	assert_true(r.progress > first);
	assert_sense(emu_write(d, 0, 32), SK_NOT_READY, ASC_FORMAT_IN_PROGRESS);
	assert_int_equal(emu_gesn(d, NULL), 0);
	emu_clock_advance(d, 600000);
	assert_good(emu_tur(d));
	assert_int_equal(emu_gesn(d, NULL), 2);
	assert_good(emu_write(d, 0, 32));
	emu_close(d);
}

static void blank_returns_a_formatted_cd_rw_to_blank(void **s)
{
	struct emu_drive *d = formatted_cd_rw();
	uint8_t b[48];
	assert_good(emu_write(d, 0, 32));
	assert_good(emu_blank(d, MMC_BLANK_MINIMAL, false));
	assert_int_equal(emu_profile_of(d), MMC_PROF_CD_RW);
	assert_int_equal(emu_status_of(d), 0);
	assert_false(current(d, 0x0020));
	assert_false(current(d, 0x0026));
	assert_true(current(d, 0x0021));
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[6] & 0x10, 0); /* no fixed packets */
	assert_int_equal(b[6] & 0x40, 0x40);
	assert_int_equal(get_be32(b + 20), 0);
	assert_sense(emu_read(d, 0, 1), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	/* sequential again: TAO from 0, any length */
	assert_good(emu_page05(d, MMC_WT_TAO, 3, true, false));
	assert_good(emu_write(d, 0, 5));
	assert_int_equal(emu_status_of(d), 1);
	/* and a written CD-RW can be formatted again (erasing it) */
	assert_good(emu_sync(d, false));
	assert_good(format_packets(d, PACKETS_CAP, 0x10, 32, false));
	assert_int_equal(emu_status_of(d), 2);
	assert_good(emu_track(d, 1, b));
	assert_int_equal(get_be32(b + 20), 32);
	emu_close(d);
}

static void fixed_packets_survive_close_and_reopen(void **s)
{
	discfs_error err = { 0 };
	struct emu_drive *d = formatted_cd_rw();
	assert_good(emu_write(d, 96, 32));
	emu_close(d);
	struct emu_disc_summary sum;
	assert_int_equal(emu_disc_summary(path, &sum, &err), 0);
	assert_int_equal(sum.profile, MMC_PROF_CD_RW);
	assert_int_equal(sum.formatted_blocks, PACKETS_CAP);
	assert_int_equal(sum.tracks, 0);
	assert_int_equal(emu_open(path, NULL, &d, &err), 0);
	emu_clear_ua(d);
	assert_good(emu_read(d, 96, 32));
	assert_sense(emu_write(d, 97, 32), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	uint8_t b[48];
	assert_good(emu_track(d, 1, b));
	assert_int_equal(get_be32(b + 20), 32);
	emu_close(d);
}

/* Rewrites the state file's "formatted" line. */
static void set_formatted_line(const char *value)
{
	discfs_error err = { 0 };
	char st[600], buf[8192] = "", l[512];
	assert_int_equal(emu_state_path(path, st, sizeof(st), &err), 0);
	FILE *f = fopen(st, "r");
	assert_non_null(f);
	while (fgets(l, sizeof(l), f)) {
		if (!strncmp(l, "formatted ", 10))
			snprintf(l, sizeof(l), "formatted %s\n", value);
		strncat(buf, l, sizeof(buf) - strlen(buf) - 1);
	}
	fclose(f);
	f = fopen(st, "w");
	assert_non_null(f);
	fputs(buf, f);
	fclose(f);
}

static void hostile_fixed_packet_sizes_in_the_state_are_refused(void **s)
{
	const char *bad[] = { "100", "3233", "3264" /* > PACKETS_CAP */ };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		discfs_error err = { 0 };
		struct emu_drive *d = NULL;
		emu_path(path, sizeof(path));
		assert_int_equal(emu_disc_create(path, "cd-rw", CAP, &err), 0);
		set_formatted_line(bad[i]);
		assert_int_equal(emu_open(path, NULL, &d, &err), -DISCFS_EFORMAT);
		assert_null(d);
		assert_non_null(strstr(err.msg, "fixed-packet"));
	}
	/* a formatted CD-RW holding tracks too */
	discfs_error err = { 0 };
	struct emu_drive *d = emu_ready("cd-rw", CAP, 0, path, sizeof(path));
	assert_good(emu_page05(d, MMC_WT_TAO, 3, true, false));
	assert_good(emu_write(d, 0, 5));
	assert_good(emu_sync(d, false));
	emu_close(d);
	set_formatted_line("64");
	d = NULL;
	assert_int_equal(emu_open(path, NULL, &d, &err), -DISCFS_EFORMAT);
	assert_null(d);
}

static int teardown_all(void **s)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	_Static_assert(PACKETS_CAP == 3232, "4096-block CD-RW: 101 packets");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blank_cd_rw_offers_fixed_packet_format_10h),
		cmocka_unit_test(format_10h_makes_one_fixed_packet_track),
		cmocka_unit_test(writes_go_anywhere_in_whole_aligned_packets),
		cmocka_unit_test(page05_takes_packet_writing_only_when_formatted),
		cmocka_unit_test(bad_format_descriptors_are_refused_and_change_nothing),
		cmocka_unit_test(immed_format_reports_progress_until_done),
		cmocka_unit_test(blank_returns_a_formatted_cd_rw_to_blank),
		cmocka_unit_test(fixed_packets_survive_close_and_reopen),
		cmocka_unit_test(hostile_fixed_packet_sizes_in_the_state_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
