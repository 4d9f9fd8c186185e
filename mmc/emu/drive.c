/*
 * mmc/emu/drive.c - the drive object: open/close, tray and medium,
 * unit attentions and media events, statistics.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmc/emu/emu_int.h"
#include "util/err.h"

void emu_options_default(struct emu_options *o)
{
	*o = (struct emu_options){ .time_scale = -1, .buffer_bytes = 4u << 20,
				   .underrun_protection = true };
}

void emu_raise_event(struct emu_drive *d, uint8_t code)
{
	if (d->n_events == EMU_MAX_EVENTS) { /* keep the newest */
		memmove(d->events, d->events + 1,
			sizeof(d->events[0]) * (EMU_MAX_EVENTS - 1));
		d->n_events--;
	}
	d->events[d->n_events++].code = code;
	d->event_count++;
	if (d->event_cb)
		d->event_cb(d->event_arg);
}

void emu_raise_ua(struct emu_drive *d, uint16_t ascq)
{
	for (unsigned i = 0; i < d->n_ua; i++)
		if (d->ua[i] == ascq)
			return;
	if (d->n_ua < 2)
		d->ua[d->n_ua++] = ascq;
	else
		d->ua[1] = ascq;
}

int emu_save(struct emu_drive *d)
{
	if (!d->has_disc)
		return 0;
	d->disc.tray_open = d->tray_open;
	return emu_state_save(&d->disc, NULL);
}

void emu_page05_default(struct emu_drive *d)
{
	uint8_t *p = d->page05;
	memset(p, 0, sizeof(d->page05));
	p[0] = MMC_PAGE_WRITE_PARAMS;
	p[1] = 0x32;
	bool cd = d->has_disc && d->disc.media->family == EMU_CD;
	p[2] = (uint8_t)((d->underrun_protection ? 0x40 : 0) |
			 (cd ? MMC_WT_TAO : MMC_WT_PACKET));
	p[3] = cd ? 0x04 : 0x05; /* MS 00, track mode 4 / 5 */
	p[4] = 8;                /* Mode 1, 2048 */
	p[5] = cd ? 0 : 16;      /* link size */
	p[14] = 0;
	p[15] = 150;             /* audio pause */
}

/* Puts disc (already loaded from its files) into the drive. */
static void insert(struct emu_drive *d)
{
	d->has_disc = true;
	d->tray_open = d->disc.tray_open;
	d->speed_x = d->disc.media->speeds[0] ? d->disc.media->speeds[0] : 1;
	d->sao_active = d->sim_active = false;
	d->buf_fill = 0;
	d->streaming = false;
	d->op.active = false;
	d->l0_capacity = 0;
	emu_page05_default(d);
}

static void apply_scale(struct emu_drive *d)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	d->emu_base_ns = 0;
	d->real_base_ns = (uint64_t)ts.tv_sec * 1000000000ull +
			  (uint64_t)ts.tv_nsec;
	if (d->opt.time_scale >= 0)
		d->scale = d->opt.time_scale;
	else
		d->scale = d->has_disc ? d->disc.time_scale : 1.0;
}

int emu_open(const char *image, const struct emu_options *opts,
	     struct emu_drive **out, discfs_error *err)
{
	struct emu_drive *d = calloc(1, sizeof(*d));
	if (!d)
		return dfs_fail(err, DISCFS_ENOMEM, "emulated drive: no memory");
	if (opts)
		d->opt = *opts;
	else
		emu_options_default(&d->opt);
	if (!d->opt.buffer_bytes)
		d->opt.buffer_bytes = 4u << 20;
	d->underrun_protection = d->opt.underrun_protection;
	d->disc.fd = -1;
	if (image) {
		int rc = emu_state_load(image, &d->disc, err);
		if (rc) {
			free(d);
			return rc;
		}
		insert(d);
	} else {
		emu_page05_default(d);
	}
	pthread_mutex_init(&d->lock, NULL);
	apply_scale(d);
	emu_raise_ua(d, ASC_POWER_ON_RESET);
	*out = d;
	return 0;
}

void emu_close(struct emu_drive *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	if (d->has_disc && !d->vanished)
		emu_save(d);
	if (d->has_disc)
		emu_disc_free(&d->disc);
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

int emu_flush_state(struct emu_drive *d, discfs_error *err)
{
	int rc = 0;
	pthread_mutex_lock(&d->lock);
	if (d->has_disc) {
		d->disc.tray_open = d->tray_open;
		rc = emu_state_save(&d->disc, err);
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

int emu_load(struct emu_drive *d, const char *image, discfs_error *err)
{
	struct emu_disc next = { .fd = -1 };
	if (image) {
		int rc = emu_state_load(image, &next, err);
		if (rc)
			return rc;
	}
	pthread_mutex_lock(&d->lock);
	if (d->has_disc) {
		emu_save(d);
		emu_disc_free(&d->disc);
		d->has_disc = false;
	}
	if (image) {
		d->disc = next;
		d->disc.tray_open = false;
		insert(d);
		emu_raise_ua(d, ASC_MEDIUM_CHANGED);
		emu_raise_event(d, 2); /* NewMedia */
	}
	d->tray_open = false;
	d->locked = false;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int emu_eject(struct emu_drive *d, discfs_error *err)
{
	pthread_mutex_lock(&d->lock);
	if (d->locked) {
		pthread_mutex_unlock(&d->lock);
		return dfs_fail(err, DISCFS_EBUSY, "medium removal prevented");
	}
	d->tray_open = true;
	emu_save(d);
	emu_raise_event(d, 3); /* MediaRemoval */
	pthread_mutex_unlock(&d->lock);
	return 0;
}

uint64_t emu_media_event_count(struct emu_drive *d)
{
	pthread_mutex_lock(&d->lock);
	uint64_t n = d->event_count;
	pthread_mutex_unlock(&d->lock);
	return n;
}

void emu_set_media_event_cb(struct emu_drive *d, void (*cb)(void *arg),
			    void *arg)
{
	pthread_mutex_lock(&d->lock);
	d->event_cb = cb;
	d->event_arg = arg;
	pthread_mutex_unlock(&d->lock);
}

void emu_get_stats(struct emu_drive *d, struct emu_stats *st)
{
	pthread_mutex_lock(&d->lock);
	*st = d->stats;
	st->buffer_bytes = d->opt.buffer_bytes;
	st->buffer_used = emu_buffer_used(d);
	st->write_speed_kbps = emu_speed_kbps(d);
	pthread_mutex_unlock(&d->lock);
}
