/*
 * test_staging_tolerant.c - replaying the journal over a rewritable disc
 * whose in-place commit was cut mid-way (staging_tree.h,
 * stg_tree_apply_tolerant; staging.h, tolerate_cut_commit).
 *
 * Tree level, one rule each: a create onto a name the commit already wrote
 * replaces it (a directory keeps what the disc shows in it); unlink and
 * rename of what the commit already removed or moved are skipped; changes
 * of inodes the commit removed are skipped; what would lose an object
 * that existed before is refused; the strict apply still refuses all of
 * these.  Store level: a journal ending in COMMIT, reopened on a disc that
 * is partly old and partly committed, shows the staged tree (numbers of
 * committed objects as the journal knows them), and keeps doing so on
 * later opens; without the flag, without a final COMMIT or without the
 * record of the base tree, the disc is refused as before; a result that
 * lacks a name the journal replayed on the recorded base tree has (an
 * object the cut left nameless) is refused, never shown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fused/crc32c.c"
#include "fused/staging.c"
#include "fused/staging_dump.c"
#include "fused/staging_io.c"
#include "fused/staging_journal.c"
#include "fused/staging_op.c"
#include "fused/staging_segs.c"
#include "fused/staging_extent.c"
#include "fused/staging_tree.c"
#include "fused/staging_xattr.c"
#include "tests/unit/support/scratch.h"

#define N0 STG_FIRST_NEW_INO

static char scratch[64];

/* ----------------------------------------------------------- tree level */

static struct stg_tree *tree_new(void)
{
	struct stg_tree *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	assert_int_equal(stg_tree_init(t, 0755, 0, 0, 1), 0);
	return t;
}

static void tree_free(struct stg_tree *t)
{
	stg_tree_free(t);
	free(t);
}

static struct stg_dentry *at(const struct stg_tree *t, uint64_t parent,
			     const char *name)
{
	return stg_tree_lookup(t, stg_tree_inode(t, parent), name, strlen(name));
}

/* Adds a committed entry; its name is marked ahead as given. */
static void disc_entry(struct stg_tree *t, uint64_t parent, const char *name,
		       uint64_t ino, uint32_t mode, int ahead)
{
	struct stg_op a = { .ino = ino, .mode = mode, .time = 1 };

	assert_int_equal(stg_tree_add_committed(t, parent, name, &a, ino + 1000), 0);
	at(t, parent, name)->ahead = (uint8_t)ahead;
}

static struct stg_op mknod_op(uint64_t parent, const char *name, uint64_t ino,
			      uint32_t mode)
{
	return (struct stg_op){ .type = STG_OP_MKNOD, .parent = parent,
		.name = name, .name_len = (uint16_t)strlen(name), .ino = ino,
		.mode = mode, .time = 50 };
}

static struct stg_op rename_op(uint64_t parent, const char *name,
			       uint64_t newparent, const char *name2)
{
	return (struct stg_op){ .type = STG_OP_RENAME, .parent = parent,
		.name = name, .name_len = (uint16_t)strlen(name),
		.newparent = newparent, .name2 = name2,
		.name2_len = (uint16_t)strlen(name2), .time = 50 };
}

static struct stg_op unlink_op(uint64_t parent, const char *name, uint32_t flags)
{
	return (struct stg_op){ .type = STG_OP_UNLINK, .parent = parent,
		.name = name, .name_len = (uint16_t)strlen(name),
		.flags = flags, .time = 50 };
}

