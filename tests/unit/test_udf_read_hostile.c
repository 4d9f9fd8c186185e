/*
 * tests/unit/test_udf_read_hostile.c - the reader against damaged and
 * malicious volumes: every case must end in a clear -DISCFS_EFORMAT (or a
 * harmless reading), never a crash, a hang or unbounded memory.  Run under
 * ASan/UBSan too (make check does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "test_udf_read_helpers.h"

static char *tmp;
static char src[4200], plain[4200], vat[4200], meta[4200], img[4200];

static int setup(void **state)
{
	(void)state;
	tmp = tr_tmpdir();
	tr_path(src, sizeof src, tmp, "src");
	mkdir(src, 0755);
	tr_make_tree(src);
	tr_path(plain, sizeof plain, tmp, "plain.udf");
	tr_make_image(src, plain, 0x0201, NULL);
	tr_path(vat, sizeof vat, tmp, "vat.udf");
	tr_make_image(src, vat, 0x0201, "dvd-r");
	tr_path(meta, sizeof meta, tmp, "meta.udf");
	tr_make_image(src, meta, 0x0250, NULL);
	tr_path(img, sizeof img, tmp, "scratch.udf");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tr_rm_rf(tmp);
	free(tmp);
	return 0;
}

static void fresh(const char *from)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, img);
	assert_int_equal(system(cmd), 0);
}

/* Looks path up in the scratch image; returns the code, err filled. */
static int lookup_rc(const char *path, discfs_error *e)
{
	struct udf_vol *v = tr_open(img, e);
	struct udf_inode *ino = NULL;
	if (!v)
		return -e->code;
	int rc = udf_lookup(v, path, &ino, e);
	udf_inode_free(ino);
	udf_vol_close(v);
	return rc;
}

static void patch_fe(const char *path, void (*fn)(uint8_t *b, struct tr_where *w))
{
	uint8_t b[TR_BS];
	struct tr_where w = tr_locate(img, path);
	tr_rw_block(img, w.fe_abs, b, false);
	fn(b, &w);
	tr_rw_block(img, w.fe_abs, b, true);
}

static void flip_checksum(uint8_t *b, struct tr_where *w) { (void)w; b[4] ^= 1; }
static void flip_body(uint8_t *b, struct tr_where *w) { (void)w; b[40] ^= 1; }

static void damaged_tag_checksum_is_a_clear_error(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	patch_fe("/hello.txt", flip_checksum);
	assert_int_equal(lookup_rc("/hello.txt", &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "checksum"));
	/* the rest of the tree is still readable */
	assert_int_equal(lookup_rc("/dir/big.bin", &e), 0);
}

static void damaged_descriptor_crc_is_a_clear_error(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	patch_fe("/dir/big.bin", flip_body);
	assert_int_equal(lookup_rc("/dir/big.bin", &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "CRC"));
}

static void ad_outside(uint8_t *b, struct tr_where *w)
{
	(void)w;
	put_le32(b + tr_ad_offset(b) + 4, 0x7FFFFFF0u);
	tr_retag(b);
}

static void extent_outside_the_partition_is_refused(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	patch_fe("/dir/big.bin", ad_outside);
	assert_int_equal(lookup_rc("/dir/big.bin", &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "outside"));
}

static void huge_length(uint8_t *b, struct tr_where *w)
{
	(void)w;
	put_le64(b + 56, 1ull << 62);
	tr_retag(b);
}

static void absurd_file_length_is_refused(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(vat);
	patch_fe("/dir/big.bin", huge_length);
	assert_int_equal(lookup_rc("/dir/big.bin", &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "exceeds"));
	fresh(plain);
	patch_fe("/hello.txt", huge_length); /* in-ICB data */
	assert_int_equal(lookup_rc("/hello.txt", &e), -DISCFS_EFORMAT);
}

static void huge_l_ad(uint8_t *b, struct tr_where *w)
{
	(void)w;
	put_le32(b + (get_le16(b) == TAG_EFE ? 212 : 172), 0xFFFFFF00u);
	tr_retag(b);
}

