/*
 * discfs.h - the public C API of libdiscfs.
 *
 * libdiscfs drives CD, DVD and Blu-ray burners (real ones through Linux SG_IO,
 * or the built-in emulated drive) and reads and writes the UDF file system on
 * their discs.  It is to Linux programs what IMAPI2 is to Windows programs.
 *
 * Conventions that hold for every function here:
 *  - A function that can fail returns 0 on success and a negative
 *    enum discfs_code on failure (-DISCFS_E...).
 *  - Its last argument is a discfs_error *err (may be NULL).  On failure the
 *    library fills it with the code, a one-line message and, when a drive
 *    refused a command, the sense key/ASC/ASCQ.  The library never prints.
 *  - Objects are opaque and owned by the caller once returned; each has a
 *    matching close/free function.  The library keeps no global mutable
 *    state, so separate objects may be used from separate threads.
 *  - Blocks are 2048-byte logical blocks; LBAs are those of the drive.
 */
#ifndef DISCFS_H
#define DISCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DISCFS_VERSION "0.1.0"
#define DISCFS_BLOCK_SIZE 2048u

/* ------------------------------------------------------------------ errors */

enum discfs_code {
	DISCFS_OK = 0,
	DISCFS_EINVAL,      /* bad argument or usage */
	DISCFS_ENOMEM,      /* out of memory */
	DISCFS_EIO,         /* a system call failed (see sys_errno) */
	DISCFS_ENODEV,      /* no such drive, or the drive went away */
	DISCFS_ENOMEDIUM,   /* no medium in the drive */
	DISCFS_ENOTREADY,   /* drive not ready yet (becoming ready, busy) */
	DISCFS_EMEDIUM,     /* the medium failed a read or a write */
	DISCFS_EHARDWARE,   /* the drive reported a hardware error */
	DISCFS_EILLEGAL,    /* the drive refused the command as illegal */
	DISCFS_EPROTECT,    /* the medium is write-protected */
	DISCFS_EWRONGMEDIA, /* the medium cannot do what was asked */
	DISCFS_ENOSPC,      /* not enough free space on the medium */
	DISCFS_ECHANGED,    /* the medium changed, or the drive was reset */
	DISCFS_EPROTO,      /* the drive answered something malformed */
	DISCFS_EFORMAT,     /* malformed image, state file or on-disc data */
	DISCFS_ECANCELED,   /* cancelled by the caller */
	DISCFS_EBUSY,       /* in use by someone else */
	DISCFS_ENOTSUP,     /* not supported by this drive or medium */
	DISCFS_ENOENT,      /* no such file or directory */
	DISCFS_CODE_COUNT
};

typedef struct discfs_error {
	int code;          /* enum discfs_code, positive */
	int sys_errno;     /* errno of the failing system call, else 0 */
	uint8_t sense_key; /* set when a drive answered CHECK CONDITION */
	uint8_t asc;
	uint8_t ascq;
	char msg[256];     /* one line, no trailing newline */
} discfs_error;

/* Short fixed name of a code, e.g. "no medium". Never NULL. */
const char *discfs_strcode(int code);

/* ------------------------------------------------------------------ drives */

typedef struct discfs_drive discfs_drive;

typedef struct discfs_drive_entry {
	char path[256];     /* what discfs_open() accepts */
	char vendor[9];
	char model[17];
	char revision[5];
	bool emulated;
} discfs_drive_entry;

/*
 * Lists the optical drives of this machine (/dev/sr* with their sg
 * siblings).  Fills at most max entries and sets *count to how many exist.
 */
int discfs_list_drives(discfs_drive_entry *out, size_t max, size_t *count,
		       discfs_error *err);

/*
 * Opens a drive.  dev is a real device ("/dev/sr0", "/dev/sg1") or an
 * emulated drive: "emu:PATH" or the path of an emulated disc image.
 * Real drives are opened O_RDWR|O_NONBLOCK|O_EXCL, as burners do.
 */
int discfs_open(const char *dev, discfs_drive **out, discfs_error *err);
void discfs_close(discfs_drive *drive);

#define DISCFS_MAX_PROFILES 32
#define DISCFS_MAX_FEATURES 64
#define DISCFS_MAX_SPEEDS 16

typedef struct discfs_drive_info {
	char vendor[9];
	char model[17];
	char revision[5];
	uint16_t profiles[DISCFS_MAX_PROFILES]; /* every profile the drive has */
	size_t n_profiles;
	uint16_t features[DISCFS_MAX_FEATURES]; /* feature codes reported */
	bool feature_current[DISCFS_MAX_FEATURES];
	size_t n_features;
	uint32_t write_speeds[DISCFS_MAX_SPEEDS]; /* kB/s (1000 bytes), fastest first */
	size_t n_write_speeds;
	uint32_t buffer_bytes;  /* drive buffer size */
	bool can_eject;
	bool can_lock;
	bool locked;
} discfs_drive_info;

int discfs_drive_info_get(discfs_drive *drive, discfs_drive_info *out,
			  discfs_error *err);

/* Name of an MMC profile number, e.g. 0x41 -> "BD-R SRM". Never NULL. */
const char *discfs_profile_name(uint16_t profile);

enum discfs_disc_status {
	DISCFS_DISC_BLANK = 0,
	DISCFS_DISC_APPENDABLE = 1,
	DISCFS_DISC_COMPLETE = 2,
	DISCFS_DISC_OTHER = 3, /* random-access media such as DVD-RAM */
};

