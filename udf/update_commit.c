/*
 * udf/update_commit.c - one increment, in the order udf/update.h states:
 * addresses for new objects, content (file data, FID streams), the AED
 * chains of entries whose ADs overflow them, file entries, then the VAT
 * (write-once) or in-place entries / bitmap / LVID (plain).
 * Every step's failure returns with the disc as before (plus
 * unreferenced blocks) and the staged changes kept for a retry.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udf/tag.h"
#include "udf/timestamp.h"
#include "udf/update_int.h"
#include "util/bytes.h"
#include "util/err.h"

#define CHUNK_BLOCKS 64u

int upd_reload(struct udf_update *u, discfs_error *err); /* update_open.c */

void upd_now(const struct udf_update *u, struct ecma_timestamp *ts)
{
	int64_t now = u->opts.now ? u->opts.now : (int64_t)time(NULL);
	udf_ts_from_unix(ts, now, 0, u->opts.tz_minutes);
}

/* ------------------------------------------------------ dirty nodes */

struct nodelist {
	struct upd_node **v;
	size_t n, cap;
};

static int nl_push(struct nodelist *l, struct upd_node *n, discfs_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct upd_node **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = n;
	return 0;
}

/* Changed nodes, parents before their children (pre-order). */
static int collect(struct udf_update *u, struct nodelist *out, discfs_error *err)
{
	struct nodelist stack = { 0 };
	int rc = nl_push(&stack, u->root, err);
	while (!rc && stack.n) {
		struct upd_node *n = stack.v[--stack.n];
		/* an added hard link is written by its owner */
		if (!n->link_to && (n->fe_dirty || n->dir_dirty || n->data_new))
			rc = nl_push(out, n, err);
		upd_compact(n);
		for (size_t i = 0; !rc && i < n->nkids; i++)
			rc = nl_push(&stack, n->kids[i], err);
	}
	free(stack.v);
	return rc;
}

/* -------------------------------------------------------- content */

static int too_many_extents(const struct upd_node *n, size_t lim,
			    discfs_error *err)
{
	return dfs_fail(err, DISCFS_ENOSPC,
			"'%s': more than %zu extents, past the allocation extent "
			"blocks an entry may chain (free space too fragmented)",
			n->name ? n->name : "/", lim);
}

/* Writes n's new content where the allocator says, chunk by chunk. */
static int write_data(struct udf_update *u, struct upd_node *n, uint8_t *buf,
		      discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	uint64_t blocks = (n->size + bs - 1) / bs, done = 0;
	uint32_t max = upd_max_ext_blocks(u);
	size_t lim = upd_max_extents(u);
	n->n_data = 0;
	/* write-once: refused before anything is recorded (runs come whole) */
	if (u->layout == DISCFS_LAYOUT_VAT && (blocks + max - 1) / max > lim)
		return too_many_extents(n, lim, err);
	while (done < blocks) {
		uint64_t left = blocks - done;
		uint32_t want = left < max ? (uint32_t)left : max;
		uint32_t lbn, got;
		int rc = upd_alloc(u, want, false, &lbn, &got, err);
		if (!rc)
			rc = upd_add_run_max(n, lbn, got, max, err);
		if (!rc && n->n_data > lim)
			rc = too_many_extents(n, lim, err);
		for (uint32_t i = 0; !rc && i < got;) {
			uint32_t k = got - i < CHUNK_BLOCKS ? got - i : CHUNK_BLOCKS;
			uint64_t off = (done + i) * bs;
			size_t len = (size_t)k * bs;
			if (off + len > n->size)
				len = (size_t)(n->size - off);
			memset(buf + len, 0, (size_t)k * bs - len);
			rc = n->fn(n->fn_ctx, off, buf, len, err);
			if (rc)
				rc = dfs_wrap(err, rc, "reading new content of '%s'", n->name);
			if (!rc)
				rc = upd_write(u, lbn + i, k, buf, true, err);
			i += k;
		}
		if (rc)
			return rc;
		done += got;
	}
	return 0;
}

