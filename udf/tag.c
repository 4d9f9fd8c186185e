/* udf/tag.c - see tag.h */
#include "udf/tag.h"

#include "udf/ecma167.h"
#include "util/bytes.h"
#include "util/err.h"

uint16_t udf_crc_itu(const uint8_t *data, size_t len)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)(data[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = (crc & 0x8000) ? (uint16_t)(crc << 1 ^ 0x1021)
					     : (uint16_t)(crc << 1);
	}
	return crc;
}

uint8_t udf_tag_checksum(const uint8_t *desc)
{
	uint8_t sum = 0;

	for (int i = 0; i < 16; i++)
		if (i != 4)
			sum = (uint8_t)(sum + desc[i]);
	return sum;
}

void udf_tag_make(uint8_t *desc, size_t desc_len, uint16_t ident,
		  uint16_t version, uint16_t serial, uint32_t location)
{
	struct ecma_tag *t = (struct ecma_tag *)desc;
	size_t crc_len = desc_len - sizeof(*t);

	put_le16(t->ident, ident);
	put_le16(t->version, version);
	t->reserved = 0;
	put_le16(t->serial, serial);
	put_le16(t->crc, udf_crc_itu(desc + sizeof(*t), crc_len));
	put_le16(t->crc_len, (uint16_t)crc_len);
	put_le32(t->location, location);
	t->checksum = udf_tag_checksum(desc);
}

int udf_tag_verify(const uint8_t *buf, size_t avail, int want_ident,
		   int64_t want_loc, discfs_error *err)
{
	const struct ecma_tag *t = (const struct ecma_tag *)buf;

	if (avail < sizeof(*t))
		return dfs_fail(err, DISCFS_EFORMAT, "descriptor tag truncated");
	uint16_t ident = get_le16(t->ident);
	uint32_t loc = get_le32(t->location);
	if (t->checksum != udf_tag_checksum(buf))
		return dfs_fail(err, DISCFS_EFORMAT,
				"tag checksum mismatch (ident %u at %u)", ident, loc);
	uint16_t ver = get_le16(t->version);
	if (ver != 2 && ver != 3)
		return dfs_fail(err, DISCFS_EFORMAT,
				"tag version %u (ident %u at %u)", ver, ident, loc);
	if (want_ident >= 0 && ident != want_ident)
		return dfs_fail(err, DISCFS_EFORMAT,
				"tag ident %u, expected %d at %u", ident,
				want_ident, loc);
	if (want_loc >= 0 && loc != (uint64_t)want_loc)
		return dfs_fail(err, DISCFS_EFORMAT,
				"tag location %u, expected %lld (ident %u)", loc,
				(long long)want_loc, ident);
	size_t crc_len = get_le16(t->crc_len);
	if (crc_len + sizeof(*t) > avail)
		return dfs_fail(err, DISCFS_EFORMAT,
				"tag CRC length %zu exceeds %zu bytes (ident %u at %u)",
				crc_len, avail, ident, loc);
	if (udf_crc_itu(buf + sizeof(*t), crc_len) != get_le16(t->crc))
		return dfs_fail(err, DISCFS_EFORMAT,
				"descriptor CRC mismatch (ident %u at %u)", ident, loc);
	return 0;
}
