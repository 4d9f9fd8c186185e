/* tools/discctl/cmd_info.c - `discctl info DEV [--json]`: the drive and
 * its medium.  Any failure is one line on stderr and a non-zero exit. */
#include <stdio.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"
#include "tools/discctl/info_print.h"

int cmd_info(int argc, char **argv)
{
	discfs_drive_info di;
	discfs_media_info mi;
	discfs_drive *d;
	discfs_error err;
	const char *dev = NULL;
	bool json = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("info: unknown option '%s'",
					       argv[i]);
		else if (!dev)
			dev = argv[i];
		else
			return cli_usage_error("info: unexpected argument '%s'",
					       argv[i]);
	}
	if (!dev)
		return cli_usage_error("usage: discctl info DEV [--json]");
	if (discfs_open(dev, &d, &err))
		return cli_report_dev(&err, dev);
	rc = discfs_drive_info_get(d, &di, &err);
	if (!rc)
		rc = discfs_media_info_get(d, &mi, &err);
	discfs_close(d);
	if (rc)
		return cli_report_dev(&err, dev);
	if (json)
		info_print_json(dev, &di, &mi);
	else
		info_print_text(dev, &di, &mi);
	discfs_media_info_free(&mi);
	return 0;
}
