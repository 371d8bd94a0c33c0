#!/bin/bash
# tests/hardening/test_faults.sh - faults, each against the real daemons:
#   destination full / read-only (old file kept, daemon alive, retried on
#   the next change); a reload command that hangs (killed at its timeout,
#   with its children) or fails; an exec check whose grandchild holds the
#   output pipe (killed with the group); stdout to ExaBGP blocked (stdin
#   still read, SIGTERM exits in bounded time) or closed (clean exit);
#   SIGHUP with a broken config (old config keeps running); 2,000,000
#   distinct prefixes offered (capped by max_routes, memory bounded,
#   logged once); wall clock jumps (only the monotonic clock drives timers).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/listen-json.sh"
mktmp

PIDS=""
MOUNTED=""
cleanup() {
	local p
	exec 3>&- 4<&- 5>&- 2>/dev/null
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	[ -n "$MOUNTED" ] && umount -l "$MOUNTED" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# a unique number for "sleep N" children we look for with pgrep
TAG=$((900 + $$ % 9000))

for p in bgpsd-listen bgpsd-announce; do
	if [ ! -x "$BUILD/$p" ]; then
		not_ok "$p built ($BUILD/$p)"
		exit 1
	fi
done

# start_listen CONF: the daemon reading the fifo $T/lin through fd 3
start_listen() {
	rm -f "$T/lin"
	mkfifo "$T/lin"
	$LISTEN -v -c "$1" <"$T/lin" >"$T/lout" 2>"$T/llog" 3>&- 4<&- 5>&- &
	LPID=$!
	PIDS="$PIDS $LPID"
	exec 3>"$T/lin"
}
# start_announce CONF OUT [PRELOAD]: bgpsd-announce reading the fifo
# $T/ain through fd 5, its stdout to OUT (made by the caller when a
# fifo), its log to $T/alog; with LD_PRELOAD=PRELOAD when given
start_announce() {
	rm -f "$T/ain"
	mkfifo "$T/ain"
	# shellcheck disable=SC2086
	env ${3:+LD_PRELOAD="$3"} $ANNOUNCE -c "$1" <"$T/ain" >"$2" \
	    2>"$T/alog" 3>&- 4<&- 5>&- &
	APID=$!
	PIDS="$PIDS $APID"
	exec 5>"$T/ain"
}
# stop_listen: EOF on stdin, then the exit status in STATUS
stop_listen() {
	exec 3>&-
	local i
	for i in $(seq 1 100); do pid_alive "$LPID" || break; sleep 0.1; done
	if pid_alive "$LPID"; then
		kill -KILL "$LPID"
		STATUS=255
	else
		wait "$LPID"
		STATUS=$?
	fi
}
# lcheck NAME CMD...: check, with the listener's log when not ok
lcheck() { check_tail "$1" "$T/llog" 10 "${@:2}"; }

# ---- destination full, then read-only --------------------------------------
mkdir -p "$T/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k,mode=0755 tmpfs \
    "$T/small" 2>/dev/null; then
	MOUNTED=$T/small
	printf '# generated\n{{#services}}{{name}}{{#backends}} {{ip}}{{/backends}}\n{{/services}}' \
	    >"$T/t.mustache"
	listen_conf -s https:443 -m 0.05 -M 0.5 "$T/t.mustache" \
	    "$T/small/out.conf" >"$T/fs.conf"
	start_listen "$T/fs.conf"
	{ j_start; j_ann 192.0.2.10/32 443; } >&3
	wait_until 5 grep -qs 'https 192.0.2.10' "$T/small/out.conf"
	lcheck "fs: first render written" grep -q 'https 192.0.2.10$' \
	    "$T/small/out.conf"
	cp "$T/small/out.conf" "$T/before"
	# fill the file system: nothing left for the staged file
	dd if=/dev/zero of="$T/small/filler" bs=4k count=64 2>/dev/null
	j_ann 192.0.2.11/32 443 >&3
	check_tail "fs full: ENOSPC logged" "$T/llog" 5 \
	    wait_until 5 grep -qs 'No space left' "$T/llog"
	lcheck "fs full: old file intact" cmp -s "$T/small/out.conf" "$T/before"
	lcheck "fs full: no staged file left behind" \
	    test "$(ls -A "$T/small" | sort | tr '\n' ' ')" = "filler out.conf "
	lcheck "fs full: daemon alive" pid_alive "$LPID"
	rm -f "$T/small/filler"
	j_ann 192.0.2.12/32 443 >&3
	if wait_until 5 grep -qs 'https 192.0.2.10 192.0.2.11 192.0.2.12' \
	    "$T/small/out.conf"; then
		ok "fs full: retried on the next change once there is room"
	else
		not_ok "fs full: retried on the next change once there is room"
		diag "$(cat "$T/small/out.conf")" "$(tail -n 5 "$T/llog")"
	fi
	cp "$T/small/out.conf" "$T/before"
	mount -o remount,ro "$T/small"
	j_ann 192.0.2.13/32 443 >&3
	check "fs read-only: EROFS logged" \
	    wait_until 5 grep -qs 'Read-only file system' "$T/llog"
	lcheck "fs read-only: old file intact" \
	    cmp -s "$T/small/out.conf" "$T/before"
	lcheck "fs read-only: daemon alive" pid_alive "$LPID"
	mount -o remount,rw "$T/small"
	j_ann 192.0.2.14/32 443 >&3
	check "fs read-only: retried on the next change once writable" \
	    wait_until 5 grep -qs '192.0.2.13 192.0.2.14' "$T/small/out.conf"
	stop_listen
	lcheck "fs: exit 0 at EOF after the faults" test "$STATUS" = 0
	sane "fs" "$STATUS" "$T/llog" || not_ok "fs: sanitizer report"
	umount "$T/small" && MOUNTED=
else
	skip "fs full / read-only" "needs root and mount -t tmpfs"
fi

# ---- reload commands that hang or fail ----------------------------------------
mkdir -p "$T/dest"
printf '{{#services}}{{name}}{{#backends}} {{ip}}{{/backends}}\n{{/services}}' \
    >"$T/c.mustache"
cat >"$T/cmd.conf" <<EOF2
asn = 12345;
services = ( { name = "https"; port = 443; } );
listen = {
	wait_min = 0.05;
	wait_max = 0.5;
	templates = (
		{ source = "$T/c.mustache"; destination = "$T/dest/hang.conf";
		  command = [ "sh", "-c", "sleep $TAG.1; echo never" ];
		  command_timeout = 1.0; },
		{ source = "$T/c.mustache"; destination = "$T/dest/fail.conf";
		  command = [ "sh", "-c", "echo failing-reload >&2; exit 3" ]; }
	);
};
EOF2
start_listen "$T/cmd.conf"
t0=$(date +%s%N)
{ j_start; j_ann 192.0.2.20/32 443; } >&3
wait_until 5 pgrep -f "sleep $TAG.1" >/dev/null
lcheck "hanging command: started" pgrep -f "sleep $TAG.1" >/dev/null
if wait_until 6 grep -qs 'exit 3' "$T/llog"; then
	t1=$(date +%s%N)
	ok "failing command: logged with its status"
else
	t1=$(date +%s%N)
	not_ok "failing command: logged with its status"
	diag "$(tail -n 10 "$T/llog")"
fi
lcheck "hanging command: timeout logged" grep -q 'timeout' "$T/llog"
lcheck "hanging command: its process group is gone" \
    wait_until 3 eval "! pgrep -f 'sleep $TAG.1' >/dev/null"
ms=$(( (t1 - t0) / 1000000 ))
if [ $ms -lt 5000 ]; then
	ok "hanging command: killed at its 1 s timeout (next ran after ${ms} ms)"
else
	not_ok "hanging command: killed at its 1 s timeout (took ${ms} ms)"
fi
lcheck "failing command: its stderr went to the log" \
    grep -q 'failing-reload' "$T/llog"
lcheck "failing command: nothing on stdout but the recovery request" \
    cmp -s "$T/lout" <(j_request)
lcheck "commands: both files written anyway" \
    test -s "$T/dest/hang.conf" -a -s "$T/dest/fail.conf"
lcheck "commands: daemon alive" pid_alive "$LPID"
# the failed reload is retried on the next pass
n1=$(grep -c 'exit 3' "$T/llog")
j_ann 192.0.2.21/32 443 >&3
wait_until 6 test "$(grep -c 'exit 3' "$T/llog")" -gt "$n1"
lcheck "failing command: run again on the next change" \
    test "$(grep -c 'exit 3' "$T/llog")" -gt "$n1"
stop_listen
wait_until 3 eval "! pgrep -f 'sleep $TAG.1' >/dev/null"
lcheck "commands: exit 0 at EOF, no child left" \
    eval "[ $STATUS = 0 ] && ! pgrep -f 'sleep $TAG.1' >/dev/null"

# ---- exec checks whose grandchild holds the pipe ------------------------------
cat >"$T/gc.conf" <<EOF2
asn = 12345;
services = (
	{ name = "detach"; port = 80; timeout = 0.5;
	  checks = ( { type = "exec";
	      command = [ "sh", "-c", "sleep $TAG.2 & exit 0" ]; } ); },
	{ name = "hang"; port = 81; timeout = 0.5;
	  checks = ( { type = "exec";
	      command = [ "sh", "-c", "sleep $TAG.3 & sleep $TAG.3; exit 0" ]; } ); }
);
announce = { prefixes = ( "192.0.2.10/32" ); exec_timeout = 0.5;
	require_address = false; };
EOF2
t0=$(date +%s%N)
timeout 30 $ANNOUNCE --once -c "$T/gc.conf" >"$T/gc.out" 2>"$T/gc.log"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if sane "exec grandchild" $rc "$T/gc.log" && [ $rc -le 2 ] && [ $ms -lt 5000 ]; then
	ok "exec check grandchild: --once ends in ${ms} ms (timeout 0.5 s)"
else
	not_ok "exec check grandchild: --once ends in bounded time (rc $rc, ${ms} ms)"
	diag "$(cat "$T/gc.log")"
fi
if wait_until 3 eval "! pgrep -f 'sleep $TAG.[23]' >/dev/null"; then
	ok "exec check grandchild: killed with the group"
else
	not_ok "exec check grandchild: killed with the group"
	diag "$(pgrep -af "sleep $TAG.[23]")"
	pkill_list=$(pgrep -f "sleep $TAG.[23]")
	for p in $pkill_list; do kill -KILL "$p"; done
fi
lcheck "exec check that hangs: reported as a timeout" \
    grep -qi 'timeout' "$T/gc.log"

# ---- stdout to ExaBGP blocked, then closed --------------------------------------
{
	echo 'asn = 12345;'
	echo 'services = ( { name = "web"; port = 80; rise = 1;'
	echo '	checks = ( { type = "exec"; command = [ "true" ]; } ); } );'
	echo 'announce = { splay = false; interval = 0.5; fast_interval = 0.5;'
	echo '	require_address = false;'
	echo '	exec_timeout = 0.4; timeout = 0.4;'
	echo "	status_file = \"$T/astatus.json\";"
	printf '\tprefixes = ( '
	for i in $(seq 0 1999); do
		printf '"2001:db8::%x/128", ' "$i"
	done
	echo '"192.0.2.10/32" ); };'
} >"$T/block.conf"
rm -f "$T/bout"
mkfifo "$T/bout"
exec 4<>"$T/bout"	# a reader that never reads: the pipe fills up
start_announce "$T/block.conf" "$T/bout"
sleep 2
lcheck "stdout blocked: daemon alive" pid_alive "$APID"
# the loop still reads stdin: 200 KB of acks go through (a blocked loop
# would leave this writer stuck once the 64 KiB pipe is full)
if yes done | head -c 200000 | timeout 10 cat >&5; then
	ok "stdout blocked: stdin still read (200 KB of acks accepted)"
else
	not_ok "stdout blocked: stdin still read"
fi
t0=$(date +%s%N)
stop "$APID" 10
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $rc = 0 ] && [ $ms -lt 6000 ]; then
	ok "stdout blocked: SIGTERM exits 0 in ${ms} ms"
