#!/bin/bash
# tests/integration/capture_refresh.sh OUTDIR - capture what a consumer's
# ExaBGP gets after it asks its peer for a route refresh
# (`announce route-refresh ipv4 unicast`), with real ExaBGP and BIRD in the
# lab of lib.sh. Not a test (root, ~1 minute); tests/data/listen/refresh/ holds
# its output and README.md the findings: why bgpsd-listen recovers its
# table with `show adj-rib in extensive` (recover.c) and not with a route
# refresh. Re-run it after an ExaBGP or BIRD upgrade and review the diff.
#
# One announcer (ExaBGP, three /32s in 198.51.100.0/24 with 12345:<port>
# communities) peers with BIRD running etc/bird-rr.conf and with a
# consumer; a second and a third consumer peer with BIRD, the third
# without the route-refresh capability. The consumers have the same API
# subscription (json; neighbor-changes; parsed, packets, update,
# refresh, open, notification), and their API process is this script
# (--process DIR): it appends "<epoch time> <line>" for every stdin line
# to DIR/stdin, and copies each line written into DIR/cmd.fifo to its
# stdout (ExaBGP's command channel), logging it as "<time> >>> <line>".
#
#   bird.txt     consumer <- BIRD (etc/bird-rr.conf) <- announcer
#   exabgp.txt   consumer <- announcer (ExaBGP) directly
#   nocap.txt    consumer without `capability { route-refresh; }` (as the
#                shipped etc/exabgp-listen.conf) <- BIRD, one round
#   *.open.txt   the peer's OPEN (parsed) of the session asked
#   *.log.txt    the logs from the refresh on: the consumer's ExaBGP,
#                the announcer's ExaBGP (level DEBUG) and BIRD (debug
#                states, events, packets), keepalives left out
#   summary.txt  per round: when the session went down and up, BoRR, the
#                first and the last re-sent route, EoRR, End-of-RIB
# Cases bird and exabgp ask $ROUNDS times (3), nocap once; each round
# once the previous one is over; times in the .txt captures are seconds relative to the moment the
# process wrote that round's refresh command ("+0.000 >>> announce ...").
set -u
if [ "${1:-}" = --process ]; then
	D=$2
	exec 6<&0
	# the reader must not hold our stdout: ExaBGP sees a death by it
	(
		exec 4>>"$D/stdin" >/dev/null
		while IFS= read -r l || [ -n "$l" ]; do
			printf '%s %s\n' "$EPOCHREALTIME" "$l" >&4
		done
		kill -TERM $$ 2>/dev/null
	) <&6 &
	exec 6<&-
	exec 3<>"$D/cmd.fifo"
	while :; do
		IFS= read -r c <&3 || continue
		printf '%s >>> %s\n' "$EPOCHREALTIME" "$c" >>"$D/stdin"
		printf '%s\n' "$c"
	done
fi

mkdir -p "${1:?usage: capture_refresh.sh OUTDIR}" && OUTDIR=$(cd "$1" && pwd) || exit 1
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SELF=$TOP/tests/integration/capture_refresh.sh
. "$TOP/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || { echo "capture_refresh.sh: root needed (netns)" >&2; exit 1; }
BGPSD_LAB_MODE=netns lab_init refresh

AS=12345
rm -f "$OUTDIR/summary.txt"
# refreshes per case, one after the other: ExaBGP waits longer before
# each reconnection after a reset (reactor/delay.py: 0, 1, 2, 3... s)
ROUNDS=${ROUNDS:-3}
ROUTES="198.51.100.11 198.51.100.12 198.51.100.13"
PORTS=(80 443 8080)

# proc_dir NAME: the folder of a capture process
proc_dir() {
	local d=$LAB_DIR/$1
	mkdir -p "$d"
	rm -f "$d/cmd.fifo" "$d/stdin"
	mkfifo "$d/cmd.fifo"
	echo "$d"
}
cmd() { local d=$1; shift; printf '%s\n' "$*" >"$d/cmd.fifo"; }
has_re() {
	local n
	n=$(grep -cE -- "$2" "$1/stdin" 2>/dev/null)
	[ "${n:-0}" -ge "$3" ]
}
# wait_re DIR REGEX COUNT SECONDS
wait_re() { lab_wait "$4" has_re "$1" "$2" "$3"; }
# the consumers: every message type that can tell what happened
LAPI="		processes [ p ];
		neighbor-changes;
		receive {
			parsed;
			packets;
			update;
			refresh;
			open;
			notification;
		}"
