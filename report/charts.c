#include "charts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpscript.h"
#include "selector.h"
#include "stats.h"

/* Colours: one per start phase (create, storm, ...), and the stages. */
static const char *const phase_colour[] = {"#1f77b4", "#d95f02", "#7570b3", "#1b9e77"};
static const char *const phase_dark[] = {"#0b3c66", "#8a3c01", "#3f3a6b", "#0e5a43"};
#define STAGE_SCHED "#bdbdbd"
#define STAGE_LAUNCH "#6baed6"
#define STAGE_BOOT "#31a354"
#define CENSORED "#e34a33"

/* The most VM rows a timeline draws; past it, every k-th VM is shown. */
#define TIMELINE_ROWS 600
/* Up to this many VMs, fio charts show a bar per VM; past it, VMs ranked. */
#define FIO_BARS 40

static const char *colour(size_t phase)
{
    return phase_colour[phase % (sizeof(phase_colour) / sizeof(phase_colour[0]))];
}

static const char *dark(size_t phase)
{
    return phase_dark[phase % (sizeof(phase_dark) / sizeof(phase_dark[0]))];
}

/* --- helpers over episodes ------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;

    return a < b ? -1 : a > b;
}

/* The reached values of a milestone (offset 0: sched, 1: running, 2: ready). */
static double ms_value(const struct episode *e, int ms)
{
    return ms == 0 ? e->sched : ms == 1 ? e->running : e->ready;
}

/* The milestone the distribution charts use: ready when probed, else Running. */
static int main_ms(const struct rundata *rd)
{
    return rd->probed ? 2 : 1;
}

static const char *ms_name(int ms)
{
    return ms == 0 ? "Scheduled" : ms == 1 ? "Running" : "ready";
}

/* --- distribution: CDF and histogram ------------------------------------- */

/*
 * The step curve of milestone ms in phase p, as a data file: against the
 * time from each VM's own start (share of the phase's VMs, in %), or with
 * `absolute`, against the time from the phase's first start (count of VMs).
 */