else
	not_ok "stdout blocked: SIGTERM exits 0 in bounded time (rc $rc, ${ms} ms)"
	diag "$(tail -n 5 "$T/alog")"
fi
sane "stdout blocked" $rc "$T/alog" || not_ok "stdout blocked: sanitizer report"
exec 4<&- 5>&-
# closed: the reader goes away while lines are pending
rm -f "$T/bout"
mkfifo "$T/bout"
exec 4<>"$T/bout"
start_announce "$T/block.conf" "$T/bout"
sleep 1
exec 4<&-	# last reader gone: EPIPE
i=0
while pid_alive "$APID" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if pid_alive "$APID"; then
	not_ok "stdout closed: exits by itself"
	kill -KILL "$APID"
else
	wait "$APID"
	rc=$?
	check_tail "stdout closed: clean exit 0 and logged (rc $rc, in $((i * 100)) ms)" \
	    "$T/alog" 5 eval '[ "$rc" = 0 ] &&
	    grep -q "stdout closed\|Broken pipe\|EPIPE" "$T/alog"'
fi
exec 5>&-

# ---- SIGHUP with a broken config -------------------------------------------------
cat >"$T/hup-a.conf" <<EOF2
asn = 12345;
services = ( { name = "web"; port = 80; rise = 1; fall = 1;
	checks = ( { type = "exec";
	    command = [ "sh", "-c", "echo run >> $T/runs" ]; } ); } );
