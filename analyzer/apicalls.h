/*
 * apicalls.h - API-call counts of a run, per phase, from two origins.
 *
 * COLLECTOR: the collector's own requests, one `api_request` event each.
 * Per phase (the event's `phase`; "setup" when it has none: the collector's
 * requests before its first phase): the total; the
 * failed ones (status 0 = no answer, or >= 400); the retried ones
 * (attempt > 1: each retry is a request of its own); the 429s; and counts
 * by "<verb> <what>", what being the resource, plus "/<subresource>" when
 * there is one, or for a non-resource request ("" resource) its path:
 * "create virtualmachines", "update virtualmachines/start", "get /version"
 * ("-" when the path is missing too). Requests per VM = total / the VMs of
 * the phase, when the caller said how many (apicalls_set_phase_vms).
 *
 * METRICS: the cluster's counters, from the `metrics_scrape` events the
 * collector took at the begin and end of a phase, per source (apiserver,
 * virt-controller, ...). The samples of three families are read:
 * apiserver_request_total, kubevirt_rest_client_requests_total and
 * rest_client_requests_total (the latter ignored in a scrape that also has
 * the former: KubeVirt renamed it, and both would count the same requests).
 * Per series (name + all labels), delta = end - begin, then summed into
 * names the way KubeVirt's perf-scale reports name them. That rule, from
 * kubevirt/kubevirt tools/perfscale-audit (metric-client.go: the query
 * `increase(kubevirt_rest_client_requests_total{...}[..])`, results with a
 * value < 1 skipped, the others summed into fmt "%s-%s-count" of the verb
 * and resource labels, series lacking either skipped; api.go's
 * ResultTypeResourceOperationCountFormat):
 *     name = <VERB>-<resource>-count      e.g. PATCH-pods-count
 *   where VERB is the `verb` label mapped as KubeVirt's client metrics map
 *   HTTP methods to verbs (pkg/monitoring/metrics/common/client/rt_wrapper.go,
 *   getVerbFromHTTPVerb): POST -> CREATE, PUT -> UPDATE, any other value
 *   unchanged (KubeVirt's own labels are already GET LIST WATCH CREATE
 *   UPDATE PATCH DELETE; apiserver_request_total's POST and PUT become
 *   CREATE and UPDATE, its LIST WATCH GET PATCH DELETE stay, and APPLY,
 *   DELETECOLLECTION, CONNECT stay as the server names them), and resource
 *   is the `resource` label alone: the subresource is dropped, as KubeVirt's
 *   URL parsing drops it (a PATCH of pods/status counts in PATCH-pods-count,
 *   a PUT of virtualmachines/start in UPDATE-virtualmachines-count). All
 *   other labels (code, method, host, group, version, scope, ...) are summed
 *   over. A series whose verb or resource label is missing or empty (the
 *   apiserver's non-resource paths, client-go's plain rest client counter)
 *   is skipped, as a Prometheus query result without the label would be.
 *   As in perfscale-audit, a series whose delta is below 1 adds nothing, so
 *   a name is present only with a count >= 1: absent means 0.
 * Counter resets, after Prometheus' increase(): a series whose end value is
 * below its begin value was reset (its process restarted) and counts its
 * end value, a lower bound of the true count, never a negative delta; it
 * is counted in "resets" and listed in "reset_series". A series present only
 * at the end counts from 0 (it began during the phase, or its process
 * restarted), and is counted in "only_at_end" and listed in
 * "only_at_end_series" when it added to a count. A series only at the
 * begin adds nothing. A series whose value is NaN or infinite at either end
 * is skipped. Series are written canonically (promsample_series()).
 * A source is "unavailable" for a phase, with a reason, when its begin or
 * end scrape failed (status != 200 or empty text), when a scrape's text
 * does not parse ("end scrape: 3:17: expected '=' after label name
 * 'code'"), or when the begin or the end is missing: never zero counts. A
 * second begin scrape starts over; a second end scrape makes it unavailable.
 *
 * Memory: the scrape text is parsed as the event comes and not kept; the
 * begin values of the series that can count are kept, keyed by series,
 * until the end scrape of that phase and source; then only the counts.
 *
 * Output is deterministic: phases in the order of their first event
 * (api_request or metrics_scrape), everything else sorted bytewise by key.
 */
#ifndef VS_ANALYZER_APICALLS_H
#define VS_ANALYZER_APICALLS_H

#include <stddef.h>
#include <stdio.h>

#include <cJSON.h>

#include "error.h"
#include "event.h"

struct apicalls;

/* A new empty set of counts, or NULL on ENOMEM. The caller frees it with apicalls_free. */
struct apicalls *apicalls_new(void);
/* Free a and all it holds. Accepts NULL. */
void apicalls_free(struct apicalls *a);

/*
 * Feed an event (lib/event.h); kinds other than api_request and
 * metrics_scrape are ignored. Fields missing from an event (it was not
 * checked against the schema) read as "" or 0, attempt as 1. A malformed
 * scrape text is not an error: it makes that phase and source unavailable
 * with the line:col reason. -1 with err only for ENOMEM (a is then still
 * consistent, but may lack that event).
 */
int apicalls_add(struct apicalls *a, const struct event *ev, struct vs_error *err);

/* The number of VMs of phase (for requests per VM); vms 0 gives no per-VM figure. */
void apicalls_set_phase_vms(struct apicalls *a, const char *phase, size_t vms);

/*
 * summary.json's "api_calls" (a new object, the caller's to cJSON_Delete):
 * {"<phase>": {
 *    "collector": {"total": N, "failed": N, "retried": N, "throttled_429": N,
 *                  "per_vm": x | null, "by_verb_resource": {"create virtualmachines": N, ...}},
 *    "metrics": {"<source>": {"status": "ok", "counts": {"PATCH-pods-count": N, ...},
 *                             "resets": N, "reset_series": [...],
 *                             "only_at_end": N, "only_at_end_series": [...]}
 *              | {"status": "unavailable", "reason": "..."}}}}
 * A phase that had no scrapes has "metrics": {}. NULL on ENOMEM.
 */
cJSON *apicalls_json(const struct apicalls *a);

/*
 * api_calls.csv (analyzer/csvout.h conventions): the header
 * `phase,origin,source,name,count`, then one row per count, in phase order,
 * then by origin, source, name. Collector rows have origin "collector", an
 * empty source, and for name "total", "failed", "retried", "throttled_429"
 * and each "<verb> <what>"; metrics rows have origin "metrics", the source
 * and a <VERB>-<resource>-count name. An unavailable source has no rows
 * (summary.json says why). 0, or -1 with err (a write error).
 */
int apicalls_write_csv(const struct apicalls *a, FILE *f, struct vs_error *err);

/*
 * A terminal section: per phase, the collector's totals and its top 5
 * "<verb> <what>" entries; per source, the counts of interest (KubeVirt's
 * scalability benchmarks: PATCH-pods, UPDATE- and PATCH-virtualmachineinstances,
 * PATCH- and GET-nodes, WATCH-virtualmachineinstances; and what a start
 * causes: UPDATE-virtualmachines, CREATE-virtualmachineinstances,
 * CREATE-pods), how many other names there are, and resets; or why it is
 * unavailable.
 */
void apicalls_print(const struct apicalls *a, FILE *out);

#endif
