#!/bin/bash
# tests/hardening/test_bad_input.sh - every malformed input of
# tests/data/bad/ (see make.py there) through the REAL binaries: no crash
# (no signal, no sanitizer or valgrind report), a clear log line or a
# file:line error, and the state before it intact.
#
#   json/       one bad ExaBGP line inserted into a real capture: bgpsd-listen
#               --once --dump gives the same dump as without it, and logs
#               "stdin line N skipped" (ign-*: valid JSON naming no port,
#               nothing to log). Plus a 1 MiB line, generated here.
#   conf/       -n of both programs refuses it naming file:line.
#   templates/  bgpsd-listen --render refuses it with file:line and the
#               reason; -n refuses a config that uses it.
#   ack/        what a broken ExaBGP writes to bgpsd-announce's stdin:
#               ignored or discarded, logged as printable ASCII, exit 0
#               at EOF.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
mktmp

BAD=$TOP/tests/data/bad
STREAM=$FIXTURES/basic-v4-v6.jsonl
DUMPCONF=$TOP/tests/listen/dump.conf
CTX=$TOP/tests/data/listen/context/basic-v4-v6.json
AT=7	# the bad line goes after line 7: 192.0.2.10/32 is known by then

for p in bgpsd-listen bgpsd-announce; do
	if [ ! -x "$BUILD/$p" ]; then
		not_ok "$p built ($BUILD/$p)"
		exit 1
	fi
done
if [ ! -f "$STREAM" ]; then
	not_ok "fixture $STREAM present"
	exit 1
fi

# ---- JSON lines ------------------------------------------------------------
$LISTEN --once --dump -c "$DUMPCONF" <"$STREAM" >"$T/base.json" 2>"$T/base.log"
rc=$?
if [ $rc != 0 ] || [ ! -s "$T/base.json" ]; then
	not_ok "json: reference dump"
	diag "$(cat "$T/base.log")"
	exit 1
fi

# insert FILE: the stream with FILE's bytes after line $AT
insert() {
	head -n $AT "$STREAM"
	cat "$1"
	tail -n +$((AT + 1)) "$STREAM"
}

# bad_json NAME FILE
bad_json() {
	local name=$1 f=$2 rc
	insert "$f" >"$T/in.jsonl"
	$LISTEN --once --dump -c "$DUMPCONF" <"$T/in.jsonl" >"$T/out.json" \
	    2>"$T/err.log"
	rc=$?
	if ! sane "json $name" $rc "$T/err.log"; then
		not_ok "json $name: no crash"
		return
	fi
	if [ $rc != 0 ]; then
		not_ok "json $name: --once exit status $rc"
		diag "$(head -c 600 "$T/err.log")"
		return
	fi
	if ! cmp -s "$T/out.json" "$T/base.json"; then
		not_ok "json $name: state intact (dump unchanged)"
		diag "$(diff "$T/base.json" "$T/out.json" | head -n 10)"
		return
	fi
	case $name in
	ign-*)
		if grep -q 'skipped' "$T/err.log"; then
			not_ok "json $name: valid line accepted silently"
			diag "$(cat "$T/err.log")"
			return
		fi
		;;
	*)
		if ! grep -q "stdin line $((AT + 1)) skipped" "$T/err.log"; then
			not_ok "json $name: logged as skipped"
			diag "$(head -c 600 "$T/err.log")"
			return
		fi
		;;
	esac
	if ! ascii_only "$T/err.log"; then
		not_ok "json $name: log is printable ASCII"
		diag "$(head -c 300 "$T/err.log" | od -c | head -n 5)"
		return
	fi
	ok "json $name: skipped, state intact"
}

n=0
for f in "$BAD"/json/*.jsonl; do
	bad_json "$(basename "$f" .jsonl)" "$f"
	n=$((n + 1))
done

# generated here rather than committed: 1 MiB lines
{
	printf '{ "exabgp": "4.0.1", "type": "update", "pad": "'
	head -c 1048576 /dev/zero | tr '\0' 'a'
	printf '" }\n'
} >"$T/1mb.jsonl"
bad_json "1mb-line" "$T/1mb.jsonl"
check "json 1mb-line: reason is max_line" \
    grep -q 'longer than max_line' "$T/err.log"
# a 1 MiB run of NULs and 0xff without any newline, then a good stream
{
	head -c 1048576 /dev/zero | tr '\0' '\377'
	head -c 4096 /dev/zero
	printf '\n'
} >"$T/1mb-binary.jsonl"
bad_json "1mb-binary" "$T/1mb-binary.jsonl"

# every bad line at once, one after the other: same dump, one log each
cat "$BAD"/json/*.jsonl "$T/1mb.jsonl" >"$T/all-bad"
insert "$T/all-bad" >"$T/in.jsonl"
$LISTEN --once --dump -c "$DUMPCONF" <"$T/in.jsonl" >"$T/out.json" \
    2>"$T/err.log"
rc=$?
want=$(ls "$BAD"/json/*.jsonl | grep -vc '/ign-')
want=$((want + 1))
got=$(grep -c 'skipped' "$T/err.log")
if sane "json all" $rc "$T/err.log" && [ $rc = 0 ] &&
    cmp -s "$T/out.json" "$T/base.json" && [ "$got" = "$want" ]; then
	ok "json: all $((n + 1)) bad lines in one stream, $got logged, state intact"
else
	not_ok "json: all bad lines in one stream (rc $rc, $got of $want logged)"
fi

# control: the harness does see a change when a good line is inserted
sed -n "${AT}p" "$STREAM" | sed 's/192\.0\.2\.10\/32/192.0.2.20\/32/' \
    >"$T/good.jsonl"
insert "$T/good.jsonl" >"$T/in.jsonl"
$LISTEN --once --dump -c "$DUMPCONF" <"$T/in.jsonl" >"$T/out.json" 2>/dev/null
if ! cmp -s "$T/out.json" "$T/base.json" &&
    grep -q '"192.0.2.20"' "$T/out.json"; then
	ok "json control: a good line inserted the same way changes the dump"
else
	not_ok "json control: a good line inserted the same way changes the dump"
fi

# ---- configs -----------------------------------------------------------------
for f in "$BAD"/conf/*.conf; do
	name=$(basename "$f" .conf)
	line=$(sed -n '1s/^# expect: \([0-9]*\).*/\1/p' "$f")
	if [ "$line" = 0 ]; then
		where="$f: "
	else
		where="$f:$line: "
	fi
	for p in bgpsd-announce bgpsd-listen; do
		${BGPSD_WRAP:-} "$BUILD/$p" -n -c "$f" >"$T/out" 2>"$T/err.log"
		rc=$?
		if ! refused "conf $name: $p -n" $rc "$where"; then
			continue
		elif [ "$(grep -cv '^==' "$T/err.log")" != 1 ]; then
			not_ok "conf $name: $p -n error is one line"
			diag "$(head -c 400 "$T/err.log")"
		elif [ -s "$T/out" ]; then
			not_ok "conf $name: $p -n prints nothing on stdout"
		else
			ok "conf $name: $p -n refuses it at ${where% }"
		fi
	done
