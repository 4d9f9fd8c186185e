/*
 * udf/iso9660.c - laying out and building the ISO9660 (+ Rock Ridge,
 * + Joliet, + El Torito) side of a bridge image; see iso9660.h.
 *
 * Names: the primary tree carries mangled ISO names (A-Z 0-9 _, up to 30
 * characters, ";1" on files) and the real POSIX name in Rock Ridge NM;
 * Joliet carries UTF-16 names cut to 64 units.  Names made equal by
 * mangling or cutting get a "~N" suffix unique in their directory.
 * Directories are numbered breadth-first, children in sorted order, which
 * is the path table order.  Files of 4 GiB and more get multi-extent
 * records.  Deep trees (> 8 levels) are recorded as they are (no
 * relocation): Linux, libisofs and libcdio read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "udf/iso9660.h"
#include "util/bytes.h"
#include "util/err.h"

#define ISO_MAX_EXTENT 0xFFFFF800u
#define ISO_REC_MAX 255u

struct iso_ent {
	struct mk_node *node;
	uint8_t *name;
	uint8_t nlen;
	uint16_t su_len;     /* system use bytes in each record */
	uint32_t ce_off;     /* continuation offset in the CE area (ISO) */
	uint16_t ce_len;     /* 0 = no continuation */
	unsigned nrec;       /* records (multi-extent files) */
};

struct iso_dir {
	struct mk_node *node;
	struct iso_ent *ents;
	size_t n;
	uint32_t sector, size;
	uint16_t num, parent;   /* path table numbers (1-based) */
	struct iso_dir *pdir;
	size_t ent_idx;         /* this directory's entry in pdir */
};

struct iso_tree {
	struct iso_dir *dirs;   /* breadth-first */
	size_t n;
	uint32_t pt_size, pt_l, pt_m;
	bool joliet;
};

struct mk_iso {
	struct iso_tree iso, jol;
	uint64_t start;         /* absolute sector of the area */
	uint64_t blocks;
	uint32_t ce_sector, ce_blocks;
	uint32_t er_off;
	uint32_t catalog;       /* 0 = no El Torito */
	uint32_t bios_sector, efi_sector;
	uint64_t bios_size, efi_size;
	uint8_t *area;
};

void iso_date7(uint8_t *p, int64_t t, int tz)
{
	time_t lt = (time_t)(t + (int64_t)tz * 60);
	struct tm tm;
	gmtime_r(&lt, &tm);
	if (tm.tm_year < 0 || tm.tm_year > 255) {
		memset(p, 0, 7);
		return;
	}
	p[0] = (uint8_t)tm.tm_year;
	p[1] = (uint8_t)(tm.tm_mon + 1);
	p[2] = (uint8_t)tm.tm_mday;
	p[3] = (uint8_t)tm.tm_hour;
	p[4] = (uint8_t)tm.tm_min;
	p[5] = (uint8_t)tm.tm_sec;
	p[6] = (uint8_t)(int8_t)(tz / 15);
}

static void date17(uint8_t *p, int64_t t, int tz)
{
	time_t lt = (time_t)(t + (int64_t)tz * 60);
	struct tm tm;
	char buf[64];
	gmtime_r(&lt, &tm);
	snprintf(buf, sizeof buf, "%04u%02u%02u%02u%02u%02u00",
		 (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)(tm.tm_mon + 1) % 100,
		 (unsigned)tm.tm_mday % 100, (unsigned)tm.tm_hour % 100,
		 (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100);
	memcpy(p, buf, 16);
	p[16] = (uint8_t)(int8_t)(tz / 15);
}

/* ------------------------------------------------------------- names */

static char iso_char(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 32);
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return (char)c;
	return '_';
}

