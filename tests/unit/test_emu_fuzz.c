/*
 * test_emu_fuzz.c - hostile CDBs: random opcodes (mostly the ones the
 * drive implements), random fields, random data lengths and directions,
 * on every medium.  The drive must always answer GOOD or CHECK CONDITION
 * with well-formed fixed sense and a residual within the buffer, and the
 * disc must still reopen afterwards (its state stays valid).
 */
#include "test_emu_helpers.h"

static char path[512];

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static const uint8_t opcodes[] = {
	0x00, 0x03, 0x04, 0x12, 0x1B, 0x1E, 0x23, 0x25, 0x28, 0x2A, 0x2E,
	0x2F, 0x35, 0x43, 0x46, 0x4A, 0x51, 0x52, 0x53, 0x54, 0x55, 0x5A,
	0x5B, 0x5C, 0x5D, 0xA1, 0xA8, 0xAA, 0xAC, 0xAD, 0xB6, 0xBB, 0xBD,
	0xBF,
};

#define BUF_MAX (64 * 2048)

static void one(struct emu_drive *d, uint8_t *buf)
{
	struct mmc_cmd c = { 0 };
	uint32_t r = next_rand();
	c.cdb[0] = (r & 7) ? opcodes[next_rand() % sizeof(opcodes)]
			   : (uint8_t)next_rand();
	for (int i = 1; i < 16; i++) {
		uint32_t x = next_rand();
		/* small values hit real cases more often than random bytes */
		c.cdb[i] = (uint8_t)((x & 3) ? x % 4 : x >> 8);
	}
	if (c.cdb[0] == 0x1B && (next_rand() & 1))
		c.cdb[4] = 0x03; /* load again now and then */
	c.cdb_len = 12;
	c.dir = (enum mmc_dir)(next_rand() % 3);
	c.len = next_rand() % 4 ? next_rand() % BUF_MAX : 2048u * (next_rand() % 64);
	c.buf = c.dir == MMC_DIR_NONE && (next_rand() & 1) ? NULL : buf;
	if (!c.buf)
		c.len = 0;
	for (uint32_t i = 0; i < 64; i++)
		buf[next_rand() % BUF_MAX] = (uint8_t)next_rand();
	assert_int_equal(emu_exec(d, &c), 0);
	assert_true(c.status == MMC_STATUS_GOOD || c.status == MMC_STATUS_CHECK);
	assert_true(c.resid <= c.len);
	if (c.status == MMC_STATUS_CHECK) {
		assert_int_equal(c.sense_len, 18);
		assert_int_equal(c.sense[0], 0x70);
		assert_int_equal(c.sense[7], 10);
	}
}

static void random_commands_never_break_the_drive(void **s)
{
	const char *const *names = emu_media_names();
	uint8_t *buf = calloc(1, BUF_MAX);
	discfs_error err;
	for (unsigned m = 0; names[m]; m++) {
		struct emu_drive *d;
		if (strstr(names[m], "-rom")) {
			emu_path(path, sizeof(path));
			FILE *f = fopen(path, "w");
			assert_non_null(f);
			for (int b = 0; b < 300; b++)
				assert_int_equal(fwrite(buf, 1, 2048, f), 2048);
			fclose(f);
			assert_int_equal(emu_disc_create(path, names[m], 0, &err), 0);
			assert_int_equal(emu_open(path, NULL, &d, &err), 0);
		} else {
			d = emu_new(names[m], 4096, 0, path, sizeof(path));
		}
		for (int i = 0; i < 2000; i++)
			one(d, buf);
		emu_close(d);
		/* whatever happened, the files still describe a valid disc */
		assert_int_equal(emu_open(path, NULL, &d, &err), 0);
		emu_close(d);
	}
	free(buf);
}

static int teardown(void **s)
{
	emu_tmp_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_commands_never_break_the_drive),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
