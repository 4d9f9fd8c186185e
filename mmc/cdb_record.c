/* mmc/cdb_record.c - builders of recording commands: SYNCHRONIZE CACHE,
 * RESERVE TRACK, CLOSE, BLANK, FORMAT, OPC, CUE SHEET, speeds (see cdb.h). */
#include "mmc/cdb_int.h"
#include "util/bytes.h"

void mmc_cdb_synchronize_cache(struct mmc_cmd *c, bool immed)
{
	cdb_setup(c, MMC_SYNCHRONIZE_CACHE, 10, MMC_DIR_NONE, NULL, 0,
	      immed ? MMC_TIMEOUT_IMMED : MMC_TIMEOUT_LONG);
	c->cdb[1] = immed ? 0x02 : 0;
}

void mmc_cdb_reserve_track(struct mmc_cmd *c, uint32_t blocks)
{
	cdb_setup(c, MMC_RESERVE_TRACK, 10, MMC_DIR_NONE, NULL, 0,
	      MMC_TIMEOUT_IO);
	put_be32(c->cdb + 5, blocks);
}

void mmc_cdb_close_track_session(struct mmc_cmd *c, uint8_t fn,
				 uint16_t track, bool immed)
{
	cdb_setup(c, MMC_CLOSE_TRACK_SESSION, 10, MMC_DIR_NONE, NULL, 0,
	      immed ? MMC_TIMEOUT_IMMED : MMC_TIMEOUT_LONG);
	c->cdb[1] = immed ? 1 : 0;
	c->cdb[2] = fn & 7;
	put_be16(c->cdb + 4, track);
}

void mmc_cdb_blank(struct mmc_cmd *c, uint8_t type, bool immed,
		   uint32_t start)
{
	cdb_setup(c, MMC_BLANK, 12, MMC_DIR_NONE, NULL, 0,
	      immed ? MMC_TIMEOUT_IMMED : MMC_TIMEOUT_LONG);
	c->cdb[1] = (uint8_t)((immed ? 0x10 : 0) | (type & 7));
	put_be32(c->cdb + 2, start);
}

void mmc_cdb_format_unit(struct mmc_cmd *c, const void *params,
			 uint16_t len)
{
	const uint8_t *p = params;
	bool immed = len >= 2 && (p[1] & MMC_FMT_IMMED);

	cdb_setup(c, MMC_FORMAT_UNIT, 6, MMC_DIR_OUT, (void *)params, len,
	      immed ? MMC_TIMEOUT_IMMED : MMC_TIMEOUT_LONG);
	c->cdb[1] = 0x11; /* FmtData, format code 001 */
}

void mmc_format_params(uint8_t out[MMC_FORMAT_PARAMS_LEN],
		       uint8_t header_flags, uint32_t blocks,
		       uint8_t format_type, uint8_t subtype,
		       uint32_t type_param)
{
	memset(out, 0, MMC_FORMAT_PARAMS_LEN);
	out[1] = header_flags;
	put_be16(out + 2, 8);
	put_be32(out + 4, blocks);
	out[8] = (uint8_t)((format_type & 0x3F) << 2 | (subtype & 3));
	put_be24(out + 9, type_param);
}

void mmc_cdb_send_opc(struct mmc_cmd *c, bool do_opc)
{
	cdb_setup(c, MMC_SEND_OPC, 10, MMC_DIR_NONE, NULL, 0, 120000u);
	c->cdb[1] = do_opc ? 1 : 0;
}

void mmc_cdb_send_cue_sheet(struct mmc_cmd *c, const void *cue, uint32_t len)
{
	cdb_setup(c, MMC_SEND_CUE_SHEET, 10, MMC_DIR_OUT, (void *)cue,
	      len & 0xFFFFFFu, MMC_TIMEOUT_IO);
	put_be24(c->cdb + 6, len & 0xFFFFFFu);
}

void mmc_cdb_set_cd_speed(struct mmc_cmd *c, uint16_t read_kbps,
			  uint16_t write_kbps, uint8_t rotation)
{
	cdb_setup(c, MMC_SET_CD_SPEED, 12, MMC_DIR_NONE, NULL, 0,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = rotation & 3;
	put_be16(c->cdb + 2, read_kbps);
	put_be16(c->cdb + 4, write_kbps);
}

void mmc_cdb_set_streaming(struct mmc_cmd *c, const void *desc)
{
	cdb_setup(c, MMC_SET_STREAMING, 12, MMC_DIR_OUT, (void *)desc,
	      MMC_STREAMING_DESC_LEN, MMC_TIMEOUT_SHORT);
	c->cdb[8] = 0; /* type: performance descriptor */
	put_be16(c->cdb + 9, MMC_STREAMING_DESC_LEN);
}

void mmc_streaming_desc(uint8_t out[MMC_STREAMING_DESC_LEN], uint8_t flags,
			uint32_t start_lba, uint32_t end_lba,
			uint32_t read_kbps, uint32_t write_kbps)
{
	memset(out, 0, MMC_STREAMING_DESC_LEN);
	out[0] = flags;
	put_be32(out + 4, start_lba);
	put_be32(out + 8, end_lba);
	put_be32(out + 12, read_kbps); /* kB per 1000 ms = kB/s */
	put_be32(out + 16, 1000);
	put_be32(out + 20, write_kbps);
	put_be32(out + 24, 1000);
}
