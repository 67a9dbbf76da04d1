/*
 * options.c - vmstorm-collect's command line: one table of options drives
 * getopt_long(), the reading of each value and the tests; the checks that
 * involve several options come after the loop. See options.h.
 */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "numparse.h"

#define DNS_LABEL_MAX 63
#define DNS_SUBDOMAIN_MAX 253
#define INDEX_MAX 99999999L /* namespaces "<prefix>-<i>" */
#define RESERVED_PREFIX "vmstorm.io/"
#define SSH_PING "ping -c1 -W1 {ip}"

struct parse_ctx {
    struct collect_options *o;
    int probe_given;
};

enum opt_kind { K_FLAG, K_LONG, K_DOUBLE, K_STRING, K_SPECIAL };

/* K_STRING: check the value (the caller stores it); K_SPECIAL: read and store it. */
struct opt_spec;
typedef int opt_fn(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                   struct vs_error *err);

struct opt_spec {
    const char *name;
    int has_arg;
    int short_name; /* 0: none */
    enum opt_kind kind;
    size_t offset; /* of the field in struct collect_options */
    double min, max;
    opt_fn *fn;
};

static opt_fn check_vm_name, check_ns_prefix, check_dns_label, check_subdomain, check_command;
static opt_fn apply_log_level, apply_probe, apply_metrics_url, apply_label;

/* clang-format off */
#define OFF(field) offsetof(struct collect_options, field)
#define FLAG(name, sh, field) {name, no_argument, sh, K_FLAG, OFF(field), 0, 0, NULL}
#define LONG(name, sh, field, lo, hi) {name, required_argument, sh, K_LONG, OFF(field), lo, hi, NULL}
#define DBL(name, field, lo, hi) {name, required_argument, 0, K_DOUBLE, OFF(field), lo, hi, NULL}
#define STR(name, sh, field, fn) {name, required_argument, sh, K_STRING, OFF(field), 0, 0, fn}
#define SPECIAL(name, fn) {name, required_argument, 0, K_SPECIAL, 0, 0, 0, fn}
/* clang-format on */

/* Every option, one a line (tests/cli/t-collect-man.sh reads the names from here). */
static const struct opt_spec opt_specs[] = {
    LONG("start", 's', start, 0, INDEX_MAX),
    LONG("end", 'e', end, 0, INDEX_MAX),
    STR("vm-name", 'n', vm_name, check_vm_name),
    STR("vm-template", 0, vm_template, NULL),
    STR("namespace-prefix", 0, namespace_prefix, check_ns_prefix),
    LONG("namespace-batch-size", 0, namespace_batch_size, 1, 10000),
    LONG("concurrency", 'c', concurrency, 1, 100000),
    STR("node-name", 0, node_name, check_subdomain),
    STR("storage-class", 0, storage_class, check_subdomain),
    SPECIAL("label", apply_label),
    STR("run-id", 0, run_id, check_dns_label),
    FLAG("single-node", 0, single_node),
    FLAG("skip-namespace-creation", 0, skip_namespace_creation),
    FLAG("skip-vm-creation", 0, skip_vm_creation),
    FLAG("boot-storm", 0, boot_storm),
    DBL("ping-timeout", ping_timeout_s, 0.001, 604800),
    STR("fio-cmd", 0, fio_cmd, check_command),
    SPECIAL("probe", apply_probe),
    DBL("probe-interval", probe_interval_s, 0.001, 3600),
    DBL("poll-interval", probe_interval_s, 0.001, 3600),
    STR("ssh-pod", 0, ssh_pod, check_subdomain),
    STR("ssh-pod-ns", 0, ssh_pod_ns, check_dns_label),
    STR("kubeconfig", 0, kubeconfig, NULL),
    STR("context", 0, context, NULL),
    DBL("qps", qps, 0.001, 100000),
    DBL("burst", burst, 1, 100000),
    SPECIAL("metrics-url", apply_metrics_url),
    STR("output", 'o', output, NULL),
    FLAG("save-results", 0, save_results),
    STR("log-file", 0, log_file, NULL),
    SPECIAL("log-level", apply_log_level),
    FLAG("cleanup", 0, cleanup),
    FLAG("cleanup-on-failure", 0, cleanup_on_failure),
    FLAG("dry-run-cleanup", 0, dry_run_cleanup),
    FLAG("yes", 'y', yes),
    FLAG("version", 0, show_version),
    FLAG("help", 'h', show_help),
};

