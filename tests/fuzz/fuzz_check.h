/*
 * tests/fuzz/fuzz_check.h - what every harness asserts besides "no crash".
 *
 * FUZZ_CHECK(cond) aborts (libFuzzer records the input as a crash) when a
 * contract of the code under test is broken: e.g. a parser that fails must
 * return a negative discfs code and leave a one-line message; a count must
 * stay within its array.  Harnesses are not part of the library, so abort
 * is the right answer here.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discfs.h"

#define FUZZ_CHECK(cond)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: contract broken: %s\n",     \
				__FILE__, __LINE__, #cond);                 \
			abort();                                            \
		}                                                           \
	} while (0)

/* A failed call: negative code in range, err filled with a one-line text. */
static inline void fuzz_check_failure(int rc, const discfs_error *e)
{
	FUZZ_CHECK(rc < 0);
	FUZZ_CHECK(-rc == e->code);
	FUZZ_CHECK(e->msg[0] != '\0');
	FUZZ_CHECK(memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
	FUZZ_CHECK(strchr(e->msg, '\n') == NULL);
}

/* The result of a parser: 0, or -DISCFS_EPROTO with a message. */
static inline void fuzz_check_parse(int rc, const discfs_error *e)
{
	if (rc == 0)
		return;
	fuzz_check_failure(rc, e);
	FUZZ_CHECK(rc == -DISCFS_EPROTO);
}

/* p[0..n) lies inside buf[0..len) (pointers a parser hands back). */
static inline int fuzz_inside(const void *buf, size_t len, const void *p,
			      size_t n)
{
	const unsigned char *b = buf, *q = p;
	return q >= b && n <= len && (size_t)(q - b) <= len - n;
}

/* Reads every byte of p[0..n) so ASan sees a bad pointer at once. */
static inline unsigned fuzz_touch(const void *p, size_t n)
{
	const volatile unsigned char *q = p;
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s += q[i];
	return s;
}

#endif
