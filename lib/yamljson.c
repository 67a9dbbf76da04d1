#include "yamljson.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yamlscalar.h"

#define MERGE_TAG "tag:yaml.org,2002:merge"

/* ---- a set of strings (keys of a mapping, anchor names) ---------------------- */

struct yj_slot {
    const char *key; /* borrowed */
    long val;
};

struct yj_set {
    struct yj_slot *slots;
    size_t cap; /* 0 or a power of two */
    size_t n;
};

static size_t yj_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static struct yj_slot *yj_set_find(const struct yj_set *set, const char *key)
{
    if (set->cap == 0)
        return NULL;
    for (size_t i = yj_hash(key) & (set->cap - 1); set->slots[i].key; i = (i + 1) & (set->cap - 1))
        if (strcmp(set->slots[i].key, key) == 0)
            return &set->slots[i];
    return NULL;
}

static void yj_set_place(struct yj_slot *slots, size_t cap, const char *key, long val)
{
    size_t i = yj_hash(key) & (cap - 1);

    while (slots[i].key)
        i = (i + 1) & (cap - 1);
    slots[i].key = key;
    slots[i].val = val;
}

/* Add a key that is not in the set yet; key must outlive the set. */
static int yj_set_add(struct yj_set *set, const char *key, long val)
{
    if ((set->n + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        struct yj_slot *slots = calloc(cap, sizeof(*slots));

        if (!slots)
            return -1;
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i].key)
                yj_set_place(slots, cap, set->slots[i].key, set->slots[i].val);
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    yj_set_place(set->slots, set->cap, key, val);
    set->n++;
    return 0;
}

static void yj_set_release(struct yj_set *set)
{
    free(set->slots);
    memset(set, 0, sizeof(*set));
}

/* ---- parser state ------------------------------------------------------------ */

/* What an alias expands to. */
struct yj_anchor {
    char *name;
    cJSON *value;         /* a collection: a private deep copy; NULL for a scalar */
    char *text;           /* a scalar: its text ... */
    struct yamlscalar sc; /* ... and what it means */
    size_t nodes, bytes;  /* what one expansion costs */
    int height;           /* nesting it adds: 0 for a scalar */
};

/* A collection being filled. */
struct yj_frame {
    cJSON *node;
    int is_map;
    char *anchor;          /* registered when the node is complete */
    yaml_mark_t mark;      /* where the node starts */
    size_t nodes0, bytes0; /* counters before the node */
    int height;            /* 1 + the tallest child */
    /* mappings: */
    struct yj_set keys;   /* keys added, pointing into node */
    char *key;            /* a key waiting for its value */
    int key_merge;        /* the waiting key is '<<' */
    yaml_mark_t key_mark; /* where the waiting key is */
    int merged;           /* a '<<' was seen */
    cJSON *merges;        /* what '<<' brought, in order */
};

struct yj {
    yaml_parser_t yp;
    const char *text, *name;
    size_t len;
    struct vs_error *err;
    long doc; /* documents started */
    int in_doc;
    long doc_line;
    cJSON *docs;
    long *lines;
    size_t nlines, lines_cap;
    struct yj_frame *stack;
    size_t depth, stack_cap;
    cJSON *root; /* the current document's value */
    int root_empty;
    struct yj_anchor *anchors;
    size_t nanchors, anchors_cap;
    struct yj_set anchor_index; /* name -> index in anchors */
    size_t nodes, bytes;        /* spent on this stream */
    cJSON *graveyard;           /* this document's merge sources, which anchors may point into */
};

static int yj_fail(struct yj *p, int code, const yaml_mark_t *m, const char *fmt, ...)
    VS_PRINTF(4, 5);

/* Fill p->err: "document N: " and the message, at mark m (may be NULL). */
static int yj_fail(struct yj *p, int code, const yaml_mark_t *m, const char *fmt, ...)
{
    char msg[512];
    long doc = p->in_doc ? p->doc : p->doc + 1;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return vs_error_setc(p->err, code, p->name, m ? (long)m->line + 1 : 0,
                         m ? (long)m->column + 1 : 0, "document %ld: %s", doc, msg);
}

static int yj_nomem(struct yj *p)
{
    return yj_fail(p, ENOMEM, NULL, "out of memory");
}

/* Pass on an error from yamlscalar, placing it at m. */
static int yj_fail_scalar(struct yj *p, const struct vs_error *e, const yaml_mark_t *m)
{
    return yj_fail(p, e->code, e->code == ENOMEM ? NULL : m, "%s", e->msg);
}

