/*
 * fused/staging_int.h - what the parts of the staging store share (not for
 * the daemon): applying one op to the tree and journalling it.
 */
#ifndef DFS_FUSED_STAGING_INT_H
#define DFS_FUSED_STAGING_INT_H

#include "fused/staging.h"

/*
 * Applies op to the tree, then journals it (see staging.h for the order
 * and for what happens when journalling fails).  0 or -errno.
 */
int stg_store_apply(struct stg_store *s, const struct stg_op *op);

#endif
