#include "yamlpos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

static void pos_mark(struct yamlpos *pos, const yaml_mark_t *m)
{
    pos->line = (long)m->line + 1;
    pos->col = (long)m->column + 1;
}

static int pos_opens(yaml_event_type_t type)
{
    return type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT;
}

/* Consume the rest of a node whose first event had this type. 0, or -1. */
static int pos_skip(yaml_parser_t *yp, yaml_event_type_t type)
{
    long depth = pos_opens(type);

    while (depth > 0) {
        yaml_event_t ev;

        if (!yaml_parser_parse(yp, &ev))
            return -1;
        if (pos_opens(ev.type))
            depth++;
        else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT)
            depth--;
        else if (ev.type == YAML_STREAM_END_EVENT)
            depth = -1;
        yaml_event_delete(&ev);
    }
    return (int)depth;
}

/* A document without content, which yamljson skips: an empty plain scalar as the root. */
static int pos_empty_root(const yaml_event_t *ev)
{
    return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == 0 &&
           !ev->data.scalar.anchor && !ev->data.scalar.tag &&
           ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Read to the root of the idx-th non-empty document: 0 with *root its first event. */
static int pos_find_doc(yaml_parser_t *yp, size_t idx, struct yamlpos *pos, yaml_event_t *root)
{
    size_t seen = 0;
    long doc = 0;

    for (;;) {
        yaml_event_type_t type;

        if (!yaml_parser_parse(yp, root))
            return -1;
        type = root->type;
        if (type == YAML_DOCUMENT_START_EVENT) {
            doc++;
        } else if (type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT || pos_opens(type)) {
            if (!pos_empty_root(root) && seen++ == idx) {
                pos->doc = doc;
                pos_mark(pos, &root->start_mark);
                return 0;
            }
            yaml_event_delete(root);
            if (pos_skip(yp, type) < 0)
                return -1;
            continue;
        }
        yaml_event_delete(root);
        if (type == YAML_STREAM_END_EVENT)
            return -1;
    }
}

/* In a mapping just opened, find key: 0 with pos at the key and *value its first event. */
static int pos_key(yaml_parser_t *yp, const char *key, yaml_event_t *value, struct yamlpos *pos)
{
    size_t n = strlen(key);

    for (;;) {
        yaml_event_t k;
        yaml_event_type_t type;
        int match;

        if (!yaml_parser_parse(yp, &k))
            return -1;
        type = k.type;
        match = type == YAML_SCALAR_EVENT && k.data.scalar.length == n &&
                memcmp(k.data.scalar.value, key, n) == 0;
        if (match)
            pos_mark(pos, &k.start_mark);
        yaml_event_delete(&k);
        if (type == YAML_MAPPING_END_EVENT || pos_skip(yp, type) < 0 ||
            !yaml_parser_parse(yp, value))
            return -1;
        if (match)
            return 0;
        type = value->type;
        yaml_event_delete(value);
        if (pos_skip(yp, type) < 0)
            return -1;
    }
}

/* In a sequence just opened, find item index: 0 with pos at it and *item its first event. */
static int pos_item(yaml_parser_t *yp, long index, yaml_event_t *item, struct yamlpos *pos)
{
    for (long i = 0;; i++) {
        yaml_event_type_t type;

        if (!yaml_parser_parse(yp, item))
            return -1;
        if (i == index && item->type != YAML_SEQUENCE_END_EVENT) {
            pos_mark(pos, &item->start_mark);
            return 0;
        }
        type = item->type;
        yaml_event_delete(item);
        if (type == YAML_SEQUENCE_END_EVENT || pos_skip(yp, type) < 0)
            return -1;
    }
}

/* Take the next step off *path: a key into key (*index -1) or "[N]". 0 at the end. */
static int pos_step(const char **path, char *key, size_t n, long *index)
{
    const char *p = *path;
    size_t len;

    if (*p == '.')
        p++;
    if (*p == '\0')
        return 0;
    if (*p == '[') {
        char *end;

        *index = strtol(p + 1, &end, 10);
        *path = *end == ']' ? end + 1 : end;
        if (*index < 0)
            *index = 0;
        return 1;
    }
    len = strcspn(p, ".[");
    *index = -1;
    snprintf(key, n, "%.*s", (int)len, p);
    *path = p + len;
    return 1;
}

/* Follow path from the root of the idx-th document: see yamlpos_find(). */
static int pos_walk(yaml_parser_t *yp, size_t idx, const char *path, struct yamlpos *pos)
{
    yaml_event_t node;
    char key[256];
    long index;

    if (pos_find_doc(yp, idx, pos, &node) < 0)
        return -1;
    while (pos_step(&path, key, sizeof(key), &index)) {
        yaml_event_type_t type = node.type;
        int rc = -1;

        yaml_event_delete(&node);
        if (type == YAML_MAPPING_START_EVENT && index < 0)
            rc = pos_key(yp, key, &node, pos);
        else if (type == YAML_SEQUENCE_START_EVENT && index >= 0)
            rc = pos_item(yp, index, &node, pos);
        if (rc < 0)
            return 0;
    }
    pos_mark(pos, &node.start_mark);
    yaml_event_delete(&node);
    return 1;
}

int yamlpos_find(const char *text, size_t len, size_t idx, const char *path, struct yamlpos *pos)
{
    yaml_parser_t yp;
    struct yamlpos found;
    int rc;

    if (!yaml_parser_initialize(&yp))
        return -1;
    yaml_parser_set_input_string(&yp, (const unsigned char *)(text ? text : ""), text ? len : 0);
    rc = pos_walk(&yp, idx, path, &found);
    yaml_parser_delete(&yp);
    if (rc >= 0)
        *pos = found;
    return rc;
}