/* Mangled ISO name; uniq > 0 adds "~uniq" to keep it unique. */
static size_t iso_name(const struct mk_node *n, unsigned uniq, uint8_t *out)
{
	const char *name = n->name;
	bool dir = S_ISDIR(n->ino->mode);
	const char *dot = dir ? NULL : strrchr(name, '.');
	if (dot == name)
		dot = NULL;
	size_t blen = dot ? (size_t)(dot - name) : strlen(name);
	size_t elen = dot ? strlen(dot + 1) : 0;
	char suf[16] = "";
	if (uniq)
		snprintf(suf, sizeof suf, "~%X", uniq);
	size_t bmax = (dir ? 30 : 20) - strlen(suf);
	size_t o = 0;
	for (size_t i = 0; i < blen && i < bmax; i++)
		out[o++] = (uint8_t)iso_char((unsigned char)name[i]);
	if (o == 0)
		out[o++] = '_';
	for (size_t i = 0; suf[i]; i++)
		out[o++] = (uint8_t)suf[i];
	if (!dir) {
		if (elen) {
			out[o++] = '.';
			for (size_t i = 0; i < elen && i < 8; i++)
				out[o++] = (uint8_t)iso_char((unsigned char)dot[1 + i]);
		}
		out[o++] = ';';
		out[o++] = '1';
	}
	return o;
}

/* Joliet: UTF-16BE, at most 64 units, never splitting a surrogate pair. */
static size_t joliet_name(const struct mk_node *n, unsigned uniq, uint8_t *out)
{
	uint8_t suf[32];
	size_t slen = 0, o = 0;
	if (uniq) {
		char s[16];
		snprintf(s, sizeof s, "~%X", uniq);
		for (size_t i = 0; s[i]; i++) {
			suf[slen++] = 0;
			suf[slen++] = (uint8_t)s[i];
		}
	}
	size_t max = 128 - slen;
	/* the CS0 name is already UTF-16BE (ID 16) or Latin-1 (ID 8) */
	const uint8_t *c = n->cs0 + 1;
	size_t clen = n->cs0_len - 1;
	bool wide = n->cs0[0] == 16;
	for (size_t i = 0; i < clen;) {
		unsigned u = wide ? (unsigned)(c[i] << 8 | c[i + 1]) : c[i];
		size_t step = wide ? 2 : 1;
		size_t need = (u >= 0xD800 && u <= 0xDBFF) ? 4 : 2;
		if (o + need > max)
			break;
		if (need == 4) {
			memcpy(out + o, c + i, 4);
			o += 4;
			i += 4;
			continue;
		}
		if (u == '*' || u == '/' || u == ':' || u == ';' || u == '?' || u == '\\')
			u = '_';
		out[o++] = (uint8_t)(u >> 8);
		out[o++] = (uint8_t)u;
		i += step;
	}
	memcpy(out + o, suf, slen);
	return o + slen;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct iso_ent *x = a, *y = b;
	size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
	int c = memcmp(x->name, y->name, n);
	return c ? c : (int)x->nlen - (int)y->nlen;
}

static int set_name(struct iso_ent *e, bool joliet, unsigned uniq, discfs_error *err)
{
	uint8_t buf[160];
	size_t len = joliet ? joliet_name(e->node, uniq, buf) : iso_name(e->node, uniq, buf);
	free(e->name);
	if (!(e->name = malloc(len)))
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	memcpy(e->name, buf, len);
	e->nlen = (uint8_t)len;
	return 0;
}

/* Names, sorted and made unique, for the children of one directory. */
static int name_children(struct iso_dir *d, bool joliet, discfs_error *err)
{
	struct mk_node *dn = d->node;
	int rc;
	d->ents = calloc(dn->nkids ? dn->nkids : 1, sizeof(*d->ents));
	if (!d->ents)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	d->n = dn->nkids;
	for (size_t i = 0; i < d->n; i++) {
		d->ents[i].node = dn->kids[i];
		if ((rc = set_name(&d->ents[i], joliet, 0, err)))
			return rc;
	}
	qsort(d->ents, d->n, sizeof(*d->ents), ent_cmp);
	unsigned uniq = 0;
	bool changed = false;
	for (size_t i = 1; i < d->n; i++)
		if (!ent_cmp(&d->ents[i - 1], &d->ents[i])) {
			if ((rc = set_name(&d->ents[i], joliet, ++uniq, err)))
				return rc;
			changed = true;
		}
	if (changed)
		qsort(d->ents, d->n, sizeof(*d->ents), ent_cmp);
	return 0;
}

