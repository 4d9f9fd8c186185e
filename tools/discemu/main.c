/*
 * tools/discemu/main.c - discemu: a virtual burner for any Linux with
 * target_core_user.  Attaches an emulated MMC drive (mmc/emu) to the
 * kernel through TCMU + tcm_loop, so every program sees a real /dev/srN and
 * /dev/sgN; loads and ejects disc images while it runs.  See discemu(1).
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmc/emu/emu.h"
#include "tools/common/cli.h"
#include "tools/discemu/ctl.h"
#include "tools/discemu/daemon.h"
#include "tools/discemu/lio.h"
#include "util/err.h"

#define DEFAULT_NAME "discemu0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: discemu start [--name NAME] [--create MEDIA [--blocks N]] [--time-scale S]\n"
		"                     [--quirk NAME[,NAME...]] [--trace FILE [--trace-data]]\n"
		"                     [--log FILE] [--foreground]\n"
		"                     IMAGE | --empty\n"
		"       discemu load [--name NAME] [--create MEDIA [--blocks N]] IMAGE\n"
		"       discemu eject [--name NAME]\n"
		"       discemu status [--name NAME]\n"
		"       discemu stop [--name NAME]\n"
		"\n"
		"start attaches an emulated burner holding IMAGE (an emulated disc image,\n"
		"made by --create or `discctl emu create`) as /dev/srN + /dev/sgN and prints\n"
		"\"SR=/dev/srN SG=/dev/sgN NAME=NAME\".  NAME defaults to " DEFAULT_NAME ".\n"
		"Media: ");
	for (const char *const *m = emu_media_names(); *m; m++)
		fprintf(f, "%s%s", *m, m[1] ? ", " : "\n");
}

struct opts {
	const char *name, *create, *trace, *log;
	uint64_t blocks;
	double time_scale;
	unsigned quirks;      /* enum emu_quirk bits for this run (not stored) */
	bool foreground, empty, trace_data;
	int attach_ms;
};

static int parse(int argc, char **argv, struct opts *o, int *first_arg)
{
	static const struct option longs[] = {
		{ "name", 1, 0, 'n' }, { "create", 1, 0, 'c' }, { "blocks", 1, 0, 'b' },
		{ "time-scale", 1, 0, 's' }, { "trace", 1, 0, 't' }, { "log", 1, 0, 'l' },
		{ "foreground", 0, 0, 'f' }, { "empty", 0, 0, 'e' }, { "attach-timeout", 1, 0, 'a' },
		{ "trace-data", 0, 0, 'd' }, { "quirk", 1, 0, 'q' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 } };
	*o = (struct opts){ .name = DEFAULT_NAME, .time_scale = -1, .attach_ms = 20000 };
	int c;
	uint64_t v;
	char *end;
	optind = 1;
	discfs_error err = { 0 };
	while ((c = getopt_long(argc, argv, "n:c:b:s:t:l:fea:dq:h", longs, NULL)) != -1) {
		switch (c) {
		case 'n': o->name = optarg; break;
		case 'c': o->create = optarg; break;
		case 'b':
			if (!cli_parse_u64(optarg, &o->blocks))
				return cli_usage_error("--blocks: not a number: %s", optarg);
			break;
		case 's':
			o->time_scale = strtod(optarg, &end);
			if (*end || end == optarg || o->time_scale < 0)
				return cli_usage_error("--time-scale: want a number >= 0: %s", optarg);
			break;
		case 't': o->trace = optarg; break;
		case 'l': o->log = optarg; break;
		case 'q':
			if (emu_quirks_parse(optarg, &o->quirks, &err))
				return cli_report(&err, "--quirk");
			break;
		case 'f': o->foreground = true; break;
		case 'e': o->empty = true; break;
		case 'd': o->trace_data = true; break;
		case 'a':
			if (!cli_parse_u64(optarg, &v) || v > 600000)
				return cli_usage_error("--attach-timeout: milliseconds, at most 600000");
			o->attach_ms = (int)v;
			break;
		case 'h': usage(stdout); exit(0);
		default: return 2;
		}
	}
	if (!lio_name_ok(o->name))
		return cli_usage_error("--name: 1 to %d letters, digits, '_' or '-'", LIO_NAME_MAX);
	*first_arg = optind;
	return 0;
}

