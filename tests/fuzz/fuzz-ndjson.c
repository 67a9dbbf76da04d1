/*
 * fuzz-ndjson: the run-file reader and event decoder on arbitrary bytes.
 * Property: a decoded event re-encodes to a line that decodes to the same
 * envelope. Built with libFuzzer by `make fuzz`, and as a corpus replayer in
 * the normal build (tests/fuzz/replay.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const struct event *ev)
{
    struct vbuf line = VBUF_INIT(EVENT_LINE_MAX);
    struct vs_time t = {ev->wall_ns, ev->mono_ns};
    cJSON *body = cJSON_Duplicate(ev->json, 1);
    static const char *const envelope[] = {"v", "seq", "wall_ns", "mono_ns", "kind"};
    struct event again;

    for (size_t i = 0; i < sizeof(envelope) / sizeof(envelope[0]); i++)
        cJSON_DeleteItemFromObjectCaseSensitive(body, envelope[i]);
    /* a kind that is not an identifier cannot be re-encoded: that is fine */
    if (body && event_encode(&line, ev->seq, &t, ev->kind_name, body, NULL) == 0) {
        if (event_decode(line.data, line.len - 1, &again, NULL) != 0)
            abort();
        if (again.seq != ev->seq || again.wall_ns != ev->wall_ns || again.mono_ns != ev->mono_ns ||
            strcmp(again.kind_name, ev->kind_name) != 0)
            abort();
        event_release(&again);
    }
    cJSON_Delete(body);
    vbuf_release(&line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct evstream *s = evstream_from_mem(data, size, "fuzz", 4096, NULL);
    struct event ev;
    enum evstream_status st;

    if (!s)
        return 0;
    while ((st = evstream_next(s, &ev, NULL)) != EVSTREAM_EOF && st != EVSTREAM_IO_ERROR) {
        if (st == EVSTREAM_EVENT) {
            check_round_trip(&ev);
            event_release(&ev);
        }
    }
    evstream_free(s);
    return 0;
}
