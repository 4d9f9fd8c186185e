/*
 * udf/iso_read_tree.c - directories, lookups and file data of an ISO9660
 * volume.  A directory's records are read whole (at most
 * ISO_MAX_DIR_BYTES); records never cross a sector end, and a zero length
 * byte means "nothing more in this sector".
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "udf/iso_read_int.h"
#include "util/err.h"


void iso_node_free(struct iso_node *n)
{
	if (!n)
		return;
	free(n->ext);
	free(n->link);
	free(n);
}

static struct iso_node *node_dup(const struct iso_node *n)
{
	struct iso_node *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *n;
	c->ext = malloc(n->n_ext ? n->n_ext * sizeof(*c->ext) : 1);
	c->link = n->link ? strdup(n->link) : NULL;
	if (!c->ext || (n->link && !c->link)) {
		free(c->ext);
		free(c->link);
		free(c);
		return NULL;
	}
	memcpy(c->ext, n->ext, n->n_ext * sizeof(*c->ext));
	return c;
}

static void set_times(struct iso_node *n, int64_t t)
{
	n->atime = n->mtime = n->ctime = (struct timespec){ .tv_sec = t };
}

/* Rock Ridge attributes over the defaults the record gave. */
static void apply_rr(struct iso_node *n, const struct iso_rr *rr, bool dir)
{
	if (rr->has_px) {
		uint32_t type = S_IFREG;
		if (dir)
			type = S_IFDIR;
		else if (S_ISLNK(rr->mode) && rr->has_link)
			type = S_IFLNK;
		n->mode = type | (rr->mode & 07777);
		n->uid = rr->uid;
		n->gid = rr->gid;
		n->nlink = rr->nlink ? rr->nlink : 1;
	} else if (rr->has_link && !dir) {
		n->mode = S_IFLNK | 0777;
	}
	if (rr->has_mtime)
		n->mtime.tv_sec = rr->mtime;
	if (rr->has_atime)
		n->atime.tv_sec = rr->atime;
	if (rr->has_ctime)
		n->ctime.tv_sec = rr->ctime;
}

/* A CL entry: the directory was moved; its "." record says where it is. */
static int relocated_dir(struct iso_vol *v, const struct iso_rr *rr,
			 uint64_t pos, struct iso_ext *ext, discfs_error *err)
{
	uint8_t b[ISO_BLOCK];
	struct iso_rec dot;
	int rc = iso_check_extent(v, rr->cl_lba, ISO_BLOCK, "relocated directory",
				  pos, err);
	if (rc == 0)
		rc = udf_bsrc_read(&v->src, rr->cl_lba, 1, b, err);
	if (rc == 0)
		rc = iso_rec_parse(v, b, ISO_BLOCK,
				   (uint64_t)rr->cl_lba * ISO_BLOCK, &dot, err);
	if (rc)
		return dfs_wrap(err, rc, "relocated directory of the record at "
				"byte %llu", (unsigned long long)pos);
	*ext = (struct iso_ext){ dot.lba, dot.len };
	return 0;
}

/*
 * The node and name of record r.  *skip is set for entries that are not
 * shown (Rock Ridge RE: the moved copy of a relocated directory).
 */
static int make_node(struct iso_vol *v, const struct iso_rec *r, char *name,
		     struct iso_node **out, bool *skip, discfs_error *err)
{
	struct iso_rr *rr = calloc(1, sizeof(*rr));
	struct iso_node *n = calloc(1, sizeof(*n));
	int rc = 0;

