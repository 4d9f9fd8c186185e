/*
 * udf/update_open.c - bringing a volume up for updating (through the
 * reader), recovering from a commit cut short, and starting over after a
 * commit (the reader's view is reopened so it sees the new VAT / tree).
 */
#include <stdlib.h>
#include <string.h>

#include "udf/fsck.h"
#include "udf/update_int.h"
#include "util/bytes.h"
#include "util/err.h"

int upd_reload(struct udf_update *u, discfs_error *err);

static void drop_state(struct udf_update *u)
{
	upd_read_forget(u); /* its inode belongs to the volume dropped here */
	upd_node_free(u->root);
	u->root = NULL;
	for (size_t i = 0; i < u->n_removed; i++)
		upd_node_free(u->removed[i]);
	u->n_removed = 0;
	free(u->vat);
	free(u->vat_dirty);
	free(u->vat_ext);
	u->vat = NULL;
	u->vat_dirty = NULL;
	u->vat_ext = NULL;
	u->vat_n = u->vat_cap = u->vat_n_ext = 0;
	upd_meta_free(u);
	free(u->sbd_raw);
	free(u->alloc_now);
	free(u->bitmap_saved);
	u->sbd_raw = u->alloc_now = u->bitmap_saved = u->bitmap = NULL;
	if (u->vol)
		udf_vol_close(u->vol);
	u->vol = NULL;
	u->pending = false;
}

static int pick_maps(struct udf_update *u, discfs_error *err)
{
	struct udf_vol *v = u->vol;
	u->meta_map = -1;
	switch (v->info.layout) {
	case UDF_LAYOUT_VAT:
		u->layout = DISCFS_LAYOUT_VAT;
		for (unsigned i = 0; i < v->n_maps; i++)
			if (v->maps[i].kind == MAPK_VIRTUAL) {
				u->virt = i;
				u->phys = (unsigned)v->maps[i].phys;
			}
		break;
	case UDF_LAYOUT_PLAIN:
	case UDF_LAYOUT_SPARABLE: /* plain, with packets the table moved */
	case UDF_LAYOUT_METADATA: /* plain, entries in the metadata file */
		u->layout = DISCFS_LAYOUT_PLAIN;
		u->phys = (unsigned)v->phys_map;
		u->sparable = v->maps[u->phys].kind == MAPK_SPARABLE;
		u->meta_map = -1;
		for (unsigned i = 0; i < v->n_maps; i++)
			if (v->maps[i].kind == MAPK_METADATA && v->info.layout == UDF_LAYOUT_METADATA)
				u->meta_map = (int)i;
		break;
	default:
		return dfs_fail(err, DISCFS_ENOTSUP, "this volume layout is not "
				"updated incrementally");
	}
	const struct udf_map *pm = &v->maps[u->phys];
	if ((pm->kind != MAPK_TYPE1 && pm->kind != MAPK_SPARABLE) || pm->pd < 0)
		return dfs_fail(err, DISCFS_ENOTSUP, "unsupported physical partition");
	const struct udf_pd *pd = &v->pds[pm->pd];
	u->part_start = pd->start;
	u->part_len = pd->length;
	/* a partition past the medium is hostile: its bitmap would be read
	 * (and held) for blocks that do not exist */
	if (u->layout == DISCFS_LAYOUT_PLAIN && u->bd->capacity &&
	    (uint64_t)pd->start + pd->length > u->bd->capacity)
		return dfs_fail(err, DISCFS_EFORMAT, "the partition (%u blocks from "
				"%u) ends past the medium (%llu blocks)", pd->length,
				pd->start, (unsigned long long)u->bd->capacity);
	if (u->layout == DISCFS_LAYOUT_PLAIN && pd->access != PD_ACCESS_OVERWRITABLE &&
	    pd->access != PD_ACCESS_REWRITABLE)
		return dfs_fail(err, DISCFS_EPROTECT,
				"the volume's partition is not rewritable (access type %u)",
				pd->access);
	return 0;
}

struct uid_scan {
	uint64_t max;
};

static int uid_cb(void *arg, const char *relpath, struct udf_inode *ino)
{
	struct uid_scan *s = arg;
	struct udf_stat st;
	(void)relpath;
	udf_inode_stat(ino, &st);
	if (st.unique_id > s->max)
		s->max = st.unique_id;
	return 0;
}

/* The next UniqueID: ours from the VAT, else above every one in use. */
static int pick_uid(struct udf_update *u, bool from_vat, discfs_error *err)
{
	if (from_vat && u->next_uid >= UDF_FIRST_UNIQUE_ID)
		return 0;
	u->next_uid = u->vol->info.next_unique_id;
	if (u->layout == DISCFS_LAYOUT_VAT) {
		struct uid_scan s = { 0 };
		int rc = udf_walk(u->vol, "/", uid_cb, &s, err);
		if (rc)
			return rc;
		if (s.max + 1 > u->next_uid)
			u->next_uid = s.max + 1;
	}
	if (u->next_uid < UDF_FIRST_UNIQUE_ID)
		u->next_uid = UDF_FIRST_UNIQUE_ID;
	return 0;
}

