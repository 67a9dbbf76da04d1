/*
 * num.h - strict parsing of the numbers the simulator reads: option values,
 * fault spec values and --model file values. The whole text must be the
 * number, written in decimal without sign or blanks ("8", "0.5", "1e3"),
 * finite and within the given range; "8x", " 8", "+8", "nan", "0x10" and
 * "" are refused. Callers write the message, naming what they parse.
 */
#ifndef SIM_NUM_H
#define SIM_NUM_H

#include <stdint.h>

/* A whole number of digits only, min <= *out <= max. 0, or -1 when not. */
int num_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A decimal number, min <= *out <= max (min >= 0). 0, or -1 when not. */
int num_parse_double(const char *s, double min, double max, double *out);

#endif
