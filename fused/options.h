/*
 * fused/options.h - the command line of discfs:
 *   discfs DEV MOUNTPOINT [-f] [-d] [-o opt[,opt...]]
 * Our options: staging=DIR, commit_idle=N, capacity=BYTES (DEV none),
 * no_commit_on_unmount, close_on_unmount (excludes no_commit_on_unmount),
 * import (fused/commit_import.h);
 * allow_other and any other -o option go on to
 * libfuse (which refuses what it does not know).
 */
#ifndef DFS_FUSED_OPTIONS_H
#define DFS_FUSED_OPTIONS_H

#include <stdio.h>

#include "fused/mount.h"

/*
 * Parses argv into o and the argument list for fuse_session_new() (which
 * gets default_permissions and fsname added).  Returns 0, or -1 after
 * printing a one-line error.
 */
int dfs_options_parse(int argc, char **argv, struct dfs_options *o,
		      struct fuse_args *fuse_args);

/* Fills o->staging with the default: $XDG_CACHE_HOME/discfs/<disc id>. */
int dfs_default_staging(struct dfs_options *o);

void dfs_usage(FILE *f);

#endif
