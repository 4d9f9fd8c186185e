/*
 * udf/mk_meta.c - part-4 descriptors of a mastered image: FSD, file
 * entries (FE for UDF 1.02/1.50, EFE from 2.00), directory FID streams,
 * metadata file FEs, the space bitmap and symlink bodies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "udf/ad_chain.h"
#include "udf/cs0.h"
#include "udf/ident.h"
#include "udf/mk.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "udf/timestamp.h"
#include "util/bytes.h"
#include "util/err.h"

static void put_long_ad(struct ecma_long_ad *ad, uint32_t len, uint32_t lbn,
			uint16_t pref, uint32_t unique)
{
	memset(ad, 0, sizeof(*ad));
	put_le32(ad->length, len);
	put_le32(ad->loc.lbn, lbn);
	put_le16(ad->loc.part_ref, pref);
	put_le32(ad->imp_use + 2, unique);
}

void mk_build_fsd(const struct udf_mk *mk, uint8_t *blk)
{
	struct ecma_fsd *f = (struct ecma_fsd *)blk;
	uint32_t lbn;
	uint16_t pref;

	memset(blk, 0, MK_BS);
	udf_ts_from_unix(&f->rec_time, mk->now, 0, mk->tz);
	put_le16(f->interchange_level, 3);
	put_le16(f->max_interchange_level, 3);
	put_le32(f->charset_list, 1);
	put_le32(f->max_charset_list, 1);
	udf_charspec_cs0(&f->lvi_charset);
	udf_dstring_put(f->lv_ident, sizeof(f->lv_ident), mk->label, NULL);
	udf_charspec_cs0(&f->fs_charset);
	udf_dstring_put(f->fs_ident, sizeof(f->fs_ident), mk->label, NULL);
	mk_icb_ref(mk, mk->root->ino->icb_m, &lbn, &pref);
	put_long_ad(&f->root_icb, MK_BS, lbn, pref, 0);
	udf_regid_domain(&f->domain_ident, mk->rev, 0);
	mk_icb_ref(mk, 0, &lbn, &pref);
	udf_tag_make(blk, sizeof(*f), TAG_FSD, mk_tag_version(mk), 1, lbn);
}

void mk_build_fsd_td(const struct udf_mk *mk, uint8_t *blk)
{
	uint32_t lbn;
	uint16_t pref;

	memset(blk, 0, MK_BS);
	mk_icb_ref(mk, 1, &lbn, &pref);
	udf_tag_make(blk, sizeof(struct ecma_td), TAG_TD, mk_tag_version(mk), 1, lbn);
}

/* POSIX mode -> UDF permissions; delete and chattr follow write (Unix). */
static uint32_t udf_perms(mode_t mode)
{
	uint32_t p = 0;
	const unsigned shift[3] = { ECMA_PERM_OTHER_SHIFT, ECMA_PERM_GROUP_SHIFT,
				    ECMA_PERM_OWNER_SHIFT };
	for (int c = 0; c < 3; c++) {
		uint32_t rwx = (mode >> (3 * c)) & 7;
		if (rwx & 2)
			rwx |= ECMA_PERM_CHATTR | ECMA_PERM_DELETE;
		p |= rwx << shift[c];
	}
	return p;
}

static uint8_t file_type(mode_t m)
{
	return S_ISDIR(m) ? FT_DIR : S_ISLNK(m) ? FT_SYMLINK : S_ISFIFO(m) ? FT_FIFO
	       : S_ISSOCK(m) ? FT_SOCKET : S_ISBLK(m) ? FT_BLOCKDEV
	       : S_ISCHR(m) ? FT_CHARDEV : FT_FILE;
}

static bool is_device(const struct mk_inode *ino)
{
	return S_ISBLK(ino->mode) || S_ISCHR(ino->mode);
}

/* EA space: a device's numbers and the extended attributes (ea_space.h). */
size_t mk_ea_len(const struct mk_inode *ino)
{
	return udf_ea_space_len(is_device(ino), ino->xa, ino->n_xa);
}

static int build_ea(const struct udf_mk *mk, const struct mk_inode *ino,
		    uint8_t *ea, uint32_t icb_lbn, discfs_error *err)
{
	const uint32_t dev[2] = { ino->rdev_major, ino->rdev_minor };
	size_t len;

	return udf_ea_space_build(ea, mk_ea_len(ino), mk_tag_version(mk), icb_lbn,
				  is_device(ino) ? dev : NULL, ino->xa,
				  ino->n_xa, &len, err);
}

int mk_open_source(const char *path)
{
	/* reading must not change the source's atime: the next image of the
	 * same tree would differ (O_NOATIME needs ownership; else plain) */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd;
}

