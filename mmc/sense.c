/* mmc/sense.c - see sense.h.  Layouts: SPC-4 fixed and descriptor sense. */
#include "mmc/sense.h"

#include <stdio.h>
#include <string.h>

#include <scsi/sg_lib.h>

#include "discfs.h"
#include "mmc/mmc_defs.h"
#include "util/bytes.h"

/* Fixed format: key b2, info b3-6 (VALID b0 bit7), ASL b7, ASC b12,
 * ASCQ b13, SKSV b15 bit7 + progress b16-17. */
static bool parse_fixed(const uint8_t *s, size_t len, struct mmc_sense *o)
{
	size_t avail;

	if (len < 3)
		return false;
	o->key = s[2] & 0x0F;
	/* The additional length bounds what the drive meant to send. */
	avail = len >= 8 ? 8u + s[7] : len;
	if (avail > len)
		avail = len;
	if (avail >= 7 && (s[0] & 0x80)) {
		o->info_valid = true;
		o->info = get_be32(s + 3);
	}
	if (avail >= 13)
		o->asc = s[12];
	if (avail >= 14)
		o->ascq = s[13];
	if (avail >= 18 && (s[15] & 0x80) &&
	    (o->key == SK_NO_SENSE || o->key == SK_NOT_READY)) {
		o->progress_valid = true;
		o->progress = get_be16(s + 16);
	}
	return true;
}

/* Descriptor format: key b1, ASC b2, ASCQ b3, ASL b7, descriptors from b8:
 * type, additional length, ... (00h information, 02h sense key specific). */
static bool parse_desc(const uint8_t *s, size_t len, struct mmc_sense *o)
{
	size_t end, p;

	if (len < 4)
		return false;
	o->key = s[1] & 0x0F;
	o->asc = s[2];
	o->ascq = s[3];
	if (len < 8)
		return true;
	end = 8u + s[7];
	if (end > len)
		end = len;
	for (p = 8; p + 2 <= end; p += 2u + s[p + 1]) {
		size_t dlen = 2u + s[p + 1];
		if (p + dlen > end)
			break;
		if (s[p] == 0x00 && dlen >= 12 && (s[p + 2] & 0x80)) {
			o->info_valid = true;
			o->info = get_be64(s + p + 4);
		} else if (s[p] == 0x02 && dlen >= 8 && (s[p + 4] & 0x80) &&
			   (o->key == SK_NO_SENSE || o->key == SK_NOT_READY)) {
			o->progress_valid = true;
			o->progress = get_be16(s + p + 5);
		}
	}
	return true;
}

bool mmc_sense_parse(const uint8_t *sense, size_t len, struct mmc_sense *out)
{
	uint8_t rc;

	memset(out, 0, sizeof(*out));
	if (!sense || len < 1)
		return false;
	rc = sense[0] & 0x7F;
	if (rc == 0x70 || rc == 0x71) {
		out->deferred = rc == 0x71;
		out->valid = parse_fixed(sense, len, out);
	} else if (rc == 0x72 || rc == 0x73) {
		out->deferred = rc == 0x73;
		out->valid = parse_desc(sense, len, out);
	}
	if (!out->valid)
		memset(out, 0, sizeof(*out));
	return out->valid;
}

static enum mmc_sense_class classify_not_ready(const struct mmc_sense *s)
{
	if (s->asc == 0x3A)
		return MMC_SENSE_NOT_PRESENT;
	if (s->asc == 0x04 && (s->ascq == 0x01 || s->ascq == 0x04 ||
			       s->ascq == 0x07 || s->ascq == 0x08))
		return MMC_SENSE_RETRY;
	if (s->asc == 0x30)
		return MMC_SENSE_WRONG_MEDIA;
	return MMC_SENSE_NOT_READY;
}

static enum mmc_sense_class classify_illegal(const struct mmc_sense *s)
{
	switch (s->asc) {
	case 0x27: return MMC_SENSE_PROTECT;
	case 0x30: return MMC_SENSE_WRONG_MEDIA;
	case 0x3A: return MMC_SENSE_NOT_PRESENT;
	case 0x63: return MMC_SENSE_NO_SPACE;
	default: return MMC_SENSE_ILLEGAL;
	}
}

