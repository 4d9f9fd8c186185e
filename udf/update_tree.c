/*
 * udf/update_tree.c - the staged tree: nodes, loading directories from the
 * disc, path lookup, and the staging operations of udf/update.h.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "udf/cs0.h"
#include "udf/safe_name.h"
#include "udf/update_int.h"
#include "util/err.h"

#define UPD_NAME_MAX 1024

void upd_node_free(struct upd_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		upd_node_free(n->kids[i]);
	free(n->kids);
	free(n->hash);
	free(n->name);
	free(n->cs0);
	free(n->body);
	free(n->data_lbn);
	free(n->data_len);
	free(n->xa);
	free(n);
}

/* One allocation: the array, then each name (NUL-terminated) and value. */
static int copy_xattrs(struct upd_node *n, const struct udf_xattr *x,
		       size_t count, discfs_error *err)
{
	size_t bytes = count * sizeof(*x), pos;
	struct udf_xattr *c;

	for (size_t i = 0; i < count; i++)
		bytes += strlen(x[i].name) + 1 + x[i].value_len;
	c = malloc(bytes ? bytes : 1);
	if (!c)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	pos = count * sizeof(*x);
	for (size_t i = 0; i < count; i++) {
		char *name = (char *)c + pos;
		size_t l = strlen(x[i].name) + 1;
		memcpy(name, x[i].name, l);
		pos += l;
		c[i] = (struct udf_xattr){ name, (uint8_t *)c + pos, x[i].value_len };
		if (x[i].value_len)
			memcpy((uint8_t *)c + pos, x[i].value, x[i].value_len);
		pos += x[i].value_len;
	}
	free(n->xa);
	n->xa = c;
	n->attr.xattrs = c;
	n->attr.n_xattrs = count;
	return 0;
}

int upd_attr_merge(struct upd_node *n, const struct udf_update_attr *a,
		   discfs_error *err)
{
	if (!a)
		return 0;
	if (a->mask & UDF_ATTR_XATTRS) {
		int rc = copy_xattrs(n, a->xattrs, a->n_xattrs, err);
		if (rc)
			return rc;
	}
	if (a->mask & UDF_ATTR_MODE)
		n->attr.mode = a->mode;
	if (a->mask & UDF_ATTR_OWNER) {
		n->attr.uid = a->uid;
		n->attr.gid = a->gid;
	}
	if (a->mask & UDF_ATTR_MTIME) {
		n->attr.mtime = a->mtime;
		n->attr.mtime_nsec = a->mtime_nsec;
	}
	n->attr.mask |= a->mask;
	return 0;
}

/* ------------------------------------------------- directory index */

#define HASH_FROM 64u /* entries from which a directory gets a name index */

static const uint8_t tomb_obj;
#define TOMB ((struct upd_node *)(uintptr_t)&tomb_obj)

static size_t name_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return (size_t)h;
}

static void hash_put(struct upd_node *d, struct upd_node *k)
{
	size_t i = name_hash(k->name, strlen(k->name)) & (d->hcap - 1);
	while (d->hash[i] && d->hash[i] != TOMB)
		i = (i + 1) & (d->hcap - 1);
	d->hash[i] = k;
}

/* (Re)builds the index; without memory the directory is scanned instead. */
static void hash_rebuild(struct upd_node *d)
{
	size_t cap = 128;
	while (cap < 4 * d->nlive)
		cap *= 2;
	free(d->hash);
	d->hash = calloc(cap, sizeof(*d->hash));
	d->hcap = d->hash ? cap : 0;
	d->hused = 0;
	for (size_t i = 0; d->hash && i < d->nkids; i++)
		if (d->kids[i]) {
			hash_put(d, d->kids[i]);
			d->hused++;
		}
}

static void hash_drop(struct upd_node *d, struct upd_node *k)
{
	if (!d->hash)
		return;
	size_t i = name_hash(k->name, strlen(k->name)) & (d->hcap - 1);
	while (d->hash[i] && d->hash[i] != k)
		i = (i + 1) & (d->hcap - 1);
	if (d->hash[i] == k)
		d->hash[i] = TOMB;
}

