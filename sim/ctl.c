/*
 * ctl.c - the simulated controllers. One start of a VM (an "episode") runs:
 *
 *   virt-controller queue -> VMI Pending, launcher pod created -> Scheduling
 *   kube-scheduler queue  -> pod bound to a node that fits (else unschedulable)
 *   node network queue    -> container start -> pod Running -> VMI Scheduled
 *   virt-handler queue    -> VMI Running (VM Running) -> IP published
 *   guest boot (storage and node CPU, shared) -> network ready (TCP) -> agent
 *
 * and a stop: Stopping -> guest shutdown -> VMI Succeeded -> VMI and pod
 * deleted -> VM Stopped. DataVolumes from dataVolumeTemplates clone on the
 * shared storage before the first start. Each episode has an epoch: a step
 * that fires for an older epoch (the VM was stopped meanwhile) does nothing.
 */
#include "ctl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "faults.h"
#include "guest.h"
#include "loop.h"
#include "metrics.h"
#include "model.h"
#include "msg.h"
#include "queue.h"

enum vm_stage { ST_STOPPED, ST_STARTING, ST_RUNNING, ST_STOPPING, ST_FAILED };

struct node_rt {
    struct sim_object *obj;
    char name[64];
    double mem_free_gib;
    int pods;
    struct fifo net;
    struct fifo handler;
    struct ps runtime; /* launcher pod starts (kubelet, container runtime) */
    struct bucket api; /* virt-handler's rate-limited API client */
};

struct vm_rt {
    struct ctl *ctl;
    struct sim_object *vm, *vmi, *pod;
    char *ns, *name;
    uint64_t epoch;
    enum vm_stage stage;
    int node;
    double vcpus, mem_gib;
    char ip[16];
    struct guest *guest;
    int dv_pending;
    int deleting;
    int manual_want; /* Manual run strategy: last start (1) or stop (0) request */
    int unschedulable;
    enum vm_fail_mode fail;
    struct vm_rt *next;
};

struct dv_rt {
    struct ctl *ctl;
    struct sim_object *dv;
    struct vm_rt *owner;
    uint64_t epoch;
    struct dv_rt *next;
};

struct ns_rt {
    char *name;
    struct ns_rt *next;
};

struct ctl {
    struct sim *sim;
    struct model m;
    struct node_rt *nodes;
    int nnodes;
    struct fifo vctl, sched;
    struct ps storage; /* clones */
    struct ps boot;    /* guest boots: shared storage, each node's cores a group */
    struct vm_rt *vms;
    struct dv_rt *dvs;
    struct ns_rt *terminating;
};

/* ---- small JSON helpers -------------------------------------------------- */

/* Where the simulated cluster keeps its golden-image DataSources. */
#define GOLDEN_IMAGES_NS "openshift-virtualization-os-images"

static void golden_images(struct sim *sim);

static cJSON *obj_at(cJSON *root, const char *key)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(root, key);

    if (!cJSON_IsObject(o)) {
        cJSON_DeleteItemFromObjectCaseSensitive(root, key);
        o = cJSON_AddObjectToObject(root, key);
    }
    return o;
}

static void put(cJSON *obj, const char *key, cJSON *value)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
    else
        cJSON_AddItemToObject(obj, key, value);
}

static void put_str(cJSON *obj, const char *key, const char *value)
{
    put(obj, key, cJSON_CreateString(value));
}

static const char *get_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void now_ts(char buf[32])
{
    store_format_time(clock_wall_ns(), buf);
}

static const char *uid_of(const struct sim_object *o)
{
    const char *u =
        o ? get_str(cJSON_GetObjectItemCaseSensitive(o->json, "metadata"), "uid") : NULL;

    return u ? u : "";
}

/* Set condition `type` in obj.status.conditions; lastTransitionTime moves on change. */
static void set_condition(cJSON *obj, const char *type, const char *status, const char *reason)
{
    cJSON *conds = cJSON_GetObjectItemCaseSensitive(obj_at(obj, "status"), "conditions"), *c;
    char ts[32];

    if (!cJSON_IsArray(conds))
        conds = cJSON_AddArrayToObject(obj_at(obj, "status"), "conditions");
    cJSON_ArrayForEach(c, conds)
    {
        const char *t = get_str(c, "type");

        if (t && strcmp(t, type) == 0)
            break;
    }
    now_ts(ts);
    if (!c) {
        c = cJSON_CreateObject();
        put_str(c, "type", type);
        cJSON_AddItemToArray(conds, c);
    } else if (get_str(c, "status") && strcmp(get_str(c, "status"), status) == 0) {
        return;
    }
    put_str(c, "status", status);
    put(c, "lastProbeTime", cJSON_CreateNull());
    put_str(c, "lastTransitionTime", ts);
    if (reason)
        put_str(c, "reason", reason);
    else
        cJSON_DeleteItemFromObjectCaseSensitive(c, "reason");
}

static double draw(struct ctl *c, double median, double gsd)
{
    return rng_lognormal(&c->sim->model_rng, median, gsd);
}

static int64_t after(struct ctl *c, double model_seconds)
{
    return clock_mono_ns() + (int64_t)(model_seconds / c->sim->opt.speed * 1e9);
}

/* ---- VM runtime records ------------------------------------------------- */

static struct vm_rt *vm_rt_of(struct ctl *c, struct sim_object *vm)
{
    struct vm_rt *v = vm->priv;

    if (v)
        return v;
    v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->ctl = c;
    v->vm = vm;
    v->ns = strdup(vm->ns);
    v->name = strdup(vm->name);
    v->node = -1;
    v->next = c->vms;
    c->vms = v;
    vm->priv = v;
    return v;
}

/* The run strategy of a VM, from spec.runStrategy or the deprecated spec.running. */
static const char *run_strategy(const cJSON *vm)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(vm, "spec");
    const char *rs = get_str(spec, "runStrategy");
    const cJSON *running = cJSON_GetObjectItemCaseSensitive(spec, "running");

    if (rs)
        return rs;
    if (cJSON_IsBool(running))
        return cJSON_IsTrue(running) ? "Always" : "Halted";
    return "Halted";
}

