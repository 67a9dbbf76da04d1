#include "numparse.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int all_digits(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

int num_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    unsigned long long v;

    if (!s || !all_digits(s))
        return NUM_BAD;
    errno = 0;
    v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v < min || v > max)
        return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

int num_parse_long(const char *s, long min, long max, long *out)
{
    int neg = s && s[0] == '-', rc;
    uint64_t m, limit = neg ? (uint64_t)LONG_MAX + 1 : (uint64_t)LONG_MAX;
    long v;

    rc = num_parse_uint(s ? s + neg : NULL, 0, UINT64_MAX, &m); /* the magnitude */
    if (rc != NUM_OK)
        return rc;
    if (m > limit)
        return NUM_RANGE;
    v = !neg ? (long)m : m == limit ? LONG_MIN : -(long)m;
    if (v < min || v > max)
        return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

int num_parse_double(const char *s, double min, double max, double *out)
{
    const char *u = s && s[0] == '-' ? s + 1 : s;
    char *end;
    double v;

    /* digits, a point and an exponent only after the sign: no blank, hex, inf or nan */
    if (!u || !(*u == '.' || (*u >= '0' && *u <= '9')) || strspn(u, "0123456789.eE+-") != strlen(u))
        return NUM_BAD;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end)
        return NUM_BAD;
    /* ERANGE: too large (inf) or too small to hold (an underflow, refused as well) */
    if (errno == ERANGE || !isfinite(v) || v < min || v > max || (u != s && min >= 0))
        return NUM_RANGE;
    *out = v;
    return NUM_OK;
}
