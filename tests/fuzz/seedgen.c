/*
 * tests/fuzz/seedgen.c - writes seed inputs for the harnesses from the
 * real thing: the emulated drive's replies (MMC parsers, sense), the
 * command sessions that produced them (emu_exec), the state files the
 * drive saved (emu_state) and journals of a real staging store
 * (staging_journal).  Built and run by make-seeds.sh; not a harness.
 *
 *   seedgen OUTDIR      (OUTDIR/NAME/ for harness fuzz_NAME)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fused/staging.h"
#include "mmc/emu/emu.h"
#include "mmc/mmc_defs.h"
#include "mmc/parse.h"
#include "util/bytes.h"

#define BLK 2048u
#define CAP_INDEX 1u   /* fuzz_emu_exec capacity 4096 blocks */
#define CAPACITY 4096u

static const char *outdir;
static char tmpdir[] = "/tmp/seedgen-XXXXXX";

struct gen {
	struct emu_drive *d;
	const char *media;
	uint8_t rec[1 << 16];   /* the session in fuzz_emu_exec format */
	size_t rec_len;
	uint8_t buf[65536];
	uint32_t got;
	uint8_t status;
	unsigned n_sense;
};

static void die(const char *what)
{
	fprintf(stderr, "seedgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void save(const char *harness, const char *name, int prefix,
		 const void *data, size_t len)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", outdir, harness);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/%s", outdir, harness, name);
	if (!(f = fopen(p, "wb")))
		die(p);
	if (prefix >= 0)
		fputc(prefix, f);
	if (fwrite(data, 1, len, f) != len || fclose(f))
		die(p);
}

/* Runs one command and records it; out data is a pattern. */
static void cmd(struct gen *g, const uint8_t *cdb, uint8_t cdb_len,
		enum mmc_dir dir, uint32_t len, const uint8_t *out)
{
	struct mmc_cmd c = { .cdb_len = cdb_len, .dir = dir, .len = len,
			     .buf = len ? g->buf : NULL };
	uint8_t kind = (uint8_t)((cdb_len == 6 ? 0 : cdb_len == 10 ? 1
				  : cdb_len == 12 ? 2 : 3) | dir << 2);
	char name[64];

	memcpy(c.cdb, cdb, cdb_len);
	if (dir == MMC_DIR_OUT && out)
		memcpy(g->buf, out, len);
	else if (dir == MMC_DIR_OUT)
		kind |= 0x10;
	if (g->rec_len + 3 + cdb_len + (out ? len : 0) <= sizeof(g->rec)) {
		g->rec[g->rec_len] = kind;
		put_le16(g->rec + g->rec_len + 1, (uint16_t)len);
		memcpy(g->rec + g->rec_len + 3, cdb, cdb_len);
		g->rec_len += 3u + cdb_len;
		if (out) {
			memcpy(g->rec + g->rec_len, out, len);
			g->rec_len += len;
		}
	}
	if (dir == MMC_DIR_OUT && !out) { /* as the harness fills it */
		unsigned idx = 0; /* commands recorded, this one included */
		for (size_t n = 2; n < g->rec_len; idx++) {
			uint8_t k = g->rec[n];
			uint8_t cl = (uint8_t[]){ 6, 10, 12, 16 }[k & 3];
			uint32_t l = get_le16(g->rec + n + 1);
			n += 3u + cl;
			if (((k >> 2) & 3) == MMC_DIR_OUT && !(k & 0x10))
				n += l;
		}
		for (uint32_t i = 0; i < len; i++)
			g->buf[i] = (uint8_t)((idx - 1) * 31 + i * 7 + 1);
	}
	if (emu_exec(g->d, &c) < 0)
		die("emu_exec");
	g->status = c.status;
	g->got = len - c.resid;
	if (c.status == MMC_STATUS_CHECK) {
		snprintf(name, sizeof(name), "%s-%02x-%u", g->media, cdb[0],
			 g->n_sense++);
		save("mmc_sense", name, -1, c.sense, c.sense_len);
	}
}

static void cdb10(struct gen *g, uint8_t op, uint8_t b1, uint32_t b2_5,
		  uint8_t b6, uint16_t alloc, enum mmc_dir dir, uint32_t len)
{
	uint8_t c[10] = { op, b1 };

	put_be32(c + 2, b2_5);
	c[6] = b6;
	put_be16(c + 7, alloc);
	cmd(g, c, 10, dir, len, NULL);
}

