/*
 * selector.c - label and field selectors (see selector.h).
 *
 * The label parser follows k8s.io/apimachinery/pkg/labels/selector.go step by
 * step: the same tokens (the longest of "!=" "==" over single symbols; any run
 * of other bytes is an identifier), the same one-token lookahead, the same
 * "in"/"notin" demotion to identifiers wherever a value or key is expected,
 * and the same checks after a requirement is read (NewRequirement). The field
 * parser follows pkg/fields/selector.go (splitTerms, splitTerm,
 * UnescapeValue).
 */
#include "selector.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sel_op { OP_EXISTS, OP_NOT_EXISTS, OP_EQ, OP_EQEQ, OP_NE, OP_IN, OP_NOTIN, OP_GT, OP_LT };

struct sel_req {
    char *key;      /* label key or field path */
    enum sel_op op; /* fields use only OP_EQ and OP_NE */
    char **values;  /* sorted, no duplicates; none for exists / not exists */
    size_t nvalues;
    long long num; /* the number of OP_GT and OP_LT */
};

struct selector {
    int is_fields;
    struct sel_req *reqs;
    size_t n, cap;
};

#define LABEL_NAME_MAX 63
#define LABEL_PREFIX_MAX 253
#define LABEL_VALUE_MAX 63
#define SHOW_MAX 64 /* bytes of a literal quoted in a message */

#define WHERE_LABELS "labelSelector"
#define WHERE_FIELDS "fieldSelector"

#define QNAME_MSG                                                                                  \
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "    \
    "alphanumeric character"
#define DNS_MSG                                                                                    \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "   \
    "'.', and must start and end with an alphanumeric character"
#define VALUE_MSG "a valid label must be an empty string or " QNAME_MSG

/* ---- the selector ------------------------------------------------------- */

static void req_release(struct sel_req *r)
{
    for (size_t i = 0; i < r->nvalues; i++)
        free(r->values[i]);
    free(r->values);
    free(r->key);
    memset(r, 0, sizeof(*r));
}

void selector_free(struct selector *sel)
{
    if (!sel)
        return;
    for (size_t i = 0; i < sel->n; i++)
        req_release(&sel->reqs[i]);
    free(sel->reqs);
    free(sel);
}

int selector_is_empty(const struct selector *sel)
{
    return !sel || sel->n == 0;
}

