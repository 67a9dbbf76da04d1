#include "runreport.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdfdoc.h"
#include "selector.h"
#include "stats.h"

#define FULL_WIDTH_MM 174.0 /* the PDF's text width: charts use all of it */

static const char *const milestones[] = {"vmi_created", "scheduled", "running", "vm_running",
                                         "ip",          "ready",     "agent",   "stopped"};
static const char *const milestone_words[] = {"VMI created",  "Scheduled", "Running (VMI)",
                                              "Running (VM)", "IP known",  "ready (probe)",
                                              "guest agent",  "stopped"};

/* --- a growable list of table cells ---------------------------------------- */

struct cells {
    char **v;
    size_t n, cap;
    int oom;
};

static void cell(struct cells *c, const char *fmt, ...) VS_PRINTF(2, 3);

static void cell(struct cells *c, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;

    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        char **v = realloc(c->v, cap * sizeof(*v));

        if (!v) {
            c->oom = 1;
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        s = NULL;
        c->oom = 1;
    }
    va_end(ap);
    c->v[c->n++] = s;
}

/* A number cell: "%.3f" seconds, or "-" when it does not exist. */
static void cell_num(struct cells *c, double v, int decimals)
{
    if (isfinite(v))
        cell(c, "%.*f", decimals, v);
    else
        cell(c, "-");
}

static void cells_release(struct cells *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
    free(c->v);
    memset(c, 0, sizeof(*c));
}

/* Draw the cells as a table and release them; a table that lost cells to a
 * failed allocation would be misaligned, so it says so instead. */
static void table(struct pdfdoc *d, size_t ncols, const char *const *head,
                  const enum pdfdoc_align *align, struct cells *c, const enum pdfdoc_tone *tones)
{
    if (c->oom)
        pdfdoc_text(d, "(table left out: out of memory)");
    else
        pdfdoc_table(d, ncols, head, align, (const char *const *)c->v, c->n / ncols, tones);
    cells_release(c);
}

/* --- small readers ----------------------------------------------------------- */

