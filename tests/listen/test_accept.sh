#!/bin/bash
# tests/listen/test_accept.sh - bgpsd-listen's accept filters, the real
# daemon fed ExaBGP JSON on a fifo: routes from a peer outside
# accept_peers or with a prefix outside accept_prefixes never reach the
# rendered file; each ignored (peer, prefix) is logged once, not per
# update; the status file and metrics count them; SIGHUP re-filters the
# stored table both ways.
. "$(dirname "$0")/../lib.sh"
mktmp

if [ ! -x "$BUILD/bgpsd-listen" ]; then
	not_ok "bgpsd-listen built ($BUILD/bgpsd-listen)"
	exit 1
fi
PY=
command -v python3 >/dev/null 2>&1 && PY=python3

GOOD=169.254.179.1	# the legitimate announcer (a /24 of them is accepted)
GOOD6=fd00:179::1
ROGUE=169.254.180.66	# outside accept_peers
LOCAL=169.254.179.2

count() { grep -c -- "$1" "$2" 2>/dev/null; }
count_ge() { [ "$(count "$2" "$3")" -ge "$1" ]; }

LPID=
start_listen() {
	rm -f "$T/in"
	mkfifo "$T/in"
	$LISTEN -c "$1" <"$T/in" >"$T/stdout" 2>"$T/log" &
	LPID=$!
	exec 3>"$T/in"
	fresh_answer >&3
}
trap '[ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null; rm -rf "$T"' EXIT

printf '{{#services}}{{name}}{{#backends}} {{ip}}{{/backends}}\n{{/services}}' \
    >"$T/tmpl.mustache"
# conf FILTER_LINES: the listener's config with these accept lines
conf() {
	listen_conf -s "web:80 api:443" -m 0.1 -M 2 -l "$1" \
	    -l "status_file = \"$T/status.json\";" \
	    -l "metrics_file = \"$T/metrics.prom\";" \
	    "$T/tmpl.mustache" "$T/out.txt"
}
FILTERS='accept_prefixes = [ "192.0.2.0/25", "2001:db8::/32" ];
	accept_peers = [ "169.254.179.0/24", "fd00:179::1" ];'
conf "$FILTERS" >"$T/filtered.conf"
conf "" >"$T/open.conf"
check "-n accepts the filtered config" eval \
    '$LISTEN -n -c "$T/filtered.conf" >/dev/null 2>&1'

start_listen "$T/filtered.conf"
exa_state $GOOD up "$LOCAL" >&3
exa_state $GOOD6 up "$LOCAL" >&3
exa_state $ROGUE up "$LOCAL" >&3
exa_announce $GOOD "$LOCAL" ipv4 192.0.2.10/32 80 >&3
exa_announce $GOOD6 "$LOCAL" ipv6 2001:db8::10/128 80 >&3
# the rogue claims the good host's /32 for a port it does not serve, and
# its own address outside accept_prefixes; the good peer strays as well
for i in 1 2 3 4 5; do
	exa_announce $ROGUE "$LOCAL" ipv4 192.0.2.10/32 443 >&3
	exa_announce $GOOD "$LOCAL" ipv4 198.51.100.1/32 443 >&3
	exa_announce $GOOD "$LOCAL" ipv4 192.0.2.128/32 443 >&3	# one beyond the /25
done
exa_eor $GOOD ipv4 "$LOCAL" >&3
exa_eor $GOOD6 ipv6 "$LOCAL" >&3
printf 'web 192.0.2.10 2001:db8::10\napi\n' >"$T/want"
if wait_until 4 cmp -s "$T/out.txt" "$T/want"; then
	ok "filtered: only the accepted routes are rendered"
else
	not_ok "filtered: only the accepted routes are rendered"
	diag "$(cat "$T/out.txt" 2>&1)" "$(cat "$T/log")"
fi
check "filtered: the rogue's route logged as ignored (peer)" grep -q \
    "peer $ROGUE: route 192.0.2.10/32 ignored: peer not in accept_peers" \
    "$T/log"
check "filtered: a prefix outside accept_prefixes logged (prefix)" grep -q \
    "peer $GOOD: route 192.0.2.128/32 ignored: prefix outside accept_prefixes" \
    "$T/log"
n=$(count ' ignored: ' "$T/log")
check "filtered: five updates each, logged once per (peer, prefix) ($n lines)" \
    test "$n" = 3
status_has() {
	[ -n "$PY" ] || return 0
	$PY - "$T/status.json" "$@" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
peers = {p["address"]: p for p in s["peers"]}
want = sys.argv[2:]
assert s["routes_ignored"] == int(want[0]), s["routes_ignored"]
for w in want[1:]:
    addr, acc, ign, why = w.split(",")
    p = peers[addr]
    assert p["accepted"] == (acc == "1"), p
    assert p["ignored"] == int(ign), p
    assert p["ignored_reason"] == why, p
EOF
}
if wait_until 3 status_has 3 "$GOOD,1,2,prefix" "$ROGUE,0,1,peer" \
    "$GOOD6,1,0,prefix"; then
	ok "filtered: the status file counts ignored routes per peer"
else
	not_ok "filtered: the status file counts ignored routes per peer"
	diag "$(cat "$T/status.json")"
fi
check "filtered: metrics count them by peer and reason" grep -q \
    "^bgpsd_listen_peer_routes_ignored{peer=\"$ROGUE\",reason=\"peer\"} 1\$" \
    "$T/metrics.prom"
check "filtered: metrics for the good peer" grep -q \
    "^bgpsd_listen_peer_routes_ignored{peer=\"$GOOD\",reason=\"prefix\"} 2\$" \
    "$T/metrics.prom"

# a rogue route arriving later changes no file, but the status follows
exa_announce $ROGUE "$LOCAL" ipv4 192.0.2.11/32 80 >&3
if wait_until 3 status_has 4 "$ROGUE,0,2,peer"; then
	ok "a later ignored route reaches the status file without a render"
else
	not_ok "a later ignored route reaches the status file without a render"
	diag "$(cat "$T/status.json")"
fi
check "... and still not the rendered file" cmp -s "$T/out.txt" "$T/want"

# SIGHUP without filters: the stored ignored routes come in at once
cp "$T/filtered.conf" "$T/filtered.conf.orig"
cp "$T/open.conf" "$T/filtered.conf"
kill -HUP "$LPID"
printf 'web 192.0.2.10 192.0.2.11 2001:db8::10\napi 192.0.2.10 192.0.2.128 198.51.100.1\n' \
    >"$T/want.open"
if wait_until 4 cmp -s "$T/out.txt" "$T/want.open"; then
	ok "SIGHUP, filters removed: the ignored routes are rendered"
else
	not_ok "SIGHUP, filters removed: the ignored routes are rendered"
	diag "$(cat "$T/out.txt" 2>&1)"
fi
# and back: they leave again, and are logged again (new filters)
cp "$T/filtered.conf.orig" "$T/filtered.conf"
kill -HUP "$LPID"
printf 'web 192.0.2.10 2001:db8::10\napi\n' >"$T/want"
if wait_until 4 cmp -s "$T/out.txt" "$T/want"; then
	ok "SIGHUP, filters back: accepted routes leave the file at once"
else
	not_ok "SIGHUP, filters back: accepted routes leave the file at once"
	diag "$(cat "$T/out.txt" 2>&1)"
fi
# 4 before, then the 4 stored routes the restored filters exclude again
n=$(count ' ignored: ' "$T/log")
check "SIGHUP, new filters: what they exclude is logged again ($n lines)" \
    test "$n" = 8
check_listen_end "after the reloads"
