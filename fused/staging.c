/* fused/staging.c - see staging.h */
#include "fused/staging.h"
#include "fused/staging_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fused/crc32c.h"
#include "udf/safe_name.h"
#include "util/bytes.h"
#include "util/err.h"

int64_t stg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool stg_store_dirty(const struct stg_store *s)
{
	return s->journal.next_seq > 2;
}

/* ------------------------------------------------------------- opening */

struct replay_ctx {
	struct stg_store *s;
	int base_seen;
	int mismatch;             /* BASE of another generation: scan only */
	bool tolerant;            /* stg_tree_apply_tolerant, any BASE */
	struct stg_tree *names;   /* any BASE: names only, onto this tree */
	bool save_base;           /* keep base-tree (a matching BASE) */
	char base_gen[STG_GEN_MAX + 1];
	discfs_error mismatch_err;
};

static void base_tree_keep(struct stg_store *s);

static int check_base(struct stg_store *s, const struct stg_op *op,
		      discfs_error *err)
{
	if (op->flags != STG_FORMAT_VERSION)
		return dfs_fail(err, DISCFS_EFORMAT,
				"journal format version %u, expected %u",
				op->flags, STG_FORMAT_VERSION);
	if (op->data_len != strlen(s->generation) ||
	    memcmp(op->data, s->generation, op->data_len))
		return dfs_fail(err, DISCFS_ECHANGED,
				"the staged changes stack on disc state '%.*s', "
				"but the disc is now at '%s'",
				(int)(op->data_len > 64 ? 64 : op->data_len),
				(const char *)op->data, s->generation);
	return 0;
}

static int replay_base(struct replay_ctx *rc, const struct stg_op *op,
		       discfs_error *err)
{
	struct stg_inode *root = stg_tree_inode(&rc->s->tree, STG_ROOT_INO);
	int r;

	if (op->type != STG_OP_BASE)
		return dfs_fail(err, DISCFS_EFORMAT,
				"journal does not start with its base");
	rc->base_seen = 1;
	if (op->data_len <= STG_GEN_MAX) {
		memcpy(rc->base_gen, op->data, op->data_len);
		rc->base_gen[op->data_len] = '\0';
	}
	r = check_base(rc->s, op, &rc->mismatch_err);
	if (r == -DISCFS_ECHANGED && (rc->tolerant || rc->names))
		r = 0; /* the caller found the disc to stand for the base */
	if (r == -DISCFS_ECHANGED) {
		/* Keep reading: a finished commit may explain it. */
		rc->mismatch = 1;
		return 0;
	}
	if (r < 0 && err)
		*err = rc->mismatch_err;
	if (rc->names)
		return r;
	if (r == 0 && root->disc_id == 0) /* born with the journal */
		root->atime = root->mtime = root->ctime = op->time;
	/* The tree is the base's, nothing replayed yet: record it. */
	if (r == 0 && rc->save_base && !rc->tolerant)
		base_tree_keep(rc->s);
	return r;
}

/* Only what changes names: what a tolerant replay must reproduce. */
static int replay_names(struct replay_ctx *rc, uint64_t seq,
			const struct stg_op *op, discfs_error *err)
{
	int r = 0;

	if (op->type == STG_OP_MKNOD || op->type == STG_OP_SYMLINK ||
	    op->type == STG_OP_LINK || op->type == STG_OP_UNLINK ||
	    op->type == STG_OP_RENAME)
		r = stg_tree_apply(rc->names, op);
	if (r < 0)
		return dfs_fail(err, r == -ENOMEM ? DISCFS_ENOMEM : DISCFS_ECHANGED,
				"staged change %llu (type %u) does not apply to "
				"the recorded tree it stacks on: %s",
				(unsigned long long)seq, op->type, strerror(-r));
	return 0;
}

static int replay_one(void *ctx, uint64_t seq, const uint8_t *body,
		      size_t len, discfs_error *err)
{
	struct replay_ctx *rc = ctx;
	struct stg_op op;
	int r;

	if (stg_op_decode(body, len, &op) < 0)
		return dfs_fail(err, DISCFS_EFORMAT, "malformed change");
	if (!rc->base_seen)
		return replay_base(rc, &op, err);
	if (op.type == STG_OP_BASE)
		return dfs_fail(err, DISCFS_EFORMAT, "second base record");
	rc->s->commit_pending = op.type == STG_OP_COMMIT;
	if (rc->mismatch || op.type == STG_OP_COMMIT)
		return 0;
	if (rc->names)
		return replay_names(rc, seq, &op, err);
	r = rc->tolerant ? stg_tree_apply_tolerant(&rc->s->tree, &op)
			 : stg_tree_apply(&rc->s->tree, &op);
	if (r < 0 && rc->tolerant)
		return dfs_fail(err, r == -ENOMEM ? DISCFS_ENOMEM : DISCFS_ECHANGED,
				"a commit was cut short and staged change %llu "
				"(type %u) cannot be placed on what the disc now "
				"holds: %s", (unsigned long long)seq, op.type,
				strerror(-r));
	if (r < 0)
		return dfs_fail(err, r == -ENOMEM ? DISCFS_ENOMEM : DISCFS_EFORMAT,
				"change of type %u does not apply: %s",
				op.type, strerror(-r));
	rc->s->replayed++;
	return 0;
}

