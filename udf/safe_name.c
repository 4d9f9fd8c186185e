/* udf/safe_name.c - see safe_name.h */
#include "udf/safe_name.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "udf/cs0.h"
#include "util/err.h"

static bool at(const char *s, size_t len, size_t i, const char *lit)
{
	size_t n = strlen(lit);
	return i <= len && len - i >= n && !memcmp(s + i, lit, n);
}

/* s[i..] is "~" then the end, or "~" and 8 upper-case hex digits then
 * the end: after a '%', the mark of the empty or of a cut name. */
static bool mark_follows(const char *s, size_t len, size_t i)
{
	if (!at(s, len, i, "~"))
		return false;
	if (len - i == 1)
		return true;
	if (len - i != 9)
		return false;
	for (size_t k = i + 1; k < len; k++)
		if (!strchr("0123456789ABCDEF", s[k]) || !s[k])
			return false;
	return true;
}

/* s[i..] is (25)* followed by "2F", "00" or a mark: a '%' before it
 * would be read as (the start of) an escape. */
static bool escape_follows(const char *s, size_t len, size_t i)
{
	while (at(s, len, i, "25"))
		i += 2;
	return at(s, len, i, "2F") || at(s, len, i, "00") ||
	       mark_follows(s, len, i);
}

/* One or two units "%" (25)* "2E" and nothing else. */
static bool dot_family(const char *s, size_t len)
{
	size_t i = 0;
	int units = 0;
	while (i < len && units < 2) {
		if (s[i] != '%')
			return false;
		i++;
		while (at(s, len, i, "25"))
			i += 2;
		if (!at(s, len, i, "2E"))
			return false;
		i += 2;
		units++;
	}
	return i == len && units > 0;
}