	*skip = false;
	if (!rr || !n || !(n->ext = malloc(sizeof(*n->ext)))) {
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		goto out;
	}
	if (v->rr && (rc = iso_rr_decode(v, r, rr, err)))
		goto out;
	if (rr->relocated) {
		*skip = true;
		goto out;
	}
	if (rr->has_name) {
		memcpy(name, rr->name, rr->name_len + 1);
		rc = iso_name_safe(name, rr->name_len, r->pos, err);
	} else {
		rc = iso_plain_name(v, r, name, ISO_MAX_NAME * 3 + 1, err);
	}
	if (rc)
		goto out;
	bool dir = (r->flags & ISO_FLAG_DIR) || rr->has_cl;
	n->ext[0] = (struct iso_ext){ r->lba, r->len };
	n->n_ext = 1;
	if (rr->has_cl && (rc = relocated_dir(v, rr, r->pos, &n->ext[0], err)))
		goto out;
	n->ino = dir ? (uint64_t)n->ext[0].lba * ISO_BLOCK : r->pos;
	n->mode = dir ? S_IFDIR | 0555 : S_IFREG | 0444;
	n->uid = n->gid = 0xFFFFFFFFu;
	n->nlink = dir ? 2 : 1;
	n->size = n->ext[0].len;
	set_times(n, iso_time7(r->date));
	apply_rr(n, rr, dir);
	if (S_ISLNK(n->mode)) {
		if (!(n->link = strdup(rr->link))) {
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
			goto out;
		}
		n->size = rr->link_len;
	}
out:
	free(rr);
	if (rc || *skip) {
		iso_node_free(n);
		n = NULL;
	}
	*out = n;
	return rc;
}

/* Reads a directory's records; *held counts what a walk holds at once. */
static int load_dir(struct iso_vol *v, const struct iso_node *dir,
		    uint8_t **out, size_t *len, uint64_t *held,
		    discfs_error *err)
{
	const struct iso_ext *e = &dir->ext[0];
	if (!iso_node_is_dir(dir) || dir->n_ext != 1)
		return dfs_fail(err, DISCFS_EINVAL, "not a directory");
	if (e->len > ISO_MAX_DIR_BYTES)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: directory at block "
				"%u: %u bytes, more than %u", e->lba, e->len,
				ISO_MAX_DIR_BYTES);
	if (held && *held + e->len > ISO_MAX_WALK_BYTES)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: directories on one "
				"path hold more than %u bytes", ISO_MAX_WALK_BYTES);
	int rc = iso_check_extent(v, e->lba, e->len, "directory", dir->ino, err);
	if (rc)
		return rc;
	*out = malloc(e->len ? e->len : 1);
	if (!*out)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	rc = iso_read_bytes(v, e->lba, 0, e->len, *out, err);
	if (rc) {
		free(*out);
		return rc;
	}
	*len = e->len;
	if (held)
		*held += e->len;
	return 0;
}

/* Adds the extent of a multi-extent file's next record. */
static int add_extent(struct iso_node *n, const struct iso_rec *r,
		      discfs_error *err)
{
	if (n->n_ext >= ISO_MAX_EXTENTS)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: record at byte %llu: "
				"file of more than %u extents",
				(unsigned long long)r->pos, ISO_MAX_EXTENTS);
	struct iso_ext *e = realloc(n->ext, (n->n_ext + 1) * sizeof(*e));
	if (!e)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	n->ext = e;
	n->ext[n->n_ext++] = (struct iso_ext){ r->lba, r->len };
	n->size += r->len;
	return 0;
}

struct rd {
	iso_dirent_cb cb;
	void *arg;
	struct iso_node *multi;  /* a multi-extent file being collected */
	const uint8_t *multi_id;
	uint8_t multi_id_len;
	char name[ISO_MAX_NAME * 3 + 1];
};

