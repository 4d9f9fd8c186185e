/*
 * mmc/emu/emu_transport.c - struct mmc_transport on an emulated drive.
 * exec() runs the command at once; submit() queues it for a worker thread
 * that executes queued commands in order; each completion is counted on
 * an eventfd (EFD_SEMAPHORE: readable while completions wait) and reap()
 * hands them back in order.  At most EMU_TP_MAX commands in flight.
 * reap() timing out returns -DISCFS_EBUSY with *done = NULL.  destroy()
 * drops commands not yet started, waits for the running one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mmc/emu/emu_int.h"
#include "util/err.h"

#define EMU_TP_MAX 256

struct done_item {
	struct mmc_cmd *cmd;
	int rc;
};

struct emu_tp {
	struct mmc_transport t;
	struct emu_drive *d;
	bool own;
	pthread_mutex_t lock;
	pthread_cond_t work, done_cv;
	pthread_t worker;
	bool started, stop;
	int efd;
	struct mmc_cmd *pending[EMU_TP_MAX];
	unsigned p_head, p_n;
	struct done_item done[EMU_TP_MAX];
	unsigned d_head, d_n;
	unsigned running;
};

static const struct mmc_transport_ops emu_tp_ops;

static struct emu_tp *tp_of(struct mmc_transport *t)
{
	return t->ctx;
}

static int tp_exec(struct mmc_transport *t, struct mmc_cmd *cmd,
		   discfs_error *err)
{
	int rc = emu_exec(tp_of(t)->d, cmd);
	if (rc < 0)
		return dfs_fail(err, DISCFS_ENODEV, "%s: emulated drive vanished",
				t->path);
	return 0;
}

static void *worker_main(void *arg)
{
	struct emu_tp *tp = arg;
	pthread_mutex_lock(&tp->lock);
	for (;;) {
		while (!tp->p_n && !tp->stop)
			pthread_cond_wait(&tp->work, &tp->lock);
		if (tp->stop)
			break;
		struct mmc_cmd *cmd = tp->pending[tp->p_head];
		tp->p_head = (tp->p_head + 1) % EMU_TP_MAX;
		tp->p_n--;
		tp->running++;
		pthread_mutex_unlock(&tp->lock);
		int rc = emu_exec(tp->d, cmd);
		pthread_mutex_lock(&tp->lock);
		tp->running--;
		unsigned slot = (tp->d_head + tp->d_n) % EMU_TP_MAX;
		tp->done[slot] = (struct done_item){ cmd, rc };
		tp->d_n++;
		uint64_t one = 1;
		if (write(tp->efd, &one, sizeof(one)) < 0) {
			/* cannot overflow with at most EMU_TP_MAX counts */
		}
		pthread_cond_broadcast(&tp->done_cv);
	}
	pthread_mutex_unlock(&tp->lock);
	return NULL;
}

static int tp_submit(struct mmc_transport *t, struct mmc_cmd *cmd,
		     discfs_error *err)
{
	struct emu_tp *tp = tp_of(t);
	pthread_mutex_lock(&tp->lock);
	if (tp->p_n + tp->d_n + tp->running >= EMU_TP_MAX) {
		pthread_mutex_unlock(&tp->lock);
		return dfs_fail(err, DISCFS_EBUSY, "%s: %d commands in flight",
				t->path, EMU_TP_MAX);
	}
	if (!tp->started) {
		if (pthread_create(&tp->worker, NULL, worker_main, tp)) {
			pthread_mutex_unlock(&tp->lock);
			return dfs_fail(err, DISCFS_ENOMEM, "%s: no worker thread",
					t->path);
		}
		tp->started = true;
	}
	tp->pending[(tp->p_head + tp->p_n) % EMU_TP_MAX] = cmd;
	tp->p_n++;
	pthread_cond_signal(&tp->work);
	pthread_mutex_unlock(&tp->lock);
	return 0;
}