static void ad_area_larger_than_the_block_is_refused(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	patch_fe("/dir/big.bin", huge_l_ad);
	/* the CRC length cannot cover it: either the tag or the size check */
	assert_int_equal(lookup_rc("/dir/big.bin", &e), -DISCFS_EFORMAT);
}

/* Finds the FID named name (8-bit CS0) in directory dir; patches it. */
static void patch_fid(const char *dir, const char *name,
		      void (*fn)(uint8_t *fid, size_t size, void *arg), void *arg)
{
	uint8_t b[TR_BS];
	struct tr_where w = tr_locate(img, dir);
	uint64_t at = w.inline_data ? w.fe_abs : w.ext0_abs;
	tr_rw_block(img, at, b, false);
	size_t o = w.inline_data ? tr_ad_offset(b) : 0;
	size_t end = w.inline_data ? o + get_le32(b + (w.efe ? 212 : 172)) : TR_BS;
	size_t nl = strlen(name);
	while (o + 38 <= end && get_le16(b + o) == TAG_FID) {
		uint8_t *f = b + o;
		size_t liu = get_le16(f + 36), lfi = f[19];
		size_t size = ecma_fid_size((unsigned)liu, (unsigned)lfi);
		if (lfi == nl + 1 && !memcmp(f + 38 + liu + 1, name, nl)) {
			fn(f, size, arg);
			tr_retag(f);
			if (w.inline_data)
				tr_retag(b);
			tr_rw_block(img, at, b, true);
			return;
		}
		o += size;
	}
	fail_msg("no entry %s in %s", name, dir);
}

static void set_cs0_id(uint8_t *f, size_t size, void *arg)
{
	(void)size;
	f[38 + get_le16(f + 36)] = *(uint8_t *)arg;
}

static void bad_cs0_compression_id_is_a_clear_error(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	uint8_t id = 7;
	fresh(plain);
	patch_fid("/", "hello.txt", set_cs0_id, &id);
	assert_int_equal(lookup_rc("/not-there", &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "name"));
}

static void odd_length_utf16_name_is_a_clear_error(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	uint8_t id = 16; /* "hello.txt" is 9 bytes: odd for UTF-16 */
	fresh(plain);
	patch_fid("/", "hello.txt", set_cs0_id, &id);
	assert_int_equal(lookup_rc("/not-there", &e), -DISCFS_EFORMAT);
}

static void put_slash(uint8_t *f, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	f[38 + get_le16(f + 36) + 1] = '/';
}

static void slash_in_a_name_is_mapped_not_followed(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	patch_fid("/", "hello.txt", put_slash, NULL);
	assert_int_equal(lookup_rc("/%2Fello.txt", &e), 0);
	assert_int_equal(lookup_rc("/_ello.txt", &e), -DISCFS_ENOENT);
	assert_int_equal(lookup_rc("/hello.txt", &e), -DISCFS_ENOENT);
}

static void put_nul(uint8_t *f, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	f[38 + get_le16(f + 36) + 2] = 0;
}

static void nul_in_a_name_is_shown_as_percent_00(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	patch_fid("/", "hello.txt", put_nul, NULL);
	assert_int_equal(lookup_rc("/h%00llo.txt", &e), 0);
	assert_int_equal(lookup_rc("/dir/sub", &e), 0);
}

/* Renames the FID to the 8-bit name arg (no longer than the old one),
 * growing the implementation use so the FID keeps its size. */
static void rename_fid(uint8_t *f, size_t size, void *arg)
{
	(void)size;
	const char *name = arg;
	size_t liu = get_le16(f + 36), lfi = f[19], nl = strlen(name);
	size_t new_lfi = nl ? nl + 1 : 0, new_liu = liu + lfi - new_lfi;
	memset(f + 38 + liu, 0, lfi);
	put_le16(f + 36, (uint16_t)new_liu);
	f[19] = (uint8_t)new_lfi;
	if (nl) {
		f[38 + new_liu] = 8;
		memcpy(f + 38 + new_liu + 1, name, nl);
	}
}

