#include "template.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vbuf.h"
#include "yamljson.h"
#include "yamlpos.h"

/* Longest name of an object stored under its name (a DNS-1123 subdomain). */
#define TMPL_MAX_NAME 253

struct tmpl {
    char *name;  /* the file, for messages */
    char *text;  /* the source, kept to point messages at nodes */
    size_t len;  /* bytes at text */
    cJSON *docs; /* one object per non-empty document, in file order */
    long *lines; /* start line of each document */
    int vm;      /* index in docs of the VirtualMachine */
};

/* What a document is, as far as this module cares. */
enum tmpl_class { CLASS_OTHER, CLASS_VM, CLASS_DV, CLASS_PVC };

/* ---- the built-in resource table ---------------------------------------------------- */

static const struct tmpl_builtin {
    const char *group; /* "" for the core group */
    const char *version;
    const char *kind;
    const char *plural;
    int namespaced;
} tmpl_builtins[] = {
    {"", "v1", "Secret", "secrets", 1},
    {"", "v1", "ConfigMap", "configmaps", 1},
    {"", "v1", "Service", "services", 1},
    {"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", 1},
    {"", "v1", "ServiceAccount", "serviceaccounts", 1},
    {"kubevirt.io", "v1", "VirtualMachine", "virtualmachines", 1},
    {"cdi.kubevirt.io", "v1beta1", "DataVolume", "datavolumes", 1},
    /* cluster-scoped kinds, which a template may not hold */
    {"", "v1", "Namespace", "namespaces", 0},
    {"", "v1", "Node", "nodes", 0},
    {"", "v1", "PersistentVolume", "persistentvolumes", 0},
    {"rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", 0},
    {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", 0},
    {"storage.k8s.io", "v1", "StorageClass", "storageclasses", 0},
    {"instancetype.kubevirt.io", "v1beta1", "VirtualMachineClusterInstancetype",
     "virtualmachineclusterinstancetypes", 0},
    {"instancetype.kubevirt.io", "v1beta1", "VirtualMachineClusterPreference",
     "virtualmachineclusterpreferences", 0},
};

#define TMPL_NBUILTINS (sizeof(tmpl_builtins) / sizeof(tmpl_builtins[0]))

/* The entry for group and kind, of the given version or (version NULL) of any. */
static const struct tmpl_builtin *builtin_find(const char *group, const char *version,
                                               const char *kind)
{
    for (size_t i = 0; i < TMPL_NBUILTINS; i++) {
        const struct tmpl_builtin *b = &tmpl_builtins[i];

        if (strcmp(b->group, group) == 0 && strcmp(b->kind, kind) == 0 &&
            (!version || strcmp(b->version, version) == 0))
            return b;
    }
    return NULL;
}

/* Split "group/version" (or "v1": core group) into its parts. 0, or -1 when malformed. */
static int api_version_split(const char *av, char *group, size_t gn, char *version, size_t vn)
{
    const char *slash = strchr(av, '/');
    const char *v = slash ? slash + 1 : av;
    size_t glen = slash ? (size_t)(slash - av) : 0;

    if ((slash && glen == 0) || *v == '\0' || strchr(v, '/') || glen >= gn || strlen(v) >= vn)
        return -1;
    memcpy(group, av, glen);
    group[glen] = '\0';
    strcpy(version, v);
    return 0;
}

/* The string member key of obj, or NULL. */
static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static enum tmpl_class doc_class(const cJSON *doc)
{
    const char *av = json_str(doc, "apiVersion"), *kind = json_str(doc, "kind");
    char group[128], version[32];

    if (!av || !kind || api_version_split(av, group, sizeof(group), version, sizeof(version)) < 0)
        return CLASS_OTHER;
    if (strcmp(group, "kubevirt.io") == 0 && strcmp(kind, "VirtualMachine") == 0)
        return CLASS_VM;
    if (strcmp(group, "cdi.kubevirt.io") == 0 && strcmp(kind, "DataVolume") == 0)
        return CLASS_DV;
    if (group[0] == '\0' && strcmp(kind, "PersistentVolumeClaim") == 0)
        return CLASS_PVC;
    return CLASS_OTHER;
}

/* ---- messages ------------------------------------------------------------------------------ */

/* Where path is in document idx (see yamlpos.h); the document's start line when not found. */
static void tmpl_locate(const struct tmpl *t, size_t idx, const char *path, struct yamlpos *pos)
{
    if (yamlpos_find(t->text, t->len, idx, path, pos) < 0) {
        pos->doc = (long)idx + 1;
        pos->line = t->lines[idx];
        pos->col = 0;
    }
}

/* Fill err about the node at path ("" for the whole document) of document idx. -1. */
static int tmpl_fail(const struct tmpl *t, size_t idx, const char *path, struct vs_error *err,
                     const char *fmt, ...) VS_PRINTF(5, 6);

static int tmpl_fail(const struct tmpl *t, size_t idx, const char *path, struct vs_error *err,
                     const char *fmt, ...)
{
    struct yamlpos loc;
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    tmpl_locate(t, idx, path, &loc);
    return vs_error_set(err, t->name, loc.line, loc.col, "document %ld: %s", loc.doc, msg);
}

static int tmpl_nomem(struct vs_error *err)
{
    return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
}

/* ---- checking a template ---------------------------------------------------------------- */

struct tmpl_check {
    const struct tmpl *t;
    size_t idx; /* the document being checked */
    struct vs_error *err;
};

enum tmpl_type { TYPE_MAP, TYPE_SEQ, TYPE_STR, TYPE_BOOL };

static int json_has_type(const cJSON *v, enum tmpl_type type)
{
    switch (type) {
    case TYPE_MAP:
        return cJSON_IsObject(v);
    case TYPE_SEQ:
        return cJSON_IsArray(v);
    case TYPE_STR:
        return cJSON_IsString(v);
    case TYPE_BOOL:
        return cJSON_IsBool(v);
    }
    return 0;
}

/*
 * The member key of obj (whose path is parent; obj NULL when absent). A null
 * value counts as absent. Present, it must have type `type`. Returns 0 with
 * *out the member or NULL, or -1 with the error when it has another type or
 * is required and absent.
 */
static int check_member(const struct tmpl_check *c, const cJSON *obj, const char *parent,
                        const char *key, enum tmpl_type type, int required, const cJSON **out)
{
    static const char *const type_names[] = {"a mapping", "a sequence", "a string", "a boolean"};
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    char path[512];

    snprintf(path, sizeof(path), "%s%s%s", parent, *parent ? "." : "", key);
    if (out)
        *out = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return tmpl_fail(c->t, c->idx, path, c->err, "missing '%s'", path);
        return 0;
    }
    if (!json_has_type(v, type))
        return tmpl_fail(c->t, c->idx, path, c->err, "expected %s for '%s', found %s",
                         type_names[type], path, yamljson_type_name(v));
    if (out)
        *out = v;
    return 0;
}

