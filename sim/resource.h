/*
 * resource.h - the API resources the simulator serves, as a static table.
 *
 * Each entry says how a resource appears in discovery and URLs: group
 * ("" for the core group), version, plural, kind, whether it is namespaced,
 * its short names and categories (kubectl's "vm", "vmi", "dv", "all"), and
 * whether it has a /status subresource. The table is read-only and static.
 */
#ifndef SIM_RESOURCE_H
#define SIM_RESOURCE_H

#include <stddef.h>

enum sim_res_id {
    RES_NAMESPACES,
    RES_NODES,
    RES_PODS,
    RES_SECRETS,
    RES_CONFIGMAPS,
    RES_PVCS,
    RES_VMS,
    RES_VMIS,
    RES_DVS,
    RES_DATASOURCES,
    RES_COUNT
};

struct sim_resource {
    enum sim_res_id id;
    const char *group;   /* "" = core */
    const char *version; /* "v1", "v1beta1" */
    const char *plural;
    const char *singular;
    const char *kind;
    int namespaced;
    int has_status; /* a /status subresource exists */
    const char *short_names[3];
    const char *categories[2];
};

/* The table entry of a resource id. */
const struct sim_resource *resource_get(enum sim_res_id id);

/* Find by group, version and plural; NULL if not served. */
const struct sim_resource *resource_find(const char *group, const char *version,
                                         const char *plural);

/* "apps/v1"-style apiVersion of a resource ("v1" for the core group). Static storage. */
const char *resource_api_version(const struct sim_resource *r);

#endif
