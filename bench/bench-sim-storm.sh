#!/usr/bin/env bash
# bench-sim-storm.sh - the simulator under a big boot storm: N VMs (default
# 1000) on NODES nodes (20) at SPEED (20): create them stopped, start all at
# once, wait until every guest is network-ready. Prints wall time, the
# simulator's CPU seconds and peak RSS, and per-VM latencies from its truth.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000} NODES=${NODES:-20} SPEED=${SPEED:-20} BIN=${BIN:-bin}
TMPD=$(mktemp -d)
trap 'kill $SIM_PID 2>/dev/null; rm -rf "$TMPD"' EXIT
. bench/simdrive.sh

sim_launch --nodes "$NODES" --speed "$SPEED"


curl -sS --cacert "$CA" -o /dev/null -H "Authorization: Bearer $SIM_TOKEN" -H 'Content-Type: application/json' \
    --data '{"metadata":{"name":"storm"}}' "$SIM_URL/api/v1/namespaces"
echo "creating $N stopped VMs:"
create_vms storm "$N" Halted
START_NS=$(date +%s%N)
t0=$(date +%s.%N)
echo "starting $N VMs at once (nodes=$NODES speed=$SPEED):"
vm_action storm "$N" start
wait_truth "$TMPD/truth.ndjson" guest_ready "$N" 120
t1=$(date +%s.%N)
printf 'storm: %d VMs network-ready in %.1f s real time; simulator %s\n' "$N" \
    "$(echo "$t1 - $t0" | bc -l)" "$(proc_figures $SIM_PID)"
echo "per-VM latencies (model seconds, start request -> milestone):"
python3 bench/truth_stats.py "$TMPD/truth.ndjson" "$SPEED" --since-ns "$START_NS"
