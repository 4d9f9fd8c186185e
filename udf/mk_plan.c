/*
 * udf/mk_plan.c - choosing the layout for a medium and giving every object
 * of the image its address (see the address model in mk.h).
 *
 * Volume area (absolute sectors, 2048 bytes): 0-15 zero; 16.. ISO9660
 * descriptors (bridge only) then BEA01/NSR0x/TEA01 with no gap; main VDS
 * 32-47, reserve VDS 48-63, LVID 64 + TD 65, sparing tables 66 and 67;
 * AVDP 256; the partition from 257 (288 with sparing: packet aligned).
 * After the partition: the spare area (sparing), then a closing AVDP on
 * the last sector - except for VAT images, which end at the VAT ICB.
 */
#include <string.h>
#include <sys/stat.h>

#include "udf/ad_chain.h"
#include "udf/mk.h"
#include "udf/osta.h"
#include "udf/reader.h"
#include "util/err.h"

struct media_row {
	const char *name;
	int layout;
	uint16_t rev;
	uint32_t access;
	bool bitmap;
};

static const struct media_row media_rows[] = {
	{ "cd-r", DISCFS_LAYOUT_VAT, UDF_REV_201, PD_ACCESS_WRITE_ONCE, false },
	{ "dvd-r", DISCFS_LAYOUT_VAT, UDF_REV_201, PD_ACCESS_WRITE_ONCE, false },
	{ "dvd+r", DISCFS_LAYOUT_VAT, UDF_REV_201, PD_ACCESS_WRITE_ONCE, false },
	{ "dvd-r-dl", DISCFS_LAYOUT_VAT, UDF_REV_201, PD_ACCESS_WRITE_ONCE, false },
	{ "dvd+r-dl", DISCFS_LAYOUT_VAT, UDF_REV_201, PD_ACCESS_WRITE_ONCE, false },
	{ "bd-r", DISCFS_LAYOUT_VAT, UDF_REV_250, PD_ACCESS_WRITE_ONCE, false },
	{ "cd-rw", DISCFS_LAYOUT_SPARING, UDF_REV_201, PD_ACCESS_REWRITABLE, true },
	{ "dvd-rw", DISCFS_LAYOUT_SPARING, UDF_REV_201, PD_ACCESS_OVERWRITABLE, true },
	{ "dvd+rw", DISCFS_LAYOUT_PLAIN, UDF_REV_201, PD_ACCESS_OVERWRITABLE, true },
	{ "dvd-ram", DISCFS_LAYOUT_PLAIN, UDF_REV_201, PD_ACCESS_OVERWRITABLE, true },
	{ "hdd", DISCFS_LAYOUT_PLAIN, UDF_REV_201, PD_ACCESS_OVERWRITABLE, true },
	{ "bd-re", DISCFS_LAYOUT_METADATA, UDF_REV_250, PD_ACCESS_OVERWRITABLE, true },
	{ "cd-rom", DISCFS_LAYOUT_PLAIN, UDF_REV_201, PD_ACCESS_READ_ONLY, false },
	{ "dvd-rom", DISCFS_LAYOUT_PLAIN, UDF_REV_201, PD_ACCESS_READ_ONLY, false },
	{ "bd-rom", DISCFS_LAYOUT_METADATA, UDF_REV_250, PD_ACCESS_READ_ONLY, false },
};

static bool rev_known(unsigned r)
{
	return r == UDF_REV_102 || r == UDF_REV_150 || r == UDF_REV_200 ||
	       r == UDF_REV_201 || r == UDF_REV_250 || r == UDF_REV_260;
}

