/*
 * phases.c - what each phase of a run does (run_int.h): namespaces,
 * create, stop, storm, fio, cleanup, and the metrics scrapes at their
 * boundaries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdrun.h"
#include "msg.h"
#include "promtext.h"
#include "run_int.h"
#include "track.h"
#include "vbuf.h"

#define SUBRES_GROUP "subresources.kubevirt.io"

enum op_kind { OP_NS, OP_NS_GET, OP_OBJ, OP_OBJ_GET, OP_ACTION, OP_SCRAPE, OP_DELETE };

static const char *label_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
                                         "labels"),
        key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Whether op's body is an object carrying this run's label. */
static int op_is_ours(struct run *r, const struct op *op)
{
    cJSON *j = op->body ? cJSON_Parse(op->body) : NULL;
    const char *v = label_of(j, COLLECT_RUN_LABEL);
    int ours = v && strcmp(v, r->o->run_id) == 0;

    cJSON_Delete(j);
    return ours;
}

/* A Kubernetes Status in the body (as opposed to a plain-text 404 of a missing API). */
static int op_has_status(const struct op *op)
{
    cJSON *j = op->body ? cJSON_Parse(op->body) : NULL;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
    int yes = cJSON_IsString(kind) && strcmp(kind->valuestring, "Status") == 0;

    cJSON_Delete(j);
    return yes;
}

static void add_labels(struct run *r, cJSON *labels)
{
    cJSON_AddStringToObject(labels, COLLECT_RUN_LABEL, r->o->run_id);
    for (size_t i = 0; i < r->o->n_labels; i++) {
        const char *kv = r->o->labels[i], *eq = strchr(kv, '=');
        char key[320];

        if (!eq || (size_t)(eq - kv) >= sizeof(key))
            continue;
        memcpy(key, kv, (size_t)(eq - kv));
        key[eq - kv] = '\0';
        cJSON_DeleteItemFromObjectCaseSensitive(labels, key);
        cJSON_AddStringToObject(labels, key, eq + 1);
    }
}

/* ---- metrics scrapes -------------------------------------------------------------- */

/*
 * What is kept of the API server's /metrics (several MB on a real cluster,
 * scraped twice per phase): request counts and in-flight requests, the
 * flow-control rejections, its own CPU and memory, and whatever KubeVirt or
 * the simulator export there. Other sources (--metrics-url) are kept whole.
 */
static const char *const apiserver_families[] = {
    "apiserver_request_total",
    "apiserver_current_inflight_requests",
    "apiserver_longrunning_requests",
    "apiserver_flowcontrol_rejected_requests_total",
    "apiserver_flowcontrol_current_inqueue_requests",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "kubevirt_*",
    "vmstorm_*",
    NULL,
};

/* A scrape's text must fit in one event line (EVENT_LINE_MAX) with room to spare. */
#define SCRAPE_TEXT_MAX ((size_t)4 << 20)

static int scrape_add(struct run *r, const char *source, const char *url, const char *path,
                      struct kclient *c, int own)
{
    struct scrape_src *s = realloc(r->srcs, (r->n_srcs + 1) * sizeof(*s));

    if (!s)
        return -1;
    r->srcs = s;
    s = &r->srcs[r->n_srcs++];
    memset(s, 0, sizeof(*s));
    s->source = strdup(source);
    s->url = strdup(url);
    s->path = strdup(path);
    s->c = c;
    s->own = own;
    return s->source && s->url && s->path ? 0 : -1;
}

int scrape_setup(struct run *r, struct vs_error *err)
{
    char url[2048];
    size_t slen = strlen(r->conn->server);

    snprintf(url, sizeof(url), "%s/metrics", r->conn->server);
    if (scrape_add(r, "apiserver", url, "/metrics", r->client, 0) < 0)
        return vs_error_set(err, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < r->o->n_metrics_urls; i++) {
        const char *u = r->o->metrics_urls[i];
        const char *host = strstr(u, "://") + 3;
        size_t hlen = strcspn(host, "/?#");
        const char *path = host + hlen;
        char origin[1024], source[256], p[2048];
        struct kclient *c = r->client;
        int own = 0;

        snprintf(origin, sizeof(origin), "%.*s", (int)(path - u), u);
        snprintf(p, sizeof(p), "%s", *path == '/' ? path : "/");
        if (*path == '?')
            snprintf(p, sizeof(p), "/%s", path);
        /* the source's name: the host's first DNS label, or host:port for an address */
        {
            size_t dot = strcspn(host, ".:/?#");

            if (host[0] >= '0' && host[0] <= '9')
                snprintf(source, sizeof(source), "%.*s", (int)hlen, host);
            else
                snprintf(source, sizeof(source), "%.*s", (int)dot, host);
        }
        if (!(strncmp(u, r->conn->server, slen) == 0 && (u[slen] == '/' || u[slen] == '\0'))) {
            /* another endpoint: no credentials of ours go there; system CAs */
            struct kclient_config cfg = {
                .server = origin, .user_agent = "vmstorm-collect", .request_timeout_ms = 30000};

            c = kclient_new(r->loop, &cfg, err);
            if (!c)
                return -1;
            own = 1;
        } else {
            snprintf(p, sizeof(p), "%s", u[slen] ? u + slen : "/");
        }
        if (scrape_add(r, source, u, p, c, own) < 0) {
            if (own)
                kclient_free(c);
            return vs_error_set(err, NULL, 0, 0, "out of memory");
        }
    }
    return 0;
}

