/*
 * fuzz-yaml: yamljson_parse on arbitrary bytes.
 * Property: each document that parses prints (cJSON_PrintUnformatted) to
 * JSON that, read again as YAML, gives an equal value (cJSON_Compare).
 * Two YAML rules JSON does not have are stepped around, not tested:
 *   - raw in a quoted string, YAML folds U+0085 (NEL) like a line break and
 *     refuses DEL, the C1 controls, U+FFFE and U+FFFF, so these (and U+2028,
 *     U+2029, U+FEFF, special to YAML too) are re-escaped as \uXXXX, which
 *     is the same JSON (corpus: json-special-chars.yaml);
 *   - implicit keys are at most 1024 characters, so a document with a long
 *     key is skipped.
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer in the
 * normal build (tests/fuzz/replay.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vbuf.h"
#include "yamljson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A key that, printed with escapes, may pass 1024 characters. */
static int has_long_key(const cJSON *v)
{
    for (const cJSON *c = v->child; c; c = c->next)
        if ((c->string && strlen(c->string) * 6 + 2 > 1000) || has_long_key(c))
            return 1;
    return 0;
}

/* The code point of the UTF-8 sequence at p (n bytes left), its length in *len. */
static unsigned utf8_decode(const unsigned char *p, size_t n, size_t *len)
{
    if (p[0] >= 0xc2 && p[0] < 0xe0 && n >= 2) {
        *len = 2;
        return ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
    }
    if (p[0] >= 0xe0 && p[0] < 0xf0 && n >= 3) {
        *len = 3;
        return ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
    }
    if (p[0] >= 0xf0 && n >= 4) {
        *len = 4;
        return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) |
               (p[3] & 0x3fu);
    }
    *len = 1;
    return p[0] < 0x80 ? p[0] : 0xfffd; /* not UTF-8: copied as it is */
}

static int yaml_special(unsigned c)
{
    return c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0xfeff ||
           c == 0xfffe || c == 0xffff;
}

/* The JSON text with YAML's special characters escaped (all are inside strings). */
static int yaml_safe(const char *json, struct vbuf *out)
{
    const unsigned char *p = (const unsigned char *)json;
    size_t n = strlen(json), len;

    for (size_t i = 0; i < n; i += len) {
        unsigned c = utf8_decode(p + i, n - i, &len);

        if (yaml_special(c) ? vbuf_addf(out, "\\u%04X", c) : vbuf_add(out, p + i, len))
            return -1;
    }
    return 0;
}

static void check_round_trip(const cJSON *doc)
{
    struct vbuf text = VBUF_INIT(64u << 20);
    char *json;
    cJSON *again = NULL;

    if (has_long_key(doc))
        return;
    json = cJSON_PrintUnformatted(doc);
    if (!json)
        return; /* out of memory */
    if (yaml_safe(json, &text) == 0) {
        if (yamljson_parse(text.data, text.len, "json", &again, NULL, NULL) != 0)
            abort();
        if (cJSON_GetArraySize(again) != 1 || !cJSON_Compare(doc, again->child, 1))
            abort();
    }
    cJSON_Delete(again);
    cJSON_free(json);
    vbuf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *docs = NULL;
    long *lines = NULL;
    struct vs_error err;

    if (yamljson_parse((const char *)data, size, "fuzz", &docs, &lines, &err) != 0)
        return 0;
    for (const cJSON *doc = docs->child; doc; doc = doc->next)
        check_round_trip(doc);
    cJSON_Delete(docs);
    free(lines);
    return 0;
}