done

# ---- templates ---------------------------------------------------------------
for f in "$BAD"/templates/*.mustache; do
	name=$(basename "$f" .mustache)
	expect=$(LC_ALL=C sed -n '1s/^{{! expect: \([^}]*\) }}.*/\1/p' "$f")
	$LISTEN --render "$f" --data "$CTX" >"$T/out" 2>"$T/err.log"
	rc=$?
	if ! refused "template $name: --render" $rc "$f" "$expect"; then
		:
	elif [ -s "$T/out" ]; then
		not_ok "template $name: --render prints nothing on stdout"
	else
		ok "template $name: --render refuses it ($expect)"
	fi
	# the same template in a config: -n must refuse it too
	listen_conf "$f" "$T/never-written" >"$T/tmpl.conf"
	case $name in
	rec-*)
		# recursion depends on the data: it compiles (-n accepts it)
		# and the render refuses it, keeping the old file
		echo "old" >"$T/never-written"
		$LISTEN --once -c "$T/tmpl.conf" <"$STREAM" >"$T/out" \
		    2>"$T/err.log"
		rc=$?
		if ! sane "template $name --once" $rc "$T/err.log"; then
			not_ok "template $name: --once: no crash"
		elif [ "$(cat "$T/never-written")" != old ] ||
		    ! grep -q "$expect.*old file kept" "$T/err.log"; then
			not_ok "template $name: render refused, old file kept"
			diag "$(head -c 400 "$T/err.log")"
		else
			ok "template $name: render refused, old file kept"
		fi
		rm -f "$T/never-written"
		continue
		;;
	esac
	${BGPSD_WRAP:-} "$BUILD/bgpsd-listen" -n -c "$T/tmpl.conf" >/dev/null \
	    2>"$T/err.log"
	rc=$?
	refused "template $name: -n" $rc "$f" &&
	    ok "template $name: -n refuses a config using it"
done

# ---- what bgpsd-announce reads from ExaBGP -----------------------------------
cat >"$T/announce.conf" <<EOF2
asn = 12345;
services = ( { name = "http"; port = 80;
	checks = ( { type = "tcp"; port = 1; } ); } );
announce = { prefixes = [ "192.0.2.10/32" ]; splay = false; };
EOF2
for f in "$BAD"/ack/*.txt; do
	name=$(basename "$f" .txt)
	timeout 20 ${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" -c "$T/announce.conf" \
	    <"$f" >"$T/out" 2>"$T/err.log"
	rc=$?
	if ! sane "ack $name" $rc "$T/err.log"; then
		not_ok "ack $name: no crash"
	elif [ $rc != 0 ]; then
		not_ok "ack $name: exit 0 at EOF (status $rc)"
		diag "$(head -c 400 "$T/err.log")"
	elif ! grep -q 'end of file on stdin' "$T/err.log"; then
		not_ok "ack $name: EOF logged"
	elif ! ascii_only "$T/err.log"; then
		not_ok "ack $name: log is printable ASCII"
		diag "$(LC_ALL=C grep -n '[^[:print:][:space:]]' "$T/err.log" | head -n 3 | od -c | head -n 4)"
	else
		ok "ack $name: read, logged as text, exit 0 at EOF"
	fi
done
# the bytes that are not lines at all are counted, never echoed raw
if grep -q 'discarded a line longer than 8192 bytes from ExaBGP: ' "$T/err.log" 2>/dev/null ||
    timeout 20 ${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" -c "$T/announce.conf" \
    <"$BAD/ack/long-line.txt" 2>&1 >/dev/null | grep -q 'discarded a line longer than 8192 bytes'; then
	ok "ack long-line: discarded and logged with the limit and its start"
else
	not_ok "ack long-line: discarded and logged with the limit and its start"
fi
