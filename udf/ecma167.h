/*
 * udf/ecma167.h - ECMA-167 (3rd edition) on-disc structures, parts 3 and 4,
 * as UDF (1.02 .. 2.60) uses them.
 *
 * Layout rule: every structure is a struct of uint8_t arrays only, so it
 * has no padding, no alignment needs and no host byte order.  Multi-byte
 * fields are little-endian and are read and written with get_le16/32/64 and
 * put_le16/32/64 from util/bytes.h.  Each struct's size is checked at
 * compile time against the standard.  A struct may be laid over any byte
 * buffer (a block read from disc) without copying.
 *
 * Variable-length tails (partition maps, allocation descriptors, FID names,
 * extended attributes) are not declared as members; their offset is the
 * struct's size (e.g. EA and AD area at sizeof(struct ecma_fe)).
 *
 * Names follow the standard with short prefixes; offsets are given in the
 * comments so they can be checked against udf-notes.md.
 */
#ifndef DFS_UDF_ECMA167_H
#define DFS_UDF_ECMA167_H

#include <stdint.h>

#define ECMA_SA(type, size) \
	_Static_assert(sizeof(type) == (size), #type " must be " #size " bytes")

/* ------------------------------------------------------- tag identifiers */
enum ecma_tag_id {
	TAG_SPARING_TABLE = 0, /* UDF: sparing table uses ident 0 */
	TAG_PVD = 1,
	TAG_AVDP = 2,
	TAG_VDP = 3,
	TAG_IUVD = 4,
	TAG_PD = 5,
	TAG_LVD = 6,
	TAG_USD = 7,
	TAG_TD = 8,
	TAG_LVID = 9,
	TAG_FSD = 256,
	TAG_FID = 257,
	TAG_AED = 258,
	TAG_IE = 259,
	TAG_TE = 260,
	TAG_FE = 261,
	TAG_EAHD = 262,
	TAG_USE = 263,
	TAG_SBD = 264,
	TAG_PIE = 265,
	TAG_EFE = 266,
};

/* ---------------------------------------------------- basic structures */

/* Descriptor tag (3/7.2), 16 bytes. */
struct ecma_tag {
	uint8_t ident[2];     /* @0 enum ecma_tag_id */
	uint8_t version[2];   /* @2 2 (NSR02) or 3 (NSR03) */
	uint8_t checksum;     /* @4 sum of bytes 0-3 and 5-15 */
	uint8_t reserved;     /* @5 */
	uint8_t serial[2];    /* @6 */
	uint8_t crc[2];       /* @8 CRC-ITU of bytes 16 .. 16+crc_len-1 */
	uint8_t crc_len[2];   /* @10 */
	uint8_t location[4];  /* @12 block number of this descriptor */
};
ECMA_SA(struct ecma_tag, 16);

/* Character set specification (1/7.2.1), 64 bytes. */
struct ecma_charspec {
	uint8_t type;         /* 0 = CS0 */
	uint8_t info[63];     /* "OSTA Compressed Unicode", zero padded */
};
ECMA_SA(struct ecma_charspec, 64);

/* Timestamp (1/7.3), 12 bytes; see udf/timestamp.h. */
struct ecma_timestamp {
	uint8_t type_tz[2];   /* @0 type bits 12-15, tz minutes bits 0-11 */
	uint8_t year[2];      /* @2 */
	uint8_t month, day, hour, minute, second;
	uint8_t centisec, hundred_us, us;
};
ECMA_SA(struct ecma_timestamp, 12);

/* Entity identifier / regid (1/7.4), 32 bytes. */
struct ecma_regid {
	uint8_t flags;        /* bit0 dirty, bit1 protected */
	uint8_t ident[23];
	uint8_t suffix[8];
};
ECMA_SA(struct ecma_regid, 32);

/* Extent descriptor (3/7.1), 8 bytes: absolute sectors. */
struct ecma_extent_ad {
	uint8_t length[4];    /* bytes */
	uint8_t location[4];  /* sector */
};
ECMA_SA(struct ecma_extent_ad, 8);

/* Recorded address (4/7.1), 6 bytes. */
struct ecma_lb_addr {
	uint8_t lbn[4];       /* logical block within the partition */
	uint8_t part_ref[2];  /* partition reference number (map index) */
};
ECMA_SA(struct ecma_lb_addr, 6);

/* Extent length word: top two bits are the extent type. */
#define ECMA_EXT_LEN_MASK 0x3FFFFFFFu
#define ECMA_EXT_TYPE_SHIFT 30
enum ecma_ext_type {
	EXT_RECORDED = 0,     /* recorded and allocated */
	EXT_ALLOCATED = 1,    /* allocated, not recorded */
	EXT_NOT_ALLOCATED = 2,/* sparse */
	EXT_NEXT_AD = 3,      /* continues in an AED */
};

/* Short allocation descriptor (4/14.14.1), 8 bytes. */
struct ecma_short_ad {
	uint8_t length[4];
	uint8_t position[4];  /* lbn in the ICB's own partition */
};
ECMA_SA(struct ecma_short_ad, 8);

/* Long allocation descriptor (4/14.14.2), 16 bytes. */
struct ecma_long_ad {
	uint8_t length[4];
	struct ecma_lb_addr loc;
	uint8_t imp_use[6];   /* UDF ADImpUse: flags u16, imp_use[4] (FID: UniqueID) */
};
ECMA_SA(struct ecma_long_ad, 16);

/* Extended allocation descriptor (4/14.14.3), 20 bytes (not for files). */
struct ecma_ext_ad {
	uint8_t length[4];
	uint8_t recorded_length[4];
	uint8_t info_length[4];
	struct ecma_lb_addr loc;
	uint8_t imp_use[2];
};
ECMA_SA(struct ecma_ext_ad, 20);

/* -------------------------------------------------- volume recognition */

/* Volume structure descriptor (2/9.1): one per 2048 bytes from 32 KiB. */
struct ecma_vsd {
	uint8_t type;         /* 0 */
	uint8_t ident[5];     /* "BEA01" "NSR02" "NSR03" "TEA01" "CD001" */
	uint8_t version;      /* 1 */
	uint8_t data[2041];
};
ECMA_SA(struct ecma_vsd, 2048);

/* -------------------------------------------------- part 3: volume */

/* Anchor volume descriptor pointer (3/10.2), 512 bytes. */
struct ecma_avdp {
	struct ecma_tag tag;
	struct ecma_extent_ad main_vds;    /* @16 */
	struct ecma_extent_ad reserve_vds; /* @24 */
	uint8_t reserved[480];
};
ECMA_SA(struct ecma_avdp, 512);

/* Primary volume descriptor (3/10.1), 512 bytes. */
struct ecma_pvd {
	struct ecma_tag tag;
	uint8_t vds_num[4];                /* @16 */
	uint8_t pvd_num[4];                /* @20 */
	uint8_t vol_ident[32];             /* @24 dstring */
	uint8_t vol_seq_num[2];            /* @56 */
	uint8_t max_vol_seq_num[2];        /* @58 */
	uint8_t interchange_level[2];      /* @60 */
	uint8_t max_interchange_level[2];  /* @62 */
	uint8_t charset_list[4];           /* @64 */
	uint8_t max_charset_list[4];       /* @68 */
	uint8_t vol_set_ident[128];        /* @72 dstring */
	struct ecma_charspec desc_charset; /* @200 */
	struct ecma_charspec expl_charset; /* @264 */
	struct ecma_extent_ad vol_abstract;/* @328 */
	struct ecma_extent_ad vol_copyright;/* @336 */
	struct ecma_regid app_ident;       /* @344 */
	struct ecma_timestamp rec_time;    /* @376 */
	struct ecma_regid imp_ident;       /* @388 */
	uint8_t imp_use[64];               /* @420 */
	uint8_t pred_vds_loc[4];           /* @484 */
	uint8_t flags[2];                  /* @488 */
	uint8_t reserved[22];              /* @490 */
};
ECMA_SA(struct ecma_pvd, 512);

/* Implementation use volume descriptor (3/10.4), 512 bytes; UDF 2.2.7. */
struct ecma_iuvd {
	struct ecma_tag tag;
	uint8_t vds_num[4];                /* @16 */
	struct ecma_regid imp_ident;       /* @20 "*UDF LV Info" */
	/* @52 UDF LV information */
	struct ecma_charspec lvi_charset;  /* @52 */
	uint8_t lv_ident[128];             /* @116 dstring */
	uint8_t lv_info1[36];              /* @244 */
	uint8_t lv_info2[36];              /* @280 */
	uint8_t lv_info3[36];              /* @316 */
	struct ecma_regid lvi_imp_ident;   /* @352 */
	uint8_t lvi_imp_use[128];          /* @384 */
};
ECMA_SA(struct ecma_iuvd, 512);

/* Partition header descriptor (4/14.3), carried in PD contents use. */
struct ecma_phd {
	struct ecma_short_ad unalloc_table;  /* @0 */
	struct ecma_short_ad unalloc_bitmap; /* @8 */
	struct ecma_short_ad integrity_table;/* @16 */
	struct ecma_short_ad freed_table;    /* @24 */
	struct ecma_short_ad freed_bitmap;   /* @32 */
	uint8_t reserved[88];
};
ECMA_SA(struct ecma_phd, 128);

enum ecma_access_type {
	PD_ACCESS_POW_OR_UNSPEC = 0,
	PD_ACCESS_READ_ONLY = 1,
	PD_ACCESS_WRITE_ONCE = 2,
	PD_ACCESS_REWRITABLE = 3,
	PD_ACCESS_OVERWRITABLE = 4,
};

/* Partition descriptor (3/10.5), 512 bytes. */
struct ecma_pd {
	struct ecma_tag tag;
	uint8_t vds_num[4];                /* @16 */
	uint8_t flags[2];                  /* @20 bit0 allocated */
	uint8_t part_num[2];               /* @22 */
	struct ecma_regid contents;        /* @24 "+NSR02" / "+NSR03" */
	struct ecma_phd header;            /* @56 contents use */
	uint8_t access_type[4];            /* @184 enum ecma_access_type */
	uint8_t start[4];                  /* @188 sector */
	uint8_t length[4];                 /* @192 blocks */
	struct ecma_regid imp_ident;       /* @196 */
	uint8_t imp_use[128];              /* @228 */
	uint8_t reserved[156];             /* @356 */
};
ECMA_SA(struct ecma_pd, 512);

/* Logical volume descriptor (3/10.6): 440 bytes, then partition maps. */
struct ecma_lvd {
	struct ecma_tag tag;
	uint8_t vds_num[4];                /* @16 */
	struct ecma_charspec desc_charset; /* @20 */
	uint8_t lv_ident[128];             /* @84 dstring */
	uint8_t block_size[4];             /* @212 */
	struct ecma_regid domain_ident;    /* @216 "*OSTA UDF Compliant" */
	struct ecma_long_ad fsd_loc;       /* @248 LV contents use */
	uint8_t map_table_len[4];          /* @264 */
	uint8_t num_maps[4];               /* @268 */
	struct ecma_regid imp_ident;       /* @272 */
	uint8_t imp_use[128];              /* @304 */
	struct ecma_extent_ad integrity_seq;/* @432 */
};
ECMA_SA(struct ecma_lvd, 440);

/* Unallocated space descriptor (3/10.8): 24 bytes, then extent_ads. */
struct ecma_usd {
	struct ecma_tag tag;
	uint8_t vds_num[4];                /* @16 */
	uint8_t num_alloc_descs[4];        /* @20 */
};
ECMA_SA(struct ecma_usd, 24);

/* Terminating descriptor (3/10.9 and 4/14.2), 512 bytes. */
struct ecma_td {
	struct ecma_tag tag;
	uint8_t reserved[496];
};
ECMA_SA(struct ecma_td, 512);

enum ecma_integrity_type { LVID_OPEN = 0, LVID_CLOSE = 1 };

/*
 * Logical volume integrity descriptor (3/10.10): 80 bytes, then
 * free_space[n] u32, size[n] u32, then implementation use (struct
 * udf_lvid_iu in osta.h).  n = number of partition maps.
 */
struct ecma_lvid {
	struct ecma_tag tag;
	struct ecma_timestamp rec_time;    /* @16 */
	uint8_t integrity_type[4];         /* @28 */
	struct ecma_extent_ad next_ext;    /* @32 */
	uint8_t next_unique_id[8];         /* @40 LV header (UDF) */
	uint8_t lv_contents_reserved[24];  /* @48 */
	uint8_t num_partitions[4];         /* @72 */
	uint8_t imp_use_len[4];            /* @76 */
};
ECMA_SA(struct ecma_lvid, 80);

/* -------------------------------------------------- part 4: files */

/* File set descriptor (4/14.1), 512 bytes. */
struct ecma_fsd {
	struct ecma_tag tag;
	struct ecma_timestamp rec_time;    /* @16 */
	uint8_t interchange_level[2];      /* @28 */
	uint8_t max_interchange_level[2];  /* @30 */
	uint8_t charset_list[4];           /* @32 */
	uint8_t max_charset_list[4];       /* @36 */
	uint8_t file_set_num[4];           /* @40 */
	uint8_t file_set_desc_num[4];      /* @44 */
	struct ecma_charspec lvi_charset;  /* @48 */
	uint8_t lv_ident[128];             /* @112 dstring */
	struct ecma_charspec fs_charset;   /* @240 */
	uint8_t fs_ident[32];              /* @304 dstring */
	uint8_t copyright_ident[32];       /* @336 */
	uint8_t abstract_ident[32];        /* @368 */
	struct ecma_long_ad root_icb;      /* @400 */
	struct ecma_regid domain_ident;    /* @416 */
	struct ecma_long_ad next_ext;      /* @448 */
	struct ecma_long_ad stream_dir_icb;/* @464 */
	uint8_t reserved[32];              /* @480 */
};
ECMA_SA(struct ecma_fsd, 512);

enum ecma_file_type {
	FT_UNSPECIFIED = 0, /* also UDF 1.50 VAT */
	FT_USE = 1,
	FT_PIE = 2,
	FT_IE = 3,
	FT_DIR = 4,
	FT_FILE = 5,
	FT_BLOCKDEV = 6,
	FT_CHARDEV = 7,
	FT_EA = 8,
	FT_FIFO = 9,
	FT_SOCKET = 10,
	FT_TE = 11,
	FT_SYMLINK = 12,
	FT_STREAMDIR = 13,
	FT_VAT20 = 248,
	FT_REALTIME = 249,
	FT_METADATA = 250,
	FT_METADATA_MIRROR = 251,
	FT_METADATA_BITMAP = 252,
};

/* ICB tag flags (4/14.6.8). */
#define ICBF_AD_MASK 0x0007u
#define ICBF_AD_SHORT 0u
#define ICBF_AD_LONG 1u
#define ICBF_AD_EXT 2u
#define ICBF_AD_IN_ICB 3u
#define ICBF_SORTED 0x0008u
#define ICBF_NONRELOC 0x0010u
#define ICBF_ARCHIVE 0x0020u
#define ICBF_SETUID 0x0040u
#define ICBF_SETGID 0x0080u
#define ICBF_STICKY 0x0100u
#define ICBF_CONTIGUOUS 0x0200u
#define ICBF_SYSTEM 0x0400u
#define ICBF_TRANSFORMED 0x0800u
#define ICBF_MULTIVERSION 0x1000u
#define ICBF_STREAM 0x2000u

/* ICB tag (4/14.6), 20 bytes. */
struct ecma_icbtag {
	uint8_t prior_entries[4];          /* @0 */
	uint8_t strategy_type[2];          /* @4 4 or 4096 */
	uint8_t strategy_param[2];         /* @6 */
	uint8_t max_entries[2];            /* @8 */
	uint8_t reserved;                  /* @10 */
	uint8_t file_type;                 /* @11 enum ecma_file_type */
	struct ecma_lb_addr parent;        /* @12 */
	uint8_t flags[2];                  /* @18 ICBF_* */
};
ECMA_SA(struct ecma_icbtag, 20);

/* File entry (4/14.9): 176 bytes, then EAs (l_ea) and ADs (l_ad). */
struct ecma_fe {
	struct ecma_tag tag;
	struct ecma_icbtag icbtag;         /* @16 */
	uint8_t uid[4];                    /* @36 */
	uint8_t gid[4];                    /* @40 */
	uint8_t permissions[4];            /* @44 */
	uint8_t link_count[2];             /* @48 */
	uint8_t record_format;             /* @50 */
	uint8_t record_attrs;              /* @51 */
	uint8_t record_length[4];          /* @52 */
	uint8_t info_length[8];            /* @56 */
	uint8_t blocks_recorded[8];        /* @64 */
	struct ecma_timestamp atime;       /* @72 */
	struct ecma_timestamp mtime;       /* @84 */
	struct ecma_timestamp attr_time;   /* @96 */
	uint8_t checkpoint[4];             /* @108 */
	struct ecma_long_ad ea_icb;        /* @112 */
	struct ecma_regid imp_ident;       /* @128 */
	uint8_t unique_id[8];              /* @160 */
	uint8_t l_ea[4];                   /* @168 */
	uint8_t l_ad[4];                   /* @172 */
};
ECMA_SA(struct ecma_fe, 176);

/* Extended file entry (4/14.17): 216 bytes, then EAs and ADs. */
struct ecma_efe {
	struct ecma_tag tag;
	struct ecma_icbtag icbtag;         /* @16 */
	uint8_t uid[4];                    /* @36 */
	uint8_t gid[4];                    /* @40 */
	uint8_t permissions[4];            /* @44 */
	uint8_t link_count[2];             /* @48 */
	uint8_t record_format;             /* @50 */
	uint8_t record_attrs;              /* @51 */
	uint8_t record_length[4];          /* @52 */
	uint8_t info_length[8];            /* @56 */
	uint8_t object_size[8];            /* @64 */
	uint8_t blocks_recorded[8];        /* @72 */
	struct ecma_timestamp atime;       /* @80 */
	struct ecma_timestamp mtime;       /* @92 */
	struct ecma_timestamp ctime;       /* @104 creation time */
	struct ecma_timestamp attr_time;   /* @116 */
	uint8_t checkpoint[4];             /* @128 */
	uint8_t reserved[4];               /* @132 */
	struct ecma_long_ad ea_icb;        /* @136 */
	struct ecma_long_ad stream_dir_icb;/* @152 */
	struct ecma_regid imp_ident;       /* @168 */
	uint8_t unique_id[8];              /* @200 */
	uint8_t l_ea[4];                   /* @208 */
	uint8_t l_ad[4];                   /* @212 */
};
ECMA_SA(struct ecma_efe, 216);

/* Permission bits (4/14.9.5): other 0-4, group 5-9, owner 10-14. */
#define ECMA_PERM_X 0x01u
#define ECMA_PERM_W 0x02u
#define ECMA_PERM_R 0x04u
#define ECMA_PERM_CHATTR 0x08u
#define ECMA_PERM_DELETE 0x10u
#define ECMA_PERM_OTHER_SHIFT 0
#define ECMA_PERM_GROUP_SHIFT 5
#define ECMA_PERM_OWNER_SHIFT 10

/* FID characteristics (4/14.4.3). */
#define FID_HIDDEN 0x01u
#define FID_DIRECTORY 0x02u
#define FID_DELETED 0x04u
#define FID_PARENT 0x08u
#define FID_METADATA 0x10u

/*
 * File identifier descriptor (4/14.4): 38 bytes, then imp_use[l_iu],
 * name[l_fi] (CS0), zero padding to a multiple of 4.
 */
struct ecma_fid {
	struct ecma_tag tag;
	uint8_t version[2];                /* @16 = 1 */
	uint8_t characteristics;           /* @18 FID_* */
	uint8_t l_fi;                      /* @19 */
	struct ecma_long_ad icb;           /* @20 */
	uint8_t l_iu[2];                   /* @36 */
};
ECMA_SA(struct ecma_fid, 38);

/* Size of a FID with the given implementation-use and name lengths. */
static inline unsigned ecma_fid_size(unsigned l_iu, unsigned l_fi)
{
	return (38u + l_iu + l_fi + 3u) & ~3u;
}

/* Terminal entry (4/14.8), 36 bytes. */
struct ecma_te {
	struct ecma_tag tag;
	struct ecma_icbtag icbtag;
};
ECMA_SA(struct ecma_te, 36);

/* Indirect entry (4/14.7), 52 bytes. */
struct ecma_ie {
	struct ecma_tag tag;
	struct ecma_icbtag icbtag;
	struct ecma_long_ad indirect_icb;
};
ECMA_SA(struct ecma_ie, 52);

/* Allocation extent descriptor (4/14.5): 24 bytes, then ADs. */
struct ecma_aed {
	struct ecma_tag tag;
	uint8_t prev_aed_loc[4];           /* @16 */
	uint8_t l_ad[4];                   /* @20 */
};
ECMA_SA(struct ecma_aed, 24);

/* Space bitmap descriptor (4/14.12): 24 bytes, then bitmap (1 = free). */
struct ecma_sbd {
	struct ecma_tag tag;
	uint8_t num_bits[4];               /* @16 */
	uint8_t num_bytes[4];              /* @20 */
};
ECMA_SA(struct ecma_sbd, 24);

/* Extended attribute header descriptor (4/14.10.1), 24 bytes. */
struct ecma_eahd {
	struct ecma_tag tag;
	uint8_t impl_attr_loc[4];          /* @16 */
	uint8_t app_attr_loc[4];           /* @20 */
};
ECMA_SA(struct ecma_eahd, 24);

/* Generic extended attribute head (4/14.10.2), 12 bytes, then data. */
struct ecma_ea_head {
	uint8_t type[4];
	uint8_t subtype;                   /* 1 */
	uint8_t reserved[3];
	uint8_t length[4];                 /* whole EA, multiple of 4 */
};
ECMA_SA(struct ecma_ea_head, 12);

/* Implementation use EA (4/14.10.8): 48 bytes, then imp_use. */
struct ecma_ea_impl {
	struct ecma_ea_head head;          /* type 2048 */
	uint8_t imp_use_len[4];            /* @12 */
	struct ecma_regid ident;           /* @16 */
};
ECMA_SA(struct ecma_ea_impl, 48);

/* Application use EA (4/14.10.9): 48 bytes, then app_use. */
struct ecma_ea_app {
	struct ecma_ea_head head;          /* type 65536 */
	uint8_t app_use_len[4];
	struct ecma_regid ident;
};
ECMA_SA(struct ecma_ea_app, 48);

/* Path component of a symbolic link body (4/14.16.1): 4 bytes + ident. */
struct ecma_path_component {
	uint8_t type;                      /* 1..5, see enum below */
	uint8_t l_ci;
	uint8_t version[2];
};
ECMA_SA(struct ecma_path_component, 4);

enum ecma_pc_type {
	PC_ROOT_ALT = 1, PC_ROOT = 2, PC_PARENT = 3, PC_SELF = 4, PC_NAMED = 5,
};

#endif
