/*
 * api.c - routing and the REST verbs of the simulated API server: get,
 * list (label/field selectors, limit/continue, Tables), watch, create
 * (JSON or YAML), update (with resourceVersion preconditions), merge and
 * JSON patches, delete, and KubeVirt's start/stop subresources.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "ctl.h"
#include "discovery.h"
#include "faults.h"
#include "http.h"
#include "metrics.h"
#include "patch.h"
#include "selector.h"
#include "table.h"
#include "track.h"
#include "watch.h"
#include "yamljson.h"

#define MAX_PARTS 12
#define SUBRESOURCES_GROUP "subresources.kubevirt.io"

struct route {
    const struct sim_resource *res;
    const char *ns;   /* NULL: all namespaces (or cluster-scoped) */
    const char *name; /* NULL: the collection */
    const char *sub;  /* NULL: the object itself */
};

static int split_path(char *path, char **parts)
{
    int n = 0;

    for (char *tok = strtok(path, "/"); tok && n < MAX_PARTS; tok = strtok(NULL, "/"))
        parts[n++] = tok;
    return n;
}

static const char *group_of(const struct sim_resource *res)
{
    return res->group[0] ? res->group : NULL;
}

static void reply_not_found(struct req *r, const struct sim_resource *res, const char *name)
{
    http_reply_status(r, 404, "NotFound", name, group_of(res), res->plural,
                      "%s%s%s \"%s\" not found", res->plural, res->group[0] ? "." : "", res->group,
                      name);
}

/* ---- request bodies ---------------------------------------------------------- */

/* The body as one JSON object (JSON or YAML); NULL after replying 400/415. */
static cJSON *parse_body(struct req *r)
{
    const char *ctype = http_header(r, "Content-Type");
    cJSON *obj = NULL, *docs = NULL;
    struct vs_error err;

    vs_error_clear(&err);
    if (ctype && (strstr(ctype, "yaml") && !strstr(ctype, "apply-patch"))) {
        if (yamljson_parse(vbuf_str(&r->body), r->body.len, "request body", &docs, NULL, &err) ==
                0 &&
            cJSON_GetArraySize(docs) == 1)
            obj = cJSON_DetachItemFromArray(docs, 0);
        else if (!err.msg[0])
            vs_error_set(&err, NULL, 0, 0, "expected exactly one YAML document");
        cJSON_Delete(docs);
    } else {
        obj = cJSON_ParseWithLength(vbuf_str(&r->body), r->body.len);
        if (!obj)
            vs_error_set(&err, NULL, 0, 0, "invalid JSON in request body");
    }
    if (!obj) {
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL, "%s (line %ld)", err.msg,
                          err.line);
        return NULL;
    }
    return obj;
}

/* Check kind/apiVersion/namespace of a body against the URL; replies 400 on mismatch. */
static int body_matches_route(struct req *r, const struct route *rt, const cJSON *obj)
{
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
    const cJSON *apiv = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
    const char *ns = track_meta(obj, "namespace");
    const char *want = resource_api_version(rt->res);

    if (!cJSON_IsObject(obj)) {
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL, "expected a JSON object");
        return 0;
    }
    if (cJSON_IsString(apiv) && strcmp(apiv->valuestring, want) != 0) {
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL,
                          "the API version in the data (%s) does not match the expected API "
                          "version (%s)",
                          apiv->valuestring, want);
        return 0;
    }
    if (cJSON_IsString(kind) && strcmp(kind->valuestring, rt->res->kind) != 0) {
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL,
                          "the kind in the data (%s) does not match the expected kind (%s)",
                          kind->valuestring, rt->res->kind);
        return 0;
    }
    if (rt->res->namespaced && ns && ns[0] && rt->ns && strcmp(ns, rt->ns) != 0) {
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL,
                          "the namespace of the provided object does not match the namespace "
                          "sent on the request");
        return 0;
    }
    return 1;
}

/* The namespace must exist and not be terminating; replies 404/403 otherwise. */
static int namespace_usable(struct req *r, const char *ns)
{
    const struct sim_resource *nsres = resource_get(RES_NAMESPACES);
    struct sim_object *o = store_get(r->sim->store, nsres, "", ns);

    if (!o) {
        reply_not_found(r, nsres, ns);
        return 0;
    }
    if (track_meta(o->json, "deletionTimestamp")) {
        http_reply_status(r, 403, "Forbidden", ns, NULL, "namespaces",
                          "unable to create new content in namespace %s because it is being "
                          "terminated",
                          ns);
        return 0;
    }
    return 1;
}

