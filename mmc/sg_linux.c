/* mmc/sg_linux.c - see sg_linux.h. */
#include "mmc/sg_linux.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h> /* BLKSECTGET */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <scsi/sg.h>

#include "mmc/exec.h"
#include "mmc/parse_util.h"
#include "util/err.h"

#define SG_DEFAULT_TIMEOUT_MS 60000u
#define OPEN_TRIES 5
#define OPEN_RETRY_MS 157

/* Linux host_status values (include/scsi/scsi.h DID_*). */
enum {
	HOST_OK = 0x00, HOST_NO_CONNECT = 0x01, HOST_BUS_BUSY = 0x02,
	HOST_TIME_OUT = 0x03, HOST_BAD_TARGET = 0x04, HOST_ABORT = 0x05,
	HOST_PARITY = 0x06, HOST_ERROR = 0x07, HOST_RESET = 0x08,
	HOST_BAD_INTR = 0x09, HOST_PASSTHROUGH = 0x0a, HOST_SOFT_ERROR = 0x0b,
	HOST_IMM_RETRY = 0x0c, HOST_REQUEUE = 0x0d,
	HOST_TRANSPORT_DISRUPTED = 0x0e, HOST_TRANSPORT_FAILFAST = 0x0f,
};
/* driver_status low nibble (DRIVER_*; the high nibble holds SUGGEST_*
 * hints).  DRIVER_SENSE only says sense data came back: not an error. */
enum { DRV_OK = 0, DRV_BUSY = 1, DRV_SOFT = 2, DRV_MEDIA = 3, DRV_ERROR = 4,
       DRV_INVALID = 5, DRV_TIMEOUT = 6, DRV_HARD = 7, DRV_SENSE = 8 };

struct sg_ctx {
	int fd;
	int sibling_fd; /* the sr/sg twin held exclusively too, or -1 */
};

int mmc_sg_map_result(unsigned host, unsigned driver, const char *what,
		      discfs_error *err)
{
	switch (host) {
	case HOST_OK:
		break;
	case HOST_NO_CONNECT:
	case HOST_BAD_TARGET:
	case HOST_TRANSPORT_FAILFAST:
		return dfs_fail(err, DISCFS_ENODEV, "%s: drive is gone", what);
	case HOST_BUS_BUSY:
	case HOST_IMM_RETRY:
	case HOST_REQUEUE:
		return dfs_fail(err, DISCFS_EBUSY, "%s: bus busy", what);
	case HOST_TIME_OUT:
		return dfs_fail(err, DISCFS_EIO, "%s: command timed out", what);
	case HOST_RESET:
	case HOST_TRANSPORT_DISRUPTED:
		return dfs_fail(err, DISCFS_ECHANGED,
				"%s: bus reset or transport disrupted", what);
	default:
		return dfs_fail(err, DISCFS_EIO, "%s: host adapter error 0x%02x",
				what, host);
	}
	switch (driver & 0x0F) {
	case DRV_OK:
	case DRV_SENSE:
		return 0;
	case DRV_TIMEOUT:
		return dfs_fail(err, DISCFS_EIO, "%s: command timed out", what);
	case DRV_BUSY:
		return dfs_fail(err, DISCFS_EBUSY, "%s: driver busy", what);
	default:
		/* Failures the SCSI status cannot express. */
		return dfs_fail(err, DISCFS_EIO, "%s: driver error 0x%02x",
				what, driver);
	}
}