static void names_dot_dotdot_and_empty_are_shown_escaped(void **state)
{
	(void)state;
	static const char *const recorded[] = { ".", "..", "" };
	static const char *const shown[] = { "/%2E", "/%2E%2E", "/%~" };
	for (int i = 0; i < 3; i++) {
		discfs_error e = { 0 };
		fresh(plain);
		patch_fid("/", "empty", rename_fid, (void *)recorded[i]);
		assert_int_equal(lookup_rc(shown[i], &e), 0);
		assert_int_equal(lookup_rc("/empty", &e), -DISCFS_ENOENT);
		/* the rest of the directory stays readable */
		assert_int_equal(lookup_rc("/hello.txt", &e), 0);
	}
}

static void count_escaped_notes(void *user, const discfs_fsck_issue *is)
{
	if (is->severity == DISCFS_FSCK_INFO && strstr(is->msg, "shown escaped"))
		(*(unsigned *)user)++;
}

/* Runs discfs_fsck on the scratch image and returns what it found;
 * *notes counts the notes about escaped names. */
static discfs_fsck_result fsck_img_notes(unsigned *notes)
{
	discfs_fsck_result res;
	discfs_error e = { 0 };
	*notes = 0;
	assert_int_equal(discfs_fsck(img, 0, count_escaped_notes, notes, &res,
				     &e), 0);
	return res;
}

static discfs_fsck_result fsck_img(void)
{
	unsigned notes;
	return fsck_img_notes(&notes);
}

static void fsck_calls_dot_names_errors_and_notes_a_slash(void **state)
{
	(void)state;
	discfs_fsck_result r;
	fresh(plain);
	r = fsck_img();
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.warnings, 0);
	static const char *const recorded[] = { ".", "..", "" };
	for (int i = 0; i < 3; i++) {
		fresh(plain);
		patch_fid("/", "empty", rename_fid, (void *)recorded[i]);
		r = fsck_img();
		assert_true(r.errors >= 1);
	}
	unsigned notes;
	fresh(plain);
	patch_fid("/", "hello.txt", put_slash, NULL);
	r = fsck_img_notes(&notes);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.warnings, 0);
	assert_int_equal(notes, 1);
}

static void point_at(uint8_t *f, size_t size, void *arg)
{
	(void)size;
	const struct udf_icb *icb = arg;
	put_le32(f + 24, icb->lbn);
	put_le16(f + 28, icb->part);
}

static int walk_count(void *arg, const char *rel, struct udf_inode *ino)
{
	(void)rel;
	(void)ino;
	(*(unsigned *)arg)++;
	return 0;
}

static void directory_loop_is_detected_by_the_walk(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	for (int k = 0; k < 2; k++) {
		fresh(k ? meta : plain);
		struct tr_where root = tr_locate(img, "/");
		patch_fid("/dir", "sub", point_at, &root.icb);
		struct udf_vol *v = tr_open(img, &e);
		unsigned n = 0;
		assert_non_null(v);
		assert_int_equal(udf_walk(v, "/", walk_count, &n, &e), -DISCFS_EFORMAT);
		assert_non_null(strstr(e.msg, "loop"));
		assert_true(n < 100);
		udf_vol_close(v);
	}
}

struct aed_arg {
	uint32_t blk;
	uint16_t part;
	unsigned adtype;
};

static void ad_to_self_aed(uint8_t *b, struct tr_where *w)
{
	size_t o = tr_ad_offset(b);
	unsigned adtype = get_le16(b + 16 + 18) & 7;
	assert_true(adtype == 0 || adtype == 1);
	put_le32(b + o, 3u << 30 | TR_BS);
	put_le32(b + o + 4, w->ext0.lbn);
	tr_retag(b);
	/* the AED at the file's first data block continues at itself */
	uint8_t a[TR_BS] = { 0 };
	unsigned sz = adtype ? 16 : 8;
	put_le32(a + 20, sz);
	put_le32(a + 24, 3u << 30 | TR_BS);
	put_le32(a + 28, w->ext0.lbn);
	if (adtype)
		put_le16(a + 32, w->ext0.part);
	udf_tag_make(a, 24 + sz, TAG_AED, get_le16(b + 2), 1, w->ext0.lbn);
	tr_rw_block(img, w->ext0_abs, a, true);
}

