/* tests/unit/test_udf_timestamp.c - ECMA-167 timestamps with time zones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "udf/timestamp.h"
#include "util/bytes.h"

static void utc_time_is_recorded_as_type_1_with_zero_offset(void **state)
{
	(void)state;
	struct ecma_timestamp ts;
	/* 2001-09-09 01:46:40.123456 UTC */
	udf_ts_from_unix(&ts, 1000000000, 123456789, 0);
	assert_int_equal(get_le16(ts.type_tz), 0x1000);
	assert_int_equal(get_le16(ts.year), 2001);
	assert_int_equal(ts.month, 9);
	assert_int_equal(ts.day, 9);
	assert_int_equal(ts.hour, 1);
	assert_int_equal(ts.minute, 46);
	assert_int_equal(ts.second, 40);
	assert_int_equal(ts.centisec, 12);
	assert_int_equal(ts.hundred_us, 34);
	assert_int_equal(ts.us, 56);
	int64_t s;
	uint32_t ns;
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, NULL), 0);
	assert_int_equal(s, 1000000000);
	assert_int_equal(ns, 123456000);
}

static void local_time_carries_its_offset_and_reads_back_the_same_instant(void **state)
{
	(void)state;
	struct ecma_timestamp ts;
	udf_ts_from_unix(&ts, 0, 0, -300); /* UTC-5 */
	assert_int_equal(get_le16(ts.year), 1969);
	assert_int_equal(ts.month, 12);
	assert_int_equal(ts.day, 31);
	assert_int_equal(ts.hour, 19);
	assert_int_equal(get_le16(ts.type_tz), 0x1000 | (0x1000 - 300));
	int64_t s;
	uint32_t ns;
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, NULL), 0);
	assert_int_equal(s, 0);
	udf_ts_from_unix(&ts, 1700000000, 0, 330); /* UTC+5:30 */
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, NULL), 0);
	assert_int_equal(s, 1700000000);
}

static void leap_days_and_far_dates_round_trip(void **state)
{
	(void)state;
	const int64_t times[] = { 951782400 /* 2000-02-29 */, -2208988800LL /* 1900 */,
				  4102444799LL, 253402297199LL /* 9999-12-31 22:59:59 UTC = 23:59:59 at +1 */ };
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		struct ecma_timestamp ts;
		int64_t s;
		uint32_t ns;
		udf_ts_from_unix(&ts, times[i], 0, 60);
		assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, NULL), 0);
		assert_int_equal(s, times[i]);
	}
}

static void out_of_range_times_are_clamped_when_written(void **state)
{
	(void)state;
	struct ecma_timestamp ts;
	udf_ts_from_unix(&ts, INT64_MAX / 2, 0, 0);
	assert_int_equal(get_le16(ts.year), 9999);
	udf_ts_from_unix(&ts, INT64_MIN / 2, 0, 0);
	assert_int_equal(get_le16(ts.year), 1);
}

static void malformed_timestamps_are_rejected(void **state)
{
	(void)state;
	struct ecma_timestamp good, ts;
	int64_t s;
	uint32_t ns;
	discfs_error e = { 0 };
	udf_ts_from_unix(&good, 1000000000, 0, 0);
	ts = good; ts.month = 13;
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, &e), -DISCFS_EFORMAT);
	ts = good; ts.centisec = 100;
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, &e), -DISCFS_EFORMAT);
	ts = good; ts.month = 2; ts.day = 29; put_le16(ts.year, 2001);
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, &e), -DISCFS_EFORMAT);
	ts = good; put_le16(ts.type_tz, 0x1000 | 1500);
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, &e), -DISCFS_EFORMAT);
	ts = good; put_le16(ts.type_tz, 0x3000);
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, &e), -DISCFS_EFORMAT);
	/* unspecified zone reads as UTC */
	ts = good; put_le16(ts.type_tz, 0x1000 | (0x1000 - 2047));
	assert_int_equal(udf_ts_to_unix(&ts, &s, &ns, &e), 0);
	assert_int_equal(s, 1000000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utc_time_is_recorded_as_type_1_with_zero_offset),
		cmocka_unit_test(local_time_carries_its_offset_and_reads_back_the_same_instant),
		cmocka_unit_test(leap_days_and_far_dates_round_trip),
		cmocka_unit_test(out_of_range_times_are_clamped_when_written),
		cmocka_unit_test(malformed_timestamps_are_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
