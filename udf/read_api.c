/*
 * udf/read_api.c - the public reader API of include/discfs.h (section
 * "reader") on top of udf/reader.h, falling back to the ISO9660 reader
 * (udf/iso_read.h) for a volume without UDF.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/iso_read.h"
#include "udf/ea_space.h"
#include "udf/read_int.h"
#include "util/err.h"

/* Exactly one of vol (UDF) and iso is set. */
struct discfs_volume {
	struct udf_vol *vol;
	struct iso_vol *iso;
};

struct discfs_file {
	discfs_volume *v;
	struct udf_inode *ino;
	struct iso_node *node;  /* ISO9660 volumes */
};

/* Block sizes tried in turn: optical media first, then hard-disk UDF. */
static const uint32_t block_sizes[] = { 2048, 512, 1024, 4096 };

/* The session of a drive's disc (or an emulated disc's) whose start + 256
 * holds a UDF anchor; 0 for plain images or when there is none. */
static uint64_t udf_session_start(const char *path)
{
	discfs_drive *d;
	discfs_error ignored;
	uint64_t start;

	if (discfs_open(path, &d, &ignored) < 0)
		return 0;
	start = discfs_udf_session_start(d);
	discfs_close(d);
	return start;
}

/*
 * The volume as a single-session one, else (a UDF session added after
 * others, e.g. to an ISO9660 disc) with its anchor at its session's start
 * + 256, where Linux finds it.  The drive is asked for its sessions only
 * then: opening a plain image as a drive is not free.
 */
static int open_sessions(struct udf_bsrc *src, const char *path,
			 struct udf_vol **out, discfs_error *err)
{
	int rc = udf_vol_open(src, NULL, out, err);
	if (rc != -DISCFS_EFORMAT)
		return rc;
	uint64_t session = udf_session_start(path);
	struct udf_open_opts oo = { .session_start = session,
				    .last_block = UINT64_MAX };
	if (session && session < src->n_blocks &&
	    udf_vol_open(src, &oo, out, NULL) == 0) {
		dfs_clear(err);
		return 0;
	}
	return rc;
}

