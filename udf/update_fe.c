/*
 * udf/update_fe.c - file entries (FE/EFE) and FID streams as the
 * incremental writer records them.
 *
 * A committed object's entry is patched, not rebuilt: what we do not
 * model (extended attributes, streams, unknown permission bits, creation
 * time, AED chains of unchanged content) is carried over as recorded.
 * New content whose ADs do not fit the entry continues in a chain of AED
 * blocks (udf/ad_chain.h) that the commit allocates and writes first.
 * New objects get an EFE on UDF 2.00+ volumes, an FE before.  Content is
 * described by long_ads into the physical partition (VAT volumes need
 * them, and plain volumes accept them); symlink bodies live in the ICB.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "udf/ad_chain.h"
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

/* Whether n's new entry records new content ADs (else kept as recorded). */
static bool new_content(const struct upd_node *n, const uint8_t *old)
{
	return old == NULL || n->data_new || n->dir_dirty;
}

/* ------------------------------------------------ extended attributes */

static bool xattrs_set(const struct upd_node *n)
{
	return n->attr.mask & UDF_ATTR_XATTRS;
}

/* Whether n's new entry gets a new EA space: its xattrs were set, or it
 * is a new device (whose numbers the space records). */
static bool ea_rebuilt(const struct upd_node *n, const uint8_t *old)
{
	return xattrs_set(n) || (!old && n->is_dev);
}

/* The device numbers of n's entry: a new device's own, else those in
 * old's EA space (kept when its xattrs change). */
static bool device_of(const struct upd_node *n, const uint8_t *old,
		      size_t fixed, uint32_t l_ea, uint32_t dev[2])
{
	struct udf_ea_found f = { 0 };
	discfs_error e = { 0 };

	if (!old) {
		dev[0] = n->rdev[0];
		dev[1] = n->rdev[1];
		return n->is_dev;
	}
	if (!l_ea || udf_ea_space_parse(old + fixed, l_ea, -1, &f, &e) < 0 ||
	    !f.has_device)
		return false;
	dev[0] = f.major;
	dev[1] = f.minor;
	return true;
}

/* The length of n's new EA space: rebuilt when its xattrs were set, else
 * old's as recorded (none for a fresh entry). */
static size_t new_ea_len(const struct upd_node *n, const uint8_t *old,
			 size_t fixed, uint32_t old_l_ea)
{
	uint32_t dev[2];

	if (!ea_rebuilt(n, old))
		return old_l_ea;
	return udf_ea_space_len(device_of(n, old, fixed, old_l_ea, dev),
				n->attr.xattrs, n->attr.n_xattrs);
}

/*
 * Puts n's new EA space into blk (a copy of old, or a fresh entry) at the
 * view v, moving the recorded ADs (or in-ICB data) after it when they are
 * kept; the EA header's tag carries the entry's location.
 */
static int replace_ea(const struct udf_update *u, const struct upd_node *n,
		      const uint8_t *old, uint8_t *blk, const struct fe_view *v,
		      uint32_t old_l_ea, bool keep_ads, uint32_t loc,
		      discfs_error *err)
{
	uint32_t bs = u->bd->block_size, dev[2];
	bool has_dev = device_of(n, old, v->fixed, old_l_ea, dev);
	size_t new_l_ea = udf_ea_space_len(has_dev, n->attr.xattrs, n->attr.n_xattrs);
	uint32_t l_ad = keep_ads ? get_le32(v->l_ad) : 0;
	size_t len;

	if (new_l_ea > UDF_EA_SPACE_MAX || v->fixed + new_l_ea + l_ad > bs)
		return dfs_fail(err, DISCFS_ENOSPC, "'%s': its extended attributes "
				"(%zu bytes) leave no room in its file entry",
				n->name ? n->name : "/", new_l_ea);
	memmove(blk + v->fixed + new_l_ea, blk + v->fixed + old_l_ea, l_ad);
	memset(blk + v->fixed + new_l_ea + l_ad, 0, bs - v->fixed - new_l_ea - l_ad);
	put_le32(v->l_ea, (uint32_t)new_l_ea);
	return udf_ea_space_build(blk + v->fixed, new_l_ea, u->tag_version, loc,
				  has_dev ? dev : NULL, n->attr.xattrs,
				  n->attr.n_xattrs, &len, err);
}

