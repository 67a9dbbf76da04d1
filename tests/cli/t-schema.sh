#!/usr/bin/env bash
# t-schema.sh - the event schema (schemas/event.schema.json), its validator
# (tests/schema/validate.py) and the hand-written sample (samples/minimal.ndjson).
. "$(dirname "$0")/setup.sh"

PY=$(find_python)
SCHEMA=$TOP/schemas/event.schema.json
SAMPLE=$TOP/samples/minimal.ndjson
VALIDATE=$TOP/tests/schema/validate.py

# mutate OUT KIND STATEMENT: copy the sample to $TMP/OUT, running the python
# STATEMENT on the first line of kind KIND (decoded as `o`).
cat >"$TMP/mutate.py" <<'EOF'
import json, sys
src, dst, kind, stmt = sys.argv[1:5]
done = False
with open(src) as f, open(dst, "w") as out:
    for line in f:
        o = json.loads(line)
        if not done and o["kind"] == kind:
            exec(stmt)
            line = json.dumps(o, separators=(",", ":")) + "\n"
            done = True
        out.write(line)
if not done:
    sys.exit("mutate.py: no line of kind " + kind)
EOF
mutate() {
    "$PY" "$TMP/mutate.py" "$SAMPLE" "$TMP/$1" "$2" "$3"
}

# rejected_for PATTERN FILE: the validator must reject FILE with a message
# matching PATTERN. Exits 1 (the expected failure) only then; if FILE is
# accepted, or rejected for another reason, says so and exits 0, so that the
# check_fails below reports "not ok".
rejected_for() {
    local pattern=$1 file=$2 rc=0
    "$PY" "$VALIDATE" "$SCHEMA" "$file" >"$TMP/why" 2>&1 || rc=$?
    cat "$TMP/why"
    if [ "$rc" -eq 1 ] && grep -q -- "$pattern" "$TMP/why"; then
        return 1
    fi
    if [ "$rc" -eq 0 ]; then
        echo "accepted, but should be rejected for: $pattern"
    else
        echo "exit $rc, but no message matches: $pattern"
    fi
    return 0
}

# The schema's kinds, and for every line of the sample and every field
# required there (envelope, body, nested objects, conditional requirements),
# a copy without that field must be rejected with one problem, naming the field.
cat >"$TMP/schema_checks.py" <<'EOF'
import copy, json, sys
sys.path.insert(0, sys.argv[1])
import jsonschema
from validate import Checker

schema = json.load(open(sys.argv[2]))
lines = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
what = sys.argv[4]
defs = schema["$defs"]
kinds = defs["envelope"]["properties"]["kind"]["enum"]

def resolve(s):
    while "$ref" in s and s["$ref"].startswith("#/$defs/"):
        sub = defs[s["$ref"][len("#/$defs/"):]]
        rest = {k: v for k, v in s.items() if k != "$ref"}
        yield rest
        s = sub
    yield s

def applicable(s, inst):
    """The subschemas that apply to inst: s itself, its $refs, allOf, matching if/then."""
    for r in resolve(s):
        yield r
        for sub in r.get("allOf", []):
            yield from applicable(sub, inst)
        if "if" in r and "then" in r and jsonschema.Draft202012Validator(r["if"]).is_valid(inst):
            yield from applicable(r["then"], inst)

def required_paths(s, inst, path=()):
    out = []
    if isinstance(inst, dict):
        for r in applicable(s, inst):
            out += [path + (k,) for k in r.get("required", []) if k in inst]
            props = r.get("properties", {})
            for k, v in inst.items():
                if k in props:
                    out += required_paths(props[k], v, path + (k,))
                elif isinstance(r.get("additionalProperties"), dict):
                    out += required_paths(r["additionalProperties"], v, path + (k,))
    elif isinstance(inst, list):
        for r in applicable(s, inst):
            if isinstance(r.get("items"), dict):
                for i, v in enumerate(inst):
                    out += required_paths(r["items"], v, path + (i,))
    return sorted(set(out), key=str)

if what == "kinds":
    missing = [k for k in kinds if k not in {o["kind"] for o in lines}]
    print("%d kinds in the schema, %d in the sample" % (len(kinds), len({o["kind"] for o in lines})))
    if missing:
        sys.exit("kinds missing from the sample: " + ", ".join(missing))
