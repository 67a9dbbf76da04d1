#include "unit.h"

#include <math.h>

#include "msg.h"
#include "options.h"

/* ---- helpers ------------------------------------------------------------------ */

#define MAX_ARGS 32

/* Parse "vmstorm-collect [--vm-template vm.yaml] ARGS..." (args ends with NULL). */
static int run_parse(struct collect_options *o, const char *const *args, int with_template,
                     struct vs_error *err)
{
    static char *argv[MAX_ARGS + 4];
    int argc = 0;

    argv[argc++] = (char *)"vmstorm-collect";
    if (with_template) {
        argv[argc++] = (char *)"--vm-template";
        argv[argc++] = (char *)"vm.yaml";
    }
    for (; *args; args++) {
        assert_true(argc < MAX_ARGS);
        argv[argc++] = (char *)*args;
    }
    argv[argc] = NULL;
    return collect_options_parse(o, argc, argv, err);
}

static void parse_ok_args(struct collect_options *o, const char *const *args, int with_template)
{
    struct vs_error err;
    char msg[1024];

    if (run_parse(o, args, with_template, &err) < 0)
        fail_msg("unexpected error: %s", vs_error_format(&err, msg, sizeof(msg)));
}

static void parse_fails_args(const char *want, const char *const *args, int with_template)
{
    struct collect_options o;
    struct vs_error err;
    char msg[1024];

    if (run_parse(&o, args, with_template, &err) == 0) {
        collect_options_release(&o);
        fail_msg("parsed, but expected: %s", want);
    }
    assert_string_equal(vs_error_format(&err, msg, sizeof(msg)), want);
    assert_null(o.labels);
    assert_null(o.metrics_urls);
}

/* OK(&o, args...): parse with --vm-template vm.yaml first; FAILS(msg, args...): fails so. */
#define OK(o, ...) parse_ok_args(o, (const char *const[]){__VA_ARGS__, NULL}, 1)
#define OK_BARE(o, ...) parse_ok_args(o, (const char *const[]){__VA_ARGS__, NULL}, 0)
#define FAILS(want, ...) parse_fails_args(want, (const char *const[]){__VA_ARGS__, NULL}, 1)
#define FAILS_BARE(want, ...) parse_fails_args(want, (const char *const[]){__VA_ARGS__, NULL}, 0)

/* ---- defaults and single options -------------------------------------------------- */

static void test_defaults(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, NULL);
    assert_int_equal(o.start, 1);
    assert_int_equal(o.end, 100);
    assert_string_equal(o.vm_name, "rhel9-vm");
    assert_string_equal(o.vm_template, "vm.yaml");
    assert_string_equal(o.namespace_prefix, "vm-density");
    assert_int_equal(o.namespace_batch_size, 20);
    assert_int_equal(o.concurrency, 50);
    assert_true(o.ping_timeout_s == 600);
    assert_false(o.boot_storm || o.single_node || o.skip_namespace_creation || o.skip_vm_creation ||
                 o.cleanup || o.cleanup_on_failure || o.dry_run_cleanup || o.save_results ||
                 o.yes || o.show_help || o.show_version);
    assert_null(o.node_name);
    assert_null(o.storage_class);
    assert_null(o.log_file);
    assert_int_equal(o.log_level, MSG_INFO);
    assert_null(o.ssh_pod);
    assert_null(o.ssh_pod_ns);
    assert_null(o.kubeconfig);
    assert_null(o.context);
    assert_null(o.output);
    assert_int_equal(o.probe, OPT_PROBE_ICMP);
    assert_int_equal(o.probe_port, 0);
    assert_null(o.probe_exec);
    assert_true(o.probe_interval_s == 1);
    assert_true(o.qps == 0 && o.burst == 0);
    assert_null(o.fio_cmd);
    assert_null(o.metrics_urls);
    assert_int_equal(o.n_metrics_urls, 0);
    assert_null(o.labels);
    assert_int_equal(o.n_labels, 0);
    assert_null(o.run_id);
    collect_options_release(&o);
}

