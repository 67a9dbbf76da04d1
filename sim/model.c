#include "model.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

#define FIELD(name)                                                                                \
    {                                                                                              \
#name, offsetof(struct model, name)                                                        \
    }

static const struct {
    const char *key;
    size_t off;
} fields[] = {
    FIELD(ctl_workers),
    FIELD(ctl_op),
    FIELD(ctl_op_gsd),
    FIELD(sched_op),
    FIELD(sched_op_gsd),
    FIELD(net_setup),
    FIELD(net_setup_gsd),
    FIELD(container_start),
    FIELD(container_start_gsd),
    FIELD(node_pod_starts),
    FIELD(handler_workers),
    FIELD(handler_op),
    FIELD(handler_op_gsd),
    FIELD(handler_qps),
    FIELD(handler_burst),
    FIELD(ip_delay),
    FIELD(ip_delay_gsd),
    FIELD(boot_work),
    FIELD(boot_work_gsd),
    FIELD(boot_io_capacity),
    FIELD(agent_delay),
    FIELD(agent_delay_gsd),
    FIELD(shutdown),
    FIELD(shutdown_gsd),
    FIELD(teardown),
    FIELD(teardown_gsd),
    FIELD(clone_host_assisted),
    FIELD(csi_clone),
    FIELD(csi_clone_gsd),
    FIELD(clone_capacity),
    FIELD(host_clone_mbps),
    FIELD(image_gib),
    FIELD(node_cores),
    FIELD(node_memory_gib),
    FIELD(node_max_pods),
    FIELD(vm_vcpus),
    FIELD(vm_memory_gib),
    FIELD(launcher_overhead_gib),
    FIELD(fio_runtime),
};

void model_defaults(struct model *m)
{
    /* sources and reasoning for each value: sim/MODEL.md */
    *m = (struct model){
        .ctl_workers = 10,
        .ctl_op = 0.5,
        .ctl_op_gsd = 1.5,
        .sched_op = 0.02,
        .sched_op_gsd = 1.5,
        .net_setup = 0.3,
        .net_setup_gsd = 1.5,
        .container_start = 8.0,
        .container_start_gsd = 1.4,
        .node_pod_starts = 8,
        .handler_workers = 10,
        .handler_op = 2.0,
        .handler_op_gsd = 1.5,
        .handler_qps = 5,
        .handler_burst = 10,
        .ip_delay = 0.5,
        .ip_delay_gsd = 1.5,
        .boot_work = 15.0,
        .boot_work_gsd = 1.35,
        .boot_io_capacity = 40,
        .agent_delay = 2.0,
        .agent_delay_gsd = 1.5,
        .shutdown = 5.0,
        .shutdown_gsd = 1.5,
        .teardown = 1.0,
        .teardown_gsd = 1.3,
        .clone_host_assisted = 0,
        .csi_clone = 6.0,
        .csi_clone_gsd = 1.5,
        .clone_capacity = 8,
        .host_clone_mbps = 250,
        .image_gib = 30,
        .node_cores = 112,
        .node_memory_gib = 512,
        .node_max_pods = 110,
        .vm_vcpus = 2,
        .vm_memory_gib = 2,
        .launcher_overhead_gib = 0.25,
        .fio_runtime = 30,
    };
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* The field of key, or NULL when there is none. */
static double *field(struct model *m, const char *key)
{
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (strcmp(fields[i].key, key) == 0)
            return (double *)(void *)((char *)m + fields[i].off);
    return NULL;
}

/* Apply one "key = value" line (s, modified); -1 with err naming path:n. */
static int set_line(struct model *m, char *s, const char *path, long n, struct vs_error *err)
{
    char *eq = strchr(s, '='), *key, *val;
    double *f;

    if (!eq)
        return vs_error_set(err, path, n, 0, "expected 'key = value', got '%s'", s);
    *eq = '\0';
    key = trim(s);
    val = trim(eq + 1);
    f = field(m, key);
    if (!f)
        return vs_error_set(err, path, n, 0, "unknown parameter '%s' (see sim/MODEL.md)", key);
    if (num_parse_double(val, 0, MODEL_VALUE_MAX, f) < 0)
        return vs_error_set(err, path, n, 0, "'%s': expected a number from 0 to %.0f, got '%s'%s",
                            key, MODEL_VALUE_MAX, val,
                            strchr(val, '#') ? " (comments go on lines of their own)" : "");
    return 0;
}

int model_load(struct model *m, const char *path, struct vs_error *err)
{
    FILE *f = fopen(path, "r");
    char line[512];
    long n = 0;
    int rc = 0;

    if (!f)
        return vs_error_setc(err, errno, path, 0, 0, "cannot open: %s", strerror(errno));
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        int whole = strchr(line, '\n') || feof(f);
        char *s = trim(line);

        n++;
        if (!whole)
            rc = vs_error_set(err, path, n, 0, "line longer than %zu characters", sizeof(line) - 2);
        else if (*s && *s != '#')
            rc = set_line(m, s, path, n, err);
    }
    if (rc == 0 && ferror(f))
        rc = vs_error_setc(err, EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    fclose(f);
    return rc;
}
