/*
 * test_uring_source.c - image sources (file, pipe, producer) and write
 * units: sizes known or not, short reads gathered, a file that grows is cut
 * at its opening size, hostile producers refused; units and chunks per
 * medium within the maximum transfer.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmc/mmc_defs.h"
#include "util/err.h"
#include "uring/source.h"
#include "uring/units.h"

static char *temp_file(size_t n)
{
	char *path = strdup("/tmp/test_uring_source.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)i;
		assert_int_equal(write(fd, &b, 1), 1);
	}
	close(fd);
	return path;
}

static void file_source_knows_its_size_and_reads_to_the_end(void **st)
{
	char *path = temp_file(5000);
	struct dfs_source *s;
	uint8_t buf[4096];
	discfs_error e;
	(void)st;
	assert_int_equal(dfs_source_open_file(path, &s, &e), 0);
	assert_true(dfs_source_size_known(s));
	assert_int_equal(dfs_source_size(s), 5000);
	assert_int_equal(dfs_source_read(s, buf, 4096, &e), 4096);
	assert_int_equal(buf[4095], (uint8_t)4095);
	assert_int_equal(dfs_source_read(s, buf, 4096, &e), 904);
	assert_int_equal(dfs_source_read(s, buf, 4096, &e), 0);
	assert_int_equal(dfs_source_consumed(s), 5000);
	assert_int_equal(dfs_source_rewind(s, &e), 0);
	assert_int_equal(dfs_source_read(s, buf, 2048, &e), 2048);
	assert_int_equal(buf[0], 0);
	dfs_source_close(s);
	unlink(path);
	free(path);
}

static void a_file_that_grows_is_cut_at_its_opening_size(void **st)
{
	char *path = temp_file(2048);
	struct dfs_source *s;
	uint8_t buf[8192];
	discfs_error e;
	int fd;
	(void)st;
	assert_int_equal(dfs_source_open_file(path, &s, &e), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, buf, 4096), 4096);
	close(fd);
	assert_int_equal(dfs_source_read(s, buf, 8192, &e), 2048);
	assert_int_equal(dfs_source_read(s, buf, 8192, &e), 0);
	dfs_source_close(s);
	unlink(path);
	free(path);
}

static void missing_file_and_directory_are_refused(void **st)
{
	struct dfs_source *s;
	discfs_error e;
	(void)st;
	assert_int_equal(dfs_source_open_file("/nonexistent/img", &s, &e),
			 -DISCFS_ENOENT);
	assert_int_equal(dfs_source_open_file("/tmp", &s, &e), -DISCFS_EINVAL);
	assert_int_equal(dfs_source_from_fd(-1, &s, &e), -DISCFS_EINVAL);
	assert_int_equal(dfs_source_from_producer(NULL, NULL, 0, &s, &e),
			 -DISCFS_EINVAL);
}

static void pipe_pieces_are_gathered_into_whole_reads(void **st)
{
	struct dfs_source *s;
	uint8_t buf[4096];
	discfs_error e;
	int fds[2];
	(void)st;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "abc", 3), 3);
	assert_int_equal(write(fds[1], "defg", 4), 4);
	close(fds[1]);
	assert_int_equal(dfs_source_from_fd(fds[0], &s, &e), 0);
	assert_false(dfs_source_size_known(s));
	assert_int_equal(dfs_source_size(s), 0);
	assert_int_equal(dfs_source_read(s, buf, sizeof(buf), &e), 7);
	assert_memory_equal(buf, "abcdefg", 7);
	assert_int_equal(dfs_source_read(s, buf, sizeof(buf), &e), 0);
	assert_int_equal(dfs_source_rewind(s, &e), -DISCFS_ENOTSUP);
	dfs_source_close(s);
	close(fds[0]);
}

static int liar(void *user, void *buf, size_t len, size_t *got,
		discfs_error *err)
{
	(void)user;
	(void)buf;
	(void)err;
	*got = len + 1; /* claims more than it was given room for */
	return 0;
}

