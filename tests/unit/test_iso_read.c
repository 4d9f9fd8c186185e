/*
 * tests/unit/test_iso_read.c - the ISO9660 reader (udf/iso_read.h):
 * names from Rock Ridge over Joliet over plain identifiers, attributes,
 * symlinks, multi-extent files, the public reader's fallback to ISO9660,
 * images of our own writer read through their ISO tree, and hostile
 * images built by hand: truncated descriptors, directory loops, short and
 * overrunning records, extents beyond the volume, continuation loops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discfs.h"
#include "udf/iso_read.h"
#include "util/bytes.h"

#define BS 2048u
#define NBLK 64u
#define ROOT 20u   /* root directory block of hand-built images */
#define JROOT 22u  /* Joliet root directory */

/* ------------------------------------------------------ hand-built images */

struct img {
	uint8_t *p;
	uint32_t blocks;
};

static struct img img_new(void)
{
	struct img m = { calloc(NBLK, BS), NBLK };
	assert_non_null(m.p);
	return m;
}

static uint8_t *blk(struct img *m, uint32_t b)
{
	return m->p + (size_t)b * BS;
}

/* Writes a directory record at p; returns its length. */
static unsigned rec(uint8_t *p, uint32_t lba, uint32_t size, uint8_t flags,
		    const void *id, unsigned idlen, const void *su,
		    unsigned sulen)
{
	static const uint8_t date[7] = { 120, 6, 15, 12, 30, 0, 8 }; /* +2h */
	unsigned len = 33 + idlen + !(idlen & 1) + sulen;
	len += len & 1;
	memset(p, 0, len);
	p[0] = (uint8_t)len;
	put_le32(p + 2, lba);
	put_be32(p + 6, lba);
	put_le32(p + 10, size);
	put_be32(p + 14, size);
	memcpy(p + 18, date, 7);
	p[25] = flags;
	p[28] = 1;
	p[32] = (uint8_t)idlen;
	memcpy(p + 33, id, idlen);
	if (sulen)
		memcpy(p + 33 + idlen + !(idlen & 1), su, sulen);
	return len;
}

/* A directory being filled: records never cross a sector end. */
struct dir {
	struct img *m;
	uint32_t lba;
	size_t off;
};

static void add_id(struct dir *d, uint32_t lba, uint32_t size, uint8_t flags,
		   const char *id, unsigned idlen, const void *su,
		   unsigned sulen)
{
	uint8_t tmp[256];
	unsigned n = rec(tmp, lba, size, flags, id, idlen, su, sulen);
	if (d->off % BS + n > BS)
		d->off = (d->off / BS + 1) * BS;
	memcpy(blk(d->m, d->lba) + d->off, tmp, n);
	d->off += n;
}

static void add(struct dir *d, uint32_t lba, uint32_t size, uint8_t flags,
		const char *id, const void *su, unsigned sulen)
{
	add_id(d, lba, size, flags, id, (unsigned)strlen(id), su, sulen);
}

static struct dir dir_new(struct img *m, uint32_t lba, uint32_t parent,
			  const void *dot_su, unsigned dot_su_len)
{
	struct dir d = { m, lba, 0 };
	add_id(&d, lba, BS, 2, "\0", 1, dot_su, dot_su_len);
	add_id(&d, parent, BS, 2, "\1", 1, NULL, 0);
	return d;
}

static void vd(struct img *m, uint32_t b, uint8_t type, uint32_t root,
	       bool joliet)
{
	uint8_t *p = blk(m, b);
	p[0] = type;
	memcpy(p + 1, "CD001", 5);
	p[6] = 1;
	memset(p + 40, ' ', 32);
	memcpy(p + 40, "HANDMADE", 8);
	put_le32(p + 80, m->blocks);
	put_le16(p + 128, BS);
	rec(p + 156, root, BS, 2, "\0", 1, NULL, 0);
	if (joliet)
		memcpy(p + 88, "%/E", 3);
}

static void term(struct img *m, uint32_t b)
{
	uint8_t *p = blk(m, b);
	p[0] = 255;
	memcpy(p + 1, "CD001", 5);
	p[6] = 1;
}

/* PVD at 16, terminator at 17, an empty root at ROOT. */
static struct dir plain_img(struct img *m)
{
	*m = img_new();
	vd(m, 16, 1, ROOT, false);
	term(m, 17);
	return dir_new(m, ROOT, ROOT, NULL, 0);
}

static void put_data(struct img *m, uint32_t b, const char *s)
{
	memcpy(blk(m, b), s, strlen(s));
}

