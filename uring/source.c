/* uring/source.c - see source.h */
#include "uring/source.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

enum src_kind { SRC_FILE, SRC_FD, SRC_PRODUCER };

struct dfs_source {
	enum src_kind kind;
	int fd;
	bool own_fd;
	bool size_known;
	bool ended;
	uint64_t size;
	uint64_t pos;
	dfs_produce_fn fn;
	void *user;
	char name[256];
};

static struct dfs_source *src_new(enum src_kind kind, const char *name)
{
	struct dfs_source *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->kind = kind;
	s->fd = -1;
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

int dfs_source_open_file(const char *path, struct dfs_source **out,
			 discfs_error *err)
{
	struct stat st;
	struct dfs_source *s;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return dfs_fail_errno(err, errno == ENOENT ? DISCFS_ENOENT
					   : DISCFS_EIO, errno, "%s", path);
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return dfs_fail_errno(err, DISCFS_EIO, e, "%s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return dfs_fail(err, DISCFS_EINVAL, "%s: is a directory", path);
	}
	s = src_new(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) ? SRC_FILE
								: SRC_FD, path);
	if (!s) {
		close(fd);
		return dfs_fail(err, DISCFS_ENOMEM, "source");
	}
	s->fd = fd;
	s->own_fd = true;
	if (S_ISREG(st.st_mode)) {
		s->size = (uint64_t)st.st_size;
		s->size_known = true;
	} else if (S_ISBLK(st.st_mode)) {
		uint64_t bytes = 0;
		if (ioctl(fd, BLKGETSIZE64, &bytes) == 0) {
			s->size = bytes;
			s->size_known = true;
		}
	}
	*out = s;
	return 0;
}

int dfs_source_from_fd(int fd, struct dfs_source **out, discfs_error *err)
{
	struct dfs_source *s;
	if (fd < 0)
		return dfs_fail(err, DISCFS_EINVAL, "source: bad descriptor");
	s = src_new(SRC_FD, fd == 0 ? "standard input" : "pipe");
	if (!s)
		return dfs_fail(err, DISCFS_ENOMEM, "source");
	s->fd = fd;
	*out = s;
	return 0;
}

int dfs_source_from_producer(dfs_produce_fn fn, void *user, uint64_t size_hint,
			     struct dfs_source **out, discfs_error *err)
{
	struct dfs_source *s;
	if (!fn)
		return dfs_fail(err, DISCFS_EINVAL, "source: no producer");
	s = src_new(SRC_PRODUCER, "producer");
	if (!s)
		return dfs_fail(err, DISCFS_ENOMEM, "source");
	s->fn = fn;
	s->user = user;
	s->size = size_hint;
	s->size_known = size_hint != 0;
	*out = s;
	return 0;
}

uint64_t dfs_source_size(const struct dfs_source *src)
{
	return src->size_known ? src->size : 0;
}

bool dfs_source_size_known(const struct dfs_source *src)
{
	return src->size_known;
}

uint64_t dfs_source_consumed(const struct dfs_source *src)
{
	return src->pos;
}

const char *dfs_source_name(const struct dfs_source *src)
{
	return src->name;
}

/* One read()/pread()/producer call; 0 = end.  Retries EINTR. */
static int64_t read_once(struct dfs_source *s, uint8_t *buf, size_t len,
			 discfs_error *err)
{
	ssize_t n;
	size_t got = 0;
	int rc;

	switch (s->kind) {
	case SRC_FILE:
		do
			n = pread(s->fd, buf, len, (off_t)s->pos);
		while (n < 0 && errno == EINTR);
		break;
	case SRC_FD:
		do
			n = read(s->fd, buf, len);
		while (n < 0 && errno == EINTR);
		break;
	default:
		rc = s->fn(s->user, buf, len, &got, err);
		if (rc < 0)
			return rc;
		if (got > len)
			return dfs_fail(err, DISCFS_EINVAL,
					"producer returned %zu bytes for %zu",
					got, len);
		return (int64_t)got;
	}
	if (n < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "reading %s",
				      s->name);
	return n;
}

int64_t dfs_source_read(struct dfs_source *src, void *buf, size_t len,
			discfs_error *err)
{
	size_t done = 0;

	if (src->size_known && src->kind == SRC_FILE &&
	    len > src->size - src->pos)
		len = (size_t)(src->size - src->pos);
	/* Pipes and producers hand out pieces: gather until full or ended. */
	while (done < len && !src->ended) {
		int64_t n = read_once(src, (uint8_t *)buf + done, len - done,
				      err);
		if (n < 0)
			return n;
		if (n == 0)
			src->ended = true;
		done += (size_t)n;
		src->pos += (uint64_t)n;
	}
	if (src->kind == SRC_PRODUCER && src->size_known &&
	    src->pos > src->size)
		return dfs_fail(err, DISCFS_EINVAL,
				"producer gave more than the %llu bytes announced",
				(unsigned long long)src->size);
	return (int64_t)done;
}

int dfs_source_rewind(struct dfs_source *src, discfs_error *err)
{
	if (src->kind != SRC_FILE)
		return dfs_fail(err, DISCFS_ENOTSUP, "%s cannot be read twice",
				src->name);
	src->pos = 0;
	src->ended = false;
	return 0;
}

void dfs_source_close(struct dfs_source *src)
{
	if (!src)
		return;
	if (src->own_fd && src->fd >= 0)
		close(src->fd);
	free(src);
}
