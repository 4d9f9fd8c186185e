/*
 * lib/burn.c - discfs_burn_*: validate, set up, stream, close, verify.
 *
 * Per drive: read the medium, make a plan (lib/burn_plan.h), format if
 * needed, send write parameters / reservation / speed, then all drives
 * stream together through one io_uring engine (uring/engine.h), then each
 * is flushed and closed.  After a failure or a cancel the drive is still
 * flushed and, on sequential media, its track and session are closed so
 * the disc stays readable and appendable; res->state says what happened.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/burn_ctx.h"
#include "lib/burn_finish.h"
#include "lib/burn_internal.h"
#include "lib/burn_plan.h"
#include "lib/burn_steps.h"
#include "lib/drive_internal.h"
#include "mmc/mmc_defs.h"
#include "mmc/sg_linux.h"
#include "util/err.h"
#include "uring/engine.h"

#define DEFAULT_DEPTH 8u

struct job {
	discfs_drive *drive;
	struct mmc_transport *t;
	struct dfs_source *src;
	struct burn_plan plan;
	struct burn_ctx ctx;
	discfs_burn_result *res;
	struct dfs_lane_cfg lane;
	struct dfs_lane_status st;
	int sg_fd;
	int rc;
	bool streamed;         /* WRITEs were sent: finish_jobs() must run */
	uint64_t write_t0;     /* when writing started */
	discfs_error err;
	const char *image;     /* for verify; NULL when not a file */
};

static const discfs_burn_opts default_opts;

/* The sg sibling of a /dev/srN drive, opened for the asynchronous sg v3
 * path; -1 when there is none (emulated drive, /dev/sgN held exclusively by
 * the drive itself, sg driver absent) or DISCFS_SG_ASYNC=0. */