static void create_replaces_a_name_the_commit_wrote(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op op = mknod_op(1, "f", N0, S_IFREG | 0644);
	struct stg_op sym = { .type = STG_OP_SYMLINK, .parent = 1, .name = "s",
			      .name_len = 1, .ino = N0 + 1, .data = "target",
			      .data_len = 6, .time = 50 };
	struct stg_op link = { .type = STG_OP_LINK, .ino = N0, .newparent = 1,
			       .name2 = "l", .name2_len = 1, .time = 50 };

	disc_entry(t, 1, "f", 10, S_IFREG | 0644, STG_AHEAD_NEW);
	disc_entry(t, 1, "s", 11, S_IFREG | 0644, STG_AHEAD_NEW);
	disc_entry(t, 1, "l", 12, S_IFDIR | 0755, STG_AHEAD_NEW);
	disc_entry(t, 12, "inside", 13, S_IFREG | 0644, STG_AHEAD_NEW);
	assert_int_equal(stg_tree_apply_tolerant(t, &op), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &sym), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &link), 0);
	assert_int_equal(at(t, 1, "f")->inode->ino, N0);
	assert_int_equal(at(t, 1, "f")->inode->disc_id, 0);
	assert_int_equal(at(t, 1, "f")->ahead, STG_KNOWN);
	assert_string_equal(at(t, 1, "s")->inode->symlink, "target");
	assert_int_equal(at(t, 1, "l")->inode->ino, N0);
	assert_int_equal(at(t, 1, "f")->inode->nlink, 2);
	/* the replaced objects, a directory with its content, are gone */
	for (uint64_t ino = 10; ino <= 13; ino++)
		assert_null(stg_tree_inode(t, ino));
	assert_int_equal(stg_tree_inode(t, 1)->nlink, 2);
	tree_free(t);
}

static void mkdir_over_a_directory_the_commit_wrote_keeps_its_content(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op dir = mknod_op(1, "d", N0, S_IFDIR | 0700);
	struct stg_op file = mknod_op(N0, "x", N0 + 1, S_IFREG | 0600);
	struct stg_inode *d;

	disc_entry(t, 1, "d", 10, S_IFDIR | 0755, STG_AHEAD_NEW);
	disc_entry(t, 10, "moved", 11, S_IFREG | 0644, STG_AHEAD_OLD);
	disc_entry(t, 10, "x", 12, S_IFREG | 0644, STG_AHEAD_NEW);
	disc_entry(t, 10, "sub", 13, S_IFDIR | 0755, STG_AHEAD_NEW);
	assert_int_equal(stg_tree_apply_tolerant(t, &dir), 0);
	d = stg_tree_inode(t, N0);
	assert_non_null(d);
	assert_int_equal(d->mode, S_IFDIR | 0700);
	assert_ptr_equal(at(t, 1, "d")->inode, d);
	assert_null(stg_tree_inode(t, 10));
	/* what the disc showed in it moved over, still ahead */
	assert_int_equal(d->n_children, 3);
	assert_int_equal(d->nlink, 3);
	assert_int_equal(at(t, N0, "moved")->inode->ino, 11);
	assert_int_equal(at(t, N0, "moved")->ahead, STG_AHEAD_OLD);
	/* the journal's own file then replaces the committed one */
	assert_int_equal(stg_tree_apply_tolerant(t, &file), 0);
	assert_int_equal(at(t, N0, "x")->inode->ino, N0 + 1);
	assert_null(stg_tree_inode(t, 12));
	tree_free(t);
}

static void what_would_lose_an_older_object_is_refused(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op over_old = mknod_op(1, "old", N0, S_IFREG | 0644);
	struct stg_op over_holder = mknod_op(1, "d", N0 + 1, S_IFREG | 0644);

	disc_entry(t, 1, "old", 10, S_IFREG | 0644, STG_AHEAD_OLD);
	disc_entry(t, 1, "d", 11, S_IFDIR | 0755, STG_AHEAD_NEW);
	disc_entry(t, 11, "kept", 12, S_IFREG | 0644, STG_AHEAD_OLD);
	assert_int_equal(stg_tree_apply_tolerant(t, &over_old), -EEXIST);
	assert_int_equal(stg_tree_apply_tolerant(t, &over_holder), -EEXIST);
	assert_non_null(stg_tree_inode(t, 10));
	assert_non_null(stg_tree_inode(t, 12));
	/* and a known name is not replaced either: the journal is wrong */
	at(t, 1, "old")->ahead = STG_KNOWN;
	assert_int_equal(stg_tree_apply_tolerant(t, &over_old), -EEXIST);
	tree_free(t);
}

