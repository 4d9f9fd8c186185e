/*
 * mmc/emu/disc_state.c - IMAGE.state: its format, and reading it.
 *
 * Text, one record per line, "end" last (a truncated file is refused):
 *   discfs-emu-state 1
 *   media dvd+r            profile 0x001b        capacity 2295104
 *   formatted N            bg-format 0..3        pow 0|1
 *   finalized 0|1          minimal-blank 0|1     tray open|closed
 *   sessions-closed N      next-start LBA        time-scale X
 *   fault-write-error LBA  fault-unreadable FIRST LAST
 *   fault-power-loss-after N  fault-vanish-after N  fault-never-ready
 *   fault-media-change-after N
 *   quirks NAME[,NAME...]  (only when some quirk is on; see emu.h)
 *   track SESSION START SIZE WRITTEN FLAGS MODE
 *   end
 * This file reads and parses it; disc_state_write.c writes it atomically
 * (IMAGE.state.tmp, fsync, rename); disc_validate.c checks the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmc/emu/emu_int.h"
#include "util/err.h"

#define STATE_MAX_BYTES (4u << 20)
#define STATE_MAGIC "discfs-emu-state"

int emu_state_path(const char *image, char *buf, size_t n, discfs_error *err)
{
	int len = snprintf(buf, n, "%s.state", image);
	if (len < 0 || (size_t)len >= n)
		return dfs_fail(err, DISCFS_EINVAL, "image path too long");
	return 0;
}

int emu_disc_init(struct emu_disc *disc, const struct emu_media *m,
		  uint64_t capacity, discfs_error *err)
{
	memset(disc, 0, sizeof(*disc));
	disc->fd = -1;
	disc->media = m;
	disc->profile = m->profile;
	disc->capacity = capacity;
	disc->time_scale = 1.0;
	emu_faults_clear(&disc->faults);
	disc->tracks = calloc(EMU_MAX_TRACKS, sizeof(*disc->tracks));
	if (!disc->tracks)
		return dfs_fail(err, DISCFS_ENOMEM, "emulated disc: no memory");
	if (m->flags & EMU_M_PREFORMATTED)
		disc->formatted = capacity;
	if (m->flags & EMU_M_ROM) {
		disc->finalized = true;
		disc->sessions_closed = 1;
		disc->n_tracks = 1;
		disc->tracks[0] = (struct emu_track){
			.start = 0, .size = (uint32_t)capacity,
			.written = (uint32_t)capacity, .session = 1,
			.flags = EMU_TR_CLOSED, .mode = 4 };
	}
	return 0;
}

void emu_disc_free(struct emu_disc *disc)
{
	if (disc->fd >= 0)
		close(disc->fd);
	disc->fd = -1;
	free(disc->tracks);
	disc->tracks = NULL;
}

static int bad(discfs_error *err, const char *what)
{
	return dfs_fail(err, DISCFS_EFORMAT, "state file: %s", what);
}

/* ------------------------------------------------------------ parsing */

struct parser {
	struct emu_disc *d;
	unsigned seen;   /* bit per single-use key */
	bool have_media;
	bool ended;
	unsigned line;
};

