#include "unit.h"

#include <errno.h>

#include "clock.h"
#include "event.h"
#include "track.h"
#include "vbuf.h"

/*
 * Objects as a KubeVirt 1.x cluster serves them (trimmed of long specs). They
 * are written with ' for " to keep them readable; obj() swaps them back.
 */

#define META(name, uid, rv)                                                                        \
    "'metadata':{'name':'" name "','namespace':'vmstorm-1','uid':'" uid "',"                       \
    "'resourceVersion':'" rv "','generation':2,'creationTimestamp':'2026-11-20T10:00:14Z',"        \
    "'labels':{'vmstorm.io/run':'r1','kubevirt.io/vm':'rhel9-vm'}}"

#define VM_UID "6f1d2c3a-8e4b-4f7a-9c2d-1b5e7a9c0d21"
#define VMI_UID "2a7c9e41-3d5b-4f86-8e1a-6c0b9d2f4a15"
#define POD_UID "f2b8d6e0-4a1c-4e97-8d3b-5c9a0e7f2b46"
#define DV_UID "0c9a7e24-5b1f-4d38-a6e2-9f4b8c1d3e70"

static const char VM_RUNNING[] =
    "{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachine',"
    "'metadata':{'name':'rhel9-vm','namespace':'vmstorm-1','uid':'" VM_UID "',"
    "'resourceVersion':'1290','generation':1,'creationTimestamp':'2026-11-20T10:00:00Z',"
    "'labels':{'vmstorm.io/run':'r1'},"
    "'annotations':{'kubevirt.io/latest-observed-api-version':'v1'},"
    "'finalizers':['kubevirt.io/virtualMachineControllerFinalize']},"
    "'spec':{'runStrategy':'Always',"
    "'dataVolumeTemplates':[{'metadata':{'name':'rhel9-vm-rootdisk'},'spec':{'source':{'pvc':"
    "{'namespace':'vmstorm-images','name':'rhel9'}},'storage':{'resources':{'requests':"
    "{'storage':'30Gi'}},'storageClassName':'sim-csi'}}}],"
    "'template':{'metadata':{'labels':{'kubevirt.io/vm':'rhel9-vm','vmstorm.io/run':'r1'}},"
    "'spec':{'domain':{'cpu':{'cores':2},'memory':{'guest':'2Gi'},'devices':{'disks':[{'name':"
    "'rootdisk','disk':{'bus':'virtio'}}]}},'volumes':[{'name':'rootdisk','dataVolume':{'name':"
    "'rhel9-vm-rootdisk'}}]}}},"
    "'status':{'printableStatus':'Running','ready':true,'created':true,"
    "'desiredGeneration':1,'observedGeneration':1,"
    "'conditions':[{'type':'Ready','status':'True','lastProbeTime':null,"
    "'lastTransitionTime':'2026-11-20T10:00:17Z'},"
    "{'type':'LiveMigratable','status':'False','reason':'DisksNotLiveMigratable',"
    "'lastProbeTime':null,'lastTransitionTime':null}],"
    "'volumeSnapshotStatuses':[{'name':'rootdisk','enabled':false}]}}";

static const char VM_STOPPED_RUNNING_FALSE[] =
    "{'kind':'VirtualMachine','metadata':{'name':'old-vm','namespace':'vmstorm-1',"
    "'uid':'11111111-2222-4333-8444-555555555555','resourceVersion':'77',"
    "'creationTimestamp':'2026-11-20T09:00:00Z'},"
    "'spec':{'running':false,'template':{'spec':{}}},"
    "'status':{'printableStatus':'Stopped','ready':false,'conditions':[]}}";

static const char VMI_PENDING[] =
    "{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance'," META(
        "rhel9-vm", VMI_UID, "1226") ",'spec':{'domain':{'cpu':{'cores':2}}},"
                                     "'status':{'phase':'Pending','guestOSInfo':{},'qosClass':"
                                     "'Burstable','phaseTransitionTimestamps':[{'phase':'Pending',"
                                     "'phaseTransitionTimestamp':'2026-11-20T10:00:14Z'}]}}";

static const char VMI_SCHEDULING[] =
    "{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance'," META(
        "rhel9-vm", VMI_UID,
        "1232") ",'spec':{},"
                "'status':{'phase':'Scheduling','activePods':{'" POD_UID "':''},"
                "'conditions':[{'type':'Ready','status':'False','reason':'GuestNotRunning',"
                "'message':'Guest VM is not reported as running','lastProbeTime':null,"
                "'lastTransitionTime':'2026-11-20T10:00:14Z'}],"
                "'phaseTransitionTimestamps':["
                "{'phase':'Pending','phaseTransitionTimestamp':'2026-11-20T10:00:14Z'},"
                "{'phase':'Scheduling','phaseTransitionTimestamp':'2026-11-20T10:00:14Z'}]}}";

