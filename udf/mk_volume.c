/*
 * udf/mk_volume.c - part-3 structures of a mastered image: volume
 * recognition sequence, main and reserve volume descriptor sequences
 * (PVD, IUVD, PD, LVD with its partition maps, USD, TD), LVID, anchors,
 * sparing tables, and the VAT with its ICB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udf/cs0.h"
#include "udf/ident.h"
#include "udf/mk.h"
#include "udf/osta.h"
#include "udf/tag.h"
#include "udf/timestamp.h"
#include "util/bytes.h"
#include "util/err.h"

enum { VDS_PVD, VDS_IUVD, VDS_PD, VDS_LVD, VDS_USD, VDS_TD };

static uint16_t min_read_rev(const struct udf_mk *mk)
{
	return mk->rev > UDF_REV_250 ? UDF_REV_250 : mk->rev;
}

static void build_vsd(uint8_t *blk, const char *ident)
{
	memset(blk, 0, MK_BS);
	memcpy(blk + 1, ident, 5);
	blk[6] = 1;
}

static void build_pvd(const struct udf_mk *mk, uint8_t *blk, uint32_t sector)
{
	struct ecma_pvd *p = (struct ecma_pvd *)blk;
	char vsid[160];

	put_le32(p->vds_num, 1);
	udf_dstring_put(p->vol_ident, sizeof(p->vol_ident), mk->label, NULL);
	put_le16(p->vol_seq_num, 1);
	put_le16(p->max_vol_seq_num, 1);
	put_le16(p->interchange_level, 2);
	put_le16(p->max_interchange_level, 3);
	put_le32(p->charset_list, 1);
	put_le32(p->max_charset_list, 1);
	/* first 16 characters unique: hex of time and label CRC, deterministic */
	snprintf(vsid, sizeof vsid, "%08llX%08X%s", (unsigned long long)(uint32_t)mk->now,
		 (unsigned)udf_crc_itu((const uint8_t *)mk->label, strlen(mk->label)),
		 mk->label);
	udf_dstring_put(p->vol_set_ident, sizeof(p->vol_set_ident), vsid, NULL);
	udf_charspec_cs0(&p->desc_charset);
	udf_charspec_cs0(&p->expl_charset);
	udf_regid_impl(&p->app_ident);
	udf_ts_from_unix(&p->rec_time, mk->now, 0, mk->tz);
	udf_regid_impl(&p->imp_ident);
	udf_tag_make(blk, sizeof(*p), TAG_PVD, mk_tag_version(mk), 1, sector);
}

static void build_iuvd(const struct udf_mk *mk, uint8_t *blk, uint32_t sector)
{
	struct ecma_iuvd *v = (struct ecma_iuvd *)blk;

	put_le32(v->vds_num, 2);
	udf_regid_udf(&v->imp_ident, UDF_ID_LV_INFO, mk->rev);
	udf_charspec_cs0(&v->lvi_charset);
	udf_dstring_put(v->lv_ident, sizeof(v->lv_ident), mk->label, NULL);
	udf_regid_impl(&v->lvi_imp_ident);
	udf_tag_make(blk, sizeof(*v), TAG_IUVD, mk_tag_version(mk), 1, sector);
}

static void build_pd(const struct udf_mk *mk, uint8_t *blk, uint32_t sector)
{
	struct ecma_pd *p = (struct ecma_pd *)blk;

	put_le32(p->vds_num, 3);
	put_le16(p->flags, 1);
	put_le16(p->part_num, 0);
	udf_regid_plain(&p->contents, mk->rev >= UDF_REV_200 ? UDF_ID_NSR03 : UDF_ID_NSR02);
	if (mk->bitmap) {
		put_le32(p->header.unalloc_bitmap.length, (uint32_t)(mk->sbd_blocks * MK_BS));
		put_le32(p->header.unalloc_bitmap.position, (uint32_t)mk->sbd_pos);
	}
	put_le32(p->access_type, mk->access_type);
	put_le32(p->start, mk->part_start);
	put_le32(p->length, (uint32_t)mk->part_len);
	udf_regid_impl(&p->imp_ident);
	udf_tag_make(blk, sizeof(*p), TAG_PD, mk_tag_version(mk), 1, sector);
}

