/*
 * ctl.h - the simulated cluster's controllers: what virt-controller,
 * virt-handler, CDI, the scheduler, the kubelet and the namespace controller
 * do in a real cluster, driven by the timing model (model.h) on the
 * scheduler's clock.
 *
 * The API layer calls these hooks after it changed the store on a client's
 * behalf; the controller then schedules the consequences (a DataVolume
 * clones, a VMI is created, scheduled, boots...). It keeps per-object state
 * in sim_object.priv and owns it.
 */
#ifndef SIM_CTL_H
#define SIM_CTL_H

#include "error.h"
#include "sim.h"

struct model;

/* The controllers of sim's cluster, timed by a copy of m. NULL with err. */
struct ctl *ctl_new(struct sim *sim, const struct model *m, struct vs_error *err);
void ctl_free(struct ctl *c);

/* A client created o (already in the store). */
void ctl_object_created(struct ctl *c, struct sim_object *o);
/* A client changed o's spec or metadata (PUT or PATCH). */
void ctl_object_updated(struct ctl *c, struct sim_object *o);
/*
 * A client asked to delete o. Returns 0 if the caller should delete it now,
 * 1 if the controller marked it (deletionTimestamp) and deletes it later.
 */
int ctl_object_deleting(struct ctl *c, struct sim_object *o);

/*
 * The start / stop subresources, with KubeVirt's semantics. Return the HTTP
 * status to answer (202 on success; 409 with err->msg when the run strategy
 * forbids it).
 */
int ctl_vm_start(struct ctl *c, struct sim_object *vm, struct vs_error *err);
int ctl_vm_stop(struct ctl *c, struct sim_object *vm, struct vs_error *err);

#endif
