#include "unit.h"

#include <errno.h>

#include "template.h"

/* ---- helpers ------------------------------------------------------------------ */

/* Follow a path like "spec/template/0/name": object keys, array indices. */
static cJSON *at(const cJSON *v, const char *path)
{
    char buf[256], *save = NULL, *seg;

    snprintf(buf, sizeof(buf), "%s", path);
    for (seg = strtok_r(buf, "/", &save); seg && v; seg = strtok_r(NULL, "/", &save))
        v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(seg))
                             : cJSON_GetObjectItemCaseSensitive(v, seg);
    return (cJSON *)v;
}

static const char *str_at(const cJSON *v, const char *path)
{
    const cJSON *item = at(v, path);

    if (!cJSON_IsString(item))
        fail_msg("no string at '%s'", path);
    return item->valuestring;
}

/* The value of label key in the mapping at path (label keys hold '/'). */
static const char *label_at(const cJSON *v, const char *path, const char *key)
{
    const cJSON *labels = at(v, path);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(labels, key);

    if (!cJSON_IsString(item))
        fail_msg("no label '%s' in '%s'", key, path);
    return item->valuestring;
}

static struct tmpl *parse_ok(const char *yaml)
{
    struct vs_error err;
    char msg[1024];
    struct tmpl *t = tmpl_parse(yaml, strlen(yaml), "t.yaml", &err);

    if (!t)
        fail_msg("unexpected error: %s", vs_error_format(&err, msg, sizeof(msg)));
    return t;
}

static struct tmpl *load_ok(const char *path)
{
    struct vs_error err;
    char msg[1024];
    struct tmpl *t = tmpl_load(path, &err);

    if (!t)
        fail_msg("unexpected error: %s", vs_error_format(&err, msg, sizeof(msg)));
    return t;
}

/* tmpl_parse() fails with exactly this message. */
static void assert_parse_error(const char *yaml, const char *want)
{
    struct vs_error err;
    char msg[1024];
    struct tmpl *t = tmpl_parse(yaml, strlen(yaml), "t.yaml", &err);

    if (t) {
        tmpl_free(t);
        fail_msg("parsed, but expected: %s", want);
    }
    assert_string_equal(vs_error_format(&err, msg, sizeof(msg)), want);
}

static const char *const extra_labels[] = {"team=perf", "tier=gold", NULL};

static struct tmpl_params params(void)
{
    struct tmpl_params p = {
        .namespace = "vmstorm-3",
        .vm_name = "vm-0003",
        .run_label_key = "vmstorm.io/run",
        .run_label_value = "r1",
        .extra_labels = extra_labels,
    };

    return p;
}

static cJSON *instantiate_ok(const struct tmpl *t, const struct tmpl_params *p)
{
    struct vs_error err;
    char msg[1024];
    cJSON *objs = tmpl_instantiate(t, p, &err);

    if (!objs)
        fail_msg("unexpected error: %s", vs_error_format(&err, msg, sizeof(msg)));
    assert_true(cJSON_IsArray(objs));
    return objs;
}

/* The run label and the extra labels are in the mapping at path. */
static void assert_run_labels(const cJSON *v, const char *path)
{
    assert_string_equal(label_at(v, path, "vmstorm.io/run"), "r1");
    assert_string_equal(label_at(v, path, "team"), "perf");
    assert_string_equal(label_at(v, path, "tier"), "gold");
}

/* Every object has namespace and labels; the VM (last) has them in all its places. */
static void assert_labelled(const cJSON *objs)
{
    int n = cJSON_GetArraySize(objs);
    const cJSON *vm = cJSON_GetArrayItem(objs, n - 1), *obj, *dv;

    assert_true(n > 0);
    cJSON_ArrayForEach(obj, objs)
    {
        assert_string_equal(str_at(obj, "metadata/namespace"), "vmstorm-3");
        assert_run_labels(obj, "metadata/labels");
    }
    assert_string_equal(str_at(vm, "kind"), "VirtualMachine");
    assert_string_equal(str_at(vm, "metadata/name"), "vm-0003");
    assert_run_labels(vm, "spec/template/metadata/labels");
    cJSON_ArrayForEach(dv, at(vm, "spec/dataVolumeTemplates"))
    {
        assert_run_labels(dv, "metadata/labels");
    }
}

/* A VM that the error tests build on: 9 lines. */
#define VM_DOC                                                                                     \
    "apiVersion: kubevirt.io/v1\n"                                                                 \
    "kind: VirtualMachine\n"                                                                       \
    "metadata:\n"                                                                                  \
    "  name: vm\n"                                                                                 \
    "spec:\n"                                                                                      \
    "  runStrategy: Always\n"                                                                      \
    "  template:\n"                                                                                \
    "    spec:\n"                                                                                  \
    "      domain: {}\n"

/* A Secret: 4 lines. */
#define SECRET_DOC                                                                                 \
    "apiVersion: v1\n"                                                                             \
    "kind: Secret\n"                                                                               \
    "metadata:\n"                                                                                  \
    "  name: s\n"

/* ---- the samples ------------------------------------------------------------------ */

static void test_sample_containerdisk(void **state)
{
    struct tmpl *t = load_ok("samples/templates/vm-containerdisk.yaml");
    struct tmpl_params p = params();
    cJSON *objs = instantiate_ok(t, &p), *vm = cJSON_GetArrayItem(objs, 0);

    (void)state;
    assert_string_equal(tmpl_vm_name(t), "vm-cirros");
    assert_int_equal(cJSON_GetArraySize(objs), 1);
    assert_labelled(objs);
    assert_string_equal(label_at(vm, "metadata/labels", "app"), "vmstorm-sample");
    assert_string_equal(label_at(vm, "spec/template/metadata/labels", "kubevirt.io/vm"),
                        "vm-cirros");
    assert_string_equal(str_at(vm, "spec/runStrategy"), "Always");
    assert_null(at(vm, "spec/running"));
    assert_null(at(vm, "spec/template/spec/nodeSelector"));
    assert_string_equal(str_at(vm, "spec/template/spec/volumes/0/containerDisk/image"),
                        "quay.io/kubevirt/cirros-container-disk-demo:latest");
    cJSON_Delete(objs);
    tmpl_free(t);
}

