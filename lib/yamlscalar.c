#include "yamlscalar.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

/* go-yaml v2's resolveMap: words read whole. */
static const struct scalar_word {
    const char *text;
    enum yamlscalar_kind kind;
    int value; /* BOOL: 0 or 1; FLOAT: 1 for +inf, -1 for -inf, 0 for NaN */
} scalar_words[] = {
    {"~", YAMLSCALAR_NULL, 0},       {"null", YAMLSCALAR_NULL, 0},
    {"Null", YAMLSCALAR_NULL, 0},    {"NULL", YAMLSCALAR_NULL, 0},
    {"y", YAMLSCALAR_BOOL, 1},       {"Y", YAMLSCALAR_BOOL, 1},
    {"yes", YAMLSCALAR_BOOL, 1},     {"Yes", YAMLSCALAR_BOOL, 1},
    {"YES", YAMLSCALAR_BOOL, 1},     {"true", YAMLSCALAR_BOOL, 1},
    {"True", YAMLSCALAR_BOOL, 1},    {"TRUE", YAMLSCALAR_BOOL, 1},
    {"on", YAMLSCALAR_BOOL, 1},      {"On", YAMLSCALAR_BOOL, 1},
    {"ON", YAMLSCALAR_BOOL, 1},      {"n", YAMLSCALAR_BOOL, 0},
    {"N", YAMLSCALAR_BOOL, 0},       {"no", YAMLSCALAR_BOOL, 0},
    {"No", YAMLSCALAR_BOOL, 0},      {"NO", YAMLSCALAR_BOOL, 0},
    {"false", YAMLSCALAR_BOOL, 0},   {"False", YAMLSCALAR_BOOL, 0},
    {"FALSE", YAMLSCALAR_BOOL, 0},   {"off", YAMLSCALAR_BOOL, 0},
    {"Off", YAMLSCALAR_BOOL, 0},     {"OFF", YAMLSCALAR_BOOL, 0},
    {".nan", YAMLSCALAR_FLOAT, 0},   {".NaN", YAMLSCALAR_FLOAT, 0},
    {".NAN", YAMLSCALAR_FLOAT, 0},   {".inf", YAMLSCALAR_FLOAT, 1},
    {".Inf", YAMLSCALAR_FLOAT, 1},   {".INF", YAMLSCALAR_FLOAT, 1},
    {"+.inf", YAMLSCALAR_FLOAT, 1},  {"+.Inf", YAMLSCALAR_FLOAT, 1},
    {"+.INF", YAMLSCALAR_FLOAT, 1},  {"-.inf", YAMLSCALAR_FLOAT, -1},
    {"-.Inf", YAMLSCALAR_FLOAT, -1}, {"-.INF", YAMLSCALAR_FLOAT, -1},
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int lookup_word(const char *text, size_t n, struct yamlscalar *out)
{
    for (size_t i = 0; i < sizeof(scalar_words) / sizeof(scalar_words[0]); i++) {
        const struct scalar_word *w = &scalar_words[i];

        if (strlen(w->text) != n || memcmp(w->text, text, n) != 0)
            continue;
        out->kind = w->kind;
        if (w->kind == YAMLSCALAR_BOOL)
            out->boolean = w->value;
        else if (w->kind == YAMLSCALAR_FLOAT)
            out->num = w->value > 0 ? HUGE_VAL : w->value < 0 ? -HUGE_VAL : NAN;
        return 1;
    }
    return 0;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Go's strconv.ParseInt(s, 0, 64) syntax on s (underscores already gone). */
static int parse_go_int(const char *s, struct yamlscalar *out)
{
    unsigned base = 10;
    uint64_t mag = 0;
    int overflow = 0;

    out->neg = 0;
    if (*s == '+' || *s == '-')
        out->neg = *s++ == '-';
    if (*s == '\0')
        return 0;
    if (s[0] == '0') {
        /* a prefix needs a digit after it ("0x" alone is octal "x": invalid) */
        char c = s[1] != '\0' && s[2] != '\0' ? (char)(s[1] | 0x20) : '\0';

        base = c == 'b' ? 2 : c == 'x' ? 16 : 8;
        s += c == 'b' || c == 'o' || c == 'x' ? 2 : 1;
    }
    for (; *s; s++) {
        unsigned d = (unsigned)digit_value(*s);

        if (d >= base)
            return 0;
        if (mag > (UINT64_MAX - d) / base)
            overflow = 1;
        mag = mag * base + d;
    }
    out->kind = YAMLSCALAR_INT;
    out->mag = overflow ? 0 : mag;
    out->overflow = overflow;
    return 1;
}

/* go-yaml v2's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int is_yaml_float(const char *p)
{
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '.') {
        if (!is_digit(*++p))
            return 0;
    } else if (!is_digit(*p)) {
        return 0;
    }
    while (is_digit(*p))
        p++;
    if (*p == '.')
        while (is_digit(*++p))
            ;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return 0;
        while (is_digit(*p))
            p++;
    }
    return *p == '\0';
}

/* Digits with single underscores between them (Go's rule); end of the run. */
static const char *skip_go_digits(const char *p)
{
    if (!is_digit(*p))
        return NULL;
    while (is_digit(*p) || (*p == '_' && is_digit(p[1])))
        p++;
    return p;
}

/* What strconv.ParseFloat takes of a text starting with '.': .D+([eE][-+]?D+)? */
static int is_go_dot_float(const char *p)
{
    p = skip_go_digits(p + 1);
    if (p && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        p = skip_go_digits(p);
    }
    return p && *p == '\0';
}

/* strtod of text whose decimal point is '.', whatever the locale. */
static double c_strtod(char *s)
{
    const char *point = localeconv()->decimal_point;
    char *dot = strchr(s, '.');

    if (dot && point && point[0] && point[0] != '.' && point[1] == '\0')
        *dot = point[0];
    return strtod(s, NULL);
}

/* A text starting with a digit, a sign or '.': maybe a number. */
static void resolve_number(const char *text, char *plain, struct yamlscalar *out)
{
    double d;

    if (text[0] == '.') {
        if (!is_go_dot_float(text))
            return;
    } else if (parse_go_int(plain, out)) {
        return;
    } else if (!is_yaml_float(plain)) {
        return;
    }
    d = c_strtod(plain);
    if (isinf(d))
        return; /* strconv.ParseFloat says "out of range": go-yaml keeps the string */
    out->kind = YAMLSCALAR_FLOAT;
    out->num = d;
}

int yamlscalar_resolve(const char *text, size_t n, struct yamlscalar *out, struct vs_error *err)
{
    char *plain;
    size_t len = 0;

    memset(out, 0, sizeof(*out));
    out->kind = YAMLSCALAR_STR;
    if (n == 0) {
        out->kind = YAMLSCALAR_NULL;
        return 0;
    }
    if (n <= 6 && lookup_word(text, n, out))
        return 0;
    if (!is_digit(text[0]) && text[0] != '+' && text[0] != '-' && text[0] != '.')
        return 0;
    plain = malloc(n + 1);
    if (!plain)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (text[i] != '_')
            plain[len++] = text[i];
    plain[len] = '\0';
    resolve_number(text, plain, out);
    free(plain);
    return 0;
}

/* "tag:yaml.org,2002:int" -> "!!int", for messages. */
static void short_tag(const char *tag, char *buf, size_t size)
{
    char tmp[64];

    if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0)
        snprintf(buf, size, "!!%s", yamlscalar_shorten(tag + strlen(TAG_PREFIX), tmp, sizeof(tmp)));
    else
        snprintf(buf, size, "%s", yamlscalar_shorten(tag, tmp, sizeof(tmp)));
}

static int tag_is(const char *tag, const char *name)
{
    size_t n = strlen(TAG_PREFIX);

    return strncmp(tag, TAG_PREFIX, n) == 0 && strcmp(tag + n, name) == 0;
}

/* Resolve under an explicit core tag; the result must have that type. */
static int read_tagged(const char *text, size_t n, const char *tag, enum yamlscalar_kind want,
                       struct yamlscalar *out, struct vs_error *err)
{
    char name[80], quoted[64];

    if (yamlscalar_resolve(text, n, out, err) < 0)
        return -1;
    if (out->kind == want)
        return 0;
    if (want == YAMLSCALAR_FLOAT && out->kind == YAMLSCALAR_INT && !out->overflow) {
        out->kind = YAMLSCALAR_FLOAT;
        out->num = out->neg ? -(double)out->mag : (double)out->mag;
        return 0;
    }
    short_tag(tag, name, sizeof(name));
    return vs_error_set(err, NULL, 0, 0, "cannot read '%s' as '%s'",
                        yamlscalar_shorten(text, quoted, sizeof(quoted)), name);
}

int yamlscalar_read(const char *text, size_t n, const char *tag, int plain, struct yamlscalar *out,
                    struct vs_error *err)
{
    static const struct {
        const char *name;
        enum yamlscalar_kind kind;
    } core[] = {{"null", YAMLSCALAR_NULL},
                {"bool", YAMLSCALAR_BOOL},
                {"int", YAMLSCALAR_INT},
                {"float", YAMLSCALAR_FLOAT}};
    char name[80];

    memset(out, 0, sizeof(*out));
    out->kind = YAMLSCALAR_STR;
    if (!tag)
        return plain ? yamlscalar_resolve(text, n, out, err) : 0;
    if (strcmp(tag, "!") == 0 || tag_is(tag, "str"))
        return 0;
    for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
        if (tag_is(tag, core[i].name))
            return read_tagged(text, n, tag, core[i].kind, out, err);
    short_tag(tag, name, sizeof(name));
    return vs_error_set(err, NULL, 0, 0, "unsupported tag '%s'", name);
}

/* Can a double hold the integer exactly? */
static int int_is_exact(const struct yamlscalar *s)
{
    double d;

    if (s->overflow)
        return 0;
    d = (double)s->mag;
    return d < 18446744073709551616.0 && (uint64_t)d == s->mag;
}

cJSON *yamlscalar_json(const struct yamlscalar *s, const char *text, struct vs_error *err)
{
    cJSON *v = NULL;
    char quoted[64];

    switch (s->kind) {
    case YAMLSCALAR_NULL:
        v = cJSON_CreateNull();
        break;
    case YAMLSCALAR_BOOL:
        v = cJSON_CreateBool(s->boolean);
        break;
    case YAMLSCALAR_INT:
        if (!int_is_exact(s))
            return vs_error_set(err, NULL, 0, 0,
                                "integer '%s' cannot be held exactly by a JSON number (a double); "
                                "quote it to keep it as a string",
                                yamlscalar_shorten(text, quoted, sizeof(quoted))),
                   NULL;
        v = cJSON_CreateNumber(s->mag == 0 ? 0.0 : s->neg ? -(double)s->mag : (double)s->mag);
        break;
    case YAMLSCALAR_FLOAT:
        if (!isfinite(s->num))
            return vs_error_set(err, NULL, 0, 0,
                                "'%s' is not a finite number, which JSON cannot hold; "
                                "quote it to keep it as a string",
                                yamlscalar_shorten(text, quoted, sizeof(quoted))),
                   NULL;
        v = cJSON_CreateNumber(s->num);
        break;
    case YAMLSCALAR_STR:
        v = cJSON_CreateString(text);
        break;
    }
    if (!v)
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    return v;
}

char *yamlscalar_key(const struct yamlscalar *s, const char *text, struct vs_error *err)
{
    char buf[64], quoted[64];
    const char *key = buf;
    char *copy;

    switch (s->kind) {
    case YAMLSCALAR_NULL:
        vs_error_set(err, NULL, 0, 0, "mapping key '%s' is null; quote it to make it a string",
                     yamlscalar_shorten(text, quoted, sizeof(quoted)));
        return NULL;
    case YAMLSCALAR_BOOL:
        key = s->boolean ? "true" : "false";
        break;
    case YAMLSCALAR_INT:
        if (s->overflow || s->mag > (uint64_t)INT64_MAX + s->neg) {
            vs_error_set(err, NULL, 0, 0, "integer key '%s' is out of range; quote it",
                         yamlscalar_shorten(text, quoted, sizeof(quoted)));
            return NULL;
        }
        snprintf(buf, sizeof(buf), "%s%" PRIu64, s->neg && s->mag ? "-" : "", s->mag);
        break;
    case YAMLSCALAR_FLOAT:
        yamlscalar_format_float32(s->num, buf, sizeof(buf));
        break;
    case YAMLSCALAR_STR:
        key = text;
        break;
    }
    copy = strdup(key);
    if (!copy)
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    return copy;
}

/* printf in the C locale's terms: the locale's decimal point back to '.'. */
static void point_to_dot(char *buf)
{
    const char *point = localeconv()->decimal_point;
    char *p;

    if (point && point[0] && point[0] != '.' && point[1] == '\0' && (p = strchr(buf, point[0])))
        *p = '.';
}

char *yamlscalar_format_float32(double v, char *buf, size_t size)
{
    float f = (float)v;
    char digits[48];
    int nd, exp;

    if (isnan(f))
        snprintf(buf, size, ".nan");
    else if (isinf(f))
        snprintf(buf, size, f > 0 ? ".inf" : "-.inf");
    else if (f == 0)
        snprintf(buf, size, signbit(f) ? "-0" : "0");
    if (isnan(f) || isinf(f) || f == 0)
        return buf;
    /* the shortest digits that read back as the same float32 */
    for (nd = 1; nd < 9; nd++) {
        snprintf(digits, sizeof(digits), "%.*e", nd - 1, (double)f);
        if ((float)strtod(digits, NULL) == f)
            break;
    }
    snprintf(digits, sizeof(digits), "%.*e", nd - 1, (double)f);
    exp = atoi(strchr(digits, 'e') + 1);
    /* Go's 'g' with the shortest precision switches to %e at exponent 6 */
    if (exp < -4 || exp >= 6)
        snprintf(buf, size, "%s", digits);
    else
        snprintf(buf, size, "%.*f", nd - 1 - exp > 0 ? nd - 1 - exp : 0, (double)f);
    point_to_dot(buf);
    return buf;
}

const char *yamlscalar_shorten(const char *text, char *buf, size_t size)
{
    size_t n = 0, max = size > 44 ? 40 : size - 4, lead;

    if (size < 5) {
        if (size > 0)
            buf[0] = '\0';
        return size > 0 ? buf : "";
    }
    for (; n < max && text[n]; n++)
        buf[n] = (unsigned char)text[n] < 0x20 || text[n] == 0x7f ? '?' : text[n];
    if (text[n]) {
        /* do not cut a UTF-8 sequence: drop a last one that is incomplete */
        for (lead = n; lead > 0 && ((unsigned char)buf[lead - 1] & 0xc0) == 0x80; lead--)
            ;
        if (lead > 0 && (unsigned char)buf[lead - 1] >= 0xc0) {
            unsigned char c = (unsigned char)buf[lead - 1];

            if (n - (lead - 1) < (c >= 0xf0 ? 4u : c >= 0xe0 ? 3u : 2u))
                n = lead - 1;
        }
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}
