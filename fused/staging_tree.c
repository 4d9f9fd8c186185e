/* fused/staging_tree.c - see staging_tree.h */
#include "fused/staging_tree.h"
#include "fused/staging_extent.h"
#include "fused/staging_xattr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------- hashing */

static size_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x;
}

static size_t name_hash(uint64_t parent, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ parent;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ull;
	return mix64(h);
}

static int ih_grow(struct stg_tree *t)
{
	size_t n = t->ih_size * 2;
	struct stg_inode **h = calloc(n, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < t->ih_size; i++)
		while (t->ih[i]) {
			struct stg_inode *in = t->ih[i];
			t->ih[i] = in->hnext;
			in->hnext = h[mix64(in->ino) & (n - 1)];
			h[mix64(in->ino) & (n - 1)] = in;
		}
	free(t->ih);
	t->ih = h;
	t->ih_size = n;
	return 0;
}

static int dh_grow(struct stg_tree *t)
{
	size_t n = t->dh_size * 2;
	struct stg_dentry **h = calloc(n, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < t->dh_size; i++)
		while (t->dh[i]) {
			struct stg_dentry *d = t->dh[i];
			size_t b = name_hash(d->parent->ino, d->name, d->name_len) & (n - 1);
			t->dh[i] = d->hnext;
			d->hnext = h[b];
			h[b] = d;
		}
	free(t->dh);
	t->dh = h;
	t->dh_size = n;
	return 0;
}

/* Grows the tables before a change so inserting can no longer fail. */
static int reserve(struct stg_tree *t, size_t inodes, size_t dentries)
{
	if (t->n_inodes + inodes > t->ih_size && ih_grow(t) < 0)
		return -ENOMEM;
	if (t->n_dentries + dentries > t->dh_size && dh_grow(t) < 0)
		return -ENOMEM;
	return 0;
}

struct stg_inode *stg_tree_inode(const struct stg_tree *t, uint64_t ino)
{
	struct stg_inode *in;

	if (!t->ih)
		return NULL; /* a freed tree (a store closed under a mount) */
	in = t->ih[mix64(ino) & (t->ih_size - 1)];

	while (in && in->ino != ino)
		in = in->hnext;
	return in;
}

struct stg_dentry *stg_tree_lookup(const struct stg_tree *t,
				   const struct stg_inode *dir,
				   const char *name, size_t len)
{
	struct stg_dentry *d;

	if (!t->dh || !dir)
		return NULL;
	d = t->dh[name_hash(dir->ino, name, len) & (t->dh_size - 1)];
	for (; d; d = d->hnext)
		if (d->parent == dir && d->name_len == len &&
		    !memcmp(d->name, name, len))
			return d;
	return NULL;
}

static void inode_insert(struct stg_tree *t, struct stg_inode *in)
{
	size_t b = mix64(in->ino) & (t->ih_size - 1);

	in->hnext = t->ih[b];
	t->ih[b] = in;
	t->n_inodes++;
}

static void inode_free(struct stg_tree *t, struct stg_inode *in)
{
	struct stg_inode **pp = &t->ih[mix64(in->ino) & (t->ih_size - 1)];

	while (*pp != in)
		pp = &(*pp)->hnext;
	*pp = in->hnext;
	t->n_inodes--;
	t->staged_bytes -= in->ext_bytes;
	while (in->xattrs) {
		struct stg_xattr *x = in->xattrs;
		in->xattrs = x->next;
		free(x);
	}
	free(in->symlink);
	free(in->ext);
	free(in);
}

static void maybe_free(struct stg_tree *t, struct stg_inode *in)
{
	if (in->nlink == 0 && in->refs == 0 && in->ino != STG_ROOT_INO)
		inode_free(t, in);
}

static void dentry_unhash(struct stg_tree *t, struct stg_dentry *d)
{
	size_t b = name_hash(d->parent->ino, d->name, d->name_len) & (t->dh_size - 1);
	struct stg_dentry **pp = &t->dh[b];

	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
}

static void dentry_hash(struct stg_tree *t, struct stg_dentry *d)
{
	size_t b = name_hash(d->parent->ino, d->name, d->name_len) & (t->dh_size - 1);

	d->hnext = t->dh[b];
	t->dh[b] = d;
}