/* Gives new objects their ICB address. */
static int assign_icbs(struct udf_update *u, struct nodelist *l,
		       discfs_error *err)
{
	for (size_t i = 0; i < l->n; i++) {
		struct upd_node *n = l->v[i];
		uint32_t lbn, got;
		int rc = 0;
		if (n->on_disc || n->icb_set)
			continue;
		if (u->layout == DISCFS_LAYOUT_VAT) {
			rc = upd_vat_new(u, &lbn, err);
			n->icb = (struct udf_icb){ lbn, (uint16_t)u->virt };
		} else {
			rc = upd_alloc_md(u, 1, true, &lbn, &got, err);
			n->icb = (struct udf_icb){ lbn, (uint16_t)upd_meta_map(u) };
			n->new_lbn = lbn;
		}
		if (rc)
			return rc;
		n->icb_set = true;
	}
	return 0;
}

static int write_content(struct udf_update *u, struct nodelist *l,
			 discfs_error *err)
{
	uint8_t *buf = malloc((size_t)CHUNK_BLOCKS * u->bd->block_size);
	int rc = buf ? 0 : dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < l->n; i++) {
		struct upd_node *n = l->v[i];
		if (n->data_new && !n->is_link && n->size)
			rc = write_data(u, n, buf, err);
		else if (n->data_new)
			n->n_data = 0;
		if (!rc && n->dir_dirty)
			rc = upd_write_stream(u, n, err);
	}
	free(buf);
	return rc;
}

/* ------------------------------------------------ allocation extents */

static void release_aeds(struct nodelist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]->aed_lbn);
		l->v[i]->aed_lbn = NULL;
		l->v[i]->n_aed = 0;
	}
}

static int read_old(struct udf_update *u, const struct upd_node *n,
		    uint8_t *raw, struct udf_inode **ino, discfs_error *err);

/* The AED chain of n's new entry, if its ADs need one: blocks allocated
 * and written now, before any entry points at them (write-once: in the
 * order allocated; rewritable: before the bitmap records them used). */
static int write_node_aeds(struct udf_update *u, struct upd_node *n,
			   uint8_t *raw, discfs_error *err)
{
	struct udf_inode *ino = NULL;
	uint32_t k = 0, bs = u->bd->block_size, got;
	int rc = n->on_disc ? read_old(u, n, raw, &ino, err) : 0;
	udf_inode_free(ino);
	if (!rc)
		rc = upd_aed_count(u, n, n->on_disc ? raw : NULL, &k, err);
	if (rc || !k)
		return rc;
	n->aed_lbn = calloc(k, sizeof(*n->aed_lbn));
	uint8_t *blocks = malloc((size_t)k * bs);
	if (!n->aed_lbn || !blocks)
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (uint32_t i = 0; !rc && i < k; i++)
		rc = upd_alloc_md(u, 1, true, &n->aed_lbn[i], &got, err);
	if (!rc) {
		n->n_aed = k;
		rc = upd_build_aeds(u, n, n->on_disc ? raw : NULL, blocks, err);
	}
	for (uint32_t i = 0; !rc && i < k; i++)
		rc = upd_write_md(u, n->aed_lbn[i], 1, blocks + (size_t)i * bs, err);
	free(blocks);
	return rc;
}

static int write_aeds(struct udf_update *u, struct nodelist *l, uint8_t *raw,
		      discfs_error *err)
{
	int rc = 0;
	/* new entries (imported content too) and new content of old ones */
	for (size_t i = 0; !rc && i < l->n; i++)
		if (!l->v[i]->on_disc || l->v[i]->data_new || l->v[i]->dir_dirty)
			rc = write_node_aeds(u, l->v[i], raw, err);
	return rc;
}

/* ------------------------------------------------------ file entries */

/* Reads the committed entry of n: raw block and decoded inode. */
static int read_old(struct udf_update *u, const struct upd_node *n,
		    uint8_t *raw, struct udf_inode **ino, discfs_error *err)
{
	int rc = udf_inode_get(u->vol, n->icb, ino, err);
	if (!rc)
		rc = udf_bdev_read(u->bd, (*ino)->abs, 1, raw, err);
	if (rc) {
		udf_inode_free(*ino);
		*ino = NULL;
		return dfs_wrap(err, rc, "'%s'", n->name ? n->name : "/");
	}
	return 0;
}

