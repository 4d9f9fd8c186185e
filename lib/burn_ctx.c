/* lib/burn_ctx.c - see burn_ctx.h */
#include "lib/burn_ctx.h"

#include <string.h>
#include <time.h>

#include "mmc/mmc_defs.h"

static const char *const action_names[] = {
	[DISCFS_ACTION_VALIDATING] = "validating",
	[DISCFS_ACTION_FORMATTING] = "formatting",
	[DISCFS_ACTION_ERASING] = "erasing",
	[DISCFS_ACTION_CALIBRATING] = "calibrating power",
	[DISCFS_ACTION_WRITING] = "writing",
	[DISCFS_ACTION_FINALIZING] = "finalizing",
	[DISCFS_ACTION_VERIFYING] = "verifying",
	[DISCFS_ACTION_READING] = "reading",
	[DISCFS_ACTION_COMPLETED] = "completed",
};

const char *discfs_action_name(int action)
{
	if (action < 0 ||
	    (size_t)action >= sizeof(action_names) / sizeof(action_names[0]))
		return "unknown";
	return action_names[action];
}

uint64_t bc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bc_init(struct burn_ctx *c, discfs_progress_fn fn, void *user,
	     const volatile int *cancel)
{
	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->user = user;
	c->cancel = cancel;
	c->p.percent_x100 = -1;
	c->t0_ns = bc_now_ns();
}

double bc_elapsed(const struct burn_ctx *c)
{
	return (double)(bc_now_ns() - c->t0_ns) / 1e9;
}

void bc_emit(struct burn_ctx *c)
{
	c->p.elapsed_s = bc_elapsed(c);
	if (c->fn)
		c->fn(&c->p, c->user);
}

void bc_action(struct burn_ctx *c, int action, uint32_t start_lba,
	       uint64_t total_blocks)
{
	c->p.action = action;
	c->p.start_lba = start_lba;
	c->p.total_blocks = total_blocks;
	c->p.done_blocks = 0;
	c->p.percent_x100 = -1;
	c->p.bytes_per_s = 0;
	c->p.buffer_valid = false;
	c->t0_ns = bc_now_ns();
	bc_emit(c);
}

void bc_blocks(struct burn_ctx *c, uint64_t done)
{
	double el = bc_elapsed(c);
	c->p.done_blocks = done;
	c->p.bytes_per_s = el > 0 ? (double)done * DISCFS_BLOCK_SIZE / el : 0;
	bc_emit(c);
}

bool bc_cancelled(const struct burn_ctx *c)
{
	return c->cancel && *c->cancel;
}

bool bc_wait_progress(void *ctx, int progress_x100)
{
	struct burn_ctx *c = ctx;
	c->p.percent_x100 = progress_x100;
	bc_emit(c);
	return true;
}

double bc_rated_1x(uint16_t profile)
{
	switch (profile) {
	case MMC_PROF_CD_ROM:
	case MMC_PROF_CD_R:
	case MMC_PROF_CD_RW:
		return 153600.0;
	case MMC_PROF_BD_ROM:
	case MMC_PROF_BD_R_SRM:
	case MMC_PROF_BD_R_RRM:
	case MMC_PROF_BD_RE:
		return 4500000.0;
	case MMC_PROF_NONE:
		return 0;
	default:
		return 1385000.0;
	}
}