static int wants_running(const struct vm_rt *v)
{
    const char *rs = run_strategy(v->vm->json);

    if (v->deleting)
        return 0;
    if (strcmp(rs, "Manual") == 0)
        return v->manual_want;
    return strcmp(rs, "Halted") != 0;
}

static void vm_status(struct vm_rt *v, const char *printable, int ready)
{
    cJSON *st;

    if (!v->vm)
        return;
    st = obj_at(v->vm->json, "status");
    put_str(st, "printableStatus", printable);
    put(st, "ready", cJSON_CreateBool(ready));
    put(st, "created", cJSON_CreateBool(v->vmi != NULL));
    set_condition(v->vm->json, "Ready", ready ? "True" : "False", ready ? NULL : "NotReady");
    store_touch(v->ctl->sim->store, v->vm);
    metrics_count_kubevirt(v->ctl->sim->metrics, "PATCH", "virtualmachines", 200);
}

static void vmi_phase(struct vm_rt *v, const char *phase)
{
    cJSON *st = obj_at(v->vmi->json, "status"), *tr, *e;
    char ts[32], what[64];

    put_str(st, "phase", phase);
    tr = cJSON_GetObjectItemCaseSensitive(st, "phaseTransitionTimestamps");
    if (!cJSON_IsArray(tr))
        tr = cJSON_AddArrayToObject(st, "phaseTransitionTimestamps");
    now_ts(ts);
    e = cJSON_CreateObject();
    put_str(e, "phase", phase);
    put_str(e, "phaseTransitionTimestamp", ts);
    cJSON_AddItemToArray(tr, e);
    snprintf(what, sizeof(what), "vmi_phase:%s", phase);
    truth_emit(v->ctl->sim, v->ns, v->name, uid_of(v->vmi), what);
}

static void touch_vmi(struct vm_rt *v)
{
    store_touch(v->ctl->sim->store, v->vmi);
    metrics_count_kubevirt(v->ctl->sim->metrics, "UPDATE", "virtualmachineinstances", 200);
}

/* ---- service times ---------------------------------------------------------- */

static int current(const struct vm_rt *v, uint64_t epoch)
{
    return v->epoch == epoch && v->vm != NULL;
}

static double svc_ctl(void *ctx, void *owner)
{
    struct ctl *c = ctx;

    (void)owner;
    return draw(c, c->m.ctl_op, c->m.ctl_op_gsd);
}

static double svc_sched(void *ctx, void *owner)
{
    struct ctl *c = ctx;

    (void)owner;
    return draw(c, c->m.sched_op, c->m.sched_op_gsd);
}

static double svc_net(void *ctx, void *owner)
{
    struct ctl *c = ctx;

    (void)owner;
    return draw(c, c->m.net_setup, c->m.net_setup_gsd);
}

/* Domain start, then the status write, which waits for the node's API token. */
static double svc_handler(void *ctx, void *owner)
{
    struct ctl *c = ctx;
    struct vm_rt *v = owner;
    double s = draw(c, c->m.handler_op, c->m.handler_op_gsd);
    int64_t now = clock_mono_ns(), ready = now + (int64_t)(s / c->sim->opt.speed * 1e9);

    if (v->node < 0)
        return s;
    return (double)(bucket_reserve(&c->nodes[v->node].api, ready) - now) / 1e9 * c->sim->opt.speed;
}

/* Run fn when virt-handler's rate limiter on v's node lets its API write go. */
static void handler_write(struct ctl *c, struct vm_rt *v, sched_fn fn, uint64_t epoch)
{
    int64_t now = clock_mono_ns();
    int64_t at = v->node >= 0 ? bucket_reserve(&c->nodes[v->node].api, now) : now;

    sched_at(c->sim->sched, at, fn, c, v, epoch);
}

static void step_ip_write(void *ctx, void *arg, uint64_t epoch);
static void step_agent_write(void *ctx, void *arg, uint64_t epoch);

static void step_ip(void *ctx, void *arg, uint64_t epoch)
{
    if (current(arg, epoch))
        handler_write(ctx, arg, step_ip_write, epoch);
}

static void step_agent(void *ctx, void *arg, uint64_t epoch)
{
    if (current(arg, epoch))
        handler_write(ctx, arg, step_agent_write, epoch);
}

/* ---- the start episode ------------------------------------------------------- */

static void vm_start(struct vm_rt *v);
static void reconcile(struct vm_rt *v);
static void retry_unschedulable(struct ctl *c);

static cJSON *new_vmi(struct vm_rt *v)
{
    const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(v->vm->json, "spec"), "template");
    const cJSON *tmeta = cJSON_GetObjectItemCaseSensitive(tmpl, "metadata");
    cJSON *vmi = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(vmi, "metadata");
    cJSON *owners = cJSON_AddArrayToObject(meta, "ownerReferences"), *ref = cJSON_CreateObject();

    put_str(meta, "name", v->name);
    if (cJSON_GetObjectItemCaseSensitive(tmeta, "labels"))
        put(meta, "labels", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(tmeta, "labels"), 1));
    if (cJSON_GetObjectItemCaseSensitive(tmeta, "annotations"))
        put(meta, "annotations",
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(tmeta, "annotations"), 1));
    put_str(ref, "apiVersion", "kubevirt.io/v1");
    put_str(ref, "kind", "VirtualMachine");
    put_str(ref, "name", v->name);
    put_str(ref, "uid", uid_of(v->vm));
    put(ref, "controller", cJSON_CreateTrue());
    put(ref, "blockOwnerDeletion", cJSON_CreateTrue());
    cJSON_AddItemToArray(owners, ref);
    put(vmi, "spec",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(tmpl, "spec"), 1) ?: cJSON_CreateObject());
    cJSON_AddObjectToObject(vmi, "status");
    return vmi;
}