announce = { splay = false; interval = 0.3; fast_interval = 0.3;
	exec_timeout = 0.2; timeout = 0.2; ack = false;
	require_address = false; prefixes = ( "192.0.2.10/32" ); };
EOF2
rm -f "$T/aout" "$T/runs"
start_announce "$T/hup-a.conf" "$T/aout"
wait_until 5 grep -qs 'announce route 192.0.2.10/32' "$T/aout"
printf 'asn = 12345;\nservices = ( { name = "web"; port = "eighty"; } );\n' \
    >"$T/hup-a.conf"
kill -HUP "$APID"
wait_until 3 grep -qsi 'reload failed' "$T/alog"
check_tail "announce SIGHUP broken config: refused with file:line" \
    "$T/alog" 5 grep -qi 'reload failed.*hup-a.conf:2' "$T/alog"
r1=$(wc -l <"$T/runs")
sleep 1.5
r2=$(wc -l <"$T/runs")
if pid_alive "$APID" && [ "$r2" -ge $((r1 + 2)) ] &&
    ! grep -q '^withdraw' "$T/aout"; then
	ok "announce SIGHUP broken config: old config keeps running ($((r2 - r1)) checks since)"
else
	not_ok "announce SIGHUP broken config: old config keeps running ($r1 -> $r2)"
	diag "$(cat "$T/aout")"
