/*
 * fuzz_emu_exec - the emulated drive's command handling: random CDBs and
 * data against a fresh small disc of any medium.
 *
 * Input (little-endian):
 *   u8 media     index into emu_media_names()
 *   u8 setup     bits 0-1 capacity (1024, 4096, 8192, 13000 blocks);
 *                bit 2 busy_when_full; bit 3 pioneer quirk;
 *                bit 4 underrun protection off
 *   commands, at most MAX_CMDS, each:
 *     u8 kind    bits 0-1 CDB length 6/10/12/16; bits 2-3 direction
 *                (0 none, 1 in, 2 out, 3 operator action, see below);
 *                bit 4: out data is all pattern (takes no input bytes)
 *     u16 len    data length (in and out)
 *     cdb bytes
 *     out only: len data bytes (what the input lacks is a pattern)
 *   Operator actions (direction 3) by cdb[0] % 3: advance the manual
 *   clock by be32(cdb + 1) ms, press eject, load the same disc again.
 *
 * Checks, besides "no crash, no hang": every reply is GOOD or CHECK
 * CONDITION with at most MMC_SENSE_MAX bytes of 70h sense and a residual
 * within the transfer; the image keeps its size; every non-zero block of
 * the image holds data that some WRITE command sent to that very LBA (a
 * command may write nothing else); the state file the drive leaves behind
 * loads again (emu_disc_summary, emu_open).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "mmc/emu/emu.h"
#include "util/bytes.h"

#define MAX_CMDS 64
#define BLK 2048u
#define ROM_BLOCKS 64u
#define MAX_SENT 4096u

static char dir[64], image[128], state[160];

struct sent {
	uint64_t lba, hash;
};

struct run {
	const uint8_t *p, *end;
	struct emu_drive *d;
	struct sent sent[MAX_SENT];
	size_t n_sent;
	bool sent_overflow;
	uint8_t io[65536 + BLK];
};

static uint64_t hash_block(const uint8_t *b)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < BLK; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static int cmp_sent(const void *a, const void *b)
{
	const struct sent *x = a, *y = b;
	if (x->lba != y->lba)
		return x->lba < y->lba ? -1 : 1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

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
	snprintf(dir, sizeof(dir), "%s/fuzz-emu-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(image, sizeof(image), "%s/disc", dir);
	snprintf(state, sizeof(state), "%s/disc.state", dir);
	atexit(cleanup);
}

static void rom_pattern(uint8_t *b, uint32_t lba)
{
	for (size_t i = 0; i < BLK; i++)
		b[i] = (uint8_t)(lba * 7 + i * 13 + 1);
}

static void write_rom_image(void)
{
	uint8_t b[BLK];
	int fd = open(image, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	FUZZ_CHECK(fd >= 0);
	for (uint32_t lba = 0; lba < ROM_BLOCKS; lba++) {
		rom_pattern(b, lba);
		FUZZ_CHECK(write(fd, b, BLK) == (ssize_t)BLK);
	}
	close(fd);
}

/* Remembers what a WRITE command sent, block by block. */
static void note_write(struct run *r, const uint8_t *cdb, const uint8_t *buf,
		       uint32_t len)
{
	uint64_t lba;

	if (cdb[0] == 0x2A || cdb[0] == 0x2E || cdb[0] == 0xAA)
		lba = get_be32(cdb + 2);
	else if (cdb[0] == 0x8A || cdb[0] == 0x8E)
		lba = get_be64(cdb + 2);
	else
		return;
	for (uint32_t i = 0; i + BLK <= len; i += BLK) {
		if (r->n_sent == MAX_SENT) {
			r->sent_overflow = true;
			return;
		}
		r->sent[r->n_sent++] = (struct sent){ lba + i / BLK,
						      hash_block(buf + i) };
	}
}

static void check_reply(const struct mmc_cmd *c)
{
	FUZZ_CHECK(c->status == MMC_STATUS_GOOD ||
		   c->status == MMC_STATUS_CHECK);
	FUZZ_CHECK(c->sense_len <= MMC_SENSE_MAX);
	if (c->status == MMC_STATUS_CHECK)
		FUZZ_CHECK(c->sense_len >= 14 && (c->sense[0] & 0x7F) == 0x70);
	FUZZ_CHECK(c->resid <= c->len);
}

static void operator_action(struct run *r, const uint8_t *cdb)
{
	discfs_error e = { 0 };

	switch (cdb[0] % 3) {
	case 0:
		emu_clock_advance(r->d, get_be32(cdb + 1) % 600000u);
		break;
	case 1:
		(void)emu_eject(r->d, &e);
		break;
	default:
		FUZZ_CHECK(emu_load(r->d, image, &e) == 0);
		break;
	}
}

