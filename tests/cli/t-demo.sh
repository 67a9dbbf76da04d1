#!/usr/bin/env bash
# make demo's script (scripts/demo.sh), small: 4 VMs. It leaves a report and
# its analysis in DEMO_DIR, stops the simulator when it ends, when the
# collector fails and when the user presses Ctrl-C.
. "$(dirname "$0")/setup.sh"

# The programs, with vmstorm-sim wrapped so the test knows its pid.
W=$TMP/bin
mkdir -p "$W"
for p in vmstorm-collect vmstorm-analyze vmstorm-report; do ln -s "$BIN/$p" "$W/$p"; done
cat >"$W/vmstorm-sim" <<EOS
#!/bin/sh
echo \$\$ >>"$TMP/sim.pids"
exec "$BIN/vmstorm-sim" "\$@"
EOS
chmod +x "$W/vmstorm-sim"
export W

demo() { BIN=$W N=4 SPEED=20 DEMO_DIR=$1 bash "$TOP/scripts/demo.sh"; }
# no simulator the demo started is still running
sims_gone() {
    local pid
    for pid in $(cat "$TMP/sim.pids"); do
        if kill -0 "$pid" 2>/dev/null; then
            echo "vmstorm-sim $pid still runs"
            return 1
        fi
    done
}
export -f demo

check "the demo runs to the end" bash -c 'demo "$1/d" >"$1/demo.out" 2>&1' _ "$TMP"
cat "$TMP/demo.out"
check "it prints the statistics table" grep -q '^  storm   ready ' "$TMP/demo.out"
check "it prints the report's path and its page count" grep -q "demo: .*report, [0-9]* pages: $TMP/d/report.pdf" "$TMP/demo.out"
check "the report is a PDF of several pages" bash -c '[ "$(pdfinfo "$1" | sed -n "s/^Pages: *//p")" -ge 8 ]' _ "$TMP/d/report.pdf"
check "the analysis is beside it" test -s "$TMP/d/summary.json" -a -s "$TMP/d/vms.csv" -a -s "$TMP/d/fio.csv"
check "the run has fio from every VM" \
    bash -c '[ "$(jq -ne "[inputs | select(.kind == \"fio_result\" and .result == \"ok\")] | length" <"$1")" -eq 4 ]' _ "$TMP/d/run.ndjson"
check "the run was a boot storm on 4 VMs, recorded as simulated" \
    bash -c 'jq -ne "input | .simulated and .config.boot_storm and .config.end == 4" <"$1"' _ "$TMP/d/run.ndjson"
check "the run recorded the simulator's speed (its /version)" \
    bash -c 'jq -ne "input | .cluster.version.vmstormSim.speed == 20" <"$1"' _ "$TMP/d/run.ndjson"
check "the table says the model ran 20x real time" grep -q '(simulated cluster, model at 20x real time)' "$TMP/demo.out"
check "so does the report's first page" \
    bash -c 'pdftotext -f 1 -l 1 "$1" - | tr "\n" " " | grep -q "its model ran 20x real time"' _ "$TMP/d/report.pdf"
check "the simulator is stopped" sims_gone
check "a second demo replaces the first one's files" bash -c 'demo "$1/d" >/dev/null 2>&1' _ "$TMP"

# Ctrl-C while the collector waits: the collector cleans up, the demo stops the simulator.
: >"$TMP/sim.pids"
# a new session whose SIGINT is not ignored (a background job's is), as in a terminal
python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp("bash", ["bash", "-c", sys.argv[1], "_"] + sys.argv[2:])' \
    'BIN=$W N=4 SPEED=1 DEMO_DIR=$1/i bash "$2/scripts/demo.sh"' "$TMP" "$TOP" >"$TMP/intr.out" 2>&1 &
pid=$!
# interrupt once the 4 VMs are created (at --speed 1 none is Running for seconds)
vms_created() {
    [ "$(jq -c 'select(.kind == "api_request" and .verb == "create" and
                       .resource == "virtualmachines" and .status == 201)' "$TMP/i/run.ndjson" |
        wc -l)" -eq 4 ]
}
for _ in $(seq 200); do
    vms_created 2>/dev/null && break
    sleep 0.1
done
kill -INT -- "-$pid" # the terminal's Ctrl-C: the whole foreground group
rc=0
wait "$pid" || rc=$?
cat "$TMP/intr.out"
check "after Ctrl-C the demo exits non-zero" test "$rc" -ne 0
check "after Ctrl-C it says what happened" grep -q 'interrupted; the simulator is stopped' "$TMP/intr.out"
check "after Ctrl-C the VMs not ready are said to be interrupted, not timed out" \
    grep -q '^  4 VMs: 0 ready, 0 failed, 4 not ready when interrupted' "$TMP/intr.out"
check "after Ctrl-C the collector cleaned up" grep -q '^cleanup: ok' "$TMP/intr.out"
check "after Ctrl-C the simulator is stopped" sims_gone
check "after Ctrl-C what was recorded is readable" \
    bash -c '"$1" "$2" -f json | jq -ne "input | .run.status == \"interrupted\""' _ "$BIN/vmstorm-analyze" "$TMP/i/run.ndjson"

# A collector that fails: the simulator still stops.
: >"$TMP/sim.pids"
rm "$W/vmstorm-collect"
printf '#!/bin/sh\necho "vmstorm-collect: fails on purpose" >&2\nexit 1\n' >"$W/vmstorm-collect"
chmod +x "$W/vmstorm-collect"
check "a failing collector: the demo fails, naming it" expect 1 'vmstorm-collect failed \(exit 1\)' demo "$TMP/f"
check "a failing collector: the simulator is stopped" sims_gone

finish
