#!/usr/bin/env bash
# t-analyze.sh - vmstorm-analyze on the samples: golden files, an independent
# recomputation, bad input, baseline, gates and trend.
. "$(dirname "$0")/setup.sh"

A=$BIN/vmstorm-analyze
PY=$(find_python)
GOLD=$TOP/samples
S20=$TOP/samples/storm-20.ndjson
MIN=$TOP/samples/minimal.ndjson

valid_summary() { valid_json "$TOP/schemas/summary.schema.json" "$1"; }

export PY
export -f valid_summary

# golden NAME RUN: -o DIR output equals samples/NAME byte for byte
golden() {
    local name=$1 run=$2 f rc=0
    rm -rf "$TMP/g-$name"
    "$A" "$run" -o "$TMP/g-$name" >"$TMP/g-$name.txt" || return 1
    for f in summary.json vms.csv api_calls.csv fio.csv; do
        cmp "$GOLD/$name/$f" "$TMP/g-$name/$f" || { diff -u "$GOLD/$name/$f" "$TMP/g-$name/$f" | head -20; rc=1; }
    done
    cmp "$GOLD/$name/table.txt" "$TMP/g-$name.txt" || { diff -u "$GOLD/$name/table.txt" "$TMP/g-$name.txt" | head -20; rc=1; }
    return $rc
}

# --- golden files and the schema ---------------------------------------------
check "golden: samples/minimal.ndjson" golden minimal "$MIN"
check "golden: samples/storm-20.ndjson" golden storm-20 "$S20"
check "golden: samples/storm-1000.ndjson.gz, read through gzip" golden storm-1000 "$TOP/samples/storm-1000.ndjson.gz"
check "a gzip'd run on stdin reads as the file does" \
    bash -c 'gzip -c "$1" | "$0" - -f json | jq -S "del(.run.file, .input.file)" >"$3/a.json" &&
        "$0" "$1" -f json | jq -S "del(.run.file, .input.file)" | cmp - "$3/a.json"' "$A" "$S20" "$TMP"
head -c 200000 "$TOP/samples/storm-1000.ndjson.gz" >"$TMP/cut.ndjson.gz"
check "a cut-off .gz: exit 1 naming the file and the line where the text ends" \
    expect 1 'cut\.ndjson\.gz:[0-9]+: compressed data ends early' "$A" "$TMP/cut.ndjson.gz"
check "summary.json of minimal is valid under schemas/summary.schema.json" valid_summary "$TMP/g-minimal/summary.json"
check "summary.json of storm-20 is valid under the schema" valid_summary "$TMP/g-storm-20/summary.json"
check "--format json prints summary.json" bash -c '"$0" "$1" --format json | cmp - "$2"' "$A" "$S20" "$GOLD/storm-20/summary.json"
check "--format csv prints vms.csv" bash -c '"$0" "$1" --format csv | cmp - "$2"' "$A" "$S20" "$GOLD/storm-20/vms.csv"

# --- the figures, recomputed independently -----------------------------------
check "storm-20: running/ready/stop figures match an independent computation" \
    "$PY" "$TOP/tests/analyze/independent.py" "$S20" "$TMP/g-storm-20/summary.json"
check "minimal: the same" "$PY" "$TOP/tests/analyze/independent.py" "$MIN" "$TMP/g-minimal/summary.json"

check "minimal: DataVolume clone times are first sight to Succeeded (recomputed with jq)" bash -c '
    want=$(jq -s "[group_by(.uid)[] | (map(select(.changed.phase == \"Succeeded\")) | .[0].mono_ns) - (.[0].mono_ns)] | max / 1e9" \
        <(jq -c "select(.kind == \"watch_event\" and .resource == \"datavolumes\")" "$1"))
    jq -ne --argjson w "$want" "input | (.datavolumes.create.done.max - \$w | fabs) < 1e-9 and .datavolumes.create.succeeded == 2" "$0"' \
    "$TMP/g-minimal/summary.json" "$MIN"

