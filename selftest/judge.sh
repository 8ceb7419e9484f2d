#!/bin/sh
# selftest/judge.sh - an independent judge of assay, run by automake's
# own test driver (TESTS), not by assay: it trusts none of assay's
# verdicts. It runs assay on small fixtures and checks only what a CI
# job would look at: the exit status and the closing line. A bug that
# made assay always exit 0, or count wrong, fails the build here even if
# assay's own selftest would report itself green.
#
# Exit status: 0 every check held, 1 one did not (each is printed).
set -u
: "${ASSAY:=$(cd "$(dirname "$0")/.." && pwd)/harness/assay}"
W=$(mktemp -d "${TMPDIR:-/tmp}/judge.XXXXXX") || exit 99
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 99
bad=0

fixture() {     # fixture DIR NAME BODY
	mkdir -p "$1"
	printf '#!/bin/sh\n%s\n' "$3" >"$1/$2"
	chmod +x "$1/$2"
}

# expect STATUS LAST-LINE ARGS...: assay ARGS exits STATUS, and the last
# line of its output is LAST-LINE ("" when there must be none)
expect() {
	want_rc=$1 want_last=$2
	shift 2
	"$ASSAY" "$@" >out 2>err
	rc=$?
	last=$(tail -n 1 out)
	if [ "$rc" != "$want_rc" ] || [ "$last" != "$want_last" ]; then
		echo "FAIL: assay $*: exit $rc, last line '$last'; want exit $want_rc, '$want_last'"
		sed 's/^/  | /' out err | tail -n 20
		bad=1
	else
		echo "ok: assay $* -> exit $rc, '$last'"
	fi
}

fixture pass a 'exit 0'
fixture pass b 'echo fine'
fixture fail ok 'exit 0'
fixture fail bad 'exit 1'
fixture crash segv 'kill -SEGV $$'
fixture hang slow 'sleep 30'
fixture skip none 'echo "no GPU here"; exit 77'
fixture skip yes 'exit 0'
fixture tap t.t 'printf "1..3\nok 1 - a\nnot ok 2 - b\nok 3 - c\n"'
fixture tapok t.t 'printf "1..2\nok 1 - a\nok 2 - b # SKIP later\n"'
fixture hard h 'exit 99'

expect 0 "assay: 2 passed, 0 failed, 0 skipped" run --state-dir '' pass
expect 1 "assay: 1 passed, 1 failed, 0 skipped" run --state-dir '' fail
expect 1 "assay: 0 passed, 1 failed, 0 skipped" run --state-dir '' crash
expect 1 "assay: 0 passed, 1 failed, 0 skipped" run --state-dir '' --timeout 0.3 --grace 0.2 hang
expect 0 "assay: 1 passed, 0 failed, 1 skipped" run --state-dir '' skip
expect 1 "assay: 2 passed, 1 failed, 0 skipped" run --state-dir '' tap
expect 0 "assay: 1 passed, 0 failed, 1 skipped" run --state-dir '' tapok
expect 1 "assay: 0 passed, 1 failed, 0 skipped" run --state-dir '' hard
expect 1 "assay: 4 passed, 2 failed, 1 skipped" run --state-dir '' -j3 pass fail skip hard
expect 2 "" run --state-dir '' --no-such-option pass
expect 2 "" run --state-dir '' does-not-exist
exit $bad
