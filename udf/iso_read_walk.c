/*
 * udf/iso_read_walk.c - depth-first walk of an ISO9660 tree: loops, and
 * directories reached twice, are refused; the directory data held at once
 * is bounded.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/iso_read_int.h"
#include "util/err.h"

#define ISO_MAX_PATH 65536u

struct walk {
	struct iso_vol *v;
	iso_walk_cb cb;
	void *arg;
	discfs_error *err;
	uint64_t held;
	unsigned depth;
	uint32_t stack[ISO_MAX_DEPTH + 1]; /* directories on the path */
	uint8_t *seen;                     /* bit per block: directories entered */
	uint64_t seen_blocks;
	size_t plen;
	char path[ISO_MAX_PATH];
};

static int walk_dir(struct walk *w, const struct iso_node *dir);

static int walk_one(void *arg, const char *name, const struct iso_node *n)
{
	struct walk *w = arg;
	size_t saved = w->plen, l = strlen(name);
	int rc;

	if (w->plen + 1 + l >= sizeof(w->path))
		return dfs_fail(w->err, DISCFS_EFORMAT, "ISO9660: path %s/%s "
				"longer than %u bytes", w->path, name, ISO_MAX_PATH);
	if (w->plen)
		w->path[w->plen++] = '/';
	memcpy(w->path + w->plen, name, l + 1);
	w->plen += l;
	rc = w->cb(w->arg, w->path, n);
	if (rc == 0 && iso_node_is_dir(n))
		rc = walk_dir(w, n);
	w->plen = saved;
	w->path[saved] = 0;
	return rc;
}

static int walk_dir(struct walk *w, const struct iso_node *dir)
{
	for (unsigned i = 0; i < w->depth; i++)
		if (w->stack[i] == dir->ext[0].lba)
			return dfs_fail(w->err, DISCFS_EFORMAT, "ISO9660: directory "
					"loop at /%s (block %u)", w->path,
					dir->ext[0].lba);
	/* A directory has one parent: one reached twice would let a small
	 * image make a walk take exponential time. */
	uint32_t lba = dir->ext[0].lba;
	if (lba < w->seen_blocks) {
		if (w->seen[lba / 8] & (1u << (lba % 8)))
			return dfs_fail(w->err, DISCFS_EFORMAT, "ISO9660: directory "
					"at block %u reached twice (at /%s)", lba,
					w->path);
		w->seen[lba / 8] |= (uint8_t)(1u << (lba % 8));
	}
	if (w->depth == ISO_MAX_DEPTH)
		return dfs_fail(w->err, DISCFS_EFORMAT, "ISO9660: directories "
				"nested deeper than %u at /%s", ISO_MAX_DEPTH,
				w->path);
	w->stack[w->depth++] = dir->ext[0].lba;
	int rc = iso_readdir_held(w->v, dir, walk_one, w, &w->held, w->err);
	w->depth--;
	return rc;
}

int iso_walk(struct iso_vol *v, const char *path, iso_walk_cb cb, void *arg,
	     discfs_error *err)
{
	struct iso_node *start;
	int rc = iso_lookup(v, path, &start, err);
	if (rc)
		return rc;
	struct walk *w = calloc(1, sizeof(*w));
	if (!w) {
		iso_node_free(start);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	w->seen_blocks = v->src.n_blocks;
	w->seen = calloc(w->seen_blocks / 8 + 1, 1);
	if (!w->seen) {
		free(w);
		iso_node_free(start);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	w->v = v;
	w->cb = cb;
	w->arg = arg;
	w->err = err;
	rc = cb(arg, "", start);
	if (rc == 0 && iso_node_is_dir(start))
		rc = walk_dir(w, start);
	free(w->seen);
	free(w);
	iso_node_free(start);
	return rc > 0 ? 0 : rc;
}