static void free_tree(struct iso_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t k = 0; k < t->dirs[i].n; k++)
			free(t->dirs[i].ents[k].name);
		free(t->dirs[i].ents);
	}
	free(t->dirs);
	memset(t, 0, sizeof(*t));
}

/* Breadth-first directory list with names (path table order). */
static int build_tree(struct udf_mk *mk, struct iso_tree *t, bool joliet,
		      discfs_error *err)
{
	size_t cap = (size_t)mk->n_dirs;
	int rc;
	t->joliet = joliet;
	if (!(t->dirs = calloc(cap, sizeof(*t->dirs))))
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (cap > 65535)
		return dfs_fail(err, DISCFS_ENOTSUP,
				"ISO9660 path tables hold at most 65535 directories (%zu)", cap);
	t->dirs[0].node = mk->root;
	t->dirs[0].num = 1;
	t->dirs[0].parent = 1;
	t->dirs[0].pdir = &t->dirs[0];
	t->n = 1;
	for (size_t i = 0; i < t->n; i++) {
		struct iso_dir *d = &t->dirs[i];
		if ((rc = name_children(d, joliet, err)))
			return rc;
		for (size_t k = 0; k < d->n; k++) {
			if (!S_ISDIR(d->ents[k].node->ino->mode))
				continue;
			if (t->n == cap)
				return dfs_fail(err, DISCFS_EFORMAT, "internal: directory count");
			struct iso_dir *c = &t->dirs[t->n++];
			c->node = d->ents[k].node;
			c->num = (uint16_t)t->n;
			c->parent = d->num;
			c->pdir = d;
			c->ent_idx = k;
		}
	}
	return 0;
}

/* ----------------------------------------------------------- sizing */

static uint64_t file_size(const struct mk_node *n)
{
	return S_ISREG(n->ino->mode) ? n->ino->size : 0;
}

static unsigned rec_len(unsigned nlen, unsigned su)
{
	return 33 + nlen + !(nlen & 1) + su;
}

/* System use sizes and continuation areas of the ISO tree's records. */
static int size_su(struct udf_mk *mk, struct mk_iso *is, uint32_t *ce_used,
		   discfs_error *err)
{
	uint8_t buf[8192];
	uint32_t ce = 0;

	/* the ER entry sits in the first continuation area */
	is->er_off = 0;
	ce = (uint32_t)iso_rr_er(buf);
	for (size_t i = 0; i < is->iso.n; i++) {
		struct iso_dir *d = &is->iso.dirs[i];
		for (size_t k = 0; k < d->n; k++) {
			struct iso_ent *e = &d->ents[k];
			size_t su = iso_rr_entries(mk, e->node->ino, e->node->name, false,
						   buf, sizeof buf);
			if (!su)
				return dfs_fail(err, DISCFS_ENOTSUP,
						"%s: symlink target too long for Rock Ridge",
						e->node->name);
			uint64_t sz = file_size(e->node);
			e->nrec = sz > ISO_MAX_EXTENT ? (unsigned)((sz + ISO_MAX_EXTENT - 1) / ISO_MAX_EXTENT) : 1;
			if (rec_len(e->nlen, (unsigned)su) <= ISO_REC_MAX) {
				e->su_len = (uint16_t)su;
				continue;
			}
			/* PX + TF stay in the record, NM/SL go to a continuation */
			size_t cont = su - 70;
			if (cont > 2048)
				return dfs_fail(err, DISCFS_ENOTSUP,
						"%s: Rock Ridge entries too long", e->node->name);
			if (ce % 2048 + cont > 2048)
				ce = (ce / 2048 + 1) * 2048;
			e->ce_off = ce;
			e->ce_len = (uint16_t)cont;
			ce += (uint32_t)cont;
			e->su_len = 70 + 28;
		}
	}
	*ce_used = ce;
	return 0;
}

