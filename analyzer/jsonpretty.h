/*
 * jsonpretty.h - JSON as people read it: two-space indentation, "key": value,
 * short arrays of scalars on one line. Scalars are printed by cJSON itself
 * (so numbers round-trip exactly as cJSON_Print would print them).
 */
#ifndef VS_ANALYZER_JSONPRETTY_H
#define VS_ANALYZER_JSONPRETTY_H

#include <stdio.h>

#include <cJSON.h>

/* Write item and a final newline to f. 0, or -1 when out of memory. */
int json_pretty_write(const cJSON *item, FILE *f);

#endif
