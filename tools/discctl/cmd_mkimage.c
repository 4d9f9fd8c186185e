/*
 * tools/discctl/cmd_mkimage.c - `discctl mkimage DIR -o IMAGE [options]`:
 * master a UDF (optionally UDF + ISO9660/Joliet) image of a directory.
 * Prints one summary line; any failure is one line on stderr and a
 * non-zero exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

#define MKIMAGE_USAGE                                                           \
	"usage: discctl mkimage DIR -o IMAGE [--udf 1.02|1.50|2.00|2.01|2.50|2.60]\n" \
	"       [--media cd-r|cd-rw|dvd-r|dvd+r|dvd-rw|dvd+rw|dvd-ram|bd-r|bd-re|hdd|...]\n" \
	"       [--iso9660 [--joliet]] [--label L] [--time UNIX_SECONDS] [--tz MINUTES]\n" \
	"       [--boot BIOS_IMAGE] [--efi-boot EFI_IMAGE]   (paths inside DIR)\n" \
	"       [--no-xattrs]   (extended attributes are recorded by default)\n" \
	"       [--size BLOCKS] (rewritable media: the volume fills BLOCKS 2048-byte\n" \
	"                        blocks, the rest free for later sessions)"

static const char *layout_name(int l)
{
	switch (l) {
	case DISCFS_LAYOUT_VAT: return "VAT";
	case DISCFS_LAYOUT_SPARING: return "sparable";
	case DISCFS_LAYOUT_METADATA: return "metadata partition";
	default: return "plain";
	}
}

static bool parse_rev(const char *s, unsigned *rev)
{
	static const struct { const char *s; unsigned r; } revs[] = {
		{ "1.02", 0x0102 }, { "1.50", 0x0150 }, { "2.00", 0x0200 },
		{ "2.01", 0x0201 }, { "2.50", 0x0250 }, { "2.60", 0x0260 },
	};
	for (size_t i = 0; i < sizeof revs / sizeof revs[0]; i++)
		if (!strcmp(s, revs[i].s)) {
			*rev = revs[i].r;
			return true;
		}
	return false;
}

static bool parse_int(const char *s, long long min, long long max, long long *v)
{
	char *end;
	long long x = strtoll(s, &end, 10);
	if (!*s || *end || x < min || x > max)
		return false;
	*v = x;
	return true;
}

/* Parses the options; returns 0 or the usage exit code. */
static int parse_args(int argc, char **argv, discfs_image_options *o,
		      const char **dir, const char **out)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		long long n;
		bool takes = !strcmp(a, "-o") || !strcmp(a, "--udf") ||
			     !strcmp(a, "--media") || !strcmp(a, "--label") ||
			     !strcmp(a, "--time") || !strcmp(a, "--tz") ||
			     !strcmp(a, "--boot") || !strcmp(a, "--efi-boot") ||
			     !strcmp(a, "--size");
		if (takes && !v)
			return cli_usage_error("mkimage: %s needs a value", a);
		if (takes)
			i++;
		if (!strcmp(a, "-o")) {
			*out = v;
		} else if (!strcmp(a, "--udf")) {
			if (!parse_rev(v, &o->udf_revision))
				return cli_usage_error("mkimage: unknown UDF revision '%s'", v);
		} else if (!strcmp(a, "--media")) {
			o->media = v;
		} else if (!strcmp(a, "--label")) {
			o->label = v;
		} else if (!strcmp(a, "--time")) {
			if (!parse_int(v, -62135596800LL, 253402300799LL, &n))
				return cli_usage_error("mkimage: bad --time '%s'", v);
			o->fixed_time_set = true;
			o->fixed_time = n;
		} else if (!strcmp(a, "--tz")) {
			if (!parse_int(v, -1440, 1440, &n))
				return cli_usage_error("mkimage: bad --tz '%s' (minutes east of UTC)", v);
			o->tz_minutes = (int)n;
		} else if (!strcmp(a, "--boot")) {
			o->boot_bios = v;
		} else if (!strcmp(a, "--efi-boot")) {
			o->boot_efi = v;
		} else if (!strcmp(a, "--iso9660")) {
			o->iso9660 = true;
		} else if (!strcmp(a, "--joliet")) {
			o->joliet = true;
		} else if (!strcmp(a, "--size")) {
			if (!parse_int(v, 1, 0xFFFFFFFFLL, &n))
				return cli_usage_error("mkimage: bad --size '%s' (2048-byte blocks)", v);
			o->volume_blocks = (uint64_t)n;
		} else if (!strcmp(a, "--no-xattrs")) {
			o->no_xattrs = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			puts(MKIMAGE_USAGE);
			exit(0);
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("mkimage: unknown option '%s'", a);
		} else if (!*dir) {
			*dir = a;
		} else {
			return cli_usage_error("mkimage: unexpected argument '%s'", a);
		}
	}
	if (!*dir || !*out)
		return cli_usage_error("%s", MKIMAGE_USAGE);
	if (o->joliet && !o->iso9660)
		return cli_usage_error("mkimage: --joliet needs --iso9660");
	if ((o->boot_bios || o->boot_efi) && !o->iso9660)
		return cli_usage_error("mkimage: --boot/--efi-boot need --iso9660");
	return 0;
}

int cmd_mkimage(int argc, char **argv)
{
	discfs_image_options o;
	discfs_image_stats st;
	discfs_image *img;
	discfs_error err;
	const char *dir = NULL, *out = NULL;
	int rc;

	discfs_image_options_init(&o);
	if ((rc = parse_args(argc, argv, &o, &dir, &out)))
		return rc;
	if (discfs_image_open(dir, &o, &img, &err))
		return cli_report(&err, "mkimage");
	rc = discfs_image_write(img, out, &err);
	discfs_image_stats_get(img, &st);
	discfs_image_free(img);
	if (rc)
		return cli_report(&err, "mkimage");
	printf("%s: %llu blocks, UDF %x.%02x %s%s, %llu files, %llu dirs, "
	       "%llu symlinks, %llu bytes",
	       out, (unsigned long long)st.blocks, st.udf_revision >> 8,
	       st.udf_revision & 0xFF, layout_name(st.layout),
	       o.iso9660 ? (o.joliet ? " + ISO9660/Joliet" : " + ISO9660") : "",
	       (unsigned long long)st.files, (unsigned long long)st.dirs,
	       (unsigned long long)st.symlinks, (unsigned long long)st.data_bytes);
	if (st.skipped)
		printf(", %llu device nodes not recorded", (unsigned long long)st.skipped);
	putchar('\n');
	return 0;
}