static int cumulative_data(struct gp *g, const struct rundata *rd, size_t p, int ms, int absolute,
                           const char *name)
{
    const struct episode *e;
    size_t n = rundata_phase_episodes(rd, p, &e), k = 0;
    double *v = malloc((n ? n : 1) * sizeof(*v));
    FILE *f;

    if (!v)
        return vs_error_setc(g->err, ENOMEM, name, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (isfinite(ms_value(&e[i], ms)))
            v[k++] = (absolute ? e[i].t0 : 0) + ms_value(&e[i], ms);
    qsort(v, k, sizeof(*v), cmp_double);
    if (!(f = gp_data(g, name))) {
        free(v);
        return -1;
    }
    fputs("0 0\n", f);
    for (size_t i = 0; i < k; i++)
        fprintf(f, "%.9g %.9g\n", v[i],
                absolute ? (double)(i + 1) : 100.0 * (double)(i + 1) / (double)n);
    free(v);
    return gp_data_close(g, f, name);
}

/* Plot the step curves of Running (solid) and ready (dashed) of every phase. */
static int step_curves(struct gp *g, const struct rundata *rd, FILE *f, const char *prefix,
                       int absolute)
{
    const char *sep = "plot ";

    for (size_t p = 0; p < rd->nphases; p++)
        for (int ms = 1; ms <= main_ms(rd); ms++) {
            char name[64];

            snprintf(name, sizeof(name), "%s-%zu-%d.dat", prefix, p, ms);
            if (cumulative_data(g, rd, p, ms, absolute, name) < 0)
                return -1;
            fprintf(f, "%s'%s' using 1:2 with steps lw 2.2 dt %d lc rgb '%s' title '%s: %s'", sep,
                    name, ms == 1 ? 1 : 2, colour(p), rd->phases[p], ms_name(ms));
            sep = ", \\\n  ";
        }
    fputs("\n", f);
    return 0;
}

static int chart_cdf(struct gp *g, const struct rundata *rd)
{
    FILE *f = gp_chart(g, "cdf", "Share of VMs up by time since their start request",
                       "Cumulative share of the VMs of each phase that reached Running (solid) and "
                       "readiness (dashed) by the time on the x axis. A curve that ends below "
                       "100% has VMs that never got there. Curves to the right are slower.",
                       CHART_WIDTH_PX, 820);

    if (!f)
        return 0;
    fputs("set xlabel 'seconds from the start request (t0)'\nset ylabel 'VMs reached (%)'\n"
          "set yrange [0:100]\nset xrange [0:*]\nset key bottom right\n",
          f);
    return step_curves(g, rd, f, "cdf", 0);
}

static int chart_histogram(struct gp *g, const struct rundata *rd)
{
    int ms = main_ms(rd);
    double max = 0, width;
    size_t nbins, *counts;
    FILE *f, *d;
    char title[128], caption[400];

    for (size_t i = 0; i < rd->nep; i++)
        if (isfinite(ms_value(&rd->ep[i], ms)) && ms_value(&rd->ep[i], ms) > max)
            max = ms_value(&rd->ep[i], ms);
    width = gp_nice_step(max, 40);
    nbins = (size_t)floor(max / width) + 1;
    snprintf(title, sizeof(title), "How long VMs took to be %s", ms_name(ms));
    snprintf(caption, sizeof(caption),
             "Number of VMs by seconds from the start request to %s, in bins of %g s, each phase "
             "in its own colour (overlaps show as the mix of both).",
             ms == 2 ? "readiness (the probe's first success)" : "Running", width);
    if (!(f = gp_chart(g, "histogram", title, caption, CHART_WIDTH_PX, 700)))
        return 0;
    if (!(counts = calloc(nbins * rd->nphases, sizeof(*counts))))
        return vs_error_setc(g->err, ENOMEM, "histogram.dat", 0, 0, "out of memory");
    for (size_t i = 0; i < rd->nep; i++) {
        double v = ms_value(&rd->ep[i], ms);

        if (isfinite(v) && v >= 0) /* a hand-edited vms.csv could hold anything */
            counts[(size_t)floor(v / width) * rd->nphases + rd->ep[i].phase_no]++;
    }
    if (!(d = gp_data(g, "histogram.dat"))) {
        free(counts);
        return -1;
    }
    for (size_t b = 0; b < nbins; b++) {
        fprintf(d, "%.9g", (double)b * width);
        for (size_t p = 0; p < rd->nphases; p++)
            fprintf(d, " %zu", counts[b * rd->nphases + p]);
        fputc('\n', d);
    }
    free(counts);
    if (gp_data_close(g, d, "histogram.dat") < 0)
        return -1;
    fprintf(f,
            "set xlabel 'seconds from the start request (t0) to %s'\nset ylabel 'VMs'\n"
            "set style fill transparent solid 0.55 border -1\nset boxwidth %.9g absolute\n"
            "set xrange [0:*]\nset yrange [0:*]\nset key top right\n",
            ms_name(ms), width);
    for (size_t p = 0; p < rd->nphases; p++)
        fprintf(f, "%s'histogram.dat' using ($1+%.9g):%zu with boxes lc rgb '%s' title '%s'",
                p ? ", \\\n  " : "plot ", width / 2, p + 2, colour(p), rd->phases[p]);
    fputs("\n", f);
    return 0;
}

/* --- timeline and progress -------------------------------------------------- */

/* The last time we know of for an episode that did not get to ready. */
static double last_known(const struct episode *e)
{
    return isfinite(e->running) ? e->running : isfinite(e->sched) ? e->sched : 0;
}

static int timeline_data(struct gp *g, const struct rundata *rd, size_t p, const char *name,
                         size_t *rows, size_t *every)
{
    const struct episode *e;
    size_t n = rundata_phase_episodes(rd, p, &e), row = 0;
    FILE *f = gp_data(g, name);

    *every = n > TIMELINE_ROWS ? (n + TIMELINE_ROWS - 1) / TIMELINE_ROWS : 1;
    if (!f)
        return -1;
    /* row, label, start, scheduled, running, ready, last known when not ready */
    for (size_t i = 0; i < n; i += *every, row++) {
        char label[300];
        double t = e[i].t0;
        int cens = !isfinite(e[i].ready) && !(!rd->probed && isfinite(e[i].running));

        snprintf(label, sizeof(label), "%s/%s", e[i].ns, e[i].name);
        fprintf(f, "%zu ", row);
        gp_put_label(f, label);
        gp_put_num(f, t);
        gp_put_num(f, t + e[i].sched);
        gp_put_num(f, t + e[i].running);
        gp_put_num(f, t + e[i].ready);
        gp_put_num(f, cens ? t + last_known(&e[i]) : NAN);
        fputc('\n', f);
    }
    *rows = row;
    return gp_data_close(g, f, name);
}

/* "st", "nd", "rd" or "th": 21st, 22nd, 23rd, but 11th, 12th, 13th. */
static const char *ordinal_suffix(size_t n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

static void timeline_panel(FILE *f, const struct rundata *rd, size_t p, const char *name,
                           size_t rows, size_t every, size_t total)
{
    if (every > 1)
        fprintf(f, "set title '%s: every %zu%s of %zu VMs, by start time' font ',10'\n",
                rd->phases[p], every, ordinal_suffix(every), total);
    else
        fprintf(f, "set title '%s: %zu VMs, by start time' font ',10'\n", rd->phases[p], total);
    fprintf(f, "set yrange [%g:-0.5]\n", (double)rows - 0.5);
    if (rows <= 40)
        fputs("set ytics scale 0 font ',7'\n", f);
    else
        fputs("set ytics auto\nset ylabel 'VM (by start time)'\n", f);
    fprintf(f,
            "plot '%s' using (($3+$4)/2):1:3:4:($1-0.4):($1+0.4) with boxxyerror fs solid 1.0 "
            "noborder lc rgb '" STAGE_SCHED "' title 'scheduling', \\\n"
            "  '' using (($4+$5)/2):1:4:5:($1-0.4):($1+0.4) with boxxyerror fs solid 1.0 "
            "noborder lc rgb '" STAGE_LAUNCH "' title 'launch', \\\n"
            "  '' using (($5+$6)/2):1:5:6:($1-0.4):($1+0.4) with boxxyerror fs solid 1.0 "
            "noborder lc rgb '" STAGE_BOOT "' title 'boot', \\\n"
            "  '' using 7:1 with points pt 2 ps %s lw 2 lc rgb '" CENSORED
            "' title 'not ready at phase end'%s\n",
            name, rows <= 40 ? "1.2" : "0.6",
            rows <= 40 ? ", \\\n  '' using (0):1:ytic(2) with points ps 0 notitle" : "");
}

/* The latest moment any row of the timeline reaches, for a shared x axis. */
static double timeline_end(const struct rundata *rd)
{
    double end = 0;

    for (size_t i = 0; i < rd->nep; i++) {
        const struct episode *e = &rd->ep[i];
        double t = e->t0 + (isfinite(e->ready) ? e->ready : last_known(e));

        if (isfinite(t) && t > end)
            end = t;
    }
    return end > 0 ? end * 1.03 : 1;
}

static int chart_timeline(struct gp *g, const struct rundata *rd)
{
    size_t rows[8], every[8], maxrows = 0;
    FILE *f;

    for (size_t p = 0; p < rd->nphases; p++) {
        char name[64];

        snprintf(name, sizeof(name), "timeline-%zu.dat", p);
        if (timeline_data(g, rd, p, name, &rows[p], &every[p]) < 0)
            return -1;
        if (rows[p] > maxrows)
            maxrows = rows[p];
    }
    f = gp_chart(g, "timeline", "Where the time goes, VM by VM",
                 "Each row is one VM, ordered by the time its start was requested; x is seconds "
                 "from the phase's first request. Grey: waiting to be scheduled (includes any "
                 "DataVolume clone), blue: launching the virt-launcher pod until Running, green: "
                 "guest boot until the readiness probe answered. A red cross marks the last "
                 "milestone of a VM that was not ready when its phase ended.",
                 CHART_WIDTH_PX, maxrows <= 16 ? 700 + 60 * (int)maxrows : 1700);
    if (!f)
        return 0;
    fprintf(f,
            "unset title\nset multiplot layout %zu,1 title 'Where the time goes, VM by VM' "
            "font ',11'\n",
            rd->nphases);
    fprintf(f,
            "set xlabel 'seconds from the phase start'\nset xrange [0:%.9g]\n"
            "set key outside top center horizontal maxrows 1 font ',8'\nset grid noytics\n"
            "unset ylabel\n",
            timeline_end(rd));
    for (size_t p = 0; p < rd->nphases; p++) {
        const struct episode *e;
        char name[64];

        snprintf(name, sizeof(name), "timeline-%zu.dat", p);
        if (p > 0)
            fputs("unset key\n", f);
        timeline_panel(f, rd, p, name, rows[p], every[p], rundata_phase_episodes(rd, p, &e));
    }
    fputs("unset multiplot\n", f);
    return 0;
}

static int chart_progress(struct gp *g, const struct rundata *rd)
{
    FILE *f = gp_chart(g, "progress", "VMs up over time",
                       "How many VMs were Running (solid) and ready (dashed) at each moment, in "
                       "seconds from the phase's first start request: the shape of a boot storm "
                       "recovering.",
                       CHART_WIDTH_PX, 760);

    if (!f)
        return 0;
    fputs("set xlabel 'seconds from the phase start'\nset ylabel 'VMs'\nset xrange [0:*]\n"
          "set yrange [0:*]\nset key bottom right\n",
          f);
    return step_curves(g, rd, f, "progress", 1);
}

/* --- stage breakdown and nodes ---------------------------------------------- */

static int chart_stages(struct gp *g, const struct rundata *rd)
{
    int last = main_ms(rd);
    FILE *f, *d;

    if (!(f = gp_chart(g, "stages", "Median time per stage",
                       "The median of each stage over the VMs that went through it: scheduling "
                       "(start request to Scheduled), launch (Scheduled to Running) and boot "
                       "(Running to ready). Medians of stages do not add up exactly to the median "
                       "of the whole.",
                       CHART_WIDTH_PX, 640)))
        return 0;
    if (!(d = gp_data(g, "stages.dat")))
        return -1;
    for (size_t p = 0; p < rd->nphases; p++) {
        gp_put_label(d, rd->phases[p]);
        for (int s = 0; s <= last; s++)
            gp_put_num(d, rundata_stage_median(rd, p, s));
        if (last < 2)
            fputs(" ?", d);
        fputc('\n', d);
    }
    if (gp_data_close(g, d, "stages.dat") < 0)
        return -1;
    fputs("set style data histograms\nset style histogram rowstacked\n"
          "set style fill solid 1.0 border lc rgb '#ffffff'\nset boxwidth 0.5\n"
          "set ylabel 'seconds (median)'\nset yrange [0:*]\nset key outside right top vertical\n"
          "set grid noxtics\nset xtics scale 0\n",
          f);
    fprintf(f, "set xrange [-0.6:%g]\n", (double)rd->nphases - 0.4);
    fprintf(f,
            "plot 'stages.dat' using 2:xtic(1) title 'scheduling' lc rgb '" STAGE_SCHED "', \\\n"
            "  '' using 3 title 'launch' lc rgb '" STAGE_LAUNCH "'%s\n",
            last == 2 ? ", \\\n  '' using 4 title 'boot to ready' lc rgb '" STAGE_BOOT "'" : "");
    return 0;
}

/* Node statistics, one row per node: P50, P95 per phase. */
struct node_row {
    const char *node;
    double v[16];
};

static double node_key(const struct node_row *r, size_t nphases)
{
    double k = r->v[2 * (nphases - 1) + 1];

    return isfinite(k) ? k : -1;
}

static size_t sort_phases; /* qsort has no context argument */

static int cmp_node_rows(const void *x, const void *y)
{
    double a = node_key(x, sort_phases), b = node_key(y, sort_phases);

    if (a != b)
        return a > b ? -1 : 1;
    return strcmp(((const struct node_row *)x)->node, ((const struct node_row *)y)->node);
}

/*
 * nodes.dat: rank, node, then P50 and P95 per phase. Many nodes are ranked
 * by the last phase's P95, slowest first; a few keep their names' order.
 */
static int nodes_data(struct gp *g, const struct rundata *rd, const char **nodes, size_t n, int ms,
                      int ranked)
{
    struct node_row *rows = calloc(n, sizeof(*rows));
    size_t np = rd->nphases < 8 ? rd->nphases : 8;
    FILE *d;

    if (!rows)
        return vs_error_setc(g->err, ENOMEM, "nodes.dat", 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        rows[i].node = nodes[i];
        for (size_t p = 0; p < np; p++) {
            struct stats_summary s;

            rundata_node_stats(rd, p, nodes[i], ms, &s);
            rows[i].v[2 * p] = s.ok ? s.p50 : NAN;
            rows[i].v[2 * p + 1] = s.ok ? s.p95 : NAN;
        }
    }
    sort_phases = np;
    if (ranked)
        qsort(rows, n, sizeof(*rows), cmp_node_rows);
    if (!(d = gp_data(g, "nodes.dat"))) {
        free(rows);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(d, "%zu ", i + 1);
        gp_put_label(d, rows[i].node);
        for (size_t k = 0; k < 2 * np; k++)
            gp_put_num(d, rows[i].v[k]);
        fputc('\n', d);
    }
    free(rows);
    return gp_data_close(g, d, "nodes.dat");
}

/* Up to this many nodes, a bar per node and phase; past it, nodes ranked. */
#define NODE_BARS 16

static void nodes_plot(FILE *f, const struct rundata *rd, size_t n)
{
    int bars = n <= NODE_BARS;

    if (bars)
        fprintf(f,
                "set style data histograms\nset style histogram clustered gap 1\n"
                "set style fill solid 1.0 border -1\nset grid noxtics\nset xtics scale 0%s\n"
                "set xrange [-0.6:%g]\nset key top right\n",
                n > 8 ? " rotate by 45 right" : "", (double)n - 0.4);
    else
        fprintf(f,
                "set xlabel '%zu nodes, ranked by %s P95, slowest first'\nset xrange [0:%zu]\n"
                "set key outside top center horizontal\n",
                n, rd->phases[rd->nphases - 1], n + 1);
    fputs("set ylabel 'seconds'\nset yrange [0:*]\n", f);
    for (size_t p = 0; p < rd->nphases && p < 8; p++) {
        if (bars)
            fprintf(f,
                    "%s'nodes.dat' using %zu%s title '%s P50' lc rgb '%s', '' using %zu title "
                    "'%s P95' lc rgb '%s'",
                    p ? ", \\\n  " : "plot ", 3 + 2 * p, p ? "" : ":xtic(2)", rd->phases[p],
                    colour(p), 4 + 2 * p, rd->phases[p], dark(p));
        else
            fprintf(f,
                    "%s'nodes.dat' using 1:%zu title '%s P50' with points pt 7 ps 0.6 lc rgb "
                    "'%s', '' using 1:%zu title '%s P95' with points pt 7 ps 0.9 lc rgb '%s'",
                    p ? ", \\\n  " : "plot ", 3 + 2 * p, rd->phases[p], colour(p), 4 + 2 * p,
                    rd->phases[p], dark(p));
    }
    fputs("\n", f);
}

static int chart_nodes(struct gp *g, const struct rundata *rd)
{
    const char **nodes;
    size_t n = rundata_nodes(rd, &nodes);
    int ms = main_ms(rd), rc = 0;
    char title[128];
    FILE *f;

    if (n < 2) {
        free(nodes);
        return 0;
    }
    snprintf(title, sizeof(title), "Time to %s per node", ms_name(ms));
    f = gp_chart(g, "nodes", title,
                 "P50 (light) and P95 (dark) of the seconds from the start request to the "
                 "milestone, per node the VMs ran on and per phase. A node far above the others "
                 "points at node-local contention (disk, image pulls, CPU).",
                 CHART_WIDTH_PX, 760);
    if (f && (rc = nodes_data(g, rd, nodes, n, ms, n > NODE_BARS)) == 0)
        nodes_plot(f, rd, n);
    free(nodes);
    return rc;
}

/* --- API load -------------------------------------------------------------- */

#define API_SERIES 8 /* the biggest categories get their own colour; the rest is "other" */
static const char *const series_colour[API_SERIES + 1] = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                                          "#d62728", "#9467bd", "#8c564b",
                                                          "#e377c2", "#17becf", "#bdbdbd"};

struct category {
    const char *name;
    double total;
};

static int cmp_category(const void *x, const void *y)
{
    const struct category *a = x, *b = y;

    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* The counts object of phase ph under member (e.g. "collector.by_verb_resource"). */
static const cJSON *api_counts(const cJSON *ph, const char *member)
{
    return json_path_get(ph, member);
}

struct categories {
    struct category *v;
    size_t n, cap;
};

/* Add value to the category named name (a new one if needed). -1 on ENOMEM. */
static int add_category(struct categories *cs, const char *name, double value)
{
    size_t i = 0;

    while (i < cs->n && strcmp(cs->v[i].name, name) != 0)
        i++;
    if (i == cs->n) {
        if (cs->n == cs->cap) {
            size_t cap = cs->cap ? 2 * cs->cap : 16;
            struct category *v = realloc(cs->v, cap * sizeof(*v));

            if (!v)
                return -1;
            cs->v = v;
            cs->cap = cap;
        }
        cs->v[cs->n++] = (struct category){name, 0};
    }
    cs->v[i].total += value;
    return 0;
}

/* All categories over the phases, biggest first; count returned (0 on ENOMEM too). */
static size_t api_categories(const cJSON *api, const char *member, struct category **out)
{
    struct categories cs = {0};
    const cJSON *ph;

    cJSON_ArrayForEach(ph, api)
    {
        const cJSON *c;

        cJSON_ArrayForEach(c, api_counts(ph, member))
        {
            if (add_category(&cs, c->string, cJSON_IsNumber(c) ? c->valuedouble : 0) < 0) {
                free(cs.v);
                *out = NULL;
                return 0;
            }
        }
    }
    if (cs.n)
        qsort(cs.v, cs.n, sizeof(*cs.v), cmp_category);
    *out = cs.v;
    return cs.n;
}

/* The sum of a counts object. */
static double api_total(const cJSON *counts)
{
    const cJSON *c;
    double t = 0;

    cJSON_ArrayForEach(c, counts)
    {
        t += cJSON_IsNumber(c) ? c->valuedouble : 0;
    }
    return t;
}

/* A category's label: the KubeVirt "-count" suffix says nothing on a chart of counts. */
static void put_category(FILE *d, const char *name)
{
    char buf[256];
    size_t n = strlen(name);

    if (n > 6 && n < sizeof(buf) && strcmp(name + n - 6, "-count") == 0) {
        memcpy(buf, name, n - 6);
        buf[n - 6] = '\0';
        name = buf;
    }
    gp_put_label(d, name);
}

/* One row per phase with requests (phases without any are left out). */
static int api_data(struct gp *g, const cJSON *api, const char *member, const struct category *cat,
                    size_t ncat, const char *name, size_t *rows)
{
    size_t shown = ncat > API_SERIES ? API_SERIES : ncat;
    FILE *d = gp_data(g, name);
    const cJSON *ph;

    if (!d)
        return -1;
    fputs("phase", d);
    for (size_t i = 0; i < shown; i++) {
        fputc(' ', d);
        put_category(d, cat[i].name);
    }
    fputs(ncat > shown ? " \"other\"\n" : "\n", d);
    cJSON_ArrayForEach(ph, api)
    {
        const cJSON *counts = api_counts(ph, member);
        double other = 0;
        const cJSON *c;

        if (api_total(counts) <= 0)
            continue;
        ++*rows;
        gp_put_label(d, ph->string);
        for (size_t i = 0; i < shown; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(counts, cat[i].name);

            gp_put_num(d, cJSON_IsNumber(v) ? v->valuedouble : 0);
        }
        cJSON_ArrayForEach(c, counts)
        {
            size_t i = 0;

            while (i < shown && strcmp(cat[i].name, c->string) != 0)
                i++;
            if (i == shown && cJSON_IsNumber(c))
                other += c->valuedouble;
        }
        if (ncat > shown)
            gp_put_num(d, other);
        fputc('\n', d);
    }
    return gp_data_close(g, d, name);
}

static int chart_api(struct gp *g, const struct rundata *rd, const char *id, const char *member,
                     const char *title, const char *caption)
{
    const cJSON *api = rundata_get(rd, "api_calls");
    struct category *cat;
    size_t ncat = api_categories(api, member, &cat), series, rows = 0;
    char name[64];
    FILE *f;
    int rc = 0;

    if (ncat == 0) {
        free(cat);
        return 0;
    }
    series = ncat > API_SERIES ? API_SERIES + 1 : ncat;
    snprintf(name, sizeof(name), "%s.dat", id);
    if (!(f = gp_chart(g, id, title, caption, CHART_WIDTH_PX, 800)) ||
        (rc = api_data(g, api, member, cat, ncat, name, &rows)) < 0) {
        free(cat);
        return rc;
    }
    fputs("set style data histograms\nset style histogram rowstacked\n"
          "set style fill solid 1.0 border lc rgb '#ffffff'\nset boxwidth 0.6\n"
          "set ylabel 'requests'\nset yrange [0:*]\nset key below horizontal maxcols 3 "
          "font ',8'\nset grid noxtics\nset xtics scale 0\nset key autotitle columnheader\n",
          f);
    fprintf(f, "set xrange [-0.6:%g]\n", (double)rows - 0.4);
    fprintf(f, "plot for [i=2:%zu] '%s' using i:xtic(1) lc rgb word('", series + 1, name);
    for (size_t i = 0; i < series; i++)
        fprintf(f, "%s%s", i ? " " : "", series_colour[i < API_SERIES ? i : API_SERIES]);
    fputs("', i-1)\n", f);
    free(cat);
    return 0;
}

/* --- fio ------------------------------------------------------------------- */

struct fio_vm {
    char label[300];
    double v[8]; /* read iops, write iops, read clat p50 p95 p99, write clat p50 p95 p99 */
};

static const char *const fio_paths[8] = {
    "read.iops",        "write.iops",        "read.clat_p50_ms",  "read.clat_p95_ms",
    "read.clat_p99_ms", "write.clat_p50_ms", "write.clat_p95_ms", "write.clat_p99_ms"};

static size_t fio_vms(const struct rundata *rd, struct fio_vm **out)
{
    const cJSON *per = rundata_get(rd, "fio.per_vm"), *vm;
    struct fio_vm *v = calloc((size_t)cJSON_GetArraySize(per) + 1, sizeof(*v));
    size_t n = 0;

    *out = v;
    if (!v)
        return 0;
    cJSON_ArrayForEach(vm, per)
    {
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "status"));

        if (!st || strcmp(st, "ok") != 0)
            continue;
        snprintf(v[n].label, sizeof(v[n].label), "%s/%s",
                 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "namespace")) ?: "?",
                 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "name")) ?: "?");
        for (int i = 0; i < 8; i++) {
            const cJSON *x = json_path_get(vm, fio_paths[i]);

            v[n].v[i] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
        }
        n++;
    }
    return n;
}

