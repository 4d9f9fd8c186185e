/*
 * mmc/parse.h - parsers of MMC response data, one per response type.
 *
 * Every parser has the shape
 *     int mmc_parse_X(const uint8_t *buf, size_t len, struct X *out,
 *                     discfs_error *err);
 * where len is the number of bytes the drive actually returned.  The
 * contract, for all of them:
 *  - out is cleared first and filled only from bytes inside buf[0..len);
 *    nothing past len is ever read, whatever the length fields claim;
 *  - the length field of the response is checked against len: a response
 *    that states more than len bytes is truncated (fetch it again with the
 *    full allocation length: mmc_fetch() does) and is refused, as is one
 *    that states less than its fixed part or is internally inconsistent
 *    (lengths not multiples of their descriptor size, ...).  Refusals
 *    return -DISCFS_EPROTO with a one-line message naming the response;
 *  - parsers keep no pointer to buf except where a field says so (feature
 *    and mode page data: valid while buf lives).
 * Layouts: mmc-notes §1 (byte offsets 0-based, big-endian).
 */
#ifndef DFS_MMC_PARSE_H
#define DFS_MMC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

/* ------------------------------------------------------------ INQUIRY */
struct mmc_inquiry {
	uint8_t peripheral_type;  /* 05h = CD/DVD/BD device */
	bool removable;
	uint8_t version;
	char vendor[9];           /* trailing spaces trimmed */
	char model[17];
	char revision[5];
};
int mmc_parse_inquiry(const uint8_t *buf, size_t len, struct mmc_inquiry *out,
		      discfs_error *err);

/* ----------------------------------------------- GET CONFIGURATION */
#define MMC_MAX_CONFIG_PROFILES 64
#define MMC_MAX_CONFIG_FEATURES 128
struct mmc_feature_desc {
	uint16_t code;
	uint8_t version;
	bool persistent;
	bool current;
	uint8_t add_len;
	const uint8_t *data;      /* add_len bytes, inside the parsed buf */
};
struct mmc_config {
	uint16_t current_profile; /* 0 = no medium */
	uint16_t profiles[MMC_MAX_CONFIG_PROFILES];
	bool profile_current[MMC_MAX_CONFIG_PROFILES];
	size_t n_profiles;
	struct mmc_feature_desc features[MMC_MAX_CONFIG_FEATURES];
	size_t n_features;
};
int mmc_parse_config(const uint8_t *buf, size_t len, struct mmc_config *out,
		     discfs_error *err);
/* The descriptor of feature code, or NULL. */
const struct mmc_feature_desc *mmc_config_feature(const struct mmc_config *c,
					     uint16_t code);

/* ------------------------------------------------- MODE SENSE (10) */
/* A page located inside a MODE SENSE(10) response. */
struct mmc_page_ref {
	uint8_t code;
	bool ps;
	const uint8_t *data;      /* the page from its byte 0 (code), in buf */
	size_t size;              /* 2 + page length */
};
/* Skips the 8-byte header and any block descriptors, checks the first page
 * is want_page and fits. */
int mmc_parse_mode_sense10(const uint8_t *buf, size_t len, uint8_t want_page,
			   struct mmc_page_ref *out, discfs_error *err);

/* Page 01h */
struct mmc_page_01 {
	uint8_t flags;            /* AWRE 0x80 ARRE 0x40 TB 0x20 RC 0x10
				   * PER 0x04 DTE 0x02 DCR 0x01 */
	uint8_t read_retry;
	uint8_t write_retry;
	uint16_t recovery_time_limit;
};
int mmc_parse_page_01(const uint8_t *page, size_t len, struct mmc_page_01 *out,
		      discfs_error *err);

/* Page 05h */
struct mmc_page_05 {
	bool bufe, ls_v, test_write;
	uint8_t write_type;       /* enum mmc_write_type */
	uint8_t multisession;     /* 0 finalize, 3 keep appendable */
	bool fp, copy;
	uint8_t track_mode;
	uint8_t data_block_type;
	uint8_t link_size;
	uint8_t host_app_code;
	uint8_t session_format;
	uint32_t packet_size;
	uint16_t audio_pause;
};
#define MMC_PAGE_05_LEN 0x34u /* 2 + 0x32 */
int mmc_parse_page_05(const uint8_t *page, size_t len, struct mmc_page_05 *out,
		      discfs_error *err);
/* Builds a MODE SELECT(10) parameter list: zeroed 8-byte header + page 05
 * (length 0x32).  out must hold MMC_MODE_SELECT_05_LEN bytes. */
