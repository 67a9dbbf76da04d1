/*
 * charts.h - the charts of a run report and of a trend report, drawn by
 * gnuplot.
 *
 * charts_run / charts_trend write the data each chart needs (plain
 * whitespace-separated columns, "?" for a value that does not exist) and
 * gnuplot scripts into workdir, run gnuplot (two processes, the charts
 * split between them), and leave one PNG per chart in pngdir, named
 * "<id>.png". A chart whose data does not exist (no storm, one node, no fio)
 * is left out. PNGs are CHART_DPI dots per inch at the size the PDF shows
 * them, so they stay crisp when zoomed.
 *
 * Ownership: the chart set is filled in place; nothing to free.
 */
#ifndef VS_REPORT_CHARTS_H
#define VS_REPORT_CHARTS_H

#include <stddef.h>

#include "error.h"
#include "rundata.h"

#define CHART_DPI 200
#define CHART_MAX 16
#define CHART_WIDTH_PX 1400 /* 7 inches at CHART_DPI: the PDF's text width */

struct chart {
    char id[32];       /* file name without .png: "cdf", "timeline", ... */
    char png[4096];    /* pngdir/id.png */
    char title[128];   /* the chart's title (also drawn in the PNG) */
    char caption[640]; /* what it shows and how to read it */
    int width, height; /* pixels */
};

struct chartset {
    struct chart v[CHART_MAX];
    size_t n;
};

/* The charts of one run. 0, or -1 with err. */
int charts_run(const struct rundata *rd, const char *workdir, const char *pngdir,
               struct chartset *out, struct vs_error *err);

/* The charts of a trend (trend.csv's rows, oldest first). 0, or -1 with err. */
int charts_trend(const struct csvtable *trend, const char *workdir, const char *pngdir,
                 struct chartset *out, struct vs_error *err);

/*
 * Remove from pngdir the PNG of every chart a report can draw (run or
 * trend), so that a folder never mixes the charts of two reports; other
 * files are left alone.
 */
void charts_clear(const char *pngdir);

/* The chart with this id, or NULL when it was left out. */
const struct chart *charts_find(const struct chartset *cs, const char *id);

#endif
