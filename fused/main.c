/*
 * fused/main.c - discfs: mount a disc as a writable folder.
 *
 *   discfs DEV MOUNTPOINT [-f] [-o staging=DIR,commit_idle=N,allow_other]
 *
 * Opens the disc, opens (and replays) its staging store, mounts with
 * default_permissions (private to the mounting user unless allow_other),
 * serves requests until unmounted or SIGINT/SIGTERM/SIGHUP, then commits
 * what is staged (unless no_commit_on_unmount) and exits.  A commit that
 * fails leaves everything staged for the next mount.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fused/commit_import.h"
#include "fused/loop.h"
#include "fused/mount.h"
#include "fused/options.h"
#include "tools/common/cli.h"

static int open_store(struct dfs_mount *m)
{
	discfs_error err;
	int rc = dfs_mount_open_store(m, &err);

	if (rc == -DISCFS_ECHANGED) {
		fprintf(stderr, "discfs: %s: %s; the staged changes in %s are "
				"kept: mount the disc they belong to, or use "
				"-o staging=OTHER_DIR\n", m->opt.dev, err.msg,
			m->opt.staging);
		return cli_exit_code(rc);
	}
	if (rc < 0)
		return cli_report(&err, strstr(err.msg, m->opt.staging) ? NULL
							   : m->opt.staging);
	if (m->disc.unfinished)
		fprintf(stderr, "discfs: %s holds the unfinished session of a "
				"commit that failed; the staged changes are shown "
				"and stay staged\n", m->opt.dev);
	if (m->store.adopted_commit)
		fprintf(stderr, "discfs: the commit interrupted last time had "
				"finished: the staged changes are on the disc\n");
	if (m->store.replayed || m->store.torn_bytes)
		fprintf(stderr, "discfs: recovered %llu staged change(s) from %s"
				"%s\n", (unsigned long long)m->store.replayed,
			m->opt.staging,
			m->store.torn_bytes ? " (an unfinished last change was dropped)"
					    : "");
	return 0;
}

/* Keeps a margin for what a commit writes besides file data. */
static uint64_t reserve_for(const struct dfs_disc *d)
{
	uint64_t r = d->capacity_bytes / 100;

	if (r < 2u << 20)
		r = 2u << 20;
	return r > d->free_bytes / 2 ? d->free_bytes / 2 : r;
}

static void commit_on_unmount(struct dfs_mount *m)
{
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	if (!m->opt.no_commit_on_unmount && !m->store.broken &&
	    stg_store_dirty(&m->store) && dfs_mount_commit(m, "unmount") < 0)
		fprintf(stderr, "discfs: %s\n", m->status);
	pthread_mutex_unlock(&m->lock);
}

static int serve(struct dfs_mount *m, struct fuse_args *fa)
{
	struct fuse_loop_config *cfg;
	int rc = 1;

	m->se = fuse_session_new(fa, &dfs_ops, sizeof(dfs_ops), m);
	if (!m->se)
		return 2; /* libfuse printed why (an unknown option, usually) */
	if (fuse_set_signal_handlers(m->se) < 0)
		goto out_destroy;
	if (fuse_session_mount(m->se, m->opt.mountpoint) < 0)
		goto out_signals;
	if (fuse_daemonize(m->opt.foreground) < 0)
		goto out_unmount;
	if (dfs_idle_start(m) < 0)
		goto out_unmount;
	/*
	 * One thread by default: requests of one copy come one at a time and
	 * handlers serialise on the mount lock, so more threads only add
	 * wake-ups.  -o threads=N for parallel readers.
	 */
	cfg = m->opt.threads > 1 ? fuse_loop_cfg_create() : NULL;
	if (!cfg) {
		rc = dfs_session_loop(m->se, m->opt.follow_cpu, m->opt.spin_us) < 0 ? 1 : 0;
	} else {
		fuse_loop_cfg_set_max_threads(cfg, m->opt.threads);
		rc = fuse_session_loop_mt(m->se, cfg) < 0 ? 1 : 0;
		fuse_loop_cfg_destroy(cfg);
	}
	dfs_idle_stop(m);
	/* Unmount first: nobody should wait on a mount that no longer answers
	 * while the commit runs. */
	fuse_session_unmount(m->se);
	commit_on_unmount(m);
	goto out_signals;
out_unmount:
	fuse_session_unmount(m->se);
out_signals:
	fuse_remove_signal_handlers(m->se);
out_destroy:
	fuse_session_destroy(m->se);
	return rc;
}

static int add_fsname(struct fuse_args *fa, const char *dev)
{
	char opt[600];

	/* Commas would split the option: keep the name simple. */
	snprintf(opt, sizeof(opt), "-ofsname=discfs:%s,subtype=discfs", dev);
	for (char *p = opt + 16; *p && p < opt + 16 + strlen(dev); p++)
		if (*p == ',')
			*p = '_';
	return fuse_opt_add_arg(fa, opt);
}

