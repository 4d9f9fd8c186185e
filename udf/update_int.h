/*
 * udf/update_int.h - the incremental writer's internals, shared by
 * udf/update_*.c only.
 *
 * Model.  The staged tree is a partial copy of the disc's: a node per
 * name that was looked at (the directories on the paths touched, and
 * their entries).  A node either names a committed ICB (on_disc, icb) or
 * is new.  Directories list their entries only once loaded (kids_loaded);
 * an unloaded directory is never rewritten.  Flags say what a commit must
 * write: fe_dirty (a new file entry), dir_dirty (a new FID stream),
 * data_new (new content from the read callback or the symlink body).
 *
 * Files: update_tree.c (loading, path lookup, the staging operations),
 * update_fe.c (file entries and FID streams as bytes), update_stream.c
 * (writing a directory's stream, lending unchanged blocks), update_space.c
 * (block allocation: sequential at the NWA, or from the space bitmap),
 * update_vat.c (the VAT), update_commit.c (ordering of a commit),
 * update_format.c (empty volumes), update_open.c (open, recovery, close).
 */
#ifndef DFS_UDF_UPDATE_INT_H
#define DFS_UDF_UPDATE_INT_H

#include "udf/ecma167.h"
#include "udf/osta.h"
#include "udf/read_int.h"
#include "udf/update.h"

struct upd_node {
	char *name;                /* UTF-8; NULL for the root */
	uint8_t *cs0;              /* the FID name as recorded (CS0) */
	uint8_t cs0_len;
	struct upd_node *parent;
	struct upd_node *disc_parent; /* the directory naming it on the disc */
	struct upd_node **kids;    /* in FID order; NULL = a removed entry */
	size_t nkids, cap, nlive;
	size_t slot;               /* index in the parent's kids */
	struct upd_node **hash;    /* name index of kids (large directories) */
	size_t hcap, hused;
	bool kids_loaded;
	/* what the disc holds */
	bool on_disc;
	struct udf_icb icb;        /* committed ICB (VAT: virtual address) */
	uint8_t fid_chars;         /* FID characteristics besides dir/parent */
	uint32_t fid_uid;          /* UniqueID recorded in the FID */
	uint8_t ftype;             /* FT_DIR, or 0 = some non-directory */
	bool is_link;              /* new symlink */
	bool is_dev;               /* new block or character device: ... */
	uint32_t rdev[2];          /* ... its major and minor */
	/* staged */
	bool fe_dirty, dir_dirty, data_new;
	struct udf_update_attr attr; /* attributes to set (mask) */
	struct udf_xattr *xa;      /* attr.xattrs: the node's own copy */
	uint64_t size;             /* new content length */
	udf_update_read_fn fn;
	void *fn_ctx;
	uint8_t *body;             /* symlink body (data_new) */
	size_t body_len;
	uint64_t unique_id;        /* new objects */
	/* hard links: a name added by udf_update_link() records no entry of
	 * its own; its FID points at the entry of link_to (the owner), which
	 * is written once with its link count adjusted */
	struct upd_node *link_to;  /* added name: the owner (never an added name) */
	struct upd_node *aliases;  /* owner: its added names, chained ... */
	struct upd_node *alias_next; /* ... through this */
	int32_t link_delta;        /* owner: names added minus added names removed */
	/* commit scratch */
	uint32_t topo_wait;        /* plain: directories to write before it */
	bool topo_done;
	bool topo_interim;         /* plain: its interim version is written */
	int32_t fold;              /* other removed names of this entry */
	bool folded;               /* removed name counted by another node */
	uint32_t new_lbn;          /* FE block (physical partition) */
	bool icb_set;              /* new object: icb assigned by the commit */
	uint64_t stream_len;       /* new FID stream: its runs in data_* */
	uint32_t *data_lbn;        /* new content (or stream): one run per extent */
	uint32_t *data_len;
	uint32_t n_data;
	uint16_t nlink;            /* for the new FE */
	/* content runs beyond the entry's room: the chain of allocation
	 * extent blocks of the new entry (physical partition), written
	 * before it; owned by the commit, freed before it returns */
	uint32_t *aed_lbn;
	uint32_t n_aed;
};

