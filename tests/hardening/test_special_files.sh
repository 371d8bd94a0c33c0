#!/bin/bash
# tests/hardening/test_special_files.sh - a configuration file, an @include
# or a template that is a FIFO or a device is refused at once with
# file:line (-n, start, SIGHUP), never opened blocking; @include names are
# relative to the including file; -n of bgpsd-listen checks what the
# daemon will load: every template readable and compiling, owner and
# group known. Every command here runs under a timeout: a blocking open
# shows as a timeout (status 124), not as a hang.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
mktmp

PIDS=""
cleanup() {
	local p
	exec 3>&- 2>/dev/null
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# n_err PROG CONF: -n under a 5 s timeout; sets RC and ERR (first line)
n_err() {
	ERR=$(timeout 5 ${BGPSD_WRAP:-} "$BUILD/$1" -n -c "$2" 2>&1 >/dev/null)
	RC=$?
	ERR=${ERR%%$'\n'*}
}
# expect_n NAME PROG CONF WANT: exit 1 and stderr's first line is WANT
expect_n() {
	n_err "$2" "$3"
	if [ "$RC" = 1 ] && [ "$ERR" = "$4" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "exit $RC (124: it blocked)" "got:  $ERR" "want: $4"
	fi
}

mkfifo "$T/fifo.conf"
for p in bgpsd-announce bgpsd-listen; do
	expect_n "$p -n: a FIFO as the configuration" $p "$T/fifo.conf" \
	    "$T/fifo.conf: not a regular file"
	expect_n "$p -n: a device as the configuration" $p /dev/zero \
	    "/dev/zero: not a regular file"
done

printf 'asn = 12345;\n\n@include "fifo.conf"\n' >"$T/inc-fifo.conf"
printf 'asn = 12345;\n@include "/dev/zero"\n' >"$T/inc-dev.conf"
for p in bgpsd-announce bgpsd-listen; do
	expect_n "$p -n: a FIFO included" $p "$T/inc-fifo.conf" \
	    "$T/inc-fifo.conf:3: cannot open include file $T/fifo.conf: not a regular file"
	expect_n "$p -n: a device included" $p "$T/inc-dev.conf" \
	    "$T/inc-dev.conf:2: cannot open include file /dev/zero: not a regular file"
done

# @include: relative to the including file, nested, and absolute
mkdir -p "$T/conf/parts/more"
printf '@include "parts/services.inc"\n@include "%s/abs.inc"\n' "$T" \
    >"$T/conf/main.conf"
printf '@include "more/listen.inc"\n' >"$T/conf/parts/services.inc"
printf 'services = ( { name = "web"; port = 8080; } );\n' \
    >"$T/conf/parts/more/listen.inc"
printf 'asn = 64496;\n' >"$T/abs.inc"
out=$(cd / && timeout 5 ${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" -n -v \
    -c "$T/conf/main.conf" 2>&1)
if echo "$out" | grep -q '^asn = 64496;' &&
    echo "$out" | grep -q 'name = "web";'; then
	ok "@include: nested relative names and an absolute one resolve"
else
	not_ok "@include: nested relative names and an absolute one resolve"
	diag "$out"
fi
printf 'services = ( { name = "web"; port = 0; } );\n' \
    >"$T/conf/parts/more/listen.inc"
expect_n "@include: an error names the included file and its line" \
    bgpsd-announce "$T/conf/main.conf" \
    "$T/conf/parts/more/listen.inc:1: 'port' must be between 1 and 65535, not 0"

# ---- templates: -n checks what the daemon loads ----------------------------
printf '{{#services}}{{name}}\n{{/services}}' >"$T/good.mustache"
mkfifo "$T/fifo.mustache"
# tconf NAME SOURCE [EXTRA]: a config with one template at line 4
tconf() {
	printf 'asn = 12345;\nlisten = {\n\ttemplates = (\n\t\t{ source = "%s"; destination = "%s/out.txt"; %s }\n\t);\n};\n' \
	    "$2" "$T" "${3:-}" >"$T/$1.conf"
}
tconf t-good "$T/good.mustache"
n_err bgpsd-listen "$T/t-good.conf"
check "listen -n: a good template passes" [ "$RC" = 0 ]
tconf t-missing "$T/none.mustache"
expect_n "listen -n: a missing template is an error with file:line" \
    bgpsd-listen "$T/t-missing.conf" \
    "$T/t-missing.conf:4: template $T/none.mustache: No such file or directory"
tconf t-fifo "$T/fifo.mustache"
expect_n "listen -n: a FIFO as a template" bgpsd-listen "$T/t-fifo.conf" \
    "$T/t-fifo.conf:4: template $T/fifo.mustache: not a regular file"
tconf t-dev /dev/zero
expect_n "listen -n: a device as a template" bgpsd-listen "$T/t-dev.conf" \
    "$T/t-dev.conf:4: template /dev/zero: not a regular file"
tconf t-owner "$T/good.mustache" 'owner = "no-such-user-bgpsd";'
expect_n "listen -n: an unknown owner" bgpsd-listen "$T/t-owner.conf" \
    "$T/t-owner.conf:4: template $T/out.txt: unknown user 'no-such-user-bgpsd'"
tconf t-group "$T/good.mustache" 'group = "no-such-group-bgpsd";'
expect_n "listen -n: an unknown group" bgpsd-listen "$T/t-group.conf" \
    "$T/t-group.conf:4: template $T/out.txt: unknown group 'no-such-group-bgpsd'"
# a relative source is relative to the file that names it
mkdir -p "$T/rel/templates"
cp "$T/good.mustache" "$T/rel/templates/x.mustache"
tconf rel/r templates/x.mustache
n_err bgpsd-listen "$T/rel/r.conf"
check "listen -n: a relative source is relative to the config's directory" \
    [ "$RC" = 0 ]

# ---- the daemons: start and SIGHUP ---------------------------------------
# start_on PROG CONF FIFO LOG: PROG (bgpsd-listen or bgpsd-announce) with
# CONF, its stdin the fifo FIFO written through fd 3, its log LOG; PID
start_on() {
	${BGPSD_WRAP:-} "$BUILD/$1" -c "$2" <"$3" >"$T/out" 2>"$4" &
	PID=$!
	PIDS="$PIDS $PID"
	exec 3>"$3"
}
# logs LOG PATTERN...: the first PATTERN in LOG within 5 s, each of the
# others within 2 s more
logs() {
	local log=$1 limit=5 p
	shift
	for p in "$@"; do
		wait_until $limit grep -q "$p" "$log" || return 1
		limit=2
	done
}
# started_on_fifo WHO PROG FIFO LOG: PROG started on the FIFO fifo.conf
# stays up (announcing nothing) and says why at once; left running
started_on_fifo() {
	start_on "$2" "$T/fifo.conf" "$3" "$4"
	check_tail "$1 started on a FIFO: refused at once" "$4" 20 \
	    logs "$4" "$T/fifo.conf: not a regular file"
	check "$1 started on a FIFO: still up" kill -0 "$PID"
}
# hup_to_fifo WHO PROG CONF FIFO LOG PATTERN...: PROG started on the good
# config CONF, then CONF replaced by a FIFO and a SIGHUP: it logs every
# PATTERN, stays up, and exits at EOF afterwards
hup_to_fifo() {
	local who=$1 prog=$2 conf=$3 fifo=$4 log=$5
	shift 5
	start_on "$prog" "$conf" "$fifo" "$log"
	wait_until 5 grep -q "started" "$log"
	rm -f "$conf"
	mkfifo "$conf"
	kill -HUP "$PID"
	check_tail "$who SIGHUP to a FIFO: refused at once, old config kept" \
	    "$log" 5 logs "$log" "$@"
	check "$who SIGHUP to a FIFO: still up" kill -0 "$PID"
	exec 3>&-
	wait_until 5 sh -c "! kill -0 $PID 2>/dev/null"
	check "$who: exits at EOF afterwards" sh -c "! kill -0 $PID 2>/dev/null"
}

# bgpsd-listen started on a FIFO: up at once, says why, writes nothing
rm -f "$T/lin"
mkfifo "$T/lin"
started_on_fifo listen bgpsd-listen "$T/lin" "$T/llog"
# SIGHUP to a good config, then the file replaced by a FIFO: kept
cp "$T/t-good.conf" "$T/hup.conf"
kill -HUP "$PID" 2>/dev/null
exec 3>&-
wait "$PID" 2>/dev/null
hup_to_fifo listen bgpsd-listen "$T/hup.conf" "$T/lin" "$T/llog2" \
    "$T/hup.conf: not a regular file" "reload failed"

# bgpsd-announce: started on a FIFO it stays up announcing nothing; a
# SIGHUP to a FIFO keeps the running config
rm -f "$T/ain"
mkfifo "$T/ain"
started_on_fifo announce bgpsd-announce "$T/ain" "$T/alog"
printf 'asn = 12345;\n' >"$T/ahup.conf"
exec 3>&-
wait "$PID" 2>/dev/null
hup_to_fifo announce bgpsd-announce "$T/ahup.conf" "$T/ain" "$T/alog2" \
    "reload failed, keeping the running config: $T/ahup.conf: not a regular file"
