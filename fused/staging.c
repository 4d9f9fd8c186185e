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
	discfs_error mismatch_err;
};

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

static int replay_one(void *ctx, uint64_t seq, const uint8_t *body,
		      size_t len, discfs_error *err)
{
	struct replay_ctx *rc = ctx;
	struct stg_op op;
	int r;

	if (stg_op_decode(body, len, &op) < 0)
		return dfs_fail(err, DISCFS_EFORMAT, "malformed change");
	if (!rc->base_seen) {
		if (op.type != STG_OP_BASE)
			return dfs_fail(err, DISCFS_EFORMAT,
					"journal does not start with its base");
		rc->base_seen = 1;
		r = check_base(rc->s, &op, &rc->mismatch_err);
		if (r == -DISCFS_ECHANGED) {
			/* Keep reading: a finished commit may explain it. */
			rc->mismatch = 1;
			return 0;
		}
		if (r < 0 && err)
			*err = rc->mismatch_err;
		if (r == 0 && stg_tree_inode(&rc->s->tree, STG_ROOT_INO)->disc_id == 0) {
			/* A root the disc does not hold was born with the journal. */
			struct stg_inode *root = stg_tree_inode(&rc->s->tree, STG_ROOT_INO);
			root->atime = root->mtime = root->ctime = op.time;
		}
		return r;
	}
	if (op.type == STG_OP_BASE)
		return dfs_fail(err, DISCFS_EFORMAT, "second base record");
	rc->s->commit_pending = op.type == STG_OP_COMMIT;
	if (rc->mismatch || op.type == STG_OP_COMMIT)
		return 0;
	r = stg_tree_apply(&rc->s->tree, &op);
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

static int open_journal(struct stg_store *s, bool adopt, discfs_error *err)
{
	struct replay_ctx rc = { .s = s };
	int fd, r;

	fd = openat(s->dirfd, "journal",
		    O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "opening the journal");
	r = stg_journal_open(&s->journal, fd, replay_one, &rc, &s->torn_bytes,
			     err);
	if (r < 0)
		return dfs_wrap(err, r, "replaying the staging journal");
	if (!rc.base_seen)
		return write_base(s, err);
	if (rc.mismatch && s->commit_pending && adopt) {
		/* The interrupted commit reached the disc: nothing is lost. */
		s->adopted_commit = true;
		s->commit_pending = false;
		return stg_store_reset(s, s->generation, err);
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
		rc = open_journal(s, p->adopt_finished_commit, err);
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
