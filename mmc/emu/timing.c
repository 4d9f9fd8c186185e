/*
 * mmc/emu/timing.c - emulated time, the write speed, the drive buffer and
 * long (Immed) operations.
 *
 * Emulated time = real monotonic time x scale (or a manual clock).  The
 * buffer fills with each WRITE and drains at the write speed; if it runs
 * dry while a write job is streaming, that is an underrun: absorbed as a
 * "link" with underrun protection, else the WRITE fails with 3/0C/09.
 * A full buffer either delays the WRITE (mutex released while waiting) or
 * answers 2/04/08, as real drives do.
 */
#include <errno.h>
#include <time.h>

#include "mmc/emu/emu_int.h"
#include "util/err.h"

#define NS 1000000000ull

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

uint64_t emu_now(struct emu_drive *d)
{
	if (d->opt.manual_clock)
		return d->manual_ns;
	return d->emu_base_ns +
	       (uint64_t)((double)(mono_ns() - d->real_base_ns) * d->scale);
}

void emu_wait(struct emu_drive *d, uint64_t ns)
{
	if (!ns || d->scale <= 0)
		return;
	if (d->opt.manual_clock) {
		d->manual_ns += ns;
		return;
	}
	double real = (double)ns / d->scale;
	struct timespec ts = { .tv_sec = (time_t)(real / NS),
			       .tv_nsec = (long)((uint64_t)real % NS) };
	pthread_mutex_unlock(&d->lock);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&d->lock);
}