static int append_op(struct stg_store *s, const struct stg_op *op,
		     discfs_error *err)
{
	uint8_t stackbuf[512], *buf = stackbuf;
	size_t n = stg_op_encoded_size(op);
	int rc;

	if (n > sizeof(stackbuf) && !(buf = malloc(n)))
		return dfs_fail(err, DISCFS_ENOMEM, "journal: out of memory");
	stg_op_encode(op, buf);
	rc = stg_journal_append(&s->journal, buf, n, err);
	if (buf != stackbuf)
		free(buf);
	return rc;
}

static int write_base(struct stg_store *s, discfs_error *err)
{
	struct stg_op op = {
		.type = STG_OP_BASE, .flags = STG_FORMAT_VERSION,
		.data = s->generation, .data_len = (uint32_t)strlen(s->generation),
		.time = stg_tree_inode(&s->tree, STG_ROOT_INO)->ctime,
	};

	return append_op(s, &op, err);
}

static int open_dir(struct stg_store *s, const char *dir, discfs_error *err)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return dfs_fail_errno(err, DISCFS_EIO, errno,
				      "staging directory %s", dir);
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno,
				      "staging directory %s", dir);
	if (fstat(s->dirfd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return dfs_fail(err, DISCFS_EINVAL,
				"staging directory %s must belong to you and "
				"not be writable by others", dir);
	s->lockfd = openat(s->dirfd, "lock",
			   O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lockfd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "staging lock file");
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK
			       ? dfs_fail(err, DISCFS_EBUSY,
					  "staging directory %s is in use by "
					  "another discfs", dir)
			       : dfs_fail_errno(err, DISCFS_EIO, errno,
						"locking %s", dir);
	return 0;
}

/* ---------------------------------------------- the base tree record */

/*
 * base-tree: "DFSB2\n" generation "\n", then per committed name, every
 * directory's before those inside it,
 *   u64 parent ino | u64 ino | u64 disc_id | u32 mode | u16 name length |
 *   name
 * (little-endian), then a u32 CRC-32C of everything before it.
 */
#define BASE_MAGIC "DFSB2\n"
#define BASE_REC 30u
#define BASE_FILE_MAX (1ull << 30)

struct base_rec {
	uint64_t parent, ino, disc_id;
	uint32_t mode;
	const char *name;
	uint16_t len;
};

struct base_tree {
	uint8_t *buf;
	struct base_rec *r;      /* in file order: parents first */
	struct base_rec *by_id;  /* identities: disc id -> number, sorted */
	size_t n, n_id;
};

struct growbuf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static void gb_put(struct growbuf *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		uint8_t *p;
		while (cap < b->n + n)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}

/* The committed names below dir, depth first. */
static void base_put_names(struct growbuf *b, const struct stg_inode *dir)
{
	for (const struct stg_dentry *d = dir->first; d; d = d->next) {
		uint8_t rec[BASE_REC];
		if (!d->inode->disc_id)
			continue;
		put_le64(rec, d->parent->ino);
		put_le64(rec + 8, d->inode->ino);
		put_le64(rec + 16, d->inode->disc_id);
		put_le32(rec + 24, d->inode->mode);
		put_le16(rec + 28, d->name_len);
		gb_put(b, rec, sizeof(rec));
		gb_put(b, d->name, d->name_len);
		if (S_ISDIR(d->inode->mode))
			base_put_names(b, d->inode);
	}
}

/* Replaces a file of the staging directory, atomically and durably. */
static int put_file(struct stg_store *s, const char *name, const void *buf,
		    size_t n, discfs_error *err)
{
	char tmp[64];
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.new", name);
	unlinkat(s->dirfd, tmp, 0);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "staging: %s", tmp);
	for (size_t done = 0; rc == 0 && done < n;) {
		ssize_t w = write(fd, (const uint8_t *)buf + done, n - done);
		if (w <= 0 && !(w < 0 && errno == EINTR))
			rc = dfs_fail_errno(err, DISCFS_EIO, w < 0 ? errno : EIO,
					    "staging: %s", tmp);
		done += w > 0 ? (size_t)w : 0;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "staging: %s", tmp);
	close(fd);
	if (rc == 0 && (renameat(s->dirfd, tmp, s->dirfd, name) < 0 ||
			fsync(s->dirfd) < 0))
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "staging: %s", name);
	return rc;
}

