/*
 * tools/discctl/cmd_extract.c - discctl extract IMAGE|DEV [PATH] -o DIR
 *
 * Copies a file or a directory tree out of a UDF volume: regular files
 * (hard links as hard links), directories, symlinks (as symlinks), FIFOs;
 * permission bits and
 * modification/access times; owners only when run as root and recorded;
 * the extended attributes recorded on files and directories (user.*
 * always, others only as root), with a warning for each the target
 * cannot keep.
 * Devices are made as root (from their recorded numbers), else skipped
 * with a warning, as are sockets.  Directory modes and
 * times are applied after their contents.  Nothing is ever written through
 * a symlink: files are created with O_NOFOLLOW and an existing non-directory
 * where a directory should go is an error.  A failed entry is reported and
 * the rest is still extracted; the exit code is then non-zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tools/common/cli.h"
#include "tools/discctl/commands.h"

#define CHUNK (1u << 20)

struct dir_fix {
	char *path;
	discfs_stat st;
};

struct linked {
	uint64_t ino;
	char *path;
};

struct ex_ctx {
	discfs_volume *vol;
	const char *src;     /* PATH inside the volume */
	const char *out;     /* DIR */
	bool as_root;
	int failures;
	struct dir_fix *dirs;
	size_t n_dirs, cap_dirs;
	struct linked *links;      /* files with nlink > 1 already extracted */
	size_t n_links, cap_links;
	uint8_t *buf;
};

static void join(char *o, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a);
	if (!*b)
		snprintf(o, cap, "%s", a);
	else
		snprintf(o, cap, "%s%s%s", a, la && a[la - 1] != '/' ? "/" : "", b);
}

static int fail_entry(struct ex_ctx *c, const char *what, const char *msg)
{
	fprintf(stderr, "%s: extract: %s: %s\n", cli_prog, what, msg);
	c->failures++;
	return 0; /* keep going */
}

static void set_times(const char *path, const discfs_stat *st)
{
	struct timespec ts[2] = {
		{ .tv_sec = st->atime, .tv_nsec = st->atime_nsec },
		{ .tv_sec = st->mtime, .tv_nsec = st->mtime_nsec },
	};
	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static void set_owner(struct ex_ctx *c, const char *path, const discfs_stat *st)
{
	if (!c->as_root || st->uid == 0xFFFFFFFFu || st->gid == 0xFFFFFFFFu)
		return;
	if (lchown(path, st->uid, st->gid) < 0)
		fprintf(stderr, "%s: extract: %s: chown: %s\n", cli_prog, path,
			strerror(errno));
}

struct xattr_to {
	struct ex_ctx *c;
	const char *dst;
};

static int put_xattr(void *user, const char *name, const void *value,
		     size_t len)
{
	struct xattr_to *t = user;

	if (strncmp(name, "user.", 5) && !t->c->as_root)
		return 0; /* trusted.*, security.*: the kernel's to allow */
	if (lsetxattr(t->dst, name, value, len, 0) < 0)
		fprintf(stderr, "%s: extract: %s: extended attribute %s not "
			"kept: %s\n", cli_prog, t->dst, name, strerror(errno));
	return 0;
}

/* Recorded xattrs of in, onto dst (a file or a directory just made). */
static void set_xattrs(struct ex_ctx *c, const char *in, const char *dst,
		       const discfs_stat *st)
{
	struct xattr_to t = { c, dst };
	discfs_error err = { 0 };

	if (!(st->flags & DISCFS_STAT_XATTRS))
		return;
	if (discfs_volume_xattrs(c->vol, in, put_xattr, &t, &err) < 0)
		fail_entry(c, in, err.msg);
}

static int copy_file(struct ex_ctx *c, const char *in, const char *dst,
		     const discfs_stat *st)
{
	discfs_error err = { 0 };
	discfs_file *f;
	int rc = discfs_file_open(c->vol, in, &f, &err);
	if (rc)
		return fail_entry(c, in, err.msg);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	if (fd < 0) {
		discfs_file_close(f);
		return fail_entry(c, dst, strerror(errno));
	}
	for (uint64_t off = 0; off < st->size;) {
		size_t got = 0;
		if ((rc = discfs_file_read(f, off, c->buf, CHUNK, &got, &err)))
			break;
		if (!got) {
			snprintf(err.msg, sizeof(err.msg), "unexpected end of file");
			rc = -1;
			break;
		}
		for (size_t w = 0; w < got;) {
			ssize_t n = write(fd, c->buf + w, got - w);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				snprintf(err.msg, sizeof(err.msg), "write: %s",
					 strerror(errno));
				rc = -1;
				break;
			}
			w += (size_t)n;
		}
		if (rc)
			break;
		off += got;
	}
	if (close(fd) < 0 && !rc) {
		snprintf(err.msg, sizeof(err.msg), "close: %s", strerror(errno));
		rc = -1;
	}
	discfs_file_close(f);
	if (rc)
		return fail_entry(c, in, err.msg);
	set_xattrs(c, in, dst, st); /* before the mode: 0444 refuses them */
	set_owner(c, dst, st);
	chmod(dst, st->mode & 07777);
	set_times(dst, st);
	return 0;
}

