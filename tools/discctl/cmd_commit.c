/*
 * tools/discctl/cmd_commit.c - `discctl commit MOUNTPOINT`: asks the discfs
 * daemon serving MOUNTPOINT to commit its staged changes to the disc now,
 * and reports how it went.  The request travels as an extended attribute
 * on the mount's root (see fused/mount.h): setting user.discfs.commit
 * commits; user.discfs.status holds the one-line result.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

#define FUSE_SUPER_MAGIC 0x65735546
#define XATTR_COMMIT DISCFS_XATTR_COMMIT
#define XATTR_STATUS DISCFS_XATTR_STATUS

static int read_status(const char *mnt, char *buf, size_t n)
{
	ssize_t len = getxattr(mnt, XATTR_STATUS, buf, n - 1);

	if (len < 0)
		return -1;
	buf[len] = '\0';
	return 0;
}

static int exit_code_of(int e)
{
	switch (e) {
	case ENOSPC: return cli_exit_code(DISCFS_ENOSPC);
	case ENOTSUP: return cli_exit_code(DISCFS_ENOTSUP);
	case EROFS: return cli_exit_code(DISCFS_EPROTECT);
	case ENOMEDIUM: return cli_exit_code(DISCFS_ENOMEDIUM);
	case EBUSY: return cli_exit_code(DISCFS_EBUSY);
	case ENODEV: return cli_exit_code(DISCFS_ENODEV);
	case EREMOTEIO: return cli_exit_code(DISCFS_EMEDIUM);
	default: return 1;
	}
}

int cmd_commit(int argc, char **argv)
{
	char status[1024];
	const char *mnt, *last;
	struct statfs sf;

	if (argc != 2)
		return cli_usage_error("usage: discctl commit MOUNTPOINT");
	mnt = argv[1];
	/* Only a discfs mount may get the request: elsewhere it is just an xattr. */
	if (statfs(mnt, &sf) < 0)
		return cli_usage_error("commit: %s: %s", mnt, strerror(errno));
	if ((unsigned long)sf.f_type != FUSE_SUPER_MAGIC ||
	    read_status(mnt, status, sizeof(status)) < 0)
		return cli_usage_error("commit: %s is not the root of a discfs mount",
				       mnt);
	if (setxattr(mnt, XATTR_COMMIT, "1", 1, 0) == 0) {
		printf("%s: committed\n", mnt);
		return 0;
	}
	{
		int e = errno;
		if (read_status(mnt, status, sizeof(status)) < 0)
			snprintf(status, sizeof(status), "%s", strerror(e));
		last = strstr(status, "last: ");
		fprintf(stderr, "discctl: commit %s: %s\n", mnt,
			last ? last + 6 : status);
		return exit_code_of(e);
	}
}
