/*
 * udf/mk.h - the UDF mastering engine (internal to udf/ and lib/).
 *
 * Three steps, each in its own file:
 *   mk_tree.c   scan the source directory into nodes and inodes
 *               (hard links share one inode; children sorted bytewise)
 *   mk_plan.c   choose the layout and give every object its addresses
 *   mk_emit.c   produce the image blocks in ascending order through a sink
 * helped by mk_meta.c (part-4: FSD, FE/EFE, FID streams), mk_volume.c
 * (part-3: VRS, VDS, LVID, AVDP, sparing table, VAT) and iso9660.c.
 *
 * Address model.  Partition map 0 is the physical partition (type 1 or
 * sparable); map 1, when present, is the virtual (VAT) or metadata
 * partition.  All part-4 metadata (FSD, ICBs, directory FID streams) is
 * allocated in "meta space" (index m from 0) and all file data in "data
 * space"; the plan then fixes where each space sits in the physical
 * partition.  How metadata is referenced depends on the layout:
 *   plain/sparing: ICB and FID stream (map 0, meta_base + m)
 *   VAT:           ICB (map 1, m) with VAT[m] = meta_base + m;
 *                  FID streams (map 0, meta_base + m)
 *   metadata:      ICB and FID stream (map 1, m); the metadata file covers
 *                  [meta_base, meta_base + meta_blocks) and its mirror a copy
 * File data is always (map 0, data_base + d) through long_ads.  A file
 * with more extents than its ICB holds continues its ADs in AED blocks
 * placed in meta space right after its ICB and referenced like FID
 * streams (mk_stream_ref: no VAT entry needed).
 *
 * Ownership: struct udf_mk owns every node, inode and string; freed by
 * udf_mk_free().  No global state.
 */
#ifndef DFS_UDF_MK_H
#define DFS_UDF_MK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "discfs.h"
#include "udf/ea_space.h"
#include "udf/ecma167.h"

#define MK_BS 2048u
#define MK_MAX_EXTENT 0x3FFFF800u /* largest whole-block extent < 1 GiB */

struct mk_node;

struct mk_inode {
	mode_t mode;
	uint32_t uid, gid;
	uint64_t size;            /* regular: bytes; dir: FID stream bytes */
	struct timespec atime, mtime, ctime, btime;
	char *path;               /* regular: source path; symlink: target */
	char *body;               /* symlink: UDF path-component body */
	size_t body_len;
	dev_t dev;
	ino_t ino;
	unsigned names;           /* FIDs naming it (hard links) */
	unsigned subdirs;         /* directories: number of child dirs */
	uint32_t rdev_major, rdev_minor; /* block/char devices */
	struct mk_node *dir;      /* directories: their node */
	uint64_t unique_id;
	/* plan */
	uint32_t icb_m;           /* meta-space index of the ICB */
	bool in_icb;              /* content stored inside the ICB */
	uint64_t data_pos;        /* dir: meta index; file/symlink: data index */
	uint64_t blocks;          /* blocks of content outside the ICB */
	bool placed;              /* hard links: ICB planned once */
	uint32_t n_aed;           /* AED blocks continuing its ADs, ... */
	uint32_t aed_m;           /* ... at meta indices aed_m.. (after the ICB) */
	uint32_t iso_extent;      /* absolute sector of the data (ISO side) */
	struct udf_xattr *xa;     /* extended attributes (mk_xattr.c), one */
	size_t n_xa;              /* allocation with their names and values */
};

struct mk_node {
	char *name;               /* UTF-8 component; NULL for the root */
	uint8_t *cs0;             /* OSTA CS0 of name */
	uint8_t cs0_len;
	uint32_t fid_unique_id;   /* UniqueID recorded in this FID */
	struct mk_node *parent;
	struct mk_node **kids;    /* directories: sorted by name bytes */
	size_t nkids;
	struct mk_inode *ino;
	uint32_t iso_dir_sector;  /* ISO: directory record extent (dirs) */
	uint32_t iso_dir_size;
	uint32_t joliet_dir_sector;
	uint32_t joliet_dir_size;
	uint16_t iso_parent_num;  /* ISO path table numbering */
	uint16_t iso_num;
};

