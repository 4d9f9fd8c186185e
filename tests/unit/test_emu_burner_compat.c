/*
 * test_emu_burner_compat.c - behaviour real burning programs rely on and
 * that the vm lane found wrong in the emulator (tests/vm/FINDINGS.md):
 * F1, DVD-R DAO completes when the host writes exactly the size it
 * reserved (the drive pads the last ECC block) and raises NewMedia;
 * F2, after SEND CUE SHEET on a blank CD the drive still reports the blank
 * disc and its invisible track 1 until the SAO recording ends;
 * F3, the BD-R Pseudo-Overwrite feature (0038h) carries its 4 reserved
 * bytes, without which growisofs does not see POW and -M picks track 1.
 */
#include "test_emu_helpers.h"

static char path[512];

/* READ CAPACITY: last recorded LBA. */
static uint32_t emu_capacity_last(struct emu_drive *d)
{
	uint8_t b[8];
	assert_good(emu_cmd(d, CDB(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), MMC_DIR_IN,
			    b, 8));
	return get_be32(b);
}

/* Writes n blocks from lba in WRITE(10)s of at most 512 blocks. */
static void write_run(struct emu_drive *d, uint32_t lba, uint32_t n)
{
	while (n) {
		uint16_t k = (uint16_t)(n > 512 ? 512 : n);
		assert_good(emu_write(d, lba, k));
		lba += k;
		n -= k;
	}
}

static void dvd_r_dao_of_exactly_the_reserved_size_completes_the_disc(void **s)
{
	struct emu_drive *d = emu_ready("dvd-r", 8192, 0, path, sizeof(path));
	uint8_t b[48];
	assert_good(emu_page05(d, MMC_WT_SAO, 0, false, false));
	/* xorriso -as cdrecord -sao: RESERVE TRACK 1870, WRITE 1870, SYNC */
	assert_good(emu_reserve(d, 1870));
	assert_good(emu_track(d, 1, b));
	assert_int_equal(get_be32(b + 24), 1872); /* rounded to the ECC block */
	write_run(d, 0, 1870);
	emu_drain_events(d);
	assert_good(emu_sync(d, true));
	uint8_t di[34];
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 0x03, 2);        /* complete */
	assert_int_equal((di[2] >> 2) & 0x03, 3); /* last session complete */
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[6] & 0x80, 0);         /* no longer reserved */
	assert_int_equal(b[7] & 0x01, 0);         /* no NWA */
	assert_int_equal(get_be32(b + 24), 1872); /* padded by the drive */
	assert_int_equal(emu_gesn(d, NULL), 2);   /* NewMedia: sr re-reads */
	assert_int_equal(emu_capacity_last(d), 1871);
	uint8_t toc[20];
	assert_good(emu_cmd(d, CDB(0x43, 0, 0, 0, 0, 0, 0, 0, 20, 0), MMC_DIR_IN,
			    toc, 20));
	assert_int_equal(get_be32(toc + 16), 1872); /* lead-out */
	assert_good(emu_read(d, 1800, 70));
	assert_sense(emu_write(d, 1872, 16), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_WRITE_ADDRESS);
	emu_close(d);
}

static void dvd_r_dao_short_of_the_last_ecc_block_stays_open(void **s)
{
	struct emu_drive *d = emu_ready("dvd-r", 8192, 0, path, sizeof(path));
	uint8_t b[48];
	assert_good(emu_page05(d, MMC_WT_SAO, 0, false, false));
	assert_good(emu_reserve(d, 100)); /* 112 reserved */
	assert_good(emu_write(d, 0, 96)); /* ends before the last ECC block */
	emu_drain_events(d);
	assert_good(emu_sync(d, false));
	assert_int_equal(emu_status_of(d), 1);
	assert_int_equal(emu_gesn(d, NULL), 0);
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[6] & 0x80, 0x80);
	assert_int_equal(emu_nwa(d, 1), 96);
	/* one block into the last ECC block is enough: the drive pads */
	assert_good(emu_write(d, 96, 1));
	assert_good(emu_sync(d, false));
	assert_int_equal(emu_status_of(d), 2);
	assert_int_equal(emu_gesn(d, NULL), 2);
	emu_close(d);
}

static const uint8_t cue_696[32] = {
	0x41, 0x00, 0x00, 0x14, 0, 0, 0, 0,    /* lead-in */
	0x41, 0x01, 0x00, 0x10, 0, 0, 0, 0,    /* track 1 pregap at -150 */
	0x41, 0x01, 0x01, 0x10, 0, 0, 2, 0,    /* track 1 at LBA 0 */
	0x41, 0xAA, 0x01, 0x14, 0, 0, 11, 21,  /* lead-out at LBA 696 */
};

