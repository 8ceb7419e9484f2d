#!/bin/sh
# --junit FILE: every report is well-formed and valid against docs/junit.xsd
# (and Jenkins' junit-10.xsd, when JUNIT_SCHEMA_DIR holds it) whatever the tests print (NUL, ESC, bad UTF-8,
# "]]>", 50 MB, 10,000 TAP points, odd names); its counts, times,
# properties and outcome types follow docs/junit.md; it is written whole
# (temporary file, rename), also on SIGINT and SIGTERM; the logs of failed tests are
# kept in --output-dir.
. "$(dirname "$0")/lib.sh"
: "${ASSAY_SRCDIR:=$(cd "$here/../.." && pwd)}"

XL=$(command -v xmllint)
if [ -z "$XL" ]; then
	echo "# xmllint not installed (ci/setup installs libxml2-utils): reports not validated or queried"
fi
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_COMMON_DIR
LC_ALL=C
export LC_ALL


# xp FILE XPATH: the XPath expression's value (empty when xmllint is missing)
xp() {
	"$XL" --nonet --xpath "$2" "$1" 2>/dev/null
}

# expect_xp FILE XPATH VALUE WHAT: the expression has VALUE
expect_xp() {
	if [ -z "$XL" ]; then
		skip "xmllint not installed: $4"
		return
	fi
	v=$(xp "$1" "$2")
	[ "$v" = "$3" ]
	check $? "$4 ($(printf '%s' "$2" | tr '\r' ' ') = $3, got '$v')"
}

# expect_attrs FILE ATTR RE WHAT: every attribute ATTR matches the ERE RE
expect_attrs() {
	if [ -z "$XL" ]; then
		skip "xmllint not installed: $4"
		return
	fi
	bad=$(xp "$1" "//@$2" | tr ' ' '\n' | grep . | sed "s/^$2=\"\\(.*\\)\"\$/\\1/" |
		grep -Ev "$3" | head -3 | tr '\n' ' ')
	[ -z "$bad" ]
	check $? "$4: every $2 matches $3${bad:+ (not: $bad)}"
}

# validate FILE WHAT: well-formed, valid against both schemas, and its
# numbers, times and properties as docs/junit.md says
validate() {
	if [ ! -s "$1" ]; then
		check 1 "$2: report $1 written"
		return
	fi
	if [ -z "$XL" ]; then
		skip "xmllint not installed: $2 not validated"
		return
	fi
	schema_check "$1" "$2"
	expect_xp "$1" '/testsuites/@tests = count(//testcase) and /testsuites/@failures = count(//testcase/failure) and /testsuites/@errors = count(//testcase/error)' \
		true "$2: <testsuites> counts its cases"
	expect_xp "$1" 'count(/testsuites/testsuite[not(@tests = count(testcase)) or not(@failures = count(testcase/failure)) or not(@errors = count(testcase/error)) or not(@skipped = count(testcase/skipped))])' \
		0 "$2: each <testsuite> counts its cases"
	expect_xp "$1" 'count(/testsuites/testsuite[not(testcase)]) + count(//testsuite//testsuite) + count(/testsuites/*[not(self::testsuite)])' \
		0 "$2: suites flat, none empty"
	expect_xp "$1" 'count(/testsuites[not(@time)]) + count(//testsuite[not(@time) or not(@timestamp) or not(@hostname)]) + count(//testcase[not(@time) or not(@classname = ../@name)])' \
		0 "$2: time, timestamp, hostname, classname everywhere"
	expect_attrs "$1" time '^[0-9]+\.[0-9]{3}$' "$2"
	expect_attrs "$1" timestamp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$' "$2"
	expect_xp "$1" 'count(//properties) = 1 and count(/testsuites/testsuite[1]/properties) = 1' \
		true "$2: properties once, in the first suite"
	expect_xp "$1" 'count(//property[@name="assay.version" and string-length(@value) > 0]) + count(//property[@name="assay.command" and string-length(@value) > 0]) + count(//property[@name="assay.jobs" and number(@value) >= 1]) + count(//property[@name="assay.start_time"])' \
		4 "$2: assay.version, .command, .jobs, .start_time"
	st=$(xp "$1" 'string(//property[@name="assay.start_time"]/@value)')
	printf '%s\n' "$st" | grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
	check $? "$2: assay.start_time is YYYY-MM-DDTHH:MM:SSZ ($st)"
}

