/*
 * udf/read_int.h - the reader's internal state, shared by udf/read_*.c and
 * udf/fsck*.c (which inspects what the reader found).  Not for other
 * modules: they use udf/reader.h.
 *
 * Address translation (read_map.c): a partition reference (LVD map index)
 * plus a logical block number becomes an absolute block of the source:
 *   type 1:   PD start + lbn                           (lbn < PD length)
 *   sparable: as type 1, then the packet is looked up in the sparing table
 *   virtual:  VAT[lbn] through the physical map of the same partition
 *   metadata: byte lbn*bs of the metadata file's extents, physical map
 */
#ifndef DFS_UDF_READ_INT_H
#define DFS_UDF_READ_INT_H

#include "udf/reader.h"

enum udf_map_kind { MAPK_TYPE1, MAPK_SPARABLE, MAPK_VIRTUAL, MAPK_METADATA };

/* One extent of a file, as decoded from its allocation descriptors. */
struct udf_ext {
	uint64_t file_off; /* byte offset of this extent in the file */
	uint32_t len;      /* bytes */
	uint8_t type;      /* enum ecma_ext_type (never EXT_NEXT_AD here) */
	uint16_t part;     /* partition reference */
	uint32_t lbn;
};

struct udf_map {
	enum udf_map_kind kind;
	uint16_t part_num;     /* PD partition number */
	int pd;                /* index into vol->pds, -1 if none */
	int phys;              /* map index of the physical map (virtual/meta) */
	/* sparable */
	uint32_t packet_len;
	uint32_t n_tables;
	uint32_t table_size;
	uint32_t table_loc[4];
	uint32_t n_spare;
	uint32_t *spare_orig;  /* sorted as recorded */
	uint32_t *spare_mapped;
	int spare_table_used;  /* which copy was loaded, -1 none */
	/* virtual */
	uint32_t *vat;
	uint32_t vat_n;
	uint64_t vat_abs;      /* absolute block of the VAT ICB */
	uint32_t vat_prev;     /* previous VAT ICB (partition-relative) */
	uint16_t vat_rev;      /* 0x0150 or 0x0200+ format */
	/* metadata */
	uint32_t meta_loc[3];  /* main, mirror, bitmap FE (physical lbn) */
	uint32_t alloc_unit;
	uint16_t align_unit;
	uint8_t meta_flags;
	int meta_used;         /* 0 main, 1 mirror */
	struct udf_ext *meta_ext;
	uint32_t meta_n;
};

struct udf_pd {
	uint16_t part_num;
	uint32_t access;
	uint32_t start, length;
	uint32_t bitmap_lbn, bitmap_len; /* unallocated space bitmap (len 0: none) */
	uint32_t table_lbn, table_len;   /* unallocated space table */
	uint32_t freed_bitmap_len, freed_table_len;
};

struct udf_vol {
	struct udf_bsrc src;
	uint32_t bs;
	uint64_t session;
	uint64_t last;            /* last block considered recorded */
	uint64_t anchor;          /* absolute block of the AVDP used */
	uint64_t vds_loc[2];      /* main, reserve: absolute block */
	uint32_t vds_len[2];      /* blocks */
	int vds_used;             /* 0 main, 1 reserve */
	uint64_t pvd_loc, lvd_loc, iuvd_loc;
	uint64_t lvid_loc;        /* absolute block of the prevailing LVID, 0 none */
	uint64_t lvid_ext_loc;    /* integrity sequence extent */
	uint32_t lvid_ext_len;    /* bytes */
	uint8_t *lvid;            /* copy of the prevailing LVID block */
	uint8_t *lvd;             /* copy of the LVD (lvd_size bytes) */
	size_t lvd_size;
	uint16_t desc_version;    /* 2 or 3 */
	struct udf_pd pds[UDF_MAX_MAPS];
	unsigned n_pds;
	struct udf_map maps[UDF_MAX_MAPS];
	unsigned n_maps;
	int phys_map;             /* map index holding file data by default */
	struct udf_icb fsd;
	uint64_t fsd_abs;
	struct udf_icb root;
	struct udf_icb stream_dir; /* lbn UINT32_MAX if none */
	struct udf_vol_info info;
};