fi
stop "$APID" 5
rc=$?
lcheck "announce SIGHUP broken config: SIGTERM exit 0 then" test $rc = 0
exec 5>&-

printf '{{#services}}{{name}}{{#backends}} {{ip}}{{/backends}}\n{{/services}}' \
    >"$T/h.mustache"
listen_conf -s https:443 -m 0.05 -M 0.5 "$T/h.mustache" "$T/dest/hup.conf" \
    >"$T/hup-l.conf"
start_listen "$T/hup-l.conf"
{ j_start; j_ann 192.0.2.30/32 443; } >&3
wait_until 5 grep -qs '192.0.2.30' "$T/dest/hup.conf"
printf 'asn = 12345;\nlisten = { wait_min = "soon"; };\n' >"$T/hup-l.conf"
kill -HUP "$LPID"
wait_until 3 grep -qsi 'hup-l.conf:2' "$T/llog"
lcheck "listen SIGHUP broken config: refused with file:line" \
    grep -qi 'hup-l.conf:2' "$T/llog"
j_ann 192.0.2.31/32 443 >&3
check_tail "listen SIGHUP broken config: old config and templates keep rendering" \
    "$T/llog" 5 wait_until 5 grep -qs 'https 192.0.2.30 192.0.2.31' \
    "$T/dest/hup.conf"
stop_listen
lcheck "listen SIGHUP broken config: exit 0 at EOF" test "$STATUS" = 0

