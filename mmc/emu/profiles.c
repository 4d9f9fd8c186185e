/*
 * mmc/emu/profiles.c - the media the emulated drive knows: profile, family,
 * recording model, real capacity (mmc-notes 2.9), ECC unit, write speeds.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"

static const struct emu_media media_table[] = {
	{ "cd-r", MMC_PROF_CD_R, EMU_CD, EMU_M_SEQ, 359849, 1, 0, 99,
	  { 48, 40, 32, 24, 16, 8, 4, 0 } },
	{ "cd-rw", MMC_PROF_CD_RW, EMU_CD,
	  EMU_M_SEQ | EMU_M_BLANKABLE | EMU_M_ERASABLE, 359849, 1, 0, 99,
	  { 24, 16, 10, 4, 0 } },
	{ "dvd-r", MMC_PROF_DVD_R_SEQ, EMU_DVD, EMU_M_SEQ, 2298496, 16, 0x2,
	  99, { 16, 8, 4, 0 } },
	{ "dvd-r-dl", MMC_PROF_DVD_R_DL_SEQ, EMU_DVD, EMU_M_SEQ | EMU_M_DL,
	  4171712, 16, 0x2, 1, { 8, 4, 2, 0 } },
	{ "dvd-rw", MMC_PROF_DVD_RW_SEQ, EMU_DVD,
	  EMU_M_SEQ | EMU_M_BLANKABLE | EMU_M_ERASABLE, 2297888, 16, 0x3, 99,
	  { 6, 4, 2, 0 } },
	{ "dvd+r", MMC_PROF_DVD_PLUS_R, EMU_DVD, EMU_M_SEQ, 2295104, 16, 0xA,
	  153, { 16, 8, 4, 0 } },
	{ "dvd+r-dl", MMC_PROF_DVD_PLUS_R_DL, EMU_DVD, EMU_M_SEQ | EMU_M_DL,
	  4173824, 16, 0xE, 153, { 8, 4, 2, 0 } },
	{ "dvd+rw", MMC_PROF_DVD_PLUS_RW, EMU_DVD,
	  EMU_M_RANDOM | EMU_M_ERASABLE, 2295104, 16, 0x9, 1,
	  { 8, 4, 2, 0 } },
	{ "dvd-ram", MMC_PROF_DVD_RAM, EMU_DVD,
	  EMU_M_RANDOM | EMU_M_ERASABLE | EMU_M_PREFORMATTED, 2236704, 16,
	  0x1, 1, { 5, 3, 2, 0 } },
	{ "bd-r", MMC_PROF_BD_R_SRM, EMU_BD, EMU_M_SEQ, 12219392, 32, 0,
	  7927, { 16, 12, 8, 6, 4, 2, 0 } },
	{ "bd-re", MMC_PROF_BD_RE, EMU_BD, EMU_M_RANDOM | EMU_M_ERASABLE,
	  12219392, 32, 0, 1, { 2, 1, 0 } },
	{ "cd-rom", MMC_PROF_CD_ROM, EMU_CD, EMU_M_ROM, 0, 1, 0, 1, { 0 } },
	{ "dvd-rom", MMC_PROF_DVD_ROM, EMU_DVD, EMU_M_ROM, 0, 16, 0x0, 1,
	  { 0 } },
	{ "bd-rom", MMC_PROF_BD_ROM, EMU_BD, EMU_M_ROM, 0, 32, 0, 1, { 0 } },
};

#define N_MEDIA (sizeof(media_table) / sizeof(media_table[0]))

static const char *const media_names[N_MEDIA + 1] = {
	"cd-r", "cd-rw", "dvd-r", "dvd-r-dl", "dvd-rw", "dvd+r", "dvd+r-dl",
	"dvd+rw", "dvd-ram", "bd-r", "bd-re", "cd-rom", "dvd-rom", "bd-rom",
	NULL,
};

const char *const *emu_media_names(void)
{
	return media_names;
}

const struct emu_media *emu_media_find(const char *name)
{
	for (unsigned i = 0; name && i < N_MEDIA; i++)
		if (!strcmp(media_table[i].name, name))
			return &media_table[i];
	return NULL;
}

const struct emu_media *emu_media_by_index(unsigned i)
{
	return i < N_MEDIA ? &media_table[i] : NULL;
}

unsigned emu_media_count(void)
{
	return N_MEDIA;
}

uint64_t emu_family_rate(enum emu_family f)
{
	switch (f) {
	case EMU_CD: return 153600;
	case EMU_DVD: return 1385000;
	default: return 4500000;
	}
}

uint32_t emu_family_kbps(enum emu_family f, unsigned x)
{
	switch (f) {
	case EMU_CD: return (uint32_t)((x * 1764u + 5) / 10);
	case EMU_DVD: return x * 1385u;
	default: return x * 4495u;
	}
}
