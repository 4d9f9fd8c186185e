/* tools/discctl/cmd_tray.c - `discctl eject|load|lock|unlock DEV`. */
#include <stdio.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

enum tray_op { OP_EJECT, OP_LOAD, OP_LOCK, OP_UNLOCK };

static int tray(int argc, char **argv, enum tray_op op)
{
	discfs_drive *d;
	discfs_error err;
	int rc;

	if (argc != 2)
		return cli_usage_error("usage: discctl %s DEV", argv[0]);
	if (discfs_open(argv[1], &d, &err))
		return cli_report_dev(&err, argv[1]);
	switch (op) {
	case OP_EJECT: rc = discfs_eject(d, &err); break;
	case OP_LOAD: rc = discfs_load(d, &err); break;
	case OP_LOCK: rc = discfs_lock(d, true, &err); break;
	default: rc = discfs_lock(d, false, &err); break;
	}
	discfs_close(d);
	return rc ? cli_report(&err, argv[0]) : 0;
}

int cmd_eject(int argc, char **argv) { return tray(argc, argv, OP_EJECT); }
int cmd_load(int argc, char **argv) { return tray(argc, argv, OP_LOAD); }
int cmd_lock(int argc, char **argv) { return tray(argc, argv, OP_LOCK); }
int cmd_unlock(int argc, char **argv) { return tray(argc, argv, OP_UNLOCK); }
