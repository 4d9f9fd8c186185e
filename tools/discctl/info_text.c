/* tools/discctl/info_text.c - `discctl info` as text (see info_print.h). */
#include <stdio.h>
#include <string.h>

#include "tools/discctl/info_print.h"

const char *info_disc_status_name(int s)
{
	static const char *const n[] = { "blank", "appendable", "complete",
					 "random-access" };
	return s >= 0 && s < 4 ? n[s] : "unknown";
}

const char *info_session_state_name(int s)
{
	static const char *const n[] = { "empty", "incomplete", "damaged",
					 "complete" };
	return s >= 0 && s < 4 ? n[s] : "unknown";
}

const char *info_bg_format_name(int s)
{
	static const char *const n[] = { "none", "suspended", "running",
					 "complete" };
	return s >= 0 && s < 4 ? n[s] : "unknown";
}

/* MMC feature names (mmc-notes §1.4); codes without one print in hex. */
static const char *feature_name(uint16_t code)
{
	switch (code) {
	case 0x0000: return "Profile List";
	case 0x0001: return "Core";
	case 0x0002: return "Morphing";
	case 0x0003: return "Removable Medium";
	case 0x0004: return "Write Protect";
	case 0x0010: return "Random Readable";
	case 0x001D: return "Multi-Read";
	case 0x001E: return "CD Read";
	case 0x001F: return "DVD Read";
	case 0x0020: return "Random Writable";
	case 0x0021: return "Incremental Streaming Writable";
	case 0x0023: return "Formattable";
	case 0x0024: return "Hardware Defect Management";
	case 0x0025: return "Write Once";
	case 0x0026: return "Restricted Overwrite";
	case 0x0027: return "CD-RW CAV Write";
	case 0x0028: return "MRW";
	case 0x002A: return "DVD+RW";
	case 0x002B: return "DVD+R";
	case 0x002C: return "Rigid Restricted Overwrite";
	case 0x002D: return "CD Track at Once";
	case 0x002E: return "CD Mastering";
	case 0x002F: return "DVD-R/-RW Write";
	case 0x0037: return "CD-RW Media Write Support";
	case 0x0038: return "BD-R Pseudo-Overwrite";
	case 0x003A: return "DVD+RW Dual Layer";
	case 0x003B: return "DVD+R Dual Layer";
	case 0x0040: return "BD Read";
	case 0x0041: return "BD Write";
	case 0x0100: return "Power Management";
	case 0x0105: return "Timeout";
	case 0x0107: return "Real-Time Streaming";
	case 0x0108: return "Drive Serial Number";
	case 0x010C: return "Firmware Information";
	default: return NULL;
	}
}

/* Prints items after a label, wrapping lines at 78 columns. */
struct wrap {
	int col;
};

static void wrap_item(struct wrap *w, const char *item)
{
	int len = (int)strlen(item);

	if (w->col > 17 && w->col + 2 + len > 78) {
		printf(",\n%17s", "");
		w->col = 17;
	} else if (w->col > 17) {
		printf(", ");
		w->col += 2;
	}
	printf("%s", item);
	w->col += len;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static bool profile_current(const discfs_drive_info *d, uint16_t p,
			    const discfs_media_info *m)
{
	return m && m->present && m->profile == p;
}

static void print_drive(const char *dev, const discfs_drive_info *d,
			const discfs_media_info *m)
{
	printf("Drive %s\n", dev);
	printf("  vendor:        %s\n", d->vendor);
	printf("  model:         %s\n", d->model);
	printf("  revision:      %s\n", d->revision);
	struct wrap w = { 17 };
	char item[64];

	printf("  profiles:      ");
	for (size_t i = 0; i < d->n_profiles; i++) {
		snprintf(item, sizeof(item), "%s%s",
			 discfs_profile_name(d->profiles[i]),
			 profile_current(d, d->profiles[i], m) ? "*" : "");
		wrap_item(&w, item);
	}
	printf("\n  features:      ");
	w.col = 17;
	for (size_t i = 0; i < d->n_features; i++) {
		const char *name = feature_name(d->features[i]);
		if (name)
			snprintf(item, sizeof(item), "%s%s", name,
				 d->feature_current[i] ? "*" : "");
		else
			snprintf(item, sizeof(item), "%04Xh%s", d->features[i],
				 d->feature_current[i] ? "*" : "");
		wrap_item(&w, item);
	}
	printf("\n  (* = current)\n  write speeds: ");
	if (!d->n_write_speeds)
		printf(" (none reported)");
	for (size_t i = 0; i < d->n_write_speeds; i++)
		printf(" %u", d->write_speeds[i]);
	printf("%s\n", d->n_write_speeds ? " kB/s" : "");
	printf("  buffer:        %u KiB\n", d->buffer_bytes / 1024);
	printf("  tray:          eject %s, lock %s, locked %s\n",
	       yes_no(d->can_eject), yes_no(d->can_lock), yes_no(d->locked));
}

static void print_tracks(const discfs_media_info *m)
{
	printf("  %5s %7s %10s %10s %10s %10s  %s\n", "track", "session",
	       "start", "size", "NWA", "free", "state");
	for (size_t i = 0; i < m->n_tracks; i++) {
		const discfs_track_info *t = &m->tracks[i];
		char nwa[16] = "-";
		if (t->nwa_valid)
			snprintf(nwa, sizeof(nwa), "%u", t->nwa);
		printf("  %5u %7u %10u %10u %10s %10u  %s%s%s%s\n", t->number,
		       t->session, t->start, t->size, nwa, t->free_blocks,
		       t->blank ? "blank" : t->nwa_valid ? "open" : "closed",
		       t->reserved ? ", reserved" : "",
		       t->fixed_packet ? ", fixed-packet" : "",
		       t->damaged ? ", damaged" : "");
	}
}

static void print_media(const discfs_media_info *m)
{
	printf("Medium\n");
	if (!m->present) {
		printf("  none\n");
		return;
	}
	printf("  profile:       %s (%04Xh)\n", discfs_profile_name(m->profile),
	       m->profile);
	printf("  disc status:   %s\n", info_disc_status_name(m->disc_status));
	printf("  last session:  %s\n",
	       info_session_state_name(m->last_session_state));
	printf("  erasable:      %s\n", yes_no(m->erasable));
	printf("  formatted:     %s\n", yes_no(m->formatted));
	printf("  bg format:     %s\n", info_bg_format_name(m->bg_format_status));
	printf("  protected:     %s\n", yes_no(m->write_protected));
	printf("  sessions:      %u\n", m->sessions);
	printf("  tracks:        %u-%u\n", m->first_track, m->last_track);
	if (m->next_writable_valid)
		printf("  next writable: %u\n", m->next_writable);
	else
		printf("  next writable: none\n");
	printf("  capacity:      %llu blocks (%.1f MB)\n",
	       (unsigned long long)m->capacity_blocks,
	       m->capacity_blocks * 2048.0 / 1e6);
	printf("  used:          %llu blocks\n",
	       (unsigned long long)m->used_blocks);
	printf("  free:          %llu blocks (%.1f MB)\n",
	       (unsigned long long)m->free_blocks,
	       m->free_blocks * 2048.0 / 1e6);
	print_tracks(m);
}

void info_print_text(const char *dev, const discfs_drive_info *d,
		     const discfs_media_info *m)
{
	print_drive(dev, d, m);
	if (m)
		print_media(m);
}
