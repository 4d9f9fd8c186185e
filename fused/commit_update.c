/* fused/commit_update.c - see commit_update.h */
#include "fused/commit_update.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fused/commit_import.h"
#include "udf/update.h"
#include "util/err.h"

enum { C_GONE = 0, C_KEPT, C_MOVED };     /* committed name's fate */
enum { L_NEW = 0, L_KEPT, L_MOVED };      /* live name's origin */

struct cname {           /* a name on the disc */
	char *path;          /* "/a/b" */
	char *tmp;           /* where a moved entry waits, or NULL */
	uint64_t id;         /* disc id (as the loader gives it) */
	uint32_t depth;
	uint8_t fate;
};

struct lname {           /* a name of the plan */
	char *path;          /* "" for the root */
	size_t src;          /* L_MOVED: index into the committed names */
	uint8_t kind;
};

struct rd {              /* read callback context of one file */
	const struct dfs_commit_plan *plan;
	const struct stg_inode *in;
};

struct job {
	const struct dfs_commit_plan *plan;
	struct udf_update *u;
	struct cname *c;
	size_t nc, capc;
	size_t *hash, hcap;  /* committed path -> index + 1 */
	size_t *by_id;       /* committed indexes sorted by id */
	struct lname *l;
	size_t *rep;         /* plan index -> the name that writes its inode */
	struct rd *rd;
	struct udf_xattr *xa; /* scratch: one inode's xattrs (the engine copies) */
	size_t xa_cap;
	discfs_error *err;
};

/* ------------------------------------------------------ committed names */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static size_t *hash_slot(struct job *j, const char *path)
{
	size_t k = hash_str(path) & (j->hcap - 1);

	while (j->hash[k] && strcmp(j->c[j->hash[k] - 1].path, path))
		k = (k + 1) & (j->hcap - 1);
	return &j->hash[k];
}

static struct cname *committed(struct job *j, const char *path)
{
	size_t i = *hash_slot(j, path);

	return i ? &j->c[i - 1] : NULL;
}

static int walk_one(void *user, const char *rel, const discfs_stat *st)
{
	struct job *j = user;
	struct cname *c;

	if (!*rel)
		return 0; /* the root stays the root */
	if (j->nc == j->capc) {
		size_t cap = j->capc ? j->capc * 2 : 256;
		struct cname *v = realloc(j->c, cap * sizeof(*v));
		if (!v)
			return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
		j->c = v;
		j->capc = cap;
	}
	c = &j->c[j->nc];
	*c = (struct cname){ .id = st->ino + 1 };
	if (asprintf(&c->path, "/%s", rel) < 0)
		return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
	for (const char *p = c->path; *p; p++)
		c->depth += *p == '/';
	j->nc++;
	return 0;
}

static int cmp_id(const void *a, const void *b, void *arg)
{
	const struct cname *c = arg;
	uint64_t x = c[*(const size_t *)a].id, y = c[*(const size_t *)b].id;

	return x < y ? -1 : x > y;
}

/* Reads every name on the disc and indexes them by path and by id. */
static int load_committed(struct job *j, discfs_volume *vol)
{
	int rc = vol ? discfs_volume_walk(vol, "/", walk_one, j, j->err) : 0;

	if (rc < 0)
		return dfs_wrap(j->err, rc, "commit: reading the names on the disc");
	for (j->hcap = 64; j->hcap < j->nc * 2; j->hcap *= 2)
		;
	j->hash = calloc(j->hcap, sizeof(*j->hash));
	j->by_id = calloc(j->nc + 1, sizeof(*j->by_id));
	if (!j->hash || !j->by_id)
		return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
	for (size_t i = 0; i < j->nc; i++) {
		*hash_slot(j, j->c[i].path) = i + 1;
		j->by_id[i] = i;
	}
	qsort_r(j->by_id, j->nc, sizeof(*j->by_id), cmp_id, j->c);
	return 0;
}

