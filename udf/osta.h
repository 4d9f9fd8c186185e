/*
 * udf/osta.h - OSTA UDF (1.02 .. 2.60) structures layered on ECMA-167:
 * partition maps (type 1, virtual, sparable, metadata), the VAT (1.50
 * trailer and 2.00 header), the sparing table, the LVID implementation use,
 * entity identifiers and revisions.
 *
 * Same layout rule as udf/ecma167.h: uint8_t arrays only, little-endian
 * through util/bytes.h, sizes checked at compile time.
 */
#ifndef DFS_UDF_OSTA_H
#define DFS_UDF_OSTA_H

#include <stdint.h>

#include "udf/ecma167.h"

/* UDF revisions as recorded (BCD-like). */
enum udf_revision {
	UDF_REV_102 = 0x0102,
	UDF_REV_150 = 0x0150,
	UDF_REV_200 = 0x0200,
	UDF_REV_201 = 0x0201,
	UDF_REV_250 = 0x0250,
	UDF_REV_260 = 0x0260,
};

/* Entity identifier strings (ident field of struct ecma_regid). */
#define UDF_ID_DOMAIN "*OSTA UDF Compliant"
#define UDF_ID_LV_INFO "*UDF LV Info"
#define UDF_ID_VIRTUAL "*UDF Virtual Partition"
#define UDF_ID_SPARABLE "*UDF Sparable Partition"
#define UDF_ID_METADATA "*UDF Metadata Partition"
#define UDF_ID_SPARING_TABLE "*UDF Sparing Table"
#define UDF_ID_VAT150 "*UDF Virtual Alloc Tbl"
#define UDF_ID_FREE_EA "*UDF FreeEASpace"
#define UDF_ID_FREE_APP_EA "*UDF FreeAppEASpace"
#define UDF_ID_NSR02 "+NSR02"
#define UDF_ID_NSR03 "+NSR03"
#define UDF_ID_DISCFS "*discfs"   /* our implementation identifier */

/* OS class / identifier for implementation and UDF suffixes. */
#define UDF_OS_CLASS_UNIX 4
#define UDF_OS_ID_LINUX 5

/* Domain suffix flags. */
#define UDF_DOMAIN_HARD_WP 0x01
#define UDF_DOMAIN_SOFT_WP 0x02

/* The only charspec UDF allows. */
#define UDF_CS0_INFO "OSTA Compressed Unicode"

/* ------------------------------------------------------ partition maps */
enum udf_map_type { UDF_MAP_TYPE1 = 1, UDF_MAP_TYPE2 = 2 };

/* Type 1 partition map, 6 bytes. */
struct udf_map1 {
	uint8_t type;                      /* 1 */
	uint8_t length;                    /* 6 */
	uint8_t vol_seq_num[2];
	uint8_t part_num[2];
};
ECMA_SA(struct udf_map1, 6);

/* Type 2 map head: every UDF type-2 map is 64 bytes. */
struct udf_map2_head {
	uint8_t type;                      /* 2 */
	uint8_t length;                    /* 64 */
	uint8_t reserved[2];
	struct ecma_regid ident;           /* @4 decides the kind */
};
ECMA_SA(struct udf_map2_head, 36);

/* Virtual partition map (UDF 2.2.8), 64 bytes. */
struct udf_map_virtual {
	struct udf_map2_head head;         /* "*UDF Virtual Partition" */
	uint8_t vol_seq_num[2];            /* @36 */
	uint8_t part_num[2];               /* @38 */
	uint8_t reserved[24];              /* @40 */
};
ECMA_SA(struct udf_map_virtual, 64);

/* Sparable partition map (UDF 2.2.9), 64 bytes. */
struct udf_map_sparable {
	struct udf_map2_head head;         /* "*UDF Sparable Partition" */
	uint8_t vol_seq_num[2];            /* @36 */
	uint8_t part_num[2];               /* @38 */
	uint8_t packet_length[2];          /* @40 blocks */
	uint8_t num_tables;                /* @42 1..4 */
	uint8_t reserved;                  /* @43 */
	uint8_t table_size[4];             /* @44 bytes of one table */
	uint8_t table_loc[4][4];           /* @48 absolute sectors */
};
ECMA_SA(struct udf_map_sparable, 64);

