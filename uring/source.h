/*
 * uring/source.h - where the bytes of a burn come from.
 *
 * A source hands out the image in order, as a stream of 2048-byte blocks:
 *  - an image file (size known, read with pread: several sources may read
 *    the same file for several drives at once);
 *  - a descriptor of unknown length (pipe, standard input): read until EOF;
 *  - a producer callback (the UDF compiler streams straight to the drive):
 *    called again and again to fill the caller's buffer, in order.
 *
 * Contract of dfs_source_read(): fills up to len bytes (len is a multiple
 * of 2048), returns the number of bytes stored (0 only at the end), or a
 * negative discfs code.  A short count happens only at the end of the
 * stream; the caller pads the last partial block (and write unit) with
 * zeros.  Reads never run past size when the size is known: a file that
 * grows while burning is cut at the size seen at open time, so the
 * free-space check made before writing stays true.
 *
 * Ownership: a source owns the descriptor it opened (file), never the one
 * it was given (fd, callback).  dfs_source_close() frees it; NULL is fine.
 */
#ifndef DFS_URING_SOURCE_H
#define DFS_URING_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discfs.h"

/*
 * The producer callback (discfs_producer_fn of discfs.h).  Store up to len
 * bytes at buf, set *got, return 0; *got == 0 means the end of the stream.
 * Return a negative discfs code (filling err) to abort the burn.
 */
typedef discfs_producer_fn dfs_produce_fn;

struct dfs_source;

/* An image file: regular file or block device; its size is known. */
int dfs_source_open_file(const char *path, struct dfs_source **out,
			 discfs_error *err);

/* An open descriptor of unknown length (pipe, stdin).  Not closed. */
int dfs_source_from_fd(int fd, struct dfs_source **out, discfs_error *err);

/* A producer.  size_hint: total bytes when known in advance, else 0. */
int dfs_source_from_producer(dfs_produce_fn fn, void *user, uint64_t size_hint,
			     struct dfs_source **out, discfs_error *err);

/* Bytes of the whole stream when known, else 0 (see dfs_source_size_known). */
uint64_t dfs_source_size(const struct dfs_source *src);
bool dfs_source_size_known(const struct dfs_source *src);

/* Bytes handed out so far. */
uint64_t dfs_source_consumed(const struct dfs_source *src);

/* See the contract above. */
int64_t dfs_source_read(struct dfs_source *src, void *buf, size_t len,
			discfs_error *err);

/* Rewinds to byte 0; only sources of known size (a file) can. */
int dfs_source_rewind(struct dfs_source *src, discfs_error *err);

/* For messages: the path, "standard input", "pipe" or "producer". */
const char *dfs_source_name(const struct dfs_source *src);

void dfs_source_close(struct dfs_source *src);

#endif
