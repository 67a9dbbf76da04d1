/*
 * fuzz-track: a watch stream (NDJSON, arbitrary bytes) through linebuf, each
 * line as a watch event or a bare object through track_extract() and
 * track_event_body() for all four resources, each against the state the
 * previous line left. Properties: framing does not depend on how the stream
 * is cut into chunks; a body has the schema's shape (changed holds only the
 * resource's fields, strings or null, as many as *changed_count; timestamps
 * are RFC 3339); the body does not depend on whether now was passed or
 * extracted. Built with libFuzzer by `make fuzz`, and as a corpus replayer
 * in the normal build (tests/fuzz/replay.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "linebuf.h"
#include "track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
    int track;             /* run each line through track */
    size_t lines, stop_at; /* lines seen; stop (return 5) at this one */
    uint64_t hash;         /* FNV-1a over the lines seen */
    struct track_state prev[TRACK_RES_COUNT];
    int have[TRACK_RES_COUNT];
};

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_time(const cJSON *t)
{
    int64_t ns;

    check(cJSON_IsString(t) && strlen(t->valuestring) > 10 && t->valuestring[10] != ' ' &&
          rfc3339_parse(t->valuestring, strlen(t->valuestring), &ns, NULL) == 0);
}

static void check_server(const cJSON *server)
{
    const cJSON *m, *c;

    if (!server)
        return;
    check(cJSON_IsObject(server) && server->child);
    cJSON_ArrayForEach(m, server)
    {
        if (strcmp(m->string, "creation") == 0 || strcmp(m->string, "deletion") == 0) {
            check_time(m);
        } else if (strcmp(m->string, "phase_transitions") == 0) {
            cJSON_ArrayForEach(c, m)
            {
                check_time(c);
            }
        } else {
            check(strcmp(m->string, "conditions") == 0);
            cJSON_ArrayForEach(c, m)
            {
                const cJSON *lt = cJSON_GetObjectItemCaseSensitive(c, "last_transition");

                check(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "status")));
                if (lt)
                    check_time(lt);
            }
        }
    }
}

static void check_body(enum track_res r, const cJSON *body, int nchanged, int first)
{
    static const char *const ids[] = {"namespace", "name", "uid"};
    const cJSON *changed = cJSON_GetObjectItemCaseSensitive(body, "changed"), *m;
    int n = 0;

    check(cJSON_IsObject(changed));
    cJSON_ArrayForEach(m, changed)
    {
        int known = 0;

        for (int i = 0; track_field_name(r, i); i++)
            known |= strcmp(track_field_name(r, i), m->string) == 0;
        check(known && (cJSON_IsString(m) || (cJSON_IsNull(m) && !first)));
        n++;
    }
    check(n == nchanged);
    for (int i = 0; i < 3; i++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(body, ids[i]);

        check(cJSON_IsString(s) && s->valuestring[0]);
    }
    check_server(cJSON_GetObjectItemCaseSensitive(body, "server"));
}

/* The line as a watch event {"type", "object"}, or as a bare object. */
static void track_line(struct run *x, const char *line, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(line, len);
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "object");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    const char *t = cJSON_IsString(type) ? type->valuestring : "MODIFIED";

    if (!cJSON_IsObject(obj))
        obj = root;
    if (strcmp(t, "ADDED") != 0 && strcmp(t, "DELETED") != 0)
        t = "MODIFIED";
    for (int r = 0; r < TRACK_RES_COUNT; r++) {
        struct track_state now;
        const struct track_state *prev = x->have[r] ? &x->prev[r] : NULL;
        struct vs_error err = {0};
        cJSON *body, *again;
        char *a, *b;
        int n = -1;

        if (track_extract((enum track_res)r, obj, &now) < 0)
            continue;
        body = track_event_body((enum track_res)r, t, prev ? "watch" : "relist", obj, prev, &now,
                                &n, &err);
        again = track_event_body((enum track_res)r, t, prev ? "watch" : "relist", obj, prev, NULL,
                                 NULL, NULL);
        check(!body == !again);
        if (body) {
            check_body((enum track_res)r, body, n, prev == NULL);
            a = cJSON_PrintUnformatted(body);
            b = cJSON_PrintUnformatted(again);
            check(a && b && strcmp(a, b) == 0);
            free(a);
            free(b);
        } else {
            check(n == 0 && err.msg[0] != '\0');
        }
        cJSON_Delete(body);
        cJSON_Delete(again);
        track_state_release(&x->prev[r]);
        x->prev[r] = now;
        x->have[r] = 1;
    }
    cJSON_Delete(root);
}

static int on_line(void *ctx, const char *line, size_t len)
{
    struct run *x = ctx;

    check(line[len] == '\0' && memchr(line, '\n', len) == NULL && len > 0);
    x->hash = (x->hash ^ len) * 1099511628211u;
    for (size_t i = 0; i < len; i++)
        x->hash = (x->hash ^ (uint8_t)line[i]) * 1099511628211u;
    x->lines++;
    if (x->track)
        track_line(x, line, len);
    return x->lines == x->stop_at ? 5 : 0;
}

/* Feed data in chunks of `chunk` bytes (0: whole) to a new linebuf. */
static void frame(const uint8_t *data, size_t size, size_t max_line, size_t chunk, struct run *x,
                  size_t *overflows, size_t *pending)
{
    struct linebuf *b = linebuf_new(max_line);
    size_t off = 0;
    int rc = 0;

    if (!b)
        abort();
    x->hash = 14695981039346656037u;
    do {
        size_t n = chunk && size - off > chunk ? chunk : size - off;

        rc = linebuf_feed(b, (const char *)data + off, n, on_line, x);
        off += n;
    } while (rc == 0 && off < size);
    check(rc == 0 || rc == 5);
    *overflows = linebuf_overflows(b);
    *pending = linebuf_pending(b);
    linebuf_free(b);
    for (int r = 0; r < TRACK_RES_COUNT; r++)
        track_state_release(&x->prev[r]);
}

/* Frame the input whole and in chunks: the same lines, overflows, remainder. */
static void same_framing(const uint8_t *data, size_t size, size_t max_line, size_t chunk, int track)
{
    struct run a = {0}, b = {0};
    size_t ova, ovb, pa, pb;

    a.track = track;
    frame(data, size, max_line, 0, &a, &ova, &pa);
    frame(data, size, max_line, chunk, &b, &ovb, &pb);
    check(a.lines == b.lines && a.hash == b.hash && ova == ovb && pa == pb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run s = {0};
    size_t ov, pend;

    same_framing(data, size, 1 << 16, 1 + size % 97, 1);
    same_framing(data, size, 48, 1, 0);
    /* a callback that says stop is obeyed at once */
    s.stop_at = 2;
    frame(data, size, 1 << 16, 0, &s, &ov, &pend);
    check(s.lines <= 2);
    return 0;
}
