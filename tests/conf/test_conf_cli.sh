#!/bin/bash
# tests/conf/test_conf_cli.sh - bgpsd.conf through the two programs' -n:
# every bad config of tests/data/conf/bad exits 1 with "FILE:LINE: message"
# as the first line on stderr
# (the line and text its first line "# expect: LINE: TEXT" names), every
# good config prints its golden canonical form with -n -v, and
#   bgpsd-announce -n -v -c etc/bgpsd.conf | bgpsd-announce -n -c /dev/stdin
# round-trips (also with "-c -", and through bgpsd-listen).
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
mktmp

# prog P ARGS...: bgpsd-P (P: announce or listen) with ARGS
prog() {
	if [ "$1" = listen ]; then $LISTEN "${@:2}"; else $ANNOUNCE "${@:2}"; fi
}
# refuse P FILE: prog P -n -c FILE; RC: its exit status, ERR: what it
# wrote on stderr, FIRST: the first line of that
refuse() {
	ERR=$(prog "$1" -n -c "$2" 2>&1 >/dev/null)
	RC=$?
	FIRST=${ERR%%$'\n'*}
}

for f in tests/data/conf/bad/*.conf; do
	want=$(sed -n '1s/^# expect: //p' "$f")
	line=${want%%:*}
	text=${want#*: }
	for p in announce listen; do
		refuse $p "$f"
		# the first line is the error itself, nothing before it
		case $FIRST in
		"$f:$line: "*"$text"*)
			if [ $RC = 1 ]; then
				ok "$p -n $(basename "$f")"
			else
				not_ok "$p -n $(basename "$f")"
				diag "exit status $RC, want 1"
			fi ;;
		*)
			not_ok "$p -n $(basename "$f")"
			diag "got:  $ERR" "want: $f:$line: ...$text..." ;;
		esac
	done
done

# a user or group unknown on this host passes conf_load (the file is fine)
# but -n of both programs refuses it with the line that names it
printf 'asn = 12345;\nuser = "bgpsd-no-such-user";\n' >"$T/user.conf"
printf 'asn = 12345;\n\ngroup = "bgpsd-no-such-group";\n' >"$T/group.conf"
for c in "user.conf:2: unknown user" "group.conf:3: unknown group"; do
	f=$T/${c%%:*}
	for p in announce listen; do
		refuse $p "$f"
		case $FIRST in
		"$T/$c "*) check "$p -n ${c#*: } with file:line" test $RC = 1 ;;
		*) not_ok "$p -n ${c#*: } with file:line"; diag "got: $ERR" ;;
		esac
	done
done

for f in tests/data/conf/good/*.conf; do
	for p in announce listen; do
		if prog $p -n -v -c "$f" >"$T/out" 2>"$T/err" &&
		    cmp -s "$T/out" "${f%.conf}.out"; then
			ok "$p -n -v $(basename "$f") matches its golden output"
		else
			not_ok "$p -n -v $(basename "$f") matches its golden output"
			diag "$(cat "$T/err")" "$(diff "${f%.conf}.out" "$T/out" |
			    head -n 10)"
		fi
	done
done

# the issue's own words, then the other spellings of standard input
ex=etc/bgpsd.conf
$ANNOUNCE -n -v -c $ex >"$T/first" 2>/dev/null
if [ -s "$T/first" ] && $ANNOUNCE -n -v -c $ex 2>/dev/null |
    $ANNOUNCE -n -c /dev/stdin >/dev/null 2>&1; then
	ok "announce -n -v | announce -n -c /dev/stdin"
else
	not_ok "announce -n -v | announce -n -c /dev/stdin"
fi
$ANNOUNCE -n -v -c - <"$T/first" >"$T/second" 2>/dev/null
check "announce -n -v -c - prints the canonical form identically" \
    cmp -s "$T/first" "$T/second"
# from standard input, a relative template source is relative to the
# working directory (a file has its own directory): read it from etc/
(cd etc && $LISTEN -n -v -c /dev/stdin <"$T/first" >"$T/third" 2>"$T/err")
check "listen -n -v reads announce's canonical form identically" \
    cmp -s "$T/first" "$T/third"
[ -s "$T/third" ] || diag "$(cat "$T/err")"
printf 'asn = 12345;\nservices = ( { name = "x"; port = 0; } );\n' |
    $ANNOUNCE -n -c /dev/stdin >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 1 ] && grep -q '^/dev/stdin:2: ' "$T/err"; then
	ok "an error on standard input is reported as /dev/stdin:LINE"
else
	not_ok "an error on standard input is reported as /dev/stdin:LINE"
	diag "exit $rc: $(cat "$T/err")"
fi
