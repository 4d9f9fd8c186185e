/* tests/unit/test_mmc_cdb.c - every CDB builder puts each field where
 * MMC-6 (mmc-notes §1.1) says, with the right direction and length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mmc/cdb.h"

static uint8_t buf[4096];

static void expect_cdb(const struct mmc_cmd *c, const uint8_t *want,
		       size_t n)
{
	assert_int_equal(c->cdb_len, n);
	assert_memory_equal(c->cdb, want, n);
	for (size_t i = n; i < sizeof(c->cdb); i++)
		assert_int_equal(c->cdb[i], 0);
}

static void test_queries_fill_opcode_alloc_and_direction(void **s)
{
	struct mmc_cmd c;

	mmc_cdb_test_unit_ready(&c);
	expect_cdb(&c, (uint8_t[]){ 0x00, 0, 0, 0, 0, 0 }, 6);
	assert_int_equal(c.dir, MMC_DIR_NONE);
	assert_null(c.buf);

	mmc_cdb_inquiry(&c, buf, 36);
	expect_cdb(&c, (uint8_t[]){ 0x12, 0, 0, 0, 36, 0 }, 6);
	assert_int_equal(c.dir, MMC_DIR_IN);
	assert_ptr_equal(c.buf, buf);
	assert_int_equal(c.len, 36);

	mmc_cdb_request_sense(&c, buf, 18);
	expect_cdb(&c, (uint8_t[]){ 0x03, 0, 0, 0, 18, 0 }, 6);

	mmc_cdb_read_capacity(&c, buf);
	expect_cdb(&c, (uint8_t[]){ 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 10);
	assert_int_equal(c.len, 8);
	assert_true(c.timeout_ms > 0);
}

static void test_mode_sense_sets_dbd_pc_page(void **s)
{
	struct mmc_cmd c;

	mmc_cdb_mode_sense10(&c, 0x2A, MMC_PC_CHANGEABLE, buf, 0x1234);
	expect_cdb(&c, (uint8_t[]){ 0x5A, 0x08, 0x6A, 0, 0, 0, 0, 0x12, 0x34, 0 },
		   10);
	assert_int_equal(c.len, 0x1234);
}

static void test_mode_select_sets_pf_and_sends(void **s)
{
	struct mmc_cmd c;
	uint8_t page[60] = { 0 };

	mmc_cdb_mode_select10(&c, page, 60);
	expect_cdb(&c, (uint8_t[]){ 0x55, 0x10, 0, 0, 0, 0, 0, 0, 60, 0 }, 10);
	assert_int_equal(c.dir, MMC_DIR_OUT);
	assert_ptr_equal(c.buf, page);
}

static void test_get_configuration_rt_feature_alloc(void **s)
{
	struct mmc_cmd c;

	mmc_cdb_get_configuration(&c, MMC_GC_ONE, 0x0021, buf, 16);
	expect_cdb(&c, (uint8_t[]){ 0x46, 0x02, 0x00, 0x21, 0, 0, 0, 0, 16, 0 },
		   10);
}

static void test_gesn_is_polled(void **s)
{
	struct mmc_cmd c;

	mmc_cdb_get_event_status(&c, MMC_GESN_MEDIA, buf, 8);
	expect_cdb(&c, (uint8_t[]){ 0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0 }, 10);
}

static void test_disc_track_toc_format_builders(void **s)
{
	struct mmc_cmd c;

	mmc_cdb_read_disc_info(&c, 0, buf, 34);
	expect_cdb(&c, (uint8_t[]){ 0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0 }, 10);
	mmc_cdb_read_track_info(&c, MMC_RTI_TRACK, 0xFF, buf, 48);
	expect_cdb(&c, (uint8_t[]){ 0x52, 1, 0, 0, 0, 0xFF, 0, 0, 48, 0 }, 10);
	mmc_cdb_read_track_info(&c, MMC_RTI_LBA, 0x01020304, buf, 40);
	expect_cdb(&c, (uint8_t[]){ 0x52, 0, 1, 2, 3, 4, 0, 0, 40, 0 }, 10);
	mmc_cdb_read_toc(&c, MMC_TOC_ATIP, true, 0, buf, 28);
	expect_cdb(&c, (uint8_t[]){ 0x43, 0x02, 0x04, 0, 0, 0, 0, 0, 28, 0 }, 10);
	mmc_cdb_read_toc(&c, MMC_TOC_SESSION, false, 3, buf, 12);
	expect_cdb(&c, (uint8_t[]){ 0x43, 0, 0x01, 0, 0, 0, 3, 0, 12, 0 }, 10);
	mmc_cdb_read_format_capacities(&c, buf, 0xFC);
	expect_cdb(&c, (uint8_t[]){ 0x23, 0, 0, 0, 0, 0, 0, 0, 0xFC, 0 }, 10);
	mmc_cdb_read_buffer_capacity(&c, true, buf, 12);
	expect_cdb(&c, (uint8_t[]){ 0x5C, 1, 0, 0, 0, 0, 0, 0, 12, 0 }, 10);
}

static void test_twelve_byte_queries(void **s)
{
	struct mmc_cmd c;

	mmc_cdb_read_disc_structure(&c, 1, 0x11223344, 1, 0x0A, buf, 0x200);
	expect_cdb(&c, (uint8_t[]){ 0xAD, 1, 0x11, 0x22, 0x33, 0x44, 1, 0x0A,
				    0x02, 0x00, 0, 0 }, 12);
	mmc_cdb_mechanism_status(&c, buf, 8);
	expect_cdb(&c, (uint8_t[]){ 0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0 }, 12);
	/* 8 + 16 * 3 bytes = 3 descriptors */
	mmc_cdb_get_performance(&c, 0, MMC_PERF_TYPE_WRITE_SPEED, buf, 56);
	expect_cdb(&c, (uint8_t[]){ 0xAC, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0x03, 0 },
		   12);
	mmc_cdb_get_performance(&c, MMC_PERF_DATA_WRITE,
				MMC_PERF_TYPE_PERFORMANCE, buf, 24);
	expect_cdb(&c, (uint8_t[]){ 0xAC, 0x04, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 },
		   12);
}

