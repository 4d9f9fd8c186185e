/* mmc/parse_misc.c - GET EVENT STATUS NOTIFICATION (§1.11), READ BUFFER
 * CAPACITY, GET PERFORMANCE, READ DISC STRUCTURE (§1.10), MECHANISM STATUS. */
#include <string.h>

#include "mmc/parse.h"
#include "mmc/parse_util.h"
#include "util/bytes.h"
#include "util/err.h"

/* Header: descriptor length b0-1 (bytes after the 4-byte header), b2 NEA
 * bit7 + class bits2-0, b3 supported classes; one 4-byte descriptor. */
int mmc_parse_event_status(const uint8_t *buf, size_t len,
			   struct mmc_event *out, discfs_error *err)
{
	static const char what[] = "event status";
	size_t stated;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 4, err)))
		return rc;
	stated = 4u + get_be16(buf);
	if ((rc = parse_stated(what, len, stated, 4, err)))
		return rc;
	out->nea = buf[2] & 0x80;
	out->cls = buf[2] & 7;
	out->supported = buf[3];
	if (out->nea || stated == 4)
		return 0;
	if (stated < 8)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: descriptor of %zu bytes", what, stated - 4);
	out->has_descriptor = true;
	memcpy(out->raw, buf + 4, 4);
	out->event = buf[4] & 0x0F;
	if (out->cls == 4) {
		out->media_present = buf[5] & 2;
		out->tray_open = buf[5] & 1;
	}
	return 0;
}

/* Length b0-1 (bytes after itself), b4-7 buffer length, b8-11 free
 * (with Block=1: b4-7 reserved, b8-11 free blocks). */
int mmc_parse_buffer_cap(const uint8_t *buf, size_t len, bool block,
			 struct mmc_buffer_cap *out, discfs_error *err)
{
	static const char what[] = "buffer capacity";
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 2, err)))
		return rc;
	if ((rc = parse_stated(what, len, 2u + get_be16(buf), 12, err)))
		return rc;
	out->block = block;
	out->size = block ? 0 : get_be32(buf + 4);
	out->free = get_be32(buf + 8);
	if (!block && out->free > out->size)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: %u bytes free of %u", what, out->free,
				out->size);
	return 0;
}

/* Header: length b0-3 (bytes after itself), b4 bit1 Write bit0 Except;
 * 16-byte descriptors.  Type 03h: b0 WRC bits4-3, RDD bit2, Exact bit1,
 * MRW bit0; end LBA 4-7; read speed 8-11; write speed 12-15 (kB/s).
 * Type 00h: start LBA, start perf, end LBA, end perf. */
int mmc_parse_performance(const uint8_t *buf, size_t len, uint8_t type,
			  struct mmc_performance *out, discfs_error *err)
{
	static const char what[] = "performance data";
	size_t stated, n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (type != 0 && type != 3)
		return dfs_fail(err, DISCFS_EINVAL, "%s: type %u not handled",
				what, type);
	if ((rc = parse_need(what, len, 8, err)))
		return rc;
	stated = (size_t)get_be32(buf) + 4;
	if (stated < (size_t)get_be32(buf)) /* 32-bit size_t wrap */
		stated = SIZE_MAX;
	if ((rc = parse_stated(what, len, stated, 8, err)))
		return rc;
	if ((stated - 8) % 16)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: %zu descriptor bytes are not a multiple of 16",
				what, stated - 8);
	out->type = type;
	out->write = buf[4] & 2;
	out->except = buf[4] & 1;
	n = (stated - 8) / 16;
	if (n > MMC_MAX_PERF_DESCS)
		n = MMC_MAX_PERF_DESCS;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *d = buf + 8 + 16 * i;
		if (type == 3) {
			out->ws[i].wrc = (d[0] >> 3) & 3;
			out->ws[i].rdd = d[0] & 4;
			out->ws[i].exact = d[0] & 2;
			out->ws[i].mrw = d[0] & 1;
			out->ws[i].end_lba = get_be32(d + 4);
			out->ws[i].read_kbps = get_be32(d + 8);
			out->ws[i].write_kbps = get_be32(d + 12);
		} else {
			out->perf[i].start_lba = get_be32(d);
			out->perf[i].start_kbps = get_be32(d + 4);
			out->perf[i].end_lba = get_be32(d + 8);
			out->perf[i].end_kbps = get_be32(d + 12);
		}
	}
	out->n = n;
	return 0;
}

/* Header: data length b0-1 (bytes after itself), 2 reserved bytes. */
int mmc_parse_disc_structure(const uint8_t *buf, size_t len,
			     struct mmc_disc_structure *out,
			     discfs_error *err)
{
	static const char what[] = "disc structure";
	size_t stated;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 4, err)))
		return rc;
	stated = 2u + get_be16(buf);
	if ((rc = parse_stated(what, len, stated, 4, err)))
		return rc;
	out->data = buf + 4;
	out->size = stated - 4;
	return 0;
}

int mmc_parse_dvd_physical(const uint8_t *buf, size_t len,
			   struct mmc_dvd_physical *out, discfs_error *err)
{
	struct mmc_disc_structure ds;
	const uint8_t *d;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mmc_parse_disc_structure(buf, len, &ds, err)))
		return rc;
	if (ds.size < 16)
		return dfs_fail(err, DISCFS_EPROTO,
				"DVD physical format: %zu bytes, need 16", ds.size);
	d = ds.data;
	out->book_type = d[0] >> 4;
	out->book_version = d[0] & 0x0F;
	out->disc_size = d[1] >> 4;
	out->max_rate = d[1] & 0x0F;
	out->layers = (uint8_t)(((d[2] >> 5) & 3) + 1);
	out->layer_type = d[2] & 0x0F;
	out->start_psn = get_be24(d + 5);
	out->end_psn = get_be24(d + 9);
	out->end_psn_l0 = get_be24(d + 13);
	return 0;
}

/* 8-byte header: b0 fault bit7, changer state bits6-5, slot bits4-0;
 * b1 mechanism state bits7-5, door open bit4; b2-4 current LBA; b5 number
 * of slots; b6-7 slot table length (4 bytes per slot). */
int mmc_parse_mech_status(const uint8_t *buf, size_t len,
			  struct mmc_mech_status *out, discfs_error *err)
{
	static const char what[] = "mechanism status";
	size_t stated;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 8, err)))
		return rc;
	stated = 8u + get_be16(buf + 6);
	if ((rc = parse_stated(what, len, stated, 8, err)))
		return rc;
	if (get_be16(buf + 6) % 4)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: slot table of %u bytes", what,
				get_be16(buf + 6));
	out->fault = buf[0] & 0x80;
	out->changer_state = (buf[0] >> 5) & 3;
	out->current_slot = buf[0] & 0x1F;
	out->mech_state = buf[1] >> 5;
	out->door_open = buf[1] & 0x10;
	out->current_lba = get_be24(buf + 2);
	out->n_slots = buf[5];
	out->slot_table_len = get_be16(buf + 6);
	return 0;
}
