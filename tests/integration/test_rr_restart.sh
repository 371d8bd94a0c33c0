#!/bin/bash
# tests/integration/test_rr_restart.sh - a route reflector restart loses
# nothing (issue 12, item 4).
#
#   ann1, ann2, ann3: demo services + bgpsd-announce under ExaBGP, one /32
#                     each, a session to each of the two reflectors
#   rr, rr2:          BIRD 2 with the shipped etc/bird-rr.conf; rr2 runs
#                     only in the last part
#   lb:               ExaBGP + bgpsd-listen with the shipped haproxy
#                     template; its peers group gives the reflectors
#                     stale_time = STALE_TIME (default 10)
#
# The rendered haproxy.cfg is sampled every 50 ms by a watcher that keeps
# every version it sees, every version bgpsd-listen writes is kept by the
# template's check (snapshot.sh), and every reload (the template's
# command) appends a line to a file.
#   (a) one reflector, BIRD stopped and started with no change meanwhile:
#       the file stays byte-identical, no version is written, no reload
#       runs, and the routes the reflector sends again are fresh;
#   (b) a change made while BIRD is down (a port opens on ann1) is in the
#       file once it is back, and one made after (a port closes on ann2)
#       at once, while another route is still stale;
#   (c) a host gone while BIRD was down (ann3's ExaBGP stopped) stays a
#       backend, stale, and goes stale_time after the session came back;
#   (d) two reflectors: stopping and starting each in turn never removes a
#       backend from any version of the file.
# STALE_TIME=0 runs the same steps with the old behaviour (a lost session's
# routes go at once): (a) and (c) then fail.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$TOP/tests/integration/lib.sh"

for b in bgpsd-announce bgpsd-listen; do
	if [ ! -x "$BUILD/$b" ]; then
		skip "rr_restart" "$BUILD/$b not built (make all)"
		exit 0
	fi
done
for c in exabgp bird birdc jq; do
	if ! command -v "$c" >/dev/null; then
		skip "rr_restart" "$c not installed (make deps)"
		exit 0
	fi
done

STALE=${STALE_TIME:-10}
INTERVAL=0.5
TIMEOUT=0.4
RISE=2
FALL=2
WAIT_MAX=1.0
DOWN_BOUND=$(awk -v f=$FALL -v i=$INTERVAL -v t=$TIMEOUT -v w=$WAIT_MAX \
    'BEGIN { print f * i + t + w + 2 }')
UP_BOUND=$(awk -v r=$RISE -v i=$INTERVAL -v t=$TIMEOUT -v w=$WAIT_MAX \
    'BEGIN { print r * i + t + w + 2 }')
AS=12345		# the AS of etc/bird-rr.conf
DOWNTIME=2		# seconds a reflector stays stopped
# after a reflector is back: a render pass it caused would come by then
SETTLE=$(awk -v w=$WAIT_MAX 'BEGIN { print w + 1 }')

lab_init rr_restart
lab_host rr 1
lab_host lb 2
lab_host rr2 3
ANNS="ann1 ann2 ann3"
n=11
for h in $ANNS; do
	lab_host "$h" $n
	n=$((n + 1))
done
RRS="rr rr2"
WEB=$(lab_port 8080)
API=$(lab_port 8443)
declare -A PFX=([ann1]=198.51.100.11 [ann2]=198.51.100.12 [ann3]=198.51.100.13)
for h in $ANNS; do
	lab_host_addr "$h" "${PFX[$h]}"
done
addrs_of() {
	local h a=""
	for h in "$@"; do
		a="$a ${PFX[$h]}"
	done
	echo $a
}
ALL=$(addrs_of $ANNS)
L=$LAB_DIR/lb
OUT=$L/out/backends.txt
HAP=$L/out/haproxy.cfg
HIST=$L/history
RELOADS=$L/reloads.log
STATUS=$L/status.json
mkdir -p "$L/out" "$HIST"
: >"$RELOADS"

# ---- BIRD: etc/bird-rr.conf with this lab's values and clients ------------
# rr_conf RR: the shipped file, its defines and client list replaced (as
# in test_rr.sh); each announcer gets the list of its own /32
rr_conf() {
	local rr=$1 clients="" h
	for h in $ANNS lb; do
		clients+="protocol bgp $h from bgpsd_client {
	neighbor ${LAB_V4[$h]};
"
		case $h in
		ann*) clients+="	ipv4 { import where bgpsd_client_import_list([ ${PFX[$h]}/32 ]); };
