/*
 * udf/update_read.c - reading committed content through the volume an
 * update holds (see udf_update_read_committed in update.h).  A commit on
 * a real drive holds it exclusively; the content of a file changed only
 * in part (an append, a write in the middle) must then be read through
 * the commit's own volume rather than by opening the drive again.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/update_int.h"
#include "util/err.h"

static void forget(struct udf_update *u)
{
	udf_inode_free(u->rd_ino);
	free(u->rd_path);
	u->rd_ino = NULL;
	u->rd_path = NULL;
}

int udf_update_read_committed(struct udf_update *u, const char *path,
			      uint64_t off, void *buf, size_t len, size_t *got,
			      discfs_error *err)
{
	int rc;

	if (!u->rd_path || strcmp(u->rd_path, path)) {
		forget(u);
		rc = udf_lookup(u->vol, path, &u->rd_ino, err);
		if (rc)
			return dfs_wrap(err, rc, "reading committed %s", path);
		u->rd_path = strdup(path);
		if (!u->rd_path) {
			forget(u);
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		}
	}
	return udf_read(u->vol, u->rd_ino, off, buf, len, got, err);
}

void upd_read_forget(struct udf_update *u)
{
	forget(u);
}
