#!/usr/bin/env bash
# vmstorm-collect end to end against vmstorm-sim: boot storms over HTTPS with
# a token, a client certificate and an exec plugin; without the subresource
# API; the results validate against the schema and hold no credentials;
# cleanup spares what the run did not label; bad input fails fast.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT

PY=$(find_python)
SCHEMA=$TOP/schemas/event.schema.json
TEMPLATE=$TOP/samples/templates/vm-containerdisk.yaml
export PY SCHEMA TEMPLATE

# collect NAME ARGS...: run the collector; NAME.out/.err/.rc/.ndjson in $TMP.
collect() {
    local name=$1 rc=0
    shift
    "$BIN/vmstorm-collect" --vm-template "$TEMPLATE" --vm-name vm-cirros --probe tcp:2222 \
        --ping-timeout 60 -y -o "$TMP/$name.ndjson" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
    echo "$rc" >"$TMP/$name.rc"
}
# storm_ok NAME VMS: exit 0, run_end ok, every VM ready in the storm, schema-valid.
storm_ok() {
    local name=$1 vms=$2 f=$TMP/$1.ndjson
    test "$(cat "$TMP/$name.rc")" = 0 || { cat "$TMP/$name.err"; return 1; }
    jq -ne 'input | select(.kind == "run_end") | .status == "ok"' <(tail -1 "$f") >/dev/null &&
        test "$(jq -c 'select(.kind == "probe" and .phase == "storm" and .result == "ready")' "$f" | wc -l)" = "$vms" &&
        test "$(jq -c 'select(.kind == "phase_end" and .status == "ok")' "$f" | wc -l)" -ge 4 &&
        "$PY" "$TOP/tests/schema/validate.py" "$SCHEMA" "$f"
}
# no_secret FILE SECRET: the secret appears nowhere in the file.
no_secret() { ! grep -qF -- "$2" "$1"; }
api() { curl -sS --cacert "$TMP/a/ca.pem" -H "Authorization: Bearer $SIM_TOKEN" "$@"; }
export -f storm_ok no_secret api

check "simulator starts (TLS, 4 nodes, speed 20)" sim_start "$TMP/a" --nodes 4 --speed 20
KC=$TMP/a/kubeconfig

# 1. bearer token
collect token --kubeconfig "$KC" --start 1 --end 20 --boot-storm --cleanup --run-id t-token
check "token: a 20-VM boot storm completes, every VM ready, the file validates" storm_ok token 20
check "token: the token is in neither the results nor the messages" \
    bash -c "no_secret $TMP/token.ndjson '$SIM_TOKEN' && no_secret $TMP/token.err '$SIM_TOKEN' &&
             no_secret $TMP/token.out '$SIM_TOKEN'"
check "token: run_begin describes the run, the simulated cluster and its nodes" \
    jq -ne 'input | .kind == "run_begin" and .run_id == "t-token" and .simulated == true and
            .run_label == "vmstorm.io/run=t-token" and (.cluster.nodes | length) == 4 and
            .config.boot_storm == true' "$TMP/token.ndjson"
check "token: the summary reports Running and ready for create and storm" \
    bash -c "grep -q '^create: ok' $TMP/token.out && grep -q '^storm: ok' $TMP/token.out &&
             test \$(grep -c '^  Running ' $TMP/token.out) = 2 &&
             grep -q '20 VMs: 20 ready, 0 failed, 0 timed out' $TMP/token.out"
check "token: each VM was created once, stopped once and started once (3 mutations + 1 namespace)" \
    bash -c "test \$(jq -c 'select(.kind == \"api_request\" and .method != \"GET\" and .phase != \"cleanup\")' $TMP/token.ndjson | wc -l) = 80"
check "token: the stop and start went through the subresources" \
    bash -c "test \$(jq -c 'select(.kind == \"api_request\" and .subresource == \"stop\" and .status == 202)' $TMP/token.ndjson | wc -l) = 20 &&
             test \$(jq -c 'select(.kind == \"api_request\" and .subresource == \"start\" and .status == 202)' $TMP/token.ndjson | wc -l) = 20"
