/*
 * mmc/cdb.h - CDB builders: one function per MMC command.
 *
 * Each builder clears the whole struct mmc_cmd, then fills the CDB, its
 * length, the data direction, buffer and transfer length, and a default
 * timeout fitting the command (the caller may change cmd->timeout_ms
 * afterwards).  Builders only describe a command; nothing is sent.  Send it
 * with mmc_run() (mmc/exec.h) or mmc_transport_exec() (mmc/transport.h).
 *
 * Ownership: cmd->buf points at the caller's buffer, which must stay valid
 * and hold at least the stated number of bytes until the command completes.
 * Builders that send data (MODE SELECT, FORMAT UNIT, WRITE, SEND CUE SHEET,
 * SET STREAMING) take a const buffer and never write to it.
 *
 * Allocation lengths are passed as given: the drive returns
 * min(alloc, available) and states the full length inside the data (see
 * mmc_fetch() in mmc/exec.h for the two-pass fetch).
 *
 * Builders whose transfer length is computed (blocks * block_bytes) return
 * 0 or a negative discfs code with err filled when it does not fit; the
 * others cannot fail and return void.
 */
#ifndef DFS_MMC_CDB_H
#define DFS_MMC_CDB_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"
#include "mmc/mmc_defs.h"
#include "mmc/transport.h"

/* Default timeouts (ms) the builders set. */
#define MMC_TIMEOUT_SHORT 10000u     /* queries */
#define MMC_TIMEOUT_IO 60000u        /* READ/WRITE/VERIFY */
#define MMC_TIMEOUT_IMMED 60000u     /* Immed operations: they return at once */
#define MMC_TIMEOUT_LONG 3600000u    /* non-Immed BLANK/FORMAT/CLOSE/SYNC */

/* ------------------------------------------------------------ queries */
void mmc_cdb_test_unit_ready(struct mmc_cmd *c);
/* DESC=0: fixed-format sense.  alloc is usually 18. */
void mmc_cdb_request_sense(struct mmc_cmd *c, void *buf, uint8_t alloc);
/* Standard INQUIRY data (no EVPD); alloc is usually 36. */
void mmc_cdb_inquiry(struct mmc_cmd *c, void *buf, uint8_t alloc);

/* Page control for MODE SENSE. */
enum mmc_page_control {
	MMC_PC_CURRENT = 0,
	MMC_PC_CHANGEABLE = 1,
	MMC_PC_DEFAULT = 2,
	MMC_PC_SAVED = 3,
};
/* MODE SENSE(10), DBD=1 (MMC has no block descriptors). */
void mmc_cdb_mode_sense10(struct mmc_cmd *c, uint8_t page, uint8_t pc,
			  void *buf, uint16_t alloc);
/* MODE SELECT(10), PF=1, SP=0.  buf = 8-byte mode header (zeroed) + page;
 * len is the whole parameter list length. */
void mmc_cdb_mode_select10(struct mmc_cmd *c, const void *buf, uint16_t len);

/* GET CONFIGURATION request types (RT). */
enum mmc_gc_rt {
	MMC_GC_ALL = 0,     /* every feature from start_feature on */
	MMC_GC_CURRENT = 1, /* current features from start_feature on */
	MMC_GC_ONE = 2,     /* only start_feature (header only if absent) */
};
void mmc_cdb_get_configuration(struct mmc_cmd *c, uint8_t rt,
			       uint16_t start_feature, void *buf,
			       uint16_t alloc);

/* GET EVENT STATUS NOTIFICATION, polled.  class_mask: bit n = class n
 * (MMC_GESN_MEDIA = 1 << 4). */
#define MMC_GESN_OPCHANGE (1u << 1)
#define MMC_GESN_POWER (1u << 2)
#define MMC_GESN_EXTERNAL (1u << 3)
#define MMC_GESN_MEDIA (1u << 4)
#define MMC_GESN_MULTIHOST (1u << 5)
#define MMC_GESN_BUSY (1u << 6)
void mmc_cdb_get_event_status(struct mmc_cmd *c, uint8_t class_mask,
			      void *buf, uint16_t alloc);

