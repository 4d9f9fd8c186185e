/*
 * udf/fsck.h - the UDF structure checker behind discfs_fsck() (internal).
 *
 * Order: bring-up through the reader (if it fails, that is the finding,
 * plus any damaged anchor), then anchors and both VDS copies, partitions
 * (sparing table copies, metadata main/mirror/bitmap files, domain), the
 * tree (every ICB, FID and extent from the root and the system stream
 * directory: tags, CRCs, FID locations, names, duplicates, loops, blocks
 * used twice, link counts), the VAT (entries inside the partition and
 * unique, entries nothing reaches, the VAT being the last recorded block),
 * space (bitmap against use, file entries nothing reaches, LVID counts,
 * free space and next unique ID).  Every finding goes through
 * fsck_report(); nothing is printed.  Memory: one bit per source block
 * (twice) plus the ICB set; the walk has the reader's bounds.
 *
 * Repairs (flag DISCFS_FSCK_REPAIR) are limited to writes that cannot lose
 * data: appending a copy of the last valid VAT ICB after the last recorded
 * block, rewriting LVID counts/free space from what was counted (only when
 * the tree walk found no errors), marking in-use blocks as used in the
 * space bitmap, marking deleted the stale second name of a directory
 * whose move was cut short (fsck_moved.c), and raising a link count
 * below the names of an entry (rewritable volumes).
 */
#ifndef DFS_UDF_FSCK_H
#define DFS_UDF_FSCK_H

#include "udf/read_int.h"

struct fsck_icbref {
	uint64_t key;        /* (part << 32 | lbn) + 1; 0 = empty slot */
	uint32_t refs;       /* FIDs naming it (parent FIDs included for dirs) */
	uint16_t nlink;      /* FE link count */
	bool dir;
	bool counted;        /* decoded and its blocks marked */
	bool stream;         /* a stream or stream directory: no link rules */
};

struct fsck {
	struct udf_vol *vol;           /* NULL when bring-up failed */
	unsigned flags;
	discfs_fsck_fn fn;
	void *user;
	discfs_fsck_result *res;
	uint64_t n_blocks;             /* source blocks */
	uint8_t *used;                 /* bit per absolute block: referenced */
	uint8_t *container;            /* metadata file extents (not double-checked) */
	unsigned dup_reports;
	unsigned tree_errors;
	struct fsck_icbref *icbs;      /* open-addressing hash set */
	size_t icb_cap, icb_n;
	uint64_t num_files, num_dirs;  /* by the LVID counting rules */
	uint64_t max_unique;
	uint64_t session;              /* first block of the volume's session */
};

/*
 * Checks the volume on src (which stays the caller's: it is handed back,
 * possibly with n_blocks grown by a repair).  Returns 0 when the volume
 * could be brought up, -1 when not (reported as a finding either way).
 */
int udf_fsck_src(struct udf_bsrc *src, unsigned flags, discfs_fsck_fn fn,
		 void *user, discfs_fsck_result *res);

/*
 * fsck_moved.c: when repairing, whether fid (in directory dir, shown at
 * path) is the stale name of a directory whose move was cut short - its
 * ".." points at another directory, which names it too - and, if so,
 * marks it deleted and reports the repair.  False: check it as usual.
 */
bool fsck_drop_stale_dir_name(struct fsck *f, const struct udf_inode *dir,
			      const struct udf_fid *fid, const char *path);
/* The same for a volume whose anchor is at session + 256 (a UDF session
 * added to a multi-session disc). */
int udf_fsck_src_at(struct udf_bsrc *src, uint64_t session, unsigned flags,
		    discfs_fsck_fn fn, void *user, discfs_fsck_result *res);

void fsck_report(struct fsck *f, int severity, const char *area,
		 bool repaired, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Marks count absolute blocks from abs as used by what (for messages). */
void fsck_mark(struct fsck *f, uint64_t abs, uint64_t count, const char *what);
/* Marks the blocks of extent e (logical, through the maps). */
void fsck_mark_ext(struct fsck *f, const struct udf_ext *e, const char *what);
bool fsck_is_used(const struct fsck *f, uint64_t abs);

/* The ICB hash set; NULL when out of memory. */
struct fsck_icbref *fsck_icb(struct fsck *f, struct udf_icb icb);

void fsck_check_anchors(struct fsck *f, struct udf_bsrc *src);
void fsck_check_vds(struct fsck *f, struct udf_bsrc *src);
void fsck_check_parts(struct fsck *f);
void fsck_check_tree(struct fsck *f);
void fsck_check_space(struct fsck *f);
/* fsck_metabm.c: the metadata bitmap file against the metadata blocks in
 * use (after the tree walk; repairs blocks in use marked free). */
void fsck_check_metabm(struct fsck *f);
void fsck_check_vat(struct fsck *f);

#endif
