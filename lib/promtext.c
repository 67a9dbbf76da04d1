#include "promtext.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A piece of the input text. */
struct span {
    const char *p;
    size_t len;
};

enum line_kind {
    LINE_BLANK,
    LINE_META,   /* # HELP, # TYPE or # UNIT with a metric name */
    LINE_SAMPLE, /* starts with a metric name */
    LINE_OTHER,  /* names no family */
};

/* One line, classified. */
struct line {
    struct span text; /* without the line end */
    enum line_kind kind;
    struct span name; /* LINE_META, LINE_SAMPLE */
    struct span type; /* the type word of a TYPE line; len 0 otherwise */
    int is_type;      /* a TYPE line */
};

struct filter {
    const char *const *keep; /* NULL: keep everything */
    struct vbuf *out;
    long lineno;          /* of the line being read, 1-based */
    struct span family;   /* the family being read */
    const char *suffixes; /* its sample suffixes: "_sum\0_count\0\0"; "" for none */
    unsigned long group;  /* counts families begun; 0: none yet */
    int kept;             /* the family being read is kept */
    const char *pending;  /* first line naming no family since the last named one */
    long pending_lineno;
    unsigned long pending_group; /* the family read when pending began */
    int list;                    /* gather names: the caller wants them */
    struct span *names;          /* the families kept, maybe repeated */
    size_t n_names, cap_names;
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static int is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && is_blank(*p))
        p++;
    return p;
}

/* The token at p: up to the next blank or end. */
static struct span token(const char *p, const char *end)
{
    struct span t = {p, 0};

    while (p + t.len < end && !is_blank(p[t.len]))
        t.len++;
    return t;
}

/* Length of the metric name at p, 0 if none starts there. */
static size_t name_len(const char *p, const char *end)
{
    size_t n = 0;

    if (p < end && is_name_start(*p))
        for (n = 1; p + n < end && is_name_char(p[n]);)
            n++;
    return n;
}

static int span_is(struct span s, const char *word)
{
    return s.len == strlen(word) && memcmp(s.p, word, s.len) == 0;
}

static int span_eq(struct span a, struct span b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* "# HELP name ...", "# TYPE name type", "# UNIT name unit"; else LINE_OTHER. */
static void classify_comment(struct line *l, const char *p, const char *end)
{
    struct span word = token(skip_blanks(p + 1, end), end);
    size_t n;

    l->kind = LINE_OTHER;
    if (!span_is(word, "HELP") && !span_is(word, "TYPE") && !span_is(word, "UNIT"))
        return;
    p = word.p + word.len;
    if (p == end || !is_blank(*p))
        return;
    p = skip_blanks(p, end);
    n = name_len(p, end);
    if (n == 0 || (p + n < end && !is_blank(p[n])))
        return;
    l->kind = LINE_META;
    l->name = (struct span){p, n};
    l->is_type = span_is(word, "TYPE");
    if (l->is_type)
        l->type = token(skip_blanks(p + n, end), end);
}

static void classify(struct line *l)
{
    const char *end = l->text.p + l->text.len, *p = l->text.p;
    size_t n;

    l->kind = LINE_BLANK;
    l->name = l->type = (struct span){NULL, 0};
    l->is_type = 0;
    while (p < end && (is_blank(*p) || *p == '\r'))
        p++;
    if (p == end)
        return;
    p = skip_blanks(l->text.p, end);
    if (*p == '#') {
        classify_comment(l, p, end);
        return;
    }
    n = name_len(p, end);
    l->kind = LINE_OTHER;
    if (n > 0 && (p + n == end || p[n] == '{' || is_blank(p[n]))) {
        l->kind = LINE_SAMPLE;
        l->name = (struct span){p, n};
    }
}

/* The line at p (p < end) into l; returns where the next one starts. */
static const char *next_line(const char *p, const char *end, struct line *l)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;

    while (e > p && e[-1] == '\r')
        e--;
    l->text = (struct span){p, (size_t)(e - p)};
    classify(l);
    return nl ? nl + 1 : end;
}

