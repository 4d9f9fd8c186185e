/*
 * tests/unit/test_udf_read_helpers.h - shared by test_udf_read*.c and
 * test_udf_fsck*.c: a known source tree, images of it made at test time
 * with the library's own mastering (discfs_image_*), block-level surgery
 * on image files (read, patch, re-tag, write) for hostile-input tests.
 *
 * Everything lives in a fresh mkdtemp() directory under /tmp that the
 * test removes.  Helpers fail the test (cmocka) instead of returning codes.
 */
#ifndef TEST_UDF_READ_HELPERS_H
#define TEST_UDF_READ_HELPERS_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discfs.h"
#include "udf/ecma167.h"
#include "udf/osta.h"
#include "udf/read_int.h"
#include "udf/tag.h"
#include "util/bytes.h"

#define TR_BS 2048u

/* Deterministic bytes: a tiny LCG seeded per file. */
static inline void tr_fill(uint8_t *p, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static inline void tr_write_file(const char *path, size_t size, unsigned seed)
{
	uint8_t *b = malloc(size ? size : 1);
	assert_non_null(b);
	tr_fill(b, size, seed);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
	free(b);
}

static inline void tr_path(char *out, size_t cap, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s/%s", a, b);
	assert_true(n > 0 && (size_t)n < cap);
}

/* The canonical tree; sizes chosen to hit in-ICB, one block, many blocks. */
static inline void tr_make_tree(const char *dir)
{
	char p[4096];
	tr_path(p, sizeof p, dir, "dir");
	assert_int_equal(mkdir(p, 0755), 0);
	tr_path(p, sizeof p, dir, "dir/sub");
	assert_int_equal(mkdir(p, 0750), 0);
	tr_path(p, sizeof p, dir, "hello.txt");
	tr_write_file(p, 13, 7);
	tr_path(p, sizeof p, dir, "empty");
	tr_write_file(p, 0, 0);
	tr_path(p, sizeof p, dir, "dir/sub/deep.bin");
	tr_write_file(p, 5000, 1);
	tr_path(p, sizeof p, dir, "dir/big.bin");
	tr_write_file(p, 300000, 2);
	tr_path(p, sizeof p, dir, "dir/one_block");
	tr_write_file(p, 2048, 3);
	tr_path(p, sizeof p, dir, "\xc3\xbcn\xc3\xaf \xe2\x82\xac.txt"); /* "ünï €.txt" */
	tr_write_file(p, 3, 4);
	tr_path(p, sizeof p, dir, "link");
	assert_int_equal(symlink("dir/big.bin", p), 0);
	tr_path(p, sizeof p, dir, "abslink");
	assert_int_equal(symlink("/etc/passwd", p), 0);
	char h[4096];
	tr_path(h, sizeof h, dir, "hello.txt");
	tr_path(p, sizeof p, dir, "hard");
	assert_int_equal(link(h, p), 0);
	tr_path(p, sizeof p, dir, "dir/sub/deep.bin");
	chmod(p, 0640);
}

static inline char *tr_tmpdir(void)
{
	char *d = strdup("/tmp/discfs-udfread-XXXXXX");
	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static inline void tr_rm_rf(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Masters src into img with our own writer. */
static inline void tr_make_image(const char *src, const char *img,
				 unsigned rev, const char *media)
{
	discfs_image_options o;
	discfs_image *im = NULL;
	discfs_error e = { 0 };
	discfs_image_options_init(&o);
	o.udf_revision = rev;
	o.media = media;
	o.fixed_time_set = true;
	o.fixed_time = 1700000000;
	if (discfs_image_open(src, &o, &im, &e) ||
	    discfs_image_write(im, img, &e))
		fail_msg("mastering %s (rev %x, %s): %s", img, rev,
			 media ? media : "generic", e.msg);
	discfs_image_free(im);
}

/* Opens img through the reader; NULL (err filled) on failure. */
static inline struct udf_vol *tr_open(const char *img, discfs_error *err)
{
	struct udf_bsrc src;
	struct udf_vol *v = NULL;
	if (udf_bsrc_open_file(img, 0, false, &src, err))
		return NULL;
	if (udf_vol_open(&src, NULL, &v, err)) {
		udf_bsrc_close(&src);
		return NULL;
	}
	return v;
}

static inline void tr_rw_block(const char *img, uint64_t abs, uint8_t *b,
			       bool write)
{
	int fd = open(img, write ? O_RDWR : O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = write ? pwrite(fd, b, TR_BS, (off_t)(abs * TR_BS))
			  : pread(fd, b, TR_BS, (off_t)(abs * TR_BS));
	assert_int_equal(n, (ssize_t)TR_BS);
	close(fd);
}

/* Recomputes CRC (over the recorded CRC length) and checksum of a tag. */
static inline void tr_retag(uint8_t *desc)
{
	const struct ecma_tag *t = (const struct ecma_tag *)desc;
	udf_tag_make(desc, 16 + (size_t)get_le16(t->crc_len), get_le16(t->ident),
		     get_le16(t->version), get_le16(t->serial),
		     get_le32(t->location));
}

/* Where path's file entry is, and (copied) its first extent. */
struct tr_where {
	uint64_t fe_abs;
	struct udf_icb icb;
	bool has_ext;
	struct udf_ext ext0;
	uint64_t ext0_abs;
	bool efe;
	bool inline_data;
};

static inline struct tr_where tr_locate(const char *img, const char *path)
{
	discfs_error e = { 0 };
	struct tr_where w = { 0 };
	struct udf_vol *v = tr_open(img, &e);
	struct udf_inode *ino = NULL;
	if (!v)
		fail_msg("open %s: %s", img, e.msg);
	if (udf_lookup(v, path, &ino, &e))
		fail_msg("lookup %s: %s", path, e.msg);
	w.fe_abs = ino->abs;
	w.icb = ino->icb;
	w.efe = ino->efe;
	w.inline_data = ino->inline_data != NULL;
	if (ino->n_ext) {
		w.has_ext = true;
		w.ext0 = ino->ext[0];
		assert_int_equal(udf_map_block(v, w.ext0.part, w.ext0.lbn,
					       &w.ext0_abs, &e), 0);
	}
	udf_inode_free(ino);
	udf_vol_close(v);
	return w;
}

/* Offset of the allocation descriptor area inside a FE/EFE block. */
static inline size_t tr_ad_offset(const uint8_t *fe)
{
	bool efe = get_le16(fe) == TAG_EFE;
	size_t fixed = efe ? sizeof(struct ecma_efe) : sizeof(struct ecma_fe);
	uint32_t l_ea = get_le32(fe + (efe ? 208 : 168));
	return fixed + l_ea;
}

/* Reads the whole file at path through the reader; caller frees. */
static inline int tr_read_all(struct udf_vol *v, const char *path, uint8_t **out,
			      size_t *len, discfs_error *e)
{
	struct udf_inode *ino;
	int rc = udf_lookup(v, path, &ino, e);
	if (rc)
		return rc;
	size_t n = (size_t)ino->st.size, got = 0;
	uint8_t *b = malloc(n ? n : 1);
	assert_non_null(b);
	rc = udf_read(v, ino, 0, b, n, &got, e);
	udf_inode_free(ino);
	if (rc) {
		free(b);
		return rc;
	}
	assert_int_equal(got, n);
	*out = b;
	*len = n;
	return 0;
}

/* Checks that path in the volume holds size bytes made with seed. */
static inline void tr_expect_content(struct udf_vol *v, const char *path,
				     size_t size, unsigned seed)
{
	uint8_t *got = NULL, *want = malloc(size ? size : 1);
	size_t n = 0;
	discfs_error e = { 0 };
	assert_non_null(want);
	if (tr_read_all(v, path, &got, &n, &e))
		fail_msg("read %s: %s", path, e.msg);
	tr_fill(want, size, seed);
	assert_int_equal(n, size);
	assert_memory_equal(got, want, size);
	free(got);
	free(want);
}

#endif
