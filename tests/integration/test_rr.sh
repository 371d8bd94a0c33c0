#!/bin/bash
# tests/integration/test_rr.sh - bgpsd through a real route reflector.
#
#   ann1, ann2, ann3: demo service + bgpsd-announce under ExaBGP, one /32 each
#   rr:               BIRD 2, iBGP route reflector (etc/bird-rr.conf)
#   lb:               ExaBGP + bgpsd-listen, its only peer is the reflector
#   rogue:            ExaBGP with static routes: its own /32 and another
#                     host's, with a service community
#
# The consumer must learn all three backends through the reflector (the
# ASN:<port> communities pass it unchanged), and one port change on one
# announcer must reach the rendered file. The reflector's origin filter
# must keep the rogue's foreign /32 (and routes with communities bgpsd does
# not send) out, visible in "birdc show route filtered", while its own /32
# passes to the consumer.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$TOP/tests/integration/lib.sh"

lab_require rr "bgpsd-announce bgpsd-listen" exabgp bird birdc haproxy

INTERVAL=0.5
TIMEOUT=0.4
RISE=2
FALL=2
lab_bounds
AS=12345		# the AS of etc/bird-rr.conf and the ExaBGP examples

lab_init rr
lab_host rr 1
lab_host lb 2
ANNS="ann1 ann2 ann3"
lab_hosts 11 $ANNS
lab_host rogue 19
# The rogue's own /32 must be a documentation address: in namespaces its
# session runs from 198.51.100.19 (on the hub, beside the reflector's
# 198.51.100.1) and the reflector's default rule, "the /32 of the
# session's source address", applies; on loopback its session address is
# 127.0.0.x, so it gets a per-client list instead.
ROGUE_OWN=198.51.100.19
if [ "$LAB_MODE" = netns ]; then
	ip -n "${LAB_NS[rr]}" addr add 198.51.100.1/24 dev eth0
	ip -n "${LAB_NS[rogue]}" addr add $ROGUE_OWN/24 dev eth0
	ROGUE_SELF=$ROGUE_OWN
	ROGUE_RR=198.51.100.1
else
	ROGUE_SELF=${LAB_V4[rogue]}
	ROGUE_RR=${LAB_V4[rr]}
fi
ROGUE_PORT=$(lab_port 9443)	# a port only the rogue's routes carry
WEB=$(lab_port 8080)
declare -A PFX=([ann1]=198.51.100.11 [ann2]=198.51.100.12 [ann3]=198.51.100.13)
declare -A PFX6=([ann1]=2001:db8:100::11 [ann2]=2001:db8:100::12 [ann3]=2001:db8:100::13)
for h in $ANNS; do
	lab_host_addr "$h" "${PFX[$h]}" "${PFX6[$h]}"
done
# IPv6 through the reflector needs one address per host: namespaces only
# (on loopback every host is ::1)
if [ "$LAB_MODE" = netns ]; then
	V6=1
else
	V6=0
	diag "loopback mode: IPv4 only through the reflector (every host is ::1)"
fi
# what the consumer must see for announcer H
addrs_of() {
	local h a=""
	for h in "$@"; do
		a="$a ${PFX[$h]}"
		[ $V6 = 1 ] && a="$a ${PFX6[$h]}"
	done
	echo $a
}
L=$LAB_DIR/lb
OUT=$L/out/backends.txt
HAP=$L/out/haproxy.cfg
BIRDCTL=$LAB_DIR/rr/bird.ctl

# ---- BIRD: etc/bird-rr.conf with this lab's values and clients -------------
# the announcers' service addresses are not their session addresses: each
# gets the list of its own routes (the consumer announces nothing and keeps
# the default rule)
rr_conf() {
	local clients="" h
	for h in $ANNS lb rogue; do
		if [ $h = rogue ]; then
			clients+="protocol bgp $h from bgpsd_client {
	neighbor $ROGUE_SELF;
"
		else
			clients+="protocol bgp $h from bgpsd_client {
	neighbor ${LAB_V4[$h]};
"
		fi
		case $h in
		ann*) clients+="	ipv4 { import where bgpsd_client_import_list([ ${PFX[$h]}/32 ]); };
