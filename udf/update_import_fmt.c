/*
 * udf/update_import_fmt.c - an empty VAT volume laid out as a new session
 * of a write-once disc that holds data already (the first step of an
 * import, udf/update.h).
 *
 * Layout, relative to the session's first block S (absolute sectors of
 * 2048 bytes): S+16..18 BEA01/NSR0x/TEA01; main VDS S+32..37 (PVD, IUVD,
 * PD, LVD, USD, TD), reserve VDS S+48..53; LVID S+64 and TD S+65; AVDP
 * S+256; then, in the physical partition (which starts at part_start, so
 * its block numbers are absolute - part_start): the FSD (virtual 0), the
 * root entry (virtual 1), its FID stream and the VAT ICB, the last block.
 * Everything is one sequential run from S.  udf_update_format() does the
 * same for a blank disc with the session at 0 and the partition at 257.
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

#define S_VRS 16u
#define S_VDS_MAIN 32u
#define S_VDS_RESERVE 48u
#define S_LVID 64u
#define S_AVDP 256u
#define S_TREE 257u  /* FSD, root, stream, VAT ICB */
#define S_BLOCKS 261u

struct sfmt {
	struct udf_bdev *bd;
	uint32_t s;           /* session start (absolute) */
	uint32_t part_start, part_len;
	uint32_t p_tree;      /* partition block of the FSD */
	uint16_t rev, ver;
	const char *label;
	struct ecma_timestamp now;
	int64_t now_unix;   /* the same, for the volume set id */
	uint8_t *img;         /* S_BLOCKS blocks from s */
};

static uint8_t *at(struct sfmt *f, uint32_t rel)
{
	return f->img + (size_t)rel * DISCFS_BLOCK_SIZE;
}

static void put_vrs(struct sfmt *f)
{
	const char *id[3] = { "BEA01", f->rev >= 0x0200 ? "NSR03" : "NSR02",
			      "TEA01" };
	for (unsigned i = 0; i < 3; i++) {
		struct ecma_vsd *v = (struct ecma_vsd *)at(f, S_VRS + i);
		memcpy(v->ident, id[i], 5);
		v->version = 1;
	}
}

static void put_pvd(struct sfmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_pvd *p = (struct ecma_pvd *)b;
	char set[160];
	put_le32(p->vds_num, 1);
	udf_dstring_put(p->vol_ident, sizeof(p->vol_ident), f->label, NULL);
	put_le16(p->vol_seq_num, 1);
	put_le16(p->max_vol_seq_num, 1);
	put_le16(p->interchange_level, 2);
	put_le16(p->max_interchange_level, 3);
	put_le32(p->charset_list, 1);
	put_le32(p->max_charset_list, 1);
	/* the volume set identifier starts with 16 unique hex digits */
	/* once per volume: the main and reserve VDS must be identical */
	snprintf(set, sizeof(set), "%016llx%s", (unsigned long long)f->now_unix ^
		 ((unsigned long long)f->s << 20), f->label);
	udf_dstring_put(p->vol_set_ident, sizeof(p->vol_set_ident), set, NULL);
	udf_charspec_cs0(&p->desc_charset);
	udf_charspec_cs0(&p->expl_charset);
	p->rec_time = f->now;
	udf_regid_impl(&p->imp_ident);
	udf_tag_make(b, sizeof(*p), TAG_PVD, f->ver, 1, loc);
}

static void put_iuvd(struct sfmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_iuvd *d = (struct ecma_iuvd *)b;
	put_le32(d->vds_num, 2);
	udf_regid_udf(&d->imp_ident, UDF_ID_LV_INFO, f->rev);
	udf_charspec_cs0(&d->lvi_charset);
	udf_dstring_put(d->lv_ident, sizeof(d->lv_ident), f->label, NULL);
	udf_regid_impl(&d->lvi_imp_ident);
	udf_tag_make(b, sizeof(*d), TAG_IUVD, f->ver, 1, loc);
}

static void put_pd(struct sfmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_pd *p = (struct ecma_pd *)b;
	put_le32(p->vds_num, 3);
	put_le16(p->flags, 1);
	udf_regid_plain(&p->contents, f->rev >= 0x0200 ? UDF_ID_NSR03 : UDF_ID_NSR02);
	put_le32(p->access_type, PD_ACCESS_WRITE_ONCE);
	put_le32(p->start, f->part_start);
	put_le32(p->length, f->part_len);
	udf_regid_impl(&p->imp_ident);
	udf_tag_make(b, sizeof(*p), TAG_PD, f->ver, 1, loc);
}