int udf_vol_open_path(const char *path, bool writable, struct udf_vol **out,
		      discfs_error *err)
{
	discfs_error first = { 0 };
	int rc, first_rc = -DISCFS_EFORMAT;
	if (!path || !*path)
		return dfs_fail(err, DISCFS_EINVAL, "no image or device given");
	const char *dev = path;
	if (!strncmp(path, "emu:", 4))
		path += 4;
	for (size_t i = 0; i < sizeof(block_sizes) / sizeof(block_sizes[0]); i++) {
		struct udf_bsrc src;
		discfs_error e = { 0 };
		rc = udf_bsrc_open_file(path, block_sizes[i], writable, &src, &e);
		if (rc && i)
			break; /* a drive has no other block size */
		if (rc) { /* the file itself is the problem: no use retrying */
			if (err)
				*err = e;
			return rc;
		}
		rc = i == 0 ? open_sessions(&src, dev, out, &e)
			    : udf_vol_open(&src, NULL, out, &e);
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

/*
 * The first block of the last session holding data, on a drive or an
 * emulated disc (as udf/blockdev_drive.c, through the public drive API);
 * 0 for a plain image file or when the drive cannot tell.
 */
static uint64_t last_session_start(const char *path)
{
	discfs_drive *d;
	discfs_media_info mi;
	discfs_error ignored;
	uint64_t start = 0;
	unsigned last = 0;

	if (discfs_open(path, &d, &ignored) < 0)
		return 0;
	if (discfs_media_info_get(d, &mi, &ignored) == 0) {
		for (size_t i = 0; i < mi.n_tracks; i++) {
			const discfs_track_info *t = &mi.tracks[i];
			if (t->blank)
				continue;
			if (t->session > last || (t->session == last && t->start < start)) {
				last = t->session;
				start = t->start;
			}
		}
		discfs_media_info_free(&mi);
	}
	discfs_close(d);
	return start;
}

/*
 * No UDF: an ISO9660 volume descriptor at the last session's block 16 (or
 * at 16) makes it an ISO9660 volume (its own errors then say what is
 * wrong); otherwise the UDF reader's error stands.
 */
static int open_iso(const char *path, struct iso_vol **out, discfs_error *err)
{
	struct udf_bsrc src;
	discfs_error e = { 0 };
	uint64_t session = last_session_start(path);
	int rc;

	if (!strncmp(path, "emu:", 4))
		path += 4;
	if (udf_bsrc_open_file(path, ISO_BLOCK, false, &src, &e))
		return 1;
	if (session && !iso_probe(&src, session))
		session = 0;
	if (!iso_probe(&src, session)) {
		udf_bsrc_close(&src);
		return 1;
	}
	rc = iso_vol_open(&src, session, out, err);
	if (rc)
		udf_bsrc_close(&src);
	return rc;
}

int discfs_volume_open(const char *path, discfs_volume **out,
		       discfs_error *err)
{
	discfs_volume *v = calloc(1, sizeof(*v));
	if (!v)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	int rc = udf_vol_open_path(path, false, &v->vol, err);
	if (rc == -DISCFS_EFORMAT) {
		int iso_rc = open_iso(path, &v->iso, err);
		rc = iso_rc > 0 ? rc : iso_rc;
	}
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
	if (v->iso)
		iso_vol_close(v->iso);
	else
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

static void iso_info(const struct iso_vol *iso, discfs_volume_info *out)
{
	const struct iso_vol_info *i = iso_vol_info(iso);
	copy_utf8(out->label, sizeof(out->label), i->vol_ident);
	copy_utf8(out->volume_id, sizeof(out->volume_id), i->vol_ident);
	out->layout = DISCFS_LAYOUT_PLAIN;
	out->partition_blocks = i->vol_blocks;
	out->free_blocks = UINT64_MAX;
	out->format = DISCFS_VOLUME_ISO9660;
	out->iso_names = i->names == ISO_NAMES_RR ? DISCFS_ISO_NAMES_ROCK_RIDGE
		       : i->names == ISO_NAMES_JOLIET ? DISCFS_ISO_NAMES_JOLIET
		       : DISCFS_ISO_NAMES_PLAIN;
}

void discfs_volume_info_get(const discfs_volume *v, discfs_volume_info *out)
{
	memset(out, 0, sizeof(*out));
	if (v->iso) {
		iso_info(v->iso, out);
		return;
	}
	const struct udf_vol_info *i = udf_vol_info(v->vol);
	copy_utf8(out->label, sizeof(out->label), i->lv_ident);
	copy_utf8(out->volume_id, sizeof(out->volume_id), i->vol_ident);
	out->udf_revision = i->udf_rev;
	out->layout = layout_public(i->layout);
	out->partition_blocks = i->part_blocks;
	out->free_blocks = i->layout == UDF_LAYOUT_VAT ? UINT64_MAX : i->free_blocks;
	out->files = i->num_files;
	out->dirs = i->num_dirs;
	out->vat_block = i->vat_block;
	out->vat_hash = i->vat_hash;
}

static int count_xattr(void *ctx, const char *name, size_t name_len,
		       const uint8_t *value, size_t value_len)
{
	(void)name, (void)name_len, (void)value, (void)value_len;
	++*(unsigned *)ctx;
	return 0;
}

/* What the EA space adds to a stat: device numbers, whether there are
 * xattrs.  A damaged space adds nothing here; discfs_volume_xattrs()
 * reports it. */
static void ea_public(const struct udf_inode *ino, discfs_stat *st)
{
	unsigned n = 0;
	struct udf_ea_found f = { .xattr = count_xattr, .ctx = &n };
	discfs_error e = { 0 };

	if (udf_inode_eas(ino, &f, &e) < 0)
		return;
	if (f.has_device) {
		st->rdev_major = f.major;
		st->rdev_minor = f.minor;
	}
	if (n)
		st->flags |= DISCFS_STAT_XATTRS;
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
	if (ino->ea_len)
		ea_public(ino, st);
}

static void iso_public(const struct iso_node *n, discfs_stat *st)
{
	*st = (discfs_stat){
		.ino = n->ino, .mode = n->mode, .uid = n->uid, .gid = n->gid,
		.nlink = n->nlink, .size = n->size,
		.atime = n->atime.tv_sec, .mtime = n->mtime.tv_sec,
		.ctime = n->ctime.tv_sec,
	};
}

int discfs_volume_stat(discfs_volume *v, const char *path, discfs_stat *st,
		       discfs_error *err)
{
	struct udf_inode *ino;
	if (v->iso) {
		struct iso_node *n = NULL;
		int rc = iso_lookup(v->iso, path, &n, err);
		if (rc == 0)
			iso_public(n, st);
		iso_node_free(n);
		return rc;
	}
	int rc = udf_lookup(v->vol, path, &ino, err);
	if (rc)
		return rc;
	to_public(ino, st);
	udf_inode_free(ino);
	return 0;
}

struct xattr_ctx {
	discfs_xattr_fn fn;
	void *user;
};

static int xattr_one(void *arg, const char *name, size_t name_len,
		     const uint8_t *value, size_t value_len)
{
	struct xattr_ctx *c = arg;
	char n[UDF_XATTR_NAME_MAX + 1];

	memcpy(n, name, name_len); /* the parser bounds name_len by 255 */
	n[name_len] = '\0';
	return c->fn(c->user, n, value, value_len);
}

int discfs_volume_xattrs(discfs_volume *v, const char *path,
			 discfs_xattr_fn fn, void *user, discfs_error *err)
{
	struct xattr_ctx c = { .fn = fn, .user = user };
	struct udf_ea_found f = { .xattr = xattr_one, .ctx = &c };
	struct udf_inode *ino;
	int rc;

	if (v->iso) { /* Rock Ridge's xattrs (AL) are not read */
		discfs_stat st;
		return discfs_volume_stat(v, path, &st, err);
	}
	rc = udf_lookup(v->vol, path, &ino, err);
	if (rc)
		return rc;
	rc = udf_inode_eas(ino, &f, err);
	if (rc < 0)
		rc = dfs_wrap(err, rc, "%s", path);
	udf_inode_free(ino);
	return rc;
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

static int iso_one(void *arg, const char *name, const struct iso_node *n)
{
	struct dir_ctx *c = arg;
	discfs_stat st;
	iso_public(n, &st);
	return c->fn(c->user, name, &st);
}

static int iso_readdir_path(discfs_volume *v, const char *path,
			    struct dir_ctx *c, discfs_error *err)
{
	struct iso_node *dir;
	int rc = iso_lookup(v->iso, path, &dir, err);
	if (rc)
		return rc;
	if (!iso_node_is_dir(dir))
		rc = dfs_fail(err, DISCFS_EINVAL, "%s: not a directory", path);
	else
		rc = iso_readdir(v->iso, dir, iso_one, c, err);
	iso_node_free(dir);
	return rc > 0 ? 0 : rc;
}

int discfs_volume_readdir(discfs_volume *v, const char *path, discfs_dir_fn fn,
			  void *user, discfs_error *err)
{
	struct udf_inode *dir;
	struct dir_ctx c = { v->vol, fn, user, err };
	if (v->iso)
		return iso_readdir_path(v, path, &c, err);
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

static int iso_walk_one(void *arg, const char *rel, const struct iso_node *n)
{
	return iso_one(arg, rel, n);
}

int discfs_volume_walk(discfs_volume *v, const char *path, discfs_dir_fn fn,
		       void *user, discfs_error *err)
{
	struct dir_ctx c = { v->vol, fn, user, err };
	if (v->iso)
		return iso_walk(v->iso, path, iso_walk_one, &c, err);
	return udf_walk(v->vol, path, walk_one, &c, err);
}

int discfs_volume_readlink(discfs_volume *v, const char *path, char *buf,
			   size_t size, discfs_error *err)
{
	struct udf_inode *ino;
	if (v->iso) {
		struct iso_node *n = NULL;
		int rc = iso_lookup(v->iso, path, &n, err);
		if (rc == 0)
			rc = iso_readlink(n, buf, size, err);
		iso_node_free(n);
		return rc;
	}
	int rc = udf_lookup(v->vol, path, &ino, err);
	if (rc)
		return rc;
	rc = udf_readlink(v->vol, ino, buf, size, err);
	udf_inode_free(ino);
	return rc;
}

static int iso_file_open(discfs_volume *v, discfs_file *f, const char *path,
			 discfs_file **out, discfs_error *err)
{
	int rc = iso_lookup(v->iso, path, &f->node, err);
	if (rc == 0 && iso_node_is_dir(f->node))
		rc = dfs_fail(err, DISCFS_EINVAL, "%s: is a directory", path);
	if (rc) {
		iso_node_free(f->node);
		free(f);
		return rc;
	}
	f->v = v;
	*out = f;
	return 0;
}

int discfs_file_open(discfs_volume *v, const char *path, discfs_file **out,
		     discfs_error *err)
{
	discfs_file *f = calloc(1, sizeof(*f));
	if (!f)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (v->iso)
		return iso_file_open(v, f, path, out, err);
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
	if (f->node)
		return iso_read(f->v->iso, f->node, off, buf, len, got, err);
	return udf_read(f->v->vol, f->ino, off, buf, len, got, err);
}

void discfs_file_close(discfs_file *f)
{
	if (!f)
		return;
	iso_node_free(f->node);
	udf_inode_free(f->ino);
	free(f);
}
