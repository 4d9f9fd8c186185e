/*
 * udf/iso_read_rr.c - System Use Sharing Protocol entries of a directory
 * record and the Rock Ridge entries among them (RRIP 1.10/1.12): NM
 * names, PX attributes, SL symlinks, TF times, CL/RE relocation.  CE
 * continuation areas are followed, at most ISO_MAX_CE per record.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/iso_read_int.h"
#include "util/bytes.h"
#include "util/err.h"

bool iso_rr_find_sp(const uint8_t *su, size_t len, uint8_t *skip)
{
	if (len < 7 || su[0] != 'S' || su[1] != 'P' || su[2] < 7 ||
	    su[4] != 0xBE || su[5] != 0xEF)
		return false;
	*skip = su[6];
	return true;
}

struct rr_state {
	struct iso_rr *out;
	uint64_t pos;           /* of the record, for messages */
	bool ce;                /* a continuation area is pending */
	uint32_t ce_lba, ce_off, ce_len;
	bool sl_done;           /* the last SL entry did not continue */
	bool sl_comp_cont;      /* the last component continues */
};


static int append(char *buf, size_t *len, const void *p, size_t n)
{
	if (*len + n > ISO_MAX_NAME)
		return -1;
	memcpy(buf + *len, p, n);
	*len += n;
	buf[*len] = 0;
	return 0;
}

static int nm(struct rr_state *s, const uint8_t *e, size_t n,
	      discfs_error *err)
{
	struct iso_rr *o = s->out;
	if (n < 5)
		return 0;
	if (e[4] & 0x06) /* CURRENT / PARENT: "." and ".." */
		return 0;
	if (append(o->name, &o->name_len, e + 5, n - 5) < 0)
		return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: Rock Ridge name "
				"of the record at byte %llu is longer than %u bytes",
				(unsigned long long)s->pos, ISO_MAX_NAME);
	o->has_name = true;
	return 0;
}

static int sl(struct rr_state *s, const uint8_t *e, size_t n,
	      discfs_error *err)
{
	struct iso_rr *o = s->out;
	if (n < 5)
		return 0;
	if (o->has_link && s->sl_done) /* a second symlink body: ignored */
		return 0;
	o->has_link = true;
	for (size_t i = 5; i + 2 <= n;) {
		uint8_t cf = e[i], cl = e[i + 1];
		const uint8_t *c = e + i + 2;
		int rc = 0;
		if (i + 2 + cl > n)
			return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: symlink "
					"component overruns its SL entry (record "
					"at byte %llu)", (unsigned long long)s->pos);
		if (o->link_len && !s->sl_comp_cont &&
		    o->link[o->link_len - 1] != '/')
			rc = append(o->link, &o->link_len, "/", 1);
		if (rc == 0 && (cf & 0x08))
			rc = append(o->link, &o->link_len, "/", 1);
		else if (rc == 0 && (cf & 0x04))
			rc = append(o->link, &o->link_len, "..", 2);
		else if (rc == 0 && (cf & 0x02))
			rc = append(o->link, &o->link_len, ".", 1);
		else if (rc == 0)
			rc = append(o->link, &o->link_len, c, cl);
		if (rc < 0)
			return dfs_fail(err, DISCFS_EFORMAT, "ISO9660: symlink "
					"target of the record at byte %llu is longer "
					"than %u bytes", (unsigned long long)s->pos,
					ISO_MAX_NAME);
		s->sl_comp_cont = cf & 0x01;
		i += 2 + (size_t)cl;
	}
	s->sl_done = !(e[4] & 0x01);
	return 0;
}

static void px(struct iso_rr *o, const uint8_t *e, size_t n)
{
	if (n < 36)
		return;
	o->has_px = true;
	o->mode = get_le32(e + 4);
	o->nlink = get_le32(e + 12);
	o->uid = get_le32(e + 20);
	o->gid = get_le32(e + 28);
}

