#!/usr/bin/env bash
# vmstorm-sim guests and storage: YAML bodies, DataVolume clones, the guest's
# TCP port and fio result, and the ground truth of every milestone.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
WILD_PID=
trap 'sim_stop >/dev/null 2>&1; [ -z "$WILD_PID" ] || kill "$WILD_PID" 2>/dev/null; rm -rf "$TMP"' EXIT

api() { curl -sS -H "Authorization: Bearer $SIM_TOKEN" "$@"; }
export -f api

printf 'host_clone_mbps = 2000\nfio_runtime = 5\n' >"$TMP/model"
printf 'clone_host_assisted = 1\nhost_clone_mbps = 500\nimage_gib = 30\n' >"$TMP/host.model"

check "simulator starts" sim_start "$TMP/a" --no-tls --speed 20 --model "$TMP/model"
api -o /dev/null -H 'Content-Type: application/json' --data '{"metadata":{"name":"g"}}' "$SIM_URL/api/v1/namespaces"
check "a VM is created from a YAML body (DataSource clone template)" \
    bash -c "test \$(api -o /dev/null -w '%{http_code}' -H 'Content-Type: application/yaml' \
             --data-binary @$TOP/samples/templates/vm-datasource.yaml \
             $SIM_URL/apis/kubevirt.io/v1/namespaces/g/virtualmachines) = 201"
check "its dataVolumeTemplate became a DataVolume owned by the VM" \
    bash -c "api $SIM_URL/apis/cdi.kubevirt.io/v1beta1/namespaces/g/datavolumes/rhel9-vm-rootdisk |
             jq -ne 'input | .metadata.ownerReferences[0].kind == \"VirtualMachine\"'"
check "the clone goes CloneScheduled -> CSICloneInProgress -> Succeeded" \
    wait_for 20 bash -c "grep -q 'dv_phase:Succeeded' $TMP/a/truth.ndjson &&
        grep -o 'dv_phase:[A-Za-z]*' $TMP/a/truth.ndjson | tr '\n' ' ' |
        grep -q 'dv_phase:Pending dv_phase:CloneScheduled dv_phase:CSICloneInProgress dv_phase:Succeeded'"
check "the VM reaches guest_ready after its clone" wait_for 30 grep -q guest_ready "$TMP/a/truth.ndjson"
IP=$(api "$SIM_URL/apis/kubevirt.io/v1/namespaces/g/virtualmachineinstances/rhel9-vm" | jq -r '.status.interfaces[0].ipAddress')
check "the VMI publishes a loopback IP" bash -c "[[ '$IP' == 127.* ]]"
check "the guest accepts TCP on its IP (SSH banner)" \
    bash -c "exec 3<>/dev/tcp/$IP/2222 && head -c 19 <&3 | grep -q 'SSH-2.0-vmstorm-sim'"
check "the guest serves real fio JSON once its benchmark ran" \
    wait_for 20 bash -c "curl -sSf http://$IP:8080/fio.json | jq -ne 'input | .jobs[0].jobname == \"rhel9-vm\" and .jobs[0].read.iops > 0 and .[\"fio version\"] != null'"
check "the truth file has every start milestone in order" \
    bash -c "grep -o '\"what\":\"[a-z_]*[:A-Za-z]*\"' $TMP/a/truth.ndjson | grep -v dv_phase | awk 'NR<=9' | cut -d'\"' -f4 | tr '\n' ' ' |
             grep -qx 'vm_created vmi_created vmi_phase:Pending vmi_phase:Scheduling vmi_phase:Scheduled vmi_phase:Running ip_published guest_ready agent_connected '"
check "truth lines carry t_ns, namespace, name and the VMI uid" \
    bash -c "grep 'vmi_phase:Running' $TMP/a/truth.ndjson | jq -ne 'input | .t_ns > 1700000000000000000 and .namespace == \"g\" and .name == \"rhel9-vm\" and (.uid | length) == 36'"
sim_stop

check "simulator starts with host-assisted clones" sim_start "$TMP/b" --no-tls --speed 20 --model "$TMP/host.model"
api -o /dev/null -H 'Content-Type: application/json' --data '{"metadata":{"name":"g"}}' "$SIM_URL/api/v1/namespaces"
api -o /dev/null -H 'Content-Type: application/yaml' --data-binary @"$TOP/samples/templates/vm-datasource.yaml" \
    "$SIM_URL/apis/kubevirt.io/v1/namespaces/g/virtualmachines"
api "$SIM_URL/apis/cdi.kubevirt.io/v1beta1/namespaces/g/datavolumes?watch=1&timeoutSeconds=6" >"$TMP/dvwatch" || true
check "a host-assisted clone goes through CloneInProgress with rising progress" \
    bash -c "grep -q '\"phase\":\"CloneInProgress\"' $TMP/dvwatch &&
             jq -r '.object.status.progress // empty' $TMP/dvwatch | grep -E '^[0-9.]+%$' | awk -F% '\$1>0 && \$1<100' | grep -q ."
