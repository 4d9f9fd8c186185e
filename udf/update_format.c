/*
 * udf/update_format.c - an empty UDF volume for a blank medium, sized to
 * the whole medium so that increments have room.
 *
 * Layout (absolute sectors of 2048 bytes): 16-18 BEA01/NSR0x/TEA01; main
 * VDS 32-37 (PVD, IUVD, PD, LVD, USD, TD), reserve VDS 48-53; LVID 64 and
 * TD 65; AVDP 256; the partition from 257.
 *   write-once (VAT): maps [0] type 1, [1] virtual; partition to the end
 *     of the medium; FSD = virtual 0, root = virtual 1, its FID stream,
 *     then the VAT ICB (table inside it) as the last block.  Written in
 *     one sequential run from sector 0.
 *   rewritable (plain): one type-1 map, space bitmap at partition block 0,
 *     FSD, root, its stream; partition up to N-257; AVDPs also at N-256
 *     and N (N = last block).
 * The LVID is recorded closed: 0 files, 1 directory, next UniqueID 16.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "udf/cs0.h"
#include "udf/ident.h"
#include "udf/tag.h"
#include "udf/timestamp.h"
#include "udf/update_int.h"
#include "util/bytes.h"
#include "util/err.h"

#define F_VRS 16u
#define F_VDS_MAIN 32u
#define F_VDS_RESERVE 48u
#define F_LVID 64u
#define F_AVDP 256u
#define F_PART 257u

struct fmt {
	struct udf_bdev *bd;
	bool vat;
	uint16_t rev, ver;
	const char *label;
	struct ecma_timestamp now;
	int64_t now_unix;                    /* the same, for the set id */
	uint32_t part_len, sbd_blocks;
	uint32_t fsd, root, stream, vat_icb; /* partition blocks */
	uint8_t *img;                        /* blocks 0 .. end-1 */
	uint32_t end;
};

static uint8_t *blk(struct fmt *f, uint32_t abs)
{
	return f->img + (size_t)abs * DISCFS_BLOCK_SIZE;
}

static void vrs(struct fmt *f)
{
	static const char *const id[3] = { "BEA01", NULL, "TEA01" };
	for (unsigned i = 0; i < 3; i++) {
		struct ecma_vsd *v = (struct ecma_vsd *)blk(f, F_VRS + i);
		const char *s = id[i] ? id[i] : f->rev >= 0x0200 ? "NSR03" : "NSR02";
		memcpy(v->ident, s, 5);
		v->version = 1;
	}
}

static void pvd(struct fmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_pvd *p = (struct ecma_pvd *)b;
	char set[128];
	put_le32(p->vds_num, 1);
	udf_dstring_put(p->vol_ident, sizeof(p->vol_ident), f->label, NULL);
	put_le16(p->vol_seq_num, 1);
	put_le16(p->max_vol_seq_num, 1);
	put_le16(p->interchange_level, 2);
	put_le16(p->max_interchange_level, 3);
	put_le32(p->charset_list, 1);
	put_le32(p->max_charset_list, 1);
	/* once per volume: the main and reserve VDS must be identical */
	snprintf(set, sizeof(set), "%016llx%s", (unsigned long long)f->now_unix ^
		 (unsigned long long)(uintptr_t)f, f->label);
	udf_dstring_put(p->vol_set_ident, sizeof(p->vol_set_ident), set, NULL);
	udf_charspec_cs0(&p->desc_charset);
	udf_charspec_cs0(&p->expl_charset);
	p->rec_time = f->now;
	udf_regid_impl(&p->imp_ident);
	udf_tag_make(b, sizeof(*p), TAG_PVD, f->ver, 1, loc);
}

static void iuvd(struct fmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_iuvd *d = (struct ecma_iuvd *)b;
	put_le32(d->vds_num, 2);
	udf_regid_udf(&d->imp_ident, UDF_ID_LV_INFO, f->rev);
	udf_charspec_cs0(&d->lvi_charset);
	udf_dstring_put(d->lv_ident, sizeof(d->lv_ident), f->label, NULL);
	udf_regid_impl(&d->lvi_imp_ident);
	udf_tag_make(b, sizeof(*d), TAG_IUVD, f->ver, 1, loc);
}

static void pd(struct fmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_pd *p = (struct ecma_pd *)b;
	put_le32(p->vds_num, 3);
	put_le16(p->flags, 1);
	udf_regid_plain(&p->contents, f->rev >= 0x0200 ? UDF_ID_NSR03 : UDF_ID_NSR02);
	if (!f->vat) {
		put_le32(p->header.unalloc_bitmap.length, f->sbd_blocks * DISCFS_BLOCK_SIZE);
		put_le32(p->header.unalloc_bitmap.position, 0);
	}
	put_le32(p->access_type, f->vat ? PD_ACCESS_WRITE_ONCE : PD_ACCESS_OVERWRITABLE);
	put_le32(p->start, F_PART);
	put_le32(p->length, f->part_len);
	udf_regid_impl(&p->imp_ident);
	udf_tag_make(b, sizeof(*p), TAG_PD, f->ver, 1, loc);
}

