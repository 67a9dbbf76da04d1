/*
 * run.h - one run of vmstorm-collect, from the first API request to the
 * last line of the results file.
 *
 * collect_run() connects with conn, describes the cluster, opens the
 * results file and runs the phases the options ask for (namespaces,
 * create, stop + storm, fio, cleanup), recording every event. It prints a
 * summary of each phase on stdout and progress on stderr. SIGINT and
 * SIGTERM end the current phase as interrupted (a second SIGINT exits at
 * once; what was written stays readable).
 *
 * o must have run_id and output set (main fills the defaults). tmpl may be
 * NULL only with skip_vm_creation. Returns the exit status (enum vs_exit).
 */
#ifndef VS_COLLECTOR_RUN_H
#define VS_COLLECTOR_RUN_H

#include "kubeconfig.h"
#include "options.h"
#include "template.h"

int collect_run(struct collect_options *o, struct kube_conn *conn, const struct tmpl *tmpl);

#endif
