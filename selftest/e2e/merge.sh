#!/bin/sh
# assay merge -o OUT IN...: counts recomputed from the test cases, suites
# of different inputs kept apart, assay.merged_from on each input's first
# suite, nested suites flattened, output valid against docs/junit.xsd
# (and Jenkins' junit-10.xsd when JUNIT_SCHEMA_DIR holds it); bad, hostile and huge inputs (truncated, not XML, empty, a DTD,
# billion laughs, an external entity, a DTD after comments, missing,
# wrong root, 10,000 cases); peak RSS bounded on a 200 MB report;
# exit status 2 for a bad input, 3 for an output that cannot be written,
# and OUT left as it was on any error (docs/junit.md, "Merging reports").
. "$(dirname "$0")/lib.sh"
: "${ASSAY_SRCDIR:=$(cd "$here/../.." && pwd)}"
LC_ALL=C
export LC_ALL

XL=$(command -v xmllint)


# expect_in FILE TEXT: FILE holds TEXT (fixed string)
expect_in() {
	grep -qF -- "$2" "$1"
	check $? "$(basename "$1") has: $2"
}

# expect_count FILE N TEXT: TEXT is on N lines of FILE
expect_count() {
	n=$(grep -cF -- "$3" "$1")
	[ "$n" = "$2" ]
	check $? "$(basename "$1") has $2 lines with: $3 (got $n)"
}

# expect_valid FILE: a merge of other tools' reports, well-formed and
# valid against the public schema (lib.sh's schema_check)
expect_valid() {
	schema_check "$1" "$(basename "$1")" foreign
}

# refused FILE WANT WHAT: merging FILE exits 2 with WANT on stderr, and
# neither a new output nor a change to an old one
refused() {
	rm -f new.xml
	cp keep.xml keep.before
	run_assay merge -o new.xml shard2.xml "$1"
	expect_rc 2 "$3"
	expect_err "$2"
	[ ! -e new.xml ]
	check $? "no output created for $3"
	run_assay merge -o keep.xml shard2.xml "$1"
	cmp -s keep.xml keep.before
	check $? "the previous output is left as it was for $3"
	[ -z "$(ls keep.xml.tmp.* new.xml.tmp.* 2>/dev/null)" ]
	check $? "no temporary file left for $3"
}

# --- two shards: counts recomputed, suites kept apart ---
cat >shard1.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="assay" tests="1" failures="0" errors="0" time="9.000">
  <testsuite name="t/basic.t" tests="1" failures="0" errors="0" skipped="0" time="0.500" timestamp="2026-11-21T10:00:00" hostname="ci-1">
    <properties>
      <property name="assay.version" value="0.1"/>
    </properties>
    <testcase classname="t/basic.t" name="adds" time="0.001"/>
    <testcase classname="t/basic.t" name="parses &lt;dates&gt;" time="0.012">
      <failure message="not ok 2" type="tap">got 1 &amp; 2</failure>
      <system-out>line one
line two</system-out>
    </testcase>
    <testcase classname="t/basic.t" name="needs a GPU" time="0.000">
      <skipped message="no CUDA device"/>
    </testcase>
  </testsuite>
  <testsuite name="t/gpu.t" tests="0" failures="0" errors="0" skipped="0" time="0.250" hostname="ci-1">
    <testcase classname="t/gpu.t" name="t/gpu.t" time="0.250">
      <error message="crash (SIGSEGV)" type="crash">crash</error>
    </testcase>
  </testsuite>
</testsuites>
EOF
cat >shard2.xml <<'EOF'
<testsuite name="t/gpu.t" tests="7" failures="7" errors="7" time="1.125" hostname="ci-2">
  <testcase classname="t/gpu.t" name="kernel" time="1.125"/>