static int mread(void *ctx, uint64_t lba, uint32_t n, void *buf,
		 discfs_error *err)
{
	struct img *m = ctx;
	(void)err;
	memcpy(buf, m->p + lba * BS, (size_t)n * BS);
	return 0;
}

static struct udf_bsrc msrc(struct img *m)
{
	return (struct udf_bsrc){ .ctx = m, .block_size = BS,
				  .n_blocks = m->blocks,
				  .last_recorded = UINT64_MAX, .read = mread };
}

static struct iso_vol *open_ok(struct img *m)
{
	struct udf_bsrc s = msrc(m);
	struct iso_vol *v = NULL;
	discfs_error e = { 0 };
	if (iso_vol_open(&s, 0, &v, &e))
		fail_msg("iso_vol_open: %s", e.msg);
	return v;
}

struct names {
	char s[1024];
};

static int name_cb(void *arg, const char *name, const struct iso_node *n)
{
	struct names *x = arg;
	(void)n;
	if (x->s[0])
		strcat(x->s, ",");
	strcat(x->s, name);
	return 0;
}

/* Names of a directory, comma-separated, or the error. */
static int list(struct iso_vol *v, const char *path, struct names *out,
		discfs_error *e)
{
	struct iso_node *d;
	memset(out, 0, sizeof(*out));
	int rc = iso_lookup(v, path, &d, e);
	if (rc)
		return rc;
	rc = iso_readdir(v, d, name_cb, out, e);
	iso_node_free(d);
	return rc;
}

static void read_all(struct iso_vol *v, const char *path, char *buf,
		     size_t cap, size_t *got)
{
	struct iso_node *n;
	discfs_error e = { 0 };
	if (iso_lookup(v, path, &n, &e))
		fail_msg("%s: %s", path, e.msg);
	assert_int_equal(iso_read(v, n, 0, buf, cap, got, &e), 0);
	iso_node_free(n);
}

/* --------------------------------------------------------- good images */

static void plain_names_lose_version_and_trailing_dot(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	add(&r, 30, 5, 0, "README.;1", NULL, 0);
	add(&r, 21, BS, 2, "DOCS", NULL, 0);
	struct dir sub = dir_new(&m, 21, ROOT, NULL, 0);
	add(&sub, 31, 3, 0, "A.TXT;1", NULL, 0);
	put_data(&m, 30, "hello");
	put_data(&m, 31, "abc");
	struct iso_vol *v = open_ok(&m);
	struct names n;
	discfs_error e = { 0 };
	char buf[16];
	size_t got;

	assert_int_equal(iso_vol_info(v)->names, ISO_NAMES_PLAIN);
	assert_string_equal(iso_vol_info(v)->vol_ident, "HANDMADE");
	assert_int_equal(list(v, "/", &n, &e), 0);
	assert_string_equal(n.s, "README,DOCS");
	read_all(v, "DOCS/A.TXT", buf, sizeof buf, &got);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "abc", 3);
	read_all(v, "/DOCS/../README", buf, sizeof buf, &got);
	assert_int_equal(got, 5);
	struct iso_node *x;
	assert_int_equal(iso_lookup(v, "nothere", &x, &e), -DISCFS_ENOENT);
	assert_int_equal(iso_lookup(v, "README/x", &x, &e), -DISCFS_ENOENT);
	assert_int_equal(iso_lookup(v, "README", &x, &e), 0);
	/* no Rock Ridge: read-only modes, owner unknown, date with its zone */
	assert_int_equal(x->mode, S_IFREG | 0444);
	assert_int_equal(x->uid, 0xFFFFFFFFu);
	assert_int_equal(x->mtime.tv_sec, 1592224200 - 2 * 3600);
	iso_node_free(x);
	iso_vol_close(v);
	free(m.p);
}

static void joliet_names_with_slash_and_nul_are_shown_escaped(void **state)
{
	(void)state;
	struct img m = img_new();
	vd(&m, 16, 1, ROOT, false);
	vd(&m, 17, 2, JROOT, true);
	term(&m, 18);
	struct dir r = dir_new(&m, ROOT, ROOT, NULL, 0);
	add(&r, 30, 5, 0, "A;1", NULL, 0);
	struct dir j = dir_new(&m, JROOT, JROOT, NULL, 0);
	/* "a/b<NUL>c;1" in UCS-2 big-endian */
	const char ucs[] = { 0, 'a', 0, '/', 0, 'b', 0, 0, 0, 'c', 0, ';', 0, '1' };
	uint8_t tmp[128];
	unsigned n = rec(tmp, 30, 5, 0, ucs, sizeof(ucs), NULL, 0);
	memcpy(blk(&m, JROOT) + j.off, tmp, n);
	put_data(&m, 30, "hello");
	struct iso_vol *v = open_ok(&m);
	struct names nm;
	discfs_error e = { 0 };
	struct iso_node *x = NULL;

	assert_int_equal(list(v, "/", &nm, &e), 0);
	assert_string_equal(nm.s, "a%2Fb%00c");
	assert_int_equal(iso_lookup(v, "a%2Fb%00c", &x, &e), 0);
	assert_int_equal(x->size, 5);
	iso_node_free(x);
	iso_vol_close(v);
	free(m.p);
}

