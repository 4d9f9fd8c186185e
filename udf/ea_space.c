/* udf/ea_space.c - see ea_space.h */
#include "udf/ea_space.h"

#include <string.h>

#include "udf/ecma167.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

#define EA_DEVICE_SPEC 12u   /* 4/14.10.7 */
#define EA_DEVICE_LEN 24u    /* head 12 + impUseLength, major, minor */
#define EA_IMPL_USE 2048u    /* 4/14.10.8 */
#define XATTR_HEAD 4u        /* name length, value length (2), zero */

static size_t pad4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

static size_t xattr_ea_len(const struct udf_xattr *x)
{
	return pad4(sizeof(struct ecma_ea_impl) + XATTR_HEAD + strlen(x->name) +
		    x->value_len);
}

size_t udf_ea_space_len(bool device, const struct udf_xattr *x, size_t n)
{
	size_t len = device ? EA_DEVICE_LEN : 0;

	for (size_t i = 0; i < n; i++)
		len += xattr_ea_len(&x[i]);
	return len ? sizeof(struct ecma_eahd) + len : 0;
}

static void put_device(uint8_t *p, const uint32_t *dev)
{
	struct ecma_ea_head *h = (struct ecma_ea_head *)p;

	put_le32(h->type, EA_DEVICE_SPEC);
	h->subtype = 1;
	put_le32(h->length, EA_DEVICE_LEN);
	put_le32(p + 12, 0); /* implementation use length */
	put_le32(p + 16, dev[0]);
	put_le32(p + 20, dev[1]);
}

static void put_regid(struct ecma_regid *r)
{
	memcpy(r->ident, UDF_ID_XATTR, strlen(UDF_ID_XATTR));
	r->suffix[0] = UDF_OS_CLASS_UNIX;
	r->suffix[1] = UDF_OS_ID_LINUX;
}

static size_t put_xattr(uint8_t *p, const struct udf_xattr *x)
{
	struct ecma_ea_impl *e = (struct ecma_ea_impl *)p;
	size_t name_len = strlen(x->name), len = xattr_ea_len(x);
	uint8_t *iu = p + sizeof(*e);

	put_le32(e->head.type, EA_IMPL_USE);
	e->head.subtype = 1;
	put_le32(e->head.length, (uint32_t)len);
	put_le32(e->imp_use_len, (uint32_t)(len - sizeof(*e)));
	put_regid(&e->ident);
	iu[0] = (uint8_t)name_len;
	put_le16(iu + 1, (uint16_t)x->value_len);
	memcpy(iu + XATTR_HEAD, x->name, name_len);
	if (x->value_len)
		memcpy(iu + XATTR_HEAD + name_len, x->value, x->value_len);
	return len;
}

static int check_xattrs(const struct udf_xattr *x, size_t n, discfs_error *err)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(x[i].name);
		if (l == 0 || l > UDF_XATTR_NAME_MAX)
			return dfs_fail(err, DISCFS_EINVAL, "extended attribute "
					"name of %zu bytes (1 to %u)", l,
					UDF_XATTR_NAME_MAX);
		if (x[i].value_len > UINT16_MAX)
			return dfs_fail(err, DISCFS_EINVAL, "extended attribute "
					"%s: value of %zu bytes", x[i].name,
					x[i].value_len);
	}
	return 0;
}

int udf_ea_space_build(uint8_t *out, size_t cap, uint16_t tag_version,
		       uint32_t tag_loc, const uint32_t *dev,
		       const struct udf_xattr *x, size_t n, size_t *len,
		       discfs_error *err)
{
	struct ecma_eahd *h = (struct ecma_eahd *)out;
	size_t need, pos = sizeof(*h);
	int rc = check_xattrs(x, n, err);

	if (rc < 0)
		return rc;
	need = udf_ea_space_len(dev != NULL, x, n);
	if (need > cap || need > UDF_EA_SPACE_MAX)
		return dfs_fail(err, DISCFS_EINVAL, "extended attributes need %zu "
				"bytes; a file entry keeps at most %zu", need,
				cap < UDF_EA_SPACE_MAX ? cap : UDF_EA_SPACE_MAX);
	*len = need;
	if (need == 0)
		return 0;
	memset(out, 0, need);
	if (dev) {
		put_device(out + pos, dev);
		pos += EA_DEVICE_LEN;
	}
	/* Implementation use EAs start here; there are no application EAs,
	 * so those "start" at the end (4/14.10.1). */
	put_le32(h->impl_attr_loc, n ? (uint32_t)pos : (uint32_t)need);
	put_le32(h->app_attr_loc, (uint32_t)need);
	for (size_t i = 0; i < n; i++)
		pos += put_xattr(out + pos, &x[i]);
	udf_tag_make(out, sizeof(*h), TAG_EAHD, tag_version, 1, tag_loc);
	return 0;
}