static size_t sparing_table_bytes(const struct udf_mk *mk)
{
	return sizeof(struct udf_sparing_table) +
	       mk->n_spare_packets * sizeof(struct udf_sparing_entry);
}

/* Writes the partition maps at maps; returns their total length. */
static size_t build_maps(const struct udf_mk *mk, uint8_t *maps)
{
	size_t len;

	if (mk->phys == MK_PHYS_SPARABLE) {
		struct udf_map_sparable *s = (struct udf_map_sparable *)maps;
		s->head.type = UDF_MAP_TYPE2;
		s->head.length = sizeof(*s);
		udf_regid_udf(&s->head.ident, UDF_ID_SPARABLE, mk->rev);
		put_le16(s->vol_seq_num, 1);
		put_le16(s->part_num, 0);
		put_le16(s->packet_length, (uint16_t)mk->packet);
		s->num_tables = 2;
		put_le32(s->table_size, (uint32_t)sparing_table_bytes(mk));
		put_le32(s->table_loc[0], mk->sparing_tab[0]);
		put_le32(s->table_loc[1], mk->sparing_tab[1]);
		len = sizeof(*s);
	} else {
		struct udf_map1 *m = (struct udf_map1 *)maps;
		m->type = UDF_MAP_TYPE1;
		m->length = sizeof(*m);
		put_le16(m->vol_seq_num, 1);
		put_le16(m->part_num, 0);
		len = sizeof(*m);
	}
	if (mk->virt == MK_VIRT_VAT) {
		struct udf_map_virtual *v = (struct udf_map_virtual *)(maps + len);
		v->head.type = UDF_MAP_TYPE2;
		v->head.length = sizeof(*v);
		udf_regid_udf(&v->head.ident, UDF_ID_VIRTUAL, mk->rev);
		put_le16(v->vol_seq_num, 1);
		put_le16(v->part_num, 0);
		len += sizeof(*v);
	} else if (mk->virt == MK_VIRT_METADATA) {
		struct udf_map_metadata *m = (struct udf_map_metadata *)(maps + len);
		m->head.type = UDF_MAP_TYPE2;
		m->head.length = sizeof(*m);
		udf_regid_udf(&m->head.ident, UDF_ID_METADATA, mk->rev);
		put_le16(m->vol_seq_num, 1);
		put_le16(m->part_num, 0);
		put_le32(m->meta_file_loc, (uint32_t)mk->metafile_fe);
		put_le32(m->mirror_file_loc, (uint32_t)mk->mirror_fe);
		put_le32(m->bitmap_file_loc,
			 mk->meta_bitmap ? (uint32_t)mk->metabm_fe : UDF_NO_BITMAP_FILE);
		put_le32(m->alloc_unit, 32);
		put_le16(m->align_unit, 32);
		m->flags = UDF_METADATA_DUPLICATE;
		len += sizeof(*m);
	}
	return len;
}

static unsigned num_maps(const struct udf_mk *mk)
{
	return mk->virt == MK_VIRT_NONE ? 1 : 2;
}

