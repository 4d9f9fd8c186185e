/*
 * fused/staging.h - the staging store: the merged tree of a mounted disc,
 * kept crash-safe in a staging directory.
 *
 * Directory contents (all opened with O_NOFOLLOW relative to the dir):
 *   lock            flock()ed while a store is open (one daemon per disc)
 *   journal         the change journal (staging_journal.h); its first record
 *                   is BASE: format version + the disc generation it
 *                   stacks on
 *   seg-*.dat       staged file bytes (staging_segs.h)
 *   inomap          inode numbers kept across the last commit (inomap.h)
 *   base-tree       in-place media: the committed tree's names as the
 *                   journal's base generation holds them
 *                   (stg_params.keep_base_tree)
 *   tolerated       the generation a tolerant replay was done on
 *   tolerated-ids   which disc objects are the base tree's (staging.c)
 *   commit-tree/, commit.img   temporary files of the full-image writer
 *                   (commit_image.h; removed at mount, no longer written)
 *
 * Space: the journal and the segments only grow until a commit empties
 * them; bytes overwritten while staged stay in the segments as garbage
 * (a file's extent list is kept bounded, see STG_MAX_EXTENTS, but the
 * segments and the journal are not compacted).
 *
 * Every mutating call builds one op, applies it to the tree (all or
 * nothing), then appends it to the journal before returning: an operation
 * that returned success survives kill -9 of the process; one that did not
 * return is either wholly there after replay or wholly absent.  For power
 * loss, stg_store_sync() makes everything so far durable (data first, then
 * the journal).  If a journal append fails, the in-memory tree is ahead of
 * the journal: the store turns read-only (every later change fails with
 * EIO) and the next open recovers the journalled state.
 *
 * Mutating calls return 0 or a negative errno (what FUSE wants); open and
 * sync report through discfs_error.  Not thread-safe: the caller locks.
 */
#ifndef DFS_FUSED_STAGING_H
#define DFS_FUSED_STAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "discfs.h"
#include "fused/staging_journal.h"
#include "fused/staging_segs.h"
#include "fused/staging_tree.h"

#define STG_FORMAT_VERSION 1u
#define STG_MAX_EXTENTS 1024u /* per file, before its staged span is rewritten */
#define STG_GEN_MAX 128u

/* Reads committed bytes of a disc entry; returns 0 or -errno. */
typedef int (*stg_disc_read_fn)(void *ctx, uint64_t disc_id, uint64_t off,
				void *buf, size_t len);
/* Adds the disc's committed entries to a fresh tree (before replay). */
typedef int (*stg_disc_load_fn)(void *ctx, struct stg_tree *tree,
				discfs_error *err);

struct stg_params {
	uint32_t root_mode, uid, gid; /* root of a tree with nothing committed */
	const char *generation;       /* identifies the committed disc state */
	stg_disc_load_fn load;        /* may be NULL: nothing committed */
	stg_disc_read_fn read;        /* needed when load adds files */
	void *disc_ctx;
	uint64_t seg_max;             /* 0: STG_SEG_MAX_DEFAULT */
	/*
	 * When the journal stacks on another generation but its last record
	 * is a COMMIT: the commit finished before the crash (the caller has
	 * checked the disc reads as a complete volume).  Then the journal is
	 * started afresh instead of failing with DISCFS_ECHANGED.
	 */
	bool adopt_finished_commit;
	/*
	 * In-place (rewritable) media: keep a record of the committed tree's
	 * names and numbers (file "base-tree", written once per generation)
	 * so that a commit cut short in the middle can be replayed over.
	 */
	bool keep_base_tree;
	/*
	 * The disc's volume was repaired at open after an in-place commit cut
	 * short: when the journal stacks on another generation and its last
	 * record is a COMMIT, the disc is partly the old and partly the
	 * committed tree.  The journal is then replayed tolerantly
	 * (stg_tree_apply_tolerant) onto it: objects the base tree knows get
	 * the numbers the journal uses (by disc id), names it does not know
	 * are marked ahead.  The result must name exactly what the journal
	 * replayed on base-tree's names gives, else the open is refused
	 * (DISCFS_ECHANGED, staging kept): e.g. an object the cut left with
	 * no name on the disc is never silently dropped.  The file
	 * "tolerated" names the disc generation this was tried on (written
	 * first: the repaired volume reads as closed from then on), and
	 * later opens on that same generation replay the same way (or refuse
	 * the same way) instead of adopting a "finished" commit, until a
	 * commit succeeds (stg_store_reset).
	 */
	bool tolerate_cut_commit;
};

