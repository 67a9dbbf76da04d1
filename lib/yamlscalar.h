/*
 * yamlscalar.h - what a YAML scalar means, as go-yaml v2 resolves it, and
 * how it becomes a JSON value or an object key (as sigs.k8s.io/yaml does).
 * The rules are listed in yamljson.h; this is the part of yamljson that
 * needs no parser, kept apart so it can be read and tested alone.
 *
 * Errors are filled without a location (msg only): the caller knows where
 * the scalar is.
 */
#ifndef VS_YAMLSCALAR_H
#define VS_YAMLSCALAR_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "error.h"

enum yamlscalar_kind {
    YAMLSCALAR_NULL,
    YAMLSCALAR_BOOL,
    YAMLSCALAR_INT,
    YAMLSCALAR_FLOAT,
    YAMLSCALAR_STR,
};

struct yamlscalar {
    enum yamlscalar_kind kind;
    int boolean;  /* BOOL */
    int neg;      /* INT: the sign */
    uint64_t mag; /* INT: the magnitude */
    int overflow; /* INT: the magnitude needs more than 64 bits */
    double num;   /* FLOAT: may be infinite or NaN */
};

/*
 * Read the scalar text (n bytes, NUL-terminated, no NUL inside) written with
 * `tag` (libyaml's expanded tag, NULL when none) in plain style or not.
 * Untagged plain scalars are resolved; untagged quoted and block scalars,
 * '!' and !!str are strings; !!null, !!bool, !!int, !!float must resolve to
 * that type (!!float also takes an integer). Any other tag is an error.
 * Returns 0 or -1 (err: an unknown tag, a mismatch, ENOMEM).
 */
int yamlscalar_read(const char *text, size_t n, const char *tag, int plain, struct yamlscalar *out,
                    struct vs_error *err);

/* Resolve plain text as go-yaml v2 does. Returns 0, or -1 with ENOMEM. */
int yamlscalar_resolve(const char *text, size_t n, struct yamlscalar *out, struct vs_error *err);

/*
 * The scalar as a new JSON value (caller frees), text being its text.
 * NULL with err for infinities, NaN and integers a double cannot hold
 * exactly, and on ENOMEM.
 */
cJSON *yamlscalar_json(const struct yamlscalar *s, const char *text, struct vs_error *err);

/*
 * The scalar as an object key: a malloc'd string (caller frees). NULL with
 * err for null keys, integers beyond int64, and on ENOMEM.
 */
char *yamlscalar_key(const struct yamlscalar *s, const char *text, struct vs_error *err);

/*
 * Format v as Go's strconv.FormatFloat(v, 'g', -1, 32) does, with
 * sigs.k8s.io/yaml's names for infinities and NaN (".inf", "-.inf",
 * ".nan"). buf should hold 32 bytes. Returns buf.
 */
char *yamlscalar_format_float32(double v, char *buf, size_t size);

/* Shorten text for a message: at most 40 bytes, control bytes as '?'. */
const char *yamlscalar_shorten(const char *text, char *buf, size_t size);

#endif
