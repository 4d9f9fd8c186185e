/*
 * test_emu_seq.c - state machines of the sequential (write-once) profiles:
 * CD-R/RW TAO and SAO, DVD-R/-RW incremental and DAO, DVD+R (DL), DVD-R
 * DL, BD-R SRM with reserved tracks and POW; NWA enforcement, the close
 * functions each profile allows, reads of unwritten blocks, test writes.
 */
#include "test_emu_helpers.h"

static char path[512];

static void cd_r_tao_tracks_sessions_and_finalize(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 50000, 0, path, sizeof(path));
	uint8_t b[48];
	assert_int_equal(emu_status_of(d), 0);
	assert_int_equal(emu_nwa(d, 0xFF), 0);
	assert_good(emu_page05(d, MMC_WT_TAO, 3, true, false));
	assert_sense(emu_write(d, 5, 1), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_good(emu_write(d, 0, 10));
	assert_good(emu_write(d, 10, 10));
	assert_sense(emu_write(d, 30, 1), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_int_equal(emu_status_of(d), 1);
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[6] & 0x40, 0); /* not blank */
	assert_int_equal(get_be32(b + 12), 20);
	/* SYNC CACHE ends a TAO track: 2 run-out blocks, 150 pregap */
	assert_good(emu_sync(d, false));
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[7] & 1, 0);
	assert_int_equal(get_be32(b + 24), 22);
	assert_int_equal(emu_nwa(d, 0xFF), 172);
	assert_good(emu_read(d, 0, 20));
	assert_sense(emu_read(d, 20, 1), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	assert_good(emu_write(d, 172, 5));
	assert_good(emu_sync(d, false));
	/* close session, MS=11: appendable, next session after 11400 */
	assert_good(emu_close_fn(d, 2, 0, false));
	uint8_t di[34];
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 3, 1);
	assert_int_equal((di[2] >> 2) & 3, 0); /* new empty session */
	assert_int_equal(di[4], 2);
	assert_int_equal(di[5], 3);
	assert_int_equal(emu_nwa(d, 0xFF), 179 + 11400);
	uint8_t toc[12];
	assert_good(emu_cmd(d, CDB(0x43, 0, 1, 0, 0, 0, 0, 0, 12, 0), MMC_DIR_IN,
			    toc, 12));
	assert_int_equal(toc[3], 1);
	assert_int_equal(toc[6], 1);
	assert_int_equal(get_be32(toc + 8), 0);
	/* second session, MS=00: finalized */
	assert_good(emu_page05(d, MMC_WT_TAO, 0, true, false));
	assert_good(emu_write(d, 11579, 4));
	assert_good(emu_sync(d, false));
	assert_good(emu_close_fn(d, 2, 0, false));
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 3, 2);
	assert_int_equal((di[2] >> 2) & 3, 3);
	assert_int_equal(di[4], 2);
	assert_good(emu_cmd(d, CDB(0x43, 0, 1, 0, 0, 0, 0, 0, 12, 0), MMC_DIR_IN,
			    toc, 12));
	assert_int_equal(toc[3], 2);
	assert_int_equal(get_be32(toc + 8), 11579);
	assert_sense(emu_write(d, 11585, 1), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_sense(emu_close_fn(d, 2, 0, false), SK_ILLEGAL_REQUEST,
		     ASC_COMMAND_SEQUENCE);
	/* raw TOC has A0/A1/A2 per session */
	uint8_t raw[512];
	assert_good(emu_cmd(d, CDB(0x43, 0, 2, 0, 0, 0, 0, 2, 0, 0), MMC_DIR_IN,
			    raw, sizeof(raw)));
	assert_int_equal((get_be16(raw) - 2) % 11, 0);
	assert_int_equal(raw[3], 2);
	/* a recordable CD: one point C0 (ADR 5), in session 1, giving the
	 * ATIP's start of the lead-in, 97:15:35, as READ TOC format 4 does */
	unsigned c0 = 0;
	for (unsigned o = 4; o + 11 <= 2u + get_be16(raw); o += 11) {
		const uint8_t *e = raw + o;
		if (e[3] != 0xC0)
			continue;
		c0++;
		assert_int_equal(e[0], 1);
		assert_int_equal(e[1], 0x54);
		assert_int_equal(e[8], 97);
		assert_int_equal(e[9], 15);
		assert_int_equal(e[10], 35);
	}
	assert_int_equal(c0, 1);
	uint8_t atip[28];
	assert_good(emu_cmd(d, CDB(0x43, 0, 4, 0, 0, 0, 0, 0, 28, 0), MMC_DIR_IN,
			    atip, sizeof(atip)));
	assert_int_equal(atip[8], 97);
	assert_int_equal(atip[9], 15);
	assert_int_equal(atip[10], 35);
	emu_close(d);
}

