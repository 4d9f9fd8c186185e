/* tools/discctl/cmd_read.c - `discctl read DEV -o IMAGE [--disc] [--json]`:
 * copy the last session (or the whole disc) to an image, mapping
 * unreadable ranges instead of giving up. */
#include <stdio.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/common/progress.h"
#include "tools/discctl/commands.h"

static int usage(void)
{
	return cli_usage_error("usage: discctl read DEV -o IMAGE [--disc] [--json]");
}

int cmd_read(int argc, char **argv)
{
	const char *dev = NULL, *out = NULL;
	int scope = DISCFS_READ_SESSION;
	bool json = false;
	struct progress_ui ui;
	discfs_op_opts o = { 0 };
	discfs_read_report rep;
	discfs_drive *d;
	discfs_error err;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--disc"))
			scope = DISCFS_READ_DISC;
		else if (!strcmp(argv[i], "--session"))
			scope = DISCFS_READ_SESSION;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' || dev)
			return usage();
		else
			dev = argv[i];
	}
	if (!dev || !out)
		return usage();
	if (discfs_open(dev, &d, &err))
		return cli_report(&err, dev);
	progress_init(&ui, json);
	o.progress = progress_cb;
	o.user = &ui;
	o.cancel = progress_install_sigint();
	memset(&rep, 0, sizeof(rep));
	rc = discfs_read_image(d, out, scope, &o, &rep, &err);
	progress_end(&ui);
	discfs_close(d);
	if (json) {
		progress_json_result(rc == 0, &err);
		printf(",\"first_lba\":%u,\"blocks\":%llu,\"unreadable_blocks\":%llu"
		       ",\"bad\":[", rep.first_lba, (unsigned long long)rep.blocks,
		       (unsigned long long)rep.unreadable_blocks);
		for (size_t i = 0; i < rep.n_bad; i++)
			printf("%s{\"first\":%u,\"last\":%u}", i ? "," : "",
			       rep.bad[i].first, rep.bad[i].last);
		printf("]");
		progress_json_result_end();
		return rc ? cli_exit_code(err.code) : 0;
	}
	for (size_t i = 0; i < rep.n_bad; i++)
		printf("unreadable LBA %u-%u (%u blocks, zero-filled)\n",
		       rep.bad[i].first, rep.bad[i].last,
		       rep.bad[i].last - rep.bad[i].first + 1);
	if (rep.bad_truncated)
		printf("(more unreadable ranges not listed)\n");
	if (rc)
		return cli_report(&err, "read");
	printf("read %llu blocks from LBA %u into %s%s\n",
	       (unsigned long long)rep.blocks, rep.first_lba, out,
	       rep.unreadable_blocks ? " (with unreadable blocks)" : "");
	return rep.unreadable_blocks ? cli_exit_code(DISCFS_EMEDIUM) : 0;
}
