#!/bin/bash
# tests/announce/test_announce.sh - the real bgpsd-announce binary: -n, -V,
# --once against loopback listeners, and the daemon driven through pipes
# the way ExaBGP drives it (acks on stdin, lines on stdout, signals).
# Only loopback ports; every process started here is stopped by PID.
. "$(dirname "$0")/../lib.sh"
mktmp
[ -n "${KEEP:-}" ] && T=$KEEP && mkdir -p "$T"
PIDS=""
cleanup() {
	exec 3>&- 2>/dev/null
	stop_pids
	[ -z "${KEEP:-}" ] && rm -rf "$T"
}
trap cleanup EXIT
# an ack written after the daemon exited must not kill this shell
trap '' PIPE

# two ports nobody else is likely to use at the same time
BASE=$((20000 + ($$ % 2000) * 10))
P1=$BASE
P2=$((BASE + 1))

# listen_on PORT: a loopback TCP listener; its PID in LPID
listen_on() {
	lo_listener "$1" "$T/ready.$1" 120
	LPID=$LO_PID
	PIDS="$PIDS $LPID"
	wait_until 5 test -e "$T/ready.$1"
}
stop_listener() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	rm -f "$T/ready.$2"
}

# write_conf FILE [extra announce keys]
write_conf() {
	cat >"$1" <<EOF
asn = 12345;
services = (
	{
		name = "web";
		port = $P1;
		$(conf_timing 0.3 0.1 0.2 1 1)
		disable_file = "$T/drain-web";
		checks = ( { type = "tcp"; } );
	},
	{
		name = "alt";
		port = $P2;
		$(conf_timing 0.3 0.1 0.2 2 1)
		prefixes = [ "192.0.2.10/32" ];
		checks = ( { type = "tcp"; } );
	},
	{
		name = "ssh";
		port = 22;
	}
);
announce = {
	# no namespace: 192.0.2.x is not on this host
	require_address = false;
	prefixes = (
		"192.0.2.10/32",
		{
			prefix = "2001:db8::10/128";
			med = 200;
		}
	);
	med = 100;
	ack_timeout = 30;
	status_file = "$T/status.json";
	metrics_file = "$T/metrics.prom";
	$2
};
EOF
}
write_conf "$T/good.conf"
printf 'asn = 12345;\nservices = (\n\t{ name = "x"; port = 99999; }\n);\n' \
    >"$T/bad.conf"

W4="withdraw route 192.0.2.10/32 next-hop self"
W6="withdraw route 2001:db8::10/128 next-hop self"
A4_1="announce route 192.0.2.10/32 next-hop self med 100 community [12345:$P1]"
A6_1="announce route 2001:db8::10/128 next-hop self med 200 community [12345:$P1]"
A4_12="announce route 192.0.2.10/32 next-hop self med 100 community [12345:$P1 12345:$P2]"
A4_2="announce route 192.0.2.10/32 next-hop self med 100 community [12345:$P2]"

# ---- command line ----

check "-V prints the version" sh -c "$ANNOUNCE -V | grep -q '^bgpsd-announce [0-9]'"
check "-h prints every option" sh -c "$ANNOUNCE -h | grep -q -- '--once'"
$ANNOUNCE --no-such-option </dev/null >/dev/null 2>&1
check "unknown option fails" test $? -ne 0
check "-n accepts a good config" $ANNOUNCE -n -c "$T/good.conf"
out=$($ANNOUNCE -n -c "$T/bad.conf" 2>&1)
rc=$?
check "-n rejects a bad config with exit 1" test $rc -eq 1
case $out in
"$T/bad.conf:3:"*) ok "-n error is file:line: message" ;;
*) not_ok "-n error is file:line: message"; diag "$out" ;;
esac
out=$($ANNOUNCE -n -v -c "$T/good.conf" 2>/dev/null)
case $out in
*"name = \"web\";"*"port = $P1;"*) ok "-n -v prints the canonical config" ;;
*) not_ok "-n -v prints the canonical config"; diag "$out" ;;
esac
$ANNOUNCE -n -c "$T/missing.conf" >/dev/null 2>&1
check "-n on a missing file fails" test $? -eq 1