static void joliet_names_are_preferred_over_plain(void **state)
{
	(void)state;
	struct img m = img_new();
	vd(&m, 16, 1, ROOT, false);
	vd(&m, 17, 2, JROOT, true);
	term(&m, 18);
	struct dir r = dir_new(&m, ROOT, ROOT, NULL, 0);
	add(&r, 30, 5, 0, "LONGNAME.TXT;1", NULL, 0);
	struct dir j = dir_new(&m, JROOT, JROOT, NULL, 0);
	/* "Ünïcode name.txt;1" in UCS-2 big-endian */
	const char *u = "\xc3\x9c" "n" "\xc3\xaf" "code name.txt;1";
	char ucs[64] = { 0 };
	unsigned k = 0;
	for (const unsigned char *c = (const void *)u; *c; c++) {
		unsigned cp = *c;
		if (cp >= 0xC0) {
			cp = ((cp & 0x1F) << 6) | (c[1] & 0x3F);
			c++;
		}
		ucs[k++] = (char)(cp >> 8);
		ucs[k++] = (char)cp;
	}
	uint8_t tmp[128];
	unsigned n = rec(tmp, 30, 5, 0, ucs, k, NULL, 0);
	memcpy(blk(&m, JROOT) + j.off, tmp, n);
	put_data(&m, 30, "hello");
	struct iso_vol *v = open_ok(&m);
	struct names nm;
	discfs_error e = { 0 };

	assert_int_equal(iso_vol_info(v)->names, ISO_NAMES_JOLIET);
	assert_int_equal(list(v, "/", &nm, &e), 0);
	assert_string_equal(nm.s, "\xc3\x9c" "n" "\xc3\xaf" "code name.txt");
	iso_vol_close(v);
	free(m.p);
}

/* SUSP entry builders */
static unsigned sp(uint8_t *p)
{
	memcpy(p, "SP\x07\x01\xBE\xEF\x00", 7);
	return 7;
}

static unsigned nm(uint8_t *p, uint8_t flags, const char *name)
{
	size_t l = strlen(name);
	p[0] = 'N'; p[1] = 'M'; p[2] = (uint8_t)(5 + l); p[3] = 1; p[4] = flags;
	memcpy(p + 5, name, l);
	return (unsigned)(5 + l);
}

static unsigned px(uint8_t *p, uint32_t mode, uint32_t uid, uint32_t gid)
{
	memset(p, 0, 44);
	p[0] = 'P'; p[1] = 'X'; p[2] = 44; p[3] = 1;
	put_le32(p + 4, mode); put_be32(p + 8, mode);
	put_le32(p + 12, 1); put_be32(p + 16, 1);
	put_le32(p + 20, uid); put_be32(p + 24, uid);
	put_le32(p + 28, gid); put_be32(p + 32, gid);
	return 44;
}

static unsigned tf_mtime(uint8_t *p)
{
	static const uint8_t t[7] = { 100, 1, 1, 0, 0, 0, 0 }; /* 2000-01-01 */
	p[0] = 'T'; p[1] = 'F'; p[2] = 12; p[3] = 1; p[4] = 0x02;
	memcpy(p + 5, t, 7);
	return 12;
}

static unsigned ce(uint8_t *p, uint32_t b, uint32_t off, uint32_t len)
{
	memset(p, 0, 28);
	p[0] = 'C'; p[1] = 'E'; p[2] = 28; p[3] = 1;
	put_le32(p + 4, b); put_be32(p + 8, b);
	put_le32(p + 12, off); put_be32(p + 16, off);
	put_le32(p + 20, len); put_be32(p + 24, len);
	return 28;
}

/* Rock Ridge root (SP in "."), plus a Joliet tree that must lose. */
static struct dir rr_img(struct img *m)
{
	uint8_t su[8];
	unsigned n = sp(su);
	*m = img_new();
	vd(m, 16, 1, ROOT, false);
	vd(m, 17, 2, JROOT, true);
	term(m, 18);
	dir_new(m, JROOT, JROOT, NULL, 0);
	return dir_new(m, ROOT, ROOT, su, n);
}