int mk_choose_layout(struct udf_mk *mk, const discfs_image_options *o,
		     discfs_error *err)
{
	struct media_row row = { "generic", DISCFS_LAYOUT_PLAIN, UDF_REV_201,
				 PD_ACCESS_READ_ONLY, false };
	if (o->media) {
		size_t i, n = sizeof(media_rows) / sizeof(media_rows[0]);
		for (i = 0; i < n && strcmp(media_rows[i].name, o->media); i++)
			;
		if (i == n)
			return dfs_fail(err, DISCFS_EINVAL,
					"unknown media '%s' (cd-r cd-rw dvd-r dvd+r dvd-rw "
					"dvd+rw dvd-ram bd-r bd-re hdd cd-rom dvd-rom bd-rom)",
					o->media);
		row = media_rows[i];
	}
	mk->iso = o->iso9660 || o->joliet;
	mk->joliet = o->joliet;
	unsigned rev = o->udf_revision;
	if (!rev)
		rev = mk->iso && row.layout == DISCFS_LAYOUT_PLAIN ? UDF_REV_102 : row.rev;
	if (!rev_known(rev))
		return dfs_fail(err, DISCFS_EINVAL,
				"unknown UDF revision %x.%02x (1.02 1.50 2.00 2.01 2.50 2.60)",
				rev >> 8, rev & 0xFF);
	mk->rev = (uint16_t)rev;
	mk->access_type = row.access;
	mk->bitmap = row.bitmap;
	mk->layout = row.layout;
	if (row.layout == DISCFS_LAYOUT_METADATA && rev < UDF_REV_250)
		mk->layout = DISCFS_LAYOUT_PLAIN;
	if (row.layout == DISCFS_LAYOUT_PLAIN && rev >= UDF_REV_250)
		mk->layout = DISCFS_LAYOUT_METADATA;
	if ((mk->layout == DISCFS_LAYOUT_VAT || mk->layout == DISCFS_LAYOUT_SPARING) &&
	    rev < UDF_REV_150)
		return dfs_fail(err, DISCFS_EINVAL,
				"media %s needs UDF 1.50 or later (%s)", row.name,
				mk->layout == DISCFS_LAYOUT_VAT ? "VAT" : "sparing table");
	mk->phys = mk->layout == DISCFS_LAYOUT_SPARING ? MK_PHYS_SPARABLE : MK_PHYS_TYPE1;
	mk->virt = mk->layout == DISCFS_LAYOUT_VAT ? MK_VIRT_VAT
		   : mk->layout == DISCFS_LAYOUT_METADATA ? MK_VIRT_METADATA
							  : MK_VIRT_NONE;
	if (mk->layout == DISCFS_LAYOUT_SPARING && rev >= UDF_REV_250)
		mk->virt = MK_VIRT_METADATA; /* sparable + metadata partition */
	mk->packet = 32;
	/* write units of the media: BD clusters, DVD ECC blocks */
	mk->vat_align = !strncmp(row.name, "bd", 2) ? 32 : !strncmp(row.name, "dvd", 3) ? 16 : 1;
	/* writable metadata volumes record both bitmaps, as UDF 2.50 wants
	 * (2.2.13.1): the partition's, and the metadata bitmap file */
	if (mk->virt == MK_VIRT_VAT)
		mk->bitmap = false;
	mk->meta_bitmap = mk->virt == MK_VIRT_METADATA && mk->bitmap;
	mk->volume_blocks = o->volume_blocks;
	if (mk->volume_blocks && mk->virt != MK_VIRT_VAT &&
	    (mk->phys == MK_PHYS_SPARABLE || !mk->bitmap))
		return dfs_fail(err, DISCFS_EINVAL,
				"a volume size applies to write-once media and to "
				"rewritable media with a space bitmap (dvd+rw, dvd-ram, "
				"bd-re, hdd), not %s", row.name);
	return 0;
}

bool mk_uses_efe(const struct udf_mk *mk)
{
	/* bridge images favour the readers that know only file entries
	 * (pycdlib, libcdio); metadata partitions need EFEs */
	if (mk->iso && mk->virt != MK_VIRT_METADATA)
		return false;
	return mk->rev >= UDF_REV_200;
}

uint16_t mk_tag_version(const struct udf_mk *mk)
{
	return mk->rev >= UDF_REV_200 ? 3 : 2;
}

size_t mk_icb_room(const struct udf_mk *mk)
{
	return MK_BS - (mk_uses_efe(mk) ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe));
}

void mk_icb_ref(const struct udf_mk *mk, uint64_t m, uint32_t *lbn, uint16_t *pref)
{
	if (mk->virt == MK_VIRT_NONE) {
		*lbn = (uint32_t)(mk->meta_base + m);
		*pref = 0;
	} else {
		*lbn = (uint32_t)m;
		*pref = 1;
	}
}

