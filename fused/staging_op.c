/* fused/staging_op.c - see staging_op.h */
#include "fused/staging_op.h"

#include <string.h>

#include "util/bytes.h"

#define F_TIMED (STG_F_TIME)

uint32_t stg_op_fields(uint8_t type)
{
	switch (type) {
	case STG_OP_BASE:
		return STG_F_DATA | STG_F_FLAGS | F_TIMED;
	case STG_OP_MKNOD:
		return STG_F_PARENT | STG_F_NAME | STG_F_INO | STG_F_MODE |
		       STG_F_UID | STG_F_GID | STG_F_RDEV | F_TIMED;
	case STG_OP_SYMLINK:
		return STG_F_PARENT | STG_F_NAME | STG_F_INO | STG_F_UID |
		       STG_F_GID | STG_F_DATA | F_TIMED;
	case STG_OP_LINK:
		return STG_F_INO | STG_F_NEWPARENT | STG_F_NAME2 | F_TIMED;
	case STG_OP_UNLINK:
		return STG_F_PARENT | STG_F_NAME | STG_F_FLAGS | F_TIMED;
	case STG_OP_RENAME:
		return STG_F_PARENT | STG_F_NAME | STG_F_NEWPARENT |
		       STG_F_NAME2 | STG_F_FLAGS | F_TIMED;
	case STG_OP_SETATTR:
		return STG_F_INO | STG_F_VALID | STG_F_MODE | STG_F_UID |
		       STG_F_GID | STG_F_SIZE | STG_F_ATIME | STG_F_MTIME |
		       F_TIMED;
	case STG_OP_WRITE:
		return STG_F_INO | STG_F_OFF | STG_F_LEN | STG_F_SEG |
		       STG_F_SEGOFF | F_TIMED;
	case STG_OP_SETXATTR:
		return STG_F_INO | STG_F_NAME | STG_F_DATA | STG_F_FLAGS |
		       F_TIMED;
	case STG_OP_RMXATTR:
		return STG_F_INO | STG_F_NAME | F_TIMED;
	case STG_OP_COMMIT:
		return STG_F_DATA | F_TIMED;
	default:
		return 0;
	}
}

/* Field widths in bit order; 0 = variable (string or data). */
enum { W_STR = 0 };
static const uint8_t field_width[20] = {
	8, 8, W_STR, 8, W_STR, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8, W_STR, 4, 4,
};

static uint64_t num_field(const struct stg_op *op, unsigned bit)
{
	switch (1u << bit) {
	case STG_F_INO: return op->ino;
	case STG_F_PARENT: return op->parent;
	case STG_F_NEWPARENT: return op->newparent;
	case STG_F_MODE: return op->mode;
	case STG_F_UID: return op->uid;
	case STG_F_GID: return op->gid;
	case STG_F_RDEV: return op->rdev;
	case STG_F_SIZE: return op->size;
	case STG_F_OFF: return op->off;
	case STG_F_LEN: return op->len;
	case STG_F_SEG: return op->seg;
	case STG_F_SEGOFF: return op->segoff;
	case STG_F_ATIME: return (uint64_t)op->atime;
	case STG_F_MTIME: return (uint64_t)op->mtime;
	case STG_F_TIME: return (uint64_t)op->time;
	case STG_F_FLAGS: return op->flags;
	case STG_F_VALID: return op->valid;
	default: return 0;
	}
}

static void set_num_field(struct stg_op *op, unsigned bit, uint64_t v)
{
	switch (1u << bit) {
	case STG_F_INO: op->ino = v; break;
	case STG_F_PARENT: op->parent = v; break;
	case STG_F_NEWPARENT: op->newparent = v; break;
	case STG_F_MODE: op->mode = (uint32_t)v; break;
	case STG_F_UID: op->uid = (uint32_t)v; break;
	case STG_F_GID: op->gid = (uint32_t)v; break;
	case STG_F_RDEV: op->rdev = v; break;
	case STG_F_SIZE: op->size = v; break;
	case STG_F_OFF: op->off = v; break;
	case STG_F_LEN: op->len = v; break;
	case STG_F_SEG: op->seg = v; break;
	case STG_F_SEGOFF: op->segoff = v; break;
	case STG_F_ATIME: op->atime = (int64_t)v; break;
	case STG_F_MTIME: op->mtime = (int64_t)v; break;
	case STG_F_TIME: op->time = (int64_t)v; break;
	case STG_F_FLAGS: op->flags = (uint32_t)v; break;
	case STG_F_VALID: op->valid = (uint32_t)v; break;
	default: break;
	}
}

