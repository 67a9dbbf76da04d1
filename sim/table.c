#include "table.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"

struct column {
    const char *name, *type, *format, *path; /* path: dotted, or a special "@..." */
    int priority;
};

#define MAX_COLS 8

static const struct column columns[RES_COUNT][MAX_COLS] = {
    [RES_NAMESPACES] = {{"Name", "string", "name", "metadata.name", 0},
                        {"Status", "string", "", "status.phase", 0},
                        {"Age", "date", "", "@age", 0}},
    [RES_NODES] = {{"Name", "string", "name", "metadata.name", 0},
                   {"Status", "string", "", "@nodestatus", 0},
                   {"Roles", "string", "", "@roles", 0},
                   {"Age", "date", "", "@age", 0},
                   {"Version", "string", "", "status.nodeInfo.kubeletVersion", 0}},
    [RES_PODS] = {{"Name", "string", "name", "metadata.name", 0},
                  {"Ready", "string", "", "@podready", 0},
                  {"Status", "string", "", "status.phase", 0},
                  {"Restarts", "string", "", "@zero", 0},
                  {"Age", "date", "", "@age", 0},
                  {"IP", "string", "", "status.podIP", 1},
                  {"Node", "string", "", "spec.nodeName", 1}},
    [RES_SECRETS] = {{"Name", "string", "name", "metadata.name", 0},
                     {"Type", "string", "", "type", 0},
                     {"Age", "date", "", "@age", 0}},
    [RES_CONFIGMAPS] = {{"Name", "string", "name", "metadata.name", 0},
                        {"Age", "date", "", "@age", 0}},
    [RES_PVCS] = {{"Name", "string", "name", "metadata.name", 0},
                  {"Status", "string", "", "status.phase", 0},
                  {"StorageClass", "string", "", "spec.storageClassName", 0},
                  {"Age", "date", "", "@age", 0}},
    [RES_VMS] = {{"Name", "string", "name", "metadata.name", 0},
                 {"Age", "date", "", "@age", 0},
                 {"Status", "string", "", "status.printableStatus", 0},
                 {"Ready", "string", "", "@vmready", 0}},
    [RES_VMIS] = {{"Name", "string", "name", "metadata.name", 0},
                  {"Age", "date", "", "@age", 0},
                  {"Phase", "string", "", "status.phase", 0},
                  {"IP", "string", "", "@vmiip", 0},
                  {"NodeName", "string", "", "status.nodeName", 0},
                  {"Ready", "string", "", "@condready", 0}},
    [RES_DVS] = {{"Name", "string", "name", "metadata.name", 0},
                 {"Phase", "string", "", "status.phase", 0},
                 {"Progress", "string", "", "status.progress", 0},
                 {"Restarts", "integer", "", "@zero", 0},
                 {"Age", "date", "", "@age", 0}},
};

int table_wanted(const char *accept)
{
    return accept && strstr(accept, "as=Table") != NULL;
}

void table_human_duration(int64_t d_ns, char buf[16])
{
    int64_t s = d_ns / 1000000000LL, m = s / 60, h = m / 60, d = h / 24, y = d / 365;

    if (d_ns < -1000000000LL)
        snprintf(buf, 16, "<invalid>");
    else if (s < 0)
        snprintf(buf, 16, "0s");
    else if (s < 120)
        snprintf(buf, 16, "%llds", (long long)s);
    else if (m < 10 && s % 60)
        snprintf(buf, 16, "%lldm%llds", (long long)m, (long long)(s % 60));
    else if (m < 180)
        snprintf(buf, 16, "%lldm", (long long)m);
    else if (h < 8 && m % 60)
        snprintf(buf, 16, "%lldh%lldm", (long long)h, (long long)(m % 60));
    else if (h < 48)
        snprintf(buf, 16, "%lldh", (long long)h);
    else if (h < 24 * 8 && h % 24)
        snprintf(buf, 16, "%lldd%lldh", (long long)d, (long long)(h % 24));
    else if (d < 365 * 2)
        snprintf(buf, 16, "%lldd", (long long)d);
    else if (d < 365 * 8 && d % 365)
        snprintf(buf, 16, "%lldy%lldd", (long long)y, (long long)(d % 365));
    else
        snprintf(buf, 16, "%lldy", (long long)y);
}

