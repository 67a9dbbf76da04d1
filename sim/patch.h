/*
 * patch.h - the two patch formats the API server takes for PATCH requests,
 * applied to cJSON documents: JSON merge patch (RFC 7386,
 * application/merge-patch+json) and JSON Patch (RFC 6902,
 * application/json-patch+json), with JSON Pointers (RFC 6901).
 *
 * Both are atomic: on failure the document is left exactly as it was.
 * Object member names are compared case-sensitively. Errors are messages
 * only (no location); a JSON Patch error names the operation, counted
 * from 1, its op and the path, e.g.
 *   "operation 2 (replace): path '/spec/runStrategy' does not exist".
 *
 * Ownership: *doc / *target stay the caller's; on success they may have
 * been replaced by a new value (the old one freed). Patches are only read.
 */
#ifndef SIM_PATCH_H
#define SIM_PATCH_H

#include <cJSON.h>

#include "error.h"

/*
 * Apply an RFC 7386 merge patch to *target: members of a patch object are
 * merged into the target object recursively, null members delete, and a
 * patch that is not an object replaces the target (as does an object patch
 * of a target that is not an object, which starts from {}). *target may be
 * NULL (no document). Returns 0, or -1 with code ENOMEM.
 */
int patch_merge(cJSON **target, const cJSON *patch, struct vs_error *err);

/*
 * Apply an RFC 6902 patch, an array of operations (add, remove, replace,
 * move, copy, test), to *doc, in order, atomically (the operations run on a
 * copy). Paths are JSON Pointers: "" is the whole document, "~1" is '/' and
 * "~0" is '~' in a name, array indices have no leading zeros, and "-" after
 * an array (add, and the target of move and copy) appends. Removing the
 * whole document is refused. A failed test, an operation object with
 * a member given twice, an unknown op and a missing member are errors.
 * Returns 0, or -1 (code ENOMEM when memory ran out).
 */
int patch_json(cJSON **doc, const cJSON *ops, struct vs_error *err);

/* The value at a JSON pointer in doc ("" is doc), or NULL if absent or invalid. */
cJSON *patch_pointer_get(cJSON *doc, const char *pointer);

#endif