sim_stop

# create_cirros: namespace g and the VM vm-cirros (container disk) in it
create_cirros() {
    api -o /dev/null -H 'Content-Type: application/json' --data '{"metadata":{"name":"g"}}' "$SIM_URL/api/v1/namespaces"
    api -o /dev/null -H 'Content-Type: application/yaml' \
        --data-binary @"$TOP/samples/templates/vm-containerdisk.yaml" \
        "$SIM_URL/apis/kubevirt.io/v1/namespaces/g/virtualmachines"
}
check "simulator starts with --no-fio" sim_start "$TMP/c" --no-tls --speed 20 --model "$TMP/model" --no-fio
create_cirros
check "with --no-fio the VM still reaches guest_ready" wait_for 30 grep -q guest_ready "$TMP/c/truth.ndjson"
IP=$(api "$SIM_URL/apis/kubevirt.io/v1/namespaces/g/virtualmachineinstances/vm-cirros" | jq -r '.status.interfaces[0].ipAddress')
check "with --no-fio the guest accepts TCP on its IP (SSH banner)" \
    bash -c "exec 3<>/dev/tcp/$IP/2222 && head -c 19 <&3 | grep -q 'SSH-2.0-vmstorm-sim'"
sleep 0.5 # fio_runtime 5 at --speed 20: a guest with fio would serve it by now
check "with --no-fio nothing listens on the guest's fio port (connection refused)" \
    expect 7 "Could not connect|Connection refused|Failed to connect" curl -sS --max-time 5 "http://$IP:8080/fio.json"
sim_stop

# wildcard_listen [PORT]: listen on 0.0.0.0 at PORT, or at a free port below the ephemeral
# range, as an sshd does on port 22; sets WILD_PORT and WILD_PID.
wildcard_listen() {
    local i j
    for i in 1 2 3 4 5 6 7 8; do
        WILD_PORT=${1:-$((20000 + RANDOM % 10000))}
        "${PYTHON:-python3}" -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(8)
print("listening", flush=True)
time.sleep(120)' "$WILD_PORT" >"$TMP/wild.out" 2>&1 &
        WILD_PID=$!
        for j in $(seq 1 30); do
            grep -q listening "$TMP/wild.out" && return 0
            kill -0 "$WILD_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$WILD_PID" 2>/dev/null || true
        wait "$WILD_PID" 2>/dev/null || true
    done
    WILD_PID=
    return 1
}
wildcard_stop() {
    kill "$WILD_PID" 2>/dev/null || true
    wait "$WILD_PID" 2>/dev/null || true
    WILD_PID=
}
if wildcard_listen; then
    check "a program on 0.0.0.0 at --guest-port: exit 1 at start, naming the port and the option" \
        expect 1 "^vmstorm-sim: --guest-port $WILD_PORT: a program listens on all addresses at port $WILD_PORT .*choose a free port with --guest-port" \
        timeout 10 "$BIN/vmstorm-sim" --listen 127.0.0.1:0 --no-tls --guest-port "$WILD_PORT"
    check "a program on 0.0.0.0 at --fio-port: exit 1 at start, naming the port and the option" \
        expect 1 "^vmstorm-sim: --fio-port $WILD_PORT: a program listens on all addresses at port $WILD_PORT .*choose a free port with --fio-port" \
        timeout 10 "$BIN/vmstorm-sim" --listen 127.0.0.1:0 --no-tls --guest-port 2222 --fio-port "$WILD_PORT"
    wildcard_stop
else
    echo "not ok - no free port for a listener on 0.0.0.0 (python3 missing?)"
    _failed=1
fi

# A program that takes the guest port on all addresses after the simulator
# started: the guests that come up then cannot listen, and the truth says so.
PORT=$((30000 + RANDOM % 2000))
check "simulator starts (guest port $PORT free)" \
    sim_start "$TMP/d" --no-tls --speed 20 --model "$TMP/model" --guest-port "$PORT" --no-fio
if wildcard_listen "$PORT"; then
    create_cirros
    check "a guest that cannot listen is guest_unreachable in the truth" \
        wait_for 30 grep -q guest_unreachable "$TMP/d/truth.ndjson"
    check "and not guest_ready" bash -c "! grep -q guest_ready $TMP/d/truth.ndjson"
    check "and the simulator warns, naming the guest's address and port" \
        grep -Eq "g/vm-cirros: guest network: guest 127\.[0-9.]+:$PORT: Address already in use" "$TMP/d/sim.log"
    wildcard_stop
else
    echo "not ok - could not listen on 0.0.0.0:$PORT"
    _failed=1
fi
sim_stop
finish