static void build_lvd(const struct udf_mk *mk, uint8_t *blk, uint32_t sector)
{
	struct ecma_lvd *l = (struct ecma_lvd *)blk;
	uint32_t lbn;
	uint16_t pref;

	put_le32(l->vds_num, 4);
	udf_charspec_cs0(&l->desc_charset);
	udf_dstring_put(l->lv_ident, sizeof(l->lv_ident), mk->label, NULL);
	put_le32(l->block_size, MK_BS);
	udf_regid_domain(&l->domain_ident, mk->rev, 0);
	mk_icb_ref(mk, 0, &lbn, &pref);
	put_le32(l->fsd_loc.length, MK_BS);
	put_le32(l->fsd_loc.loc.lbn, lbn);
	put_le16(l->fsd_loc.loc.part_ref, pref);
	size_t maps = build_maps(mk, blk + sizeof(*l));
	put_le32(l->map_table_len, (uint32_t)maps);
	put_le32(l->num_maps, num_maps(mk));
	udf_regid_impl(&l->imp_ident);
	put_le32(l->integrity_seq.length, mk->lvid_len * MK_BS);
	put_le32(l->integrity_seq.location, mk->lvid_pos);
	udf_tag_make(blk, sizeof(*l) + maps, TAG_LVD, mk_tag_version(mk), 1, sector);
}

static void build_vds_block(const struct udf_mk *mk, unsigned i, uint8_t *blk,
			    uint32_t sector)
{
	switch (i) {
	case VDS_PVD: build_pvd(mk, blk, sector); break;
	case VDS_IUVD: build_iuvd(mk, blk, sector); break;
	case VDS_PD: build_pd(mk, blk, sector); break;
	case VDS_LVD: build_lvd(mk, blk, sector); break;
	case VDS_USD: {
		struct ecma_usd *u = (struct ecma_usd *)blk;
		put_le32(u->vds_num, 5);
		udf_tag_make(blk, sizeof(*u), TAG_USD, mk_tag_version(mk), 1, sector);
		break;
	}
	case VDS_TD:
		udf_tag_make(blk, sizeof(struct ecma_td), TAG_TD, mk_tag_version(mk), 1, sector);
		break;
	default:
		break;
	}
}

/* Files in the LVID sense: FIDs that are neither directories nor parents. */
static uint64_t lvid_files(const struct udf_mk *mk)
{
	return mk->n_files + mk->n_symlinks + mk->n_other;
}

static void build_lvid(const struct udf_mk *mk, uint8_t *blk, uint32_t sector)
{
	struct ecma_lvid *l = (struct ecma_lvid *)blk;
	unsigned n = num_maps(mk);
	uint8_t *tables = blk + sizeof(*l);
	struct udf_lvid_iu *iu = (struct udf_lvid_iu *)(tables + 8 * n);

	udf_ts_from_unix(&l->rec_time, mk->now, 0, mk->tz);
	put_le32(l->integrity_type, LVID_CLOSE);
	put_le64(l->next_unique_id, mk->next_unique_id);
	put_le32(l->num_partitions, n);
	put_le32(l->imp_use_len, sizeof(*iu));
	/* free, then size, per map; a sized volume has free space */
	put_le32(tables + 0, (uint32_t)mk_phys_free(mk));
	put_le32(tables + 4 * n, (uint32_t)mk->part_len);
	if (n == 2) {
		bool vat = mk->virt == MK_VIRT_VAT;
		put_le32(tables + 4, vat ? UDF_LVID_UNKNOWN
					 : (uint32_t)(mk->meta_bitmap ? mk->meta_blocks -
									 mk->meta_used : 0));
		put_le32(tables + 4 * n + 4,
			 vat ? UDF_LVID_UNKNOWN : (uint32_t)mk->meta_blocks);
	}
	udf_regid_impl(&iu->imp_ident);
	put_le32(iu->num_files, (uint32_t)lvid_files(mk));
	put_le32(iu->num_dirs, (uint32_t)mk->n_dirs);
	put_le16(iu->min_read_rev, min_read_rev(mk));
	put_le16(iu->min_write_rev, mk->rev);
	put_le16(iu->max_write_rev, mk->rev);
	udf_tag_make(blk, sizeof(*l) + 8 * n + sizeof(*iu), TAG_LVID,
		     mk_tag_version(mk), 1, sector);
}