static int cmp_fio_read_iops(const void *x, const void *y)
{
    const struct fio_vm *a = x, *b = y;

    if (a->v[0] != b->v[0])
        return a->v[0] > b->v[0] ? -1 : 1;
    return strcmp(a->label, b->label);
}

static int fio_data(struct gp *g, const struct fio_vm *v, size_t n)
{
    FILE *d = gp_data(g, "fio.dat");

    if (!d)
        return -1;
    for (size_t i = 0; i < n; i++) {
        fprintf(d, "%zu ", i + 1);
        gp_put_label(d, v[i].label);
        for (int k = 0; k < 8; k++)
            gp_put_num(d, v[i].v[k]);
        fputc('\n', d);
    }
    return gp_data_close(g, d, "fio.dat");
}

/* Whether any VM has a value in v[k]. */
static int fio_has(const struct fio_vm *v, size_t n, int k)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i].v[k]))
            return 1;
    return 0;
}

/*
 * Plot the series v[k] for k in ks (titles and colours alongside) that have
 * data: bars per VM up to FIO_BARS VMs, else lines over the VMs' rank. The
 * data file's column of v[k] is k + 3.
 */
static void fio_plot(FILE *f, const struct fio_vm *v, size_t n, const int *ks,
                     const char *const *titles, const char *const *colours, int count, int labels)
{
    const char *sep = "plot ";

    for (int i = 0; i < count; i++) {
        if (!fio_has(v, n, ks[i]))
            continue;
        if (n <= FIO_BARS)
            fprintf(f, "%s'fio.dat' using %d%s title '%s' lc rgb '%s'", sep, ks[i] + 3,
                    *sep == 'p' && labels ? ":xtic(2)" : "", titles[i], colours[i]);
        else
            fprintf(f, "%s'fio.dat' using 1:%d title '%s' with lines lw 2 lc rgb '%s'", sep,
                    ks[i] + 3, titles[i], colours[i]);
        sep = ", ";
    }
    fputs("\n", f);
}