static const char VMI_SCHEDULED[] =
    "{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance'," META(
        "rhel9-vm", VMI_UID,
        "1241") ",'spec':{},"
                "'status':{'phase':'Scheduled','nodeName':'worker-1',"
                "'activePods':{'" POD_UID "':'worker-1'},"
                "'conditions':[{'type':'Ready','status':'False','reason':'GuestNotRunning',"
                "'lastProbeTime':null,'lastTransitionTime':'2026-11-20T10:00:14Z'}],"
                "'phaseTransitionTimestamps':["
                "{'phase':'Pending','phaseTransitionTimestamp':'2026-11-20T10:00:14Z'},"
                "{'phase':'Scheduling','phaseTransitionTimestamp':'2026-11-20T10:00:14Z'},"
                "{'phase':'Scheduled','phaseTransitionTimestamp':'2026-11-20T10:00:16Z'}]}}";

#define VMI_RUNNING_STATUS(rv, ifaces, agent)                                                      \
    "{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance'," META(                        \
        "rhel9-vm", VMI_UID,                                                                       \
        rv) ",'spec':{},"                                                                          \
            "'status':{'phase':'Running','nodeName':'worker-1','migrationMethod':'BlockMigration'" \
            ","                                                                                    \
            "'interfaces':" ifaces ","                                                             \
            "'conditions':[{'type':'Ready','status':'True','lastProbeTime':null,"                  \
            "'lastTransitionTime':'2026-11-20T10:00:17Z'},"                                        \
            "{'type':'LiveMigratable','status':'False','reason':'DisksNotLiveMigratable'}" agent   \
            "],'guestOSInfo':{'id':'rhel','name':'Red Hat Enterprise Linux'},"                     \
            "'phaseTransitionTimestamps':["                                                        \
            "{'phase':'Pending','phaseTransitionTimestamp':'2026-11-20T10:00:14Z'},"               \
            "{'phase':'Scheduling','phaseTransitionTimestamp':'2026-11-20T10:00:14Z'},"            \
            "{'phase':'Scheduled','phaseTransitionTimestamp':'2026-11-20T10:00:16Z'},"             \
            "{'phase':'Running','phaseTransitionTimestamp':'2026-11-20T10:00:17Z'}]}}"

#define IFACE_FULL                                                                                 \
    "[{'infoSource':'domain, guest-agent','interfaceName':'eth0','ipAddress':'10.244.1.23',"       \
    "'ipAddresses':['10.244.1.23','fd10:244::117'],'mac':'02:8e:2b:00:00:01','name':'default',"    \
    "'queueCount':1},{'name':'second','ipAddress':'192.168.7.7'}]"
#define IFACE_NO_IP "[{'infoSource':'domain','interfaceName':'eth0','name':'default'}]"
#define AGENT                                                                                      \
    ",{'type':'AgentConnected','status':'True','lastProbeTime':null,"                              \
    "'lastTransitionTime':'2026-11-20T10:00:47Z'}"

static const char VMI_RUNNING_NO_IP[] = VMI_RUNNING_STATUS("1244", IFACE_NO_IP, "");
static const char VMI_RUNNING[] = VMI_RUNNING_STATUS("1247", IFACE_FULL, "");
static const char VMI_RUNNING_AGENT[] = VMI_RUNNING_STATUS("1280", IFACE_FULL, AGENT);
static const char VMI_RUNNING_AGENT_RV[] = VMI_RUNNING_STATUS("1281", IFACE_FULL, AGENT);
static const char VMI_IPS_ONLY[] = VMI_RUNNING_STATUS(
    "1250", "[{'name':'default','ipAddress':'','ipAddresses':['10.244.1.24']}]", "");

#define DV(rv, phase, progress, conds)                                                             \
    "{'apiVersion':'cdi.kubevirt.io/v1beta1','kind':'DataVolume','metadata':{'name':"              \
    "'rhel9-vm-rootdisk','namespace':'vmstorm-1','uid':'" DV_UID "','resourceVersion':'" rv "',"   \
    "'creationTimestamp':'2026-11-20T10:00:00Z','annotations':{'cdi.kubevirt.io/cloneType':"       \
    "'csi-clone'},'ownerReferences':[{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachine',"      \
    "'name':'rhel9-vm','uid':'" VM_UID "','controller':true}]},"                                   \
    "'spec':{'source':{'pvc':{'namespace':'vmstorm-images','name':'rhel9'}},"                      \
    "'storage':{'resources':{'requests':{'storage':'30Gi'}}}},"                                    \
    "'status':{'phase':'" phase "','progress':'" progress "','claimName':'rhel9-vm-rootdisk',"     \
    "'conditions':" conds "}}"

#define DV_CONDS(bound, ready, running)                                                            \
    "[{'type':'Bound','status':'" bound "','lastHeartbeatTime':'2026-11-20T10:00:01Z',"            \
    "'lastTransitionTime':'2026-11-20T10:00:01Z'},{'type':'Ready','status':'" ready "',"           \
    "'lastHeartbeatTime':'2026-11-20T10:00:01Z','lastTransitionTime':'2026-11-20T10:00:01Z'},"     \
    "{'type':'Running','status':'" running "','reason':'Pending'}]"

static const char DV_SCHEDULED[] =
    DV("1211", "CloneScheduled", "N/A", DV_CONDS("Unknown", "False", "False"));