" ;;
		esac
		[ "$LAB_MODE" = loopback ] && clients+="	local ${LAB_V4[$rr]} port ${LAB_BGPPORT[$rr]};
	passive on;
"
		clients+="}
"
	done
	echo "log stderr all;	# test_rr_restart.sh: BIRD's log into the lab"
	awk -v c="$clients" '
	    /^# BEGIN clients/ { print; printf "%s", c; skip = 1; next }
	    /^# END clients/ { skip = 0 }
	    !skip' "$TOP/etc/bird-rr.conf" |
	sed -e "s/^define RR_ID = .*/define RR_ID = ${LAB_V4[$rr]};/" \
	    -e "s/^define RR_AS = .*/define RR_AS = $AS;/" \
	    -e "s/^define RR_HOLD = .*/define RR_HOLD = $LAB_HOLD;/" \
	    -e "s/^define RR_KEEPALIVE = .*/define RR_KEEPALIVE = $((LAB_HOLD / 3));/"
}
for r in $RRS; do
	rr_conf $r >"$LAB_DIR/$r/bird.conf"
	if out=$("$LAB_BIRD" -p -c "$LAB_DIR/$r/bird.conf" 2>&1); then
		ok "$r: etc/bird-rr.conf parametrized for the lab parses"
	else
		not_ok "$r: etc/bird-rr.conf parametrized for the lab parses"
		diag "$out"
	fi
done
birdc_r() { local r=$1; shift; birdc -s "$LAB_DIR/$r/bird.ctl" "$@" 2>/dev/null; }
bird_start() {
	local r=$1
	rm -f "$LAB_DIR/$r/bird.ctl"
	lab_spawn "bird-$r" "$r" "$LAB_BIRD" -f -c "$LAB_DIR/$r/bird.conf" \
	    -s "$LAB_DIR/$r/bird.ctl" -P "$LAB_DIR/$r/bird.pid"
	lab_wait 10 birdc_r "$r" show status >/dev/null ||
	    lab_die "BIRD $r did not start"
}
# bird_sessions RR N: RR has N sessions established
bird_sessions() {
	[ "$(birdc_r "$1" show protocols | grep -c Established)" -ge "$2" ]
}

# ---- announcers: two services, sessions to both reflectors -------------------
for h in $ANNS; do
	cat >"$LAB_DIR/$h/bgpsd.conf" <<EOF
# bgpsd.conf of host "$h" (generated by test_rr_restart.sh)
asn = $AS;
services = (
	{
		name = "web";
		port = $WEB;
		checks = ( { type = "tcp"; host = "${LAB_SVCADDR[$h]}"; } );
	},
	{
		name = "api";
		port = $API;
		checks = ( { type = "tcp"; host = "${LAB_SVCADDR[$h]}"; } );
	}
);
announce = {
	prefixes = ( "${PFX[$h]}/32" );
	require_address = $(lab_require_address);
	interval = $INTERVAL;
	fast_interval = 0.25;
	timeout = $TIMEOUT;
	rise = $RISE;
	fall = $FALL;
};
EOF
	{
		echo "process bgpsd {"
		echo "	run $BUILD/bgpsd-announce -c $LAB_DIR/$h/bgpsd.conf;"
		echo "	encoder text;"
		echo "}"
		for r in $RRS; do
			lab_neighbor "$r" "$h" ipv4 $AS $AS "		processes [ bgpsd ];"
		done
	} >"$LAB_DIR/$h/exabgp.conf"
done

