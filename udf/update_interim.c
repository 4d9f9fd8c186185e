/*
 * udf/update_interim.c - the interim version of a directory that breaks a
 * cycle of moves in an in-place commit.
 *
 * An in-place commit rewrites a directory that gains a moved name before
 * the one that loses it, so that a cut in between shows the object twice
 * rather than nowhere.  When names move both ways (a/x to b/, b/y to a/)
 * no order does that: whichever directory comes first drops a name the
 * other does not show yet.  So the first one is written twice: here an
 * interim version, its new names plus the names still waiting for their
 * new directory (under the names the disc records for them) and its ".."
 * as recorded, and, once those directories are written, its final
 * version as usual.
 *
 * The interim stream goes to blocks of its own (nothing lent from the
 * committed stream, which the final version may lend); they are given
 * back with the other freed blocks when the commit ends.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/update_int.h"
#include "util/err.h"

/* The names the committed stream of a directory records for objects. */
struct old_names {
	struct upd_node *const *obj;
	size_t n;
	const uint8_t **name; /* into the stream; NULL = not found */
	uint8_t *len;
	uint8_t *chars;
};

static int find_name(void *arg, const struct udf_fid *f, discfs_error *err)
{
	struct old_names *o = arg;
	(void)err;
	if (f->characteristics & (FID_PARENT | FID_DELETED))
		return 0;
	for (size_t i = 0; i < o->n; i++) {
		const struct upd_node *k = o->obj[i];
		if (!o->name[i] && f->icb.lbn == k->icb.lbn &&
		    f->icb.part == k->icb.part) {
			o->name[i] = f->name;
			o->len[i] = f->l_fi;
			o->chars[i] = f->characteristics & (FID_HIDDEN | FID_METADATA);
		}
	}
	return 0;
}

static bool named_in(const struct upd_node *dir, const uint8_t *cs0, uint8_t len)
{
	for (size_t i = 0; i < dir->nkids; i++) {
		const struct upd_node *k = dir->kids[i];
		if (k && k->cs0_len == len && !memcmp(k->cs0, cs0, len))
			return true;
	}
	return false;
}

/* dir's final children plus copies of the kept objects under their old
 * names (a name the new version gives to another object is not kept:
 * the directory would show it twice). */
static int interim_kids(const struct upd_node *dir, const struct old_names *o,
			struct upd_node *copies, struct upd_node ***kids,
			size_t *n, discfs_error *err)
{
	struct upd_node **v = malloc((dir->nkids + o->n + 1) * sizeof(*v));
	if (!v)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	memcpy(v, dir->kids, dir->nkids * sizeof(*v));
	*n = dir->nkids;
	for (size_t i = 0; i < o->n; i++) {
		if (!o->name[i] || named_in(dir, o->name[i], o->len[i]))
			continue;
		copies[i] = *o->obj[i];
		copies[i].cs0 = (uint8_t *)o->name[i];
		copies[i].cs0_len = o->len[i];
		copies[i].fid_chars = o->chars[i];
		copies[i].link_to = NULL;
		v[(*n)++] = &copies[i];
	}
	*kids = v;
	return 0;
}

/* Records the interim entry of dir (stream runs in sh) over its block. */
static int write_entry(struct udf_update *u, struct upd_node *sh,
		       const struct udf_inode *old, discfs_error *err)
{
	uint32_t bs = u->bd->block_size, aeds = 0;
	uint8_t *raw = malloc(bs), *blk = malloc(bs);
	uint32_t lbn = old->icb.lbn;
	int rc = raw && blk ? 0 : dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (!rc)
		rc = udf_bdev_read(u->bd, old->abs, 1, raw, err);
	if (!rc)
		rc = upd_aed_count(u, sh, raw, &aeds, err);
	if (!rc && aeds)
		rc = 1; /* its descriptors would need AEDs: not worth it here */
	if (!rc)
		rc = upd_build_fe(u, sh, raw, lbn, blk, err);
	if (!rc)
		rc = upd_write_md(u, lbn, 1, blk, err);
	free(raw);
	free(blk);
	return rc;
}

int upd_write_interim(struct udf_update *u, struct upd_node *dir,
		      struct upd_node *const *keep, size_t n_keep,
		      struct udf_inode **old, discfs_error *err)
{
	struct old_names o = { .obj = keep, .n = n_keep };
	struct upd_node sh = *dir, *copies = calloc(n_keep + 1, sizeof(*copies));
	uint8_t *data = NULL;
	size_t len = 0;
	o.name = calloc(n_keep + 1, sizeof(*o.name));
	o.len = calloc(n_keep + 1, 1);
	o.chars = calloc(n_keep + 1, 1);
	int rc = copies && o.name && o.len && o.chars
			 ? 0 : dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	*old = NULL;
	if (!rc)
		rc = udf_inode_get(u->vol, dir->icb, old, err);
	if (!rc)
		rc = udf_read_stream(u->vol, *old, UDF_MAX_DIR_BYTES, &data, &len, err);
	if (!rc)
		rc = udf_fids_parse(data, len, find_name, &o, err);
	sh.kids = NULL;
	if (!rc)
		rc = interim_kids(dir, &o, copies, &sh.kids, &sh.nkids, err);
	/* its ".." as recorded (a moved directory's changes after the
	 * directory that shows it); nothing lent from the committed stream */
	if (dir->disc_parent)
		sh.parent = dir->disc_parent;
	sh.on_disc = false;
	sh.n_data = 0;
	sh.data_lbn = sh.data_len = NULL;
	sh.aed_lbn = NULL;
	sh.n_aed = 0;
	if (!rc)
		rc = upd_write_stream(u, &sh, err);
	if (!rc)
		rc = write_entry(u, &sh, *old, err);
	/* written or not, the interim stream is not wanted after the commit */
	for (uint32_t i = 0; rc >= 0 && i < sh.n_data; i++)
		if (upd_free_md(u, sh.data_lbn[i], sh.data_len[i], NULL))
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	u->st.objects_written += rc == 0;
	free(sh.kids);
	free(sh.data_lbn);
	free(sh.data_len);
	free(copies);
	free(o.name);
	free(o.len);
	free(o.chars);
	free(data);
	if (rc) {
		udf_inode_free(*old);
		*old = NULL;
	}
	return rc;
}