static double num(const cJSON *o, const char *path)
{
    const cJSON *v = json_path_get(o, path);

    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *str_or(const struct rundata *rd, const char *path, const char *dflt)
{
    const char *s = rundata_str(rd, path);

    return s && *s ? s : dflt;
}

static enum pdfdoc_tone verdict_tone(const char *v)
{
    if (!v)
        return PDFDOC_NEUTRAL;
    if (strcmp(v, "good") == 0)
        return PDFDOC_GOOD;
    if (strcmp(v, "concerning") == 0)
        return PDFDOC_WARN;
    if (strcmp(v, "critical") == 0)
        return PDFDOC_BAD;
    return PDFDOC_NEUTRAL;
}

static int has_phase(const struct rundata *rd, const char *phase)
{
    char path[64];

    snprintf(path, sizeof(path), "phases.%s", phase);
    return rundata_get(rd, path) != NULL;
}

/* --- the verdict ------------------------------------------------------------- */

/* The verdict in one sentence, and its colour. */
static enum pdfdoc_tone verdict_sentence(const struct rundata *rd, char *buf, size_t n)
{
    const char *word = "time to ready";
    const cJSON *m = rundata_get(rd, "multipliers.ready");
    const char *verdict;
    double x;

    if (!has_phase(rd, "storm")) {
        snprintf(buf, n, "No boot storm in this run: creation figures only.");
        return PDFDOC_NEUTRAL;
    }
    if (!m || !isfinite(num(m, "p95"))) {
        word = "time to Running";
        m = rundata_get(rd, "multipliers.running");
    }
    x = num(m, "p95");
    verdict = cJSON_GetStringValue(json_path_get(m, "verdict"));
    if (!isfinite(x) || !verdict) {
        snprintf(buf, n, "Boot storm: no multiplier (%s): too few VMs got there to compare.",
                 cJSON_GetStringValue(json_path_get(m, "verdict_reason"))
                     ?: "no storm or creation figures");
        return PDFDOC_NEUTRAL;
    }
    snprintf(buf, n, "Boot storm: P95 %s %.1fx creation: %s.", word, x, verdict);
    return verdict_tone(verdict);
}

/* --- title page -------------------------------------------------------------- */

static void placement(const struct rundata *rd, char *buf, size_t n)
{
    const cJSON *single = rundata_get(rd, "run.config.single_node");
    double nodes = rundata_num(rd, "run.cluster.nodes");

    if (cJSON_IsTrue(single))
        snprintf(buf, n, "single node (%s)",
                 str_or(rd, "run.config.node_name", "chosen by the collector"));
    else if (isfinite(nodes))
        snprintf(buf, n, "spread by the scheduler over the cluster's %.0f nodes", nodes);
    else
        snprintf(buf, n, "spread by the scheduler");
}

static void probe(const struct rundata *rd, char *buf, size_t n)
{
    const char *p = str_or(rd, "run.config.probe", "none");
    double port = rundata_num(rd, "run.config.probe_port");

    if (strcmp(p, "tcp") == 0 && isfinite(port))
        snprintf(buf, n, "TCP connect to port %.0f", port);
    else if (strcmp(p, "icmp") == 0 || strcmp(p, "ping") == 0)
        snprintf(buf, n, "ICMP echo (ping)");
    else if (strcmp(p, "none") == 0)
        snprintf(buf, n, "none: readiness not measured");
    else
        snprintf(buf, n, "%s", p);
}

static void config_block(struct pdfdoc *d, const struct rundata *rd)
{
    char vms[32], nodes[32], where[160], prb[96], conc[32], tool[96], input[300], cluster[160];
    const char *kv[2 * 16];
    size_t k = 0;
    double v = rundata_num(rd, "run.config.vms");

    snprintf(vms, sizeof(vms), isfinite(v) ? "%.0f" : "unknown", v);
    snprintf(nodes, sizeof(nodes), "%.0f", rundata_num(rd, "run.cluster.nodes"));
    placement(rd, where, sizeof(where));
    probe(rd, prb, sizeof(prb));
    v = rundata_num(rd, "run.config.concurrency");
    snprintf(conc, sizeof(conc), isfinite(v) ? "%.0f requests at once" : "default", v);
    snprintf(tool, sizeof(tool), "%s %s", str_or(rd, "run.tool", "?"),
             str_or(rd, "run.tool_version", "?"));
    snprintf(input, sizeof(input), "%s (%.0f events)", str_or(rd, "input.file", "?"),
             rundata_num(rd, "input.events"));
    v = rundata_num(rd, "run.sim_speed");
    if (!cJSON_IsTrue(rundata_get(rd, "run.simulated")))
        snprintf(cluster, sizeof(cluster), "%s", str_or(rd, "run.cluster.server", "?"));
    else if (isfinite(v) && v != 1)
        snprintf(cluster, sizeof(cluster),
                 "vmstorm-sim, simulated: its model ran %gx real time, so times here are "
                 "the model's divided by %g",
                 v, v);
    else
        snprintf(cluster, sizeof(cluster), "vmstorm-sim (a simulated cluster, not real hardware)");
#define KV(key, val) (kv[k++] = (key), kv[k++] = (val))
    KV("Run", str_or(rd, "run.id", "?"));
    KV("Started", str_or(rd, "run.started_at", "unknown"));
    KV("Run status", str_or(rd, "run.status", "?"));
    KV("Cluster", cluster);
    KV("Kubernetes", str_or(rd, "run.cluster.kubernetes_version", "unknown"));
    KV("KubeVirt", str_or(rd, "run.cluster.kubevirt_version", "unknown"));
    KV("Nodes", nodes);
    KV("VMs", vms);
    KV("VM template", str_or(rd, "run.config.vm_template", "unknown"));
    KV("Storage class", str_or(rd, "run.config.storage_class", "the template's (or default)"));
    KV("Placement", where);
    KV("Readiness probe", prb);
    KV("Concurrency", conc);
    KV("fio", cJSON_IsTrue(rundata_get(rd, "run.config.fio")) ? "yes" : "no");
    KV("Collector", tool);
    KV("Analysed from", input);
#undef KV
    pdfdoc_keyvals(d, kv, k / 2);
}

/* Problems with the input that change how far the figures can be trusted. */
static void quality_notes(struct pdfdoc *d, const struct rundata *rd)
{
    char buf[700];
    const char *clock = rundata_str(rd, "clock.warning");

    if (rundata_num(rd, "input.bad_lines_skipped") > 0) {
        snprintf(buf, sizeof(buf), "%.0f malformed lines were skipped (first: %s).",
                 rundata_num(rd, "input.bad_lines_skipped"),
                 str_or(rd, "input.first_bad_line", "?"));
        pdfdoc_note(d, buf);
    }
    if (cJSON_IsTrue(rundata_get(rd, "input.truncated_last_line")))
        pdfdoc_note(d, "The run file's last line was cut off (the collector stopped mid-write); "
                       "it was skipped.");
    if (rundata_num(rd, "input.missing_lines") > 0) {
        snprintf(buf, sizeof(buf),
                 "%.0f lines are missing from the run file (sequence gaps): some events are "
                 "lost.",
                 rundata_num(rd, "input.missing_lines"));
        pdfdoc_note(d, buf);
    }
    if (clock) {
        snprintf(buf, sizeof(buf), "Clock: %s.", clock);
        pdfdoc_note(d, buf);
    }
    if (strcmp(str_or(rd, "run.status", "ok"), "ok") != 0) {
        snprintf(buf, sizeof(buf),
                 "The run ended with status '%s': see the failures section for the VMs that "
                 "did not get there.",
                 str_or(rd, "run.status", "?"));
        pdfdoc_note(d, buf);
    }
}

static void compare_table(struct pdfdoc *d, const struct rundata *rd, int key_only);

static void title_page(struct pdfdoc *d, const struct rundata *rd, const char *title)
{
    char verdict[300];
    enum pdfdoc_tone tone = verdict_sentence(rd, verdict, sizeof(verdict));

    pdfdoc_title(d, title);
    pdfdoc_note(d, "KubeVirt VM provisioning and boot-storm report, by vmstorm-report from the "
                   "analysis of one run.");
    pdfdoc_skip(d, 3);
    pdfdoc_banner(d, tone, verdict);
    pdfdoc_skip(d, 3);
    config_block(d, rd);
    pdfdoc_skip(d, 2);
    quality_notes(d, rd);
    if (has_phase(rd, "storm") && has_phase(rd, "create")) {
        pdfdoc_skip(d, 4);
        pdfdoc_subheading(d, "Key figures (seconds from the start request)");
        compare_table(d, rd, 1);
    }
}

/* --- statistics -------------------------------------------------------------- */

static void stats_table(struct pdfdoc *d, const struct rundata *rd)
{
    static const char *const head[] = {"phase", "milestone", "count", "ok",  "censored",
                                       "avg",   "P50",       "P95",   "P99", "max"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT,  PDFDOC_LEFT,  PDFDOC_RIGHT, PDFDOC_RIGHT,
                                           PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT,
                                           PDFDOC_RIGHT, PDFDOC_RIGHT};
    struct cells c = {0};
    const cJSON *ph;

    cJSON_ArrayForEach(ph, rundata_get(rd, "phases"))
    {
        for (size_t m = 0; m < sizeof(milestones) / sizeof(milestones[0]); m++) {
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(ph, milestones[m]);

            if (!cJSON_IsObject(s))
                continue;
            cell(&c, "%s", ph->string);
            cell(&c, "%s", milestone_words[m]);
            cell(&c, "%.0f", num(s, "count"));
            cell(&c, "%.0f", num(s, "ok"));
            cell(&c, "%.0f", num(s, "censored"));
            cell_num(&c, num(s, "avg"), 3);
            cell_num(&c, num(s, "p50"), 3);
            cell_num(&c, num(s, "p95"), 3);
            cell_num(&c, num(s, "p99"), 3);
            cell_num(&c, num(s, "max"), 3);
        }
    }
    table(d, 10, head, al, &c, NULL);
}

/* Creation beside storm, with the multiplier and verdict, per milestone. */
static void compare_table(struct pdfdoc *d, const struct rundata *rd, int key_only)
{
    static const char *const head[] = {"milestone", "create P50", "create P95", "storm P50",
                                       "storm P95", "x P50",      "x P95",      "verdict"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT,  PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT,
                                           PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_LEFT};
    enum pdfdoc_tone tones[8];
    struct cells c = {0};
    size_t rows = 0;
    const cJSON *cr = rundata_get(rd, "phases.create"), *st = rundata_get(rd, "phases.storm");

    for (size_t m = 0; m < 7; m++) { /* all but "stopped": no multiplier */
        const cJSON *mul = json_path_get(rundata_get(rd, "multipliers"), milestones[m]);
        const char *v = cJSON_GetStringValue(json_path_get(mul, "verdict"));
        char p[64];

        if (!mul || (key_only && strcmp(milestones[m], "running") != 0 &&
                     strcmp(milestones[m], "ready") != 0))
            continue;
        cell(&c, "%s", milestone_words[m]);
        for (int k = 0; k < 4; k++) { /* create P50, P95, storm P50, P95 */
            snprintf(p, sizeof(p), "%s.%s", milestones[m], k % 2 ? "p95" : "p50");
            cell_num(&c, num(k < 2 ? cr : st, p), 3);
        }
        cell_num(&c, num(mul, "p50"), 2);
        cell_num(&c, num(mul, "p95"), 2);
        cell(&c, "%s", v ? v : "-");
        tones[rows++] = verdict_tone(v);
    }
    if (rows)
        table(d, 8, head, al, &c, tones);
    else
        cells_release(&c);
}

static void statistics(struct pdfdoc *d, const struct rundata *rd)
{
    pdfdoc_new_page(d);
    pdfdoc_heading(d, "Statistics", 40);
    pdfdoc_text(d, "Seconds from the request that started each VM (t0) to each milestone. "
                   "Censored VMs never reached the milestone: they are counted, and kept out of "
                   "the figures.");
    stats_table(d, rd);
    if (has_phase(rd, "storm") && has_phase(rd, "create")) {
        pdfdoc_skip(d, 4);
        pdfdoc_subheading(d, "Boot storm against creation");
        pdfdoc_note(d, "x = storm / create. Verdict on P95: below 2 good, 2 to 5 concerning, 5 "
                       "and above critical.");
        compare_table(d, rd, 0);
    }
}

/* --- chart sections ---------------------------------------------------------- */

static int chart(struct pdfdoc *d, const struct chartset *cs, const char *id, struct vs_error *err)
{
    const struct chart *c = charts_find(cs, id);
    char msg[512];

    if (!c)
        return 0;
    if (pdfdoc_image_png(d, c->png, FULL_WIDTH_MM, msg, sizeof(msg)) < 0)
        return vs_error_setc(err, EINVAL, c->png, 0, 0, "%s", msg);
    pdfdoc_note(d, c->caption);
    pdfdoc_skip(d, 3);
    return 0;
}

static int section(struct pdfdoc *d, const struct rundata *rd, const struct chartset *cs,
                   const char *heading, const char *const *ids, const char *absent,
                   void (*intro)(struct pdfdoc *, const struct rundata *), struct vs_error *err)
{
    int any = 0;

    for (size_t i = 0; ids[i]; i++)
        any |= charts_find(cs, ids[i]) != NULL;
    if (!any && !absent)
        return 0;
    pdfdoc_new_page(d);
    pdfdoc_heading(d, heading, 80);
    if (!any) {
        pdfdoc_text(d, absent);
        return 0;
    }
    if (intro) {
        intro(d, rd);
        pdfdoc_skip(d, 4);
    }
    for (size_t i = 0; ids[i]; i++)
        if (chart(d, cs, ids[i], err) < 0)
            return -1;
    return 0;
}

/* DataVolumes per phase: import/clone times (not tied to VMs: see the note). */
static void datavolumes_table(struct pdfdoc *d, const struct rundata *rd)
{
    static const char *const head[] = {"phase",   "DataVolumes", "succeeded", "failed",
                                       "P50 (s)", "P95 (s)",     "max (s)"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT,  PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT,
                                           PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT};
    const cJSON *ph, *dvs = rundata_get(rd, "datavolumes");
    struct cells c = {0};

    if (cJSON_GetArraySize(dvs) == 0)
        return;
    cJSON_ArrayForEach(ph, dvs)
    {
        cell(&c, "%s", ph->string);
        cell_num(&c, num(ph, "count"), 0);
        cell_num(&c, num(ph, "succeeded"), 0);
        cell_num(&c, num(ph, "failed"), 0);
        cell_num(&c, num(ph, "done.p50"), 3);
        cell_num(&c, num(ph, "done.p95"), 3);
        cell_num(&c, num(ph, "done.max"), 3);
    }
    pdfdoc_skip(d, 4);
    pdfdoc_note(d, "DataVolume import or clone: seconds from the DataVolume's first sight to "
                   "Succeeded, per phase. The run file does not say which VM a DataVolume "
                   "belongs to, so these times are not split per VM: a VM waiting for its clone "
                   "counts it in its scheduling stage.");
    table(d, 7, head, al, &c, NULL);
}

/* Per phase: the median of each stage, and of the whole (start to ready). */
static void stages_table(struct pdfdoc *d, const struct rundata *rd)
{
    static const char *const head[] = {"phase", "scheduling", "launch", "boot", "start to ready"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT, PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT,
                                           PDFDOC_RIGHT};
    struct cells c = {0};

    for (size_t p = 0; p < rd->nphases; p++) {
        char path[64];

        cell(&c, "%s", rd->phases[p]);
        for (int s = 0; s < 3; s++)
            cell_num(&c, rundata_stage_median(rd, p, s), 3);
        snprintf(path, sizeof(path), "phases.%s.ready.p50", rd->phases[p]);
        cell_num(&c, rundata_num(rd, path), 3);
    }
    pdfdoc_note(d, "Median seconds per stage: scheduling (start request to Scheduled, including "
                   "any DataVolume clone the VM waits for), launch (Scheduled to Running), boot "
                   "(Running to the first successful probe).");
    table(d, 5, head, al, &c, NULL);
    datavolumes_table(d, rd);
}

/* Per node and phase: VMs, not there, P50, P95 and max of the last milestone. */
static void nodes_table(struct pdfdoc *d, const struct rundata *rd)
{
    static const char *const head[] = {"node",    "phase",   "VMs",    "not there",
                                       "P50 (s)", "P95 (s)", "max (s)"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT,  PDFDOC_LEFT,  PDFDOC_RIGHT, PDFDOC_RIGHT,
                                           PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT};
    const char **nodes;
    size_t n = rundata_nodes(rd, &nodes);
    struct cells c = {0};
    int ms = rd->probed ? 2 : 1;

    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < rd->nphases; p++) {
            struct stats_summary s;

            rundata_node_stats(rd, p, nodes[i], ms, &s);
            if (s.count == 0)
                continue;
            cell(&c, "%s", nodes[i]);
            cell(&c, "%s", rd->phases[p]);
            cell(&c, "%zu", s.count);
            cell(&c, "%zu", s.censored);
            cell_num(&c, s.ok ? s.p50 : NAN, 3);
            cell_num(&c, s.ok ? s.p95 : NAN, 3);
            cell_num(&c, s.ok ? s.max : NAN, 3);
        }
    free(nodes);
    pdfdoc_note(d, ms == 2 ? "Seconds from the start request to ready, per node and phase."
                           : "Seconds from the start request to Running, per node and phase.");
    table(d, 7, head, al, &c, NULL);
}

