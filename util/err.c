/* util/err.c - see err.h */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const code_names[DISCFS_CODE_COUNT] = {
	[DISCFS_OK] = "success",
	[DISCFS_EINVAL] = "invalid argument",
	[DISCFS_ENOMEM] = "out of memory",
	[DISCFS_EIO] = "input/output error",
	[DISCFS_ENODEV] = "no such drive",
	[DISCFS_ENOMEDIUM] = "no medium in drive",
	[DISCFS_ENOTREADY] = "drive not ready",
	[DISCFS_EMEDIUM] = "medium error",
	[DISCFS_EHARDWARE] = "drive hardware error",
	[DISCFS_EILLEGAL] = "illegal request",
	[DISCFS_EPROTECT] = "medium is write-protected",
	[DISCFS_EWRONGMEDIA] = "wrong medium for this operation",
	[DISCFS_ENOSPC] = "not enough space on medium",
	[DISCFS_ECHANGED] = "medium changed",
	[DISCFS_EPROTO] = "malformed answer from drive",
	[DISCFS_EFORMAT] = "malformed data",
	[DISCFS_ECANCELED] = "cancelled",
	[DISCFS_EBUSY] = "drive busy",
	[DISCFS_ENOTSUP] = "not supported",
	[DISCFS_ENOENT] = "no such file or directory",
};

const char *discfs_strcode(int code)
{
	if (code < 0)
		code = -code;
	if (code >= DISCFS_CODE_COUNT || !code_names[code])
		return "unknown error";
	return code_names[code];
}

void dfs_clear(discfs_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static void set_msg(discfs_error *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	/* Messages are one line: a newline from a format would break callers. */
	for (char *p = err->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int dfs_fail(discfs_error *err, int code, const char *fmt, ...)
{
	if (code < 0)
		code = -code;
	if (err) {
		va_list ap;
		memset(err, 0, sizeof(*err));
		err->code = code;
		va_start(ap, fmt);
		set_msg(err, fmt, ap);
		va_end(ap);
	}
	return -code;
}

int dfs_fail_errno(discfs_error *err, int code, int errnum, const char *fmt,
		   ...)
{
	if (code < 0)
		code = -code;
	if (err) {
		va_list ap;
		size_t n;
		memset(err, 0, sizeof(*err));
		err->code = code;
		err->sys_errno = errnum;
		va_start(ap, fmt);
		set_msg(err, fmt, ap);
		va_end(ap);
		n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
			 strerror(errnum));
	}
	return -code;
}

int dfs_wrap(discfs_error *err, int rc, const char *fmt, ...)
{
	char prefix[128], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return rc;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	if (!err->code && rc < 0)
		err->code = -rc;
	return rc;
}
