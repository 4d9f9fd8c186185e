/* tests/unit/test_mmc_parse.c - response parsers read the fields MMC
 * defines (mmc-notes §1), and refuse truncated, inconsistent and hostile
 * responses without reading past the bytes received (run under ASan: every
 * input is copied into a heap block of exactly its length). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmc/parse.h"

/* ------------------------------------------------------------ samples */

static const uint8_t inquiry[36] = {
	0x05, 0x80, 0x05, 0x32, 31, 0, 0, 0,
	'H', 'L', '-', 'D', 'T', '-', 'S', 'T',
	'B', 'D', '-', 'R', 'E', ' ', ' ', 'B', 'H', '1', '6', 'N', 'S', '4', '0', ' ',
	'1', '.', '0', '2',
};

/* GET CONFIGURATION: current BD-R SRM; profile list BD-RE, BD-R, DVD+R;
 * Core; Removable Medium (tray, eject, lock). */
static const uint8_t config[] = {
	0, 0, 0, 40 - 4, 0, 0, 0x00, 0x41,
	0x00, 0x00, 0x03, 12, 0x00, 0x43, 0, 0, 0x00, 0x41, 1, 0, 0x00, 0x1B, 0, 0,
	0x00, 0x01, 0x0B, 4, 0, 0, 0, 2,
	0x00, 0x03, 0x03, 4, 0x29, 0, 0, 0,
};

/* MODE SENSE(10) page 2Ah, MMC-3 style with 2 write speed descriptors. */
static const uint8_t mode_2a[8 + 40] = {
	0, 8 + 40 - 2, 0, 0, 0, 0, 0, 0,
	0x2A, 38, 0x3F, 0x37, 0xF1, 0x77, 0x29, 0x23,
	0x1B, 0x90, 0, 0, 0x10, 0x00, 0x1B, 0x90,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x60, 0x60, 0, 2,
	0, 0, 0x60, 0x60, 0, 0, 0x30, 0x30,
};

/* MODE SENSE(10) page 05h as drives return it (length 0x32). */
static uint8_t mode_05[8 + 0x34];

static const uint8_t disc_info_appendable[34] = {
	0, 32, 0x15 /* erasable, last session empty, appendable */, 1,
	2, 3, 3, 0x03 /* BG done */, 0x00, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23, 0x05, 0x40,
};

static const uint8_t track_info_open[48] = {
	0, 46, 3, 2, 0, 0x05, 0x21, 0x01,
	0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0x22, 0xF5, 0x40,
	0, 0, 0, 16, 0, 0x22, 0xF5, 0x40, 0, 0, 0, 0, 0, 0,
};

static const uint8_t toc0[4 + 16] = {
	0, 18, 1, 1,
	0, 0x14, 1, 0, 0, 0, 0, 0,
	0, 0x14, 0xAA, 0, 0, 0, 0x10, 0,
};

static const uint8_t toc2[4 + 22] = {
	0, 24, 1, 1,
	1, 0x14, 0, 0xA0, 0, 0, 0, 0, 1, 0x20, 0,
	1, 0x14, 0, 0xA2, 0, 0, 0, 0, 3, 4, 5,
};

static const uint8_t atip[28] = {
	0, 26, 0, 0, 0x50, 0x00, 0x40, 0,
	97, 26, 66, 0, 79, 59, 74, 0,
};

static const uint8_t format_caps[4 + 24] = {
	0, 0, 0, 24,
	0x00, 0xBA, 0x7C, 0x00, 0x02, 0x00, 0x08, 0x00,
	0x00, 0xB4, 0x73, 0x00, 0x00 << 2 | 0, 0x00, 0x30, 0x00,
	0x00, 0xBA, 0x7C, 0x00, 0x31 << 2, 0x00, 0x08, 0x00,
};

static const uint8_t gesn_media[8] = { 0, 4, 0x04, 0x5E, 0x02, 0x02, 0, 0 };
static const uint8_t buffer_cap[12] = { 0, 10, 0, 0, 0, 0x40, 0, 0,
					0, 0x20, 0, 0 };