static int make_dir(struct ex_ctx *c, const char *dst, const discfs_stat *st)
{
	struct stat ls;
	if (mkdir(dst, 0700) < 0 && errno != EEXIST)
		return fail_entry(c, dst, strerror(errno));
	if (lstat(dst, &ls) < 0 || !S_ISDIR(ls.st_mode))
		return fail_entry(c, dst, "exists and is not a directory");
	if (c->n_dirs == c->cap_dirs) {
		size_t nc = c->cap_dirs ? c->cap_dirs * 2 : 64;
		struct dir_fix *nd = realloc(c->dirs, nc * sizeof(*nd));
		if (!nd)
			return fail_entry(c, dst, "out of memory");
		c->dirs = nd;
		c->cap_dirs = nc;
	}
	char *p = strdup(dst);
	if (!p)
		return fail_entry(c, dst, "out of memory");
	c->dirs[c->n_dirs++] = (struct dir_fix){ p, *st };
	return 0;
}

static int make_link(struct ex_ctx *c, const char *in, const char *dst,
		     const discfs_stat *st)
{
	char target[4096];
	discfs_error err = { 0 };
	if (discfs_volume_readlink(c->vol, in, target, sizeof(target), &err))
		return fail_entry(c, in, err.msg);
	if (symlink(target, dst) < 0)
		return fail_entry(c, dst, strerror(errno));
	set_owner(c, dst, st);
	set_times(dst, st);
	return 0;
}

/* True when every directory between DIR and rel's last component is a
 * real directory (not a symlink someone planted in DIR). */
static bool parents_are_dirs(const struct ex_ctx *c, const char *rel)
{
	char p[8192];
	size_t n = strlen(c->out);
	if (n >= sizeof(p))
		return false;
	memcpy(p, c->out, n + 1);
	for (const char *s = rel, *slash; (slash = strchr(s, '/')); s = slash + 1) {
		struct stat ls;
		if (n + 1 + (size_t)(slash - s) + 1 > sizeof(p))
			return false;
		p[n++] = '/';
		memcpy(p + n, s, (size_t)(slash - s));
		n += (size_t)(slash - s);
		p[n] = 0;
		if (lstat(p, &ls) < 0 || !S_ISDIR(ls.st_mode))
			return false;
	}
	return true;
}

/* A second name of an already extracted file becomes a hard link. */
static bool link_known(struct ex_ctx *c, const char *dst, const discfs_stat *st)
{
	for (size_t i = 0; i < c->n_links; i++)
		if (c->links[i].ino == st->ino)
			return link(c->links[i].path, dst) == 0;
	return false;
}

static void remember_link(struct ex_ctx *c, const char *dst, const discfs_stat *st)
{
	if (c->n_links == c->cap_links) {
		size_t nc = c->cap_links ? c->cap_links * 2 : 16;
		struct linked *nl = realloc(c->links, nc * sizeof(*nl));
		if (!nl)
			return;
		c->links = nl;
		c->cap_links = nc;
	}
	char *p = strdup(dst);
	if (p)
		c->links[c->n_links++] = (struct linked){ st->ino, p };
}

