/* mmc/parse_disc.c - READ CAPACITY, READ DISC INFORMATION (type 0) and
 * READ TRACK INFORMATION (mmc-notes §1.5). */
#include <string.h>

#include "mmc/parse.h"
#include "mmc/parse_util.h"
#include "util/bytes.h"
#include "util/err.h"

int mmc_parse_capacity(const uint8_t *buf, size_t len,
		       struct mmc_capacity *out, discfs_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need("READ CAPACITY data", len, 8, err)))
		return rc;
	out->last_lba = get_be32(buf);
	out->block_len = get_be32(buf + 4);
	return 0;
}

int mmc_parse_disc_info(const uint8_t *buf, size_t len,
			struct mmc_disc_info *out, discfs_error *err)
{
	static const char what[] = "disc information";
	size_t stated;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 2, err)))
		return rc;
	stated = (size_t)get_be16(buf) + 2;
	if ((rc = parse_stated(what, len, stated, 34, err)))
		return rc;
	if ((buf[2] >> 5) != 0)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: data type %u, asked for standard (0)",
				what, buf[2] >> 5);
	out->erasable = buf[2] & 0x10;
	out->last_session_state = (buf[2] >> 2) & 3;
	out->disc_status = buf[2] & 3;
	out->first_track = buf[3];
	out->sessions = (uint16_t)(buf[9] << 8 | buf[4]);
	out->first_track_last_session = (uint16_t)(buf[10] << 8 | buf[5]);
	out->last_track_last_session = (uint16_t)(buf[11] << 8 | buf[6]);
	out->did_v = buf[7] & 0x80;
	out->dbc_v = buf[7] & 0x40;
	out->uru = buf[7] & 0x20;
	out->dac_v = buf[7] & 0x10;
	out->dbit = buf[7] & 0x04;
	out->bg_format_status = buf[7] & 3;
	out->disc_type = buf[8];
	out->disc_id = get_be32(buf + 12);
	out->last_lead_in = get_be32(buf + 16);
	out->last_lead_out = get_be32(buf + 20);
	out->n_opc = buf[33];
	/* OPC tables are 8 bytes each; a count the length cannot hold is a
	 * lie we refuse rather than trust later. */
	if (34u + 8u * out->n_opc > stated)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: %u OPC tables do not fit in %zu bytes",
				what, out->n_opc, stated);
	if (out->first_track_last_session > out->last_track_last_session)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: first track of last session %u after its last %u",
				what, out->first_track_last_session,
				out->last_track_last_session);
	return 0;
}

int mmc_parse_track_info(const uint8_t *buf, size_t len,
			 struct mmc_track_info *out, discfs_error *err)
{
	static const char what[] = "track information";
	size_t stated;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 2, err)))
		return rc;
	stated = (size_t)get_be16(buf) + 2;
	/* 28 bytes (through track size) is the MMC-1 minimum. */
	if ((rc = parse_stated(what, len, stated, 28, err)))
		return rc;
	out->track = buf[2];
	out->session = buf[3];
	out->damage = buf[5] & 0x20;
	out->copy = buf[5] & 0x10;
	out->track_mode = buf[5] & 0x0F;
	out->rt = buf[6] & 0x80;
	out->blank = buf[6] & 0x40;
	out->packet = buf[6] & 0x20;
	out->fp = buf[6] & 0x10;
	out->data_mode = buf[6] & 0x0F;
	out->lra_v = buf[7] & 0x02;
	out->nwa_v = buf[7] & 0x01;
	out->start = get_be32(buf + 8);
	out->nwa = get_be32(buf + 12);
	out->free_blocks = get_be32(buf + 16);
	out->packet_size = get_be32(buf + 20);
	out->size = get_be32(buf + 24);
	if (stated >= 32)
		out->lra = get_be32(buf + 28);
	else
		out->lra_v = false;
	if (stated >= 34) {
		out->track |= (uint16_t)(buf[32] << 8);
		out->session |= (uint16_t)(buf[33] << 8);
	}
	if (stated >= 40) {
		out->read_compat_valid = true;
		out->read_compat_lba = get_be32(buf + 36);
	}
	/* Some drives report NWA -150 on a blank CD (libburn repairs it). */
	if (out->nwa_v && (int32_t)out->nwa < 0 && (int32_t)out->start >= 0)
		out->nwa = out->start;
	if (out->nwa_v && out->nwa < out->start)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: track %u next writable address %u before its start %u",
				what, out->track, out->nwa, out->start);
	return 0;
}
