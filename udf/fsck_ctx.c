/* udf/fsck_ctx.c - findings, the used-block bitmap and the ICB set. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udf/ecma167.h"
#include "udf/fsck.h"

#define MAX_DUP_REPORTS 20

void fsck_report(struct fsck *f, int severity, const char *area,
		 bool repaired, const char *fmt, ...)
{
	discfs_fsck_issue is = { .severity = severity, .area = area,
				 .repaired = repaired };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(is.msg, sizeof(is.msg), fmt, ap);
	va_end(ap);
	if (severity == DISCFS_FSCK_ERROR)
		f->res->errors++;
	else if (severity == DISCFS_FSCK_WARNING)
		f->res->warnings++;
	if (repaired)
		f->res->repaired++;
	if (f->fn)
		f->fn(f->user, &is);
}

bool fsck_is_used(const struct fsck *f, uint64_t abs)
{
	return abs < f->n_blocks && f->used &&
	       (f->used[abs >> 3] & (1u << (abs & 7)));
}

void fsck_mark(struct fsck *f, uint64_t abs, uint64_t count, const char *what)
{
	if (!f->used)
		return;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t b = abs + i;
		if (b >= f->n_blocks)
			return; /* past the image: reported by whoever decoded it */
		uint8_t bit = (uint8_t)(1u << (b & 7));
		if (f->used[b >> 3] & bit) {
			if (++f->dup_reports <= MAX_DUP_REPORTS)
				fsck_report(f, DISCFS_FSCK_ERROR, "space", false,
					    "block %llu is used twice (again by %s)",
					    (unsigned long long)b, what);
			f->tree_errors++;
			continue;
		}
		f->used[b >> 3] |= bit;
		f->res->used_blocks++;
	}
}

void fsck_mark_ext(struct fsck *f, const struct udf_ext *e, const char *what)
{
	uint32_t bs = f->vol->bs;
	uint64_t blocks = ((uint64_t)e->len + bs - 1) / bs;
	if (e->type == EXT_NOT_ALLOCATED)
		return;
	for (uint64_t i = 0; i < blocks; i++) {
		uint64_t abs;
		if (udf_map_block(f->vol, e->part, e->lbn + (uint32_t)i, &abs, NULL))
			return; /* out-of-partition extents fail at decode */
		fsck_mark(f, abs, 1, what);
	}
}

static uint64_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

static bool icb_grow(struct fsck *f)
{
	size_t nc = f->icb_cap ? f->icb_cap * 2 : 1024;
	struct fsck_icbref *n = calloc(nc, sizeof(*n));
	if (!n)
		return false;
	for (size_t i = 0; i < f->icb_cap; i++) {
		if (!f->icbs[i].key)
			continue;
		size_t j = hash64(f->icbs[i].key) & (nc - 1);
		while (n[j].key)
			j = (j + 1) & (nc - 1);
		n[j] = f->icbs[i];
	}
	free(f->icbs);
	f->icbs = n;
	f->icb_cap = nc;
	return true;
}

struct fsck_icbref *fsck_icb(struct fsck *f, struct udf_icb icb)
{
	uint64_t key = ((uint64_t)icb.part << 32 | icb.lbn) + 1;
	if ((f->icb_n + 1) * 2 > f->icb_cap && !icb_grow(f))
		return NULL;
	size_t j = hash64(key) & (f->icb_cap - 1);
	while (f->icbs[j].key && f->icbs[j].key != key)
		j = (j + 1) & (f->icb_cap - 1);
	if (!f->icbs[j].key) {
		f->icbs[j].key = key;
		f->icb_n++;
	}
	return &f->icbs[j];
}