check "token: every phase is scraped at its beginning and end" \
    bash -c "test \$(jq -c 'select(.kind == \"metrics_scrape\" and .status == 200 and .source == \"apiserver\")' $TMP/token.ndjson | wc -l) = 10"
check "token: --cleanup deleted the run's namespaces" \
    bash -c "test \$(api '$SIM_URL/api/v1/namespaces?labelSelector=vmstorm.io/run=t-token' | jq '.items | length') = 0"

# 2. client certificate
collect cert --kubeconfig "$KC" --context vmstorm-sim-cert --start 1 --end 20 --boot-storm --cleanup \
    --namespace-prefix cert --run-id t-cert
check "client certificate: a 20-VM boot storm completes" storm_ok cert 20
check "client certificate: no private key in the results" \
    bash -c "! grep -q 'PRIVATE KEY' $TMP/cert.ndjson"

# 3. exec credential plugin
cat >"$TMP/cred.sh" <<EOF
#!/bin/sh
touch "$TMP/cred.ran"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "$SIM_TOKEN"
EOF
chmod +x "$TMP/cred.sh"
cat >"$TMP/exec.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster:
    server: $SIM_URL
    certificate-authority: $TMP/a/ca.pem
users:
- name: plugin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $TMP/cred.sh
      interactiveMode: Never
contexts:
- name: exec
  context:
    cluster: sim
    user: plugin
current-context: exec
EOF
collect exec --kubeconfig "$TMP/exec.kubeconfig" --start 1 --end 20 --boot-storm --cleanup \
    --namespace-prefix exec --run-id t-exec
check "exec plugin: a 20-VM boot storm completes with the plugin's token" \
    bash -c "storm_ok exec 20 && test -e $TMP/cred.ran"
check "exec plugin: the token it printed is not recorded" \
    bash -c "no_secret $TMP/exec.ndjson '$SIM_TOKEN' && no_secret $TMP/exec.err '$SIM_TOKEN'"

# 4. fio through --fio-cmd (the simulated guests serve fio's JSON)
collect fio --kubeconfig "$KC" --start 1 --end 5 --cleanup --namespace-prefix fio --run-id t-fio \
    --fio-cmd 'for i in $(seq 100); do curl -sf --max-time 5 http://{ip}:8080/fio.json && exit 0; sleep 0.1; done; exit 1'
check "fio: every ready VM gives a fio_result with fio's JSON" \
    bash -c "test \$(cat $TMP/fio.rc) = 0 &&
             test \$(jq -c 'select(.kind == \"fio_result\" and .result == \"ok\" and (.fio.jobs | length) > 0)' $TMP/fio.ndjson | wc -l) = 5 &&
             $PY $TOP/tests/schema/validate.py $SCHEMA $TMP/fio.ndjson"
collect fiobad --kubeconfig "$KC" --start 1 --end 2 --cleanup --namespace-prefix fiobad \
    --run-id t-fiobad --fio-cmd 'echo not json; echo oops >&2'
check "fio: output that is not JSON is a failed fio_result, not a crash" \
    bash -c "test \$(cat $TMP/fiobad.rc) = 1 &&
             test \$(jq -c 'select(.kind == \"fio_result\" and .result == \"failed\" and (.error | test(\"not JSON\")) and .stderr_tail == \"oops\\n\")' $TMP/fiobad.ndjson | wc -l) = 2 &&
             jq -ne 'input | .kind == \"run_end\"' <(tail -1 $TMP/fiobad.ndjson)"

# 4b. --single-node and --label
collect pin --kubeconfig "$KC" --start 1 --end 6 --single-node --label team=storage \
    --namespace-prefix pin --run-id t-pin
check "--single-node: a Ready worker is picked, recorded in run_begin, and every VMI runs there" \
    bash -c "test \$(cat $TMP/pin.rc) = 0 &&
             node=\$(jq -nr 'input | select(.config.single_node == true) | .config.node_name' $TMP/pin.ndjson) &&
             test -n \"\$node\" && test \"\$node\" != null &&
             test \"\$(jq -r 'select(.kind == \"watch_event\" and .resource == \"virtualmachineinstances\" and .changed.node != null) | .changed.node' $TMP/pin.ndjson | sort -u)\" = \"\$node\""
