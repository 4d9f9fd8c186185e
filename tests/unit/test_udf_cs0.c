/* tests/unit/test_udf_cs0.c - OSTA CS0 names and dstrings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "udf/cs0.h"

static void latin1_names_use_8_bit_form(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t n;
	assert_int_equal(udf_cs0_encode("caf\xc3\xa9", 5, out, sizeof out, false, &n, NULL), 0);
	assert_int_equal(n, 5);
	const uint8_t want[] = { 8, 'c', 'a', 'f', 0xE9 };
	assert_memory_equal(out, want, 5);
	char back[64];
	size_t bl;
	assert_int_equal(udf_cs0_decode(out, n, back, sizeof back, &bl, NULL), 0);
	assert_string_equal(back, "caf\xc3\xa9");
	assert_int_equal(bl, 5);
}

static void bmp_names_use_16_bit_big_endian(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t n;
	/* "aЖ" : U+0061 U+0416 */
	assert_int_equal(udf_cs0_encode("a\xd0\x96", 3, out, sizeof out, false, &n, NULL), 0);
	const uint8_t want[] = { 16, 0x00, 0x61, 0x04, 0x16 };
	assert_int_equal(n, sizeof want);
	assert_memory_equal(out, want, sizeof want);
}

static void non_bmp_characters_become_surrogate_pairs_and_back(void **state)
{
	(void)state;
	const char *s = "x\xf0\x9f\x98\x80"; /* x U+1F600 */
	uint8_t out[64];
	size_t n;
	assert_int_equal(udf_cs0_encode(s, strlen(s), out, sizeof out, false, &n, NULL), 0);
	const uint8_t want[] = { 16, 0x00, 'x', 0xD8, 0x3D, 0xDE, 0x00 };
	assert_int_equal(n, sizeof want);
	assert_memory_equal(out, want, sizeof want);
	char back[64];
	assert_int_equal(udf_cs0_decode(out, n, back, sizeof back, NULL, NULL), 0);
	assert_string_equal(back, s);
}

