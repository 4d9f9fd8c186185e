/*
 * tools/common/cli.h - what every discfs command-line program shares:
 * one-line error reports, exit codes, option helpers.
 *
 * Exit codes (documented in discctl(1)):
 *   0 success            2 usage or invalid argument   3 no such drive
 *   4 no medium          5 drive not ready            6 wrong medium
 *   7 not enough space   8 write-protected            9 medium error
 *   10 drive refused the command (illegal request, hardware error)
 *   11 malformed data (image, state file, disc structures)
 *   130 cancelled (Ctrl-C)   1 anything else
 */
#ifndef DFS_TOOLS_CLI_H
#define DFS_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"

extern const char *cli_prog; /* set by main: "discctl" */

/* Exit code for a (positive or negative) discfs code. */
int cli_exit_code(int code);

/* Prints "PROG: what: message" (one line, stderr), returns the exit code. */
int cli_report(const discfs_error *err, const char *what);

/* As cli_report with what = dev, but without repeating dev when the
 * library's message already names it ("PROG: /dev/sr0: no medium in
 * drive", not "PROG: /dev/sr0: cannot open /dev/sr0: ..."). */
int cli_report_dev(const discfs_error *err, const char *dev);

/* Prints "PROG: message" (printf-style) to stderr, returns 2 (usage). */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses an unsigned decimal/0x number; false on junk or overflow. */
bool cli_parse_u64(const char *s, uint64_t *out);

/* Writes s as a JSON string literal (with quotes) to stdout. */
void cli_json_str(const char *s);

#endif