/* Reads exactly len bytes of path into buf (file content stored in ICB). */
static int read_small(const char *path, uint8_t *buf, size_t len,
		      discfs_error *err)
{
	int fd = mk_open_source(path);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", path);
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return r < 0 ? dfs_fail_errno(err, DISCFS_EIO, errno, "%s", path)
				     : dfs_fail(err, DISCFS_EIO,
						"%s: file shrank while mastering", path);
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
}

/* Writes the ADs of a directory's FID stream; returns L_AD. */
static size_t build_dir_ads(const struct udf_mk *mk, const struct mk_inode *ino,
			    uint8_t *ads)
{
	uint64_t left = ino->size;
	uint32_t lbn;
	uint16_t pref;
	size_t n = 0;

	mk_stream_ref(mk, ino->data_pos, &lbn, &pref);
	while (left) {
		uint32_t len = left > MK_MAX_EXTENT ? MK_MAX_EXTENT : (uint32_t)left;
		put_long_ad((struct ecma_long_ad *)(ads + n * 16), len, lbn, pref, 0);
		lbn += MK_MAX_EXTENT / MK_BS;
		left -= len;
		n++;
	}
	return n * sizeof(struct ecma_long_ad);
}

/*
 * The content ADs of a file (contiguous data cut into extents of
 * mk_max_extent bytes): in the ICB's area ads (room bytes) and, past it,
 * in the AED blocks planned after the ICB (into aed, or dropped if NULL).
 */
static int build_file_ads(const struct udf_mk *mk, const struct mk_inode *ino,
			  uint8_t *ads, size_t room, uint8_t *aed,
			  uint32_t *l_ad, discfs_error *err)
{
	uint64_t left = S_ISLNK(ino->mode) ? ino->body_len : ino->size;
	uint32_t max = mk_max_extent(mk);
	size_t n = (size_t)((left + max - 1) / max);
	struct udf_ad_ext *ext = malloc((n ? n : 1) * sizeof(*ext));
	struct udf_aed_addr *addr = malloc((ino->n_aed ? ino->n_aed : 1) * sizeof(*addr));
	uint8_t *scratch = aed ? NULL : malloc((size_t)(ino->n_aed ? ino->n_aed : 1) * MK_BS);
	int rc = 0;

	if (!ext || !addr || (!aed && !scratch))
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	uint32_t lbn = (uint32_t)(mk->data_base + ino->data_pos);
	for (size_t i = 0; !rc && i < n; i++) {
		uint32_t len = left > max ? max : (uint32_t)left;
		ext[i] = (struct udf_ad_ext){ len, EXT_RECORDED, lbn, 0 };
		lbn += max / MK_BS;
		left -= len;
	}
	for (uint32_t i = 0; !rc && i < ino->n_aed; i++) {
		uint32_t a;
		uint16_t pref;
		mk_stream_ref(mk, ino->aed_m + i, &a, &pref);
		addr[i] = (struct udf_aed_addr){ a, pref, a };
	}
	struct udf_ad_chain_fmt f = { .kind = UDF_AD_LONG, .bs = MK_BS, .icb_room = room,
				      .tag_version = mk_tag_version(mk), .tag_serial = 1 };
	if (!rc)
		rc = udf_ad_chain_build(&f, ext, n, addr, ino->n_aed, ads, l_ad,
					aed ? aed : scratch, err);
	free(ext);
	free(addr);
	free(scratch);
	return rc;
}

int mk_build_aeds(const struct udf_mk *mk, const struct mk_inode *ino,
		  uint8_t *blocks, discfs_error *err)
{
	size_t ea = mk_ea_len(ino), room = mk_icb_room(mk);
	room = ea < room ? room - ea : 0;
	uint8_t *ads = malloc(room ? room : 1);
	uint32_t l_ad;
	if (!ads)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	int rc = build_file_ads(mk, ino, ads, room, blocks, &l_ad, err);
	free(ads);
	return rc;
}

