/*
 * udf/iso_read_int.h - the ISO9660 reader's internal state, shared by
 * udf/iso_read_*.c only.  Others use udf/iso_read.h.
 *
 * Directory record layout (ECMA-119 9.1, little-endian halves of the
 * both-endian fields are used):
 *   0 length  1 extended attribute length  2 extent (LE32)  10 size (LE32)
 *   18 date (7 bytes)  25 flags  26 file unit size  27 interleave gap
 *   32 identifier length  33 identifier, a pad byte when its length is
 *   even, then the system use area (SUSP entries).
 */
#ifndef DFS_UDF_ISO_READ_INT_H
#define DFS_UDF_ISO_READ_INT_H

#include "udf/iso_read.h"

#define ISO_DR_MIN 34u      /* smallest directory record */
#define ISO_FLAG_HIDDEN 0x01
#define ISO_FLAG_DIR 0x02
#define ISO_FLAG_ASSOC 0x04
#define ISO_FLAG_MULTI 0x80 /* more extents follow in the next record */

struct iso_vol {
	struct udf_bsrc src;
	struct iso_vol_info info;
	struct iso_ext root;    /* root directory of the tree in use */
	uint8_t root_date[7];
	bool rr;                /* Rock Ridge in the tree in use */
	uint8_t susp_skip;      /* SP LEN_SKP */
	bool joliet;            /* the tree in use has UCS-2 names */
};

/* One directory record, as found in a directory's data. */
struct iso_rec {
	uint32_t lba;           /* first block of the data (EAR skipped) */
	uint32_t len;           /* data length in bytes */
	uint8_t flags;
	const uint8_t *date;    /* 7 bytes */
	const uint8_t *id;
	uint8_t id_len;
	const uint8_t *su;      /* system use area (SUSP skip applied) */
	size_t su_len;
	uint64_t pos;           /* absolute byte position of the record */
};

/* iso_read_vol.c ------------------------------------------------------ */

/* EFORMAT unless len bytes from block lba lie inside the source. */
int iso_check_extent(const struct iso_vol *v, uint32_t lba, uint64_t len,
		     const char *what, uint64_t where, discfs_error *err);

/* Reads len bytes at byte offset off of block lba (already checked). */
int iso_read_bytes(struct iso_vol *v, uint32_t lba, uint64_t off, size_t len,
		   uint8_t *out, discfs_error *err);

/* Parses the record at p (avail bytes up to its sector's end). */
int iso_rec_parse(const struct iso_vol *v, const uint8_t *p, size_t avail,
		  uint64_t pos, struct iso_rec *r, discfs_error *err);

/* iso_read_rr.c ------------------------------------------------------- */

/* What the Rock Ridge entries of one record say. */
struct iso_rr {
	bool has_name, has_px, relocated, has_cl;
	char name[ISO_MAX_NAME + 1];
	size_t name_len;
	uint32_t mode, nlink, uid, gid;
	uint32_t cl_lba;
	bool has_link;
	char link[ISO_MAX_NAME + 1];
	size_t link_len;
	bool has_mtime, has_atime, has_ctime;
	int64_t mtime, atime, ctime;
};

/* Decodes the SUSP area of r, following CE continuation areas. */
int iso_rr_decode(struct iso_vol *v, const struct iso_rec *r,
		  struct iso_rr *out, discfs_error *err);

/* Finds an SP entry at the start of a system use area: its LEN_SKP. */
bool iso_rr_find_sp(const uint8_t *su, size_t len, uint8_t *skip);

/* iso_read_tree.c ----------------------------------------------------- */

#define ISO_MAX_WALK_BYTES (256u << 20) /* directory data held by one walk */

/* iso_readdir(); *held (may be NULL) counts the directory bytes a walk
 * holds at once, bounded by ISO_MAX_WALK_BYTES. */
int iso_readdir_held(struct iso_vol *v, const struct iso_node *dir,
		     iso_dirent_cb cb, void *arg, uint64_t *held,
		     discfs_error *err);

/* iso_read_name.c ----------------------------------------------------- */

/* The UTF-8 name of a record (Joliet or plain rules), made safe. */
int iso_plain_name(const struct iso_vol *v, const struct iso_rec *r,
		   char *out, size_t cap, discfs_error *err);

/* Replaces the len bytes of name (any bytes) by their NUL-terminated safe
 * name (udf/safe_name.h); name must have room for UDF_SAFE_NAME_MAX + 1. */
int iso_name_safe(char *name, size_t len, uint64_t pos, discfs_error *err);

#endif
