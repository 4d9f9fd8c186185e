/*
 * mmc/emu/emu.h - the emulated MMC drive: the contract.
 *
 * An emulated drive answers MMC-6 commands (raw CDBs in struct mmc_cmd)
 * exactly as a real burner would: status, fixed-format (70h) sense, residual.
 * The disc it holds is two files:
 *   IMAGE        sparse file, user data of LBA n at byte offset n * 2048
 *   IMAGE.state  small text file: medium, capacity, sessions, tracks,
 *                format state, tray, faults, time scale (see docs/emulator.md)
 * Both are validated when opened; a damaged or hostile one is refused with
 * DISCFS_EFORMAT and a one-line message, never a crash.
 *
 * Ownership and threads:
 *  - struct emu_drive is opaque and owned by whoever opened it; emu_close()
 *    writes the state file (atomically: tmp + fsync + rename) and frees it.
 *  - Every entry point takes the drive's own mutex, so several threads (the
 *    kernel polling GESN/TUR while a burner writes) may call emu_exec() at
 *    once; commands are executed one at a time.  A WRITE waiting for buffer
 *    space or a non-Immed long operation waits WITHOUT holding the mutex.
 *  - No global mutable state: two drives are fully independent.
 *
 * Time: the drive runs on an emulated clock.  time_scale 1.0 = real time,
 * 10.0 = ten times faster than real time (same ratios), 0 = "infinitely
 * fast" (no buffer model, long operations finish at once).  A manual clock
 * (advanced only by emu_clock_advance()) makes tests deterministic: there,
 * everything that would sleep advances the clock instead.
 */
#ifndef DFS_MMC_EMU_H
#define DFS_MMC_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"
#include "mmc/transport.h"

struct emu_drive;

/* ------------------------------------------------------------ media */

/* NULL-terminated list of media names accepted by emu_disc_create():
 * "cd-r", "cd-rw", "dvd-r", "dvd-r-dl", "dvd-rw", "dvd+r", "dvd+r-dl",
 * "dvd+rw", "dvd-ram", "bd-r", "bd-re", "cd-rom", "dvd-rom", "bd-rom". */
const char *const *emu_media_names(void);

/*
 * Creates a disc: for recordable/rewritable media a new blank (or, for
 * DVD-RAM, factory-formatted) disc: sparse IMAGE of the medium's size and
 * IMAGE.state.  capacity_blocks 0 = the real capacity (mmc-notes 2.9);
 * a smaller one (>= 1024 blocks; CD multisession needs > 12000) is for tests.
 * For "cd-rom", "dvd-rom", "bd-rom" IMAGE must already exist: it becomes a
 * finalized one-track disc of ceil(size / 2048) blocks (capacity ignored).
 * Refuses (DISCFS_EBUSY) to overwrite an existing IMAGE.state.
 */
int emu_disc_create(const char *image, const char *media,
		    uint64_t capacity_blocks, discfs_error *err);

/* Path of the state file of image: "IMAGE.state" (buf of size n). */
int emu_state_path(const char *image, char *buf, size_t n, discfs_error *err);

/* ---------------------------------------------------------- options */

struct emu_options {
	/* < 0: take the state file's time-scale (default 1.0).  0 = instant. */
	double time_scale;
	bool manual_clock;        /* tests: clock moves only by emu_clock_advance */
	uint32_t buffer_bytes;    /* drive buffer; 0 = 4 MiB */
	bool busy_when_full;      /* WRITE on a full buffer: true = 2/04/08,
				   * false = wait until it has room (default) */
	bool underrun_protection; /* default true; page 05 BUFE may change it */
	bool pioneer_quirk;       /* 2/04/07 to the next non-TUR command after
				   * a long operation ended (default false) */
	unsigned quirks;          /* enum emu_quirk bits, added to the disc's
				   * own (state file); default 0 = none */
};

/*
 * Quirk switches: real-drive differences burners code around (mmc-notes
 * section 6 item 7; docs/emulator.md says what each one does).  All off by
 * default.  Two of the list need no switch: CF 010 on POW BD-R is always
 * refused with 5/24/00, and feature 21h is always absent after a minimal
 * blank, as on the real drives.  A drive applies opts.quirks | the disc's
 * stored quirks.
 */