void mk_stream_ref(const struct udf_mk *mk, uint64_t m, uint32_t *lbn, uint16_t *pref)
{
	if (mk->virt == MK_VIRT_METADATA) {
		*lbn = (uint32_t)m;
		*pref = 1;
	} else {
		*lbn = (uint32_t)(mk->meta_base + m);
		*pref = 0;
	}
}

unsigned mk_fid_size(const struct mk_node *n, unsigned offset)
{
	unsigned size = ecma_fid_size(0, n ? n->cs0_len : 0);
	unsigned rest = (MK_BS - (offset + size) % MK_BS) % MK_BS;
	/* the next FID's tag must not straddle a block: grow by an impl regid */
	if (rest && rest < sizeof(struct ecma_tag))
		size += 32;
	return size;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static uint64_t align_up(uint64_t a, uint64_t b)
{
	return div_up(a, b) * b;
}

static uint64_t file_extents(uint64_t bytes)
{
	return div_up(bytes, MK_MAX_EXTENT);
}

uint32_t mk_max_extent(const struct udf_mk *mk)
{
	uint32_t m = mk->max_extent / MK_BS * MK_BS;
	return m && m < MK_MAX_EXTENT ? m : MK_MAX_EXTENT;
}

/* AED blocks the content ADs of ino need after its ICB. */
static int plan_aeds(struct udf_mk *mk, struct mk_node *n, uint64_t len,
		     discfs_error *err)
{
	struct mk_inode *ino = n->ino;
	size_t ea = mk_ea_len(ino), room = mk_icb_room(mk);
	struct udf_ad_chain_fmt f = { .kind = UDF_AD_LONG, .bs = MK_BS,
				      .icb_room = ea < room ? room - ea : 0 };
	uint64_t ext = div_up(len, mk_max_extent(mk));
	uint32_t k = ext > UDF_MAX_EXTENTS ? UINT32_MAX : udf_ad_chain_aeds(&f, (size_t)ext);
	if (k > UDF_MAX_AEDS)
		return dfs_fail(err, DISCFS_ENOTSUP,
				"%s: %llu bytes need more allocation extents than readers follow",
				ino->path ? ino->path : n->name, (unsigned long long)len);
	ino->n_aed = k;
	ino->aed_m = (uint32_t)mk->meta_used;
	mk->meta_used += k;
	return 0;
}

/* Places the content of a non-directory inode (first name only). */
static int plan_content(struct udf_mk *mk, struct mk_node *n, discfs_error *err)
{
	struct mk_inode *ino = n->ino;
	size_t room = mk_icb_room(mk);
	uint64_t len = S_ISLNK(ino->mode) ? ino->body_len : ino->size;

	if (!S_ISREG(ino->mode) && !S_ISLNK(ino->mode)) {
		ino->in_icb = true;
		return 0;
	}
	/* the ISO side needs every non-empty file in its own sectors; UDF 1.02
	 * and 1.50 images are for the oldest readers (libcdio reads in-ICB
	 * files as empty), so there only empty files stay in the ICB */
	bool small_ok = !mk->iso && mk->rev >= UDF_REV_200;
	ino->in_icb = len == 0 || S_ISLNK(ino->mode) || (len <= room && small_ok);
	if (ino->in_icb)
		return 0;
	int rc = plan_aeds(mk, n, len, err);
	if (rc)
		return rc;
	ino->data_pos = mk->data_blocks;
	ino->blocks = div_up(len, MK_BS);
	mk->data_blocks += ino->blocks;
	return mk_nodes_push(&mk->data_order, n, err);
}

static int place_icb(struct udf_mk *mk, struct mk_node *n, discfs_error *err)
{
	n->ino->icb_m = (uint32_t)mk->meta_used++;
	n->ino->placed = true;
	return mk_nodes_push(&mk->icb_order, n, err);
}

/* Depth-first: dir ICB, its FID stream, its children's ICBs, subdirs. */
static int plan_dir(struct udf_mk *mk, struct mk_node *d, discfs_error *err)
{
	int rc = place_icb(mk, d, err);
	if (rc)
		return rc;
	unsigned off = mk_fid_size(NULL, 0);
	for (size_t i = 0; i < d->nkids; i++)
		off += mk_fid_size(d->kids[i], off);
	d->ino->size = off;
	d->ino->data_pos = mk->meta_used;
	d->ino->blocks = div_up(off, MK_BS);
	mk->meta_used += d->ino->blocks;
	if (file_extents(off) * sizeof(struct ecma_long_ad) > mk_icb_room(mk))
		return dfs_fail(err, DISCFS_ENOTSUP, "directory too large");

	for (size_t i = 0; i < d->nkids; i++) {
		struct mk_node *k = d->kids[i];
		if (S_ISDIR(k->ino->mode))
			continue;
		if (k->ino->placed) { /* another hard link to a planned inode */
			k->fid_unique_id = (uint32_t)mk->next_unique_id++;
			continue;
		}
		k->ino->unique_id = mk->next_unique_id++;
		k->fid_unique_id = (uint32_t)k->ino->unique_id;
		if ((rc = place_icb(mk, k, err)) || (rc = plan_content(mk, k, err)))
			return rc;
	}
	for (size_t i = 0; i < d->nkids; i++) {
		struct mk_node *k = d->kids[i];
		if (!S_ISDIR(k->ino->mode))
			continue;
		k->ino->unique_id = mk->next_unique_id++;
		k->fid_unique_id = (uint32_t)k->ino->unique_id;
		if ((rc = plan_dir(mk, k, err)))
			return rc;
	}
	return 0;
}

/* A sized volume's metadata file keeps room for later sessions (a 256th
 * of the volume): the writer grows it with a second extent once that is
 * used, and libudfread (Blu-ray players), which follows only the first
 * extent of the metadata file, then stops finding the new entries. */
static uint64_t meta_reserve(const struct udf_mk *mk)
{
	return mk->volume_blocks / 256;
}

/* Blocks of the metadata bitmap file: its bits for the metadata partition,
 * with room for it to grow in a volume that has free space (to a 16th of
 * the volume, the writer's limit; udf/update_meta.c). */
static uint64_t meta_bitmap_blocks(const struct udf_mk *mk)
{
	uint64_t bits = mk->meta_blocks + mk->volume_blocks / 16;
	return div_up(sizeof(struct ecma_sbd) + div_up(bits, 8), MK_BS);
}

/* Physical partition layout; returns its length for a given bitmap size. */
static uint64_t plan_partition(struct udf_mk *mk, uint64_t sbd_blocks)
{
	uint64_t pos = 0;

	/* A bridge image's file set descriptor opens the partition: pycdlib
	 * reads it there whatever the logical volume says. */
	mk->meta_first = mk->iso && mk->virt != MK_VIRT_METADATA;
	if (mk->meta_first) {
		mk->meta_blocks = mk->meta_used;
		mk->meta_base = pos;
		pos += mk->meta_blocks;
	}
	mk->sbd_pos = pos;
	mk->sbd_blocks = mk->bitmap ? sbd_blocks : 0;
	pos += mk->sbd_blocks;
	/* the ISO area before the data: readers that size the volume by the
	 * last UDF extent (7-Zip) then find the closing anchor right after it */
	mk->iso_base = pos;
	pos += mk->iso_blocks;
	if (mk->virt == MK_VIRT_METADATA) {
		mk->metafile_fe = pos++;
		mk->mirror_fe = pos++;
		mk->meta_blocks = align_up(mk->meta_used + meta_reserve(mk), 32);
		if (mk->meta_bitmap) {
			mk->metabm_fe = pos++;
			mk->metabm_pos = pos;
			mk->metabm_blocks = meta_bitmap_blocks(mk);
			pos += mk->metabm_blocks;
		}
		pos = align_up(pos, 32);
	} else if (!mk->meta_first) {
		mk->meta_blocks = mk->meta_used;
	}
	if (!mk->meta_first) {
		mk->meta_base = pos;
		pos += mk->meta_blocks;
	}
	mk->data_base = pos;
	pos += mk->data_blocks;
	if (mk->virt == MK_VIRT_METADATA) {
		pos = align_up(pos, 32);
		mk->mirror_base = pos;
		pos += mk->meta_blocks;
	}
	if (mk->virt == MK_VIRT_VAT) {
		size_t vat = mk_vat_bytes(mk);
		mk->vat_blocks = vat <= mk_icb_room(mk) ? 0 : div_up(vat, MK_BS);
		/* the VAT ends a whole write unit: a burner pads the track to
		 * one, and readers look for the VAT in the last block written
		 * (Linux: at most 3 blocks before it) */
		uint64_t end = mk->part_start + pos + mk->vat_blocks + 1;
		pos += (mk->vat_align - end % mk->vat_align) % mk->vat_align;
		mk->vat_pos = pos;
		pos += mk->vat_blocks;
		mk->vat_icb = pos++;
	}
	if (mk->phys == MK_PHYS_SPARABLE)
		pos = align_up(pos, mk->packet);
	return pos;
}

/* With a volume size: the partition runs to the last anchor, one block
 * before the end, or on write-once media (VAT) to the end, where later
 * sessions append; what the content leaves is free space. */
static int fill_volume(struct udf_mk *mk, discfs_error *err)
{
	bool vat = mk->virt == MK_VIRT_VAT;
	if (!mk->volume_blocks)
		return 0;
	uint64_t need = mk->part_start + mk->used_len + !vat;
	if (mk->volume_blocks < need || mk->volume_blocks > 0xFFFFFFFFull)
		return dfs_fail(err, mk->volume_blocks < need ? DISCFS_ENOSPC : DISCFS_EINVAL,
				"the tree needs a volume of %llu blocks; %llu asked",
				(unsigned long long)need,
				(unsigned long long)mk->volume_blocks);
	mk->part_len = mk->volume_blocks - !vat - mk->part_start;
	return 0;
}

static void plan_volume(struct udf_mk *mk)
{
	mk->vrs_start = 16 + mk_iso_vd_count(mk);
	mk->vrs_count = 3;
	mk->vds_main = 32;
	mk->vds_reserve = 48;
	mk->vds_len = 16;
	mk->lvid_pos = 64;
	mk->lvid_len = 2;
	mk->sparing_tab[0] = 66;
	mk->sparing_tab[1] = 67;
	mk->part_start = mk->phys == MK_PHYS_SPARABLE ? 288 : 257;
}

int mk_plan(struct udf_mk *mk, discfs_error *err)
{
	int rc;

	plan_volume(mk);
	mk->next_unique_id = UDF_FIRST_UNIQUE_ID;
	mk->meta_used = 2; /* FSD at meta index 0, its terminator at 1 */
	mk->root->ino->unique_id = 0;
	if ((rc = plan_dir(mk, mk->root, err)))
		return rc;
	if (mk->iso &&
	    (rc = mk_iso_plan(mk, 0, &mk->iso_blocks, err)))
		return rc;

	/* the bitmap's size depends on the partition's, which includes it */
	uint64_t sbd = 1;
	for (;;) {
		mk->part_len = mk->used_len = plan_partition(mk, sbd);
		if ((rc = fill_volume(mk, err)))
			return rc;
		uint64_t need = div_up(sizeof(struct ecma_sbd) + div_up(mk->part_len, 8), MK_BS);
		if (!mk->bitmap || need <= sbd)
			break;
		sbd = need;
	}
	uint64_t end = mk->part_start + mk->part_len;
	if (mk->phys == MK_PHYS_SPARABLE) {
		mk->n_spare_packets = 8;
		mk->spare_start = align_up(end, mk->packet);
		end = mk->spare_start + (uint64_t)mk->n_spare_packets * mk->packet;
	}
	if (mk->virt == MK_VIRT_VAT) { /* recorded up to the VAT */
		mk->avdp_end = 0;
		mk->total = mk->part_start + mk->used_len;
	} else {
		mk->avdp_end = end;
		mk->total = end + 1;
	}
	if (mk->total > 0xFFFFFFFFull)
		return dfs_fail(err, DISCFS_ENOSPC, "image of %llu blocks exceeds 32-bit sectors",
				(unsigned long long)mk->total);
	if (mk->iso && (rc = mk_iso_plan(mk, mk->part_start + mk->iso_base,
					 &mk->iso_blocks, err)))
		return rc;
	return 0;
}