/* Append r, taking what it owns (r is zeroed); -1 when out of memory. */
static int selector_add(struct selector *sel, struct sel_req *r)
{
    if (sel->n == sel->cap) {
        size_t cap = sel->cap ? sel->cap * 2 : 4;
        struct sel_req *p = realloc(sel->reqs, cap * sizeof(*p));

        if (!p)
            return -1;
        sel->reqs = p;
        sel->cap = cap;
    }
    sel->reqs[sel->n++] = *r;
    memset(r, 0, sizeof(*r));
    return 0;
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A total order on requirements, so that the canonical text is unique. */
static int req_cmp(const void *a, const void *b)
{
    const struct sel_req *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    if (x->op != y->op)
        return x->op < y->op ? -1 : 1;
    if (x->nvalues != y->nvalues)
        return x->nvalues < y->nvalues ? -1 : 1;
    for (size_t i = 0; i < x->nvalues; i++)
        if ((c = strcmp(x->values[i], y->values[i])) != 0)
            return c;
    return 0;
}

static void selector_sort(struct selector *sel)
{
    if (sel->n > 1)
        qsort(sel->reqs, sel->n, sizeof(sel->reqs[0]), req_cmp);
}

/* ---- messages ------------------------------------------------------------ */

/* s[0..len) for a message: at most SHOW_MAX bytes, unprintable bytes as \xNN. */
static const char *show(char *buf, size_t n, const char *s, size_t len)
{
    size_t o = 0;

    for (size_t i = 0; i < len && i < SHOW_MAX && o + 5 < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c < 0x7f)
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
    }
    if (len > SHOW_MAX && o + 4 < n) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

#define SHOW_BUF (SHOW_MAX * 4 + 8)

static int fail_nomem(struct vs_error *err, const char *where)
{
    return vs_error_setc(err, ENOMEM, where, 0, 0, "out of memory");
}

static int check_length(const char *text, const char *where, struct vs_error *err)
{
    if (strlen(text) > SELECTOR_TEXT_MAX)
        return vs_error_set(err, where, 0, 0, "selector longer than %d bytes", SELECTOR_TEXT_MAX);
    return 0;
}

/* Problems found with a key or value, joined with "; " as apimachinery does. */
struct problems {
    char s[400];
    size_t len;
};

static void problem(struct problems *p, const char *text)
{
    int n = snprintf(p->s + p->len, sizeof(p->s) - p->len, "%s%s", p->len ? "; " : "", text);

    if (n > 0)
        p->len += (size_t)n < sizeof(p->s) - p->len ? (size_t)n : sizeof(p->s) - 1 - p->len;
}

/* ---- label keys and values (util/validation) ------------------------------- */

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static int qualified_name_ok(const char *s, size_t n)
{
    if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return 0;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return 0;
    return 1;
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static int dns_label_ok(const char *s, size_t n)
{
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return 0;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-')
            return 0;
    return 1;
}

/* dns labels joined by dots */
static int dns_subdomain_ok(const char *s, size_t n)
{
    size_t i = 0;

    for (;;) {
        size_t j = i;

        while (j < n && s[j] != '.')
            j++;
        if (!dns_label_ok(s + i, j - i))
            return 0;
        if (j == n)
            return 1;
        i = j + 1;
    }
}

/* IsQualifiedName: [prefix "/"] name */
static void label_key_problems(const char *k, size_t n, struct problems *p)
{
    const char *slash = memchr(k, '/', n);
    const char *name = k;
    size_t nlen = n;

    if (slash) {
        size_t plen = (size_t)(slash - k);

        if (memchr(slash + 1, '/', n - plen - 1)) {
            problem(p, "a qualified name " QNAME_MSG " with an optional DNS subdomain prefix and "
                       "'/' (e.g. 'example.com/MyName')");
            return;
        }
        if (plen == 0)
            problem(p, "prefix part must be non-empty");
        if (plen > LABEL_PREFIX_MAX)
            problem(p, "prefix part must be no more than 253 characters");
        if (plen > 0 && !dns_subdomain_ok(k, plen))
            problem(p, "prefix part " DNS_MSG);
        name = slash + 1;
        nlen = n - plen - 1;
    }
    if (nlen == 0)
        problem(p, "name part must be non-empty");
    else if (nlen > LABEL_NAME_MAX)
        problem(p, "name part must be no more than 63 characters");
    if (!qualified_name_ok(name, nlen))
        problem(p, "name part " QNAME_MSG);
}

/* IsValidLabelValue */
static void label_value_problems(const char *v, size_t n, struct problems *p)
{
    if (n > LABEL_VALUE_MAX)
        problem(p, "must be no more than 63 characters");
    if (n > 0 && !qualified_name_ok(v, n))
        problem(p, VALUE_MSG);
}

/* strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no overflow. */
static int parse_int64(const char *s, long long *out)
{
    unsigned long long v = 0, limit = 9223372036854775807ULL;
    int neg = (*s == '-');

    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return -1;
    if (neg)
        limit++;
    for (; *s; s++) {
        unsigned d = (unsigned)(*s - '0');

        if (d > 9 || v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == limit ? (-9223372036854775807LL - 1) : -(long long)v;
    else
        *out = (long long)v;
    return 0;
}

/* ---- label selector: lexer ---------------------------------------------- */

enum tok {
    T_EOS,
    T_CPAR,
    T_COMMA,
    T_NOT,
    T_EQEQ,
    T_EQ,
    T_GT,
    T_IDENT,
    T_IN,
    T_LT,
    T_NE,
    T_NOTIN,
    T_OPAR,
};

struct token {
    enum tok t;
    size_t at, len; /* the literal is s[at..at+len) */
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_special(char c)
{
    return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static enum tok special_token(const char *s, size_t len)
{
    if (len == 2)
        return s[0] == '!' ? T_NE : T_EQEQ;
    switch (s[0]) {
    case '=':
        return T_EQ;
    case '!':
        return T_NOT;
    case '(':
        return T_OPAR;
    case ')':
        return T_CPAR;
    case ',':
        return T_COMMA;
    case '>':
        return T_GT;
    default:
        return T_LT;
    }
}

/* The token at s + *pos (after blanks); *pos moves past it. */
static struct token lex(const char *s, size_t *pos)
{
    struct token t = {T_EOS, *pos, 0};

    while (is_blank(s[t.at]))
        t.at++;
    if (!s[t.at]) {
        *pos = t.at;
        return t;
    }
    if (is_special(s[t.at])) {
        t.len = (s[t.at] == '!' || s[t.at] == '=') && s[t.at + 1] == '=' ? 2 : 1;
        t.t = special_token(s + t.at, t.len);
    } else {
        while (s[t.at + t.len] && !is_special(s[t.at + t.len]) && !is_blank(s[t.at + t.len]))
            t.len++;
        t.t = T_IDENT;
        if (t.len == 2 && memcmp(s + t.at, "in", 2) == 0)
            t.t = T_IN;
        else if (t.len == 5 && memcmp(s + t.at, "notin", 5) == 0)
            t.t = T_NOTIN;
    }
    *pos = t.at + t.len;
    return t;
}

/* ---- label selector: parser ---------------------------------------------- */

struct lparser {
    const char *s;
    size_t pos;         /* where the lexer goes on */
    struct token ahead; /* the next token */
    struct vs_error *err;
};

/* Values of one requirement while it is read, with their positions. */
struct values {
    char **v;
    size_t *at;
    size_t n, cap;
};

static void values_release(struct values *vb)
{
    for (size_t i = 0; i < vb->n; i++)
        free(vb->v[i]);
    free(vb->v);
    free(vb->at);
    memset(vb, 0, sizeof(*vb));
}

/* In a key or value position "in" and "notin" are identifiers. */
static struct token peek(const struct lparser *p, int as_value)
{
    struct token t = p->ahead;

    if (as_value && (t.t == T_IN || t.t == T_NOTIN))
        t.t = T_IDENT;
    return t;
}

static struct token take(struct lparser *p, int as_value)
{
    struct token t = peek(p, as_value);

    p->ahead = lex(p->s, &p->pos);
    return t;
}

static int lfail(struct lparser *p, int in_req, size_t at, const char *fmt, ...) VS_PRINTF(4, 5);

static int lfail(struct lparser *p, int in_req, size_t at, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return vs_error_set(p->err, WHERE_LABELS, 1, (long)at + 1, "%s%s",
                        in_req ? "unable to parse requirement: " : "", msg);
}

static int lfail_found(struct lparser *p, int in_req, struct token t, const char *expected)
{
    char lit[SHOW_BUF];

    return lfail(p, in_req, t.at, "found '%s', expected: %s",
                 show(lit, sizeof(lit), p->s + t.at, t.len), expected);
}

static int values_add(struct lparser *p, struct values *vb, const char *s, size_t len, size_t at)
{
    if (vb->n == vb->cap) {
        size_t cap = vb->cap ? vb->cap * 2 : 4;
        char **v = realloc(vb->v, cap * sizeof(*v));
        size_t *a;

        if (!v)
            return fail_nomem(p->err, WHERE_LABELS);
        vb->v = v;
        if (!(a = realloc(vb->at, cap * sizeof(*a))))
            return fail_nomem(p->err, WHERE_LABELS);
        vb->at = a;
        vb->cap = cap;
    }
    if (!(vb->v[vb->n] = strndup(s, len)))
        return fail_nomem(p->err, WHERE_LABELS);
    vb->at[vb->n++] = at;
    return 0;
}

static int values_add_token(struct lparser *p, struct values *vb, struct token t)
{
    return values_add(p, vb, p->s + t.at, t.len, t.at);
}

/*
 * [!] KEY. Returns 1 when the requirement ends with the key (exists, not
 * exists: r->op set), 0 when an operator follows, -1 on error.
 */
static int parse_key(struct lparser *p, struct sel_req *r)
{
    struct token t = take(p, 1), next;
    struct problems pr = {"", 0};
    char lit[SHOW_BUF];
    int negated = 0;

    if (t.t == T_NOT) {
        negated = 1;
        t = take(p, 1);
    }
    if (t.t != T_IDENT)
        return lfail_found(p, 1, t, "identifier");
    label_key_problems(p->s + t.at, t.len, &pr);
    if (pr.len)
        return lfail(p, 1, t.at, "invalid label key \"%s\": %s",
                     show(lit, sizeof(lit), p->s + t.at, t.len), pr.s);
    if (!(r->key = strndup(p->s + t.at, t.len)))
        return fail_nomem(p->err, WHERE_LABELS);
    next = peek(p, 1);
    if (negated) {
        r->op = OP_NOT_EXISTS;
        return 1;
    }
    if (next.t == T_EOS || next.t == T_COMMA) {
        r->op = OP_EXISTS;
        return 1;
    }
    return 0;
}

static int parse_operator(struct lparser *p, struct sel_req *r)
{
    struct token t = take(p, 0);

    switch (t.t) {
    case T_IN:
        r->op = OP_IN;
        return 0;
    case T_NOTIN:
        r->op = OP_NOTIN;
        return 0;
    case T_EQ:
        r->op = OP_EQ;
        return 0;
    case T_EQEQ:
        r->op = OP_EQEQ;
        return 0;
    case T_NE:
        r->op = OP_NE;
        return 0;
    case T_GT:
        r->op = OP_GT;
        return 0;
    case T_LT:
        r->op = OP_LT;
        return 0;
    default:
        return lfail_found(p, 1, t, "in, notin, =, ==, !=, gt, lt");
    }
}

/* The list after "(": possibly empty values separated by commas, up to ")". */
static int parse_value_list(struct lparser *p, struct values *vb)
{
    for (;;) {
        struct token t = take(p, 1), next;

        if (t.t == T_IDENT) {
            if (values_add_token(p, vb, t) < 0)
                return -1;
            next = peek(p, 1);
            if (next.t == T_COMMA)
                continue;
            if (next.t == T_CPAR)
                return 0;
            return lfail_found(p, 1, next, "',' or ')'");
        }
        if (t.t != T_COMMA)
            return lfail_found(p, 1, t, "',', or identifier");
        /* "(," ",," and ",)" stand for empty values */
        next = peek(p, 1);
        if ((vb->n == 0 || next.t == T_CPAR || next.t == T_COMMA) &&
            values_add(p, vb, "", 0, t.at) < 0)
            return -1;
        if (next.t == T_CPAR)
            return 0;
    }
}

static int parse_values(struct lparser *p, struct values *vb)
{
    struct token t = take(p, 1);

    if (t.t != T_OPAR)
        return lfail_found(p, 1, t, "'('");
    t = peek(p, 1);
    if (t.t == T_CPAR) {
        take(p, 1);
        return values_add(p, vb, "", 0, t.at);
    }
    if (t.t != T_IDENT && t.t != T_COMMA)
        return lfail_found(p, 1, t, "',', ')' or identifier");
    if (parse_value_list(p, vb) < 0)
        return -1;
    t = take(p, 1); /* the ")" parse_value_list saw */
    return t.t == T_CPAR ? 0 : lfail_found(p, 1, t, "')'");
}

static int parse_exact_value(struct lparser *p, struct values *vb)
{
    struct token t = peek(p, 1);

    if (t.t == T_EOS || t.t == T_COMMA)
        return values_add(p, vb, "", 0, t.at);
    t = take(p, 1);
    if (t.t != T_IDENT)
        return lfail_found(p, 1, t, "identifier");
    return values_add_token(p, vb, t);
}

/* NewRequirement's checks of the values, first problem in text order. */
static int check_values(struct lparser *p, struct sel_req *r, const struct values *vb)
{
    char lit[SHOW_BUF];

    if ((r->op == OP_GT || r->op == OP_LT) && parse_int64(vb->v[0], &r->num) < 0)
        return lfail(p, 1, vb->at[0],
                     "invalid label value \"%s\": for 'Gt', 'Lt' operators, the value must be an "
                     "integer",
                     show(lit, sizeof(lit), vb->v[0], strlen(vb->v[0])));
    for (size_t i = 0; i < vb->n; i++) {
        struct problems pr = {"", 0};
        size_t len = strlen(vb->v[i]);

        label_value_problems(vb->v[i], len, &pr);
        if (pr.len)
            return lfail(p, 1, vb->at[i], "invalid label value \"%s\": %s",
                         show(lit, sizeof(lit), vb->v[i], len), pr.s);
    }
    return 0;
}

/* Move the values into r, sorted and without duplicates (a set, as in Go). */
static void take_values(struct sel_req *r, struct values *vb)
{
    size_t n = 0;

    qsort(vb->v, vb->n, sizeof(vb->v[0]), str_ptr_cmp);
    for (size_t i = 0; i < vb->n; i++) {
        if (n > 0 && strcmp(vb->v[n - 1], vb->v[i]) == 0)
            free(vb->v[i]);
        else
            vb->v[n++] = vb->v[i];
    }
    r->values = vb->v;
    r->nvalues = n;
    free(vb->at);
    memset(vb, 0, sizeof(*vb));
}

static int parse_requirement(struct lparser *p, struct selector *sel)
{
    struct sel_req r = {0};
    struct values vb = {0};
    int rc = -1, unary = parse_key(p, &r);

    if (unary < 0)
        goto out;
    if (!unary) {
        if (parse_operator(p, &r) < 0)
            goto out;
        if ((r.op == OP_IN || r.op == OP_NOTIN ? parse_values(p, &vb) : parse_exact_value(p, &vb)) <
            0)
            goto out;
        if (check_values(p, &r, &vb) < 0)
            goto out;
        take_values(&r, &vb);
    }
    if (selector_add(sel, &r) < 0) {
        fail_nomem(p->err, WHERE_LABELS);
        goto out;
    }
    rc = 0;
out:
    values_release(&vb);
    req_release(&r);
    return rc;
}

/* requirement ("," requirement)* */
static int parse_labels(struct lparser *p, struct selector *sel)
{
    for (;;) {
        struct token t = peek(p, 1);

        if (t.t == T_EOS)
            return 0;
        if (t.t != T_IDENT && t.t != T_NOT)
            return lfail_found(p, 0, t, "!, identifier, or 'end of string'");
        if (parse_requirement(p, sel) < 0)
            return -1;
        t = take(p, 1);
        if (t.t == T_EOS)
            return 0;
        if (t.t != T_COMMA)
            return lfail_found(p, 0, t, "',' or 'end of string'");
        t = peek(p, 1);
        if (t.t != T_IDENT && t.t != T_NOT)
            return lfail_found(p, 0, t, "identifier after ','");
    }
}

struct selector *selector_parse_labels(const char *text, struct vs_error *err)
{
    struct lparser p = {text, 0, {T_EOS, 0, 0}, err};
    struct selector *sel;

    if (check_length(text, WHERE_LABELS, err) < 0)
        return NULL;
    if (!(sel = calloc(1, sizeof(*sel)))) {
        fail_nomem(err, WHERE_LABELS);
        return NULL;
    }
    p.ahead = lex(text, &p.pos);
    if (parse_labels(&p, sel) < 0) {
        selector_free(sel);
        return NULL;
    }
    selector_sort(sel);
    return sel;
}

/* ---- field selector ------------------------------------------------------- */

struct part {
    const char *s; /* the whole text */
    size_t at, len;
};

static int part_cmp(const void *a, const void *b)
{
    const struct part *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s + x->at, y->s + y->at, n);

    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* splitTerms: cut at commas not escaped by a backslash. NULL when no memory. */
static struct part *split_terms(const char *s, size_t len, size_t *count)
{
    struct part *parts = malloc(sizeof(*parts) * (len + 1));
    size_t n = 0, start = 0;
    int in_slash = 0;

    if (!parts)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (in_slash)
            in_slash = 0;
        else if (s[i] == '\\')
            in_slash = 1;
        else if (s[i] == ',') {
            parts[n++] = (struct part){s, start, i - start};
            start = i + 1;
        }
    }
    if (len > 0)
        parts[n++] = (struct part){s, start, len - start};
    *count = n;
    return parts;
}

/* splitTerm: the first "!=", "==" or "=" (tried in that order at each byte). */
static int split_term(const char *t, size_t n, size_t *lhs, size_t *oplen, int *ne)
{
    for (size_t i = 0; i < n; i++) {
        int two = i + 1 < n && t[i + 1] == '=';

        if ((t[i] == '!' && two) || t[i] == '=') {
            *lhs = i;
            *ne = t[i] == '!';
            *oplen = two ? 2 : 1;
            return 0;
        }
    }
    return -1;
}

/* UnescapeValue: \\ \, \= are the only escapes; bare , and = are errors. */
static char *unescape(const char *s, size_t n, size_t at, struct vs_error *err)
{
    char *v = malloc(n + 1), lit[SHOW_BUF];
    size_t k = 0;
    int in_slash = 0;

    if (!v) {
        fail_nomem(err, WHERE_FIELDS);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (in_slash && c != '\\' && c != ',' && c != '=') {
            vs_error_set(err, WHERE_FIELDS, 1, (long)(at + i),
                         "invalid field selector: invalid escape sequence: \\%s",
                         show(lit, sizeof(lit), s + i, 1));
            goto fail;
        }
        if (!in_slash && (c == ',' || c == '=')) {
            vs_error_set(err, WHERE_FIELDS, 1, (long)(at + i + 1),
                         "invalid field selector: unescaped character in value: '%c'", c);
            goto fail;
        }
        if (!in_slash && c == '\\')
            in_slash = 1;
        else {
            v[k++] = c;
            in_slash = 0;
        }
    }
    if (in_slash) {
        vs_error_set(err, WHERE_FIELDS, 1, (long)(at + n),
                     "invalid field selector: invalid escape sequence: \\");
        goto fail;
    }
    v[k] = '\0';
    return v;
fail:
    free(v);
    return NULL;
}

static int parse_field_term(struct selector *sel, const struct part *pt, struct vs_error *err)
{
    const char *t = pt->s + pt->at;
    size_t lhs, oplen;
    struct sel_req r = {0};
    char *value, lit[SHOW_BUF], whole[SHOW_BUF];
    int ne;

    if (split_term(t, pt->len, &lhs, &oplen, &ne) < 0)
        return vs_error_set(
            err, WHERE_FIELDS, 1, (long)pt->at + 1, "invalid selector: '%s'; can't understand '%s'",
            show(whole, sizeof(whole), pt->s, strlen(pt->s)), show(lit, sizeof(lit), t, pt->len));
    value = unescape(t + lhs + oplen, pt->len - lhs - oplen, pt->at + lhs + oplen, err);
    if (!value)
        return -1;
    if (lhs == 0 && !value[0]) { /* Transform() drops a term with no field and no value */
        free(value);
        return 0;
    }
    r.op = ne ? OP_NE : OP_EQ;
    r.key = strndup(t, lhs);
    r.values = malloc(sizeof(*r.values));
    if (r.values)
        r.values[r.nvalues++] = value;
    else
        free(value);
    if (!r.key || !r.values || selector_add(sel, &r) < 0) {
        req_release(&r);
        return fail_nomem(err, WHERE_FIELDS);
    }
    return 0;
}

struct selector *selector_parse_fields(const char *text, struct vs_error *err)
{
    struct selector *sel = NULL;
    struct part *parts = NULL;
    size_t n = 0;

    if (check_length(text, WHERE_FIELDS, err) < 0)
        return NULL;
    sel = calloc(1, sizeof(*sel));
    parts = split_terms(text, strlen(text), &n);
    if (!sel || !parts) {
        fail_nomem(err, WHERE_FIELDS);
        goto fail;
    }
    sel->is_fields = 1;
    /* apimachinery sorts the raw terms first: the first error is in that order */
    qsort(parts, n, sizeof(parts[0]), part_cmp);
    for (size_t i = 0; i < n; i++)
        if (parts[i].len > 0 && parse_field_term(sel, &parts[i], err) < 0)
            goto fail;
    free(parts);
    selector_sort(sel);
    return sel;
fail:
    free(parts);
    selector_free(sel);
    return NULL;
}

/* ---- matching ---------------------------------------------------------------- */

/* The member of obj named s[0..len), or NULL. */
static const cJSON *member(const cJSON *obj, const char *s, size_t len)
{
    if (!cJSON_IsObject(obj))
        return NULL;
    for (const cJSON *c = obj->child; c; c = c->next)
        if (c->string && strlen(c->string) == len && memcmp(c->string, s, len) == 0)
            return c;
    return NULL;
}

static const char *label_value(const cJSON *labels, const char *key)
{
    const cJSON *v = member(labels, key, strlen(key));

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int has_value(const struct sel_req *r, const char *v)
{
    for (size_t i = 0; i < r->nvalues; i++)
        if (strcmp(r->values[i], v) == 0)
            return 1;
    return 0;
}

static int label_req_matches(const struct sel_req *r, const cJSON *labels)
{
    const char *v = label_value(labels, r->key);
    long long x;

    switch (r->op) {
    case OP_EXISTS:
        return v != NULL;
    case OP_NOT_EXISTS:
        return v == NULL;
    case OP_EQ:
    case OP_EQEQ:
    case OP_IN:
        return v && has_value(r, v);
    case OP_NE:
    case OP_NOTIN:
        return !v || !has_value(r, v);
    case OP_GT:
        return v && parse_int64(v, &x) == 0 && x > r->num;
    case OP_LT:
        return v && parse_int64(v, &x) == 0 && x < r->num;
    }
    return 0;
}

const cJSON *json_path_get(const cJSON *obj, const char *path)
{
    for (;;) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);

        obj = member(obj, path, len);
        if (!obj || !dot)
            return obj;
        path = dot + 1;
    }
}

/* A number as JSON text: integers plainly, others in the fewest digits. */
static const char *number_text(double d, char *buf, size_t n)
{
    if (d >= -9.2e18 && d <= 9.2e18 && (double)(long long)d == d) {
        snprintf(buf, n, "%lld", (long long)d);
        return buf;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return buf;
}

static const char *field_text(const cJSON *v, char *buf, size_t n)
{
    if (cJSON_IsString(v))
        return v->valuestring ? v->valuestring : "";
    if (cJSON_IsTrue(v))
        return "true";
    if (cJSON_IsFalse(v))
        return "false";
    if (cJSON_IsNumber(v))
        return number_text(v->valuedouble, buf, n);
    return ""; /* missing, null, object, array */
}

static int field_req_matches(const struct sel_req *r, const cJSON *obj)
{
    char buf[64];
    int eq = strcmp(field_text(json_path_get(obj, r->key), buf, sizeof(buf)), r->values[0]) == 0;

    return r->op == OP_NE ? !eq : eq;
}

int selector_matches(const struct selector *sel, const cJSON *obj)
{
    const cJSON *labels;

    if (!sel)
        return 1;
    labels = sel->is_fields ? NULL : member(member(obj, "metadata", 8), "labels", 6);
    for (size_t i = 0; i < sel->n; i++) {
        int ok = sel->is_fields ? field_req_matches(&sel->reqs[i], obj)
                                : label_req_matches(&sel->reqs[i], labels);

        if (!ok)
            return 0;
    }
    return 1;
}

/* ---- canonical text ----------------------------------------------------------- */

struct out {
    char *buf;
    size_t n, len; /* len counts what would have been written */
};

static void put(struct out *o, const char *s, size_t len)
{
    if (o->len + 1 < o->n) {
        size_t room = o->n - 1 - o->len;

        memcpy(o->buf + o->len, s, len < room ? len : room);
    }
    o->len += len;
}

static void put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void format_label_req(struct out *o, const struct sel_req *r)
{
    static const char *const ops[] = {
        [OP_EQ] = "=", [OP_EQEQ] = "==", [OP_NE] = "!=",          [OP_IN] = " in (",
        [OP_GT] = ">", [OP_LT] = "<",    [OP_NOTIN] = " notin (",
    };

    if (r->op == OP_NOT_EXISTS)
        put_str(o, "!");
    put_str(o, r->key);
    if (r->op == OP_EXISTS || r->op == OP_NOT_EXISTS)
        return;
    put_str(o, ops[r->op]);
    for (size_t i = 0; i < r->nvalues; i++) {
        if (i > 0)
            put_str(o, ",");
        put_str(o, r->values[i]);
    }
    if (r->op == OP_IN || r->op == OP_NOTIN)
        put_str(o, ")");
}

/* path, operator, then the value with \ , = escaped (fields.EscapeValue) */
static void format_field_req(struct out *o, const struct sel_req *r)
{
    put_str(o, r->key);
    put_str(o, r->op == OP_NE ? "!=" : "=");
    for (const char *v = r->values[0]; *v; v++) {
        if (*v == '\\' || *v == ',' || *v == '=')
            put_str(o, "\\");
        put(o, v, 1);
    }
}

size_t selector_format(const struct selector *sel, char *buf, size_t n)
{
    struct out o = {buf, n, 0};

    for (size_t i = 0; sel && i < sel->n; i++) {
        if (i > 0)
            put_str(&o, ",");
        if (sel->is_fields)
            format_field_req(&o, &sel->reqs[i]);
        else
            format_label_req(&o, &sel->reqs[i]);
    }
    if (n > 0)
        buf[o.len < n ? o.len : n - 1] = '\0';
    return o.len;
}
