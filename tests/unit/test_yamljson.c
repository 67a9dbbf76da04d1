#include "unit.h"

#include <errno.h>
#include <math.h>
#include <time.h>

#include "vbuf.h"
#include "yamljson.h"
#include "yamlscalar.h"

/* ---- helpers ------------------------------------------------------------------ */

/* Follow a path like "spec/template/0/name": object keys, array indices. */
static cJSON *at(cJSON *v, const char *path)
{
    char buf[256], *save = NULL, *seg;

    snprintf(buf, sizeof(buf), "%s", path);
    for (seg = strtok_r(buf, "/", &save); seg && v; seg = strtok_r(NULL, "/", &save))
        v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(seg))
                             : cJSON_GetObjectItemCaseSensitive(v, seg);
    return v;
}

static const char *str_at(cJSON *v, const char *path)
{
    cJSON *item = at(v, path);

    assert_non_null(item);
    assert_true(cJSON_IsString(item));
    return item->valuestring;
}

static double num_at(cJSON *v, const char *path)
{
    cJSON *item = at(v, path);

    assert_non_null(item);
    assert_true(cJSON_IsNumber(item));
    return item->valuedouble;
}

static cJSON *parse_docs(const char *yaml, long **lines)
{
    struct vs_error err;
    cJSON *docs = NULL;
    char msg[1024];

    if (yamljson_parse(yaml, strlen(yaml), "t.yaml", &docs, lines, &err) != 0)
        fail_msg("unexpected error: %s", vs_error_format(&err, msg, sizeof(msg)));
    assert_non_null(docs);
    return docs;
}

