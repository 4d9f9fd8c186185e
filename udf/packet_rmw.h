/*
 * udf/packet_rmw.h - writing onto media that take only whole, aligned
 * fixed packets: a CD-RW formatted with fixed packets (FORMAT UNIT 10h,
 * usually 32 blocks) and a DVD-RW in restricted overwrite (16-block ECC
 * blocks).  The drive refuses a write that starts off a packet boundary
 * (5/21/02) or is not a whole number of packets (5/64/01 on CD, 5/21/02 on
 * DVD-RW), so every write of file system blocks is turned into whole
 * packets here.
 *
 * Contract of udf_packet_write():
 *  - the packets wholly covered by [lba, lba+count) are written straight
 *    from buf, with no read;
 *  - a packet only partly covered (at the head or the tail of the range)
 *    is read first (io->read), the caller's blocks are laid over it, and
 *    the whole packet is written back (read-modify-write);
 *  - every read is done before the first write: a read error is returned
 *    with nothing written;
 *  - the medium sees the writes in the caller's order, except that the
 *    last partly written packet is held back (the cache, dirty) until a
 *    write touches another packet first, or udf_packet_flush(): writes
 *    that follow one another into one packet (file entries, directory
 *    blocks, small files) cost one read and one packet write instead of
 *    one each.  A crash therefore leaves the medium as it was after some
 *    prefix of the writes, as without the cache.  The packet last read or
 *    written stays known (clean), so a later partial write to it is not
 *    read again;
 *  - a failed write may have recorded the packets before it; the cache is
 *    then dropped (its blocks are lost with the failed write).
 * udf_packet_read() reads from the medium and lays the dirty cache over
 * what it returns, so the caller reads what it wrote.
 * io->scratch must hold 3 packets (3 * packet * block_size bytes); it is
 * the caller's.  packet 0 or 1 writes and reads through.  The cache
 * assumes no one else writes the medium while io is in use
 * (udf_packet_forget() after the medium may have changed).
 */
#ifndef DFS_UDF_PACKET_RMW_H
#define DFS_UDF_PACKET_RMW_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"

struct udf_packet_io {
	void *ctx;
	uint32_t packet;     /* blocks per packet */
	uint32_t block_size; /* bytes per block */
	uint8_t *scratch;    /* 3 packets, caller-owned */
	int (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf,
		    discfs_error *err);
	int (*write)(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		     discfs_error *err);
	/* the cache: packet cached (first block) held in scratch[0] */
	uint64_t cached;
	bool valid; /* scratch[0] holds packet cached as the caller wrote it */
	bool dirty; /* ... and the medium does not hold it yet */
};

int udf_packet_write(struct udf_packet_io *io, uint64_t lba, uint32_t count,
		     const void *buf, discfs_error *err);
int udf_packet_read(struct udf_packet_io *io, uint64_t lba, uint32_t count,
		    void *buf, discfs_error *err);
/* Writes the dirty cached packet, if any; dropped if that fails. */
int udf_packet_flush(struct udf_packet_io *io, discfs_error *err);
/* Forgets the cache (flush first: dirty blocks are dropped). */
void udf_packet_forget(struct udf_packet_io *io);

#endif
