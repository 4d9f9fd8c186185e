/*
 * fused/staging_journal.h - the staging journal: an append-only file of
 * checksummed records, one per staged change.
 *
 * Record layout (little-endian):
 *   u32 magic "DFSJ" | u32 body length | u64 sequence | body | u32 crc32c
 * The CRC covers everything before it.  Sequence numbers start at 1 and
 * grow by one; a record is either wholly valid or not there.
 *
 * A failed append (crash, kill -9, power loss) can only damage the tail, so
 * replay treats a bad record as a torn tail, and drops it, exactly when
 * nothing valid can follow it: the header is incomplete, the record would
 * extend past the end of the file, the bad record is the last one, or all
 * bytes from it to the end are zero.  Any other damage is corruption and
 * replay fails with DISCFS_EFORMAT naming the offset; nothing is guessed.
 */
#ifndef DFS_FUSED_STAGING_JOURNAL_H
#define DFS_FUSED_STAGING_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "discfs.h"
#include "fused/staging_op.h"

#define STG_JOURNAL_MAGIC 0x4A534644u /* "DFSJ" */
#define STG_JOURNAL_HDR 16u
#define STG_JOURNAL_TRAILER 4u
#define STG_JOURNAL_MAX_BODY (STG_DATA_MAX + 1024u)
#define STG_JOURNAL_MAX_FILE (4ull << 30) /* refuse to load more */

struct stg_journal {
	int fd;             /* owned */
	uint64_t end;       /* offset after the last valid record */
	uint64_t next_seq;  /* sequence number of the next append */
};

/* Called once per valid record in order; a non-zero return stops replay. */
typedef int (*stg_journal_fn)(void *ctx, uint64_t seq, const uint8_t *body,
			      size_t len, discfs_error *err);

/*
 * Replays the journal open on fd (which it takes over) and leaves j ready
 * for appends: a torn tail is truncated away.  Returns 0, the callback's
 * negative code, or -DISCFS_EFORMAT/-DISCFS_EIO.  *torn_bytes (may be
 * NULL) tells how many tail bytes were dropped.  On failure fd is closed
 * and the file is left untouched.
 */
int stg_journal_open(struct stg_journal *j, int fd, stg_journal_fn fn,
		     void *ctx, uint64_t *torn_bytes, discfs_error *err);

/* Appends one record; on failure the file is cut back to its old end. */
int stg_journal_append(struct stg_journal *j, const uint8_t *body, size_t len,
		       discfs_error *err);

/* Encodes a record into out (len + 20 bytes); returns its size. */
size_t stg_journal_frame(uint64_t seq, const uint8_t *body, size_t len,
			 uint8_t *out);

void stg_journal_close(struct stg_journal *j);

#endif
