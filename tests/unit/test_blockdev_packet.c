/*
 * tests/unit/test_blockdev_packet.c - writing onto media that take only
 * whole, aligned fixed packets (udf/packet_rmw.h, udf/blockdev_drive.c).
 *
 * With a spy medium that, like a drive, refuses any write that is not
 * whole aligned packets: whole packets are written straight, with no read;
 * one block, or a range crossing packet boundaries, reads the partly
 * covered packets and rewrites them with the blocks around the caller's
 * kept; every read is done before the first write, so a read error is
 * returned with nothing written; a write error is returned.
 *
 * On emulated drives: a blank CD-RW formatted with fixed packets opens as
 * a random-access block device whose packet size is the one READ TRACK
 * INFORMATION reports (32), and any block range written through it reads
 * back with its neighbours intact; likewise a DVD-RW in restricted
 * overwrite (16-block packets); a blank or sequentially written CD-RW
 * stays a sequential device with no packets.  Through the update API: a
 * blank CD-RW (and DVD-RW) asked to format_blank is formatted for
 * overwriting and gets the in-place (bitmap) layout; a CD-RW holding a
 * VAT volume written before is continued write-once, not formatted; an
 * empty packet-formatted CD-RW is laid out in place; a CD-RW holding a
 * burned session that is not UDF is neither formatted nor written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discfs.h"
#include "support/scratch.h"
#include "udf/blockdev.h"
#include "udf/packet_rmw.h"
#include "udf/update.h"

#define BS 2048u
#define SPY_BLOCKS 256u
#define SPY_PACKET 32u

/* ------------------------------------------------------------ the spy */

struct op {
	char kind; /* 'r' or 'w' */
	uint64_t lba;
	uint32_t count;
};

struct spy {
	uint8_t *disc;         /* SPY_BLOCKS blocks */
	struct op ops[32];
	size_t n_ops;
	uint64_t fail_read_at; /* a read of the packet at this LBA fails */
	uint64_t fail_write_at;
	uint8_t scratch[3 * SPY_PACKET * BS];
	struct udf_packet_io io;
};

static void log_op(struct spy *s, char kind, uint64_t lba, uint32_t count)
{
	assert_true(s->n_ops < sizeof(s->ops) / sizeof(s->ops[0]));
	s->ops[s->n_ops++] = (struct op){ kind, lba, count };
}

static int spy_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		    discfs_error *err)
{
	struct spy *s = ctx;
	log_op(s, 'r', lba, count);
	assert_true(lba + count <= SPY_BLOCKS);
	if (lba == s->fail_read_at) {
		snprintf(err->msg, sizeof(err->msg), "unreadable");
		err->code = DISCFS_EIO;
		return -DISCFS_EIO;
	}
	memcpy(buf, s->disc + lba * BS, (size_t)count * BS);
	return 0;
}

/* Like the drive: whole aligned packets or nothing. */
static int spy_write(void *ctx, uint64_t lba, uint32_t count,
		     const void *buf, discfs_error *err)
{
	struct spy *s = ctx;
	log_op(s, 'w', lba, count);
	assert_int_equal(lba % SPY_PACKET, 0);
	assert_int_equal(count % SPY_PACKET, 0);
	assert_true(count > 0 && lba + count <= SPY_BLOCKS);
	if (lba == s->fail_write_at) {
		snprintf(err->msg, sizeof(err->msg), "write error");
		err->code = DISCFS_EIO;
		return -DISCFS_EIO;
	}
	memcpy(s->disc + lba * BS, buf, (size_t)count * BS);
	return 0;
}

/* Block i of the medium before the test holds byte (i & 0x7f). */
static int spy_setup(void **state)
{
	struct spy *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->disc = malloc((size_t)SPY_BLOCKS * BS);
	assert_non_null(s->disc);
	for (uint32_t i = 0; i < SPY_BLOCKS; i++)
		memset(s->disc + (size_t)i * BS, (int)(i & 0x7f), BS);
	s->fail_read_at = s->fail_write_at = UINT64_MAX;
	s->io = (struct udf_packet_io){
		.ctx = s, .packet = SPY_PACKET, .block_size = BS,
		.scratch = s->scratch, .read = spy_read, .write = spy_write,
	};
	*state = s;
	return 0;
}