/* Creates IMAGE when asked and absent; resolves it to an absolute path. */
static int prepare_image(const struct opts *o, const char *image, char *abs)
{
	discfs_error err = { 0 };
	char state[PATH_MAX];
	/* a ROM disc is made from an existing ISO: look for the state file */
	if (o->create && emu_state_path(image, state, sizeof state, &err) == 0 &&
	    access(state, F_OK) != 0) {
		if (emu_disc_create(image, o->create, o->blocks, &err) < 0)
			return cli_report(&err, "--create");
	}
	if (!realpath(image, abs)) {
		fprintf(stderr, "discemu: %s: %s\n", image, strerror(errno));
		return 3;
	}
	return 0;
}

static FILE *open_log(const char *path, const char *what)
{
	FILE *f = fopen(path, "a");
	if (!f)
		fprintf(stderr, "discemu: %s %s: %s\n", what, path, strerror(errno));
	else
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

/* Runs the daemon in this process; ready_fd as in daemon.h. */
static int run_daemon(const struct opts *o, const char *image, int ready_fd, FILE *log)
{
	struct discemu_config cfg = { .name = o->name, .image = image, .ready_fd = ready_fd,
				      .log = log, .attach_timeout_ms = o->attach_ms };
	emu_options_default(&cfg.opts);
	cfg.opts.time_scale = o->time_scale;
	cfg.opts.quirks = o->quirks;
	cfg.trace_data = o->trace_data;
	if (o->trace && !(cfg.trace = open_log(o->trace, "--trace")))
		return 1;
	discfs_error err = { 0 };
	int rc = discemu_run(&cfg, &err);
	if (cfg.trace)
		fclose(cfg.trace);
	return rc < 0 ? cli_report(&err, o->name) : 0;
}

static int start_background(const struct opts *o, const char *image)
{
	char logpath[300], line[600];
	int p[2];
	if (o->log)
		snprintf(logpath, sizeof logpath, "%s", o->log);
	else
		snprintf(logpath, sizeof logpath, "%s/%s.log", ctl_run_dir(), o->name);
	mkdir(ctl_run_dir(), 0755);
	if (pipe(p) < 0) {
		perror("discemu: pipe");
		return 1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("discemu: fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		setsid();
		if (chdir("/") < 0) { /* nothing holds a directory busy */ }
		int null = open("/dev/null", O_RDWR);
		FILE *log = open_log(logpath, "--log");
		dup2(null, 0);
		dup2(log ? fileno(log) : null, 1);
		dup2(log ? fileno(log) : null, 2);
		_exit(run_daemon(o, image, p[1], log));
	}
	close(p[1]);
	int got = ctl_read_line(p[0], line, sizeof line, o->attach_ms + 30000);
	close(p[0]);
	char sr[64], sg[64];
	int code;
	if (got == 0 && sscanf(line, "ok %63s %63s", sr, sg) == 2) {
		printf("SR=%s SG=%s NAME=%s\n", sr, sg, o->name);
		return 0;
	}
	if (got == 0 && sscanf(line, "error %d:", &code) == 1) {
		fprintf(stderr, "discemu: %s\n", strchr(line, ':') + 2);
		return cli_exit_code(code);
	}
	fprintf(stderr, "discemu: the daemon did not report (see %s)\n", logpath);
	return 1;
}

static int cmd_start(int argc, char **argv)
{
	struct opts o;
	int i, rc = parse(argc, argv, &o, &i);
	char abs[PATH_MAX];
	if (rc)
		return rc;
	if (o.empty == (i < argc))
		return cli_usage_error("start: give IMAGE or --empty");
	if (argc - i > 1)
		return cli_usage_error("start: one IMAGE");
	if (!o.empty && (rc = prepare_image(&o, argv[i], abs)))
		return rc;
	if (o.foreground) {
		FILE *log = o.log ? open_log(o.log, "--log") : stderr;
		if (!log)
			return 1;
		return run_daemon(&o, o.empty ? NULL : abs, -1, log);
	}
	return start_background(&o, o.empty ? NULL : abs);
}

/* Sends one request; prints the reply's key=value words one per line. */
static int request(const char *name, const char *line, bool print)
{
	char reply[CTL_LINE_MAX];
	discfs_error err = { 0 };
	if (ctl_request(name, line, reply, sizeof reply, &err) < 0)
		return cli_report(&err, NULL);
	if (strncmp(reply, "ok", 2)) {
		fprintf(stderr, "discemu: %s: %s\n", name, reply + (strncmp(reply, "error: ", 7) ? 0 : 7));
		return 1;
	}
	if (print)
		for (char *w = strtok(reply + 2, " "); w; w = strtok(NULL, " "))
			printf("%s\n", w);
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	struct opts o;
	int i, rc = parse(argc, argv, &o, &i);
	char abs[PATH_MAX], line[PATH_MAX + 8];
	if (rc)
		return rc;
	if (argc - i != 1)
		return cli_usage_error("load: one IMAGE");
	if ((rc = prepare_image(&o, argv[i], abs)))
		return rc;
	snprintf(line, sizeof line, "load %s", abs);
	return request(o.name, line, false);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int cmd_stop(int argc, char **argv)
{
	struct opts o;
	int i, rc = parse(argc, argv, &o, &i);
	if (rc)
		return rc;
	pid_t pid = ctl_live_pid(o.name);
	if (pid) {
		if (request(o.name, "stop", false))
			kill(pid, SIGTERM);
		for (int t = 0; t < 600 && kill(pid, 0) == 0; t++)
			sleep_ms(100);
		if (kill(pid, 0) == 0) {
			fprintf(stderr, "discemu: %s (pid %ld) did not stop\n", o.name, (long)pid);
			return 1;
		}
		return 0;
	}
	struct lio_target t;
	lio_init(&t, o.name);
	if (!lio_exists(&t)) {
		fprintf(stderr, "discemu: no emulated drive named '%s'\n", o.name);
		return 3;
	}
	lio_lun_remove(&t);
	lio_backstore_remove(&t);
	char sock[256], pidf[256];
	ctl_paths(o.name, sock, sizeof sock, pidf, sizeof pidf);
	unlink(sock);
	unlink(pidf);
	if (lio_exists(&t)) {
		fprintf(stderr, "discemu: could not remove the stale entries of '%s'\n", o.name);
		return 1;
	}
	printf("removed the stale entries of '%s'\n", o.name);
	return 0;
}

static int cmd_simple(int argc, char **argv, const char *req, bool print)
{
	struct opts o;
	int i, rc = parse(argc, argv, &o, &i);
	if (rc)
		return rc;
	if (i != argc)
		return cli_usage_error("%s: unexpected argument %s", argv[0], argv[i]);
	return request(o.name, req, print);
}

int main(int argc, char **argv)
{
	cli_prog = "discemu";
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *c = argv[1];
	if (!strcmp(c, "-h") || !strcmp(c, "--help") || !strcmp(c, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(c, "--version")) {
		printf("discemu %s\n", DISCFS_VERSION);
		return 0;
	}
	if (!strcmp(c, "start"))
		return cmd_start(argc - 1, argv + 1);
	if (!strcmp(c, "load"))
		return cmd_load(argc - 1, argv + 1);
	if (!strcmp(c, "stop"))
		return cmd_stop(argc - 1, argv + 1);
	if (!strcmp(c, "eject"))
		return cmd_simple(argc - 1, argv + 1, "eject", false);
	if (!strcmp(c, "status"))
		return cmd_simple(argc - 1, argv + 1, "status", true);
	return cli_usage_error("unknown command '%s' (try discemu --help)", c);
}