int mk_build_icb(const struct udf_mk *mk, const struct mk_inode *ino,
		 uint8_t *blk, discfs_error *err)
{
	bool efe = mk_uses_efe(mk);
	size_t fixed = efe ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe);
	/* the fields up to info_length are shared by FE and EFE */
	struct ecma_fe *fe = (struct ecma_fe *)blk;
	struct ecma_efe *e = (struct ecma_efe *)blk;
	uint64_t info = S_ISLNK(ino->mode) ? ino->body_len : ino->size;
	uint16_t flags = ino->in_icb ? ICBF_AD_IN_ICB : ICBF_AD_LONG;
	size_t l_ad;
	int rc;

	memset(blk, 0, MK_BS);
	if (ino->mode & S_ISUID)
		flags |= ICBF_SETUID;
	if (ino->mode & S_ISGID)
		flags |= ICBF_SETGID;
	if (ino->mode & S_ISVTX)
		flags |= ICBF_STICKY;
	put_le16(fe->icbtag.strategy_type, 4);
	put_le16(fe->icbtag.max_entries, 1);
	fe->icbtag.file_type = file_type(ino->mode);
	put_le16(fe->icbtag.flags, flags);
	put_le32(fe->uid, ino->uid);
	put_le32(fe->gid, ino->gid);
	put_le32(fe->permissions, udf_perms(ino->mode));
	put_le16(fe->link_count, (uint16_t)(S_ISDIR(ino->mode) ? 1 + ino->subdirs
							      : ino->names));
	put_le64(fe->info_length, info);

	uint32_t lbn;
	uint16_t pref;
	mk_icb_ref(mk, ino->icb_m, &lbn, &pref);
	size_t l_ea = mk_ea_len(ino);
	if (l_ea && (rc = build_ea(mk, ino, blk + fixed, lbn, err)))
		return rc;
	uint8_t *tail = blk + fixed + l_ea;
	if (ino->in_icb) {
		l_ad = (size_t)info;
		if (S_ISLNK(ino->mode))
			memcpy(tail, ino->body, l_ad);
		else if (S_ISREG(ino->mode) && l_ad &&
			 (rc = read_small(ino->path, tail, l_ad, err)))
			return rc;
	} else if (S_ISDIR(ino->mode)) {
		l_ad = build_dir_ads(mk, ino, tail);
	} else {
		uint32_t l;
		if ((rc = build_file_ads(mk, ino, tail, MK_BS - fixed - l_ea, NULL, &l, err)))
			return rc;
		l_ad = l;
	}
	if (efe) {
		put_le64(e->object_size, info);
		put_le64(e->blocks_recorded, ino->blocks);
		udf_ts_from_unix(&e->atime, ino->atime.tv_sec, (uint32_t)ino->atime.tv_nsec, mk->tz);
		udf_ts_from_unix(&e->mtime, ino->mtime.tv_sec, (uint32_t)ino->mtime.tv_nsec, mk->tz);
		struct timespec c = ino->btime;
		if (c.tv_sec > ino->mtime.tv_sec)
			c = ino->mtime; /* creation never after modification */
		udf_ts_from_unix(&e->ctime, c.tv_sec, (uint32_t)c.tv_nsec, mk->tz);
		udf_ts_from_unix(&e->attr_time, ino->ctime.tv_sec, (uint32_t)ino->ctime.tv_nsec, mk->tz);
		put_le32(e->checkpoint, 1);
		udf_regid_impl(&e->imp_ident);
		put_le64(e->unique_id, ino->unique_id);
		put_le32(e->l_ea, (uint32_t)l_ea);
		put_le32(e->l_ad, (uint32_t)l_ad);
	} else {
		put_le64(fe->blocks_recorded, ino->blocks);
		udf_ts_from_unix(&fe->atime, ino->atime.tv_sec, (uint32_t)ino->atime.tv_nsec, mk->tz);
		udf_ts_from_unix(&fe->mtime, ino->mtime.tv_sec, (uint32_t)ino->mtime.tv_nsec, mk->tz);
		udf_ts_from_unix(&fe->attr_time, ino->ctime.tv_sec, (uint32_t)ino->ctime.tv_nsec, mk->tz);
		put_le32(fe->checkpoint, 1);
		udf_regid_impl(&fe->imp_ident);
		put_le64(fe->unique_id, ino->unique_id);
		put_le32(fe->l_ea, (uint32_t)l_ea);
		put_le32(fe->l_ad, (uint32_t)l_ad);
	}
	udf_tag_make(blk, fixed + l_ea + l_ad, efe ? TAG_EFE : TAG_FE, mk_tag_version(mk), 1, lbn);
	return 0;
}