# the sample has VMs whose start failed (CrashLoopBackOff): censored, listed, kept out of the figures
check "storm-20: the failed VM starts are censored, not averaged" \
    jq -ne 'input | .phases.create.ready.censored >= 1 and .phases.create.ready.ok + .phases.create.ready.censored == 20
            and (.not_reached | length) == (.phases.create.ready.censored + .phases.storm.ready.censored)
            and ([.not_reached[] | select(.status == "ready")] | length) == 0' "$TMP/g-storm-20/summary.json"
check "storm-20: censored VMs have empty ready cells in vms.csv" \
    bash -c 'test "$(awk -F, "NR > 1 && \$6 != \"ready\" && \$14 == \"\"" "$0" | wc -l)" = "$(jq -ne "input | .not_reached | length" "$1")"' \
    "$TMP/g-storm-20/vms.csv" "$TMP/g-storm-20/summary.json"
check "storm-20: multipliers are storm/create and carry a verdict" \
    jq -ne 'input | (.multipliers.running.p95 - (.phases.storm.running.p95 / .phases.create.running.p95) | fabs) < 1e-6
            and (.multipliers.running.verdict | IN("good", "concerning", "critical"))' "$TMP/g-storm-20/summary.json"
check "storm-20: the simulator's clock is the collector's (offset within 1 s, consistent)" \
    jq -ne 'input | .clock.consistent and (.clock.offset_s | fabs) < 1 and .clock.samples > 20' "$TMP/g-storm-20/summary.json"