static void api_table(struct pdfdoc *d, const struct rundata *rd)
{
    static const char *const head[] = {"phase", "collector", "failed",     "retried",
                                       "429",   "per VM",    "API server", "KubeVirt clients"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT,  PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT,
                                           PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT};
    struct cells c = {0};
    const cJSON *ph;

    cJSON_ArrayForEach(ph, rundata_get(rd, "api_calls"))
    {
        const cJSON *src;
        double kv = NAN;

        cJSON_ArrayForEach(src, json_path_get(ph, "metrics"))
        {
            if (strcmp(src->string, "apiserver") != 0 && isfinite(num(src, "total")))
                kv = (isfinite(kv) ? kv : 0) + num(src, "total");
        }
        cell(&c, "%s", ph->string);
        cell_num(&c, num(ph, "collector.total"), 0);
        cell_num(&c, num(ph, "collector.failed"), 0);
        cell_num(&c, num(ph, "collector.retried"), 0);
        cell_num(&c, num(ph, "collector.throttled_429"), 0);
        cell_num(&c, num(ph, "collector.per_vm"), 2);
        cell_num(&c, num(ph, "metrics.apiserver.total"), 0);
        cell_num(&c, kv, 0);
    }
    pdfdoc_note(d, "Requests per phase: the collector's own (failed, retried, throttled with 429; "
                   "per VM started in the phase), and the increase of the API server's and "
                   "KubeVirt's request counters between the phase's metrics scrapes; - where not "
                   "scraped.");
    table(d, 8, head, al, &c, NULL);
}

