# tests/lib.sh - helpers for shell test suites (sourced).
# Each suite prints "ok - name", "not ok - name", or "ok - name # SKIP why";
# tests/run.sh counts them. Diagnostics start with "# ".
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
ANNOUNCE="${BGPSD_WRAP:-} $BUILD/bgpsd-announce"
LISTEN="${BGPSD_WRAP:-} $BUILD/bgpsd-listen"
# the real ExaBGP 4.2 streams, in the repository so that a fresh clone
# tests on its own (copied from the workspace's ../shared/fixtures)
FIXTURES=${FIXTURES:-$TOP/tests/data/fixtures/exabgp-4.2}

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
skip() { local n=$1; shift; echo "ok - $n # SKIP $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check NAME CMD...: ok if CMD succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n"; fi; }

# check_out NAME CMD...: ok if CMD succeeds, else not ok with what CMD
# wrote (stdout and stderr) as diagnostics; returns 1 then
check_out() {
	local n=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$n"
		return 0
	fi
	not_ok "$n"
	diag "$out"
	return 1
}

# check_eq NAME GOT WANT: ok if the two texts are equal, else not ok
# with both as diagnostics
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "got:" "$2" "want:" "$3"
	fi
}

# ExaBGP 4.2's JSON lines, as bgpsd-listen reads them from its ExaBGP:
# exa_state PEER STATE LOCAL, exa_eor PEER AFI LOCAL
exa_state() {
	printf '{ "exabgp": "4.0.1", "type": "state", "neighbor": { "address": { "local": "%s", "peer": "%s" }, "asn": { "local": 65000, "peer": 65001 }, "state": "%s" } }\n' \
	    "$3" "$1" "$2"
}
exa_eor() {
	printf '{ "exabgp": "4.0.1", "type": "update", "neighbor": { "address": { "local": "%s", "peer": "%s" }, "asn": { "local": 65000, "peer": 65001 }, "direction": "receive", "message": { "eor": { "afi": "%s", "safi": "unicast" } } } }\n' \
	    "$3" "$1" "$2"
}
# exa_announce PEER LOCAL FAMILY PREFIX PORT...: PREFIX with the
# communities 12345:PORT
exa_announce() {
	local peer=$1 local=$2 fam=$3 pfx=$4 c= p
	shift 4
	for p in "$@"; do c="$c${c:+, }[ 12345, $p ]"; done
	printf '{ "exabgp": "4.0.1", "type": "update", "neighbor": { "address": { "local": "%s", "peer": "%s" }, "asn": { "local": 65000, "peer": 65001 }, "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "community": [ %s ] }, "announce": { "%s unicast": { "%s": [ { "nlri": "%s" } ] } } } } } }\n' \
	    "$local" "$peer" "$c" "$fam" "$peer" "$pfx"
}

# what the daemon asks ExaBGP at start (the table it already holds), and
# what a freshly started ExaBGP 4.2 (no session up yet, acks on) answers
REQUEST='show neighbor summary
show adj-rib in extensive
show neighbor summary'
SUMMARY_HEAD='Peer            AS        up/down state       |     #sent     #recvd'
fresh_answer() {
	printf '%s\ndone\ndone\n%s\ndone\n' "$SUMMARY_HEAD" "$SUMMARY_HEAD"
}

# a private temporary folder removed on exit
mktmp() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/bgpsd-test.XXXXXX")
	trap 'rm -rf "$T"' EXIT
}

# stop_pids: end every process in $PIDS (the suite's own, by pid): TERM,
# then wait for each
stop_pids() {
	local p
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
}