static int spy_teardown(void **state)
{
	struct spy *s = *state;
	free(s->disc);
	free(s);
	return 0;
}

/* count blocks of byte 0x80 | (lba & 0x7f): new data, told from the old */
static uint8_t *new_data(uint64_t lba, uint32_t count)
{
	uint8_t *b = malloc((size_t)count * BS);
	assert_non_null(b);
	for (uint32_t i = 0; i < count; i++)
		memset(b + (size_t)i * BS, (int)(0x80 | ((lba + i) & 0x7f)), BS);
	return b;
}

/* Every block holds the new byte inside [lba, lba+count), the old one
 * outside. */
static void assert_disc(const struct spy *s, uint64_t lba, uint32_t count)
{
	for (uint64_t i = 0; i < SPY_BLOCKS; i++) {
		bool in = i >= lba && i < lba + count;
		uint8_t want = (uint8_t)(in ? 0x80 | (i & 0x7f) : i & 0x7f);
		const uint8_t *b = s->disc + i * BS;
		for (size_t k = 0; k < BS; k += 511)
			if (b[k] != want)
				fail_msg("block %llu byte %zu: %02x, want %02x",
					 (unsigned long long)i, k, b[k], want);
	}
}

static void assert_op(const struct spy *s, size_t i, char kind, uint64_t lba,
		      uint32_t count)
{
	assert_true(i < s->n_ops);
	assert_int_equal(s->ops[i].kind, kind);
	assert_int_equal(s->ops[i].lba, lba);
	assert_int_equal(s->ops[i].count, count);
}

static int write_range(struct spy *s, uint64_t lba, uint32_t count,
		       discfs_error *err)
{
	uint8_t *b = new_data(lba, count);
	int rc = udf_packet_write(&s->io, lba, count, b, err);
	free(b);
	return rc;
}

static int flush(struct spy *s)
{
	discfs_error err = { 0 };
	return udf_packet_flush(&s->io, &err);
}

static void whole_packets_are_written_straight_without_reads(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 64, 96, &err), 0);
	assert_int_equal(s->n_ops, 1);
	assert_op(s, 0, 'w', 64, 96);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 1); /* nothing held back */
	assert_disc(s, 64, 96);
}

static void one_block_rewrites_its_packet_around_it(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 37, 1, &err), 0);
	/* read now, written when flushed */
	assert_int_equal(s->n_ops, 1);
	assert_op(s, 0, 'r', 32, 32);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 2);
	assert_op(s, 1, 'w', 32, 32);
	assert_disc(s, 37, 1);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 2); /* flushed once */
}

static void small_writes_into_one_packet_cost_one_read_and_one_write(void **st)
{
	struct spy *s = *st;
	discfs_error err = { 0 };
	for (uint64_t b = 40; b < 50; b++)
		assert_int_equal(write_range(s, b, 1, &err), 0);
	assert_int_equal(s->n_ops, 1);
	assert_op(s, 0, 'r', 32, 32);
	/* what is held back reads as written */
	uint8_t got[3 * BS];
	assert_int_equal(udf_packet_read(&s->io, 49, 3, got, &err), 0);
	assert_int_equal(got[0], 0x80 | 49);
	assert_int_equal(got[BS], 50);
	assert_int_equal(got[2 * BS], 51);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 3); /* r, the read above, one w */
	assert_op(s, 2, 'w', 32, 32);
	assert_disc(s, 40, 10);
}

static void held_back_packet_reaches_the_medium_before_a_later_write(void **st)
{
	struct spy *s = *st;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 5, 1, &err), 0);
	assert_int_equal(write_range(s, 70, 1, &err), 0);
	assert_int_equal(s->n_ops, 3);
	assert_op(s, 0, 'r', 0, 32);
	assert_op(s, 1, 'r', 64, 32);
	assert_op(s, 2, 'w', 0, 32); /* the earlier write first */
	/* a whole-packet write elsewhere also waits for it */
	assert_int_equal(write_range(s, 128, 32, &err), 0);
	assert_op(s, 3, 'w', 64, 32);
	assert_op(s, 4, 'w', 128, 32);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 5);
	for (uint64_t i = 0; i < SPY_BLOCKS; i++) {
		bool changed = i == 5 || i == 70 || (i >= 128 && i < 160);
		assert_int_equal(s->disc[i * BS], changed ? 0x80 | (i & 0x7f)
							   : i & 0x7f);
	}
}