# --- hostile output: the report stays valid XML ---
mk a/nul 'printf "before\0after NUL\n"; exit 1'
mk a/esc 'printf "\033[31mred\033[0m plain\n"; printf "\033[1mbold err\033[0m\n" >&2; exit 1'
mk a/utf8 'printf "bad \377\376 and \300\200 end\n"; printf "fine: caf\303\251 \342\202\254\n"; exit 1'
mk a/cdata 'echo "a ]]> b <x/> & c"; echo "]]>" >&2; exit 1'
mk a/crlf 'printf "line1\r\nline2\r\n"; exit 1'
mk a/ctl 'printf "bell\007 vt\013 ff\014 del\177 fffe\357\277\276 ffff\357\277\277 tab\tend\n"; exit 1'
mk a/cdata.t 'printf "1..3\nok 1 - x ]]> y\nnot ok 2 - z ]]> w\n# diag ]]> here\nok 3 - done\n"'
mk a/yaml.t 'printf "1..1\nnot ok 1 - y\n  ---\n  message: \"]]> \377 \033[31m\"\n  ...\n"'
mk a/quotes.t "printf '1..4\\nok 1 - say \"hi\" & <b>\\nnot ok 2 - it'\\''s < 3 && > 2\\nok 3 - tab\\there\\nok 4 - esc \\033[32mgreen\\n'"
odd="a/it's&co"
bad=$(printf 'a/bad\377\001\033name')
if mk "$bad" 'echo "bad name"; exit 1' 2>/dev/null && [ -x "$bad" ]; then
	bad_ok=1
else
	bad_ok=
	echo "# the file system refused a name with the bytes 0377 01 033 (octal)"
fi
if mk "$odd" 'echo "odd name"; echo "odd err" >&2; exit 1' 2>/dev/null && [ -x "$odd" ]; then
	odd_ok=1
else
	odd_ok=
	echo "# the file system refused the name $odd"
fi
fffd=$(printf '\357\277\275')
run_assay run -j2 --junit "$W/a.xml" a
expect_rc 1
validate "$W/a.xml" "hostile output"
grep -qF 'before\x00after NUL' "$W/a.xml"
check $? "NUL is written \\x00"
grep -qF '\x1b[31mred\x1b[0m plain' "$W/a.xml"
check $? "ESC is written \\x1b: \\x1b[31m"
grep -qF '\x1b[1mbold err\x1b[0m' "$W/a.xml"
check $? "ESC in stderr too"
expect_xp "$W/a.xml" 'contains(//testsuite[@name="esc"]/testcase/system-err, "bold err")' true "stderr in <system-err>"
grep -qF "bad $fffd" "$W/a.xml"
check $? "invalid UTF-8 becomes U+FFFD"
! grep -q -e "$(printf '\377')" -e "$(printf '\376')" -e "$(printf '\300')" "$W/a.xml"
check $? "no raw invalid byte (\\377 \\376 \\300) in the report"
grep -qF "$(printf 'caf\303\251 \342\202\254')" "$W/a.xml"
check $? "valid UTF-8 passes unchanged"
expect_xp "$W/a.xml" 'contains(//testsuite[@name="utf8"]/testcase/system-out, " end")' true "the text after bad bytes is kept"
! grep -qF ']]>' "$W/a.xml"
check $? "']]>' never appears raw"
! grep -qF '<![CDATA[' "$W/a.xml"
check $? "no CDATA section"
expect_xp "$W/a.xml" 'contains(//testsuite[@name="cdata"]/testcase/system-out, "a ]]> b <x/> & c")' true "']]>', '<', '&' read back from system-out"
expect_xp "$W/a.xml" 'contains(//testsuite[@name="cdata"]/testcase/system-err, "]]>")' true "']]>' read back from system-err"
expect_xp "$W/a.xml" 'count(//testsuite[@name="cdata.t"]/testcase[@name="x ]]> y"])' 1 "']]>' in a passing TAP description"
expect_xp "$W/a.xml" 'count(//testsuite[@name="cdata.t"]/testcase[@name="z ]]> w"]/failure[@type="tap"])' 1 "']]>' in a failing TAP description"
expect_xp "$W/a.xml" 'count(//testsuite[@name="quotes.t"]/testcase[@name='"'"'say "hi" & <b>'"'"'])' 1 "TAP description with quotes, '&', '<'"
expect_xp "$W/a.xml" 'count(//testsuite[@name="quotes.t"]/testcase[@name="it'"'"'s < 3 && > 2"]/failure)' 1 "TAP description with an apostrophe, '<', '&&', '>'"
expect_xp "$W/a.xml" 'count(//testsuite[@name="quotes.t"]/testcase[contains(@name, "esc \x1b[32mgreen")])' 1 "ESC in a TAP description is \\x1b"
expect_xp "$W/a.xml" 'count(//testsuite[@name="quotes.t"]/testcase[@name="tab	here"]) + count(//testsuite[@name="quotes.t"]/testcase[@name="tab here"])' 1 "tab in a TAP description"
cr=$(printf '\r')
expect_xp "$W/a.xml" "contains(//testsuite[@name=\"crlf\"]/testcase/system-out, \"line1${cr}
line2${cr}
\")" true "CR LF output read back as CR LF"
expect_xp "$W/a.xml" "contains(//testsuite[@name=\"yaml.t\"]/testcase[@name=\"y\"]/failure, \"]]> $fffd \\x1b[31m\")" true "TAP YAML diagnostics with ']]>', a bad byte, ESC in <failure>"
expect_xp "$W/a.xml" 'contains(//testsuite[@name="ctl"]/testcase/system-out, "tab	end")' true "a tab is kept as a tab"
for c in '\x07' '\x0b' '\x0c' '\uFFFE' '\uFFFF'; do
	grep -qF "$c" "$W/a.xml"
	check $? "a character XML forbids is written $c"