static const uint8_t perf3[8 + 32] = {
	0, 0, 0, 36, 0, 0, 0, 0,
	0x10, 0, 0, 0, 0, 0xBA, 0x7F, 0xFF, 0, 0, 0x11, 0x94, 0, 0, 0x8C, 0xA0,
	0x00, 0, 0, 0, 0, 0xBA, 0x7F, 0xFF, 0, 0, 0x11, 0x94, 0, 0, 0x46, 0x50,
};
static const uint8_t dvd_phys[4 + 17] = {
	0, 19, 0, 0, 0xA1, 0x0F, 0x01, 0x00,
	0, 0x03, 0, 0, 0, 0x26, 0x05, 0x3F, 0, 0, 0, 0, 0,
};
static const uint8_t mech[8] = { 0x00, 0x10, 0, 0, 0, 0, 0, 0 };
static const uint8_t capacity[8] = { 0, 0x23, 0x05, 0x3F, 0, 0, 8, 0 };

/* A copy of n bytes in a heap block of exactly n bytes (ASan guards it). */
static uint8_t *exact(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	assert_non_null(b);
	if (n)
		memcpy(b, p, n);
	return b;
}

/* ------------------------------------------------------------ fields */

static void test_inquiry_fields_trimmed(void **s)
{
	struct mmc_inquiry q;

	assert_int_equal(mmc_parse_inquiry(inquiry, sizeof(inquiry), &q, NULL), 0);
	assert_int_equal(q.peripheral_type, 5);
	assert_true(q.removable);
	assert_string_equal(q.vendor, "HL-DT-ST");
	assert_string_equal(q.model, "BD-RE  BH16NS40");
	assert_string_equal(q.revision, "1.02");
}

static void test_config_profiles_and_features(void **s)
{
	struct mmc_config c;
	const struct mmc_feature_desc *f;

	assert_int_equal(mmc_parse_config(config, sizeof(config), &c, NULL), 0);
	assert_int_equal(c.current_profile, 0x41);
	assert_int_equal(c.n_profiles, 3);
	assert_int_equal(c.profiles[0], 0x43);
	assert_false(c.profile_current[0]);
	assert_int_equal(c.profiles[1], 0x41);
	assert_true(c.profile_current[1]);
	assert_int_equal(c.n_features, 3);
	f = mmc_config_feature(&c, 0x0003);
	assert_non_null(f);
	assert_true(f->current);
	assert_true(f->persistent);
	assert_int_equal(f->add_len, 4);
	assert_int_equal(f->data[0], 0x29);
	assert_int_equal(mmc_config_feature(&c, 0x0001)->version, 2);
	assert_null(mmc_config_feature(&c, 0x0021));
}

static void test_config_header_only_means_feature_absent(void **s)
{
	static const uint8_t hdr[8] = { 0, 0, 0, 4, 0, 0, 0x00, 0x1A };
	struct mmc_config c;

	assert_int_equal(mmc_parse_config(hdr, 8, &c, NULL), 0);
	assert_int_equal(c.current_profile, 0x1A);
	assert_int_equal(c.n_features, 0);
}

static void test_mode_page_2a_fields(void **s)
{
	struct mmc_page_ref mp;
	struct mmc_page_2a p;

	assert_int_equal(mmc_parse_mode_sense10(mode_2a, sizeof(mode_2a), 0x2A,
						&mp, NULL), 0);
	assert_int_equal(mp.size, 40);
	assert_int_equal(mmc_parse_page_2a(mp.data, mp.size, &p, NULL), 0);
	assert_int_equal(p.loading_mech, 1);
	assert_true(p.can_eject);
	assert_true(p.can_lock);
	assert_false(p.locked);
	assert_int_equal(p.buffer_kib, 0x1000);
	assert_int_equal(p.cur_write_kbps, 0x6060);
	assert_int_equal(p.n_write_speeds, 2);
	assert_int_equal(p.write_speeds[0], 0x6060);
	assert_int_equal(p.write_speeds[1], 0x3030);
}

