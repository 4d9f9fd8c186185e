/*
 * lib/mount_api.c - mounting a disc as a folder from a program: the
 * discfs(1) daemon is started (it returns once the mount is there, or
 * with its one-line error), and a mount is then driven through the
 * extended attributes of its root (DISCFS_XATTR_COMMIT, _STATUS).
 *
 * The FUSE daemon is a program of its own, not part of the library, so
 * that a crash or a kill of it never takes the application down, and so
 * that the mount outlives the program that made it, as a mount should.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "discfs.h"
#include "util/err.h"

extern char **environ;

void discfs_mount_opts_init(discfs_mount_opts *o)
{
	memset(o, 0, sizeof(*o));
}

/* The daemon's program: the caller's, $DISCFS_DAEMON, else discfs on PATH. */
static const char *daemon_program(const discfs_mount_opts *o)
{
	const char *env = getenv("DISCFS_DAEMON");

	if (o && o->daemon)
		return o->daemon;
	return env && *env ? env : "discfs";
}

/* The -o list of the daemon's command line from the options. */
static int option_list(const discfs_mount_opts *o, char *buf, size_t size,
		       discfs_error *err)
{
	int n = snprintf(buf, size, "%s%s%s%s%s",
			 o && o->allow_other ? ",allow_other" : "",
			 o && o->close_on_unmount ? ",close_on_unmount" : "",
			 o && o->import_iso ? ",import" : "",
			 o && o->staging ? ",staging=" : "",
			 o && o->staging ? o->staging : "");
	if (n >= 0 && (size_t)n < size && o && o->commit_idle_s)
		n += snprintf(buf + n, size - (size_t)n, ",commit_idle=%u",
			      o->commit_idle_s);
	if (n < 0 || (size_t)n >= size)
		return dfs_fail(err, DISCFS_EINVAL, "mount options too long");
	if (o && o->staging && strchr(o->staging, ','))
		return dfs_fail(err, DISCFS_EINVAL, "a staging directory "
				"named with a comma cannot be passed to discfs");
	return 0;
}

/* The last line the program wrote to fd (its error), without newline. */
static void last_line(int fd, char *line, size_t size)
{
	char buf[1024];
	size_t have = 0;
	ssize_t n;

	line[0] = '\0';
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		have += n > 0 ? (size_t)n : 0;
		if (have == sizeof(buf) - 1) { /* keep the tail */
			memmove(buf, buf + have / 2, have - have / 2);
			have -= have / 2;
		}
	}
	buf[have] = '\0';
	while (have && buf[have - 1] == '\n')
		buf[--have] = '\0';
	char *start = strrchr(buf, '\n');
	start = start ? start + 1 : buf;
	size_t len = strlen(start) < size ? strlen(start) : size - 1;
	memcpy(line, start, len);
	line[len] = '\0';
}

/* Runs argv, waits for it; 0 when it exits 0, else its last line. */
static int run(char *const argv[], discfs_error *err)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = 0, rc;
	char line[256];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc) {
		close(pipefd[0]);
		return dfs_fail_errno(err, rc == ENOENT ? DISCFS_ENOENT : DISCFS_EIO,
				      rc, "cannot run %s", argv[0]);
	}
	/* until the program and (a daemon) its standard streams let go */
	last_line(pipefd[0], line, sizeof(line));
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return dfs_fail(err, DISCFS_EIO, "%s", line[0] ? line
			: "the program failed without a message");
}

int discfs_mount(const char *dev, const char *mountpoint,
		 const discfs_mount_opts *o, discfs_error *err)
{
	char opts[4200];
	char *argv[6];
	int n = 0, rc;

	if (!dev || !mountpoint)
		return dfs_fail(err, DISCFS_EINVAL, "no device or mount point");
	if ((rc = option_list(o, opts, sizeof(opts), err)) < 0)
		return rc;
	argv[n++] = (char *)daemon_program(o);
	argv[n++] = (char *)dev;
	argv[n++] = (char *)mountpoint;
	if (opts[0]) {
		argv[n++] = "-o";
		argv[n++] = opts + 1; /* without the leading comma */
	}
	argv[n] = NULL;
	return run(argv, err);
}

int discfs_mount_commit(const char *mountpoint, discfs_error *err)
{
	char probe[8];
	/* only a discfs mount answers the status attribute: on any other
	 * folder that takes user attributes the commit one would be stored */
	if (getxattr(mountpoint, DISCFS_XATTR_STATUS, probe, 0) < 0)
		return dfs_fail_errno(err, DISCFS_ENOTSUP, errno,
				      "%s: not a discfs mount (%s)", mountpoint,
				      strerror(errno));
	if (setxattr(mountpoint, DISCFS_XATTR_COMMIT, "1", 1, 0) == 0)
		return 0;
	int e = errno;
	return dfs_fail_errno(err, e == ENOSPC ? DISCFS_ENOSPC
			      : e == ENOTSUP || e == ENODATA ? DISCFS_ENOTSUP
			      : DISCFS_EIO, e, "%s: commit: %s%s", mountpoint,
			      strerror(e), e == ENOTSUP || e == ENODATA
			      ? " (not a discfs mount?)" : "; the changes stay staged");
}

int discfs_mount_status(const char *mountpoint, char *buf, size_t size,
			discfs_error *err)
{
	ssize_t n;

	if (!size)
		return dfs_fail(err, DISCFS_EINVAL, "no room for the status");
	n = getxattr(mountpoint, DISCFS_XATTR_STATUS, buf, size - 1);
	if (n < 0)
		return dfs_fail_errno(err, errno == ENOTSUP || errno == ENODATA
				      ? DISCFS_ENOTSUP : DISCFS_EIO, errno,
				      "%s: not a discfs mount (%s)", mountpoint,
				      strerror(errno));
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* The daemon's process id from its status line, 0 if none is given. */
static pid_t daemon_pid(const char *mountpoint)
{
	char line[1024];
	const char *p;

	if (discfs_mount_status(mountpoint, line, sizeof(line), NULL) < 0 ||
	    !(p = strstr(line, "; daemon: pid ")))
		return 0;
	return (pid_t)strtol(p + 14, NULL, 10);
}

/* Waits for process pid to end (it is not our child: polled). */
static int wait_gone(pid_t pid, discfs_error *err)
{
	for (int i = 0; pid > 0 && i < 6000; i++) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 0;
		usleep(10000);
	}
	return pid > 0 ? dfs_fail(err, DISCFS_EBUSY, "the discfs daemon (pid %ld) "
				  "is still running a minute after the unmount",
				  (long)pid)
		       : 0;
}

int discfs_unmount(const char *mountpoint, discfs_error *err)
{
	char *argv[] = { "fusermount3", "-u", (char *)mountpoint, NULL };
	int rc = discfs_mount_commit(mountpoint, err);
	pid_t pid = rc < 0 ? 0 : daemon_pid(mountpoint);

	if (rc < 0)
		return rc; /* still mounted, nothing lost */
	rc = run(argv, err);
	return rc < 0 ? rc : wait_gone(pid, err);
}