static void rock_ridge_gives_names_modes_times_and_symlinks(void **state)
{
	(void)state;
	struct img m;
	struct dir r = rr_img(&m);
	uint8_t su[200];
	unsigned n = 0;

	n += nm(su + n, 0x01, "first-part-");
	n += nm(su + n, 0, "second part.txt");
	n += px(su + n, S_IFREG | 0640, 1000, 100);
	n += tf_mtime(su + n);
	add(&r, 30, 5, 0, "FIRST_PA.TXT;1", su, n);
	/* symlink /usr/../x in two SL entries, the first one continued */
	n = nm(su, 0, "link");
	n += px(su + n, S_IFLNK | 0777, 0, 0);
	const uint8_t sl1[] = { 'S', 'L', 14, 1, 0x01, 0x08, 0, 0, 3, 'u', 's', 'r',
				0, 0 };
	memcpy(su + n, sl1, 12);
	su[n + 2] = 12;
	n += 12;
	const uint8_t sl2[] = { 'S', 'L', 10, 1, 0, 0x04, 0, 0, 1, 'x' };
	memcpy(su + n, sl2, sizeof sl2);
	n += sizeof sl2;
	add(&r, 0, 0, 0, "LINK;1", su, n);
	put_data(&m, 30, "hello");
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	struct iso_node *x;
	char link[64];

	assert_int_equal(iso_vol_info(v)->names, ISO_NAMES_RR);
	assert_true(iso_vol_info(v)->has_joliet);
	assert_int_equal(list(v, "/", &names, &e), 0);
	assert_string_equal(names.s, "first-part-second part.txt,link");
	assert_int_equal(iso_lookup(v, "first-part-second part.txt", &x, &e), 0);
	assert_int_equal(x->mode, S_IFREG | 0640);
	assert_int_equal(x->uid, 1000);
	assert_int_equal(x->gid, 100);
	assert_int_equal(x->mtime.tv_sec, 946684800);
	assert_int_equal(x->size, 5);
	iso_node_free(x);
	assert_int_equal(iso_lookup(v, "link", &x, &e), 0);
	assert_true(S_ISLNK(x->mode));
	assert_int_equal(iso_readlink(x, link, sizeof link, &e), 0);
	assert_string_equal(link, "/usr/../x");
	assert_int_equal(x->size, strlen("/usr/../x"));
	assert_int_equal(iso_readlink(x, link, 4, &e), -DISCFS_EINVAL);
	iso_node_free(x);
	iso_vol_close(v);
	free(m.p);
}

static void unsafe_rock_ridge_names_are_shown_escaped(void **state)
{
	(void)state;
	struct img m;
	struct dir r = rr_img(&m);
	uint8_t su[64];
	add(&r, 0, 0, 0, "A;1", su, nm(su, 0, "a/b"));
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	assert_int_equal(list(v, "/", &names, &e), 0);
	assert_string_equal(names.s, "a%2Fb");
	iso_vol_close(v);

	add(&r, 0, 0, 0, "B;1", su, nm(su, 0, ".."));
	add(&r, 0, 0, 0, "C;1", su, nm(su, 0, "100%2F"));
	v = open_ok(&m);
	assert_int_equal(list(v, "/", &names, &e), 0);
	assert_string_equal(names.s, "a%2Fb,%2E%2E,100%252F");
	struct iso_node *x = NULL;
	assert_int_equal(iso_lookup(v, "%2E%2E", &x, &e), 0);
	iso_node_free(x);
	assert_int_equal(iso_lookup(v, "a%2Fb", &x, &e), 0);
	iso_node_free(x);
	iso_vol_close(v);
	free(m.p);
}

static void the_session_given_is_the_one_read(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	add(&r, 30, 1, 0, "OLD;1", NULL, 0);
	/* a second session starting at block 32: descriptors at 48, 49 */
	vd(&m, 48, 1, 50, false);
	term(&m, 49);
	struct dir r2 = dir_new(&m, 50, 50, NULL, 0);
	add(&r2, 30, 1, 0, "OLD;1", NULL, 0);
	add(&r2, 31, 1, 0, "NEW;1", NULL, 0);
	struct udf_bsrc s = msrc(&m);
	struct iso_vol *v = NULL;
	struct names names;
	discfs_error e = { 0 };

	assert_true(iso_probe(&s, 32));
	assert_false(iso_probe(&s, 34)); /* block 50: a directory */
	assert_int_equal(iso_vol_open(&s, 32, &v, &e), 0);
	assert_int_equal(iso_vol_info(v)->session_start, 32);
	assert_int_equal(list(v, "/", &names, &e), 0);
	assert_string_equal(names.s, "OLD,NEW");
	iso_vol_close(v);
	v = open_ok(&m);
	assert_int_equal(list(v, "/", &names, &e), 0);
	assert_string_equal(names.s, "OLD");
	iso_vol_close(v);
	free(m.p);
}

