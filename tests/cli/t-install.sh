#!/usr/bin/env bash
# make install-files (what `make install` runs once everything is built) into
# a temporary DESTDIR: the four programs, their man pages and the bash
# completion land under PREFIX, the installed binaries run, and uninstall
# takes back exactly what install put there.
. "$(dirname "$0")/setup.sh"

ROOT=$TMP/root
PREFIX=/opt/vmstorm
VERSION=$(cat "$TOP/VERSION")
PROGS="vmstorm-collect vmstorm-analyze vmstorm-report vmstorm-sim"
# the build this test run belongs to (B is absolute here; the Makefile wants it
# as given); no MAKEFLAGS of an outer make, so nothing is rebuilt or overridden
REL_B=${B#"$TOP"/}
mk() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" B="$REL_B" \
        PREFIX="$PREFIX" DESTDIR="$ROOT" "$@"
}

check "make install-files succeeds" mk install-files
for p in $PROGS; do
    check "$p is installed executable in PREFIX/bin" test -x "$ROOT$PREFIX/bin/$p"
    check "the installed $p --version prints its name and VERSION" \
        bash -c '[ "$("$1" --version)" = "$2 $3" ]' _ "$ROOT$PREFIX/bin/$p" "$p" "$VERSION"
    check "$p(1) is installed and renders" \
        bash -c 'test -f "$1" && man -l "$1" 2>/dev/null | grep -Eq "^ +$2 - "' _ "$ROOT$PREFIX/share/man/man1/$p.1" "$p"
    check "bash completion for $p is installed under its name" \
        test -f "$ROOT$PREFIX/share/bash-completion/completions/$p"
done
check "nothing else is installed (binaries, man pages, completions: 12 files)" \
    test "$(find "$ROOT" -type f | wc -l)" -eq 12
check "the installed programs run from PREFIX alone (no build tree needed)" \
    bash -c 'cd / && "$1/bin/vmstorm-analyze" "$2/samples/minimal.ndjson" | grep -q "^Run "' \
    _ "$ROOT$PREFIX" "$TOP"
check "an installed completion file, sourced, completes all four programs" \
    bash --norc -c '. "$1"; for p in $2; do complete -p "$p" >/dev/null || exit 1; done' \
    _ "$ROOT$PREFIX/share/bash-completion/completions/vmstorm-sim" "$PROGS"
check "make uninstall succeeds" mk uninstall
check "uninstall removes every file install put there" \
    test "$(find "$ROOT" -type f | wc -l)" -eq 0

finish
