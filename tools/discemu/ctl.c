/* tools/discemu/ctl.c - see ctl.h */
#include "tools/discemu/ctl.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/err.h"

const char *ctl_run_dir(void)
{
	const char *d = getenv("DISCEMU_RUN_DIR");
	return d && *d ? d : "/run/discemu";
}

void ctl_paths(const char *name, char *sock, size_t sn, char *pid, size_t pn)
{
	if (sock)
		snprintf(sock, sn, "%s/%s.sock", ctl_run_dir(), name);
	if (pid)
		snprintf(pid, pn, "%s/%s.pid", ctl_run_dir(), name);
}

static int sock_addr(const char *path, struct sockaddr_un *a, discfs_error *err)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof a->sun_path)
		return dfs_fail(err, DISCFS_EINVAL, "socket path too long: %s", path);
	memcpy(a->sun_path, path, strlen(path) + 1);
	return 0;
}

int ctl_listen(const char *sock_path, discfs_error *err)
{
	struct sockaddr_un a;
	if (sock_addr(sock_path, &a, err) < 0)
		return -DISCFS_EINVAL;
	if (mkdir(ctl_run_dir(), 0755) < 0 && errno != EEXIST)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", ctl_run_dir());
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "socket");
	unlink(sock_path); /* a stale one: the caller made sure no daemon owns it */
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0) {
		int e = errno;
		close(fd);
		return dfs_fail_errno(err, DISCFS_EIO, e, "%s", sock_path);
	}
	return fd;
}

int ctl_read_line(int fd, char *buf, size_t n, int timeout_ms)
{
	size_t got = 0;
	while (got + 1 < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		ssize_t r = read(fd, buf + got, 1);
		if (r <= 0)
			return -1;
		if (buf[got] == '\n')
			break;
		got++;
	}
	buf[got] = 0;
	return 0;
}

int ctl_request(const char *name, const char *line, char *reply, size_t n,
		discfs_error *err)
{
	char path[256];
	struct sockaddr_un a;
	ctl_paths(name, path, sizeof path, NULL, 0);
	if (sock_addr(path, &a, err) < 0)
		return -DISCFS_EINVAL;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;
		close(fd);
		return dfs_fail_errno(err, DISCFS_ENODEV, e, "no discemu named '%s' (%s)", name, path);
	}
	size_t len = strlen(line);
	int rc = 0;
	if (send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len || send(fd, "\n", 1, MSG_NOSIGNAL) != 1)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "sending to discemu '%s'", name);
	else if (ctl_read_line(fd, reply, n, 120000) < 0)
		rc = dfs_fail(err, DISCFS_EIO, "discemu '%s' did not answer", name);
	close(fd);
	return rc;
}

pid_t ctl_live_pid(const char *name)
{
	char path[256];
	long pid = 0;
	ctl_paths(name, NULL, 0, path, sizeof path);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
		return 0;
	return (pid_t)pid;
}
