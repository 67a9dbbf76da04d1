/*
 * gnuplot.h - running gnuplot, the program, on a script the report wrote.
 *
 * Charts are drawn by gnuplot (package gnuplot-nox) through its pngcairo
 * terminal. The program is found on PATH, or at $VMSTORM_GNUPLOT when that
 * is set. gnuplot runs with its working directory set to the report's work
 * folder (scripts name their data files relative to it), stdin from
 * /dev/null, and stdout+stderr into WORKDIR/gnuplot.log; when it fails, the
 * message quotes the log's first error line.
 */
#ifndef VS_REPORT_GNUPLOT_H
#define VS_REPORT_GNUPLOT_H

#include "error.h"

/* The program that will be run: $VMSTORM_GNUPLOT, or "gnuplot". */
const char *gnuplot_program(void);

/*
 * Check that gnuplot runs and has the pngcairo terminal. Returns 0, or -1
 * with err saying what to install (code ENOENT when the program is missing).
 */
int gnuplot_check(const char *workdir, struct vs_error *err);

/*
 * Run gnuplot on workdir/script (a file name relative to workdir) and wait
 * for it. Returns 0 when it exited 0, else -1 with err naming the script and
 * quoting gnuplot's error.
 */
int gnuplot_run(const char *workdir, const char *script, struct vs_error *err);

/*
 * Start gnuplot on several scripts at once (up to 8), one process each, and
 * wait for all: the charts of a report are independent and gnuplot is single
 * threaded. Each writes its own log (script name + ".log"). Returns 0 when
 * all succeeded, else -1 with err for the first that failed.
 */
int gnuplot_run_all(const char *workdir, const char *const *scripts, int n, struct vs_error *err);

#endif