/* Bytes of one directory's extent (records never cross sectors). */
static uint32_t dir_bytes(const struct iso_tree *t, const struct iso_dir *d)
{
	unsigned dot_su = t->joliet ? 0 : 70 + (d->num == 1 ? 7 + 28 : 0);
	unsigned dd_su = t->joliet ? 0 : 70;
	uint32_t off = rec_len(1, dot_su) + rec_len(1, dd_su);
	for (size_t k = 0; k < d->n; k++) {
		const struct iso_ent *e = &d->ents[k];
		unsigned r = rec_len(e->nlen, e->su_len);
		for (unsigned j = 0; j < (e->nrec ? e->nrec : 1); j++) {
			if (off % 2048 + r > 2048)
				off = (off / 2048 + 1) * 2048;
			off += r;
		}
	}
	return (off + 2047) / 2048 * 2048;
}

static uint32_t pt_bytes(const struct iso_tree *t)
{
	uint32_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct iso_dir *d = &t->dirs[i];
		unsigned l = i ? d->pdir->ents[d->ent_idx].nlen : 1;
		n += 8 + l + (l & 1);
	}
	return n;
}

/* Finds the node at a /-separated path below the root (boot images). */
static struct mk_node *lookup(struct mk_node *root, const char *path)
{
	struct mk_node *n = root;
	while (n && *path) {
		while (*path == '/')
			path++;
		size_t l = strcspn(path, "/");
		if (!l)
			break;
		struct mk_node *hit = NULL;
		for (size_t i = 0; i < n->nkids && !hit; i++)
			if (strlen(n->kids[i]->name) == l && !memcmp(n->kids[i]->name, path, l))
				hit = n->kids[i];
		n = hit;
		path += l;
	}
	return n;
}

static uint32_t data_sector(const struct udf_mk *mk, const struct mk_inode *ino)
{
	if (!S_ISREG(ino->mode) || ino->in_icb)
		return 0;
	return (uint32_t)(mk->part_start + mk->data_base + ino->data_pos);
}

static int find_boot(struct udf_mk *mk, const char *path, struct mk_node **out,
		     discfs_error *err)
{
	struct mk_node *n = lookup(mk->root, path);
	if (!n || !S_ISREG(n->ino->mode) || !n->ino->size)
		return dfs_fail(err, DISCFS_EINVAL,
				"boot image '%s' is not a non-empty file in the tree", path);
	*out = n;
	return 0;
}

/* ---------------------------------------------------------- building */

static size_t put_rec(uint8_t *p, uint32_t extent, uint32_t size, uint8_t flags,
		      const uint8_t *name, unsigned nlen, const uint8_t *su,
		      unsigned su_len, int64_t mtime, int tz)
{
	unsigned len = rec_len(nlen, su_len);
	memset(p, 0, len);
	p[0] = (uint8_t)len;
	iso_both32(p + 2, extent);
	iso_both32(p + 10, size);
	iso_date7(p + 18, mtime, tz);
	p[25] = flags;
	iso_both16(p + 28, 1);
	p[32] = (uint8_t)nlen;
	memcpy(p + 33, name, nlen);
	if (su_len)
		memcpy(p + 33 + nlen + !(nlen & 1), su, su_len);
	return len;
}

/* Places a record at *off in dir buffer b, moving to the next sector if needed. */
static void place(uint8_t *b, uint32_t *off, const uint8_t *rec, size_t len)
{
	if (*off % 2048 + len > 2048)
		*off = (*off / 2048 + 1) * 2048;
	memcpy(b + *off, rec, len);
	*off += (uint32_t)len;
}

