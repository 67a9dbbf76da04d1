#include "jsonvalid.h"

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

struct scan {
    const char *s;
    size_t len, i;
    const char *what;
};

static int fail(struct scan *sc, const char *what)
{
    sc->what = what;
    return -1;
}

static void ws(struct scan *sc)
{
    while (sc->i < sc->len && is_ws(sc->s[sc->i]))
        sc->i++;
}

/* Bytes that end the plain run of a string: the quote, the backslash, control characters. */
static const unsigned char special[256] = {
    [0 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
};

/* At the opening quote. */

/* Four hex digits after sc->i (which is left on the last), their value in *code. */
static int hex4(struct scan *sc, unsigned *code)
{
    *code = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c;

        if (++sc->i >= sc->len || !is_hex(sc->s[sc->i]))
            return -1;
        c = (unsigned char)sc->s[sc->i];
        *code = *code * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return 0;
}

static int string(struct scan *sc)
{
    for (sc->i++; sc->i < sc->len; sc->i++) {
        unsigned char c;

        while (sc->i < sc->len && !special[(unsigned char)sc->s[sc->i]])
            sc->i++;
        if (sc->i >= sc->len)
            break;
        c = (unsigned char)sc->s[sc->i];

        if (c == '"') {
            sc->i++;
            return 0;
        }
        if (c < 0x20)
            return fail(sc, "control character in a string");
        if (c != '\\')
            continue;
        if (++sc->i >= sc->len)
            break;
        switch (sc->s[sc->i]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            break;
        case 'u': {
            unsigned code;

            if (hex4(sc, &code) < 0)
                return fail(sc, "bad \\u escape");
            /* UTF-16 surrogates come in pairs, high then low (cJSON refuses the rest) */
            if (code >= 0xDC00 && code <= 0xDFFF)
                return fail(sc, "lone low surrogate in a \\u escape");
            if (code >= 0xD800 && code <= 0xDBFF) {
                if (sc->i + 2 >= sc->len || sc->s[sc->i + 1] != '\\' || sc->s[sc->i + 2] != 'u')
                    return fail(sc, "high surrogate without its low one in a \\u escape");
                sc->i += 2;
                if (hex4(sc, &code) < 0)
                    return fail(sc, "bad \\u escape");
                if (code < 0xDC00 || code > 0xDFFF)
                    return fail(sc, "high surrogate without its low one in a \\u escape");
            }
            break;
        }
        default:
            return fail(sc, "bad escape in a string");
        }
    }
    return fail(sc, "unterminated string");
}

static int digits(struct scan *sc)
{
    size_t from = sc->i;

    while (sc->i < sc->len && is_digit(sc->s[sc->i]))
        sc->i++;
    return sc->i > from ? 0 : fail(sc, "expected a digit");
}

static int number(struct scan *sc)
{
    if (sc->s[sc->i] == '-')
        sc->i++;
    if (sc->i < sc->len && sc->s[sc->i] == '0')
        sc->i++;
    else if (digits(sc) < 0)
        return -1;
    if (sc->i < sc->len && sc->s[sc->i] == '.') {
        sc->i++;
        if (digits(sc) < 0)
            return -1;
    }
    if (sc->i < sc->len && (sc->s[sc->i] == 'e' || sc->s[sc->i] == 'E')) {
        sc->i++;
        if (sc->i < sc->len && (sc->s[sc->i] == '+' || sc->s[sc->i] == '-'))
            sc->i++;
        if (digits(sc) < 0)
            return -1;
    }
    return 0;
}

static int literal(struct scan *sc, const char *word)
{
    for (const char *w = word; *w; w++, sc->i++)
        if (sc->i >= sc->len || sc->s[sc->i] != *w)
            return fail(sc, "unknown literal");
    return 0;
}

/* A scalar, or the opening of a container (pushed). */
static int value(struct scan *sc, char *stack, int *depth)
{
    char c;

    ws(sc);
    if (sc->i >= sc->len)
        return fail(sc, "expected a value");
    c = sc->s[sc->i];
    if (c == '{' || c == '[') {
        if (*depth >= JSONVALID_MAX_DEPTH)
            return fail(sc, "nested too deeply");
        stack[(*depth)++] = c;
        sc->i++;
        return 0;
    }
    if (c == '"')
        return string(sc);
    if (c == '-' || is_digit(c))
        return number(sc);
    if (c == 't')
        return literal(sc, "true");
    if (c == 'f')
        return literal(sc, "false");
    if (c == 'n')
        return literal(sc, "null");
    return fail(sc, "expected a value");
}

/* An object member's key and colon, then its value. */
static int member(struct scan *sc, char *stack, int *depth)
{
    ws(sc);
    if (sc->i >= sc->len || sc->s[sc->i] != '"')
        return fail(sc, "expected a member name");
    if (string(sc) < 0)
        return -1;
    ws(sc);
    if (sc->i >= sc->len || sc->s[sc->i] != ':')
        return fail(sc, "expected ':'");
    sc->i++;
    return value(sc, stack, depth);
}

int json_validate(const char *s, size_t len, size_t *where, const char **what)
{
    struct scan sc = {s, len, 0, NULL};
    char stack[JSONVALID_MAX_DEPTH];
    int depth = 0, rc = value(&sc, stack, &depth);

    /* after a value, or just after an opening: close containers or go on */
    while (rc == 0 && depth > 0) {
        char open = stack[depth - 1], close = open == '{' ? '}' : ']';
        int just_opened = sc.i > 0 && s[sc.i - 1] == open;

        ws(&sc);
        if (sc.i < len && s[sc.i] == close) {
            sc.i++;
            depth--;
        } else if (just_opened) {
            rc = open == '{' ? member(&sc, stack, &depth) : value(&sc, stack, &depth);
        } else if (sc.i < len && s[sc.i] == ',') {
            sc.i++;
            rc = open == '{' ? member(&sc, stack, &depth) : value(&sc, stack, &depth);
        } else {
            rc = fail(&sc, open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
    if (rc == 0) {
        ws(&sc);
        if (sc.i < len)
            rc = fail(&sc, "unexpected text after the value");
    }
    if (rc < 0) {
        if (where)
            *where = sc.i;
        if (what)
            *what = sc.what;
    }
    return rc;
}