enum emu_quirk {
	EMU_Q_CD_NWA_150 = 1u << 0,               /* "cd-nwa-150" */
	EMU_Q_BDR_FORMATTED_APPENDABLE = 1u << 1, /* "bdr-formatted-appendable" */
	EMU_Q_ADIP_REFUSED = 1u << 2,             /* "adip-refused" */
	EMU_Q_TOC0_DVD_VARIANT = 1u << 3,         /* "toc0-dvd-variant" */
	EMU_Q_CLOSE_TRACK_SIM_ERROR = 1u << 4,    /* "close-track-sim-error" */
	EMU_Q_ALL = (1u << 5) - 1,
};

/* "name[,name...]" or "none" -> bits; an unknown name: DISCFS_EINVAL. */
int emu_quirks_parse(const char *list, unsigned *out, discfs_error *err);
/* bits -> "name,name" ("none" for 0) in buf of size n; DISCFS_EINVAL when
 * it does not fit or has unknown bits. */
int emu_quirks_format(unsigned q, char *buf, size_t n, discfs_error *err);

/* NULL-terminated list of the quirk names, in bit order. */
const char *const *emu_quirk_names(void);

/* Fills the defaults described above. */
void emu_options_default(struct emu_options *o);

/* ---------------------------------------------------- open / close */

/*
 * Opens a drive holding the disc IMAGE (tray closed unless the state file
 * says the tray is open), or an empty drive with the tray closed when image
 * is NULL.  opts NULL = defaults.  A pending 6/29/00 (power on) unit
 * attention greets the first command.
 */
int emu_open(const char *image, const struct emu_options *opts,
	     struct emu_drive **out, discfs_error *err);

/* Writes the state file (if a disc is in) and frees everything. NULL ok. */
void emu_close(struct emu_drive *d);

/* Writes the state file now (SYNC CACHE, CLOSE, FORMAT, BLANK do it too). */
int emu_flush_state(struct emu_drive *d, discfs_error *err);

/* ------------------------------------------------------- execution */

/*
 * Executes one command as the target would: fills cmd->status (GOOD or
 * CHECK CONDITION), cmd->sense/sense_len (70h, 18 bytes), cmd->resid and
 * cmd->duration_ms.  Returns 0 whenever the command reached the drive;
 * -DISCFS_ENODEV when the drive has vanished (fault), cmd untouched.
 * Allocation lengths: returns min(alloc, available) bytes; length fields
 * inside the data always state the full length.
 */
int emu_exec(struct emu_drive *d, struct mmc_cmd *cmd);

/* ------------------------------------------------ tray and medium */

/*
 * Puts another disc in the tray and closes it (NULL = empty tray).  The
 * previous disc's state is written first.  Raises 6/28/00 and a NewMedia
 * event.  Works whether the tray was open or closed (operator swap).
 */
int emu_load(struct emu_drive *d, const char *image, discfs_error *err);

/* Operator presses eject: fails with DISCFS_EBUSY while PREVENT is on;
 * otherwise saves the state, opens the tray, raises MediaRemoval. */
int emu_eject(struct emu_drive *d, discfs_error *err);

/*
 * Media events: a counter incremented on every media event the drive
 * raises (load, eject, new media after CLOSE / FORMAT / BLANK) and an
 * optional callback called (from inside emu_exec / emu_load, with the
 * drive's mutex held: it must not call back into the drive) each time.
 * discemu uses it to tell the kernel to poll.
 */
uint64_t emu_media_event_count(struct emu_drive *d);
void emu_set_media_event_cb(struct emu_drive *d, void (*cb)(void *arg),
			    void *arg);

/* -------------------------------------------------- faults, time */

#define EMU_MAX_UNREADABLE 16

struct emu_faults {
	bool write_error;         /* a WRITE touching write_error_lba: 3/0C/00 */
	uint32_t write_error_lba;
	unsigned n_unreadable;    /* READ touching a range: 3/11/00 */
	uint32_t unreadable_first[EMU_MAX_UNREADABLE];
	uint32_t unreadable_last[EMU_MAX_UNREADABLE];
	int64_t power_loss_after; /* >= 0: power lost after that many more
				   * written sectors: image and state keep
				   * exactly those, then the drive vanishes */
	int64_t vanish_after;     /* >= 0: after that many more commands every
				   * command fails with -DISCFS_ENODEV */
	bool never_ready;         /* every media command: 2/04/01 forever */
	int64_t media_change_after; /* >= 0: after that many more commands
				   * the drive reports 6/28/00 once (as if
				   * the disc had been swapped), then -1 */
};

