# selftest/bench/lib.sh - what the benchmark scripts share (sourced, not
# run; mode 644 like them, so assay does not take it for a test).

# median: the median of the numbers on stdin, one per line
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ver CMD...: the first line the command prints about itself
ver() { "$@" 2>/dev/null | head -n 1; }

# find_lit: sets lit_cmd to a command running LLVM's lit, or "" when
# there is none (Debian ships it inside llvm-NN-tools: the newest wins)
find_lit() {
	lit_cmd=""
	if command -v lit >/dev/null 2>&1; then
		lit_cmd=lit
		return
	fi
	for f in $(ls -d /usr/lib/llvm-*/build/utils/lit/lit.py 2>/dev/null | sort -t- -k2 -n); do
		lit_cmd=$f
	done
	if [ -n "$lit_cmd" ]; then
		py=python3
		[ -x /usr/bin/python3 ] && py=/usr/bin/python3
		lit_cmd="$py $lit_cmd"
	fi
}

# work_dir NAME: WORK as given (made when missing), or a new temporary
# directory assay-NAME.XXXXXX, removed at exit unless KEEP=1; INT and
# TERM end the script with 130
work_dir() {
	if [ -n "${WORK:-}" ]; then
		mkdir -p "$WORK" || exit 1
		WORK=$(cd "$WORK" && pwd)
	else
		WORK=$(mktemp -d "${TMPDIR:-/tmp}/assay-$1.XXXXXX") || exit 1
		[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
	fi
	trap 'exit 130' INT TERM
}