static void multi_extent_files_read_across_their_extents(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	add(&r, 30, BS, 0x80, "BIG;1", NULL, 0);
	add(&r, 40, 100, 0, "BIG;1", NULL, 0);
	add(&r, 41, 1, 0, "SMALL;1", NULL, 0);
	memset(blk(&m, 30), 'A', BS);
	memset(blk(&m, 40), 'B', 100);
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	char *buf = malloc(4096);
	size_t got;

	assert_int_equal(list(v, "/", &names, &e), 0);
	assert_string_equal(names.s, "BIG,SMALL");
	read_all(v, "BIG", buf, 4096, &got);
	assert_int_equal(got, BS + 100);
	assert_int_equal(buf[BS - 1], 'A');
	assert_int_equal(buf[BS], 'B');
	assert_int_equal(buf[BS + 99], 'B');
	/* a read spanning the two extents, from the middle */
	struct iso_node *x;
	assert_int_equal(iso_lookup(v, "BIG", &x, &e), 0);
	assert_int_equal(iso_read(v, x, BS - 2, buf, 4, &got, &e), 0);
	assert_int_equal(got, 4);
	assert_memory_equal(buf, "AABB", 4);
	assert_int_equal(iso_read(v, x, BS + 100, buf, 4, &got, &e), 0);
	assert_int_equal(got, 0);
	iso_node_free(x);
	free(buf);
	iso_vol_close(v);
	free(m.p);
}

/* ------------------------------------------------------- hostile images */

static void unfinished_multi_extent_file_is_refused(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	add(&r, 30, BS, 0x80, "BIG;1", NULL, 0);
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	assert_int_equal(list(v, "/", &names, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "multi-extent"));
	iso_vol_close(v);
	free(m.p);
}

static void interleaved_files_are_refused_clearly(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	size_t at = r.off;
	add(&r, 30, BS, 0, "IL;1", NULL, 0);
	blk(&m, ROOT)[at + 26] = 1;
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	assert_int_equal(list(v, "/", &names, &e), -DISCFS_ENOTSUP);
	assert_non_null(strstr(e.msg, "interleaved"));
	iso_vol_close(v);
	free(m.p);
}

static void truncated_or_missing_descriptors_fail_cleanly(void **state)
{
	(void)state;
	struct img m;
	plain_img(&m);
	struct iso_vol *v = NULL;
	discfs_error e = { 0 };

	/* the image ends before the PVD */
	m.blocks = 16;
	struct udf_bsrc s = msrc(&m);
	assert_false(iso_probe(&s, 0));
	assert_int_equal(iso_vol_open(&s, 0, &v, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "no primary volume descriptor"));
	/* a root record shorter than a directory record */
	m.blocks = NBLK;
	blk(&m, 16)[156] = 20;
	s = msrc(&m);
	assert_true(iso_probe(&s, 0));
	assert_int_equal(iso_vol_open(&s, 0, &v, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "length 20"));
	/* a logical block size we do not read */
	blk(&m, 16)[156] = 34;
	put_le16(blk(&m, 16) + 128, 512);
	s = msrc(&m);
	assert_int_equal(iso_vol_open(&s, 0, &v, &e), -DISCFS_ENOTSUP);
	/* no terminator, descriptors to the end of the image: bounded scan */
	put_le16(blk(&m, 16) + 128, BS);
	for (uint32_t b = 17; b < NBLK; b++) {
		blk(&m, b)[0] = 0; /* boot records, say */
		memcpy(blk(&m, b) + 1, "CD001\1", 6);
	}
	s = msrc(&m);
	assert_int_equal(iso_vol_open(&s, 0, &v, &e), 0);
	iso_vol_close(v);
	free(m.p);
}

static int count_cb(void *arg, const char *rel, const struct iso_node *n)
{
	(void)rel;
	(void)n;
	++*(unsigned *)arg;
	return 0;
}