#define MMC_MODE_SELECT_05_LEN (8u + MMC_PAGE_05_LEN)
void mmc_build_page_05(const struct mmc_page_05 *p,
		       uint8_t out[MMC_MODE_SELECT_05_LEN]);

/* Page 2Ah */
#define MMC_MAX_2A_SPEEDS 32
struct mmc_page_2a {
	uint8_t read_caps;        /* byte 2 */
	uint8_t write_caps;       /* byte 3 */
	uint8_t caps4, caps5;
	uint8_t loading_mech;     /* byte 6 bits 7-5 */
	bool can_eject;
	bool prevent_jumper;
	bool locked;
	bool can_lock;
	uint16_t max_read_kbps;   /* obsolete fields, 0 if absent */
	uint16_t cur_read_kbps;
	uint16_t buffer_kib;
	uint16_t max_write_kbps;
	uint16_t cur_write_kbps;  /* bytes 28-29 when present, else 20-21 */
	uint16_t write_speeds[MMC_MAX_2A_SPEEDS]; /* kB/s from descriptors */
	size_t n_write_speeds;
};
int mmc_parse_page_2a(const uint8_t *page, size_t len, struct mmc_page_2a *out,
		      discfs_error *err);

/* ------------------------------------------------ READ CAPACITY */
struct mmc_capacity {
	uint32_t last_lba;
	uint32_t block_len;
};
int mmc_parse_capacity(const uint8_t *buf, size_t len,
		       struct mmc_capacity *out, discfs_error *err);

/* ------------------------------------- READ DISC INFORMATION (type 0) */
struct mmc_disc_info {
	bool erasable;
	uint8_t last_session_state; /* enum discfs_session_state */
	uint8_t disc_status;        /* enum discfs_disc_status */
	uint8_t first_track;
	uint16_t sessions;
	uint16_t first_track_last_session;
	uint16_t last_track_last_session;
	bool did_v, dbc_v, uru, dac_v, dbit;
	uint8_t bg_format_status;
	uint8_t disc_type;
	uint32_t disc_id;
	uint32_t last_lead_in;      /* LBA or 00MMSSFF (CD) as stored */
	uint32_t last_lead_out;
	uint8_t n_opc;
};
int mmc_parse_disc_info(const uint8_t *buf, size_t len,
			struct mmc_disc_info *out, discfs_error *err);

/* --------------------------------------- READ TRACK INFORMATION */
struct mmc_track_info {
	uint16_t track;
	uint16_t session;
	bool damage, copy;
	uint8_t track_mode;
	bool rt, blank, packet, fp;
	uint8_t data_mode;
	bool lra_v, nwa_v;
	uint32_t start;
	uint32_t nwa;
	uint32_t free_blocks;
	uint32_t packet_size;
	uint32_t size;
	uint32_t lra;               /* when lra_v */
	bool read_compat_valid;
	uint32_t read_compat_lba;
};
int mmc_parse_track_info(const uint8_t *buf, size_t len,
			 struct mmc_track_info *out, discfs_error *err);

/* --------------------------------------- READ TOC/PMA/ATIP 0/1/2/4 */
#define MMC_MAX_TOC_ENTRIES 128
struct mmc_toc_entry {
	uint8_t session;            /* format 2 only */
	uint8_t adr, ctrl;
	uint8_t track;              /* format 0/1: track number; 2: POINT */
	uint32_t addr;              /* format 0/1: LBA (or 00MMSSFF if MSF) */
	uint8_t min, sec, frame;    /* format 2 */
	uint8_t pmin, psec, pframe; /* format 2 */
};
struct mmc_toc {
	uint8_t format;
	uint8_t first, last;        /* tracks (0) or sessions (1, 2) */
	struct mmc_toc_entry e[MMC_MAX_TOC_ENTRIES];
	size_t n;
};
/* format is the one asked for (0, 1 or 2). */
int mmc_parse_toc(const uint8_t *buf, size_t len, uint8_t format,
		  struct mmc_toc *out, discfs_error *err);

struct mmc_atip {
	uint8_t write_power;        /* byte 4 bits 6-4 */
	bool uru;
	bool cd_rw;                 /* disc type bit */
	uint8_t disc_subtype;
	uint8_t lead_in_m, lead_in_s, lead_in_f;
	uint8_t lead_out_m, lead_out_s, lead_out_f;
	int32_t lead_in_lba;        /* negative for M >= 90 */
	int32_t lead_out_lba;
};
int mmc_parse_atip(const uint8_t *buf, size_t len, struct mmc_atip *out,
		   discfs_error *err);
