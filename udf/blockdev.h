/*
 * udf/blockdev.h - where the incremental UDF writer reads and writes its
 * blocks: the contract.
 *
 * A block device is a set of callbacks over an image file or an open drive.
 * Blocks are logical blocks of block_size bytes (2048 on optical media),
 * addressed by absolute LBA.
 *
 * Contract:
 *  - read() fills count blocks at lba or fails (negative discfs code, err
 *    filled).  Blocks never written read as zeros on image files; a drive
 *    may refuse to read unrecorded blocks.
 *  - write() records count blocks at lba.  On a sequential (write-once)
 *    device lba must equal the next writable address (nwa) and nwa moves
 *    past the blocks written; on a random-access device any lba below
 *    capacity is allowed.  A failed write may have recorded a prefix.
 *  - sync() makes everything written so far durable (SYNCHRONIZE CACHE on
 *    a drive, fdatasync on a file).
 *  - refresh() re-reads nwa/capacity from the device (after a reopen, or
 *    when a drive padded a write to its write unit).
 *  - nwa is meaningful on sequential devices only; last_recorded is the
 *    last block holding data (UINT64_MAX when none / unknown).
 *  - blocks_written counts blocks acknowledged by write() since open
 *    (benchmarks report it).
 *  - close() frees ctx (never the drive: the caller owns it).
 */
#ifndef DFS_UDF_BLOCKDEV_H
#define DFS_UDF_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"
#include "udf/read_src.h"

/* What the medium is, as far as the file system layout is concerned. */
enum udf_bdev_kind {
	UDF_BDEV_SEQUENTIAL, /* write-once, appended at nwa: VAT layout */
	UDF_BDEV_RANDOM,     /* rewritable in place: bitmap layout */
};

struct udf_bdev {
	void *ctx;
	uint32_t block_size;
	enum udf_bdev_kind kind;
	uint64_t capacity;       /* blocks the medium can hold */
	uint64_t nwa;            /* sequential: next writable block */
	uint64_t last_recorded;  /* last block with data, UINT64_MAX none */
	uint32_t write_unit;     /* blocks per ECC unit/packet (1 = any) */
	uint32_t packet;         /* fixed packets the drive demands (CD-RW
				  * packet-formatted, DVD-RW restricted
				  * overwrite), 0 = none: write() turns any
				  * range into whole packets (packet_rmw.h) */
	uint64_t blocks_written; /* statistics */
	char media[16];          /* "bd-r", "dvd+rw", ... or "" if unknown */
	int (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf,
		    discfs_error *err);
	int (*write)(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		     discfs_error *err);
	int (*sync)(void *ctx, discfs_error *err);
	int (*refresh)(struct udf_bdev *bd, discfs_error *err);
	void (*close)(void *ctx);
};

/*
 * Opens an image file as a block device of 2048-byte blocks.  kind says
 * how to treat it: SEQUENTIAL makes nwa = the block after the last data
 * block and refuses writes elsewhere (as a write-once disc would);
 * capacity_blocks is the size the medium may grow to (0 = the file's size).
 */
int udf_bdev_open_file(const char *path, enum udf_bdev_kind kind,
		       uint64_t capacity_blocks, struct udf_bdev *out,
		       discfs_error *err);

/*
 * A block device on an open drive (borrowed, not closed by close()):
 * kind from the medium's profile (random-access profiles are RANDOM, and
 * so is a CD-RW formatted with fixed packets), capacity and nwa from the
 * drive, write unit from the profile.  Where the drive takes only whole
 * fixed packets (READ TRACK INFORMATION: FP set, packet size), packet is
 * that size and write() reads and rewrites the partly written packets
 * (udf/packet_rmw.h), so callers write any block range as elsewhere; the
 * last partly written packet is held back until a write elsewhere, sync()
 * or close() (reads see it), so the medium still sees writes in order.
 * The block device must be closed (udf_bdev_close) to free its buffers.
 */
int udf_bdev_open_drive(discfs_drive *drive, struct udf_bdev *out,
			discfs_error *err);

/* Calls through the callbacks, checking bounds and the sequential rule. */
int udf_bdev_read(struct udf_bdev *bd, uint64_t lba, uint32_t count,
		  void *buf, discfs_error *err);
int udf_bdev_write(struct udf_bdev *bd, uint64_t lba, uint32_t count,
		   const void *buf, discfs_error *err);
int udf_bdev_sync(struct udf_bdev *bd, discfs_error *err);
void udf_bdev_close(struct udf_bdev *bd);

/*
 * A reader block source (udf/read_src.h) on bd: reads go to bd, writes
 * too (fsck repair).  bd stays owned by the caller and must outlive the
 * source; closing the source does not close bd.
 */
void udf_bdev_as_bsrc(struct udf_bdev *bd, struct udf_bsrc *out);

#endif