static void reply(struct gen *g, const char *harness, const char *what,
		  const char *phase, int prefix)
{
	char name[96];

	if (g->status != MMC_STATUS_GOOD || g->got == 0)
		return;
	snprintf(name, sizeof(name), "%s-%s-%s", g->media, what, phase);
	save(harness, name, prefix, g->buf, g->got);
}

/* Every query whose reply a parser harness takes. */
static void queries(struct gen *g, const char *phase)
{
	static const uint8_t pages[] = { 0x01, 0x05, 0x2A };
	uint8_t c12[12] = { 0 };
	char what[32];

	cmd(g, (uint8_t[]){ 0x12, 0, 0, 0, 96, 0 }, 6, MMC_DIR_IN, 96, NULL);
	reply(g, "mmc_misc", "inquiry", phase, 0);
	cdb10(g, 0x46, 0, 0, 0, 32768, MMC_DIR_IN, 32768);
	reply(g, "mmc_config", "config", phase, -1);
	cdb10(g, 0x51, 0, 0, 0, 256, MMC_DIR_IN, 256);
	reply(g, "mmc_disc_info", "disc", phase, -1);
	for (uint32_t t = 1; t <= 3; t++) {
		cdb10(g, 0x52, 1, t, 0, 256, MMC_DIR_IN, 256);
		snprintf(what, sizeof(what), "track%u", t);
		reply(g, "mmc_disc_info", what, phase, -1);
	}
	for (uint8_t f = 0; f <= 4; f++) {
		uint8_t c[10] = { 0x43, f == 4 ? 2 : 0, f };
		put_be16(c + 7, 4096);
		cmd(g, c, 10, MMC_DIR_IN, 4096, NULL);
		snprintf(what, sizeof(what), "toc%u", f);
		reply(g, "mmc_toc", what, phase, f);
	}
	cdb10(g, 0x25, 0, 0, 0, 0, MMC_DIR_IN, 8);
	reply(g, "mmc_misc", "capacity", phase, 1);
	cdb10(g, 0x23, 0, 0, 0, 256, MMC_DIR_IN, 256);
	reply(g, "mmc_format_caps", "fcaps", phase, -1);
	for (size_t i = 0; i < sizeof(pages); i++) {
		cdb10(g, 0x5A, 0, (uint32_t)pages[i] << 24, 0, 256,
		      MMC_DIR_IN, 256);
		snprintf(what, sizeof(what), "page%02x", pages[i]);
		reply(g, "mmc_mode", what, phase, pages[i]);
	}
	cdb10(g, 0x4A, 1, 0x10u << 16, 0, 8, MMC_DIR_IN, 8);
	reply(g, "mmc_misc", "gesn", phase, 2);
	cdb10(g, 0x5C, 0, 0, 0, 12, MMC_DIR_IN, 12);
	reply(g, "mmc_misc", "bufcap", phase, 3);
	for (uint8_t type = 0; type <= 3; type += 3) {
		memset(c12, 0, sizeof(c12));
		c12[0] = 0xAC;
		c12[1] = type == 0 ? 0x10 : 0;
		put_be16(c12 + 8, 8);
		c12[10] = type;
		cmd(g, c12, 12, MMC_DIR_IN, 8 + 8 * 16, NULL);
		reply(g, "mmc_misc", type ? "perf3" : "perf0", phase,
		      type ? 5 : 4);
	}
	memset(c12, 0, sizeof(c12));
	c12[0] = 0xAD;
	put_be16(c12 + 8, 2052);
	cmd(g, c12, 12, MMC_DIR_IN, 2052, NULL);
	reply(g, "mmc_misc", "structure", phase, 6);
	reply(g, "mmc_misc", "physical", phase, 7);
	memset(c12, 0, sizeof(c12));
	c12[0] = 0xBD;
	put_be16(c12 + 8, 8);
	cmd(g, c12, 12, MMC_DIR_IN, 8, NULL);
	reply(g, "mmc_misc", "mech", phase, 8);
}

