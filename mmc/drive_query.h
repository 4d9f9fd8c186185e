/*
 * mmc/drive_query.h - the drive and medium as the public API presents
 * them, assembled from MMC queries.
 *
 * mmc_query_drive():  INQUIRY (identity), GET CONFIGURATION RT=0 (every
 *   profile and feature, with the current flags), GET PERFORMANCE type 03h
 *   (write speeds; mode page 2Ah descriptors when the drive has none),
 *   READ BUFFER CAPACITY (buffer size; page 2Ah otherwise), page 2Ah and
 *   feature 0003h (eject/lock abilities, lock state).
 * mmc_query_media():  TEST UNIT READY (absent medium is not an error:
 *   present = false), GET CONFIGURATION (current profile), READ DISC
 *   INFORMATION, READ TRACK INFORMATION for every track, READ CAPACITY,
 *   READ FORMAT CAPACITIES on formattable media.
 *
 * Capacity accounting (blocks of 2048 bytes):
 *   free_blocks     sequential media: sum of free blocks of the tracks
 *                   still writable; random-access media: the capacity
 *                   (every block can be rewritten in place)
 *   used_blocks     sequential media: recorded blocks (NWA - start of open
 *                   tracks, size of closed ones); random-access media: 0,
 *                   since only the file system knows what it uses
 *   capacity_blocks sequential media: end of the last track (start + size,
 *                   the invisible track reaching to the end of the disc);
 *                   random-access media: the formatted size (maximum
 *                   formattable when unformatted)
 * Unit attentions pending at the start (power on, medium changed) are
 * consumed; a drive still becoming ready is waited for (up to 20 s).
 * out is fully written; media tracks are malloc'd (discfs_media_info_free).
 */
#ifndef DFS_MMC_DRIVE_QUERY_H
#define DFS_MMC_DRIVE_QUERY_H

#include "discfs.h"
#include "mmc/transport.h"

/* Track numbers a disc may have at most that we will list. */
#define MMC_QUERY_MAX_TRACKS 10000u

int mmc_query_drive(struct mmc_transport *t, discfs_drive_info *out,
		    discfs_error *err);
int mmc_query_media(struct mmc_transport *t, discfs_media_info *out,
		    discfs_error *err);

/* true for profiles written in place (DVD+RW, DVD-RW RO, DVD-RAM, BD-RE,
 * BD-R RRM), where "used" is not tracked by the drive. */
bool mmc_profile_random_access(uint16_t profile);

/* true when the medium is written in place: a random-access profile, or a
 * CD-RW formatted with fixed packets (FORMAT UNIT 10h: one fixed-packet
 * track; its profile stays 000Ah, and the drive calls it "complete"). */
bool mmc_media_random_access(const discfs_media_info *mi);

#endif