/* Whether block lbn is one of n's new content runs. */
static bool still_used(const struct upd_node *n, uint32_t lbn)
{
	for (uint32_t i = 0; n && i < n->n_data; i++)
		if (lbn >= n->data_lbn[i] && lbn - n->data_lbn[i] < n->data_len[i])
			return true;
	return false;
}

/* Old blocks of ino that the new version of n (NULL: none) no longer uses
 * (plain layout). */
static int free_old(struct udf_update *u, const struct udf_inode *ino,
		    const struct upd_node *n, bool content, bool entry,
		    discfs_error *err)
{
	uint32_t bs = u->bd->block_size;
	int rc = 0;
	/* a metadata partition's blocks (entry, AEDs, directory stream) go
	 * back to its own bitmap */
	bool md = u->meta != NULL;
	if (entry)
		rc = upd_free_md(u, ino->icb.lbn, 1, err);
	for (uint32_t i = 0; !rc && content && i < ino->n_ext; i++) {
		const struct udf_ext *e = &ino->ext[i];
		bool in_md = md && e->part == upd_meta_map(u);
		if ((e->part != u->phys && !in_md) ||
		    (e->type != EXT_RECORDED && e->type != EXT_ALLOCATED))
			continue;
		for (uint32_t b = 0; !rc && b < (e->len + bs - 1) / bs; b++)
			if (!still_used(n, e->lbn + b))
				rc = in_md ? upd_free_md(u, e->lbn + b, 1, err)
					   : upd_free_push(&u->freed, e->lbn + b, 1, err);
	}
	for (uint32_t i = 0; !rc && content && i < ino->n_aed && i < UDF_INODE_AED_KEEP; i++) {
		uint32_t a = upd_md_lbn_of(u, ino->aed_abs[i]);
		rc = a == UINT32_MAX ? 0 : upd_free_md(u, a, 1, err);
	}
	return rc;
}

/*
 * The link count n's new entry records: the recorded one (1 for a new
 * object) plus the names added, minus less names gone; 0 = keep it.
 */
static int new_nlink(const struct upd_node *n, const struct udf_inode *ino,
		     int32_t less, uint16_t *out, discfs_error *err)
{
	*out = 0;
	if (n->ftype == FT_DIR || (!n->link_delta && !less))
		return 0;
	int64_t base = ino && ino->st.nlink ? (int64_t)ino->st.nlink : 1;
	int64_t k = base + n->link_delta - less;
	if (k < 0 || k > 0xFFFF)
		return dfs_fail(err, DISCFS_EINVAL, "'%s': link count %lld out of "
				"range", n->name ? n->name : "/", (long long)k);
	*out = (uint16_t)k;
	return 0;
}

/* Writes n's new entry: VAT: at a new block, mapped; plain: in place or
 * at its new block.  less: names of it gone besides the added ones.
 * given: its committed entry when an interim version was written over
 * it (taken over), else NULL. */
static int write_fe_from(struct udf_update *u, struct upd_node *n,
			 int32_t less, struct udf_inode *given, uint8_t *raw,
			 uint8_t *blk, discfs_error *err)
{
	struct udf_inode *ino = given;
	int rc = 0;
	if (given)
		rc = udf_bdev_read(u->bd, given->abs, 1, raw, err);
	else if (n->on_disc)
		rc = read_old(u, n, raw, &ino, err);
	if (!rc)
		rc = new_nlink(n, ino, less, &n->nlink, err);
	if (!rc && !n->nlink && n->fold && ino)
		n->nlink = (uint16_t)(ino->st.nlink ? ino->st.nlink : 1); /* kept */
	bool vat = u->layout == DISCFS_LAYOUT_VAT;
	uint32_t lbn = n->new_lbn, got;
	if (!rc && vat)
		rc = upd_alloc(u, 1, true, &lbn, &got, err);
	else if (!rc && n->on_disc)
		lbn = ino->icb.lbn; /* in place (a spared packet: in the spare) */
	uint32_t loc = vat ? n->icb.lbn : lbn;
	if (!rc)
		rc = upd_build_fe(u, n, n->on_disc ? raw : NULL, loc, blk, err);
	if (!rc)
		rc = upd_write_md(u, lbn, 1, blk, err);
	if (!rc && vat)
		upd_vat_set(u, n->icb.lbn, lbn);
	if (!rc && !vat && ino)
		rc = free_old(u, ino, n, n->data_new || n->dir_dirty, false, err);
	u->st.objects_written += !rc;
	udf_inode_free(ino);
	return rc;
}

