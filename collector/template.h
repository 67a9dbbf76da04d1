/*
 * template.h - the user's VM template: parse and check it once, then turn it
 * into the objects to create for each VM of a run.
 *
 * A template is a YAML (or JSON) file of one or more documents, read as
 * kubectl reads manifests (see yamljson.h): for example a Secret holding
 * cloud-init user data and the VirtualMachine that mounts it. Exactly one
 * document is a kubevirt.io VirtualMachine; the others are created before
 * it, in file order, in the same namespace.
 *
 * Everything that can be wrong with the file is found by tmpl_parse(),
 * before anything is created on a cluster. Messages name the file, the line
 * and column of the offending node (or of the document when the node is
 * missing) and the document's number in the stream, counting from 1 as
 * yamljson does (empty documents count):
 *
 *   vm.yaml:14:3: document 2: missing 'kind'
 *
 * Ownership: a struct tmpl owns its documents; tmpl_free() releases it.
 * tmpl_instantiate() returns new objects the caller frees.
 */
#ifndef VS_COLLECTOR_TEMPLATE_H
#define VS_COLLECTOR_TEMPLATE_H

#include <stddef.h>

#include <cJSON.h>

#include "error.h"

/* Templates larger than this are refused (they are a few kilobytes). */
#define TMPL_MAX_BYTES (4L * 1024 * 1024)

struct tmpl;

/*
 * Read and check the template at path (messages name it as given). Checks,
 * per document: it is a mapping with a string 'apiVersion' ("v1" or
 * "group/version") and 'kind', and a mapping 'metadata' whose 'name' is a
 * non-empty string; only the VirtualMachine may leave its name out or empty,
 * since the run names it. A 'metadata.namespace' is allowed and silently
 * replaced; a cluster-scoped kind (Namespace, Node, ClusterRole, ...) is an
 * error, because the collector creates the namespaces itself. Exactly one
 * document is a VirtualMachine of kubevirt.io/v1 or kubevirt.io/v1alpha3,
 * with a mapping 'spec.template'; it may not set both 'spec.running' and
 * 'spec.runStrategy'. Every field tmpl_instantiate() edits must have the
 * type it expects (a mapping for labels, a sequence for volumes, ...): a
 * null counts as absent.
 * Returns NULL and fills err on failure (err->code is errno for I/O errors,
 * E2BIG for a file over TMPL_MAX_BYTES or yamljson's limits).
 */
struct tmpl *tmpl_load(const char *path, struct vs_error *err);

/* The same from len bytes at text (need not be NUL-terminated); name is used in messages. */
struct tmpl *tmpl_parse(const char *text, size_t len, const char *name, struct vs_error *err);

/* Release a template. Accepts NULL. */
void tmpl_free(struct tmpl *t);

/* The template's own name for its VM ("" when it has none). Valid while t lives. */
const char *tmpl_vm_name(const struct tmpl *t);

struct tmpl_params {
    const char *namespace;           /* target namespace (required) */
    const char *vm_name;             /* name of the VM and so of its VMI (required) */
    const char *run_label_key;       /* e.g. "vmstorm.io/run" (required) */
    const char *run_label_value;     /* the run id (required) */
    const char *const *extra_labels; /* "key=value" strings, NULL-terminated; may be NULL */
    const char *storage_class;       /* NULL: leave storage classes as they are */
    const char *node_name;           /* NULL: no pinning */
    const char *run_strategy;        /* NULL: keep the template's */
};