static void scrape_done(void *ctx, const struct kresp *resp)
{
    struct op *op = ctx;
    struct run *r = op->r;
    struct scrape_src *s = &r->srcs[op->idx];
    cJSON *b = cJSON_CreateObject();
    const char *const *keep = strcmp(s->source, "apiserver") == 0 ? apiserver_families : NULL;
    struct vbuf text = VBUF_INIT(SCRAPE_TEXT_MAX);
    struct promtext_families fam = {0};
    struct vs_error err;
    char why[800] = "";

    s->pending = 0;
    if (resp->status != 200) {
        op_keep(op, resp);
        op_describe(op, why, sizeof(why));
    } else if (promtext_filter(resp->body, resp->len, keep, &text, keep ? &fam : NULL, &err) < 0) {
        snprintf(why, sizeof(why), "the metrics kept are over %zu bytes: %s", SCRAPE_TEXT_MAX,
                 err.msg);
        vbuf_reset(&text);
    }
    cJSON_AddStringToObject(b, "source", s->source);
    cJSON_AddStringToObject(b, "url", s->url);
    cJSON_AddStringToObject(b, "phase", phase_name(r->phase));
    cJSON_AddStringToObject(b, "at", op->idx2 ? "end" : "begin");
    cJSON_AddNumberToObject(b, "status", resp->status);
    cJSON_AddStringToObject(b, "text", why[0] ? "" : vbuf_str(&text));
    cJSON_AddStringToObject(b, "format", "prometheus-text");
    if (keep && !why[0])
        cJSON_AddItemToObject(b, "families",
                              cJSON_CreateStringArray((const char *const *)fam.names, (int)fam.n));
    cJSON_AddNumberToObject(b, "duration_ns", (double)(clock_mono_ns() - op->t.mono_ns));
    if (why[0])
        cJSON_AddStringToObject(b, "error", why);
    promtext_families_release(&fam);
    vbuf_release(&text);
    rec_emit(r->rec, EV_METRICS_SCRAPE, &op->t, b);
    op_free(op);
}

static int scrapes_done(struct run *r)
{
    for (size_t i = 0; i < r->n_srcs; i++)
        if (r->srcs[i].pending)
            return 0;
    return 1;
}

void scrape_all(struct run *r, const char *at)
{
    for (size_t i = 0; i < r->n_srcs; i++) {
        struct scrape_src *s = &r->srcs[i];
        struct op *op = op_new(r, NULL, OP_SCRAPE);
        struct kreq rq = {.method = "GET",
                          .verb = "get",
                          .resource = "",
                          .path = s->path,
                          .timeout_ms = 30000,
                          .max_attempts = 1};
        struct vs_error err;

        if (!op)
            continue;
        op->idx = i;
        op->idx2 = strcmp(at, "end") == 0;
        clock_now(&op->t);
        s->pending = 1;
        if (kclient_request(s->c, &rq, scrape_done, op, &err) < 0) {
            s->pending = 0;
            op_free(op);
        }
    }
    run_pump(r, scrapes_done, clock_mono_ns() + 35 * NS_PER_S);
}

/* ---- namespaces ------------------------------------------------------------------- */

static void ns_get_done(void *ctx, const struct kresp *resp)
{
    struct op *op = ctx;
    struct run *r = op->r;

    op_keep(op, resp);
    r->ps.in_flight--;
    if (op->status == 200 && op_is_ours(op->r, op)) {
        op->vm->ns_ok = op->vm->ns_ours = 1;
    } else if (op->status == 200) {
        vm_fail(op->r, op->vm,
                "namespace %s already exists and does not carry the label %s; delete it, pick "
                "another --namespace-prefix, or pass --skip-namespace-creation to use it",
                op->vm->ns, op->r->run_label);
    } else {
        char why[300];

        op_describe(op, why, sizeof(why));
        vm_fail(op->r, op->vm, "namespace %s exists but cannot be read: %s", op->vm->ns, why);
    }
    op_free(op);
}

static void ns_done(void *ctx, const struct kresp *resp)
{
    struct op *op = ctx;
    struct run *r = op->r;
    char path[256], why[300];

    op_keep(op, resp);
    if (op->status == 201 || op->status == 200) {
        op->vm->ns_ok = op->vm->ns_ours = 1;
    } else if (op->status == 409) {
        struct kreq rq = {.method = "GET",
                          .verb = "get",
                          .version = "v1",
                          .resource = "namespaces",
                          .name = op->vm->ns,
                          .path = path};
        struct op *get = op_new(r, op->vm, OP_NS_GET);

        snprintf(path, sizeof(path), "/api/v1/namespaces/%s", op->vm->ns);
        if (get && op_send(get, &rq, ns_get_done) == 0) {
            op_free(op);
            return; /* still in flight */
        }
        vm_fail(r, op->vm, "cannot check the existing namespace %s", op->vm->ns);
    } else {
        op_describe(op, why, sizeof(why));
        vm_fail(r, op->vm, "creating namespace %s: %s", op->vm->ns, why);
    }
    r->ps.in_flight--;
    op_free(op);
}

static int ns_batch_done(struct run *r)
{
    return r->ps.in_flight == 0;
}

int phase_namespaces(struct run *r)
{
    size_t ok = 0, failed = 0;
    const char *status = "ok";
    int rc = 0;
    cJSON *counts;

    phase_begin(r, PH_NAMESPACES, r->n_vms);
    r->ps.in_flight = 0;
    for (size_t i = 0; i < r->n_vms && !r->interrupted && !r->fatal;) {
        size_t batch = 0;

        for (; i < r->n_vms && batch < (size_t)r->o->namespace_batch_size; i++, batch++) {
            struct vm *vm = &r->vms[i];
            cJSON *ns = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(ns, "metadata");
            char *body;
            struct kreq rq = {.method = "POST",
                              .verb = "create",
                              .version = "v1",
                              .resource = "namespaces",
                              .name = vm->ns,
                              .path = "/api/v1/namespaces",
                              .retry = 1};
            struct op *op = op_new(r, vm, OP_NS);

            cJSON_AddStringToObject(ns, "apiVersion", "v1");
            cJSON_AddStringToObject(ns, "kind", "Namespace");
            cJSON_AddStringToObject(md, "name", vm->ns);
            add_labels(r, cJSON_AddObjectToObject(md, "labels"));
            body = cJSON_PrintUnformatted(ns);
            cJSON_Delete(ns);
            rq.body = body;
            rq.body_len = body ? strlen(body) : 0;
            if (op && body && op_send(op, &rq, ns_done) == 0)
                r->ps.in_flight++;
            else
                vm_fail(r, vm, "cannot send the request to create namespace %s", vm->ns);
            free(body);
        }
        rc = run_pump(r, ns_batch_done, 0);
        if (rc != 0)
            break;
    }
    for (size_t i = 0; i < r->n_vms; i++) {
        ok += r->vms[i].ns_ok;
        failed += r->vms[i].failed;
    }
    if (rc == 2)
        status = "interrupted";
    else if (failed || rc != 0)
        status = "failed";
    printf("\nnamespaces: %zu created, %zu failed\n", ok, failed);
    for (size_t i = 0; i < r->n_vms; i++)
        if (r->vms[i].failed)
            printf("  %s: %s\n", r->vms[i].ns, r->vms[i].why ? r->vms[i].why : "failed");
    fflush(stdout);
    counts = cJSON_CreateObject();
    cJSON_AddNumberToObject(counts, "ok", (double)ok);
    cJSON_AddNumberToObject(counts, "failed", (double)failed);
    phase_end(r, status, counts);
    return failed || rc != 0;
}