static void held_back_packet_goes_out_with_the_next_write_starting_in_it(void **st)
{
	struct spy *s = *st;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 30, 1, &err), 0);
	/* 31..40: the cached packet 0 (no read) and packet 32 (read) */
	assert_int_equal(write_range(s, 31, 10, &err), 0);
	assert_int_equal(s->n_ops, 3);
	assert_op(s, 0, 'r', 0, 32);
	assert_op(s, 1, 'r', 32, 32);
	assert_op(s, 2, 'w', 0, 32);
	assert_int_equal(flush(s), 0);
	assert_op(s, 3, 'w', 32, 32);
	/* packet 32, flushed, stays known: a write into it is not read again */
	assert_int_equal(write_range(s, 41, 1, &err), 0);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 5);
	assert_op(s, 4, 'w', 32, 32);
	assert_disc(s, 30, 12);
}

static void first_and_last_block_of_a_packet_are_read_modify_write(void **s_)
{
	struct spy *s = *s_;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 0, 1, &err), 0);
	assert_int_equal(write_range(s, 255, 1, &err), 0);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 4);
	assert_op(s, 0, 'r', 0, 32);
	assert_op(s, 1, 'r', 224, 32);
	assert_op(s, 2, 'w', 0, 32);
	assert_op(s, 3, 'w', 224, 32);
	for (uint64_t i = 1; i < 255; i++)
		assert_int_equal(s->disc[i * BS], i & 0x7f);
	assert_int_equal(s->disc[0], 0x80);
	assert_int_equal(s->disc[255 * BS], 0x80 | 0x7f);
}

static void range_across_packets_reads_both_ends_then_writes_in_order(void **st)
{
	struct spy *s = *st;
	discfs_error err = { 0 };
	/* 30..109: the ends of packets 0 and 96 partly, 32..95 wholly */
	assert_int_equal(write_range(s, 30, 80, &err), 0);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 5);
	assert_op(s, 0, 'r', 0, 32);
	assert_op(s, 1, 'r', 96, 32);
	assert_op(s, 2, 'w', 0, 32);
	assert_op(s, 3, 'w', 32, 64);
	assert_op(s, 4, 'w', 96, 32);
	assert_disc(s, 30, 80);
}

static void range_inside_two_adjacent_packets_has_no_middle(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 60, 8, &err), 0);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 4);
	assert_op(s, 0, 'r', 32, 32);
	assert_op(s, 1, 'r', 64, 32);
	assert_op(s, 2, 'w', 32, 32);
	assert_op(s, 3, 'w', 64, 32);
	assert_disc(s, 60, 8);
}

static void aligned_start_with_partial_tail_reads_only_the_tail(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 32, 40, &err), 0);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 3);
	assert_op(s, 0, 'r', 64, 32);
	assert_op(s, 1, 'w', 32, 32);
	assert_op(s, 2, 'w', 64, 32);
	assert_disc(s, 32, 40);
}

static void partial_head_with_aligned_end_reads_only_the_head(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 40, 56, &err), 0);
	assert_int_equal(s->n_ops, 3); /* nothing held back */
	assert_op(s, 0, 'r', 32, 32);
	assert_op(s, 1, 'w', 32, 32);
	assert_op(s, 2, 'w', 64, 32);
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, 3);
	assert_disc(s, 40, 56);
}

static void whole_write_over_the_held_back_packet_keeps_the_order(void **st)
{
	struct spy *s = *st;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 3, 1, &err), 0);
	assert_int_equal(write_range(s, 0, 64, &err), 0);
	assert_op(s, 1, 'w', 0, 32);  /* the held-back packet */
	assert_op(s, 2, 'w', 0, 64);  /* then the later write over it */
	assert_int_equal(write_range(s, 1, 1, &err), 0);
	assert_op(s, 3, 'r', 0, 32);  /* the cache was dropped, not stale */
	assert_int_equal(flush(s), 0);
	assert_disc(s, 0, 64);
}