static void test_run_shape(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--start", "0", "--end", "7", "--vm-name", "vm.a-1", "--vm-template", "my.yaml",
       "--namespace-prefix", "storm-", "--namespace-batch-size", "5", "--concurrency", "200",
       "--ping-timeout", "1.5", "--storage-class", "px-csi.db", "--run-id", "r-42");
    assert_int_equal(o.start, 0);
    assert_int_equal(o.end, 7);
    assert_string_equal(o.vm_name, "vm.a-1");
    assert_string_equal(o.vm_template, "my.yaml"); /* the last one given */
    assert_string_equal(o.namespace_prefix, "storm-");
    assert_int_equal(o.namespace_batch_size, 5);
    assert_int_equal(o.concurrency, 200);
    assert_true(o.ping_timeout_s == 1.5);
    assert_string_equal(o.storage_class, "px-csi.db");
    assert_string_equal(o.run_id, "r-42");
    collect_options_release(&o);
}

static void test_phases_and_safety(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--boot-storm", "--single-node", "--skip-namespace-creation", "--skip-vm-creation",
       "--cleanup", "--cleanup-on-failure", "--save-results", "--yes", "--log-file", "c.log",
       "--log-level", "debug", "--fio-cmd", "ssh {ip} fio --output-format=json job.fio");
    assert_true(o.boot_storm && o.single_node && o.skip_namespace_creation && o.skip_vm_creation &&
                o.cleanup && o.cleanup_on_failure && o.save_results && o.yes);
    assert_false(o.dry_run_cleanup);
    assert_null(o.node_name); /* main picks the node */
    assert_string_equal(o.log_file, "c.log");
    assert_int_equal(o.log_level, MSG_DEBUG);
    assert_string_equal(o.fio_cmd, "ssh {ip} fio --output-format=json job.fio");
    collect_options_release(&o);

    OK(&o, "--log-level", "WARNING"); /* the Python tool's spelling */
    assert_int_equal(o.log_level, MSG_WARN);
    collect_options_release(&o);
    OK(&o, "--log-level", "error");
    assert_int_equal(o.log_level, MSG_ERROR);
    collect_options_release(&o);
}

static void test_connection_and_output(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--kubeconfig", "/tmp/k config", "--context", "admin@prod", "--output", "out.ndjson",
       "--qps", "20", "--burst", "40");
    assert_string_equal(o.kubeconfig, "/tmp/k config");
    assert_string_equal(o.context, "admin@prod");
    assert_string_equal(o.output, "out.ndjson");
    assert_true(o.qps == 20 && o.burst == 40);
    collect_options_release(&o);

    OK(&o, "--qps", "25");
    assert_true(o.qps == 25 && o.burst == 25); /* burst defaults to qps */
    collect_options_release(&o);
    OK(&o, "--qps", "0.5");
    assert_true(o.qps == 0.5 && o.burst == 1); /* at least one request */
    collect_options_release(&o);
}

static void test_node_name_implies_single_node(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--node-name", "worker-3.example.com");
    assert_true(o.single_node);
    assert_string_equal(o.node_name, "worker-3.example.com");
    collect_options_release(&o);
}

static void test_dry_run_cleanup_deletes_nothing(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--cleanup", "--cleanup-on-failure", "--dry-run-cleanup");
    assert_true(o.dry_run_cleanup);
    assert_false(o.cleanup);
    assert_false(o.cleanup_on_failure);
    collect_options_release(&o);
    OK(&o, "--dry-run-cleanup");
    assert_true(o.dry_run_cleanup);
    assert_false(o.cleanup);
    collect_options_release(&o);
}

static void test_storm_on_existing_vms(void **state)
{
    struct collect_options o;

    (void)state;
    OK_BARE(&o, "--skip-vm-creation", "--boot-storm"); /* no template needed */
    assert_true(o.skip_vm_creation && o.boot_storm);
    assert_null(o.vm_template);
    collect_options_release(&o);
}

static void test_probes(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--probe", "tcp:22");
    assert_int_equal(o.probe, OPT_PROBE_TCP);
    assert_int_equal(o.probe_port, 22);
    assert_null(o.probe_exec);
    collect_options_release(&o);

    OK(&o, "--probe", "exec:virtctl ssh -n {namespace} vmi/{name} -c true", "--probe-interval",
       "0.25");
    assert_int_equal(o.probe, OPT_PROBE_EXEC);
    assert_string_equal(o.probe_exec, "virtctl ssh -n {namespace} vmi/{name} -c true");
    assert_int_equal(o.probe_port, 0);
    assert_true(o.probe_interval_s == 0.25);
    collect_options_release(&o);

    OK(&o, "--probe", "tcp:65535", "--probe", "icmp", "--poll-interval", "2");
    assert_int_equal(o.probe, OPT_PROBE_ICMP); /* the last one wins */
    assert_int_equal(o.probe_port, 0);
    assert_true(o.probe_interval_s == 2);
    collect_options_release(&o);
}

