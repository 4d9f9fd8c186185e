/*
 * fused/staging_dump.h - a canonical text listing of a store's merged tree:
 * one line per name (depth first, children in creation order) with type,
 * permissions, owner, links, size, times, symlink target, xattrs and a
 * CRC-32C of the file's bytes.  Two trees list the same exactly when they
 * hold the same things, so tests compare a store before a crash with the
 * store replayed after it (and it is handy when debugging a store).
 */
#ifndef DFS_FUSED_STAGING_DUMP_H
#define DFS_FUSED_STAGING_DUMP_H

#include <stdio.h>

#include "fused/staging.h"

/* Writes the listing to f; returns 0 or -errno (a read failed). */
int stg_dump(struct stg_store *s, FILE *f);

/* The listing as a malloc'd string (NULL on failure). */
char *stg_dump_string(struct stg_store *s);

#endif