enum discfs_session_state {
	DISCFS_SESSION_EMPTY = 0,
	DISCFS_SESSION_INCOMPLETE = 1,
	DISCFS_SESSION_DAMAGED = 2,
	DISCFS_SESSION_COMPLETE = 3,
};

typedef struct discfs_track_info {
	unsigned number;
	unsigned session;
	uint32_t start;
	uint32_t size;
	uint32_t nwa;          /* valid when nwa_valid */
	uint32_t free_blocks;
	uint32_t last_recorded;/* valid when lra_valid */
	uint32_t packet_size;  /* fixed packet size, 0 if none */
	uint8_t track_mode;
	uint8_t data_mode;
	bool blank;
	bool nwa_valid;
	bool lra_valid;
	bool reserved;
	bool packet;
	bool fixed_packet;
	bool damaged;
} discfs_track_info;

typedef struct discfs_media_info {
	bool present;
	uint16_t profile;          /* current MMC profile, 0 when none */
	int disc_status;           /* enum discfs_disc_status */
	int last_session_state;    /* enum discfs_session_state */
	bool erasable;
	bool write_protected;
	int bg_format_status;      /* DVD+RW: 0 none, 1 suspended, 2 running, 3 done */
	bool formatted;            /* rewritable media: a current format exists */
	unsigned sessions;         /* as the drive counts them (incl. the open one) */
	unsigned first_track;
	unsigned last_track;
	uint64_t capacity_blocks;  /* usable capacity of the medium */
	uint64_t used_blocks;
	uint64_t free_blocks;
	uint32_t last_lba;         /* READ CAPACITY: last readable LBA */
	uint32_t next_writable;    /* NWA of the invisible/open track */
	bool next_writable_valid;
	discfs_track_info *tracks; /* n_tracks entries, owned: discfs_media_info_free() */
	size_t n_tracks;
	/* a CD-RW: blocks it holds once formatted with fixed packets for
	 * writing in place (READ FORMAT CAPACITIES, format 10h), else 0 */
	uint64_t packet_blocks;
} discfs_media_info;

int discfs_media_info_get(discfs_drive *drive, discfs_media_info *out,
			  discfs_error *err);
void discfs_media_info_free(discfs_media_info *info);


/*
 * Raw block I/O on an open drive (2048-byte blocks), for file system
 * writers: READ(10) / WRITE(10) in 64 KiB chunks, SYNCHRONIZE CACHE.  On a
 * write-once disc a write must start at the next writable address of the
 * open track (discfs_media_info_get: next_writable); the drive's refusal
 * comes back with its sense.  No write parameters are set here.
 */
int discfs_read_blocks(discfs_drive *drive, uint64_t lba, uint32_t count,
		       void *buf, discfs_error *err);
int discfs_write_blocks(discfs_drive *drive, uint64_t lba, uint32_t count,
			const void *buf, discfs_error *err);
int discfs_sync(discfs_drive *drive, discfs_error *err);

int discfs_eject(discfs_drive *drive, discfs_error *err);
int discfs_load(discfs_drive *drive, discfs_error *err);
int discfs_lock(discfs_drive *drive, bool lock, discfs_error *err);

/* ------------------------------------------------------- emulated drives */

/*
 * Creates a blank emulated disc: a sparse image file at path and its state
 * file beside it.  media is a name such as "bd-r", "dvd+rw", "cd-r" (see
 * discfs_emu_media_names()); capacity_blocks 0 means the real capacity.
 */
int discfs_emu_create(const char *path, const char *media,
		      uint64_t capacity_blocks, discfs_error *err);

/* NULL-terminated list of media names discfs_emu_create() accepts. */
const char *const *discfs_emu_media_names(void);

/* An emulated disc as its files describe it (no drive needed). */
typedef struct discfs_emu_info {
	char media[16];           /* e.g. "bd-r" */
	uint16_t profile;         /* current MMC profile */
	uint64_t capacity_blocks;
	int disc_status;          /* enum discfs_disc_status */
	unsigned sessions;        /* complete sessions */
	unsigned tracks;
	uint64_t used_blocks;     /* recorded (or formatted) blocks */
	uint64_t formatted_blocks;
	bool tray_open;
	double time_scale;        /* 1 = real time, 0 = instant */
	char faults[256];         /* armed faults as fault specs, "" if none */
	char quirks[160];         /* stored quirk switches, "none" if none */
} discfs_emu_info;

int discfs_emu_info_get(const char *path, discfs_emu_info *out,
			discfs_error *err);

/* Opens (ejects) or closes (loads) the tray of a disc not in use. */
int discfs_emu_set_tray(const char *path, bool open, discfs_error *err);

/*
 * Arms a fault on a disc not in use; the next drive opened on it obeys:
 *   "write-error=LBA"        a WRITE touching LBA fails 3/0C/00
 *   "unreadable=A" / "unreadable=A-B"   READs there fail 3/11/00
 *   "power-loss-after=N"     power lost after N more written sectors
 *   "vanish-after=N"         the drive disappears after N commands
 *   "never-ready"            2/04/01 forever
 *   "clear"                  removes every fault
 */
int discfs_emu_fault(const char *path, const char *spec, discfs_error *err);

/* Time scale of a disc not in use: 1 = real time, 10 = ten times faster,
 * 0 = instant (no speed or buffer model). */
