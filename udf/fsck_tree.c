/*
 * udf/fsck_tree.c - the file tree: every ICB reachable from the root and
 * the system stream directory is decoded once (hard links are counted, not
 * re-walked), its blocks are marked used, every FID is checked (tag, CRC,
 * location, name, duplicates), directories reached twice are loops, and
 * FE link counts are compared with the names that point at them.  The
 * stale second name of a directory whose move was cut short is repaired
 * on the way (fsck_moved.c); a link count below the names is raised.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udf/ecma167.h"
#include "udf/fsck.h"
#include "udf/tag.h"
#include "util/bytes.h"

#define PATH_CAP 4096
#define MAX_LINK_REPORTS 20

struct tree {
	struct fsck *f;
	char path[PATH_CAP];
	size_t plen;
	struct udf_icb stack[UDF_MAX_DEPTH];
	unsigned depth;
	uint64_t held; /* directory stream bytes held along the path */
};

struct dir_walk {
	struct tree *t;
	struct udf_inode *dir;
	bool stream;
	char **names;
	size_t n_names, cap_names;
};

/* Next AED of an AD area: the first AD of type 3 (a zero length ends the
 * list); false when there is none. */
static bool next_aed(const uint8_t *area, uint32_t alen, unsigned sz,
		     uint16_t icb_part, uint16_t *part, uint32_t *lbn)
{
	for (uint32_t o = 0; o + sz <= alen; o += sz) {
		uint32_t raw = get_le32(area + o);
		if (!(raw & ECMA_EXT_LEN_MASK))
			return false;
		if (raw >> ECMA_EXT_TYPE_SHIFT != EXT_NEXT_AD)
			continue;
		*lbn = get_le32(area + o + (sz == 20 ? 12 : 4));
		*part = sz == 8 ? icb_part : get_le16(area + o + (sz == 20 ? 16 : 8));
		return true;
	}
	return false;
}

/*
 * Marks every AED of ino.  The reader keeps the places of the first
 * UDF_INODE_AED_KEEP; a longer chain (which the reader followed and
 * checked) is walked again here so none of its blocks looks unused.
 */
static void mark_aeds(struct fsck *f, const struct udf_inode *ino,
		      const char *what)
{
	struct udf_vol *v = f->vol;
	for (uint32_t i = 0; i < ino->n_aed && i < UDF_INODE_AED_KEEP; i++)
		fsck_mark(f, ino->aed_abs[i], 1, what);
	if (ino->n_aed <= UDF_INODE_AED_KEEP)
		return;
	unsigned type = ino->icb_flags & ICBF_AD_MASK;
	unsigned sz = type == ICBF_AD_SHORT ? 8 : type == ICBF_AD_LONG ? 16 : 20;
	uint8_t *blk = malloc(v->bs);
	discfs_error e = { 0 };
	if (!blk || udf_read_abs(v, ino->abs, blk, &e)) {
		free(blk);
		return;
	}
	const struct ecma_fe *fe = (const struct ecma_fe *)blk;
	const struct ecma_efe *x = (const struct ecma_efe *)blk;
	bool efe = get_le16(blk) == TAG_EFE;
	size_t fixed = efe ? sizeof(*x) : sizeof(*fe);
	uint32_t l_ea = get_le32(efe ? x->l_ea : fe->l_ea);
	uint32_t alen = get_le32(efe ? x->l_ad : fe->l_ad);
	size_t off = fixed + l_ea;
	if (l_ea > v->bs || off + alen > v->bs) {
		free(blk);
		return;
	}
	memmove(blk, blk + off, alen);
	uint16_t part;
	uint32_t lbn, n = 0;
	uint64_t abs;
	while (n++ < UDF_MAX_AEDS &&
	       next_aed(blk, alen, sz, ino->icb.part, &part, &lbn) &&
	       !udf_map_block(v, part, lbn, &abs, &e) &&
	       !udf_read_abs(v, abs, blk, &e)) {
		if (n > UDF_INODE_AED_KEEP)
			fsck_mark(f, abs, 1, what);
		alen = get_le32(blk + 20);
		if (alen > v->bs - sizeof(struct ecma_aed))
			break;
		memmove(blk, blk + sizeof(struct ecma_aed), alen);
	}
	free(blk);
}