static cJSON *new_pod(struct vm_rt *v)
{
    cJSON *pod = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(pod, "metadata");
    const cJSON *vmeta = cJSON_GetObjectItemCaseSensitive(v->vmi->json, "metadata");
    cJSON *labels = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(vmeta, "labels"), 1);
    cJSON *owners = cJSON_AddArrayToObject(meta, "ownerReferences"), *ref = cJSON_CreateObject();
    cJSON *spec = cJSON_AddObjectToObject(pod, "spec"), *ctr = cJSON_CreateObject();
    char prefix[300];

    snprintf(prefix, sizeof(prefix), "virt-launcher-%s-", v->name);
    put_str(meta, "generateName", prefix);
    if (!labels)
        labels = cJSON_CreateObject();
    put_str(labels, "kubevirt.io", "virt-launcher");
    put_str(labels, "vm.kubevirt.io/name", v->name);
    put_str(labels, "kubevirt.io/created-by", uid_of(v->vmi));
    cJSON_AddItemToObject(meta, "labels", labels);
    put_str(ref, "apiVersion", "kubevirt.io/v1");
    put_str(ref, "kind", "VirtualMachineInstance");
    put_str(ref, "name", v->name);
    put_str(ref, "uid", uid_of(v->vmi));
    put(ref, "controller", cJSON_CreateTrue());
    cJSON_AddItemToArray(owners, ref);
    put_str(ctr, "name", "compute");
    put_str(ctr, "image", "registry.example/kubevirt/virt-launcher:sim");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "containers"), ctr);
    put_str(obj_at(pod, "status"), "phase", "Pending");
    return pod;
}

static void set_vm_failed(struct vm_rt *v, const char *printable)
{
    char what[64];

    v->stage = ST_FAILED;
    vm_status(v, printable, 0);
    snprintf(what, sizeof(what), "vm_failed:%s", printable);
    truth_emit(v->ctl->sim, v->ns, v->name, v->vmi ? uid_of(v->vmi) : "", what);
}

static void step_schedule(void *ctx, void *owner, uint64_t epoch);

static void step_create_vmi(void *ctx, void *owner, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct vm_rt *v = owner;
    struct vs_error err;

    if (!current(v, epoch))
        return;
    v->vmi = store_create(c->sim->store, resource_get(RES_VMIS), v->ns, new_vmi(v), clock_wall_ns(),
                          &err);
    if (!v->vmi) {
        msg_warn("%s/%s: cannot create its VMI: %s", v->ns, v->name, err.msg);
        return;
    }
    v->vmi->priv = v;
    metrics_count_kubevirt(c->sim->metrics, "CREATE", "virtualmachineinstances", 201);
    truth_emit(c->sim, v->ns, v->name, uid_of(v->vmi), "vmi_created");
    vmi_phase(v, "Pending");
    touch_vmi(v);
    guest_next_ip(c->sim, v->ip);
    v->pod = store_create(c->sim->store, resource_get(RES_PODS), v->ns, new_pod(v), clock_wall_ns(),
                          &err);
    if (v->pod) {
        v->pod->priv = v;
        metrics_count_kubevirt(c->sim->metrics, "CREATE", "pods", 201);
    }
    vmi_phase(v, "Scheduling");
    touch_vmi(v);
    vm_status(v, "Starting", 0);
    v->fail = faults_vm_start(c->sim);
    if (v->fail == VM_FAIL_UNSCHEDULABLE) {
        set_vm_failed(v, "ErrorUnschedulable");
        return;
    }
    fifo_push(&c->sched, v, epoch, svc_sched, step_schedule, c);
}

/* The node for v: the fitting node with the most free memory (spread). */
static int pick_node(struct ctl *c, struct vm_rt *v)
{
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(v->vmi->json, "spec"), "nodeSelector");
    const char *host = get_str(sel, "kubernetes.io/hostname");
    double need = v->mem_gib + c->m.launcher_overhead_gib;
    int best = -1;

    for (int i = 0; i < c->nnodes; i++) {
        struct node_rt *n = &c->nodes[i];

        if (host && strcmp(host, n->name) != 0)
            continue;
        if (n->mem_free_gib < need || n->pods >= (int)c->m.node_max_pods)
            continue;
        if (best < 0 || n->mem_free_gib > c->nodes[best].mem_free_gib)
            best = i;
    }
    return best;
}

static void pod_unschedulable(struct vm_rt *v)
{
    v->unschedulable = 1;
    if (v->pod) {
        set_condition(v->pod->json, "PodScheduled", "False", "Unschedulable");
        store_touch(v->ctl->sim->store, v->pod);
    }
    vm_status(v, "ErrorUnschedulable", 0);
}

static void step_net_done(void *ctx, void *owner, uint64_t epoch);

static void step_schedule(void *ctx, void *owner, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct vm_rt *v = owner;
    int node;

    if (!current(v, epoch) || !v->vmi)
        return;
    node = pick_node(c, v);
    if (node < 0) {
        pod_unschedulable(v);
        return;
    }
    v->unschedulable = 0;
    v->node = node;
    c->nodes[node].mem_free_gib -= v->mem_gib + c->m.launcher_overhead_gib;
    c->nodes[node].pods++;
    if (v->pod) {
        put_str(obj_at(v->pod->json, "spec"), "nodeName", c->nodes[node].name);
        set_condition(v->pod->json, "PodScheduled", "True", NULL);
        store_touch(c->sim->store, v->pod);
    }
    fifo_push(&c->nodes[node].net, v, epoch, svc_net, step_net_done, c);
}

static void step_pod_running(void *ctx, void *arg, uint64_t epoch);

static void step_net_done(void *ctx, void *owner, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct vm_rt *v = owner;

    if (!current(v, epoch))
        return;
    ps_add(&c->nodes[v->node].runtime, v, epoch,
           draw(c, c->m.container_start, c->m.container_start_gsd), 1, step_pod_running, c,
           clock_mono_ns());
}

static void step_vmi_running(void *ctx, void *owner, uint64_t epoch);

static void step_pod_running(void *ctx, void *arg, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct vm_rt *v = arg;
    struct node_rt *n;

    if (!current(v, epoch) || !v->vmi)
        return;
    n = &c->nodes[v->node];
    if (v->pod) {
        cJSON *st = obj_at(v->pod->json, "status");

        put_str(st, "phase", v->fail == VM_FAIL_CRASHLOOP ? "Failed" : "Running");
        put_str(st, "podIP", v->ip);
        set_condition(v->pod->json, "Ready", v->fail ? "False" : "True", NULL);
        store_touch(c->sim->store, v->pod);
    }
    put_str(obj_at(v->vmi->json, "status"), "nodeName", n->name);
    vmi_phase(v, "Scheduled");
    touch_vmi(v);
    if (v->fail == VM_FAIL_CRASHLOOP) {
        vmi_phase(v, "Failed");
        touch_vmi(v);
        set_vm_failed(v, "CrashLoopBackOff");
        return;
    }
    fifo_push(&n->handler, v, epoch, svc_handler, step_vmi_running, c);
}

