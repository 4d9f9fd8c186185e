/*
 * udf/update_import.c - an ISO9660 disc's tree staged into a new UDF
 * session (udf/update.h, "importing"): the files keep their recorded
 * extents, which the new file entries describe; nothing is copied.
 *
 * An imported file is a new node whose content runs are set here, not
 * allocated by the commit: it is staged as a changed entry (fe_dirty)
 * without new content (data_new false), so the commit writes its file
 * entry only, whose allocation descriptors come from those runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "udf/iso_read.h"
#include "udf/update_int.h"
#include "util/err.h"

/* The runs of one extent, split at the largest extent UDF records. */
static int add_extent(struct udf_update *u, struct upd_node *n,
		      const struct udf_import_ext *e, discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	uint64_t blocks = ((uint64_t)e->len + bs - 1) / bs;
	if (e->lba < u->part_start ||
	    e->lba - u->part_start + blocks > u->part_len)
		return dfs_fail(err, DISCFS_EINVAL, "'%s': extent at block %u "
				"outside the partition", n->name, e->lba);
	uint32_t lbn = e->lba - u->part_start;
	while (blocks) {
		uint32_t k = blocks < UPD_MAX_EXT_BLOCKS ? (uint32_t)blocks
							 : UPD_MAX_EXT_BLOCKS;
		/* a run never joins the previous one: each keeps its limit */
		int rc = upd_add_run(n, lbn, k, err);
		if (rc)
			return rc;
		lbn += k;
		blocks -= k;
	}
	return 0;
}

int udf_update_import_file(struct udf_update *u, const char *path,
			   const struct udf_update_attr *a, uint64_t size,
			   const struct udf_import_ext *ext, size_t n_ext,
			   discfs_error *err)
{
	struct upd_node *n = NULL;
	uint32_t bs = u->bd->block_size;
	uint64_t total = 0;
	if (u->layout != DISCFS_LAYOUT_VAT)
		return dfs_fail(err, DISCFS_ENOTSUP, "%s: importing extents needs "
				"a write-once (VAT) volume", path);
	for (size_t i = 0; i < n_ext; i++) {
		if (i + 1 < n_ext && ext[i].len % bs)
			return dfs_fail(err, DISCFS_ENOTSUP, "%s: extent %zu is not "
					"a whole number of blocks", path, i);
		total += ext[i].len;
	}
	if (size > total)
		return dfs_fail(err, DISCFS_EINVAL, "%s: %llu bytes in extents of "
				"%llu", path, (unsigned long long)size,
				(unsigned long long)total);
	int rc = upd_lookup(u, path, &n, err);
	if (rc == 0)
		return dfs_fail(err, DISCFS_EINVAL, "%s: already exists", path);
	if (rc != -DISCFS_ENOENT)
		return rc;
	dfs_clear(err);
	if ((rc = udf_update_write_file(u, path, a, 0, NULL, NULL, err)) ||
	    (rc = upd_lookup(u, path, &n, err)))
		return rc;
	n->data_new = false; /* the entry is new, its content is not */
	n->size = size;
	uint64_t left = size;
	for (size_t i = 0; !rc && i < n_ext && left; i++) {
		struct udf_import_ext e = ext[i];
		if (e.len > left)
			e.len = (uint32_t)left;
		left -= e.len;
		if (e.len)
			rc = add_extent(u, n, &e, err);
	}
	if (rc)
		udf_update_remove(u, path, NULL);
	return rc;
}

/* ----------------------------------------------------------- the tree */

struct import {
	struct udf_update *u;
	discfs_error *err;
	char path[4200];
};

static struct udf_update_attr attr_of(const struct iso_node *n)
{
	struct udf_update_attr a = {
		.mask = UDF_ATTR_MODE | UDF_ATTR_MTIME,
		.mode = n->mode & 07777,
		.mtime = n->mtime.tv_sec,
		.mtime_nsec = (uint32_t)n->mtime.tv_nsec,
	};
	if (n->uid != 0xFFFFFFFFu) {
		a.mask |= UDF_ATTR_OWNER;
		a.uid = n->uid;
		a.gid = n->gid;
	}
	return a;
}

