/*
 * fused/inomap.h - keeps inode numbers stable across a commit.
 *
 * Before a commit the kernel knows the merged tree's inode numbers; after
 * it, the tree is reloaded from the disc.  So that nothing the kernel
 * cached goes stale, the commit saves "path -> inode number" for every
 * entry it wrote, in STAGING/inomap, tagged with the new disc generation;
 * loading the disc then gives each entry the number it had.  Without a
 * map (or with one of another generation) entries are numbered by the
 * disc, which is as stable across mounts.
 *
 * File layout: "DFSM1\n" generation "\n", then records
 *   u64 ino (little-endian) | path bytes | NUL
 * written to inomap.new and renamed into place.
 */
#ifndef DFS_FUSED_INOMAP_H
#define DFS_FUSED_INOMAP_H

#include <stddef.h>
#include <stdint.h>

#include "discfs.h"
#include "fused/commit.h"

struct dfs_inomap; /* opaque: path -> ino */

/* Writes the map of a plan (paths from the root, "/a/b"). */
int dfs_inomap_save(int dirfd, const struct dfs_commit_plan *plan,
		    const char *generation, discfs_error *err);

/* Loads the map if it exists and is of this generation; else *out NULL. */
int dfs_inomap_load(int dirfd, const char *generation, struct dfs_inomap **out);

/* The saved number of path, or 0. */
uint64_t dfs_inomap_get(const struct dfs_inomap *m, const char *path);

void dfs_inomap_free(struct dfs_inomap *m);

#endif
