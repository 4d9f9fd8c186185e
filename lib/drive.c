/* lib/drive.c - discfs_open/close and drive enumeration (discfs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/drive_internal.h"
#include "mmc/emu/emu.h"
#include "mmc/sg_linux.h"
#include "util/err.h"

#define MAX_SR 64

const char *discfs_dev_classify(const char *dev, bool *emulated)
{
	struct stat st;

	if (!strncmp(dev, "emu:", 4)) {
		*emulated = true;
		return dev + 4;
	}
	*emulated = stat(dev, &st) == 0 && S_ISREG(st.st_mode);
	return dev;
}

int discfs_open(const char *dev, discfs_drive **out, discfs_error *err)
{
	struct mmc_transport *t = NULL;
	discfs_drive *d;
	const char *path;
	bool emulated;
	int rc;

	if (!out)
		return dfs_fail(err, DISCFS_EINVAL, "discfs_open: no result pointer");
	*out = NULL;
	if (!dev || !*dev)
		return dfs_fail(err, DISCFS_EINVAL, "no drive given");
	if (strlen(dev) >= sizeof(d->path))
		return dfs_fail(err, DISCFS_EINVAL, "device path too long");
	path = discfs_dev_classify(dev, &emulated);
	if (emulated && !*path)
		return dfs_fail(err, DISCFS_EINVAL,
				"emu: needs the path of a disc image");
	if (emulated)
		rc = emu_transport_open(path, NULL, &t, err);
	else
		rc = mmc_sg_open(path, &t, err);
	if (rc)
		return rc;
	d = calloc(1, sizeof(*d));
	if (!d) {
		mmc_transport_destroy(t);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	d->t = t;
	d->emulated = emulated;
	memcpy(d->path, dev, strlen(dev) + 1);
	*out = d;
	return 0;
}

void discfs_close(discfs_drive *drive)
{
	if (!drive)
		return;
	mmc_transport_destroy(drive->t);
	free(drive);
}

struct mmc_transport *discfs_drive_transport(discfs_drive *drive)
{
	return drive ? drive->t : NULL;
}

const char *discfs_drive_path(const discfs_drive *drive)
{
	return drive ? drive->path : "";
}

int discfs_list_drives(discfs_drive_entry *out, size_t max, size_t *count,
		       discfs_error *err)
{
	struct mmc_sg_dev devs[MAX_SR];
	size_t n = 0;
	int rc;

	if (!count || (max && !out))
		return dfs_fail(err, DISCFS_EINVAL,
				"discfs_list_drives: bad arguments");
	*count = 0;
	rc = mmc_sg_list(MMC_SYSFS_ROOT, devs, MAX_SR, &n, err);
	if (rc)
		return rc;
	if (n > MAX_SR)
		n = MAX_SR;
	for (size_t i = 0; i < n && i < max; i++) {
		discfs_drive_entry *e = &out[i];
		memset(e, 0, sizeof(*e));
		snprintf(e->path, sizeof(e->path), "/dev/%.31s", devs[i].sr);
		memcpy(e->vendor, devs[i].vendor, sizeof(e->vendor));
		memcpy(e->model, devs[i].model, sizeof(e->model));
		memcpy(e->revision, devs[i].revision, sizeof(e->revision));
	}
	*count = n;
	return 0;
}
