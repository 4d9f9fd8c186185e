/*
 * fuzz_emu_state - the emulator's state file parser and validator
 * (IMAGE.state), then a drive running on whatever it accepted.
 *
 * Input: the state file's text.  The harness makes IMAGE the size the
 * text's first "capacity N" asks for (when sane), so that the image size
 * check passes and the validation behind it is reached.  When the state is
 * accepted, a fixed set of queries, a read and a write runs against the
 * drive; the state file the drive then writes must load again.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "mmc/emu/emu.h"

#define BLK 2048u

static char dir[64], image[128], state[160];

static void cleanup(void)
{
	char tmp[200];

	snprintf(tmp, sizeof(tmp), "%s.tmp", state);
	unlink(tmp);
	unlink(state);
	unlink(image);
	rmdir(dir);
}

static void setup_dir(void)
{
	if (dir[0])
		return;
	/* tmpfs when there is one: the drive fsyncs its state file */
	snprintf(dir, sizeof(dir), "%s/fuzz-emst-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(image, sizeof(image), "%s/disc", dir);
	snprintf(state, sizeof(state), "%s/disc.state", dir);
	atexit(cleanup);
}

/* Blocks named by the first "capacity N" of the text, else 1024. */
static uint64_t stated_capacity(const uint8_t *data, size_t size)
{
	char text[4096];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	const char *c;
	unsigned long long v;

	memcpy(text, data, n);
	text[n] = '\0';
	c = strstr(text, "capacity ");
	if (!c || sscanf(c + 9, "%llu", &v) != 1 || v == 0 || v > (1ull << 27))
		return 1024;
	return v;
}

static void put_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);
}

static void run_cmd(struct emu_drive *d, const uint8_t *cdb, uint8_t cdb_len,
		    enum mmc_dir dir_, uint32_t len)
{
	struct mmc_cmd c = { .cdb_len = cdb_len, .dir = dir_, .len = len };
	int rc;

	memcpy(c.cdb, cdb, cdb_len);
	c.buf = len ? calloc(1, len) : NULL;
	FUZZ_CHECK(len == 0 || c.buf);
	if (dir_ == MMC_DIR_OUT)
		memset(c.buf, 0x5A, len);
	rc = emu_exec(d, &c);
	/* a fault in the state file may make the drive vanish */
	FUZZ_CHECK(rc == 0 || rc == -DISCFS_ENODEV);
	FUZZ_CHECK(c.sense_len <= MMC_SENSE_MAX && c.resid <= c.len);
	free(c.buf);
}

static void exercise(struct emu_drive *d)
{
	static const struct {
		uint8_t cdb[12], len, dir;
		uint16_t xfer;
	} cmds[] = {
		{ { 0x00 }, 6, MMC_DIR_NONE, 0 },                 /* TUR */
		{ { 0x00 }, 6, MMC_DIR_NONE, 0 },
		{ { 0x12, 0, 0, 0, 96 }, 6, MMC_DIR_IN, 96 },     /* INQUIRY */
		{ { 0x46, 2, 0, 0, 0, 0, 0, 0x10, 0 }, 10, MMC_DIR_IN, 4096 },
		{ { 0x51, 0, 0, 0, 0, 0, 0, 0, 34 }, 10, MMC_DIR_IN, 34 },
		{ { 0x52, 1, 0, 0, 0, 1, 0, 0, 48 }, 10, MMC_DIR_IN, 48 },
		{ { 0x52, 1, 0, 0, 0, 0xFF, 0, 0, 48 }, 10, MMC_DIR_IN, 48 },
		{ { 0x43, 0, 0, 0, 0, 0, 0, 0x10, 0 }, 10, MMC_DIR_IN, 4096 },
		{ { 0x43, 0, 1, 0, 0, 0, 0, 0, 12 }, 10, MMC_DIR_IN, 12 },
		{ { 0x43, 2, 2, 0, 0, 0, 0, 0x10, 0 }, 10, MMC_DIR_IN, 4096 },
		{ { 0x43, 2, 4, 0, 0, 0, 0, 0, 28 }, 10, MMC_DIR_IN, 28 },
		{ { 0x25 }, 10, MMC_DIR_IN, 8 },                  /* READ CAP */
		{ { 0x23, 0, 0, 0, 0, 0, 0, 0x01, 0 }, 10, MMC_DIR_IN, 256 },
		{ { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0x01, 0 }, 10, MMC_DIR_IN, 256 },
		{ { 0xAC, 0, 0, 0, 0, 0, 0, 0, 0, 8, 3, 0 }, 12, MMC_DIR_IN, 136 },
		{ { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 }, 10, MMC_DIR_IN, BLK },
		{ { 0x2A, 0, 0, 0, 0, 0, 0, 0, 1 }, 10, MMC_DIR_OUT, BLK },
		{ { 0x35 }, 10, MMC_DIR_NONE, 0 },                /* SYNC */
		{ { 0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8 }, 12, MMC_DIR_IN, 8 },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		run_cmd(d, cmds[i].cdb, cmds[i].len, (enum mmc_dir)cmds[i].dir,
			cmds[i].xfer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu_disc_summary sum;
	struct emu_options o;
	struct emu_drive *d = NULL;
	discfs_error e = { 0 };
	int rc, fd;

	setup_dir();
	put_file(state, data, size);
	fd = open(image, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(ftruncate(fd, (off_t)(stated_capacity(data, size) * BLK)) == 0);
	close(fd);

	rc = emu_disc_summary(image, &sum, &e);
	if (rc < 0)
		fuzz_check_failure(rc, &e);
	emu_options_default(&o);
	o.time_scale = 0;
	o.manual_clock = true;
	memset(&e, 0, sizeof(e));
	rc = emu_open(image, &o, &d, &e);
	if (rc < 0) {
		fuzz_check_failure(rc, &e);
		return 0;
	}
	exercise(d);
	emu_close(d);
	/* what the drive saved must load again */
	memset(&e, 0, sizeof(e));
	rc = emu_disc_summary(image, &sum, &e);
	if (rc < 0)
		fprintf(stderr, "reload: %s\n", e.msg);
	FUZZ_CHECK(rc == 0);
	return 0;
}
