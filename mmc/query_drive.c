/* mmc/query_drive.c - mmc_query_drive() (see drive_query.h): identity,
 * profiles and features, write speeds, buffer, tray abilities. */
#include <stdlib.h>
#include <string.h>

#include "mmc/cdb.h"
#include "mmc/drive_query.h"
#include "mmc/exec.h"
#include "mmc/mmc_defs.h"
#include "mmc/parse.h"
#include "util/err.h"

#define CONFIG_MAX 65535u
#define PERF_MAX (8u + 16u * 256u)

static int query_identity(struct mmc_transport *t, discfs_drive_info *o,
			  discfs_error *err)
{
	struct mmc_cmd c;
	struct mmc_inquiry inq;
	uint8_t *buf;
	size_t len;
	int rc;

	mmc_cdb_inquiry(&c, NULL, 36);
	if ((rc = mmc_fetch(t, &c, 255, &buf, &len, err)))
		return rc;
	rc = mmc_parse_inquiry(buf, len, &inq, err);
	free(buf);
	if (rc)
		return rc;
	if (inq.peripheral_type != 0x05)
		return dfs_fail(err, DISCFS_ENODEV,
				"%s is not an optical drive (SCSI type %u)",
				t->path, inq.peripheral_type);
	memcpy(o->vendor, inq.vendor, sizeof(o->vendor));
	memcpy(o->model, inq.model, sizeof(o->model));
	memcpy(o->revision, inq.revision, sizeof(o->revision));
	return 0;
}

static void lock_caps_from_feature(const struct mmc_config *cfg,
				   discfs_drive_info *o)
{
	const struct mmc_feature_desc *f = mmc_config_feature(cfg,
							 MMC_FEAT_REMOVABLE);

	if (!f || f->add_len < 1)
		return;
	o->can_eject = f->data[0] & 0x08;
	o->can_lock = f->data[0] & 0x01;
}

static int query_config(struct mmc_transport *t, discfs_drive_info *o,
			discfs_error *err)
{
	struct mmc_config *cfg;
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;
	int rc;

	mmc_cdb_get_configuration(&c, MMC_GC_ALL, 0, NULL, 8);
	if ((rc = mmc_fetch(t, &c, CONFIG_MAX, &buf, &len, err)))
		return rc;
	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		free(buf);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	rc = mmc_parse_config(buf, len, cfg, err);
	if (!rc) {
		for (size_t i = 0; i < cfg->n_profiles &&
				   o->n_profiles < DISCFS_MAX_PROFILES; i++)
			o->profiles[o->n_profiles++] = cfg->profiles[i];
		for (size_t i = 0; i < cfg->n_features &&
				   o->n_features < DISCFS_MAX_FEATURES; i++) {
			o->features[o->n_features] = cfg->features[i].code;
			o->feature_current[o->n_features++] =
				cfg->features[i].current;
		}
		lock_caps_from_feature(cfg, o);
	}
	free(cfg);
	free(buf);
	return rc;
}

static void add_speed(discfs_drive_info *o, uint32_t kbps)
{
	size_t i;

	if (!kbps)
		return;
	for (i = 0; i < o->n_write_speeds; i++)
		if (o->write_speeds[i] == kbps)
			return;
	if (o->n_write_speeds == DISCFS_MAX_SPEEDS)
		return;
	/* Insertion keeps the list fastest first. */
	for (i = o->n_write_speeds; i > 0 && o->write_speeds[i - 1] < kbps; i--)
		o->write_speeds[i] = o->write_speeds[i - 1];
	o->write_speeds[i] = kbps;
	o->n_write_speeds++;
}

/* Write speeds from GET PERFORMANCE type 03h; quiet when unsupported. */
static void query_perf_speeds(struct mmc_transport *t, discfs_drive_info *o)
{
	struct mmc_performance *perf = malloc(sizeof(*perf));
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;

	if (!perf)
		return;
	mmc_cdb_get_performance(&c, 0, MMC_PERF_TYPE_WRITE_SPEED, NULL, 8);
	if (!mmc_fetch(t, &c, PERF_MAX, &buf, &len, NULL)) {
		if (!mmc_parse_performance(buf, len, MMC_PERF_TYPE_WRITE_SPEED,
					   perf, NULL))
			for (size_t i = 0; i < perf->n; i++)
				add_speed(o, perf->ws[i].write_kbps);
		free(buf);
	}
	free(perf);
}

/* Mode page 2Ah: speeds (fallback), buffer (fallback), tray abilities. */
static void query_page_2a(struct mmc_transport *t, discfs_drive_info *o)
{
	struct mmc_page_ref mp;
	struct mmc_page_2a p;
	struct mmc_cmd c;
	uint8_t *buf;
	size_t len;

	mmc_cdb_mode_sense10(&c, MMC_PAGE_CAPABILITIES, MMC_PC_CURRENT, NULL, 8);
	if (mmc_fetch(t, &c, 0xFFFF, &buf, &len, NULL))
		return;
	if (!mmc_parse_mode_sense10(buf, len, MMC_PAGE_CAPABILITIES, &mp,
				    NULL) &&
	    !mmc_parse_page_2a(mp.data, mp.size, &p, NULL)) {
		if (!o->n_write_speeds)
			for (size_t i = 0; i < p.n_write_speeds; i++)
				add_speed(o, p.write_speeds[i]);
		if (!o->buffer_bytes)
			o->buffer_bytes = (uint32_t)p.buffer_kib * 1024u;
		o->can_eject = o->can_eject || p.can_eject;
		o->can_lock = o->can_lock || p.can_lock;
		o->locked = p.locked;
	}
	free(buf);
}

static void query_buffer(struct mmc_transport *t, discfs_drive_info *o)
{
	struct mmc_buffer_cap bc;
	struct mmc_cmd c;
	uint8_t buf[12];

	memset(buf, 0, sizeof(buf));
	mmc_cdb_read_buffer_capacity(&c, false, buf, sizeof(buf));
	if (mmc_run(t, &c, NULL))
		return;
	if (!mmc_parse_buffer_cap(buf, mmc_cmd_received(&c), false, &bc, NULL))
		o->buffer_bytes = bc.size;
}

int mmc_query_drive(struct mmc_transport *t, discfs_drive_info *out,
		    discfs_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	/* A pending power-on attention would fail the first query. */
	mmc_clear_unit_attention(t, NULL);
	if ((rc = query_identity(t, out, err)))
		return rc;
	if ((rc = query_config(t, out, err)))
		return rc;
	query_perf_speeds(t, out);
	query_buffer(t, out);
	query_page_2a(t, out);
	return 0;
}