int discfs_emu_set_time_scale(const char *path, double scale,
			      discfs_error *err);

/*
 * Quirk switches of a disc not in use (all off by default): list is
 * "none" or comma-separated names of real-drive behaviours the next drive
 * opened on it reproduces (docs/emulator.md, "Quirks"): "cd-nwa-150",
 * "bdr-formatted-appendable", "adip-refused", "toc0-dvd-variant",
 * "close-track-sim-error".  Replaces the stored set; an unknown name:
 * DISCFS_EINVAL, nothing changed.
 */
int discfs_emu_set_quirks(const char *path, const char *list,
			  discfs_error *err);

/* NULL-terminated list of the quirk names discfs_emu_set_quirks() takes. */
const char *const *discfs_emu_quirk_names(void);

/* ------------------------------------------------ burning (uring/, lib/) */
/*
 * Burning, erasing, formatting, verifying and reading discs, like IMAPI2's
 * IDiscFormat2Data / IDiscFormat2Erase.  Writing streams through an
 * io_uring engine that keeps several WRITE commands in flight and the
 * drive's buffer full; the right MMC sequence is chosen per medium
 * (DVD+R[DL], DVD-R[W] incremental/DAO, DVD-RW restricted overwrite,
 * DVD+RW, DVD-RAM, BD-R, BD-RE, CD-R/RW TAO or SAO).
 *
 * On a real drive opened as /dev/srN (or /dev/sgN) the WRITEs go through
 * the sg driver's asynchronous interface on the drive's sg node; setting
 * DISCFS_SG_ASYNC=0 in the environment makes them go one at a time through
 * SG_IO instead.
 *
 * Progress: the callback (may be NULL) is called from the calling thread
 * a few times per second and at every change of action.  Cancellation:
 * set *cancel to nonzero (a sig_atomic_t flag a SIGINT handler may set);
 * the operation stops safely: what was sent is flushed to the disc, a
 * sequential disc gets its track and session closed (appendable) so it
 * stays readable, and the call returns -DISCFS_ECANCELED with the result
 * saying what was written and what state the disc is in.
 */
enum discfs_action {
	DISCFS_ACTION_VALIDATING = 0,
	DISCFS_ACTION_FORMATTING,
	DISCFS_ACTION_ERASING,
	DISCFS_ACTION_CALIBRATING,  /* power calibration, drive setup */
	DISCFS_ACTION_WRITING,
	DISCFS_ACTION_FINALIZING,   /* flush, close track/session/disc */
	DISCFS_ACTION_VERIFYING,
	DISCFS_ACTION_READING,
	DISCFS_ACTION_COMPLETED,
};

/* "validating", "formatting", ... Never NULL. */
const char *discfs_action_name(int action);

typedef struct discfs_progress {
	int action;              /* enum discfs_action */
	unsigned drive;          /* index of the drive in a multi-drive burn */
	uint32_t start_lba;      /* first LBA of the operation */
	uint64_t done_blocks;    /* blocks written / read / verified so far */
	uint64_t total_blocks;   /* 0 when not known (pipes) */
	int percent_x100;        /* drive-reported progress (format, erase,
				    close), 0..10000, -1 when none */
	bool buffer_valid;       /* drive buffer fill (writing) */
	uint32_t buffer_size;
	uint32_t buffer_free;
	double elapsed_s;
	double bytes_per_s;      /* measured over the action so far */
	double rated_1x_bytes_per_s; /* 1x of this medium: bytes_per_s / this
					 = the "x" speed */
} discfs_progress;

typedef void (*discfs_progress_fn)(const discfs_progress *p, void *user);

/* The producer of a streamed burn: store up to len bytes at buf, set *got
 * (0 = end of data), return 0; or a negative discfs code to abort. */
typedef int (*discfs_producer_fn)(void *user, void *buf, size_t len,
				  size_t *got, discfs_error *err);

enum discfs_close_mode {
	DISCFS_CLOSE_SESSION = 0, /* default: close the session, disc stays
				     appendable (multisession) */
	DISCFS_CLOSE_DISC = 1,    /* finalize: no further sessions */
};

enum discfs_verify_level {
	DISCFS_VERIFY_NONE = 0,
	DISCFS_VERIFY_QUICK = 1,  /* disc/track info + sampled sectors */
	DISCFS_VERIFY_FULL = 2,   /* read back and compare every block */
};

typedef struct discfs_burn_opts {
	uint32_t speed_kbps;     /* write speed in kB/s (1000 B); 0 = maximum */
	int close;               /* enum discfs_close_mode */
	int verify;              /* enum discfs_verify_level (files only) */
	bool dummy;              /* test write (CD-R/RW, DVD-R/RW): the laser
				    stays off, the disc stays as it was */
	bool dao;                /* DVD-R/RW: disc at once (RESERVE TRACK);
				    CD: session at once with a cue sheet */
	unsigned depth;          /* WRITEs in flight, 0 = 8 */
	discfs_progress_fn progress;
	void *user;
	const volatile int *cancel;
} discfs_burn_opts;

