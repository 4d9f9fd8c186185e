/* tools/discemu/lio.c - see lio.h */
#include "tools/discemu/lio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

#define CFS "/sys/kernel/config"
#define TARGET CFS "/target"
#define HBA TARGET "/core/user_0"

bool lio_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > LIO_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* 36 bits of FNV-1a of the name: the variable part of the NAA WWNs. */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 1469598103934665603ull;
	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 1099511628211ull;
	return h & 0xfffffffffull;
}

void lio_init(struct lio_target *t, const char *name)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name);
	snprintf(t->backstore, sizeof t->backstore, HBA "/%s", t->name);
	/* NAA 5 (IEEE registered), OUI 001405 as LIO itself uses */
	snprintf(t->wwn, sizeof t->wwn, TARGET "/loopback/naa.5001405%09llx",
		 (unsigned long long)name_hash(name));
}

/* dst = prefix + src; false (dst empty) when it does not fit. */
static bool join(char *dst, size_t n, const char *prefix, const char *src)
{
	size_t a = strlen(prefix), b = strlen(src);
	if (a + b >= n) {
		dst[0] = 0;
		return false;
	}
	memcpy(dst, prefix, a);
	memcpy(dst + a, src, b + 1);
	return true;
}

static int put_file(const char *dir, const char *file, const char *val,
		    discfs_error *err)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", path);
	ssize_t n = write(fd, val, strlen(val));
	int e = errno;
	close(fd);
	if (n != (ssize_t)strlen(val))
		return dfs_fail_errno(err, DISCFS_EIO, n < 0 ? e : EIO, "writing '%s' to %s", val, path);
	return 0;
}

static int get_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *ok = fgets(buf, (int)n, f);
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int run_modprobe(const char *mod)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execlp("modprobe", "modprobe", "-q", mod, (char *)NULL);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int lio_prepare(discfs_error *err)
{
	static const char *const mods[] = { "configfs", "target_core_user", "tcm_loop", "sr_mod", "sg" };
	for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++)
		run_modprobe(mods[i]); /* may be built in: judged by the dirs below */
	if (!is_dir(CFS "/target") && mount("configfs", CFS, "configfs", 0, NULL) < 0 && errno != EBUSY)
		return dfs_fail_errno(err, DISCFS_ENOTSUP, errno, "mounting configfs on " CFS);
	if (!is_dir(TARGET "/core"))
		return dfs_fail(err, DISCFS_ENOTSUP, "no LIO target in configfs (module target_core_mod)");
	/* a fabric's directory is made on demand (mkdir loads the module) */
	if (!is_dir(TARGET "/loopback") && mkdir(TARGET "/loopback", 0755) < 0 && errno != EEXIST)
		return dfs_fail(err, DISCFS_ENOTSUP, "no tcm_loop fabric in configfs (module tcm_loop)");
	if (!is_dir(HBA) && mkdir(HBA, 0755) < 0 && errno != EEXIST)
		return dfs_fail_errno(err, DISCFS_ENOTSUP, errno,
				      "%s (module target_core_user)", HBA);
	return 0;
}

bool lio_exists(const struct lio_target *t)
{
	return is_dir(t->backstore) || is_dir(t->wwn);
}

/* The UIO node whose name is "tcm-user/<hba>/<name>/<config>". */
static int find_uio(struct lio_target *t)
{
	char want[64], path[300], name[256];
	snprintf(want, sizeof want, "/%s/", t->name);
	DIR *d = opendir("/sys/class/uio");
	if (!d)
		return -1;
	struct dirent *e;
	int found = -1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "uio", 3))
			continue;
		snprintf(path, sizeof path, "/sys/class/uio/%s/name", e->d_name);
		if (get_line(path, name, sizeof name) == 0 &&
		    !strncmp(name, "tcm-user/", 9) && strstr(name + 9, want)) {
			found = join(t->uio, sizeof t->uio, "", e->d_name) ? 0 : -1;
			break;
		}
	}
	closedir(d);
	return found;
}

