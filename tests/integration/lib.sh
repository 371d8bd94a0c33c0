# shellcheck shell=bash
# tests/integration/lib.sh - a small BGP lab for the end-to-end suites.
#
# Builds test hosts as network namespaces joined by one bridge ("hub"), starts
# real ExaBGP (and BIRD) in them, runs programs inside them, and tears it all
# down on exit, also after a failure or a signal. Every process it starts is
# recorded by pid and only those (plus whatever is left inside its own,
# uniquely named namespaces) are ended: TERM, then KILL.
#
# Without namespaces (not root, or `ip netns add` fails, or
# BGPSD_LAB_MODE=loopback) it falls back to loopback: every host gets its own
# 127.0.0.x address, BGP listeners use non-default ports picked per run, and
# the IPv6 session runs ::1 <-> ::1. The suite says so with "# loopback mode".
#
# Addresses exist only inside the namespaces: 169.254.179.0/24 and
# fd00:179::/64 on the hub. Routes carried in BGP are documentation prefixes.
#
# Usage (see test_e2e.sh):
#   . tests/integration/lib.sh
#   lab_init e2e                 # mode, run dir, trap
#   lab_host ann 11; lab_host lb 2
#   lab_host_addr ann 192.0.2.10           # the address "ann" announces
#   lab_service svc-web ann 8080           # demo TCP service inside "ann"
#   lab_exabgp_start lb "$conf" yes        # ExaBGP listening on its addresses
#   lab_exabgp_start ann "$conf" no        # ExaBGP that only connects out
#   wait_backends "$out" web "192.0.2.10" 5
#
# Bounded waits everywhere: every wait_* takes a timeout in seconds.

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=../lib.sh
. "$TOP/tests/lib.sh"

LAB_EXABGP=${LAB_EXABGP:-exabgp}
LAB_BIRD=${LAB_BIRD:-bird}
LAB_PY=${LAB_PY:-/usr/bin/python3}
[ -x "$LAB_PY" ] || LAB_PY=python3
LAB_TOOLS=$TOP/tests/integration
LAB_HOLD=${LAB_HOLD:-6}		# BGP hold time of every lab session
LAB_V4NET=169.254.179		# /24 on the hub
LAB_V6NET=fd00:179:		# fd00:179::IDX/64 on the hub

declare -A LAB_NS LAB_V4 LAB_V6 LAB_BGPPORT LAB_SVCADDR
declare -A LAB_PIDS		# name -> pid (latest)
LAB_ALLPIDS=()			# every pid ever started, in order
LAB_NSLIST=()			# namespaces created by this run
LAB_MODE=""
LAB_DIR=""
LAB_ID=""
LAB_HUB=""
LAB_TORN=0
LAB_WHY=""
LAB_LASTERR=""

lab_note() { printf '# %s\n' "$*"; }
lab_now() { date +%H:%M:%S.%3N; }
# seconds since the epoch with fractions (bash 5)
lab_ts() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }
# float helpers without bc
lab_fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
lab_fle() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# ---------------------------------------------------------------------------
# init / mode / teardown

# lab_init NAME: pick the mode, make the run folder, install the trap
lab_init() {
	local name=$1 why=""
	LAB_ID="bgpsd-$$-$name"
	LAB_DIR=${LAB_DIR_KEEP:-}
	if [ -z "$LAB_DIR" ]; then
		LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bgpsd-$name.XXXXXX") || exit 1
	else
		mkdir -p "$LAB_DIR" || exit 1
	fi
	trap lab_teardown EXIT
	# a non-zero exit says why: lab_die's reason, else the last command
	# that failed at the top level of the suite
	trap 'LAB_LASTERR="line $LINENO: $BASH_COMMAND (status $?)"' ERR
	trap 'lab_note "interrupted"; exit 130' INT
	trap 'lab_note "terminated"; exit 143' TERM
	case ${BGPSD_LAB_MODE:-auto} in
	loopback) why="BGPSD_LAB_MODE=loopback" ;;
	netns) ;;
	*)
		if [ "$(id -u)" != 0 ]; then
			why="not root"
		elif ! command -v ip >/dev/null; then
			why="no ip(8)"
		fi ;;
	esac
	if [ -z "$why" ]; then
		LAB_HUB="$LAB_ID-hub"
		if ip netns add "$LAB_HUB" 2>"$LAB_DIR/netns.err"; then
			LAB_NSLIST+=("$LAB_HUB")
			LAB_MODE=netns
			ip -n "$LAB_HUB" link set lo up
			ip -n "$LAB_HUB" link add br0 type bridge stp_state 0 \
			    forward_delay 0 mcast_snooping 0 || lab_die "bridge"
			ip -n "$LAB_HUB" link set br0 up
		else
			why="ip netns add failed: $(head -c 200 "$LAB_DIR/netns.err")"
			[ "${BGPSD_LAB_MODE:-auto}" = netns ] && lab_die "$why"
		fi
	fi
	if [ -z "$LAB_MODE" ]; then
		LAB_MODE=loopback
		lab_pick_ports
		lab_note "loopback mode: $why; hosts on 127.0.0.x, BGP on ports $LAB_PORTBASE+"
	else
		lab_note "netns mode: namespaces $LAB_ID-*, hub $LAB_V4NET.0/24 $LAB_V6NET:/64"
	fi
	export LAB_MODE LAB_DIR
}