/* The sample suffixes of a family of the given type word. */
static const char *type_suffixes(struct span type)
{
    static const struct {
        const char *type, *suffixes;
    } table[] = {
        {"counter", "_total\0_created\0"},
        {"histogram", "_bucket\0_sum\0_count\0_created\0"},
        {"gaugehistogram", "_bucket\0_gsum\0_gcount\0"},
        {"summary", "_sum\0_count\0_created\0"},
        {"info", "_info\0"},
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (span_is(type, table[i].type))
            return table[i].suffixes;
    return "";
}

/* Does a sample named name belong to the family being read? */
static int family_has(const struct filter *f, struct span name)
{
    struct span rest;

    if (f->group == 0 || name.len < f->family.len ||
        memcmp(name.p, f->family.p, f->family.len) != 0)
        return 0;
    if (name.len == f->family.len)
        return 1;
    rest = (struct span){name.p + f->family.len, name.len - f->family.len};
    for (const char *s = f->suffixes; *s; s += strlen(s) + 1)
        if (span_is(rest, s))
            return 1;
    return 0;
}

static int pattern_matches(const char *pat, struct span name)
{
    size_t n = strlen(pat);

    if (n > 0 && pat[n - 1] == '*')
        return name.len >= n - 1 && memcmp(name.p, pat, n - 1) == 0;
    return span_is(name, pat);
}

static int keeps(const char *const *keep, struct span name)
{
    if (!keep)
        return 1;
    for (; *keep; keep++)
        if (pattern_matches(*keep, name))
            return 1;
    return 0;
}

static int fail(struct vs_error *err, long lineno, const struct vbuf *out)
{
    if (errno == E2BIG)
        return vs_error_setc(err, E2BIG, NULL, lineno, 0,
                             "filtered metrics text would exceed %zu bytes (input line %ld)",
                             out->max, lineno);
    return vs_error_setc(err, ENOMEM, NULL, lineno, 0, "out of memory filtering metrics text");
}

static int begin_family(struct filter *f, struct span name, struct vs_error *err)
{
    f->family = name;
    f->suffixes = "";
    f->group++;
    f->kept = keeps(f->keep, name);
    if (!f->kept || !f->list)
        return 0;
    if (f->n_names == f->cap_names) {
        size_t cap = f->cap_names ? f->cap_names * 2 : 16;
        struct span *p = cap < SIZE_MAX / sizeof(*p) ? realloc(f->names, cap * sizeof(*p)) : NULL;

        if (!p) {
            errno = ENOMEM;
            return fail(err, f->lineno, f->out);
        }
        f->names = p;
        f->cap_names = cap;
    }
    f->names[f->n_names++] = name;
    return 0;
}

static int emit(struct filter *f, struct span text, long lineno, struct vs_error *err)
{
    if (vbuf_add(f->out, text.p, text.len) < 0 || vbuf_addc(f->out, '\n') < 0)
        return fail(err, lineno, f->out);
    return 0;
}

/* Emit the lines naming no family from f->pending up to end. */
static int emit_pending(struct filter *f, const char *end, struct vs_error *err)
{
    long lineno = f->pending_lineno;
    struct line l;

    for (const char *p = f->pending; p < end; lineno++) {
        p = next_line(p, end, &l);
        if (l.kind != LINE_BLANK && emit(f, l.text, lineno, err) < 0)
            return -1;
    }
    return 0;
}

/* Which family a named line belongs to; begins a new one if needed. */
static int assign_family(struct filter *f, const struct line *l, struct vs_error *err)
{
    if (l->kind == LINE_META) {
        if ((f->group == 0 || !span_eq(l->name, f->family)) && begin_family(f, l->name, err) < 0)
            return -1;
        if (l->is_type)
            f->suffixes = type_suffixes(l->type);
        return 0;
    }
    if (!family_has(f, l->name))
        return begin_family(f, l->name, err);
    return 0;
}

static int filter_line(struct filter *f, const struct line *l, struct vs_error *err)
{
    if (l->kind == LINE_BLANK)
        return 0;
    if (l->kind == LINE_OTHER) {
        if (!f->keep)
            return emit(f, l->text, f->lineno, err);
        if (!f->pending && f->group > 0) {
            f->pending = l->text.p;
            f->pending_lineno = f->lineno;
            f->pending_group = f->group;
        }
        return 0;
    }
    if (assign_family(f, l, err) < 0)
        return -1;
    if (f->pending) {
        if (f->kept && f->group == f->pending_group && emit_pending(f, l->text.p, err) < 0)
            return -1;
        f->pending = NULL;
    }
    return f->kept ? emit(f, l->text, f->lineno, err) : 0;
}

static int compare_names(const void *a, const void *b)
{
    const struct span *x = *(const struct span *const *)a, *y = *(const struct span *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);

    if (c != 0)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x < y ? -1 : x > y; /* the first one seen first */
}

/* Mark repeated names (len = 0) so that each is listed once, where first seen. */
static int drop_repeats(struct span *names, size_t n)
{
    struct span **order = malloc(n * sizeof(*order));

    if (!order)
        return -1;
    for (size_t i = 0; i < n; i++)
        order[i] = &names[i];
    qsort(order, n, sizeof(*order), compare_names);
    for (size_t i = n; i-- > 1;)
        if (span_eq(*order[i], *order[i - 1]))
            order[i]->len = 0;
    free(order);
    return 0;
}

/* Copy the distinct names into one allocation. */
static int list_families(struct span *names, size_t n, struct promtext_families *fams)
{
    size_t count = 0, bytes = 0;
    char *s;

    if (n == 0)
        return 0;
    if (drop_repeats(names, n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (names[i].len > 0) {
            count++;
            bytes += names[i].len + 1;
        }
    fams->names = malloc(count * sizeof(char *) + bytes);
    if (!fams->names)
        return -1;
    s = (char *)(fams->names + count);
    for (size_t i = 0; i < n; i++) {
        if (names[i].len == 0)
            continue;
        fams->names[fams->n++] = s;
        memcpy(s, names[i].p, names[i].len);
        s += names[i].len;
        *s++ = '\0';
    }
    return 0;
}

int promtext_filter(const char *text, size_t len, const char *const *keep, struct vbuf *out,
                    struct promtext_families *families, struct vs_error *err)
{
    struct filter f = {.keep = keep, .out = out, .list = families != NULL};
    const char *p = text, *end;
    size_t out_len = out->len;
    struct line l;
    int rc = -1;

    if (families)
        *families = (struct promtext_families){NULL, 0};
    if (len == 0)
        return 0;
    end = text + len;
    for (f.lineno = 1; p < end; f.lineno++) {
        p = next_line(p, end, &l);
        if (filter_line(&f, &l, err) < 0)
            goto out;
    }
    if (families && list_families(f.names, f.n_names, families) < 0) {
        errno = ENOMEM;
        fail(err, 0, out);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0 && out->data) {
        out->len = out_len;
        out->data[out_len] = '\0';
    }
    free(f.names);
    return rc;
}

void promtext_families_release(struct promtext_families *f)
{
    if (!f)
        return;
    free(f->names);
    f->names = NULL;
    f->n = 0;
}

int promtext_pattern_check(const char *pattern, struct vs_error *err)
{
    size_t len = strlen(pattern), n = name_len(pattern, pattern + len);

    if (len == 0)
        return vs_error_set(err, NULL, 0, 0, "empty metric family pattern");
    if (n == len || (n + 1 == len && pattern[n] == '*'))
        return 0;
    return vs_error_set(err, NULL, 0, 1 + (long)n,
                        "metric family pattern '%s' is not a metric name, optionally followed by "
                        "'*'",
                        pattern);
}