/* A required string member that may not be empty. */
static int check_name(const struct tmpl_check *c, const cJSON *obj, const char *parent,
                      const char *key)
{
    const cJSON *v;
    char path[300];

    if (check_member(c, obj, parent, key, TYPE_STR, 1, &v) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s.%s", parent, key);
    if (v->valuestring[0] == '\0')
        return tmpl_fail(c->t, c->idx, path, c->err, "empty '%s'", path);
    return 0;
}

/* The parts of a data volume spec that tmpl_instantiate() edits. */
static int check_dv_spec(const struct tmpl_check *c, const cJSON *owner, const char *path)
{
    const cJSON *spec;
    char sub[300];

    snprintf(sub, sizeof(sub), "%s%sspec", path, *path ? "." : "");
    return check_member(c, owner, path, "spec", TYPE_MAP, 0, &spec) < 0 ||
                   check_member(c, spec, sub, "storage", TYPE_MAP, 0, NULL) < 0 ||
                   check_member(c, spec, sub, "pvc", TYPE_MAP, 0, NULL) < 0
               ? -1
               : 0;
}

static int check_dv_templates(const struct tmpl_check *c, const cJSON *spec)
{
    const cJSON *dvts, *dv;
    int i = 0;

    if (check_member(c, spec, "spec", "dataVolumeTemplates", TYPE_SEQ, 0, &dvts) < 0)
        return -1;
    cJSON_ArrayForEach(dv, dvts)
    {
        char path[100], md[120];
        const cJSON *meta;

        snprintf(path, sizeof(path), "spec.dataVolumeTemplates[%d]", i++);
        snprintf(md, sizeof(md), "%s.metadata", path);
        if (!cJSON_IsObject(dv))
            return tmpl_fail(c->t, c->idx, path, c->err, "expected a mapping for '%s', found %s",
                             path, yamljson_type_name(dv));
        if (check_member(c, dv, path, "metadata", TYPE_MAP, 1, &meta) < 0 ||
            check_name(c, meta, md, "name") < 0 ||
            check_member(c, meta, md, "labels", TYPE_MAP, 0, NULL) < 0 ||
            check_dv_spec(c, dv, path) < 0)
            return -1;
    }
    return 0;
}

static int check_volumes(const struct tmpl_check *c, const cJSON *tspec)
{
    const cJSON *vols, *vol;
    int i = 0;

    if (check_member(c, tspec, "spec.template.spec", "volumes", TYPE_SEQ, 0, &vols) < 0)
        return -1;
    cJSON_ArrayForEach(vol, vols)
    {
        char path[100], dv[130], pvc[130];
        const cJSON *ref;

        snprintf(path, sizeof(path), "spec.template.spec.volumes[%d]", i++);
        snprintf(dv, sizeof(dv), "%s.dataVolume", path);
        snprintf(pvc, sizeof(pvc), "%s.persistentVolumeClaim", path);
        if (!cJSON_IsObject(vol))
            return tmpl_fail(c->t, c->idx, path, c->err, "expected a mapping for '%s', found %s",
                             path, yamljson_type_name(vol));
        if (check_member(c, vol, path, "dataVolume", TYPE_MAP, 0, &ref) < 0 ||
            check_member(c, ref, dv, "name", TYPE_STR, 0, NULL) < 0 ||
            check_member(c, vol, path, "persistentVolumeClaim", TYPE_MAP, 0, &ref) < 0 ||
            check_member(c, ref, pvc, "claimName", TYPE_STR, 0, NULL) < 0)
            return -1;
    }
    return 0;
}

static int check_vm(const struct tmpl_check *c, const cJSON *vm)
{
    const cJSON *spec, *running, *strategy, *tpl, *tmeta, *tspec;

    if (check_member(c, vm, "", "spec", TYPE_MAP, 1, &spec) < 0 ||
        check_member(c, spec, "spec", "running", TYPE_BOOL, 0, &running) < 0 ||
        check_member(c, spec, "spec", "runStrategy", TYPE_STR, 0, &strategy) < 0 ||
        check_member(c, spec, "spec", "template", TYPE_MAP, 1, &tpl) < 0 ||
        check_member(c, tpl, "spec.template", "metadata", TYPE_MAP, 0, &tmeta) < 0 ||
        check_member(c, tmeta, "spec.template.metadata", "labels", TYPE_MAP, 0, NULL) < 0 ||
        check_member(c, tpl, "spec.template", "spec", TYPE_MAP, 0, &tspec) < 0 ||
        check_member(c, tspec, "spec.template.spec", "nodeSelector", TYPE_MAP, 0, NULL) < 0 ||
        check_volumes(c, tspec) < 0 || check_dv_templates(c, spec) < 0)
        return -1;
    if (running && strategy)
        return tmpl_fail(c->t, c->idx, "spec.running", c->err,
                         "both 'spec.running' and 'spec.runStrategy' are set; KubeVirt accepts "
                         "only one");
    return 0;
}

/* apiVersion, kind and metadata of any document. */
static int check_header(const struct tmpl_check *c, const cJSON *doc, const cJSON **av,
                        const cJSON **kind)
{
    const cJSON *meta;

    if (!cJSON_IsObject(doc))
        return tmpl_fail(c->t, c->idx, "", c->err,
                         "expected a mapping (a Kubernetes object), found %s",
                         yamljson_type_name(doc));
    return check_member(c, doc, "", "apiVersion", TYPE_STR, 1, av) < 0 ||
                   check_member(c, doc, "", "kind", TYPE_STR, 1, kind) < 0 ||
                   check_member(c, doc, "", "metadata", TYPE_MAP, 1, &meta) < 0 ||
                   check_member(c, meta, "metadata", "name", TYPE_STR, 0, NULL) < 0 ||
                   check_member(c, meta, "metadata", "namespace", TYPE_STR, 0, NULL) < 0 ||
                   check_member(c, meta, "metadata", "labels", TYPE_MAP, 0, NULL) < 0
               ? -1
               : 0;
}

/* Check one document; *class says what it is. */
static int check_doc(const struct tmpl_check *c, const cJSON *doc, enum tmpl_class *class)
{
    const cJSON *av, *kind;
    const struct tmpl_builtin *b;
    char group[128], version[32];

    if (check_header(c, doc, &av, &kind) < 0)
        return -1;
    if (api_version_split(av->valuestring, group, sizeof(group), version, sizeof(version)) < 0)
        return tmpl_fail(c->t, c->idx, "apiVersion", c->err,
                         "malformed 'apiVersion' '%s' (expected \"v1\" or \"group/version\")",
                         av->valuestring);
    if (kind->valuestring[0] == '\0')
        return tmpl_fail(c->t, c->idx, "kind", c->err, "empty 'kind'");
    b = builtin_find(group, NULL, kind->valuestring);
    if (b && !b->namespaced)
        return tmpl_fail(c->t, c->idx, "kind", c->err,
                         "'%s' is cluster-scoped; a template holds namespaced objects only (the "
                         "collector creates the namespaces itself)",
                         kind->valuestring);
    *class = doc_class(doc);
    if (*class == CLASS_VM && strcmp(version, "v1") != 0 && strcmp(version, "v1alpha3") != 0)
        return tmpl_fail(c->t, c->idx, "apiVersion", c->err,
                         "unsupported VirtualMachine version '%s' (expected kubevirt.io/v1 or "
                         "kubevirt.io/v1alpha3)",
                         av->valuestring);
    if (*class != CLASS_VM &&
        check_name(c, cJSON_GetObjectItemCaseSensitive(doc, "metadata"), "metadata", "name") < 0)
        return -1;
    if (*class == CLASS_DV)
        return check_dv_spec(c, doc, "");
    if (*class == CLASS_PVC)
        return check_member(c, doc, "", "spec", TYPE_MAP, 0, NULL);
    return 0;
}

/* No document is a VM: say what the documents are. */
static int check_no_vm(const struct tmpl *t, struct vs_error *err)
{
    char list[300] = "";
    size_t used = 0;
    int i = 0, n = cJSON_GetArraySize(t->docs);
    const cJSON *doc;

    cJSON_ArrayForEach(doc, t->docs)
    {
        struct yamlpos loc;
        int w;

        if (i == 3) {
            snprintf(list + used, sizeof(list) - used, "; ...");
            break;
        }
        tmpl_locate(t, (size_t)i, "", &loc);
        w = snprintf(list + used, sizeof(list) - used, "%sdocument %ld at line %ld: %s %s",
                     i ? "; " : "", loc.doc, loc.line, json_str(doc, "apiVersion"),
                     json_str(doc, "kind"));
        if (w < 0 || (size_t)w >= sizeof(list) - used)
            break;
        used += (size_t)w;
        i++;
    }
    return vs_error_set(err, t->name, 0, 0,
                        "no kubevirt.io VirtualMachine in the template's %d document%s (%s)", n,
                        n == 1 ? "" : "s", list);
}

static int check_template(struct tmpl *t, struct vs_error *err)
{
    struct tmpl_check c = {t, 0, err};
    const cJSON *doc;

    if (cJSON_GetArraySize(t->docs) == 0)
        return vs_error_set(err, t->name, 0, 0,
                            "no document in the template (the file is empty or holds only "
                            "comments); expected a kubevirt.io VirtualMachine");
    t->vm = -1;
    cJSON_ArrayForEach(doc, t->docs)
    {
        enum tmpl_class class = CLASS_OTHER;

        if (check_doc(&c, doc, &class) < 0)
            return -1;
        if (class == CLASS_VM && t->vm >= 0) {
            struct yamlpos first;

            tmpl_locate(t, (size_t)t->vm, "", &first);
            return tmpl_fail(t, c.idx, "kind", err,
                             "a second VirtualMachine (the first is document %ld at line %ld); a "
                             "template holds exactly one",
                             first.doc, first.line);
        }
        if (class == CLASS_VM)
            t->vm = (int)c.idx;
        c.idx++;
    }
    if (t->vm < 0)
        return check_no_vm(t, err);
    c.idx = (size_t)t->vm;
    return check_vm(&c, cJSON_GetArrayItem(t->docs, t->vm));
}

/* ---- loading ---------------------------------------------------------------------------- */

struct tmpl *tmpl_parse(const char *text, size_t len, const char *name, struct vs_error *err)
{
    struct tmpl *t = calloc(1, sizeof(*t));

    if (!name)
        name = "template";
    if (len > (size_t)TMPL_MAX_BYTES) {
        vs_error_setc(err, E2BIG, name, 0, 0, "template larger than %ld bytes", TMPL_MAX_BYTES);
        goto fail;
    }
    if (t) {
        t->name = strdup(name);
        t->text = malloc(len + 1);
    }
    if (!t || !t->name || !t->text) {
        vs_error_setc(err, ENOMEM, name, 0, 0, "out of memory");
        goto fail;
    }
    if (len > 0)
        memcpy(t->text, text, len);
    t->text[len] = '\0';
    t->len = len;
    if (yamljson_parse(t->text, len, t->name, &t->docs, &t->lines, err) < 0 ||
        check_template(t, err) < 0)
        goto fail;
    return t;
fail:
    tmpl_free(t);
    return NULL;
}

struct tmpl *tmpl_load(const char *path, struct vs_error *err)
{
    struct vbuf b = VBUF_INIT(TMPL_MAX_BYTES);
    struct tmpl *t = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        vs_error_setc(err, errno, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        char chunk[8192];
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            vs_error_setc(err, errno, path, 0, 0, "read error: %s", strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        if (vbuf_add(&b, chunk, (size_t)n) < 0) {
            if (errno == E2BIG)
                vs_error_setc(err, E2BIG, path, 0, 0, "template larger than %ld bytes",
                              TMPL_MAX_BYTES);
            else
                vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
            goto out;
        }
    }
    t = tmpl_parse(b.data, b.len, path, err);
out:
    close(fd);
    vbuf_release(&b);
    return t;
}

void tmpl_free(struct tmpl *t)
{
    if (!t)
        return;
    cJSON_Delete(t->docs);
    free(t->lines);
    free(t->text);
    free(t->name);
    free(t);
}

const char *tmpl_vm_name(const struct tmpl *t)
{
    const cJSON *meta =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(t->docs, t->vm), "metadata");
    const char *name = json_str(meta, "name");

    return name ? name : "";
}

/* ---- editing cJSON objects ------------------------------------------------------------
 * Each returns -1 only when memory runs out. */

/* Set obj[key] to item (taking it), replacing a member in place. */
static int json_put(cJSON *obj, const char *key, cJSON *item)
{
    int ok;

    if (!item || !obj) {
        cJSON_Delete(item);
        return -1;
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        ok = cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
    else
        ok = cJSON_AddItemToObject(obj, key, item);
    if (!ok)
        cJSON_Delete(item);
    return ok ? 0 : -1;
}

static int json_put_string(cJSON *obj, const char *key, const char *value)
{
    return json_put(obj, key, cJSON_CreateString(value));
}

/* obj[key] as a mapping, made (or put in the place of a null) when absent. NULL: no memory. */
static cJSON *json_mapping(cJSON *obj, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (cJSON_IsObject(v))
        return v;
    v = cJSON_CreateObject();
    return json_put(obj, key, v) < 0 ? NULL : v;
}

/* Set every label of labels in obj.metadata.labels. */
static int json_add_labels(cJSON *obj, const cJSON *labels)
{
    cJSON *dst = json_mapping(obj, "metadata");
    const cJSON *l;

    dst = dst ? json_mapping(dst, "labels") : NULL;
    if (!dst)
        return -1;
    cJSON_ArrayForEach(l, labels)
    {
        if (json_put_string(dst, l->string, l->valuestring) < 0)
            return -1;
    }
    return 0;
}

/* ---- instantiating ------------------------------------------------------------------------ */

static int inst_check_params(const struct tmpl_params *p, struct vs_error *err)
{
    const struct {
        const char *name, *value;
        int required;
    } params[] = {
        {"namespace", p->namespace, 1},         {"vm_name", p->vm_name, 1},
        {"run_label_key", p->run_label_key, 1}, {"run_label_value", p->run_label_value, 1},
        {"storage_class", p->storage_class, 0}, {"node_name", p->node_name, 0},
        {"run_strategy", p->run_strategy, 0},
    };

    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        if (params[i].required && !params[i].value)
            return vs_error_set(err, NULL, 0, 0, "missing parameter '%s'", params[i].name);
        if (params[i].value && params[i].value[0] == '\0')
            return vs_error_set(err, NULL, 0, 0, "empty parameter '%s'", params[i].name);
    }
    return 0;
}

/* The labels every object gets: the extra labels, then the run label. */
static cJSON *inst_labels(const struct tmpl_params *p, struct vs_error *err)
{
    cJSON *labels = cJSON_CreateObject();

    for (size_t i = 0; labels && p->extra_labels && p->extra_labels[i]; i++) {
        const char *kv = p->extra_labels[i], *eq = strchr(kv, '=');
        char key[320];

        if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
            vs_error_set(err, NULL, 0, 0, "label '%s' is not key=value", kv);
            goto fail;
        }
        snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
        if (strcmp(key, p->run_label_key) == 0) {
            vs_error_set(err, NULL, 0, 0, "label '%s' would replace the run label", kv);
            goto fail;
        }
        if (json_put_string(labels, key, eq + 1) < 0)
            goto nomem;
    }
    if (labels && json_put_string(labels, p->run_label_key, p->run_label_value) == 0)
        return labels;
nomem:
    tmpl_nomem(err);
fail:
    cJSON_Delete(labels);
    return NULL;
}