/* ---- verbs ------------------------------------------------------------------ */

static void do_get(struct req *r, const struct route *rt)
{
    struct sim_object *o = store_get(r->sim->store, rt->res, rt->ns ? rt->ns : "", rt->name);

    r->verb = "GET";
    if (!o) {
        reply_not_found(r, rt->res, rt->name);
        return;
    }
    if (table_wanted(http_header(r, "Accept"))) {
        cJSON *t = table_new(rt->res, store_rv(r->sim->store));

        table_add_row(t, rt->res, o->json, clock_wall_ns());
        http_reply_json(r, 200, t);
        return;
    }
    http_reply_json(r, 200, cJSON_Duplicate(o->json, 1));
}

/* Parse the selectors of a list or watch; replies 400 and returns -1 on error. */
static int parse_selectors(struct req *r, struct selector **labels, struct selector **fields)
{
    const char *ls = http_query(r, "labelSelector"), *fs = http_query(r, "fieldSelector");
    struct vs_error err;

    vs_error_clear(&err);
    *labels = *fields = NULL;
    if (ls && *ls && !(*labels = selector_parse_labels(ls, &err))) {
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL, "%s", err.msg);
        return -1;
    }
    if (fs && *fs && !(*fields = selector_parse_fields(fs, &err))) {
        selector_free(*labels);
        *labels = NULL;
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* Continue tokens: hex of "RV|NAMESPACE/NAME" of the last item sent. */
static void encode_continue(uint64_t rv, const struct sim_object *o, char *out, size_t n)
{
    char raw[600];
    size_t len = (size_t)snprintf(raw, sizeof(raw), "%" PRIu64 "|%s/%s", rv, o->ns, o->name);

    for (size_t i = 0; i < len && 2 * i + 2 < n; i++)
        snprintf(out + 2 * i, 3, "%02x", (unsigned char)raw[i]);
}

static int decode_continue(const char *tok, uint64_t *rv, char *key, size_t n)
{
    char raw[600];
    size_t len = strlen(tok) / 2;
    char *bar;

    if (strlen(tok) % 2 || len >= sizeof(raw))
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned v;

        if (sscanf(tok + 2 * i, "%2x", &v) != 1)
            return -1;
        raw[i] = (char)v;
    }
    raw[len] = '\0';
    bar = strchr(raw, '|');
    if (!bar)
        return -1;
    *rv = strtoull(raw, NULL, 10);
    snprintf(key, n, "%s", bar + 1);
    return 0;
}

static int after_key(const struct sim_object *o, const char *key)
{
    char k[600];

    snprintf(k, sizeof(k), "%s/%s", o->ns, o->name);
    return strcmp(k, key) > 0;
}

static cJSON *new_list(const struct route *rt, uint64_t rv)
{
    cJSON *list = cJSON_CreateObject(), *meta;
    char kind[96], buf[24];

    snprintf(kind, sizeof(kind), "%sList", rt->res->kind);
    cJSON_AddStringToObject(list, "kind", kind);
    cJSON_AddStringToObject(list, "apiVersion", resource_api_version(rt->res));
    meta = cJSON_AddObjectToObject(list, "metadata");
    snprintf(buf, sizeof(buf), "%" PRIu64, rv);
    cJSON_AddStringToObject(meta, "resourceVersion", buf);
    cJSON_AddArrayToObject(list, "items");
    return list;
}