static void fio_table(struct pdfdoc *d, const struct rundata *rd)
{
    static const char *const head[] = {"across VMs", "n", "min", "avg", "P50", "P95", "P99", "max"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT,  PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT,
                                           PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT};
    static const char *const rows[][2] = {{"read.iops", "read IOPS"},
                                          {"read.clat_p99_ms", "read clat P99 (ms)"},
                                          {"write.iops", "write IOPS"},
                                          {"write.clat_p99_ms", "write clat P99 (ms)"}};
    static const char *const stat[] = {"n", "min", "avg", "p50", "p95", "p99", "max"};
    const cJSON *across = rundata_get(rd, "fio.across_vms");
    struct cells c = {0};
    char buf[200];

    snprintf(buf, sizeof(buf), "fio ran in %.0f VMs: %.0f ok, %.0f failed, %.0f invalid.",
             rundata_num(rd, "fio.vms"), rundata_num(rd, "fio.ok"), rundata_num(rd, "fio.failed"),
             rundata_num(rd, "fio.invalid"));
    pdfdoc_text(d, buf);
    for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        const cJSON *o = json_path_get(across, rows[r][0]);
        int big = strstr(rows[r][0], "iops") != NULL;

        if (!o)
            continue;
        cell(&c, "%s", rows[r][1]);
        for (size_t s = 0; s < sizeof(stat) / sizeof(stat[0]); s++)
            cell_num(&c, num(o, stat[s]), s == 0 || big ? 0 : 4);
    }
    table(d, 8, head, al, &c, NULL);
}

