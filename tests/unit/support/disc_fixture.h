/*
 * tests/unit/support/disc_fixture.h - blank emulated discs and image
 * files of zeros in a test program's scratch directory, named in turn.
 * Helpers fail the test (cmocka) instead of returning codes.
 */
#ifndef DFS_TEST_DISC_FIXTURE_H
#define DFS_TEST_DISC_FIXTURE_H

#include <stddef.h>

#include "discfs.h"

/* A blank emulated medium of 8192 blocks in dir (its image path into
 * path), opened as a drive; scale >= 0 sets its time scale first. */
discfs_drive *fixture_open_disc(const char *dir, const char *media, double scale,
				char *path, size_t n);

/* An image file of blocks zero blocks in dir; the path stays valid until
 * the next call. */
const char *fixture_zero_image(const char *dir, size_t blocks);

#endif