/* ---- create ------------------------------------------------------------------------- */

static void create_next(struct run *r);
static void obj_send(struct run *r, struct vm *vm);

static void vm_created_obj(struct run *r, struct vm *vm, const char *uid)
{
    const cJSON *obj = cJSON_GetArrayItem(vm->objects, vm->next_obj);
    struct created *m = realloc(vm->made, (vm->n_made + 1) * sizeof(*m));

    if (m) {
        vm->made = m;
        m[vm->n_made].res = r->ps.res[vm->next_obj];
        m[vm->n_made].name = strdup(track_meta(obj, "name") ? track_meta(obj, "name") : "");
        m[vm->n_made].uid = strdup(uid ? uid : "");
        vm->n_made++;
    }
    if (++vm->next_obj < cJSON_GetArraySize(vm->objects)) {
        obj_send(r, vm);
        return;
    }
    vm->created = 1;
    cJSON_Delete(vm->objects);
    vm->objects = NULL;
    r->ps.in_flight--;
    create_next(r);
}

static void vm_create_failed(struct run *r, struct vm *vm)
{
    cJSON_Delete(vm->objects);
    vm->objects = NULL;
    r->ps.in_flight--;
    create_next(r);
}

static void obj_get_done(void *ctx, const struct kresp *resp)
{
    struct op *op = ctx;
    struct run *r = op->r;
    struct vm *vm = op->vm;
    const cJSON *obj = cJSON_GetArrayItem(vm->objects, vm->next_obj);

    op_keep(op, resp);
    if (op->status == 200 && op_is_ours(r, op)) {
        cJSON *j = cJSON_Parse(op->body);

        vm_created_obj(r, vm, track_meta(j, "uid"));
        cJSON_Delete(j);
    } else {
        char why[300];

        op_describe(op, why, sizeof(why));
        vm_fail(r, vm, "%s %s already exists and %s", r->ps.res[vm->next_obj].plural,
                track_meta(obj, "name"),
                op->status == 200 ? "was not created by this run" : "cannot be read");
        (void)why;
        vm_create_failed(r, vm);
    }
    op_free(op);
}

static void obj_done(void *ctx, const struct kresp *resp)
{
    struct op *op = ctx;
    struct run *r = op->r;
    struct vm *vm = op->vm;
    const struct tmpl_resource *res = &r->ps.res[vm->next_obj];
    const cJSON *obj = cJSON_GetArrayItem(vm->objects, vm->next_obj);
    char why[300], path[512];

    op_keep(op, resp);
    if (op->status == 201 || op->status == 200) {
        cJSON *j = cJSON_Parse(op->body ? op->body : "");

        vm_created_obj(r, vm, track_meta(j, "uid"));
        cJSON_Delete(j);
    } else if (op->status == 409 && track_meta(obj, "name")) {
        /* after a retry, our own earlier attempt may have made it: only then is it ours */
        struct kreq rq = {.method = "GET",
                          .verb = "get",
                          .group = res->group,
                          .version = res->version,
                          .resource = res->plural,
                          .ns = vm->ns,
                          .name = track_meta(obj, "name"),
                          .path = path};
        struct op *get = op_new(r, vm, OP_OBJ_GET);
        size_t n;

        tmpl_collection_path(res, vm->ns, path, sizeof(path));
        n = strlen(path);
        snprintf(path + n, sizeof(path) - n, "/%s", track_meta(obj, "name"));
        if (!get || op_send(get, &rq, obj_get_done) < 0) {
            vm_fail(r, vm, "cannot check the existing %s", res->plural);
            vm_create_failed(r, vm);
        }
    } else {
        op_describe(op, why, sizeof(why));
        vm_fail(r, vm, "creating %s %s: %s", res->plural,
                track_meta(obj, "name") ? track_meta(obj, "name") : "", why);
        vm_create_failed(r, vm);
    }
    op_free(op);
}

static void obj_send(struct run *r, struct vm *vm)
{
    const cJSON *obj = cJSON_GetArrayItem(vm->objects, vm->next_obj);
    const struct tmpl_resource *res = &r->ps.res[vm->next_obj];
    char path[512], *body = cJSON_PrintUnformatted(obj);
    struct kreq rq = {.method = "POST",
                      .verb = "create",
                      .group = res->group,
                      .version = res->version,
                      .resource = res->plural,
                      .ns = vm->ns,
                      .name = track_meta(obj, "name"),
                      .path = path,
                      .body = body,
                      .body_len = body ? strlen(body) : 0,
                      .retry = 1};
    struct op *op = op_new(r, vm, OP_OBJ);

    tmpl_collection_path(res, vm->ns, path, sizeof(path));
    if (vm->next_obj == cJSON_GetArraySize(vm->objects) - 1) {
        clock_now(&vm->origin); /* the VM itself: its clock starts now */
        vm->has_origin = 1;
    }
    if (!op || !body || op_send(op, &rq, obj_done) < 0) {
        if (op && !body)
            op_free(op);
        vm_fail(r, vm, "cannot send the request to create %s", res->plural);
        vm_create_failed(r, vm);
    }
    free(body);
}

/* The run strategy the VM is created with: the template's when it starts the VM. */
static void force_running(struct run *r, cJSON *objs)
{
    cJSON *vmobj = cJSON_GetArrayItem(objs, cJSON_GetArraySize(objs) - 1);
    cJSON *spec = cJSON_GetObjectItemCaseSensitive(vmobj, "spec");
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(spec, "runStrategy");

    if (cJSON_IsString(rs) &&
        (strcmp(rs->valuestring, "Always") == 0 || strcmp(rs->valuestring, "RerunOnFailure") == 0))
        return;
    if (!r->warned_strategy) {
        msg_warn("the template's VM has runStrategy %s: creating the VMs with Always, so that "
                 "they start",
                 cJSON_IsString(rs) ? rs->valuestring : "(none)");
        r->warned_strategy = 1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "runStrategy");
    cJSON_AddStringToObject(spec, "runStrategy", "Always");
}

