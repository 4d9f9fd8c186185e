/*
 * fuzz_mmc_sense - sense data decoding (fixed and descriptor format),
 * classification, progress and the text rendering into buffers of every
 * small size.  Input: sense bytes as a transport returned them.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "mmc/sense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmc_sense s;
	enum mmc_sense_class c;
	char text[160];
	bool ok = mmc_sense_parse(data, size, &s);
	int p;

	FUZZ_CHECK(ok == s.valid);
	c = mmc_sense_classify(&s);
	FUZZ_CHECK(c >= MMC_SENSE_OK && c <= MMC_SENSE_OTHER);
	FUZZ_CHECK(mmc_sense_class_name(c) != NULL);
	FUZZ_CHECK((mmc_sense_class_code(c) == DISCFS_OK) == (c == MMC_SENSE_OK));
	p = mmc_sense_progress_x100(&s);
	FUZZ_CHECK(p >= -1 && p <= 10000);
	for (size_t n = 1; n <= sizeof(text); n += (n < 8 ? 1 : 37)) {
		memset(text, 'x', sizeof(text));
		mmc_sense_text(&s, text, n);
		FUZZ_CHECK(memchr(text, '\0', n) != NULL);
	}
	return 0;
}
