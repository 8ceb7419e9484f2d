#!/bin/sh
# 1,000 tiny tests: all run, all counted, in name order.
. "$(dirname "$0")/lib.sh"

mkdir t
i=0
while [ $i -lt 1000 ]; do
	ln -s /bin/true "t/$(printf 't%04d' $i)"
	i=$((i + 1))
done
run_assay run -j4 t
expect_rc 0
expect_last "assay: 1000 passed, 0 failed, 0 skipped"
[ "$(grep -c '^PASS' "$W/out")" = 1000 ]
check $? "1000 PASS lines"
run_assay list t
[ "$(wc -l <"$W/out")" = 1000 ] && [ "$(head -n 1 "$W/out")" = t0000 ] &&
	[ "$(tail -n 1 "$W/out")" = t0999 ]
check $? "assay list shows all 1000 in name order"
finish
