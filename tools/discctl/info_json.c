/* tools/discctl/info_json.c - `discctl info --json` (see info_print.h).
 * One object: {"device", "drive": {...}, "medium": {...}}; numbers are
 * JSON numbers, absent values null. */
#include <stdio.h>

#include "tools/common/cli.h"
#include "tools/discctl/info_print.h"

static const char *jb(bool b)
{
	return b ? "true" : "false";
}

static void json_drive(const discfs_drive_info *d)
{
	printf("{\"vendor\":");
	cli_json_str(d->vendor);
	printf(",\"model\":");
	cli_json_str(d->model);
	printf(",\"revision\":");
	cli_json_str(d->revision);
	printf(",\"profiles\":[");
	for (size_t i = 0; i < d->n_profiles; i++) {
		printf("%s{\"code\":%u,\"name\":", i ? "," : "", d->profiles[i]);
		cli_json_str(discfs_profile_name(d->profiles[i]));
		printf("}");
	}
	printf("],\"features\":[");
	for (size_t i = 0; i < d->n_features; i++)
		printf("%s{\"code\":%u,\"current\":%s}", i ? "," : "",
		       d->features[i], jb(d->feature_current[i]));
	printf("],\"write_speeds_kbps\":[");
	for (size_t i = 0; i < d->n_write_speeds; i++)
		printf("%s%u", i ? "," : "", d->write_speeds[i]);
	printf("],\"buffer_bytes\":%u,\"can_eject\":%s,\"can_lock\":%s,"
	       "\"locked\":%s}",
	       d->buffer_bytes, jb(d->can_eject), jb(d->can_lock),
	       jb(d->locked));
}

static void json_opt(const char *key, bool valid, uint32_t v)
{
	if (valid)
		printf(",\"%s\":%u", key, v);
	else
		printf(",\"%s\":null", key);
}

static void json_track(const discfs_track_info *t)
{
	printf("{\"number\":%u,\"session\":%u,\"start\":%u,\"size\":%u",
	       t->number, t->session, t->start, t->size);
	json_opt("nwa", t->nwa_valid, t->nwa);
	printf(",\"free_blocks\":%u", t->free_blocks);
	json_opt("last_recorded", t->lra_valid, t->last_recorded);
	printf(",\"packet_size\":%u,\"track_mode\":%u,\"data_mode\":%u,"
	       "\"blank\":%s,\"reserved\":%s,\"packet\":%s,"
	       "\"fixed_packet\":%s,\"damaged\":%s}",
	       t->packet_size, t->track_mode, t->data_mode, jb(t->blank),
	       jb(t->reserved), jb(t->packet), jb(t->fixed_packet),
	       jb(t->damaged));
}

static void json_media(const discfs_media_info *m)
{
	printf("{\"present\":%s", jb(m->present));
	if (!m->present) {
		printf("}");
		return;
	}
	printf(",\"profile\":%u,\"profile_name\":", m->profile);
	cli_json_str(discfs_profile_name(m->profile));
	printf(",\"disc_status\":\"%s\",\"last_session\":\"%s\","
	       "\"erasable\":%s,\"formatted\":%s,\"bg_format\":\"%s\","
	       "\"write_protected\":%s,\"sessions\":%u,\"first_track\":%u,"
	       "\"last_track\":%u,\"capacity_blocks\":%llu,"
	       "\"used_blocks\":%llu,\"free_blocks\":%llu,\"last_lba\":%u",
	       info_disc_status_name(m->disc_status),
	       info_session_state_name(m->last_session_state),
	       jb(m->erasable), jb(m->formatted),
	       info_bg_format_name(m->bg_format_status),
	       jb(m->write_protected), m->sessions, m->first_track,
	       m->last_track, (unsigned long long)m->capacity_blocks,
	       (unsigned long long)m->used_blocks,
	       (unsigned long long)m->free_blocks, m->last_lba);
	json_opt("next_writable", m->next_writable_valid, m->next_writable);
	printf(",\"tracks\":[");
	for (size_t i = 0; i < m->n_tracks; i++) {
		printf("%s", i ? "," : "");
		json_track(&m->tracks[i]);
	}
	printf("]}");
}

void info_print_json(const char *dev, const discfs_drive_info *d,
		     const discfs_media_info *m)
{
	printf("{\"device\":");
	cli_json_str(dev);
	printf(",\"drive\":");
	json_drive(d);
	printf(",\"medium\":");
	if (m)
		json_media(m);
	else
		printf("null");
	printf("}\n");
}