/*
 * Account for nodes values and bytes of keys and strings, built or (alias
 * not NULL) copied by that alias; refuse beyond the limits.
 */
static int yj_spend(struct yj *p, const char *alias, size_t nodes, size_t bytes,
                    const yaml_mark_t *m)
{
    char quoted[64], subject[128];
    const char *limit = NULL;

    if (alias)
        snprintf(subject, sizeof(subject), "expanding alias '*%s' gives",
                 yamlscalar_shorten(alias, quoted, sizeof(quoted)));
    else
        snprintf(subject, sizeof(subject), "the stream has");
    if (nodes > (size_t)YAMLJSON_MAX_NODES - p->nodes)
        limit = "values";
    else if (bytes > (size_t)YAMLJSON_MAX_BYTES - p->bytes)
        limit = "bytes of strings";
    if (limit)
        return yj_fail(p, E2BIG, m, "%s more than %ld %s%s", subject,
                       limit[0] == 'v' ? YAMLJSON_MAX_NODES : YAMLJSON_MAX_BYTES, limit,
                       alias ? " (an alias bomb?)" : "");
    p->nodes += nodes;
    p->bytes += bytes;
    return 0;
}

/* ---- anchors ----------------------------------------------------------------- */

/* Forget the document's anchors and the merge sources they may point into. */
static void yj_anchors_clear(struct yj *p)
{
    for (size_t i = 0; i < p->nanchors; i++) {
        free(p->anchors[i].name);
        free(p->anchors[i].text);
    }
    p->nanchors = 0;
    yj_set_release(&p->anchor_index);
    cJSON_Delete(p->graveyard);
    p->graveyard = NULL;
}

static struct yj_anchor *yj_anchor_find(struct yj *p, const char *name)
{
    struct yj_slot *s = yj_set_find(&p->anchor_index, name);

    return s ? &p->anchors[s->val] : NULL;
}

/* Register an anchor; takes a->text (freed on failure). */
static int yj_anchor_add(struct yj *p, const char *name, struct yj_anchor *a)
{
    struct yj_slot *s;

    if (p->nanchors == p->anchors_cap) {
        size_t cap = p->anchors_cap ? p->anchors_cap * 2 : 8;
        struct yj_anchor *v = realloc(p->anchors, cap * sizeof(*v));

        if (!v)
            goto fail;
        p->anchors = v;
        p->anchors_cap = cap;
    }
    a->name = strdup(name);
    if (!a->name)
        goto fail;
    p->anchors[p->nanchors] = *a;
    s = yj_set_find(&p->anchor_index, name); /* a redefinition hides the old one */
    if (s)
        s->val = (long)p->nanchors;
    else if (yj_set_add(&p->anchor_index, p->anchors[p->nanchors].name, (long)p->nanchors) < 0)
        goto fail;
    p->nanchors++;
    return 0;
fail:
    free(a->name);
    free(a->text);
    return yj_nomem(p);
}

static int yj_anchor_scalar(struct yj *p, const char *name, const char *text, size_t n,
                            const struct yamlscalar *sc)
{
    struct yj_anchor a = {0};

    a.text = malloc(n + 1);
    if (!a.text)
        return yj_nomem(p);
    memcpy(a.text, text, n + 1);
    a.sc = *sc;
    a.nodes = 1;
    a.bytes = sc->kind == YAMLSCALAR_STR ? n : 0;
    return yj_anchor_add(p, name, &a);
}

static int yj_anchor_collection(struct yj *p, const struct yj_frame *f)
{
    struct yj_anchor a = {0};

    a.value = f->node; /* complete: nothing changes it any more */
    a.nodes = p->nodes - f->nodes0;
    a.bytes = p->bytes - f->bytes0;
    a.height = f->height;
    return yj_anchor_add(p, f->anchor, &a);
}

/* ---- building values ------------------------------------------------------------ */

static struct yj_frame *yj_top(struct yj *p)
{
    return p->depth ? &p->stack[p->depth - 1] : NULL;
}

static int yj_wants_key(struct yj *p)
{
    struct yj_frame *f = yj_top(p);

    return f && f->is_map && !f->key && !f->key_merge;
}

static int yj_is_mappings(const cJSON *v)
{
    const cJSON *item;

    if (cJSON_IsObject(v))
        return 1;
    if (!cJSON_IsArray(v))
        return 0;
    for (item = v->child; item; item = item->next)
        if (!cJSON_IsObject(item))
            return 0;
    return 1;
}