static void failures(struct pdfdoc *d, const struct rundata *rd)
{
    static const char *const head[] = {"phase", "namespace", "name", "last state", "probe"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT, PDFDOC_LEFT, PDFDOC_LEFT, PDFDOC_LEFT,
                                           PDFDOC_LEFT};
    const cJSON *nr = rundata_get(rd, "not_reached"), *e;
    struct cells c = {0};
    char buf[200];

    pdfdoc_new_page(d);
    pdfdoc_heading(d, "VMs that did not get there", 30);
    if (cJSON_GetArraySize(nr) == 0) {
        pdfdoc_text(d, "Every VM reached every milestone of its phase.");
        return;
    }
    snprintf(buf, sizeof(buf),
             "%d VM starts had not reached all their milestones when their phase ended; their "
             "last known state:",
             cJSON_GetArraySize(nr));
    pdfdoc_text(d, buf);
    cJSON_ArrayForEach(e, nr)
    {
        cell(&c, "%s", cJSON_GetStringValue(json_path_get(e, "phase")) ?: "-");
        cell(&c, "%s", cJSON_GetStringValue(json_path_get(e, "namespace")) ?: "-");
        cell(&c, "%s", cJSON_GetStringValue(json_path_get(e, "name")) ?: "-");
        const char *why = cJSON_GetStringValue(json_path_get(e, "failure"));

        cell(&c, "%s%s%s%s", cJSON_GetStringValue(json_path_get(e, "status")) ?: "-",
             why ? " (" : "", why ? why : "", why ? ")" : "");
        cell(&c, "%s", cJSON_GetStringValue(json_path_get(e, "probe")) ?: "-");
    }
    table(d, 5, head, al, &c, NULL);
}