done
if [ -n "$odd_ok" ]; then
	expect_xp "$W/a.xml" "count(//testsuite[@name=\"it's&co\"]/testcase[@name=\"it's&co\" and @classname=\"it's&co\"]/failure[@type=\"exit-code\"])" 1 "a test named it's&co"
	expect_xp "$W/a.xml" "contains(//testsuite[@name=\"it's&co\"]/testcase/system-out, \"odd name\")" true "its output"
	set -- .assay/logs/it*co.*.stdout
	[ -f "$1" ] && [ "$#" = 1 ] && grep -q "odd name" "$1"
	check $? "its stdout log has an unsafe-free name ($*)"
	case "$1" in *\'* | *\&*) false ;; *) true ;; esac
	check $? "the log name has no quote or '&' ($1)"
fi

if [ -n "$bad_ok" ]; then
	expect_xp "$W/a.xml" "count(//testsuite[@name=\"bad${fffd}\\x01\\x1bname\"]/testcase[@classname=\"bad${fffd}\\x01\\x1bname\"]/failure)" 1 "a test named bad\\377\\001\\033name is bad\\uFFFD\\x01\\x1bname"
	set -- .assay/logs/bad*name.*.stdout
	[ -f "$1" ] && [ "$#" = 1 ] && grep -q "bad name" "$1" &&
		! printf '%s' "$1" | grep -q -e "$(printf '\377')" -e "$(printf '\001')" -e "$(printf '\033')"
	check $? "its log's name has no unsafe byte ($*)"
fi

# --- assay.command reads back as the command line ---
qd="q d'x&\$y\"z"
mk "$qd/ok" 'exit 0'
run_assay run -j1 --junit "$W/q.xml" "$qd"
expect_rc 0
if [ -n "$XL" ]; then
	cmd=$(xp "$W/q.xml" 'string(//property[@name="assay.command"]/@value)')
	eval "set -- $cmd"
	[ "$#" = 6 ] && [ "$1" = "$ASSAY" ] && [ "$2 $3 $4 $5" = "run -j1 --junit $W/q.xml" ] && [ "$6" = "$qd" ]
	check $? "assay.command quotes each argument for sh ($cmd)"
else
	skip "xmllint not installed: assay.command not read"
fi

