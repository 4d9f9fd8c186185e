/*
 * udf/read_icb.c - file entries (FE, EFE), indirect entries, allocation
 * descriptors (short, long, extended, in-ICB, AED chains) and file data.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "udf/ecma167.h"
#include "udf/ea_space.h"
#include "udf/read_int.h"
#include "udf/tag.h"
#include "udf/timestamp.h"
#include "util/bytes.h"
#include "util/err.h"

#define READ_CHUNK 64u /* blocks per source read when copying data */

struct ad_state {
	struct udf_vol *vol;
	struct udf_inode *ino;
	uint32_t cap;
	uint64_t off;
};

static int push_ext(struct ad_state *s, uint32_t len, uint8_t type,
		    uint16_t part, uint32_t lbn, discfs_error *err)
{
	struct udf_inode *ino = s->ino;
	if (ino->n_ext == UDF_MAX_EXTENTS)
		return dfs_fail(err, DISCFS_EFORMAT,
				"file at %u has more than %u extents", ino->icb.lbn,
				UDF_MAX_EXTENTS);
	if (type != EXT_NOT_ALLOCATED) {
		uint64_t blocks = ((uint64_t)len + s->vol->bs - 1) / s->vol->bs;
		uint64_t plen = udf_map_length(s->vol, part);
		if (part >= s->vol->n_maps || lbn >= plen ||
		    blocks > plen - lbn)
			return dfs_fail(err, DISCFS_EFORMAT,
					"extent %u+%llu of file at %u is outside "
					"partition %u", lbn,
					(unsigned long long)blocks, ino->icb.lbn, part);
	}
	if (ino->n_ext == s->cap) {
		uint32_t nc = s->cap ? s->cap * 2 : 8;
		struct udf_ext *ne = realloc(ino->ext, nc * sizeof(*ne));
		if (!ne)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		ino->ext = ne;
		s->cap = nc;
	}
	ino->ext[ino->n_ext++] = (struct udf_ext){
		.file_off = s->off, .len = len, .type = type,
		.part = part, .lbn = lbn,
	};
	s->off += len;
	return 0;
}

/* Reads the AED at (part, lbn) into blk; returns its AD area. */
static int read_aed(struct ad_state *s, uint16_t part, uint32_t lbn,
		    uint8_t *blk, const uint8_t **area, uint32_t *alen,
		    discfs_error *err)
{
	struct udf_inode *ino = s->ino;
	uint64_t abs;
	int rc;
	if (++ino->n_aed > UDF_MAX_AEDS)
		return dfs_fail(err, DISCFS_EFORMAT,
				"file at %u: more than %u allocation extents",
				ino->icb.lbn, UDF_MAX_AEDS);
	if ((rc = udf_map_block(s->vol, part, lbn, &abs, err)) ||
	    (rc = udf_read_abs(s->vol, abs, blk, err)))
		return rc;
	if ((rc = udf_tag_verify(blk, s->vol->bs, TAG_AED, lbn, err)))
		return dfs_wrap(err, rc, "allocation extent of file at %u",
				ino->icb.lbn);
	if (ino->n_aed <= UDF_INODE_AED_KEEP)
		ino->aed_abs[ino->n_aed - 1] = abs;
	*alen = get_le32(((const struct ecma_aed *)blk)->l_ad);
	if (*alen > s->vol->bs - sizeof(struct ecma_aed))
		return dfs_fail(err, DISCFS_EFORMAT,
				"allocation extent at %u: L_AD %u", lbn, *alen);
	*area = blk + sizeof(struct ecma_aed);
	return 0;
}