static void unlink_of_what_the_commit_removed_is_skipped(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op gone = unlink_op(1, "gone", 0);
	struct stg_op in_gone_dir = unlink_op(99, "x", 0);
	struct stg_op ahead = unlink_op(1, "later", 0);
	struct stg_op ahead_dir = unlink_op(1, "dir", 0);
	struct stg_op known = unlink_op(1, "known", 0);

	disc_entry(t, 1, "later", 10, S_IFREG | 0644, STG_AHEAD_OLD);
	disc_entry(t, 1, "dir", 11, S_IFDIR | 0755, STG_AHEAD_NEW);
	disc_entry(t, 1, "known", 12, S_IFREG | 0644, STG_KNOWN);
	assert_int_equal(stg_tree_apply_tolerant(t, &gone), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &in_gone_dir), 0);
	/* an ahead name is a later result: what the journal meant is gone */
	assert_int_equal(stg_tree_apply_tolerant(t, &ahead), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &ahead_dir), 0);
	assert_non_null(at(t, 1, "later"));
	assert_non_null(at(t, 1, "dir"));
	assert_int_equal(stg_tree_apply_tolerant(t, &known), 0);
	assert_null(at(t, 1, "known"));
	assert_null(stg_tree_inode(t, 12));
	tree_free(t);
}

static void rename_of_what_the_commit_moved_is_skipped(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op gone = rename_op(1, "old", 1, "new");
	struct stg_op ahead_src = rename_op(1, "moved", 1, "other");

	disc_entry(t, 1, "new", 10, S_IFREG | 0644, STG_AHEAD_OLD);
	disc_entry(t, 1, "moved", 11, S_IFREG | 0644, STG_AHEAD_OLD);
	assert_int_equal(stg_tree_apply_tolerant(t, &gone), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &ahead_src), 0);
	assert_int_equal(at(t, 1, "new")->inode->ino, 10);
	assert_int_equal(at(t, 1, "moved")->inode->ino, 11);
	assert_null(at(t, 1, "other"));
	tree_free(t);
}

static void rename_over_names_the_commit_wrote(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op onto_new = rename_op(1, "a", 1, "b");
	struct stg_op twice = rename_op(1, "c", 20, "c");
	struct stg_op onto_known = rename_op(1, "e", 1, "f");
	struct stg_op dir_onto_dir = rename_op(1, "tmp", 1, "final");
	struct stg_op to_gone_dir = rename_op(1, "g", 99, "g");

	disc_entry(t, 1, "a", 10, S_IFREG | 0644, STG_KNOWN);
	disc_entry(t, 1, "b", 11, S_IFREG | 0644, STG_AHEAD_NEW);
	assert_int_equal(stg_tree_apply_tolerant(t, &onto_new), 0);
	assert_int_equal(at(t, 1, "b")->inode->ino, 10);
	assert_null(stg_tree_inode(t, 11));
	/* shown at both places (the old directory not rewritten yet) */
	disc_entry(t, 1, "dir", 20, S_IFDIR | 0755, STG_KNOWN);
	disc_entry(t, 1, "c", 21, S_IFREG | 0644, STG_KNOWN);
	{
		struct stg_op a = { .ino = 21, .mode = S_IFREG | 0644, .time = 1 };
		assert_int_equal(stg_tree_add_committed(t, 20, "c", &a, 1021), 0);
		at(t, 20, "c")->ahead = STG_AHEAD_OLD;
	}
	assert_int_equal(stg_tree_apply_tolerant(t, &twice), 0);
	assert_null(at(t, 1, "c"));
	assert_int_equal(at(t, 20, "c")->inode->nlink, 1);
	assert_int_equal(at(t, 20, "c")->ahead, STG_KNOWN);
	/* onto a known committed target: as always */
	disc_entry(t, 1, "e", 30, S_IFREG | 0644, STG_KNOWN);
	disc_entry(t, 1, "f", 31, S_IFREG | 0644, STG_KNOWN);
	assert_int_equal(stg_tree_apply_tolerant(t, &onto_known), 0);
	assert_int_equal(at(t, 1, "f")->inode->ino, 30);
	assert_null(stg_tree_inode(t, 31));
	/* a directory moved over one the commit wrote takes its content */
	disc_entry(t, 1, "tmp", 40, S_IFDIR | 0755, STG_KNOWN);
	disc_entry(t, 1, "final", 41, S_IFDIR | 0755, STG_AHEAD_NEW);
	disc_entry(t, 41, "kept", 42, S_IFREG | 0644, STG_AHEAD_OLD);
	assert_int_equal(stg_tree_apply_tolerant(t, &dir_onto_dir), 0);
	assert_int_equal(at(t, 1, "final")->inode->ino, 40);
	assert_int_equal(at(t, 40, "kept")->inode->ino, 42);
	assert_null(stg_tree_inode(t, 41));
	/* a target directory that is gone does not apply */
	disc_entry(t, 1, "g", 50, S_IFREG | 0644, STG_KNOWN);
	assert_int_equal(stg_tree_apply_tolerant(t, &to_gone_dir), -ENOENT);
	tree_free(t);
}