/* One FID at buf (size bytes, zeroed) naming target (NULL name = parent). */
static void build_fid(const struct udf_mk *mk, uint8_t *buf, unsigned size,
		      const struct mk_node *name, const struct mk_inode *target,
		      uint32_t unique, uint8_t chars, uint32_t tag_loc)
{
	struct ecma_fid *f = (struct ecma_fid *)buf;
	unsigned l_fi = name ? name->cs0_len : 0;
	unsigned l_iu = size - ecma_fid_size(0, l_fi) ? 32 : 0;
	uint32_t lbn;
	uint16_t pref;

	put_le16(f->version, 1);
	f->characteristics = chars;
	f->l_fi = (uint8_t)l_fi;
	mk_icb_ref(mk, target->icb_m, &lbn, &pref);
	put_long_ad(&f->icb, MK_BS, lbn, pref, unique);
	put_le16(f->l_iu, (uint16_t)l_iu);
	if (l_iu)
		udf_regid_impl((struct ecma_regid *)(buf + sizeof(*f)));
	if (l_fi)
		memcpy(buf + sizeof(*f) + l_iu, name->cs0, l_fi);
	udf_tag_make(buf, size, TAG_FID, mk_tag_version(mk), 1, tag_loc);
}

int mk_build_dir_stream(const struct udf_mk *mk, const struct mk_node *dir,
			uint8_t **out, size_t *out_len, discfs_error *err)
{
	const struct mk_inode *di = dir->ino;
	size_t len = (size_t)di->blocks * MK_BS;
	uint8_t *buf = calloc(1, len ? len : 1);
	uint32_t base;
	uint16_t pref;

	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	mk_stream_ref(mk, di->data_pos, &base, &pref);
	unsigned off = 0, size = mk_fid_size(NULL, 0);
	const struct mk_node *parent = dir->parent ? dir->parent : dir;
	build_fid(mk, buf, size, NULL, parent->ino,
		  (uint32_t)parent->ino->unique_id, FID_DIRECTORY | FID_PARENT, base);
	off += size;
	for (size_t i = 0; i < dir->nkids; i++) {
		const struct mk_node *k = dir->kids[i];
		size = mk_fid_size(k, off);
		build_fid(mk, buf + off, size, k, k->ino, k->fid_unique_id,
			  S_ISDIR(k->ino->mode) ? FID_DIRECTORY : 0,
			  base + off / MK_BS);
		off += size;
	}
	if (off != di->size) {
		free(buf);
		return dfs_fail(err, DISCFS_EFORMAT, "internal: directory size changed");
	}
	*out = buf;
	*out_len = len;
	return 0;
}

/* A system file's EFE (metadata file, mirror, bitmap file) at physical
 * block loc: blocks of content starting at lbn, in short_ads of at most
 * MK_MAX_EXTENT bytes. */
static void system_efe(const struct udf_mk *mk, uint8_t file_type, uint64_t blocks,
		       uint32_t lbn, uint64_t loc, uint8_t *blk)
{
	struct ecma_efe *e = (struct ecma_efe *)blk;
	uint64_t left = blocks * MK_BS;
	size_t n = 0;

	memset(blk, 0, MK_BS);
	put_le16(e->icbtag.strategy_type, 4);
	put_le16(e->icbtag.max_entries, 1);
	e->icbtag.file_type = file_type;
	put_le16(e->icbtag.flags, ICBF_AD_SHORT | ICBF_SYSTEM);
	put_le32(e->uid, 0xFFFFFFFFu);
	put_le32(e->gid, 0xFFFFFFFFu);
	put_le16(e->link_count, 1);
	put_le64(e->info_length, left);
	put_le64(e->object_size, left);
	put_le64(e->blocks_recorded, blocks);
	udf_ts_from_unix(&e->atime, mk->now, 0, mk->tz);
	e->mtime = e->ctime = e->attr_time = e->atime;
	put_le32(e->checkpoint, 1);
	udf_regid_impl(&e->imp_ident);
	uint8_t *ads = blk + sizeof(*e);
	while (left) {
		uint32_t len = left > MK_MAX_EXTENT ? MK_MAX_EXTENT : (uint32_t)left;
		put_le32(ads + n * 8, len);
		put_le32(ads + n * 8 + 4, lbn);
		lbn += len / MK_BS;
		left -= len;
		n++;
	}
	put_le32(e->l_ad, (uint32_t)(n * 8));
	udf_tag_make(blk, sizeof(*e) + n * 8, TAG_EFE, mk_tag_version(mk), 1, (uint32_t)loc);
}

void mk_build_metafile(const struct udf_mk *mk, bool mirror, uint8_t *blk)
{
	system_efe(mk, mirror ? FT_METADATA_MIRROR : FT_METADATA, mk->meta_blocks,
		   (uint32_t)(mirror ? mk->mirror_base : mk->meta_base),
		   mirror ? mk->mirror_fe : mk->metafile_fe, blk);
}

static bool in_range(uint64_t b, uint64_t start, uint64_t len)
{
	return b >= start && b - start < len;
}

/* Whether partition block b holds something the plan placed (alignment
 * gaps and what a sized volume leaves after the content are free). */