static void do_list(struct req *r, const struct route *rt)
{
    struct selector *labels, *fields;
    const char *limit_s = http_query(r, "limit"), *cont = http_query(r, "continue");
    long limit = limit_s ? strtol(limit_s, NULL, 10) : 0;
    uint64_t rv = store_rv(r->sim->store), cont_rv = 0;
    int table = table_wanted(http_header(r, "Accept"));
    char key[600] = "";
    struct sim_object **objs;
    size_t n, sent = 0, i;
    cJSON *out, *items;

    r->verb = "LIST";
    if (parse_selectors(r, &labels, &fields) < 0)
        return;
    if (cont && *cont) {
        if (decode_continue(cont, &cont_rv, key, sizeof(key)) < 0) {
            http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL,
                              "continue key is not valid: illegal base64 data");
            goto out_sel;
        }
        if (cont_rv < store_oldest_resumable(r->sim->store)) {
            http_reply_status(r, 410, "Expired", NULL, NULL, NULL,
                              "The provided continue parameter is too old to display a "
                              "consistent list result. You can start a new list without the "
                              "continue parameter.");
            goto out_sel;
        }
    }
    out = table ? table_new(rt->res, rv) : new_list(rt, rv);
    items = cJSON_GetObjectItemCaseSensitive(out, table ? "rows" : "items");
    n = store_list(r->sim->store, rt->res, rt->ns, &objs);
    for (i = 0; i < n; i++) {
        if (key[0] && !after_key(objs[i], key))
            continue;
        if ((labels && !selector_matches(labels, objs[i]->json)) ||
            (fields && !selector_matches(fields, objs[i]->json)))
            continue;
        if (limit > 0 && (long)sent == limit) {
            char tok[1300];

            encode_continue(cont_rv ? cont_rv : rv, objs[i - 1], tok, sizeof(tok));
            cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(out, "metadata"), "continue",
                                    tok);
            break;
        }
        if (table)
            table_add_row(out, rt->res, objs[i]->json, clock_wall_ns());
        else
            cJSON_AddItemToArray(items, cJSON_Duplicate(objs[i]->json, 1));
        sent++;
    }
    free(objs);
    http_reply_json(r, 200, out);
out_sel:
    selector_free(labels);
    selector_free(fields);
}

static void do_watch(struct req *r, const struct route *rt)
{
    struct watch_spec spec;
    const char *rv = http_query(r, "resourceVersion");
    const char *timeout = http_query(r, "timeoutSeconds");
    const char *bm = http_query(r, "allowWatchBookmarks");

    r->verb = "WATCH";
    memset(&spec, 0, sizeof(spec));
    if (parse_selectors(r, &spec.labels, &spec.fields) < 0)
        return;
    spec.res = rt->res;
    spec.ns = rt->ns;
    spec.from_now = !rv || !*rv || strcmp(rv, "0") == 0;
    spec.since = spec.from_now ? 0 : strtoull(rv, NULL, 10);
    spec.force_expired = !spec.from_now && faults_expire_resume(r->sim);
    spec.table = table_wanted(http_header(r, "Accept"));
    spec.bookmarks = bm && strcmp(bm, "true") == 0;
    spec.timeout_ns = timeout ? strtoll(timeout, NULL, 10) * 1000000000LL : 0;
    watch_start(r, &spec);
}

static void do_create(struct req *r, const struct route *rt)
{
    cJSON *obj;
    struct sim_object *o;
    struct vs_error err;
    const char *ns = rt->res->namespaced ? rt->ns : "";
    char name[256];

    r->verb = "POST";

    if (rt->res->namespaced && !rt->ns) {
        http_reply_status(r, 405, "MethodNotAllowed", NULL, NULL, NULL,
                          "the server does not allow this method on the requested resource");
        return;
    }
    obj = parse_body(r);
    if (!obj)
        return;
    if (!body_matches_route(r, rt, obj) || (rt->res->namespaced && !namespace_usable(r, ns))) {
        cJSON_Delete(obj);
        return;
    }
    /* store_create consumes obj even when it fails: keep the name for the answer */
    snprintf(name, sizeof(name), "%s", track_meta(obj, "name") ? track_meta(obj, "name") : "");
    o = store_create(r->sim->store, rt->res, ns, obj, clock_wall_ns(), &err);
    if (!o) {
        if (err.code == 409)
            http_reply_status(r, 409, "AlreadyExists", name, group_of(rt->res), rt->res->plural,
                              "%s", err.msg);

        else if (err.code == 422)
            http_reply_invalid(r, "", group_of(rt->res), rt->res->kind, "metadata.name",
                               "Required value: name or generateName is required");
        else
            http_reply_status(r, 500, "InternalError", NULL, NULL, NULL, "%s", err.msg);

        return;
    }
    ctl_object_created(r->sim->ctl, o);
    http_reply_json(r, 201, cJSON_Duplicate(o->json, 1));
}

