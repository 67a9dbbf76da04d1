/* The charts of a trend report: one metric family a chart, runs oldest first. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "charts.h"
#include "gpscript.h"

/* Runs in the moving average (the run and the ones before it). */
#define MOVING_WINDOW 3
/* Up to this many runs, each x tic names its run; past it, every k-th. */
#define LABELLED_RUNS 30

struct series {
    const char *col, *title, *colour;
};

struct family {
    const char *id, *title, *ylabel, *caption;
    struct series s[4];
};

static const struct family families[] = {
    {"trend-running",
     "Time to Running over runs",
     "seconds",
     "P50 and P95 of the seconds from the start request to Running, per run (dots) and "
     "their moving average over the last 3 runs (lines), for creation and the boot storm.",
     {{"create_running_p50", "create P50", "#6baed6"},
      {"create_running_p95", "create P95", "#08519c"},
      {"storm_running_p50", "storm P50", "#fdae6b"},
      {"storm_running_p95", "storm P95", "#a63603"}}},
    {"trend-ready",
     "Time to ready over runs",
     "seconds",
     "P50 and P95 of the seconds from the start request to the readiness probe's first "
     "success, per run (dots) and their moving average over the last 3 runs (lines).",
     {{"create_ready_p50", "create P50", "#6baed6"},
      {"create_ready_p95", "create P95", "#08519c"},
      {"storm_ready_p50", "storm P50", "#fdae6b"},
      {"storm_ready_p95", "storm P95", "#a63603"}}},
    {"trend-multiplier",
     "Boot-storm multiplier over runs",
     "storm P95 / create P95",
     "How much slower the boot storm was than creation, per run, for Running and ready. "
     "Dashed lines: the verdict bands (below 2 good, 2 to 5 concerning, 5 and above "
     "critical).",
     {{"multiplier_running_p95", "Running", "#1f77b4"},
      {"multiplier_ready_p95", "ready", "#2ca02c"}}},
    {"trend-api",
     "API requests over runs",
     "requests",
     "Requests in the create and storm phases: the collector's own, and all the API server "
     "counted (apiserver_request_total), per run (dots) and moving average (lines).",
     {{"create_api_requests", "create: collector", "#6baed6"},
      {"storm_api_requests", "storm: collector", "#fdae6b"},
      {"create_apiserver_requests", "create: API server", "#08519c"},
      {"storm_apiserver_requests", "storm: API server", "#a63603"}}},
};

static size_t nseries(const struct family *fam)
{
    size_t n = 0;

    while (n < 4 && fam->s[n].col)
        n++;
    return n;
}

/* Whether any run has a value in any of the family's columns. */
static int has_data(const struct csvtable *t, const struct family *fam)
{
    for (size_t k = 0; k < nseries(fam); k++) {
        int col = csvtable_col(t, fam->s[k].col);

        for (size_t r = 0; col >= 0 && r < csvtable_rows(t); r++)
            if (isfinite(csvtable_num(t, r, col)))
                return 1;
    }
    return 0;
}

/* The mean of the finite values among the last MOVING_WINDOW runs up to r. */
static double moving_avg(const struct csvtable *t, int col, size_t r)
{
    double sum = 0;
    size_t n = 0;

    for (size_t i = r + 1 > MOVING_WINDOW ? r + 1 - MOVING_WINDOW : 0; i <= r; i++) {
        double v = csvtable_num(t, i, col);

        if (isfinite(v)) {
            sum += v;
            n++;
        }
    }
    return n ? sum / (double)n : NAN;
}

static int family_data(struct gp *g, const struct csvtable *t, const struct family *fam,
                       const char *name)
{
    int run_id = csvtable_col(t, "run_id"), started = csvtable_col(t, "started_at");
    FILE *d = gp_data(g, name);

    if (!d)
        return -1;
    for (size_t r = 0; r < csvtable_rows(t); r++) {
        char label[160];

        /* the run id (its start date when it has none), cut to keep the plot wide */
        snprintf(label, sizeof(label), "%.28s",
                 *csvtable_cell(t, r, run_id) ? csvtable_cell(t, r, run_id)
                                              : csvtable_cell(t, r, started));
        fprintf(d, "%zu ", r + 1);
        gp_put_label(d, label);
        for (size_t k = 0; k < nseries(fam); k++) {
            int col = csvtable_col(t, fam->s[k].col);

            gp_put_num(d, csvtable_num(t, r, col));
            gp_put_num(d, moving_avg(t, col, r));
        }
        fputc('\n', d);
    }
    return gp_data_close(g, d, name);
}

static int chart_family(struct gp *g, const struct csvtable *t, const struct family *fam)
{
    size_t runs = csvtable_rows(t), every = runs > LABELLED_RUNS ? runs / LABELLED_RUNS + 1 : 1;
    char name[64];
    FILE *f;

    if (!has_data(t, fam))
        return 0;
    snprintf(name, sizeof(name), "%s.dat", fam->id);
    if (family_data(g, t, fam, name) < 0)
        return -1;
    if (!(f = gp_chart(g, fam->id, fam->title, fam->caption, CHART_WIDTH_PX, 1100)))
        return 0;
    fprintf(f,
            "set ylabel '%s'\nset yrange [0:*]\nset xrange [0.5:%g]\n"
            "set xtics rotate by 45 right font ',7' scale 0\nset key below horizontal\n"
            "set lmargin 14\n",
            fam->ylabel, (double)runs + 0.5);
    if (strcmp(fam->id, "trend-multiplier") == 0)
        fputs("set arrow from graph 0, first 2 to graph 1, first 2 nohead dt 2 lc rgb '#ef8f00'\n"
              "set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 2 lc rgb '#c62828'\n"
              "set yrange [0:*]\n",
              f);
    for (size_t k = 0; k < nseries(fam); k++) {
        const struct series *s = &fam->s[k];

        fprintf(f,
                "%s'%s' using 1:%zu:xtic(int($0) %% %zu == 0 ? stringcolumn(2) : '') with points "
                "pt 7 ps 1.6 lc rgb '%s' title '%s', \\\n  '' using 1:%zu with lines lw 2 lc "
                "rgb '%s' notitle",
                k ? ", \\\n  " : "plot ", name, 3 + 2 * k, every, s->colour, s->title, 4 + 2 * k,
                s->colour);
    }
    fputs("\n", f);
    return 0;
}

int charts_trend(const struct csvtable *trend, const char *workdir, const char *pngdir,
                 struct chartset *out, struct vs_error *err)
{
    struct gp g = {.workdir = workdir, .pngdir = pngdir, .out = out, .err = err};

    out->n = 0;
    if (gp_open(&g) < 0) {
        gp_abandon(&g);
        return -1;
    }
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
        if (chart_family(&g, trend, &families[i]) < 0) {
            gp_abandon(&g);
            return -1;
        }
    return gp_finish(&g);
}
