/* fused/loop.c - see loop.h */
#include "fused/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "fused/cpu_follow.h"

/* Requests that run on all CPUs: those that may run a commit (the
 * control xattr on the root, fsync of the root, the end of the session),
 * and big writes, where copying the data costs more than the wake-ups
 * and the copier and the daemon gain from a CPU each. */
#define BULK_WRITE (128u << 10)

static bool unpinned(const struct fuse_in_header *h)
{
	return (h->opcode == FUSE_SETXATTR && h->nodeid == FUSE_ROOT_ID) ||
	       h->opcode == FUSE_FSYNCDIR || h->opcode == FUSE_DESTROY ||
	       (h->opcode == FUSE_WRITE && h->len > BULK_WRITE);
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The next request: looked for without sleeping for spin_ns (the fd is
 * then non-blocking), then waited for in poll(). */
static int receive(struct fuse_session *se, struct fuse_buf *buf,
		   uint64_t spin_ns)
{
	uint64_t until = spin_ns ? now_ns() + spin_ns : 0;
	for (;;) {
		int rc = fuse_session_receive_buf(se, buf);
		if (rc != -EAGAIN || !spin_ns)
			return rc;
		if (now_ns() < until)
			continue;
		struct pollfd p = { .fd = fuse_session_fd(se), .events = POLLIN };
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

int dfs_session_loop(struct fuse_session *se, bool follow_cpu,
		     unsigned spin_us)
{
	struct fuse_buf buf = { .mem = NULL };
	struct dfs_cpu_follow follow;
	uint64_t spin_ns = (uint64_t)spin_us * 1000u;
	int fd = fuse_session_fd(se), fl = fcntl(fd, F_GETFL);
	int rc = 0;

	/* spinning reads must not block: poll() does the sleeping */
	if (spin_ns && (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
		spin_ns = 0;
	dfs_cpu_follow_init(&follow, follow_cpu);
	while (!fuse_session_exited(se)) {
		rc = receive(se, &buf, spin_ns);
		if (rc == -EINTR)
			continue;
		if (rc <= 0)
			break;
		/* Without splice the whole request, header first, is in mem. */
		if (!(buf.flags & FUSE_BUF_IS_FD) &&
		    (size_t)rc >= sizeof(struct fuse_in_header)) {
			const struct fuse_in_header *h = buf.mem;
			dfs_cpu_follow_request(&follow, h->pid, unpinned(h));
		}
		fuse_session_process_buf(se, &buf);
	}
	dfs_cpu_follow_release(&follow);
	free(buf.mem);
	fuse_session_reset(se);
	return rc > 0 ? 0 : rc;
}
