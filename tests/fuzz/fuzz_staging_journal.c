/*
 * fuzz_staging_journal - replay of the FUSE daemon's staging journal:
 * record framing and torn-tail rules (staging_journal.c), op decoding
 * (staging_op.c), applying ops to the merged tree (staging_tree.c) and the
 * store's open logic (base record, generation, interrupted commits).
 *
 * Input: u8 flags, then the journal.
 *   flags bit 0: the rest is a list of bodies (u16 length + bytes) that the
 *                harness frames into valid records (sequence 1, 2, ...),
 *                so mutations reach the op decoder past the CRC;
 *                otherwise the rest is the journal file byte for byte
 *   flags bit 1: adopt_finished_commit
 *   flags bit 2: the disc is at generation "gen-b" instead of "gen-a"
 * The staging directory also holds one 64 KiB segment of known bytes.
 *
 * Checks: failures carry a code and a message; an accepted journal dumps
 * to the same listing after being closed and replayed again (replay is
 * deterministic and what open kept of a torn journal is valid).  Trees
 * with more than DUMP_MAX_BYTES of file bytes compare by their counts.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "fused/staging.h"
#include "fused/staging_dump.h"
#include "util/bytes.h"

#define SEG_BYTES 65536u
/* Files may be huge and sparse (a SETATTR size): the dump CRCs every byte,
 * so above this the two replays are compared by their tree counts. */
#define DUMP_MAX_BYTES (16u << 20)

static char dir[64];

static void path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void remove_all(void)
{
	static const char *const names[] = { "journal", "journal.tmp", "lock",
		"seg-00000000.dat", "seg-00000001.dat", "seg-00000002.dat" };
	char p[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path(p, sizeof(p), names[i]);
		unlink(p);
	}
}

static void cleanup(void)
{
	remove_all();
	rmdir(dir);
}

static void put_file(const char *name, const uint8_t *data, size_t size)
{
	char p[128];
	int fd;

	path(p, sizeof(p), name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);
}

static void setup(void)
{
	static uint8_t seg[SEG_BYTES];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/fuzz-stg-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		FUZZ_CHECK(mkdtemp(dir) != NULL);
		atexit(cleanup);
		for (size_t i = 0; i < SEG_BYTES; i++)
			seg[i] = (uint8_t)(i * 131 + 7);
	}
	remove_all();
	put_file("seg-00000000.dat", seg, SEG_BYTES);
}

/* Frames bodies (u16 length + bytes each) into valid journal records. */
static uint8_t *frame_all(const uint8_t *p, size_t n, size_t *out_len)
{
	uint8_t *out = malloc(n / 2 * (STG_JOURNAL_HDR + STG_JOURNAL_TRAILER) +
			      n + 1);
	size_t len = 0;
	uint64_t seq = 1;

	FUZZ_CHECK(out != NULL);
	while (n >= 2) {
		size_t body = get_le16(p);
		p += 2, n -= 2;
		if (body > n)
			body = n;
		len += stg_journal_frame(seq++, p, body, out + len);
		p += body, n -= body;
	}
	*out_len = len;
	return out;
}

/* Logical bytes of all regular files (the dump reads them all). */
static uint64_t file_bytes(const struct stg_tree *t)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < t->ih_size; i++)
		for (const struct stg_inode *in = t->ih[i]; in; in = in->hnext)
			if (S_ISREG(in->mode))
				sum += in->size > DUMP_MAX_BYTES ? DUMP_MAX_BYTES + 1
								 : in->size;
	return sum;
}

/* The listing, or a summary of the tree when its files are too big. */
static char *listing(struct stg_store *s)
{
	char *out;

	if (file_bytes(&s->tree) <= DUMP_MAX_BYTES)
		return stg_dump_string(s);
	if (asprintf(&out, "inodes %zu dentries %zu staged %llu",
		     s->tree.n_inodes, s->tree.n_dentries,
		     (unsigned long long)s->tree.staged_bytes) < 0)
		return NULL;
	return out;
}

static int open_store(struct stg_store *s, uint8_t flags, discfs_error *e)
{
	struct stg_params p = {
		.root_mode = 040755, .uid = 1000, .gid = 1000,
		.generation = (flags & 4) ? "gen-b" : "gen-a",
		.adopt_finished_commit = flags & 2,
	};
	int rc = stg_store_open(s, dir, &p, e);

	if (rc < 0)
		fuzz_check_failure(rc, e);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct stg_store s;
	discfs_error e = { 0 };
	uint8_t *journal = NULL;
	size_t jlen;
	char *d1, *d2;

	if (size < 1)
		return 0;
	setup();
	if (data[0] & 1) {
		journal = frame_all(data + 1, size - 1, &jlen);
		put_file("journal", journal, jlen);
		free(journal);
	} else {
		put_file("journal", data + 1, size - 1);
	}
	if (open_store(&s, data[0], &e) < 0)
		return 0;
	d1 = listing(&s);
	stg_store_close(&s);

	memset(&e, 0, sizeof(e));
	FUZZ_CHECK(open_store(&s, data[0], &e) == 0);
	FUZZ_CHECK(s.torn_bytes == 0);
	d2 = listing(&s);
	stg_store_close(&s);
	FUZZ_CHECK((d1 == NULL) == (d2 == NULL));
	if (d1 && strcmp(d1, d2) != 0)
		fprintf(stderr, "first replay:\n%s\nsecond replay:\n%s\n", d1, d2);
	FUZZ_CHECK(!d1 || strcmp(d1, d2) == 0);
	free(d1);
	free(d2);
	return 0;
}
