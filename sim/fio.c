/*
 * fio.c - the fio result a simulated guest serves: real fio 3.x JSON
 * (samples/fio/randrw-4k.json, embedded at build time), scaled per VM by a
 * seeded factor so that VMs differ as they would on shared storage:
 * throughput fields multiply by f, latency fields divide by it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "rng.h"
#include "sim.h"

extern const char fio_sample_json[];
char *fio_result_for(struct sim *sim, const char *vm_name);

static int in_list(const char *key, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(key, *list) == 0)
            return 1;
    return 0;
}

/* Scale throughput fields by f and latency values by 1/f, recursively. */
static void scale(cJSON *node, double f, int in_latency)
{
    static const char *const up[] = {"io_bytes", "io_kbytes", "bw_bytes",  "bw",      "iops",
                                     "runtime_", "bw_min",    "bw_max",    "bw_mean", "iops_min",
                                     "iops_max", "iops_mean", "total_ios", NULL};
    static const char *const lat[] = {"slat_ns", "clat_ns", "lat_ns", NULL};
    cJSON *child;

    cJSON_ArrayForEach(child, node)
    {
        int latency = in_latency || (child->string && in_list(child->string, lat));

        if (cJSON_IsNumber(child) && child->string) {
            if (latency && strcmp(child->string, "N") != 0)
                cJSON_SetNumberValue(child, round(child->valuedouble / f));
            else if (!latency && in_list(child->string, up))
                cJSON_SetNumberValue(child, child->valuedouble * f);
        } else if (cJSON_IsObject(child) || cJSON_IsArray(child)) {
            scale(child, f, latency);
        }
    }
}

char *fio_result_for(struct sim *sim, const char *vm_name)
{
    cJSON *doc = cJSON_Parse(fio_sample_json), *jobs, *job;
    double f = rng_lognormal(&sim->model_rng, 1.0, 1.25);
    char *text;

    if (!doc)
        return NULL;
    jobs = cJSON_GetObjectItemCaseSensitive(doc, "jobs");
    cJSON_ArrayForEach(job, jobs)
    {
        cJSON_ReplaceItemInObjectCaseSensitive(job, "jobname", cJSON_CreateString(vm_name));
        scale(job, f, 0);
    }
    text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}