static void step_guest_ready(void *ctx, void *owner, uint64_t epoch);

static void step_vmi_running(void *ctx, void *owner, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct vm_rt *v = owner;
    cJSON *ifs, *iface;

    if (!current(v, epoch) || !v->vmi)
        return;
    ifs = cJSON_CreateArray();
    iface = cJSON_CreateObject();
    put_str(iface, "name", "default");
    put_str(iface, "interfaceName", "eth0");
    cJSON_AddItemToArray(ifs, iface);
    put(obj_at(v->vmi->json, "status"), "interfaces", ifs);
    set_condition(v->vmi->json, "Ready", "True", NULL);
    vmi_phase(v, "Running");
    touch_vmi(v);
    v->stage = ST_RUNNING;
    vm_status(v, "Running", 1);
    sched_at(c->sim->sched, after(c, draw(c, c->m.ip_delay, c->m.ip_delay_gsd)), step_ip, c, v,
             epoch);
    ps_add_grouped(&c->boot, v, epoch, draw(c, c->m.boot_work, c->m.boot_work_gsd),
                   &(struct ps_share){1, v->node, v->vcpus}, step_guest_ready, c, clock_mono_ns());
}

static void step_ip_write(void *ctx, void *arg, uint64_t epoch)
{
    struct vm_rt *v = arg;
    cJSON *iface, *ips;

    (void)ctx;
    if (!current(v, epoch) || !v->vmi)
        return;
    iface = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(obj_at(v->vmi->json, "status"), "interfaces"), 0);
    if (!iface)
        return;
    put_str(iface, "ipAddress", v->ip);
    ips = cJSON_CreateArray();
    cJSON_AddItemToArray(ips, cJSON_CreateString(v->ip));
    put(iface, "ipAddresses", ips);
    touch_vmi(v);
    truth_emit(v->ctl->sim, v->ns, v->name, uid_of(v->vmi), "ip_published");
}

static void step_fio(void *ctx, void *arg, uint64_t epoch);

static void step_guest_ready(void *ctx, void *owner, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct vm_rt *v = owner;
    struct vs_error err;

    if (!current(v, epoch) || !v->vmi)
        return;
    v->guest = guest_open(c->sim, v->ip, &err);
    if (v->guest) {
        truth_emit(c->sim, v->ns, v->name, uid_of(v->vmi), "guest_ready");
    } else {
        /* its network is up but it cannot listen (a program took the port on
           all addresses since the start): the truth must not call it ready */
        msg_warn("%s/%s: guest network: %s", v->ns, v->name, err.msg);
        truth_emit(c->sim, v->ns, v->name, uid_of(v->vmi), "guest_unreachable");
    }
    sched_at(c->sim->sched, after(c, draw(c, c->m.agent_delay, c->m.agent_delay_gsd)), step_agent,
             c, v, epoch);
    if (c->sim->opt.fio_port) /* not with --no-fio */
        sched_at(c->sim->sched, after(c, c->m.fio_runtime), step_fio, c, v, epoch);
}

static void step_agent_write(void *ctx, void *arg, uint64_t epoch)
{
    struct vm_rt *v = arg;
    cJSON *os;

    (void)ctx;
    if (!current(v, epoch) || !v->vmi)
        return;
    set_condition(v->vmi->json, "AgentConnected", "True", NULL);
    os = cJSON_CreateObject();
    put_str(os, "id", "rhel");
    put_str(os, "name", "Red Hat Enterprise Linux");
    put_str(os, "version", "9.4");
    put(obj_at(v->vmi->json, "status"), "guestOSInfo", os);
    touch_vmi(v);
    truth_emit(v->ctl->sim, v->ns, v->name, uid_of(v->vmi), "agent_connected");
}

extern char *fio_result_for(struct sim *sim, const char *vm_name);

static void step_fio(void *ctx, void *arg, uint64_t epoch)
{
    struct vm_rt *v = arg;
    char *json;

    (void)ctx;
    if (!current(v, epoch) || !v->guest)
        return;
    json = fio_result_for(v->ctl->sim, v->name);
    guest_set_fio(v->guest, json);
    free(json);
}

static void vm_start(struct vm_rt *v)
{
    struct ctl *c = v->ctl;

    v->epoch++;
    v->stage = ST_STARTING;
    v->fail = VM_FAIL_NONE;
    fifo_push(&c->vctl, v, v->epoch, svc_ctl, step_create_vmi, c);
}

/* ---- the stop episode --------------------------------------------------------- */

static void release_node(struct vm_rt *v)
{
    struct ctl *c = v->ctl;
    int64_t now = clock_mono_ns();

    fifo_remove_owner(&c->vctl, v);
    fifo_remove_owner(&c->sched, v);
    ps_remove_owner(&c->boot, v, now);
    for (int i = 0; i < c->nnodes; i++) {
        fifo_remove_owner(&c->nodes[i].net, v);
        fifo_remove_owner(&c->nodes[i].handler, v);
        ps_remove_owner(&c->nodes[i].runtime, v, now);
    }
    if (v->node >= 0) {
        c->nodes[v->node].mem_free_gib += v->mem_gib + c->m.launcher_overhead_gib;
        c->nodes[v->node].pods--;
        v->node = -1;
    }
    guest_close(c->sim, v->guest);
    v->guest = NULL;
}

static void finish_vm_delete(struct vm_rt *v);

