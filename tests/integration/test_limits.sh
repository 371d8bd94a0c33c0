#!/bin/bash
# tests/integration/test_limits.sh - how many port communities one BGP
# UPDATE carries, measured with real ExaBGP 4.2 towards a real BIRD 2, and
# bgpsd's computed limit (conf_update_max_ports, bgpsd.conf(5) MESSAGE
# SIZE) held against it:
#
#   ann: ExaBGP, iBGP AS 12345 (the larger UPDATE: ExaBGP adds LOCAL_PREF)
#        with two API processes: a relay that writes the lines this suite
#        hands it, and bgpsd-announce
#   rr:  BIRD 2 with an IPv4 and an IPv6 session to ann
#
# For IPv4 /32 and IPv6 /128, standard and large communities: N = the
# computed limit reaches BIRD with every community; N + 1 is acked "done"
# by ExaBGP and never sent, BIRD keeps the stale route (the issue's bug).
# Then the same with RFC 8654 extended messages (BIRD "enable extended
# messages"), limit 65535. Then bgpsd-announce itself: a config exactly at
# the limit of both prefixes reaches BIRD whole; one more port is refused
# by -n with file:line, and by SIGHUP, which keeps the running config.
#
# IPv6 differs: ExaBGP 4.2 does not drop a too-big MP_REACH_NLRI, it
# closes the session with a Cease NOTIFICATION ("attributes size ...") and
# fails again at every reconnect until the route is withdrawn.
#
# Loopback mode (no namespaces): IPv4 only (every host is ::1).
# LIMITS_SESSION=ebgp: the same over eBGP (not part of make check).
# The figures are in bgpsd.conf(5), MESSAGE SIZE.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$TOP/tests/integration/lib.sh"

if [ ! -x "$BUILD/bgpsd-announce" ]; then
	skip "limits" "$BUILD/bgpsd-announce not built (make all)"
	exit 0
fi
for c in exabgp bird birdc; do
	if ! command -v "$c" >/dev/null; then
		skip "limits" "$c not installed (make deps)"
		exit 0
	fi
done

AS=12345		# the port communities' AS; BIRD's AS
# the computed limits (tests/test_conf.c derives them by hand from the
# RFCs; bgpsd-announce -n must agree below, and BIRD must agree too)
declare -A LIMIT=(
	[v4:std:4096]=1010 [v6:std:4096]=1003
	[v4:large:4096]=336 [v6:large:4096]=334
	[v4:std:65535]=16370 [v6:std:65535]=16363
	[v4:large:65535]=5456 [v6:large:65535]=5454
)
# bgpsd-announce's standard-community limits of a /32 and a /128
N4=${LIMIT[v4:std:4096]}
N6=${LIMIT[v6:std:4096]}
# LIMITS_SESSION=ebgp measures an eBGP session instead (ExaBGP in AS
# 65001): no LOCAL_PREF (-7 bytes) but ExaBGP's AS in the AS_PATH (+6):
# one byte more room, one more port on a /32 at 4096 bytes. bgpsd counts
# the iBGP case (the larger UPDATE), so its limits are the ones above.
ANN_AS=$AS
if [ "${LIMITS_SESSION:-ibgp}" = ebgp ]; then
	ANN_AS=65001
	LIMIT[v4:std:4096]=1011
	LIMIT[v4:large:4096]=337
	diag "eBGP session: ExaBGP in AS $ANN_AS, BIRD in AS $AS"
fi
P4=192.0.2.1
P6=2001:db8::1
M4=192.0.2.99		# marker routes: sent after a too-big one
M6=2001:db8::99

lab_init limits
lab_host rr 1
lab_host ann 11
lab_host_addr ann 192.0.2.10 2001:db8::10
if [ "$LAB_MODE" = netns ]; then
	FAMS="v4 v6"
else
	FAMS="v4"
	diag "loopback mode: IPv4 only (every host is ::1)"
fi
A=$LAB_DIR/ann
R=$LAB_DIR/rr
BIRDCTL=$R/bird.ctl

