/*
 * gpscript.h - writing gnuplot scripts and their data files.
 *
 * A report's charts are spread over GP_SCRIPTS scripts in the work folder,
 * run at once by gnuplot_run_all. gp_chart begins a chart (records it in
 * the chart set, writes the terminal, output and common style to the next
 * script) and returns the script for its plot commands; gp_data creates a
 * data file in the work folder. Data files hold whitespace-separated
 * columns, double-quoted labels and "?" for values that do not exist.
 *
 * Errors: functions returning int give 0 or -1 with g->err filled; those
 * returning FILE * give NULL with g->err filled.
 */
#ifndef VS_REPORT_GPSCRIPT_H
#define VS_REPORT_GPSCRIPT_H

#include <stdio.h>

#include "charts.h"
#include "error.h"

#define GP_SCRIPTS 2

struct gp {
    const char *workdir, *pngdir;
    FILE *script[GP_SCRIPTS];
    char names[GP_SCRIPTS][32];
    size_t next;
    struct chartset *out;
    struct vs_error *err;
};

/* Create the scripts in g->workdir. */
int gp_open(struct gp *g);

/* Close the scripts, checking the writes, and run gnuplot on them. */
int gp_finish(struct gp *g);

/* Close the scripts without running them (after an error). */
void gp_abandon(struct gp *g);

/* Begin a chart of w x h pixels; NULL when the set is full. */
FILE *gp_chart(struct gp *g, const char *id, const char *title, const char *caption, int w, int h);

/* Create a data file workdir/name. */
FILE *gp_data(struct gp *g, const char *name);

/* Close a data file, checking the writes. */
int gp_data_close(struct gp *g, FILE *f, const char *name);

/* s as a gnuplot single-quoted string (quotes doubled, newlines dropped). */
void gp_put_quoted(FILE *f, const char *s);

/* s as a double-quoted data-file label (quotes and backslashes dropped). */
void gp_put_label(FILE *f, const char *s);

/* " <number>", or " ?" when v is not finite. */
void gp_put_num(FILE *f, double v);

/* A round step dividing span in about `parts`: 1, 2 or 5 times a power of 10. */
double gp_nice_step(double span, int parts);

#endif
