/*
 * track.c - tracked fields of watched objects and watch_event bodies (see
 * track.h).
 *
 * Extraction first collects borrowed pointers (into the object, or to
 * constant strings), then copies them all at once, so that a failure has one
 * place to clean up.
 */
#include "track.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static const struct {
    const char *plural;
    const char *fields[TRACK_MAX_FIELDS + 1]; /* NULL-terminated */
} resources[TRACK_RES_COUNT] = {
    [TRACK_VM] = {"virtualmachines", {"printable_status", "run_strategy", "ready", NULL}},
    [TRACK_VMI] = {"virtualmachineinstances",
                   {"phase", "node", "ip", "ready", "agent_connected", NULL}},
    [TRACK_DV] = {"datavolumes", {"phase", "progress", NULL}},
    [TRACK_POD] = {"pods", {"phase", "node", "ip", "ready", "vmi_uid", NULL}},
};

/* The conditions copied into server.conditions. */
static const char *const server_conditions[] = {"Ready", "AgentConnected", "PodScheduled"};

#define WHERE_META "metadata"

static int res_ok(enum track_res r)
{
    return (int)r >= 0 && r < TRACK_RES_COUNT;
}

const char *track_res_plural(enum track_res r)
{
    return res_ok(r) ? resources[r].plural : NULL;
}

const char *track_field_name(enum track_res r, int i)
{
    if (!res_ok(r) || i < 0 || i >= TRACK_MAX_FIELDS)
        return NULL;
    return resources[r].fields[i];
}

int track_vm_status_failed(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    return n > 0 && (strncmp(s, "Err", 3) == 0 || (n >= 7 && strcmp(s + n - 7, "BackOff") == 0) ||
                     (n >= 5 && strcmp(s + n - 5, "Error") == 0));
}

/* ---- reading the object --------------------------------------------------- */

/* obj[key] when obj is an object, else NULL. */
static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