size_t stg_op_encoded_size(const struct stg_op *op)
{
	uint32_t mask = stg_op_fields(op->type);
	size_t n = 5;

	for (unsigned bit = 0; bit < 20; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		if (field_width[bit])
			n += field_width[bit];
		else if ((1u << bit) == STG_F_NAME)
			n += 2 + op->name_len;
		else if ((1u << bit) == STG_F_NAME2)
			n += 2 + op->name2_len;
		else
			n += 4 + op->data_len;
	}
	return n;
}

size_t stg_op_encode(const struct stg_op *op, uint8_t *buf)
{
	uint32_t mask = stg_op_fields(op->type);
	uint8_t *p = buf;

	*p++ = op->type;
	put_le32(p, mask);
	p += 4;
	for (unsigned bit = 0; bit < 20; bit++) {
		uint32_t f = 1u << bit;
		if (!(mask & f))
			continue;
		if (field_width[bit] == 8) {
			put_le64(p, num_field(op, bit));
			p += 8;
		} else if (field_width[bit] == 4) {
			put_le32(p, (uint32_t)num_field(op, bit));
			p += 4;
		} else if (f == STG_F_NAME || f == STG_F_NAME2) {
			const char *s = f == STG_F_NAME ? op->name : op->name2;
			uint16_t len = f == STG_F_NAME ? op->name_len : op->name2_len;
			put_le16(p, len);
			memcpy(p + 2, s, len);
			p += 2 + len;
		} else {
			put_le32(p, op->data_len);
			if (op->data_len)
				memcpy(p + 4, op->data, op->data_len);
			p += 4 + op->data_len;
		}
	}
	return (size_t)(p - buf);
}

/* Reads one variable-length field; returns bytes used or 0 when malformed. */
static size_t decode_var(const uint8_t *p, size_t left, uint32_t f,
			 struct stg_op *op)
{
	if (f == STG_F_NAME || f == STG_F_NAME2) {
		uint16_t len;
		if (left < 2)
			return 0;
		len = get_le16(p);
		if (len == 0 || len > STG_NAME_MAX || left - 2 < len)
			return 0;
		if (f == STG_F_NAME) {
			op->name = (const char *)p + 2;
			op->name_len = len;
		} else {
			op->name2 = (const char *)p + 2;
			op->name2_len = len;
		}
		return 2u + len;
	}
	if (left < 4)
		return 0;
	op->data_len = get_le32(p);
	if (op->data_len > STG_DATA_MAX || left - 4 < op->data_len)
		return 0;
	op->data = p + 4;
	return 4u + op->data_len;
}

int stg_op_decode(const uint8_t *buf, size_t n, struct stg_op *op)
{
	size_t pos = 5;
	uint32_t mask;

	memset(op, 0, sizeof(*op));
	if (n < 5)
		return -1;
	op->type = buf[0];
	mask = get_le32(buf + 1);
	if (!stg_op_fields(op->type) || mask != stg_op_fields(op->type))
		return -1;
	for (unsigned bit = 0; bit < 20; bit++) {
		uint32_t f = 1u << bit;
		size_t w = field_width[bit];
		if (!(mask & f))
			continue;
		if (w) {
			if (n - pos < w)
				return -1;
			set_num_field(op, bit, w == 8 ? get_le64(buf + pos)
						      : get_le32(buf + pos));
			pos += w;
		} else {
			size_t used = decode_var(buf + pos, n - pos, f, op);
			if (!used)
				return -1;
			pos += used;
		}
	}
	return pos == n ? 0 : -1;
}
