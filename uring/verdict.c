/* uring/verdict.c - see verdict.h */
#include "uring/verdict.h"

#include "mmc/exec.h"
#include "mmc/mmc_defs.h"
#include "mmc/sense.h"
#include "util/err.h"

enum dfs_verdict dfs_verdict_of(const struct mmc_cmd *c)
{
	struct mmc_sense s;

	if (c->status == DFS_STATUS_LOST)
		return DFS_V_LOST;
	if (c->status == MMC_STATUS_GOOD)
		return DFS_V_OK;
	if (c->status == MMC_STATUS_BUSY)
		return DFS_V_BUSY;
	if (c->status != MMC_STATUS_CHECK)
		return DFS_V_FATAL;
	mmc_cmd_sense(c, &s);
	if (!s.valid)
		return DFS_V_FATAL;
	switch (mmc_sense_classify(&s)) {
	case MMC_SENSE_OK:
		return DFS_V_OK;
	case MMC_SENSE_RETRY:
	case MMC_SENSE_ABORTED:
		return DFS_V_BUSY;
	case MMC_SENSE_MEDIUM_CHANGED:
		return DFS_V_ATTENTION;
	default:
		if (ASCQ(s.asc, s.ascq) == ASC_INVALID_WRITE_ADDRESS)
			return DFS_V_BAD_ADDRESS;
		return DFS_V_FATAL;
	}
}

int dfs_fail_cmd(discfs_error *err, const struct mmc_cmd *c, const char *what)
{
	struct mmc_sense s;
	char text[160];
	int code;

	if (c->status == DFS_STATUS_LOST)
		return dfs_fail(err, DISCFS_ENODEV,
				"%s: the drive did not answer", what);
	if (c->status != MMC_STATUS_CHECK)
		return dfs_fail(err, DISCFS_EIO, "%s: SCSI status %02Xh", what,
				c->status);
	mmc_cmd_sense(c, &s);
	if (!s.valid)
		return dfs_fail(err, DISCFS_EIO, "%s: unreadable sense data",
				what);
	code = mmc_sense_class_code(mmc_sense_classify(&s));
	if (!code)
		code = DISCFS_EIO;
	mmc_sense_text(&s, text, sizeof(text));
	dfs_fail(err, code, "%s: %s", what, text);
	if (err) {
		err->sense_key = s.key;
		err->asc = s.asc;
		err->ascq = s.ascq;
	}
	return -code;
}
