/*
 * mmc/emu/emu_int.h - the emulated drive's inside: media table, disc model,
 * drive state, and the helpers the command handlers share.  Private to
 * mmc/emu/; others use emu.h.
 *
 * Model in one paragraph (docs/emulator.md has the long version):
 * a disc is a list of tracks in sessions.  Sequential media (CD-R/RW,
 * DVD-R/RW Seq, DVD+R, BD-R) grow by writing at the NWA of an open track;
 * the last track is "incomplete" when it is neither closed nor reserved and
 * then it IS the invisible track; otherwise the invisible track is virtual
 * (number n_tracks + 1, starting at next_start).  Random media (DVD-RAM,
 * DVD+RW, DVD-RW Restricted Overwrite, BD-RE, and a CD-RW formatted with
 * fixed packets: profile 000Ah with formatted > 0) are one track of
 * `formatted` blocks.  ROM discs are one finalized track.  Every state change happens
 * when the command is accepted; a long operation then only keeps the drive
 * "not ready" (2/04/xx with progress) until its emulated end time.
 */
#ifndef DFS_MMC_EMU_INT_H
#define DFS_MMC_EMU_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmc/emu/emu.h"
#include "mmc/mmc_defs.h"
#include "mmc/transport.h"

#define EMU_BLOCK 2048u
#define EMU_MAX_TRACKS 8192u
#define EMU_MAX_OPEN_RESERVED 16u
#define EMU_MAX_EVENTS 8u
#define EMU_MIN_CAPACITY 1024u

/* ------------------------------------------------------------ media table */

enum emu_family { EMU_CD, EMU_DVD, EMU_BD };

enum emu_media_flags {
	EMU_M_SEQ = 1u << 0,       /* sequential recording (NWA) */
	EMU_M_BLANKABLE = 1u << 1, /* BLANK allowed (CD-RW, DVD-RW) */
	EMU_M_RANDOM = 1u << 2,    /* random writable once formatted */
	EMU_M_ROM = 1u << 3,       /* read-only, made from an image */
	EMU_M_ERASABLE = 1u << 4,  /* disc info "erasable" bit */
	EMU_M_DL = 1u << 5,        /* two layers */
	EMU_M_PREFORMATTED = 1u << 6, /* sold formatted (DVD-RAM) */
};

struct emu_media {
	const char *name;
	uint16_t profile;      /* profile of a new disc */
	enum emu_family family;
	unsigned flags;        /* enum emu_media_flags */
	uint64_t capacity;     /* real capacity, blocks */
	uint32_t ecc;          /* blocks per ECC block / cluster (1, 16, 32) */
	uint8_t book_type;     /* DVD PFI book type nibble (DVD only) */
	uint32_t max_sessions;
	uint8_t speeds[8];     /* write speeds in "x", fastest first, 0 ends */
};

const struct emu_media *emu_media_find(const char *name);
const struct emu_media *emu_media_by_index(unsigned i);
unsigned emu_media_count(void);
/* Bytes per second of user data at 1x for a family. */
uint64_t emu_family_rate(enum emu_family f);
/* kB/s (1000) reported for "speed x" in a family (CD 176.4 kB/s per x). */
uint32_t emu_family_kbps(enum emu_family f, unsigned x);

/* ------------------------------------------------------------- disc model */

enum emu_track_flags {
	EMU_TR_CLOSED = 1u << 0,
	EMU_TR_RESERVED = 1u << 1,
	EMU_TR_DAMAGED = 1u << 2,
};

struct emu_track {
	uint32_t start;
	uint32_t size;     /* reserved or final size; 0 while incomplete */
	uint32_t written;  /* blocks recorded from start */
	uint32_t session;  /* 1-based */
	uint8_t flags;     /* enum emu_track_flags */
	uint8_t mode;      /* track mode nibble */
};

