/*
 * tests/unit/test_emu_helpers.h - shared by the test_emu_*.c programs:
 * a scratch directory, discs, and raw CDBs sent through emu_exec().
 * Every helper asserts what it needs; tests read as command sequences.
 */
#ifndef TEST_EMU_HELPERS_H
#define TEST_EMU_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmc/emu/emu.h"
#include "mmc/mmc_defs.h"
#include "util/bytes.h"

static char emu_tmpdir[256];
static unsigned emu_seq;

static inline void emu_tmp_setup(void)
{
	if (!emu_tmpdir[0]) {
		snprintf(emu_tmpdir, sizeof(emu_tmpdir), "/tmp/emu-test-XXXXXX");
		assert_non_null(mkdtemp(emu_tmpdir));
	}
}

static inline void emu_tmp_cleanup(void)
{
	char cmd[300];
	if (!emu_tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", emu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", emu_tmpdir);
}

/* A fresh image path in the scratch directory. */
static inline const char *emu_path(char *buf, size_t n)
{
	emu_tmp_setup();
	snprintf(buf, n, "%s/disc%u.img", emu_tmpdir, ++emu_seq);
	return buf;
}

/* Opens a drive on a new disc of media; manual clock when scale > 0. */
static inline struct emu_drive *emu_new(const char *media, uint64_t cap,
					double scale, char *path, size_t n)
{
	discfs_error err = { 0 };
	struct emu_options o;
	struct emu_drive *d = NULL;
	emu_path(path, n);
	assert_int_equal(emu_disc_create(path, media, cap, &err), 0);
	emu_options_default(&o);
	o.time_scale = scale;
	o.manual_clock = scale > 0;
	assert_int_equal(emu_open(path, &o, &d, &err), 0);
	return d;
}

struct emu_res {
	uint8_t status, key, asc, ascq;
	uint16_t progress;
	bool sksv;
	uint32_t resid;
};

static inline struct emu_res emu_cmd(struct emu_drive *d, const uint8_t *cdb,
				     unsigned cdb_len, enum mmc_dir dir,
				     void *buf, uint32_t len)
{
	struct mmc_cmd c = { 0 };
	memcpy(c.cdb, cdb, cdb_len);
	c.cdb_len = (uint8_t)cdb_len;
	c.dir = dir;
	c.buf = buf;
	c.len = len;
	assert_int_equal(emu_exec(d, &c), 0);
	struct emu_res r = { .status = c.status, .resid = c.resid };
	if (c.status == MMC_STATUS_CHECK) {
		assert_int_equal(c.sense_len, 18);
		assert_int_equal(c.sense[0], 0x70);
		r.key = c.sense[2] & 0x0F;
		r.asc = c.sense[12];
		r.ascq = c.sense[13];
		r.sksv = c.sense[15] & 0x80;
		r.progress = get_be16(c.sense + 16);
	}
	return r;
}

#define CDB(...) (const uint8_t[]){ __VA_ARGS__ }, \
		 sizeof((const uint8_t[]){ __VA_ARGS__ })

#define assert_good(r) assert_int_equal((r).status, MMC_STATUS_GOOD)
#define assert_sense(r, k, a) do { \
	struct emu_res r_ = (r); \
	assert_int_equal(r_.status, MMC_STATUS_CHECK); \
	assert_int_equal(r_.key, (k)); \
	assert_int_equal(r_.asc << 8 | r_.ascq, (a)); \
} while (0)

static inline struct emu_res emu_tur(struct emu_drive *d)
{
	return emu_cmd(d, CDB(0x00, 0, 0, 0, 0, 0), MMC_DIR_NONE, NULL, 0);
}

/* Clears the power-on (and any other) unit attention. */
static inline void emu_clear_ua(struct emu_drive *d)
{
	for (int i = 0; i < 4; i++)
		if (emu_tur(d).key != SK_UNIT_ATTENTION)
			return;
}

static inline struct emu_drive *emu_ready(const char *media, uint64_t cap,
					  double scale, char *path, size_t n)
{
	struct emu_drive *d = emu_new(media, cap, scale, path, n);
	emu_clear_ua(d);
	return d;
}

/* WRITE(10) of n blocks at lba, block i filled with byte (lba+i). */
static inline struct emu_res emu_write(struct emu_drive *d, uint32_t lba,
				       uint16_t n)
{
	uint8_t *buf = malloc((size_t)n * 2048 + 1);
	assert_non_null(buf);
	for (uint32_t i = 0; i < n; i++)
		memset(buf + (size_t)i * 2048, (uint8_t)(lba + i), 2048);
	uint8_t c[10] = { 0x2A };
	put_be32(c + 2, lba);
	put_be16(c + 7, n);
	struct emu_res r = emu_cmd(d, c, 10, MMC_DIR_OUT, buf, (uint32_t)n * 2048);
	free(buf);
	return r;
}

