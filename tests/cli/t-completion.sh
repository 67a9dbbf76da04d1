#!/usr/bin/env bash
# t-completion.sh - completion/vmstorm.bash: the options offered are exactly
# those of each program's --help; what follows an option (files, directories,
# fixed words, kubeconfig contexts, nothing) and the operands; "--opt=value";
# loading under each program's name. With bash-completion loaded (when it is
# installed) and without it.
. "$(dirname "$0")/setup.sh"

CS=$TOP/completion/vmstorm.bash
# BASH_COMPLETION_FILE: another bash_completion (or none: a path that does not exist)
BC=${BASH_COMPLETION_FILE:-/usr/share/bash-completion/bash_completion}
export CS BC

MODES=plain
if [ -f "$BC" ]; then
    MODES="plain bc"
else
    echo "# $BC absent (package bash-completion): testing without it only"
fi

# The shell that completes, run as: bash -c "$COMP_SH" _ MODE LINE. MODE bc
# loads bash-completion first, plain does not. LINE (the cursor at its end) is
# split into COMP_WORDS as readline does: blanks separate words, and "=" and
# ":" (in COMP_WORDBREAKS) are words of their own. The function registered for
# the command is called, then COMPREPLY printed one a line. $COMP_PATH, when
# set, is the PATH the completion function runs with.
COMP_SH='
set -u
mode=$1 line=$2
if [ "$mode" = bc ]; then
    . "$BC" || exit 1
    declare -F _init_completion >/dev/null || { echo "bash-completion not loaded"; exit 1; }
else
    ! declare -F _init_completion >/dev/null || { echo "bash-completion loaded"; exit 1; }