static const char DV_IN_PROGRESS[] =
    DV("1214", "CloneInProgress", "47.12%", DV_CONDS("True", "False", "True"));
static const char DV_SUCCEEDED[] =
    DV("1220", "Succeeded", "100.0%", DV_CONDS("True", "True", "False"));

static const char POD_PENDING[] =
    "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'virt-launcher-rhel9-vm-4xk2q',"
    "'generateName':'virt-launcher-rhel9-vm-','namespace':'vmstorm-1','uid':'" POD_UID "',"
    "'resourceVersion':'1229','creationTimestamp':'2026-11-20T10:00:14Z',"
    "'labels':{'kubevirt.io':'virt-launcher','kubevirt.io/created-by':'" VMI_UID "',"
    "'vm.kubevirt.io/name':'rhel9-vm','vmstorm.io/run':'r1'},"
    "'ownerReferences':[{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachineInstance',"
    "'name':'rhel9-vm','uid':'" VMI_UID "','controller':true,'blockOwnerDeletion':true}]},"
    "'spec':{'containers':[{'name':'compute','image':'quay.io/kubevirt/virt-launcher:v1.4.0'}],"
    "'schedulerName':'default-scheduler'},"
    "'status':{'phase':'Pending','qosClass':'Burstable'}}";

#define POD_RUNNING_WITH(meta_extra)                                                               \
    "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'virt-launcher-rhel9-vm-4xk2q',"           \
    "'namespace':'vmstorm-1','uid':'" POD_UID "','resourceVersion':'1238',"                        \
    "'creationTimestamp':'2026-11-20T10:00:14Z'" meta_extra ","                                    \
    "'labels':{'kubevirt.io':'virt-launcher','kubevirt.io/created-by':'" VMI_UID "'}},"            \
    "'spec':{'nodeName':'worker-1','containers':[{'name':'compute'}]},"                            \
    "'status':{'phase':'Running','podIP':'10.244.1.23','podIPs':[{'ip':'10.244.1.23'}],"           \
    "'hostIP':'192.168.122.11','startTime':'2026-11-20T10:00:14Z',"                                \
    "'conditions':[{'type':'Initialized','status':'True','lastProbeTime':null,"                    \
    "'lastTransitionTime':'2026-11-20T10:00:15Z'},"                                                \
    "{'type':'Ready','status':'True','lastProbeTime':null,"                                        \
    "'lastTransitionTime':'2026-11-20T10:00:16Z'},"                                                \
    "{'type':'ContainersReady','status':'True','lastTransitionTime':'2026-11-20T10:00:16Z'},"      \
    "{'type':'PodScheduled','status':'True','lastProbeTime':null,"                                 \
    "'lastTransitionTime':'2026-11-20T10:00:14Z'}]}}"

static const char POD_RUNNING[] = POD_RUNNING_WITH("");
static const char POD_DELETING[] =
    POD_RUNNING_WITH(",'deletionTimestamp':'2026-11-20T10:02:00Z','deletionGracePeriodSeconds':30");

/* ---- helpers ---------------------------------------------------------------------- */

static FILE *sample_out; /* TRACK_SAMPLE_OUT: every body built, as an event line */
static int64_t sample_seq = 1;

static cJSON *obj(const char *text)
{
    char *s = strdup(text);
    cJSON *o;

    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    o = cJSON_Parse(s);
    if (!o)
        fail_msg("fixture does not parse near: %.60s", cJSON_GetErrorPtr());
    free(s);
    return o;
}

static void extract(enum track_res r, const char *text, struct track_state *st)
{
    cJSON *o = obj(text);

    assert_int_equal(track_extract(r, o, st), 0);
    cJSON_Delete(o);
}

/* Field `name` of a state of resource r. */
static const char *field(enum track_res r, const struct track_state *st, const char *name)
{
    for (int i = 0; track_field_name(r, i); i++)
        if (strcmp(track_field_name(r, i), name) == 0)
            return st->v[i];
    fail_msg("no field %s", name);
    return NULL;
}

#define assert_field(r, st, name, want)                                                            \
    do {                                                                                           \
        const char *got_ = field((r), (st), (name));                                               \
        const char *want_ = (want);                                                                \
        if (want_)                                                                                 \
            assert_string_equal(got_ ? got_ : "(null)", want_);                                    \
        else                                                                                       \
            assert_null(got_);                                                                     \
    } while (0)

/* Append body as a watch_event line to the sample file, if one was asked for. */
static void sample(const cJSON *body)
{
    struct vbuf line = VBUF_INIT(EVENT_LINE_MAX);
    struct vs_time t;
    struct vs_error err = {0};

    if (!sample_out)
        return;
    clock_now(&t);
    if (event_encode(&line, sample_seq++, &t, "watch_event", body, &err) < 0)
        fail_msg("event_encode: %s", err.msg);
    assert_int_equal(fwrite(line.data, 1, line.len, sample_out), line.len);
    vbuf_release(&line);
}

/*
 * The body for text seen after prev_text (NULL: first sight), printed
 * compactly with ' for ", into out; returns the changed count.
 */
