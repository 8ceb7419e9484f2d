#!/bin/sh
# gen-junit.sh CASES [SUITES [HOST]] - writes a "typical" JUnit report
# of CASES test cases spread over SUITES suites (default 10) to stdout,
# in assay's dialect (docs/junit.md): names of 20-60 characters, a
# failure with a message and a 5-line text and a <system-out> every 100
# cases, an error with <system-out> and <system-err> every 250, a skip
# every 50; properties on the first suite; HOST (default bench-1) as
# each suite's hostname. The counts on the suites are written wrong on
# purpose (all zero), since assay merge must count again anyway.
# Deterministic (no randomness), so runs compare.
awk -v n="${1:-10000}" -v ns="${2:-10}" -v host="${3:-bench-1}" 'BEGIN {
	if (ns < 1)
		ns = 1
	per = int((n + ns - 1) / ns)
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	printf "<testsuites name=\"assay\" tests=\"%d\" failures=\"0\" errors=\"0\" time=\"%.3f\">\n", n, n * 0.002
	i = 0
	for (s = 1; s <= ns && i < n; s++) {
		suite = sprintf("tests/module_%02d/suite_%d.t", s % 37, s)
		printf "  <testsuite name=\"%s\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"%.3f\" timestamp=\"2026-11-21T10:00:%02d\" hostname=\"%s\">\n", suite, per * 0.002, s % 60, host
		if (s == 1) {
			print "    <properties>"
			print "      <property name=\"assay.version\" value=\"0.1\"/>"
			print "      <property name=\"assay.jobs\" value=\"8\"/>"
			print "    </properties>"
		}
		for (k = 0; k < per && i < n; k++) {
			i++
			d = sprintf("module_%d handles case %d of the input set", i % 97, i)
			pre = sprintf("    <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"", suite, d, (i % 13) * 0.001)
			if (i % 100 == 0) {
				print pre ">"
				print "      <failure message=\"not ok " i " - values differ\" type=\"tap\">not ok " i " - " d
				print "  ---"
				print "  message: &quot;values differ&quot;"
				print "  got: " i
				print "  expected: " i + 1
				print "  ...</failure>"
				print "      <system-out># checking &lt;" i "&gt; &amp; more</system-out>"
				print "    </testcase>"
			} else if (i % 250 == 0) {
				print pre ">"
				print "      <error message=\"crash (SIGSEGV)\" type=\"crash\">crash (SIGSEGV)</error>"
				print "      <system-out>starting " i "</system-out>"
				print "      <system-err>Segmentation fault</system-err>"
				print "    </testcase>"
			} else if (i % 50 == 0) {
				print pre ">"
				print "      <skipped message=\"not on this platform\"/>"
				print "    </testcase>"
			} else {
				print pre "/>"
			}
		}
		print "  </testsuite>"
	}
	print "</testsuites>"
}'
