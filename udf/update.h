/*
 * udf/update.h - the incremental UDF writer: the contract.
 *
 * What it does.  Opens the UDF volume on a block device (udf/blockdev.h)
 * through the reader (udf/reader.h), stages changes made by path (create,
 * replace, remove, rename, mkdir, symlink, set attributes) in memory, and
 * commits them as one increment:
 *
 *  VAT layout (write-once: CD-R, DVD±R, BD-R).  Appended at the next
 *  writable address: new file data, the FID streams of directories whose
 *  names changed, new file entries of changed objects, changed VAT blocks,
 *  and the VAT ICB as the last block.  An object that was already on the
 *  disc keeps its virtual address; only its VAT entry moves, so unchanged
 *  parents are not rewritten.  Unchanged VAT blocks are referenced by the
 *  new VAT ICB where they are.  Deleted names simply leave the directory
 *  (their VAT slot is freed); nothing is erased.  Until the VAT ICB lands
 *  the previous VAT defines the volume.
 *
 *  Plain layout (rewritable in place: DVD+RW, DVD-RAM, BD-RE, HDD; also a
 *  sparable partition, as on packet-written CD-RW and DVD-RW, whose spared
 *  packets are read and written where its sparing table says; and a UDF
 *  2.50/2.60 metadata partition, whose entries, AEDs and FID streams are
 *  written to the metadata file and then its mirror, allocated from the
 *  metadata bitmap file, the metadata file growing by its allocation
 *  unit when full (udf/update_meta.c)).  File
 *  entries keep their block (so FIDs and the '..' entries of
 *  subdirectories stay valid); all new content goes copy-on-write into
 *  blocks the space bitmap says are free.  Order, each step synced before
 *  the next: LVID marked open; new data, new FID streams and the file
 *  entries of new objects; the file entries of changed objects rewritten
 *  in place, files first, then directories, one that gains the name of a
 *  moved object before the one that loses it (else children before
 *  parents; a cycle, names moved both ways between two directories, is
 *  broken by writing one of them twice: first an interim version that
 *  also keeps the names still waiting for their new directory);
 *  one sector each: every object is at any moment wholly its previous
 *  or wholly its new version, and nothing a visible entry references is
 *  ever overwritten; the bitmap
 *  with the new blocks used and the old ones freed; the LVID closed with
 *  the new counts, free space and next unique ID.  A crash leaves every
 *  object readable in its previous or its new version and never loses
 *  what an earlier commit wrote; an LVID found open at the next open is
 *  repaired (counts, free space, the bits of blocks in use) and closed.
 *  A crash before the first in-place entry leaves the volume as it was
 *  (the bitmap is untouched), so changes staged on it still apply.
 *
 * Directories: a changed directory gets a new FID stream, but blocks that
 * come out byte-identical to the committed stream stay where they are (a
 * name added to a directory of 100,000 costs its last block or two).
 * Removed names leave the stream; the names before them keep their place.
 *
 * Unique IDs: new objects take the next UniqueID; on plain volumes the
 * counter lives in the LVID, on write-once volumes (whose LVID is
 * recorded once, at format time) in the VAT header's implementation use:
 * our regid "*discfs" followed by the u64 counter (UDF 2.2.11).  A VAT
 * without it (other writers) is continued above the highest ID in use.
 *
 * Blank media: udf_update_format() lays out an empty volume for the
 * medium (VAT 2.01, 2.50 on BD-R; plain 2.01 with a space bitmap on
 * random-access media, the partition covering the whole medium) so the
 * first commit is an increment like any other.
 *
 * Files needing more allocation descriptors than their entry holds (~114
 * extents of up to 1 GiB) continue them in a chain of allocation extent
 * descriptor blocks (udf/ad_chain.h), up to UDF_INODE_AED_KEEP of them
 * (ENOSPC beyond: free space too fragmented).
 * Not supported (refused with a message): a rewritable volume without a
 * space bitmap, a metadata partition without its bitmap file (both
 * read-only layouts), a partition whose access type is not rewritable.
 * A volume whose partition has no room left (e.g. an image mastered to
 * the size of its content) is refused with DISCFS_ENOSPC.
 * Hidden FIDs are kept.  Hard links are kept as hard links: several
 * FIDs naming one file entry whose FileLinkCount counts them; a name
 * added (udf_update_link) or removed changes that count, and the data is
 * recorded once.  Plain layout: a raised count is written before the
 * directories that gain the names, a lowered one after the directories
 * that lose them, so a crash leaves a count too high, not too low (a name
 * moved, as by rename, may show twice after a crash, with the count of
 * one).  Sequential media are written at the NWA the
 * drive reports; no write parameters are set and no track or session is
 * closed (the disc stays appendable: closing is the burner's job).
 *
 * Paths are UTF-8, absolute or root-relative, without "." or ".."
 * components; each component is a SAFE name (udf/safe_name.h), as the
 * reader shows it.  Names must be unique in their directory.  Entries
 * loaded from the disc keep their recorded CS0 bytes, so a name the
 * reader had to escape is written back exactly as it was recorded; a new
 * name (create, rename) is decoded before it is recorded, so it reads
 * back as given ("a%2Fb" is recorded as "a/b").  New names that UDF
 * cannot record are refused with DISCFS_EINVAL (sys_errno ENAMETOOLONG
 * when the CS0 would exceed 255 bytes, else EINVAL).
 *
 * Ownership: struct udf_update borrows the block device (which must
 * outlive it) and owns the reader's volume on it.  The read callback of a
 * file and its ctx must stay valid until the next commit returns.  One
 * thread at a time.  Errors: negative discfs codes with err filled; a
 * failed commit leaves the staged changes in place (it may be retried) and
 * the disc as it was before the commit, except for unreferenced blocks.
 */