typedef struct discfs_burn_result {
	uint32_t start_lba;       /* where the data went */
	uint64_t written_blocks;  /* blocks acknowledged by the drive, padding
				     included, contiguous from start_lba */
	uint64_t image_bytes;     /* bytes taken from the source */
	bool flushed;             /* SYNCHRONIZE CACHE succeeded */
	bool closed;              /* track/session closed as asked */
	int disc_status;          /* enum discfs_disc_status afterwards, -1 unknown */
	char state[200];          /* one line: what state the disc is in */
	unsigned busy_stalls;     /* times the drive's buffer was full */
	unsigned buffer_empty_seen; /* buffer polls that found it empty */
	double write_seconds;     /* first WRITE to the end of the cache flush */
	double bytes_per_s;       /* written_blocks over write_seconds */
	double rated_1x_bytes_per_s;
} discfs_burn_result;

/* Burns the image file at path ("-" = standard input, unknown length). */
int discfs_burn_image(discfs_drive *drive, const char *path,
		      const discfs_burn_opts *opts, discfs_burn_result *res,
		      discfs_error *err);
/* Burns what can be read from fd (pipe) until EOF; fd is not closed. */
int discfs_burn_fd(discfs_drive *drive, int fd, const discfs_burn_opts *opts,
		   discfs_burn_result *res, discfs_error *err);
/* Burns what the producer emits (size_hint: total bytes if known, else 0;
 * a known size lets the free-space check happen before writing). */
int discfs_burn_producer(discfs_drive *drive, discfs_producer_fn fn,
			 void *user, uint64_t size_hint,
			 const discfs_burn_opts *opts, discfs_burn_result *res,
			 discfs_error *err);
/* Burns images[i] to drives[i] at once, from one thread (the same path may
 * be given for every drive).  res has n entries.  Returns the first
 * failure; every res[i] says how its drive fared. */
int discfs_burn_multi(discfs_drive *const *drives, size_t n,
		      const char *const *images, const discfs_burn_opts *opts,
		      discfs_burn_result *res, discfs_error *err);

typedef struct discfs_op_opts {
	discfs_progress_fn progress;
	void *user;
	const volatile int *cancel;
} discfs_op_opts;

/* Blanks a CD-RW / DVD-RW (minimal, or full with full = true); formats
 * nothing else.  DVD-RW restricted overwrite goes back to sequential. */
int discfs_erase(discfs_drive *drive, bool full, const discfs_op_opts *opts,
		 discfs_error *err);

enum discfs_spare {
	DISCFS_SPARE_DEFAULT = 0, /* the drive's default descriptor */
	DISCFS_SPARE_NONE,        /* BD-RE: no spare area (31h) */
	DISCFS_SPARE_MIN,         /* smallest spare area offered */
	DISCFS_SPARE_MAX,         /* largest spare area offered */
};

typedef struct discfs_format_opts {
	discfs_op_opts op;
	int spare;                /* enum discfs_spare (BD-RE, BD-R, DVD-RAM) */
	bool quick;               /* DVD-RW: quick format (15h) */
} discfs_format_opts;

/* Formats DVD+RW (26h), DVD-RW to restricted overwrite, DVD-RAM, BD-RE
 * (with or without spares) and BD-R (with spares: 32h). */
int discfs_format(discfs_drive *drive, const discfs_format_opts *opts,
		  discfs_error *err);

#define DISCFS_MAX_BAD_RANGES 64
typedef struct discfs_bad_range {
	uint32_t first;  /* LBA */
	uint32_t last;   /* LBA, inclusive */
	bool unreadable; /* else: read back but different */
} discfs_bad_range;

typedef struct discfs_verify_report {
	uint32_t start_lba;
	uint64_t image_blocks;
	uint64_t checked_blocks;
	uint64_t mismatched_blocks;
	uint64_t unreadable_blocks;
	discfs_bad_range bad[DISCFS_MAX_BAD_RANGES];
	size_t n_bad;
	bool bad_truncated;       /* more ranges than fit */
} discfs_verify_report;

/*
 * Compares the image file with the disc from start_lba (UINT32_MAX = the
 * start of the last session's first track).  Quick: checks the track holds
 * the image and compares sampled blocks (first, last, and spread between);
 * full: every block.  Returns 0 when all compared blocks match, else
 * -DISCFS_EMEDIUM with the report listing bad ranges.
 */
int discfs_verify(discfs_drive *drive, const char *image, uint32_t start_lba,
		  int level, const discfs_op_opts *opts,
		  discfs_verify_report *rep, discfs_error *err);

enum discfs_read_scope {
	DISCFS_READ_SESSION = 0, /* the last session (its tracks) */
	DISCFS_READ_DISC = 1,    /* LBA 0 to the last recorded block */
};

typedef struct discfs_read_report {
	uint32_t first_lba;
	uint64_t blocks;          /* blocks in the output image */
	uint64_t unreadable_blocks; /* written as zeros, listed in bad[] */
	discfs_bad_range bad[DISCFS_MAX_BAD_RANGES];
	size_t n_bad;
	bool bad_truncated;
} discfs_read_report;

/* Copies the session or the disc to the file out (created or truncated).
 * Unreadable blocks are retried one by one, then zero-filled and mapped in
 * the report instead of ending the copy. */
int discfs_read_image(discfs_drive *drive, const char *out, int scope,
		      const discfs_op_opts *opts, discfs_read_report *rep,
		      discfs_error *err);

/* @@burn-api@@ (section owned by the burn engine; add declarations above) */