static bool phys_used(const struct udf_mk *mk, uint64_t b)
{
	bool md = mk->virt == MK_VIRT_METADATA, vat = mk->virt == MK_VIRT_VAT;
	if (b >= mk->used_len)
		return false;
	return in_range(b, mk->meta_base, mk->meta_blocks) ||
	       in_range(b, mk->sbd_pos, mk->sbd_blocks) ||
	       in_range(b, mk->iso_base, mk->iso_blocks) ||
	       in_range(b, mk->data_base, mk->data_blocks) ||
	       (md && (b == mk->metafile_fe || b == mk->mirror_fe ||
		       in_range(b, mk->mirror_base, mk->meta_blocks))) ||
	       (md && mk->meta_bitmap && in_range(b, mk->metabm_fe, 1 + mk->metabm_blocks)) ||
	       (vat && in_range(b, mk->vat_pos, mk->vat_blocks + 1));
}

/* Block i of a space bitmap descriptor of bits bits, recorded at pos:
 * bit k free when free(mk, k) (the physical partition) or k >= free_from
 * (the metadata partition, free NULL). */
static void sbd_block(const struct udf_mk *mk, uint64_t i, uint64_t bits,
		      uint64_t free_from, uint64_t pos, uint8_t *blk)
{
	const uint64_t hdr = sizeof(struct ecma_sbd);
	memset(blk, 0, MK_BS);
	for (uint64_t j = 0; j < MK_BS; j++) {
		uint64_t at = i * MK_BS + j;
		if (at < hdr || (at - hdr) * 8 >= bits)
			continue;
		for (unsigned b = 0; b < 8; b++) {
			uint64_t bit = (at - hdr) * 8 + b;
			if (bit < bits && (free_from ? bit >= free_from
						     : !phys_used(mk, bit)))
				blk[j] |= (uint8_t)(1u << b);
		}
	}
	if (i)
		return;
	struct ecma_sbd *s = (struct ecma_sbd *)blk;
	put_le32(s->num_bits, (uint32_t)bits);
	put_le32(s->num_bytes, (uint32_t)((bits + 7) / 8));
	/* CRC over the header only, as mkudffs: the descriptor spans blocks */
	udf_tag_make(blk, sizeof(*s), TAG_SBD, mk_tag_version(mk), 1, (uint32_t)pos);
}

uint64_t mk_phys_free(const struct udf_mk *mk)
{
	uint64_t n = 0;
	for (uint64_t b = 0; mk->bitmap && b < mk->part_len; b++)
		n += !phys_used(mk, b);
	return n;
}

void mk_build_sbd_block(const struct udf_mk *mk, uint64_t i, uint8_t *blk)
{
	/* what the content leaves of a sized volume is free */
	sbd_block(mk, i, mk->part_len, 0, mk->sbd_pos, blk);
}

void mk_build_metabm_block(const struct udf_mk *mk, uint64_t i, uint8_t *blk)
{
	sbd_block(mk, i, mk->meta_blocks, mk->meta_used, mk->metabm_pos, blk);
}

void mk_build_metabm_fe(const struct udf_mk *mk, uint8_t *blk)
{
	system_efe(mk, FT_METADATA_BITMAP, mk->metabm_blocks, (uint32_t)mk->metabm_pos,
		   mk->metabm_fe, blk);
}

int mk_symlink_body(const char *target, char **body, size_t *len,
		    discfs_error *err)
{
	size_t tl = strlen(target), o = 0;
	/* worst case: one component per character, 4 + 2 bytes each + root */
	uint8_t *b = malloc(4 + tl * 8 + 8);

	if (!b)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (tl == 0) {
		free(b);
		return dfs_fail(err, DISCFS_EINVAL, "empty symlink target");
	}
	if (target[0] == '/') {
		memset(b, 0, 4);
		b[0] = PC_ROOT;
		o = 4;
	}
	for (const char *p = target; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t cl = strcspn(p, "/");
		struct ecma_path_component *pc = (struct ecma_path_component *)(b + o);
		memset(pc, 0, sizeof(*pc));
		size_t n = 0;
		if (cl == 1 && p[0] == '.') {
			pc->type = PC_SELF;
		} else if (cl == 2 && p[0] == '.' && p[1] == '.') {
			pc->type = PC_PARENT;
		} else {
			pc->type = PC_NAMED;
			int rc = udf_cs0_encode(p, cl, b + o + 4, 255, false, &n, err);
			if (rc) {
				free(b);
				return dfs_wrap(err, rc, "symlink target");
			}
		}
		pc->l_ci = (uint8_t)n;
		o += 4 + n;
		p += cl;
	}
	*body = (char *)b;
	*len = o;
	return 0;
}
