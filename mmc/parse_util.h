/*
 * mmc/parse_util.h - length checks shared by the response parsers (private
 * to mmc/parse_*.c).  See parse.h for the contract they enforce.
 */
#ifndef DFS_MMC_PARSE_UTIL_H
#define DFS_MMC_PARSE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

/* Refuses len < need: "WHAT: N bytes, need at least M". */
int parse_need(const char *what, size_t len, size_t need, discfs_error *err);

/*
 * Checks a stated total length against what arrived and the fixed part:
 * stated > len is a truncated response, stated < min_total an inconsistent
 * one.  Returns 0 when len >= stated >= min_total.
 */
int parse_stated(const char *what, size_t len, size_t stated,
		 size_t min_total, discfs_error *err);

/* Copies an ASCII field of n bytes into out (n+1 bytes), dropping trailing
 * spaces/NULs and replacing unprintable bytes with '?'. */
void parse_ascii(char *out, const uint8_t *in, size_t n);

#endif