/* The value of '<<': a mapping or a sequence of mappings, kept for the end. */
static int yj_add_merge(struct yj *p, struct yj_frame *f, cJSON *v)
{
    if (!yj_is_mappings(v)) {
        cJSON_Delete(v);
        return yj_fail(p, 0, &f->key_mark,
                       "merge key '<<' needs a mapping or a sequence of mappings");
    }
    if (!f->merges && !(f->merges = cJSON_CreateArray())) {
        cJSON_Delete(v);
        return yj_nomem(p);
    }
    cJSON_AddItemToArray(f->merges, v);
    return 0;
}

/* Put a complete value (of the given height) where it belongs; takes v. */
static int yj_attach(struct yj *p, cJSON *v, int height)
{
    struct yj_frame *f = yj_top(p);

    if (!f) {
        p->root = v;
        return 0;
    }
    if (f->height < height + 1)
        f->height = height + 1;
    if (!f->is_map) {
        cJSON_AddItemToArray(f->node, v);
        return 0;
    }
    if (f->key_merge) {
        f->key_merge = 0;
        return yj_add_merge(p, f, v);
    }
    if (!cJSON_AddItemToObject(f->node, f->key, v)) {
        cJSON_Delete(v);
        return yj_nomem(p);
    }
    free(f->key);
    f->key = NULL;
    if (yj_set_add(&f->keys, v->string, (long)f->key_mark.line + 1) < 0)
        return yj_nomem(p);
    return 0;
}

/* A key for the mapping on top (takes key; NULL key: the merge key). */
static int yj_set_key(struct yj *p, char *key, const yaml_mark_t *m)
{
    struct yj_frame *f = yj_top(p);
    const struct yj_slot *dup;
    char quoted[64];

    f->key_mark = *m;
    if (!key) {
        if (f->merged)
            return yj_fail(p, 0, m, "duplicate merge key '<<'");
        f->merged = 1;
        f->key_merge = 1;
        return 0;
    }
    dup = yj_set_find(&f->keys, key);
    if (dup) {
        yj_fail(p, 0, m, "duplicate key '%s' (first at line %ld)",
                yamlscalar_shorten(key, quoted, sizeof(quoted)), dup->val);
        free(key);
        return -1;
    }
    f->key = key;
    return yj_spend(p, NULL, 0, strlen(key), m);
}

/* The scalar as a key of the mapping on top. */
static int yj_scalar_key(struct yj *p, const struct yamlscalar *sc, const char *text,
                         const yaml_mark_t *m)
{
    struct vs_error e;
    char *key = yamlscalar_key(sc, text, &e);

    if (!key)
        return yj_fail_scalar(p, &e, m);
    return yj_set_key(p, key, m);
}

/* The scalar as a value. */
static int yj_scalar_value(struct yj *p, const struct yamlscalar *sc, const char *text, size_t n,
                           const yaml_mark_t *m)
{
    struct vs_error e;
    cJSON *v;

    if (yj_spend(p, NULL, 1, sc->kind == YAMLSCALAR_STR ? n : 0, m) < 0)
        return -1;
    v = yamlscalar_json(sc, text, &e);
    if (!v)
        return yj_fail_scalar(p, &e, m);
    return yj_attach(p, v, 0);
}

/* ---- events ------------------------------------------------------------------ */

/* What a scalar event means; *merge set for the merge key '<<'. */
static int yj_read_scalar(struct yj *p, const yaml_event_t *ev, struct yamlscalar *sc, int *merge)
{
    const char *text = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    struct vs_error e;

    *merge = 0;
    if (memchr(text, '\0', ev->data.scalar.length))
        return yj_fail(p, 0, &ev->start_mark, "a string holds a NUL character, which cJSON cannot");
    if (strcmp(text, "<<") == 0 && ((plain && !tag) || (tag && strcmp(tag, MERGE_TAG) == 0)))
        *merge = 1;
    else if (tag && strcmp(tag, MERGE_TAG) == 0)
        return yj_fail(p, 0, &ev->start_mark, "tag '!!merge' only goes with the key '<<'");
    if (*merge) {
        memset(sc, 0, sizeof(*sc));
        sc->kind = YAMLSCALAR_STR; /* what '<<' means anywhere but as a key */
        return 0;
    }
    if (yamlscalar_read(text, ev->data.scalar.length, tag, plain, sc, &e) < 0)
        return yj_fail_scalar(p, &e, &ev->start_mark);
    return 0;
}