static int sg_errno(int e, const char *what, discfs_error *err)
{
	switch (e) {
	case ENODEV:
	case ENXIO:
	case ENOENT:
		return dfs_fail_errno(err, DISCFS_ENODEV, e, "%s", what);
	case EPERM:
	case EACCES:
		/* The kernel's SG_IO filter: write-class commands need a
		 * writable fd, unlisted ones CAP_SYS_RAWIO. */
		return dfs_fail_errno(err, DISCFS_EIO, e,
				      "%s refused by the kernel (device not open "
				      "for writing, or command needs CAP_SYS_RAWIO)",
				      what);
	case EBUSY:
	case EAGAIN:
		return dfs_fail_errno(err, DISCFS_EBUSY, e, "%s", what);
	case ENOMEM:
		return dfs_fail_errno(err, DISCFS_ENOMEM, e, "%s", what);
	default:
		return dfs_fail_errno(err, DISCFS_EIO, e, "%s", what);
	}
}

static int sg_exec(struct mmc_transport *t, struct mmc_cmd *c,
		   discfs_error *err)
{
	struct sg_ctx *x = t->ctx;
	struct sg_io_hdr h;
	int rc;

	memset(&h, 0, sizeof(h));
	h.interface_id = 'S';
	h.cmd_len = c->cdb_len;
	h.cmdp = c->cdb;
	h.mx_sb_len = MMC_SENSE_MAX;
	h.sbp = c->sense;
	h.dxfer_len = c->dir == MMC_DIR_NONE ? 0 : c->len;
	h.dxferp = h.dxfer_len ? c->buf : NULL;
	h.dxfer_direction = !h.dxfer_len ? SG_DXFER_NONE
			    : c->dir == MMC_DIR_IN ? SG_DXFER_FROM_DEV
						   : SG_DXFER_TO_DEV;
	h.timeout = c->timeout_ms ? c->timeout_ms : SG_DEFAULT_TIMEOUT_MS;
	do
		rc = ioctl(x->fd, SG_IO, &h);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return sg_errno(errno, mmc_op_name(c->cdb[0]), err);
	rc = mmc_sg_map_result(h.host_status, h.driver_status,
			       mmc_op_name(c->cdb[0]), err);
	if (rc)
		return rc;
	c->status = h.status;
	c->sense_len = h.sb_len_wr > MMC_SENSE_MAX ? MMC_SENSE_MAX
						   : h.sb_len_wr;
	/* Old kernels report sense with status 0 and DRIVER_SENSE. */
	if (c->status == MMC_STATUS_GOOD && c->sense_len > 0 &&
	    (h.driver_status & 0x0F) == DRV_SENSE)
		c->status = MMC_STATUS_CHECK;
	c->resid = h.resid > 0 && (uint32_t)h.resid <= h.dxfer_len
			   ? (uint32_t)h.resid : 0;
	c->duration_ms = h.duration;
	return 0;
}

static void sg_destroy(struct mmc_transport *t)
{
	struct sg_ctx *x = t->ctx;

	if (x && x->fd >= 0)
		close(x->fd);
	if (x && x->sibling_fd >= 0)
		close(x->sibling_fd);
	free(x);
	free(t);
}

static const struct mmc_transport_ops sg_ops = {
	.name = "sg",
	.exec = sg_exec,
	.destroy = sg_destroy,
};

static void nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Opens path as burners do; EBUSY (a udev probe, a mount) is retried a few
 * times.  When the node is not writable for us, a read-only open (without
 * O_EXCL, which sg refuses read-only) still lets queries work; writing
 * commands are then refused by the kernel with a clear error. */
