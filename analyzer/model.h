/*
 * model.h - what a run file says about each VM start, read in one pass.
 *
 * An EPISODE is one start of one VM: its creation, or a start in the
 * storm. It is keyed by the uid of the VirtualMachineInstance that the
 * start produced, and carries the times (both clocks) of its milestones,
 * as the collector observed them:
 *
 *   vmi_created  first sight of the VMI (watch ADDED)
 *   scheduled    VMI phase Scheduled
 *   running      VMI phase Running
 *   vm_running   the VM's printableStatus Running
 *   ip           the VMI's first IP address
 *   ready        the probe succeeded
 *   agent        the guest agent connected
 *
 * and t0: when the collector sent the request that caused it (the POST of
 * the VM in the create phase; the start subresource, or the runStrategy
 * patch, in the storm). Requests are matched to episodes after the whole
 * file is read, by time, not by line order: an api_request line is written
 * when its answer arrives, which can be after the first watch event of the
 * VMI it caused. The rule: an episode's t0 is the latest start request of
 * its VM sent before the VMI was first seen and after the previous
 * episode's VMI of that VM was first seen. A stop's latency is from the
 * latest stop request before the VMI disappeared to its disappearance; a
 * VMI that a successful stop request of the stop phase did not make
 * disappear counts as a stop that never finished.
 *
 * Special cases, so that no start is lost and none counted twice:
 *   - a start request answered 2xx that no VMI followed (before the VM's
 *     next start) is an episode of its own with no VMI (uid ""), censored
 *     on every milestone, vmi_created included;
 *   - a VMI of the same VM and phase with no request of its own, after one
 *     that never reached the goal (ready when the run probed, else Running),
 *     is KubeVirt replacing a failed VMI: it inherits the start's t0 and
 *     the failed one is marked superseded (left out of the figures);
 *   - a VMI first seen before the first phase is in phase "setup";
 *   - Running implies Scheduled (a VMI first seen Running was scheduled by
 *     then); a milestone time before the episode's t0 (or a probe before
 *     its VMI was seen) is dropped and counted, never a negative duration.
 *
 * A milestone not reached is simply absent: the statistics count it as
 * censored, never as zero. Memory is proportional to VMs and episodes,
 * not to events.
 */
#ifndef VS_ANALYZER_MODEL_H
#define VS_ANALYZER_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "clock.h"
#include "error.h"
#include "event.h"

enum milestone {
    M_VMI_CREATED,
    M_SCHEDULED,
    M_RUNNING,
    M_VM_RUNNING,
    M_IP,
    M_READY,
    M_AGENT,
    M_COUNT
};

/* "vmi_created", "scheduled", ...; NULL out of range. */
const char *milestone_name(enum milestone m);

struct episode {
    char phase[16]; /* the phase of the request that caused it ("create", "storm"), or of the
                       first sight of its VMI when no request is known */
    char *ns, *name, *uid;
    char *node; /* where the VMI ran, or NULL */
    int has_t0;
    struct vs_time t0; /* the request that caused it */
    unsigned reached;  /* bit (1 << milestone) */
    struct vs_time at[M_COUNT];
    char probe[16];      /* the latest probe result ("ready", "timeout", ...), "" when none */
    char vm_status[32];  /* the VM's last printableStatus during the episode, "" when none seen */
    char vm_failure[32]; /* the last failing printableStatus it showed then, "" when none */
    int vmi_failed;      /* the VMI reached phase Failed */
    struct vs_time probe_at;
    int gone; /* the VMI was deleted */
    struct vs_time gone_at;
    int has_stop; /* a stop request preceded its deletion */
    struct vs_time stop_t0;
    int superseded; /* a VMI that failed and that KubeVirt replaced (same start, no new request):
                       the start is measured on its replacement; left out of the figures */
    /* The server's own times of the VMI (metadata.creationTimestamp and the
       Running phase transition; one-second resolution), unix ns; 0 = unknown. */
    int64_t srv_created_ns, srv_running_ns;
    struct episode *next; /* in order of first sight */
};

/*
 * A DataVolume (keyed by uid): its first sight, when its import or clone
 * was seen in progress, and when it Succeeded or Failed; its phase is the
 * collector phase under way at its first sight. DataVolumes are measured
 * on their own (the event stream does not say which VM owns one).
 */
struct datavolume {
    char phase[16];
    struct vs_time seen, started, done;
    int has_started, succeeded, failed;
};

struct phase_span {
    char name[16];
    char status[16]; /* "" until its phase_end */
    int ended;
    struct vs_time begin, end;
};

struct model {
    char *run_id;
    cJSON *run_begin; /* the whole run_begin event (config, cluster, clock) */
    int has_run_end;
    char run_status[16];
    struct phase_span *phases;
    size_t n_phases;
    struct episode *first, *last;
    size_t n_episodes;
    long events;             /* lines read */
    long dropped_milestones; /* milestone times before their start (clock or recording
                                problems): not used */
    long unmatched_probes;   /* probe results for VMIs never seen */
    struct datavolume *dvs;  /* after model_finish: n_dvs of them */
    size_t n_dvs;
    long kinds[EV_KIND_COUNT];
    struct model_priv *priv;
};

struct model *model_new(void);
void model_free(struct model *m);

/* Take one event into account. 0, or -1 with err (ENOMEM). */
int model_add(struct model *m, const struct event *ev, struct vs_error *err);

/* After the last event: match requests to episodes. 0, or -1 with err. */
int model_finish(struct model *m, struct vs_error *err);

/* Why episode e failed, when it did not get ready and the cluster said it
   failed: the VM's failing printableStatus ("CrashLoopBackOff", ...), else
   "Failed" when only the VMI's phase said so. NULL otherwise. */
const char *episode_failure(const struct episode *e);

#endif
