/*
 * fuzz_mmc_mode - MODE SENSE(10) framing and the page parsers (01h, 05h,
 * 2Ah).  Input byte 0 is the page asked for; the rest is the response.
 * The page parsers also run on the raw bytes (as a caller holding a page
 * from elsewhere would).  A page 05h that parses is rebuilt with
 * mmc_build_page_05 and must parse back to the same values.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "mmc/parse.h"

static void pages(const uint8_t *pg, size_t len)
{
	struct mmc_page_01 p01;
	struct mmc_page_05 p05, back;
	struct mmc_page_2a p2a;
	uint8_t sel[MMC_MODE_SELECT_05_LEN];
	discfs_error e = { 0 };
	int rc;

	fuzz_check_parse(mmc_parse_page_01(pg, len, &p01, &e), &e);
	memset(&e, 0, sizeof(e));
	rc = mmc_parse_page_2a(pg, len, &p2a, &e);
	fuzz_check_parse(rc, &e);
	if (rc == 0)
		FUZZ_CHECK(p2a.n_write_speeds <= MMC_MAX_2A_SPEEDS);
	memset(&e, 0, sizeof(e));
	rc = mmc_parse_page_05(pg, len, &p05, &e);
	fuzz_check_parse(rc, &e);
	if (rc != 0)
		return;
	mmc_build_page_05(&p05, sel);
	FUZZ_CHECK(mmc_parse_page_05(sel + 8, MMC_PAGE_05_LEN, &back, &e) == 0);
	FUZZ_CHECK(back.write_type == p05.write_type &&
		   back.multisession == p05.multisession &&
		   back.track_mode == p05.track_mode &&
		   back.data_block_type == p05.data_block_type &&
		   back.packet_size == p05.packet_size &&
		   back.fp == p05.fp && back.test_write == p05.test_write &&
		   back.bufe == p05.bufe && back.link_size == p05.link_size &&
		   back.session_format == p05.session_format);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmc_page_ref ref;
	discfs_error e = { 0 };
	uint8_t want;
	int rc;

	if (size < 1)
		return 0;
	want = data[0];
	data++, size--;
	rc = mmc_parse_mode_sense10(data, size, want, &ref, &e);
	fuzz_check_parse(rc, &e);
	if (rc == 0) {
		FUZZ_CHECK(fuzz_inside(data, size, ref.data, ref.size));
		FUZZ_CHECK(ref.code == (want & 0x3F));
		pages(ref.data, ref.size);
	}
	pages(data, size);
	return 0;
}