static void assert_json_text(const cJSON *v, const char *want)
{
    char *s = cJSON_PrintUnformatted(v);

    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

/* Parse a one-document stream and return its value, detached. */
static cJSON *parse_one(const char *yaml)
{
    cJSON *docs = parse_docs(yaml, NULL);
    cJSON *v;

    assert_int_equal(cJSON_GetArraySize(docs), 1);
    v = cJSON_DetachItemFromArray(docs, 0);
    cJSON_Delete(docs);
    return v;
}

/* The value of "v" in the one-document stream "v: <text>". */
static cJSON *value_of(const char *text)
{
    char yaml[512];
    cJSON *doc, *v;

    snprintf(yaml, sizeof(yaml), "v: %s\n", text);
    doc = parse_one(yaml);
    v = cJSON_DetachItemFromObjectCaseSensitive(doc, "v");
    assert_non_null(v);
    cJSON_Delete(doc);
    return v;
}

static void want_number(const char *text, double want)
{
    cJSON *v = value_of(text);

    if (!cJSON_IsNumber(v) || v->valuedouble != want)
        fail_msg("'%s': expected number %.17g", text, want);
    cJSON_Delete(v);
}

static void want_string(const char *text, const char *want)
{
    cJSON *v = value_of(text);

    if (!cJSON_IsString(v) || strcmp(v->valuestring, want) != 0)
        fail_msg("'%s': expected string '%s'", text, want);
    cJSON_Delete(v);
}

static void want_bool(const char *text, int want)
{
    cJSON *v = value_of(text);

    if (!cJSON_IsBool(v) || cJSON_IsTrue(v) != want)
        fail_msg("'%s': expected %s", text, want ? "true" : "false");
    cJSON_Delete(v);
}

static void want_null(const char *text)
{
    cJSON *v = value_of(text);

    if (!cJSON_IsNull(v))
        fail_msg("'%s': expected null", text);
    cJSON_Delete(v);
}

/* Parsing fails at line:col (0: not checked) with msg containing `part`. */
static struct vs_error want_error_n(const char *yaml, size_t len, long line, long col,
                                    const char *part)
{
    struct vs_error err;
    cJSON *docs = (cJSON *)1;
    long *lines = (long *)1;
    char msg[1024];

    memset(&err, 0, sizeof(err));
    assert_int_equal(yamljson_parse(yaml, len, "t.yaml", &docs, &lines, &err), -1);
    assert_null(docs);
    assert_null(lines);
    vs_error_format(&err, msg, sizeof(msg));
    if (strstr(err.msg, part) == NULL)
        fail_msg("error '%s' lacks '%s'", msg, part);
    if (line && err.line != line)
        fail_msg("error '%s': expected line %ld", msg, line);
    if (col && err.col != col)
        fail_msg("error '%s': expected column %ld", msg, col);
    assert_string_equal(err.where, "t.yaml");
    return err;
}

static struct vs_error want_error(const char *yaml, long line, long col, const char *part)
{
    return want_error_n(yaml, strlen(yaml), line, col, part);
}

/* ---- manifests ------------------------------------------------------------------ */

static const char vm_manifest[] =
    "# A RHEL 9 VM whose root disk is cloned from the rhel9 DataSource\n"
    "apiVersion: kubevirt.io/v1\n"
    "kind: VirtualMachine\n"
    "metadata:\n"
    "  name: storm-vm-0001\n"
    "  namespace: vmstorm\n"
    "  labels:\n"
    "    app: vmstorm\n"
    "    vmstorm.io/run: \"20240501\"\n"
    "    kubevirt.io/domain: storm-vm-0001\n"
    "  annotations:\n"
    "    vm.kubevirt.io/os: rhel9\n"
    "spec:\n"
    "  runStrategy: Always\n"
    "  dataVolumeTemplates:\n"
    "    - apiVersion: cdi.kubevirt.io/v1beta1\n"
    "      kind: DataVolume\n"
    "      metadata:\n"
    "        name: storm-vm-0001-rootdisk\n"
    "      spec:\n"
    "        sourceRef:\n"
    "          kind: DataSource\n"
    "          name: rhel9\n"
    "          namespace: openshift-virtualization-os-images\n"
    "        storage:\n"
    "          accessModes: [ReadWriteMany]\n"
    "          volumeMode: Block\n"
    "          resources:\n"
    "            requests:\n"
    "              storage: 30Gi\n"
    "  template:\n"
    "    metadata:\n"
    "      labels:\n"
    "        kubevirt.io/domain: storm-vm-0001\n"
    "    spec:\n"
    "      terminationGracePeriodSeconds: 180\n"
    "      evictionStrategy: LiveMigrate\n"
    "      domain:\n"
    "        cpu:\n"
    "          cores: 2\n"
    "          sockets: 1\n"
    "          threads: 1\n"
    "        memory:\n"
    "          guest: 4Gi\n"
    "        devices:\n"
    "          disks:\n"
    "            - name: rootdisk\n"
    "              disk:\n"
    "                bus: virtio\n"
    "              bootOrder: 1\n"
    "            - name: cloudinitdisk\n"
    "              disk: {bus: virtio}\n"
    "          interfaces:\n"
    "            - name: default\n"
    "              masquerade: {}\n"
    "              model: virtio\n"
    "          networkInterfaceMultiqueue: true\n"
    "          rng: {}\n"
    "        features:\n"
    "          smm:\n"
    "            enabled: true\n"
    "        firmware:\n"
    "          bootloader:\n"
    "            efi: {secureBoot: true}\n"
    "        resources:\n"
    "          requests:\n"
    "            memory: 4Gi\n"
    "      networks:\n"
    "        - name: default\n"
    "          pod: {}\n"
    "      volumes:\n"
    "        - name: rootdisk\n"
    "          dataVolume:\n"
    "            name: storm-vm-0001-rootdisk\n"
    "        - name: cloudinitdisk\n"
    "          cloudInitNoCloud:\n"
    "            userData: |\n"
    "              #cloud-config\n"
    "              user: cloud-user\n"
    "              chpasswd: { expire: False }\n";

static void test_vm_manifest(void **state)
{
    cJSON *vm = parse_one(vm_manifest);
    cJSON *dv;

    (void)state;
    assert_string_equal(str_at(vm, "kind"), "VirtualMachine");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(at(vm, "metadata/labels"), "vmstorm.io/run")->valuestring,
        "20240501");
    assert_string_equal(str_at(vm, "spec/runStrategy"), "Always");
    dv = at(vm, "spec/dataVolumeTemplates/0");
    assert_non_null(dv);
    assert_string_equal(str_at(dv, "spec/sourceRef/kind"), "DataSource");
    assert_string_equal(str_at(dv, "spec/sourceRef/name"), "rhel9");
    assert_string_equal(str_at(dv, "spec/storage/accessModes/0"), "ReadWriteMany");
    assert_string_equal(str_at(dv, "spec/storage/resources/requests/storage"), "30Gi");
    assert_true(num_at(vm, "spec/template/spec/terminationGracePeriodSeconds") == 180);
    assert_true(num_at(vm, "spec/template/spec/domain/cpu/cores") == 2);
    assert_string_equal(str_at(vm, "spec/template/spec/domain/memory/guest"), "4Gi");
    assert_true(num_at(vm, "spec/template/spec/domain/devices/disks/0/bootOrder") == 1);
    assert_string_equal(str_at(vm, "spec/template/spec/domain/devices/disks/1/disk/bus"), "virtio");
    assert_true(
        cJSON_IsObject(at(vm, "spec/template/spec/domain/devices/interfaces/0/masquerade")));
    assert_null(at(vm, "spec/template/spec/domain/devices/interfaces/0/masquerade")->child);
    assert_true(cJSON_IsTrue(at(vm, "spec/template/spec/domain/features/smm/enabled")));
    assert_true(
        cJSON_IsTrue(at(vm, "spec/template/spec/domain/firmware/bootloader/efi/secureBoot")));
    assert_string_equal(str_at(vm, "spec/template/spec/volumes/1/cloudInitNoCloud/userData"),
                        "#cloud-config\nuser: cloud-user\nchpasswd: { expire: False }\n");
    assert_int_equal(cJSON_GetArraySize(at(vm, "spec/template/spec/volumes")), 2);
    cJSON_Delete(vm);
}

