#!/bin/bash
# tests/announce/test_require_address.sh - a prefix is announced only while
# its address is on an up interface of the host (announce.require_address,
# the default), like anycast-healthchecker's ip check: the real daemon,
# driven through pipes like ExaBGP drives it, in a network namespace of
# its own where this suite adds and deletes the addresses with ip(8).
#
#   address absent at start -> withdrawn, the status file says "absent"
#   ip addr add             -> announced, through netlink, within 2 s
#   ip addr del             -> withdrawn within 2 s, status "absent", log
#   link down / up          -> withdrawn / announced
#   require_address = false -> announced without the address
#   --once                  -> withdraw line and exit 1 while it is absent
#
# As root the suite re-runs itself under unshare -n and runs the daemon as
# nobody (ExaBGP runs its processes unprivileged); otherwise under
# unshare -rn when user namespaces are allowed; else it skips.
. "$(dirname "$0")/../lib.sh"

if [ "${1:-}" != --in-netns ]; then
	if ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
		skip "require_address" "needs unshare, ip"
		exit 0
	fi
	if [ "$(id -u)" = 0 ]; then
		exec unshare -n bash "$0" --in-netns root
	fi
	if unshare -rn true 2>/dev/null; then
		exec unshare -rn bash "$0" --in-netns user
	fi
	skip "require_address" "needs a network namespace of its own: root," \
	    "or unprivileged user namespaces"
	exit 0
fi
ip link set lo up || exit 1
mktmp
PIDS=""
cleanup() {
	exec 3>&- 2>/dev/null
	stop_pids
	rm -rf "$T"
}
trap cleanup EXIT
trap '' PIPE

# as root, the daemon runs as nobody, in a folder it may write (in a user
# namespace "root" is ourselves, and nobody is not mapped)
RUNAS=""
if [ "${2:-}" = root ] && command -v setpriv >/dev/null &&
    id nobody >/dev/null 2>&1; then
	RUNAS="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
	chmod 755 "$T"
	mkdir -m 1777 "$T/pub"
else
	mkdir "$T/pub"
fi
diag "daemon runs as: $(${RUNAS:-} id -un)"

P4=192.0.2.10
P6=2001:db8::10
P0=192.0.2.20		# require_address = false
cat >"$T/pub/a.conf" <<EOF
asn = 12345;
services = ( { name = "web"; port = 80; rise = 1; fall = 1;
	interval = 0.5; fast_interval = 0.5; timeout = 0.4;
	checks = ( { type = "exec"; command = [ "true" ]; } ); } );
announce = {
	prefixes = ( "$P4/32", "$P6/128",
	    { prefix = "$P0/32"; require_address = false; } );
	splay = false;
	ack = false;
	batch = 0.0;
	status_file = "$T/pub/status.json";
	metrics_file = "$T/pub/metrics.prom";
};
EOF
A4="announce route $P4/32 next-hop self community [12345:80]"
W4="withdraw route $P4/32 next-hop self"
A6="announce route $P6/128 next-hop self community [12345:80]"
W6="withdraw route $P6/128 next-hop self"
A0="announce route $P0/32 next-hop self community [12345:80]"

# ---- --once -----------------------------------------------------------------
out=$(${RUNAS:-} $ANNOUNCE --once -c "$T/pub/a.conf" 2>"$T/once.err")
rc=$?
check "--once, addresses absent: exit 1" test $rc = 1
check "--once, addresses absent: withdraws, and the unchecked prefix announced" \
    test "$out" = "$W4
$W6
$A0"
check "--once, addresses absent: says why" \
    grep -q "prefix $P4/32: its address is not on an interface of this host that is up: withdrawn" \
    "$T/once.err"
