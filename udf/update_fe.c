/*
 * udf/update_fe.c - file entries (FE/EFE) and FID streams as the
 * incremental writer records them.
 *
 * A committed object's entry is patched, not rebuilt: what we do not
 * model (extended attributes, streams, unknown permission bits, creation
 * time, AED chains of unchanged content) is carried over as recorded.
 * New objects get an EFE on UDF 2.00+ volumes, an FE before.  Content is
 * described by long_ads into the physical partition (VAT volumes need
 * them, and plain volumes accept them); symlink bodies live in the ICB.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "udf/ident.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "udf/timestamp.h"
#include "udf/update_int.h"
#include "util/bytes.h"
#include "util/err.h"

/* Pointers to the fields that sit at different offsets in FE and EFE. */
struct fe_view {
	bool efe;
	size_t fixed;
	uint8_t *blocks_recorded, *object_size, *unique_id, *l_ea, *l_ad;
	struct ecma_timestamp *atime, *mtime, *attr_time, *ctime;
	struct ecma_regid *imp;
	uint8_t *checkpoint;
};

static void view(uint8_t *blk, bool efe, struct fe_view *v)
{
	struct ecma_fe *f = (struct ecma_fe *)blk;
	struct ecma_efe *e = (struct ecma_efe *)blk;
	memset(v, 0, sizeof(*v));
	v->efe = efe;
	if (efe) {
		v->fixed = sizeof(*e);
		v->blocks_recorded = e->blocks_recorded;
		v->object_size = e->object_size;
		v->unique_id = e->unique_id;
		v->l_ea = e->l_ea;
		v->l_ad = e->l_ad;
		v->atime = &e->atime;
		v->mtime = &e->mtime;
		v->attr_time = &e->attr_time;
		v->ctime = &e->ctime;
		v->imp = &e->imp_ident;
		v->checkpoint = e->checkpoint;
	} else {
		v->fixed = sizeof(*f);
		v->blocks_recorded = f->blocks_recorded;
		v->unique_id = f->unique_id;
		v->l_ea = f->l_ea;
		v->l_ad = f->l_ad;
		v->atime = &f->atime;
		v->mtime = &f->mtime;
		v->attr_time = &f->attr_time;
		v->imp = &f->imp_ident;
		v->checkpoint = f->checkpoint;
	}
}

uint32_t upd_perms(uint32_t mode, uint16_t *icb_flags)
{
	uint32_t p = 0;
	for (unsigned cls = 0; cls < 3; cls++) {
		uint32_t rwx = (mode >> (3 * cls)) & 7u;
		/* "delete tracks write", chattr too (as Linux and mkudffs) */
		if (rwx & 2u)
			rwx |= ECMA_PERM_CHATTR | ECMA_PERM_DELETE;
		p |= rwx << (5 * cls);
	}
	*icb_flags = (uint16_t)((*icb_flags & ~(ICBF_SETUID | ICBF_SETGID | ICBF_STICKY)) |
				((mode & S_ISUID) ? ICBF_SETUID : 0) |
				((mode & S_ISGID) ? ICBF_SETGID : 0) |
				((mode & S_ISVTX) ? ICBF_STICKY : 0));
	return p;
}

static uint32_t default_mode(const struct upd_node *n)
{
	return n->ftype == FT_DIR ? 0755u : n->is_link ? 0777u : 0644u;
}

/* Link count of a directory: its name plus its subdirectories' '..'. */
static uint16_t dir_links(const struct upd_node *d)
{
	unsigned k = 1;
	for (size_t i = 0; i < d->nkids; i++)
		k += d->kids[i] && d->kids[i]->ftype == FT_DIR;
	return k > 0xFFFF ? 0xFFFF : (uint16_t)k;
}

/* Writes the allocation descriptors of n's new content at ad; returns
 * their length, or -1 when they do not fit in room bytes. */
static long put_ads(const struct udf_update *u, const struct upd_node *n,
		    uint8_t *ad, size_t room, uint16_t *flags, uint64_t *len,
		    uint64_t *blocks)
{
	*flags = (uint16_t)(*flags & ~ICBF_AD_MASK);
	if (n->is_link && n->data_new) {
		if (n->body_len > room)
			return -1;
		memcpy(ad, n->body, n->body_len);
		*flags |= ICBF_AD_IN_ICB;
		*len = n->body_len;
		*blocks = 0;
		return (long)n->body_len;
	}
	*flags |= ICBF_AD_LONG;
	uint32_t bs = u->bd->block_size;
	uint64_t total = n->dir_dirty ? n->stream_len : n->size;
	size_t used = 0;
	uint64_t off = 0;
	*len = total;
	*blocks = 0;
	for (uint32_t i = 0; i < n->n_data && off < total; i++) {
		uint64_t bytes = (uint64_t)n->data_len[i] * bs;
		if (bytes > total - off)
			bytes = total - off;
		if (used + sizeof(struct ecma_long_ad) > room)
			return -1;
		struct ecma_long_ad *a = (struct ecma_long_ad *)(ad + used);
		memset(a, 0, sizeof(*a));
		put_le32(a->length, (uint32_t)bytes);
		put_le32(a->loc.lbn, n->data_lbn[i]);
		put_le16(a->loc.part_ref, (uint16_t)u->phys);
		used += sizeof(*a);
		off += bytes;
		*blocks += (bytes + bs - 1) / bs;
	}
	return (long)used;
}