/* Links a prepared dentry into the hash and its directory's list. */
static void dentry_insert(struct stg_tree *t, struct stg_dentry *d)
{
	struct stg_inode *dir = d->parent;

	dentry_hash(t, d);
	d->next = NULL;
	d->prev = dir->last;
	if (dir->last)
		dir->last->next = d;
	else
		dir->first = d;
	dir->last = d;
	dir->n_children++;
	t->n_dentries++;
	if (S_ISDIR(d->inode->mode)) {
		d->inode->dir_name = d;
		dir->nlink++;
	}
}

/* Unlinks a dentry from hash and list; the caller frees it. */
static void dentry_remove(struct stg_tree *t, struct stg_dentry *d)
{
	struct stg_inode *dir = d->parent;

	dentry_unhash(t, d);
	if (d->prev)
		d->prev->next = d->next;
	else
		dir->first = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		dir->last = d->prev;
	dir->n_children--;
	t->n_dentries--;
	if (S_ISDIR(d->inode->mode)) {
		d->inode->dir_name = NULL;
		dir->nlink--;
	}
}

static struct stg_dentry *dentry_new(struct stg_inode *dir, const char *name,
				     size_t len, struct stg_inode *in)
{
	struct stg_dentry *d = calloc(1, sizeof(*d) + len + 1);

	if (!d)
		return NULL;
	d->parent = dir;
	d->inode = in;
	d->name_len = (uint16_t)len;
	memcpy(d->name, name, len);
	return d;
}

/* ------------------------------------------------------------ lifetime */

int stg_tree_init(struct stg_tree *t, uint32_t root_mode, uint32_t uid,
		  uint32_t gid, int64_t now)
{
	struct stg_inode *root;

	memset(t, 0, sizeof(*t));
	t->ih_size = t->dh_size = 1024;
	t->ih = calloc(t->ih_size, sizeof(*t->ih));
	t->dh = calloc(t->dh_size, sizeof(*t->dh));
	root = calloc(1, sizeof(*root));
	if (!t->ih || !t->dh || !root) {
		free(root);
		stg_tree_free(t);
		return -ENOMEM;
	}
	root->ino = STG_ROOT_INO;
	root->mode = S_IFDIR | (root_mode & 07777);
	root->uid = uid;
	root->gid = gid;
	root->nlink = 2;
	root->atime = root->mtime = root->ctime = now;
	inode_insert(t, root);
	t->next_ino = STG_FIRST_NEW_INO;
	return 0;
}

void stg_tree_free(struct stg_tree *t)
{
	for (size_t i = 0; t->dh && i < t->dh_size; i++)
		while (t->dh[i]) {
			struct stg_dentry *d = t->dh[i];
			t->dh[i] = d->hnext;
			free(d);
		}
	for (size_t i = 0; t->ih && i < t->ih_size; i++)
		while (t->ih[i])
			inode_free(t, t->ih[i]);
	free(t->ih);
	free(t->dh);
	memset(t, 0, sizeof(*t));
}

void stg_tree_ref(struct stg_inode *in)
{
	in->refs++;
}

void stg_tree_pin_all(struct stg_tree *t)
{
	for (size_t i = 0; t->ih && i < t->ih_size; i++)
		for (struct stg_inode *in = t->ih[i]; in; in = in->hnext)
			if (!in->refs)
				in->refs = 1;
}

void stg_tree_unref(struct stg_tree *t, struct stg_inode *in)
{
	stg_tree_unref_n(t, in, 1);
}

void stg_tree_unref_n(struct stg_tree *t, struct stg_inode *in, uint64_t n)
{
	in->refs = in->refs > n ? in->refs - n : 0;
	maybe_free(t, in);
}

/* ---------------------------------------------------------- validation */

static int valid_name(const char *name, size_t len)
{
	if (!name || len == 0 || len > STG_NAME_MAX)
		return 0;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return 0;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	return 1;
}

/* The live directory ino, or an error: -ENOENT, -ENOTDIR. */
static int get_dir(const struct stg_tree *t, uint64_t ino,
		   struct stg_inode **out)
{
	struct stg_inode *in = stg_tree_inode(t, ino);

	if (!in || in->nlink == 0)
		return -ENOENT;
	if (!S_ISDIR(in->mode))
		return -ENOTDIR;
	*out = in;
	return 0;
}

static void touch_dir(struct stg_inode *dir, int64_t when)
{
	dir->mtime = dir->ctime = when;
	dir->changed |= STG_I_META;
}

