/*
 * mmc/emu/quirks.c - names of the quirk switches (enum emu_quirk) and their
 * comma-separated list form, shared by the options, the state file's
 * "quirks" line and `discctl emu quirk`.
 */
#include <stdio.h>
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/err.h"

static const struct {
	const char *name;
	unsigned bit;
} quirk_names[] = {
	{ "cd-nwa-150", EMU_Q_CD_NWA_150 },
	{ "bdr-formatted-appendable", EMU_Q_BDR_FORMATTED_APPENDABLE },
	{ "adip-refused", EMU_Q_ADIP_REFUSED },
	{ "toc0-dvd-variant", EMU_Q_TOC0_DVD_VARIANT },
	{ "close-track-sim-error", EMU_Q_CLOSE_TRACK_SIM_ERROR },
};
#define N_QUIRKS (sizeof(quirk_names) / sizeof(quirk_names[0]))

static const char *const name_list[] = {
	"cd-nwa-150", "bdr-formatted-appendable", "adip-refused",
	"toc0-dvd-variant", "close-track-sim-error", NULL,
};
_Static_assert(sizeof(name_list) / sizeof(name_list[0]) == N_QUIRKS + 1,
	       "every quirk is named once in each table");

const char *const *emu_quirk_names(void)
{
	return name_list;
}

static int one(const char *s, size_t len, unsigned *q, discfs_error *err)
{
	for (size_t i = 0; i < N_QUIRKS; i++)
		if (strlen(quirk_names[i].name) == len &&
		    !strncmp(quirk_names[i].name, s, len)) {
			*q |= quirk_names[i].bit;
			return 0;
		}
	return dfs_fail(err, DISCFS_EINVAL, "unknown quirk '%.*s' (known: "
			"none, cd-nwa-150, bdr-formatted-appendable, "
			"adip-refused, toc0-dvd-variant, close-track-sim-error)",
			(int)(len > 40 ? 40 : len), s);
}

int emu_quirks_parse(const char *list, unsigned *out, discfs_error *err)
{
	unsigned q = 0;
	if (!list || !*list)
		return dfs_fail(err, DISCFS_EINVAL, "empty quirk list");
	if (!strcmp(list, "none")) {
		*out = 0;
		return 0;
	}
	for (const char *s = list;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		int rc = one(s, len, &q, err);
		if (rc)
			return rc;
		if (!comma)
			break;
		s = comma + 1;
	}
	*out = q;
	return 0;
}

int emu_quirks_format(unsigned q, char *buf, size_t n, discfs_error *err)
{
	size_t len = 0;
	if (!n)
		return dfs_fail(err, DISCFS_EINVAL, "no room for quirk names");
	buf[0] = 0;
	if (q & ~EMU_Q_ALL)
		return dfs_fail(err, DISCFS_EINVAL, "unknown quirk bits 0x%x",
				q & ~EMU_Q_ALL);
	for (size_t i = 0; i < N_QUIRKS; i++) {
		if (!(q & quirk_names[i].bit))
			continue;
		int w = snprintf(buf + len, n - len, "%s%s", len ? "," : "",
				 quirk_names[i].name);
		if (w < 0 || (size_t)w >= n - len)
			return dfs_fail(err, DISCFS_EINVAL,
					"no room for quirk names");
		len += (size_t)w;
	}
	if (!len)
		snprintf(buf, n, "none");
	return 0;
}
