#!/bin/sh
# installed-tests descriptors (the installed-tests kind): Exec= split with
# its quoting and no shell, the working directory with .testtmp,
# TestEnvironment, Output=TAP, session-exclusive tests alone, ids under
# installed-tests/, and bad descriptors named.
. "$(dirname "$0")/lib.sh"

S=$W/share/installed-tests/mylib
X=$W/libexec
mkdir -p "$S" "$X"

# desc NAME BODY: a descriptor $S/NAME.test
desc() {
	printf '[Test]\n%s\n' "$2" >"$S/$1.test"
}

mk "$X/args" 'for a in "$@"; do echo "arg: [$a]"; done
[ "$#" = 3 ] && [ "$1" = "a b" ] && [ "$2" = "it'"'"'s" ] && [ "$3" = '"'"'$HOME'"'"' ] || exit 1
ls -A >"'"$W"'/cwd-list"; pwd >"'"$W"'/cwd"
[ "$(ls -A)" = ".testtmp" ] || exit 2
[ "$MYLIB_MODE" = "strict" ] && [ "$OTHER" = "x=y" ] || exit 3'
desc args "Type=session
Exec=$X/args 'a b' \"it's\" '\$HOME'
TestEnvironment=MYLIB_MODE=strict;OTHER=x=y;"

mk "$X/tap" 'printf "1..2\nok 1 - first\nnot ok 2 - second\n"'
desc tap "Exec=$X/tap
Output=TAP"
mk "$X/quiet" 'exit 0'
desc quiet "Exec=$X/quiet
Output=TAP"
desc path "Exec=env MYLIB_VIA=env $X/quiet"

# session-exclusive: nothing else runs while it does
mk "$X/busy" 'touch "'"$W"'/running.$$"; sleep 0.4; rm -f "'"$W"'/running.$$"'
for i in 1 2 3; do desc "busy$i" "Exec=$X/busy"; done
mk "$X/alone" 'sleep 0.1; ls "'"$W"'"/running.* >/dev/null 2>&1 && exit 1; exit 0'
desc alone "Type=session-exclusive
Exec=$X/alone"

# not descriptors, or broken ones
printf 'just notes\n' >"$S/notes.test"
desc quoting "Exec=$X/args 'unbalanced"
desc noexec "Type=session"
desc badtype "Type=desktop
Exec=$X/quiet"

run_assay run -v -j4 "$W/share/installed-tests"
expect_rc 1
expect_out "PASS      "
expect_out "mylib/args.test"
grep -q '^PASS .*mylib/args.test$' "$W/out"
check $? "Exec= split with its quoting, TestEnvironment applied, cwd holds only .testtmp"
[ "$(cat "$W/cwd-list" 2>/dev/null)" = ".testtmp" ]
check $? "the working directory holds .testtmp alone"
case $(cat "$W/cwd" 2>/dev/null) in
"$W"*|"") false ;;
*) true ;;
esac
check $? "the working directory is a fresh one, not assay's"
expect_out "mylib/tap.test::first"
expect_out "mylib/tap.test::second"
grep -q '^PASS .*mylib/quiet.test' "$W/out"
check $? "Output=TAP with no output and exit 0 passes (tap-plan optional)"
grep -q '^PASS .*mylib/path.test$' "$W/out"
check $? "Exec= finds env in PATH"
grep -q '^PASS .*mylib/alone.test$' "$W/out"
check $? "a session-exclusive test runs alone"
expect_no_out "notes.test"
expect_out "mylib/quoting.test: Exec= cannot be split into arguments"
expect_out "mylib/noexec.test: no Exec= in its [Test] group"
expect_out "mylib/badtype.test: Type=desktop is not one the format knows"
expect_last "assay: 8 passed, 4 failed, 0 skipped"

# the same ids from the suite's folder, and from the file itself
run_assay list "$S"
expect_out "mylib/args.test"
expect_out "mylib/busy1.test"
run_assay list "$S/args.test"
expect_out "mylib/args.test"
run_assay run -v "$S/args.test"
expect_rc 0 "a descriptor named on the command line runs"

# outside an installed-tests tree: folder/name
mkdir -p "$W/other"
cp "$S/tap.test" "$W/other/"
run_assay list "$W/other"
expect_out "other/tap.test"

finish