static void put_lvd(struct sfmt *f, uint8_t *b, uint32_t loc)
{
	struct ecma_lvd *l = (struct ecma_lvd *)b;
	uint8_t *maps = b + sizeof(*l);
	put_le32(l->vds_num, 4);
	udf_charspec_cs0(&l->desc_charset);
	udf_dstring_put(l->lv_ident, sizeof(l->lv_ident), f->label, NULL);
	put_le32(l->block_size, DISCFS_BLOCK_SIZE);
	udf_regid_domain(&l->domain_ident, f->rev, 0);
	put_le32(l->fsd_loc.length, DISCFS_BLOCK_SIZE);
	put_le32(l->fsd_loc.loc.lbn, 0);      /* virtual 0 */
	put_le16(l->fsd_loc.loc.part_ref, 1);
	udf_regid_impl(&l->imp_ident);
	put_le32(l->integrity_seq.length, 2 * DISCFS_BLOCK_SIZE);
	put_le32(l->integrity_seq.location, f->s + S_LVID);
	struct udf_map1 *m1 = (struct udf_map1 *)maps;
	m1->type = UDF_MAP_TYPE1;
	m1->length = 6;
	put_le16(m1->vol_seq_num, 1);
	struct udf_map_virtual *mv = (struct udf_map_virtual *)(maps + 6);
	mv->head.type = UDF_MAP_TYPE2;
	mv->head.length = 64;
	udf_regid_udf(&mv->head.ident, UDF_ID_VIRTUAL, f->rev);
	put_le16(mv->vol_seq_num, 1);
	put_le32(l->map_table_len, 70);
	put_le32(l->num_maps, 2);
	udf_tag_make(b, sizeof(*l) + 70, TAG_LVD, f->ver, 1, loc);
}

static void put_vds(struct sfmt *f, uint32_t rel)
{
	uint32_t loc = f->s + rel;
	put_pvd(f, at(f, rel), loc);
	put_iuvd(f, at(f, rel + 1), loc + 1);
	put_pd(f, at(f, rel + 2), loc + 2);
	put_lvd(f, at(f, rel + 3), loc + 3);
	struct ecma_usd *u = (struct ecma_usd *)at(f, rel + 4);
	put_le32(u->vds_num, 5);
	udf_tag_make(at(f, rel + 4), sizeof(*u), TAG_USD, f->ver, 1, loc + 4);
	udf_tag_make(at(f, rel + 5), sizeof(struct ecma_td), TAG_TD, f->ver, 1,
		     loc + 5);
}

static void put_lvid(struct sfmt *f)
{
	uint8_t *b = at(f, S_LVID);
	struct ecma_lvid *l = (struct ecma_lvid *)b;
	l->rec_time = f->now;
	put_le32(l->integrity_type, LVID_CLOSE);
	put_le64(l->next_unique_id, UDF_FIRST_UNIQUE_ID);
	put_le32(l->num_partitions, 2);
	put_le32(l->imp_use_len, sizeof(struct udf_lvid_iu));
	uint8_t *t = b + sizeof(*l);
	put_le32(t, 0);                     /* free space: write-once */
	put_le32(t + 4, UDF_LVID_UNKNOWN);
	put_le32(t + 8, f->part_len);       /* sizes */
	put_le32(t + 12, UDF_LVID_UNKNOWN);
	struct udf_lvid_iu *iu = (struct udf_lvid_iu *)(t + 16);
	udf_regid_impl(&iu->imp_ident);
	put_le32(iu->num_dirs, 1);
	put_le16(iu->min_read_rev, f->rev);
	put_le16(iu->min_write_rev, f->rev);
	put_le16(iu->max_write_rev, f->rev);
	udf_tag_make(b, sizeof(*l) + 16 + sizeof(*iu), TAG_LVID, f->ver, 1,
		     f->s + S_LVID);
	udf_tag_make(at(f, S_LVID + 1), sizeof(struct ecma_td), TAG_TD, f->ver, 1,
		     f->s + S_LVID + 1);
}

static void put_avdp(struct sfmt *f)
{
	struct ecma_avdp *a = (struct ecma_avdp *)at(f, S_AVDP);
	put_le32(a->main_vds.length, 16 * DISCFS_BLOCK_SIZE);
	put_le32(a->main_vds.location, f->s + S_VDS_MAIN);
	put_le32(a->reserve_vds.length, 16 * DISCFS_BLOCK_SIZE);
	put_le32(a->reserve_vds.location, f->s + S_VDS_RESERVE);
	udf_tag_make(at(f, S_AVDP), sizeof(*a), TAG_AVDP, f->ver, 1, f->s + S_AVDP);
}

