/*
 * udf/iso_read_name.c - names of ISO9660 directory records without Rock
 * Ridge: Joliet UCS-2 (decoded as CS0 compression 16) or plain
 * d-characters (bytes above 0x7F taken as Latin-1), with the version
 * ";N" and a trailing "." stripped; then made safe (udf/safe_name.h).
 */
#include <string.h>

#include "udf/cs0.h"
#include "udf/iso_read_int.h"
#include "udf/safe_name.h"
#include "util/err.h"

int iso_name_safe(char *name, size_t len, uint64_t pos, discfs_error *err)
{
	char safe[UDF_SAFE_NAME_MAX + 1];
	size_t n = 0;
	int rc = udf_safe_name_encode(name, len, safe, sizeof(safe), &n, NULL, err);
	if (rc)
		return dfs_wrap(err, rc, "ISO9660: name of the directory record "
				"at byte %llu", (unsigned long long)pos);
	memcpy(name, safe, n + 1);
	return 0;
}

/* Cuts ";digits" and then one trailing '.' (not of "." or ".." itself). */
static size_t strip_version(char *s, size_t n)
{
	size_t semi = n;
	while (semi && s[semi - 1] != ';')
		semi--;
	if (semi && strspn(s + semi, "0123456789") == n - semi)
		n = semi - 1;
	if (n > 1 && s[n - 1] == '.' && !(n == 2 && s[0] == '.'))
		n--;
	s[n] = 0;
	return n;
}

int iso_plain_name(const struct iso_vol *v, const struct iso_rec *r,
		   char *out, size_t cap, discfs_error *err)
{
	size_t n = 0;
	if (v->joliet) {
		uint8_t cs0[256] = { 16 };
		size_t len = r->id_len & ~1u; /* an odd last byte is no character */
		memcpy(cs0 + 1, r->id, len);
		int rc = udf_cs0_decode_nul(cs0, len + 1, out, cap, &n, err);
		if (rc)
			return dfs_wrap(err, rc, "ISO9660: Joliet name of the "
					"record at byte %llu",
					(unsigned long long)r->pos);
	} else {
		for (size_t i = 0; i < r->id_len && n + 3 < cap; i++) {
			uint8_t c = r->id[i];
			if (c < 0x80) {
				out[n++] = (char)c;
			} else {
				out[n++] = (char)(0xC0 | (c >> 6));
				out[n++] = (char)(0x80 | (c & 0x3F));
			}
		}
		out[n] = 0;
	}
	n = strip_version(out, n);
	return iso_name_safe(out, n, r->pos, err);
}