/* Bytes left for ADs in n's new entry: after the fixed part and its new
 * EA space. */
static int ad_room(const struct udf_update *u, const struct upd_node *n,
		   const uint8_t *old, size_t *room, discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	bool efe = old ? get_le16(old) == TAG_EFE : u->efe;
	size_t fixed = efe ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe);
	uint32_t l_ea = 0;
	if (old)
		l_ea = get_le32(efe ? ((const struct ecma_efe *)old)->l_ea
				    : ((const struct ecma_fe *)old)->l_ea);
	if (l_ea > bs - fixed)
		return dfs_fail(err, DISCFS_EFORMAT, "'%s': bad extended attribute length",
				n->name ? n->name : "/");
	size_t ea = new_ea_len(n, old, fixed, l_ea);
	if (ea > bs - fixed)
		return dfs_fail(err, DISCFS_ENOSPC, "'%s': extended attributes of "
				"%zu bytes do not fit its file entry",
				n->name ? n->name : "/", ea);
	*room = bs - fixed - ea;
	return 0;
}

/* n's new content runs as extents (long_ads into the physical partition);
 * *count of them (out may be NULL to count), *blocks they cover. */
static void content_exts(const struct udf_update *u, const struct upd_node *n,
			 struct udf_ad_ext *out, size_t *count, uint64_t *blocks)
{
	uint32_t bs = u->bd->block_size;
	uint64_t total = n->dir_dirty ? n->stream_len : n->size;
	uint64_t off = 0;
	size_t k = 0;
	*blocks = 0;
	for (uint32_t i = 0; i < n->n_data && off < total; i++) {
		uint64_t bytes = (uint64_t)n->data_len[i] * bs;
		if (bytes > total - off)
			bytes = total - off;
		if (out)
			out[k] = (struct udf_ad_ext){ (uint32_t)bytes, EXT_RECORDED,
						      n->data_lbn[i],
						      (uint16_t)(n->dir_dirty ? upd_meta_map(u) : u->phys) };
		k++;
		off += bytes;
		*blocks += (bytes + bs - 1) / bs;
	}
	*count = k;
}

static struct udf_ad_chain_fmt chain_fmt(const struct udf_update *u, size_t room)
{
	return (struct udf_ad_chain_fmt){ .kind = UDF_AD_LONG, .bs = u->bd->block_size,
					  .icb_room = room, .tag_version = u->tag_version,
					  .tag_serial = u->serial };
}

size_t upd_max_extents(const struct udf_update *u)
{
	/* the roomiest entry: a file entry without extended attributes */
	uint32_t bs = u->bd->block_size;
	size_t icb = (bs - sizeof(struct ecma_fe)) / sizeof(struct ecma_long_ad);
	size_t aed = (bs - sizeof(struct ecma_aed)) / sizeof(struct ecma_long_ad);
	return (icb - 1) + (UDF_INODE_AED_KEEP - 1) * (aed - 1) + aed;
}

int upd_aed_count(struct udf_update *u, const struct upd_node *n,
		  const uint8_t *old, uint32_t *count, discfs_error *err)
{
	size_t room, k;
	uint64_t blocks;
	*count = 0;
	if (!new_content(n, old) || (n->is_link && n->data_new))
		return 0;
	int rc = ad_room(u, n, old, &room, err);
	if (rc)
		return rc;
	content_exts(u, n, NULL, &k, &blocks);
	struct udf_ad_chain_fmt f = chain_fmt(u, room);
	uint32_t need = udf_ad_chain_aeds(&f, k);
	/* fsck and the freeing of old versions see the first AED_KEEP AEDs */
	if (need > UDF_INODE_AED_KEEP)
		return dfs_fail(err, DISCFS_ENOSPC,
				"'%s': %zu extents need more than %u allocation extent blocks "
				"(free space too fragmented)", n->name ? n->name : "/", k,
				UDF_INODE_AED_KEEP);
	*count = need;
	return 0;
}