/* ------------------------------------------------------------- creating */

static struct stg_inode *inode_new(uint64_t ino, uint32_t mode, uint32_t uid,
				   uint32_t gid, int64_t when)
{
	struct stg_inode *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->ino = ino;
	in->mode = mode;
	in->uid = uid;
	in->gid = gid;
	in->nlink = S_ISDIR(mode) ? 2 : 1;
	in->atime = in->mtime = in->ctime = when;
	return in;
}

static int valid_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFIFO: case S_IFCHR: case S_IFBLK:
	case S_IFSOCK:
		return 1;
	default:
		return 0;
	}
}

/* Creates inode ino named name in dir parent; shared by MKNOD/SYMLINK. */
static int create(struct stg_tree *t, const struct stg_op *op, uint32_t mode,
		  const char *target, size_t target_len, uint8_t changed,
		  struct stg_inode **made)
{
	struct stg_inode *dir, *in;
	struct stg_dentry *d;
	int rc = get_dir(t, op->parent, &dir);

	if (rc < 0)
		return rc;
	if (!valid_name(op->name, op->name_len))
		return -EINVAL;
	if (stg_tree_lookup(t, dir, op->name, op->name_len))
		return -EEXIST;
	if (op->ino < 2 || stg_tree_inode(t, op->ino))
		return -EEXIST;
	if (reserve(t, 1, 1) < 0)
		return -ENOMEM;
	in = inode_new(op->ino, mode, op->uid, op->gid, op->time);
	d = in ? dentry_new(dir, op->name, op->name_len, in) : NULL;
	if (in && target) {
		in->symlink = malloc(target_len + 1);
		if (in->symlink) {
			memcpy(in->symlink, target, target_len);
			in->symlink[target_len] = '\0';
			in->size = target_len;
		}
	}
	if (!in || !d || (target && !in->symlink)) {
		if (in)
			free(in->symlink);
		free(in);
		free(d);
		return -ENOMEM;
	}
	in->rdev = op->rdev;
	in->changed = changed;
	inode_insert(t, in);
	dentry_insert(t, d);
	touch_dir(dir, op->time);
	if (op->ino >= t->next_ino)
		t->next_ino = op->ino + 1;
	if (made)
		*made = in;
	return 0;
}

static int op_mknod(struct stg_tree *t, const struct stg_op *op)
{
	if (!valid_type(op->mode))
		return -EINVAL;
	if (op->ino < STG_FIRST_NEW_INO)
		return -EINVAL;

	int rc = create(t, op, op->mode, NULL, 0, STG_I_NEW, NULL);

	if (rc == 0)
		t->n_new++;
	return rc;
}

static int op_symlink(struct stg_tree *t, const struct stg_op *op)
{
	int rc;

	if (op->data_len == 0 || op->data_len >= 4096 ||
	    memchr(op->data, '\0', op->data_len))
		return -EINVAL;
	if (op->ino < STG_FIRST_NEW_INO)
		return -EINVAL;
	rc = create(t, op, S_IFLNK | 0777, op->data, op->data_len, STG_I_NEW,
		    NULL);
	if (rc == 0)
		t->n_new++;
	return rc;
}

static int add_committed_name(struct stg_tree *t, struct stg_inode *dir,
			      const char *name, struct stg_inode *in)
{
	size_t len = strnlen(name, STG_NAME_MAX + 1);
	struct stg_dentry *d;

	if (S_ISDIR(in->mode))
		return -EEXIST;
	if (!valid_name(name, len))
		return -EINVAL;
	if (stg_tree_lookup(t, dir, name, len))
		return -EEXIST;
	if (reserve(t, 0, 1) < 0 || !(d = dentry_new(dir, name, len, in)))
		return -ENOMEM;
	dentry_insert(t, d);
	in->nlink++;
	return 0;
}