static void read_error_is_returned_with_nothing_written(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	s->fail_read_at = 96; /* the tail packet; the head read succeeds */
	assert_int_equal(write_range(s, 30, 80, &err), -DISCFS_EIO);
	assert_int_equal(err.code, DISCFS_EIO);
	assert_non_null(strstr(err.msg, "unreadable"));
	assert_int_equal(flush(s), 0);
	for (size_t i = 0; i < s->n_ops; i++)
		assert_int_equal(s->ops[i].kind, 'r');
	assert_disc(s, 0, 0);
}

static void read_error_leaves_the_held_back_packet_for_later(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 7, 1, &err), 0);
	s->fail_read_at = 64;
	assert_int_equal(write_range(s, 70, 1, &err), -DISCFS_EIO);
	for (size_t i = 0; i < s->n_ops; i++)
		assert_int_equal(s->ops[i].kind, 'r');
	assert_int_equal(flush(s), 0);
	assert_op(s, s->n_ops - 1, 'w', 0, 32);
	assert_disc(s, 7, 1);
}

static void write_error_is_returned(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	s->fail_write_at = 32;
	assert_int_equal(write_range(s, 30, 80, &err), -DISCFS_EIO);
	assert_non_null(strstr(err.msg, "write error"));
	/* nothing after the failed write, and nothing held back */
	assert_int_equal(s->ops[s->n_ops - 1].kind, 'w');
	assert_int_equal(s->ops[s->n_ops - 1].lba, 32);
	size_t n = s->n_ops;
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, n);
}

static void failed_flush_is_returned_and_dropped(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	assert_int_equal(write_range(s, 33, 2, &err), 0);
	s->fail_write_at = 32;
	assert_int_equal(flush(s), -DISCFS_EIO);
	s->fail_write_at = UINT64_MAX;
	size_t n = s->n_ops;
	assert_int_equal(flush(s), 0);
	assert_int_equal(s->n_ops, n);
	assert_disc(s, 0, 0);
}

static void packet_of_one_block_writes_through(void **state)
{
	struct spy *s = *state;
	discfs_error err = { 0 };
	s->io.packet = 1;
	uint8_t *b = new_data(64, 32); /* still whole spy packets */
	assert_int_equal(udf_packet_write(&s->io, 64, 32, b, &err), 0);
	free(b);
	assert_int_equal(s->n_ops, 1);
	assert_op(s, 0, 'w', 64, 32);
	assert_int_equal(udf_packet_write(&s->io, 0, 0, NULL, &err), 0);
	assert_int_equal(s->n_ops, 1);
}

/* ----------------------------------------------------- emulated drives */

struct emu_env {
	char dir[64];
	char img[128];
	char dev[160];
};

static int emu_setup(void **state)
{
	struct emu_env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	assert_int_equal(scratch_make(e->dir, sizeof(e->dir), "bdpacket"), 0);
	snprintf(e->img, sizeof(e->img), "%s/disc.img", e->dir);
	snprintf(e->dev, sizeof(e->dev), "emu:%s", e->img);
	*state = e;
	return 0;
}

static int emu_teardown(void **state)
{
	struct emu_env *e = *state;
	scratch_remove(e->dir);
	free(e);
	return 0;
}

static discfs_drive *blank_disc(struct emu_env *e, const char *media,
				uint64_t cap)
{
	discfs_error err = { 0 };
	discfs_drive *d = NULL;
	char state[160];
	snprintf(state, sizeof(state), "%s.state", e->img);
	remove(e->img);
	remove(state);
	if (discfs_emu_create(e->img, media, cap, &err) ||
	    discfs_emu_set_time_scale(e->img, 0, &err) ||
	    discfs_open(e->dev, &d, &err))
		fail_msg("%s: %s", media, err.msg);
	return d;
}

static discfs_drive *formatted_disc(struct emu_env *e, const char *media,
				    uint64_t cap)
{
	discfs_error err = { 0 };
	discfs_drive *d = blank_disc(e, media, cap);
	discfs_format_opts fo = { 0 }; /* as discfs does: full format */
	if (discfs_format(d, &fo, &err))
		fail_msg("format %s: %s", media, err.msg);
	return d;
}

/* Writes [lba, lba+count) through bd with new_data, checks that it and
 * the blocks of its packets around it read back right. */