static void lvd(struct fmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_lvd *l = (struct ecma_lvd *)b;
	uint8_t *maps = b + sizeof(*l);
	size_t maps_len = 6;
	put_le32(l->vds_num, 4);
	udf_charspec_cs0(&l->desc_charset);
	udf_dstring_put(l->lv_ident, sizeof(l->lv_ident), f->label, NULL);
	put_le32(l->block_size, DISCFS_BLOCK_SIZE);
	udf_regid_domain(&l->domain_ident, f->rev, 0);
	put_le32(l->fsd_loc.length, DISCFS_BLOCK_SIZE);
	put_le32(l->fsd_loc.loc.lbn, f->vat ? 0 : f->fsd);
	put_le16(l->fsd_loc.loc.part_ref, f->vat ? 1 : 0);
	udf_regid_impl(&l->imp_ident);
	put_le32(l->integrity_seq.length, 2 * DISCFS_BLOCK_SIZE);
	put_le32(l->integrity_seq.location, F_LVID);
	struct udf_map1 *m1 = (struct udf_map1 *)maps;
	m1->type = UDF_MAP_TYPE1;
	m1->length = 6;
	put_le16(m1->vol_seq_num, 1);
	if (f->vat) {
		struct udf_map_virtual *mv = (struct udf_map_virtual *)(maps + 6);
		mv->head.type = UDF_MAP_TYPE2;
		mv->head.length = 64;
		udf_regid_udf(&mv->head.ident, UDF_ID_VIRTUAL, f->rev);
		put_le16(mv->vol_seq_num, 1);
		maps_len += 64;
	}
	put_le32(l->map_table_len, (uint32_t)maps_len);
	put_le32(l->num_maps, f->vat ? 2 : 1);
	udf_tag_make(b, sizeof(*l) + maps_len, TAG_LVD, f->ver, 1, loc);
}

static void vds(struct fmt *f, uint32_t at)
{
	pvd(f, blk(f, at), at);
	iuvd(f, blk(f, at + 1), at + 1);
	pd(f, blk(f, at + 2), at + 2);
	lvd(f, blk(f, at + 3), at + 3);
	struct ecma_usd *u = (struct ecma_usd *)blk(f, at + 4);
	put_le32(u->vds_num, 5);
	udf_tag_make(blk(f, at + 4), sizeof(*u), TAG_USD, f->ver, 1, at + 4);
	udf_tag_make(blk(f, at + 5), sizeof(struct ecma_td), TAG_TD, f->ver, 1, at + 5);
}

static void lvid(struct fmt *f)
{
	uint8_t *b = blk(f, F_LVID);
	struct ecma_lvid *l = (struct ecma_lvid *)b;
	unsigned n = f->vat ? 2 : 1;
	l->rec_time = f->now;
	put_le32(l->integrity_type, LVID_CLOSE);
	put_le64(l->next_unique_id, UDF_FIRST_UNIQUE_ID);
	put_le32(l->num_partitions, n);
	put_le32(l->imp_use_len, sizeof(struct udf_lvid_iu));
	uint8_t *t = b + sizeof(*l);
	uint32_t used = f->vat ? f->vat_icb + 1 : f->stream + 1;
	put_le32(t, f->vat ? 0 : f->part_len - used);      /* free */
	put_le32(t + 4 * n, f->part_len);                  /* size */
	if (f->vat) {
		put_le32(t + 4, UDF_LVID_UNKNOWN);
		put_le32(t + 12, UDF_LVID_UNKNOWN);
	}
	struct udf_lvid_iu *iu = (struct udf_lvid_iu *)(t + 8 * n);
	udf_regid_impl(&iu->imp_ident);
	put_le32(iu->num_dirs, 1);
	put_le16(iu->min_read_rev, f->rev);
	put_le16(iu->min_write_rev, f->rev);
	put_le16(iu->max_write_rev, f->rev);
	udf_tag_make(b, sizeof(*l) + 8 * n + sizeof(*iu), TAG_LVID, f->ver, 1, F_LVID);
	udf_tag_make(blk(f, F_LVID + 1), sizeof(struct ecma_td), TAG_TD, f->ver, 1,
		     F_LVID + 1);
}