static void build_dir(const struct udf_mk *mk, const struct mk_iso *is,
		      const struct iso_tree *t, const struct iso_dir *d, uint8_t *b)
{
	uint8_t rec[256], su[300];
	uint32_t off = 0;
	const uint8_t dot = 0, dotdot = 1;
	size_t sl = 0;

	if (!t->joliet) {
		if (d->num == 1)
			sl += iso_rr_sp(su);
		sl += iso_rr_entries(mk, d->node->ino, NULL, true, su + sl, sizeof su - sl);
		if (d->num == 1)
			sl += iso_rr_ce(su + sl, is->ce_sector, is->er_off,
					(uint32_t)iso_rr_er(rec));
	}
	size_t l = put_rec(rec, d->sector, d->size, 2, &dot, 1, su, (unsigned)sl,
			   d->node->ino->mtime.tv_sec, mk->tz);
	place(b, &off, rec, l);
	const struct iso_dir *p = d->pdir;
	sl = t->joliet ? 0 : iso_rr_entries(mk, p->node->ino, NULL, true, su, sizeof su);
	l = put_rec(rec, p->sector, p->size, 2, &dotdot, 1, su, (unsigned)sl,
		    p->node->ino->mtime.tv_sec, mk->tz);
	place(b, &off, rec, l);

	for (size_t k = 0; k < d->n; k++) {
		const struct iso_ent *e = &d->ents[k];
		const struct mk_inode *ino = e->node->ino;
		sl = 0;
		if (!t->joliet) {
			if (e->ce_len) {
				sl = iso_rr_entries(mk, ino, NULL, true, su, sizeof su);
				sl += iso_rr_ce(su + sl, is->ce_sector + e->ce_off / 2048,
						e->ce_off % 2048, e->ce_len);
			} else {
				sl = iso_rr_entries(mk, ino, e->node->name, false, su, sizeof su);
			}
		}
		if (S_ISDIR(ino->mode)) {
			const struct mk_node *c = e->node;
			l = put_rec(rec, t->joliet ? c->joliet_dir_sector : c->iso_dir_sector,
				    t->joliet ? c->joliet_dir_size : c->iso_dir_size, 2, e->name, e->nlen, su,
				    (unsigned)sl, ino->mtime.tv_sec, mk->tz);
			place(b, &off, rec, l);
			continue;
		}
		uint64_t left = file_size(e->node);
		uint32_t sec = data_sector(mk, ino);
		do {
			uint32_t part = left > ISO_MAX_EXTENT ? ISO_MAX_EXTENT : (uint32_t)left;
			l = put_rec(rec, part ? sec : 0, part, left > part ? 0x80 : 0, e->name,
				    e->nlen, su, (unsigned)sl, ino->mtime.tv_sec, mk->tz);
			place(b, &off, rec, l);
			sec += ISO_MAX_EXTENT / 2048;
			left -= part;
		} while (left);
	}
}

static void build_pt(const struct iso_tree *t, uint8_t *l, uint8_t *m)
{
	size_t o = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct iso_dir *d = &t->dirs[i];
		const uint8_t root = 0;
		const uint8_t *name = &root;
		unsigned nl = 1;
		if (i) {
			name = d->pdir->ents[d->ent_idx].name;
			nl = d->pdir->ents[d->ent_idx].nlen;
		}
		l[o] = m[o] = (uint8_t)nl;
		put_le32(l + o + 2, d->sector);
		put_be32(m + o + 2, d->sector);
		put_le16(l + o + 6, d->parent);
		put_be16(m + o + 6, d->parent);
		memcpy(l + o + 8, name, nl);
		memcpy(m + o + 8, name, nl);
		o += 8 + nl + (nl & 1);
	}
}

static uint32_t assign(struct iso_tree *t, uint32_t pos)
{
	uint32_t ptb = (t->pt_size + 2047) / 2048;
	t->pt_l = pos;
	t->pt_m = pos + ptb;
	pos += 2 * ptb;
	for (size_t i = 0; i < t->n; i++) {
		t->dirs[i].sector = pos;
		t->dirs[i].size = dir_bytes(t, &t->dirs[i]);
		pos += t->dirs[i].size / 2048;
		struct mk_node *n = t->dirs[i].node;
		if (t->joliet) {
			n->joliet_dir_sector = t->dirs[i].sector;
			n->joliet_dir_size = t->dirs[i].size;
		} else {
			n->iso_dir_sector = t->dirs[i].sector;
			n->iso_dir_size = t->dirs[i].size;
		}
	}
	return pos;
}

