/*
 * track.h - from watched Kubernetes objects to the changes a run records.
 *
 * The collector watches VMs, VMIs, DataVolumes and virt-launcher pods. Of
 * each object it tracks a few fields, as strings; when a watch event changes
 * one of them it writes a `watch_event` line (schemas/event.schema.json,
 * $defs/watch_event) whose body track_event_body() builds.
 *
 * Tracked fields, by resource (the index i of track_field_name() and of
 * struct track_state::v follows this order):
 *
 *   TRACK_VM   printable_status  status.printableStatus
 *              run_strategy      spec.runStrategy; else spec.running true ->
 *                                "Always", false -> "Halted"
 *              ready             status.ready true -> "True", false -> "False"
 *   TRACK_VMI  phase             status.phase
 *              node              status.nodeName
 *              ip                status.interfaces[0].ipAddress; else the
 *                                first string of status.interfaces[0].ipAddresses
 *              ready             status of the Ready condition
 *              agent_connected   status of the AgentConnected condition
 *   TRACK_DV   phase             status.phase
 *              progress          status.progress ("47.12%", "N/A")
 *   TRACK_POD  phase             status.phase
 *              node              spec.nodeName
 *              ip                status.podIP
 *              ready             status of the Ready condition
 *              vmi_uid           label kubevirt.io/created-by
 *
 * A field is absent (NULL) when the object does not have it, when it has the
 * wrong JSON type, or when it is the empty string (Kubernetes omits empty
 * values, so "" and missing mean the same). "The X condition" is the first
 * element of status.conditions whose type is X; its status must be a string.
 */
#ifndef VS_TRACK_H
#define VS_TRACK_H

#include <cJSON.h>

#include "error.h"

enum track_res { TRACK_VM, TRACK_VMI, TRACK_DV, TRACK_POD, TRACK_RES_COUNT };

/* The most fields any resource tracks. */
#define TRACK_MAX_FIELDS 6

/*
 * The tracked fields of one object: v[i] is field i of its resource (see
 * track_field_name()), an owned string or NULL when absent; the entries past
 * the resource's last field are NULL. Zero-initialise before first use
 * (struct track_state s = {0}); release with track_state_release().
 */
struct track_state {
    char *v[TRACK_MAX_FIELDS];
};

/* The resource's plural as the API and the schema name it: "virtualmachines",
 * "virtualmachineinstances", "datavolumes", "pods"; NULL when out of range. */
const char *track_res_plural(enum track_res r);

/* metadata.KEY of a Kubernetes object when it is a string ("" included), else NULL. */
const char *track_meta(const cJSON *obj, const char *key);

/* The schema's name of field i of r ("phase", "ready", ...); NULL when i is
 * past r's last field (or r out of range). */
const char *track_field_name(enum track_res r, int i);

/*
 * Is s a VM printableStatus KubeVirt shows when a start fails: "Err..."
 * (ErrorUnschedulable, ErrImagePull, ErrorPvcNotFound), "...BackOff"
 * (CrashLoopBackOff, ImagePullBackOff) or "...Error" (DataVolumeError)?
 * KubeVirt may still recover such a VM (it retries with a back-off).
 */
int track_vm_status_failed(const char *s);

/*
 * Fill out with the tracked fields of obj (a resource of kind r; NULL or a
 * non-object yields every field absent). Whatever out held is overwritten,
 * not freed: release it first when reusing a state. Returns 0, or -1 with
 * errno ENOMEM and out all NULL. The caller owns out's strings
 * (track_state_release()).
 */
int track_extract(enum track_res r, const cJSON *obj, struct track_state *out);

/* Free the strings of s and set them to NULL. Accepts NULL. */
void track_state_release(struct track_state *s);

/*
 * Build the body of a watch_event line (everything but the envelope), in the
 * schema's order:
 *
 *   resource          track_res_plural(r)
 *   type, source      as given; type must be ADDED, MODIFIED or DELETED,
 *                     source watch or relist
 *   namespace, name,  metadata.namespace, .name, .uid: non-empty strings,
 *   uid               or the call fails
 *   resource_version  metadata.resourceVersion, "" when missing
 *   changed           the fields of *now that differ from *prev, each mapped
 *                     to its new value, or to null when it vanished; with
 *                     prev NULL (first sight of the object), every field
 *                     *now has
 *   server            the server's own timestamps, left out when it has none:
 *                     creation (metadata.creationTimestamp), deletion
 *                     (metadata.deletionTimestamp), phase_transitions
 *                     (VMI only: status.phaseTransitionTimestamps as
 *                     {phase: time}; a phase listed twice keeps its last
 *                     time), conditions ({type: {status, last_transition}}
 *                     for the Ready, AgentConnected and PodScheduled
 *                     conditions the object has)
 *
 * Timestamps are copied as the server wrote them; one that is not an RFC
 * 3339 date-time (the schema's format) is left out rather than written.
 *
 * now is the state extracted from obj (track_extract()); NULL means extract
 * it here. Neither prev nor now is changed. *changed_count (when not NULL)
 * is set to the number of members of `changed`: a caller may skip a MODIFIED
 * event with 0 (a resourceVersion-only update).
 *
 * Returns a new object the caller owns (cJSON_Delete()), or NULL with err
 * filled (where "metadata" for a missing name, namespace or uid, err->code
 * ENOMEM when memory ran out, EINVAL for a bad argument) and *changed_count 0.
 */
cJSON *track_event_body(enum track_res r, const char *type, const char *source, const cJSON *obj,
                        const struct track_state *prev, const struct track_state *now,
                        int *changed_count, struct vs_error *err);

#endif
