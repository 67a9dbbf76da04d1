/*
 * fuzz-collector-template: the collector's VM template (collector/template.h)
 * on arbitrary bytes: tmpl_parse(), then tmpl_instantiate() with several sets
 * of parameters, and tmpl_resource_of() and tmpl_collection_path() on what it
 * gives. Properties (each broken one aborts):
 *   - a template refused has a message, located in the file named: its
 *     err.where is the name given, so the formatted message starts with it;
 *   - a template accepted reads (yamljson_parse, the reference here) as
 *     well-formed documents, exactly one of them a kubevirt.io
 *     VirtualMachine, and tmpl_vm_name() is that VM's metadata.name, or "";
 *   - instantiating it with valid parameters fails only when a renamed data
 *     volume's name would pass 253 characters (computed here), and else gives
 *     one object per document, the others in file order, then the VM, exactly
 *     one VirtualMachine among them. Each has metadata.namespace the given
 *     namespace, none of the fields the API server sets, and its kind (and
 *     for all but the VM its apiVersion and metadata.name) from the template;
 *   - the run's labels (the run label and the extra labels, which cleanup
 *     relies on) are in metadata.labels of every object, and of the VM also
 *     in spec.template.metadata.labels and every dataVolumeTemplates[]; the
 *     template's other labels are kept;
 *   - the VM is kubevirt.io/v1, is named vm_name, has no spec.running and the
 *     run strategy template.h gives, the node pin and storage classes asked
 *     for, and its data volumes and the volumes that refer to them renamed
 *     by template.h's rule; DataVolume and PersistentVolumeClaim documents
 *     get the storage class;
 *   - instantiating is deterministic and leaves the template as it was: the
 *     first parameters again, after other ones, give equal objects
 *     (cJSON_Compare), and tmpl_vm_name() is unchanged;
 *   - invalid parameters (a required one NULL, one "", a bad extra label, one
 *     that sets the run label's key) fail with a message;
 *   - tmpl_resource_of() maps the VM to the built-in virtualmachines without
 *     asking discovery; for each object it fails with a message or gives a
 *     resource of the object's group and version with a plural (discovery's
 *     answer when not built in, an unusable answer refused), and then
 *     tmpl_collection_path() gives the documented path, fails for a bad
 *     namespace, and for a buffer one byte short.
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer in the
 * normal build (tests/fuzz/replay.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "yamljson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.yaml"
#define MAX_NAME 253 /* a renamed data volume's name may not be longer */