int stg_tree_add_committed(struct stg_tree *t, uint64_t parent,
			   const char *name, const struct stg_op *attrs,
			   uint64_t disc_id)
{
	struct stg_op op = *attrs;
	struct stg_inode *in = NULL, *dir = stg_tree_inode(t, parent);
	int64_t dir_mtime, dir_ctime;
	uint8_t dir_changed;
	int rc;

	if (attrs->ino < 2 || disc_id == 0)
		return -EINVAL;
	if (!valid_type(attrs->mode) && !S_ISLNK(attrs->mode))
		return -EINVAL;
	if (!dir || !S_ISDIR(dir->mode))
		return -ENOENT;
	in = stg_tree_inode(t, attrs->ino);
	if (in && in->disc_id == disc_id) /* another name of a hard link */
		return add_committed_name(t, dir, name, in);
	if (in)
		return -EEXIST;
	/* Loading what is on the disc is not a change of the parent. */
	dir_mtime = dir->mtime;
	dir_ctime = dir->ctime;
	dir_changed = dir->changed;
	op.parent = parent;
	op.name = name;
	op.name_len = (uint16_t)strnlen(name, STG_NAME_MAX + 1);
	rc = create(t, &op, attrs->mode,
		    S_ISLNK(attrs->mode) ? attrs->data : NULL,
		    S_ISLNK(attrs->mode) ? attrs->data_len : 0, 0, &in);
	if (rc < 0)
		return rc;
	in->size = S_ISLNK(in->mode) ? in->size : attrs->size;
	in->base_size = S_ISREG(in->mode) ? attrs->size : 0;
	in->atime = attrs->atime;
	in->mtime = attrs->mtime;
	in->ctime = attrs->time;
	in->disc_id = disc_id;
	dir->mtime = dir_mtime;
	dir->ctime = dir_ctime;
	dir->changed = dir_changed;
	if (t->next_ino < STG_FIRST_NEW_INO)
		t->next_ino = STG_FIRST_NEW_INO;
	return 0;
}

/* ------------------------------------------------------------- removing */

/* Drops a name: the inode loses a link (a directory all of them). */
static void drop_name(struct stg_tree *t, struct stg_dentry *d, int64_t when)
{
	struct stg_inode *in = d->inode;

	dentry_remove(t, d);
	free(d);
	in->nlink = S_ISDIR(in->mode) ? 0 : in->nlink - 1;
	in->ctime = when;
	in->changed |= STG_I_META;
	maybe_free(t, in);
}

static int op_unlink(struct stg_tree *t, const struct stg_op *op)
{
	struct stg_inode *dir;
	struct stg_dentry *d;
	int rc = get_dir(t, op->parent, &dir);

	if (rc < 0)
		return rc;
	if (op->flags & ~STG_UNLINK_DIR)
		return -EINVAL;
	d = stg_tree_lookup(t, dir, op->name, op->name_len);
	if (!d)
		return -ENOENT;
	if (op->flags & STG_UNLINK_DIR) {
		if (!S_ISDIR(d->inode->mode))
			return -ENOTDIR;
		if (d->inode->n_children)
			return -ENOTEMPTY;
	} else if (S_ISDIR(d->inode->mode)) {
		return -EISDIR;
	}
	drop_name(t, d, op->time);
	touch_dir(dir, op->time);
	return 0;
}

static int op_link(struct stg_tree *t, const struct stg_op *op)
{
	struct stg_inode *dir, *in = stg_tree_inode(t, op->ino);
	struct stg_dentry *d;
	int rc = get_dir(t, op->newparent, &dir);

	if (rc < 0)
		return rc;
	if (!in || in->nlink == 0)
		return -ENOENT;
	if (S_ISDIR(in->mode))
		return -EPERM;
	if (in->nlink >= 65000)
		return -EMLINK;
	if (!valid_name(op->name2, op->name2_len))
		return -EINVAL;
	if (stg_tree_lookup(t, dir, op->name2, op->name2_len))
		return -EEXIST;
	if (reserve(t, 0, 1) < 0 ||
	    !(d = dentry_new(dir, op->name2, op->name2_len, in)))
		return -ENOMEM;
	dentry_insert(t, d);
	in->nlink++;
	in->ctime = op->time;
	in->changed |= STG_I_META;
	touch_dir(dir, op->time);
	return 0;
}

/* Is dir the same as, or below, top? */
static int is_within(const struct stg_inode *dir, const struct stg_inode *top)
{
	while (dir) {
		if (dir == top)
			return 1;
		dir = dir->dir_name ? dir->dir_name->parent : NULL;
	}
	return 0;
}

static int rename_check(const struct stg_tree *t, const struct stg_op *op,
			struct stg_dentry *src, struct stg_inode *ndir,
			struct stg_dentry *dst)
{
	int src_dir = S_ISDIR(src->inode->mode);

