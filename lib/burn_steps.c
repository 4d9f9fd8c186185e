/* lib/burn_steps.c - see burn_steps.h */
#include "lib/burn_steps.h"

#include <stdlib.h>
#include <string.h>

#include "mmc/cdb.h"
#include "mmc/exec.h"
#include "mmc/mmc_defs.h"
#include "util/err.h"

#define WAIT_POLL_MS 100u

int bs_disc_info(struct mmc_transport *t, struct mmc_disc_info *out,
		 discfs_error *err)
{
	uint8_t buf[64];
	struct mmc_cmd c;
	int rc;

	mmc_cdb_read_disc_info(&c, 0, buf, sizeof(buf));
	rc = mmc_run(t, &c, err);
	if (rc < 0)
		return rc;
	return mmc_parse_disc_info(buf, mmc_cmd_received(&c), out, err);
}

int bs_track_info(struct mmc_transport *t, uint32_t track,
		  struct mmc_track_info *out, discfs_error *err)
{
	uint8_t buf[48];
	struct mmc_cmd c;
	int rc;

	mmc_cdb_read_track_info(&c, MMC_RTI_TRACK, track, buf, sizeof(buf));
	rc = mmc_run(t, &c, err);
	if (rc < 0)
		return rc;
	return mmc_parse_track_info(buf, mmc_cmd_received(&c), out, err);
}

int bs_format_caps(struct mmc_transport *t, struct mmc_format_caps *out,
		   discfs_error *err)
{
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;
	int rc;

	mmc_cdb_read_format_capacities(&c, NULL, 0);
	rc = mmc_fetch(t, &c, 4096, &buf, &len, err);
	if (rc < 0)
		return rc;
	rc = mmc_parse_format_caps(buf, len, out, err);
	free(buf);
	return rc;
}

bool bs_feature_current(struct mmc_transport *t, uint16_t code)
{
	uint8_t buf[64];
	struct mmc_config cfg;
	const struct mmc_feature_desc *f;
	struct mmc_cmd c;
	discfs_error e;

	mmc_cdb_get_configuration(&c, MMC_GC_ONE, code, buf, sizeof(buf));
	if (mmc_run(t, &c, &e) < 0)
		return false;
	if (mmc_parse_config(buf, mmc_cmd_received(&c), &cfg, &e) < 0)
		return false;
	f = mmc_config_feature(&cfg, code);
	return f && f->current;
}

int bs_write_params(struct mmc_transport *t, const struct mmc_page_05 *p,
		    discfs_error *err)
{
	uint8_t buf[MMC_MODE_SELECT_05_LEN];
	struct mmc_cmd c;

	mmc_build_page_05(p, buf);
	mmc_cdb_mode_select10(&c, buf, sizeof(buf));
	return mmc_run(t, &c, err);
}

int bs_set_multisession(struct mmc_transport *t, uint8_t ms, discfs_error *err)
{
	struct mmc_page_05 p05;
	struct mmc_page_ref ref;
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;
	int rc;

	mmc_cdb_mode_sense10(&c, MMC_PAGE_WRITE_PARAMS, MMC_PC_CURRENT, NULL, 0);
	rc = mmc_fetch(t, &c, 4096, &buf, &len, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "reading the write parameters");
	rc = mmc_parse_mode_sense10(buf, len, MMC_PAGE_WRITE_PARAMS, &ref, err);
	if (rc == 0)
		rc = mmc_parse_page_05(ref.data, ref.size, &p05, err);
	free(buf);
	if (rc < 0)
		return dfs_wrap(err, rc, "reading the write parameters");
	p05.multisession = ms;
	p05.test_write = false;
	rc = bs_write_params(t, &p05, err);
	return rc < 0 ? dfs_wrap(err, rc, "setting the write parameters") : 0;
}

int bs_reserve_track(struct mmc_transport *t, uint32_t blocks,
		     discfs_error *err)
{
	struct mmc_cmd c;
	mmc_cdb_reserve_track(&c, blocks);
	return mmc_run(t, &c, err);
}

void bs_set_speed(struct mmc_transport *t, uint16_t profile, uint32_t kbps,
		  uint32_t end_lba)
{
	uint8_t desc[MMC_STREAMING_DESC_LEN]; /* lives until mmc_run */
	struct mmc_cmd c;
	discfs_error e;

	if (profile == MMC_PROF_CD_R || profile == MMC_PROF_CD_RW) {
		uint16_t w = kbps && kbps < MMC_SPEED_MAX ? (uint16_t)kbps
							  : MMC_SPEED_MAX;
		mmc_cdb_set_cd_speed(&c, MMC_SPEED_MAX, w, 0);
	} else {
		uint32_t w = kbps ? kbps : 0xFFFFFFFFu;
		mmc_streaming_desc(desc, 0, 0, end_lba, w, w);
		mmc_cdb_set_streaming(&c, desc);
	}
	(void)mmc_run(t, &c, &e);
}