# --- 50 MB from one failing test: streamed, the report stays small ---
mk big/big 'head -c 52428800 /dev/zero | tr "\0" "x"; echo "small err" >&2; exit 1'
run_assay run --junit "$W/big.xml" big
expect_rc 1
validate "$W/big.xml" "50 MB output"
size=$(wc -c <"$W/big.xml")
[ "$size" -lt 2097152 ]
check $? "the report is small ($size bytes < 2 MiB)"
grep -q '\[\.\.\. assay left out [0-9][0-9]* bytes here; the whole output is in .* \.\.\.\]' "$W/big.xml"
check $? "the omission line names the log"
grep -qF '[... assay left out 52346880 bytes here;' "$W/big.xml"
check $? "it leaves out 50 MiB - 16 KiB head - 64 KiB tail = 52346880 bytes"
set -- .assay/logs/big*.stdout
[ -f "$1" ] && [ "$(wc -c <"$1")" = 52428800 ]
check $? "the whole 50 MiB is in $1"
named=$(sed -n 's/.*the whole output is in \([^ ]*\) \.\.\.\].*/\1/p' "$W/big.xml" | head -1)
[ -n "$named" ] && [ -f "$named" ] && [ "$(wc -c <"$named")" = 52428800 ]
check $? "the file the report names ($named) holds it all"
expect_xp "$W/big.xml" 'contains(//system-err, "small err")' true "its short stderr beside it"
grep -qF -- "--- stdout: last lines (" "$W/out" && grep -qF "bytes before them: $named)" "$W/out"
check $? "the console names the log where it shows only the last lines"
rm -f .assay/logs/big*

# --- --junit-max-text caps each text ---
mk cap/cap 'i=0; while [ $i -lt 1024 ]; do printf "%099d\n" $i; i=$((i + 1)); done; exit 1'
run_assay run --junit "$W/cap.xml" --junit-max-text 4K cap
expect_rc 1
validate "$W/cap.xml" "--junit-max-text 4K"
if [ -n "$XL" ]; then
	n=$(xp "$W/cap.xml" 'string-length(//testcase/system-out)')
	[ -n "$n" ] && [ "$n" -le 4096 ] && [ "$n" -ge 2048 ]
	check $? "system-out of 100 KiB is capped at 4 KiB ($n characters)"
else
	skip "xmllint not installed: the capped length not measured"
fi
expect_xp "$W/cap.xml" 'contains(//testcase/system-out, "[... assay left out ")' true "with the omission line"
expect_xp "$W/cap.xml" 'starts-with(//testcase/system-out, "0000")' true "the head kept"
expect_xp "$W/cap.xml" 'contains(//testcase/system-out, "1023")' true "the tail kept"

mk cap8/euro 'i=0; while [ $i -lt 40000 ]; do printf "\342\202\254"; i=$((i + 1)); done; exit 1'
run_assay run --junit "$W/cap8.xml" --junit-max-text 4K cap8
expect_rc 1
validate "$W/cap8.xml" "--junit-max-text 4K on 3-byte characters"
expect_xp "$W/cap8.xml" "contains(//system-out, \"$fffd\")" false "cut on character boundaries: no U+FFFD made"
if [ -n "$XL" ]; then
	n=$(xp "$W/cap8.xml" 'string(//testcase/system-out)' | wc -c)
	[ "$n" -le 4097 ] && [ "$n" -ge 2048 ]
	check $? "capped at 4 KiB of UTF-8 ($n bytes)"
else
	skip "xmllint not installed: the capped length not measured"
fi
run_assay run --junit "$W/cap.xml" --junit-max-text 10 cap
expect_rc 2 "--junit-max-text 10 is refused"
expect_err "--junit-max-text"

# --- 10,000 TAP points ---
# --- memory does not grow with a program's cases: 1,000,000 points ---
mk million/m.t "exec awk 'BEGIN { print \"1..1000000\"; for (i = 1; i <= 1000000; i++) print \"ok \" i \" - point \" i }'"
run_maxrss run --state-dir '' --junit "$W/million.xml" million
expect_rc 0 "1,000,000 TAP points with --junit"
expect_maxrss 65536 "with --junit on 1,000,000 TAP points"
[ "$(grep -c '<testcase ' "$W/million.xml")" = 1000000 ]
check $? "the report holds all 1,000,000 cases"
grep -q '<testsuite name="m.t" tests="1000000" failures="0"' "$W/million.xml"
check $? "its suite counts them"
rm -f "$W/million.xml"