struct stg_store {
	int dirfd, lockfd;
	struct stg_journal journal;
	struct stg_segs segs;
	struct stg_tree tree;
	stg_disc_read_fn read;
	void *disc_ctx;
	char generation[STG_GEN_MAX + 1];
	int broken;               /* errno that made the store read-only */
	uint64_t replayed;        /* records replayed at open */
	uint64_t torn_bytes;      /* tail bytes dropped at open */
	bool commit_pending;      /* the last record is a COMMIT */
	bool adopted_commit;      /* open found a finished interrupted commit */
	bool tolerated;           /* open replayed over a commit cut mid-way */
};

/*
 * Opens (creating it 0700 if needed) the staging directory dir, loads the
 * committed tree and replays the journal.  Fails with DISCFS_EBUSY when
 * another process holds it, DISCFS_ECHANGED when the journal stacks on a
 * different disc generation (the staged changes are then left untouched;
 * also when a tolerant replay finds a change it cannot place),
 * DISCFS_EFORMAT when the journal is corrupt.
 */
int stg_store_open(struct stg_store *s, const char *dir,
		   const struct stg_params *p, discfs_error *err);
void stg_store_close(struct stg_store *s);

/*
 * The disc generation the journal in dir stacks on, without opening the
 * store (0, or -1 when there is no valid journal).
 */
int stg_journal_base(const char *dir, char *gen, size_t size);

/*
 * The mark of a repair of the disc at mount (staging_mark.c): set before
 * the disc is opened for update (which repairs a commit cut short),
 * cleared once the store is open; found at mount, it means a mount that
 * died may have repaired the disc.  0 or -errno.
 */
int stg_repair_mark(const char *dir);
bool stg_repair_marked(const char *dir);
int stg_repair_clear(const char *dir);

/* Makes every change so far durable against power loss. */
int stg_store_sync(struct stg_store *s, discfs_error *err);

/*
 * After the staged changes were committed to the disc: starts an empty
 * journal stacking on new_generation (atomically, by rename) and removes
 * the segments.  The caller then reopens the store to reload the tree.
 */
int stg_store_reset(struct stg_store *s, const char *new_generation,
		    discfs_error *err);

/* Current time in ns, as the store stamps changes. */
int64_t stg_now(void);

/*
 * Records that a commit of everything staged starts (made durable before
 * the disc is touched), so that a crash during the commit can be told
 * apart at the next open.
 */
int stg_store_commit_begin(struct stg_store *s, const char *writer,
			   discfs_error *err);

/* Whether anything is staged (the journal holds more than its BASE). */
bool stg_store_dirty(const struct stg_store *s);

int stg_mknod(struct stg_store *s, uint64_t parent, const char *name,
	      uint32_t mode, uint32_t uid, uint32_t gid, uint64_t rdev,
	      struct stg_inode **out);
int stg_symlink(struct stg_store *s, uint64_t parent, const char *name,
		const char *target, uint32_t uid, uint32_t gid,
		struct stg_inode **out);
int stg_link(struct stg_store *s, uint64_t ino, uint64_t newparent,
	     const char *newname);
int stg_unlink(struct stg_store *s, uint64_t parent, const char *name,
	       bool is_dir);
int stg_rename(struct stg_store *s, uint64_t parent, const char *name,
	       uint64_t newparent, const char *newname, uint32_t flags);
/* valid: STG_SET_*; times in ns since the epoch. */
int stg_setattr(struct stg_store *s, uint64_t ino, uint32_t valid,
		uint32_t mode, uint32_t uid, uint32_t gid, uint64_t size,
		int64_t atime, int64_t mtime);
/* Returns len or -errno. */
ssize_t stg_write(struct stg_store *s, uint64_t ino, uint64_t off,
		  const void *buf, size_t len);
/* Returns bytes read (short at end of file) or -errno. */
ssize_t stg_read(struct stg_store *s, uint64_t ino, uint64_t off, void *buf,
		 size_t len);
int stg_setxattr(struct stg_store *s, uint64_t ino, const char *name,
		 const void *value, size_t len, uint32_t flags);
int stg_rmxattr(struct stg_store *s, uint64_t ino, const char *name);

#endif