" ;;
		rogue) [ "$LAB_MODE" = loopback ] &&
			clients+="	ipv4 { import where bgpsd_client_import_list([ $ROGUE_OWN/32 ]); };
" ;;
		esac
		if [ "$LAB_MODE" = loopback ]; then
			# shared loopback: listen on our own address and port; the
			# clients do not listen, so only they connect
			clients+="	local ${LAB_V4[rr]} port ${LAB_BGPPORT[rr]};
	passive on;
"
		fi
		clients+="}
"
		[ $V6 = 1 ] && [ $h != rogue ] && clients+="protocol bgp ${h}_v6 from bgpsd_client {
	neighbor ${LAB_V6[$h]};
$(case $h in ann*) echo "	ipv6 { import where bgpsd_client_import_list([ ${PFX6[$h]}/128 ]); };" ;; esac)
}
"
	done
	echo "log stderr all;	# test_rr.sh: BIRD's log into the lab's bird.log"
	lab_bird_rr "${LAB_V4[rr]}" "$AS" "$clients" |
	sed -e "s/^define RR_MAX_ROUTES = .*/define RR_MAX_ROUTES = $RR_MAX;/"
}
RR_MAX=4	# routes kept per session: the rogue's flood below goes beyond
rr_conf >"$LAB_DIR/rr/bird.conf"
check_out "etc/bird-rr.conf parametrized for the lab parses" \
    "$LAB_BIRD" -p -c "$LAB_DIR/rr/bird.conf"

# ---- ExaBGP configs: the examples of etc/, with the lab's values ----------
# from_example FILE HOST PROG CONF SELF4 SELF6: the example's reflector
# (198.51.100.1, 2001:db8:ffff::1) becomes the lab's, the example host's
# addresses SELF4/SELF6 become HOST's, the run line runs PROG -c CONF,
# hold-time is the lab's; on loopback the IPv6 session goes (every host is
# ::1) and the sessions connect to the reflector's port.
from_example() {
	local f=$1 h=$2 prog=$3 conf=$4 s4=$5 s6=$6 e4 e6
	e4=$(echo "$s4" | sed 's/\./\\./g')
	e6=$s6
	sed -e "s|^\([[:space:]]*\)run .*;|\1run $BUILD/$prog -c $conf;|" \
	    -e "s/\b198\.51\.100\.1\b/${LAB_V4[rr]}/g" \
	    -e "s/\b$e4\b/${LAB_V4[$h]}/g" \
	    -e "s/\b2001:db8:ffff::1\b/${LAB_V6[rr]}/g" \
	    -e "s/\b$e6\b/${LAB_V6[$h]}/g" \
	    -e "s/hold-time [0-9]*;/hold-time $LAB_HOLD;/" "$f" |
	if [ "$LAB_MODE" = loopback ]; then
		awk -v port="${LAB_BGPPORT[rr]}" '
		    /^neighbor .*:/ { skip = 1 }
		    skip { if ($0 ~ /^}/) skip = 0; next }
		    { print }
		    /hold-time/ { print "\tconnect " port ";" }'
	else
		cat
	fi
}
EX_ANN=$TOP/etc/exabgp/announce.conf
EX_LST=$TOP/etc/exabgp-listen-rr.conf
# the examples must still use the addresses this substitution knows
ex_ok() {
	grep -q "neighbor 198.51.100.1 {" "$1" && grep -q "local-address $2;" "$1" &&
	    grep -q "local-address $3;" "$1" && grep -q "^[[:space:]]*run " "$1"
}
if ex_ok "$EX_ANN" 198.51.100.10 2001:db8:ffff::10; then
	USE_EX_ANN=1
else
	USE_EX_ANN=0
	diag "$EX_ANN: not the expected example addresses; generated stanzas used"
fi

# ---- announcers ---------------------------------------------------------------
for h in $ANNS; do
	cat >"$LAB_DIR/$h/bgpsd.conf" <<EOF