static int open_sg_async(discfs_drive *d)
{
	const char *path = discfs_drive_path(d);
	const char *env = getenv("DISCFS_SG_ASYNC");
	char sg[32], dev[64];
	discfs_error e;

	if (d->emulated || (env && !strcmp(env, "0")))
		return -1;
	/* a /dev/sgN drive: a second descriptor works unless it is held
	 * exclusively (then the burn goes through the drive's own SG_IO) */
	if (!strncmp(path, "/dev/sg", 7))
		return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (strncmp(path, "/dev/sr", 7))
		return -1;
	if (mmc_sg_sr_to_sg(MMC_SYSFS_ROOT, path + 5, sg, sizeof(sg), &e) < 0)
		return -1;
	snprintf(dev, sizeof(dev), "/dev/%s", sg);
	return open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static void set_state(discfs_burn_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_state(discfs_burn_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->state, sizeof(r->state), fmt, ap);
	va_end(ap);
}

static int prepare(struct job *j, const discfs_burn_opts *o,
		   discfs_error *err)
{
	discfs_media_info mi;
	uint64_t bytes = dfs_source_size(j->src);
	bool known = dfs_source_size_known(j->src);
	uint64_t blocks = (bytes + DISCFS_BLOCK_SIZE - 1) / DISCFS_BLOCK_SIZE;
	struct burn_plan *p = &j->plan;
	int rc;

	bc_action(&j->ctx, DISCFS_ACTION_VALIDATING, 0, 0);
	rc = discfs_media_info_get(j->drive, &mi, err);
	if (rc < 0)
		return rc;
	rc = burn_plan_make(j->t, &mi, o, blocks, known, p, err);
	discfs_media_info_free(&mi);
	if (rc < 0)
		return rc;
	j->ctx.p.rated_1x_bytes_per_s = bc_rated_1x(p->profile);
	j->res->rated_1x_bytes_per_s = j->ctx.p.rated_1x_bytes_per_s;
	j->res->start_lba = p->start_lba + p->lead_blocks; /* the data's LBA */
	if (p->format_first) {
		bc_action(&j->ctx, DISCFS_ACTION_FORMATTING, 0, 0);
		rc = bs_format(j->t, p->format_params, &j->ctx, err);
		if (rc < 0)
			return dfs_wrap(err, rc, "formatting");
	}
	bc_action(&j->ctx, DISCFS_ACTION_CALIBRATING, p->start_lba, 0);
	bs_set_speed(j->t, p->profile, o->speed_kbps,
		     (uint32_t)(p->start_lba + p->free_blocks - 1));
	if (p->use_page05) {
		rc = bs_write_params(j->t, &p->p05, err);
		if (rc < 0)
			return dfs_wrap(err, rc, "setting write parameters");
	}
	if (p->cue) {
		uint8_t cue[BURN_CUE_LEN];
		burn_cue_sheet(cue, burn_plan_blocks(p, blocks));
		rc = bs_send_cue(j->t, cue, sizeof(cue), err);
		if (rc < 0)
			return dfs_wrap(err, rc, "sending the cue sheet");
	}
	if (p->reserve) {
		rc = bs_reserve_track(j->t, (uint32_t)burn_plan_blocks(p, blocks),
				      err);
		if (rc < 0)
			return dfs_wrap(err, rc, "reserving the track");
	}
	return 0;
}

static void setup_lane(struct job *j, const discfs_burn_opts *o)
{
	struct dfs_lane_cfg *l = &j->lane;
	const struct burn_plan *p = &j->plan;
	uint64_t blocks = (dfs_source_size(j->src) + DISCFS_BLOCK_SIZE - 1) /
			  DISCFS_BLOCK_SIZE;

	memset(l, 0, sizeof(*l));
	j->sg_fd = open_sg_async(j->drive);
	l->transport = j->t;
	l->sg_fd = j->sg_fd;
	l->src = j->src;
	l->start_lba = p->start_lba;
	l->units = p->units;
	l->lead_zero_blocks = p->lead_blocks;
	l->max_blocks = p->free_blocks + p->lead_blocks;
	l->pad_to_blocks = p->min_blocks;
	if (p->dao) /* the reservation / cue sheet is filled exactly */
		l->pad_to_blocks = p->lead_blocks + burn_plan_blocks(p, blocks);
	l->depth = o->depth ? o->depth : DEFAULT_DEPTH;
	if (l->depth > DFS_ENGINE_MAX_DEPTH)
		l->depth = DFS_ENGINE_MAX_DEPTH;
	l->write12_streaming = p->write12_streaming;
	l->rate_hint = (uint64_t)(bc_rated_1x(p->profile) *
				  (o->speed_kbps ? o->speed_kbps * 1000.0 /
				   bc_rated_1x(p->profile) : 4));
}

struct engine_user {
	struct job *jobs;
	const size_t *map; /* engine lane -> job */
};

static void on_lane_progress(void *user, unsigned lane,
			     const struct dfs_lane_status *st)
{
	struct engine_user *eu = user;
	struct job *j = &eu->jobs[eu->map[lane]];
	uint32_t lead = j->plan.lead_blocks; /* pregap: not data */
	j->ctx.p.total_blocks = st->total_blocks > lead ? st->total_blocks - lead
							: st->total_blocks;
	j->ctx.p.buffer_valid = st->buf_valid;
	j->ctx.p.buffer_size = st->buf_size;
	j->ctx.p.buffer_free = st->buf_free;
	bc_blocks(&j->ctx, st->acked_blocks > lead ? st->acked_blocks - lead : 0);
}

/* Describes the disc after the burn in res->state. */
static void describe(struct job *j)
{
	discfs_burn_result *r = j->res;
	struct mmc_disc_info di;
	discfs_error e;
	static const char *const names[] = { "blank", "appendable",
					     "finalized", "random-access" };

	r->disc_status = -1;
	if (bs_disc_info(j->t, &di, &e) == 0)
		r->disc_status = di.disc_status;
	set_state(r, "%llu blocks written at LBA %u; %s; disc %s",
		  (unsigned long long)r->written_blocks, r->start_lba,
		  !r->flushed ? "drive cache NOT flushed"
		  : r->closed ? (j->plan.sequential ? "track and session closed"
						    : "flushed")
			      : (j->plan.sequential ? "session NOT closed"
						    : "flushed"),
		  r->disc_status >= 0 && r->disc_status < 4
		  ? names[r->disc_status] : "state unknown");
}

/* Flush and close every drive that was written to, all at once. */
static void finish_jobs(struct job *jobs, size_t n)
{
	struct burn_finish f[DFS_ENGINE_MAX_LANES];
	size_t map[DFS_ENGINE_MAX_LANES], m = 0;

	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].streamed)
			continue;
		memset(&f[m], 0, sizeof(f[m]));
		f[m].t = jobs[i].t;
		f[m].plan = &jobs[i].plan;
		f[m].ctx = &jobs[i].ctx;
		f[m].ok = jobs[i].rc == 0;
		f[m].acked = jobs[i].st.acked_blocks;
		map[m++] = i;
	}
	burn_finish_all(f, m);
	for (size_t k = 0; k < m; k++) {
		struct job *j = &jobs[map[k]];
		discfs_burn_result *r = j->res;
		r->flushed = f[k].flushed;
		r->closed = f[k].closed;
		if (r->flushed && f[k].flushed_ns > j->write_t0) {
			/* speed counts until the data is on the disc */
			r->write_seconds = (double)(f[k].flushed_ns -
						    j->write_t0) / 1e9;
			r->bytes_per_s = (double)r->written_blocks *
					 DISCFS_BLOCK_SIZE / r->write_seconds;
		}
		describe(j);
		if (f[k].rc == 0)
			continue;
		if (j->rc == 0) {
			j->rc = f[k].rc;
			j->err = f[k].err;
		} else {
			/* keep the first error, add what the close said */
			size_t used = strlen(j->err.msg);
			snprintf(j->err.msg + used, sizeof(j->err.msg) - used,
				 " (then %s)", f[k].err.msg);
		}
	}
}