#define N_SPECS (sizeof(opt_specs) / sizeof(opt_specs[0]))
#define VAL_BASE 256 /* getopt_long() returns VAL_BASE + index for a long name */

static const char help_text[] =
    "usage: vmstorm-collect [options]\n"
    "\n"
    "Create one VM in each namespace PREFIX-START .. PREFIX-END, wait until every\n"
    "VM answers a probe, optionally stop them all and start them all at once (a\n"
    "boot storm), and record every watch event, probe and API request in an NDJSON\n"
    "file for vmstorm-analyze.\n"
    "\n"
    "Run shape:\n"
    "  -s, --start N               first namespace index (default 1)\n"
    "  -e, --end N                 last namespace index, inclusive (default 100)\n"
    "  -n, --vm-name NAME          the VM's name in each namespace (default rhel9-vm)\n"
    "      --vm-template FILE      YAML manifest(s) of the VM to create; required\n"
    "                              unless --skip-vm-creation\n"
    "      --namespace-prefix P    namespaces are named P-N (default vm-density)\n"
    "      --namespace-batch-size N\n"
    "                              namespaces created in parallel (default 20)\n"
    "  -c, --concurrency N         at most N VM creations in flight (default 50)\n"
    "      --single-node           run every VM on one node: --node-name, or a\n"
    "                              schedulable worker picked at start\n"
    "      --node-name NODE        the node for --single-node (implies it)\n"
    "      --storage-class NAME    storage class of the template's volumes\n"
    "                              (default: as in the template)\n"
    "      --label KEY=VALUE       extra label on every object created (repeatable)\n"
    "      --run-id ID             the run's id: label vmstorm.io/run=ID on every\n"
    "                              object (default: generated; a DNS label)\n"
    "\n"
    "Phases:\n"
    "      --skip-namespace-creation\n"
    "                              use namespaces that already exist\n"
    "      --skip-vm-creation      use VMs that already exist (with --boot-storm: a\n"
    "                              storm on existing VMs)\n"
    "      --boot-storm            once all VMs are ready, stop them all, then start\n"
    "                              them all at once and measure again\n"
    "      --ping-timeout SECONDS  time each VM has to answer the probe (default 600)\n"
    "      --fio-cmd TEMPLATE      once the VMs are ready, run this command for each\n"
    "                              VM and record its output ({ip} {namespace} {name})\n"
    "\n"
    "Probes (when a VM counts as ready):\n"
    "      --probe icmp|tcp:PORT|exec:TEMPLATE\n"
    "                              ICMP echo, TCP connect, or a command that exits 0\n"
    "                              ({ip} {namespace} {name}); default icmp, or exec\n"
    "                              through the pod of --ssh-pod\n"
    "      --probe-interval SECONDS\n"
    "                              between two attempts on one VM (default 1;\n"
    "                              fractions allowed)\n"
    "      --poll-interval SECONDS same as --probe-interval\n"
    "      --ssh-pod POD           ping from this pod (not with --probe), as with\n"
    "                              exec:kubectl exec -n NS POD -- ping -c1 -W1 {ip}\n"
    "      --ssh-pod-ns NS         namespace of --ssh-pod (default default)\n"
    "\n"
    "Connection:\n"
    "      --kubeconfig FILE       kubeconfig to use (default: $KUBECONFIG, then\n"
    "                              ~/.kube/config, then the in-cluster config)\n"
    "      --context NAME          kubeconfig context (default: the current one)\n"
    "      --qps N                 at most N API requests a second (default: no cap)\n"
    "      --burst N               requests allowed at once above --qps (default:\n"
    "                              --qps, at least 1; needs --qps)\n"
    "      --metrics-url URL       Prometheus endpoint scraped when each phase begins\n"
    "                              and ends (repeatable; http(s), no credentials)\n"
    "\n"
    "Output:\n"
    "  -o, --output FILE           the NDJSON results\n"
    "                              (default results/vmstorm-RUN_ID.ndjson)\n"
    "      --save-results          also write each phase's figures (count, avg, P50,\n"
    "                              P95, P99, max) to RESULTS.summary.json\n"
    "      --log-file FILE         also write messages to FILE\n"
    "      --log-level LEVEL       debug, info, warn or error (default info)\n"
    "\n"
    "Safety:\n"
    "      --cleanup               at the end, delete what the run created (asks\n"
    "                              first unless --yes)\n"
    "      --cleanup-on-failure    the same, but only when the run failed or was\n"
    "                              interrupted\n"
    "      --dry-run-cleanup       list what cleanup would delete, delete nothing\n"
    "                              (overrides --cleanup and --cleanup-on-failure)\n"
    "  -y, --yes                   do not ask for confirmation\n"
    "\n"
    "      --version               print the version and exit\n"
    "  -h, --help                  print this help and exit\n"
    "\n"
    "Exit status: 0 ok, 1 runtime failure, 2 bad command line, 3 bad input data,\n"
    "130 interrupted.\n"
    "See vmstorm-collect(1).\n";

