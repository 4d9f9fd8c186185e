/*
 * fused/disc.h - the disc under a mount, as the daemon sees it: capacity,
 * free space, the identity of its committed state ("generation", which the
 * staging journal stacks on), and the committed tree (loader + reader for
 * the staging store).
 *
 * DEV is what discfs_open() accepts (/dev/srN, emu:PATH, an emulated disc
 * image), or "none": no disc at all, a staging-only mount for testing the
 * file-system layer (capacity from -o capacity=BYTES; commits fail).
 *
 * Blank discs show an empty folder.  A recorded disc is read through the
 * public UDF reader (discfs_volume_*): its whole tree of names and
 * attributes is loaded at mount (committed inode numbers are derived from
 * the file entries' locations, so they are the same at every mount), file
 * bytes are read on demand.  A disc with only ISO9660 is shown read-only
 * (read_only says why; the daemon mounts it "ro", so writes get EROFS)
 * unless -o import makes it writable (fused/commit_import.h); a
 * recorded disc with neither (damaged) is refused with the reader's message.
 *
 * A closed (finalized) write-once disc is opened as it is, with closed set
 * and no free space: nothing can be appended to it, so the daemon serves
 * it read-only.
 *
 * The drive is opened only while the disc is examined: the reader opens
 * its own source, and the commit writer opens the drive to burn.
 */
#ifndef DFS_FUSED_DISC_H
#define DFS_FUSED_DISC_H

#include <stdbool.h>

struct udf_update;
#include <stdint.h>

#include "discfs.h"
#include "fused/inomap.h"
#include "fused/staging.h"

struct dfs_disc_paths; /* disc_id -> path inside the volume */

struct dfs_disc {
	char dev[256];
	bool none;                  /* DEV "none" */
	uint16_t profile;
	bool blank;                 /* nothing recorded yet */
	bool unfinished;            /* holds only a cut-short first session */
	bool erasable;
	bool empty_volume;          /* a volume without files or subdirectories */
	bool repaired;              /* a commit cut short was put in order at open */
	bool closed;                /* finalized write-once disc: read-only */
	bool in_place;              /* written in place (rewritable), not appended */
	struct udf_update *committing; /* during a commit: reads go through it */
	bool iso_only;              /* ISO9660 without UDF (vol is the ISO tree) */
	bool import;                /* iso_only, writable: the first commit adds
				     * a UDF session (fused/commit_import.h) */
	const char *read_only;      /* why the disc is mounted read-only (NULL: it is not) */
	uint64_t capacity_bytes;    /* usable capacity of the medium */
	uint64_t free_bytes;        /* what a commit may still use */
	char generation[STG_GEN_MAX + 1];
	char desc[160];             /* "BD-R SRM, blank, 25025314816 bytes free" */
	uint32_t uid, gid;          /* owner for entries recorded without one */
	discfs_volume *vol;         /* recorded discs: the committed tree */
	struct dfs_disc_paths *paths;
	const struct dfs_inomap *map; /* numbers to give loaded entries */
	discfs_file *file;          /* last file read, kept open */
	uint64_t file_id;
};

/*
 * Opens DEV; capacity_none is used only for DEV "none".  staged_on is the
 * generation the existing staging journal stacks on (NULL if none): when
 * it says the disc was blank, and the disc now holds data that does not
 * read as a file system, a first-session commit was cut short (power
 * loss, a dead drive): the disc is then opened as it was, with nothing
 * committed (unfinished = true), so the staged changes stay visible.
 * Likewise an empty volume on a disc the journal saw blank keeps the
 * blank generation (a first commit cut short after laying it out).
 */
int dfs_disc_open(struct dfs_disc *d, const char *dev, uint64_t capacity_none,
		  const char *staged_on, discfs_error *err);
void dfs_disc_close(struct dfs_disc *d);

/* The name discfs_image_options.media uses for a profile, or NULL. */
const char *dfs_disc_media_name(uint16_t profile);

/* Loader and reader for the staging store (struct stg_params). */
int dfs_disc_load(void *ctx, struct stg_tree *tree, discfs_error *err);
int dfs_disc_read(void *ctx, uint64_t disc_id, uint64_t off, void *buf,
		  size_t len);

#endif
