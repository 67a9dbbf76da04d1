#!/usr/bin/env bash
# Failing VMs are reported as such, not as slow or timed out: against a
# simulator where a share of VM starts go CrashLoopBackOff (then
# ErrorUnschedulable), the collector names each failed VM with the status
# KubeVirt shows and counts it failed, and the analyzer marks exactly the VMs
# of the simulator's truth file "failed" with that status (summary.json
# not_reached and phases.create.failed, vms.csv, the terminal table).
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT
PY=$(find_python)

# run_failing MODE STATUS: 12 VMs, create only, 30% of starts failing in MODE.
run_failing() {
    local mode=$1 st=$2 d=$TMP/$1 rc=0
    check "$mode: simulator starts" \
        sim_start "$d" --nodes 4 --speed 20 --seed 5 --fault "vm-fail:share=0.3,mode=$mode"
    "$BIN/vmstorm-collect" --kubeconfig "$d/kubeconfig" \
        --vm-template "$TOP/samples/templates/vm-containerdisk.yaml" --vm-name vm-cirros \
        --probe tcp:2222 --ping-timeout 6 --start 1 --end 12 -y -o "$d/run.ndjson" \
        >"$d/run.out" 2>"$d/run.err" || rc=$?
    sim_stop
    grep '"what":"vm_failed:' "$d/truth.ndjson" | jq -r .uid | sort >"$d/truth.uids"
    local n
    n=$(grep -c . "$d/truth.uids")
    check "$mode: some VM starts failed in the simulator ($n of 12)" test "$n" -gt 0 -a "$n" -lt 12
    check "$mode: the collector exits 1 and calls the phase failed" \
        bash -c "test $rc = 1 && grep -q '^create: failed after' '$d/run.out'"
    check "$mode: the collector names each failed VM with its status ($n)" \
        test "$(grep -c " - failed: the VM is $st\$" "$d/run.out")" = "$n"
    check "$mode: and counts them failed, none timed out" \
        grep -q "^  12 VMs: $((12 - n)) ready, $n failed, 0 timed out\$" "$d/run.out"
    check "$mode: the analyzer succeeds on the run" \
        "$BIN/vmstorm-analyze" "$d/run.ndjson" -o "$d/a"
    check "$mode: its not_reached are the truth's failed VMIs, status failed ($st)" \
        bash -c "jq -r '.not_reached[] | select(.status == \"failed\" and .failure == \"$st\") | .uid' \
                 '$d/a/summary.json' | sort | diff - '$d/truth.uids' &&
                 test \$(jq '.not_reached | length' '$d/a/summary.json') = $n"
    check "$mode: phases.create.failed is $n" \
        test "$(jq .phases.create.failed "$d/a/summary.json")" = "$n"
    check "$mode: vms.csv has the status and failure columns" \
        test "$("$PY" -c "import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1]))
              if r['status'] == 'failed' and r['failure'] == sys.argv[2] and r['vm_status'] == sys.argv[2]))" \
              "$d/a/vms.csv" "$st")" = "$n"
    check "$mode: the terminal table says failed ($st) for each" \
        test "$("$BIN/vmstorm-analyze" "$d/run.ndjson" | grep -c "vm-cirros .*  failed ($st)\$")" = "$n"
    check "$mode: summary.json validates against its schema" \
        valid_json "$TOP/schemas/summary.schema.json" "$d/a/summary.json"
}

run_failing crashloop CrashLoopBackOff
run_failing unschedulable ErrorUnschedulable
exit $_failed
