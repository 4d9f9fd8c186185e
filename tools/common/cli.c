/* tools/common/cli.c - see cli.h */
#include "tools/common/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_prog = "discctl";

int cli_exit_code(int code)
{
	if (code < 0)
		code = -code;
	switch (code) {
	case DISCFS_OK: return 0;
	case DISCFS_EINVAL: return 2;
	case DISCFS_ENODEV: case DISCFS_ENOENT: return 3;
	case DISCFS_ENOMEDIUM: return 4;
	case DISCFS_ENOTREADY: case DISCFS_EBUSY: return 5;
	case DISCFS_EWRONGMEDIA: case DISCFS_ENOTSUP: return 6;
	case DISCFS_ENOSPC: return 7;
	case DISCFS_EPROTECT: return 8;
	case DISCFS_EMEDIUM: return 9;
	case DISCFS_EILLEGAL: case DISCFS_EHARDWARE: case DISCFS_EPROTO: return 10;
	case DISCFS_EFORMAT: return 11;
	case DISCFS_ECANCELED: return 130;
	default: return 1;
	}
}

int cli_report(const discfs_error *err, const char *what)
{
	const char *msg = err && err->msg[0] ? err->msg
			  : discfs_strcode(err ? err->code : DISCFS_EIO);
	if (what && *what)
		fprintf(stderr, "%s: %s: %s\n", cli_prog, what, msg);
	else
		fprintf(stderr, "%s: %s\n", cli_prog, msg);
	return cli_exit_code(err ? err->code : DISCFS_EIO);
}

int cli_report_dev(const discfs_error *err, const char *dev)
{
	if (err && dev && *dev && strstr(err->msg, dev))
		return cli_report(err, NULL);
	return cli_report(err, dev);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

void cli_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}
