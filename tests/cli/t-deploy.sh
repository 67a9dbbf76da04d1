#!/usr/bin/env bash
# deploy/: the in-cluster manifests parse, the collector's RBAC is exactly the
# least privilege it needs, and the pieces refer to each other correctly.
#
# No cluster is needed: `kubectl annotate --local -o json` turns a manifest
# into JSON without discovery (kubectl create --dry-run=client asks a server
# for the API groups and the OpenAPI schema), and `kubectl kustomize` builds
# the base offline. Both work with Debian's kubernetes-client (1.20) too.
#
# Every check is a function of a deploy directory. Each runs once on deploy/
# (must pass) and once or more on a copy in $TMP broken on purpose (must
# fail), so that no check can pass whatever the files say.
. "$(dirname "$0")/setup.sh"

for tool in kubectl jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "not ok - $tool missing (scripts/install-deps.sh installs it)"
        exit 1
    fi
done

DEPLOY=$TOP/deploy
SA_USER=system:serviceaccount:vmstorm:vmstorm-collector

# kubectl that neither reads the user's kubeconfig nor contacts a server.
kc() { env -u KUBECONFIG HOME="$TMP" kubectl "$@"; }

# objs FILE OUT: FILE's objects as a JSON stream (one a line) in OUT.
# Fails on YAML that does not parse and on a file holding no object.
objs() {
    kc annotate --local -f "$1" 'vmstorm.io/none-' -o json >"$2.raw" || return 1
    jq -c 'if .kind == "List" then .items[] else . end' "$2.raw" >"$2" || return 1
    [ -s "$2" ] || { echo "$1: no object"; return 1; }
}

# q DIR FILE JQ: JQ, given the array of FILE's objects, must yield true.
q() {
    objs "$1/$2" "$TMP/q.json" || return 1
    jq -se "$3" "$TMP/q.json"
}

# built DIR OUT: the kustomize build of DIR as a JSON stream in OUT.
built() {
    kc kustomize "$1" >"$TMP/built.yaml" || return 1
    objs "$TMP/built.yaml" "$2"
}

# broken NAME FILE SED-EXPR: a copy of deploy/ named NAME with SED-EXPR
# applied to FILE; prints the copy's path.
broken() {
    rm -rf "${TMP:?}/$1"
    cp -r "$DEPLOY" "$TMP/$1"
    sed -i -e "$3" "$TMP/$1/$2"
    echo "$TMP/$1"
}

# broken_append NAME FILE TEXT: the same, TEXT appended to FILE.
broken_append() {
    rm -rf "${TMP:?}/$1"
    cp -r "$DEPLOY" "$TMP/$1"
    printf '%s' "$3" >>"$TMP/$1/$2"
    echo "$TMP/$1"
}

# ---- the checks --------------------------------------------------------------------------

