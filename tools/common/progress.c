/* tools/common/progress.c - see progress.h */
#include "tools/common/progress.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/common/cli.h"

#define JSON_PERIOD_S 0.5
#define BAR_PERIOD_S 0.1
#define BAR_WIDTH 20

/* Process-wide by nature: signals are.  Only the tools use it. */
static volatile sig_atomic_t interrupted;
static volatile int cancel_flag;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	cancel_flag = 1;
}

const volatile int *progress_install_sigint(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return &cancel_flag;
}

bool progress_interrupted(void)
{
	return interrupted != 0;
}

void progress_init(struct progress_ui *ui, bool json)
{
	memset(ui, 0, sizeof(*ui));
	ui->json = json;
	ui->tty = !json && isatty(2);
	ui->last_action = -1;
	ui->last_emit = -1e9;
}

void progress_end(struct progress_ui *ui)
{
	if (ui->bar_open) {
		fputc('\n', stderr);
		ui->bar_open = false;
	}
}

static double percent_of(const discfs_progress *p)
{
	if (p->total_blocks)
		return 100.0 * (double)p->done_blocks / (double)p->total_blocks;
	if (p->percent_x100 >= 0)
		return p->percent_x100 / 100.0;
	return -1;
}

static double eta_of(const discfs_progress *p)
{
	if (!p->total_blocks || p->bytes_per_s <= 0 ||
	    p->done_blocks >= p->total_blocks)
		return -1;
	return (double)(p->total_blocks - p->done_blocks) * DISCFS_BLOCK_SIZE /
	       p->bytes_per_s;
}

static void emit_json(const discfs_progress *p)
{
	double pct = percent_of(p), eta = eta_of(p);
	printf("{\"event\":\"progress\",\"action\":");
	cli_json_str(discfs_action_name(p->action));
	printf(",\"drive\":%u,\"start_lba\":%u,\"done_blocks\":%llu,"
	       "\"total_blocks\":%llu", p->drive, p->start_lba,
	       (unsigned long long)p->done_blocks,
	       (unsigned long long)p->total_blocks);
	if (pct >= 0)
		printf(",\"percent\":%.1f", pct);
	printf(",\"bytes_per_s\":%.0f", p->bytes_per_s);
	if (p->rated_1x_bytes_per_s > 0)
		printf(",\"x_speed\":%.2f",
		       p->bytes_per_s / p->rated_1x_bytes_per_s);
	if (p->buffer_valid && p->buffer_size)
		printf(",\"buffer_fill\":%u",
		       (unsigned)(100.0 * (p->buffer_size - p->buffer_free) /
				  p->buffer_size));
	printf(",\"elapsed\":%.2f", p->elapsed_s);
	if (eta >= 0)
		printf(",\"eta\":%.1f", eta);
	printf("}\n");
	fflush(stdout);
}

static void emit_bar(struct progress_ui *ui, const discfs_progress *p)
{
	double pct = percent_of(p), eta = eta_of(p);
	char bar[BAR_WIDTH + 1];
	int fill = pct >= 0 ? (int)(pct * BAR_WIDTH / 100.0) : 0;

	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%-11s", discfs_action_name(p->action));
	if (pct >= 0)
		fprintf(stderr, " %5.1f%% [%s]", pct, bar);
	else
		fprintf(stderr, " %8llu blocks",
			(unsigned long long)p->done_blocks);
	if (p->bytes_per_s > 0)
		fprintf(stderr, " %6.1f MB/s", p->bytes_per_s / 1e6);
	if (p->bytes_per_s > 0 && p->rated_1x_bytes_per_s > 0)
		fprintf(stderr, " %5.1fx",
			p->bytes_per_s / p->rated_1x_bytes_per_s);
	if (p->buffer_valid && p->buffer_size)
		fprintf(stderr, "  buf %3u%%",
			(unsigned)(100.0 * (p->buffer_size - p->buffer_free) /
				   p->buffer_size));
	if (eta >= 0)
		fprintf(stderr, "  ETA %d:%02d", (int)eta / 60, (int)eta % 60);
	fprintf(stderr, "\033[K");
	ui->bar_open = true;
}

void progress_cb(const discfs_progress *p, void *user)
{
	struct progress_ui *ui = user;
	bool changed = p->action != ui->last_action || p->drive != ui->last_drive;
	double period = ui->json ? JSON_PERIOD_S : BAR_PERIOD_S;

	if (!changed && p->elapsed_s - ui->last_emit < period &&
	    p->elapsed_s >= ui->last_emit)
		return;
	ui->last_emit = p->elapsed_s;
	if (ui->json) {
		emit_json(p);
	} else if (ui->tty) {
		if (changed)
			progress_end(ui);
		emit_bar(ui, p);
	} else if (changed) {
		fprintf(stderr, "%s: drive %u: %s\n", cli_prog, p->drive,
			discfs_action_name(p->action));
	}
	ui->last_action = p->action;
	ui->last_drive = p->drive;
}

void progress_json_result(bool ok, const discfs_error *err)
{
	printf("{\"event\":\"result\",\"ok\":%s,\"code\":%d,\"message\":",
	       ok ? "true" : "false", ok || !err ? 0 : err->code);
	cli_json_str(ok || !err ? "" : err->msg);
}

void progress_json_result_end(void)
{
	printf("}\n");
	fflush(stdout);
}