static void step_deleted(void *ctx, void *arg, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct vm_rt *v = arg;
    char uid[40];

    if (v->epoch != epoch)
        return;
    snprintf(uid, sizeof(uid), "%s", uid_of(v->vmi));
    if (v->pod) {
        store_delete(c->sim->store, v->pod);
        metrics_count_kubevirt(c->sim->metrics, "DELETE", "pods", 200);
    }
    if (v->vmi) {
        store_delete(c->sim->store, v->vmi);
        metrics_count_kubevirt(c->sim->metrics, "DELETE", "virtualmachineinstances", 200);
        truth_emit(c->sim, v->ns, v->name, uid, "vmi_deleted");
    }
    v->pod = v->vmi = NULL;
    v->stage = ST_STOPPED;
    if (v->vm) {
        vm_status(v, "Stopped", 0);
        truth_emit(c->sim, v->ns, v->name, "", "vm_stopped");
    }
    retry_unschedulable(c);
    if (v->deleting)
        finish_vm_delete(v);
    else if (v->vm)
        reconcile(v);
}

static void step_succeeded(void *ctx, void *arg, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct vm_rt *v = arg;

    if (v->epoch != epoch || !v->vmi)
        return;
    release_node(v);
    set_condition(v->vmi->json, "Ready", "False", "PodTerminating");
    vmi_phase(v, "Succeeded");
    touch_vmi(v);
    if (v->pod) {
        put_str(obj_at(v->pod->json, "status"), "phase", "Succeeded");
        store_touch(c->sim->store, v->pod);
    }
    sched_at(c->sim->sched, after(c, draw(c, c->m.teardown, c->m.teardown_gsd)), step_deleted, c, v,
             epoch);
}

static void step_shutdown_done(void *ctx, void *arg, uint64_t epoch)
{
    if (((struct vm_rt *)arg)->epoch == epoch)
        handler_write(ctx, arg, step_succeeded, epoch);
}

/* The VMI's terminationGracePeriodSeconds (KubeVirt's default: 30 s). */
static double grace_period(const struct vm_rt *v)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(v->vmi->json, "spec"), "terminationGracePeriodSeconds");

    return cJSON_IsNumber(g) && g->valuedouble >= 0 ? g->valuedouble : 30.0;
}

static void vm_stop(struct vm_rt *v)
{

    struct ctl *c = v->ctl;
    double t;
    char ts[32];

    if (v->stage == ST_STOPPING || v->stage == ST_STOPPED)
        return;
    v->epoch++;
    if (!v->vmi) {
        /* stopped before virt-controller created the VMI */
        release_node(v);
        v->stage = ST_STOPPED;
        vm_status(v, "Stopped", 0);
        return;
    }
    v->stage = ST_STOPPING;
    fifo_remove_owner(&c->vctl, v);
    fifo_remove_owner(&c->sched, v);
    now_ts(ts);
    put_str(obj_at(v->vmi->json, "metadata"), "deletionTimestamp", ts);
    touch_vmi(v);
    vm_status(v, "Stopping", 0);
    t = v->guest || strcmp(get_str(obj_at(v->vmi->json, "status"), "phase") ?: "", "Running") == 0
            ? draw(c, c->m.shutdown, c->m.shutdown_gsd)
            : 0.1;
    if (t > grace_period(v))
        t = grace_period(v); /* virt-launcher kills the domain when the grace period ends */

    sched_at(c->sim->sched, after(c, t), step_shutdown_done, c, v, v->epoch);
}

/* Bring v where its run strategy wants it. */
static void reconcile(struct vm_rt *v)
{
    int want = wants_running(v);

    if (want && v->stage == ST_STOPPED && v->dv_pending == 0 && !v->deleting)
        vm_start(v);
    else if (want && v->stage == ST_STOPPED && v->dv_pending > 0)
        vm_status(v, "Provisioning", 0);
    else if (!want && (v->stage == ST_STARTING || v->stage == ST_RUNNING || v->stage == ST_FAILED))
        vm_stop(v);
}

static void retry_unschedulable(struct ctl *c)
{
    for (struct vm_rt *v = c->vms; v; v = v->next)
        if (v->unschedulable && v->stage == ST_STARTING && v->vmi) {
            v->unschedulable = 0;
            fifo_push(&c->sched, v, v->epoch, svc_sched, step_schedule, c);
        }
}

/* ---- DataVolumes ----------------------------------------------------------- */

static void dv_phase(struct dv_rt *d, const char *phase, const char *progress)
{
    char what[96];
    cJSON *st;

    if (!d->dv)
        return;
    st = obj_at(d->dv->json, "status");
    put_str(st, "phase", phase);
    if (progress)
        put_str(st, "progress", progress);
    store_touch(d->ctl->sim->store, d->dv);
    snprintf(what, sizeof(what), "dv_phase:%s", phase);
    truth_emit(d->ctl->sim, d->dv->ns, d->owner ? d->owner->name : d->dv->name, "", what);
}

static void dv_done(void *ctx, void *owner, uint64_t epoch)
{
    struct dv_rt *d = owner;

    (void)ctx;
    if (d->epoch != epoch || !d->dv)
        return;
    dv_phase(d, "Succeeded", "100.0%");
    set_condition(d->dv->json, "Ready", "True", NULL);
    store_touch(d->ctl->sim->store, d->dv);
    if (d->owner && d->owner->vm) {
        d->owner->dv_pending--;
        reconcile(d->owner);
    }
}

/* Host-assisted clones report progress, as CDI's importer does. */
static void dv_progress(void *ctx, void *arg, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct dv_rt *d = arg;
    double f;
    char pct[16];
    const char *old;

    if (d->epoch != epoch || !d->dv)
        return;
    f = ps_fraction_done(&c->storage, d, clock_mono_ns());
    if (f < 0)
        return; /* done */
    snprintf(pct, sizeof(pct), "%.2f%%", f * 100.0);
    old = get_str(obj_at(d->dv->json, "status"), "progress");
    if (!old || atof(old) + 1.0 <= f * 100.0) {
        put_str(obj_at(d->dv->json, "status"), "progress", pct);
        store_touch(c->sim->store, d->dv);
    }
    sched_at(c->sim->sched, after(c, 2.0), dv_progress, c, d, epoch);
}

