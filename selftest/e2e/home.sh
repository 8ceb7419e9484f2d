#!/bin/sh
# A private home per test: HOME and the XDG base directories point into
# the test's own scratch directory, never at the user's; --no-isolate-home
# gives the user's back.
. "$(dirname "$0")/lib.sh"

REAL=$W/realhome
mkdir -p "$REAL"
mk t/writer 'echo "$HOME" >"'"$W"'/homedir"
for v in HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME XDG_RUNTIME_DIR; do
	eval "d=\$$v"
	case $d in "'"$REAL"'"*|"") echo "$v is the real one: $d"; exit 1 ;; esac
done
[ -d "$HOME" ] && [ "$(cd "$HOME" && find . | sort | tr "\n" " ")" = ". ./.cache ./.config ./.local ./.local/share ./.local/state " ] ||
	{ echo "HOME is not a fresh home"; exit 2; }
[ -d "$XDG_CONFIG_HOME" ] && [ -d "$XDG_DATA_HOME" ] && [ -d "$XDG_CACHE_HOME" ] && [ -d "$XDG_STATE_HOME" ] ||
	{ echo "an XDG base directory is missing"; exit 6; }
[ "$(stat -c %a "$XDG_RUNTIME_DIR")" = 700 ] || { echo "XDG_RUNTIME_DIR not 0700"; exit 3; }
case $XDG_DATA_HOME in "$HOME"/*) ;; *) echo "XDG_DATA_HOME outside HOME"; exit 4 ;; esac
mkdir -p "$XDG_DATA_HOME/Trash/files" && echo x >"$XDG_DATA_HOME/Trash/files/junk"
echo y >"$HOME/.testrc"; mkdir -p "$XDG_CONFIG_HOME/app" && echo z >"$XDG_CONFIG_HOME/app/conf"
[ "$TMPDIR" != "$HOME" ] && [ -z "$(ls -A "$TMPDIR")" ] || { echo "TMPDIR shared with HOME"; exit 5; }'
mk t/second 'find "$HOME"; [ ! -e "$HOME/.testrc" ] && [ -z "$(find "$HOME" -type f)" ]'

HOME=$REAL XDG_DATA_HOME=$REAL/.local/share XDG_CONFIG_HOME=$REAL/.config \
	run_assay run -j1 --state-dir '' t
expect_rc 0 "each test gets an empty home of its own"
expect_last "assay: 2 passed, 0 failed, 0 skipped"
[ -z "$(ls -A "$REAL")" ]
check $? "nothing was written into the real home"
homedir=$(cat "$W/homedir")
[ -n "$homedir" ] && [ ! -e "$homedir" ]
check $? "the private home is removed after the test"

mk n/shared 'echo "HOME=$HOME"; [ "$HOME" = "'"$REAL"'" ] && touch "$HOME/touched"'
HOME=$REAL run_assay run --no-isolate-home --state-dir '' n
expect_rc 0 "--no-isolate-home: the user's HOME"
[ -e "$REAL/touched" ]
check $? "--no-isolate-home: the test wrote into the real home"

finish