static const char secret_and_vm[] = "apiVersion: v1\n" /* 1 */
                                    "kind: Secret\n"   /* 2 */
                                    "metadata:\n"      /* 3 */
                                    "  name: storm-cloudinit\n"
                                    "type: Opaque\n"
                                    "stringData:\n"
                                    "  userdata: |-\n"
                                    "    #cloud-config\n"
                                    "    ssh_authorized_keys:\n"
                                    "      - ssh-ed25519 AAAAC3Nza storm\n" /* 10 */
                                    "data:\n"
                                    "  token: c3Rvcm0=\n"
                                    "---\n" /* 13 */
                                    "apiVersion: kubevirt.io/v1\n"
                                    "kind: VirtualMachine\n"
                                    "metadata: {name: vm-1}\n"
                                    "spec:\n"
                                    "  running: false\n"
                                    "---\n"; /* 19: an empty document, skipped */

static void test_multi_document(void **state)
{
    long *lines = NULL;
    cJSON *docs = parse_docs(secret_and_vm, &lines);

    (void)state;
    assert_int_equal(cJSON_GetArraySize(docs), 2);
    assert_string_equal(str_at(docs, "0/kind"), "Secret");
    assert_string_equal(str_at(docs, "0/stringData/userdata"),
                        "#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3Nza storm");
    assert_string_equal(str_at(docs, "0/data/token"), "c3Rvcm0=");
    assert_string_equal(str_at(docs, "1/kind"), "VirtualMachine");
    assert_string_equal(str_at(docs, "1/metadata/name"), "vm-1");
    assert_true(cJSON_IsFalse(at(docs, "1/spec/running")));
    assert_int_equal(lines[0], 1);
    assert_int_equal(lines[1], 13);
    free(lines);
    cJSON_Delete(docs);
}

static void test_start_lines(void **state)
{
    const char *yaml = "# leading comment\n"
                       "\n"
                       "a: 1\n" /* 3: implicit start, first token */
                       "---\n"  /* 4: empty, skipped */
                       "---\n"  /* 5: empty, skipped */
                       "# comment\n"
                       "--- b\n" /* 7: content on the marker line */
                       "...\n"
                       "# between\n"
                       "--- [1,\n" /* 10: a flow node on the marker line */
                       "  2]\n"
                       "---\n" /* 12: a null document is kept */
                       "~\n";
    long *lines = NULL;
    cJSON *docs = parse_docs(yaml, &lines);

    (void)state;
    assert_int_equal(cJSON_GetArraySize(docs), 4);
    assert_int_equal(lines[0], 3);
    assert_string_equal(str_at(docs, "1"), "b");
    assert_int_equal(lines[1], 7);
    assert_true(num_at(docs, "2/1") == 2);
    assert_int_equal(lines[2], 10);
    assert_true(cJSON_IsNull(at(docs, "3")));
    assert_int_equal(lines[3], 12);
    free(lines);
    cJSON_Delete(docs);
}

/* ---- scalars ----------------------------------------------------------------------- */

static void test_scalar_null_bool(void **state)
{
    static const char *const nulls[] = {"null", "Null",      "NULL",       "~",
                                        "",     "!!null ''", "!!null null"};
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                      "on",   "On",   "ON",   "y",   "Y",   "!!bool yes"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO",
                                     "off",   "Off",   "OFF",   "n",  "N"};

    (void)state;
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        want_null(nulls[i]);
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        want_bool(yes[i], 1);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        want_bool(no[i], 0);
    /* not words: strings */
    want_string("nULL", "nULL");
    want_string("tRUE", "tRUE");
    want_string("yES", "yES");
    want_string("nil", "nil");
    want_string("None", "None");
    /* quoting keeps strings */
    want_string("'yes'", "yes");
    want_string("\"null\"", "null");
    want_string("'~'", "~");
    want_string("''", "");
}

static void test_scalar_int(void **state)
{
    (void)state;
    want_number("0", 0);
    want_number("42", 42);
    want_number("-17", -17);
    want_number("+17", 17);
    want_number("-0", 0);
    want_number("1_000_000", 1000000);
    want_number("0x1F", 31);
    want_number("0X1f", 31);
    want_number("-0x10", -16);
    want_number("0o17", 15); /* Go 1.13+ ParseInt base 0 */
    want_number("017", 15);  /* leading 0: octal, as go-yaml v2 */
    want_number("0b101", 5);
    want_number("08", 8);                                /* not octal: falls to the float rule */
    want_number("09.5", 9.5);                            /* likewise */
    want_number("9007199254740992", 9007199254740992.0); /* 2^53 */
    want_number("-9007199254740992", -9007199254740992.0);
    want_number("1152921504606846976", 1152921504606846976.0); /* 2^60: exact */
    want_number("0x7FFFFFFFFFFFFC00", 9223372036854774784.0);  /* exact too */
    want_string("0x", "0x");
    want_string("0o8", "0o8");
    want_string("0b2", "0b2");
    want_number("1_", 1); /* go-yaml drops every '_' first */
    want_string("+", "+");
    want_string("1-2", "1-2");
    want_string("2001-12-14", "2001-12-14"); /* timestamps stay strings */
    want_string("12:30:00", "12:30:00");     /* no base-60 */
    want_string("1.2.3", "1.2.3");
    want_string("'42'", "42");
    want_string("\"0x1F\"", "0x1F");
}