static void build_avdp(const struct udf_mk *mk, uint8_t *blk, uint32_t sector)
{
	struct ecma_avdp *a = (struct ecma_avdp *)blk;

	put_le32(a->main_vds.length, mk->vds_len * MK_BS);
	put_le32(a->main_vds.location, mk->vds_main);
	put_le32(a->reserve_vds.length, mk->vds_len * MK_BS);
	put_le32(a->reserve_vds.location, mk->vds_reserve);
	udf_tag_make(blk, sizeof(*a), TAG_AVDP, mk_tag_version(mk), 1, sector);
}

static void build_sparing_table(const struct udf_mk *mk, uint8_t *blk,
				uint32_t sector)
{
	struct udf_sparing_table *t = (struct udf_sparing_table *)blk;
	struct udf_sparing_entry *e = (struct udf_sparing_entry *)(blk + sizeof(*t));

	udf_regid_udf(&t->ident, UDF_ID_SPARING_TABLE, mk->rev);
	put_le16(t->rt_len, (uint16_t)mk->n_spare_packets);
	put_le32(t->seq_num, 0);
	for (unsigned i = 0; i < mk->n_spare_packets; i++) {
		put_le32(e[i].original, UDF_SPARE_FREE);
		put_le32(e[i].mapped, (uint32_t)(mk->spare_start + (uint64_t)i * mk->packet));
	}
	udf_tag_make(blk, sparing_table_bytes(mk), TAG_SPARING_TABLE,
		     mk_tag_version(mk), 1, sector);
}

bool mk_build_volume_block(const struct udf_mk *mk, uint64_t sector, uint8_t *blk)
{
	uint32_t s = (uint32_t)sector;

	memset(blk, 0, MK_BS);
	if (mk->iso && mk_iso_volume_block(mk, sector, blk))
		return true;
	if (s >= mk->vrs_start && s < mk->vrs_start + mk->vrs_count) {
		const char *id = s == mk->vrs_start ? "BEA01"
				 : s == mk->vrs_start + 2 ? "TEA01"
				 : mk->rev >= UDF_REV_200 ? "NSR03" : "NSR02";
		build_vsd(blk, id);
		return true;
	}
	if (s >= mk->vds_main && s < mk->vds_main + mk->vds_len) {
		build_vds_block(mk, s - mk->vds_main, blk, s);
		return true;
	}
	if (s >= mk->vds_reserve && s < mk->vds_reserve + mk->vds_len) {
		build_vds_block(mk, s - mk->vds_reserve, blk, s);
		return true;
	}
	if (s == mk->lvid_pos) {
		build_lvid(mk, blk, s);
		return true;
	}
	if (s == mk->lvid_pos + 1) {
		udf_tag_make(blk, sizeof(struct ecma_td), TAG_TD, mk_tag_version(mk), 1, s);
		return true;
	}
	if (mk->phys == MK_PHYS_SPARABLE && (s == mk->sparing_tab[0] || s == mk->sparing_tab[1])) {
		build_sparing_table(mk, blk, s);
		return true;
	}
	if (s == 256 || (mk->avdp_end && sector == mk->avdp_end)) {
		build_avdp(mk, blk, s);
		return true;
	}
	return false;
}

size_t mk_vat_bytes(const struct udf_mk *mk)
{
	size_t entries = (size_t)mk->meta_blocks * 4;
	return mk->rev >= UDF_REV_200 ? sizeof(struct udf_vat20) + entries
				       : entries + sizeof(struct udf_vat150_trailer);
}

