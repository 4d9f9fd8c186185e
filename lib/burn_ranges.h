/*
 * lib/burn_ranges.h - the list of bad ranges verify and read report.
 * Adjacent blocks of the same kind merge into one range; when the fixed
 * array is full, *truncated is set and later ranges are only counted.
 */
#ifndef DFS_LIB_BURN_RANGES_H
#define DFS_LIB_BURN_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

void br_add(discfs_bad_range *arr, size_t *n, bool *truncated, uint32_t lba,
	    bool unreadable);

#endif