fi
. "$CS" || exit 1
split=${line//=/ = }
split=${split//:/ : }
read -ra COMP_WORDS <<<"$split"
case $line in *[[:space:]]) COMP_WORDS+=("") ;; esac
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
spec=$(complete -p "${COMP_WORDS[0]}") || exit 1
f=${spec#*-F }
f=${f%% *}
[ -n "${COMP_PATH:-}" ] && PATH=$COMP_PATH
"$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
[ "${#COMPREPLY[@]}" -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
'

# comp MODE LINE: what completing LINE offers, sorted, one a line. Fails when
# the shell fails or anything is written to stderr (completion must be quiet).
comp() {
    local out
    out=$(env -u BASH_ENV COMP_PATH="${COMP_PATH:-}" bash --norc --noprofile -c "$COMP_SH" _ "$1" "$2" \
        2>"$TMP/comp.err") ||
        { echo "$out"; cat "$TMP/comp.err"; return 1; }
    if [ -s "$TMP/comp.err" ]; then
        echo "stderr:"
        cat "$TMP/comp.err"
        return 1
    fi
    [ -z "$out" ] || printf '%s\n' "$out" | sort
}

# offers_exactly MODE LINE WORD...: LINE offers the WORDs, no more, no fewer
# (no WORD: nothing at all).
offers_exactly() {
    local mode=$1 line=$2
    shift 2
    comp "$mode" "$line" >"$TMP/got.c" || { cat "$TMP/got.c"; return 1; }
    { [ $# -eq 0 ] || printf '%s\n' "$@"; } | sort >"$TMP/want.c"
    diff "$TMP/want.c" "$TMP/got.c"
}

# offers MODE LINE +WORD... -WORD...: LINE offers every +WORD and no -WORD.
offers() {
    local mode=$1 line=$2 w rc=0
    shift 2
    comp "$mode" "$line" >"$TMP/got.c" || { cat "$TMP/got.c"; return 1; }
    for w in "$@"; do
        case $w in
        +*) grep -qxF -- "${w#+}" "$TMP/got.c" || { echo "does not offer '${w#+}'"; rc=1; } ;;
        -*) ! grep -qxF -- "${w#-}" "$TMP/got.c" || { echo "offers '${w#-}'"; rc=1; } ;;
        esac
    done
    [ "$rc" -eq 0 ] || { echo "offered:"; cat "$TMP/got.c"; }
    return "$rc"
}

# with_path DIRS CMD...: CMD, the completion functions running with PATH=DIRS.
with_path() {
    local COMP_PATH=$1
    shift
    "$@"
}

# each_opt MODE PROG WORD WANT OPTION...: "PROG OPTION WORD" offers just WANT,
# for each OPTION.
each_opt() {
    local mode=$1 prog=$2 word=$3 want=$4 o
    shift 4
    for o in "$@"; do
        offers_exactly "$mode" "$prog $o $word" "$want" || { echo "(after $o)"; return 1; }
    done
}

# help_longs PROG: the long options PROG --help names (in its option list or
# in a description), sorted. help_shorts PROG: the "-x," of its option list.
help_longs() {
    "$BIN/$1" --help | grep -oE '(^|[^[:alnum:]-])--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*' |
        sed 's/-*$//' | sort -u
}
help_shorts() {
    "$BIN/$1" --help | grep -oE '^ +-[[:alnum:]],' | grep -oE -- '-[[:alnum:]]' | sort -u
}

# src_opts PROG: the options of PROG's getopt table, "OPTION value" or
# "OPTION flag", long and short.
src_opts() {
    case $1 in
    vmstorm-collect)
        sed -nE 's/^ *(FLAG|LONG|DBL|STR|SPECIAL)\("([a-z-]+)"(, *'"'"'(.)'"'"')?.*/\1 \2 \4/p' \
            "$TOP/collector/options.c" | while read -r kind name short; do
            [ "$kind" = FLAG ] && kind=flag || kind=value
            echo "--$name $kind"
            [ -z "$short" ] || echo "-$short $kind"
        done
        ;;
    *)
        local src
        src=$TOP/${1#vmstorm-}/main.c
        [ "$1" = vmstorm-analyze ] && src=$TOP/analyzer/main.c
        grep -oE '\{"[a-z][a-z-]*", (no|required)_argument' "$src" |
            sed -E 's/\{"([^"]*)", no_.*/--\1 flag/; s/\{"([^"]*)", required_.*/--\1 value/'
        # the short options of getopt_long's string: "x:" takes a value
        grep -oE 'getopt_long\(argc, argv, "[^"]*"' "$src" | sed -E 's/.*"(.*)"/\1/; s/^://' |
            grep -oE '[[:alnum:]]:?' | sed -E 's/^(.):$/-\1 value/; s/^(.)$/-\1 flag/'
        ;;
    esac
}

# follows_src MODE PROG MIN: for each of the (at least MIN) options of PROG's
# getopt table, completing the word after it offers options exactly when the
# option takes no value ("PROG --nodes --" offers none; "PROG --tls --" all).
follows_src() {
    local mode=$1 prog=$2 min=$3 opt kind n=0 rc=0
    help_longs "$prog" >"$TMP/all.c"
    src_opts "$prog" >"$TMP/src.c"
    while read -r opt kind; do
        n=$((n + 1))
        comp "$mode" "$prog $opt --" >"$TMP/after.c" || { cat "$TMP/after.c"; return 1; }
        if [ "$kind" = flag ] && ! cmp -s "$TMP/all.c" "$TMP/after.c"; then
            echo "$opt takes no value, but the options are not offered after it"
            rc=1
        elif [ "$kind" = value ] && [ -s "$TMP/after.c" ]; then
            echo "$opt takes a value, but after it: $(tr '\n' ' ' <"$TMP/after.c")"
            rc=1
        fi
    done <"$TMP/src.c"
    [ "$n" -ge "$min" ] || { echo "only $n options read from the source"; rc=1; }
    return "$rc"
}

# same_options MODE PROG MIN: "PROG --" offers exactly the (at least MIN) long
# options of PROG --help; "PROG -" its short ones too.
same_options() {
    local mode=$1 prog=$2 min=$3
    help_longs "$prog" >"$TMP/help.c"
    [ "$(wc -l <"$TMP/help.c")" -ge "$min" ] || { echo "only $(wc -l <"$TMP/help.c") in --help"; return 1; }
    comp "$mode" "$prog --" >"$TMP/got.c" || { cat "$TMP/got.c"; return 1; }
    diff "$TMP/help.c" "$TMP/got.c" || return 1
    help_shorts "$prog" >>"$TMP/help.c"
    sort -o "$TMP/help.c" "$TMP/help.c"
    comp "$mode" "$prog -" >"$TMP/got.c" || { cat "$TMP/got.c"; return 1; }
    diff "$TMP/help.c" "$TMP/got.c"
}

# A folder to complete file names in
W=$TMP/w
mkdir -p "$W/sub" "$W/sub2"
touch "$W/vm.yaml" "$W/vm2.yml" "$W/notes.txt" "$W/run.ndjson" "$W/run.txt" "$W/tls.pem"
cd "$W" || exit 1

# A kubectl that lists two contexts (and notes its arguments), one that fails
mkdir -p "$TMP/kbin" "$TMP/kbad"
cat >"$TMP/kbin/kubectl" <<EOF
#!/bin/sh
echo "\$*" >>"$TMP/kubectl.args"
case "\$*" in *"config get-contexts -o name") ;; *) exit 1 ;; esac
echo kind-a
echo arn:aws:eks:eu-west-1:1:cluster/b
EOF
printf '#!/bin/sh\necho "error: no configuration" >&2\nexit 1\n' >"$TMP/kbad/kubectl"
chmod +x "$TMP/kbin/kubectl" "$TMP/kbad/kubectl"