struct emu_disc {
	const struct emu_media *media;
	char image[PATH_MAX];
	int fd;
	uint16_t profile;          /* current (DVD-RW 0013h/0014h) */
	uint64_t capacity;         /* physical blocks */
	uint64_t formatted;        /* random media / formatted BD-R: usable */
	uint8_t bg_format;         /* DVD+RW: 0 none 1 suspended 2 running 3 done */
	bool pow;                  /* BD-R formatted with pseudo-overwrite */
	bool finalized;
	bool minimal_blanked;      /* DVD-RW: incremental not possible */
	bool tray_open;
	uint32_t sessions_closed;
	uint32_t next_start;       /* where the next new track starts */
	uint32_t n_tracks;
	struct emu_track *tracks;  /* EMU_MAX_TRACKS entries */
	struct emu_faults faults;
	double time_scale;
	unsigned quirks;           /* enum emu_quirk; "quirks" line, 0 = none */
};

/* disc_state.c: state file */
int emu_state_load(const char *image, struct emu_disc *disc, discfs_error *err);
int emu_state_save(const struct emu_disc *disc, discfs_error *err);
/* Initialises a blank disc of media in memory (tracks allocated). */
int emu_disc_init(struct emu_disc *disc, const struct emu_media *m,
		  uint64_t capacity, discfs_error *err);
void emu_disc_free(struct emu_disc *disc);
/* Checks the model's invariants (used after parsing). */
int emu_disc_validate(const struct emu_disc *disc, discfs_error *err);

/* image.c: the sparse image */
int emu_image_open(struct emu_disc *disc, discfs_error *err);
int emu_image_create(const char *image, uint64_t bytes, discfs_error *err);
int emu_image_write(struct emu_disc *disc, uint32_t lba, const void *buf,
		    uint32_t blocks);
int emu_image_read(struct emu_disc *disc, uint32_t lba, void *buf,
		   uint32_t blocks);
/* Throws away every recorded byte (BLANK, FORMAT): keeps the size. */
int emu_image_erase(struct emu_disc *disc);

/* layout.c: what the model derives */
bool emu_is_random(const struct emu_disc *disc);
bool emu_is_seq(const struct emu_disc *disc);
bool emu_is_rom(const struct emu_disc *disc);
/* Fixed packet size of a random-writable disc: 16 (DVD-RW restricted
 * overwrite), 32 (CD-RW formatted with fixed packets), else 0.  Writes
 * there cover whole packets. */
uint32_t emu_fixed_packet(const struct emu_disc *disc);
#define EMU_CD_PACKET 32u
/* User blocks of a CD-RW of capacity blocks formatted with fixed packets. */
uint32_t emu_cd_packet_capacity(uint64_t capacity);
/* Usable capacity (formatted size for formatted BD-R). */
uint64_t emu_usable(const struct emu_disc *disc);
uint32_t emu_track_end(const struct emu_track *t); /* start + size|written */
/* The incomplete (open, unreserved) last track, or NULL. */
struct emu_track *emu_incomplete_track(struct emu_disc *disc);
/* Number of the invisible track, 0 when the disc takes no new track. */
uint32_t emu_invisible_number(const struct emu_disc *disc);
bool emu_can_add_track(const struct emu_disc *disc);
uint32_t emu_open_session(const struct emu_disc *disc); /* closed + 1 */
int emu_disc_status(const struct emu_disc *disc);       /* DISCFS_DISC_* */
int emu_last_session_state(const struct emu_disc *disc);
uint32_t emu_last_recorded(const struct emu_disc *disc, bool *any);
/* Gap before a new track (same session) / new session, per family. */
uint32_t emu_track_gap(const struct emu_disc *disc);
uint32_t emu_session_gap(const struct emu_disc *disc, bool first_session);
uint32_t emu_round_ecc(const struct emu_disc *disc, uint32_t lba);
/* Closes track t (size = written rounded as the medium does) and moves
 * next_start behind it. */
void emu_close_track(struct emu_disc *disc, struct emu_track *t);
/* Is [lba, lba+n) recorded (readable)? */
bool emu_range_recorded(const struct emu_disc *disc, uint32_t lba, uint32_t n);
uint64_t emu_used_blocks(const struct emu_disc *disc);
void emu_msf(uint32_t lba_plus_150, uint8_t *m, uint8_t *s, uint8_t *f);

/* ------------------------------------------------------------ drive state */