int lio_backstore_create(struct lio_target *t, uint64_t dev_bytes,
			 discfs_error *err)
{
	char ctl[160];
	if (mkdir(t->backstore, 0755) < 0)
		return errno == EEXIST
			? dfs_fail(err, DISCFS_EBUSY, "emulated drive '%s' already exists "
				   "(another discemu, or a stale one: discemu stop %s)", t->name, t->name)
			: dfs_fail_errno(err, DISCFS_EIO, errno, "%s", t->backstore);
	snprintf(ctl, sizeof ctl, "dev_size=%llu,hw_block_size=2048,dev_config=discemu/%s",
		 (unsigned long long)dev_bytes, t->name);
	int rc = put_file(t->backstore, "control", ctl, err);
	/* No TCMU time-out: the emulator finishes every command itself, and a
	 * long non-Immed BLANK or FORMAT must not be aborted by the target. */
	if (rc == 0)
		put_file(t->backstore, "attrib/cmd_time_out", "0", NULL);
	if (rc == 0)
		rc = put_file(t->backstore, "enable", "1", err);
	if (rc == 0 && find_uio(t) < 0)
		rc = dfs_fail(err, DISCFS_EIO, "no UIO device appeared for %s", t->backstore);
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* First entry of a sysfs directory, as "/dev/ENTRY". */
static int first_entry(const char *dir, char *out, size_t n)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	int rc = -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		rc = join(out, n, "/dev/", e->d_name) ? 0 : -1;
		break;
	}
	closedir(d);
	return rc;
}

static int wait_nodes(struct lio_target *t, int timeout_ms, discfs_error *err)
{
	char dir[128];
	for (int waited = 0;; waited += 100) {
		snprintf(dir, sizeof dir, "/sys/bus/scsi/devices/%s/block", t->addr);
		int blk = first_entry(dir, t->sr, sizeof t->sr);
		snprintf(dir, sizeof dir, "/sys/bus/scsi/devices/%s/scsi_generic", t->addr);
		int sg = first_entry(dir, t->sg, sizeof t->sg);
		if (blk == 0 && sg == 0 && access(t->sr, F_OK) == 0 && access(t->sg, F_OK) == 0)
			return 0;
		if (waited >= timeout_ms)
			return dfs_fail(err, DISCFS_ENODEV, "SCSI device %s: no %s node after %d ms "
					"(is sr_mod/sg loaded? did the drive answer INQUIRY?)",
					t->addr, blk ? "block (sr)" : "sg", timeout_ms);
		sleep_ms(100);
	}
}

int lio_lun_create(struct lio_target *t, int timeout_ms, discfs_error *err)
{
	char tpg[200], lun[220], link[300], nexus[64], addr[32];
	snprintf(tpg, sizeof tpg, "%s/tpgt_1", t->wwn);
	snprintf(lun, sizeof lun, "%s/lun/lun_0", tpg);
	if (mkdir(t->wwn, 0755) < 0 && errno != EEXIST)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", t->wwn);
	if ((mkdir(tpg, 0755) < 0 && errno != EEXIST) || (mkdir(lun, 0755) < 0 && errno != EEXIST))
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", lun);
	snprintf(nexus, sizeof nexus, "naa.5001405%09llx", (unsigned long long)(name_hash(t->name) ^ 1));
	int rc = put_file(tpg, "nexus", nexus, err);
	if (rc < 0)
		return rc;
	snprintf(link, sizeof link, "%s/%s", lun, t->name);
	if (symlink(t->backstore, link) < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "linking %s", link);
	snprintf(link, sizeof link, "%s/address", tpg);
	if (get_line(link, addr, sizeof addr) < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "%s", link);
	if (!join(t->addr, sizeof t->addr - 2, "", addr))
		return dfs_fail(err, DISCFS_EIO, "%s: address too long", link);
	strcat(t->addr, ":0");
	return wait_nodes(t, timeout_ms, err);
}

void lio_lun_remove(struct lio_target *t)
{
	char tpg[200], lun[220], link[300];
	snprintf(tpg, sizeof tpg, "%s/tpgt_1", t->wwn);
	snprintf(lun, sizeof lun, "%s/lun/lun_0", tpg);
	snprintf(link, sizeof link, "%s/%s", lun, t->name);
	unlink(link);
	rmdir(lun);
	put_file(tpg, "nexus", "NULL", NULL);
	rmdir(tpg);
	rmdir(t->wwn);
	t->sr[0] = t->sg[0] = t->addr[0] = 0;
}

void lio_backstore_remove(struct lio_target *t)
{
	rmdir(t->backstore);
	rmdir(HBA); /* fails while other drives use it: fine */
	t->uio[0] = 0;
}

int lio_poke_media_check(const struct lio_target *t)
{
	char dir[96], path[160], val[32];
	const char *blk = strrchr(t->sr, '/');
	if (!blk)
		return -1;
	snprintf(dir, sizeof dir, "/sys/block/%s", blk + 1);
	snprintf(path, sizeof path, "%s/events_poll_msecs", dir);
	if (get_line(path, val, sizeof val) < 0)
		return -1;
	/* writing the interval (even unchanged) makes the block layer check
	 * for events at once */
	return put_file(dir, "events_poll_msecs", val, NULL);
}