static int build_area(struct udf_mk *mk, struct mk_iso *is, discfs_error *err)
{
	uint8_t *a = calloc(is->blocks ? is->blocks : 1, 2048);
	if (!a)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	is->area = a;
	struct iso_tree *trees[2] = { &is->iso, is->jol.n ? &is->jol : NULL };
	for (int k = 0; k < 2 && trees[k]; k++) {
		struct iso_tree *t = trees[k];
		build_pt(t, a + (t->pt_l - is->start) * 2048, a + (t->pt_m - is->start) * 2048);
		for (size_t i = 0; i < t->n; i++)
			build_dir(mk, is, t, &t->dirs[i], a + (t->dirs[i].sector - is->start) * 2048);
	}
	uint8_t *ce = a + (size_t)(is->ce_sector - is->start) * 2048;
	iso_rr_er(ce + is->er_off);
	uint8_t buf[8192];
	for (size_t i = 0; i < is->iso.n; i++)
		for (size_t k = 0; k < is->iso.dirs[i].n; k++) {
			struct iso_ent *e = &is->iso.dirs[i].ents[k];
			if (!e->ce_len)
				continue;
			size_t n = iso_rr_entries(mk, e->node->ino, e->node->name, false, buf, sizeof buf);
			memcpy(ce + e->ce_off, buf + 70, n - 70);
		}
	if (is->catalog)
		iso_boot_catalog(a + (size_t)(is->catalog - is->start) * 2048, is->bios_sector,
				 is->bios_size, is->efi_sector, is->efi_size);
	return 0;
}

int mk_iso_plan(struct udf_mk *mk, uint64_t abs_start, uint64_t *blocks,
		discfs_error *err)
{
	struct mk_iso *is;
	int rc;
	uint32_t ce_used;

	mk_iso_free(mk);
	if (!(is = mk->isoplan = calloc(1, sizeof(*is))))
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if ((rc = build_tree(mk, &is->iso, false, err)) ||
	    (mk->joliet && (rc = build_tree(mk, &is->jol, true, err))) ||
	    (rc = size_su(mk, is, &ce_used, err)))
		return rc;
	is->start = abs_start;
	is->iso.pt_size = pt_bytes(&is->iso);
	uint32_t pos = assign(&is->iso, (uint32_t)abs_start);
	if (mk->joliet) {
		is->jol.pt_size = pt_bytes(&is->jol);
		pos = assign(&is->jol, pos);
	}
	is->ce_sector = pos;
	is->ce_blocks = (ce_used + 2047) / 2048;
	pos += is->ce_blocks;
	if (mk->boot_bios || mk->boot_efi) {
		struct mk_node *b;
		is->catalog = pos++;
		if (mk->boot_bios) {
			if ((rc = find_boot(mk, mk->boot_bios, &b, err)))
				return rc;
			is->bios_sector = data_sector(mk, b->ino);
			is->bios_size = b->ino->size;
		}
		if (mk->boot_efi) {
			if ((rc = find_boot(mk, mk->boot_efi, &b, err)))
				return rc;
			is->efi_sector = data_sector(mk, b->ino);
			is->efi_size = b->ino->size;
		}
	}
	is->blocks = pos - abs_start;
	*blocks = is->blocks;
	if (abs_start == 0)
		return 0; /* sizing pass: positions are not known yet */
	return build_area(mk, is, err);
}

void mk_iso_free(struct udf_mk *mk)
{
	struct mk_iso *is = mk->isoplan;
	if (!is)
		return;
	free_tree(&is->iso);
	free_tree(&is->jol);
	free(is->area);
	free(is);
	mk->isoplan = NULL;
}

