/* mmc/parse_util.c - see parse_util.h. */
#include "mmc/parse_util.h"

#include "util/err.h"

int parse_need(const char *what, size_t len, size_t need, discfs_error *err)
{
	if (len >= need)
		return 0;
	return dfs_fail(err, DISCFS_EPROTO, "%s: %zu bytes, need at least %zu",
			what, len, need);
}

int parse_stated(const char *what, size_t len, size_t stated,
		 size_t min_total, discfs_error *err)
{
	if (stated > len)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: truncated (states %zu bytes, got %zu)",
				what, stated, len);
	if (stated < min_total)
		return dfs_fail(err, DISCFS_EPROTO,
				"%s: states %zu bytes, less than its %zu fixed ones",
				what, stated, min_total);
	return 0;
}

void parse_ascii(char *out, const uint8_t *in, size_t n)
{
	size_t end = n;

	while (end > 0 && (in[end - 1] == ' ' || in[end - 1] == 0))
		end--;
	for (size_t i = 0; i < end; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7F ? (char)in[i] : '?';
	out[end] = '\0';
}
