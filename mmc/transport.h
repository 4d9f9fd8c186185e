/*
 * mmc/transport.h - how one SCSI/MMC command reaches a drive.
 *
 * A transport carries one command at a time: the CDB, the data direction and
 * buffer, a timeout; it returns the SCSI status, the sense data and the
 * residual.  Implementations: Linux SG_IO (mmc/sg_linux.c), the emulated
 * drive (mmc/emu/emu_transport.c), and (uring/) asynchronous engines that
 * keep several commands in flight through the optional submit/reap pair.
 *
 * Contract of exec():
 *  - returns 0 when the command reached the target and came back, whatever
 *    its SCSI status (CHECK CONDITION is a normal answer: see cmd->status and
 *    cmd->sense);
 *  - returns a negative discfs_code (and fills err) only when the command
 *    could not be carried at all: device gone (ENODEV), timeout, OS error.
 * The layer above (mmc/exec.c) turns sense data into discfs errors.
 */
#ifndef DFS_MMC_TRANSPORT_H
#define DFS_MMC_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

enum mmc_dir {
	MMC_DIR_NONE = 0,
	MMC_DIR_IN,  /* from the device to the host (reads) */
	MMC_DIR_OUT, /* from the host to the device (writes) */
};

#define MMC_SENSE_MAX 32
#define MMC_STATUS_GOOD 0x00
#define MMC_STATUS_CHECK 0x02
#define MMC_STATUS_BUSY 0x08

struct mmc_cmd {
	/* in */
	uint8_t cdb[16];
	uint8_t cdb_len;
	enum mmc_dir dir;
	void *buf;
	uint32_t len;        /* bytes of buf to transfer */
	uint32_t timeout_ms; /* 0 = the transport's default (60 s) */
	/* out */
	uint8_t status;      /* SCSI status byte */
	uint8_t sense[MMC_SENSE_MAX];
	uint8_t sense_len;   /* valid bytes of sense */
	uint32_t resid;      /* bytes of len not transferred */
	uint32_t duration_ms;
	/* free for asynchronous transports to tag a command with */
	uint64_t user_tag;
};

struct mmc_transport;

struct mmc_transport_ops {
	const char *name;
	int (*exec)(struct mmc_transport *t, struct mmc_cmd *cmd,
		    discfs_error *err);
	/* Optional: several commands in flight.  submit() queues cmd;
	 * reap() waits for at least one completion (timeout_ms, -1 = forever)
	 * and returns the finished command.  NULL when not supported. */
	int (*submit)(struct mmc_transport *t, struct mmc_cmd *cmd,
		      discfs_error *err);
	int (*reap)(struct mmc_transport *t, struct mmc_cmd **done,
		    int timeout_ms, discfs_error *err);
	/* A descriptor that becomes readable when reap() would not block,
	 * -1 when none (used to drive transports from an io_uring). */
	int (*event_fd)(struct mmc_transport *t);
	void (*destroy)(struct mmc_transport *t);
};

struct mmc_transport {
	const struct mmc_transport_ops *ops;
	void *ctx;
	char path[256]; /* what was opened, for messages */
	uint32_t max_xfer; /* bytes one command may carry on this path (the
			    * host adapter's limit); 0 = not known */
};

static inline int mmc_transport_exec(struct mmc_transport *t,
				     struct mmc_cmd *cmd, discfs_error *err)
{
	return t->ops->exec(t, cmd, err);
}

static inline void mmc_transport_destroy(struct mmc_transport *t)
{
	if (t && t->ops && t->ops->destroy)
		t->ops->destroy(t);
}

#endif