static int one_record(struct iso_vol *v, struct rd *d, const struct iso_rec *r,
		      discfs_error *err)
{
	bool skip;
	int rc;

	if (d->multi) {
		if (r->id_len != d->multi_id_len ||
		    memcmp(r->id, d->multi_id, r->id_len))
			return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: multi-extent "
					"file '%s' ends before its last extent "
					"(record at byte %llu)", d->name,
					(unsigned long long)r->pos);
		if ((rc = add_extent(d->multi, r, err)))
			return rc;
	} else {
		if (r->id_len == 1 && r->id[0] <= 1)
			return 0; /* "." and ".." */
		if (r->flags & ISO_FLAG_ASSOC)
			return 0;
		if ((rc = make_node(v, r, d->name, &d->multi, &skip, err)) || skip)
			return rc;
		d->multi_id = r->id;
		d->multi_id_len = r->id_len;
		if ((r->flags & ISO_FLAG_MULTI) && iso_node_is_dir(d->multi))
			return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: directory "
					"'%s' of several extents (record at byte %llu)",
					d->name, (unsigned long long)r->pos);
	}
	if (r->flags & ISO_FLAG_MULTI)
		return 0;
	rc = d->cb(d->arg, d->name, d->multi);
	iso_node_free(d->multi);
	d->multi = NULL;
	return rc;
}

int iso_readdir_held(struct iso_vol *v, const struct iso_node *dir,
			iso_dirent_cb cb, void *arg, uint64_t *held,
			discfs_error *err)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = load_dir(v, dir, &data, &len, held, err);
	if (rc)
		return rc;
	struct rd *d = calloc(1, sizeof(*d));
	if (!d) {
		free(data);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	d->cb = cb;
	d->arg = arg;
	uint64_t base = (uint64_t)dir->ext[0].lba * ISO_BLOCK;
	for (size_t pos = 0; pos < len && rc == 0;) {
		size_t sec_end = (pos / ISO_BLOCK + 1) * ISO_BLOCK;
		struct iso_rec r;
		if (sec_end > len)
			sec_end = len;
		if (data[pos] == 0) { /* the rest of this sector is unused */
			pos = sec_end;
			continue;
		}
		rc = iso_rec_parse(v, data + pos, sec_end - pos, base + pos, &r, err);
		if (rc == 0)
			rc = one_record(v, d, &r, err);
		pos += data[pos];
	}
	if (rc == 0 && d->multi)
		rc = dfs_fail(err, DISCFS_EFORMAT, "ISO9660: multi-extent file "
			      "'%s' in the directory at block %u has no last extent",
			      d->name, dir->ext[0].lba);
	iso_node_free(d->multi);
	free(d);
	free(data);
	if (held)
		*held -= len;
	return rc;
}

int iso_readdir(struct iso_vol *v, const struct iso_node *dir,
		iso_dirent_cb cb, void *arg, discfs_error *err)
{
	return iso_readdir_held(v, dir, cb, arg, NULL, err);
}

/* The root: the descriptor's record, with the Rock Ridge of its ".". */
static int root_node(struct iso_vol *v, struct iso_node **out,
		     discfs_error *err)
{
	struct iso_node *n = calloc(1, sizeof(*n));
	if (!n || !(n->ext = malloc(sizeof(*n->ext)))) {
		free(n);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	n->ext[0] = v->root;
	n->n_ext = 1;
	n->ino = (uint64_t)v->root.lba * ISO_BLOCK;
	n->mode = S_IFDIR | 0555;
	n->uid = n->gid = 0xFFFFFFFFu;
	n->nlink = 2;
	n->size = v->root.len;
	set_times(n, iso_time7(v->root_date));
	if (v->rr) {
		uint8_t b[ISO_BLOCK];
		struct iso_rec dot;
		struct iso_rr *rr = calloc(1, sizeof(*rr));
		size_t avail = v->root.len < ISO_BLOCK ? v->root.len : ISO_BLOCK;
		int rc = rr ? 0 : dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		if (rc == 0)
			rc = udf_bsrc_read(&v->src, v->root.lba, 1, b, err);
		if (rc == 0)
			rc = iso_rec_parse(v, b, avail, n->ino, &dot, err);
		if (rc == 0)
			rc = iso_rr_decode(v, &dot, rr, err);
		if (rc == 0)
			apply_rr(n, rr, true);
		free(rr);
		if (rc) {
			iso_node_free(n);
			return dfs_wrap(err, rc, "ISO9660 root directory");
		}
	}
	*out = n;
	return 0;
}

struct find {
	const char *name;
	size_t len;
	struct iso_node *found;
};

static int find_one(void *arg, const char *name, const struct iso_node *n)
{
	struct find *f = arg;
	if (strlen(name) != f->len || memcmp(name, f->name, f->len))
		return 0;
	f->found = node_dup(n);
	return f->found ? 1 : -(int)DISCFS_ENOMEM;
}

/* Splits path into components, resolving "." and ".." lexically. */
static int split(const char *path, const char **comp, size_t *clen,
		 unsigned *n, discfs_error *err)
{
	*n = 0;
	for (const char *p = path; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 0 || (l == 1 && p[0] == '.')) {
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (*n)
				(*n)--;
		} else if (*n == ISO_MAX_DEPTH) {
			return dfs_fail(err, DISCFS_EINVAL, "%s: more than %u "
					"components", path, ISO_MAX_DEPTH);
		} else {
			comp[*n] = p;
			clen[(*n)++] = l;
		}
		p += l + (p[l] == '/');
	}
	return 0;
}

