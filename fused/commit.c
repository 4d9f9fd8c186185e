/* fused/commit.c - see commit.h */
#include "fused/commit.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "fused/inomap.h"
#include "util/err.h"

static uint8_t change_of(const struct stg_inode *in)
{
	if (in->changed & STG_I_NEW)
		return DFS_CH_NEW;
	if (in->changed & STG_I_DATA)
		return DFS_CH_DATA;
	if (in->changed & STG_I_META)
		return DFS_CH_META;
	return DFS_CH_SAME;
}

static int push(struct dfs_commit_plan *p, size_t *cap,
		const struct stg_inode *in, const struct stg_dentry *name,
		size_t parent, uint32_t depth)
{
	if (p->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct dfs_commit_entry *e = realloc(p->entries, ncap * sizeof(*e));
		if (!e)
			return -1;
		p->entries = e;
		*cap = ncap;
	}
	p->entries[p->n++] = (struct dfs_commit_entry){
		.inode = in, .name = name, .parent = parent, .depth = depth,
		.change = change_of(in),
	};
	if (change_of(in) != DFS_CH_SAME)
		p->n_changed++;
	return 0;
}

int dfs_commit_plan_build(struct stg_store *s, struct dfs_commit_plan *out,
			  discfs_error *err)
{
	size_t cap = 0;

	*out = (struct dfs_commit_plan){ .store = s,
					 .staged_bytes = s->tree.staged_bytes };
	if (push(out, &cap, stg_tree_inode(&s->tree, STG_ROOT_INO), NULL, 0, 0) < 0)
		goto nomem;
	/* Breadth first: the array is its own queue, parents come first. */
	for (size_t i = 0; i < out->n; i++) {
		const struct stg_inode *dir = out->entries[i].inode;
		uint32_t depth = out->entries[i].depth + 1;
		if (!S_ISDIR(dir->mode))
			continue;
		for (const struct stg_dentry *d = dir->first; d; d = d->next)
			if (push(out, &cap, d->inode, d, i, depth) < 0)
				goto nomem;
	}
	return 0;
nomem:
	dfs_commit_plan_free(out);
	return dfs_fail(err, DISCFS_ENOMEM, "commit: out of memory for the plan");
}

void dfs_commit_plan_free(struct dfs_commit_plan *plan)
{
	free(plan->entries);
	plan->entries = NULL;
	plan->n = 0;
}

ssize_t dfs_commit_read(const struct dfs_commit_plan *plan,
			const struct stg_inode *inode, uint64_t off, void *buf,
			size_t len)
{
	return stg_read(plan->store, inode->ino, off, buf, len);
}

int dfs_commit(struct stg_store *s, const struct dfs_commit_writer *w,
	       const char *staging_dir, discfs_error *err)
{
	struct dfs_commit_plan plan;
	char gen[STG_GEN_MAX + 1] = "";
	int rc;

	if (!stg_store_dirty(s))
		return 0;
	rc = dfs_commit_plan_build(s, &plan, err);
	if (rc < 0)
		return rc;
	if (!w) {
		rc = dfs_fail(err, DISCFS_ENOTSUP,
			      "commit: no UDF writer for this disc in this "
			      "build; %zu changed entries (%llu bytes) stay "
			      "staged in %s", plan.n_changed,
			      (unsigned long long)plan.staged_bytes, staging_dir);
		dfs_commit_plan_free(&plan);
		return rc;
	}
	/* Staged state must be durable before the disc moves past it, and
	 * marked, so a crash in the middle is recognised at the next mount. */
	rc = stg_store_commit_begin(s, w->name, err);
	if (rc == 0)
		rc = w->write(w->ctx, &plan, gen, sizeof(gen), err);
	gen[sizeof(gen) - 1] = '\0';
	/* Written: keep the inode numbers the kernel knows (inomap.h); a map
	 * that cannot be saved only costs that stability. */
	if (rc == 0)
		dfs_inomap_save(s->dirfd, &plan, gen, NULL);
	dfs_commit_plan_free(&plan);
	if (rc < 0)
		return dfs_wrap(err, rc, "commit (%s); the changes stay staged",
				w->name);
	return stg_store_reset(s, gen, err);
}
