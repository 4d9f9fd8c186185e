/*
 * udf/safe_name.h - names recorded on a disc <-> names Linux can show.
 *
 * A name recorded on a disc (UDF CS0, Joliet, Rock Ridge, ISO9660) is,
 * once decoded to UTF-8, a string of any bytes and any length: it may hold
 * '/' or NUL, be "", "." or "..", or be longer than Linux's NAME_MAX (255
 * bytes; 127 UTF-16 units of CJK are 381 bytes of UTF-8).  The readers
 * show every entry under its SAFE name, and the writers turn a safe name
 * back into the recorded one, by this reversible scheme:
 *
 *   recorded name x            safe name
 *   ---------------------------------------------------------------
 *   ""                         "%~"
 *   "."   ".."                 "%2E"  "%2E%2E"
 *   "%2E" "%252E" ... (one or  one more "25" after each '%':
 *   two units "%" (25)* "2E")  "%252E", "%25252E", "%252E%252E", ...
 *   any other name, bytewise:  '/' -> "%2F", NUL -> "%00", and a '%'
 *                              followed by (25)* then "2F", "00" or a
 *                              mark -> "%25"; every other byte unchanged
 *
 * A mark is "~" at the very end of the name, or "~" and 8 hex digits at
 * the very end (see overlong, below).  So a name without '/', NUL, "%2F",
 * "%00" or a '%' before a mark (also after "25"s), which is not "", "."
 * or "..", is shown unchanged: ordinary names (also URL-style ones like
 * "a%20b", "100%" or "50%~60") are never touched.  Hex digits are upper
 * case; "%2f" is an ordinary name.
 *
 * decode inverts encode exactly: decode(encode(x)) == x for every x whose
 * safe name is not cut (below), hence distinct recorded names always get
 * distinct safe names.  Every safe name s that is not a cut one is
 * canonical: encode(decode(s)) == s.
 *
 * Overlong: when the safe name would exceed 255 bytes it is cut after at
 * most 245 bytes (at a UTF-8 character and escape boundary) and "%~"
 * plus 8 upper-case hex digits of a 32-bit FNV-1a hash of the whole
 * recorded name are appended.  Such a name is unique in practice but
 * cannot be decoded by itself (decode fails EINVAL): readers resolve it by
 * listing the directory and comparing safe names, and the update engine
 * keeps the recorded bytes of entries it loaded from the disc, so they
 * are written back unchanged.
 *
 * Writing (udf_safe_name_to_disc): a name coming from Linux (discfs
 * create/rename) is DECODED and the result is recorded, so it reads back
 * under exactly the name the user gave ("a%2Fb" is recorded as "a/b",
 * which reads back as "a%2Fb").  Refused with DISCFS_EINVAL and
 * sys_errno EINVAL: cut names ("%~..."), names that decode to "", "." or
 * "..", or hold NUL, and names that are not canonical.  Refused with
 * DISCFS_EINVAL and sys_errno ENAMETOOLONG: names whose CS0 would exceed
 * 255 bytes (a UDF d-string: 254 Latin-1 characters, or 127 UTF-16 units
 * when any character is above U+00FF).
 *
 * No state; all buffers are the caller's.
 */
#ifndef DFS_UDF_SAFE_NAME_H
#define DFS_UDF_SAFE_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

#define UDF_SAFE_NAME_MAX 255u  /* bytes, Linux NAME_MAX */
#define UDF_SAFE_NAME_CUT 245u  /* prefix kept of an overlong name */

/*
 * Encodes the len bytes of name into the NUL-terminated safe name in out
 * (cap >= UDF_SAFE_NAME_MAX + 1 bytes, else EINVAL).  *out_len (may be
 * NULL) gets its length.  *cut (may be NULL) is set when the name was
 * overlong and carries the hash suffix.
 */
int udf_safe_name_encode(const char *name, size_t len, char *out, size_t cap,
			 size_t *out_len, bool *cut, discfs_error *err);

/*
 * Decodes the len bytes of safe name s into out (cap bytes; a NUL is
 * added after the *out_len bytes; the result may itself contain NUL).
 * Fails EINVAL for a cut name or when out is too small.
 */
int udf_safe_name_decode(const char *s, size_t len, char *out, size_t cap,
			 size_t *out_len, discfs_error *err);

/*
 * As udf_cs0_decode, but NUL characters are decoded as NUL bytes instead
 * of failing: out (cap bytes) gets *out_len bytes and a terminating NUL.
 */
int udf_cs0_decode_nul(const uint8_t *cs0, size_t len, char *out, size_t cap,
		       size_t *out_len, discfs_error *err);

/*
 * Decodes len bytes of CS0 with udf_cs0_decode_nul and encodes the result
 * into a safe name, as above.
 */
int udf_safe_name_from_cs0(const uint8_t *cs0, size_t len, char *out,
			   size_t cap, discfs_error *err);

/*
 * The recorded name for safe name s (len bytes), checked to be writable
 * as a UDF file identifier: the UTF-8 goes to out (cap bytes, NUL
 * terminated), its CS0 (ID byte included, at most 255 bytes) to cs0 when
 * cs0 is not NULL (cs0_cap bytes).  Errors as described above.
 */
int udf_safe_name_to_disc(const char *s, size_t len, char *out, size_t cap,
			  uint8_t *cs0, size_t cs0_cap, size_t *cs0_len,
			  discfs_error *err);

#endif
