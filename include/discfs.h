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
} discfs_media_info;

int discfs_media_info_get(discfs_drive *drive, discfs_media_info *out,
			  discfs_error *err);
void discfs_media_info_free(discfs_media_info *info);

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

/* ------------------------------------------------ burning (uring/, lib/) */
/* @@burn-api@@ (section owned by the burn engine; add declarations above) */

/* ------------------------------------------------------ images (udf/) */
/* @@image-api@@ (section owned by the UDF engine; add declarations above) */

/* ---------------------------------------------------- mounting (fused/) */
/* @@mount-api@@ (section owned by the FUSE daemon; add declarations above) */

#ifdef __cplusplus
}
#endif
#endif /* DISCFS_H */