int mk_iso_area_block(const struct udf_mk *mk, uint64_t i, uint8_t *blk,
		      discfs_error *err)
{
	const struct mk_iso *is = mk->isoplan;
	if (!is || !is->area || i >= is->blocks)
		return dfs_fail(err, DISCFS_EFORMAT, "internal: ISO area block %llu",
				(unsigned long long)i);
	memcpy(blk, is->area + i * 2048, 2048);
	return 0;
}

uint32_t mk_iso_vd_count(const struct udf_mk *mk)
{
	if (!mk->iso)
		return 0;
	return 2 + (mk->joliet ? 1 : 0) + (mk->boot_bios || mk->boot_efi ? 1 : 0);
}

/* a-/d-character field: upper case, padded with spaces. */
static void str_field(uint8_t *p, size_t len, const char *s)
{
	memset(p, ' ', len);
	for (size_t i = 0; i < len && s[i]; i++)
		p[i] = (uint8_t)iso_char((unsigned char)s[i]);
}

/* Joliet UCS-2 field padded with spaces. */
static void ucs2_field(uint8_t *p, size_t len, const struct udf_mk *mk)
{
	for (size_t i = 0; i + 1 < len; i += 2) {
		p[i] = 0;
		p[i + 1] = ' ';
	}
	/* label: ASCII subset is enough for identifiers */
	for (size_t i = 0, o = 0; mk->label[i] && o + 1 < len; i++, o += 2)
		p[o + 1] = (uint8_t)((unsigned char)mk->label[i] < 0x80 ? mk->label[i] : '_');
}

static void build_vd(const struct udf_mk *mk, const struct iso_tree *t, uint8_t *b,
		     bool joliet)
{
	memset(b, 0, 2048);
	b[0] = joliet ? 2 : 1;
	memcpy(b + 1, "CD001", 5);
	b[6] = 1;
	if (joliet) {
		ucs2_field(b + 8, 32, mk);
		ucs2_field(b + 40, 32, mk);
		memcpy(b + 88, "%/E", 3);
	} else {
		str_field(b + 8, 32, "LINUX");
		str_field(b + 40, 32, mk->label);
	}
	iso_both32(b + 80, (uint32_t)mk->total);
	iso_both16(b + 120, 1);
	iso_both16(b + 124, 1);
	iso_both16(b + 128, 2048);
	iso_both32(b + 132, t->pt_size);
	put_le32(b + 140, t->pt_l);
	put_be32(b + 148, t->pt_m);
	const struct iso_dir *r = &t->dirs[0];
	const uint8_t root = 0;
	put_rec(b + 156, r->sector, r->size, 2, &root, 1, NULL, 0,
		r->node->ino->mtime.tv_sec, mk->tz);
	if (joliet) {
		for (int f = 0; f < 4; f++)
			ucs2_field(b + 190 + 128 * f, 128, mk);
		for (int f = 0; f < 3; f++)
			memset(b + 702 + 37 * f, 0, 37);
	} else {
		str_field(b + 190, 128, mk->label);
		str_field(b + 318, 128, "");
		str_field(b + 446, 128, "");
		str_field(b + 574, 128, "DISCFS");
		str_field(b + 702, 37 * 3, "");
	}
	date17(b + 813, mk->now, mk->tz);
	date17(b + 830, mk->now, mk->tz);
	memset(b + 847, '0', 16);
	memset(b + 864, '0', 16);
	b[881] = 1;
}

bool mk_iso_volume_block(const struct udf_mk *mk, uint64_t sector, uint8_t *blk)
{
	const struct mk_iso *is = mk->isoplan;
	if (!is || sector < 16 || sector >= 16 + mk_iso_vd_count(mk))
		return false;
	uint64_t s = 16;
	if (sector == s++) {
		build_vd(mk, &is->iso, blk, false);
		return true;
	}
	if (is->catalog && sector == s++) {
		iso_boot_record(blk, is->catalog);
		return true;
	}
	if (mk->joliet && sector == s++) {
		build_vd(mk, &is->jol, blk, true);
		return true;
	}
	memset(blk, 0, 2048);
	blk[0] = 255;
	memcpy(blk + 1, "CD001", 5);
	blk[6] = 1;
	return true;
}
