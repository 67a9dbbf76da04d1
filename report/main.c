/*
 * vmstorm-report - charts and a PDF from an analysis (see runreport.h,
 * man/vmstorm-report.1).
 *
 *   vmstorm-report ANALYSIS_DIR [-o report.pdf] [--png-dir DIR] [--title TEXT]
 *   vmstorm-report --trend TREND_DIR [-o trend.pdf] [--png-dir DIR] [--title TEXT]
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "charts.h"
#include "csvtable.h"
#include "fsutil.h"
#include "gnuplot.h"
#include "msg.h"
#include "pdfdoc.h"
#include "rundata.h"
#include "runreport.h"

#ifndef VMSTORM_VERSION
#define VMSTORM_VERSION "0.0.0"
#endif

static const char usage[] =
    "usage: vmstorm-report ANALYSIS_DIR [-o report.pdf] [--png-dir DIR] [--title TEXT]\n"
    "       vmstorm-report --trend TREND_DIR [-o trend.pdf] [--png-dir DIR] [--title TEXT]\n"
    "\n"
    "A PDF report and PNG charts from what vmstorm-analyze wrote: ANALYSIS_DIR holds\n"
    "summary.json and vms.csv (vmstorm-analyze RUN.ndjson -o ANALYSIS_DIR); TREND_DIR holds\n"
    "trend.csv (vmstorm-analyze --trend RUN.ndjson... -o TREND_DIR). Charts are drawn by\n"
    "gnuplot (package gnuplot-nox).\n"
    "\n"
    "  -o, --output FILE    the PDF (default: ANALYSIS_DIR/report.pdf, TREND_DIR/trend.pdf)\n"
    "      --png-dir DIR    where the charts go as PNG (default: the PDF's folder/charts)\n"
    "      --title TEXT     the report's title (default: from the run id)\n"
    "      --trend          a trend report from TREND_DIR/trend.csv\n"
    "  -h, --help           this text\n"
    "  -V, --version        the version\n"
    "\n"
    "Exit: 0 ok, 1 runtime failure (gnuplot missing or failing, cannot write), 2 usage,\n"
    "3 bad input data.\n";

struct opts {
    const char *dir, *output, *png_dir, *title;
    int trend;
};

/* cairo's fonts come through fontconfig, which keeps caches on purpose
 * until exit: not leaks to report in a sanitizer build. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* ... and the sanitizer's list of the suppressions it used is noise on stderr. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

static int parse(struct opts *o, int argc, char **argv)
{
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'},
        {"png-dir", required_argument, NULL, 'P'},
        {"title", required_argument, NULL, 'T'},
        {"trend", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:hV", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'P':
            o->png_dir = optarg;
            break;
        case 'T':
            o->title = optarg;
            break;
        case 't':
            o->trend = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(VS_EXIT_OK);
        case 'V':
            printf("vmstorm-report %s\n", VMSTORM_VERSION);
            exit(VS_EXIT_OK);
        case ':':
            msg_error("option '%s' needs a value (--help for usage)", argv[optind - 1]);
            return -1;
        default:
            msg_error("unknown option '%s' (--help for usage)", argv[optind - 1]);
            return -1;
        }
    }
    if (argc - optind != 1) {
        msg_error(argc == optind ? "no %s given (--help for usage)"
                                 : "one %s at a time (--help for usage)",
                  o->trend ? "TREND_DIR" : "ANALYSIS_DIR");
        return -1;
    }
    o->dir = argv[optind];
    return 0;
}

/* The folder part of path ("." when none), in buf. */
static const char *dir_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return ".";
    snprintf(buf, n, "%.*s", (int)(slash - path) > 0 ? (int)(slash - path) : 1, path);
    return buf;
}

struct job {
    struct opts o;
    char output[4096], png_dir[4096], tmp_pdf[4200], title[300];
    char workdir[4096];
    struct rundata rd;
    struct csvtable *trend;
    struct chartset cs;
    struct vs_error err;
};

static int fail(const struct vs_error *err, int code)
{
    char buf[1024];

    msg_error("%s", vs_error_format(err, buf, sizeof(buf)));
    return code;
}