static void dv_step(void *ctx, void *arg, uint64_t epoch)
{
    struct ctl *c = ctx;
    struct dv_rt *d = arg;
    const char *phase;

    if (d->epoch != epoch || !d->dv)
        return;
    phase = get_str(obj_at(d->dv->json, "status"), "phase");
    if (!phase || strcmp(phase, "Pending") == 0) {
        dv_phase(d, "CloneScheduled", "N/A");
        sched_at(c->sim->sched, after(c, 0.5), dv_step, c, d, epoch);
    } else if (c->m.clone_host_assisted > 0) {
        dv_phase(d, "CloneInProgress", "0.00%");
        ps_add(&c->storage, d, epoch, c->m.image_gib * 1024.0 / c->m.host_clone_mbps, 1, dv_done, c,
               clock_mono_ns());
        sched_at(c->sim->sched, after(c, 2.0), dv_progress, c, d, epoch);
    } else {
        dv_phase(d, "CSICloneInProgress", "N/A");
        ps_add(&c->storage, d, epoch, draw(c, c->m.csi_clone, c->m.csi_clone_gsd), 1, dv_done, c,
               clock_mono_ns());
    }
}

static struct dv_rt *dv_track(struct ctl *c, struct sim_object *dv, struct vm_rt *owner)
{
    struct dv_rt *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    d->ctl = c;
    d->dv = dv;
    d->owner = owner;
    d->epoch = 1;
    d->next = c->dvs;
    c->dvs = d;
    dv->priv = d;
    put_str(obj_at(dv->json, "status"), "phase", "Pending");
    store_touch(c->sim->store, dv);
    truth_emit(c->sim, dv->ns, owner ? owner->name : dv->name, "", "dv_phase:Pending");
    sched_at(c->sim->sched, after(c, 0.3), dv_step, c, d, d->epoch);
    return d;
}

static void create_dvs(struct ctl *c, struct vm_rt *v)
{
    const cJSON *tmpls = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(v->vm->json, "spec"), "dataVolumeTemplates");
    const cJSON *t;

    cJSON_ArrayForEach(t, tmpls)
    {
        const cJSON *tmeta = cJSON_GetObjectItemCaseSensitive(t, "metadata");
        const char *name = get_str(tmeta, "name");
        cJSON *dv, *meta, *ref;
        struct sim_object *o;

        if (!name || store_get(c->sim->store, resource_get(RES_DVS), v->ns, name))
            continue;
        dv = cJSON_CreateObject();
        meta = cJSON_AddObjectToObject(dv, "metadata");
        put_str(meta, "name", name);
        if (cJSON_GetObjectItemCaseSensitive(tmeta, "labels"))
            put(meta, "labels",
                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(tmeta, "labels"), 1));
        ref = cJSON_CreateObject();
        put_str(ref, "apiVersion", "kubevirt.io/v1");
        put_str(ref, "kind", "VirtualMachine");
        put_str(ref, "name", v->name);
        put_str(ref, "uid", uid_of(v->vm));
        put(ref, "controller", cJSON_CreateTrue());
        cJSON_AddItemToArray(cJSON_AddArrayToObject(meta, "ownerReferences"), ref);
        put(dv, "spec",
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "spec"), 1)
                ?: cJSON_CreateObject());
        o = store_create(c->sim->store, resource_get(RES_DVS), v->ns, dv, clock_wall_ns(), NULL);
        if (!o)
            continue;
        metrics_count_kubevirt(c->sim->metrics, "CREATE", "datavolumes", 201);
        if (dv_track(c, o, v))
            v->dv_pending++;
    }
}

/* ---- VM sizes ---------------------------------------------------------------- */

/* Parse a Kubernetes quantity ("2Gi", "2048Mi", "4G", "500m", "2") into base units. */
static double quantity(const char *q)
{
    static const struct {
        const char *suffix;
        double mult;
    } sfx[] = {{"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
               {"k", 1e3},     {"M", 1e6},        {"G", 1e9},           {"T", 1e12},
               {"m", 1e-3}};
    char *end;
    double v = q ? strtod(q, &end) : NAN;

    if (!q || end == q)
        return NAN;
    for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
        if (strcmp(end, sfx[i].suffix) == 0)
            return v * sfx[i].mult;
    return *end ? NAN : v;
}

static void size_vm(struct ctl *c, struct vm_rt *v)
{
    const cJSON *domain = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v->vm->json, "spec"),
                                             "template"),
            "spec"),
        "domain");
    const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(domain, "cpu");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(domain, "resources"), "requests");
    const cJSON *cores = cJSON_GetObjectItemCaseSensitive(cpu, "cores");
    double mem = quantity(get_str(cJSON_GetObjectItemCaseSensitive(domain, "memory"), "guest"));

    if (isnan(mem))
        mem = quantity(get_str(req, "memory"));
    v->mem_gib = isnan(mem) ? c->m.vm_memory_gib : mem / 1073741824.0;
    v->vcpus = cJSON_IsNumber(cores) && cores->valuedouble > 0 ? cores->valuedouble : c->m.vm_vcpus;
}

/* ---- namespaces --------------------------------------------------------------- */

static void ns_sweep(void *ctx, void *arg, uint64_t token);

static void ns_terminate(struct ctl *c, struct sim_object *ns)
{
    struct ns_rt *t = calloc(1, sizeof(*t));
    char ts[32];

    now_ts(ts);
    put_str(obj_at(ns->json, "metadata"), "deletionTimestamp", ts);
    put_str(obj_at(ns->json, "status"), "phase", "Terminating");
    store_touch(c->sim->store, ns);
    if (!t)
        return;
    t->name = strdup(ns->name);
    t->next = c->terminating;
    c->terminating = t;
    sched_at(c->sim->sched, after(c, 0.2), ns_sweep, c, t, 0);
}