#define UDF_INODE_AED_KEEP 64

struct udf_inode {
	struct udf_icb icb;       /* where the (final) FE is */
	uint64_t abs;             /* absolute block of the FE */
	bool efe;
	uint8_t file_type;
	uint16_t icb_flags;
	uint16_t strategy;
	struct udf_stat st;
	uint8_t *inline_data;     /* in-ICB data (ICBF_AD_IN_ICB), else NULL */
	uint32_t inline_len;
	struct udf_ext *ext;
	uint32_t n_ext;
	uint32_t n_aed;
	uint64_t aed_abs[UDF_INODE_AED_KEEP]; /* first AEDs, for fsck */
	struct udf_icb stream_dir; /* lbn UINT32_MAX if none */
	struct udf_icb ea_icb;     /* lbn UINT32_MAX if none */
	uint8_t *ea;               /* the FE's EA space (udf/ea_space.h), or NULL */
	uint32_t ea_len;
};

/* read_map.c ------------------------------------------------------------ */

/* Translates (part, lbn) to an absolute block; EFORMAT when outside. */
int udf_map_block(struct udf_vol *vol, uint16_t part, uint32_t lbn,
		  uint64_t *abs, discfs_error *err);

/* Reads count logical blocks of partition part starting at lbn. */
int udf_read_lblocks(struct udf_vol *vol, uint16_t part, uint32_t lbn,
		     uint32_t count, void *buf, discfs_error *err);

/* Reads one absolute block. */
int udf_read_abs(struct udf_vol *vol, uint64_t abs, void *buf,
		 discfs_error *err);

/* Partition length in blocks as seen through map part (virtual: VAT size). */
uint64_t udf_map_length(const struct udf_vol *vol, uint16_t part);

/* read_vds.c ------------------------------------------------------------ */
int udf_find_anchor(struct udf_vol *vol, discfs_error *err);
int udf_read_vds(struct udf_vol *vol, discfs_error *err);
int udf_read_lvid(struct udf_vol *vol, discfs_error *err);

/* read_part.c ----------------------------------------------------------- */
int udf_load_maps(struct udf_vol *vol, discfs_error *err);
void udf_free_maps(struct udf_vol *vol);

/* read_vat.c ------------------------------------------------------------ */
int udf_load_vat(struct udf_vol *vol, unsigned mapi, discfs_error *err);
/* Parses a VAT ICB block at partition-relative lbn of the physical map;
 * on success stores the table into map (which must be a virtual map). */
int udf_vat_try(struct udf_vol *vol, unsigned mapi, uint32_t lbn,
		discfs_error *err);

/* read_icb.c ------------------------------------------------------------ */

/* Decodes a FE/EFE block already read (buf, block size) at icb. */
int udf_inode_decode(struct udf_vol *vol, struct udf_icb icb, uint64_t abs,
		     const uint8_t *buf, struct udf_inode **out,
		     discfs_error *err);

/* Reads the whole stream of ino into a new buffer (bounded by max). */
int udf_read_stream(struct udf_vol *vol, struct udf_inode *ino, uint64_t max,
		    uint8_t **out, size_t *len, discfs_error *err);

/* read_dir.c ------------------------------------------------------------ */

/* One FID as parsed (name not yet decoded). */
struct udf_fid {
	uint8_t characteristics;
	struct udf_icb icb;
	uint32_t unique_id;
	const uint8_t *name;      /* CS0 */
	uint8_t l_fi;
	uint32_t offset;          /* in the directory stream */
	uint32_t size;            /* padded */
};

/*
 * Iterates the FIDs of a directory stream; fid_cb returns like
 * udf_dirent_cb.  Checks tag, CRC and sizes of each FID.
 */
typedef int (*udf_fid_cb)(void *arg, const struct udf_fid *f,
			  discfs_error *err);
int udf_fids_parse(const uint8_t *data, size_t len, udf_fid_cb cb, void *arg,
		   discfs_error *err);

/* The safe name of a FID (udf/safe_name.h) into out (cap >= 256). */
int udf_fid_name(const struct udf_fid *f, char *out, size_t cap,
		 discfs_error *err);

#endif