static int tp_reap(struct mmc_transport *t, struct mmc_cmd **out,
		   int timeout_ms, discfs_error *err)
{
	struct emu_tp *tp = tp_of(t);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	if (timeout_ms > 0) {
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
	}
	*out = NULL;
	pthread_mutex_lock(&tp->lock);
	while (!tp->d_n) {
		if (timeout_ms == 0 || (!tp->p_n && !tp->running))
			break;
		if (timeout_ms < 0)
			pthread_cond_wait(&tp->done_cv, &tp->lock);
		else if (pthread_cond_timedwait(&tp->done_cv, &tp->lock,
						&until) == ETIMEDOUT)
			break;
	}
	if (!tp->d_n) {
		pthread_mutex_unlock(&tp->lock);
		return dfs_fail(err, DISCFS_EBUSY, "%s: no completed command",
				t->path);
	}
	struct done_item it = tp->done[tp->d_head];
	tp->d_head = (tp->d_head + 1) % EMU_TP_MAX;
	tp->d_n--;
	uint64_t v;
	if (read(tp->efd, &v, sizeof(v)) < 0) {
		/* the caller may have consumed the count itself */
	}
	pthread_mutex_unlock(&tp->lock);
	*out = it.cmd;
	if (it.rc < 0)
		return dfs_fail(err, DISCFS_ENODEV, "%s: emulated drive vanished",
				t->path);
	return 0;
}

static int tp_event_fd(struct mmc_transport *t)
{
	return tp_of(t)->efd;
}

static void tp_destroy(struct mmc_transport *t)
{
	struct emu_tp *tp = tp_of(t);
	pthread_mutex_lock(&tp->lock);
	tp->stop = true;
	pthread_cond_broadcast(&tp->work);
	pthread_mutex_unlock(&tp->lock);
	if (tp->started)
		pthread_join(tp->worker, NULL);
	close(tp->efd);
	pthread_cond_destroy(&tp->work);
	pthread_cond_destroy(&tp->done_cv);
	pthread_mutex_destroy(&tp->lock);
	if (tp->own)
		emu_close(tp->d);
	free(tp);
}

static const struct mmc_transport_ops emu_tp_ops = {
	.name = "emu",
	.exec = tp_exec,
	.submit = tp_submit,
	.reap = tp_reap,
	.event_fd = tp_event_fd,
	.destroy = tp_destroy,
};

int emu_transport_new(struct emu_drive *d, bool own_drive,
		      struct mmc_transport **out, discfs_error *err)
{
	struct emu_tp *tp = calloc(1, sizeof(*tp));
	if (!tp)
		return dfs_fail(err, DISCFS_ENOMEM, "emu transport: no memory");
	tp->efd = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	if (tp->efd < 0) {
		int e = errno;
		free(tp);
		return dfs_fail_errno(err, DISCFS_EIO, e, "eventfd");
	}
	pthread_mutex_init(&tp->lock, NULL);
	pthread_cond_init(&tp->work, NULL);
	pthread_cond_init(&tp->done_cv, NULL);
	tp->d = d;
	tp->own = own_drive;
	tp->t.ops = &emu_tp_ops;
	tp->t.ctx = tp;
	pthread_mutex_lock(&d->lock);
	const char *img = d->has_disc ? d->disc.image : "(empty)";
	size_t keep = sizeof(tp->t.path) - 5;
	size_t len = strlen(img);
	memcpy(tp->t.path, "emu:", 4);
	if (len > keep) /* keep the tail: it names the file */
		img += len - keep;
	strcpy(tp->t.path + 4, img);
	pthread_mutex_unlock(&d->lock);
	*out = &tp->t;
	return 0;
}

int emu_transport_open(const char *image, const struct emu_options *opts,
		       struct mmc_transport **out, discfs_error *err)
{
	struct emu_drive *d;
	int rc = emu_open(image, opts, &d, err);
	if (rc)
		return rc;
	rc = emu_transport_new(d, true, out, err);
	if (rc)
		emu_close(d);
	return rc;
}

struct emu_drive *emu_transport_drive(struct mmc_transport *t)
{
	if (!t || t->ops != &emu_tp_ops)
		return NULL;
	return tp_of(t)->d;
}
