/*
 * udf/iso_read.h - reading an ISO9660 (ECMA-119) volume: the contract.
 *
 * What it reads: the volume descriptor set from session_start + 16 (PVD,
 * Joliet SVD, terminator; at most ISO_MAX_VDS descriptors are looked at),
 * the directory tree from the root directory record, multi-extent files,
 * Rock Ridge (SUSP SP/CE/ST, RRIP NM/PX/SL/TF/CL/RE) and Joliet names.
 * Names come from Rock Ridge when the root's "." record carries an SP
 * entry, else from the Joliet tree when there is one, else from the plain
 * identifiers with ";1" and a trailing "." stripped.  Extent numbers are
 * absolute blocks of the source (so the last session of a multi-session
 * disc reads with session_start = its first block; an image file whose
 * descriptors at 16 were updated, as xorriso does, reads with 0).
 *
 * Names are made safe for Linux as the UDF reader does (udf/read_dir.c):
 * '/' and NUL become '_'; an entry named "", "." or ".." is EFORMAT.
 *
 * Bounds (hostile input gets -DISCFS_EFORMAT naming what and where, never
 * a crash, a hang or unbounded memory): every extent lies inside the
 * source; a directory is at most ISO_MAX_DIR_BYTES; a record's length
 * covers its name and system use area and stays inside its sector; a file
 * has at most ISO_MAX_EXTENTS extents; SUSP continuation areas are at most
 * ISO_MAX_CE per record and ISO_MAX_CE_BYTES each; a name or symlink
 * target is at most ISO_MAX_NAME bytes; a path has at most ISO_MAX_DEPTH
 * components and iso_walk() refuses to enter a directory already on the
 * current path (a loop) or one it entered before (a directory has one
 * parent; so a walk reads each directory once).  Interleaved files are
 * refused (ENOTSUP).
 *
 * Ownership: iso_vol_open() takes over the block source on success (closed
 * by iso_vol_close()); on failure the caller still owns it.  Nodes are the
 * caller's (iso_node_free()); those handed to callbacks are borrowed for
 * the call.  One volume, one thread at a time.
 *
 * Errors: negative discfs codes with err filled (EFORMAT bad on-disc data,
 * ENOENT missing path component, EINVAL misuse, EIO source failures).
 */
#ifndef DFS_UDF_ISO_READ_H
#define DFS_UDF_ISO_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "discfs.h"
#include "udf/read_src.h"

#define ISO_BLOCK 2048u
#define ISO_MAX_VDS 64u
#define ISO_MAX_DIR_BYTES (16u << 20)
#define ISO_MAX_EXTENTS 4096u
#define ISO_MAX_CE 16u
#define ISO_MAX_CE_BYTES 65536u
#define ISO_MAX_NAME 1023u
#define ISO_MAX_DEPTH 256u

struct iso_vol;

enum iso_names { ISO_NAMES_PLAIN, ISO_NAMES_JOLIET, ISO_NAMES_RR };

struct iso_vol_info {
	char vol_ident[128];     /* PVD (or Joliet) volume identifier, UTF-8 */
	uint64_t vol_blocks;     /* PVD volume space size */
	uint64_t session_start;
	enum iso_names names;    /* where names come from */
	bool has_joliet, has_rr;
};

/* One extent of a file: count bytes from absolute block lba. */
struct iso_ext {
	uint32_t lba;
	uint32_t len;
};

struct iso_node {
	uint64_t ino;            /* byte position of its record (dirs: of ".") */
	uint32_t mode;           /* S_IF* | permissions (RR PX, else r-x) */
	uint32_t uid, gid;       /* 0xFFFFFFFF without RR */
	uint32_t nlink;
	uint64_t size;
	struct timespec atime, mtime, ctime;
	struct iso_ext *ext;     /* dirs: one extent, the directory's records */
	uint32_t n_ext;
	char *link;              /* symlink target (RR SL), else NULL */
};

/* True when session_start + 16 holds an ISO9660 volume descriptor. */
bool iso_probe(const struct udf_bsrc *src, uint64_t session_start);

int iso_vol_open(struct udf_bsrc *src, uint64_t session_start,
		 struct iso_vol **out, discfs_error *err);
void iso_vol_close(struct iso_vol *vol);
const struct iso_vol_info *iso_vol_info(const struct iso_vol *vol);

void iso_node_free(struct iso_node *n);
static inline bool iso_node_is_dir(const struct iso_node *n)
{
	return (n->mode & 0170000) == 0040000;
}

/* Looks up an absolute or root-relative path; "." and ".." lexically. */
int iso_lookup(struct iso_vol *vol, const char *path, struct iso_node **out,
	       discfs_error *err);

/* cb returns 0 to go on, > 0 to stop (returned), < 0 to fail (returned). */
typedef int (*iso_dirent_cb)(void *arg, const char *name,
			     const struct iso_node *n);
int iso_readdir(struct iso_vol *vol, const struct iso_node *dir,
		iso_dirent_cb cb, void *arg, discfs_error *err);

/* Reads up to len bytes at off; *got is short only at end of file. */
int iso_read(struct iso_vol *vol, const struct iso_node *n, uint64_t off,
	     void *buf, size_t len, size_t *got, discfs_error *err);

int iso_readlink(const struct iso_node *n, char *buf, size_t size,
		 discfs_error *err);

/* Depth-first walk from path: cb(arg, relpath, node), "" for the start. */
typedef int (*iso_walk_cb)(void *arg, const char *relpath,
			   const struct iso_node *n);
int iso_walk(struct iso_vol *vol, const char *path, iso_walk_cb cb, void *arg,
	     discfs_error *err);

/* iso_read_time.c: ECMA-119 dates to Unix time (local offset applied). */
int64_t iso_time7(const uint8_t p[7]);
int64_t iso_time17(const uint8_t p[17]); /* 0 when "not specified" */

#endif
