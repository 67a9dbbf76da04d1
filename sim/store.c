#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

struct store {
    struct sim_object **buckets;
    size_t nbuckets, nobjects;
    struct sim_object *head[RES_COUNT], *tail[RES_COUNT]; /* per resource, by creation */
    size_t count[RES_COUNT];
    uint64_t rv;
    struct store_event *ring; /* history ring */
    size_t ring_cap, ring_len, ring_start;
    uint64_t dropped_rv; /* rv of the newest event that left the ring (0: none) */
    struct rng *rng;
    store_listener_fn listener;
    void *listener_ctx;
};

static uint64_t hash_key(enum sim_res_id id, const char *ns, const char *name)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)id;

    for (const char *p = ns; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ '/') * 1099511628211ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

struct store *store_new(size_t history, struct rng *rng)
{
    struct store *st = calloc(1, sizeof(*st));

    if (!st)
        return NULL;
    st->nbuckets = 1024;
    st->buckets = calloc(st->nbuckets, sizeof(*st->buckets));
    st->ring_cap = history ? history : 1;
    st->ring = calloc(st->ring_cap, sizeof(*st->ring));
    if (!st->buckets || !st->ring) {
        free(st->buckets);
        free(st->ring);
        free(st);
        return NULL;
    }
    st->rv = 1;
    st->rng = rng;
    return st;
}

static void event_clear(struct store_event *ev)
{
    free(ev->ns);
    free(ev->name);
    free(ev->object);
    cJSON_Delete(ev->meta);
    memset(ev, 0, sizeof(*ev));
}

static void object_free(struct sim_object *o)
{
    free(o->ns);
    free(o->name);
    cJSON_Delete(o->json);
    free(o);
}

void store_free(struct store *st)
{
    if (!st)
        return;
    for (size_t r = 0; r < RES_COUNT; r++) {
        struct sim_object *o = st->head[r], *next;

        for (; o; o = next) {
            next = o->next;
            object_free(o);
        }
    }
    for (size_t i = 0; i < st->ring_len; i++)
        event_clear(&st->ring[(st->ring_start + i) % st->ring_cap]);
    free(st->ring);
    free(st->buckets);
    free(st);
}

void store_set_listener(struct store *st, store_listener_fn fn, void *ctx)
{
    st->listener = fn;
    st->listener_ctx = ctx;
}

uint64_t store_rv(const struct store *st)
{
    return st->rv;
}

void store_format_time(int64_t ns, char buf[32])
{
    rfc3339_format(ns, 0, buf, 32);
}

struct sim_object *store_get(struct store *st, const struct sim_resource *res, const char *ns,
                             const char *name)
{
    uint64_t h = hash_key(res->id, ns, name);
    struct sim_object *o = st->buckets[h & (st->nbuckets - 1)];

    for (; o; o = o->hnext)
        if (o->res == res && strcmp(o->name, name) == 0 && strcmp(o->ns, ns) == 0)
            return o;
    return NULL;
}

static void hash_insert(struct store *st, struct sim_object *o)
{
    uint64_t h = hash_key(o->res->id, o->ns, o->name) & (st->nbuckets - 1);

    o->hnext = st->buckets[h];
    st->buckets[h] = o;
}

static void hash_grow(struct store *st)
{
    struct sim_object **old = st->buckets;
    size_t oldn = st->nbuckets;
    struct sim_object **nb = calloc(oldn * 2, sizeof(*nb));

    if (!nb)
        return; /* keep the smaller table: slower, still correct */
    st->buckets = nb;
    st->nbuckets = oldn * 2;
    for (size_t i = 0; i < oldn; i++) {
        struct sim_object *o = old[i], *next;

        for (; o; o = next) {
            next = o->hnext;
            hash_insert(st, o);
        }
    }
    free(old);
}

static void hash_remove(struct store *st, struct sim_object *o)
{
    uint64_t h = hash_key(o->res->id, o->ns, o->name) & (st->nbuckets - 1);
    struct sim_object **pp = &st->buckets[h];

    while (*pp && *pp != o)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = o->hnext;
}

/* Record an event for o (or a deleted o) at the current rv and tell the listener. */
static void record(struct store *st, struct sim_object *o, enum store_event_type type)
{
    struct store_event *ev;
    char *obj = cJSON_PrintUnformatted(o->json);

    if (st->ring_len == st->ring_cap) {
        ev = &st->ring[st->ring_start];
        st->dropped_rv = ev->rv;
        event_clear(ev);
        st->ring_start = (st->ring_start + 1) % st->ring_cap;
        st->ring_len--;
    }
    ev = &st->ring[(st->ring_start + st->ring_len) % st->ring_cap];
    st->ring_len++;
    ev->rv = st->rv;
    ev->type = type;
    ev->res = o->res;
    ev->ns = strdup(o->ns);
    ev->name = strdup(o->name);
    ev->meta = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(o->json, "metadata"), 1);
    ev->object = obj;
    ev->object_len = obj ? strlen(obj) : 0;
    if (st->listener)
        st->listener(st->listener_ctx, ev);
}

static void set_rv(struct store *st, struct sim_object *o)
{
    char buf[24];
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(o->json, "metadata");

    o->rv = ++st->rv;
    snprintf(buf, sizeof(buf), "%" PRIu64, o->rv);
    if (cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion"))
        cJSON_ReplaceItemInObjectCaseSensitive(meta, "resourceVersion", cJSON_CreateString(buf));
    else
        cJSON_AddStringToObject(meta, "resourceVersion", buf);
}

static void set_string(cJSON *obj, const char *key, const char *value)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(value));
    else
        cJSON_AddStringToObject(obj, key, value);
}