# the announcer: what it is asked
AAPI="		processes [ p ];
		neighbor-changes;
		receive {
			parsed;
			refresh;
			notification;
		}"

lab_host rr 1
lab_host lb 2
lab_host lbr 3
lab_host lbn 4
lab_host ann 11

A=$(proc_dir ann)
L=$(proc_dir lb)
R=$(proc_dir lbr)
N=$(proc_dir lbn)
{
	echo "process p { run $SELF --process $A; encoder json; }"
	lab_neighbor rr ann ipv4 $AS $AS "$AAPI"
	lab_neighbor lb ann ipv4 $AS $AS "$AAPI"
} >"$A/exabgp.conf"
{
	echo "process p { run $SELF --process $L; encoder json; }"
	lab_neighbor ann lb ipv4 $AS $AS "$LAPI" "	passive;"
} >"$L/exabgp.conf"
{
	echo "process p { run $SELF --process $R; encoder json; }"
	lab_neighbor rr lbr ipv4 $AS $AS "$LAPI"
} >"$R/exabgp.conf"
# as the shipped etc/exabgp-listen*.conf: no route-refresh capability
{
	echo "process p { run $SELF --process $N; encoder json; }"
	lab_neighbor rr lbn ipv4 $AS $AS "$LAPI" |
	    sed '/^	capability {$/,/^	}$/d'
} >"$N/exabgp.conf"
grep -q capability "$N/exabgp.conf" && lab_die "lbn: capability left"

# etc/bird-rr.conf as shipped, with this lab's values and clients (as
# test_rr.sh does): the announcer with the list of its routes, the consumer
# with the default rule
own=$(echo "$ROUTES" | sed 's|\([0-9.]*\)|\1/32|g; s| |, |g')
clients="protocol bgp ann from bgpsd_client {
	neighbor ${LAB_V4[ann]};
	ipv4 { import where bgpsd_client_import_list([ $own ]); };
}
protocol bgp lbr from bgpsd_client {
	neighbor ${LAB_V4[lbr]};
}
protocol bgp lbn from bgpsd_client {
	neighbor ${LAB_V4[lbn]};
}
"
{
	echo "log stderr all;	# capture_refresh.sh: BIRD's log into bird.log"
	echo "debug protocols { states, events, packets };	# and what it sends"
	lab_bird_rr "${LAB_V4[rr]}" "$AS" "$clients"
} >"$LAB_DIR/rr/bird.conf"
"$LAB_BIRD" -p -c "$LAB_DIR/rr/bird.conf" || lab_die "bird.conf does not parse"

lab_spawn bird rr "$LAB_BIRD" -f -c "$LAB_DIR/rr/bird.conf" \
    -s "$LAB_DIR/rr/bird.ctl" -P "$LAB_DIR/rr/bird.pid"
lab_wait 5 test -S "$LAB_DIR/rr/bird.ctl" || lab_die "BIRD did not start"
lab_exabgp_start lb "$L/exabgp.conf" yes
lab_exabgp_start lbr "$R/exabgp.conf" no
lab_exabgp_start lbn "$N/exabgp.conf" no
# the announcer logs at DEBUG: at INFO it says nothing about why it resets
# a session
lab_exabgp_env ann >/dev/null
sed -i 's/^level = INFO/level = DEBUG/' "$LAB_DIR/ann/exabgp.env"
lab_spawn exabgp-ann ann env exabgp_tcp_bind= exabgp_tcp_port=179 \
    "$LAB_EXABGP" --env "$LAB_DIR/ann/exabgp.env" "$A/exabgp.conf"
wait_re "$A" '"state": "up"' 2 30 || lab_die "announcer: sessions not up"
i=0
for r in $ROUTES; do
	cmd "$A" "announce route $r/32 next-hop self community [$AS:${PORTS[$i]}]"
	i=$((i + 1))
