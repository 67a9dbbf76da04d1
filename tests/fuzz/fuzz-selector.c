/*
 * fuzz-selector: label and field selector parsers on arbitrary bytes.
 * Property: a parsed selector's canonical text parses again, to a selector
 * with the same canonical text and the same verdict on a fixed object.
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer in the normal
 * build (tests/fuzz/replay.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char OBJECT[] =
    "{\"metadata\":{\"name\":\"vm1\",\"namespace\":\"storm\",\"generation\":3,"
    "\"labels\":{\"vmstorm.io/run\":\"abc\",\"kubevirt.io\":\"virt-launcher\",\"n\":\"5\","
    "\"e\":\"\",\"in\":\"notin\"}},"
    "\"status\":{\"phase\":\"Running\",\"ready\":true,\"x\":null}}";

static char *format(const struct selector *sel)
{
    size_t n = selector_format(sel, NULL, 0);
    char *buf = malloc(n + 1);

    if (!buf)
        abort();
    if (selector_format(sel, buf, n + 1) != n || strlen(buf) != n)
        abort();
    return buf;
}

static void check(struct selector *(*parse)(const char *, struct vs_error *), const char *text,
                  const cJSON *obj)
{
    struct vs_error err = {0};
    struct selector *sel = parse(text, &err), *again;
    char *first, *second;

    if (!sel) {
        if (err.col < 0 || err.col > (long)strlen(text) + 1 || !err.msg[0])
            abort();
        return;
    }
    first = format(sel);
    again = parse(first, &err);
    if (!again)
        abort();
    second = format(again);
    if (strcmp(first, second) != 0 || selector_is_empty(sel) != selector_is_empty(again) ||
        selector_matches(sel, obj) != selector_matches(again, obj))
        abort();
    free(first);
    free(second);
    selector_free(again);
    selector_free(sel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cJSON *obj;
    char *text = malloc(size + 1);

    if (!obj && !(obj = cJSON_Parse(OBJECT)))
        abort();
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check(selector_parse_labels, text, obj);
    check(selector_parse_fields, text, obj);
    free(text);
    return 0;
}