/* Runs one command from the input; false when the input is used up. */
static bool one_command(struct run *r, unsigned idx)
{
	static const uint8_t cdb_lens[4] = { 6, 10, 12, 16 };
	struct mmc_cmd c = { 0 };
	uint8_t kind;
	uint32_t len, have;

	if (r->end - r->p < 3)
		return false;
	kind = r->p[0];
	len = get_le16(r->p + 1);
	r->p += 3;
	c.cdb_len = cdb_lens[kind & 3];
	if ((size_t)(r->end - r->p) < c.cdb_len)
		return false;
	memcpy(c.cdb, r->p, c.cdb_len);
	r->p += c.cdb_len;
	if (((kind >> 2) & 3) == 3) {
		operator_action(r, c.cdb);
		return true;
	}
	c.dir = (enum mmc_dir)((kind >> 2) & 3);
	if (c.dir == MMC_DIR_NONE)
		len = 0;
	c.len = len;
	/* exactly len bytes of heap, so that ASan sees any overrun */
	c.buf = len ? malloc(len) : NULL;
	FUZZ_CHECK(len == 0 || c.buf);
	if (c.dir == MMC_DIR_OUT) {
		have = (kind & 0x10) ? 0
		       : (size_t)(r->end - r->p) < len ? (uint32_t)(r->end - r->p)
						       : len;
		if (have)
			memcpy(c.buf, r->p, have);
		r->p += have;
		for (uint32_t i = have; i < len; i++)
			((uint8_t *)c.buf)[i] = (uint8_t)(idx * 31 + i * 7 + 1);
		note_write(r, c.cdb, c.buf, len);
	}
	FUZZ_CHECK(emu_exec(r->d, &c) == 0);
	check_reply(&c);
	free(c.buf);
	return true;
}

static bool all_zero(const uint8_t *b)
{
	for (size_t i = 0; i < BLK; i++)
		if (b[i])
			return false;
	return true;
}

/* Every non-zero block holds data a WRITE sent to that LBA. */
static void check_image(struct run *r, uint64_t cap, bool rom)
{
	int fd = open(image, O_RDONLY);
	struct stat st;
	uint8_t *b = r->io;

	FUZZ_CHECK(fd >= 0 && fstat(fd, &st) == 0);
	if (rom) {
		FUZZ_CHECK(st.st_size == (off_t)ROM_BLOCKS * BLK);
		for (uint32_t lba = 0; lba < ROM_BLOCKS; lba++) {
			uint8_t want[BLK];
			rom_pattern(want, lba);
			FUZZ_CHECK(pread(fd, b, BLK, (off_t)lba * BLK) == BLK);
			FUZZ_CHECK(memcmp(b, want, BLK) == 0);
		}
		close(fd);
		return;
	}
	FUZZ_CHECK(st.st_size == (off_t)(cap * BLK));
	qsort(r->sent, r->n_sent, sizeof(r->sent[0]), cmp_sent);
	for (off_t off = lseek(fd, 0, SEEK_DATA); off >= 0 && off < st.st_size;
	     off = lseek(fd, off, SEEK_DATA)) {
		off_t hole = lseek(fd, off, SEEK_HOLE);
		for (off -= off % BLK; off < hole; off += BLK) {
			FUZZ_CHECK(pread(fd, b, BLK, off) == BLK);
			if (all_zero(b) || r->sent_overflow)
				continue;
			struct sent key = { (uint64_t)off / BLK, hash_block(b) };
			FUZZ_CHECK(bsearch(&key, r->sent, r->n_sent,
					   sizeof(key), cmp_sent) != NULL);
		}
	}
	close(fd);
}

/* The state file the drive wrote must load again. */
static void check_reload(void)
{
	struct emu_disc_summary sum;
	struct emu_options o;
	struct emu_drive *d = NULL;
	discfs_error e = { 0 };
	int rc = emu_disc_summary(image, &sum, &e);

	if (rc < 0)
		fprintf(stderr, "reload: %s\n", e.msg);
	FUZZ_CHECK(rc == 0);
	emu_options_default(&o);
	o.time_scale = 0;
	o.manual_clock = true;
	rc = emu_open(image, &o, &d, &e);
	if (rc < 0)
		fprintf(stderr, "reopen: %s\n", e.msg);
	FUZZ_CHECK(rc == 0);
	emu_close(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t caps[4] = { 1024, 4096, 8192, 13000 };
	static struct run r;
	const char *const *names = emu_media_names();
	struct emu_options o;
	discfs_error e = { 0 };
	size_t n_media = 0;
	const char *media;
	bool rom;

	if (size < 2)
		return 0;
	setup_dir();
	while (names[n_media])
		n_media++;
	media = names[data[0] % n_media];
	rom = strstr(media, "-rom") != NULL;
	unlink(state);
	unlink(image);
	if (rom)
		write_rom_image();
	FUZZ_CHECK(emu_disc_create(image, media, caps[data[1] & 3], &e) == 0);

	emu_options_default(&o);
	o.time_scale = 0;
	o.manual_clock = true;
	o.busy_when_full = data[1] & 4;
	o.pioneer_quirk = data[1] & 8;
	o.underrun_protection = !(data[1] & 16);
	r.d = NULL;
	FUZZ_CHECK(emu_open(image, &o, &r.d, &e) == 0);
	r.p = data + 2;
	r.end = data + size;
	r.n_sent = 0;
	r.sent_overflow = false;
	for (unsigned i = 0; i < MAX_CMDS && one_command(&r, i); i++)
		;
	emu_close(r.d);
	check_image(&r, caps[data[1] & 3], rom);
	check_reload();
	return 0;
}