/* ------------------------------------------------------------- closing */
/*
 * Finalizes the disc in the drive so that any drive and any OS reads it,
 * like IMAPI2's "close media": flushes the drive cache, closes the tracks
 * still open, and closes the last session in the way that finalizes the
 * profile (CD-R/RW and DVD-R/RW: session close with no next session;
 * DVD+R: finalize, full-radius lead-out; DVD+R DL: finalize, minimal
 * radius; BD-R: finalize).  Nothing can be appended afterwards: each close
 * costs the lead-in/lead-out space of a session, so it is done on request
 * only.  Succeeds when the disc then reads as complete.
 *
 * Rewritable media (DVD+RW, DVD-RW restricted overwrite, DVD-RAM, BD-RE)
 * need no finalization: only the cache is flushed, except that a DVD+RW
 * whose background format is unfinished gets it stopped and its lead-out
 * written (DVD-ROM drives need it).
 *
 * Errors: DISCFS_EWRONGMEDIA "the disc is already closed (finalized)" on
 * a complete disc, and for a blank disc (nothing to close) or a read-only
 * one; DISCFS_ENOMEDIUM, DISCFS_EPROTECT; the drive's refusals with their
 * sense.  The drive is used synchronously (nothing else may use it).
 */
int discfs_close_disc(discfs_drive *drive, discfs_error *err);

/* On a discfs mount (see "mounting" below): setting this xattr on the root
 * commits what is staged, then closes the disc; the mount is read-only
 * afterwards.  It fails like a commit, or as discfs_close_disc(). */
#define DISCFS_XATTR_CLOSE "user.discfs.close"

/* ------------------------------------------------------ images (udf/) */

/*
 * Mastering: a UDF (optionally UDF + ISO9660/Joliet bridge) image of a
 * directory tree, like IMAPI2's IFileSystemImage.  discfs_image_open()
 * scans the tree and lays the image out (nothing is written yet);
 * discfs_image_produce() then emits every block of the image in ascending
 * LBA order to a callback (so a burner can stream it with no intermediate
 * file), and discfs_image_write() writes it to a file.  The output is
 * deterministic for the same tree and options when fixed_time_set.
 */
enum discfs_image_layout {
	DISCFS_LAYOUT_PLAIN = 0,    /* one type-1 partition */
	DISCFS_LAYOUT_VAT = 1,      /* write-once: virtual partition, VAT at the end */
	DISCFS_LAYOUT_SPARING = 2,  /* CD-RW/DVD-RW: sparable partition */
	DISCFS_LAYOUT_METADATA = 3, /* 2.50/2.60: metadata partition + mirror */
};

typedef struct discfs_image_options {
	unsigned udf_revision; /* 0x0102,0x0150,0x0201,0x0250,0x0260; 0 = media default */
	const char *media;     /* "cd-r", "dvd+rw", "bd-re", ...; NULL = generic image */
	bool iso9660;          /* add an ISO9660 bridge (default UDF 1.02 then) */
	bool joliet;           /* add Joliet names (implies iso9660) */
	const char *label;     /* volume label (UTF-8); NULL = "DISCFS" */
	bool fixed_time_set;   /* record fixed_time instead of the current time */
	int64_t fixed_time;    /* Unix seconds */
	int tz_minutes;        /* time zone of recorded timestamps, minutes east of UTC */
	const char *boot_bios; /* El Torito no-emulation BIOS image, path inside the tree */
	const char *boot_efi;  /* El Torito UEFI image (FAT), path inside the tree */
	bool no_xattrs;        /* leave extended attributes out (recorded by
				* default, all but system.*: udf/ea_space.h) */
	uint64_t volume_blocks; /* rewritable layouts: the volume fills this many
				 * 2048-byte blocks, the rest recorded free in its
				 * bitmaps so that later sessions can add to it
				 * (discfs, discfs_update_*); 0 = sized to the tree */
} discfs_image_options;

typedef struct discfs_image_stats {
	uint64_t blocks;       /* image size in 2048-byte blocks */
	uint64_t files;        /* regular files (hard links counted once per name) */
	uint64_t dirs;         /* directories, root included */
	uint64_t symlinks;
	uint64_t data_bytes;   /* bytes of file content */
	uint64_t skipped;      /* device nodes and other objects not recorded */
	unsigned udf_revision;
	int layout;            /* enum discfs_image_layout */
} discfs_image_stats;

typedef struct discfs_image discfs_image;

/* Zeroes o (defaults: media default revision, generic image, UTC). */
void discfs_image_options_init(discfs_image_options *o);

/* Scans srcdir and plans the image. */
int discfs_image_open(const char *srcdir, const discfs_image_options *opts,
		      discfs_image **out, discfs_error *err);
void discfs_image_stats_get(const discfs_image *img, discfs_image_stats *out);

/*
 * Receives count blocks (count * 2048 bytes) starting at image block lba.
 * Calls come in strictly ascending, gap-free order from lba 0 to
 * stats.blocks - 1.  Return 0, or a negative code to stop producing.
 */
typedef int (*discfs_block_sink)(void *ctx, uint64_t lba, const uint8_t *data,
				 uint32_t count, discfs_error *err);

/* Emits the whole image; may be called again (re-reads the source files). */
int discfs_image_produce(discfs_image *img, discfs_block_sink sink, void *ctx,
			 discfs_error *err);

/*
 * Pull-style stream of the image bytes, for discfs_burn_producer(): a
 * background thread produces the image into a bounded buffer (8 MiB) and
 * discfs_image_stream_read() hands it out in order; it has the signature of
 * discfs_producer_fn (pass the stream as user).  *got = 0 means the end.
 * A production error is returned by the read that reaches it.  Closing
 * before the end cancels production.  One reader thread per stream; the
 * image must outlive its stream, and produces one stream/write at a time.
 */
