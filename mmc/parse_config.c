/* mmc/parse_config.c - GET CONFIGURATION (mmc-notes §1.4): 8-byte header
 * (data length b0-3 counts the bytes after itself, current profile b6-7),
 * then feature descriptors: code(2), version/persistent/current, additional
 * length (multiple of 4), data.  Feature 0000h carries 4-byte profiles. */
#include <string.h>

#include "mmc/parse.h"
#include "mmc/parse_util.h"
#include "util/bytes.h"
#include "util/err.h"

static const char what[] = "GET CONFIGURATION data";

static int add_profiles(const uint8_t *d, size_t n, struct mmc_config *out,
			discfs_error *err)
{
	if (n % 4)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: profile list of %zu bytes", what, n);
	for (size_t i = 0; i + 4 <= n; i += 4) {
		if (out->n_profiles == MMC_MAX_CONFIG_PROFILES)
			break;
		out->profiles[out->n_profiles] = get_be16(d + i);
		out->profile_current[out->n_profiles] = d[i + 2] & 1;
		out->n_profiles++;
	}
	return 0;
}

int mmc_parse_config(const uint8_t *buf, size_t len, struct mmc_config *out,
		     discfs_error *err)
{
	size_t end, p;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 8, err)))
		return rc;
	end = (size_t)get_be32(buf) + 4;
	if ((rc = parse_stated(what, len, end, 8, err)))
		return rc;
	out->current_profile = get_be16(buf + 6);
	for (p = 8; p < end;) {
		struct mmc_feature_desc *f;

		if (end - p < 4)
			return dfs_fail(err, DISCFS_EPROTO,
					"%s: %zu stray bytes at offset %zu",
					what, end - p, p);
		if (buf[p + 3] % 4)
			return dfs_fail(err, DISCFS_EPROTO,
					"%s: feature %04Xh length %u is not a multiple of 4",
					what, get_be16(buf + p), buf[p + 3]);
		if ((size_t)buf[p + 3] > end - p - 4)
			return dfs_fail(err, DISCFS_EPROTO,
					"%s: feature %04Xh runs past the data",
					what, get_be16(buf + p));
		if (out->n_features == MMC_MAX_CONFIG_FEATURES)
			return dfs_fail(err, DISCFS_EPROTO,
					"%s: more than %d features", what,
					MMC_MAX_CONFIG_FEATURES);
		f = &out->features[out->n_features++];
		f->code = get_be16(buf + p);
		f->version = (buf[p + 2] >> 2) & 0x0F;
		f->persistent = buf[p + 2] & 2;
		f->current = buf[p + 2] & 1;
		f->add_len = buf[p + 3];
		f->data = buf + p + 4;
		if (f->code == 0x0000 &&
		    (rc = add_profiles(f->data, f->add_len, out, err)))
			return rc;
		p += 4u + f->add_len;
	}
	return 0;
}

const struct mmc_feature_desc *mmc_config_feature(const struct mmc_config *c,
					     uint16_t code)
{
	for (size_t i = 0; i < c->n_features; i++)
		if (c->features[i].code == code)
			return &c->features[i];
	return NULL;
}
