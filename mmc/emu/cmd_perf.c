/*
 * mmc/emu/cmd_perf.c - speeds and the buffer: GET PERFORMANCE (types 00h
 * and 03h), SET STREAMING (type 0), SET CD SPEED, READ BUFFER CAPACITY.
 * A requested speed selects the fastest rated speed not above it.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

void emu_cmd_get_performance(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	const struct emu_media *m = d->disc.media;
	uint32_t maxd = get_be16(c + 8);
	uint8_t type = c[10];
	uint8_t b[8 + 16 * 8];
	uint32_t n = 0, end = (uint32_t)d->disc.capacity - 1;
	memset(b, 0, sizeof(b));
	if (type == 0x00) {
		bool write = c[1] & 0x04;
		uint32_t k = write ? emu_speed_kbps(d)
				   : emu_family_kbps(m->family, m->speeds[0]
							? m->speeds[0] : 8);
		b[4] = write ? 0x02 : 0;
		put_be32(b + 8 + 4, k);
		put_be32(b + 8 + 8, end);
		put_be32(b + 8 + 12, k);
		n = 1;
	} else if (type == 0x03) {
		for (; n < 8 && m->speeds[n]; n++) {
			uint8_t *p = b + 8 + 16 * n;
			uint32_t k = emu_family_kbps(m->family, m->speeds[n]);
			put_be32(p + 4, end);
			put_be32(p + 8, k);
			put_be32(p + 12, k);
		}
	} else {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	put_be32(b, 4 + 16 * n); /* full length, whatever maxd allows */
	uint32_t give = n < maxd ? n : maxd;
	emu_reply(cmd, b, 8 + 16 * give, 8 + 16 * give);
}

void emu_cmd_set_streaming(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	const uint8_t *p = cmd->buf;
	uint32_t len = get_be16(c + 9);
	if (c[8] != 0) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	if (len < 28 || cmd->dir != MMC_DIR_OUT || !p || cmd->len < 28) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH);
		return;
	}
	if (p[0] & 0x04) { /* RDD: restore defaults */
		emu_set_speed_kbps(d, UINT32_MAX);
		emu_good(cmd);
		return;
	}
	uint32_t size = get_be32(p + 20), time = get_be32(p + 24);
	if (!time) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_VALUE_INVALID);
		return;
	}
	uint64_t kbps = (uint64_t)size * 1000 / time;
	emu_buffer_drain(d);
	emu_set_speed_kbps(d, kbps > UINT32_MAX ? UINT32_MAX : (uint32_t)kbps);
	emu_good(cmd);
}

void emu_cmd_set_cd_speed(struct emu_drive *d, struct mmc_cmd *cmd)
{
	uint16_t w = get_be16(cmd->cdb + 4);
	emu_buffer_drain(d);
	emu_set_speed_kbps(d, w == 0xFFFF ? UINT32_MAX : w);
	emu_good(cmd);
}

void emu_cmd_read_buffer_cap(struct emu_drive *d, struct mmc_cmd *cmd)
{
	uint8_t b[12] = { 0 };
	uint32_t size = d->opt.buffer_bytes, used = emu_buffer_used(d);
	uint32_t free_bytes = used < size ? size - used : 0;
	put_be16(b, 10);
	if (cmd->cdb[1] & 0x01) {
		b[3] = 0x01;
		put_be32(b + 8, free_bytes / EMU_BLOCK);
	} else {
		put_be32(b + 4, size);
		put_be32(b + 8, free_bytes);
	}
	emu_reply(cmd, b, sizeof(b), get_be16(cmd->cdb + 7));
}