/* Namespace, labels, and no fields the server sets: what every object gets. */
static int inst_object(cJSON *obj, const struct tmpl_params *p, const cJSON *labels)
{
    static const char *const server_set[] = {
        "uid",           "resourceVersion", "creationTimestamp", "generation",
        "managedFields", "selfLink",        "ownerReferences",
    };
    cJSON *meta = json_mapping(obj, "metadata");

    if (!meta)
        return -1;
    for (size_t i = 0; i < sizeof(server_set) / sizeof(server_set[0]); i++)
        cJSON_DeleteItemFromObjectCaseSensitive(meta, server_set[i]);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
    if (json_put_string(meta, "namespace", p->namespace) < 0)
        return -1;
    return json_add_labels(obj, labels);
}

/* storageClassName of a data volume (a template or a document): see template.h. */
static int inst_dv_storage_class(cJSON *dv, const char *class)
{
    cJSON *spec = json_mapping(dv, "spec"), *storage, *pvc;

    if (!spec)
        return -1;
    storage = cJSON_GetObjectItemCaseSensitive(spec, "storage");
    pvc = cJSON_GetObjectItemCaseSensitive(spec, "pvc");
    if (cJSON_IsObject(storage) && json_put_string(storage, "storageClassName", class) < 0)
        return -1;
    if (cJSON_IsObject(pvc) && json_put_string(pvc, "storageClassName", class) < 0)
        return -1;
    if (!cJSON_IsObject(storage) && !cJSON_IsObject(pvc)) {
        storage = json_mapping(spec, "storage");
        if (!storage || json_put_string(storage, "storageClassName", class) < 0)
            return -1;
    }
    return 0;
}