/* READ TRACK INFORMATION answers the blank disc's invisible track 1. */
static void assert_blank_track_1(struct emu_drive *d, uint32_t number)
{
	uint8_t b[48];
	assert_good(emu_track(d, number, b));
	assert_int_equal(b[2], 1);               /* track 1 */
	assert_int_equal(b[3], 1);               /* session 1 */
	assert_int_equal(b[6] & 0xC0, 0x40);     /* blank, not reserved */
	assert_int_equal(b[7] & 0x01, 1);        /* NWA valid */
	assert_int_equal(get_be32(b + 8), 0);    /* start */
	assert_int_equal(get_be32(b + 12), 0);   /* NWA */
	assert_int_equal(get_be32(b + 16), get_be32(b + 24));
	assert_true(get_be32(b + 16) > 696);     /* the whole disc is free */
}

static void cd_sao_cue_sheet_keeps_the_blank_invisible_track_1(void **s)
{
	struct emu_drive *d = emu_ready("cd-r", 20000, 0, path, sizeof(path));
	uint8_t cue[32], b[48];
	memcpy(cue, cue_696, sizeof(cue));
	assert_good(emu_page05(d, MMC_WT_SAO, 0, true, false));
	assert_good(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 32, 0),
			    MMC_DIR_OUT, cue, 32));
	/* wodim -dao asks for the NWA here and starts its pregap from it */
	assert_blank_track_1(d, 0xFF);
	assert_blank_track_1(d, 1);
	assert_sense(emu_track(d, 2, b), SK_ILLEGAL_REQUEST,
		     ASC_INVALID_FIELD_CDB);
	uint8_t di[34];
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 0x03, 0); /* still blank */
	assert_int_equal(di[6], 1);        /* last track: 1 */
	/* the same during the recording, until the lead-out is written */
	assert_good(emu_write(d, (uint32_t)-150, 150));
	assert_good(emu_write(d, 0, 300));
	assert_blank_track_1(d, 0xFF);
	assert_good(emu_write(d, 300, 396));
	assert_good(emu_sync(d, false));
	assert_int_equal(emu_status_of(d), 2);
	assert_good(emu_track(d, 1, b));
	assert_int_equal(b[7] & 0x01, 0);
	assert_int_equal(get_be32(b + 24), 696);
	assert_good(emu_read(d, 0, 696));
	emu_close(d);
}

static void cd_sao_view_reaches_only_track_information(void **s)
{
	/* BLANK during an armed SAO drops the cue: the disc stays blank */
	struct emu_drive *d = emu_ready("cd-rw", 20000, 0, path, sizeof(path));
	uint8_t cue[32];
	memcpy(cue, cue_696, sizeof(cue));
	assert_good(emu_page05(d, MMC_WT_SAO, 0, true, false));
	assert_good(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 32, 0),
			    MMC_DIR_OUT, cue, 32));
	assert_sense(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 32, 0),
			     MMC_DIR_OUT, cue, 32),
		     SK_ILLEGAL_REQUEST, ASC_COMMAND_SEQUENCE);
	assert_good(emu_blank(d, MMC_BLANK_MINIMAL, false));
	assert_int_equal(emu_status_of(d), 0);
	assert_blank_track_1(d, 0xFF);
	assert_good(emu_cmd(d, CDB(0x5D, 0, 0, 0, 0, 0, 0, 0, 32, 0),
			    MMC_DIR_OUT, cue, 32));
	emu_close(d);
}

static void bd_r_pow_feature_is_the_full_mmc_descriptor(void **s)
{
	struct emu_drive *d = emu_ready("bd-r", 8192, 0, path, sizeof(path));
	uint8_t c[16];
	assert_good(emu_format(d, 7936, 0, 0, false));
	/* growisofs: GET CONFIGURATION RT=2 0038h, 16 bytes, length >= 12 */
	memset(c, 0xEE, sizeof(c));
	assert_good(emu_cmd(d, CDB(0x46, 2, 0, 0x38, 0, 0, 0, 0, 16, 0),
			    MMC_DIR_IN, c, 16));
	assert_int_equal(get_be32(c), 12);
	assert_int_equal(get_be16(c + 6), MMC_PROF_BD_R_SRM);
	assert_int_equal(get_be16(c + 8), 0x0038);
	assert_int_equal(c[10] & 1, 1); /* current */
	assert_int_equal(c[11], 4);     /* additional length */
	assert_int_equal(get_be32(c + 12), 0);
	/* growisofs -M then asks for the last track of the last session and
	 * appends at its NWA (track 1 closed, track 2 invisible) */
	assert_good(emu_write(d, 0, 704));
	assert_good(emu_sync(d, false));
	assert_good(emu_close_fn(d, 1, 1, false));
	uint8_t di[34];
	emu_disc_info(d, di);
	assert_int_equal(di[2] & 0x03, 1);
	assert_int_equal(di[6], 2);
	assert_int_equal(emu_nwa(d, di[6]), 704);
	assert_good(emu_write(d, 16, 16)); /* new volume descriptors */
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
		cmocka_unit_test(dvd_r_dao_of_exactly_the_reserved_size_completes_the_disc),
		cmocka_unit_test(dvd_r_dao_short_of_the_last_ecc_block_stays_open),
		cmocka_unit_test(cd_sao_cue_sheet_keeps_the_blank_invisible_track_1),
		cmocka_unit_test(cd_sao_view_reaches_only_track_information),
		cmocka_unit_test(bd_r_pow_feature_is_the_full_mmc_descriptor),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
