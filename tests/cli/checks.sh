# checks.sh - the scaffolding the CLI test scripts share (sourced, not run):
# run the tool against the test server and count checks.  The sourcing
# script sets CLI (the mcdshm binary) and NAME (the server) before it calls
# run, and prints "$pass passed, $failed failed" at its end.

pass=0
failed=0
rc=0
out=
last=

# run ARGS...: run the tool against the test server; $rc = its exit code,
# $out = its stdout and stderr together.
run() {
    last="mcdshm -s $NAME $*"
    rc=0
    out=$("$CLI" -s "$NAME" "$@" 2>&1) || rc=$?
}

# check WHAT COMMAND...: count a pass if COMMAND succeeds, else print what
# failed with the last tool command, its exit code and its output.
check() {
    local what=$1

    shift
    if "$@"; then
        pass=$((pass + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what"
        echo "  last command: $last (exit $rc)"
        printf '%s\n' "$out" | head -n 15 | sed 's/^/  | /'
    fi
}

rc_is() {
    [ "$rc" -eq "$1" ]
}

# has REGEX: $out matches the extended regular expression.
has() {
    grep -qE -- "$1" <<<"$out"
}

lacks() {
    ! grep -qE -- "$1" <<<"$out"
}
