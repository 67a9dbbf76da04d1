#!/usr/bin/env bash
# vmstorm-collect's man page documents exactly the options of its table in
# collector/options.c, and so does its --help.
. "$(dirname "$0")/setup.sh"

SRC=$TOP/collector/options.c
MAN=$TOP/man/vmstorm-collect.1

# The option table: lines like `    LONG("start", 's', start, 0, INDEX_MAX),`.
table() {
    sed -n '/^static const struct opt_spec opt_specs\[\] = {/,/^};/p' "$SRC"
}
# Long names of the table, one a line, sorted.
table_longs() {
    table | sed -n 's/^ *[A-Z]*("\([a-z][a-z-]*\)".*/\1/p' | sort
}
# "s start" for each option with a short name.
table_shorts() {
    table | sed -n "s/^ *[A-Z]*(\"\\([a-z][a-z-]*\\)\", '\\(.\\)'.*/\\2 \\1/p" | sort
}
# The man page's OPTIONS section.
man_options() {
    sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$MAN"
}
# Long names in roff text on stdin ("\-\-vm\-name" -> "vm-name"), sorted, unique.
roff_longs() {
    grep -o '\\-\\-[a-z]\([a-z]\|\\-\)*' | sed 's/\\//g; s/^--//; s/-$//' | sort -u
}
# Long names that head an item (the line after .TP) of OPTIONS.
man_items() {
    man_options | sed -n '/^\.TP/{n;p;}' | roff_longs
}
# Long names anywhere in the page but example code (.EX ... .EE shows other tools too).
man_mentions() {
    sed '/^\.EX/,/^\.EE/d' "$MAN" | roff_longs
}
# "s start" for each item headed "\fB\-s\fR, \fB\-\-start\fR".
man_shorts() {
    man_options | sed -n '/^\.TP/{n;p;}' |
        sed -n 's/^\\fB\\-\([a-z]\)\\fR, \\fB\\-\\-\([a-z\\-]*\)\\fR.*/\1 \2/p' | sed 's/\\//g' | sort
}
export -f table table_longs table_shorts man_options roff_longs man_items man_mentions man_shorts
export SRC MAN

# same A B: the two commands print the same lines (a diff otherwise).
same() {
    diff <(bash -c "$1") <(bash -c "$2")
}
export -f same

check "the option table is found and has every option" \
    bash -c 'test "$(table_longs | wc -l)" -ge 37 && table_longs | grep -qx dry-run-cleanup'
check "the man page has an OPTIONS item for every option of the table, and no other" \
    same table_longs man_items
check "every --option the man page names (outside example code) is in the table" \
    bash -c 'comm -23 <(man_mentions) <(table_longs | sort -u) | (! grep .)'
check "the short options of the table are in the man page, with the same long names" \
    same table_shorts man_shorts
table_longs >"$TMP/longs"
check_help_options "$BIN/vmstorm-collect" "$TMP/longs"
check "the man page names each section a man page needs" \
    bash -c 'for s in NAME SYNOPSIS DESCRIPTION OPTIONS PROBES "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
                 grep -qx ".SH \"\\{0,1\\}$s\"\\{0,1\\}" "$MAN" || { echo "no section $s"; exit 1; }
             done'
check "the exit status table is the one of lib/error.h (0 1 2 3 130)" \
    bash -c 'sed -n "/^\.SH EXIT STATUS/,/^\.SH /p" "$MAN" | sed -n "/^\.TP/{n;p;}" | tr "\n" " " |
             grep -qx "\.B 0 \.B 1 \.B 2 \.B 3 \.B 130 "'
if command -v groff >/dev/null 2>&1; then
    check "the man page renders without warnings" \
        bash -c 'groff -man -Tutf8 -ww "$MAN" 2>&1 >/dev/null | (! grep .)'
else
    echo "ok - the man page renders without warnings # skip: no groff"
fi

finish