</testsuite>
EOF
run_assay merge -o all.xml shard1.xml shard2.xml
expect_rc 0 "two shards merge"
expect_in all.xml '<testsuites name="assay" tests="5" failures="1" errors="1" time="1.875">'
expect_in all.xml '<testsuite name="t/basic.t" tests="3" failures="1" errors="0" skipped="1" time="0.500" timestamp="2026-11-21T10:00:00" hostname="ci-1">'
expect_in all.xml '<testsuite name="t/gpu.t" tests="1" failures="0" errors="1" skipped="0" time="0.250" hostname="ci-1">'
expect_in all.xml '<testsuite name="t/gpu.t" tests="1" failures="0" errors="0" skipped="0" time="1.125" hostname="ci-2">'
expect_count all.xml 3 '<testsuite '
expect_count all.xml 1 '<property name="assay.merged_from" value="shard1.xml"/>'
expect_count all.xml 1 '<property name="assay.merged_from" value="shard2.xml"/>'
expect_count all.xml 1 '<property name="assay.version" value="0.1"/>'
expect_in all.xml '<failure message="not ok 2" type="tap">got 1 &amp; 2</failure>'
expect_valid all.xml
mk own/a 'exit 0'
mk own/b 'exit 1'
"$ASSAY" run --state-dir '' --junit own1.xml own/a >/dev/null 2>&1
"$ASSAY" run --state-dir '' --junit own2.xml own/b >/dev/null 2>&1
run_assay merge -o own.xml own1.xml own2.xml
expect_rc 0 "two of assay's own reports merge"
schema_check own.xml "a merge of assay's own reports"
grep -q ' skipped=' all.xml && ! grep -q '<testsuites[^>]*skipped=' all.xml
check $? "no skipped attribute on <testsuites>"

# --- counts that lie are counted again; nesting flattened ---
cat >liar.xml <<'EOF'
<testsuites tests="1000" failures="500" errors="70">
  <testsuite name="liar" tests="100" failures="50" errors="7" skipped="3" time="x">
    <testcase name="a"><failure/><error/><skipped/></testcase>
    <testcase name="b"><error/><skipped/></testcase>
    <testcase name="c"/>
    <testsuite time="2.000">
      <testcase name="d"><skipped/></testcase>
    </testsuite>
  </testsuite>