/* READ CAPACITY(10): buf must hold 8 bytes. */
void mmc_cdb_read_capacity(struct mmc_cmd *c, void *buf);

/* READ DISC INFORMATION: data type 0 standard, 1 track resources,
 * 2 POW resources. */
void mmc_cdb_read_disc_info(struct mmc_cmd *c, uint8_t data_type, void *buf,
			    uint16_t alloc);

/* READ TRACK INFORMATION address types. */
enum mmc_rti_type {
	MMC_RTI_LBA = 0,
	MMC_RTI_TRACK = 1,
	MMC_RTI_SESSION = 2,
};
#define MMC_TRACK_INVISIBLE 0xFFu /* the invisible/incomplete track */
void mmc_cdb_read_track_info(struct mmc_cmd *c, uint8_t addr_type,
			     uint32_t number, void *buf, uint16_t alloc);

/* READ TOC/PMA/ATIP formats. */
enum mmc_toc_format {
	MMC_TOC_FORMATTED = 0,
	MMC_TOC_SESSION = 1,
	MMC_TOC_RAW = 2,
	MMC_TOC_PMA = 3,
	MMC_TOC_ATIP = 4,
	MMC_TOC_CDTEXT = 5,
};
void mmc_cdb_read_toc(struct mmc_cmd *c, uint8_t format, bool msf,
		      uint8_t track_session, void *buf, uint16_t alloc);

void mmc_cdb_read_format_capacities(struct mmc_cmd *c, void *buf,
				    uint16_t alloc);
void mmc_cdb_read_buffer_capacity(struct mmc_cmd *c, bool block, void *buf,
				  uint16_t alloc);
/* media_type 0 DVD, 1 BD. */
void mmc_cdb_read_disc_structure(struct mmc_cmd *c, uint8_t media_type,
				 uint32_t address, uint8_t layer,
				 uint8_t format, void *buf, uint16_t alloc);
void mmc_cdb_mechanism_status(struct mmc_cmd *c, void *buf, uint16_t alloc);

/* GET PERFORMANCE.  type 0x00 performance (data_type e.g. 0x04 = write,
 * nominal), type 0x03 write speed descriptors (data_type ignored).
 * alloc bytes of buf: 8-byte header + 16 bytes per descriptor; the CDB's
 * maximum-descriptor count is derived from alloc. */
#define MMC_PERF_TYPE_PERFORMANCE 0x00
#define MMC_PERF_TYPE_WRITE_SPEED 0x03
#define MMC_PERF_DATA_WRITE 0x04
void mmc_cdb_get_performance(struct mmc_cmd *c, uint8_t data_type,
			     uint8_t type, void *buf, uint16_t alloc);

/* ------------------------------------------------------------ tray */
/* START STOP UNIT: start+loej = load, !start+loej = eject, start = spin
 * up, neither = stop. */
void mmc_cdb_start_stop(struct mmc_cmd *c, bool start, bool loej, bool immed);
void mmc_cdb_prevent_allow(struct mmc_cmd *c, bool prevent);

/* ------------------------------------------------------------ data */
/* Flags of the write builders. */
#define MMC_W_FUA 0x1u       /* force unit access */
#define MMC_W_STREAMING 0x2u /* WRITE(12)/READ(12) streaming bit */

/* block_bytes is the size of one block on the medium as transferred:
 * 2048 for data everywhere except CD write modes with other block types. */
int mmc_cdb_read10(struct mmc_cmd *c, uint32_t lba, uint16_t blocks,
		   uint32_t block_bytes, void *buf, discfs_error *err);
int mmc_cdb_read12(struct mmc_cmd *c, uint32_t lba, uint32_t blocks,
		   uint32_t block_bytes, unsigned flags, void *buf,
		   discfs_error *err);
int mmc_cdb_write10(struct mmc_cmd *c, uint32_t lba, uint16_t blocks,
		    uint32_t block_bytes, unsigned flags, const void *buf,
		    discfs_error *err);
