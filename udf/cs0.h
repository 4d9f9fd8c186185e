/*
 * udf/cs0.h - OSTA Compressed Unicode (CS0) <-> UTF-8, and dstrings.
 *
 * CS0 byte 0 is the compression ID: 8 = one byte per character
 * (U+0000..U+00FF), 16 = big-endian UTF-16 code units; characters outside
 * the BMP are written as surrogate pairs.  254/255 are 8/16 in a deleted
 * FID (UDF 2.01+) and are decoded like 8/16.  An empty name has no ID byte.
 *
 * Encoding picks ID 8 when every character fits in a byte, else 16.
 * Rejected on encode: invalid or overlong UTF-8, surrogate code points,
 * NUL, U+FEFF and U+FFFE (UDF 2.1.1).  Rejected on decode: unknown ID, odd
 * length for ID 16, unpaired or misordered surrogates, NUL.
 * Errors are -DISCFS_EINVAL (bad caller input, or too long for the room
 * given) or -DISCFS_EFORMAT (bad on-disc CS0).
 */
#ifndef DFS_UDF_CS0_H
#define DFS_UDF_CS0_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

#define UDF_CS0_ID8 8
#define UDF_CS0_ID16 16
#define UDF_CS0_ID8_DELETED 254
#define UDF_CS0_ID16_DELETED 255

/*
 * Encodes len bytes of UTF-8 into out (cap bytes).  *out_len receives the
 * CS0 length including the ID byte (0 for an empty string).  When the
 * result does not fit: with truncate, stops at the last whole character
 * that fits (never splitting a surrogate pair); without, fails EINVAL.
 */
int udf_cs0_encode(const char *utf8, size_t len, uint8_t *out, size_t cap,
		   bool truncate, size_t *out_len, discfs_error *err);

/*
 * Decodes len bytes of CS0 into NUL-terminated UTF-8 in out (cap bytes,
 * including the NUL).  *out_len (may be NULL) gets the UTF-8 length.
 * Worst case output is 3 bytes per CS0 byte + 1.
 */
int udf_cs0_decode(const uint8_t *cs0, size_t len, char *out, size_t cap,
		   size_t *out_len, discfs_error *err);

/*
 * dstring: a fixed field of size bytes whose last byte is the number of
 * used bytes (ID byte included); unused bytes are zero; empty = all zero.
 * put truncates at a character boundary when the string is too long.
 */
int udf_dstring_put(uint8_t *field, size_t size, const char *utf8,
		    discfs_error *err);
int udf_dstring_get(const uint8_t *field, size_t size, char *out, size_t cap,
		    discfs_error *err);

#endif