# --- a failing case's output says where its program's whole output is ---
mk loudcase/l.t 'echo 1..2; echo "ok 1 - quiet"; head -c 200000 /dev/zero | tr "\\0" y; echo; echo "not ok 2 - loud"'
run_assay run --state-dir '' --output-dir "$W/lclogs" --junit "$W/loud.xml" loudcase
expect_rc 1
expect_xp "$W/loud.xml" 'count(//testcase[@name="loud"]/system-out[contains(., "[the program'"'"'s whole output is in '"$W"'/lclogs/l.t.stdout]")])' 1 "the failing case names its program's log"
validate "$W/loud.xml" "cases streamed with a log note"

mk many/many.t 'echo "1..10000"; i=1; while [ $i -le 10000 ]; do echo "ok $i - point $i"; i=$((i + 1)); done'
run_assay run --junit "$W/many.xml" many
expect_rc 0
validate "$W/many.xml" "10,000 TAP points"
expect_xp "$W/many.xml" 'string(/testsuites/@tests)' 10000 "all points counted"
expect_xp "$W/many.xml" 'count(//testsuite[@name="many.t"]/testcase)' 10000 "one case per point"
expect_xp "$W/many.xml" 'count(//testcase[@name="point 10000"])' 1 "the last point"

# --- outcomes and their types ---
mk o/pass 'echo "pass says hi"'
mk o/fail 'echo "fail says hi"; echo "fail err" >&2; exit 1'
mk o/crash 'echo "about to crash"; kill -SEGV $$'
mk o/slow 'echo "sleeping"; exec sleep 7'
mk o/point.t 'printf "1..2\nok 1 - good\nnot ok 2 - bad\n"'
mk o/plan.t 'printf "1..5\nok 1 - one\n"'
mk o/hard 'echo "hard"; exit 99'
mk o/skip 'echo "no frobnicator here"; exit 77'
mk o/skipall.t 'echo "1..0 # SKIP no GPU"'
mk o/early.t 'echo "1..3"; kill -SEGV $$'
printf '#!/nonexistent/sh\necho never\n' >o/norun
chmod +x o/norun
run_assay run -j3 --no-isolate-failures --timeout 0.5 --grace 0.2 --junit "$W/o.xml" o
expect_rc 1
validate "$W/o.xml" "outcomes"
expect_xp "$W/o.xml" 'string(/testsuites/@tests)' 13 "13 cases (plan.t: its point and its error)"
expect_xp "$W/o.xml" 'number(/testsuites/@time) >= 0.5 and number(//testsuite[@name="slow"]/@time) >= 0.5 and number(//testsuite[@name="slow"]/@time) < 5' true "times in seconds: the run and the timed-out test took >= 0.5 s"
expect_xp "$W/o.xml" "count(//testsuite[@hostname != \"$(uname -n)\"]) + count(//property[@name=\"assay.hostname\" and @value != \"$(uname -n)\"])" 0 "hostname is the machine's name"
expect_xp "$W/o.xml" 'count(//property[@name="assay.jobs" and @value="3"])' 1 "assay.jobs is -j"
expect_xp "$W/o.xml" 'contains(//property[@name="assay.command"]/@value, "--junit")' true "assay.command is the command line"
expect_xp "$W/o.xml" 'count(//testsuite[@name="pass"]/testcase[@name="pass" and not(*)])' 1 "pass: an empty case"
expect_xp "$W/o.xml" 'count(//testsuite[@name="fail"]/testcase/failure[@type="exit-code" and @message="exit code 1"])' 1 "exit 1: failure type exit-code"
expect_xp "$W/o.xml" 'contains(//testsuite[@name="fail"]/testcase/system-out, "fail says hi") and contains(//testsuite[@name="fail"]/testcase/system-err, "fail err")' true "its system-out and system-err"
expect_xp "$W/o.xml" 'count(//testsuite[@name="crash"]/testcase/error[@type="crash" and @message="crash (SIGSEGV)"])' 1 "SIGSEGV: error type crash"
expect_xp "$W/o.xml" 'count(//testsuite[@name="slow"]/testcase/error[@type="timeout" and starts-with(@message, "timeout")])' 1 "--timeout 0.5: error type timeout"
expect_xp "$W/o.xml" 'count(//testsuite[@name="point.t"]/testcase[@name="bad"]/failure[@type="tap"]) + count(//testsuite[@name="point.t"]/testcase[@name="good" and not(*)])' 2 "not ok: failure type tap"
expect_xp "$W/o.xml" 'count(//testsuite[@name="plan.t"]/testcase[@name="plan.t"]/error[@type="tap-protocol" and contains(@message, "planned 5 tests but ran 1")])' 1 "plan mismatch: error type tap-protocol, a case named after the test"
expect_xp "$W/o.xml" 'count(//testsuite[@name="skipall.t"]/testcase[@name="skipall.t"]/skipped[@message="no GPU"])' 1 "1..0 # SKIP: one skipped case, not an empty suite"
expect_xp "$W/o.xml" 'count(//testsuite[@name="early.t"]/testcase[@name="early.t"]/error[@type="crash"])' 1 "a TAP program crashing before its first point: one error case"
expect_xp "$W/o.xml" 'count(//testsuite[@name="hard"]/testcase/error[@type="hard-error"])' 1 "exit 99: error type hard-error"
expect_xp "$W/o.xml" 'count(//testsuite[@name="norun"]/testcase/error[@type="not-runnable"])' 1 "bad #! interpreter: error type not-runnable"
expect_xp "$W/o.xml" 'count(//testsuite[@name="skip"]/testcase/skipped[string-length(@message) > 0]) + count(//testsuite[@name="skip"]/testcase/*)' 2 "exit 77: <skipped> with a message, nothing else"
expect_xp "$W/o.xml" 'count(//testsuite[@name="pass"]//system-out)' 0 "no system-out for a pass by default"
mkdir o2
cp o/pass o/fail o/point.t o/skip o2/
run_assay run -j3 --junit "$W/o2.xml" --junit-output=all o2
expect_rc 1
validate "$W/o2.xml" "--junit-output=all"
expect_xp "$W/o2.xml" 'contains(//testsuite[@name="pass"]/testcase/system-out, "pass says hi")' true "--junit-output=all: a pass has its system-out"
expect_xp "$W/o2.xml" 'count(//testsuite[@name="point.t"]/testcase[@name="good"]/system-out)' 1 "--junit-output=all: a passing TAP point has system-out"
run_assay run --junit "$W/o3.xml" --junit-output=nope o/pass
expect_rc 2 "--junit-output with an unknown value"

