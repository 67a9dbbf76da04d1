/*
 * model.h - the parameters of the timing model (see sim/MODEL.md for what
 * each stands for and where its default comes from). Times are in model
 * seconds; the simulator runs them `--speed` times faster. Random durations
 * are log-normal, given as a median and a geometric standard deviation.
 *
 * A --model FILE holds "key = value" lines (# comments) overriding defaults;
 * keys are the field names below, values numbers from 0 to MODEL_VALUE_MAX.
 */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include "error.h"

#define MODEL_VALUE_MAX 1e6

struct model {
    /* control plane */
    double ctl_workers, ctl_op, ctl_op_gsd; /* virt-controller: workers, per-VMI work */
    double sched_op, sched_op_gsd;          /* kube-scheduler: per pod, serial */
    /* node */
    double net_setup, net_setup_gsd;             /* pod sandbox + CNI, serialized per node */
    double container_start, container_start_gsd; /* launcher container start, parallel */
    double node_pod_starts;                      /* launcher pod starts a node runs at full speed */
    double handler_workers, handler_op, handler_op_gsd; /* virt-handler: domain start */
    double handler_qps, handler_burst;                  /* virt-handler's API client, per node */
    double ip_delay, ip_delay_gsd;                      /* Running -> IP in status.interfaces */
    double boot_work, boot_work_gsd;     /* guest boot to network-ready, s at full speed */
    double boot_io_capacity;             /* guest boots the shared storage serves at full speed */
    double agent_delay, agent_delay_gsd; /* network-ready -> AgentConnected */
    double shutdown, shutdown_gsd;       /* stop request -> VMI Succeeded (guest ACPI) */
    double teardown, teardown_gsd;       /* Succeeded -> VMI and pod deleted */
    /* storage */
    double clone_host_assisted;      /* 0: CSI clone, 1: host-assisted copy */
    double csi_clone, csi_clone_gsd; /* one CSI clone, alone */
    double clone_capacity;           /* clones the backend runs at full speed */
    double host_clone_mbps;          /* host-assisted copy bandwidth, shared, MB/s */
    double image_gib;                /* data a host-assisted clone copies */
    /* nodes and VMs */
    double node_cores, node_memory_gib, node_max_pods;
    double vm_vcpus, vm_memory_gib; /* when the VM template does not say */
    double launcher_overhead_gib;   /* virt-launcher memory overhead per VM */
    /* guest benchmark */
    double fio_runtime; /* fio run in the guest after boot */
};

void model_defaults(struct model *m);
/*
 * Override from a file. -1 with err naming file:line: err->code is an errno
 * when the file cannot be read, 0 when its content is bad.
 */
int model_load(struct model *m, const char *path, struct vs_error *err);

#endif