# ---- BIRD ---------------------------------------------------------------------
# bird_conf EXT: EXT = "on" adds RFC 8654 extended messages to both sessions
bird_conf() {
	local ext="" local6="" pass=""
	[ "$1" = on ] && ext="	enable extended messages on;"
	if [ "$LAB_MODE" = loopback ]; then
		pass="	local ${LAB_V4[rr]} port ${LAB_BGPPORT[rr]};
	passive on;"
	fi
	cat <<EOF
log stderr all;
router id ${LAB_V4[rr]};
protocol device {
}
protocol direct {
	ipv4;
	ipv6;
}
template bgp ann_t {
	local as $AS;
	neighbor as $ANN_AS;
	hold time $LAB_HOLD;
	keepalive time $((LAB_HOLD / 3));
	connect retry time 1;
	error wait time 1, 5;
$ext
}
protocol bgp ann_v4 from ann_t {
	neighbor ${LAB_V4[ann]};
$pass
	ipv4 {
		import all;
		export none;
	};
}
EOF
	[ "$LAB_MODE" = netns ] && cat <<EOF
protocol bgp ann_v6 from ann_t {
	neighbor ${LAB_V6[ann]};
	ipv6 {
		import all;
		export none;
	};
}
EOF
	return 0
}
bird_conf off >"$R/bird.conf"
bird_conf on >"$R/bird-ext.conf"
for f in bird.conf bird-ext.conf; do
	if out=$("$LAB_BIRD" -p -c "$R/$f" 2>&1); then
		ok "BIRD accepts the lab's $f"
	else
		not_ok "BIRD accepts the lab's $f"
		diag "$out"
	fi
done
# the running config is always bird.conf: "birdc configure" re-reads it
cp "$R/bird.conf" "$R/bird-std.conf"

# ---- ExaBGP on ann: the relay process and bgpsd-announce ---------------------
# relay: every line written into the FIFO goes to ExaBGP; ExaBGP's answers
# go to a file (always read: a process that does not read freezes ExaBGP)
cat >"$A/relay.sh" <<'EOF'
#!/bin/bash
# a background job would read /dev/null: hand it stdin explicitly
exec 4<&0
cat <&4 >>"$2" &
exec 4<&- 3<>"$1"
while IFS= read -r line <&3; do
	printf '%s\n' "$line"
done
EOF
chmod +x "$A/relay.sh"
FIFO=$A/relay.fifo
ACKS=$A/relay.acks
mkfifo "$FIFO"
: >"$ACKS"

# the services of bgpsd-announce: ports 1..LIMIT[v6] on both prefixes, the
# rest up to LIMIT[v4] on the /32 only, EXTRA more on PFX_EXTRA
# ann_conf EXTRA PFX_EXTRA
TCP=$(lab_port 7000)
SVC=${LAB_SVCADDR[ann]}
[ "$LAB_MODE" = netns ] || N6=0
ann_conf() {
	cat <<EOF
# generated by test_limits.sh: every service checks one TCP port
asn = $AS;
announce = {
	prefixes = ( "192.0.2.10/32"$([ "$N6" -gt 0 ] && echo ', "2001:db8::10/128"') );
	interval = 5;
	fast_interval = 0.5;
	timeout = 2;
	rise = 1;
	fall = 1;
	max_concurrent = 64;
	require_address = $(lab_require_address);
	status_file = "$A/status.json";
};
services = (
EOF
	awk -v n="$N4" -v n6="$N6" -v extra="${1:-0}" -v epfx="${2:-}" \
	    -v svc="$SVC" -v tcp="$TCP" 'BEGIN {
		for (i = 1; i <= n + extra; i++) {
			own = ""
			if (i > n)
				own = " prefixes = [ \"" epfx "\" ];"
			else if (n6 > 0 && i > n6)
				own = " prefixes = [ \"192.0.2.10/32\" ];"
			printf "\t{ name = \"s%d\"; port = %d;%s checks = ( { " \
			    "type = \"tcp\"; host = \"%s\"; port = %d; } ); }%s\n",
			    i, 1000 + i, own, svc, tcp, i < n + extra ? "," : ""
		}
	}'
	echo ");"
}
ann_conf >"$A/bgpsd.conf"