# stop_listen: EOF on fd 3 (the stdin of the bgpsd-listen in $LPID), up
# to 10 s for it to exit (then SIGKILL); STATUS: its exit status, or
# "timeout"
stop_listen() {
	exec 3>&-
	local i
	STATUS=
	for i in $(seq 1 100); do
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$LPID" 2>/dev/null; then
		kill -KILL "$LPID" 2>/dev/null
		STATUS=timeout
	fi
	wait "$LPID"
	STATUS=${STATUS:-$?}
	LPID=
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s
wait_until() {
	local limit=$1; shift
	local end=$(( $(date +%s%N) + limit * 1000000000 ))
	while ! "$@"; do
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# conf_services "NAME:PORT ...": the services line of a bgpsd.conf
conf_services() {
	local s c=
	for s in $1; do
		c="$c${c:+, }{ name = \"${s%%:*}\"; port = ${s##*:}; }"
	done
	printf 'services = ( %s );\n' "$c"
}

# listen_conf [-s "NAME:PORT..."] [-m WAIT_MIN] [-M WAIT_MAX] [-x LINE]...
#     [-l LINE]... [-t LINE]... SOURCE DEST: a bgpsd.conf for bgpsd-listen
# on stdout: asn = 12345, the services (none without -s), and listen
# with wait_min and wait_max (when given) and the one template SOURCE ->
# DEST. Each LINE ('key = value;') goes at the top (-x), into listen
# (-l) or into the template (-t); an empty LINE is left out.
listen_conf() {
	local OPTIND o svc= min= max= top=() lst=() tpl=() l
	while getopts 's:m:M:x:l:t:' o; do
		case $o in
		s) svc=$OPTARG ;;
		m) min=$OPTARG ;;
		M) max=$OPTARG ;;
		x) top+=("$OPTARG") ;;
		l) lst+=("$OPTARG") ;;
		t) tpl+=("$OPTARG") ;;
		*) echo "listen_conf: bad option" >&2; return 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	echo 'asn = 12345;'
	for l in "${top[@]}"; do [ -n "$l" ] && printf '%s\n' "$l"; done
	[ -n "$svc" ] && conf_services "$svc"
	echo 'listen = {'
	[ -n "$min" ] && printf '\twait_min = %s;\n' "$min"
	[ -n "$max" ] && printf '\twait_max = %s;\n' "$max"
	for l in "${lst[@]}"; do [ -n "$l" ] && printf '\t%s\n' "$l"; done
	printf '\ttemplates = ( {\n\t\tsource = "%s";\n' "$1"
	printf '\t\tdestination = "%s";\n' "$2"
	for l in "${tpl[@]}"; do [ -n "$l" ] && printf '\t\t%s\n' "$l"; done
	printf '\t} );\n};\n'
}

# exited_within SECONDS: up to SECONDS for the bgpsd-listen in $LPID to
# exit by itself, its stdin (fd 3) still open; then STATUS is its exit
# status, LPID empty and fd 3 closed. Returns 1 while it still runs.
exited_within() {
	local i
	for i in $(seq 1 $(($1 * 10))); do
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$LPID" 2>/dev/null && return 1
	wait "$LPID"
	STATUS=$?
	LPID=
	exec 3>&-
}

# check_listen_end WHAT: three checks on the bgpsd-listen in $LPID: it
# is still alive (WHAT: after what), exits with status 0 at EOF on its
# stdin (stop_listen), and wrote nothing on its stdout ($T/stdout) but
# the recovery request
check_listen_end() {
	kill -0 "$LPID" 2>/dev/null
	check "daemon alive $1" [ $? = 0 ]
	stop_listen
	check "EOF on stdin: exit status 0" [ "$STATUS" = 0 ]
	check "daemon: stdout holds the recovery request, nothing else" \
	    test "$(cat "$T/stdout")" = "$REQUEST"
}

# check_tail NAME FILE N CMD...: check NAME CMD..., and when not ok the
# last N lines of FILE (a log) as diagnostics
check_tail() {
	local n=$1 f=$2 k=$3
	shift 3
	if "$@"; then
		ok "$n"
	else
		not_ok "$n"
		diag "${f##*/}:" "$(tail -n "$k" "$f")"
	fi
}

# check_logs NAME N FILE... -- CMD...: check NAME CMD..., and when not ok
# the last N lines of each FILE (the logs that tell why) as diagnostics;
# returns 1 then
check_logs() {
	local n=$1 k=$2 f files=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		files+=("$1")
		shift
	done
	shift
	if "$@"; then
		ok "$n"
		return 0
	fi
	not_ok "$n"
	for f in "${files[@]}"; do
		diag "${f##*/}:" "$(tail -n "$k" "$f" 2>/dev/null)"
	done
	return 1
}

# conf_timing INTERVAL FAST_INTERVAL TIMEOUT RISE FALL: the check timing
# keys of a bgpsd.conf service or announce block, on one line
conf_timing() {
	printf 'interval = %s; fast_interval = %s; timeout = %s; ' "$1" "$2" "$3"
	printf 'rise = %s; fall = %s;\n' "$4" "$5"
}

# lo_listener PORT READY SECONDS: in the background, a TCP listener on
# 127.0.0.1:PORT that accepts and closes every connection for SECONDS;
# READY (a file) is made once it listens. Its pid in LO_PID.
lo_listener() {
	python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
s.settimeout(0.5)
open(sys.argv[2], "w").close()
end = time.time() + float(sys.argv[3])
while time.time() < end:
    try:
        s.accept()[0].close()
    except socket.timeout:
        pass
' "$1" "$2" "$3" &
	LO_PID=$!
}