static void test_sample_datasource(void **state)
{
    struct tmpl *t = load_ok("samples/templates/vm-datasource.yaml");
    struct tmpl_params p = params();
    cJSON *objs, *vm;

    (void)state;
    p.storage_class = "ocs-storagecluster-ceph-rbd";
    objs = instantiate_ok(t, &p);
    vm = cJSON_GetArrayItem(objs, 0);
    assert_int_equal(cJSON_GetArraySize(objs), 1);
    assert_labelled(objs);
    assert_string_equal(str_at(vm, "spec/dataVolumeTemplates/0/metadata/name"), "vm-0003-rootdisk");
    assert_string_equal(str_at(vm, "spec/template/spec/volumes/0/dataVolume/name"),
                        "vm-0003-rootdisk");
    assert_string_equal(str_at(vm, "spec/dataVolumeTemplates/0/spec/storage/storageClassName"),
                        "ocs-storagecluster-ceph-rbd");
    assert_string_equal(
        str_at(vm, "spec/dataVolumeTemplates/0/spec/storage/resources/requests/storage"), "30Gi");
    assert_null(at(vm, "spec/dataVolumeTemplates/0/spec/pvc"));
    assert_string_equal(str_at(vm, "spec/dataVolumeTemplates/0/spec/sourceRef/namespace"),
                        "openshift-virtualization-os-images");
    cJSON_Delete(objs);
    tmpl_free(t);
}

static void test_sample_with_secret(void **state)
{
    struct tmpl *t = load_ok("samples/templates/vm-with-secret.yaml");
    struct tmpl_params p = params();
    cJSON *objs = instantiate_ok(t, &p), *secret, *vm;

    (void)state;
    assert_int_equal(cJSON_GetArraySize(objs), 2);
    secret = cJSON_GetArrayItem(objs, 0);
    vm = cJSON_GetArrayItem(objs, 1);
    assert_labelled(objs);
    assert_string_equal(str_at(secret, "kind"), "Secret");
    assert_string_equal(str_at(secret, "metadata/name"), "storm-cloudinit");
    assert_non_null(strstr(str_at(secret, "stringData/userdata"), "#cloud-config\n"));
    assert_string_equal(str_at(vm, "spec/template/spec/volumes/1/cloudInitNoCloud/secretRef/name"),
                        "storm-cloudinit");
    /* the sample uses the deprecated spec.running: true */
    assert_null(at(vm, "spec/running"));
    assert_string_equal(str_at(vm, "spec/runStrategy"), "Always");
    cJSON_Delete(objs);
    tmpl_free(t);
}

/* ---- instantiating --------------------------------------------------------------------- */

static void test_labels_everywhere(void **state)
{
    const char *yaml = "apiVersion: v1\n"
                       "kind: ConfigMap\n"
                       "metadata:\n"
                       "  name: cm\n"
                       "  labels:\n" /* null: made a mapping */
                       "---\n" SECRET_DOC "  labels:\n"
                       "    vmstorm.io/run: stale\n" /* replaced */
                       "    keep: me\n"
                       "---\n"
                       "apiVersion: kubevirt.io/v1\n"
                       "kind: VirtualMachine\n"
                       "metadata: {name: vm}\n" /* no labels: added */
                       "spec:\n"
                       "  template: {spec: {}}\n" /* no template metadata: added */
                       "  dataVolumeTemplates:\n"
                       "    - metadata: {name: a}\n"
                       "    - metadata: {name: b, labels: {x: kept}}\n";
    struct tmpl *t = parse_ok(yaml);
    struct tmpl_params p = params();
    cJSON *objs = instantiate_ok(t, &p), *vm;

    (void)state;
    assert_int_equal(cJSON_GetArraySize(objs), 3);
    assert_string_equal(str_at(cJSON_GetArrayItem(objs, 0), "kind"), "ConfigMap");
    assert_string_equal(str_at(cJSON_GetArrayItem(objs, 1), "kind"), "Secret");
    assert_labelled(objs);
    assert_string_equal(label_at(cJSON_GetArrayItem(objs, 1), "metadata/labels", "keep"), "me");
    vm = cJSON_GetArrayItem(objs, 2);
    assert_int_equal(cJSON_GetArraySize(at(vm, "spec/dataVolumeTemplates")), 2);
    assert_string_equal(label_at(vm, "spec/dataVolumeTemplates/1/metadata/labels", "x"), "kept");
    assert_null(at(vm, "spec/runStrategy")); /* neither in the template nor asked for */
    cJSON_Delete(objs);
    tmpl_free(t);
}

/* Without extra labels, only the run label is added. */
static void test_labels_no_extra(void **state)
{
    struct tmpl *t = parse_ok(VM_DOC);
    struct tmpl_params p = params();
    cJSON *objs, *labels;

    (void)state;
    p.extra_labels = NULL;
    objs = instantiate_ok(t, &p);
    labels = at(cJSON_GetArrayItem(objs, 0), "spec/template/metadata/labels");
    assert_int_equal(cJSON_GetArraySize(labels), 1);
    assert_string_equal(label_at(labels, "", "vmstorm.io/run"), "r1");
    cJSON_Delete(objs);
    tmpl_free(t);
}