static void changes_of_removed_inodes_are_skipped(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op w = { .type = STG_OP_WRITE, .ino = 99, .off = 0, .len = 4,
			    .seg = 0, .segoff = 0, .time = 50 };
	struct stg_op sa = { .type = STG_OP_SETATTR, .ino = 99,
			     .valid = STG_SET_MODE, .mode = 0600, .time = 50 };
	struct stg_op sx = { .type = STG_OP_SETXATTR, .ino = 99, .name = "user.a",
			     .name_len = 6, .data = "v", .data_len = 1, .time = 50 };
	struct stg_op rx = { .type = STG_OP_RMXATTR, .ino = 99, .name = "user.a",
			     .name_len = 6, .time = 50 };
	struct stg_op link = { .type = STG_OP_LINK, .ino = 99, .newparent = 1,
			       .name2 = "l", .name2_len = 1, .time = 50 };
	struct stg_op in_gone_dir = mknod_op(98, "f", N0, S_IFREG | 0644);

	assert_int_equal(stg_tree_apply_tolerant(t, &w), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &sa), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &sx), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &rx), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &link), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &in_gone_dir), 0);
	assert_null(at(t, 1, "l"));
	assert_null(stg_tree_inode(t, N0));
	assert_int_equal(t->n_inodes, 1);
	tree_free(t);
}

static void xattrs_converge_on_what_the_disc_shows(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op create = { .type = STG_OP_SETXATTR, .ino = 10,
				 .name = "user.a", .name_len = 6, .data = "new",
				 .data_len = 3, .flags = STG_XATTR_CREATE, .time = 50 };
	struct stg_op replace = { .type = STG_OP_SETXATTR, .ino = 10,
				  .name = "user.b", .name_len = 6, .data = "b",
				  .data_len = 1, .flags = STG_XATTR_REPLACE, .time = 50 };
	struct stg_op missing = { .type = STG_OP_RMXATTR, .ino = 10,
				  .name = "user.c", .name_len = 6, .time = 50 };
	struct stg_op old = create;
	const struct stg_xattr *x;

	disc_entry(t, 1, "f", 10, S_IFREG | 0644, STG_KNOWN);
	old.data = "disc";
	old.data_len = 4;
	assert_int_equal(stg_tree_apply(t, &old), 0);
	/* strictly each of these fails */
	assert_int_equal(stg_tree_apply(t, &create), -EEXIST);
	assert_int_equal(stg_tree_apply(t, &replace), -ENODATA);
	assert_int_equal(stg_tree_apply(t, &missing), -ENODATA);
	assert_int_equal(stg_tree_apply_tolerant(t, &create), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &replace), 0);
	assert_int_equal(stg_tree_apply_tolerant(t, &missing), 0);
	x = stg_tree_xattr(stg_tree_inode(t, 10), "user.a", 6);
	assert_non_null(x);
	assert_int_equal(x->value_len, 3);
	assert_memory_equal(x->data + x->name_len + 1, "new", 3);
	assert_non_null(stg_tree_xattr(stg_tree_inode(t, 10), "user.b", 6));
	tree_free(t);
}