static uint32_t fnv1a32(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* The output under construction; cut_at is the last token boundary that
 * is also a UTF-8 character boundary within the first CUT bytes. */
struct emit {
	char *out;
	size_t o, cut_at;
	bool over;
};

static void put(struct emit *e, const char *tok, size_t n)
{
	if (e->over)
		return;
	uint8_t c = (uint8_t)tok[0];
	if ((c < 0x80 || c >= 0xC0) && e->o <= UDF_SAFE_NAME_CUT)
		e->cut_at = e->o;
	if (e->o + n > UDF_SAFE_NAME_MAX) {
		e->over = true;
		return;
	}
	memcpy(e->out + e->o, tok, n);
	e->o += n;
}

static void encode_bytes(struct emit *e, const char *x, size_t len)
{
	for (size_t i = 0; i < len && !e->over; i++) {
		if (x[i] == '/')
			put(e, "%2F", 3);
		else if (x[i] == 0)
			put(e, "%00", 3);
		else if (x[i] == '%' && escape_follows(x, len, i + 1))
			put(e, "%25", 3);
		else
			put(e, x + i, 1);
	}
}

int udf_safe_name_encode(const char *name, size_t len, char *out, size_t cap,
			 size_t *out_len, bool *cut, discfs_error *err)
{
	struct emit e = { .out = out };
	if (cap < UDF_SAFE_NAME_MAX + 1)
		return dfs_fail(err, DISCFS_EINVAL, "no room for a safe name");
	if (len == 0) {
		put(&e, "%~", 2);
	} else if (len <= 2 && !memcmp(name, "..", len)) {
		put(&e, "%2E%2E", 3 * len);
	} else if (dot_family(name, len)) {
		for (size_t i = 0; i < len && !e.over; i++)
			put(&e, name[i] == '%' ? "%25" : name + i,
			    name[i] == '%' ? 3 : 1);
	} else {
		encode_bytes(&e, name, len);
	}
	if (e.over) {
		e.o = e.cut_at;
		e.o += (size_t)snprintf(out + e.o, cap - e.o, "%%~%08X",
					(unsigned)fnv1a32(name, len));
	}
	out[e.o] = 0;
	if (out_len)
		*out_len = e.o;
	if (cut)
		*cut = e.over;
	return 0;
}

static int out_byte(char *out, size_t cap, size_t *o, char c,
		    discfs_error *err)
{
	if (*o + 1 >= cap)
		return dfs_fail(err, DISCFS_EINVAL, "no room for the decoded name");
	out[(*o)++] = c;
	return 0;
}

static int decode_bytes(const char *s, size_t len, char *out, size_t cap,
			size_t *o, discfs_error *err)
{
	for (size_t i = 0; i < len;) {
		char c = s[i];
		size_t step = 1;
		if (c == '%') {
			if (mark_follows(s, len, i + 1))
				return dfs_fail(err, DISCFS_EINVAL, "'%.*s' stands for "
						"a longer name and cannot be decoded",
						(int)len, s);
			if (at(s, len, i + 1, "2F"))
				c = '/', step = 3;
			else if (at(s, len, i + 1, "00"))
				c = 0, step = 3;
			else if (at(s, len, i + 1, "25") &&
				 escape_follows(s, len, i + 3))
				step = 3;
		}
		int rc = out_byte(out, cap, o, c, err);
		if (rc)
			return rc;
		i += step;
	}
	return 0;
}

int udf_safe_name_decode(const char *s, size_t len, char *out, size_t cap,
			 size_t *out_len, discfs_error *err)
{
	size_t o = 0;
	int rc = 0;
	if (out_len)
		*out_len = 0;
	if (cap < 1)
		return dfs_fail(err, DISCFS_EINVAL, "no room for the decoded name");
	if (len == 2 && !memcmp(s, "%~", 2)) {
		/* the empty name */
	} else if (dot_family(s, len)) {
		for (size_t i = 0; i < len && !rc;) {
			if (at(s, len, i, "%2E")) {
				rc = out_byte(out, cap, &o, '.', err);
				i += 3;
			} else if (at(s, len, i, "%25")) { /* drop one "25" */
				rc = out_byte(out, cap, &o, '%', err);
				i += 3;
			} else {
				rc = out_byte(out, cap, &o, s[i], err);
				i++;
			}
		}
	} else {
		rc = decode_bytes(s, len, out, cap, &o, err);
	}
	out[o] = 0;
	if (!rc && out_len)
		*out_len = o;
	return rc;
}

static bool cs0_nul(const uint8_t *p, size_t unit)
{
	return unit == 1 ? p[0] == 0 : (p[0] | p[1]) == 0;
}

int udf_cs0_decode_nul(const uint8_t *cs0, size_t len, char *out, size_t cap,
		       size_t *out_len, discfs_error *err)
{
	uint8_t seg[256];
	size_t n = 0, unit, i = 1;
	*out_len = 0;
	if (len == 0)
		return udf_cs0_decode(cs0, len, out, cap, NULL, err);
	if (len > sizeof(seg))
		return dfs_fail(err, DISCFS_EFORMAT, "CS0 name of %zu bytes", len);
	unit = (cs0[0] == UDF_CS0_ID16 || cs0[0] == UDF_CS0_ID16_DELETED) ? 2 : 1;
	if ((len - 1) % unit) /* let the decoder name the fault */
		return udf_cs0_decode(cs0, len, out, cap, NULL, err);
	seg[0] = cs0[0];
	for (;;) { /* decode the runs between NUL characters one by one */
		size_t s = i, m = 0;
		while (i < len && !cs0_nul(cs0 + i, unit))
			i += unit;
		memcpy(seg + 1, cs0 + s, i - s);
		int rc = udf_cs0_decode(seg, i - s + 1, out + n, cap - n, &m, err);
		if (rc)
			return rc;
		n += m;
		if (i >= len)
			break;
		if (n + 2 > cap)
			return dfs_fail(err, DISCFS_EINVAL, "no room for the decoded name");
		out[n++] = 0;
		out[n] = 0;
		i += unit;
	}
	*out_len = n;
	return 0;
}

int udf_safe_name_from_cs0(const uint8_t *cs0, size_t len, char *out,
			   size_t cap, discfs_error *err)
{
	char buf[1024];
	size_t n = 0;
	int rc = udf_cs0_decode_nul(cs0, len, buf, sizeof(buf), &n, err);
	if (rc)
		return rc;
	return udf_safe_name_encode(buf, n, out, cap, NULL, NULL, err);
}

static int refuse(discfs_error *err, const char *s, size_t len, const char *why)
{
	return dfs_fail_errno(err, DISCFS_EINVAL, EINVAL, "name %s: '%.*s'",
			      why, (int)len, s);
}

int udf_safe_name_to_disc(const char *s, size_t len, char *out, size_t cap,
			  uint8_t *cs0, size_t cs0_cap, size_t *cs0_len,
			  discfs_error *err)
{
	char back[UDF_SAFE_NAME_MAX + 1];
	uint8_t c[1024];
	size_t xl = 0, bl = 0, cl = 0;
	int rc = udf_safe_name_decode(s, len, out, cap, &xl, err);
	if (rc) {
		if (err)
			err->sys_errno = EINVAL;
		return rc;
	}
	udf_safe_name_encode(out, xl, back, sizeof(back), &bl, NULL, err);
	if (bl != len || memcmp(back, s, len))
		return refuse(err, s, len, "not in the form names are shown in "
			      "(it would read back differently)");
	if (xl == 0 || (xl <= 2 && !memcmp(out, "..", xl)))
		return refuse(err, s, len, "stands for '', '.' or '..'");
	if (memchr(out, 0, xl))
		return refuse(err, s, len, "holds %00 (NUL), which UDF cannot record");
	if (udf_cs0_encode(out, xl, c, sizeof(c), false, &cl, err))
		return refuse(err, s, len, "not valid UTF-8");
	if (cl > 255)
		return dfs_fail_errno(err, DISCFS_EINVAL, ENAMETOOLONG,
				      "name too long for UDF (%zu bytes of CS0, "
				      "at most 255): '%.*s'", cl, (int)len, s);
	if (cs0) {
		if (cl > cs0_cap)
			return dfs_fail(err, DISCFS_EINVAL, "no room for the CS0 name");
		memcpy(cs0, c, cl);
	}
	if (cs0_len)
		*cs0_len = cl;
	return 0;
}