static void test_namespace_and_server_fields(void **state)
{
    const char *yaml = "apiVersion: kubevirt.io/v1\n"
                       "kind: VirtualMachine\n"
                       "metadata:\n"
                       "  name: vm\n"
                       "  namespace: default\n"
                       "  uid: 0b5f6c1e\n"
                       "  resourceVersion: \"12345\"\n"
                       "  creationTimestamp: \"2024-05-01T10:00:00Z\"\n"
                       "  generation: 2\n"
                       "  managedFields: [{manager: kubectl}]\n"
                       "  ownerReferences: [{kind: VirtualMachinePool, name: p, uid: u}]\n"
                       "  annotations: {a: b}\n"
                       "spec:\n"
                       "  runStrategy: Always\n"
                       "  template: {spec: {}}\n"
                       "status:\n"
                       "  printableStatus: Running\n";
    struct tmpl *t = parse_ok(yaml);
    struct tmpl_params p = params();
    cJSON *objs = instantiate_ok(t, &p), *meta = at(objs, "0/metadata");

    (void)state;
    assert_string_equal(str_at(meta, "namespace"), "vmstorm-3");
    assert_string_equal(str_at(meta, "annotations/a"), "b");
    assert_null(at(meta, "uid"));
    assert_null(at(meta, "resourceVersion"));
    assert_null(at(meta, "creationTimestamp"));
    assert_null(at(meta, "generation"));
    assert_null(at(meta, "managedFields"));
    assert_null(at(meta, "ownerReferences"));
    assert_null(at(objs, "0/status"));
    cJSON_Delete(objs);
    tmpl_free(t);
}

/* A storage class goes where the data volume asks for storage. */
static void test_storage_class(void **state)
{
    const char *yaml = "apiVersion: kubevirt.io/v1\n"
                       "kind: VirtualMachine\n"
                       "metadata: {name: vm}\n"
                       "spec:\n"
                       "  running: false\n"
                       "  template: {spec: {}}\n"
                       "  dataVolumeTemplates:\n"
                       "    - metadata: {name: by-storage}\n"
                       "      spec: {storage: {storageClassName: old}}\n"
                       "    - metadata: {name: by-pvc}\n"
                       "      spec: {pvc: {accessModes: [ReadWriteOnce]}}\n"
                       "    - metadata: {name: neither}\n"
                       "      spec: {source: {blank: {}}}\n"
                       "    - metadata: {name: no-spec}\n"
                       "---\n"
                       "apiVersion: cdi.kubevirt.io/v1beta1\n"
                       "kind: DataVolume\n"
                       "metadata: {name: dv}\n"
                       "spec: {pvc: {storageClassName: old}}\n"
                       "---\n"
                       "apiVersion: v1\n"
                       "kind: PersistentVolumeClaim\n"
                       "metadata: {name: pvc}\n"
                       "spec: {accessModes: [ReadWriteOnce]}\n";
    struct tmpl *t = parse_ok(yaml);
    struct tmpl_params p = params();
    cJSON *objs, *dvts;

    (void)state;
    /* without a storage class, nothing changes */
    objs = instantiate_ok(t, &p);
    dvts = at(objs, "2/spec/dataVolumeTemplates");
    assert_string_equal(str_at(dvts, "0/spec/storage/storageClassName"), "old");
    assert_null(at(dvts, "1/spec/pvc/storageClassName"));
    assert_null(at(dvts, "2/spec/storage"));
    assert_null(at(dvts, "3/spec"));
    assert_string_equal(str_at(objs, "0/spec/pvc/storageClassName"), "old");
    assert_null(at(objs, "1/spec/storageClassName"));
    cJSON_Delete(objs);

    p.storage_class = "fast";
    objs = instantiate_ok(t, &p);
    dvts = at(objs, "2/spec/dataVolumeTemplates");
    assert_string_equal(str_at(dvts, "0/spec/storage/storageClassName"), "fast");
    assert_null(at(dvts, "0/spec/pvc"));
    assert_string_equal(str_at(dvts, "1/spec/pvc/storageClassName"), "fast");
    assert_string_equal(str_at(dvts, "1/spec/pvc/accessModes/0"), "ReadWriteOnce");
    assert_null(at(dvts, "1/spec/storage"));
    assert_string_equal(str_at(dvts, "2/spec/storage/storageClassName"), "fast");
    assert_non_null(at(dvts, "2/spec/source/blank"));
    assert_string_equal(str_at(dvts, "3/spec/storage/storageClassName"), "fast");
    assert_string_equal(str_at(objs, "0/kind"), "DataVolume");
    assert_string_equal(str_at(objs, "0/spec/pvc/storageClassName"), "fast");
    assert_string_equal(str_at(objs, "1/kind"), "PersistentVolumeClaim");
    assert_string_equal(str_at(objs, "1/spec/storageClassName"), "fast");
    cJSON_Delete(objs);
    tmpl_free(t);
}

static void test_node_pin(void **state)
{
    const char *yaml = "apiVersion: kubevirt.io/v1\n"
                       "kind: VirtualMachine\n"
                       "metadata: {name: vm}\n"
                       "spec:\n"
                       "  runStrategy: Always\n"
                       "  template:\n"
                       "    spec:\n"
                       "      nodeSelector: {disk: ssd, kubernetes.io/hostname: old}\n";
    struct tmpl *t = parse_ok(yaml), *bare = parse_ok(VM_DOC);
    struct tmpl_params p = params();
    cJSON *objs;

    (void)state;
    objs = instantiate_ok(t, &p);
    assert_string_equal(
        label_at(objs, "0/spec/template/spec/nodeSelector", "kubernetes.io/hostname"), "old");
    cJSON_Delete(objs);

    p.node_name = "worker-7";
    objs = instantiate_ok(t, &p);
    assert_string_equal(
        label_at(objs, "0/spec/template/spec/nodeSelector", "kubernetes.io/hostname"), "worker-7");
    assert_string_equal(str_at(objs, "0/spec/template/spec/nodeSelector/disk"), "ssd");
    cJSON_Delete(objs);

    objs = instantiate_ok(bare, &p); /* no nodeSelector in the template */
    assert_string_equal(
        label_at(objs, "0/spec/template/spec/nodeSelector", "kubernetes.io/hostname"), "worker-7");
    assert_int_equal(cJSON_GetArraySize(at(objs, "0/spec/template/spec/nodeSelector")), 1);
    cJSON_Delete(objs);
    tmpl_free(bare);
    tmpl_free(t);
}