{
	echo "process relay {"
	echo "	run $A/relay.sh $FIFO $ACKS;"
	echo "	encoder text;"
	echo "}"
	echo "process bgpsd {"
	echo "	run $BUILD/bgpsd-announce -c $A/bgpsd.conf;"
	echo "	encoder text;"
	echo "}"
	lab_neighbor rr ann ipv4 $ANN_AS $AS "		processes [ relay bgpsd ];"
	[ "$LAB_MODE" = netns ] &&
	    lab_neighbor rr ann ipv6 $ANN_AS $AS "		processes [ relay bgpsd ];"
} >"$A/exabgp.conf"

# ---- helpers ------------------------------------------------------------------
birdc_() { birdc -s "$BIRDCTL" "$@" 2>/dev/null; }
NSESS=1
[ "$LAB_MODE" = netns ] && NSESS=2
bird_up() {
	[ "$(birdc_ show protocols | grep -c 'Established')" -ge "$NSESS" ]
}
# bird_ports PREFIX std|large: the ports BIRD holds for PREFIX, sorted,
# one a line, from the (large) communities of "birdc show route P all"
bird_ports() {
	local re="\\($AS,([0-9]+)\\)"
	[ "$2" = large ] && re="\\($AS, 0, ([0-9]+)\\)"
	birdc_ show route "$1" all | grep -oE "$re" | grep -oE '[0-9]+\)' |
	    tr -d ')' | sort -n
}
bird_has_route() { birdc_ show route "$1" | grep -q "^$1 "; }
# bird_holds PREFIX std|large FIRST LAST: exactly the ports FIRST..LAST
bird_holds() {
	[ "$(bird_ports "$1" "$2" | tr '\n' ' ')" = "$(seq -s ' ' "$3" "$4") " ]
}

# plen ADDR: ADDR/32 or ADDR/128
plen() { case $1 in *:*) echo "$1/128" ;; *) echo "$1/32" ;; esac; }

# send LINE: one command through the relay; waits for its answer
NACK=0
send() {
	local want
	NACK=$((NACK + 1))
	want=$NACK
	printf '%s\n' "$1" >"$FIFO"
	lab_wait 10 acked "$want"
}
acked() { [ "$(grep -cE '^(done|error)$' "$ACKS")" -ge "$1" ]; }
last_ack() { grep -E '^(done|error)$' "$ACKS" | tail -n 1; }

# route_line FAM MODE N PREFIX: announce PREFIX with ports 1..N
route_line() {
	local fam=$1 mode=$2 n=$3 p=$4 i s=""
	if [ "$mode" = large ]; then
		for ((i = 1; i <= n; i++)); do s+=" $AS:0:$i"; done
		echo "announce route $p next-hop self large-community [${s# }]"
	else
		for ((i = 1; i <= n; i++)); do s+=" $AS:$i"; done
		echo "announce route $p next-hop self community [${s# }]"
	fi
}

dump() {
	diag "--- $*"
	birdc_ show protocols | sed 's/^/#   /'
	lab_tail "$LAB_DIR/bird.log" 10
	lab_tail "$LAB_DIR/exabgp-ann.log" 15
}

# ExaBGP's Cease NOTIFICATION when an MP_REACH_NLRI does not fit: its data
# is the text "attributes size ..." (BIRD logs it in hex)
CEASE_HEX=617474726962757465732073697a6520
ceases() { grep -c "Received: Cease: $CEASE_HEX" "$LAB_DIR/bird.log"; }
ceases_gt() { [ "$(ceases)" -gt "$1" ]; }
v6_down() { ! birdc_ show protocols ann_v6 | grep -q Established; }