int upd_reload(struct udf_update *u, discfs_error *err)
{
	struct udf_bsrc src;
	drop_state(u);
	int rc = u->bd->refresh ? u->bd->refresh(u->bd, err) : 0;
	if (rc)
		return rc;
	udf_bdev_as_bsrc(u->bd, &src);
	/* the anchor is in the last session (0 on single-session discs) */
	struct udf_open_opts oo = { .session_start = u->opts.session_start,
				    .last_block = UINT64_MAX };
	rc = udf_vol_open(&src, &oo, &u->vol, err);
	if (rc && oo.session_start) { /* a volume of the first session */
		oo.session_start = 0;
		rc = udf_vol_open(&src, &oo, &u->vol, err);
	}
	if (rc)
		return dfs_wrap(err, rc, "no UDF volume to update");
	if ((rc = pick_maps(u, err)))
		return rc;
	const struct udf_vol_info *vi = &u->vol->info;
	u->rev = vi->udf_rev;
	u->tag_version = u->vol->desc_version;
	u->efe = u->rev >= 0x0200;
	u->serial = 1;
	uint8_t *b = malloc(u->bd->block_size);
	if (b && udf_bdev_read(u->bd, u->vol->fsd_abs, 1, b, NULL) == 0)
		u->serial = get_le16(b + 6);
	free(b);
	u->num_files = vi->num_files;
	u->num_dirs = vi->num_dirs;
	u->next_uid = 0;
	if (!(u->root = upd_node_new(NULL, err)))
		return -DISCFS_ENOMEM;
	u->root->on_disc = true;
	u->root->ftype = FT_DIR;
	u->root->icb = udf_vol_root(u->vol);
	if (u->layout == DISCFS_LAYOUT_VAT) {
		rc = upd_vat_load(u, err);
	} else {
		rc = upd_bitmap_load(u, err);
		u->bitmap_saved = rc ? NULL : malloc(((size_t)u->part_len + 7) / 8);
		if (!rc && !u->bitmap_saved)
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		if (!rc && u->meta_map >= 0)
			rc = upd_meta_load(u, (unsigned)u->meta_map, err);
	}
	if (!rc)
		rc = pick_uid(u, u->layout == DISCFS_LAYOUT_VAT, err);
	return rc;
}

/* A plain volume left open by a crash: let fsck put the counts, the free
 * space and the bitmap right, then close it. */
static int recover_plain(struct udf_update *u, discfs_error *err)
{
	struct udf_bsrc src;
	discfs_fsck_result res;
	memset(&res, 0, sizeof(res));
	udf_bdev_as_bsrc(u->bd, &src);
	udf_fsck_src(&src, DISCFS_FSCK_REPAIR, NULL, NULL, &res);
	int rc = udf_bdev_sync(u->bd, err);
	if (!rc)
		rc = upd_reload(u, err);
	if (!rc)
		rc = upd_lvid_write(u, true, err);
	return rc;
}

int udf_update_open(struct udf_bdev *bd, const struct udf_update_opts *o,
		    struct udf_update **out, discfs_error *err)
{
	struct udf_update *u = calloc(1, sizeof(*u));
	if (!u)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	u->bd = bd;
	if (o)
		u->opts = *o;
	u->opts.label = NULL;
	int rc = upd_reload(u, err);
	if (!rc && u->layout == DISCFS_LAYOUT_VAT && bd->kind != UDF_BDEV_SEQUENTIAL)
		rc = dfs_fail(err, DISCFS_ENOTSUP,
			      "a write-once (VAT) volume on a rewritable medium");
	if (!rc && u->layout == DISCFS_LAYOUT_VAT &&
	    bd->nwa >= (uint64_t)u->part_start + u->part_len)
		rc = dfs_fail(err, DISCFS_ENOSPC,
			      "the volume's partition ends at block %llu: no room "
			      "for increments (was it mastered to the size of its "
			      "content?)",
			      (unsigned long long)u->part_start + u->part_len);
	if (!rc && u->layout == DISCFS_LAYOUT_VAT &&
	    bd->last_recorded != u->vol->maps[u->virt].vat_abs) {
		/* the last commit was cut short: make its VAT the last block */
		upd_commit_reset_space(u);
		rc = upd_vat_append_copy(u, err);
		if (!rc)
			rc = upd_reload(u, err);
	}
	if (!rc && u->layout == DISCFS_LAYOUT_PLAIN &&
	    get_le32(u->vol->lvid + 28) != LVID_CLOSE)
		rc = recover_plain(u, err);
	if (rc) {
		udf_update_close(u);
		return rc;
	}
	*out = u;
	return 0;
}

void udf_update_close(struct udf_update *u)
{
	if (!u)
		return;
	drop_state(u);
	free(u->removed);
	free(u->freed.lbn);
	free(u->freed.len);
	free(u);
}

int udf_update_layout(const struct udf_update *u)
{
	return u->layout;
}
