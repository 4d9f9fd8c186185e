/*
 * lib/burn_session.h - where the data of a disc is: the extent of the last
 * session (its first track's start to its last recorded block) and of the
 * whole recorded disc, from discfs_media_info.  Used by verify and read.
 */
#ifndef DFS_LIB_BURN_SESSION_H
#define DFS_LIB_BURN_SESSION_H

#include <stdint.h>

#include "discfs.h"

struct extent {
	uint32_t start;
	uint64_t blocks;
};

/* Recorded blocks of a track (0 for a blank one). */
uint64_t track_recorded(const discfs_track_info *t);

/* The last session holding data; ENOENT (EMEDIUM) when the disc is blank. */
int last_session_extent(const discfs_media_info *mi, struct extent *out,
			discfs_error *err);

/* LBA 0 to the end of the last recorded block. */
int disc_extent(const discfs_media_info *mi, struct extent *out,
		discfs_error *err);

#endif
