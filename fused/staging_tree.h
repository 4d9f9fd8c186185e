/*
 * fused/staging_tree.h - the in-memory merged tree: committed entries read
 * from the disc plus every staged change, indexed by inode number and by
 * (parent, name).  Pure data structure: no I/O, no journal.
 *
 * Invariants:
 *  - The root is inode STG_ROOT_INO, a directory, and is never removed.
 *  - Every directory has exactly one name (except the root, which has none);
 *    its nlink is 2 + its subdirectories.  Files may have several names.
 *  - An inode with nlink 0 is unreachable; it is freed once nobody holds a
 *    reference (stg_tree_ref), so open-but-unlinked files keep working.
 *  - A file's bytes are: its staged extents (sorted, non-overlapping), else
 *    the committed bytes below base_size, else zeros.
 *  - stg_tree_apply() either applies an op completely and returns 0, or
 *    changes nothing and returns a negative errno.
 * Memory per entry is one inode, one dentry with its name, its extents
 * (adjacent extents merge, so sequential writes make one) and xattrs.
 */
#ifndef DFS_FUSED_STAGING_TREE_H
#define DFS_FUSED_STAGING_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "fused/staging_op.h"

#define STG_ROOT_INO 1ull
#define STG_FIRST_NEW_INO (1ull << 48) /* committed inodes stay below */

enum { STG_I_NEW = 1, STG_I_META = 2, STG_I_DATA = 4 };

struct stg_extent {
	uint64_t off, len;   /* range of the file */
	uint64_t segoff;     /* where it is in segment seg */
	uint32_t seg;
};

struct stg_xattr {
	struct stg_xattr *next;
	uint32_t name_len, value_len;
	char data[];         /* name, NUL, value */
};

struct stg_dentry;

struct stg_inode {
	struct stg_inode *hnext;
	uint64_t ino;
	uint32_t mode, uid, gid, nlink;
	uint64_t rdev, size;
	uint64_t base_size;  /* committed bytes still visible below this */
	uint64_t disc_id;    /* the disc source's handle; 0 = not on disc */
	uint64_t ext_bytes;  /* sum of extent lengths */
	int64_t atime, mtime, ctime;
	char *symlink;       /* target, NUL-terminated, for S_IFLNK */
	struct stg_xattr *xattrs;
	struct stg_extent *ext;
	uint32_t n_ext, cap_ext;
	struct stg_dentry *first, *last; /* children, in insertion order */
	uint32_t n_children;
	struct stg_dentry *dir_name;     /* a directory's one name */
	uint64_t refs;       /* in-memory holds (kernel lookups, open files) */
	uint8_t changed;     /* STG_I_* */
};

/* stg_dentry.ahead: see stg_tree_apply_tolerant() */
enum { STG_KNOWN = 0, STG_AHEAD_NEW = 1, STG_AHEAD_OLD = 2 };

struct stg_dentry {
	struct stg_dentry *hnext, *prev, *next;
	struct stg_inode *parent, *inode;
	uint16_t name_len;
	uint8_t ahead;       /* STG_KNOWN, or a name the journal cannot know */
	char name[];         /* NUL-terminated */
};

struct stg_tree {
	struct stg_inode **ih;  /* inode hash */
	size_t ih_size, n_inodes;
	struct stg_dentry **dh; /* dentry hash on (parent, name) */
	size_t dh_size, n_dentries;
	uint64_t next_ino;      /* for new inodes */
	uint64_t staged_bytes;  /* sum of ext_bytes over live inodes */
	uint64_t n_new;         /* inodes created since the last commit */
};

/* Creates the tree with an empty root directory; -ENOMEM on failure. */
int stg_tree_init(struct stg_tree *t, uint32_t root_mode, uint32_t uid,
		  uint32_t gid, int64_t now);
void stg_tree_free(struct stg_tree *t);

