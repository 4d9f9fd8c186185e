/*
 * tools/discctl/cmd_ls.c - discctl ls IMAGE|DEV [PATH] [-l] [-R]
 *
 * Lists a directory of a UDF volume (or one file).  -l adds mode, link
 * count, owner, size, modification time (UTC) and symlink targets; -R
 * lists everything below PATH with paths relative to it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

struct ls_ctx {
	discfs_volume *vol;
	const char *base;
	bool lng;
};

static void mode_string(uint32_t m, char out[11])
{
	const char *rwx = "rwxrwxrwx";
	out[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISBLK(m) ? 'b'
		 : S_ISCHR(m) ? 'c' : S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's' : '-';
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (1u << (8 - i))) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = 0;
}

static void print_id(uint32_t id)
{
	if (id == 0xFFFFFFFFu)
		printf(" %5s", "-");
	else
		printf(" %5u", id);
}

static int print_entry(struct ls_ctx *c, const char *name, const char *full,
		       const discfs_stat *st)
{
	if (!c->lng) {
		printf("%s\n", name);
		return 0;
	}
	char mode[11], when[32];
	struct tm tm;
	time_t t = (time_t)st->mtime;
	mode_string(st->mode, mode);
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	else
		snprintf(when, sizeof(when), "?");
	printf("%s %3u", mode, st->nlink);
	print_id(st->uid);
	print_id(st->gid);
	printf(" %12llu %s %s", (unsigned long long)st->size, when, name);
	if (S_ISLNK(st->mode)) {
		char target[4096];
		discfs_error err = { 0 };
		if (discfs_volume_readlink(c->vol, full, target, sizeof(target),
					   &err) == 0)
			printf(" -> %s", target);
		else
			printf(" -> ? (%s)", err.msg);
	}
	putchar('\n');
	return 0;
}

static void join(char *out, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a);
	snprintf(out, cap, "%s%s%s", a, la && a[la - 1] != '/' ? "/" : "", b);
}

static int ls_one(void *user, const char *name, const discfs_stat *st)
{
	struct ls_ctx *c = user;
	char full[8192];
	join(full, sizeof(full), c->base, name);
	return print_entry(c, name, full, st);
}

static int ls_walk(void *user, const char *rel, const discfs_stat *st)
{
	struct ls_ctx *c = user;
	char full[8192];
	if (!*rel)
		return 0; /* the start directory itself */
	join(full, sizeof(full), c->base, rel);
	return print_entry(c, rel, full, st);
}

int cmd_ls(int argc, char **argv)
{
	const char *dev = NULL, *path = "/";
	bool lng = false, rec = false;
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l"))
			lng = true;
		else if (!strcmp(argv[i], "-R"))
			rec = true;
		else if (!strcmp(argv[i], "-lR") || !strcmp(argv[i], "-Rl"))
			lng = rec = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("ls: unknown option '%s'", argv[i]);
		else if (npos == 0)
			dev = argv[i], npos++;
		else if (npos == 1)
			path = argv[i], npos++;
		else
			return cli_usage_error("ls: too many arguments");
	}
	if (!dev)
		return cli_usage_error("usage: discctl ls IMAGE|DEV [PATH] [-l] [-R]");

	discfs_error err = { 0 };
	discfs_volume *vol;
	discfs_stat st;
	int rc = discfs_volume_open(dev, &vol, &err);
	if (rc)
		return cli_report(&err, dev);
	struct ls_ctx c = { vol, path, lng };
	rc = discfs_volume_stat(vol, path, &st, &err);
	if (rc == 0 && !S_ISDIR(st.mode))
		rc = print_entry(&c, path, path, &st);
	else if (rc == 0 && rec)
		rc = discfs_volume_walk(vol, path, ls_walk, &c, &err);
	else if (rc == 0)
		rc = discfs_volume_readdir(vol, path, ls_one, &c, &err);
	discfs_volume_close(vol);
	if (rc < 0)
		return cli_report(&err, path);
	return 0;
}