static void allocation_extent_chain_loop_is_bounded(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	patch_fe("/dir/big.bin", ad_to_self_aed);
	assert_int_equal(lookup_rc("/dir/big.bin", &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "allocation extents"));
}

static void self_indirect(uint8_t *b, struct tr_where *w)
{
	uint16_t ver = get_le16(b + 2);
	memset(b + 16, 0, TR_BS - 16);
	b[16 + 11] = FT_IE;
	put_le16(b + 16 + 4, 4096);
	put_le32(b + 36, TR_BS);
	put_le32(b + 40, w->icb.lbn);
	put_le16(b + 44, w->icb.part);
	udf_tag_make(b, sizeof(struct ecma_ie), TAG_IE, ver, 1, w->icb.lbn);
}

static void indirect_entry_loop_is_bounded(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	patch_fe("/hello.txt", self_indirect);
	assert_int_equal(lookup_rc("/hello.txt", &e), -DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "indirect"));
}

static int read_everything(void *arg, const char *rel, struct udf_inode *ino)
{
	struct udf_vol *v = arg;
	uint8_t buf[4096];
	size_t got;
	(void)rel;
	if (udf_inode_is_dir(ino))
		return 0;
	for (uint64_t off = 0; off < ino->st.size; off += sizeof buf)
		if (udf_read(v, ino, off, buf, sizeof buf, &got, NULL))
			return 0; /* an error is a fine outcome; keep walking */
	return 0;
}

static void truncated_image_fails_cleanly(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	struct stat st;
	fresh(plain);
	assert_int_equal(stat(img, &st), 0);
	for (int pct = 90; pct > 0; pct -= 20) {
		assert_int_equal(truncate(img, st.st_size * pct / 100), 0);
		struct udf_vol *v = tr_open(img, &e);
		if (!v) {
			assert_true(e.code == DISCFS_EFORMAT);
			continue;
		}
		udf_walk(v, "/", read_everything, v, &e);
		uint8_t *d;
		size_t n;
		int rc = tr_read_all(v, "/dir/big.bin", &d, &n, &e);
		if (rc == 0)
			free(d);
		else
			assert_int_equal(rc, -DISCFS_EFORMAT);
		udf_vol_close(v);
	}
	assert_int_equal(truncate(img, 0), 0);
	assert_null(tr_open(img, &e));
	assert_int_equal(e.code, DISCFS_EFORMAT);
}

static void zeros_are_not_a_udf_volume(void **state)
{
	(void)state;
	discfs_error e = { 0 };
	fresh(plain);
	assert_int_equal(truncate(img, 0), 0);
	assert_int_equal(truncate(img, 1 << 20), 0);
	assert_null(tr_open(img, &e));
	assert_int_equal(e.code, DISCFS_EFORMAT);
	assert_non_null(strstr(e.msg, "anchor"));
}

/* An in-memory block source, so fuzzing needs no file copies. */
struct mem_src {
	uint8_t *data;
	uint64_t blocks;
};

static int mem_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		    discfs_error *err)
{
	struct mem_src *m = ctx;
	(void)err;
	memcpy(buf, m->data + lba * TR_BS, (size_t)count * TR_BS);
	return 0;
}

