/*
 * udf/update_meta.c - the metadata partition of UDF 2.50+ volumes, for the
 * in-place writer.
 *
 * On such a volume every file entry, allocation extent and directory
 * stream lives in the metadata partition: the blocks of the metadata file,
 * whose extents are in the physical partition.  A duplicated volume keeps
 * a second copy in the mirror file.  Free metadata blocks are recorded in
 * the metadata bitmap file (one space bitmap descriptor), free physical
 * blocks in the partition's bitmap as on plain volumes.
 *
 * So a metadata block is written twice (main, then mirror: a cut in
 * between leaves the mirror one step behind, and readers take the main
 * file), allocated from the metadata bitmap, and freed into it.  When the
 * metadata partition is full the metadata file grows by an allocation
 * unit taken from the physical partition; the main and mirror entries are
 * rewritten at once, before anything is placed in the new blocks, so a
 * cut leaves only unreferenced metadata blocks.  Growth stops where the
 * bitmap file has no room for more bits (it is never moved).
 *
 * A volume without a metadata bitmap file (read-only layouts, POW) is not
 * continued.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/tag.h"
#include "udf/update_int.h"
#include "util/bytes.h"
#include "util/err.h"

#define SBD_HDR ((uint32_t)sizeof(struct ecma_sbd))
#define EFE_FIXED ((uint32_t)sizeof(struct ecma_efe))

struct upd_run {
	uint32_t lbn, n; /* physical partition blocks */
};

struct upd_meta {
	unsigned map;               /* the metadata map's index */
	uint32_t fe[3];             /* main, mirror, bitmap file entries */
	struct upd_run *run[2];     /* main and mirror file extents */
	uint32_t n_run[2];
	bool same;                  /* the mirror is the main file's blocks */
	uint32_t len;               /* metadata partition blocks */
	uint32_t unit, align;       /* growth: allocation and alignment units */
	uint8_t *sbd;               /* bitmap file content (its SBD) */
	uint32_t sbd_blocks;        /* blocks of content the file holds */
	uint32_t *sbd_at;           /* where each is (physical partition) */
	uint8_t *saved;             /* the bits before this commit */
	uint32_t cursor;
	struct upd_freelist freed;
};

static uint8_t *bits(const struct upd_meta *m)
{
	return m->sbd + SBD_HDR;
}

static bool bit_free(const struct upd_meta *m, uint32_t i)
{
	return bits(m)[i >> 3] & (1u << (i & 7));
}

static void bits_set(struct upd_meta *m, uint32_t lbn, uint32_t n, bool free)
{
	for (uint32_t i = lbn; i < lbn + n && i < m->len; i++) {
		if (free)
			bits(m)[i >> 3] |= (uint8_t)(1u << (i & 7));
		else
			bits(m)[i >> 3] &= (uint8_t)~(1u << (i & 7));
	}
}

void upd_meta_free(struct udf_update *u)
{
	struct upd_meta *m = u->meta;
	if (!m)
		return;
	free(m->run[0]);
	free(m->run[1]);
	free(m->sbd);
	free(m->sbd_at);
	free(m->saved);
	free(m->freed.lbn);
	free(m->freed.len);
	free(m);
	u->meta = NULL;
}

/* ------------------------------------------------------------ loading */

/* The extents of a metadata file as physical runs of whole blocks. */
static int load_runs(struct udf_update *u, uint32_t fe, struct upd_run **out,
		     uint32_t *n, uint32_t *blocks, discfs_error *err)
{
	struct udf_inode *ino = NULL;
	uint32_t bs = u->bd->block_size;
	int rc = udf_inode_get(u->vol, (struct udf_icb){ fe, (uint16_t)u->phys }, &ino, err);
	if (rc)
		return dfs_wrap(err, rc, "metadata file at %u", fe);
	*out = calloc(ino->n_ext + 1, sizeof(**out));
	*n = *blocks = 0;
	if (!*out)
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (uint32_t i = 0; !rc && i < ino->n_ext; i++) {
		const struct udf_ext *e = &ino->ext[i];
		if (e->part != u->phys || e->len % bs || e->type == EXT_NOT_ALLOCATED ||
		    e->file_off != (uint64_t)*blocks * bs)
			rc = dfs_fail(err, DISCFS_ENOTSUP, "metadata file at %u: an "
				      "extent the writer cannot follow", fe);
		else if ((uint64_t)*blocks + e->len / bs > u->part_len ||
			 e->lbn > u->part_len - e->len / bs)
			rc = dfs_fail(err, DISCFS_EFORMAT, "metadata file at %u: "
				      "extent outside the partition", fe);
		else {
			(*out)[(*n)++] = (struct upd_run){ e->lbn, e->len / bs };
			*blocks += e->len / bs;
		}
	}
	if (!rc && ino->n_aed)
		rc = dfs_fail(err, DISCFS_ENOTSUP, "metadata file at %u continues "
			      "in allocation extents", fe);
	udf_inode_free(ino);
	return rc;
}