/* No faults (power_loss_after = vanish_after = media_change_after = -1). */
void emu_faults_clear(struct emu_faults *f);

/* Replaces the live drive's faults (they are also saved in the state). */
void emu_set_faults(struct emu_drive *d, const struct emu_faults *f);
void emu_get_faults(struct emu_drive *d, struct emu_faults *f);

/* Changes the time scale of a live drive (>= 0). */
int emu_set_time_scale(struct emu_drive *d, double scale, discfs_error *err);

/* Manual clock only: moves emulated time forward by ms milliseconds. */
void emu_clock_advance(struct emu_drive *d, uint64_t ms);
/* The drive's emulated time in milliseconds (benchmarks, tests). */
uint64_t emu_clock_ms(struct emu_drive *d);

/* Counters of the buffer model (for tests and benchmarks). */
struct emu_stats {
	uint64_t blocks_written;
	uint64_t links;       /* underruns absorbed by underrun protection */
	uint64_t underruns;   /* underruns that failed a write (3/0C/09) */
	uint64_t busy_replies;/* 2/04/08 answers on a full buffer */
	uint32_t buffer_bytes;
	uint32_t buffer_used; /* now */
	uint32_t write_speed_kbps; /* current write speed, kB/s (1000) */
};
void emu_get_stats(struct emu_drive *d, struct emu_stats *st);

/* ---------------------------------------------------- transports */

/*
 * A struct mmc_transport on a drive: exec() runs emu_exec() directly;
 * submit()/reap()/event_fd() run queued commands in order on a worker
 * thread and signal an eventfd per completion, so several commands can be
 * in flight (at most 256).  The eventfd is EFD_SEMAPHORE: readable while
 * completions wait to be reaped; reap() consumes one count itself (a caller
 * that read the count already loses nothing).  reap() returns completions
 * in submission order; timeout_ms 0 polls, -1 waits; nothing done in time
 * (or nothing in flight): -DISCFS_EBUSY with *done = NULL.  destroy() drops
 * queued commands that have not started.  own_drive: destroy() also closes
 * the drive.  A vanished drive makes exec()/reap() report DISCFS_ENODEV
 * (reap still hands back the command).
 */
int emu_transport_new(struct emu_drive *d, bool own_drive,
		      struct mmc_transport **out, discfs_error *err);

/* Opens IMAGE with opts and wraps it in a transport that owns the drive. */
int emu_transport_open(const char *image, const struct emu_options *opts,
		       struct mmc_transport **out, discfs_error *err);

/* The drive behind a transport made by the two functions above (else NULL). */
struct emu_drive *emu_transport_drive(struct mmc_transport *t);

/* ----------------------------------------------- state summary */

/* What `discctl emu show` prints; read from the files, no drive needed. */
struct emu_disc_summary {
	char media[16];
	uint16_t profile;
	uint64_t capacity_blocks;
	int disc_status;         /* enum discfs_disc_status */
	unsigned sessions;       /* complete sessions */
	unsigned tracks;
	uint64_t used_blocks;    /* sum of recorded blocks */
	uint64_t formatted_blocks;
	bool tray_open;
	double time_scale;
	struct emu_faults faults;
	unsigned quirks;         /* enum emu_quirk bits stored with the disc */
};
int emu_disc_summary(const char *image, struct emu_disc_summary *out,
		     discfs_error *err);

/* Changes a closed disc's stored tray state, faults or time scale
 * (NULL / negative = leave unchanged). */
int emu_disc_set(const char *image, const int *tray_open,
		 const struct emu_faults *faults, double time_scale,
		 discfs_error *err);

/* Replaces a closed disc's stored quirks (enum emu_quirk bits). */
int emu_disc_set_quirks(const char *image, unsigned quirks,
			discfs_error *err);

#endif
