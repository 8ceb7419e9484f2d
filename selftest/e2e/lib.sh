# selftest/e2e/lib.sh - what the end-to-end tests share (sourced, not run).
#
# Each test builds a fixture tree of small shell-script tests in its own
# temporary directory, runs assay on it, and checks the exit status and
# output. Results are printed as TAP lines; the script's exit status is
# what assay judges (0 all checks passed, 1 any failed, 77 skipped).
#
# Environment: ASSAY (the binary), ASSAY_BUILDDIR (for helpers), set by
# `make check`; when run by hand, both are found from the script's place.

set -u

# a CI engine's shard variables would split the fixtures' runs too
for v in CI_NODE_INDEX CI_NODE_TOTAL BUILDKITE_PARALLEL_JOB BUILDKITE_PARALLEL_JOB_COUNT \
	CIRCLE_NODE_INDEX CIRCLE_NODE_TOTAL JOB_COMPLETION_INDEX ASSAY_SHARD_TOTAL \
	SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_STEP; do
	unset "$v"
done

here=$(cd "$(dirname "$0")" && pwd)
: "${ASSAY_BUILDDIR:=$(cd "$here/../.." && pwd)}"
: "${ASSAY:=$ASSAY_BUILDDIR/harness/assay}"
checks=0
failed=0

W=$(mktemp -d "${TMPDIR:-/tmp}/e2e.XXXXXX") || exit 99
trap 'chmod -R u+rwx "$W" 2>/dev/null; rm -rf "$W"' EXIT
cd "$W" || exit 99

# mk PATH BODY: an executable /bin/sh test at PATH (dirs created).
mk() {
	mkdir -p "$(dirname "$1")"
	printf '#!/bin/sh\n%s\n' "$2" >"$1"
	chmod +x "$1"
}

# run_assay ARG...: runs assay; stdout in $W/out, stderr in $W/err, status in RC.
run_assay() {
	"$ASSAY" "$@" >"$W/out" 2>"$W/err"
	RC=$?
	# (once, a TSan run saw this directory vanish during a run of
	# assay: what was left, for whoever meets it again)
	if [ ! -d "$W" ]; then
		echo "# $W is gone after: $ASSAY $*"
		d=$W
		while [ ! -d "$d" ]; do d=$(dirname "$d"); done
		echo "# what is left of it: $d"
		ls -la "$d" 2>&1 | sed 's/^/#   /'
	fi
}

# check STATUS WHAT: one TAP point ('#' and '\' in WHAT escaped)
check() {
	checks=$((checks + 1))
	what=$(printf '%s' "$2" | tr '\n' ' ' | sed 's/[\\#]/\\&/g')
	if [ "$1" = 0 ]; then
		echo "ok $checks - $what"
	else
		failed=$((failed + 1))
		echo "not ok $checks - $what"
		echo "# --- assay stdout ---"; sed 's/^/# /' "$W/out" 2>/dev/null | tail -40
		echo "# --- assay stderr ---"; sed 's/^/# /' "$W/err" 2>/dev/null | tail -20
	fi
}

expect_rc() {
	[ "$RC" = "$1" ]
	check $? "exit status $1 (got $RC)${2:+: $2}"
}

# expect_out TEXT: stdout holds TEXT (fixed string)
expect_out() {
	grep -aqF -- "$1" "$W/out"
	check $? "stdout has: $1"
}

expect_no_out() {
	! grep -aqF -- "$1" "$W/out"
	check $? "stdout lacks: $1"
}

expect_err() {
	grep -aqF -- "$1" "$W/err"
	check $? "stderr has: $1"
}

expect_no_err() {
	! grep -aqF -- "$1" "$W/err"
	check $? "stderr lacks: $1"
}

# expect_last LINE: the last line of stdout is exactly LINE
expect_last() {
	[ "$(tail -n 1 "$W/out")" = "$1" ]
	check $? "last line is: $1"
}

# Every process this script starts (assay, and the tests assay starts)
# carries this in its environment, so that no_process looks at this
# run's processes only, not at another selftest's on the same machine.
E2E_RUN=$W
export E2E_RUN