static int write_fe(struct udf_update *u, struct upd_node *n, int32_t less,
		    uint8_t *raw, uint8_t *blk, discfs_error *err)
{
	return write_fe_from(u, n, less, NULL, raw, blk, err);
}

/* A committed name was removed: drop its entry (or one of its links,
 * with the other removed names of it folded in). */
static int drop_removed(struct udf_update *u, struct upd_node *n, uint8_t *raw,
			uint8_t *blk, discfs_error *err)
{
	struct udf_inode *ino = NULL;
	if (n->folded)
		return 0; /* counted by the node that writes its entry */
	int rc = read_old(u, n, raw, &ino, err);
	if (rc)
		return rc;
	int64_t nlink = ino->st.nlink ? (int64_t)ino->st.nlink : 1;
	bool dir = udf_inode_is_dir(ino);
	if (!dir && nlink + n->link_delta - n->fold - 1 > 0) {
		/* another name keeps it: links less */
		udf_inode_free(ino);
		return write_fe(u, n, n->fold + 1, raw, blk, err);
	}
	if (u->layout == DISCFS_LAYOUT_VAT)
		upd_vat_set(u, n->icb.lbn, UDF_VAT_UNUSED);
	else
		rc = free_old(u, ino, NULL, true, true, err);
	udf_inode_free(ino);
	return rc;
}

/* ------------------------------------------------------- hard links */

struct icb_key {
	uint32_t lbn;
	uint16_t part;
	uint8_t removed;     /* 0: a changed live name, 1: a removed one */
	size_t order;
	struct upd_node *n;
};

static int cmp_key(const void *a, const void *b)
{
	const struct icb_key *x = a, *y = b;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	if (x->lbn != y->lbn)
		return x->lbn < y->lbn ? -1 : 1;
	if (x->removed != y->removed)
		return x->removed < y->removed ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * Removed names of a committed file that another node writes the entry
 * of (a changed live name, else the first removed one) are folded into
 * that node: the entry is written once, with every name gone counted.
 */
static int fold_removed(struct udf_update *u, struct nodelist *l,
			discfs_error *err)
{
	size_t n = 0;
	struct icb_key *k = malloc((l->n + u->n_removed + 1) * sizeof(*k));
	if (!k)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n + u->n_removed; i++) {
		bool rem = i >= l->n;
		struct upd_node *x = rem ? u->removed[i - l->n] : l->v[i];
		x->fold = 0;
		x->folded = false;
		if (x->on_disc && x->ftype != FT_DIR)
			k[n++] = (struct icb_key){ x->icb.lbn, x->icb.part, rem, i, x };
	}
	qsort(k, n, sizeof(*k), cmp_key);
	for (size_t i = 1, g = 0; i < n; i++) {
		if (k[i].lbn != k[g].lbn || k[i].part != k[g].part) {
			g = i;
			continue;
		}
		if (k[i].removed) {
			k[i].n->folded = true;
			k[g].n->fold++;
		}
	}
	free(k);
	return 0;
}

/* Plain layout: the lowered link count of a changed live entry, recorded
 * once the directories no longer name the removed names. */
