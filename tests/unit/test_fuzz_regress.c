/*
 * test_fuzz_regress.c - every crash the fuzz harnesses (tests/fuzz/) found,
 * replayed from the exact input the fuzzer saved (tests/fuzz/regress/
 * HARNESS/NAME), with the behaviour the fixed code must show.  Run under
 * ASan/UBSan too (make check), which is where the original faults show.
 *
 * Inputs are read from $DISCFS_SRC/tests/fuzz/regress (the repository
 * root when the variable is unset and the test runs from there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "discfs.h"
#include "tests/fuzz/sparse_src.h"
#include "udf/fsck.h"
#include "udf/reader.h"

/* The saved input of harness/name, malloc'd; fails the test if absent. */
static uint8_t *load_input(const char *harness, const char *name, size_t *len)
{
	const char *root = getenv("DISCFS_SRC");
	char path[1024];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fuzz/regress/%s/%s",
		 root ? root : ".", harness, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

struct findings {
	unsigned errors;
	char first_error[256];
};

static void collect(void *user, const discfs_fsck_issue *is)
{
	struct findings *f = user;

	if (is->severity == DISCFS_FSCK_ERROR && f->errors++ == 0)
		snprintf(f->first_error, sizeof(f->first_error), "%s", is->msg);
}

/*
 * udf/read_part.c load_meta_file(): a metadata partition whose main
 * metadata file entry has the wrong file type (and whose mirror is no file
 * entry at all).  The error message read the file type after freeing the
 * inode (heap use after free), and the combined message lost the mirror's
 * reason (err was both the target and an argument of dfs_fail, which
 * clears it first).  Now: the volume is refused as malformed and the
 * message gives both reasons.
 */
static void metadata_files_of_wrong_type_are_refused(void **state)
{
	size_t len;
	uint8_t *in = load_input("udf_fsck", "metadata-file-type-after-free",
				 &len);
	struct udf_bsrc src;
	struct udf_vol *vol = NULL;
	discfs_error e = { 0 };
	discfs_fsck_result res;
	struct findings fd = { 0 };

	assert_int_equal(sparse_src_make(in, len, &src), 0);
	assert_int_equal(udf_vol_open(&src, NULL, &vol, &e), -DISCFS_EFORMAT);
	assert_null(vol);
	assert_non_null(strstr(e.msg, "metadata partition: main file: "
				  "metadata main file at 0: file type 0"));
	/* the mirror's own reason survives (its tag is not valid) */
	assert_non_null(strstr(e.msg, "; mirror: file entry at 0:1: tag"));

	assert_int_equal(udf_fsck_src(&src, 0, collect, &fd, &res), -1);
	assert_false(res.opened);
	assert_true(res.errors >= 1);
	assert_int_equal(fd.errors, res.errors);
	assert_non_null(strstr(fd.first_error, "metadata partition"));
	udf_bsrc_close(&src);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metadata_files_of_wrong_type_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
