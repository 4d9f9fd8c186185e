/*
 * fuzz_mmc_config - GET CONFIGURATION response parser (mmc_parse_config)
 * and feature lookup.  Input: the response bytes as a drive returned them.
 * Checks: counts within their arrays, feature data inside the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "mmc/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmc_config c;
	discfs_error e = { 0 };
	int rc = mmc_parse_config(data, size, &c, &e);

	fuzz_check_parse(rc, &e);
	if (rc < 0)
		return 0;
	FUZZ_CHECK(c.n_profiles <= MMC_MAX_CONFIG_PROFILES);
	FUZZ_CHECK(c.n_features <= MMC_MAX_CONFIG_FEATURES);
	for (size_t i = 0; i < c.n_features; i++) {
		const struct mmc_feature_desc *f = &c.features[i];
		FUZZ_CHECK(f->add_len == 0 ||
			   fuzz_inside(data, size, f->data, f->add_len));
		fuzz_touch(f->data, f->add_len);
		FUZZ_CHECK(mmc_config_feature(&c, f->code) != NULL);
	}
	(void)mmc_config_feature(&c, 0x0000);
	(void)mmc_config_feature(&c, 0xFFFF);
	return 0;
}
