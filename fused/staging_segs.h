/*
 * fused/staging_segs.h - the staged-data store: a few large append-only
 * segment files ("seg-XXXXXXXX.dat") in the staging directory, instead of
 * one local file per staged file.  File bytes are appended to the current
 * segment and the journal records where they went (seg, offset), so a new
 * write never overwrites bytes an older journal record points at.
 *
 * Bytes past the last journalled extent of a segment are garbage from a
 * write that crashed before its journal record; they are never read.
 * All files are opened relative to the staging directory with O_NOFOLLOW,
 * so the store never follows a symlink out of its directory.
 */
#ifndef DFS_FUSED_STAGING_SEGS_H
#define DFS_FUSED_STAGING_SEGS_H

#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

#define STG_SEG_MAX_DEFAULT (1ull << 30)

struct stg_segs {
	int dirfd;          /* borrowed: the staging directory */
	int *fds;           /* fds[id] or -1; opened on demand */
	uint32_t n_fds;
	uint32_t cur;       /* segment receiving appends */
	uint64_t cur_end;   /* its size */
	uint64_t seg_max;   /* roll to a new segment past this size */
};

/* Finds the newest segment in dirfd (creating seg 0) and opens it. */
int stg_segs_open(struct stg_segs *s, int dirfd, uint64_t seg_max,
		  discfs_error *err);

/* Appends len bytes; returns 0 with their location, or -errno. */
int stg_segs_append(struct stg_segs *s, const void *buf, size_t len,
		    uint32_t *seg, uint64_t *segoff);

/* Reads exactly len bytes from a segment; -EIO when they are not there. */
int stg_segs_read(struct stg_segs *s, uint32_t seg, uint64_t off, void *buf,
		  size_t len);

/* fdatasync of the segment receiving appends (before a journal fsync). */
int stg_segs_sync(struct stg_segs *s);

/* Removes every segment file (after a successful commit). */
int stg_segs_remove_all(struct stg_segs *s);

void stg_segs_close(struct stg_segs *s);

#endif