	if (op->flags & ~STG_RENAME_NOREPLACE)
		return -EINVAL;
	if (!valid_name(op->name2, op->name2_len))
		return -EINVAL;
	if (dst && (op->flags & STG_RENAME_NOREPLACE))
		return -EEXIST;
	if (src_dir && is_within(ndir, src->inode))
		return -EINVAL;
	if (!dst)
		return 0;
	if (src_dir && !S_ISDIR(dst->inode->mode))
		return -ENOTDIR;
	if (!src_dir && S_ISDIR(dst->inode->mode))
		return -EISDIR;
	if (src_dir && dst->inode->n_children)
		return -ENOTEMPTY;
	return 0;
}

static int op_rename(struct stg_tree *t, const struct stg_op *op)
{
	struct stg_inode *odir, *ndir;
	struct stg_dentry *src, *dst, *d;
	int rc = get_dir(t, op->parent, &odir);

	if (rc == 0)
		rc = get_dir(t, op->newparent, &ndir);
	if (rc < 0)
		return rc;
	src = stg_tree_lookup(t, odir, op->name, op->name_len);
	if (!src)
		return -ENOENT;
	dst = valid_name(op->name2, op->name2_len)
		      ? stg_tree_lookup(t, ndir, op->name2, op->name2_len) : NULL;
	rc = rename_check(t, op, src, ndir, dst);
	if (rc < 0)
		return rc;
	if (dst && dst->inode == src->inode)
		return 0; /* POSIX: two names of one file, nothing happens */
	if (reserve(t, 0, 1) < 0 ||
	    !(d = dentry_new(ndir, op->name2, op->name2_len, src->inode)))
		return -ENOMEM;
	if (dst)
		drop_name(t, dst, op->time);
	dentry_remove(t, src);
	free(src);
	dentry_insert(t, d);
	d->inode->ctime = op->time;
	d->inode->changed |= STG_I_META;
	touch_dir(odir, op->time);
	touch_dir(ndir, op->time);
	return 0;
}

static int op_write(struct stg_tree *t, const struct stg_op *op)
{
	struct stg_inode *in = stg_tree_inode(t, op->ino);
	struct stg_extent e = { op->off, op->len, op->segoff, (uint32_t)op->seg };

	if (!in)
		return -ENOENT;
	if (!S_ISREG(in->mode))
		return -EISDIR;
	if (op->len == 0 || op->off + op->len < op->off ||
	    op->off + op->len > (1ull << 62) || op->seg > UINT32_MAX ||
	    op->segoff + op->len < op->segoff)
		return -EINVAL;
	if (stg_extent_put(t, in, &e) < 0)
		return -ENOMEM;
	if (op->off + op->len > in->size)
		in->size = op->off + op->len;
	in->mtime = in->ctime = op->time;
	in->changed |= STG_I_DATA;
	return 0;
}

static void truncate_to(struct stg_tree *t, struct stg_inode *in, uint64_t size)
{
	if (size < in->size)
		stg_extent_cut(t, in, size);
	if (size < in->base_size)
		in->base_size = size;
	in->size = size;
	in->changed |= STG_I_DATA;
}

static int op_setattr(struct stg_tree *t, const struct stg_op *op)
{
	struct stg_inode *in = stg_tree_inode(t, op->ino);
	const uint32_t known = STG_SET_MODE | STG_SET_UID | STG_SET_GID |
			       STG_SET_SIZE | STG_SET_ATIME | STG_SET_MTIME;

	if (!in)
		return -ENOENT;
	if (op->valid & ~known)
		return -EINVAL;
	if (op->valid & STG_SET_SIZE) {
		if (S_ISDIR(in->mode))
			return -EISDIR;
		if (!S_ISREG(in->mode) || op->size > (1ull << 62))
			return -EINVAL;
		/* Truncating never splits an extent, so it cannot fail. */
		truncate_to(t, in, op->size);
	}
	if (op->valid & STG_SET_MODE)
		in->mode = (in->mode & S_IFMT) | (op->mode & 07777);
	if (op->valid & STG_SET_UID)
		in->uid = op->uid;
	if (op->valid & STG_SET_GID)
		in->gid = op->gid;
	if (op->valid & STG_SET_ATIME)
		in->atime = op->atime;
	if (op->valid & STG_SET_MTIME)
		in->mtime = op->mtime;
	else if (op->valid & STG_SET_SIZE)
		in->mtime = op->time;
	in->ctime = op->time;
	in->changed |= STG_I_META;
	return 0;
}