static void fio_style_xlabel(FILE *f, size_t n)
{
    if (n > FIO_BARS)
        fputs("set xlabel 'VMs, ranked by read IOPS'\n", f);
}

static void fio_style(FILE *f, size_t n)
{
    if (n <= FIO_BARS)
        fputs("set style data histograms\nset style histogram clustered gap 1\n"
              "set style fill solid 1.0 border -1\nset grid noxtics\n"
              "set xtics scale 0 rotate by 45 right font ',7'\n",
              f);
    fio_style_xlabel(f, n);
}

static void fio_iops_plot(FILE *f, const struct fio_vm *v, size_t n)
{
    static const int ks[] = {0, 1};
    static const char *const titles[] = {"read", "write"};
    static const char *const colours[] = {"#1f77b4", "#ff7f0e"};

    fio_style(f, n);
    if (n <= FIO_BARS)
        fprintf(f, "set xrange [-0.6:%g]\n", (double)n - 0.4);
    fputs("set yrange [0:*]\nset ylabel 'IOPS'\nset key outside top right vertical\n", f);
    fio_plot(f, v, n, ks, titles, colours, 2, 1);
}

static void fio_latency_plot(FILE *f, const struct fio_vm *v, size_t n)
{
    static const char *const dir[2] = {"read", "write"};
    static const char *const titles[] = {"P50", "P95", "P99"};
    static const char *const colours[] = {"#c6dbef", "#6baed6", "#08519c"};
    int panels = 0;

    for (int k = 0; k < 2; k++)
        panels += fio_has(v, n, 2 + 3 * k) || fio_has(v, n, 4 + 3 * k);
    /* fixed margins: equal panels, room for the VMs' names under the lower one */
    fprintf(f,
            "unset title\nset multiplot layout %d,1 title 'fio: completion latency per VM' "
            "font ',11' margins 0.13,0.86,%s,0.85 spacing 0,0.11\nset ylabel 'ms'\n"
            "set yrange [0:*]\nset key outside top right vertical font ',8'\n",
            panels ? panels : 1, n <= FIO_BARS ? "0.22" : "0.1");
    fio_style(f, n);
    if (n <= FIO_BARS)
        fprintf(f, "set xrange [-0.6:%g]\n", (double)n - 0.4);
    for (int k = 0; k < 2; k++) {
        int ks[3] = {2 + 3 * k, 3 + 3 * k, 4 + 3 * k};

        if (!fio_has(v, n, ks[0]) && !fio_has(v, n, ks[1]) && !fio_has(v, n, ks[2]))
            continue;
        /* with two panels the VMs' names (or the axis label) go under the lower one only:
         * the upper one's would run into the lower one's title */
        fprintf(f, "set title '%s completion latency' font ',10'\n%s", dir[k],
                panels == 2 && k == 0 ? "set xtics format ''\nunset xlabel\n"
                                      : "set xtics format\n");
        if (!(panels == 2 && k == 0))
            fio_style_xlabel(f, n);
        fio_plot(f, v, n, ks, titles, colours, 3, !(panels == 2 && k == 0));
    }
    fputs("unset multiplot\n", f);
}