static void visit(struct tree *t, struct udf_icb icb, bool stream);

__attribute__((format(printf, 2, 3)))
static void tree_error(struct tree *t, const char *fmt, ...)
{
	char m[240];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	fsck_report(t->f, DISCFS_FSCK_ERROR, "tree", false, "%s: %s",
		    t->path[0] ? t->path : "/", m);
	t->f->tree_errors++;
}

/*
 * Names the reader had to escape (udf/safe_name.h): an empty name, "." or
 * ".." is only legal for the parent entry, so elsewhere it is an error;
 * '/' and NUL are legal CS0 (and what a Linux name "a%2Fb" is written
 * as), but no POSIX system shows them unchanged: a note, not a warning.
 * A shown "%2F" or "%00" always stands for the real byte (a literal one
 * is shown as "%252F").
 */
static void check_name(struct tree *t, const char *shown)
{
	if (!strcmp(shown, "%~") || !strcmp(shown, "%2E") ||
	    !strcmp(shown, "%2E%2E"))
		tree_error(t, "an entry is named '%s' (empty, '.' or '..', "
			      "shown escaped)", shown);
	else if (strstr(shown, "%2F") || strstr(shown, "%00"))
		fsck_report(t->f, DISCFS_FSCK_INFO, "tree", false,
			    "%s: the name '%s' holds '/' or NUL (shown escaped)",
			    t->path[0] ? t->path : "/", shown);
}

/* Logical block holding byte off of a directory stream. */
static int64_t fid_block(const struct udf_inode *dir, uint32_t off, uint32_t bs)
{
	if (dir->inline_data)
		return dir->icb.lbn;
	for (uint32_t i = 0; i < dir->n_ext; i++) {
		const struct udf_ext *e = &dir->ext[i];
		if (off >= e->file_off && off - e->file_off < e->len)
			return e->lbn + (int64_t)((off - e->file_off) / bs);
	}
	return -1;
}

static int push_name(struct dir_walk *w, const char *name)
{
	if (w->n_names == w->cap_names) {
		size_t nc = w->cap_names ? w->cap_names * 2 : 32;
		char **n = realloc(w->names, nc * sizeof(*n));
		if (!n)
			return -1;
		w->names = n;
		w->cap_names = nc;
	}
	if (!(w->names[w->n_names] = strdup(name)))
		return -1;
	w->n_names++;
	return 0;
}

