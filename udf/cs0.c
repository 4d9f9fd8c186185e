/* udf/cs0.c - see cs0.h */
#include "udf/cs0.h"

#include <string.h>

#include "util/err.h"

/* Decodes one UTF-8 character at s[*i]; returns the code point or -1. */
static long utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	size_t n;
	long cp, min;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 1, cp = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2, cp = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3, cp = c & 0x07, min = 0x10000;
	} else {
		return -1;
	}
	for (size_t k = 1; k <= n; k++) {
		if (*i + k >= len || (s[*i + k] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[*i + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i += n + 1;
	return cp;
}

static size_t utf8_put(char *out, long cp)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* First pass: validates and finds whether every character fits in 8 bits. */
static int scan_utf8(const unsigned char *s, size_t len, bool *wide,
		     discfs_error *err)
{
	*wide = false;
	for (size_t i = 0; i < len;) {
		size_t at = i;
		long cp = utf8_next(s, len, &i);
		if (cp < 0)
			return dfs_fail(err, DISCFS_EINVAL,
					"invalid UTF-8 at byte %zu", at);
		if (cp == 0 || cp == 0xFEFF || cp == 0xFFFE)
			return dfs_fail(err, DISCFS_EINVAL,
					"character U+%04lX not allowed in a UDF name", cp);
		if (cp > 0xFF)
			*wide = true;
	}
	return 0;
}

/* Stores one character at out[o] in the chosen width; returns bytes used. */
static size_t cs0_put(uint8_t *out, size_t o, long cp, bool wide)
{
	if (!wide) {
		out[o] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x10000) {
		out[o] = (uint8_t)(cp >> 8);
		out[o + 1] = (uint8_t)cp;
		return 2;
	}
	long v = cp - 0x10000;
	unsigned hi = 0xD800 | (unsigned)(v >> 10);
	unsigned lo = 0xDC00 | (unsigned)(v & 0x3FF);
	out[o] = (uint8_t)(hi >> 8);
	out[o + 1] = (uint8_t)hi;
	out[o + 2] = (uint8_t)(lo >> 8);
	out[o + 3] = (uint8_t)lo;
	return 4;
}

int udf_cs0_encode(const char *utf8, size_t len, uint8_t *out, size_t cap,
		   bool truncate, size_t *out_len, discfs_error *err)
{
	const unsigned char *s = (const unsigned char *)utf8;
	bool wide;
	int rc = scan_utf8(s, len, &wide, err);

	*out_len = 0;
	if (rc || len == 0)
		return rc;
	size_t o = 1;
	for (size_t i = 0; i < len;) {
		long cp = utf8_next(s, len, &i);
		size_t need = !wide ? 1 : cp >= 0x10000 ? 4 : 2;
		if (o + need > cap) {
			if (!truncate)
				return dfs_fail(err, DISCFS_EINVAL,
						"name too long for UDF (%zu bytes of CS0 available)",
						cap);
			break;
		}
		o += cs0_put(out, o, cp, wide);
	}
	if (o == 1) /* nothing fitted (truncate): empty, no ID byte */
		return 0;
	out[0] = wide ? UDF_CS0_ID16 : UDF_CS0_ID8;
	*out_len = o;
	return 0;
}

int udf_cs0_decode(const uint8_t *cs0, size_t len, char *out, size_t cap,
		   size_t *out_len, discfs_error *err)
{
	size_t o = 0;

	if (out_len)
		*out_len = 0;
	if (cap < 1)
		return dfs_fail(err, DISCFS_EINVAL, "no room for the name");
	out[0] = 0;
	if (len == 0)
		return 0;
	uint8_t id = cs0[0];
	bool wide;
	if (id == UDF_CS0_ID8 || id == UDF_CS0_ID8_DELETED)
		wide = false;
	else if (id == UDF_CS0_ID16 || id == UDF_CS0_ID16_DELETED)
		wide = true;
	else
		return dfs_fail(err, DISCFS_EFORMAT,
				"unknown CS0 compression ID %u", id);
	if (wide && (len - 1) % 2)
		return dfs_fail(err, DISCFS_EFORMAT,
				"odd length %zu for 16-bit CS0", len - 1);
	for (size_t i = 1; i < len;) {
		long cp;
		if (!wide) {
			cp = cs0[i++];
		} else {
			cp = cs0[i] << 8 | cs0[i + 1];
			i += 2;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return dfs_fail(err, DISCFS_EFORMAT,
						"unpaired low surrogate in CS0");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				long lo = i + 1 < len ? cs0[i] << 8 | cs0[i + 1] : -1;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return dfs_fail(err, DISCFS_EFORMAT,
							"unpaired high surrogate in CS0");
				i += 2;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
		}
		if (cp == 0)
			return dfs_fail(err, DISCFS_EFORMAT, "NUL inside a CS0 name");
		size_t need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (o + need + 1 > cap)
			return dfs_fail(err, DISCFS_EINVAL,
					"decoded name longer than %zu bytes", cap - 1);
		o += utf8_put(out + o, cp);
	}
	out[o] = 0;
	if (out_len)
		*out_len = o;
	return 0;
}

int udf_dstring_put(uint8_t *field, size_t size, const char *utf8,
		    discfs_error *err)
{
	size_t n;

	memset(field, 0, size);
	if (size < 2)
		return dfs_fail(err, DISCFS_EINVAL, "dstring field too small");
	int rc = udf_cs0_encode(utf8, strlen(utf8), field, size - 1, true, &n, err);
	if (rc)
		return rc;
	field[size - 1] = (uint8_t)n;
	return 0;
}

int udf_dstring_get(const uint8_t *field, size_t size, char *out, size_t cap,
		    discfs_error *err)
{
	if (size < 2)
		return dfs_fail(err, DISCFS_EINVAL, "dstring field too small");
	size_t n = field[size - 1];
	if (n > size - 1)
		return dfs_fail(err, DISCFS_EFORMAT,
				"dstring length %zu exceeds its %zu-byte field", n, size);
	return udf_cs0_decode(field, n, out, cap, NULL, err);
}