# Every YAML file parses into objects with apiVersion, kind and a name
# (a Kustomization needs none).
all_parse() {
    local f n=0
    for f in "$1"/*.yaml; do
        [ -e "$f" ] || continue
        n=$((n + 1))
        objs "$f" "$TMP/p.json" || return 1
        jq -se 'all(.[]; (.apiVersion | type) == "string" and (.kind | type) == "string"
                  and (.kind == "Kustomization" or ((.metadata.name // "") | length) > 0))' \
            "$TMP/p.json" >/dev/null || { echo "$f: an object lacks apiVersion, kind or name"; return 1; }
    done
    [ "$n" -ge 9 ] || { echo "only $n YAML files"; return 1; }
}

# The RBAC objects of every file in DIR (kubectl reads a directory's
# .yaml/.yml/.json files) as a JSON array in OUT; fails without a ClusterRole.
roles() {
    objs "$1" "$TMP/all.json" || return 1
    jq -s '[.[] | select(.kind == "ClusterRole" or .kind == "Role")]' "$TMP/all.json" >"$2" &&
        jq -e 'any(.[]; .kind == "ClusterRole")' "$2" >/dev/null || { echo "no ClusterRole"; return 1; }
}

# No Role or ClusterRole in any file has "*" in verbs, resources, apiGroups,
# nonResourceURLs or resourceNames (not even as part, like pods/*).
no_wildcards() {
    roles "$1" "$TMP/roles.json" || return 1
    jq -e '[.[] | .rules[]? | (.verbs, .resources, .apiGroups, .nonResourceURLs, .resourceNames) // [] | .[]
            | select(contains("*"))] | if length == 0 then true else ("wildcard: \(.)" | halt_error(1)) end' \
        "$TMP/roles.json"
}

# No rule anywhere grants escalate, bind or impersonate.
no_escalation() {
    roles "$1" "$TMP/roles.json" || return 1
    jq -e '[.[] | .rules[]? | .verbs[] | ascii_downcase | select(. == "escalate" or . == "bind" or . == "impersonate")]
            | if length == 0 then true else ("granted: \(.)" | halt_error(1)) end' "$TMP/roles.json"
}

# The base ClusterRole grants exactly the collector's API calls: one line per
# (group/resource or URL, verb).
grants() {
    objs "$1/clusterrole.yaml" "$TMP/cr.json" || return 1
    jq -r 'select(.kind == "ClusterRole") | .rules[]
        | if .nonResourceURLs then (.nonResourceURLs[] as $u | .verbs[] as $v | "url \($u) \($v)")
          else (.apiGroups[] as $g | .resources[] as $r | .verbs[] as $v
                | "\($g)/\($r) \($v)" + (if .resourceNames then " names=\(.resourceNames | join(","))" else "" end))
          end' "$TMP/cr.json" | sort
}
cat >"$TMP/grants.expected" <<'EOF'
/configmaps create
/configmaps delete
/namespaces create
/namespaces delete
/namespaces get
/namespaces list
/namespaces watch
/nodes get
/nodes list
/pods get
/pods list
/pods watch
/secrets create
/secrets delete
cdi.kubevirt.io/datasources get
cdi.kubevirt.io/datavolumes delete
cdi.kubevirt.io/datavolumes get
cdi.kubevirt.io/datavolumes list
cdi.kubevirt.io/datavolumes watch
kubevirt.io/virtualmachineinstances get
kubevirt.io/virtualmachineinstances list
kubevirt.io/virtualmachineinstances watch
kubevirt.io/virtualmachines create
kubevirt.io/virtualmachines delete
kubevirt.io/virtualmachines get
kubevirt.io/virtualmachines list
kubevirt.io/virtualmachines patch
kubevirt.io/virtualmachines watch
subresources.kubevirt.io/virtualmachines/start update
subresources.kubevirt.io/virtualmachines/stop update
url /metrics get
url /version get
EOF
exact_grants() {
    grants "$1" >"$TMP/grants.got" || return 1
    diff -u "$TMP/grants.expected" "$TMP/grants.got"
}

# pods/exec (or any pods/ subresource) is neither in the base ClusterRole nor
# anywhere in the kustomize build.
no_exec_in_base() {
    q "$1" clusterrole.yaml '[.[] | .rules[]? | .resources[]? | select(startswith("pods/"))] | length == 0' ||
        { echo "clusterrole.yaml grants a pods/ subresource"; return 1; }
    built "$1" "$TMP/b.json" || return 1
    jq -se '[.[] | .rules[]? | .resources[]? | select(startswith("pods/"))] | length == 0' "$TMP/b.json" ||
        { echo "the kustomize build grants a pods/ subresource"; return 1; }
}

# The optional exec rights: a namespaced Role for one named pod, create and
# get (kubectl's SPDY and WebSocket exec) only, bound to the collector's
# service account only.
exec_rbac_narrow() {
    q "$1" exec-probe-rbac.yaml '
        ([.[] | select(.kind == "ClusterRole" or .kind == "ClusterRoleBinding")] | length == 0) and
        ([.[] | select(.kind == "Role") | .rules[]] as $r
          | ($r | length) == 1 and $r[0].resources == ["pods/exec"] and ($r[0].verbs | sort) == ["create", "get"]
            and ($r[0].resourceNames | length) == 1) and
        ([.[] | select(.kind == "RoleBinding")] as $b
          | ($b | length) == 1 and $b[0].roleRef.kind == "Role"
            and $b[0].subjects == [{"kind": "ServiceAccount", "name": "vmstorm-collector", "namespace": "vmstorm"}])'
}

# The Job runs as the ServiceAccount, in its namespace.
job_uses_sa() {
    local sa job
    objs "$1/serviceaccount.yaml" "$TMP/sa.json" && objs "$1/job.yaml" "$TMP/job.json" || return 1
    sa=$(jq -r 'select(.kind == "ServiceAccount") | "\(.metadata.namespace)/\(.metadata.name)"' "$TMP/sa.json")
    job=$(jq -r 'select(.kind == "Job") | "\(.metadata.namespace)/\(.spec.template.spec.serviceAccountName)"' "$TMP/job.json")
    echo "service account $sa, job runs as $job"
    [ -n "$sa" ] && [ "$sa" = "$job" ]
}

# The ClusterRoleBinding binds the base ClusterRole to that ServiceAccount alone.
binding_matches() {
    local cr sa
    objs "$1/clusterrole.yaml" "$TMP/cr.json" && objs "$1/serviceaccount.yaml" "$TMP/sa.json" || return 1
    cr=$(jq -r 'select(.kind == "ClusterRole") | .metadata.name' "$TMP/cr.json")
    sa=$(jq -c 'select(.kind == "ServiceAccount") | {kind, name: .metadata.name, namespace: .metadata.namespace}' "$TMP/sa.json")
    q "$1" clusterrolebinding.yaml "[.[] | select(.kind == \"ClusterRoleBinding\")] as \$b
        | (\$b | length) == 1 and \$b[0].roleRef == {apiGroup: \"rbac.authorization.k8s.io\", kind: \"ClusterRole\", name: \"$cr\"}
          and \$b[0].subjects == [$sa]"
}

# One attempt, removed after a while; Guaranteed QoS with modest figures.
job_lifecycle() {
    q "$1" job.yaml '.[] | select(.kind == "Job") | .spec.backoffLimit == 0
        and .spec.ttlSecondsAfterFinished > 0
        and .spec.template.spec.restartPolicy == "Never"
        and (.spec.template.spec.containers[0].resources as $r
             | $r.requests != null and $r.requests == $r.limits and $r.limits.memory != null
               and $r.limits.cpu != null)'
}

# Non-root, no privilege escalation, every capability dropped, none added.
job_unprivileged() {
    q "$1" job.yaml '.[] | select(.kind == "Job") | .spec.template.spec as $p
        | $p.securityContext.runAsNonRoot == true
          and ($p.securityContext.runAsUser // 1) != 0
          and all($p.containers[]; .securityContext.allowPrivilegeEscalation == false
                  and .securityContext.capabilities.drop == ["ALL"]
                  and (.securityContext.capabilities.add // []) == []
                  and (.securityContext.privileged // false) == false)'
}

# The Job probes by ICMP, writes -o /results/run.ndjson onto the PVC of
# pvc.yaml mounted at /results, and reads its template from the ConfigMap.
job_storage() {
    local pvc cm
    objs "$1/pvc.yaml" "$TMP/pvc.json" && objs "$1/template-configmap.yaml" "$TMP/cm.json" || return 1
    pvc=$(jq -r 'select(.kind == "PersistentVolumeClaim" and .spec.resources.requests.storage == "1Gi") | .metadata.name' "$TMP/pvc.json")
    cm=$(jq -r 'select(.kind == "ConfigMap" and .data["vm.yaml"] != null) | .metadata.name' "$TMP/cm.json")
    [ -n "$pvc" ] && [ -n "$cm" ] || { echo "no 1Gi PVC or no ConfigMap with vm.yaml"; return 1; }
    q "$1" job.yaml ".[] | select(.kind == \"Job\") | .spec.template.spec as \$p | \$p.containers[0] as \$c
        | ([\$c.volumeMounts[] | select(.mountPath == \"/results\") | .name] | first) as \$rv
        | ([\$c.volumeMounts[] | select(.mountPath == \"/etc/vmstorm\") | .name] | first) as \$tv
        | (\$c.args | join(\" \") | test(\"(^| )--probe[ =]icmp( |$)\"))
          and (\$c.args | join(\" \") | test(\"(^| )-o /results/run.ndjson( |$)\"))
          and (\$c.args | index(\"--vm-template=/etc/vmstorm/vm.yaml\") != null)
          and any(\$p.volumes[]; .name == \$rv and .persistentVolumeClaim.claimName == \"$pvc\")
          and any(\$p.volumes[]; .name == \$tv and .configMap.name == \"$cm\")"
}

# --cleanup in a Job comes with --yes: nobody is there to confirm.
job_cleanup_unattended() {
    q "$1" job.yaml '.[] | select(.kind == "Job") | .spec.template.spec.containers[0].args as $a
        | ($a | index("--cleanup") != null) and ($a | index("--yes") != null or index("-y") != null)'
}

# The reader pod mounts the same claim, read-only, at /results, with no token.
reader_matches() {
    local claim
    objs "$1/job.yaml" "$TMP/job.json" || return 1
    claim=$(jq -r 'select(.kind == "Job") | .spec.template.spec.volumes[] | .persistentVolumeClaim.claimName // empty' "$TMP/job.json")
    [ -n "$claim" ] || return 1
    q "$1" results-reader.yaml ".[] | select(.kind == \"Pod\") | .spec as \$s
        | ([\$s.containers[0].volumeMounts[] | select(.mountPath == \"/results\" and .readOnly == true) | .name] | first) as \$v
        | \$s.automountServiceAccountToken == false
          and any(\$s.volumes[]; .name == \$v and .persistentVolumeClaim.claimName == \"$claim\")"
}

# The collector's own namespace can never be taken for a run namespace.
namespace_unlabelled() {
    q "$1" namespace.yaml '[.[] | select(.kind == "Namespace")] as $n
        | ($n | length) == 1 and (($n[0].metadata.labels // {}) | has("vmstorm.io/run") | not)'
}

# kustomization.yaml lists existing files, the whole base, and no optional file.
kustomization_ok() {
    local r
    objs "$1/kustomization.yaml" "$TMP/k.json" || return 1
    for r in $(jq -r '.resources[]' "$TMP/k.json"); do
        [ -f "$1/$r" ] || { echo "kustomization.yaml lists $r, which does not exist"; return 1; }
    done
    jq -se '.[0].resources as $r
        | all("namespace.yaml", "serviceaccount.yaml", "clusterrole.yaml", "clusterrolebinding.yaml",
              "pvc.yaml", "template-configmap.yaml", "job.yaml"; . as $f | $r | index($f) != null)
          and all("exec-probe-rbac.yaml", "run-label-guard.yaml", "results-reader.yaml"; . as $f | $r | index($f) == null)' \
        "$TMP/k.json" || { echo "kustomization.yaml: base incomplete, or an optional file listed"; return 1; }
    built "$1" "$TMP/b.json"
}

# The optional admission policy names the collector's service account.
guard_names_sa() {
    local sa
    objs "$1/serviceaccount.yaml" "$TMP/sa.json" || return 1
    sa=$(jq -r 'select(.kind == "ServiceAccount") | "system:serviceaccount:\(.metadata.namespace):\(.metadata.name)"' "$TMP/sa.json")
    q "$1" run-label-guard.yaml "any(.[]; .kind == \"ValidatingAdmissionPolicy\"
        and .spec.matchConditions[0].expression == \"request.userInfo.username == '$sa'\")
        and any(.[]; .kind == \"ValidatingAdmissionPolicyBinding\")"
}

# ---- run them ----------------------------------------------------------------------------

check "every deploy/*.yaml parses into named objects" all_parse "$DEPLOY"
check_fails "parse check catches broken YAML" \
    all_parse "$(broken_append bad-yaml job.yaml '  oops: [unclosed
')"
check_fails "parse check catches an object without a name" \
    all_parse "$(broken no-name pvc.yaml 's/^  name: vmstorm-results$/  labels: {}/')"

check "no role has a \"*\" verb, resource or group" no_wildcards "$DEPLOY"
check_fails "wildcard check catches verbs: [\"*\"]" \
    no_wildcards "$(broken star-verb clusterrole.yaml 's/verbs: \[get, list\]$/verbs: ["*"]/')"
check_fails "wildcard check catches resources: [\"pods/*\"]" \
    no_wildcards "$(broken star-res clusterrole.yaml 's/resources: \[pods\]$/resources: ["pods\/*"]/')"

check "no rule grants escalate, bind or impersonate" no_escalation "$DEPLOY"
check_fails "escalation check catches escalate" \
    no_escalation "$(broken escalate clusterrole.yaml 's/verbs: \[get, list\]$/verbs: [get, list, escalate]/')"
check_fails "escalation check catches impersonate in the exec role" \
    no_escalation "$(broken impersonate exec-probe-rbac.yaml 's/verbs: \[create, get\]$/verbs: [create, get, impersonate]/')"

check "the ClusterRole grants exactly the collector's API calls" exact_grants "$DEPLOY"
check_fails "grant check catches one verb more" \
    exact_grants "$(broken extra-verb clusterrole.yaml 's/verbs: \[get, list\]$/verbs: [get, list, watch]/')"
check_fails "grant check catches one verb less" \
    exact_grants "$(broken less-verb clusterrole.yaml 's/verbs: \[create, get, list, watch, patch, delete\]$/verbs: [create, get, list, watch, delete]/')"

check "pods/exec is in neither the base ClusterRole nor the kustomize build" no_exec_in_base "$DEPLOY"
check_fails "exec check catches pods/exec in the ClusterRole" \
    no_exec_in_base "$(broken_append exec-cr clusterrole.yaml '  - apiGroups: [""]
    resources: [pods/exec]
    verbs: [create]
')"
check_fails "exec check catches exec-probe-rbac.yaml in the kustomization" \
    no_exec_in_base "$(broken_append exec-kz kustomization.yaml '  - exec-probe-rbac.yaml
')"

check "the optional exec rights are a Role for one pod, create/get only" exec_rbac_narrow "$DEPLOY"
check_fails "exec-rights check catches a ClusterRole" \
    exec_rbac_narrow "$(broken exec-cluster exec-probe-rbac.yaml 's/^kind: Role$/kind: ClusterRole/')"

check "the Job runs as the collector's ServiceAccount" job_uses_sa "$DEPLOY"
check_fails "service-account check catches another account" \
    job_uses_sa "$(broken job-sa job.yaml 's/serviceAccountName: vmstorm-collector$/serviceAccountName: default/')"

check "the ClusterRoleBinding binds the ClusterRole to that account only" binding_matches "$DEPLOY"
check_fails "binding check catches a subject in another namespace" \
    binding_matches "$(broken crb-ns clusterrolebinding.yaml 's/^    namespace: vmstorm$/    namespace: default/')"
check_fails "binding check catches a renamed ClusterRole" \
    binding_matches "$(broken cr-name clusterrole.yaml 's/^  name: vmstorm-collector$/  name: vmstorm-other/')"

check "the Job: one attempt, TTL, requests = limits" job_lifecycle "$DEPLOY"
check_fails "Job check catches a retry" \
    job_lifecycle "$(broken backoff job.yaml 's/^  backoffLimit: 0$/  backoffLimit: 6/')"

check "the Job runs non-root, no escalation, no capability added" job_unprivileged "$DEPLOY"
check_fails "privilege check catches an added NET_RAW" \
    job_unprivileged "$(broken net-raw job.yaml 's/^              drop: \[ALL\]$/              drop: [ALL]\n              add: [NET_RAW]/')"

check "the Job probes ICMP and writes /results/run.ndjson on the PVC" job_storage "$DEPLOY"
check_fails "storage check catches another claim" \
    job_storage "$(broken claim job.yaml 's/claimName: vmstorm-results$/claimName: other/')"
check_fails "storage check catches another output path" \
    job_storage "$(broken output job.yaml 's|^            - /results/run.ndjson$|            - /tmp/run.ndjson|')"

check "the Job's --cleanup comes with --yes" job_cleanup_unattended "$DEPLOY"
check_fails "cleanup check catches a missing --yes" \
    job_cleanup_unattended "$(broken no-yes job.yaml '/^            - --yes /d')"

check "the results reader mounts the Job's claim read-only, no token" reader_matches "$DEPLOY"
check_fails "reader check catches another claim" \
    reader_matches "$(broken reader-claim results-reader.yaml 's/claimName: vmstorm-results$/claimName: other/')"

check "the vmstorm namespace carries no run label" namespace_unlabelled "$DEPLOY"
check_fails "namespace check catches a run label" \
    namespace_unlabelled "$(broken ns-label namespace.yaml 's|^    app.kubernetes.io/name: vmstorm$|    vmstorm.io/run: x|')"

check "kustomization.yaml lists the base, existing files only, and builds" kustomization_ok "$DEPLOY"
check_fails "kustomization check catches a missing file" \
    kustomization_ok "$(broken_append kz-missing kustomization.yaml '  - missing.yaml
')"
check_fails "kustomization check catches an optional file in the base" \
    kustomization_ok "$(broken_append kz-optional kustomization.yaml '  - results-reader.yaml
')"
check_fails "kustomization check catches a base file left out" \
    kustomization_ok "$(broken kz-short kustomization.yaml '/^  - job.yaml$/d')"

check "the run-label guard names the collector's ServiceAccount" guard_names_sa "$DEPLOY"
check_fails "guard check catches a renamed ServiceAccount" \
    guard_names_sa "$(broken sa-name serviceaccount.yaml 's/^  name: vmstorm-collector$/  name: vmstorm-other/')"

finish
