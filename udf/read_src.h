/*
 * udf/read_src.h - where the UDF reader gets its blocks from.
 *
 * The reader never opens files or talks to drives itself: it reads whole
 * logical blocks through a struct udf_bsrc.  An image file source lives
 * here (udf_bsrc_open_file); a drive source is a few lines in whoever owns
 * the drive (fill in the callbacks with a READ(10)/(12) of the drive).
 *
 * Contract:
 *  - read() fills count * block_size bytes at buf from absolute block lba,
 *    or fails with a discfs code (negative) and fills err.  Reading past
 *    n_blocks is the source's business to refuse (the reader checks too).
 *  - write() is optional (NULL when read-only); only fsck --repair uses it.
 *  - last_recorded is the last block a sequential medium has written
 *    (READ TRACK INFORMATION LRA on a drive, the last non-hole data of an
 *    image file); UINT64_MAX when unknown.  The reader finds a VAT by
 *    scanning back from it.
 *  - close() frees ctx; udf_bsrc_close() calls it once and clears the struct.
 */
#ifndef DFS_UDF_READ_SRC_H
#define DFS_UDF_READ_SRC_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"

struct udf_bsrc {
	void *ctx;
	uint32_t block_size;    /* bytes per block: 2048 for optical media */
	uint64_t n_blocks;      /* readable blocks */
	uint64_t last_recorded; /* see above; UINT64_MAX = unknown */
	int (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf,
		    discfs_error *err);
	int (*write)(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		     discfs_error *err);
	void (*close)(void *ctx);
};

/*
 * Opens an image file as a block source of block_size-byte blocks (0 means
 * 2048).  writable opens it O_RDWR and provides write(), which may also
 * extend the file.  A trailing partial block is ignored.
 */
int udf_bsrc_open_file(const char *path, uint32_t block_size, bool writable,
		       struct udf_bsrc *out, discfs_error *err);

/*
 * Is path an optical drive (an sg character device, an sr block device)?
 * udf_bsrc_open_file() hands those to udf_bsrc_open_drive(), which reads
 * through the drive's MMC commands (read_src_drive.c says why), opening
 * the drive only while it reads.  Drives have 2048-byte blocks only: another
 * block_size fails with DISCFS_EFORMAT.
 */
bool udf_path_is_drive(const char *path);
int udf_bsrc_open_drive(const char *path, uint32_t block_size, bool writable,
			struct udf_bsrc *out, discfs_error *err);

/* Reads through the callback, with a bounds check against n_blocks. */
int udf_bsrc_read(const struct udf_bsrc *src, uint64_t lba, uint32_t count,
		  void *buf, discfs_error *err);

/* Writes through the callback; DISCFS_EPROTECT when read-only. */
int udf_bsrc_write(const struct udf_bsrc *src, uint64_t lba, uint32_t count,
		   const void *buf, discfs_error *err);

void udf_bsrc_close(struct udf_bsrc *src);

#endif
