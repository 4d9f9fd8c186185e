/* tests/unit/support/disc_fixture.c - see disc_fixture.h */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/support/disc_fixture.h"
#include "mmc/emu/emu.h"

static unsigned seq;

discfs_drive *fixture_open_disc(const char *dir, const char *media, double scale,
				char *path, size_t n)
{
	discfs_drive *d;
	discfs_error e;
	snprintf(path, n, "%s/d%u.img", dir, ++seq);
	if (discfs_emu_create(path, media, 8192, &e))
		fail_msg("create %s: %s", media, e.msg);
	if (scale >= 0 && emu_disc_set(path, NULL, NULL, scale, &e))
		fail_msg("time scale: %s", e.msg);
	if (discfs_open(path, &d, &e))
		fail_msg("open: %s", e.msg);
	return d;
}

const char *fixture_zero_image(const char *dir, size_t blocks)
{
	static char path[256];
	size_t len = blocks * 2048;
	uint8_t *b = calloc(1, len ? len : 1);
	assert_non_null(b);
	snprintf(path, sizeof(path), "%s/i%u.bin", dir, ++seq);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	free(b);
	return path;
}