static void put_fsd(struct sfmt *f)
{
	uint8_t *b = at(f, S_TREE);
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
	put_le32(s->root_icb.loc.lbn, 1);   /* virtual 1 */
	put_le16(s->root_icb.loc.part_ref, 1);
	udf_regid_domain(&s->domain_ident, f->rev, 0);
	udf_tag_make(b, sizeof(*s), TAG_FSD, f->ver, 1, 0);
}

/* The root's entry and stream through the writer's own builders. */
static int put_root(struct sfmt *f, discfs_error *err)
{
	struct udf_update u = { .bd = f->bd, .rev = f->rev, .tag_version = f->ver,
				.serial = 1, .efe = f->rev >= 0x0200, .phys = 0,
				.virt = 1 };
	struct upd_node r = { .ftype = FT_DIR, .dir_dirty = true, .fe_dirty = true,
			      .kids_loaded = true };
	uint32_t stream = f->p_tree + 2, run_len = 1;
	uint8_t *s = NULL;
	r.icb = (struct udf_icb){ 1, 1 };
	r.data_lbn = &stream;
	r.data_len = &run_len;
	r.n_data = 1;
	r.attr.mask = UDF_ATTR_MODE;
	r.attr.mode = 0755;
	int rc = upd_build_stream(&u, &r, &stream, 1, &s, &r.stream_len, err);
	if (!rc) {
		memcpy(at(f, S_TREE + 2), s, DISCFS_BLOCK_SIZE);
		rc = upd_build_fe(&u, &r, NULL, 1, at(f, S_TREE + 1), err);
	}
	free(s);
	return rc;
}

/* The VAT ICB with the table inside it: FSD and root. */
static void put_vat(struct sfmt *f)
{
	uint8_t *b = at(f, S_TREE + 3);
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
	put_le32(v + sizeof(*h), f->p_tree);
	put_le32(v + sizeof(*h) + 4, f->p_tree + 1);
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
	udf_tag_make(b, fixed + len, efe ? TAG_EFE : TAG_FE, f->ver, 1,
		     f->p_tree + 3);
}

static int plan(struct sfmt *f, const struct udf_update_opts *o,
		uint32_t part_start, discfs_error *err)
{
	struct udf_bdev *bd = f->bd;
	bool bd_media = !strncasecmp(bd->media, "bd", 2);
	if (bd->kind != UDF_BDEV_SEQUENTIAL)
		return dfs_fail(err, DISCFS_ENOTSUP, "a new UDF session needs a "
				"write-once medium (this one is rewritable)");
	if (bd->last_recorded == UINT64_MAX)
		return dfs_fail(err, DISCFS_EINVAL, "the medium is blank: lay out "
				"a volume with udf_update_format instead");
	if (bd->capacity > 0xFFFFFFFFull || bd->nwa < part_start ||
	    bd->nwa + S_BLOCKS + 16 > bd->capacity)
		return dfs_fail(err, DISCFS_ENOSPC, "no room for a new UDF session "
				"(next writable block %llu of %llu)",
				(unsigned long long)bd->nwa,
				(unsigned long long)bd->capacity);
	f->rev = o && o->udf_revision ? (uint16_t)o->udf_revision
				      : bd_media ? UDF_REV_250 : UDF_REV_201;
	if (f->rev < UDF_REV_200 || f->rev > UDF_REV_260)
		return dfs_fail(err, DISCFS_ENOTSUP,
				"the incremental writer formats UDF 2.00-2.60, not %x.%02x",
				f->rev >> 8, f->rev & 0xFF);
	f->ver = 3;
	f->label = o && o->label ? o->label : "DISCFS";
	f->s = (uint32_t)bd->nwa;
	f->part_start = part_start;
	f->part_len = (uint32_t)(bd->capacity - part_start);
	f->p_tree = f->s + S_TREE - part_start;
	int64_t now = o && o->now ? o->now : (int64_t)time(NULL);
	f->now_unix = now;
	udf_ts_from_unix(&f->now, now, 0, o ? o->tz_minutes : 0);
	return 0;
}

