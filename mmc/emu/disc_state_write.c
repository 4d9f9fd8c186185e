/*
 * mmc/emu/disc_state_write.c - writes IMAGE.state (format: disc_state.c)
 * atomically: IMAGE.state.tmp, fsync, rename, so a crash leaves either the
 * old or the new state, never half of one.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "mmc/emu/emu_int.h"
#include "util/err.h"

#define STATE_MAGIC "discfs-emu-state"

static void write_faults(FILE *f, const struct emu_faults *x)
{
	if (x->write_error)
		fprintf(f, "fault-write-error %u\n", x->write_error_lba);
	for (unsigned i = 0; i < x->n_unreadable; i++)
		fprintf(f, "fault-unreadable %u %u\n", x->unreadable_first[i],
			x->unreadable_last[i]);
	if (x->power_loss_after >= 0)
		fprintf(f, "fault-power-loss-after %lld\n",
			(long long)x->power_loss_after);
	if (x->vanish_after >= 0)
		fprintf(f, "fault-vanish-after %lld\n",
			(long long)x->vanish_after);
	if (x->never_ready)
		fprintf(f, "fault-never-ready\n");
	if (x->media_change_after >= 0)
		fprintf(f, "fault-media-change-after %lld\n",
			(long long)x->media_change_after);
}

static void write_body(FILE *f, const struct emu_disc *d)
{
	fprintf(f, STATE_MAGIC " 1\nmedia %s\nprofile 0x%04x\ncapacity %llu\n"
		   "formatted %llu\nbg-format %u\npow %d\nfinalized %d\n"
		   "minimal-blank %d\ntray %s\nsessions-closed %u\n"
		   "next-start %u\ntime-scale %.9g\n",
		d->media->name, d->profile, (unsigned long long)d->capacity,
		(unsigned long long)d->formatted, d->bg_format, d->pow,
		d->finalized, d->minimal_blanked,
		d->tray_open ? "open" : "closed", d->sessions_closed,
		d->next_start, d->time_scale);
	write_faults(f, &d->faults);
	if (d->quirks) {
		char q[256];
		if (emu_quirks_format(d->quirks, q, sizeof(q), NULL) == 0)
			fprintf(f, "quirks %s\n", q);
	}
	for (uint32_t i = 0; i < d->n_tracks; i++) {
		const struct emu_track *t = &d->tracks[i];
		fprintf(f, "track %u %u %u %u %u %u\n", t->session, t->start,
			t->size, t->written, t->flags, t->mode);
	}
	fprintf(f, "end\n");
}

int emu_state_save(const struct emu_disc *d, discfs_error *err)
{
	char path[PATH_MAX + 8], tmp[PATH_MAX + 16];
	int rc = emu_state_path(d->image, path, sizeof(path), err);
	if (rc)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "create %s", tmp);
	write_body(f, d);
	bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return dfs_fail_errno(err, DISCFS_EIO, e, "write %s", path);
	}
	return 0;
}
