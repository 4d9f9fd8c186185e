/*
 * fuzz_iso_read - the ISO9660 reader (udf/iso_read.h) on whole images:
 * volume descriptors, the choice of tree (Rock Ridge, Joliet, plain), then
 * a walk that stats every entry, reads files at the start, the middle and
 * the end, reads symlinks and looks every path up again.
 * Input: the raw image (a short last block reads as zero-padded).  Work
 * per input is bounded (entries, bytes read).
 * Checks: failures carry a code and a one-line message; reads never return
 * more than asked nor more than the size; directories are directories; a
 * symlink target is NUL-terminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_check.h"
#include "udf/iso_read.h"

#define MAX_ENTRIES 200
#define MAX_BLOCKS 4096u
#define READ_CHUNK 8192

struct img {
	uint8_t *p;
	uint64_t blocks;
};

static int img_read(void *ctx, uint64_t lba, uint32_t n, void *buf,
		    discfs_error *err)
{
	struct img *m = ctx;
	(void)err;
	FUZZ_CHECK(lba + n <= m->blocks); /* udf_bsrc_read checked it */
	memcpy(buf, m->p + lba * ISO_BLOCK, (size_t)n * ISO_BLOCK);
	return 0;
}

struct walk {
	struct iso_vol *vol;
	unsigned entries;
	uint8_t buf[READ_CHUNK];
};

static void read_at(struct walk *w, const struct iso_node *n, uint64_t off)
{
	discfs_error e = { 0 };
	size_t got = 0;
	int rc = iso_read(w->vol, n, off, w->buf, sizeof(w->buf), &got, &e);

	if (rc < 0) {
		fuzz_check_failure(rc, &e);
		return;
	}
	FUZZ_CHECK(got <= sizeof(w->buf));
	FUZZ_CHECK(off >= n->size ? got == 0 : got <= n->size - off);
}

static int one(void *arg, const char *rel, const struct iso_node *n)
{
	struct walk *w = arg;
	discfs_error e = { 0 };
	struct iso_node *again = NULL;
	char link[512];
	int rc;

	if (++w->entries > MAX_ENTRIES)
		return 1;
	FUZZ_CHECK(rel != NULL);
	if (iso_node_is_dir(n)) {
		FUZZ_CHECK(n->n_ext == 1);
	} else {
		read_at(w, n, 0);
		if (n->size > READ_CHUNK) {
			read_at(w, n, n->size / 2);
			read_at(w, n, n->size - 1);
		}
		read_at(w, n, n->size);
	}
	if (S_ISLNK(n->mode)) {
		rc = iso_readlink(n, link, sizeof(link), &e);
		if (rc < 0)
			fuzz_check_failure(rc, &e);
		else
			FUZZ_CHECK(memchr(link, '\0', sizeof(link)) != NULL);
	}
	memset(&e, 0, sizeof(e));
	rc = iso_lookup(w->vol, rel, &again, &e);
	if (rc < 0)
		fuzz_check_failure(rc, &e);
	else
		iso_node_free(again);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct walk w;
	struct img m;
	struct iso_vol *vol = NULL;
	discfs_error e = { 0 };
	int rc;

	m.blocks = (size + ISO_BLOCK - 1) / ISO_BLOCK;
	if (m.blocks == 0 || m.blocks > MAX_BLOCKS)
		return 0;
	m.p = calloc(m.blocks, ISO_BLOCK);
	if (!m.p)
		return 0;
	memcpy(m.p, data, size);
	struct udf_bsrc src = { .ctx = &m, .block_size = ISO_BLOCK,
				.n_blocks = m.blocks,
				.last_recorded = UINT64_MAX, .read = img_read };
	(void)iso_probe(&src, 0);
	rc = iso_vol_open(&src, 0, &vol, &e);
	if (rc < 0) {
		fuzz_check_failure(rc, &e);
		free(m.p);
		return 0;
	}
	const struct iso_vol_info *info = iso_vol_info(vol);
	FUZZ_CHECK(memchr(info->vol_ident, '\0', sizeof(info->vol_ident)));
	w.vol = vol;
	w.entries = 0;
	memset(&e, 0, sizeof(e));
	rc = iso_walk(vol, "/", one, &w, &e);
	if (rc < 0)
		fuzz_check_failure(rc, &e);
	iso_vol_close(vol);
	free(m.p);
	return 0;
}
