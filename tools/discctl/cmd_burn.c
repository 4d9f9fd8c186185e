/*
 * tools/discctl/cmd_burn.c - `discctl burn DEV[,DEV...] IMAGE|- [options]`.
 *
 *   --speed N            N times the medium's 1x (N <= 200), else kB/s
 *   --close              finalize the disc (no more sessions)
 *   --multisession       close the session, keep the disc appendable (default)
 *   --verify=quick|full  read back and compare afterwards (image files only)
 *   --dummy              test write: the laser stays off (CD-R/RW, DVD-R/RW)
 *   --dao                DVD-R/RW disc at once; CD session at once (cue sheet)
 *   --depth N            WRITE commands in flight (default 8)
 *   --json               machine-readable event stream on stdout
 *
 * Several drives separated by commas burn the same image at once.  Ctrl-C
 * stops safely and says what state each disc is in.
 *
 * When IMAGE is a directory, its tree is mastered as UDF in the layout the
 * medium needs (as `discctl mkimage --media M` would) and streamed to the
 * drive while it is produced: no intermediate image touches the disk.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/cli.h"
#include "tools/common/progress.h"
#include "tools/discctl/commands.h"

#define MAX_DRIVES 16

struct burn_args {
	char *devs[MAX_DRIVES];
	size_t n_devs;
	const char *image;
	uint64_t speed;
	bool json;
	discfs_burn_opts o;
};

static int usage(void)
{
	return cli_usage_error("usage: discctl burn DEV[,DEV...] IMAGE|DIR|- "
			       "[--speed N] [--close | --multisession] "
			       "[--verify=quick|full] [--dummy] [--dao] "
			       "[--depth N] [--json]");
}

static int split_devs(char *list, struct burn_args *a)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (a->n_devs == MAX_DRIVES)
			return cli_usage_error("at most %d drives", MAX_DRIVES);
		a->devs[a->n_devs++] = tok;
	}
	return a->n_devs ? 0 : usage();
}

static int parse_opt(const char *arg, const char *next, int *used,
		     struct burn_args *a)
{
	uint64_t v;
	*used = 1;
	if (!strcmp(arg, "--close"))
		a->o.close = DISCFS_CLOSE_DISC;
	else if (!strcmp(arg, "--multisession"))
		a->o.close = DISCFS_CLOSE_SESSION;
	else if (!strcmp(arg, "--verify=quick") || !strcmp(arg, "--verify"))
		a->o.verify = DISCFS_VERIFY_QUICK;
	else if (!strcmp(arg, "--verify=full"))
		a->o.verify = DISCFS_VERIFY_FULL;
	else if (!strcmp(arg, "--dummy"))
		a->o.dummy = true;
	else if (!strcmp(arg, "--dao"))
		a->o.dao = true;
	else if (!strcmp(arg, "--json"))
		a->json = true;
	else if (!strcmp(arg, "--speed") || !strcmp(arg, "--depth")) {
		if (!next || !cli_parse_u64(next, &v) || v == 0 || v > 1000000)
			return cli_usage_error("%s needs a positive number", arg);
		if (arg[2] == 's')
			a->speed = v;
		else if (v > 16)
			return cli_usage_error("--depth: 1 to 16");
		else
			a->o.depth = (unsigned)v;
		*used = 2;
	} else
		return cli_usage_error("burn: unknown option '%s'", arg);
	return 0;
}

static int parse(int argc, char **argv, struct burn_args *a)
{
	int pos = 0, rc;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc;) {
		int used = 1;
		if (argv[i][0] == '-' && argv[i][1]) {
			rc = parse_opt(argv[i], i + 1 < argc ? argv[i + 1] : NULL,
				       &used, a);
			if (rc)
				return rc;
		} else if (pos == 0) {
			if ((rc = split_devs(argv[i], a)))
				return rc;
			pos++;
		} else if (pos == 1) {
			a->image = argv[i];
			pos++;
		} else {
			return usage();
		}
		i += used;
	}
	if (pos != 2)
		return usage();
	if (a->o.verify && !strcmp(a->image, "-"))
		return cli_usage_error("--verify needs an image file, not "
				       "standard input");
	if (a->n_devs > 1 && !strcmp(a->image, "-"))
		return cli_usage_error("standard input can go to one drive only");
	return 0;
}

/* --speed N: small numbers are "x" of the medium in the first drive. */
static uint32_t speed_kbps(discfs_drive *d, uint64_t n)
{
	discfs_media_info mi;
	double one_x;

	if (!n)
		return 0;
	if (n > 200)
		return (uint32_t)n;
	if (discfs_media_info_get(d, &mi, NULL))
		return 0;
	one_x = mi.profile >= 0x40 ? 4500.0 : mi.profile >= 0x10 ? 1385.0
				   : 153.6;
	discfs_media_info_free(&mi);
	return (uint32_t)(n * one_x + 0.5);
}