/* ---------------------------------------------------------------- apply */

int stg_tree_apply(struct stg_tree *t, const struct stg_op *op)
{
	switch (op->type) {
	case STG_OP_MKNOD: return op_mknod(t, op);
	case STG_OP_SYMLINK: return op_symlink(t, op);
	case STG_OP_LINK: return op_link(t, op);
	case STG_OP_UNLINK: return op_unlink(t, op);
	case STG_OP_RENAME: return op_rename(t, op);
	case STG_OP_SETATTR: return op_setattr(t, op);
	case STG_OP_WRITE: return op_write(t, op);
	case STG_OP_SETXATTR: return stg_xattr_set(stg_tree_inode(t, op->ino), op);
	case STG_OP_RMXATTR: return stg_xattr_remove(stg_tree_inode(t, op->ino), op);
	default: return -EINVAL;
	}
}

/* ------------------------------------------------------ renumbering */

int stg_tree_renumber(struct stg_tree *t, uint64_t from, uint64_t to)
{
	struct stg_inode *in = stg_tree_inode(t, from), **pp;

	if (!in)
		return -ENOENT;
	if (from == to)
		return 0;
	if (from == STG_ROOT_INO || to < 2)
		return -EINVAL;
	if (stg_tree_inode(t, to))
		return -EEXIST;
	/* The children are hashed under their directory's number. */
	for (struct stg_dentry *d = in->first; d; d = d->next)
		dentry_unhash(t, d);
	pp = &t->ih[mix64(in->ino) & (t->ih_size - 1)];
	while (*pp != in)
		pp = &(*pp)->hnext;
	*pp = in->hnext;
	in->ino = to;
	in->hnext = t->ih[mix64(to) & (t->ih_size - 1)];
	t->ih[mix64(to) & (t->ih_size - 1)] = in;
	for (struct stg_dentry *d = in->first; d; d = d->next)
		dentry_hash(t, d);
	return 0;
}

void stg_tree_each_dentry(struct stg_tree *t,
			  void (*fn)(void *ctx, struct stg_dentry *d), void *ctx)
{
	for (size_t i = 0; t->dh && i < t->dh_size; i++)
		for (struct stg_dentry *d = t->dh[i]; d; d = d->hnext)
			fn(ctx, d);
}

/* --------------------------------------------------- tolerant replay */

/* Does the subtree of in hold a name of an object older than the cut? */
static int holds_old(const struct stg_inode *in)
{
	for (const struct stg_dentry *d = in->first; d; d = d->next)
		if (d->ahead == STG_AHEAD_OLD ||
		    (S_ISDIR(d->inode->mode) && holds_old(d->inode)))
			return 1;
	return 0;
}

static void drop_subtree(struct stg_tree *t, struct stg_dentry *d, int64_t when)
{
	struct stg_inode *in = d->inode;

	while (S_ISDIR(in->mode) && in->last)
		drop_subtree(t, in->last, when);
	drop_name(t, d, when);
}

/*
 * Drops an ahead-new name the journal is about to reuse.  A directory
 * replaced by a directory first hands what it holds to the new one: an
 * object moved in by the commit must not go with it.
 */
static int drop_ahead(struct stg_tree *t, struct stg_dentry *d,
		      struct stg_inode *heir, int64_t when)
{
	struct stg_inode *in = d->inode;

	if (d->ahead != STG_AHEAD_NEW)
		return -EEXIST;
	while (heir && S_ISDIR(in->mode) && in->first) {
		struct stg_dentry *c = in->first;
		struct stg_dentry *h = stg_tree_lookup(t, heir, c->name, c->name_len);
		if (h && h->inode == c->inode) {
			drop_name(t, c, when); /* shown twice: keep the journal's */
			continue;
		}
		if (h) {
			if (c->ahead != STG_AHEAD_NEW || holds_old(c->inode))
				return -EEXIST;
			drop_subtree(t, c, when);
			continue;
		}
		dentry_remove(t, c);
		c->parent = heir;
		dentry_insert(t, c);
	}
	if (holds_old(in))
		return -EEXIST;
	drop_subtree(t, d, when);
	return 0;
}

