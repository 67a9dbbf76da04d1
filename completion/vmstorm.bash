# shellcheck shell=bash
# vmstorm.bash - bash completion for vmstorm-collect, vmstorm-analyze,
# vmstorm-report and vmstorm-sim.
#
# Install as $(datadir)/bash-completion/completions/vmstorm-collect, with
# symlinks vmstorm-analyze, vmstorm-report and vmstorm-sim to it there:
# bash-completion loads the file named after the command, and sourcing it once
# registers all four. It can also be sourced by hand (". vmstorm.bash").
#
# The bash-completion helpers (_init_completion, _filedir) are used when they
# are loaded; without them plain compgen does the work.
#
# The option lists are written out here (completion must not run the programs);
# tests/cli/t-completion.sh checks that they match each program's --help.

# Long options, short options, and the options that take a value.
_vmstorm_collect_longs='--start --end --vm-name --vm-template --namespace-prefix
    --namespace-batch-size --concurrency --single-node --node-name --storage-class
    --label --run-id --skip-namespace-creation --skip-vm-creation --boot-storm
    --ping-timeout --fio-cmd --probe --probe-interval --poll-interval --ssh-pod
    --ssh-pod-ns --kubeconfig --context --qps --burst --metrics-url --output
    --save-results --log-file --log-level --cleanup --cleanup-on-failure
    --dry-run-cleanup --yes --version --help'
_vmstorm_collect_shorts='-s -e -n -c -o -y -h'
_vmstorm_collect_args='-s --start -e --end -n --vm-name --vm-template
    --namespace-prefix --namespace-batch-size -c --concurrency --node-name
    --storage-class --label --run-id --ping-timeout --fio-cmd --probe
    --probe-interval --poll-interval --ssh-pod --ssh-pod-ns --kubeconfig --context
    --qps --burst --metrics-url -o --output --log-file --log-level'

_vmstorm_analyze_longs='--output-dir --format --baseline --thresholds
    --skip-bad-lines --all-vms --trend --help --version'
_vmstorm_analyze_shorts='-o -f -b -t -h -V'
_vmstorm_analyze_args='-o --output-dir -f --format -b --baseline -t --thresholds'

_vmstorm_report_longs='--output --png-dir --title --trend --help --version'
_vmstorm_report_shorts='-o -h -V'
_vmstorm_report_args='-o --output --png-dir --title'

_vmstorm_sim_longs='--listen --tls --no-tls --tls-cert --tls-key --tls-ca
    --kubeconfig-out --nodes --seed --speed --truth --fault --model
    --no-subresources --watch-history --guest-port --fio-port --no-fio --log-level
    --version --help'
_vmstorm_sim_shorts=''
_vmstorm_sim_args='--listen --tls-cert --tls-key --tls-ca --kubeconfig-out
    --nodes --seed --speed --truth --fault --model --watch-history --guest-port
    --fio-port --log-level'