static void test_ssh_pod(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--ssh-pod", "ssh-test-pod");
    assert_int_equal(o.probe, OPT_PROBE_EXEC);
    assert_string_equal(o.ssh_pod_ns, "default");
    assert_string_equal(o.probe_exec, "kubectl exec -n default ssh-test-pod -- ping -c1 -W1 {ip}");
    collect_options_release(&o);
    assert_null(o.probe_exec);

    OK(&o, "--ssh-pod-ns", "tools", "--ssh-pod", "pinger", "--kubeconfig", "/home/me/.kube/lab",
       "--context", "admin@lab");
    assert_string_equal(o.probe_exec, "kubectl --kubeconfig=/home/me/.kube/lab "
                                      "--context=admin@lab exec -n tools pinger -- ping -c1 -W1 "
                                      "{ip}");
    collect_options_release(&o);

    /* values the shell would split or expand are single-quoted words (probe.h runs sh -c) */
    OK(&o, "--ssh-pod", "p", "--kubeconfig", "/a b/it's", "--context", "$(reboot)");
    assert_string_equal(o.probe_exec, "kubectl --kubeconfig='/a b/it'\\''s' "
                                      "--context='$(reboot)' exec -n default p -- ping -c1 -W1 "
                                      "{ip}");
    collect_options_release(&o);
}

static void test_repeatable(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--metrics-url", "https://10.0.0.1:6443/metrics", "--label", "team=perf",
       "--metrics-url", "http://virt-handler:8443/metrics?name[]=kubevirt", "--label",
       "example.com/tier=", "--label", "Run.Kind_2=A-b.c_d");
    assert_int_equal(o.n_metrics_urls, 2);
    assert_string_equal(o.metrics_urls[0], "https://10.0.0.1:6443/metrics");
    assert_string_equal(o.metrics_urls[1], "http://virt-handler:8443/metrics?name[]=kubevirt");
    assert_null(o.metrics_urls[2]);
    assert_int_equal(o.n_labels, 3);
    assert_string_equal(o.labels[0], "team=perf");
    assert_string_equal(o.labels[1], "example.com/tier=");
    assert_string_equal(o.labels[2], "Run.Kind_2=A-b.c_d");
    assert_null(o.labels[3]); /* usable as tmpl_params.extra_labels */
    collect_options_release(&o);
    assert_null(o.labels);
    assert_null(o.metrics_urls);
    assert_int_equal(o.n_labels, 0);
    collect_options_release(&o); /* twice is fine */
    collect_options_release(NULL);
}

static void test_equals_form_and_short_options(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "--start=3", "--end=9", "--probe=tcp:2222", "--label=a=b", "--log-level=warn",
       "--vm-name=x1", "--output=r.ndjson", "--metrics-url=http://h/m", "--conc=7");
    assert_int_equal(o.start, 3);
    assert_int_equal(o.end, 9);
    assert_int_equal(o.probe_port, 2222);
    assert_string_equal(o.labels[0], "a=b");
    assert_int_equal(o.log_level, MSG_WARN);
    assert_string_equal(o.vm_name, "x1");
    assert_string_equal(o.output, "r.ndjson");
    assert_string_equal(o.metrics_urls[0], "http://h/m");
    assert_int_equal(o.concurrency, 7); /* an unambiguous abbreviation */
    collect_options_release(&o);
}

static void test_short_options(void **state)
{
    struct collect_options o;

    (void)state;
    OK(&o, "-s", "2", "-e", "4", "-n", "vm1", "-c", "3", "-o", "x.ndjson", "-y");
    assert_int_equal(o.start, 2);
    assert_int_equal(o.end, 4);
    assert_string_equal(o.vm_name, "vm1");
    assert_int_equal(o.concurrency, 3);
    assert_string_equal(o.output, "x.ndjson");
    assert_true(o.yes);
    collect_options_release(&o);
    OK(&o, "-ye5", "-ox.ndjson");
    assert_true(o.yes);
    assert_int_equal(o.end, 5);
    assert_string_equal(o.output, "x.ndjson");
    collect_options_release(&o);
}