static void test_scalar_int_too_big(void **state)
{
    (void)state;
    want_error("v: 9007199254740993\n", 1, 4, "integer '9007199254740993' cannot be held");
    want_error("v: -9007199254740993\n", 1, 4, "cannot be held exactly");
    want_error("a: 1\nv: 18446744073709551615\n", 2, 4, "quote it");
    want_error("v: 123456789012345678901234567890\n", 1, 4, "cannot be held exactly");
    want_error("v: [1, 0xFFFFFFFFFFFFFFFFF]\n", 1, 8, "cannot be held exactly");
    want_string("'9007199254740993'", "9007199254740993");
}

static void test_scalar_float(void **state)
{
    (void)state;
    want_number("1.5", 1.5);
    want_number("-1.5", -1.5);
    want_number("+.5", 0.5);
    want_number(".5", 0.5);
    want_number("-.5", -0.5);
    want_number("1.", 1.0);
    want_number("1e3", 1000);
    want_number("1E+3", 1000);
    want_number("2.5e-3", 0.0025);
    want_number(".5e1", 5);
    want_number("1_000.5", 1000.5);
    want_number(".5_5", 0.55);
    want_number("6.02e23", 6.02e23);
    want_number("!!float 3", 3);
    want_number("!!float '2.5'", 2.5);
    want_string("1e400", "1e400"); /* out of range: go-yaml keeps the string */
    want_string(".", ".");
    want_string("._5", "._5");
    want_string("1e", "1e");
    want_string("e3", "e3");
    want_string("inf", "inf");
    want_string("nan", "nan");
    want_string("0x1p3", "0x1p3");
    want_string("'1.5'", "1.5");
}

static void test_scalar_inf_nan(void **state)
{
    static const char *const bad[] = {".inf",  ".Inf", ".INF", "+.inf", "-.inf",
                                      "-.Inf", ".nan", ".NaN", ".NAN",  "!!float .inf"};
    char yaml[64];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(yaml, sizeof(yaml), "a: 1\nb: %s\n", bad[i]);
        want_error(yaml, 2, 4, "is not a finite number");
    }
    want_string("'.inf'", ".inf");
    want_string(".iNf", ".iNf");
}

static void test_scalar_strings(void **state)
{
    cJSON *doc;

    (void)state;
    want_string("hello world", "hello world");
    want_string("'it''s'", "it's");
    want_string("\"tab\\there\\u00e9\"", "tab\there\xc3\xa9");
    doc = parse_one("lit: |\n  line1\n  line2\nfold: >\n  a\n  b\n\n  c\n"
                    "keep: |+\n  x\n\nstrip: |-\n  y\nnum: |\n  42\n");
    assert_string_equal(str_at(doc, "lit"), "line1\nline2\n");
    assert_string_equal(str_at(doc, "fold"), "a b\nc\n");
    assert_string_equal(str_at(doc, "keep"), "x\n\n");
    assert_string_equal(str_at(doc, "strip"), "y");
    assert_string_equal(str_at(doc, "num"), "42\n");
    cJSON_Delete(doc);
    want_error("a: 1\nb: \"x\\0y\"\n", 2, 4, "NUL character");
}

static void test_tags(void **state)
{
    (void)state;
    want_string("!!str 42", "42");
    want_string("!!str true", "true");
    want_string("!!str", "");
    want_string("! 42", "42"); /* the non-specific tag */
    want_number("!!int \"12\"", 12);
    want_number("!!int 0x10", 16);
    want_bool("!!bool 'no'", 0);
    want_null("!!null ~");
    want_error("v: !!int 1.5\n", 1, 4, "cannot read '1.5' as '!!int'");
    want_error("v: !!bool 1\n", 1, 4, "as '!!bool'");
    want_error("v: !!null x\n", 1, 4, "as '!!null'");
    want_error("v: !!float abc\n", 1, 4, "as '!!float'");
    want_error("v: !!binary aGk=\n", 1, 4, "unsupported tag '!!binary'");
    want_error("v: !Ref thing\n", 1, 4, "unsupported tag '!Ref'");
    want_error("v: !!map [1]\n", 1, 4, "unsupported tag");
    want_error("v: !!str {a: 1}\n", 1, 4, "on a mapping");
    want_error("v: !!merge x\n", 1, 4, "'!!merge'");
    cJSON_Delete(parse_one("m: !!map {a: 1}\ns: !!seq [1]\n"));
}

