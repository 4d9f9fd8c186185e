/* fused/staging_dump.c - see staging_dump.h */
#include "fused/staging_dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fused/crc32c.h"

static int content_crc(struct stg_store *s, const struct stg_inode *in,
		       uint32_t *crc)
{
	uint8_t buf[65536];
	uint64_t off = 0;

	*crc = 0;
	while (off < in->size) {
		ssize_t n = stg_read(s, in->ino, off, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EIO;
		*crc = stg_crc32c(*crc, buf, (size_t)n);
		off += (uint64_t)n;
	}
	return 0;
}

static int dump_inode(struct stg_store *s, FILE *f, const char *path,
		      const struct stg_inode *in)
{
	uint32_t crc = 0;
	int rc = S_ISREG(in->mode) ? content_crc(s, in, &crc) : 0;

	if (rc < 0)
		return rc;
	fprintf(f, "%s mode=%o uid=%u gid=%u nlink=%u size=%" PRIu64
		   " atime=%" PRId64 " mtime=%" PRId64 " ctime=%" PRId64,
		path, in->mode, in->uid, in->gid, in->nlink, in->size,
		in->atime, in->mtime, in->ctime);
	if (S_ISREG(in->mode))
		fprintf(f, " crc=%08x", crc);
	if (S_ISCHR(in->mode) || S_ISBLK(in->mode))
		fprintf(f, " rdev=%" PRIu64, in->rdev);
	if (in->symlink)
		fprintf(f, " -> %s", in->symlink);
	for (const struct stg_xattr *x = in->xattrs; x; x = x->next) {
		fprintf(f, " xattr:%s=", x->data);
		for (uint32_t i = 0; i < x->value_len; i++)
			fprintf(f, "%02x", (uint8_t)x->data[x->name_len + 1 + i]);
	}
	fputc('\n', f);
	return 0;
}

static int dump_dir(struct stg_store *s, FILE *f, const char *path,
		    const struct stg_inode *dir)
{
	for (const struct stg_dentry *d = dir->first; d; d = d->next) {
		size_t n = strlen(path) + d->name_len + 2;
		char *child = malloc(n);
		int rc;
		if (!child)
			return -ENOMEM;
		snprintf(child, n, "%s/%s", path, d->name);
		rc = dump_inode(s, f, child, d->inode);
		if (rc == 0 && S_ISDIR(d->inode->mode))
			rc = dump_dir(s, f, child, d->inode);
		free(child);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int stg_dump(struct stg_store *s, FILE *f)
{
	const struct stg_inode *root = stg_tree_inode(&s->tree, STG_ROOT_INO);
	int rc = dump_inode(s, f, "", root);

	return rc < 0 ? rc : dump_dir(s, f, "", root);
}

char *stg_dump_string(struct stg_store *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc;

	if (!f)
		return NULL;
	rc = stg_dump(s, f);
	fclose(f);
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
