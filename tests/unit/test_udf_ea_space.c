/*
 * tests/unit/test_udf_ea_space.c - a file entry's extended attribute
 * space (udf/ea_space.h): device numbers and Linux extended attributes go
 * in and come back out; what does not fit is refused when written; a
 * damaged space is refused when read, and other implementations' EAs are
 * skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "udf/ea_space.h"
#include "udf/ecma167.h"
#include "udf/tag.h"
#include "util/bytes.h"

struct seen {
	int n;
	char names[8][300];
	uint8_t values[8][1100];
	size_t value_len[8];
	int stop_at; /* return 7 when the n-th is seen (1-based), 0: never */
};

static int collect(void *ctx, const char *name, size_t name_len,
		   const uint8_t *value, size_t value_len)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	memcpy(s->names[s->n], name, name_len);
	s->names[s->n][name_len] = '\0';
	memcpy(s->values[s->n], value, value_len);
	s->value_len[s->n] = value_len;
	s->n++;
	return s->n == s->stop_at ? 7 : 0;
}

static size_t build(uint8_t *buf, const uint32_t *dev,
		    const struct udf_xattr *x, size_t n)
{
	discfs_error err = { 0 };
	size_t len = 0;

	assert_int_equal(udf_ea_space_build(buf, 2048, 3, 4711, dev, x, n,
					    &len, &err), 0);
	assert_int_equal(len, udf_ea_space_len(dev != NULL, x, n));
	return len;
}

static void xattrs_and_device_numbers_round_trip(void **state)
{
	static const uint8_t bin[] = { 0, 1, 2, 255, 0 };
	const struct udf_xattr x[] = {
		{ "user.xdg.origin.url", (const uint8_t *)"https://x", 9 },
		{ "user.empty", NULL, 0 },
		{ "security.capability", bin, sizeof(bin) },
	};
	const uint32_t dev[2] = { 8, 17 };
	uint8_t buf[2048];
	struct seen s = { 0 };
	struct udf_ea_found f = { .xattr = collect, .ctx = &s };
	discfs_error err = { 0 };
	size_t len;

	(void)state;
	len = build(buf, dev, x, 3);
	assert_int_equal(len % 4, 0);
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), 0);
	assert_true(f.has_device);
	assert_int_equal(f.major, 8);
	assert_int_equal(f.minor, 17);
	assert_int_equal(s.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(s.names[i], x[i].name);
		assert_int_equal(s.value_len[i], x[i].value_len);
		if (x[i].value_len)
			assert_memory_equal(s.values[i], x[i].value, x[i].value_len);
	}
}

static void the_header_is_a_tagged_descriptor_at_the_entrys_location(void **state)
{
	const struct udf_xattr x[] = { { "user.a", (const uint8_t *)"b", 1 } };
	uint8_t buf[2048];
	discfs_error err = { 0 };
	size_t len;

	(void)state;
	len = build(buf, NULL, x, 1);
	assert_int_equal(udf_tag_verify(buf, len, TAG_EAHD, 4711, &err), 0);
	/* no ECMA EAs: implementation use EAs start right after the header;
	 * no application EAs: they "start" at the end */
	assert_int_equal(get_le32(buf + 16), 24);
	assert_int_equal(get_le32(buf + 20), len);
	/* and read at another location, the tag does not match */
	assert_int_equal(udf_ea_space_parse(buf, len, 4712, &(struct udf_ea_found){ 0 },
					    &err), -DISCFS_EFORMAT);
}

static void nothing_to_record_takes_no_space(void **state)
{
	uint8_t buf[16];
	discfs_error err = { 0 };
	size_t len = 99;

	(void)state;
	assert_int_equal(udf_ea_space_len(false, NULL, 0), 0);
	assert_int_equal(udf_ea_space_build(buf, sizeof(buf), 3, 1, NULL, NULL, 0,
					    &len, &err), 0);
	assert_int_equal(len, 0);
	assert_int_equal(udf_ea_space_parse(buf, 0, 1, &(struct udf_ea_found){ 0 },
					    &err), 0);
}