static void test_keys(void **state)
{
    cJSON *doc;
    char buf[64];

    (void)state;
    /* sigs.k8s.io/yaml turns resolved keys back into strings */
    doc = parse_one("1: int\n0x10: hex\n1.50: float\nyes: bool\nno: bool2\n1e6: big\n"
                    "100000.0: f\n0.0001: small\n'~': tilde\n\"null\": word\n-0: zero\n");
    assert_string_equal(str_at(doc, "1"), "int");
    assert_string_equal(str_at(doc, "16"), "hex");
    assert_string_equal(str_at(doc, "1.5"), "float");
    assert_string_equal(str_at(doc, "true"), "bool");
    assert_string_equal(str_at(doc, "false"), "bool2");
    assert_string_equal(str_at(doc, "1e+06"), "big");
    assert_string_equal(str_at(doc, "100000"), "f");
    assert_string_equal(str_at(doc, "0.0001"), "small");
    assert_string_equal(str_at(doc, "~"), "tilde");
    assert_string_equal(str_at(doc, "null"), "word");
    assert_string_equal(str_at(doc, "0"), "zero");
    cJSON_Delete(doc);
    assert_string_equal(yamlscalar_format_float32(0.1, buf, sizeof(buf)), "0.1");
    assert_string_equal(yamlscalar_format_float32(123456789.0, buf, sizeof(buf)), "1.2345679e+08");
    assert_string_equal(yamlscalar_format_float32(1e-5, buf, sizeof(buf)), "1e-05");
    assert_string_equal(yamlscalar_format_float32(-2.5, buf, sizeof(buf)), "-2.5");
    assert_string_equal(yamlscalar_format_float32(1e39, buf, sizeof(buf)), ".inf");
    assert_string_equal(yamlscalar_shorten("a\tb", buf, sizeof(buf)), "a?b");
    assert_string_equal(yamlscalar_shorten("abcdef", buf, 5), "a...");
    assert_string_equal(yamlscalar_shorten("abcdef", buf, 3), "");
    want_error("a: 1\n~: x\n", 2, 1, "mapping key '~' is null");
    want_error("? \n: x\n", 1, 2, "is null");
    want_error("? [a, b]\n: x\n", 1, 3, "mapping key must be a scalar, not a sequence");
    want_error("{a: 1}: x\n", 1, 1, "not a mapping");
    want_error("9223372036854775808: x\n", 1, 1, "integer key");
    cJSON_Delete(parse_one("-9223372036854775808: x\n"));
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    want_error("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first at line 1)");
    want_error("m:\n  x: 1\n  y:\n    x: 1\n  \"x\": 2\n", 5, 3,
               "duplicate key 'x' (first at line 2)");
    want_error("{1: a, 0x1: b}\n", 1, 8, "duplicate key '1'");
    want_error("{yes: a, on: b}\n", 1, 10, "duplicate key 'true'");
    want_error("a: &x 1\n*x : 2\nb: 1\n1: 3\n", 4, 1, "duplicate key '1' (first at line 2)");
    /* long subjects are shortened in messages, not cut inside a UTF-8 character */
    want_error("? aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9zzzz\n: 1\n"
               "? aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9zzzz\n: 2\n",
               3, 3, "duplicate key 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9...'");
    want_error("? aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9zzzz\n: 1\n"
               "? aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9zzzz\n: 2\n",
               3, 3, "duplicate key 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
    /* the same key in different mappings is fine */
    cJSON_Delete(parse_one("a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n"));
}

/* ---- syntax errors ------------------------------------------------------------------ */

static void test_syntax_errors(void **state)
{
    struct vs_error err;

    (void)state;
    err = want_error("apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n", 4, 1,
                     "found character that cannot start any token");
    assert_int_equal(err.code, 0);
    assert_true(strncmp(err.msg, "document 1: ", 12) == 0);
    want_error("a:\n  b: 1\n\t c: 2\n", 3, 1, "found a tab character that violates indentation");
    want_error("a:\n  b: 1\n c: 2\n", 3, 2, "did not find expected key");
    want_error("a: [1, 2\n", 0, 0, "did not find expected ',' or ']'");
    want_error("a: 'open\n", 0, 0, "found unexpected end of stream");
    want_error("a: *nope\n", 1, 4, "undefined alias '*nope'");
    /* the document number counts every document of the stream */
    err = want_error("a: 1\n---\n---\nb: [\n", 0, 0, "document 3: ");
    err = want_error("a: 1\n---\nb: 1\nb: 2\n", 4, 1, "document 2: duplicate key 'b'");
    /* reader errors have a byte offset only: we find line and column */
    err = want_error("a: 1\nb: x\xff\n", 2, 5, "invalid");
    assert_non_null(strstr(err.msg, "0xFF"));
    want_error("a: 1\nb: x\x01y\n", 2, 5, "control characters are not allowed");
}

/* ---- aliases and merges ---------------------------------------------------------------- */

static void test_aliases(void **state)
{
    cJSON *doc;

    (void)state;
    doc = parse_one("defaults: &d\n  cpu: {cores: 2}\n  memory: 4Gi\n"
                    "vm1: *d\n"
                    "vm2: {spec: *d, name: &n vm-2, again: *n}\n"
                    "list: &l [1, two, *d]\n"
                    "nested: [*l, *l]\n"
                    "k: &k key\n"
                    "m: {*k : value}\n"
                    "num: &num 0x10\n"
                    "nums: [*num, *num]\n");
    assert_true(num_at(doc, "vm1/cpu/cores") == 2);
    assert_string_equal(str_at(doc, "vm2/spec/memory"), "4Gi");
    assert_string_equal(str_at(doc, "vm2/again"), "vm-2");
    assert_string_equal(str_at(doc, "nested/1/2/memory"), "4Gi");
    assert_string_equal(str_at(doc, "m/key"), "value");
    assert_true(num_at(doc, "nums/1") == 16);
    /* deep copies: changing one leaves the others */
    cJSON_ReplaceItemInObject(at(doc, "vm1/cpu"), "cores", cJSON_CreateNumber(8));
    assert_true(num_at(doc, "defaults/cpu/cores") == 2);
    assert_true(num_at(doc, "vm2/spec/cpu/cores") == 2);
    cJSON_Delete(doc);
    /* a redefined anchor hides the old one */
    doc = parse_one("- &a 1\n- *a\n- &a 2\n- *a\n");
    assert_true(num_at(doc, "1") == 1 && num_at(doc, "3") == 2);
    cJSON_Delete(doc);
    /* aliased values carry no member name into arrays */
    doc = parse_one("m: &m {x: 1}\nl: [*m]\n");
    assert_null(at(doc, "l/0")->string);
    cJSON_Delete(doc);
    want_error("a: &a [1, *a]\n", 1, 11, "alias '*a' is inside the node it refers to");
    want_error("a: &a 1\n---\nb: *a\n", 3, 4, "document 2: undefined alias '*a'");
    want_error("a: &a [1]\nb: {*a : 1}\n", 2, 5, "mapping key must be a scalar, not alias");
    want_error("a: &a .inf\nb: 1\nc: [*a]\n", 1, 4, "not a finite number");
    doc = parse_one("&k .inf : 1\n");
    assert_true(num_at(doc, ".inf") == 1);
    cJSON_Delete(doc);
}

static void test_merge_keys(void **state)
{
    cJSON *doc;
    const cJSON *item;
    const char *order[] = {"name", "cores", "memory", "bus"};
    int i = 0;

    (void)state;
    doc = parse_one("base: &base {cores: 2, memory: 4Gi, bus: virtio}\n"
                    "small: &small {cores: 1, memory: 1Gi}\n"
                    "vm:\n"
                    "  name: a\n"
                    "  cores: 4\n" /* explicit keys win, before or after '<<' */
                    "  <<: *base\n"
                    "  memory: 8Gi\n"
                    "vm2:\n"
                    "  <<: [*small, *base]\n" /* earlier mappings win */
                    "vm3:\n"
                    "  <<: {x: 1}\n"
                    "  z: 2\n"
                    "quoted: {\"<<\": 1}\n"
                    "tagged: {!!merge <<: *small}\n");
    assert_true(num_at(doc, "vm/cores") == 4);
    assert_string_equal(str_at(doc, "vm/memory"), "8Gi");
    assert_string_equal(str_at(doc, "vm/bus"), "virtio");
    assert_null(at(doc, "vm/<<"));
    for (item = at(doc, "vm")->child; item; item = item->next, i++) /* merged keys go last */
        assert_string_equal(item->string, order[i]);
    assert_int_equal(i, 4);
    assert_true(num_at(doc, "vm2/cores") == 1);
    assert_string_equal(str_at(doc, "vm2/memory"), "1Gi");
    assert_string_equal(str_at(doc, "vm2/bus"), "virtio");
    assert_true(num_at(doc, "vm3/x") == 1 && num_at(doc, "vm3/z") == 2);
    assert_true(num_at(doc, "quoted/<<") == 1);
    assert_true(num_at(doc, "tagged/cores") == 1);
    /* the anchored mapping is left as written */
    assert_int_equal(cJSON_GetArraySize(at(doc, "base")), 3);
    assert_true(num_at(doc, "base/cores") == 2);
    cJSON_Delete(doc);
    /* a merged mapping that is itself anchored is merged when aliased */
    doc = parse_one("a: &a {x: 1}\nb: &b {<<: *a, w: 2}\nc: {<<: *b, z: 3}\n");
    assert_true(num_at(doc, "c/x") == 1 && num_at(doc, "c/w") == 2 && num_at(doc, "c/z") == 3);
    cJSON_Delete(doc);
    /* anchors inside merge sources still hold the whole mapping */
    doc = parse_one("a:\n  <<: &m {p: 1}\n  <<x: 0\nb:\n  <<: [&n {q: 2}, {r: 3}]\n"
                    "c: *m\nd: *n\n");
    assert_json_text(doc, "{\"a\":{\"<<x\":0,\"p\":1},\"b\":{\"q\":2,\"r\":3},"
                          "\"c\":{\"p\":1},\"d\":{\"q\":2}}");
    cJSON_Delete(doc);
    want_error("a: {<<: 1}\n", 1, 5, "merge key '<<' needs a mapping or a sequence of mappings");
    want_error("a: &s [1]\nb:\n  <<: [*s]\n", 3, 3, "needs a mapping");
    want_error("a: {x: 1}\nb:\n  <<: {}\n  <<: {}\n", 4, 3, "duplicate merge key");
    want_error("b:\n  x: 1\n  x: 2\n  <<: {}\n", 3, 3, "duplicate key 'x'");
}

/* ---- limits ------------------------------------------------------------------------------- */

/* cJSON allocations since count_allocs(1): the work a parse did, without a clock. */
static size_t n_allocs;

static void *counting_malloc(size_t n)
{
    n_allocs++;
    return malloc(n);
}

static void count_allocs(int on)
{
    cJSON_Hooks hooks = {counting_malloc, free};

    cJSON_InitHooks(on ? &hooks : NULL);
    n_allocs = 0;
}

static void test_billion_laughs(void **state)
{
    const char *bomb =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    struct vbuf big = VBUF_INIT(1 << 20);
    struct vs_error err;
    size_t allocs;

    (void)state;
    count_allocs(1);
    err = want_error(bomb, 0, 0, "more than 1000000 values");
    allocs = n_allocs;
    count_allocs(0);
    assert_int_equal(err.code, E2BIG);
    assert_non_null(strstr(err.msg, "alias bomb"));
    /* it stopped at the budget: no more than a few allocations per value allowed */
    assert_true(allocs < 3 * (size_t)YAMLJSON_MAX_NODES);
    /* long strings: the byte budget stops it before the node budget */
    assert_int_equal(vbuf_adds(&big, "a: &a \""), 0);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(vbuf_adds(&big, "lol "), 0);
    assert_int_equal(vbuf_adds(&big, "\"\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                                     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                                     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"),
                     0);
    err = want_error(big.data, 0, 0, "bytes of strings");
    assert_int_equal(err.code, E2BIG);
    vbuf_release(&big);
}

/* Anchors on every level of a deep, wide tree cost nothing until aliased. */
static void test_nested_anchors(void **state)
{
    struct vbuf b = VBUF_INIT(1 << 22);
    cJSON *doc;
    size_t allocs;

    (void)state;
    for (int i = 0; i < 900; i++) {
        assert_int_equal(vbuf_addf(&b, "&a%d [", i), 0);
        for (int j = 0; j < 200; j++)
            assert_int_equal(vbuf_adds(&b, "x, "), 0);
    }
    for (int i = 0; i < 900; i++)
        assert_int_equal(vbuf_adds(&b, "]"), 0);
    count_allocs(1);
    doc = parse_one(b.data);
    allocs = n_allocs;
    count_allocs(0);
    /* linear: 180,900 values, a few allocations each (copying each anchored
       subtree would make it about 900 / 2 times that) */
    assert_true(allocs < 4 * 180900);
    assert_int_equal(cJSON_GetArraySize(doc), 201);
    cJSON_Delete(doc);
    vbuf_release(&b);
}

static void test_depth_bomb(void **state)
{
    size_t n = 100000;
    char *flow = malloc(n + 1), *block = malloc(4 * n + 8);
    struct vs_error err;
    size_t len = 0;

    (void)state;
    memset(flow, '[', n);
    flow[n] = '\0';
    err = want_error(flow, 1, 1001, "collections nest deeper than 1000");
    assert_int_equal(err.code, E2BIG);
    for (size_t i = 0; i < 1500; i++) /* "- - - ... x" on one line */
        len += (size_t)sprintf(block + len, "- ");
    sprintf(block + len, "x\n");
    want_error(block, 1, 2001, "deeper than 1000");
    /* exactly 1000 levels is fine */
    memset(flow, '[', 1000);
    memset(flow + 1000, ']', 1000);
    flow[2000] = '\0';
    cJSON_Delete(parse_one(flow));
    /* aliases count too */
    len = (size_t)sprintf(block, "a: &a ");
    memset(block + len, '[', 600);
    memset(block + len + 600, ']', 600);
    len += 1200;
    len += (size_t)sprintf(block + len, "\nb: ");
    memset(block + len, '[', 500);
    len += 500;
    len += (size_t)sprintf(block + len, "*a");
    memset(block + len, ']', 500);
    block[len + 500] = '\0';
    want_error(block, 0, 0, "through alias '*a'");
    free(flow);
    free(block);
}

/* ---- input forms ------------------------------------------------------------------------------
 */

static void test_not_nul_terminated(void **state)
{
    const char text[] = "a: 1\nb: [p, q]\nc: trailing garbage that is not part of the input {";
    size_t len = (size_t)(strstr(text, "c:") - text);
    char *copy = malloc(len);
    cJSON *docs = NULL;
    struct vs_error err;

    (void)state;
    memcpy(copy, text, len); /* no NUL after it: ASan catches a read past the end */
    assert_int_equal(yamljson_parse(copy, len, "mem", &docs, NULL, &err), 0);
    assert_int_equal(cJSON_GetArraySize(docs), 1);
    assert_true(num_at(docs, "0/a") == 1);
    assert_string_equal(str_at(docs, "0/b/1"), "q"); /* not "y": that is true */
    assert_null(at(docs, "0/c"));
    cJSON_Delete(docs);
    /* cut in the middle of a token */
    assert_int_equal(yamljson_parse(copy, 4, "mem", &docs, NULL, &err), 0);
    assert_true(num_at(docs, "0/a") == 1);
    cJSON_Delete(docs);
    free(copy);
}

static void test_crlf(void **state)
{
    long *lines = NULL;
    cJSON *docs = parse_docs("a: 1\r\nb: |\r\n  x\r\n  y\r\n---\r\nc: \"q\"\r\n", &lines);

    (void)state;
    assert_int_equal(cJSON_GetArraySize(docs), 2);
    assert_true(num_at(docs, "0/a") == 1);
    assert_string_equal(str_at(docs, "0/b"), "x\ny\n");
    assert_string_equal(str_at(docs, "1/c"), "q");
    assert_int_equal(lines[1], 5);
    free(lines);
    cJSON_Delete(docs);
    want_error("a: 1\r\nb: 2\r\na: 3\r\n", 3, 1, "duplicate key 'a'");
}

static void test_empty(void **state)
{
    static const char *const empties[] = {"",      "\n\n",       "# just a comment\n",
                                          "---\n", "---\n...\n", "--- \n---\n# c\n"};
    cJSON *docs = NULL;
    long *lines = NULL;
    struct vs_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        docs = parse_docs(empties[i], &lines);
        assert_int_equal(cJSON_GetArraySize(docs), 0);
        assert_non_null(lines);
        free(lines);
        cJSON_Delete(docs);
    }
    assert_int_equal(yamljson_parse(NULL, 0, NULL, &docs, NULL, &err), 0);
    assert_int_equal(cJSON_GetArraySize(docs), 0);
    cJSON_Delete(docs);
    /* an anchored or tagged empty document is a null, not nothing */
    docs = parse_docs("--- !!null\n", NULL);
    assert_int_equal(cJSON_GetArraySize(docs), 1);
    cJSON_Delete(docs);
}

