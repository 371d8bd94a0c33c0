#!/bin/bash
# tests/fuzz/run.sh - build the libFuzzer targets with clang into
# build-fuzz/ and run each for FUZZ_SECONDS (default 60).
#
#   FUZZ_SECONDS=600 bash tests/fuzz/run.sh          every target
#   FUZZ_TARGETS="conf ack" bash tests/fuzz/run.sh   some of them
#   FUZZ_JOBS=2                                      targets run at once
#   FUZZ_BUILD_ONLY=1                                build, seed, stop
#
# Corpora live in build-fuzz/corpus/<target> (kept between runs, seeded
# from tests/data and ../shared/fixtures each time); crash, leak, timeout
# and oom files in build-fuzz/crashes/<target>/. Exit status 1 when any
# target found something: reproduce with build-fuzz/fuzz_<target> FILE.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
# the in-repo copies of ../shared/fixtures (a fresh clone has them)
FIX=$TOP/tests/data/fixtures
OUT=${FUZZ_BUILD:-$TOP/build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-exabgp_json mustache conf ack adjrib}
JOBS=${FUZZ_JOBS:-1}
CC=${FUZZ_CC:-clang}
VERSION=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' Makefile)

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found (make deps installs clang)" >&2
	exit 1
fi

# the Makefile's -D and -I flags; warnings as there, minus -Werror for
# clang-only diagnostics in code that gcc builds cleanly
CFLAGS="-std=c11 -Wall -Wextra -Wno-unused-parameter -g -O1
 -fno-omit-frame-pointer -D_GNU_SOURCE
 -DBGPSD_SYSCONFDIR=\"/usr/local/etc\"
 -DBGPSD_CHECKSDIR=\"/usr/local/libexec/bgpsd/checks\"
 -DBGPSD_VERSION=\"$VERSION\" -Iinclude
 $(pkg-config --cflags libcurl libconfig jansson)"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
LIBS="$(pkg-config --libs libcurl libconfig jansson) -lm"

mkdir -p "$OUT/obj" "$OUT/crashes" "$OUT/corpus" "$OUT/logs"

# objects: every module but the main.c files, instrumented for coverage
objs=""
build_objs() {
	local src obj
	for src in src/lib/*.c src/announce/*.c src/listen/*.c; do
		case $src in */main.c) continue ;; esac
		obj=$OUT/obj/$(echo "${src%.c}" | tr / _).o
		if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
		    [ -n "$(find include -newer "$obj" -name '*.h' | head -n 1)" ]; then
			# shellcheck disable=SC2086
			$CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$obj" \
			    "$src" || return 1
		fi
		objs="$objs $obj"
	done
}

build_target() {
	local t=$1
	# shellcheck disable=SC2086
	$CC $CFLAGS $SAN -fsanitize=fuzzer -o "$OUT/fuzz_$t" \
	    "tests/fuzz/fuzz_$t.c" $objs $LIBS
}

# seed NAME FILES...: copy readable files into the corpus (by content)
seed() {
	local dir=$OUT/corpus/$1 f h
	shift
	mkdir -p "$dir"
	for f in "$@"; do
		[ -f "$f" ] || continue
		h=$(sha1sum <"$f" | cut -c1-40)
		[ -f "$dir/$h" ] || head -c 65536 "$f" >"$dir/$h"
	done
}

# one JSON line per file too: the fuzzer mutates short inputs best
seed_lines() {
	local dir=$OUT/corpus/$1 f
	shift
	mkdir -p "$dir"
	for f in "$@"; do
		[ -f "$f" ] || continue
		python3 - "$f" "$dir" <<'PY'
import hashlib, sys
src, out = sys.argv[1], sys.argv[2]
for line in open(src, 'rb').read().split(b'\n')[:200]:
    if line.strip():
        name = hashlib.sha1(line).hexdigest()
        open(f'{out}/{name}', 'wb').write(line + b'\n')
PY
	done
}

