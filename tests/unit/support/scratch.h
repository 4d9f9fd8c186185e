/*
 * tests/unit/support/scratch.h - a scratch directory per test program:
 * made in the group setup, removed with everything in it in the teardown.
 */
#ifndef DFS_TEST_SCRATCH_H
#define DFS_TEST_SCRATCH_H

#include <stddef.h>

/* Makes /tmp/NAME.XXXXXX into dir (size n >= 32); 0, or -1 on failure. */
int scratch_make(char *dir, size_t n, const char *name);

/* Removes dir and what it holds; 0, or -1 on failure. */
int scratch_remove(const char *dir);

#endif
