/*
 * lib/emu_api.c - the public face of the emulated drive (include/discfs.h,
 * "emulated drives"): creating discs, naming media, inspecting a disc's
 * files, and arming its tray state, faults, time scale and quirk switches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discfs.h"
#include "mmc/emu/emu.h"
#include "util/err.h"

int discfs_emu_create(const char *path, const char *media,
		      uint64_t capacity_blocks, discfs_error *err)
{
	return emu_disc_create(path, media, capacity_blocks, err);
}

const char *const *discfs_emu_media_names(void)
{
	return emu_media_names();
}

static void faults_text(const struct emu_faults *f, char *out, size_t n)
{
	size_t len = 0;
	out[0] = 0;
#define ADD(...) do { \
	int k_ = snprintf(out + len, n - len, __VA_ARGS__); \
	if (k_ > 0 && (size_t)k_ < n - len) \
		len += (size_t)k_; \
} while (0)
	if (f->write_error)
		ADD("%swrite-error=%u", len ? " " : "", f->write_error_lba);
	for (unsigned i = 0; i < f->n_unreadable && i < EMU_MAX_UNREADABLE; i++)
		ADD("%sunreadable=%u-%u", len ? " " : "",
		    f->unreadable_first[i], f->unreadable_last[i]);
	if (f->power_loss_after >= 0)
		ADD("%spower-loss-after=%lld", len ? " " : "",
		    (long long)f->power_loss_after);
	if (f->vanish_after >= 0)
		ADD("%svanish-after=%lld", len ? " " : "",
		    (long long)f->vanish_after);
	if (f->never_ready)
		ADD("%snever-ready", len ? " " : "");
	if (f->media_change_after >= 0)
		ADD("%smedia-change-after=%lld", len ? " " : "",
		    (long long)f->media_change_after);
#undef ADD
}

int discfs_emu_info_get(const char *path, discfs_emu_info *out,
			discfs_error *err)
{
	struct emu_disc_summary s;
	int rc = emu_disc_summary(path, &s, err);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	memcpy(out->media, s.media, sizeof(out->media));
	out->profile = s.profile;
	out->capacity_blocks = s.capacity_blocks;
	out->disc_status = s.disc_status;
	out->sessions = s.sessions;
	out->tracks = s.tracks;
	out->used_blocks = s.used_blocks;
	out->formatted_blocks = s.formatted_blocks;
	out->tray_open = s.tray_open;
	out->time_scale = s.time_scale;
	faults_text(&s.faults, out->faults, sizeof(out->faults));
	/* the summary's bits were validated when the state file was read */
	return emu_quirks_format(s.quirks, out->quirks, sizeof(out->quirks),
				 err);
}

int discfs_emu_set_tray(const char *path, bool open, discfs_error *err)
{
	int v = open;
	return emu_disc_set(path, &v, NULL, -1, err);
}

static bool parse_u(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* Applies one spec to f; false if it is malformed. */
static bool apply_spec(struct emu_faults *f, const char *spec)
{
	const char *eq = strchr(spec, '=');
	const char *val = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - spec) : strlen(spec);
	uint64_t a, b;
#define KEY(k) (klen == strlen(k) && !strncmp(spec, k, klen))
	if (KEY("clear") && !val) {
		emu_faults_clear(f);
	} else if (KEY("never-ready") && !val) {
		f->never_ready = true;
	} else if (KEY("write-error") && parse_u(val, UINT32_MAX, &a)) {
		f->write_error = true;
		f->write_error_lba = (uint32_t)a;
	} else if (KEY("power-loss-after") && parse_u(val, INT64_MAX, &a)) {
		f->power_loss_after = (int64_t)a;
	} else if (KEY("vanish-after") && parse_u(val, INT64_MAX, &a)) {
		f->vanish_after = (int64_t)a;
	} else if (KEY("media-change-after") && parse_u(val, INT64_MAX, &a)) {
		f->media_change_after = (int64_t)a;
	} else if (KEY("unreadable") && val) {
		char first[24];
		const char *dash = strchr(val, '-');
		size_t n = dash ? (size_t)(dash - val) : strlen(val);
		if (n >= sizeof(first))
			return false;
		memcpy(first, val, n);
		first[n] = 0;
		if (!parse_u(first, UINT32_MAX, &a))
			return false;
		b = a;
		if (dash && !parse_u(dash + 1, UINT32_MAX, &b))
			return false;
		if (b < a || f->n_unreadable >= EMU_MAX_UNREADABLE)
			return false;
		f->unreadable_first[f->n_unreadable] = (uint32_t)a;
		f->unreadable_last[f->n_unreadable++] = (uint32_t)b;
	} else {
		return false;
	}
#undef KEY
	return true;
}

int discfs_emu_fault(const char *path, const char *spec, discfs_error *err)
{
	struct emu_disc_summary s;
	if (!spec)
		return dfs_fail(err, DISCFS_EINVAL, "no fault given");
	int rc = emu_disc_summary(path, &s, err);
	if (rc)
		return rc;
	if (!apply_spec(&s.faults, spec))
		return dfs_fail(err, DISCFS_EINVAL,
				"bad fault '%s' (write-error=LBA, unreadable=A[-B], "
				"power-loss-after=N, vanish-after=N, "
				"media-change-after=N, never-ready, clear)", spec);
	return emu_disc_set(path, NULL, &s.faults, -1, err);
}

int discfs_emu_set_time_scale(const char *path, double scale,
			      discfs_error *err)
{
	if (!(scale >= 0 && scale <= 1e6))
		return dfs_fail(err, DISCFS_EINVAL, "time scale %g out of range "
				"(0..1000000)", scale);
	return emu_disc_set(path, NULL, NULL, scale, err);
}

int discfs_emu_set_quirks(const char *path, const char *list,
			  discfs_error *err)
{
	unsigned q;
	int rc = emu_quirks_parse(list, &q, err);
	if (rc)
		return rc;
	return emu_disc_set_quirks(path, q, err);
}

const char *const *discfs_emu_quirk_names(void)
{
	return emu_quirk_names();
}