elif what == "dispatch":
    rules = {r["if"]["properties"]["kind"]["const"]: r["then"]["$ref"] for r in schema["allOf"]}
    bad = [k for k in kinds if rules.get(k) != "#/$defs/" + k or k not in defs
           or defs[k].get("unevaluatedProperties") is not False]
    if bad or set(rules) != set(kinds):
        sys.exit("kinds without a strict definition and dispatch rule: %s" % (bad or sorted(set(rules) ^ set(kinds))))
    def undocumented(s, where):
        bad = []
        for k, v in s.get("properties", {}).items():
            if "description" not in v:
                bad.append(where + "/" + k)
            bad += undocumented(v, where + "/" + k)
        for key in ("items", "additionalProperties"):
            if isinstance(s.get(key), dict):
                bad += undocumented(s[key], where + "/" + key)
        return bad
    bad = [p for name, d in defs.items() for p in undocumented(d, name)]
    if bad:
        sys.exit("fields without a description: " + ", ".join(bad))
elif what == "contract":
    # The required fields of version 1, written out here so that a change to
    # the schema's contract has to be made twice, on purpose.
    v1 = {
        "envelope": ["v", "seq", "wall_ns", "mono_ns", "kind"],
        "run_begin": ["run_id", "tool", "simulated", "config", "cluster", "clock"],
        "run_end": ["status", "counts"],
        "phase_begin": ["phase"],
        "phase_end": ["phase", "status"],
        "api_request": ["method", "verb", "resource", "status", "duration_ns"],
        "watch_event": ["resource", "type", "source", "namespace", "name", "uid", "resource_version", "changed"],
        "watch_restart": ["resource", "reason", "action", "resource_version"],
        "probe": ["namespace", "name", "uid", "ip", "method", "result", "attempts", "waited_ns"],
        "fio_result": ["namespace", "name", "result"],
        "metrics_scrape": ["source", "url", "phase", "at", "status", "text"],
        "warning": ["message", "code"],
        "error": ["message", "code"],
    }
    bad = ["%s: schema requires %s, version 1 says %s" % (k, sorted(defs[k].get("required", [])), sorted(r))
           for k, r in v1.items() if sorted(defs[k].get("required", [])) != sorted(r)]
    if sorted(kinds) != sorted(k for k in v1 if k != "envelope"):
        bad.append("kinds: schema has %s" % sorted(kinds))
    if schema.get("$id") != "urn:vmstorm:schema:event:1" or defs["envelope"]["properties"]["v"].get("const") != 1:
        bad.append("$id or v const is not version 1")
    if bad:
        sys.exit("\n".join(bad))
elif what == "mutants":
    checker = Checker(schema)
    tested, accepted = 0, []
    for n, o in enumerate(lines, 1):
        for path in required_paths({"$ref": "#/$defs/" + o["kind"]}, o):
            m = copy.deepcopy(o)
            parent = m
            for p in path[:-1]:
                parent = parent[p]
            del parent[path[-1]]
            tested += 1
            problems = checker.line_problems(m)
            # one problem, naming the field: errors must stay readable. Older
            # jsonschema (Debian's 4.10) adds that the invalid top-level member
            # was "unevaluated"; that follows from the same cause and is allowed.
            want = "'%s' is a required property" % path[-1]
            follow_up = "Unevaluated properties are not allowed ('%s' was unexpected)" % path[0]
            problems = [p for p in problems if not (len(path) > 1 and follow_up in p)]
            if len(problems) != 1 or want not in problems[0]:

                accepted.append("line %d (%s) without /%s: %s" % (n, o["kind"], "/".join(map(str, path)),
                                                                 problems or "accepted"))
    print("%d mutants (a required field removed) tested, %d not rejected with exactly that one problem" % (tested, len(accepted)))
    if accepted:
        print("\n".join(accepted))
        sys.exit(1)
