/*
 * fused/staging_extent.h - a staged file's extents: which byte ranges of
 * the file live where in the segment files.  Kept sorted and
 * non-overlapping; a new extent replaces whatever it overlaps, and joins
 * its left neighbour when both are contiguous in file and segment (so a
 * sequential write stays one extent).  The inode's ext_bytes and the
 * tree's staged_bytes follow every change.
 */
#ifndef DFS_FUSED_STAGING_EXTENT_H
#define DFS_FUSED_STAGING_EXTENT_H

#include <stdint.h>

#include "fused/staging_tree.h"

/* Records e over whatever it overlaps; -ENOMEM with nothing changed. */
int stg_extent_put(struct stg_tree *t, struct stg_inode *in,
		   const struct stg_extent *e);

/* Drops every staged byte at or past size (truncation). */
void stg_extent_cut(struct stg_tree *t, struct stg_inode *in, uint64_t size);

#endif