/* Reads a file of the staging directory whole: 0, -ENOENT, -EFBIG, -EIO. */
static int get_file(struct stg_store *s, const char *name, uint8_t **out,
		    size_t *n)
{
	int fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	ssize_t got = 0;

	*out = NULL;
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EIO;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -EIO;
	}
	if ((uint64_t)st.st_size > BASE_FILE_MAX) {
		close(fd);
		return -EFBIG;
	}
	*out = malloc((size_t)st.st_size + 1);
	if (*out)
		got = pread(fd, *out, (size_t)st.st_size, 0);
	close(fd);
	if (!*out || got != st.st_size) {
		free(*out);
		*out = NULL;
		return -EIO;
	}
	(*out)[st.st_size] = 0;
	*n = (size_t)st.st_size;
	return 0;
}

/* Is base-tree the record of the current generation? */
static bool base_tree_current(struct stg_store *s)
{
	char head[sizeof(BASE_MAGIC) + STG_GEN_MAX + 2];
	size_t m = strlen(BASE_MAGIC), g = strlen(s->generation);
	int fd = openat(s->dirfd, "base-tree", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t got = fd < 0 ? -1 : pread(fd, head, m + g + 1, 0);

	if (fd >= 0)
		close(fd);
	return got == (ssize_t)(m + g + 1) && !memcmp(head, BASE_MAGIC, m) &&
	       !memcmp(head + m, s->generation, g) && head[m + g] == '\n';
}

/*
 * Records the committed tree (before any replay) once per generation.  A
 * failure costs only the recovery from a commit cut mid-way (that is then
 * refused: the record left is of another generation), not the mount.
 */
static void base_tree_keep(struct stg_store *s)
{
	struct growbuf b = { 0 };
	uint8_t crc[4];

	if (base_tree_current(s))
		return;
	gb_put(&b, BASE_MAGIC, strlen(BASE_MAGIC));
	gb_put(&b, s->generation, strlen(s->generation));
	gb_put(&b, "\n", 1);
	base_put_names(&b, stg_tree_inode(&s->tree, STG_ROOT_INO));
	put_le32(crc, b.oom ? 0 : stg_crc32c(0, b.p, b.n));
	gb_put(&b, crc, 4);
	if (!b.oom && put_file(s, "base-tree", b.p, b.n, NULL) < 0)
		unlinkat(s->dirfd, "base-tree", 0);
	free(b.p);
}

static int base_tree_parse(struct base_tree *b, size_t n, const char *gen)
{
	size_t m = strlen(BASE_MAGIC), g = strlen(gen), at, cap = 0;

	if (n < m + g + 1 + 4 || memcmp(b->buf, BASE_MAGIC, m) ||
	    memcmp(b->buf + m, gen, g) || b->buf[m + g] != '\n' ||
	    stg_crc32c(0, b->buf, n - 4) != get_le32(b->buf + n - 4))
		return -EINVAL;
	for (at = m + g + 1; at < n - 4; b->n++) {
		struct base_rec r;
		if (n - 4 - at < BASE_REC)
			return -EINVAL;
		r = (struct base_rec){ get_le64(b->buf + at), get_le64(b->buf + at + 8),
			get_le64(b->buf + at + 16), get_le32(b->buf + at + 24),
			(const char *)b->buf + at + BASE_REC, get_le16(b->buf + at + 28) };
		if (n - 4 - at - BASE_REC < r.len)
			return -EINVAL;
		at += BASE_REC + r.len;
		if (b->n == cap) {
			struct base_rec *p = realloc(b->r, (cap = cap ? cap * 2 : 1024) *
							   sizeof(*p));
			if (!p)
				return -ENOMEM;
			b->r = p;
		}
		b->r[b->n] = r;
	}
	return 0;
}

static void base_tree_free(struct base_tree *b)
{
	free(b->buf);
	free(b->r);
	free(b->by_id);
	memset(b, 0, sizeof(*b));
}

static int cmp_disc_id(const void *a, const void *b)
{
	const struct base_rec *x = a, *y = b;

	return (x->disc_id > y->disc_id) - (x->disc_id < y->disc_id);
}

static int base_tree_load(struct stg_store *s, const char *gen,
			  struct base_tree *b, discfs_error *err)
{
	size_t n = 0;
	int rc = get_file(s, "base-tree", &b->buf, &n);

	if (rc == 0)
		rc = base_tree_parse(b, n, gen);
	if (rc == 0 && !(b->by_id = malloc((b->n + 1) * sizeof(*b->by_id))))
		rc = -ENOMEM;
	if (rc == -ENOMEM)
		return dfs_fail(err, DISCFS_ENOMEM, "staging: out of memory");
	if (rc < 0)
		return dfs_fail(err, DISCFS_ECHANGED,
				"a commit was interrupted and the disc does not "
				"read as its finished result; no record of the "
				"tree '%s' to replay the staged changes onto",
				gen);
	if (b->n) { /* an empty record (nothing committed) has no array */
		memcpy(b->by_id, b->r, b->n * sizeof(*b->r));
		qsort(b->by_id, b->n, sizeof(*b->by_id), cmp_disc_id);
	}
	b->n_id = b->n;
	return 0;
}

/* ------------------------------------------------ tolerant replay */

static const struct base_rec *by_disc_id(const struct base_tree *b,
					 uint64_t disc_id)
{
	struct base_rec key = { .disc_id = disc_id };

	return disc_id ? bsearch(&key, b->by_id, b->n_id, sizeof(key), cmp_disc_id)
		       : NULL;
}

/*
 * tolerated-ids: which objects on the disc are the base tree's, as the
 * last tolerant replay found them: "DFSI1\n" base generation "\n", then
 *   u64 disc_id | u64 ino
 * (little-endian), then a u32 CRC-32C.  Needed once a commit on top of a
 * tolerant replay was cut too: the repair at that replay freed the blocks
 * of base objects the first commit removed, so a later commit may place
 * a new object at such a disc id.  Objects present at the last replay
 * keep their blocks until a commit finishes.
 */
#define IDS_MAGIC "DFSI1\n"
#define IDS_REC 16u

static void ids_put(struct growbuf *ids, const struct stg_inode *in,
		    const struct base_rec *r)
{
	uint8_t rec[IDS_REC];

	put_le64(rec, in->disc_id);
	put_le64(rec + 8, r->ino);
	gb_put(ids, rec, sizeof(rec));
}

/* Seals ids (made by renumber_known) and makes it tolerated-ids. */
static int ids_save(struct stg_store *s, struct growbuf *ids,
		    discfs_error *err)
{
	uint8_t crc[4];

	put_le32(crc, ids->oom ? 0 : stg_crc32c(0, ids->p, ids->n));
	gb_put(ids, crc, 4);
	if (ids->oom)
		return dfs_fail(err, DISCFS_ENOMEM, "staging: out of memory");
	return put_file(s, "tolerated-ids", ids->p, ids->n, err);
}

/* Takes the identities of tolerated-ids, if there is one, into b. */
static int ids_load(struct stg_store *s, const char *gen, struct base_tree *b)
{
	size_t m = strlen(IDS_MAGIC), g = strlen(gen), n = 0, k = 0;
	uint8_t *buf;
	int rc = get_file(s, "tolerated-ids", &buf, &n);

	if (rc == -ENOENT)
		return 0;
	if (rc == 0 && (n < m + g + 1 + 4 || memcmp(buf, IDS_MAGIC, m) ||
			memcmp(buf + m, gen, g) || buf[m + g] != '\n' ||
			(n - m - g - 1 - 4) % IDS_REC ||
			stg_crc32c(0, buf, n - 4) != get_le32(buf + n - 4)))
		rc = -EINVAL;
	if (rc == 0) {
		k = (n - m - g - 1 - 4) / IDS_REC;
		free(b->by_id);
		if (!(b->by_id = calloc(k + 1, sizeof(*b->by_id))))
			rc = -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < k; i++) {
		b->by_id[i].disc_id = get_le64(buf + m + g + 1 + i * IDS_REC);
		b->by_id[i].ino = get_le64(buf + m + g + 1 + i * IDS_REC + 8);
	}
	free(buf);
	if (rc == 0) {
		b->n_id = k;
		qsort(b->by_id, k, sizeof(*b->by_id), cmp_disc_id);
	}
	return rc;
}

struct renum {
	uint64_t from, to;
};

/*
 * Gives every loaded object that the base tree knows the number the
 * journal uses for it (file entries keep their place on in-place media:
 * the disc id is the same, the number may have come from the inode map).
 * Through temporary numbers, so numbers may trade places.
 */
static int renumber_known(struct stg_tree *t, const struct base_tree *b,
			  struct growbuf *ids)
{
	const uint64_t temp = 1ull << 62;
	struct renum *v = calloc(t->n_inodes + 1, sizeof(*v));
	size_t n = 0;
	int rc = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < t->ih_size; i++)
		for (struct stg_inode *in = t->ih[i]; in; in = in->hnext) {
			const struct base_rec *r = in->ino == STG_ROOT_INO ? NULL
						   : by_disc_id(b, in->disc_id);
			if (r)
				ids_put(ids, in, r);
			if (r && r->ino != in->ino && n < t->n_inodes)
				v[n++] = (struct renum){ in->ino, r->ino };
		}
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = stg_tree_renumber(t, v[i].from, temp + i);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = stg_tree_renumber(t, temp + i, v[i].to);
	free(v);
	for (size_t i = 0; rc == 0 && i < t->ih_size; i++)
		for (struct stg_inode *in = t->ih[i]; in; in = in->hnext)
			if (in->ino >= t->next_ino)
				t->next_ino = in->ino + 1;
	return rc;
}

