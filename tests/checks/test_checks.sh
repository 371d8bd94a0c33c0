#!/bin/bash
# tests/checks/test_checks.sh - the ready-made exec checks in checks/:
# each is POSIX sh (parsed by dash, shellcheck -s sh), executable, has a
# usage line, and gives exit 0 = up / 1 = down on real good and bad cases.
# Tools that would reach beyond this host (systemctl, dig, getent for
# unknown names, nc) are replaced by fakes on PATH; Redis is a tiny
# loopback responder. Every process started here is ended by pid.
. "$(dirname "$0")/../lib.sh"
mktmp

CHECKS=$TOP/checks
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# run NAME WANT_RC PATTERN CMD...: CMD exits WANT_RC and its output
# (stdout+stderr, as bgpsd keeps it) matches the grep -E PATTERN
run() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && { [ -z "$pat" ] ||
	    printf '%s\n' "$out" | grep -qE -- "$pat"; }; then
		ok "$name"
	else
		not_ok "$name"
		diag "command: $*" "want rc $want /$pat/, got rc $rc: $out"
	fi
}

# a PATH with only the basic tools, none of the ones a check looks for
MINBIN=$T/minbin
mkdir -p "$MINBIN"
for tool in sh sed sort grep awk tr head cat printf; do
	p=$(command -v "$tool") && [ -x "$p" ] && ln -s "$p" "$MINBIN/$tool"
done

NAMES="check_pidfile check_systemd check_maintenance check_dns check_redis"

# ---- every check ----
for c in $NAMES; do
	f=$CHECKS/$c
	check "$c is executable" test -x "$f"
	check "$c starts with #!/bin/sh" sh -c "head -n 1 '$f' | grep -qx '#!/bin/sh'"
	if command -v dash >/dev/null; then
		check "$c parses with dash" dash -n "$f"
	else
		skip "$c parses with dash" "no dash"
	fi
	if command -v shellcheck >/dev/null; then
		check "$c passes shellcheck -s sh" shellcheck -s sh "$f"
	else
		skip "$c passes shellcheck -s sh" "no shellcheck"
	fi
	run "$c -h prints its usage line" 2 "^usage: $c " "$f" -h
done
run "check_pidfile without arguments is a usage error" 2 "^usage:" \
    "$CHECKS/check_pidfile"
run "check_maintenance with two files is a usage error" 2 "^usage:" \
    "$CHECKS/check_maintenance" a b
run "check_redis with a bad port is a usage error" 2 "^usage:" \
    "$CHECKS/check_redis" 127.0.0.1 http

# ---- check_pidfile ----
sleep 30 &
live=$!
PIDS+=("$live")
echo "$live" >"$T/live.pid"
printf '%s' "$live" >"$T/live-nonl.pid"
sleep 30 &
dead=$!
kill -KILL "$dead"
wait "$dead" 2>/dev/null
echo "$dead" >"$T/dead.pid"
echo "not-a-pid" >"$T/junk.pid"
: >"$T/empty.pid"

run "pidfile: live process is up" 0 "" "$CHECKS/check_pidfile" "$T/live.pid"
run "pidfile: without a trailing newline" 0 "" \
    "$CHECKS/check_pidfile" "$T/live-nonl.pid"
run "pidfile: live process with the right name" 0 "" \
    "$CHECKS/check_pidfile" "$T/live.pid" sleep
run "pidfile: a recycled pid (other name) is down" 1 \
    "is 'sleep', not 'nginx'" "$CHECKS/check_pidfile" "$T/live.pid" nginx
run "pidfile: names compare on 15 characters like comm" 1 \
    "not 'sleeperdaemon12'" \
    "$CHECKS/check_pidfile" "$T/live.pid" sleeperdaemon12345
run "pidfile: dead process is down" 1 "process $dead is not running" \
    "$CHECKS/check_pidfile" "$T/dead.pid"
