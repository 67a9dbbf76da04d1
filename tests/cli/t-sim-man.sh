#!/usr/bin/env bash
# t-sim-man.sh - vmstorm-sim's man page: its OPTIONS items are exactly the
# long options of sim/main.c's table (and --help names each, in lines of at
# most 80 columns), it renders without groff warnings, its FAULTS section has
# an item for every fault kind sim/faults.c parses, and TIMING MODEL names
# every key of sim/model.c.
. "$(dirname "$0")/setup.sh"

MAN=$TOP/man/vmstorm-sim.1
export MAN

check_man_options "$TOP/sim/main.c" "$MAN" "$BIN/vmstorm-sim" 18
check "every line of --help fits in 80 columns" \
    bash -c '"$0" --help >"$1" && test "$(wc -l <"$1")" -ge 10 && ! awk "length > 80" "$1" | grep .' \
    "$BIN/vmstorm-sim" "$TMP/help"

if command -v groff >/dev/null 2>&1; then
    check "the man page renders without groff warnings" \
        bash -c 'groff -man -ww -z "$MAN" 2>&1 | (! grep .)'
else
    echo "ok - the man page renders without groff warnings # skip: no groff"
fi

# The fault kinds of the parser: the strings of `known[] = {...};` in start_fault().
sed -n '/known\[\] = {/,/};/p' "$TOP/sim/faults.c" | grep -o '"[a-z][a-z-]*"' | tr -d '"' |
    sort -u >"$TMP/kinds"
# The kinds heading an item of FAULTS ("\fBwatch\-drop:every=..." -> watch-drop).
sed -n '/^\.SH FAULTS/,/^\.SH /p' "$MAN" | sed -n '/^\.TP/{n;p;}' | sed 's/\\-/-/g' |
    sed -n 's/^\\fB\([a-z][a-z-]*\).*/\1/p' | sort -u >"$TMP/man_kinds"
check "sim/faults.c's parser names its fault kinds (the list is read)" \
    test "$(wc -l <"$TMP/kinds")" -ge 5
check "every fault kind of the parser heads an item of FAULTS, and no other" \
    diff "$TMP/kinds" "$TMP/man_kinds"

# The keys of the --model table in sim/model.c: FIELD(name) lines.
sed -n 's/^ *FIELD(\([a-z_]*\)),$/\1/p' "$TOP/sim/model.c" | sort -u >"$TMP/keys"
check "every --model key of sim/model.c is in TIMING MODEL" bash -c '
    test "$(wc -l <"$1")" -ge 30 || { echo "only $(wc -l <"$1") keys read"; exit 1; }
    sed -n "/^\.SH TIMING MODEL/,/^\.SH /p" "$MAN" >"$1.sec"
    for k in $(cat "$1"); do grep -qw -- "$k" "$1.sec" || { echo "missing $k"; exit 1; }; done' \
    _ "$TMP/keys"

exit $_failed