/* The string obj[key] when it is a non-empty string, else NULL. */
static const char *str_member(const cJSON *obj, const char *key)
{
    const cJSON *v = member(obj, key);

    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

const char *track_meta(const cJSON *obj, const char *key)
{
    const cJSON *v = member(member(obj, "metadata"), key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The first element of obj.status.conditions whose type is `type`. */
static const cJSON *condition(const cJSON *obj, const char *type)
{
    const cJSON *conds = member(member(obj, "status"), "conditions");
    const cJSON *c;

    if (!cJSON_IsArray(conds))
        return NULL;
    cJSON_ArrayForEach(c, conds)
    {
        const cJSON *t = member(c, "type");

        if (cJSON_IsString(t) && strcmp(t->valuestring, type) == 0)
            return c;
    }
    return NULL;
}

static const char *condition_status(const cJSON *obj, const char *type)
{
    return str_member(condition(obj, type), "status");
}

static const char *bool_text(const cJSON *v, const char *yes, const char *no)
{
    if (cJSON_IsTrue(v))
        return yes;
    return cJSON_IsFalse(v) ? no : NULL;
}

/* status.interfaces[0].ipAddress, else the first of its ipAddresses. */
static const char *vmi_ip(const cJSON *status)
{
    const cJSON *ifs = member(status, "interfaces");
    const cJSON *first = cJSON_IsArray(ifs) ? ifs->child : NULL;
    const char *ip = str_member(first, "ipAddress");
    const cJSON *ips = member(first, "ipAddresses");

    if (ip)
        return ip;
    if (cJSON_IsArray(ips) && cJSON_IsString(ips->child) && ips->child->valuestring[0])
        return ips->child->valuestring;
    return NULL;
}

static void fields_vm(const cJSON *obj, const char **f)
{
    const cJSON *spec = member(obj, "spec"), *status = member(obj, "status");

    f[0] = str_member(status, "printableStatus");
    f[1] = str_member(spec, "runStrategy");
    if (!f[1])
        f[1] = bool_text(member(spec, "running"), "Always", "Halted");
    f[2] = bool_text(member(status, "ready"), "True", "False");
}

static void fields_vmi(const cJSON *obj, const char **f)
{
    const cJSON *status = member(obj, "status");

    f[0] = str_member(status, "phase");
    f[1] = str_member(status, "nodeName");
    f[2] = vmi_ip(status);
    f[3] = condition_status(obj, "Ready");
    f[4] = condition_status(obj, "AgentConnected");
}

static void fields_dv(const cJSON *obj, const char **f)
{
    const cJSON *status = member(obj, "status");

    f[0] = str_member(status, "phase");
    f[1] = str_member(status, "progress");
}

static void fields_pod(const cJSON *obj, const char **f)
{
    const cJSON *status = member(obj, "status");

    f[0] = str_member(status, "phase");
    f[1] = str_member(member(obj, "spec"), "nodeName");
    f[2] = str_member(status, "podIP");
    f[3] = condition_status(obj, "Ready");
    f[4] = str_member(member(member(obj, "metadata"), "labels"), "kubevirt.io/created-by");
}

/* ---- the state -------------------------------------------------------------- */

void track_state_release(struct track_state *s)
{
    if (!s)
        return;
    for (int i = 0; i < TRACK_MAX_FIELDS; i++) {
        free(s->v[i]);
        s->v[i] = NULL;
    }
}

int track_extract(enum track_res r, const cJSON *obj, struct track_state *out)
{
    const char *f[TRACK_MAX_FIELDS] = {NULL};

    switch (r) {
    case TRACK_VM:
        fields_vm(obj, f);
        break;
    case TRACK_VMI:
        fields_vmi(obj, f);
        break;
    case TRACK_DV:
        fields_dv(obj, f);
        break;
    case TRACK_POD:
        fields_pod(obj, f);
        break;
    default:
        break;
    }
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < TRACK_MAX_FIELDS; i++) {
        if (f[i] && !(out->v[i] = strdup(f[i]))) {
            track_state_release(out);
            errno = ENOMEM;
            return -1;
        }
    }
    return 0;
}

/* ---- the event body ----------------------------------------------------------- */

/* 1 when s is an RFC 3339 date-time as the schema's format wants it. */
static int is_date_time(const char *s)
{
    size_t n = strlen(s);
    int64_t ns;

    /* rfc3339_parse() also takes a space for the 'T'; the schema does not */
    return n > 10 && s[10] != ' ' && rfc3339_parse(s, n, &ns, NULL) == 0;
}

/* obj[key] when it is a date-time string, else NULL. */
static const char *time_member(const cJSON *obj, const char *key)
{
    const char *s = str_member(obj, key);

    return s && is_date_time(s) ? s : NULL;
}

static int same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Add the "changed" object; *n counts its members. -1 when out of memory. */
static int add_changed(cJSON *body, enum track_res r, const struct track_state *prev,
                       const struct track_state *now, int *n)
{
    cJSON *changed = cJSON_AddObjectToObject(body, "changed");

    if (!changed)
        return -1;
    for (int i = 0; i < TRACK_MAX_FIELDS && resources[r].fields[i]; i++) {
        const char *name = resources[r].fields[i], *v = now->v[i];
        cJSON *item;

        if (prev ? same(prev->v[i], v) : !v)
            continue;
        item = v ? cJSON_AddStringToObject(changed, name, v) : cJSON_AddNullToObject(changed, name);
        if (!item)
            return -1;
        (*n)++;
    }
    return 0;
}

/* status.phaseTransitionTimestamps [{phase, phaseTransitionTimestamp}] as
 * {phase: time} in server; nothing when there is none. */
static int add_phase_transitions(cJSON *server, const cJSON *obj)
{
    const cJSON *list = member(member(obj, "status"), "phaseTransitionTimestamps"), *e;
    cJSON *out = NULL;

    if (!cJSON_IsArray(list))
        return 0;
    cJSON_ArrayForEach(e, list)
    {
        const char *phase = str_member(e, "phase");
        const char *at = time_member(e, "phaseTransitionTimestamp");
        cJSON *s;

        if (!phase || !at)
            continue;
        if (!out && !(out = cJSON_AddObjectToObject(server, "phase_transitions")))
            return -1;
        if (!(s = cJSON_CreateString(at)))
            return -1;
        if (member(out, phase) ? !cJSON_ReplaceItemInObjectCaseSensitive(out, phase, s)
                               : !cJSON_AddItemToObject(out, phase, s)) {
            cJSON_Delete(s);
            return -1;
        }
    }
    return 0;
}

/* {type: {status, last_transition}} of the conditions in server_conditions. */
static int add_conditions(cJSON *server, const cJSON *obj)
{
    cJSON *out = NULL;

    for (size_t i = 0; i < sizeof(server_conditions) / sizeof(server_conditions[0]); i++) {
        const cJSON *c = condition(obj, server_conditions[i]);
        const char *status = str_member(c, "status");
        const char *at = time_member(c, "lastTransitionTime");
        cJSON *one;

        if (!status)
            continue;
        if (!out && !(out = cJSON_AddObjectToObject(server, "conditions")))
            return -1;
        if (!(one = cJSON_AddObjectToObject(out, server_conditions[i])) ||
            !cJSON_AddStringToObject(one, "status", status) ||
            (at && !cJSON_AddStringToObject(one, "last_transition", at)))
            return -1;
    }
    return 0;
}

/* Add "server" unless the object has none of its timestamps. */
static int add_server(cJSON *body, enum track_res r, const cJSON *obj)
{
    const cJSON *meta = member(obj, "metadata");
    const char *created = time_member(meta, "creationTimestamp");
    const char *deleted = time_member(meta, "deletionTimestamp");
    cJSON *server = cJSON_CreateObject();

    if (!server || (created && !cJSON_AddStringToObject(server, "creation", created)) ||
        (deleted && !cJSON_AddStringToObject(server, "deletion", deleted)) ||
        (r == TRACK_VMI && add_phase_transitions(server, obj) < 0) ||
        add_conditions(server, obj) < 0)
        goto nomem;
    if (!server->child) {
        cJSON_Delete(server);
        return 0;
    }
    if (!cJSON_AddItemToObject(body, "server", server))
        goto nomem;
    return 0;
nomem:
    cJSON_Delete(server);
    return -1;
}

static int one_of(const char *s, const char *a, const char *b, const char *c)
{
    return s && (strcmp(s, a) == 0 || strcmp(s, b) == 0 || (c && strcmp(s, c) == 0));
}

/* Check the arguments; the metadata strings are returned through ids. */
static int check_args(enum track_res r, const char *type, const char *source, const cJSON *obj,
                      const char *ids[3], struct vs_error *err)
{
    static const char *const keys[3] = {"namespace", "name", "uid"};
    const cJSON *meta = member(obj, "metadata");

    if (!res_ok(r))
        return vs_error_setc(err, EINVAL, NULL, 0, 0, "unknown resource %d", (int)r);
    if (!one_of(type, "ADDED", "MODIFIED", "DELETED"))
        return vs_error_setc(err, EINVAL, NULL, 0, 0, "unknown watch event type '%.32s'",
                             type ? type : "(null)");
    if (!one_of(source, "watch", "relist", NULL))
        return vs_error_setc(err, EINVAL, NULL, 0, 0, "unknown source '%.32s'",
                             source ? source : "(null)");
    for (int i = 0; i < 3; i++) {
        ids[i] = str_member(meta, keys[i]);
        if (!ids[i])
            return vs_error_setc(err, 0, WHERE_META, 0, 0,
                                 "%s without a non-empty string 'metadata.%s'", resources[r].plural,
                                 keys[i]);
    }
    return 0;
}

cJSON *track_event_body(enum track_res r, const char *type, const char *source, const cJSON *obj,
                        const struct track_state *prev, const struct track_state *now,
                        int *changed_count, struct vs_error *err)
{
    struct track_state own = {{NULL}};
    const char *ids[3]; /* namespace, name, uid */
    const char *rv;
    cJSON *body = NULL;
    int n = 0;

    if (changed_count)
        *changed_count = 0;
    if (check_args(r, type, source, obj, ids, err) < 0)
        return NULL;
    if (!now) {
        if (track_extract(r, obj, &own) < 0)
            goto nomem;
        now = &own;
    }
    rv = str_member(member(obj, "metadata"), "resourceVersion");
    body = cJSON_CreateObject();
    if (!body || !cJSON_AddStringToObject(body, "resource", resources[r].plural) ||
        !cJSON_AddStringToObject(body, "type", type) ||
        !cJSON_AddStringToObject(body, "source", source) ||
        !cJSON_AddStringToObject(body, "namespace", ids[0]) ||
        !cJSON_AddStringToObject(body, "name", ids[1]) ||
        !cJSON_AddStringToObject(body, "uid", ids[2]) ||
        !cJSON_AddStringToObject(body, "resource_version", rv ? rv : "") ||
        add_changed(body, r, prev, now, &n) < 0 || add_server(body, r, obj) < 0)
        goto nomem;
    track_state_release(&own);
    if (changed_count)
        *changed_count = n;
    return body;
nomem:
    track_state_release(&own);
    cJSON_Delete(body);
    vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory building a watch_event");
    return NULL;
}
