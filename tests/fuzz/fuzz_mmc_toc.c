/*
 * fuzz_mmc_toc - READ TOC/PMA/ATIP parsers: formats 0, 1, 2 (TOC, session
 * info, full TOC) and 4 (ATIP), and the MSF conversion of what they return.
 * Input byte 0 picks the TOC format asked for (any value: one that is not
 * a TOC format is caller misuse, refused with DISCFS_EINVAL); the rest is
 * the response.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "mmc/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mmc_toc toc; /* large: keep it off the stack */
	struct mmc_atip atip;
	discfs_error e = { 0 };
	uint8_t format;
	int rc;

	if (size < 1)
		return 0;
	format = data[0];
	data++, size--;
	rc = mmc_parse_toc(data, size, format, &toc, &e);
	if (format > 2) {
		fuzz_check_failure(rc, &e);
		FUZZ_CHECK(rc == -DISCFS_EINVAL);
		rc = -1;
	} else {
		fuzz_check_parse(rc, &e);
	}
	if (rc == 0) {
		FUZZ_CHECK(toc.n <= MMC_MAX_TOC_ENTRIES);
		for (size_t i = 0; i < toc.n; i++)
			(void)mmc_msf_to_lba(toc.e[i].pmin, toc.e[i].psec,
					     toc.e[i].pframe);
	}
	memset(&e, 0, sizeof(e));
	rc = mmc_parse_atip(data, size, &atip, &e);
	fuzz_check_parse(rc, &e);
	return 0;
}