static void test_mode_sense_skips_block_descriptors(void **s)
{
	uint8_t b[8 + 8 + 12];
	struct mmc_page_ref mp;
	struct mmc_page_01 p;

	memset(b, 0, sizeof(b));
	b[1] = sizeof(b) - 2;
	b[7] = 8; /* one block descriptor, as QEMU sends */
	b[16] = 0x01;
	b[17] = 10;
	b[18] = 0x80;
	b[19] = 0x20;
	assert_int_equal(mmc_parse_mode_sense10(b, sizeof(b), 1, &mp, NULL), 0);
	assert_int_equal(mmc_parse_page_01(mp.data, mp.size, &p, NULL), 0);
	assert_int_equal(p.flags, 0x80);
	assert_int_equal(p.read_retry, 0x20);
}

static void test_mode_sense_wrong_page_refused(void **s)
{
	struct mmc_page_ref mp;
	discfs_error err;

	assert_int_equal(mmc_parse_mode_sense10(mode_2a, sizeof(mode_2a), 0x05,
						&mp, &err), -DISCFS_EPROTO);
	assert_non_null(strstr(err.msg, "page"));
}

static void test_page_05_round_trip(void **s)
{
	struct mmc_page_05 in = {
		.bufe = true, .ls_v = true, .write_type = 0, .multisession = 3,
		.fp = true, .track_mode = 5, .data_block_type = 8,
		.link_size = 16, .packet_size = 16, .audio_pause = 150,
	}, out;
	struct mmc_page_ref mp;

	mmc_build_page_05(&in, mode_05);
	assert_int_equal(mode_05[0] << 8 | mode_05[1], 0); /* header zeroed */
	assert_int_equal(mode_05[8], 0x05);
	assert_int_equal(mode_05[9], 0x32);
	assert_int_equal(mode_05[10], 0x60);
	assert_int_equal(mode_05[11], 0xE5);
	/* as a MODE SENSE answer it needs its length set */
	mode_05[1] = sizeof(mode_05) - 2;
	assert_int_equal(mmc_parse_mode_sense10(mode_05, sizeof(mode_05), 5,
						&mp, NULL), 0);
	assert_int_equal(mmc_parse_page_05(mp.data, mp.size, &out, NULL), 0);
	assert_true(out.bufe && out.ls_v && out.fp && !out.test_write);
	assert_int_equal(out.multisession, 3);
	assert_int_equal(out.track_mode, 5);
	assert_int_equal(out.data_block_type, 8);
	assert_int_equal(out.link_size, 16);
	assert_int_equal(out.packet_size, 16);
	assert_int_equal(out.audio_pause, 150);
}

static void test_disc_info_fields(void **s)
{
	struct mmc_disc_info d;

	assert_int_equal(mmc_parse_disc_info(disc_info_appendable, 34, &d,
					     NULL), 0);
	assert_true(d.erasable);
	assert_int_equal(d.last_session_state, 1);
	assert_int_equal(d.disc_status, 1);
	assert_int_equal(d.sessions, 2);
	assert_int_equal(d.first_track_last_session, 3);
	assert_int_equal(d.last_track_last_session, 3);
	assert_int_equal(d.bg_format_status, 3);
	assert_int_equal(d.last_lead_out, 2295104);
}

static void test_disc_info_opc_count_must_fit(void **s)
{
	uint8_t b[34];
	struct mmc_disc_info d;

	memcpy(b, disc_info_appendable, 34);
	b[33] = 3; /* three OPC tables announced, none sent */
	assert_int_equal(mmc_parse_disc_info(b, 34, &d, NULL), -DISCFS_EPROTO);
}