/* LBA of a CD MSF address: (M*60+S)*75+F-150, or -450150 more if M >= 90. */
int32_t mmc_msf_to_lba(uint8_t m, uint8_t s, uint8_t f);

/* --------------------------------------- READ FORMAT CAPACITIES */
#define MMC_MAX_FORMAT_DESCS 32
struct mmc_format_desc {
	uint32_t blocks;
	uint8_t type;               /* format type (6 bits) */
	uint8_t subtype;            /* low 2 bits of byte 4 */
	uint32_t param;             /* type-dependent parameter (24 bits) */
};
enum mmc_cap_type {
	MMC_CAP_UNFORMATTED = 1,
	MMC_CAP_FORMATTED = 2,
	MMC_CAP_NO_MEDIUM = 3,
};
struct mmc_format_caps {
	uint32_t cur_blocks;
	uint8_t cur_type;           /* enum mmc_cap_type (0 = reserved) */
	uint32_t cur_block_len;
	struct mmc_format_desc d[MMC_MAX_FORMAT_DESCS];
	size_t n;
};
int mmc_parse_format_caps(const uint8_t *buf, size_t len,
			  struct mmc_format_caps *out, discfs_error *err);

/* --------------------------------------- GET EVENT STATUS (polled) */
struct mmc_event {
	bool nea;                   /* no event available */
	uint8_t cls;                /* notification class of the descriptor */
	uint8_t supported;          /* supported classes bitmap */
	bool has_descriptor;
	uint8_t event;              /* low nibble of descriptor byte 0 */
	bool media_present;         /* media class only */
	bool tray_open;
	uint8_t raw[4];             /* the descriptor */
};
int mmc_parse_event_status(const uint8_t *buf, size_t len,
			   struct mmc_event *out, discfs_error *err);

/* --------------------------------------- READ BUFFER CAPACITY */
struct mmc_buffer_cap {
	bool block;                 /* answered in blocks (Block bit) */
	uint32_t size;              /* bytes; 0 when block */
	uint32_t free;              /* bytes, or blocks when block */
};
int mmc_parse_buffer_cap(const uint8_t *buf, size_t len, bool block,
			 struct mmc_buffer_cap *out, discfs_error *err);

/* --------------------------------------- GET PERFORMANCE */
#define MMC_MAX_PERF_DESCS 32
struct mmc_write_speed {    /* type 03h descriptor */
	uint8_t wrc;
	bool rdd, exact, mrw;
	uint32_t end_lba;
	uint32_t read_kbps;
	uint32_t write_kbps;
};
struct mmc_perf {           /* type 00h descriptor */
	uint32_t start_lba, start_kbps, end_lba, end_kbps;
};
struct mmc_performance {
	uint8_t type;               /* 0 or 3, as asked */
	bool write;                 /* header byte 4 bit 1 */
	bool except;
	size_t n;
	struct mmc_write_speed ws[MMC_MAX_PERF_DESCS]; /* type 3 */
	struct mmc_perf perf[MMC_MAX_PERF_DESCS];      /* type 0 */
};
int mmc_parse_performance(const uint8_t *buf, size_t len, uint8_t type,
			  struct mmc_performance *out, discfs_error *err);

/* --------------------------------------- READ DISC STRUCTURE */
struct mmc_disc_structure {
	const uint8_t *data;        /* payload after the 4-byte header, in buf */
	size_t size;
};
int mmc_parse_disc_structure(const uint8_t *buf, size_t len,
			     struct mmc_disc_structure *out,
			     discfs_error *err);
/* DVD format 00h: physical format information. */
struct mmc_dvd_physical {
	uint8_t book_type, book_version;
	uint8_t disc_size, max_rate;
	uint8_t layers;             /* number of layers (1 or 2) */
	uint8_t layer_type;
	uint32_t start_psn, end_psn, end_psn_l0;
};
int mmc_parse_dvd_physical(const uint8_t *buf, size_t len,
			   struct mmc_dvd_physical *out, discfs_error *err);

/* --------------------------------------- MECHANISM STATUS */
struct mmc_mech_status {
	bool fault;
	uint8_t changer_state;
	uint8_t current_slot;
	uint8_t mech_state;
	bool door_open;
	uint32_t current_lba;
	uint8_t n_slots;
	uint16_t slot_table_len;
};
int mmc_parse_mech_status(const uint8_t *buf, size_t len,
			  struct mmc_mech_status *out, discfs_error *err);

/* --------------------------------------- REQUEST SENSE data: mmc/sense.h */

#endif
