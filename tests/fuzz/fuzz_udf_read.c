/*
 * fuzz_udf_read - the UDF reader on whole (sparse) images: bring-up
 * (anchors, VDS, partition maps, sparing, VAT, metadata partition), then a
 * walk of the tree that stats every entry, reads files at the start, the
 * middle and the end, reads symlinks, parses extended attribute spaces
 * and looks every path up again.
 * Input: sparse_src.h.  Work per input is bounded (entries, bytes read).
 * Checks: failures carry a code and a message; reads never return more
 * than asked; a path the walk reported can be looked up.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fuzz_check.h"
#include "sparse_src.h"
#include "udf/ea_space.h"
#include "udf/reader.h"

#define MAX_ENTRIES 200
#define READ_CHUNK 8192

struct walk {
	struct udf_vol *vol;
	unsigned entries;
	uint8_t buf[READ_CHUNK];
};

static void read_at(struct walk *w, struct udf_inode *ino, uint64_t off)
{
	discfs_error e = { 0 };
	size_t got = 0;
	int rc = udf_read(w->vol, ino, off, w->buf, sizeof(w->buf), &got, &e);

	if (rc < 0)
		fuzz_check_failure(rc, &e);
	else
		FUZZ_CHECK(got <= sizeof(w->buf));
}

static void look_again(struct walk *w, const char *rel)
{
	struct udf_inode *again = NULL;
	discfs_error e = { 0 };
	int rc = udf_lookup(w->vol, rel, &again, &e);

	if (rc < 0)
		fuzz_check_failure(rc, &e);
	else
		udf_inode_free(again);
}

static int check_xattr(void *ctx, const char *name, size_t name_len,
		       const uint8_t *value, size_t value_len)
{
	(void)ctx;
	(void)value;
	FUZZ_CHECK(name != NULL && name_len >= 1 && name_len <= UDF_XATTR_NAME_MAX);
	FUZZ_CHECK(memchr(name, '\0', name_len) == NULL);
	FUZZ_CHECK(value_len <= UINT16_MAX);
	return 0;
}

static void eas(struct udf_inode *ino)
{
	struct udf_ea_found f = { .xattr = check_xattr };
	discfs_error e = { 0 };
	int rc = udf_inode_eas(ino, &f, &e);

	if (rc < 0)
		fuzz_check_failure(rc, &e);
}

static int one(void *arg, const char *rel, struct udf_inode *ino)
{
	struct walk *w = arg;
	struct udf_stat st;
	discfs_error e = { 0 };
	char link[512];
	int rc;

	if (++w->entries > MAX_ENTRIES)
		return 1;
	udf_inode_stat(ino, &st);
	if (udf_inode_is_dir(ino)) {
		FUZZ_CHECK(S_ISDIR(st.mode));
	} else {
		read_at(w, ino, 0);
		if (st.size > READ_CHUNK) {
			read_at(w, ino, st.size / 2);
			read_at(w, ino, st.size - 1);
		}
		read_at(w, ino, st.size);
	}
	if (S_ISLNK(st.mode)) {
		rc = udf_readlink(w->vol, ino, link, sizeof(link), &e);
		if (rc < 0)
			fuzz_check_failure(rc, &e);
		else
			FUZZ_CHECK(memchr(link, '\0', sizeof(link)) != NULL);
	}
	eas(ino);
	look_again(w, rel);
	return 0;
}

static int count_entry(void *arg, const struct udf_dirent *d)
{
	unsigned *n = arg;

	FUZZ_CHECK(d->name != NULL);
	return ++*n > MAX_ENTRIES ? 1 : 0;
}

static void root_readdir(struct udf_vol *vol)
{
	struct udf_inode *root = NULL;
	discfs_error e = { 0 };
	unsigned n = 0;
	int rc = udf_inode_get(vol, udf_vol_root(vol), &root, &e);

	if (rc < 0) {
		fuzz_check_failure(rc, &e);
		return;
	}
	if (udf_inode_is_dir(root)) {
		rc = udf_readdir(vol, root, count_entry, &n, &e);
		if (rc < 0)
			fuzz_check_failure(rc, &e);
	}
	udf_inode_free(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct walk w;
	struct udf_bsrc src;
	discfs_error e = { 0 };
	int rc;

	if (sparse_src_make(data, size, &src) < 0)
		return 0;
	rc = udf_vol_open(&src, NULL, &w.vol, &e);
	if (rc < 0) {
		fuzz_check_failure(rc, &e);
		udf_bsrc_close(&src);
		return 0;
	}
	(void)udf_vol_info(w.vol);
	root_readdir(w.vol);
	w.entries = 0;
	memset(&e, 0, sizeof(e));
	rc = udf_walk(w.vol, "/", one, &w, &e);
	if (rc < 0)
		fuzz_check_failure(rc, &e);
	udf_vol_close(w.vol);
	return 0;
}