const char *collect_options_help(void)
{
    return help_text;
}

const struct option *collect_options_table(void)
{
    static struct option table[N_SPECS + 1];

    if (!table[0].name)
        for (size_t i = 0; i < N_SPECS; i++)
            table[i] =
                (struct option){opt_specs[i].name, opt_specs[i].has_arg, NULL, (int)(VAL_BASE + i)};
    return table;
}

/* ---- names ------------------------------------------------------------------ */

static int is_alnum_lower(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static int is_alnum(char ch)
{
    return is_alnum_lower(ch) || (ch >= 'A' && ch <= 'Z');
}

/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, len chars, at most 63. */
static int is_dns_label(const char *s, size_t len)
{
    if (len == 0 || len > DNS_LABEL_MAX || !is_alnum_lower(s[0]) || !is_alnum_lower(s[len - 1]))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum_lower(s[i]) && s[i] != '-')
            return 0;
    return 1;
}

/* RFC 1123 subdomain: labels joined by '.', len chars, at most max. */
static int is_dns_subdomain(const char *s, size_t len, size_t max)
{
    size_t start = 0;

    if (len == 0 || len > max)
        return 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.')
            continue;
        if (i == start || !is_alnum_lower(s[start]) || !is_alnum_lower(s[i - 1]))
            return 0;
        for (size_t j = start; j < i; j++)
            if (!is_alnum_lower(s[j]) && s[j] != '-')
                return 0;
        start = i + 1;
    }
    return 1;
}

/* A label name or value: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63. */
static int is_label_name(const char *s, size_t len)
{
    if (len == 0 || len > DNS_LABEL_MAX || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return 0;
    return 1;
}

/* A label key: [DNS subdomain '/'] label name. */
static int is_label_key(const char *s, size_t len)
{
    const char *slash = memchr(s, '/', len);

    if (!slash)
        return is_label_name(s, len);
    return is_dns_subdomain(s, (size_t)(slash - s), DNS_SUBDOMAIN_MAX) &&
           is_label_name(slash + 1, len - (size_t)(slash - s) - 1);
}

/* ---- values of single options ------------------------------------------------------ */

static int check_vm_name(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                         struct vs_error *err)
{
    (void)c;
    /* a subdomain, but at most 63: the VMI's name becomes a label value and the hostname */
    if (!is_dns_subdomain(arg, strlen(arg), DNS_LABEL_MAX))
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: expected lowercase letters, digits, '-' and '.', starting "
                            "and ending with a letter or digit, at most 63 characters, got '%s'",
                            s->name, arg);
    return 0;
}

static int check_ns_prefix(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                           struct vs_error *err)
{
    size_t len = strlen(arg);

    (void)c;
    /* "<prefix>-<i>" must be a DNS label: the prefix may end in '-' */
    if (len > DNS_LABEL_MAX - 2 || !is_alnum_lower(arg[0]) ||
        strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789-") != len)
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: expected lowercase letters, digits and '-', starting with a "
                            "letter or digit, at most 61 characters, got '%s'",
                            s->name, arg);
    return 0;
}

static int check_dns_label(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                           struct vs_error *err)
{
    (void)c;
    if (!is_dns_label(arg, strlen(arg)))
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: expected lowercase letters, digits and '-', starting and "
                            "ending with a letter or digit, at most 63 characters, got '%s'",
                            s->name, arg);
    return 0;
}

