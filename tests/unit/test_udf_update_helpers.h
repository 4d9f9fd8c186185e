/*
 * tests/unit/test_udf_update_helpers.h - shared by test_udf_update*.c:
 * an expected tree (the model), blank media as sparse image files,
 * content generated from a seed, and the checks every test makes after an
 * increment: the reader (C2) sees exactly the model, fsck finds no error.
 *
 * Helpers fail the test (cmocka) instead of returning codes.
 */
#ifndef TEST_UDF_UPDATE_HELPERS_H
#define TEST_UDF_UPDATE_HELPERS_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discfs.h"
#include "udf/fsck.h"
#include "udf/read_int.h"
#include "udf/update.h"
#include "util/bytes.h"

#define UT_MAX 1024

/* Deterministic content: byte i of a file with seed s. */
static inline uint8_t ut_byte(uint32_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 17);
	x ^= x >> 29;
	return (uint8_t)(x * 0xBF58476D1CE4E5B9ull >> 56);
}

struct ut_src {
	uint32_t seed;
};

static inline int ut_read(void *ctx, uint64_t off, void *buf, size_t len,
			  discfs_error *err)
{
	const struct ut_src *s = ctx;
	(void)err;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = ut_byte(s->seed, off + i);
	return 0;
}

/* One expected entry. */
struct ut_ent {
	char path[256];
	char type;        /* 'd', 'f', 'l' */
	uint64_t size;
	uint32_t seed;
	char target[128];
	uint32_t mode;    /* 0 = not checked */
	bool used;
};

struct ut_model {
	struct ut_ent e[UT_MAX];
	struct ut_src src[UT_MAX]; /* content sources live as long as the model */
	unsigned n;
};

static inline struct ut_ent *ut_find(struct ut_model *m, const char *path)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->e[i].used && !strcmp(m->e[i].path, path))
			return &m->e[i];
	return NULL;
}

