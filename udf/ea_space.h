/*
 * udf/ea_space.h - the extended attribute space of a file entry
 * (ECMA-167 4/14.10): an Extended Attribute Header Descriptor, then the
 * attributes, ECMA's own first, then implementation use attributes.
 *
 * What discfs keeps there:
 *  - a block or character device's major and minor numbers, in a Device
 *    Specification EA (4/14.10.7);
 *  - Linux extended attributes (user.*, trusted.*, security.*): one
 *    Implementation Use EA (4/14.10.8) per attribute, identified
 *    UDF_ID_XATTR.  Its implementation use bytes are: the name's length
 *    (1 byte), the value's length (2 bytes, little-endian), one zero
 *    byte, the name (no NUL), the value; the EA is padded with zeros to a
 *    multiple of 4 bytes.  Readers that do not know the identifier skip
 *    the EA, as ECMA-167 and UDF require of them.
 *
 * The space is kept inside the file entry's block, at most
 * UDF_EA_SPACE_MAX bytes, so that the allocation descriptors still fit.
 * Neither call allocates; errors are -DISCFS_EINVAL (does not fit) from
 * the builder and -DISCFS_EFORMAT (with the reason) from the parser.
 */
#ifndef DFS_UDF_EA_SPACE_H
#define DFS_UDF_EA_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

#define UDF_ID_XATTR "*discfs xattr"
#define UDF_EA_SPACE_MAX 1024u
#define UDF_XATTR_NAME_MAX 255u

struct udf_xattr {
	const char *name;      /* NUL-terminated, 1..255 bytes */
	const uint8_t *value;
	size_t value_len;
};

/* Bytes the space takes (0 when there is nothing to record). */
size_t udf_ea_space_len(bool device, const struct udf_xattr *x, size_t n);

/*
 * Writes the space into out (cap bytes) and sets *len.  The header's tag
 * gets tag_version and tag_loc (the file entry's own location, as its
 * tag).  dev is {major, minor} or NULL.  -DISCFS_EINVAL when a name is
 * empty or too long, or the space would exceed cap or UDF_EA_SPACE_MAX.
 */
int udf_ea_space_build(uint8_t *out, size_t cap, uint16_t tag_version,
		       uint32_t tag_loc, const uint32_t *dev,
		       const struct udf_xattr *x, size_t n, size_t *len,
		       discfs_error *err);

/* What the parser found.  xattr, when set, is called for each Linux
 * extended attribute (name not NUL-terminated); a non-zero return stops
 * the parse and is returned. */
struct udf_ea_found {
	bool has_device;
	uint32_t major, minor;
	int (*xattr)(void *ctx, const char *name, size_t name_len,
		     const uint8_t *value, size_t value_len);
	void *ctx;
};

/*
 * Reads the space ea[0 .. len).  The header's tag must verify (want_loc:
 * the file entry's location, or -1 not to check it); every attribute must
 * lie inside the space.  Attributes of other kinds are skipped.
 */
int udf_ea_space_parse(const uint8_t *ea, size_t len, int64_t want_loc,
		       struct udf_ea_found *found, discfs_error *err);

#endif
