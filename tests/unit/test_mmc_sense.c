/* tests/unit/test_mmc_sense.c - sense data is decoded in both formats,
 * classified the way callers must act on it (mmc-notes §3), and described
 * in one readable line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "discfs.h"
#include "mmc/sense.h"

static void fixed(uint8_t *s, uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(s, 0, 18);
	s[0] = 0x70;
	s[2] = key;
	s[7] = 10;
	s[12] = asc;
	s[13] = ascq;
}

static enum mmc_sense_class cls(uint8_t key, uint8_t asc, uint8_t ascq)
{
	uint8_t s[18];
	struct mmc_sense d;

	fixed(s, key, asc, ascq);
	assert_true(mmc_sense_parse(s, 18, &d));
	return mmc_sense_classify(&d);
}

static void test_fixed_sense_fields_and_progress(void **st)
{
	uint8_t s[18];
	struct mmc_sense d;

	fixed(s, 0x2, 0x04, 0x07);
	s[15] = 0x80;
	s[16] = 0x80; /* 50 % */
	s[17] = 0x00;
	assert_true(mmc_sense_parse(s, 18, &d));
	assert_int_equal(d.key, 2);
	assert_int_equal(d.asc, 0x04);
	assert_int_equal(d.ascq, 0x07);
	assert_true(d.progress_valid);
	assert_int_equal(mmc_sense_progress_x100(&d), 5000);
	assert_int_equal(mmc_sense_classify(&d), MMC_SENSE_RETRY);
}

static void test_progress_only_with_sksv_on_not_ready_or_no_sense(void **st)
{
	uint8_t s[18];
	struct mmc_sense d;

	fixed(s, 0x5, 0x24, 0x00);
	s[15] = 0x80; /* SKSV with illegal request: field pointer, not progress */
	s[16] = 0x12;
	mmc_sense_parse(s, 18, &d);
	assert_false(d.progress_valid);
	assert_int_equal(mmc_sense_progress_x100(&d), -1);
}

static void test_descriptor_sense_with_progress(void **st)
{
	uint8_t s[8 + 8] = { 0x72, 0x02, 0x04, 0x04, 0, 0, 0, 8,
			     0x02, 0x06, 0, 0, 0x80, 0x40, 0x00, 0 };
	struct mmc_sense d;

	assert_true(mmc_sense_parse(s, sizeof(s), &d));
	assert_int_equal(d.key, 2);
	assert_int_equal(d.asc, 4);
	assert_int_equal(d.ascq, 4);
	assert_true(d.progress_valid);
	assert_int_equal(mmc_sense_progress_x100(&d), 2500);
}

static void test_short_and_unknown_sense_is_invalid(void **st)
{
	uint8_t s[18];
	struct mmc_sense d;

	fixed(s, 2, 0x3A, 0);
	assert_false(mmc_sense_parse(s, 0, &d));
	assert_false(mmc_sense_parse(s, 2, &d));
	s[0] = 0x7F;
	assert_false(mmc_sense_parse(s, 18, &d));
	assert_int_equal(mmc_sense_classify(&d), MMC_SENSE_OTHER);
}

static void test_truncated_fixed_sense_reads_only_what_is_there(void **st)
{
	uint8_t *s = malloc(13);
	struct mmc_sense d;

	memset(s, 0, 13);
	s[0] = 0x70;
	s[2] = 0x3;
	s[7] = 10; /* claims 18 bytes, 13 arrived */
	s[12] = 0x11;
	assert_true(mmc_sense_parse(s, 13, &d));
	assert_int_equal(d.asc, 0x11);
	assert_int_equal(d.ascq, 0);
	free(s);
}

static void test_hostile_descriptor_lengths(void **st)
{
	uint8_t *s = malloc(12);
	struct mmc_sense d;

	memcpy(s, (uint8_t[]){ 0x72, 2, 4, 7, 0, 0, 0, 200, 0x02, 250, 0, 0 },
	       12);
	assert_true(mmc_sense_parse(s, 12, &d));
	assert_false(d.progress_valid);
	free(s);
}

