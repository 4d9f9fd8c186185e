/*
 * tools/discctl/cmd_emu.c - `discctl emu ...`: emulated discs as files.
 *   emu create --media M [--capacity BLOCKS] IMAGE
 *   emu show IMAGE [--json]
 *   emu load IMAGE | emu eject IMAGE      (stored tray state)
 *   emu fault IMAGE SPEC...               (see discfs_emu_fault())
 *   emu time-scale IMAGE X
 *   emu quirk IMAGE NAME[,NAME...]|none  (real-drive quirk switches)
 *   emu media                             (the media names)
 * They work on the files of a disc no drive has open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

static const char *const status_names[] = { "blank", "appendable",
					    "complete", "other" };

static int emu_usage(void)
{
	return cli_usage_error(
		"usage: discctl emu create --media M [--capacity BLOCKS] IMAGE\n"
		"       discctl emu show IMAGE [--json]\n"
		"       discctl emu load|eject IMAGE\n"
		"       discctl emu fault IMAGE write-error=LBA|unreadable=A[-B]|"
		"power-loss-after=N|vanish-after=N|\n"
		"                                   media-change-after=N|never-ready|clear ...\n"
		"       discctl emu time-scale IMAGE X\n"
		"       discctl emu quirk IMAGE NAME[,NAME...]|none\n"
		"       discctl emu media");
}

static int emu_create(int argc, char **argv)
{
	const char *media = NULL, *image = NULL;
	uint64_t cap = 0;
	discfs_error err;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--media") && i + 1 < argc)
			media = argv[++i];
		else if (!strcmp(argv[i], "--capacity") && i + 1 < argc) {
			if (!cli_parse_u64(argv[++i], &cap) || !cap)
				return cli_usage_error("emu create: bad capacity "
						       "'%s'", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("emu create: unknown option '%s'",
					       argv[i]);
		else if (!image)
			image = argv[i];
		else
			return cli_usage_error("emu create: unexpected argument "
					       "'%s'", argv[i]);
	}
	if (!media || !image)
		return emu_usage();
	if (discfs_emu_create(image, media, cap, &err))
		return cli_report(&err, image);
	return 0;
}

static void show_text(const char *image, const discfs_emu_info *in)
{
	printf("image:       %s\n", image);
	printf("media:       %s (profile %04xh, %s)\n", in->media, in->profile,
	       discfs_profile_name(in->profile));
	printf("capacity:    %llu blocks\n",
	       (unsigned long long)in->capacity_blocks);
	printf("status:      %s\n", status_names[in->disc_status & 3]);
	printf("sessions:    %u complete\n", in->sessions);
	printf("tracks:      %u\n", in->tracks);
	printf("used:        %llu blocks\n", (unsigned long long)in->used_blocks);
	if (in->formatted_blocks)
		printf("formatted:   %llu blocks\n",
		       (unsigned long long)in->formatted_blocks);
	printf("tray:        %s\n", in->tray_open ? "open" : "closed");
	printf("time scale:  %g\n", in->time_scale);
	printf("faults:      %s\n", in->faults[0] ? in->faults : "none");
	printf("quirks:      %s\n", in->quirks);
}

static void show_json(const char *image, const discfs_emu_info *in)
{
	printf("{\"image\":");
	cli_json_str(image);
	printf(",\"media\":");
	cli_json_str(in->media);
	printf(",\"profile\":%u,\"capacity_blocks\":%llu,\"status\":",
	       in->profile, (unsigned long long)in->capacity_blocks);
	cli_json_str(status_names[in->disc_status & 3]);
	printf(",\"sessions\":%u,\"tracks\":%u,\"used_blocks\":%llu,"
	       "\"formatted_blocks\":%llu,\"tray_open\":%s,\"time_scale\":%g,"
	       "\"faults\":", in->sessions, in->tracks,
	       (unsigned long long)in->used_blocks,
	       (unsigned long long)in->formatted_blocks,
	       in->tray_open ? "true" : "false", in->time_scale);
	cli_json_str(in->faults);
	printf(",\"quirks\":");
	cli_json_str(in->quirks);
	printf("}\n");
}

static int emu_show(int argc, char **argv)
{
	const char *image = NULL;
	bool json = false;
	discfs_emu_info in;
	discfs_error err;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("emu show: unknown option '%s'",
					       argv[i]);
		else if (!image)
			image = argv[i];
		else
			return emu_usage();
	}
	if (!image)
		return emu_usage();
	if (discfs_emu_info_get(image, &in, &err))
		return cli_report(&err, image);
	if (json)
		show_json(image, &in);
	else
		show_text(image, &in);
	return 0;
}

static int emu_fault(int argc, char **argv)
{
	discfs_error err;
	if (argc < 4)
		return emu_usage();
	for (int i = 3; i < argc; i++)
		if (discfs_emu_fault(argv[2], argv[i], &err))
			return cli_report(&err, argv[2]);
	return 0;
}

static int emu_time_scale(int argc, char **argv)
{
	discfs_error err;
	char *end;
	if (argc != 4)
		return emu_usage();
	double x = strtod(argv[3], &end);
	if (*end || end == argv[3])
		return cli_usage_error("emu time-scale: bad number '%s'", argv[3]);
	if (discfs_emu_set_time_scale(argv[2], x, &err))
		return cli_report(&err, argv[2]);
	return 0;
}

static int emu_quirk(int argc, char **argv)
{
	discfs_error err;
	if (argc != 4)
		return emu_usage();
	if (discfs_emu_set_quirks(argv[2], argv[3], &err))
		return cli_report(&err, argv[2]);
	return 0;
}

int cmd_emu(int argc, char **argv)
{
	discfs_error err;
	if (argc < 2)
		return emu_usage();
	const char *sub = argv[1];
	if (!strcmp(sub, "create"))
		return emu_create(argc, argv);
	if (!strcmp(sub, "show"))
		return emu_show(argc, argv);
	if (!strcmp(sub, "fault"))
		return emu_fault(argc, argv);
	if (!strcmp(sub, "time-scale"))
		return emu_time_scale(argc, argv);
	if (!strcmp(sub, "quirk"))
		return emu_quirk(argc, argv);
	if (!strcmp(sub, "media") && argc == 2) {
		for (const char *const *n = discfs_emu_media_names(); *n; n++)
			printf("%s\n", *n);
		return 0;
	}
	if ((!strcmp(sub, "load") || !strcmp(sub, "eject")) && argc == 3) {
		if (discfs_emu_set_tray(argv[2], !strcmp(sub, "eject"), &err))
			return cli_report(&err, argv[2]);
		return 0;
	}
	return emu_usage();
}
