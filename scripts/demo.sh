#!/usr/bin/env bash
# make demo: simulator -> collector -> analyzer -> report, on loopback.
# Until all four programs exist, it says which are missing and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for p in vmstorm-sim:3 vmstorm-collect:4 vmstorm-analyze:5 vmstorm-report:6; do
    name=${p%%:*}
    issue=${p##*:}
    [ -x "bin/$name" ] || missing+=("$name (issue #$issue)")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "demo: built lib/libvmstorm.a and the tests; the demo is not available yet."
    echo "demo: missing programs:"
    printf 'demo:   %s\n' "${missing[@]}"
    echo "demo: meanwhile 'make check' runs the test suite."
    exit 0
fi
echo "demo: all programs present, but the demo script lands with issue #7" >&2
exit 1
