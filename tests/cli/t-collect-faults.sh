#!/usr/bin/env bash
# vmstorm-collect loses nothing under faults: a 200-VM boot storm against a
# simulator that drops every watch stream every 2 s, answers watch resumes
# with 410 Expired, and fails 10% of mutations with 500 and 10% with 429.
# Every VMI the simulator's truth file says went Running must be in the run
# file (bench/truth_vs_run.py), and the file must validate.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT
PY=$(find_python)

check "simulator starts with faults" \
    sim_start "$TMP/a" --nodes 8 --speed 20 --fault watch-drop:every=2s \
    --fault watch-expire:share=1 --fault http-error:code=500,share=0.1 \
    --fault http-error:code=429,share=0.1,retry-after=1
rc=0
"$BIN/vmstorm-collect" --kubeconfig "$TMP/a/kubeconfig" --vm-template "$TOP/samples/templates/vm-containerdisk.yaml" \
    --vm-name vm-cirros --probe tcp:2222 --ping-timeout 120 --start 1 --end 200 --boot-storm -y \
    -o "$TMP/run.ndjson" >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
# A request refused five times in a row (0.2^5 per request, 800 of them)
# fails its VM, rightly: the run is then "failed", and the VM says why.
# created: VMs whose create went through; started: VMI Running transitions.
failed_creates=$(grep -c '^  vm-density-[0-9]*/vm-cirros: running -, ready - - failed: creating virtualmachines vm-cirros: HTTP \(429\|500\)' "$TMP/run.out" || true)
failed_stops=$(sed -n '/^stop:/,/^storm:/p' "$TMP/run.out" | grep -c ': stop: HTTP \(429\|500\)' || true)
failed_starts=$(sed -n '/^storm:/,$p' "$TMP/run.out" | grep -c ': failed: start: HTTP \(429\|500\)' || true)
lost=$((failed_creates + failed_stops + failed_starts))
check "the 200-VM storm completes despite the faults (every VM ready, or failed by a request refused 5 times)" \
    bash -c "grep -q '^storm: ' $TMP/run.out && test \$(grep -c ' - failed' $TMP/run.out) = $((failed_creates + failed_starts)) &&
             test $rc = $((lost > 0 ? 1 : 0)) && ! grep -q ' - timed out' $TMP/run.out ||
             { tail -n 30 $TMP/run.out $TMP/run.err; false; }"
check "faults were injected: 500s, 429s, watch relists" \
    bash -c "jq -c 'select(.kind == \"api_request\" and .status == 500)' $TMP/run.ndjson | grep -q . &&
             jq -c 'select(.kind == \"api_request\" and .status == 429 and .retry_after_s == 1)' $TMP/run.ndjson | grep -q . &&
             jq -c 'select(.kind == \"watch_restart\" and .action == \"relist\")' $TMP/run.ndjson | grep -q . &&
             jq -c 'select(.kind == \"watch_event\" and .source == \"relist\")' $TMP/run.ndjson | grep -q ."
check "every VMI Running in the simulator's truth is in the run file" \
    "$PY" "$TOP/bench/truth_vs_run.py" "$TMP/a/truth.ndjson" "$TMP/run.ndjson"
check "$((400 - 2 * failed_creates - failed_stops - failed_starts)) Running transitions were expected (create + storm)" \
    bash -c "test \$(grep -c '\"what\":\"vmi_phase:Running\"' $TMP/a/truth.ndjson) = $((400 - 2 * failed_creates - failed_stops - failed_starts))"
check "retried creates made each VM once: $((200 - failed_creates)) VMs exist" \
    bash -c "curl -sS --cacert $TMP/a/ca.pem -H 'Authorization: Bearer $SIM_TOKEN' '$SIM_URL/apis/kubevirt.io/v1/virtualmachines' | jq -ne 'input | (.items | length) == $((200 - failed_creates))'"
check "the run file validates against the schema" \
    "$PY" "$TOP/tests/schema/validate.py" "$TOP/schemas/event.schema.json" "$TMP/run.ndjson"
sim_stop
exit $_failed
