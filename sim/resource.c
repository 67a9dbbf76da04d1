#include "resource.h"

#include <stdio.h>
#include <string.h>

static const struct sim_resource table[RES_COUNT] = {
    {RES_NAMESPACES, "", "v1", "namespaces", "namespace", "Namespace", 0, 1, {"ns"}, {NULL}},
    {RES_NODES, "", "v1", "nodes", "node", "Node", 0, 1, {"no"}, {NULL}},
    {RES_PODS, "", "v1", "pods", "pod", "Pod", 1, 1, {"po"}, {"all"}},
    {RES_SECRETS, "", "v1", "secrets", "secret", "Secret", 1, 0, {NULL}, {NULL}},
    {RES_CONFIGMAPS, "", "v1", "configmaps", "configmap", "ConfigMap", 1, 0, {"cm"}, {NULL}},
    {RES_PVCS,
     "",
     "v1",
     "persistentvolumeclaims",
     "persistentvolumeclaim",
     "PersistentVolumeClaim",
     1,
     1,
     {"pvc"},
     {NULL}},
    {RES_VMS,
     "kubevirt.io",
     "v1",
     "virtualmachines",
     "virtualmachine",
     "VirtualMachine",
     1,
     1,
     {"vm", "vms"},
     {"all"}},
    {RES_VMIS,
     "kubevirt.io",
     "v1",
     "virtualmachineinstances",
     "virtualmachineinstance",
     "VirtualMachineInstance",
     1,
     0,
     {"vmi", "vmis"},
     {"all"}},
    {RES_DVS,
     "cdi.kubevirt.io",
     "v1beta1",
     "datavolumes",
     "datavolume",
     "DataVolume",
     1,
     1,
     {"dv", "dvs"},
     {"all"}},
    /* stored as given (what a DataVolume's sourceRef names; the clone itself is modelled) */
    {RES_DATASOURCES,
     "cdi.kubevirt.io",
     "v1beta1",
     "datasources",
     "datasource",
     "DataSource",
     1,
     1,
     {"das"},
     {NULL}},
};

const struct sim_resource *resource_get(enum sim_res_id id)
{
    return id < RES_COUNT ? &table[id] : NULL;
}

const struct sim_resource *resource_find(const char *group, const char *version, const char *plural)
{
    for (size_t i = 0; i < RES_COUNT; i++)
        if (strcmp(table[i].group, group) == 0 && strcmp(table[i].version, version) == 0 &&
            strcmp(table[i].plural, plural) == 0)
            return &table[i];
    return NULL;
}

const char *resource_api_version(const struct sim_resource *r)
{
    static char buf[RES_COUNT][64];

    if (!r->group[0])
        return r->version;
    if (!buf[r->id][0])
        snprintf(buf[r->id], sizeof(buf[r->id]), "%s/%s", r->group, r->version);
    return buf[r->id];
}
