/* mmc/parse_inquiry.c - standard INQUIRY data (SPC): type b0, RMB b1 bit7,
 * version b2, additional length b4, vendor 8-15, product 16-31, rev 32-35. */
#include <string.h>

#include "mmc/parse.h"
#include "mmc/parse_util.h"

int mmc_parse_inquiry(const uint8_t *buf, size_t len, struct mmc_inquiry *out,
		      discfs_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need("INQUIRY data", len, 5, err)))
		return rc;
	if ((rc = parse_stated("INQUIRY data", len, 5u + buf[4], 36, err)))
		return rc;
	out->peripheral_type = buf[0] & 0x1F;
	out->removable = buf[1] & 0x80;
	out->version = buf[2];
	parse_ascii(out->vendor, buf + 8, 8);
	parse_ascii(out->model, buf + 16, 16);
	parse_ascii(out->revision, buf + 32, 4);
	return 0;
}