enum mmc_sense_class mmc_sense_classify(const struct mmc_sense *s)
{
	if (!s || !s->valid)
		return MMC_SENSE_OTHER;
	switch (s->key) {
	case SK_NO_SENSE:
	case SK_RECOVERED:
		return MMC_SENSE_OK;
	case SK_NOT_READY:
		return classify_not_ready(s);
	case SK_MEDIUM_ERROR:
		return s->asc == 0x3A ? MMC_SENSE_NOT_PRESENT
				      : MMC_SENSE_MEDIUM_ERROR;
	case SK_HARDWARE_ERROR:
		return MMC_SENSE_HARDWARE;
	case SK_ILLEGAL_REQUEST:
		return classify_illegal(s);
	case SK_UNIT_ATTENTION:
		return MMC_SENSE_MEDIUM_CHANGED;
	case SK_DATA_PROTECT:
		return MMC_SENSE_PROTECT;
	case SK_BLANK_CHECK:
		return MMC_SENSE_MEDIUM_ERROR;
	case SK_ABORTED:
		return MMC_SENSE_ABORTED;
	default:
		return MMC_SENSE_OTHER;
	}
}

int mmc_sense_class_code(enum mmc_sense_class c)
{
	switch (c) {
	case MMC_SENSE_OK: return DISCFS_OK;
	case MMC_SENSE_RETRY: return DISCFS_ENOTREADY;
	case MMC_SENSE_MEDIUM_CHANGED: return DISCFS_ECHANGED;
	case MMC_SENSE_NOT_PRESENT: return DISCFS_ENOMEDIUM;
	case MMC_SENSE_NOT_READY: return DISCFS_ENOTREADY;
	case MMC_SENSE_ILLEGAL: return DISCFS_EILLEGAL;
	case MMC_SENSE_PROTECT: return DISCFS_EPROTECT;
	case MMC_SENSE_WRONG_MEDIA: return DISCFS_EWRONGMEDIA;
	case MMC_SENSE_NO_SPACE: return DISCFS_ENOSPC;
	case MMC_SENSE_MEDIUM_ERROR: return DISCFS_EMEDIUM;
	case MMC_SENSE_HARDWARE: return DISCFS_EHARDWARE;
	case MMC_SENSE_ABORTED: return DISCFS_EIO;
	default: return DISCFS_EIO;
	}
}

const char *mmc_sense_class_name(enum mmc_sense_class c)
{
	static const char *const names[] = {
		"ok", "retry", "medium changed", "not present", "not ready",
		"illegal request", "write-protected", "wrong medium",
		"no space", "medium error", "hardware error", "aborted",
		"other",
	};
	if ((unsigned)c >= sizeof(names) / sizeof(names[0]))
		return "other";
	return names[c];
}

int mmc_sense_progress_x100(const struct mmc_sense *s)
{
	if (!s || !s->progress_valid)
		return -1;
	return (int)((uint32_t)s->progress * 10000u / 65536u);
}

void mmc_sense_text(const struct mmc_sense *s, char *buf, size_t n)
{
	static const char prefix[] = "Additional sense: ";
	char key[64], asc[128];
	const char *asc_text = asc;

	if (!buf || n == 0)
		return;
	if (!s || !s->valid) {
		snprintf(buf, n, "unrecognised sense data");
		return;
	}
	sg_get_sense_key_str(s->key, (int)sizeof(key), key);
	sg_get_asc_ascq_str(s->asc, s->ascq, (int)sizeof(asc), asc);
	/* libsgutils2 prefixes the ASC text with a label we do not need. */
	if (!strncmp(asc, prefix, sizeof(prefix) - 1))
		asc_text = asc + sizeof(prefix) - 1;
	snprintf(buf, n, "%s, %s (%X/%02X/%02X)", key, asc_text, s->key, s->asc,
		 s->ascq);
	/* The library's tables are one line, but a stray newline would break
	 * the one-line error contract. */
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}
