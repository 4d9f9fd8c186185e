/* tools/discemu/daemon.c - see daemon.h */
#include "tools/discemu/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tools/discemu/bridge.h"
#include "tools/discemu/ctl.h"
#include "tools/discemu/lio.h"
#include "tools/discemu/tcmu_ring.h"
#include "util/err.h"

/* Size the backstore announces; sr never uses it (the drive answers READ
 * CAPACITY), but TCMU wants one: the largest disc we emulate fits. */
#define ANNOUNCED_BYTES (128ull << 30)

struct daemon {
	const struct discemu_config *cfg;
	struct emu_drive *drive;
	struct lio_target lio;
	struct tcmu_ring *ring;
	struct bridge bridge;
	char image[PATH_MAX];
	char sock[256], pidf[256];
	int stop_fd, poke_fd, sig_fd, ctl_fd;
	pthread_t ring_thread, poke_thread;
	bool ring_running, poke_running, pid_written;
	bool own_lio; /* the configfs entries of this name are ours to remove */
	volatile bool poke_stop;
};

static void logf_(struct daemon *dm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct daemon *dm, const char *fmt, ...)
{
	va_list ap;
	if (!dm->cfg->log)
		return;
	fprintf(dm->cfg->log, "discemu[%s]: ", dm->cfg->name);
	va_start(ap, fmt);
	vfprintf(dm->cfg->log, fmt, ap);
	va_end(ap);
	fputc('\n', dm->cfg->log);
	fflush(dm->cfg->log);
}

static void *ring_main(void *arg)
{
	struct daemon *dm = arg;
	discfs_error err;
	struct pollfd p[2] = { { .fd = tcmu_ring_fd(dm->ring), .events = POLLIN },
			       { .fd = dm->stop_fd, .events = POLLIN } };
	for (;;) {
		/* serve first: commands may be queued before the first kick */
		if (tcmu_ring_serve(dm->ring, bridge_handle, &dm->bridge, NULL, &err) < 0) {
			logf_(dm, "ring: %s", err.msg);
			break;
		}
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			logf_(dm, "ring: TCMU device went away");
			break;
		}
	}
	return NULL;
}

static void *poke_main(void *arg)
{
	struct daemon *dm = arg;
	uint64_t n;
	while (read(dm->poke_fd, &n, sizeof n) == (ssize_t)sizeof n && !dm->poke_stop)
		if (dm->lio.sr[0])
			lio_poke_media_check(&dm->lio);
	return NULL;
}

/* Called by the drive with its mutex held: only signal the poke thread. */
static void on_media_event(void *arg)
{
	struct daemon *dm = arg;
	uint64_t one = 1;
	if (write(dm->poke_fd, &one, sizeof one) < 0) {
		/* the counter cannot overflow in practice; nothing to do */
	}
}