static int chart_fio(struct gp *g, const struct rundata *rd)
{
    struct fio_vm *v;
    size_t n = fio_vms(rd, &v);
    FILE *f;
    int rc = 0;

    if (n == 0) {
        free(v);
        return v ? 0 : vs_error_setc(g->err, ENOMEM, "fio", 0, 0, "out of memory");
    }
    qsort(v, n, sizeof(*v), cmp_fio_read_iops);
    if ((rc = fio_data(g, v, n)) == 0 && (fio_has(v, n, 0) || fio_has(v, n, 1))) {
        if ((f = gp_chart(g, "fio-iops", "fio: IOPS per VM",
                          "Read and write I/O operations per second each VM's fio job reached, "
                          "VMs ordered by read IOPS.",
                          CHART_WIDTH_PX, 760)))
            fio_iops_plot(f, v, n);
        if ((f = gp_chart(g, "fio-latency", "fio: completion latency per VM",
                          "P50, P95 and P99 of each VM's completion latency (clat) in "
                          "milliseconds, read above and write below, VMs in the same order as "
                          "the IOPS chart.",
                          CHART_WIDTH_PX, 1100)))
            fio_latency_plot(f, v, n);
    }
    free(v);
    return rc;
}

/* --- the run's chart set ---------------------------------------------------- */

