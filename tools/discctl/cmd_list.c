/* tools/discctl/cmd_list.c - `discctl list [--json]`: the optical drives
 * of this machine (emulated drives are images, not listed). */
#include <stdio.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

#define LIST_MAX 64

int cmd_list(int argc, char **argv)
{
	discfs_drive_entry e[LIST_MAX];
	discfs_error err;
	bool json = false;
	size_t n = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else
			return cli_usage_error("list: unexpected argument '%s'",
					       argv[i]);
	}
	if (discfs_list_drives(e, LIST_MAX, &n, &err))
		return cli_report(&err, "list");
	if (n > LIST_MAX)
		n = LIST_MAX;
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf("%s{\"path\":", i ? "," : "");
			cli_json_str(e[i].path);
			printf(",\"vendor\":");
			cli_json_str(e[i].vendor);
			printf(",\"model\":");
			cli_json_str(e[i].model);
			printf(",\"revision\":");
			cli_json_str(e[i].revision);
			printf("}");
		}
		printf("]\n");
		return 0;
	}
	if (n == 0)
		printf("no optical drives found\n");
	for (size_t i = 0; i < n; i++)
		printf("%-12s %-8s %-16s %s\n", e[i].path, e[i].vendor,
		       e[i].model, e[i].revision);
	return 0;
}