static void write_and_check(struct udf_bdev *bd, uint64_t lba, uint32_t count,
			    const uint8_t *before)
{
	discfs_error err = { 0 };
	uint32_t p = bd->packet;
	uint64_t from = lba / p * p, to = (lba + count + p - 1) / p * p;
	uint8_t *b = new_data(lba, count);
	uint8_t *got = malloc((size_t)(to - from) * BS);
	assert_non_null(got);
	if (udf_bdev_write(bd, lba, count, b, &err))
		fail_msg("write %llu+%u: %s", (unsigned long long)lba, count,
			 err.msg);
	assert_int_equal(udf_bdev_read(bd, from, (uint32_t)(to - from), got,
				       &err), 0);
	for (uint64_t i = from; i < to; i++) {
		const uint8_t *want = i >= lba && i < lba + count
				      ? b + (i - lba) * BS : before + i * BS;
		if (memcmp(got + (i - from) * BS, want, BS))
			fail_msg("block %llu after writing %llu+%u",
				 (unsigned long long)i, (unsigned long long)lba,
				 count);
	}
	/* the reference copy follows the medium */
	memcpy((uint8_t *)before + lba * BS, b, (size_t)count * BS);
	free(b);
	free(got);
}

static void packet_medium_round_trip(struct emu_env *e, const char *media,
				     uint32_t want_packet)
{
	discfs_error err = { 0 };
	discfs_drive *d = formatted_disc(e, media, 8192);
	struct udf_bdev bd;
	assert_int_equal(udf_bdev_open_drive(d, &bd, &err), 0);
	assert_int_equal(bd.kind, UDF_BDEV_RANDOM);
	assert_int_equal(bd.packet, want_packet);
	assert_true(bd.capacity >= 4 * want_packet);
	assert_int_equal(bd.capacity % want_packet, 0);
	/* what the medium holds, block by block (formatted: zeros) */
	uint8_t *ref = calloc(bd.capacity, BS);
	assert_non_null(ref);
	write_and_check(&bd, 5, 1, ref);
	write_and_check(&bd, 0, 1, ref);
	write_and_check(&bd, want_packet - 1, 3, ref);
	write_and_check(&bd, want_packet, 2 * want_packet, ref);
	write_and_check(&bd, 3, 3 * want_packet, ref);
	write_and_check(&bd, bd.capacity - 1, 1, ref);
	/* past the end: refused before the drive sees it */
	uint8_t one[BS] = { 0 };
	assert_int_equal(udf_bdev_write(&bd, bd.capacity, 1, one, &err),
			 -DISCFS_ENOSPC);
	assert_int_equal(udf_bdev_sync(&bd, &err), 0);
	udf_bdev_close(&bd);
	/* a new block device sees what the old one wrote */
	assert_int_equal(udf_bdev_open_drive(d, &bd, &err), 0);
	uint8_t *got = malloc((size_t)4 * want_packet * BS);
	assert_non_null(got);
	assert_int_equal(udf_bdev_read(&bd, 0, 4 * want_packet, got, &err), 0);
	assert_memory_equal(got, ref, (size_t)4 * want_packet * BS);
	free(got);
	free(ref);
	udf_bdev_close(&bd);
	discfs_close(d);
}

static void cd_rw_with_fixed_packets_is_random_in_packets_of_32(void **state)
{
	packet_medium_round_trip(*state, "cd-rw", 32);
}

static void dvd_rw_restricted_overwrite_is_random_in_packets_of_16(void **state)
{
	packet_medium_round_trip(*state, "dvd-rw", 16);
}

static void blank_cd_rw_is_sequential_without_packets(void **state)
{
	discfs_error err = { 0 };
	discfs_drive *d = blank_disc(*state, "cd-rw", 8192);
	struct udf_bdev bd;
	assert_int_equal(udf_bdev_open_drive(d, &bd, &err), 0);
	assert_int_equal(bd.kind, UDF_BDEV_SEQUENTIAL);
	assert_int_equal(bd.packet, 0);
	assert_int_equal(bd.last_recorded, UINT64_MAX);
	udf_bdev_close(&bd);
	discfs_close(d);
}

