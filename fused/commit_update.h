/*
 * fused/commit_update.h - the commit writer for every commit: maps the
 * daemon's plan (commit.h) onto the incremental UDF writer (udf/update.h).
 *
 * A blank disc is first laid out as an empty volume (UDF 2.01 + VAT on
 * CD-R/DVD±R, 2.50 + VAT on BD-R, 2.01 + space bitmap on CD-RW, DVD±RW,
 * DVD-RAM, BD-RE; unformatted rewritables are formatted); an ISO9660 disc
 * mounted with -o import first gets a new UDF session holding the ISO
 * tree, which is closed after the commit (fused/commit_import.h; without
 * -o import its commits are refused).  The volume is looked for in the
 * last closed session with a UDF anchor, else at the disc's start.  Then
 * every commit, the first included, is one increment:
 *   SAME          nothing
 *   NEW           mkdir / write (bytes through dfs_commit_read) / symlink,
 *                 created with mode, owner and mtime
 *   DATA          the file's content replaced
 *   META          mode, owner and mtime set (directories after their
 *                 children, so their mtime is the staged one)
 *   moved         a committed entry (same disc id) under another name:
 *                 renamed (through a temporary name at the root, so swaps
 *                 and moves out of removed directories work)
 *   missing       a committed name not in the plan: removed, deepest first
 * Hard links: a staged file with several names is written once, through
 * one of its names (one already on the disc when there is one), and the
 * other names are linked to it (udf_update_link) after everything else.
 * Limits (the update API's): fifos, sockets and devices are refused
 * (DISCFS_ENOTSUP); access times and xattrs are not recorded.
 *
 * Ownership: borrows the disc (its committed volume is walked to find
 * the names on the disc) and the staging path.  Errors: negative discfs
 * codes, err filled; a failed commit leaves the disc as it was (plus
 * unreferenced blocks) and, through dfs_commit(), everything staged.
 */
#ifndef DFS_FUSED_COMMIT_UPDATE_H
#define DFS_FUSED_COMMIT_UPDATE_H

#include "fused/commit.h"
#include "fused/disc.h"

struct dfs_update_writer {
	struct dfs_commit_writer w;  /* w.ctx points here */
	struct dfs_disc *disc;       /* borrowed; its committing is set while
				      * the engine holds the drive */
};

void dfs_update_writer_init(struct dfs_update_writer *uw,
			    struct dfs_disc *disc);

#endif