static inline struct ut_ent *ut_slot(struct ut_model *m, const char *path)
{
	struct ut_ent *e = ut_find(m, path);
	if (e)
		return e;
	assert_true(m->n < UT_MAX);
	e = &m->e[m->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->used = true;
	return e;
}

/* Staging operations that keep the model in step. */
static inline void ut_mkdir(struct udf_update *u, struct ut_model *m,
			    const char *path)
{
	discfs_error err = { 0 };
	int rc = udf_update_mkdir(u, path, NULL, &err);
	if (rc)
		fail_msg("mkdir %s: %s", path, err.msg);
	ut_slot(m, path)->type = 'd';
}

static inline void ut_file(struct udf_update *u, struct ut_model *m,
			   const char *path, uint64_t size, uint32_t seed)
{
	discfs_error err = { 0 };
	struct ut_ent *e = ut_slot(m, path);
	struct ut_src *s = &m->src[e - m->e];
	s->seed = seed;
	int rc = udf_update_write_file(u, path, NULL, size, ut_read, s, &err);
	if (rc)
		fail_msg("write %s: %s", path, err.msg);
	e->type = 'f';
	e->size = size;
	e->seed = seed;
}

static inline void ut_symlink(struct udf_update *u, struct ut_model *m,
			      const char *path, const char *target)
{
	discfs_error err = { 0 };
	int rc = udf_update_symlink(u, path, target, NULL, &err);
	if (rc)
		fail_msg("symlink %s: %s", path, err.msg);
	struct ut_ent *e = ut_slot(m, path);
	e->type = 'l';
	snprintf(e->target, sizeof(e->target), "%s", target);
}

static inline void ut_remove(struct udf_update *u, struct ut_model *m,
			     const char *path)
{
	discfs_error err = { 0 };
	int rc = udf_update_remove(u, path, &err);
	if (rc)
		fail_msg("remove %s: %s", path, err.msg);
	ut_find(m, path)->used = false;
}

static inline void ut_rename(struct udf_update *u, struct ut_model *m,
			     const char *from, const char *to)
{
	discfs_error err = { 0 };
	int rc = udf_update_rename(u, from, to, &err);
	if (rc)
		fail_msg("rename %s %s: %s", from, to, err.msg);
	size_t fl = strlen(from);
	struct ut_ent *old = ut_find(m, to);
	if (old)
		old->used = false;
	for (unsigned i = 0; i < m->n; i++) {
		struct ut_ent *e = &m->e[i];
		if (!e->used || strncmp(e->path, from, fl) ||
		    (e->path[fl] != '\0' && e->path[fl] != '/'))
			continue;
		char np[256];
		snprintf(np, sizeof(np), "%s%s", to, e->path + fl);
		snprintf(e->path, sizeof(e->path), "%s", np);
	}
}

/* A hard link: newpath names the file at existing. */
static inline void ut_link(struct udf_update *u, struct ut_model *m,
			   const char *existing, const char *newpath)
{
	discfs_error err = { 0 };
	int rc = udf_update_link(u, existing, newpath, &err);
	if (rc)
		fail_msg("link %s %s: %s", existing, newpath, err.msg);
	struct ut_ent copy = *ut_find(m, existing);
	snprintf(copy.path, sizeof(copy.path), "%s", newpath);
	*ut_slot(m, newpath) = copy;
}

struct ut_links {
	struct { uint64_t ino; uint32_t nlink, names; } f[UT_MAX];
	unsigned n;
};

static inline int ut_links_cb(void *arg, const char *rel, struct udf_inode *ino)
{
	struct ut_links *l = arg;
	struct udf_stat st;
	(void)rel;
	if (udf_inode_is_dir(ino))
		return 0;
	udf_inode_stat(ino, &st);
	unsigned i = 0;
	while (i < l->n && l->f[i].ino != st.ino)
		i++;
	if (i == l->n && l->n < UT_MAX)
		l->f[l->n++].ino = st.ino;
	if (i < UT_MAX) {
		l->f[i].nlink = st.nlink;
		l->f[i].names++;
	}
	return 0;
}

/* No file's link count is below the names that lead to it (a count too
 * low would let a removal free data another name still uses). */
static inline void ut_check_links_not_low(const char *img)
{
	struct udf_vol *vol = NULL;
	discfs_error err = { 0 };
	struct ut_links *l = calloc(1, sizeof(*l));
	if (udf_vol_open_path(img, false, &vol, &err))
		fail_msg("reader: %s", err.msg);
	int rc = udf_walk(vol, "/", ut_links_cb, l, &err);
	udf_vol_close(vol);
	if (rc)
		fail_msg("walk: %s", err.msg);
	for (unsigned i = 0; i < l->n; i++)
		if (l->f[i].nlink < l->f[i].names)
			fail_msg("entry %llx: link count %u, %u names",
				 (unsigned long long)l->f[i].ino, l->f[i].nlink,
				 l->f[i].names);
	free(l);
}

static inline void ut_commit(struct udf_update *u, struct udf_update_stats *st)
{
	discfs_error err = { 0 };
	int rc = udf_update_commit(u, st, &err);
	if (rc)
		fail_msg("commit: %s (%d)", err.msg, rc);
}

/* ------------------------------------------------------------ checks */

struct ut_walk {
	struct udf_vol *vol;
	struct ut_model *m;
	unsigned seen;
	char why[2048];
};

/* Does the inode at path match expected entry e?  0, or 1 with why. */
static inline int ut_match(struct udf_vol *vol, const char *path,
			   struct udf_inode *ino, const struct ut_ent *e,
			   char *why, size_t wn)
{
	struct udf_stat st;
	udf_inode_stat(ino, &st);
	char type = S_ISDIR(st.mode) ? 'd' : S_ISLNK(st.mode) ? 'l' : 'f';
	if (type != e->type) {
		snprintf(why, wn, "%s: type %c, expected %c", path, type, e->type);
		return 1;
	}
	discfs_error err = { 0 };
	if (type == 'l') {
		char t[256] = "";
		if (udf_readlink(vol, ino, t, sizeof(t), &err) || strcmp(t, e->target)) {
			snprintf(why, wn, "%s: link '%s' (%s), expected '%s'", path, t,
				 err.msg, e->target);
			return 1;
		}
	} else if (type == 'f') {
		if (st.size != e->size) {
			snprintf(why, wn, "%s: size %llu, expected %llu", path,
				 (unsigned long long)st.size, (unsigned long long)e->size);
			return 1;
		}
		uint8_t buf[8192];
		for (uint64_t off = 0; off < st.size; off += sizeof(buf)) {
			size_t got = 0;
			if (udf_read(vol, ino, off, buf, sizeof(buf), &got, &err)) {
				snprintf(why, wn, "%s: read: %s", path, err.msg);
				return 1;
			}
			for (size_t i = 0; i < got; i++)
				if (buf[i] != ut_byte(e->seed, off + i)) {
					snprintf(why, wn, "%s: byte %llu differs", path,
						 (unsigned long long)(off + i));
					return 1;
				}
		}
	}
	if (e->mode && (st.mode & 07777) != e->mode) {
		snprintf(why, wn, "%s: mode %o, expected %o", path, st.mode & 07777,
			 e->mode);
		return 1;
	}
	return 0;
}

static inline int ut_walk_cb(void *arg, const char *rel, struct udf_inode *ino)
{
	struct ut_walk *w = arg;
	if (!*rel)
		return 0;
	char path[300];
	snprintf(path, sizeof(path), "/%s", rel);
	struct ut_ent *e = ut_find(w->m, path);
	if (!e) {
		snprintf(w->why, sizeof(w->why), "unexpected entry %s", path);
		return 1;
	}
	w->seen++;
	return ut_match(w->vol, path, ino, e, w->why, sizeof(w->why));
}

/* The reader on the image file sees exactly the model. */
static inline void ut_check_tree(const char *img, struct ut_model *m)
{
	struct udf_vol *vol = NULL;
	discfs_error err = { 0 };
	if (udf_vol_open_path(img, false, &vol, &err))
		fail_msg("reader: %s", err.msg);
	struct ut_walk w = { .vol = vol, .m = m };
	int rc = udf_walk(vol, "/", ut_walk_cb, &w, &err);
	udf_vol_close(vol);
	if (rc)
		fail_msg("tree: %s%s", w.why, rc < 0 ? err.msg : "");
	unsigned want = 0;
	for (unsigned i = 0; i < m->n; i++)
		want += m->e[i].used;
	if (w.seen != want)
		fail_msg("tree has %u entries, expected %u", w.seen, want);
}

struct ut_walk2 {
	struct udf_vol *vol;
	struct ut_model *old, *new_;
	bool seen_both[UT_MAX]; /* by index in old */
	char why[2048];
};

static inline int ut_either_cb(void *arg, const char *rel, struct udf_inode *ino)
{
	struct ut_walk2 *w = arg;
	if (!*rel)
		return 0;
	char path[300], w1[1024] = "", w2[1024] = "";
	snprintf(path, sizeof(path), "/%s", rel);
	struct ut_ent *a = ut_find(w->old, path), *b = ut_find(w->new_, path);
	if (a && b)
		w->seen_both[a - w->old->e] = true;
	if (a && !ut_match(w->vol, path, ino, a, w1, sizeof(w1)))
		return 0;
	if (b && !ut_match(w->vol, path, ino, b, w2, sizeof(w2)))
		return 0;
	snprintf(w->why, sizeof(w->why), "%s: neither old nor new (%s | %s)", path,
		 a ? w1 : "not in old", b ? w2 : "not in new");
	return 1;
}

/* Every entry is in its old or its new state; what both have is there. */
static inline void ut_check_tree_either(const char *img, struct ut_model *old,
					struct ut_model *new_)
{
	struct udf_vol *vol = NULL;
	discfs_error err = { 0 };
	if (udf_vol_open_path(img, false, &vol, &err))
		fail_msg("reader: %s", err.msg);
	struct ut_walk2 *w = calloc(1, sizeof(*w));
	w->vol = vol;
	w->old = old;
	w->new_ = new_;
	int rc = udf_walk(vol, "/", ut_either_cb, w, &err);
	udf_vol_close(vol);
	if (rc)
		fail_msg("tree: %s%s", w->why, rc < 0 ? err.msg : "");
	for (unsigned i = 0; i < old->n; i++)
		if (old->e[i].used && ut_find(new_, old->e[i].path) && !w->seen_both[i])
			fail_msg("%s vanished", old->e[i].path);
	free(w);
}

struct ut_fsck {
	unsigned errors, warnings;
	char first[300], first_warning[300];
	unsigned long long vat_uid_max; /* see ut_check_fsck */
	unsigned vat_uid_findings;
};

static inline void ut_fsck_cb(void *user, const discfs_fsck_issue *is)
{
	struct ut_fsck *f = user;
	unsigned long long next, max;
	if (is->severity == DISCFS_FSCK_WARNING && !f->warnings++)
		snprintf(f->first_warning, sizeof(f->first_warning), "%s: %s",
			 is->area, is->msg);
	/* fsck notes (as information) a stale LVID counter on VAT volumes. */
	if (is->severity == DISCFS_FSCK_INFO && !strcmp(is->area, "lvid") &&
	    sscanf(is->msg, "LVID next unique ID %llu predates later increments "
		   "(highest in use %llu)", &next, &max) == 2) {
		f->vat_uid_findings++;
		f->vat_uid_max = max;
		return;
	}
	if (is->severity != DISCFS_FSCK_ERROR)
		return;
	if (!f->errors++)
		snprintf(f->first, sizeof(f->first), "%s: %s", is->area, is->msg);
}

/* The next UniqueID our VAT header carries (0 when none; UINT64_MAX for
 * a 1.50 VAT, which has no header). */
static inline uint64_t ut_vat_next_uid(const char *img)
{
	struct udf_vol *vol = NULL;
	struct udf_inode *ino = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	uint64_t next = 0;
	discfs_error err = { 0 };
	assert_int_equal(udf_vol_open_path(img, false, &vol, &err), 0);
	for (unsigned i = 0; i < vol->n_maps; i++) {
		const struct udf_map *m = &vol->maps[i];
		if (m->kind != MAPK_VIRTUAL)
			continue;
		if (m->vat_rev < 0x0200) {
			/* a 1.50 VAT has no header to keep a counter in: the
			 * writer scans the tree for the highest ID instead */
			next = UINT64_MAX;
			continue;
		}
		const struct udf_pd *pd = &vol->pds[vol->maps[m->phys].pd];
		struct udf_icb icb = { (uint32_t)(m->vat_abs - pd->start), (uint16_t)m->phys };
		assert_int_equal(udf_inode_get(vol, icb, &ino, &err), 0);
		assert_int_equal(udf_read_stream(vol, ino, 1u << 24, &data, &len, &err), 0);
		if (len >= 192 && get_le16(data + 2) >= 40 &&
		    !memcmp(data + 152 + 1, "*discfs", 7))
			next = get_le64(data + 152 + 32);
		free(data);
		udf_inode_free(ino);
	}
	udf_vol_close(vol);
	return next;
}

/*
 * discfs_fsck finds no error.  One note is expected on write-once
 * volumes and checked differently: the LVID is recorded once, at format
 * time, so its "next UniqueID" cannot follow later increments; the writer
 * keeps the counter in the VAT header's implementation use instead (UDF
 * 2.2.11), and that counter must be above the highest ID fsck found.
 */
static inline void ut_check_fsck_opt(const char *img, bool no_warnings)
{
	struct ut_fsck f = { 0 };
	discfs_fsck_result res;
	discfs_error err = { 0 };
	if (discfs_fsck(img, 0, ut_fsck_cb, &f, &res, &err))
		fail_msg("fsck: %s", err.msg);
	if (!res.opened || f.errors)
		fail_msg("fsck: %u errors, first: %s", f.errors, f.first);
	if (no_warnings && f.warnings)
		fail_msg("fsck: %u warnings, first: %s", f.warnings, f.first_warning);
	if (f.vat_uid_findings) {
		uint64_t next = ut_vat_next_uid(img);
		if (next <= f.vat_uid_max)
			fail_msg("next unique ID %llu (VAT) not above %llu in use",
				 (unsigned long long)next, f.vat_uid_max);
	}
}

/* No error; warnings (e.g. blocks leaked by an interrupted commit) allowed. */
static inline void ut_check_fsck(const char *img)
{
	ut_check_fsck_opt(img, false);
}

/* Neither errors nor warnings. */
static inline void ut_check_fsck_clean(const char *img)
{
	ut_check_fsck_opt(img, true);
}

/* Writes the model as a directory tree at dir (for independent readers). */
static inline void ut_dump_model(const struct ut_model *m, const char *dir)
{
	char p[600];
	assert_int_equal(mkdir(dir, 0755), 0);
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < m->n; i++) {
			const struct ut_ent *e = &m->e[i];
			if (!e->used || (pass == 0) != (e->type == 'd'))
				continue;
			snprintf(p, sizeof(p), "%s%s", dir, e->path);
			if (e->type == 'd') {
				assert_int_equal(mkdir(p, 0755), 0);
			} else if (e->type == 'l') {
				assert_int_equal(symlink(e->target, p), 0);
			} else {
				FILE *f = fopen(p, "wb");
				assert_non_null(f);
				for (uint64_t o = 0; o < e->size; o++)
					fputc(ut_byte(e->seed, o), f);
				fclose(f);
				chmod(p, e->mode ? e->mode : 0644);
			}
		}
}

