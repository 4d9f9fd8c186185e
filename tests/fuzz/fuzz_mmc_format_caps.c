/*
 * fuzz_mmc_format_caps - READ FORMAT CAPACITIES response parser.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "mmc/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmc_format_caps fc;
	discfs_error e = { 0 };
	int rc = mmc_parse_format_caps(data, size, &fc, &e);

	fuzz_check_parse(rc, &e);
	if (rc == 0)
		FUZZ_CHECK(fc.n <= MMC_MAX_FORMAT_DESCS);
	return 0;
}