static const char *dv_name(const cJSON *dv)
{
    return json_str(cJSON_GetObjectItemCaseSensitive(dv, "metadata"), "name");
}

/*
 * The name for data volume template dv of the VM (the rule is in template.h)
 * into out: 1 renamed, 0 kept, -1 with err when the new name is too long.
 */
static int inst_dv_rename(const struct tmpl *t, const cJSON *dv, const struct tmpl_params *p,
                          char *out, size_t n)
{
    const char *vm = tmpl_vm_name(t), *name = dv_name(dv);
    size_t len = strlen(vm);
    int w;

    if (len == 0 || strncmp(name, vm, len) != 0 ||
        (name[len] != '\0' && name[len] != '-' && name[len] != '.'))
        return 0;
    w = snprintf(out, n, "%s%s", p->vm_name, name + len);
    return w > TMPL_MAX_NAME || (size_t)w >= n ? -1 : 1;
}

/* Point a volume's reference *key of obj at a renamed data volume, if it names one. */
static int inst_fix_ref(const struct tmpl *t, cJSON *obj, const char *key, const cJSON *dvts,
                        const struct tmpl_params *p)
{
    const char *ref = json_str(obj, key);
    const cJSON *dv;

    cJSON_ArrayForEach(dv, dvts)
    {
        char name[TMPL_MAX_NAME + 1];

        if (ref && strcmp(ref, dv_name(dv)) == 0 &&
            inst_dv_rename(t, dv, p, name, sizeof(name)) == 1)
            return json_put_string(obj, key, name);
    }
    return 0;
}