void upd_compact(struct upd_node *d)
{
	size_t j = 0;
	if (d->nlive == d->nkids)
		return;
	for (size_t i = 0; i < d->nkids; i++)
		if (d->kids[i]) {
			d->kids[j] = d->kids[i];
			d->kids[j]->slot = j;
			j++;
		}
	d->nkids = j;
}

static int set_name(struct upd_node *n, const char *name, size_t len,
		    discfs_error *err)
{
	/* name is a safe name (udf/safe_name.h): record what it decodes to,
	 * so it reads back as name. */
	uint8_t cs0[256];
	char disc[1024];
	size_t cl = 0;
	int rc = udf_safe_name_to_disc(name, len, disc, sizeof(disc), cs0,
				       sizeof(cs0), &cl, err);
	if (rc)
		return rc;
	char *nm = strndup(name, len);
	uint8_t *c = malloc(cl);
	if (!nm || !c) {
		free(nm);
		free(c);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	memcpy(c, cs0, cl);
	free(n->name);
	free(n->cs0);
	n->name = nm;
	n->cs0 = c;
	n->cs0_len = (uint8_t)cl;
	return 0;
}

struct upd_node *upd_node_new(const char *name, discfs_error *err)
{
	struct upd_node *n = calloc(1, sizeof(*n));
	if (!n) {
		dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		return NULL;
	}
	if (name && set_name(n, name, strlen(name), err)) {
		free(n);
		return NULL;
	}
	return n;
}

static int kid_add(struct upd_node *dir, struct upd_node *k, discfs_error *err)
{
	if (dir->nkids == dir->cap) {
		upd_compact(dir);
		size_t cap = dir->cap ? dir->cap * 2 : 8;
		struct upd_node **v = realloc(dir->kids, cap * sizeof(*v));
		if (!v)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		dir->kids = v;
		dir->cap = cap;
	}
	k->slot = dir->nkids;
	dir->kids[dir->nkids++] = k;
	dir->nlive++;
	k->parent = dir;
	if (dir->hash && (dir->hused + 1) * 2 <= dir->hcap) {
		hash_put(dir, k);
		dir->hused++;
	} else if (dir->nlive >= HASH_FROM) {
		hash_rebuild(dir);
	}
	return 0;
}

/* Leaves a hole (the FIDs before it stay where they were recorded);
 * holes are squeezed out once they are half of the list. */
static void kid_detach(struct upd_node *k)
{
	struct upd_node *d = k->parent;
	if (d && k->slot < d->nkids && d->kids[k->slot] == k) {
		hash_drop(d, k);
		d->kids[k->slot] = NULL;
		d->nlive--;
		if (d->nlive < d->nkids / 2)
			upd_compact(d);
	}
	k->parent = NULL;
}

/* ---------------------------------------------------------- loading */

struct load_ctx {
	struct udf_update *u;
	struct upd_node *dir;
	char name[UPD_NAME_MAX];
};

static int load_one(void *arg, const struct udf_fid *f, discfs_error *err)
{
	struct load_ctx *c = arg;
	if (f->characteristics & (FID_PARENT | FID_DELETED))
		return 0;
	int rc = udf_fid_name(f, c->name, sizeof(c->name), err);
	if (rc)
		return rc;
	struct upd_node *k = calloc(1, sizeof(*k));
	if (!k)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	k->name = strdup(c->name);
	k->cs0 = malloc(f->l_fi);
	if (!k->name || !k->cs0 || kid_add(c->dir, k, err)) {
		upd_node_free(k);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	memcpy(k->cs0, f->name, f->l_fi);
	k->cs0_len = f->l_fi;
	k->on_disc = true;
	k->disc_parent = c->dir;
	k->icb = f->icb;
	k->fid_chars = f->characteristics & (FID_HIDDEN | FID_METADATA);
	k->fid_uid = f->unique_id;
	k->ftype = (f->characteristics & FID_DIRECTORY) ? FT_DIR : 0;
	return 0;
}

int upd_load_kids(struct udf_update *u, struct upd_node *dir,
		  discfs_error *err)
{
	if (dir->kids_loaded)
		return 0;
	if (dir->ftype != FT_DIR)
		return dfs_fail(err, DISCFS_EINVAL, "'%s' is not a directory",
				dir->name ? dir->name : "/");
	struct udf_inode *ino = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = udf_inode_get(u->vol, dir->icb, &ino, err);
	if (!rc)
		rc = udf_read_stream(u->vol, ino, UDF_MAX_DIR_BYTES, &data, &len, err);
	udf_inode_free(ino);
	struct load_ctx *c = rc ? NULL : malloc(sizeof(*c));
	if (!rc && !c)
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (!rc) {
		c->u = u;
		c->dir = dir;
		rc = udf_fids_parse(data, len, load_one, c, err);
	}
	free(c);
	free(data);
	if (rc) {
		for (size_t i = 0; i < dir->nkids; i++)
			upd_node_free(dir->kids[i]);
		dir->nkids = dir->nlive = 0;
		free(dir->hash);
		dir->hash = NULL;
		dir->hcap = dir->hused = 0;
		return rc;
	}
	dir->kids_loaded = true;
	return 0;
}

/* ------------------------------------------------------------ lookup */

static bool name_is(const struct upd_node *k, const char *name, size_t len)
{
	return k && k != TOMB && !strncmp(k->name, name, len) && k->name[len] == '\0';
}

static struct upd_node *find_kid(struct upd_node *dir, const char *name,
				 size_t len)
{
	if (dir->hash) {
		size_t i = name_hash(name, len) & (dir->hcap - 1);
		for (; dir->hash[i]; i = (i + 1) & (dir->hcap - 1))
			if (name_is(dir->hash[i], name, len))
				return dir->hash[i];
		return NULL;
	}
	for (size_t i = 0; i < dir->nkids; i++)
		if (name_is(dir->kids[i], name, len))
			return dir->kids[i];
	return NULL;
}

/* Next component of *p: returns its length (0 at the end). */
static size_t next_comp(const char **p)
{
	while (**p == '/')
		(*p)++;
	size_t n = 0;
	while ((*p)[n] && (*p)[n] != '/')
		n++;
	return n;
}

int upd_lookup(struct udf_update *u, const char *path, struct upd_node **out,
	       discfs_error *err)
{
	struct upd_node *n = u->root;
	const char *p = path ? path : "";
	size_t len;
	while ((len = next_comp(&p)) > 0) {
		int rc = upd_load_kids(u, n, err);
		if (rc)
			return rc;
		struct upd_node *k = find_kid(n, p, len);
		if (!k)
			return dfs_fail(err, DISCFS_ENOENT, "%s: no such file or directory",
					path);
		n = k;
		p += len;
	}
	*out = n;
	return 0;
}

int upd_lookup_parent(struct udf_update *u, const char *path,
		      struct upd_node **parent, const char **leaf,
		      size_t *leaf_len, discfs_error *err)
{
	if (!path)
		return dfs_fail(err, DISCFS_EINVAL, "no path given");
	const char *end = path + strlen(path);
	while (end > path && end[-1] == '/')
		end--;
	const char *slash = end;
	while (slash > path && slash[-1] != '/')
		slash--;
	if (slash == end)
		return dfs_fail(err, DISCFS_EINVAL, "'%s': the root has no name", path);
	char *dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	struct upd_node *d = NULL;
	int rc = upd_lookup(u, dir, &d, err);
	free(dir);
	if (!rc && d->ftype != FT_DIR)
		rc = dfs_fail(err, DISCFS_EINVAL, "%s: a parent is not a directory", path);
	if (!rc)
		rc = upd_load_kids(u, d, err);
	if (rc)
		return rc;
	*parent = d;
	*leaf = slash;
	*leaf_len = (size_t)(end - slash);
	return 0;
}

/* ------------------------------------------------------- operations */

/* The directory's list of names changed: new stream, new entry. */
static void mark_dir(struct udf_update *u, struct upd_node *d)
{
	d->dir_dirty = d->fe_dirty = true;
	u->pending = true;
}

static int push_removed(struct udf_update *u, struct upd_node *n,
			discfs_error *err)
{
	if (!n->on_disc) {
		upd_node_free(n);
		return 0;
	}
	if (u->n_removed == u->cap_removed) {
		size_t cap = u->cap_removed ? u->cap_removed * 2 : 16;
		struct upd_node **v = realloc(u->removed, cap * sizeof(*v));
		if (!v)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		u->removed = v;
		u->cap_removed = cap;
	}
	u->removed[u->n_removed++] = n;
	return 0;
}

/* Creates a new node named leaf in dir. */
static int create(struct udf_update *u, const char *path, uint8_t ftype,
		  const struct udf_update_attr *a, struct upd_node **out,
		  discfs_error *err)
{
	struct upd_node *dir, *n;
	const char *leaf;
	size_t len;
	int rc = upd_lookup_parent(u, path, &dir, &leaf, &len, err);
	if (rc)
		return rc;
	if (find_kid(dir, leaf, len))
		return dfs_fail(err, DISCFS_EINVAL, "%s: already exists", path);
	n = calloc(1, sizeof(*n));
	if (!n)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if ((rc = set_name(n, leaf, len, err)) || (rc = upd_attr_merge(n, a, err)) ||
	    (rc = kid_add(dir, n, err))) {
		upd_node_free(n);
		return rc;
	}
	n->ftype = ftype;
	n->fe_dirty = true;
	n->unique_id = u->next_uid++;
	if ((u->next_uid & 0xFFFFFFFFu) == 0)
		u->next_uid += UDF_FIRST_UNIQUE_ID;
	if (ftype == FT_DIR) {
		n->kids_loaded = true;
		n->dir_dirty = true;
		u->num_dirs++;
	} else {
		u->num_files++;
	}
	mark_dir(u, dir);
	*out = n;
	return 0;
}

int udf_update_mkdir(struct udf_update *u, const char *path,
		     const struct udf_update_attr *a, discfs_error *err)
{
	struct upd_node *n;
	return create(u, path, FT_DIR, a, &n, err);
}

int udf_update_write_file(struct udf_update *u, const char *path,
			  const struct udf_update_attr *a, uint64_t size,
			  udf_update_read_fn fn, void *ctx, discfs_error *err)
{
	struct upd_node *n = NULL;
	if (size && !fn)
		return dfs_fail(err, DISCFS_EINVAL, "%s: no content source", path);
	int rc = upd_lookup(u, path, &n, err);
	if (rc == -DISCFS_ENOENT) {
		rc = create(u, path, FT_FILE, a, &n, err);
	} else if (!rc) {
		if (n->link_to)
			n = n->link_to;
		if (n == u->root || n->ftype == FT_DIR || n->is_link)
			return dfs_fail(err, DISCFS_EINVAL, "%s: not a regular file", path);
		if (n->on_disc && !n->data_new) {
			/* a committed symlink or device keeps its type: refuse */
			struct udf_inode *ino = NULL;
			if ((rc = udf_inode_get(u->vol, n->icb, &ino, err)))
				return rc;
			uint8_t ft = ino->file_type;
			udf_inode_free(ino);
			if (ft != FT_FILE)
				return dfs_fail(err, DISCFS_EINVAL, "%s: not a regular file",
						path);
		}
		rc = upd_attr_merge(n, a, err);
	}
	if (rc)
		return rc;
	free(n->body);
	n->body = NULL;
	n->data_new = n->fe_dirty = true;
	n->size = size;
	n->fn = fn;
	n->fn_ctx = ctx;
	u->pending = true;
	return 0;
}

/* UDF path components (4/14.16.1) of a symlink target. */
static int symlink_body(const char *target, uint8_t **out, size_t *len,
			discfs_error *err)
{
	size_t cap = strlen(target) * 2 + 16, n = 0;
	uint8_t *b = calloc(1, cap + 260);
	if (!b)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	const char *p = target;
	if (*p == '/') {
		b[n] = PC_ROOT; /* root, L_CI 0 */
		n += 4;
	}
	size_t cl;
	while ((cl = next_comp(&p)) > 0) {
		if (cl == 1 && *p == '.') {
			b[n] = PC_SELF;
			n += 4;
		} else if (cl == 2 && !memcmp(p, "..", 2)) {
			b[n] = PC_PARENT;
			n += 4;
		} else {
			size_t el = 0;
			int rc = udf_cs0_encode(p, cl, b + n + 4, 255, false, &el, err);
			if (rc || n + 4 + el > cap) {
				free(b);
				return rc ? rc : dfs_fail(err, DISCFS_EINVAL,
							  "symlink target too long");
			}
			b[n] = PC_NAMED;
			b[n + 1] = (uint8_t)el;
			n += 4 + el;
		}
		p += cl;
	}
	if (n == 0 || n > 1800) {
		free(b);
		return dfs_fail(err, DISCFS_EINVAL, "symlink target '%s' is empty "
				"or too long", target);
	}
	*out = b;
	*len = n;
	return 0;
}

int udf_update_mknod(struct udf_update *u, const char *path, uint32_t mode,
		     uint32_t major, uint32_t minor,
		     const struct udf_update_attr *a, discfs_error *err)
{
	uint8_t ft;
	struct upd_node *n;
	int rc;

	switch (mode & S_IFMT) {
	case S_IFIFO: ft = FT_FIFO; break;
	case S_IFSOCK: ft = FT_SOCKET; break;
	case S_IFBLK: ft = FT_BLOCKDEV; break;
	case S_IFCHR: ft = FT_CHARDEV; break;
	default:
		return dfs_fail(err, DISCFS_EINVAL, "%s: not a FIFO, socket or "
				"device (mode %o)", path, mode);
	}
	if ((rc = create(u, path, ft, a, &n, err)))
		return rc;
	n->is_dev = ft == FT_BLOCKDEV || ft == FT_CHARDEV;
	n->rdev[0] = major;
	n->rdev[1] = minor;
	n->size = 0;
	n->data_new = true; /* recorded with no content */
	u->pending = true;
	return 0;
}

int udf_update_symlink(struct udf_update *u, const char *path,
		       const char *target, const struct udf_update_attr *a,
		       discfs_error *err)
{
	uint8_t *body = NULL;
	size_t len = 0;
	struct upd_node *n;
	if (!target)
		return dfs_fail(err, DISCFS_EINVAL, "no symlink target");
	int rc = symlink_body(target, &body, &len, err);
	if (rc)
		return rc;
	if ((rc = create(u, path, FT_SYMLINK, a, &n, err))) {
		free(body);
		return rc;
	}
	n->is_link = true;
	n->body = body;
	n->body_len = n->size = len;
	n->data_new = true;
	return 0;
}

/* An added name goes: one link less on its owner's entry. */
static void alias_drop(struct upd_node *l)
{
	struct upd_node *o = l->link_to, **p = &o->aliases;
	while (*p && *p != l)
		p = &(*p)->alias_next;
	if (*p)
		*p = l->alias_next;
	l->alias_next = NULL;
	o->link_delta--;
}

/*
 * The owner of added names loses its name: its first added name l gives
 * it its own (the owner moves into l's place and l goes), so the entry
 * is still written once, by the node that carries its staged state.
 */
static int promote(struct udf_update *u, struct upd_node *e,
		   discfs_error *err)
{
	struct upd_node *l = e->aliases, *ldir = l->parent, *edir = e->parent;
	alias_drop(l);
	mark_dir(u, edir);
	mark_dir(u, ldir);
	kid_detach(e);
	kid_detach(l);
	char *nm = e->name;
	uint8_t *c = e->cs0, cl = e->cs0_len;
	e->name = l->name;
	e->cs0 = l->cs0;
	e->cs0_len = l->cs0_len;
	l->name = nm;
	l->cs0 = c;
	l->cs0_len = cl;
	upd_node_free(l);
	u->num_files--;
	return kid_add(ldir, e, err);
}

/* Detaches n from its parent; n must not be the root. */
static int unlink_node(struct udf_update *u, struct upd_node *n,
		       discfs_error *err)
{
	if (n->ftype != FT_DIR && n->aliases)
		return promote(u, n, err);
	if (n->link_to)
		alias_drop(n);
	if (n->ftype == FT_DIR) {
		int rc = upd_load_kids(u, n, err);
		if (rc)
			return rc;
		if (n->nlive)
			return dfs_fail(err, DISCFS_EINVAL, "'%s': directory not empty",
					n->name);
		u->num_dirs--;
	} else {
		u->num_files--;
	}
	mark_dir(u, n->parent);
	kid_detach(n);
	return push_removed(u, n, err);
}

int udf_update_remove(struct udf_update *u, const char *path,
		      discfs_error *err)
{
	struct upd_node *n;
	int rc = upd_lookup(u, path, &n, err);
	if (rc)
		return rc;
	if (n == u->root)
		return dfs_fail(err, DISCFS_EINVAL, "the root cannot be removed");
	return unlink_node(u, n, err);
}

/* Whether a and b are names of one (non-directory) file. */
static bool same_file(const struct upd_node *a, const struct upd_node *b)
{
	if (a->ftype == FT_DIR || b->ftype == FT_DIR)
		return false;
	a = a->link_to ? a->link_to : a;
	b = b->link_to ? b->link_to : b;
	return a == b || (a->on_disc && b->on_disc && a->icb.part == b->icb.part &&
			  a->icb.lbn == b->icb.lbn);
}

int udf_update_rename(struct udf_update *u, const char *from, const char *to,
		      discfs_error *err)
{
	struct upd_node *n, *dir, *old;
	const char *leaf;
	size_t len;
	int rc = upd_lookup(u, from, &n, err);
	if (!rc && n == u->root)
		rc = dfs_fail(err, DISCFS_EINVAL, "the root cannot be renamed");
	if (!rc)
		rc = upd_lookup_parent(u, to, &dir, &leaf, &len, err);
	if (rc)
		return rc;
	for (struct upd_node *a = dir; a; a = a->parent)
		if (a == n)
			return dfs_fail(err, DISCFS_EINVAL,
					"cannot move '%s' into itself", from);
	old = find_kid(dir, leaf, len);
	if (old == n || (old && same_file(old, n)))
		return 0; /* names of one file: nothing to do (POSIX) */
	if (old && (old->ftype == FT_DIR || n->ftype == FT_DIR))
		return dfs_fail(err, DISCFS_EINVAL, "%s: already exists", to);
	struct upd_node tmp = { 0 };
	if ((rc = set_name(&tmp, leaf, len, err)))
		return rc;
	if (old && (rc = unlink_node(u, old, err))) {
		free(tmp.name);
		free(tmp.cs0);
		return rc;
	}
	struct upd_node *from_dir = n->parent;
	if (n->ftype == FT_DIR && from_dir != dir) {
		/* its '..' entry changes: its stream is rewritten */
		if ((rc = upd_load_kids(u, n, err))) {
			free(tmp.name);
			free(tmp.cs0);
			return rc;
		}
		mark_dir(u, n);
	}
	kid_detach(n);
	free(n->name);
	free(n->cs0);
	n->name = tmp.name;
	n->cs0 = tmp.cs0;
	n->cs0_len = tmp.cs0_len;
	mark_dir(u, from_dir);
	mark_dir(u, dir);
	return kid_add(dir, n, err);
}

int udf_update_setattr(struct udf_update *u, const char *path,
		       const struct udf_update_attr *a, discfs_error *err)
{
	struct upd_node *n;
	int rc = upd_lookup(u, path, &n, err);
	if (rc)
		return rc;
	if (n->link_to)
		n = n->link_to;
	if (!a || !a->mask)
		return 0;
	if ((rc = upd_attr_merge(n, a, err)))
		return rc;
	n->fe_dirty = true;
	u->pending = true;
	return 0;
}

int udf_update_link(struct udf_update *u, const char *existing,
		    const char *newpath, discfs_error *err)
{
	struct upd_node *e, *l;
	int rc = upd_lookup(u, existing, &e, err);
	if (rc)
		return rc;
	if (e->link_to)
		e = e->link_to;
	if (e == u->root || e->ftype == FT_DIR)
		return dfs_fail(err, DISCFS_EINVAL, "%s: directories cannot be "
				"hard-linked", existing);
	if ((rc = create(u, newpath, e->ftype, NULL, &l, err)))
		return rc;
	l->fe_dirty = false; /* the name shares e's entry */
	l->link_to = e;
	l->is_link = e->is_link;
	l->alias_next = e->aliases;
	e->aliases = l;
	e->link_delta++;
	e->fe_dirty = true;
	u->pending = true;
	return 0;
}

bool udf_update_pending(const struct udf_update *u)
{
	return u->pending;
}