static void tf(struct iso_rr *o, const uint8_t *e, size_t n)
{
	if (n < 5)
		return;
	size_t sz = (e[4] & 0x80) ? 17 : 7, p = 5;
	for (unsigned bit = 0; bit < 7; bit++) {
		if (!(e[4] & (1u << bit)))
			continue;
		if (p + sz > n)
			return;
		int64_t t = sz == 17 ? iso_time17(e + p) : iso_time7(e + p);
		if (bit == 1) {
			o->has_mtime = true;
			o->mtime = t;
		} else if (bit == 2) {
			o->has_atime = true;
			o->atime = t;
		} else if (bit == 3) {
			o->has_ctime = true;
			o->ctime = t;
		}
		p += sz;
	}
}

/* One SUSP area, up to its end or an ST entry (a pending CE still counts). */
static int area(struct rr_state *s, const uint8_t *a, size_t len,
		discfs_error *err)
{
	for (size_t i = 0; i + 4 <= len;) {
		const uint8_t *e = a + i;
		size_t n = e[2];
		int rc = 0;
		if (n < 4 || n > len - i)
			break; /* padding or damage: the entries end here */
		if (e[0] == 'S' && e[1] == 'T')
			return 0;
		if (e[0] == 'C' && e[1] == 'E' && n >= 28) {
			s->ce = true;
			s->ce_lba = get_le32(e + 4);
			s->ce_off = get_le32(e + 12);
			s->ce_len = get_le32(e + 20);
		} else if (e[0] == 'N' && e[1] == 'M') {
			rc = nm(s, e, n, err);
		} else if (e[0] == 'S' && e[1] == 'L') {
			rc = sl(s, e, n, err);
		} else if (e[0] == 'P' && e[1] == 'X') {
			px(s->out, e, n);
		} else if (e[0] == 'T' && e[1] == 'F') {
			tf(s->out, e, n);
		} else if (e[0] == 'C' && e[1] == 'L' && n >= 12) {
			s->out->has_cl = true;
			s->out->cl_lba = get_le32(e + 4);
		} else if (e[0] == 'R' && e[1] == 'E') {
			s->out->relocated = true;
		}
		if (rc)
			return rc;
		i += n;
	}
	return 0;
}

int iso_rr_decode(struct iso_vol *v, const struct iso_rec *r,
		  struct iso_rr *out, discfs_error *err)
{
	struct rr_state s = { .out = out, .pos = r->pos, .sl_done = true };
	uint8_t *buf = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!r->su)
		return 0;
	rc = area(&s, r->su, r->su_len, err);
	for (unsigned hops = 0; rc == 0 && s.ce; hops++) {
		s.ce = false;
		if (hops == ISO_MAX_CE) {
			rc = dfs_fail(err, DISCFS_EFORMAT, "ISO9660: record at byte "
				      "%llu: more than %u continuation areas (a loop?)",
				      (unsigned long long)r->pos, ISO_MAX_CE);
			break;
		}
		if (s.ce_len > ISO_MAX_CE_BYTES || s.ce_off >= ISO_MAX_CE_BYTES) {
			rc = dfs_fail(err, DISCFS_EFORMAT, "ISO9660: record at byte "
				      "%llu: continuation area of %u bytes at offset "
				      "%u is too big", (unsigned long long)r->pos,
				      s.ce_len, s.ce_off);
			break;
		}
		rc = iso_check_extent(v, s.ce_lba, (uint64_t)s.ce_off + s.ce_len,
				      "continuation area", r->pos, err);
		if (rc)
			break;
		free(buf);
		buf = malloc(s.ce_len ? s.ce_len : 1);
		if (!buf) {
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
			break;
		}
		rc = iso_read_bytes(v, s.ce_lba, s.ce_off, s.ce_len, buf, err);
		if (rc == 0)
			rc = area(&s, buf, s.ce_len, err);
	}
	free(buf);
	return rc;
}
