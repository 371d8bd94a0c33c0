#!/bin/bash
# tests/bench/test_fleet_smoke.sh - the fleet benchmark (tests/bench/fleet.sh,
# make bench-fleet) runs at N = 200 hosts: one run with one reflector and
# one with two, and every figure of its table comes out as a number. No
# timing is asserted here: that is the benchmark's job, not a test's.
# Afterwards no namespace and no process of it is left.
. "$(dirname "$0")/../lib.sh"
mktmp
cd "$TOP" || exit 1

for t in filewatch stamp; do
	if ! [ -x "$BUILD/tests/bench/$t" ]; then
		skip "fleet benchmark" "bench tools not built (make tests)"
		exit 0
	fi
done
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	skip "fleet benchmark" "needs root and ip(8) for network namespaces"
	exit 0
fi
for c in exabgp bird birdc jq; do
	if ! command -v "$c" >/dev/null; then
		skip "fleet benchmark" "$c not installed (make deps)"
		exit 0
	fi
done

ours() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E '^bgpsd-[0-9]+-fleet[0-9]+-' | sort; }
ns_before=$(ours)
OUT=$T/out
FLEET_N=200 FLEET_RUNS=1 FLEET_RR2=1 FLEET_CHANGES=2 FLEET_AFTER=1 \
    FLEET_DOWN=1 FLEET_STABLE=3 FLEET_KEEP_LABS=1 FLEET_OUT="$OUT" \
    BUILD="$BUILD" timeout 400 bash tests/bench/fleet.sh >"$T/log" 2>&1
rc=$?
check "fleet.sh at N=200 exits 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(tail -n 20 "$T/log")" "$(tail -n 20 "$OUT"/logs/*.log 2>/dev/null)"
check "the table is printed and kept" grep -q '^N hosts ' "$OUT/table.txt"

R1=$OUT/raw/n200-rr1-1.txt
R2=$OUT/raw/n200-rr2-1.txt
# number FILE KEY [COUNT]: KEY's value is COUNT (default 1) numbers
number() {
	awk -F= -v k="$2" -v c="${3:-1}" '$1 == k {
		n = split($2, v, " ")
		if (n != c) exit 1
		for (i = 1; i <= n; i++) if (v[i] !~ /^[0-9]+(\.[0-9]+)?$/) exit 1
		f = 1 }
	    END { exit !f }' "$1"
}
for k in learn_s learn_cpu_listen_ms learn_cpu_listen_kids_ms \
    learn_cpu_exa_lb_ms learn_cpu_bird_rr_ms learn_cpu_inj_ms \
    listen_rss_base_kb listen_hwm_kb listen_rss_after_kb file_bytes \
    learn_versions bird_full_s rr_rr_versions rr_rr_min_servers \
    rr_rr_reloads rr_rr_cpu_listen_ms cold_learn_s cold_cpu_listen_ms \
    cold_cpu_exa_lb_ms cold_listen_hwm_kb; do
	check "one reflector: $k is a number" number "$R1" "$k"
done
for k in change_latency_s change_cpu_listen_ms change_cpu_listen_kids_ms \
    change_cpu_exa_lb_ms; do
	check "one reflector: $k, one number per change" number "$R1" "$k" 2
done
check "one reflector: restart says whether the file stayed identical" \
    grep -Eq '^rr_rr_identical=(yes|no)$' "$R1"
for k in learn_s learn_cpu_listen_ms rr_rr_versions rr_rr2_versions \
    rr_rr_min_servers rr_rr2_min_servers; do
	check "two reflectors: $k is a number" number "$R2" "$k"
done
# the table holds the figures of both
check "table: a row for N=200 with numbers" \
    grep -Eq '^200 +1 +[0-9.]+ +[0-9]+ \([0-9]+\) +[0-9]+ +[0-9.]+x' "$OUT/table.txt"
check "table: the restarts of both runs" \
    sh -c "[ \$(grep -c '^200 .* versions, ' '$OUT/table.txt') = 3 ]"

# nothing is left: no namespace of the benchmark, no process it started
check "no namespace left" [ "$(ours)" = "$ns_before" ]
alive=""
for f in "$OUT"/labs/*/lab.log; do
	[ -f "$f" ] || continue
	for p in $(awk '$2 == "start" { print $5 }' "$f"); do
		kill -0 "$p" 2>/dev/null && alive="$alive $p"
	done
done
check "the labs' logs list the processes started" \
    sh -c "cat '$OUT'/labs/*/lab.log | grep -q ' start exabgp-lb pid '"
check "no process of the labs left running" [ -z "$alive" ]
[ -z "$alive" ] || diag "still running:$alive"
