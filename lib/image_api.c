/*
 * lib/image_api.c - the public mastering API (discfs.h "images"): a thin
 * shell over the UDF mastering engine in udf/mk*.c, plus the image-file
 * sink (sequential writes, copy_file_range for file contents).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "discfs.h"
#include "udf/mk.h"
#include "util/err.h"

struct discfs_image {
	struct udf_mk mk;
};

void discfs_image_options_init(discfs_image_options *o)
{
	memset(o, 0, sizeof(*o));
}

void udf_mk_free(struct udf_mk *mk)
{
	mk_iso_free(mk);
	mk_tree_free(mk);
	free(mk->icb_order.v);
	free(mk->data_order.v);
	free(mk->srcdir);
	free(mk->boot_bios);
	free(mk->boot_efi);
}

static int dup_opt(char **dst, const char *src, discfs_error *err)
{
	if (src && !(*dst = strdup(src)))
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	return 0;
}

int discfs_image_open(const char *srcdir, const discfs_image_options *opts,
		      discfs_image **out, discfs_error *err)
{
	discfs_image_options defaults;
	discfs_image *img;
	int rc;

	*out = NULL;
	if (!opts) {
		discfs_image_options_init(&defaults);
		opts = &defaults;
	}
	if (!srcdir)
		return dfs_fail(err, DISCFS_EINVAL, "no source directory");
	if (opts->tz_minutes < -1440 || opts->tz_minutes > 1440)
		return dfs_fail(err, DISCFS_EINVAL, "time zone offset %d minutes out of range",
				opts->tz_minutes);
	if (!(img = calloc(1, sizeof(*img))))
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	struct udf_mk *mk = &img->mk;
	const char *label = opts->label ? opts->label : "DISCFS";
	if (strlen(label) >= sizeof(mk->label)) {
		free(img);
		return dfs_fail(err, DISCFS_EINVAL, "label longer than %zu bytes",
				sizeof(mk->label) - 1);
	}
	strcpy(mk->label, label);
	mk->now = opts->fixed_time_set ? opts->fixed_time : (int64_t)time(NULL);
	mk->tz = opts->tz_minutes;
	mk->no_xattrs = opts->no_xattrs;
	if ((rc = dup_opt(&mk->srcdir, srcdir, err)) ||
	    (rc = dup_opt(&mk->boot_bios, opts->boot_bios, err)) ||
	    (rc = dup_opt(&mk->boot_efi, opts->boot_efi, err)) ||
	    (rc = mk_choose_layout(mk, opts, err)) ||
	    (rc = mk_tree_scan(mk, err)) ||
	    (rc = mk_plan(mk, err))) {
		udf_mk_free(mk);
		free(img);
		return rc;
	}
	*out = img;
	return 0;
}

void discfs_image_stats_get(const discfs_image *img, discfs_image_stats *s)
{
	const struct udf_mk *mk = &img->mk;

	memset(s, 0, sizeof(*s));
	s->blocks = mk->total;
	s->files = mk->n_files;
	s->dirs = mk->n_dirs;
	s->symlinks = mk->n_symlinks;
	s->data_bytes = mk->data_bytes;
	s->skipped = mk->n_skipped;
	s->udf_revision = mk->rev;
	s->layout = mk->layout;
}

struct user_sink {
	discfs_block_sink fn;
	void *ctx;
};

static int user_blocks(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
		       discfs_error *err)
{
	struct user_sink *u = ctx;
	int rc = u->fn(u->ctx, lba, data, n, err);
	if (rc > 0)
		rc = -rc;
	if (rc && err && !err->msg[0])
		dfs_fail(err, -rc, "block sink stopped at block %llu",
			 (unsigned long long)lba);
	return rc;
}

int discfs_image_produce(discfs_image *img, discfs_block_sink sink, void *ctx,
			 discfs_error *err)
{
	struct user_sink u = { sink, ctx };
	struct mk_sink s = { .blocks = user_blocks, .ctx = &u };

	if (!img || !sink)
		return dfs_fail(err, DISCFS_EINVAL, "no image or sink");
	return mk_emit(&img->mk, &s, err);
}

/* ---------------------------------------------------- image-file sink */

struct file_sink {
	int fd;
	const char *path;
};