static void test_track_info_open_track(void **s)
{
	struct mmc_track_info t;

	assert_int_equal(mmc_parse_track_info(track_info_open, 48, &t, NULL), 0);
	assert_int_equal(t.track, 3);
	assert_int_equal(t.session, 2);
	assert_int_equal(t.track_mode, 5);
	assert_true(t.packet);
	assert_false(t.blank);
	assert_true(t.nwa_v);
	assert_false(t.lra_v);
	assert_int_equal(t.start, 0x1000);
	assert_int_equal(t.nwa, 0x2000);
	assert_int_equal(t.free_blocks, 0x22F540);
	assert_int_equal(t.packet_size, 16);
	assert_true(t.read_compat_valid);
}

static void test_track_info_nwa_before_start_refused(void **s)
{
	uint8_t b[48];
	struct mmc_track_info t;

	memcpy(b, track_info_open, 48);
	b[14] = 0x00; /* NWA 0 < start 0x1000 */
	assert_int_equal(mmc_parse_track_info(b, 48, &t, NULL), -DISCFS_EPROTO);
}

static void test_track_info_negative_nwa_on_blank_cd_repaired(void **s)
{
	uint8_t b[36] = { 0, 34, 1, 1, 0, 4, 0x40, 0x01 };
	struct mmc_track_info t;

	b[12] = b[13] = b[14] = 0xFF;
	b[15] = 0x6A; /* -150 */
	assert_int_equal(mmc_parse_track_info(b, 36, &t, NULL), 0);
	assert_int_equal(t.nwa, 0);
}

static void test_toc_formats(void **s)
{
	struct mmc_toc t;

	assert_int_equal(mmc_parse_toc(toc0, sizeof(toc0), 0, &t, NULL), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.e[0].ctrl, 4);
	assert_int_equal(t.e[0].adr, 1);
	assert_int_equal(t.e[1].track, 0xAA);
	assert_int_equal(t.e[1].addr, 0x1000);
	assert_int_equal(mmc_parse_toc(toc2, sizeof(toc2), 2, &t, NULL), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.e[1].track, 0xA2);
	assert_int_equal(t.e[1].pmin, 3);
	assert_int_equal(t.e[1].pframe, 5);
	/* format 1 needs exactly one descriptor */
	assert_int_equal(mmc_parse_toc(toc0, sizeof(toc0), 1, &t, NULL),
			 -DISCFS_EPROTO);
	/* an 8-byte-descriptor TOC is not a raw TOC */
	assert_int_equal(mmc_parse_toc(toc0, sizeof(toc0), 2, &t, NULL),
			 -DISCFS_EPROTO);
}

static void test_atip_lead_in_out(void **s)
{
	struct mmc_atip a;

	assert_int_equal(mmc_parse_atip(atip, sizeof(atip), &a, NULL), 0);
	assert_true(a.cd_rw);
	assert_int_equal(a.lead_out_lba, 359849);
	assert_int_equal(a.lead_in_lba, mmc_msf_to_lba(97, 26, 66));
	assert_true(a.lead_in_lba < 0);
	assert_int_equal(mmc_msf_to_lba(0, 2, 0), 0);
}

static void test_format_caps_bd_re(void **s)
{
	struct mmc_format_caps f;

	assert_int_equal(mmc_parse_format_caps(format_caps, sizeof(format_caps),
					       &f, NULL), 0);
	assert_int_equal(f.cur_type, MMC_CAP_FORMATTED);
	assert_int_equal(f.cur_blocks, 12221440);
	assert_int_equal(f.cur_block_len, 2048);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.d[0].type, 0x00);
	assert_int_equal(f.d[0].param, 0x3000);
	assert_int_equal(f.d[1].type, 0x31);
}

static void test_format_caps_list_not_multiple_of_8(void **s)
{
	uint8_t b[4 + 20];
	struct mmc_format_caps f;

	memcpy(b, format_caps, sizeof(b));
	b[3] = 20;
	assert_int_equal(mmc_parse_format_caps(b, sizeof(b), &f, NULL),
			 -DISCFS_EPROTO);
}