ip addr add $P4/32 dev lo
ip -6 addr add $P6/128 dev lo nodad
out=$(${RUNAS:-} $ANNOUNCE --once -c "$T/pub/a.conf" 2>"$T/once.err")
rc=$?
check "--once, addresses present: exit 0" test $rc = 0
check "--once, addresses present: every prefix announced" test "$out" = "$A4
$A6
$A0"
ip addr del $P4/32 dev lo
ip -6 addr del $P6/128 dev lo

# ---- the daemon ---------------------------------------------------------------
mkfifo "$T/in"
${RUNAS:-} $ANNOUNCE -v -c "$T/pub/a.conf" <"$T/in" >"$T/out" 2>"$T/err" &
DPID=$!
PIDS="$PIDS $DPID"
exec 3>"$T/in"

# last_line PREFIX: the last line written for PREFIX
last_line() { grep -F " route $1 " "$T/out" | tail -n 1; }
is_last() { [ "$(last_line "$1")" = "$2" ]; }
# status_addr PREFIX: its "address" and number of ports in the status
# file (read with awk: python's start-up is slow on a loaded machine)
status_addr() {
	awk -v p="\"prefix\": \"$1\"," '
	    index($0, p) { inp = 1; n = 0; next }
	    inp && /"ports": \[\]/ { next }
	    inp && /"ports": \[/ { inports = 1; next }
	    inports && /\]/ { inports = 0; next }
	    inports { n++; next }
	    inp && /"address":/ {
		gsub(/[",]/, "", $2); print $2, n; exit
	    }' "$T/pub/status.json" 2>/dev/null
}
status_is() { [ "$(status_addr "$1")" = "$2" ]; }
# dcheck NAME CMD...: check, and show the daemon's output on failure
dcheck() { check_logs "$1" 8 "$T/out" "$T/err" -- "${@:2}"; }
# timed NAME BOUND CMD...: CMD true within BOUND seconds of now; the delay
timed() {
	local n=$1 bound=$2 t0 t1
	shift 2
	t0=$(date +%s%N)
	if wait_until 5 "$@"; then
		t1=$(date +%s%N)
		check "$n" [ $(( (t1 - t0) / 1000000 )) -le $((bound * 1000)) ]
		diag "$n: after $(( (t1 - t0) / 1000000 )) ms (bound ${bound} s)"
	else
		not_ok "$n"
		diag "stdout:" "$(tail -n 6 "$T/out")" "stderr:" \
		    "$(grep -v 'started /' "$T/err" | tail -n 8)" "status:" \
		    "$(status_addr "$P4/32")"
	fi
}

wait_until 5 is_last "$P0/32" "$A0"
dcheck "daemon, address absent: the unchecked prefix is announced" \
    is_last "$P0/32" "$A0"
dcheck "daemon, address absent: the /32 stays withdrawn" is_last "$P4/32" "$W4"
dcheck "daemon, address absent: the /128 stays withdrawn" is_last "$P6/128" "$W6"
wait_until 5 status_is "$P4/32" "absent 1"
dcheck "daemon, address absent: status says absent, the healthy port kept" \
    status_is "$P4/32" "absent 1"
dcheck "daemon, address absent: status of the unchecked prefix" \
    status_is "$P0/32" "unchecked 1"
dcheck "daemon, address absent: logged at start, with the way out" \
    grep -q "prefix $P4/32: its address is not on an interface of this host that is up: withdrawn (0 healthy ports kept) until it is; require_address = false announces it anyway" \
    "$T/err"
dcheck "daemon: metrics file says the address is absent" \
    grep -qx "bgpsd_prefix_address_present{prefix=\"$P4/32\"} 0" \
    "$T/pub/metrics.prom"

# the address arrives: announced through netlink (well before the 5 s
# periodic re-read)
ip addr add $P4/32 dev lo
timed "ip addr add: the /32 is announced" 2 is_last "$P4/32" "$A4"
dcheck "ip addr add: seen through a netlink notification" \
    grep -q "ifaddr: .* addresses on up interfaces (netlink notification)" \
    "$T/err"
dcheck "ip addr add: logged" \
    grep -q "prefix $P4/32: its address is back on this host: announced again (1 healthy ports)" \
    "$T/err"
timed "ip addr add: the status file says present" 2 \
    status_is "$P4/32" "present 1"
dcheck "ip addr add: the /128 still withdrawn" is_last "$P6/128" "$W6"
ip -6 addr add $P6/128 dev lo nodad
timed "ip -6 addr add: the /128 is announced" 2 is_last "$P6/128" "$A6"

# the address goes: withdrawn, the status says why
n0=$(grep -c "its address is not on an interface" "$T/err")
ip addr del $P4/32 dev lo
timed "ip addr del: the /32 is withdrawn" 2 is_last "$P4/32" "$W4"
timed "ip addr del: the status file says absent" 2 \
    status_is "$P4/32" "absent 1"
dcheck "ip addr del: logged once" test \
    "$(grep -c "prefix $P4/32: its address is not on an interface of this host that is up any more" "$T/err")" = 1
# (each prefix was withdrawn once at start, then announced once)
dcheck "ip addr del: the other prefixes are untouched" \
    sh -c "[ \"\$(grep -cF ' route $P6/128 ' '$T/out')\" = 2 ] &&
	[ \"\$(grep -cF ' route $P0/32 ' '$T/out')\" = 2 ]"
dcheck "ip addr del: metrics file follows" \
    wait_until 2 grep -qx "bgpsd_prefix_address_present{prefix=\"$P4/32\"} 0" \
    "$T/pub/metrics.prom"

# back again
ip addr add $P4/32 dev lo
timed "ip addr add again: the /32 is announced again" 2 is_last "$P4/32" "$A4"
dcheck "ip addr add again: announced twice in all, withdrawn twice" \
    sh -c "[ \"\$(grep -cxF '$A4' '$T/out')\" = 2 ] &&
	[ \"\$(grep -cxF '$W4' '$T/out')\" = 2 ]"

# an interface that goes down takes its addresses along (the loopback);
# the kernel drops its IPv6 addresses with it (keep_addr_on_down is 0)
ip link set lo down
timed "lo down: every checked prefix is withdrawn" 2 \
    sh -c "[ \"\$(grep -F ' route $P4/32 ' '$T/out' | tail -n 1)\" = '$W4' ] &&
	[ \"\$(grep -F ' route $P6/128 ' '$T/out' | tail -n 1)\" = '$W6' ]"
dcheck "lo down: the unchecked prefix stays announced" is_last "$P0/32" "$A0"
ip link set lo up
timed "lo up: the /32 comes back" 2 is_last "$P4/32" "$A4"
sleep 0.3
dcheck "lo up: the /128 does not, its address went with the link" \
    is_last "$P6/128" "$W6"
ip -6 addr add $P6/128 dev lo nodad
timed "ip -6 addr add: the /128 comes back" 2 is_last "$P6/128" "$A6"

# a service change while the address is absent: the port set follows,
# the route stays withdrawn
ip addr del $P4/32 dev lo
wait_until 5 is_last "$P4/32" "$W4"
n=$(grep -cF " route $P4/32 " "$T/out")
sed -i 's/command = \[ "true" \]/command = [ "false" ]/' "$T/pub/a.conf"
kill -HUP "$DPID"
wait_until 5 status_is "$P4/32" "absent 0"
dcheck "reload while absent: status keeps saying absent (now 0 ports)" \
    status_is "$P4/32" "absent 0"
dcheck "reload while absent: nothing new written for the /32" \
    test "$(grep -cF " route $P4/32 " "$T/out")" = "$n"

dcheck "the daemon is still running" kill -0 "$DPID"
exec 3>&-
wait_until 5 sh -c "! kill -0 $DPID 2>/dev/null"
dcheck "EOF on stdin: exits" sh -c "! kill -0 $DPID 2>/dev/null"
check "no sanitizer report" sh -c "! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/err' '$T/once.err'"
