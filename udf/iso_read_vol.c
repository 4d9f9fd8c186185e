/*
 * udf/iso_read_vol.c - bringing an ISO9660 volume up: the volume
 * descriptor set, the choice of tree (Rock Ridge, Joliet, plain), and the
 * block-level helpers the rest of the reader uses.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/cs0.h"
#include "udf/iso_read_int.h"
#include "util/bytes.h"
#include "util/err.h"

/* Volume descriptor types (ECMA-119 8.1.1) and fields used. */
enum { VD_PRIMARY = 1, VD_SUPPLEMENTARY = 2, VD_TERMINATOR = 255 };
#define VD_VOL_ID 40
#define VD_SPACE_SIZE 80
#define VD_ESCAPES 88
#define VD_BLOCK_SIZE 128
#define VD_ROOT 156

static bool is_vd(const uint8_t *b)
{
	return !memcmp(b + 1, "CD001", 5) && b[6] == 1;
}

bool iso_probe(const struct udf_bsrc *src, uint64_t session_start)
{
	uint8_t *b;
	discfs_error ignored;
	bool yes = false;

	if (src->block_size != ISO_BLOCK || session_start + 16 >= src->n_blocks)
		return false;
	b = malloc(ISO_BLOCK);
	if (!b)
		return false;
	if (udf_bsrc_read(src, session_start + 16, 1, b, &ignored) == 0)
		yes = is_vd(b);
	free(b);
	return yes;
}

int iso_check_extent(const struct iso_vol *v, uint32_t lba, uint64_t len,
		     const char *what, uint64_t where, discfs_error *err)
{
	uint64_t blocks = (len + ISO_BLOCK - 1) / ISO_BLOCK;
	if (len && (uint64_t)lba + blocks > v->src.n_blocks)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: %s (record at "
				"byte %llu): extent at block %u, %llu blocks, "
				"beyond the end of the volume (%llu blocks)", what,
				(unsigned long long)where, lba,
				(unsigned long long)blocks,
				(unsigned long long)v->src.n_blocks);
	return 0;
}

int iso_read_bytes(struct iso_vol *v, uint32_t lba, uint64_t off, size_t len,
		   uint8_t *out, discfs_error *err)
{
	uint8_t *b = NULL;
	int rc = 0;
	while (len) {
		uint64_t blk = lba + off / ISO_BLOCK;
		size_t in = (size_t)(off % ISO_BLOCK);
		if (in == 0 && len >= ISO_BLOCK) { /* whole blocks: no copy */
			uint32_t n = (uint32_t)(len / ISO_BLOCK);
			if (n > 256)
				n = 256;
			rc = udf_bsrc_read(&v->src, blk, n, out, err);
			if (rc)
				break;
			out += (size_t)n * ISO_BLOCK;
			off += (size_t)n * ISO_BLOCK;
			len -= (size_t)n * ISO_BLOCK;
			continue;
		}
		if (!b && !(b = malloc(ISO_BLOCK))) {
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
			break;
		}
		rc = udf_bsrc_read(&v->src, blk, 1, b, err);
		if (rc)
			break;
		size_t n = ISO_BLOCK - in < len ? ISO_BLOCK - in : len;
		memcpy(out, b + in, n);
		out += n;
		off += n;
		len -= n;
	}
	free(b);
	return rc;
}

int iso_rec_parse(const struct iso_vol *v, const uint8_t *p, size_t avail,
		  uint64_t pos, struct iso_rec *r, discfs_error *err)
{
	if (avail < ISO_DR_MIN || p[0] < ISO_DR_MIN || p[0] > avail)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: directory record "
				"at byte %llu: length %u (%zu bytes left in its "
				"sector)", (unsigned long long)pos,
				avail ? p[0] : 0, avail);
	size_t name_end = 33 + (size_t)p[32];
	size_t su = name_end + !(p[32] & 1);
	if (name_end > p[0])
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: directory record "
				"at byte %llu: name of %u bytes overruns its "
				"length %u", (unsigned long long)pos, p[32], p[0]);
	if (p[26] || p[27])
		return dfs_fail(err, DISCFS_ENOTSUP, "ISO9660: directory record "
				"at byte %llu: interleaved file (unit %u, gap %u) "
				"not supported", (unsigned long long)pos, p[26], p[27]);
	uint64_t lba = (uint64_t)get_le32(p + 2) + p[1];
	if (lba > UINT32_MAX)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: directory record "
				"at byte %llu: extent number out of range",
				(unsigned long long)pos);
	*r = (struct iso_rec){
		.lba = (uint32_t)lba, .len = get_le32(p + 10), .flags = p[25],
		.date = p + 18, .id = p + 33, .id_len = p[32], .pos = pos,
	};
	su += v ? v->susp_skip : 0;
	if (su < p[0]) {
		r->su = p + su;
		r->su_len = p[0] - su;
	}
	return v ? iso_check_extent(v, r->lba, r->len, "file data", pos, err)
		 : 0;
}

/* A volume identifier: d-characters, or UCS-2 in a Joliet SVD. */
static void vol_ident(const uint8_t *f, bool ucs2, char *out, size_t cap)
{
	size_t n = 32;
	if (ucs2) {
		uint8_t cs0[33] = { 16 };
		memcpy(cs0 + 1, f, 32);
		while (n >= 2 && cs0[n - 1] == 0 && (cs0[n] == ' ' || !cs0[n]))
			n -= 2;
		if (udf_cs0_decode(cs0, n + 1, out, cap, NULL, NULL) == 0)
			return;
		n = 0;
	}
	while (n && (f[n - 1] == ' ' || f[n - 1] == 0))
		n--;
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		out[o++] = f[i] >= 0x20 && f[i] < 0x7F ? (char)f[i] : '_';
	out[o] = 0;
}