# events out of order: a file's lines are in write order (seq 0, 1, 2...), which is not
# time order (an event is written when complete). Reorder, then renumber seq as a writer would.
renumber() { awk '{ sub(/"seq":[0-9]+/, "\"seq\":" (NR - 1)); print }'; }
export -f renumber
check "lines out of order, 8 at a time reversed: the same summary" bash -c '
    { head -1 "$1"; tail -n +2 "$1" | awk "{ b[NR % 8] = \$0 } NR % 8 == 0 { for (i = 7; i >= 0; i--) print b[i] }
        END { for (i = NR % 8; i >= 1; i--) print b[i] }"; } | renumber > "$3/rev.ndjson"
    test "$(wc -l < "$3/rev.ndjson")" = "$(wc -l < "$1")" && ! cmp -s "$3/rev.ndjson" "$1" &&
    "$0" "$3/rev.ndjson" --format json | sed "s/rev.ndjson/storm-20.ndjson/" | cmp - "$2"' \
    "$A" "$S20" "$GOLD/storm-20/summary.json" "$TMP"
# a whole shuffle puts metrics scrapes' ends before their begins: all but the API counters agree
check "lines shuffled: the same figures (API counters aside)" bash -c '
    { head -1 "$1"; tail -n +2 "$1" | shuf --random-source=<(yes); } | renumber > "$3/shuf.ndjson"
    diff <("$0" "$3/shuf.ndjson" --format json | jq -S "del(.api_calls, .input.file)") \
         <(jq -S "del(.api_calls, .input.file)" "$2")' \
    "$A" "$S20" "$GOLD/storm-20/summary.json" "$TMP"

# --- hand-made cases (tests/analyze/cases): starts that went wrong in the ways clusters do --
C=$TOP/tests/analyze/cases
sj() { "$A" "$C/$1.ndjson" --format json 2>/dev/null; }
check "a start no VMI followed is a censored episode, listed as no_vmi" bash -c '
    "$0" "$1/novmi.ndjson" --format json | jq -ne "input | .phases.create.vms == 2 and .phases.create.vmi_created.censored == 1
        and .phases.create.ready.censored == 1 and ([.not_reached[] | .status] == [\"no_vmi\"])"' "$A" "$C"
check "a stop that never finished is censored in stop.stopped" bash -c '
    "$0" "$1/stuckstop.ndjson" --format json | jq -ne "input | .phases.stop.stopped.ok == 1 and .phases.stop.stopped.censored == 1"' "$A" "$C"
check "8 of 10 storm VMs never ready: verdict critical, whatever the survivors' P95" bash -c '
    "$0" "$1/mostfail.ndjson" --format json | jq -ne "input | .multipliers.ready.verdict == \"critical\"
        and (.multipliers.ready.verdict_reason | test(\"8 of the storm.s 10\")) and (.not_reached | length) == 8"' "$A" "$C"
check "a VMI KubeVirt replaced after failures is the same start, measured to its success" bash -c '
    "$0" "$1/restart.ndjson" --format json | jq -ne "input | .phases.storm.vms == 1 and .phases.storm.ready.ok == 1
        and .phases.storm.ready.censored == 0 and .not_reached == []"' "$A" "$C"
check "... and vms.csv keeps the replaced VMIs, marked" bash -c '
    test "$("$0" "$1/restart.ndjson" --format csv | grep -c ",replaced,")" = 2' "$A" "$C"
check "a probe time before its start is dropped and counted, never a negative duration" bash -c '
    "$0" "$1/neg.ndjson" --format json | jq -ne "input | .input.dropped_milestones == 1 and .phases.create.ready.min >= 0
        and .phases.create.ready.censored == 1"' "$A" "$C"
check "a VMI first seen Running after a relist: Scheduled and VM Running not censored" bash -c '
    "$0" "$1/relist.ndjson" --format json | jq -ne "input | .phases.storm.scheduled.ok == 1 and .phases.storm.vm_running.ok == 1"' "$A" "$C"
check "a VMI that was there before the first phase is not a start" bash -c '
    "$0" "$1/pre.ndjson" --format json | jq -ne "input | (.phases | keys) == [\"create\"] and .phases.create.vms == 1 and .not_reached == []"' "$A" "$C"
check "a file with only run_begin: an empty analysis, not a crash" expect 0 'no run_end' "$A" "$C/onlybegin.ndjson"
check "copied lines (seq repeated) are skipped and counted" bash -c '
    sed p "$1" > "$2/dup.ndjson"; "$0" "$2/dup.ndjson" --format json | jq -ne "input | .input.repeated_lines == 121 and .input.events == 121
        and .phases.create.running.ok == 2"' "$A" "$MIN" "$TMP"
check "lost lines (seq gaps) are reported" expect 0 '2 lines are missing \(gaps in seq\)' bash -c 'sed "20,21d" "$1" | "$0" - -o "$2/gap"' "$A" "$MIN" "$TMP"
for c in novmi stuckstop mostfail restart neg relist pre onlybegin; do
    sj "$c" >"$TMP/case-$c.json"
done
check "every hand-made case's summary is valid under the schema" bash -c '
    for c in novmi stuckstop mostfail restart neg relist pre onlybegin; do valid_summary "$0/case-$c.json" || { echo "case $c"; exit 1; }; done' "$TMP"

# --- bad input ------------------------------------------------------------------
sed '5s/.*/{"v":1,"seq":4,"wall_ns":1,"mono_ns":1,"kind":"probe",/' "$S20" >"$TMP/bad.ndjson"
check "a malformed line stops the analysis with file:line (exit 3)" \
    expect 3 'bad\.ndjson:5:54: invalid JSON' "$A" "$TMP/bad.ndjson"
check "--skip-bad-lines counts it and analyses the rest" \
    expect 0 'skipped 1 malformed line \(first: .*bad\.ndjson:5' "$A" "$TMP/bad.ndjson" --skip-bad-lines -o "$TMP/skip"
check "... and says so in summary.json" \
    jq -ne 'input | .input.bad_lines_skipped == 1 and (.input.first_bad_line | test("bad.ndjson:5"))' "$TMP/skip/summary.json"
head -c -200 "$S20" >"$TMP/cut.ndjson"
check "a truncated last line is reported and the rest analysed" \
    expect 0 'cut\.ndjson:[0-9]+: truncated last line.*analysed' "$A" "$TMP/cut.ndjson" -o "$TMP/cut"
check "... the run counts as unfinished (no run_end)" \
    jq -ne 'input | .run.status == "unfinished" and .input.truncated_last_line' "$TMP/cut/summary.json"
sed '1s/^{"v":1,/{"v":2,/' "$S20" >"$TMP/v2.ndjson"
check "a newer schema version is refused, even with --skip-bad-lines" \
    expect 3 'v2\.ndjson:1: unsupported schema version 2' "$A" "$TMP/v2.ndjson" --skip-bad-lines
: >"$TMP/empty.ndjson"
check "an empty file is refused" expect 3 'empty file is not a run' "$A" "$TMP/empty.ndjson"
tail -n +2 "$S20" >"$TMP/nobegin.ndjson"
check "a file without run_begin is refused" expect 3 'no run_begin' "$A" "$TMP/nobegin.ndjson"
check "a missing file: exit 1 naming it" expect 1 'nosuch\.ndjson' "$A" "$TMP/nosuch.ndjson"
check "no file: usage (exit 2)" expect 2 'no run file given' "$A"
check "a bad --format: usage (exit 2)" expect 2 "'xml' is not one of" "$A" "$S20" --format xml
check "a full disk on stdout: exit 1" expect 1 'cannot write to standard output' bash -c '"$0" "$1" --format json >/dev/full' "$A" "$S20"
check "an output dir that cannot be made: exit 1, nothing half-written" \
    expect 1 'cannot create' "$A" "$S20" -o /dev/null/x

# --- baseline, gates, trend -------------------------------------------------------
check "--baseline puts each statistic beside the baseline's" \
    expect 0 'Against baseline sample-minimal' "$A" "$S20" --baseline "$MIN" -o "$TMP/base"
check "... with the change in percent" jq -ne 'input | .baseline.changes[] | select(.key == "create.running.p95")
    | (.change_pct - ((.value - .baseline) / .baseline * 100) | fabs) < 0.01' "$TMP/base/summary.json"
check "... and the same schema" valid_summary "$TMP/base/summary.json"
cat >"$TMP/gates-ok" <<'EOF'
# passes on the sample
storm.running.p95 <= 600
create.running.ok >= 18
multipliers.running.verdict != critical
EOF
printf 'storm.running.p95 <= 600\nstorm.ready.censored == 0   # fails: a VM never came up\ncleanup.running.p50 < 1\n' >"$TMP/gates-bad"
check "passing gates: exit 0" expect 0 '0 of 3 gates failed' "$A" "$S20" --thresholds "$TMP/gates-ok"
check "a failing gate: exit 4, listing which" \
    expect 4 'FAIL  storm\.ready\.censored == 0: [0-9]+ is not == 0' "$A" "$S20" --thresholds "$TMP/gates-bad"
check "a gate on a phase that did not run fails (no evidence, no pass)" \
    expect 4 'FAIL  cleanup\.running\.p50 < 1: not in this run' "$A" "$S20" --thresholds "$TMP/gates-bad"
printf 'storm.running.p95 <= 60\nstorm.runing.p95 <= 60\n' >"$TMP/gates-typo"
check "a typo in the thresholds file: exit 3 with file:line" \
    expect 3 "gates-typo:2: 'storm\.runing\.p95': unknown milestone 'runing'" "$A" "$S20" --thresholds "$TMP/gates-typo"
check "--trend writes one row per run, oldest first" \
    expect 0 'sample-storm-20' "$A" --trend "$S20" "$MIN" -o "$TMP/trend"
check "... trend.csv: header and 2 rows, by start time" bash -c '
    test "$(wc -l <"$0")" = 3 && test "$(cut -d, -f2 "$0" | tail -n +2 | tr "\n" " ")" = "sample-minimal sample-storm-20 "' \
    "$TMP/trend/trend.csv"
check "--trend needs -o" expect 2 'needs -o DIR' "$A" --trend "$S20"

# --- the documentation --------------------------------------------------------------
# every long option of analyzer/main.c is in --help and heads an item of the man page's OPTIONS
check_man_options "$TOP/analyzer/main.c" "$TOP/man/vmstorm-analyze.1" "$A" 9

exit $_failed
