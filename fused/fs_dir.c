/*
 * fused/fs_dir.c - directory listing: opendir takes a snapshot of the
 * names (so readdir offsets stay valid while the directory changes, as
 * POSIX allows), readdir serves it by index, releasedir frees it.
 * fsyncdir of the root commits (as `discctl commit` does).
 */
#include "fused/fs_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct dir_snap {
	size_t n;
	struct { uint64_t ino; uint32_t mode; uint32_t name_off; } *e;
	char *names;
};

static void snap_free(struct dir_snap *s)
{
	if (s) {
		free(s->e);
		free(s->names);
		free(s);
	}
}

static struct dir_snap *snap_take(const struct stg_inode *dir)
{
	struct dir_snap *s = calloc(1, sizeof(*s));
	size_t bytes = 5, n = 2, pos = 0;

	if (!s)
		return NULL;
	for (const struct stg_dentry *d = dir->first; d; d = d->next) {
		bytes += d->name_len + 1u;
		n++;
	}
	s->e = malloc(n * sizeof(*s->e));
	s->names = malloc(bytes);
	if (!s->e || !s->names) {
		snap_free(s);
		return NULL;
	}
	memcpy(s->names, ".\0..", 5);
	s->e[0].ino = dir->ino;
	s->e[0].name_off = 0;
	s->e[1].ino = dir->dir_name ? dir->dir_name->parent->ino : dir->ino;
	s->e[1].name_off = 2;
	s->e[0].mode = s->e[1].mode = S_IFDIR;
	pos = 5;
	s->n = 2;
	for (const struct stg_dentry *d = dir->first; d; d = d->next) {
		s->e[s->n].ino = d->inode->ino;
		s->e[s->n].mode = d->inode->mode;
		s->e[s->n].name_off = (uint32_t)pos;
		memcpy(s->names + pos, d->name, d->name_len + 1u);
		pos += d->name_len + 1u;
		s->n++;
	}
	return s;
}

void dfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);
	struct stg_inode *dir;
	struct dir_snap *s = NULL;
	int err = 0;

	pthread_mutex_lock(&m->lock);
	dir = stg_tree_inode(&m->store.tree, ino);
	if (!dir)
		err = ENOENT;
	else if (!S_ISDIR(dir->mode))
		err = ENOTDIR;
	else if (!(s = snap_take(dir)))
		err = ENOMEM;
	pthread_mutex_unlock(&m->lock);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)s;
	fi->cache_readdir = 0;
	if (fuse_reply_open(req, fi) == -ENOENT)
		snap_free(s);
}

void dfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi)
{
	struct dir_snap *s = (struct dir_snap *)(uintptr_t)fi->fh;
	char *buf = malloc(size ? size : 1);
	size_t used = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t i = off < 0 ? 0 : (size_t)off; i < s->n; i++) {
		struct stat st = { .st_ino = s->e[i].ino, .st_mode = s->e[i].mode };
		size_t need = fuse_add_direntry(req, buf + used, size - used,
						s->names + s->e[i].name_off, &st,
						(off_t)(i + 1));
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

void dfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	snap_free((struct dir_snap *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

void dfs_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		  struct fuse_file_info *fi)
{
	struct dfs_mount *m = dfs_req_mount(req);
	discfs_error err;
	int rc;

	pthread_mutex_lock(&m->lock);
	if (ino == FUSE_ROOT_ID)
		rc = dfs_mount_commit(m, "fsync of the root");
	else
		rc = stg_store_sync(&m->store, &err) < 0 ? -EIO : 0;
	pthread_mutex_unlock(&m->lock);
	fuse_reply_err(req, -rc);
}