static int check_subdomain(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                           struct vs_error *err)
{
    (void)c;
    if (!is_dns_subdomain(arg, strlen(arg), DNS_SUBDOMAIN_MAX))
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: expected a DNS name (lowercase letters, digits, '-' and '.', "
                            "at most 253 characters), got '%s'",
                            s->name, arg);
    return 0;
}

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

static int check_command(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                         struct vs_error *err)
{
    (void)c;
    if (is_blank(arg))
        return vs_error_set(err, NULL, 0, 0, "--%s: expected a command, got '%s'", s->name, arg);
    return 0;
}

/* A whole number for --name, strictly (numparse.h); -1 with err naming the option and arg. */
static int parse_long(const char *name, const char *arg, long min, long max, long *out,
                      struct vs_error *err)
{
    int rc = num_parse_long(arg, min, max, out);

    if (rc == NUM_BAD)
        return vs_error_set(err, NULL, 0, 0, "--%s: expected a whole number, got '%s'", name, arg);
    if (rc == NUM_RANGE)
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: expected a whole number from %ld to %ld, got '%s'", name, min,
                            max, arg);
    return 0;
}

/* A decimal number for --name: no hex, no inf or nan, no blanks (numparse.h). */
static int parse_double(const char *name, const char *arg, double min, double max, double *out,
                        struct vs_error *err)
{
    int rc = num_parse_double(arg, min, max, out);

    if (rc == NUM_BAD)
        return vs_error_set(err, NULL, 0, 0, "--%s: expected a number, got '%s'", name, arg);
    if (rc == NUM_RANGE)
        return vs_error_set(err, NULL, 0, 0, "--%s: expected a number from %g to %g, got '%s'",
                            name, min, max, arg);
    return 0;
}

static int apply_log_level(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                           struct vs_error *err)
{
    enum msg_level level;

    if (msg_parse_level(arg, &level) < 0)
        return vs_error_set(err, NULL, 0, 0, "--%s: expected debug, info, warn or error, got '%s'",
                            s->name, arg);
    c->o->log_level = (int)level;
    return 0;
}

static int apply_probe(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                       struct vs_error *err)
{
    struct collect_options *o = c->o;
    long port;

    c->probe_given = 1;
    o->probe_port = 0;
    o->probe_exec = NULL;
    if (strcmp(arg, "icmp") == 0) {
        o->probe = OPT_PROBE_ICMP;
    } else if (strncmp(arg, "tcp:", 4) == 0) {
        if (parse_long(s->name, arg + 4, 1, 65535, &port, NULL) < 0)
            return vs_error_set(err, NULL, 0, 0,
                                "--%s: expected a port from 1 to 65535 after 'tcp:', got '%s'",
                                s->name, arg);
        o->probe = OPT_PROBE_TCP;
        o->probe_port = (int)port;
    } else if (strncmp(arg, "exec:", 5) == 0) {
        if (is_blank(arg + 5))
            return vs_error_set(err, NULL, 0, 0, "--%s: expected a command after 'exec:', got '%s'",
                                s->name, arg);
        o->probe = OPT_PROBE_EXEC;
        o->probe_exec = arg + 5;
    } else {
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: expected icmp, tcp:PORT or exec:TEMPLATE, got '%s'", s->name,
                            arg);
    }
    return 0;
}

/* Append s to the NULL-terminated array *arr of *n entries. */
static int append(const char ***arr, size_t *n, const char *s, struct vs_error *err)
{
    const char **grown = realloc(*arr, (*n + 2) * sizeof(**arr));

    if (!grown)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    grown[(*n)++] = s;
    grown[*n] = NULL;
    *arr = grown;
    return 0;
}

/* A query parameter whose name suggests a secret ("token", "password", "key", ...). */
static int secret_param(const char *query, char name[64])
{
    static const char *const words[] = {"token", "password", "passwd", "secret", "key", "auth"};

    while (*query && *query != '#') {
        size_t len = strcspn(query, "=&#");

        snprintf(name, 64, "%.*s", (int)len, query);
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strcasestr(name, words[i]))
                return 1;
        query += strcspn(query, "&#");
        if (*query == '&')
            query++;
    }
    return 0;
}

