/*
 * mmc/sense.h - SCSI sense data: decoding and what a caller should do.
 *
 * mmc_sense_parse() accepts fixed (70h/71h) and descriptor (72h/73h)
 * format sense of any length and never reads past it.  The class tells a
 * caller how to act (mmc-notes §3):
 *   RETRY           drive busy with something that ends by itself
 *                   (2/04/01, 2/04/04, 2/04/07, 2/04/08): wait and resend,
 *                   progress may be given
 *   MEDIUM_CHANGED  unit attention (6/28 medium changed, 6/29 reset, ...):
 *                   re-read the medium, resend state (page 05, streaming)
 *   NOT_PRESENT     x/3A/xx no medium
 *   NOT_READY       other not-ready causes (2/04/00, 2/04/02, 2/30)
 *   ILLEGAL         5/xx the command or its data was refused
 *   PROTECT         7/xx or 5/27 write-protected
 *   WRONG_MEDIA     5/30/xx incompatible or unformatted medium
 *   NO_SPACE        5/63/xx end of user area / packet does not fit
 *   MEDIUM_ERROR    3/xx read or write failed, 8/xx blank check
 *   HARDWARE        4/xx
 *   ABORTED         B/xx the command was aborted (resending may work)
 */
#ifndef DFS_MMC_SENSE_H
#define DFS_MMC_SENSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mmc_sense_class {
	MMC_SENSE_OK = 0,    /* no sense, or recovered error */
	MMC_SENSE_RETRY,
	MMC_SENSE_MEDIUM_CHANGED,
	MMC_SENSE_NOT_PRESENT,
	MMC_SENSE_NOT_READY,
	MMC_SENSE_ILLEGAL,
	MMC_SENSE_PROTECT,
	MMC_SENSE_WRONG_MEDIA,
	MMC_SENSE_NO_SPACE,
	MMC_SENSE_MEDIUM_ERROR,
	MMC_SENSE_HARDWARE,
	MMC_SENSE_ABORTED,
	MMC_SENSE_OTHER,     /* unparsable sense or unknown key */
};

struct mmc_sense {
	bool valid;          /* a recognised response code */
	bool deferred;       /* 71h/73h: about an earlier command */
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
	bool progress_valid; /* SKSV progress indication present */
	uint16_t progress;   /* 0..65535 = 0..100 % */
	bool info_valid;
	uint64_t info;       /* information field (e.g. failing LBA) */
};

/* Decodes sense data; returns false (out->valid = false) when it is not
 * sense data this code understands (too short, unknown response code). */
bool mmc_sense_parse(const uint8_t *sense, size_t len, struct mmc_sense *out);

enum mmc_sense_class mmc_sense_classify(const struct mmc_sense *s);

/* The discfs code a class maps to (DISCFS_OK for MMC_SENSE_OK). */
int mmc_sense_class_code(enum mmc_sense_class c);

/* Short name of a class, e.g. "retry". Never NULL. */
const char *mmc_sense_class_name(enum mmc_sense_class c);

/* Progress in hundredths of a percent (0..10000), -1 when none. */
int mmc_sense_progress_x100(const struct mmc_sense *s);

/*
 * One-line human text, e.g.
 *   "Not Ready, Medium not present - tray closed (2/3A/01)".
 * Uses libsgutils2's tables; always NUL-terminates buf (n > 0).
 */
void mmc_sense_text(const struct mmc_sense *s, char *buf, size_t n);

#endif
