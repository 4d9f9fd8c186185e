/*
 * tools/common/progress.h - showing burn/erase/format/verify/read progress.
 *
 * progress_cb() is a discfs_progress_fn.  Three outputs:
 *  - JSON (--json): one object per line on stdout, IMAPI-like actions:
 *      {"event":"progress","action":"writing","drive":0,"start_lba":0,
 *       "done_blocks":1024,"total_blocks":4096,"percent":25.0,
 *       "bytes_per_s":...,"x_speed":...,"buffer_fill":87,"elapsed":1.2,
 *       "eta":3.4}
 *    emitted at every action change and at most every 0.5 s otherwise;
 *    progress_json_result() prints the final {"event":"result",...} line.
 *  - a terminal (stderr is a tty): a one-line bar redrawn in place:
 *      writing   45.2% [#########...........]  31.4 MB/s  7.0x  buf  87%  ETA 0:42
 *  - otherwise: one plain line per action change on stderr.
 *
 * progress_install_sigint() makes SIGINT/SIGTERM set a flag the library
 * polls (opts.cancel) instead of killing the process, so a burn stops
 * safely; a second signal is ignored while the disc is being closed.
 */
#ifndef DFS_TOOLS_PROGRESS_H
#define DFS_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"

struct progress_ui {
	bool json;
	bool tty;
	int last_action;
	unsigned last_drive;
	double last_emit;
	bool bar_open;   /* a bar line is on screen without newline */
};

void progress_init(struct progress_ui *ui, bool json);
void progress_cb(const discfs_progress *p, void *user);
/* Ends a bar line on the terminal (before printing anything else). */
void progress_end(struct progress_ui *ui);

/* Starts the final line {"event":"result","ok":B,"code":N,"message":"..."
 * on stdout; the caller adds ,"key":value fields, then calls
 * progress_json_result_end() to close it. */
void progress_json_result(bool ok, const discfs_error *err);
void progress_json_result_end(void);

/* The cancel flag for opts.cancel, set by SIGINT/SIGTERM from now on. */
const volatile int *progress_install_sigint(void);
/* Whether a signal asked to stop. */
bool progress_interrupted(void);

#endif