static int apply_metrics_url(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                             struct vs_error *err)
{
    size_t skip = strncasecmp(arg, "http://", 7) == 0    ? 7
                  : strncasecmp(arg, "https://", 8) == 0 ? 8
                                                         : 0;
    size_t host_len = strcspn(arg + skip, "/?#");
    const char *query = strchr(arg, '?');
    char name[64];

    for (const char *p = arg; *p; p++)
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
            skip = 0;
    if (skip == 0 || host_len == 0)
        return vs_error_set(err, NULL, 0, 0, "--%s: expected an http:// or https:// URL, got '%s'",
                            s->name, arg);
    if (memchr(arg + skip, '@', host_len))
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: the URL holds a user name or password, which would be "
                            "written to the results",
                            s->name);
    if (query && secret_param(query + 1, name))
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: query parameter '%s' looks like a credential, which would be "
                            "written to the results",
                            s->name, name);
    return append(&c->o->metrics_urls, &c->o->n_metrics_urls, arg, err);
}

static int apply_label(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                       struct vs_error *err)
{
    const char *eq = strchr(arg, '=');
    size_t klen = eq ? (size_t)(eq - arg) : 0;

    if (!eq || klen == 0)
        return vs_error_set(err, NULL, 0, 0, "--%s: expected KEY=VALUE, got '%s'", s->name, arg);
    if (!is_label_key(arg, klen))
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: invalid key '%.*s': expected an optional DNS name and '/', "
                            "then up to 63 letters, digits, '-', '_' and '.', starting and "
                            "ending with a letter or digit",
                            s->name, (int)klen, arg);
    if (strncmp(arg, RESERVED_PREFIX, strlen(RESERVED_PREFIX)) == 0)
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: keys under '" RESERVED_PREFIX "' are vmstorm's own (the run "
                            "id is " COLLECT_RUN_LABEL ", see --run-id), got '%s'",
                            s->name, arg);
    if (eq[1] && !is_label_name(eq + 1, strlen(eq + 1)))
        return vs_error_set(err, NULL, 0, 0,
                            "--%s: invalid value '%s': expected up to 63 letters, digits, '-', "
                            "'_' and '.', starting and ending with a letter or digit",
                            s->name, eq + 1);
    for (size_t i = 0; i < c->o->n_labels; i++)
        if (strncmp(c->o->labels[i], arg, klen + 1) == 0)
            return vs_error_set(err, NULL, 0, 0, "--%s: key '%.*s' given twice", s->name, (int)klen,
                                arg);
    return append(&c->o->labels, &c->o->n_labels, arg, err);
}

/* Read one option's value into its field. */
static int apply(struct parse_ctx *c, const struct opt_spec *s, const char *arg,
                 struct vs_error *err)
{
    char *field = (char *)c->o + s->offset;

    switch (s->kind) {
    case K_FLAG:
        *(int *)(void *)field = 1;
        return 0;
    case K_LONG:
        return parse_long(s->name, arg, (long)s->min, (long)s->max, (long *)(void *)field, err);
    case K_DOUBLE:
        return parse_double(s->name, arg, s->min, s->max, (double *)(void *)field, err);
    case K_STRING:
        if (!*arg)
            return vs_error_set(err, NULL, 0, 0, "--%s: expected a value, got ''", s->name);
        if (s->fn && s->fn(c, s, arg, err) < 0)
            return -1;
        *(const char **)(void *)field = arg;
        return 0;
    case K_SPECIAL:
        return s->fn(c, s, arg, err);
    }
    return vs_error_set(err, NULL, 0, 0, "--%s: unknown kind of option", s->name);
}

/* ---- the getopt_long() loop ------------------------------------------------------- */

static const struct opt_spec *spec_of(int ch)
{
    if (ch >= VAL_BASE && ch < VAL_BASE + (int)N_SPECS)
        return &opt_specs[ch - VAL_BASE];
    for (size_t i = 0; ch > 0 && i < N_SPECS; i++)
        if (opt_specs[i].short_name == ch)
            return &opt_specs[i];
    return NULL;
}

