/* mmc/parse_format.c - READ FORMAT CAPACITIES (mmc-notes §1.6): header b3
 * = list length (multiple of 8); current/maximum descriptor: blocks(4),
 * b4 bits1-0 type, block length(3); then formattable descriptors: blocks(4),
 * b4 = type<<2 | subtype, parameter(3). */
#include <string.h>

#include "mmc/parse.h"
#include "mmc/parse_util.h"
#include "util/bytes.h"
#include "util/err.h"

int mmc_parse_format_caps(const uint8_t *buf, size_t len,
			  struct mmc_format_caps *out, discfs_error *err)
{
	static const char what[] = "format capacities";
	size_t stated, n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 4, err)))
		return rc;
	stated = 4u + buf[3];
	if ((rc = parse_stated(what, len, stated, 12, err)))
		return rc;
	if (buf[3] % 8)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: list length %u is not a multiple of 8",
				what, buf[3]);
	out->cur_blocks = get_be32(buf + 4);
	out->cur_type = buf[8] & 3;
	out->cur_block_len = get_be24(buf + 9);
	n = (stated - 12) / 8;
	if (n > MMC_MAX_FORMAT_DESCS)
		n = MMC_MAX_FORMAT_DESCS;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *d = buf + 12 + 8 * i;
		out->d[i].blocks = get_be32(d);
		out->d[i].type = d[4] >> 2;
		out->d[i].subtype = d[4] & 3;
		out->d[i].param = get_be24(d + 5);
	}
	out->n = n;
	return 0;
}