/* Fill the name from generateName; -1 when there is neither. */
static int resolve_name(struct store *st, cJSON *meta, char *name, size_t n)
{
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(meta, "name");
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(meta, "generateName");
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

    if (cJSON_IsString(nm) && nm->valuestring[0]) {
        snprintf(name, n, "%s", nm->valuestring);
        return 0;
    }
    if (!cJSON_IsString(gen) || !gen->valuestring[0])
        return -1;
    snprintf(name, n, "%.57s", gen->valuestring);
    for (int i = 0; i < 5; i++) {
        char c[2] = {alphabet[rng_u64(st->rng) % (sizeof(alphabet) - 1)], 0};

        strncat(name, c, n - strlen(name) - 1);
    }
    set_string(meta, "name", name);
    return 0;
}

struct sim_object *store_create(struct store *st, const struct sim_resource *res, const char *ns,
                                cJSON *obj, int64_t now_ns, struct vs_error *err)
{
    struct sim_object *o;
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    char name[256], uid[37], ts[32];

    if (!cJSON_IsObject(meta)) {
        meta = cJSON_CreateObject();
        cJSON_AddItemToObject(obj, "metadata", meta);
    }
    if (resolve_name(st, meta, name, sizeof(name)) < 0) {
        cJSON_Delete(obj);
        vs_error_setc(err, 422, NULL, 0, 0, "%s: name or generateName is required", res->kind);
        return NULL;
    }
    if (!res->namespaced)
        ns = "";
    if (store_get(st, res, ns, name)) {
        cJSON_Delete(obj);
        vs_error_setc(err, 409, NULL, 0, 0, "%s.%s \"%s\" already exists", res->plural,
                      res->group[0] ? res->group : "", name);
        return NULL;
    }
    o = calloc(1, sizeof(*o));
    if (!o || !(o->ns = strdup(ns)) || !(o->name = strdup(name))) {
        if (o)
            free(o->ns);
        free(o);
        cJSON_Delete(obj);
        vs_error_setc(err, 500, NULL, 0, 0, "out of memory");
        return NULL;
    }
    o->res = res;
    o->json = obj;
    set_string(obj, "apiVersion", resource_api_version(res));
    set_string(obj, "kind", res->kind);
    if (res->namespaced)
        set_string(meta, "namespace", ns);
    rng_uuid(st->rng, uid);
    set_string(meta, "uid", uid);
    store_format_time(now_ns, ts);
    set_string(meta, "creationTimestamp", ts);
    if (res->group[0]) {
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "generation");
        cJSON_AddNumberToObject(meta, "generation", 1);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(meta, "deletionTimestamp");
    set_rv(st, o);
    if (st->nobjects + 1 > st->nbuckets)
        hash_grow(st);
    hash_insert(st, o);
    st->nobjects++;
    o->prev = st->tail[res->id];
    if (o->prev)
        o->prev->next = o;
    else
        st->head[res->id] = o;
    st->tail[res->id] = o;
    st->count[res->id]++;
    record(st, o, STORE_ADDED);
    return o;
}

void store_touch(struct store *st, struct sim_object *o)
{
    set_rv(st, o);
    record(st, o, STORE_MODIFIED);
}

void store_delete(struct store *st, struct sim_object *o)
{
    enum sim_res_id id = o->res->id;

    set_rv(st, o);
    hash_remove(st, o);
    st->nobjects--;
    if (o->prev)
        o->prev->next = o->next;
    else
        st->head[id] = o->next;
    if (o->next)
        o->next->prev = o->prev;
    else
        st->tail[id] = o->prev;
    st->count[id]--;
    record(st, o, STORE_DELETED);
    object_free(o);
}

static int cmp_objects(const void *a, const void *b)
{
    const struct sim_object *x = *(struct sim_object *const *)a;
    const struct sim_object *y = *(struct sim_object *const *)b;
    int c = strcmp(x->ns, y->ns);

    return c ? c : strcmp(x->name, y->name);
}

size_t store_list(struct store *st, const struct sim_resource *res, const char *ns,
                  struct sim_object ***out)
{
    size_t n = 0;
    struct sim_object **arr;

    *out = NULL;
    if (st->count[res->id] == 0)
        return 0;
    arr = malloc(st->count[res->id] * sizeof(*arr));
    if (!arr)
        return 0;
    for (struct sim_object *o = st->head[res->id]; o; o = o->next)
        if (!ns || strcmp(o->ns, ns) == 0)
            arr[n++] = o;
    qsort(arr, n, sizeof(*arr), cmp_objects);
    if (n == 0) {
        free(arr);
        arr = NULL;
    }
    *out = arr;
    return n;
}

size_t store_count(struct store *st, const struct sim_resource *res, const char *ns)
{
    size_t n = 0;

    if (!ns)
        return st->count[res->id];
    for (struct sim_object *o = st->head[res->id]; o; o = o->next)
        n += strcmp(o->ns, ns) == 0;
    return n;
}

int store_replay(const struct store *st, uint64_t since,
                 void (*fn)(void *ctx, const struct store_event *ev), void *ctx)
{
    if (since < st->dropped_rv)
        return -1;
    for (size_t i = 0; i < st->ring_len; i++) {
        const struct store_event *ev = &st->ring[(st->ring_start + i) % st->ring_cap];

        if (ev->rv > since)
            fn(ctx, ev);
    }
    return 0;
}

uint64_t store_oldest_resumable(const struct store *st)
{
    return st->dropped_rv;
}
