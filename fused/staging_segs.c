/* fused/staging_segs.c - see staging_segs.h */
#include "fused/staging_segs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

#define MAX_SEGS 65536u

static void seg_name(char *out, size_t n, uint32_t id)
{
	snprintf(out, n, "seg-%08x.dat", id);
}

static int parse_seg_name(const char *name, uint32_t *id)
{
	unsigned v;
	char tail;

	if (sscanf(name, "seg-%8x.da%c", &v, &tail) != 2 || tail != 't')
		return -1;
	*id = v;
	return 0;
}

/* Returns the fd of segment id, opening (and with create, creating) it. */
static int seg_fd(struct stg_segs *s, uint32_t id, int create)
{
	char name[32];
	int fd;

	if (id >= MAX_SEGS)
		return -EFBIG;
	if (id >= s->n_fds) {
		uint32_t n = s->n_fds ? s->n_fds : 16;
		int *fds;
		while (n <= id)
			n *= 2;
		fds = realloc(s->fds, n * sizeof(*fds));
		if (!fds)
			return -ENOMEM;
		for (uint32_t i = s->n_fds; i < n; i++)
			fds[i] = -1;
		s->fds = fds;
		s->n_fds = n;
	}
	if (s->fds[id] >= 0)
		return s->fds[id];
	seg_name(name, sizeof(name), id);
	fd = openat(s->dirfd, name,
		    O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0),
		    0600);
	if (fd < 0)
		return -errno;
	s->fds[id] = fd;
	return fd;
}

static int newest_segment(int dirfd, uint32_t *newest)
{
	int fd = dup(dirfd);
	DIR *d;
	struct dirent *de;

	*newest = 0;
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		uint32_t id;
		if (!parse_seg_name(de->d_name, &id) && id > *newest)
			*newest = id;
	}
	closedir(d);
	return 0;
}

int stg_segs_open(struct stg_segs *s, int dirfd, uint64_t seg_max,
		  discfs_error *err)
{
	struct stat st;
	int fd, rc;

	*s = (struct stg_segs){ .dirfd = dirfd, .seg_max = seg_max };
	rc = newest_segment(dirfd, &s->cur);
	if (rc < 0)
		return dfs_fail_errno(err, DISCFS_EIO, -rc, "staging: listing segments");
	fd = seg_fd(s, s->cur, 1);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, -fd, "staging: opening segment %u",
				      s->cur);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		stg_segs_close(s);
		return dfs_fail(err, DISCFS_EIO, "staging: segment %u is not a file",
				s->cur);
	}
	s->cur_end = (uint64_t)st.st_size;
	return 0;
}

int stg_segs_append(struct stg_segs *s, const void *buf, size_t len,
		    uint32_t *seg, uint64_t *segoff)
{
	size_t done = 0;
	int fd;

	if (s->cur_end && s->cur_end + len > s->seg_max) {
		int nfd = seg_fd(s, s->cur + 1, 1);
		if (nfd < 0)
			return nfd;
		s->cur++;
		s->cur_end = 0;
	}
	fd = seg_fd(s, s->cur, 1);
	if (fd < 0)
		return fd;
	while (done < len) {
		ssize_t w = pwrite(fd, (const char *)buf + done, len - done,
				   (off_t)(s->cur_end + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -ENOSPC;
		done += (size_t)w;
	}
	*seg = s->cur;
	*segoff = s->cur_end;
	s->cur_end += len;
	return 0;
}

int stg_segs_read(struct stg_segs *s, uint32_t seg, uint64_t off, void *buf,
		  size_t len)
{
	size_t done = 0;
	int fd = seg_fd(s, seg, 0);

	if (fd < 0)
		return fd == -ENOENT ? -EIO : fd;
	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EIO; /* a journalled extent must be there */
		done += (size_t)r;
	}
	return 0;
}

int stg_segs_sync(struct stg_segs *s)
{
	int fd = seg_fd(s, s->cur, 1);

	if (fd < 0)
		return fd;
	return fdatasync(fd) < 0 ? -errno : 0;
}

int stg_segs_remove_all(struct stg_segs *s)
{
	char name[32];
	uint32_t newest = 0;
	int rc = newest_segment(s->dirfd, &newest);

	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < s->n_fds; i++)
		if (s->fds[i] >= 0) {
			close(s->fds[i]);
			s->fds[i] = -1;
		}
	for (uint32_t id = 0; id <= newest; id++) {
		seg_name(name, sizeof(name), id);
		if (unlinkat(s->dirfd, name, 0) < 0 && errno != ENOENT)
			return -errno;
	}
	s->cur = 0;
	s->cur_end = 0;
	return 0;
}

void stg_segs_close(struct stg_segs *s)
{
	for (uint32_t i = 0; i < s->n_fds; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	free(s->fds);
	s->fds = NULL;
	s->n_fds = 0;
}
