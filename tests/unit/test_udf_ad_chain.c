/*
 * tests/unit/test_udf_ad_chain.c - the allocation descriptor layout of
 * udf/ad_chain.c: extents that fit stay in the entry; one more moves the
 * entry's last slot to a pointer (type 3, one block) at an AED; long
 * chains fill every AED but the last; each AED is a valid tag-258
 * descriptor at its own location, and walking the chain gives back the
 * extents in order (short and long ADs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "udf/ad_chain.h"
#include "udf/ecma167.h"
#include "udf/tag.h"
#include "util/bytes.h"

#define BS 2048u
#define EFE_ROOM (BS - sizeof(struct ecma_efe)) /* 1832 */

static struct udf_ad_chain_fmt fmt(enum udf_ad_kind k, size_t room)
{
	return (struct udf_ad_chain_fmt){ .kind = k, .bs = BS, .icb_room = room,
					  .tag_version = 3, .tag_serial = 7 };
}

static struct udf_ad_ext *make_ext(size_t n)
{
	struct udf_ad_ext *e = calloc(n ? n : 1, sizeof(*e));
	for (size_t i = 0; i < n; i++)
		e[i] = (struct udf_ad_ext){ .len = (uint32_t)(BS * (1 + i % 5) - (i % 3)),
					    .type = (uint8_t)(i % 7 == 6 ? EXT_ALLOCATED : EXT_RECORDED),
					    .lbn = 1000 + 10 * (uint32_t)i, .part = (uint16_t)(i & 1) };
	return e;
}

/* AED k lives at lbn 50000 + 3k, in partition 2, tag location 900 + k. */
static struct udf_aed_addr *make_aed(uint32_t n)
{
	struct udf_aed_addr *a = calloc(n ? n : 1, sizeof(*a));
	for (uint32_t k = 0; k < n; k++)
		a[k] = (struct udf_aed_addr){ 50000 + 3 * k, 2, 900 + k };
	return a;
}

struct built {
	uint8_t icb[EFE_ROOM];
	uint32_t l_ad;
	uint8_t *aed;
	uint32_t n_aed;
	struct udf_aed_addr *addr;
	struct udf_ad_ext *ext;
};

static void build(struct built *b, const struct udf_ad_chain_fmt *f, size_t n)
{
	discfs_error err = { 0 };
	b->ext = make_ext(n);
	b->n_aed = udf_ad_chain_aeds(f, n);
	b->addr = make_aed(b->n_aed);
	b->aed = malloc((size_t)(b->n_aed ? b->n_aed : 1) * BS);
	int rc = udf_ad_chain_build(f, b->ext, n, b->addr, b->n_aed, b->icb,
				    &b->l_ad, b->aed, &err);
	if (rc)
		fail_msg("build: %s", err.msg);
}

static void unbuild(struct built *b)
{
	free(b->ext);
	free(b->addr);
	free(b->aed);
}

/* Walks the entry's ADs and the chain as a reader does; checks each AD
 * against ext, every pointer's form and every AED's tag. */
static void walk(const struct udf_ad_chain_fmt *f, const struct built *b,
		 size_t n, size_t *aed_fill)
{
	const uint8_t *area = b->icb;
	uint32_t alen = b->l_ad, k = 0;
	size_t i = 0;
	discfs_error err = { 0 };
	for (uint32_t o = 0; o < alen; o += f->kind) {
		uint32_t raw = get_le32(area + o);
		uint32_t lbn = get_le32(area + o + 4);
		if (raw >> 30 == EXT_NEXT_AD) {
			assert_int_equal(o + f->kind, alen); /* the last AD of its area */
			assert_int_equal(raw & ECMA_EXT_LEN_MASK, BS);
			assert_true(k < b->n_aed);
			assert_int_equal(lbn, b->addr[k].lbn);
			if (f->kind == UDF_AD_LONG)
				assert_int_equal(get_le16(area + o + 8), 2);
			const uint8_t *blk = b->aed + (size_t)k * BS;
			if (udf_tag_verify(blk, BS, TAG_AED, b->addr[k].tag_loc, &err))
				fail_msg("AED %u: %s", k, err.msg);
			assert_int_equal(get_le32(blk + 16), 0); /* previous AED: 0 */
			alen = get_le32(blk + 20);
			assert_true(alen <= BS - 24 && alen % f->kind == 0);
			if (aed_fill)
				aed_fill[k] = alen / f->kind;
			area = blk + 24;
			k++;
			o = (uint32_t)0 - f->kind; /* restart at the new area */
			continue;
		}
		assert_true(i < n);
		assert_int_equal(raw & ECMA_EXT_LEN_MASK, b->ext[i].len);
		assert_int_equal(raw >> 30, b->ext[i].type);
		assert_int_equal(lbn, b->ext[i].lbn);
		if (f->kind == UDF_AD_LONG)
			assert_int_equal(get_le16(area + o + 8), b->ext[i].part);
		i++;
	}
	assert_int_equal(i, n);
	assert_int_equal(k, b->n_aed);
}

static void test_extents_that_fill_the_entry_exactly_need_no_aed(void **state)
{
	(void)state;
	struct udf_ad_chain_fmt f = fmt(UDF_AD_LONG, EFE_ROOM);
	struct built b;
	assert_int_equal(udf_ad_chain_aeds(&f, 114), 0);
	build(&b, &f, 114);
	assert_int_equal(b.l_ad, 114 * 16);
	walk(&f, &b, 114, NULL);
	unbuild(&b);
	/* an empty file: no ADs at all */
	build(&b, &f, 0);
	assert_int_equal(b.l_ad, 0);
	assert_int_equal(b.n_aed, 0);
	unbuild(&b);
}

