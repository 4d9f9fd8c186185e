/* mmc/wait.c - mmc_wait_ready() and mmc_clear_unit_attention(): polling
 * TEST UNIT READY (see exec.h). */
#include "mmc/exec.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "mmc/cdb.h"
#include "util/err.h"

static void default_sleep(void *ctx, uint32_t ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	(void)ctx;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Progress of a retry-class answer: from the TUR sense, else from
 * REQUEST SENSE (some drives only report it there). */
static int poll_progress(struct mmc_transport *t, const struct mmc_sense *s)
{
	struct mmc_cmd rs;
	struct mmc_sense s2;
	uint8_t buf[18];

	if (s->progress_valid)
		return mmc_sense_progress_x100(s);
	memset(buf, 0, sizeof(buf));
	mmc_cdb_request_sense(&rs, buf, sizeof(buf));
	if (mmc_transport_exec(t, &rs, NULL) < 0 || rs.status != 0)
		return -1;
	mmc_sense_parse(buf, mmc_cmd_received(&rs), &s2);
	return mmc_sense_progress_x100(&s2);
}

int mmc_wait_ready(struct mmc_transport *t, const struct mmc_wait *w,
		   discfs_error *err)
{
	struct mmc_wait def = { 0 };
	uint64_t waited = 0;

	if (!w)
		w = &def;
	uint32_t limit = w->timeout_ms ? w->timeout_ms : 3600000u;
	uint32_t poll = w->poll_ms ? w->poll_ms : 500u;
	void (*nap)(void *, uint32_t) = w->sleep_ms ? w->sleep_ms
						    : default_sleep;

	for (;;) {
		struct mmc_cmd tur;
		struct mmc_sense s;
		int rc;

		mmc_cdb_test_unit_ready(&tur);
		rc = mmc_run(t, &tur, err);
		if (rc == 0) {
			if (w->progress)
				w->progress(w->ctx, 10000);
			return 0;
		}
		mmc_cmd_sense(&tur, &s);
		enum mmc_sense_class cls = mmc_sense_classify(&s);
		if (tur.status != MMC_STATUS_BUSY && cls != MMC_SENSE_RETRY &&
		    cls != MMC_SENSE_MEDIUM_CHANGED)
			return rc;
		if (w->progress && !w->progress(w->ctx, cls == MMC_SENSE_RETRY
					? poll_progress(t, &s) : -1))
			return dfs_fail(err, DISCFS_ECANCELED,
					"waiting for the drive: cancelled");
		if (waited >= limit)
			return dfs_fail(err, DISCFS_ENOTREADY,
					"drive still busy after %u s",
					limit / 1000);
		nap(w->ctx, poll);
		waited += poll;
	}
}

int mmc_clear_unit_attention(struct mmc_transport *t, discfs_error *err)
{
	int rc = 0;

	/* A drive may queue several attentions (power on, then medium
	 * changed); each TUR reports and clears one. */
	for (int i = 0; i < 8; i++) {
		struct mmc_cmd tur;

		mmc_cdb_test_unit_ready(&tur);
		rc = mmc_run(t, &tur, err);
		if (rc != -DISCFS_ECHANGED)
			return rc;
	}
	return rc;
}
