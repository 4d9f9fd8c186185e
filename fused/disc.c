/* fused/disc.c - see disc.h */
#include "fused/disc.h"
#include "fused/staging_xattr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mmc/drive_query.h"
#include "mmc/mmc_defs.h"
#include "udf/update.h"
#include "util/err.h"

/* ------------------------------------------------------- id -> path map */

struct dfs_disc_paths {
	size_t n, cap;
	struct { uint64_t id; char *path; } *slot; /* open addressing */
};

static size_t id_hash(uint64_t id)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdull;
	return (size_t)(id ^ (id >> 33));
}

static int paths_put(struct dfs_disc_paths *p, uint64_t id, const char *path)
{
	if ((p->n + 1) * 2 > p->cap) {
		struct dfs_disc_paths grown = { .cap = p->cap ? p->cap * 2 : 1024 };
		grown.slot = calloc(grown.cap, sizeof(*grown.slot));
		if (!grown.slot)
			return -ENOMEM;
		for (size_t i = 0; i < p->cap; i++)
			if (p->slot[i].path) {
				size_t j = id_hash(p->slot[i].id) & (grown.cap - 1);
				while (grown.slot[j].path)
					j = (j + 1) & (grown.cap - 1);
				grown.slot[j] = p->slot[i];
			}
		free(p->slot);
		p->slot = grown.slot;
		p->cap = grown.cap;
	}
	size_t j = id_hash(id) & (p->cap - 1);
	while (p->slot[j].path) {
		if (p->slot[j].id == id)
			return 0; /* another name of a hard-linked file */
		j = (j + 1) & (p->cap - 1);
	}
	p->slot[j].path = strdup(path);
	if (!p->slot[j].path)
		return -ENOMEM;
	p->slot[j].id = id;
	p->n++;
	return 0;
}

static const char *paths_get(const struct dfs_disc_paths *p, uint64_t id)
{
	if (!p || !p->cap)
		return NULL;
	for (size_t j = id_hash(id) & (p->cap - 1); p->slot[j].path;
	     j = (j + 1) & (p->cap - 1))
		if (p->slot[j].id == id)
			return p->slot[j].path;
	return NULL;
}

static void paths_free(struct dfs_disc_paths *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->slot[i].path);
	free(p->slot);
	free(p);
}

/* ------------------------------------------------------------- opening */

const char *dfs_disc_media_name(uint16_t profile)
{
	switch (profile) {
	case MMC_PROF_CD_R: return "cd-r";
	case MMC_PROF_CD_RW: return "cd-rw";
	case MMC_PROF_DVD_R_SEQ: return "dvd-r";
	case MMC_PROF_DVD_RAM: return "dvd-ram";
	case MMC_PROF_DVD_RW_RO: case MMC_PROF_DVD_RW_SEQ: return "dvd-rw";
	case MMC_PROF_DVD_R_DL_SEQ: case MMC_PROF_DVD_R_DL_JUMP: return "dvd-r-dl";
	case MMC_PROF_DVD_PLUS_RW: return "dvd+rw";
	case MMC_PROF_DVD_PLUS_R: return "dvd+r";
	case MMC_PROF_DVD_PLUS_R_DL: return "dvd+r-dl";
	case MMC_PROF_BD_R_SRM: case MMC_PROF_BD_R_RRM: return "bd-r";
	case MMC_PROF_BD_RE: return "bd-re";
	default: return NULL;
	}
}

static int open_none(struct dfs_disc *d, uint64_t capacity)
{
	d->none = d->blank = true;
	d->capacity_bytes = d->free_bytes = capacity;
	snprintf(d->generation, sizeof(d->generation), "none");
	snprintf(d->desc, sizeof(d->desc), "no disc (staging only), %llu bytes",
		 (unsigned long long)capacity);
	return 0;
}