static void mark_ahead(void *ctx, struct stg_dentry *d)
{
	d->ahead = by_disc_id(ctx, d->inode->disc_id) ? STG_AHEAD_OLD
						       : STG_AHEAD_NEW;
}

/* Marks the loaded names the journal cannot know (staging_tree.h). */
static void mark_known(struct stg_tree *t, const struct base_tree *b)
{
	stg_tree_each_dentry(t, mark_ahead, (void *)b);
	for (size_t i = 0; i < b->n; i++) {
		const struct base_rec *r = &b->r[i];
		struct stg_dentry *d = stg_tree_lookup(t, stg_tree_inode(t, r->parent),
						       r->name, r->len);
		if (d && d->inode->ino == r->ino)
			d->ahead = STG_KNOWN;
	}
}

static int replay_pass(struct stg_store *s, struct replay_ctx *rc,
		       uint64_t *torn, discfs_error *err)
{
	int fd = openat(s->dirfd, "journal",
			O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "opening the journal");
	return stg_journal_open(&s->journal, fd, replay_one, rc, torn, err);
}

/*
 * The disc is partly the base tree, partly the result of the commit that
 * was cut: the journal replays tolerantly onto it (staging_tree.h).
 */
/* The base tree's names (no attributes, no content), as recorded. */
static int names_of_base(struct stg_tree *t, const struct base_tree *b)
{
	int rc = stg_tree_init(t, 0755, 0, 0, 0);

	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		const struct base_rec *r = &b->r[i];
		struct stg_op a = { .ino = r->ino, .mode = r->mode };
		char name[STG_NAME_MAX + 1];
		if (r->len > STG_NAME_MAX || !r->disc_id)
			return -EINVAL;
		memcpy(name, r->name, r->len);
		name[r->len] = '\0';
		rc = stg_tree_add_committed(t, r->parent, name, &a, r->disc_id);
	}
	return rc;
}

