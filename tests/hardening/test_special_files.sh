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
# bgpsd-listen started on a FIFO: up at once, says why, writes nothing
rm -f "$T/lin"
mkfifo "$T/lin"
${BGPSD_WRAP:-} "$BUILD/bgpsd-listen" -c "$T/fifo.conf" <"$T/lin" \
    >"$T/lout" 2>"$T/llog" &
LPID=$!
PIDS="$PIDS $LPID"
exec 3>"$T/lin"
if wait_until 5 grep -q "$T/fifo.conf: not a regular file" "$T/llog"; then
	ok "listen started on a FIFO: refused at once, still up"
else
	not_ok "listen started on a FIFO: refused at once, still up"
	diag "$(cat "$T/llog")"
fi
check "listen started on a FIFO: alive" kill -0 "$LPID"
# SIGHUP to a good config, then the file replaced by a FIFO: kept
cp "$T/t-good.conf" "$T/hup.conf"
kill -HUP "$LPID" 2>/dev/null
exec 3>&-
wait "$LPID" 2>/dev/null

${BGPSD_WRAP:-} "$BUILD/bgpsd-listen" -c "$T/hup.conf" <"$T/lin" \
    >"$T/lout" 2>"$T/llog2" &
LPID=$!
PIDS="$PIDS $LPID"
exec 3>"$T/lin"
wait_until 5 grep -q "started" "$T/llog2"
rm -f "$T/hup.conf"
mkfifo "$T/hup.conf"
kill -HUP "$LPID"
if wait_until 5 grep -q "$T/hup.conf: not a regular file" "$T/llog2" &&
    wait_until 2 grep -q "reload failed" "$T/llog2"; then
	ok "listen SIGHUP to a FIFO: refused at once, old config kept"
else
	not_ok "listen SIGHUP to a FIFO: refused at once, old config kept"
	diag "$(tail -n 5 "$T/llog2")"
fi
check "listen SIGHUP to a FIFO: still up" kill -0 "$LPID"
exec 3>&-
wait_until 5 sh -c "! kill -0 $LPID 2>/dev/null"
check "listen: exits at EOF afterwards" sh -c "! kill -0 $LPID 2>/dev/null"

# bgpsd-announce: started on a FIFO it stays up announcing nothing; a
# SIGHUP to a FIFO keeps the running config
rm -f "$T/ain"
mkfifo "$T/ain"
${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" -c "$T/fifo.conf" <"$T/ain" \
    >"$T/aout" 2>"$T/alog" &
APID=$!
PIDS="$PIDS $APID"
exec 3>"$T/ain"
if wait_until 5 grep -q "$T/fifo.conf: not a regular file" "$T/alog"; then
	ok "announce started on a FIFO: refused at once"
else
	not_ok "announce started on a FIFO: refused at once"
	diag "$(cat "$T/alog")"
fi
check "announce started on a FIFO: still up" kill -0 "$APID"
printf 'asn = 12345;\n' >"$T/ahup.conf"
exec 3>&-
wait "$APID" 2>/dev/null
${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" -c "$T/ahup.conf" <"$T/ain" \
    >"$T/aout" 2>"$T/alog2" &
APID=$!
PIDS="$PIDS $APID"
exec 3>"$T/ain"
wait_until 5 grep -q "started" "$T/alog2"
rm -f "$T/ahup.conf"
mkfifo "$T/ahup.conf"
kill -HUP "$APID"
if wait_until 5 grep -q "reload failed, keeping the running config: $T/ahup.conf: not a regular file" "$T/alog2"; then
	ok "announce SIGHUP to a FIFO: refused at once, old config kept"
else
	not_ok "announce SIGHUP to a FIFO: refused at once, old config kept"
	diag "$(tail -n 5 "$T/alog2")"
fi
check "announce SIGHUP to a FIFO: still up" kill -0 "$APID"
exec 3>&-
wait_until 5 sh -c "! kill -0 $APID 2>/dev/null"
check "announce: exits at EOF afterwards" sh -c "! kill -0 $APID 2>/dev/null"