static void test_help_and_version(void **state)
{
    struct collect_options o;

    (void)state;
    OK_BARE(&o, "--help", "--bogus", "--end", "x"); /* nothing after --help is looked at */
    assert_true(o.show_help);
    collect_options_release(&o);
    OK_BARE(&o, "-h");
    assert_true(o.show_help);
    collect_options_release(&o);
    OK_BARE(&o, "--start", "5", "--end", "1", "--version"); /* nor checked across options */
    assert_true(o.show_version);
    assert_false(o.show_help);
    collect_options_release(&o);
    FAILS_BARE("--end: expected a whole number, got 'x'", "--end", "x", "--help");
}

/* ---- errors ------------------------------------------------------------------------ */

static void test_number_errors(void **state)
{
    (void)state;
    FAILS("--end: expected a whole number, got 'x'", "--end", "x");
    FAILS("--end: expected a whole number, got ''", "--end", "");
    FAILS("--end: expected a whole number, got ' 5'", "--end", " 5");
    FAILS("--end: expected a whole number, got '5x'", "--end", "5x");
    FAILS("--start: expected a whole number from 0 to 99999999, got '99999999999999999999'",
          "--start", "99999999999999999999");
    FAILS("--start: expected a whole number from 0 to 99999999, got '-1'", "--start", "-1");
    FAILS("--end: 3 is less than --start 5", "--start", "5", "--end", "3");
    FAILS("--namespace-batch-size: expected a whole number, got '1.5'", "--namespace-batch-size",
          "1.5");
    FAILS("--namespace-batch-size: expected a whole number from 1 to 10000, got '0'",
          "--namespace-batch-size", "0");
    FAILS("--concurrency: expected a whole number from 1 to 100000, got '0'", "-c", "0");
    FAILS("--ping-timeout: expected a number from 0.001 to 604800, got '0'", "--ping-timeout", "0");
    FAILS("--ping-timeout: expected a number, got 'inf'", "--ping-timeout", "inf");
    FAILS("--ping-timeout: expected a number, got 'nan'", "--ping-timeout", "nan");
    FAILS("--probe-interval: expected a number, got '0x10'", "--probe-interval", "0x10");
    FAILS("--probe-interval: expected a number, got ''", "--probe-interval", "");
    FAILS("--probe-interval: expected a number, got '.'", "--probe-interval", ".");
    FAILS("--poll-interval: expected a number from 0.001 to 3600, got '-1'", "--poll-interval",
          "-1");
    FAILS("--qps: expected a number from 0.001 to 100000, got '0'", "--qps", "0");
    FAILS("--burst: expected a number from 1 to 100000, got '0.5'", "--qps", "1", "--burst", "0.5");
    FAILS("--burst: needs --qps", "--burst", "10");
}

static void test_probe_errors(void **state)
{
    (void)state;
    FAILS("--probe: expected icmp, tcp:PORT or exec:TEMPLATE, got 'udp'", "--probe", "udp");
    FAILS("--probe: expected icmp, tcp:PORT or exec:TEMPLATE, got 'ICMP'", "--probe", "ICMP");
    FAILS("--probe: expected a port from 1 to 65535 after 'tcp:', got 'tcp:0'", "--probe", "tcp:0");
    FAILS("--probe: expected a port from 1 to 65535 after 'tcp:', got 'tcp:65536'", "--probe",
          "tcp:65536");
    FAILS("--probe: expected a port from 1 to 65535 after 'tcp:', got 'tcp:'", "--probe", "tcp:");
    FAILS("--probe: expected a port from 1 to 65535 after 'tcp:', got 'tcp:ssh'", "--probe",
          "tcp:ssh");
    FAILS("--probe: expected a command after 'exec:', got 'exec:'", "--probe", "exec:");
    FAILS("--probe: expected a command after 'exec:', got 'exec: \t'", "--probe", "exec: \t");
    FAILS("--ssh-pod-ns: needs --ssh-pod", "--ssh-pod-ns", "tools");
    FAILS("--ssh-pod: not with --probe (--ssh-pod means --probe 'exec:kubectl exec -n NS POD -- "
          "ping -c1 -W1 {ip}')",
          "--ssh-pod", "p", "--probe", "icmp");
    FAILS("--ssh-pod: expected a DNS name (lowercase letters, digits, '-' and '.', at most 253 "
          "characters), got 'Bad_Pod'",
          "--ssh-pod", "Bad_Pod");
    FAILS("--ssh-pod-ns: expected lowercase letters, digits and '-', starting and ending with a "
          "letter or digit, at most 63 characters, got 'a.b'",
          "--ssh-pod", "p", "--ssh-pod-ns", "a.b");
    FAILS("--fio-cmd: expected a command, got '   '", "--fio-cmd", "   ");
}

