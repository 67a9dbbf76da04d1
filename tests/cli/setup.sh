# tests/cli/setup.sh - sourced by every tests/cli/t-*.sh script.
#
# Each script reports one line per check: "ok - NAME" or "not ok - NAME"
# (tests/run.sh counts them), and exits non-zero if any check failed.
set -eu
export LC_ALL=C



TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B=$TOP/$B ;; esac
BIN=${BIN:-bin}
case "$BIN" in /*) ;; *) BIN=$TOP/$BIN ;; esac
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmstorm-test.XXXXXX")
export TOP B BIN TMP

trap 'rm -rf "$TMP"' EXIT
_failed=0

# A python3 that can import jsonschema (Debian's python3-jsonschema lives in
# /usr/bin/python3, which need not be the first python3 on PATH).
find_python() {
    for py in "${PYTHON:-python3}" /usr/bin/python3 python3; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import jsonschema' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    echo "setup.sh: no python3 with jsonschema; run scripts/install-deps.sh" >&2
    return 1
}


# A check must be able to fail: beware commands that succeed on empty input
# (`jq -e` does; use `jq -ne 'input | EXPR'`, which fails without input).

# check NAME CMD...: CMD must succeed.

check() {
    local name=$1
    shift

    if "$@" >"$TMP/out" 2>&1; then
        echo "ok - $name"
    else
        echo "not ok - $name"
        sed 's/^/#   /' "$TMP/out" | head -40
        _failed=1
    fi
}

# check_fails NAME CMD...: CMD must fail (exit non-zero, not by a signal).
check_fails() {
    local name=$1 rc=0
    shift

    "$@" >"$TMP/out" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ]; then
        echo "ok - $name"
    else
        echo "not ok - $name (exit $rc)"
        sed 's/^/#   /' "$TMP/out" | head -40
        _failed=1
    fi
}

# check_output NAME EXPECTED_FILE CMD...: CMD's stdout+stderr equals the file.
check_output() {
    local name=$1 expected=$2
    shift 2
    "$@" >"$TMP/out" 2>&1 || true
    if cmp -s "$expected" "$TMP/out"; then
        echo "ok - $name"
    else
        echo "not ok - $name"
        diff -u "$expected" "$TMP/out" | sed 's/^/#   /' | head -40
        _failed=1
    fi
}

finish() {
    exit "$_failed"
}

# check_man_options SRC MAN PROG MIN: the long options of SRC's getopt table
# (at least MIN of them, so the table was read) are exactly those heading an
# item of MAN's OPTIONS section, and PROG --help names every one.
check_man_options() {
    local src=$1 man=$2 prog=$3 min=$4
    grep -o '{"[a-z][a-z-]*", \(no\|required\)_argument' "$src" | sed 's/{"\([^"]*\)".*/\1/' |
        sort >"$TMP/longs"
    sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" | sed -n '/^\.TP/{n;p}' |
        grep -o '\\-\\-[a-z]\([a-z]\|\\-\)*' | sed 's/\\//g; s/^--//' | sort -u >"$TMP/man_longs"
    check "$(basename "$src") has its options (the table is read)" test "$(wc -l <"$TMP/longs")" -ge "$min"
    check "the man page documents exactly the options" diff "$TMP/longs" "$TMP/man_longs"
    check_help_options "$prog" "$TMP/longs"
}

# check_help_options PROG LONGS: PROG --help names exactly the long options
# listed in the file LONGS (one a line, sorted): none missing, none unknown.
check_help_options() {
    check "--help names every option, and only options that exist" \
        bash -c 'diff "$1" <("$0" --help | grep -o -- "--[a-z][a-z-]*" | sed "s/^--//" | sort -u)' \
        "$1" "$2"
}

# expect CODE PATTERN CMD...: CMD exits with CODE and its output (shown, and in
# $TMP/got) matches PATTERN (grep -E). Exported for checks run through bash -c.
expect() {
    local code=$1 pattern=$2 rc=0
    shift 2
    "$@" >"$TMP/got" 2>&1 || rc=$?
    cat "$TMP/got"
    if [ "$rc" -ne "$code" ]; then
        echo "exit $rc, expected $code"
        return 1
    fi
    grep -Eq -- "$pattern" "$TMP/got"
}
export -f expect

# valid_json SCHEMA FILE: FILE (one JSON document) is valid under SCHEMA; needs $PY.
valid_json() {
    "$PY" - "$1" "$2" <<'EOF'
import json, sys, jsonschema
schema, doc = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.Draft202012Validator.check_schema(schema)
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
for e in errors:
    print(list(e.absolute_path), e.message)
sys.exit(1 if errors else 0)
EOF
}
export -f valid_json