/* The VM made from a template whose spec has `extra` (one line) after the template. */
static cJSON *vm_with_spec(const char *extra, const char *run_strategy)
{
    char yaml[512];
    struct tmpl *t;
    struct tmpl_params p = params();
    cJSON *objs, *vm;

    snprintf(yaml, sizeof(yaml),
             "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: vm}\n"
             "spec:\n  template: {spec: {}}\n%s",
             extra);
    t = parse_ok(yaml);
    p.run_strategy = run_strategy;
    objs = instantiate_ok(t, &p);
    vm = cJSON_DetachItemFromArray(objs, 0);
    cJSON_Delete(objs);
    tmpl_free(t);
    return vm;
}

static void test_run_strategy(void **state)
{
    static const struct {
        const char *extra, *override, *want;
    } cases[] = {
        {"  runStrategy: Manual\n", NULL, "Manual"},
        {"  runStrategy: Manual\n", "Always", "Always"},
        {"  running: true\n", NULL, "Always"},
        {"  running: false\n", NULL, "Halted"},
        {"  running: true\n", "Halted", "Halted"},
        {"  running: false\n", "RerunOnFailure", "RerunOnFailure"},
        {"  running: null\n", "Always", "Always"},
        {"", "Once", "Once"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *vm = vm_with_spec(cases[i].extra, cases[i].override);

        assert_string_equal(str_at(vm, "spec/runStrategy"), cases[i].want);
        assert_null(at(vm, "spec/running"));
        cJSON_Delete(vm);
    }
    {
        cJSON *vm = vm_with_spec("  running: null\n", NULL);

        assert_null(at(vm, "spec/runStrategy"));
        assert_null(at(vm, "spec/running"));
        cJSON_Delete(vm);
    }
}

static const char dv_yaml[] = "apiVersion: kubevirt.io/v1alpha3\n"
                              "kind: VirtualMachine\n"
                              "metadata: {name: db}\n"
                              "spec:\n"
                              "  runStrategy: Halted\n"
                              "  dataVolumeTemplates:\n"
                              "    - metadata: {name: db-root}\n"
                              "    - metadata: {name: db}\n"
                              "    - metadata: {name: scratch}\n"
                              "    - metadata: {name: data-db}\n"
                              "    - metadata: {name: dbx-log}\n"
                              "    - metadata: {name: db.cache}\n"
                              "  template:\n"
                              "    spec:\n"
                              "      volumes:\n"
                              "        - {name: root, dataVolume: {name: db-root}}\n"
                              "        - {name: data, persistentVolumeClaim: {claimName: db}}\n"
                              "        - {name: scratch, dataVolume: {name: scratch}}\n"
                              "        - {name: other, dataVolume: {name: db-elsewhere}}\n"
                              "        - {name: log, dataVolume: {name: dbx-log}}\n"
                              "        - {name: cm, configMap: {name: db-root}}\n"
                              "        - {name: cache, dataVolume: {name: db.cache}}\n";

static void test_dv_rename(void **state)
{
    struct tmpl *t = parse_ok(dv_yaml);
    struct tmpl_params p = params();
    cJSON *objs = instantiate_ok(t, &p), *vm = cJSON_GetArrayItem(objs, 0);
    cJSON *dvts = at(vm, "spec/dataVolumeTemplates"), *vols = at(vm, "spec/template/spec/volumes");

    (void)state;
    assert_string_equal(tmpl_vm_name(t), "db");
    assert_string_equal(str_at(vm, "apiVersion"), "kubevirt.io/v1");
    assert_string_equal(str_at(dvts, "0/metadata/name"), "vm-0003-root");
    assert_string_equal(str_at(dvts, "1/metadata/name"), "vm-0003");
    assert_string_equal(str_at(dvts, "2/metadata/name"), "scratch");
    assert_string_equal(str_at(dvts, "3/metadata/name"), "data-db"); /* not a prefix */
    assert_string_equal(str_at(dvts, "4/metadata/name"), "dbx-log"); /* no '-' or '.' after */
    assert_string_equal(str_at(vols, "0/dataVolume/name"), "vm-0003-root");
    assert_string_equal(str_at(vols, "1/persistentVolumeClaim/claimName"), "vm-0003");
    assert_string_equal(str_at(vols, "2/dataVolume/name"), "scratch");
    /* not a data volume template: kept even though it starts with the VM's name */
    assert_string_equal(str_at(vols, "3/dataVolume/name"), "db-elsewhere");
    assert_string_equal(str_at(vols, "4/dataVolume/name"), "dbx-log");
    assert_string_equal(str_at(vols, "5/configMap/name"), "db-root");
    assert_string_equal(str_at(dvts, "5/metadata/name"), "vm-0003.cache");
    assert_string_equal(str_at(vols, "6/dataVolume/name"), "vm-0003.cache");
    cJSON_Delete(objs);

    /* the template is not changed by instantiating: another VM gets its own names */
    p.vm_name = "vm-0004";
    objs = instantiate_ok(t, &p);
    assert_string_equal(str_at(objs, "0/spec/dataVolumeTemplates/0/metadata/name"), "vm-0004-root");
    assert_string_equal(str_at(objs, "0/spec/template/spec/volumes/0/dataVolume/name"),
                        "vm-0004-root");
    cJSON_Delete(objs);
    tmpl_free(t);
}

/* One DV's new name is another's old one: each volume follows its own DV. */
static void test_dv_rename_no_chain(void **state)
{
    const char *yaml = "apiVersion: kubevirt.io/v1\n"
                       "kind: VirtualMachine\n"
                       "metadata: {name: vm}\n"
                       "spec:\n"
                       "  dataVolumeTemplates:\n"
                       "    - metadata: {name: vm-a}\n"
                       "    - metadata: {name: vm-x-a}\n"
                       "  template:\n"
                       "    spec:\n"
                       "      volumes:\n"
                       "        - {name: one, dataVolume: {name: vm-a}}\n"
                       "        - {name: two, dataVolume: {name: vm-x-a}}\n";
    struct tmpl *t = parse_ok(yaml);
    struct tmpl_params p = params();
    cJSON *objs;

    (void)state;
    p.vm_name = "vm-x";
    objs = instantiate_ok(t, &p);
    assert_string_equal(str_at(objs, "0/spec/dataVolumeTemplates/0/metadata/name"), "vm-x-a");
    assert_string_equal(str_at(objs, "0/spec/dataVolumeTemplates/1/metadata/name"), "vm-x-x-a");
    assert_string_equal(str_at(objs, "0/spec/template/spec/volumes/0/dataVolume/name"), "vm-x-a");
    assert_string_equal(str_at(objs, "0/spec/template/spec/volumes/1/dataVolume/name"), "vm-x-x-a");
    cJSON_Delete(objs);
    tmpl_free(t);
}

/* A VM without a name in the template: its DVs keep their names. */
static void test_dv_rename_unnamed_vm(void **state)
{
    const char *yaml = "apiVersion: kubevirt.io/v1\n"
                       "kind: VirtualMachine\n"
                       "metadata: {labels: {a: b}}\n"
                       "spec:\n"
                       "  dataVolumeTemplates: [{metadata: {name: root}}]\n"
                       "  template: {spec: {volumes: [{name: r, dataVolume: {name: root}}]}}\n";
    struct tmpl *t = parse_ok(yaml);
    struct tmpl_params p = params();
    cJSON *objs = instantiate_ok(t, &p);

    (void)state;
    assert_string_equal(tmpl_vm_name(t), "");
    assert_string_equal(str_at(objs, "0/metadata/name"), "vm-0003");
    assert_string_equal(str_at(objs, "0/spec/dataVolumeTemplates/0/metadata/name"), "root");
    assert_string_equal(str_at(objs, "0/spec/template/spec/volumes/0/dataVolume/name"), "root");
    cJSON_Delete(objs);
    tmpl_free(t);
}

static void test_dv_rename_too_long(void **state)
{
    static const char want[] =
        "t.yaml:7:24: document 1: data volume 'db-root' renamed for VM 'vvvv";
    struct tmpl *t = parse_ok(dv_yaml);
    struct tmpl_params p = params();
    char name[260], msg[1024];
    struct vs_error err;

    (void)state;
    memset(name, 'v', 250);
    name[250] = '\0';
    p.vm_name = name; /* 250 + "-root" > 253 */
    assert_null(tmpl_instantiate(t, &p, &err));
    vs_error_format(&err, msg, sizeof(msg));
    assert_int_equal(strncmp(msg, want, strlen(want)), 0);
    assert_non_null(strstr(msg, "' would be longer than 253 characters"));

    name[247] = '\0'; /* 247 + ".cache" = 253: fits */
    {
        cJSON *objs = instantiate_ok(t, &p);

        assert_int_equal(strlen(str_at(objs, "0/spec/dataVolumeTemplates/5/metadata/name")), 253);
        cJSON_Delete(objs);
    }
    tmpl_free(t);
}

static void assert_instantiate_error(const struct tmpl *t, const struct tmpl_params *p,
                                     const char *want)
{
    struct vs_error err;
    char msg[1024];
    cJSON *objs = tmpl_instantiate(t, p, &err);

    if (objs) {
        cJSON_Delete(objs);
        fail_msg("instantiated, but expected: %s", want);
    }
    assert_string_equal(vs_error_format(&err, msg, sizeof(msg)), want);
}

static void test_instantiate_param_errors(void **state)
{
    struct tmpl *t = parse_ok(VM_DOC);
    struct tmpl_params p = params();
    const char *const no_value[] = {"team=perf", "novalue", NULL};
    const char *const no_key[] = {"=x", NULL};
    const char *const run_key[] = {"vmstorm.io/run=mine", NULL};

    (void)state;
    p.namespace = NULL;
    assert_instantiate_error(t, &p, "missing parameter 'namespace'");
    p = params();
    p.vm_name = "";
    assert_instantiate_error(t, &p, "empty parameter 'vm_name'");
    p = params();
    p.run_strategy = "";
    assert_instantiate_error(t, &p, "empty parameter 'run_strategy'");
    p = params();
    p.extra_labels = no_value;
    assert_instantiate_error(t, &p, "label 'novalue' is not key=value");
    p.extra_labels = no_key;
    assert_instantiate_error(t, &p, "label '=x' is not key=value");
    p.extra_labels = run_key;
    assert_instantiate_error(t, &p, "label 'vmstorm.io/run=mine' would replace the run label");
    tmpl_free(t);
}

/* ---- errors found when parsing ----------------------------------------------------------- */

static void test_error_not_mapping(void **state)
{
    (void)state;
    assert_parse_error(VM_DOC "---\n- a\n- b\n",
                       "t.yaml:11:1: document 2: expected a mapping (a Kubernetes object), found "
                       "a sequence");
    assert_parse_error("just a string\n", "t.yaml:1:1: document 1: expected a mapping (a "
                                          "Kubernetes object), found a string");
}

/* Empty documents are skipped but counted, as in yamljson's messages. */
static void test_error_counts_empty_documents(void **state)
{
    (void)state;
    assert_parse_error("---\n# nothing here\n---\n- x\n",
                       "t.yaml:4:1: document 2: expected a mapping (a Kubernetes object), found a "
                       "sequence");
}

static void test_error_missing_kind(void **state)
{
    (void)state;
    assert_parse_error(VM_DOC "---\napiVersion: v1\nmetadata:\n  name: s\n",
                       "t.yaml:11:1: document 2: missing 'kind'");
    assert_parse_error(VM_DOC "---\napiVersion: v1\nkind: ''\nmetadata:\n  name: s\n",
                       "t.yaml:12:7: document 2: empty 'kind'");
    assert_parse_error(VM_DOC "---\napiVersion: v1\nkind: [Secret]\nmetadata:\n  name: s\n",
                       "t.yaml:12:7: document 2: expected a string for 'kind', found a sequence");
}

static void test_error_two_vms(void **state)
{
    (void)state;
    assert_parse_error(SECRET_DOC "---\n" VM_DOC "---\n" VM_DOC,
                       "t.yaml:17:7: document 3: a second VirtualMachine (the first is document 2 "
                       "at line 6); a template holds exactly one");
}

static void test_error_no_vm(void **state)
{
    (void)state;
    assert_parse_error(SECRET_DOC "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
                       "t.yaml: no kubevirt.io VirtualMachine in the template's 2 documents "
                       "(document 1 at line 1: v1 Secret; document 2 at line 6: v1 ConfigMap)");
    /* a VirtualMachine of another group is no KubeVirt VM */
    assert_parse_error("apiVersion: example.com/v1\nkind: VirtualMachine\nmetadata: {name: x}\n",
                       "t.yaml: no kubevirt.io VirtualMachine in the template's 1 document "
                       "(document 1 at line 1: example.com/v1 VirtualMachine)");
}

static void test_error_cluster_scoped(void **state)
{
    (void)state;
    assert_parse_error(VM_DOC "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n",
                       "t.yaml:12:7: document 2: 'Namespace' is cluster-scoped; a template holds "
                       "namespaced objects only (the collector creates the namespaces itself)");
    assert_parse_error("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                       "metadata: {name: x}\n---\n" VM_DOC,
                       "t.yaml:2:7: document 1: 'ClusterRole' is cluster-scoped; a template "
                       "holds namespaced objects only (the collector creates the namespaces "
                       "itself)");
}

static void test_error_yaml_syntax(void **state)
{
    struct vs_error err;
    const char *yaml = VM_DOC "---\nkind: [a\n";
    char msg[1024];

    (void)state;
    assert_null(tmpl_parse(yaml, strlen(yaml), "t.yaml", &err));
    vs_error_format(&err, msg, sizeof(msg));
    assert_string_equal(err.where, "t.yaml");
    assert_true(err.line >= 11);
    assert_non_null(strstr(msg, ": document 2: "));
}

static void test_error_empty(void **state)
{
    static const char want[] = "t.yaml: no document in the template (the file is empty or holds "
                               "only comments); expected a kubevirt.io VirtualMachine";
    struct vs_error err;
    char *path = unit_tmpfile("", 0);
    char msg[1024];

    (void)state;
    assert_parse_error("", want);
    assert_parse_error("# only a comment\n---\n", want);
    assert_null(tmpl_load(path, &err));
    assert_string_equal(err.where, path);
    assert_non_null(strstr(vs_error_format(&err, msg, sizeof(msg)), ": no document in the"));
    unlink(path);
    free(path);
}

static void test_error_load(void **state)
{
    struct vs_error err;
    char *path = unit_tmppath();

    (void)state;
    assert_null(tmpl_load(path, &err));
    assert_int_equal(err.code, ENOENT);
    assert_string_equal(err.where, path);
    assert_int_equal(strncmp(err.msg, "cannot open: ", 13), 0);
    free(path);
}

/* Other checks, each pointing at the offending node. */
static void test_error_fields(void **state)
{
    (void)state;
    assert_parse_error("apiVersion: v1\nkind: Secret\nmetadata:\n  labels: {}\n---\n" VM_DOC,
                       "t.yaml:3:1: document 1: missing 'metadata.name'");
    assert_parse_error("apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"\"\n---\n" VM_DOC,
                       "t.yaml:4:9: document 1: empty 'metadata.name'");
    assert_parse_error(SECRET_DOC "  labels:\n    - a\n---\n" VM_DOC,
                       "t.yaml:6:5: document 1: expected a mapping for 'metadata.labels', found "
                       "a sequence");
    assert_parse_error("apiVersion: v1\nkind: Secret\n---\n" VM_DOC,
                       "t.yaml:1:1: document 1: missing 'metadata'");
    assert_parse_error("apiVersion: a/b/c\nkind: Secret\nmetadata: {name: s}\n---\n" VM_DOC,
                       "t.yaml:1:13: document 1: malformed 'apiVersion' 'a/b/c' (expected \"v1\" "
                       "or \"group/version\")");
    assert_parse_error("apiVersion: kubevirt.io/v2\nkind: VirtualMachine\nmetadata: {}\n",
                       "t.yaml:1:13: document 1: unsupported VirtualMachine version "
                       "'kubevirt.io/v2' (expected kubevirt.io/v1 or kubevirt.io/v1alpha3)");
    assert_parse_error("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {}\n"
                       "spec:\n  runStrategy: Always\n",
                       "t.yaml:4:1: document 1: missing 'spec.template'");
    assert_parse_error("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {}\n"
                       "spec:\n  running: true\n  runStrategy: Always\n  template: {}\n",
                       "t.yaml:5:12: document 1: both 'spec.running' and 'spec.runStrategy' are "
                       "set; KubeVirt accepts only one");
    assert_parse_error("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {}\n"
                       "spec:\n  running: \"yes\"\n  template: {}\n",
                       "t.yaml:5:12: document 1: expected a boolean for 'spec.running', found a "
                       "string");
    assert_parse_error("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {}\n"
                       "spec:\n  template: {}\n  dataVolumeTemplates:\n"
                       "    - metadata: {name: a}\n    - metadata: {labels: {}}\n",
                       "t.yaml:8:7: document 1: missing 'spec.dataVolumeTemplates[1].metadata."
                       "name'");
    assert_parse_error("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {}\n"
                       "spec:\n  template:\n    spec:\n      volumes:\n        - name: a\n"
                       "          dataVolume: {name: 7}\n",
                       "t.yaml:9:30: document 1: expected a string for "
                       "'spec.template.spec.volumes[0].dataVolume.name', found a number");
    assert_parse_error("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {}\n"
                       "spec:\n  template: {}\n  dataVolumeTemplates:\n"
                       "    - metadata: {name: a}\n      spec: {storage: []}\n",
                       "t.yaml:8:23: document 1: expected a mapping for "
                       "'spec.dataVolumeTemplates[0].spec.storage', found a sequence");
}

/* A v1alpha3 VM is accepted and created as v1 (same schema). */
static void test_v1alpha3(void **state)
{
    const char *yaml = "apiVersion: kubevirt.io/v1alpha3\nkind: VirtualMachine\n"
                       "metadata: {name: old}\nspec: {template: {}}\n";
    struct tmpl *t = parse_ok(yaml);
    struct tmpl_params p = params();
    cJSON *objs = instantiate_ok(t, &p);
    struct tmpl_resource r;
    struct vs_error err;

    (void)state;
    assert_string_equal(str_at(objs, "0/apiVersion"), "kubevirt.io/v1");
    assert_int_equal(tmpl_resource_of(cJSON_GetArrayItem(objs, 0), NULL, NULL, &r, &err), 0);
    assert_string_equal(r.plural, "virtualmachines");
    cJSON_Delete(objs);
    tmpl_free(t);
}

/* ---- resources and paths ------------------------------------------------------------------ */

static cJSON *object_of(const char *api_version, const char *kind)
{
    cJSON *obj = cJSON_CreateObject();

    assert_non_null(obj);
    assert_non_null(cJSON_AddStringToObject(obj, "apiVersion", api_version));
    assert_non_null(cJSON_AddStringToObject(obj, "kind", kind));
    return obj;
}

struct discover_log {
    int calls;
    char last_kind[64];
};

/* Knows example.com/v1 Widget (namespaced) and Gizmo (cluster-scoped); Broken has no plural. */
static int discover(void *ctx, const char *api_version, const char *kind, struct tmpl_resource *out)
{
    struct discover_log *log = ctx;

    log->calls++;
    snprintf(log->last_kind, sizeof(log->last_kind), "%s", kind);
    if (strcmp(api_version, "example.com/v1") != 0)
        return -1;
    snprintf(out->group, sizeof(out->group), "example.com");
    snprintf(out->version, sizeof(out->version), "v1");
    if (strcmp(kind, "Widget") == 0) {
        snprintf(out->plural, sizeof(out->plural), "widgets");
        out->namespaced = 1;
        return 0;
    }
    if (strcmp(kind, "Gizmo") == 0) {
        snprintf(out->plural, sizeof(out->plural), "gizmos");
        return 0;
    }
    return strcmp(kind, "Broken") == 0 ? 0 : -1;
}

static void test_resource_builtins(void **state)
{
    static const struct {
        const char *api_version, *kind, *group, *version, *plural, *path;
        int namespaced;
    } cases[] = {
        {"v1", "Secret", "", "v1", "secrets", "/api/v1/namespaces/ns-1/secrets", 1},
        {"v1", "ConfigMap", "", "v1", "configmaps", "/api/v1/namespaces/ns-1/configmaps", 1},
        {"v1", "Service", "", "v1", "services", "/api/v1/namespaces/ns-1/services", 1},
        {"v1", "PersistentVolumeClaim", "", "v1", "persistentvolumeclaims",
         "/api/v1/namespaces/ns-1/persistentvolumeclaims", 1},
        {"v1", "ServiceAccount", "", "v1", "serviceaccounts",
         "/api/v1/namespaces/ns-1/serviceaccounts", 1},
        {"kubevirt.io/v1", "VirtualMachine", "kubevirt.io", "v1", "virtualmachines",
         "/apis/kubevirt.io/v1/namespaces/ns-1/virtualmachines", 1},
        {"cdi.kubevirt.io/v1beta1", "DataVolume", "cdi.kubevirt.io", "v1beta1", "datavolumes",
         "/apis/cdi.kubevirt.io/v1beta1/namespaces/ns-1/datavolumes", 1},
        {"v1", "Namespace", "", "v1", "namespaces", "/api/v1/namespaces", 0},
        {"rbac.authorization.k8s.io/v1", "ClusterRole", "rbac.authorization.k8s.io", "v1",
         "clusterroles", "/apis/rbac.authorization.k8s.io/v1/clusterroles", 0},
    };
    struct discover_log log = {0, ""};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *obj = object_of(cases[i].api_version, cases[i].kind);
        struct tmpl_resource r;
        struct vs_error err;
        char path[256];

        memset(&r, 0x55, sizeof(r));
        assert_int_equal(tmpl_resource_of(obj, discover, &log, &r, &err), 0);
        assert_string_equal(r.group, cases[i].group);
        assert_string_equal(r.version, cases[i].version);
        assert_string_equal(r.plural, cases[i].plural);
        assert_int_equal(r.namespaced, cases[i].namespaced);
        assert_int_equal(tmpl_collection_path(&r, "ns-1", path, sizeof(path)), 0);
        assert_string_equal(path, cases[i].path);
        cJSON_Delete(obj);
    }
    assert_int_equal(log.calls, 0); /* built-in kinds never ask discovery */
}