/* A blank medium: a sparse image file of cap blocks. */
/* With DFS_UPDATE_KEEP=DIR: img, the blocks a drive would report (after
 * the VAT, else the file's size) and the model's tree are kept in DIR as
 * NAME.img, NAME.blocks and NAME.src, for readers outside the test (the
 * shell and guest tests).  Nothing when name is NULL. */
static inline void ut_keep_image(const char *img, struct ut_model *m, const char *name)
{
	const char *keep = getenv("DFS_UPDATE_KEEP");
	discfs_volume *v;
	discfs_volume_info vi;
	discfs_error err = { 0 };
	char cmd[1200], to[600];
	if (!keep || !name)
		return;
	snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s/%s.img'", img, keep, name);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(discfs_volume_open(img, &v, &err), 0);
	discfs_volume_info_get(v, &vi);
	discfs_volume_close(v);
	snprintf(to, sizeof(to), "%s/%s.blocks", keep, name);
	FILE *f = fopen(to, "w");
	assert_non_null(f);
	struct stat sb;
	assert_int_equal(stat(img, &sb), 0);
	fprintf(f, "%llu\n", vi.layout == DISCFS_LAYOUT_VAT
			     ? (unsigned long long)vi.vat_block + 1
			     : (unsigned long long)sb.st_size / DISCFS_BLOCK_SIZE);
	fclose(f);
	snprintf(to, sizeof(to), "%s/%s.src", keep, name);
	ut_dump_model(m, to);
}