static int parse_ads(struct ad_state *s, unsigned adtype, const uint8_t *area,
		     uint32_t alen, discfs_error *err)
{
	unsigned sz = adtype == ICBF_AD_SHORT ? 8 : adtype == ICBF_AD_LONG ? 16 : 20;
	uint8_t *blk = malloc(s->vol->bs);
	int rc = 0;
	if (!blk)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (uint32_t o = 0; o + sz <= alen && !rc;) {
		const uint8_t *a = area + o;
		uint32_t raw = get_le32(a);
		uint32_t len = raw & ECMA_EXT_LEN_MASK;
		uint8_t type = (uint8_t)(raw >> ECMA_EXT_TYPE_SHIFT);
		uint16_t part = s->ino->icb.part;
		uint32_t lbn;
		if (adtype == ICBF_AD_SHORT) {
			lbn = get_le32(a + 4);
		} else if (adtype == ICBF_AD_LONG) {
			lbn = get_le32(a + 4);
			part = get_le16(a + 8);
		} else {
			lbn = get_le32(a + 12);
			part = get_le16(a + 16);
		}
		if (len == 0)
			break; /* a zero length ends the list */
		if (type == EXT_NEXT_AD) {
			if ((rc = read_aed(s, part, lbn, blk, &area, &alen, err)))
				break;
			/* the AED's area replaces ours; blk keeps it alive */
			o = 0;
			continue;
		}
		rc = push_ext(s, len, type, part, lbn, err);
		o += sz;
	}
	free(blk);
	return rc;
}

static uint32_t posix_mode(uint8_t ftype, uint32_t perm, uint16_t flags)
{
	uint32_t m = (perm & 7) | ((perm >> 5 & 7) << 3) | ((perm >> 10 & 7) << 6);
	if (flags & ICBF_SETUID)
		m |= S_ISUID;
	if (flags & ICBF_SETGID)
		m |= S_ISGID;
	if (flags & ICBF_STICKY)
		m |= S_ISVTX;
	switch (ftype) {
	case FT_DIR: case FT_STREAMDIR: return m | S_IFDIR;
	case FT_SYMLINK: return m | S_IFLNK;
	case FT_BLOCKDEV: return m | S_IFBLK;
	case FT_CHARDEV: return m | S_IFCHR;
	case FT_FIFO: return m | S_IFIFO;
	case FT_SOCKET: return m | S_IFSOCK;
	default: return m | S_IFREG;
	}
}

static void get_time(const struct ecma_timestamp *ts, struct timespec *out)
{
	int64_t sec = 0;
	uint32_t nsec = 0;
	if (udf_ts_to_unix(ts, &sec, &nsec, NULL))
		sec = 0, nsec = 0;
	out->tv_sec = (time_t)sec;
	out->tv_nsec = nsec;
}

static void decode_attrs(struct udf_inode *ino, const uint8_t *buf)
{
	const struct ecma_fe *fe = (const void *)buf;
	const struct ecma_efe *efe = (const void *)buf;
	struct udf_stat *st = &ino->st;
	st->ino = (uint64_t)ino->icb.part << 32 | ino->icb.lbn;
	st->uid = get_le32(fe->uid);
	st->gid = get_le32(fe->gid);
	st->nlink = get_le16(fe->link_count);
	st->size = get_le64(fe->info_length);
	st->file_type = ino->file_type;
	st->mode = posix_mode(ino->file_type, get_le32(fe->permissions),
			      ino->icb_flags);
	ino->stream_dir.lbn = UINT32_MAX;
	if (ino->efe) {
		st->blocks_recorded = get_le64(efe->blocks_recorded);
		get_time(&efe->atime, &st->atime);
		get_time(&efe->mtime, &st->mtime);
		get_time(&efe->attr_time, &st->ctime);
		get_time(&efe->ctime, &st->btime);
		st->unique_id = get_le64(efe->unique_id);
		if (get_le32(efe->stream_dir_icb.length) & ECMA_EXT_LEN_MASK) {
			ino->stream_dir.lbn = get_le32(efe->stream_dir_icb.loc.lbn);
			ino->stream_dir.part = get_le16(efe->stream_dir_icb.loc.part_ref);
		}
	} else {
		st->blocks_recorded = get_le64(fe->blocks_recorded);
		get_time(&fe->atime, &st->atime);
		get_time(&fe->mtime, &st->mtime);
		get_time(&fe->attr_time, &st->ctime);
		st->btime = st->mtime;
		st->unique_id = get_le64(fe->unique_id);
	}
}

