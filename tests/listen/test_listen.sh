#!/bin/bash
# tests/listen/test_listen.sh - bgpsd-listen, the real binary: golden
# --once --dump output for every ExaBGP capture (and the map each one must
# give), templates accepted by real haproxy and nginx, --render, bad and
# oversized lines, the daemon's End-of-RIB gating, min_backends, check and
# command handling, signals.
#
# BGPSD_REGEN=1 rewrites the golden files (review the diff, then commit).
. "$(dirname "$0")/../lib.sh"
mktmp

GOLD=$TOP/tests/data/listen/dump
DUMPCONF=$TOP/tests/listen/dump.conf
TEMPLATES=$TOP/etc/templates
LPID=

if [ ! -x "$BUILD/bgpsd-listen" ]; then
	not_ok "bgpsd-listen built ($BUILD/bgpsd-listen)"
	exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
	PY=
else
	PY=python3
fi

# map_of DUMP: the port -> IPs map a --dump implies, in expected.json form
map_equal() {
	$PY - "$1" "$2" <<'EOF'
import json, sys
dump = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))
got = {str(s["port"]): [b["ip"] for b in s["backends"]]
       for s in dump["services"] if s["count"] > 0}
# the other views must agree with the list
for s in dump["services"]:
    assert dump["by_port"][str(s["port"])] == s, s["port"]
    assert dump["by_name"][s["name"]] == s, s["name"]
    assert s["count"] == len(s["backends"])
if got != want:
    print("# got  %s" % json.dumps(got, sort_keys=True))
    print("# want %s" % json.dumps(want, sort_keys=True))
    sys.exit(1)
EOF
}