static void test_resource_discover(void **state)
{
    struct discover_log log = {0, ""};
    cJSON *widget = object_of("example.com/v1", "Widget"),
          *gizmo = object_of("example.com/v1", "Gizmo");
    struct tmpl_resource r;
    struct vs_error err;
    char path[256];

    (void)state;
    assert_int_equal(tmpl_resource_of(widget, discover, &log, &r, &err), 0);
    assert_int_equal(log.calls, 1);
    assert_string_equal(log.last_kind, "Widget");
    assert_int_equal(tmpl_collection_path(&r, "ns-1", path, sizeof(path)), 0);
    assert_string_equal(path, "/apis/example.com/v1/namespaces/ns-1/widgets");

    assert_int_equal(tmpl_resource_of(gizmo, discover, &log, &r, &err), 0);
    assert_int_equal(log.calls, 2);
    assert_int_equal(r.namespaced, 0);
    assert_int_equal(tmpl_collection_path(&r, NULL, path, sizeof(path)), 0);
    assert_string_equal(path, "/apis/example.com/v1/gizmos");

    /* a built-in group with a version the table lacks goes to discovery too */
    cJSON_Delete(widget);
    widget = object_of("cdi.kubevirt.io/v1alpha1", "DataVolume");
    assert_int_equal(tmpl_resource_of(widget, discover, &log, &r, &err), -1);
    assert_int_equal(log.calls, 3);
    assert_string_equal(log.last_kind, "DataVolume");
    cJSON_Delete(widget);
    cJSON_Delete(gizmo);
}