/* Layout and media of the volume on e's disc. */
static void volume_of(struct emu_env *e, discfs_volume_info *vi,
		      discfs_media_info *mi)
{
	discfs_error err = { 0 };
	discfs_volume *v;
	discfs_drive *d;
	if (discfs_volume_open(e->img, &v, &err))
		fail_msg("volume open: %s", err.msg);
	discfs_volume_info_get(v, vi);
	discfs_volume_close(v);
	assert_int_equal(discfs_open(e->dev, &d, &err), 0);
	assert_int_equal(discfs_media_info_get(d, mi, &err), 0);
	discfs_close(d);
}

static int one_byte(void *user, uint64_t off, void *buf, size_t len,
		    discfs_error *err)
{
	memset(buf, *(const uint8_t *)user, len);
	return 0;
}

static void update_file(struct emu_env *e, bool format, const char *path)
{
	discfs_error err = { 0 };
	discfs_update *up = NULL;
	discfs_update_opts o = { .format_blank = format };
	uint8_t fill = 0x5a;
	if (discfs_update_open(e->dev, &o, &up, &err) ||
	    discfs_update_write(up, path, 0644, 5000, one_byte, &fill, &err) ||
	    discfs_update_commit(up, NULL, &err))
		fail_msg("update %s: %s", path, err.msg);
	discfs_update_close(up);
}

static void blank_rewritable_is_formatted_and_written_in_place(
	struct emu_env *e, const char *media, uint16_t profile)
{
	discfs_volume_info vi;
	discfs_media_info mi;
	discfs_close(blank_disc(e, media, 8192));
	update_file(e, true, "/first");
	update_file(e, false, "/second");
	volume_of(e, &vi, &mi);
	assert_int_equal(vi.layout, DISCFS_LAYOUT_PLAIN);
	assert_int_equal(mi.profile, profile);
	assert_true(mi.formatted);
	assert_int_equal(mi.n_tracks, 1);
	assert_true(mi.tracks[0].fixed_packet);
	/* written in place: the drive's accounting of a random medium */
	assert_int_equal(mi.free_blocks, mi.capacity_blocks);
	discfs_media_info_free(&mi);
}

static void blank_cd_rw_gets_fixed_packets_and_in_place_udf(void **state)
{
	blank_rewritable_is_formatted_and_written_in_place(*state, "cd-rw",
							   0x000A);
}

static void blank_dvd_rw_gets_restricted_overwrite_and_in_place_udf(void **s)
{
	blank_rewritable_is_formatted_and_written_in_place(*s, "dvd-rw", 0x0013);
}

/* A CD-RW that holds a VAT volume (as written before packet formatting
 * was done) is appended to, never formatted (that would erase it). */
static void cd_rw_holding_a_vat_volume_stays_write_once(void **state)
{
	struct emu_env *e = *state;
	discfs_error err = { 0 };
	discfs_drive *d = blank_disc(e, "cd-rw", 8192);
	struct udf_bdev bd;
	struct udf_update_opts uo = { 0 };
	assert_int_equal(udf_bdev_open_drive(d, &bd, &err), 0);
	assert_int_equal(bd.kind, UDF_BDEV_SEQUENTIAL);
	if (udf_update_format(&bd, &uo, &err))
		fail_msg("VAT layout: %s", err.msg);
	udf_bdev_close(&bd);
	discfs_close(d);
	update_file(e, true, "/appended");
	update_file(e, true, "/again");
	discfs_volume_info vi;
	discfs_media_info mi;
	volume_of(e, &vi, &mi);
	assert_int_equal(vi.layout, DISCFS_LAYOUT_VAT);
	for (size_t i = 0; i < mi.n_tracks; i++)
		assert_false(mi.tracks[i].fixed_packet);
	assert_true(mi.next_writable_valid);
	discfs_media_info_free(&mi);
}

/* A CD-RW formatted with fixed packets but empty (discctl format) gets
 * the in-place layout, not a second format. */
static void formatted_empty_cd_rw_is_laid_out_in_place(void **state)
{
	struct emu_env *e = *state;
	discfs_close(formatted_disc(e, "cd-rw", 8192));
	update_file(e, true, "/one");
	update_file(e, false, "/two");
	discfs_volume_info vi;
	discfs_media_info mi;
	volume_of(e, &vi, &mi);
	assert_int_equal(vi.layout, DISCFS_LAYOUT_PLAIN);
	assert_true(mi.tracks[0].fixed_packet);
	discfs_media_info_free(&mi);
}