/* update_read.c: drops the file udf_update_read_committed remembers
 * (before the volume is reloaded or closed). */
void upd_read_forget(struct udf_update *u);

/* update_tree.c: merges the attributes a sets into n's (xattrs copied). */
int upd_attr_merge(struct upd_node *n, const struct udf_update_attr *a,
		   discfs_error *err);

/* Blocks to give back once the new tree is reachable (plain layout). */
struct upd_freelist {
	uint32_t *lbn, *len;
	size_t n, cap;
};

struct udf_update {
	struct udf_bdev *bd;
	struct udf_vol *vol;
	struct udf_update_opts opts;
	int layout;                /* DISCFS_LAYOUT_VAT / _PLAIN */
	unsigned phys;             /* map index of the physical partition */
	int meta_map;              /* map index of the metadata partition, -1 */
	struct upd_meta *meta;     /* it, loaded (update_meta.c) */
	bool sparable;             /* it is a sparable map: spared packets
				    * are written where the table says */
	unsigned virt;             /* map index of the virtual one (VAT) */
	uint32_t part_start, part_len;
	uint16_t rev;              /* domain revision */
	uint16_t tag_version;
	uint16_t serial;
	bool efe;                  /* new ICBs are extended file entries */
	struct upd_node *root;
	struct upd_node **removed; /* detached committed nodes */
	size_t n_removed, cap_removed;
	bool pending;
	char *rd_path;             /* udf_update_read_committed: the file ... */
	struct udf_inode *rd_ino;  /* ... last looked up */
	uint64_t next_uid;
	int64_t num_files, num_dirs;
	/* VAT */
	uint32_t *vat;             /* working copy of the table */
	uint32_t vat_n, vat_cap;
	uint8_t *vat_dirty;        /* bit per VAT entry changed */
	uint32_t vat_icb_lbn;      /* VAT ICB in use (physical partition) */
	struct udf_ext *vat_ext;   /* its content extents (NULL: in the ICB) */
	uint32_t vat_n_ext;
	uint64_t vat_len;          /* its stream length */
	uint16_t vat_lhd;          /* its header length */
	bool vat150;               /* UDF 1.50 VAT: entries, then a trailer */
	/* plain */
	uint8_t *sbd_raw;          /* the space bitmap descriptor's blocks */
	uint8_t *bitmap;           /* its bits (1 = free), inside sbd_raw */
	uint8_t *bitmap_saved;     /* the bits before this commit (rollback) */
	uint32_t sbd_lbn, sbd_blocks;
	uint8_t *alloc_now;        /* bit per block allocated in this commit */
	uint32_t alloc_cursor;
	uint64_t seq_next;         /* write-once: next block to hand out (abs) */
	struct upd_freelist freed;
	/* largest extent of new file content in blocks (0: UPD_MAX_EXT_BLOCKS);
	 * internal, set smaller by unit tests to get AED chains cheaply */
	uint32_t max_ext_blocks;
	/* stats of the commit in progress */
	struct udf_update_stats st;
};

/* ---- update_tree.c */
void upd_node_free(struct upd_node *n);
/* Squeezes removed entries out of dir->kids (order kept). */
void upd_compact(struct upd_node *dir);
struct upd_node *upd_node_new(const char *name, discfs_error *err);
int upd_load_kids(struct udf_update *u, struct upd_node *dir,
		  discfs_error *err);
/* Resolves a path to its node (ENOENT when missing). */
int upd_lookup(struct udf_update *u, const char *path, struct upd_node **out,
	       discfs_error *err);
/* Splits path into its parent (resolved) and last component. */
int upd_lookup_parent(struct udf_update *u, const char *path,
		      struct upd_node **parent, const char **leaf,
		      size_t *leaf_len, discfs_error *err);