static void test_classes_callers_act_on(void **st)
{
	assert_int_equal(cls(2, 0x04, 0x01), MMC_SENSE_RETRY);
	assert_int_equal(cls(2, 0x04, 0x04), MMC_SENSE_RETRY);
	assert_int_equal(cls(2, 0x04, 0x08), MMC_SENSE_RETRY);
	assert_int_equal(cls(2, 0x04, 0x00), MMC_SENSE_NOT_READY);
	assert_int_equal(cls(2, 0x3A, 0x01), MMC_SENSE_NOT_PRESENT);
	assert_int_equal(cls(2, 0x30, 0x00), MMC_SENSE_WRONG_MEDIA);
	assert_int_equal(cls(6, 0x28, 0x00), MMC_SENSE_MEDIUM_CHANGED);
	assert_int_equal(cls(6, 0x29, 0x00), MMC_SENSE_MEDIUM_CHANGED);
	assert_int_equal(cls(5, 0x24, 0x00), MMC_SENSE_ILLEGAL);
	assert_int_equal(cls(5, 0x21, 0x02), MMC_SENSE_ILLEGAL);
	assert_int_equal(cls(5, 0x27, 0x00), MMC_SENSE_PROTECT);
	assert_int_equal(cls(7, 0x27, 0x00), MMC_SENSE_PROTECT);
	assert_int_equal(cls(5, 0x30, 0x05), MMC_SENSE_WRONG_MEDIA);
	assert_int_equal(cls(5, 0x63, 0x01), MMC_SENSE_NO_SPACE);
	assert_int_equal(cls(3, 0x0C, 0x09), MMC_SENSE_MEDIUM_ERROR);
	assert_int_equal(cls(3, 0x11, 0x00), MMC_SENSE_MEDIUM_ERROR);
	assert_int_equal(cls(4, 0x44, 0x00), MMC_SENSE_HARDWARE);
	assert_int_equal(cls(1, 0x17, 0x01), MMC_SENSE_OK);
	assert_int_equal(cls(0xB, 0x00, 0x00), MMC_SENSE_ABORTED);
}

static void test_class_codes(void **st)
{
	assert_int_equal(mmc_sense_class_code(MMC_SENSE_NOT_PRESENT),
			 DISCFS_ENOMEDIUM);
	assert_int_equal(mmc_sense_class_code(MMC_SENSE_RETRY),
			 DISCFS_ENOTREADY);
	assert_int_equal(mmc_sense_class_code(MMC_SENSE_PROTECT),
			 DISCFS_EPROTECT);
	assert_int_equal(mmc_sense_class_code(MMC_SENSE_MEDIUM_CHANGED),
			 DISCFS_ECHANGED);
	assert_int_equal(mmc_sense_class_code(MMC_SENSE_HARDWARE),
			 DISCFS_EHARDWARE);
	assert_int_equal(mmc_sense_class_code(MMC_SENSE_OK), DISCFS_OK);
	assert_string_equal(mmc_sense_class_name(MMC_SENSE_RETRY), "retry");
}

static void test_text_is_one_decoded_line(void **st)
{
	uint8_t s[18];
	struct mmc_sense d;
	char text[160];

	fixed(s, 2, 0x3A, 0x01);
	mmc_sense_parse(s, 18, &d);
	mmc_sense_text(&d, text, sizeof(text));
	assert_non_null(strstr(text, "Not Ready"));
	assert_non_null(strstr(text, "Medium not present"));
	assert_non_null(strstr(text, "(2/3A/01)"));
	assert_null(strchr(text, '\n'));
	mmc_sense_text(&d, text, 8); /* truncation keeps NUL */
	assert_int_equal(strlen(text), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_sense_fields_and_progress),
		cmocka_unit_test(test_progress_only_with_sksv_on_not_ready_or_no_sense),
		cmocka_unit_test(test_descriptor_sense_with_progress),
		cmocka_unit_test(test_short_and_unknown_sense_is_invalid),
		cmocka_unit_test(test_truncated_fixed_sense_reads_only_what_is_there),
		cmocka_unit_test(test_hostile_descriptor_lengths),
		cmocka_unit_test(test_classes_callers_act_on),
		cmocka_unit_test(test_class_codes),
		cmocka_unit_test(test_text_is_one_decoded_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
