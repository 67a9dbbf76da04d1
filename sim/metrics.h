/*
 * metrics.h - the counters the simulator serves at /metrics, in the
 * Prometheus text format:
 *   apiserver_request_total{code,component,group,resource,scope,subresource,verb,version}
 *     for every request the simulated API server answered, and
 *   kubevirt_rest_client_requests_total{code,method,resource,verb}
 *     for the requests KubeVirt's controllers would have made (virt-controller
 *     creating a launcher pod, virt-handler updating a VMI's status, ...).
 * The metrics object owns its entries; strings passed in are copied.
 */
#ifndef SIM_METRICS_H
#define SIM_METRICS_H

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* verb: GET LIST WATCH POST PUT PATCH DELETE; NULL strings count as "". */
void metrics_count_request(struct metrics *m, const char *verb, const char *group,
                           const char *version, const char *resource, const char *subresource,
                           int code);

/* verb: Kubernetes verb in capitals (CREATE, UPDATE, PATCH, GET, LIST, WATCH, DELETE). */
void metrics_count_kubevirt(struct metrics *m, const char *verb, const char *resource, int code);

/* A simulator gauge or counter of its own (e.g. injected faults). */
void metrics_add(struct metrics *m, const char *name, const char *help, double delta);

/* The exposition text; malloc'd, caller frees. NULL on OOM. */
char *metrics_render(const struct metrics *m);

#endif
