/*
 * udf/ident.h - filling entity identifiers (regids) and charspecs the way
 * UDF 2.1.5 wants them: domain suffix, UDF suffix, implementation suffix.
 */
#ifndef DFS_UDF_IDENT_H
#define DFS_UDF_IDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "udf/ecma167.h"

/* "+NSR02" style: ident only, zero suffix. */
void udf_regid_plain(struct ecma_regid *r, const char *ident);
/* Domain: "*OSTA UDF Compliant", suffix = revision + domain flags. */
void udf_regid_domain(struct ecma_regid *r, uint16_t rev, uint8_t flags);
/* "*UDF ..." identifiers: suffix = revision, OS class, OS id. */
void udf_regid_udf(struct ecma_regid *r, const char *ident, uint16_t rev);
/* Our implementation identifier: suffix = OS class, OS id. */
void udf_regid_impl(struct ecma_regid *r);
/* True when r's ident field starts with ident (exactly, rest zero). */
bool udf_regid_is(const struct ecma_regid *r, const char *ident);
/* Revision stored in a domain or UDF suffix. */
uint16_t udf_regid_rev(const struct ecma_regid *r);
/* CS0 charspec: type 0, "OSTA Compressed Unicode". */
void udf_charspec_cs0(struct ecma_charspec *c);

#endif