# loopback mode: a block of 200 free TCP ports for this run's listeners and
# demo services (BGP: base+IDX, services: lab_port)
lab_pick_ports() {
	local try base used
	used=$(ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
	for try in 1 2 3 4 5 6 7 8 9 10; do
		# below the ephemeral range (32768+) so outgoing connections never
		# hold one of our listening ports
		base=$(( 20000 + ( ($$ * 7 + try * 1013) % 60 ) * 200 ))
		if ! echo "$used" | awk -v b="$base" '$1 >= b && $1 < b + 200 { f = 1 } END { exit !f }'; then
			LAB_PORTBASE=$base
			return 0
		fi
	done
	lab_die "no free port block"
}

# lab_port N: the port to use for service/port number N. In netns mode every
# host has its own port space, so N itself; on loopback a per-run port.
lab_port() {
	if [ "$LAB_MODE" = netns ]; then
		echo "$1"
	else
		echo $(( LAB_PORTBASE + 100 + $1 % 97 ))
	fi
}

lab_die() {
	LAB_WHY="lab: $*"
	echo "not ok - lab: $*"
	exit 1
}

# lab_host NAME IDX: a test host. netns: namespace + veth to the hub,
# $LAB_V4NET.IDX/24 and $LAB_V6NET:IDX/64. loopback: 127.0.0.(100+IDX), ::1.
lab_host() {
	local h=$1 idx=$2 ns
	if [ "$LAB_MODE" = netns ]; then
		ns="$LAB_ID-$h"
		ip netns add "$ns" || lab_die "ip netns add $ns"
		LAB_NSLIST+=("$ns")
		ip -n "$ns" link set lo up
		ip link add eth0 netns "$ns" type veth peer name "p$idx" \
		    netns "$LAB_HUB" || lab_die "veth for $h"
		ip -n "$LAB_HUB" link set "p$idx" master br0
		ip -n "$LAB_HUB" link set "p$idx" up
		# keep the IPv6 address when the link goes down; no DAD delay
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.keep_addr_on_down=1
		ip -n "$ns" addr add "$LAB_V4NET.$idx/24" dev eth0
		ip -n "$ns" -6 addr add "$LAB_V6NET:$idx/64" dev eth0 nodad
		ip -n "$ns" link set eth0 up
		LAB_NS[$h]=$ns
		LAB_V4[$h]=$LAB_V4NET.$idx
		LAB_V6[$h]=$LAB_V6NET:$idx
		LAB_BGPPORT[$h]=179
		LAB_SVCADDR[$h]=127.0.0.1
	else
		LAB_NS[$h]=""
		LAB_V4[$h]=127.0.0.$((100 + idx))
		LAB_V6[$h]=::1
		LAB_BGPPORT[$h]=$((LAB_PORTBASE + idx))
		# demo services of different hosts must not share an address
		LAB_SVCADDR[$h]=127.0.0.$((100 + idx))
	fi
	mkdir -p "$LAB_DIR/$h"
}

# lab_ann_lb: the two hosts of the end-to-end lab: the consumer "lb"
# (index 2) and the service host "ann" (11) holding 192.0.2.10 and
# 2001:db8::10; WEB and API: the ports of its two demo services (8080,
# 8443 as lab_port gives them), SVC: their address, A and L: the hosts'
# folders
lab_ann_lb() {
	lab_host lb 2
	lab_host ann 11
	lab_host_addr ann 192.0.2.10 2001:db8::10
	WEB=$(lab_port 8080)
	API=$(lab_port 8443)
	SVC=${LAB_SVCADDR[ann]}
	A=$LAB_DIR/ann
	L=$LAB_DIR/lb
}

# lab_hosts INDEX NAME...: lab_host for each NAME, INDEX counting up
lab_hosts() {
	local n=$1 h
	shift
	for h in "$@"; do
		lab_host "$h" "$n"
		n=$((n + 1))
	done
}

# lab_host_addr HOST ADDR...: put the service addresses HOST announces on
# its loopback, as on a real service host: bgpsd-announce announces a
# prefix only while its address is on an up interface (require_address).
# netns mode only; on loopback the real host's addresses must not change,
# so the configs turn the check off there: require_address =
# $(lab_require_address).
lab_host_addr() {
	local h=$1 a
	shift
	[ "$LAB_MODE" = netns ] || return 0
	for a in "$@"; do
		case $a in
		*:*) ip -n "${LAB_NS[$h]}" -6 addr add "$a/128" dev lo nodad ;;
		*) ip -n "${LAB_NS[$h]}" addr add "$a/32" dev lo ;;
		esac || lab_die "ip addr add $a on $h"
	done
}
lab_require_address() {
	if [ "$LAB_MODE" = netns ]; then echo true; else echo false; fi
}