/* Defaults for -o and --png-dir, the work folder, and the output folders. */
static int prepare(struct job *j)
{
    const char *tmp = getenv("TMPDIR");
    char buf[4096];

    const char *outdir;

    if (j->o.output)
        snprintf(j->output, sizeof(j->output), "%s", j->o.output);
    else
        snprintf(j->output, sizeof(j->output), "%s/%s", j->o.dir,
                 j->o.trend ? "trend.pdf" : "report.pdf");
    outdir = dir_of(j->output, buf, sizeof(buf));
    if (j->o.png_dir)
        snprintf(j->png_dir, sizeof(j->png_dir), "%s", j->o.png_dir);
    else
        snprintf(j->png_dir, sizeof(j->png_dir), "%.4080s/charts", outdir);
    snprintf(j->tmp_pdf, sizeof(j->tmp_pdf), "%s.tmp.%ld", j->output, (long)getpid());
    if (fs_mkdir_p(outdir) < 0)
        return vs_error_setc(&j->err, errno, outdir, 0, 0, "cannot create the folder: %s",
                             strerror(errno));
    if (fs_mkdir_p(j->png_dir) < 0)
        return vs_error_setc(&j->err, errno, j->png_dir, 0, 0, "cannot create the folder: %s",
                             strerror(errno));
    /* gnuplot runs in the work folder: it needs the charts' folder absolute */
    if (!realpath(j->png_dir, buf))
        return vs_error_setc(&j->err, errno, j->png_dir, 0, 0, "cannot resolve: %s",
                             strerror(errno));
    snprintf(j->png_dir, sizeof(j->png_dir), "%s", buf);
    snprintf(j->workdir, sizeof(j->workdir), "%s/vmstorm-report.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(j->workdir)) {
        int e = errno;

        snprintf(buf, sizeof(buf), "%s", j->workdir);
        j->workdir[0] = '\0';
        return vs_error_setc(&j->err, e, buf, 0, 0, "cannot create a work folder: %s", strerror(e));
    }
    return 0;
}

static int load(struct job *j)
{
    char path[4200];

    if (j->o.trend) {
        snprintf(path, sizeof(path), "%s/trend.csv", j->o.dir);
        if (!(j->trend = csvtable_read(path, &j->err)))
            return -1;
        if (csvtable_col(j->trend, "run_id") < 0 || csvtable_col(j->trend, "started_at") < 0)
            return vs_error_setc(&j->err, EINVAL, path, 1, 0,
                                 "no 'run_id' or 'started_at' column: not a trend.csv written "
                                 "by vmstorm-analyze --trend");
        snprintf(j->title, sizeof(j->title), "%s",
                 j->o.title ? j->o.title : "vmstorm trend: boot times over runs");
        return 0;
    }
    if (rundata_load(j->o.dir, &j->rd, &j->err) < 0)
        return -1;
    snprintf(j->title, sizeof(j->title), "%s%s", j->o.title ? "" : "vmstorm run ",
             j->o.title ? j->o.title : rundata_str(&j->rd, "run.id"));
    return 0;
}

static int render(struct job *j)
{
    int rc;

    if (gnuplot_check(j->workdir, &j->err) < 0)
        return -1;
    charts_clear(j->png_dir);
    rc = j->o.trend ? charts_trend(j->trend, j->workdir, j->png_dir, &j->cs, &j->err)
                    : charts_run(&j->rd, j->workdir, j->png_dir, &j->cs, &j->err);
    if (rc == 0)
        rc = j->o.trend ? trendreport_write(j->trend, &j->cs, j->title, j->tmp_pdf, &j->err)
                        : runreport_write(&j->rd, &j->cs, j->title, j->tmp_pdf, &j->err);
    if (rc == 0 && rename(j->tmp_pdf, j->output) < 0)
        rc = vs_error_setc(&j->err, errno, j->output, 0, 0, "cannot rename %s into place: %s",
                           j->tmp_pdf, strerror(errno));
    if (rc < 0)
        unlink(j->tmp_pdf);
    return rc;
}

static void finish(struct job *j)
{
    if (j->workdir[0] && !getenv("VMSTORM_KEEP_WORK"))
        fs_remove_flat_dir(j->workdir);
    else if (j->workdir[0])
        msg_info("work folder kept: %s", j->workdir);
    rundata_release(&j->rd);
    csvtable_free(j->trend);
    pdfdoc_global_cleanup();
}

int main(int argc, char **argv)
{
    static struct job j;
    int code = VS_EXIT_OK;

    msg_set_program("vmstorm-report");
    if (parse(&j.o, argc, argv) < 0)
        return VS_EXIT_USAGE;
    if (load(&j) < 0)
        code =
            fail(&j.err, j.err.code == EINVAL || j.err.code == EPROTONOSUPPORT ? VS_EXIT_DATA
                                                                               : VS_EXIT_FAILURE);
    else if (prepare(&j) < 0 || render(&j) < 0)
        code = fail(&j.err, VS_EXIT_FAILURE);
    else {
        printf("%s\n", j.output);
        for (size_t i = 0; i < j.cs.n; i++)
            printf("%s\n", j.cs.v[i].png);
    }
    finish(&j);
    return code;
}