/* The daemon leaves its working directory, so a relative image path (also
 * after "emu:") would not be found at the commit: make it absolute now.
 * A path that does not resolve is left alone for the open to report. */
static int absolute_dev(char **dev)
{
	bool emu = *dev && !strncmp(*dev, "emu:", 4);
	const char *path = emu ? *dev + 4 : *dev;
	char *abs, *full;

	if (!path || path[0] == '/' || !path[0] || !strcmp(*dev, "none"))
		return 0;
	abs = realpath(path, NULL);
	if (!abs)
		return 0;
	if (!emu) {
		free(*dev);
		*dev = abs;
		return 0;
	}
	full = malloc(strlen(abs) + 5);
	if (full)
		sprintf(full, "emu:%s", abs);
	free(abs);
	if (!full)
		return -1;
	free(*dev);
	*dev = full;
	return 0;
}

/* The same for the staging directory, which need not exist yet. */
static int absolute_dir(char **dir)
{
	char *cwd, *full;

	if (!*dir || (*dir)[0] == '/')
		return 0;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return -1;
	full = malloc(strlen(cwd) + strlen(*dir) + 2);
	if (full)
		sprintf(full, "%s/%s", cwd, *dir);
	free(cwd);
	if (!full)
		return -1;
	free(*dir);
	*dir = full;
	return 0;
}

/* DISCFS_CRASH_AT=after-repair: SIGKILL there (crash tests). */
static void crash_point(const char *where)
{
	const char *at = getenv("DISCFS_CRASH_AT");

	if (at && !strcmp(at, where))
		raise(SIGKILL);
}

int main(int argc, char **argv)
{
	static struct dfs_mount m; /* handed to libfuse as userdata */
	char base[STG_GEN_MAX + 1];
	const char *staged_on;
	struct fuse_args fa;
	discfs_error err;
	int rc;

	cli_prog = "discfs";
	if (dfs_options_parse(argc, argv, &m.opt, &fa) < 0)
		return 2;
	/* From here on every way out goes through "out": fa is freed. */
	rc = 0;
	if (m.opt.show_help) {
		dfs_usage(stdout);
		goto out;
	}
	if (m.opt.show_version) {
		printf("discfs %s (libfuse %s)\n", DISCFS_VERSION, fuse_pkgversion());
		goto out;
	}
	if (absolute_dev(&m.opt.dev) < 0 || absolute_dir(&m.opt.staging) < 0) {
		fprintf(stderr, "discfs: cannot make the paths absolute\n");
		rc = 2;
		goto out;
	}
	if (!m.opt.staging && dfs_default_staging(&m.opt) < 0) {
		fprintf(stderr, "discfs: no cache directory for staging "
				"(set HOME or use -o staging=DIR)\n");
		rc = 2;
		goto out;
	}
	openlog("discfs", LOG_PID, LOG_USER);
	/* What the staged changes stack on tells a cut-short commit apart. */
	staged_on = stg_journal_base(m.opt.staging, base, sizeof(base)) == 0
		    ? base : NULL;
	/* opening the disc may repair it: marked first (staging_mark.c) */
	bool marked = staged_on && stg_repair_marked(m.opt.staging);
	if (staged_on && !marked && (rc = stg_repair_mark(m.opt.staging)) < 0) {
		fprintf(stderr, "discfs: staging %s: %s\n", m.opt.staging,
			strerror(-rc));
		rc = 1;
		goto out;
	}
	rc = dfs_disc_open(&m.disc, m.opt.dev, m.opt.capacity, staged_on, &err);
	if (rc < 0) {
		rc = cli_report(&err, NULL);
		goto out;
	}
	if (marked) /* a mount that died after the repair */
		m.disc.repaired = true;
	crash_point("after-repair");
	if (m.opt.import_iso && dfs_disc_enable_import(&m.disc, &err) < 0) {
		rc = cli_report(&err, NULL);
		goto close_disc;
	}
	if (m.disc.read_only) {
		fprintf(stderr, "discfs: %s: %s\n", m.opt.dev, m.disc.read_only);
		if (fuse_opt_add_arg(&fa, "-oro") < 0) {
			rc = 1;
			goto close_disc;
		}
	}
	pthread_mutex_init(&m.lock, NULL);
	rc = open_store(&m);
	if (rc == 0 && staged_on)
		stg_repair_clear(m.opt.staging);
	if (rc == 0) {
		m.reserve_bytes = reserve_for(&m.disc);
		/* Every commit is an increment (commit_update.h); the old
		 * full-image writer's leftovers are removed. */
		dfs_image_writer_cleanup(m.opt.staging);
		dfs_update_writer_init(&m.update_writer, &m.disc);
		m.writer = &m.update_writer.w;
		rc = add_fsname(&fa, m.opt.dev) < 0 ? 1 : serve(&m, &fa);
		stg_store_close(&m.store);
	}
close_disc:
	dfs_disc_close(&m.disc);
out:
	fuse_opt_free_args(&fa);
	return rc;
}