int bs_send_cue(struct mmc_transport *t, const uint8_t *cue, uint32_t len,
		discfs_error *err)
{
	struct mmc_cmd c;
	mmc_cdb_send_cue_sheet(&c, cue, len);
	return mmc_run(t, &c, err);
}

static int wait_done(struct mmc_transport *t, struct burn_ctx *ctx,
		     discfs_error *err)
{
	struct mmc_wait w = { 0 };
	w.poll_ms = WAIT_POLL_MS;
	w.timeout_ms = 3 * 3600 * 1000u;
	w.progress = ctx ? bc_wait_progress : NULL;
	w.ctx = ctx;
	return mmc_wait_ready(t, &w, err);
}

/* Runs an Immed long command then waits for the drive to be ready. */
static int run_long(struct mmc_transport *t, struct mmc_cmd *c,
		    struct burn_ctx *ctx, discfs_error *err)
{
	int rc = mmc_run(t, c, err);
	if (rc < 0)
		return rc;
	return wait_done(t, ctx, err);
}

int bs_start_flush(struct mmc_transport *t, discfs_error *err)
{
	struct mmc_cmd c;
	mmc_cdb_synchronize_cache(&c, true);
	return mmc_run(t, &c, err);
}

int bs_start_close(struct mmc_transport *t, uint8_t fn, uint16_t track,
		   discfs_error *err)
{
	struct mmc_cmd c;
	mmc_cdb_close_track_session(&c, fn, track, true);
	return mmc_run(t, &c, err);
}

int bs_wait_ready(struct mmc_transport *t, struct burn_ctx *ctx,
		  discfs_error *err)
{
	return wait_done(t, ctx, err);
}

int bs_flush(struct mmc_transport *t, struct burn_ctx *ctx, discfs_error *err)
{
	struct mmc_cmd c;
	mmc_cdb_synchronize_cache(&c, true);
	return run_long(t, &c, ctx, err);
}

int bs_close(struct mmc_transport *t, uint8_t fn, uint16_t track,
	     struct burn_ctx *ctx, discfs_error *err)
{
	struct mmc_cmd c;
	mmc_cdb_close_track_session(&c, fn, track, true);
	return run_long(t, &c, ctx, err);
}

int bs_format(struct mmc_transport *t, uint8_t params[12],
	      struct burn_ctx *ctx, discfs_error *err)
{
	struct mmc_cmd c;
	params[1] |= MMC_FMT_IMMED;
	mmc_cdb_format_unit(&c, params, MMC_FORMAT_PARAMS_LEN);
	return run_long(t, &c, ctx, err);
}

int bs_blank(struct mmc_transport *t, uint8_t type, struct burn_ctx *ctx,
	     discfs_error *err)
{
	struct mmc_cmd c;
	mmc_cdb_blank(&c, type, true, 0);
	return run_long(t, &c, ctx, err);
}

int bs_read(struct mmc_transport *t, uint32_t lba, uint16_t blocks,
	    void *buf, discfs_error *err)
{
	struct mmc_cmd c;
	int rc = mmc_cdb_read10(&c, lba, blocks, DISCFS_BLOCK_SIZE, buf, err);
	if (rc < 0)
		return rc;
	return mmc_run(t, &c, err);
}

static bool medium_problem(int rc)
{
	return rc == -DISCFS_EMEDIUM || rc == -DISCFS_EILLEGAL ||
	       rc == -DISCFS_ENOSPC || rc == -DISCFS_EHARDWARE;
}

int bs_read_salvage(struct mmc_transport *t, uint32_t lba, uint16_t n,
		    uint8_t *buf, bool *bad, discfs_error *err)
{
	int rc = bs_read(t, lba, n, buf, err);
	int lost = 0;

	memset(bad, 0, n * sizeof(*bad));
	if (rc == 0)
		return 0;
	if (!medium_problem(rc))
		return rc;
	for (uint16_t i = 0; i < n; i++) {
		uint8_t *b = buf + (size_t)i * DISCFS_BLOCK_SIZE;
		rc = bs_read(t, lba + i, 1, b, err);
		if (rc == 0)
			continue;
		if (!medium_problem(rc))
			return rc;
		memset(b, 0, DISCFS_BLOCK_SIZE);
		bad[i] = true;
		lost++;
	}
	return lost;
}