static int ex_one(void *user, const char *rel, const discfs_stat *st)
{
	struct ex_ctx *c = user;
	char in[8192], dst[8192];
	join(in, sizeof(in), c->src, rel);
	join(dst, sizeof(dst), c->out, rel);
	if (!parents_are_dirs(c, rel))
		return fail_entry(c, dst, "a parent is not a directory; skipped");
	if (S_ISDIR(st->mode)) {
		int rc = make_dir(c, dst, st);
		if (rc == 0)
			set_xattrs(c, in, dst, st);
		return rc;
	}
	if (S_ISREG(st->mode) && st->nlink > 1 && link_known(c, dst, st))
		return 0;
	if (S_ISREG(st->mode)) {
		int rc = copy_file(c, in, dst, st);
		if (st->nlink > 1)
			remember_link(c, dst, st);
		return rc;
	}
	if (S_ISLNK(st->mode))
		return make_link(c, in, dst, st);
	if (S_ISFIFO(st->mode)) {
		if (mkfifo(dst, st->mode & 07777) < 0)
			return fail_entry(c, dst, strerror(errno));
		set_times(dst, st);
		return 0;
	}
	if ((S_ISBLK(st->mode) || S_ISCHR(st->mode)) && c->as_root) {
		dev_t dev = makedev(st->rdev_major, st->rdev_minor);
		if (mknod(dst, st->mode & (S_IFMT | 07777), dev) < 0)
			return fail_entry(c, dst, strerror(errno));
		set_owner(c, dst, st);
		set_times(dst, st);
		return 0;
	}
	fprintf(stderr, "%s: extract: %s: %s skipped\n", cli_prog, in,
		S_ISSOCK(st->mode) ? "socket" : "device (needs root)");
	return 0;
}

/* Applies modes and times to directories, deepest (last created) first. */
static void fix_dirs(struct ex_ctx *c)
{
	for (size_t i = c->n_dirs; i-- > 0;) {
		set_owner(c, c->dirs[i].path, &c->dirs[i].st);
		chmod(c->dirs[i].path, c->dirs[i].st.mode & 07777);
		set_times(c->dirs[i].path, &c->dirs[i].st);
		free(c->dirs[i].path);
	}
	free(c->dirs);
}

int cmd_extract(int argc, char **argv)
{
	const char *dev = NULL, *path = "/", *out = NULL;
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			if (++i == argc)
				return cli_usage_error("extract: -o needs a directory");
			out = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("extract: unknown option '%s'", argv[i]);
		} else if (npos == 0) {
			dev = argv[i], npos++;
		} else if (npos == 1) {
			path = argv[i], npos++;
		} else {
			return cli_usage_error("extract: too many arguments");
		}
	}
	if (!dev || !out)
		return cli_usage_error("usage: discctl extract IMAGE|DEV [PATH] -o DIR");

	discfs_error err = { 0 };
	discfs_volume *vol;
	discfs_stat st;
	int rc = discfs_volume_open(dev, &vol, &err);
	if (rc)
		return cli_report(&err, dev);
	struct ex_ctx c = { .vol = vol, .src = path, .out = out,
			    .as_root = geteuid() == 0, .buf = malloc(CHUNK) };
	if (!c.buf) {
		discfs_volume_close(vol);
		fprintf(stderr, "%s: extract: out of memory\n", cli_prog);
		return 1;
	}
	rc = discfs_volume_stat(vol, path, &st, &err);
	if (rc == 0 && !S_ISDIR(st.mode)) {
		/* One file: DIR is the directory to put it in. */
		const char *base = strrchr(path, '/');
		char dst[8192];
		base = base ? base + 1 : path;
		if (mkdir(out, 0755) < 0 && errno != EEXIST)
			fail_entry(&c, out, strerror(errno));
		join(dst, sizeof(dst), out, base);
		rc = S_ISLNK(st.mode) ? make_link(&c, path, dst, &st)
				      : copy_file(&c, path, dst, &st);
	} else if (rc == 0) {
		rc = discfs_volume_walk(vol, path, ex_one, &c, &err);
	}
	fix_dirs(&c);
	for (size_t i = 0; i < c.n_links; i++)
		free(c.links[i].path);
	free(c.links);
	free(c.buf);
	discfs_volume_close(vol);
	if (rc < 0)
		return cli_report(&err, path);
	return c.failures ? 1 : 0;
}