/* Delete what is in a terminating namespace; the namespace goes once it is empty. */
static void ns_sweep(void *ctx, void *arg, uint64_t token)
{
    struct ctl *c = ctx;
    struct ns_rt *t = arg;
    size_t left = 0;
    struct sim_object *ns;

    (void)token;
    if (!t->name)
        return;
    for (int r = 0; r < RES_COUNT; r++) {
        const struct sim_resource *res = resource_get((enum sim_res_id)r);
        struct sim_object **objs;
        size_t n;

        if (!res->namespaced)
            continue;
        n = store_list(c->sim->store, res, t->name, &objs);
        left += n;
        for (size_t i = 0; i < n; i++)
            if (!cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(objs[i]->json, "metadata"),
                    "deletionTimestamp") &&
                ctl_object_deleting(c, objs[i]) == 0)
                store_delete(c->sim->store, objs[i]);
        free(objs);
    }
    ns = store_get(c->sim->store, resource_get(RES_NAMESPACES), "", t->name);
    if (left == 0 && ns) {
        store_delete(c->sim->store, ns);
        free(t->name);
        t->name = NULL;
        return;
    }
    sched_at(c->sim->sched, after(c, 0.5), ns_sweep, c, t, 0);
}

/* ---- hooks from the API --------------------------------------------------------- */

void ctl_object_created(struct ctl *c, struct sim_object *o)
{
    struct vm_rt *v;

    switch (o->res->id) {
    case RES_NAMESPACES:
        put_str(obj_at(o->json, "status"), "phase", "Active");
        store_touch(c->sim->store, o);
        break;
    case RES_VMS:
        v = vm_rt_of(c, o);
        if (!v)
            return;
        size_vm(c, v);
        truth_emit(c->sim, v->ns, v->name, "", "vm_created");
        create_dvs(c, v);
        vm_status(v, v->dv_pending ? "Provisioning" : "Stopped", 0);
        reconcile(v);
        break;
    case RES_DVS:
        dv_track(c, o, NULL);
        break;
    default:
        break;
    }
}

void ctl_object_updated(struct ctl *c, struct sim_object *o)
{
    if (o->res->id == RES_VMS && o->priv) {
        size_vm(c, o->priv);
        reconcile(o->priv);
    }
}

static void finish_vm_delete(struct vm_rt *v)
{
    struct ctl *c = v->ctl;

    for (struct dv_rt *d = c->dvs; d; d = d->next)
        if (d->owner == v && d->dv) {
            struct sim_object *dv = d->dv;

            d->dv = NULL;
            d->epoch++;
            ps_remove_owner(&c->storage, d, clock_mono_ns());
            store_delete(c->sim->store, dv);
        }
    if (v->vm) {
        struct sim_object *vm = v->vm;

        v->vm = NULL;
        store_delete(c->sim->store, vm);
    }
}

static void deferred_vm_delete(void *ctx, void *arg, uint64_t token)
{
    struct vm_rt *v = arg;

    (void)ctx;
    (void)token;
    if (v->stage != ST_STOPPED)
        vm_stop(v);             /* step_deleted finishes the deletion */
    if (v->stage == ST_STOPPED) /* already, or stopped before its VMI existed */
        finish_vm_delete(v);
}

int ctl_object_deleting(struct ctl *c, struct sim_object *o)
{
    struct vm_rt *v = o->priv;
    struct dv_rt *d;
    char ts[32];

    switch (o->res->id) {
    case RES_NAMESPACES:
        if (!cJSON_GetObjectItemCaseSensitive(obj_at(o->json, "metadata"), "deletionTimestamp"))
            ns_terminate(c, o);
        return 1;
    case RES_VMS:
        if (!v || v->deleting)
            return v ? 1 : 0;
        v->deleting = 1;
        now_ts(ts);
        put_str(obj_at(o->json, "metadata"), "deletionTimestamp", ts);
        store_touch(c->sim->store, o);
        sched_at(c->sim->sched, clock_mono_ns(), deferred_vm_delete, c, v, 0);
        return 1;
    case RES_VMIS:
    case RES_PODS:
        /* a deleted VMI or launcher pod ends the episode; the VM may start anew */
        if (!v)
            return 0;
        if (v->stage != ST_STOPPING)
            sched_at(c->sim->sched, clock_mono_ns(), deferred_vm_delete, c, v, 0);
        return 1;
    case RES_DVS:
        d = o->priv;
        if (d) {
            d->dv = NULL;
            d->epoch++;
            ps_remove_owner(&c->storage, d, clock_mono_ns());
        }
        return 0;
    default:
        return 0;
    }
}

int ctl_vm_start(struct ctl *c, struct sim_object *vm, struct vs_error *err)
{
    struct vm_rt *v = vm_rt_of(c, vm);
    const char *rs = run_strategy(vm->json);
    cJSON *spec = obj_at(vm->json, "spec");

    if (!v)
        return vs_error_setc(err, 500, NULL, 0, 0, "out of memory"), 500;
    if (strcmp(rs, "Always") == 0 || strcmp(rs, "Once") == 0) {
        if (v->stage == ST_RUNNING || v->stage == ST_STARTING)
            vs_error_set(err, NULL, 0, 0, "VM is already running");
        else
            vs_error_set(err, NULL, 0, 0, "%s does not support manual start requests", rs);
        return 409;
    }
    if (strcmp(rs, "Halted") == 0) {
        if (cJSON_GetObjectItemCaseSensitive(spec, "running"))
            put(spec, "running", cJSON_CreateTrue());
        else
            put_str(spec, "runStrategy", "Always");
        store_touch(c->sim->store, vm);
    } else {
        v->manual_want = 1; /* Manual, RerunOnFailure: a start request */
    }
    truth_emit(c->sim, v->ns, v->name, "", "vm_start_requested");
    reconcile(v);
    return 202;
}

int ctl_vm_stop(struct ctl *c, struct sim_object *vm, struct vs_error *err)
{
    struct vm_rt *v = vm_rt_of(c, vm);
    const char *rs = run_strategy(vm->json);
    cJSON *spec = obj_at(vm->json, "spec");

    if (!v)
        return vs_error_setc(err, 500, NULL, 0, 0, "out of memory"), 500;
    if (strcmp(rs, "Halted") == 0 ||
        ((strcmp(rs, "Manual") == 0 || strcmp(rs, "RerunOnFailure") == 0) &&
         v->stage == ST_STOPPED)) {
        vs_error_set(err, NULL, 0, 0, "VM is not running");
        return 409;
    }
    if (strcmp(rs, "Always") == 0 || strcmp(rs, "Once") == 0) {
        if (cJSON_GetObjectItemCaseSensitive(spec, "running"))
            put(spec, "running", cJSON_CreateFalse());
        else
            put_str(spec, "runStrategy", "Halted");
        store_touch(c->sim->store, vm);
    } else {
        v->manual_want = 0;
    }
    truth_emit(c->sim, v->ns, v->name, uid_of(v->vmi), "vm_stop_requested");
    reconcile(v);
    return 202;
}