static void test_gesn_media_event(void **s)
{
	struct mmc_event e;
	static const uint8_t nea[4] = { 0, 0, 0x80, 0x10 };

	assert_int_equal(mmc_parse_event_status(gesn_media, 8, &e, NULL), 0);
	assert_int_equal(e.cls, 4);
	assert_true(e.has_descriptor);
	assert_int_equal(e.event, 2);
	assert_true(e.media_present);
	assert_false(e.tray_open);
	assert_int_equal(mmc_parse_event_status(nea, 4, &e, NULL), 0);
	assert_true(e.nea);
	assert_false(e.has_descriptor);
}

static void test_buffer_capacity(void **s)
{
	struct mmc_buffer_cap b;
	uint8_t bad[12];

	assert_int_equal(mmc_parse_buffer_cap(buffer_cap, 12, false, &b, NULL), 0);
	assert_int_equal(b.size, 4 << 20);
	assert_int_equal(b.free, 2 << 20);
	memcpy(bad, buffer_cap, 12);
	bad[8] = 0x7F; /* more free than the whole buffer */
	assert_int_equal(mmc_parse_buffer_cap(bad, 12, false, &b, NULL),
			 -DISCFS_EPROTO);
}

static void test_performance_write_speeds(void **s)
{
	struct mmc_performance p;

	assert_int_equal(mmc_parse_performance(perf3, sizeof(perf3), 3, &p,
					       NULL), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.ws[0].wrc, 2);
	assert_int_equal(p.ws[0].end_lba, 0xBA7FFF);
	assert_int_equal(p.ws[0].write_kbps, 36000);
	assert_int_equal(p.ws[1].write_kbps, 18000);
}

static void test_dvd_physical_and_structure(void **s)
{
	struct mmc_dvd_physical p;

	assert_int_equal(mmc_parse_dvd_physical(dvd_phys, sizeof(dvd_phys), &p,
						NULL), 0);
	assert_int_equal(p.book_type, 0xA);
	assert_int_equal(p.layers, 1);
	assert_int_equal(p.start_psn, 0x30000);
	assert_int_equal(p.end_psn, 0x26053F);
}

static void test_mech_status_and_capacity(void **s)
{
	struct mmc_mech_status m;
	struct mmc_capacity c;

	assert_int_equal(mmc_parse_mech_status(mech, 8, &m, NULL), 0);
	assert_true(m.door_open);
	assert_int_equal(m.n_slots, 0);
	assert_int_equal(mmc_parse_capacity(capacity, 8, &c, NULL), 0);
	assert_int_equal(c.last_lba, 2295103);
	assert_int_equal(c.block_len, 2048);
}

/* ------------------------------------------------ truncation, hostility */

typedef int (*parse_fn)(const uint8_t *, size_t, discfs_error *);

#define WRAP(name, call)                                                    \
	static int name(const uint8_t *b, size_t n, discfs_error *e)       \
	{                                                                   \
		call;                                                       \
	}
WRAP(p_inquiry, struct mmc_inquiry o; return mmc_parse_inquiry(b, n, &o, e))
WRAP(p_config, static struct mmc_config o; return mmc_parse_config(b, n, &o, e))
WRAP(p_mode2a, struct mmc_page_ref m; int rc = mmc_parse_mode_sense10(b, n, 0x2A, &m, e);
     struct mmc_page_2a o; return rc ? rc : mmc_parse_page_2a(m.data, m.size, &o, e))
WRAP(p_mode05, struct mmc_page_ref m; int rc = mmc_parse_mode_sense10(b, n, 0x05, &m, e);
     struct mmc_page_05 o; return rc ? rc : mmc_parse_page_05(m.data, m.size, &o, e))
