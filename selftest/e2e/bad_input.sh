#!/bin/sh
# Bad input: a clear one-line message naming the problem and the fix,
# exit status 2, and nothing run; a named file that cannot run is an
# error result while the others still run.
. "$(dirname "$0")/lib.sh"

mk t/ok "touch $W/ran"

bad() {         # bad WANT ARG...: exit 2, WANT on stderr, nothing ran
	want=$1; shift
	rm -f "$W/ran"
	run_assay "$@"
	expect_rc 2 "assay $*"
	expect_err "$want"
	[ ! -e "$W/ran" ]
	check $? "nothing ran for: assay $*"
}

bad "cannot find 'no/such/dir'" run t no/such/dir
bad "-j wants a whole number from 0 to 4096, got 'abc'" run -j abc t
bad "unknown option '--bogus'" run --bogus t
bad "option '--timeout' needs a value" run t --timeout
bad "unknown command 'rum'" rum t
bad "no kind named 'nope'" run --kind nope t
bad "cannot load plugin 'no-such-plugin.so'" run --plugin no-such-plugin.so t
bad "no reporter named 'nope'" run --reporter nope t
mkdir empty
bad "no tests found" run empty
(cd empty && "$ASSAY" run >"$W/out" 2>"$W/err"); RC=$?
expect_rc 2 "no PATH and no tests/ directory"
expect_err "no tests/, test/ or t/ directory here"

# an unreadable directory (root reads everything: only as another user)
mkdir -p locked/in && mk locked/in/t 'exit 0' && chmod 000 locked/in
if [ "$(id -u)" != 0 ]; then
	bad "cannot read directory 'locked/in'" run locked
else
	echo "# running as root, who can read any directory: unreadable-directory check not possible here"
fi
chmod 755 locked/in

# a file named on the command line that cannot run is an error result,
# the others still run; inside a directory it is simply not a test
printf 'echo hi\n' >t/plain
mkfifo t/fifo
run_assay run t/plain t/fifo t/ok
expect_rc 1
expect_out "t/plain: not executable: make it executable (chmod +x)"
expect_out "t/fifo: not a regular file"
expect_last "assay: 1 passed, 2 failed, 0 skipped"
run_assay run t
expect_rc 0
expect_last "assay: 1 passed, 0 failed, 0 skipped"

# a script that cannot be executed
printf 'echo no shebang\n' >t/noexec && chmod +x t/noexec
printf '#!/no/such/interpreter\n' >t/badinterp && chmod +x t/badinterp
run_assay run t/noexec t/badinterp
expect_rc 1
expect_out "t/noexec: cannot execute: Exec format error"
expect_out "t/badinterp: cannot execute: No such file or directory"
# --junit may not name a file assay writes itself (a log, the state)
mkdir -p jl/.assay/logs
mk jl/t/ok 'exit 0'
(cd jl && "$ASSAY" run --junit .assay/logs/ok.stdout t >"$W/out" 2>"$W/err")
RC=$?
expect_rc 2 "--junit inside the log directory is refused"
expect_err "is in the log directory '.assay/logs', where assay writes the tests' output"
(cd jl && "$ASSAY" run --junit .assay/history t >"$W/out" 2>"$W/err")
RC=$?
expect_rc 2 "--junit inside the state directory is refused"
expect_err "is in the state directory '.assay'"
[ ! -e jl/.assay/history ]
check $? "nothing ran"
finish