static void directory_loops_are_found(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	add(&r, 21, BS, 2, "SUB", NULL, 0);
	struct dir sub = dir_new(&m, 21, ROOT, NULL, 0);
	add(&sub, ROOT, BS, 2, "BACK", NULL, 0); /* back to the root */
	struct iso_vol *v = open_ok(&m);
	discfs_error e = { 0 };
	unsigned n = 0;
	assert_int_equal(iso_walk(v, "/", count_cb, &n, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "loop"));
	assert_true(n <= 3);
	iso_vol_close(v);
	free(m.p);
}

static void directories_reached_twice_are_refused(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	/* two names for one directory: a walk would read it twice, and a
	 * few such levels make it exponential */
	add(&r, 21, BS, 2, "ONE", NULL, 0);
	add(&r, 21, BS, 2, "TWO", NULL, 0);
	dir_new(&m, 21, ROOT, NULL, 0);
	struct iso_vol *v = open_ok(&m);
	discfs_error e = { 0 };
	unsigned n = 0;
	assert_int_equal(iso_walk(v, "/", count_cb, &n, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "reached twice"));
	iso_vol_close(v);
	free(m.p);
}

static void zero_length_byte_ends_the_sector_not_the_directory(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	uint8_t *root = blk(&m, ROOT);
	add(&r, 30, 1, 0, "A;1", NULL, 0);
	/* after a zero byte, junk in the same sector is never parsed */
	rec(root + r.off + 10, 30, 1, 0, "HIDDEN;1", 8, NULL, 0);
	root[r.off + 10] = 3; /* would be a bad record length */
	/* the directory goes on in its second sector */
	put_le32(blk(&m, 16) + 156 + 10, 2 * BS);
	put_le32(root + 10, 2 * BS);
	r.off = BS;
	add(&r, 31, 1, 0, "B;1", NULL, 0);
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	assert_int_equal(list(v, "/", &names, &e), 0);
	assert_string_equal(names.s, "A,B");
	iso_vol_close(v);
	free(m.p);
}

static void bad_records_are_refused_with_where(void **state)
{
	(void)state;
	static const struct {
		unsigned off, val;
		const char *msg;
	} cases[] = {
		{ 32, 60, "overruns" },  /* name longer than the record */
		{ 0, 20, "length 20" },  /* record shorter than 34 bytes */
		{ 0, 0, "sector" },      /* record past the directory's end */
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct img m;
		struct dir r = plain_img(&m);
		size_t at = r.off;
		add(&r, 30, 1, 0, "A;1", NULL, 0);
		if (cases[i].val) /* a bad byte */
			blk(&m, ROOT)[at + cases[i].off] = (uint8_t)cases[i].val;
		else /* the directory ends in the middle of the record */
			put_le32(blk(&m, 16) + 156 + 10, (uint32_t)at + 20);
		struct iso_vol *v = open_ok(&m);
		struct names names;
		discfs_error e = { 0 };
		assert_int_equal(list(v, "/", &names, &e), -DISCFS_EFORMAT);
		if (!strstr(e.msg, cases[i].msg) || !strstr(e.msg, "byte"))
			fail_msg("case %u: %s", i, e.msg);
		iso_vol_close(v);
		free(m.p);
	}
}

static void extents_beyond_the_volume_are_refused(void **state)
{
	(void)state;
	struct img m;
	struct dir r = plain_img(&m);
	add(&r, NBLK - 1, 2 * BS, 0, "A;1", NULL, 0);
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	assert_int_equal(list(v, "/", &names, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "beyond the end"));
	iso_vol_close(v);
	/* a root directory beyond the end: refused at open */
	put_le32(blk(&m, 16) + 156 + 2, 5000);
	struct udf_bsrc s = msrc(&m);
	assert_int_equal(iso_vol_open(&s, 0, &v, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "root directory"));
	free(m.p);
}

static void continuation_loops_and_huge_areas_are_bounded(void **state)
{
	(void)state;
	struct img m;
	struct dir r = rr_img(&m);
	uint8_t su[64];
	size_t at = r.off;
	/* a continuation area that continues into itself */
	add(&r, 0, 0, 0, "A;1", su, ce(su, 40, 0, 28));
	ce(blk(&m, 40), 40, 0, 28);
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	assert_int_equal(list(v, "/", &names, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "continuation"));
	iso_vol_close(v);
	/* one of 1 GiB */
	ce(blk(&m, ROOT) + at + 36, 40, 0, 1u << 30);
	v = open_ok(&m);
	assert_int_equal(list(v, "/", &names, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "too big"));
	iso_vol_close(v);
	free(m.p);
}