# every long option of main.c is documented in the man page
missing=""
for o in $(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",.*/\1/p' "$TOP/src/announce/main.c"); do
	grep -q -- "^\.It Fl .*Fl -$o\b\|^\.It Fl -$o\b" \
	    "$TOP/man/bgpsd-announce.8" || missing="$missing $o"
done
check "every long option is in bgpsd-announce.8" test -z "$missing"
[ -n "$missing" ] && diag "missing:$missing"

# the shipped ExaBGP configuration parses (with our binary as the process)
if command -v exabgp >/dev/null 2>&1; then
	sed "s|/usr/local/sbin/bgpsd-announce|$BUILD/bgpsd-announce|" \
	    "$TOP/etc/exabgp/announce.conf" >"$T/exabgp.conf"
	if (cd "$T" && exabgp_api_cli=false timeout 30 exabgp --test \
	    "$T/exabgp.conf") >"$T/exabgp.log" 2>&1; then
		ok "etc/exabgp/announce.conf passes exabgp --test"
	else
		not_ok "etc/exabgp/announce.conf passes exabgp --test"
		diag "$(tail -n 5 "$T/exabgp.log")"
	fi
else
	skip "etc/exabgp/announce.conf passes exabgp --test" "no exabgp"
fi

# ---- --once ----

out=$($ANNOUNCE --once -c "$T/good.conf" 2>"$T/once.err")
rc=$?
check "--once with nothing listening exits 1" test $rc -eq 1
check "--once with nothing listening prints withdraw lines" \
    test "$out" = "$W4
$W6"
grep -q "web:$P1 is down: tcp: connection refused" "$T/once.err"
check "--once logs why a service is down" test $? -eq 0

listen_on $P1
L1=$LPID
out=$($ANNOUNCE --once -c "$T/good.conf" 2>/dev/null)
rc=$?
check "--once with one service up exits 1 (the other is down)" test $rc -eq 1
check "--once prints the announce line with its community" \
    test "$out" = "$A4_1
$A6_1"
listen_on $P2
L2=$LPID
out=$($ANNOUNCE --once -c "$T/good.conf" 2>/dev/null)
rc=$?
check "--once with every service up exits 0" test $rc -eq 0
check "--once lists every healthy port, ascending" test "$out" = "$A4_12
$A6_1"
touch "$T/drain-web"
out=$($ANNOUNCE --once -c "$T/good.conf" 2>/dev/null)
rc=$?
check "--once: a drained service is up but not announced" \
    test "$rc:$out" = "0:$A4_2
$W6"
rm -f "$T/drain-web"
$ANNOUNCE --once -c "$T/bad.conf" >/dev/null 2>&1
check "--once with a bad config exits 2" test $? -eq 2
stop_listener $L2 $P2

# an exec check from checks/ (found through BGPSD_CHECKSDIR), --once
cat >"$T/exec.conf" <<EOF
asn = 12345;
services = (
	{
		name = "maint";
		port = 8443;
		rise = 1;
		checks = ( {
			type = "exec";
			command = [ "check_maintenance", "$T/maint" ];
		} );
	}
);
announce = {
	# no namespace: 192.0.2.x is not on this host
	require_address = false;
	prefixes = ( "192.0.2.20/32" );
};
EOF
out=$(BGPSD_CHECKSDIR=$TOP/checks $ANNOUNCE --once -c "$T/exec.conf" 2>/dev/null)
rc=$?
case "$rc:$out" in
"0:announce route 192.0.2.20/32 next-hop self community [12345:8443]")
	ok "--once: exec check from BGPSD_CHECKSDIR up" ;;