/* Volumes that refer to data volume templates follow their renaming. */
static int inst_volumes(const struct tmpl *t, cJSON *tspec, const cJSON *dvts,
                        const struct tmpl_params *p)
{
    cJSON *vol;

    cJSON_ArrayForEach(vol, cJSON_GetObjectItemCaseSensitive(tspec, "volumes"))
    {
        cJSON *dv = cJSON_GetObjectItemCaseSensitive(vol, "dataVolume");
        cJSON *pvc = cJSON_GetObjectItemCaseSensitive(vol, "persistentVolumeClaim");

        if ((cJSON_IsObject(dv) && inst_fix_ref(t, dv, "name", dvts, p) < 0) ||
            (cJSON_IsObject(pvc) && inst_fix_ref(t, pvc, "claimName", dvts, p) < 0))
            return -1;
    }
    return 0;
}

/* Labels, names and storage class of the data volume templates (volumes already fixed). */
static int inst_dv_templates(const struct tmpl *t, cJSON *dvts, const struct tmpl_params *p,
                             const cJSON *labels)
{
    cJSON *dv;

    cJSON_ArrayForEach(dv, dvts)
    {
        char name[TMPL_MAX_NAME + 1];

        if (json_add_labels(dv, labels) < 0 ||
            (inst_dv_rename(t, dv, p, name, sizeof(name)) == 1 &&
             json_put_string(cJSON_GetObjectItemCaseSensitive(dv, "metadata"), "name", name) < 0) ||
            (p->storage_class && inst_dv_storage_class(dv, p->storage_class) < 0))
            return -1;
    }
    return 0;
}