WRAP(p_disc, struct mmc_disc_info o; return mmc_parse_disc_info(b, n, &o, e))
WRAP(p_track, struct mmc_track_info o; return mmc_parse_track_info(b, n, &o, e))
WRAP(p_toc0, static struct mmc_toc o; return mmc_parse_toc(b, n, 0, &o, e))
WRAP(p_toc2, static struct mmc_toc o; return mmc_parse_toc(b, n, 2, &o, e))
WRAP(p_atip, struct mmc_atip o; return mmc_parse_atip(b, n, &o, e))
WRAP(p_fmt, struct mmc_format_caps o; return mmc_parse_format_caps(b, n, &o, e))
WRAP(p_gesn, struct mmc_event o; return mmc_parse_event_status(b, n, &o, e))
WRAP(p_buf, struct mmc_buffer_cap o; return mmc_parse_buffer_cap(b, n, false, &o, e))
WRAP(p_perf, static struct mmc_performance o; return mmc_parse_performance(b, n, 3, &o, e))
WRAP(p_phys, struct mmc_dvd_physical o; return mmc_parse_dvd_physical(b, n, &o, e))
WRAP(p_mech, struct mmc_mech_status o; return mmc_parse_mech_status(b, n, &o, e))
WRAP(p_cap, struct mmc_capacity o; return mmc_parse_capacity(b, n, &o, e))

struct sample {
	const char *name;
	parse_fn fn;
	const uint8_t *data;
	size_t len;
};

static const struct sample samples[] = {
	{ "inquiry", p_inquiry, inquiry, sizeof(inquiry) },
	{ "config", p_config, config, sizeof(config) },
	{ "mode 2A", p_mode2a, mode_2a, sizeof(mode_2a) },
	{ "mode 05", p_mode05, mode_05, sizeof(mode_05) },
	{ "disc info", p_disc, disc_info_appendable, 34 },
	{ "track info", p_track, track_info_open, 48 },
	{ "toc 0", p_toc0, toc0, sizeof(toc0) },
	{ "toc 2", p_toc2, toc2, sizeof(toc2) },
	{ "atip", p_atip, atip, sizeof(atip) },
	{ "format caps", p_fmt, format_caps, sizeof(format_caps) },
	{ "gesn", p_gesn, gesn_media, sizeof(gesn_media) },
	{ "buffer", p_buf, buffer_cap, sizeof(buffer_cap) },
	{ "perf", p_perf, perf3, sizeof(perf3) },
	{ "dvd phys", p_phys, dvd_phys, sizeof(dvd_phys) },
	{ "mech", p_mech, mech, sizeof(mech) },
	{ "capacity", p_cap, capacity, sizeof(capacity) },
};
#define N_SAMPLES (sizeof(samples) / sizeof(samples[0]))

static void fill_mode_05(void)
{
	struct mmc_page_05 p = { .write_type = 1, .track_mode = 4,
				 .data_block_type = 8, .audio_pause = 150 };
	mmc_build_page_05(&p, mode_05);
	mode_05[1] = sizeof(mode_05) - 2;
}

static void test_every_sample_parses_whole(void **s)
{
	fill_mode_05();
	for (size_t i = 0; i < N_SAMPLES; i++) {
		uint8_t *b = exact(samples[i].data, samples[i].len);
		discfs_error err = { 0 };
		int rc = samples[i].fn(b, samples[i].len, &err);
		if (rc)
			fail_msg("%s: %s", samples[i].name, err.msg);
		free(b);
	}
}

/* Every strict prefix of a valid response is truncated: refused, with a
 * message, and nothing read beyond the prefix. */
static void test_every_prefix_is_refused(void **s)
{
	fill_mode_05();
	for (size_t i = 0; i < N_SAMPLES; i++) {
		for (size_t n = 0; n < samples[i].len; n++) {
			uint8_t *b = exact(samples[i].data, n);
			discfs_error err = { 0 };
			int rc = samples[i].fn(b, n, &err);
			if (rc != -DISCFS_EPROTO)
				fail_msg("%s: prefix of %zu bytes gave %d",
					 samples[i].name, n, rc);
			assert_int_equal(err.code, DISCFS_EPROTO);
			assert_true(err.msg[0] != '\0');
			free(b);
		}
	}
}