int udf_inode_decode(struct udf_vol *vol, struct udf_icb icb, uint64_t abs,
		     const uint8_t *buf, struct udf_inode **out,
		     discfs_error *err)
{
	uint16_t id = get_le16(buf);
	bool efe = id == TAG_EFE;
	size_t fixed = efe ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe);
	const struct ecma_fe *fe = (const void *)buf;
	uint32_t l_ea = get_le32(efe ? ((const struct ecma_efe *)buf)->l_ea : fe->l_ea);
	uint32_t l_ad = get_le32(efe ? ((const struct ecma_efe *)buf)->l_ad : fe->l_ad);
	int rc;

	if (l_ea > vol->bs || l_ad > vol->bs || fixed + l_ea + l_ad > vol->bs)
		return dfs_fail(err, DISCFS_EFORMAT,
				"file entry at %u: EA %u + AD %u bytes overflow "
				"the block", icb.lbn, l_ea, l_ad);
	struct udf_inode *ino = calloc(1, sizeof(*ino));
	if (!ino)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	ino->icb = icb;
	ino->abs = abs;
	ino->efe = efe;
	ino->file_type = fe->icbtag.file_type;
	ino->icb_flags = get_le16(fe->icbtag.flags);
	ino->strategy = get_le16(fe->icbtag.strategy_type);
	ino->ea_icb.lbn = UINT32_MAX;
	decode_attrs(ino, buf);
	if (l_ea) { /* kept whole: parsed only when asked (udf/ea_space.h) */
		ino->ea = malloc(l_ea);
		if (!ino->ea) {
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
			goto fail;
		}
		memcpy(ino->ea, buf + fixed, l_ea);
		ino->ea_len = l_ea;
	}

	const uint8_t *area = buf + fixed + l_ea;
	unsigned adtype = ino->icb_flags & ICBF_AD_MASK;
	if (adtype == ICBF_AD_IN_ICB) {
		if (ino->st.size > l_ad) {
			rc = dfs_fail(err, DISCFS_EFORMAT,
				      "file at %u: length %llu exceeds its in-ICB "
				      "data (%u bytes)", icb.lbn,
				      (unsigned long long)ino->st.size, l_ad);
			goto fail;
		}
		ino->inline_len = (uint32_t)ino->st.size;
		ino->inline_data = malloc(l_ad ? l_ad : 1);
		if (!ino->inline_data) {
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
			goto fail;
		}
		memcpy(ino->inline_data, area, l_ad);
	} else {
		struct ad_state s = { .vol = vol, .ino = ino };
		if ((rc = parse_ads(&s, adtype, area, l_ad, err)))
			goto fail;
		if (ino->st.size > s.off) {
			rc = dfs_fail(err, DISCFS_EFORMAT,
				      "file at %u: length %llu exceeds its "
				      "extents (%llu bytes)", icb.lbn,
				      (unsigned long long)ino->st.size,
				      (unsigned long long)s.off);
			goto fail;
		}
	}
	*out = ino;
	return 0;
fail:
	udf_inode_free(ino);
	return rc;
}

int udf_inode_get(struct udf_vol *vol, struct udf_icb icb,
		  struct udf_inode **out, discfs_error *err)
{
	uint8_t *buf = malloc(vol->bs);
	int rc = 0;
	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (unsigned hop = 0;; hop++) {
		uint64_t abs;
		if (hop > UDF_MAX_INDIRECT) {
			rc = dfs_fail(err, DISCFS_EFORMAT,
				      "more than %u indirect entries", UDF_MAX_INDIRECT);
			break;
		}
		if ((rc = udf_map_block(vol, icb.part, icb.lbn, &abs, err)) ||
		    (rc = udf_read_abs(vol, abs, buf, err)))
			break;
		if ((rc = udf_tag_verify(buf, vol->bs, -1, icb.lbn, err))) {
			dfs_wrap(err, rc, "file entry at %u:%u", icb.part, icb.lbn);
			break;
		}
		uint16_t id = get_le16(buf);
		if (id == TAG_FE || id == TAG_EFE) {
			rc = udf_inode_decode(vol, icb, abs, buf, out, err);
			break;
		}
		if (id != TAG_IE) {
			rc = dfs_fail(err, DISCFS_EFORMAT,
				      "block %u:%u holds descriptor %u, not a file "
				      "entry", icb.part, icb.lbn, id);
			break;
		}
		const struct ecma_ie *ie = (const void *)buf;
		icb.lbn = get_le32(ie->indirect_icb.loc.lbn);
		icb.part = get_le16(ie->indirect_icb.loc.part_ref);
	}
	free(buf);
	return rc;
}