static int yj_on_scalar(struct yj *p, const yaml_event_t *ev)
{
    const char *text = (const char *)ev->data.scalar.value;
    const char *anchor = (const char *)ev->data.scalar.anchor;
    size_t n = ev->data.scalar.length;
    struct yamlscalar sc;
    int merge;

    if (yj_read_scalar(p, ev, &sc, &merge) < 0)
        return -1;
    if (anchor && yj_anchor_scalar(p, anchor, text, n, &sc) < 0)
        return -1;
    if (yj_wants_key(p))
        return merge ? yj_set_key(p, NULL, &ev->start_mark)
                     : yj_scalar_key(p, &sc, text, &ev->start_mark);
    if (p->depth == 0 && n == 0 && !anchor && !ev->data.scalar.tag &&
        ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        p->root_empty = 1; /* a document without content */
        return 0;
    }
    return yj_scalar_value(p, &sc, text, n, &ev->start_mark);
}

static int yj_check_collection_tag(struct yj *p, const yaml_event_t *ev, int is_map)
{
    const char *tag =
        (const char *)(is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
    const char *want = is_map ? "tag:yaml.org,2002:map" : "tag:yaml.org,2002:seq";
    char quoted[64];

    if (!tag || strcmp(tag, "!") == 0 || strcmp(tag, want) == 0)
        return 0;
    return yj_fail(p, 0, &ev->start_mark, "unsupported tag '%s' on a %s",
                   yamlscalar_shorten(tag, quoted, sizeof(quoted)),
                   is_map ? "mapping" : "sequence");
}

static int yj_on_start(struct yj *p, const yaml_event_t *ev, int is_map)
{
    const char *anchor =
        (const char *)(is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor);
    struct yj_frame *f;
    size_t nodes0 = p->nodes, bytes0 = p->bytes;

    if (yj_check_collection_tag(p, ev, is_map) < 0)
        return -1;
    if (yj_wants_key(p))
        return yj_fail(p, 0, &ev->start_mark, "a mapping key must be a scalar, not a %s",
                       is_map ? "mapping" : "sequence");
    if (p->depth >= YAMLJSON_MAX_DEPTH)
        return yj_fail(p, E2BIG, &ev->start_mark, "collections nest deeper than %d",
                       YAMLJSON_MAX_DEPTH);
    if (yj_spend(p, NULL, 1, 0, &ev->start_mark) < 0)
        return -1;
    if (p->depth == p->stack_cap) {
        size_t cap = p->stack_cap ? p->stack_cap * 2 : 16;
        struct yj_frame *s = realloc(p->stack, cap * sizeof(*s));

        if (!s)
            return yj_nomem(p);
        p->stack = s;
        p->stack_cap = cap;
    }
    f = &p->stack[p->depth];
    memset(f, 0, sizeof(*f));
    f->is_map = is_map;
    f->mark = ev->start_mark;
    f->nodes0 = nodes0;
    f->bytes0 = bytes0;
    f->height = 1;
    f->node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
    f->anchor = anchor ? strdup(anchor) : NULL;
    if (!f->node || (anchor && !f->anchor)) {
        cJSON_Delete(f->node);
        free(f->anchor);
        return yj_nomem(p);
    }
    p->depth++;
    return 0;
}

/* A deep copy of v without its member name (it goes elsewhere); NULL on ENOMEM. */
static cJSON *yj_copy(const cJSON *v)
{
    cJSON *c = cJSON_Duplicate(v, 1);

    if (c && c->string) {
        if (!(c->type & cJSON_StringIsConst))
            cJSON_free(c->string);
        c->string = NULL;
        c->type &= ~cJSON_StringIsConst;
    }
    return c;
}

/* Copy the members of src the mapping lacks into it. */
static int yj_merge_from(struct yj *p, struct yj_frame *f, const cJSON *src)
{
    for (const cJSON *item = src->child; item; item = item->next) {
        cJSON *copy;

        if (yj_set_find(&f->keys, item->string))
            continue; /* keys written in the mapping (or merged earlier) win */
        copy = cJSON_Duplicate(item, 1);
        if (!copy)
            return yj_nomem(p);
        if (!cJSON_AddItemToObject(f->node, item->string, copy)) {
            cJSON_Delete(copy);
            return yj_nomem(p);
        }
        if (yj_set_add(&f->keys, copy->string, 0) < 0)
            return yj_nomem(p);
    }
    return 0;
}

/*
 * Merge what '<<' brought. The sources are copied, not moved, and kept until
 * the document ends: an anchor may point into them.
 */
static int yj_apply_merges(struct yj *p, struct yj_frame *f)
{
    const cJSON *src, *elem;

    if (!f->merges)
        return 0;
    for (src = f->merges->child; src; src = src->next) {
        if (cJSON_IsObject(src)) {
            if (yj_merge_from(p, f, src) < 0)
                return -1;
            continue;
        }
        for (elem = src->child; elem; elem = elem->next)
            if (yj_merge_from(p, f, elem) < 0)
                return -1;
    }
    if (!p->graveyard && !(p->graveyard = cJSON_CreateArray()))
        return yj_nomem(p);
    cJSON_AddItemToArray(p->graveyard, f->merges);
    f->merges = NULL;
    return 0;
}

static void yj_frame_release(struct yj_frame *f)
{
    cJSON_Delete(f->node);
    free(f->anchor);
    yj_set_release(&f->keys);
    free(f->key);
    cJSON_Delete(f->merges);
    memset(f, 0, sizeof(*f));
}

static int yj_on_end(struct yj *p)
{
    struct yj_frame *f = yj_top(p);
    cJSON *node;
    int height, rc = 0;

    if (f->is_map)
        rc = yj_apply_merges(p, f);
    if (rc == 0 && f->anchor)
        rc = yj_anchor_collection(p, f);
    if (rc < 0)
        return -1; /* the frame is released by yj_release() */
    node = f->node;
    height = f->height;
    f->node = NULL;
    yj_frame_release(f);
    p->depth--;
    return yj_attach(p, node, height);
}

/* Is the anchor still open (an alias inside its own node)? */
static int yj_anchor_open(const struct yj *p, const char *name)
{
    for (size_t i = 0; i < p->depth; i++)
        if (p->stack[i].anchor && strcmp(p->stack[i].anchor, name) == 0)
            return 1;
    return 0;
}

static int yj_on_alias(struct yj *p, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const yaml_mark_t *m = &ev->start_mark;
    struct yj_anchor *a = yj_anchor_find(p, name);
    char quoted[64];
    cJSON *v;

    yamlscalar_shorten(name, quoted, sizeof(quoted));
    if (!a && yj_anchor_open(p, name))
        return yj_fail(p, 0, m, "alias '*%s' is inside the node it refers to", quoted);
    if (!a)
        return yj_fail(p, 0, m, "undefined alias '*%s'", quoted);
    if (yj_wants_key(p) && a->value)
        return yj_fail(p, 0, m, "a mapping key must be a scalar, not alias '*%s' to a %s", quoted,
                       cJSON_IsObject(a->value) ? "mapping" : "sequence");
    if (yj_wants_key(p))
        return yj_scalar_key(p, &a->sc, a->text, m);
    if (!a->value)
        return yj_scalar_value(p, &a->sc, a->text, strlen(a->text), m);
    if (p->depth + (size_t)a->height > YAMLJSON_MAX_DEPTH)
        return yj_fail(p, E2BIG, m, "collections nest deeper than %d (through alias '*%s')",
                       YAMLJSON_MAX_DEPTH, quoted);
    if (yj_spend(p, name, a->nodes, a->bytes, m) < 0)
        return -1;
    v = yj_copy(a->value);
    if (!v)
        return yj_nomem(p);
    return yj_attach(p, v, a->height);
}

static int yj_on_document_start(struct yj *p, const yaml_event_t *ev)
{
    p->doc++;
    p->in_doc = 1;
    p->doc_line = (long)ev->start_mark.line + 1;
    p->root = NULL;
    p->root_empty = 0;
    yj_anchors_clear(p);
    return 0;
}

static int yj_on_document_end(struct yj *p)
{
    cJSON *root = p->root;

    p->root = NULL;
    p->in_doc = 0;
    yj_anchors_clear(p);
    if (!root || p->root_empty) {
        cJSON_Delete(root);
        return 0;
    }
    if (p->nlines == p->lines_cap) {
        size_t cap = p->lines_cap * 2;
        long *v = realloc(p->lines, cap * sizeof(*v));

        if (!v) {
            cJSON_Delete(root);
            return yj_nomem(p);
        }
        p->lines = v;
        p->lines_cap = cap;
    }
    p->lines[p->nlines++] = p->doc_line;
    cJSON_AddItemToArray(p->docs, root);
    return 0;
}

static int yj_on_event(struct yj *p, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        return yj_on_document_start(p, ev);
    case YAML_DOCUMENT_END_EVENT:
        return yj_on_document_end(p);
    case YAML_SCALAR_EVENT:
        return yj_on_scalar(p, ev);
    case YAML_ALIAS_EVENT:
        return yj_on_alias(p, ev);
    case YAML_SEQUENCE_START_EVENT:
        return yj_on_start(p, ev, 0);
    case YAML_MAPPING_START_EVENT:
        return yj_on_start(p, ev, 1);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return yj_on_end(p);
    default:
        return 0;
    }
}