static int body_text(enum track_res r, const char *type, const char *source, const char *prev_text,
                     const char *text, char *out, size_t n)
{
    struct track_state prev = {{NULL}}, now = {{NULL}};
    struct vs_error err = {0};
    cJSON *o = obj(text), *body;
    char *printed;
    int changed = -1;

    if (prev_text)
        extract(r, prev_text, &prev);
    assert_int_equal(track_extract(r, o, &now), 0);
    body = track_event_body(r, type, source, o, prev_text ? &prev : NULL, &now, &changed, &err);
    if (!body)
        fail_msg("track_event_body: %s", err.msg);
    sample(body);
    printed = cJSON_PrintUnformatted(body);
    assert_non_null(printed);
    for (char *p = printed; *p; p++)
        if (*p == '"')
            *p = '\'';
    assert_true(strlen(printed) < n);
    strcpy(out, printed);
    free(printed);
    cJSON_Delete(body);
    cJSON_Delete(o);
    track_state_release(&prev);
    track_state_release(&now);
    return changed;
}

/* The "changed" member of the body, as text with ' for ". */
static int changed_text(enum track_res r, const char *prev_text, const char *text, char *out,
                        size_t n)
{
    char body[8192], *c, *end;
    int count = body_text(r, "MODIFIED", "watch", prev_text, text, body, sizeof(body));

    c = strstr(body, "'changed':");
    assert_non_null(c);
    c += strlen("'changed':");
    end = strchr(c, '}');
    assert_non_null(end);
    assert_true((size_t)(end - c + 1) < n);
    memcpy(out, c, (size_t)(end - c + 1));
    out[end - c + 1] = '\0';
    return count;
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(track_res_plural(TRACK_VM), "virtualmachines");
    assert_string_equal(track_res_plural(TRACK_VMI), "virtualmachineinstances");
    assert_string_equal(track_res_plural(TRACK_DV), "datavolumes");
    assert_string_equal(track_res_plural(TRACK_POD), "pods");
    assert_null(track_res_plural(TRACK_RES_COUNT));
    assert_null(track_res_plural((enum track_res) - 1));
    assert_string_equal(track_field_name(TRACK_VM, 0), "printable_status");
    assert_string_equal(track_field_name(TRACK_VM, 2), "ready");
    assert_null(track_field_name(TRACK_VM, 3));
    assert_string_equal(track_field_name(TRACK_VMI, 4), "agent_connected");
    assert_null(track_field_name(TRACK_VMI, 5));
    assert_string_equal(track_field_name(TRACK_DV, 1), "progress");
    assert_null(track_field_name(TRACK_DV, 2));
    assert_string_equal(track_field_name(TRACK_POD, 4), "vmi_uid");
    assert_null(track_field_name(TRACK_POD, 5));
    assert_null(track_field_name(TRACK_POD, -1));
    assert_null(track_field_name(TRACK_POD, TRACK_MAX_FIELDS));
    assert_null(track_field_name(TRACK_RES_COUNT, 0));
    /* the schema's names only */
    for (int r = 0; r < TRACK_RES_COUNT; r++)
        for (int i = 0; track_field_name((enum track_res)r, i); i++)
            assert_non_null(strstr(" phase printable_status run_strategy ready agent_connected "
                                   "node ip progress vmi_uid ",
                                   track_field_name((enum track_res)r, i)));
}

static void test_vm_fields(void **state)
{
    struct track_state st;

    (void)state;
    extract(TRACK_VM, VM_RUNNING, &st);
    assert_field(TRACK_VM, &st, "printable_status", "Running");
    assert_field(TRACK_VM, &st, "run_strategy", "Always");
    assert_field(TRACK_VM, &st, "ready", "True");
    for (int i = 3; i < TRACK_MAX_FIELDS; i++)
        assert_null(st.v[i]);
    track_state_release(&st);

    extract(TRACK_VM, VM_STOPPED_RUNNING_FALSE, &st);
    assert_field(TRACK_VM, &st, "printable_status", "Stopped");
    assert_field(TRACK_VM, &st, "run_strategy", "Halted");
    assert_field(TRACK_VM, &st, "ready", "False");
    track_state_release(&st);
}

static void test_vm_spec_running(void **state)
{
    static const struct {
        const char *spec, *want;
    } cases[] = {
        {"{'running':true}", "Always"},
        {"{'running':false}", "Halted"},
        {"{'runStrategy':'Manual','running':true}", "Manual"}, /* runStrategy wins */
        {"{'runStrategy':'RerunOnFailure'}", "RerunOnFailure"},
        {"{'runStrategy':'','running':false}", "Halted"},
        {"{'running':'true'}", NULL}, /* not a boolean */
        {"{'running':null}", NULL},
        {"{}", NULL},
    };
    char text[512];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct track_state st;

        snprintf(text, sizeof(text), "{'metadata':{'name':'a'},'spec':%s}", cases[i].spec);
        extract(TRACK_VM, text, &st);
        assert_field(TRACK_VM, &st, "run_strategy", cases[i].want);
        assert_null(st.v[0]);
        assert_null(st.v[2]);
        track_state_release(&st);
    }
}