static int job_verify(struct job *j, const discfs_burn_opts *o,
		      discfs_error *err)
{
	discfs_verify_report rep;
	discfs_op_opts vo = { o->progress, o->user, o->cancel };

	if (!o->verify || j->rc < 0)
		return 0;
	if (!j->image)
		return dfs_fail(err, DISCFS_EINVAL,
				"cannot verify a burn from a pipe or producer");
	return burn_verify_on(j->drive, j->image, j->res->start_lba, o->verify,
			      &vo, &j->ctx, &rep, err);
}

static void job_result(struct job *j)
{
	discfs_burn_result *r = j->res;
	double s = bc_elapsed(&j->ctx);
	/* the pregap is not data: count from the data's first LBA */
	r->written_blocks = j->st.acked_blocks > j->plan.lead_blocks
			    ? j->st.acked_blocks - j->plan.lead_blocks : 0;
	r->image_bytes = j->st.source_bytes;
	r->busy_stalls = j->st.busy_stalls;
	r->buffer_empty_seen = j->st.buffer_empty_seen;
	r->write_seconds = s;
	r->bytes_per_s = s > 0 ? (double)r->written_blocks * DISCFS_BLOCK_SIZE / s
			       : 0;
}

/* Streams every prepared job at once; records each outcome in its job. */
static void stream_all(struct job *jobs, size_t n, const discfs_burn_opts *o)
{
	struct dfs_lane_cfg lanes[DFS_ENGINE_MAX_LANES];
	struct dfs_lane_status st[DFS_ENGINE_MAX_LANES];
	size_t map[DFS_ENGINE_MAX_LANES], m = 0;
	struct engine_user eu;
	struct dfs_engine_cfg ec = { 0 };
	discfs_error e;

	for (size_t i = 0; i < n; i++) {
		if (jobs[i].rc < 0)
			continue;
		bc_action(&jobs[i].ctx, DISCFS_ACTION_WRITING,
			  jobs[i].plan.start_lba, 0);
		setup_lane(&jobs[i], o);
		jobs[i].streamed = true;
		jobs[i].write_t0 = bc_now_ns();
		lanes[m] = jobs[i].lane;
		map[m++] = i;
	}
	if (!m)
		return;
	eu.jobs = jobs;
	eu.map = map;
	ec.progress = on_lane_progress;
	ec.user = &eu;
	ec.cancel = o->cancel;
	(void)dfs_engine_run(&ec, lanes, m, st, &e);
	for (size_t k = 0; k < m; k++) {
		struct job *j = &jobs[map[k]];
		j->st = st[k];
		job_result(j);
		if (j->sg_fd >= 0)
			close(j->sg_fd);
		if (st[k].rc < 0) {
			j->rc = st[k].rc;
			j->err = st[k].err;
		}
	}
}

static int run_jobs(struct job *jobs, size_t n, const discfs_burn_opts *o,
		    discfs_error *err)
{
	int first = 0;

	for (size_t i = 0; i < n; i++) {
		bc_init(&jobs[i].ctx, o->progress, o->user, o->cancel);
		jobs[i].ctx.p.drive = (unsigned)i;
		jobs[i].res->disc_status = -1;
		jobs[i].rc = prepare(&jobs[i], o, &jobs[i].err);
		if (jobs[i].rc < 0)
			set_state(jobs[i].res, "nothing written: %s",
				  jobs[i].err.msg);
	}
	stream_all(jobs, n, o);
	finish_jobs(jobs, n);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		if (j->rc == 0)
			j->rc = job_verify(j, o, &j->err);
		if (j->rc == 0)
			bc_action(&j->ctx, DISCFS_ACTION_COMPLETED,
				  j->res->start_lba, j->res->written_blocks);
		if (j->rc < 0 && !first) {
			first = j->rc;
			if (err)
				*err = j->err;
			if (n > 1)
				dfs_wrap(err, first, "%s",
					 discfs_drive_path(j->drive));
		}
	}
	return first;
}

