/* mmc/parse_toc.c - READ TOC/PMA/ATIP formats 0, 1, 2 and 4 (mmc-notes
 * §1.7).  Header: data length b0-1 (bytes after itself), first, last;
 * then 8-byte (formats 0/1) or 11-byte (format 2) descriptors. */
#include <string.h>

#include "mmc/parse.h"
#include "mmc/parse_util.h"
#include "util/bytes.h"
#include "util/err.h"

int32_t mmc_msf_to_lba(uint8_t m, uint8_t s, uint8_t f)
{
	int32_t lba = ((int32_t)m * 60 + s) * 75 + f;

	/* Lead-in addresses (M >= 90) are negative. */
	return m >= 90 ? lba - 450150 : lba - 150;
}

static void entry_short(const uint8_t *d, struct mmc_toc_entry *e)
{
	e->adr = d[1] >> 4;
	e->ctrl = d[1] & 0x0F;
	e->track = d[2];
	e->addr = get_be32(d + 4);
}

static void entry_raw(const uint8_t *d, struct mmc_toc_entry *e)
{
	e->session = d[0];
	e->adr = d[1] >> 4;
	e->ctrl = d[1] & 0x0F;
	e->track = d[3]; /* POINT */
	e->min = d[4];
	e->sec = d[5];
	e->frame = d[6];
	e->pmin = d[8];
	e->psec = d[9];
	e->pframe = d[10];
}

int mmc_parse_toc(const uint8_t *buf, size_t len, uint8_t format,
		  struct mmc_toc *out, discfs_error *err)
{
	static const char what[] = "TOC data";
	size_t stated, dsize, n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (format > 2)
		return dfs_fail(err, DISCFS_EINVAL, "%s: format %u is not a TOC",
				what, format);
	if ((rc = parse_need(what, len, 4, err)))
		return rc;
	stated = (size_t)get_be16(buf) + 2;
	if ((rc = parse_stated(what, len, stated, 4, err)))
		return rc;
	dsize = format == 2 ? 11 : 8;
	if ((stated - 4) % dsize)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: %zu descriptor bytes are not a multiple of %zu",
				what, stated - 4, dsize);
	n = (stated - 4) / dsize;
	if (n > MMC_MAX_TOC_ENTRIES)
		return dfs_fail(err, DISCFS_EPROTO, "%s: %zu entries", what, n);
	if (format == 1 && n != 1)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: session info with %zu descriptors", what, n);
	out->format = format;
	out->first = buf[2];
	out->last = buf[3];
	if (out->first > out->last)
		return dfs_fail(err, DISCFS_EPROTO, "%s: first %u after last %u",
				what, out->first, out->last);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *d = buf + 4 + i * dsize;
		if (format == 2)
			entry_raw(d, &out->e[i]);
		else
			entry_short(d, &out->e[i]);
	}
	out->n = n;
	return 0;
}

int mmc_parse_atip(const uint8_t *buf, size_t len, struct mmc_atip *out,
		   discfs_error *err)
{
	static const char what[] = "ATIP data";
	size_t stated;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse_need(what, len, 4, err)))
		return rc;
	stated = (size_t)get_be16(buf) + 2;
	if ((rc = parse_stated(what, len, stated, 16, err)))
		return rc;
	out->write_power = (buf[4] >> 4) & 7;
	out->uru = buf[5] & 0x40;
	out->cd_rw = buf[6] & 0x40;
	out->disc_subtype = (buf[6] >> 3) & 7;
	out->lead_in_m = buf[8];
	out->lead_in_s = buf[9];
	out->lead_in_f = buf[10];
	out->lead_out_m = buf[12];
	out->lead_out_s = buf[13];
	out->lead_out_f = buf[14];
	if (out->lead_in_s >= 60 || out->lead_in_f >= 75 ||
	    out->lead_out_s >= 60 || out->lead_out_f >= 75)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: invalid MSF %02u:%02u:%02u / %02u:%02u:%02u",
				what, out->lead_in_m, out->lead_in_s,
				out->lead_in_f, out->lead_out_m,
				out->lead_out_s, out->lead_out_f);
	out->lead_in_lba = mmc_msf_to_lba(buf[8], buf[9], buf[10]);
	out->lead_out_lba = mmc_msf_to_lba(buf[12], buf[13], buf[14]);
	return 0;
}
