#!/bin/bash
# tests/listen/test_exabgp_conf.sh - etc/exabgp-listen.conf is a working
# example: ExaBGP accepts it, and run for real on loopback (addresses and
# paths substituted) it feeds bgpsd-listen, which renders the routes that a
# second ExaBGP announces. Loopback only; every process is ended by pid.
. "$(dirname "$0")/../lib.sh"
mktmp

EXABGP=$(command -v exabgp || true)
EXAMPLE=$TOP/etc/exabgp-listen.conf
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

if [ -z "$EXABGP" ]; then
	skip "exabgp --validate etc/exabgp-listen.conf" "no exabgp"
	skip "etc/exabgp-listen.conf feeds bgpsd-listen" "no exabgp"
	exit 0
fi

# our own env file: Debian's /etc/exabgp/exabgp.env drops to user exabgp
cat >"$T/exabgp.env" <<'EOF'
[exabgp.api]
ack = true
cli = false
respawn = true

[exabgp.daemon]
daemonize = false
drop = false
user = 'root'
pid = ''

[exabgp.log]
destination = 'stdout'
level = INFO
processes = true
EOF

mkdir -p "$T/out"
listen_conf -s https:443 -m 0.2 -M 2 -l "status_file = \"$T/status.json\";" \
    "$TOP/etc/templates/nginx-upstream.conf.mustache" \
    "$T/out/upstream.conf" >"$T/bgpsd.conf"

# the example, with our binary and config, on loopback
sed -e "s|/usr/local/sbin/bgpsd-listen|$BUILD/bgpsd-listen -v|" \
    -e "s|/usr/local/etc/bgpsd/bgpsd.conf|$T/bgpsd.conf|" \
    -e 's|^neighbor 192\.0\.2\.1 {|neighbor 127.0.0.1 {|' \
    -e 's|local-address 192\.0\.2\.254;|local-address 127.0.0.2;|' \
    -e 's|^neighbor 2001:db8::1 {|neighbor ::1 {|' \
    -e 's|local-address 2001:db8::fe;|local-address ::1;|' \
    "$EXAMPLE" >"$T/listener.conf"
if grep -q '192\.0\.2\.1 \|2001:db8::1 \|/usr/local' "$T/listener.conf"; then
	not_ok "example rewritten for loopback"
	diag "$(cat "$T/listener.conf")"
	exit 1
fi

if (cd "$T" && env exabgp_tcp_bind= "$EXABGP" --env "$T/exabgp.env" \
    --validate "$T/listener.conf" >"$T/validate.log" 2>&1); then
	ok "exabgp --validate etc/exabgp-listen.conf"
else
	not_ok "exabgp --validate etc/exabgp-listen.conf"
	diag "$(tail -n 5 "$T/validate.log")"
fi

PORT=$((20000 + $$ % 10000))
cat >"$T/ann.sh" <<'EOF'
#!/bin/sh
# the announcing side: two routes, then read acks until ExaBGP goes
sleep 1
echo "announce route 192.0.2.10/32 next-hop self community [12345:443]"
echo "announce route 2001:db8::10/128 next-hop self community [12345:443]"
exec cat >/dev/null
EOF
chmod 755 "$T/ann.sh"
cat >"$T/announcer.conf" <<EOF
process ann {
	run $T/ann.sh;
	encoder text;
}
neighbor 127.0.0.2 {
	router-id 127.0.0.1;
	local-address 127.0.0.1;
	local-as 65001;
	peer-as 65000;
	connect $PORT;
	family { ipv4 unicast; }
	api { processes [ ann ]; }
}
neighbor ::1 {
	router-id 127.0.0.1;
	local-address ::1;
	local-as 65001;
	peer-as 65000;
	connect $PORT;
	family { ipv6 unicast; }
	api { processes [ ann ]; }
}
EOF

(cd "$T" && exec env exabgp_tcp_bind="127.0.0.2 ::1" exabgp_tcp_port=$PORT \
    "$EXABGP" --env "$T/exabgp.env" "$T/listener.conf") >"$T/lst.log" 2>&1 &
PIDS+=($!)
sleep 1
(cd "$T" && exec env exabgp_tcp_bind= "$EXABGP" --env "$T/exabgp.env" \
    "$T/announcer.conf") >"$T/ann.log" 2>&1 &
PIDS+=($!)

both() {
	local u=$T/out/upstream.conf
	grep -q 'server 192.0.2.10:443 weight=100;' "$u" 2>/dev/null &&
	    grep -q 'server \[2001:db8::10\]:443 weight=100;' "$u"
}
if wait_until 40 both; then
	ok "etc/exabgp-listen.conf feeds bgpsd-listen (IPv4 and IPv6 rendered)"
else
	not_ok "etc/exabgp-listen.conf feeds bgpsd-listen (IPv4 and IPv6 rendered)"
	diag "$(tail -n 15 "$T/lst.log")" "$(tail -n 5 "$T/ann.log")"
fi
if [ -f "$T/status.json" ] &&
    [ "$(grep -c '"state": "up"' "$T/status.json")" = 2 ]; then
	ok "status_file shows both sessions up"
else
	not_ok "status_file shows both sessions up"
	diag "$(cat "$T/status.json" 2>/dev/null)"
fi
# ExaBGP stops: bgpsd-listen must exit with it, not linger
kill -TERM "${PIDS[0]}"
gone() { ! pgrep -f "$BUILD/bgpsd-listen -v -c $T/bgpsd.conf" >/dev/null; }
check "bgpsd-listen exits when its ExaBGP stops" wait_until 10 gone