static void method(struct pdfdoc *d, const struct rundata *rd)
{
    char buf[900];
    double off = rundata_num(rd, "clock.offset_s");

    pdfdoc_heading(d, "Method", 30);
    pdfdoc_text(d, "t0: for creation, the moment the collector sent the request creating the VM; "
                   "for the boot storm, the moment it sent the VM's start request (all of them at "
                   "once). Each milestone is the first time the collector saw it in its watch of "
                   "the cluster (VMI created, Scheduled, Running, IP) or, for ready, the first "
                   "successful readiness probe.");
    snprintf(buf, sizeof(buf), "Durations: %s.", str_or(rd, "method.durations", "-"));
    pdfdoc_text(d, buf);
    snprintf(buf, sizeof(buf), "Percentiles: %s. Standard deviation: %s. Censoring: %s.",
             str_or(rd, "method.percentiles", "-"), str_or(rd, "method.stddev", "-"),
             str_or(rd, "method.censored", "-"));
    pdfdoc_text(d, buf);
    if (isfinite(off))
        snprintf(buf, sizeof(buf),
                 "Clocks: the API server's clock was %+.3f s from the collector's (between %+.3f "
                 "and %+.3f over %.0f server timestamps). Durations come from the collector's "
                 "monotonic clock and do not depend on it.",
                 off, rundata_num(rd, "clock.offset_min_s"), rundata_num(rd, "clock.offset_max_s"),
                 rundata_num(rd, "clock.samples"));
    else
        snprintf(buf, sizeof(buf),
                 "Clocks: no server timestamps to compare the clocks with; "
                 "durations come from the collector's monotonic clock.");
    pdfdoc_text(d, buf);
}

