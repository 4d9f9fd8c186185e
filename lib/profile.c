/* lib/profile.c - names of MMC profiles (discfs_profile_name). */
#include "discfs.h"

const char *discfs_profile_name(uint16_t profile)
{
	switch (profile) {
	case 0x0000: return "none";
	case 0x0001: return "non-removable disk";
	case 0x0002: return "removable disk";
	case 0x0008: return "CD-ROM";
	case 0x0009: return "CD-R";
	case 0x000A: return "CD-RW";
	case 0x0010: return "DVD-ROM";
	case 0x0011: return "DVD-R sequential";
	case 0x0012: return "DVD-RAM";
	case 0x0013: return "DVD-RW restricted overwrite";
	case 0x0014: return "DVD-RW sequential";
	case 0x0015: return "DVD-R DL sequential";
	case 0x0016: return "DVD-R DL layer jump";
	case 0x0017: return "DVD-RW DL";
	case 0x001A: return "DVD+RW";
	case 0x001B: return "DVD+R";
	case 0x002A: return "DVD+RW DL";
	case 0x002B: return "DVD+R DL";
	case 0x0040: return "BD-ROM";
	case 0x0041: return "BD-R SRM";
	case 0x0042: return "BD-R RRM";
	case 0x0043: return "BD-RE";
	case 0x0050: return "HD DVD-ROM";
	case 0x0051: return "HD DVD-R";
	case 0x0052: return "HD DVD-RAM";
	case 0xFFFF: return "non-standard";
	default: return "unknown";
	}
}