static void test_tray_builders(void **s)
{
	struct mmc_cmd c;

	mmc_cdb_start_stop(&c, false, true, false);
	expect_cdb(&c, (uint8_t[]){ 0x1B, 0, 0, 0, 0x02, 0 }, 6);
	mmc_cdb_start_stop(&c, true, true, true);
	expect_cdb(&c, (uint8_t[]){ 0x1B, 1, 0, 0, 0x03, 0 }, 6);
	mmc_cdb_prevent_allow(&c, true);
	expect_cdb(&c, (uint8_t[]){ 0x1E, 0, 0, 0, 1, 0 }, 6);
	mmc_cdb_prevent_allow(&c, false);
	expect_cdb(&c, (uint8_t[]){ 0x1E, 0, 0, 0, 0, 0 }, 6);
}

static void test_read_write_builders_compute_lengths(void **s)
{
	struct mmc_cmd c;

	assert_int_equal(mmc_cdb_read10(&c, 0x10, 2, 2048, buf, NULL), 0);
	expect_cdb(&c, (uint8_t[]){ 0x28, 0, 0, 0, 0, 0x10, 0, 0, 2, 0 }, 10);
	assert_int_equal(c.len, 4096);
	assert_int_equal(c.dir, MMC_DIR_IN);

	assert_int_equal(mmc_cdb_read12(&c, 5, 1, 2048, MMC_W_STREAMING, buf,
					NULL), 0);
	expect_cdb(&c, (uint8_t[]){ 0xA8, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0x80, 0 },
		   12);

	assert_int_equal(mmc_cdb_write10(&c, 0xABCDEF01, 16, 2048, MMC_W_FUA,
					 buf, NULL), 0);
	expect_cdb(&c, (uint8_t[]){ 0x2A, 0x08, 0xAB, 0xCD, 0xEF, 0x01, 0, 0,
				    16, 0 }, 10);
	assert_int_equal(c.dir, MMC_DIR_OUT);
	assert_int_equal(c.len, 32768);

	assert_int_equal(mmc_cdb_write12(&c, 32, 32, 2048, MMC_W_STREAMING,
					 buf, NULL), 0);
	expect_cdb(&c, (uint8_t[]){ 0xAA, 0, 0, 0, 0, 32, 0, 0, 0, 32, 0x80, 0 },
		   12);

	/* CD audio blocks are 2352 bytes */
	assert_int_equal(mmc_cdb_write10(&c, 0, 1, 2352, 0, buf, NULL), 0);
	assert_int_equal(c.len, 2352);

	assert_int_equal(mmc_cdb_write_verify10(&c, 7, 1, 2048, buf, NULL), 0);
	expect_cdb(&c, (uint8_t[]){ 0x2E, 0, 0, 0, 0, 7, 0, 0, 1, 0 }, 10);

	mmc_cdb_verify10(&c, 9, 300);
	expect_cdb(&c, (uint8_t[]){ 0x2F, 0, 0, 0, 0, 9, 0, 0x01, 0x2C, 0 }, 10);
	assert_int_equal(c.dir, MMC_DIR_NONE);
}

static void test_oversized_transfer_is_refused(void **s)
{
	struct mmc_cmd c;
	discfs_error err;

	assert_int_equal(mmc_cdb_read12(&c, 0, 0x200000, 2352, 0, buf, &err),
			 -DISCFS_EINVAL);
	assert_int_equal(err.code, DISCFS_EINVAL);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(mmc_cdb_write10(&c, 0, 1, 0, 0, buf, &err),
			 -DISCFS_EINVAL);
}