int udf_update_format_session(struct udf_bdev *bd,
			      const struct udf_update_opts *o,
			      uint32_t part_start, discfs_error *err)
{
	struct sfmt f = { .bd = bd };
	int rc = bd->refresh ? bd->refresh(bd, err) : 0;
	if (!rc)
		rc = plan(&f, o, part_start, err);
	if (rc)
		return rc;
	f.img = calloc(S_BLOCKS, DISCFS_BLOCK_SIZE);
	if (!f.img)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	put_vrs(&f);
	put_vds(&f, S_VDS_MAIN);
	put_vds(&f, S_VDS_RESERVE);
	put_lvid(&f);
	put_avdp(&f);
	put_fsd(&f);
	rc = put_root(&f, err);
	if (!rc) {
		put_vat(&f);
		rc = udf_bdev_write(bd, f.s, S_BLOCKS, f.img, err);
	}
	if (!rc)
		rc = udf_bdev_sync(bd, err);
	free(f.img);
	return rc;
}

/* ------------------------------------------------ a session's header */

/* The copy of descriptor block b (read at old, recorded at old + delta). */
static void relocate(uint8_t *b, uint32_t bs, uint64_t from, uint32_t old,
		     uint32_t delta)
{
	if (udf_tag_verify(b, bs, -1, old, NULL))
		return; /* not a descriptor recorded there (VRS, zeros) */
	uint16_t ident = get_le16(b);
	if (ident == TAG_AVDP) {
		struct ecma_avdp *a = (struct ecma_avdp *)b;
		put_le32(a->main_vds.location, get_le32(a->main_vds.location) + delta);
		put_le32(a->reserve_vds.location,
			 get_le32(a->reserve_vds.location) + delta);
	} else if (ident == TAG_LVD) {
		struct ecma_lvd *l = (struct ecma_lvd *)b;
		uint32_t at = get_le32(l->integrity_seq.location);
		if (at >= from && at < from + S_TREE)
			put_le32(l->integrity_seq.location, at + delta);
	}
	udf_tag_make(b, 16u + get_le16(b + 10), ident, get_le16(b + 2),
		     get_le16(b + 6), old + delta);
}

static int session_header(struct udf_bdev *bd, uint64_t from,
			  discfs_error *err)
{
	uint32_t bs = bd->block_size;
	int rc = bd->refresh ? bd->refresh(bd, err) : 0;
	if (rc)
		return rc;
	if (bd->kind != UDF_BDEV_SEQUENTIAL || bs != DISCFS_BLOCK_SIZE)
		return dfs_fail(err, DISCFS_ENOTSUP, "session headers are for "
				"write-once media");
	if (bd->nwa <= from || bd->nwa > 0xFFFFFFFFull - S_TREE ||
	    bd->nwa + S_TREE + 16 > bd->capacity)
		return dfs_fail(err, DISCFS_ENOSPC, "no room for a session header "
				"at block %llu", (unsigned long long)bd->nwa);
	uint8_t *img = calloc(S_TREE, bs);
	if (!img)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	uint32_t delta = (uint32_t)(bd->nwa - from);
	rc = udf_bdev_read(bd, from + S_VRS, S_TREE - S_VRS, img + S_VRS * bs, err);
	if (!rc && udf_tag_verify(img + S_AVDP * bs, bs, TAG_AVDP,
				  (int64_t)(from + S_AVDP), NULL))
		rc = dfs_fail(err, DISCFS_EFORMAT, "no anchor at block %llu",
			      (unsigned long long)(from + S_AVDP));
	for (uint32_t i = S_VRS; !rc && i < S_TREE; i++)
		relocate(img + (size_t)i * bs, bs, from, (uint32_t)from + i, delta);
	if (!rc)
		rc = udf_bdev_write(bd, bd->nwa, S_TREE, img, err);
	if (!rc)
		rc = udf_bdev_sync(bd, err);
	free(img);
	return rc;
}

int upd_reload(struct udf_update *u, discfs_error *err); /* update_open.c */

/*
 * The header, then a copy of the VAT ICB as the last block: the volume is
 * whole at every moment (a reader scanning back from the last recorded
 * block finds the VAT next to it, not across the gap between sessions).
 */
int udf_update_continue_session(struct udf_update *u, uint64_t from,
				discfs_error *err)
{
	if (u->layout != DISCFS_LAYOUT_VAT || u->pending)
		return dfs_fail(err, DISCFS_EINVAL, "a new session is started on "
				"a write-once volume, before anything is staged");
	int rc = session_header(u->bd, from, err);
	if (!rc && u->bd->refresh)
		rc = u->bd->refresh(u->bd, err);
	if (!rc) {
		upd_commit_reset_space(u);
		rc = upd_vat_append_copy(u, err);
	}
	if (!rc)
		rc = upd_reload(u, err);
	return rc;
}
