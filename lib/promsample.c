#include "promsample.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How much of a bad token an error message quotes. */
#define QUOTE_MAX 40

/* A label while its line is read: offsets into strs (which may move). */
struct raw_label {
    size_t name, value;
    long col; /* of its name */
};

struct promsample_parser {
    const char *pos, *end; /* the next line starts at pos */
    long lineno;           /* of the line last read */
    struct vbuf strs;      /* the sample's name, then label name and value pairs, NUL-ended */
    struct vbuf num;       /* a value or timestamp token, NUL-ended, for strtod */
    struct raw_label *raw;
    struct promsample_label *labels;
    size_t n_raw, cap_raw;
};

/* One line being read. */
struct cursor {
    const char *line, *p, *end;
    long lineno;
    struct vs_error *err;
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_label_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_label_char(char c)
{
    return is_label_start(c) || is_digit(c);
}

static int is_name_start(char c)
{
    return is_label_start(c) || c == ':';
}

static int is_name_char(char c)
{
    return is_label_char(c) || c == ':';
}

struct promsample_parser *promsample_parser_new(const char *text, size_t len)
{
    struct promsample_parser *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->pos = len ? text : NULL;
    p->end = len ? text + len : NULL;
    /* a line unescapes to at most its own length, plus a NUL per string */
    vbuf_init(&p->strs, len * 2 + 64);
    vbuf_init(&p->num, len + 64);
    return p;
}

void promsample_parser_free(struct promsample_parser *p)
{
    if (!p)
        return;
    vbuf_release(&p->strs);
    vbuf_release(&p->num);
    free(p->raw);
    free(p->labels);
    free(p);
}

static void skip_blanks(struct cursor *c)
{
    while (c->p < c->end && is_blank(*c->p))
        c->p++;
}

/* A bad line: EINVAL at the column of `at`. Returns -1. */
static int bad(const struct cursor *c, const char *at, const char *fmt, ...) VS_PRINTF(3, 4);
static int bad(const struct cursor *c, const char *at, const char *fmt, ...)
{
    char msg[sizeof(c->err->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return vs_error_setc(c->err, EINVAL, NULL, c->lineno, (long)(at - c->line) + 1, "%s", msg);
}

static int no_memory(const struct cursor *c)
{
    return vs_error_setc(c->err, ENOMEM, NULL, c->lineno, 0, "out of memory");
}

/* Append n bytes and a NUL to strs; the offset of the copy in *off. */
static int add_str(struct promsample_parser *p, const struct cursor *c, const char *s, size_t n,
                   size_t *off)
{
    *off = p->strs.len;
    if (vbuf_add(&p->strs, s, n) < 0 || vbuf_addc(&p->strs, '\0') < 0)
        return no_memory(c);
    return 0;
}

static int add_raw_label(struct promsample_parser *p, const struct cursor *c, size_t name, long col)
{
    if (p->n_raw == p->cap_raw) {
        size_t cap = p->cap_raw ? p->cap_raw * 2 : 8;
        struct raw_label *r = realloc(p->raw, cap * sizeof(*r));

        if (!r)
            return no_memory(c);
        p->raw = r;
        p->cap_raw = cap;
    }
    p->raw[p->n_raw].name = name;
    p->raw[p->n_raw].value = 0;
    p->raw[p->n_raw].col = col;
    p->n_raw++;
    return 0;
}

/* The quoted value of label `label` at c->p (just past '='), unescaped into strs. */
static int read_label_value(struct promsample_parser *p, struct cursor *c, const char *label)
{
    const char *q;
    size_t off = p->strs.len;

    if (c->p >= c->end || *c->p != '"')
        return bad(c, c->p, "expected '\"' to open the value of label '%s'", label);
    for (q = ++c->p; c->p < c->end && *c->p != '"'; c->p++) {
        char e;

        if (*c->p == '\0')
            return bad(c, c->p, "NUL byte in the value of label '%s'", label);
        if (*c->p != '\\')
            continue;
        if (c->p + 1 >= c->end)
            return bad(c, c->end, "unterminated value of label '%s'", label);
        e = c->p[1];
        if (e != '\\' && e != '"' && e != 'n')
            return bad(c, c->p, "invalid escape sequence in the value of label '%s'", label);
        if (vbuf_add(&p->strs, q, (size_t)(c->p - q)) < 0 ||
            vbuf_addc(&p->strs, e == 'n' ? '\n' : e) < 0)
            return no_memory(c);
        q = ++c->p + 1;
    }
    if (c->p >= c->end)
        return bad(c, c->end, "unterminated value of label '%s'", label);
    if (vbuf_add(&p->strs, q, (size_t)(c->p - q)) < 0 || vbuf_addc(&p->strs, '\0') < 0)
        return no_memory(c);
    c->p++;
    p->raw[p->n_raw - 1].value = off;
    return 0;
}

/* One name="value" pair at c->p. */
static int read_label(struct promsample_parser *p, struct cursor *c)
{
    const char *start = c->p;
    char name[128]; /* for messages: strs may move while the value is added */
    size_t off;

    if (c->p >= c->end || !is_label_start(*c->p))
        return bad(c, c->p, "expected a label name");
    while (c->p < c->end && is_label_char(*c->p))
        c->p++;
    if (add_str(p, c, start, (size_t)(c->p - start), &off) < 0 ||
        add_raw_label(p, c, off, (long)(start - c->line) + 1) < 0)
        return -1;
    snprintf(name, sizeof(name), "%s", p->strs.data + off);
    skip_blanks(c);
    if (c->p >= c->end || *c->p != '=')
        return bad(c, c->p, "expected '=' after label name '%s'", name);
    c->p++;
    skip_blanks(c);
    return read_label_value(p, c, name);
}

/* The labels at c->p, just past '{', up to and past '}'. */
static int read_labels(struct promsample_parser *p, struct cursor *c)
{
    for (;;) {
        skip_blanks(c);
        if (c->p < c->end && *c->p == '}')
            break;
        if (read_label(p, c) < 0)
            return -1;
        skip_blanks(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '}')
            break;
        return bad(c, c->p, "expected ',' or '}' after label '%s'",
                   p->strs.data + p->raw[p->n_raw - 1].name);
    }
    c->p++;
    return 0;
}

static int cmp_label_ptr(const void *a, const void *b)
{
    const struct promsample_label *x = *(const struct promsample_label *const *)a;
    const struct promsample_label *y = *(const struct promsample_label *const *)b;
    int d = strcmp(x->name, y->name);

    return d ? d : (x > y) - (x < y);
}

/* The labels as pointers into strs, and no name twice (reported at its second use). */
static int finish_labels(struct promsample_parser *p, struct cursor *c)
{
    struct promsample_label **by_name = NULL;
    long dup_col = 0;
    size_t dup = 0;

    free(p->labels);
    p->labels = NULL;
    if (p->n_raw == 0)
        return 0;
    p->labels = malloc(p->n_raw * sizeof(*p->labels));
    by_name = malloc(p->n_raw * sizeof(*by_name));
    if (!p->labels || !by_name) {
        free(by_name);
        return no_memory(c);
    }
    for (size_t i = 0; i < p->n_raw; i++) {
        p->labels[i].name = p->strs.data + p->raw[i].name;
        p->labels[i].value = p->strs.data + p->raw[i].value;
        by_name[i] = &p->labels[i];
    }
    qsort(by_name, p->n_raw, sizeof(*by_name), cmp_label_ptr);
    for (size_t i = 1; i < p->n_raw; i++) {
        size_t k = (size_t)(by_name[i] - p->labels);

        if (strcmp(by_name[i]->name, by_name[i - 1]->name) == 0 && (!dup_col || k < dup)) {
            dup = k;
            dup_col = p->raw[k].col;
        }
    }
    free(by_name);
    if (dup_col)
        return bad(c, c->line + dup_col - 1, "duplicate label name '%s'", p->labels[dup].name);
    return 0;
}

/* The token at c->p: up to a blank or the line end. */
static size_t token_len(const struct cursor *c)
{
    size_t n = 0;

    while (c->p + n < c->end && !is_blank(c->p[n]))
        n++;
    return n;
}

static int eq_nocase(const char *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n && word[i]; i++)
        if ((s[i] | 0x20) != word[i])
            return 0;
    return i == n && word[i] == '\0';
}

/* Is s (n bytes) a decimal float: [+-] (digits [. digits*] | . digits) [e [+-] digits]? */
static int is_decimal(const char *s, size_t n)
{
    size_t i = 0, digits = 0;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && is_digit(s[i]); i++)
        digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && is_digit(s[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t exp = 0;

        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && is_digit(s[i]); i++)
            exp++;
        if (exp == 0)
            return 0;
    }
    return i == n;
}

/* strtod of a NUL-ended decimal whose point is '.', whatever the locale. */
static double c_strtod(char *s)
{
    const char *point = localeconv()->decimal_point;
    char *dot = strchr(s, '.');

    if (dot && point && point[0] && point[0] != '.' && point[1] == '\0')
        *dot = point[0];
    return strtod(s, NULL);
}

/* The sample value: n bytes at c->p. */
static int read_value(struct promsample_parser *p, struct cursor *c, size_t n, double *out)
{
    const char *s = c->p;
    size_t sign = n > 0 && (s[0] == '+' || s[0] == '-');

    if (eq_nocase(s + sign, n - sign, "inf") || eq_nocase(s + sign, n - sign, "infinity")) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    if (eq_nocase(s, n, "nan")) {
        *out = NAN;
        return 0;
    }
    if (!is_decimal(s, n))
        return bad(c, s, "invalid value '%.*s'", (int)(n < QUOTE_MAX ? n : QUOTE_MAX), s);
    vbuf_reset(&p->num);
    if (vbuf_add(&p->num, s, n) < 0)
        return no_memory(c);
    *out = c_strtod(p->num.data);
    if (isinf(*out))
        return bad(c, s, "value '%.*s' is out of range", (int)(n < QUOTE_MAX ? n : QUOTE_MAX), s);
    return 0;
}

/* The timestamp: n bytes at c->p, [+-]digits within int64. */
static int read_timestamp(struct cursor *c, size_t n, int64_t *out)
{
    const char *s = c->p;
    size_t i = n > 0 && (s[0] == '+' || s[0] == '-');
    int neg = s[0] == '-';
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

    if (i == n)
        return bad(c, s, "invalid timestamp '%.*s'", (int)(n < QUOTE_MAX ? n : QUOTE_MAX), s);
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');

        if (!is_digit(s[i]))
            return bad(c, s, "invalid timestamp '%.*s'", (int)(n < QUOTE_MAX ? n : QUOTE_MAX), s);
        if (v > (limit - d) / 10)
            return bad(c, s, "timestamp '%.*s' is out of range",
                       (int)(n < QUOTE_MAX ? n : QUOTE_MAX), s);
        v = v * 10 + d;
    }
    *out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return 0;
}