/* Every renamed data volume name fits; else err at the first that does not. */
static int inst_check_dv_names(const struct tmpl *t, const cJSON *dvts, const struct tmpl_params *p,
                               struct vs_error *err)
{
    const cJSON *dv;
    int i = 0;

    cJSON_ArrayForEach(dv, dvts)
    {
        char name[TMPL_MAX_NAME + 1], path[100];

        snprintf(path, sizeof(path), "spec.dataVolumeTemplates[%d].metadata.name", i++);
        if (inst_dv_rename(t, dv, p, name, sizeof(name)) < 0)
            return tmpl_fail(t, (size_t)t->vm, path, err,
                             "data volume '%s' renamed for VM '%s' would be longer than %d "
                             "characters",
                             dv_name(dv), p->vm_name, TMPL_MAX_NAME);
    }
    return 0;
}

/* spec.runStrategy from p, or from the deprecated spec.running, which goes. */
static int inst_run_strategy(cJSON *spec, const struct tmpl_params *p)
{
    const cJSON *running = cJSON_GetObjectItemCaseSensitive(spec, "running");
    const char *strategy = p->run_strategy;

    if (!strategy && cJSON_IsBool(running))
        strategy = cJSON_IsTrue(running) ? "Always" : "Halted";
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "running");
    return strategy ? json_put_string(spec, "runStrategy", strategy) : 0;
}

