#!/usr/bin/env bash
# scripts/make-sample.sh OUT.ndjson [VMS [NODES]] - capture a sample run from vmstorm-sim.
#
# The samples in samples/ were made with it (once; they are checked in, and
# the analyzer's golden files in tests/golden/ come from storm-20):
#   scripts/make-sample.sh samples/storm-20.ndjson 20 4
#   FAULT= scripts/make-sample.sh samples/storm-1000.ndjson 1000 20
#   gzip -9 samples/storm-1000.ndjson
# VMS VMs (20) on NODES simulated nodes (4) at 20x real time, 10% of VM
# starts failing (CrashLoopBackOff: censored VMs; FAULT= for none, or another
# --fault SPEC), a boot storm, fio on every
# VM through the guests' /fio.json, the API server's metrics scraped at each
# phase boundary, then cleanup. The run's id is sample-storm-VMS. Re-running
# gives another file (timings are real), so the golden files would have to be
# regenerated and checked again by hand. Then, for the analysis beside it:
#   bin/vmstorm-analyze samples/storm-20.ndjson -o samples/storm-20
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: make-sample.sh OUT.ndjson [VMS [NODES]]}
N=${2:-20}
NODES=${3:-4}
BIN=${BIN:-bin}
FAULT=${FAULT-vm-fail:share=0.1,mode=crashloop}
TMPD=$(mktemp -d)
SIM_PID=
trap '[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; rm -rf "$TMPD"' EXIT
"$BIN/vmstorm-sim" --listen 127.0.0.1:0 --kubeconfig-out "$TMPD/kubeconfig" --nodes "$NODES" --speed 20 \
    --seed 7 --guest-port 2222 ${FAULT:+--fault "$FAULT"} --log-level warn \
    >"$TMPD/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do
    [ -s "$TMPD/kubeconfig" ] && break
    sleep 0.1
done
"$BIN/vmstorm-collect" --kubeconfig "$TMPD/kubeconfig" --vm-template samples/templates/vm-containerdisk.yaml \
    --vm-name vm-cirros --probe tcp:2222 --ping-timeout 60 --start 1 --end "$N" --namespace-prefix sample \
    --run-id "sample-storm-$N" --boot-storm \
    --fio-cmd 'for i in $(seq 100); do curl -sf --max-time 5 http://{ip}:8080/fio.json && exit 0; sleep 0.1; done; exit 1' \
    --cleanup --yes -o "$OUT"