# --- git properties ---
if command -v git >/dev/null 2>&1; then
	mkdir -p g/t
	mk g/t/ok 'exit 0'
	echo one >g/tracked
	(
		cd g &&
			git init -q . &&
			git add tracked t &&
			git -c user.name=assay -c user.email=assay@example.invalid -c commit.gpgsign=false \
				-c core.hooksPath=/dev/null commit -q -m fixture
	) >"$W/out" 2>"$W/err"
	check $? "a git repository with one commit"
	head=$(git -C g rev-parse HEAD)
	branch=$(git -C g symbolic-ref --short HEAD)
	(cd g && "$ASSAY" run --junit "$W/g1.xml" t) >"$W/out" 2>"$W/err"
	RC=$?
	expect_rc 0
	validate "$W/g1.xml" "in a git repository"
	expect_xp "$W/g1.xml" 'string(//property[@name="git.commit"]/@value)' "$head" "git.commit is HEAD"
	expect_xp "$W/g1.xml" 'string(//property[@name="git.branch"]/@value)' "$branch" "git.branch"
	expect_xp "$W/g1.xml" 'string(//property[@name="git.dirty"]/@value)' false "git.dirty=false (untracked files do not count)"
	echo two >g/tracked
	(cd g && "$ASSAY" run --junit "$W/g2.xml" t) >"$W/out" 2>"$W/err"
	RC=$?
	expect_rc 0
	expect_xp "$W/g2.xml" 'string(//property[@name="git.dirty"]/@value)' true "git.dirty=true after a tracked file changed"
	git -C g -c advice.detachedHead=false checkout -q --detach 2>/dev/null
	git -C g checkout -q -- tracked
	(cd g && "$ASSAY" run --junit "$W/g3.xml" t) >"$W/out" 2>"$W/err"
	expect_xp "$W/g3.xml" 'string(//property[@name="git.branch"]/@value)' HEAD "git.branch=HEAD when detached"
	mkdir -p ng
	mk ng/t/ok 'exit 0'
	if (cd ng && GIT_CEILING_DIRECTORIES="$W" git rev-parse --git-dir) >/dev/null 2>&1; then
		skip "$W/ng is inside a git repository: not checked outside one"
	else
		(cd ng && GIT_CEILING_DIRECTORIES="$W" "$ASSAY" run --junit "$W/ng.xml" t) >"$W/out" 2>"$W/err"
		RC=$?
		expect_rc 0 "outside a git repository"
		validate "$W/ng.xml" "outside a git repository"
		expect_xp "$W/ng.xml" 'count(//property[starts-with(@name, "git.")])' 0 "no git.* properties outside a repository"
	fi