static void test_resource_errors(void **state)
{
    struct discover_log log = {0, ""};
    cJSON *unknown = object_of("example.com/v1", "Gadget"),
          *broken = object_of("example.com/v1", "Broken");
    cJSON *bad = object_of("a/b/c", "Thing"), *nokind = cJSON_CreateObject();
    struct tmpl_resource r;
    struct vs_error err;

    (void)state;
    assert_int_equal(tmpl_resource_of(unknown, NULL, NULL, &r, &err), -1);
    assert_string_equal(err.msg, "unknown kind 'Gadget' of apiVersion 'example.com/v1' (not "
                                 "built in, and no discovery)");
    assert_int_equal(tmpl_resource_of(unknown, discover, &log, &r, &err), -1);
    assert_string_equal(err.msg, "unknown kind 'Gadget' of apiVersion 'example.com/v1' (not "
                                 "built in, and not found by discovery)");
    assert_int_equal(tmpl_resource_of(broken, discover, &log, &r, &err), -1);
    assert_string_equal(err.msg, "discovery gave no usable resource for kind 'Broken' of "
                                 "apiVersion 'example.com/v1'");
    assert_int_equal(tmpl_resource_of(bad, discover, &log, &r, &err), -1);
    assert_string_equal(err.msg, "malformed apiVersion 'a/b/c' of kind 'Thing'");
    assert_int_equal(tmpl_resource_of(nokind, discover, &log, &r, &err), -1);
    assert_string_equal(err.msg, "object without a string 'apiVersion' and 'kind'");
    assert_int_equal(log.calls, 2);
    cJSON_Delete(unknown);
    cJSON_Delete(broken);
    cJSON_Delete(bad);
    cJSON_Delete(nokind);
}