cJSON *table_new(const struct sim_resource *res, uint64_t rv)
{
    cJSON *t = cJSON_CreateObject(), *defs, *meta;
    char buf[24];

    cJSON_AddStringToObject(t, "kind", "Table");
    cJSON_AddStringToObject(t, "apiVersion", "meta.k8s.io/v1");
    meta = cJSON_AddObjectToObject(t, "metadata");
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)rv);
    cJSON_AddStringToObject(meta, "resourceVersion", buf);
    defs = cJSON_AddArrayToObject(t, "columnDefinitions");
    for (int i = 0; i < MAX_COLS && columns[res->id][i].name; i++) {
        const struct column *c = &columns[res->id][i];
        cJSON *d = cJSON_CreateObject();

        cJSON_AddStringToObject(d, "name", c->name);
        cJSON_AddStringToObject(d, "type", c->type);
        cJSON_AddStringToObject(d, "format", c->format);
        cJSON_AddStringToObject(d, "description", "");
        cJSON_AddNumberToObject(d, "priority", c->priority);
        cJSON_AddItemToArray(defs, d);
    }
    cJSON_AddArrayToObject(t, "rows");
    return t;
}

static const cJSON *dotted(const cJSON *obj, const char *path)
{
    char part[128];

    while (obj && *path) {
        size_t n = strcspn(path, ".");

        snprintf(part, sizeof(part), "%.*s", (int)n, path);
        obj = cJSON_GetObjectItemCaseSensitive(obj, part);
        path += n + (path[n] == '.');
    }
    return obj;
}

static const char *str_at(const cJSON *obj, const char *path)
{
    const cJSON *v = dotted(obj, path);

    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Status of the condition `type` in obj.status.conditions, or "". */
static const char *condition(const cJSON *obj, const char *type)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, dotted(obj, "status.conditions"))
    {
        if (strcmp(str_at(c, "type"), type) == 0)
            return str_at(c, "status");
    }
    return "";
}

static cJSON *special_cell(const char *what, const cJSON *obj, int64_t now_ns)
{
    char buf[64];

    if (strcmp(what, "@age") == 0) {
        int64_t created;
        const char *ts = str_at(obj, "metadata.creationTimestamp");

        if (rfc3339_parse(ts, strlen(ts), &created, NULL) < 0)
            return cJSON_CreateString("<unknown>");
        table_human_duration(now_ns - created, buf);
        return cJSON_CreateString(buf);
    }
    if (strcmp(what, "@zero") == 0)
        return cJSON_CreateNumber(0);
    if (strcmp(what, "@condready") == 0)
        return cJSON_CreateString(condition(obj, "Ready"));
    if (strcmp(what, "@vmready") == 0)
        return cJSON_CreateString(cJSON_IsTrue(dotted(obj, "status.ready")) ? "True" : "False");
    if (strcmp(what, "@nodestatus") == 0)
        return cJSON_CreateString(strcmp(condition(obj, "Ready"), "True") == 0 ? "Ready"
                                                                               : "NotReady");
    if (strcmp(what, "@roles") == 0)
        return cJSON_CreateString("worker"); /* every simulated node is a worker */
    if (strcmp(what, "@podready") == 0)
        return cJSON_CreateString(strcmp(condition(obj, "Ready"), "True") == 0 ? "1/1" : "0/1");
    if (strcmp(what, "@vmiip") == 0) {
        const cJSON *ifs = dotted(obj, "status.interfaces");

        return cJSON_CreateString(
            cJSON_GetArraySize(ifs) > 0 ? str_at(cJSON_GetArrayItem(ifs, 0), "ipAddress") : "");
    }
    return cJSON_CreateString("");
}

void table_add_row(cJSON *table, const struct sim_resource *res, const cJSON *obj, int64_t now_ns)
{
    cJSON *row = cJSON_CreateObject(), *cells = cJSON_AddArrayToObject(row, "cells"), *partial;

    for (int i = 0; i < MAX_COLS && columns[res->id][i].name; i++) {
        const char *path = columns[res->id][i].path;

        cJSON_AddItemToArray(cells, path[0] == '@' ? special_cell(path, obj, now_ns)
                                                   : cJSON_CreateString(str_at(obj, path)));
    }
    partial = cJSON_AddObjectToObject(row, "object");
    cJSON_AddStringToObject(partial, "kind", "PartialObjectMetadata");
    cJSON_AddStringToObject(partial, "apiVersion", "meta.k8s.io/v1");
    cJSON_AddItemToObject(partial, "metadata",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), 1));
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(table, "rows"), row);
}