struct same_ctx {
	const struct stg_tree *want;
	const struct stg_dentry *differs;
};

static void check_same(void *ctx, struct stg_dentry *d)
{
	struct same_ctx *c = ctx;
	const struct stg_dentry *w = c->differs ? NULL
		: stg_tree_lookup(c->want, stg_tree_inode(c->want, d->parent->ino),
				  d->name, d->name_len);

	if (!c->differs && (!w || w->inode->ino != d->inode->ino))
		c->differs = d;
}

/*
 * The tolerant result must name exactly what the journal replayed on the
 * base tree names: anything else (an object the cut left without a name
 * on the disc, a rule that guessed wrong) is refused, never shown.
 */
static int same_names(struct stg_store *s, struct stg_tree *want,
		      discfs_error *err)
{
	struct same_ctx c = { .want = want };
	struct same_ctx back = { .want = &s->tree };
	const struct stg_dentry *d;

	stg_tree_each_dentry(&s->tree, check_same, &c);
	if (!c.differs)
		stg_tree_each_dentry(want, check_same, &back);
	d = c.differs ? c.differs : back.differs;
	if (!d)
		return 0;
	return dfs_fail(err, DISCFS_ECHANGED,
			"a commit was cut short and what the disc now holds "
			"does not give back the staged tree ('%.*s' %s)",
			(int)d->name_len, d->name,
			c.differs ? "differs" : "is missing");
}

/*
 * The disc is partly the base tree, partly the result of the commit that
 * was cut: the journal replays tolerantly onto it (staging_tree.h), and
 * the result is checked against the journal replayed on the base tree's
 * recorded names.
 */
static int replay_tolerant(struct stg_store *s, const char *base_gen,
			   discfs_error *err)
{
	struct stg_tree want = { 0 };
	struct replay_ctx names = { .s = s, .names = &want };
	struct replay_ctx rc = { .s = s, .tolerant = true };
	struct base_tree b = { 0 };
	struct growbuf ids = { 0 };
	uint64_t torn = 0;
	int r = base_tree_load(s, base_gen, &b, err);

	if (r == 0 && (r = ids_load(s, base_gen, &b)) < 0)
		r = dfs_fail(err, r == -ENOMEM ? DISCFS_ENOMEM : DISCFS_ECHANGED,
			     "staging: tolerated-ids is damaged: %s", strerror(-r));
	gb_put(&ids, IDS_MAGIC, strlen(IDS_MAGIC));
	gb_put(&ids, base_gen, strlen(base_gen));
	gb_put(&ids, "\n", 1);
	if (r == 0 && (r = names_of_base(&want, &b)) < 0)
		r = dfs_fail(err, r == -ENOMEM ? DISCFS_ENOMEM : DISCFS_ECHANGED,
			     "the record of tree '%s' is inconsistent: %s",
			     base_gen, strerror(-r));
	if (r == 0) {
		stg_journal_close(&s->journal);
		r = replay_pass(s, &names, &torn, err);
	}
	if (r == 0 && (r = renumber_known(&s->tree, &b, &ids)) < 0)
		r = dfs_fail(err, r == -ENOMEM ? DISCFS_ENOMEM : DISCFS_ECHANGED,
			     "a commit was cut short and the disc's entries "
			     "cannot be numbered as staged: %s", strerror(-r));
	if (r == 0) {
		mark_known(&s->tree, &b);
		stg_journal_close(&s->journal);
		s->replayed = 0;
		r = replay_pass(s, &rc, &torn, err);
	}
	if (r == 0)
		r = same_names(s, &want, err);
	base_tree_free(&b);
	stg_tree_free(&want);
	if (r == 0)
		r = ids_save(s, &ids, err);
	free(ids.p);
	s->tolerated = r == 0;
	return r;
}

