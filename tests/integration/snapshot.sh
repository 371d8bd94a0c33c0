#!/bin/sh
# snapshot.sh STAGED DIR - a bgpsd-listen template `check` for the tests:
# keeps a copy of every version of a file that is about to be written, named
# by the time in nanoseconds, and accepts it (exit 0).
set -u
cp "$1" "$2/$(date +%s%N).txt"
