/* fused/commit_image.c - see commit_image.h */
#include "fused/commit_image.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/err.h"

#define COPY_CHUNK (1u << 20)

/* Path of every plan entry, and the first entry of each inode. */
struct paths {
	char **path;         /* per plan entry */
	size_t *first;       /* open addressing: inode -> entry index + 1 */
	size_t cap;
};

static size_t slot_of(const struct paths *p, uint64_t ino)
{
	return (size_t)(ino * 0x9E3779B97F4A7C15ull >> 17) & (p->cap - 1);
}

static size_t *first_slot(struct paths *p, const struct dfs_commit_plan *plan,
			  const struct stg_inode *in)
{
	size_t j = slot_of(p, in->ino);

	while (p->first[j] && plan->entries[p->first[j] - 1].inode != in)
		j = (j + 1) & (p->cap - 1);
	return &p->first[j];
}

static void paths_free(struct paths *p, size_t n)
{
	for (size_t i = 0; p->path && i < n; i++)
		free(p->path[i]);
	free(p->path);
	free(p->first);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

static void remove_tree(const char *dir)
{
	/* FTW_PHYS: never follows a symlink out of the staging directory. */
	nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

static int copy_bytes(const struct dfs_commit_plan *plan,
		      const struct stg_inode *in, int fd, char *buf,
		      discfs_error *err)
{
	for (uint64_t off = 0; off < in->size;) {
		ssize_t n = dfs_commit_read(plan, in, off, buf, COPY_CHUNK);
		if (n <= 0)
			return dfs_fail(err, DISCFS_EIO, "reading staged file %llu: %s",
					(unsigned long long)in->ino,
					n < 0 ? strerror((int)-n) : "short");
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(fd, buf + done, (size_t)(n - done));
			if (w < 0)
				return dfs_fail_errno(err, DISCFS_EIO, errno,
						      "writing the commit tree");
			done += w;
		}
		off += (uint64_t)n;
	}
	return 0;
}

static int make_entry(const struct dfs_commit_plan *plan, struct paths *p,
		      size_t i, char *buf, discfs_error *err)
{
	const struct stg_inode *in = plan->entries[i].inode;
	const char *path = p->path[i];
	size_t *first = first_slot(p, plan, in);
	int fd, rc = 0;

	if (*first && !S_ISDIR(in->mode))
		return link(p->path[*first - 1], path) < 0
		       ? dfs_fail_errno(err, DISCFS_EIO, errno, "link %s", path) : 0;
	*first = i + 1;
	switch (in->mode & S_IFMT) {
	case S_IFDIR:
		if (mkdir(path, 0700) < 0)
			rc = dfs_fail_errno(err, DISCFS_EIO, errno, "mkdir %s", path);
		break;
	case S_IFLNK:
		if (symlink(in->symlink, path) < 0)
			rc = dfs_fail_errno(err, DISCFS_EIO, errno, "symlink %s", path);
		break;
	case S_IFREG:
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno, "create %s", path);
		rc = copy_bytes(plan, in, fd, buf, err);
		close(fd);
		break;
	default: /* fifos, sockets, devices: as far as we may */
		if (mknod(path, in->mode, in->rdev) < 0 && errno != EPERM)
			rc = dfs_fail_errno(err, DISCFS_EIO, errno, "mknod %s", path);
		break;
	}
	return rc;
}

/* Owner, xattrs, mode and times: after the contents (a directory's last). */
static void set_attrs(const struct stg_inode *in, const char *path)
{
	struct timespec ts[2] = {
		{ in->atime / 1000000000, in->atime % 1000000000 },
		{ in->mtime / 1000000000, in->mtime % 1000000000 },
	};

	if (lchown(path, in->uid, in->gid) < 0) {
		/* not permitted unless root: the files stay the committer's */
	}
	for (const struct stg_xattr *x = in->xattrs; x; x = x->next)
		if (!strncmp(x->data, "user.", 5))
			lsetxattr(path, x->data, x->data + x->name_len + 1,
				  x->value_len, 0);
	if (!S_ISLNK(in->mode))
		chmod(path, in->mode & 07777);
	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static int materialise(const struct dfs_commit_plan *plan, const char *dir,
		       discfs_error *err)
{
	struct paths p = { 0 };
	char *buf = malloc(COPY_CHUNK);
	int rc = 0;

	p.cap = 64;
	while (p.cap < plan->n * 2)
		p.cap *= 2;
	p.path = calloc(plan->n, sizeof(*p.path));
	p.first = calloc(p.cap, sizeof(*p.first));
	if (!buf || !p.path || !p.first) {
		rc = dfs_fail(err, DISCFS_ENOMEM, "commit: out of memory");
		goto out;
	}
	if (mkdir(dir, 0700) < 0) {
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "commit: mkdir %s", dir);
		goto out;
	}
	p.path[0] = strdup(dir);
	*first_slot(&p, plan, plan->entries[0].inode) = 1; /* the root */
	for (size_t i = 1; rc == 0 && i < plan->n; i++) {
		const struct dfs_commit_entry *e = &plan->entries[i];
		if (asprintf(&p.path[i], "%s/%s", p.path[e->parent], e->name->name) < 0) {
			p.path[i] = NULL;
			rc = dfs_fail(err, DISCFS_ENOMEM, "commit: out of memory");
			break;
		}
		rc = make_entry(plan, &p, i, buf, err);
	}
	for (size_t i = plan->n; rc == 0 && i-- > 0;)
		set_attrs(plan->entries[i].inode, p.path[i]);
out:
	paths_free(&p, plan->n);
	free(buf);
	return rc;
}

