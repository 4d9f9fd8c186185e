/*
 * fuzz_udf_fsck - the UDF checker on whole (sparse) images, reporting to a
 * callback; with input flag bit 3 in repair mode (writes go to the sparse
 * image's private copy).  Input: sparse_src.h.
 * Checks: every finding has a known severity and a one-line message; the
 * result's counters match the findings reported.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "sparse_src.h"
#include "udf/fsck.h"

struct tally {
	unsigned errors, warnings, repaired;
};

static void finding(void *user, const discfs_fsck_issue *is)
{
	struct tally *t = user;

	FUZZ_CHECK(is->severity >= DISCFS_FSCK_INFO &&
		   is->severity <= DISCFS_FSCK_ERROR);
	FUZZ_CHECK(memchr(is->msg, 0, sizeof(is->msg)) &&
		   strchr(is->msg, '\n') == NULL);
	t->errors += is->severity == DISCFS_FSCK_ERROR;
	t->warnings += is->severity == DISCFS_FSCK_WARNING;
	t->repaired += is->repaired;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udf_bsrc src;
	discfs_fsck_result res;
	struct tally t = { 0 };
	unsigned flags;
	int rc;

	if (sparse_src_make(data, size, &src) < 0)
		return 0;
	flags = (data[0] & SPARSE_FLAG_X) ? DISCFS_FSCK_REPAIR : 0;
	if (!flags)
		src.write = NULL;
	rc = udf_fsck_src(&src, flags, finding, &t, &res);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK((rc == 0) == res.opened);
	FUZZ_CHECK(res.errors == t.errors && res.warnings == t.warnings);
	FUZZ_CHECK(rc == 0 || res.errors > 0);
	udf_bsrc_close(&src);
	return 0;
}
