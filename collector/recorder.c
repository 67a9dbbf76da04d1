#include "recorder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ndjson_writer.h"

struct recorder {
    struct ndjson_writer *w;
    int failed;
    struct vs_error err;
    int64_t kinds[EV_KIND_COUNT];
};

struct recorder *recorder_open(const char *path, struct vs_error *err)
{
    struct recorder *r = calloc(1, sizeof(*r));

    if (!r) {
        vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
        return NULL;
    }
    r->w = ndjson_writer_open(path, 0, err);
    if (!r->w) {
        free(r);
        return NULL;
    }
    return r;
}

int rec_emit(struct recorder *r, enum event_kind kind, const struct vs_time *t, cJSON *body)
{
    const char *name = event_kind_name(kind);
    int rc = -1;

    if (r && !r->failed && name) {
        struct vs_error err;

        if (ndjson_writer_emit(r->w, name, t, body, &err) == 0) {
            r->kinds[kind]++;
            rc = 0;
        } else if (ndjson_writer_failed(r->w)) {
            r->failed = 1;
            r->err = err;
        } else if (!r->failed) {
            /* one event refused (too long): the file is fine; keep going */
            r->err = err;
        }
    }
    cJSON_Delete(body);
    return rc;
}

int rec_note(struct recorder *r, enum event_kind kind, const char *code, cJSON *context,
             const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    cJSON *body = cJSON_CreateObject();

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (!body || !cJSON_AddStringToObject(body, "message", text) ||
        !cJSON_AddStringToObject(body, "code", code)) {
        cJSON_Delete(body);
        cJSON_Delete(context);
        return -1;
    }
    if (context)
        cJSON_AddItemToObject(body, "context", context);
    return rec_emit(r, kind, NULL, body);
}

static void add_nonempty(cJSON *o, const char *key, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, key, v);
}

cJSON *rec_api_request_body(const struct kattempt *a, const char *phase)
{
    const struct kreq *q = a->req;
    cJSON *b = cJSON_CreateObject();

    if (!b)
        return NULL;
    cJSON_AddStringToObject(b, "method", q->method);
    cJSON_AddStringToObject(b, "verb", q->verb ? q->verb : "get");
    cJSON_AddStringToObject(b, "resource", q->resource ? q->resource : "");
    cJSON_AddNumberToObject(b, "status", a->status);
    cJSON_AddNumberToObject(b, "duration_ns", (double)a->duration_ns);
    if (q->resource && *q->resource) {
        cJSON_AddStringToObject(b, "group", q->group ? q->group : "");
        add_nonempty(b, "version", q->version);
        add_nonempty(b, "subresource", q->subresource);
        add_nonempty(b, "namespace", q->ns);
        add_nonempty(b, "name", q->name);
    } else {
        cJSON_AddStringToObject(b, "path", q->path);
    }
    cJSON_AddNumberToObject(b, "bytes_sent", (double)a->bytes_sent);
    cJSON_AddNumberToObject(b, "bytes_received", (double)a->bytes_received);
    cJSON_AddNumberToObject(b, "attempt", a->attempt);
    if (a->retry_after_s >= 0)
        cJSON_AddNumberToObject(b, "retry_after_s", (double)a->retry_after_s);
    add_nonempty(b, "phase", phase);
    add_nonempty(b, "error", a->error);
    return b;
}

int rec_sync(struct recorder *r)
{
    struct vs_error err;

    if (!r || r->failed)
        return -1;
    if (ndjson_writer_sync(r->w, &err) < 0) {
        r->failed = 1;
        r->err = err;
        return -1;
    }
    return 0;
}

int rec_failed(const struct recorder *r)
{
    return r->failed;
}

const struct vs_error *rec_error(const struct recorder *r)
{
    return &r->err;
}

int64_t rec_count(const struct recorder *r)
{
    return ndjson_writer_count(r->w);
}

int64_t rec_kind_count(const struct recorder *r, enum event_kind kind)
{
    return kind > EV_UNKNOWN && kind < EV_KIND_COUNT ? r->kinds[kind] : 0;
}

uint64_t rec_bytes(const struct recorder *r)
{
    return ndjson_writer_bytes(r->w);
}

const char *rec_path(const struct recorder *r)
{
    return ndjson_writer_path(r->w);
}

cJSON *rec_counts_json(const struct recorder *r)
{
    cJSON *o = cJSON_CreateObject();

    if (!o || !cJSON_AddNumberToObject(o, "events", (double)rec_count(r))) {
        cJSON_Delete(o);
        return NULL;
    }
    for (int k = EV_UNKNOWN + 1; k < EV_KIND_COUNT; k++) {
        if (r->kinds[k] && !cJSON_AddNumberToObject(o, event_kind_name(k), (double)r->kinds[k])) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

int recorder_close(struct recorder *r, struct vs_error *err)
{
    int rc;

    if (!r)
        return 0;
    rc = ndjson_writer_close(r->w, err);
    free(r);
    return rc;
}