/*
 * Fault injection for the crash tests: DISCFS_CRASH_AT=before-burn or
 * after-burn kills the daemon (SIGKILL, no clean-up) at that point.
 */
static void crash_point(const char *where)
{
	const char *at = getenv("DISCFS_CRASH_AT");

	if (at && !strcmp(at, where))
		raise(SIGKILL);
}

void dfs_image_writer_cleanup(const char *staging)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/commit-tree", staging);
	remove_tree(path);
	snprintf(path, sizeof(path), "%s/commit.img", staging);
	unlink(path);
}

static int burn(const struct dfs_disc *disc, const char *image,
		discfs_error *err)
{
	discfs_burn_opts o = { .close = DISCFS_CLOSE_SESSION };
	discfs_burn_result res;
	discfs_drive *drive;
	int rc = discfs_open(disc->dev, &drive, err);

	if (rc < 0)
		return rc;
	memset(&res, 0, sizeof(res));
	rc = discfs_burn_image(drive, image, &o, &res, err);
	discfs_close(drive);
	return rc;
}

static int write_plan(void *ctx, const struct dfs_commit_plan *plan,
		      char *gen, size_t gen_size, discfs_error *err)
{
	struct dfs_image_writer *iw = ctx;
	discfs_image_options o;
	discfs_image *img = NULL;
	struct dfs_disc after;
	char tree[4200], image[4200];
	int rc;

	if (iw->disc->none)
		return dfs_fail(err, DISCFS_ENOTSUP, "there is no disc to commit to "
				"(DEV none)");
	if (iw->disc->unfinished)
		return dfs_fail(err, DISCFS_ENOTSUP, "the disc holds the unfinished "
				"session of a failed commit, and this build cannot "
				"write after it (copy the staged files elsewhere, "
				"or commit them to another disc)");
	if (!iw->disc->blank)
		return dfs_fail(err, DISCFS_ENOTSUP, "the disc already holds a "
				"session; adding to it needs the incremental UDF "
				"writer, which this build does not have");
	snprintf(tree, sizeof(tree), "%s/commit-tree", iw->staging);
	snprintf(image, sizeof(image), "%s/commit.img", iw->staging);
	remove_tree(tree);
	unlink(image);
	rc = materialise(plan, tree, err);
	discfs_image_options_init(&o);
	o.media = dfs_disc_media_name(iw->disc->profile);
	if (rc == 0)
		rc = discfs_image_open(tree, &o, &img, err);
	if (rc == 0)
		rc = discfs_image_write(img, image, err);
	discfs_image_free(img);
	remove_tree(tree);
	if (rc == 0) {
		crash_point("before-burn");
		rc = burn(iw->disc, image, err);
	}
	unlink(image);
	if (rc < 0)
		return rc;
	crash_point("after-burn");
	/* The new state is what the disc now reads as. */
	rc = dfs_disc_open(&after, iw->disc->dev, 0, NULL, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "written, but re-reading the disc failed");
	snprintf(gen, gen_size, "%s", after.generation);
	dfs_disc_close(&after);
	return 0;
}

void dfs_image_writer_init(struct dfs_image_writer *iw,
			   const struct dfs_disc *disc, const char *staging)
{
	iw->w.name = "first session, full UDF image";
	iw->w.write = write_plan;
	iw->w.ctx = iw;
	iw->disc = disc;
	iw->staging = staging;
}
