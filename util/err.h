/*
 * util/err.h - filling a discfs_error.
 *
 * Every library function that can fail takes a discfs_error *err (may be
 * NULL) and returns dfs_fail(err, code, ...) which stores the code and a
 * one-line message and returns -code, so error paths read:
 *
 *	if (n < 8)
 *		return dfs_fail(err, DISCFS_EPROTO, "disc information: %u bytes", n);
 */
#ifndef DFS_UTIL_ERR_H
#define DFS_UTIL_ERR_H

#include "discfs.h"

/* Sets err (if not NULL) and returns -code. */
int dfs_fail(discfs_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As dfs_fail, adding ": strerror(errno)" and recording sys_errno. */
int dfs_fail_errno(discfs_error *err, int code, int errnum, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/* Prefixes the message already in err with "what: " (context on the way up). */
int dfs_wrap(discfs_error *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void dfs_clear(discfs_error *err);

#endif