static void dvd_plus_r_sessions_and_finalize(void **s)
{
	struct emu_drive *d = emu_ready("dvd+r", 8192, 0, path, sizeof(path));
	assert_good(emu_write(d, 0, 30));
	assert_good(emu_close_fn(d, 1, 1, false));
	assert_int_equal(emu_nwa(d, 2), 32); /* ECC-aligned */
	assert_good(emu_close_fn(d, 2, 0, false));
	assert_int_equal(emu_status_of(d), 1);
	assert_int_equal(emu_nwa(d, 2), 48);
	assert_good(emu_read(d, 0, 30));
	assert_sense(emu_read(d, 30, 1), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	assert_good(emu_write(d, 48, 16));
	assert_good(emu_close_fn(d, 1, 2, false));
	assert_good(emu_close_fn(d, 6, 0, false));
	uint8_t di[34];
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 3, 2);
	assert_int_equal(di[4], 2);
	assert_int_equal(di[5], 2);
	assert_int_equal(di[6], 2);
	assert_int_equal(get_be32(di + 16), 0xFFFFFFFF);
	uint8_t b[48];
	assert_sense(emu_track(d, 3, b), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	assert_sense(emu_write(d, 64, 16), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	emu_close(d);
}

static void dvd_plus_r_dl_finalizes_with_minimal_radius(void **s)
{
	struct emu_drive *d = emu_ready("dvd+r-dl", 8192, 0, path, sizeof(path));
	uint8_t b[4 + 2048];
	uint8_t lb[12] = { 0, 10 };
	put_be32(lb + 8, 4001); /* not a multiple of 16 */
	assert_sense(emu_cmd(d, CDB(0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0),
			     MMC_DIR_OUT, lb, 12),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	put_be32(lb + 8, 4000);
	assert_good(emu_cmd(d, CDB(0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0),
			    MMC_DIR_OUT, lb, 12));
	assert_good(emu_cmd(d, CDB(0xAD, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0),
			    MMC_DIR_IN, b, 12));
	assert_int_equal(b[4] & 0x80, 0x80);
	assert_int_equal(get_be32(b + 8), 4000);
	assert_good(emu_write(d, 0, 16));
	assert_good(emu_close_fn(d, 5, 0, false));
	assert_int_equal(emu_status_of(d), 2);
	assert_good(emu_cmd(d, CDB(0xAD, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0),
			    MMC_DIR_IN, b, 12));
	assert_sense(emu_cmd(d, CDB(0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0),
			     MMC_DIR_OUT, b, 12), /* not blank any more */
		     SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
	emu_close(d);
}

static void dvd_minus_r_dl_is_single_session(void **s)
{
	struct emu_drive *d = emu_ready("dvd-r-dl", 8192, 0, path, sizeof(path));
	assert_good(emu_page05(d, MMC_WT_PACKET, 3, true, false));
	assert_good(emu_write(d, 0, 16));
	assert_good(emu_close_fn(d, 2, 0, false));
	assert_int_equal(emu_status_of(d), 2);
	emu_close(d);
}

static void dvd_minus_r_dao_needs_reservation_and_completes_on_sync(void **s)
{
	struct emu_drive *d = emu_ready("dvd-r", 8192, 0, path, sizeof(path));
	uint8_t b[48];
	assert_good(emu_page05(d, MMC_WT_SAO, 0, false, false));
	assert_sense(emu_write(d, 0, 16), SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
	assert_good(emu_reserve(d, 100));
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[6] & 0x80, 0x80); /* reserved */
	assert_int_equal(get_be32(b + 24), 112);
	assert_int_equal(get_be32(b + 16), 112);
	assert_good(emu_write(d, 0, 100));
	assert_sense(emu_write(d, 100, 13), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	assert_good(emu_write(d, 100, 12));
	assert_good(emu_sync(d, false));
	assert_int_equal(emu_status_of(d), 2);
	emu_close(d);
}

static void dvd_minus_rw_minimal_blank_allows_dao_only(void **s)
{
	struct emu_drive *d = emu_ready("dvd-rw", 8192, 0, path, sizeof(path));
	assert_good(emu_page05(d, MMC_WT_PACKET, 3, true, false));
	assert_good(emu_write(d, 0, 16));
	assert_good(emu_blank(d, MMC_BLANK_MINIMAL, false));
	assert_int_equal(emu_status_of(d), 0);
	assert_sense(emu_write(d, 0, 16), SK_ILLEGAL_REQUEST,
		     ASC_ILLEGAL_MODE_FOR_TRACK);
	uint8_t c[16];
	assert_good(emu_cmd(d, CDB(0x46, 2, 0, 0x21, 0, 0, 0, 0, 16, 0),
			    MMC_DIR_IN, c, 16));
	assert_int_equal(c[10] & 1, 0); /* feature 21h not current */
	assert_good(emu_page05(d, MMC_WT_SAO, 0, false, false));
	assert_good(emu_reserve(d, 32));
	assert_good(emu_write(d, 0, 32));
	assert_good(emu_sync(d, false));
	assert_int_equal(emu_status_of(d), 2);
	/* a full blank makes incremental possible again */
	assert_good(emu_blank(d, MMC_BLANK_FULL, false));
	assert_good(emu_page05(d, MMC_WT_PACKET, 3, true, false));
	assert_good(emu_write(d, 0, 16));
	emu_close(d);
}

static void bd_r_reserved_tracks_each_have_an_nwa(void **s)
{
	struct emu_drive *d = emu_ready("bd-r", 8192, 0, path, sizeof(path));
	uint8_t b[48];
	assert_good(emu_reserve(d, 64));
	assert_good(emu_reserve(d, 64));
	assert_int_equal(emu_nwa(d, 3), 128);
	assert_good(emu_write(d, 64, 32)); /* track 2 first */
	assert_good(emu_write(d, 0, 16));  /* then track 1 */
	assert_int_equal(emu_nwa(d, 1), 16);
	assert_int_equal(emu_nwa(d, 2), 96);
	assert_sense(emu_write(d, 20, 1), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_good(emu_write(d, 128, 8)); /* opens track 3 */
	assert_int_equal(emu_nwa(d, 3), 136);
	assert_good(emu_close_fn(d, 1, 1, false));
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[7] & 1, 0);
	assert_sense(emu_close_fn(d, 1, 1, false), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_FIELD_CDB);
	assert_good(emu_close_fn(d, 2, 0, false));
	assert_int_equal(emu_status_of(d), 1);
	for (uint32_t t = 1; t <= 3; t++) {
		assert_good(emu_track(d, t, b));
		assert_int_equal(b[7] & 1, 0);
	}
	assert_int_equal(emu_nwa(d, 4), 160 + 32);
	emu_close(d);
}

static void bd_r_pow_overwrites_and_refuses_session_close(void **s)
{
	struct emu_drive *d = emu_ready("bd-r", 8192, 0, path, sizeof(path));
	uint8_t c[16];
	assert_good(emu_format(d, 7936, 0, 0, false));
	assert_good(emu_cmd(d, CDB(0x46, 2, 0, 0x38, 0, 0, 0, 0, 16, 0),
			    MMC_DIR_IN, c, 16));
	assert_int_equal(c[10] & 1, 1);
	assert_good(emu_write(d, 0, 64));
	assert_good(emu_write(d, 16, 16)); /* pseudo-overwrite */
	assert_good(emu_read(d, 0, 64));
	assert_sense(emu_write(d, 100, 1), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_sense(emu_close_fn(d, 2, 0, false), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_FIELD_CDB);
	assert_good(emu_close_fn(d, 1, 1, false));
	assert_good(emu_close_fn(d, 6, 0, false));
	assert_int_equal(emu_status_of(d), 2);
	emu_close(d);
}

struct close_row {
	const char *media;
	unsigned allowed; /* bit per close function */
};

static void close_functions_follow_each_profile(void **s)
{
	static const struct close_row rows[] = {
		{ "cd-r", 0x06 }, { "cd-rw", 0x06 }, { "dvd-r", 0x06 },
		{ "dvd-rw", 0x06 }, { "dvd-r-dl", 0x06 }, { "dvd+r", 0x66 },
		{ "dvd+r-dl", 0x66 }, { "dvd+rw", 0x05 }, { "dvd-ram", 0 },
		{ "bd-r", 0x46 }, { "bd-re", 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (uint8_t cf = 0; cf < 8; cf++) {
			struct emu_drive *d = emu_ready(rows[i].media, 4096, 0,
							path, sizeof(path));
			struct emu_res r = emu_close_fn(d, cf, 1, false);
			if (rows[i].allowed & (1u << cf))
				assert_good(r);
			else
				assert_sense(r, SK_ILLEGAL_REQUEST,
					     ASC_INVALID_FIELD_CDB);
			emu_close(d);
		}
}

static void cd_sao_follows_the_cue_sheet(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 50000, 0, path, sizeof(path));
	uint8_t cue[32] = {
		0x41, 0x00, 0x00, 0x14, 0, 0, 0, 0,   /* lead-in */
		0x41, 0x01, 0x00, 0x10, 0, 0, 0, 0,   /* track 1 pregap */
		0x41, 0x01, 0x01, 0x10, 0, 0, 2, 0,   /* track 1 at LBA 0 */
		0x41, 0xAA, 0x01, 0x14, 0, 0, 6, 0,   /* lead-out at 300 */
	};
	assert_sense(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 32, 0),
			     MMC_DIR_OUT, cue, 32),
		     SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
	assert_good(emu_page05(d, MMC_WT_SAO, 0, true, false));
	assert_sense(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 30, 0),
			     MMC_DIR_OUT, cue, 32),
		     SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
	assert_good(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 32, 0),
			    MMC_DIR_OUT, cue, 32));
	assert_sense(emu_write(d, 0, 1), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_good(emu_write(d, (uint32_t)-150, 150));
	assert_good(emu_write(d, 0, 300));
	assert_sense(emu_write(d, 300, 1), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	assert_good(emu_sync(d, false));
	assert_int_equal(emu_status_of(d), 2);
	assert_good(emu_read(d, 0, 300));
	uint8_t toc[20];
	assert_good(emu_cmd(d, CDB(0x43, 0, 0, 0, 0, 0, 0, 0, 20, 0), MMC_DIR_IN,
			    toc, 20));
	assert_int_equal(toc[3], 1);
	assert_int_equal(toc[14], 0xAA);
	assert_int_equal(get_be32(toc + 16), 300); /* lead-out */
	emu_close(d);
}

static void hostile_cue_sheets_are_refused(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 50000, 0, path, sizeof(path));
	uint8_t cue[16] = {
		0x41, 0x01, 0x01, 0x10, 0, 0, 2, 0,
		0x41, 0xAA, 0x01, 0x14, 0, 0, 1, 0, /* lead-out before track */
	};
	assert_good(emu_page05(d, MMC_WT_SAO, 0, true, false));
	assert_sense(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 16, 0),
			     MMC_DIR_OUT, cue, 16),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	cue[14] = 80; /* 80 seconds field: invalid MSF */
	assert_sense(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 16, 0),
			     MMC_DIR_OUT, cue, 16),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	cue[13] = 99; cue[14] = 0; /* lead-out beyond the disc */
	assert_sense(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 16, 0),
			     MMC_DIR_OUT, cue, 16),
		     SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_PARAM);
	assert_int_equal(emu_status_of(d), 0);
	emu_close(d);
}