static int lower_count(struct udf_update *u, struct upd_node *n, uint8_t *raw,
		       discfs_error *err)
{
	struct udf_inode *ino = NULL;
	uint16_t k;
	int rc = read_old(u, n, raw, &ino, err);
	/* the entry on the disc now is the one just written: its count is
	 * the committed one plus the names added */
	k = (uint16_t)(n->nlink - n->fold);
	if (!rc && n->nlink < n->fold)
		rc = dfs_fail(err, DISCFS_EINVAL, "'%s': link count below zero", n->name);
	uint16_t ident = get_le16(raw), crc_len = get_le16(raw + 10);
	if (!rc && ((ident != TAG_FE && ident != TAG_EFE) ||
		    crc_len + 16u > u->bd->block_size))
		rc = dfs_fail(err, DISCFS_EFORMAT, "'%s': not a file entry", n->name);
	if (!rc) {
		put_le16(raw + 48, k); /* FileLinkCount, FE and EFE alike */
		uint32_t lbn = ino->icb.lbn;
		udf_tag_make(raw, crc_len + 16u, ident, get_le16(raw + 2),
			     get_le16(raw + 6), lbn);
		rc = upd_write_md(u, lbn, 1, raw, err);
	}
	udf_inode_free(ino);
	return rc;
}

/* -------------------------------------------------------------- LVID */

int upd_lvid_write(struct udf_update *u, bool close, discfs_error *err)
{
	struct udf_vol *v = u->vol;
	uint32_t bs = u->bd->block_size;
	if (!v->lvid_loc)
		return dfs_fail(err, DISCFS_ENOTSUP, "volume has no integrity descriptor");
	uint8_t *b = malloc(bs);
	if (!b)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	memcpy(b, v->lvid, bs);
	struct ecma_lvid *l = (struct ecma_lvid *)b;
	uint32_t n = get_le32(l->num_partitions), liu = get_le32(l->imp_use_len);
	size_t size = sizeof(*l) + 8 * (size_t)n + liu;
	if (n > UDF_MAX_MAPS || size > bs || liu < sizeof(struct udf_lvid_iu)) {
		free(b);
		return dfs_fail(err, DISCFS_EFORMAT, "integrity descriptor too large");
	}
	upd_now(u, &l->rec_time);
	put_le32(l->integrity_type, close ? LVID_CLOSE : LVID_OPEN);
	put_le64(l->next_unique_id, u->next_uid);
	if (u->bitmap && u->phys < n)
		put_le32(b + sizeof(*l) + 4 * u->phys, (uint32_t)upd_bitmap_free_count(u));
	if (u->meta && upd_meta_map(u) < n) { /* free, then size */
		uint32_t msize, mfree = upd_meta_free_count(u, &msize);
		put_le32(b + sizeof(*l) + 4 * upd_meta_map(u), mfree);
		put_le32(b + sizeof(*l) + 4 * (n + upd_meta_map(u)), msize);
	}
	uint8_t *iu = b + sizeof(*l) + 8 * n;
	put_le32(iu + 32, (uint32_t)u->num_files);
	put_le32(iu + 36, (uint32_t)u->num_dirs);
	udf_tag_make(b, size, TAG_LVID, get_le16(l->tag.version),
		     get_le16(l->tag.serial), (uint32_t)v->lvid_loc);
	int rc = udf_bdev_write(u->bd, v->lvid_loc, 1, b, err);
	if (!rc) {
		memcpy(v->lvid, b, bs);
		u->st.blocks_written++;
		u->st.meta_blocks++;
		rc = udf_bdev_sync(u->bd, err);
	}
	free(b);
	return rc;
}

/* ------------------------------------------------------------ commit */

static int commit_vat(struct udf_update *u, struct nodelist *l, uint8_t *raw,
		      uint8_t *blk, discfs_error *err)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < l->n; i++)
		if (l->v[i]->fe_dirty || l->v[i]->dir_dirty || l->v[i]->data_new)
			rc = write_fe(u, l->v[i], l->v[i]->fold, raw, blk, err);
	for (size_t i = 0; !rc && i < u->n_removed; i++)
		rc = drop_removed(u, u->removed[i], raw, blk, err);
	if (!rc)
		rc = upd_vat_write(u, err);
	if (!rc)
		rc = udf_bdev_sync(u->bd, err);
	return rc;
}

