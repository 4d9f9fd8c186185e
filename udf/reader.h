/*
 * udf/reader.h - reading a UDF volume (UDF 1.02 .. 2.60): the contract.
 *
 * What it reads: plain (type 1) partitions, sparable partitions (CD-RW,
 * DVD-RW), virtual partitions with a VAT (write-once media; 1.50 and 2.00+
 * formats), metadata partitions (2.50/2.60, with mirror fallback); FE and
 * EFE; short/long/extended ADs, in-ICB data, AED chains; indirect entries;
 * FIDs with CS0 names; symlinks; hard links (several FIDs, one ICB).
 *
 * How it finds things: anchors at session+256, N-256, N (and the
 * neighbours Linux tries), then session+512; main VDS, reserve when the
 * main one is unusable; the VAT by scanning back from the last recorded
 * block of the source (udf/read_src.h) over at most UDF_VAT_SCAN blocks.
 *
 * Bounds (a hostile volume gets -DISCFS_EFORMAT with a one-line message,
 * never a crash, a hang or unbounded memory): every block number is checked
 * against its partition and the source; extents per file <= UDF_MAX_EXTENTS,
 * AEDs per file <= UDF_MAX_AEDS, indirect entries <= UDF_MAX_INDIRECT;
 * a directory stream <= UDF_MAX_DIR_BYTES; a file's length <= the sum of its
 * extents; a path <= UDF_MAX_DEPTH components; udf_walk() refuses to enter
 * a directory already on the current path (a loop) and stops at
 * UDF_MAX_DEPTH levels.
 *
 * Ownership: udf_vol_open() takes over the block source on success (it is
 * closed by udf_vol_close()); on failure the caller still owns it.  Inodes
 * are owned by the caller and freed with udf_inode_free(); they stay valid
 * until then but must be freed before the volume is closed.  One volume
 * must not be used by two threads at once (no internal locking).
 *
 * Errors: negative discfs codes with err filled (EFORMAT for bad on-disc
 * data, ENOENT for a missing path component, EINVAL for misuse such as
 * reading a directory as a file, EIO for source failures).
 */
#ifndef DFS_UDF_READER_H
#define DFS_UDF_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "discfs.h"
#include "udf/read_src.h"

#define UDF_MAX_EXTENTS (1u << 20)
#define UDF_MAX_AEDS 4096u
#define UDF_MAX_INDIRECT 64u
#define UDF_MAX_DIR_BYTES (64u << 20)
#define UDF_MAX_WALK_BYTES (256u << 20) /* directory data held by one walk */
#define UDF_MAX_DEPTH 256u
#define UDF_VAT_SCAN 512u
#define UDF_MAX_MAPS 8u

struct udf_vol;
struct udf_inode;

/* An ICB address: block lbn of partition reference (map index) part. */
struct udf_icb {
	uint32_t lbn;
	uint16_t part;
};

struct udf_open_opts {
	uint64_t session_start; /* first block of the last session (0) */
	uint64_t last_block;    /* UINT64_MAX: from the source */
};

/* What kind of volume it is (layout of its partition maps). */
enum udf_layout {
	UDF_LAYOUT_PLAIN,    /* type 1 only */
	UDF_LAYOUT_SPARABLE, /* sparable map */
	UDF_LAYOUT_VAT,      /* virtual map (write-once) */
	UDF_LAYOUT_METADATA, /* metadata map (2.50+) */
};

struct udf_vol_info {
	uint16_t udf_rev;         /* domain revision of the LVD, e.g. 0x0201 */
	enum udf_layout layout;
	uint32_t block_size;
	char vol_ident[128];      /* PVD volume identifier, UTF-8 */
	char lv_ident[512];       /* LVD logical volume identifier */
	char fs_ident[128];       /* FSD file set identifier */
	uint64_t vat_block;       /* absolute block of the VAT ICB (VAT only) */
	uint32_t vat_entries;
	uint64_t vat_hash;        /* FNV-1a of the VAT's entries: what the
				   * volume holds, not where its VAT is */
	bool lvid_closed;         /* integrity type close */
	uint32_t num_files;       /* LVID (or VAT 2.00 header) counts */
	uint32_t num_dirs;
	uint64_t next_unique_id;
	uint64_t part_blocks;     /* length of the physical partition */
	uint64_t free_blocks;     /* LVID free space of map 0, or UINT64_MAX */
};