/* The bitmap file's SBD, in the blocks its extents give. */
static int load_bitmap(struct udf_update *u, struct upd_meta *m,
		       discfs_error *err)
{
	struct upd_run *r = NULL;
	uint32_t n = 0, bs = u->bd->block_size;
	int rc = load_runs(u, m->fe[2], &r, &n, &m->sbd_blocks, err);
	/* 4096 blocks of bits cover 64 Mi metadata blocks: more is hostile */
	if (!rc && (!m->sbd_blocks || m->sbd_blocks > 4096))
		rc = dfs_fail(err, DISCFS_EFORMAT, "metadata bitmap file of %u blocks",
			      m->sbd_blocks);
	if (!rc) {
		m->sbd = calloc(m->sbd_blocks, bs);
		m->sbd_at = calloc(m->sbd_blocks, sizeof(*m->sbd_at));
		if (!m->sbd || !m->sbd_at)
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	for (uint32_t i = 0, k = 0; !rc && i < n; i++)
		for (uint32_t j = 0; !rc && j < r[i].n; j++, k++) {
			m->sbd_at[k] = r[i].lbn + j;
			rc = udf_read_lblocks(u->vol, (uint16_t)u->phys, r[i].lbn + j, 1,
					      m->sbd + (size_t)k * bs, err);
		}
	free(r);
	if (!rc)
		rc = udf_tag_verify(m->sbd, (size_t)m->sbd_blocks * bs, TAG_SBD, -1, err);
	if (rc)
		return dfs_wrap(err, rc, "metadata bitmap");
	uint32_t nb = get_le32(m->sbd + 16);
	uint64_t cap = ((uint64_t)m->sbd_blocks * bs - SBD_HDR) * 8;
	if (m->len > cap)
		return dfs_fail(err, DISCFS_EFORMAT, "metadata bitmap holds %llu bits, "
				"the partition has %u blocks", (unsigned long long)cap, m->len);
	/* bits it does not cover yet (a growth cut short): taken as used */
	if (nb < m->len)
		bits_set(m, nb, m->len - nb, false);
	return 0;
}

static int resync_mirror(struct udf_update *u, uint32_t have, discfs_error *err);

int upd_meta_load(struct udf_update *u, unsigned map, discfs_error *err)
{
	const struct udf_map *mp = &u->vol->maps[map];
	uint32_t mirror_len = 0;
	if (mp->meta_loc[2] == UDF_NO_BITMAP_FILE)
		return dfs_fail(err, DISCFS_ENOTSUP, "the metadata partition has no "
				"bitmap file (a read-only layout): it cannot be continued");
	struct upd_meta *m = calloc(1, sizeof(*m));
	if (!m)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	u->meta = m;
	m->map = map;
	memcpy(m->fe, mp->meta_loc, sizeof(m->fe));
	m->unit = mp->alloc_unit ? mp->alloc_unit : 32;
	m->align = mp->align_unit ? mp->align_unit : 1;
	if (m->unit > 4096 || m->align > 4096)
		return dfs_fail(err, DISCFS_EFORMAT, "metadata allocation unit %u, "
				"alignment %u", m->unit, m->align);
	int rc = load_runs(u, m->fe[0], &m->run[0], &m->n_run[0], &m->len, err);
	if (!rc)
		rc = load_runs(u, m->fe[1], &m->run[1], &m->n_run[1], &mirror_len, err);
	if (!rc && m->len > u->part_len)
		rc = dfs_fail(err, DISCFS_EFORMAT, "metadata file of %u blocks in a "
			      "partition of %u", m->len, u->part_len);
	if (!rc && mirror_len > m->len)
		rc = dfs_fail(err, DISCFS_EFORMAT, "metadata mirror file of %u blocks, "
			      "main file of %u", mirror_len, m->len);
	/* without the duplicate flag the mirror names the main file's blocks */
	m->same = !rc && (!(mp->meta_flags & UDF_METADATA_DUPLICATE) ||
			  (m->n_run[0] == m->n_run[1] &&
			   !memcmp(m->run[0], m->run[1], m->n_run[0] * sizeof(*m->run[0]))));
	if (!rc)
		rc = load_bitmap(u, m, err);
	if (!rc && !(m->saved = malloc(((size_t)m->len + 7) / 8)))
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (!rc && mirror_len < m->len)
		rc = resync_mirror(u, mirror_len, err);
	return rc;
}

/* --------------------------------------------------------- addresses */

/* The physical block of metadata block lbn in file which (0 main, 1 mirror);
 * *run_left: blocks that follow it in the same extent. */
static uint32_t phys_of(const struct upd_meta *m, int which, uint32_t lbn,
			uint32_t *run_left)
{
	for (uint32_t i = 0; i < m->n_run[which]; i++) {
		const struct upd_run *r = &m->run[which][i];
		if (lbn < r->n) {
			*run_left = r->n - lbn;
			return r->lbn + lbn;
		}
		lbn -= r->n;
	}
	*run_left = 0;
	return UINT32_MAX;
}

uint32_t upd_md_lbn_of(const struct udf_update *u, uint64_t abs)
{
	if (!u->meta)
		return upd_lbn_of(u, abs);
	uint32_t p = upd_lbn_of(u, abs), base = 0;
	const struct upd_meta *m = u->meta;
	for (uint32_t i = 0; i < m->n_run[0]; i++) {
		const struct upd_run *r = &m->run[0][i];
		if (p >= r->lbn && p - r->lbn < r->n)
			return base + (p - r->lbn);
		base += r->n;
	}
	return UINT32_MAX;
}

int upd_write_md(struct udf_update *u, uint32_t lbn, uint32_t count,
		 const void *buf, discfs_error *err)
{
	struct upd_meta *m = u->meta;
	uint32_t bs = u->bd->block_size;
	if (!m)
		return upd_write(u, lbn, count, buf, false, err);
	for (int which = 0; which < (m->same ? 1 : 2); which++)
		for (uint32_t i = 0; i < count;) {
			uint32_t left, p = phys_of(m, which, lbn + i, &left);
			if (p == UINT32_MAX)
				return dfs_fail(err, DISCFS_EFORMAT, "metadata block "
						"%u is outside the metadata file", lbn + i);
			uint32_t k = count - i < left ? count - i : left;
			int rc = upd_write(u, p, k, (const uint8_t *)buf + (size_t)i * bs,
					   false, err);
			if (rc)
				return rc;
			i += k;
		}
	return 0;
}

/* -------------------------------------------------------------- growth */

/* A free run of n physical blocks starting at a multiple of align. */
static bool find_aligned(const struct udf_update *u, uint32_t n, uint32_t align,
			 uint32_t *start)
{
	for (uint64_t s = 0; s + n <= u->part_len; s += align) {
		uint32_t k = 0;
		while (k < n && (u->bitmap[(s + k) >> 3] & (1u << ((s + k) & 7))))
			k++;
		if (k == n) {
			*start = (uint32_t)s;
			return true;
		}
		s += (uint64_t)k / align * align; /* skip what cannot start a run */
	}
	return false;
}

static int add_run(struct upd_meta *m, int which, uint32_t lbn, uint32_t n,
		   discfs_error *err)
{
	struct upd_run *last = m->n_run[which] ? &m->run[which][m->n_run[which] - 1] : NULL;
	if (last && last->lbn + last->n == lbn &&
	    ((uint64_t)last->n + n) * DISCFS_BLOCK_SIZE <= UPD_MAX_EXT_BLOCKS * (uint64_t)DISCFS_BLOCK_SIZE) {
		last->n += n;
		return 0;
	}
	struct upd_run *r = realloc(m->run[which], (m->n_run[which] + 1) * sizeof(*r));
	if (!r)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	m->run[which] = r;
	r[m->n_run[which]++] = (struct upd_run){ lbn, n };
	return 0;
}

/* Rewrites the entry of metadata file which (at its block) with its runs. */
static int write_file_entry(struct udf_update *u, int which, discfs_error *err)
{
	struct upd_meta *m = u->meta;
	uint32_t bs = u->bd->block_size;
	uint8_t *b = malloc(bs);
	int rc = b ? udf_read_lblocks(u->vol, (uint16_t)u->phys, m->fe[which], 1, b, err)
		   : dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	uint32_t l_ea = rc ? 0 : get_le32(((const struct ecma_efe *)b)->l_ea);
	if (!rc && (get_le16(b) != TAG_EFE || l_ea > bs - EFE_FIXED ||
		    (bs - EFE_FIXED - l_ea) / 8 < m->n_run[which]))
		rc = dfs_fail(err, DISCFS_ENOSPC, "the metadata file's entry has no "
			      "room for another extent");
	if (!rc) {
		uint8_t *ad = b + EFE_FIXED + l_ea;
		memset(ad, 0, bs - EFE_FIXED - l_ea);
		for (uint32_t i = 0; i < m->n_run[which]; i++) {
			put_le32(ad + 8 * i, m->run[which][i].n * bs);
			put_le32(ad + 8 * i + 4, m->run[which][i].lbn);
		}
		struct ecma_efe *e = (struct ecma_efe *)b;
		put_le64(e->info_length, (uint64_t)m->len * bs);
		put_le64(e->object_size, (uint64_t)m->len * bs);
		put_le64(e->blocks_recorded, m->len);
		put_le32(e->l_ad, 8 * m->n_run[which]);
		udf_tag_make(b, EFE_FIXED + l_ea + 8 * m->n_run[which], TAG_EFE,
			     get_le16(b + 2), get_le16(b + 6), m->fe[which]);
		rc = upd_write(u, m->fe[which], 1, b, false, err);
	}
	free(b);
	return rc;
}

/* Takes n aligned physical blocks for the metadata (or mirror) file: used
 * from now on, also if this commit fails (the files keep them). */
static int take_phys(struct udf_update *u, uint32_t n, uint32_t *lbn,
		     discfs_error *err)
{
	if (!find_aligned(u, n, u->meta->align, lbn))
		return dfs_fail(err, DISCFS_ENOSPC, "no free space to grow the "
				"metadata partition by %u blocks", n);
	upd_bitmap_set(u, *lbn, n, false);
	for (uint32_t i = *lbn; i < *lbn + n; i++)
		u->bitmap_saved[i >> 3] &= (uint8_t)~(1u << (i & 7));
	return 0;
}

/* Grows the metadata partition by at least want blocks. */
static int grow(struct udf_update *u, uint32_t want, discfs_error *err)
{
	struct upd_meta *m = u->meta;
	uint32_t bs = u->bd->block_size, n = (want + m->unit - 1) / m->unit * m->unit;
	uint64_t cap = ((uint64_t)m->sbd_blocks * bs - SBD_HDR) * 8;
	if (m->len + (uint64_t)n > cap)
		return dfs_fail(err, DISCFS_ENOSPC, "the metadata partition is full "
				"(%u blocks; its bitmap file holds no more)", m->len);
	uint32_t a, b = 0;
	int rc = take_phys(u, n, &a, err);
	if (!rc && !m->same)
		rc = take_phys(u, n, &b, err);
	if (!rc)
		rc = add_run(m, 0, a, n, err);
	if (!rc && !m->same)
		rc = add_run(m, 1, b, n, err);
	if (rc)
		return rc;
	uint8_t *s = realloc(m->saved, ((size_t)m->len + n + 7) / 8);
	if (!s)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	m->saved = s;
	uint32_t old = m->len;
	m->len += n;
	bits_set(m, old, n, true);
	for (uint32_t i = old; i < m->len; i++)
		m->saved[i >> 3] |= (uint8_t)(1u << (i & 7));
	if (m->same) { /* one set of extents, recorded in both entries */
		struct upd_run *r = realloc(m->run[1], m->n_run[0] * sizeof(*r));
		if (!r)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		m->run[1] = memcpy(r, m->run[0], m->n_run[0] * sizeof(*r));
		m->n_run[1] = m->n_run[0];
	}
	rc = write_file_entry(u, 0, err);
	if (!rc)
		rc = write_file_entry(u, 1, err);
	if (!rc)
		rc = udf_bdev_sync(u->bd, err);
	return rc;
}

/*
 * A growth cut between the main file's entry and the mirror's: the
 * mirror is have blocks long, the main file longer.  The mirror gets the
 * missing blocks (copies of the main's, in new blocks when it is a
 * separate copy), its entry, and the partition's bitmap records them.
 */
static int resync_mirror(struct udf_update *u, uint32_t have, discfs_error *err)
{
	struct upd_meta *m = u->meta;
	uint32_t n = m->len - have, bs = u->bd->block_size, at = 0;
	int rc = 0;
	if (m->same) {
		struct upd_run *r = realloc(m->run[1], m->n_run[0] * sizeof(*r));
		if (!r)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		m->run[1] = memcpy(r, m->run[0], m->n_run[0] * sizeof(*r));
		m->n_run[1] = m->n_run[0];
	} else {
		uint8_t *b = malloc(bs);
		rc = b ? take_phys(u, n, &at, err) : dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		for (uint32_t i = 0; !rc && i < n; i++) {
			uint32_t left, p = phys_of(m, 0, have + i, &left);
			rc = udf_read_lblocks(u->vol, (uint16_t)u->phys, p, 1, b, err);
			if (!rc)
				rc = upd_write(u, at + i, 1, b, false, err);
		}
		free(b);
		if (!rc)
			rc = add_run(m, 1, at, n, err);
	}
	if (!rc)
		rc = write_file_entry(u, 1, err);
	if (!rc && !m->same)
		rc = upd_bitmap_write(u, err);
	if (!rc)
		rc = udf_bdev_sync(u->bd, err);
	return rc ? dfs_wrap(err, rc, "completing the metadata mirror") : 0;
}

/* ----------------------------------------------------- allocation */

int upd_alloc_md(struct udf_update *u, uint32_t want, bool contig, uint32_t *lbn,
		 uint32_t *got, discfs_error *err)
{
	struct upd_meta *m = u->meta;
	if (!m)
		return upd_alloc(u, want, contig, lbn, got, err);
	if (!want)
		return dfs_fail(err, DISCFS_EINVAL, "allocation of 0 blocks");
	uint32_t start, len;
	while (!upd_find_run(bits(m), m->len, m->cursor, want, contig, &start, &len)) {
		int rc = grow(u, want, err);
		if (rc)
			return rc;
	}
	bits_set(m, start, len, false);
	m->cursor = start + len;
	*lbn = start;
	*got = len;
	return 0;
}

int upd_free_md(struct udf_update *u, uint32_t lbn, uint32_t len,
		discfs_error *err)
{
	return upd_free_push(u->meta ? &u->meta->freed : &u->freed, lbn, len, err);
}

/* ------------------------------------------------------ commit edges */

void upd_meta_begin(struct udf_update *u)
{
	struct upd_meta *m = u->meta;
	if (!m)
		return;
	memcpy(m->saved, bits(m), ((size_t)m->len + 7) / 8);
	m->freed.n = 0;
}

void upd_meta_rollback(struct udf_update *u)
{
	struct upd_meta *m = u->meta;
	if (m)
		memcpy(bits(m), m->saved, ((size_t)m->len + 7) / 8);
}

uint32_t upd_meta_free_count(const struct udf_update *u, uint32_t *size)
{
	const struct upd_meta *m = u->meta;
	uint32_t n = 0;
	for (uint32_t i = 0; m && i < m->len; i++)
		n += bit_free(m, i);
	*size = m ? m->len : 0;
	return n;
}

unsigned upd_meta_map(const struct udf_update *u)
{
	return u->meta ? u->meta->map : u->phys;
}

int upd_meta_finish(struct udf_update *u, discfs_error *err)
{
	struct upd_meta *m = u->meta;
	uint32_t bs = u->bd->block_size;
	if (!m)
		return 0;
	for (size_t i = 0; i < m->freed.n; i++) {
		bits_set(m, m->freed.lbn[i], m->freed.len[i], true);
		u->st.blocks_freed += m->freed.len[i];
	}
	m->freed.n = 0;
	struct ecma_sbd *s = (struct ecma_sbd *)m->sbd;
	put_le32(s->num_bits, m->len);
	put_le32(s->num_bytes, (m->len + 7) / 8);
	/* keep the CRC length as recorded (the header only, usually) */
	size_t crc_len = get_le16(m->sbd + 10);
	if (16 + crc_len > (size_t)m->sbd_blocks * bs)
		crc_len = 8;
	udf_tag_make(m->sbd, 16 + crc_len, TAG_SBD, get_le16(m->sbd + 2),
		     get_le16(m->sbd + 6), get_le32(m->sbd + 12));
	uint32_t used = (SBD_HDR + (m->len + 7) / 8 + bs - 1) / bs;
	int rc = 0;
	for (uint32_t i = 0; !rc && i < used; i++)
		rc = upd_write(u, m->sbd_at[i], 1, m->sbd + (size_t)i * bs, false, err);
	return rc;
}