# measure FAM MODE SIZE: N = LIMIT reaches BIRD whole, N + 1 does not
measure() {
	local fam=$1 mode=$2 size=$3 n p m what c0
	n=${LIMIT[$fam:$mode:$size]}
	p=$(plen $P4) m=$(plen $M4)
	[ "$fam" = v6 ] && p=$(plen $P6) m=$(plen $M6)
	what="$fam $mode, limit $size"
	# at the limit: the whole route
	send "$(route_line "$fam" "$mode" "$n" "$p")" ||
	    { not_ok "$what: ExaBGP answers the announce of $n"; return; }
	if lab_wait 20 bird_holds "$p" "$mode" 1 "$n"; then
		ok "$what: $n port communities reach BIRD, every one of them"
	else
		not_ok "$what: $n port communities reach BIRD, every one of them"
		dump "$what"
		return
	fi
	# one more: ExaBGP says done, and never sends it
	c0=$(ceases)
	send "$(route_line "$fam" "$mode" $((n + 1)) "$p")"
	check "$what: ExaBGP acks $((n + 1)) with '$(last_ack)'" \
	    test "$(last_ack)" = done
	if [ "$fam" = v4 ]; then
		# a marker route after it; once BIRD has the marker, the big
		# UPDATE (queued before it on the same session) had its chance
		send "announce route $m next-hop self community [$AS:$((n + 1))]"
		if ! lab_wait 15 bird_holds "$m" std $((n + 1)) $((n + 1)); then
			not_ok "$what: the marker route after $((n + 1)) reaches BIRD"
			dump "$what marker"
		else
			sleep 1
			check "$what: $((n + 1)) never reaches BIRD, which keeps the stale $n" \
			    bird_holds "$p" "$mode" 1 "$n"
		fi
		send "withdraw route $m next-hop self"
	else
		# IPv6: ExaBGP raises instead; the session goes down with a Cease
		if lab_wait 15 ceases_gt "$c0" && v6_down; then
			ok "$what: $((n + 1)) makes ExaBGP close the IPv6 session (Cease \"attributes size\")"
		else
			not_ok "$what: $((n + 1)) makes ExaBGP close the IPv6 session (Cease \"attributes size\")"
			dump "$what cease"
		fi
		check "$what: BIRD lost the route with the session" eval \
		    "! bird_has_route $p"
	fi
	send "withdraw route $p next-hop self"
	if [ "$fam" = v6 ]; then
		if lab_wait 30 bird_up; then
			ok "$what: the IPv6 session comes back once the route is withdrawn"
		else
			not_ok "$what: the IPv6 session comes back once the route is withdrawn"
			dump "$what: after the withdraw"
		fi
	fi
	lab_wait 10 eval "! bird_has_route $p && ! bird_has_route $m" ||
	    diag "$what: withdraws not seen at BIRD"
}

# ---- start ------------------------------------------------------------------
lab_service svc-tcp ann "$TCP" || lab_die "demo service on ann"
lab_spawn bird rr "$LAB_BIRD" -f -c "$R/bird.conf" -s "$BIRDCTL" \
    -P "$R/bird.pid"
lab_wait 5 test -S "$BIRDCTL" || lab_die "BIRD did not start"
lab_exabgp_start ann "$A/exabgp.conf" yes
if lab_wait 30 bird_up; then
	ok "BIRD: $NSESS BGP sessions with ExaBGP established"
else
	not_ok "BIRD: $NSESS BGP sessions with ExaBGP established"
	dump "sessions"
	exit 1
fi

# ---- bgpsd-announce exactly at the limit of its two prefixes -----------------
T0=$(lab_ts)
expect() {
	local name=$1 limit=$2
	shift 2
	if lab_wait "$limit" "$@"; then
		ok "$name"
		diag "$name: after $(lab_fsub "$(lab_ts)" "$T0") s"
		return 0
	fi
	not_ok "$name"
	dump "$name: not within $limit s"
	return 1
}
expect "bgpsd-announce: 192.0.2.10/32 reaches BIRD with all its $N4 ports" \
    30 bird_holds 192.0.2.10/32 std 1001 $((1000 + N4))
