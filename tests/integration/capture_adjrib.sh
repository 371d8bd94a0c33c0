#!/bin/bash
# tests/integration/capture_adjrib.sh OUTDIR - capture what ExaBGP 4.2
# answers to the table recovery of bgpsd-listen (recover.c), with real
# ExaBGP and BIRD in the lab of lib.sh. Not a test (root, ~1 minute);
# tests/data/listen/adjrib/ holds its output, read by test_adjrib and
# test_recover. Re-run it after an ExaBGP upgrade and review the diff.
#
# The consumer's API process is this script itself (--process DIR): it
# appends every stdin line to DIR/stdin.<instance> and copies the lines
# written into DIR/cmd.fifo to its stdout (ExaBGP's command channel);
# "@exit" makes it exit, and ExaBGP respawns it as the next instance.
#
#   answers.txt        acks on: show neighbor summary / show adj-rib in
#                      extensive / show neighbor summary, every route
#                      shape (several communities, large, well-known,
#                      none, IPv6, iBGP with local-preference and med,
#                      extended, non-host), three sessions, two hosts
#   answers-noack.txt  the same with exabgp.api.ack = false
#   rr.txt             the answer of a consumer whose peer is BIRD
#                      (originator-id, cluster-list)
#   respawn.txt        everything a respawned process read: a session
#                      went down before (its stale Adj-RIB-In is still
#                      listed), updates arrive while it asks
#   interleave.txt     508 routes, 100 of which get a new community while
#                      the dump runs: some dump lines are older than the
#                      JSON of the same route read before them
set -u
if [ "${1:-}" = --process ]; then
	D=$2
	n=$(cat "$D/instance" 2>/dev/null || echo 0)
	n=$((n + 1))
	echo "$n" >"$D/instance"
	exec 6<&0
	# the reader must not hold our stdout: ExaBGP sees a death by it
	(
		exec 4>>"$D/stdin.$n" >/dev/null
		while IFS= read -r l || [ -n "$l" ]; do
			printf '%s\n' "$l" >&4
		done
		kill -TERM $$ 2>/dev/null
	) <&6 &
	reader=$!
	exec 6<&-
	exec 3<>"$D/cmd.fifo"
	while :; do
		IFS= read -r c <&3 || continue
		if [ "$c" = @exit ]; then
			kill "$reader" 2>/dev/null
			exit 1
		fi
		printf '%s\n' "$c"
	done
fi

mkdir -p "${1:?usage: capture_adjrib.sh OUTDIR}" && OUTDIR=$(cd "$1" && pwd) || exit 1
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SELF=$TOP/tests/integration/capture_adjrib.sh
. "$TOP/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || { echo "capture_adjrib.sh: root needed (netns)" >&2; exit 1; }
BGPSD_LAB_MODE=netns lab_init capture

# proc_dir NAME: the folder of a capture process
proc_dir() {
	local d=$LAB_DIR/$1
	mkdir -p "$d"
	rm -f "$d/cmd.fifo" "$d/instance" "$d"/stdin.*
	mkfifo "$d/cmd.fifo"
	echo "$d"
}
cmd() { local d=$1; shift; printf '%s\n' "$*" >"$d/cmd.fifo"; }
LAPI="		processes [ p ];
		neighbor-changes;
		receive {
			parsed;
			update;
		}"
AAPI="		processes [ p ];"
# lines DIR [INSTANCE]: lines the process instance read so far
lines() { wc -l <"$1/stdin.${2:-1}" 2>/dev/null || echo 0; }
# wait_re DIR INSTANCE REGEX COUNT SECONDS
has_re() {
	local n
	n=$(grep -cE -- "$3" "$1/stdin.$2" 2>/dev/null)
	[ "${n:-0}" -ge "$4" ]
}
wait_re() { lab_wait "$5" has_re "$1" "$2" "$3" "$4"; }
REQ="show neighbor summary
show adj-rib in extensive
show neighbor summary"
# ask DIR: the request, as bgpsd-listen writes it
ask() { printf '%s\n' "$REQ" >"$1/cmd.fifo"; }

lab_host lb 2
lab_host ann1 11
lab_host ann2 12
lab_host rr 1
lab_host lbr 3