/* ---- libyaml's own errors ------------------------------------------------------ */

/* A reader error has a byte offset only: find its line and column. */
static int yj_fail_reader(struct yj *p)
{
    size_t off = p->yp.problem_offset < p->len ? p->yp.problem_offset : p->len;
    yaml_mark_t m = {off, 0, 0};
    size_t bol = 0;

    for (size_t i = 0; i < off; i++)
        if (p->text[i] == '\n') {
            m.line++;
            bol = i + 1;
        }
    m.column = off - bol;
    if (p->yp.problem_value != -1)
        return yj_fail(p, 0, &m, "%s (byte 0x%02X at offset %zu)", p->yp.problem,
                       (unsigned)p->yp.problem_value & 0xff, p->yp.problem_offset);
    return yj_fail(p, 0, &m, "%s (at offset %zu)", p->yp.problem, p->yp.problem_offset);
}

static int yj_fail_yaml(struct yj *p)
{
    const yaml_parser_t *yp = &p->yp;

    if (yp->error == YAML_MEMORY_ERROR)
        return yj_nomem(p);
    if (yp->error == YAML_READER_ERROR)
        return yj_fail_reader(p);
    if (yp->context)
        return yj_fail(p, 0, &yp->problem_mark, "%s (%s at line %ld column %ld)",
                       yp->problem ? yp->problem : "syntax error", yp->context,
                       (long)yp->context_mark.line + 1, (long)yp->context_mark.column + 1);
    return yj_fail(p, 0, &yp->problem_mark, "%s", yp->problem ? yp->problem : "syntax error");
}

