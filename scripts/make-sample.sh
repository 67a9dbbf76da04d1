#!/usr/bin/env bash
# scripts/make-sample.sh OUT.ndjson [VMS] - capture a sample run from vmstorm-sim.
#
# How samples/storm-20.ndjson was made (once; it is checked in, and the
# analyzer's golden files in tests/golden/ come from it): 20 VMs on 4
# simulated nodes at 20x real time, 10% of VM starts failing (CrashLoopBackOff:
# censored VMs), a boot storm, fio on every VM through the guests' /fio.json,
# the API server's metrics scraped at each phase boundary, then
# cleanup. Re-running gives another file (timings are real), so the golden
# files would have to be regenerated and checked again by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: make-sample.sh OUT.ndjson [VMS]}
N=${2:-20}
BIN=${BIN:-bin}
TMPD=$(mktemp -d)
SIM_PID=
trap '[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; rm -rf "$TMPD"' EXIT
"$BIN/vmstorm-sim" --listen 127.0.0.1:0 --kubeconfig-out "$TMPD/kubeconfig" --nodes 4 --speed 20 \
    --seed 7 --guest-port 2222 --fault vm-fail:share=0.1,mode=crashloop --log-level warn \
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