static void test_label_errors(void **state)
{
    static const char long_name[] =
        "a123456789012345678901234567890123456789012345678901234567890123=v"; /* 64 */
    static const char long_value[] =
        "k=a123456789012345678901234567890123456789012345678901234567890123";
    static const char key_help[] =
        "expected an optional DNS name and '/', then up to 63 letters, digits, '-', '_' and '.', "
        "starting and ending with a letter or digit";
    static const char value_help[] = "expected up to 63 letters, digits, '-', '_' and '.', "
                                     "starting and ending with a letter or digit";
    char want[1024];

    (void)state;
    FAILS("--label: expected KEY=VALUE, got 'team'", "--label", "team");
    FAILS("--label: expected KEY=VALUE, got '=v'", "--label", "=v");
    snprintf(want, sizeof(want), "--label: invalid key 'bad key': %s", key_help);
    FAILS(want, "--label", "bad key=v");
    snprintf(want, sizeof(want), "--label: invalid key '-a': %s", key_help);
    FAILS(want, "--label", "-a=v");
    snprintf(want, sizeof(want), "--label: invalid key 'a/b/c': %s", key_help);
    FAILS(want, "--label", "a/b/c=v");
    snprintf(want, sizeof(want), "--label: invalid key 'Example.com/a': %s", key_help);
    FAILS(want, "--label", "Example.com/a=v");
    snprintf(want, sizeof(want), "--label: invalid key '/a': %s", key_help);
    FAILS(want, "--label", "/a=v");
    snprintf(want, sizeof(want), "--label: invalid key '%.64s': %s", long_name, key_help);
    FAILS(want, "--label", long_name);
    snprintf(want, sizeof(want), "--label: invalid value 'b c': %s", value_help);
    FAILS(want, "--label", "a=b c");
    snprintf(want, sizeof(want), "--label: invalid value 'b=c': %s", value_help);
    FAILS(want, "--label", "a=b=c");
    snprintf(want, sizeof(want), "--label: invalid value '-x': %s", value_help);
    FAILS(want, "--label", "a=-x");
    snprintf(want, sizeof(want), "--label: invalid value '%s': %s", long_value + 2, value_help);
    FAILS(want, "--label", long_value);
    FAILS("--label: keys under 'vmstorm.io/' are vmstorm's own (the run id is vmstorm.io/run, "
          "see --run-id), got 'vmstorm.io/run=x'",
          "--label", "vmstorm.io/run=x");
    FAILS("--label: key 'a' given twice", "--label", "a=1", "--label", "ab=2", "--label", "a=3");
}

static void test_name_errors(void **state)
{
    static const char dns_label[] = "expected lowercase letters, digits and '-', starting and "
                                    "ending with a letter or digit, at most 63 characters";
    static const char long_id[] =
        "a123456789012345678901234567890123456789012345678901234567890123"; /* 64 */
    char want[1024];

    (void)state;
    snprintf(want, sizeof(want), "--run-id: %s, got 'Run_1'", dns_label);
    FAILS(want, "--run-id", "Run_1");
    snprintf(want, sizeof(want), "--run-id: %s, got '-abc'", dns_label);
    FAILS(want, "--run-id", "-abc");
    snprintf(want, sizeof(want), "--run-id: %s, got 'abc-'", dns_label);
    FAILS(want, "--run-id", "abc-");
    snprintf(want, sizeof(want), "--run-id: %s, got '%s'", dns_label, long_id);
    FAILS(want, "--run-id", long_id);
    FAILS("--vm-name: expected a value, got ''", "--vm-name", "");
    FAILS("--kubeconfig: expected a value, got ''", "--kubeconfig", "");
    FAILS("--vm-name: expected lowercase letters, digits, '-' and '.', starting and ending with "
          "a letter or digit, at most 63 characters, got 'RHEL9'",
          "--vm-name", "RHEL9");
    FAILS("--namespace-prefix: expected lowercase letters, digits and '-', starting with a letter "
          "or digit, at most 61 characters, got '-x'",
          "--namespace-prefix", "-x");
    FAILS("--namespace-prefix: expected lowercase letters, digits and '-', starting with a letter "
          "or digit, at most 61 characters, got 'vm_density'",
          "--namespace-prefix", "vm_density");
    FAILS("--namespace-prefix: namespace "
          "'a12345678901234567890123456789012345678901234567890123456789-100' would be longer "
          "than 63 characters",
          "--namespace-prefix", "a12345678901234567890123456789012345678901234567890123456789");
    FAILS("--node-name: expected a DNS name (lowercase letters, digits, '-' and '.', at most 253 "
          "characters), got 'a..b'",
          "--node-name", "a..b");
    FAILS("--storage-class: expected a DNS name (lowercase letters, digits, '-' and '.', at most "
          "253 characters), got 'fast/ssd'",
          "--storage-class", "fast/ssd");
    FAILS("--log-level: expected debug, info, warn or error, got 'verbose'", "--log-level",
          "verbose");
}