done
last=${ROUTES##* }
wait_re "$L" "\"${last//./\\.}/32\"" 1 15 || lab_die "lb: routes not received"
wait_re "$R" "\"${last//./\\.}/32\"" 1 15 || lab_die "lbr: routes not received"
wait_re "$N" "\"${last//./\\.}/32\"" 1 15 || lab_die "lbn: routes not received"
sleep 1

# resent DIR N0: the last route is in the stream after its line N0
resent() {
	tail -n +$(($2 + 1)) "$1/stdin" | grep -q "\"${last//./\\.}/32\""
}

# refresh CONSUMER_DIR CONSUMER_HOST OUT: ask, wait until the table is
# back (or not), keep the stream and the logs from the request on
refresh() {
	local d=$1 h=$2 out=$3 round=$4 n0 t0 lg
	declare -A l0
	n0=$(wc -l <"$d/stdin")
	for lg in "exabgp-$h" exabgp-ann bird; do
		l0[$lg]=$(wc -l <"$LAB_DIR/$lg.log")
	done
	# the peer's OPEN of the session asked: its capabilities (70 is
	# enhanced route refresh, RFC 7313)
	[ "$round" = 1 ] &&
	    grep '"open": {' "$d/stdin" | tail -n 1 | cut -d' ' -f2- >"$OUTDIR/$out.open.txt"
	cmd "$d" "announce route-refresh ipv4 unicast"
	# the last route again after the request
	lab_wait 10 resent "$d" "$n0" ||
	    lab_note "$h: no route re-sent within 10 s"
	# whatever comes late (End-of-RIB, EoRR, a reset)
	sleep 3
	t0=$(tail -n +$((n0 + 1)) "$d/stdin" | awk '$2 == ">>>" { print $1; exit }')
	tail -n +$((n0 + 1)) "$d/stdin" |
	    awk -v t0="$t0" '{ t = $1; sub(/^[^ ]* /, ""); printf "%+.3f %s\n", t - t0, $0 }' \
	    >"$LAB_DIR/round"
	{
		echo "== round $round"
		cat "$LAB_DIR/round"
	} >>"$OUTDIR/$out.txt"
	for lg in "exabgp-$h" exabgp-ann bird; do
		echo "== round $round: $lg.log"
		tail -n +$((l0[$lg] + 1)) "$LAB_DIR/$lg.log" | grep -v KEEPALIVE
	done >>"$OUTDIR/$out.log.txt"
	summary "$out round $round" "$LAB_DIR/round" | tee -a "$OUTDIR/summary.txt" >&2
}

# summary NAME CAPTURE: when the session went down and up again, the
# first and last re-sent route, the End-of-RIB and the BoRR/EoRR markers
# (raw ROUTE-REFRESH bodies: AFI, subtype 1 = BoRR, 2 = EoRR, SAFI)
summary() {
	awk -v name="$1" -v last="\"$last/32\"" '
	    function at(k) { if (!(k in t)) t[k] = $1 }
	    /"state": "down"/ { at("down") }
	    /"state": "up"/ { at("up") }
	    /"nlri": / { at("first route"); if (index($0, last)) t["last route"] = $1 }
	    /"eor": / { at("End-of-RIB") }
	    /"body": "0x00010101"/ { at("BoRR") }
	    /"body": "0x00010201"/ { at("EoRR") }
	    END {
		n = split("down/up/BoRR/first route/last route/EoRR/End-of-RIB", k, "/")
		printf "%s:", name
		for (i = 1; i <= n; i++)
			printf " %s %s%s", k[i], (k[i] in t) ? t[k[i]] : "none", i < n ? ";" : "\n"
	    }' "$2"
}
rm -f "$OUTDIR"/bird.* "$OUTDIR"/exabgp.* "$OUTDIR"/nocap.*
for i in $(seq "$ROUNDS"); do
	refresh "$R" lbr bird "$i"
done
for i in $(seq "$ROUNDS"); do
	refresh "$L" lb exabgp "$i"
done
refresh "$N" lbn nocap 1
{
	exabgp --version 2>&1 | head -n 1
	"$LAB_BIRD" --version 2>&1
} >"$OUTDIR/versions.txt"
echo "capture_refresh.sh: written to $OUTDIR:" >&2
wc -l "$OUTDIR"/*.txt >&2