elif what == "clocks":
    offsets = {o["wall_ns"] - o["mono_ns"] for o in lines}
    for a, b in zip(lines, lines[1:]):
        if b["wall_ns"] < a["wall_ns"] or b["mono_ns"] < a["mono_ns"]:
            sys.exit("time goes back at seq %d" % b["seq"])
    if len(offsets) != 1:
        sys.exit("wall_ns - mono_ns varies: %s" % sorted(offsets))
    if lines[-1]["counts"]["events"] != len(lines) - 1:
        sys.exit("run_end counts.events is %d, not %d" % (lines[-1]["counts"]["events"], len(lines) - 1))
    if not any(o["kind"] == "watch_event" and o["source"] == "relist" for o in lines):
        sys.exit("no watch_event with source relist")
    if not any(o["kind"] == "watch_restart" and o["reason"] == "expired" for o in lines):
        sys.exit("no watch_restart with reason expired")
EOF
schema_checks() {
    "$PY" "$TMP/schema_checks.py" "$TOP/tests/schema" "$SCHEMA" "$SAMPLE" "$1"
}

check "schema is a valid draft 2020-12 schema" \
    "$PY" -c 'import json, sys, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$SCHEMA"
check "every kind has a strict definition and a dispatch rule, every field a description" schema_checks dispatch
check "required fields of every kind are those of version 1" schema_checks contract
check "samples/minimal.ndjson validates" "$PY" "$VALIDATE" "$SCHEMA" "$SAMPLE"
check "every kind in the schema appears in the sample" schema_checks kinds
check "sample: clocks non-decreasing with one offset, relist and expired shown, events counted" schema_checks clocks
check "every required field removed from every sample line is rejected" schema_checks mutants
sed -n 's/^/# /p' "$TMP/out"

mutate bad-type.ndjson probe 'o["mono_ns"] = "12"'
check_fails "wrong type (mono_ns as a string) rejected" rejected_for "/mono_ns: '12' is not of type 'integer'" "$TMP/bad-type.ndjson"
mutate bad-kind.ndjson probe 'o["kind"] = "probe_result"'
check_fails "unknown kind rejected" rejected_for "/kind: 'probe_result' is not one of" "$TMP/bad-kind.ndjson"
mutate bad-extra.ndjson probe 'o["colour"] = "blue"'
check_fails "unknown extra property rejected" rejected_for "'colour' was unexpected" "$TMP/bad-extra.ndjson"
mutate bad-nested.ndjson run_begin 'o["clock"]["tz"] = "UTC"'
check_fails "unknown property in a nested object rejected" rejected_for "/clock: Additional properties are not allowed ('tz'" "$TMP/bad-nested.ndjson"
sed 5d "$SAMPLE" >"$TMP/bad-gap.ndjson"
check_fails "seq gap rejected" rejected_for ":5: seq is 5, expected 4" "$TMP/bad-gap.ndjson"
sed 1d "$SAMPLE" >"$TMP/bad-first.ndjson"
check_fails "file not starting with run_begin rejected" rejected_for "first line must be kind run_begin" "$TMP/bad-first.ndjson"
head -c -20 "$SAMPLE" >"$TMP/bad-truncated.ndjson"
check_fails "truncated file rejected" rejected_for "truncated final line" "$TMP/bad-truncated.ndjson"
mutate bad-version.ndjson probe 'o["v"] = 2'
check_fails "version 2 line rejected" rejected_for "v is 2, this schema is version 1" "$TMP/bad-version.ndjson"
mutate bad-fio.ndjson fio_result 'o.update(result="failed"); del o["fio"]'
check_fails "failed fio_result without error rejected" rejected_for "'error' is a required property" "$TMP/bad-fio.ndjson"
mutate bad-time.ndjson run_begin 'o["started_at"] = "2026-11-20 10:00:00"'
check_fails "bad date-time rejected" rejected_for "/started_at: '2026-11-20 10:00:00' is not a 'date-time'" "$TMP/bad-time.ndjson"
mutate bad-cred.ndjson run_begin 'o["cluster"]["server"] = "https://admin:secret@127.0.0.1:6443"'
check_fails "server URL with credentials rejected" rejected_for "/cluster/server: 'https://admin:secret@" "$TMP/bad-cred.ndjson"
mutate bad-tracked.ndjson watch_event 'o["changed"]["labels"] = "x"'
check_fails "untracked field in changed rejected" rejected_for "/changed: 'labels' is not one of" "$TMP/bad-tracked.ndjson"

finish
