/* tests/unit/test_udf_tag.c - descriptor tags: CRC-ITU, checksum, verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "udf/ecma167.h"
#include "udf/tag.h"
#include "util/bytes.h"

static void crc_itu_matches_the_published_check_value(void **state)
{
	(void)state;
	assert_int_equal(udf_crc_itu((const uint8_t *)"123456789", 9), 0x31C3);
	assert_int_equal(udf_crc_itu(NULL, 0), 0);
	const uint8_t one[1] = { 0x01 };
	assert_int_equal(udf_crc_itu(one, 1), 0x1021);
}

static void made_tag_verifies_and_has_crc_over_the_body(void **state)
{
	(void)state;
	uint8_t d[512];
	for (size_t i = 0; i < sizeof d; i++)
		d[i] = (uint8_t)(i * 7);
	udf_tag_make(d, sizeof d, TAG_PVD, 3, 1, 16);
	struct ecma_tag *t = (struct ecma_tag *)d;
	assert_int_equal(get_le16(t->ident), TAG_PVD);
	assert_int_equal(get_le16(t->crc_len), 496);
	assert_int_equal(get_le32(t->location), 16);
	assert_int_equal(get_le16(t->crc), udf_crc_itu(d + 16, 496));
	uint8_t sum = 0;
	for (int i = 0; i < 16; i++)
		if (i != 4)
			sum = (uint8_t)(sum + d[i]);
	assert_int_equal(t->checksum, sum);
	discfs_error e = { 0 };
	assert_int_equal(udf_tag_verify(d, sizeof d, TAG_PVD, 16, &e), 0);
	assert_int_equal(udf_tag_verify(d, sizeof d, -1, -1, &e), 0);
}

static void verify_rejects_each_kind_of_damage(void **state)
{
	(void)state;
	uint8_t d[512] = { 0 }, bad[512];
	discfs_error e = { 0 };
	udf_tag_make(d, sizeof d, TAG_LVD, 2, 1, 100);

	memcpy(bad, d, sizeof d);
	bad[300] ^= 1; /* body byte: CRC */
	assert_int_equal(udf_tag_verify(bad, sizeof bad, TAG_LVD, 100, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "CRC"));

	memcpy(bad, d, sizeof d);
	bad[12] ^= 1; /* location without checksum fix */
	assert_int_equal(udf_tag_verify(bad, sizeof bad, -1, -1, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "checksum"));

	assert_int_equal(udf_tag_verify(d, sizeof d, TAG_PVD, 100, &e), -DISCFS_EFORMAT);
	assert_int_equal(udf_tag_verify(d, sizeof d, TAG_LVD, 101, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "location"));
	/* CRC length beyond what the caller could read */
	assert_int_equal(udf_tag_verify(d, 100, TAG_LVD, 100, &e), -DISCFS_EFORMAT);
	/* truncated tag */
	assert_int_equal(udf_tag_verify(d, 10, -1, -1, &e), -DISCFS_EFORMAT);

	memcpy(bad, d, sizeof d);
	put_le16(bad + 2, 4); /* version 4 */
	bad[4] = udf_tag_checksum(bad);
	assert_int_equal(udf_tag_verify(bad, sizeof bad, -1, -1, &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "version"));
}

static void structure_offsets_match_the_standard(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct ecma_pvd, rec_time), 376);
	assert_int_equal(offsetof(struct ecma_pd, access_type), 184);
	assert_int_equal(offsetof(struct ecma_lvd, integrity_seq), 432);
	assert_int_equal(offsetof(struct ecma_fsd, root_icb), 400);
	assert_int_equal(offsetof(struct ecma_fsd, stream_dir_icb), 464);
	assert_int_equal(offsetof(struct ecma_fe, unique_id), 160);
	assert_int_equal(offsetof(struct ecma_efe, ctime), 104);
	assert_int_equal(offsetof(struct ecma_efe, stream_dir_icb), 152);
	assert_int_equal(offsetof(struct ecma_efe, l_ad), 212);
	assert_int_equal(offsetof(struct ecma_iuvd, lvi_imp_ident), 352);
	assert_int_equal(ecma_fid_size(0, 0), 40);
	assert_int_equal(ecma_fid_size(0, 5), 44);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc_itu_matches_the_published_check_value),
		cmocka_unit_test(made_tag_verifies_and_has_crc_over_the_body),
		cmocka_unit_test(verify_rejects_each_kind_of_damage),
		cmocka_unit_test(structure_offsets_match_the_standard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
