/* mmc/exec.c - mmc_run(): one command, its answer turned into a discfs
 * error (see exec.h). */
#include "mmc/exec.h"

#include "mmc/mmc_defs.h"
#include "util/err.h"

void mmc_cmd_sense(const struct mmc_cmd *cmd, struct mmc_sense *out)
{
	size_t n = cmd->sense_len < MMC_SENSE_MAX ? cmd->sense_len
						   : MMC_SENSE_MAX;
	mmc_sense_parse(cmd->sense, n, out);
}

uint32_t mmc_cmd_received(const struct mmc_cmd *cmd)
{
	return cmd->resid >= cmd->len ? 0 : cmd->len - cmd->resid;
}

static int fail_sense(const struct mmc_cmd *cmd, const struct mmc_sense *s,
		      discfs_error *err)
{
	enum mmc_sense_class cls = mmc_sense_classify(s);
	int code = mmc_sense_class_code(cls);
	char text[200];

	if (cls == MMC_SENSE_NOT_PRESENT)
		dfs_fail(err, code, "no medium in drive");
	else if (cls == MMC_SENSE_PROTECT)
		dfs_fail(err, code, "medium is write-protected");
	else {
		mmc_sense_text(s, text, sizeof(text));
		dfs_fail(err, code, "%s: %s", mmc_op_name(cmd->cdb[0]), text);
	}
	if (err) {
		err->sense_key = s->key;
		err->asc = s->asc;
		err->ascq = s->ascq;
	}
	return -code;
}

int mmc_run(struct mmc_transport *t, struct mmc_cmd *cmd, discfs_error *err)
{
	struct mmc_sense s;
	int rc;

	if (!t || !t->ops || !t->ops->exec)
		return dfs_fail(err, DISCFS_EINVAL, "no transport");
	cmd->status = 0;
	cmd->sense_len = 0;
	cmd->resid = 0;
	rc = mmc_transport_exec(t, cmd, err);
	if (rc < 0)
		return rc;
	switch (cmd->status) {
	case MMC_STATUS_GOOD:
		return 0;
	case MMC_STATUS_CHECK:
		mmc_cmd_sense(cmd, &s);
		if (!s.valid)
			return dfs_fail(err, DISCFS_EIO,
					"%s: check condition without sense data",
					mmc_op_name(cmd->cdb[0]));
		if (mmc_sense_classify(&s) == MMC_SENSE_OK)
			return 0;
		return fail_sense(cmd, &s, err);
	case MMC_STATUS_BUSY:
		return dfs_fail(err, DISCFS_EBUSY, "%s: target busy",
				mmc_op_name(cmd->cdb[0]));
	default:
		return dfs_fail(err, DISCFS_EIO, "%s: SCSI status 0x%02x",
				mmc_op_name(cmd->cdb[0]), cmd->status);
	}
}