static void test_vmi_phases(void **state)
{
    static const struct {
        const char *text, *phase, *node, *ip, *ready, *agent;
    } cases[] = {
        {VMI_PENDING, "Pending", NULL, NULL, NULL, NULL},
        {VMI_SCHEDULING, "Scheduling", NULL, NULL, "False", NULL},
        {VMI_SCHEDULED, "Scheduled", "worker-1", NULL, "False", NULL},
        {VMI_RUNNING_NO_IP, "Running", "worker-1", NULL, "True", NULL},
        {VMI_RUNNING, "Running", "worker-1", "10.244.1.23", "True", NULL},
        {VMI_RUNNING_AGENT, "Running", "worker-1", "10.244.1.23", "True", "True"},
        {VMI_IPS_ONLY, "Running", "worker-1", "10.244.1.24", "True", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct track_state st;

        extract(TRACK_VMI, cases[i].text, &st);
        assert_field(TRACK_VMI, &st, "phase", cases[i].phase);
        assert_field(TRACK_VMI, &st, "node", cases[i].node);
        assert_field(TRACK_VMI, &st, "ip", cases[i].ip);
        assert_field(TRACK_VMI, &st, "ready", cases[i].ready);
        assert_field(TRACK_VMI, &st, "agent_connected", cases[i].agent);
        assert_null(st.v[5]);
        track_state_release(&st);
    }
}

static void test_vmi_odd_shapes(void **state)
{
    static const char *const no_ip[] = {
        "{'status':{'interfaces':[]}}",
        "{'status':{'interfaces':{}}}",
        "{'status':{'interfaces':[{'ipAddresses':[]}]}}",
        "{'status':{'interfaces':[{'ipAddresses':[7,'10.0.0.1']}]}}",
        "{'status':{'interfaces':[{'ipAddress':null,'ipAddresses':null}]}}",
        "{'status':{'interfaces':[42,{'ipAddress':'10.0.0.2'}]}}",
        "{'status':[]}",
        "[]",
        "'str'",
    };
    struct track_state st;

    (void)state;
    for (size_t i = 0; i < sizeof(no_ip) / sizeof(no_ip[0]); i++) {
        extract(TRACK_VMI, no_ip[i], &st);
        for (int f = 0; f < TRACK_MAX_FIELDS; f++)
            assert_null(st.v[f]);
        track_state_release(&st);
    }
    /* ipAddress wins over ipAddresses, whose first string is the fallback */
    extract(
        TRACK_VMI,
        "{'status':{'interfaces':[{'ipAddress':'10.0.0.9','ipAddresses':['fd00::9','10.0.0.9']}]}}",
        &st);
    assert_field(TRACK_VMI, &st, "ip", "10.0.0.9");
    track_state_release(&st);
    extract(TRACK_VMI, "{'status':{'interfaces':[{'ipAddresses':['fd00::9','10.0.0.9']}]}}", &st);
    assert_field(TRACK_VMI, &st, "ip", "fd00::9");
    track_state_release(&st);
    /* the first Ready condition counts; a non-string status is absent */
    extract(TRACK_VMI,
            "{'status':{'phase':'','conditions':[{'type':'Ready','status':true},"
            "{'type':'Ready','status':'True'},{'type':'AgentConnected','status':'False'},"
            "{'status':'True'}]}}",
            &st);
    assert_field(TRACK_VMI, &st, "phase", NULL);
    assert_field(TRACK_VMI, &st, "ready", NULL);
    assert_field(TRACK_VMI, &st, "agent_connected", "False");
    track_state_release(&st);
    /* NULL object */
    assert_int_equal(track_extract(TRACK_VMI, NULL, &st), 0);
    for (int f = 0; f < TRACK_MAX_FIELDS; f++)
        assert_null(st.v[f]);
    track_state_release(NULL);
}

static void test_dv_fields(void **state)
{
    struct track_state st;

    (void)state;
    extract(TRACK_DV, DV_SCHEDULED, &st);
    assert_field(TRACK_DV, &st, "phase", "CloneScheduled");
    assert_field(TRACK_DV, &st, "progress", "N/A");
    track_state_release(&st);
    extract(TRACK_DV, DV_IN_PROGRESS, &st);
    assert_field(TRACK_DV, &st, "phase", "CloneInProgress");
    assert_field(TRACK_DV, &st, "progress", "47.12%");
    track_state_release(&st);
    extract(TRACK_DV, DV_SUCCEEDED, &st);
    assert_field(TRACK_DV, &st, "phase", "Succeeded");
    assert_field(TRACK_DV, &st, "progress", "100.0%");
    for (int i = 2; i < TRACK_MAX_FIELDS; i++)
        assert_null(st.v[i]);
    track_state_release(&st);
}

static void test_pod_fields(void **state)
{
    struct track_state st;

    (void)state;
    extract(TRACK_POD, POD_PENDING, &st);
    assert_field(TRACK_POD, &st, "phase", "Pending");
    assert_field(TRACK_POD, &st, "node", NULL);
    assert_field(TRACK_POD, &st, "ip", NULL);
    assert_field(TRACK_POD, &st, "ready", NULL);
    assert_field(TRACK_POD, &st, "vmi_uid", VMI_UID);
    track_state_release(&st);
    extract(TRACK_POD, POD_RUNNING, &st);
    assert_field(TRACK_POD, &st, "phase", "Running");
    assert_field(TRACK_POD, &st, "node", "worker-1");
    assert_field(TRACK_POD, &st, "ip", "10.244.1.23");
    assert_field(TRACK_POD, &st, "ready", "True");
    assert_field(TRACK_POD, &st, "vmi_uid", VMI_UID);
    track_state_release(&st);
}

/* The VMI's life as a watch shows it: each event's changed is the diff. */
static void test_changed_is_the_diff(void **state)
{
    static const struct {
        const char *prev, *now, *changed;
        int count;
    } steps[] = {
        {NULL, VMI_PENDING, "{'phase':'Pending'}", 1},
        {VMI_PENDING, VMI_SCHEDULING, "{'phase':'Scheduling','ready':'False'}", 2},
        {VMI_SCHEDULING, VMI_SCHEDULED, "{'phase':'Scheduled','node':'worker-1'}", 2},
        {VMI_SCHEDULED, VMI_RUNNING_NO_IP, "{'phase':'Running','ready':'True'}", 2},
        {VMI_RUNNING_NO_IP, VMI_RUNNING, "{'ip':'10.244.1.23'}", 1},
        {VMI_RUNNING, VMI_RUNNING_AGENT, "{'agent_connected':'True'}", 1},
        {VMI_RUNNING_AGENT, VMI_RUNNING_AGENT_RV, "{}", 0}, /* resourceVersion only */
        {VMI_RUNNING, VMI_IPS_ONLY, "{'ip':'10.244.1.24'}", 1},
    };
    char changed[1024];

    (void)state;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        int n = changed_text(TRACK_VMI, steps[i].prev, steps[i].now, changed, sizeof(changed));

        if (strcmp(changed, steps[i].changed) != 0)
            fail_msg("step %zu: changed %s, want %s", i, changed, steps[i].changed);
        assert_int_equal(n, steps[i].count);
    }
}