/* Was the journal replayed tolerantly onto this very disc state? */
static bool tolerated_here(struct stg_store *s)
{
	uint8_t *buf;
	size_t n;
	bool same;

	if (get_file(s, "tolerated", &buf, &n) < 0)
		return false;
	same = n == strlen(s->generation) && !memcmp(buf, s->generation, n);
	free(buf);
	return same;
}

static int open_journal(struct stg_store *s, const struct stg_params *p,
			discfs_error *err)
{
	struct replay_ctx rc = { .s = s, .save_base = p->keep_base_tree };
	int r = replay_pass(s, &rc, &s->torn_bytes, err);

	if (r < 0)
		return dfs_wrap(err, r, "replaying the staging journal");
	if (!rc.base_seen) {
		r = write_base(s, err);
		if (r == 0 && p->keep_base_tree)
			base_tree_keep(s);
		return r;
	}
	/* Replayed over this very disc state before: the same again (an
	 * adoption would drop the changes the disc does not hold). */
	if (rc.mismatch && tolerated_here(s))
		return replay_tolerant(s, rc.base_gen, err);
	if (rc.mismatch && s->commit_pending && p->adopt_finished_commit) {
		/* The interrupted commit reached the disc: nothing is lost. */
		s->adopted_commit = true;
		s->commit_pending = false;
		r = stg_store_reset(s, s->generation, err);
		if (r == 0 && p->keep_base_tree)
			base_tree_keep(s);
		return r;
	}
	if (rc.mismatch && s->commit_pending && p->tolerate_cut_commit) {
		/* Marked first: the volume reads as closed from now on, and
		 * must not be taken for a finished commit, even if this fails. */
		r = put_file(s, "tolerated", s->generation,
			     strlen(s->generation), err);
		return r < 0 ? r : replay_tolerant(s, rc.base_gen, err);
	}
	if (rc.mismatch) {
		if (err)
			*err = rc.mismatch_err;
		return s->commit_pending
		       ? dfs_wrap(err, -DISCFS_ECHANGED,
				  "a commit was interrupted and the disc does not "
				  "read as its finished result")
		       : -DISCFS_ECHANGED;
	}
	return 0;
}

int stg_store_commit_begin(struct stg_store *s, const char *writer,
			   discfs_error *err)
{
	struct stg_op op = {
		.type = STG_OP_COMMIT, .data = writer,
		.data_len = (uint32_t)strlen(writer), .time = stg_now(),
	};
	int rc;

	if (s->broken)
		return dfs_fail(err, DISCFS_EIO, "staging is read-only after an error");
	rc = append_op(s, &op, err);
	if (rc == 0)
		rc = stg_store_sync(s, err);
	if (rc == 0)
		s->commit_pending = true;
	return rc;
}

int stg_store_open(struct stg_store *s, const char *dir,
		   const struct stg_params *p, discfs_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->dirfd = s->lockfd = s->journal.fd = -1;
	s->read = p->read;
	s->disc_ctx = p->disc_ctx;
	if (!p->generation || strlen(p->generation) > STG_GEN_MAX)
		return dfs_fail(err, DISCFS_EINVAL, "staging: bad disc generation");
	strcpy(s->generation, p->generation);
	rc = open_dir(s, dir, err);
	if (rc == 0 && stg_tree_init(&s->tree, p->root_mode, p->uid, p->gid,
				     stg_now()) < 0)
		rc = dfs_fail(err, DISCFS_ENOMEM, "staging: out of memory");
	if (rc == 0 && p->load)
		rc = p->load(p->disc_ctx, &s->tree, err);
	if (rc == 0)
		rc = stg_segs_open(&s->segs, s->dirfd,
				   p->seg_max ? p->seg_max : STG_SEG_MAX_DEFAULT, err);
	if (rc == 0)
		rc = open_journal(s, p, err);
	if (rc < 0)
		stg_store_close(s);
	return rc;
}

