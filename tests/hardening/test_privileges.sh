#!/bin/bash
# tests/hardening/test_privileges.sh - who things run as, and file modes.
#   user/group: as root with user "nobody", exec checks (bgpsd-announce)
#   and check/reload commands (bgpsd-listen) run as nobody:nogroup;
#   bgpsd-announce runs as a non-root user (--once and as a daemon), the
#   way Debian's ExaBGP starts it (user exabgp); no file either daemon
#   creates is world-writable, even under umask 000.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/listen-json.sh"
mktmp

PIDS=""
cleanup() {
	local p
	exec 3>&- 5>&- 2>/dev/null
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

for p in bgpsd-listen bgpsd-announce; do
	if [ ! -x "$BUILD/$p" ]; then
		not_ok "$p built ($BUILD/$p)"
		exit 1
	fi
done
# a folder anyone may write (the checks run as nobody write there)
mkdir -p "$T/pub"
chmod 1777 "$T/pub"
# ran_as NAME RC ERRFILE FILE WANT...: ok NAME when the program exited 0
# and every FILE of $T/pub (what a child wrote: id -u, id -g, id -G)
# holds WANT; else not ok, with what they hold and the program's stderr
ran_as() {
	local name=$1 rc=$2 errf=$3 got bad=""
	shift 3
	[ "$rc" = 0 ] || bad="exit $rc;"
	while [ $# -ge 2 ]; do
		got=$(cat "$T/pub/$1" 2>/dev/null)
		[ "$got" = "$2" ] || bad="$bad $1: '$got', wanted '$2';"
		shift 2
	done
	if [ -z "$bad" ]; then
		ok "$name"
	else
		not_ok "$name"
		diag "$bad" "$(tail -n 20 "$errf")"
	fi
}
chmod 755 "$T"
NOBODY_UID=$(id -u nobody 2>/dev/null)
NOGROUP_GID=$(getent group nogroup | cut -d: -f3)
AS_ROOT=0
[ "$(id -u)" = 0 ] && [ -n "$NOBODY_UID" ] && [ -n "$NOGROUP_GID" ] &&
    command -v setpriv >/dev/null && AS_ROOT=1
# the binaries must be reachable by nobody (a build under /root is not)
if [ $AS_ROOT = 1 ] &&
    ! setpriv --reuid=nobody --regid=nogroup --clear-groups \
    test -x "$BUILD/bgpsd-announce"; then
	cp "$BUILD/bgpsd-announce" "$BUILD/bgpsd-listen" "$T/"
	chmod 755 "$T/bgpsd-announce" "$T/bgpsd-listen"
	ABIN=$T/bgpsd-announce
else
	ABIN=$BUILD/bgpsd-announce
fi

# ---- user/group: exec checks as that user -------------------------------------
if [ $AS_ROOT = 1 ]; then
	cat >"$T/user.conf" <<EOF2
asn = 12345;
user = "nobody";
group = "nogroup";
services = ( { name = "web"; port = 80;
	checks = ( { type = "exec"; command = [ "sh", "-c",
	    "id -u > $T/pub/check.uid; id -g > $T/pub/check.gid; id -G > $T/pub/check.groups" ]; } ); } );
announce = { prefixes = ( "192.0.2.10/32" ); require_address = false; };
EOF2
	$ANNOUNCE --once -c "$T/user.conf" >"$T/out" 2>"$T/err"
	rc=$?
	ran_as "user/group: exec check ran as nobody:nogroup, no supplementary groups" \
	    $rc "$T/err" check.uid "$NOBODY_UID" check.gid "$NOGROUP_GID" \
	    check.groups "$NOGROUP_GID"
	# and the announcer itself stays root (it drops for children only)
	check "user/group: the check's result reached the output" \
	    grep -q '^announce route 192.0.2.10/32' "$T/out"

	# bgpsd-listen: check and reload commands as that user
	printf '{{#services}}{{name}}{{#backends}} {{ip}}{{/backends}}\n{{/services}}' \
	    >"$T/t.mustache"
	mkdir -p "$T/dest"
	cat >"$T/luser.conf" <<EOF2
asn = 12345;
user = "nobody";
group = "nogroup";
services = ( { name = "https"; port = 443; } );
listen = { wait_min = 0.05; wait_max = 0.5;
	templates = ( { source = "$T/t.mustache"; destination = "$T/dest/out.conf";
		check = [ "sh", "-c", "id -u > $T/pub/lcheck.uid; cat \$BGPSD_STAGED >/dev/null" ];
		command = [ "sh", "-c", "id -u > $T/pub/lcmd.uid; id -g > $T/pub/lcmd.gid" ]; } ); };
EOF2
	{ j_start; j_ann 192.0.2.10/32 443; } >"$T/stream.jsonl"
	$LISTEN --once -c "$T/luser.conf" <"$T/stream.jsonl" >"$T/lout" 2>"$T/lerr"
	rc=$?
	ran_as "user/group: bgpsd-listen check and reload command ran as nobody:nogroup" \
	    $rc "$T/lerr" lcheck.uid "$NOBODY_UID" lcmd.uid "$NOBODY_UID" \
	    lcmd.gid "$NOGROUP_GID"
	check "user/group: the rendered file was written (by root, as the destination wants)" \
	    grep -q 'https 192.0.2.10' "$T/dest/out.conf"
else
	skip "user/group settings" "needs root, setpriv, user nobody and group nogroup"
fi

# ---- bgpsd-announce as a non-root user --------------------------------------------
if [ $AS_ROOT = 1 ]; then
	cat >"$T/pub/nr.conf" <<EOF2
asn = 12345;
services = (
	{ name = "web"; port = 80; rise = 1;
	  checks = ( { type = "exec"; command = [ "true" ]; } ); },
	{ name = "tcp"; port = 1;
	  checks = ( { type = "tcp"; } ); }
);
announce = { prefixes = ( "192.0.2.10/32", "2001:db8::10/128" );
	require_address = false;
	splay = false; interval = 0.5; fast_interval = 0.5; timeout = 0.4;
	exec_timeout = 0.4; ack = false;
	status_file = "$T/pub/nr-status.json";
	metrics_file = "$T/pub/nr-metrics.prom"; };
EOF2
	chmod 644 "$T/pub/nr.conf"
	AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	$AS_NOBODY ${BGPSD_WRAP:-} "$ABIN" --once -c "$T/pub/nr.conf" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && sane "nobody --once" $rc "$T/err" &&
	    grep -qx 'announce route 192.0.2.10/32 next-hop self community \[12345:80\]' "$T/out"; then
		ok "non-root: bgpsd-announce --once as nobody (web up, tcp:1 down: exit 1)"
	else
		not_ok "non-root: bgpsd-announce --once as nobody (rc $rc)"
		diag "$(cat "$T/out")" "$(cat "$T/err")"
	fi
	rm -f "$T/ain"
	mkfifo "$T/ain"
	chmod 644 "$T/ain"
	$AS_NOBODY ${BGPSD_WRAP:-} "$ABIN" -c "$T/pub/nr.conf" <"$T/ain" \
	    >"$T/dout" 2>"$T/derr" 3>&- 5>&- &
	APID=$!
	PIDS="$PIDS $APID"
	exec 5>"$T/ain"
	if wait_until 10 grep -qs '^announce route 192.0.2.10/32' "$T/dout" &&
	    wait_until 5 test -s "$T/pub/nr-status.json"; then
		ok "non-root: daemon as nobody announces and writes its status file"
	else
		not_ok "non-root: daemon as nobody announces and writes its status file"
		diag "$(cat "$T/dout")" "$(tail -n 5 "$T/derr")"
	fi
	# it really is nobody
	cpid=$(pgrep -P "$APID" -f bgpsd-announce | head -n 1)
	[ -z "$cpid" ] && cpid=$APID
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$cpid/status" 2>/dev/null)
	check "non-root: the daemon's uid is nobody's" test "$uid" = "$NOBODY_UID"
	kill -USR1 "$APID" 2>/dev/null
	kill -HUP "$APID" 2>/dev/null
	sleep 0.5
	check "non-root: SIGUSR1 and SIGHUP handled as nobody" pid_alive "$APID"
	stop "$APID" 10
	rc=$?
	if [ $rc = 0 ] && grep -q '^withdraw route 192.0.2.10/32' "$T/dout" &&
	    sane "nobody daemon" $rc "$T/derr"; then
		ok "non-root: SIGTERM withdraws and exits 0"
	else
		not_ok "non-root: SIGTERM withdraws and exits 0 (rc $rc)"
		diag "$(tail -n 5 "$T/derr")"
	fi
	exec 5>&-
	check "non-root: no permission error logged" \
	    eval "! grep -qi 'permission denied\|operation not permitted' '$T/derr'"
else
	skip "bgpsd-announce as a non-root user" "needs root and setpriv to switch"
fi

# ---- no file created world-writable, even under umask 000 ----------------------
mkdir -p "$T/modes"
cat >"$T/modes.conf" <<EOF2
asn = 12345;
services = ( { name = "web"; port = 80; rise = 1;
	checks = ( { type = "exec"; command = [ "true" ]; } ); },
	{ name = "https"; port = 443; } );
announce = { prefixes = ( "192.0.2.10/32" ); splay = false; ack = false;
	require_address = false;
	interval = 0.5; fast_interval = 0.5; timeout = 0.4; exec_timeout = 0.4;
	status_file = "$T/modes/a-status.json";
	metrics_file = "$T/modes/a-metrics.prom"; };
listen = { wait_min = 0.05; wait_max = 0.5;
	status_file = "$T/modes/l-status.json";
	metrics_file = "$T/modes/l-metrics.prom";
	templates = (
		{ source = "$T/t2.mustache"; destination = "$T/modes/default.conf";
		  backup = true; },
		{ source = "$T/t2.mustache"; destination = "$T/modes/private.conf";
		  perms = "0600"; } ); };
EOF2
printf '{{#services}}{{name}}{{#backends}} {{ip}}{{/backends}}\n{{/services}}' \
    >"$T/t2.mustache"
echo "old" >"$T/modes/default.conf"
chmod 644 "$T/modes/default.conf"
rm -f "$T/ain" "$T/lin"
mkfifo "$T/ain" "$T/lin"
(umask 000; exec ${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" -c "$T/modes.conf" \
    <"$T/ain" >"$T/mout" 2>"$T/merr" 3>&- 5>&-) &
APID=$!
PIDS="$PIDS $APID"
exec 5>"$T/ain"
(umask 000; exec ${BGPSD_WRAP:-} "$BUILD/bgpsd-listen" -c "$T/modes.conf" \
    <"$T/lin" >/dev/null 2>"$T/lerr" 3>&- 5>&-) &
LPID=$!
PIDS="$PIDS $LPID"
exec 3>"$T/lin"
{ j_start; j_ann 192.0.2.10/32 443; } >&3
wait_until 10 test -s "$T/modes/a-metrics.prom" -a -s "$T/modes/l-metrics.prom" \
    -a -s "$T/modes/private.conf"
wait_until 5 grep -qs 'https 192.0.2.10' "$T/modes/default.conf"
j_ann 192.0.2.11/32 443 >&3	# a second write: the backup exists now
wait_until 5 grep -qs '192.0.2.11' "$T/modes/default.conf"
sleep 0.3
exec 3>&-
stop "$APID" 10
for i in $(seq 1 50); do pid_alive "$LPID" || break; sleep 0.1; done
wait "$LPID" 2>/dev/null
exec 5>&-
n=0
for f in a-status.json a-metrics.prom l-status.json l-metrics.prom \
    default.conf private.conf; do
	if [ ! -e "$T/modes/$f" ]; then
		not_ok "modes: $f created"
		continue
	fi
	n=$((n + 1))
done
bad=$(find "$T/modes" -perm -o+w | sed "s|$T/modes/||")
all=$(cd "$T/modes" && stat -c '%n %a' * | tr '\n' ' ')
diag "modes under umask 000: $all"
if [ -z "$bad" ] && [ $n = 6 ]; then
	ok "modes: no file world-writable under umask 000 ($all)"
else
	not_ok "modes: world-writable files: $bad"
fi
check "modes: perms = 0600 honoured" \
    test "$(stat -c %a "$T/modes/private.conf")" = 600
check "modes: the default for rendered files is 0644" \
    test "$(stat -c %a "$T/modes/default.conf")" = 644
check "modes: status and metrics files are 0644" \
    test "$(stat -c %a "$T/modes/a-status.json" "$T/modes/l-metrics.prom" | sort -u)" = 644