static void create_next(struct run *r)
{
    while (r->ps.in_flight < (size_t)r->o->concurrency && r->ps.next < r->n_vms &&
           !r->interrupted) {
        struct vm *vm = &r->vms[r->ps.next++];
        const char *const *labels = r->o->labels;
        struct tmpl_params p = {.namespace = vm->ns,
                                .vm_name = r->o->vm_name,
                                .run_label_key = COLLECT_RUN_LABEL,
                                .run_label_value = r->o->run_id,
                                .extra_labels = labels,
                                .storage_class = r->o->storage_class,
                                .node_name = r->o->single_node ? r->o->node_name : NULL};
        struct vs_error err;

        if (vm->failed || !vm->ns_ok)
            continue;
        vm->objects = tmpl_instantiate(r->tmpl, &p, &err);
        if (!vm->objects) {
            vm_fail(r, vm, "%s", err.msg);
            continue;
        }
        force_running(r, vm->objects);
        vm->next_obj = 0;
        r->ps.in_flight++;
        obj_send(r, vm);
    }
}

/* Discovery for kinds the template module does not know: GET /apis/GROUP/VERSION. */
static int discover(void *ctx, const char *api_version, const char *kind, struct tmpl_resource *out)
{
    struct run *r = ctx;
    char path[300], why[300];
    struct kreq rq = {
        .method = "GET", .verb = "get", .resource = "", .path = path, .timeout_ms = 15000};
    cJSON *j, *res;
    int found = -1, status;

    snprintf(path, sizeof(path), "%s%s", strchr(api_version, '/') ? "/apis/" : "/api/",
             api_version);
    j = run_get_json(r, &rq, &status, why, sizeof(why));
    cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(j, "resources"))
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(res, "kind");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(res, "name");

        if (cJSON_IsString(k) && cJSON_IsString(name) && strcmp(k->valuestring, kind) == 0 &&
            !strchr(name->valuestring, '/')) {
            const char *slash = strchr(api_version, '/');

            snprintf(out->group, sizeof(out->group), "%.*s", slash ? (int)(slash - api_version) : 0,
                     api_version);
            snprintf(out->version, sizeof(out->version), "%s", slash ? slash + 1 : api_version);
            snprintf(out->plural, sizeof(out->plural), "%s", name->valuestring);
            out->namespaced = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "namespaced"));
            found = 0;
            break;
        }
    }
    cJSON_Delete(j);
    return found;
}

/* Map each document of the template to its resource once, before anything is created. */
static int resolve_resources(struct run *r, struct vs_error *err)
{
    struct tmpl_params p = {.namespace = "probe-ns",
                            .vm_name = r->o->vm_name,
                            .run_label_key = COLLECT_RUN_LABEL,
                            .run_label_value = r->o->run_id,
                            .extra_labels = r->o->labels};
    cJSON *objs = tmpl_instantiate(r->tmpl, &p, err);
    int n;

    if (!objs)
        return -1;
    n = cJSON_GetArraySize(objs);
    if (n > (int)(sizeof(r->ps.res) / sizeof(r->ps.res[0]))) {
        cJSON_Delete(objs);
        return vs_error_set(err, r->o->vm_template, 0, 0, "more than %zu documents",
                            sizeof(r->ps.res) / sizeof(r->ps.res[0]));
    }
    for (int i = 0; i < n; i++) {
        if (tmpl_resource_of(cJSON_GetArrayItem(objs, i), discover, r, &r->ps.res[i], err) < 0) {
            cJSON_Delete(objs);
            return -1;
        }
        if (!r->ps.res[i].namespaced) {
            cJSON_Delete(objs);
            return vs_error_set(err, r->o->vm_template, 0, 0,
                                "document %d: %s is cluster-scoped; a template holds only "
                                "namespaced objects",
                                i + 1, r->ps.res[i].plural);
        }
    }
    r->ps.n_res = (size_t)n;
    cJSON_Delete(objs);
    return 0;
}

static int64_t vm_deadline(const struct run *r, const struct vm *vm)
{
    return vm->origin.mono_ns + (int64_t)(r->o->ping_timeout_s * 1e9);
}

/* Every VM of the phase has its answer: ready, failed, or out of time. */
static int all_settled(struct run *r)
{
    int64_t now = clock_mono_ns();
    int settled = 1;

    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];

        if (vm->failed || vm->probe == VP_READY || vm->probe == VP_TIMEOUT || vm->probe == VP_ERROR)
            continue;
        if (!vm->has_origin) {
            if (r->phase == PH_CREATE && vm->ns_ok && !r->o->skip_vm_creation)
                settled = 0; /* not sent yet */
            continue;
        }
        if (now < vm_deadline(r, vm)) {
            settled = 0;
            continue;
        }
        if (vm->probe == VP_PROBING) {
            vm->probe = VP_TIMEOUT; /* before the cancel: its result is a timeout */
            probe_cancel(r->prober, vm->probe_uid);
        }
        vm->probe = VP_TIMEOUT;
    }
    return settled;
}

int phase_wait_ready(struct run *r, const char *title)
{
    int rc = run_pump(r, all_settled, 0);
    const char *status;
    cJSON *counts;
    int failed;

    (void)title;
    /* what is still being probed (interrupted) ends now */
    for (size_t i = 0; i < r->n_vms; i++)
        if (r->vms[i].probe == VP_PROBING && r->vms[i].probe_uid)
            probe_cancel(r->prober, r->vms[i].probe_uid);
    if (rc == 2)
        status = "interrupted";
    else if (rc != 0)
        status = "failed";
    else
        status = "ok";
    counts = phase_summary(r, &status);
    failed = cJSON_GetObjectItemCaseSensitive(counts, "ok")->valuedouble !=
             cJSON_GetObjectItemCaseSensitive(counts, "vms")->valuedouble;
    phase_end(r, status, counts);
    return rc != 0 || failed;
}

/*
 * Whether a 404 says that the object `name` is missing (a Status whose
 * details name it), as opposed to the whole resource type (no CDI: details
 * empty) or a plain-text 404.
 */
static int notfound_names(const struct op *op, const char *name)
{
    cJSON *j = op->body ? cJSON_Parse(op->body) : NULL;
    const char *n = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "details"), "name"));
    int yes = n && strcmp(n, name) == 0;

    cJSON_Delete(j);
    return yes;
}

/*
 * The DataSources the template's data volumes clone (spec.sourceRef of kind
 * DataSource, with a namespace) must exist: checked once, before anything is
 * created, so that a typo does not leave 100 VMs waiting for a clone that
 * never starts. A DataSource the server says is missing is an error; when
 * the check itself cannot be made (no CDI, no permission) it is a warning.
 */
