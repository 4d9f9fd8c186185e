/*
 * tests/unit/test_safe_name.c - the reversible safe-name scheme of
 * udf/safe_name.h: round trips, no collisions, ordinary names untouched,
 * overlong names cut and hashed, the write-side checks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "udf/safe_name.h"

static size_t enc(const char *x, size_t len, char *out, bool *cut)
{
	size_t n = 0;
	discfs_error e = { 0 };
	assert_int_equal(udf_safe_name_encode(x, len, out, 256, &n, cut, &e), 0);
	assert_true(n <= UDF_SAFE_NAME_MAX);
	assert_int_equal(strlen(out), n);
	assert_null(memchr(out, '/', n));
	return n;
}

/* encode then decode gives x back, and the safe name is canonical. */
static void round_trip(const char *x, size_t len)
{
	char s[256], back[1024], again[256];
	bool cut;
	size_t n = enc(x, len, s, &cut), bl = 0;
	discfs_error e = { 0 };
	assert_false(cut);
	assert_string_not_equal(s, "");
	assert_string_not_equal(s, ".");
	assert_string_not_equal(s, "..");
	assert_int_equal(udf_safe_name_decode(s, n, back, sizeof(back), &bl, &e), 0);
	assert_int_equal(bl, len);
	assert_memory_equal(back, x, len);
	assert_int_equal(enc(back, bl, again, NULL), n);
	assert_string_equal(again, s);
}

static void expect_enc(const char *x, size_t len, const char *want)
{
	char s[256];
	enc(x, len, s, NULL);
	assert_string_equal(s, want);
	round_trip(x, len);
}

static void ordinary_names_are_unchanged(void **st)
{
	(void)st;
	const char *names[] = { "a", "readme.txt", "...", ".hidden", "a..b",
				"100%", "a%20b", "%2f", "%41", "%", "%%", "%2",
				"%25", "a%2E", "%2E.", ".%2E", "%2E%2E%2E",
				"\xe6\x97\xa5\xe6\x9c\xac", "~%", "x%0",
				"50%~60%", "%~abc", "%~0123ABC", "%~0123abcd",
				"%~0123ABCDE" };
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		expect_enc(names[i], strlen(names[i]), names[i]);
}

static void unsafe_names_are_escaped(void **st)
{
	(void)st;
	expect_enc("", 0, "%~");
	expect_enc(".", 1, "%2E");
	expect_enc("..", 2, "%2E%2E");
	expect_enc("a/b", 3, "a%2Fb");
	expect_enc("/", 1, "%2F");
	expect_enc("a\0b", 3, "a%00b");
	expect_enc("a%2Fb", 5, "a%252Fb");
	expect_enc("%00", 3, "%2500");
	expect_enc("%~", 2, "%25~");
	expect_enc("%252F", 5, "%25252F");
	expect_enc("%2E", 3, "%252E");
	expect_enc("%2E%2E", 6, "%252E%252E");
	expect_enc("%252E", 5, "%25252E");
	expect_enc("%%2F", 4, "%%252F");
	expect_enc("a%~0123ABCD", 11, "a%25~0123ABCD");
	expect_enc("%25~", 4, "%2525~");
}