static void the_strict_apply_still_refuses(void **state)
{
	struct stg_tree *t = tree_new();
	struct stg_op over = mknod_op(1, "f", N0, S_IFREG | 0644);
	struct stg_op gone = unlink_op(1, "gone", 0);
	struct stg_op moved = rename_op(1, "old", 1, "new");
	struct stg_op w = { .type = STG_OP_WRITE, .ino = 99, .off = 0, .len = 4,
			    .time = 50 };
	struct stg_op sa = { .type = STG_OP_SETATTR, .ino = 99,
			     .valid = STG_SET_MODE, .mode = 0600, .time = 50 };
	struct stg_op in_gone_dir = mknod_op(98, "x", N0 + 1, S_IFREG | 0644);

	disc_entry(t, 1, "f", 10, S_IFREG | 0644, STG_AHEAD_NEW);
	assert_int_equal(stg_tree_apply(t, &over), -EEXIST);
	assert_int_equal(stg_tree_apply(t, &gone), -ENOENT);
	assert_int_equal(stg_tree_apply(t, &moved), -ENOENT);
	assert_int_equal(stg_tree_apply(t, &w), -ENOENT);
	assert_int_equal(stg_tree_apply(t, &sa), -ENOENT);
	assert_int_equal(stg_tree_apply(t, &in_gone_dir), -ENOENT);
	assert_int_equal(at(t, 1, "f")->inode->ino, 10);
	tree_free(t);
}

static void renumbering_keeps_the_children_reachable(void **state)
{
	struct stg_tree *t = tree_new();

	disc_entry(t, 1, "d", 10, S_IFDIR | 0755, STG_KNOWN);
	disc_entry(t, 10, "f", 11, S_IFREG | 0644, STG_KNOWN);
	disc_entry(t, 1, "g", 12, S_IFREG | 0644, STG_KNOWN);
	assert_int_equal(stg_tree_renumber(t, 10, N0 + 7), 0);
	assert_null(stg_tree_inode(t, 10));
	assert_int_equal(at(t, 1, "d")->inode->ino, N0 + 7);
	assert_int_equal(at(t, N0 + 7, "f")->inode->ino, 11);
	assert_null(at(t, 10, "f"));
	assert_int_equal(stg_tree_renumber(t, 11, 12), -EEXIST);
	assert_int_equal(stg_tree_renumber(t, 1, 5), -EINVAL);
	assert_int_equal(stg_tree_renumber(t, 11, 1), -EINVAL);
	assert_int_equal(stg_tree_renumber(t, 99, 5), -ENOENT);
	tree_free(t);
}

/* ---------------------------------------------------------- store level */

/*
 * A fake rewritable disc.  Before the commit ("disc-1"):
 *   /keep/a "alpha", /gone, /old "old"   (numbers 2..5, as a map gave them)
 * After a cut mid-way ("disc-2", numbered by the disc: id + 1000): /keep
 * and /keep/a rewritten ("alphaBETA"), /old moved to /keep/new, the root
 * rewritten (/gone removed, /added with the disc's copy of the blob).
 * "disc-3" is disc-2 where the moved file has no name at all (the cut
 * fell between the directory losing it and the one gaining it).
 */
struct fake {
	int disc;
};

static int add(struct stg_tree *t, uint64_t parent, const char *name,
	       uint64_t ino, uint32_t mode, uint64_t size, uint64_t id)
{
	struct stg_op a = { .ino = ino, .mode = mode, .size = size, .time = 7,
			    .mtime = 7, .atime = 7 };

	return stg_tree_add_committed(t, parent, name, &a, id);
}

static int fake_load(void *ctx, struct stg_tree *t, discfs_error *err)
{
	struct fake *f = ctx;
	int rc;

	if (f->disc == 1)
		rc = add(t, 1, "keep", 2, S_IFDIR | 0755, 0, 100) |
		     add(t, 2, "a", 3, S_IFREG | 0644, 5, 101) |
		     add(t, 1, "gone", 4, S_IFREG | 0644, 0, 102) |
		     add(t, 1, "old", 5, S_IFREG | 0644, 3, 103);
	else
		rc = add(t, 1, "keep", 1100, S_IFDIR | 0755, 0, 100) |
		     add(t, 1100, "a", 1101, S_IFREG | 0644, 9, 101) |
		     (f->disc == 3 ? 0 : add(t, 1100, "new", 1103, S_IFREG | 0644, 3, 103)) |
		     add(t, 1, "added", 1200, S_IFDIR | 0755, 0, 200) |
		     add(t, 1200, "blob", 1201, S_IFREG | 0644, 4, 201);
	return rc ? dfs_fail(err, DISCFS_EFORMAT, "fake disc") : 0;
}