else
	skip "git not installed: git properties not checked"
fi

# --- whole on disk: the old report stays until the new one replaces it ---
cp "$W/o.xml" "$W/w.xml"
cp "$W/o.xml" "$W/w.saved"
mk w/early 'exit 0'
mk w/during 'i=0; while [ $i -lt 3 ]; do sleep 0.1; cmp -s "'"$W"'/w.xml" "'"$W"'/w.saved" || exit 1; i=$((i + 1)); done'
run_assay run -j2 --junit "$W/w.xml" w
expect_rc 0 "the previous report was unchanged while the tests ran"
! cmp -s "$W/w.xml" "$W/w.saved"
check $? "after the run FILE is the new report"
validate "$W/w.xml" "the replacing report"
expect_xp "$W/w.xml" 'count(//testsuite[@name="during"])' 1 "it is this run's"
set -- "$W"/w.xml.tmp.*
[ ! -e "$1" ]
check $? "no w.xml.tmp.* left"

mk nd/touch "touch '$W/nd-ran'"
run_assay run --junit /nonexistent-dir/r.xml nd
expect_rc 2 "--junit in a directory that does not exist"
expect_err "/nonexistent-dir/r.xml"
[ ! -e "$W/nd-ran" ]
check $? "no test ran"

mkdir gone
mk gn/rm "rm -rf '$W/gone'"
run_assay run --junit "$W/gone/r.xml" gn
expect_rc 3 "the report's directory vanished during the run"
expect_err "$W/gone/r.xml"

cp "$W/w.xml" "$W/w.saved"
run_assay run --junit "$W/w.xml" --reporter nosuch w
expect_rc 2 "a usage error after --junit"
cmp -s "$W/w.xml" "$W/w.saved" && [ -z "$(ls "$W"/w.xml.tmp.* 2>/dev/null)" ]
check $? "a run that never started leaves the previous report as it was"

mk fx/ok 'exit 0'
(trap '' XFSZ; ulimit -f 1; "$ASSAY" run --junit "$W/fx.xml" fx >"$W/out" 2>"$W/err")
RC=$?
expect_rc 3 "the report cannot be written (file size limit)"
expect_err "reporter 'junit' failed: cannot write $W/fx.xml: File too large"
! grep -q "I/O error\|flush error" "$W/err"
check $? "libxml2 prints nothing of its own"

# --- memory: a passing case's output is not held ---
mkdir mem
printf '%s\n' '#!/bin/sh' \
	'awk '"'"'BEGIN { pad = "x"; while (length(pad) < 16000) pad = pad pad' \
	'	print "1..4000"' \
	'	for (i = 1; i <= 4000; i++) { print "# " pad; print "ok " i " - case " i } }'"'" >mem/many.t
chmod +x mem/many.t
run_maxrss run --junit "$W/mem.xml" mem
expect_rc 0 "4,000 passing points with 16 KB of output each"
expect_maxrss 49152 "with --junit over 64 MB of passing output"