# ---- 2,000,000 distinct prefixes ---------------------------------------------------
if [ -n "${BGPSD_WRAP:-}" ]; then
	skip "2,000,000 prefixes" "too slow under $BGPSD_WRAP (memory figures are meaningless there)"
elif ! command -v python3 >/dev/null || [ ! -x /usr/bin/time ]; then
	skip "2,000,000 prefixes" "needs python3 and /usr/bin/time"
else
	cat >"$T/gen.py" <<'EOF2'
import sys
# N distinct IPv6 host routes in 2001:db8::/32, 1000 per line, one peer
n, per = int(sys.argv[1]), 1000
peer = ('"neighbor": { "address": { "local": "fd00:179::2", "peer": '
        '"fd00:179::1" }, "asn": { "local": 65000, "peer": 65001 }')
w = sys.stdout.write
w('{ "exabgp": "4.0.1", "type": "state", %s, "state": "up" } }\n' % peer)
for s in range(0, n, per):
    nl = ', '.join('{ "nlri": "2001:db8:%x:%x::1/128" }' % (i >> 16, i & 0xffff)
                   for i in range(s, min(n, s + per)))
    w('{ "exabgp": "4.0.1", "type": "update", %s, "direction": "receive", '
      '"message": { "update": { "attribute": { "community": [ [ 12345, 443 ] ] }, '
      '"announce": { "ipv6 unicast": { "fd00:179::1": [ %s ] } } } } } }\n'
      % (peer, nl))
w('{ "exabgp": "4.0.1", "type": "update", %s, "direction": "receive", '
  '"message": { "eor": { "afi": "ipv6", "safi": "unicast" } } } }\n' % peer)
EOF2
	printf '{{#services}}{{name}} {{count}}\n{{/services}}' >"$T/m.mustache"
	cat >"$T/max.conf" <<EOF2
asn = 12345;
services = ( { name = "https"; port = 443; } );
listen = { max_routes = 50000;
	templates = ( { source = "$T/m.mustache";
			destination = "$T/dest/max.conf"; } ); };
EOF2
	# ASan keeps freed memory in quarantine (256 MB): off for a fair
	# figure of what the program itself holds
	for n in 50000 2000000; do
		python3 "$T/gen.py" $n |
		    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:malloc_context_size=0 \
		    /usr/bin/time -o "$T/time.$n" -f '%M %e' \
		    "$BUILD/bgpsd-listen" --once -c "$T/max.conf" \
		    >/dev/null 2>"$T/max.$n.log"
		echo $? >"$T/rc.$n"
		cp "$T/dest/max.conf" "$T/max.$n.out"
	done
	read -r hwm1 s1 <"$T/time.50000"
	read -r hwm2 s2 <"$T/time.2000000"
	diag "max RSS: 50,000 offered ${hwm1} KB (${s1} s); 2,000,000 offered ${hwm2} KB (${s2} s)"
	if [ "$(cat "$T/rc.2000000")" = 0 ] &&
	    sane "2M" 0 "$T/max.2000000.log"; then
		ok "2,000,000 prefixes: --once ends normally in ${s2} s"
	else
		not_ok "2,000,000 prefixes: --once ends normally"
		diag "$(tail -n 5 "$T/max.2000000.log")"
	fi
	lcheck "2,000,000 prefixes: capped at max_routes (50,000 backends)" \
	    grep -qx 'https 50000' "$T/max.2000000.out"
	if [ "$(grep -c 'max_routes 50000 reached' "$T/max.2000000.log")" = 1 ]; then
		ok "2,000,000 prefixes: the cap is logged once, not per route"
	else
		not_ok "2,000,000 prefixes: the cap is logged once ($(grep -c 'max_routes' "$T/max.2000000.log") lines)"
	fi
	# memory: what 2,000,000 offered costs is what the 50,000 kept cost
	if [ "$hwm2" -le $((hwm1 + hwm1 / 4 + 16384)) ]; then
		ok "2,000,000 prefixes: memory bounded (${hwm2} KB vs ${hwm1} KB at the cap)"
	else
		not_ok "2,000,000 prefixes: memory bounded (${hwm2} KB vs ${hwm1} KB)"
	fi
fi