int check_datasources(struct run *r, struct vs_error *err)
{
    struct tmpl_params p = {.namespace = "check",
                            .vm_name = r->o->vm_name,
                            .run_label_key = COLLECT_RUN_LABEL,
                            .run_label_value = r->o->run_id};
    cJSON *objs = tmpl_instantiate(r->tmpl, &p, err), *dvt;
    cJSON *vm = cJSON_GetArrayItem(objs, cJSON_GetArraySize(objs) - 1);
    int rc = 0;

    if (!objs)
        return -1;
    cJSON_ArrayForEach(
        dvt, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(vm, "spec"),
                                              "dataVolumeTemplates"))
    {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(dvt, "spec"), "sourceRef");
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "kind"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "name"));
        const char *ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "namespace"));
        char path[600], why[300];
        struct kreq rq = {.method = "GET",
                          .verb = "get",
                          .group = "cdi.kubevirt.io",
                          .version = "v1beta1",
                          .resource = "datasources",
                          .ns = ns,
                          .name = name,
                          .path = path,
                          .timeout_ms = 15000,
                          .max_attempts = 1};
        struct op *op;

        if (!kind || strcmp(kind, "DataSource") != 0 || !name || !ns)
            continue;
        snprintf(path, sizeof(path), "/apis/cdi.kubevirt.io/v1beta1/namespaces/%s/datasources/%s",
                 ns, name);
        if (!(op = op_new(r, NULL, 0)) || run_request_sync(r, op, &rq, 15 * NS_PER_S) < 0)
            continue;
        if (op->status == 404 && notfound_names(op, name)) {
            rc = vs_error_set(err, r->o->vm_template, 0, 0,
                              "data volume '%s' clones DataSource %s/%s, which does not exist; "
                              "nothing was created",
                              track_meta(dvt, "name") ? track_meta(dvt, "name") : "", ns, name);
        } else if (op->status != 200) {
            op_describe(op, why, sizeof(why));
            msg_warn("cannot check that DataSource %s/%s exists (%s); going on", ns, name, why);
        }
        op_free(op);
        if (rc < 0)
            break;
    }
    cJSON_Delete(objs);
    return rc;
}

int phase_create(struct run *r)
{
    struct vs_error err;

    r->ps.in_flight = r->ps.next = r->ps.n_res = 0;
    phase_begin(r, PH_CREATE, r->n_vms);
    if (r->o->skip_vm_creation) {
        struct vs_time now;

        clock_now(&now);
        for (size_t i = 0; i < r->n_vms; i++) {
            struct vm *vm = &r->vms[i];

            vm->origin = now;
            vm->has_origin = 1;
            if (!vm->vm_uid) {
                vm_fail(r, vm, "VM %s/%s does not exist (--skip-vm-creation)", vm->ns,
                        r->o->vm_name);
                continue;
            }
            vm->created = 1;
        }
        run_evaluate_all(r); /* what the watches' lists said: running VMs get probed now */
    } else {
        if (resolve_resources(r, &err) < 0) {
            msg_report(&err);
            rec_note(r->rec, EV_ERROR, "template_invalid", NULL, "%s", err.msg);
            r->fatal = 1;
            phase_end(r, "failed", NULL);
            return 1;
        }
        create_next(r);
    }
    return phase_wait_ready(r, "create");
}

/* ---- stop and storm ---------------------------------------------------------------------- */

static void action_send(struct run *r, struct vm *vm, int start);

/* No subresource API (virt-api missing or not aggregated): patch runStrategy instead. */
static void subresources_missing(struct run *r, const char *what)
{
    r->stop_mode = 1;
    rec_note(r->rec, EV_WARNING, "subresource_missing", NULL,
             "%s answered a plain 404: the %s API is not served; patching spec.runStrategy "
             "instead",
             what, SUBRES_GROUP);
    msg_warn("the %s API is not served: stopping and starting VMs by patching "
             "spec.runStrategy",
             SUBRES_GROUP);
}

/*
 * One discovery request instead of a wasted PUT per VM: a plain-text 404 for
 * the group means the subresources are not there. Anything else (even an
 * error) leaves the subresources in use; their own plain 404s still switch.
 */
static void subresources_check(struct run *r)
{
    struct op *op = op_new(r, NULL, 0);
    struct kreq rq = {.method = "GET",
                      .verb = "get",
                      .resource = "",
                      .path = "/apis/" SUBRES_GROUP "/v1",
                      .max_attempts = 1};

    if (!op || run_request_sync(r, op, &rq, 15 * NS_PER_S) < 0)
        return;
    if (op->status == 404 && !op_has_status(op))
        subresources_missing(r, "GET /apis/" SUBRES_GROUP "/v1");
    op_free(op);
}

static void action_done(void *ctx, const struct kresp *resp)
{
    struct op *op = ctx;
    struct run *r = op->r;
    struct vm *vm = op->vm;
    int start = (int)op->idx;
    char why[300];

    op_keep(op, resp);
    if (op->status >= 200 && op->status < 300) {
        vm->action = 1;
    } else if (op->status == 404 && !op_has_status(op) && r->stop_mode == 0) {
        subresources_missing(r, start ? "start" : "stop");
        op_free(op);
        action_send(r, vm, start);
        return;
    } else if (op->status == 404 && !op_has_status(op)) {
        op_free(op);
        action_send(r, vm, start); /* another VM's answer switched the mode meanwhile */
        return;
    } else if (op->status == 409) {
        vm->action = 1; /* already stopped / already running */
    } else {
        op_describe(op, why, sizeof(why));
        vm->action = -1;
        vm_fail(r, vm, "%s: %s", start ? "start" : "stop", why);
    }
    op_free(op);
}

static void action_send(struct run *r, struct vm *vm, int start)
{
    char path[512], body[128];
    struct kreq rq = {.ns = vm->ns, .name = r->o->vm_name, .path = path, .retry = 1};
    struct op *op = op_new(r, vm, OP_ACTION);

    if (!op) {
        vm->action = -1;
        return;
    }
    op->idx = (size_t)start;
    if (r->stop_mode == 0) {
        snprintf(path, sizeof(path), "/apis/%s/v1/namespaces/%s/virtualmachines/%s/%s",
                 SUBRES_GROUP, vm->ns, r->o->vm_name, start ? "start" : "stop");
        rq.method = "PUT";
        rq.verb = "update";
        rq.group = SUBRES_GROUP;
        rq.version = "v1";
        rq.resource = "virtualmachines";
        rq.subresource = start ? "start" : "stop";
        rq.body = "{}";
        rq.body_len = 2;
    } else {
        snprintf(path, sizeof(path), "/apis/kubevirt.io/v1/namespaces/%s/virtualmachines/%s",
                 vm->ns, r->o->vm_name);
        snprintf(body, sizeof(body), "{\"spec\":{\"running\":null,\"runStrategy\":\"%s\"}}",
                 !start                ? "Halted"
                 : vm->resume_strategy ? vm->resume_strategy
                                       : "Always");
        rq.method = "PATCH";
        rq.verb = "patch";
        rq.group = "kubevirt.io";
        rq.version = "v1";
        rq.resource = "virtualmachines";
        rq.content_type = "application/merge-patch+json";
        rq.body = body;
        rq.body_len = strlen(body);
    }
    if (op_send(op, &rq, action_done) < 0)
        vm->action = -1;
}