static int open_volume(struct dfs_disc *d, const discfs_media_info *mi,
		       discfs_error *err)
{
	discfs_volume_info vi;
	int rc = discfs_volume_open(d->dev, &d->vol, err);

	if (rc < 0)
		return dfs_wrap(err, rc, "%s holds data (%s) but no UDF file "
				"system this build can read", d->dev,
				discfs_profile_name(mi->profile));
	discfs_volume_info_get(d->vol, &vi);
	if (vi.format == DISCFS_VOLUME_ISO9660) { /* nothing to add UDF to */
		d->iso_only = true;
		d->read_only = "ISO9660 disc: mounted read-only; it holds no UDF "
			       "file system to add to (-o import adds one to an "
			       "appendable write-once disc)";
		d->free_bytes = 0;
		/* the ISO volume itself (its last session ends where its
		 * volume space does), not where the disc ends: an import cut
		 * short leaves the disc longer but the same ISO volume, which
		 * the staged changes still stack on */
		snprintf(d->generation, sizeof(d->generation), "iso9660:%04x:"
			 "vol%llu", mi->profile,
			 (unsigned long long)vi.partition_blocks);
		d->paths = calloc(1, sizeof(*d->paths));
		return d->paths ? 0 : dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	if (vi.free_blocks != UINT64_MAX && !mi->free_blocks)
		d->free_bytes = vi.free_blocks * DISCFS_BLOCK_SIZE;
	/* What identifies this committed state.  On a VAT volume the VAT's
	 * entries say it all; where the disc ends is left out, because an
	 * increment cut short appends blocks without a new VAT and commits
	 * nothing (fused/commit_update.h).  Elsewhere: where the disc ends,
	 * the volume's counters and its free space. */
	if (vi.layout == DISCFS_LAYOUT_VAT) /* by content: a VAT copied to the
		* end by the repair of a cut-short commit is the same state */
		snprintf(d->generation, sizeof(d->generation),
			 "udf:%04x:vat%016llx:f%u:d%u", mi->profile,
			 (unsigned long long)vi.vat_hash, vi.files, vi.dirs);
	else
		snprintf(d->generation, sizeof(d->generation),
			 "udf:%04x:s%u:end%u:nwa%u:f%u:d%u:free%llu", mi->profile,
			 mi->sessions, mi->last_lba,
			 mi->next_writable_valid ? mi->next_writable : 0,
			 vi.files, vi.dirs, (unsigned long long)vi.free_blocks);
	d->empty_volume = vi.files == 0 && vi.dirs <= 1;
	d->paths = calloc(1, sizeof(*d->paths));
	if (!d->paths)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	return 0;
}

/* See dfs_disc_open(): the disc as it was before a cut-short commit. */
static int open_unfinished(struct dfs_disc *d, const char *staged_on,
			   discfs_error *err)
{
	char blank_gen[STG_GEN_MAX + 1];

	snprintf(blank_gen, sizeof(blank_gen), "blank:%04x", d->profile);
	if (!staged_on || strcmp(staged_on, blank_gen))
		return -1;
	dfs_clear(err);
	if (d->vol)
		discfs_volume_close(d->vol);
	d->vol = NULL;
	d->unfinished = true;
	snprintf(d->generation, sizeof(d->generation), "%s", blank_gen);
	return 0;
}

/*
 * Staged changes exist, so a commit may have been cut short: opening the
 * volume for update puts it back in order (write-once: the last good VAT
 * is copied to the end, so every reader finds it; rewritable: an open
 * LVID is repaired).  A disc the update engine cannot open (blank, or a
 * layout it does not write) is left alone; reading it says what it is.
 */
static uint64_t recorded_end(const char *dev)
{
	discfs_drive *drive;
	discfs_media_info mi;
	discfs_error ignored;
	uint64_t end = 0;

	if (discfs_open(dev, &drive, &ignored) < 0)
		return 0;
	if (discfs_media_info_get(drive, &mi, &ignored) == 0) {
		end = (uint64_t)mi.last_lba << 32 | mi.next_writable;
		discfs_media_info_free(&mi);
	}
	discfs_close(drive);
	return end;
}

/* Where the disc ends and what its volume counts, to see a repair. */
static void fingerprint(const char *dev, uint64_t fp[4])
{
	discfs_volume *vol;
	discfs_volume_info vi;
	discfs_error ignored;

	memset(fp, 0, 4 * sizeof(*fp));
	fp[0] = recorded_end(dev);
	if (discfs_volume_open(dev, &vol, &ignored) < 0)
		return;
	discfs_volume_info_get(vol, &vi);
	fp[1] = vi.files;
	fp[2] = vi.dirs;
	fp[3] = vi.free_blocks;
	discfs_volume_close(vol);
}

/* True when the disc had to be put in order (something was written). */
static bool finish_cut_short(const char *dev)
{
	discfs_update *up = NULL;
	discfs_error ignored;
	uint64_t before[4], after[4];

	fingerprint(dev, before);
	if (discfs_update_open(dev, NULL, &up, &ignored) < 0)
		return false;
	discfs_update_close(up);
	fingerprint(dev, after);
	return memcmp(before, after, sizeof(before)) != 0;
}

/*
 * A first commit lays out an empty volume before it writes anything: cut
 * short there, the disc holds nothing the staged changes do not, so it is
 * the blank disc they stack on (the next commit continues on the volume).
 */
static void empty_as_blank(struct dfs_disc *d, const char *staged_on)
{
	char blank_gen[STG_GEN_MAX + 1];

	snprintf(blank_gen, sizeof(blank_gen), "blank:%04x", d->profile);
	if (d->empty_volume && staged_on && !strcmp(staged_on, blank_gen))
		snprintf(d->generation, sizeof(d->generation), "%s", blank_gen);
}

/*
 * A rewritable disc that is formatted but was never written (DVD-RAM and
 * BD-RE come so from the shop; the drive calls them "complete") holds no
 * file system: its first 512 blocks, where every file system we know puts
 * its descriptors (ISO9660 and UDF at 16.., the UDF anchor at 256), read
 * as zeros.  Such a disc is blank to us; anything else on it is data we
 * must not overwrite.
 */
#define UNUSED_PROBE_BLOCKS 512

static bool unused_rewritable(const char *dev, uint64_t capacity_blocks)
{
	discfs_drive *drive;
	discfs_error ignored;
	uint8_t *buf;
	bool zero = false;
	uint32_t n = capacity_blocks < UNUSED_PROBE_BLOCKS
		     ? (uint32_t)capacity_blocks : UNUSED_PROBE_BLOCKS;

	if (!n || !(buf = malloc((size_t)n * DISCFS_BLOCK_SIZE)))
		return false;
	if (discfs_open(dev, &drive, &ignored) == 0) {
		zero = discfs_read_blocks(drive, 0, n, buf, &ignored) == 0;
		for (size_t i = 0; zero && i < (size_t)n * DISCFS_BLOCK_SIZE; i++)
			zero = buf[i] == 0;
		discfs_close(drive);
	}
	free(buf);
	return zero;
}

int dfs_disc_open(struct dfs_disc *d, const char *dev, uint64_t capacity_none,
		  const char *staged_on, discfs_error *err)
{
	discfs_drive *drive;
	discfs_media_info mi;
	int rc;

	memset(d, 0, sizeof(*d));
	d->uid = getuid();
	d->gid = getgid();
	snprintf(d->dev, sizeof(d->dev), "%s", dev);
	if (!strcmp(dev, "none"))
		return open_none(d, capacity_none);
	bool recovered = staged_on && finish_cut_short(dev);

	rc = discfs_open(dev, &drive, err);
	if (rc < 0)
		return rc;
	rc = discfs_media_info_get(drive, &mi, err);
	discfs_close(drive);
	if (rc < 0)
		return dfs_wrap(err, rc, "%s", dev);
	d->profile = mi.profile;
	d->erasable = mi.erasable;
	d->blank = mi.disc_status == DISCFS_DISC_BLANK ||
		   (mi.present && mmc_media_random_access(&mi) &&
		    unused_rewritable(dev, mi.capacity_blocks));
	/* A blank CD-RW or DVD-RW is formatted for overwriting at the first
	 * commit (lib/update_api.c): in place from then on. */
	d->in_place = mi.present &&
		      (mmc_media_random_access(&mi) ||
		       (d->blank && (mi.profile == MMC_PROF_CD_RW ||
				     mi.profile == MMC_PROF_DVD_RW_SEQ)));
	d->closed = mi.present && mi.disc_status == DISCFS_DISC_COMPLETE &&
		    !mmc_media_random_access(&mi);
	if (d->closed)
		d->read_only = "closed (finalized) disc: mounted read-only; "
			       "nothing can be appended to it";
	d->capacity_bytes = mi.capacity_blocks * DISCFS_BLOCK_SIZE;
	d->free_bytes = d->closed ? 0 : (d->blank ? mi.capacity_blocks
					   : mi.free_blocks) * DISCFS_BLOCK_SIZE;
	/* a blank CD-RW gets its fixed packets at the first commit: a fifth
	 * of it goes to their link blocks, so only the rest is free */
	if (d->blank && mi.profile == MMC_PROF_CD_RW && mi.packet_blocks)
		d->capacity_bytes = d->free_bytes = mi.packet_blocks * DISCFS_BLOCK_SIZE;
	if (!mi.present)
		rc = dfs_fail(err, DISCFS_ENOMEDIUM, "%s: no disc in the drive", dev);
	else if (d->blank)
		snprintf(d->generation, sizeof(d->generation), "blank:%04x",
			 mi.profile);
	else if ((rc = open_volume(d, &mi, err)) < 0 &&
		 open_unfinished(d, staged_on, err) == 0)
		rc = 0;
	else if (rc == 0) {
		d->repaired = recovered;
		empty_as_blank(d, staged_on);
	}
	snprintf(d->desc, sizeof(d->desc), "%s, %s, %llu bytes free",
		 discfs_profile_name(mi.profile),
		 d->blank ? "blank" : d->unfinished
		 ? "holding an unfinished session of a failed commit"
		 : d->closed ? "recorded, closed (finalized): read-only"
		 : "recorded",
		 (unsigned long long)d->free_bytes);
	discfs_media_info_free(&mi);
	if (rc < 0)
		dfs_disc_close(d);
	return rc;
}

void dfs_disc_close(struct dfs_disc *d)
{
	if (d->file)
		discfs_file_close(d->file);
	if (d->vol)
		discfs_volume_close(d->vol);
	paths_free(d->paths);
	d->file = NULL;
	d->vol = NULL;
	d->paths = NULL;
}

/* ------------------------------------------------------------- loading */

struct load_ctx {
	struct dfs_disc *d;
	struct stg_tree *tree;
	discfs_error *err;
};

static int64_t ns(int64_t sec, uint32_t nsec)
{
	return sec * 1000000000 + nsec;
}

/* The tree's directory holding relpath's last component, or NULL. */
static struct stg_inode *parent_of(struct stg_tree *t, const char *rel,
				   const char **name)
{
	struct stg_inode *dir = stg_tree_inode(t, STG_ROOT_INO);
	const char *p = rel, *slash;

	while (dir && (slash = strchr(p, '/'))) {
		struct stg_dentry *de = stg_tree_lookup(t, dir, p, (size_t)(slash - p));
		dir = de ? de->inode : NULL;
		p = slash + 1;
	}
	*name = p;
	return dir;
}

struct xattr_load {
	struct stg_inode *in;
	int rc;
};

static int put_xattr(void *user, const char *name, const void *value,
		     size_t len)
{
	struct xattr_load *x = user;
	struct stg_op op = { .name = name, .name_len = (uint32_t)strlen(name),
			     .data = value, .data_len = (uint32_t)len };

	x->rc = stg_xattr_set(x->in, &op);
	return x->rc < 0 ? 1 : 0;
}

/* The committed xattrs of path, as they are on the disc: not a change. */
static int load_xattrs(struct load_ctx *c, const char *path, uint64_t ino)
{
	struct xattr_load x = { .in = stg_tree_inode(c->tree, ino) };
	int64_t ctime;
	uint8_t changed;
	int rc;

	if (!x.in)
		return 0;
	ctime = x.in->ctime;
	changed = x.in->changed;
	rc = discfs_volume_xattrs(c->d->vol, path, put_xattr, &x, c->err);
	x.in->ctime = ctime;
	x.in->changed = changed;
	if (rc < 0)
		return rc;
	return x.rc < 0 ? dfs_fail(c->err, DISCFS_ENOMEM, "%s: extended "
				   "attributes: %s", path, strerror(-x.rc)) : 0;
}

static int load_one(void *user, const char *rel, const discfs_stat *st)
{
	struct load_ctx *c = user;
	struct stg_op a = {
		.ino = st->ino + 2, .mode = st->mode,
		.rdev = makedev(st->rdev_major, st->rdev_minor),
		.uid = st->uid == 0xFFFFFFFFu ? c->d->uid : st->uid,
		.gid = st->gid == 0xFFFFFFFFu ? c->d->gid : st->gid,
		.size = st->size, .atime = ns(st->atime, st->atime_nsec),
		.mtime = ns(st->mtime, st->mtime_nsec),
		.time = ns(st->ctime, st->ctime_nsec),
	};
	char path[4200], target[4096];
	struct stg_inode *dir;
	const char *name;
	int rc;

	snprintf(path, sizeof(path), "/%s", rel);
	if (!*rel) { /* the root: its attributes */
		struct stg_inode *root = stg_tree_inode(c->tree, STG_ROOT_INO);
		root->mode = S_IFDIR | (st->mode & 07777);
		root->uid = a.uid;
		root->gid = a.gid;
		root->atime = a.atime;
		root->mtime = a.mtime;
		root->ctime = a.time;
		root->disc_id = st->ino + 1;
		return (st->flags & DISCFS_STAT_XATTRS)
		       ? load_xattrs(c, "/", STG_ROOT_INO) : 0;
	}
	if (st->ino + 2 >= STG_FIRST_NEW_INO)
		return dfs_fail(c->err, DISCFS_EFORMAT, "%s: file entry number too big", path);
	if (S_ISLNK(st->mode)) {
		rc = discfs_volume_readlink(c->d->vol, path, target, sizeof(target), c->err);
		if (rc < 0)
			return rc;
		a.data = target;
		a.data_len = (uint32_t)strlen(target);
	}
	dir = parent_of(c->tree, rel, &name);
	if (!dir)
		return dfs_fail(c->err, DISCFS_EFORMAT, "%s: parent not loaded", path);
	/* The number it had before the commit, else the disc's, else a new one. */
	a.ino = dfs_inomap_get(c->d->map, path);
	if (!a.ino)
		a.ino = st->ino + 2;
	rc = stg_tree_add_committed(c->tree, dir->ino, name, &a, st->ino + 1);
	if (rc == -EEXIST && a.ino != st->ino + 2) {
		a.ino = st->ino + 2;
		rc = stg_tree_add_committed(c->tree, dir->ino, name, &a, st->ino + 1);
	}
	if (rc == -EEXIST) {
		a.ino = c->tree->next_ino;
		rc = stg_tree_add_committed(c->tree, dir->ino, name, &a, st->ino + 1);
	}
	if (rc == 0 && S_ISREG(st->mode))
		rc = paths_put(c->d->paths, st->ino + 1, path);
	if (rc == 0 && (st->flags & DISCFS_STAT_XATTRS))
		return load_xattrs(c, path, a.ino);
	if (rc < 0)
		return dfs_fail(c->err, rc == -ENOMEM ? DISCFS_ENOMEM : DISCFS_EFORMAT,
				"%s: cannot be shown: %s", path, strerror(-rc));
	return 0;
}

int dfs_disc_load(void *ctx, struct stg_tree *tree, discfs_error *err)
{
	struct dfs_disc *d = ctx;
	struct load_ctx c = { .d = d, .tree = tree, .err = err };

	if (!d->vol)
		return 0; /* blank: nothing committed */
	return discfs_volume_walk(d->vol, "/", load_one, &c, err);
}

int dfs_disc_read(void *ctx, uint64_t disc_id, uint64_t off, void *buf,
		  size_t len)
{
	struct dfs_disc *d = ctx;
	const char *path = paths_get(d->paths, disc_id);
	discfs_error err;
	size_t got = 0;

	if (!path || !d->vol)
		return -EIO;
	if (d->committing) { /* the commit holds the drive: read through it */
		if (udf_update_read_committed(d->committing, path, off, buf, len,
					      &got, &err) < 0)
			return -EIO;
		if (got < len)
			memset((char *)buf + got, 0, len - got);
		return 0;
	}
	if (!d->file || d->file_id != disc_id) {
		if (d->file)
			discfs_file_close(d->file);
		d->file = NULL;
		if (discfs_file_open(d->vol, path, &d->file, &err) < 0)
			return -EIO;
		d->file_id = disc_id;
	}
	if (discfs_file_read(d->file, off, buf, len, &got, &err) < 0)
		return -EIO;
	if (got < len) /* the disc holds less than its entry claims */
		memset((char *)buf + got, 0, len - got);
	return 0;
}
