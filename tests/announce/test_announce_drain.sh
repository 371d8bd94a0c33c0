#!/bin/bash
# tests/announce/test_announce_drain.sh - weight, graceful drain and
# on_change of bgpsd-announce through real ExaBGP (issue 13, items 1, 2
# and 5, the announcer's side), seen by a second real ExaBGP:
#
#   ann: ExaBGP with bgpsd-announce, one service "web" whose exec check
#        prints weight=N from a file the suite writes; drain_time = 2,
#        drain_on_stop = 3, an on_change that appends to a file
#   rr:  ExaBGP (passive) with rec.py recording every update (JSON)
#
#   weight=40          -> ASN:port and ASN:1:port*10000+40
#   weight=70          -> one update, weight 70
#   no weight line     -> the configured weight: the plain route again
#   disable file       -> ASN:2:port*10000 (port still there), withdrawn
#                         drain_time later; on_change up/draining/disabled
#   disable file gone  -> announced again
#   SIGTERM to bgpsd-announce (drain_on_stop) -> draining, then withdrawn
#   SIGTERM to ExaBGP  -> measured: when the session closes, when the
#                         processes hear of it (shutdown, SIGTERM)
#
# Loopback or namespaces (tests/integration/lib.sh). The measured figures
# are printed as diagnostics; bgpsd-announce(8) quotes them.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../integration/lib.sh
. "$TOP/tests/integration/lib.sh"

lab_require announce_drain "bgpsd-announce" "$LAB_EXABGP"

lab_init drain
lab_host rr 1
lab_host ann 11
lab_host_addr ann 192.0.2.10
A=$LAB_DIR/ann
R=$LAB_DIR/rr
P4=192.0.2.10
WEB=$(lab_port 8080)
AS=12345
HERE=$TOP/tests/announce
DRAIN=2
STOPDRAIN=3

cat >"$A/bgpsd.conf" <<EOF
asn = $AS;
services = ( {
	name = "web";
	port = $WEB;
	disable_file = "$A/web.disabled";
	drain_time = $DRAIN;
	on_change = "echo \"\$SERVICE \$PORT \$OLD_STATE \$NEW_STATE\" >> $A/changes.log";
	on_change_timeout = 2;
	checks = ( { type = "exec"; shell = true;
	    command = "cat $A/weight 2>/dev/null; true"; } );
} );
announce = {
	prefixes = ( "$P4/32" );
	require_address = $(lab_require_address);
	$(conf_timing 0.3 0.3 0.25 1 1)
	exec_timeout = 0.3;
	batch = 0.02;
	splay = false;
	drain_on_stop = $STOPDRAIN;
};
EOF
check_out "bgpsd-announce -n accepts the suite's config" \
    "$BUILD/bgpsd-announce" -n -c "$A/bgpsd.conf" || exit 1
echo "weight=40" >"$A/weight"

{
	echo "process rec {"
	echo "	run $LAB_PY $HERE/rec.py $R/rec.log;"
	echo "	encoder json;"
	echo "}"
	lab_neighbor ann rr ipv4 $AS $AS "		processes [ rec ];
		neighbor-changes;
		receive {
			parsed;
			update;
		}" "	passive;"
} >"$R/exabgp.conf"
{
	echo "process bgpsd {"
	echo "	run $BUILD/bgpsd-announce -c $A/bgpsd.conf;"
	echo "	encoder text;"
	echo "}"
	echo "process stamp {"
	echo "	run $LAB_PY $HERE/rec.py $A/stamp.log;"
	echo "	encoder text;"
	echo "}"
	lab_neighbor rr ann ipv4 $AS $AS "		processes [ bgpsd stamp ];
		neighbor-changes;"
} >"$A/exabgp.conf"

lab_exabgp_start rr "$R/exabgp.conf" yes
lab_exabgp_start ann "$A/exabgp.conf" no

routes() { "$LAB_PY" "$HERE/routes.py" "$R/rec.log" "$P4/32" 2>/dev/null; }
last_route() { routes | tail -n 1 | cut -d' ' -f2-; }
is_last() { [ "$(last_route)" = "$1" ]; }
# the time of the last event matching REGEX
when() { routes | grep -E -- "$1" | tail -n 1 | cut -d' ' -f1; }
# events after time T; seen_after T REGEX; when_after T REGEX (the first)
after() { routes | awk -v t="$1" '$1 > t'; }
seen_after() { after "$1" | cut -d' ' -f2- | grep -Eq -- "$2"; }
when_after() { after "$1" | grep -E -- "$2" | head -n 1 | cut -d' ' -f1; }
# b - a in seconds, to the millisecond
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

dump() {
	diag "--- $*"
	routes | tail -n 8 | sed 's/^/#   /'
	lab_tail "$A/changes.log" 10
	lab_tail "$LAB_DIR/exabgp-ann.log" 25
	lab_tail "$LAB_DIR/exabgp-rr.log" 10
}
expect() {
	local name=$1 limit=$2
	shift 2
	if lab_wait "$limit" "$@"; then
		ok "$name"
		return 0
	fi
	not_ok "$name"
	dump "$name: not within $limit s"
	return 1
}

W=$((WEB * 10000))
PLAIN="announce $AS:$WEB | "

# ---- weight ----------------------------------------------------------------
expect "weight=40 from the check: the port and ASN:1:port*10000+40" 30 \
    is_last "announce $AS:$WEB | $AS:1:$((W + 40))"