run "pidfile: missing file is down" 1 "does not exist" \
    "$CHECKS/check_pidfile" "$T/nonexistent.pid"
run "pidfile: junk content is down" 1 "holds no pid" \
    "$CHECKS/check_pidfile" "$T/junk.pid"
run "pidfile: empty file is down" 1 "empty or unreadable" \
    "$CHECKS/check_pidfile" "$T/empty.pid"
# a zombie: a child that exited and whose parent does not reap it yet
sh -c 'sleep 0.1 & exec sleep 3' &
zparent=$!
PIDS+=("$zparent")
sleep 0.5
zombie=$(ps -o pid= --ppid "$zparent" 2>/dev/null | tr -d ' ' | head -n 1)
if [ -n "$zombie" ] && grep -q ') Z' "/proc/$zombie/stat" 2>/dev/null; then
	echo "$zombie" >"$T/zombie.pid"
	run "pidfile: a zombie is down" 1 "zombie" \
	    "$CHECKS/check_pidfile" "$T/zombie.pid"
else
	skip "pidfile: a zombie is down" "could not make a zombie"
fi

# ---- check_systemd (fake systemctl) ----
mkdir -p "$T/sdbin"
cat >"$T/sdbin/systemctl" <<'EOF'
#!/bin/sh
# fake systemctl: "is-active [--] UNIT"; units in $FAKE_ACTIVE are active
echo "$*" >>"$FAKE_LOG"
[ "$1" = is-active ] || exit 3
shift
[ "$1" = -- ] && shift
case " $FAKE_ACTIVE " in *" $1 "*) echo active; exit 0 ;; esac
case " $FAKE_FAILED " in *" $1 "*) echo failed; exit 3 ;; esac
echo inactive
exit 3
EOF
chmod 755 "$T/sdbin/systemctl"
export FAKE_LOG=$T/systemctl.log FAKE_ACTIVE="nginx.service" \
    FAKE_FAILED="haproxy.service"
run "systemd: an active unit is up" 0 "" \
    env PATH="$T/sdbin:$PATH" "$CHECKS/check_systemd" nginx.service
check "systemd: asks systemctl is-active for the unit" \
    grep -qx "is-active -- nginx.service" "$FAKE_LOG"
run "systemd: a failed unit is down, with its state" 1 \
    "^systemd: haproxy.service: failed$" \
    env PATH="$T/sdbin:$PATH" "$CHECKS/check_systemd" haproxy.service
run "systemd: an inactive unit is down" 1 "inactive" \
    env PATH="$T/sdbin:$PATH" "$CHECKS/check_systemd" redis.service
run "systemd: no systemctl is a clear error" 2 "systemctl not found" \
    env PATH="$MINBIN" "$MINBIN/sh" "$CHECKS/check_systemd" nginx.service
run "systemd: an option-like unit is refused" 2 "^usage:" \
    env PATH="$T/sdbin:$PATH" "$CHECKS/check_systemd" --all

# ---- check_maintenance ----
run "maintenance: no file is up" 0 "" \
    "$CHECKS/check_maintenance" "$T/maint"
: >"$T/maint"
run "maintenance: an empty file is down" 1 "^maintenance: $T/maint exists$" \
    "$CHECKS/check_maintenance" "$T/maint"
printf 'kernel upgrade, back at 14:00\nmore\n' >"$T/maint"
run "maintenance: the first line is the reason" 1 \
    "^maintenance: kernel upgrade, back at 14:00 \\($T/maint\\)$" \
    "$CHECKS/check_maintenance" "$T/maint"
rm -f "$T/maint"
ln -s "$T/nowhere" "$T/maint"
run "maintenance: a dangling symlink counts too" 1 "exists" \
    "$CHECKS/check_maintenance" "$T/maint"
rm -f "$T/maint"
run "maintenance: up again once removed" 0 "" \
    "$CHECKS/check_maintenance" "$T/maint"