int burn_sources(discfs_drive *const *drives, size_t n,
		 struct dfs_source *const *srcs, const char *const *images,
		 const discfs_burn_opts *o, discfs_burn_result *res,
		 discfs_error *err)
{
	struct job *jobs;
	int rc;

	if (!o)
		o = &default_opts;
	if (!n || n > DFS_ENGINE_MAX_LANES)
		return dfs_fail(err, DISCFS_EINVAL, "burn: %zu drives", n);
	jobs = calloc(n, sizeof(*jobs));
	if (!jobs)
		return dfs_fail(err, DISCFS_ENOMEM, "burn");
	for (size_t i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		jobs[i].drive = drives[i];
		jobs[i].t = discfs_drive_transport(drives[i]);
		jobs[i].src = srcs[i];
		jobs[i].res = &res[i];
		jobs[i].sg_fd = -1;
		jobs[i].image = images ? images[i] : NULL;
	}
	for (size_t i = 0; i < n; i++)
		dfs_tray_hold(drives[i], true);
	rc = run_jobs(jobs, n, o, err);
	for (size_t i = 0; i < n; i++)
		dfs_tray_hold(drives[i], false);
	free(jobs);
	return rc;
}

int discfs_burn_image(discfs_drive *drive, const char *path,
		      const discfs_burn_opts *opts, discfs_burn_result *res,
		      discfs_error *err)
{
	struct dfs_source *src;
	discfs_burn_result local;
	bool is_stdin = path && !strcmp(path, "-");
	int rc;

	if (!drive || !path)
		return dfs_fail(err, DISCFS_EINVAL, "burn: no drive or image");
	rc = is_stdin ? dfs_source_from_fd(0, &src, err)
		      : dfs_source_open_file(path, &src, err);
	if (rc < 0)
		return rc;
	rc = burn_sources(&drive, 1, &src, is_stdin ? NULL : &path, opts,
			  res ? res : &local, err);
	dfs_source_close(src);
	return rc;
}

int discfs_burn_fd(discfs_drive *drive, int fd, const discfs_burn_opts *opts,
		   discfs_burn_result *res, discfs_error *err)
{
	struct dfs_source *src;
	discfs_burn_result local;
	int rc;

	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "burn: no drive");
	rc = dfs_source_from_fd(fd, &src, err);
	if (rc < 0)
		return rc;
	rc = burn_sources(&drive, 1, &src, NULL, opts, res ? res : &local,
			  err);
	dfs_source_close(src);
	return rc;
}

int discfs_burn_producer(discfs_drive *drive, discfs_producer_fn fn,
			 void *user, uint64_t size_hint,
			 const discfs_burn_opts *opts, discfs_burn_result *res,
			 discfs_error *err)
{
	struct dfs_source *src;
	discfs_burn_result local;
	int rc;

	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "burn: no drive");
	rc = dfs_source_from_producer(fn, user, size_hint, &src, err);
	if (rc < 0)
		return rc;
	rc = burn_sources(&drive, 1, &src, NULL, opts, res ? res : &local,
			  err);
	dfs_source_close(src);
	return rc;
}

int discfs_burn_multi(discfs_drive *const *drives, size_t n,
		      const char *const *images, const discfs_burn_opts *opts,
		      discfs_burn_result *res, discfs_error *err)
{
	struct dfs_source *srcs[DFS_ENGINE_MAX_LANES];
	size_t opened = 0;
	int rc = 0;

	if (!drives || !images || !res || !n || n > DFS_ENGINE_MAX_LANES)
		return dfs_fail(err, DISCFS_EINVAL, "burn: bad drive list");
	for (; opened < n; opened++) {
		rc = dfs_source_open_file(images[opened], &srcs[opened], err);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = burn_sources(drives, n, srcs, images, opts, res, err);
	for (size_t i = 0; i < opened; i++)
		dfs_source_close(srcs[i]);
	return rc;
}
