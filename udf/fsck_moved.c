/*
 * udf/fsck_moved.c - the repair of a directory move cut short.
 *
 * An in-place commit that moves a directory rewrites the directory that
 * gains its name, then the moved directory (its ".." entry), then the one
 * that loses the name (udf/update_commit.c).  A cut between the first and
 * the last leaves the directory named twice, once where its ".." points
 * and once where it does not; no order avoids that without leaving it
 * nameless for a moment.  The name where ".." does not point is the stale
 * one: --repair marks its FID deleted in place (one or two blocks of the
 * directory that holds it, nothing freed), which leaves the volume as the
 * move left it or as it was before, and the staged move applies again.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/ecma167.h"
#include "udf/fsck.h"
#include "udf/tag.h"
#include "util/bytes.h"

/* Absolute block holding byte off of directory dir's stream; false when
 * no recorded extent holds it. */
static bool stream_block(struct udf_vol *v, const struct udf_inode *dir,
			 uint64_t off, uint64_t *abs)
{
	discfs_error e = { 0 };
	for (uint32_t i = 0; i < dir->n_ext; i++) {
		const struct udf_ext *x = &dir->ext[i];
		if (x->type != EXT_RECORDED || off < x->file_off ||
		    off - x->file_off >= x->len)
			continue;
		uint32_t lbn = x->lbn + (uint32_t)((off - x->file_off) / v->bs);
		return udf_map_block(v, x->part, lbn, abs, &e) == 0;
	}
	return false;
}

struct fid_find {
	struct udf_icb want; /* look for a live name of it ... */
	bool found;
	struct udf_icb parent; /* ... or just take the ".." entry */
	bool has_parent;
};

static int find_cb(void *arg, const struct udf_fid *fid, discfs_error *err)
{
	struct fid_find *s = arg;
	(void)err;
	if (fid->characteristics & FID_DELETED)
		return 0;
	if (fid->characteristics & FID_PARENT) {
		s->parent = fid->icb;
		s->has_parent = true;
		return 0;
	}
	if (fid->icb.lbn == s->want.lbn && fid->icb.part == s->want.part)
		s->found = true;
	return 0;
}

/* Parses the FIDs of the directory at icb: all of them, or (first_only)
 * those of its first block, where its ".." entry is. */
static bool scan_dir(struct udf_vol *v, struct udf_icb icb, bool first_only,
		     struct fid_find *s)
{
	struct udf_inode *ino = NULL;
	discfs_error e = { 0 };
	uint8_t *data = NULL;
	size_t len = 0;
	uint64_t abs;
	bool ok = udf_inode_get(v, icb, &ino, &e) == 0 && udf_inode_is_dir(ino);
	if (ok && first_only && !ino->inline_data) {
		data = malloc(v->bs);
		len = ino->st.size < v->bs ? (size_t)ino->st.size : v->bs;
		ok = data && stream_block(v, ino, 0, &abs) &&
		     udf_read_abs(v, abs, data, &e) == 0;
	} else if (ok) {
		ok = udf_read_stream(v, ino, UDF_MAX_DIR_BYTES, &data, &len, &e) == 0;
	}
	if (ok) /* a FID cut off at the end of the first block: not needed */
		udf_fids_parse(data, len, find_cb, s, &e);
	free(data);
	udf_inode_free(ino);
	return ok;
}

/* Sets the deleted bit of the FID at byte off of dir's stream. */
static bool mark_deleted(struct udf_vol *v, const struct udf_inode *dir,
			 uint64_t off, uint32_t size)
{
	uint32_t bs = v->bs, in = (uint32_t)(off % bs);
	uint32_t n = in + size > bs ? 2 : 1;
	uint64_t abs[2];
	discfs_error e = { 0 };
	uint8_t *buf = malloc(2 * (size_t)bs);
	bool ok = buf && size <= bs && !dir->inline_data;
	for (uint32_t i = 0; ok && i < n; i++)
		ok = stream_block(v, dir, off - in + (uint64_t)i * bs, &abs[i]) &&
		     udf_read_abs(v, abs[i], buf + (size_t)i * bs, &e) == 0;
	if (ok) {
		uint8_t *p = buf + in;
		p[18] |= FID_DELETED;
		udf_tag_make(p, 16 + (size_t)get_le16(p + 10), TAG_FID,
			     get_le16(p + 2), get_le16(p + 4), get_le32(p + 12));
	}
	for (uint32_t i = 0; ok && i < n; i++)
		ok = udf_bsrc_write(&v->src, abs[i], 1, buf + (size_t)i * bs, NULL) == 0;
	free(buf);
	return ok;
}

bool fsck_drop_stale_dir_name(struct fsck *f, const struct udf_inode *dir,
			      const struct udf_fid *fid, const char *path)
{
	struct udf_vol *v = f->vol;
	struct fid_find self = { .want = fid->icb }, there = { .want = fid->icb };
	if (!(f->flags & DISCFS_FSCK_REPAIR) || !v->src.write ||
	    !(fid->characteristics & FID_DIRECTORY) ||
	    !scan_dir(v, fid->icb, true, &self) || !self.has_parent)
		return false;
	if (self.parent.lbn == dir->icb.lbn && self.parent.part == dir->icb.part)
		return false; /* its ".." points here: this name is right */
	if (!scan_dir(v, self.parent, false, &there) || !there.found)
		return false; /* named only here: a wrong "..", not a move */
	if (!mark_deleted(v, dir, fid->offset, fid->size))
		return false;
	fsck_report(f, DISCFS_FSCK_ERROR, "tree", true,
		    "%s: a second name of a directory whose \"..\" points "
		    "elsewhere (a move cut short): removed", path);
	return true;
}