static void require(int ok)
{
    if (!ok)
        abort();
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static const char *str(const cJSON *obj, const char *key)
{
    const cJSON *v = get(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int str_is(const cJSON *obj, const char *key, const char *want)
{
    const char *s = str(obj, key);

    return s && strcmp(s, want) == 0;
}

/* obj[key] and was[key] are equal, or both absent. */
static int same(const cJSON *obj, const cJSON *was, const char *key)
{
    const cJSON *a = get(obj, key), *b = get(was, key);

    return (!a && !b) || (a && b && cJSON_Compare(a, b, 1));
}

/* Is doc a `kind` of API group `group` ("" for the core group)? */
static int is_kind(const cJSON *doc, const char *group, const char *kind)
{
    const char *av = str(doc, "apiVersion"), *k = str(doc, "kind"), *slash;
    size_t glen;

    if (!av || !k || strcmp(k, kind) != 0)
        return 0;
    slash = strchr(av, '/');
    glen = slash ? (size_t)(slash - av) : 0;
    return strlen(group) == glen && strncmp(av, group, glen) == 0;
}

static int is_vm(const cJSON *doc)
{
    return is_kind(doc, "kubevirt.io", "VirtualMachine");
}

/* ---- parameters ------------------------------------------------------------------ */

static const char *const extra_a[] = {"app=vmstorm", "team=perf", "kubevirt.io/domain=x", NULL};
static const char *const extra_c[] = {"tier=", NULL};
static char long_vm_name[246]; /* 245 'v': renaming "vm-rootdisk"-like names overflows */

/* Valid parameters: [0] the plain case, then every option, then long names. */
static struct tmpl_params params[3] = {
    {"vmstorm-fuzz-1", "vm-0001", "vmstorm.io/run", "r1", extra_a, NULL, NULL, NULL},
    {"b.c", "x", "run", "2", NULL, "fast", "worker-7", "Halted"},
    {"c", long_vm_name, "vmstorm.io/run", "r3", extra_c, "sc", NULL, NULL},
};

/* The label k=v that parameter p sets as label i (extras, then the run label): 0, or -1 past the
 * last. */
static int param_label(const struct tmpl_params *p, size_t i, char *k, size_t kn, const char **v)
{
    size_t n = 0;

    while (p->extra_labels && p->extra_labels[n])
        n++;
    if (i > n)
        return -1;
    if (i == n) {
        snprintf(k, kn, "%s", p->run_label_key);
        *v = p->run_label_value;
        return 0;
    }
    *v = strchr(p->extra_labels[i], '=') + 1;
    snprintf(k, kn, "%.*s", (int)(*v - 1 - p->extra_labels[i]), p->extra_labels[i]);
    return 0;
}

static int is_param_label(const struct tmpl_params *p, const char *key)
{
    char k[64];
    const char *v;

    for (size_t i = 0; param_label(p, i, k, sizeof(k), &v) == 0; i++)
        if (strcmp(k, key) == 0)
            return 1;
    return 0;
}

/* labels holds p's labels and the other labels of was (the template's; NULL: none). */
static void check_labels(const cJSON *labels, const cJSON *was, const struct tmpl_params *p)
{
    char k[64];
    const char *v;
    const cJSON *l;
    int n = 0;

    require(cJSON_IsObject(labels));
    for (size_t i = 0; param_label(p, i, k, sizeof(k), &v) == 0; i++, n++)
        require(str_is(labels, k, v));
    if (cJSON_IsObject(was))
        cJSON_ArrayForEach(l, was)
        {
            if (!is_param_label(p, l->string)) {
                require(same(labels, was, l->string));
                n++;
            }
        }
    require(cJSON_GetArraySize(labels) == n);
}

static void check_meta_labels(const cJSON *obj, const cJSON *was, const struct tmpl_params *p)
{
    check_labels(get(get(obj, "metadata"), "labels"), get(get(was, "metadata"), "labels"), p);
}

/* ---- data volume renaming ------------------------------------------------------------ */

/* Does name get renamed for the template's VM vm (template.h's rule)? */
static int renames(const char *vm, const char *name)
{
    size_t len = strlen(vm);

    return len > 0 && strncmp(name, vm, len) == 0 &&
           (name[len] == '\0' || name[len] == '-' || name[len] == '.');
}

/* Is s the name that name of a data volume becomes (renamed or not)? */
static int is_new_name(const char *s, const char *vm, const char *name, const struct tmpl_params *p)
{
    size_t n = strlen(p->vm_name);

    if (!renames(vm, name))
        return strcmp(s, name) == 0;
    return strncmp(s, p->vm_name, n) == 0 && strcmp(s + n, name + strlen(vm)) == 0;
}

/* Would a renamed data volume template of the VM be longer than MAX_NAME? */
static int name_too_long(const cJSON *vm, const char *vm_name, const struct tmpl_params *p)
{
    const cJSON *dv;

    cJSON_ArrayForEach(dv, get(get(vm, "spec"), "dataVolumeTemplates"))
    {
        const char *name = str(get(dv, "metadata"), "name");

        require(name && name[0]);
        if (renames(vm_name, name) &&
            strlen(p->vm_name) + strlen(name) - strlen(vm_name) > MAX_NAME)
            return 1;
    }
    return 0;
}

/* A volume's reference obj[key] follows the data volume template it names. */
static void check_ref(const cJSON *obj, const cJSON *was, const char *key, const cJSON *dvts,
                      const char *vm_name, const struct tmpl_params *p)
{
    const char *ref = str(was, key);
    const cJSON *dv;

    cJSON_ArrayForEach(dv, dvts)
    {
        if (ref && strcmp(ref, str(get(dv, "metadata"), "name")) == 0 && renames(vm_name, ref)) {
            require(cJSON_IsString(get(obj, key)) && is_new_name(str(obj, key), vm_name, ref, p));
            return;
        }
    }
    require(same(obj, was, key));
}

/* ---- the objects ------------------------------------------------------------------------ */

/* A data volume (template or document) asks for the storage class: see template.h. */
static void check_storage_class(const cJSON *dv, const char *class)
{
    const cJSON *spec = get(dv, "spec"), *storage = get(spec, "storage"), *pvc = get(spec, "pvc");

    require(cJSON_IsObject(storage) || cJSON_IsObject(pvc));
    require(!cJSON_IsObject(storage) || str_is(storage, "storageClassName", class));
    require(!cJSON_IsObject(pvc) || str_is(pvc, "storageClassName", class));
}

static void check_vm(const cJSON *vm, const cJSON *was, const char *vm_name,
                     const struct tmpl_params *p)
{
    const cJSON *spec = get(vm, "spec"), *wspec = get(was, "spec");
    const cJSON *tpl = get(spec, "template"), *tspec = get(tpl, "spec");
    const cJSON *wtspec = get(get(wspec, "template"), "spec");
    const cJSON *dvts = get(spec, "dataVolumeTemplates"),
                *wdvts = get(wspec, "dataVolumeTemplates");
    const cJSON *running = get(wspec, "running");
    const char *strategy = p->run_strategy;
    int n;

    require(str_is(vm, "apiVersion", "kubevirt.io/v1") && str_is(vm, "kind", "VirtualMachine"));
    require(str_is(get(vm, "metadata"), "name", p->vm_name));
    require(cJSON_IsObject(spec) && cJSON_IsObject(tpl) && cJSON_IsObject(tspec));
    check_labels(get(get(tpl, "metadata"), "labels"),
                 get(get(get(wspec, "template"), "metadata"), "labels"), p);

    /* run strategy: the parameter's, or the one spec.running means, else the template's */
    require(!get(spec, "running"));
    if (!strategy && cJSON_IsBool(running))
        strategy = cJSON_IsTrue(running) ? "Always" : "Halted";
    require(strategy ? str_is(spec, "runStrategy", strategy) : same(spec, wspec, "runStrategy"));

    if (p->node_name)
        require(str_is(get(tspec, "nodeSelector"), "kubernetes.io/hostname", p->node_name));
    else
        require(same(tspec, wtspec, "nodeSelector"));

    /* data volume templates: renamed, labelled, with the storage class */
    n = cJSON_GetArraySize(wdvts);
    require(cJSON_GetArraySize(dvts) == n);
    for (int i = 0; i < n; i++) {
        const cJSON *dv = cJSON_GetArrayItem(dvts, i), *wdv = cJSON_GetArrayItem(wdvts, i);
        const char *name = str(get(dv, "metadata"), "name");

        require(name && is_new_name(name, vm_name, str(get(wdv, "metadata"), "name"), p));
        check_meta_labels(dv, wdv, p);
        if (p->storage_class)
            check_storage_class(dv, p->storage_class);
    }

    /* volumes: those naming a renamed data volume template follow it */
    n = cJSON_GetArraySize(get(wtspec, "volumes"));
    require(cJSON_GetArraySize(get(tspec, "volumes")) == n);
    for (int i = 0; i < n; i++) {
        const cJSON *vol = cJSON_GetArrayItem(get(tspec, "volumes"), i);
        const cJSON *wvol = cJSON_GetArrayItem(get(wtspec, "volumes"), i);

        require(cJSON_IsObject(vol));
        if (cJSON_IsObject(get(wvol, "dataVolume")))
            check_ref(get(vol, "dataVolume"), get(wvol, "dataVolume"), "name", wdvts, vm_name, p);
        if (cJSON_IsObject(get(wvol, "persistentVolumeClaim")))
            check_ref(get(vol, "persistentVolumeClaim"), get(wvol, "persistentVolumeClaim"),
                      "claimName", wdvts, vm_name, p);
    }
}

/* What every object gets, and the other objects their own edits. */
static void check_object(const cJSON *obj, const cJSON *was, const char *vm_name,
                         const struct tmpl_params *p)
{
    static const char *const server_set[] = {
        "uid",           "resourceVersion", "creationTimestamp", "generation",
        "managedFields", "selfLink",        "ownerReferences",
    };
    const cJSON *meta = get(obj, "metadata");

    require(cJSON_IsObject(obj) && cJSON_IsObject(meta));
    require(str_is(meta, "namespace", p->namespace));
    for (size_t i = 0; i < sizeof(server_set) / sizeof(server_set[0]); i++)
        require(!get(meta, server_set[i]));
    require(!get(obj, "status"));
    require(same(obj, was, "kind"));
    check_meta_labels(obj, was, p);
    if (is_vm(was)) {
        check_vm(obj, was, vm_name, p);
        return;
    }
    require(!is_vm(obj));
    require(same(obj, was, "apiVersion"));
    require(str(meta, "name") && same(meta, get(was, "metadata"), "name"));
    if (p->storage_class && is_kind(was, "cdi.kubevirt.io", "DataVolume"))
        check_storage_class(obj, p->storage_class);
    if (p->storage_class && is_kind(was, "", "PersistentVolumeClaim"))
        require(str_is(get(obj, "spec"), "storageClassName", p->storage_class));
}

/* objs, made from the documents docs (the VM at index vm) with p: in order and edited. */
static void check_objects(const cJSON *objs, const cJSON *docs, int vm, const char *vm_name,
                          const struct tmpl_params *p)
{
    int n = cJSON_GetArraySize(docs), i = 0;
    const cJSON *doc;

    require(cJSON_IsArray(objs) && cJSON_GetArraySize(objs) == n);
    cJSON_ArrayForEach(doc, docs)
    {
        if (doc != cJSON_GetArrayItem(docs, vm))
            check_object(cJSON_GetArrayItem(objs, i++), doc, vm_name, p);
    }
    require(i == n - 1);
    check_object(cJSON_GetArrayItem(objs, i), cJSON_GetArrayItem(docs, vm), vm_name, p);
}

/* ---- resources ------------------------------------------------------------------------ */

static const struct {
    const char *api_version, *kind, *plural;
    int namespaced;
} discoverable[] = {
    {"v1", "Secret", "secrets", 1}, /* built in: never asked */
    {"kubevirt.io/v1", "VirtualMachine", "virtualmachines", 1},
    {"v1", "Pod", "pods", 1},
    {"networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", 1},
    {"example.com/v1", "Widget", "widgets", 1},
    {"example.com/v1", "Gadget", "gadgets", 0},
    {"example.com/v1", "Broken", "", 1}, /* unusable: no plural */
};

struct discovery {
    int calls;
};

static int fake_discover(void *ctx, const char *api_version, const char *kind,
                         struct tmpl_resource *out)
{
    struct discovery *d = ctx;

    d->calls++;
    for (size_t i = 0; i < sizeof(discoverable) / sizeof(discoverable[0]); i++) {
        const char *slash = strchr(api_version, '/');

        if (strcmp(discoverable[i].api_version, api_version) != 0 ||
            strcmp(discoverable[i].kind, kind) != 0)
            continue;
        snprintf(out->group, sizeof(out->group), "%.*s", slash ? (int)(slash - api_version) : 0,
                 api_version);
        snprintf(out->version, sizeof(out->version), "%s", slash ? slash + 1 : api_version);
        snprintf(out->plural, sizeof(out->plural), "%s", discoverable[i].plural);
        out->namespaced = discoverable[i].namespaced;
        return 0;
    }
    return -1;
}

static void check_path(const struct tmpl_resource *r, const char *ns)
{
    char want[1024], path[1024];
    int n;

    if (r->group[0])
        n = snprintf(want, sizeof(want), "/apis/%s/%s", r->group, r->version);
    else
        n = snprintf(want, sizeof(want), "/api/%s", r->version);
    if (r->namespaced)
        n += snprintf(want + n, sizeof(want) - (size_t)n, "/namespaces/%s", ns);
    n += snprintf(want + n, sizeof(want) - (size_t)n, "/%s", r->plural);
    require(n > 0 && (size_t)n < sizeof(want));
    require(tmpl_collection_path(r, ns, path, sizeof(path)) == 0 && strcmp(path, want) == 0);
    require(tmpl_collection_path(r, ns, path, (size_t)n + 1) == 0 && strcmp(path, want) == 0);
    require(tmpl_collection_path(r, ns, path, (size_t)n) == -1);
    if (r->namespaced) {
        require(tmpl_collection_path(r, NULL, path, sizeof(path)) == -1);
        require(tmpl_collection_path(r, "", path, sizeof(path)) == -1);
        require(tmpl_collection_path(r, "Bad_NS", path, sizeof(path)) == -1);
        require(tmpl_collection_path(r, "a/b", path, sizeof(path)) == -1);
    }
}

static void check_resource(const cJSON *obj, const char *ns)
{
    struct discovery d = {0};
    struct tmpl_resource r, builtin;
    struct vs_error err;
    const char *av = str(obj, "apiVersion"), *slash;
    int rc, rc_builtin;

    memset(&err, 0, sizeof(err));
    rc = tmpl_resource_of(obj, fake_discover, &d, &r, &err);
    if (is_vm(obj)) {
        require(rc == 0 && d.calls == 0);
        require(strcmp(r.group, "kubevirt.io") == 0 && strcmp(r.version, "v1") == 0 &&
                strcmp(r.plural, "virtualmachines") == 0 && r.namespaced);
    }
    if (rc != 0) {
        require(rc == -1 && err.msg[0]);
        return;
    }
    require(av && r.version[0] && r.plural[0]);
    slash = strchr(av, '/');
    require(slash ? strncmp(av, r.group, (size_t)(slash - av)) == 0 &&
                        r.group[slash - av] == '\0' && strcmp(slash + 1, r.version) == 0
                  : r.group[0] == '\0' && strcmp(av, r.version) == 0);
    require(strcmp(r.plural, "") != 0);
    /* built in: the same without discovery; else discovery's answer */
    rc_builtin = tmpl_resource_of(obj, NULL, NULL, &builtin, &err);
    require(rc_builtin == (d.calls ? -1 : 0));
    if (rc_builtin == 0)
        require(memcmp(&r, &builtin, sizeof(r)) == 0);
    check_path(&r, ns);
}

/* ---- the target ------------------------------------------------------------------------- */

/* Invalid parameters, each a change to params[0], fail with a message. */
static void check_bad_params(const struct tmpl *t)
{
    static const char *const no_value[] = {"novalue", NULL}, *const no_key[] = {"=v", NULL},
                             *const run_key[] = {"a=b", "vmstorm.io/run=x", NULL};

    for (int i = 0; i < 9; i++) {
        struct tmpl_params p = params[0];
        struct vs_error err;

        switch (i) {
        case 0:
            p.namespace = NULL;
            break;
        case 1:
            p.vm_name = "";
            break;
        case 2:
            p.run_label_key = NULL;
            break;
        case 3:
            p.run_label_value = "";
            break;
        case 4:
            p.extra_labels = no_value;
            break;
        case 5:
            p.extra_labels = no_key;
            break;
        case 6:
            p.extra_labels = run_key;
            break;
        case 7:
            p.storage_class = "";
            break;
        default:
            p.run_strategy = "";
            break;
        }
        memset(&err, 0, sizeof(err));
        require(tmpl_instantiate(t, &p, &err) == NULL && err.msg[0]);
    }
}

static void check_refused(const struct vs_error *err)
{
    char msg[1024];

    require(err->msg[0] && strcmp(err->where, NAME) == 0);
    vs_error_format(err, msg, sizeof(msg));
    require(strncmp(msg, NAME, strlen(NAME)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vs_error err;
    struct tmpl *t;
    cJSON *docs = NULL, *objs[3] = {NULL, NULL, NULL}, *again;
    const cJSON *doc, *meta;
    char *vm_name;
    int vm = -1, i = 0;

    if (!long_vm_name[0])
        memset(long_vm_name, 'v', sizeof(long_vm_name) - 1);
    memset(&err, 0, sizeof(err));
    t = tmpl_parse((const char *)data, size, NAME, &err);
    if (!t) {
        check_refused(&err);
        return 0;
    }

    /* the reference reading: well-formed documents, exactly one VM */
    require(yamljson_parse((const char *)data, size, "ref", &docs, NULL, NULL) == 0);
    cJSON_ArrayForEach(doc, docs)
    {
        require(cJSON_IsObject(doc) && str(doc, "apiVersion") && str(doc, "kind") &&
                cJSON_IsObject(get(doc, "metadata")));
        if (is_vm(doc)) {
            require(vm < 0);
            vm = i;
        }
        i++;
    }
    require(vm >= 0);
    meta = get(cJSON_GetArrayItem(docs, vm), "metadata");
    require(strcmp(tmpl_vm_name(t), str(meta, "name") ? str(meta, "name") : "") == 0);
    vm_name = strdup(tmpl_vm_name(t));
    require(vm_name != NULL);

    for (i = 0; i < 3; i++) {
        int too_long = name_too_long(cJSON_GetArrayItem(docs, vm), vm_name, &params[i]);

        memset(&err, 0, sizeof(err));
        objs[i] = tmpl_instantiate(t, &params[i], &err);
        if (!objs[i]) {
            require(err.msg[0] && (too_long || err.code == ENOMEM));
            continue;
        }
        require(!too_long);
        check_objects(objs[i], docs, vm, vm_name, &params[i]);
    }

    /* the same again, after other parameters: equal objects, the template unchanged */
    again = tmpl_instantiate(t, &params[0], &err);
    require((again == NULL) == (objs[0] == NULL));
    require(!again || cJSON_Compare(again, objs[0], 1));
    require(strcmp(tmpl_vm_name(t), vm_name) == 0);
    cJSON_Delete(again);

    for (i = 0; i < 3; i++)
        for (const cJSON *obj = objs[i] ? objs[i]->child : NULL; obj; obj = obj->next)
            check_resource(obj, params[i].namespace);
    check_bad_params(t);

    for (i = 0; i < 3; i++)
        cJSON_Delete(objs[i]);
    free(vm_name);
    cJSON_Delete(docs);
    tmpl_free(t);
    return 0;
}