int charts_run(const struct rundata *rd, const char *workdir, const char *pngdir,
               struct chartset *out, struct vs_error *err)
{
    static int (*const vm_charts[])(struct gp *, const struct rundata *) = {
        chart_cdf, chart_timeline, chart_histogram, chart_progress, chart_stages};
    struct gp g = {.workdir = workdir, .pngdir = pngdir, .out = out, .err = err};
    int rc;

    out->n = 0;
    if (gp_open(&g) < 0) {
        gp_abandon(&g);
        return -1;
    }
    rc = 0;
    if (rd->nep) /* the charts of VM starts */
        for (size_t i = 0; rc == 0 && i < sizeof(vm_charts) / sizeof(vm_charts[0]); i++)
            rc = vm_charts[i](&g, rd);
    if (rc == 0)
        rc = chart_nodes(&g, rd);
    if (rc == 0)
        rc = chart_api(&g, rd, "api-collector", "collector.by_verb_resource",
                       "API requests by the collector, per phase",
                       "Every request vmstorm-collect made, by verb and resource, per phase: the "
                       "load the measurement itself put on the API server.");
    if (rc == 0)
        rc = chart_api(&g, rd, "api-cluster", "metrics.apiserver.counts",
                       "API requests the API server counted, per phase",
                       "Increase of apiserver_request_total between the metrics scrapes at the "
                       "start and end of each phase, by verb and resource, named as KubeVirt's "
                       "perf reports name them: all clients, controllers included.");
    if (rc == 0)
        rc = chart_fio(&g, rd);
    if (rc < 0) {
        gp_abandon(&g);
        return -1;
    }
    return gp_finish(&g);
}

const struct chart *charts_find(const struct chartset *cs, const char *id)
{
    for (size_t i = 0; i < cs->n; i++)
        if (strcmp(cs->v[i].id, id) == 0)
            return &cs->v[i];
    return NULL;
}

void charts_clear(const char *pngdir)
{
    /* every id given to gp_chart, here and in trendcharts.c */
    static const char *const ids[] = {
        "cdf",           "histogram",     "timeline",         "progress",  "stages",
        "nodes",         "api-collector", "api-cluster",      "fio-iops",  "fio-latency",
        "trend-running", "trend-ready",   "trend-multiplier", "trend-api",
    };

    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        char p[4200];

        snprintf(p, sizeof(p), "%s/%s.png", pngdir, ids[i]);
        unlink(p);
    }
}