static void avdp(struct fmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_avdp *a = (struct ecma_avdp *)b;
	memset(b, 0, DISCFS_BLOCK_SIZE);
	put_le32(a->main_vds.length, 16 * DISCFS_BLOCK_SIZE);
	put_le32(a->main_vds.location, F_VDS_MAIN);
	put_le32(a->reserve_vds.length, 16 * DISCFS_BLOCK_SIZE);
	put_le32(a->reserve_vds.location, F_VDS_RESERVE);
	udf_tag_make(b, sizeof(*a), TAG_AVDP, f->ver, 1, loc);
}

static void fsd(struct fmt *f, uint8_t *b, uint32_t loc, uint32_t root_ref)
{
	struct ecma_fsd *s = (struct ecma_fsd *)b;
	s->rec_time = f->now;
	put_le16(s->interchange_level, 3);
	put_le16(s->max_interchange_level, 3);
	put_le32(s->charset_list, 1);
	put_le32(s->max_charset_list, 1);
	udf_charspec_cs0(&s->lvi_charset);
	udf_dstring_put(s->lv_ident, sizeof(s->lv_ident), f->label, NULL);
	udf_charspec_cs0(&s->fs_charset);
	udf_dstring_put(s->fs_ident, sizeof(s->fs_ident), f->label, NULL);
	put_le32(s->root_icb.length, DISCFS_BLOCK_SIZE);
	put_le32(s->root_icb.loc.lbn, root_ref);
	put_le16(s->root_icb.loc.part_ref, f->vat ? 1 : 0);
	udf_regid_domain(&s->domain_ident, f->rev, 0);
	udf_tag_make(b, sizeof(*s), TAG_FSD, f->ver, 1, loc);
}

static void sbd(struct fmt *f)
{
	uint8_t *b = blk(f, F_PART);
	struct ecma_sbd *s = (struct ecma_sbd *)b;
	uint32_t bytes = (f->part_len + 7) / 8;
	put_le32(s->num_bits, f->part_len);
	put_le32(s->num_bytes, bytes);
	uint8_t *map = b + sizeof(*s);
	memset(map, 0xFF, bytes);
	if (f->part_len % 8)
		map[bytes - 1] = (uint8_t)((1u << (f->part_len % 8)) - 1);
	for (uint32_t i = 0; i <= f->stream; i++) /* bitmap, FSD, root, stream */
		map[i >> 3] &= (uint8_t)~(1u << (i & 7));
	udf_tag_make(b, sizeof(*s), TAG_SBD, f->ver, 1, 0); /* CRC: header only */
}

/* Root entry and stream through the writer's own builders. */
static int root(struct fmt *f, discfs_error *err)
{
	struct udf_update u = { .bd = f->bd, .rev = f->rev, .tag_version = f->ver,
				.serial = 1, .efe = f->rev >= 0x0200, .phys = 0,
				.virt = 1 };
	struct upd_node r = { .ftype = FT_DIR, .dir_dirty = true, .fe_dirty = true,
			      .kids_loaded = true };
	uint8_t *s = NULL;
	r.icb = (struct udf_icb){ f->root, (uint16_t)(f->vat ? 1 : 0) };
	uint32_t run_len = 1;
	r.data_lbn = &f->stream;
	r.data_len = &run_len;
	r.n_data = 1;
	r.attr.mask = UDF_ATTR_MODE;
	r.attr.mode = 0755;
	int rc = upd_build_stream(&u, &r, &f->stream, 1, &s, &r.stream_len, err);
	if (!rc) {
		memcpy(blk(f, F_PART + f->stream), s, DISCFS_BLOCK_SIZE);
		rc = upd_build_fe(&u, &r, NULL, r.icb.lbn, blk(f, F_PART + f->root), err);
	}
	free(s);
	return rc;
}

static void vat_icb(struct fmt *f)
{
	uint8_t *b = blk(f, F_PART + f->vat_icb);
	bool efe = f->rev >= 0x0200;
	size_t fixed = efe ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe);
	struct ecma_fe *fe = (struct ecma_fe *)b;
	struct ecma_efe *e = (struct ecma_efe *)b;
	uint8_t *v = b + fixed;
	struct udf_vat20 *h = (struct udf_vat20 *)v;
	size_t len = sizeof(*h) + 8;
	put_le16(h->l_hd, sizeof(*h));
	udf_dstring_put(h->lv_ident, sizeof(h->lv_ident), f->label, NULL);
	put_le32(h->prev_vat_loc, UDF_VAT_UNUSED);
	put_le32(h->num_dirs, 1);
	put_le16(h->min_read_rev, f->rev);
	put_le16(h->min_write_rev, f->rev);
	put_le16(h->max_write_rev, f->rev);
	put_le32(v + sizeof(*h), f->fsd);
	put_le32(v + sizeof(*h) + 4, f->root);
	put_le16(fe->icbtag.strategy_type, 4);
	put_le16(fe->icbtag.max_entries, 1);
	fe->icbtag.file_type = FT_VAT20;
	put_le16(fe->icbtag.flags, ICBF_AD_IN_ICB);
	put_le32(fe->uid, 0xFFFFFFFFu);
	put_le32(fe->gid, 0xFFFFFFFFu);
	put_le16(fe->link_count, 1);
	put_le64(fe->info_length, len);
	if (efe) {
		put_le64(e->object_size, len);
		e->atime = e->mtime = e->ctime = e->attr_time = f->now;
		put_le32(e->checkpoint, 1);
		udf_regid_impl(&e->imp_ident);
		put_le32(e->l_ad, (uint32_t)len);
	} else {
		fe->atime = fe->mtime = fe->attr_time = f->now;
		put_le32(fe->checkpoint, 1);
		udf_regid_impl(&fe->imp_ident);
		put_le32(fe->l_ad, (uint32_t)len);
	}
	udf_tag_make(b, fixed + len, efe ? TAG_EFE : TAG_FE, f->ver, 1, f->vat_icb);
}