# bgpsd.conf of host "$h" (generated by test_rr.sh)
asn = 12345;
services = (
	{
		name = "web";
		port = $WEB;
		checks = ( { type = "tcp"; host = "${LAB_SVCADDR[$h]}"; } );
	}
);
announce = {
	prefixes = ( $(if [ $V6 = 1 ]; then
	    echo "\"${PFX[$h]}/32\", \"${PFX6[$h]}/128\""
	else
	    echo "\"${PFX[$h]}/32\""
	fi) );
	require_address = $(lab_require_address);
$(lab_timing)
	status_file = "$LAB_DIR/$h/status.json";
};
EOF
	if [ $USE_EX_ANN = 1 ]; then
		from_example "$EX_ANN" "$h" bgpsd-announce \
		    "$LAB_DIR/$h/bgpsd.conf" 198.51.100.10 2001:db8:ffff::10 \
		    >"$LAB_DIR/$h/exabgp.conf"
	else
		{
			lab_process bgpsd bgpsd-announce "$LAB_DIR/$h/bgpsd.conf" text
			lab_neighbor rr "$h" ipv4 $AS $AS "		processes [ bgpsd ];"
			[ $V6 = 1 ] && lab_neighbor rr "$h" ipv6 $AS $AS \
			    "		processes [ bgpsd ];"
		} >"$LAB_DIR/$h/exabgp.conf"
	fi
done

# ---- consumer -------------------------------------------------------------------
# the consumer's bgpsd.conf; OUT = folder of its rendered files
lb_conf() {
	lab_lb_conf "$1" "web:$WEB"
}
exabgp_lb_conf() {
	from_example "$EX_LST" lb bgpsd-listen "$1" 198.51.100.254 \
	    2001:db8:ffff::fe
}
lb_conf "$L/out" >"$L/bgpsd.conf"
exabgp_lb_conf "$L/bgpsd.conf" >"$L/exabgp.conf"

for c in "announce $LAB_DIR/ann1/bgpsd.conf" "listen $L/bgpsd.conf"; do
	set -- $c
	check_out "bgpsd-$1 -n accepts the lab's bgpsd.conf" \
	    "$BUILD/bgpsd-$1" -n -c "$2"
done

# the examples, as the lab runs them, pass ExaBGP's own check
for c in "$LAB_DIR/ann1/exabgp.conf" "$L/exabgp.conf"; do
	if out=$(lab_exec lb "$LAB_EXABGP" --test "$c" 2>&1); then
		ok "exabgp --test ${c#"$LAB_DIR"/} (from etc/ example)"
	else
		not_ok "exabgp --test ${c#"$LAB_DIR"/} (from etc/ example)"
		diag "$(echo "$out" | tail -n 8)"
	fi
done

dump() {
	diag "--- $*"
	lab_tail "$OUT" 20
	birdc -s "$BIRDCTL" show protocols 2>&1 | sed 's/^/#   /'
	birdc -s "$BIRDCTL" show route all 2>&1 | head -n 40 | sed 's/^/#   /'
	lab_tail "$LAB_DIR/bird.log" 20
	lab_tail "$LAB_DIR/exabgp-lb.log" 20
	lab_tail "$LAB_DIR/exabgp-ann2.log" 20
}
LAB_DUMP=dump

# ---- start everything: services, reflector, consumer, announcers ---------------
lab_mark "start"
for h in $ANNS; do
	lab_service "svc-$h" "$h" "$WEB" || lab_die "demo service on $h"
done
lab_bird_start "$LAB_DIR/rr"
lab_exabgp_start lb "$L/exabgp.conf" no
for h in $ANNS; do
	lab_exabgp_start "$h" "$LAB_DIR/$h/exabgp.conf" no
done

# four clients, each with an IPv4 (and in netns mode an IPv6) session
NSESS=$((4 * (1 + V6)))
bird_established() {
	[ "$(birdc -s "$BIRDCTL" show protocols 2>/dev/null |
	    grep -c 'Established')" -ge $NSESS ]
}
lab_expect "BIRD: all $NSESS iBGP sessions established" 20 bird_established
ALL=$(addrs_of ann1 ann2 ann3)
lab_expect "consumer learns every backend of the three announcers through the reflector" 20 \
    has_backends "$OUT" web "$ALL"