int mmc_cdb_write12(struct mmc_cmd *c, uint32_t lba, uint32_t blocks,
		    uint32_t block_bytes, unsigned flags, const void *buf,
		    discfs_error *err);
/* WRITE AND VERIFY(10) with BytChk=0 (the drive verifies the medium). */
int mmc_cdb_write_verify10(struct mmc_cmd *c, uint32_t lba, uint16_t blocks,
			   uint32_t block_bytes, const void *buf,
			   discfs_error *err);
/* VERIFY(10), BytChk=0: the drive checks the blocks are readable. */
void mmc_cdb_verify10(struct mmc_cmd *c, uint32_t lba, uint16_t blocks);

/* ------------------------------------------------------------ recording */
void mmc_cdb_synchronize_cache(struct mmc_cmd *c, bool immed);
/* RESERVE TRACK with ARSV=0: size in blocks. */
void mmc_cdb_reserve_track(struct mmc_cmd *c, uint32_t blocks);
/* CLOSE TRACK/SESSION: fn is enum mmc_close_fn. */
void mmc_cdb_close_track_session(struct mmc_cmd *c, uint8_t fn,
				 uint16_t track, bool immed);
/* BLANK: type is enum mmc_blank_type; start is an LBA or track number. */
void mmc_cdb_blank(struct mmc_cmd *c, uint8_t type, bool immed,
		   uint32_t start);
/* FORMAT UNIT with FmtData=1, format code 001.  params = 4-byte header
 * (Immed goes in its byte 1) + 8-byte format descriptor: see
 * mmc_format_params() below. */
void mmc_cdb_format_unit(struct mmc_cmd *c, const void *params,
			 uint16_t len);
/* Fills the 12-byte FORMAT UNIT parameter list.  type_param is the 24-bit
 * type-dependent parameter; header_flags goes into byte 1 (0x02 = Immed,
 * 0x80 = FOV). */
#define MMC_FORMAT_PARAMS_LEN 12
#define MMC_FMT_IMMED 0x02u
#define MMC_FMT_FOV 0x80u
void mmc_format_params(uint8_t out[MMC_FORMAT_PARAMS_LEN],
		       uint8_t header_flags, uint32_t blocks,
		       uint8_t format_type, uint8_t subtype,
		       uint32_t type_param);
void mmc_cdb_send_opc(struct mmc_cmd *c, bool do_opc);
/* SEND CUE SHEET: len is 8 * entries. */
void mmc_cdb_send_cue_sheet(struct mmc_cmd *c, const void *cue, uint32_t len);

/* SET CD SPEED in kB/s (1000 bytes); 0xFFFF = maximum. */
#define MMC_SPEED_MAX 0xFFFFu
void mmc_cdb_set_cd_speed(struct mmc_cmd *c, uint16_t read_kbps,
			  uint16_t write_kbps, uint8_t rotation);

/* SET STREAMING type 0 with one 28-byte performance descriptor. */
#define MMC_STREAMING_DESC_LEN 28
void mmc_cdb_set_streaming(struct mmc_cmd *c, const void *desc);
/* Fills a performance descriptor asking for read_kbps/write_kbps (kB/s,
 * time base 1000 ms) over [start_lba, end_lba]. flags: byte 0 (WRC<<3,
 * RDD 0x04, Exact 0x02, RA 0x01). */
void mmc_streaming_desc(uint8_t out[MMC_STREAMING_DESC_LEN], uint8_t flags,
			uint32_t start_lba, uint32_t end_lba,
			uint32_t read_kbps, uint32_t write_kbps);

/*
 * Points an already-built data-in command at buf with allocation length
 * alloc, rewriting the allocation-length field wherever this opcode keeps
 * it (GET PERFORMANCE: the descriptor count derived from alloc).  Used by
 * the two-pass fetch.  Returns false for opcodes without one, or when
 * alloc does not fit the field (nothing changed then).
 */
bool mmc_cmd_set_alloc(struct mmc_cmd *c, void *buf, uint32_t alloc);

#endif