/* A committed name of id that no live name has claimed, or NULL. */
static struct cname *unclaimed_of(struct job *j, uint64_t id)
{
	size_t lo = 0, hi = j->nc;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (j->c[j->by_id[mid]].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < j->nc && j->c[j->by_id[lo]].id == id; lo++)
		if (j->c[j->by_id[lo]].fate == C_GONE)
			return &j->c[j->by_id[lo]];
	return NULL;
}

/* Where a committed name is now: under its deepest moved ancestor. */
static char *current_path(struct job *j, const char *path)
{
	char *p = strdup(path), *out = NULL;

	for (char *slash; p && (slash = strrchr(p, '/')) && slash != p;) {
		*slash = '\0';
		struct cname *a = committed(j, p);
		if (a && a->tmp) {
			if (asprintf(&out, "%s%s", a->tmp, path + strlen(p)) < 0)
				out = NULL;
			free(p);
			return out;
		}
	}
	free(p);
	return strdup(path);
}

/* ------------------------------------------------------------ matching */

static int plan_paths(struct job *j)
{
	const struct dfs_commit_plan *plan = j->plan;

	j->l = calloc(plan->n, sizeof(*j->l));
	j->rd = calloc(plan->n, sizeof(*j->rd));
	if (!j->l || !j->rd)
		return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
	j->l[0].path = strdup("");
	for (size_t i = 1; i < plan->n; i++) {
		const struct dfs_commit_entry *e = &plan->entries[i];
		if (asprintf(&j->l[i].path, "%s/%s", j->l[e->parent].path,
			     e->name->name) < 0)
			j->l[i].path = NULL;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (!j->l[i].path)
			return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
	return 0;
}

/* Live names at their committed place first, then moves of the rest. */
static void match(struct job *j)
{
	const struct dfs_commit_plan *plan = j->plan;

	/* Kept only under a kept parent: a name whose committed directory
	 * moved away moves with a rename of its own. */
	j->l[0].kind = L_KEPT;
	for (size_t i = 1; i < plan->n; i++) {
		uint64_t id = plan->entries[i].inode->disc_id;
		struct cname *c = committed(j, j->l[i].path);
		bool parent_kept = j->l[plan->entries[i].parent].kind == L_KEPT;
		if (id && c && c->id == id && c->fate == C_GONE && parent_kept) {
			c->fate = C_KEPT;
			j->l[i].kind = L_KEPT;
		}
	}
	for (size_t i = 1; i < plan->n; i++) {
		uint64_t id = plan->entries[i].inode->disc_id;
		struct cname *c = id && j->l[i].kind == L_NEW ? unclaimed_of(j, id) : NULL;
		if (c) {
			c->fate = C_MOVED;
			j->l[i].kind = L_MOVED;
			j->l[i].src = (size_t)(c - j->c);
		}
	}
}

/* ----------------------------------------------------------- hard links */

static int cmp_inode(const void *a, const void *b, void *arg)
{
	const struct dfs_commit_entry *e = arg;
	const struct stg_inode *x = e[*(const size_t *)a].inode;
	const struct stg_inode *y = e[*(const size_t *)b].inode;
	size_t i = *(const size_t *)a, k = *(const size_t *)b;

	if (x != y)
		return (uintptr_t)x < (uintptr_t)y ? -1 : 1;
	return (i > k) - (i < k);
}

/*
 * The names of one staged inode are one file on the disc: one of them
 * (a name the disc has, else the first) writes content and attributes,
 * the others are linked to it.
 */
static int pick_reps(struct job *j)
{
	const struct dfs_commit_plan *plan = j->plan;
	size_t *by = calloc(plan->n + 1, sizeof(*by));

	j->rep = calloc(plan->n + 1, sizeof(*j->rep));
	if (!by || !j->rep) {
		free(by);
		return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
	}
	for (size_t i = 0; i < plan->n; i++)
		by[i] = j->rep[i] = i;
	qsort_r(by, plan->n, sizeof(*by), cmp_inode, plan->entries);
	for (size_t g = 0, end; g < plan->n; g = end) {
		size_t best = by[g];
		for (end = g; end < plan->n &&
		     plan->entries[by[end]].inode == plan->entries[by[g]].inode; end++)
			if (j->l[best].kind == L_NEW && j->l[by[end]].kind != L_NEW)
				best = by[end];
		if (S_ISDIR(plan->entries[best].inode->mode))
			continue;
		for (size_t k = g; k < end; k++)
			j->rep[by[k]] = best;
	}
	free(by);
	return 0;
}

/* ------------------------------------------------------------- writing */

/* The attributes the disc records for in: mode, owner, mtime and its
 * extended attributes (all of them: the engine replaces the set). */
static int attr_of(struct job *j, const struct stg_inode *in,
		   struct udf_update_attr *a)
{
	size_t n = 0;

	for (const struct stg_xattr *x = in->xattrs; x; x = x->next)
		n++;
	if (n > j->xa_cap) {
		struct udf_xattr *g = realloc(j->xa, n * sizeof(*g));
		if (!g)
			return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
		j->xa = g;
		j->xa_cap = n;
	}
	n = 0;
	for (const struct stg_xattr *x = in->xattrs; x; x = x->next)
		j->xa[n++] = (struct udf_xattr){ x->data,
			(const uint8_t *)x->data + x->name_len + 1, x->value_len };
	*a = (struct udf_update_attr){
		.mask = UDF_ATTR_MODE | UDF_ATTR_OWNER | UDF_ATTR_MTIME | UDF_ATTR_XATTRS,
		.mode = in->mode & 07777, .uid = in->uid, .gid = in->gid,
		.mtime = in->mtime / 1000000000,
		.mtime_nsec = (uint32_t)(in->mtime % 1000000000),
		.xattrs = j->xa, .n_xattrs = n,
	};
	return 0;
}

static int read_bytes(void *ctx, uint64_t off, void *buf, size_t len,
		      discfs_error *err)
{
	struct rd *r = ctx;

	for (size_t done = 0; done < len;) {
		ssize_t n = dfs_commit_read(r->plan, r->in, off + done,
					    (char *)buf + done, len - done);
		if (n <= 0)
			return dfs_fail(err, DISCFS_EIO, "reading staged file %llu: %s",
					(unsigned long long)r->in->ino,
					n < 0 ? strerror((int)-n) : "short");
		done += (size_t)n;
	}
	return 0;
}

static int write_file(struct job *j, size_t i, const char *path)
{
	const struct stg_inode *in = j->plan->entries[i].inode;
	struct udf_update_attr a;
	int rc = attr_of(j, in, &a);

	if (rc)
		return rc;
	j->rd[i] = (struct rd){ .plan = j->plan, .in = in };
	return udf_update_write_file(j->u, path, &a, in->size, read_bytes,
				     &j->rd[i], j->err);
}

static int create(struct job *j, size_t i, const char *path)
{
	const struct stg_inode *in = j->plan->entries[i].inode;
	struct udf_update_attr a;
	int rc = attr_of(j, in, &a);

	if (rc)
		return rc;
	switch (in->mode & S_IFMT) {
	case S_IFDIR: return udf_update_mkdir(j->u, path, &a, j->err);
	case S_IFREG: return write_file(j, i, path);
	case S_IFLNK: return udf_update_symlink(j->u, path, in->symlink, &a, j->err);
	default: /* FIFOs, sockets and devices: an entry without content */
		return udf_update_mknod(j->u, path, in->mode, major(in->rdev),
					minor(in->rdev), &a, j->err);
	}
}

/* Moved names wait at the root under a name no one else uses. */
static int park_moved(struct job *j)
{
	for (size_t i = 1; i < j->plan->n; i++) {
		struct cname *c = &j->c[j->l[i].src];
		char *cur;
		int rc;
		if (j->l[i].kind != L_MOVED)
			continue;
		cur = current_path(j, c->path);
		if (!cur || asprintf(&c->tmp, "/.discfs-move-%zu-%llu", i,
				     (unsigned long long)c->id) < 0) {
			free(cur);
			c->tmp = NULL;
			return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
		}
		rc = udf_update_rename(j->u, cur, c->tmp, j->err);
		free(cur);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int cmp_depth(const void *a, const void *b)
{
	const struct cname *x = *(struct cname *const *)a, *y = *(struct cname *const *)b;

	return (x->depth < y->depth) - (x->depth > y->depth);
}

static int remove_gone(struct job *j)
{
	struct cname **gone = calloc(j->nc + 1, sizeof(*gone));
	size_t n = 0;
	int rc = 0;

	if (!gone)
		return dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
	for (size_t i = 0; i < j->nc; i++)
		if (j->c[i].fate == C_GONE)
			gone[n++] = &j->c[i];
	qsort(gone, n, sizeof(*gone), cmp_depth);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *cur = current_path(j, gone[i]->path);
		rc = cur ? udf_update_remove(j->u, cur, j->err)
			 : dfs_fail(j->err, DISCFS_ENOMEM, "commit: out of memory");
		free(cur);
	}
	free(gone);
	return rc;
}

static int place_and_write(struct job *j)
{
	int rc = 0;

	for (size_t i = 1; rc == 0 && i < j->plan->n; i++) {
		const struct dfs_commit_entry *e = &j->plan->entries[i];
		const char *path = j->l[i].path;
		bool data = e->change == DFS_CH_DATA || e->change == DFS_CH_NEW;
		bool rep = j->rep[i] == i;
		if (j->l[i].kind == L_NEW) {
			if (rep)
				rc = create(j, i, path);
			continue;
		}
		if (j->l[i].kind == L_MOVED)
			rc = udf_update_rename(j->u, j->c[j->l[i].src].tmp, path, j->err);
		if (rc == 0 && data && rep && S_ISREG(e->inode->mode))
			rc = write_file(j, i, path);
	}
	/* new names of files placed above: hard links */
	for (size_t i = 1; rc == 0 && i < j->plan->n; i++)
		if (j->l[i].kind == L_NEW && j->rep[i] != i)
			rc = udf_update_link(j->u, j->l[j->rep[i]].path, j->l[i].path,
					     j->err);
	/* Attributes last, deepest first: a directory's mtime survives the
	 * names added to it. */
	for (size_t i = j->plan->n; rc == 0 && i-- > 0;) {
		const struct dfs_commit_entry *e = &j->plan->entries[i];
		struct udf_update_attr a;
		if (e->change == DFS_CH_SAME || j->rep[i] != i ||
		    (!S_ISDIR(e->inode->mode) && e->change != DFS_CH_META))
			continue;
		rc = attr_of(j, e->inode, &a);
		if (rc == 0)
			rc = udf_update_setattr(j->u, i ? j->l[i].path : "/", &a, j->err);
	}
	return rc;
}

static void job_free(struct job *j)
{
	for (size_t i = 0; i < j->nc; i++) {
		free(j->c[i].path);
		free(j->c[i].tmp);
	}
	for (size_t i = 0; j->l && i < j->plan->n; i++)
		free(j->l[i].path);
	free(j->c);
	free(j->hash);
	free(j->by_id);
	free(j->l);
	free(j->rep);
	free(j->rd);
	free(j->xa);
}

/* ------------------------------------------------------------- the disc */

/* DISCFS_CRASH_AT=before-commit|after-commit: SIGKILL there (crash tests). */
static void crash_point(const char *where)
{
	const char *at = getenv("DISCFS_CRASH_AT");

	if (at && !strcmp(at, where))
		raise(SIGKILL);
}

/* A blank medium gets an empty volume (formatted first if it must be). */
static int lay_out_blank(discfs_drive *drive, discfs_error *err)
{
	discfs_update_opts o = { .format_blank = true };
	discfs_update *up = NULL;
	int rc = discfs_update_open_drive(drive, &o, &up, err);

	discfs_update_close(up);
	return rc < 0 ? dfs_wrap(err, rc, "laying out UDF on the blank disc") : 0;
}

/*
 * The engine on the disc's volume: an ISO9660 disc mounted with -o import
 * gets its new UDF session with the ISO tree staged (commit_import.h);
 * otherwise the volume is the one of the last session (a UDF session
 * added to an ISO9660 disc) or of the first.
 */
static int open_engine(struct job *j, discfs_drive *drive,
		       const struct dfs_disc *disc, struct udf_bdev *bd)
{
	struct udf_update_opts uo = { 0 };
	int rc;

	if (disc->import)
		return dfs_import_open(drive, bd, &j->u, j->err);
	uo.session_start = discfs_udf_session_start(drive);
	rc = udf_bdev_open_drive(drive, bd, j->err);
	if (rc < 0)
		return rc;
	rc = udf_update_open(bd, &uo, &j->u, j->err);
	if (rc == 0)
		rc = dfs_import_continue_session(drive, j->u, bd, uo.session_start,
						 j->err);
	if (rc < 0) {
		udf_update_close(j->u);
		j->u = NULL;
		udf_bdev_close(bd);
		if (disc->unfinished)
			rc = dfs_wrap(j->err, rc, "the disc holds the unfinished "
				      "session of a failed commit, and no volume "
				      "to continue (copy the staged files "
				      "elsewhere, or commit them to another disc)");
	}
	return rc;
}

static int write_increment(struct job *j, discfs_drive *drive,
			   struct dfs_disc *disc)
{
	struct udf_bdev bd;
	int rc = disc->blank ? lay_out_blank(drive, j->err) : 0;

	if (rc < 0)
		return rc;
	rc = open_engine(j, drive, disc, &bd);
	if (rc < 0)
		return rc;
	/* Committed bytes of files changed in part are read through the
	 * engine: it holds the drive now (fused/disc.c dfs_disc_read). */
	disc->committing = j->u;
	rc = park_moved(j);
	if (rc == 0)
		rc = remove_gone(j);
	if (rc == 0)
		rc = place_and_write(j);
	if (rc == 0) {
		crash_point("before-commit");
		rc = udf_update_commit(j->u, NULL, j->err);
	}
	if (rc == 0 && disc->import)
		dfs_import_close_session(drive);
	disc->committing = NULL;
	udf_update_close(j->u);
	j->u = NULL;
	udf_bdev_close(&bd);
	return rc;
}

static int write_plan(void *ctx, const struct dfs_commit_plan *plan,
		      char *gen, size_t gen_size, discfs_error *err)
{
	struct dfs_update_writer *uw = ctx;
	struct job j = { .plan = plan, .err = err };
	discfs_drive *drive = NULL;
	struct dfs_disc after;
	int rc;

	if (uw->disc->none)
		return dfs_fail(err, DISCFS_ENOTSUP, "there is no disc to commit to "
				"(DEV none)");
	if (uw->disc->iso_only && !uw->disc->import)
		return dfs_fail(err, DISCFS_ENOTSUP, "the disc holds ISO9660 only: "
				"mount it with -o import to commit (a new UDF "
				"session)");
	rc = load_committed(&j, uw->disc->vol);
	if (rc == 0)
		rc = plan_paths(&j);
	if (rc == 0) {
		match(&j);
		rc = pick_reps(&j);
	}
	if (rc == 0)
		rc = discfs_open(uw->disc->dev, &drive, err);
	if (rc == 0)
		rc = write_increment(&j, drive, uw->disc);
	discfs_close(drive);
	job_free(&j);
	if (rc < 0)
		return rc;
	crash_point("after-commit");
	rc = dfs_disc_open(&after, uw->disc->dev, 0, NULL, err);
	if (rc < 0)
		return dfs_wrap(err, rc, "written, but re-reading the disc failed");
	snprintf(gen, gen_size, "%s", after.generation);
	dfs_disc_close(&after);
	return 0;
}

void dfs_update_writer_init(struct dfs_update_writer *uw,
			    struct dfs_disc *disc)
{
	uw->w.name = "incremental UDF";
	uw->w.write = write_plan;
	uw->w.ctx = uw;
	uw->disc = disc;
}
