#!/bin/bash
# tests/bench/test_bench_smoke.sh - the benchmark harness runs, at tiny N
# (BENCH_QUICK=1: 20 TCP services, 2 exabgp-healthcheck, 3 latency trials,
# 20,000 stream lines, 1,000 backends), and every benchmark yields numbers.
# No timing is asserted here: that is `make bench`'s job, not a test's.
. "$(dirname "$0")/../lib.sh"
mktmp
cd "$TOP" || exit 1

if ! [ -x "$BUILD/tests/bench/listeners" ]; then
	skip "bench harness" "bench tools not built (make tests)"
	exit 0
fi

BENCH_QUICK=1 BENCH_OUT="$T/out" BUILD="$BUILD" TMPDIR="$T" \
    timeout 150 bash tests/bench/run.sh >"$T/log" 2>&1
rc=$?
check "run.sh --quick exits 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(tail -n 20 "$T/log")"
check "the table is printed" grep -q '^benchmark ' "$T/log"

R=$T/out/results.txt
# has_number PATTERN: a result row matching PATTERN whose value has a number
has_number() {
	awk -F'|' -v p="$1" '$1 ~ p && $2 ~ /[0-9]/ { f = 1 } END { exit !f }' "$R"
}
check "tcp: CPU per 1,000 checks" has_number '^TCP checks N=20: CPU per'
check "tcp: floor per connection" has_number '^TCP checks N=20: floor'
check "tcp: ratio to the floor" has_number '^TCP checks N=20: bgpsd / floor'
check "tcp: peak RSS" has_number '^TCP checks N=20: peak RSS'
check "tcp: back-to-back floor" has_number '^TCP floor, back to back'
check "tcp: CPU per check, this build" has_number '^TCP checks N=20, this build: CPU per check'
check "tcp: ratio to the both-ends floor" has_number '^\.\.\. / floor \(blocking'
check "tcp: both-ends floor ran" grep -q '^floorb: floorb conns=[1-9]' "$T/out/raw.txt"
if command -v exabgp-healthcheck >/dev/null; then
	check "exabgp-healthcheck: CPU per check" has_number '^exabgp-healthcheck N=2: CPU'
	check "exabgp-healthcheck: ratio" has_number '^exabgp-healthcheck / bgpsd'
	check "exabgp-healthcheck: RSS per service" has_number '^RSS per service'
else
	skip "exabgp-healthcheck comparison" "exabgp-healthcheck not installed"
fi
check "http: CPU per check" has_number '^HTTP checks N=20'
check "exec: CPU per check" has_number '^exec checks N=5'
check "latency: 3 trials measured" grep -q '^Detection, interval 0.2 s: median / max of 3 trials|[0-9.]* s / [0-9.]* s' "$R"
check "stream: listener lines/s" has_number '^Listener: '
check "stream: json floor" has_number '^Listener floor'
check "stream: ratio" has_number '^Listener / json_loadb'
check "no-change re-render keeps the file" grep -q '^No-change re-render.*|not rewritten (inode' "$R"
check "render: template time" has_number '^Render haproxy.cfg, 1000 backends'
check "render: context time" has_number '^Render: context opened'
check "render: JSON tree / view ratio" has_number '^Render: JSON tree / view'
# A measured process gone before it is sampled (exabgp-healthcheck on the
# first run on a new machine) is reported as "not measured" with the reason;
# it used to abort the rest of its section through arithmetic on an empty
# value, silently. A stand-in that exits at once plays the part.
mkdir -p "$T/shim"
printf '#!/bin/sh\necho "stand-in: exiting at once" >&2\nexit 3\n' \
    >"$T/shim/exabgp-healthcheck"
chmod +x "$T/shim/exabgp-healthcheck"
PATH="$T/shim:$PATH" BENCH_QUICK=1 BENCH_ONLY=ehc BENCH_OUT="$T/out2" \
    BUILD="$BUILD" TMPDIR="$T" timeout 60 bash tests/bench/run.sh \
    >"$T/log2" 2>&1
rc=$?
check "a checker that dies early: run.sh still exits 0" [ "$rc" = 0 ]
check "a checker that dies early: reported as not measured, with why" \
    grep -q '^exabgp-healthcheck comparison|not measured: exabgp-healthcheck 0 (pid [0-9]*) exited before it was sampled: stand-in: exiting at once' "$T/out2/results.txt"
check "a checker that dies early: no shell arithmetic error" \
    sh -c "! grep -q 'syntax error' '$T/log2'"
check "a checker that dies early: bgpsd-announce still measured" \
    grep -q '^bgpsd-announce N=2: CPU per check|[0-9.]* us' "$T/out2/results.txt"
[ "$rc" = 0 ] || diag "$(tail -n 10 "$T/log2")"
# a failing harness says why on its last line
BUILD=$T/none bash tests/bench/run.sh >"$T/log3" 2>&1
rc=$?
check "a failing run.sh exits non-zero" [ "$rc" != 0 ]
check "a failing run.sh says why" \
    sh -c "tail -n 1 '$T/log3' | grep -q '^bench: exiting with status 1: .*listeners missing'"

# every process run.sh started is gone (it records their PIDs)
none_alive() {
	local p
	[ -s "$T/out/pids.txt" ] || return 1
	for p in $(cat "$T/out/pids.txt"); do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}
check "nothing left running" none_alive