struct emu_event {
	uint8_t code; /* GESN media event code */
};

struct emu_longop {
	bool active;
	bool background;  /* DVD+RW format: TUR stays GOOD */
	uint8_t event;    /* media event raised at the end */
	uint16_t asc;     /* 04/04 format, 04/07 op, 04/08 write */
	uint64_t start_ns, end_ns;
};

struct emu_drive {
	pthread_mutex_t lock;
	struct emu_options opt;
	bool has_disc;
	struct emu_disc disc;
	bool tray_open;
	bool locked;
	bool vanished;
	/* unit attention pending (ASCQ value) or 0 */
	uint16_t ua[2];
	unsigned n_ua;
	struct emu_event events[EMU_MAX_EVENTS];
	unsigned n_events;
	uint64_t event_count;
	void (*event_cb)(void *);
	void *event_arg;
	/* page 05 */
	uint8_t page05[52];
	bool underrun_protection;
	/* CD SAO: cue sheet accepted, next LBA expected, end */
	bool sao_active;
	int32_t sao_next;
	int32_t sao_end;
	/* test write (simulation): NWA advanced without recording */
	bool sim_active;
	uint32_t sim_nwa;
	/* clock */
	double scale;
	uint64_t real_base_ns, emu_base_ns, manual_ns;
	/* buffer model */
	double buf_fill;      /* bytes */
	uint64_t buf_t_ns;    /* emulated time of buf_fill */
	uint64_t buf_empty_ns;/* when it ran empty (fill 0) */
	bool streaming;       /* a write job is running (no flush since) */
	unsigned speed_x;     /* current write speed */
	struct emu_longop op;
	uint32_t l0_capacity;  /* DVD+R DL layer break set by the host, 0 = default */
	bool pioneer_pending;
	struct emu_stats stats;
};

/* Is quirk q (enum emu_quirk) on: in the options or stored with the disc? */
static inline bool emu_quirk(const struct emu_drive *d, unsigned q)
{
	return ((d->opt.quirks | d->disc.quirks) & q) != 0;
}

/* drive.c */
void emu_raise_event(struct emu_drive *d, uint8_t code);
void emu_raise_ua(struct emu_drive *d, uint16_t ascq);
/* Saves the state; failures are swallowed into a sense-less return code. */
int emu_save(struct emu_drive *d);
void emu_page05_default(struct emu_drive *d);

/* sense.c */
void emu_sense(struct mmc_cmd *cmd, uint8_t key, uint16_t ascq);
void emu_sense_progress(struct mmc_cmd *cmd, uint8_t key, uint16_t ascq,
			uint16_t progress);
void emu_fill_sense(uint8_t *s, uint8_t key, uint16_t ascq, bool sksv,
		    uint16_t progress);
/* Returns min(alloc, avail, cmd->len) bytes of data, status GOOD. */
void emu_reply(struct mmc_cmd *cmd, const void *data, uint32_t avail,
	       uint32_t alloc);
void emu_good(struct mmc_cmd *cmd);

/* timing.c */
uint64_t emu_now(struct emu_drive *d);
/* Lets emulated time ns pass: sleeps (mutex released) or advances the
 * manual clock. */
void emu_wait(struct emu_drive *d, uint64_t ns);
uint64_t emu_write_rate(const struct emu_drive *d); /* bytes/s, 0 = instant */
/* Emulated ns needed to move bytes at the current speed (0 if instant). */
uint64_t emu_duration(const struct emu_drive *d, uint64_t bytes);
/* Starts a long operation of ns emulated ns; event (GESN media event code,
 * 0 = none) is raised when it ends (at once when ns is 0). */
void emu_start_op(struct emu_drive *d, uint16_t asc, uint64_t ns, bool bg,
		  uint8_t event);
/* A long operation: Immed -> starts it and returns; else waits it out.
 * Either way event is raised when it ends. */
void emu_long_op(struct emu_drive *d, uint16_t asc, uint64_t ns, bool immed,
		 uint8_t event);