echo "weight=70" >"$A/weight"
expect "weight=70: the route follows" 5 \
    is_last "announce $AS:$WEB | $AS:1:$((W + 70))"
n=$(routes | grep -c ":1:$((W + 70))")
sleep 1
check "an unchanged weight sends nothing more (1 update with 70, then still 1)" \
    test "$(routes | grep -c ":1:$((W + 70))")" = "$n"
echo "weight=900" >"$A/weight"
expect "weight=900 is capped by the configured 100: the plain route" 5 \
    is_last "$PLAIN"
rm -f "$A/weight"
sleep 1
check "no weight line: the configured weight, plain communities only" \
    is_last "$PLAIN"

# ---- graceful drain --------------------------------------------------------
touch "$A/web.disabled"
expect "disable file: draining, ASN:2:port*10000 next to the port" 5 \
    is_last "announce $AS:$WEB | $AS:2:$W"
t_drain=$(when ":2:$W")
expect "withdrawn after drain_time" $((DRAIN + 5)) is_last "withdraw"
t_wd=$(when "withdraw")
gap=$(lab_fsub "$t_wd" "$t_drain")
diag "draining -> withdraw at the receiver: $(ms "$t_wd" "$t_drain") s (drain_time $DRAIN s)"
check "the drain lasted drain_time (within ~1 s)" \
    lab_fle "$DRAIN" "$(awk -v g="$gap" 'BEGIN { print g + 0.1 }')"
check "... and not much longer" lab_fle "$gap" $((DRAIN + 1))
rm -f "$A/web.disabled"
expect "disable file gone: announced again" 5 is_last "$PLAIN"

has_changes() {
	[ "$(tr '\n' ';' <"$A/changes.log" 2>/dev/null)" = "$1" ]
}
expect "on_change: down->up, up->draining, draining->disabled, disabled->up" 5 \
    has_changes "web $WEB down up;web $WEB up draining;web $WEB draining disabled;web $WEB disabled up;"

# ---- SIGTERM to bgpsd-announce: drain_on_stop ------------------------------
pid=$(lab_child exabgp-ann bgpsd-announce)
if [ -n "$pid" ]; then
	mark=$(lab_ts)
	kill -TERM "$pid"
	expect "SIGTERM to bgpsd-announce: every port draining first" 5 \
	    seen_after "$mark" "announce $AS:$WEB \| $AS:2:$W\$"
	t1=$(when_after "$mark" ":2:$W")
	# the respawned process announces again soon after: look for the
	# withdraw among the events, not at the last one
	expect "... then withdrawn after drain_on_stop" $((STOPDRAIN + 5)) \
	    seen_after "$t1" "withdraw"
	t2=$(when_after "$t1" "withdraw")
	diag "SIGTERM -> draining at the receiver: $(ms "$t1" "$mark") s;" \
	    "draining -> withdraw: $(ms "$t2" "$t1") s (drain_on_stop $STOPDRAIN s)"
	check "the stop drain lasted drain_on_stop (within ~1 s)" \
	    lab_fle "$STOPDRAIN" "$(awk -v a="$t2" -v b="$t1" 'BEGIN { print a - b + 0.1 }')"
	# ExaBGP respawns its process, which announces again
	expect "ExaBGP respawned bgpsd-announce: announced again" 10 \
	    is_last "$PLAIN"
else
	not_ok "bgpsd-announce runs under ExaBGP"
	dump "no bgpsd-announce child"
fi

# ---- SIGTERM to ExaBGP: what its processes get, and when -------------------
before=$(routes | wc -l)
t_kill=$(lab_ts)
lab_kill exabgp-ann TERM
lab_wait 10 lab_gone "$(lab_pid exabgp-ann)"
expect "the receiver sees the session go down" 10 is_last "session down"
t_down=$(when "session down")
t_shut=$(grep -E '^[0-9.]+ shutdown' "$A/stamp.log" | tail -n 1 | cut -d' ' -f1)
t_term=$(grep -E '^[0-9.]+ SIGTERM' "$A/stamp.log" | tail -n 1 | cut -d' ' -f1)
diag "ExaBGP SIGTERMed at 0; the receiver saw the session down at" \
    "$(ms "$t_down" "$t_kill") s; its processes read 'shutdown' at" \
    "$(ms "${t_shut:-0}" "$t_kill") s, got SIGTERM at" \
    "$(ms "${t_term:-0}" "$t_kill") s"
check "ExaBGP told its processes (shutdown line, then SIGTERM)" \
    test -n "$t_shut" -a -n "$t_term"
check "no update reached the receiver between ExaBGP's SIGTERM and the session down" \
    test "$(routes | awk -v a="$t_kill" -v b="$t_down" '$1 > a && $1 < b' | wc -l)" = 0
diag "events at the receiver since: $(routes | tail -n +$((before + 1)) | cut -d' ' -f2- | tr '\n' ';')"
check "ExaBGP never gave up on a process (no 'Too many death')" \
    lab_lacks "$LAB_DIR/exabgp-ann.log" "Too many death"
check "no sanitizer report from bgpsd-announce (ASan/UBSan builds)" \
    lab_lacks "$LAB_DIR/exabgp-ann.log" "runtime error|AddressSanitizer|LeakSanitizer"
