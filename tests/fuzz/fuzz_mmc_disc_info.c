/*
 * fuzz_mmc_disc_info - READ DISC INFORMATION and READ TRACK INFORMATION
 * response parsers.  Input: response bytes; both parsers see the same ones.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "mmc/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmc_disc_info di;
	struct mmc_track_info ti;
	discfs_error e = { 0 };

	fuzz_check_parse(mmc_parse_disc_info(data, size, &di, &e), &e);
	memset(&e, 0, sizeof(e));
	fuzz_check_parse(mmc_parse_track_info(data, size, &ti, &e), &e);
	return 0;
}