# ---- consumer: the shipped haproxy template, every version and reload kept ----
cat >"$L/bgpsd.conf" <<EOF
# bgpsd.conf of host "lb" (generated by test_rr_restart.sh)
asn = $AS;
services = ( { name = "web"; port = $WEB; }, { name = "api"; port = $API; } );
listen = {
	wait_min = 0.1;
	wait_max = $WAIT_MAX;
	status_file = "$STATUS";
	status_interval = 0.2;
	# the reflectors: a lost session's routes stay, stale, this long
	peers = (
		{ match = [ "${LAB_V4[rr]}", "${LAB_V4[rr2]}" ]; stale_time = $STALE; }
	);
	templates = (
		{
			source = "$TOP/tests/integration/data/backends.mustache";
			destination = "$OUT";
		},
		{
			source = "$TOP/etc/templates/haproxy.cfg.mustache";
			destination = "$HAP";
			check = [ "$LAB_TOOLS/snapshot.sh", "%s", "$HIST" ];
			command = [ "/bin/sh", "-c", "date +%%s%%N >>$RELOADS" ];
		}
	);
};
EOF
# a second process keeps every JSON line ExaBGP hands over, to tell
# after a failure what the consumer was sent from what it made of it
# (LAB_KEEP=1 keeps the lab); its stdout stays open (fd 3): ExaBGP takes
# its end for a death
cat >"$L/record.sh" <<EOF
#!/bin/sh
exec 3>&1
exec cat >>"$L/json.log"
EOF
chmod +x "$L/record.sh"
{
	echo "process bgpsd-listen {"
	echo "	run $BUILD/bgpsd-listen -c $L/bgpsd.conf;"
	echo "	encoder json;"
	echo "}"
	echo "process record {"
	echo "	run $L/record.sh;"
	echo "	encoder json;"
	echo "}"
	for r in $RRS; do
		lab_neighbor "$r" lb ipv4 $AS $AS "		processes [ bgpsd-listen record ];
		neighbor-changes;
		receive {
			parsed;
			update;
		}"
	done
} >"$L/exabgp.conf"

for c in "announce $LAB_DIR/ann1/bgpsd.conf" "listen $L/bgpsd.conf"; do
	set -- $c
	if out=$("$BUILD/bgpsd-$1" -n -c "$2" 2>&1); then
		ok "bgpsd-$1 -n accepts the lab's bgpsd.conf"
	else
		not_ok "bgpsd-$1 -n accepts the lab's bgpsd.conf"
		diag "$out"
	fi
done

dump() {
	local r
	diag "--- $*"
	lab_tail "$HAP" 20
	for r in $RRS; do
		birdc_r $r show protocols | sed "s/^/#   $r: /"
		birdc_r $r show route export lb | sed "s/^/#   $r exports to lb: /"
		lab_tail "$LAB_DIR/bird-$r.log" 10
	done
	[ -f "$STATUS" ] && jq -c '.peers' "$STATUS" | sed 's/^/#   status peers: /'
	lab_tail "$LAB_DIR/exabgp-lb.log" 25
	lab_tail "$L/json.log" 10
}
T0=0
mark() { T0=$(lab_ts); echo "$(lab_now) --- $*" >>"$LAB_DIR/lab.log"; }
expect() {
	local name=$1 limit=$2
	shift 2
	if lab_wait "$limit" "$@"; then
		ok "$name"
		diag "$name: after $(lab_fsub "$(lab_ts)" "$T0") s (bound $limit s)"
		return 0
	fi
	not_ok "$name"
	dump "$name: not within $limit s"
	return 1
}

