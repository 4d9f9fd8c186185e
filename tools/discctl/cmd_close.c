/*
 * tools/discctl/cmd_close.c - `discctl close MOUNTPOINT|DEV`: finalize a
 * disc so that any drive and any OS reads it.
 *
 * MOUNTPOINT (the root of a discfs mount): the daemon is asked over the
 * control channel (setting DISCFS_XATTR_CLOSE on the root) to commit what
 * is staged and then close the disc; the mount is read-only afterwards.
 * DEV (a drive or an emulated disc image): the drive is opened and
 * discfs_close_disc() runs.  Exit codes as every discctl command
 * (tools/common/cli.h); a disc that is already closed gives 6.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

#define FUSE_SUPER_MAGIC 0x65735546

/* The root of a discfs mount: a FUSE file system answering the status. */
static bool is_discfs_root(const char *path)
{
	struct statfs sf;
	char buf[16];

	if (statfs(path, &sf) < 0 ||
	    (unsigned long)sf.f_type != FUSE_SUPER_MAGIC)
		return false;
	return getxattr(path, DISCFS_XATTR_STATUS, buf, 0) >= 0 ||
	       errno == ERANGE;
}

static int exit_code_of(int e)
{
	switch (e) {
	case ENOSPC: return cli_exit_code(DISCFS_ENOSPC);
	case ENOTSUP: return cli_exit_code(DISCFS_EWRONGMEDIA);
	case EROFS: return cli_exit_code(DISCFS_EPROTECT);
	case ENOMEDIUM: return cli_exit_code(DISCFS_ENOMEDIUM);
	case EBUSY: return cli_exit_code(DISCFS_EBUSY);
	default: return 1;
	}
}

static int close_mount(const char *mnt)
{
	char status[1024];
	const char *last;
	ssize_t len;
	int e;

	if (setxattr(mnt, DISCFS_XATTR_CLOSE, "1", 1, 0) == 0) {
		printf("%s: committed and closed; the mount is read-only now\n",
		       mnt);
		return 0;
	}
	e = errno;
	len = getxattr(mnt, DISCFS_XATTR_STATUS, status, sizeof(status) - 1);
	if (len >= 0)
		status[len] = '\0';
	else
		snprintf(status, sizeof(status), "%s", strerror(e));
	/* A read-only mount: the kernel refuses before the daemon sees it. */
	if (e == EROFS && strstr(status, "closed (finalized)")) {
		fprintf(stderr, "discctl: close %s: the disc is already closed "
			"(finalized)\n", mnt);
		return cli_exit_code(DISCFS_EWRONGMEDIA);
	}
	if (e == EROFS && strncmp(status, "disc: ", 6) == 0) {
		fprintf(stderr, "discctl: close %s: the mount is read-only "
			"(%.*s)\n", mnt, (int)strcspn(status + 6, ";"), status + 6);
		return exit_code_of(e);
	}
	last = strstr(status, "last: ");
	fprintf(stderr, "discctl: close %s: %s\n", mnt, last ? last + 6 : status);
	return exit_code_of(e);
}

static int close_dev(const char *dev)
{
	discfs_drive *drive;
	discfs_error err;
	int rc = discfs_open(dev, &drive, &err);

	if (rc < 0)
		return cli_report_dev(&err, dev);
	rc = discfs_close_disc(drive, &err);
	discfs_close(drive);
	if (rc < 0)
		return cli_report_dev(&err, dev);
	printf("%s: closed\n", dev);
	return 0;
}

int cmd_close(int argc, char **argv)
{
	struct stat st;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error("usage: discctl close MOUNTPOINT|DEV");
	if (stat(argv[1], &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_discfs_root(argv[1]))
			return cli_usage_error("close: %s is a directory but not "
					       "the root of a discfs mount",
					       argv[1]);
		return close_mount(argv[1]);
	}
	return close_dev(argv[1]);
}
