/*
 * udf/iso_boot.c - El Torito (1.0) boot record and boot catalog with
 * no-emulation entries: a BIOS (x86) default entry and a UEFI section.
 */
#include <string.h>

#include "udf/iso9660.h"
#include "util/bytes.h"

#define ET_PLATFORM_X86 0x00
#define ET_PLATFORM_EFI 0xEF
#define ET_BOOTABLE 0x88
#define ET_SECTION_LAST 0x91

void iso_boot_record(uint8_t *blk, uint32_t catalog_sector)
{
	memset(blk, 0, 2048);
	blk[0] = 0;
	memcpy(blk + 1, "CD001", 5);
	blk[6] = 1;
	memcpy(blk + 7, "EL TORITO SPECIFICATION", 23);
	put_le32(blk + 0x47, catalog_sector);
}

/* Validation entry: its 16-bit words must sum to zero. */
static void validation_entry(uint8_t *e, uint8_t platform)
{
	e[0] = 1;
	e[1] = platform;
	memcpy(e + 4, "DISCFS", 6);
	e[30] = 0x55;
	e[31] = 0xAA;
	uint16_t sum = 0;
	for (int i = 0; i < 32; i += 2)
		sum = (uint16_t)(sum + get_le16(e + i));
	put_le16(e + 28, (uint16_t)(0x10000u - sum));
}

/* Initial/section entry: no emulation, load count in 512-byte sectors. */
static void boot_entry(uint8_t *e, uint32_t sector, uint64_t size)
{
	uint64_t count = (size + 511) / 512;
	e[0] = ET_BOOTABLE;
	e[1] = 0; /* no emulation */
	put_le16(e + 6, (uint16_t)(count > 0xFFFF ? 0xFFFF : count ? count : 1));
	put_le32(e + 8, sector);
}

void iso_boot_catalog(uint8_t *blk, uint32_t bios_sector, uint64_t bios_size,
		      uint32_t efi_sector, uint64_t efi_size)
{
	memset(blk, 0, 2048);
	bool bios = bios_sector != 0;
	validation_entry(blk, bios ? ET_PLATFORM_X86 : ET_PLATFORM_EFI);
	if (bios)
		boot_entry(blk + 32, bios_sector, bios_size);
	else
		boot_entry(blk + 32, efi_sector, efi_size);
	if (bios && efi_sector) {
		uint8_t *h = blk + 64;
		h[0] = ET_SECTION_LAST;
		h[1] = ET_PLATFORM_EFI;
		put_le16(h + 2, 1);
		boot_entry(blk + 96, efi_sector, efi_size);
	}
}