static void apply_attrs(const struct udf_update *u, const struct upd_node *n,
			uint8_t *blk, const struct fe_view *v, bool fresh)
{
	struct ecma_fe *f = (struct ecma_fe *)blk;
	const struct udf_update_attr *a = &n->attr;
	uint16_t flags = get_le16(f->icbtag.flags);
	if (fresh || (a->mask & UDF_ATTR_MODE)) {
		uint32_t mode = (a->mask & UDF_ATTR_MODE) ? a->mode : default_mode(n);
		uint32_t old = fresh ? 0 : get_le32(f->permissions);
		uint32_t p = upd_perms(mode, &flags);
		/* keep bits we do not model, as Linux does */
		put_le32(f->permissions, p | (old & ~0x7FFFu));
	}
	if (fresh || (a->mask & UDF_ATTR_OWNER)) {
		bool own = a->mask & UDF_ATTR_OWNER;
		put_le32(f->uid, own ? a->uid : 0xFFFFFFFFu);
		put_le32(f->gid, own ? a->gid : 0xFFFFFFFFu);
	}
	put_le16(f->icbtag.flags, flags);
	struct ecma_timestamp now;
	upd_now(u, &now);
	*v->attr_time = now;
	if (a->mask & UDF_ATTR_MTIME)
		udf_ts_from_unix(v->mtime, a->mtime, a->mtime_nsec, u->opts.tz_minutes);
	else if (fresh || n->data_new || n->dir_dirty)
		*v->mtime = now;
	if (fresh) {
		*v->atime = *v->mtime;
		if (v->ctime)
			*v->ctime = *v->mtime;
	}
}

static uint8_t fresh_type(const struct upd_node *n)
{
	return n->ftype == FT_DIR ? FT_DIR : n->is_link ? FT_SYMLINK : FT_FILE;
}

int upd_build_fe(struct udf_update *u, const struct upd_node *n,
		 const uint8_t *old, uint32_t loc, uint8_t *blk,
		 discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	struct ecma_fe *f = (struct ecma_fe *)blk;
	struct fe_view v;
	bool fresh = old == NULL;
	uint16_t ident, version;
	if (fresh) {
		memset(blk, 0, bs);
		ident = u->efe ? TAG_EFE : TAG_FE;
		version = u->tag_version;
		view(blk, u->efe, &v);
		put_le16(f->icbtag.strategy_type, 4);
		put_le16(f->icbtag.max_entries, 1);
		f->icbtag.file_type = fresh_type(n);
		put_le32(v.checkpoint, 1);
		udf_regid_impl(v.imp);
		put_le64(v.unique_id, n->unique_id);
		put_le16(f->link_count, 1);
	} else {
		memcpy(blk, old, bs);
		ident = get_le16(blk);
		version = get_le16(blk + 2);
		if (ident != TAG_FE && ident != TAG_EFE)
			return dfs_fail(err, DISCFS_EFORMAT, "'%s': not a file entry",
					n->name ? n->name : "/");
		view(blk, ident == TAG_EFE, &v);
		/* a strategy-4096 entry is rewritten as a plain one */
		put_le16(f->icbtag.strategy_type, 4);
		put_le16(f->icbtag.strategy_param, 0);
		put_le16(f->icbtag.max_entries, 1);
		put_le32(f->icbtag.prior_entries, 0);
	}
	uint32_t l_ea = get_le32(v.l_ea);
	if (l_ea > bs - v.fixed)
		return dfs_fail(err, DISCFS_EFORMAT, "'%s': bad extended attribute length",
				n->name ? n->name : "/");
	if (n->ftype == FT_DIR && (n->dir_dirty || fresh))
		put_le16(f->link_count, dir_links(n));
	else if (n->ftype != FT_DIR && n->nlink)
		put_le16(f->link_count, n->nlink);
	apply_attrs(u, n, blk, &v, fresh);
	if (fresh || n->data_new || n->dir_dirty) {
		uint8_t *ad = blk + v.fixed + l_ea;
		size_t room = bs - v.fixed - l_ea;
		uint16_t flags = get_le16(f->icbtag.flags);
		uint64_t len = 0, blocks = 0;
		memset(ad, 0, room);
		long l_ad = put_ads(u, n, ad, room, &flags, &len, &blocks);
		if (l_ad < 0)
			return dfs_fail(err, DISCFS_ENOTSUP,
					"'%s': too many extents for one file entry",
					n->name ? n->name : "/");
		put_le16(f->icbtag.flags, flags);
		put_le32(v.l_ad, (uint32_t)l_ad);
		put_le64(f->info_length, len);
		if (v.object_size)
			put_le64(v.object_size, len);
		put_le64(v.blocks_recorded, blocks);
	}
	size_t total = v.fixed + l_ea + get_le32(v.l_ad);
	if (total > bs)
		return dfs_fail(err, DISCFS_EFORMAT, "'%s': file entry overflows its block",
				n->name ? n->name : "/");
	udf_tag_make(blk, total, ident, version, u->serial, loc);
	return 0;
}

