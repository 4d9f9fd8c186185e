/*
 * fuzz_udf_update - the incremental writer on whole (sparse) images: open
 * (VAT, space bitmap, sparing table, metadata files and bitmap, the
 * recovery of a cut commit), then a small increment (a directory, a file,
 * a removal) committed.  Input flag bit 3: a sequential (write-once)
 * medium whose next writable block follows the last recorded one, else a
 * rewritable one.  Writes go to the sparse image's private copy.
 * Checks: every failure is a negative code with a one-line message (a
 * commit reopens the volume it wrote, so a commit that succeeded also
 * left a volume the writer reads).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "sparse_src.h"
#include "udf/update.h"

static int bd_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		   discfs_error *err)
{
	struct udf_bsrc *s = ctx;
	return s->read(s->ctx, lba, count, buf, err);
}

static int bd_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		    discfs_error *err)
{
	struct udf_bsrc *s = ctx;
	return s->write(s->ctx, lba, count, buf, err);
}

static int bd_sync(void *ctx, discfs_error *err)
{
	(void)ctx;
	(void)err;
	return 0;
}

static int content(void *ctx, uint64_t off, void *buf, size_t len,
		   discfs_error *err)
{
	(void)ctx;
	(void)err;
	memset(buf, (int)(off & 0xFF), len);
	return 0;
}

static void check_err(int rc, const discfs_error *err)
{
	FUZZ_CHECK(rc <= 0);
	if (rc < 0)
		FUZZ_CHECK(memchr(err->msg, 0, sizeof(err->msg)) &&
			   strchr(err->msg, '\n') == NULL && err->msg[0]);
}

static void one_increment(struct udf_update *u)
{
	discfs_error err = { 0 };
	struct udf_update_stats st;
	int rc = udf_update_mkdir(u, "/fz", NULL, &err);
	check_err(rc, &err);
	rc = udf_update_write_file(u, "/fz/f", NULL, 5000, content, NULL, &err);
	check_err(rc, &err);
	rc = udf_update_remove(u, "/a", &err); /* ENOENT mostly */
	check_err(rc, &err);
	rc = udf_update_commit(u, &st, &err);
	check_err(rc, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udf_bsrc src;
	struct udf_update *u = NULL;
	struct udf_update_opts o = { .now = 1700000000 };
	discfs_error err = { 0 };

	if (sparse_src_make(data, size, &src) < 0)
		return 0;
	if (src.block_size != 2048 || !src.write) {
		udf_bsrc_close(&src);
		return 0;
	}
	bool seq = data[0] & SPARSE_FLAG_X;
	struct udf_bdev bd = {
		.ctx = &src, .block_size = 2048,
		.kind = seq ? UDF_BDEV_SEQUENTIAL : UDF_BDEV_RANDOM,
		.capacity = src.n_blocks, .write_unit = 1,
		.last_recorded = src.last_recorded,
		.read = bd_read, .write = bd_write, .sync = bd_sync,
	};
	bd.nwa = src.last_recorded == UINT64_MAX ? 0 : src.last_recorded + 1;
	int rc = udf_update_open(&bd, &o, &u, &err);
	check_err(rc, &err);
	if (rc == 0) {
		one_increment(u);
		udf_update_close(u);
	}
	udf_bsrc_close(&src);
	return 0;
}