static void test_url_errors(void **state)
{
    (void)state;
    FAILS("--metrics-url: expected an http:// or https:// URL, got 'ftp://h/m'", "--metrics-url",
          "ftp://h/m");
    FAILS("--metrics-url: expected an http:// or https:// URL, got 'http://'", "--metrics-url",
          "http://");
    FAILS("--metrics-url: expected an http:// or https:// URL, got 'http://h /m'", "--metrics-url",
          "http://h /m");
    FAILS("--metrics-url: the URL holds a user name or password, which would be written to the "
          "results",
          "--metrics-url", "https://admin:s3cret@h/metrics");
    FAILS("--metrics-url: query parameter 'access_token' looks like a credential, which would be "
          "written to the results",
          "--metrics-url", "https://h/metrics?x=1&access_token=abc");
    FAILS("--metrics-url: query parameter 'apiKey' looks like a credential, which would be "
          "written to the results",
          "--metrics-url", "https://h/metrics?apiKey=abc");
}

static void test_command_line_errors(void **state)
{
    (void)state;
    FAILS("unknown option '--bogus' (see --help)", "--bogus");
    FAILS("unknown option '--bogus' (see --help)", "--bogus=1");
    FAILS("unknown option '-q' (see --help)", "-q");
    FAILS("ambiguous option '--c': could be --concurrency, --context, --cleanup, "
          "--cleanup-on-failure",
          "--c", "1");
    FAILS("--end: expected a value", "--end");
    FAILS("--end: expected a value", "-e");
    FAILS("--yes: takes no value", "--yes=1");
    FAILS("unexpected argument 'extra'", "extra", "--end", "5");
    FAILS_BARE("--vm-template: missing (the VM to create; or --skip-vm-creation to use existing "
               "VMs)",
               "--boot-storm");
    /* the arrays are freed on failure (parse_fails_args checks) */
    FAILS("--end: 1 is less than --start 2", "--label", "a=b", "--metrics-url", "http://h/m",
          "--start", "2", "--end", "1");
}

/* ---- help and JSON ----------------------------------------------------------------- */

/* "--name" occurs in text, not just as the start of a longer name. */
static int mentions(const char *text, const char *name)
{
    char flag[64];
    size_t len;

    snprintf(flag, sizeof(flag), "--%s", name);
    len = strlen(flag);
    for (const char *p = strstr(text, flag); p; p = strstr(p + 1, flag))
        if (!(p[len] >= 'a' && p[len] <= 'z') && p[len] != '-')
            return 1;
    return 0;
}

static void test_help_mentions_every_option(void **state)
{
    const char *help = collect_options_help();
    size_t n = 0;

    (void)state;
    for (const struct option *opt = collect_options_table(); opt->name; opt++, n++)
        if (!mentions(help, opt->name))
            fail_msg("--help does not mention --%s", opt->name);
    assert_true(n >= 37);
    assert_non_null(strstr(help, "-s, --start"));
    assert_non_null(strstr(help, "-e, --end"));
    assert_non_null(strstr(help, "-n, --vm-name"));
    assert_non_null(strstr(help, "-c, --concurrency"));
    assert_non_null(strstr(help, "-o, --output"));
    assert_non_null(strstr(help, "-y, --yes"));
    assert_non_null(strstr(help, "-h, --help"));
    for (const char *line = help; *line; line = strchr(line, '\n') + 1)
        assert_true(strcspn(line, "\n") <= 80);
}

