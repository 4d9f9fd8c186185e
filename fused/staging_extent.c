/* fused/staging_extent.c - see staging_extent.h */
#include "fused/staging_extent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int ext_reserve(struct stg_inode *in, uint32_t more)
{
	uint32_t cap = in->cap_ext ? in->cap_ext : 4;
	struct stg_extent *e;

	if (in->n_ext + more <= in->cap_ext)
		return 0;
	while (cap < in->n_ext + more)
		cap *= 2;
	e = realloc(in->ext, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	in->ext = e;
	in->cap_ext = cap;
	return 0;
}

/*
 * Cuts [from, to) out of the extents; may split one extent in two, so the
 * caller reserves one free slot first.  Returns the index where the range
 * was (the insertion point for a replacement).
 */
static uint32_t ext_punch(struct stg_tree *t, struct stg_inode *in,
			  uint64_t from, uint64_t to)
{
	uint32_t i = 0, w;

	while (i < in->n_ext && in->ext[i].off + in->ext[i].len <= from)
		i++;
	if (i < in->n_ext && in->ext[i].off < from &&
	    in->ext[i].off + in->ext[i].len > to) {
		/* The range is strictly inside extent i: split it. */
		struct stg_extent tail = in->ext[i];
		uint64_t cut = to - tail.off;
		tail.off = to;
		tail.segoff += cut;
		tail.len -= cut;
		in->ext[i].len = from - in->ext[i].off;
		memmove(&in->ext[i + 2], &in->ext[i + 1],
			(in->n_ext - i - 1) * sizeof(*in->ext));
		in->ext[i + 1] = tail;
		in->n_ext++;
		in->ext_bytes -= to - from;
		t->staged_bytes -= to - from;
		return i + 1;
	}
	if (i < in->n_ext && in->ext[i].off < from) {
		uint64_t keep = from - in->ext[i].off;
		in->ext_bytes -= in->ext[i].len - keep;
		t->staged_bytes -= in->ext[i].len - keep;
		in->ext[i].len = keep;
		i++;
	}
	w = i;
	while (i < in->n_ext && in->ext[i].off + in->ext[i].len <= to) {
		in->ext_bytes -= in->ext[i].len;
		t->staged_bytes -= in->ext[i].len;
		i++;
	}
	if (i < in->n_ext && in->ext[i].off < to) {
		uint64_t cut = to - in->ext[i].off;
		in->ext[i].off = to;
		in->ext[i].segoff += cut;
		in->ext[i].len -= cut;
		in->ext_bytes -= cut;
		t->staged_bytes -= cut;
	}
	if (i < in->n_ext) /* ext may be NULL when empty: no memmove(NULL) */
		memmove(&in->ext[w], &in->ext[i], (in->n_ext - i) * sizeof(*in->ext));
	in->n_ext -= i - w;
	return w;
}

static void ext_insert(struct stg_tree *t, struct stg_inode *in, uint32_t at,
		       const struct stg_extent *e)
{
	struct stg_extent *prev = at ? &in->ext[at - 1] : NULL;

	in->ext_bytes += e->len;
	t->staged_bytes += e->len;
	if (prev && prev->seg == e->seg && prev->off + prev->len == e->off &&
	    prev->segoff + prev->len == e->segoff) {
		prev->len += e->len; /* sequential writes stay one extent */
		return;
	}
	memmove(&in->ext[at + 1], &in->ext[at], (in->n_ext - at) * sizeof(*in->ext));
	in->ext[at] = *e;
	in->n_ext++;
}

int stg_extent_put(struct stg_tree *t, struct stg_inode *in,
		   const struct stg_extent *e)
{
	/* Punching may split one extent and inserting adds one: room first,
	 * so that nothing can fail half-way. */
	if (ext_reserve(in, 2) < 0)
		return -ENOMEM;
	ext_insert(t, in, ext_punch(t, in, e->off, e->off + e->len), e);
	return 0;
}

void stg_extent_cut(struct stg_tree *t, struct stg_inode *in, uint64_t size)
{
	ext_punch(t, in, size, UINT64_MAX); /* never splits: nothing to reserve */
}