/* After the name and labels: the value, an optional timestamp, the line end. */
static int read_rest(struct promsample_parser *p, struct cursor *c, struct promsample *s)
{
    size_t n;

    skip_blanks(c);
    n = token_len(c);
    if (n == 0)
        return bad(c, c->p, "expected a value for metric '%s'", p->strs.data);
    if (read_value(p, c, n, &s->value) < 0)
        return -1;
    c->p += n;
    skip_blanks(c);
    n = token_len(c);
    if (n > 0) {
        if (read_timestamp(c, n, &s->timestamp_ms) < 0)
            return -1;
        s->has_timestamp = 1;
        c->p += n;
        skip_blanks(c);
    }
    if (c->p < c->end)
        return bad(c, c->p, "unexpected text after the %s",
                   s->has_timestamp ? "timestamp" : "value");
    return 0;
}

/* A sample line (blanks before the name already skipped). */
static int read_sample(struct promsample_parser *p, struct cursor *c, struct promsample *s)
{
    const char *start = c->p;
    size_t off;

    memset(s, 0, sizeof(*s));
    vbuf_reset(&p->strs);
    p->n_raw = 0;
    if (!is_name_start(*c->p))
        return bad(c, c->p, "expected a metric name");
    while (c->p < c->end && is_name_char(*c->p))
        c->p++;
    if (add_str(p, c, start, (size_t)(c->p - start), &off) < 0)
        return -1;
    if (c->p < c->end && !is_blank(*c->p) && *c->p != '{')
        return bad(c, c->p, "expected '{' or a blank after metric name '%s'", p->strs.data);
    skip_blanks(c);
    if (c->p < c->end && *c->p == '{') {
        c->p++;
        if (read_labels(p, c) < 0)
            return -1;
    }
    if (finish_labels(p, c) < 0 || read_rest(p, c, s) < 0)
        return -1;
    s->name = p->strs.data;
    s->labels = p->labels;
    s->n_labels = p->n_raw;
    s->line = c->lineno;
    return 0;
}