# the server addresses of the rendered haproxy.cfg FILE, sorted
hap_addrs() {
	awk '$1 == "server" { a = $3; sub(/:[0-9]+$/, "", a); print a }' \
	    "$1" 2>/dev/null | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# hap_has FILE "IP...": every server of FILE is one of them, and each is
# there
hap_has() {
	[ "$(hap_addrs "$1")" = "$(echo "$2" | tr ' ' '\n' | sort -u |
	    tr '\n' ' ' | sed 's/ $//')" ]
}
# status PEER JQ: a field of the consumer's view of PEER
peer_field() {
	jq -r --arg a "$1" ".peers[] | select(.address == \$a) | $2" \
	    "$STATUS" 2>/dev/null
}
peer_fresh() {
	[ "$(peer_field "$1" .state)" = up ] &&
	    [ "$(peer_field "$1" .routes)" = "$2" ] &&
	    [ "$(peer_field "$1" .stale)" = 0 ]
}
nversions() { ls "$HIST" | wc -l; }
nreloads() { wc -l <"$RELOADS"; }

# ---- the watcher: haproxy.cfg every 50 ms, each distinct version kept --------
cat >"$LAB_DIR/watch.sh" <<'EOF'
#!/bin/bash
# watch.sh FILE DIR: copy FILE every 50 ms; keep each copy that differs
# from the one before as DIR/N.cfg; DIR/samples counts the samples. Ends
# when DIR/stop exists, or after 20 minutes.
f=$1 dir=$2 prev="" n=0 i=0
while [ $i -lt 24000 ] && [ ! -e "$dir/stop" ]; do
	if cp "$f" "$dir/cur" 2>/dev/null; then
		c=$(cksum <"$dir/cur")
		if [ "$c" != "$prev" ]; then
			n=$((n + 1))
			mv "$dir/cur" "$dir/$n.cfg"
			prev=$c
		fi
	fi
	i=$((i + 1))
	echo $i >"$dir/samples"
	sleep 0.05
done
EOF
WATCHN=0
# watch_start: a new watch folder in $W
watch_start() {
	WATCHN=$((WATCHN + 1))
	W=$LAB_DIR/watch$WATCHN
	mkdir -p "$W"
	lab_spawn "watch$WATCHN" lb bash "$LAB_DIR/watch.sh" "$HAP" "$W"
	lab_wait 5 test -s "$W/1.cfg" || lab_die "watcher did not start"
}
watch_stop() {
	: >"$W/stop"
	lab_stop "watch$WATCHN" 3
	rm -f "$W/cur" "$W/stop"
}
wversions() { ls "$W"/*.cfg 2>/dev/null | wc -l; }

# ---- start: services, reflector rr, consumer, announcers ----------------------
mark "start"
for h in $ANNS; do
	lab_service "svc-$h" "$h" "$WEB" || lab_die "demo service on $h"
done
bird_start rr
lab_exabgp_start lb "$L/exabgp.conf" no
for h in $ANNS; do
	lab_exabgp_start "$h" "$LAB_DIR/$h/exabgp.conf" no
done
expect "rr: the four iBGP sessions established" 30 bird_sessions rr 4
expect "consumer learns the three backends through rr" 20 \
    has_backends "$OUT" web "$ALL"
expect "haproxy.cfg has a server per backend" 5 hap_has "$HAP" "$ALL"
expect "consumer: rr up, 3 routes, none stale" 5 peer_fresh "${LAB_V4[rr]}" 3
check "consumer: stale_time $STALE for rr" \
    test "$(peer_field "${LAB_V4[rr]}" .stale_time | cut -d. -f1)" = "$STALE"

# restart_rr RR [CMD...]: stop RR's BIRD (SIGTERM, as systemctl stop),
# run CMD while it is down, start it again after DOWNTIME s
restart_rr() {
	local r=$1
	shift
	lab_stop "bird-$r" 10
	[ $# -gt 0 ] && "$@"
	sleep $DOWNTIME
	RR_START=$(lab_ts)
	bird_start "$r"
}
# back_up RR: its sessions up again and the consumer's routes from it fresh
back_up() {
	expect "$1 back: the four sessions established" 30 bird_sessions "$1" 4 &&
	expect "$1 back: the consumer's routes from it are fresh again" 20 \
	    peer_fresh "${LAB_V4[$1]}" "$2"
}

# ---- (a) one reflector, restarted with no change meanwhile -------------------
sleep 1
cp "$HAP" "$LAB_DIR/hap-before.cfg"
V0=$(nversions)
R0=$(nreloads)
watch_start
mark "(a) restart rr, no change"
restart_rr rr
back_up rr 3
sleep "$SETTLE"
watch_stop
diag "(a): $(cat "$W/samples") samples of haproxy.cfg, $(wversions) distinct"
check "(a) haproxy.cfg byte-identical in every sample across the restart" \
    test "$(wversions)" = 1
check "(a) ... and identical to the file before the restart" \
    cmp -s "$W/1.cfg" "$LAB_DIR/hap-before.cfg"
check "(a) no version of haproxy.cfg written ($(($(nversions) - V0)))" \
    test "$(nversions)" = "$V0"
check "(a) no reload ran ($(($(nreloads) - R0)))" test "$(nreloads)" = "$R0"
if [ "$(wversions)" != 1 ]; then
	for f in "$W"/*.cfg; do
		diag "(a) version ${f##*/}: $(grep -c '^[[:space:]]*server' "$f") server lines"
	done
fi
check "(a) the consumer's log says rr's routes were kept stale" \
    grep -q "peer ${LAB_V4[rr]}: down.*routes kept stale" "$LAB_DIR/exabgp-lb.log"

# ---- (b), (c): a port opens on ann1 and ann3 goes while rr is down -------------
while_down() {
	lab_service svc-api-ann1 ann1 "$API" || lab_die "api service on ann1"
	lab_stop exabgp-ann3
}
mark "(b)(c) restart rr: ann1's api port opens, ann3 goes meanwhile"
restart_rr rr while_down
expect "rr back: the three sessions left established" 30 bird_sessions rr 3
expect "(b) the port opened on ann1 while rr was down: ann1 is an api backend" \
    "$UP_BOUND" has_backends "$OUT" api "$(addrs_of ann1)"
check "(c) ann3, gone while rr was down, is still a web backend (stale)" \
    has_backends "$OUT" web "$ALL"
check "(c) ... and in haproxy.cfg" hap_has "$HAP" "$ALL"
expect "(c) the consumer holds one stale route from rr, two fresh" 10 eval \
    '[ "$(peer_field "${LAB_V4[rr]}" .stale)" = 1 ] &&
    [ "$(peer_field "${LAB_V4[rr]}" .routes)" = 3 ]'
# a change after the restart, while ann3's route is still stale
mark "(b) port closes on ann2"
lab_stop svc-ann2
expect "(b) ann2's port closes after the restart: its backend leaves" \
    "$DOWN_BOUND" has_backends "$OUT" web "$(addrs_of ann1 ann3)"
check "(c) ann3 is still a backend (stale, $(lab_fsub "$(lab_ts)" "$RR_START") s after rr's start)" \
    has_backends "$OUT" web "$(addrs_of ann1 ann3)"
T0=$RR_START
expect "(c) ann3's stale route goes at stale_time" $((STALE + 10)) \
    has_backends "$OUT" web "$(addrs_of ann1)"
gone=$(lab_fsub "$(lab_ts)" "$RR_START")
# the time runs from the session's return (after BIRD's start), plus at
# most wait_max to the file
check "(c) ... not before stale_time ($gone s after rr's start, stale_time $STALE)" \
    lab_fle "$STALE" "$gone"
check "(c) the consumer's log says the stale route was dropped" \
    grep -q "peer ${LAB_V4[rr]}: 1 stale routes dropped" "$LAB_DIR/exabgp-lb.log"

# ---- (d) two reflectors: stop and start each in turn ----------------------------
mark "(d) ann2 and ann3 back"
lab_service svc-ann2 ann2 "$WEB" || lab_die "demo service on ann2"
lab_exabgp_start ann3 "$LAB_DIR/ann3/exabgp.conf" no exabgp-ann3b
expect "(d) rr: the four sessions established" 30 bird_sessions rr 4
# rr2 starts once the consumer has the whole table from rr again
expect "(d) the consumer has the three routes from rr" 20 \
    peer_fresh "${LAB_V4[rr]}" 3
mark "(d) rr2 starts"
bird_start rr2
expect "(d) rr2: the four sessions established" 30 bird_sessions rr2 4
expect "(d) the consumer has the three routes from each reflector" 20 eval \
    'peer_fresh "${LAB_V4[rr]}" 3 && peer_fresh "${LAB_V4[rr2]}" 3'
expect "(d) haproxy.cfg has a server per backend" 5 \
    hap_has "$HAP" "$ALL"
sleep 1
V0=$(nversions)
R0=$(nreloads)
watch_start
for r in $RRS; do
	mark "(d) restart $r"
	restart_rr $r
	back_up $r 3
done
sleep "$SETTLE"
watch_stop
bad=0
for f in "$W"/*.cfg $(ls "$HIST" | sort -n | tail -n +$((V0 + 1)) |
    sed "s|^|$HIST/|"); do
	hap_has "$f" "$ALL" && continue
	bad=$((bad + 1))
	diag "(d) ${f#"$LAB_DIR"/}: servers $(hap_addrs "$f")"
done
diag "(d): $(cat "$W/samples") samples, $(wversions) distinct; $(($(nversions) - V0)) versions written, $(($(nreloads) - R0)) reloads"
check "(d) every backend in every sampled and every written version of haproxy.cfg" \
    test "$bad" = 0

check "ExaBGP never gave up on a process (no 'Too many death')" eval \
    '! grep -q "Too many death" "$LAB_DIR"/exabgp-*.log'
check "no sanitizer report from the programs (ASan/UBSan builds)" eval \
    '! grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" "$LAB_DIR"/exabgp-*.log'