int emu_set_time_scale(struct emu_drive *d, double scale, discfs_error *err)
{
	if (!(scale >= 0 && scale <= 1e6))
		return dfs_fail(err, DISCFS_EINVAL, "time scale %g out of range",
				scale);
	pthread_mutex_lock(&d->lock);
	d->emu_base_ns = emu_now(d);
	d->real_base_ns = mono_ns();
	d->scale = scale;
	if (d->has_disc)
		d->disc.time_scale = scale;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void emu_clock_advance(struct emu_drive *d, uint64_t ms)
{
	pthread_mutex_lock(&d->lock);
	if (d->opt.manual_clock)
		d->manual_ns += ms * 1000000ull;
	pthread_mutex_unlock(&d->lock);
}

uint64_t emu_clock_ms(struct emu_drive *d)
{
	pthread_mutex_lock(&d->lock);
	uint64_t ms = emu_now(d) / 1000000ull;
	pthread_mutex_unlock(&d->lock);
	return ms;
}

uint64_t emu_write_rate(const struct emu_drive *d)
{
	if (d->scale <= 0 || !d->has_disc)
		return 0;
	unsigned x = d->speed_x ? d->speed_x : 1;
	return x * emu_family_rate(d->disc.media->family);
}

uint64_t emu_duration(const struct emu_drive *d, uint64_t bytes)
{
	uint64_t rate = emu_write_rate(d);
	if (!rate)
		return 0;
	return (uint64_t)((double)bytes * NS / (double)rate) + (bytes ? 1 : 0);
}

/* ------------------------------------------------------ long operations */

void emu_start_op(struct emu_drive *d, uint16_t asc, uint64_t ns, bool bg,
		  uint8_t event)
{
	if (!ns || d->scale <= 0) {
		d->op.active = false;
		if (bg && d->has_disc)
			d->disc.bg_format = 3;
		if (event)
			emu_raise_event(d, event);
		return;
	}
	uint64_t now = emu_now(d);
	d->op = (struct emu_longop){ .active = true, .background = bg,
				     .asc = asc, .event = event,
				     .start_ns = now, .end_ns = now + ns };
}

void emu_long_op(struct emu_drive *d, uint16_t asc, uint64_t ns, bool immed,
		 uint8_t event)
{
	if (immed) {
		emu_start_op(d, asc, ns, false, event);
		return;
	}
	emu_wait(d, ns);
	if (event)
		emu_raise_event(d, event);
}

void emu_op_update(struct emu_drive *d)
{
	if (!d->op.active || emu_now(d) < d->op.end_ns)
		return;
	d->op.active = false;
	if (d->op.background && d->has_disc && d->disc.bg_format == 2)
		d->disc.bg_format = 3;
	if (!d->op.background && d->opt.pioneer_quirk)
		d->pioneer_pending = true;
	if (d->op.event)
		emu_raise_event(d, d->op.event);
}

uint16_t emu_op_progress(struct emu_drive *d)
{
	uint64_t now = emu_now(d), span = d->op.end_ns - d->op.start_ns;
	if (!span || now <= d->op.start_ns)
		return 0;
	uint64_t p = (now - d->op.start_ns) * 65536 / span;
	return p > 65535 ? 65535 : (uint16_t)p;
}

/* ------------------------------------------------------------- buffer */

void emu_buffer_drain(struct emu_drive *d)
{
	uint64_t rate = emu_write_rate(d), now = emu_now(d);
	if (!rate) {
		d->buf_fill = 0;
		d->buf_t_ns = now;
		return;
	}
	if (now > d->buf_t_ns && d->buf_fill > 0) {
		double drained = (double)rate * (double)(now - d->buf_t_ns) / NS;
		if (drained >= d->buf_fill) {
			d->buf_empty_ns = d->buf_t_ns +
				(uint64_t)(d->buf_fill * NS / (double)rate);
			d->buf_fill = 0;
		} else {
			d->buf_fill -= drained;
		}
	}
	if (now > d->buf_t_ns)
		d->buf_t_ns = now;
}

int emu_buffer_accept(struct emu_drive *d, struct mmc_cmd *cmd,
		      uint64_t bytes, bool *underrun_failed)
{
	*underrun_failed = false;
	if (!emu_write_rate(d))
		return 0;
	emu_buffer_drain(d);
	if (d->streaming && d->buf_fill <= 0 && d->buf_t_ns > d->buf_empty_ns) {
		if (d->underrun_protection) {
			d->stats.links++;
		} else {
			d->stats.underruns++;
			d->streaming = false;
			emu_sense(cmd, SK_MEDIUM_ERROR, ASC_LOSS_OF_STREAMING);
			*underrun_failed = true;
			return 1;
		}
	}
	double size = d->opt.buffer_bytes;
	while (d->buf_fill > 0 && d->buf_fill + (double)bytes > size) {
		if (d->opt.busy_when_full) {
			d->stats.busy_replies++;
			emu_sense(cmd, SK_NOT_READY, ASC_LONG_WRITE_IN_PROGRESS);
			return 1;
		}
		double over = d->buf_fill + (double)bytes - size;
		if (over > d->buf_fill)
			over = d->buf_fill;
		/* round up: a fraction of a byte must still take time */
		emu_wait(d, emu_duration(d, (uint64_t)over + 1));
		emu_buffer_drain(d);
	}
	d->buf_fill += (double)bytes;
	d->streaming = true;
	return 0;
}

void emu_buffer_flush(struct emu_drive *d, bool immed)
{
	emu_buffer_drain(d);
	uint64_t ns = emu_duration(d, (uint64_t)d->buf_fill);
	if (immed)
		emu_start_op(d, ASC_LONG_WRITE_IN_PROGRESS, ns, false, 0);
	else
		emu_wait(d, ns);
	emu_buffer_drain(d);
	d->buf_fill = 0;
	d->streaming = false;
}

uint32_t emu_buffer_used(struct emu_drive *d)
{
	emu_buffer_drain(d);
	return (uint32_t)d->buf_fill;
}

/* -------------------------------------------------------------- speed */

void emu_set_speed_kbps(struct emu_drive *d, uint32_t kbps)
{
	if (!d->has_disc || !d->disc.media->speeds[0]) {
		d->speed_x = 1;
		return;
	}
	const struct emu_media *m = d->disc.media;
	unsigned pick = 0;
	for (unsigned i = 0; i < sizeof(m->speeds) && m->speeds[i]; i++) {
		pick = m->speeds[i]; /* ends on the slowest */
		if (emu_family_kbps(m->family, m->speeds[i]) <= kbps)
			break;
	}
	d->speed_x = pick;
}

uint32_t emu_speed_kbps(const struct emu_drive *d)
{
	if (!d->has_disc)
		return 0;
	return emu_family_kbps(d->disc.media->family, d->speed_x ? d->speed_x : 1);
}
