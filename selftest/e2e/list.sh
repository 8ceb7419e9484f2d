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
finish