static void test_write_leaves_the_medium_blank(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 4096, 0, path, sizeof(path));
	assert_good(emu_page05(d, MMC_WT_TAO, 0, true, true));
	assert_good(emu_write(d, 0, 10));
	assert_sense(emu_write(d, 5, 1), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	assert_good(emu_write(d, 10, 10));
	assert_good(emu_sync(d, false));
	assert_int_equal(emu_status_of(d), 0);
	assert_sense(emu_read(d, 0, 1), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	emu_close(d);
}

static void writes_beyond_the_capacity_fail(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 1024, 0, path, sizeof(path));
	assert_good(emu_page05(d, MMC_WT_TAO, 0, true, false));
	assert_good(emu_write(d, 0, 1000));
	assert_sense(emu_write(d, 1000, 25), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	assert_good(emu_write(d, 1000, 24));
	uint8_t b[48];
	assert_good(emu_track(d, 1, b));
	assert_int_equal(get_be32(b + 16), 0); /* no free blocks */
	emu_close(d);
}

static void reserve_track_errors(void **s)
{
	struct emu_drive *d = emu_ready("dvd+rw", 4096, 0, path, sizeof(path));
	assert_sense(emu_reserve(d, 16), SK_ILLEGAL_REQUEST,
		     ASC_CANNOT_WRITE_INCOMPATIBLE);
	emu_close(d);
	d = emu_ready("dvd+r", 4096, 0, path, sizeof(path));
	assert_sense(emu_reserve(d, 0), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	assert_sense(emu_reserve(d, 5000), SK_ILLEGAL_REQUEST,
		     ASC_LBA_OUT_OF_RANGE);
	assert_good(emu_write(d, 0, 16));
	assert_sense(emu_reserve(d, 16), SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
	emu_close(d);
}

struct life_row {
	const char *media;
	uint8_t finalize_cf;  /* close function that finalizes */
	bool ms_bits;         /* finalization follows page 05h MS bits */
	bool blankable;
};

/* Every sequential profile walks blank -> appendable -> complete, and
 * refuses what each state forbids. */
static void sequential_lifecycle_of_every_profile(void **s)
{
	static const struct life_row rows[] = {
		{ "cd-r", 2, true, false }, { "cd-rw", 2, true, true },
		{ "dvd-r", 2, true, false }, { "dvd-rw", 2, true, true },
		{ "dvd-r-dl", 2, false, false }, { "dvd+r", 6, false, false },
		{ "dvd+r-dl", 5, false, false }, { "bd-r", 6, false, false },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct life_row *r = &rows[i];
		struct emu_drive *d = emu_ready(r->media, 16384, 0, path,
						sizeof(path));
		uint8_t di[34];
		emu_disc_info(d, di);
		assert_int_equal(di[2] & 0x0F, 0x00); /* blank, empty session */
		assert_int_equal(!!(di[2] & 0x10), r->blankable);
		assert_sense(emu_read(d, 0, 1), SK_ILLEGAL_REQUEST,
			     ASC_LBA_OUT_OF_RANGE);
		assert_sense(emu_write(d, 32, 16), SK_ILLEGAL_REQUEST,
			     ASC_INVALID_WRITE_ADDRESS);
		if (r->ms_bits)
			assert_good(emu_page05(d, strncmp(r->media, "cd", 2)
						       ? MMC_WT_PACKET : MMC_WT_TAO,
					       0, true, false));
		assert_good(emu_write(d, 0, 32));
		emu_disc_info(d, di);
		assert_int_equal(di[2] & 0x0F, 0x05); /* appendable, incomplete */
		assert_good(emu_read(d, 0, 32));
		assert_sense(emu_read(d, 32, 1), SK_ILLEGAL_REQUEST,
			     ASC_LBA_OUT_OF_RANGE);
		assert_good(emu_sync(d, false));
		assert_good(emu_close_fn(d, 1, strncmp(r->media, "cd", 2) ? 1
									  : 0xFF,
					 false));
		emu_drain_events(d);
		assert_good(emu_close_fn(d, r->finalize_cf, 0, false));
		assert_int_equal(emu_gesn(d, NULL), 2); /* new media */
		emu_disc_info(d, di);
		assert_int_equal(di[2] & 0x0F, 0x0E); /* complete, complete */
		assert_good(emu_read(d, 0, 32));
		assert_sense(emu_write(d, 32, 16), SK_ILLEGAL_REQUEST,
			     ASC_INVALID_WRITE_ADDRESS);
		assert_sense(emu_reserve(d, 16), SK_ILLEGAL_REQUEST,
			     ASC_COMMAND_SEQUENCE);
		assert_sense(emu_close_fn(d, 2, 0, false), SK_ILLEGAL_REQUEST,
			     ASC_COMMAND_SEQUENCE);
		if (r->blankable) {
			assert_good(emu_blank(d, MMC_BLANK_FULL, false));
			emu_disc_info(d, di);
			assert_int_equal(di[2] & 0x0F, 0x00);
		} else {
			assert_sense(emu_blank(d, MMC_BLANK_FULL, false),
				     SK_ILLEGAL_REQUEST, ASC_INCOMPATIBLE_MEDIUM);
		}
		emu_close(d);
	}
}

static int teardown(void **s)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cd_r_tao_tracks_sessions_and_finalize),
		cmocka_unit_test(dvd_plus_r_sessions_and_finalize),
		cmocka_unit_test(dvd_plus_r_dl_finalizes_with_minimal_radius),
		cmocka_unit_test(dvd_minus_r_dl_is_single_session),
		cmocka_unit_test(dvd_minus_r_dao_needs_reservation_and_completes_on_sync),
		cmocka_unit_test(dvd_minus_rw_minimal_blank_allows_dao_only),
		cmocka_unit_test(bd_r_reserved_tracks_each_have_an_nwa),
		cmocka_unit_test(bd_r_pow_overwrites_and_refuses_session_close),
		cmocka_unit_test(close_functions_follow_each_profile),
		cmocka_unit_test(cd_sao_follows_the_cue_sheet),
		cmocka_unit_test(hostile_cue_sheets_are_refused),
		cmocka_unit_test(test_write_leaves_the_medium_blank),
		cmocka_unit_test(writes_beyond_the_capacity_fail),
		cmocka_unit_test(reserve_track_errors),
		cmocka_unit_test(sequential_lifecycle_of_every_profile),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
