/* mmc/parse_mode.c - MODE SENSE(10) and pages 01h, 05h, 2Ah (mmc-notes
 * §1.2-1.3b).  Header: mode data length b0-1 (bytes after itself), block
 * descriptor length b6-7; pages follow: code b0 (PS bit7), length b1. */
#include <string.h>

#include "mmc/parse.h"
#include "mmc/parse_util.h"
#include "util/bytes.h"
#include "util/err.h"

int mmc_parse_mode_sense10(const uint8_t *buf, size_t len, uint8_t want_page,
			   struct mmc_page_ref *out, discfs_error *err)
{
	static const char what[] = "MODE SENSE data";
	size_t end, p;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 8, err)))
		return rc;
	end = (size_t)get_be16(buf) + 2;
	if ((rc = parse_stated(what, len, end, 8, err)))
		return rc;
	/* MMC forbids block descriptors, but some drives (and QEMU) send
	 * them anyway: skip them as libburn does. */
	p = 8u + get_be16(buf + 6);
	if (p + 2 > end)
		return dfs_fail(err, DISCFS_EPROTO, "%s: no page %02Xh in the data",
				what, want_page);
	if ((buf[p] & 0x3F) != (want_page & 0x3F))
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: page %02Xh instead of %02Xh", what,
				buf[p] & 0x3F, want_page & 0x3F);
	if (p + 2u + buf[p + 1] > end)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: page %02Xh of %u bytes runs past the data",
				what, want_page, buf[p + 1]);
	out->code = buf[p] & 0x3F;
	out->ps = buf[p] & 0x80;
	out->data = buf + p;
	out->size = 2u + buf[p + 1];
	return 0;
}

/* A page (from its code byte) of at least need bytes, with code want. */
static int page_check(const char *what, const uint8_t *pg, size_t len,
		      uint8_t want, size_t need, discfs_error *err)
{
	int rc;

	if ((rc = parse_need(what, len, 2, err)))
		return rc;
	if ((pg[0] & 0x3F) != want)
		return dfs_fail(err, DISCFS_EPROTO, "%s: page code %02Xh", what,
				pg[0] & 0x3F);
	if ((rc = parse_stated(what, len, 2u + pg[1], need, err)))
		return rc;
	return 0;
}

int mmc_parse_page_01(const uint8_t *pg, size_t len, struct mmc_page_01 *out,
		      discfs_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = page_check("mode page 01h", pg, len, 0x01, 12, err)))
		return rc;
	out->flags = pg[2];
	out->read_retry = pg[3];
	out->write_retry = pg[8];
	out->recovery_time_limit = get_be16(pg + 10);
	return 0;
}

int mmc_parse_page_05(const uint8_t *pg, size_t len, struct mmc_page_05 *out,
		      discfs_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	/* growisofs needs 14 bytes of it (through the packet size). */
	if ((rc = page_check("mode page 05h", pg, len, 0x05, 16, err)))
		return rc;
	out->bufe = pg[2] & 0x40;
	out->ls_v = pg[2] & 0x20;
	out->test_write = pg[2] & 0x10;
	out->write_type = pg[2] & 0x0F;
	out->multisession = pg[3] >> 6;
	out->fp = pg[3] & 0x20;
	out->copy = pg[3] & 0x10;
	out->track_mode = pg[3] & 0x0F;
	out->data_block_type = pg[4] & 0x0F;
	out->link_size = pg[5];
	out->host_app_code = pg[7] & 0x3F;
	out->session_format = pg[8];
	out->packet_size = get_be32(pg + 10);
	out->audio_pause = 2u + pg[1] >= 16 ? get_be16(pg + 14) : 0;
	return 0;
}

void mmc_build_page_05(const struct mmc_page_05 *p,
		       uint8_t out[MMC_MODE_SELECT_05_LEN])
{
	uint8_t *pg = out + 8;

	memset(out, 0, MMC_MODE_SELECT_05_LEN);
	pg[0] = 0x05; /* PS cleared: MODE SELECT refuses it */
	pg[1] = MMC_PAGE_05_LEN - 2;
	pg[2] = (uint8_t)((p->bufe ? 0x40 : 0) | (p->ls_v ? 0x20 : 0) |
			  (p->test_write ? 0x10 : 0) | (p->write_type & 0x0F));
	pg[3] = (uint8_t)((p->multisession & 3) << 6 | (p->fp ? 0x20 : 0) |
			  (p->copy ? 0x10 : 0) | (p->track_mode & 0x0F));
	pg[4] = p->data_block_type & 0x0F;
	pg[5] = p->link_size;
	pg[7] = p->host_app_code & 0x3F;
	pg[8] = p->session_format;
	put_be32(pg + 10, p->packet_size);
	put_be16(pg + 14, p->audio_pause);
}

int mmc_parse_page_2a(const uint8_t *pg, size_t len, struct mmc_page_2a *out,
		      discfs_error *err)
{
	size_t size;
	int rc;

	memset(out, 0, sizeof(*out));
	/* MMC-1 drives (and QEMU) send 0x14 bytes after the header. */
	if ((rc = page_check("mode page 2Ah", pg, len, 0x2A, 22, err)))
		return rc;
	size = 2u + pg[1];
	out->read_caps = pg[2];
	out->write_caps = pg[3];
	out->caps4 = pg[4];
	out->caps5 = pg[5];
	out->loading_mech = pg[6] >> 5;
	out->can_eject = pg[6] & 0x08;
	out->prevent_jumper = pg[6] & 0x04;
	out->locked = pg[6] & 0x02;
	out->can_lock = pg[6] & 0x01;
	out->max_read_kbps = get_be16(pg + 8);
	out->cur_read_kbps = get_be16(pg + 14);
	out->buffer_kib = get_be16(pg + 12);
	out->max_write_kbps = get_be16(pg + 18);
	out->cur_write_kbps = get_be16(pg + 20);
	if (size >= 30)
		out->cur_write_kbps = get_be16(pg + 28);
	if (size >= 32) {
		size_t n = get_be16(pg + 30);
		if (32 + 4 * n > size)
			return dfs_fail(err, DISCFS_EPROTO,
					"mode page 2Ah: %zu speed descriptors do not fit in %zu bytes",
					n, size);
		for (size_t i = 0; i < n && i < MMC_MAX_2A_SPEEDS; i++)
			out->write_speeds[out->n_write_speeds++] =
				get_be16(pg + 32 + 4 * i + 2);
	}
	return 0;
}
