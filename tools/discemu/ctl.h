/*
 * tools/discemu/ctl.h - how `discemu stop|load|eject|status` reach a
 * running discemu: a Unix stream socket RUN_DIR/NAME.sock (RUN_DIR is
 * /run/discemu, or $DISCEMU_RUN_DIR), one request line, one reply line:
 *   load /abs/image    eject    status    stop
 *   -> "ok[ key=value...]"  or  "error: message"
 * RUN_DIR/NAME.pid holds the daemon's pid (for stale detection).
 */
#ifndef DFS_DISCEMU_CTL_H
#define DFS_DISCEMU_CTL_H

#include <stddef.h>
#include <sys/types.h>

#include "discfs.h"

#define CTL_LINE_MAX 4200

const char *ctl_run_dir(void);

/* RUN_DIR/NAME.sock and RUN_DIR/NAME.pid. */
void ctl_paths(const char *name, char *sock, size_t sn, char *pid, size_t pn);

/* Creates RUN_DIR, binds and listens on the socket (replacing a stale one). */
int ctl_listen(const char *sock_path, discfs_error *err);

/* Reads one line (without the newline) within timeout_ms; -1 on failure. */
int ctl_read_line(int fd, char *buf, size_t n, int timeout_ms);

/* Client: sends line to daemon NAME and reads its reply. */
int ctl_request(const char *name, const char *line, char *reply, size_t n,
		discfs_error *err);

/* The pid in NAME's pid file if that process is alive, else 0. */
pid_t ctl_live_pid(const char *name);

#endif
