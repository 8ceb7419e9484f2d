#!/bin/sh
# assay list: what would run, without running it.
. "$(dirname "$0")/lib.sh"

mk t/b "touch $W/ran"
mk t/a/x "touch $W/ran"
printf 'data\n' >t/readme
mk t/.hidden/y 'exit 0'
run_assay list t
expect_rc 0
[ "$(cat "$W/out")" = "a/x
b" ]
check $? "lists a/x and b, nothing else"
[ ! -e "$W/ran" ]
check $? "nothing ran"
run_assay list --exclude 'a' t
[ "$(cat "$W/out")" = "b" ]
check $? "--exclude prunes a directory"
run_assay list t/readme
expect_out "t/readme	# error: not executable"

# names that would drive a terminal: shown, one line per test; -z as is
esc=$(printf '\033')
cr=$(printf '\r')
mkdir -p u
mk "u/red${esc}[31mname" "printf 'out: ${esc}]0;title${esc}\\\\ and ${esc}[2J\\n'; exit 1"
mk "u/cr${cr}over" 'exit 0'
mk "u/two
lines" 'exit 0'
run_assay list u
expect_rc 0
[ "$(wc -l <"$W/out")" = 3 ]
check $? "one line per test"
expect_out 'red\e[31mname'
expect_out 'cr\rover'
expect_out 'two\nlines'
! grep -q "$esc" "$W/out"
check $? "assay list writes no ESC"
"$ASSAY" list -z u >"$W/out"
[ "$(tr '\0' '\n' <"$W/out" | wc -l)" = 4 ] && [ "$(tr -cd '\0' <"$W/out" | wc -c)" = 3 ]
check $? "-z: three ids ended by NUL, newlines inside kept"
grep -q "$esc" "$W/out"
check $? "-z: ids as they are"
run_assay run --state-dir '' u
expect_rc 1
! grep -q "$esc" "$W/out" && ! grep -q "$cr" "$W/out"
check $? "the run's console writes no ESC or CR from a test"
expect_out 'FAIL'
expect_out 'red\e[31mname: exit code 1'
expect_out 'out: \e]0;title\e\ and \e[2J'
expect_out '  FAIL     red\e[31mname'
# entries left out for reasons the rules do not cover are said, one
# line each; --strict-discovery makes them an error
mk d/ok 'exit 0'
ln -s /nonexistent-target d/dangling
ln -s loop-b d/loop-a
ln -s loop-a d/loop-b
deep=d
i=0
while [ $i -lt 45 ]; do
	deep=$deep/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	i=$((i + 1))
done
mkdir -p "$deep" 2>/dev/null || (cd d && i=0 && while [ $i -lt 45 ]; do
	mkdir -p aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa &&
	cd aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; i=$((i + 1)); done)
run_assay list d
expect_rc 0
[ "$(cat "$W/out")" = "ok" ]
check $? "only the test is listed"
expect_err "assay: warning: d/dangling: a dangling symbolic link: not a test, left out"
expect_err "assay: warning: d/loop-a: a symbolic link loop: not a test, left out"
grep -q "^assay: warning: d/a*/.*: its path is too long: not a test, left out" "$W/err"
check $? "a path too long is said"
run_assay run --strict-discovery --state-dir '' d
expect_rc 2 "--strict-discovery: an entry left out fails the run"
expect_err "entries were left out of the search (said above); --strict-discovery makes that an error"
finish