#ifndef DFS_UDF_UPDATE_H
#define DFS_UDF_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"
#include "udf/blockdev.h"
#include "udf/ea_space.h"

struct udf_update;

struct udf_update_opts {
	int64_t now;          /* recording time, Unix seconds; 0 = time(NULL) */
	int tz_minutes;       /* minutes east of UTC for recorded times */
	const char *label;    /* udf_update_format: volume label (NULL "DISCFS") */
	unsigned udf_revision;/* udf_update_format: 0 = the medium's default */
	uint64_t session_start; /* open: first block of the last session, where
				 * the anchor is (0: a single-session disc) */
};

/* Which attributes udf_update_setattr() (and creation) sets. */
#define UDF_ATTR_MODE 0x1u   /* permission bits incl. suid/sgid/sticky */
#define UDF_ATTR_OWNER 0x2u  /* uid and gid */
#define UDF_ATTR_MTIME 0x4u  /* modification time */
#define UDF_ATTR_XATTRS 0x8u /* extended attributes, replaced as a whole */

/*
 * Extended attributes go in the entry's EA space (udf/ea_space.h), which
 * must leave room for the entry's allocation descriptors (or in-ICB
 * data): a commit that cannot fit them fails with DISCFS_ENOSPC.  They
 * are copied when set; other EAs of a committed entry are kept except
 * when its xattrs are replaced (then only its device numbers are kept).
 */
struct udf_update_attr {
	unsigned mask;        /* UDF_ATTR_* */
	uint32_t mode;        /* permission bits (type bits ignored) */
	uint32_t uid, gid;    /* 0xFFFFFFFF = unknown */
	int64_t mtime;
	uint32_t mtime_nsec;
	const struct udf_xattr *xattrs; /* UDF_ATTR_XATTRS */
	size_t n_xattrs;
};

/* Fills exactly len bytes of the new content at off, or fails. */
typedef int (*udf_update_read_fn)(void *ctx, uint64_t off, void *buf,
				  size_t len, discfs_error *err);

struct udf_update_stats {
	uint64_t blocks_written;  /* blocks this commit wrote */
	uint64_t data_blocks;     /* of which file content */
	uint64_t meta_blocks;     /* file entries, FID streams, VAT, bitmap, ... */
	uint64_t objects_written; /* file entries written */
	uint64_t blocks_freed;    /* plain layout: blocks given back */
};

/* Writes an empty UDF volume for bd's kind onto a blank medium. */
int udf_update_format(struct udf_bdev *bd, const struct udf_update_opts *o,
		      discfs_error *err);

/*
 * Opens the volume on bd for updating.  A write-once volume whose last
 * recorded block is not its VAT (a commit cut short) gets a copy of the
 * VAT appended; a plain volume with an open LVID is repaired and closed.
 */
int udf_update_open(struct udf_bdev *bd, const struct udf_update_opts *o,
		    struct udf_update **out, discfs_error *err);
void udf_update_close(struct udf_update *u);

/* The layout being written: DISCFS_LAYOUT_VAT or DISCFS_LAYOUT_PLAIN. */
int udf_update_layout(const struct udf_update *u);

int udf_update_mkdir(struct udf_update *u, const char *path,
		     const struct udf_update_attr *a, discfs_error *err);
/* Creates path, or replaces the content of an existing file. */
int udf_update_write_file(struct udf_update *u, const char *path,
			  const struct udf_update_attr *a, uint64_t size,
			  udf_update_read_fn fn, void *ctx, discfs_error *err);
/* A FIFO, socket, or block or character device (mode's type bits) with
 * no content; a device's numbers go in a Device Specification EA. */
int udf_update_mknod(struct udf_update *u, const char *path, uint32_t mode,
		     uint32_t major, uint32_t minor,
		     const struct udf_update_attr *a, discfs_error *err);

int udf_update_symlink(struct udf_update *u, const char *path,
		       const char *target, const struct udf_update_attr *a,
		       discfs_error *err);
/* Removes a file, a symlink or an empty directory. */
int udf_update_remove(struct udf_update *u, const char *path,
		      discfs_error *err);
