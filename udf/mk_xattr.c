/*
 * udf/mk_xattr.c - the extended attributes of a source file, for its file
 * entry's EA space (udf/ea_space.h).  Every attribute but system.* (POSIX
 * ACLs, which UDF would not enforce) is recorded, sorted by name so that
 * the same tree gives the same image.  A file whose attributes do not fit
 * in its file entry is refused with its path, never recorded in part.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "udf/ea_space.h"
#include "udf/mk.h"
#include "util/err.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct udf_xattr *)a)->name,
		      ((const struct udf_xattr *)b)->name);
}

/* The names listxattr gave (NUL-separated), system.* left out. */
static size_t count_names(const char *list, ssize_t len)
{
	size_t n = 0;

	for (const char *p = list; p < list + len; p += strlen(p) + 1)
		n += strncmp(p, "system.", 7) != 0;
	return n;
}

/* Fills ino->xa from the names in list; values are read into one block. */
static int read_values(const char *path, const char *list, ssize_t len,
		       struct mk_inode *ino, discfs_error *err)
{
	size_t n = count_names(list, len), i = 0, cap = n * sizeof(struct udf_xattr);
	uint8_t *buf = malloc(cap + (size_t)len + UDF_EA_SPACE_MAX);
	size_t vpos = cap + (size_t)len, vcap = vpos + UDF_EA_SPACE_MAX;
	char *names = (char *)buf + cap;

	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	memcpy(names, list, (size_t)len);
	ino->xa = (struct udf_xattr *)buf;
	for (char *p = names; p < names + len; p += strlen(p) + 1) {
		ssize_t v;
		if (!strncmp(p, "system.", 7))
			continue;
		v = lgetxattr(path, p, buf + vpos, vcap - vpos);
		if (v < 0 && errno == ERANGE)
			return dfs_fail(err, DISCFS_EINVAL, "%s: extended attributes "
					"larger than the %u bytes a file entry keeps "
					"(--no-xattrs leaves them out)", path,
					UDF_EA_SPACE_MAX);
		if (v < 0 && errno == ENODATA)
			continue; /* removed since the listing */
		if (v < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno, "%s: reading "
					      "extended attribute %s", path, p);
		ino->xa[i++] = (struct udf_xattr){ p, buf + vpos, (size_t)v };
		vpos += (size_t)v;
	}
	ino->n_xa = i;
	qsort(ino->xa, i, sizeof(*ino->xa), cmp_name);
	return 0;
}

int mk_xattrs_read(const struct udf_mk *mk, const char *path,
		   struct mk_inode *ino, discfs_error *err)
{
	char list[8192];
	ssize_t len;
	int rc;

	if (mk->no_xattrs)
		return 0;
	len = llistxattr(path, list, sizeof(list));
	if (len < 0 && (errno == ENOTSUP || errno == ENOSYS))
		return 0; /* the source cannot have any */
	if (len < 0 && errno == ERANGE)
		return dfs_fail(err, DISCFS_EINVAL, "%s: more extended attribute "
				"names than a file entry keeps (--no-xattrs "
				"leaves them out)", path);
	if (len < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s: listing extended "
				      "attributes", path);
	if (len == 0 || count_names(list, len) == 0)
		return 0;
	rc = read_values(path, list, len, ino, err);
	if (rc == 0 && mk_ea_len(ino) > UDF_EA_SPACE_MAX)
		rc = dfs_fail(err, DISCFS_EINVAL, "%s: extended attributes need "
			      "%zu bytes; a file entry keeps at most %u "
			      "(--no-xattrs leaves them out)", path,
			      mk_ea_len(ino), UDF_EA_SPACE_MAX);
	for (size_t i = 0; rc == 0 && i < ino->n_xa; i++)
		if (strlen(ino->xa[i].name) > UDF_XATTR_NAME_MAX)
			rc = dfs_fail(err, DISCFS_EINVAL, "%s: extended attribute "
				      "name longer than %u bytes", path,
				      UDF_XATTR_NAME_MAX);
	return rc;
}
