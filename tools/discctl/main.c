/*
 * tools/discctl/main.c - discctl: drives, media, burning and images from
 * the command line.  A thin client of libdiscfs: every subcommand parses
 * its arguments, calls the public API and prints the result.
 */
#include <stdio.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

static const struct discctl_cmd commands[] = {
	{ "list", cmd_list, "[--json]", "list optical drives" },
	{ "info", cmd_info, "DEV [--json]", "show drive and medium information" },
	{ "eject", cmd_eject, "DEV", "open the tray" },
	{ "load", cmd_load, "DEV", "close the tray" },
	{ "lock", cmd_lock, "DEV", "prevent medium removal" },
	{ "unlock", cmd_unlock, "DEV", "allow medium removal" },
	{ "burn", cmd_burn, "DEV[,DEV..] IMAGE|- [options]",
	  "burn an image (file or stdin) to one or more discs" },
	{ "erase", cmd_erase, "DEV [--full]", "blank a CD-RW or DVD-RW" },
	{ "format", cmd_format, "DEV [--spare=KIND] [--quick]",
	  "format DVD+RW, DVD-RW, DVD-RAM, BD-RE, BD-R" },
	{ "verify", cmd_verify, "DEV IMAGE [--quick|--full]",
	  "compare a disc with an image, report bad ranges" },
	{ "read", cmd_read, "DEV -o IMAGE [--disc]",
	  "copy a session or the disc to an image" },
	{ "mkimage", cmd_mkimage, "DIR -o IMAGE [--udf V] [--media M] ...",
	  "master a UDF (+ISO9660) image of a directory" },
	{ "extract", cmd_extract, "IMAGE|DEV [PATH] -o DIR", "copy files out of a UDF volume" },
	{ "fsck", cmd_fsck, "IMAGE|DEV [--repair] [--json]", "check (and repair) a UDF volume" },
	{ "ls", cmd_ls, "IMAGE|DEV [PATH] [-l] [-R]", "list files of a UDF volume" },
	{ "commit", cmd_commit, "MOUNTPOINT", "commit a discfs mount's staged changes" },
	{ "close", cmd_close, "MOUNTPOINT|DEV", "finalize a disc (commit first on a mount)" },
	{ "emu", cmd_emu, "create|show|load|eject ...", "manage emulated discs" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: discctl COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %-34s %s\n", commands[i].name,
			commands[i].args, commands[i].summary);
	fprintf(f, "\nDEV is /dev/srN, /dev/sgN, emu:PATH or the path of an "
		   "emulated disc image.\n");
}

int main(int argc, char **argv)
{
	cli_prog = "discctl";
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("discctl %s\n", DISCFS_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return cli_usage_error("unknown command '%s' (try discctl --help)",
			       argv[1]);
}