typedef struct discfs_image_stream discfs_image_stream;
int discfs_image_stream_open(discfs_image *img, discfs_image_stream **out,
			     discfs_error *err);
int discfs_image_stream_read(void *stream, void *buf, size_t len, size_t *got,
			     discfs_error *err);
void discfs_image_stream_close(discfs_image_stream *s);

/* Writes the image to a file (created or truncated). */
int discfs_image_write(discfs_image *img, const char *path, discfs_error *err);

void discfs_image_free(discfs_image *img);

/* reader */
/*
 * Reading a UDF volume (1.02 .. 2.60: plain, sparable, VAT, metadata
 * partition) from an image file, a block device (/dev/srN) or an emulated
 * disc ("emu:PATH" or its image path); logical blocks of 2048 bytes, or
 * 512/1024/4096 for hard-disk volumes.  Paths inside the volume are
 * absolute or root-relative ("/", "a/b"); symlinks are not followed.
 * Hostile volumes fail with DISCFS_EFORMAT and a one-line message.
 * A volume without UDF but with ISO9660 (Rock Ridge, Joliet or plain
 * names; the last session of a disc, or of an image file the one whose
 * descriptors are at block 16) is read as such;
 * discfs_volume_info.format says which.
 * A volume is not thread-safe: one thread at a time (or a lock).
 */
typedef struct discfs_volume discfs_volume;
typedef struct discfs_file discfs_file;

typedef struct discfs_stat {
	uint64_t ino;          /* unique per file entry (hard links share it) */
	uint32_t mode;         /* S_IF* type and permission bits */
	uint32_t uid, gid;     /* 0xFFFFFFFF = not recorded */
	uint32_t nlink;
	uint64_t size;
	int64_t atime, mtime, ctime; /* Unix seconds */
	uint32_t atime_nsec, mtime_nsec, ctime_nsec;
	uint32_t rdev_major, rdev_minor; /* block and character devices */
	uint32_t flags;        /* DISCFS_STAT_* */
} discfs_stat;

/* discfs_stat.flags: the entry has extended attributes (read them with
 * discfs_volume_xattrs()). */
#define DISCFS_STAT_XATTRS 0x1u

/* What discfs_volume_open() found (discfs_volume_info.format). */
enum discfs_volume_format {
	DISCFS_VOLUME_UDF = 0,
	DISCFS_VOLUME_ISO9660 = 1, /* no UDF: ISO9660 only, read-only */
};

/* Where an ISO9660 volume's names come from (discfs_volume_info.iso_names). */
enum discfs_iso_names {
	DISCFS_ISO_NAMES_PLAIN = 0,
	DISCFS_ISO_NAMES_JOLIET = 1,
	DISCFS_ISO_NAMES_ROCK_RIDGE = 2,
};

typedef struct discfs_volume_info {
	char label[128];       /* logical volume identifier */
	char volume_id[128];   /* primary volume identifier */
	unsigned udf_revision; /* e.g. 0x0201 */
	int layout;            /* enum discfs_image_layout */
	uint64_t partition_blocks;
	uint64_t free_blocks;  /* UINT64_MAX when not recorded (VAT) */
	uint32_t files, dirs;  /* as recorded in the LVID / VAT header */
	uint64_t vat_block;    /* block of the VAT in use (VAT layout) */
	uint64_t vat_hash;     /* a hash of its entries: changes with every
				* increment, not when the VAT is only copied */
	int format;            /* enum discfs_volume_format */
	int iso_names;         /* enum discfs_iso_names (ISO9660 volumes) */
} discfs_volume_info;

int discfs_volume_open(const char *path, discfs_volume **out,
		       discfs_error *err);
void discfs_volume_close(discfs_volume *vol);
void discfs_volume_info_get(const discfs_volume *vol, discfs_volume_info *out);

int discfs_volume_stat(discfs_volume *vol, const char *path, discfs_stat *st,
		       discfs_error *err);

/* cb returns 0 to go on, > 0 to stop, < 0 to fail (passed through). */
typedef int (*discfs_dir_fn)(void *user, const char *name,
			     const discfs_stat *st);
int discfs_volume_readdir(discfs_volume *vol, const char *path,
			  discfs_dir_fn fn, void *user, discfs_error *err);

/* Depth-first walk: fn(user, relpath, st) for path itself ("") and every
 * entry below it; directory loops fail with DISCFS_EFORMAT. */
int discfs_volume_walk(discfs_volume *vol, const char *path, discfs_dir_fn fn,
		       void *user, discfs_error *err);

int discfs_volume_readlink(discfs_volume *vol, const char *path, char *buf,
			   size_t size, discfs_error *err);

/*
 * The extended attributes recorded for path (Linux xattrs that discfs and
 * discctl mkimage keep in the file entry: udf/ea_space.h): fn(user, name,
 * value, len) for each, name NUL-terminated; fn's return as for
 * discfs_dir_fn.  None (0 calls) on ISO9660 volumes and for files without.
 */
typedef int (*discfs_xattr_fn)(void *user, const char *name,
			       const void *value, size_t len);
int discfs_volume_xattrs(discfs_volume *vol, const char *path,
			 discfs_xattr_fn fn, void *user, discfs_error *err);

