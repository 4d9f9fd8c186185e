/* fused/options.c - see options.h */
#include "fused/options.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fused/loop.h"
#include "tools/common/cli.h"

enum { KEY_KEEP, KEY_ALLOW_OTHER, KEY_HELP, KEY_VERSION, KEY_FG, KEY_DEBUG };

struct parse_state {
	struct dfs_options *o;
	char *capacity;
	int bad;
};

#define OPT(t, f, v) { t, offsetof(struct parse_state, f), v }
static const struct fuse_opt spec[] = {
	FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_KEY("-f", KEY_FG),
	FUSE_OPT_KEY("-d", KEY_DEBUG),
	FUSE_OPT_KEY("debug", KEY_DEBUG),
	OPT("capacity=%s", capacity, 0),
	FUSE_OPT_END
};

static int proc(void *data, const char *arg, int key, struct fuse_args *out)
{
	struct parse_state *ps = data;
	struct dfs_options *o = ps->o;

	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		if (!o->dev)
			o->dev = strdup(arg);
		else if (!o->mountpoint)
			o->mountpoint = strdup(arg);
		else {
			cli_usage_error("unexpected argument '%s'", arg);
			ps->bad = 1;
		}
		return 0;
	case KEY_ALLOW_OTHER:
		o->allow_other = 1;
		return 1;
	case KEY_HELP: o->show_help = 1; return 0;
	case KEY_VERSION: o->show_version = 1; return 0;
	case KEY_FG: o->foreground = 1; return 0;
	case KEY_DEBUG: o->debug = o->foreground = 1; return 1;
	default:
		break;
	}
	/* Our own -o options, by prefix (fuse_opt's %s/%u would also work). */
	if (!strncmp(arg, "staging=", 8)) {
		free(o->staging);
		o->staging = strdup(arg + 8);
		return 0;
	}
	if (!strncmp(arg, "commit_idle=", 12)) {
		uint64_t v;
		if (!cli_parse_u64(arg + 12, &v) || v > 86400 * 365) {
			cli_usage_error("bad commit_idle '%s' (seconds)", arg + 12);
			ps->bad = 1;
		}
		o->commit_idle = (unsigned)v;
		return 0;
	}
	if (!strncmp(arg, "threads=", 8)) {
		uint64_t v;
		if (!cli_parse_u64(arg + 8, &v) || v < 1 || v > 64) {
			cli_usage_error("bad threads '%s' (1..64)", arg + 8);
			ps->bad = 1;
		}
		o->threads = (unsigned)v;
		return 0;
	}
	if (!strcmp(arg, "writeback") || !strcmp(arg, "nowriteback")) {
		o->writeback = arg[0] == 'w';
		return 0;
	}
	if (!strncmp(arg, "spin=", 5)) {
		uint64_t v;
		if (!cli_parse_u64(arg + 5, &v) || v > 10000) {
			cli_usage_error("bad spin '%s' (microseconds, 0..10000)", arg + 5);
			ps->bad = 1;
		}
		o->spin_us = (unsigned)v;
		return 0;
	}
	if (!strcmp(arg, "follow_cpu") || !strcmp(arg, "nofollow_cpu")) {
		o->follow_cpu = arg[0] == 'f';
		return 0;
	}
	if (!strcmp(arg, "no_commit_on_unmount")) {
		o->no_commit_on_unmount = 1;
		return 0;
	}
	if (!strcmp(arg, "close_on_unmount")) {
		o->close_on_unmount = 1;
		return 0;
	}
	if (!strcmp(arg, "import")) {
		o->import_iso = 1;
		return 0;
	}
	return 1;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end || v == 0)
		return -1;
	*out = v;
	return 0;
}

int dfs_options_parse(int argc, char **argv, struct dfs_options *o,
		      struct fuse_args *fa)
{
	struct parse_state ps = { .o = o };

