/*
 * udf/iso_rr.c - Rock Ridge (RRIP 1.12 over SUSP 1.12) system use entries:
 * SP, ER, CE, PX (mode, links, owner, serial), TF (modify, access,
 * attribute-change times), NM (the POSIX name, split in 250-byte pieces)
 * and SL (symlink target components).
 */
#include <string.h>
#include <sys/stat.h>

#include "udf/iso9660.h"

static size_t entry_head(uint8_t *p, const char *sig, size_t len)
{
	p[0] = (uint8_t)sig[0];
	p[1] = (uint8_t)sig[1];
	p[2] = (uint8_t)len;
	p[3] = 1;
	return 4;
}

size_t iso_rr_sp(uint8_t *out)
{
	entry_head(out, "SP", 7);
	out[4] = 0xBE;
	out[5] = 0xEF;
	out[6] = 0;
	return 7;
}

size_t iso_rr_er(uint8_t *out)
{
	static const char id[] = "RRIP_1991A";
	static const char des[] = "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES "
				  "SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
	static const char src[] = "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION "
				  "SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY "
				  "VOLUME DESCRIPTOR FOR CONTACT INFORMATION.";
	size_t li = sizeof id - 1, ld = sizeof des - 1, ls = sizeof src - 1;
	size_t len = 8 + li + ld + ls;
	entry_head(out, "ER", len);
	out[4] = (uint8_t)li;
	out[5] = (uint8_t)ld;
	out[6] = (uint8_t)ls;
	out[7] = 1;
	memcpy(out + 8, id, li);
	memcpy(out + 8 + li, des, ld);
	memcpy(out + 8 + li + ld, src, ls);
	return len;
}

size_t iso_rr_ce(uint8_t *out, uint32_t sector, uint32_t offset, uint32_t len)
{
	entry_head(out, "CE", 28);
	iso_both32(out + 4, sector);
	iso_both32(out + 12, offset);
	iso_both32(out + 20, len);
	return 28;
}

static size_t px(uint8_t *p, const struct mk_inode *ino)
{
	entry_head(p, "PX", 44);
	iso_both32(p + 4, (uint32_t)ino->mode);
	iso_both32(p + 12, S_ISDIR(ino->mode) ? 2 + ino->subdirs : ino->names);
	iso_both32(p + 20, ino->uid);
	iso_both32(p + 28, ino->gid);
	iso_both32(p + 36, (uint32_t)ino->unique_id);
	return 44;
}

static size_t tf(uint8_t *p, const struct mk_inode *ino, int tz)
{
	entry_head(p, "TF", 5 + 3 * 7);
	p[4] = 0x0E; /* modify, access, attributes */
	iso_date7(p + 5, ino->mtime.tv_sec, tz);
	iso_date7(p + 12, ino->atime.tv_sec, tz);
	iso_date7(p + 19, ino->ctime.tv_sec, tz);
	return 26;
}

/* NM entries for name; 0 if cap is too small. */
static size_t nm(uint8_t *p, size_t cap, const char *name)
{
	size_t len = strlen(name), o = 0;
	do {
		size_t piece = len > 250 ? 250 : len;
		if (o + 5 + piece > cap)
			return 0;
		entry_head(p + o, "NM", 5 + piece);
		p[o + 4] = len > piece ? 1 : 0; /* CONTINUE */
		memcpy(p + o + 5, name, piece);
		o += 5 + piece;
		name += piece;
		len -= piece;
	} while (len);
	return o;
}

/* SL entries for a symlink target (from its UDF body, re-read as text). */
static size_t sl(uint8_t *p, size_t cap, const char *target)
{
	size_t o = 0;
	const char *t = target;
	/* build the component area, then cut it into SL entries */
	uint8_t area[8192];
	size_t alen = 0;
	if (*t == '/') {
		area[alen++] = 0x08;
		area[alen++] = 0;
	}
	while (*t) {
		while (*t == '/')
			t++;
		if (!*t)
			break;
		size_t n = strcspn(t, "/");
		if (alen + 2 + n > sizeof area)
			return 0;
		if (n == 1 && t[0] == '.') {
			area[alen++] = 0x02;
			area[alen++] = 0;
		} else if (n == 2 && t[0] == '.' && t[1] == '.') {
			area[alen++] = 0x04;
			area[alen++] = 0;
		} else {
			area[alen++] = 0;
			area[alen++] = (uint8_t)n;
			memcpy(area + alen, t, n);
			alen += n;
		}
		t += n;
	}
	/* SL entries of at most 250 bytes of whole components */
	size_t a = 0;
	while (a < alen) {
		size_t take = 0;
		while (a + take < alen && take + 2 + area[a + take + 1] <= 250)
			take += 2 + area[a + take + 1];
		if (!take || o + 5 + take > cap)
			return 0;
		entry_head(p + o, "SL", 5 + take);
		p[o + 4] = a + take < alen ? 1 : 0;
		memcpy(p + o + 5, area + a, take);
		o += 5 + take;
		a += take;
	}
	return o;
}

size_t iso_rr_entries(const struct udf_mk *mk, const struct mk_inode *ino,
		      const char *name, bool dot, uint8_t *out, size_t cap)
{
	size_t o = 0, n;
	if (cap < 44 + 26)
		return 0;
	o += px(out, ino);
	o += tf(out + o, ino, mk->tz);
	if (dot)
		return o;
	if (!(n = nm(out + o, cap - o, name)))
		return 0;
	o += n;
	if (S_ISBLK(ino->mode) || S_ISCHR(ino->mode)) {
		if (o + 20 > cap)
			return 0;
		entry_head(out + o, "PN", 20);
		iso_both32(out + o + 4, ino->rdev_major);
		iso_both32(out + o + 12, ino->rdev_minor);
		o += 20;
	}
	if (S_ISLNK(ino->mode)) {
		if (!ino->path || !(n = sl(out + o, cap - o, ino->path)))
			return 0;
		o += n;
	}
	return o;
}
