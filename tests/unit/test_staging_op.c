/*
 * test_staging_op.c - the byte encoding of staged changes: every op type
 * round-trips, and malformed bytes (truncated, extended, wrong field mask,
 * bad lengths, random garbage) are refused without crashing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fused/crc32c.c"
#include "fused/staging_op.c"

static struct stg_op sample(uint8_t type)
{
	struct stg_op op = {
		.type = type, .ino = 0x1000000000001ull, .parent = 1,
		.newparent = 7, .name = "alpha", .name_len = 5,
		.name2 = "beta.txt", .name2_len = 8, .data = "target/path",
		.data_len = 11, .mode = 0100644, .uid = 1000, .gid = 100,
		.flags = 1, .valid = 0x3f, .rdev = 0x0801, .size = 12345,
		.off = 4096, .len = 8192, .seg = 3, .segoff = 1u << 20,
		.atime = 1700000000123456789ll, .mtime = -5, .time = 42,
	};
	return op;
}

/* Copies only the fields the type carries, as decode would see them. */
static void assert_same(const struct stg_op *a, const struct stg_op *b)
{
	uint32_t m = stg_op_fields(a->type);

	assert_int_equal(a->type, b->type);
#define NUM(flag, f) if (m & flag) assert_true(a->f == b->f)
	NUM(STG_F_INO, ino); NUM(STG_F_PARENT, parent);
	NUM(STG_F_NEWPARENT, newparent); NUM(STG_F_MODE, mode);
	NUM(STG_F_UID, uid); NUM(STG_F_GID, gid); NUM(STG_F_RDEV, rdev);
	NUM(STG_F_SIZE, size); NUM(STG_F_OFF, off); NUM(STG_F_LEN, len);
	NUM(STG_F_SEG, seg); NUM(STG_F_SEGOFF, segoff);
	NUM(STG_F_ATIME, atime); NUM(STG_F_MTIME, mtime);
	NUM(STG_F_TIME, time); NUM(STG_F_FLAGS, flags); NUM(STG_F_VALID, valid);
#undef NUM
	if (m & STG_F_NAME) {
		assert_int_equal(a->name_len, b->name_len);
		assert_memory_equal(a->name, b->name, a->name_len);
	}
	if (m & STG_F_NAME2) {
		assert_int_equal(a->name2_len, b->name2_len);
		assert_memory_equal(a->name2, b->name2, a->name2_len);
	}
	if (m & STG_F_DATA) {
		assert_int_equal(a->data_len, b->data_len);
		assert_memory_equal(a->data, b->data, a->data_len);
	}
}

static void every_type_round_trips(void **state)
{
	for (uint8_t t = STG_OP_BASE; t < STG_OP_TYPE_END; t++) {
		struct stg_op op = sample(t), back;
		size_t n = stg_op_encoded_size(&op);
		uint8_t *buf = malloc(n);
		assert_non_null(buf);
		assert_int_equal(stg_op_encode(&op, buf), n);
		assert_int_equal(stg_op_decode(buf, n, &back), 0);
		assert_same(&op, &back);
		free(buf);
	}
}

static void every_truncation_and_extension_is_refused(void **state)
{
	for (uint8_t t = STG_OP_BASE; t < STG_OP_TYPE_END; t++) {
		struct stg_op op = sample(t), back;
		size_t n = stg_op_encoded_size(&op);
		uint8_t *buf = calloc(1, n + 1);
		stg_op_encode(&op, buf);
		for (size_t cut = 0; cut < n; cut++)
			assert_int_equal(stg_op_decode(buf, cut, &back), -1);
		assert_int_equal(stg_op_decode(buf, n + 1, &back), -1);
		free(buf);
	}
}

static void unknown_type_and_wrong_mask_are_refused(void **state)
{
	struct stg_op op = sample(STG_OP_UNLINK), back;
	size_t n = stg_op_encoded_size(&op);
	uint8_t buf[256];

	stg_op_encode(&op, buf);
	buf[0] = STG_OP_TYPE_END;
	assert_int_equal(stg_op_decode(buf, n, &back), -1);
	buf[0] = 0;
	assert_int_equal(stg_op_decode(buf, n, &back), -1);
	buf[0] = STG_OP_UNLINK;
	buf[1] ^= 0x40; /* one field more or less than the type allows */
	assert_int_equal(stg_op_decode(buf, n, &back), -1);
}

static void empty_or_long_names_are_refused(void **state)
{
	char longname[300];
	struct stg_op op = sample(STG_OP_UNLINK), back;
	uint8_t buf[512];
	size_t n;

	memset(longname, 'x', sizeof(longname));
	op.name = longname;
	op.name_len = STG_NAME_MAX + 1;
	n = stg_op_encode(&op, buf);
	assert_int_equal(stg_op_decode(buf, n, &back), -1);
	op.name_len = STG_NAME_MAX;
	n = stg_op_encode(&op, buf);
	assert_int_equal(stg_op_decode(buf, n, &back), 0);
	op.name_len = 0;
	n = stg_op_encode(&op, buf);
	assert_int_equal(stg_op_decode(buf, n, &back), -1);
}

static void data_length_past_the_end_is_refused(void **state)
{
	struct stg_op op = sample(STG_OP_SYMLINK), back;
	uint8_t buf[512];
	size_t n = stg_op_encode(&op, buf);

	/* DATA is the last field: its u32 length precedes the bytes. */
	put_le32(buf + n - op.data_len - 4, 0xffffffffu);
	assert_int_equal(stg_op_decode(buf, n, &back), -1);
	put_le32(buf + n - op.data_len - 4, op.data_len + 1);
	assert_int_equal(stg_op_decode(buf, n, &back), -1);
}

static void random_garbage_never_crashes(void **state)
{
	uint8_t buf[300];
	struct stg_op back;
	unsigned seed = 12345, accepted = 0;

	for (int round = 0; round < 200000; round++) {
		size_t n = (size_t)(rand_r(&seed) % sizeof(buf));
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		if (n > 5 && round % 2) {
			buf[0] = (uint8_t)(1 + round % (STG_OP_TYPE_END - 1));
			put_le32(buf + 1, stg_op_fields(buf[0]));
		}
		if (stg_op_decode(buf, n, &back) == 0) {
			accepted++;
			assert_int_equal(stg_op_encoded_size(&back), n);
		}
	}
	(void)accepted;
}

static void crc32c_matches_the_standard_check_value(void **state)
{
	assert_int_equal(stg_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(stg_crc32c(stg_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
	assert_int_equal(stg_crc32c(0, "", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_type_round_trips),
		cmocka_unit_test(every_truncation_and_extension_is_refused),
		cmocka_unit_test(unknown_type_and_wrong_mask_are_refused),
		cmocka_unit_test(empty_or_long_names_are_refused),
		cmocka_unit_test(data_length_past_the_end_is_refused),
		cmocka_unit_test(random_garbage_never_crashes),
		cmocka_unit_test(crc32c_matches_the_standard_check_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
