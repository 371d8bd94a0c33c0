#!/bin/bash
# tests/listen/test_haproxy_api.sh - weight and drain changes reach a real,
# running haproxy through its admin socket, without a reload; a new backend
# still reloads it, once; a runtime API that fails falls back to the reload.
#
# bgpsd-listen reads ExaBGP JSON lines from a fifo (as test_listen.sh does)
# and renders the shipped etc/templates/haproxy.cfg.mustache, with only what
# a test on loopback needs changed: the admin socket path, the frontends and
# the statistics page bound to 127.0.0.1 on free ports. The backends are
# 127.0.0.11-13, so haproxy's health checks stay on this host. haproxy runs
# in master-worker mode; the template's reload command counts its runs and
# sends the master SIGUSR2, which starts a new worker (a new PID). Without a
# reload the worker's PID ("show info") stays the same.
. "$(dirname "$0")/../lib.sh"
mktmp

HAPROXY=$(command -v haproxy || true)
if [ -z "$HAPROXY" ] || ! command -v python3 >/dev/null 2>&1; then
	skip "haproxy runtime API" "needs haproxy and python3"
	exit 0
fi
if [ ! -x "$BUILD/bgpsd-listen" ]; then
	not_ok "bgpsd-listen built ($BUILD/bgpsd-listen)"
	exit 1
fi

