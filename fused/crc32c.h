/*
 * fused/crc32c.h - CRC-32C (Castagnoli), the checksum of staging journal
 * records.  Software, table-free per nibble: records are small, so speed
 * matters less than having no mutable tables.
 */
#ifndef DFS_FUSED_CRC32C_H
#define DFS_FUSED_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* stg_crc32c(0, p, n) checksums a buffer; pass a previous result to continue. */
uint32_t stg_crc32c(uint32_t crc, const void *p, size_t n);

#endif
