/*
 * fuzz_mmc_misc - the other MMC response parsers: INQUIRY, READ CAPACITY,
 * GET EVENT STATUS NOTIFICATION, READ BUFFER CAPACITY, GET PERFORMANCE
 * (types 0 and 3), READ DISC STRUCTURE (and DVD physical format), MECHANISM
 * STATUS.  Input byte 0 picks the parser; the rest is the response.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "mmc/parse.h"

static int parse_one(unsigned which, const uint8_t *d, size_t n,
		     discfs_error *e)
{
	union {
		struct mmc_inquiry inq;
		struct mmc_capacity cap;
		struct mmc_event ev;
		struct mmc_buffer_cap bc;
		struct mmc_performance perf;
		struct mmc_disc_structure ds;
		struct mmc_dvd_physical phys;
		struct mmc_mech_status mech;
	} u;
	int rc;

	switch (which % 9) {
	case 0:
		rc = mmc_parse_inquiry(d, n, &u.inq, e);
		if (rc == 0)
			FUZZ_CHECK(strlen(u.inq.vendor) < 9 &&
				   strlen(u.inq.model) < 17 &&
				   strlen(u.inq.revision) < 5);
		return rc;
	case 1: return mmc_parse_capacity(d, n, &u.cap, e);
	case 2: return mmc_parse_event_status(d, n, &u.ev, e);
	case 3: return mmc_parse_buffer_cap(d, n, which & 0x80, &u.bc, e);
	case 4:
	case 5:
		rc = mmc_parse_performance(d, n, which % 9 == 4 ? 0 : 3,
					   &u.perf, e);
		if (rc == 0)
			FUZZ_CHECK(u.perf.n <= MMC_MAX_PERF_DESCS);
		return rc;
	case 6:
		rc = mmc_parse_disc_structure(d, n, &u.ds, e);
		if (rc == 0) {
			FUZZ_CHECK(u.ds.size == 0 ||
				   fuzz_inside(d, n, u.ds.data, u.ds.size));
			fuzz_touch(u.ds.data, u.ds.size);
		}
		return rc;
	case 7: return mmc_parse_dvd_physical(d, n, &u.phys, e);
	default: return mmc_parse_mech_status(d, n, &u.mech, e);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	discfs_error e = { 0 };

	if (size < 1)
		return 0;
	fuzz_check_parse(parse_one(data[0], data + 1, size - 1, &e), &e);
	return 0;
}