*) not_ok "--once: exec check from BGPSD_CHECKSDIR up"; diag "$rc: $out" ;;
esac
echo "deploying" >"$T/maint"
out=$(BGPSD_CHECKSDIR=$TOP/checks $ANNOUNCE --once -c "$T/exec.conf" \
    2>"$T/once.err")
rc=$?
check "--once: exec check down withdraws" test "$rc:$out" = \
    "1:withdraw route 192.0.2.20/32 next-hop self"
check "--once: exec failure reason is logged" \
    grep -q "maint:8443 is down: exec" "$T/once.err"
rm -f "$T/maint"

# an http check through the real binary: 200 up, 404 down with its reason
P3=$((BASE + 2))
mkdir -p "$T/www"
echo ok >"$T/www/healthz"
(cd "$T/www" && exec python3 -m http.server --bind 127.0.0.1 "$P3") \
    >/dev/null 2>&1 &
HPID=$!
PIDS="$PIDS $HPID"
cat >"$T/http.conf" <<EOF
asn = 12345;
services = (
	{
		name = "good";
		port = 80;
		checks = ( {
			type = "http";
			url = "http://127.0.0.1:$P3/healthz";
			body = "ok";
		} );
	},
	{
		name = "bad";
		port = 81;
		checks = ( {
			type = "http";
			url = "http://127.0.0.1:$P3/nope";
		} );
	}
);
announce = {
	# no namespace: 192.0.2.x is not on this host
	require_address = false;
	prefixes = ( "198.51.100.7/32" );
};
EOF
wait_until 5 sh -c "$ANNOUNCE --once -c '$T/http.conf' 2>&1 | grep -q 'good:80 is up'"
out=$($ANNOUNCE --once -c "$T/http.conf" 2>"$T/once.err")
rc=$?
check "--once: http 200 up, http 404 down (exit 1)" test "$rc:$out" = \
    "1:announce route 198.51.100.7/32 next-hop self community [12345:80]"
check "--once: http status is the reason" \
    grep -q "bad:81 is down: http: status 404" "$T/once.err"
kill "$HPID" 2>/dev/null
wait "$HPID" 2>/dev/null

# ---- daemon, driven like ExaBGP ----

