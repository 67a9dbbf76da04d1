/*
 * table.h - server-side printing: the meta.k8s.io/v1 Table that kubectl asks
 * for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io) so that
 * `kubectl get vmi` shows PHASE, IP and NODENAME as against a real cluster.
 * Columns follow KubeVirt's and Kubernetes' printer columns.
 */
#ifndef SIM_TABLE_H
#define SIM_TABLE_H

#include <stdint.h>

#include <cJSON.h>

#include "resource.h"

/* A new, empty Table for res with its column definitions and resourceVersion. */
cJSON *table_new(const struct sim_resource *res, uint64_t rv);

/* Append the row of obj (read only) to table; ages relative to now_ns. */
void table_add_row(cJSON *table, const struct sim_resource *res, const cJSON *obj, int64_t now_ns);

/* kubectl's HumanDuration of d nanoseconds ("5s", "3m12s", "4h", "2d3h") into buf[16]. */
void table_human_duration(int64_t d_ns, char buf[16]);

/* Whether an Accept header asks for a Table. */
int table_wanted(const char *accept);

#endif
