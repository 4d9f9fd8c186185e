/* fused/loop.c - see loop.h */
#include "fused/loop.h"

#include <errno.h>
#include <linux/fuse.h>
#include <stdlib.h>

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

int dfs_session_loop(struct fuse_session *se, bool follow_cpu)
{
	struct fuse_buf buf = { .mem = NULL };
	struct dfs_cpu_follow follow;
	int rc = 0;

	dfs_cpu_follow_init(&follow, follow_cpu);
	while (!fuse_session_exited(se)) {
		rc = fuse_session_receive_buf(se, &buf);
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