void udf_inode_free(struct udf_inode *ino)
{
	if (!ino)
		return;
	free(ino->inline_data);
	free(ino->ext);
	free(ino->ea);
	free(ino);
}

int udf_inode_eas(const struct udf_inode *ino, struct udf_ea_found *f,
		  discfs_error *err)
{
	return udf_ea_space_parse(ino->ea, ino->ea_len, -1, f, err);
}

void udf_inode_stat(const struct udf_inode *ino, struct udf_stat *st)
{
	*st = ino->st;
}

bool udf_inode_is_dir(const struct udf_inode *ino)
{
	return ino->file_type == FT_DIR || ino->file_type == FT_STREAMDIR;
}

/* First extent whose range reaches past off (binary search). */
static uint32_t find_ext(const struct udf_inode *ino, uint64_t off)
{
	uint32_t lo = 0, hi = ino->n_ext;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct udf_ext *e = &ino->ext[mid];
		if (e->file_off + e->len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int read_any(struct udf_vol *vol, struct udf_inode *ino, uint64_t off,
		    uint8_t *buf, size_t len, size_t *got, discfs_error *err)
{
	size_t done = 0;
	uint8_t *bounce = NULL;
	int rc = 0;
	*got = 0;
	if (off >= ino->st.size)
		return 0;
	if (len > ino->st.size - off)
		len = (size_t)(ino->st.size - off);
	if (ino->inline_data) {
		memcpy(buf, ino->inline_data + off, len);
		*got = len;
		return 0;
	}
	bounce = malloc((size_t)READ_CHUNK * vol->bs);
	if (!bounce)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (uint32_t i = find_ext(ino, off); done < len && i < ino->n_ext; i++) {
		const struct udf_ext *e = &ino->ext[i];
		while (done < len && off + done < e->file_off + e->len) {
			uint64_t in = off + done - e->file_off;
			size_t n = len - done;
			if (n > e->len - in)
				n = (size_t)(e->len - in);
			if (e->type != EXT_RECORDED) {
				memset(buf + done, 0, n);
				done += n;
				continue;
			}
			uint32_t blk = (uint32_t)(in / vol->bs);
			uint32_t boff = (uint32_t)(in % vol->bs);
			uint32_t nb = (uint32_t)((boff + n + vol->bs - 1) / vol->bs);
			if (nb > READ_CHUNK)
				nb = READ_CHUNK;
			if ((size_t)nb * vol->bs - boff < n)
				n = (size_t)nb * vol->bs - boff;
			rc = udf_read_lblocks(vol, e->part, e->lbn + blk, nb, bounce,
					      err);
			if (rc)
				goto out;
			memcpy(buf + done, bounce + boff, n);
			done += n;
		}
	}
	if (done < len)
		rc = dfs_fail(err, DISCFS_EFORMAT, "file at %u ends early",
			      ino->icb.lbn);
out:
	free(bounce);
	*got = done;
	return rc;
}

int udf_read(struct udf_vol *vol, struct udf_inode *ino, uint64_t off,
	     void *buf, size_t len, size_t *got, discfs_error *err)
{
	if (udf_inode_is_dir(ino))
		return dfs_fail(err, DISCFS_EINVAL, "is a directory");
	return read_any(vol, ino, off, buf, len, got, err);
}

int udf_read_stream(struct udf_vol *vol, struct udf_inode *ino, uint64_t max,
		    uint8_t **out, size_t *len, discfs_error *err)
{
	size_t got;
	if (ino->st.size > max)
		return dfs_fail(err, DISCFS_EFORMAT,
				"stream at %u is %llu bytes (limit %llu)",
				ino->icb.lbn, (unsigned long long)ino->st.size,
				(unsigned long long)max);
	uint8_t *b = malloc(ino->st.size ? (size_t)ino->st.size : 1);
	if (!b)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	int rc = read_any(vol, ino, 0, b, (size_t)ino->st.size, &got, err);
	if (rc) {
		free(b);
		return rc;
	}
	*out = b;
	*len = got;
	return 0;
}