# lab_exec HOST CMD...: run CMD inside HOST (foreground)
lab_exec() {
	local h=$1; shift
	if [ -n "${LAB_NS[$h]}" ]; then
		ip netns exec "${LAB_NS[$h]}" "$@"
	else
		"$@"
	fi
}

# lab_spawn NAME HOST CMD...: start CMD in the background inside HOST, output
# to $LAB_DIR/NAME.log, pid recorded. `ip netns exec` execs, so $! is CMD.
lab_spawn() {
	local name=$1 h=$2; shift 2
	if [ -n "${LAB_NS[$h]}" ]; then
		ip netns exec "${LAB_NS[$h]}" "$@" >>"$LAB_DIR/$name.log" 2>&1 </dev/null &
	else
		"$@" >>"$LAB_DIR/$name.log" 2>&1 </dev/null &
	fi
	LAB_PIDS[$name]=$!
	LAB_ALLPIDS+=($!)
	echo "$(lab_now) start $name pid $! on $h: $*" >>"$LAB_DIR/lab.log"
}

lab_pid() { echo "${LAB_PIDS[$1]:-}"; }
lab_alive() { local p; p=$(lab_pid "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# lab_children PID: direct children (ExaBGP's API processes)
lab_children() {
	local d line st
	for d in /proc/[0-9]*; do
		{ read -r line <"$d/stat"; } 2>/dev/null || continue
		# "pid (comm) state ppid ...": comm may hold spaces and ")"
		st=${line##*) }
		st=${st#* }
		[ "${st%% *}" = "$1" ] && echo "${d#/proc/}"
	done
}

# LAB_KIDS[ppid] = its children, from one pass over /proc with no fork
# per process (an awk per entry took tens of seconds on a busy machine)
declare -A LAB_KIDS
lab_kids_scan() {
	local d line st pp
	LAB_KIDS=()
	for d in /proc/[0-9]*; do
		{ read -r line <"$d/stat"; } 2>/dev/null || continue
		st=${line##*) }
		st=${st#* }
		pp=${st%% *}
		LAB_KIDS[$pp]="${LAB_KIDS[$pp]:-} ${d#/proc/}"
	done
}

# lab_child PARENT_NAME COMM: pid of the child of a lab process whose
# executable basename (comm, 15 chars) is COMM
lab_child() {
	local p c
	p=$(lab_pid "$1")
	[ -n "$p" ] || return 1
	for c in $(lab_children "$p"); do
		if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "${2:0:15}" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# lab_gone PID: the process has exited (a zombie waiting for its reaper,
# e.g. an orphan of a killed ExaBGP, counts as gone)
lab_gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

# lab_kill NAME [SIG]: signal a recorded process
lab_kill() {
	local p
	p=$(lab_pid "$1")
	[ -n "$p" ] || return 0
	kill -"${2:-TERM}" "$p" 2>/dev/null
	echo "$(lab_now) signal ${2:-TERM} $1 pid $p" >>"$LAB_DIR/lab.log"
	# reap a killed child at once (and keep bash from reporting it)
	[ "${2:-TERM}" = KILL ] && wait "$p" 2>/dev/null
	return 0
}

# lab_stop NAME [SECONDS]: TERM, wait (bounded), KILL; reap it
lab_stop() {
	local p
	p=$(lab_pid "$1")
	[ -n "$p" ] || return 0
	lab_stop_pids "${2:-5}" "$p"
	wait "$p" 2>/dev/null
	echo "$(lab_now) stopped $1 pid $p" >>"$LAB_DIR/lab.log"
	return 0
}

# lab_stop_pids SECONDS PID...: TERM them all, wait up to SECONDS, KILL the rest
lab_stop_pids() {
	local limit=$1 p i left
	shift
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	# a stopped process (SIGSTOP scenario) only acts on TERM once continued
	kill -CONT "$@" 2>/dev/null
	for ((i = 0; i < limit * 10; i++)); do
		left=0
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && left=1
		done
		[ $left = 0 ] && return 0
		sleep 0.1
	done
	for p in "$@"; do
		if kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null
			echo "$(lab_now) KILL pid $p (ignored TERM)" >>"$LAB_DIR/lab.log"
		fi
	done
}

# every process this run started, plus their descendants (API processes),
# plus anything still inside our own namespaces
lab_all_live_pids() {
	local p c seen=" "
	local queue=("${LAB_ALLPIDS[@]}")
	local ns
	for ns in "${LAB_NSLIST[@]}"; do
		queue+=($(ip netns pids "$ns" 2>/dev/null))
	done
	lab_kids_scan
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		kill -0 "$p" 2>/dev/null || continue
		echo "$p"
		for c in ${LAB_KIDS[$p]:-}; do
			queue+=("$c")
		done
	done
}

lab_teardown() {
	local rc=$? pids ns p
	[ "$LAB_TORN" = 1 ] && return
	LAB_TORN=1
	# finish the teardown even when signalled again (it is bounded)
	trap "" INT TERM
	pids=$(lab_all_live_pids)
	# shellcheck disable=SC2086
	[ -n "$pids" ] && lab_stop_pids 5 $pids
	# reap only our own children (a plain `wait` would also wait for a
	# process substitution such as demo.sh's tee, forever)
	for p in "${LAB_ALLPIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for ns in "${LAB_NSLIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$rc" != 0 ]; then
		lab_note "exiting with status $rc: ${LAB_WHY:-${LAB_LASTERR:-no reason recorded}}"
	fi
	if [ "$rc" != 0 ] || [ -n "${LAB_KEEP:-}" ]; then
		[ -n "$LAB_DIR" ] && lab_note "lab files kept in $LAB_DIR"
	elif [ -z "${LAB_DIR_KEEP:-}" ] && [ -n "$LAB_DIR" ]; then
		rm -rf "$LAB_DIR"
	fi
	return $rc
}

# ---------------------------------------------------------------------------
# lab_require NAME "PROGRAM..." COMMAND...: unless every PROGRAM is built
# in $BUILD and every COMMAND is installed, skip suite NAME (exit 0)
lab_require() {
	local name=$1 progs=$2 b c
	shift 2
	for b in $progs; do
		if [ ! -x "$BUILD/$b" ]; then
			skip "$name" "$BUILD/$b not built (make all)"
			exit 0
		fi
	done
	for c in "$@"; do
		if ! command -v "$c" >/dev/null; then
			skip "$name" "$c not installed (make deps)"
			exit 0
		fi
	done
}

# lab_bird_rr ID AS CLIENTS: etc/bird-rr.conf for a lab reflector with
# router id ID in AS, the lab's hold time, and the text CLIENTS between
# its "# BEGIN clients" and "# END clients" lines
lab_bird_rr() {
	awk -v c="$3" '
	    /^# BEGIN clients/ { print; printf "%s", c; skip = 1; next }
	    /^# END clients/ { skip = 0 }
	    !skip' "$TOP/etc/bird-rr.conf" |
	sed -e "s/^define RR_ID = .*/define RR_ID = $1;/" \
	    -e "s/^define RR_AS = .*/define RR_AS = $2;/" \
	    -e "s/^define RR_HOLD = .*/define RR_HOLD = $LAB_HOLD;/" \
	    -e "s/^define RR_KEEPALIVE = .*/define RR_KEEPALIVE = $((LAB_HOLD / 3));/"
}

# lab_bird_start DIR: BIRD on host "rr" with DIR/bird.conf, its control
# socket DIR/bird.ctl and pid file DIR/bird.pid; up to 5 s for the socket
lab_bird_start() {
	lab_spawn bird rr "$LAB_BIRD" -f -c "$1/bird.conf" -s "$1/bird.ctl" \
	    -P "$1/bird.pid"
	lab_wait 5 test -S "$1/bird.ctl" || lab_die "BIRD did not start"
}

# lab_timing: the check timing lines of a bgpsd.conf announce group, from
# the suite's INTERVAL, FAST (0.25 unless set), TIMEOUT, RISE and FALL
lab_timing() {
	printf '\tinterval = %s;\n\tfast_interval = %s;\n\ttimeout = %s;\n' \
	    "$INTERVAL" "${FAST:-0.25}" "$TIMEOUT"
	printf '\trise = %s;\n\tfall = %s;\n' "$RISE" "$FALL"
}

# lab_bounds: DOWN_BOUND and UP_BOUND, the issue's bounds in seconds for
# a port going down (FALL x INTERVAL + TIMEOUT + 2 s) and coming back
# (the next check, RISE - 1 more, TIMEOUT, 2 s: RISE x INTERVAL +
# TIMEOUT + 2 s), from the suite's INTERVAL, TIMEOUT, RISE and FALL
lab_bounds() {
	DOWN_BOUND=$(awk -v f="$FALL" -v i="$INTERVAL" -v t="$TIMEOUT" \
	    'BEGIN { print f * i + t + 2 }')
	UP_BOUND=$(awk -v r="$RISE" -v i="$INTERVAL" -v t="$TIMEOUT" \
	    'BEGIN { print r * i + t + 2 }')
}

# waits (all bounded)

# lab_wait SECONDS CMD...: poll CMD every 0.05 s until it succeeds
lab_wait() {
	local limit=$1 end
	shift
	end=$(awk -v n="$(lab_ts)" -v l="$limit" 'BEGIN { printf "%.3f", n + l }')
	while ! "$@"; do
		lab_fle "$end" "$(lab_ts)" && return 1
		sleep 0.05
	done
	return 0
}

# T0: when the step lab_expect times began (lab_mark); LAB_DUMP: the
# suite's function that shows what the lab saw when a step fails
T0=0
LAB_DUMP=${LAB_DUMP:-}

# lab_mark TEXT...: a new step from now, TEXT in the lab's log
lab_mark() { T0=$(lab_ts); echo "$(lab_now) --- $*" >>"$LAB_DIR/lab.log"; }

# lab_expect NAME SECONDS CMD...: ok NAME when CMD becomes true within
# SECONDS (with how long after lab_mark), else not ok NAME and $LAB_DUMP
lab_expect() {
	local name=$1 limit=$2
	shift 2
	if lab_wait "$limit" "$@"; then
		ok "$name"
		diag "$name: after $(lab_fsub "$(lab_ts)" "$T0") s (bound $limit s)"
		return 0
	fi
	not_ok "$name"
	[ -n "$LAB_DUMP" ] && "$LAB_DUMP" "$name: not within $limit s"
	return 1
}

# wait_for_file_content FILE REGEX SECONDS: until FILE has a line matching
wait_for_file_content() {
	lab_wait "$3" grep -Eq -- "$2" "$1" 2>/dev/null
}

# wait_for_file_lacking FILE REGEX SECONDS: until FILE exists without a match
lab_lacks() { [ -f "$1" ] && ! grep -Eq -- "$2" "$1"; }
wait_for_file_lacking() {
	lab_wait "$3" lab_lacks "$1" "$2"
}

# number of established TCP sessions to/from port PORT seen inside HOST
# (netns: both directions; loopback: only the accepting side, whose local
# port is PORT, to count each session once)
lab_sessions() {
	local h=$1 port=${2:-${LAB_BGPPORT[$1]}}
	if [ "$LAB_MODE" = netns ]; then
		lab_exec "$h" ss -Htn state established \
		    "( sport = :$port or dport = :$port )" 2>/dev/null | wc -l
	else
		ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l
	fi
}
lab_sessions_ge() { [ "$(lab_sessions "$1")" -ge "$2" ]; }
lab_sessions_le() { [ "$(lab_sessions "$1")" -le "$2" ]; }

# wait_sessions HOST N SECONDS: at least N established BGP TCP sessions
# at HOST (a listener: the consumer or the reflector)
wait_sessions() {
	lab_wait "$3" lab_sessions_ge "$1" "$2"
}

# ---------------------------------------------------------------------------
# ExaBGP

# lab_exabgp_env HOST: the env file of HOST's ExaBGP (not Debian's: root, no
# privilege drop, acks on, respawn on, no CLI pipes, logs to stdout)
lab_exabgp_env() {
	local h=$1
	cat >"$LAB_DIR/$h/exabgp.env" <<EOF
[exabgp.api]
ack = true
cli = false
respawn = true
terminate = false
encoder = text

[exabgp.daemon]
daemonize = false
drop = false
user = '$(id -un)'
pid = ''

[exabgp.log]
destination = 'stdout'
level = INFO
processes = true
network = true
reactor = true
rib = false
configuration = false
parser = false
timers = false
routes = false

[exabgp.tcp]
port = 179
EOF
	echo "$LAB_DIR/$h/exabgp.env"
}

# lab_neighbor PEER_HOST LOCAL_HOST FAMILY(ipv4|ipv6) LOCAL_AS PEER_AS
#     API_LINES [EXTRA_LINES]: one ExaBGP neighbor stanza between two hosts.
# FAMILY ipv6 makes an IPv6 session (next-hop self for /128 needs one).
# In loopback mode the active side gets `connect <port of PEER>`.
lab_neighbor() {
	local peer=$1 me=$2 fam=$3 las=$4 pas=$5 api=$6 extra=${7:-}
	local paddr laddr
	if [ "$fam" = ipv6 ]; then
		paddr=${LAB_V6[$peer]} laddr=${LAB_V6[$me]}
	else
		paddr=${LAB_V4[$peer]} laddr=${LAB_V4[$me]}
	fi
	case $extra in
	*passive*) ;;
	*) [ "$LAB_MODE" = loopback ] && extra="$extra
	connect ${LAB_BGPPORT[$peer]};" ;;
	esac
	cat <<EOF
neighbor $paddr {
	router-id ${LAB_V4[$me]};
	local-address $laddr;
	local-as $las;
	peer-as $pas;
	hold-time $LAB_HOLD;
$extra
	family {
		$fam unicast;
	}
	capability {
		route-refresh;
	}
	api {
$api
	}
}
EOF
}

# lab_process NAME PROGRAM CONF ENCODER: an ExaBGP process stanza that
# runs $BUILD/PROGRAM -c CONF with encoder ENCODER (json or text)
lab_process() {
	echo "process $1 {"
	echo "	run $BUILD/$2 -c $3;"
	echo "	encoder $4;"
	echo "}"
}

# the api lines of a consumer's neighbor: its bgpsd-listen (the process
# "bgpsd") gets the neighbor changes and the parsed updates
LAB_LISTEN_API="		processes [ bgpsd ];
		neighbor-changes;
		receive {
			parsed;
			update;
		}"

# lab_lb_exabgp CONF: ExaBGP's config on the consumer "lb": bgpsd-listen
# -c CONF, and the passive IPv4 and IPv6 sessions from "ann" (AS 65001)
lab_lb_exabgp() {
	lab_process bgpsd bgpsd-listen "$1" json
	lab_neighbor ann lb ipv4 65000 65001 "$LAB_LISTEN_API" "	passive;"
	lab_neighbor ann lb ipv6 65000 65001 "$LAB_LISTEN_API" "	passive;"
}

# lab_ann_exabgp CONF: ExaBGP's config on "ann": bgpsd-announce -c CONF,
# and the IPv4 and IPv6 sessions to "lb" (AS 65000)
lab_ann_exabgp() {
	lab_process bgpsd bgpsd-announce "$1" text
	lab_neighbor lb ann ipv4 65001 65000 "		processes [ bgpsd ];"
	lab_neighbor lb ann ipv6 65001 65000 "		processes [ bgpsd ];"
}

# lab_lb_conf OUT "NAME:PORT..." [LINE...]: the bgpsd.conf of a lab
# consumer: AS 12345, the services, wait_min 0.1, wait_max 3.0, each
# LINE in listen, and two templates: the test view
# (data/backends.mustache) to OUT/backends.txt with every version kept
# in OUT/history (made here) by snapshot.sh, and haproxy.cfg checked by
# haproxy -c
lab_lb_conf() {
	local out=$1 svc=$2 l
	shift 2
	mkdir -p "$out/history"
	echo "# bgpsd.conf of host \"lb\" (generated by ${0##*/})"
	echo "asn = 12345;"
	conf_services "$svc"
	printf 'listen = {\n\twait_min = 0.1;\n\twait_max = 3.0;\n'
	for l in "$@"; do printf '\t%s\n' "$l"; done
	cat <<EOF
	templates = (
		{
			source = "$TOP/tests/integration/data/backends.mustache";
			destination = "$out/backends.txt";
			check = [ "$LAB_TOOLS/snapshot.sh", "%s", "$out/history" ];
		},
		{
			source = "$TOP/etc/templates/haproxy.cfg.mustache";
			destination = "$out/haproxy.cfg";
			check = [ "haproxy", "-c", "-q", "-f", "%s" ];
		}
	);
};
EOF
}

# lab_exabgp_start HOST CONF LISTEN(yes|no) [NAME]: start HOST's ExaBGP.
# A listener binds its own addresses on its BGP port; others only connect.
lab_exabgp_start() {
	local h=$1 conf=$2 listen=$3 name=${4:-exabgp-$1} env bind=""
	env=$(lab_exabgp_env "$h")
	if [ "$listen" = yes ]; then
		bind=${LAB_V4[$h]}
		[ "${LAB_V6[$h]}" != "${LAB_V4[$h]}" ] && bind="$bind ${LAB_V6[$h]}"
	fi
	lab_spawn "$name" "$h" env exabgp_tcp_bind="$bind" \
	    exabgp_tcp_port="${LAB_BGPPORT[$h]}" \
	    "$LAB_EXABGP" --env "$env" "$conf"
}

# lab_service NAME HOST PORT [WEIGHTFILE]: a demo TCP service on HOST's
# loopback (127.0.0.1 and ::1 in netns mode), ready when this returns (or
# fails); with WEIGHTFILE an HTTP service that reports its content as
# X-Bgpsd-Weight (tcpserver.py --http)
lab_service() {
	local name=$1 h=$2 port=$3 addrs http=()
	addrs=${LAB_SVCADDR[$h]}
	[ "$LAB_MODE" = netns ] && addrs="$addrs ::1"
	[ -n "${4:-}" ] && http=(--http "$4")
	: >"$LAB_DIR/$name.log"
	# shellcheck disable=SC2086
	lab_spawn "$name" "$h" "$LAB_PY" "$LAB_TOOLS/tcpserver.py" \
	    "${http[@]}" "$port" $addrs
	wait_for_file_content "$LAB_DIR/$name.log" '^listening' 5
}

# ---------------------------------------------------------------------------
# reading the rendered test view (tests/integration/data/backends.mustache):
#   service NAME PORT COUNT
#   backend NAME PORT IP

# backends FILE NAME: the sorted IPs of service NAME, space-separated
backends() {
	awk -v n="$2" '$1 == "backend" && $2 == n { print $4 }' "$1" 2>/dev/null |
	    sort | tr '\n' ' ' | sed 's/ $//'
}

# has_backends FILE NAME "IP IP...": the service's set is exactly that
# (order free; "" = no backend)
has_backends() {
	local want
	want=$(echo "$3" | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
	[ -f "$1" ] && [ "$(backends "$1" "$2")" = "$want" ]
}

# wait_backends FILE NAME "IPS" SECONDS
wait_backends() {
	lab_wait "$4" has_backends "$1" "$2" "$3"
}

# lab_tail FILE [N]: last lines of a lab file as diagnostics
lab_tail() {
	[ -f "$1" ] || return 0
	echo "# --- ${1#"$LAB_DIR"/} (last ${2:-15} lines)"
	tail -n "${2:-15}" "$1" | sed 's/^/#   /'
}
