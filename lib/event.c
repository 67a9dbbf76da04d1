#include "event.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jsonvalid.h"

static const char *const kind_names[EV_KIND_COUNT] = {
    [EV_RUN_BEGIN] = "run_begin",
    [EV_RUN_END] = "run_end",
    [EV_PHASE_BEGIN] = "phase_begin",
    [EV_PHASE_END] = "phase_end",
    [EV_API_REQUEST] = "api_request",
    [EV_WATCH_EVENT] = "watch_event",
    [EV_WATCH_RESTART] = "watch_restart",
    [EV_PROBE] = "probe",
    [EV_FIO_RESULT] = "fio_result",
    [EV_METRICS_SCRAPE] = "metrics_scrape",
    [EV_WARNING] = "warning",
    [EV_ERROR] = "error",
};

static const char *const envelope_keys[] = {"v", "seq", "wall_ns", "mono_ns", "kind"};

const char *event_kind_name(enum event_kind kind)
{
    if ((int)kind <= EV_UNKNOWN || kind >= EV_KIND_COUNT)
        return NULL;
    return kind_names[kind];
}

enum event_kind event_kind_from_name(const char *name)
{
    for (int k = EV_UNKNOWN + 1; k < EV_KIND_COUNT; k++)
        if (strcmp(kind_names[k], name) == 0)
            return (enum event_kind)k;
    return EV_UNKNOWN;
}

/* ---- a minimal scanner over text cJSON has already accepted ---------------- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

/* p at the opening quote; returns the position after the closing one. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return end;
}

/* Skip one value of any type: a string, a container, or a scalar. */
static const char *skip_value(const char *p, const char *end)
{
    int depth = 0;

    while (p < end) {
        char c = *p;

        if (c == '"') {
            p = skip_string(p, end);
            if (depth == 0)
                return p;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return p; /* end of the enclosing object: scalar ended */
            if (--depth == 0)
                return p + 1;
        } else if (depth == 0 && (c == ',' || is_ws(c))) {
            return p;
        }
        p++;
    }
    return end;
}

/*
 * Find the top-level member `key` (written without escapes) of the object in
 * [p, end) and return where its value starts, or NULL.
 */
static const char *find_member(const char *p, const char *end, const char *key)
{
    size_t klen = strlen(key);

    p = skip_ws(p, end);
    if (p >= end || *p != '{')
        return NULL;
    p++;
    for (;;) {
        const char *k, *kend;

        p = skip_ws(p, end);
        if (p >= end || *p != '"')
            return NULL;
        k = p + 1;
        kend = skip_string(p, end);
        p = skip_ws(kend, end);
        if (p >= end || *p != ':')
            return NULL;
        p = skip_ws(p + 1, end);
        if ((size_t)(kend - 1 - k) == klen && memcmp(k, key, klen) == 0)
            return p;
        p = skip_ws(skip_value(p, end), end);
        if (p >= end || *p != ',')
            return NULL;
        p++;
    }
}