# _vmstorm_words: without bash-completion, set words, cword, cur, prev and split
# as "_init_completion -s -n :" would: the pieces COMP_WORDS splits at "=" and
# ":" (COMP_WORDBREAKS) are joined again, and "--opt=value" becomes prev=--opt,
# cur=value.
_vmstorm_words() {
    local i w rest trimmed gap pos=0 start=0 line=${COMP_LINE-}
    words=()
    cword=0
    cur=''
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        rest=${line:pos}
        trimmed=${rest#"${rest%%[![:space:]]*}"}
        gap=$((${#rest} - ${#trimmed}))
        pos=$((pos + gap))
        if ((i > 0 && gap == 0)) && [[ $w == [=:]* || ${words[${#words[@]} - 1]} == *[=:] ]]; then
            words[${#words[@]} - 1]+=$w
        else
            words+=("$w")
            start=$pos
        fi
        pos=$((pos + ${#w}))
        if ((i == COMP_CWORD)); then
            cword=$((${#words[@]} - 1))
            cur=${words[cword]}
            # the cursor may be inside the word: only what is before it counts
            if [[ -n ${COMP_POINT-} ]] && ((COMP_POINT >= start && COMP_POINT < pos)); then
                cur=${cur:0:COMP_POINT-start}
            fi
            break
        fi
    done
    prev=''
    ((cword > 0)) && prev=${words[cword - 1]}
    split=false
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
        split=true
    fi
}

# _vmstorm_reply WORD...: COMPREPLY is the WORDs that start with cur.
_vmstorm_reply() {
    local w
    COMPREPLY=()
    for w in "$@"; do
        [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
    done
    # readline replaces only what follows the last ":" of cur (a COMP_WORDBREAKS
    # character): drop that part from the candidates (__ltrim_colon_completions)
    if [[ $cur == *:* && ${COMP_WORDBREAKS-:} == *:* ]]; then
        local colon=${cur%"${cur##*:}"} i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$colon"}
        done
    fi
}

# _vmstorm_files [-d] [EXT...]: directories with -d; else files, only those
# ending in .EXT (and directories, to descend into) when EXTs are given.
_vmstorm_files() {
    local f e
    local -a all
    if declare -F _filedir >/dev/null; then
        if [[ ${1-} == -d ]]; then
            _filedir -d
        elif (($# == 0)); then
            _filedir
        else
            local IFS='|'
            _filedir "$*" # "yaml|yml": _filedir makes it !*.@(yaml|yml|YAML|YML)
        fi
        return
    fi
    COMPREPLY=()
    compopt -o filenames 2>/dev/null
    if [[ ${1-} == -d ]]; then
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        return
    fi
    mapfile -t all < <(compgen -f -- "$cur")
    for f in "${all[@]}"; do
        if (($# == 0)) || [[ -d $f ]]; then
            COMPREPLY+=("$f")
            continue
        fi
        for e in "$@"; do
            if [[ $f == *."$e" ]]; then
                COMPREPLY+=("$f")
                break
            fi
        done
    done
}

# _vmstorm_contexts: the kubeconfig's contexts, when kubectl is there (the
# --kubeconfig already on the line is used).
_vmstorm_contexts() {
    local i kc=''
    local -a contexts=()
    COMPREPLY=()
    command -v kubectl >/dev/null 2>&1 || return 0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --kubeconfig) kc=${words[i + 1]-} ;;
        --kubeconfig=*) kc=${words[i]#*=} ;;
        esac
    done
    kc=${kc/#\~/$HOME}
    if [[ -n $kc ]]; then
        mapfile -t contexts < <(kubectl --kubeconfig "$kc" config get-contexts -o name 2>/dev/null)
    else
        mapfile -t contexts < <(kubectl config get-contexts -o name 2>/dev/null)
    fi
    _vmstorm_reply "${contexts[@]}"
}

# _vmstorm_value PROG OPTION: complete the value of OPTION. Returns 1 when
# OPTION takes no value (the word is not a value).
_vmstorm_value() {
    local prog=$1 opt=$2 args
    args=_vmstorm_${prog}_args
    [[ " ${!args//$'\n'/ } " == *" $opt "* ]] || return 1
    case $prog:$opt in
    collect:--vm-template) _vmstorm_files yaml yml ;;
    collect:--kubeconfig | collect:-o | collect:--output | collect:--log-file) _vmstorm_files ;;
    collect:--context) _vmstorm_contexts ;;
    collect:--probe)
        COMPREPLY=()
        [[ $cur == *:* ]] && return 0 # the port or the command: nothing to offer
        _vmstorm_reply icmp tcp: exec:
        # "tcp:" and "exec:" are not finished words
        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} != icmp ]] && compopt -o nospace 2>/dev/null
        ;;
    collect:--log-level | sim:--log-level) _vmstorm_reply debug info warn error ;;
    analyze:-o | analyze:--output-dir) _vmstorm_files -d ;;
    analyze:-f | analyze:--format) _vmstorm_reply text json csv ;;
    analyze:-b | analyze:--baseline) _vmstorm_files ndjson ;;
    analyze:-t | analyze:--thresholds) _vmstorm_files ;;
    report:-o | report:--output) _vmstorm_files ;;
    report:--png-dir) _vmstorm_files -d ;;
    sim:--tls-cert | sim:--tls-key | sim:--tls-ca | sim:--kubeconfig-out | sim:--truth | sim:--model)
        _vmstorm_files
        ;;
    *) COMPREPLY=() ;; # numbers, names, addresses, templates: nothing to offer
    esac
    return 0
}

# _vmstorm_complete PROG: the completion of vmstorm-PROG.
_vmstorm_complete() {
    local prog=$1 cur prev words cword split i dashdash=0
    local longs=_vmstorm_${prog}_longs shorts=_vmstorm_${prog}_shorts args=_vmstorm_${prog}_args
    COMPREPLY=()
    if declare -F _init_completion >/dev/null; then
        _init_completion -s -n : || return 0
    else
        _vmstorm_words
    fi

    # after a bare "--", only operands
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} == -- && " ${!args//$'\n'/ } " != *" ${words[i - 1]} "* ]]; then
            dashdash=1
            break
        fi
    done

    if ((!dashdash)); then
        if [[ $split == true ]]; then
            # --opt=value: a value, or nothing when --opt takes none
            _vmstorm_value "$prog" "$prev" || COMPREPLY=()
            return 0
        fi
        if ((cword > 1)) && _vmstorm_value "$prog" "$prev"; then
            return 0
        fi
        case $cur in
        --*)
            # shellcheck disable=SC2086 # the lists are split on purpose
            _vmstorm_reply ${!longs}
            return 0
            ;;
        -*)
            # shellcheck disable=SC2086
            _vmstorm_reply ${!shorts} ${!longs}
            return 0
            ;;
        esac
    fi

    # operands
    case $prog in
    analyze) _vmstorm_files ndjson ;;
    report) _vmstorm_files -d ;;
    *)
        # no operands: offer the options
        # shellcheck disable=SC2086
        ((dashdash)) || _vmstorm_reply ${!longs}
        ;;
    esac
    return 0
}

_vmstorm_collect() { _vmstorm_complete collect; }
_vmstorm_analyze() { _vmstorm_complete analyze; }
_vmstorm_report() { _vmstorm_complete report; }
_vmstorm_sim() { _vmstorm_complete sim; }

complete -F _vmstorm_collect vmstorm-collect
complete -F _vmstorm_analyze vmstorm-analyze
complete -F _vmstorm_report vmstorm-report
complete -F _vmstorm_sim vmstorm-sim