static void test_changed_on_first_sight(void **state)
{
    char changed[1024];

    (void)state;
    assert_int_equal(changed_text(TRACK_VMI, NULL, VMI_RUNNING_AGENT, changed, sizeof(changed)), 5);
    assert_string_equal(changed, "{'phase':'Running','node':'worker-1','ip':'10.244.1.23',"
                                 "'ready':'True','agent_connected':'True'}");
    assert_int_equal(changed_text(TRACK_VM, NULL, VM_RUNNING, changed, sizeof(changed)), 3);
    assert_string_equal(changed,
                        "{'printable_status':'Running','run_strategy':'Always','ready':'True'}");
    assert_int_equal(changed_text(TRACK_POD, NULL, POD_PENDING, changed, sizeof(changed)), 2);
    assert_string_equal(changed, "{'phase':'Pending','vmi_uid':'" VMI_UID "'}");
    /* an object with no tracked field yet */
    assert_int_equal(changed_text(TRACK_DV, NULL,
                                  "{'metadata':{'name':'d','namespace':'n','uid':'u'}}", changed,
                                  sizeof(changed)),
                     0);
    assert_string_equal(changed, "{}");
}

static void test_changed_null_when_gone(void **state)
{
    char changed[1024];

    (void)state;
    /* interfaces gone (VMI restarted in place): ip vanishes */
    assert_int_equal(
        changed_text(TRACK_VMI, VMI_RUNNING, VMI_RUNNING_NO_IP, changed, sizeof(changed)), 1);
    assert_string_equal(changed, "{'ip':null}");
    /* Running -> Scheduled loses ip, and ready turns False */
    assert_int_equal(
        changed_text(TRACK_VMI, VMI_RUNNING_AGENT, VMI_SCHEDULED, changed, sizeof(changed)), 4);
    assert_string_equal(changed,
                        "{'phase':'Scheduled','ip':null,'ready':'False','agent_connected':null}");
    /* DV progress disappearing */
    assert_int_equal(
        changed_text(
            TRACK_DV, DV_IN_PROGRESS,
            "{'metadata':{'name':'rhel9-vm-rootdisk','namespace':'vmstorm-1','uid':'" DV_UID
            "'},'status':{'phase':'CloneInProgress'}}",
            changed, sizeof(changed)),
        1);
    assert_string_equal(changed, "{'progress':null}");
}

static void test_dv_clone_bodies(void **state)
{
    char body[4096];

    (void)state;
    assert_int_equal(body_text(TRACK_DV, "ADDED", "watch", NULL, DV_SCHEDULED, body, sizeof(body)),
                     2);
    assert_string_equal(body,
                        "{'resource':'datavolumes','type':'ADDED','source':'watch',"
                        "'namespace':'vmstorm-1','name':'rhel9-vm-rootdisk','uid':'" DV_UID "',"
                        "'resource_version':'1211',"
                        "'changed':{'phase':'CloneScheduled','progress':'N/A'},"
                        "'server':{'creation':'2026-11-20T10:00:00Z','conditions':{'Ready':"
                        "{'status':'False','last_transition':'2026-11-20T10:00:01Z'}}}}");
    assert_int_equal(
        body_text(TRACK_DV, "MODIFIED", "watch", DV_SCHEDULED, DV_IN_PROGRESS, body, sizeof(body)),
        2);
    assert_non_null(strstr(body, "'changed':{'phase':'CloneInProgress','progress':'47.12%'}"));
    assert_int_equal(
        body_text(TRACK_DV, "MODIFIED", "relist", DV_IN_PROGRESS, DV_SUCCEEDED, body, sizeof(body)),
        2);
    assert_non_null(strstr(body, "'source':'relist'"));
    assert_non_null(strstr(body, "'changed':{'phase':'Succeeded','progress':'100.0%'}"));
}