static void report_one(const char *dev, const discfs_burn_result *r,
		       bool json, int rc, const discfs_error *err)
{
	double mb = (double)r->written_blocks * DISCFS_BLOCK_SIZE / 1e6;
	double x = r->rated_1x_bytes_per_s > 0
		   ? r->bytes_per_s / r->rated_1x_bytes_per_s : 0;

	if (json) {
		progress_json_result(rc == 0, err);
		printf(",\"drive\":");
		cli_json_str(dev);
		printf(",\"start_lba\":%u,\"written_blocks\":%llu,"
		       "\"image_bytes\":%llu,\"seconds\":%.3f,"
		       "\"bytes_per_s\":%.0f,\"x_speed\":%.2f,"
		       "\"busy_stalls\":%u,\"buffer_empty_seen\":%u,"
		       "\"flushed\":%s,\"closed\":%s,\"disc_status\":%d,"
		       "\"state\":", r->start_lba,
		       (unsigned long long)r->written_blocks,
		       (unsigned long long)r->image_bytes, r->write_seconds,
		       r->bytes_per_s, x, r->busy_stalls, r->buffer_empty_seen,
		       r->flushed ? "true" : "false",
		       r->closed ? "true" : "false", r->disc_status);
		cli_json_str(r->state);
		progress_json_result_end();
		return;
	}
	if (rc == 0)
		fprintf(stderr, "%s: %s: burned %.1f MB in %.1f s (%.1f MB/s, "
			"%.1fx); %s\n", cli_prog, dev, mb, r->write_seconds,
			r->bytes_per_s / 1e6, x, r->state);
	else if (r->state[0] && strncmp(r->state, "nothing written", 15))
		/* what reached the disc and the state it is in now */
		fprintf(stderr, "%s: %s: %s\n", cli_prog, dev, r->state);
}

/* The mastering media name for the drive's current profile, NULL if none;
 * *blank_cap: the capacity of a blank write-once medium, else 0. */
static const char *media_for(discfs_drive *d, uint64_t *blank_cap)
{
	static const struct { uint16_t profile; const char *media; } map[] = {
		{ 0x09, "cd-r" }, { 0x0A, "cd-rw" }, { 0x11, "dvd-r" },
		{ 0x12, "dvd-ram" }, { 0x13, "dvd-rw" }, { 0x14, "dvd-rw" },
		{ 0x15, "dvd-r" }, { 0x1A, "dvd+rw" }, { 0x1B, "dvd+r" },
		{ 0x2B, "dvd+r" }, { 0x41, "bd-r" }, { 0x42, "bd-r" },
		{ 0x43, "bd-re" },
	};
	discfs_media_info m;
	discfs_error err;
	const char *name = NULL;
	if (discfs_media_info_get(d, &m, &err))
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].profile == m.profile)
			name = map[i].media;
	bool write_once = name && (!strcmp(name, "cd-r") || !strcmp(name, "dvd-r") ||
				   !strcmp(name, "dvd+r") || !strcmp(name, "bd-r"));
	*blank_cap = write_once && !m.used_blocks ? m.capacity_blocks : 0;
	discfs_media_info_free(&m);
	return name;
}

/* Masters dir for the drive's medium and streams it to the drive. */
static int burn_tree(discfs_drive *d, const char *dir, const discfs_burn_opts *o,
		     discfs_burn_result *res, discfs_error *err)
{
	discfs_image_options io;
	discfs_image *img = NULL;
	discfs_image_stream *st = NULL;
	discfs_image_stats stats;
	int rc;

	discfs_image_options_init(&io);
	/* on a blank write-once disc the partition runs to its end, so that
	 * discfs (and the update API) can append to the volume later; only
	 * the tree and its VAT are recorded now */
	io.media = media_for(d, &io.volume_blocks);
	if (!io.media) {
		snprintf(err->msg, sizeof(err->msg),
			 "no writable medium to master %s for", dir);
		err->code = DISCFS_EWRONGMEDIA;
		return -DISCFS_EWRONGMEDIA;
	}
	if ((rc = discfs_image_open(dir, &io, &img, err)))
		return rc;
	discfs_image_stats_get(img, &stats);
	rc = discfs_image_stream_open(img, &st, err);
	if (!rc)
		rc = discfs_burn_producer(d, discfs_image_stream_read, st,
					  stats.blocks * DISCFS_BLOCK_SIZE, o,
					  res, err);
	if (st)
		discfs_image_stream_close(st);
	discfs_image_free(img);
	return rc;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return strcmp(path, "-") && !stat(path, &st) && S_ISDIR(st.st_mode);
}

int cmd_burn(int argc, char **argv)
{
	struct burn_args a;
	struct progress_ui ui;
	discfs_drive *d[MAX_DRIVES];
	discfs_burn_result res[MAX_DRIVES];
	const char *images[MAX_DRIVES];
	discfs_error err;
	size_t opened = 0;
	int rc;

	if ((rc = parse(argc, argv, &a)))
		return rc;
	if (is_dir(a.image) && a.n_devs > 1)
		return cli_usage_error("a directory burns to one drive at a time");
	for (; opened < a.n_devs; opened++)
		if (discfs_open(a.devs[opened], &d[opened], &err)) {
			rc = cli_report(&err, a.devs[opened]);
			goto out;
		}
	progress_init(&ui, a.json);
	a.o.progress = progress_cb;
	a.o.user = &ui;
	a.o.cancel = progress_install_sigint();
	a.o.speed_kbps = speed_kbps(d[0], a.speed);
	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < a.n_devs; i++)
		images[i] = a.image;
	if (is_dir(a.image) && a.n_devs == 1)
		rc = burn_tree(d[0], a.image, &a.o, &res[0], &err);
	else if (a.n_devs == 1)
		rc = discfs_burn_image(d[0], a.image, &a.o, &res[0], &err);
	else
		rc = discfs_burn_multi(d, a.n_devs, images, &a.o, res, &err);
	progress_end(&ui);
	for (size_t i = 0; i < a.n_devs; i++)
		report_one(a.devs[i], &res[i], a.json, rc, &err);
	if (rc)
		rc = a.json ? cli_exit_code(err.code)
			    : cli_report(&err, progress_interrupted()
						? "burn interrupted" : "burn");
out:
	for (size_t i = 0; i < opened; i++)
		discfs_close(d[i]);
	return rc;
}