/* No key anywhere in v names a secret. */
static void assert_no_secret_keys(const cJSON *v)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, v)
    {
        if (item->string &&
            (strcasestr(item->string, "token") || strcasestr(item->string, "password") ||
             strcasestr(item->string, "secret")))
            fail_msg("config holds '%s'", item->string);
        assert_no_secret_keys(item);
    }
}

static const char *jstr(const cJSON *j, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(j, key);

    if (!cJSON_IsString(item))
        fail_msg("no string '%s'", key);
    return item->valuestring;
}

static double jnum(const cJSON *j, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(j, key);

    if (!cJSON_IsNumber(item))
        fail_msg("no number '%s'", key);
    return item->valuedouble;
}

static int jbool(const cJSON *j, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(j, key);

    if (!cJSON_IsBool(item))
        fail_msg("no boolean '%s'", key);
    return cJSON_IsTrue(item);
}

static void test_to_json(void **state)
{
    struct collect_options o;
    cJSON *j, *labels;

    (void)state;
    OK(&o, "--start", "3", "--end", "8", "--boot-storm", "--ssh-pod", "pinger", "--kubeconfig",
       "/home/me/.kube/config", "--qps", "10", "--label", "team=perf", "--label",
       "x.io/k=", "--metrics-url", "https://h:6443/metrics", "--run-id", "r1", "--dry-run-cleanup",
       "--cleanup");
    j = collect_options_to_json(&o);
    assert_non_null(j);
    assert_string_equal(jstr(j, "run_id"), "r1");
    assert_true(jnum(j, "start") == 3 && jnum(j, "end") == 8);
    assert_string_equal(jstr(j, "vm_name"), "rhel9-vm");
    assert_string_equal(jstr(j, "vm_template"), "vm.yaml");
    assert_string_equal(jstr(j, "namespace_prefix"), "vm-density");
    assert_true(jnum(j, "concurrency") == 50 && jnum(j, "ping_timeout_s") == 600);
    assert_true(jbool(j, "boot_storm"));
    assert_false(jbool(j, "single_node"));
    assert_true(jbool(j, "dry_run_cleanup"));
    assert_false(jbool(j, "cleanup"));
    assert_string_equal(jstr(j, "probe"), "exec");
    assert_string_equal(jstr(j, "probe_exec"),
                        "kubectl --kubeconfig=/home/me/.kube/config exec -n default pinger -- "
                        "ping -c1 -W1 {ip}");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "probe_port")));
    assert_true(jnum(j, "probe_interval_s") == 1);
    assert_string_equal(jstr(j, "kubeconfig"), "/home/me/.kube/config");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "context")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "output")));
    assert_true(jnum(j, "qps") == 10 && jnum(j, "burst") == 10);
    assert_string_equal(jstr(j, "log_level"), "info");
    labels = cJSON_GetObjectItemCaseSensitive(j, "labels");
    assert_string_equal(jstr(labels, "team"), "perf");
    assert_string_equal(jstr(labels, "x.io/k"), "");
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "metrics_urls"), 0)->valuestring,
        "https://h:6443/metrics");
    assert_no_secret_keys(j);
    cJSON_Delete(j);
    collect_options_release(&o);

    OK(&o, "--probe", "tcp:22");
    j = collect_options_to_json(&o);
    assert_string_equal(jstr(j, "probe"), "tcp");
    assert_true(jnum(j, "probe_port") == 22);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "qps")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "run_id")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "labels")), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "metrics_urls")), 0);
    assert_no_secret_keys(j);
    cJSON_Delete(j);
    collect_options_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_run_shape),
        cmocka_unit_test(test_phases_and_safety),
        cmocka_unit_test(test_connection_and_output),
        cmocka_unit_test(test_node_name_implies_single_node),
        cmocka_unit_test(test_dry_run_cleanup_deletes_nothing),
        cmocka_unit_test(test_storm_on_existing_vms),
        cmocka_unit_test(test_probes),
        cmocka_unit_test(test_ssh_pod),
        cmocka_unit_test(test_repeatable),
        cmocka_unit_test(test_equals_form_and_short_options),
        cmocka_unit_test(test_short_options),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_number_errors),
        cmocka_unit_test(test_probe_errors),
        cmocka_unit_test(test_label_errors),
        cmocka_unit_test(test_name_errors),
        cmocka_unit_test(test_url_errors),
        cmocka_unit_test(test_command_line_errors),
        cmocka_unit_test(test_help_mentions_every_option),
        cmocka_unit_test(test_to_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