/* ------------------------------------------------------------ streams */

/* Size of one FID at offset off: the next FID's tag never straddles. */
static unsigned fid_size(unsigned l_fi, uint64_t off, uint32_t bs,
			 unsigned *l_iu)
{
	unsigned size = ecma_fid_size(0, l_fi);
	unsigned rest = (unsigned)((bs - (off + size) % bs) % bs);
	*l_iu = 0;
	if (rest && rest < sizeof(struct ecma_tag)) {
		*l_iu = 32; /* an implementation regid, as UDF wants */
		size = ecma_fid_size(32, l_fi);
	}
	return size;
}

uint64_t upd_stream_size(const struct upd_node *dir, uint32_t bs)
{
	unsigned iu;
	uint64_t off = fid_size(0, 0, bs, &iu);
	for (size_t i = 0; i < dir->nkids; i++)
		if (dir->kids[i])
			off += fid_size(dir->kids[i]->cs0_len, off, bs, &iu);
	return off;
}

static void put_fid(struct udf_update *u, uint8_t *p, unsigned size,
		    unsigned l_iu, uint8_t chars, const struct upd_node *target,
		    uint32_t uid, const uint8_t *name, uint8_t l_fi, uint32_t loc)
{
	struct ecma_fid *f = (struct ecma_fid *)p;
	memset(p, 0, size);
	put_le16(f->version, 1);
	f->characteristics = chars;
	f->l_fi = l_fi;
	put_le32(f->icb.length, u->bd->block_size);
	put_le32(f->icb.loc.lbn, target->icb.lbn);
	put_le16(f->icb.loc.part_ref, target->icb.part);
	put_le32(f->icb.imp_use + 2, uid);
	put_le16(f->l_iu, (uint16_t)l_iu);
	if (l_iu)
		udf_regid_impl((struct ecma_regid *)(p + sizeof(*f)));
	if (l_fi)
		memcpy(p + sizeof(*f) + l_iu, name, l_fi);
	udf_tag_make(p, size, TAG_FID, u->tag_version, u->serial, loc);
}

/* Where block b of a stream is recorded. */
static uint32_t block_at(const uint32_t *lbn, size_t n, uint64_t b)
{
	return n == 1 ? lbn[0] + (uint32_t)b : b < n ? lbn[b] : 0;
}

int upd_build_stream(struct udf_update *u, struct upd_node *dir,
		     const uint32_t *block_lbn, size_t n_lbn, uint8_t **out,
		     uint64_t *len, discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	uint64_t size = upd_stream_size(dir, bs);
	uint64_t alloc = (size + bs - 1) / bs * bs;
	if (size > UDF_MAX_DIR_BYTES)
		return dfs_fail(err, DISCFS_ENOSPC, "directory '%s' too large",
				dir->name ? dir->name : "/");
	uint8_t *s = calloc(1, alloc ? alloc : bs);
	if (!s)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	unsigned iu, fs;
	uint64_t off = 0;
	const struct upd_node *parent = dir->parent ? dir->parent : dir;
	fs = fid_size(0, off, bs, &iu);
	put_fid(u, s, fs, iu, FID_DIRECTORY | FID_PARENT, parent, 0, NULL, 0,
		block_at(block_lbn, n_lbn, 0));
	off += fs;
	for (size_t i = 0; i < dir->nkids; i++) {
		const struct upd_node *k = dir->kids[i];
		if (!k)
			continue;
		fs = fid_size(k->cs0_len, off, bs, &iu);
		uint8_t chars = k->fid_chars | (k->ftype == FT_DIR ? FID_DIRECTORY : 0);
		/* an added hard link names its owner's entry */
		const struct upd_node *t = k->link_to ? k->link_to : k;
		uint32_t uid = t->on_disc ? t->fid_uid : (uint32_t)t->unique_id;
		put_fid(u, s + off, fs, iu, chars, t, uid, k->cs0, k->cs0_len,
			block_at(block_lbn, n_lbn, off / bs));
		off += fs;
	}
	*out = s;
	*len = size;
	return 0;
}
