/*
 * udf/mk_tree.c - scanning the source tree for mastering (see mk.h).
 *
 * Every directory's entries are read, sorted bytewise (so the image does
 * not depend on readdir order) and stat'ed without following symlinks.
 * Regular files with more than one link are looked up by (dev, ino) so
 * hard links share one inode.  Device nodes are counted as skipped (UDF
 * needs a device EA for them; not recorded).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "udf/cs0.h"
#include "udf/safe_name.h"
#include "udf/mk.h"
#include "util/err.h"

#define MK_MAX_DEPTH 1000

/* Open-addressing table (dev, ino) -> inode for multiply-linked files. */
struct link_table {
	struct mk_inode **slot;
	size_t cap, n;
};

static size_t link_hash(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;
	return (size_t)(h ^ h >> 29) & (cap - 1);
}

static struct mk_inode **link_find(struct link_table *t, dev_t dev, ino_t ino)
{
	size_t i = link_hash(dev, ino, t->cap);
	while (t->slot[i] && !(t->slot[i]->dev == dev && t->slot[i]->ino == ino))
		i = (i + 1) & (t->cap - 1);
	return &t->slot[i];
}

static int link_grow(struct link_table *t, discfs_error *err)
{
	if (t->cap && (t->n + 1) * 2 <= t->cap)
		return 0;
	struct link_table nt = { .cap = t->cap ? t->cap * 2 : 256, .n = t->n };
	nt.slot = calloc(nt.cap, sizeof(*nt.slot));
	if (!nt.slot)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i])
			*link_find(&nt, t->slot[i]->dev, t->slot[i]->ino) = t->slot[i];
	free(t->slot);
	*t = nt;
	return 0;
}

int mk_nodes_push(struct mk_nodes *l, struct mk_node *n, discfs_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct mk_node **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = n;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads and sorts the entry names of path (without . and ..). */
static int read_names(const char *path, char ***names, size_t *count,
		      discfs_error *err)
{
	/* O_NOATIME: listing must not change the directory's atime */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	size_t n = 0, cap = 0;
	char **v = NULL;
	struct dirent *de;

	if (!d) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return dfs_fail_errno(err, DISCFS_EIO, e, "%s", path);
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nv = realloc(v, cap * sizeof(*nv));
			if (!nv)
				goto nomem;
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name)))
			goto nomem;
		n++;
	}
	closedir(d);
	if (n) /* an empty directory: v is NULL, which qsort may not take */
		qsort(v, n, sizeof(*v), cmp_name);
	*names = v;
	*count = n;
	return 0;
nomem:
	closedir(d);
	while (n)
		free(v[--n]);
	free(v);
	return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
}

static void fill_inode(struct mk_inode *ino, const struct statx *st)
{
	ino->mode = st->stx_mode;
	ino->uid = st->stx_uid;
	ino->gid = st->stx_gid;
	ino->size = S_ISREG(st->stx_mode) ? st->stx_size : 0;
	ino->atime = (struct timespec){ st->stx_atime.tv_sec, st->stx_atime.tv_nsec };
	ino->mtime = (struct timespec){ st->stx_mtime.tv_sec, st->stx_mtime.tv_nsec };
	ino->ctime = (struct timespec){ st->stx_ctime.tv_sec, st->stx_ctime.tv_nsec };
	if (st->stx_mask & STATX_BTIME)
		ino->btime = (struct timespec){ st->stx_btime.tv_sec, st->stx_btime.tv_nsec };
	else
		ino->btime = ino->mtime;
	ino->dev = makedev(st->stx_dev_major, st->stx_dev_minor);
	ino->ino = st->stx_ino;
}

struct scan {
	struct udf_mk *mk;
	struct link_table links;
	discfs_error *err;
};

static int scan_dir(struct scan *s, struct mk_node *dir, const char *path,
		    int depth);

static int set_name(struct mk_node *n, const char *name, const char *path,
		    discfs_error *err)
{
	/* Source names are safe names (udf/safe_name.h), as `discctl
	 * extract` and discfs show them: record what they decode to, and
	 * refuse (never cut) a name UDF cannot record. */
	uint8_t buf[255];
	char disc[1024];
	size_t len;

	if (udf_safe_name_to_disc(name, strlen(name), disc, sizeof disc, buf,
				  sizeof buf, &len, err))
		return dfs_wrap(err, -DISCFS_EINVAL, "%s", path);
	if (!(n->name = strdup(name)) || !(n->cs0 = malloc(len)))
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	memcpy(n->cs0, buf, len);
	n->cs0_len = (uint8_t)len;
	return 0;
}

