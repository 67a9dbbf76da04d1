/*
 * store.h - the simulator's object store: what etcd plus the API server's
 * watch cache are to a real cluster.
 *
 * Objects are cJSON documents keyed by resource, namespace and name. Every
 * change gets the next resourceVersion (one counter for all resources, as
 * etcd's revision) and is recorded in a bounded history of events, each kept
 * as its watch line {"type":"...","object":{...}} plus a small copy of the
 * object's metadata for selector matching. A watch resumed from a version
 * older than the history can serve is refused (the caller answers 410
 * Expired), as a real API server does.
 *
 * Ownership: the store owns every object and event; pointers it returns stay
 * valid until the object is deleted (store_delete) or the store is freed.
 * Callers may change o->json in place and must then call store_touch().
 * Single-threaded.
 */
#ifndef SIM_STORE_H
#define SIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "error.h"
#include "resource.h"
#include "rng.h"

struct store;

struct sim_object {
    const struct sim_resource *res;
    char *ns; /* "" for cluster-scoped resources */
    char *name;
    cJSON *json; /* the whole object; metadata.resourceVersion kept current */
    uint64_t rv;
    void *priv; /* the controller's state for this object; not freed by the store */
    /* store-private links */
    struct sim_object *hnext, *prev, *next;
};

enum store_event_type { STORE_ADDED, STORE_MODIFIED, STORE_DELETED };

struct store_event {
    uint64_t rv;
    enum store_event_type type;
    const struct sim_resource *res;
    char *ns;
    char *name;
    cJSON *meta;  /* copy of metadata (name, namespace, labels, ...) */
    char *object; /* the object as JSON text at this version */
    size_t object_len;
};

/* Called after every change, with the event just recorded. */
typedef void (*store_listener_fn)(void *ctx, const struct store_event *ev);

/*
 * history: how many events are kept for watch resumes (at least 1). rng (not
 * owned) draws the uids and generated names: the simulator's SIM_RNG_IDS
 * stream, so that they never shift the timing model's draws.
 */
struct store *store_new(size_t history, struct rng *rng);
void store_free(struct store *st);
void store_set_listener(struct store *st, store_listener_fn fn, void *ctx);

/* The current resourceVersion (of the last change; 1 before any). */
uint64_t store_rv(const struct store *st);

struct sim_object *store_get(struct store *st, const struct sim_resource *res, const char *ns,
                             const char *name);

/*
 * Add obj (consumed, also on failure) as a new object. Sets metadata.name
 * (from generateName when name is empty), namespace, uid, creationTimestamp
 * (from now_ns), resourceVersion and, for custom resources, generation.
 * Fails with err->code 409 if it exists, 422 if it has no name.
 */
struct sim_object *store_create(struct store *st, const struct sim_resource *res, const char *ns,
                                cJSON *obj, int64_t now_ns, struct vs_error *err);

/* Record that o->json changed: new resourceVersion, MODIFIED event. */
void store_touch(struct store *st, struct sim_object *o);

/* Remove o, recording a DELETED event with a new resourceVersion. o is freed. */
void store_delete(struct store *st, struct sim_object *o);

/*
 * The objects of res (in ns, or in all namespaces when ns is NULL), sorted
 * by namespace then name, as a malloc'd array (caller frees the array, not
 * the objects). Returns the count; *out is NULL when 0.
 */
size_t store_list(struct store *st, const struct sim_resource *res, const char *ns,
                  struct sim_object ***out);

/* Number of objects of res in ns (NULL = all). */
size_t store_count(struct store *st, const struct sim_resource *res, const char *ns);

/*
 * Call fn for each recorded event with rv > since, oldest first. Returns 0,
 * or -1 when events after `since` have already left the history (expired).
 */
int store_replay(const struct store *st, uint64_t since,
                 void (*fn)(void *ctx, const struct store_event *ev), void *ctx);

/* The oldest resourceVersion a watch can resume from. */
uint64_t store_oldest_resumable(const struct store *st);

/* Format ns as Kubernetes metav1.Time ("2006-01-02T15:04:05Z") into buf[32]. */
void store_format_time(int64_t ns, char buf[32]);

#endif