static void test_json_document(void **state)
{
    const char *json = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\","
                       "\"metadata\":{\"name\":\"vm-1\",\"labels\":{\"a/b\":\"c\"}},"
                       "\"spec\":{\"running\":false,\"x\":[1,-2.5,1e3,null,true,\"\\u00e9\\n\"],"
                       "\"empty\":{},\"none\":[]}}";
    cJSON *doc = parse_one(json), *want = cJSON_Parse(json);

    (void)state;
    assert_non_null(want);
    assert_true(cJSON_Compare(doc, want, 1));
    assert_string_equal(str_at(doc, "spec/x/5"), "\xc3\xa9\n");
    cJSON_Delete(doc);
    cJSON_Delete(want);
    /* pretty-printed JSON over several lines too */
    doc = parse_one("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": \"yes\"\n}\n");
    assert_true(num_at(doc, "a/1") == 2);
    assert_string_equal(str_at(doc, "b"), "yes");
    cJSON_Delete(doc);
}

static void test_null_err_ok(void **state)
{
    cJSON *docs = (cJSON *)1;

    (void)state;
    assert_int_equal(yamljson_parse("a: [", 4, NULL, &docs, NULL, NULL), -1);
    assert_null(docs);
    assert_int_equal(yamljson_parse("a: b", 4, NULL, &docs, NULL, NULL), 0);
    cJSON_Delete(docs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vm_manifest),
        cmocka_unit_test(test_multi_document),
        cmocka_unit_test(test_start_lines),
        cmocka_unit_test(test_scalar_null_bool),
        cmocka_unit_test(test_scalar_int),
        cmocka_unit_test(test_scalar_int_too_big),
        cmocka_unit_test(test_scalar_float),
        cmocka_unit_test(test_scalar_inf_nan),
        cmocka_unit_test(test_scalar_strings),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_merge_keys),
        cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_nested_anchors),
        cmocka_unit_test(test_depth_bomb),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_json_document),
        cmocka_unit_test(test_null_err_ok),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
