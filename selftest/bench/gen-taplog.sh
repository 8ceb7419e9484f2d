#!/bin/sh
# gen-taplog.sh COUNT - writes a "typical" TAP 14 stream of COUNT points
# to stdout: descriptions of 20-60 characters, a diagnostic comment
# every 10 points, a failing point with a 4-line YAML block every 100, a
# skip every 50, a TODO every 200, and a subtest of 5 points every 500.
# Deterministic (no randomness), so runs compare.
awk -v n="${1:-100000}" 'BEGIN {
	print "TAP version 14"
	print "1.." n
	for (i = 1; i <= n; i++) {
		d = sprintf("module_%d handles case %d of the input set", i % 97, i)
		if (i % 500 == 0) {
			print "# Subtest: group " i
			for (k = 1; k <= 5; k++)
				print "    ok " k " - step " k " of group " i
			print "    1..5"
			print "ok " i " - group " i
		} else if (i % 100 == 0) {
			print "not ok " i " - " d
			print "  ---"
			print "  message: \"values differ\""
			print "  got: " i
			print "  expected: " i + 1
			print "  ..."
		} else if (i % 50 == 0) {
			print "ok " i " - " d " # SKIP not on this platform"
		} else if (i % 200 == 1) {
			print "not ok " i " - " d " # TODO not written yet"
		} else {
			print "ok " i " - " d
		}
		if (i % 10 == 0)
			print "# checked " i " so far"
	}
}'