int runreport_write(const struct rundata *rd, const struct chartset *cs, const char *title,
                    const char *path, struct vs_error *err)
{
    static const char *const dist[] = {"cdf", "histogram", NULL};
    static const char *const tl[] = {"timeline", "progress", NULL};
    static const char *const stages[] = {"stages", NULL};
    static const char *const nodes[] = {"nodes", NULL};
    static const char *const api[] = {"api-collector", "api-cluster", NULL};
    static const char *const fio[] = {"fio-iops", "fio-latency", NULL};
    char msg[512];
    struct pdfdoc *d = pdfdoc_open(path, title, msg, sizeof(msg));
    int rc = 0;

    if (!d)
        return vs_error_setc(err, EIO, path, 0, 0, "%s", msg);
    title_page(d, rd, title);
    statistics(d, rd);
    rc = section(d, rd, cs, "Distribution", dist, "No VM starts to chart.", NULL, err);
    if (rc == 0)
        rc = section(d, rd, cs, "Timeline", tl, NULL, NULL, err);
    if (rc == 0)
        rc = section(d, rd, cs, "Stages", stages, NULL, stages_table, err);
    if (rc == 0)
        rc = section(d, rd, cs, "Per node", nodes, NULL, nodes_table, err);
    if (rc == 0)
        rc = section(d, rd, cs, "API load", api, "The run recorded no API requests.", api_table,
                     err);
    if (rc == 0)
        rc = section(d, rd, cs, "Storage (fio)", fio, NULL, fio_table, err);
    if (rc == 0) {
        failures(d, rd);
        method(d, rd);
    }
    if (pdfdoc_close(d, msg, sizeof(msg)) < 0 && rc == 0)
        rc = vs_error_setc(err, EIO, path, 0, 0, "%s", msg);
    return rc;
}