static int all_stopped(struct run *r)
{
    for (size_t i = 0; i < r->n_vms; i++) {
        const struct vm *vm = &r->vms[i];

        if (vm->failed || !vm->has_origin)
            continue;
        if (vm->action == 0 || (vm->action == 1 && vm->vmi_uid))
            return 0;
    }
    return 1;
}

int phase_stop(struct run *r)
{
    size_t n = 0, stopped = 0, failed = 0;
    int rc;
    const char *status;
    cJSON *counts;

    phase_begin(r, PH_STOP, r->n_vms);
    if (r->stop_mode == 0)
        subresources_check(r);
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];

        vm_reset_measure(vm); /* a VM out of the run is not part of the stop either */
        if (vm->failed || !vm->created)
            continue;
        clock_now(&vm->origin);
        vm->has_origin = 1;
        free(vm->old_vmi_uid);
        vm->old_vmi_uid = vm->vmi_uid ? strdup(vm->vmi_uid) : NULL;
        free(vm->resume_strategy);
        vm->resume_strategy = vm->run_strategy && strcmp(vm->run_strategy, "RerunOnFailure") == 0
                                  ? strdup(vm->run_strategy)
                                  : NULL;
        action_send(r, vm, 0);
        n++;
    }
    rc = run_pump(r, all_stopped, clock_mono_ns() + (int64_t)(r->o->ping_timeout_s * 1e9));
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];

        if (!vm->has_origin)
            continue;
        if (vm->action == 1 && !vm->vmi_uid)
            stopped++;
        else
            failed++;
    }
    status = rc == 2 ? "interrupted" : rc == 1 ? "timeout" : rc < 0 || failed ? "failed" : "ok";
    printf("\nstop: %s after %.1f s: %zu of %zu VMs stopped\n", status,
           (double)(clock_mono_ns() - r->phase_t0) / 1e9, stopped, n);
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];

        if (vm->has_origin && !(vm->action == 1 && !vm->vmi_uid))
            printf("  %s/%s: %s\n", vm->ns, r->o->vm_name,
                   vm->action < 0 ? (vm->why ? vm->why : "stop failed") : "its VMI is still there");
    }
    fflush(stdout);
    counts = cJSON_CreateObject();
    cJSON_AddNumberToObject(counts, "vms", (double)n);
    cJSON_AddNumberToObject(counts, "ok", (double)stopped);
    cJSON_AddNumberToObject(counts, "failed", (double)failed);
    phase_end(r, status, counts);
    /* a VM that did not stop cannot take part in the storm */
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];

        if (vm->has_origin && !(vm->action == 1 && !vm->vmi_uid) && !vm->failed)
            vm_fail(r, vm, "did not stop, left out of the storm");
        vm->has_origin = 0;
    }
    return rc != 0 || failed;
}

int phase_storm(struct run *r)
{
    phase_begin(r, PH_STORM, r->n_vms);
    /* all at once: every start is queued before the loop sends any */
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];

        if (vm->failed || !vm->created)
            continue;
        vm_reset_measure(vm);
        clock_now(&vm->origin);
        vm->has_origin = 1;
        action_send(r, vm, 1);
    }
    return phase_wait_ready(r, "storm");
}

/* ---- fio ------------------------------------------------------------------------------ */

void fio_done(void *ctx, const struct cmdrun_result *res)
{
    struct run *r = ctx;
    struct vm *vm = res->arg;
    cJSON *b = cJSON_CreateObject();
    char why[512] = "";
    char *text = NULL;

    cJSON_AddStringToObject(b, "namespace", res->ns);
    cJSON_AddStringToObject(b, "name", res->name);
    if (res->error) {
        snprintf(why, sizeof(why), "%s", res->error);
    } else {
        /* fio's JSON, maybe after notes it printed first: from the first '{' */
        const char *start = res->out ? memchr(res->out, '{', res->out_len) : NULL;
        size_t len = start ? res->out_len - (size_t)(start - res->out) : 0;
        cJSON *j;

        if ((text = malloc(len + 1))) {
            memcpy(text, start ? start : "", len);
            text[len] = '\0';
            cJSON_Minify(text);
        }
        j = text ? cJSON_Parse(text) : NULL;
        if (!cJSON_IsObject(j))
            snprintf(why, sizeof(why), "its output is not JSON (fio --output-format=json?)");
        else if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "jobs")))
            snprintf(why, sizeof(why), "its JSON has no 'jobs' array: not fio's output");
        cJSON_Delete(j);
    }
    cJSON_AddStringToObject(b, "result", why[0] ? "failed" : "ok");
    if (vm && vm->probe_uid)
        cJSON_AddStringToObject(b, "uid", vm->probe_uid);
    if (!why[0])
        cJSON_AddRawToObject(b, "fio", text);
    if (res->exit_status >= 0)
        cJSON_AddNumberToObject(b, "exit_status", res->exit_status);
    if (why[0])
        cJSON_AddStringToObject(b, "error", why);
    if (res->err_len)
        cJSON_AddStringToObject(b, "stderr_tail", res->err);
    rec_emit(r->rec, EV_FIO_RESULT, NULL, b);
    free(text);
    if (vm)
        vm->fio = why[0] ? 3 : 2;
    if (why[0])
        msg_warn("fio in %s/%s: %s", res->ns, res->name, why);
}

static int fio_all_done(struct run *r)
{
    for (size_t i = 0; i < r->n_vms; i++)
        if (r->vms[i].fio == 1)
            return 0;
    return 1;
}