static void test_one_more_extent_moves_the_last_slot_to_an_aed(void **state)
{
	(void)state;
	struct udf_ad_chain_fmt f = fmt(UDF_AD_LONG, EFE_ROOM);
	struct built b;
	size_t fill[4];
	assert_int_equal(udf_ad_chain_aeds(&f, 115), 1);
	build(&b, &f, 115);
	/* the entry: 113 extents and the pointer, still 114 slots */
	assert_int_equal(b.l_ad, 114 * 16);
	assert_int_equal(get_le32(b.icb + 113 * 16) >> 30, EXT_NEXT_AD);
	walk(&f, &b, 115, fill);
	assert_int_equal(fill[0], 2); /* the AED holds the other two */
	unbuild(&b);
}

static void test_a_long_chain_fills_every_aed_but_the_last(void **state)
{
	(void)state;
	struct udf_ad_chain_fmt f = fmt(UDF_AD_LONG, EFE_ROOM);
	struct built b;
	size_t fill[16];
	/* 113 in the entry, 125 + pointer per AED, the last holds up to 126 */
	assert_int_equal(udf_ad_chain_aeds(&f, 113 + 126), 1);
	assert_int_equal(udf_ad_chain_aeds(&f, 113 + 127), 2);
	assert_int_equal(udf_ad_chain_aeds(&f, 113 + 125 + 126), 2);
	assert_int_equal(udf_ad_chain_aeds(&f, 113 + 125 + 127), 3);
	build(&b, &f, 1000);
	assert_int_equal(b.n_aed, 8); /* 887 after the entry: 7 x 125 + 12 */
	walk(&f, &b, 1000, fill);
	for (uint32_t k = 0; k + 1 < b.n_aed; k++)
		assert_int_equal(fill[k], 126);
	assert_int_equal(fill[7], 12);
	unbuild(&b);
	/* exactly full last AED */
	build(&b, &f, 113 + 125 + 126);
	walk(&f, &b, 113 + 125 + 126, fill);
	assert_int_equal(fill[0], 126);
	assert_int_equal(fill[1], 126);
	unbuild(&b);
}

static void test_short_ads_chain_in_the_entry_partition(void **state)
{
	(void)state;
	/* a file entry (176 bytes) with 40 bytes of EAs: 1832 bytes left */
	struct udf_ad_chain_fmt f = fmt(UDF_AD_SHORT, BS - 176 - 40);
	struct built b;
	size_t fill[8];
	assert_int_equal(udf_ad_chain_aeds(&f, 229), 0);
	assert_int_equal(udf_ad_chain_aeds(&f, 230), 1);
	build(&b, &f, 228 + 252 + 253);
	assert_int_equal(b.n_aed, 2);
	assert_int_equal(b.l_ad, 229 * 8);
	walk(&f, &b, 228 + 252 + 253, fill);
	assert_int_equal(fill[0], 253);
	assert_int_equal(fill[1], 253);
	unbuild(&b);
}

static void test_bad_requests_are_refused(void **state)
{
	(void)state;
	discfs_error err = { 0 };
	struct udf_ad_chain_fmt f = fmt(UDF_AD_LONG, EFE_ROOM);
	struct udf_ad_ext *e = make_ext(200);
	struct udf_aed_addr *a = make_aed(2);
	uint8_t icb[EFE_ROOM], aed[2 * BS];
	uint32_t l_ad;
	/* the wrong number of AED blocks */
	assert_int_equal(udf_ad_chain_build(&f, e, 200, a, 2, icb, &l_ad, aed, &err),
			 -DISCFS_EINVAL);
	assert_int_equal(udf_ad_chain_build(&f, e, 200, a, 0, icb, &l_ad, aed, &err),
			 -DISCFS_EINVAL);
	/* a zero-length extent would end the list early for every reader */
	e[5].len = 0;
	assert_int_equal(udf_ad_chain_build(&f, e, 200, a, 1, icb, &l_ad, aed, &err),
			 -DISCFS_EINVAL);
	e[5].len = 0x40000000u;
	assert_int_equal(udf_ad_chain_build(&f, e, 200, a, 1, icb, &l_ad, aed, &err),
			 -DISCFS_EINVAL);
	e[5].len = BS;
	e[5].type = EXT_NEXT_AD;
	assert_int_equal(udf_ad_chain_build(&f, e, 200, a, 1, icb, &l_ad, aed, &err),
			 -DISCFS_EINVAL);
	/* an entry with no slot for the pointer */
	struct udf_ad_chain_fmt tiny = fmt(UDF_AD_LONG, 15);
	assert_int_equal(udf_ad_chain_aeds(&tiny, 1), UINT32_MAX);
	assert_int_equal(udf_ad_chain_aeds(&tiny, 0), 0);
	assert_int_equal(udf_ad_chain_build(&tiny, e, 1, a, 1, icb, &l_ad, aed, &err),
			 -DISCFS_EINVAL);
	free(e);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extents_that_fill_the_entry_exactly_need_no_aed),
		cmocka_unit_test(test_one_more_extent_moves_the_last_slot_to_an_aed),
		cmocka_unit_test(test_a_long_chain_fills_every_aed_but_the_last),
		cmocka_unit_test(test_short_ads_chain_in_the_entry_partition),
		cmocka_unit_test(test_bad_requests_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