/* Keep what a client cannot change: identity, timestamps, and status or spec. */
static void keep_server_fields(cJSON *next, const cJSON *old, const struct route *rt)
{
    static const char *const keep[] = {"uid",        "creationTimestamp", "deletionTimestamp",
                                       "generation", "namespace",         "name"};
    cJSON *nmeta = cJSON_GetObjectItemCaseSensitive(next, "metadata");
    const cJSON *ometa = cJSON_GetObjectItemCaseSensitive(old, "metadata");
    int status_only = rt->sub && strcmp(rt->sub, "status") == 0;
    const char *part = status_only ? "spec" : "status";

    if (!cJSON_IsObject(nmeta)) {
        cJSON_DeleteItemFromObjectCaseSensitive(next, "metadata");
        nmeta = cJSON_AddObjectToObject(next, "metadata");
    }
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(ometa, keep[i]);

        cJSON_DeleteItemFromObjectCaseSensitive(nmeta, keep[i]);
        if (v)
            cJSON_AddItemToObject(nmeta, keep[i], cJSON_Duplicate(v, 1));
    }
    /* status is written only through /status where the resource has it */
    if (status_only || rt->res->has_status) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(old, part);

        cJSON_DeleteItemFromObjectCaseSensitive(next, part);
        if (v)
            cJSON_AddItemToObject(next, part, cJSON_Duplicate(v, 1));
    }
    cJSON_DeleteItemFromObjectCaseSensitive(next, "apiVersion");
    cJSON_DeleteItemFromObjectCaseSensitive(next, "kind");
    cJSON_AddStringToObject(next, "apiVersion", resource_api_version(rt->res));
    cJSON_AddStringToObject(next, "kind", rt->res->kind);
}

/* Replace o's content with next (consumed) and tell the controller. */
static void commit_update(struct req *r, const struct route *rt, struct sim_object *o, cJSON *next)
{
    const cJSON *old_spec = cJSON_GetObjectItemCaseSensitive(o->json, "spec");
    int spec_changed = !cJSON_Compare(old_spec, cJSON_GetObjectItemCaseSensitive(next, "spec"), 1);
    cJSON *gen;

    keep_server_fields(next, o->json, rt);
    gen = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(next, "metadata"),
                                           "generation");
    if (spec_changed && cJSON_IsNumber(gen))
        cJSON_SetNumberValue(gen, gen->valuedouble + 1);
    cJSON_Delete(o->json);
    o->json = next;
    store_touch(r->sim->store, o);
    if (!rt->sub)
        ctl_object_updated(r->sim->ctl, o);
    http_reply_json(r, 200, cJSON_Duplicate(o->json, 1));
}

static int sub_allowed(struct req *r, const struct route *rt)
{
    if (!rt->sub || (strcmp(rt->sub, "status") == 0 && rt->res->has_status))
        return 1;
    http_reply_status(r, 404, "NotFound", NULL, NULL, NULL,
                      "the server could not find the requested resource");
    return 0;
}

static void do_update(struct req *r, const struct route *rt)
{
    struct sim_object *o = store_get(r->sim->store, rt->res, rt->ns ? rt->ns : "", rt->name);
    cJSON *next;
    const char *rv, *name;

    r->verb = "PUT";
    if (!sub_allowed(r, rt))
        return;
    if (!o) {
        reply_not_found(r, rt->res, rt->name);
        return;
    }
    next = parse_body(r);
    if (!next || !body_matches_route(r, rt, next)) {
        cJSON_Delete(next);
        return;
    }
    name = track_meta(next, "name");
    rv = track_meta(next, "resourceVersion");
    if (name && strcmp(name, rt->name) != 0) {
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL,
                          "the name of the object (%s) does not match the name on the URL (%s)",
                          name, rt->name);
    } else if (rv && *rv && strtoull(rv, NULL, 10) != o->rv) {
        http_reply_status(r, 409, "Conflict", rt->name, group_of(rt->res), rt->res->plural,
                          "Operation cannot be fulfilled on %s%s%s \"%s\": the object has been "
                          "modified; please apply your changes to the latest version and try "
                          "again",
                          rt->res->plural, rt->res->group[0] ? "." : "", rt->res->group, rt->name);
    } else {
        commit_update(r, rt, o, next);
        return;
    }
    cJSON_Delete(next);
}