static void write_params(struct gen *g, bool cd)
{
	struct mmc_page_05 p = { .write_type = cd ? MMC_WT_TAO : MMC_WT_PACKET,
				 .track_mode = cd ? 4 : 5,
				 .data_block_type = 8, .bufe = true,
				 .fp = !cd, .packet_size = cd ? 0 : 16,
				 .multisession = 3 };
	uint8_t sel[MMC_MODE_SELECT_05_LEN];
	uint8_t c[10] = { 0x55, 0x10 };

	mmc_build_page_05(&p, sel);
	put_be16(c + 7, sizeof(sel));
	cmd(g, c, 10, MMC_DIR_OUT, sizeof(sel), sel);
}

/* The last track of the last session (from READ DISC INFORMATION). */
static uint32_t last_track(struct gen *g)
{
	cdb10(g, 0x51, 0, 0, 0, 34, MMC_DIR_IN, 34);
	if (g->status != MMC_STATUS_GOOD || g->got < 12)
		return 1;
	return (uint32_t)g->buf[10] << 8 | g->buf[6];
}

static uint32_t next_writable(struct gen *g)
{
	cdb10(g, 0x52, 1, last_track(g), 0, 48, MMC_DIR_IN, 48);
	if (g->status == MMC_STATUS_GOOD && g->got >= 16 && (g->buf[7] & 1))
		return get_be32(g->buf + 12);
	return 0;
}

static void format_if_needed(struct gen *g)
{
	uint8_t list[12] = { 0, 0x02, 0, 8 };

	cdb10(g, 0x23, 0, 0, 0, 256, MMC_DIR_IN, 256);
	if (g->status != MMC_STATUS_GOOD || g->got < 20)
		return;
	memcpy(list + 4, g->buf + 12, 8); /* first formattable descriptor */
	cmd(g, (uint8_t[]){ 0x04, 0x11, 0, 0, 0, 0 }, 6, MMC_DIR_OUT,
	    sizeof(list), list);
}

static void write_some(struct gen *g, bool cd)
{
	uint32_t nwa;

	write_params(g, cd);
	format_if_needed(g);
	nwa = next_writable(g);
	for (int i = 0; i < 2; i++) {
		cdb10(g, 0x2A, 0, nwa, 0, 16, MMC_DIR_OUT, 16 * BLK);
		nwa += 16;
	}
	cdb10(g, 0x35, 0, 0, 0, 0, MMC_DIR_NONE, 0);
	cdb10(g, 0x5B, 0, (1u << 24) | last_track(g), 0, 0, MMC_DIR_NONE, 0);
	cdb10(g, 0x5B, 0, (2u << 24), 0, 0, MMC_DIR_NONE, 0);
}

static void errors(struct gen *g)
{
	cdb10(g, 0x28, 0, 0x7FFFFFF0u, 0, 1, MMC_DIR_IN, BLK);
	cmd(g, (uint8_t[]){ 0xFF, 0, 0, 0, 0, 0 }, 6, MMC_DIR_NONE, 0, NULL);
	cdb10(g, 0x2A, 0, 5, 0, 1, MMC_DIR_OUT, BLK);
}

static void save_state(const char *image, const char *name)
{
	char p[512], buf[1 << 16];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s.state", image);
	if ((fd = open(p, O_RDONLY)) < 0)
		die(p);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		die(p);
	save("emu_state", name, -1, buf, (size_t)n);
}