# --- interrupted: the report is written, with the tests not run ---
mk i/fast "touch '$W/i-fast'"
mk i/sleepy "exec sleep 3$$"
for sig in INT TERM; do
	rm -f "$W/i-fast" "$W/i.xml"
	# (a background job of sh ignores SIGINT: env resets it)
	env --default-signal=INT "$ASSAY" run -j2 --grace 0.2 --junit "$W/i.xml" i >"$W/out" 2>"$W/err" &
	pid=$!
	n=0
	while ! { [ -e "$W/i-fast" ] && grep -q "PASS.* fast" "$W/out"; } && [ $n -lt 500 ]; do
		sleep 0.02
		n=$((n + 1))
	done
	kill -$sig $pid
	wait $pid
	RC=$?
	expect_rc 130 "interrupted by SIG$sig"
	validate "$W/i.xml" "run interrupted by SIG$sig"
	expect_xp "$W/i.xml" 'count(//testsuite[@name="fast"]/testcase[not(*)])' 1 "SIG$sig: the finished test is a pass"
	expect_xp "$W/i.xml" 'count(//testsuite[@name="sleepy"]/testcase/skipped[@type="cancelled" and starts-with(@message, "cancelled after ")])' 1 "SIG$sig: the running one is <skipped type=cancelled>, with how long it ran"
	set -- "$W"/i.xml.tmp.*
	[ ! -e "$1" ]
	check $? "SIG$sig: no i.xml.tmp.* left"
	no_process "sleep 3$$"
done

# --- logs of failed tests ---
mk l/lfail 'echo "lfail out"; echo "lfail err" >&2; exit 1'
mk l/lpass 'echo "lpass out"; echo "lpass err" >&2'
mk l/flip "echo flip out; [ ! -e '$W/flip-fails' ]"
mk "l/fl'ip&" "echo flip out; [ ! -e '$W/flip-fails' ]"
mk l/flip.t "echo 1..1; [ -e '$W/flip-fails' ] && echo 'not ok 1' || echo 'ok 1'"
touch "$W/flip-fails"
rm -rf .assay
run_assay run --junit "$W/l.xml" l
expect_rc 1
grep -qx "lfail out" .assay/logs/lfail.stdout && grep -qx "lfail err" .assay/logs/lfail.stderr
check $? "a failed test's stdout and stderr in .assay/logs"
set -- .assay/logs/fl_ip_.*.stdout
[ -f .assay/logs/flip.stdout ] && [ -f .assay/logs/flip.t.stdout ] && [ -f "$1" ]
check $? "flip, flip.t, fl'ip& failed: their logs are kept"
set -- .assay/logs/lpass*
[ ! -e "$1" ]
check $? "no log for a passing test"
rm "$W/flip-fails"
run_assay run --junit "$W/l.xml" l
expect_rc 1
set -- .assay/logs/fl*
[ ! -e "$1" ]
check $? "the logs of tests that failed before are removed when they pass (glob: $*)"
run_assay run --keep-logs --junit "$W/l.xml" l
expect_rc 1
grep -qx "lpass out" .assay/logs/lpass.stdout && grep -qx "lpass err" .assay/logs/lpass.stderr
check $? "--keep-logs keeps a passing test's logs"
run_assay run --junit "$W/l.xml" l
expect_rc 1
set -- .assay/logs/lpass*
[ ! -e "$1" ]
check $? "a run without --keep-logs removes the passing test's old logs"
rm -rf .assay
run_assay run --output-dir "$W/ld" --junit "$W/l.xml" l
expect_rc 1
grep -qx "lfail out" "$W/ld/lfail.stdout" && grep -qx "lfail err" "$W/ld/lfail.stderr"
check $? "--output-dir DIR holds the logs"
[ ! -e .assay/logs ]
check $? "and .assay/logs is not made"
validate "$W/l.xml" "with --output-dir"
echo "a file" >"$W/afile"
run_assay run --output-dir "$W/afile/logs" --junit "$W/lu.xml" l
expect_rc 1 "an unwritable --output-dir does not change the verdict"
grep -qF "cannot keep test logs" "$W/out" "$W/err"
check $? "a note says 'cannot keep test logs'"
validate "$W/lu.xml" "with an unwritable --output-dir"
run_assay run --output-dir "$W/afile/logs" --junit "$W/lu.xml" l/lpass
expect_rc 0 "an unwritable --output-dir with passing tests"

finish