static int fake_read(void *ctx, uint64_t id, uint64_t off, void *buf,
		     size_t len)
{
	struct fake *f = ctx;
	const char *c = id == 101 ? (f->disc == 1 ? "alpha" : "alphaBETA")
			: id == 103 ? "old" : id == 201 ? "BLOB" : NULL;

	if (!c || off + len > strlen(c))
		return -EIO;
	memcpy(buf, c + off, len);
	return 0;
}

struct sfx {
	char dir[128];
	struct fake disc;
	struct stg_store s;
};

/*
 * As the daemon opens it (fused/mount.c): a repaired disc may be replayed
 * over, one that reads as closed adopts a finished commit.
 */
static int open_on(struct sfx *x, int disc, bool keep, bool tolerate,
		   discfs_error *err)
{
	struct stg_params p = {
		.root_mode = 0755, .load = fake_load, .read = fake_read,
		.generation = disc == 1 ? "disc-1" : disc == 2 ? "disc-2" : "disc-3",
		.disc_ctx = &x->disc, .keep_base_tree = keep,
		.tolerate_cut_commit = tolerate, .adopt_finished_commit = !tolerate,
	};

	x->disc.disc = disc;
	return stg_store_open(&x->s, x->dir, &p, err);
}

static int setup_store(void **state)
{
	static int n;
	struct sfx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	snprintf(x->dir, sizeof(x->dir), "%s/s%d", scratch, n++);
	*state = x;
	return 0;
}

static int teardown_store(void **state)
{
	struct sfx *x = *state;

	stg_store_close(&x->s);
	free(x);
	return 0;
}

/* The staged changes of the crash test: mkdir, new file, append, rm, mv. */
static void stage(struct sfx *x)
{
	struct stg_inode *d, *f;

	assert_int_equal(stg_mknod(&x->s, 1, "added", S_IFDIR | 0755, 0, 0, 0, &d), 0);
	assert_int_equal(stg_mknod(&x->s, d->ino, "blob", S_IFREG | 0644, 0, 0, 0, &f), 0);
	assert_int_equal(stg_write(&x->s, f->ino, 0, "BLOB", 4), 4);
	assert_int_equal(stg_write(&x->s, 3, 5, "BETA", 4), 4);
	assert_int_equal(stg_unlink(&x->s, 1, "gone", false), 0);
	assert_int_equal(stg_rename(&x->s, 1, "old", 2, "new", 0), 0);
}

