/*
 * tools/discctl/info_print.h - how `discctl info` shows a drive and its
 * medium: as text for people, as one JSON object for scripts.
 * media may be NULL when the medium could not be read.
 */
#ifndef DFS_DISCCTL_INFO_PRINT_H
#define DFS_DISCCTL_INFO_PRINT_H

#include "discfs.h"

void info_print_text(const char *dev, const discfs_drive_info *drive,
		     const discfs_media_info *media);
void info_print_json(const char *dev, const discfs_drive_info *drive,
		     const discfs_media_info *media);

/* "blank", "appendable", "complete", "random-access". */
const char *info_disc_status_name(int status);
/* "empty", "incomplete", "damaged", "complete". */
const char *info_session_state_name(int state);
/* "none", "suspended", "running", "complete". */
const char *info_bg_format_name(int state);

#endif
