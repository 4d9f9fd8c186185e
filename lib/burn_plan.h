/*
 * lib/burn_plan.h - choosing how to burn a medium (mmc-notes §4).
 *
 * burn_plan_make() looks at the medium (discfs_media_info, plus READ
 * FORMAT CAPACITIES when a format is needed) and the options, and decides
 * where the data goes, in which units, which setup commands precede the
 * WRITEs and how the track/session/disc is closed afterwards.  It refuses,
 * before anything is written and with a one-line reason: no disc, a
 * write-protected or read-only disc, a finalized disc, a non-blank disc
 * when the mode needs a blank one (DAO/SAO, DVD-R DL), options the medium
 * cannot do (test write on DVD+R/BD/rewritables), and an image larger than
 * the free space.  It sends nothing except queries.
 */
#ifndef DFS_LIB_BURN_PLAN_H
#define DFS_LIB_BURN_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"
#include "mmc/parse.h"
#include "mmc/transport.h"
#include "uring/units.h"

struct burn_plan {
	uint16_t profile;
	bool sequential;         /* NWA-driven media (CD-R/RW, DVD±R, BD-R...) */
	bool appending;          /* a new session on an appendable disc */
	uint32_t start_lba;
	uint64_t free_blocks;    /* room from start_lba */
	struct dfs_write_units units;
	uint64_t min_blocks;     /* CD track minimum (300), else 0 */
	bool write12_streaming;  /* BD-RE, DVD-RAM: WRITE(12) streaming */
	/* setup */
	bool format_first;       /* DVD+RW / BD-RE never formatted */
	uint8_t format_params[12];
	bool use_page05;
	struct mmc_page_05 p05;
	bool reserve;            /* DVD-R DAO: RESERVE TRACK exact size */
	bool cue;                /* CD SAO: SEND CUE SHEET, pregap from -150 */
	uint32_t lead_blocks;    /* zeros before the data (CD SAO pregap) */
	/* end */
	uint16_t track;          /* track written (CLOSE TRACK) */
	bool close_track;
	int close_fn;            /* CLOSE function after the track, -1 none */
	bool dao;
};

/*
 * image_blocks: size of the data in blocks when known (size_known), used
 * for the free-space check and DAO reservations.
 */
int burn_plan_make(struct mmc_transport *t, const discfs_media_info *mi,
		   const discfs_burn_opts *o, uint64_t image_blocks,
		   bool size_known, struct burn_plan *out, discfs_error *err);

/* Blocks the burn will write for image_blocks (units, minimums, DAO),
 * not counting lead_blocks. */
uint64_t burn_plan_blocks(const struct burn_plan *p, uint64_t image_blocks);

/* The CD SAO cue sheet of one Mode 1 data track of track_blocks:
 * lead-in, pregap at 00:00:00, track at 00:02:00 (LBA 0), lead-out. */
#define BURN_CUE_LEN 32u
void burn_cue_sheet(uint8_t out[BURN_CUE_LEN], uint64_t track_blocks);

#endif