enum mk_phys { MK_PHYS_TYPE1, MK_PHYS_SPARABLE };
enum mk_virt { MK_VIRT_NONE, MK_VIRT_VAT, MK_VIRT_METADATA };

/* Growable list of nodes in plan order. */
struct mk_nodes {
	struct mk_node **v;
	size_t n, cap;
};

struct mk_iso; /* iso9660.c */

struct udf_mk {
	/* options */
	uint16_t rev;
	enum mk_phys phys;
	enum mk_virt virt;
	uint32_t access_type;
	unsigned packet;          /* sparing packet length (blocks) */
	unsigned vat_align;       /* VAT layout: the image ends a multiple of it */
	bool bitmap;              /* record an unallocated space bitmap */
	bool meta_bitmap;         /* metadata layout, writable: record the
				   * metadata bitmap file too */
	uint64_t volume_blocks;   /* 0, or the blocks the volume fills */
	bool iso, joliet;
	bool no_xattrs;           /* leave extended attributes out */
	char label[128];
	int64_t now;              /* recording time */
	int tz;
	char *boot_bios, *boot_efi;
	int layout;               /* enum discfs_image_layout */
	/* largest extent of file content, bytes (0: MK_MAX_EXTENT); internal,
	 * set smaller by unit tests to get AED chains on small images */
	uint32_t max_extent;

	/* tree */
	char *srcdir;
	struct mk_node *root;
	uint64_t n_files, n_dirs, n_symlinks, n_other, n_skipped, data_bytes;
	uint64_t next_unique_id;

	/* plan: meta space */
	struct mk_nodes icb_order;   /* one entry per ICB, in meta order */
	uint64_t meta_used;          /* blocks of meta space in use */
	uint64_t meta_blocks;        /* meta space size (rounded for metadata) */
	/* plan: data space */
	struct mk_nodes data_order;  /* inodes with content outside ICB */
	uint64_t data_blocks;
	/* plan: physical partition (partition-relative blocks) */
	uint64_t sbd_pos, sbd_blocks;
	uint64_t metafile_fe, mirror_fe; /* metadata layout */
	uint64_t metabm_fe, metabm_pos, metabm_blocks; /* its bitmap file */
	uint64_t meta_base;
	uint64_t iso_base, iso_blocks;   /* ISO directories & path tables */
	bool meta_first;                 /* the meta area opens the partition */
	uint64_t data_base;
	uint64_t mirror_base;
	uint64_t vat_pos, vat_blocks, vat_icb; /* VAT layout */
	uint64_t part_len;
	uint64_t used_len;               /* blocks of it the content uses (the
					  * rest, up to part_len, is free) */
	/* plan: absolute sectors */
	uint32_t vrs_start, vrs_count;
	uint32_t vds_main, vds_reserve, vds_len;
	uint32_t lvid_pos, lvid_len;
	uint32_t sparing_tab[2];
	unsigned n_spare_packets;
	uint32_t part_start;
	uint64_t spare_start;
	uint64_t avdp_end;           /* 0 = none */
	uint64_t total;              /* image blocks */
	struct mk_iso *isoplan;
};

/* ---- mk_tree.c */
int mk_tree_scan(struct udf_mk *mk, discfs_error *err);
void mk_tree_free(struct udf_mk *mk);
int mk_nodes_push(struct mk_nodes *l, struct mk_node *n, discfs_error *err);

/* ---- mk_plan.c */
/* Options -> layout fields of mk (rev, phys, virt, access, ...). */
int mk_choose_layout(struct udf_mk *mk, const discfs_image_options *o,
		     discfs_error *err);
int mk_plan(struct udf_mk *mk, discfs_error *err);
/* Reference (lbn, part_ref) of an inode's ICB / of a directory's stream. */
void mk_icb_ref(const struct udf_mk *mk, uint64_t m, uint32_t *lbn, uint16_t *pref);
void mk_stream_ref(const struct udf_mk *mk, uint64_t m, uint32_t *lbn, uint16_t *pref);
bool mk_uses_efe(const struct udf_mk *mk);
uint16_t mk_tag_version(const struct udf_mk *mk);

/* mk_xattr.c: reads path's extended attributes into ino->xa (none when
 * mk->no_xattrs); EINVAL when they do not fit in a file entry. */
int mk_xattrs_read(const struct udf_mk *mk, const char *path,
		   struct mk_inode *ino, discfs_error *err);
