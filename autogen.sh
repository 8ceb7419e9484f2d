#!/bin/sh
# autogen.sh - generate ./configure from configure.ac (needs autoconf, automake, pkg-config).
set -e
cd "$(dirname "$0")"
exec autoreconf --install --force --warnings=all
