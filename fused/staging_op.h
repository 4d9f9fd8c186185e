/*
 * fused/staging_op.h - one staged change ("op") and its byte encoding.
 *
 * Every change to the merged tree is an op.  The live path builds an op,
 * appends its encoding to the journal, then applies it to the in-memory
 * tree; replay decodes the same bytes and applies them through the same
 * code, so the recovered tree is exactly the one that was acknowledged.
 *
 * Encoding (little-endian, the body of one journal record):
 *   u8 type, u32 field mask, then each present field in bit order:
 *   numbers as u32/u64, NAME/NAME2 as u16 length + bytes, DATA as
 *   u32 length + bytes.  Each type has exactly one allowed field mask;
 *   anything else is malformed.  Decoded strings point into the record
 *   buffer and live as long as it does.
 */
#ifndef DFS_FUSED_STAGING_OP_H
#define DFS_FUSED_STAGING_OP_H

#include <stddef.h>
#include <stdint.h>

enum stg_op_type {
	STG_OP_BASE = 1,     /* first record: version, disc generation, birth */
	STG_OP_MKNOD,        /* new file, directory, fifo, device */
	STG_OP_SYMLINK,      /* new symbolic link */
	STG_OP_LINK,         /* new hard link to an existing inode */
	STG_OP_UNLINK,       /* remove a name (flags & STG_UNLINK_DIR: rmdir) */
	STG_OP_RENAME,       /* move a name, replacing the target if allowed */
	STG_OP_SETATTR,      /* mode/uid/gid/size/times (mask in valid) */
	STG_OP_WRITE,        /* file bytes now live in segment seg at segoff */
	STG_OP_SETXATTR,     /* set an extended attribute */
	STG_OP_RMXATTR,      /* remove an extended attribute */
	STG_OP_COMMIT,       /* a commit of everything above starts (no change) */
	STG_OP_TYPE_END
};

enum stg_field {
	STG_F_INO = 1u << 0, STG_F_PARENT = 1u << 1, STG_F_NAME = 1u << 2,
	STG_F_NEWPARENT = 1u << 3, STG_F_NAME2 = 1u << 4, STG_F_MODE = 1u << 5,
	STG_F_UID = 1u << 6, STG_F_GID = 1u << 7, STG_F_RDEV = 1u << 8,
	STG_F_SIZE = 1u << 9, STG_F_OFF = 1u << 10, STG_F_LEN = 1u << 11,
	STG_F_SEG = 1u << 12, STG_F_SEGOFF = 1u << 13, STG_F_ATIME = 1u << 14,
	STG_F_MTIME = 1u << 15, STG_F_TIME = 1u << 16, STG_F_DATA = 1u << 17,
	STG_F_FLAGS = 1u << 18, STG_F_VALID = 1u << 19,
};

#define STG_UNLINK_DIR 1u        /* UNLINK flags: rmdir semantics */
#define STG_RENAME_NOREPLACE 1u  /* RENAME flags, as renameat2 */
#define STG_XATTR_CREATE 1u      /* SETXATTR flags, as setxattr(2) */
#define STG_XATTR_REPLACE 2u

/* SETATTR valid bits */
#define STG_SET_MODE 1u
#define STG_SET_UID 2u
#define STG_SET_GID 4u
#define STG_SET_SIZE 8u
#define STG_SET_ATIME 16u
#define STG_SET_MTIME 32u

#define STG_NAME_MAX 255u
#define STG_DATA_MAX 65536u /* symlink target, xattr value, base token */

struct stg_op {
	uint8_t type;
	uint64_t ino, parent, newparent;
	const char *name, *name2; /* not NUL-terminated; see *_len */
	uint16_t name_len, name2_len;
	const void *data;
	uint32_t data_len;
	uint32_t mode, uid, gid, flags, valid;
	uint64_t rdev, size, off, len, seg, segoff;
	int64_t atime, mtime; /* ns since the epoch */
	int64_t time;         /* when the change happened (ctime), ns */
};

/* The one field mask allowed for a type, 0 for an unknown type. */
uint32_t stg_op_fields(uint8_t type);

/* Bytes stg_op_encode() will produce. */
size_t stg_op_encoded_size(const struct stg_op *op);

/* Encodes op into buf (at least stg_op_encoded_size bytes); returns size. */
size_t stg_op_encode(const struct stg_op *op, uint8_t *buf);

/*
 * Decodes one op from exactly n bytes.  Returns 0, or -1 when the bytes
 * are not exactly one well-formed op of a known type (unknown type, wrong
 * field mask, lengths past the end, trailing bytes, over-long strings).
 */
int stg_op_decode(const uint8_t *buf, size_t n, struct stg_op *op);

#endif
