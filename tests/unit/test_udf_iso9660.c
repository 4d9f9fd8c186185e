/*
 * tests/unit/test_udf_iso9660.c - the ISO9660 side of a bridge image:
 * volume descriptors, directory records sharing the UDF file data,
 * mangled names kept unique, Rock Ridge names, Joliet names cut to 64
 * UTF-16 units without splitting a surrogate pair, multi-extent records
 * for files over 4 GiB, path tables, El Torito catalog checksums.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discfs.h"
#include "util/bytes.h"

#define BS 2048u

struct mem {
	uint8_t *p;
	uint64_t blocks, stop_at;
};

static int mem_sink(void *ctx, uint64_t lba, const uint8_t *data, uint32_t n,
		    discfs_error *err)
{
	struct mem *m = ctx;
	(void)err;
	if (m->stop_at && lba + n > m->stop_at)
		return -DISCFS_ECANCELED;
	m->p = realloc(m->p, (size_t)(lba + n) * BS);
	memcpy(m->p + lba * BS, data, (size_t)n * BS);
	m->blocks = lba + n;
	return 0;
}

static char *mktree(void)
{
	char tmpl[] = "/tmp/test_udf_iso9660.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

static void put_file(const char *dir, const char *name, const char *content)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void rm_tree(char *d)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(d);
}

static struct mem make(const char *d, bool joliet, const char *boot, uint64_t stop)
{
	discfs_image_options o;
	discfs_image_options_init(&o);
	o.iso9660 = true;
	o.joliet = joliet;
	o.boot_bios = boot;
	o.fixed_time_set = true;
	o.fixed_time = 1700000000;
	o.label = "my volume";
	discfs_image *img;
	discfs_error e = { 0 };
	if (discfs_image_open(d, &o, &img, &e))
		fail_msg("open: %s", e.msg);
	struct mem m = { .stop_at = stop };
	int rc = discfs_image_produce(img, mem_sink, &m, &e);
	assert_true(rc == 0 || (stop && rc == -DISCFS_ECANCELED));
	discfs_image_stats st;
	discfs_image_stats_get(img, &st);
	if (!stop)
		assert_int_equal(st.blocks, m.blocks);
	discfs_image_free(img);
	return m;
}

struct rec {
	uint32_t extent, size;
	uint8_t flags;
	const uint8_t *name;
	unsigned nlen;
	const uint8_t *su;
	unsigned su_len;
};

/* Calls fn for each record of the directory extent at sector/size. */
static unsigned each_rec(const struct mem *m, uint32_t sector, uint32_t size,
			 struct rec *out, unsigned max)
{
	unsigned n = 0;
	for (uint32_t off = 0; off < size && n < max;) {
		const uint8_t *r = m->p + (uint64_t)sector * BS + off;
		if (r[0] == 0) { /* records never cross sectors: skip the pad */
			off = (off / BS + 1) * BS;
			continue;
		}
		assert_true(off % BS + r[0] <= BS);
		struct rec *x = &out[n++];
		x->extent = get_le32(r + 2);
		assert_int_equal(get_be32(r + 6), x->extent);
		x->size = get_le32(r + 10);
		assert_int_equal(get_be32(r + 14), x->size);
		x->flags = r[25];
		x->nlen = r[32];
		x->name = r + 33;
		unsigned su_off = 33 + x->nlen + !(x->nlen & 1);
		x->su = r + su_off;
		x->su_len = r[0] - su_off;
		off += r[0];
	}
	return n;
}

/* Rock Ridge NM name of a record (concatenating NM pieces in the record). */
static void rr_name(const struct rec *x, char *out)
{
	size_t o = 0;
	for (unsigned i = 0; i + 4 <= x->su_len && x->su[i + 2];) {
		if (x->su[i] == 'N' && x->su[i + 1] == 'M') {
			memcpy(out + o, x->su + i + 5, x->su[i + 2] - 5u);
			o += x->su[i + 2] - 5u;
		}
		i += x->su[i + 2];
	}
	out[o] = 0;
}

static void pvd_describes_the_volume_and_records_share_udf_data(void **state)
{
	(void)state;
	char *d = mktree();
	put_file(d, "Hello World.txt", "greetings");
	put_file(d, "hello_world.TXT", "other");
	struct mem m = make(d, false, NULL, 0);
	const uint8_t *pvd = m.p + 16 * BS;
	assert_int_equal(pvd[0], 1);
	assert_memory_equal(pvd + 1, "CD001", 5);
	assert_int_equal(get_le32(pvd + 80), m.blocks);
	assert_int_equal(get_be32(pvd + 84), m.blocks);
	assert_memory_equal(pvd + 40, "MY_VOLUME ", 10);
	assert_int_equal(m.p[17 * BS], 255); /* terminator */
	assert_memory_equal(m.p + 18 * BS + 1, "BEA01", 5); /* UDF VRS follows, no gap */

	uint32_t root = get_le32(pvd + 156 + 2), rsize = get_le32(pvd + 156 + 10);
	struct rec r[8];
	unsigned n = each_rec(&m, root, rsize, r, 8);
	assert_int_equal(n, 4); /* ".", "..", two files */
	/* both mangle to HELLO_WORLD.TXT;1: one gets a unique suffix */
	assert_false(r[2].nlen == r[3].nlen && !memcmp(r[2].name, r[3].name, r[2].nlen));
	char nm[300];
	bool seen = false;
	for (unsigned i = 2; i < n; i++) {
		rr_name(&r[i], nm);
		if (!strcmp(nm, "Hello World.txt")) {
			seen = true;
			assert_int_equal(r[i].size, 9);
			assert_memory_equal(m.p + (uint64_t)r[i].extent * BS, "greetings", 9);
		}
	}
	assert_true(seen);
	/* the root "." carries SP then CE to the ER entry */
	assert_memory_equal(r[0].su, "SP", 2);
	/* L path table: one entry for the root, pointing at its extent */
	uint32_t ptl = get_le32(pvd + 140);
	assert_int_equal(get_le32(pvd + 132), 10);
	assert_int_equal(get_le32(m.p + (uint64_t)ptl * BS + 2), root);
	assert_int_equal(get_be32(m.p + (uint64_t)get_be32(pvd + 148) * BS + 2), root);
	free(m.p);
	rm_tree(d);
}

