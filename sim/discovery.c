#include "discovery.h"

#include <stdio.h>
#include <string.h>

#include "resource.h"

#define SUBRESOURCES_GROUP "subresources.kubevirt.io"

static cJSON *strings(const char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; i < n && v[i]; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static cJSON *api_resource(const char *name, const char *singular, int namespaced, const char *kind,
                           const char *const *verbs, size_t nverbs)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "singularName", singular);
    cJSON_AddBoolToObject(o, "namespaced", namespaced);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddItemToObject(o, "verbs", strings(verbs, nverbs));
    return o;
}

static void add_resource(cJSON *list, const struct sim_resource *res)
{
    /* the verbs api.c serves; a DELETE on a collection (deletecollection) is 405 there */
    static const char *const all[] = {"create", "delete", "get",  "list",
                                      "patch",  "update", "watch"};
    static const char *const status_verbs[] = {"get", "patch", "update"};
    cJSON *o = api_resource(res->plural, res->singular, res->namespaced, res->kind, all,
                            sizeof(all) / sizeof(all[0]));
    char sub[96];

    if (res->short_names[0])
        cJSON_AddItemToObject(o, "shortNames", strings(res->short_names, 3));
    if (res->categories[0])
        cJSON_AddItemToObject(o, "categories", strings(res->categories, 2));
    cJSON_AddItemToArray(list, o);
    if (res->has_status) {
        snprintf(sub, sizeof(sub), "%s/status", res->plural);
        cJSON_AddItemToArray(list,
                             api_resource(sub, "", res->namespaced, res->kind, status_verbs, 3));
    }
}

static cJSON *resource_list(const char *group_version)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "kind", "APIResourceList");
    cJSON_AddStringToObject(o, "apiVersion", "v1");
    cJSON_AddStringToObject(o, "groupVersion", group_version);
    cJSON_AddArrayToObject(o, "resources");
    return o;
}

static int group_served(struct sim *sim, const char *group, const char *version)
{
    if (strcmp(group, SUBRESOURCES_GROUP) == 0)
        return sim->opt.subresources && strcmp(version, "v1") == 0;
    for (int i = 0; i < RES_COUNT; i++) {
        const struct sim_resource *res = resource_get((enum sim_res_id)i);

        if (strcmp(res->group, group) == 0 && (!version || strcmp(res->version, version) == 0))
            return 1;
    }
    return 0;
}

static void reply_resources(struct req *r, const char *group, const char *version)
{
    char gv[128];
    cJSON *o, *list;

    if (group[0])
        snprintf(gv, sizeof(gv), "%s/%s", group, version);
    else
        snprintf(gv, sizeof(gv), "%s", version);
    o = resource_list(gv);
    list = cJSON_GetObjectItemCaseSensitive(o, "resources");
    if (strcmp(group, SUBRESOURCES_GROUP) == 0) {
        static const char *const put[] = {"update"};

        cJSON_AddItemToArray(list, api_resource("virtualmachines/start", "", 1, "", put, 1));
        cJSON_AddItemToArray(list, api_resource("virtualmachines/stop", "", 1, "", put, 1));
    }
    for (int i = 0; i < RES_COUNT; i++) {
        const struct sim_resource *res = resource_get((enum sim_res_id)i);

        if (strcmp(res->group, group) == 0 && strcmp(res->version, version) == 0)
            add_resource(list, res);
    }
    http_reply_json(r, 200, o);
}

static cJSON *group_doc(const char *group, const char *version)
{
    cJSON *g = cJSON_CreateObject(), *versions, *v;
    char gv[128];

    snprintf(gv, sizeof(gv), "%s/%s", group, version);
    cJSON_AddStringToObject(g, "name", group);
    versions = cJSON_AddArrayToObject(g, "versions");
    v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "groupVersion", gv);
    cJSON_AddStringToObject(v, "version", version);
    cJSON_AddItemToArray(versions, v);
    cJSON_AddItemToObject(g, "preferredVersion", cJSON_Duplicate(v, 1));
    return g;
}