/* The VM's own edits, after inst_object(). */
static int inst_vm(const struct tmpl *t, cJSON *vm, const struct tmpl_params *p,
                   const cJSON *labels)
{
    cJSON *spec = cJSON_GetObjectItemCaseSensitive(vm, "spec");
    cJSON *tpl = cJSON_GetObjectItemCaseSensitive(spec, "template");
    cJSON *dvts = cJSON_GetObjectItemCaseSensitive(spec, "dataVolumeTemplates");
    cJSON *tspec = json_mapping(tpl, "spec"), *selector;

    if (!tspec || json_put_string(vm, "apiVersion", "kubevirt.io/v1") < 0 ||
        json_put_string(cJSON_GetObjectItemCaseSensitive(vm, "metadata"), "name", p->vm_name) < 0 ||
        json_add_labels(tpl, labels) < 0 || inst_volumes(t, tspec, dvts, p) < 0 ||
        inst_dv_templates(t, dvts, p, labels) < 0 || inst_run_strategy(spec, p) < 0)
        return -1;
    if (!p->node_name)
        return 0;
    selector = json_mapping(tspec, "nodeSelector");
    return selector ? json_put_string(selector, "kubernetes.io/hostname", p->node_name) : -1;
}

/* Copy document idx and make it the object to create. NULL: no memory. */
static cJSON *inst_doc(const struct tmpl *t, int idx, const struct tmpl_params *p,
                       const cJSON *labels)
{
    cJSON *obj = cJSON_Duplicate(cJSON_GetArrayItem(t->docs, idx), 1);
    enum tmpl_class class = doc_class(obj);
    int rc;

    if (!obj || inst_object(obj, p, labels) < 0)
        rc = -1;
    else if (class == CLASS_VM)
        rc = inst_vm(t, obj, p, labels);
    else if (class == CLASS_DV && p->storage_class)
        rc = inst_dv_storage_class(obj, p->storage_class);
    else if (class == CLASS_PVC && p->storage_class)
        rc = json_put_string(json_mapping(obj, "spec"), "storageClassName", p->storage_class);
    else
        rc = 0;
    if (rc < 0) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

cJSON *tmpl_instantiate(const struct tmpl *t, const struct tmpl_params *p, struct vs_error *err)
{
    const cJSON *vm = cJSON_GetArrayItem(t->docs, t->vm);
    const cJSON *dvts = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(vm, "spec"), "dataVolumeTemplates");
    cJSON *labels = NULL, *out = NULL;
    int n = cJSON_GetArraySize(t->docs);

    if (inst_check_params(p, err) < 0 || inst_check_dv_names(t, dvts, p, err) < 0 ||
        !(labels = inst_labels(p, err)))
        return NULL;
    out = cJSON_CreateArray();
    for (int i = 0; out && i <= n; i++) {
        int idx = i < n ? i : t->vm; /* the VM last */
        cJSON *obj;

        if (i < n && i == t->vm)
            continue;
        obj = inst_doc(t, idx, p, labels);
        if (!obj || !cJSON_AddItemToArray(out, obj)) {
            cJSON_Delete(obj);
            cJSON_Delete(out);
            out = NULL;
        }
    }
    cJSON_Delete(labels);
    if (!out)
        tmpl_nomem(err);
    return out;
}