/* ---- update_fe.c */
/*
 * Builds the new file entry of n into blk (block size bytes): from old
 * (the committed entry's block, patched) or from scratch (old NULL).
 * Tag location loc.  Content ADs come from the runs n->data_lbn/len, of
 * n->size bytes (data_new) or n->stream_len bytes (dir_dirty); those that
 * do not fit continue in the AEDs at n->aed_lbn (see upd_aed_count).
 */
int upd_build_fe(struct udf_update *u, const struct upd_node *n,
		 const uint8_t *old, uint32_t loc, uint8_t *blk,
		 discfs_error *err);
/*
 * FID stream of directory dir: *out (malloc'd, block padded), *len bytes.
 * block_lbn[i] is where block i of the stream will be recorded (FID tag
 * locations); NULL entries count from block_lbn[0] when n_lbn is 1.
 */
int upd_build_stream(struct udf_update *u, struct upd_node *dir,
		     const uint32_t *block_lbn, size_t n_lbn, uint8_t **out,
		     uint64_t *len, discfs_error *err);
/*
 * Allocation extents of n's new content: how many AED blocks its entry
 * (built from old, or fresh when old is NULL) needs, 0 when the ADs fit
 * (or the content is unchanged); -DISCFS_ENOSPC past UDF_INODE_AED_KEEP.
 */
int upd_aed_count(struct udf_update *u, const struct upd_node *n,
		  const uint8_t *old, uint32_t *count, discfs_error *err);
/* Most extents any new entry can describe (an early bound for content
 * being allocated; upd_aed_count has the exact rule). */
size_t upd_max_extents(const struct udf_update *u);
/* The n->n_aed AED blocks (at n->aed_lbn) into blocks (n_aed * bs bytes). */
int upd_build_aeds(struct udf_update *u, const struct upd_node *n,
		   const uint8_t *old, uint8_t *blocks, discfs_error *err);
/* Size of the FID stream of dir as upd_build_stream will make it. */
uint64_t upd_stream_size(const struct upd_node *dir, uint32_t bs);
/* Permission field and ICB flags of a POSIX mode. */
uint32_t upd_perms(uint32_t mode, uint16_t *icb_flags);

/* ---- update_space.c */
/*
 * Allocates up to want blocks in one run (physical partition lbn): *got
 * receives how many (all of them when contig).  Write-once: the run
 * starts at the next writable block, and runs must be written in the
 * order they were allocated.
 */
int upd_alloc(struct udf_update *u, uint32_t want, bool contig, uint32_t *lbn,
	      uint32_t *got, discfs_error *err);
/* Writes count blocks at partition lbn (block device, counted in st). */
int upd_write(struct udf_update *u, uint32_t lbn, uint32_t count,
	      const void *buf, bool data, discfs_error *err);
/* The partition block recorded at absolute block abs (the inverse of the
 * partition's map: a spared packet's blocks are found in the table). */
uint32_t upd_lbn_of(const struct udf_update *u, uint64_t abs);
/* The first run of set bits (free blocks) in bits[0..n) at or after
 * from, wrapping once: want of them when contig, else at least one. */
bool upd_find_run(const uint8_t *bits, uint32_t n, uint32_t from, uint32_t want,
		  bool contig, uint32_t *start, uint32_t *len);
int upd_bitmap_load(struct udf_update *u, discfs_error *err);
int upd_bitmap_write(struct udf_update *u, discfs_error *err);
void upd_bitmap_set(struct udf_update *u, uint32_t lbn, uint32_t n, bool free);
int upd_free_push(struct upd_freelist *f, uint32_t lbn, uint32_t len,
		  discfs_error *err);
/* Appends a run of len blocks at lbn to n's new content runs (merging with
 * the last one when contiguous, up to the 1 GiB extent limit). */