L=$(proc_dir lb)
A1=$(proc_dir ann1)
A2=$(proc_dir ann2)
R=$(proc_dir lbr)
{
	echo "process p { run $SELF --process $L; encoder json; }"
	lab_neighbor ann1 lb ipv4 65000 65001 "$LAPI" "	passive;"
	lab_neighbor ann1 lb ipv6 65000 65001 "$LAPI" "	passive;"
	lab_neighbor ann2 lb ipv4 65000 65000 "$LAPI" "	passive;"
} >"$L/exabgp.conf"
{
	echo "process p { run $SELF --process $A1; encoder text; }"
	lab_neighbor lb ann1 ipv4 65001 65000 "$AAPI"
	lab_neighbor lb ann1 ipv6 65001 65000 "$AAPI"
	lab_neighbor rr ann1 ipv4 12345 12345 "$AAPI"
} >"$A1/exabgp.conf"
{
	echo "process p { run $SELF --process $A2; encoder text; }"
	lab_neighbor lb ann2 ipv4 65000 65000 "$AAPI"
} >"$A2/exabgp.conf"
{
	echo "process p { run $SELF --process $R; encoder json; }"
	lab_neighbor rr lbr ipv4 12345 12345 "$LAPI"
} >"$R/exabgp.conf"
cat >"$LAB_DIR/rr/bird.conf" <<EOF
router id ${LAB_V4[rr]};
protocol device { }
template bgp cl {
	local as 12345; neighbor as 12345; rr client;
	rr cluster id ${LAB_V4[rr]}; hold time 6; keepalive time 2;
	connect retry time 2; error wait time 1, 10;
	ipv4 { import all; export where source = RTS_BGP; next hop keep; };
}
protocol bgp ann1 from cl { neighbor ${LAB_V4[ann1]}; }
protocol bgp lbr from cl { neighbor ${LAB_V4[lbr]}; }
EOF

# ---- answers.txt, answers-noack.txt, rr.txt, respawn.txt ---------------
lab_spawn bird rr "$LAB_BIRD" -f -c "$LAB_DIR/rr/bird.conf" \
    -s "$LAB_DIR/rr/bird.ctl" -P "$LAB_DIR/rr/bird.pid"
lab_exabgp_start lb "$L/exabgp.conf" yes
lab_exabgp_start lbr "$R/exabgp.conf" no
sleep 1
lab_exabgp_start ann1 "$A1/exabgp.conf" no
lab_exabgp_start ann2 "$A2/exabgp.conf" no
wait_re "$L" 1 '"eor"' 3 30 || lab_die "lb: no End-of-RIB from 3 sessions"
wait_re "$R" 1 '"eor"' 1 30 || lab_die "lbr: no End-of-RIB"
for c in \
    'announce route 192.0.2.1/32 next-hop self community [12345:443 12345:8080]' \
    'announce route 192.0.2.2/32 next-hop self large-community [12345:0:443 12345:0:80]' \
    'announce route 192.0.2.3/32 next-hop self' \
    'announce route 192.0.2.4/32 next-hop self community [12345:443 no-export] large-community [12345:0:8443]' \
    'announce route 192.0.2.5/32 next-hop self med 50 as-path [65001 65100] origin incomplete community [12345:80]' \
    'announce route 198.51.100.0/24 next-hop self community [12345:443]' \
    'announce route 192.0.2.6/32 next-hop self extended-community [target:12345:443] community [12345:443]' \
    'announce route 192.0.2.7/32 next-hop self community [65535:65284 blackhole no-advertise 12345:22]' \
    'announce route 2001:db8::1/128 next-hop self community [12345:443]' \
    'announce route 2001:db8::2/128 next-hop self large-community [12345:0:443]' \
    'announce route 2001:db8::3/128 next-hop self'; do
	cmd "$A1" "$c"
done
cmd "$A2" 'announce route 192.0.2.10/32 next-hop self local-preference 200 med 10 community [12345:443]'
cmd "$A2" 'announce route 192.0.2.11/32 next-hop self community [no-export 12345:22]'
wait_re "$L" 1 '192\.0\.2\.11/32' 1 10 || lab_die "lb: routes not received"
# (BIRD keeps 192.0.2.7, no-advertise, to itself)
wait_re "$R" 1 '192\.0\.2\.6/32' 1 10 || lab_die "lbr: routes not received"
sleep 1
n0=$(lines "$L")
ask "$L"
wait_re "$L" 1 '^Peer ' 2 10 && wait_re "$L" 1 '^done$' 3 10 ||
    lab_die "lb: no answer"
tail -n +$((n0 + 1)) "$L/stdin.1" >"$OUTDIR/answers.txt"
n0=$(lines "$R")
ask "$R"
wait_re "$R" 1 '^Peer ' 2 10 && wait_re "$R" 1 '^done$' 3 10 ||
    lab_die "lbr: no answer"
