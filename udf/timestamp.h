/*
 * udf/timestamp.h - ECMA-167 timestamps (1/7.3) <-> Unix time.
 *
 * A UDF timestamp records local time plus the offset of that local time
 * from UTC in minutes (type 1 = local time, bits 0-11 a signed offset in
 * -1440..1440, -2047 = unspecified and read as UTC).  Sub-second parts are
 * centiseconds, hundreds of microseconds and microseconds, each 0..99, so
 * the resolution is 1 us.  Years 1..9999.
 */
#ifndef DFS_UDF_TIMESTAMP_H
#define DFS_UDF_TIMESTAMP_H

#include <stdint.h>

#include "discfs.h"
#include "udf/ecma167.h"

#define UDF_TZ_UNSPECIFIED (-2047)

/*
 * Stores Unix time sec + nsec (truncated to microseconds) as local time at
 * tz_minutes east of UTC.  Times outside years 1..9999 are clamped.
 */
void udf_ts_from_unix(struct ecma_timestamp *ts, int64_t sec, uint32_t nsec,
		      int tz_minutes);

/* Reads a timestamp back; -DISCFS_EFORMAT for out-of-range fields. */
int udf_ts_to_unix(const struct ecma_timestamp *ts, int64_t *sec,
		   uint32_t *nsec, discfs_error *err);

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12, d 1..31). */
int64_t udf_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