static void do_patch(struct req *r, const struct route *rt)
{
    struct sim_object *o = store_get(r->sim->store, rt->res, rt->ns ? rt->ns : "", rt->name);
    const char *ctype = http_header(r, "Content-Type");
    cJSON *patch, *next;
    struct vs_error err;
    int rc;

    r->verb = "PATCH";
    if (!sub_allowed(r, rt))
        return;
    if (!o) {
        reply_not_found(r, rt->res, rt->name);
        return;
    }
    if (!ctype || strstr(ctype, "apply-patch")) {
        http_reply_status(r, 415, "UnsupportedMediaType", NULL, NULL, NULL,
                          "the body of the request was in an unknown format - accepted media "
                          "types include: application/json-patch+json, "
                          "application/merge-patch+json, application/strategic-merge-patch+json");
        return;
    }
    patch = cJSON_ParseWithLength(vbuf_str(&r->body), r->body.len);
    if (!patch) {
        http_reply_status(r, 400, "BadRequest", NULL, NULL, NULL, "invalid JSON in patch");
        return;
    }
    next = cJSON_Duplicate(o->json, 1);
    vs_error_clear(&err);
    /* strategic merge patch is applied as a merge patch: for the fields vmstorm
       and kubectl patch here (scalars, labels) the result is the same */
    rc = strstr(ctype, "json-patch") ? patch_json(&next, patch, &err)
                                     : patch_merge(&next, patch, &err);
    cJSON_Delete(patch);
    if (rc < 0) {
        cJSON_Delete(next);
        http_reply_invalid(r, rt->name, group_of(rt->res), rt->res->kind, "patch", err.msg);
        return;
    }
    commit_update(r, rt, o, next);
}

static void do_delete(struct req *r, const struct route *rt)
{
    struct sim_object *o = store_get(r->sim->store, rt->res, rt->ns ? rt->ns : "", rt->name);
    cJSON *copy;

    r->verb = "DELETE";
    if (!o) {
        reply_not_found(r, rt->res, rt->name);
        return;
    }
    if (ctl_object_deleting(r->sim->ctl, o)) {
        http_reply_json(r, 200, cJSON_Duplicate(o->json, 1));
        return;
    }
    copy = cJSON_Duplicate(o->json, 1);
    store_delete(r->sim->store, o);
    http_reply_json(r, 200, copy);
}

static void do_vm_action(struct req *r, const struct route *rt)
{
    struct sim_object *vm = store_get(r->sim->store, rt->res, rt->ns, rt->name);
    struct vs_error err;
    int status;

    r->verb = "PUT";
    if (!vm) {
        reply_not_found(r, rt->res, rt->name);
        return;
    }
    vs_error_clear(&err);
    status = strcmp(rt->sub, "start") == 0 ? ctl_vm_start(r->sim->ctl, vm, &err)
                                           : ctl_vm_stop(r->sim->ctl, vm, &err);
    if (status == 409)
        http_reply_status(r, 409, "Conflict", rt->name, "kubevirt.io", "virtualmachine",
                          "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"%s\": %s",
                          rt->name, err.msg);
    else if (status >= 300)
        http_reply_status(r, status, "InternalError", rt->name, NULL, NULL, "%s", err.msg);
    else
        http_reply_text(r, status, "text/plain", "");
}

/* ---- routing ----------------------------------------------------------------- */

/* Fill rt from the parts after /api/v1 or /apis/G/V; 0 if no such resource. */
static int parse_resource_path(struct route *rt, const char *group, const char *version,
                               char **rest, int n)
{
    const struct sim_resource *res;

    memset(rt, 0, sizeof(*rt));
    if (n >= 3 && strcmp(rest[0], "namespaces") == 0 &&
        (res = resource_find(group, version, rest[2])) && res->namespaced) {
        if (n > 5)
            return 0;
        rt->res = res;
        rt->ns = rest[1];
        rt->name = n > 3 ? rest[3] : NULL;
        rt->sub = n > 4 ? rest[4] : NULL;
        return 1;
    }
    if (n < 1 || n > 3 || !(res = resource_find(group, version, rest[0])))
        return 0;
    rt->res = res;
    rt->name = n > 1 ? rest[1] : NULL;
    rt->sub = n > 2 ? rest[2] : NULL;
    return 1;
}