/* Metadata partition map (UDF 2.2.10), 64 bytes. */
struct udf_map_metadata {
	struct udf_map2_head head;         /* "*UDF Metadata Partition" */
	uint8_t vol_seq_num[2];            /* @36 */
	uint8_t part_num[2];               /* @38 */
	uint8_t meta_file_loc[4];          /* @40 block in the physical partition */
	uint8_t mirror_file_loc[4];        /* @44 */
	uint8_t bitmap_file_loc[4];        /* @48 0xFFFFFFFF = none */
	uint8_t alloc_unit[4];             /* @52 blocks */
	uint8_t align_unit[2];             /* @56 blocks */
	uint8_t flags;                     /* @58 bit0 duplicate metadata */
	uint8_t reserved[5];               /* @59 */
};
ECMA_SA(struct udf_map_metadata, 64);

#define UDF_METADATA_DUPLICATE 0x01
#define UDF_NO_BITMAP_FILE 0xFFFFFFFFu

/* --------------------------------------------------- LVID impl use */

/* Follows free_space[n] and size[n] in the LVID (UDF 2.2.6.4), 46 bytes. */
struct udf_lvid_iu {
	struct ecma_regid imp_ident;
	uint8_t num_files[4];
	uint8_t num_dirs[4];
	uint8_t min_read_rev[2];
	uint8_t min_write_rev[2];
	uint8_t max_write_rev[2];
};
ECMA_SA(struct udf_lvid_iu, 46);

#define UDF_LVID_UNKNOWN 0xFFFFFFFFu   /* free/size of a virtual map */
#define UDF_FIRST_UNIQUE_ID 16u        /* 0 = root, 1..15 reserved */

/* ---------------------------------------------------------------- VAT */

/* UDF 2.00+ VAT header (2.2.11), 152 bytes, entries start at l_hd. */
struct udf_vat20 {
	uint8_t l_hd[2];                   /* @0 152 + l_iu */
	uint8_t l_iu[2];                   /* @2 */
	uint8_t lv_ident[128];             /* @4 dstring */
	uint8_t prev_vat_loc[4];           /* @132 0xFFFFFFFF = none */
	uint8_t num_files[4];              /* @136 */
	uint8_t num_dirs[4];               /* @140 */
	uint8_t min_read_rev[2];           /* @144 */
	uint8_t min_write_rev[2];          /* @146 */
	uint8_t max_write_rev[2];          /* @148 */
	uint8_t reserved[2];               /* @150 */
};
ECMA_SA(struct udf_vat20, 152);

/* UDF 1.50 VAT trailer after the entries, 36 bytes. */
struct udf_vat150_trailer {
	struct ecma_regid ident;           /* "*UDF Virtual Alloc Tbl" */
	uint8_t prev_vat_loc[4];
};
ECMA_SA(struct udf_vat150_trailer, 36);

#define UDF_VAT_UNUSED 0xFFFFFFFFu

/* -------------------------------------------------------- sparing */

/* Sparing table (UDF 2.2.12): 56 bytes, then rt_len sparing entries. */
struct udf_sparing_table {
	struct ecma_tag tag;               /* ident 0 */
	struct ecma_regid ident;           /* @16 "*UDF Sparing Table" */
	uint8_t rt_len[2];                 /* @48 entries */
	uint8_t reserved[2];               /* @50 */
	uint8_t seq_num[4];                /* @52 */
};
ECMA_SA(struct udf_sparing_table, 56);

struct udf_sparing_entry {
	uint8_t original[4];               /* packet's first block, partition-relative */
	uint8_t mapped[4];                 /* absolute sector of the spare packet */
};
ECMA_SA(struct udf_sparing_entry, 8);

#define UDF_SPARE_FREE 0xFFFFFFFFu
#define UDF_SPARE_DEFECTIVE 0xFFFFFFF0u

#endif