/* Moves from to to; an existing non-directory at to is replaced. */
int udf_update_rename(struct udf_update *u, const char *from, const char *to,
		      discfs_error *err);
int udf_update_setattr(struct udf_update *u, const char *path,
		       const struct udf_update_attr *a, discfs_error *err);

/*
 * Adds the name newpath for the regular file or symlink at existing
 * (committed, or created in this increment).  The file keeps one entry:
 * the new FID points at it and its FileLinkCount goes up (the entry is
 * rewritten as for an attribute change); content, attributes and later
 * writes through any of its names are one file's.  Removing a name takes
 * one link off; the data goes with the last name.  Directories are
 * refused (DISCFS_EINVAL), as is an existing newpath.
 */
int udf_update_link(struct udf_update *u, const char *existing,
		    const char *newpath, discfs_error *err);

/* True when something is staged. */
bool udf_update_pending(const struct udf_update *u);

/*
 * Reads committed content: up to len bytes of path at off, as the volume
 * u holds records it (the state before u's pending changes).  For callers
 * whose own reader cannot reach the drive while u holds it exclusively
 * (a commit's read callbacks, which may need a changed file's unchanged
 * part).  *got < len only at the end of the file.  The last file looked
 * up is remembered until the next call with another path.
 */
int udf_update_read_committed(struct udf_update *u, const char *path,
			      uint64_t off, void *buf, size_t len, size_t *got,
			      discfs_error *err);

/* Writes the increment; st (may be NULL) says what it cost. */
int udf_update_commit(struct udf_update *u, struct udf_update_stats *st,
		      discfs_error *err);

/* ---- importing an ISO9660 disc (udf/update_import*.c) ----
 *
 * A write-once disc holding only ISO9660 sessions gets a new session with
 * a UDF volume (VAT; 2.50 on BD-R, else 2.01) whose tree is the ISO tree:
 * the files' allocation descriptors point at the extents already on the
 * disc, nothing is copied.  Its partition starts at block 0 (so it covers
 * every ISO extent) and runs to the end of the medium; the new session's
 * VRS is at its first block + 16, its anchor at + 256.  Readers must be
 * given the session start (udf_update_opts.session_start, the reader's
 * udf_open_opts) as for any multi-session disc.
 */
#define UDF_IMPORT_PART_START 0u

/* One extent of an imported file: len bytes from absolute block lba. */
struct udf_import_ext {
	uint32_t lba;
	uint32_t len;
};

/*
 * Lays out an empty VAT volume as a new session at bd's next writable
 * block (the medium must be sequential and hold data already), its
 * partition starting at absolute block part_start (<= that block).
 */
int udf_update_format_session(struct udf_bdev *bd,
			      const struct udf_update_opts *o,
			      uint32_t part_start, discfs_error *err);

/*
 * A volume anchored in a session that was closed (from, its first block)
 * is continued in the next one: the session's VRS, volume descriptors,
 * LVID and anchor (blocks from+16 .. from+256) are copied to the next
 * writable block, each descriptor tagged with its new place, followed by
 * a copy of the VAT ICB; so when the session being written is closed,
 * readers of the last closed session (Linux) find the same volume there.
 * Call it right after udf_update_open, before anything is staged, when
 * the first increment of a new session is about to be written.
 */
int udf_update_continue_session(struct udf_update *u, uint64_t from,
				discfs_error *err);

/*
 * Creates the regular file path (which must not exist) whose content is
 * the given extents, already recorded inside the physical partition:
 * nothing is written but its file entry.  Every extent but the last must
 * be a whole number of blocks; size is at most their sum.
 */
int udf_update_import_file(struct udf_update *u, const char *path,
			   const struct udf_update_attr *a, uint64_t size,
			   const struct udf_import_ext *ext, size_t n_ext,
			   discfs_error *err);

struct iso_vol;
/* Stages the whole tree of iso (root attributes, directories, files as
 * imported extents, symlinks) into u's (empty) root. */
int udf_update_import_iso(struct udf_update *u, struct iso_vol *iso,
			  discfs_error *err);

/*
 * The whole import, ready for more changes and a commit: checks that bd
 * is an appendable write-once medium, reads the ISO9660 volume of the
 * session starting at iso_session, lays out the new session
 * (udf_update_format_session, labelled as the ISO volume unless o->label),
 * opens it for update and stages the ISO tree.  The disc then holds an
 * empty UDF volume until the commit writes the tree (a crash in between
 * leaves the ISO files on the disc, but not in the UDF tree).
 * Errors: DISCFS_ENOTSUP for a rewritable medium, DISCFS_EPROTECT for a
 * closed one, DISCFS_EFORMAT when there is no ISO9660 volume.
 */
int udf_update_import_open(struct udf_bdev *bd, const struct udf_update_opts *o,
			   uint64_t iso_session, struct udf_update **out,
			   discfs_error *err);

#endif
