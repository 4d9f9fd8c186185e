/*
 * udf/read_dir.c - directory streams: File Identifier Descriptors and
 * their CS0 names.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/cs0.h"
#include "udf/ecma167.h"
#include "udf/read_int.h"
#include "udf/safe_name.h"
#include "udf/tag.h"
#include "util/bytes.h"
#include "util/err.h"

static bool zero16(const uint8_t *p)
{
	for (int i = 0; i < 16; i++)
		if (p[i])
			return false;
	return true;
}

int udf_fids_parse(const uint8_t *data, size_t len, udf_fid_cb cb, void *arg,
		   discfs_error *err)
{
	size_t o = 0;
	while (o < len) {
		size_t avail = len - o;
		const uint8_t *p = data + o;
		int rc;
		if (avail < sizeof(struct ecma_fid)) {
			if (avail < 16 || zero16(p))
				break; /* zero padding at the end of the stream */
			return dfs_fail(err, DISCFS_EFORMAT,
					"directory entry at offset %zu truncated", o);
		}
		if (zero16(p))
			break;
		if ((rc = udf_tag_verify(p, avail, TAG_FID, -1, err)))
			return dfs_wrap(err, rc, "directory entry at offset %zu", o);
		const struct ecma_fid *f = (const void *)p;
		uint32_t l_iu = get_le16(f->l_iu);
		size_t need = sizeof(*f) + l_iu + f->l_fi;
		if (need > avail)
			return dfs_fail(err, DISCFS_EFORMAT,
					"directory entry at offset %zu: %zu bytes, "
					"only %zu left", o, need, avail);
		struct udf_fid fid = {
			.characteristics = f->characteristics,
			.icb = { get_le32(f->icb.loc.lbn),
				 get_le16(f->icb.loc.part_ref) },
			.unique_id = get_le32(f->icb.imp_use + 2),
			.name = p + sizeof(*f) + l_iu,
			.l_fi = f->l_fi,
			.offset = (uint32_t)o,
			.size = ecma_fid_size(l_iu, f->l_fi),
		};
		rc = cb(arg, &fid, err);
		if (rc)
			return rc;
		o += fid.size;
	}
	return 0;
}

/* The safe name (udf/safe_name.h): entries named "", ".", "..", or
 * holding '/' or NUL are shown escaped rather than failing the directory. */
int udf_fid_name(const struct udf_fid *f, char *out, size_t cap,
		 discfs_error *err)
{
	int rc = udf_safe_name_from_cs0(f->name, f->l_fi, out, cap, err);
	if (rc)
		return dfs_wrap(err, rc, "name of directory entry at offset %u",
				f->offset);
	return 0;
}

struct rd_ctx {
	udf_dirent_cb cb;
	void *arg;
	char name[1024];
};

static int rd_one(void *arg, const struct udf_fid *f, discfs_error *err)
{
	struct rd_ctx *c = arg;
	/* Hidden entries (e.g. 1.50's "Non-Allocatable Space") are skipped
	 * as Linux does by default. */
	if (f->characteristics & (FID_PARENT | FID_DELETED | FID_HIDDEN))
		return 0;
	int rc = udf_fid_name(f, c->name, sizeof(c->name), err);
	if (rc)
		return rc;
	struct udf_dirent d = {
		.name = c->name,
		.icb = f->icb,
		.characteristics = f->characteristics,
		.unique_id = f->unique_id,
	};
	return c->cb(c->arg, &d);
}

int udf_readdir(struct udf_vol *vol, struct udf_inode *dir, udf_dirent_cb cb,
		void *arg, discfs_error *err)
{
	uint8_t *data;
	size_t len;
	if (!udf_inode_is_dir(dir))
		return dfs_fail(err, DISCFS_EINVAL, "not a directory");
	int rc = udf_read_stream(vol, dir, UDF_MAX_DIR_BYTES, &data, &len, err);
	if (rc)
		return rc;
	struct rd_ctx *c = malloc(sizeof(*c));
	if (!c) {
		free(data);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	c->cb = cb;
	c->arg = arg;
	rc = udf_fids_parse(data, len, rd_one, c, err);
	free(c);
	free(data);
	return rc;
}