int discfs_file_open(discfs_volume *vol, const char *path, discfs_file **out,
		     discfs_error *err);
/* Reads up to len bytes at off; *got < len only at end of file. */
int discfs_file_read(discfs_file *f, uint64_t off, void *buf, size_t len,
		     size_t *got, discfs_error *err);
void discfs_file_close(discfs_file *f);

/*
 * Checks a UDF volume's structure (discctl fsck): anchors, descriptor tags
 * and CRCs, partition maps, extents, blocks used twice, LVID counts and
 * free space, reachability, VAT.  Each finding goes to fn (may be NULL).
 * With DISCFS_FSCK_REPAIR the safe fixes are written to the image file
 * (appending a copy of the last valid VAT, LVID counts and free space,
 * space bitmap bits of blocks in use); not for "emu:" drives.  Returns 0
 * when the check ran (see res for what it found; a volume that cannot be
 * read at all is one error finding), or a negative code when the image
 * could not be opened.
 */
#define DISCFS_FSCK_REPAIR 0x1u

enum discfs_fsck_severity {
	DISCFS_FSCK_INFO = 0,
	DISCFS_FSCK_WARNING = 1, /* legal but unusual, or harmless waste */
	DISCFS_FSCK_ERROR = 2,   /* violates UDF; readers may fail */
};

typedef struct discfs_fsck_issue {
	int severity;          /* enum discfs_fsck_severity */
	const char *area;      /* "anchor", "vds", "lvid", "partition", "vat",
				  "tree", "space", ... */
	char msg[256];
	bool repaired;         /* fixed by --repair */
} discfs_fsck_issue;

typedef struct discfs_fsck_result {
	unsigned errors, warnings, repaired;
	bool opened;           /* the volume could be brought up */
	uint64_t files, dirs, symlinks; /* counted by walking the tree */
	uint64_t used_blocks;  /* blocks referenced by the file system */
} discfs_fsck_result;

typedef void (*discfs_fsck_fn)(void *user, const discfs_fsck_issue *issue);

int discfs_fsck(const char *path, unsigned flags, discfs_fsck_fn fn,
		void *user, discfs_fsck_result *res, discfs_error *err);

/* incremental update */
/*
 * Incremental writing onto a disc (or image) that already holds UDF, like
 * IMAPI2's Live File System: stage changes by path, then commit them as
 * one increment.  Write-once media (CD-R, DVD+-R, BD-R) get the new data,
 * the changed file entries and directories and a new VAT appended;
 * rewritable media (DVD+RW, DVD-RAM, BD-RE) are updated in place through
 * the space bitmap, ordered so that a crash never loses what an earlier
 * commit wrote.  A blank medium is formatted first when asked
 * (format_blank): UDF 2.01 with a VAT (2.50 on BD-R), or UDF 2.01 with a
 * space bitmap on random-access media.  Sparable and metadata-partition
 * volumes are refused (DISCFS_ENOTSUP).  Paths are UTF-8, absolute or
 * root-relative.  One thread at a time per update object.
 */
typedef struct discfs_update discfs_update;

typedef struct discfs_update_opts {
	bool format_blank;     /* lay out an empty volume on a blank medium */
	const char *label;     /* label of a new volume (NULL: "DISCFS") */
	unsigned udf_revision; /* of a new volume, 0 = medium default */
	bool fixed_time_set;   /* record fixed_time instead of now */
	int64_t fixed_time;
	int tz_minutes;
	/* an appendable write-once disc holding only ISO9660 sessions: open
	 * it by adding a new UDF session whose tree is the ISO tree (its
	 * files point at the data already recorded, nothing is copied); the
	 * staged changes and that tree are written by the first commit.
	 * Close that session afterwards (discfs_close_session) for Linux to
	 * see it; on an image file the new session starts at the old end. */
	bool import_iso;
} discfs_update_opts;

/*
 * Opens the UDF volume on dev for updating: a real drive, or an emulated
 * disc ("emu:PATH" or the image path of one).  DVD+RW media that are not
 * formatted yet are formatted first when format_blank is set.
 */
int discfs_update_open(const char *dev, const discfs_update_opts *o,
		       discfs_update **out, discfs_error *err);
/* The same on an already open drive (borrowed; it must outlive up). */
int discfs_update_open_drive(discfs_drive *drive, const discfs_update_opts *o,
			     discfs_update **out, discfs_error *err);
/* The same on a plain image file: write_once treats it as a write-once
 * disc of capacity_blocks (0 = the file's size) appended at its end. */
int discfs_update_open_image(const char *path, bool write_once,
			     uint64_t capacity_blocks,
			     const discfs_update_opts *o, discfs_update **out,
			     discfs_error *err);
void discfs_update_close(discfs_update *up);

/* Supplies exactly len bytes of new content at off. */
typedef int (*discfs_update_read_fn)(void *user, uint64_t off, void *buf,
				     size_t len, discfs_error *err);

int discfs_update_mkdir(discfs_update *up, const char *path, uint32_t mode,
			discfs_error *err);
/* Creates or replaces a file with size bytes read through fn at commit. */
int discfs_update_write(discfs_update *up, const char *path, uint32_t mode,
			uint64_t size, discfs_update_read_fn fn, void *user,
			discfs_error *err);
/* Creates or replaces a file with a copy of the local file src (its mode
 * and modification time too); src is read at commit time. */
