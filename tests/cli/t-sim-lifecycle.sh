#!/usr/bin/env bash
# vmstorm-sim lifecycle corners: capacity, the deprecated spec.running, a
# deleted VMI restarting, expired continue tokens, watches with selectors.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT

api() { curl -sS -H "Authorization: Bearer $SIM_TOKEN" "$@"; }
vm() { # vm NAME SPEC_JSON_FRAGMENT
    api -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data \
        "{\"metadata\":{\"name\":\"$1\",\"labels\":{\"tier\":\"$1\"}},\"spec\":{$2,\"template\":{\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"}}}}}}" \
        "$SIM_URL/apis/kubevirt.io/v1/namespaces/l/virtualmachines"
}
status() { api "$SIM_URL/apis/kubevirt.io/v1/namespaces/l/virtualmachines/$1" | jq -r '.status.printableStatus'; }
vmi_uid() { api "$SIM_URL/apis/kubevirt.io/v1/namespaces/l/virtualmachineinstances/$1" | jq -r '.metadata.uid'; }
export -f api vm status vmi_uid
printf 'node_max_pods = 1\n' >"$TMP/tiny.model"

check "simulator starts with 2 nodes of one pod each" \
    sim_start "$TMP/a" --no-tls --speed 50 --nodes 2 --model "$TMP/tiny.model" --watch-history 30
api -o /dev/null -H 'Content-Type: application/json' --data '{"metadata":{"name":"l"}}' "$SIM_URL/api/v1/namespaces"
for n in a b c; do vm $n '"runStrategy":"Always"' >/dev/null; done
check "two VMs run, the third does not fit: ErrorUnschedulable" \
    wait_for 20 bash -c "test \"\$(for n in a b c; do status \$n; done | sort | tr '\n' ' ')\" = 'ErrorUnschedulable Running Running '"
# (`[ ] || echo`, not `[ ] && echo`: the loop must end with status 0 whichever VM
# it is, or set -e ends the script when the unschedulable one is not the last)
UNSCHED=$(for n in a b c; do [ "$(status $n)" != ErrorUnschedulable ] || echo $n; done)
RUNNING=$(for n in a b c; do [ "$(status $n)" = Running ] && echo $n; done | awk 'NR==1')
check "the unschedulable VM's launcher pod says why" \
    bash -c "api '$SIM_URL/api/v1/namespaces/l/pods?labelSelector=vm.kubevirt.io/name=$UNSCHED' |
             jq -ne 'input | .items[0].status.conditions[] | select(.type == \"PodScheduled\") | .reason == \"Unschedulable\"'"
api -o /dev/null -X PUT "$SIM_URL/apis/subresources.kubevirt.io/v1/namespaces/l/virtualmachines/$RUNNING/stop"
check "stopping another VM frees a node and the waiting VM runs" wait_for 20 bash -c "test \"\$(status $UNSCHED)\" = Running"

vm d '"running":false' >/dev/null
check "a VM with spec.running=false stays Stopped" bash -c "sleep 0.5; test \"\$(status d)\" = Stopped"
api -o /dev/null -X PUT "$SIM_URL/apis/subresources.kubevirt.io/v1/namespaces/l/virtualmachines/d/start"
check "start on spec.running sets running=true (not runStrategy)" \
    bash -c "api $SIM_URL/apis/kubevirt.io/v1/namespaces/l/virtualmachines/d | jq -ne 'input | .spec.running == true and (.spec | has(\"runStrategy\") | not)'"

OLD=$(vmi_uid $UNSCHED)
api -o /dev/null -X DELETE "$SIM_URL/apis/kubevirt.io/v1/namespaces/l/virtualmachineinstances/$UNSCHED"
# (the freed node goes to VM d, which was waiting for one: the new VMI may
# itself have to wait, so only its creation is checked)
check "a deleted VMI of an Always VM comes back with a new uid" \
    wait_for 20 bash -c "u=\$(vmi_uid $UNSCHED); test -n \"\$u\" && test \"\$u\" != null && test \"\$u\" != $OLD"


TOKEN=$(api "$SIM_URL/api/v1/namespaces/l/pods?limit=1" | jq -r '.metadata.continue')
for i in $(seq 1 40); do api -o /dev/null -H 'Content-Type: application/json' --data "{\"metadata\":{\"name\":\"x$i\"}}" "$SIM_URL/api/v1/namespaces"; done
check "a list with an expired continue token is 410 Expired" \
    bash -c "test \$(api -o $TMP/410 -w '%{http_code}' '$SIM_URL/api/v1/namespaces/l/pods?limit=1&continue=$TOKEN') = 410 &&
             grep -q '\"reason\":\"Expired\"' $TMP/410"

api "$SIM_URL/apis/kubevirt.io/v1/namespaces/l/virtualmachines?watch=1&labelSelector=tier%3Dd&timeoutSeconds=1" >"$TMP/w" || true
check "a watch with a label selector sends only matching objects" \
    bash -c "test \$(wc -l <$TMP/w) -ge 1 && test \$(jq -r .object.metadata.name $TMP/w | sort -u) = d"
check "the simulator exits 0" sim_stop

# A namespace deleted right after its VM was created (before virt-controller
# made the VMI: 0.5 s of model time, real time at --speed 1) still goes: a
# collector interrupted early cleans up that way.
check "a simulator at real-time speed starts" sim_start "$TMP/b" --no-tls --speed 1
api -o /dev/null -H 'Content-Type: application/json' --data '{"metadata":{"name":"l"}}' "$SIM_URL/api/v1/namespaces"
vm early '"runStrategy":"Always"' >/dev/null
api -o /dev/null -X DELETE "$SIM_URL/api/v1/namespaces/l"
check "the VM was deleted before it had a VMI" test "$(vmi_uid early)" = null
check "the namespace of a VM deleted before its VMI existed goes" \
    wait_for 10 bash -c "test \$(api -o /dev/null -w '%{http_code}' $SIM_URL/api/v1/namespaces/l) = 404"
check "that simulator exits 0 at once" sim_stop
finish
