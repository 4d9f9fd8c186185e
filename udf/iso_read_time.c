/*
 * udf/iso_read_time.c - ECMA-119 dates (8.4.26.1 17-byte, 9.1.5 7-byte)
 * to Unix seconds.  Both carry the offset from GMT in 15-minute units;
 * the result is UTC.
 */
#include "udf/iso_read.h"

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Out-of-range fields (hostile or sloppy writers) are clamped, not refused:
 * a wrong date is no reason to hide a file. */
static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int64_t unix_time(int64_t year, unsigned mon, unsigned day,
			 unsigned h, unsigned mi, unsigned s, int8_t tz)
{
	mon = clamp(mon, 1, 12);
	day = clamp(day, 1, 31);
	int64_t t = days_from_civil(year, mon, day) * 86400 +
		    clamp(h, 0, 23) * 3600 + clamp(mi, 0, 59) * 60 +
		    clamp(s, 0, 59);
	if (tz < -48 || tz > 52)
		tz = 0;
	return t - (int64_t)tz * 15 * 60;
}

int64_t iso_time7(const uint8_t p[7])
{
	if (p[1] == 0) /* no month: not recorded */
		return 0;
	return unix_time(1900 + p[0], p[1], p[2], p[3], p[4], p[5],
			 (int8_t)p[6]);
}

static unsigned digits(const uint8_t *p, unsigned n, bool *ok)
{
	unsigned v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			*ok = false;
			return 0;
		}
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

int64_t iso_time17(const uint8_t p[17])
{
	bool ok = true;
	unsigned y = digits(p, 4, &ok), mo = digits(p + 4, 2, &ok),
		 d = digits(p + 6, 2, &ok), h = digits(p + 8, 2, &ok),
		 mi = digits(p + 10, 2, &ok), s = digits(p + 12, 2, &ok);
	if (!ok || y == 0)
		return 0;
	return unix_time(y, mo, d, h, mi, s, (int8_t)p[16]);
}