[ "$N6" -gt 0 ] &&
    expect "bgpsd-announce: 2001:db8::10/128 reaches BIRD with all its $N6 ports" \
    30 bird_holds 2001:db8::10/128 std 1001 $((1000 + N6))

# one more port on either prefix: -n refuses it with file:line, the limit
# and the count; SIGHUP keeps the running config
EPFX="192.0.2.10/32,4097,$((N4 + 1))"
[ "$N6" -gt 0 ] && EPFX="$EPFX 2001:db8::10/128,4098,$((N6 + 1))"
for e in $EPFX; do
	pfx=${e%%,*}
	rest=${e#"$pfx",}
	ann_conf 1 "$pfx" >"$A/over.conf"
	line=$(grep -n "name = \"s$((N4 + 1))\"" "$A/over.conf" | cut -d: -f1)
	pline=$(grep -n "prefixes = ( " "$A/over.conf" | head -n 1 | cut -d: -f1)
	err=$("$BUILD/bgpsd-announce" -n -c "$A/over.conf" 2>&1)
	rc=$?
	want="$A/over.conf:$line: service 's$((N4 + 1))' (port $((1001 + N4))) takes the route of $pfx (line $pline) past one BGP UPDATE when every port is healthy (${rest%%,*} bytes, limit 4096, ${rest#*,} ports)"
	case $err in
	"$want"*) check "-n refuses one port more on $pfx: file:line, ${rest%%,*} bytes, limit 4096, ${rest#*,} ports" test $rc = 1 ;;
	*) not_ok "-n refuses one port more on $pfx: file:line, ${rest%%,*} bytes, limit 4096, ${rest#*,} ports"
	   diag "got:  $err" "want: $want" ;;
	esac
done
ann_conf 1 192.0.2.10/32 >"$A/bgpsd.conf"
# bgpsd_pid: the bgpsd-announce that ExaBGP runs
bgpsd_pid() {
	ps -o pid=,comm= --ppid "$(lab_pid exabgp-ann)" |
	    awk '$2 == "bgpsd-announce" { print $1 }'
}
BPID=$(bgpsd_pid)
reload_failed() {
	grep -q '"reload_failures": 1' "$A/status.json" 2>/dev/null
}
if [ -n "$BPID" ] && kill -HUP "$BPID" && lab_wait 10 reload_failed; then
	ok "SIGHUP with one port too many: reload refused (status file)"
else
	not_ok "SIGHUP with one port too many: reload refused (status file)"
	lab_tail "$A/status.json" 12
fi
sleep 1
check "after the refused reload BIRD still holds all $N4 ports of the /32" \
    bird_holds 192.0.2.10/32 std 1001 $((1000 + N4))
check "bgpsd-announce still runs the same process after SIGHUP" \
    test "$(bgpsd_pid)" = "$BPID"

# ---- the measurement: ExaBGP towards BIRD, 4096 bytes ------------------------
for fam in $FAMS; do
	for mode in std large; do
		measure "$fam" "$mode" 4096
	done
done

# ---- RFC 8654 extended messages: 65535 bytes ---------------------------------
cp "$R/bird-ext.conf" "$R/bird.conf"
birdc_ configure >/dev/null
ext_up() {
	bird_up && [ "$(birdc_ show protocols all | grep -c \
	    'Extended message')" -ge $((2 * NSESS)) ]
}
if lab_wait 30 ext_up; then
	ok "BIRD and ExaBGP negotiate extended messages after the reconfiguration"
	for fam in $FAMS; do
		for mode in std large; do
			measure "$fam" "$mode" 65535
		done
	done
else
	not_ok "BIRD and ExaBGP negotiate extended messages after the reconfiguration"
	dump "extended messages"
fi

check "ExaBGP never gave up on a process (no 'Too many death')" eval \
    '! grep -q "Too many death" "$LAB_DIR"/exabgp-*.log'
check "no sanitizer report from bgpsd-announce (ASan/UBSan builds)" eval \
    '! grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" "$LAB_DIR"/exabgp-*.log'