/* Length fields claiming the maximum: refused as truncated. */
static void test_lengths_claiming_too_much_are_refused(void **s)
{
	fill_mode_05();
	for (size_t i = 0; i < N_SAMPLES; i++) {
		uint8_t *b = exact(samples[i].data, samples[i].len);
		if (samples[i].fn == p_cap) {
			free(b);
			continue; /* fixed 8 bytes, no length field */
		}
		if (samples[i].fn == p_inquiry)
			b[4] = 0xFF;
		else if (samples[i].fn == p_fmt)
			b[3] = 0xF8;
		else if (samples[i].fn == p_mech)
			b[6] = b[7] = 0xFF;
		else if (samples[i].fn == p_gesn)
			b[0] = b[1] = 0xFF;
		else
			b[0] = b[1] = b[2] = b[3] = 0xFF;
		if (samples[i].fn == p_config || samples[i].fn == p_perf)
			; /* 32-bit length at 0 */
		else if (samples[i].fn != p_inquiry && samples[i].fn != p_fmt &&
			 samples[i].fn != p_mech && samples[i].fn != p_gesn)
			memcpy(b + 2, samples[i].data + 2, 2); /* 16-bit */
		if (samples[i].fn(b, samples[i].len, NULL) != -DISCFS_EPROTO)
			fail_msg("%s: huge length accepted", samples[i].name);
		free(b);
	}
}

/* Random bytes (fixed seed) of every length up to 300: no crash, no
 * overread, only 0 or EPROTO. */
static void test_random_bytes_never_crash(void **s)
{
	uint32_t x = 0x12345678;

	for (size_t i = 0; i < N_SAMPLES; i++) {
		for (int round = 0; round < 400; round++) {
			size_t n = round % 300;
			uint8_t *b = malloc(n ? n : 1);
			for (size_t k = 0; k < n; k++) {
				x = x * 1103515245u + 12345u;
				b[k] = (uint8_t)(x >> 16);
			}
			/* Half the time keep a plausible length field so
			 * the body parsers are reached. */
			if (round & 1 && n >= 4) {
				b[0] = 0;
				b[1] = (uint8_t)(n - 2);
				if (samples[i].fn == p_config ||
				    samples[i].fn == p_perf) {
					b[1] = 0;
					b[2] = 0;
					b[3] = (uint8_t)(n - 4);
				}
			}
			int rc = samples[i].fn(b, n, NULL);
			if (rc != 0 && rc != -DISCFS_EPROTO)
				fail_msg("%s: %d on random input",
					 samples[i].name, rc);
			free(b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inquiry_fields_trimmed),
		cmocka_unit_test(test_config_profiles_and_features),
		cmocka_unit_test(test_config_header_only_means_feature_absent),
		cmocka_unit_test(test_mode_page_2a_fields),
		cmocka_unit_test(test_mode_sense_skips_block_descriptors),
		cmocka_unit_test(test_mode_sense_wrong_page_refused),
		cmocka_unit_test(test_page_05_round_trip),
		cmocka_unit_test(test_disc_info_fields),
		cmocka_unit_test(test_disc_info_opc_count_must_fit),
		cmocka_unit_test(test_track_info_open_track),
		cmocka_unit_test(test_track_info_nwa_before_start_refused),
		cmocka_unit_test(test_track_info_negative_nwa_on_blank_cd_repaired),
		cmocka_unit_test(test_toc_formats),
		cmocka_unit_test(test_atip_lead_in_out),
		cmocka_unit_test(test_format_caps_bd_re),
		cmocka_unit_test(test_format_caps_list_not_multiple_of_8),
		cmocka_unit_test(test_gesn_media_event),
		cmocka_unit_test(test_buffer_capacity),
		cmocka_unit_test(test_performance_write_speeds),
		cmocka_unit_test(test_dvd_physical_and_structure),
		cmocka_unit_test(test_mech_status_and_capacity),
		cmocka_unit_test(test_every_sample_parses_whole),
		cmocka_unit_test(test_every_prefix_is_refused),
		cmocka_unit_test(test_lengths_claiming_too_much_are_refused),
		cmocka_unit_test(test_random_bytes_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