int iso_lookup(struct iso_vol *v, const char *path, struct iso_node **out,
	       discfs_error *err)
{
	const char *comp[ISO_MAX_DEPTH];
	size_t clen[ISO_MAX_DEPTH];
	unsigned n;
	struct iso_node *cur = NULL;
	int rc = split(path ? path : "", comp, clen, &n, err);

	if (rc == 0)
		rc = root_node(v, &cur, err);
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		struct find f = { comp[i], clen[i], NULL };
		if (!iso_node_is_dir(cur))
			rc = dfs_fail(err, DISCFS_ENOENT, "%s: not found "
				      "(%.*s is not a directory)", path,
				      (int)clen[i - 1], comp[i - 1]);
		else
			rc = iso_readdir(v, cur, find_one, &f, err);
		if (rc == -(int)DISCFS_ENOMEM)
			dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		iso_node_free(cur);
		cur = f.found;
		if (rc == 0)
			rc = dfs_fail(err, DISCFS_ENOENT, "%s: not found", path);
		else if (rc > 0)
			rc = 0;
	}
	if (rc) {
		iso_node_free(cur);
		return rc;
	}
	*out = cur;
	return 0;
}

int iso_read(struct iso_vol *v, const struct iso_node *n, uint64_t off,
	     void *buf, size_t len, size_t *got, discfs_error *err)
{
	uint8_t *out = buf;
	*got = 0;
	if (iso_node_is_dir(n))
		return dfs_fail(err, DISCFS_EINVAL, "is a directory");
	if (n->link) {
		size_t l = strlen(n->link);
		if (off < l) {
			*got = l - off < len ? l - (size_t)off : len;
			memcpy(out, n->link + off, *got);
		}
		return 0;
	}
	uint64_t ext_off = 0;
	for (uint32_t i = 0; i < n->n_ext && len; i++) {
		const struct iso_ext *e = &n->ext[i];
		if (off < ext_off + e->len) {
			uint64_t in = off - ext_off;
			size_t k = e->len - in < len ? (size_t)(e->len - in) : len;
			int rc = iso_read_bytes(v, e->lba, in, k, out, err);
			if (rc)
				return rc;
			out += k;
			*got += k;
			off += k;
			len -= k;
		}
		ext_off += e->len;
	}
	return 0;
}

int iso_readlink(const struct iso_node *n, char *buf, size_t size,
		 discfs_error *err)
{
	if (!n->link)
		return dfs_fail(err, DISCFS_EINVAL, "not a symbolic link");
	size_t l = strlen(n->link);
	if (l >= size)
		return dfs_fail(err, DISCFS_EINVAL, "symbolic link target of %zu "
				"bytes does not fit", l);
	memcpy(buf, n->link, l + 1);
	return 0;
}