/* ":s:e:n:c:o:yh": a leading ':' makes getopt_long() return ':' for a missing value. */
static void short_options(char *out, size_t n)
{
    size_t len = 0;

    out[len++] = ':';
    for (size_t i = 0; i < N_SPECS && len + 3 < n; i++) {
        if (!opt_specs[i].short_name)
            continue;
        out[len++] = (char)opt_specs[i].short_name;
        if (opt_specs[i].has_arg != no_argument)
            out[len++] = ':';
    }
    out[len] = '\0';
}

/* An unknown or ambiguous long name: list the candidates when it is a prefix of several. */
static int bad_long_name(const char *word, struct vs_error *err)
{
    size_t len = strcspn(word + 2, "=");
    char names[400] = "";
    size_t used = 0;
    int matches = 0;

    for (size_t i = 0; i < N_SPECS; i++) {
        if (strncmp(opt_specs[i].name, word + 2, len) != 0)
            continue;
        matches++;
        if (used < sizeof(names))
            used += (size_t)snprintf(names + used, sizeof(names) - used, "%s--%s", used ? ", " : "",
                                     opt_specs[i].name);
    }
    if (matches > 1)
        return vs_error_set(err, NULL, 0, 0, "ambiguous option '--%.*s': could be %s", (int)len,
                            word + 2, names);
    return vs_error_set(err, NULL, 0, 0, "unknown option '--%.*s' (see --help)", (int)len,
                        word + 2);
}

/* getopt_long() returned ':' or '?'. */
static int bad_option(int ch, char **argv, struct vs_error *err)
{
    const struct opt_spec *s = spec_of(optopt);
    const char *word = optind > 0 ? argv[optind - 1] : "";

    if (ch == ':' && s)
        return vs_error_set(err, NULL, 0, 0, "--%s: expected a value", s->name);
    if (s) /* "--yes=1" */
        return vs_error_set(err, NULL, 0, 0, "--%s: takes no value", s->name);
    if (optopt > 0 && optopt < VAL_BASE)
        return vs_error_set(err, NULL, 0, 0, "unknown option '-%c' (see --help)", optopt);
    if (strncmp(word, "--", 2) == 0)
        return bad_long_name(word, err);
    return vs_error_set(err, NULL, 0, 0, "unknown option '%s' (see --help)", word);
}

/* ---- checks across options -------------------------------------------------------- */

static int check_shape(struct collect_options *o, struct vs_error *err)
{
    char ns[128];

    if (o->start > o->end)
        return vs_error_set(err, NULL, 0, 0, "--end: %ld is less than --start %ld", o->end,
                            o->start);
    snprintf(ns, sizeof(ns), "%s-%ld", o->namespace_prefix, o->end);
    if (strlen(ns) > DNS_LABEL_MAX)
        return vs_error_set(err, NULL, 0, 0,
                            "--namespace-prefix: namespace '%s' would be longer than 63 "
                            "characters",
                            ns);
    if (!o->vm_template && !o->skip_vm_creation)
        return vs_error_set(err, NULL, 0, 0,
                            "--vm-template: missing (the VM to create; or --skip-vm-creation to "
                            "use existing VMs)");
    if (o->node_name)
        o->single_node = 1;
    return 0;
}

/* Characters that need no quoting in a /bin/sh word. */
static int shell_safe(const char *s)
{
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") ==
           strlen(s);
}

/*
 * " --NAME=VALUE" with VALUE as one /bin/sh word (the exec probe runs its
 * template with sh -c, see probe.h), or "" when value is NULL. Returns a
 * new string, or NULL when memory runs out.
 */
static char *kubectl_flag(const char *name, const char *value)
{
    char *out, *p;

    if (!value)
        return strdup("");
    if (shell_safe(value))
        return asprintf(&out, " --%s=%s", name, value) < 0 ? NULL : out;
    out = malloc(strlen(name) + 4 * strlen(value) + 8);
    if (!out)
        return NULL;
    p = out + sprintf(out, " --%s='", name);
    for (; *value; value++) {
        if (*value == '\'')
            p = stpcpy(p, "'\\''"); /* close, an escaped quote, reopen */
        else
            *p++ = *value;
    }
    strcpy(p, "'");
    return out;
}