# ---- golden dumps ---------------------------------------------------------
n=0
for f in "$FIXTURES"/*.jsonl; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	name=$(basename "$f" .jsonl)
	out=$T/$name.json
	if ! $LISTEN --once --dump -c "$DUMPCONF" <"$f" >"$out" \
	    2>"$T/$name.log"; then
		not_ok "dump $name: exit status"
		diag "$(cat "$T/$name.log")"
		continue
	fi
	if [ "${BGPSD_REGEN:-0}" = 1 ]; then
		cp "$out" "$GOLD/$name.json"
		ok "dump $name regenerated"
	elif [ ! -f "$GOLD/$name.json" ]; then
		not_ok "dump $name: no golden file $GOLD/$name.json"
	elif cmp -s "$out" "$GOLD/$name.json"; then
		ok "dump $name matches its golden file"
	else
		not_ok "dump $name matches its golden file"
		diag "$(diff "$GOLD/$name.json" "$out" | head -20)"
	fi
	if [ -z "$PY" ]; then
		skip "dump $name gives the expected map" "no python3"
	elif map_equal "$out" "${f%.jsonl}.expected.json"; then
		ok "dump $name gives the expected map"
	else
		not_ok "dump $name gives the expected map"
	fi
	# the command of the issue, with the shipped example configuration
	if [ -n "$PY" ] && $LISTEN --once --dump -c "$TOP/etc/bgpsd.conf" \
	    <"$f" >"$T/$name.etc.json" 2>/dev/null &&
	    map_equal "$T/$name.etc.json" "${f%.jsonl}.expected.json"; then
		ok "dump $name with etc/bgpsd.conf gives the expected map"
	elif [ -z "$PY" ]; then
		skip "dump $name with etc/bgpsd.conf" "no python3"
	else
		not_ok "dump $name with etc/bgpsd.conf gives the expected map"
	fi
done
check "fixtures found ($n)" [ "$n" -ge 12 ]

# deterministic: the same input twice gives the same bytes
$LISTEN --once --dump -c "$DUMPCONF" <"$FIXTURES/table-300.jsonl" \
    >"$T/a.json" 2>/dev/null
$LISTEN --once --dump -c "$DUMPCONF" <"$FIXTURES/table-300.jsonl" \
    >"$T/b.json" 2>/dev/null
check "dump is byte-identical across runs" cmp -s "$T/a.json" "$T/b.json"

# ---- bad and oversized lines ----------------------------------------------
cat >"$T/small.conf" <<EOF
asn = 12345;
services = ( { name = "https"; port = 443; } );
listen = { max_line = 4096; templates = (); };
EOF
{
	echo 'this is { not json'
	printf '{"type": "update", "neighbor": \001\002 }\n'
	head -c 5000 /dev/zero | tr '\0' 'x'; echo
	head -c 9000 /dev/zero | tr '\0' '{'; echo
	cat "$FIXTURES/basic-v4-v6.jsonl"
	echo '{ "truncated": '
} >"$T/bad.jsonl"
if $LISTEN --once --dump -c "$T/small.conf" <"$T/bad.jsonl" \
    >"$T/bad.json" 2>"$T/bad.log"; then
	ok "bad lines: --once still succeeds"
else
	not_ok "bad lines: --once still succeeds"
fi
check "bad lines: the good ones still count" \
    grep -q '"2001:db8::10"' "$T/bad.json"
check "bad lines: a malformed line is logged with its first bytes" \
    grep -q 'skipped.*this is { not json' "$T/bad.log"
no_ctrl() { ! LC_ALL=C grep -q "$(printf '\001')" "$1"; }
check "bad lines: control bytes do not reach the log" no_ctrl "$T/bad.log"
check "bad lines: two oversized lines logged" \
    [ "$(grep -c 'longer than max_line' "$T/bad.log")" = 2 ]
check "bad lines: oversized preview is cut at 80 bytes" \
    grep -qE 'max_line \(4096 bytes\): x{80}$' "$T/bad.log"

# ---- --render with --data, and the shipped templates ----------------------
cat >"$T/ctx.json" <<'EOF'
{ "services": [ { "name": "web", "port": 80, "count": 2, "backends": [
  { "ip": "192.0.2.1", "prefix": "192.0.2.1/32", "family": "ipv4",
    "index": 0, "first": true, "last": false },
  { "ip": "2001:db8::1", "prefix": "2001:db8::1/128", "family": "ipv6",
    "index": 1, "first": false, "last": true } ] } ],
  "motto": "a < b & c" }
EOF
printf '{{#services}}{{name}}:{{#backends}} {{host}}:{{port}}{{/backends}}\n{{/services}}{{motto}}\n' \
    >"$T/t.mustache"
printf 'web: 192.0.2.1:80 [2001:db8::1]:80\na < b & c\n' >"$T/t.want"
if $LISTEN --render "$T/t.mustache" --data "$T/ctx.json" >"$T/t.out" \
    2>"$T/t.log" && cmp -s "$T/t.out" "$T/t.want"; then
	ok "--render --data prints the template, IPv6 in brackets"
else
	not_ok "--render --data prints the template, IPv6 in brackets"
	diag "$(cat "$T/t.out" "$T/t.log")"
fi
if $LISTEN --render "$T/t.mustache" --data "$T/ctx.json" --html-escape \
    2>/dev/null | grep -qx 'a &lt; b &amp; c'; then
	ok "--html-escape escapes {{name}}"
else
	not_ok "--html-escape escapes {{name}}"
fi
if $LISTEN -c "$DUMPCONF" --render "$T/t.mustache" \
    <"$FIXTURES/basic-v4-v6.jsonl" 2>/dev/null |
    grep -qx 'https: 192.0.2.10:443 \[2001:db8::10\]:443'; then
	ok "--render against the table read from stdin"
else
	not_ok "--render against the table read from stdin"
fi
if $LISTEN --render "$T/nonexistent.mustache" --data "$T/ctx.json" \
    >/dev/null 2>&1; then
	not_ok "--render of a missing template fails"
else
	ok "--render of a missing template fails"
fi

# haproxy: full table, IPv6, empty services (catalogue only), no services
HAPROXY=$(command -v haproxy || true)
for input in basic-v4-v6 table-300 session-drop attributes; do
	$LISTEN -c "$DUMPCONF" --render "$TEMPLATES/haproxy.cfg.mustache" \
	    <"$FIXTURES/$input.jsonl" >"$T/haproxy-$input.cfg" 2>/dev/null
	if [ -z "$HAPROXY" ]; then
		skip "haproxy -c accepts the $input rendering" "no haproxy"
	else
		check_out "haproxy -c accepts the $input rendering" \
		    "$HAPROXY" -c -f "$T/haproxy-$input.cfg"
	fi
done
check "haproxy: an IPv6 server line in brackets" grep -q \
    'server 2001:db8::10 \[2001:db8::10\]:443 check weight 100$' \
    "$T/haproxy-basic-v4-v6.cfg"
check "haproxy: a route's other communities follow as tag comments" grep -qx \
    '	# 192.0.2.25 tag 65535:65281' "$T/haproxy-attributes.cfg"

# weights and drains: a context with weight 7, 256 (haproxy's maximum)
# and a draining server (weight 0), through both shipped templates
cat >"$T/wctx.json" <<'EOF'
{ "services": [ { "name": "web", "port": 80, "count": 3, "backends": [
  { "ip": "192.0.2.1", "weight": 7, "draining": false, "tags": [] },
  { "ip": "192.0.2.2", "weight": 0, "draining": true,
    "tags": [ "65000:1" ] },
  { "ip": "2001:db8::1", "weight": 256, "draining": false,
    "tags": [] } ] } ] }
EOF
$LISTEN --render "$TEMPLATES/haproxy.cfg.mustache" --data "$T/wctx.json" \
    >"$T/haproxy-weights.cfg" 2>/dev/null
printf '%s\n' '	server 192.0.2.1 192.0.2.1:80 check weight 7' \
    '	server 192.0.2.2 192.0.2.2:80 check weight 0 # draining' \
    '	# 192.0.2.2 tag 65000:1' \
    '	server 2001:db8::1 [2001:db8::1]:80 check weight 256' >"$T/want"
sed -n '/^backend be_web$/,/^$/p' "$T/haproxy-weights.cfg" |
    grep -E '^	(server|#) ' >"$T/got"
if cmp -s "$T/want" "$T/got"; then
	ok "haproxy: weight N per server, a draining one weight 0, tags"
else
	not_ok "haproxy: weight N per server, a draining one weight 0, tags"
	diag "$(diff "$T/want" "$T/got")"
fi
if [ -z "$HAPROXY" ]; then
	skip "haproxy -c accepts weights and a drain" "no haproxy"
else
	check_out "haproxy -c accepts weights and a drain" \
	    "$HAPROXY" -c -f "$T/haproxy-weights.cfg"
fi
check "haproxy: an empty catalogued service keeps its backend" grep -q \
    '^backend be_ssh' "$T/haproxy-session-drop.cfg"
printf 'listen = { templates = (); };\n' >"$T/nocat.conf"
$LISTEN -c "$T/nocat.conf" --render "$TEMPLATES/haproxy.cfg.mustache" \
    </dev/null >"$T/haproxy-none.cfg" 2>/dev/null
if [ -z "$HAPROXY" ]; then
	skip "haproxy -c accepts a rendering without any service" "no haproxy"
else
	check_out "haproxy -c accepts a rendering without any service" \
	    "$HAPROXY" -c -f "$T/haproxy-none.cfg"
fi

# nginx: the upstream snippet included by a private nginx.conf
NGINX=$(command -v nginx || true)
mkdir -p "$T/nginx"
for input in basic-v4-v6 table-300 session-drop attributes weights; do
	if [ $input = weights ]; then
		$LISTEN --render "$TEMPLATES/nginx-upstream.conf.mustache" \
		    --data "$T/wctx.json" >"$T/nginx/up-$input.conf" 2>/dev/null
	else
		$LISTEN -c "$DUMPCONF" --render \
		    "$TEMPLATES/nginx-upstream.conf.mustache" \
		    <"$FIXTURES/$input.jsonl" >"$T/nginx/up-$input.conf" \
		    2>/dev/null
	fi
	up=https
	[ $input = weights ] && up=web
	cat >"$T/nginx/nginx-$input.conf" <<EOF
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 16; }
http {
	access_log off;
	client_body_temp_path $T/nginx/body;
	proxy_temp_path $T/nginx/proxy;
	fastcgi_temp_path $T/nginx/fastcgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	include $T/nginx/up-$input.conf;
	server {
		listen 127.0.0.1:18081;
		location / { proxy_pass http://$up; }
	}
}
EOF
	if [ -z "$NGINX" ]; then
		skip "nginx -t accepts the $input upstreams" "no nginx"
	elif out=$("$NGINX" -t -p "$T/nginx/" -e "$T/nginx/error.log" \
	    -c "$T/nginx/nginx-$input.conf" 2>&1); then
		ok "nginx -t accepts the $input upstreams"
	else
		not_ok "nginx -t accepts the $input upstreams"
		diag "$out"
	fi
done
check "nginx: an IPv6 server in brackets" grep -q \
    'server \[2001:db8::10\]:443 weight=100;' "$T/nginx/up-basic-v4-v6.conf"
printf '%s\n' 'upstream web {' '	server 192.0.2.1:80 weight=7;' \
    '	server 192.0.2.2:80 down;' '	# 192.0.2.2 tag 65000:1' \
    '	server [2001:db8::1]:80 weight=256;' '}' >"$T/want"
if grep -v '^#' "$T/nginx/up-weights.conf" | cmp -s "$T/want" -; then
	ok "nginx: weight=N per server, a draining one down, tags"
else
	not_ok "nginx: weight=N per server, a draining one down, tags"
	diag "$(grep -v '^#' "$T/nginx/up-weights.conf" | diff "$T/want" -)"
fi
check "nginx: an empty service gets the down placeholder" grep -q \
    'server 127.0.0.1:65535 down;' "$T/nginx/up-session-drop.conf"

# ---- the daemon -----------------------------------------------------------
P4=169.254.179.1
P6=fd00:179::1
up4() { exa_state $P4 connected 169.254.179.2; exa_state $P4 up 169.254.179.2; }
eor4() { exa_eor $P4 ipv4 169.254.179.2; }
ann4() { exa_announce $P4 169.254.179.2 ipv4 "$@"; }

# count_ge N PATTERN FILE: at least N lines of FILE match (for wait_until)
count_ge() { [ "$(grep -c -- "$2" "$3" 2>/dev/null)" -ge "$1" ]; }

# start_listen CONF [NOANSWER]: the daemon reading the fifo $T/in (fd 3
# writes), answered as a fresh ExaBGP answers unless NOANSWER is given
start_listen() {
	rm -f "$T/in"
	mkfifo "$T/in"
	$LISTEN -v -c "$1" <"$T/in" >"$T/stdout" 2>"$T/log" &
	LPID=$!
	exec 3>"$T/in"
	[ -n "${2:-}" ] || fresh_answer >&3
}
MOUNTED=
cleanup() {
	[ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null
	[ -n "$MOUNTED" ] && umount -l "$MOUNTED" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/out"
cat >"$T/tmpl.mustache" <<'EOF'
{{#services}}{{name}}{{#backends}} {{ip}}{{/backends}}
{{/services}}
EOF
cat >"$T/d.conf" <<EOF
asn = 12345;
services = ( { name = "http"; port = 80; }, { name = "https"; port = 443; } );
listen = {
	wait_min = 0.1;
	wait_max = 4;
	status_file = "$T/status.json";
	metrics_file = "$T/metrics.prom";
	templates = (
		{
			source = "$T/tmpl.mustache";
			destination = "$T/out/plain.txt";
			perms = "0640";
			command = "echo reloaded-plain; echo to-stderr >&2";
		},
		{
			source = "$TEMPLATES/haproxy.cfg.mustache";
			destination = "$T/out/haproxy.cfg";
			check = "${HAPROXY:-true} -c -q -f %s";
			command = "echo reloaded-plain; echo to-stderr >&2";
			backup = true;
		}
	);
};
EOF
start_listen "$T/d.conf"
up4 >&3
ann4 192.0.2.10/32 80 443 >&3
ann4 192.0.2.11/32 443 >&3
sleep 1
check "EOR gating: nothing written before End-of-RIB" \
    [ ! -e "$T/out/plain.txt" ]
eor4 >&3
check "EOR gating: written after End-of-RIB" \
    wait_until 3 [ -s "$T/out/plain.txt" ]
printf 'http 192.0.2.10\nhttps 192.0.2.10 192.0.2.11\n' >"$T/want"
check "daemon: the rendered file" cmp -s "$T/out/plain.txt" "$T/want"
check "daemon: perms 0640" [ "$(stat -c %a "$T/out/plain.txt")" = 640 ]
wait_until 3 grep -q 'reloaded-plain' "$T/log"
check "daemon: the haproxy file passed its check and was written" \
    grep -q 'server 192.0.2.11 192.0.2.11:443 check' "$T/out/haproxy.cfg"
wait_until 3 grep -q "command 'echo reloaded-plain.*exit 0" "$T/log"
if [ "$(grep -c "command 'echo reloaded-plain.*exit 0" "$T/log")" = 1 ]; then
	ok "daemon: a shared command ran once for both files"
else
	not_ok "daemon: a shared command ran once for both files"
	diag "$(cat "$T/log")"
fi
check "daemon: command output went to the log" \
    grep -q 'to-stderr' "$T/log"
# the status follows within status_interval (1 s), also after the pass
wait_until 3 grep -q '"passes": [1-9]' "$T/status.json"
# the status is rewritten at most once per status_interval (1 s): one
# from before the pass may still be there
wait_until 3 grep -q '"last_result": "ok"' "$T/status.json"
if [ -n "$PY" ] && $PY - "$T/status.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["peers"][0]["address"] == "169.254.179.1", s["peers"]
assert s["peers"][0]["state"] == "up"
assert s["peers"][0]["routes"] == 2
svc = {x["name"]: x["backends"] for x in s["services"]}
assert svc == {"http": 1, "https": 2}, svc
assert s["render"]["passes"] >= 1
t = {x["destination"].rsplit("/", 1)[1]: x["result"] for x in s["render"]["templates"]}
assert t == {"plain.txt": "written", "haproxy.cfg": "written"}, t
EOF
then
	ok "daemon: status_file holds peers, routes, services, results"
else
	not_ok "daemon: status_file holds peers, routes, services, results"
	diag "$(cat "$T/status.json")"
fi
# the last pass's render time and size (issue 12): the size is what was
# written, both files; the time is there and plausible
sz=$(($(stat -c %s "$T/out/plain.txt") + $(stat -c %s "$T/out/haproxy.cfg")))
if [ -n "$PY" ] && $PY - "$T/status.json" "$sz" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["render"]
assert r["last_bytes"] == int(sys.argv[2]), (r["last_bytes"], sys.argv[2])
assert isinstance(r["last_seconds"], float), r["last_seconds"]
assert 0 < r["last_seconds"] < 5, r["last_seconds"]
EOF
then
	ok "daemon: status_file has the last pass's render time and bytes"
else
	not_ok "daemon: status_file has the last pass's render time and bytes"
	diag "$(cat "$T/status.json")"
fi
check "daemon: metrics_file has the last pass's render bytes" grep -qx \
    "bgpsd_listen_render_bytes $sz" "$T/metrics.prom"
check "daemon: metrics_file has the last pass's render time" grep -qE \
    '^bgpsd_listen_render_duration_seconds 0\.0*[1-9][0-9]*$' \
    "$T/metrics.prom"
check "daemon: metrics_file in Prometheus text" grep -q \
    '^bgpsd_listen_service_backends{service="https",port="443"} 2$' \
    "$T/metrics.prom"
check "daemon: metrics_file has the result per file" grep -qF \
    "bgpsd_listen_template_ok{destination=\"$T/out/plain.txt\"} 1" \
    "$T/metrics.prom"

# a route that changes no file (a second reflector's copy of one already
# there) still changes what the status counts: it shows within
# status_interval (1 s), not at the next change of a file
P4R2=169.254.179.3
peer_routes() {	# PEER: its routes in the status file
	$PY - "$T/status.json" "$1" <<'EOF' 2>/dev/null
import json, sys
s = json.load(open(sys.argv[1]))
print([p["routes"] for p in s["peers"] if p["address"] == sys.argv[2]][0])
EOF
}
peer_routes_is() { [ "$(peer_routes "$1")" = "$2" ]; }
if [ -n "$PY" ]; then
	exa_state $P4R2 connected 169.254.179.2 >&3
	exa_state $P4R2 up 169.254.179.2 >&3
	exa_eor $P4R2 ipv4 169.254.179.2 >&3
	wait_until 3 peer_routes_is $P4R2 0
	exa_announce $P4R2 169.254.179.2 ipv4 192.0.2.10/32 80 443 >&3
	check "a route that changes no file is counted in the status" \
	    wait_until 3 peer_routes_is $P4R2 1
else
	skip "a route that changes no file is counted in the status" "no python3"
fi

# unchanged table: SIGUSR1 re-renders but rewrites nothing
touch -d '2001-01-01 00:00:00' "$T/out/plain.txt"
ino=$(stat -c %i "$T/out/plain.txt")
kill -USR1 "$LPID"
wait_until 3 count_ge 1 'SIGUSR1' "$T/log"
sleep 0.5
check "SIGUSR1 with unchanged output keeps mtime and inode" \
    [ "$(stat -c %Y:%i "$T/out/plain.txt")" = "$(date -d '2001-01-01 00:00:00' +%s):$ino" ]

# a change: quiescence, then one write and the old one kept as .bak
cp "$T/out/haproxy.cfg" "$T/haproxy.before"
ann4 192.0.2.12/32 443 >&3
check "a change is rendered after quiescence" \
    wait_until 3 grep -q 192.0.2.12 "$T/out/plain.txt"
wait_until 3 grep -q 192.0.2.12 "$T/out/haproxy.cfg"
check "backup = true keeps the previous file as .bak" \
    cmp -s "$T/out/haproxy.cfg.bak" "$T/haproxy.before"

# SIGHUP with a broken template keeps the old one
cp "$T/tmpl.mustache" "$T/tmpl.good"
printf '{{#services}}unclosed\n' >"$T/tmpl.mustache"
kill -HUP "$LPID"
check "SIGHUP with a broken template: reload refused, logged" \
    wait_until 3 grep -q 'reload failed' "$T/log"
check "SIGHUP refused: the status file says so" \
    wait_until 3 grep -q '"result": "failed"' "$T/status.json"
ann4 192.0.2.13/32 443 >&3
check "after a refused reload the old template keeps working" \
    wait_until 3 grep -q 192.0.2.13 "$T/out/plain.txt"
cp "$T/tmpl.good" "$T/tmpl.mustache"
printf 'listen-template {{#services}}{{name}} {{/services}}\n' \
    >"$T/tmpl.mustache"
kill -HUP "$LPID"
check "SIGHUP with a good template re-renders with it" \
    wait_until 3 grep -q '^listen-template http https' "$T/out/plain.txt"
check_listen_end "after all that"

# quiescence: a steady stream of changes still renders within wait_max
listen_conf -s https:443 -m 0.5 -M 1 "$T/tmpl.good" "$T/out/quiet.txt" \
    >"$T/q.conf"
start_listen "$T/q.conf"
{ up4; eor4; } >&3
wait_until 3 [ -e "$T/out/quiet.txt" ]
check "first render after End-of-RIB even with no routes" \
    grep -qx 'https' "$T/out/quiet.txt"
seen=
for i in $(seq 1 30); do
	ann4 "192.0.2.$((100 + i))/32" 443 >&3
	sleep 0.1
	if [ -z "$seen" ] && grep -q '192.0.2.101' "$T/out/quiet.txt"; then
		seen=$i
	fi
done
if [ -n "$seen" ] && [ "$seen" -le 20 ]; then
	ok "changes every 0.1 s (wait_min 0.5): rendered by wait_max ($seen)"
else
	not_ok "changes every 0.1 s (wait_min 0.5): rendered by wait_max (${seen:-never})"
fi
if [ -n "$seen" ] && [ "$seen" -ge 5 ]; then
	ok "quiescence: not rendered at the first change"
else
	not_ok "quiescence: not rendered at the first change (${seen:-never})"
fi
wait_until 3 grep -q '192.0.2.130' "$T/out/quiet.txt"
check "quiescence: the last change is rendered" \
    grep -q '192.0.2.130' "$T/out/quiet.txt"
stop_listen

# EOR gating with two sessions, and never an empty file at start
listen_conf -s https:443 -m 0.1 -M 1 "$T/tmpl.good" "$T/out/gate.txt" \
    >"$T/g.conf"
start_listen "$T/g.conf"
up4 >&3
sleep 1.5
check "nothing learned by wait_max after start: no file written" \
    [ ! -e "$T/out/gate.txt" ]
stop_listen
sed "s|wait_max = 1;|wait_max = 3;|" "$T/g.conf" >"$T/gb.conf"
start_listen "$T/gb.conf"
up4 >&3
exa_state $P6 connected fd00:179::2 >&3
exa_state $P6 up fd00:179::2 >&3
{ ann4 192.0.2.70/32 443; eor4; } >&3
sleep 0.5
check "EOR gating: one of two sessions' End-of-RIB is not enough" \
    [ ! -e "$T/out/gate.txt" ]
exa_announce $P6 fd00:179::2 ipv6 2001:db8::70/128 443 >&3
exa_eor $P6 ipv6 fd00:179::2 >&3
check "EOR gating: rendered once both sessions sent End-of-RIB" \
    wait_until 3 grep -q '^https 192.0.2.70 2001:db8::70$' "$T/out/gate.txt"
exa_state $P6 down fd00:179::2 >&3
check "a session going down drops its routes from the file" \
    wait_until 3 grep -q '^https 192.0.2.70$' "$T/out/gate.txt"
stop_listen

# a half-learned table after wait_max is rendered, without End-of-RIB
start_listen "$T/g.conf"
{ up4; ann4 192.0.2.71/32 443; } >&3
sleep 0.5
check "no End-of-RIB: nothing before wait_max" [ ! -e "$T/out/gate2.txt" ]
stop_listen
sed "s|gate.txt|gate2.txt|" "$T/g.conf" >"$T/g2.conf"
start_listen "$T/g2.conf"
{ up4; ann4 192.0.2.71/32 443; } >&3
check "no End-of-RIB: the learned routes are rendered after wait_max" \
    wait_until 4 grep -q '192.0.2.71' "$T/out/gate2.txt"
stop_listen

# two peers, one prefix: it stays until both withdraw
withdraw() {	# PEER LOCAL PREFIX
	printf '{ "exabgp": "4.0.1", "type": "update", "neighbor": { "address": { "local": "%s", "peer": "%s" }, "asn": { "local": 65000, "peer": 65001 }, "direction": "receive", "message": { "update": { "withdraw": { "ipv4 unicast": [ { "nlri": "%s" } ] } } } } }\n' \
	    "$2" "$1" "$3"
}
P4B=169.254.179.3
two_peers() {
	up4
	exa_state $P4B connected 169.254.179.2
	exa_state $P4B up 169.254.179.2
	ann4 192.0.2.80/32 443
	exa_announce $P4B 169.254.179.2 ipv4 192.0.2.80/32 443
	withdraw $P4 169.254.179.2 192.0.2.80/32
}
map_of() {	# FILE.json -> "PORT=IP,IP;..." 
	$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(";".join("%d=%s" % (s["port"], ",".join(b["ip"] for b in s["backends"])) for s in d["services"] if s["count"]))' "$1"
}
if [ -n "$PY" ]; then
	two_peers | $LISTEN --once --dump -c "$DUMPCONF" >"$T/two.json" 2>/dev/null
	check "two peers: a prefix stays while one still announces it" \
	    [ "$(map_of "$T/two.json")" = "443=192.0.2.80" ]
	{ two_peers; withdraw $P4B 169.254.179.2 192.0.2.80/32; } |
	    $LISTEN --once --dump -c "$DUMPCONF" >"$T/two.json" 2>/dev/null
	check "two peers: gone once both withdrew" \
	    [ "$(map_of "$T/two.json")" = "" ]
	{ two_peers; exa_state $P4B down 169.254.179.2; } |
	    $LISTEN --once --dump -c "$DUMPCONF" >"$T/two.json" 2>/dev/null
	check "two peers: gone when the last announcing peer goes down" \
	    [ "$(map_of "$T/two.json")" = "" ]
else
	skip "two peers announcing one prefix" "no python3"
fi

# a reload command that hangs is killed at its timeout; the daemon goes on
listen_conf -s https:443 -m 0.1 -M 1 -t 'command = [ "/bin/sleep", "60" ];' \
    -t 'command_timeout = 0.5;' "$T/tmpl.good" "$T/out/hang.txt" >"$T/h.conf"
start_listen "$T/h.conf"
{ up4; ann4 192.0.2.90/32 443; eor4; } >&3
if wait_until 5 grep -q "command '/bin/sleep 60' failed: timeout" "$T/log"; then
	ok "a hanging command is killed at command_timeout"
else
	not_ok "a hanging command is killed at command_timeout"
	diag "$(cat "$T/log")"
fi
ann4 192.0.2.91/32 443 >&3
check "after a killed command the next change is still rendered" \
    wait_until 5 grep -q '192.0.2.91' "$T/out/hang.txt"
stop_listen
check "hanging command: exit 0 on EOF" [ "$STATUS" = 0 ]

# a failed reload command is retried at the next pass, across a SIGHUP too
listen_conf -s https:443 -m 0.1 -M 1 \
    -t "command = \"test -e '$T/ok-flag' && echo reload-ok | tr a-z A-Z || exit 1\";" \
    "$T/tmpl.good" "$T/out/retry.txt" >"$T/r.conf"
rm -f "$T/ok-flag"
start_listen "$T/r.conf"
{ up4; ann4 192.0.2.95/32 443; eor4; } >&3
wait_until 3 grep -q "failed: exit 1" "$T/log"
touch "$T/ok-flag"
kill -USR1 "$LPID"
check "a failed command is retried at the next pass (file unchanged)" \
    wait_until 3 grep -q 'RELOAD-OK' "$T/log"
rm -f "$T/ok-flag"
ann4 192.0.2.96/32 443 >&3
wait_until 3 count_ge 2 'failed: exit 1' "$T/log"
touch "$T/ok-flag"
kill -HUP "$LPID"
if wait_until 3 count_ge 2 'RELOAD-OK' "$T/log"; then
	ok "a failed command is still retried after a SIGHUP"
else
	not_ok "a failed command is still retried after a SIGHUP"
	diag "$(tail -n 8 "$T/log")"
fi
stop_listen

# as root with user = "nobody": checks and commands run as nobody
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/drop"
	chmod 0711 "$T"		# nobody may pass through, not list
	chmod 0777 "$T/drop"
	listen_conf -x 'user = "nobody";' -s https:443 -m 0.1 -M 1 \
	    -t "check = \"id -u > '$T/drop/check-uid'\";" \
	    -t "command = \"id -u > '$T/drop/command-uid'\";" \
	    "$T/tmpl.good" "$T/drop/u.txt" >"$T/u.conf"
	start_listen "$T/u.conf"
	{ up4; ann4 192.0.2.97/32 443; eor4; } >&3
	wait_until 3 [ -s "$T/drop/command-uid" ]
	check "user = nobody: the check ran as nobody" \
	    [ "$(cat "$T/drop/check-uid" 2>/dev/null)" = "$(id -u nobody)" ]
	check "user = nobody: the command ran as nobody" \
	    [ "$(cat "$T/drop/command-uid" 2>/dev/null)" = "$(id -u nobody)" ]
	check "user = nobody: the file itself is written by the daemon" \
	    [ "$(stat -c %u "$T/drop/u.txt" 2>/dev/null)" = 0 ]
	stop_listen
else
	skip "checks and commands run as bgpsd.conf's user" "needs root"
fi

# refused_kept WHAT LOGGED PATTERN FILE: after a render that must be
# refused, two checks: PATTERN in the log within 3 s ("WHAT: LOGGED"),
# and FILE still holding OLD ("WHAT: old file kept")
refused_kept() {
	check "$1: $2" wait_until 3 grep -q "$3" "$T/log"
	check "$1: old file kept" [ "$(cat "$4")" = OLD ]
}

# min_backends: a catalogued service below it keeps the old file
listen_conf -s "http:80 https:443" -m 0.1 -M 1 -t 'min_backends = 1;' \
    "$T/tmpl.good" "$T/out/min.txt" >"$T/m.conf"
echo OLD >"$T/out/min.txt"
start_listen "$T/m.conf"
{ up4; ann4 192.0.2.20/32 443; eor4; } >&3
refused_kept min_backends "refusal logged" min_backends "$T/out/min.txt"
ann4 192.0.2.21/32 80 >&3
check "min_backends: written once every service has enough" \
    wait_until 3 grep -q 'http 192.0.2.21' "$T/out/min.txt"
stop_listen

# min_backends without a catalogue: a service the file was last written
# with is guarded, and an empty table never replaces the file
listen_conf -m 0.1 -M 1 -t 'min_backends = 1;' \
    "$T/tmpl.good" "$T/out/min2.txt" >"$T/m2.conf"
start_listen "$T/m2.conf"
{ up4; ann4 192.0.2.22/32 8080; eor4; } >&3
check "min_backends, no catalogue: first table written" \
    wait_until 3 grep -q 'port_8080 192.0.2.22' "$T/out/min2.txt"
exa_state $P4 down 169.254.179.2 >&3
check_tail "min_backends, no catalogue: the emptied table is refused" \
    "$T/log" 5 \
    wait_until 3 grep -q 'min2.txt: service port_8080 has 0 backend' "$T/log"
check "min_backends, no catalogue: the file keeps its backend" \
    grep -q 'port_8080 192.0.2.22' "$T/out/min2.txt"
stop_listen
# started on an empty table: nothing replaces the old file either
echo OLD >"$T/out/min3.txt"
sed 's/min2.txt/min3.txt/' "$T/m2.conf" >"$T/m3.conf"
start_listen "$T/m3.conf"
{ up4; eor4; } >&3
check_tail "min_backends: an empty table is refused at start" "$T/log" 5 \
    wait_until 3 grep -q 'min3.txt: service (all services) has 0' "$T/log"
check "min_backends: the old file stays" [ "$(cat "$T/out/min3.txt")" = OLD ]
stop_listen

# %s and %% in check and command: the file, and a literal %
listen_conf -m 0.1 -M 1 \
    -t "check = \"test -s %s && date +%%s > $T/out/pct.check\";" \
    -t 'command = [ "/bin/sh", "-c", "date +%%s > \"$1.stamp\"", "sh", "%s" ];' \
    "$T/tmpl.good" "$T/out/pct.txt" >"$T/pct.conf"
start_listen "$T/pct.conf"
{ up4; ann4 192.0.2.23/32 443; eor4; } >&3
wait_until 3 [ -s "$T/out/pct.txt.stamp" ]
check "%% in check: a literal % (date +%s ran)" \
    grep -Eq '^[0-9]{10,}$' "$T/out/pct.check"
check "%s and %% in command: the destination, and date +%s" \
    grep -Eq '^[0-9]{10,}$' "$T/out/pct.txt.stamp"
stop_listen

# a failing check keeps the old file; the daemon goes on
listen_conf -s https:443 -m 0.1 -M 1 \
    -t 'check = [ "/bin/grep", "-q", "192.0.2.31", "%s" ];' \
    -t 'command = [ "/bin/sh", "-c", "echo reloaded-checked" ];' \
    "$T/tmpl.good" "$T/out/checked.txt" >"$T/c.conf"
echo OLD >"$T/out/checked.txt"
start_listen "$T/c.conf"
{ up4; ann4 192.0.2.30/32 443; eor4; } >&3
refused_kept check "a failing check is logged" 'check failed' \
    "$T/out/checked.txt"
check "check: no staged file left" \
    [ "$(ls -A "$T/out" | grep -c bgpsd-)" = 0 ]
check "check: no command after a failed check" \
    bash -c "! grep -q reloaded-checked '$T/log'"
ann4 192.0.2.31/32 443 >&3
check "check: the next change passes the check and is written" \
    wait_until 3 grep -q 192.0.2.31 "$T/out/checked.txt"
wait_until 3 grep -q reloaded-checked "$T/log"
check "check: the command ran after the write" grep -q reloaded-checked \
    "$T/log"
# SIGTERM: prompt exit 0
kill -TERM "$LPID"
if exited_within 3; then
	check "SIGTERM: exit status 0" [ "$STATUS" = 0 ]
else
	not_ok "SIGTERM: exits within 3 s"
	stop_listen
fi

# the shutdown message: exit 0 at once, nothing written from a half table
cat >"$T/s.conf" <<EOF
services = ( { name = "https"; port = 443; } );
listen = {
	wait_min = 2;
	wait_max = 4;
	templates = ( {
		source = "$T/tmpl.good";
		destination = "$T/out/shutdown.txt";
	} );
};
EOF
start_listen "$T/s.conf"
{ up4; ann4 192.0.2.40/32 443; eor4;
  echo '{"type": "notification", "notification": "shutdown"}'; } >&3
if exited_within 2; then
	check "shutdown message: exit status 0" [ "$STATUS" = 0 ]
else
	not_ok "shutdown message: exits within 2 s with stdin still open"
	stop_listen
fi
check "shutdown message: nothing rendered" [ ! -e "$T/out/shutdown.txt" ]

# a full, then read-only, destination file system: old file intact,
# daemon alive, retried on SIGUSR1 once there is room again
mkdir -p "$T/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16k tmpfs "$T/small" \
    2>/dev/null; then
	MOUNTED=$T/small
	head -c 20000 /dev/zero | tr '\0' '#' >"$T/big.mustache"
	printf '\n{{#services}}{{name}}{{#backends}} {{ip}}{{/backends}}\n{{/services}}' \
	    >>"$T/big.mustache"
	listen_conf -s https:443 -m 0.1 -M 1 -l "status_file = \"$T/fstatus.json\";" \
	    "$T/big.mustache" "$T/small/big.conf" >"$T/f.conf"
	echo OLD >"$T/small/big.conf"
	start_listen "$T/f.conf"
	{ up4; ann4 192.0.2.60/32 443; eor4; } >&3
	check "full file system: the error is logged" \
	    wait_until 3 grep -q 'No space left' "$T/log"
	check "full file system: old file intact" \
	    [ "$(cat "$T/small/big.conf")" = OLD ]
	check "full file system: no staged file left" \
	    [ "$(ls -A "$T/small")" = big.conf ]
	check "full file system: daemon alive" kill -0 "$LPID"
	mount -o remount,size=1m "$T/small"
	kill -USR1 "$LPID"
	check "full file system: SIGUSR1 retries once there is room" \
	    wait_until 3 grep -q 'https 192.0.2.60' "$T/small/big.conf"
	cp "$T/small/big.conf" "$T/big.before"
	mount -o remount,ro "$T/small"
	ann4 192.0.2.61/32 443 >&3
	check "read-only file system: the error is logged" \
	    wait_until 3 grep -q 'Read-only file system' "$T/log"
	check "read-only file system: old file intact" \
	    cmp -s "$T/small/big.conf" "$T/big.before"
	check "read-only file system: daemon alive" kill -0 "$LPID"
	stop_listen
	check "full/read-only file system: exit 0 on EOF" [ "$STATUS" = 0 ]
	umount "$T/small" && MOUNTED=
else
	skip "full and read-only destination file system" "needs root and mount"
fi

# a bad configuration at start: alive, writing nothing, reading stdin
printf 'listen = { wait_min = "x"; };\n' >"$T/bad.conf"
start_listen "$T/bad.conf"
{ up4; ann4 192.0.2.50/32 443; eor4; } >&3
sleep 0.5
if kill -0 "$LPID" 2>/dev/null; then
	ok "bad configuration at start: still running (no crash loop)"
else
	not_ok "bad configuration at start: still running (no crash loop)"
fi
stop_listen
check "bad configuration at start: exit 0 on EOF" [ "$STATUS" = 0 ]

# status_file and metrics_file unwritable: logged once each, not at every
# peer state change or pass
printf 'listen = { wait_min = 0.1; wait_max = 0.5; status_file = "%s"; metrics_file = "%s"; };\n' \
    "$T/missing/status.json" "$T/missing/metrics.prom" >"$T/nostatus.conf"
start_listen "$T/nostatus.conf"
{ up4; ann4 192.0.2.50/32 443; eor4; } >&3
sleep 0.5
{ exa_state $P4 down 169.254.179.2; up4; ann4 192.0.2.51/32 443; eor4; } >&3
sleep 0.5
stop_listen
check "unwritable status_file: logged once" \
    test "$(grep -c 'status_file ' "$T/log")" = 1
check "unwritable metrics_file: logged once" \
    test "$(grep -c 'metrics_file ' "$T/log")" = 1

# 10,000 peer flaps (2,000 peers, each up and down five times): with a
# status file they cost what they cost without one (the status was
# rebuilt and fsync'ed at every state message: > 120 s against 0.3 s);
# the bound below is loose, the ratio is make bench's. Peers that are gone
# are not in the status.
awk 'BEGIN {
	for (r = 0; r < 5; r++)
		for (i = 0; i < 2000; i++) {
			p = sprintf("198.51.%d.%d", 100 + int(i / 250), i % 250 + 1)
			for (s = 0; s < 2; s++)
				printf "{ \"exabgp\": \"4.0.1\", \"type\": \"state\", \"neighbor\": { \"address\": { \"local\": \"169.254.179.2\", \"peer\": \"%s\" }, \"asn\": { \"local\": 65000, \"peer\": 65001 }, \"state\": \"%s\" } }\n", p, s ? "down" : "up"
		}
	printf "{ \"exabgp\": \"4.0.1\", \"type\": \"state\", \"neighbor\": { \"address\": { \"local\": \"169.254.179.2\", \"peer\": \"198.51.100.1\" }, \"asn\": { \"local\": 65000, \"peer\": 65001 }, \"state\": \"up\" } }\n"
}' >"$T/flaps.jsonl"
printf 'listen = { wait_min = 0.1; wait_max = 0.5; };\n' >"$T/flap0.conf"
printf 'listen = { wait_min = 0.1; wait_max = 0.5; status_file = "%s"; metrics_file = "%s"; };\n' \
    "$T/flap.json" "$T/flap.prom" >"$T/flap1.conf"
# flap_secs CONF: seconds until bgpsd-listen has read it all and exited
flap_secs() {
	local t0 t1
	t0=$(date +%s%N)
	cat "$T/flaps.jsonl" | timeout 60 $LISTEN -c "$1" >/dev/null \
	    2>"$T/flap.log"
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}
ms0=$(flap_secs "$T/flap0.conf")
ms1=$(flap_secs "$T/flap1.conf")
diag "10,000 flaps: ${ms0} ms without a status file, ${ms1} ms with one"
check "10,000 peer flaps with a status file: bounded (< 10 s and < 5x without)" \
    [ "$ms1" -lt 10000 ] && [ "$ms1" -lt $((5 * ms0 + 1000)) ]
if [ -n "$PY" ] && $PY - "$T/flap.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
peers = [p["address"] for p in s["peers"]]
assert peers == ["198.51.100.1"], peers
assert s["lines"]["read"] == 20001, s["lines"]
EOF
then
	ok "status after the flaps: only the peer still up, every line counted"
else
	not_ok "status after the flaps: only the peer still up, every line counted"
	diag "$(head -c 600 "$T/flap.json")"
fi
check "metrics after the flaps: one peer" \
    test "$(grep -c '^bgpsd_listen_peer_up{' "$T/flap.prom")" = 1

# ---- the table recovery at start (a respawn while the sessions stay up) ----
# ExaBGP's answers as 4.2.21 writes them (tests/data/listen/adjrib/)
SUMMARY4="$P4   65001     0:07:11 established           3         12"
route4() {	# PREFIX COMMUNITY
	printf 'neighbor %s local-ip 169.254.179.2 local-as 65000 peer-as 65001 router-id 169.254.179.2 family-allowed in-open ipv4 unicast %s next-hop %s origin igp as-path [ 65001 ] community %s\n' \
	    "$P4" "$1" "$P4" "$2"
}
respawn_answer() {	# the peer was up with two routes
	printf '%s\n%s\ndone\n' "$SUMMARY_HEAD" "$SUMMARY4"
	route4 192.0.2.60/32 '[ 12345:80 12345:443 ]'
	route4 192.0.2.61/32 12345:443
	printf 'done\n%s\n%s\ndone\n' "$SUMMARY_HEAD" "$SUMMARY4"
}
rec_state() {	# the recovery exa_state in the status file is $1
	[ -n "$PY" ] && $PY -c 'import json,sys
s = json.load(open(sys.argv[1]))
sys.exit(s["recovery"]["state"] != sys.argv[2])' "$T/rstatus.json" "$1" 2>/dev/null
}
listen_conf -s "http:80 https:443" -m 0.1 -M 0.5 -l 'recovery_timeout = 1;' \
    -l "status_file = \"$T/rstatus.json\";" \
    -l "metrics_file = \"$T/rmetrics.prom\";" \
    "$T/tmpl.good" "$T/out/rec.txt" >"$T/rec.conf"
# respawned: the routes come from the answer only, no state, no EOR
rm -f "$T/out/rec.txt"
start_listen "$T/rec.conf" noanswer
wait_until 3 test "$(cat "$T/stdout")" = "$REQUEST"
check "recovery: the request is written on stdout at start" \
    test "$(cat "$T/stdout")" = "$REQUEST"
respawn_answer >&3
if wait_until 3 grep -q '^https 192.0.2.60 192.0.2.61$' "$T/out/rec.txt"; then
	ok "recovery: a respawned listener renders the routes ExaBGP held"
else
	not_ok "recovery: a respawned listener renders the routes ExaBGP held"
	diag "$(cat "$T/log")"
fi
rec_done_1_2() {
	[ -n "$PY" ] && $PY -c 'import json,sys
r = json.load(open(sys.argv[1]))["recovery"]
assert (r["state"], r["peers"], r["routes"], r["attempts"]) == ("done", 1, 2, 1), r' \
	    "$T/rstatus.json"
}
# the status and metrics follow within status_interval (1 s)
check "recovery: the status says done, 1 peer, 2 routes" \
    wait_until 3 rec_done_1_2
check "recovery: the metric says recovered" wait_until 3 grep -qx \
    'bgpsd_listen_table_recovered 1' "$T/rmetrics.prom"
ann4 192.0.2.62/32 443 >&3
check "recovery: a later update is rendered as usual" \
    wait_until 3 grep -q '^https 192.0.2.60 192.0.2.61 192.0.2.62$' \
    "$T/out/rec.txt"
stop_listen
check "recovery: the answer lines are no malformed lines" \
    test "$(grep -c 'stdin line .* skipped' "$T/log")" = 0

# no answer: the files stay as they are, even when updates come
printf 'the old file\n' >"$T/out/rec.txt"
touch -d '2001-01-01 00:00:00' "$T/out/rec.txt"
old=$(stat -c %Y:%i "$T/out/rec.txt")
start_listen "$T/rec.conf" noanswer
ann4 192.0.2.63/32 443 >&3
check "no answer: failed after recovery_timeout, logged" \
    wait_until 4 grep -q 'table recovery failed: no answer from ExaBGP within 1 s' "$T/log"
check "no answer: the status says failed" wait_until 2 rec_state failed
check "no answer: the metric says not recovered" wait_until 3 grep -qx \
    'bgpsd_listen_table_recovered 0' "$T/rmetrics.prom"
{ up4; ann4 192.0.2.64/32 443; eor4; } >&3
sleep 1.5
check "no answer: past wait_max and an End-of-RIB, the file is untouched" \
    test "$(stat -c %Y:%i "$T/out/rec.txt")" = "$old"
# SIGUSR1 asks again; this time the answer comes
kill -USR1 "$LPID"
wait_until 3 test "$(grep -c '^show adj-rib in extensive$' "$T/stdout")" = 2
check "SIGUSR1 after a failed recovery asks ExaBGP again" \
    test "$(grep -c '^show adj-rib in extensive$' "$T/stdout")" = 2
respawn_answer >&3
# the up read before made 169.254.179.1 live: its answer is not used,
# and the up dropped what it had announced before (192.0.2.63)
if wait_until 3 grep -q '^https 192.0.2.64$' "$T/out/rec.txt"; then
	ok "answered after SIGUSR1: rendered; the JSON wins over the answer"
else
	not_ok "answered after SIGUSR1: rendered; the JSON wins over the answer"
	diag "$(cat "$T/out/rec.txt")" "$(tail -n 5 "$T/log")"
fi
stop_listen

# "error": failed at once; every session restarting ends it
rm -f "$T/out/rec.txt"
start_listen "$T/rec.conf" noanswer
printf '%s\n%s\ndone\nerror\n%s\n%s\ndone\n' "$SUMMARY_HEAD" "$SUMMARY4" \
    "$SUMMARY_HEAD" "$SUMMARY4" >&3
check "error answer: failed, logged" \
    wait_until 3 grep -q "table recovery failed: ExaBGP answered 'error'" "$T/log"
ann4 192.0.2.65/32 443 >&3
sleep 1
check "error answer: nothing written" test ! -e "$T/out/rec.txt"
{ exa_state $P4 down 169.254.179.2; up4; ann4 192.0.2.66/32 443; eor4; } >&3
if wait_until 3 grep -q '^https 192.0.2.66$' "$T/out/rec.txt"; then
	ok "error answer: ended by the session restarting, then rendered"
else
	not_ok "error answer: ended by the session restarting, then rendered"
	diag "$(tail -n 5 "$T/log")"
fi
check "error answer: the status says how it ended" wait_until 3 \
    grep -q 'every session that was up restarted' "$T/rstatus.json"
stop_listen

# recovery_timeout = 0: nothing asked, nothing waited for
sed 's/recovery_timeout = 1;/recovery_timeout = 0;/' "$T/rec.conf" \
    >"$T/rec0.conf"
rm -f "$T/out/rec.txt"
start_listen "$T/rec0.conf" noanswer
{ up4; ann4 192.0.2.67/32 443; eor4; } >&3
check "recovery_timeout = 0: rendered without an answer" \
    wait_until 3 grep -q '^https 192.0.2.67$' "$T/out/rec.txt"
stop_listen
check "recovery_timeout = 0: nothing on stdout" test ! -s "$T/stdout"

# ExaBGP gone before the request could be written: EPIPE, exit 0
rm -f "$T/in"
mkfifo "$T/in"
# the reader of stdout is gone before bgpsd-listen starts (with a plain
# '| true' it could still be there at the first write on a loaded machine)
rm -f "$T/rpid"
( set -o pipefail
  ( n=0
    while [ $n -lt 200 ] && { [ ! -s "$T/rpid" ] ||
	kill -0 "$(cat "$T/rpid")" 2>/dev/null; }; do
	sleep 0.05
	n=$((n + 1))
    done
    exec $LISTEN -v -c "$T/rec.conf" <"$T/in" 2>"$T/log" ) |
      sh -c 'echo $$ >"$1"' sh "$T/rpid" ) &
LPID=$!
exec 3>"$T/in"
wait_until 3 grep -q 'stdout closed' "$T/log"
stop_listen
check "stdout closed (EPIPE): logged, exit 0" \
    grep -q 'stdout closed: ExaBGP is gone' "$T/log" && [ "$STATUS" = 0 ]

# a bad command line under ExaBGP (stdin a pipe): no crash loop either
rm -f "$T/in"
mkfifo "$T/in"
$LISTEN --bogus -c "$TOP/etc/bgpsd.conf" <"$T/in" >"$T/stdout" 2>"$T/log" &
LPID=$!
exec 3>"$T/in"
{ up4; ann4 192.0.2.50/32 443; eor4; } >&3
sleep 0.5
check "bad option under ExaBGP: still running (no crash loop)" \
    kill -0 "$LPID"
check "bad option under ExaBGP: logged loudly" \
    grep -q "bad command line" "$T/log"
kill -HUP "$LPID"
wait_until 5 grep -q "a bad command line cannot be reloaded" "$T/log"
check "bad option under ExaBGP: SIGHUP says it cannot help, still up" \
    kill -0 "$LPID"
stop_listen
check "bad option under ExaBGP: exit 0 on EOF" [ "$STATUS" = 0 ]
check "bad option under ExaBGP: nothing on stdout" [ ! -s "$T/stdout" ]
$LISTEN --bogus </dev/null >/dev/null 2>&1
check "bad option, stdin not a pipe: usage error, exit 1" [ $? = 1 ]
printf '' | $LISTEN --bogus --once >/dev/null 2>&1
check "bad option with --once, stdin a pipe: usage error, exit 1" [ $? = 1 ]
check "-n on a bad configuration fails" \
    bash -c "! $LISTEN -n -c '$T/bad.conf' 2>/dev/null"
check "-n on the shipped configuration succeeds" \
    $LISTEN -n -c "$TOP/etc/bgpsd.conf"

# ---- the manual -----------------------------------------------------------
MAN=$TOP/man/bgpsd-listen.8
missing=
for o in $(grep -o '^	{ "[a-z-]*",' "$TOP/src/listen/main.c" | tr -d '{", \t'); do
	grep -q -- "Fl -$o" "$MAN" || missing="$missing --$o"
done
if [ -z "$missing" ]; then
	ok "every long option of main.c is in bgpsd-listen.8"
else
	not_ok "every long option of main.c is in bgpsd-listen.8"
	diag "missing:$missing"
fi
if command -v mandoc >/dev/null 2>&1; then
	out=$(mandoc -T lint -W warning "$MAN" 2>&1)
	check "mandoc -T lint -W warning bgpsd-listen.8" [ -z "$out" ]
else
	skip "mandoc -T lint -W warning bgpsd-listen.8" "no mandoc"
fi
check "--help names every long option" \
    bash -c "for o in config check-config verbose version help syslog once dump render data html-escape; do $LISTEN --help | grep -q -- \"--\$o\" || exit 1; done"
check "-V prints the version" bash -c "$LISTEN -V | grep -q '^bgpsd-listen [0-9]'"
check "--dump without --once is a usage error" \
    bash -c "! $LISTEN --dump </dev/null 2>/dev/null"
