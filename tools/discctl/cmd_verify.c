/* tools/discctl/cmd_verify.c - `discctl verify DEV IMAGE [--quick|--full]
 * [--lba N] [--json]`: read back, compare, report bad ranges. */
#include <stdio.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/common/progress.h"
#include "tools/discctl/commands.h"

static int usage(void)
{
	return cli_usage_error("usage: discctl verify DEV IMAGE [--quick|--full] "
			       "[--lba N] [--json]");
}

static void print_ranges(const discfs_bad_range *b, size_t n, bool trunc,
			 bool json)
{
	if (json) {
		printf(",\"bad\":[");
		for (size_t i = 0; i < n; i++)
			printf("%s{\"first\":%u,\"last\":%u,\"kind\":\"%s\"}",
			       i ? "," : "", b[i].first, b[i].last,
			       b[i].unreadable ? "unreadable" : "different");
		printf("],\"bad_truncated\":%s", trunc ? "true" : "false");
		return;
	}
	for (size_t i = 0; i < n; i++)
		printf("bad LBA %u-%u (%u blocks): %s\n", b[i].first, b[i].last,
		       b[i].last - b[i].first + 1,
		       b[i].unreadable ? "unreadable" : "different");
	if (trunc)
		printf("(more bad ranges not listed)\n");
}

int cmd_verify(int argc, char **argv)
{
	const char *dev = NULL, *image = NULL;
	int level = DISCFS_VERIFY_FULL;
	uint64_t lba = UINT32_MAX;
	bool json = false;
	struct progress_ui ui;
	discfs_op_opts o = { 0 };
	discfs_verify_report rep;
	discfs_drive *d;
	discfs_error err;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			level = DISCFS_VERIFY_QUICK;
		else if (!strcmp(argv[i], "--full"))
			level = DISCFS_VERIFY_FULL;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--lba")) {
			if (i + 1 >= argc || !cli_parse_u64(argv[++i], &lba) ||
			    lba >= UINT32_MAX)
				return cli_usage_error("--lba needs an LBA");
		} else if (argv[i][0] == '-' && argv[i][1])
			return usage();
		else if (!dev)
			dev = argv[i];
		else if (!image)
			image = argv[i];
		else
			return usage();
	}
	if (!image)
		return usage();
	if (discfs_open(dev, &d, &err))
		return cli_report(&err, dev);
	progress_init(&ui, json);
	o.progress = progress_cb;
	o.user = &ui;
	o.cancel = progress_install_sigint();
	memset(&rep, 0, sizeof(rep));
	rc = discfs_verify(d, image, (uint32_t)lba, level, &o, &rep, &err);
	progress_end(&ui);
	discfs_close(d);
	if (json) {
		progress_json_result(rc == 0, &err);
		printf(",\"start_lba\":%u,\"image_blocks\":%llu,"
		       "\"checked_blocks\":%llu,\"mismatched_blocks\":%llu,"
		       "\"unreadable_blocks\":%llu", rep.start_lba,
		       (unsigned long long)rep.image_blocks,
		       (unsigned long long)rep.checked_blocks,
		       (unsigned long long)rep.mismatched_blocks,
		       (unsigned long long)rep.unreadable_blocks);
		print_ranges(rep.bad, rep.n_bad, rep.bad_truncated, true);
		progress_json_result_end();
		return rc ? cli_exit_code(err.code) : 0;
	}
	print_ranges(rep.bad, rep.n_bad, rep.bad_truncated, false);
	if (rc)
		return cli_report(&err, "verify");
	printf("verified %llu blocks at LBA %u: identical\n",
	       (unsigned long long)rep.checked_blocks, rep.start_lba);
	return 0;
}