static int open_excl(const char *path, discfs_error *err)
{
	int fd = -1, e = 0;

	for (int i = 0; i < OPEN_TRIES; i++) {
		fd = open(path, O_RDWR | O_NONBLOCK | O_EXCL | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		e = errno;
		if (e != EBUSY && e != EAGAIN)
			break;
		if (i + 1 < OPEN_TRIES)
			nap_ms(OPEN_RETRY_MS);
	}
	if (e == EACCES || e == EROFS || e == EPERM) {
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		return dfs_fail_errno(err, DISCFS_EIO, e,
				      "cannot open %s", path);
	}
	if (e == EBUSY || e == EAGAIN)
		return dfs_fail_errno(err, DISCFS_EBUSY, e,
				      "%s is in use (mounted or opened by another burner)",
				      path);
	return sg_errno(e, path, err);
}

/* Holds the sr/sg twin of path exclusively as well (as libburn does), so
 * that no other burner reaches the drive through the other node; -1 when
 * there is none or it cannot be opened, -code when it is busy. */
static int hold_sibling(const char *path, discfs_error *err)
{
	char twin[64];
	int fd;

	if (mmc_sg_sibling(MMC_SYSFS_ROOT, path, twin, sizeof(twin), NULL))
		return -1;
	fd = open(twin, O_RDWR | O_NONBLOCK | O_EXCL | O_CLOEXEC);
	if (fd < 0 && (errno == EBUSY || errno == EAGAIN))
		return dfs_fail_errno(err, DISCFS_EBUSY, errno,
				      "%s is in use through %s", path, twin);
	return fd < 0 ? -1 : fd;
}

/*
 * The most one command may carry through this adapter: the request
 * queue's limit, from BLKSECTGET, which sg answers in bytes and a block
 * device (/dev/srN, also SG_IO-capable) in 512-byte sectors (both seen on
 * Linux 6.1: 1310720 and 2560 for the same drive).  A USB bridge may
 * allow as little as 64 KiB.  0 when it cannot say.
 */
static uint32_t max_transfer(int fd)
{
	struct stat st;
	int v = 0;
	if (fstat(fd, &st) < 0 || ioctl(fd, BLKSECTGET, &v) < 0 || v <= 0)
		return 0;
	if (S_ISBLK(st.st_mode))
		return v > (int)(UINT32_MAX / 512) ? UINT32_MAX : (uint32_t)v * 512;
	return (uint32_t)v;
}

int mmc_sg_open(const char *path, struct mmc_transport **out,
		discfs_error *err)
{
	struct mmc_transport *t;
	struct sg_ctx *x;
	int fd, twin, version;

	*out = NULL;
	fd = open_excl(path, err);
	if (fd < 0)
		return fd;
	if (ioctl(fd, SG_GET_VERSION_NUM, &version) < 0) {
		close(fd);
		return dfs_fail(err, DISCFS_ENODEV,
				"%s is not a SCSI device (no SG_IO)", path);
	}
	twin = hold_sibling(path, err);
	if (twin < -1) {
		close(fd);
		return twin;
	}
	t = calloc(1, sizeof(*t));
	x = calloc(1, sizeof(*x));
	if (!t || !x) {
		free(t);
		free(x);
		close(fd);
		if (twin >= 0)
			close(twin);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	x->fd = fd;
	x->sibling_fd = twin;
	t->max_xfer = max_transfer(fd);
	t->ops = &sg_ops;
	t->ctx = x;
	snprintf(t->path, sizeof(t->path), "%s", path);
	*out = t;
	return 0;
}

/* ------------------------------------------------------------ sysfs */

/* The first entry of dir whose name starts with prefix (not . or ..). */
static int first_entry(const char *dir, const char *prefix, char *out,
		       size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		if (strlen(e->d_name) < n) {
			strcpy(out, e->d_name);
			found = 1;
		}
		break;
	}
	closedir(d);
	return found;
}

/* A device name is "sr" or "sg" followed by digits, nothing else: names
 * go into paths, so "../" must not get through. */
static bool valid_name(const char *name, const char *prefix)
{
	size_t i;

	if (strncmp(name, prefix, 2) || !name[2])
		return false;
	for (i = 2; name[i]; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return i < 16;
}

int mmc_sg_sr_to_sg(const char *root, const char *sr, char *out, size_t n,
		    discfs_error *err)
{
	char dir[4096];

	if (!valid_name(sr, "sr"))
		return dfs_fail(err, DISCFS_EINVAL, "'%s' is not an sr device name",
				sr);
	snprintf(dir, sizeof(dir), "%s/block/%s/device/scsi_generic", root, sr);
	if (!first_entry(dir, "sg", out, n))
		return dfs_fail(err, DISCFS_ENOENT, "%s has no sg device", sr);
	return 0;
}

int mmc_sg_sg_to_sr(const char *root, const char *sg, char *out, size_t n,
		    discfs_error *err)
{
	char dir[4096];

	if (!valid_name(sg, "sg"))
		return dfs_fail(err, DISCFS_EINVAL, "'%s' is not an sg device name",
				sg);
	snprintf(dir, sizeof(dir), "%s/class/scsi_generic/%s/device/block",
		 root, sg);
	if (!first_entry(dir, "sr", out, n))
		return dfs_fail(err, DISCFS_ENOENT, "%s is not an optical drive",
				sg);
	return 0;
}

/* Reads a small sysfs attribute as trimmed text into out (n bytes). */
static void read_attr(const char *root, const char *sr, const char *attr,
		      char *out, size_t n)
{
	char path[4096];
	uint8_t raw[64];
	ssize_t got;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/block/%s/device/%s", root, sr, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	got = read(fd, raw, sizeof(raw));
	close(fd);
	if (got <= 0)
		return;
	while (got > 0 && (raw[got - 1] == '\n' || raw[got - 1] == ' '))
		got--;
	if ((size_t)got > n - 1)
		got = (ssize_t)(n - 1);
	parse_ascii(out, raw, (size_t)got);
}

int mmc_sg_sibling(const char *root, const char *dev, char *out, size_t n,
		   discfs_error *err)
{
	char real[PATH_MAX], twin[32];
	const char *base;
	int rc;

	/* /dev/cdrom and friends are symlinks to the real node. */
	if (!realpath(dev, real))
		snprintf(real, sizeof(real), "%s", dev);
	base = strrchr(real, '/');
	base = base ? base + 1 : real;
	if (!strncmp(base, "sr", 2))
		rc = mmc_sg_sr_to_sg(root, base, twin, sizeof(twin), err);
	else if (!strncmp(base, "sg", 2))
		rc = mmc_sg_sg_to_sr(root, base, twin, sizeof(twin), err);
	else
		return dfs_fail(err, DISCFS_ENOENT, "%s is neither srN nor sgN",
				dev);
	if (rc)
		return rc;
	if ((size_t)snprintf(out, n, "/dev/%s", twin) >= n)
		return dfs_fail(err, DISCFS_EINVAL, "device name too long");
	return 0;
}

static int by_number(const void *a, const void *b)
{
	long x = strtol(((const struct mmc_sg_dev *)a)->sr + 2, NULL, 10);
	long y = strtol(((const struct mmc_sg_dev *)b)->sr + 2, NULL, 10);

	return (x > y) - (x < y);
}

int mmc_sg_list(const char *root, struct mmc_sg_dev *out, size_t max,
		size_t *count, discfs_error *err)
{
	char dir[4096];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	*count = 0;
	snprintf(dir, sizeof(dir), "%s/block", root);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!valid_name(e->d_name, "sr"))
			continue;
		if (n < max) {
			struct mmc_sg_dev *v = &out[n];
			memset(v, 0, sizeof(*v));
			/* valid_name() bounds it below 16 bytes */
			memcpy(v->sr, e->d_name, strlen(e->d_name) + 1);
			if (mmc_sg_sr_to_sg(root, v->sr, v->sg, sizeof(v->sg),
					    NULL))
				v->sg[0] = '\0';
			read_attr(root, v->sr, "vendor", v->vendor,
				  sizeof(v->vendor));
			read_attr(root, v->sr, "model", v->model,
				  sizeof(v->model));
			read_attr(root, v->sr, "rev", v->revision,
				  sizeof(v->revision));
		}
		n++;
	}
	closedir(d);
	qsort(out, n < max ? n : max, sizeof(*out), by_number);
	*count = n;
	(void)err;
	return 0;
}