/* Largest extent of file content (a whole number of blocks). */
uint32_t mk_max_extent(const struct udf_mk *mk);
/* Bytes of content an ICB can hold in place. */
size_t mk_icb_room(const struct udf_mk *mk);
/* Bytes of extended attributes recorded in the ICB of ino (0 or more). */
size_t mk_ea_len(const struct mk_inode *ino);
/* Size of one FID for this node (name, padding, impUse growth rules). */
unsigned mk_fid_size(const struct mk_node *n, unsigned offset_in_stream);

/* ---- mk_meta.c (part 4) */
void mk_build_fsd(const struct udf_mk *mk, uint8_t *blk);
/* Terminating descriptor ending the file set descriptor sequence. */
void mk_build_fsd_td(const struct udf_mk *mk, uint8_t *blk);
/* ICB of ino at meta index m into blk (MK_BS bytes). */
int mk_build_icb(const struct udf_mk *mk, const struct mk_inode *ino,
		 uint8_t *blk, discfs_error *err);
/* The ino->n_aed AED blocks of ino into blocks (n_aed * MK_BS bytes). */
int mk_build_aeds(const struct udf_mk *mk, const struct mk_inode *ino,
		  uint8_t *blocks, discfs_error *err);
/* Whole FID stream of a directory (ino->size bytes, block padded). */
int mk_build_dir_stream(const struct udf_mk *mk, const struct mk_node *dir,
			uint8_t **out, size_t *out_len, discfs_error *err);
/* Metadata file / mirror EFE at physical block pos. */
void mk_build_metafile(const struct udf_mk *mk, bool mirror, uint8_t *blk);
/* Space bitmap block i (of sbd_blocks). */
void mk_build_sbd_block(const struct udf_mk *mk, uint64_t i, uint8_t *blk);
/* Blocks of the physical partition the space bitmap records free. */
uint64_t mk_phys_free(const struct udf_mk *mk);
/* Metadata bitmap file: its entry, and block i of its content. */
void mk_build_metabm_fe(const struct udf_mk *mk, uint8_t *blk);
void mk_build_metabm_block(const struct udf_mk *mk, uint64_t i, uint8_t *blk);
/* Opens a source file for reading without touching its atime (-1, errno). */
int mk_open_source(const char *path);
/* Symlink body of a target path (UDF path components). */
int mk_symlink_body(const char *target, char **body, size_t *len,
		    discfs_error *err);

/* ---- mk_volume.c (part 3) */
/* Fills one block of the volume area (sectors before the partition and the
 * final anchor); returns false if sector is not one of them (zero block). */
bool mk_build_volume_block(const struct udf_mk *mk, uint64_t sector, uint8_t *blk);
/* VAT file bytes (entries + header/trailer). */
int mk_build_vat(const struct udf_mk *mk, uint8_t **out, size_t *len,
		 discfs_error *err);
size_t mk_vat_bytes(const struct udf_mk *mk);
void mk_build_vat_icb(const struct udf_mk *mk, const uint8_t *vat, size_t len,
		      uint8_t *blk);

/* ---- mk_emit.c */
struct mk_sink {
	int (*blocks)(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
		      discfs_error *err);
	/* optional: copy len bytes of fd at off to lba (zero-copy path);
	 * the tail of the last block is zero-filled by the sink */
	int (*copy)(void *ctx, uint64_t lba, int fd, uint64_t off, uint64_t len,
		    discfs_error *err);
	void *ctx;
};
int mk_emit(struct udf_mk *mk, const struct mk_sink *sink, discfs_error *err);

/* ---- iso9660.c */
int mk_iso_plan(struct udf_mk *mk, uint64_t abs_start, uint64_t *blocks,
		discfs_error *err);
/* After data is placed: fill ISO extents; blocks of the ISO area. */
bool mk_iso_volume_block(const struct udf_mk *mk, uint64_t sector, uint8_t *blk);
int mk_iso_area_block(const struct udf_mk *mk, uint64_t i, uint8_t *blk,
		      discfs_error *err);
void mk_iso_free(struct udf_mk *mk);
uint32_t mk_iso_vd_count(const struct udf_mk *mk);

void udf_mk_free(struct udf_mk *mk);

#endif