static int yj_run(struct yj *p)
{
    for (;;) {
        yaml_event_t ev;
        yaml_event_type_t type;
        int rc;

        if (!yaml_parser_parse(&p->yp, &ev))
            return yj_fail_yaml(p);
        rc = yj_on_event(p, &ev);
        type = ev.type;
        yaml_event_delete(&ev);
        if (rc < 0)
            return -1;
        if (type == YAML_STREAM_END_EVENT)
            return 0;
    }
}

static void yj_release(struct yj *p)
{
    while (p->depth > 0)
        yj_frame_release(&p->stack[--p->depth]);
    free(p->stack);
    yj_anchors_clear(p);
    free(p->anchors);
    cJSON_Delete(p->root);
    cJSON_Delete(p->docs);
    free(p->lines);
    yaml_parser_delete(&p->yp);
}

int yamljson_parse(const char *text, size_t len, const char *name, cJSON **docs, long **lines,
                   struct vs_error *err)
{
    struct yj p;
    int rc = -1;

    *docs = NULL;
    if (lines)
        *lines = NULL;
    memset(&p, 0, sizeof(p));
    p.text = text ? text : "";
    p.len = text ? len : 0;
    p.name = name;
    p.err = err;
    if (!yaml_parser_initialize(&p.yp))
        return vs_error_setc(err, ENOMEM, name, 0, 0, "out of memory");
    yaml_parser_set_input_string(&p.yp, (const unsigned char *)p.text, p.len);
    p.docs = cJSON_CreateArray();
    p.lines_cap = 4;
    p.lines = malloc(p.lines_cap * sizeof(*p.lines));
    if (!p.docs || !p.lines)
        rc = yj_nomem(&p);
    else
        rc = yj_run(&p);
    if (rc == 0) {
        *docs = p.docs;
        p.docs = NULL;
        if (lines) {
            *lines = p.lines;
            p.lines = NULL;
        }
    }
    yj_release(&p);
    return rc;
}

const char *yamljson_type_name(const cJSON *v)
{
    if (cJSON_IsObject(v))
        return "a mapping";
    if (cJSON_IsArray(v))
        return "a sequence";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    return "null";
}