for m in $MODES; do
    # --- the options -----------------------------------------------------------------
    check "[$m] vmstorm-collect: the options of --help" same_options "$m" vmstorm-collect 30
    check "[$m] vmstorm-analyze: the options of --help" same_options "$m" vmstorm-analyze 9
    check "[$m] vmstorm-report: the options of --help" same_options "$m" vmstorm-report 6
    check "[$m] vmstorm-sim: the options of --help" same_options "$m" vmstorm-sim 20
    check "[$m] vmstorm-collect: a value after the options of the source that take one" \
        follows_src "$m" vmstorm-collect 40
    check "[$m] vmstorm-analyze: ... idem" follows_src "$m" vmstorm-analyze 13
    check "[$m] vmstorm-report: ... idem" follows_src "$m" vmstorm-report 8
    check "[$m] vmstorm-sim: ... idem" follows_src "$m" vmstorm-sim 20
    check "[$m] --vm-t: --vm-template" offers_exactly "$m" "vmstorm-collect --vm-t" --vm-template
    check "[$m] after another option: --st" offers_exactly "$m" "vmstorm-collect -y --boot-storm --st" \
        --start --storage-class
    check "[$m] after -- only operands" offers_exactly "$m" "vmstorm-analyze -- -"

    # --- fixed words -------------------------------------------------------------------
    check "[$m] analyze --format: text json csv" offers_exactly "$m" "vmstorm-analyze --format " text json csv
    check "[$m] analyze -f j" offers_exactly "$m" "vmstorm-analyze -f j" json
    check "[$m] analyze --format=c" offers_exactly "$m" "vmstorm-analyze --format=c" csv
    check "[$m] collect --log-level: the four levels" offers_exactly "$m" "vmstorm-collect --log-level " \
        debug info warn error
    check "[$m] collect --log-level=" offers_exactly "$m" "vmstorm-collect --log-level=" debug info warn error
    check "[$m] collect --log-level=w" offers_exactly "$m" "vmstorm-collect --log-level=w" warn
    check "[$m] sim --log-level" offers_exactly "$m" "vmstorm-sim --log-level " debug info warn error
    check "[$m] collect --probe: icmp tcp: exec:" offers_exactly "$m" "vmstorm-collect --probe " icmp tcp: exec:
    check "[$m] collect --probe=e" offers_exactly "$m" "vmstorm-collect --probe=e" exec:
    check "[$m] collect --probe tcp: (the port): nothing" offers_exactly "$m" "vmstorm-collect --probe tcp:"
    check "[$m] a number: nothing" offers_exactly "$m" "vmstorm-collect --start "
    check "[$m] ... nor in --opt= form" offers_exactly "$m" "vmstorm-sim --nodes="
    check "[$m] --yes= (takes no value): nothing" offers_exactly "$m" "vmstorm-collect --yes="

    # --- files and folders ---------------------------------------------------------------
    check "[$m] --vm-template: YAML files and folders" offers "$m" "vmstorm-collect --vm-template " \
        +vm.yaml +vm2.yml +sub -notes.txt -run.ndjson
    check "[$m] --vm-template=v" offers_exactly "$m" "vmstorm-collect --vm-template=v" vm.yaml vm2.yml
    check "[$m] collect -o: any file" offers "$m" "vmstorm-collect -o " +notes.txt +run.ndjson +sub
    check "[$m] --log-file, --kubeconfig: any file" each_opt "$m" vmstorm-collect n notes.txt \
        --log-file --kubeconfig
    check "[$m] analyze operands: *.ndjson and folders" offers "$m" "vmstorm-analyze -o sub " \
        +run.ndjson +sub +sub2 -run.txt -notes.txt -vm.yaml
    check "[$m] analyze --baseline: *.ndjson" offers "$m" "vmstorm-analyze --baseline=" +run.ndjson -run.txt
    check "[$m] analyze -o: folders only" offers_exactly "$m" "vmstorm-analyze run.ndjson -o " sub sub2
    check "[$m] analyze --thresholds: any file" offers "$m" "vmstorm-analyze --thresholds " +notes.txt
    check "[$m] report operand: folders only" offers_exactly "$m" "vmstorm-report " sub sub2
    check "[$m] report --trend operand: folders only" offers_exactly "$m" "vmstorm-report --trend s" sub sub2
    check "[$m] report --png-dir=: folders only" offers_exactly "$m" "vmstorm-report --png-dir=" sub sub2
    check "[$m] report -o: files" offers "$m" "vmstorm-report sub -o " +notes.txt
    check "[$m] sim --tls-cert, --tls-key, --tls-ca, --truth, --model, --kubeconfig-out: files" \
        each_opt "$m" vmstorm-sim tl tls.pem --tls-cert --tls-key --tls-ca --truth --model --kubeconfig-out

    # --- kubeconfig contexts ---------------------------------------------------------------
    rm -f "$TMP/kubectl.args"
    check "[$m] --context: kubectl's contexts" with_path "$TMP/kbin:$PATH" \
        offers_exactly "$m" "vmstorm-collect --context " kind-a arn:aws:eks:eu-west-1:1:cluster/b
    check "[$m] ... after a ':' only what follows it (readline's word)" with_path "$TMP/kbin:$PATH" \
        offers_exactly "$m" "vmstorm-collect --context=arn:aws:e" eks:eu-west-1:1:cluster/b
    check "[$m] ... of the --kubeconfig on the line" with_path "$TMP/kbin:$PATH" \
        offers_exactly "$m" "vmstorm-collect --kubeconfig /k/c.yaml --context k" kind-a
    check "[$m] ... (kubectl was given it)" grep -qx -- "--kubeconfig /k/c.yaml config get-contexts -o name" \
        "$TMP/kubectl.args"
    check "[$m] ... kubectl failing: nothing, quietly" with_path "$TMP/kbad:/nonexistent" \
        offers_exactly "$m" "vmstorm-collect --context "
    check "[$m] ... no kubectl: nothing, quietly" with_path /nonexistent \
        offers_exactly "$m" "vmstorm-collect --context "