# ---- wall clock jumps ----------------------------------------------------------
# 1. the sources: the wall clock is only read for display, never for a timer
if grep -n 'CLOCK_MONOTONIC' "$TOP/src/lib/ev.c" >/dev/null &&
    ! grep -nE 'CLOCK_REALTIME|gettimeofday|time\(NULL\)|time\(&' \
    "$TOP/src/lib/ev.c" "$TOP/src/lib/proc.c" "$TOP/src/announce/sched.c" \
    "$TOP/src/announce/exabgp.c" "$TOP/src/announce/check"*.c \
    "$TOP/src/listen/commands.c" "$TOP/src/listen/writer.c" >/dev/null; then
	ok "clock: timers (ev, proc, sched, exabgp, checks, commands, writer) use CLOCK_MONOTONIC only"
else
	not_ok "clock: timers use CLOCK_MONOTONIC only"
fi
diag "wall clock reads (display only):" \
    "$(cd "$TOP" && grep -nE 'CLOCK_REALTIME|gettimeofday|time\(NULL\)' src/*/*.c)"
# 2. the daemons, with the wall clock moved by a year each way
if ! cc -shared -fPIC -o "$T/fakeclock.so" "$TOP/tests/hardening/fakeclock.c" \
    -ldl 2>"$T/cc.log"; then
	skip "clock jumps" "cannot build the LD_PRELOAD shim: $(head -n 1 "$T/cc.log")"
else
	echo 0 >"$T/offset"
	export FAKECLOCK_FILE=$T/offset
	# ASan wants to be first in the link order; the shim only wraps libc
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	cat >"$T/clock.conf" <<EOF2
asn = 12345;
services = ( { name = "web"; port = 80; rise = 1; fall = 1;
	checks = ( { type = "exec";
	    command = [ "sh", "-c", "echo run >> $T/cruns" ]; } ); },
	{ name = "https"; port = 443; } );
announce = { splay = false; interval = 0.3; fast_interval = 0.3;
	exec_timeout = 0.2; timeout = 0.2; ack = false;
	require_address = false; prefixes = ( "192.0.2.10/32" ); };
listen = { wait_min = 0.2; wait_max = 1.0;
	templates = ( { source = "$T/h.mustache";
			destination = "$T/dest/clock.conf"; } ); };
EOF2
	rm -f "$T/aout" "$T/cruns"
	start_announce "$T/clock.conf" "$T/aout" "$T/fakeclock.so"
	rm -f "$T/lin"
	mkfifo "$T/lin"
	LD_PRELOAD=$T/fakeclock.so $LISTEN -c "$T/clock.conf" <"$T/lin" \
	    >"$T/lout" 2>"$T/llog" 3>&- 4<&- 5>&- &
	LPID=$!
	PIDS="$PIDS $LPID"
	exec 3>"$T/lin"
	{ j_start; j_ann 192.0.2.40/32 443; } >&3
	wait_until 5 grep -qs '192.0.2.40' "$T/dest/clock.conf"
	sleep 1
	step=1
	for off in 31536000 -31536000 0; do
		echo "$off" >"$T/offset"
		r1=$(wc -l <"$T/cruns")
		j_ann 192.0.2.$((40 + step))/32 443 >&3
		sleep 1.5
		r2=$(wc -l <"$T/cruns")
		if [ $((r2 - r1)) -ge 3 ] && [ $((r2 - r1)) -le 7 ]; then
			ok "clock jump to ${off} s: announce checks keep their 0.3 s pace ($((r2 - r1)) in 1.5 s)"
		else
			not_ok "clock jump to ${off} s: announce checks keep their pace ($((r2 - r1)) in 1.5 s)"
		fi
		check "clock jump to ${off} s: listen renders within wait_max" \
		    grep -qs "192.0.2.$((40 + step))" "$T/dest/clock.conf"
		step=$((step + 1))
	done
	stop "$APID" 5
	rc=$?
	lcheck "clock jumps: announce exits 0 on SIGTERM" test $rc = 0
	stop_listen
	lcheck "clock jumps: listen exits 0 at EOF" test "$STATUS" = 0
	exec 5>&-
	unset FAKECLOCK_FILE
fi