check "--label: the namespaces, VMs and VMIs carry it next to the run label" \
    bash -c "test \$(api '$SIM_URL/api/v1/namespaces?labelSelector=team%3Dstorage,vmstorm.io%2Frun%3Dt-pin' | jq '.items | length') = 6 &&
             test \$(api '$SIM_URL/apis/kubevirt.io/v1/virtualmachines?labelSelector=team%3Dstorage,vmstorm.io%2Frun%3Dt-pin' | jq '.items | length') = 6 &&
             test \$(api '$SIM_URL/apis/kubevirt.io/v1/virtualmachineinstances?labelSelector=team%3Dstorage' | jq '.items | length') = 6"

# 4c. a storm on VMs that exist (another run made them): --skip-namespace-creation --skip-vm-creation
collect made --kubeconfig "$KC" --start 1 --end 4 --namespace-prefix exist --run-id t-made
collect reuse --kubeconfig "$KC" --start 1 --end 4 --namespace-prefix exist --run-id t-reuse \
    --skip-namespace-creation --skip-vm-creation --boot-storm --cleanup
check "--skip-vm-creation --boot-storm: a storm on existing VMs, then --cleanup leaves them (not this run's)" \
    bash -c "test \$(cat $TMP/made.rc) = 0 && storm_ok reuse 4 &&
             grep -q 'cleanup: 0 objects carry vmstorm.io/run=t-reuse' $TMP/reuse.out &&
             test \$(api '$SIM_URL/apis/kubevirt.io/v1/virtualmachines?labelSelector=vmstorm.io/run=t-made' | jq '.items | length') = 4"

# 5. cleanup touches only what carries the run's label
api -o /dev/null -H 'Content-Type: application/json' --data '{"metadata":{"name":"keep-2"}}' "$SIM_URL/api/v1/namespaces"
api -o /dev/null -H 'Content-Type: application/json' --data '{"metadata":{"name":"keep-9"}}' "$SIM_URL/api/v1/namespaces"
collect keep --kubeconfig "$KC" --start 1 --end 3 --namespace-prefix keep --cleanup --run-id t-keep
check "cleanup: a same-prefix namespace in the run's range without the label fails that VM (exit 1)" \
    bash -c "test \$(cat $TMP/keep.rc) = 1 && grep -q 'keep-2 already exists and does not carry the label' $TMP/keep.out"
check "cleanup: the unlabelled same-prefix namespaces survive, the run's are gone" \
    bash -c "api $SIM_URL/api/v1/namespaces/keep-2 | jq -ne 'input | .metadata.name == \"keep-2\" and .status.phase == \"Active\"' &&
             api $SIM_URL/api/v1/namespaces/keep-9 | jq -ne 'input | .metadata.name == \"keep-9\"' &&
             test \$(api $SIM_URL/api/v1/namespaces/keep-1 -o /dev/null -w '%{http_code}') = 404 &&
             test \$(api $SIM_URL/api/v1/namespaces/keep-3 -o /dev/null -w '%{http_code}') = 404"
collect dry --kubeconfig "$KC" --start 1 --end 2 --namespace-prefix dry --dry-run-cleanup --run-id t-dry
check "--dry-run-cleanup lists the run's namespaces and deletes nothing" \
    bash -c "grep -q 'would delete namespace dry-1' $TMP/dry.out && grep -q 'would delete namespace dry-2' $TMP/dry.out &&
             test \$(api '$SIM_URL/api/v1/namespaces?labelSelector=vmstorm.io/run=t-dry' | jq '.items | length') = 2 &&
             ! jq -c 'select(.kind == \"api_request\" and .method == \"DELETE\")' $TMP/dry.ndjson | grep -q ."