static inline void ut_blank(const char *img, uint64_t cap)
{
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(cap * DISCFS_BLOCK_SIZE)), 0);
	close(fd);
}

/* Formats img (blank) and opens it for updating. */
static inline void ut_open(const char *img, enum udf_bdev_kind kind,
			   uint64_t cap, const char *media, bool format,
			   struct udf_bdev *bd, struct udf_update **u)
{
	discfs_error err = { 0 };
	struct udf_update_opts o = { .now = 1700000000, .label = "TEST" };
	if (udf_bdev_open_file(img, kind, cap, bd, &err))
		fail_msg("bdev: %s", err.msg);
	if (media)
		snprintf(bd->media, sizeof(bd->media), "%s", media);
	if (format && udf_update_format(bd, &o, &err))
		fail_msg("format: %s", err.msg);
	if (udf_update_open(bd, &o, u, &err))
		fail_msg("open: %s", err.msg);
}

static inline void ut_tmpdir(char *dir, size_t n)
{
	snprintf(dir, n, "/tmp/dfs_update_XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static inline void ut_rmdir(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}


/* A test's disc: an image file under a scratch directory, opened for
 * update; the model of what it must hold. */
struct ut_env {
	char dir[128];
	char img[256];
	enum udf_bdev_kind kind;
	const char *media;
	uint64_t cap;
	struct ut_model *m;
	struct udf_bdev bd;
	struct udf_update *u;
};

static inline int ut_env_setup(void **state, enum udf_bdev_kind kind,
			       const char *media, uint64_t cap)
{
	struct ut_env *e = calloc(1, sizeof(*e));
	ut_tmpdir(e->dir, sizeof(e->dir));
	snprintf(e->img, sizeof(e->img), "%s/disc.img", e->dir);
	e->kind = kind;
	e->media = media;
	e->cap = cap;
	e->m = calloc(1, sizeof(*e->m));
	ut_blank(e->img, cap);
	ut_open(e->img, kind, cap, media, true, &e->bd, &e->u);
	*state = e;
	return 0;
}

static inline int ut_env_teardown(void **state)
{
	struct ut_env *e = *state;
	udf_update_close(e->u);
	udf_bdev_close(&e->bd);
	ut_rmdir(e->dir);
	free(e->m);
	free(e);
	return 0;
}

/* Commits, reopens from the disc, checks the tree and a clean fsck. */
static inline void ut_env_commit_check(struct ut_env *e,
				       struct udf_update_stats *st)
{
	ut_commit(e->u, st);
	udf_update_close(e->u);
	udf_bdev_close(&e->bd);
	ut_open(e->img, e->kind, e->cap, e->media, false, &e->bd, &e->u);
	ut_check_tree(e->img, e->m);
	ut_check_fsck_clean(e->img);
}

#endif
