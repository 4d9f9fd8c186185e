/* fused/staging_xattr.c - see staging_xattr.h */
#include "fused/staging_xattr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct stg_xattr **xattr_slot(struct stg_inode *in, const char *name,
				     size_t len)
{
	struct stg_xattr **pp = &in->xattrs;

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->name_len == len && !memcmp((*pp)->data, name, len))
			return pp;
	return NULL;
}

const struct stg_xattr *stg_tree_xattr(const struct stg_inode *in,
				       const char *name, size_t len)
{
	struct stg_xattr **pp = xattr_slot((struct stg_inode *)in, name, len);

	return pp ? *pp : NULL;
}

int stg_xattr_set(struct stg_inode *in, const struct stg_op *op)
{
	struct stg_xattr **pp, *x;

	if (!in)
		return -ENOENT;
	if (op->flags & ~(STG_XATTR_CREATE | STG_XATTR_REPLACE) ||
	    memchr(op->name, '\0', op->name_len))
		return -EINVAL;
	pp = xattr_slot(in, op->name, op->name_len);
	if (pp && (op->flags & STG_XATTR_CREATE))
		return -EEXIST;
	if (!pp && (op->flags & STG_XATTR_REPLACE))
		return -ENODATA;
	x = malloc(sizeof(*x) + op->name_len + 1 + op->data_len);
	if (!x)
		return -ENOMEM;
	x->name_len = op->name_len;
	x->value_len = op->data_len;
	memcpy(x->data, op->name, op->name_len);
	x->data[op->name_len] = '\0';
	if (op->data_len)
		memcpy(x->data + op->name_len + 1, op->data, op->data_len);
	if (pp) {
		x->next = (*pp)->next;
		free(*pp);
		*pp = x;
	} else {
		x->next = in->xattrs;
		in->xattrs = x;
	}
	in->ctime = op->time;
	in->changed |= STG_I_META;
	return 0;
}

int stg_xattr_remove(struct stg_inode *in, const struct stg_op *op)
{
	struct stg_xattr **pp, *x;

	if (!in)
		return -ENOENT;
	pp = xattr_slot(in, op->name, op->name_len);
	if (!pp)
		return -ENODATA;
	x = *pp;
	*pp = x->next;
	free(x);
	in->ctime = op->time;
	in->changed |= STG_I_META;
	return 0;
}