/* READ(10); when GOOD checks the pattern of emu_write(). */
static inline struct emu_res emu_read(struct emu_drive *d, uint32_t lba,
				      uint16_t n)
{
	uint8_t *buf = malloc((size_t)n * 2048 + 1);
	assert_non_null(buf);
	uint8_t c[10] = { 0x28 };
	put_be32(c + 2, lba);
	put_be16(c + 7, n);
	struct emu_res r = emu_cmd(d, c, 10, MMC_DIR_IN, buf, (uint32_t)n * 2048);
	if (r.status == MMC_STATUS_GOOD)
		for (uint32_t i = 0; i < n; i++) {
			assert_int_equal(buf[(size_t)i * 2048], (uint8_t)(lba + i));
			assert_int_equal(buf[(size_t)i * 2048 + 2047],
					 (uint8_t)(lba + i));
		}
	free(buf);
	return r;
}

static inline struct emu_res emu_sync(struct emu_drive *d, bool immed)
{
	return emu_cmd(d, CDB(0x35, immed ? 0x02 : 0, 0, 0, 0, 0, 0, 0, 0, 0),
		       MMC_DIR_NONE, NULL, 0);
}

static inline struct emu_res emu_close_fn(struct emu_drive *d, uint8_t cf,
					  uint16_t track, bool immed)
{
	return emu_cmd(d, CDB(0x5B, immed ? 1 : 0, cf, 0, (uint8_t)(track >> 8),
			      (uint8_t)track, 0, 0, 0, 0), MMC_DIR_NONE, NULL, 0);
}

static inline struct emu_res emu_reserve(struct emu_drive *d, uint32_t blocks)
{
	uint8_t c[10] = { 0x53 };
	put_be32(c + 5, blocks);
	return emu_cmd(d, c, 10, MMC_DIR_NONE, NULL, 0);
}

static inline struct emu_res emu_blank(struct emu_drive *d, uint8_t type,
				       bool immed)
{
	return emu_cmd(d, CDB(0xA1, (uint8_t)((immed ? 0x10 : 0) | type), 0, 0,
			      0, 0, 0, 0, 0, 0, 0, 0), MMC_DIR_NONE, NULL, 0);
}

static inline struct emu_res emu_format(struct emu_drive *d, uint32_t blocks,
					uint8_t type, uint8_t subtype,
					bool immed)
{
	uint8_t p[12] = { 0, immed ? 0x02 : 0, 0, 8 };
	put_be32(p + 4, blocks);
	p[8] = (uint8_t)(type << 2 | subtype);
	return emu_cmd(d, CDB(0x04, 0x11, 0, 0, 0, 0), MMC_DIR_OUT, p, 12);
}

/* MODE SELECT page 05: write type, multisession bits, BUFE, test write. */
static inline struct emu_res emu_page05(struct emu_drive *d, uint8_t wt,
					uint8_t ms, bool bufe, bool test)
{
	uint8_t p[8 + 52] = { 0 };
	p[8] = 0x05;
	p[9] = 0x32;
	p[10] = (uint8_t)((bufe ? 0x40 : 0) | (test ? 0x10 : 0) | wt);
	p[11] = (uint8_t)(ms << 6 | 4);
	p[12] = 8;
	p[23] = 150;
	return emu_cmd(d, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, sizeof(p), 0),
		       MMC_DIR_OUT, p, sizeof(p));
}

/* READ DISC INFORMATION (34 bytes) into b. */
static inline void emu_disc_info(struct emu_drive *d, uint8_t *b)
{
	assert_good(emu_cmd(d, CDB(0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0),
			    MMC_DIR_IN, b, 34));
}

static inline uint8_t emu_status_of(struct emu_drive *d)
{
	uint8_t b[34];
	emu_disc_info(d, b);
	return b[2] & 3;
}

/* READ TRACK INFORMATION by track number (48 bytes). */
static inline struct emu_res emu_track(struct emu_drive *d, uint32_t number,
				       uint8_t *b)
{
	uint8_t c[10] = { 0x52, 1 };
	put_be32(c + 2, number);
	put_be16(c + 7, 48);
	return emu_cmd(d, c, 10, MMC_DIR_IN, b, 48);
}

static inline uint32_t emu_nwa(struct emu_drive *d, uint32_t number)
{
	uint8_t b[48];
	assert_good(emu_track(d, number, b));
	assert_true(b[7] & 1);
	return get_be32(b + 12);
}

static inline uint16_t emu_profile_of(struct emu_drive *d)
{
	uint8_t b[8];
	assert_good(emu_cmd(d, CDB(0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0),
			    MMC_DIR_IN, b, 8));
	return get_be16(b + 6);
}

/* Pops one GESN media event code (0 = none). */
static inline uint8_t emu_gesn(struct emu_drive *d, uint8_t *flags)
{
	uint8_t b[8];
	assert_good(emu_cmd(d, CDB(0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0),
			    MMC_DIR_IN, b, 8));
	if (flags)
		*flags = b[5];
	return b[4] & 0x0F;
}

static inline void emu_drain_events(struct emu_drive *d)
{
	for (int i = 0; i < 16 && emu_gesn(d, NULL); i++)
		;
}

#endif