static void test_collection_path_errors(void **state)
{
    struct tmpl_resource secrets = {"", "v1", "secrets", 1};
    char path[64], tiny[20];

    (void)state;
    assert_int_equal(tmpl_collection_path(&secrets, NULL, path, sizeof(path)), -1);
    assert_int_equal(tmpl_collection_path(&secrets, "", path, sizeof(path)), -1);
    assert_int_equal(tmpl_collection_path(&secrets, "Upper", path, sizeof(path)), -1);
    assert_int_equal(tmpl_collection_path(&secrets, "a/b", path, sizeof(path)), -1);
    assert_int_equal(tmpl_collection_path(&secrets, "ns?x=1", path, sizeof(path)), -1);
    /* "/api/v1/namespaces/ns/secrets" is 29 characters */
    assert_int_equal(tmpl_collection_path(&secrets, "ns", tiny, sizeof(tiny)), -1);
    assert_string_equal(tiny, "/api/v1/namespaces/"); /* truncated, terminated */
    assert_int_equal(tmpl_collection_path(&secrets, "ns", path, 30), 0);
    assert_string_equal(path, "/api/v1/namespaces/ns/secrets");
    assert_int_equal(tmpl_collection_path(&secrets, "ns", path, 29), -1);
}

/* Each object tmpl_instantiate() makes of the samples maps to a built-in resource. */
static void test_instantiated_objects_have_paths(void **state)
{
    struct tmpl *t = load_ok("samples/templates/vm-with-secret.yaml");
    struct tmpl_params p = params();
    cJSON *objs = instantiate_ok(t, &p), *obj;
    const char *want[] = {"/api/v1/namespaces/vmstorm-3/secrets",
                          "/apis/kubevirt.io/v1/namespaces/vmstorm-3/virtualmachines"};
    int i = 0;

    (void)state;
    cJSON_ArrayForEach(obj, objs)
    {
        struct tmpl_resource r;
        struct vs_error err;
        char path[256];

        assert_int_equal(tmpl_resource_of(obj, NULL, NULL, &r, &err), 0);
        assert_int_equal(
            tmpl_collection_path(&r, str_at(obj, "metadata/namespace"), path, sizeof(path)), 0);
        assert_string_equal(path, want[i++]);
    }
    assert_int_equal(i, 2);
    cJSON_Delete(objs);
    tmpl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_containerdisk),
        cmocka_unit_test(test_sample_datasource),
        cmocka_unit_test(test_sample_with_secret),
        cmocka_unit_test(test_labels_everywhere),
        cmocka_unit_test(test_labels_no_extra),
        cmocka_unit_test(test_namespace_and_server_fields),
        cmocka_unit_test(test_storage_class),
        cmocka_unit_test(test_node_pin),
        cmocka_unit_test(test_run_strategy),
        cmocka_unit_test(test_dv_rename),
        cmocka_unit_test(test_dv_rename_no_chain),
        cmocka_unit_test(test_dv_rename_unnamed_vm),
        cmocka_unit_test(test_dv_rename_too_long),
        cmocka_unit_test(test_instantiate_param_errors),
        cmocka_unit_test(test_error_not_mapping),
        cmocka_unit_test(test_error_counts_empty_documents),
        cmocka_unit_test(test_error_missing_kind),
        cmocka_unit_test(test_error_two_vms),
        cmocka_unit_test(test_error_no_vm),
        cmocka_unit_test(test_error_cluster_scoped),
        cmocka_unit_test(test_error_yaml_syntax),
        cmocka_unit_test(test_error_empty),
        cmocka_unit_test(test_error_load),
        cmocka_unit_test(test_error_fields),
        cmocka_unit_test(test_v1alpha3),
        cmocka_unit_test(test_resource_builtins),
        cmocka_unit_test(test_resource_discover),
        cmocka_unit_test(test_resource_errors),
        cmocka_unit_test(test_collection_path_errors),
        cmocka_unit_test(test_instantiated_objects_have_paths),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
