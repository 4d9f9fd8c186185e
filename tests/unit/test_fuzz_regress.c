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

#include <unistd.h>

#include "discfs.h"
#include "mmc/emu/emu.h"
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

/* The reply to the last command of an emu_exec input (fuzz_emu_exec.c
 * format: media, setup, then kind, u16 len, cdb [, data] per command),
 * replayed on a fresh disc of image; the drive is closed afterwards. */
static struct mmc_cmd replay_emu(const uint8_t *in, size_t len,
				 const char *image)
{
	static const uint64_t caps[4] = { 1024, 4096, 8192, 13000 };
	static const uint8_t cdb_lens[4] = { 6, 10, 12, 16 };
	const char *const *names = emu_media_names();
	struct emu_options o;
	struct emu_drive *d = NULL;
	struct mmc_cmd last = { 0 };
	discfs_error e = { 0 };
	size_t n_media = 0, p = 2;

	while (names[n_media])
		n_media++;
	assert_true(len >= 2);
	assert_int_equal(emu_disc_create(image, names[in[0] % n_media],
					 caps[in[1] & 3], &e), 0);
	emu_options_default(&o);
	o.time_scale = 0;
	o.manual_clock = true;
	assert_int_equal(emu_open(image, &o, &d, &e), 0);
	while (p + 3 <= len) {
		struct mmc_cmd c = { .cdb_len = cdb_lens[in[p] & 3] };
		unsigned dir = (in[p] >> 2) & 3;
		c.len = dir ? get_le16(in + p + 1) : 0;
		p += 3;
		assert_true(p + c.cdb_len <= len);
		assert_true(dir == MMC_DIR_NONE || dir == MMC_DIR_IN);
		memcpy(c.cdb, in + p, c.cdb_len);
		p += c.cdb_len;
		c.dir = (enum mmc_dir)dir;
		c.buf = c.len ? calloc(1, c.len) : NULL;
		assert_int_equal(emu_exec(d, &c), 0);
		free(c.buf);
		c.buf = NULL;
		last = c;
	}
	emu_close(d);
	return last;
}

/*
 * mmc/emu/cmd_track.c emu_cmd_reserve_track(): RESERVE TRACK of
 * 0xFFFFFFFF blocks on a blank DVD-R.  Rounding the size up to the ECC
 * block wrapped it to 0, so the range check passed and the drive recorded
 * a reserved track of size 0, which its own state file then refused
 * ("reserved track without a size"): the disc could not be opened again.
 * Now: 5/21/00 (LBA out of range), and nothing is reserved.
 */
static void reserve_track_of_wrapping_size_is_out_of_range(void **state)
{
	char dir[] = "/tmp/test-fuzz-regress-XXXXXX", image[64], st[80];
	struct emu_disc_summary sum;
	discfs_error e = { 0 };
	size_t len;
	uint8_t *in = load_input("emu_exec", "reserve-track-size-wraps", &len);
	struct mmc_cmd c;

	assert_non_null(mkdtemp(dir));
	snprintf(image, sizeof(image), "%s/disc", dir);
	snprintf(st, sizeof(st), "%s/disc.state", dir);
	c = replay_emu(in, len, image);
	assert_int_equal(c.cdb[0], 0x53);
	assert_int_equal(get_be32(c.cdb + 5), 0xFFFFFFFFu);
	assert_int_equal(c.status, MMC_STATUS_CHECK);
	assert_int_equal(c.sense[2] & 0x0F, 0x05);
	assert_int_equal(c.sense[12], 0x21);
	assert_int_equal(c.sense[13], 0x00);
	/* the saved state loads again and holds no track */
	assert_int_equal(emu_disc_summary(image, &sum, &e), 0);
	assert_int_equal(sum.tracks, 0);
	unlink(st);
	unlink(image);
	rmdir(dir);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metadata_files_of_wrong_type_are_refused),
		cmocka_unit_test(reserve_track_of_wrapping_size_is_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
