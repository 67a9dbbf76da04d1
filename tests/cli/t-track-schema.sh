#!/usr/bin/env bash
# t-track-schema.sh - the watch_event bodies lib/track.c builds are valid under
# schemas/event.schema.json: test_track writes every body it builds, in an
# envelope, to $TRACK_SAMPLE_OUT; each line is checked with validate.py's
# Checker, and the lines must cover every resource, type and source.
. "$(dirname "$0")/setup.sh"

PY=$(find_python)
SAMPLES=$TMP/track.ndjson

cat >"$TMP/check_lines.py" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
from validate import Checker

checker = Checker(json.load(open(sys.argv[2])))
lines = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
bad = 0
for n, o in enumerate(lines, 1):
    for p in checker.line_problems(o):
        print("line %d: %s" % (n, p))
        bad += 1
if len(lines) < 20:
    print("only %d lines: expected at least 20" % len(lines))
    bad += 1
want = {
    "resource": {"virtualmachines", "virtualmachineinstances", "datavolumes", "pods"},
    "type": {"ADDED", "MODIFIED", "DELETED"},
    "source": {"watch", "relist"},
}
for key, values in want.items():
    missing = values - {o.get(key) for o in lines}
    if missing:
        print("no line with %s %s" % (key, sorted(missing)))
        bad += 1
server = [o.get("server", {}) for o in lines]
covered = {
    "a null in changed": any(None in o["changed"].values() for o in lines),
    "an empty changed": any(not o["changed"] for o in lines),
    "server.creation": any("creation" in s for s in server),
    "server.deletion": any("deletion" in s for s in server),
    "server.phase_transitions": any("phase_transitions" in s for s in server),
    "server.conditions with last_transition": any(
        "last_transition" in c for s in server for c in s.get("conditions", {}).values()),
}
for what, ok in covered.items():
    if not ok:
        print("no line with " + what)
        bad += 1
print("%d lines checked" % len(lines))
sys.exit(1 if bad else 0)
EOF

check "test_track writes its bodies" env TRACK_SAMPLE_OUT="$SAMPLES" "$B/tests/test_track"
check "every body is a valid watch_event covering all resources, types and sources" \
    "$PY" "$TMP/check_lines.py" "$TOP/tests/schema" "$TOP/schemas/event.schema.json" "$SAMPLES"
sed -n 's/^/# /p' "$TMP/out"

# The same lines framed as a run file pass validate.py whole.
run_file() {
    head -n 1 "$TOP/samples/minimal.ndjson"
    cat "$SAMPLES"
    n=$(($(wc -l <"$SAMPLES") + 1))
    "$PY" -c 'import json, sys
o = json.loads(sys.stdin.readline())
o["seq"] = int(sys.argv[1]); o["counts"]["events"] = int(sys.argv[1])
print(json.dumps(o, separators=(",", ":")))' "$n" <<<"$(tail -n 1 "$TOP/samples/minimal.ndjson")"
}
run_file >"$TMP/run.ndjson"
check "the bodies framed as a run file pass validate.py" \
    "$PY" "$TOP/tests/schema/validate.py" "$TOP/schemas/event.schema.json" "$TMP/run.ndjson"

# The checker must be able to fail: a body with an untracked field is rejected.
"$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l); o["changed"]["labels"] = "x"; print(json.dumps(o)); break' \
    "$SAMPLES" >"$TMP/bad.ndjson"
check_fails "a body with an untracked changed field is rejected" \
    "$PY" "$TMP/check_lines.py" "$TOP/tests/schema" "$TOP/schemas/event.schema.json" "$TMP/bad.ndjson"

finish
