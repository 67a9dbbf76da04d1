/*
 * selector.h - Kubernetes label and field selectors, as in the query
 * parameters `?labelSelector=` and `?fieldSelector=` (already URL-decoded).
 *
 * The syntax is exactly that of k8s.io/apimachinery: pkg/labels Parse() and
 * pkg/fields ParseSelector().
 *
 * Label selector: comma-separated requirements
 *     key   !key   key=value   key==value   key!=value
 *     key in (a,b)   key notin (a,b)   key>N   key<N
 * Blanks (space, tab, CR, LF) may surround every token. A key is an optional
 * DNS-subdomain prefix (lowercase, at most 253 characters) and "/", then a
 * name of at most 63 characters [A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]. A value
 * has at most 63 characters of the same set and may be empty ("a=", "a in ()",
 * "a in (,b)"). N is a decimal integer that fits in 64 bits. "in" and "notin"
 * are operators only after a key: "in in (notin)" is a valid selector.
 *
 * Field selector: comma-separated terms `path=value`, `path==value` or
 * `path!=value`, where path is a dotted field path (metadata.name,
 * metadata.namespace, status.phase, spec.nodeName, ...). The term is split at
 * its first operator; in the value, `\,` `\=` `\\` stand for `,` `=` `\`, and
 * a bare `,` or `=` or any other `\x` is an error. As in apimachinery the path
 * is not checked, empty terms are skipped, and "=" (empty path and value)
 * means nothing. Use "\," to put a comma into a value: a bare comma ends the
 * term, as it would in apimachinery.
 *
 * An empty selector (or one of blanks for labels, of commas for fields)
 * matches everything.
 */
#ifndef VS_SELECTOR_H
#define VS_SELECTOR_H

#include <stddef.h>

#include <cJSON.h>

#include "error.h"

/* The longest selector text accepted (bytes); longer ones are an error. */
#define SELECTOR_TEXT_MAX 65536

struct selector; /* opaque, parsed; immutable once returned */

/*
 * Parse a label selector. Returns a new selector (free with selector_free()),
 * or NULL with err filled: err->where is "labelSelector", err->line 1,
 * err->col the 1-based byte position of the offending token (one past the
 * end for a missing token), err->msg like apimachinery's, e.g.
 * "unable to parse requirement: found '', expected: ',' or ')'" or
 * "found '', expected: identifier after ','". err->code is ENOMEM when
 * memory ran out, otherwise 0.
 */
struct selector *selector_parse_labels(const char *text, struct vs_error *err);

/*
 * Parse a field selector. As selector_parse_labels(), with err->where
 * "fieldSelector" and messages such as
 * "invalid selector: 'a'; can't understand 'a'" or
 * "invalid field selector: invalid escape sequence: \x".
 * Like apimachinery, terms are checked in sorted order, so the first error
 * reported is the one in the term that sorts first.
 */
struct selector *selector_parse_fields(const char *text, struct vs_error *err);

/*
 * 1 when obj matches every requirement of sel, else 0. A NULL sel matches
 * everything; a NULL obj is an empty object.
 *
 * Label selectors look at obj.metadata.labels (missing: no labels; a label
 * whose value is not a string counts as absent). As in apimachinery, `!=` and
 * `notin` match when the label is absent, and `>`/`<` need a label whose value
 * is a 64-bit decimal integer.
 *
 * Field selectors resolve the dotted path in obj. A missing field, null, an
 * object or an array compares as ""; strings compare as themselves, booleans
 * as "true"/"false", numbers as their JSON text (integers without a fraction:
 * 3, not 3.0).
 */
int selector_matches(const struct selector *sel, const cJSON *obj);

/*
 * Write the canonical text of sel into buf (size n, always NUL-terminated when
 * n > 0) and return the length it needs without the NUL, as snprintf() does.
 * Canonical: requirements sorted (by key, then operator, then values), values
 * of in/notin sorted without duplicates, blanks only in " in (" and
 * " notin (", "==" kept for labels but written "=" for fields, field values
 * escaped. Parsing the canonical text gives a selector with the same
 * canonical text. A NULL or empty selector is "".
 */
size_t selector_format(const struct selector *sel, char *buf, size_t n);

/* 1 when sel has no requirements (matches everything) or is NULL, else 0. */
int selector_is_empty(const struct selector *sel);

/* Free sel and everything it owns. Accepts NULL. */
void selector_free(struct selector *sel);

/*
 * The member of obj at a dotted path ("metadata.name"), as field selectors
 * resolve it: object members only, names compared exactly; NULL when any
 * step is missing or not an object.
 */
const cJSON *json_path_get(const cJSON *obj, const char *path);

#endif