static int pattern_a5(void *user, void *buf, size_t len, size_t *got,
		 discfs_error *err)
{
	size_t *left = user;
	size_t n = len < *left ? len : *left;
	memset(buf, 0xA5, n);
	*left -= n;
	*got = n;
	return 0;
}

/* A CD-RW holding a burned session that is not UDF is neither formatted
 * (that would erase it) nor written: the update is refused. */
static void cd_rw_holding_other_data_is_not_formatted(void **state)
{
	struct emu_env *e = *state;
	discfs_error err = { 0 };
	discfs_drive *d = blank_disc(e, "cd-rw", 8192);
	discfs_burn_opts bo = { 0 };
	discfs_burn_result res;
	size_t left = 300 * 2048;
	if (discfs_burn_producer(d, pattern_a5, &left, 300 * 2048, &bo, &res, &err))
		fail_msg("burn: %s", err.msg);
	discfs_close(d);
	discfs_update *up = NULL;
	discfs_update_opts o = { .format_blank = true };
	assert_int_not_equal(discfs_update_open(e->dev, &o, &up, &err), 0);
	assert_null(up);
	discfs_media_info mi;
	assert_int_equal(discfs_open(e->dev, &d, &err), 0);
	assert_int_equal(discfs_media_info_get(d, &mi, &err), 0);
	assert_true(mi.n_tracks >= 1);
	assert_false(mi.tracks[0].fixed_packet);
	assert_true(mi.tracks[0].size >= 300);
	uint8_t b[2048];
	assert_int_equal(discfs_read_blocks(d, 17, 1, b, &err), 0);
	assert_int_equal(b[100], 0xA5); /* the session is still there */
	discfs_media_info_free(&mi);
	discfs_close(d);
}

int main(void)
{
	const struct CMUnitTest spy[] = {
#define SPY(t) cmocka_unit_test_setup_teardown(t, spy_setup, spy_teardown)
		SPY(whole_packets_are_written_straight_without_reads),
		SPY(one_block_rewrites_its_packet_around_it),
		SPY(small_writes_into_one_packet_cost_one_read_and_one_write),
		SPY(held_back_packet_reaches_the_medium_before_a_later_write),
		SPY(held_back_packet_goes_out_with_the_next_write_starting_in_it),
		SPY(first_and_last_block_of_a_packet_are_read_modify_write),
		SPY(range_across_packets_reads_both_ends_then_writes_in_order),
		SPY(range_inside_two_adjacent_packets_has_no_middle),
		SPY(aligned_start_with_partial_tail_reads_only_the_tail),
		SPY(partial_head_with_aligned_end_reads_only_the_head),
		SPY(whole_write_over_the_held_back_packet_keeps_the_order),
		SPY(read_error_is_returned_with_nothing_written),
		SPY(read_error_leaves_the_held_back_packet_for_later),
		SPY(write_error_is_returned),
		SPY(failed_flush_is_returned_and_dropped),
		SPY(packet_of_one_block_writes_through),
	};
	const struct CMUnitTest emu[] = {
		cmocka_unit_test(cd_rw_with_fixed_packets_is_random_in_packets_of_32),
		cmocka_unit_test(dvd_rw_restricted_overwrite_is_random_in_packets_of_16),
		cmocka_unit_test(blank_cd_rw_is_sequential_without_packets),
		cmocka_unit_test(blank_cd_rw_gets_fixed_packets_and_in_place_udf),
		cmocka_unit_test(blank_dvd_rw_gets_restricted_overwrite_and_in_place_udf),
		cmocka_unit_test(cd_rw_holding_a_vat_volume_stays_write_once),
		cmocka_unit_test(formatted_empty_cd_rw_is_laid_out_in_place),
		cmocka_unit_test(cd_rw_holding_other_data_is_not_formatted),
	};
	int failed = cmocka_run_group_tests_name("packet rmw (spy)", spy, NULL, NULL);
	failed += cmocka_run_group_tests_name("packet media (emulated)", emu,
					      emu_setup, emu_teardown);
	return failed;
}
