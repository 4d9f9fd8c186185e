/* udf/ident.c - see ident.h */
#include "udf/ident.h"

#include <string.h>

#include "udf/osta.h"
#include "util/bytes.h"

void udf_regid_plain(struct ecma_regid *r, const char *ident)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->ident, ident, strnlen(ident, sizeof(r->ident)));
}

void udf_regid_domain(struct ecma_regid *r, uint16_t rev, uint8_t flags)
{
	udf_regid_plain(r, UDF_ID_DOMAIN);
	put_le16(r->suffix, rev);
	r->suffix[2] = flags;
}

void udf_regid_udf(struct ecma_regid *r, const char *ident, uint16_t rev)
{
	udf_regid_plain(r, ident);
	put_le16(r->suffix, rev);
	r->suffix[2] = UDF_OS_CLASS_UNIX;
	r->suffix[3] = UDF_OS_ID_LINUX;
}

void udf_regid_impl(struct ecma_regid *r)
{
	udf_regid_plain(r, UDF_ID_DISCFS);
	r->suffix[0] = UDF_OS_CLASS_UNIX;
	r->suffix[1] = UDF_OS_ID_LINUX;
}

bool udf_regid_is(const struct ecma_regid *r, const char *ident)
{
	size_t n = strlen(ident);
	if (n > sizeof(r->ident) || memcmp(r->ident, ident, n))
		return false;
	for (size_t i = n; i < sizeof(r->ident); i++)
		if (r->ident[i])
			return false;
	return true;
}

uint16_t udf_regid_rev(const struct ecma_regid *r)
{
	return get_le16(r->suffix);
}

void udf_charspec_cs0(struct ecma_charspec *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->info, UDF_CS0_INFO, strlen(UDF_CS0_INFO));
}
