/*
 * options.h - the command line of vmstorm-collect.
 *
 * collect_options_parse() turns argv into a struct collect_options with
 * every default filled in, or fails with a message naming the option, e.g.
 * "--end: expected a whole number, got 'x'". It never prints and never
 * exits: main.c reports the error (exit status 2) and acts on show_help and
 * show_version.
 *
 * The option names and meanings of the Python tool vmstorm replaces
 * (measure-vm-creation-time.py) are kept, including its short options -s, -e,
 * -n and -c and its --poll-interval (here a synonym of --probe-interval).
 *
 * Ownership: strings point into argv or to static defaults, so argv must
 * outlive the struct. The struct owns the arrays metrics_urls and labels and
 * the exec template it builds for --ssh-pod; collect_options_release() frees
 * them. Parsing uses getopt_long(), so it is not thread-safe and it may
 * reorder argv.
 */
#ifndef VS_COLLECTOR_OPTIONS_H
#define VS_COLLECTOR_OPTIONS_H

#include <getopt.h>
#include <stddef.h>

#include <cJSON.h>

#include "error.h"

/* Label key of the run id on every object created; --label may not use the "vmstorm.io/" prefix. */
#define COLLECT_RUN_LABEL "vmstorm.io/run"

enum probe_kind { OPT_PROBE_ICMP, OPT_PROBE_TCP, OPT_PROBE_EXEC };

struct collect_options {
    /* run shape: one VM named vm_name in each namespace "<namespace_prefix>-<i>", i = start..end */
    long start, end;              /* default 1 and 100; 0 <= start <= end */
    const char *vm_name;          /* default "rhel9-vm" */
    const char *vm_template;      /* required unless skip_vm_creation */
    const char *namespace_prefix; /* default "vm-density"; every namespace name is a DNS label */
    long namespace_batch_size;    /* namespaces created in parallel, default 20 */
    long concurrency;             /* VM creations in flight, default 50 */
    double ping_timeout_s;        /* time each VM has to answer the probe, default 600 */

    int boot_storm;            /* after creation: stop all VMs, then start all at once */
    int single_node;           /* pin all VMs to one node: node_name, or (NULL) main picks one */
    const char *node_name;     /* NULL: none given; setting it sets single_node */
    const char *storage_class; /* NULL: keep the template's */

    int skip_namespace_creation, skip_vm_creation;
    /*
     * Cleanup. When dry_run_cleanup is set the parser clears cleanup and
     * cleanup_on_failure, so that code that deletes only when one of them is
     * set cannot delete by mistake: main runs the cleanup phase in listing
     * mode (what would be deleted, nothing deleted, no confirmation asked).
     */
    int cleanup, cleanup_on_failure, dry_run_cleanup;
    int save_results; /* also write an analyzer-ready copy (main decides where) */
    int yes;          /* do not ask for confirmation */

    const char *log_file;   /* NULL: stderr only */
    int log_level;          /* enum msg_level (lib/msg.h), default MSG_INFO */
    const char *ssh_pod;    /* NULL, or the pod the exec probe pings from */
    const char *ssh_pod_ns; /* "default" when ssh_pod is set, else NULL */

    /* connection and output */
    const char *kubeconfig; /* NULL: $KUBECONFIG, ~/.kube/config, in-cluster (kubeconfig.h) */
    const char *context;    /* NULL: the current context */
    const char *output;     /* NULL: main uses results/vmstorm-<run-id>.ndjson */

    /* probes: icmp (default), tcp:PORT, or exec:TEMPLATE ({ip} {namespace} {name}) */
    enum probe_kind probe;
    int probe_port;          /* OPT_PROBE_TCP: 1..65535; else 0 */
    const char *probe_exec;  /* OPT_PROBE_EXEC: the command template; else NULL */
    double probe_interval_s; /* between attempts on one VM, default 1 */

    double qps, burst;   /* 0 and 0: unthrottled; burst defaults to qps (at least 1) */
    const char *fio_cmd; /* NULL, or a command template run per VM ({ip} {namespace} {name}) */
    const char **metrics_urls; /* n_metrics_urls http(s) URLs, then NULL; NULL when none */
    size_t n_metrics_urls;
    const char **labels; /* n_labels "key=value" (as tmpl_params.extra_labels), then NULL */
    size_t n_labels;
    const char *run_id; /* NULL: main generates one; else a DNS label */

    int show_help, show_version; /* set: nothing else was validated */

    char *owned_exec; /* private: the --ssh-pod template probe_exec points to */
};

/*
 * Fill o from argv (argv[0] is the program name) with getopt_long():
 * "--flag value", "--flag=value", unambiguous abbreviations of long names
 * and the short options -s -e -n -c -o -y -h. A flag given twice keeps the
 * last value, except the repeatable --metrics-url and --label. o needs no
 * initialisation.
 *
 * --help or --version stops parsing at once: show_help or show_version is
 * set, the rest of the command line is not looked at, and 0 is returned.
 *
 * Each value is checked where it is read (numbers and their ranges, names
 * that must be DNS labels or subdomains, label syntax, URLs), then the
 * combination:
 *   - start <= end, and every namespace "<prefix>-<i>" is at most 63 chars;
 *   - --vm-template is required unless --skip-vm-creation;
 *   - --node-name implies --single-node;
 *   - --ssh-pod-ns needs --ssh-pod; --ssh-pod excludes --probe and makes the
 *     probe "exec:kubectl exec -n NS POD -- ping -c1 -W1 {ip}", with
 *     " --kubeconfig=FILE" and " --context=NAME" after "kubectl" when given
 *     (single-quoted when /bin/sh would split or expand them: probe.h runs
 *     the template with sh -c);
 *   - --burst needs --qps;
 *   - --dry-run-cleanup clears cleanup and cleanup_on_failure (see above);
 *   - --skip-vm-creation with --boot-storm is allowed (a storm on existing VMs).
 *
 * Returns 0, or -1 with err filled and o released: err->where is "", and
 * the message starts with the long name of the option to blame, if any
 * ("--end: 3 is less than --start 5", "unknown option '--bogus' (see --help)").
 */
int collect_options_parse(struct collect_options *o, int argc, char **argv, struct vs_error *err);

/* Free what o owns and reset the array fields to NULL/0. Accepts NULL; safe to call twice. */
void collect_options_release(struct collect_options *o);

/*
 * The --help text: every option, grouped (run shape, phases, probes,
 * connection, output, safety), with its default. Static; do not free.
 */
const char *collect_options_help(void);

/* The getopt_long() table, ended by an all-zero entry (for tests and completions). Static. */
const struct option *collect_options_table(void);

/*
 * The effective configuration as a new JSON object for the run_begin event's
 * "config" (caller frees with cJSON_Delete); call it once main has set
 * run_id and output to the values it uses. Keys are the field names of
 * struct collect_options, unset strings are null, labels is an object.
 * Paths are recorded (the kubeconfig's too), never credentials: nothing is
 * read from the files. Returns NULL when memory runs out.
 */
cJSON *collect_options_to_json(const struct collect_options *o);

#endif
