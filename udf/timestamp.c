/* udf/timestamp.c - see timestamp.h */
#include "udf/timestamp.h"

#include <stdbool.h>

#include "util/bytes.h"
#include "util/err.h"

int64_t udf_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of udf_days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void udf_ts_from_unix(struct ecma_timestamp *ts, int64_t sec, uint32_t nsec,
		      int tz_minutes)
{
	const int64_t min_sec = udf_days_from_civil(1, 1, 1) * 86400;
	const int64_t max_sec = udf_days_from_civil(9999, 12, 31) * 86400 + 86399;
	int tz = tz_minutes == UDF_TZ_UNSPECIFIED ? 0 : tz_minutes;
	int64_t local = sec + (int64_t)tz * 60;

	if (nsec >= 1000000000u)
		nsec = 999999999u;
	if (local < min_sec) {
		local = min_sec;
		nsec = 0;
	} else if (local > max_sec) {
		local = max_sec;
		nsec = 999999999u;
	}
	int64_t days = floor_div(local, 86400);
	int64_t rem = local - days * 86400;
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	put_le16(ts->type_tz, (uint16_t)(1u << 12 | ((unsigned)tz_minutes & 0x0FFFu)));
	put_le16(ts->year, (uint16_t)y);
	ts->month = (uint8_t)m;
	ts->day = (uint8_t)d;
	ts->hour = (uint8_t)(rem / 3600);
	ts->minute = (uint8_t)(rem / 60 % 60);
	ts->second = (uint8_t)(rem % 60);
	uint32_t us = nsec / 1000;
	ts->centisec = (uint8_t)(us / 10000);
	ts->hundred_us = (uint8_t)(us / 100 % 100);
	ts->us = (uint8_t)(us % 100);
}

static const uint8_t month_days[12] = { 31, 29, 31, 30, 31, 30,
					31, 31, 30, 31, 30, 31 };

int udf_ts_to_unix(const struct ecma_timestamp *ts, int64_t *sec,
		   uint32_t *nsec, discfs_error *err)
{
	uint16_t tt = get_le16(ts->type_tz);
	unsigned type = tt >> 12;
	int tz = (int)(tt & 0x0FFF);
	unsigned year = get_le16(ts->year);

	if (tz & 0x800)
		tz -= 0x1000;
	if (tz == UDF_TZ_UNSPECIFIED || type != 1)
		tz = 0; /* type 0 is UTC; unspecified offset read as UTC */
	if (type > 2 || (tz < -1440 || tz > 1440))
		return dfs_fail(err, DISCFS_EFORMAT,
				"timestamp type %u / time zone %d invalid", type, tz);
	if (year < 1 || year > 9999 || ts->month < 1 || ts->month > 12 ||
	    ts->day < 1 || ts->day > month_days[ts->month - 1] ||
	    ts->hour > 23 || ts->minute > 59 || ts->second > 60 ||
	    ts->centisec > 99 || ts->hundred_us > 99 || ts->us > 99)
		return dfs_fail(err, DISCFS_EFORMAT,
				"timestamp %04u-%02u-%02u %02u:%02u:%02u out of range",
				year, ts->month, ts->day, ts->hour, ts->minute,
				ts->second);
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (ts->month == 2 && ts->day == 29 && !leap)
		return dfs_fail(err, DISCFS_EFORMAT, "timestamp %04u-02-29 in a common year",
				year);
	int64_t days = udf_days_from_civil(year, ts->month, ts->day);
	*sec = days * 86400 + ts->hour * 3600 + ts->minute * 60 + ts->second -
	       (int64_t)tz * 60;
	*nsec = ((uint32_t)ts->centisec * 10000 + ts->hundred_us * 100u + ts->us) * 1000u;
	return 0;
}