/* Lays out n's content ADs: in the entry's area ad (room bytes) and in the
 * AED blocks at n->aed_lbn (built into aed_blocks, or dropped if NULL). */
static int chain_ads(struct udf_update *u, const struct upd_node *n, uint8_t *ad,
		     size_t room, uint8_t *aed_blocks, uint32_t *l_ad,
		     uint64_t *blocks, discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	size_t k;
	content_exts(u, n, NULL, &k, blocks);
	struct udf_ad_ext *ext = malloc((k ? k : 1) * sizeof(*ext));
	struct udf_aed_addr *addr = malloc((n->n_aed ? n->n_aed : 1) * sizeof(*addr));
	uint8_t *scratch = aed_blocks ? NULL : malloc((size_t)(n->n_aed ? n->n_aed : 1) * bs);
	int rc = 0;
	if (!ext || !addr || (!aed_blocks && !scratch))
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (!rc) {
		content_exts(u, n, ext, &k, blocks);
		for (uint32_t i = 0; i < n->n_aed; i++)
			addr[i] = (struct udf_aed_addr){ n->aed_lbn[i], (uint16_t)upd_meta_map(u),
							 n->aed_lbn[i] };
		struct udf_ad_chain_fmt f = chain_fmt(u, room);
		rc = udf_ad_chain_build(&f, ext, k, addr, n->n_aed, ad, l_ad,
					aed_blocks ? aed_blocks : scratch, err);
		if (rc)
			rc = dfs_wrap(err, rc, "'%s'", n->name ? n->name : "/");
	}
	free(ext);
	free(addr);
	free(scratch);
	return rc;
}

int upd_build_aeds(struct udf_update *u, const struct upd_node *n,
		   const uint8_t *old, uint8_t *blocks, discfs_error *err)
{
	size_t room;
	uint32_t l_ad;
	uint64_t nb;
	int rc = ad_room(u, n, old, &room, err);
	uint8_t *ad = rc ? NULL : malloc(room ? room : 1);
	if (!rc && !ad)
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (!rc)
		rc = chain_ads(u, n, ad, room, blocks, &l_ad, &nb, err);
	free(ad);
	return rc;
}

/* Writes the allocation descriptors of n's new content at ad (room bytes,
 * continuing in n's AEDs): *l_ad, the content length and blocks. */
static int put_ads(struct udf_update *u, const struct upd_node *n,
		   uint8_t *ad, size_t room, uint16_t *flags, uint32_t *l_ad,
		   uint64_t *len, uint64_t *blocks, discfs_error *err)
{
	*flags = (uint16_t)(*flags & ~ICBF_AD_MASK);
	if (n->is_link && n->data_new) {
		if (n->body_len > room)
			return dfs_fail(err, DISCFS_ENOTSUP,
					"'%s': symlink body too long for its entry",
					n->name ? n->name : "/");
		memcpy(ad, n->body, n->body_len);
		*flags |= ICBF_AD_IN_ICB;
		*len = n->body_len;
		*blocks = 0;
		*l_ad = (uint32_t)n->body_len;
		return 0;
	}
	*flags |= ICBF_AD_LONG;
	*len = n->dir_dirty ? n->stream_len : n->size;
	return chain_ads(u, n, ad, room, NULL, l_ad, blocks, err);
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
	switch (n->ftype) {
	case FT_DIR: case FT_FIFO: case FT_SOCKET: case FT_BLOCKDEV: case FT_CHARDEV:
		return n->ftype;
	default:
		return n->is_link ? FT_SYMLINK : FT_FILE;
	}
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
	if (ea_rebuilt(n, old)) {
		bool keep_ads = !(fresh || n->data_new || n->dir_dirty);
		int rc = replace_ea(u, n, old, blk, &v, l_ea, keep_ads, loc, err);
		if (rc)
			return rc;
		l_ea = get_le32(v.l_ea);
	}
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
		uint32_t l_ad = 0;
		memset(ad, 0, room);
		int rc = put_ads(u, n, ad, room, &flags, &l_ad, &len, &blocks, err);
		if (rc)
			return rc;
		put_le16(f->icbtag.flags, flags);
		put_le32(v.l_ad, l_ad);
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
