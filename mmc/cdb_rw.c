/* mmc/cdb_rw.c - READ/WRITE/VERIFY builders (see cdb.h). */
#include "mmc/cdb_int.h"
#include "util/bytes.h"
#include "util/err.h"

/* blocks * block_bytes as the transfer length, refused when over 32 bits. */
static int xfer_len(uint32_t blocks, uint32_t block_bytes, uint32_t *len,
		    discfs_error *err)
{
	uint64_t n = (uint64_t)blocks * block_bytes;

	if (block_bytes == 0 || n > UINT32_MAX)
		return dfs_fail(err, DISCFS_EINVAL,
				"transfer of %u blocks of %u bytes is too large",
				blocks, block_bytes);
	*len = (uint32_t)n;
	return 0;
}

static int rw(struct mmc_cmd *c, uint8_t op, uint32_t lba, uint32_t blocks,
	      uint32_t block_bytes, enum mmc_dir dir, void *buf,
	      discfs_error *err)
{
	uint32_t len = 0;
	int rc = xfer_len(blocks, block_bytes, &len, err);

	if (rc)
		return rc;
	cdb_setup(c, op, op >= 0xA0 ? 12 : 10, dir, buf, len, MMC_TIMEOUT_IO);
	put_be32(c->cdb + 2, lba);
	if (op >= 0xA0)
		put_be32(c->cdb + 6, blocks);
	else
		put_be16(c->cdb + 7, (uint16_t)blocks);
	return 0;
}

int mmc_cdb_read10(struct mmc_cmd *c, uint32_t lba, uint16_t blocks,
		   uint32_t block_bytes, void *buf, discfs_error *err)
{
	return rw(c, MMC_READ10, lba, blocks, block_bytes, MMC_DIR_IN, buf,
		  err);
}

int mmc_cdb_read12(struct mmc_cmd *c, uint32_t lba, uint32_t blocks,
		   uint32_t block_bytes, unsigned flags, void *buf,
		   discfs_error *err)
{
	int rc = rw(c, MMC_READ12, lba, blocks, block_bytes, MMC_DIR_IN, buf,
		    err);

	if (!rc && (flags & MMC_W_STREAMING))
		c->cdb[10] = 0x80;
	return rc;
}

int mmc_cdb_write10(struct mmc_cmd *c, uint32_t lba, uint16_t blocks,
		    uint32_t block_bytes, unsigned flags, const void *buf,
		    discfs_error *err)
{
	int rc = rw(c, MMC_WRITE10, lba, blocks, block_bytes, MMC_DIR_OUT,
		    (void *)buf, err);

	if (!rc && (flags & MMC_W_FUA))
		c->cdb[1] |= 0x08;
	return rc;
}

int mmc_cdb_write12(struct mmc_cmd *c, uint32_t lba, uint32_t blocks,
		    uint32_t block_bytes, unsigned flags, const void *buf,
		    discfs_error *err)
{
	int rc = rw(c, MMC_WRITE12, lba, blocks, block_bytes, MMC_DIR_OUT,
		    (void *)buf, err);

	if (rc)
		return rc;
	if (flags & MMC_W_FUA)
		c->cdb[1] |= 0x08;
	if (flags & MMC_W_STREAMING)
		c->cdb[10] = 0x80;
	return 0;
}

int mmc_cdb_write_verify10(struct mmc_cmd *c, uint32_t lba, uint16_t blocks,
			   uint32_t block_bytes, const void *buf,
			   discfs_error *err)
{
	return rw(c, MMC_WRITE_VERIFY10, lba, blocks, block_bytes, MMC_DIR_OUT,
		  (void *)buf, err);
}

void mmc_cdb_verify10(struct mmc_cmd *c, uint32_t lba, uint16_t blocks)
{
	cdb_setup(c, MMC_VERIFY10, 10, MMC_DIR_NONE, NULL, 0, MMC_TIMEOUT_IO);
	put_be32(c->cdb + 2, lba);
	put_be16(c->cdb + 7, blocks);
}
