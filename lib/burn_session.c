/* lib/burn_session.c - see burn_session.h */
#include "lib/burn_session.h"

#include "mmc/drive_query.h"
#include "util/err.h"

uint64_t track_recorded(const discfs_track_info *t)
{
	if (t->blank)
		return 0;
	if (t->nwa_valid)
		return t->nwa > t->start ? t->nwa - t->start : 0;
	if (t->lra_valid && t->last_recorded >= t->start)
		return (uint64_t)t->last_recorded - t->start + 1;
	return t->size;
}

static int random_extent(const discfs_media_info *mi, struct extent *out,
			 discfs_error *err)
{
	out->start = 0;
	out->blocks = mi->capacity_blocks;
	if (!out->blocks)
		return dfs_fail(err, DISCFS_EMEDIUM, "the disc holds no data");
	return 0;
}

int last_session_extent(const discfs_media_info *mi, struct extent *out,
			discfs_error *err)
{
	unsigned session = 0;
	bool found = false;

	if (!mi->present)
		return dfs_fail(err, DISCFS_ENOMEDIUM, "no disc in the drive");
	if (mmc_profile_random_access(mi->profile))
		return random_extent(mi, out, err);
	for (size_t i = 0; i < mi->n_tracks; i++)
		if (track_recorded(&mi->tracks[i]))
			session = mi->tracks[i].session;
	for (size_t i = 0; i < mi->n_tracks; i++) {
		const discfs_track_info *t = &mi->tracks[i];
		uint64_t rec = track_recorded(t);
		if (t->session != session || !rec)
			continue;
		if (!found) {
			out->start = t->start;
			found = true;
		}
		out->blocks = t->start + rec - out->start;
	}
	if (!found)
		return dfs_fail(err, DISCFS_EMEDIUM,
				"the disc is blank: nothing recorded");
	return 0;
}

int disc_extent(const discfs_media_info *mi, struct extent *out,
		discfs_error *err)
{
	uint64_t end = 0;

	if (!mi->present)
		return dfs_fail(err, DISCFS_ENOMEDIUM, "no disc in the drive");
	if (mmc_profile_random_access(mi->profile))
		return random_extent(mi, out, err);
	for (size_t i = 0; i < mi->n_tracks; i++) {
		uint64_t rec = track_recorded(&mi->tracks[i]);
		if (rec && mi->tracks[i].start + rec > end)
			end = mi->tracks[i].start + rec;
	}
	if (!end)
		return dfs_fail(err, DISCFS_EMEDIUM,
				"the disc is blank: nothing recorded");
	out->start = 0;
	out->blocks = end;
	return 0;
}