static int write_pidfile(struct daemon *dm, discfs_error *err)
{
	char buf[32];
	int fd = open(dm->pidf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", dm->pidf);
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	ssize_t w = write(fd, buf, (size_t)n);
	close(fd);
	if (w != n)
		return dfs_fail(err, DISCFS_EIO, "%s: short write", dm->pidf);
	dm->pid_written = true;
	return 0;
}

static int start_threads(struct daemon *dm, discfs_error *err)
{
	if (pthread_create(&dm->ring_thread, NULL, ring_main, dm))
		return dfs_fail(err, DISCFS_ENOMEM, "ring thread");
	dm->ring_running = true;
	if (pthread_create(&dm->poke_thread, NULL, poke_main, dm))
		return dfs_fail(err, DISCFS_ENOMEM, "poke thread");
	dm->poke_running = true;
	return 0;
}

static int setup(struct daemon *dm, discfs_error *err)
{
	const struct discemu_config *cfg = dm->cfg;
	int rc = emu_open(cfg->image, &cfg->opts, &dm->drive, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "%s", cfg->image ? cfg->image : "empty drive");
	dm->bridge.drive = dm->drive;
	dm->bridge.trace = cfg->trace;
	dm->bridge.trace_data = cfg->trace_data;
	emu_set_media_event_cb(dm->drive, on_media_event, dm);
	if ((rc = lio_prepare(err)) < 0)
		return rc;
	lio_init(&dm->lio, cfg->name);
	if (lio_exists(&dm->lio) || ctl_live_pid(cfg->name))
		return dfs_fail(err, DISCFS_EBUSY, "emulated drive '%s' already exists "
				"(another discemu, or a stale one: discemu stop %s)",
				cfg->name, cfg->name);
	dm->own_lio = true;
	if ((rc = lio_backstore_create(&dm->lio, ANNOUNCED_BYTES, err)) < 0)
		return rc;
	if ((rc = tcmu_ring_open(dm->lio.uio, &dm->ring, err)) < 0)
		return rc;
	if ((rc = start_threads(dm, err)) < 0)
		return rc;
	if ((rc = lio_lun_create(&dm->lio, cfg->attach_timeout_ms, err)) < 0)
		return rc;
	ctl_paths(cfg->name, dm->sock, sizeof dm->sock, dm->pidf, sizeof dm->pidf);
	if ((dm->ctl_fd = ctl_listen(dm->sock, err)) < 0)
		return dm->ctl_fd;
	return write_pidfile(dm, err);
}

static void teardown(struct daemon *dm)
{
	uint64_t one = 1;
	if (dm->ctl_fd >= 0) {
		close(dm->ctl_fd);
		unlink(dm->sock);
	}
	if (dm->pid_written)
		unlink(dm->pidf);
	/* the poke thread reads lio.sr, which removing the LUN clears */
	dm->poke_stop = true;
	if (dm->poke_running && write(dm->poke_fd, &one, sizeof one) == (ssize_t)sizeof one)
		pthread_join(dm->poke_thread, NULL);
	/* the ring thread still answers what the kernel sends on removal */
	if (dm->own_lio)
		lio_lun_remove(&dm->lio);
	if (dm->ring_running && write(dm->stop_fd, &one, sizeof one) == (ssize_t)sizeof one)
		pthread_join(dm->ring_thread, NULL);
	tcmu_ring_close(dm->ring);
	if (dm->own_lio)
		lio_backstore_remove(&dm->lio);
	emu_close(dm->drive);
	bridge_free(&dm->bridge);
}

/* ---------------------------------------------------------- control */

static void reply_err(int fd, const discfs_error *e)
{
	dprintf(fd, "error: %s\n", e->msg[0] ? e->msg : discfs_strcode(e->code));
}

static bool handle_request(struct daemon *dm, int fd, const char *line)
{
	discfs_error e = { 0 };
	if (!strncmp(line, "load ", 5)) {
		const char *img = line + 5;
		if (img[0] != '/' || strlen(img) >= sizeof dm->image) {
			dprintf(fd, "error: load needs an absolute path (< %zu bytes)\n", sizeof dm->image);
		} else if (emu_load(dm->drive, img, &e) < 0) {
			reply_err(fd, &e);
		} else {
			memcpy(dm->image, img, strlen(img) + 1);
			logf_(dm, "loaded %s", img);
			dprintf(fd, "ok\n");
		}
	} else if (!strcmp(line, "eject")) {
		/* the disc stays in the open tray (image= still names it): the
		 * kernel's autoclose may close the tray again, as on a real drive */
		if (emu_eject(dm->drive, &e) < 0) {
			reply_err(fd, &e);
		} else {
			logf_(dm, "ejected");
			dprintf(fd, "ok\n");
		}
	} else if (!strcmp(line, "status")) {
		dprintf(fd, "ok name=%s sr=%s sg=%s uio=%s scsi=%s pid=%ld commands=%llu checks=%llu "
			"media_events=%llu image=%s\n", dm->cfg->name, dm->lio.sr, dm->lio.sg,
			dm->lio.uio, dm->lio.addr, (long)getpid(),
			(unsigned long long)__atomic_load_n(&dm->bridge.commands, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&dm->bridge.checks, __ATOMIC_RELAXED),
			(unsigned long long)emu_media_event_count(dm->drive),
			dm->image[0] ? dm->image : "-");
	} else if (!strcmp(line, "stop")) {
		dprintf(fd, "ok\n");
		return true;
	} else {
		dprintf(fd, "error: unknown request (load PATH, eject, status, stop)\n");
	}
	return false;
}

static bool serve_client(struct daemon *dm)
{
	char line[CTL_LINE_MAX];
	int fd = accept4(dm->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return false;
	bool stop = false;
	if (ctl_read_line(fd, line, sizeof line, 2000) == 0)
		stop = handle_request(dm, fd, line);
	close(fd);
	return stop;
}

static void main_loop(struct daemon *dm)
{
	struct pollfd p[2] = { { .fd = dm->sig_fd, .events = POLLIN },
			       { .fd = dm->ctl_fd, .events = POLLIN } };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents) {
			struct signalfd_siginfo si;
			if (read(dm->sig_fd, &si, sizeof si) == (ssize_t)sizeof si)
				logf_(dm, "signal %s, stopping", strsignal((int)si.ssi_signo));
			return;
		}
		if (p[1].revents && serve_client(dm))
			return;
	}
}

int discemu_run(const struct discemu_config *cfg, discfs_error *err)
{
	struct daemon *dm = calloc(1, sizeof *dm);
	if (!dm)
		return dfs_fail(err, DISCFS_ENOMEM, "discemu");
	dm->cfg = cfg;
	dm->ctl_fd = -1;
	if (cfg->image && strlen(cfg->image) < sizeof dm->image)
		memcpy(dm->image, cfg->image, strlen(cfg->image) + 1);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit it */
	sigdelset(&set, SIGPIPE);
	dm->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	dm->stop_fd = eventfd(0, EFD_CLOEXEC);
	dm->poke_fd = eventfd(0, EFD_CLOEXEC);
	int rc = dm->sig_fd < 0 || dm->stop_fd < 0 || dm->poke_fd < 0
		 ? dfs_fail_errno(err, DISCFS_EIO, errno, "eventfd/signalfd")
		 : setup(dm, err);
	if (cfg->ready_fd >= 0) {
		if (rc < 0)
			dprintf(cfg->ready_fd, "error %d: %s\n", -rc,
				err && err->msg[0] ? err->msg : discfs_strcode(rc));
		else
			dprintf(cfg->ready_fd, "ok %s %s\n", dm->lio.sr, dm->lio.sg);
	}
	if (rc == 0) {
		logf_(dm, "attached as %s and %s", dm->lio.sr, dm->lio.sg);
		main_loop(dm);
	}
	teardown(dm);
	if (rc == 0)
		logf_(dm, "detached");
	close(dm->sig_fd);
	close(dm->stop_fd);
	close(dm->poke_fd);
	free(dm);
	return rc;
}
