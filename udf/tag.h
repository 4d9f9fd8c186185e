/*
 * udf/tag.h - ECMA-167 descriptor tags: CRC-ITU, checksum, make and verify.
 *
 * CRC: CRC-ITU-T (CCITT) polynomial 0x1021, initial value 0, MSB first, no
 * reflection, no final xor (check value of "123456789" is 0x31C3), computed
 * over the descriptor bytes after the 16-byte tag.
 * Checksum: 8-bit sum of tag bytes 0-3 and 5-15 (byte 4 is the checksum).
 * The checksum is always computed last, after location and CRC are set.
 */
#ifndef DFS_UDF_TAG_H
#define DFS_UDF_TAG_H

#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

uint16_t udf_crc_itu(const uint8_t *data, size_t len);

/* Checksum of the 16-byte tag at desc. */
uint8_t udf_tag_checksum(const uint8_t *desc);

/*
 * Fills the tag at the start of desc (a whole descriptor of desc_len bytes,
 * desc_len >= 16): ident, version, serial, location, CRC over
 * desc[16 .. desc_len) and checksum.
 */
void udf_tag_make(uint8_t *desc, size_t desc_len, uint16_t ident,
		  uint16_t version, uint16_t serial, uint32_t location);

/*
 * Checks the descriptor in buf (avail bytes readable): checksum, version 2
 * or 3, ident == want_ident (pass -1 to accept any), location == want_loc
 * (pass -1 to skip), CRC length fits in avail and the CRC matches.
 * Returns 0 or -DISCFS_EFORMAT with a message naming what is wrong.
 */
int udf_tag_verify(const uint8_t *buf, size_t avail, int want_ident,
		   int64_t want_loc, discfs_error *err);

#endif
