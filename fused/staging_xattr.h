/*
 * fused/staging_xattr.h - extended attributes of a staged inode: a short
 * list of name/value pairs (values up to STG_DATA_MAX bytes), with
 * setxattr(2)'s CREATE/REPLACE rules.  Both calls change nothing when they
 * fail (-ENOENT no inode, -EEXIST, -ENODATA, -EINVAL, -ENOMEM).
 */
#ifndef DFS_FUSED_STAGING_XATTR_H
#define DFS_FUSED_STAGING_XATTR_H

#include "fused/staging_tree.h"

/* SETXATTR op: op->name, op->data/data_len, op->flags, op->time. */
int stg_xattr_set(struct stg_inode *in, const struct stg_op *op);

/* RMXATTR op: op->name, op->time. */
int stg_xattr_remove(struct stg_inode *in, const struct stg_op *op);

#endif