</testsuites>
EOF
run_assay merge -o liar-out.xml liar.xml
expect_rc 0 "a report whose counts lie merges"
expect_in liar-out.xml '<testsuites name="assay" tests="4" failures="1" errors="1" time="2.000">'
expect_in liar-out.xml '<testsuite name="liar" tests="3" failures="1" errors="1" skipped="0" time="x">'
expect_in liar-out.xml '<testsuite name="(unnamed)" tests="1" failures="0" errors="0" skipped="1" time="2.000">'
expect_count liar-out.xml 1 'assay.merged_from'
[ "$(grep -n '<testsuite ' liar-out.xml | sed -n 's/^\([0-9]*\):.*name="\([^"]*\)".*/\2/p' | tr '\n' ' ')" = "(unnamed) liar " ]
check $? "a nested suite is written before the suite it was in"
sed -n '/name="(unnamed)"/,/<\/testsuite>/p' liar-out.xml | grep -q 'assay.merged_from'
check $? "assay.merged_from goes on the first suite written"
printf '<testsuite name="p"><properties/><testcase name="c"/></testsuite>\n' >emptyprops.xml
run_assay merge -o emptyprops-out.xml emptyprops.xml
expect_rc 0 "an empty <properties/> of the suite's own"
expect_count emptyprops-out.xml 1 '<properties>'
expect_in emptyprops-out.xml '<property name="assay.merged_from" value="emptyprops.xml"/>'
expect_valid emptyprops-out.xml

# --- the same input twice: two copies ---
run_assay merge -o twice.xml shard2.xml shard2.xml
expect_rc 0 "the same input twice"
expect_count twice.xml 2 '<property name="assay.merged_from" value="shard2.xml"/>'
expect_in twice.xml '<testsuites name="assay" tests="2" failures="0" errors="0" time="2.250">'

# --- bad and hostile inputs: exit 2, the file named, OUT untouched ---
echo 'previous report' >keep.xml
size=$(wc -c <shard1.xml)
head -c $((size / 2)) shard1.xml >half.xml
refused half.xml "half.xml:" "a truncated input"
grep -Eq '^assay: half\.xml:[0-9]+: .*\(truncated or not XML\?\)$' "$W/err"
check $? "the message names the file and a line"
printf 'this is not XML\n' >text.xml
refused text.xml "text.xml:1: " "a text file"
: >empty.xml
refused empty.xml "empty.xml:1: " "an empty file"
cat >lol.xml <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE testsuite [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<testsuite name="lol" tests="1" failures="0" errors="0"><testcase name="&lol9;"/></testsuite>
EOF
refused lol.xml "lol.xml: has a DTD (<!DOCTYPE>); assay merge refuses DTDs and entities: remove it" \
	"billion laughs"
cat >xxe.xml <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE testsuite [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<testsuite name="xxe" tests="1" failures="0" errors="0">
  <testcase name="leak"><system-out>&x;</system-out></testcase>
</testsuite>
EOF
refused xxe.xml "xxe.xml: has a DTD (<!DOCTYPE>); assay merge refuses DTDs and entities: remove it" \
	"an external entity"
! grep -q 'root:' "$W/out" "$W/err"
check $? "nothing of /etc/passwd in assay's output"
printf '<!DOCTYPE testsuite SYSTEM "http://127.0.0.1:9/x.dtd">\n<testsuite name="x" tests="0" failures="0" errors="0"/>\n' >extdtd.xml
refused extdtd.xml "extdtd.xml: has a DTD (<!DOCTYPE>)" "an external DTD"
printf '<?xml version="1.0"?>\n<!-- a comment -->\n<?pi data?>\n<!DOCTYPE testsuite>\n<testsuite name="x"/>\n' >lateddt.xml
refused lateddt.xml "lateddt.xml: has a DTD (<!DOCTYPE>)" "a DTD after a comment and a processing instruction"
printf '<?xml version="1.0"?>\n<!-- not a <!DOCTYPE x> <? -->\n<testsuite name="x"><testcase name="c"/></testsuite>\n' >notdtd.xml
run_assay merge -o notdtd-out.xml notdtd.xml
expect_rc 0 "'<!DOCTYPE' inside a comment of the prolog is not a DTD"
awk 'BEGIN { print "<!DOCTYPE testsuite ["
	for (i = 0; i < 300000; i++)
		printf "<!ENTITY e%d \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789\">\n", i
	print "]>"; print "<testsuite name=\"x\"/>" }' >bigdtd.xml
rm -f new.xml
run_maxrss merge -o new.xml bigdtd.xml
expect_rc 2 "a DTD of 300,000 entity declarations"
expect_err "bigdtd.xml: has a DTD (<!DOCTYPE>)"
expect_maxrss 65536 "refusing a DTD of $(($(wc -c <bigdtd.xml) / 1000000)) MB: refused before libxml2 reads it"
rm -f bigdtd.xml
refused no-such.xml "cannot read report 'no-such.xml': No such file or directory" \
	"a missing input"
printf '<html><body/></html>\n' >page.xml
refused page.xml "page.xml: the root element is <html>, not <testsuites> or <testsuite>" \
	"a wrong root element"
mkdir adir
refused adir "adir: is a directory" "a directory"

# --- namespaces: each suite declares only what its copy uses ---
awk 'BEGIN {
	print "<testsuites>"
	for (d = 0; d < 250; d++) {
		printf "<testsuite name=\"s%d\"", d
		for (k = 0; k < 40; k++)
			printf " xmlns:p%d_%d=\"urn:x\"", d, k
		print "><testcase name=\"c\"/>"
	}
	for (d = 0; d < 250; d++)
		print "</testsuite>"
	print "</testsuites>"
}' >nsdeep.xml
run_assay merge -o nsdeep-out.xml nsdeep.xml
expect_rc 0 "250 nested suites under 10,000 namespace declarations"
[ "$(wc -c <nsdeep-out.xml)" -lt 100000 ]
check $? "none of the unused declarations is repeated ($(wc -c <nsdeep-out.xml) bytes)"
expect_valid nsdeep-out.xml
printf '<testsuite name="a" xmlns:q="urn:q" q:x="1"><testcase name="c"><q:detail/></testcase></testsuite>\n' >nsused.xml
run_assay merge -o nsused-out.xml nsused.xml
expect_in nsused-out.xml 'xmlns:q="urn:q"'
xmllint --noout nsused-out.xml 2>/dev/null
check $? "a namespace the copy uses stays declared"
printf '<testsuites><testsuite xmlns:p="urn:x" p:foo="1" name="a"><testcase name="c"/></testsuite></testsuites>\n' >nsown.xml
run_assay merge -o nsown-out.xml nsown.xml
expect_in nsown-out.xml 'xmlns:p="urn:x"'
run_assay merge -o nsown-again.xml nsown-out.xml
expect_rc 0 "a suite's own namespace stays declared: merge reads its output back"
awk 'BEGIN { printf "<testsuite name=\"a\"><testcase name=\"c\">"
	for (k = 0; k < 70; k++) printf "<p%d:x xmlns:p%d=\"urn:%d\"/>", k, k, k
	print "</testcase></testsuite>" }' >nsinner.xml
run_assay merge -o nsinner-out.xml nsinner.xml
expect_rc 0 "namespaces declared inside the copied content are copied with it"
awk 'BEGIN { printf "<r"
	for (k = 0; k < 70; k++) printf " xmlns:p%d=\"urn:%d\"", k, k
	printf "><testsuite name=\"a\"><testcase name=\"c\""
	for (k = 0; k < 70; k++) printf " p%d:a=\"1\"", k
	print "/></testsuite></r>" }' | sed 's/^<r/<testsuites/; s/<\/r>$/<\/testsuites>/' >nsmany.xml
refused nsmany.xml "nsmany.xml:1: suite uses more than 16 XML namespaces" "a suite using 70 namespaces"

# --- a time too large to add up ---
printf '<testsuite name="a" time="1e308"><testcase name="c"/></testsuite>\n' >huge-time.xml
run_assay merge -o huge-time-out.xml huge-time.xml huge-time.xml
expect_in huge-time-out.xml '<testsuites name="assay" tests="2" failures="0" errors="0" time="0.000">'

# --- a FIFO is refused at once; a stream is read as '-' ---
mkfifo fifo
start=$(date +%s)
run_assay merge -o fifo-out.xml fifo
expect_rc 2 "a FIFO with no writer is refused, not waited on"
expect_err "fifo: not a regular file (a FIFO, socket or device); to merge a stream, give it as '-' on standard input"
[ $(($(date +%s) - start)) -le 1 ]
check $? "refused within a second"
"$ASSAY" merge -o stdin-out.xml - <shard2.xml >"$W/out" 2>"$W/err"
RC=$?
expect_rc 0 "'-' reads standard input"
expect_count stdin-out.xml 1 '<testcase '

# --- the output cannot be written: exit 2 (as run --junit) or 3 ---
run_assay merge -o no/such/dir/out.xml shard2.xml
expect_rc 2 "an output in a missing directory, as run --junit"
expect_err "cannot create a temporary file beside 'no/such/dir/out.xml'"

# --- 10,000 test cases ---
sh "$here/../bench/gen-junit.sh" 10000 10 >big.xml
cp keep.xml keep.before
(trap '' XFSZ; ulimit -f 64; "$ASSAY" merge -o keep.xml big.xml >"$W/out" 2>"$W/err")
RC=$?
expect_rc 3 "a write that fails part way (file size limit)"
expect_err "cannot write the merged report 'keep.xml'"
cmp -s keep.xml keep.before && [ -z "$(ls keep.xml.tmp.* 2>/dev/null)" ]
check $? "the previous output is left as it was, no temporary file left"
run_assay merge -o big-out.xml big.xml big.xml
expect_rc 0 "two inputs of 10,000 cases"
expect_in big-out.xml '<testsuites name="assay" tests="20000" failures="200" errors="40" '
expect_count big-out.xml 20000 '<testcase '
expect_valid big-out.xml

# --- memory does not grow with the input: a 200 MB report ---
sh "$here/../bench/gen-junit.sh" 1600000 100 >huge.xml
run_maxrss merge -o huge-out.xml huge.xml
expect_rc 0 "a report of $(($(wc -c <huge.xml) / 1000000)) MB merges"
expect_maxrss 65536 "merging a report of $(($(wc -c <huge.xml) / 1000000)) MB"
expect_count huge-out.xml 1 '<testsuites name="assay" tests="1600000" failures="16000" errors="3200" '
[ "$(grep -c '<testcase ' huge-out.xml)" = 1600000 ]
check $? "the merged report holds all 1,600,000 cases"
rm -f huge.xml huge-out.xml

finish