static void expect_staged_tree(struct stg_store *s)
{
	struct stg_tree *t = &s->tree;
	struct stg_dentry *keep = at(t, 1, "keep"), *added = at(t, 1, "added");
	char buf[16];

	assert_non_null(keep);
	assert_int_equal(keep->inode->ino, 2); /* as the journal knows it */
	assert_non_null(added);
	assert_null(at(t, 1, "gone"));
	assert_null(at(t, 1, "old"));
	assert_int_equal(stg_tree_inode(t, 1)->n_children, 2);
	assert_int_equal(keep->inode->n_children, 2);
	assert_int_equal(stg_read(s, 3, 0, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "alphaBETA", 9);
	assert_int_equal(stg_read(s, at(t, 2, "new")->inode->ino, 0, buf,
				  sizeof(buf)), 3);
	assert_memory_equal(buf, "old", 3);
	assert_int_equal(added->inode->n_children, 1);
	assert_int_equal(stg_read(s, at(t, added->inode->ino, "blob")->inode->ino,
				  0, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "BLOB", 4);
}

static void a_commit_cut_mid_way_shows_the_staged_tree_again(void **state)
{
	struct sfx *x = *state;
	discfs_error err = { 0 };
	char *first, *again;

	assert_int_equal(open_on(x, 1, true, false, NULL), 0);
	stage(x);
	expect_staged_tree(&x->s);
	assert_int_equal(stg_store_commit_begin(&x->s, "test", NULL), 0);
	stg_store_close(&x->s);
	/* without either flag: refused as before */
	{
		struct stg_params p = { .root_mode = 0755, .generation = "disc-2",
			.load = fake_load, .read = fake_read, .disc_ctx = &x->disc,
			.keep_base_tree = true };
		x->disc.disc = 2;
		assert_int_equal(stg_store_open(&x->s, x->dir, &p, &err),
				 -DISCFS_ECHANGED);
		assert_non_null(strstr(err.msg, "does not read as its finished result"));
	}
	assert_int_equal(open_on(x, 2, true, true, NULL), 0);
	assert_true(x->s.tolerated);
	assert_true(stg_store_dirty(&x->s));
	expect_staged_tree(&x->s);
	first = stg_dump_string(&x->s);
	/* a change made now survives a reopen: the disc, closed by now, is
	 * not taken for a finished commit */
	assert_int_equal(stg_symlink(&x->s, 1, "later", "keep", 0, 0, NULL), 0);
	stg_store_close(&x->s);
	assert_int_equal(open_on(x, 2, true, false, NULL), 0);
	assert_non_null(at(&x->s.tree, 1, "later"));
	assert_int_equal(stg_unlink(&x->s, 1, "later", false), 0);
	again = stg_dump_string(&x->s);
	assert_non_null(first);
	assert_non_null(again);
	expect_staged_tree(&x->s);
	free(first);
	free(again);
	/* after the next commit the journal stacks on the disc again */
	assert_int_equal(stg_store_reset(&x->s, "disc-2", NULL), 0);
	stg_store_close(&x->s);
	assert_int_equal(open_on(x, 2, true, false, NULL), 0);
	assert_false(x->s.tolerated);
	assert_false(stg_store_dirty(&x->s));
}

static void the_replayed_tree_is_the_same_at_every_open(void **state)
{
	struct sfx *x = *state;
	char *first, *again;

	assert_int_equal(open_on(x, 1, true, false, NULL), 0);
	stage(x);
	assert_int_equal(stg_store_commit_begin(&x->s, "test", NULL), 0);
	stg_store_close(&x->s);
	assert_int_equal(open_on(x, 2, true, true, NULL), 0);
	first = stg_dump_string(&x->s);
	stg_store_close(&x->s);
	assert_int_equal(open_on(x, 2, true, false, NULL), 0);
	again = stg_dump_string(&x->s);
	assert_non_null(first);
	assert_non_null(again);
	assert_string_equal(first, again);
	free(first);
	free(again);
}

static void without_a_final_commit_the_changed_disc_is_refused(void **state)
{
	struct sfx *x = *state;
	discfs_error err = { 0 };

	assert_int_equal(open_on(x, 1, true, false, NULL), 0);
	stage(x);
	assert_int_equal(stg_store_commit_begin(&x->s, "test", NULL), 0);
	/* changed after the commit began: it was not our commit's disc */
	assert_int_equal(stg_symlink(&x->s, 1, "after", "x", 0, 0, NULL), 0);
	stg_store_close(&x->s);
	assert_int_equal(open_on(x, 2, true, true, &err), -DISCFS_ECHANGED);
	assert_non_null(strstr(err.msg, "stack on disc state 'disc-1'"));
	/* the staged changes are untouched */
	assert_int_equal(open_on(x, 1, true, false, NULL), 0);
	assert_non_null(at(&x->s.tree, 1, "after"));
}

static void without_the_record_of_the_base_tree_it_is_refused(void **state)
{
	struct sfx *x = *state;
	discfs_error err = { 0 };

	assert_int_equal(open_on(x, 1, false, false, NULL), 0);
	stage(x);
	assert_int_equal(stg_store_commit_begin(&x->s, "test", NULL), 0);
	stg_store_close(&x->s);
	assert_int_equal(open_on(x, 2, true, true, &err), -DISCFS_ECHANGED);
	assert_non_null(strstr(err.msg, "no record of the tree 'disc-1'"));
}

static void a_damaged_base_record_is_refused_not_guessed(void **state)
{
	struct sfx *x = *state;
	discfs_error err = { 0 };
	char path[256];
	FILE *f;

	assert_int_equal(open_on(x, 1, true, false, NULL), 0);
	stage(x);
	assert_int_equal(stg_store_commit_begin(&x->s, "test", NULL), 0);
	stg_store_close(&x->s);
	snprintf(path, sizeof(path), "%s/base-tree", x->dir);
	f = fopen(path, "r+");
	assert_non_null(f);
	assert_int_equal(fseek(f, 20, SEEK_SET), 0);
	fputc('X', f);
	fclose(f);
	assert_int_equal(open_on(x, 2, true, true, &err), -DISCFS_ECHANGED);
	assert_non_null(strstr(err.msg, "no record of the tree"));
	/* cut short: still refused */
	assert_int_equal(truncate(path, 12), 0);
	assert_int_equal(open_on(x, 2, true, true, &err), -DISCFS_ECHANGED);
}

static void a_change_that_cannot_be_placed_is_refused(void **state)
{
	struct sfx *x = *state;
	discfs_error err = { 0 };

	assert_int_equal(open_on(x, 1, true, false, NULL), 0);
	/* staged: a new file at /new; the disc then shows the old /old
	 * moved to /new by someone, which the journal cannot place */
	assert_int_equal(stg_rename(&x->s, 1, "old", 1, "tmp", 0), 0);
	assert_int_equal(stg_mknod(&x->s, 1, "elsewhere", S_IFREG | 0644, 0, 0, 0,
				   NULL), 0);
	assert_int_equal(stg_rename(&x->s, 1, "elsewhere", 2, "new", 0), 0);
	assert_int_equal(stg_store_commit_begin(&x->s, "test", NULL), 0);
	stg_store_close(&x->s);
	assert_int_equal(open_on(x, 2, true, true, &err), -DISCFS_ECHANGED);
	assert_non_null(strstr(err.msg, "cannot be placed"));
}

static void an_object_the_cut_left_without_a_name_is_refused(void **state)
{
	struct sfx *x = *state;
	discfs_error err = { 0 };

	assert_int_equal(open_on(x, 1, true, false, NULL), 0);
	stage(x);
	assert_int_equal(stg_store_commit_begin(&x->s, "test", NULL), 0);
	stg_store_close(&x->s);
	assert_int_equal(open_on(x, 3, true, true, &err), -DISCFS_ECHANGED);
	assert_non_null(strstr(err.msg, "'new' is missing"));
	/* the repaired volume reads as closed now: still not taken for a
	 * finished commit (that would drop the changes) */
	memset(&err, 0, sizeof(err));
	assert_int_equal(open_on(x, 3, true, false, &err), -DISCFS_ECHANGED);
	assert_non_null(strstr(err.msg, "'new' is missing"));
	assert_false(x->s.adopted_commit);
	/* kept: the disc with the name shows it all */
	assert_int_equal(open_on(x, 2, true, true, NULL), 0);
	expect_staged_tree(&x->s);
}

static int group_setup(void **state)
{
	return scratch_make(scratch, sizeof(scratch), "stgtolerant");
}

static int group_teardown(void **state)
{
	return scratch_remove(scratch);
}

int main(void)
{
#define S(fn) cmocka_unit_test_setup_teardown(fn, setup_store, teardown_store)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_replaces_a_name_the_commit_wrote),
		cmocka_unit_test(mkdir_over_a_directory_the_commit_wrote_keeps_its_content),
		cmocka_unit_test(what_would_lose_an_older_object_is_refused),
		cmocka_unit_test(unlink_of_what_the_commit_removed_is_skipped),
		cmocka_unit_test(rename_of_what_the_commit_moved_is_skipped),
		cmocka_unit_test(rename_over_names_the_commit_wrote),
		cmocka_unit_test(changes_of_removed_inodes_are_skipped),
		cmocka_unit_test(xattrs_converge_on_what_the_disc_shows),
		cmocka_unit_test(the_strict_apply_still_refuses),
		cmocka_unit_test(renumbering_keeps_the_children_reachable),
		S(a_commit_cut_mid_way_shows_the_staged_tree_again),
		S(the_replayed_tree_is_the_same_at_every_open),
		S(without_a_final_commit_the_changed_disc_is_refused),
		S(without_the_record_of_the_base_tree_it_is_refused),
		S(a_damaged_base_record_is_refused_not_guessed),
		S(a_change_that_cannot_be_placed_is_refused),
		S(an_object_the_cut_left_without_a_name_is_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