/* Parse a JSON integer (no fraction, no exponent) exactly. */
static int parse_int64(const char *p, const char *end, int64_t *out)
{
    int neg = 0;
    uint64_t v = 0, limit;

    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9')
        return -1;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');

        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
        return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* ---- decode ----------------------------------------------------------------- */

/* An envelope integer, read exactly from the text (a double cannot hold unix ns). */
static int envelope_int(const char *line, size_t len, const char *key, int64_t *out,
                        struct vs_error *err)
{
    const char *end = line + len, *val = find_member(line, end, key);

    if (!val)
        return vs_error_set(err, NULL, 0, 0, "missing '%s'", key);
    if (parse_int64(val, end, out) < 0)
        return vs_error_set(err, NULL, 0, (long)(val - line) + 1, "expected integer for '%s'", key);
    if (*out < 0)
        return vs_error_set(err, NULL, 0, (long)(val - line) + 1, "'%s' must not be negative", key);
    return 0;
}

/* v (which must be ours), seq, wall_ns and mono_ns. */
static int envelope_ints(const char *line, size_t len, struct event *ev, struct vs_error *err)
{
    int64_t v;

    if (envelope_int(line, len, "v", &v, err) < 0)
        return -1;
    if (v != EVENT_SCHEMA_VERSION)
        return vs_error_setc(err, EPROTONOSUPPORT, NULL, 0, 0,
                             "unsupported schema version %" PRId64
                             " (this vmstorm reads version %d); use a matching vmstorm",
                             v, EVENT_SCHEMA_VERSION);
    ev->v = (int)v;
    if (envelope_int(line, len, "seq", &ev->seq, err) < 0 ||
        envelope_int(line, len, "wall_ns", &ev->wall_ns, err) < 0 ||
        envelope_int(line, len, "mono_ns", &ev->mono_ns, err) < 0)
        return -1;
    return 0;
}

static int decode_envelope(const char *line, size_t len, struct event *ev, struct vs_error *err)
{
    const cJSON *kind;

    if (envelope_ints(line, len, ev, err) < 0)
        return -1;
    kind = cJSON_GetObjectItemCaseSensitive(ev->json, "kind");
    if (!kind)
        return vs_error_set(err, NULL, 0, 0, "missing 'kind'");
    if (!cJSON_IsString(kind) || !kind->valuestring[0])
        return vs_error_set(err, NULL, 0, 0, "expected non-empty string for 'kind'");
    ev->kind_name = kind->valuestring;
    ev->kind = event_kind_from_name(kind->valuestring);
    return 0;
}

int event_decode(const char *line, size_t len, struct event *ev, struct vs_error *err)
{
    const char *parse_end = NULL;
    const char *end = line + len;

    memset(ev, 0, sizeof(*ev));
    ev->json = cJSON_ParseWithLengthOpts(line, len, &parse_end, 0);
    if (!ev->json) {
        long col = parse_end && parse_end >= line ? (long)(parse_end - line) + 1 : 0;

        return vs_error_set(err, NULL, 0, col, "invalid JSON");
    }
    if (!cJSON_IsObject(ev->json)) {
        event_release(ev);
        return vs_error_set(err, NULL, 0, 1, "expected a JSON object");
    }
    if (parse_end && skip_ws(parse_end, end) < end) {
        long col = (long)(skip_ws(parse_end, end) - line) + 1;

        event_release(ev);
        return vs_error_set(err, NULL, 0, col, "unexpected text after the JSON object");
    }
    if (decode_envelope(line, len, ev, err) < 0) {
        event_release(ev);
        return -1;
    }
    return 0;
}

/* The raw text of a top-level string member without escapes; NULL when there is none. */
static const char *raw_string(const char *line, size_t len, const char *key, size_t *n)
{
    const char *end = line + len, *v = find_member(line, end, key), *q;

    if (!v || v >= end || *v != '"')
        return NULL;
    for (q = v + 1; q < end && *q != '"'; q++)
        if (*q == '\\')
            return NULL;
    if (q >= end)
        return NULL;
    *n = (size_t)(q - v - 1);
    return v + 1;
}

int event_peek_string(const char *line, size_t len, const char *key, const char **val, size_t *n)
{
    return (*val = raw_string(line, len, key, n)) ? 0 : -1;
}

int event_decode_skim(const char *line, size_t len, struct event *ev, struct vs_error *err)
{
    const char *what = NULL, *k;
    size_t where = 0, n;

    memset(ev, 0, sizeof(*ev));
    if (json_validate(line, len, &where, &what) < 0)
        return vs_error_set(err, NULL, 0, (long)where + 1, "invalid JSON (%s)", what);
    if (*skip_ws(line, line + len) != '{')
        return vs_error_set(err, NULL, 0, 1, "expected a JSON object");
    if (envelope_ints(line, len, ev, err) < 0)
        return -1;
    if (!(k = raw_string(line, len, "kind", &n)) || n == 0)
        return vs_error_set(err, NULL, 0, 0, "expected non-empty string for 'kind'");
    for (int i = EV_UNKNOWN + 1; i < EV_KIND_COUNT; i++)
        if (strlen(kind_names[i]) == n && memcmp(kind_names[i], k, n) == 0) {
            ev->kind = (enum event_kind)i;
            ev->kind_name = kind_names[i];
        }
    if (!ev->kind_name)
        ev->kind_name = "unknown";
    return 0;
}

void event_release(struct event *ev)
{
    if (!ev)
        return;
    cJSON_Delete(ev->json);
    memset(ev, 0, sizeof(*ev));
}

/* ---- encode ----------------------------------------------------------------- */

static int valid_kind(const char *kind)
{
    if (!kind || *kind < 'a' || *kind > 'z')
        return 0;
    for (const char *p = kind; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

static int is_envelope_key(const char *key)
{
    for (size_t i = 0; i < sizeof(envelope_keys) / sizeof(envelope_keys[0]); i++)
        if (key && strcmp(key, envelope_keys[i]) == 0)
            return 1;
    return 0;
}

static int check_body(const cJSON *body, struct vs_error *err)
{
    const cJSON *m;

    if (!body)
        return 0;
    if (!cJSON_IsObject(body))
        return vs_error_set(err, NULL, 0, 0, "event body must be a JSON object");
    cJSON_ArrayForEach(m, body)
    {
        if (is_envelope_key(m->string))
            return vs_error_set(err, NULL, 0, 0, "event body must not set envelope field '%s'",
                                m->string);
        /* raw JSON is spliced as is: a line break in it would split the line */
        if (cJSON_IsRaw(m) && m->valuestring && strpbrk(m->valuestring, "\r\n"))
            return vs_error_set(err, NULL, 0, 0, "raw member '%s' contains a line break",
                                m->string);
    }
    return 0;
}

int event_encode(struct vbuf *out, int64_t seq, const struct vs_time *t, const char *kind,
                 const cJSON *body, struct vs_error *err)
{
    size_t mark = out->len;
    char *text = NULL;
    int rc = 0;

    if (!valid_kind(kind))
        return vs_error_set(err, NULL, 0, 0, "invalid event kind '%s'", kind ? kind : "(null)");
    if (check_body(body, err) < 0)
        return -1;
    if (body && body->child) {
        text = cJSON_PrintUnformatted(body);
        if (!text)
            return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory encoding '%s'", kind);
    }
    /* text is "{...}": splice its members after the envelope */
    rc = vbuf_addf(out,
                   "{\"v\":%d,\"seq\":%" PRId64 ",\"wall_ns\":%" PRId64 ",\"mono_ns\":%" PRId64
                   ",\"kind\":\"%s\"",
                   EVENT_SCHEMA_VERSION, seq, t->wall_ns, t->mono_ns, kind);
    if (rc == 0 && text)
        rc = vbuf_addc(out, ',') < 0 || vbuf_add(out, text + 1, strlen(text) - 2) < 0 ? -1 : 0;
    if (rc == 0)
        rc = vbuf_adds(out, "}\n");
    free(text);
    if (rc < 0) {
        int e = errno;

        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        if (e == E2BIG)
            return vs_error_setc(err, e, NULL, 0, 0,
                                 "'%s' event longer than %zu bytes; not written", kind, out->max);
        return vs_error_setc(err, e, NULL, 0, 0, "out of memory encoding '%s'", kind);
    }
    return 0;
}