static void bad_utf8_and_forbidden_characters_are_rejected(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t n;
	discfs_error e = { 0 };
	const char *bad[] = { "\xc3", "\xc0\x80", "\xed\xa0\x80", "\xff",
			      "\xef\xbb\xbf" /* U+FEFF */, "\xf4\x90\x80\x80" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(udf_cs0_encode(bad[i], strlen(bad[i]), out, sizeof out,
						false, &n, &e), -DISCFS_EINVAL);
	assert_int_equal(udf_cs0_encode("a\0b", 3, out, sizeof out, false, &n, &e),
			 -DISCFS_EINVAL);
}

static void too_long_fails_or_truncates_on_a_character_boundary(void **state)
{
	(void)state;
	uint8_t out[8];
	size_t n;
	discfs_error e = { 0 };
	assert_int_equal(udf_cs0_encode("abcdefghij", 10, out, sizeof out, false, &n, &e),
			 -DISCFS_EINVAL);
	assert_int_equal(udf_cs0_encode("abcdefghij", 10, out, sizeof out, true, &n, &e), 0);
	assert_int_equal(n, 8);
	/* 16-bit: 1 + 2 + 4 would be 7 > 6: the pair is dropped whole */
	const char *s = "\xd0\x96\xf0\x9f\x98\x80";
	assert_int_equal(udf_cs0_encode(s, strlen(s), out, 6, true, &n, &e), 0);
	assert_int_equal(n, 3);
}

static void hostile_cs0_is_rejected(void **state)
{
	(void)state;
	char back[64];
	discfs_error e = { 0 };
	const uint8_t bad_id[] = { 7, 'a' };
	const uint8_t odd[] = { 16, 0, 'a', 0 };
	const uint8_t lone_low[] = { 16, 0xDC, 0x00 };
	const uint8_t lone_high[] = { 16, 0xD8, 0x3D, 0x00, 'a' };
	const uint8_t high_at_end[] = { 16, 0xD8, 0x3D };
	const uint8_t nul[] = { 8, 'a', 0 };
	assert_int_equal(udf_cs0_decode(bad_id, 2, back, 64, NULL, &e), -DISCFS_EFORMAT);
	assert_int_equal(udf_cs0_decode(odd, 4, back, 64, NULL, &e), -DISCFS_EFORMAT);
	assert_int_equal(udf_cs0_decode(lone_low, 3, back, 64, NULL, &e), -DISCFS_EFORMAT);
	assert_int_equal(udf_cs0_decode(lone_high, 5, back, 64, NULL, &e), -DISCFS_EFORMAT);
	assert_int_equal(udf_cs0_decode(high_at_end, 3, back, 64, NULL, &e), -DISCFS_EFORMAT);
	assert_int_equal(udf_cs0_decode(nul, 3, back, 64, NULL, &e), -DISCFS_EFORMAT);
	/* output buffer too small is an error, never an overflow */
	const uint8_t ok[] = { 8, 0xE9, 0xE9, 0xE9 };
	assert_int_equal(udf_cs0_decode(ok, 4, back, 6, NULL, &e), -DISCFS_EINVAL);
	assert_int_equal(udf_cs0_decode(ok, 4, back, 7, NULL, &e), 0);
	/* deleted-name IDs decode like 8/16 */
	const uint8_t del[] = { 254, 'q' };
	assert_int_equal(udf_cs0_decode(del, 2, back, 64, NULL, &e), 0);
	assert_string_equal(back, "q");
}

static void every_255_byte_name_round_trips(void **state)
{
	(void)state;
	/* 127 CJK characters = 1 + 254 bytes: the longest 16-bit FID name */
	char name[127 * 3 + 1];
	for (int i = 0; i < 127; i++)
		memcpy(name + 3 * i, "\xe6\xbc\xa2", 3);
	name[127 * 3] = 0;
	uint8_t out[255];
	size_t n;
	assert_int_equal(udf_cs0_encode(name, strlen(name), out, 255, false, &n, NULL), 0);
	assert_int_equal(n, 255);
	char back[127 * 3 + 1];
	assert_int_equal(udf_cs0_decode(out, n, back, sizeof back, NULL, NULL), 0);
	assert_string_equal(back, name);
}

static void dstring_records_its_length_in_the_last_byte(void **state)
{
	(void)state;
	uint8_t f[32];
	char back[128];
	assert_int_equal(udf_dstring_put(f, sizeof f, "LABEL", NULL), 0);
	assert_int_equal(f[0], 8);
	assert_int_equal(f[31], 6);
	assert_int_equal(f[6], 0);
	assert_int_equal(udf_dstring_get(f, sizeof f, back, sizeof back, NULL), 0);
	assert_string_equal(back, "LABEL");
	assert_int_equal(udf_dstring_put(f, sizeof f, "", NULL), 0);
	for (size_t i = 0; i < sizeof f; i++)
		assert_int_equal(f[i], 0);
	/* too long: truncated to 31 bytes */
	assert_int_equal(udf_dstring_put(f, sizeof f, "0123456789012345678901234567890123456789", NULL), 0);
	assert_int_equal(f[31], 31);
	/* hostile length byte */
	f[31] = 40;
	discfs_error e = { 0 };
	assert_int_equal(udf_dstring_get(f, sizeof f, back, sizeof back, &e), -DISCFS_EFORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(latin1_names_use_8_bit_form),
		cmocka_unit_test(bmp_names_use_16_bit_big_endian),
		cmocka_unit_test(non_bmp_characters_become_surrogate_pairs_and_back),
		cmocka_unit_test(bad_utf8_and_forbidden_characters_are_rejected),
		cmocka_unit_test(too_long_fails_or_truncates_on_a_character_boundary),
		cmocka_unit_test(hostile_cs0_is_rejected),
		cmocka_unit_test(every_255_byte_name_round_trips),
		cmocka_unit_test(dstring_records_its_length_in_the_last_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
