/*
 * udf/read_path.c - paths: lookup, symlink bodies, and the bounded
 * depth-first walk with loop detection.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/cs0.h"
#include "udf/ecma167.h"
#include "udf/read_int.h"
#include "util/bytes.h"
#include "util/err.h"

#define WALK_PATH_MAX 4096
#define SYMLINK_MAX 65536

struct find_ctx {
	const char *name;
	size_t len;
	struct udf_icb icb;
	bool found;
};

/* Path components are safe names (udf/safe_name.h), compared with the
 * safe names udf_readdir gives: an escaped or cut name is found as shown. */
static int find_one(void *arg, const struct udf_dirent *d)
{
	struct find_ctx *c = arg;
	if (strlen(d->name) != c->len || memcmp(d->name, c->name, c->len))
		return 0;
	c->icb = d->icb;
	c->found = true;
	return 1;
}

int udf_lookup(struct udf_vol *vol, const char *path, struct udf_inode **out,
	       discfs_error *err)
{
	struct udf_icb *stack = malloc(UDF_MAX_DEPTH * sizeof(*stack));
	unsigned depth = 0;
	struct udf_inode *cur = NULL;
	int rc;
	if (!stack)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	stack[0] = vol->root;
	if ((rc = udf_inode_get(vol, vol->root, &cur, err)))
		goto out;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		struct udf_icb next;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			next = stack[depth ? --depth : 0];
		} else {
			struct find_ctx c = { .name = p, .len = n };
			if (!udf_inode_is_dir(cur)) {
				rc = dfs_fail(err, DISCFS_ENOENT,
					      "%.*s: not a directory",
					      (int)(p - path), path);
				goto out;
			}
			rc = udf_readdir(vol, cur, find_one, &c, err);
			if (rc < 0)
				goto out;
			if (!c.found) {
				rc = dfs_fail(err, DISCFS_ENOENT,
					      "%.*s: no such file or directory",
					      (int)(p - path + n), path);
				goto out;
			}
			if (depth + 1 >= UDF_MAX_DEPTH) {
				rc = dfs_fail(err, DISCFS_EFORMAT,
					      "path deeper than %u", UDF_MAX_DEPTH);
				goto out;
			}
			next = c.icb;
			stack[++depth] = next;
		}
		udf_inode_free(cur);
		cur = NULL;
		if ((rc = udf_inode_get(vol, next, &cur, err)))
			goto out;
		p += n;
	}
	*out = cur;
	cur = NULL;
	rc = 0;
out:
	udf_inode_free(cur);
	free(stack);
	return rc;
}

static int append(char *buf, size_t size, size_t *at, const char *s,
		  size_t n, discfs_error *err)
{
	if (*at + n + 1 > size)
		return dfs_fail(err, DISCFS_EFORMAT, "symlink target too long");
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = 0;
	return 0;
}

int udf_readlink(struct udf_vol *vol, struct udf_inode *ino, char *buf,
		 size_t size, discfs_error *err)
{
	uint8_t *d;
	size_t len, at = 0;
	char name[1024];
	int rc;
	if (ino->file_type != FT_SYMLINK)
		return dfs_fail(err, DISCFS_EINVAL, "not a symbolic link");
	if (!size)
		return dfs_fail(err, DISCFS_EINVAL, "no room for the target");
	if ((rc = udf_read_stream(vol, ino, SYMLINK_MAX, &d, &len, err)))
		return rc;
	buf[0] = 0;
	for (size_t o = 0; o < len && !rc;) {
		const struct ecma_path_component *pc = (const void *)(d + o);
		if (len - o < sizeof(*pc) || pc->l_ci > len - o - sizeof(*pc)) {
			rc = dfs_fail(err, DISCFS_EFORMAT,
				      "symlink component at %zu truncated", o);
			break;
		}
		const uint8_t *ci = d + o + sizeof(*pc);
		bool sep = at > 0 && buf[at - 1] != '/';
		o += sizeof(*pc) + pc->l_ci;
		switch (pc->type) {
		case PC_ROOT_ALT:
		case PC_ROOT:
			at = 0;
			rc = append(buf, size, &at, "/", 1, err);
			continue;
		case PC_PARENT:
		case PC_SELF:
			if (sep && (rc = append(buf, size, &at, "/", 1, err)))
				break;
			rc = append(buf, size, &at, pc->type == PC_PARENT ? ".." : ".",
				    pc->type == PC_PARENT ? 2 : 1, err);
			continue;
		case PC_NAMED:
			if ((rc = udf_cs0_decode(ci, pc->l_ci, name, sizeof(name),
						 NULL, err)))
				break;
			if (!name[0] || strchr(name, '/')) {
				rc = dfs_fail(err, DISCFS_EFORMAT,
					      "symlink component '%s'", name);
				break;
			}
			if (sep && (rc = append(buf, size, &at, "/", 1, err)))
				break;
			rc = append(buf, size, &at, name, strlen(name), err);
			continue;
		default:
			rc = dfs_fail(err, DISCFS_EFORMAT,
				      "symlink component type %u", pc->type);
		}
	}
	free(d);
	return rc;
}

