#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_SEC INT64_C(1000000000)
#define SEC_PER_DAY INT64_C(86400)

/* Longest part of the input quoted in an error message. */
#define QUOTE_MAX 64

static int64_t clock_read(clockid_t id)
{
    struct timespec ts = {0, 0};

    clock_gettime(id, &ts); /* cannot fail for the clocks used here */
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t clock_wall_ns(void)
{
    return clock_read(CLOCK_REALTIME);
}

int64_t clock_mono_ns(void)
{
    return clock_read(CLOCK_MONOTONIC);
}

void clock_now(struct vs_time *t)
{
    t->mono_ns = clock_mono_ns();
    t->wall_ns = clock_wall_ns();
}

int64_t clock_resolution_ns(void)
{
    struct timespec ts = {0, 0};
    int64_t ns;

    if (clock_getres(CLOCK_MONOTONIC, &ts) != 0)
        return 1;
    ns = (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
    return ns < 1 ? 1 : ns;
}

/* --- calendar arithmetic (Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"), proleptic Gregorian, valid for any year an int64 ns holds --- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;

    return (r != 0 && (r < 0) != (b < 0)) ? r + b : r;
}

/* Days since 1970-01-01 of year y, month m (1-12), day d (1-31). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = y - era * 400;                                   /* [0, 399] */
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;                                      /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* --- parsing ----------------------------------------------------------------- */

struct cursor {
    const char *s;
    size_t len;
    size_t pos;
    struct vs_error *err;
};

/* The input, quoted for a message: at most QUOTE_MAX bytes, others as '?'. */
static void cursor_quote(const struct cursor *c, char *out, size_t n)
{
    size_t i, k = 0, max = c->len < QUOTE_MAX ? c->len : QUOTE_MAX;

    for (i = 0; i < max && k + 1 < n; i++) {
        unsigned char ch = (unsigned char)c->s[i];
        out[k++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    out[k] = '\0';
    if (c->len > max)
        snprintf(out + k, n - k, "...");
}

/* Fail at byte `pos` (0-based) with "WHAT in time 'INPUT'". */
static int cursor_fail_at(const struct cursor *c, size_t pos, const char *what)
{
    char quoted[QUOTE_MAX + 4];

    cursor_quote(c, quoted, sizeof(quoted));
    return vs_error_set(c->err, NULL, 0, (long)pos + 1, "%s in time '%s'", what, quoted);
}

static int cursor_fail(const struct cursor *c, const char *what)
{
    return cursor_fail_at(c, c->pos, what);
}

static int cursor_is_digit(const struct cursor *c)
{
    return c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9';
}

/* Exactly `ndigits` decimal digits into *out. */
static int cursor_number(struct cursor *c, int ndigits, int *out, const char *what)
{
    int i, v = 0;

    for (i = 0; i < ndigits; i++) {
        if (!cursor_is_digit(c))
            return cursor_fail(c, what);
        v = v * 10 + (c->s[c->pos++] - '0');
    }
    *out = v;
    return 0;
}

/* One byte that must be one of `accept`. */
static int cursor_expect(struct cursor *c, const char *accept, const char *what)
{
    const char *a;

    for (a = accept; c->pos < c->len && *a; a++) {
        if (c->s[c->pos] == *a) {
            c->pos++;
            return 0;
        }
    }
    return cursor_fail(c, what);
}

/* A number in [lo, hi]; the error points at its first digit. */
static int cursor_field(struct cursor *c, int ndigits, int lo, int hi, int *out, const char *name)
{
    char what[64];
    size_t start = c->pos;

    snprintf(what, sizeof(what), "expected %d-digit %s", ndigits, name);
    if (cursor_number(c, ndigits, out, what) < 0)
        return -1;
    if (*out < lo || *out > hi) {
        snprintf(what, sizeof(what), "%s %d out of range %d-%d", name, *out, lo, hi);
        return cursor_fail_at(c, start, what);
    }
    return 0;
}

struct civil {
    int year, month, day, hour, minute, second;
    int64_t frac_ns;
    int offset_s; /* east of UTC */
};

static int parse_date(struct cursor *c, struct civil *t)
{
    char what[64];
    size_t day_pos;

    if (cursor_field(c, 4, 0, 9999, &t->year, "year") < 0 ||
        cursor_expect(c, "-", "expected '-' after year") < 0 ||
        cursor_field(c, 2, 1, 12, &t->month, "month") < 0 ||
        cursor_expect(c, "-", "expected '-' after month") < 0)
        return -1;
    day_pos = c->pos;
    if (cursor_field(c, 2, 1, 31, &t->day, "day") < 0)
        return -1;
    if (t->day > days_in_month(t->year, t->month)) {
        snprintf(what, sizeof(what), "day %d out of range for %04d-%02d", t->day, t->year,
                 t->month);
        return cursor_fail_at(c, day_pos, what);
    }
    return 0;
}

static int parse_clock(struct cursor *c, struct civil *t)
{
    if (cursor_field(c, 2, 0, 23, &t->hour, "hour") < 0 ||
        cursor_expect(c, ":", "expected ':' after hour") < 0 ||
        cursor_field(c, 2, 0, 59, &t->minute, "minute") < 0 ||
        cursor_expect(c, ":", "expected ':' after minute") < 0 ||
        cursor_field(c, 2, 0, 60, &t->second, "second") < 0)
        return -1;
    return 0;
}

/* Optional ".ddd...": keeps the first 9 digits, skips the rest. */
static int parse_fraction(struct cursor *c, struct civil *t)
{
    int ndigits = 0;

    t->frac_ns = 0;
    if (c->pos >= c->len || c->s[c->pos] != '.')
        return 0;
    c->pos++;
    if (!cursor_is_digit(c))
        return cursor_fail(c, "expected digit after '.'");
    for (; cursor_is_digit(c); c->pos++, ndigits++)
        if (ndigits < 9)
            t->frac_ns = t->frac_ns * 10 + (c->s[c->pos] - '0');
    for (; ndigits < 9; ndigits++)
        t->frac_ns *= 10;
    return 0;
}

static int parse_zone(struct cursor *c, struct civil *t)
{
    int sign, oh, om;

    t->offset_s = 0;
    if (c->pos < c->len && (c->s[c->pos] == 'Z' || c->s[c->pos] == 'z')) {
        c->pos++;
        return 0;
    }
    if (c->pos >= c->len || (c->s[c->pos] != '+' && c->s[c->pos] != '-'))
        return cursor_fail(c, "expected 'Z' or '+hh:mm'/'-hh:mm' time zone");
    sign = c->s[c->pos++] == '-' ? -1 : 1;
    if (cursor_field(c, 2, 0, 23, &oh, "offset hour") < 0 ||
        cursor_expect(c, ":", "expected ':' after offset hour") < 0 ||
        cursor_field(c, 2, 0, 59, &om, "offset minute") < 0)
        return -1;
    t->offset_s = sign * (oh * 3600 + om * 60);
    return 0;
}

/* Unix ns of t, or -1 if it does not fit an int64_t. */
static int civil_to_ns(const struct civil *t, int64_t *out)
{
    int64_t secs = days_from_civil(t->year, t->month, t->day) * SEC_PER_DAY + t->hour * 3600 +
                   t->minute * 60 + t->second - t->offset_s; /* second 60 rolls over here */
    int64_t frac = t->frac_ns, ns;

    if (secs < 0 && frac > 0) { /* INT64_MIN is 0.145224192 s past a whole second */
        secs++;
        frac -= NS_PER_SEC;
    }
    if (__builtin_mul_overflow(secs, NS_PER_SEC, &ns) || __builtin_add_overflow(ns, frac, &ns))
        return -1;
    *out = ns;
    return 0;
}

int rfc3339_parse(const char *s, size_t len, int64_t *unix_ns, struct vs_error *err)
{
    struct cursor c = {s, len, 0, err};
    struct civil t;
    int64_t ns;

    if (parse_date(&c, &t) < 0 ||
        cursor_expect(&c, "Tt ", "expected 'T' or space after date") < 0 ||
        parse_clock(&c, &t) < 0 || parse_fraction(&c, &t) < 0 || parse_zone(&c, &t) < 0)
        return -1;
    if (c.pos < len)
        return cursor_fail(&c, "unexpected text after time zone");
    if (civil_to_ns(&t, &ns) < 0)
        return cursor_fail_at(&c, 0, "instant outside 1677-09-21..2262-04-11");
    *unix_ns = ns;
    return 0;
}

/* --- formatting -------------------------------------------------------------- */

size_t rfc3339_format(int64_t unix_ns, int frac_digits, char *buf, size_t n)
{
    int64_t secs = floor_div(unix_ns, NS_PER_SEC);
    int64_t frac = floor_mod(unix_ns, NS_PER_SEC); /* [0, 1e9); secs * 1e9 may overflow */
    int64_t days = floor_div(secs, SEC_PER_DAY);
    int64_t sod = secs - days * SEC_PER_DAY; /* [0, 86400) */
    int64_t year;
    int month, day, i, len;
    char fracbuf[11] = "", text[RFC3339_BUFSZ];

    if (frac_digits < 0)
        frac_digits = 0;
    if (frac_digits > 9)
        frac_digits = 9;
    civil_from_days(days, &year, &month, &day);
    if (frac_digits > 0) {
        for (i = frac_digits; i < 9; i++)
            frac /= 10;
        fracbuf[0] = '.';
        for (i = frac_digits; i >= 1; i--, frac /= 10)
            fracbuf[i] = (char)('0' + frac % 10);
        fracbuf[frac_digits + 1] = '\0';
    }
    len = snprintf(text, sizeof(text), "%04lld-%02d-%02dT%02d:%02d:%02d%sZ", (long long)year, month,
                   day, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), fracbuf);
    if (len < 0 || len >= (int)sizeof(text)) /* cannot happen: years are 1677..2262 */
        len = 0;
    if (n > 0) {
        size_t copy = (size_t)len < n - 1 ? (size_t)len : n - 1;
        memcpy(buf, text, copy);
        buf[copy] = '\0';
    }
    return (size_t)len;
}