/* ---------------------------------------------------------------- parse */

static bool is_xattr_ea(const uint8_t *p, uint32_t len)
{
	const struct ecma_ea_impl *e = (const struct ecma_ea_impl *)p;
	size_t idl = strlen(UDF_ID_XATTR);

	return len >= sizeof(*e) + XATTR_HEAD &&
	       !memcmp(e->ident.ident, UDF_ID_XATTR, idl) &&
	       e->ident.ident[idl] == 0;
}

static int parse_xattr(const uint8_t *p, uint32_t len,
		       struct udf_ea_found *f, discfs_error *err)
{
	const struct ecma_ea_impl *e = (const struct ecma_ea_impl *)p;
	uint32_t iul = get_le32(e->imp_use_len);
	const uint8_t *iu = p + sizeof(*e);
	size_t name_len, value_len;

	if (iul > len - sizeof(*e) || iul < XATTR_HEAD)
		return dfs_fail(err, DISCFS_EFORMAT, "extended attribute: "
				"implementation use of %u bytes in an EA of %u",
				iul, len);
	name_len = iu[0];
	value_len = get_le16(iu + 1);
	if (name_len == 0 || XATTR_HEAD + name_len + value_len > iul)
		return dfs_fail(err, DISCFS_EFORMAT, "extended attribute: name "
				"(%zu) and value (%zu bytes) overrun their EA",
				name_len, value_len);
	if (memchr(iu + XATTR_HEAD, 0, name_len))
		return dfs_fail(err, DISCFS_EFORMAT, "extended attribute: NUL "
				"in its name");
	if (!f->xattr)
		return 0;
	return f->xattr(f->ctx, (const char *)iu + XATTR_HEAD, name_len,
			iu + XATTR_HEAD + name_len, value_len);
}

static int parse_one(const uint8_t *p, uint32_t len, struct udf_ea_found *f,
		     discfs_error *err)
{
	uint32_t type = get_le32(((const struct ecma_ea_head *)p)->type);

	if (type == EA_DEVICE_SPEC && len >= EA_DEVICE_LEN) {
		f->has_device = true;
		f->major = get_le32(p + 16);
		f->minor = get_le32(p + 20);
		return 0;
	}
	if (type == EA_IMPL_USE && is_xattr_ea(p, len))
		return parse_xattr(p, len, f, err);
	return 0; /* somebody else's: skipped */
}

int udf_ea_space_parse(const uint8_t *ea, size_t len, int64_t want_loc,
		       struct udf_ea_found *found, discfs_error *err)
{
	size_t pos = sizeof(struct ecma_eahd);
	int rc;

	if (len == 0)
		return 0;
	if (len < sizeof(struct ecma_eahd))
		return dfs_fail(err, DISCFS_EFORMAT, "extended attribute space "
				"of %zu bytes: too short for its header", len);
	rc = udf_tag_verify(ea, len, TAG_EAHD, want_loc, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "extended attribute header");
	while (pos + sizeof(struct ecma_ea_head) <= len) {
		uint32_t l = get_le32(((const struct ecma_ea_head *)(ea + pos))->length);
		if (l < sizeof(struct ecma_ea_head) || l > len - pos)
			return dfs_fail(err, DISCFS_EFORMAT, "extended attribute "
					"at %zu: length %u outside the space of "
					"%zu bytes", pos, l, len);
		rc = parse_one(ea + pos, l, found, err);
		if (rc != 0)
			return rc;
		pos += l;
	}
	return 0;
}