/* The directory on the disc that shows what is named in dir: dir itself,
 * or for a new directory its first ancestor on the disc. */
static struct upd_node *shown_by(struct upd_node *dir)
{
	while (!dir->on_disc && dir->parent)
		dir = dir->parent;
	return dir;
}

/* An order between two directory rewrites: lose waits for gain.  obj:
 * the object gain shows and lose stops naming; NULL for a moved
 * directory, whose new ".." entry comes after the directory that shows
 * it and before the one that drops it. */
struct move {
	struct upd_node *gain, *lose, *obj;
};

static int move_push(struct move **v, size_t *n, size_t *cap, struct move m,
		     discfs_error *err)
{
	if (*n == *cap) {
		struct move *g = realloc(*v, (*cap = *cap ? 2 * *cap : 16) * sizeof(*g));
		if (!g)
			return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		*v = g;
	}
	(*v)[(*n)++] = m;
	return 0;
}

/* The objects on the disc that the tree now names in another directory:
 * gain shows the new name, lose drops the old; a moved directory's new
 * ".." comes between the two.  *out is malloc'ed. */
static int collect_moves(struct nodelist *l, struct move **out, size_t *n,
			 discfs_error *err)
{
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; !rc && i < l->n; i++) {
		struct upd_node *d = l->v[i];
		if (d->ftype != FT_DIR || !d->dir_dirty)
			continue;
		for (size_t k = 0; !rc && k < d->nkids; k++) {
			struct upd_node *c = d->kids[k];
			if (!c || !c->on_disc || !c->disc_parent ||
			    shown_by(d) == c->disc_parent)
				continue;
			rc = move_push(out, n, &cap,
				       (struct move){ shown_by(d), c->disc_parent, c }, err);
			/* a moved directory's ".." changes between the two */
			if (!rc && c->ftype == FT_DIR && c->dir_dirty)
				rc = move_push(out, n, &cap,
					       (struct move){ shown_by(d), c, NULL }, err);
			if (!rc && c->ftype == FT_DIR && c->dir_dirty)
				rc = move_push(out, n, &cap,
					       (struct move){ c, c->disc_parent, NULL }, err);
		}
	}
	return rc;
}

/* Whether some directory still waits for dir to show a name. */
static bool gains(const struct upd_node *dir, const struct move *mv, size_t n_mv)
{
	for (size_t k = 0; k < n_mv; k++)
		if (mv[k].gain == dir && mv[k].obj)
			return true;
	return false;
}

/* The next directory to write: the first in default order (children
 * before parents) that waits for none; else (a cycle) the first that
 * others wait for and has no interim version yet, else the first. */
static struct upd_node *next_dir(struct nodelist *l, const struct move *mv,
				 size_t n_mv)
{
	struct upd_node *first = NULL, *any = NULL;

	for (size_t i = l->n; i-- > 0;) {
		struct upd_node *n = l->v[i];
		if (!n->on_disc || n->ftype != FT_DIR || n->topo_done)
			continue;
		if (!n->topo_wait)
			return n;
		if (!first && !n->topo_interim && gains(n, mv, n_mv))
			first = n;
		if (!any)
			any = n;
	}
	return first ? first : any;
}

/* The committed entries of directories that got an interim version. */
struct interims {
	struct upd_node **dir;
	struct udf_inode **old;
	size_t n;
};

static struct udf_inode *interim_take(struct interims *iv,
				      const struct upd_node *dir)
{
	for (size_t i = 0; i < iv->n; i++)
		if (iv->dir[i] == dir) {
			struct udf_inode *o = iv->old[i];
			iv->old[i] = NULL;
			return o;
		}
	return NULL;
}

/* Breaks a cycle at pick: its interim version keeps the names of the
 * objects whose new directory is not written yet.  1: none written. */