void stg_store_close(struct stg_store *s)
{
	stg_segs_close(&s->segs);
	stg_journal_close(&s->journal);
	stg_tree_free(&s->tree);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->lockfd = s->dirfd = -1;
}

int stg_journal_base(const char *dir, char *gen, size_t size)
{
	uint8_t rec[STG_JOURNAL_HDR + 16 + STG_GEN_MAX + STG_JOURNAL_TRAILER + 64];
	char path[4200];
	struct stg_op op;
	ssize_t n;
	uint32_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/journal", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	n = pread(fd, rec, sizeof(rec), 0);
	close(fd);
	if (n < (ssize_t)(STG_JOURNAL_HDR + STG_JOURNAL_TRAILER) ||
	    get_le32(rec) != STG_JOURNAL_MAGIC)
		return -1;
	len = get_le32(rec + 4);
	if (len > (size_t)n - STG_JOURNAL_HDR - STG_JOURNAL_TRAILER ||
	    stg_crc32c(0, rec, STG_JOURNAL_HDR + len) !=
		    get_le32(rec + STG_JOURNAL_HDR + len) ||
	    stg_op_decode(rec + STG_JOURNAL_HDR, len, &op) < 0 ||
	    op.type != STG_OP_BASE || op.data_len >= size)
		return -1;
	memcpy(gen, op.data, op.data_len);
	gen[op.data_len] = '\0';
	return 0;
}

int stg_store_sync(struct stg_store *s, discfs_error *err)
{
	int rc = stg_segs_sync(&s->segs);

	if (rc < 0)
		return dfs_fail_errno(err, DISCFS_EIO, -rc, "staging: syncing data");
	if (fdatasync(s->journal.fd) < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno,
				      "staging: syncing the journal");
	return 0;
}

int stg_store_reset(struct stg_store *s, const char *new_generation,
		    discfs_error *err)
{
	struct stg_journal fresh = { .fd = -1, .end = 0, .next_seq = 1 };
	int rc;

	if (strlen(new_generation) > STG_GEN_MAX)
		return dfs_fail(err, DISCFS_EINVAL, "staging: bad disc generation");
	unlinkat(s->dirfd, "journal.new", 0);
	fresh.fd = openat(s->dirfd, "journal.new",
			  O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fresh.fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "staging: new journal");
	stg_journal_close(&s->journal);
	s->journal = fresh;
	if (new_generation != s->generation)
		strcpy(s->generation, new_generation);
	rc = write_base(s, err);
	if (rc == 0 && fsync(fresh.fd) < 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "staging: new journal");
	/* The rename is the switch: before it the old changes are staged. */
	if (rc == 0 && renameat(s->dirfd, "journal.new", s->dirfd, "journal") < 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "staging: new journal");
	if (rc == 0 && fsync(s->dirfd) < 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "staging: new journal");
	/* A tolerant replay's marks belong to the journal just replaced. */
	if (rc == 0) {
		unlinkat(s->dirfd, "tolerated", 0);
		unlinkat(s->dirfd, "tolerated-ids", 0);
	}
	if (rc == 0 && (rc = stg_segs_remove_all(&s->segs)) < 0)
		rc = dfs_fail_errno(err, DISCFS_EIO, -rc, "staging: removing data");
	if (rc < 0)
		s->broken = EIO;
	return rc;
}

/* ------------------------------------------------------------- changes */

/*
 * Applies op to the tree, then journals it.  Changes to an unlinked inode
 * (open but nameless) are not journalled: replay frees such an inode at
 * its unlink, so nothing may refer to it afterwards.
 */
int stg_store_apply(struct stg_store *s, const struct stg_op *op)
{
	struct stg_inode *in = NULL;
	discfs_error err;
	int rc;

	if (s->broken) /* EROFS: the disc was closed; else an error */
		return s->broken == EROFS ? -EROFS : -EIO;
	if (op->ino && op->type != STG_OP_MKNOD && op->type != STG_OP_SYMLINK)
		in = stg_tree_inode(&s->tree, op->ino);
	rc = stg_tree_apply(&s->tree, op);
	if (rc < 0)
		return rc;
	if (in && in->nlink == 0 && op->type != STG_OP_LINK)
		return 0;
	if (append_op(s, op, &err) < 0) {
		s->broken = err.sys_errno ? err.sys_errno : EIO;
		return -EIO;
	}
	s->commit_pending = false;
	return 0;
}

static int set_name(struct stg_op *op, const char *name, int second)
{
	size_t len = strlen(name);

	if (len == 0 || len > STG_NAME_MAX)
		return len ? -ENAMETOOLONG : -EINVAL;
	if (second) {
		op->name2 = name;
		op->name2_len = (uint16_t)len;
	} else {
		op->name = name;
		op->name_len = (uint16_t)len;
	}
	return 0;
}

