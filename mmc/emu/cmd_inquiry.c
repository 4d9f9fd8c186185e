/*
 * mmc/emu/cmd_inquiry.c - INQUIRY (standard data and VPD 00h/80h).
 * Peripheral type 05h (CD/DVD), removable; burners refuse anything else.
 */
#include <string.h>

#include "mmc/emu/emu_int.h"
#include "util/bytes.h"

#define EMU_VENDOR "DISCFS  "
#define EMU_PRODUCT "EMU-BURNER      "
#define EMU_REVISION "0.1 "
#define EMU_SERIAL "EMU00000001"

static void vpd(struct mmc_cmd *cmd, uint8_t page, uint32_t alloc)
{
	uint8_t b[32] = { 0x05, page };
	if (page == 0x00) {
		b[3] = 2;
		b[4] = 0x00;
		b[5] = 0x80;
		emu_reply(cmd, b, 6, alloc);
	} else if (page == 0x80) {
		b[3] = (uint8_t)strlen(EMU_SERIAL);
		memcpy(b + 4, EMU_SERIAL, strlen(EMU_SERIAL));
		emu_reply(cmd, b, 4 + b[3], alloc);
	} else {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	}
}

void emu_cmd_inquiry(struct emu_drive *d, struct mmc_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint32_t alloc = get_be16(c + 3);
	if (c[1] & 0x01)
		return vpd(cmd, c[2], alloc);
	if (c[2]) {
		emu_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
		return;
	}
	uint8_t b[36] = { 0 };
	b[0] = 0x05;  /* CD/DVD device */
	b[1] = 0x80;  /* removable */
	b[2] = 0x05;  /* SPC-3 */
	b[3] = 0x02;  /* response data format */
	b[4] = sizeof(b) - 5;
	memcpy(b + 8, EMU_VENDOR, 8);
	memcpy(b + 16, EMU_PRODUCT, 16);
	memcpy(b + 32, EMU_REVISION, 4);
	emu_reply(cmd, b, sizeof(b), alloc);
}