int mk_build_vat(const struct udf_mk *mk, uint8_t **out, size_t *len,
		 discfs_error *err)
{
	size_t n = mk_vat_bytes(mk);
	uint8_t *v = calloc(1, n);
	bool v20 = mk->rev >= UDF_REV_200;

	if (!v)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	uint8_t *ent = v20 ? v + sizeof(struct udf_vat20) : v;
	/* only ICBs (and the FSD) are addressed through the VAT */
	memset(ent, 0xFF, (size_t)mk->meta_blocks * 4);
	put_le32(ent, (uint32_t)mk->meta_base);         /* FSD */
	put_le32(ent + 4, (uint32_t)mk->meta_base + 1); /* its terminator */
	for (size_t i = 0; i < mk->icb_order.n; i++) {
		uint32_t m = mk->icb_order.v[i]->ino->icb_m;
		put_le32(ent + 4 * (size_t)m, (uint32_t)(mk->meta_base + m));
	}
	if (v20) {
		struct udf_vat20 *h = (struct udf_vat20 *)v;
		put_le16(h->l_hd, sizeof(*h));
		udf_dstring_put(h->lv_ident, sizeof(h->lv_ident), mk->label, NULL);
		put_le32(h->prev_vat_loc, UDF_VAT_UNUSED);
		put_le32(h->num_files, (uint32_t)lvid_files(mk));
		put_le32(h->num_dirs, (uint32_t)mk->n_dirs);
		put_le16(h->min_read_rev, min_read_rev(mk));
		put_le16(h->min_write_rev, mk->rev);
		put_le16(h->max_write_rev, mk->rev);
	} else {
		struct udf_vat150_trailer *t =
			(struct udf_vat150_trailer *)(v + (size_t)mk->meta_blocks * 4);
		udf_regid_udf(&t->ident, UDF_ID_VAT150, UDF_REV_150);
		put_le32(t->prev_vat_loc, UDF_VAT_UNUSED);
	}
	*out = v;
	*len = n;
	return 0;
}

void mk_build_vat_icb(const struct udf_mk *mk, const uint8_t *vat, size_t len,
		      uint8_t *blk)
{
	bool efe = mk_uses_efe(mk);
	size_t fixed = efe ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe);
	struct ecma_fe *fe = (struct ecma_fe *)blk;
	struct ecma_efe *e = (struct ecma_efe *)blk;
	bool in_icb = mk->vat_blocks == 0;
	size_t l_ad;

	memset(blk, 0, MK_BS);
	put_le16(fe->icbtag.strategy_type, 4);
	put_le16(fe->icbtag.max_entries, 1);
	fe->icbtag.file_type = mk->rev >= UDF_REV_200 ? FT_VAT20 : FT_UNSPECIFIED;
	put_le16(fe->icbtag.flags, in_icb ? ICBF_AD_IN_ICB : ICBF_AD_LONG);
	put_le32(fe->uid, 0xFFFFFFFFu);
	put_le32(fe->gid, 0xFFFFFFFFu);
	put_le16(fe->link_count, 1);
	put_le64(fe->info_length, len);
	uint8_t *tail = blk + fixed;
	if (in_icb) {
		memcpy(tail, vat, len);
		l_ad = len;
	} else {
		struct ecma_long_ad *ad = (struct ecma_long_ad *)tail;
		put_le32(ad->length, (uint32_t)len);
		put_le32(ad->loc.lbn, (uint32_t)mk->vat_pos);
		l_ad = sizeof(*ad);
	}
	struct ecma_timestamp now;
	udf_ts_from_unix(&now, mk->now, 0, mk->tz);
	if (efe) {
		put_le64(e->object_size, len);
		put_le64(e->blocks_recorded, mk->vat_blocks);
		e->atime = e->mtime = e->ctime = e->attr_time = now;
		put_le32(e->checkpoint, 1);
		udf_regid_impl(&e->imp_ident);
		put_le32(e->l_ad, (uint32_t)l_ad);
	} else {
		put_le64(fe->blocks_recorded, mk->vat_blocks);
		fe->atime = fe->mtime = fe->attr_time = now;
		put_le32(fe->checkpoint, 1);
		udf_regid_impl(&fe->imp_ident);
		put_le32(fe->l_ad, (uint32_t)l_ad);
	}
	udf_tag_make(blk, fixed + l_ad, efe ? TAG_EFE : TAG_FE, mk_tag_version(mk), 1,
		     (uint32_t)mk->vat_icb);
}