LPID=
HPID=
cleanup() {
	[ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null
	if [ -n "$HPID" ]; then
		kill -TERM "$HPID" 2>/dev/null
		for _ in $(seq 1 30); do
			kill -0 "$HPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$HPID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# two free TCP ports on 127.0.0.1: the service, the statistics page
read -r WP SP < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

# one command on the admin socket, its answer on stdout
hx() {
	python3 - "$T/admin.sock" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
	d = s.recv(65536)
	if not d:
		break
	out += d
sys.stdout.write(out.decode())
EOF
}
worker_pid() { hx "show info" 2>/dev/null | sed -n 's/^Pid: //p'; }
# srv_uweight and srv_admin_state of server $1 of be_web: "W A"
srv() {
	hx "show servers state be_web" 2>/dev/null |
	    awk -v s="$1" '$4 == s { print $8, $7 }'
}
srv_is() { [ "$(srv "$1")" = "$2" ]; }
reloads() { wc -l 2>/dev/null <"$T/reloads" | tr -d ' '; }
reloads_are() { [ "$(reloads)" = "$1" ]; }
new_worker() { local p; p=$(worker_pid); [ -n "$p" ] && [ "$p" != "$1" ]; }

mkdir -p "$T/out"
sed -e "s|/run/haproxy/admin.sock|$T/admin.sock|" \
    -e "s|bind :{{port}}|bind 127.0.0.1:{{port}}|" \
    -e "s|bind 127.0.0.1:8404|bind 127.0.0.1:$SP|" \
    "$TOP/etc/templates/haproxy.cfg.mustache" >"$T/haproxy.cfg.mustache"
cat >"$T/reload.sh" <<EOF
#!/bin/sh
echo reload >>"$T/reloads"
[ -s "$T/master.pid" ] && kill -USR2 "\$(cat "$T/master.pid")"
exit 0
EOF
chmod +x "$T/reload.sh"
cat >"$T/l.conf" <<EOF
asn = 12345;
services = ( { name = "web"; port = $WP; } );
listen = {
	wait_min = 0.1;
	wait_max = 2;
	templates = (
		{
			source = "$T/haproxy.cfg.mustache";
			destination = "$T/out/haproxy.cfg";
			check = [ "$HAPROXY", "-c", "-q", "-f", "%s" ];
			command = [ "$T/reload.sh" ];
			command_timeout = 5;
			haproxy_socket = "$T/admin.sock";
		}
	);
};
EOF

P4=169.254.179.1
L4=169.254.179.2
send() { printf '%s\n' "$1" >&3; }
state() {
	send "{ \"exabgp\": \"4.0.1\", \"type\": \"state\", \"neighbor\": { \"address\": { \"local\": \"$L4\", \"peer\": \"$P4\" }, \"asn\": { \"local\": 65000, \"peer\": 65001 }, \"state\": \"$1\" } }"
}
eor() {
	send "{ \"exabgp\": \"4.0.1\", \"type\": \"update\", \"neighbor\": { \"address\": { \"local\": \"$L4\", \"peer\": \"$P4\" }, \"asn\": { \"local\": 65000, \"peer\": 65001 }, \"direction\": \"receive\", \"message\": { \"eor\": { \"afi\": \"ipv4\", \"safi\": \"unicast\" } } } }"
}
# ann IP [LARGE]: IP/32 announced with the service port, and the large
# communities LARGE (bgpsd's weight and drain kinds) if given
ann() {
	send "{ \"exabgp\": \"4.0.1\", \"type\": \"update\", \"neighbor\": { \"address\": { \"local\": \"$L4\", \"peer\": \"$P4\" }, \"asn\": { \"local\": 65000, \"peer\": 65001 }, \"direction\": \"receive\", \"message\": { \"update\": { \"attribute\": { \"origin\": \"igp\", \"community\": [ [ 12345, $WP ] ], \"large-community\": [ ${2:-} ] }, \"announce\": { \"ipv4 unicast\": { \"$P4\": [ { \"nlri\": \"$1/32\" } ] } } } } } }"
}
weight() { echo "[ 12345, 1, $((WP * 10000 + $1)) ]"; }
DRAIN="[ 12345, 2, $((WP * 10000)) ]"

mkfifo "$T/in"
$LISTEN -v -c "$T/l.conf" <"$T/in" >"$T/stdout" 2>"$T/log" &
LPID=$!
exec 3>"$T/in"
# a freshly started ExaBGP's answer to the recovery request
H='Peer            AS        up/down state       |     #sent     #recvd'
printf '%s\ndone\ndone\n%s\ndone\n' "$H" "$H" >&3
state connected
state up
ann 127.0.0.11
ann 127.0.0.12
eor

# the first file, its reload (nothing runs yet), then haproxy itself
if wait_until 5 reloads_are 1; then
	ok "first render: written and reloaded once"
else
	not_ok "first render: written and reloaded once"
	diag "$(cat "$T/log")"
	exit 1
fi
"$HAPROXY" -W -f "$T/out/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
HPID=$!
echo "$HPID" >"$T/master.pid"
if wait_until 5 srv_is 127.0.0.12 "100 0"; then
	ok "haproxy runs the rendered file, admin socket answers"
else
	not_ok "haproxy runs the rendered file, admin socket answers"
	diag "$(cat "$T/haproxy.log")"
	exit 1
fi
W1=$(worker_pid)

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# 1. a weight change: through the socket, same worker, no reload
t0=$(date +%s%N)
ann 127.0.0.11 "$(weight 7)"
if wait_until 5 srv_is 127.0.0.11 "7 0"; then
	ok "weight 7 visible in show servers state"
	diag "weight change to show servers state: $(ms "$t0") ms (wait_min 0.1 s, polled)"
else
	not_ok "weight 7 visible in show servers state"
	diag "$(srv 127.0.0.11)" "$(tail -n 5 "$T/log")"
fi
check "weight change: the file says weight 7 too" grep -q \
    "server 127.0.0.11 127.0.0.11:$WP check weight 7\$" "$T/out/haproxy.cfg"
sleep 0.5
check "weight change: no reload" reloads_are 1
check "weight change: same haproxy worker" [ "$(worker_pid)" = "$W1" ]
check "weight change: same haproxy master" kill -0 "$HPID"
check "weight change: logged as a runtime change" \
    grep -q "1 server(s) changed through $T/admin.sock, no reload" "$T/log"

# 2. a drain: state drain and weight 0, still no reload
ann 127.0.0.12 "$DRAIN"
# srv_admin_state 8: SRV_ADMF_DRAIN
if wait_until 5 srv_is 127.0.0.12 "0 8"; then
	ok "drain visible in show servers state (weight 0, admin drain)"
else
	not_ok "drain visible in show servers state (weight 0, admin drain)"
	diag "$(srv 127.0.0.12)" "$(tail -n 5 "$T/log")"
fi
check "drain: the file says weight 0, draining" grep -q \
    "server 127.0.0.12 127.0.0.12:$WP check weight 0 # draining\$" \
    "$T/out/haproxy.cfg"
sleep 0.5
check "drain: no reload" reloads_are 1
check "drain: same haproxy worker" [ "$(worker_pid)" = "$W1" ]

# 3. back from drain: ready, weight 100 again
ann 127.0.0.12
if wait_until 5 srv_is 127.0.0.12 "100 0"; then
	ok "undrain visible in show servers state (ready, weight 100)"
else
	not_ok "undrain visible in show servers state (ready, weight 100)"
	diag "$(srv 127.0.0.12)"
fi
sleep 0.5
check "undrain: no reload, same worker" \
    [ "$(reloads):$(worker_pid)" = "1:$W1" ]

# 4. a new backend: the template, the check and exactly one reload
t0=$(date +%s%N)
ann 127.0.0.13
if wait_until 5 reloads_are 2; then
	ok "new backend: one reload"
else
	not_ok "new backend: one reload"
	diag "reloads: $(reloads)" "$(tail -n 5 "$T/log")"
fi
check "new backend: haproxy runs a new worker" wait_until 5 new_worker "$W1"
if wait_until 5 srv_is 127.0.0.13 "100 0"; then
	ok "new backend visible in show servers state"
	diag "new backend to show servers state (check, reload): $(ms "$t0") ms"
else
	not_ok "new backend visible in show servers state"
fi
check "new backend: the reloaded haproxy kept weight 7 from the file" \
    srv_is 127.0.0.11 "7 0"
sleep 1
check "new backend: exactly one reload" reloads_are 2

# 5. haproxy refuses: the server is deleted from the running worker (so
# "No such server."), a weight change for it is refused, logged, reloaded
hx "set server be_web/127.0.0.13 state maint" >/dev/null
hx "disable health be_web/127.0.0.13" >/dev/null
out=$(hx "del server be_web/127.0.0.13")
if srv_is 127.0.0.13 ""; then
	ann 127.0.0.13 "$(weight 5)"
	if wait_until 5 reloads_are 3; then
		ok "runtime API refused by haproxy: falls back to the reload"
	else
		not_ok "runtime API refused by haproxy: falls back to the reload"
		diag "reloads: $(reloads)" "$(tail -n 5 "$T/log")"
	fi
	check "refused: logged with haproxy's answer" grep -q \
	    'haproxy runtime API failed (refused: .*No such server' "$T/log"
	check "refused: the reloaded haproxy has the server, weight 5" \
	    wait_until 5 srv_is 127.0.0.13 "5 0"
else
	skip "runtime API refused by haproxy" "del server: $out"
	ann 127.0.0.13 "$(weight 5)"
	wait_until 5 reloads_are 3
fi
sleep 0.5

# 6. the socket gone (haproxy stopped by us): connect fails, reload
kill -TERM "$HPID"
for _ in $(seq 1 50); do
	kill -0 "$HPID" 2>/dev/null || break
	sleep 0.1
done
wait "$HPID" 2>/dev/null
HPID=
rm -f "$T/master.pid"
ann 127.0.0.11 "$(weight 9)"
if wait_until 5 reloads_are 4; then
	ok "no admin socket: falls back to the reload"
else
	not_ok "no admin socket: falls back to the reload"
	diag "reloads: $(reloads)" "$(tail -n 5 "$T/log")"
fi
check "no admin socket: logged once" [ "$(grep -c \
    'haproxy runtime API failed (connect' "$T/log")" = 1 ]
check "no admin socket: the file has the new weight" grep -q \
    "server 127.0.0.11 127.0.0.11:$WP check weight 9\$" "$T/out/haproxy.cfg"

exec 3>&-
for _ in $(seq 1 50); do
	kill -0 "$LPID" 2>/dev/null || break
	sleep 0.1
done
wait "$LPID" 2>/dev/null
check "bgpsd-listen exits 0 at EOF" [ $? = 0 ]
LPID=
