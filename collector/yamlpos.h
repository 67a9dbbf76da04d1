/*
 * yamlpos.h - where a value is in YAML source text, for messages.
 *
 * yamljson turns documents into cJSON values without positions. When a
 * check on those values fails, yamlpos walks the source again with libyaml
 * along a path and says where that node is, so that the message can point
 * at it: only error paths pay for the second walk. Nothing is allocated
 * beyond libyaml's parser; nothing is kept.
 */
#ifndef VS_COLLECTOR_YAMLPOS_H
#define VS_COLLECTOR_YAMLPOS_H

#include <stddef.h>

struct yamlpos {
    long doc;  /* the document's number in the stream, from 1, empty documents counted
                  (as in yamljson's messages) */
    long line; /* 1-based */
    long col;  /* 1-based */
};

/*
 * Find path in document idx of the len bytes at text, idx counting from 0
 * the documents yamljson_parse() returns (documents without content are
 * skipped, as there). A path is mapping keys separated by '.' and sequence
 * indexes in brackets, e.g. "spec.dataVolumeTemplates[0].metadata.name";
 * "" is the document's root. Keys are compared with their text as written
 * (a quoted "kind" matches kind); a key that holds '.' or '[', or that only
 * comes from an alias or a merge ('<<'), is not found.
 *
 * Returns 1 when the whole path is found (pos at the start of the value),
 * 0 when only part of it is (pos at the last key or item found, or at the
 * document's root when none is; also when the text breaks off during the
 * walk), -1 when there is no such document or the text does not parse up to
 * it (pos untouched).
 */
int yamlpos_find(const char *text, size_t len, size_t idx, const char *path, struct yamlpos *pos);

#endif
