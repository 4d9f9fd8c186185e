/* fused/inomap.c - see inomap.h */
#include "fused/inomap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/bytes.h"
#include "util/err.h"

#define MAP_MAX_BYTES (1ull << 30)

struct dfs_inomap {
	char *buf;          /* the file, records point into it */
	size_t cap;         /* slots, a power of two */
	struct { const char *path; uint64_t ino; } *slot;
};

static size_t path_hash(const char *p)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*p)
		h = (h ^ (uint8_t)*p++) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 29));
}

/* Paths of plan entries, built parent first (BFS order). */
static char **plan_paths(const struct dfs_commit_plan *plan)
{
	char **path = calloc(plan->n, sizeof(*path));

	if (!path || !(path[0] = strdup("")))
		goto fail;
	for (size_t i = 1; i < plan->n; i++)
		if (asprintf(&path[i], "%s/%s", path[plan->entries[i].parent],
			     plan->entries[i].name->name) < 0) {
			path[i] = NULL;
			goto fail;
		}
	return path;
fail:
	for (size_t i = 0; path && i < plan->n; i++)
		free(path[i]);
	free(path);
	return NULL;
}

int dfs_inomap_save(int dirfd, const struct dfs_commit_plan *plan,
		    const char *generation, discfs_error *err)
{
	char **path = plan_paths(plan);
	FILE *f;
	int fd, rc = 0;

	if (!path)
		return dfs_fail(err, DISCFS_ENOMEM, "inode map: out of memory");
	fd = openat(dirfd, "inomap.new",
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "inode map");
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fprintf(f, "DFSM1\n%s\n", generation);
	for (size_t i = 1; i < plan->n; i++) {
		uint8_t ino[8];
		put_le64(ino, plan->entries[i].inode->ino);
		fwrite(ino, 1, 8, f);
		fwrite(path[i], 1, strlen(path[i]) + 1, f);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "inode map");
	fclose(f);
	if (rc == 0 && renameat(dirfd, "inomap.new", dirfd, "inomap") < 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "inode map");
out:
	for (size_t i = 0; i < plan->n; i++)
		free(path[i]);
	free(path);
	return rc;
}

static int slurp(int dirfd, char **out, size_t *n)
{
	struct stat st;
	int fd = openat(dirfd, "inomap", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *buf;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size > MAP_MAX_BYTES ||
	    !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -1;
	}
	if (read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return -1;
	}
	close(fd);
	buf[st.st_size] = '\0';
	*out = buf;
	*n = (size_t)st.st_size;
	return 0;
}

static int insert(struct dfs_inomap *m, const char *path, uint64_t ino)
{
	size_t j = path_hash(path) & (m->cap - 1);

	while (m->slot[j].path) {
		if (!strcmp(m->slot[j].path, path))
			return -1; /* a path twice: not a map we wrote */
		j = (j + 1) & (m->cap - 1);
	}
	m->slot[j].path = path;
	m->slot[j].ino = ino;
	return 0;
}

/* Indexes the records after the header; -1 when they are malformed. */
static int index_records(struct dfs_inomap *m, char *p, char *end)
{
	size_t n = 0;

	for (char *q = p; q < end; n++) {
		char *nul;
		if (end - q < 9 || !(nul = memchr(q + 8, '\0', (size_t)(end - q - 8))))
			return -1;
		q = nul + 1;
	}
	m->cap = 64;
	while (m->cap < 2 * n + 2)
		m->cap *= 2;
	m->slot = calloc(m->cap, sizeof(*m->slot));
	if (!m->slot)
		return -1;
	while (p < end) {
		uint64_t ino = get_le64((uint8_t *)p);
		if (ino < 2 || insert(m, p + 8, ino) < 0)
			return -1;
		p += 8 + strlen(p + 8) + 1;
	}
	return 0;
}

int dfs_inomap_load(int dirfd, const char *generation, struct dfs_inomap **out)
{
	struct dfs_inomap *m;
	size_t n, glen = strlen(generation);
	char *buf;

	*out = NULL;
	if (slurp(dirfd, &buf, &n) < 0)
		return 0; /* no map: the disc's numbers */
	if (n < 6 + glen + 1 || memcmp(buf, "DFSM1\n", 6) ||
	    memcmp(buf + 6, generation, glen) || buf[6 + glen] != '\n') {
		free(buf);
		return 0; /* of another generation */
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		free(buf);
		return -ENOMEM;
	}
	m->buf = buf;
	if (index_records(m, buf + 6 + glen + 1, buf + n) < 0) {
		dfs_inomap_free(m);
		return 0; /* damaged: ignore it, numbers come from the disc */
	}
	*out = m;
	return 0;
}

uint64_t dfs_inomap_get(const struct dfs_inomap *m, const char *path)
{
	if (!m)
		return 0;
	for (size_t j = path_hash(path) & (m->cap - 1); m->slot[j].path;
	     j = (j + 1) & (m->cap - 1))
		if (!strcmp(m->slot[j].path, path))
			return m->slot[j].ino;
	return 0;
}

void dfs_inomap_free(struct dfs_inomap *m)
{
	if (m) {
		free(m->slot);
		free(m->buf);
		free(m);
	}
}