/* --- trend ------------------------------------------------------------------- */

static void trend_table(struct pdfdoc *d, const struct csvtable *t)
{
    static const char *const cols[] = {
        "started_at",       "run_id",          "kubevirt_version",     "create_vms",
        "create_ready_p95", "storm_ready_p95", "multiplier_ready_p95", "verdict_ready"};
    static const char *const head[] = {
        "started",         "run",   "KubeVirt", "VMs", "create ready P95",
        "storm ready P95", "x P95", "verdict"};
    static const enum pdfdoc_align al[] = {PDFDOC_LEFT,  PDFDOC_LEFT,  PDFDOC_LEFT,  PDFDOC_RIGHT,
                                           PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_RIGHT, PDFDOC_LEFT};
    size_t rows = csvtable_rows(t);
    enum pdfdoc_tone *tones = calloc(rows ? rows : 1, sizeof(*tones));
    struct cells c = {0};
    int col[8];

    for (size_t k = 0; k < 8; k++)
        col[k] = csvtable_col(t, cols[k]);
    for (size_t r = 0; r < rows; r++) {
        for (size_t k = 0; k < 8; k++) {
            double v = csvtable_num(t, r, col[k]);
            const char *s = csvtable_cell(t, r, col[k]);

            if (k >= 4 && k <= 6 && isfinite(v))
                cell(&c, "%.*f", k == 6 ? 2 : 3, v);
            else if (k == 0)
                cell(&c, "%.19s", *s ? s : "-");
            else
                cell(&c, "%s", *s ? s : "-");
        }
        if (tones)
            tones[r] = verdict_tone(csvtable_cell(t, r, col[7]));
    }
    table(d, 8, head, al, &c, tones);
    free(tones);
}

int trendreport_write(const struct csvtable *trend, const struct chartset *cs, const char *title,
                      const char *path, struct vs_error *err)
{
    char msg[512], buf[200];
    struct pdfdoc *d = pdfdoc_open(path, title, msg, sizeof(msg));
    int rc = 0;

    if (!d)
        return vs_error_setc(err, EIO, path, 0, 0, "%s", msg);
    pdfdoc_title(d, title);
    snprintf(buf, sizeof(buf),
             "%zu runs, oldest first, from trend.csv (vmstorm-analyze --trend). Times in "
             "seconds.",
             csvtable_rows(trend));
    pdfdoc_note(d, buf);
    pdfdoc_skip(d, 3);
    trend_table(d, trend);
    for (size_t i = 0; i < cs->n && rc == 0; i++) {
        pdfdoc_new_page(d);
        pdfdoc_heading(d, cs->v[i].title, 80);
        rc = chart(d, cs, cs->v[i].id, err);
    }
    if (cs->n == 0)
        pdfdoc_text(d, "No run has figures to chart.");
    if (pdfdoc_close(d, msg, sizeof(msg)) < 0 && rc == 0)
        rc = vs_error_setc(err, EIO, path, 0, 0, "%s", msg);
    return rc;
}