struct walk {
	struct udf_vol *vol;
	udf_walk_cb cb;
	void *arg;
	discfs_error *err;
	char path[WALK_PATH_MAX];
	size_t plen;
	struct udf_icb stack[UDF_MAX_DEPTH];
	unsigned depth;
	uint64_t held; /* bytes of directory streams open along the path */
};

static int walk_dir(struct walk *w, struct udf_inode *dir);

static int walk_entry(void *arg, const struct udf_dirent *d)
{
	struct walk *w = arg;
	size_t old = w->plen, n = strlen(d->name);
	struct udf_inode *ino = NULL;
	int rc;
	if (old + (old ? 1 : 0) + n + 1 > sizeof(w->path))
		return dfs_fail(w->err, DISCFS_EFORMAT, "path too long under %s",
				w->path);
	if (old)
		w->path[w->plen++] = '/';
	memcpy(w->path + w->plen, d->name, n + 1);
	w->plen += n;
	if ((rc = udf_inode_get(w->vol, d->icb, &ino, w->err))) {
		dfs_wrap(w->err, rc, "%s", w->path);
		goto out;
	}
	rc = w->cb(w->arg, w->path, ino);
	if (rc == 0 && udf_inode_is_dir(ino))
		rc = walk_dir(w, ino);
out:
	udf_inode_free(ino);
	w->plen = old;
	w->path[old] = 0;
	return rc;
}

static int walk_dir(struct walk *w, struct udf_inode *dir)
{
	for (unsigned i = 0; i < w->depth; i++)
		if (w->stack[i].lbn == dir->icb.lbn &&
		    w->stack[i].part == dir->icb.part)
			return dfs_fail(w->err, DISCFS_EFORMAT,
					"directory loop: '%s' is its own ancestor",
					w->path[0] ? w->path : "/");
	if (w->depth == UDF_MAX_DEPTH)
		return dfs_fail(w->err, DISCFS_EFORMAT,
				"directories nested deeper than %u at '%s'",
				UDF_MAX_DEPTH, w->path);
	if (dir->st.size > UDF_MAX_WALK_BYTES - w->held)
		return dfs_fail(w->err, DISCFS_EFORMAT,
				"directories along '%s' hold more than %u MiB",
				w->path, UDF_MAX_WALK_BYTES >> 20);
	w->stack[w->depth++] = dir->icb;
	w->held += dir->st.size;
	int rc = udf_readdir(w->vol, dir, walk_entry, w, w->err);
	w->held -= dir->st.size;
	w->depth--;
	return rc;
}

int udf_walk(struct udf_vol *vol, const char *path, udf_walk_cb cb, void *arg,
	     discfs_error *err)
{
	struct udf_inode *start = NULL;
	struct walk *w;
	int rc = udf_lookup(vol, path, &start, err);
	if (rc)
		return rc;
	w = calloc(1, sizeof(*w));
	if (!w) {
		udf_inode_free(start);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	*w = (struct walk){ .vol = vol, .cb = cb, .arg = arg, .err = err };
	rc = cb(arg, "", start);
	if (rc == 0 && udf_inode_is_dir(start))
		rc = walk_dir(w, start);
	free(w);
	udf_inode_free(start);
	return rc > 0 ? 0 : rc;
}