int discfs_update_copy_file(discfs_update *up, const char *path,
			    const char *src, discfs_error *err);
int discfs_update_symlink(discfs_update *up, const char *path,
			  const char *target, discfs_error *err);
/* Removes a file, symlink or empty directory. */
int discfs_update_remove(discfs_update *up, const char *path,
			 discfs_error *err);
int discfs_update_rename(discfs_update *up, const char *from, const char *to,
			 discfs_error *err);
/* Sets the permission bits (mode) of path. */
int discfs_update_chmod(discfs_update *up, const char *path, uint32_t mode,
			discfs_error *err);

typedef struct discfs_update_stats {
	uint64_t blocks_written;  /* by this commit, everything included */
	uint64_t data_blocks;     /* file content */
	uint64_t meta_blocks;     /* entries, directories, VAT, bitmap, LVID */
	uint64_t objects_written; /* file entries */
	uint64_t blocks_freed;    /* rewritable media */
} discfs_update_stats;

/* Writes what is staged as one increment (nothing staged: nothing
 * written).  On failure everything stays staged. */
int discfs_update_commit(discfs_update *up, discfs_update_stats *st,
			 discfs_error *err);

/*
 * Sessions of a write-once disc (lib/import_api.c).  A UDF volume added to
 * a disc as a later session (discfs -o import adds one to an ISO9660
 * disc) has its anchor at its session's first block + 256, where Linux
 * looks for it in the last closed session.
 *
 * Both look at closed sessions only, as Linux does (an import cut short
 * in the open session is not seen).  discfs_last_session_start: the first
 * block of the last closed session holding data; 0 for a single-session
 * or blank disc, or when the drive cannot tell.  discfs_udf_session_start:
 * the first block of the last closed session whose block 256 is a UDF
 * anchor; 0 when there is none.
 */
uint64_t discfs_last_session_start(discfs_drive *drive);
uint64_t discfs_udf_session_start(discfs_drive *drive);

/*
 * Closes the open session of an appendable write-once disc (flush, open
 * tracks closed, CLOSE SESSION with the next session allowed) so that
 * readers asking the drive for its last session (Linux: READ TOC) find
 * what it holds; the disc stays appendable.  Nothing recorded in the
 * open session: nothing done.  DISCFS_EWRONGMEDIA on other discs.
 */
int discfs_close_session(discfs_drive *drive, discfs_error *err);

/* @@image-api@@ (section owned by the UDF engine; add declarations above) */

/* ---------------------------------------------------- mounting (fused/) */
/*
 * The discfs FUSE daemon (discfs(1)) mounts a disc as a writable folder and
 * stages changes until a commit.  Programs talk to a mount through two
 * extended attributes on its root directory (never stored as data):
 *   setxattr(root, DISCFS_XATTR_COMMIT, "1", 1, 0) commits the staged
 *     changes now; it fails (ENOTSUP, ENOSPC, EIO, ...) when the commit
 *     fails, and then every change stays staged;
 *   getxattr(root, DISCFS_XATTR_STATUS, ...) reads one line: the disc, what
 *     is staged, the space left, the staging directory, the daemon's
 *     process id ("daemon: pid N"), the last commit.
 * fsync() of the root directory also commits.
 */
#define DISCFS_XATTR_COMMIT "user.discfs.commit"
#define DISCFS_XATTR_STATUS "user.discfs.status"

/* How discfs_mount() starts the daemon (discfs(1) options). */
typedef struct discfs_mount_opts {
	const char *staging;    /* staging directory; NULL: one per disc in
				 * the user's cache directory */
	unsigned commit_idle_s; /* commit after this many idle seconds; 0 never */
	bool close_on_unmount;  /* finalize a write-once disc at unmount */
	bool import_iso;        /* a disc of ISO9660 sessions: import them */
	bool allow_other;       /* let other users in (fuse.conf must allow) */
	const char *daemon;     /* the daemon program; NULL: $DISCFS_DAEMON,
				 * else "discfs" on PATH */
} discfs_mount_opts;

void discfs_mount_opts_init(discfs_mount_opts *o);
/*
 * Mounts the disc in dev (a drive or an emulated disc, as discfs(1) takes
 * it) at mountpoint, an existing directory, by starting the daemon; it
 * returns once the folder is there.  The mount belongs to the caller's
 * user and outlives the calling program.  Errors: the daemon's one-line
 * message (no disc, staged changes of another disc, ...); DISCFS_ENOENT
 * when the daemon program is not found.
 */
int discfs_mount(const char *dev, const char *mountpoint,
		 const discfs_mount_opts *o, discfs_error *err);
/* Commits what is staged in the mount now; on failure it all stays staged. */
int discfs_mount_commit(const char *mountpoint, discfs_error *err);
/* The mount's status line (DISCFS_XATTR_STATUS) into buf. */
int discfs_mount_status(const char *mountpoint, char *buf, size_t size,
			discfs_error *err);
/*
 * Commits what is staged, then unmounts, and waits (up to a minute) for
 * the daemon to let go of the drive, so the disc can be used at once.  A
 * failed commit leaves the folder mounted with its changes staged
 * (nothing is lost) and returns the commit's error.
 */
int discfs_unmount(const char *mountpoint, discfs_error *err);

/* @@mount-api@@ (section owned by the FUSE daemon; add declarations above) */

#ifdef __cplusplus
}
#endif
#endif /* DISCFS_H */