static void reply_groups(struct req *r)
{
    cJSON *o = cJSON_CreateObject(), *groups;

    cJSON_AddStringToObject(o, "kind", "APIGroupList");
    cJSON_AddStringToObject(o, "apiVersion", "v1");
    groups = cJSON_AddArrayToObject(o, "groups");
    cJSON_AddItemToArray(groups, group_doc("kubevirt.io", "v1"));
    cJSON_AddItemToArray(groups, group_doc("cdi.kubevirt.io", "v1beta1"));
    if (r->sim->opt.subresources)
        cJSON_AddItemToArray(groups, group_doc(SUBRESOURCES_GROUP, "v1"));
    http_reply_json(r, 200, o);
}

static void reply_version(struct req *r)
{
    cJSON *o = cJSON_CreateObject(), *sim;

    cJSON_AddStringToObject(o, "major", SIM_KUBE_MAJOR);
    cJSON_AddStringToObject(o, "minor", SIM_KUBE_MINOR);
    cJSON_AddStringToObject(o, "gitVersion", SIM_KUBE_GIT_VERSION);
    cJSON_AddStringToObject(o, "gitCommit", "vmstorm-sim-" VMSTORM_VERSION);
    cJSON_AddStringToObject(o, "gitTreeState", "clean");
    cJSON_AddStringToObject(o, "buildDate", "2026-01-01T00:00:00Z");
    cJSON_AddStringToObject(o, "goVersion", "go1.22.0");
    cJSON_AddStringToObject(o, "compiler", "gc");
    cJSON_AddStringToObject(o, "platform", "linux/amd64");
    /* not in a real cluster's answer: how the recorded times relate to the model's */
    sim = cJSON_AddObjectToObject(o, "vmstormSim");
    cJSON_AddNumberToObject(sim, "speed", r->sim->opt.speed);
    cJSON_AddNumberToObject(sim, "seed", (double)r->sim->opt.seed);
    cJSON_AddNumberToObject(sim, "nodes", r->sim->opt.nodes);
    http_reply_json(r, 200, o);
}

int discovery_handle(struct req *r, char **parts, int nparts)
{
    r->verb = "GET";
    if (nparts == 1 && strcmp(parts[0], "version") == 0) {
        reply_version(r);
    } else if (nparts == 1 && strcmp(parts[0], "api") == 0) {
        cJSON *o = cJSON_CreateObject(), *addr = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "kind", "APIVersions");
        cJSON_AddItemToObject(o, "versions", cJSON_CreateStringArray((const char *[]){"v1"}, 1));
        cJSON_AddStringToObject(addr, "clientCIDR", "0.0.0.0/0");
        cJSON_AddStringToObject(addr, "serverAddress", r->sim->opt.listen_host);
        cJSON_AddItemToObject(o, "serverAddressByClientCIDRs", cJSON_CreateArray());
        cJSON_AddItemToArray(cJSON_GetObjectItem(o, "serverAddressByClientCIDRs"), addr);
        http_reply_json(r, 200, o);
    } else if (nparts == 2 && strcmp(parts[0], "api") == 0 && strcmp(parts[1], "v1") == 0) {
        reply_resources(r, "", "v1");
    } else if (nparts == 1 && strcmp(parts[0], "apis") == 0) {
        reply_groups(r);
    } else if (nparts == 2 && strcmp(parts[0], "apis") == 0 &&
               group_served(r->sim, parts[1], NULL)) {
        const char *version = strcmp(parts[1], "cdi.kubevirt.io") == 0 ? "v1beta1" : "v1";

        http_reply_json(r, 200, group_doc(parts[1], version));
    } else if (nparts == 3 && strcmp(parts[0], "apis") == 0 &&
               group_served(r->sim, parts[1], parts[2])) {
        reply_resources(r, parts[1], parts[2]);
    } else {
        r->verb = NULL;
        return 0;
    }
    return 1;
}