/*
 * A file name becomes a UDF file identifier at commit: one UDF cannot
 * record (CS0 over 255 bytes, or decoding to "", ".", ".." or NUL; see
 * udf/safe_name.h) is refused now, so cp gets ENAMETOOLONG or EINVAL at
 * once instead of a failed commit later.
 */
static int set_file_name(struct stg_op *op, const char *name, int second)
{
	char disc[1024];
	discfs_error e = { 0 };
	int rc = set_name(op, name, second);

	if (rc == 0 && udf_safe_name_to_disc(name, strlen(name), disc,
					     sizeof(disc), NULL, 0, NULL, &e))
		rc = -(e.sys_errno ? e.sys_errno : EINVAL);
	return rc;
}

int stg_mknod(struct stg_store *s, uint64_t parent, const char *name,
	      uint32_t mode, uint32_t uid, uint32_t gid, uint64_t rdev,
	      struct stg_inode **out)
{
	struct stg_op op = {
		.type = STG_OP_MKNOD, .parent = parent, .ino = s->tree.next_ino,
		.mode = mode, .uid = uid, .gid = gid, .rdev = rdev,
		.time = stg_now(),
	};
	int rc = set_file_name(&op, name, 0);

	if (rc == 0)
		rc = stg_store_apply(s, &op);
	if (rc == 0 && out)
		*out = stg_tree_inode(&s->tree, op.ino);
	return rc;
}

int stg_symlink(struct stg_store *s, uint64_t parent, const char *name,
		const char *target, uint32_t uid, uint32_t gid,
		struct stg_inode **out)
{
	struct stg_op op = {
		.type = STG_OP_SYMLINK, .parent = parent, .ino = s->tree.next_ino,
		.uid = uid, .gid = gid, .data = target,
		.data_len = (uint32_t)strnlen(target, 4096), .time = stg_now(),
	};
	int rc = set_file_name(&op, name, 0);

	if (rc == 0 && op.data_len >= 4096)
		rc = -ENAMETOOLONG;
	if (rc == 0)
		rc = stg_store_apply(s, &op);
	if (rc == 0 && out)
		*out = stg_tree_inode(&s->tree, op.ino);
	return rc;
}

int stg_link(struct stg_store *s, uint64_t ino, uint64_t newparent,
	     const char *newname)
{
	struct stg_op op = {
		.type = STG_OP_LINK, .ino = ino, .newparent = newparent,
		.time = stg_now(),
	};
	int rc = set_file_name(&op, newname, 1);

	return rc ? rc : stg_store_apply(s, &op);
}

int stg_unlink(struct stg_store *s, uint64_t parent, const char *name,
	       bool is_dir)
{
	struct stg_op op = {
		.type = STG_OP_UNLINK, .parent = parent,
		.flags = is_dir ? STG_UNLINK_DIR : 0, .time = stg_now(),
	};
	int rc = set_name(&op, name, 0);

	return rc ? rc : stg_store_apply(s, &op);
}

int stg_rename(struct stg_store *s, uint64_t parent, const char *name,
	       uint64_t newparent, const char *newname, uint32_t flags)
{
	struct stg_op op = {
		.type = STG_OP_RENAME, .parent = parent, .newparent = newparent,
		.flags = flags, .time = stg_now(),
	};
	int rc = set_name(&op, name, 0);

	if (rc == 0)
		rc = set_file_name(&op, newname, 1);
	return rc ? rc : stg_store_apply(s, &op);
}

int stg_setattr(struct stg_store *s, uint64_t ino, uint32_t valid,
		uint32_t mode, uint32_t uid, uint32_t gid, uint64_t size,
		int64_t atime, int64_t mtime)
{
	struct stg_op op = {
		.type = STG_OP_SETATTR, .ino = ino, .valid = valid, .mode = mode,
		.uid = uid, .gid = gid, .size = size, .atime = atime,
		.mtime = mtime, .time = stg_now(),
	};

	return stg_store_apply(s, &op);
}

int stg_setxattr(struct stg_store *s, uint64_t ino, const char *name,
		 const void *value, size_t len, uint32_t flags)
{
	struct stg_op op = {
		.type = STG_OP_SETXATTR, .ino = ino, .data = value,
		.data_len = (uint32_t)len, .flags = flags, .time = stg_now(),
	};
	int rc = set_name(&op, name, 0);

	if (rc == -ENAMETOOLONG)
		return -ERANGE;
	if (rc == 0 && len > STG_DATA_MAX)
		rc = -E2BIG;
	return rc ? rc : stg_store_apply(s, &op);
}

int stg_rmxattr(struct stg_store *s, uint64_t ino, const char *name)
{
	struct stg_op op = { .type = STG_OP_RMXATTR, .ino = ino, .time = stg_now() };
	int rc = set_name(&op, name, 0);

	if (rc == -ENAMETOOLONG)
		return -ENODATA;
	return rc ? rc : stg_store_apply(s, &op);
}
