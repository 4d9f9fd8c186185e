/*
 * udf/read_api.c - the public reader API of include/discfs.h (section
 * "reader") on top of udf/reader.h.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/read_int.h"
#include "util/err.h"

struct discfs_volume {
	struct udf_vol *vol;
};

struct discfs_file {
	discfs_volume *v;
	struct udf_inode *ino;
};

/* Block sizes tried in turn: optical media first, then hard-disk UDF. */
static const uint32_t block_sizes[] = { 2048, 512, 1024, 4096 };

int udf_vol_open_path(const char *path, bool writable, struct udf_vol **out,
		      discfs_error *err)
{
	discfs_error first = { 0 };
	int rc, first_rc = -DISCFS_EFORMAT;
	if (!path || !*path)
		return dfs_fail(err, DISCFS_EINVAL, "no image or device given");
	if (!strncmp(path, "emu:", 4))
		path += 4;
	for (size_t i = 0; i < sizeof(block_sizes) / sizeof(block_sizes[0]); i++) {
		struct udf_bsrc src;
		discfs_error e = { 0 };
		rc = udf_bsrc_open_file(path, block_sizes[i], writable, &src, &e);
		if (rc) { /* the file itself is the problem: no use retrying */
			if (err)
				*err = e;
			return rc;
		}
		rc = udf_vol_open(&src, NULL, out, &e);
		if (rc == 0)
			return 0;
		udf_bsrc_close(&src);
		if (i == 0) {
			first = e;
			first_rc = rc;
		}
	}
	/* report what the 2048-byte attempt found: the usual case */
	if (err)
		*err = first;
	return first_rc;
}

int discfs_volume_open(const char *path, discfs_volume **out,
		       discfs_error *err)
{
	discfs_volume *v = calloc(1, sizeof(*v));
	if (!v)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	int rc = udf_vol_open_path(path, false, &v->vol, err);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

void discfs_volume_close(discfs_volume *v)
{
	if (!v)
		return;
	udf_vol_close(v->vol);
	free(v);
}

static int layout_public(enum udf_layout l)
{
	switch (l) {
	case UDF_LAYOUT_VAT: return DISCFS_LAYOUT_VAT;
	case UDF_LAYOUT_SPARABLE: return DISCFS_LAYOUT_SPARING;
	case UDF_LAYOUT_METADATA: return DISCFS_LAYOUT_METADATA;
	default: return DISCFS_LAYOUT_PLAIN;
	}
}

/* Copies a UTF-8 string, cutting it at a character boundary if needed. */
static void copy_utf8(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap) {
		n = cap - 1;
		while (n && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = 0;
}

void discfs_volume_info_get(const discfs_volume *v, discfs_volume_info *out)
{
	const struct udf_vol_info *i = udf_vol_info(v->vol);
	memset(out, 0, sizeof(*out));
	copy_utf8(out->label, sizeof(out->label), i->lv_ident);
	copy_utf8(out->volume_id, sizeof(out->volume_id), i->vol_ident);
	out->udf_revision = i->udf_rev;
	out->layout = layout_public(i->layout);
	out->partition_blocks = i->part_blocks;
	out->free_blocks = i->layout == UDF_LAYOUT_VAT ? UINT64_MAX : i->free_blocks;
	out->files = i->num_files;
	out->dirs = i->num_dirs;
	out->vat_block = i->vat_block;
}

static void to_public(const struct udf_inode *ino, discfs_stat *st)
{
	struct udf_stat s;
	udf_inode_stat(ino, &s);
	*st = (discfs_stat){
		.ino = s.ino, .mode = s.mode, .uid = s.uid, .gid = s.gid,
		.nlink = s.nlink, .size = s.size,
		.atime = s.atime.tv_sec, .atime_nsec = (uint32_t)s.atime.tv_nsec,
		.mtime = s.mtime.tv_sec, .mtime_nsec = (uint32_t)s.mtime.tv_nsec,
		.ctime = s.ctime.tv_sec, .ctime_nsec = (uint32_t)s.ctime.tv_nsec,
	};
}

int discfs_volume_stat(discfs_volume *v, const char *path, discfs_stat *st,
		       discfs_error *err)
{
	struct udf_inode *ino;
	int rc = udf_lookup(v->vol, path, &ino, err);
	if (rc)
		return rc;
	to_public(ino, st);
	udf_inode_free(ino);
	return 0;
}

struct dir_ctx {
	struct udf_vol *vol;
	discfs_dir_fn fn;
	void *user;
	discfs_error *err;
};

static int dir_one(void *arg, const struct udf_dirent *d)
{
	struct dir_ctx *c = arg;
	struct udf_inode *ino;
	discfs_stat st;
	int rc = udf_inode_get(c->vol, d->icb, &ino, c->err);
	if (rc)
		return dfs_wrap(c->err, rc, "%s", d->name);
	to_public(ino, &st);
	udf_inode_free(ino);
	return c->fn(c->user, d->name, &st);
}

int discfs_volume_readdir(discfs_volume *v, const char *path, discfs_dir_fn fn,
			  void *user, discfs_error *err)
{
	struct udf_inode *dir;
	struct dir_ctx c = { v->vol, fn, user, err };
	int rc = udf_lookup(v->vol, path, &dir, err);
	if (rc)
		return rc;
	rc = udf_readdir(v->vol, dir, dir_one, &c, err);
	udf_inode_free(dir);
	return rc > 0 ? 0 : rc;
}

static int walk_one(void *arg, const char *rel, struct udf_inode *ino)
{
	struct dir_ctx *c = arg;
	discfs_stat st;
	to_public(ino, &st);
	return c->fn(c->user, rel, &st);
}

int discfs_volume_walk(discfs_volume *v, const char *path, discfs_dir_fn fn,
		       void *user, discfs_error *err)
{
	struct dir_ctx c = { v->vol, fn, user, err };
	return udf_walk(v->vol, path, walk_one, &c, err);
}

int discfs_volume_readlink(discfs_volume *v, const char *path, char *buf,
			   size_t size, discfs_error *err)
{
	struct udf_inode *ino;
	int rc = udf_lookup(v->vol, path, &ino, err);
	if (rc)
		return rc;
	rc = udf_readlink(v->vol, ino, buf, size, err);
	udf_inode_free(ino);
	return rc;
}

int discfs_file_open(discfs_volume *v, const char *path, discfs_file **out,
		     discfs_error *err)
{
	discfs_file *f = calloc(1, sizeof(*f));
	if (!f)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	int rc = udf_lookup(v->vol, path, &f->ino, err);
	if (rc == 0 && udf_inode_is_dir(f->ino))
		rc = dfs_fail(err, DISCFS_EINVAL, "%s: is a directory", path);
	if (rc) {
		udf_inode_free(f->ino);
		free(f);
		return rc;
	}
	f->v = v;
	*out = f;
	return 0;
}

int discfs_file_read(discfs_file *f, uint64_t off, void *buf, size_t len,
		     size_t *got, discfs_error *err)
{
	return udf_read(f->v->vol, f->ino, off, buf, len, got, err);
}

void discfs_file_close(discfs_file *f)
{
	if (!f)
		return;
	udf_inode_free(f->ino);
	free(f);
}