static int import_file(struct import *im, const struct iso_node *n)
{
	struct udf_import_ext *e = calloc(n->n_ext ? n->n_ext : 1, sizeof(*e));
	if (!e)
		return dfs_fail(im->err, DISCFS_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n->n_ext; i++)
		e[i] = (struct udf_import_ext){ n->ext[i].lba, n->ext[i].len };
	struct udf_update_attr a = attr_of(n);
	int rc = udf_update_import_file(im->u, im->path, &a, n->size, e,
					n->n_ext, im->err);
	free(e);
	return rc;
}

static int import_one(void *arg, const char *rel, const struct iso_node *n)
{
	struct import *im = arg;
	struct udf_update_attr a = attr_of(n);
	if (snprintf(im->path, sizeof(im->path), "/%s", rel) >=
	    (int)sizeof(im->path))
		return dfs_fail(im->err, DISCFS_EINVAL, "/%s: path too long", rel);
	if (!*rel)
		return udf_update_setattr(im->u, "/", &a, im->err);
	switch (n->mode & S_IFMT) {
	case S_IFDIR:
		return udf_update_mkdir(im->u, im->path, &a, im->err);
	case S_IFREG:
		return import_file(im, n);
	case S_IFLNK:
		if (!n->link)
			return dfs_fail(im->err, DISCFS_EFORMAT, "%s: symlink "
					"without a target", im->path);
		return udf_update_symlink(im->u, im->path, n->link, &a, im->err);
	default:
		return dfs_fail(im->err, DISCFS_ENOTSUP, "%s: device files, "
				"fifos and sockets are not imported", im->path);
	}
}

int udf_update_import_iso(struct udf_update *u, struct iso_vol *iso,
			  discfs_error *err)
{
	struct import *im = calloc(1, sizeof(*im));
	if (!im)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	im->u = u;
	im->err = err;
	int rc = iso_walk(iso, "/", import_one, im, err);
	free(im);
	return rc < 0 ? dfs_wrap(err, rc, "importing the ISO9660 tree") : rc;
}

/* ------------------------------------------------------- the session */

int udf_update_import_open(struct udf_bdev *bd, const struct udf_update_opts *o,
			   uint64_t iso_session, struct udf_update **out,
			   discfs_error *err)
{
	struct udf_update_opts uo = { 0 };
	struct iso_vol *iso = NULL;
	struct udf_bsrc src;
	char label[128];
	int rc = bd->refresh ? bd->refresh(bd, err) : 0;
	if (rc)
		return rc;
	if (bd->kind != UDF_BDEV_SEQUENTIAL)
		return dfs_fail(err, DISCFS_ENOTSUP, "import works on appendable "
				"write-once discs (CD-R, DVD±R, BD-R), not on "
				"rewritable ones");
	if (bd->last_recorded == UINT64_MAX)
		return dfs_fail(err, DISCFS_EFORMAT, "the disc is blank: nothing "
				"to import");
	if (bd->nwa >= bd->capacity)
		return dfs_fail(err, DISCFS_EPROTECT, "the disc is closed: no new "
				"session can be added");
	udf_bdev_as_bsrc(bd, &src);
	/* as the reader does: a last session without descriptors of its own
	 * leaves the volume of block 16 (an image updated in place) */
	if (iso_session && !iso_probe(&src, iso_session) && iso_probe(&src, 0))
		iso_session = 0;
	if (!iso_probe(&src, iso_session))
		return dfs_fail(err, DISCFS_EFORMAT, "no ISO9660 volume at block "
				"%llu + 16", (unsigned long long)iso_session);
	if ((rc = iso_vol_open(&src, iso_session, &iso, err)))
		return rc;
	if (o)
		uo = *o;
	if (!uo.label) {
		snprintf(label, sizeof(label), "%s", iso_vol_info(iso)->vol_ident);
		uo.label = *label ? label : NULL;
	}
	uo.session_start = bd->nwa;
	rc = udf_update_format_session(bd, &uo, UDF_IMPORT_PART_START, err);
	if (!rc)
		rc = udf_update_open(bd, &uo, out, err);
	if (!rc && (rc = udf_update_import_iso(*out, iso, err))) {
		udf_update_close(*out);
		*out = NULL;
	}
	iso_vol_close(iso);
	return rc;
}