tail -n +$((n0 + 1)) "$R/stdin.1" >"$OUTDIR/rr.txt"

# respawn: ann2's session goes down, the process dies and is respawned,
# updates come while the new one asks
lab_stop exabgp-ann2
wait_re "$L" 1 '"state": "down"' 1 10 || lab_die "lb: ann2 not down"
cmd "$L" @exit
lab_wait 10 test -e "$L/stdin.2" || lab_die "lb: process not respawned"
ask "$L"
cmd "$A1" 'announce route 192.0.2.1/32 next-hop self community [12345:443]'
cmd "$A1" 'withdraw route 192.0.2.5/32'
cmd "$A1" 'announce route 192.0.2.8/32 next-hop self community [12345:8080]'
wait_re "$L" 2 '192\.0\.2\.8/32' 1 10 && wait_re "$L" 2 '^Peer ' 2 10 ||
    lab_die "lb: respawned process got no answer"
sleep 1
cp "$L/stdin.2" "$OUTDIR/respawn.txt"
for h in lb lbr ann1; do
	lab_stop "exabgp-$h"
done
lab_stop bird

# ---- answers-noack.txt -----------------------------------------------------
L=$(proc_dir lb)
A1=$(proc_dir ann1)
lab_exabgp_env lb >/dev/null
sed -i 's/^ack = true/ack = false/' "$LAB_DIR/lb/exabgp.env"
lab_spawn exabgp-lb3 lb env exabgp_tcp_bind="${LAB_V4[lb]} ${LAB_V6[lb]}" \
    exabgp_tcp_port=179 "$LAB_EXABGP" --env "$LAB_DIR/lb/exabgp.env" \
    "$L/exabgp.conf"
lab_exabgp_start ann1 "$A1/exabgp.conf" no exabgp-ann1b
wait_re "$L" 1 '"eor"' 2 30 || lab_die "lb (no ack): no End-of-RIB"
cmd "$A1" 'announce route 192.0.2.1/32 next-hop self community [12345:443 12345:8080]'
cmd "$A1" 'announce route 2001:db8::1/128 next-hop self community [12345:443]'
wait_re "$L" 1 '2001:db8::1/128' 1 10 || lab_die "lb (no ack): no route"
sleep 1
n0=$(lines "$L")
ask "$L"
wait_re "$L" 1 '^Peer ' 2 10 || lab_die "lb (no ack): no answer"
sleep 1
tail -n +$((n0 + 1)) "$L/stdin.1" >"$OUTDIR/answers-noack.txt"
lab_stop exabgp-ann1b
lab_stop exabgp-lb3

# ---- interleave.txt --------------------------------------------------------
L=$(proc_dir lb)
A1=$(proc_dir ann1)
lab_exabgp_start lb "$L/exabgp.conf" yes exabgp-lb4
lab_exabgp_start ann1 "$A1/exabgp.conf" no exabgp-ann1c
wait_re "$L" 1 '"eor"' 2 30 || lab_die "lb (interleave): no End-of-RIB"
# all 254 + 254 host addresses of the two IPv4 documentation /24s
batch() {	# COMMUNITY NET
	local i s=""
	for ((i = 1; i <= 254; i++)); do s="$s $2.$i/32"; done
	cmd "$A1" "announce attributes next-hop self community [12345:$1] nlri$s"
}
batch 1 192.0.2
batch 1 198.51.100
wait_re "$L" 1 '198\.51\.100\.254/32' 1 20 || lab_die "interleave: table"
sleep 1
cmd "$L" @exit
lab_wait 10 test -e "$L/stdin.2" || lab_die "interleave: no respawn"
# the last 100 routes of the dump get 12345:2, one UPDATE each, from the
# end; written just before the request so that they reach the consumer's
# ExaBGP while it dumps (after its copy of the table was taken)
for ((i = 254; i > 154; i--)); do
	echo "announce route 198.51.100.$i/32 next-hop self community [12345:2]"
done >"$A1/cmd.fifo"
ask "$L"
wait_re "$L" 2 '^Peer ' 2 20 || lab_die "interleave: no answer"
wait_re "$L" 2 '"198\.51\.100\.155/32"' 1 20 || lab_die "interleave: updates"
sleep 1
cp "$L/stdin.2" "$OUTDIR/interleave.txt"
echo "capture_adjrib.sh: written to $OUTDIR:" >&2
wc -l "$OUTDIR"/*.txt >&2
