/* fused/staging_journal.c - see staging_journal.h */
#include "fused/staging_journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fused/crc32c.h"
#include "util/bytes.h"
#include "util/err.h"

size_t stg_journal_frame(uint64_t seq, const uint8_t *body, size_t len,
			 uint8_t *out)
{
	put_le32(out, STG_JOURNAL_MAGIC);
	put_le32(out + 4, (uint32_t)len);
	put_le64(out + 8, seq);
	memcpy(out + STG_JOURNAL_HDR, body, len);
	put_le32(out + STG_JOURNAL_HDR + len,
		 stg_crc32c(0, out, STG_JOURNAL_HDR + len));
	return STG_JOURNAL_HDR + len + STG_JOURNAL_TRAILER;
}

static int read_all(int fd, uint8_t **out, size_t *n, discfs_error *err)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "journal: stat");
	if ((uint64_t)st.st_size > STG_JOURNAL_MAX_FILE)
		return dfs_fail(err, DISCFS_EFORMAT,
				"journal: %lld bytes, more than the %llu allowed",
				(long long)st.st_size,
				(unsigned long long)STG_JOURNAL_MAX_FILE);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "journal: out of memory");
	while (got < (size_t)st.st_size) {
		ssize_t r = pread(fd, buf + got, (size_t)st.st_size - got,
				  (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return r < 0 ? dfs_fail_errno(err, DISCFS_EIO, errno,
						      "journal: read")
				     : dfs_fail(err, DISCFS_EIO,
						"journal: shrank while read");
		}
		got += (size_t)r;
	}
	*out = buf;
	*n = got;
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Is there a whole valid record anywhere after pos?  (Then pos is not a tail.) */
static int valid_record_after(const uint8_t *buf, size_t n, size_t pos)
{
	for (size_t p = pos + 1; p + STG_JOURNAL_HDR + STG_JOURNAL_TRAILER <= n; p++) {
		uint32_t len;
		if (get_le32(buf + p) != STG_JOURNAL_MAGIC)
			continue;
		len = get_le32(buf + p + 4);
		if (len <= STG_JOURNAL_MAX_BODY &&
		    n - p >= STG_JOURNAL_HDR + len + STG_JOURNAL_TRAILER &&
		    stg_crc32c(0, buf + p, STG_JOURNAL_HDR + len) ==
			    get_le32(buf + p + STG_JOURNAL_HDR + len))
			return 1;
	}
	return 0;
}

/*
 * Classifies the record at pos: 1 valid (length in *rec), 0 torn tail,
 * negative on corruption.
 */
static int check_record(const uint8_t *buf, size_t n, size_t pos,
			uint64_t want_seq, size_t *rec, discfs_error *err)
{
	size_t left = n - pos;
	uint32_t len;

	if (left < STG_JOURNAL_HDR + STG_JOURNAL_TRAILER)
		return 0;
	if (all_zero(buf + pos, left))
		return 0;
	len = get_le32(buf + pos + 4);
	if (get_le32(buf + pos) != STG_JOURNAL_MAGIC) {
		/* A torn append can leave a short header-less stub only at the end. */
		return dfs_fail(err, DISCFS_EFORMAT,
				"journal: no record magic at offset %zu", pos);
	}
	if (len > STG_JOURNAL_MAX_BODY)
		return dfs_fail(err, DISCFS_EFORMAT,
				"journal: record at offset %zu claims %u bytes",
				pos, len);
	if (left < STG_JOURNAL_HDR + len + STG_JOURNAL_TRAILER)
		return valid_record_after(buf, n, pos)
		       ? dfs_fail(err, DISCFS_EFORMAT,
				  "journal: record at offset %zu runs past the "
				  "end but valid records follow it", pos)
		       : 0;
	*rec = STG_JOURNAL_HDR + len + STG_JOURNAL_TRAILER;
	if (stg_crc32c(0, buf + pos, STG_JOURNAL_HDR + len) !=
	    get_le32(buf + pos + STG_JOURNAL_HDR + len))
		return pos + *rec == n ? 0
		       : dfs_fail(err, DISCFS_EFORMAT,
				  "journal: bad checksum in record at offset "
				  "%zu (not the last record)", pos);
	if (get_le64(buf + pos + 8) != want_seq)
		return dfs_fail(err, DISCFS_EFORMAT,
				"journal: record at offset %zu has sequence %llu, "
				"expected %llu", pos,
				(unsigned long long)get_le64(buf + pos + 8),
				(unsigned long long)want_seq);
	return 1;
}

static int replay(struct stg_journal *j, const uint8_t *buf, size_t n,
		  stg_journal_fn fn, void *ctx, discfs_error *err)
{
	size_t pos = 0, rec = 0;
	uint64_t seq = 1;

	for (;;) {
		int rc = check_record(buf, n, pos, seq, &rec, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		rc = fn(ctx, seq, buf + pos + STG_JOURNAL_HDR,
			rec - STG_JOURNAL_HDR - STG_JOURNAL_TRAILER, err);
		if (rc < 0)
			return dfs_wrap(err, rc, "journal record %llu at offset %zu",
					(unsigned long long)seq, pos);
		pos += rec;
		seq++;
	}
	j->end = pos;
	j->next_seq = seq;
	return 0;
}

int stg_journal_open(struct stg_journal *j, int fd, stg_journal_fn fn,
		     void *ctx, uint64_t *torn_bytes, discfs_error *err)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	j->fd = -1;
	rc = read_all(fd, &buf, &n, err);
	if (rc == 0)
		rc = replay(j, buf, n, fn, ctx, err);
	free(buf);
	if (rc == 0 && j->end < n && ftruncate(fd, (off_t)j->end) < 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno,
				    "journal: cutting the torn tail");
	if (rc < 0) {
		close(fd);
		return rc;
	}
	if (torn_bytes)
		*torn_bytes = n - j->end;
	j->fd = fd;
	return 0;
}

int stg_journal_append(struct stg_journal *j, const uint8_t *body, size_t len,
		       discfs_error *err)
{
	uint8_t stackbuf[512], *rec = stackbuf;
	size_t n = len + STG_JOURNAL_HDR + STG_JOURNAL_TRAILER, done = 0;

	if (len > STG_JOURNAL_MAX_BODY)
		return dfs_fail(err, DISCFS_EINVAL, "journal: record too big");
	if (n > sizeof(stackbuf) && !(rec = malloc(n)))
		return dfs_fail(err, DISCFS_ENOMEM, "journal: out of memory");
	stg_journal_frame(j->next_seq, body, len, rec);
	while (done < n) {
		ssize_t w = pwrite(j->fd, rec + done, n - done,
				   (off_t)(j->end + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			/* Leave no partial record that a later append would bury. */
			if (ftruncate(j->fd, (off_t)j->end) < 0) {
				/* the torn tail is then dropped by the next replay */
			}
			if (rec != stackbuf)
				free(rec);
			return dfs_fail_errno(err, DISCFS_EIO, e, "journal: append");
		}
		done += (size_t)w;
	}
	if (rec != stackbuf)
		free(rec);
	j->end += n;
	j->next_seq++;
	return 0;
}

void stg_journal_close(struct stg_journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}