/* Adds the entry name of dir (source path cpath); *added false if skipped. */
static int scan_entry(struct scan *s, struct mk_node *dir, const char *name,
		      const char *cpath, int depth, bool *added)
{
	struct udf_mk *mk = s->mk;
	discfs_error *err = s->err;
	struct statx st;
	*added = false;

	if (statx(AT_FDCWD, cpath, AT_SYMLINK_NOFOLLOW,
		  STATX_BASIC_STATS | STATX_BTIME, &st))
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", cpath);
	struct mk_node *n = calloc(1, sizeof(*n));
	if (!n)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	dir->kids[dir->nkids++] = n; /* owned by dir from here on */
	n->parent = dir;
	int rc = set_name(n, name, cpath, err);
	if (rc)
		return rc;
	*added = true;

	struct mk_inode **slot = NULL;
	if (S_ISREG(st.stx_mode) && st.stx_nlink > 1) {
		if ((rc = link_grow(&s->links, err)))
			return rc;
		slot = link_find(&s->links, makedev(st.stx_dev_major, st.stx_dev_minor),
				 st.stx_ino);
		if (*slot) {
			n->ino = *slot;
			n->ino->names++;
			mk->n_files++;
			return 0;
		}
	}
	struct mk_inode *ino = calloc(1, sizeof(*ino));
	if (!ino)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	n->ino = ino;
	fill_inode(ino, &st);
	ino->names = 1;
	if ((rc = mk_xattrs_read(mk, cpath, ino, err)))
		return rc;
	if (slot) {
		*slot = ino;
		s->links.n++;
	}
	if (S_ISDIR(st.stx_mode)) {
		dir->ino->subdirs++;
		return scan_dir(s, n, cpath, depth + 1);
	}
	if (S_ISREG(st.stx_mode)) {
		mk->n_files++;
		mk->data_bytes += ino->size;
		if (!(ino->path = strdup(cpath)))
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		return 0;
	}
	if (S_ISLNK(st.stx_mode)) {
		char target[4096];
		ssize_t tl = readlink(cpath, target, sizeof(target) - 1);
		if (tl < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", cpath);
		target[tl] = 0;
		mk->n_symlinks++;
		if (!(ino->path = strdup(target))) /* symlinks: path = target */
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		rc = mk_symlink_body(target, &ino->body, &ino->body_len, err);
		return rc ? dfs_wrap(err, rc, "%s", cpath) : 0;
	}
	/* FIFO, socket, device (its numbers go in a device EA): no content */
	ino->rdev_major = st.stx_rdev_major;
	ino->rdev_minor = st.stx_rdev_minor;
	mk->n_other++;
	return 0;
}

static int scan_dir(struct scan *s, struct mk_node *dir, const char *path,
		    int depth)
{
	char **names = NULL;
	size_t count = 0;
	int rc;

	if (depth > MK_MAX_DEPTH)
		return dfs_fail(s->err, DISCFS_EINVAL,
				"%s: directories nested deeper than %d", path,
				MK_MAX_DEPTH);
	s->mk->n_dirs++;
	dir->ino->dir = dir;
	if ((rc = read_names(path, &names, &count, s->err)))
		return rc;
	dir->kids = calloc(count ? count : 1, sizeof(*dir->kids));
	if (!dir->kids)
		rc = dfs_fail(s->err, DISCFS_ENOMEM, "out of memory");
	size_t plen = strlen(path);
	for (size_t i = 0; i < count && !rc; i++) {
		size_t nlen = strlen(names[i]);
		char *cpath = malloc(plen + nlen + 2);
		if (!cpath) {
			rc = dfs_fail(s->err, DISCFS_ENOMEM, "out of memory");
			break;
		}
		memcpy(cpath, path, plen);
		cpath[plen] = '/';
		memcpy(cpath + plen + 1, names[i], nlen + 1);
		bool added;
		rc = scan_entry(s, dir, names[i], cpath, depth, &added);
		free(cpath);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

int mk_tree_scan(struct udf_mk *mk, discfs_error *err)
{
	struct scan s = { .mk = mk, .err = err };
	struct statx st;

	if (statx(AT_FDCWD, mk->srcdir, 0, STATX_BASIC_STATS | STATX_BTIME, &st))
		return dfs_fail_errno(err, DISCFS_ENOENT, errno, "%s", mk->srcdir);
	if (!S_ISDIR(st.stx_mode))
		return dfs_fail(err, DISCFS_EINVAL, "%s: not a directory", mk->srcdir);
	mk->root = calloc(1, sizeof(*mk->root));
	if (!mk->root || !(mk->root->ino = calloc(1, sizeof(struct mk_inode))))
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	fill_inode(mk->root->ino, &st);
	mk->root->ino->names = 1;
	int rc = mk_xattrs_read(mk, mk->srcdir, mk->root->ino, err);
	if (rc == 0)
		rc = scan_dir(&s, mk->root, mk->srcdir, 0);
	free(s.links.slot);
	return rc;
}

/* Frees a subtree; inodes shared by hard links are freed at the last name. */
static void free_node(struct mk_node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		free_node(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->cs0);
	if (n->ino && --n->ino->names == 0) {
		free(n->ino->path);
		free(n->ino->body);
		free(n->ino->xa);
		free(n->ino);
	}
	free(n);
}

void mk_tree_free(struct udf_mk *mk)
{
	if (mk->root)
		free_node(mk->root);
	mk->root = NULL;
}