static void joliet_names_are_cut_to_64_units_keeping_pairs(void **state)
{
	(void)state;
	char *d = mktree();
	/* 63 'a' then an emoji: 65 UTF-16 units, the pair must not be split */
	char name[200];
	memset(name, 'a', 63);
	strcpy(name + 63, "\xf0\x9f\x98\x80");
	put_file(d, name, "x");
	char name2[200];
	memset(name2, 'b', 80);
	name2[80] = 0;
	put_file(d, name2, "y");
	struct mem m = make(d, true, NULL, 0);
	const uint8_t *svd = m.p + 17 * BS;
	assert_int_equal(svd[0], 2);
	assert_memory_equal(svd + 88, "%/E", 3);
	uint32_t root = get_le32(svd + 156 + 2), rsize = get_le32(svd + 156 + 10);
	struct rec r[8];
	unsigned n = each_rec(&m, root, rsize, r, 8);
	assert_int_equal(n, 4);
	for (unsigned i = 2; i < n; i++) {
		assert_true(r[i].nlen <= 128);
		assert_int_equal(r[i].nlen % 2, 0);
		unsigned last = get_be16(r[i].name + r[i].nlen - 2);
		assert_false(last >= 0xD800 && last <= 0xDBFF); /* no lone high half */
		if (r[i].name[1] == 'a')
			assert_int_equal(r[i].nlen, 63 * 2);
		else
			assert_int_equal(r[i].nlen, 128);
	}
	free(m.p);
	rm_tree(d);
}

static void files_of_4_gib_and_more_get_multi_extent_records(void **state)
{
	(void)state;
	char *d = mktree(), p[4200];
	snprintf(p, sizeof p, "%s/huge", d);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	const uint64_t size = 4ull * 1024 * 1024 * 1024 + 4096 + 1;
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
	struct mem m = make(d, false, NULL, 512); /* metadata only */
	const uint8_t *pvd = m.p + 16 * BS;
	struct rec r[8];
	unsigned n = each_rec(&m, get_le32(pvd + 158), get_le32(pvd + 166), r, 8);
	assert_int_equal(n, 4);
	assert_int_equal(r[2].flags & 0x80, 0x80);
	assert_int_equal(r[3].flags & 0x80, 0);
	assert_int_equal(r[2].size, 0xFFFFF800u);
	assert_int_equal((uint64_t)r[2].size + r[3].size, size);
	assert_int_equal(r[3].extent, r[2].extent + 0xFFFFF800u / BS);
	assert_int_equal(r[2].nlen, r[3].nlen);
	free(m.p);
	rm_tree(d);
}

static void el_torito_catalog_validates_and_points_at_the_image(void **state)
{
	(void)state;
	char *d = mktree(), p[4200];
	snprintf(p, sizeof p, "%s/boot", d);
	mkdir(p, 0755);
	put_file(p, "loader.bin", "BOOTCODE");
	struct mem m = make(d, true, "boot/loader.bin", 0);
	const uint8_t *br = m.p + 17 * BS;
	assert_int_equal(br[0], 0);
	assert_memory_equal(br + 7, "EL TORITO SPECIFICATION", 23);
	assert_int_equal(m.p[18 * BS], 2);   /* Joliet after the boot record */
	assert_int_equal(m.p[19 * BS], 255); /* then the terminator */
	const uint8_t *cat = m.p + (uint64_t)get_le32(br + 0x47) * BS;
	uint16_t sum = 0;
	for (int i = 0; i < 32; i += 2)
		sum = (uint16_t)(sum + get_le16(cat + i));
	assert_int_equal(sum, 0);
	assert_int_equal(cat[30], 0x55);
	assert_int_equal(cat[31], 0xAA);
	assert_int_equal(cat[32], 0x88);
	assert_int_equal(cat[33], 0); /* no emulation */
	assert_memory_equal(m.p + (uint64_t)get_le32(cat + 40) * BS, "BOOTCODE", 8);

	/* a boot image outside the tree is refused with one clear line */
	discfs_image_options o;
	discfs_image_options_init(&o);
	o.iso9660 = true;
	o.boot_efi = "no/such.img";
	discfs_image *img;
	discfs_error e = { 0 };
	assert_int_equal(discfs_image_open(d, &o, &img, &e), -DISCFS_EINVAL);
	assert_non_null(strstr(e.msg, "no/such.img"));
	free(m.p);
	rm_tree(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pvd_describes_the_volume_and_records_share_udf_data),
		cmocka_unit_test(joliet_names_are_cut_to_64_units_keeping_pairs),
		cmocka_unit_test(files_of_4_gib_and_more_get_multi_extent_records),
		cmocka_unit_test(el_torito_catalog_validates_and_points_at_the_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