struct stg_inode *stg_tree_inode(const struct stg_tree *t, uint64_t ino);
struct stg_dentry *stg_tree_lookup(const struct stg_tree *t,
				   const struct stg_inode *dir,
				   const char *name, size_t len);

/* Applies one op; 0 or -errno with the tree unchanged. */
int stg_tree_apply(struct stg_tree *t, const struct stg_op *op);

/*
 * Tolerant replay, for a tree loaded from a rewritable disc whose in-place
 * commit was cut short (staging.h): the disc shows every object wholly
 * old or wholly as the commit left it, so the journal meets names it
 * cannot know yet.  Before replaying, the store (staging.c) marks those
 * "ahead" (STG_AHEAD_NEW: an object the commit created; STG_AHEAD_OLD: an
 * object that existed before, named there by the commit); every other
 * name is STG_KNOWN, as are the names replay makes.  Then:
 *  - MKNOD/SYMLINK/LINK onto an ahead-new name: it is dropped (a directory
 *    created over an ahead-new directory takes over what the disc shows
 *    in it, as ahead names) and the op applies; LINK onto an ahead name of
 *    its own inode: that name goes first; LINK of a gone inode and a
 *    create in a gone directory are skipped;
 *  - UNLINK of a gone or ahead name, in a gone directory: skipped;
 *  - RENAME whose source is gone or ahead: skipped; onto an ahead-new
 *    target: the target is dropped (merged as above when both are
 *    directories); onto an ahead name of the same inode: that name goes;
 *  - WRITE/SETATTR/SETXATTR/RMXATTR of a gone inode: skipped; SETXATTR
 *    ignores CREATE/REPLACE (the disc may show the final set); RMXATTR of
 *    a missing attribute: skipped.
 * Anything else applies strictly; what would lose an object that existed
 * before (dropping an ahead-old name, or a subtree holding one) fails
 * with -EEXIST.  0 (applied or skipped) or -errno; unlike
 * stg_tree_apply(), a failure may leave a drop done (the caller discards
 * the tree).
 */
int stg_tree_apply_tolerant(struct stg_tree *t, const struct stg_op *op);

/*
 * Gives inode from the number to (the children stay with it).  -ENOENT
 * (no such inode), -EINVAL (the root, or to < 2), -EEXIST (to is in use).
 * next_ino is left alone: the caller keeps it above every number in use.
 */
int stg_tree_renumber(struct stg_tree *t, uint64_t from, uint64_t to);

/* Calls fn for every name in the tree (any order; fn must not change it). */
void stg_tree_each_dentry(struct stg_tree *t,
			  void (*fn)(void *ctx, struct stg_dentry *d), void *ctx);

/*
 * Adds an entry that is already on the disc (while loading); an ino
 * already loaded adds another name (hard link).  attrs gives
 * ino (>= 2; an ino already loaded with the same disc_id adds a name,
 * another one fails with -EEXIST), mode, uid, gid, rdev, size, times in
 * the MKNOD/SETATTR fields, symlink target in data.  -errno on failure.
 */
int stg_tree_add_committed(struct stg_tree *t, uint64_t parent,
			   const char *name, const struct stg_op *attrs,
			   uint64_t disc_id);

/* Pins an inode in memory / drops a pin (freeing it if unlinked). */
void stg_tree_ref(struct stg_inode *ino);
void stg_tree_unref(struct stg_tree *t, struct stg_inode *ino);
/*
 * Gives every inode one pin: after a reload under a live mount, the
 * kernel may hold any of them (its FORGET then drops the pin).
 */
void stg_tree_pin_all(struct stg_tree *t);

/* Drops n pins at once (FUSE forget). */
void stg_tree_unref_n(struct stg_tree *t, struct stg_inode *ino, uint64_t n);

/* Looks up an xattr of an inode; NULL when absent. */
const struct stg_xattr *stg_tree_xattr(const struct stg_inode *ino,
				       const char *name, size_t len);

#endif