#define UPD_MAX_EXT_BLOCKS (0x3FFFF800u / DISCFS_BLOCK_SIZE)
int upd_add_run(struct upd_node *n, uint32_t lbn, uint32_t len,
		discfs_error *err);
/* The same with extents of at most max blocks (len <= max). */
int upd_add_run_max(struct upd_node *n, uint32_t lbn, uint32_t len,
		    uint32_t max, discfs_error *err);
/* The largest extent of new file content on u, in blocks. */
uint32_t upd_max_ext_blocks(const struct udf_update *u);

/* ---- update_stream.c */
/* Writes directory d's new FID stream; its runs land in d->data_*. */
int upd_write_stream(struct udf_update *u, struct upd_node *d,
		     discfs_error *err);
void upd_commit_reset_space(struct udf_update *u);

/* ---- update_interim.c */
/*
 * In-place commits, a cycle of moves: records an interim version of
 * directory dir (on the disc) - its new children plus the objects in
 * keep, which it names on the disc and whose new directory is not yet
 * written, under their recorded names.  *old receives dir's committed
 * entry (its final version is written from it, so that the committed
 * stream's blocks are freed, not the interim's).  Returns 0; 1 when no
 * interim version was written (its descriptors would not fit its entry:
 * *old NULL, write the final version); negative on error.
 */
int upd_write_interim(struct udf_update *u, struct upd_node *dir,
		      struct upd_node *const *keep, size_t n_keep,
		      struct udf_inode **old, discfs_error *err);
uint64_t upd_bitmap_free_count(const struct udf_update *u);

/* ---- update_meta.c: the metadata partition (2.50+); each of these acts
 * on the physical partition instead when the volume has none.  "md"
 * blocks are those of file entries, AEDs and directory streams. */
int upd_meta_load(struct udf_update *u, unsigned map, discfs_error *err);
void upd_meta_free(struct udf_update *u);
int upd_alloc_md(struct udf_update *u, uint32_t want, bool contig, uint32_t *lbn,
		 uint32_t *got, discfs_error *err);
/* Writes md blocks (main file, then mirror). */
int upd_write_md(struct udf_update *u, uint32_t lbn, uint32_t count,
		 const void *buf, discfs_error *err);
/* Gives md blocks back once the new tree is in place. */
int upd_free_md(struct udf_update *u, uint32_t lbn, uint32_t len,
		discfs_error *err);
/* The md block recorded at absolute block abs (UINT32_MAX: none). */
uint32_t upd_md_lbn_of(const struct udf_update *u, uint64_t abs);
/* The map md blocks are addressed through. */
unsigned upd_meta_map(const struct udf_update *u);
/* Commit edges: save the bits, restore them after a failure, and at the
 * end give back the freed blocks and record the bitmap file. */
void upd_meta_begin(struct udf_update *u);
void upd_meta_rollback(struct udf_update *u);
int upd_meta_finish(struct udf_update *u, discfs_error *err);
/* Free metadata blocks and (*size) the metadata partition's length. */
uint32_t upd_meta_free_count(const struct udf_update *u, uint32_t *size);

/* ---- update_vat.c */
int upd_vat_load(struct udf_update *u, discfs_error *err);
/* A new virtual address for a new object. */
int upd_vat_new(struct udf_update *u, uint32_t *vaddr, discfs_error *err);
void upd_vat_set(struct udf_update *u, uint32_t vaddr, uint32_t lbn);
/* Writes changed VAT blocks and the VAT ICB (last block). */
int upd_vat_write(struct udf_update *u, discfs_error *err);
/* Appends a copy of the VAT ICB in use (recovery). */
int upd_vat_append_copy(struct udf_update *u, discfs_error *err);

/* ---- update_commit.c helpers used by others */
void upd_now(const struct udf_update *u, struct ecma_timestamp *ts);
/* Rewrites the LVID (plain layout) open or closed with current counts. */
int upd_lvid_write(struct udf_update *u, bool close, discfs_error *err);

#endif