/*
 * The objects to create for one VM: a new cJSON array holding a copy of
 * every document, the non-VM objects first in file order, then the VM. In
 * each copy:
 *
 *   - metadata.namespace is p->namespace, and fields the API server sets
 *     (metadata.uid, resourceVersion, creationTimestamp, generation,
 *     managedFields, selfLink, ownerReferences, and status) are dropped, so
 *     that the output of "kubectl get -o yaml" works as a template;
 *   - metadata.labels holds the run label and the extra labels (a template
 *     label with the same key is replaced). On the VM they are also put in
 *     spec.template.metadata.labels (the VMI and its virt-launcher pod take
 *     their labels from there) and in every
 *     spec.dataVolumeTemplates[].metadata.labels.
 *
 * The VM itself:
 *   - metadata.name is p->vm_name, and apiVersion is kubevirt.io/v1
 *     (v1alpha3 has the same schema and is deprecated);
 *   - data volume names. Rule: a spec.dataVolumeTemplates[] name that is
 *     the template's VM name, or starts with it followed by '-' or '.', gets
 *     that prefix replaced by p->vm_name: for VM "rhel9-vm" and vm_name
 *     "vm-0007", "rhel9-vm-rootdisk" becomes "vm-0007-rootdisk" and
 *     "rhel9-vm" becomes "vm-0007", while "rhel9-vmx" and "disk-rhel9-vm"
 *     are kept. Other names, and all names when the template's VM has no
 *     name, are kept: every VM has a namespace of its own, so they cannot
 *     collide. Each spec.template.spec.volumes[] that refers to a renamed
 *     data volume, by dataVolume.name or persistentVolumeClaim.claimName
 *     (a DV's PVC has the DV's name), is updated to the new name;
 *   - p->storage_class, when set, becomes storageClassName under .spec.storage
 *     and under .spec.pvc of every data volume template (of each that exists;
 *     under a new .spec.storage when neither does). DataVolume documents get
 *     the same, PersistentVolumeClaim documents a spec.storageClassName;
 *   - p->node_name, when set, becomes
 *     spec.template.spec.nodeSelector["kubernetes.io/hostname"];
 *   - spec.runStrategy is p->run_strategy when set. The deprecated
 *     spec.running is always removed: when p->run_strategy is NULL it becomes
 *     the equivalent run strategy (true: Always, false: Halted), so that the
 *     VM can be started and stopped by patching spec.runStrategy.
 *
 * Returns NULL and fills err when a parameter is missing or malformed (a
 * required one NULL, any one "", an extra label that is not "key=value" with
 * a non-empty key, or that sets the run label's key; label syntax is left to
 * the API server), when a renamed data volume's name grows past 253
 * characters, or when memory runs out. The caller frees the array with
 * cJSON_Delete().
 */
cJSON *tmpl_instantiate(const struct tmpl *t, const struct tmpl_params *p, struct vs_error *err);

/* Where a kind of object lives in the REST API. group is "" for the core group. */
struct tmpl_resource {
    char group[128];
    char version[32];
    char plural[128];
    int namespaced;
};

/*
 * A discovery lookup the caller provides for kinds the built-in table does
 * not know: fill out and return 0, or return -1 when the kind is unknown.
 */
typedef int (*tmpl_discover_fn)(void *ctx, const char *api_version, const char *kind,
                                struct tmpl_resource *out);

/*
 * Map obj's apiVersion and kind to its resource. The built-in table knows
 * the core (v1) Secret, ConfigMap, Service, PersistentVolumeClaim and
 * ServiceAccount, kubevirt.io/v1 VirtualMachine, cdi.kubevirt.io/v1beta1
 * DataVolume, and common cluster-scoped kinds (v1 Namespace, Node,
 * PersistentVolume; rbac.authorization.k8s.io/v1 ClusterRole,
 * ClusterRoleBinding; storage.k8s.io/v1 StorageClass); for other kinds
 * discover (may be NULL) is asked with ctx. Returns 0, or -1 with err naming
 * the kind when neither knows it, when obj has no string apiVersion and
 * kind, or when discover's answer does not fit out or lacks a version or a
 * plural.
 */
int tmpl_resource_of(const cJSON *obj, tmpl_discover_fn discover, void *ctx,
                     struct tmpl_resource *out, struct vs_error *err);

/*
 * The path to POST a new object of r to: "/api/v1/namespaces/NS/secrets",
 * "/apis/kubevirt.io/v1/namespaces/NS/virtualmachines", or without the
 * namespace part for a cluster-scoped resource (ns is then ignored and may
 * be NULL). Written to out of size n. Returns 0, or -1 when it does not fit,
 * or when r is namespaced and ns is NULL, empty or holds characters other
 * than lowercase letters, digits, '-' and '.'.
 */
int tmpl_collection_path(const struct tmpl_resource *r, const char *ns, char *out, size_t n);

#endif