/* ---- resources ------------------------------------------------------------------------------ */

/* out holds NUL-terminated fields, a version and a plural. */
static int resource_valid(const struct tmpl_resource *r)
{
    return memchr(r->group, '\0', sizeof(r->group)) &&
           memchr(r->version, '\0', sizeof(r->version)) &&
           memchr(r->plural, '\0', sizeof(r->plural)) && r->version[0] && r->plural[0];
}

int tmpl_resource_of(const cJSON *obj, tmpl_discover_fn discover, void *ctx,
                     struct tmpl_resource *out, struct vs_error *err)
{
    const char *av = json_str(obj, "apiVersion"), *kind = json_str(obj, "kind");
    const struct tmpl_builtin *b;
    struct tmpl_resource r;

    memset(&r, 0, sizeof(r));
    if (!av || !kind)
        return vs_error_set(err, NULL, 0, 0, "object without a string 'apiVersion' and 'kind'");
    if (api_version_split(av, r.group, sizeof(r.group), r.version, sizeof(r.version)) < 0)
        return vs_error_set(err, NULL, 0, 0, "malformed apiVersion '%s' of kind '%s'", av, kind);
    b = builtin_find(r.group, r.version, kind);
    if (b) {
        snprintf(r.plural, sizeof(r.plural), "%s", b->plural);
        r.namespaced = b->namespaced;
    } else if (!discover) {
        return vs_error_set(err, NULL, 0, 0,
                            "unknown kind '%s' of apiVersion '%s' (not built in, and no "
                            "discovery)",
                            kind, av);
    } else {
        memset(&r, 0, sizeof(r));
        if (discover(ctx, av, kind, &r) != 0)
            return vs_error_set(err, NULL, 0, 0,
                                "unknown kind '%s' of apiVersion '%s' (not built in, and not "
                                "found by discovery)",
                                kind, av);
        if (!resource_valid(&r))
            return vs_error_set(err, NULL, 0, 0,
                                "discovery gave no usable resource for kind '%s' of apiVersion "
                                "'%s'",
                                kind, av);
    }
    *out = r;
    return 0;
}

int tmpl_collection_path(const struct tmpl_resource *r, const char *ns, char *out, size_t n)
{
    static const char ns_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-.";
    int w;

    if (n > 0)
        out[0] = '\0';
    if (r->namespaced && (!ns || !*ns || ns[strspn(ns, ns_chars)] != '\0'))
        return -1;
    w = snprintf(out, n, "%s%s/%s%s%s/%s", r->group[0] ? "/apis/" : "/api", r->group, r->version,
                 r->namespaced ? "/namespaces/" : "", r->namespaced ? ns : "", r->plural);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}