/* ---- setup --------------------------------------------------------------------- */

static cJSON *new_node(struct ctl *c, const char *name)
{
    cJSON *n = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(n, "metadata");
    cJSON *labels = cJSON_AddObjectToObject(meta, "labels"), *st = obj_at(n, "status");
    cJSON *cap = cJSON_CreateObject(), *info = cJSON_AddObjectToObject(st, "nodeInfo");
    char buf[32];

    put_str(meta, "name", name);
    put_str(labels, "kubernetes.io/hostname", name);
    put_str(labels, "kubernetes.io/os", "linux");
    put_str(labels, "node-role.kubernetes.io/worker", "");
    put_str(labels, "kubevirt.io/schedulable", "true");
    snprintf(buf, sizeof(buf), "%.0f", c->m.node_cores);
    put_str(cap, "cpu", buf);
    snprintf(buf, sizeof(buf), "%.0fGi", c->m.node_memory_gib);
    put_str(cap, "memory", buf);
    snprintf(buf, sizeof(buf), "%.0f", c->m.node_max_pods);
    put_str(cap, "pods", buf);
    put(st, "capacity", cap);
    put(st, "allocatable", cJSON_Duplicate(cap, 1));
    put_str(info, "kubeletVersion", "v1.30.0");
    put_str(info, "osImage", "vmstorm-sim");
    put_str(info, "architecture", "amd64");
    put_str(info, "containerRuntimeVersion", "cri-o://1.30.0");
    set_condition(n, "Ready", "True", "KubeletReady");
    return n;
}

struct ctl *ctl_new(struct sim *sim, const struct model *m, struct vs_error *err)
{
    struct ctl *c = calloc(1, sizeof(*c));
    int width;

    if (!c || !(c->nodes = calloc((size_t)sim->opt.nodes, sizeof(*c->nodes)))) {
        free(c);
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    c->sim = sim;
    c->m = *m;
    c->nnodes = sim->opt.nodes;
    fifo_init(&c->vctl, "virt-controller", (int)c->m.ctl_workers, sim->sched, sim->opt.speed);
    fifo_init(&c->sched, "kube-scheduler", 1, sim->sched, sim->opt.speed);
    ps_init(&c->boot, "guest-boot", c->m.boot_io_capacity, sim->sched, sim->opt.speed);
    ps_init(&c->storage, "storage", c->m.clone_host_assisted > 0 ? 1 : c->m.clone_capacity,
            sim->sched, sim->opt.speed);
    if (ps_set_groups(&c->boot, c->nnodes, c->m.node_cores) < 0) {
        ctl_free(c);
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    width = c->nnodes >= 100 ? 3 : 2;
    for (int i = 0; i < c->nnodes; i++) {
        struct node_rt *n = &c->nodes[i];

        snprintf(n->name, sizeof(n->name), "sim-node-%0*d", width, i + 1);
        n->mem_free_gib = c->m.node_memory_gib;
        fifo_init(&n->net, "node-network", 1, sim->sched, sim->opt.speed);
        fifo_init(&n->handler, "virt-handler", (int)c->m.handler_workers, sim->sched,
                  sim->opt.speed);
        ps_init(&n->runtime, "node-runtime", c->m.node_pod_starts, sim->sched, sim->opt.speed);
        bucket_init(&n->api, c->m.handler_qps, c->m.handler_burst, sim->opt.speed, clock_mono_ns());
        n->obj = store_create(sim->store, resource_get(RES_NODES), "", new_node(c, n->name),
                              clock_wall_ns(), NULL);
    }
    golden_images(sim);
    return c;
}

/*
 * What OpenShift Virtualization ships: the namespace of the golden images and
 * a DataSource per image, which templates clone with sourceRef (see
 * samples/templates/vm-datasource.yaml).
 */
static void golden_images(struct sim *sim)
{
    static const char *const images[] = {"rhel9", "rhel8", "fedora", "centos-stream9"};
    cJSON *ns = cJSON_CreateObject();

    put_str(obj_at(ns, "metadata"), "name", GOLDEN_IMAGES_NS);
    put_str(obj_at(ns, "status"), "phase", "Active");
    store_create(sim->store, resource_get(RES_NAMESPACES), "", ns, clock_wall_ns(), NULL);
    for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
        cJSON *ds = cJSON_CreateObject(), *pvc;

        put_str(ds, "apiVersion", "cdi.kubevirt.io/v1beta1");
        put_str(ds, "kind", "DataSource");
        put_str(obj_at(ds, "metadata"), "name", images[i]);
        pvc = obj_at(obj_at(obj_at(ds, "spec"), "source"), "pvc");
        put_str(pvc, "name", images[i]);
        put_str(pvc, "namespace", GOLDEN_IMAGES_NS);
        store_create(sim->store, resource_get(RES_DATASOURCES), GOLDEN_IMAGES_NS, ds,
                     clock_wall_ns(), NULL);
    }
}

void ctl_free(struct ctl *c)
{
    if (!c)
        return;
    for (struct vm_rt *v = c->vms, *next; v; v = next) {
        next = v->next;
        guest_close(c->sim, v->guest);
        free(v->ns);
        free(v->name);
        free(v);
    }
    for (struct dv_rt *d = c->dvs, *next; d; d = next) {
        next = d->next;
        free(d);
    }
    for (struct ns_rt *t = c->terminating, *next; t; t = next) {
        next = t->next;
        free(t->name);
        free(t);
    }
    for (int i = 0; i < c->nnodes; i++) {
        fifo_release(&c->nodes[i].net);
        fifo_release(&c->nodes[i].handler);
        ps_release(&c->nodes[i].runtime);
    }
    fifo_release(&c->vctl);
    fifo_release(&c->sched);
    ps_release(&c->storage);
    ps_release(&c->boot);
    free(c->nodes);
    free(c);
}