int phase_fio(struct run *r)
{
    size_t n = 0, ok = 0, failed = 0;
    int rc;
    const char *status;
    cJSON *counts;

    phase_begin(r, PH_FIO, r->n_vms);
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];
        struct vs_error err;

        if (vm->failed || vm->probe != VP_READY || !vm->ip)
            continue;
        n++;
        vm->fio = 1;
        if (cmdrun_add(r->fio, vm->ns, r->o->vm_name, vm->ip, vm, &err) < 0) {
            vm->fio = 3;
            msg_warn("fio in %s/%s: %s", vm->ns, r->o->vm_name, err.msg);
        }
    }
    rc = run_pump(r, fio_all_done, 0);
    /* commands still running (interrupted) are killed and recorded as cancelled, in the phase */
    cmdrun_free(r->fio);
    r->fio = NULL;
    for (size_t i = 0; i < r->n_vms; i++) {
        ok += r->vms[i].fio == 2;
        failed += r->vms[i].fio == 3;
    }
    status = rc == 2 ? "interrupted" : rc != 0 || failed ? "failed" : "ok";
    printf("\nfio: %s: %zu of %zu VMs gave results, %zu failed\n", status, ok, n, failed);
    fflush(stdout);
    counts = cJSON_CreateObject();
    cJSON_AddNumberToObject(counts, "vms", (double)n);
    cJSON_AddNumberToObject(counts, "ok", (double)ok);
    cJSON_AddNumberToObject(counts, "failed", (double)failed);
    phase_end(r, status, counts);
    return rc != 0 || failed;
}

/* ---- cleanup ------------------------------------------------------------------------- */

struct doomed {
    char method_path[600];
    char what[400]; /* "namespace vm-density-1" */
    char *uid;
    const char *group, *version, *resource, *ns, *name;
    char nsbuf[64], namebuf[256], resbuf[128], groupbuf[128], verbuf[32];
    int state; /* 0 to do, 1 sent, 2 done, 3 failed */
};

static cJSON *list_labelled(struct run *r, const char *base, const char *group,
                            const char *resource, char *why, size_t why_n)
{
    char path[600], *sel = kclient_escape(r->run_label);
    struct kreq rq = {.method = "GET",
                      .verb = "list",
                      .group = group,
                      .version = strcmp(resource, "datavolumes") == 0 ? "v1beta1" : "v1",
                      .resource = resource,
                      .path = path,
                      .timeout_ms = 30000};
    int status;

    if (!sel) {
        snprintf(why, why_n, "out of memory");
        return NULL;
    }
    snprintf(path, sizeof(path), "%s?labelSelector=%s", base, sel);
    free(sel);
    return run_get_json(r, &rq, &status, why, why_n);
}

static int doom_add(struct run *r, const char *group, const char *version, const char *resource,
                    const char *ns, const char *name, const char *uid, const char *what)
{
    struct doomed *d = realloc(r->ps.doom, (r->ps.n_doom + 1) * sizeof(*d));

    if (!d)
        return -1;
    r->ps.doom = d;
    d = &r->ps.doom[r->ps.n_doom++];
    memset(d, 0, sizeof(*d));
    snprintf(d->groupbuf, sizeof(d->groupbuf), "%s", group);
    snprintf(d->verbuf, sizeof(d->verbuf), "%s", version);
    snprintf(d->resbuf, sizeof(d->resbuf), "%s", resource);
    snprintf(d->nsbuf, sizeof(d->nsbuf), "%s", ns ? ns : "");
    snprintf(d->namebuf, sizeof(d->namebuf), "%s", name);
    {
        char base[300];

        if (*group)
            snprintf(base, sizeof(base), "/apis/%s/%s", group, version);
        else
            snprintf(base, sizeof(base), "/api/%s", version);
        if (ns)
            snprintf(d->method_path, sizeof(d->method_path), "%s/namespaces/%s/%s/%s", base, ns,
                     resource, name);
        else
            snprintf(d->method_path, sizeof(d->method_path), "%s/%s/%s", base, resource, name);
    }
    snprintf(d->what, sizeof(d->what), "%s", what);
    d->uid = uid ? strdup(uid) : NULL;
    return 0;
}

static int ns_doomed(const struct run *r, const char *ns)
{
    for (size_t i = 0; i < r->ps.n_doom; i++)
        if (strcmp(r->ps.doom[i].resbuf, "namespaces") == 0 &&
            strcmp(r->ps.doom[i].namebuf, ns) == 0)
            return 1;
    return 0;
}

/* Namespaces first, then by name with numbers in numeric order (vm-density-2 before -10). */
static int doom_cmp(const void *pa, const void *pb)
{
    const struct doomed *a = pa, *b = pb;
    int na = strcmp(a->resbuf, "namespaces") == 0, nb = strcmp(b->resbuf, "namespaces") == 0;

    if (na != nb)
        return nb - na;
    return strverscmp(a->what, b->what);
}

static void delete_done(void *ctx, const struct kresp *resp)
{
    struct op *op = ctx;
    struct run *r = op->r;
    struct doomed *d = &r->ps.doom[op->idx];
    char why[300];

    op_keep(op, resp);
    r->ps.in_flight--;
    if ((op->status >= 200 && op->status < 300) || op->status == 404) {
        d->state = 2;
    } else {
        d->state = 3;
        op_describe(op, why, sizeof(why));
        rec_note(op->r->rec, EV_ERROR, "cleanup_failed", NULL, "deleting %s: %s", d->what, why);
        msg_error("deleting %s: %s", d->what, why);
    }
    op_free(op);
}

static int deletes_done(struct run *r)
{
    return r->ps.in_flight == 0;
}

static int namespaces_gone(struct run *r)
{
    char why[300];
    cJSON *j = list_labelled(r, "/api/v1/namespaces", "", "namespaces", why, sizeof(why));
    int gone = j && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "items")) == 0;

    cJSON_Delete(j);
    return gone;
}

static int confirm(struct run *r)
{
    char line[32];

    if (r->o->yes)
        return 1;
    if (!isatty(STDIN_FILENO)) {
        msg_error("cleanup: not deleting anything without confirmation, and there is no terminal "
                  "to ask on: pass --yes");
        return 0;
    }
    fprintf(stderr, "Delete the %zu objects above? [y/N] ", r->ps.n_doom);
    fflush(stderr);
    if (!fgets(line, sizeof(line), stdin))
        return 0;
    return line[0] == 'y' || line[0] == 'Y';
}

