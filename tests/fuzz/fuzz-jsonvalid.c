/*
 * fuzz-jsonvalid: the allocation-free JSON checker and the skimming event
 * decoder on arbitrary bytes. Properties: whatever json_validate accepts,
 * cJSON accepts too; a line event_decode_skim accepts, event_decode accepts
 * with the same envelope, and when it rejects, the full decode rejects too
 * or the JSON is something cJSON is laxer about. Built with libFuzzer by
 * `make fuzz`, and as a corpus replayer in the normal build (tests/fuzz/replay.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "jsonvalid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t where = 0;
    const char *what = NULL;
    struct event skim, full;
    int ok = json_validate(text, size, &where, &what) == 0;

    if (ok) {
        cJSON *j = cJSON_ParseWithLength(text, size);

        /* cJSON stops at a NUL inside the text; the checker refuses one (a control character) */
        if (!j)
            abort();
        cJSON_Delete(j);
    } else if (where > size || !what) {
        abort();
    }
    if (event_decode_skim(text, size, &skim, NULL) == 0) {
        if (!ok || event_decode(text, size, &full, NULL) != 0)
            abort();
        if (skim.seq != full.seq || skim.wall_ns != full.wall_ns || skim.mono_ns != full.mono_ns ||
            skim.kind != full.kind || skim.v != full.v)
            abort();
        event_release(&full);
    }
    return 0;
}