static void one_media(unsigned idx, const char *media)
{
	static struct gen g;
	struct emu_options o;
	discfs_error e = { 0 };
	char image[256], p[300], name[64];
	bool rom = strstr(media, "-rom"), cd = !strncmp(media, "cd", 2);

	snprintf(image, sizeof(image), "%s/%s", tmpdir, media);
	if (rom) {
		int fd = open(image, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		uint8_t b[BLK];
		for (unsigned i = 0; i < 64; i++) {
			memset(b, (int)(i * 7 + 1), sizeof(b));
			if (fd < 0 || write(fd, b, BLK) != BLK)
				die(image);
		}
		close(fd);
	}
	if (emu_disc_create(image, media, CAPACITY, &e) < 0) {
		fprintf(stderr, "seedgen: %s\n", e.msg);
		exit(1);
	}
	save_state(image, media);
	emu_options_default(&o);
	o.time_scale = 0;
	o.manual_clock = true;
	memset(&g, 0, sizeof(g));
	g.media = media;
	g.rec[0] = (uint8_t)idx;
	g.rec[1] = CAP_INDEX;
	g.rec_len = 2;
	if (emu_open(image, &o, &g.d, &e) < 0) {
		fprintf(stderr, "seedgen: %s\n", e.msg);
		exit(1);
	}
	cmd(&g, (uint8_t[]){ 0 }, 6, MMC_DIR_NONE, 0, NULL);
	cmd(&g, (uint8_t[]){ 0 }, 6, MMC_DIR_NONE, 0, NULL);
	queries(&g, "blank");
	save("emu_exec", media, -1, g.rec, g.rec_len);
	if (!rom) {
		write_some(&g, cd);
		queries(&g, "written");
	}
	errors(&g);
	snprintf(name, sizeof(name), "%s-session", media);
	save("emu_exec", name, -1, g.rec, g.rec_len);
	emu_close(g.d);
	snprintf(name, sizeof(name), "%s-used", media);
	save_state(image, name);
	unlink(image);
	snprintf(p, sizeof(p), "%s.state", image);
	unlink(p);
}

/* ------------------------------------------------------------ staging */

static void save_journal(const char *dir, const char *name)
{
	static uint8_t raw[1 << 20], bodies[1 << 20];
	char p[512];
	size_t n, off = 0, nb = 0;
	int fd;

	snprintf(p, sizeof(p), "%s/journal", dir);
	if ((fd = open(p, O_RDONLY)) < 0)
		die(p);
	n = (size_t)read(fd, raw, sizeof(raw));
	close(fd);
	save("staging_journal", name, 0, raw, n);
	/* the same records as bodies, for the harness to frame */
	while (off + STG_JOURNAL_HDR + STG_JOURNAL_TRAILER <= n) {
		uint32_t len = get_le32(raw + off + 4);
		put_le16(bodies + nb, (uint16_t)len);
		memcpy(bodies + nb + 2, raw + off + STG_JOURNAL_HDR, len);
		nb += 2u + len;
		off += STG_JOURNAL_HDR + len + STG_JOURNAL_TRAILER;
	}
	snprintf(p, sizeof(p), "%s-bodies", name);
	save("staging_journal", p, 1, bodies, nb);
}

static void staging(void)
{
	struct stg_params prm = { .root_mode = 040755, .uid = 1000,
				  .gid = 1000, .generation = "gen-a" };
	struct stg_store s;
	struct stg_inode *a, *d, *l;
	discfs_error e = { 0 };
	char dir[300], p[400];
	static const char *const files[] = { "journal", "lock",
					     "seg-00000000.dat" };

	snprintf(dir, sizeof(dir), "%s/stg", tmpdir);
	if (stg_store_open(&s, dir, &prm, &e) < 0) {
		fprintf(stderr, "seedgen: %s\n", e.msg);
		exit(1);
	}
	stg_mknod(&s, STG_ROOT_INO, "dir", 040755, 1000, 1000, 0, &d);
	stg_mknod(&s, d->ino, "a.txt", 0100644, 1000, 1000, 0, &a);
	stg_write(&s, a->ino, 0, "hello, world\n", 13);
	stg_write(&s, a->ino, 4096, "tail", 4);
	stg_symlink(&s, STG_ROOT_INO, "ln", "dir/a.txt", 1000, 1000, &l);
	stg_link(&s, a->ino, STG_ROOT_INO, "hard");
	stg_setxattr(&s, a->ino, "user.k", "v", 1, 0);
	stg_setattr(&s, a->ino, STG_SET_MODE | STG_SET_SIZE | STG_SET_MTIME,
		    0100600, 0, 0, 100, 0, 1700000000000000000ll);
	stg_rename(&s, d->ino, "a.txt", STG_ROOT_INO, "b.txt", 0);
	stg_mknod(&s, STG_ROOT_INO, "fifo", 010644, 0, 0, 0, NULL);
	stg_rmxattr(&s, a->ino, "user.k");
	stg_unlink(&s, STG_ROOT_INO, "hard", false);
	save_journal(dir, "ops");
	stg_store_commit_begin(&s, "seedgen", &e);
	save_journal(dir, "ops-commit");
	stg_store_close(&s);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *const *names = emu_media_names();

	if (argc != 2) {
		fprintf(stderr, "usage: seedgen OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	if (!mkdtemp(tmpdir))
		die("mkdtemp");
	for (unsigned i = 0; names[i]; i++)
		one_media(i, names[i]);
	staging();
	rmdir(tmpdir);
	return 0;
}
