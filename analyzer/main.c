/*
 * vmstorm-analyze - statistics of vmstorm-collect run files (see
 * analysis.h, man/vmstorm-analyze.1).
 *
 *   vmstorm-analyze RUN.ndjson [-o DIR] [--format text|json|csv]
 *                   [--baseline OTHER.ndjson] [--thresholds FILE] [--skip-bad-lines]
 *   vmstorm-analyze --trend RUN.ndjson... -o DIR
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "fsutil.h"
#include "gates.h"
#include "jsonpretty.h"
#include "msg.h"
#include "textout.h"
#include "trend.h"

#ifndef VMSTORM_VERSION
#define VMSTORM_VERSION "0.0.0"
#endif

static const char usage[] =
    "usage: vmstorm-analyze RUN.ndjson [-o DIR] [--format text|json|csv]\n"
    "                       [--baseline OTHER.ndjson] [--thresholds FILE] [--skip-bad-lines]\n"
    "                       [--all-vms]\n"
    "       vmstorm-analyze --trend RUN.ndjson... -o DIR\n"
    "\n"
    "Statistics of a vmstorm-collect run: per phase and milestone (VMI created, Scheduled,\n"
    "Running, VM Running, IP, probe-ready, agent) count, censored, min, avg, P50, P90, P95,\n"
    "P99, max and stddev; the boot-storm multipliers and verdicts; API calls; fio.\n"
    "\n"
    "  -o, --output-dir DIR    also write DIR/summary.json, vms.csv, api_calls.csv, fio.csv\n"
    "                          (with --trend: DIR/trend.csv)\n"
    "  -f, --format FMT        what goes to stdout: text (the table; default), json "
    "(summary.json)\n"
    "                          or csv (vms.csv)\n"
    "  -b, --baseline FILE     compare each statistic with another run's (change in percent)\n"
    "  -t, --thresholds FILE   gates such as 'storm.running.p95 <= 60', one a line; exit 4 when\n"
    "                          one fails\n"
    "      --skip-bad-lines    count and skip malformed lines instead of stopping at the first\n"
    "      --all-vms           print every VM's row, however many\n"
    "      --trend             one row per run (many files) for a release report\n"
    "  -h, --help              this text\n"
    "  -V, --version           the version\n"
    "\n"
    "Exit: 0 ok, 1 I/O error, 2 usage, 3 bad input data, 4 a threshold gate failed.\n";

struct opts {
    const char *outdir, *format, *baseline, *thresholds;
    int skip_bad, trend, all_vms;
    char **files;
    int n_files;
};

static int parse(struct opts *o, int argc, char **argv)
{
    static const struct option longs[] = {
        {"output-dir", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
        {"baseline", required_argument, NULL, 'b'},   {"thresholds", required_argument, NULL, 't'},
        {"skip-bad-lines", no_argument, NULL, 'S'},   {"trend", no_argument, NULL, 'T'},
        {"all-vms", no_argument, NULL, 'A'},          {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},          {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->format = "text";
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:b:t:hV", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->outdir = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 'b':
            o->baseline = optarg;
            break;
        case 't':
            o->thresholds = optarg;
            break;
        case 'S':
            o->skip_bad = 1;
            break;
        case 'T':
            o->trend = 1;
            break;
        case 'A':
            o->all_vms = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(VS_EXIT_OK);
        case 'V':
            printf("vmstorm-analyze %s\n", VMSTORM_VERSION);
            exit(VS_EXIT_OK);
        case ':':
            msg_error("option '%s' needs a value (--help for usage)", argv[optind - 1]);
            return -1;
        default:
            msg_error("unknown option '%s' (--help for usage)", argv[optind - 1]);
            return -1;
        }
    }
    o->files = argv + optind;
    o->n_files = argc - optind;
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0 &&
        strcmp(o->format, "csv") != 0) {
        msg_error("--format: '%s' is not one of text, json, csv", o->format);
        return -1;
    }
    if (o->n_files == 0) {
        msg_error("no run file given (usage: vmstorm-analyze RUN.ndjson; --help for more)");
        return -1;
    }
    if (o->trend) {
        if (!o->outdir) {
            msg_error("--trend needs -o DIR for trend.csv");
            return -1;
        }
        if (o->baseline || o->thresholds) {
            msg_error("--trend does not take --baseline or --thresholds");
            return -1;
        }
    } else if (o->n_files > 1) {
        msg_error("one run file at a time (%d given); --trend takes many", o->n_files);
        return -1;
    }
    return 0;
}

typedef int (*writer_fn)(void *ctx, FILE *f, struct vs_error *err);

/* Write DIR/NAME through a temporary file renamed into place: never a half file. */
static int write_file(const char *dir, const char *name, writer_fn fn, void *ctx)
{
    char path[4096], tmp[4200];
    struct vs_error err;
    FILE *f;
    int rc;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (!(f = fopen(tmp, "we"))) {
        msg_error("cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    vs_error_clear(&err);
    rc = fn(ctx, f, &err);
    if (rc == 0 && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) {
        rc = -1;
        vs_error_setc(&err, errno, NULL, 0, 0, "%s", strerror(errno ? errno : EIO));
    }
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        vs_error_setc(&err, errno, NULL, 0, 0, "%s", strerror(errno));
    }
    if (rc == 0 && rename(tmp, path) < 0) {
        rc = -1;
        vs_error_setc(&err, errno, NULL, 0, 0, "%s", strerror(errno));
    }
    if (rc < 0) {
        unlink(tmp);
        msg_error("cannot write %s: %s (nothing was replaced)", path, err.msg);
    }
    return rc;
}

static int put_json(void *ctx, FILE *f, struct vs_error *err)
{
    if (json_pretty_write(ctx, f) < 0)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

static int put_vms(void *ctx, FILE *f, struct vs_error *err)
{
    return analysis_write_vms_csv(ctx, f, err);
}

static int put_api(void *ctx, FILE *f, struct vs_error *err)
{
    return apicalls_write_csv(((const struct analysis *)ctx)->api, f, err);
}

static int put_fio(void *ctx, FILE *f, struct vs_error *err)
{
    return fio_set_write_csv(((const struct analysis *)ctx)->fio, f, err);
}

static int put_trend(void *ctx, FILE *f, struct vs_error *err)
{
    return trend_write_csv(ctx, f, err);
}

/* Load one run, reporting problems; returns the exit code to use, 0 when loaded. */
static int load(struct analysis *a, const char *path, int skip_bad)
{
    struct vs_error err;

    vs_error_clear(&err);
    if (analysis_load(a, path, skip_bad, &err) < 0) {
        msg_report(&err);
        if (err.code == EPROTONOSUPPORT)
            msg_error("%s was written by another version of vmstorm-collect; analyse it with "
                      "the matching vmstorm-analyze",
                      path);
        else if (err.code == 0 && err.line > 0 && !skip_bad)
            msg_error("stopped at the first malformed line; --skip-bad-lines analyses the rest");
        analysis_free(a);
        /* a malformed file (no errno) or another version is bad data; the rest is I/O */
        return err.code && err.code != EPROTONOSUPPORT ? VS_EXIT_FAILURE : VS_EXIT_DATA;
    }
    if (a->bad_lines) {
        char buf[800];

        msg_warn("%s: skipped %ld malformed line%s (first: %s)", path, a->bad_lines,
                 a->bad_lines == 1 ? "" : "s", vs_error_format(&a->first_bad, buf, sizeof(buf)));
    }
    if (a->truncated) {
        char buf[800];

        msg_warn("%s; the events before it are analysed",
                 vs_error_format(&a->truncation, buf, sizeof(buf)));
    }
    if (a->no_final_newline)
        msg_warn("%s: no newline at the end of the file; the last event is whole and was used",
                 path);
    if (a->repeated_lines)
        msg_warn("%s: %ld line%s repeat an earlier seq (copied lines?); skipped", path,
                 a->repeated_lines, a->repeated_lines == 1 ? "" : "s");
    if (analysis_missing_lines(a))
        msg_warn("%s: %ld line%s missing (gaps in seq): events were lost", path,
                 analysis_missing_lines(a), analysis_missing_lines(a) == 1 ? " is" : "s are");
    if (!a->model->has_run_end)
        msg_warn("%s has no run_end: the collector did not finish (crashed or still running); "
                 "VMs that had not got somewhere yet count as censored",
                 path);
    return 0;
}

/* A row per run; a run that cannot be read is named and left out, and the exit says so. */
static int run_trend(const struct opts *o)
{
    cJSON *rows = cJSON_CreateArray();
    int rc = VS_EXIT_OK, bad = 0;

    for (int i = 0; i < o->n_files; i++) {
        struct analysis a;
        cJSON *s, *row;
        int lrc;

        if ((lrc = load(&a, o->files[i], o->skip_bad)) != 0) {
            msg_error("%s: left out of the trend", o->files[i]);
            if (rc == VS_EXIT_OK || lrc == VS_EXIT_FAILURE)
                rc = lrc;
            bad++;
            continue;
        }
        s = analysis_summary_json(&a);
        row = s ? trend_row(s) : NULL;
        cJSON_Delete(s);
        analysis_free(&a);
        if (!row) {
            msg_error("out of memory");
            cJSON_Delete(rows);
            return VS_EXIT_FAILURE;
        }
        cJSON_AddItemToArray(rows, row);
    }
    trend_sort(rows);
    if (fs_mkdir_p(o->outdir) < 0) {
        msg_error("cannot create %s: %s", o->outdir, strerror(errno));
        rc = VS_EXIT_FAILURE;
    } else if (write_file(o->outdir, "trend.csv", put_trend, rows) < 0) {
        rc = VS_EXIT_FAILURE;
    } else if (strcmp(o->format, "json") == 0) {
        put_json(rows, stdout, NULL);
    } else if (strcmp(o->format, "csv") == 0) {
        trend_write_csv(rows, stdout, NULL);
    } else {
        trend_print(rows, stdout);
    }
    if (bad)
        msg_error("%d of %d runs could not be read; trend.csv has the other %d", bad, o->n_files,
                  o->n_files - bad);
    cJSON_Delete(rows);
    return rc;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct analysis a;
    struct gates *g = NULL;
    struct vs_error err;
    cJSON *summary = NULL;
    int rc, failed = 0;

    msg_set_program("vmstorm-analyze");
    if (parse(&o, argc, argv) < 0)
        return VS_EXIT_USAGE;
    if (o.trend)
        return run_trend(&o);
    /* the gates first: a typo there should not wait for a big file */
    if (o.thresholds && !(g = gates_load(o.thresholds, &err))) {
        msg_report(&err);
        return err.code ? VS_EXIT_FAILURE : VS_EXIT_DATA;
    }
    if ((rc = load(&a, o.files[0], o.skip_bad)) != 0) {
        gates_free(g);
        return rc;
    }
    if (!(summary = analysis_summary_json(&a)))
        goto oom;
    if (o.baseline) {
        struct analysis b;
        cJSON *bs, *cmp;

        if ((rc = load(&b, o.baseline, o.skip_bad)) != 0)
            goto out;
        bs = analysis_summary_json(&b);
        cmp = bs ? baseline_compare(summary, bs) : NULL;
        cJSON_Delete(bs);
        analysis_free(&b);
        if (!cmp)
            goto oom;
        cJSON_AddItemToObject(summary, "baseline", cmp);
    }
    if (g) {
        cJSON *res;

        if ((failed = gates_check(g, summary, &res)) < 0)
            goto oom;
        cJSON_AddItemToObject(summary, "gates", res);
    }
    if (o.outdir) {
        if (fs_mkdir_p(o.outdir) < 0) {
            msg_error("cannot create %s: %s", o.outdir, strerror(errno));
            rc = VS_EXIT_FAILURE;
            goto out;
        }
        if (write_file(o.outdir, "summary.json", put_json, summary) < 0 ||
            write_file(o.outdir, "vms.csv", put_vms, &a) < 0 ||
            write_file(o.outdir, "api_calls.csv", put_api, &a) < 0 ||
            write_file(o.outdir, "fio.csv", put_fio, &a) < 0) {
            rc = VS_EXIT_FAILURE;
            goto out;
        }
    }
    if (strcmp(o.format, "json") == 0)
        put_json(summary, stdout, NULL);
    else if (strcmp(o.format, "csv") == 0)
        analysis_write_vms_csv(&a, stdout, NULL);
    else
        textout_print(&a, summary, o.all_vms, stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg_error("cannot write to standard output: %s", strerror(errno));
        rc = VS_EXIT_FAILURE;
        goto out;
    }
    if (failed > 0) {
        msg_error("%d threshold gate%s failed", failed, failed == 1 ? "" : "s");
        rc = VS_EXIT_GATE;
    }
    goto out;
oom:
    msg_error("out of memory");
    rc = VS_EXIT_FAILURE;
out:
    cJSON_Delete(summary);
    analysis_free(&a);
    gates_free(g);
    return rc;
}