/* Ends the long operation if its time has come. */
void emu_op_update(struct emu_drive *d);
uint16_t emu_op_progress(struct emu_drive *d);
void emu_buffer_drain(struct emu_drive *d);
/* The buffer part of a WRITE of bytes: 0 = accepted; else the sense to
 * answer was set on cmd (busy or underrun) and 1 is returned. */
int emu_buffer_accept(struct emu_drive *d, struct mmc_cmd *cmd,
		      uint64_t bytes, bool *underrun_failed);
/* SYNC CACHE: waits (or starts an Immed op) until the buffer is empty. */
void emu_buffer_flush(struct emu_drive *d, bool immed);
uint32_t emu_buffer_used(struct emu_drive *d);
void emu_set_speed_kbps(struct emu_drive *d, uint32_t kbps);
uint32_t emu_speed_kbps(const struct emu_drive *d);

/* faults.c */
bool emu_fault_write_error(const struct emu_disc *disc, uint32_t lba,
			   uint32_t n);
bool emu_fault_unreadable(const struct emu_disc *disc, uint32_t lba,
			  uint32_t n);
/* How many of n blocks may still be written before power loss. */
uint32_t emu_fault_power_budget(const struct emu_disc *disc, uint32_t n);
/* Power is lost now: save the state and vanish. */
void emu_fault_power_loss(struct emu_drive *d);
/* Counts one command against vanish_after; true when the drive is gone. */
bool emu_fault_vanish_tick(struct emu_drive *d);

/* command handlers (cmd_*.c); each fills cmd completely */
typedef void emu_handler(struct emu_drive *d, struct mmc_cmd *cmd);
emu_handler emu_cmd_tur, emu_cmd_request_sense, emu_cmd_inquiry,
	emu_cmd_start_stop, emu_cmd_prevent, emu_cmd_mechanism,
	emu_cmd_gesn, emu_cmd_get_config, emu_cmd_read_capacity,
	emu_cmd_disc_info, emu_cmd_track_info, emu_cmd_reserve_track,
	emu_cmd_read_toc, emu_cmd_read_format_caps, emu_cmd_format,
	emu_cmd_blank, emu_cmd_close, emu_cmd_mode_sense, emu_cmd_mode_select,
	emu_cmd_read, emu_cmd_verify, emu_cmd_write, emu_cmd_sync_cache,
	emu_cmd_send_cue, emu_cmd_send_opc, emu_cmd_get_performance,
	emu_cmd_set_streaming, emu_cmd_set_cd_speed, emu_cmd_read_buffer_cap,
	emu_cmd_read_structure, emu_cmd_send_structure;

/* cmd_close.c: closes the open session (its open tracks first); finalizes
 * when asked, when the medium allows no more sessions or no room is left. */
void emu_session_close(struct emu_drive *d, bool finalize);
/* Page 05 multi-session bits say "finalize" (anything but 11b). */
bool emu_ms_finalize(const struct emu_drive *d);
uint8_t emu_write_type(const struct emu_drive *d);

/* cmd_write.c: records n blocks at lba after every address check (write
 * faults, power budget, buffer model, pwrite, NWA of t); returns the blocks
 * written and leaves the answer in cmd. */
uint32_t emu_record(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t lba,
		    uint32_t n, struct emu_track *t, bool created);
/* cmd_cue.c: a WRITE while a CD SAO cue sheet is active. */
/*
 * The disc as the host sees it: while a CD SAO recording is armed or under
 * way (cue sheet accepted, lead-out not yet written) nothing is recorded for
 * the host, so READ DISC/TRACK INFORMATION answer the blank disc (invisible
 * track 1 at NWA 0) rather than the cue's reserved layout.  Returns
 * &d->disc, or scratch filled as that blank view (it shares d's tracks
 * array; read only).
 */
const struct emu_disc *emu_host_view(const struct emu_drive *d,
				     struct emu_disc *scratch);
void emu_sao_write(struct emu_drive *d, struct mmc_cmd *cmd, uint32_t lba,
		   uint32_t n);

/* Checks shared by write-class handlers: medium writable at all. */
bool emu_check_writable(struct emu_drive *d, struct mmc_cmd *cmd);

#endif
