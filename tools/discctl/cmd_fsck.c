/*
 * tools/discctl/cmd_fsck.c - discctl fsck IMAGE|DEV [--repair] [--json]
 *
 * Checks a UDF volume's structure and prints one line per finding
 * ("error", "warning" or "info", the area, the message, "[repaired]"),
 * then a summary.  --json prints one JSON object instead.
 *
 * Exit codes: 0 no errors (warnings allowed); 1 errors found that remain
 * (including "not a readable UDF volume"); 2 usage; 12 errors were found
 * and all of them were repaired; other codes as for every discctl command
 * when the image or device cannot be opened (3 no such file, ...).
 */
#include <stdio.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

#define EXIT_REPAIRED 12

static const char *sev_name(int s)
{
	return s == DISCFS_FSCK_ERROR ? "error"
	       : s == DISCFS_FSCK_WARNING ? "warning" : "info";
}

struct fsck_out {
	bool json;
	unsigned n;
	unsigned errors_left;
};

static void on_issue(void *user, const discfs_fsck_issue *is)
{
	struct fsck_out *o = user;
	if (is->severity == DISCFS_FSCK_ERROR && !is->repaired)
		o->errors_left++;
	if (!o->json) {
		printf("%-7s %-9s %s%s\n", sev_name(is->severity), is->area,
		       is->msg, is->repaired ? " [repaired]" : "");
		return;
	}
	printf("%s\n    {\"severity\": \"%s\", \"area\": ", o->n++ ? "," : "",
	       sev_name(is->severity));
	cli_json_str(is->area);
	printf(", \"message\": ");
	cli_json_str(is->msg);
	printf(", \"repaired\": %s}", is->repaired ? "true" : "false");
}

int cmd_fsck(int argc, char **argv)
{
	const char *dev = NULL;
	unsigned flags = 0;
	struct fsck_out o = { 0 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--repair"))
			flags |= DISCFS_FSCK_REPAIR;
		else if (!strcmp(argv[i], "--json"))
			o.json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("fsck: unknown option '%s'", argv[i]);
		else if (!dev)
			dev = argv[i];
		else
			return cli_usage_error("fsck: too many arguments");
	}
	if (!dev)
		return cli_usage_error("usage: discctl fsck IMAGE|DEV [--repair] [--json]");

	discfs_error err = { 0 };
	discfs_fsck_result res;
	if (o.json) {
		printf("{\"volume\": ");
		cli_json_str(dev);
		printf(", \"issues\": [");
	}
	int rc = discfs_fsck(dev, flags, on_issue, &o, &res, &err);
	if (rc) {
		if (o.json)
			printf("]}\n");
		return cli_report(&err, dev);
	}
	if (o.json) {
		printf("%s],\n  \"opened\": %s, \"errors\": %u, \"warnings\": %u, "
		       "\"repaired\": %u, \"files\": %llu, \"dirs\": %llu, "
		       "\"symlinks\": %llu, \"used_blocks\": %llu, \"clean\": %s}\n",
		       o.n ? "\n  " : "", res.opened ? "true" : "false",
		       res.errors, res.warnings, res.repaired,
		       (unsigned long long)res.files, (unsigned long long)res.dirs,
		       (unsigned long long)res.symlinks,
		       (unsigned long long)res.used_blocks,
		       res.errors ? "false" : "true");
	} else {
		printf("%s: %u error%s, %u warning%s, %u repaired; %llu files, "
		       "%llu directories, %llu symlinks, %llu blocks in use\n",
		       dev, res.errors, res.errors == 1 ? "" : "s", res.warnings,
		       res.warnings == 1 ? "" : "s", res.repaired,
		       (unsigned long long)res.files, (unsigned long long)res.dirs,
		       (unsigned long long)res.symlinks,
		       (unsigned long long)res.used_blocks);
	}
	if (!res.errors)
		return 0;
	return o.errors_left ? 1 : EXIT_REPAIRED;
}
