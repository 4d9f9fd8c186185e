/*
 * tests/lib/mount_client.c - a program of the public mount API
 * (discfs_mount and friends), driven by tests/sh/test_api_mount.sh:
 *   mount_client mount DEV MOUNTPOINT STAGING DAEMON
 *   mount_client commit|unmount MOUNTPOINT
 *   mount_client status MOUNTPOINT
 * Prints the status line, or the error's code and message; exits 0 on
 * success, 1 on failure.
 */
#include <stdio.h>
#include <string.h>

#include "discfs.h"

static int done(int rc, const discfs_error *err)
{
	if (rc < 0)
		printf("error %d: %s\n", err->code, err->msg);
	return rc < 0;
}

int main(int argc, char **argv)
{
	discfs_error err = { 0 };
	char line[512];

	if (argc == 6 && !strcmp(argv[1], "mount")) {
		discfs_mount_opts o;
		discfs_mount_opts_init(&o);
		o.staging = argv[4];
		o.daemon = argv[5];
		return done(discfs_mount(argv[2], argv[3], &o, &err), &err);
	}
	if (argc == 3 && !strcmp(argv[1], "commit"))
		return done(discfs_mount_commit(argv[2], &err), &err);
	if (argc == 3 && !strcmp(argv[1], "unmount"))
		return done(discfs_unmount(argv[2], &err), &err);
	if (argc == 3 && !strcmp(argv[1], "status")) {
		int rc = discfs_mount_status(argv[2], line, sizeof(line), &err);
		if (rc == 0)
			printf("%s\n", line);
		return done(rc, &err);
	}
	fprintf(stderr, "usage: mount_client mount DEV MNT STAGING DAEMON | "
			"commit|unmount|status MNT\n");
	return 2;
}