# find_process MARKER: the pids of this run's processes with MARKER in
# their command line, one line
find_process() {
	found=""
	for f in /proc/[0-9]*/cmdline; do
		d=${f%/cmdline}
		if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$1" &&
			{ tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qxF -- "E2E_RUN=$W"; then
			found="$found ${d#/proc/}"
		fi
	done
	echo $found
}

# count_process MARKER: how many there are
count_process() {
	set -- $(find_process "$1")
	echo $#
}

# no_process MARKER: none of this run's processes has MARKER in its
# command line (a check)
no_process() {
	found=$(find_process "$1")
	[ -z "$found" ]
	check $? "no process of this run left with '$1' in its command line${found:+ (found: $found)}"
}

# run_maxrss ARG...: runs assay under selftest/tools/maxrss, like
# run_assay; its peak RSS (KiB) lands in MAXRSS_KIB.
run_maxrss() {
	"$ASSAY_BUILDDIR/selftest/tools/maxrss" "$ASSAY" "$@" >"$W/out" 2>"$W/err"
	RC=$?
	MAXRSS_KIB=$(sed -n 's/^maxrss //p' "$W/err")
}

# expect_maxrss KIB WHAT: the last run_maxrss peaked below KIB (not held
# in sanitizer builds, whose shadow memory says nothing about assay's)
expect_maxrss() {
	if [ -n "${ASSAY_SANITIZE:-}" ]; then
		echo "# sanitizer build: peak RSS ${MAXRSS_KIB} KiB not held to the bound"
		return
	fi
	[ -n "$MAXRSS_KIB" ] && [ "$MAXRSS_KIB" -lt "$1" ]
	check $? "assay's peak RSS ${MAXRSS_KIB} KiB < $1 KiB $2"
}

# skip WHY: one skipped TAP point
skip() {
	checks=$((checks + 1))
	echo "ok $checks # SKIP $(printf '%s' "$1" | tr '\n' ' ' | sed 's/[\\#]/\\&/g')"
}

# xmlcheck STATUS WHAT: check, with xmllint's complaint shown on failure
xmlcheck() {
	check "$1" "$2"
	[ "$1" = 0 ] || sed 's/^/# xmllint: /' "$W/xmlerr" | head -20
}

# schema_check FILE WHAT [foreign]: FILE is well-formed XML and valid
# against the project's own docs/junit.xsd (which holds assay's reports
# to every attribute it writes: not for a merge of other tools' reports,
# foreign); also against Jenkins' public junit-jenkins-xunit-10.xsd when
# JUNIT_SCHEMA_DIR names a directory that holds it (ci/test sets it when
# the public schemas are at hand).
schema_check() {
	xl=$(command -v xmllint)
	src=${ASSAY_SRCDIR:-$(cd "$here/../.." && pwd)}
	if [ -z "$xl" ]; then
		skip "xmllint not installed (ci/setup installs libxml2-utils): $2 not validated"
		return
	fi
	"$xl" --nonet --noout "$1" 2>"$W/xmlerr"
	xmlcheck $? "$2: well-formed"
	if [ -z "${3:-}" ]; then
		"$xl" --nonet --noout --schema "$src/docs/junit.xsd" "$1" 2>"$W/xmlerr"
		xmlcheck $? "$2: valid against docs/junit.xsd"
	fi
	jx=${JUNIT_SCHEMA_DIR:-}/junit-jenkins-xunit-10.xsd
	if [ -n "${JUNIT_SCHEMA_DIR:-}" ] && [ -f "$jx" ]; then
		"$xl" --nonet --noout --schema "$jx" "$1" 2>"$W/xmlerr"
		xmlcheck $? "$2: valid against Jenkins' junit-jenkins-xunit-10.xsd"
	else
		skip "JUNIT_SCHEMA_DIR does not name Jenkins' junit-jenkins-xunit-10.xsd: $2 not checked against it"
	fi
}

finish() {
	echo "1..$checks"
	[ "$failed" = 0 ]
	exit $?
}