# start_daemon_to OUT ARGS...: the daemon with ARGS, its stdout to OUT
# (a file, or a FIFO someone reads), its stdin from a FIFO held open on
# fd 3, its stderr to $T/err
start_daemon_to() {
	local out=$1
	shift
	rm -f "$T/in" "$T/err"
	mkfifo "$T/in"
	$ANNOUNCE "$@" <"$T/in" >"$out" 2>"$T/err" &
	DPID=$!
	PIDS="$PIDS $DPID"
	exec 3>"$T/in"
}
# start_daemon_args ARGS...: the same, stdout to a fresh $T/out
start_daemon_args() {
	rm -f "$T/out"
	start_daemon_to "$T/out" "$@"
}
# start_daemon CONF: the daemon with -v and CONF
start_daemon() { start_daemon_args -v -c "$1"; }
# dcheck NAME CMD...: check, and show the daemon's output on failure
dcheck() { check_logs "$1" 8 "$T/out" "$T/err" -- "${@:2}"; }
nlines() { wc -l <"$T/out" | tr -d ' '; }
has_line() { grep -qxF -- "$1" "$T/out"; }
alive() { kill -0 "$DPID" 2>/dev/null; }
# exited_with RC SECONDS: the daemon exits within SECONDS with RC
exited_with() {
	local i rc
	for i in $(seq 1 $(($2 * 10))); do
		if ! alive; then
			wait "$DPID"
			rc=$?
			[ "$rc" = "$1" ] && return 0
			diag "exit status $rc"
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# nothing listening at start: the first lines are withdraws
stop_listener $L1 $P1
start_daemon "$T/good.conf"
wait_until 5 test "$(nlines)" -ge 2
dcheck "daemon: initial state is withdrawn" test "$(head -n 2 "$T/out")" = "$W4
$W6"
listen_on $P1
L1=$LPID
wait_until 5 grep -q "web:$P1 is up" "$T/err"
sleep 0.3
# web is up (rise 1) but its announce waits for the acks of the withdraws
dcheck "daemon: nothing more before the acks (one change in flight)" \
    test "$(nlines)" -eq 2
echo done >&3
echo done >&3
wait_until 5 has_line "$A4_1"
dcheck "daemon: announce after done" has_line "$A4_1"
wait_until 5 has_line "$A6_1"
dcheck "daemon: IPv6 prefix with its own med" has_line "$A6_1"
echo done >&3
echo done >&3
printf 'neighbor 127.0.0.1 connected\n\nneighbor 127.0.0.1 up\n\ngarbage\n' >&3
sleep 0.8
dcheck "daemon: nothing re-announced while nothing changes" \
    test "$(nlines)" -eq 4
dcheck "daemon: neighbor lines and garbage do not hurt" alive

wait_until 5 grep -q '"state": "up"' "$T/status.json"
dcheck "daemon: status file is valid JSON" \
    sh -c "python3 -m json.tool '$T/status.json' >/dev/null"
dcheck "daemon: status file shows the announced line" \
    grep -qF "\"line\": \"$A4_1\"" "$T/status.json"
dcheck "daemon: status file shows the last failure" \
    grep -q '"last_failure": "tcp: connection refused"' "$T/status.json"
dcheck "daemon: status file: since is ISO 8601 UTC" \
    grep -Eq '"since": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' \
    "$T/status.json"
# issue 3: per service state, reason, since, last latency; per prefix
# what is announced (its ports, the line, whether ExaBGP acknowledged it)
status_fields() {
	python3 - "$T/status.json" "$P1" "$A4_1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
web = [s for s in d["services"] if s["name"] == "web"][0]
assert web["state"] == "up" and web["announced"] is True, web
assert web["port"] == int(sys.argv[2]), web
assert isinstance(web["last_latency_seconds"], float), web
assert 0 <= web["last_latency_seconds"] < 0.2, web
assert web["last_failure"] == "tcp: connection refused", web
p = [p for p in d["prefixes"] if p["prefix"] == "192.0.2.10/32"][0]
assert p["ports"] == [int(sys.argv[2])], p
assert p["line"] == sys.argv[3] and p["acked"] is True, p
EOF
}
wait_until 5 status_fields 2>/dev/null
dcheck "daemon: status file: state, latency, reason; per prefix ports, line, ack" \
    status_fields
dcheck "daemon: status file: services with no checks are left out" \
    sh -c "! grep -q '\"name\": \"ssh\"' '$T/status.json'"
for m in "bgpsd_check_latency_seconds{service=\"web\",port=\"$P1\"} " \
    "bgpsd_announce_lines_total " "bgpsd_acks_pending " \
    "bgpsd_prefix_ports{prefix=\"192.0.2.10/32\"} " "bgpsd_config_ok 1"; do
	dcheck "daemon: metrics file has $m" grep -qF -- "$m" "$T/metrics.prom"
done
dcheck "daemon: metrics file has bgpsd_service_up" \
    grep -qx "bgpsd_service_up{service=\"web\",port=\"$P1\"} 1" \
    "$T/metrics.prom"

# second port comes up: rise 2, then one line with both communities
listen_on $P2
L2=$LPID
wait_until 5 has_line "$A4_12"
dcheck "daemon: second port joins the same route" has_line "$A4_12"
echo done >&3

# drain the first service: its community leaves, v6 is withdrawn
touch "$T/drain-web"
wait_until 5 has_line "$A4_2"
dcheck "daemon: disable_file drains the port" has_line "$A4_2"
echo done >&3
wait_until 5 test "$(tail -n 1 "$T/out")" = "$W6"
dcheck "daemon: prefix with no port left is withdrawn" \
    test "$(tail -n 1 "$T/out")" = "$W6"
echo done >&3
rm -f "$T/drain-web"
wait_until 5 test "$(grep -cxF -- "$A4_12" "$T/out")" -eq 2
echo done >&3
wait_until 5 test "$(grep -cxF -- "$A6_1" "$T/out")" -eq 2
echo done >&3
dcheck "daemon: undrained port comes back" \
    test "$(grep -cxF -- "$A6_1" "$T/out")" -eq 2
before=$(nlines)

# SIGHUP with a broken config keeps running the old one
cp "$T/good.conf" "$T/good.conf.save"
cp "$T/bad.conf" "$T/good.conf"
kill -HUP "$DPID"
wait_until 5 grep -q "reload failed" "$T/err"
dcheck "daemon: SIGHUP with a broken config is logged" \
    grep -q "reload failed, keeping the running config: $T/good.conf:3:" \
    "$T/err"
sleep 0.5
dcheck "daemon: still running after a bad reload" alive
dcheck "daemon: nothing written on a bad reload" test "$(nlines)" -eq "$before"
# a good reload of the same config keeps every state: nothing re-sent
cp "$T/good.conf.save" "$T/good.conf"
kill -HUP "$DPID"
wait_until 5 grep -q "(3 kept their state)" "$T/err"
dcheck "daemon: good reload keeps the state of unchanged services" \
    grep -q "3 services (3 kept their state)" "$T/err"
sleep 0.6
dcheck "daemon: nothing re-announced after a reload" \
    test "$(nlines)" -eq "$before"
kill -USR1 "$DPID"
wait_until 5 grep -q "running every check now" "$T/err"
dcheck "daemon: SIGUSR1 runs every check" \
    grep -q "running every check now" "$T/err"

# SIGTERM: withdraw everything, wait for the acks, exit 0
kill -TERM "$DPID"
wait_until 5 test "$(nlines)" -ge $((before + 1))
dcheck "daemon: SIGTERM withdraws the first prefix at once" \
    test "$(sed -n "$((before + 1))p" "$T/out")" = "$W4"
echo done >&3
wait_until 5 test "$(nlines)" -ge $((before + 2))
dcheck "daemon: SIGTERM withdraws every prefix" \
    test "$(sed -n "$((before + 2))p" "$T/out")" = "$W6"
echo done >&3
dcheck "daemon: exits 0 after SIGTERM" exited_with 0 3
exec 3>&-

# SIGTERM with nobody acking: bounded wait, still exit 0
start_daemon "$T/good.conf"
wait_until 5 has_line "$A4_12"
kill -TERM "$DPID"
dcheck "daemon: SIGTERM without acks exits 0 within 3 s" exited_with 0 4
exec 3>&-

# SIGTERM while an announce waits for an ack that does not come: the
# withdraw still goes out before the exit (the announce was read long
# ago, ExaBGP cannot reorder the two any more)
start_daemon "$T/good.conf"
wait_until 5 test "$(nlines)" -ge 2
echo done >&3
echo done >&3
wait_until 5 has_line "$A6_1"
n=$(nlines)
kill -TERM "$DPID"
dcheck "daemon: SIGTERM, announces never acked: exits 0 within 3 s" \
    exited_with 0 4
dcheck "daemon: SIGTERM, announces never acked: withdrawn anyway" \
    test "$(tail -n +$((n + 1)) "$T/out" | sort)" = "$W4
$W6"
exec 3>&-

# issue 10 (3): stdout full (ExaBGP stopped reading) and SIGTERM: the exit
# stays bounded, the log names the withdraws that never reached ExaBGP,
# and "exabgp: > line" (debug) is logged for exactly the lines written.
# The stand-in ExaBGP reads stdout into $T/out until $T/stopread exists,
# then fills the pipe itself and holds it open without reading.
rm -f "$T/sout" "$T/out" "$T/stopread" "$T/filled"
mkfifo "$T/sout"
cat >"$T/standin.py" <<'EOF'
import os, select, sys, time
fifo, out, stop, filled = sys.argv[1:]
r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
o = open(out, "ab", buffering=0)
end = time.time() + 60
while time.time() < end and not os.path.exists(stop):
    if select.select([r], [], [], 0.05)[0]:
        try:
            d = os.read(r, 65536)
        except BlockingIOError:
            continue
        if d:
            o.write(d)
        else:
            time.sleep(0.05)    # no writer (yet)
w = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
try:
    while True:
        os.write(w, b"#" * 512)
except BlockingIOError:
    pass
open(filled, "w").close()
while time.time() < end:
    time.sleep(0.2)
EOF
python3 "$T/standin.py" "$T/sout" "$T/out" "$T/stopread" "$T/filled" &
SPID=$!
PIDS="$PIDS $SPID"
start_daemon_to "$T/sout" -v -c "$T/good.conf"
acked=0
# ack_new: one done per line the stand-in has read and not acked yet
ack_new() {
	local n
	n=$(nlines)
	while [ "$acked" -lt "$n" ]; do
		echo done >&3
		acked=$((acked + 1))
	done
}
both_up() { ack_new; has_line "$A4_12" && has_line "$A6_1"; }
wait_until 10 both_up
sleep 0.3
ack_new
dcheck "daemon: stdout full: both prefixes announced first" both_up
touch "$T/stopread"
wait_until 5 test -e "$T/filled"
t0=$(date +%s%N)
kill -TERM "$DPID"
dcheck "daemon: stdout full: SIGTERM exits 0 within 4 s" exited_with 0 4
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
diag "stdout full: exit ${ms} ms after SIGTERM"
dcheck "daemon: stdout full: one warning names the undelivered withdraws" \
    grep -q "never delivered to ExaBGP.*: withdraw 192.0.2.10/32, withdraw 2001:db8::10/128$" \
    "$T/err"
dcheck "daemon: stdout full: that warning comes once" \
    test "$(grep -c 'never delivered' "$T/err")" = 1
# every "> line" logged is a line the stand-in read, in the same order
sed -n 's/^.*exabgp: > //p' "$T/err" >"$T/logged"
dcheck "daemon: stdout full: \"> line\" logged for exactly the lines written" \
    cmp -s "$T/logged" "$T/out"
exec 3>&-
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null

# EOF on stdin: ExaBGP is gone
start_daemon "$T/good.conf"
wait_until 5 test "$(nlines)" -ge 2
exec 3>&-
dcheck "daemon: exits 0 at once on stdin EOF" exited_with 0 2
dcheck "daemon: EOF logged" grep -q "ExaBGP is gone (end of file" "$T/err"

# shutdown: exit at once, no withdraw
start_daemon "$T/good.conf"
wait_until 5 test "$(nlines)" -ge 2
echo "shutdown 1234 1" >&3
dcheck "daemon: exits 0 at once on shutdown" exited_with 0 2
dcheck "daemon: nothing written after shutdown" test "$(nlines)" -eq 2
exec 3>&-

# ack = false: no waiting
write_conf "$T/noack.conf" "ack = false;"
start_daemon "$T/noack.conf"
wait_until 5 has_line "$A4_12"
dcheck "daemon: ack = false announces without acks" has_line "$A4_12"
# a line is written only when the prefix's state changed
dcheck "daemon: ack = false never repeats a prefix's line" \
    awk '$0 == last[$3] { bad = 1 } { last[$3] = $0 } END { exit bad }' \
    "$T/out"
kill -TERM "$DPID"
dcheck "daemon: ack = false exits 0 on SIGTERM" exited_with 0 3
dcheck "daemon: ack = false withdraws on SIGTERM" \
    test "$(tail -n 2 "$T/out")" = "$W4
$W6"
exec 3>&-

# bad config at start: stay up (ExaBGP must not see a crash loop)
start_daemon "$T/bad.conf"
wait_until 10 grep -q "NO VALID CONFIGURATION" "$T/err"
sleep 0.5
dcheck "daemon: bad config at start keeps running" alive
dcheck "daemon: bad config at start is logged loudly" \
    grep -q "NO VALID CONFIGURATION: $T/bad.conf:3:" "$T/err"
dcheck "daemon: bad config at start writes nothing" test "$(nlines)" -eq 0
echo done >&3
sleep 0.2
dcheck "daemon: bad config, still reading stdin" alive
cp "$T/good.conf" "$T/bad.conf"
kill -HUP "$DPID"
wait_until 5 test "$(nlines)" -ge 2
# a withdraw, or already an announce if web came up within the batch
dcheck "daemon: SIGHUP with a good config starts announcing" \
    test "$(head -n 2 "$T/out" | awk '{ print $3 }')" = "192.0.2.10/32
2001:db8::10/128"
exec 3>&-
dcheck "daemon: exits on EOF after a late config" exited_with 0 2

# a prefix removed by a reload is withdrawn; the others are left alone
cat >"$T/one.conf" <<EOF
asn = 12345;
services = (
	{
		name = "web";
		port = $P1;
		rise = 1;
		interval = 0.3;
		timeout = 0.2;
		checks = ( { type = "tcp"; } );
	}
);
announce = {
	# no namespace: 192.0.2.x is not on this host
	require_address = false;
	prefixes = ( "192.0.2.10/32", "2001:db8::10/128" );
	ack = false;
};
EOF
start_daemon "$T/one.conf"
A4_1n="announce route 192.0.2.10/32 next-hop self community [12345:$P1]"
A6_1n="announce route 2001:db8::10/128 next-hop self community [12345:$P1]"
wait_until 5 has_line "$A6_1n"
sed -i 's|, "2001:db8::10/128"||' "$T/one.conf"
before=$(nlines)
kill -HUP "$DPID"
wait_until 5 test "$(nlines)" -gt "$before"
sleep 0.3
dcheck "daemon: a prefix removed by a reload is withdrawn" \
    test "$(tail -n +$((before + 1)) "$T/out")" = "$W6"
exec 3>&-
dcheck "daemon: exits on EOF after the reload" exited_with 0 2

# a typo in ExaBGP's run line must not become a crash loop either
start_daemon_args --no-such-option -c "$T/good.conf"
wait_until 10 grep -q "NO VALID CONFIGURATION" "$T/err"
dcheck "daemon: bad option under ExaBGP keeps running" alive
dcheck "daemon: bad option under ExaBGP is logged loudly" \
    grep -q "NO VALID CONFIGURATION: bad command line" "$T/err"
kill -HUP "$DPID"
sleep 0.3
dcheck "daemon: bad option, SIGHUP cannot help, still up" alive
exec 3>&-
dcheck "daemon: bad option, exits 0 on EOF" exited_with 0 2

# EPIPE on stdout: exit 0
rm -f "$T/outfifo"
mkfifo "$T/outfifo"
start_daemon_to "$T/outfifo" -c "$T/good.conf"
exec 4<"$T/outfifo"
read -r -t 5 first <&4
case $first in
"$W4"|"$A4_1"|"$A4_12") ok "daemon: first line through a pipe" ;;
*) not_ok "daemon: first line through a pipe"; diag "$first" ;;
esac
exec 4<&-
echo done >&3
echo done >&3
dcheck "daemon: exits 0 on EPIPE" exited_with 0 3
exec 3>&-

stop_listener $L1 $P1
stop_listener $L2 $P2

# status_file and metrics_file both unwritable: each error logged once,
# not again at every refresh (5 s) because the other one came in between
write_conf "$T/nostatus.conf"
sed -i "s|$T/status.json|$T/missing/status.json|; s|$T/metrics.prom|$T/missing/metrics.prom|" \
    "$T/nostatus.conf"
start_daemon "$T/nostatus.conf"
sleep 6
exec 3>&-
exited_with 0 2
dcheck "daemon: an unwritable status_file is logged once" \
    test "$(grep -c 'status_file ' "$T/err")" = 1
dcheck "daemon: an unwritable metrics_file is logged once" \
    test "$(grep -c 'metrics_file ' "$T/err")" = 1
