/* lib/burn_ranges.c - see burn_ranges.h */
#include "lib/burn_ranges.h"

void br_add(discfs_bad_range *arr, size_t *n, bool *truncated, uint32_t lba,
	    bool unreadable)
{
	if (*n) {
		discfs_bad_range *last = &arr[*n - 1];
		if (last->unreadable == unreadable && last->last + 1 == lba) {
			last->last = lba;
			return;
		}
	}
	if (*n == DISCFS_MAX_BAD_RANGES) {
		*truncated = true;
		return;
	}
	arr[*n].first = arr[*n].last = lba;
	arr[*n].unreadable = unreadable;
	(*n)++;
}
