#!/bin/bash
# tests/announce/test_announce_example.sh - issue 3's "done when", in its own
# words: bgpsd-announce --once -c etc/bgpsd.conf (the shipped example, not a
# test config) prints withdraw lines and exits 1 with nothing listening, and
# the announce lines with every community and exit 0 with the example's
# services up: tcp on 127.0.0.1:80, https on 127.0.0.1:443 (self-signed,
# /healthz answering "OK"), and check_systemd nginx.service through a fake
# systemctl; and the withdraw of 192.0.2.10/32 once its address leaves the
# host. Ports 80 and 443 need a loopback of our own: the suite re-runs
# itself in a new network namespace (unshare -n as root, else unshare -rn in
# a user namespace when the kernel allows it; otherwise it skips).
. "$(dirname "$0")/../lib.sh"
EX=$TOP/etc/bgpsd.conf

if [ "${1:-}" != --in-netns ]; then
	if ! command -v unshare >/dev/null ||
	    ! command -v openssl >/dev/null || ! command -v python3 >/dev/null
	then
		skip "--once -c etc/bgpsd.conf" "needs unshare, openssl, python3"
		exit 0
	fi
	if [ "$(id -u)" = 0 ]; then
		exec unshare -n bash "$0" --in-netns
	fi
	# not root: a user namespace may still give us a network namespace
	if unshare -rn true 2>/dev/null; then
		exec unshare -rn bash "$0" --in-netns
	fi
	skip "--once -c etc/bgpsd.conf" "ports 80 and 443 need a network" \
	    "namespace of our own: root, or unprivileged user namespaces"
	exit 0
fi
ip link set lo up || exit 1
# the example's service addresses are on this host, as on a real one (a
# prefix whose address is not on an up interface is not announced)
ip addr add 192.0.2.10/32 dev lo || exit 1
ip -6 addr add 2001:db8::10/128 dev lo nodad || exit 1
mktmp
PIDS=""
cleanup() {
	stop_pids
	rm -rf "$T"
}
trap cleanup EXIT

for f in /etc/bgpsd/maintenance/all /etc/bgpsd/maintenance/http; do
	if [ -e "$f" ]; then
		skip "--once -c etc/bgpsd.conf" "$f exists on this machine"
		exit 0
	fi
done

# the example's exec check, found in the source tree; systemctl faked
mkdir -p "$T/bin"
cat >"$T/bin/systemctl" <<EOF
#!/bin/sh
[ "\$1 \$2 \$3" = "is-active -- nginx.service" ] || exit 3
if [ -e "$T/nginx-active" ]; then echo active; exit 0; fi
echo inactive
exit 3
EOF
chmod 755 "$T/bin/systemctl"
export BGPSD_CHECKSDIR=$TOP/checks PATH="$T/bin:$PATH"

W4="withdraw route 192.0.2.10/32 next-hop self"
W6="withdraw route 2001:db8::10/128 next-hop self"
A4="announce route 192.0.2.10/32 next-hop self med 100"
A6="announce route 2001:db8::10/128 next-hop self med 200"

out=$($ANNOUNCE --once -c "$EX" 2>"$T/err")
rc=$?
check "etc/bgpsd.conf --once, nothing listening: exit 1" test $rc = 1
check "etc/bgpsd.conf --once, nothing listening: withdraw lines" \
    test "$out" = "$W4
$W6"
check "etc/bgpsd.conf --once, nothing listening: reasons logged" \
    grep -q "http:80 is down: tcp: connection refused" "$T/err"

# http: a plain TCP listener on port 80
lo_listener 80 "$T/ready80" 60
PIDS="$PIDS $LO_PID"
wait_until 5 test -e "$T/ready80"
out=$($ANNOUNCE --once -c "$EX" 2>"$T/err")
rc=$?
check "etc/bgpsd.conf --once, only http up: exit 1" test $rc = 1
check "etc/bgpsd.conf --once, only http up: its community alone" \
    test "$out" = "$A4 community [12345:80]
$A6 community [12345:80]"

# https: TLS with a self-signed certificate (tls_verify = false)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=www.example.com \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
python3 -c '
import http.server, ssl, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == "/healthz" and \
            self.headers.get("Host") == "www.example.com"
        body = b"OK\n" if ok else b"no\n"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.timeout = 0.5
open(sys.argv[3], "w").close()
end = time.time() + 60
while time.time() < end:
    srv.handle_request()
' "$T/cert.pem" "$T/key.pem" "$T/ready443" 2>/dev/null &
PIDS="$PIDS $!"
wait_until 5 test -e "$T/ready443"

out=$($ANNOUNCE --once -c "$EX" 2>"$T/err")
rc=$?
check "etc/bgpsd.conf --once, https up but nginx.service inactive: exit 1" \
    test $rc = 1
check "etc/bgpsd.conf --once: all checks of https must pass" \
    grep -q "https:443 is down: exec: exit 1" "$T/err"

touch "$T/nginx-active"
out=$($ANNOUNCE --once -c "$EX" 2>"$T/err")
rc=$?
check "etc/bgpsd.conf --once, every service up: exit 0" test $rc = 0
if [ "$out" = "$A4 community [12345:80 12345:443]
$A6 community [12345:80 12345:443]" ]; then
	ok "etc/bgpsd.conf --once, every service up: every community"
else
	not_ok "etc/bgpsd.conf --once, every service up: every community"
	diag "stdout: $out" "stderr: $(cat "$T/err")"
fi
check "etc/bgpsd.conf --once: the catalogue-only ssh is never checked" \
    sh -c "! grep -q 'ssh' '$T/err'"

# the IPv4 address leaves the host: its prefix is withdrawn, exit 1
ip addr del 192.0.2.10/32 dev lo
out=$($ANNOUNCE --once -c "$EX" 2>"$T/err")
rc=$?
check "etc/bgpsd.conf --once, 192.0.2.10 not on the host: exit 1" \
    test $rc = 1
check "etc/bgpsd.conf --once, 192.0.2.10 not on the host: its withdraw" \
    test "$out" = "$W4
$A6 community [12345:80 12345:443]"
check "etc/bgpsd.conf --once, 192.0.2.10 not on the host: says why" \
    grep -q "prefix 192.0.2.10/32: its address is not on an interface" \
    "$T/err"
