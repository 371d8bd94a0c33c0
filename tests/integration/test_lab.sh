#!/bin/bash
# tests/integration/test_lab.sh - the lab harness cleans up after itself.
#
# A small lab (two hosts, a demo service, two ExaBGPs with an API process)
# is started by a child script that then fails, or is killed with SIGTERM
# or SIGINT. Afterwards none of its namespaces and none of its processes
# may be left, and a process that is not the lab's (a decoy started here)
# must still be alive: the harness ends only what it started.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$TOP/tests/integration/lib.sh"

if ! command -v exabgp >/dev/null; then
	skip "lab" "exabgp not installed (make deps)"
	exit 0
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/bgpsd-labtest.XXXXXX") || exit 1
DECOY=""
cleanup() {
	[ -n "$DECOY" ] && kill "$DECOY" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# the child: build a lab, report what it made, then fail or wait
cat >"$W/child.sh" <<'EOF'
#!/bin/bash
set -u
. "$TOP/tests/integration/lib.sh"
how=$1 report=$2
lab_init labtest
lab_host lb 2
lab_host ann 11
printf '#!/bin/sh\nwhile read -r l; do :; done\n' >"$LAB_DIR/api.sh"
chmod +x "$LAB_DIR/api.sh"
{
	echo "process api { run $LAB_DIR/api.sh; encoder json; }"
	lab_neighbor ann lb ipv4 65000 65001 "		processes [ api ];" "	passive;"
} >"$LAB_DIR/lb.conf"
{
	echo "process api { run $LAB_DIR/api.sh; encoder text; }"
	lab_neighbor lb ann ipv4 65001 65000 "		processes [ api ];"
} >"$LAB_DIR/ann.conf"
lab_service svc ann "$(lab_port 8080)" || exit 3
lab_exabgp_start lb "$LAB_DIR/lb.conf" yes
lab_exabgp_start ann "$LAB_DIR/ann.conf" no
wait_sessions lb 1 20 || exit 4
{
	echo "dir $LAB_DIR"
	for ns in "${LAB_NSLIST[@]}"; do echo "ns $ns"; done
	for p in $(lab_all_live_pids); do echo "pid $p"; done
} >"$report.tmp"
mv "$report.tmp" "$report"
case $how in
fail) exit 1 ;;
*) for _ in $(seq 1 600); do sleep 0.1; done ;;	# bounded: 60 s
esac
EOF

sleep 300 &
DECOY=$!

# run_child HOW: HOW = fail | TERM | INT; leaves $W/report.HOW
run_child() {
	local how=$1 pid
	# a background job of a script starts with SIGINT ignored (and bash
	# cannot trap a signal ignored at entry): give it back its default
	TOP=$TOP BUILD=$BUILD env --default-signal=INT \
	    bash "$W/child.sh" "$how" "$W/report.$how" \
	    >"$W/child.$how.log" 2>&1 &
	pid=$!
	if ! lab_wait 30 test -f "$W/report.$how"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
	[ "$how" = fail ] || kill -"$how" "$pid"
	# teardown is bounded (TERM, 5 s, KILL): 20 s is plenty
	lab_wait 20 lab_gone "$pid"
	wait "$pid" 2>/dev/null
	return 0
}

nothing_left() {
	local r=$1 left="" ns p
	for ns in $(awk '$1 == "ns" { print $2 }' "$r"); do
		ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qx "$ns" &&
		    left="$left ns:$ns"
	done
	for p in $(awk '$1 == "pid" { print $2 }' "$r"); do
		lab_gone "$p" || left="$left pid:$p($(cat "/proc/$p/comm" 2>/dev/null))"
	done
	[ -z "$left" ] && return 0
	diag "left behind:$left"
	return 1
}

for how in fail TERM INT; do
	if ! run_child "$how"; then
		not_ok "lab ($how): started"
		sed 's/^/# /' "$W/child.$how.log" | tail -n 20
		continue
	fi
	n=$(awk '$1 == "pid"' "$W/report.$how" | wc -l)
	check "lab ($how): it ran ExaBGP, API processes and a service ($n pids)" \
	    test "$n" -ge 5
	check "lab ($how): no namespace and no process left" \
	    nothing_left "$W/report.$how"
	d=$(awk '$1 == "dir" { print $2 }' "$W/report.$how")
	# a failed run keeps its files for the post-mortem, and says where
	if [ "$how" = fail ]; then
		check "lab (fail): its files kept and named" \
		    grep -q "lab files kept in $d" "$W/child.$how.log"
	fi
	rm -rf "$d"
done
check "a process that is not the lab's survived every teardown" \
    kill -0 "$DECOY"