# ---- check_dns ----
# localhost comes from /etc/hosts: nothing leaves this host
if lo=$(getent ahosts localhost 2>/dev/null | awk 'NR == 1 { print $1 }') &&
    [ -n "$lo" ]; then
	run "dns: localhost resolves" 0 "" "$CHECKS/check_dns" localhost
	run "dns: localhost resolves to $lo" 0 "" \
	    "$CHECKS/check_dns" localhost "$lo"
	run "dns: localhost does not resolve to 192.0.2.1" 1 \
	    "resolves to .*not 192.0.2.1" \
	    "$CHECKS/check_dns" localhost 192.0.2.1
else
	skip "dns: localhost resolves" "no getent or no localhost entry"
fi
mkdir -p "$T/dnsbin"
cat >"$T/dnsbin/getent" <<'EOF'
#!/bin/sh
# fake getent: svc.example has two addresses, nothing else resolves
[ "$1" = ahosts ] || exit 1
case $2 in
svc.example)
	printf '192.0.2.7       STREAM svc.example\n192.0.2.7       DGRAM\n'
	printf '2001:db8::7     STREAM\n'
	exit 0 ;;
esac
exit 2
EOF
cat >"$T/dnsbin/dig" <<'EOF'
#!/bin/sh
# fake dig: records its arguments; answers like "dig +short" with a CNAME
echo "$*" >>"$FAKE_LOG"
case "$*" in
*@127.0.0.53*svc.example*) printf 'alias.example.\n192.0.2.7\n2001:db8::7\n' ;;
esac
exit 0
EOF
chmod 755 "$T/dnsbin/getent" "$T/dnsbin/dig"
export FAKE_LOG=$T/dig.log
run "dns: both addresses present" 0 "" env PATH="$T/dnsbin:$PATH" \
    "$CHECKS/check_dns" svc.example 192.0.2.7 2001:db8::7
run "dns: one expected address missing" 1 \
    "^dns: svc.example resolves to 192.0.2.7 2001:db8::7 \\(getent\\), not 192.0.2.8$" \
    env PATH="$T/dnsbin:$PATH" "$CHECKS/check_dns" svc.example 192.0.2.8
run "dns: a name that does not resolve is down" 1 "does not resolve" \
    env PATH="$T/dnsbin:$PATH" "$CHECKS/check_dns" nothing.example
run "dns: -s asks that server with dig" 0 "" env PATH="$T/dnsbin:$PATH" \
    "$CHECKS/check_dns" -s 127.0.0.53 svc.example 2001:db8::7
check "dns: dig got @server, the name, A and AAAA" \
    grep -q "@127.0.0.53 svc.example A svc.example AAAA" "$FAKE_LOG"
run "dns: -s, a CNAME target is not an address" 1 "not alias.example." \
    env PATH="$T/dnsbin:$PATH" \
    "$CHECKS/check_dns" -s 127.0.0.53 svc.example alias.example.
run "dns: -s, no answer from that server is down" 1 "does not resolve \\(@127.0.0.54\\)" \
    env PATH="$T/dnsbin:$PATH" "$CHECKS/check_dns" -s 127.0.0.54 svc.example
run "dns: -s without dig is a clear error" 2 "dig not found" \
    env PATH="$MINBIN" "$MINBIN/sh" "$CHECKS/check_dns" -s 127.0.0.53 \
    svc.example