static int plan(struct fmt *f, const struct udf_update_opts *o, discfs_error *err)
{
	uint64_t cap = f->bd->capacity;
	bool bd_media = !strncasecmp(f->bd->media, "bd", 2);
	f->vat = f->bd->kind == UDF_BDEV_SEQUENTIAL;
	f->rev = o && o->udf_revision ? (uint16_t)o->udf_revision
				      : f->vat && bd_media ? UDF_REV_250 : UDF_REV_201;
	if (f->rev < UDF_REV_200 || f->rev > UDF_REV_260)
		return dfs_fail(err, DISCFS_ENOTSUP,
				"the incremental writer formats UDF 2.00-2.60, not %x.%02x",
				f->rev >> 8, f->rev & 0xFF);
	f->ver = 3;
	f->label = o && o->label ? o->label : "DISCFS";
	if (cap < 1024 || cap > 0xFFFFFFFFull)
		return dfs_fail(err, DISCFS_ENOSPC, "medium of %llu blocks is too "
				"small or too large to format", (unsigned long long)cap);
	if (f->vat) {
		f->part_len = (uint32_t)(cap - F_PART);
		f->fsd = 0;     /* virtual 0 */
		f->root = 1;    /* virtual 1 */
		f->stream = 2;
		f->vat_icb = 3;
		f->end = F_PART + 4;
	} else {
		f->part_len = (uint32_t)(cap - 1 - 256 - F_PART);
		uint64_t sbd = sizeof(struct ecma_sbd) + (f->part_len + 7) / 8;
		f->sbd_blocks = (uint32_t)((sbd + DISCFS_BLOCK_SIZE - 1) / DISCFS_BLOCK_SIZE);
		f->fsd = f->sbd_blocks;
		f->root = f->fsd + 1;
		f->stream = f->root + 1;
		f->end = F_PART + f->stream + 1;
	}
	int64_t now = o && o->now ? o->now : (int64_t)time(NULL);
	f->now_unix = now;
	udf_ts_from_unix(&f->now, now, 0, o ? o->tz_minutes : 0);
	return 0;
}

int udf_update_format(struct udf_bdev *bd, const struct udf_update_opts *o,
		      discfs_error *err)
{
	struct fmt f = { .bd = bd };
	int rc = bd->refresh ? bd->refresh(bd, err) : 0;
	if (!rc)
		rc = plan(&f, o, err);
	if (rc)
		return rc;
	if (f.vat && bd->nwa != 0)
		return dfs_fail(err, DISCFS_EINVAL,
				"the write-once medium is not blank (next writable block %llu)",
				(unsigned long long)bd->nwa);
	f.img = calloc(f.end, DISCFS_BLOCK_SIZE);
	if (!f.img)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	vrs(&f);
	vds(&f, F_VDS_MAIN);
	vds(&f, F_VDS_RESERVE);
	lvid(&f);
	avdp(&f, blk(&f, F_AVDP), F_AVDP);
	if (!f.vat)
		sbd(&f);
	/* the FSD extent (LVD) is one block: it ends the sequence */
	fsd(&f, blk(&f, F_PART + f.fsd), f.fsd, f.root);
	rc = root(&f, err);
	if (!rc && f.vat)
		vat_icb(&f);
	if (!rc)
		rc = udf_bdev_write(bd, 0, f.end, f.img, err);
	if (!rc && !f.vat) {
		uint64_t last = bd->capacity - 1;
		avdp(&f, f.img, (uint32_t)(last - 256));
		rc = udf_bdev_write(bd, last - 256, 1, f.img, err);
		avdp(&f, f.img, (uint32_t)last);
		if (!rc)
			rc = udf_bdev_write(bd, last, 1, f.img, err);
	}
	if (!rc)
		rc = udf_bdev_sync(bd, err);
	free(f.img);
	return rc;
}