static void overlong_names_are_refused(void **state)
{
	(void)state;
	struct img m;
	struct dir r = rr_img(&m);
	uint8_t su[256];
	char piece[151];
	memset(piece, 'n', 150);
	piece[150] = 0;
	/* NM pieces chained through continuation areas past ISO_MAX_NAME */
	unsigned n = nm(su, 1, piece);
	n += ce(su + n, 40, 0, 240);
	add(&r, 0, 0, 0, "A;1", su, n);
	for (unsigned i = 0; i < 8; i++) {
		uint8_t *a = blk(&m, 40 + i);
		unsigned k = nm(a, 1, piece);
		ce(a + k, 41 + i, 0, 240);
	}
	struct iso_vol *v = open_ok(&m);
	struct names names;
	discfs_error e = { 0 };
	assert_int_equal(list(v, "/", &names, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "longer than"));
	iso_vol_close(v);
	free(m.p);
}

/* --------------------------------------- our writer, the public reader */

struct mem {
	uint8_t *p;
	uint64_t blocks;
};

static int mem_sink(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
		    discfs_error *err)
{
	struct mem *m = ctx;
	(void)err;
	m->p = realloc(m->p, (size_t)(lba + n) * BS);
	memcpy(m->p + lba * BS, data, (size_t)n * BS);
	m->blocks = lba + n;
	return 0;
}

static void put_file(const char *dir, const char *name, const char *content)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void our_bridge_images_read_through_their_iso_tree(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_iso_read.XXXXXX", p[4200];
	assert_non_null(mkdtemp(tmpl));
	put_file(tmpl, "hello.txt", "hello world\n");
	snprintf(p, sizeof p, "%s/sub", tmpl);
	assert_int_equal(mkdir(p, 0750), 0);
	put_file(tmpl, "sub/Mixed Case name.data", "abc");
	snprintf(p, sizeof p, "%s/sub/ln", tmpl);
	assert_int_equal(symlink("../hello.txt", p), 0);
	snprintf(p, sizeof p, "%s/hello.txt", tmpl);
	assert_int_equal(chmod(p, 0640), 0);

	discfs_image_options o;
	discfs_image_options_init(&o);
	o.iso9660 = o.joliet = true;
	o.fixed_time_set = true;
	o.fixed_time = 1700000000;
	discfs_image *img;
	discfs_error e = { 0 };
	struct mem mm = { 0 };
	if (discfs_image_open(tmpl, &o, &img, &e) ||
	    discfs_image_produce(img, mem_sink, &mm, &e))
		fail_msg("mkimage: %s", e.msg);
	discfs_image_free(img);

	struct img m = { mm.p, (uint32_t)mm.blocks };
	struct iso_vol *v = open_ok(&m);
	struct names names;
	struct iso_node *x;
	char buf[64];
	size_t got;

	assert_int_equal(iso_vol_info(v)->names, ISO_NAMES_RR);
	assert_int_equal(list(v, "/sub", &names, &e), 0);
	assert_non_null(strstr(names.s, "Mixed Case name.data"));
	assert_non_null(strstr(names.s, "ln"));
	read_all(v, "hello.txt", buf, sizeof buf, &got);
	assert_int_equal(got, 12);
	assert_memory_equal(buf, "hello world\n", 12);
	struct stat sst;
	snprintf(p, sizeof p, "%s/hello.txt", tmpl);
	assert_int_equal(stat(p, &sst), 0);
	assert_int_equal(iso_lookup(v, "hello.txt", &x, &e), 0);
	assert_int_equal(x->mode, S_IFREG | 0640);
	assert_int_equal(x->mtime.tv_sec, sst.st_mtime);
	iso_node_free(x);
	assert_int_equal(iso_lookup(v, "sub", &x, &e), 0);
	assert_int_equal(x->mode, S_IFDIR | 0750);
	iso_node_free(x);
	assert_int_equal(iso_lookup(v, "sub/ln", &x, &e), 0);
	assert_int_equal(iso_readlink(x, buf, sizeof buf, &e), 0);
	assert_string_equal(buf, "../hello.txt");
	iso_node_free(x);
	unsigned n = 0;
	assert_int_equal(iso_walk(v, "/", count_cb, &n, &e), 0);
	assert_int_equal(n, 5); /* root, hello.txt, sub, its file and link */
	iso_vol_close(v);
	free(mm.p);
	snprintf(p, sizeof p, "rm -rf '%s'", tmpl);
	assert_int_equal(system(p), 0);
}

static int pub_count(void *user, const char *name, const discfs_stat *st)
{
	(void)name;
	(void)st;
	++*(unsigned *)user;
	return 0;
}

