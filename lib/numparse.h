/*
 * numparse.h - strict parsing of numbers given on command lines and in small
 * input files (options, fault specs, model files). The whole text must be
 * the number, in decimal, without blanks or a '+' sign ("8", "-3", "0.5",
 * "1e3"); "8x", " 8", "+8", "nan", "inf", "0x10" and "" are not numbers.
 * Callers write the message, naming what they parse, and may tell "not a
 * number" from "a number out of range" by the return value.
 */
#ifndef VS_NUMPARSE_H
#define VS_NUMPARSE_H

#include <stdint.h>

enum {
    NUM_OK = 0,
    NUM_BAD = -1,   /* not a number of the kind asked for */
    NUM_RANGE = -2, /* a number, but below min or above max (or too large to hold) */
};

/* Digits only (no sign): min <= *out <= max. NUM_OK, NUM_BAD or NUM_RANGE (*out set on NUM_OK). */
int num_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Digits with an optional leading '-': min <= *out <= max. As num_parse_uint. */
int num_parse_long(const char *s, long min, long max, long *out);

/*
 * A finite decimal number (an optional leading '-', digits, a point and an
 * exponent): min <= *out <= max. A '-' where min >= 0 is out of range (so
 * "-0" is too). As num_parse_uint.
 */
int num_parse_double(const char *s, double min, double max, double *out);

#endif