static int one_fid(void *arg, const struct udf_fid *fid, discfs_error *err)
{
	struct dir_walk *w = arg;
	struct tree *t = w->t;
	struct fsck *f = t->f;
	char name[1024];
	discfs_error e = { 0 };

	(void)err;
	if (fid->characteristics & FID_DELETED)
		return 0;
	struct fsck_icbref *r = fsck_icb(f, fid->icb);
	if (r)
		r->refs++;
	if (fid->characteristics & FID_PARENT) {
		struct udf_icb p = t->depth >= 2 ? t->stack[t->depth - 2]
						 : t->stack[0];
		if (!w->stream && (p.lbn != fid->icb.lbn || p.part != fid->icb.part))
			tree_error(t, "parent entry points at the wrong "
				      "directory");
		return 0;
	}
	if (udf_fid_name(fid, name, sizeof(name), &e)) {
		tree_error(t, "%s", e.msg);
		return 0;
	}
	if (!w->stream) {
		char where[PATH_CAP + sizeof(name) + 2];
		snprintf(where, sizeof(where), "%s/%s", t->path, name);
		if (fsck_drop_stale_dir_name(f, w->dir, fid, where)) {
			if (r)
				r->refs--; /* no longer a name of it */
			return 0;
		}
	}
	check_name(t, name);
	if (push_name(w, name))
		return 0;
	if (!w->stream) {
		if (fid->characteristics & FID_DIRECTORY)
			f->num_dirs++;
		else
			f->num_files++;
	}
	size_t old = t->plen, n = strlen(name);
	if (old + 1 + n + 1 > sizeof(t->path)) {
		tree_error(t, "path too long");
		return 0;
	}
	t->path[t->plen++] = '/';
	memcpy(t->path + t->plen, name, n + 1);
	t->plen += n;
	visit(t, fid->icb, w->stream);
	t->plen = old;
	t->path[old] = 0;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(struct tree *t, struct udf_inode *dir, bool stream)
{
	struct fsck *f = t->f;
	uint8_t *data = NULL;
	size_t len = 0;
	discfs_error e = { 0 };
	for (unsigned i = 0; i < t->depth; i++)
		if (t->stack[i].lbn == dir->icb.lbn && t->stack[i].part == dir->icb.part) {
			tree_error(t, "directory loop");
			return;
		}
	if (t->depth == UDF_MAX_DEPTH) {
		tree_error(t, "nested deeper than the limit");
		return;
	}
	if (dir->st.size > UDF_MAX_WALK_BYTES - t->held) {
		tree_error(t, "directories along this path hold too much data");
		return;
	}
	if (udf_read_stream(f->vol, dir, UDF_MAX_DIR_BYTES, &data, &len, &e)) {
		tree_error(t, "%s", e.msg);
		return;
	}
	/* FID tag locations: the block each FID starts in. */
	for (size_t o = 0; o + 38 <= len;) {
		const uint8_t *p = data + o;
		if (get_le16(p) != TAG_FID)
			break;
		int64_t want = fid_block(dir, (uint32_t)o, f->vol->bs);
		if (want >= 0 && get_le32(p + 12) != (uint64_t)want) {
			char m[96];
			snprintf(m, sizeof(m), "entry at offset %zu has tag location "
				 "%u, expected %lld", o, get_le32(p + 12),
				 (long long)want);
			tree_error(t, "%s", m);
		}
		if (get_le16(p + 36) % 4)
			fsck_report(f, DISCFS_FSCK_WARNING, "tree", false,
				    "%s: entry at offset %zu has an implementation "
				    "use length that is not a multiple of 4",
				    t->path[0] ? t->path : "/", o);
		o += ecma_fid_size(get_le16(p + 36), p[19]);
	}
	t->stack[t->depth++] = dir->icb;
	t->held += len;
	struct dir_walk w = { .t = t, .dir = dir, .stream = stream };
	if (udf_fids_parse(data, len, one_fid, &w, &e))
		tree_error(t, "%s", e.msg);
	t->held -= len;
	t->depth--;
	if (w.n_names)
		qsort(w.names, w.n_names, sizeof(char *), cmp_str);
	for (size_t i = 1; i < w.n_names; i++)
		if (!strcmp(w.names[i], w.names[i - 1]))
			tree_error(t, "duplicate name '%s'", w.names[i]);
	for (size_t i = 0; i < w.n_names; i++)
		free(w.names[i]);
	free(w.names);
	free(data);
}

static void visit(struct tree *t, struct udf_icb icb, bool stream)
{
	struct fsck *f = t->f;
	struct fsck_icbref *r = fsck_icb(f, icb);
	struct udf_inode *ino = NULL;
	discfs_error e = { 0 };
	if (!r)
		return;
	if (r->counted) {
		if (r->dir)
			tree_error(t, "directory reached a second time");
		return;
	}
	r->counted = true;
	r->stream = stream;
	if (udf_inode_get(f->vol, icb, &ino, &e)) {
		tree_error(t, "%s", e.msg);
		return;
	}
	r->nlink = (uint16_t)ino->st.nlink;
	r->dir = udf_inode_is_dir(ino);
	const char *what = t->path[0] ? t->path : "/";
	fsck_mark(f, ino->abs, 1, what);
	mark_aeds(f, ino, what);
	for (uint32_t i = 0; i < ino->n_ext; i++)
		fsck_mark_ext(f, &ino->ext[i], what);
	if (ino->st.unique_id > f->max_unique)
		f->max_unique = ino->st.unique_id;
	if (!stream) {
		if (ino->file_type == FT_SYMLINK)
			f->res->symlinks++;
		else if (r->dir)
			f->res->dirs++;
		else
			f->res->files++;
	}
	/* streams have no streams of their own: this also bounds recursion */
	if (!stream && ino->stream_dir.lbn != UINT32_MAX)
		visit(t, ino->stream_dir, true);
	if (r->dir)
		walk_dir(t, ino, stream || ino->file_type == FT_STREAMDIR);
	udf_inode_free(ino);
}

/*
 * Raises the link count of the entry at icb to refs names (in place, not
 * on write-once volumes, whose entries are never rewritten): a count
 * below the names would let the next removal of one name free what the
 * others still show.  A count above them is left alone (lowering it
 * could free what an unread directory names).
 */
static bool raise_links(struct fsck *f, struct udf_icb icb, uint32_t refs)
{
	struct udf_vol *v = f->vol;
	struct udf_inode *ino = NULL;
	discfs_error e = { 0 };
	uint8_t *b = malloc(v->bs);
	bool ok = b && (f->flags & DISCFS_FSCK_REPAIR) && v->src.write &&
		  v->info.layout != UDF_LAYOUT_VAT && refs <= 0xFFFF &&
		  udf_inode_get(v, icb, &ino, &e) == 0 &&
		  udf_read_abs(v, ino->abs, b, &e) == 0;
	if (ok) {
		put_le16(((struct ecma_fe *)b)->link_count, (uint16_t)refs);
		udf_tag_make(b, 16 + (size_t)get_le16(b + 10), get_le16(b),
			     get_le16(b + 2), get_le16(b + 4), get_le32(b + 12));
		ok = udf_bsrc_write(&v->src, ino->abs, 1, b, NULL) == 0;
	}
	udf_inode_free(ino);
	free(b);
	return ok;
}

static void check_links(struct fsck *f)
{
	unsigned reports = 0;
	for (size_t i = 0; i < f->icb_cap; i++) {
		const struct fsck_icbref *r = &f->icbs[i];
		if (!r->key || !r->counted || r->stream || r->refs == r->nlink)
			continue;
		uint64_t k = r->key - 1;
		struct udf_icb icb = { (uint32_t)k, (uint16_t)(k >> 32) };
		bool fixed = r->refs > r->nlink && raise_links(f, icb, r->refs);
		if (++reports > MAX_LINK_REPORTS && !fixed)
			continue;
		fsck_report(f, DISCFS_FSCK_WARNING, "tree", fixed,
			    "file entry %u:%u has link count %u but %u names",
			    (unsigned)(k >> 32), (unsigned)k, r->nlink, r->refs);
	}
}

/* The terminating descriptor that may end the file set descriptor
 * sequence in the block after the FSD (mastered images record one). */
static void mark_fsd_td(struct fsck *f)
{
	struct udf_vol *v = f->vol;
	uint64_t abs;
	discfs_error e = { 0 };
	uint8_t *blk = malloc(v->bs);
	if (blk && !udf_map_block(v, v->fsd.part, v->fsd.lbn + 1, &abs, &e) &&
	    !udf_read_abs(v, abs, blk, &e) &&
	    !udf_tag_verify(blk, v->bs, TAG_TD, v->fsd.lbn + 1, &e))
		fsck_mark(f, abs, 1, "the file set descriptor's terminator");
	free(blk);
}

void fsck_check_tree(struct fsck *f)
{
	struct udf_vol *v = f->vol;
	struct tree *t = calloc(1, sizeof(*t));
	if (!t)
		return;
	t->f = f;
	fsck_mark(f, v->fsd_abs, 1, "the file set descriptor");
	mark_fsd_td(f);
	f->num_dirs = 1; /* the root */
	visit(t, v->root, false);
	if (v->stream_dir.lbn != UINT32_MAX) {
		snprintf(t->path, sizeof(t->path), "[system streams]");
		t->plen = strlen(t->path);
		visit(t, v->stream_dir, true);
	}
	free(t);
	check_links(f);
}
