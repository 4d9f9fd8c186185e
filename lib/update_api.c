/*
 * lib/update_api.c - the public incremental-update API of include/discfs.h
 * ("incremental update") on top of udf/update.h: opening a drive or an
 * image as a block device, formatting blank media when asked, and local
 * files as content sources (kept open until the commit that reads them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "udf/update.h"
#include "util/err.h"

struct src_file {
	int fd;
	uint64_t size;
	char path[256];
};

struct discfs_update {
	struct udf_bdev bd;
	struct udf_update *u;
	discfs_drive *own_drive;   /* opened by discfs_update_open */
	struct src_file **files;   /* content sources staged so far */
	size_t n_files, cap_files;
};

static void opts_to_udf(const discfs_update_opts *o, struct udf_update_opts *uo)
{
	memset(uo, 0, sizeof(*uo));
	if (!o)
		return;
	uo->now = o->fixed_time_set ? o->fixed_time : 0;
	uo->tz_minutes = o->tz_minutes;
	uo->label = o->label;
	uo->udf_revision = o->udf_revision;
}

static void drop_files(discfs_update *up)
{
	for (size_t i = 0; i < up->n_files; i++) {
		close(up->files[i]->fd);
		free(up->files[i]);
	}
	up->n_files = 0;
}

void discfs_update_close(discfs_update *up)
{
	if (!up)
		return;
	udf_update_close(up->u);
	udf_bdev_close(&up->bd);
	drop_files(up);
	free(up->files);
	if (up->own_drive)
		discfs_close(up->own_drive);
	free(up);
}

/*
 * A blank CD-RW or DVD-RW is rewritable, but only after a format: fixed
 * packets (FORMAT UNIT 10h) on CD-RW, restricted overwrite on DVD-RW.
 * Formatted so, it is written in place like a DVD+RW (space bitmap, no
 * VAT).  DVD-RW gets the full format (00h/10h), not the quick one (15h):
 * a real drive leaves a quick-formatted disc "intermediate", rewritable
 * only over what has been written sequentially so far, while the in-place
 * layout puts an anchor at the last block.  Sets *done when it formatted
 * the medium (the block device is then refreshed and random-access).
 */
static int format_for_overwrite(discfs_update *up, discfs_drive *drive,
				bool *done, discfs_error *err)
{
	discfs_media_info mi;
	int rc = discfs_media_info_get(drive, &mi, err);

	*done = false;
	if (rc)
		return rc;
	bool blank = mi.disc_status == DISCFS_DISC_BLANK && !mi.write_protected;
	bool cd_rw = mi.profile == 0x000A, dvd_rw = mi.profile == 0x0014;
	discfs_media_info_free(&mi);
	if (!blank || !(cd_rw || dvd_rw))
		return 0;
	discfs_format_opts fo;
	memset(&fo, 0, sizeof(fo)); /* full format, default spares */
	if ((rc = discfs_format(drive, &fo, err)) ||
	    (rc = up->bd.refresh(&up->bd, err)))
		return dfs_wrap(err, rc, "formatting the blank %s for writing "
				"in place", cd_rw ? "CD-RW" : "DVD-RW");
	if (up->bd.kind != UDF_BDEV_RANDOM)
		return dfs_fail(err, DISCFS_EFORMAT, "the %s was formatted but "
				"the drive does not let it be overwritten",
				cd_rw ? "CD-RW" : "DVD-RW");
	*done = true;
	return 0;
}

/* Opens the volume, formatting a blank medium first when asked. */
static int open_volume(discfs_update *up, discfs_drive *drive,
		       const discfs_update_opts *o, discfs_error *err)
{
	struct udf_update_opts uo;
	bool fmt = o && o->format_blank;
	opts_to_udf(o, &uo);
	/* a volume added as a later session is found at its start */
	uo.session_start = discfs_udf_session_start(drive);
	if (o && o->import_iso) /* the ISO volume: the last closed session */
		return udf_update_import_open(&up->bd, &uo,
					      discfs_last_session_start(drive),
					      &up->u, err);
	bool blank_seq = up->bd.kind == UDF_BDEV_SEQUENTIAL &&
			 up->bd.last_recorded == UINT64_MAX;
	if (blank_seq && fmt && drive) {
		bool formatted;
		int rc = format_for_overwrite(up, drive, &formatted, err);
		if (rc)
			return rc;
		if (formatted) {
			if ((rc = udf_update_format(&up->bd, &uo, err)))
				return rc;
			return udf_update_open(&up->bd, &uo, &up->u, err);
		}
	}
	if (blank_seq && !fmt)
		return dfs_fail(err, DISCFS_EFORMAT,
				"the disc is blank (format_blank lays out a volume)");
	if (blank_seq) {
		int rc = udf_update_format(&up->bd, &uo, err);
		if (rc)
			return rc;
		return udf_update_open(&up->bd, &uo, &up->u, err);
	}
	int rc;
	if (drive && fmt && up->bd.kind == UDF_BDEV_RANDOM) {
		/* a rewritable medium that was never formatted holds nothing */
		discfs_media_info mi;
		if ((rc = discfs_media_info_get(drive, &mi, err)))
			return rc;
		bool unformatted = !mi.formatted;
		discfs_media_info_free(&mi);
		if (unformatted) {
			discfs_format_opts fo;
			memset(&fo, 0, sizeof(fo));
			if ((rc = discfs_format(drive, &fo, err)) ||
			    (rc = up->bd.refresh(&up->bd, err)) ||
			    (rc = udf_update_format(&up->bd, &uo, err)))
				return rc;
		}
	}
	rc = udf_update_open(&up->bd, &uo, &up->u, err);
	if (rc != -DISCFS_EFORMAT || !fmt || up->bd.kind != UDF_BDEV_RANDOM)
		return rc;
	/* formatted but without UDF: lay the volume out */
	if ((rc = udf_update_format(&up->bd, &uo, err)))
		return rc;
	return udf_update_open(&up->bd, &uo, &up->u, err);
}

