/*
 * test_staging_journal.c - the journal framing: records replay in order,
 * a torn last record (cut at any byte, or zero-filled) is dropped and cut
 * away, damage anywhere else is reported as DISCFS_EFORMAT, and random
 * corruption never crashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fused/crc32c.c"
#include "fused/staging_journal.c"

#define NREC 5

struct seen {
	int n;
	size_t len[64];
	uint8_t first[64];
	int fail_at; /* callback error at this record, 0 = never */
};

static int collect(void *ctx, uint64_t seq, const uint8_t *body, size_t len,
		   discfs_error *err)
{
	struct seen *s = ctx;

	assert_int_equal(seq, (uint64_t)s->n + 1);
	if (s->fail_at && s->fail_at == s->n + 1)
		return dfs_fail(err, DISCFS_EFORMAT, "rejected");
	s->len[s->n] = len;
	s->first[s->n] = len ? body[0] : 0;
	s->n++;
	return 0;
}

static int tmpfile_fd(void)
{
	char path[] = "/tmp/stgjXXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

/* Writes NREC records with bodies of growing size; returns the file size. */
static off_t write_records(int fd, off_t *last_start)
{
	struct stg_journal j;
	struct seen s = { 0 };
	uint8_t body[100];

	assert_int_equal(stg_journal_open(&j, dup(fd), collect, &s, NULL, NULL), 0);
	for (int i = 0; i < NREC; i++) {
		memset(body, 'a' + i, sizeof(body));
		*last_start = (off_t)j.end;
		assert_int_equal(stg_journal_append(&j, body, 10 + (size_t)i * 7, NULL), 0);
	}
	stg_journal_close(&j);
	return lseek(fd, 0, SEEK_END);
}

static off_t file_size(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

static void records_replay_in_order(void **state)
{
	int fd = tmpfile_fd();
	off_t last;
	struct stg_journal j;
	struct seen s = { 0 };
	uint64_t torn = 99;

	write_records(fd, &last);
	assert_int_equal(stg_journal_open(&j, dup(fd), collect, &s, &torn, NULL), 0);
	assert_int_equal(s.n, NREC);
	assert_int_equal(torn, 0);
	for (int i = 0; i < NREC; i++) {
		assert_int_equal(s.len[i], 10 + (size_t)i * 7);
		assert_int_equal(s.first[i], 'a' + i);
	}
	/* Appends continue the sequence. */
	assert_int_equal(j.next_seq, NREC + 1);
	assert_int_equal(stg_journal_append(&j, (const uint8_t *)"z", 1, NULL), 0);
	stg_journal_close(&j);
	memset(&s, 0, sizeof(s));
	assert_int_equal(stg_journal_open(&j, dup(fd), collect, &s, NULL, NULL), 0);
	assert_int_equal(s.n, NREC + 1);
	assert_int_equal(s.first[NREC], 'z');
	stg_journal_close(&j);
	close(fd);
}

static void cut_at_every_byte_of_the_last_record_drops_only_it(void **state)
{
	int fd = tmpfile_fd();
	off_t last, size = write_records(fd, &last);

	for (off_t cut = last; cut < size; cut++) {
		struct stg_journal j;
		struct seen s = { 0 };
		uint64_t torn = 0;
		int wfd = tmpfile_fd();
		uint8_t *copy = malloc((size_t)cut + 1);

		assert_int_equal(pread(fd, copy, (size_t)cut, 0), cut);
		assert_int_equal(pwrite(wfd, copy, (size_t)cut, 0), cut);
		assert_int_equal(stg_journal_open(&j, dup(wfd), collect, &s, &torn, NULL), 0);
		assert_int_equal(s.n, NREC - 1);
		assert_int_equal(torn, (uint64_t)(cut - last));
		/* The torn bytes are gone, so a new record follows the good ones. */
		assert_int_equal(file_size(wfd), last);
		assert_int_equal(stg_journal_append(&j, (const uint8_t *)"n", 1, NULL), 0);
		stg_journal_close(&j);
		memset(&s, 0, sizeof(s));
		assert_int_equal(stg_journal_open(&j, dup(wfd), collect, &s, NULL, NULL), 0);
		assert_int_equal(s.n, NREC);
		assert_int_equal(s.first[NREC - 1], 'n');
		stg_journal_close(&j);
		free(copy);
		close(wfd);
	}
	close(fd);
}

static void zero_filled_tail_is_a_torn_write(void **state)
{
	int fd = tmpfile_fd();
	off_t last, size = write_records(fd, &last);
	uint8_t zeros[300] = { 0 };
	struct stg_journal j;
	struct seen s = { 0 };

	assert_int_equal(pwrite(fd, zeros, sizeof(zeros), size), sizeof(zeros));
	assert_int_equal(stg_journal_open(&j, dup(fd), collect, &s, NULL, NULL), 0);
	assert_int_equal(s.n, NREC);
	assert_int_equal(file_size(fd), size);
	stg_journal_close(&j);
	close(fd);
}

static void bad_checksum_in_the_last_record_is_torn(void **state)
{
	int fd = tmpfile_fd();
	off_t last, size = write_records(fd, &last);
	uint8_t b;
	struct stg_journal j;
	struct seen s = { 0 };

	assert_int_equal(pread(fd, &b, 1, size - 6), 1);
	b ^= 1;
	assert_int_equal(pwrite(fd, &b, 1, size - 6), 1);
	assert_int_equal(stg_journal_open(&j, dup(fd), collect, &s, NULL, NULL), 0);
	assert_int_equal(s.n, NREC - 1);
	stg_journal_close(&j);
	close(fd);
}

static void damage_before_the_last_record_is_corruption(void **state)
{
	int fd = tmpfile_fd();
	off_t last, size = write_records(fd, &last);

	for (off_t at = 0; at < last; at++) {
		uint8_t b;
		struct stg_journal j;
		struct seen s = { 0 };
		discfs_error err;
		int rc;

		assert_int_equal(pread(fd, &b, 1, at), 1);
		b ^= 0x20;
		assert_int_equal(pwrite(fd, &b, 1, at), 1);
		rc = stg_journal_open(&j, dup(fd), collect, &s, NULL, &err);
		/* Even a length that runs past the end: valid records follow. */
		assert_int_equal(rc, -DISCFS_EFORMAT);
		assert_int_equal(err.code, DISCFS_EFORMAT);
		assert_non_null(strstr(err.msg, "journal"));
		/* Nothing was cut from a journal refused as corrupt. */
		assert_int_equal(file_size(fd), size);
		b ^= 0x20;
		assert_int_equal(pwrite(fd, &b, 1, at), 1);
	}
	close(fd);
}

static void a_failing_record_stops_replay_with_its_offset(void **state)
{
	int fd = tmpfile_fd();
	off_t last;
	struct stg_journal j;
	struct seen s = { .fail_at = 3 };
	discfs_error err;

	write_records(fd, &last);
	assert_int_equal(stg_journal_open(&j, dup(fd), collect, &s, NULL, &err),
			 -DISCFS_EFORMAT);
	assert_int_equal(s.n, 2);
	assert_non_null(strstr(err.msg, "journal record 3"));
	close(fd);
}

static void random_corruption_never_crashes(void **state)
{
	int fd = tmpfile_fd();
	off_t last, size = write_records(fd, &last);
	uint8_t *orig = malloc((size_t)size), *buf = malloc((size_t)size);
	unsigned seed = 7;

	assert_int_equal(pread(fd, orig, (size_t)size, 0), size);
	for (int round = 0; round < 3000; round++) {
		struct stg_journal j;
		struct seen s = { 0 };
		int wfd = tmpfile_fd(), rc;
		off_t n = (off_t)(rand_r(&seed) % (unsigned)size) + 1;

		memcpy(buf, orig, (size_t)size);
		for (int k = 0; k < 1 + round % 8; k++)
			buf[rand_r(&seed) % (unsigned)n] = (uint8_t)rand_r(&seed);
		assert_int_equal(pwrite(wfd, buf, (size_t)n, 0), n);
		rc = stg_journal_open(&j, dup(wfd), collect, &s, NULL, NULL);
		assert_true(rc == 0 || rc == -DISCFS_EFORMAT);
		if (rc == 0)
			stg_journal_close(&j);
		close(wfd);
	}
	free(orig);
	free(buf);
	close(fd);
}

static void oversized_length_is_refused(void **state)
{
	int fd = tmpfile_fd();
	off_t last, size = write_records(fd, &last);
	uint8_t hdr[4];
	struct stg_journal j;
	struct seen s = { 0 };

	(void)size;
	put_le32(hdr, STG_JOURNAL_MAX_BODY + 1);
	assert_int_equal(pwrite(fd, hdr, 4, 4), 4);
	assert_int_equal(stg_journal_open(&j, dup(fd), collect, &s, NULL, NULL),
			 -DISCFS_EFORMAT);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_replay_in_order),
		cmocka_unit_test(cut_at_every_byte_of_the_last_record_drops_only_it),
		cmocka_unit_test(zero_filled_tail_is_a_torn_write),
		cmocka_unit_test(bad_checksum_in_the_last_record_is_torn),
		cmocka_unit_test(damage_before_the_last_record_is_corruption),
		cmocka_unit_test(a_failing_record_stops_replay_with_its_offset),
		cmocka_unit_test(random_corruption_never_crashes),
		cmocka_unit_test(oversized_length_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
