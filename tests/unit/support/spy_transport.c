/* tests/unit/support/spy_transport.c - see spy_transport.h. */
#include "tests/unit/support/spy_transport.h"

#include <string.h>

#include "lib/drive_internal.h"
#include "util/bytes.h"

static const struct mmc_transport_ops *real_ops;
static struct mmc_transport_ops spy_ops;
static struct spy_log *cur;

static void note(const struct mmc_cmd *c)
{
	uint32_t n;
	if (!cur)
		return;
	if (cur->n < SPY_MAX) {
		cur->op[cur->n] = c->cdb[0];
		cur->arg[cur->n] = c->cdb[0] == 0x1E ? c->cdb[4] : 0;
	}
	cur->n++;
	if (c->cdb[0] == 0x2A) { /* WRITE(10) */
		n = get_be16(c->cdb + 7);
		cur->writes++;
		if (n > cur->max_write_blocks)
			cur->max_write_blocks = n;
	} else if (c->cdb[0] == 0x28) { /* READ(10) */
		n = get_be16(c->cdb + 7);
		if (n > cur->max_read_blocks)
			cur->max_read_blocks = n;
	}
}

static int spy_exec(struct mmc_transport *t, struct mmc_cmd *c,
		    discfs_error *err)
{
	note(c);
	if (cur && cur->twice_op >= 0 && c->cdb[0] == (uint8_t)cur->twice_op) {
		discfs_error lost = { 0 };
		real_ops->exec(t, c, &lost);
	}
	return real_ops->exec(t, c, err);
}

static int spy_submit(struct mmc_transport *t, struct mmc_cmd *c,
		      discfs_error *err)
{
	note(c);
	return real_ops->submit(t, c, err);
}

void spy_attach(discfs_drive *d, struct spy_log *log)
{
	struct mmc_transport *t = discfs_drive_transport(d);
	memset(log, 0, sizeof(*log));
	log->twice_op = -1;
	cur = log;
	real_ops = t->ops;
	spy_ops = *t->ops;
	spy_ops.exec = spy_exec;
	if (real_ops->submit)
		spy_ops.submit = spy_submit;
	t->ops = &spy_ops;
}

static int match(const struct spy_log *log, long i, uint8_t op, int arg)
{
	return log->op[i] == op && (arg < 0 || log->arg[i] == arg);
}

long spy_first(const struct spy_log *log, uint8_t op, int arg)
{
	long n = log->n < SPY_MAX ? (long)log->n : SPY_MAX;
	for (long i = 0; i < n; i++)
		if (match(log, i, op, arg))
			return i;
	return -1;
}

long spy_last(const struct spy_log *log, uint8_t op, int arg)
{
	long n = log->n < SPY_MAX ? (long)log->n : SPY_MAX;
	for (long i = n - 1; i >= 0; i--)
		if (match(log, i, op, arg))
			return i;
	return -1;
}
