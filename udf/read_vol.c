/*
 * udf/read_vol.c - volume bring-up in the order Linux uses (udf-notes 1.7):
 * anchor -> VDS (main, reserve) -> LVID -> partition maps (sparing, VAT,
 * metadata) -> FSD -> root.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/cs0.h"
#include "udf/ecma167.h"
#include "udf/read_int.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

#define FSD_MAX_HOPS 16

static int read_fsd(struct udf_vol *vol, discfs_error *err)
{
	const struct ecma_lvd *lvd = (const struct ecma_lvd *)vol->lvd;
	struct udf_icb at = { get_le32(lvd->fsd_loc.loc.lbn),
			      get_le16(lvd->fsd_loc.loc.part_ref) };
	uint8_t *b = malloc(vol->bs);
	bool found = false;
	int rc = 0;
	if (!b)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	/* The last FSD of the chain wins (nb); we follow next_ext links. */
	for (int hop = 0; hop < FSD_MAX_HOPS; hop++) {
		uint64_t abs;
		if ((rc = udf_map_block(vol, at.part, at.lbn, &abs, err)) ||
		    (rc = udf_read_abs(vol, abs, b, err)))
			break;
		if (found && get_le16(b) != TAG_FSD)
			break;
		if ((rc = udf_tag_verify(b, vol->bs, TAG_FSD, at.lbn, err))) {
			if (found)
				rc = 0;
			break;
		}
		const struct ecma_fsd *f = (const void *)b;
		found = true;
		vol->fsd = at;
		vol->fsd_abs = abs;
		vol->root.lbn = get_le32(f->root_icb.loc.lbn);
		vol->root.part = get_le16(f->root_icb.loc.part_ref);
		vol->stream_dir.lbn = UINT32_MAX;
		if (get_le32(f->stream_dir_icb.length) & ECMA_EXT_LEN_MASK) {
			vol->stream_dir.lbn = get_le32(f->stream_dir_icb.loc.lbn);
			vol->stream_dir.part = get_le16(f->stream_dir_icb.loc.part_ref);
		}
		if (udf_dstring_get(f->fs_ident, sizeof(f->fs_ident),
				    vol->info.fs_ident, sizeof(vol->info.fs_ident),
				    NULL))
			vol->info.fs_ident[0] = 0;
		if (!(get_le32(f->next_ext.length) & ECMA_EXT_LEN_MASK))
			break;
		at.lbn = get_le32(f->next_ext.loc.lbn);
		at.part = get_le16(f->next_ext.loc.part_ref);
	}
	free(b);
	if (rc)
		return dfs_wrap(err, rc, "file set descriptor");
	return 0;
}

int udf_vol_open(struct udf_bsrc *src, const struct udf_open_opts *opts,
		 struct udf_vol **out, discfs_error *err)
{
	struct udf_vol *vol = calloc(1, sizeof(*vol));
	struct udf_inode *root = NULL;
	int rc;
	if (!vol)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	vol->src = *src;
	vol->bs = src->block_size;
	vol->session = opts ? opts->session_start : 0;
	vol->last = opts && opts->last_block != UINT64_MAX
			    ? opts->last_block
		    : src->last_recorded != UINT64_MAX ? src->last_recorded
						       : src->n_blocks - 1;
	if (!src->n_blocks || vol->bs < 512) {
		rc = dfs_fail(err, DISCFS_EFORMAT, "empty volume");
		goto fail;
	}
	if ((rc = udf_find_anchor(vol, err)) || (rc = udf_read_vds(vol, err)) ||
	    (rc = udf_read_lvid(vol, err)) || (rc = udf_load_maps(vol, err)) ||
	    (rc = read_fsd(vol, err)))
		goto fail;
	/* The root must be a directory we can decode. */
	if ((rc = udf_inode_get(vol, vol->root, &root, err))) {
		dfs_wrap(err, rc, "root directory");
		goto fail;
	}
	if (!udf_inode_is_dir(root)) {
		udf_inode_free(root);
		rc = dfs_fail(err, DISCFS_EFORMAT, "root is not a directory");
		goto fail;
	}
	udf_inode_free(root);
	*out = vol;
	*src = (struct udf_bsrc){ 0 };
	return 0;
fail:
	vol->src = (struct udf_bsrc){ 0 }; /* still the caller's */
	udf_vol_close(vol);
	return rc;
}

void udf_vol_close(struct udf_vol *vol)
{
	if (!vol)
		return;
	udf_free_maps(vol);
	udf_bsrc_close(&vol->src);
	free(vol->lvd);
	free(vol->lvid);
	free(vol);
}

const struct udf_vol_info *udf_vol_info(const struct udf_vol *vol)
{
	return &vol->info;
}

struct udf_icb udf_vol_root(const struct udf_vol *vol)
{
	return vol->root;
}