static void test_server_timestamps(void **state)
{
    char body[8192];

    (void)state;
    assert_int_equal(body_text(TRACK_VMI, "MODIFIED", "watch", VMI_RUNNING, VMI_RUNNING_AGENT, body,
                               sizeof(body)),
                     1);
    assert_string_equal(
        body, "{'resource':'virtualmachineinstances','type':'MODIFIED','source':'watch',"
              "'namespace':'vmstorm-1','name':'rhel9-vm','uid':'" VMI_UID "',"
              "'resource_version':'1280','changed':{'agent_connected':'True'},"
              "'server':{'creation':'2026-11-20T10:00:14Z',"
              "'phase_transitions':{'Pending':'2026-11-20T10:00:14Z',"
              "'Scheduling':'2026-11-20T10:00:14Z','Scheduled':'2026-11-20T10:00:16Z',"
              "'Running':'2026-11-20T10:00:17Z'},"
              "'conditions':{'Ready':{'status':'True','last_transition':'2026-11-20T10:00:17Z'},"
              "'AgentConnected':{'status':'True','last_transition':'2026-11-20T10:00:47Z'}}}}");

    /* a VM: its Ready condition, never phase_transitions */
    body_text(TRACK_VM, "ADDED", "watch", NULL, VM_RUNNING, body, sizeof(body));
    assert_non_null(strstr(body, "'server':{'creation':'2026-11-20T10:00:00Z','conditions':{"
                                 "'Ready':{'status':'True','last_transition':"
                                 "'2026-11-20T10:00:17Z'}}}}"));

    /* a pod being deleted: deletion, Ready and PodScheduled (not Initialized) */
    assert_int_equal(
        body_text(TRACK_POD, "DELETED", "watch", POD_RUNNING, POD_DELETING, body, sizeof(body)), 0);
    assert_string_equal(
        body, "{'resource':'pods','type':'DELETED','source':'watch','namespace':'vmstorm-1',"
              "'name':'virt-launcher-rhel9-vm-4xk2q','uid':'" POD_UID "',"
              "'resource_version':'1238','changed':{},"
              "'server':{'creation':'2026-11-20T10:00:14Z','deletion':'2026-11-20T10:02:00Z',"
              "'conditions':{'Ready':{'status':'True','last_transition':'2026-11-20T10:00:16Z'},"
              "'PodScheduled':{'status':'True','last_transition':'2026-11-20T10:00:14Z'}}}}");
}

/* Timestamps are copied as given, but only when they are RFC 3339. */
static void test_server_timestamps_odd(void **state)
{
    char body[4096];

    (void)state;
    body_text(TRACK_VMI, "ADDED", "watch", NULL,
              "{'metadata':{'name':'v','namespace':'n','uid':'u','creationTimestamp':"
              "'2026-11-20T10:00:14.123456+02:00','deletionTimestamp':'2026-11-20 10:00:14Z'},"
              "'status':{'phaseTransitionTimestamps':["
              "{'phase':'Pending','phaseTransitionTimestamp':'2026-11-20T10:00:14Z'},"
              "{'phase':'Failed','phaseTransitionTimestamp':'yesterday'},"
              "{'phase':'','phaseTransitionTimestamp':'2026-11-20T10:00:15Z'},"
              "{'phaseTransitionTimestamp':'2026-11-20T10:00:15Z'},"
              "{'phase':'Pending','phaseTransitionTimestamp':'2026-11-20T10:00:19Z'},7],"
              "'conditions':[{'type':'Ready','status':'False','lastTransitionTime':null},"
              "{'type':'AgentConnected','lastTransitionTime':'2026-11-20T10:00:15Z'}]}}",
              body, sizeof(body));
    assert_string_equal(body,
                        "{'resource':'virtualmachineinstances','type':'ADDED','source':'watch',"
                        "'namespace':'n','name':'v','uid':'u','resource_version':'',"
                        "'changed':{'ready':'False'},"
                        "'server':{'creation':'2026-11-20T10:00:14.123456+02:00',"
                        "'phase_transitions':{'Pending':'2026-11-20T10:00:19Z'},"
                        "'conditions':{'Ready':{'status':'False'}}}}");

    /* nothing the server dated: no "server" at all */
    body_text(TRACK_DV, "ADDED", "watch", NULL,
              "{'metadata':{'name':'d','namespace':'n','uid':'u'}}", body, sizeof(body));
    assert_null(strstr(body, "server"));
}