static void what_does_not_fit_is_refused_not_cut(void **state)
{
	static uint8_t big[UDF_EA_SPACE_MAX];
	char long_name[300];
	struct udf_xattr x = { "user.big", big, sizeof(big) };
	uint8_t buf[4096];
	discfs_error err = { 0 };
	size_t len = 0;

	(void)state;
	assert_int_equal(udf_ea_space_build(buf, sizeof(buf), 3, 1, NULL, &x, 1,
					    &len, &err), -DISCFS_EINVAL);
	assert_non_null(strstr(err.msg, "at most"));
	x.value_len = 100;
	assert_int_equal(udf_ea_space_build(buf, 100, 3, 1, NULL, &x, 1, &len,
					    &err), -DISCFS_EINVAL);
	memset(long_name, 'n', 256);
	long_name[256] = '\0';
	x.name = long_name;
	x.value_len = 1;
	assert_int_equal(udf_ea_space_build(buf, sizeof(buf), 3, 1, NULL, &x, 1,
					    &len, &err), -DISCFS_EINVAL);
	x.name = "";
	assert_int_equal(udf_ea_space_build(buf, sizeof(buf), 3, 1, NULL, &x, 1,
					    &len, &err), -DISCFS_EINVAL);
}

static void damaged_spaces_are_refused(void **state)
{
	const struct udf_xattr x[] = { { "user.a", (const uint8_t *)"value", 5 } };
	uint8_t good[2048], buf[2048];
	struct udf_ea_found f = { 0 };
	discfs_error err = { 0 };
	size_t len;

	(void)state;
	len = build(good, NULL, x, 1);
	/* shorter than its header */
	assert_int_equal(udf_ea_space_parse(good, 10, 4711, &f, &err), -DISCFS_EFORMAT);
	/* a flipped byte in the header: CRC */
	memcpy(buf, good, len);
	buf[18] ^= 1;
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), -DISCFS_EFORMAT);
	/* the EA claims more than the space holds */
	memcpy(buf, good, len);
	put_le32(buf + 24 + 8, (uint32_t)len);
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), -DISCFS_EFORMAT);
	/* a length below an EA's own head would loop forever if accepted */
	memcpy(buf, good, len);
	put_le32(buf + 24 + 8, 0);
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), -DISCFS_EFORMAT);
	/* implementation use longer than its EA */
	memcpy(buf, good, len);
	put_le32(buf + 24 + 12, 4000);
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), -DISCFS_EFORMAT);
	/* value length overrunning the implementation use */
	memcpy(buf, good, len);
	put_le16(buf + 24 + 48 + 1, 500);
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), -DISCFS_EFORMAT);
	/* a NUL inside the name */
	memcpy(buf, good, len);
	buf[24 + 48 + 4 + 2] = 0;
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), -DISCFS_EFORMAT);
	/* and the good one still parses */
	assert_int_equal(udf_ea_space_parse(good, len, 4711, &f, &err), 0);
}

static void other_implementations_eas_are_skipped(void **state)
{
	const struct udf_xattr x[] = { { "user.a", (const uint8_t *)"1", 1 },
				       { "user.b", (const uint8_t *)"2", 1 } };
	uint8_t buf[2048];
	struct seen s = { 0 };
	struct udf_ea_found f = { .xattr = collect, .ctx = &s };
	discfs_error err = { 0 };
	size_t len;

	(void)state;
	len = build(buf, NULL, x, 2);
	memcpy(buf + 24 + 16, "*Other", 6); /* the first EA's identifier */
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.names[0], "user.b");
}

static void the_callbacks_answer_stops_the_walk(void **state)
{
	const struct udf_xattr x[] = { { "user.a", (const uint8_t *)"1", 1 },
				       { "user.b", (const uint8_t *)"2", 1 } };
	uint8_t buf[2048];
	struct seen s = { .stop_at = 1 };
	struct udf_ea_found f = { .xattr = collect, .ctx = &s };
	discfs_error err = { 0 };
	size_t len;

	(void)state;
	len = build(buf, NULL, x, 2);
	assert_int_equal(udf_ea_space_parse(buf, len, 4711, &f, &err), 7);
	assert_int_equal(s.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xattrs_and_device_numbers_round_trip),
		cmocka_unit_test(the_header_is_a_tagged_descriptor_at_the_entrys_location),
		cmocka_unit_test(nothing_to_record_takes_no_space),
		cmocka_unit_test(what_does_not_fit_is_refused_not_cut),
		cmocka_unit_test(damaged_spaces_are_refused),
		cmocka_unit_test(other_implementations_eas_are_skipped),
		cmocka_unit_test(the_callbacks_answer_stops_the_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