# 6. bad input fails fast, before anything is created
printf 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: x\nspec:\n  template: [1, 2\n' >"$TMP/broken.yaml"
NS_BEFORE=$(api "$SIM_URL/api/v1/namespaces" | jq '.items | length')
check "a broken template: exit 3, the file and line named, nothing created" \
    bash -c "rc=0; $BIN/vmstorm-collect --kubeconfig $KC --vm-template $TMP/broken.yaml -o $TMP/broken.ndjson 2>$TMP/broken.err || rc=\$?;
             test \$rc = 3 && grep -q 'broken.yaml:[0-9]*:[0-9]*:' $TMP/broken.err && grep -q 'nothing was created' $TMP/broken.err &&
             test ! -e $TMP/broken.ndjson &&
             test \$(api '$SIM_URL/api/v1/namespaces' | jq '.items | length') = $NS_BEFORE"
sed "s#server: .*#server: https://127.0.0.1:9#" "$KC" >"$TMP/dead.kubeconfig"
check "an unreachable API server: exit 1 within seconds, saying so" \
    bash -c "rc=0; timeout 30 $BIN/vmstorm-collect --kubeconfig $TMP/dead.kubeconfig --vm-template $TEMPLATE -o $TMP/dead.ndjson 2>$TMP/dead.err || rc=\$?;
             test \$rc = 1 && grep -q 'cannot reach the API server at https://127.0.0.1:9' $TMP/dead.err && test ! -e $TMP/dead.ndjson"
# the Job's command line (deploy/job.yaml) is one the collector accepts: it gets as far as
# connecting (exit 1), not a usage error (exit 2)
JOB_ARGS=$(sed -n '/^ *args:/,/^ *env:/p' "$TOP/deploy/job.yaml" |
    sed -n 's/^ *- \([^# ][^#]*[^# ]\) *\(#.*\)\{0,1\}$/\1/p; s/^ *- \([^# ]\) *\(#.*\)\{0,1\}$/\1/p' |
    sed "s#^--vm-template=.*#--vm-template=$TEMPLATE#; s#^/results/run.ndjson#$TMP/job.ndjson#; s#\$(POD_NAME)#job-pod-1#")
export JOB_ARGS
check "deploy/job.yaml's arguments parse (the run then fails only on the dead server)" \
    bash -c "test -n \"\$JOB_ARGS\" && rc=0 && mapfile -t a <<<\"\$JOB_ARGS\" &&
             { timeout 30 $BIN/vmstorm-collect \"\${a[@]}\" --kubeconfig $TMP/dead.kubeconfig 2>$TMP/job.err || rc=\$?; } &&
             test \$rc = 1 && grep -q 'cannot reach the API server' $TMP/job.err"
check "an existing results file is refused, not appended to" \
    bash -c "rc=0; $BIN/vmstorm-collect --kubeconfig $KC --vm-template $TEMPLATE --start 1 --end 1 -o $TMP/token.ndjson 2>$TMP/exists.err || rc=\$?;
             test \$rc = 1 && grep -q 'token.ndjson' $TMP/exists.err"

# a DataSource the template clones must exist: checked before anything is created
sed 's/name: rhel9$/name: no-such-image/' "$TOP/samples/templates/vm-datasource.yaml" >"$TMP/nods.yaml"
check "a template cloning a missing DataSource fails before anything is created" \
    bash -c "rc=0; $BIN/vmstorm-collect --kubeconfig $KC --vm-template $TMP/nods.yaml --start 1 --end 2 --probe tcp:2222 \
               --namespace-prefix nods --run-id t-nods -o $TMP/nods.ndjson 2>$TMP/nods.err || rc=\$?;
             test \$rc = 1 &&
             grep -q 'clones DataSource openshift-virtualization-os-images/no-such-image, which does not exist; nothing was created' $TMP/nods.err &&
             test \$(api '$SIM_URL/api/v1/namespaces?labelSelector=vmstorm.io/run=t-nods' | jq '.items | length') = 0 &&
             jq -ne 'input | .kind == \"run_begin\"' $TMP/nods.ndjson && tail -1 $TMP/nods.ndjson | jq -e '.status == \"failed\"' >/dev/null"
collect clone --kubeconfig "$KC" --vm-template "$TOP/samples/templates/vm-datasource.yaml" --vm-name rhel9-vm \
    --start 1 --end 3 --namespace-prefix clone --run-id t-clone --cleanup
check "the DataSource template: its DataVolumes clone, the VMs get ready, DV phases are recorded" \
    bash -c "test \$(cat $TMP/clone.rc) = 0 && ! grep -q 'cannot check that DataSource' $TMP/clone.err &&
             jq -c 'select(.kind == \"watch_event\" and .resource == \"datavolumes\" and .changed.phase == \"Succeeded\")' $TMP/clone.ndjson | wc -l | grep -qx 3"

# 7. SIGINT: the phase ends as interrupted, the file is closed and valid
"$BIN/vmstorm-collect" --kubeconfig "$KC" --vm-template "$TEMPLATE" --vm-name vm-cirros --probe tcp:2222 \
    --start 1 --end 10 --namespace-prefix intr --run-id t-intr --cleanup-on-failure -y \
    -o "$TMP/intr.ndjson" >"$TMP/intr.out" 2>"$TMP/intr.err" &
PID=$!
wait_for 20 grep -q '"phase":"create"' "$TMP/intr.ndjson" >/dev/null 2>&1 || true
kill -INT $PID
rc=0
wait $PID || rc=$?
check "SIGINT: exit 130, run_end interrupted, the file validates" \
    bash -c "test $rc = 130 && jq -ne 'input | .kind == \"run_end\" and .status == \"interrupted\"' <(tail -1 $TMP/intr.ndjson) &&
             $PY $TOP/tests/schema/validate.py $SCHEMA $TMP/intr.ndjson"
# the namespaces go once the simulator has swept them (Terminating first): on a
# loaded machine that can outlast the collector's exit, so give it time
intr_ns_gone() { test "$(api "$SIM_URL/api/v1/namespaces?labelSelector=vmstorm.io/run=t-intr" | jq '.items | length')" = 0; }
check "SIGINT with --cleanup-on-failure: the run's namespaces are deleted" wait_for 30 intr_ns_gone
"$BIN/vmstorm-collect" --kubeconfig "$KC" --vm-template "$TEMPLATE" --vm-name vm-cirros --probe tcp:2222 \
    --start 1 --end 2 --namespace-prefix intrfio --run-id t-intrfio --fio-cmd 'sleep 30' --save-results \
    -o "$TMP/intrfio.ndjson" >"$TMP/intrfio.out" 2>"$TMP/intrfio.err" &
PID=$!
wait_for 30 grep -q '"phase_begin".*"phase":"fio"' "$TMP/intrfio.ndjson" >/dev/null 2>&1 || true
kill -INT $PID
rc=0
wait $PID || rc=$?
check "SIGINT during fio: its commands end as cancelled fio_results inside the phase, then run_end" \
    bash -c "test $rc = 130 &&
             test \$(jq -c 'select(.kind == \"fio_result\" and .result == \"failed\" and .error == \"cancelled\")' $TMP/intrfio.ndjson | wc -l) = 2 &&
             jq -se '([.[] | select(.kind == \"fio_result\") | .seq] | max) <
                     ([.[] | select(.kind == \"phase_end\" and .phase == \"fio\") | .seq] | first) and
                     .[-1].kind == \"run_end\" and .[-1].status == \"interrupted\"' $TMP/intrfio.ndjson >/dev/null"
check "--save-results wrote the phases' figures next to the results" \
    jq -ne 'input | .run_id == "t-intrfio" and .status == "interrupted" and
            (.phases[] | select(.phase == "create") | .seconds.ready.ok) == 2' "$TMP/intrfio.summary.json"
sim_stop

# 8. a cluster without the subresource API: runStrategy patches instead
check "simulator starts without subresources.kubevirt.io" \
    sim_start "$TMP/b" --nodes 4 --speed 20 --no-subresources
collect nosub --kubeconfig "$TMP/b/kubeconfig" --start 1 --end 20 --boot-storm --cleanup --run-id t-nosub
check "--no-subresources: a 20-VM boot storm completes" storm_ok nosub 20
check "--no-subresources: stop and start are runStrategy merge patches (one discovery, no PUT), with a warning" \
    bash -c "test \$(jq -c 'select(.kind == \"api_request\" and .method == \"PATCH\" and .status == 200)' $TMP/nosub.ndjson | wc -l) = 40 &&
             jq -c 'select(.kind == \"warning\" and .code == \"subresource_missing\")' $TMP/nosub.ndjson | grep -q . &&
             ! jq -c 'select(.kind == \"api_request\" and .method == \"PUT\")' $TMP/nosub.ndjson | grep -q ."
sim_stop

exit $_failed