static int tol_create(struct stg_tree *t, const struct stg_op *op)
{
	int link = op->type == STG_OP_LINK;
	const char *name = link ? op->name2 : op->name;
	size_t len = link ? op->name2_len : op->name_len;
	struct stg_inode *dir, *in = link ? stg_tree_inode(t, op->ino) : NULL;
	struct stg_dentry *d;
	int rc = get_dir(t, link ? op->newparent : op->parent, &dir);

	if (rc == -ENOENT || (link && (!in || in->nlink == 0)))
		return 0; /* the commit removed it: later ops remove the rest */
	if (rc == 0 && valid_name(name, len) &&
	    (d = stg_tree_lookup(t, dir, name, len)) && d->ahead) {
		struct stg_inode *old = d->inode;
		int dirs = op->type == STG_OP_MKNOD && S_ISDIR(op->mode) &&
			   S_ISDIR(old->mode);
		if (old == in) { /* the commit made this link already */
			drop_name(t, d, op->time);
			return stg_tree_apply(t, op);
		}
		if (dirs) {
			/* The new directory first, then what the disc holds. */
			dentry_remove(t, d);
			rc = stg_tree_apply(t, op);
			dentry_insert(t, d);
			if (rc == 0)
				rc = drop_ahead(t, d, stg_tree_inode(t, op->ino), op->time);
			return rc;
		}
		if ((rc = drop_ahead(t, d, NULL, op->time)) < 0)
			return rc;
	}
	return stg_tree_apply(t, op);
}

static int tol_unlink(struct stg_tree *t, const struct stg_op *op)
{
	struct stg_inode *dir;
	struct stg_dentry *d;
	int rc = get_dir(t, op->parent, &dir);

	if (rc == -ENOENT)
		return 0;
	if (rc == 0 && valid_name(op->name, op->name_len)) {
		d = stg_tree_lookup(t, dir, op->name, op->name_len);
		if (!d || d->ahead)
			return 0; /* what the journal removed is gone already */
	}
	return stg_tree_apply(t, op);
}

static int tol_rename(struct stg_tree *t, const struct stg_op *op)
{
	struct stg_inode *odir, *ndir;
	struct stg_dentry *src, *dst;
	int rc = get_dir(t, op->parent, &odir);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0 || (rc = get_dir(t, op->newparent, &ndir)) < 0 ||
	    !valid_name(op->name, op->name_len) ||
	    !valid_name(op->name2, op->name2_len))
		return stg_tree_apply(t, op);
	src = stg_tree_lookup(t, odir, op->name, op->name_len);
	if (!src || src->ahead)
		return 0; /* the commit moved or removed it already */
	dst = stg_tree_lookup(t, ndir, op->name2, op->name2_len);
	if (dst && dst->ahead && dst->inode == src->inode) {
		drop_name(t, dst, op->time); /* shown at both places */
	} else if (dst && dst->ahead) {
		/* A directory moved over one the commit wrote takes its content. */
		int dirs = S_ISDIR(src->inode->mode) && S_ISDIR(dst->inode->mode);
		rc = drop_ahead(t, dst, dirs ? src->inode : NULL, op->time);
		if (rc < 0)
			return rc;
	}
	return stg_tree_apply(t, op);
}

static int tol_xattr(struct stg_tree *t, const struct stg_op *op)
{
	struct stg_inode *in = stg_tree_inode(t, op->ino);
	struct stg_op o = *op;

	if (!in)
		return 0;
	if (op->type == STG_OP_RMXATTR)
		return stg_tree_xattr(in, op->name, op->name_len)
		       ? stg_xattr_remove(in, op) : 0;
	/* The disc may show the final set already: set it either way. */
	o.flags &= ~(STG_XATTR_CREATE | STG_XATTR_REPLACE);
	return stg_xattr_set(in, &o);
}

int stg_tree_apply_tolerant(struct stg_tree *t, const struct stg_op *op)
{
	switch (op->type) {
	case STG_OP_MKNOD: case STG_OP_SYMLINK: case STG_OP_LINK:
		return tol_create(t, op);
	case STG_OP_UNLINK:
		return tol_unlink(t, op);
	case STG_OP_RENAME:
		return tol_rename(t, op);
	case STG_OP_SETXATTR: case STG_OP_RMXATTR:
		return tol_xattr(t, op);
	case STG_OP_WRITE: case STG_OP_SETATTR:
		if (!stg_tree_inode(t, op->ino))
			return 0; /* the commit removed it */
		/* fall through */
	default:
		return stg_tree_apply(t, op);
	}
}
