/*
 * udf/ad_chain.h - laying out a file's allocation descriptors: as many as
 * fit in its (extended) file entry, the rest in a chain of Allocation
 * Extent Descriptors (ECMA-167 4/14.5, tag 258; UDF 2.3.11).
 *
 * Layout rules (what udf_ad_chain_build records):
 *   - n extents that fit the entry's AD area (icb_room / AD size slots)
 *     stay there and no AED is used;
 *   - otherwise the entry holds (slots - 1) extents and, in its last slot,
 *     an AD of extent type 3 (EXT_NEXT_AD) whose length is one block and
 *     which points at the first AED;
 *   - an AED is one block: tag, previous AED location (recorded 0, as
 *     UDF allows), L_AD, then ADs.  Every AED but the last holds
 *     (aed slots - 1) extents and a pointer to the next; the last holds
 *     the rest (up to all of its slots);
 *   - short_ads point into the ICB's own partition (pointers too); long_ads
 *     carry a partition reference, for extents and for AED pointers alike.
 * The caller obtains the AED blocks (udf_ad_chain_aeds says how many) and
 * gives each one's address as the pointing AD records it and its tag
 * location (the block's number in the partition it is addressed through).
 *
 * Errors: -DISCFS_EINVAL for a zero or oversized extent length, an AD area
 * that cannot hold even the pointer, or a wrong number of AED addresses.
 * No allocation; the caller owns every buffer.
 */
#ifndef DFS_UDF_AD_CHAIN_H
#define DFS_UDF_AD_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

enum udf_ad_kind { UDF_AD_SHORT = 8, UDF_AD_LONG = 16 }; /* = AD size */

/* One extent of content. */
struct udf_ad_ext {
	uint32_t len;   /* bytes, 1 .. ECMA_EXT_LEN_MASK */
	uint8_t type;   /* EXT_RECORDED, EXT_ALLOCATED or EXT_NOT_ALLOCATED */
	uint32_t lbn;
	uint16_t part;  /* long_ad: partition reference; short_ad: unused */
};

/* Where one AED block is. */
struct udf_aed_addr {
	uint32_t lbn;     /* as the pointing AD records it */
	uint16_t part;    /* long_ad: partition reference of the pointer */
	uint32_t tag_loc; /* the AED's tag location */
};

struct udf_ad_chain_fmt {
	enum udf_ad_kind kind;
	uint32_t bs;           /* logical block size (one AED) */
	size_t icb_room;       /* bytes available for ADs in the entry */
	uint16_t tag_version;  /* 2 (NSR02) or 3 (NSR03) */
	uint16_t tag_serial;
};

/* Number of AED blocks n extents need (0 when they fit in the entry);
 * UINT32_MAX when the entry cannot hold even the pointer. */
uint32_t udf_ad_chain_aeds(const struct udf_ad_chain_fmt *f, size_t n);

/*
 * Records ext[0..n) per the rules above: the entry's ADs at icb_ads
 * (icb_room bytes, zero-filled past *l_ad) and n_aed complete, tagged AED
 * blocks at aed_blocks (n_aed * bs bytes), the i-th at address aed[i].
 * n_aed must be udf_ad_chain_aeds(f, n).
 */
int udf_ad_chain_build(const struct udf_ad_chain_fmt *f,
		       const struct udf_ad_ext *ext, size_t n,
		       const struct udf_aed_addr *aed, uint32_t n_aed,
		       uint8_t *icb_ads, uint32_t *l_ad, uint8_t *aed_blocks,
		       discfs_error *err);

#endif
