#!/bin/bash
# tests/integration/test_trust.sh - the consumer's accept filters against
# a rogue announcer, through real ExaBGP:
#
#   ann:   ExaBGP, static routes: 192.0.2.10/32 (web), and 198.51.100.10/32
#          (web) outside the consumer's accept_prefixes
#   rogue: ExaBGP, static routes: ann's 192.0.2.10/32 with the api port,
#          which ann does not serve, and its own 198.51.100.66/32 (web)
#   lb:    ExaBGP + bgpsd-listen with accept_prefixes = [ 192.0.2.0/24 ]
#          and accept_peers = [ ann ]
#
# The rogue's routes reach the consumer's ExaBGP and bgpsd-listen (its log
# and status file say so) but never the rendered file; SIGHUP without the
# filters brings them in (they were there all along), and with the filters
# again takes them out.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$TOP/tests/integration/lib.sh"

lab_require trust "bgpsd-listen" exabgp

lab_init trust
lab_host lb 2
lab_host ann 11
lab_host rogue 66
WEB=$(lab_port 8080)
API=$(lab_port 8443)
L=$LAB_DIR/lb
OUT=$L/out/backends.txt
ANN=${LAB_V4[ann]}
ROGUE=${LAB_V4[rogue]}

# lb_conf FILTERS: the consumer's bgpsd.conf with these accept lines
lb_conf() {
	listen_conf -s "web:$WEB api:$API" -m 0.1 -M 3.0 -l "$1" \
	    -l "status_file = \"$L/status.json\";" \
	    "$TOP/tests/integration/data/backends.mustache" "$OUT"
}
FILTERS="accept_prefixes = [ \"192.0.2.0/24\" ];
	accept_peers = [ \"$ANN\" ];"
mkdir -p "$L/out"
lb_conf "$FILTERS" >"$L/filtered.conf"
lb_conf "" >"$L/open.conf"
cp "$L/filtered.conf" "$L/bgpsd.conf"
check_out "bgpsd-listen -n accepts accept_prefixes and accept_peers" \
    "$BUILD/bgpsd-listen" -n -c "$L/bgpsd.conf"

{
	lab_process bgpsd bgpsd-listen "$L/bgpsd.conf" json
	lab_neighbor ann lb ipv4 65000 65001 "$LAB_LISTEN_API" "	passive;"
	lab_neighbor rogue lb ipv4 65000 65066 "$LAB_LISTEN_API" "	passive;"
} >"$L/exabgp.conf"
# static_routes "ROUTE LINES": inserted into a neighbor stanza
static_routes() {
	printf '\tstatic {\n%s\n\t}\n' "$1"
}
lab_neighbor lb ann ipv4 65001 65000 "" "$(static_routes "\
		route 192.0.2.10/32 next-hop self community [ 12345:$WEB ];
		route 198.51.100.10/32 next-hop self community [ 12345:$WEB ];")" \
    >"$LAB_DIR/ann/exabgp.conf"
lab_neighbor lb rogue ipv4 65066 65000 "" "$(static_routes "\
		route 192.0.2.10/32 next-hop self community [ 12345:$API ];
		route 198.51.100.66/32 next-hop self community [ 12345:$WEB ];")" \
    >"$LAB_DIR/rogue/exabgp.conf"

dump() {
	diag "--- $*"
	lab_tail "$OUT" 20
	lab_tail "$L/status.json" 40
	lab_tail "$LAB_DIR/exabgp-lb.log" 25
	lab_tail "$LAB_DIR/exabgp-rogue.log" 10
}
LAB_DUMP=dump
LOG=$LAB_DIR/exabgp-lb.log	# bgpsd-listen logs to ExaBGP's stderr
logged() { grep -qF -- "$1" "$LOG" 2>/dev/null; }
# status_ignored N: the status file counts N ignored routes, the rogue's
# for reason "peer", ann's for "prefix"
status_ignored() {
	command -v python3 >/dev/null || return 0
	python3 - "$L/status.json" "$@" "$ANN" "$ROGUE" <<'EOF' 2>/dev/null
import json, sys
s = json.load(open(sys.argv[1]))
n, ann, rogue = int(sys.argv[2]), sys.argv[3], sys.argv[4]
p = {x["address"]: x for x in s["peers"]}
assert s["routes_ignored"] == n
if n:
    assert p[rogue]["ignored"] == 2 and not p[rogue]["accepted"]
    assert p[rogue]["ignored_reason"] == "peer"
    assert p[ann]["ignored"] == 1 and p[ann]["accepted"]
    assert p[ann]["ignored_reason"] == "prefix"
EOF
}

lab_mark "start"
lab_exabgp_start lb "$L/exabgp.conf" yes
lab_wait 10 lab_alive exabgp-lb || lab_die "consumer's ExaBGP did not start"
lab_exabgp_start ann "$LAB_DIR/ann/exabgp.conf" no
lab_exabgp_start rogue "$LAB_DIR/rogue/exabgp.conf" no
lab_expect "the rogue's route reaches the consumer (listener logs it ignored)" 20 \
    logged "peer $ROGUE: route 192.0.2.10/32 ignored: peer not in accept_peers"
lab_expect "ann's route outside accept_prefixes is logged ignored" 10 \
    logged "peer $ANN: route 198.51.100.10/32 ignored: prefix outside accept_prefixes"
lab_expect "rendered: web is ann's 192.0.2.10 alone" 10 \
    has_backends "$OUT" web "192.0.2.10"
check "rendered: api has no backend (the rogue's claim is ignored)" \
    has_backends "$OUT" api ""
lab_expect "status file: 3 routes ignored, by peer and reason" 5 \
    status_ignored 3

# without filters the same table renders the rogue's routes: they were in
# the consumer all along, the filters alone kept them out
pid=$(lab_child exabgp-lb bgpsd-listen)
cp "$L/open.conf" "$L/bgpsd.conf"
lab_mark "SIGHUP bgpsd-listen $pid: no filters"
kill -HUP "$pid"
lab_expect "SIGHUP without filters: the ignored routes are rendered at once" 5 \
    has_backends "$OUT" web "192.0.2.10 198.51.100.10 198.51.100.66"
check "SIGHUP without filters: api gets the rogue's claim" \
    has_backends "$OUT" api "192.0.2.10"
lab_expect "status file: nothing ignored" 5 status_ignored 0
cp "$L/filtered.conf" "$L/bgpsd.conf"
lab_mark "SIGHUP bgpsd-listen $pid: filters again"
kill -HUP "$pid"
lab_expect "SIGHUP with the filters: the rogue's routes leave the file" 5 \
    has_backends "$OUT" api ""
check "SIGHUP with the filters: web is ann's 192.0.2.10 alone" \
    has_backends "$OUT" web "192.0.2.10"
check "bgpsd-listen reloaded, not restarted" \
    test "$(lab_child exabgp-lb bgpsd-listen)" = "$pid"
n=$(grep -c "route 192.0.2.10/32 ignored" "$LOG")
check "the rogue's claim logged once per filter set ($n lines)" test "$n" = 2
check "no sanitizer report from bgpsd-listen (ASan/UBSan builds)" eval \
    '! grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" "$LOG"'
