/* mmc/op_name.c - names of MMC opcodes for messages (see exec.h). */
#include "mmc/exec.h"
#include "mmc/mmc_defs.h"

const char *mmc_op_name(uint8_t op)
{
	switch (op) {
	case MMC_TEST_UNIT_READY: return "TEST UNIT READY";
	case MMC_REQUEST_SENSE: return "REQUEST SENSE";
	case MMC_FORMAT_UNIT: return "FORMAT UNIT";
	case MMC_INQUIRY: return "INQUIRY";
	case MMC_START_STOP_UNIT: return "START STOP UNIT";
	case MMC_PREVENT_ALLOW: return "PREVENT ALLOW MEDIUM REMOVAL";
	case MMC_READ_FORMAT_CAPACITIES: return "READ FORMAT CAPACITIES";
	case MMC_READ_CAPACITY: return "READ CAPACITY";
	case MMC_READ10: return "READ(10)";
	case MMC_WRITE10: return "WRITE(10)";
	case MMC_WRITE_VERIFY10: return "WRITE AND VERIFY(10)";
	case MMC_VERIFY10: return "VERIFY(10)";
	case MMC_SYNCHRONIZE_CACHE: return "SYNCHRONIZE CACHE";
	case MMC_READ_TOC: return "READ TOC/PMA/ATIP";
	case MMC_GET_CONFIGURATION: return "GET CONFIGURATION";
	case MMC_GET_EVENT_STATUS: return "GET EVENT STATUS NOTIFICATION";
	case MMC_READ_DISC_INFO: return "READ DISC INFORMATION";
	case MMC_READ_TRACK_INFO: return "READ TRACK INFORMATION";
	case MMC_RESERVE_TRACK: return "RESERVE TRACK";
	case MMC_SEND_OPC: return "SEND OPC INFORMATION";
	case MMC_MODE_SELECT10: return "MODE SELECT(10)";
	case MMC_MODE_SENSE10: return "MODE SENSE(10)";
	case MMC_CLOSE_TRACK_SESSION: return "CLOSE TRACK/SESSION";
	case MMC_READ_BUFFER_CAPACITY: return "READ BUFFER CAPACITY";
	case MMC_SEND_CUE_SHEET: return "SEND CUE SHEET";
	case MMC_BLANK: return "BLANK";
	case MMC_READ12: return "READ(12)";
	case MMC_WRITE12: return "WRITE(12)";
	case MMC_GET_PERFORMANCE: return "GET PERFORMANCE";
	case MMC_READ_DISC_STRUCTURE: return "READ DISC STRUCTURE";
	case MMC_SET_STREAMING: return "SET STREAMING";
	case MMC_SET_CD_SPEED: return "SET CD SPEED";
	case MMC_MECHANISM_STATUS: return "MECHANISM STATUS";
	case MMC_READ_CD: return "READ CD";
	case MMC_SEND_DISC_STRUCTURE: return "SEND DISC STRUCTURE";
	default: return "SCSI command";
	}
}
