/*
 * fused/commit.h - what the daemon hands to the UDF engine at a commit.
 *
 * A commit compiles the merged tree into the disc.  The daemon builds a
 * plan: every live entry of the merged tree in dependency order (root
 * first, every directory before its children: breadth first), each marked
 * with what changed since the disc's committed state:
 *   NEW   created in staging: file entry, directory entry and data to write
 *   DATA  committed file whose bytes changed: new data extents + file entry
 *   META  attributes, xattrs, or (for a directory) its list of names changed
 *   SAME  unchanged: an incremental writer reuses its committed file entry
 * Deletions are implicit: a committed entry (disc_id != 0) that no longer
 * appears in the plan was removed (hidden on write-once media, its blocks
 * freed on rewritable media).  Hard links appear once per name; all names
 * of one inode point at the same stg_inode.
 *
 * The writer reads file bytes through dfs_commit_read() (staged extents,
 * committed bytes and holes merged).  On success it returns the new disc
 * generation; the daemon then saves the inode numbers (inomap.h) and
 * starts an empty journal on it.  On failure nothing is dropped: every
 * change stays staged, and the error says why.  Before the writer runs, a
 * COMMIT record is made durable in the journal, so a crash in the middle
 * is recognised at the next mount (staging.h).  Without a writer,
 * dfs_commit() refuses with DISCFS_ENOTSUP and says so; it never pretends.
 *
 * Writers: commit_update.h, used for every commit (the incremental UDF
 * writer: an empty volume laid out on a blank disc, then new data,
 * changed entries and a new VAT appended, or in-place updates with a
 * space bitmap; it uses the change marks and disc_ids).  commit_image.h
 * (the first session as one full UDF image, burnt) is kept but not used
 * by the daemon; main.c only removes what it left in the staging dir.
 */
#ifndef DFS_FUSED_COMMIT_H
#define DFS_FUSED_COMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "discfs.h"
#include "fused/staging.h"

enum dfs_change { DFS_CH_SAME = 0, DFS_CH_NEW, DFS_CH_DATA, DFS_CH_META };

struct dfs_commit_entry {
	const struct stg_inode *inode;
	const struct stg_dentry *name; /* NULL for the root */
	size_t parent;                 /* index of the parent's entry (root: 0) */
	uint32_t depth;                /* root 0 */
	uint8_t change;                /* enum dfs_change */
};

struct dfs_commit_plan {
	struct dfs_commit_entry *entries; /* entries[0] is the root */
	size_t n;
	size_t n_changed;                 /* entries not SAME */
	uint64_t staged_bytes;            /* file bytes to write */
	struct stg_store *store;
};

struct dfs_commit_writer {
	const char *name; /* e.g. "udf-full-image" */
	/* Writes the plan; fills new_generation (NUL-terminated) on success. */
	int (*write)(void *ctx, const struct dfs_commit_plan *plan,
		     char *new_generation, size_t gen_size, discfs_error *err);
	void *ctx;
};

int dfs_commit_plan_build(struct stg_store *s, struct dfs_commit_plan *out,
			  discfs_error *err);
void dfs_commit_plan_free(struct dfs_commit_plan *plan);

/* Reads merged bytes of a plan entry's file (as stg_read). */
ssize_t dfs_commit_read(const struct dfs_commit_plan *plan,
			const struct stg_inode *inode, uint64_t off, void *buf,
			size_t len);

/*
 * Commits the store's staged changes through writer w (NULL: no writer
 * for this disc).  0 when committed or when nothing was staged.  On
 * success the store is reset onto the new generation (the caller reopens
 * it to reload the committed tree).
 */
int dfs_commit(struct stg_store *s, const struct dfs_commit_writer *w,
	       const char *staging_dir, discfs_error *err);

#endif