static void test_recording_builders(void **s)
{
	struct mmc_cmd c;
	uint8_t fp[MMC_FORMAT_PARAMS_LEN], sd[MMC_STREAMING_DESC_LEN];

	mmc_cdb_synchronize_cache(&c, true);
	expect_cdb(&c, (uint8_t[]){ 0x35, 0x02, 0, 0, 0, 0, 0, 0, 0, 0 }, 10);
	assert_true(c.timeout_ms <= MMC_TIMEOUT_IMMED);
	mmc_cdb_synchronize_cache(&c, false);
	assert_int_equal(c.timeout_ms, MMC_TIMEOUT_LONG);

	mmc_cdb_reserve_track(&c, 0x00123456);
	expect_cdb(&c, (uint8_t[]){ 0x53, 0, 0, 0, 0, 0x00, 0x12, 0x34, 0x56, 0 },
		   10);

	mmc_cdb_close_track_session(&c, MMC_CLOSE_SESSION, 0x0102, true);
	expect_cdb(&c, (uint8_t[]){ 0x5B, 1, 2, 0, 0x01, 0x02, 0, 0, 0, 0 }, 10);

	mmc_cdb_blank(&c, MMC_BLANK_MINIMAL, true, 0);
	expect_cdb(&c, (uint8_t[]){ 0xA1, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		   12);

	mmc_format_params(fp, MMC_FMT_IMMED, 0xFFFFFFFF, 0x26, 0, 1);
	assert_memory_equal(fp, ((uint8_t[]){ 0, 0x02, 0, 8, 0xFF, 0xFF, 0xFF,
					      0xFF, 0x98, 0, 0, 1 }), 12);
	mmc_cdb_format_unit(&c, fp, sizeof(fp));
	expect_cdb(&c, (uint8_t[]){ 0x04, 0x11, 0, 0, 0, 0 }, 6);
	assert_int_equal(c.dir, MMC_DIR_OUT);
	assert_int_equal(c.len, 12);
	assert_true(c.timeout_ms <= MMC_TIMEOUT_IMMED);

	mmc_cdb_send_opc(&c, true);
	expect_cdb(&c, (uint8_t[]){ 0x54, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, 10);

	mmc_cdb_send_cue_sheet(&c, buf, 8 * 5);
	expect_cdb(&c, (uint8_t[]){ 0x5D, 0, 0, 0, 0, 0, 0, 0, 40, 0 }, 10);
	assert_int_equal(c.dir, MMC_DIR_OUT);

	mmc_cdb_set_cd_speed(&c, 0xFFFF, 1764, 0);
	expect_cdb(&c, (uint8_t[]){ 0xBB, 0, 0xFF, 0xFF, 0x06, 0xE4, 0, 0, 0, 0,
				    0, 0 }, 12);

	mmc_streaming_desc(sd, 0, 0, 0x00BA7FFF, 4500, 9000);
	assert_int_equal(sd[11], 0xFF);
	assert_memory_equal(sd + 12, ((uint8_t[]){ 0, 0, 0x11, 0x94, 0, 0, 0x03,
						   0xE8, 0, 0, 0x23, 0x28, 0, 0,
						   0x03, 0xE8 }), 16);
	mmc_cdb_set_streaming(&c, sd);
	expect_cdb(&c, (uint8_t[]){ 0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 28, 0 }, 12);
	assert_int_equal(c.len, 28);
}

static void test_set_alloc_rewrites_each_opcodes_field(void **s)
{
	struct mmc_cmd c;

	mmc_cdb_read_disc_info(&c, 0, NULL, 0);
	assert_true(mmc_cmd_set_alloc(&c, buf, 300));
	assert_int_equal(c.cdb[7] << 8 | c.cdb[8], 300);
	assert_int_equal(c.len, 300);
	assert_int_equal(c.dir, MMC_DIR_IN);

	mmc_cdb_read_disc_structure(&c, 0, 0, 0, 0, NULL, 4);
	assert_true(mmc_cmd_set_alloc(&c, buf, 2052));
	assert_int_equal(c.cdb[8] << 8 | c.cdb[9], 2052);

	mmc_cdb_inquiry(&c, buf, 5);
	assert_false(mmc_cmd_set_alloc(&c, buf, 256));
	assert_int_equal(c.len, 5); /* unchanged on refusal */

	mmc_cdb_get_performance(&c, 0, 3, NULL, 8);
	assert_true(mmc_cmd_set_alloc(&c, buf, 8 + 16 * 7));
	assert_int_equal(c.cdb[9], 7);

	mmc_cdb_test_unit_ready(&c);
	assert_false(mmc_cmd_set_alloc(&c, buf, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queries_fill_opcode_alloc_and_direction),
		cmocka_unit_test(test_mode_sense_sets_dbd_pc_page),
		cmocka_unit_test(test_mode_select_sets_pf_and_sends),
		cmocka_unit_test(test_get_configuration_rt_feature_alloc),
		cmocka_unit_test(test_gesn_is_polled),
		cmocka_unit_test(test_disc_track_toc_format_builders),
		cmocka_unit_test(test_twelve_byte_queries),
		cmocka_unit_test(test_tray_builders),
		cmocka_unit_test(test_read_write_builders_compute_lengths),
		cmocka_unit_test(test_oversized_transfer_is_refused),
		cmocka_unit_test(test_recording_builders),
		cmocka_unit_test(test_set_alloc_rewrites_each_opcodes_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
