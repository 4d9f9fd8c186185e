/* tools/discctl/cmd_format.c - `discctl format DEV [--spare=default|none|
 * min|max] [--quick] [--json]`: DVD+RW, DVD-RW (restricted overwrite),
 * DVD-RAM, BD-RE (with or without spares), BD-R (with spares), blank
 * CD-RW (fixed packets of 32 blocks). */
#include <stdio.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/common/progress.h"
#include "tools/discctl/commands.h"

static int usage(void)
{
	return cli_usage_error("usage: discctl format DEV "
			       "[--spare=default|none|min|max] [--quick] [--json]");
}

static int parse_spare(const char *v, int *out)
{
	static const char *const names[] = { "default", "none", "min", "max" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(v, names[i])) {
			*out = i; /* enum discfs_spare order */
			return 0;
		}
	return cli_usage_error("--spare: default, none, min or max (not '%s')",
			       v);
}

int cmd_format(int argc, char **argv)
{
	const char *dev = NULL;
	bool json = false;
	struct progress_ui ui;
	discfs_format_opts o;
	discfs_drive *d;
	discfs_error err;
	int rc;

	memset(&o, 0, sizeof(o));
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--spare=", 8)) {
			if ((rc = parse_spare(argv[i] + 8, &o.spare)))
				return rc;
		} else if (!strcmp(argv[i], "--spare") && i + 1 < argc) {
			if ((rc = parse_spare(argv[++i], &o.spare)))
				return rc;
		} else if (!strcmp(argv[i], "--quick")) {
			o.quick = true;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (argv[i][0] == '-' || dev) {
			return usage();
		} else {
			dev = argv[i];
		}
	}
	if (!dev)
		return usage();
	if (discfs_open(dev, &d, &err))
		return cli_report(&err, dev);
	progress_init(&ui, json);
	o.op.progress = progress_cb;
	o.op.user = &ui;
	o.op.cancel = progress_install_sigint();
	rc = discfs_format(d, &o, &err);
	progress_end(&ui);
	discfs_close(d);
	if (json) {
		progress_json_result(rc == 0, &err);
		printf(",\"drive\":");
		cli_json_str(dev);
		progress_json_result_end();
	}
	if (rc)
		return json ? cli_exit_code(err.code) : cli_report(&err, "format");
	if (!json)
		fprintf(stderr, "%s: %s: formatted\n", cli_prog, dev);
	return 0;
}