enum promsample_status promsample_next(struct promsample_parser *p, struct promsample *s,
                                       struct vs_error *err)
{
    while (p->pos && p->pos < p->end) {
        const char *nl = memchr(p->pos, '\n', (size_t)(p->end - p->pos));
        struct cursor c = {p->pos, p->pos, nl ? nl : p->end, ++p->lineno, err};

        p->pos = nl ? nl + 1 : p->end;
        while (c.end > c.line && c.end[-1] == '\r')
            c.end--;
        skip_blanks(&c);
        if (c.p == c.end || *c.p == '#')
            continue;
        if (read_sample(p, &c, s) < 0)
            return PROMSAMPLE_ERROR;
        return PROMSAMPLE_SAMPLE;
    }
    return PROMSAMPLE_END;
}

const char *promsample_label(const struct promsample *s, const char *name)
{
    for (size_t i = 0; i < s->n_labels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}

static int add_escaped(struct vbuf *out, const char *v)
{
    for (; *v; v++) {
        int rc = *v == '\\'   ? vbuf_add(out, "\\\\", 2)
                 : *v == '"'  ? vbuf_add(out, "\\\"", 2)
                 : *v == '\n' ? vbuf_add(out, "\\n", 2)
                              : vbuf_addc(out, *v);

        if (rc < 0)
            return -1;
    }
    return 0;
}

int promsample_series(const struct promsample *s, struct vbuf *out)
{
    const struct promsample_label **sorted = NULL;
    size_t len0 = out->len;
    int rc = -1;

    if (s->n_labels && !(sorted = malloc(s->n_labels * sizeof(*sorted)))) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < s->n_labels; i++)
        sorted[i] = &s->labels[i];
    if (s->n_labels)
        qsort(sorted, s->n_labels, sizeof(*sorted), cmp_label_ptr);
    if (vbuf_adds(out, s->name) < 0)
        goto out;
    for (size_t i = 0; i < s->n_labels; i++)
        if (vbuf_addc(out, i ? ',' : '{') < 0 || vbuf_adds(out, sorted[i]->name) < 0 ||
            vbuf_add(out, "=\"", 2) < 0 || add_escaped(out, sorted[i]->value) < 0 ||
            vbuf_addc(out, '"') < 0)
            goto out;
    if (s->n_labels && vbuf_addc(out, '}') < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0) {
        int e = errno;

        out->len = len0;
        if (out->data)
            out->data[len0] = '\0';
        errno = e;
    }
    free(sorted);
    return rc;
}