/* Attributes of a file, POSIX-style. */
struct udf_stat {
	uint64_t ino;          /* (part << 32) | lbn of the ICB */
	uint32_t mode;         /* S_IF* | permission bits incl. suid/sgid/sticky */
	uint32_t uid, gid;     /* 0xFFFFFFFF = unknown */
	uint32_t nlink;        /* FE link count */
	uint64_t size;         /* information length */
	uint64_t blocks_recorded;
	struct timespec atime, mtime, ctime, btime; /* btime: EFE create time */
	uint64_t unique_id;
	uint8_t file_type;     /* ICB file type (enum ecma_file_type) */
};

int udf_vol_open(struct udf_bsrc *src, const struct udf_open_opts *opts,
		 struct udf_vol **out, discfs_error *err);
void udf_vol_close(struct udf_vol *vol);

/*
 * Opens the image file or block device at path ("emu:PATH" names an
 * emulated disc's image) and brings the volume up, trying logical block
 * sizes 2048, 512, 1024 and 4096 in turn.  writable is for fsck --repair.
 */
int udf_vol_open_path(const char *path, bool writable, struct udf_vol **out,
		      discfs_error *err);
const struct udf_vol_info *udf_vol_info(const struct udf_vol *vol);

/* The root directory's ICB (and the system stream directory's, if any). */
struct udf_icb udf_vol_root(const struct udf_vol *vol);

/* Decodes the file entry at icb (following indirect entries). */
int udf_inode_get(struct udf_vol *vol, struct udf_icb icb,
		  struct udf_inode **out, discfs_error *err);
void udf_inode_free(struct udf_inode *ino);
void udf_inode_stat(const struct udf_inode *ino, struct udf_stat *st);
bool udf_inode_is_dir(const struct udf_inode *ino);

/* Parses the inode's extended attribute space (udf/ea_space.h) into f:
 * device numbers, and each Linux xattr through f->xattr.  The header's
 * tag location is not checked (writers disagree on it for entries reached
 * through a VAT); its CRC is. */
struct udf_ea_found;
int udf_inode_eas(const struct udf_inode *ino, struct udf_ea_found *f,
		  discfs_error *err);

/*
 * Looks up an absolute or root-relative path ("/", "a/b", "/a/b/").
 * Symlinks are not followed (lstat semantics); "." and ".." components
 * are resolved lexically.
 */
int udf_lookup(struct udf_vol *vol, const char *path, struct udf_inode **out,
	       discfs_error *err);

/* One directory entry as readdir reports it. */
struct udf_dirent {
	const char *name;       /* UTF-8; '/' and NUL mapped to '_' */
	struct udf_icb icb;
	uint8_t characteristics;/* FID_* */
	uint32_t unique_id;     /* from the FID impUse (2.00+), else 0 */
};

/*
 * Calls cb for every entry of directory dir except the parent entry,
 * deleted and hidden entries.  cb returns 0 to go on, > 0 to stop (readdir returns
 * that value), < 0 to fail (returned as is).
 */
typedef int (*udf_dirent_cb)(void *arg, const struct udf_dirent *d);
int udf_readdir(struct udf_vol *vol, struct udf_inode *dir, udf_dirent_cb cb,
		void *arg, discfs_error *err);

/*
 * Reads up to len bytes at offset off of a regular file (or a symlink body,
 * or any non-directory stream); *got is short only at end of file.
 * Unrecorded and sparse extents read as zeros.
 */
int udf_read(struct udf_vol *vol, struct udf_inode *ino, uint64_t off,
	     void *buf, size_t len, size_t *got, discfs_error *err);

/* Decodes a symlink's path components into a NUL-terminated path. */
int udf_readlink(struct udf_vol *vol, struct udf_inode *ino, char *buf,
		 size_t size, discfs_error *err);

/*
 * Depth-first walk from path: cb(arg, relpath, inode) for the start and
 * every entry below it ("" is the start).  Directories are entered after
 * their own callback; the inode is freed after cb returns.  cb returns as
 * for udf_readdir.  A directory that is already on the current path is a
 * loop: -DISCFS_EFORMAT.
 */
typedef int (*udf_walk_cb)(void *arg, const char *relpath,
			   struct udf_inode *ino);
int udf_walk(struct udf_vol *vol, const char *path, udf_walk_cb cb, void *arg,
	     discfs_error *err);

#endif
