/* tests/unit/support/scratch.c - see scratch.h. */
#include "tests/unit/support/scratch.h"

#include <stdio.h>
#include <stdlib.h>

int scratch_make(char *dir, size_t n, const char *name)
{
	int len = snprintf(dir, n, "/tmp/%s.XXXXXX", name);
	if (len < 0 || (size_t)len >= n)
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

int scratch_remove(const char *dir)
{
	char cmd[4200];
	int len = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (len < 0 || (size_t)len >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}