static int is_true(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
}

static void dispatch(struct req *r, const struct route *rt)
{
    const char *m = r->method;

    r->group = rt->res->group;
    r->version = rt->res->version;
    r->resource = rt->res->plural;
    r->subresource = rt->sub ? rt->sub : "";
    if (strcmp(m, "GET") == 0 && rt->name)
        do_get(r, rt);
    else if (strcmp(m, "GET") == 0 && is_true(http_query(r, "watch")))
        do_watch(r, rt);
    else if (strcmp(m, "GET") == 0)
        do_list(r, rt);
    else if (strcmp(m, "POST") == 0 && !rt->name)
        do_create(r, rt);
    else if (strcmp(m, "PUT") == 0 && rt->name)
        do_update(r, rt);
    else if (strcmp(m, "PATCH") == 0 && rt->name)
        do_patch(r, rt);
    else if (strcmp(m, "DELETE") == 0 && rt->name)
        do_delete(r, rt);
    else
        http_reply_status(r, 405, "MethodNotAllowed", NULL, NULL, NULL,
                          "the server does not allow this method on the requested resource");
}

static void reply_metrics(struct req *r)
{
    char *text = metrics_render(r->sim->metrics);

    r->verb = "GET";
    http_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text ? text : "");
    free(text);
}

/* The subresource API group, served by virt-api (or, when absent, a plain 404). */
static void subresources(struct req *r, char **parts, int n)
{
    struct route rt;

    if (!r->sim->opt.subresources) {
        http_reply_text(r, 404, "text/plain; charset=utf-8", "404 page not found\n");
        return;
    }
    if (n == 8 && strcmp(parts[3], "namespaces") == 0 && strcmp(parts[5], "virtualmachines") == 0 &&
        (strcmp(parts[7], "start") == 0 || strcmp(parts[7], "stop") == 0)) {
        memset(&rt, 0, sizeof(rt));
        rt.res = resource_get(RES_VMS);
        rt.ns = parts[4];
        rt.name = parts[6];
        rt.sub = parts[7];
        r->group = SUBRESOURCES_GROUP;
        r->version = "v1";
        r->resource = "virtualmachines";
        r->subresource = rt.sub;
        if (strcmp(r->method, "PUT") == 0)
            do_vm_action(r, &rt);
        else
            http_reply_status(r, 405, "MethodNotAllowed", NULL, NULL, NULL,
                              "the server does not allow this method on the requested resource");
        return;
    }
    http_reply_status(r, 404, "NotFound", NULL, NULL, NULL,
                      "the server could not find the requested resource");
}

void api_handle(struct req *r)
{
    char *path = strdup(r->url), *parts[MAX_PARTS];
    int n = path ? split_path(path, parts) : 0;
    struct route rt;

    if (!path) {
        http_reply_status(r, 500, "InternalError", NULL, NULL, NULL, "out of memory");
        return;
    }
    if (faults_before_request(r->sim, r)) {
        /* the fault answered (429/5xx) */
    } else if (n == 1 && strcmp(parts[0], "metrics") == 0) {
        reply_metrics(r);
    } else if (n == 1 && (strcmp(parts[0], "healthz") == 0 || strcmp(parts[0], "livez") == 0 ||
                          strcmp(parts[0], "readyz") == 0)) {
        r->verb = "GET";
        http_reply_text(r, 200, "text/plain; charset=utf-8", "ok");
    } else if (discovery_handle(r, parts, n)) {
        /* answered */
    } else if (n >= 2 && strcmp(parts[0], "apis") == 0 &&
               strcmp(parts[1], SUBRESOURCES_GROUP) == 0) {
        subresources(r, parts, n);
    } else if (n >= 3 && strcmp(parts[0], "api") == 0 && strcmp(parts[1], "v1") == 0 &&
               parse_resource_path(&rt, "", "v1", parts + 2, n - 2)) {
        dispatch(r, &rt);
    } else if (n >= 4 && strcmp(parts[0], "apis") == 0 &&
               parse_resource_path(&rt, parts[1], parts[2], parts + 3, n - 3)) {
        dispatch(r, &rt);
    } else {
        http_reply_status(r, 404, "NotFound", NULL, NULL, NULL,
                          "the server could not find the requested resource");
    }
    free(path);
}
