/*
 * udf/iso9660.h - the ISO9660 side of a UDF bridge image (internal):
 * ECMA-119 volume descriptors, directory records and path tables, Joliet
 * (UCS-2/UTF-16 names in a supplementary tree), Rock Ridge (RRIP 1.12:
 * POSIX names, modes, owners, times, symlinks) and El Torito boot entries.
 * File data is shared with the UDF side: ISO directory records point at the
 * same sectors as the UDF allocation descriptors.
 *
 * Layout of the ISO area (a region inside the UDF partition, so UDF never
 * allocates over it): path tables (L, M; Joliet L, M), ISO directories,
 * Joliet directories, Rock Ridge continuation blocks, boot catalog.  The
 * whole area is built in memory when the image is planned.
 */
#ifndef DFS_UDF_ISO9660_H
#define DFS_UDF_ISO9660_H

#include <stddef.h>
#include <stdint.h>

#include "udf/mk.h"

/* Both-endian fields (ECMA-119 7.2.3 / 7.3.3). */
static inline void iso_both16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void iso_both32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
		p[7 - i] = (uint8_t)(v >> (8 * i));
	}
}

/* 7-byte directory record date of Unix time t at tz minutes. */
void iso_date7(uint8_t *p, int64_t t, int tz);

/* ---- iso_rr.c: Rock Ridge system use entries for one object. */
/* SUSP bytes describing ino (PX, TF, NM name, SL for symlinks) into out
 * (cap bytes); returns the length, or 0 if it does not fit. */
size_t iso_rr_entries(const struct udf_mk *mk, const struct mk_inode *ino,
		      const char *name, bool dot, uint8_t *out, size_t cap);
/* SP entry for the root's "." record (7 bytes). */
size_t iso_rr_sp(uint8_t *out);
/* ER entry identifying RRIP_1991A; returns its length. */
size_t iso_rr_er(uint8_t *out);
/* CE entry (28 bytes) pointing at a continuation area. */
size_t iso_rr_ce(uint8_t *out, uint32_t sector, uint32_t offset, uint32_t len);

/* ---- iso_boot.c: El Torito. */
/* Boot record volume descriptor pointing at the catalog. */
void iso_boot_record(uint8_t *blk, uint32_t catalog_sector);
/* Catalog: bios/efi = absolute sector and byte size of the images (0 = none). */
void iso_boot_catalog(uint8_t *blk, uint32_t bios_sector, uint64_t bios_size,
		      uint32_t efi_sector, uint64_t efi_size);

#endif