static int file_run(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
		    discfs_error *err)
{
	struct file_sink *f = ctx;
	size_t len = (size_t)n * MK_BS, done = 0;
	off_t off = (off_t)(lba * MK_BS);

	while (done < len) {
		ssize_t w = pwrite(f->fd, data + done, len - done, off + (off_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return dfs_fail_errno(err, errno == ENOSPC ? DISCFS_ENOSPC : DISCFS_EIO,
					      w < 0 ? errno : EIO, "%s", f->path);
		done += (size_t)w;
	}
	return 0;
}

static bool zero_block(const uint8_t *b)
{
	for (size_t i = 0; i < MK_BS; i++)
		if (b[i])
			return false;
	return true;
}

/* The file starts empty: blocks of zeros stay holes (a volume sized to a
 * whole disc is mostly free space), the rest is written in runs. */
static int file_blocks(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
		       discfs_error *err)
{
	uint32_t i = 0;
	while (i < n) {
		uint32_t k = 0;
		while (i + k < n && !zero_block(data + (size_t)(i + k) * MK_BS))
			k++;
		int rc = k ? file_run(ctx, lba + i, data + (size_t)i * MK_BS, k, err) : 0;
		if (rc)
			return rc;
		i += k ? k : 1;
	}
	return 0;
}

/* Plain read/write copy, used when copy_file_range cannot be. */
static int copy_rw(struct file_sink *f, int in, uint64_t in_off, uint64_t out_off,
		   uint64_t len, discfs_error *err)
{
	enum { CHUNK = 1 << 20 };
	uint8_t *buf = malloc(CHUNK);
	int rc = 0;

	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	while (!rc && len) {
		size_t want = len < CHUNK ? (size_t)len : CHUNK;
		ssize_t r = pread(in, buf, want, (off_t)in_off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = dfs_fail(err, DISCFS_EIO, "source file shrank or failed to read");
			break;
		}
		size_t w = 0;
		while (!rc && w < (size_t)r) {
			ssize_t k = pwrite(f->fd, buf + w, (size_t)r - w, (off_t)(out_off + w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				rc = dfs_fail_errno(err, DISCFS_EIO, k < 0 ? errno : EIO,
						    "%s", f->path);
			else
				w += (size_t)k;
		}
		in_off += (uint64_t)r;
		out_off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	free(buf);
	return rc;
}

static int file_copy(void *ctx, uint64_t lba, int in, uint64_t off, uint64_t len,
		     discfs_error *err)
{
	struct file_sink *f = ctx;
	loff_t in_off = (loff_t)off, out_off = (loff_t)(lba * MK_BS);
	uint64_t left = len;

	while (left) {
		ssize_t n = copy_file_range(in, &in_off, f->fd, &out_off,
					    left > (1u << 30) ? (1u << 30) : (size_t)left, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
			      errno == EOPNOTSUPP))
			return copy_rw(f, in, (uint64_t)in_off, (uint64_t)out_off, left, err);
		if (n < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", f->path);
		if (n == 0)
			return dfs_fail(err, DISCFS_EIO, "source file shrank while mastering");
		left -= (uint64_t)n;
	}
	return 0; /* the block's tail stays a hole (zeros) until written past */
}

int discfs_image_write(discfs_image *img, const char *path, discfs_error *err)
{
	struct file_sink f = { .path = path };
	struct mk_sink s = { .blocks = file_blocks, .copy = file_copy, .ctx = &f };

	if (!img || !path)
		return dfs_fail(err, DISCFS_EINVAL, "no image or path");
	f.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f.fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", path);
	int rc = mk_emit(&img->mk, &s, err);
	if (!rc && ftruncate(f.fd, (off_t)(img->mk.total * MK_BS)))
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "%s", path);
	if (close(f.fd) && !rc)
		rc = dfs_fail_errno(err, DISCFS_EIO, errno, "%s", path);
	if (rc)
		unlink(path); /* never leave a partial image that looks valid */
	return rc;
}

/* ------------------------------------------------------- pull stream */

#define STREAM_RING (8u << 20)

struct discfs_image_stream {
	discfs_image *img;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *ring;
	size_t head, fill;   /* read position and bytes buffered */
	bool done, cancel;
	int rc;              /* production result, valid when done */
	discfs_error err;
};

static int stream_blocks(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
			 discfs_error *err)
{
	struct discfs_image_stream *s = ctx;
	size_t len = (size_t)n * MK_BS, off = 0;

	pthread_mutex_lock(&s->mu);
	while (off < len) {
		while (s->fill == STREAM_RING && !s->cancel)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->cancel) {
			pthread_mutex_unlock(&s->mu);
			return dfs_fail(err, DISCFS_ECANCELED, "image stream closed at block %llu",
					(unsigned long long)lba);
		}
		size_t tail = (s->head + s->fill) % STREAM_RING;
		size_t room = STREAM_RING - s->fill;
		size_t chunk = len - off;
		if (chunk > room)
			chunk = room;
		if (chunk > STREAM_RING - tail)
			chunk = STREAM_RING - tail;
		memcpy(s->ring + tail, data + off, chunk);
		s->fill += chunk;
		off += chunk;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static void *stream_main(void *arg)
{
	struct discfs_image_stream *s = arg;
	struct mk_sink sink = { .blocks = stream_blocks, .ctx = s };
	discfs_error e = { 0 };
	int rc = mk_emit(&s->img->mk, &sink, &e);

	pthread_mutex_lock(&s->mu);
	s->rc = rc;
	s->err = e;
	s->done = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int discfs_image_stream_open(discfs_image *img, discfs_image_stream **out,
			     discfs_error *err)
{
	struct discfs_image_stream *s;

	*out = NULL;
	if (!img)
		return dfs_fail(err, DISCFS_EINVAL, "no image");
	if (!(s = calloc(1, sizeof(*s))) || !(s->ring = malloc(STREAM_RING))) {
		free(s);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	s->img = img;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	int e = pthread_create(&s->thread, NULL, stream_main, s);
	if (e) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		free(s->ring);
		free(s);
		return dfs_fail_errno(err, DISCFS_ENOMEM, e, "image stream thread");
	}
	*out = s;
	return 0;
}

int discfs_image_stream_read(void *stream, void *buf, size_t len, size_t *got,
			     discfs_error *err)
{
	struct discfs_image_stream *s = stream;
	int rc = 0;

	*got = 0;
	pthread_mutex_lock(&s->mu);
	while (s->fill == 0 && !s->done)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->fill) {
		size_t chunk = len < s->fill ? len : s->fill;
		if (chunk > STREAM_RING - s->head)
			chunk = STREAM_RING - s->head;
		memcpy(buf, s->ring + s->head, chunk);
		s->head = (s->head + chunk) % STREAM_RING;
		s->fill -= chunk;
		*got = chunk;
		pthread_cond_broadcast(&s->cv);
	} else if (s->rc) {
		rc = s->rc;
		if (err)
			*err = s->err;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void discfs_image_stream_close(discfs_image_stream *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->cancel = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->ring);
	free(s);
}

void discfs_image_free(discfs_image *img)
{
	if (!img)
		return;
	udf_mk_free(&img->mk);
	free(img);
}