# the reflector really is in the path: its table holds the communities
comm=$(birdc -s "$BIRDCTL" show route all 2>/dev/null |
    grep -c "BGP.community: (12345,$WEB)")
NROUTES=$((3 * (1 + V6)))
check "BIRD holds the $NROUTES routes with community 12345:$WEB" \
    test "$comm" = $NROUTES
[ "$comm" = $NROUTES ] || dump "birdc"
hap_servers() {
	local want
	want=$(echo "$1" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$(awk '$1 == "server" {
		a = $3
		if (a ~ /^\[/) { sub(/^\[/, "", a); sub(/\].*$/, "", a) }
		else sub(/:[0-9]+$/, "", a)
		print a
	    }' "$HAP" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//')" = "$want" ]
}
lab_expect "rendered haproxy.cfg has a server per backend" 3 hap_servers "$ALL"
check "haproxy -c -f accepts the rendered haproxy.cfg" \
    haproxy -c -q -f "$HAP"

# ---- one port change propagates through the reflector ---------------------------
lab_mark "port closes on ann2"
lab_stop svc-ann2
lab_expect "ann2's port closes: its backend leaves, through the reflector" \
    "$DOWN_BOUND" has_backends "$OUT" web "$(addrs_of ann1 ann3)"
lab_mark "port opens on ann2"
lab_service svc-ann2 ann2 "$WEB"
lab_expect "ann2's port opens: its backend returns" "$UP_BOUND" \
    has_backends "$OUT" web "$ALL"
lab_expect "rendered haproxy.cfg has a server per backend again" 3 \
    hap_servers "$ALL"
check "haproxy -c -f still accepts the rendered haproxy.cfg" \
    haproxy -c -q -f "$HAP"
# ---- an announcer's ExaBGP dies: the reflector withdraws for it ------------
lab_mark "SIGKILL exabgp-ann3"
lab_kill exabgp-ann3 KILL
lab_expect "ann3's ExaBGP killed: the reflector withdraws its backends" 5 \
    has_backends "$OUT" web "$(addrs_of ann1 ann2)"
lab_mark "restart exabgp-ann3"
lab_exabgp_start ann3 "$LAB_DIR/ann3/exabgp.conf" no
lab_expect "ann3's ExaBGP restarted: its backends return" 20 \
    has_backends "$OUT" web "$ALL"

# ---- a consumer that starts late learns everything before its first render --
lab_mark "restart consumer"
lab_stop exabgp-lb
lb_conf "$L/out2" >"$L/bgpsd2.conf"
exabgp_lb_conf "$L/bgpsd2.conf" >"$L/exabgp2.conf"
lab_exabgp_start lb "$L/exabgp2.conf" no exabgp-lb2
lab_expect "late consumer: renders every backend via the reflector" 20 \
    has_backends "$L/out2/backends.txt" web "$ALL"
first=$(ls "$L/out2/history" | sort -n | head -n 1)
check "late consumer: its first render already has every backend" \
    has_backends "$L/out2/history/$first" web "$ALL"
n=$(ls "$L/out2/history" | wc -l)
check "late consumer: rendered once, not in pieces ($n version)" test "$n" = 1

# ---- the origin filter: a rogue host through the reflector -----------------
# rogue_conf "ROUTE LINES": an ExaBGP that announces static routes only
rogue_conf() {
	cat <<EOF
neighbor $ROGUE_RR {
	router-id $ROGUE_SELF;
	local-address $ROGUE_SELF;
	local-as $AS;
	peer-as $AS;
	hold-time $LAB_HOLD;
$([ "$LAB_MODE" = loopback ] && echo "	connect ${LAB_BGPPORT[rr]};")
	family {
		ipv4 unicast;
	}
	static {
$1
	}
}
EOF
}
OUT2=$L/out2/backends.txt
birdc_rr() { birdc -s "$BIRDCTL" "$@" 2>/dev/null; }
# rogue_holds WHICH PREFIX: BIRD has PREFIX from the rogue among its
# imported ("") or filtered ("filtered") routes
rogue_holds() {
	birdc_rr show route $1 protocol rogue | grep -q "^$2 "
}
rogue_up() { birdc_rr show protocols rogue | grep -q Established; }
# ann1's /32 competes with ann1's own route at the reflector (one best
# path is reflected); .14 is a host that announces nothing now: without
# the filter the rogue's route would be the only one, and reach the file
FOREIGN=${PFX[ann1]}
VACANT=198.51.100.14
rogue_conf "		route $ROGUE_OWN/32 next-hop self community [ $AS:$ROGUE_PORT ];
		route $FOREIGN/32 next-hop self community [ $AS:$ROGUE_PORT ];
		route $VACANT/32 next-hop self community [ $AS:$WEB ];" \
    >"$LAB_DIR/rogue/exabgp.conf"
lab_mark "rogue announces its own /32, ann1's and a vacant one"
lab_exabgp_start rogue "$LAB_DIR/rogue/exabgp.conf" no
lab_expect "rogue: its session with the reflector is up" 20 rogue_up
lab_expect "rogue: its own /32 passes the reflector's origin filter" 10 \
    rogue_holds "" $ROGUE_OWN/32
lab_expect "rogue: ann1's /32 is in 'birdc show route filtered'" 5 \
    rogue_holds filtered $FOREIGN/32
check "rogue: ann1's /32 from it is not among the imported routes" eval \
    '! rogue_holds "" $FOREIGN/32'
check "rogue: the vacant /32 is filtered too" rogue_holds filtered $VACANT/32
lab_expect "consumer: the rogue's own /32 is a backend of its port" 10 \
    has_backends "$OUT2" "port_$ROGUE_PORT" "$ROGUE_OWN"
check "consumer: ann1's /32 is no backend of the rogue's port" \
    has_backends "$OUT2" "port_$ROGUE_PORT" "$ROGUE_OWN"
check "consumer: web keeps exactly the three announcers (not the vacant /32)" \
    has_backends "$OUT2" web "$ALL"

# its own /32 again, with a community bgpsd does not send: rejected whole
lab_stop exabgp-rogue
rogue_conf "		route $ROGUE_OWN/32 next-hop self community [ $AS:$ROGUE_PORT 65000:1 ];" \
    >"$LAB_DIR/rogue/exabgp2.conf"
lab_mark "rogue: its own /32 with community 65000:1"
lab_exabgp_start rogue "$LAB_DIR/rogue/exabgp2.conf" no exabgp-rogue2
lab_expect "rogue: own /32 with a foreign community is filtered" 20 \
    rogue_holds filtered $ROGUE_OWN/32
check "rogue: ... and shown with that community" eval \
    'birdc_rr show route filtered all protocol rogue | grep -q "(65000,1)"'
lab_expect "consumer: the rogue's port has no backend left" 10 \
    has_backends "$OUT2" "port_$ROGUE_PORT" ""

# more routes than RR_MAX_ROUTES: BIRD keeps at most that many, filtered
# ones included
lab_stop exabgp-rogue2
routes=""
for i in 31 32 33 34 35 36; do
	routes+="		route 198.51.100.$i/32 next-hop self community [ $AS:$ROGUE_PORT ];
"
done
rogue_conf "$routes" >"$LAB_DIR/rogue/exabgp3.conf"
lab_mark "rogue: six foreign routes"
lab_exabgp_start rogue "$LAB_DIR/rogue/exabgp3.conf" no exabgp-rogue3
lab_expect "rogue: BIRD logs the receive limit ($RR_MAX)" 20 \
    grep -q "rogue.*receive limit" "$LAB_DIR/bird.log"
n=$( (birdc_rr show route protocol rogue; birdc_rr show route filtered protocol rogue) |
    grep -c '^198\.51\.100\.3[1-6]/32 ')
check "rogue: BIRD keeps at most $RR_MAX of its routes ($n)" test "$n" -le $RR_MAX

check "ExaBGP never gave up on a process (no 'Too many death')" eval \
    '! grep -q "Too many death" "$LAB_DIR"/exabgp-*.log'
check "no sanitizer report from the programs (ASan/UBSan builds)" eval \
    '! grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" "$LAB_DIR"/exabgp-*.log'