done

# --- loading the file under each name ----------------------------------------------------
D=$TMP/data/bash-completion/completions
mkdir -p "$D"
cp "$CS" "$D/vmstorm-collect"
for n in analyze report sim; do ln -s vmstorm-collect "$D/vmstorm-$n"; done
export D
all4='for p in vmstorm-collect vmstorm-analyze vmstorm-report vmstorm-sim; do
    complete -p $p | grep -qx -- "complete -F _vmstorm_${p#vmstorm-} $p" || { echo "$p: no completion"; exit 1; }; done'
for n in collect analyze report sim; do
    check "sourced as vmstorm-$n: all four completed" env -u BASH_ENV bash --norc --noprofile -c \
        '. "$D/$0" && '"$all4" "vmstorm-$n"
    if [ -f "$BC" ]; then
        # what bash-completion does on the first TAB after the command: its
        # default completion function (complete -D) loads completions/COMMAND
        check "[bc] loaded on demand for vmstorm-$n: all four completed" env -u BASH_ENV \
            BASH_COMPLETION_USER_DIR="$TMP/data/bash-completion" bash --norc --noprofile -c \
            '. "$BC" && ! complete -p vmstorm-collect 2>/dev/null && d=$(complete -p -D) && d=${d#*-F } &&
            { "${d%% *}" "$0" "" "$0"; [ $? = 124 ]; } && '"$all4" "vmstorm-$n"
    fi
done

command -v shellcheck >/dev/null 2>&1 && check "shellcheck completion/vmstorm.bash" shellcheck "$CS"

finish