static void test_now_extracted_when_null(void **state)
{
    struct track_state prev;
    cJSON *o = obj(VMI_SCHEDULED), *body, *changed;
    int n = -1;

    (void)state;
    extract(TRACK_VMI, VMI_SCHEDULING, &prev);
    body = track_event_body(TRACK_VMI, "MODIFIED", "watch", o, &prev, NULL, &n, NULL);
    assert_non_null(body);
    assert_int_equal(n, 2);
    changed = cJSON_GetObjectItemCaseSensitive(body, "changed");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(changed, "node")->valuestring, "worker-1");
    /* prev is left alone */
    assert_string_equal(prev.v[0], "Scheduling");
    sample(body);
    cJSON_Delete(body);
    /* changed_count may be NULL */
    body = track_event_body(TRACK_VMI, "MODIFIED", "watch", o, &prev, NULL, NULL, NULL);
    assert_non_null(body);
    cJSON_Delete(body);
    track_state_release(&prev);
    cJSON_Delete(o);
}

static void expect_error(enum track_res r, const char *type, const char *source, const char *text,
                         const char *msg_part)
{
    struct vs_error err = {0};
    cJSON *o = text ? obj(text) : NULL;
    int n = 99;

    assert_null(track_event_body(r, type, source, o, NULL, NULL, &n, &err));
    assert_int_equal(n, 0);
    if (!strstr(err.msg, msg_part))
        fail_msg("error '%s' does not say '%s'", err.msg, msg_part);
    /* no err: fails all the same */
    assert_null(track_event_body(r, type, source, o, NULL, NULL, NULL, NULL));
    cJSON_Delete(o);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error(TRACK_VMI, "ADDED", "watch", "{'metadata':{'namespace':'n','uid':'u'}}",
                 "'metadata.name'");
    expect_error(TRACK_VMI, "ADDED", "watch", "{'metadata':{'name':'','namespace':'n','uid':'u'}}",
                 "'metadata.name'");
    expect_error(TRACK_POD, "ADDED", "watch", "{'metadata':{'name':'p','namespace':'n'}}",
                 "pods without a non-empty string 'metadata.uid'");
    expect_error(TRACK_POD, "ADDED", "watch", "{'metadata':{'name':'p','namespace':'n','uid':7}}",
                 "'metadata.uid'");
    expect_error(TRACK_VM, "ADDED", "watch", "{'metadata':{'name':'p','uid':'u'}}",
                 "'metadata.namespace'");
    expect_error(TRACK_VM, "ADDED", "watch", "{'kind':'Status','code':410}", "'metadata.");
    expect_error(TRACK_VM, "ADDED", "watch", NULL, "'metadata.");
    expect_error(TRACK_DV, "BOOKMARK", "watch", DV_SCHEDULED,
                 "unknown watch event type 'BOOKMARK'");
    expect_error(TRACK_DV, NULL, "watch", DV_SCHEDULED, "unknown watch event type");
    expect_error(TRACK_DV, "ADDED", "list", DV_SCHEDULED, "unknown source 'list'");
    expect_error(TRACK_RES_COUNT, "ADDED", "watch", DV_SCHEDULED, "unknown resource");
}

/* Every kind of event once more, so that the sample file covers them all. */
static void test_sample_coverage(void **state)
{
    char body[8192];

    (void)state;
    body_text(TRACK_VM, "MODIFIED", "relist", VM_RUNNING, VM_STOPPED_RUNNING_FALSE, body,
              sizeof(body));
    body_text(TRACK_VM, "DELETED", "watch", VM_RUNNING, VM_RUNNING, body, sizeof(body));
    body_text(TRACK_POD, "ADDED", "watch", NULL, POD_PENDING, body, sizeof(body));
    body_text(TRACK_POD, "MODIFIED", "watch", POD_PENDING, POD_RUNNING, body, sizeof(body));
    body_text(TRACK_VMI, "DELETED", "relist", VMI_RUNNING, VMI_PENDING, body, sizeof(body));
}

static int open_sample(void **state)
{
    const char *path = getenv("TRACK_SAMPLE_OUT");

    (void)state;
    if (path && *path && !(sample_out = fopen(path, "w")))
        return -1;
    return 0;
}

static int close_sample(void **state)
{
    (void)state;
    if (sample_out && fclose(sample_out) != 0)
        return -1;
    sample_out = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_vm_fields),
        cmocka_unit_test(test_vm_spec_running),
        cmocka_unit_test(test_vmi_phases),
        cmocka_unit_test(test_vmi_odd_shapes),
        cmocka_unit_test(test_dv_fields),
        cmocka_unit_test(test_pod_fields),
        cmocka_unit_test(test_changed_is_the_diff),
        cmocka_unit_test(test_changed_on_first_sight),
        cmocka_unit_test(test_changed_null_when_gone),
        cmocka_unit_test(test_dv_clone_bodies),
        cmocka_unit_test(test_server_timestamps),
        cmocka_unit_test(test_server_timestamps_odd),
        cmocka_unit_test(test_now_extracted_when_null),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sample_coverage),
    };

    return cmocka_run_group_tests_name("track", tests, open_sample, close_sample);
}
