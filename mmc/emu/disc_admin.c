/*
 * mmc/emu/disc_admin.c - discs as files, without a drive: create a blank
 * disc, summarise one, change its stored tray state, faults or time scale.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmc/emu/emu_int.h"
#include "util/err.h"

static int rom_capacity(const char *image, uint64_t *cap, discfs_error *err)
{
	struct stat st;
	if (stat(image, &st) < 0)
		return dfs_fail_errno(err, DISCFS_ENOENT, errno,
				      "%s: a ROM disc is made from an existing "
				      "image", image);
	if (!S_ISREG(st.st_mode) || st.st_size <= 0)
		return dfs_fail(err, DISCFS_EFORMAT,
				"%s: not a non-empty regular file", image);
	*cap = ((uint64_t)st.st_size + EMU_BLOCK - 1) / EMU_BLOCK;
	if (*cap > UINT32_MAX)
		return dfs_fail(err, DISCFS_EINVAL, "%s: image too large", image);
	return 0;
}

int emu_disc_create(const char *image, const char *media,
		    uint64_t capacity_blocks, discfs_error *err)
{
	char path[PATH_MAX + 8];
	const struct emu_media *m = emu_media_find(media);
	if (!m)
		return dfs_fail(err, DISCFS_EINVAL, "unknown medium '%s'",
				media ? media : "(null)");
	if (!image || strlen(image) >= PATH_MAX)
		return dfs_fail(err, DISCFS_EINVAL, "bad image path");
	int rc = emu_state_path(image, path, sizeof(path), err);
	if (rc)
		return rc;
	if (access(path, F_OK) == 0)
		return dfs_fail(err, DISCFS_EBUSY, "%s already exists", path);
	uint64_t cap = capacity_blocks ? capacity_blocks : m->capacity;
	if (m->flags & EMU_M_ROM) {
		rc = rom_capacity(image, &cap, err);
		if (rc)
			return rc;
	} else if (cap < EMU_MIN_CAPACITY || cap > m->capacity) {
		return dfs_fail(err, DISCFS_EINVAL,
				"capacity %llu blocks out of range for %s "
				"(%u..%llu)", (unsigned long long)cap, m->name,
				EMU_MIN_CAPACITY,
				(unsigned long long)m->capacity);
	}
	struct emu_disc disc;
	rc = emu_disc_init(&disc, m, cap, err);
	if (rc)
		return rc;
	strcpy(disc.image, image);
	if (!(m->flags & EMU_M_ROM))
		rc = emu_image_create(image, cap * EMU_BLOCK, err);
	if (!rc)
		rc = emu_state_save(&disc, err);
	emu_disc_free(&disc);
	return rc;
}

int emu_disc_summary(const char *image, struct emu_disc_summary *out,
		     discfs_error *err)
{
	struct emu_disc d;
	int rc = emu_state_load(image, &d, err);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	snprintf(out->media, sizeof(out->media), "%s", d.media->name);
	out->profile = d.profile;
	out->capacity_blocks = d.capacity;
	out->disc_status = emu_disc_status(&d);
	out->sessions = d.sessions_closed;
	out->tracks = d.n_tracks;
	out->used_blocks = emu_used_blocks(&d);
	out->formatted_blocks = d.formatted;
	out->tray_open = d.tray_open;
	out->time_scale = d.time_scale;
	out->faults = d.faults;
	out->quirks = d.quirks;
	emu_disc_free(&d);
	return 0;
}

int emu_disc_set(const char *image, const int *tray_open,
		 const struct emu_faults *faults, double time_scale,
		 discfs_error *err)
{
	struct emu_disc d;
	int rc = emu_state_load(image, &d, err);
	if (rc)
		return rc;
	if (tray_open)
		d.tray_open = *tray_open;
	if (faults) {
		d.faults = *faults;
		if (d.faults.n_unreadable > EMU_MAX_UNREADABLE)
			d.faults.n_unreadable = EMU_MAX_UNREADABLE;
	}
	if (time_scale >= 0)
		d.time_scale = time_scale;
	rc = emu_disc_validate(&d, err);
	if (!rc)
		rc = emu_state_save(&d, err);
	emu_disc_free(&d);
	return rc;
}

int emu_disc_set_quirks(const char *image, unsigned quirks,
			discfs_error *err)
{
	struct emu_disc d;
	if (quirks & ~EMU_Q_ALL)
		return dfs_fail(err, DISCFS_EINVAL, "unknown quirk bits 0x%x",
				quirks & ~EMU_Q_ALL);
	int rc = emu_state_load(image, &d, err);
	if (rc)
		return rc;
	d.quirks = quirks;
	rc = emu_state_save(&d, err);
	emu_disc_free(&d);
	return rc;
}