static uint8_t *load(const char *path, uint64_t *blocks)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	uint8_t *d = malloc((size_t)st.st_size);
	FILE *f = fopen(path, "rb");
	assert_non_null(d);
	assert_non_null(f);
	assert_int_equal(fread(d, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*blocks = (uint64_t)st.st_size / TR_BS;
	return d;
}

/* Blocks of the original image that hold a descriptor (tag ident 1..9 or
 * 256..266, version 2 or 3): where damage hurts most. */
static uint64_t *desc_blocks(const uint8_t *d, uint64_t blocks, size_t *n)
{
	uint64_t *l = malloc(blocks * sizeof(*l));
	assert_non_null(l);
	*n = 0;
	for (uint64_t b = 0; b < blocks; b++) {
		const uint8_t *p = d + b * TR_BS;
		uint16_t id = get_le16(p), ver = get_le16(p + 2);
		if ((ver == 2 || ver == 3) &&
		    ((id >= 1 && id <= 9) || (id >= 256 && id <= 266)))
			l[(*n)++] = b;
	}
	return l;
}

static void random_damage_never_crashes(void **state)
{
	(void)state;
	const char *imgs[3] = { plain, vat, meta };
	unsigned opened = 0, failed = 0, walked_bad = 0;
	uint32_t x = 12345;
	for (int k = 0; k < 3; k++) {
		uint64_t blocks;
		size_t nd;
		uint8_t *orig = load(imgs[k], &blocks);
		uint64_t *desc = desc_blocks(orig, blocks, &nd);
		uint8_t *d = malloc((size_t)blocks * TR_BS);
		assert_non_null(d);
		assert_true(nd > 10);
		for (int it = 0; it < 300; it++) {
			memcpy(d, orig, (size_t)blocks * TR_BS);
			/* a few bit flips or byte smashes in descriptor blocks,
			 * mostly in their first 256 bytes (tags, lengths, ADs) */
			for (int f = 0; f < 3; f++) {
				x = x * 1103515245u + 12345u;
				uint64_t blk = desc[(x >> 8) % nd];
				x = x * 1103515245u + 12345u;
				size_t off = (x >> 4) % 4 ? (x >> 8) % 256 : (x >> 8) % TR_BS;
				x = x * 1103515245u + 12345u;
				if (x & 1)
					d[blk * TR_BS + off] ^= (uint8_t)(1u << (x >> 1) % 8);
				else
					d[blk * TR_BS + off] = (uint8_t)(x >> 9);
				/* half the time keep the tag valid so deeper
				 * checks are reached */
				if ((x >> 20) & 1) {
					uint8_t *p = d + blk * TR_BS;
					if (get_le16(p + 10) + 16u <= TR_BS)
						tr_retag(p);
				}
			}
			struct mem_src m = { d, blocks };
			struct udf_bsrc s = { .ctx = &m, .block_size = TR_BS,
					      .n_blocks = blocks,
					      .last_recorded = blocks - 1,
					      .read = mem_read };
			struct udf_vol *v = NULL;
			discfs_error e = { 0 };
			if (udf_vol_open(&s, NULL, &v, &e)) {
				assert_true(e.code > 0 && e.msg[0]);
				failed++;
				continue;
			}
			opened++;
			if (udf_walk(v, "/", read_everything, v, &e))
				walked_bad++;
			udf_vol_close(v);
		}
		free(desc);
		free(d);
		free(orig);
	}
	print_message("random damage: %u opened (%u with tree errors), %u refused\n",
		      opened, walked_bad, failed);
	assert_int_equal(opened + failed, 900);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(damaged_tag_checksum_is_a_clear_error),
		cmocka_unit_test(damaged_descriptor_crc_is_a_clear_error),
		cmocka_unit_test(extent_outside_the_partition_is_refused),
		cmocka_unit_test(absurd_file_length_is_refused),
		cmocka_unit_test(ad_area_larger_than_the_block_is_refused),
		cmocka_unit_test(bad_cs0_compression_id_is_a_clear_error),
		cmocka_unit_test(odd_length_utf16_name_is_a_clear_error),
		cmocka_unit_test(slash_in_a_name_is_mapped_not_followed),
		cmocka_unit_test(nul_in_a_name_is_shown_as_percent_00),
		cmocka_unit_test(names_dot_dotdot_and_empty_are_shown_escaped),
		cmocka_unit_test(fsck_calls_dot_names_errors_and_notes_a_slash),
		cmocka_unit_test(directory_loop_is_detected_by_the_walk),
		cmocka_unit_test(allocation_extent_chain_loop_is_bounded),
		cmocka_unit_test(indirect_entry_loop_is_bounded),
		cmocka_unit_test(truncated_image_fails_cleanly),
		cmocka_unit_test(zeros_are_not_a_udf_volume),
		cmocka_unit_test(random_damage_never_crashes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
