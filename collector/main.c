/*
 * vmstorm-collect - run a KubeVirt provisioning / boot storm test against a
 * cluster and record every event to an NDJSON file (see run.h, options.h,
 * man/vmstorm-collect.1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "fsutil.h"
#include "kubeconfig.h"
#include "msg.h"
#include "options.h"
#include "run.h"
#include "template.h"

#ifndef VMSTORM_VERSION
#define VMSTORM_VERSION "0.0.0"
#endif

/* A run id: the UTC start time and 4 random hex digits, e.g. 20261121-135259-3fa2. */
static void make_run_id(char *buf, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;
    unsigned rnd = (unsigned)(clock_wall_ns() ^ (getpid() * 2654435761u));
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (read(fd, &rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
            /* keep the clock-based value */
        }
        close(fd);
    }
    gmtime_r(&now, &tm);
    snprintf(buf, n, "%04d%02d%02d-%02d%02d%02d-%04x", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, rnd & 0xffff);
}

int main(int argc, char **argv)
{
    struct collect_options o;
    struct vs_error err;
    struct kube_conn conn;
    struct tmpl *t = NULL;
    FILE *log = NULL;
    char run_id[64], output[512];
    int rc;

    msg_set_program("vmstorm-collect");
    fs_raise_nofile(65536); /* a connection per probe and request under way */
    /* before any thread: the watch thread has a libcurl client of its own */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (collect_options_parse(&o, argc, argv, &err) < 0) {
        msg_error("%s", err.msg);
        return VS_EXIT_USAGE;
    }
    if (o.show_help) {
        fputs(collect_options_help(), stdout);
        collect_options_release(&o);
        return VS_EXIT_OK;
    }
    if (o.show_version) {
        printf("vmstorm-collect %s\n", VMSTORM_VERSION);
        collect_options_release(&o);
        return VS_EXIT_OK;
    }
    msg_set_level((enum msg_level)o.log_level);
    if (o.log_file) {
        log = fopen(o.log_file, "ae");
        if (!log) {
            msg_error("--log-file: cannot open %s: %s", o.log_file, strerror(errno));
            collect_options_release(&o);
            return VS_EXIT_FAILURE;
        }
        msg_set_log_file(log);
    }
    if (!o.run_id) {
        make_run_id(run_id, sizeof(run_id));
        o.run_id = run_id;
    }
    if (!o.output) {
        snprintf(output, sizeof(output), "results/vmstorm-%s.ndjson", o.run_id);
        o.output = output;
    }

    /* everything that can be wrong with the input is found before the cluster is touched */
    if (!o.skip_vm_creation && !(t = tmpl_load(o.vm_template, &err))) {
        msg_report(&err);
        msg_error("nothing was created: fix the template and run again");
        rc = VS_EXIT_DATA;
        goto out;
    }
    if (kube_conn_load(&conn, o.kubeconfig, o.context, &err) < 0) {
        msg_report(&err);
        rc = VS_EXIT_FAILURE;
        goto out;
    }
    rc = collect_run(&o, &conn, t);
    kube_conn_release(&conn);
out:
    tmpl_free(t);
    collect_options_release(&o);
    if (log) {
        msg_set_log_file(NULL);
        fclose(log);
    }
    curl_global_cleanup();
    return rc;
}
