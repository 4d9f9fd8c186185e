/* tools/discctl/cmd_erase.c - `discctl erase DEV [--full] [--json]`:
 * blank a CD-RW or DVD-RW (minimal by default). */
#include <stdio.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/common/progress.h"
#include "tools/discctl/commands.h"

int cmd_erase(int argc, char **argv)
{
	const char *dev = NULL;
	bool full = false, json = false;
	struct progress_ui ui;
	discfs_op_opts o = { 0 };
	discfs_drive *d;
	discfs_error err;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--full"))
			full = true;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' || dev)
			return cli_usage_error("usage: discctl erase DEV [--full] "
					       "[--json]");
		else
			dev = argv[i];
	}
	if (!dev)
		return cli_usage_error("usage: discctl erase DEV [--full] [--json]");
	if (discfs_open(dev, &d, &err))
		return cli_report(&err, dev);
	progress_init(&ui, json);
	o.progress = progress_cb;
	o.user = &ui;
	o.cancel = progress_install_sigint();
	rc = discfs_erase(d, full, &o, &err);
	progress_end(&ui);
	discfs_close(d);
	if (json) {
		progress_json_result(rc == 0, &err);
		printf(",\"drive\":");
		cli_json_str(dev);
		printf(",\"full\":%s", full ? "true" : "false");
		progress_json_result_end();
	}
	if (rc)
		return json ? cli_exit_code(err.code) : cli_report(&err, "erase");
	if (!json)
		fprintf(stderr, "%s: %s: erased (%s)\n", cli_prog, dev,
			full ? "full" : "minimal");
	return 0;
}
