/* lib/info.c - drive and medium information (discfs.h). */
#include <stdlib.h>
#include <string.h>

#include "lib/drive_internal.h"
#include "mmc/drive_query.h"
#include "util/err.h"

int discfs_drive_info_get(discfs_drive *drive, discfs_drive_info *out,
			  discfs_error *err)
{
	if (!drive || !out)
		return dfs_fail(err, DISCFS_EINVAL,
				"discfs_drive_info_get: bad arguments");
	return mmc_query_drive(drive->t, out, err);
}

int discfs_media_info_get(discfs_drive *drive, discfs_media_info *out,
			  discfs_error *err)
{
	if (!drive || !out)
		return dfs_fail(err, DISCFS_EINVAL,
				"discfs_media_info_get: bad arguments");
	return mmc_query_media(drive->t, out, err);
}

void discfs_media_info_free(discfs_media_info *info)
{
	if (!info)
		return;
	free(info->tracks);
	info->tracks = NULL;
	info->n_tracks = 0;
}