static void public_reader_falls_back_to_iso9660(void **state)
{
	(void)state;
	struct img m;
	struct dir r = rr_img(&m);
	uint8_t su[64];
	add(&r, 30, 5, 0, "F;1", su, nm(su, 0, "file"));
	put_data(&m, 30, "hello");
	char path[] = "/tmp/test_iso_read_img.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, m.p, (size_t)NBLK * BS), (ssize_t)NBLK * BS);
	close(fd);

	discfs_volume *vol;
	discfs_volume_info vi;
	discfs_stat st;
	discfs_file *f;
	discfs_error e = { 0 };
	char buf[8];
	size_t got;
	unsigned n = 0;
	if (discfs_volume_open(path, &vol, &e))
		fail_msg("open: %s", e.msg);
	discfs_volume_info_get(vol, &vi);
	assert_int_equal(vi.format, DISCFS_VOLUME_ISO9660);
	assert_int_equal(vi.iso_names, DISCFS_ISO_NAMES_ROCK_RIDGE);
	assert_string_equal(vi.volume_id, "HANDMADE");
	assert_int_equal(vi.free_blocks, UINT64_MAX);
	assert_int_equal(discfs_volume_stat(vol, "/file", &st, &e), 0);
	assert_int_equal(st.size, 5);
	assert_int_equal(discfs_volume_readdir(vol, "/", pub_count, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(discfs_volume_walk(vol, "/", pub_count, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(discfs_file_open(vol, "/", &f, &e), -DISCFS_EINVAL);
	assert_int_equal(discfs_file_open(vol, "/nope", &f, &e), -DISCFS_ENOENT);
	assert_int_equal(discfs_file_open(vol, "/file", &f, &e), 0);
	assert_int_equal(discfs_file_read(f, 1, buf, sizeof buf, &got, &e), 0);
	assert_int_equal(got, 4);
	assert_memory_equal(buf, "ello", 4);
	discfs_file_close(f);
	discfs_volume_close(vol);

	/* neither UDF nor ISO9660: the UDF reader's error stands */
	memset(m.p + 16 * BS, 0, BS);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, m.p, (size_t)NBLK * BS), (ssize_t)NBLK * BS);
	close(fd);
	assert_int_equal(discfs_volume_open(path, &vol, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "anchor"));
	unlink(path);
	free(m.p);
}

static void iso_dates_convert_with_their_zone(void **state)
{
	(void)state;
	const uint8_t d7[7] = { 70, 1, 1, 1, 0, 0, 4 };   /* 01:00 at +1h */
	const uint8_t none[7] = { 0 };
	uint8_t d17[17];
	memcpy(d17, "2000010100000000", 16);
	d17[16] = (uint8_t)-8;                        /* -2h */
	assert_int_equal(iso_time7(d7), 0);
	assert_int_equal(iso_time7(none), 0);
	assert_int_equal(iso_time17(d17), 946684800 + 7200);
	memcpy(d17, "0000000000000000", 16);
	assert_int_equal(iso_time17(d17), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_names_lose_version_and_trailing_dot),
		cmocka_unit_test(joliet_names_are_preferred_over_plain),
		cmocka_unit_test(joliet_names_with_slash_and_nul_are_shown_escaped),
		cmocka_unit_test(rock_ridge_gives_names_modes_times_and_symlinks),
		cmocka_unit_test(unsafe_rock_ridge_names_are_shown_escaped),
		cmocka_unit_test(the_session_given_is_the_one_read),
		cmocka_unit_test(multi_extent_files_read_across_their_extents),
		cmocka_unit_test(unfinished_multi_extent_file_is_refused),
		cmocka_unit_test(interleaved_files_are_refused_clearly),
		cmocka_unit_test(truncated_or_missing_descriptors_fail_cleanly),
		cmocka_unit_test(directory_loops_are_found),
		cmocka_unit_test(directories_reached_twice_are_refused),
		cmocka_unit_test(zero_length_byte_ends_the_sector_not_the_directory),
		cmocka_unit_test(bad_records_are_refused_with_where),
		cmocka_unit_test(extents_beyond_the_volume_are_refused),
		cmocka_unit_test(continuation_loops_and_huge_areas_are_bounded),
		cmocka_unit_test(overlong_names_are_refused),
		cmocka_unit_test(our_bridge_images_read_through_their_iso_tree),
		cmocka_unit_test(public_reader_falls_back_to_iso9660),
		cmocka_unit_test(iso_dates_convert_with_their_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