/* Every byte value at every position of a short name. */
static void every_byte_at_every_position_round_trips(void **st)
{
	(void)st;
	char x[6];
	for (int c = 0; c < 256; c++)
		for (size_t len = 1; len <= sizeof(x); len++)
			for (size_t pos = 0; pos < len; pos++) {
				memset(x, 'a', sizeof(x));
				x[pos] = (char)c;
				round_trip(x, len);
				memset(x, '%', sizeof(x));
				x[pos] = (char)c;
				round_trip(x, len);
			}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Random names from an alphabet rich in escape material: distinct
 * names never share a safe name, and each round-trips. */
static void distinct_short_names_never_collide(void **st)
{
	(void)st;
	static const char alpha[] = "%25F0E~/.\0a";
	enum { N = 20000 };
	char **safe = calloc(N, sizeof(*safe));
	char **orig = calloc(N, sizeof(*orig));
	size_t *olen = calloc(N, sizeof(*olen));
	assert_non_null(safe);
	assert_non_null(orig);
	assert_non_null(olen);
	srand(7);
	for (int i = 0; i < N; i++) {
		char x[32], s[256];
		size_t len = (size_t)(rand() % 10);
		for (size_t k = 0; k < len; k++)
			x[k] = alpha[rand() % (sizeof(alpha) - 1)];
		if (rand() % 4 == 0) { /* end in something like a cut mark */
			x[len++] = '~';
			for (int k = 0; k < 8; k++)
				x[len++] = "0123456789ABCDEF"[rand() % 16];
		}
		round_trip(x, len);
		enc(x, len, s, NULL);
		/* remember original and safe name, joined for the sort */
		orig[i] = malloc(len + 1);
		assert_non_null(orig[i]);
		memcpy(orig[i], x, len);
		olen[i] = len;
		safe[i] = malloc(strlen(s) + 2 + 2 * len + 1);
		assert_non_null(safe[i]);
		char *p = safe[i] + strlen(strcpy(safe[i], s));
		*p++ = '\x01';
		for (size_t k = 0; k < len; k++, p += 2)
			p[0] = (char)('A' + ((uint8_t)x[k] >> 4)),
			p[1] = (char)('A' + (x[k] & 15));
		*p = 0;
	}
	qsort(safe, N, sizeof(*safe), cmp_str);
	for (int i = 1; i < N; i++) {
		size_t a = strcspn(safe[i - 1], "\x01"), b = strcspn(safe[i], "\x01");
		if (a == b && !memcmp(safe[i - 1], safe[i], a))
			/* same safe name: must be the same original name */
			assert_string_equal(safe[i - 1] + a, safe[i] + b);
	}
	for (int i = 0; i < N; i++) {
		free(safe[i]);
		free(orig[i]);
	}
	free(safe);
	free(orig);
	free(olen);
}

static void overlong_names_are_cut_hashed_and_distinct(void **st)
{
	(void)st;
	char x[800], s1[256], s2[256], s3[256];
	bool cut;
	memset(x, 'q', sizeof(x));
	size_t n1 = enc(x, 300, s1, &cut);
	assert_true(cut);
	assert_true(n1 <= 255);
	assert_non_null(strstr(s1, "%~"));
	x[299] = 'r'; /* differs only after the kept prefix */
	enc(x, 300, s2, &cut);
	assert_true(cut);
	assert_string_not_equal(s1, s2);
	/* 254 '/' become 762 bytes: cut at an escape boundary */
	memset(x, '/', 254);
	size_t n3 = enc(x, 254, s3, &cut);
	assert_true(cut);
	assert_true(n3 <= 255);
	assert_int_equal((n3 - 10) % 3, 0);
	/* 127 three-byte characters: 381 bytes, cut at a character boundary */
	for (int i = 0; i < 127; i++)
		memcpy(x + 3 * i, "\xe6\x97\xa5", 3);
	size_t n4 = enc(x, 381, s3, &cut);
	assert_true(cut);
	assert_int_equal((n4 - 10) % 3, 0);
	/* exactly 255 safe bytes is not cut */
	memset(x, 'z', 255);
	assert_int_equal(enc(x, 255, s3, &cut), 255);
	assert_false(cut);
	/* a cut name does not decode */
	char back[1024];
	discfs_error e = { 0 };
	assert_int_equal(udf_safe_name_decode(s1, n1, back, sizeof(back), NULL, &e),
			 -DISCFS_EINVAL);
}

static void decode_refuses_small_buffers(void **st)
{
	(void)st;
	char out[4];
	discfs_error e = { 0 };
	assert_int_equal(udf_safe_name_decode("abcdef", 6, out, sizeof(out), NULL, &e),
			 -DISCFS_EINVAL);
	assert_int_equal(udf_safe_name_encode("a", 1, out, sizeof(out), NULL, NULL, &e),
			 -DISCFS_EINVAL);
}

static void cs0_names_with_nul_become_percent_00(void **st)
{
	(void)st;
	char s[256];
	discfs_error e = { 0 };
	const uint8_t n8[] = { 8, 'a', 0, 'b', 0 };
	assert_int_equal(udf_safe_name_from_cs0(n8, sizeof(n8), s, sizeof(s), &e), 0);
	assert_string_equal(s, "a%00b%00");
	const uint8_t n16[] = { 16, 0, '/', 0, 0, 0x65, 0xE5 };
	assert_int_equal(udf_safe_name_from_cs0(n16, sizeof(n16), s, sizeof(s), &e), 0);
	assert_string_equal(s, "%2F%00\xe6\x97\xa5");
	assert_int_equal(udf_safe_name_from_cs0(NULL, 0, s, sizeof(s), &e), 0);
	assert_string_equal(s, "%~");
	const uint8_t dot[] = { 8, '.' };
	assert_int_equal(udf_safe_name_from_cs0(dot, sizeof(dot), s, sizeof(s), &e), 0);
	assert_string_equal(s, "%2E");
	const uint8_t odd[] = { 16, 0, 'a', 0 };
	assert_int_equal(udf_safe_name_from_cs0(odd, sizeof(odd), s, sizeof(s), &e),
			 -DISCFS_EFORMAT);
	const uint8_t badid[] = { 9, 'a' };
	assert_int_equal(udf_safe_name_from_cs0(badid, sizeof(badid), s, sizeof(s), &e),
			 -DISCFS_EFORMAT);
	uint8_t wide[255] = { 16 }; /* 127 CJK characters: 381 bytes, cut */
	for (int i = 0; i < 127; i++)
		wide[1 + 2 * i] = 0x65, wide[2 + 2 * i] = 0xE5;
	assert_int_equal(udf_safe_name_from_cs0(wide, sizeof(wide), s, sizeof(s), &e), 0);
	assert_true(strlen(s) <= 255);
	assert_non_null(strstr(s, "%~"));
}

static int to_disc(const char *s, char *x, size_t *cl, discfs_error *e)
{
	uint8_t cs0[255];
	return udf_safe_name_to_disc(s, strlen(s), x, 1024, cs0, sizeof(cs0), cl, e);
}

static void writing_decodes_the_safe_name(void **st)
{
	(void)st;
	char x[1024];
	size_t cl = 0;
	discfs_error e = { 0 };
	assert_int_equal(to_disc("plain", x, &cl, &e), 0);
	assert_string_equal(x, "plain");
	assert_int_equal(cl, 6);
	assert_int_equal(to_disc("a%2Fb", x, &cl, &e), 0);
	assert_string_equal(x, "a/b");
	assert_int_equal(to_disc("100%", x, &cl, &e), 0);
	assert_string_equal(x, "100%");
	assert_int_equal(to_disc("a%252Fb", x, &cl, &e), 0);
	assert_string_equal(x, "a%2Fb");
	assert_int_equal(to_disc("%252E", x, &cl, &e), 0);
	assert_string_equal(x, "%2E");
}

static void writing_refuses_names_udf_cannot_record(void **st)
{
	(void)st;
	char x[1024], name[300];
	size_t cl = 0;
	const char *bad[] = { "%2E", "%2E%2E", "%~", "a%00b", "abc%~0123ABCD",
			      "%2E%252E", "\xff" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		discfs_error e = { 0 };
		assert_int_equal(to_disc(bad[i], x, &cl, &e), -DISCFS_EINVAL);
		assert_int_equal(e.sys_errno, EINVAL);
		assert_true(strlen(e.msg) > 0);
	}
	/* 250 letters and one CJK character: 253 bytes of UTF-8 but
	 * 1 + 2 * 251 bytes of 16-bit CS0 */
	memset(name, 'a', 250);
	memcpy(name + 250, "\xe6\x97\xa5", 4);
	discfs_error e = { 0 };
	assert_int_equal(to_disc(name, x, &cl, &e), -DISCFS_EINVAL);
	assert_int_equal(e.sys_errno, ENAMETOOLONG);
	/* 254 Latin-1 letters fit, 255 do not */
	memset(name, 'b', 255);
	name[254] = 0;
	assert_int_equal(to_disc(name, x, &cl, &e), 0);
	assert_int_equal(cl, 255);
	name[254] = 'b';
	name[255] = 0;
	assert_int_equal(to_disc(name, x, &cl, &e), -DISCFS_EINVAL);
	assert_int_equal(e.sys_errno, ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ordinary_names_are_unchanged),
		cmocka_unit_test(unsafe_names_are_escaped),
		cmocka_unit_test(every_byte_at_every_position_round_trips),
		cmocka_unit_test(distinct_short_names_never_collide),
		cmocka_unit_test(overlong_names_are_cut_hashed_and_distinct),
		cmocka_unit_test(decode_refuses_small_buffers),
		cmocka_unit_test(cs0_names_with_nul_become_percent_00),
		cmocka_unit_test(writing_decodes_the_safe_name),
		cmocka_unit_test(writing_refuses_names_udf_cannot_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