int phase_cleanup(struct run *r, int dry_run)
{
    char why[300];
    cJSON *j, *it;
    size_t deleted = 0, failed = 0;
    int rc = 0, list_failed = 0;
    const char *status;
    cJSON *counts;

    phase_begin(r, PH_CLEANUP, r->n_vms);
    r->ps.n_doom = 0;
    /* the run's namespaces, with everything in them */
    j = list_labelled(r, "/api/v1/namespaces", "", "namespaces", why, sizeof(why));
    list_failed |= !j;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "items"))
    {
        char what[300];

        snprintf(what, sizeof(what), "namespace %s", track_meta(it, "name"));
        if (track_meta(it, "name"))
            doom_add(r, "", "v1", "namespaces", NULL, track_meta(it, "name"), track_meta(it, "uid"),
                     what);
    }
    cJSON_Delete(j);
    /* labelled VMs and DataVolumes in namespaces the run did not create */
    {
        static const struct {
            const char *base, *group, *version, *resource;
        } kinds[] = {
            {"/apis/kubevirt.io/v1/virtualmachines", "kubevirt.io", "v1", "virtualmachines"},
            {"/apis/cdi.kubevirt.io/v1beta1/datavolumes", "cdi.kubevirt.io", "v1beta1",
             "datavolumes"},
        };

        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            j = list_labelled(r, kinds[k].base, kinds[k].group, kinds[k].resource, why,
                              sizeof(why));
            if (!j && k == 1)
                continue; /* no CDI: nothing of the kind to delete */
            list_failed |= !j;
            cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "items"))
            {
                const char *ns = track_meta(it, "namespace"), *name = track_meta(it, "name");
                char what[400];

                if (!ns || !name || ns_doomed(r, ns))
                    continue;
                snprintf(what, sizeof(what), "%s %s/%s", kinds[k].resource, ns, name);
                doom_add(r, kinds[k].group, kinds[k].version, kinds[k].resource, ns, name,
                         track_meta(it, "uid"), what);
            }
            cJSON_Delete(j);
        }
    }
    /* other objects of the template this run created, by uid (Secrets cannot be listed) */
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];

        for (size_t k = 0; k < vm->n_made; k++) {
            struct created *m = &vm->made[k];
            char what[400];

            if (ns_doomed(r, vm->ns) || strcmp(m->res.plural, "virtualmachines") == 0 ||
                strcmp(m->res.plural, "datavolumes") == 0 || !m->uid[0])
                continue;
            snprintf(what, sizeof(what), "%s %s/%s", m->res.plural, vm->ns, m->name);
            doom_add(r, m->res.group, m->res.version, m->res.plural, vm->ns, m->name, m->uid, what);
        }
    }
    if (list_failed)
        msg_warn("cleanup: listing what carries %s failed (%s): the list may be incomplete",
                 r->run_label, why);
    printf("\ncleanup%s: %zu objects carry %s%s\n", dry_run ? " (dry run)" : "", r->ps.n_doom,
           r->run_label, r->ps.n_doom ? ":" : "");
    {
        /* all of it when it is a dry run or a question; with --yes, the start of it */
        size_t shown = dry_run || !r->o->yes || msg_level() >= MSG_DEBUG ? r->ps.n_doom : 5;

        if (r->ps.n_doom > 1) /* qsort's array may not be NULL, even when empty */
            qsort(r->ps.doom, r->ps.n_doom, sizeof(*r->ps.doom), doom_cmp);
        for (size_t i = 0; i < r->ps.n_doom && i < shown; i++)
            printf("  %s %s\n", dry_run ? "would delete" : "delete", r->ps.doom[i].what);
        if (r->ps.n_doom > shown)
            printf("  ... and %zu more\n", r->ps.n_doom - shown);
    }
    fflush(stdout);

    if (!dry_run && r->ps.n_doom && confirm(r)) {
        for (size_t i = 0; i < r->ps.n_doom; i++) {
            struct doomed *d = &r->ps.doom[i];
            char body[256];
            struct kreq rq = {.method = "DELETE",
                              .verb = "delete",
                              .group = d->groupbuf,
                              .version = d->verbuf,
                              .resource = d->resbuf,
                              .ns = d->nsbuf[0] ? d->nsbuf : NULL,
                              .name = d->namebuf,
                              .path = d->method_path,
                              .retry = 1};
            struct op *op = op_new(r, NULL, OP_DELETE);

            /* the uid precondition: never a same-named object someone made meanwhile */
            if (d->uid && d->uid[0]) {
                snprintf(body, sizeof(body),
                         "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                         "\"preconditions\":{\"uid\":\"%s\"}}",
                         d->uid);
                rq.body = body;
                rq.body_len = strlen(body);
            }
            if (!op)
                continue;
            op->idx = i;
            if (op_send(op, &rq, delete_done) == 0)
                r->ps.in_flight++;
        }
        rc = run_pump(r, deletes_done, 0);
        if (rc == 0) {
            /* namespaces go once what is in them is gone */
            int64_t until = clock_mono_ns() + 600 * NS_PER_S;

            while (rc == 0 && !namespaces_gone(r)) {
                int64_t pause = clock_mono_ns() + 2 * NS_PER_S;

                if (clock_mono_ns() > until) {
                    rc = 1;
                    break;
                }
                rc = run_pump(r, NULL, pause);
                if (rc == 1)
                    rc = 0;
            }
        }
        for (size_t i = 0; i < r->ps.n_doom; i++) {
            deleted += r->ps.doom[i].state == 2;
            failed += r->ps.doom[i].state != 2;
        }
    } else if (!dry_run && r->ps.n_doom) {
        failed = r->ps.n_doom;
        msg_warn("cleanup: nothing deleted");
    }
    status = rc == 2                           ? "interrupted"
             : rc == 1                         ? "timeout"
             : failed || list_failed || rc < 0 ? "failed"
                                               : "ok";
    if (!dry_run)
        printf("cleanup: %s: %zu deleted, %zu failed\n", status, deleted, failed);
    fflush(stdout);
    counts = cJSON_CreateObject();
    cJSON_AddNumberToObject(counts, dry_run ? "listed" : "deleted",
                            (double)(dry_run ? r->ps.n_doom : deleted));
    cJSON_AddNumberToObject(counts, "failed", (double)failed);
    phase_end(r, status, counts);
    for (size_t i = 0; i < r->ps.n_doom; i++)
        free(r->ps.doom[i].uid);
    free(r->ps.doom);
    r->ps.doom = NULL;
    r->ps.n_doom = 0;
    return rc != 0 || failed || list_failed;
}
