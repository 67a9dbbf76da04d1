/*
 * yamljson.h - read a YAML stream as JSON values, the way kubectl reads
 * manifests (sigs.k8s.io/yaml on top of go-yaml v2).
 *
 * Every document becomes one cJSON value: mappings become objects,
 * sequences arrays, and scalars are resolved as go-yaml v2 resolves them
 * (YAML 1.1 style, not YAML 1.2's JSON schema):
 *
 *   - quoted ('...', "...") and block (|, >) scalars are always strings;
 *   - plain null, Null, NULL, ~ and the empty scalar are null;
 *   - plain y Y yes Yes YES true True TRUE on On ON are true, and
 *     n N no No NO false False FALSE off Off OFF are false. This is go-yaml
 *     v2 behaviour (YAML 1.1): quote "no", "on", "y" to keep them strings;
 *   - integers as Go's strconv.ParseInt(s, 0, 64) reads them after go-yaml
 *     drops every '_': optional sign, decimal, 0x hex, 0o octal, 0b binary,
 *     and a leading 0 means octal (010 is 8); a would-be octal with an 8 or
 *     9 (08, 09.5) falls through to the float rule and reads as decimal;
 *   - floats: [-+]?(.D+|D+(.D*)?)([eE][-+]?D+)? with D a digit, after
 *     dropping underscores (1_000.5, .5, 1e3, -1.); a float too big for a
 *     double (1e400) stays a string, as in go-yaml;
 *   - anything else (timestamps included) is a string.
 * JSON numbers are doubles, so some values are errors naming the line
 * where go-yaml would go on: .inf, -.inf, .nan (and their spellings), and
 * integers a double cannot hold exactly (beyond +-2^53; 2^60, which a
 * double holds, is fine): quote them to keep them as strings. A NUL
 * character in a string ("\0") is an error too: cJSON strings end at NUL.
 *
 * Explicit tags !!str, !!int, !!float, !!bool, !!null (and !!map, !!seq on
 * collections, !!merge on '<<') are honoured: the text must read as that
 * type (!!float also takes integers); the non-specific tag '!' makes a
 * string; any other tag is an error.
 *
 * Mapping keys must be scalars and not null. Like sigs.k8s.io/yaml, keys
 * are resolved, then turned into strings: true/false, decimal integers
 * (0x10 becomes "16"; beyond int64 is an error) and floats as Go prints a
 * float32 (1.50 becomes "1.5"). A key seen twice in a mapping (after that
 * conversion) is an error naming the key and both lines, as go-yaml's
 * UnmarshalStrict does (yes: and on: in one mapping are both "true").
 *
 * Anchors and aliases are expanded into deep copies; an alias to a node
 * that contains it, or to an anchor of another document, is an error. The merge key '<<' (plain or
 * !!merge) takes a mapping or a sequence of mappings: keys written in the mapping win over merged
 * ones wherever they appear, earlier mappings of a sequence win over later ones, and merged keys
 * come after the mapping's own keys. A second
 * '<<' in one mapping is a duplicate key.
 *
 * Limits, so hostile input cannot eat the machine: a stream may expand into
 * at most YAMLJSON_MAX_NODES values and YAMLJSON_MAX_BYTES bytes of keys
 * and strings (which stops "billion laughs" alias bombs quickly), and
 * collections may nest YAMLJSON_MAX_DEPTH deep (aliases included).
 * Exceeding one is an error with code E2BIG.
 *
 * A document with no content (e.g. after a trailing "---") is skipped; a
 * document holding only null (~) is kept as a JSON null. JSON is YAML too,
 * except that YAML limits implicit keys to 1024 characters.
 */
#ifndef VS_YAMLJSON_H
#define VS_YAMLJSON_H

#include <stddef.h>

#include <cJSON.h>

#include "error.h"

#define YAMLJSON_MAX_NODES 1000000L
#define YAMLJSON_MAX_BYTES (64L * 1024 * 1024)
#define YAMLJSON_MAX_DEPTH 1000

/*
 * Parse every document of the YAML stream of len bytes at text (need not be
 * NUL-terminated; text may be NULL when len is 0). On success returns 0,
 * *docs is a new cJSON array with one item per non-empty document, and, if
 * lines is not NULL, *lines a malloc'd array (never NULL) holding each
 * item's 1-based start line: the line of its "---", or of its first token
 * when the document starts implicitly. The caller frees *docs with
 * cJSON_Delete() and *lines with free().
 *
 * On failure returns -1, leaves *docs NULL (and *lines NULL), and fills err:
 * where = name (may be NULL), line and col 1-based, msg prefixed with
 * "document N: " where N counts every document of the stream from 1 (empty
 * ones too). code is ENOMEM, E2BIG for the limits above, else 0.
 */
int yamljson_parse(const char *text, size_t len, const char *name, cJSON **docs, long **lines,
                   struct vs_error *err);

/* How a parsed value reads in a message: "a mapping", "a sequence", "a string",
   "a number", "a boolean" or "null" (YAML's words, for "found a sequence"). */
const char *yamljson_type_name(const cJSON *v);

#endif