static bool num(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || *s == '-' || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_track(struct parser *p, char **tok, int n, discfs_error *err)
{
	uint64_t v[6];
	static const uint64_t max[6] = { EMU_MAX_TRACKS, UINT32_MAX,
		UINT32_MAX, UINT32_MAX, 7, 15 };
	if (n != 7)
		return bad(err, "track needs 6 numbers");
	for (int i = 0; i < 6; i++)
		if (!num(tok[i + 1], max[i], &v[i]))
			return bad(err, "bad track number");
	if (p->d->n_tracks >= EMU_MAX_TRACKS)
		return bad(err, "too many tracks");
	p->d->tracks[p->d->n_tracks++] = (struct emu_track){
		.session = (uint32_t)v[0], .start = (uint32_t)v[1],
		.size = (uint32_t)v[2], .written = (uint32_t)v[3],
		.flags = (uint8_t)v[4], .mode = (uint8_t)v[5] };
	return 0;
}

static int parse_fault(struct parser *p, char **tok, int n, discfs_error *err)
{
	struct emu_faults *f = &p->d->faults;
	uint64_t a, b;
	if (!strcmp(tok[0], "fault-never-ready") && n == 1) {
		f->never_ready = true;
	} else if (!strcmp(tok[0], "fault-write-error") && n == 2 &&
		   num(tok[1], UINT32_MAX, &a)) {
		f->write_error = true;
		f->write_error_lba = (uint32_t)a;
	} else if (!strcmp(tok[0], "fault-unreadable") && n == 3 &&
		   num(tok[1], UINT32_MAX, &a) && num(tok[2], UINT32_MAX, &b)) {
		if (f->n_unreadable >= EMU_MAX_UNREADABLE)
			return bad(err, "too many unreadable ranges");
		f->unreadable_first[f->n_unreadable] = (uint32_t)a;
		f->unreadable_last[f->n_unreadable++] = (uint32_t)b;
	} else if (!strcmp(tok[0], "fault-power-loss-after") && n == 2 &&
		   num(tok[1], INT64_MAX, &a)) {
		f->power_loss_after = (int64_t)a;
	} else if (!strcmp(tok[0], "fault-vanish-after") && n == 2 &&
		   num(tok[1], INT64_MAX, &a)) {
		f->vanish_after = (int64_t)a;
	} else if (!strcmp(tok[0], "fault-media-change-after") && n == 2 &&
		   num(tok[1], INT64_MAX, &a)) {
		f->media_change_after = (int64_t)a;
	} else {
		return bad(err, "bad fault line");
	}
	return 0;
}

/* Single-use keys with one numeric value: name, bit, limit. */
static const struct {
	const char *key;
	uint64_t max;
} num_keys[] = {
	{ "profile", 0xFFFF }, { "capacity", UINT32_MAX },
	{ "formatted", UINT32_MAX }, { "bg-format", 3 }, { "pow", 1 },
	{ "finalized", 1 }, { "minimal-blank", 1 },
	{ "sessions-closed", EMU_MAX_TRACKS }, { "next-start", UINT32_MAX },
};

static void set_num(struct emu_disc *d, unsigned k, uint64_t v)
{
	switch (k) {
	case 0: d->profile = (uint16_t)v; break;
	case 1: d->capacity = v; break;
	case 2: d->formatted = v; break;
	case 3: d->bg_format = (uint8_t)v; break;
	case 4: d->pow = v; break;
	case 5: d->finalized = v; break;
	case 6: d->minimal_blanked = v; break;
	case 7: d->sessions_closed = (uint32_t)v; break;
	default: d->next_start = (uint32_t)v; break;
	}
}

static int once(struct parser *p, unsigned bit, discfs_error *err)
{
	if (p->seen & (1u << bit))
		return bad(err, "a key appears twice");
	p->seen |= 1u << bit;
	return 0;
}

static int parse_line(struct parser *p, char *line, discfs_error *err)
{
	char *tok[8];
	int n = 0;
	for (char *s = strtok(line, " \t"); s; s = strtok(NULL, " \t")) {
		if (n == 8)
			return bad(err, "too many words on a line");
		tok[n++] = s;
	}
	if (!n)
		return 0;
	if (p->ended)
		return bad(err, "text after end");
	if (p->line == 1)
		return (n == 2 && !strcmp(tok[0], STATE_MAGIC) &&
			!strcmp(tok[1], "1"))
			       ? 0 : bad(err, "not a discfs emulator state file");
	if (!strcmp(tok[0], "end") && n == 1) {
		p->ended = true;
		return 0;
	}
	if (!strcmp(tok[0], "media") && n == 2) {
		if (p->have_media)
			return bad(err, "a key appears twice");
		const struct emu_media *m = emu_media_find(tok[1]);
		if (!m)
			return bad(err, "unknown medium");
		struct emu_track *keep = p->d->tracks;
		p->d->media = m;
		p->d->tracks = keep;
		p->have_media = true;
		return 0;
	}
	if (!p->have_media)
		return bad(err, "media must come first");
	if (!strcmp(tok[0], "track"))
		return parse_track(p, tok, n, err);
	if (!strncmp(tok[0], "fault-", 6))
		return parse_fault(p, tok, n, err);
	if (!strcmp(tok[0], "tray") && n == 2) {
		int rc = once(p, 20, err);
		if (rc)
			return rc;
		if (strcmp(tok[1], "open") && strcmp(tok[1], "closed"))
			return bad(err, "tray must be open or closed");
		p->d->tray_open = !strcmp(tok[1], "open");
		return 0;
	}
	if (!strcmp(tok[0], "time-scale") && n == 2) {
		int rc = once(p, 21, err);
		char *end;
		if (rc)
			return rc;
		double v = strtod(tok[1], &end);
		if (*end || !(v >= 0 && v <= 1e6))
			return bad(err, "bad time-scale");
		p->d->time_scale = v;
		return 0;
	}
	if (!strcmp(tok[0], "quirks") && n == 2) {
		int rc = once(p, 22, err);
		if (rc)
			return rc;
		discfs_error why = { 0 };
		if (emu_quirks_parse(tok[1], &p->d->quirks, &why))
			return dfs_fail(err, DISCFS_EFORMAT, "state file: %s",
					why.msg);
		return 0;
	}
	for (unsigned k = 0; k < sizeof(num_keys) / sizeof(num_keys[0]); k++) {
		if (strcmp(tok[0], num_keys[k].key))
			continue;
		uint64_t v;
		int rc = once(p, k, err);
		if (rc)
			return rc;
		if (n != 2 || !num(tok[1], num_keys[k].max, &v))
			return bad(err, "bad number");
		set_num(p->d, k, v);
		return 0;
	}
	return bad(err, "unknown line");
}

static int read_all(const char *path, char **out, discfs_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dfs_fail_errno(err, errno == ENOENT ? DISCFS_ENOENT
							  : DISCFS_EIO,
				      errno, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > STATE_MAX_BYTES) {
		close(fd);
		return dfs_fail(err, DISCFS_EFORMAT,
				"%s: not a state file (type or size)", path);
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return dfs_fail(err, DISCFS_ENOMEM, "no memory");
	}
	ssize_t n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n < 0 || n != st.st_size) {
		free(buf);
		return dfs_fail(err, DISCFS_EIO, "read %s failed", path);
	}
	buf[n] = 0;
	if (memchr(buf, 0, (size_t)n)) {
		free(buf);
		return dfs_fail(err, DISCFS_EFORMAT, "%s: binary data", path);
	}
	*out = buf;
	return 0;
}