# ---- check_redis ----
# the interpreter itself, not a wrapper (pyenv's shims need bash on PATH)
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)
cat >"$T/redisd.py" <<'EOF'
# tiny loopback Redis stand-in: answers PING (inline or RESP) with
# +PONG, or with -NOAUTH in "noauth" mode; AUTH gets +OK
import socket, sys, threading
mode, portfile = sys.argv[1], sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(portfile + ".tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(portfile + ".tmp", portfile)
def serve(c):
    buf = b""
    try:
        while True:
            d = c.recv(4096)
            if not d:
                break
            buf += d
            while b"\r\n" in buf:
                line, buf = buf.split(b"\r\n", 1)
                w = line.upper()
                if w.startswith(b"AUTH"):
                    c.sendall(b"+OK\r\n")
                elif w == b"PING":
                    if mode == "noauth":
                        c.sendall(b"-NOAUTH Authentication required.\r\n")
                    else:
                        c.sendall(b"+PONG\r\n")
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
cat >"$T/nc.py" <<'EOF'
# minimal "nc -w SECS HOST PORT" for the test: stdin to the socket, the
# replies to stdout, end when the peer is quiet for SECS
import socket, sys
args = sys.argv[1:]
w = 1.0
if args[0] == "-w":
    w = float(args[1]); args = args[2:]
c = socket.create_connection((args[0], int(args[1])), timeout=w)
c.sendall(sys.stdin.buffer.read())
try:
    while True:
        d = c.recv(4096)
        if not d:
            break
        sys.stdout.buffer.write(d); sys.stdout.flush()
except socket.timeout:
    pass
EOF
start_redisd() {
	rm -f "$T/port.$1"
	"$PY" "$T/redisd.py" "$1" "$T/port.$1" &
	PIDS+=("$!")
	wait_until 5 test -s "$T/port.$1"
}
if [ -n "$PY" ] && start_redisd pong && start_redisd noauth; then
	PONG=$(cat "$T/port.pong")
	NOAUTH=$(cat "$T/port.noauth")
	# a port that refuses: bound by a process that never listens
	"$PY" -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0))
open(sys.argv[1],"w").write(str(s.getsockname()[1])); time.sleep(60)' \
	    "$T/port.closed" &
	PIDS+=("$!")
	wait_until 5 test -s "$T/port.closed"
	CLOSED=$(cat "$T/port.closed")
	if command -v redis-cli >/dev/null; then
		run "redis (redis-cli): PONG is up" 0 "" \
		    "$CHECKS/check_redis" 127.0.0.1 "$PONG"
		run "redis (redis-cli): NOAUTH is down, with the reply" 1 \
		    "answered: .*NOAUTH" "$CHECKS/check_redis" 127.0.0.1 "$NOAUTH"
		run "redis (redis-cli): refused is down" 1 "answered: .*refused" \
		    "$CHECKS/check_redis" 127.0.0.1 "$CLOSED"
	else
		skip "redis (redis-cli): PONG is up" "no redis-cli"
	fi
	mkdir -p "$T/ncbin"
	printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$PY" "$T/nc.py" \
	    >"$T/ncbin/nc"
	chmod 755 "$T/ncbin/nc"
	run "redis (nc): PONG is up" 0 "" env PATH="$T/ncbin:$MINBIN" \
	    "$MINBIN/sh" "$CHECKS/check_redis" 127.0.0.1 "$PONG"
	run "redis (nc): NOAUTH is down" 1 "answered: -NOAUTH" \
	    env PATH="$T/ncbin:$MINBIN" "$MINBIN/sh" "$CHECKS/check_redis" \
	    127.0.0.1 "$NOAUTH"
	run "redis (nc): REDISCLI_AUTH is sent first" 0 "" \
	    env PATH="$T/ncbin:$MINBIN" REDISCLI_AUTH=secret "$MINBIN/sh" \
	    "$CHECKS/check_redis" 127.0.0.1 "$PONG"
	run "redis (nc): refused is down" 1 "answered" \
	    env PATH="$T/ncbin:$MINBIN" "$MINBIN/sh" "$CHECKS/check_redis" \
	    127.0.0.1 "$CLOSED"
else
	skip "redis: PONG is up" "no python3 for the loopback responder"
fi
run "redis: neither redis-cli nor nc is a clear error" 2 \
    "neither redis-cli nor nc found" \
    env PATH="$MINBIN" "$MINBIN/sh" "$CHECKS/check_redis"