# templates of the Mustache spec and our own cases, partials appended
seed_mustache() {
	local dir=$OUT/corpus/mustache
	mkdir -p "$dir"
	python3 - "$dir" "$FIX/mustache-spec"/*.json tests/data/mustache/*.json <<'PY'
import hashlib, json, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        continue
    for t in doc.get('tests', []):
        text = t.get('template', '')
        parts = t.get('partials', {})
        # the target names partials p0..p7 after the main template
        for i, (name, body) in enumerate(sorted(parts.items())):
            text = text.replace('>' + name, '>p%d' % i)
            text = text.replace('> ' + name, '> p%d' % i)
        for i, (name, body) in enumerate(sorted(parts.items())):
            text += '\n@@@\n' + body
        b = text.encode()
        open('%s/%s' % (out, hashlib.sha1(b).hexdigest()), 'wb').write(b)
PY
	seed mustache etc/templates/*.mustache tests/data/bad/templates/*.mustache
}

seed_all() {
	seed exabgp_json "$FIX"/exabgp-4.2/*.jsonl tests/data/bad/json/*
	seed_lines exabgp_json "$FIX"/exabgp-4.2/*.jsonl
	seed_mustache
	seed conf tests/data/conf/good/*.conf tests/data/conf/bad/*.conf \
	    tests/data/listen/*.conf etc/bgpsd.conf tests/data/bad/conf/*
	# acks: byte 0 picks the read sizes, then what ExaBGP writes
	local d=$OUT/corpus/ack
	mkdir -p "$d"
	printf '\001done\ndone\nerror\n' >"$d/acks"
	printf '\007neighbor 192.0.2.1 up\n\ndone\r\nshutdown 12 1\n' >"$d/nbr"
	printf '\003done\n\nneighbor 2001:db8::1 down - hold timer\n\nerror\ndon' >"$d/part"
	seed ack tests/data/bad/ack/*
	# what a respawned bgpsd-listen reads: answers and JSON, whole and
	# line by line
	seed adjrib tests/data/listen/adjrib/*.txt
	seed_lines adjrib tests/data/listen/adjrib/*.txt
}

echo "fuzz: building into $OUT" >&2
build_objs || { echo "fuzz: exiting: building the objects failed (compiler output above)" >&2; exit 1; }
for t in $TARGETS; do
	build_target "$t" || { echo "fuzz: exiting: building target $t failed (compiler output above)" >&2; exit 1; }
done
seed_all
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# run NAME: one target for SECONDS_EACH; libFuzzer's summary in its log
run_one() {
	local t=$1 log=$OUT/logs/$1.log crashdir=$OUT/crashes/$1
	local maxlen=65536 dict=""
	mkdir -p "$crashdir"
	case $t in
	mustache) maxlen=16384 ;;
	conf) maxlen=16384 ;;
	esac
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	# -close_fd_mask=2: the modules' log lines stay out of the log;
	# libFuzzer keeps sanitizer reports on its own copy of stderr
	"$OUT/fuzz_$t" $dict -max_total_time="$SECONDS_EACH" \
	    -max_len=$maxlen -timeout=10 -rss_limit_mb=2048 \
	    -close_fd_mask=2 -print_final_stats=1 \
	    -artifact_prefix="$crashdir/" "$OUT/corpus/$t" \
	    >"$log" 2>&1
}

# only what this run finds counts (fixed crashes stay as evidence); a
# marker per run, so that runs side by side do not hide each other's
START=$(mktemp "$OUT/crashes/.start.XXXXXX")
trap 'rm -f "$START"' EXIT
status=0
running=0
pids=""
for t in $TARGETS; do
	echo "fuzz: $t for ${SECONDS_EACH}s" >&2
	run_one "$t" &
	pids="$pids $!:$t"
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

for pt in $pids; do
	t=${pt#*:}
	log=$OUT/logs/$t.log
	execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+' | cut -d' ' -f2)
	ft=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'ft: [0-9]+' | cut -d' ' -f2)
	found=$(find "$OUT/crashes/$t" -type f -newer "$START" \( -name 'crash-*' -o \
	    -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	if grep -qE '^==[0-9]+==ERROR|^SUMMARY: |deadly signal|fuzz target exited' "$log" ||
	    [ "$found" != 0 ]; then
		echo "fuzz: $t: FOUND SOMETHING ($found files in $OUT/crashes/$t, log $log)"
		grep -E 'ERROR|SUMMARY|artifact' "$log" | head -n 5 | sed 's/^/    /'
		status=1
	else
		echo "fuzz: $t: ok, ${execs:-?} runs in ${SECONDS_EACH}s, cov ${cov:-?} edges, ft ${ft:-?}, corpus $(ls "$OUT/corpus/$t" | wc -l)"
	fi
done
exit $status