static int failing(void *user, void *buf, size_t len, size_t *got,
		   discfs_error *err)
{
	(void)user;
	(void)buf;
	(void)len;
	*got = 0;
	return dfs_fail(err, DISCFS_EFORMAT, "producer: broken tree");
}

static int endless(void *user, void *buf, size_t len, size_t *got,
		   discfs_error *err)
{
	(void)user;
	(void)err;
	memset(buf, 1, len);
	*got = len;
	return 0;
}

static void hostile_producers_are_refused(void **st)
{
	struct dfs_source *s;
	uint8_t buf[2048];
	discfs_error e;
	(void)st;
	assert_int_equal(dfs_source_from_producer(liar, NULL, 0, &s, &e), 0);
	assert_int_equal(dfs_source_read(s, buf, sizeof(buf), &e), -DISCFS_EINVAL);
	dfs_source_close(s);
	assert_int_equal(dfs_source_from_producer(failing, NULL, 0, &s, &e), 0);
	assert_int_equal(dfs_source_read(s, buf, sizeof(buf), &e),
			 -DISCFS_EFORMAT);
	dfs_source_close(s);
	/* announced 4096 bytes, then keeps giving */
	assert_int_equal(dfs_source_from_producer(endless, NULL, 4096, &s, &e), 0);
	assert_int_equal(dfs_source_read(s, buf, 2048, &e), 2048);
	assert_int_equal(dfs_source_read(s, buf, 2048, &e), 2048);
	assert_int_equal(dfs_source_read(s, buf, 2048, &e), -DISCFS_EINVAL);
	dfs_source_close(s);
	dfs_source_close(NULL);
}

static void units_follow_the_medium_within_the_transfer_limit(void **st)
{
	struct dfs_write_units u;
	discfs_error e;
	(void)st;
	assert_int_equal(dfs_write_units_for(MMC_PROF_BD_R_SRM, 0, 0, &u, &e), 0);
	assert_int_equal(u.unit_blocks, 32);
	assert_int_equal(u.chunk_blocks, 32);
	assert_int_equal(dfs_write_units_for(MMC_PROF_DVD_PLUS_R, 0, 0, &u, &e), 0);
	assert_int_equal(u.unit_blocks, 16);
	assert_int_equal(u.chunk_blocks, 32);
	assert_int_equal(dfs_write_units_for(MMC_PROF_CD_R, 0, 0, &u, &e), 0);
	assert_int_equal(u.unit_blocks, 1);
	assert_int_equal(u.chunk_blocks, 32);
	/* a CD-RW with fixed packets of 32 and a 40 KiB limit */
	assert_int_equal(dfs_write_units_for(MMC_PROF_CD_RW, 32, 0, &u, &e), 0);
	assert_int_equal(u.unit_blocks, 32);
	assert_int_equal(dfs_write_units_for(MMC_PROF_DVD_RAM, 0, 40960, &u, &e), 0);
	assert_int_equal(u.chunk_blocks, 16); /* never above the maximum */
	assert_int_equal(dfs_write_units_for(MMC_PROF_BD_RE, 0, 32768, &u, &e),
			 -DISCFS_EINVAL); /* cannot hold one cluster */
	assert_int_equal(dfs_round_up(33, 16), 48);
	assert_int_equal(dfs_round_up(32, 16), 32);
	assert_int_equal(dfs_round_up(0, 16), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_source_knows_its_size_and_reads_to_the_end),
		cmocka_unit_test(a_file_that_grows_is_cut_at_its_opening_size),
		cmocka_unit_test(missing_file_and_directory_are_refused),
		cmocka_unit_test(pipe_pieces_are_gathered_into_whole_reads),
		cmocka_unit_test(hostile_producers_are_refused),
		cmocka_unit_test(units_follow_the_medium_within_the_transfer_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
