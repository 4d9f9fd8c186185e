/* mmc/cdb.c - builders of query and tray commands, and the allocation
 * length rewrite (see cdb.h; field positions: mmc-notes §1.1). */
#include "mmc/cdb_int.h"
#include "util/bytes.h"

void mmc_cdb_test_unit_ready(struct mmc_cmd *c)
{
	cdb_setup(c, MMC_TEST_UNIT_READY, 6, MMC_DIR_NONE, NULL, 0,
	      MMC_TIMEOUT_SHORT);
}

void mmc_cdb_request_sense(struct mmc_cmd *c, void *buf, uint8_t alloc)
{
	cdb_setup(c, MMC_REQUEST_SENSE, 6, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[4] = alloc;
}

void mmc_cdb_inquiry(struct mmc_cmd *c, void *buf, uint8_t alloc)
{
	cdb_setup(c, MMC_INQUIRY, 6, MMC_DIR_IN, buf, alloc, MMC_TIMEOUT_SHORT);
	c->cdb[4] = alloc;
}

void mmc_cdb_mode_sense10(struct mmc_cmd *c, uint8_t page, uint8_t pc,
			  void *buf, uint16_t alloc)
{
	cdb_setup(c, MMC_MODE_SENSE10, 10, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = 0x08; /* DBD */
	c->cdb[2] = (uint8_t)((pc & 3) << 6 | (page & 0x3F));
	put_be16(c->cdb + 7, alloc);
}

void mmc_cdb_mode_select10(struct mmc_cmd *c, const void *buf, uint16_t len)
{
	cdb_setup(c, MMC_MODE_SELECT10, 10, MMC_DIR_OUT, (void *)buf, len,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = 0x10; /* PF */
	put_be16(c->cdb + 7, len);
}

void mmc_cdb_get_configuration(struct mmc_cmd *c, uint8_t rt,
			       uint16_t start_feature, void *buf,
			       uint16_t alloc)
{
	cdb_setup(c, MMC_GET_CONFIGURATION, 10, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = rt & 3;
	put_be16(c->cdb + 2, start_feature);
	put_be16(c->cdb + 7, alloc);
}

void mmc_cdb_get_event_status(struct mmc_cmd *c, uint8_t class_mask,
			      void *buf, uint16_t alloc)
{
	cdb_setup(c, MMC_GET_EVENT_STATUS, 10, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = 0x01; /* Polled: asynchronous notification is not used */
	c->cdb[4] = class_mask;
	put_be16(c->cdb + 7, alloc);
}

void mmc_cdb_read_capacity(struct mmc_cmd *c, void *buf)
{
	cdb_setup(c, MMC_READ_CAPACITY, 10, MMC_DIR_IN, buf, 8, MMC_TIMEOUT_SHORT);
}

void mmc_cdb_read_disc_info(struct mmc_cmd *c, uint8_t data_type, void *buf,
			    uint16_t alloc)
{
	cdb_setup(c, MMC_READ_DISC_INFO, 10, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = data_type & 7;
	put_be16(c->cdb + 7, alloc);
}

void mmc_cdb_read_track_info(struct mmc_cmd *c, uint8_t addr_type,
			     uint32_t number, void *buf, uint16_t alloc)
{
	cdb_setup(c, MMC_READ_TRACK_INFO, 10, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = addr_type & 3;
	put_be32(c->cdb + 2, number);
	put_be16(c->cdb + 7, alloc);
}

void mmc_cdb_read_toc(struct mmc_cmd *c, uint8_t format, bool msf,
		      uint8_t track_session, void *buf, uint16_t alloc)
{
	cdb_setup(c, MMC_READ_TOC, 10, MMC_DIR_IN, buf, alloc, MMC_TIMEOUT_SHORT);
	c->cdb[1] = msf ? 0x02 : 0;
	c->cdb[2] = format & 0x0F;
	c->cdb[6] = track_session;
	put_be16(c->cdb + 7, alloc);
}

void mmc_cdb_read_format_capacities(struct mmc_cmd *c, void *buf,
				    uint16_t alloc)
{
	cdb_setup(c, MMC_READ_FORMAT_CAPACITIES, 10, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	put_be16(c->cdb + 7, alloc);
}

void mmc_cdb_read_buffer_capacity(struct mmc_cmd *c, bool block, void *buf,
				  uint16_t alloc)
{
	cdb_setup(c, MMC_READ_BUFFER_CAPACITY, 10, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = block ? 1 : 0;
	put_be16(c->cdb + 7, alloc);
}

void mmc_cdb_read_disc_structure(struct mmc_cmd *c, uint8_t media_type,
				 uint32_t address, uint8_t layer,
				 uint8_t format, void *buf, uint16_t alloc)
{
	cdb_setup(c, MMC_READ_DISC_STRUCTURE, 12, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = media_type & 0x0F;
	put_be32(c->cdb + 2, address);
	c->cdb[6] = layer;
	c->cdb[7] = format;
	put_be16(c->cdb + 8, alloc);
}

void mmc_cdb_mechanism_status(struct mmc_cmd *c, void *buf, uint16_t alloc)
{
	cdb_setup(c, MMC_MECHANISM_STATUS, 12, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	put_be16(c->cdb + 8, alloc);
}

void mmc_cdb_get_performance(struct mmc_cmd *c, uint8_t data_type,
			     uint8_t type, void *buf, uint16_t alloc)
{
	uint16_t max_desc = alloc >= 8 ? (uint16_t)((alloc - 8) / 16) : 0;

	cdb_setup(c, MMC_GET_PERFORMANCE, 12, MMC_DIR_IN, buf, alloc,
	      MMC_TIMEOUT_SHORT);
	c->cdb[1] = type == MMC_PERF_TYPE_PERFORMANCE ? (data_type & 0x1F) : 0;
	put_be16(c->cdb + 8, max_desc);
	c->cdb[10] = type;
}

void mmc_cdb_start_stop(struct mmc_cmd *c, bool start, bool loej, bool immed)
{
	cdb_setup(c, MMC_START_STOP_UNIT, 6, MMC_DIR_NONE, NULL, 0,
	      immed ? MMC_TIMEOUT_IMMED : MMC_TIMEOUT_IO);
	c->cdb[1] = immed ? 1 : 0;
	c->cdb[4] = (uint8_t)((loej ? 2 : 0) | (start ? 1 : 0));
}

void mmc_cdb_prevent_allow(struct mmc_cmd *c, bool prevent)
{
	cdb_setup(c, MMC_PREVENT_ALLOW, 6, MMC_DIR_NONE, NULL, 0,
	      MMC_TIMEOUT_SHORT);
	c->cdb[4] = prevent ? 1 : 0;
}

bool mmc_cmd_set_alloc(struct mmc_cmd *c, void *buf, uint32_t alloc)
{
	switch (c->cdb[0]) {
	case MMC_INQUIRY:
	case MMC_REQUEST_SENSE:
		if (alloc > 0xFF)
			return false;
		c->cdb[4] = (uint8_t)alloc;
		break;
	case MMC_MODE_SENSE10:
	case MMC_GET_CONFIGURATION:
	case MMC_GET_EVENT_STATUS:
	case MMC_READ_DISC_INFO:
	case MMC_READ_TRACK_INFO:
	case MMC_READ_TOC:
	case MMC_READ_FORMAT_CAPACITIES:
	case MMC_READ_BUFFER_CAPACITY:
		if (alloc > 0xFFFF)
			return false;
		put_be16(c->cdb + 7, (uint16_t)alloc);
		break;
	case MMC_READ_DISC_STRUCTURE:
	case MMC_MECHANISM_STATUS:
		if (alloc > 0xFFFF)
			return false;
		put_be16(c->cdb + 8, (uint16_t)alloc);
		break;
	case MMC_GET_PERFORMANCE:
		if (alloc > 8u + 16u * 0xFFFFu)
			return false;
		put_be16(c->cdb + 8, (uint16_t)(alloc >= 8 ? (alloc - 8) / 16 : 0));
		break;
	default:
		return false;
	}
	c->dir = alloc ? MMC_DIR_IN : MMC_DIR_NONE;
	c->buf = alloc ? buf : NULL;
	c->len = alloc;
	return true;
}