	memset(o, 0, sizeof(*o));
	o->capacity = 1ull << 30;
	o->threads = 1;
	o->spin_us = DFS_SPIN_US_DEFAULT;
	*fa = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	if (fuse_opt_parse(fa, &ps, spec, proc) < 0)
		return -1;
	if (ps.capacity && parse_size(ps.capacity, &o->capacity) < 0) {
		cli_usage_error("bad capacity '%s' (bytes, K/M/G suffix)", ps.capacity);
		ps.bad = 1;
	}
	free(ps.capacity);
	if (o->close_on_unmount && o->no_commit_on_unmount) {
		/* closing needs the staged changes on the disc first */
		cli_usage_error("close_on_unmount and no_commit_on_unmount "
				"exclude each other");
		ps.bad = 1;
	}
	if (ps.bad)
		return -1;
	if (o->show_help || o->show_version)
		return 0;
	if (!o->dev || !o->mountpoint) {
		cli_usage_error("usage: discfs DEV MOUNTPOINT [-f] [-o options] "
				"(try discfs --help)");
		return -1;
	}
	if (fuse_opt_add_arg(fa, "-odefault_permissions") < 0)
		return -1;
	return 0;
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int dfs_default_staging(struct dfs_options *o)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char real[PATH_MAX], id[200], path[PATH_MAX + 300];
	const char *src = realpath(o->dev, real) ? real : o->dev;
	size_t j = 0;

	/* One staging directory per disc: named after its device or image. */
	for (const char *p = src; *p && j < sizeof(id) - 1; p++) {
		if (*p == '/' && j == 0)
			continue;
		id[j++] = (*p == '/' || *p == ':') ? '_' : *p;
	}
	id[j] = '\0';
	if (xdg && *xdg == '/')
		snprintf(path, sizeof(path), "%s/discfs/%s", xdg, id);
	else if (home && *home == '/')
		snprintf(path, sizeof(path), "%s/.cache/discfs/%s", home, id);
	else
		return -1;
	if (mkdir_p(path) < 0)
		return -1;
	o->staging = strdup(path);
	return o->staging ? 0 : -1;
}

void dfs_usage(FILE *f)
{
	fprintf(f,
		"usage: discfs DEV MOUNTPOINT [-f] [-d] [-o opt[,opt...]]\n"
		"\n"
		"Shows the disc in DEV as a writable folder at MOUNTPOINT.\n"
		"Changes are staged on local disk and committed to the disc on\n"
		"`discctl commit MOUNTPOINT`, fsync of the mount's root, unmount,\n"
		"or after commit_idle seconds without changes.\n"
		"\n"
		"DEV: /dev/srN, /dev/sgN, emu:PATH, an emulated disc image, or\n"
		"     'none' (no disc: staging only, for tests; commits fail)\n"
		"\n"
		"options:\n"
		"  -f                     stay in the foreground\n"
		"  -d, -o debug           print every request (implies -f)\n"
		"  -o staging=DIR         staging directory (default\n"
		"                         $XDG_CACHE_HOME/discfs/<disc>)\n"
		"  -o commit_idle=N       commit after N idle seconds (0: never)\n"
		"  -o no_commit_on_unmount  leave changes staged at unmount\n"
		"  -o close_on_unmount    commit, then close (finalize) a write-once\n"
		"                         disc at unmount (off: each close costs space)\n"
		"  -o import              an appendable write-once disc holding only\n"
		"                         ISO9660: writable; the first commit adds a UDF\n"
		"                         session showing the ISO files (not copied)\n"
		"  -o capacity=BYTES      size of DEV 'none' (default 1G)\n"
		"  -o threads=N           FUSE worker threads (default 1)\n"
		"  -o writeback           kernel writeback cache (default off)\n"
		"  -o spin=US             look for the next request this long before\n"
		"                         sleeping (default 50; 0: sleep at once)\n"
		"  -o follow_cpu          move the daemon to its one busy client's CPU\n"
		"  -o allow_other         let other users in (needs\n"
		"                         user_allow_other in /etc/fuse.conf)\n");
}