static int write_interim(struct udf_update *u, struct upd_node *pick,
			 const struct move *mv, size_t n_mv,
			 struct interims *iv, discfs_error *err)
{
	struct upd_node **keep = malloc((n_mv + 1) * sizeof(*keep));
	struct udf_inode *old = NULL;
	size_t n = 0;
	if (!keep)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (size_t k = 0; k < n_mv; k++)
		if (mv[k].lose == pick && mv[k].gain && mv[k].obj)
			keep[n++] = mv[k].obj;
	pick->topo_interim = true;
	int rc = upd_write_interim(u, pick, keep, n, &old, err);
	if (rc == 0) {
		iv->dir[iv->n] = pick;
		iv->old[iv->n++] = old;
	}
	free(keep);
	return rc;
}

/*
 * Rewrites the directories on the disc in place: one that gains the name
 * of a moved object before the one that loses it (a cut in between shows
 * the object twice rather than nowhere, and the raised link count of a
 * directory gaining a subdirectory comes first), and before the moved
 * directory itself (whose ".." then names a directory that shows it);
 * otherwise children before parents.  A cycle (names moved both ways between directories)
 * is broken by an interim version of one of them (update_interim.c).
 */
static int write_dirs_in_place(struct udf_update *u, struct nodelist *l,
			       uint8_t *raw, uint8_t *blk, discfs_error *err)
{
	struct move *mv;
	size_t n_mv, left = 0;
	int rc = collect_moves(l, &mv, &n_mv, err);
	struct interims iv = { 0 };

	for (size_t i = 0; i < l->n; i++) {
		l->v[i]->topo_wait = 0;
		l->v[i]->topo_done = false;
		l->v[i]->topo_interim = false;
		left += l->v[i]->on_disc && l->v[i]->ftype == FT_DIR;
	}
	iv.dir = calloc(left + 1, sizeof(*iv.dir));
	iv.old = calloc(left + 1, sizeof(*iv.old));
	if (!rc && (!iv.dir || !iv.old))
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (size_t k = 0; k < n_mv; k++)
		mv[k].lose->topo_wait++;
	while (!rc && left) {
		struct upd_node *pick = next_dir(l, mv, n_mv);
		bool final = true;
		if (pick->topo_wait && !pick->topo_interim) {
			rc = write_interim(u, pick, mv, n_mv, &iv, err);
			final = rc == 1;
			rc = rc == 1 ? 0 : rc;
		}
		if (!rc && final) {
			pick->topo_done = true;
			left--;
			rc = write_fe_from(u, pick, 0, interim_take(&iv, pick), raw,
					   blk, err);
		}
		for (size_t k = 0; k < n_mv; k++)
			if (mv[k].gain == pick && mv[k].lose->topo_wait) {
				mv[k].lose->topo_wait--;
				mv[k].gain = NULL; /* released once */
			}
	}
	for (size_t i = 0; i < iv.n; i++)
		udf_inode_free(iv.old[i]);
	free(iv.dir);
	free(iv.old);
	free(mv);
	return rc;
}

static int commit_plain(struct udf_update *u, struct nodelist *l, uint8_t *raw,
			uint8_t *blk, discfs_error *err)
{
	int rc = 0;
	/* new objects' entries land in free blocks: invisible until their
	 * parent's entry points at its new stream */
	for (size_t i = 0; !rc && i < l->n; i++)
		if (!l->v[i]->on_disc)
			rc = write_fe(u, l->v[i], 0, raw, blk, err);
	if (!rc)
		rc = udf_bdev_sync(u->bd, err);
	/* The bitmap is written once, at the end: a commit cut before its
	 * first in-place entry leaves the volume exactly as it was (the open
	 * LVID is closed again at the next open), so the changes staged on
	 * it still apply.  A cut after it leaves blocks in use marked free
	 * until that repair marks them used (fsck_space.c). */
	/* in place: files first (their raised link counts before the
	 * directories that gain the names), then the directories */
	for (size_t i = l->n; !rc && i-- > 0;) {
		struct upd_node *n = l->v[i];
		if (n->on_disc && n->ftype != FT_DIR)
			rc = write_fe(u, n, 0, raw, blk, err);
	}
	if (!rc)
		rc = write_dirs_in_place(u, l, raw, blk, err);
	/* names gone: their count drops once no directory names them */
	bool folds = false;
	for (size_t i = 0; i < l->n; i++)
		folds = folds || l->v[i]->fold;
	if (!rc && folds)
		rc = udf_bdev_sync(u->bd, err);
	for (size_t i = 0; !rc && i < l->n; i++)
		if (l->v[i]->fold)
			rc = lower_count(u, l->v[i], raw, err);
	for (size_t i = 0; !rc && i < u->n_removed; i++)
		rc = drop_removed(u, u->removed[i], raw, blk, err);
	if (!rc)
		rc = udf_bdev_sync(u->bd, err);
	for (size_t i = 0; !rc && i < u->freed.n; i++) {
		upd_bitmap_set(u, u->freed.lbn[i], u->freed.len[i], true);
		u->st.blocks_freed += u->freed.len[i];
	}
	if (!rc)
		rc = upd_meta_finish(u, err);
	if (!rc)
		rc = upd_bitmap_write(u, err);
	if (!rc)
		rc = upd_lvid_write(u, true, err);
	return rc;
}

