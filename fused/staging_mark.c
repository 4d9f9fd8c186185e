/*
 * fused/staging_mark.c - the mark of a repair of the disc at mount.
 *
 * When changes are staged, the mount first opens the disc for update,
 * which puts a commit that was cut short in order (disc.c): on rewritable
 * media an open LVID is repaired and closed.  From then on the disc no
 * longer shows that a commit was cut, and only the store, once it has
 * replayed the journal over the partly committed disc, records that it
 * did (staging.c: "tolerated").  A kill -9 between the two would let the
 * next mount take the disc for a finished commit and adopt the journal
 * as committed.  So the mount marks the staging directory before the
 * repair and clears the mark once the store is open: a mark found at
 * mount means the disc may have been repaired by a mount that died.
 */
#include "fused/staging.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define MARK "repairing"

/* Makes the directory entry of the mark (or its removal) durable. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 || fsync(fd) < 0 ? -errno : 0;

	if (fd >= 0)
		close(fd);
	return rc;
}

int stg_repair_mark(const char *dir)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/" MARK, dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return sync_dir(dir);
}

bool stg_repair_marked(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/" MARK, dir);
	return access(path, F_OK) == 0;
}

int stg_repair_clear(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/" MARK, dir);
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	return sync_dir(dir);
}