/* The root directory record of a descriptor. */
static int vd_root(struct iso_vol *v, const uint8_t *b, uint64_t blk,
		   struct iso_ext *root, uint8_t date[7], discfs_error *err)
{
	struct iso_rec r;
	int rc = iso_rec_parse(NULL, b + VD_ROOT, 34, blk * ISO_BLOCK + VD_ROOT,
			       &r, err);
	if (rc == 0)
		rc = iso_check_extent(v, r.lba, r.len, "root directory",
				      blk * ISO_BLOCK + VD_ROOT, err);
	if (rc)
		return dfs_wrap(err, rc, "volume descriptor at block %llu",
				(unsigned long long)blk);
	if (!(r.flags & ISO_FLAG_DIR) || r.len == 0)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: volume descriptor "
				"at block %llu: root record is not a directory",
				(unsigned long long)blk);
	*root = (struct iso_ext){ r.lba, r.len };
	memcpy(date, r.date, 7);
	return 0;
}

struct vd_set {
	struct iso_ext pvd_root, jol_root;
	uint8_t pvd_date[7], jol_date[7];
	bool pvd, jol;
};

static int scan_vds(struct iso_vol *v, uint8_t *b, struct vd_set *s,
		    discfs_error *err)
{
	uint64_t start = v->info.session_start + 16;
	for (unsigned i = 0; i < ISO_MAX_VDS; i++) {
		uint64_t blk = start + i;
		if (blk >= v->src.n_blocks)
			break;
		int rc = udf_bsrc_read(&v->src, blk, 1, b, err);
		if (rc)
			return rc;
		if (!is_vd(b) || b[0] == VD_TERMINATOR)
			break;
		if (b[0] == VD_PRIMARY && !s->pvd) {
			uint16_t bs = get_le16(b + VD_BLOCK_SIZE);
			if (bs != ISO_BLOCK)
				return dfs_fail(err, DISCFS_ENOTSUP, "ISO9660: "
						"logical block size %u not supported", bs);
			if ((rc = vd_root(v, b, blk, &s->pvd_root, s->pvd_date, err)))
				return rc;
			v->info.vol_blocks = get_le32(b + VD_SPACE_SIZE);
			vol_ident(b + VD_VOL_ID, false, v->info.vol_ident,
				  sizeof(v->info.vol_ident));
			s->pvd = true;
		} else if (b[0] == VD_SUPPLEMENTARY && !s->jol &&
			   b[VD_ESCAPES] == '%' && b[VD_ESCAPES + 1] == '/' &&
			   strchr("@CE", b[VD_ESCAPES + 2]) && b[VD_ESCAPES + 2]) {
			if (vd_root(v, b, blk, &s->jol_root, s->jol_date, err) == 0)
				s->jol = true; /* a bad Joliet tree: use the PVD's */
			else
				dfs_clear(err);
		}
	}
	if (!s->pvd)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: no primary volume "
				"descriptor in blocks %llu..%llu",
				(unsigned long long)start,
				(unsigned long long)start + ISO_MAX_VDS - 1);
	return 0;
}

/* Rock Ridge is in use when the root's "." record starts with SP. */
static int detect_rr(struct iso_vol *v, uint8_t *b, discfs_error *err)
{
	struct iso_rec r;
	int rc = udf_bsrc_read(&v->src, v->root.lba, 1, b, err);
	if (rc)
		return rc;
	size_t avail = v->root.len < ISO_BLOCK ? v->root.len : ISO_BLOCK;
	if (b[0] == 0 || iso_rec_parse(v, b, avail,
				       (uint64_t)v->root.lba * ISO_BLOCK, &r,
				       err) < 0) {
		dfs_clear(err); /* the walk reports a bad root directory */
		return 0;
	}
	v->rr = r.su && iso_rr_find_sp(r.su, r.su_len, &v->susp_skip);
	return 0;
}

int iso_vol_open(struct udf_bsrc *src, uint64_t session_start,
		 struct iso_vol **out, discfs_error *err)
{
	struct vd_set s = { 0 };
	struct iso_vol *v;
	uint8_t *b;
	int rc;

	if (src->block_size != ISO_BLOCK)
		return dfs_fail(err, DISCFS_EINVAL, "ISO9660 needs 2048-byte blocks");
	v = calloc(1, sizeof(*v));
	b = malloc(ISO_BLOCK);
	if (!v || !b) {
		free(v);
		free(b);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	v->src = *src;
	v->info.session_start = session_start;
	rc = scan_vds(v, b, &s, err);
	if (rc == 0) {
		v->root = s.pvd_root;
		memcpy(v->root_date, s.pvd_date, 7);
		rc = detect_rr(v, b, err);
	}
	free(b);
	if (rc) {
		free(v);
		return rc;
	}
	v->info.has_rr = v->rr;
	v->info.has_joliet = s.jol;
	v->info.names = ISO_NAMES_RR;
	if (!v->rr && s.jol) {
		v->root = s.jol_root;
		memcpy(v->root_date, s.jol_date, 7);
		v->joliet = true;
		v->info.names = ISO_NAMES_JOLIET;
	} else if (!v->rr) {
		v->info.names = ISO_NAMES_PLAIN;
	}
	memset(src, 0, sizeof(*src));
	*out = v;
	return 0;
}

void iso_vol_close(struct iso_vol *v)
{
	if (!v)
		return;
	udf_bsrc_close(&v->src);
	free(v);
}

const struct iso_vol_info *iso_vol_info(const struct iso_vol *v)
{
	return &v->info;
}