static int parse_all(char *buf, struct emu_disc *d, discfs_error *err)
{
	struct parser p = { .d = d };
	char *save = NULL;
	int rc = 0;
	for (char *line = buf; line && !rc; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = 0;
		p.line++;
		if (strlen(line) > 200)
			return bad(err, "line too long");
		rc = parse_line(&p, line, err);
	}
	if (!rc && !p.ended)
		rc = bad(err, "truncated (no end line)");
	if (!rc && !(p.seen & 2))
		rc = bad(err, "no capacity");
	if (!rc && !(p.seen & 1))
		d->profile = d->media->profile;
	return rc;
}

int emu_state_load(const char *image, struct emu_disc *d, discfs_error *err)
{
	char path[PATH_MAX + 8];
	char *buf = NULL;
	int rc = emu_state_path(image, path, sizeof(path), err);
	if (rc)
		return rc;
	if (strlen(image) >= sizeof(d->image))
		return dfs_fail(err, DISCFS_EINVAL, "image path too long");
	rc = read_all(path, &buf, err);
	if (rc)
		return rc;
	/* a placeholder medium until the "media" line names the real one */
	rc = emu_disc_init(d, emu_media_by_index(0), 0, err);
	if (!rc) {
		d->n_tracks = 0;
		rc = parse_all(buf, d, err);
	}
	free(buf);
	if (!rc)
		rc = emu_disc_validate(d, err);
	if (!rc) {
		strcpy(d->image, image);
		rc = emu_image_open(d, err);
	}
	if (rc) {
		emu_disc_free(d);
		return dfs_wrap(err, rc, "%s", path);
	}
	return 0;
}
