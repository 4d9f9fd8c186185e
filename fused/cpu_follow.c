/* fused/cpu_follow.c - see cpu_follow.h */
#include "fused/cpu_follow.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void dfs_cpu_follow_init(struct dfs_cpu_follow *f, bool enabled)
{
	memset(f, 0, sizeof(*f));
	f->enabled = enabled &&
		     sched_getaffinity(0, sizeof(f->all), &f->all) == 0 &&
		     CPU_COUNT(&f->all) > 1;
}

void dfs_cpu_follow_release(struct dfs_cpu_follow *f)
{
	if (f->enabled && f->pinned &&
	    sched_setaffinity(0, sizeof(f->all), &f->all) == 0)
		f->pinned = false;
}

/*
 * /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and
 * parentheses, so fields are counted from the last ')'. "processor" is
 * field 39, the 37th after the comm.
 */
int dfs_cpu_of_pid(uint32_t pid)
{
	char path[32], buf[1024];
	const char *p;
	ssize_t n;
	int fd, field = 2;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (; *p && field < 39; p++)
		if (*p == ' ')
			field++;
	if (field != 39 || *p < '0' || *p > '9')
		return -1;
	return atoi(p);
}

static void move_to(struct dfs_cpu_follow *f, int cpu)
{
	cpu_set_t one;

	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &f->all))
		return;
	if (f->pinned && sched_getcpu() == cpu)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) == 0)
		f->pinned = true;
}

void dfs_cpu_follow_request(struct dfs_cpu_follow *f, uint32_t pid,
			    bool unpin)
{
	if (!f->enabled)
		return;
	if (unpin) {
		dfs_cpu_follow_release(f);
		return;
	}
	if (pid == 0 || ++f->count < DFS_FOLLOW_EVERY)
		return;
	f->count = 0;
	if (pid != f->last_pid) { /* a new or a second client: no guess */
		f->last_pid = pid;
		dfs_cpu_follow_release(f);
		return;
	}
	move_to(f, dfs_cpu_of_pid(pid));
}