int discfs_update_open_drive(discfs_drive *drive, const discfs_update_opts *o,
			     discfs_update **out, discfs_error *err)
{
	discfs_update *up = calloc(1, sizeof(*up));
	if (!up)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	int rc = udf_bdev_open_drive(drive, &up->bd, err);
	if (!rc)
		rc = open_volume(up, drive, o, err);
	if (rc) {
		discfs_update_close(up);
		return rc;
	}
	*out = up;
	return 0;
}

int discfs_update_open(const char *dev, const discfs_update_opts *o,
		       discfs_update **out, discfs_error *err)
{
	discfs_drive *drive = NULL;
	int rc = discfs_open(dev, &drive, err);
	if (rc)
		return rc;
	rc = discfs_update_open_drive(drive, o, out, err);
	if (rc) {
		discfs_close(drive);
		return rc;
	}
	(*out)->own_drive = drive;
	return 0;
}

int discfs_update_open_image(const char *path, bool write_once,
			     uint64_t capacity_blocks,
			     const discfs_update_opts *o, discfs_update **out,
			     discfs_error *err)
{
	discfs_update *up = calloc(1, sizeof(*up));
	if (!up)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	int rc = udf_bdev_open_file(path, write_once ? UDF_BDEV_SEQUENTIAL
						     : UDF_BDEV_RANDOM,
				    capacity_blocks, &up->bd, err);
	if (!rc)
		rc = open_volume(up, NULL, o, err);
	if (rc) {
		discfs_update_close(up);
		return rc;
	}
	*out = up;
	return 0;
}

static struct udf_update_attr mode_attr(uint32_t mode)
{
	struct udf_update_attr a = { .mask = UDF_ATTR_MODE, .mode = mode & 07777 };
	return a;
}

int discfs_update_mkdir(discfs_update *up, const char *path, uint32_t mode,
			discfs_error *err)
{
	struct udf_update_attr a = mode_attr(mode);
	return udf_update_mkdir(up->u, path, &a, err);
}

int discfs_update_write(discfs_update *up, const char *path, uint32_t mode,
			uint64_t size, discfs_update_read_fn fn, void *user,
			discfs_error *err)
{
	struct udf_update_attr a = mode_attr(mode);
	return udf_update_write_file(up->u, path, &a, size, fn, user, err);
}

static int file_read(void *ctx, uint64_t off, void *buf, size_t len,
		     discfs_error *err)
{
	struct src_file *f = ctx;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(f->fd, (uint8_t *)buf + done, len - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", f->path);
		if (n == 0)
			return dfs_fail(err, DISCFS_EIO, "%s: shrank after it was staged",
					f->path);
		done += (size_t)n;
	}
	return 0;
}

int discfs_update_copy_file(discfs_update *up, const char *path,
			    const char *src, discfs_error *err)
{
	struct stat st;
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dfs_fail_errno(err, errno == ENOENT ? DISCFS_ENOENT : DISCFS_EIO,
				      errno, "%s", src);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dfs_fail(err, DISCFS_EINVAL, "%s: not a regular file", src);
	}
	struct src_file *f = calloc(1, sizeof(*f));
	if (f && up->n_files == up->cap_files) {
		size_t cap = up->cap_files * 2 + 8;
		struct src_file **v = realloc(up->files, cap * sizeof(*v));
		if (v) {
			up->files = v;
			up->cap_files = cap;
		}
	}
	if (!f || up->n_files == up->cap_files) {
		free(f);
		close(fd);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	snprintf(f->path, sizeof(f->path), "%s", src);
	up->files[up->n_files++] = f;
	struct udf_update_attr a = {
		.mask = UDF_ATTR_MODE | UDF_ATTR_MTIME,
		.mode = st.st_mode & 07777,
		.mtime = st.st_mtim.tv_sec,
		.mtime_nsec = (uint32_t)st.st_mtim.tv_nsec,
	};
	return udf_update_write_file(up->u, path, &a, f->size, file_read, f, err);
}

int discfs_update_symlink(discfs_update *up, const char *path,
			  const char *target, discfs_error *err)
{
	return udf_update_symlink(up->u, path, target, NULL, err);
}

int discfs_update_remove(discfs_update *up, const char *path,
			 discfs_error *err)
{
	return udf_update_remove(up->u, path, err);
}

int discfs_update_rename(discfs_update *up, const char *from, const char *to,
			 discfs_error *err)
{
	return udf_update_rename(up->u, from, to, err);
}

int discfs_update_chmod(discfs_update *up, const char *path, uint32_t mode,
			discfs_error *err)
{
	struct udf_update_attr a = mode_attr(mode);
	return udf_update_setattr(up->u, path, &a, err);
}

int discfs_update_commit(discfs_update *up, discfs_update_stats *st,
			 discfs_error *err)
{
	struct udf_update_stats s;
	int rc = udf_update_commit(up->u, &s, err);
	if (st) {
		memset(st, 0, sizeof(*st));
		if (!rc) {
			st->blocks_written = s.blocks_written;
			st->data_blocks = s.data_blocks;
			st->meta_blocks = s.meta_blocks;
			st->objects_written = s.objects_written;
			st->blocks_freed = s.blocks_freed;
		}
	}
	if (!rc)
		drop_files(up);
	return rc;
}