/* --ssh-pod: the exec probe through kubectl, to the cluster the collector uses. */
static int ssh_pod_probe(struct collect_options *o, struct vs_error *err)
{
    char *kubeconfig = kubectl_flag("kubeconfig", o->kubeconfig);
    char *context = kubectl_flag("context", o->context);
    int rc = -1;

    if (!o->ssh_pod_ns)
        o->ssh_pod_ns = "default";
    if (!kubeconfig || !context ||
        asprintf(&o->owned_exec, "kubectl%s%s exec -n %s %s -- " SSH_PING, kubeconfig, context,
                 o->ssh_pod_ns, o->ssh_pod) < 0) {
        o->owned_exec = NULL;
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    o->probe = OPT_PROBE_EXEC;
    o->probe_exec = o->owned_exec;
    rc = 0;
out:
    free(kubeconfig);
    free(context);
    return rc;
}

static int check_ssh_pod(struct parse_ctx *c, struct vs_error *err)
{
    struct collect_options *o = c->o;

    if (o->ssh_pod_ns && !o->ssh_pod)
        return vs_error_set(err, NULL, 0, 0, "--ssh-pod-ns: needs --ssh-pod");
    if (!o->ssh_pod)
        return 0;
    if (c->probe_given)
        return vs_error_set(err, NULL, 0, 0,
                            "--ssh-pod: not with --probe (--ssh-pod means --probe "
                            "'exec:kubectl exec -n NS POD -- " SSH_PING "')");
    return ssh_pod_probe(o, err);
}

static int check_rates(struct collect_options *o, struct vs_error *err)
{
    if (o->burst > 0 && o->qps == 0)
        return vs_error_set(err, NULL, 0, 0, "--burst: needs --qps");
    if (o->qps > 0 && o->burst == 0)
        o->burst = o->qps < 1 ? 1 : o->qps;
    if (o->dry_run_cleanup)
        o->cleanup = o->cleanup_on_failure = 0;
    return 0;
}

/* ---- the API ---------------------------------------------------------------------- */

static void set_defaults(struct collect_options *o)
{
    *o = (struct collect_options){
        .start = 1,
        .end = 100,
        .vm_name = "rhel9-vm",
        .namespace_prefix = "vm-density",
        .namespace_batch_size = 20,
        .concurrency = 50,
        .ping_timeout_s = 600,
        .log_level = MSG_INFO,
        .probe = OPT_PROBE_ICMP,
        .probe_interval_s = 1,
    };
}

int collect_options_parse(struct collect_options *o, int argc, char **argv, struct vs_error *err)
{
    const struct option *table = collect_options_table();
    struct parse_ctx c = {NULL, 0};
    char shorts[2 * N_SPECS + 2];
    int ch, rc = 0;

    set_defaults(o);
    c.o = o;
    short_options(shorts, sizeof(shorts));
    optind = 0; /* glibc: start over, whatever an earlier parse left */
    opterr = 0; /* library code never prints */
    while (rc == 0 && (ch = getopt_long(argc, argv, shorts, table, NULL)) != -1) {
        const struct opt_spec *s = ch == ':' || ch == '?' ? NULL : spec_of(ch);

        rc = s ? apply(&c, s, optarg, err) : bad_option(ch, argv, err);
        if (rc == 0 && (o->show_help || o->show_version))
            return 0;
    }
    if (rc == 0 && optind < argc)
        rc = vs_error_set(err, NULL, 0, 0, "unexpected argument '%s'", argv[optind]);
    if (rc == 0 &&
        (check_shape(o, err) < 0 || check_ssh_pod(&c, err) < 0 || check_rates(o, err) < 0))
        rc = -1;
    if (rc < 0)
        collect_options_release(o);
    return rc;
}

void collect_options_release(struct collect_options *o)
{
    if (!o)
        return;
    free(o->metrics_urls);
    free(o->labels);
    if (o->probe_exec == o->owned_exec)
        o->probe_exec = NULL;
    free(o->owned_exec);
    o->metrics_urls = o->labels = NULL;
    o->n_metrics_urls = o->n_labels = 0;
    o->owned_exec = NULL;
}

/* ---- JSON ------------------------------------------------------------------------- */

static int add_str(cJSON *obj, const char *key, const char *value)
{
    return (value ? cJSON_AddStringToObject(obj, key, value) : cJSON_AddNullToObject(obj, key)) !=
           NULL;
}

static int add_num_or_null(cJSON *obj, const char *key, double value)
{
    return (value > 0 ? cJSON_AddNumberToObject(obj, key, value)
                      : cJSON_AddNullToObject(obj, key)) != NULL;
}

static const char *level_name(int level)
{
    switch (level) {
    case MSG_ERROR:
        return "error";
    case MSG_WARN:
        return "warn";
    case MSG_DEBUG:
        return "debug";
    default:
        return "info";
    }
}

static int json_shape(cJSON *j, const struct collect_options *o)
{
    return cJSON_AddNumberToObject(j, "start", (double)o->start) &&
           cJSON_AddNumberToObject(j, "end", (double)o->end) && add_str(j, "vm_name", o->vm_name) &&
           add_str(j, "vm_template", o->vm_template) &&
           add_str(j, "namespace_prefix", o->namespace_prefix) &&
           cJSON_AddNumberToObject(j, "namespace_batch_size", (double)o->namespace_batch_size) &&
           cJSON_AddNumberToObject(j, "concurrency", (double)o->concurrency) &&
           cJSON_AddNumberToObject(j, "ping_timeout_s", o->ping_timeout_s) &&
           cJSON_AddBoolToObject(j, "boot_storm", o->boot_storm) &&
           cJSON_AddBoolToObject(j, "single_node", o->single_node) &&
           add_str(j, "node_name", o->node_name) && add_str(j, "storage_class", o->storage_class);
}

static int json_phases(cJSON *j, const struct collect_options *o)
{
    return cJSON_AddBoolToObject(j, "skip_namespace_creation", o->skip_namespace_creation) &&
           cJSON_AddBoolToObject(j, "skip_vm_creation", o->skip_vm_creation) &&
           cJSON_AddBoolToObject(j, "cleanup", o->cleanup) &&
           cJSON_AddBoolToObject(j, "cleanup_on_failure", o->cleanup_on_failure) &&
           cJSON_AddBoolToObject(j, "dry_run_cleanup", o->dry_run_cleanup) &&
           cJSON_AddBoolToObject(j, "save_results", o->save_results) &&
           cJSON_AddBoolToObject(j, "yes", o->yes) && add_str(j, "log_file", o->log_file) &&
           add_str(j, "log_level", level_name(o->log_level)) && add_str(j, "fio_cmd", o->fio_cmd);
}

static int json_probe(cJSON *j, const struct collect_options *o)
{
    static const char *const kinds[] = {"icmp", "tcp", "exec"};

    return add_str(j, "probe", kinds[o->probe]) &&
           add_num_or_null(j, "probe_port", o->probe_port) &&
           add_str(j, "probe_exec", o->probe_exec) &&
           cJSON_AddNumberToObject(j, "probe_interval_s", o->probe_interval_s) &&
           add_str(j, "ssh_pod", o->ssh_pod) && add_str(j, "ssh_pod_ns", o->ssh_pod_ns);
}

static int json_lists(cJSON *j, const struct collect_options *o)
{
    cJSON *urls = cJSON_AddArrayToObject(j, "metrics_urls");
    cJSON *labels = cJSON_AddObjectToObject(j, "labels");
    char key[DNS_SUBDOMAIN_MAX + DNS_LABEL_MAX + 2];

    if (!urls || !labels)
        return 0;
    for (size_t i = 0; i < o->n_metrics_urls; i++)
        if (!cJSON_AddItemToArray(urls, cJSON_CreateString(o->metrics_urls[i])))
            return 0;
    for (size_t i = 0; i < o->n_labels; i++) {
        const char *eq = strchr(o->labels[i], '=');

        snprintf(key, sizeof(key), "%.*s", (int)(eq - o->labels[i]), o->labels[i]);
        if (!cJSON_AddStringToObject(labels, key, eq + 1))
            return 0;
    }
    return 1;
}

cJSON *collect_options_to_json(const struct collect_options *o)
{
    cJSON *j = cJSON_CreateObject();

    if (!j || !add_str(j, "run_id", o->run_id) || !json_shape(j, o) || !json_phases(j, o) ||
        !json_probe(j, o) || !add_str(j, "kubeconfig", o->kubeconfig) ||
        !add_str(j, "context", o->context) || !add_num_or_null(j, "qps", o->qps) ||
        !add_num_or_null(j, "burst", o->burst) || !json_lists(j, o) ||
        !add_str(j, "output", o->output)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}