/* Puts the staged tree back as it was before a failed commit. */
static void rollback(struct udf_update *u, struct nodelist *l, uint32_t vat_n,
		     uint32_t *vat_saved)
{
	for (size_t i = 0; i < l->n; i++) {
		struct upd_node *n = l->v[i];
		if (!n->on_disc)
			n->icb_set = false;
		n->n_data = 0;
	}
	if (vat_saved) {
		memcpy(u->vat, vat_saved, (size_t)vat_n * sizeof(*u->vat));
		u->vat_n = vat_n;
	}
	if (u->bitmap && u->bitmap_saved)
		memcpy(u->bitmap, u->bitmap_saved, ((size_t)u->part_len + 7) / 8);
	upd_meta_rollback(u);
}

int udf_update_commit(struct udf_update *u, struct udf_update_stats *st,
		      discfs_error *err)
{
	struct nodelist l = { 0 };
	uint32_t bs = u->bd->block_size, vat_n = u->vat_n;
	uint32_t *vat_saved = NULL;
	if (st)
		memset(st, 0, sizeof(*st));
	if (!u->pending)
		return 0;
	int rc = u->bd->refresh ? u->bd->refresh(u->bd, err) : 0;
	if (rc)
		return rc;
	upd_commit_reset_space(u);
	uint8_t *raw = malloc(bs), *blk = malloc(bs);
	if (!raw || !blk)
		rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	if (!rc && u->vat) {
		vat_saved = malloc((size_t)vat_n * sizeof(*vat_saved) + 4);
		if (!vat_saved)
			rc = dfs_fail(err, DISCFS_ENOMEM, "out of memory");
		else
			memcpy(vat_saved, u->vat, (size_t)vat_n * sizeof(*vat_saved));
	}
	if (!rc && u->bitmap)
		memcpy(u->bitmap_saved, u->bitmap, ((size_t)u->part_len + 7) / 8);
	if (!rc)
		upd_meta_begin(u);
	if (!rc)
		rc = collect(u, &l, err);
	if (!rc)
		rc = fold_removed(u, &l, err);
	if (!rc && u->layout == DISCFS_LAYOUT_PLAIN)
		rc = upd_lvid_write(u, false, err);
	if (!rc)
		rc = assign_icbs(u, &l, err);
	if (!rc)
		rc = write_content(u, &l, err);
	if (!rc)
		rc = write_aeds(u, &l, raw, err);
	if (!rc)
		rc = u->layout == DISCFS_LAYOUT_VAT ? commit_vat(u, &l, raw, blk, err)
						    : commit_plain(u, &l, raw, blk, err);
	release_aeds(&l);
	if (rc) {
		rollback(u, &l, vat_n, vat_saved);
	} else {
		if (st)
			*st = u->st;
		rc = upd_reload(u, err);
	}
	free(vat_saved);
	free(l.v);
	free(raw);
	free(blk);
	return rc;
}
