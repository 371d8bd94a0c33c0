#!/bin/bash
# tests/bench/run.sh - the bgpsd benchmarks (make bench). One table at the end.
#
#   BUILD=build bash tests/bench/run.sh        # full run, < 5 minutes
#   BENCH_QUICK=1 BUILD=build bash tests/bench/run.sh   # smoke: tiny N
#   BENCH_ONLY="tcp latency" ...               # a subset: tcp ehc http exec
#                                              # latency stream render
#   BENCH_TCP_NS="10000" ...                   # other N for the TCP runs
#   BENCH_ANN_BASE=/path/bgpsd-announce ...    # tcp: also measure this
#                                              # binary (e.g. main's), same run
#
# All traffic is on 127.0.0.1; every loop and every process is bounded;
# only processes started here are stopped, by PID. CPU is per process:
# the sum over its threads of /proc/PID/task/*/schedstat (ns on CPU), plus
# the utime+stime of reaped children (/proc/PID/stat, clock ticks) where
# a checker forks. "Checks" are counted by the listeners process (accepted
# connections), never assumed, except for exec checks (status file).
# Raw numbers of every run go to $BENCH_OUT (default $BUILD/bench).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
B=$BUILD/tests/bench
ANN=$BUILD/bgpsd-announce
LST=$BUILD/bgpsd-listen
QUICK=${BENCH_QUICK:-0}
ONLY=${BENCH_ONLY:-tcp ehc http exec latency stream render}
OUT=${BENCH_OUT:-$BUILD/bench}
mkdir -p "$OUT"
log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
# a non-zero exit always says why: the last command that failed, or the
# reason given to die()
WHY=""
die() { WHY=$*; log "$*"; exit 1; }
on_err() { [ -n "$WHY" ] || LASTERR="line $1: $2 (status $3)"; }
LASTERR=""
on_exit() {
	local rc=$?
	[ -n "${T:-}" ] && cleanup
	if [ "$rc" != 0 ]; then
		echo "bench: exiting with status $rc: ${WHY:-${LASTERR:-no reason recorded}}" >&2
	fi
	exit "$rc"
}
trap 'on_err "$LINENO" "$BASH_COMMAND" "$?"' ERR
trap on_exit EXIT
trap 'WHY="interrupted"; exit 130' INT TERM
# shellcheck source=lib.sh
. "$TOP/tests/bench/lib.sh"
for f in listeners floor_connect floor_json gen_stream render_bench stamp \
    tcp_probe; do
	[ -x "$B/$f" ] || die "$B/$f missing (make tests)"
done
[ -x "$ANN" ] && [ -x "$LST" ] || die "programs missing (make)"

# big files in memory when possible: the stream is ~480 MB
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	T=$(mktemp -d /dev/shm/bgpsd-bench.XXXXXX)
else
	T=$(mktemp -d "${TMPDIR:-/tmp}/bgpsd-bench.XXXXXX")
fi
PIDS=()
cleanup() {
	local p
	echo "${PIDS[@]}" >"$OUT/pids.txt"
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in "${PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}

if [ "$QUICK" = 1 ]; then
	TCP_NS="20" WARM=0.6 WIN=1 IV=0.2 TO=0.1 FLOOR_D=0.5 FLOOR_W=0.2
	EHC_N=2 EHC_WARM=1.5 EHC_WIN=1 HTTP_N=20 EXEC_N=5
	LAT_N=3 LAT_DEFAULTS=0 STREAM_LINES=20000 STREAM_PFX=1000
	RENDER_N=1000 RENDER_R=3
else
	TCP_NS="100 1000 10000" WARM=4 WIN=10 IV=1 TO=0.5 FLOOR_D=3 FLOOR_W=0.5
	EHC_N=20 EHC_WARM=5 EHC_WIN=10 HTTP_N=1000 EXEC_N=100
	LAT_N=20 LAT_DEFAULTS=1 STREAM_LINES=1000000 STREAM_PFX=10000
	RENDER_N=10000 RENDER_R=21
fi

TCP_NS=${BENCH_TCP_NS:-$TCP_NS}
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)
RESULTS=$OUT/results.txt	# name|value|target|verdict
: >"$RESULTS"
: >"$OUT/raw.txt"
# result NAME VALUE TARGET VERDICT
result() { printf '%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
calc() { awk "BEGIN { printf \"%s\", $* }" </dev/null; }
# fnum FORMAT EXPR
fnum() { awk "BEGIN { printf \"$1\", $2 }" </dev/null; }
# verdict EXPR: "met" when the awk expression holds
verdict() { if [ "$(calc "($1) ? 1 : 0")" = 1 ]; then echo met; else echo MISSED; fi; }

now_ns() { date +%s%N; }
# num, cpu_ns, child_ns and kb: lib.sh
# alive PID: the process exists and is not a zombie
alive() {
	local st
	st=$(awk '$1 == "State:" { print $2 }' /proc/"$1"/status 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}
# proportional set size (shared pages divided among their users), kB
pss() { num "$(awk '$1 == "Pss:" { print $2 }' /proc/"$1"/smaps_rollup 2>/dev/null)"; }

# pick_base N [FROM]: the first BASE (FROM or 10000, then +1000 ...) with BASE .. BASE+N-1
# unused on this host (other programs' tests may hold a port or two), below
# the ephemeral range so that our own connections never collide
pick_base() {
	ss -Htan 2>/dev/null | awk -v n="$1" -v from="${2:-10000}" '
	{ k = split($4, a, ":"); used[a[k] + 0] = 1 }
	END {
		for (b = from; b + n <= 32767; b += 1000) {
			ok = 1
			for (p = b; p < b + n; p++)
				if (p in used) { ok = 0; break }
			if (ok) { print b; exit }
		}
		print from
	}'
}

# floor_d RATE: floor window, long enough for ~1,000 connections (<= WIN)
floor_d() { calc "($FLOOR_D > 1000 / $1) ? $FLOOR_D : ((1000 / $1 < $WIN) ? 1000 / $1 : $WIN)"; }

# ---- the listeners helper, driven through a fifo ----------------------
# lst_start NAME N BASE [-H]: sets LPID_NAME, LFD_NAME
lst_start() {
	local name=$1 n=$2 base=$3 extra=${4:-} fd i
	mkfifo "$T/$name.in"
	"$B/listeners" -n "$n" -p "$base" -t 240 $extra <"$T/$name.in" \
	    >"$T/$name.out" 2>"$T/$name.err" &
	PIDS+=($!)
	eval "LPID_$name=$!"
	exec {fd}>"$T/$name.in"
	eval "LFD_$name=$fd"
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready' "$T/$name.out" 2>/dev/null && return 0
		sleep 0.1
	done
	WHY="listeners $name did not start: $(head -c 300 "$T/$name.err")"
	log "$WHY"
	return 1
}
# lst_cmd NAME LINE: send and wait for the answer; prints it
lst_cmd() {
	local name=$1 fd before i
	eval "fd=\$LFD_$name"
	before=$(wc -l <"$T/$name.out")
	echo "$2" >&"$fd"
	for ((i = 0; i < 200; i++)); do
		if [ "$(wc -l <"$T/$name.out")" -gt "$before" ]; then
			tail -n 1 "$T/$name.out"
			return 0
		fi
		sleep 0.01
	done
	return 1
}
lst_count() { num "$(lst_cmd "$1" count | awk '{ print $2 }')"; }
lst_stop() {
	local name=$1 fd pid
	eval "fd=\$LFD_$name; pid=\$LPID_$name"
	echo quit >&"$fd" 2>/dev/null
	exec {fd}>&-
	wait "$pid" 2>/dev/null
}

# ---- bgpsd-announce with a stdin we hold (closing it = ExaBGP gone) ---
# ann_start NAME CONF [STAMP]: sets APID_NAME, AFD_NAME
# the binary is $ANN_BIN if set (the tcp runs compare two), else $ANN
ann_start() {
	local name=$1 conf=$2 fd bin=${ANN_BIN:-$ANN}
	mkfifo "$T/$name.ain"
	if [ "${3:-}" = stamp ]; then
		"$bin" -c "$conf" <"$T/$name.ain" \
		    > >("$B/stamp" >"$T/$name.aout") 2>"$T/$name.aerr" &
	else
		"$bin" -c "$conf" <"$T/$name.ain" >"$T/$name.aout" \
		    2>"$T/$name.aerr" &
	fi
	PIDS+=($!)
	eval "APID_$name=$!"
	exec {fd}>"$T/$name.ain"
	eval "AFD_$name=$fd"
}
ann_stop() {
	local name=$1 fd pid
	eval "fd=\$AFD_$name; pid=\$APID_$name"
	exec {fd}>&-
	wait "$pid" 2>/dev/null
}

# health NAME: "UP/N" from bgpsd-announce's log: services that came up and
# never went down (a benchmark of failing checks would measure the wrong thing)
# updown "UP/DOWN" N: "all N up" or what went wrong
updown() {
	local up=${1%/*} down=${1#*/}
	if [ "$up" = "$2" ] && [ "$down" = 0 ]; then
		echo "all $2 up"
	else
		echo "$up of $2 came up, $down went down"
	fi
}
health() {
	local up down
	up=$(grep -c ' is up' "$T/$1.aerr" 2>/dev/null)
	down=$(grep -c ' is down' "$T/$1.aerr" 2>/dev/null)
	echo "${up:-0}/${down:-0}"
}

# ---- 1. TCP checks: cost per check, RSS, and the floor ----------------
# measure_checks NAME TYPE N BASE [LISTENERS]: after WARM s, a WIN s window
# prints "checks cpu_ns hwm_kb anon_kb wall_ns up/down listeners_cpu_ns"
# (the CPU of the listeners process NAME, or LISTENERS, over the window:
# the accepting end of the same connections)
measure_checks() {
	local name=$1 type=$2 n=$3 base=$4 lname=${5:-$1} c1 c2 u1 u2 t1 t2
	local pid lpid l1 l2 hwm anon
	sh tests/bench/gen_conf.sh -t "$type" -n "$n" -p "$base" -i "$IV" \
	    -T "$TO" >"$T/$name.conf"
	ann_start "$name" "$T/$name.conf"
	eval "pid=\$APID_$name; lpid=\$LPID_$lname"
	sleep "$WARM"
	c1=$(lst_count "$lname"); u1=$(cpu_ns "$pid"); l1=$(cpu_ns "$lpid")
	t1=$(now_ns)
	sleep "$WIN"
	c2=$(lst_count "$lname"); u2=$(cpu_ns "$pid"); l2=$(cpu_ns "$lpid")
	t2=$(now_ns)
	hwm=$(kb "$pid" VmHWM) anon=$(kb "$pid" RssAnon)
	alive "$pid" || log "$name: bgpsd-announce exited during the window: $(tail -n 2 "$T/$name.aerr")"
	ann_stop "$name"
	echo "$((c2 - c1)) $((u2 - u1)) $hwm $anon $((t2 - t1)) $(health "$name") $((l2 - l1))"
}
# conn_us LINE: the us per connection of a floor_connect output line
conn_us() { echo "$1" | sed 's/.*us_per_conn=\([0-9.]*\).*/\1/'; }
# per_check_us CPU_NS CHECKS: us of CPU per check (no checks: as one)
per_check_us() { calc "$1 / 1000 / ($2 > 0 ? $2 : 1)"; }
# floorb: issue 12's floor, both ends of a blocking connect loop in one
# process (floor_connect -b); prints its us per connection
floorb() {
	local fl
	fl=$("$B/floor_connect" -b -d "$FLOOR_D" -w "$FLOOR_W")
	echo "floorb: $fl" >>"$OUT/raw.txt"
	conn_us "$fl"
}
# tcp_vs_floorb LABEL N NAME BIN: one bgpsd-announce binary's window on
# the listeners of tcpN, then the both-ends floor right after it (same
# load); two result rows
tcp_vs_floorb() {
	local label=$1 n=$2 name=$3 bin=$4 checks cpu hwm anon wall ud lcpu
	local us lus fb
	read -r checks cpu hwm anon wall ud lcpu < <(ANN_BIN=$bin \
	    measure_checks "$name" tcp "$n" "$base" "tcpx$n")
	fb=$(floorb)
	[ "$checks" -gt 0 ] || checks=1
	us=$(per_check_us "$cpu" "$checks")
	lus=$(per_check_us "$lcpu" "$checks")
	echo "tcp-floorb $label n=$n bin=$bin checks=$checks cpu_ns=$cpu listeners_cpu_ns=$lcpu wall_ns=$wall up/down=$ud floorb_us=$fb" >>"$OUT/raw.txt"
	result "TCP checks N=$n, $label: CPU per check (+ listeners' accept side)" \
	    "$(fnum %.1f "$us") us (+ $(fnum %.1f "$lus") us; $(updown "$ud" "$n"))" "" ""
	result "... / floor (blocking connect+accept+close, both ends, one process: $fb us)" \
	    "$(fnum %.2f "$us / $fb")x (with the listeners' side: $(fnum %.2f "($us + $lus) / $fb")x)" \
	    "<= 1.5x" "$(verdict "$us / $fb <= 1.5")"
}

if want tcp; then
	for n in $TCP_NS; do
		log "tcp: $n services, interval $IV s, ${WIN} s window"
		base=$(pick_base "$n")
		lst_start tcp$n "$n" "$base" || exit 1
		read -r checks cpu hwm anon wall ud _lcpu < <(measure_checks tcp$n tcp "$n" "$base")
		# the floor, paced at the same rate, against the same listeners
		rate=$(calc "$n / $IV")
		fl=$("$B/floor_connect" -n "$n" -p "$base" -r "$rate" \
		    -d "$(floor_d "$rate")" -w "$FLOOR_W")
		lst_stop tcp$n
		fus=$(conn_us "$fl")
		us=$(per_check_us "$cpu" "$checks")
		rate_got=$(calc "$checks / ($wall / 1e9)")
		echo "tcp n=$n checks=$checks cpu_ns=$cpu hwm_kb=$hwm anon_kb=$anon wall_ns=$wall up/down=$ud $fl" >>"$OUT/raw.txt"
		result "TCP checks N=$n: CPU per 1,000 checks" \
		    "$(fnum %.1f "$us") ms ($(fnum %.0f "$rate_got") checks/s; $(updown "$ud" "$n"))" "" ""
		result "TCP checks N=$n: floor (bare connect loop, same rate)" \
		    "${fus} us/conn" "" ""
		result "TCP checks N=$n: bgpsd / floor CPU" \
		    "$(fnum %.2f "$us / $fus")x" "<= 1.5x" \
		    "$(verdict "$us / $fus <= 1.5")"
		result "TCP checks N=$n: peak RSS (VmHWM; private anon)" \
		    "$(fnum %.1f "$hwm / 1024") MB; $(fnum %.1f "$anon / 1024") MB" \
		    "$([ "$n" = 10000 ] && echo '<= 8 MB')" \
		    "$([ "$n" = 10000 ] && verdict "$hwm / 1024 <= 8")"
		if [ "$n" = "${TCP_NS##* }" ]; then
			TCP_US=$us
		fi
		# issue 12's floor, and the base binary if one is given,
		# each window followed by its own floor run
		lst_start tcpx$n "$n" "$base" || exit 1
		if [ -n "${BENCH_ANN_BASE:-}" ]; then
			log "tcp: $n services, base $BENCH_ANN_BASE, then the both-ends floor"
			tcp_vs_floorb "base" "$n" tcpb$n "$BENCH_ANN_BASE"
		fi
		log "tcp: $n services, this build, then the both-ends floor"
		tcp_vs_floorb "this build" "$n" tcpn$n "$ANN"
		lst_stop tcpx$n
	done
	# the unpaced floor for reference
	base=$(pick_base 100)
	lst_start tcpf 100 "$base" || exit 1
	fl=$("$B/floor_connect" -n 100 -p "$base" -r 0 -d "$FLOOR_D" -w "$FLOOR_W")
	lst_stop tcpf
	echo "tcp floor back-to-back: $fl" >>"$OUT/raw.txt"
	result "TCP floor, back to back (no pacing)" \
	    "$(conn_us "$fl") us/conn" "" ""
fi

# ---- 2. side by side with exabgp-healthcheck --------------------------
if want ehc; then
	EHC=$(command -v exabgp-healthcheck)
	if [ -z "$EHC" ]; then
		result "exabgp-healthcheck comparison" "not run: exabgp-healthcheck not installed" "" ""
	else
		log "ehc: $EHC_N services, one exabgp-healthcheck each, and bgpsd-announce"
		ebase=$(pick_base "$EHC_N")
		lst_start ehc "$EHC_N" "$ebase" || exit 1
		bbase=$(pick_base "$EHC_N" $((ebase + 1000)))
		lst_start ehb "$EHC_N" "$bbase" || exit 1
		epids=()
		for ((i = 0; i < EHC_N; i++)); do
			# --ip and --no-ip-setup: it never touches an interface;
			# --no-ack: nobody answers; it only writes to stdout
			"$EHC" --no-syslog --no-ack --no-ip-setup \
			    --ip "192.0.2.$((101 + i))/32" --interval "$IV" \
			    --fast-interval "$IV" --timeout 1 \
			    --command "$B/tcp_probe $((ebase + i))" \
			    </dev/null >"$T/ehc.$i.out" 2>"$T/ehc.$i.err" &
			PIDS+=($!)
			epids+=($!)
		done
		sh tests/bench/gen_conf.sh -t tcp -n "$EHC_N" -p "$bbase" -i "$IV" \
		    -T "$TO" >"$T/ehb.conf"
		ann_start ehb "$T/ehb.conf"
		sleep "$EHC_WARM"
		# gone_ehc: why a measured process is no longer there ("" = all
		# alive); a sample of a dead process would measure nothing
		gone_ehc() {
			local p k=0
			for p in "${epids[@]}"; do
				if ! alive "$p"; then
					echo "exabgp-healthcheck $k (pid $p) exited before it was sampled: $(head -c 160 "$T/ehc.$k.err" | tr '\n|' '  ')"
					return
				fi
				k=$((k + 1))
			done
			alive "$APID_ehb" || echo "bgpsd-announce (pid $APID_ehb) exited: $(tail -n 2 "$T/ehb.aerr" | tr '\n|' '  ')"
		}
		why_gone=$(gone_ehc)
		e1=0
		for p in "${epids[@]}"; do
			e1=$((e1 + $(cpu_ns "$p") + $(child_ns "$p")))
		done
		ec1=$(lst_count ehc)
		b1=$(cpu_ns "$APID_ehb"); bc1=$(lst_count ehb)
		sleep "$EHC_WIN"
		e2=0 erss=0 epss=0
		for p in "${epids[@]}"; do
			e2=$((e2 + $(cpu_ns "$p") + $(child_ns "$p")))
			erss=$((erss + $(kb "$p" VmHWM)))
			epss=$((epss + $(pss "$p")))
		done
		[ -n "$why_gone" ] || why_gone=$(gone_ehc)
		ec2=$(lst_count ehc)
		b2=$(cpu_ns "$APID_ehb"); bc2=$(lst_count ehb)
		brss=$(kb "$APID_ehb" VmHWM) bpss=$(pss "$APID_ehb")
		for p in "${epids[@]}"; do
			kill "$p" 2>/dev/null
		done
		for p in "${epids[@]}"; do
			wait "$p" 2>/dev/null
		done
		ann_stop ehb
		bud=$(health ehb)
		# the floor at this rate: the best any checker could do
		erate=$(calc "$EHC_N / $IV")
		fl=$("$B/floor_connect" -n "$EHC_N" -p "$bbase" -r "$erate" \
		    -d "$(floor_d "$erate")" -w "$FLOOR_W")
		fus=$(conn_us "$fl")
		lst_stop ehc
		lst_stop ehb
		echeck=$((ec2 - ec1)) bcheck=$((bc2 - bc1))
		ehc_ok=1
		if [ -n "$why_gone" ]; then
			ehc_ok=0
			log "ehc: not measured: $why_gone"
			result "exabgp-healthcheck comparison" \
			    "not measured: $why_gone" "" ""
		elif [ "$echeck" -le 0 ]; then
			ehc_ok=0
			result "exabgp-healthcheck comparison" \
			    "not measured: exabgp-healthcheck made no check ($(head -c 200 "$T/ehc.0.err" | tr '\n|' '  '))" "" ""
		fi
		[ "$echeck" -gt 0 ] || echeck=1
		[ "$bcheck" -gt 0 ] || bcheck=1
		eus=$(calc "($e2 - $e1) / 1000 / $echeck")
		bus=$(calc "($b2 - $b1) / 1000 / $bcheck")
		echo "ehc n=$EHC_N ehc_checks=$echeck ehc_cpu_ns=$((e2 - e1)) ehc_hwm_kb_sum=$erss bgpsd_checks=$bcheck bgpsd_cpu_ns=$((b2 - b1)) bgpsd_hwm_kb=$brss ehc_pss_kb_sum=$epss bgpsd_pss_kb=$bpss $fl" >>"$OUT/raw.txt"
		result "bgpsd-announce N=$EHC_N: CPU per check" \
		    "$(fnum %.1f "$bus") us ($bcheck checks; $(updown "$bud" "$EHC_N"))" "" ""
	fi
	if [ -n "$EHC" ] && [ "$ehc_ok" = 1 ]; then
		result "exabgp-healthcheck N=$EHC_N: CPU per check (with its children)" \
		    "$(fnum %.0f "$eus") us ($echeck checks)" "" ""
		result "floor at the same rate ($erate connections/s)" \
		    "$fus us/conn (bgpsd / floor $(fnum %.2f "$bus / $fus")x; exabgp-healthcheck / floor $(fnum %.0f "$eus / $fus")x)" "" ""
		result "exabgp-healthcheck / bgpsd CPU per check" \
		    "$(fnum %.0f "$eus / $bus")x" ">= 300x" \
		    "$(verdict "$eus / $bus >= 300")"
		result "RSS per service: exabgp-healthcheck vs bgpsd (VmHWM)" \
		    "$(fnum %.1f "$erss / $EHC_N / 1024") MB vs $(fnum %.2f "$brss / $EHC_N / 1024") MB ($(fnum %.0f "($erss / $EHC_N) / ($brss / $EHC_N)")x)" "" ""
		result "PSS per service (shared pages split): exabgp-healthcheck vs bgpsd" \
		    "$(fnum %.1f "$epss / $EHC_N / 1024") MB vs $(fnum %.2f "$bpss / $EHC_N / 1024") MB ($(fnum %.0f "$epss / ($bpss > 0 ? $bpss : 1)")x)" "" ""
	fi
fi

# ---- 3. HTTP and exec checks -------------------------------------------
if want http; then
	log "http: $HTTP_N services against a loopback HTTP/1.0 responder"
	base=$(pick_base "$HTTP_N")
	lst_start http "$HTTP_N" "$base" -H || exit 1
	read -r checks cpu hwm anon wall ud _lcpu < <(measure_checks http http "$HTTP_N" "$base")
	lst_stop http
	echo "http n=$HTTP_N checks=$checks cpu_ns=$cpu hwm_kb=$hwm anon_kb=$anon wall_ns=$wall up/down=$ud" >>"$OUT/raw.txt"
	[ "$checks" -gt 0 ] || checks=1
	result "HTTP checks N=$HTTP_N: CPU per check" \
	    "$(fnum %.0f "$cpu / 1000 / $checks") us ($(fnum %.0f "$checks / ($wall / 1e9)") checks/s, RSS $(fnum %.1f "$hwm / 1024") MB; $(updown "$ud" "$HTTP_N"))" "" ""
fi

# status_sum FILE: total "checks" of every service in a status file
status_sum() {
	jq '[.. | objects | select(has("checks") and has("port")) | .checks] | add // 0' "$1" 2>/dev/null ||
	    grep -o '"checks": *[0-9]*' "$1" | awk -F: '{ s += $2 } END { print s + 0 }'
}
# wait_change FILE OLD_STAMP: until its mtime differs (bounded, 8 s)
wait_change() {
	local i
	for ((i = 0; i < 800; i++)); do
		[ "$(stat -c %y "$1" 2>/dev/null)" != "$2" ] && return 0
		sleep 0.01
	done
	return 1
}

if want exec; then
	log "exec: $EXEC_N services running /bin/true"
	sh tests/bench/gen_conf.sh -t exec -n "$EXEC_N" -p 25000 -i "$IV" \
	    -T "$TO" -s "$T/exec.status" >"$T/exec.conf"
	ann_start exec "$T/exec.conf"
	sleep "$WARM"
	if [ "$QUICK" = 1 ]; then
		# smoke run: too short for the 5 s status refresh
		u1=$(cpu_ns "$APID_exec") k1=$(child_ns "$APID_exec") t1=$(now_ns)
		sleep "$WIN"
		u2=$(cpu_ns "$APID_exec") k2=$(child_ns "$APID_exec") t2=$(now_ns)
		s1=0 s2=$(calc "int($EXEC_N * $WIN / $IV)")
	else
		# checks from the status file (rewritten every 5 s): CPU is
		# sampled right when it changes, so both describe one moment
		wait_change "$T/exec.status" ""
		m=$(stat -c %y "$T/exec.status")
		wait_change "$T/exec.status" "$m"
		m=$(stat -c %y "$T/exec.status")
		u1=$(cpu_ns "$APID_exec") k1=$(child_ns "$APID_exec") t1=$(now_ns)
		s1=$(status_sum "$T/exec.status")
		wait_change "$T/exec.status" "$m"
		u2=$(cpu_ns "$APID_exec") k2=$(child_ns "$APID_exec") t2=$(now_ns)
		s2=$(status_sum "$T/exec.status")
	fi
	ann_stop exec
	ud=$(health exec)
	checks=$((s2 - s1))
	[ "$checks" -gt 0 ] || checks=1
	echo "exec n=$EXEC_N checks=$checks own_ns=$((u2 - u1)) children_ns=$((k2 - k1)) wall_ns=$((t2 - t1))" >>"$OUT/raw.txt"
	result "exec checks N=$EXEC_N (/bin/true): CPU per check, own + children" \
	    "$(fnum %.0f "($u2 - $u1) / 1000 / $checks") us + $(fnum %.0f "($k2 - $k1) / 1000 / $checks") us ($checks checks; $(updown "$ud" "$EXEC_N"))" "" ""
fi

# ---- 4. detection latency -------------------------------------------------
# latency_run TAG N BOUND_S [gen_conf timing options]: N services, each
# its own prefix; once all are announced, their listening sockets close
# one by one at random gaps; latency = close -> withdraw line on stdout
latency_run() {
	local tag=$1 n=$2 bound=$3 base i w line
	base=$(pick_base "$n")
	shift 3
	sh tests/bench/gen_conf.sh -t tcp -n "$n" -p "$base" -g 1 "$@" \
	    >"$T/$tag.conf"
	lst_start "$tag" "$n" "$base" || return 1
	ann_start "$tag" "$T/$tag.conf" stamp
	for ((i = 0; i < 300; i++)); do
		line=$(grep -c ' announce route' "$T/$tag.aout" 2>/dev/null)
		[ "${line:-0}" -ge "$n" ] && break
		sleep 0.1
	done
	for ((i = 0; i < n; i++)); do
		lst_cmd "$tag" "close $((base + i))" >/dev/null
		sleep "0.$((RANDOM % 200 + 30))"
	done
	w=$(calc "int(($bound + 2) * 10)")
	for ((i = 0; i < w; i++)); do
		line=$(grep -c ' withdraw route' "$T/$tag.aout" 2>/dev/null)
		[ "${line:-0}" -ge $((n * 2)) ] && break
		sleep 0.1
	done
	ann_stop "$tag"
	lst_stop "$tag"
	# "closed PORT T" and "T withdraw route PFX ..." on one clock
	awk -v base="$base" -v bound="$bound" '
	function pfx(k) { return sprintf("192.0.2.%d/32", k + 1) }
	FILENAME ~ /\.out$/ && $1 == "closed" { c[pfx($2 - base)] = $3; next }
	$2 == "withdraw" && $3 == "route" { t[NR] = $1; p[NR] = $4 }
	END {
		n = 0
		for (x in c) {
			best = -1
			for (r in t)
				if (p[r] == x && t[r] > c[x] &&
				    (best < 0 || t[r] < best))
					best = t[r]
			lat[n++] = best < 0 ? 1e99 : (best - c[x]) / 1e9
		}
		# sort
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (lat[j] < lat[i]) { x = lat[i]; lat[i] = lat[j]; lat[j] = x }
		within = 0
		for (i = 0; i < n; i++)
			if (lat[i] <= bound)
				within++
		med = n % 2 ? lat[int(n / 2)] : (lat[n / 2 - 1] + lat[n / 2]) / 2
		printf "%d %.3f %.3f %d\n", n, med, lat[n - 1], within
	}' "$T/$tag.out" "$T/$tag.aout"
}

if want latency; then
	log "latency: $LAT_N trials at interval 0.2 s (fast 0.2, timeout 0.1, fall 3)"
	read -r ln lmed lmax lin < <(latency_run lat02 "$LAT_N" 0.7 -i 0.2 -f 0.2 -T 0.1)
	echo "latency interval=0.2 trials=$ln median=$lmed max=$lmax within=$lin bound=0.7" >>"$OUT/raw.txt"
	result "Detection, interval 0.2 s: median / max of $ln trials" \
	    "$lmed s / $lmax s ($lin of $ln within bound)" "all <= 0.7 s" \
	    "$(verdict "$lin == $LAT_N && $ln == $LAT_N")"
	if [ "$LAT_DEFAULTS" = 1 ]; then
		log "latency: $LAT_N trials with the defaults (interval 2, fast 1, timeout 1, fall 3)"
		read -r ln lmed lmax lin < <(latency_run latdef "$LAT_N" 7)
		echo "latency defaults trials=$ln median=$lmed max=$lmax within=$lin bound=7" >>"$OUT/raw.txt"
		result "Detection, defaults (2 s): median / max of $ln trials" \
		    "$lmed s / $lmax s ($lin of $ln within bound)" "all <= 7 s" \
		    "$(verdict "$lin == $LAT_N && $ln == $LAT_N")"
	fi
fi

# ---- 5. listener throughput, 6. render ---------------------------------
listen_conf() {
	cat <<CONF
# generated by tests/bench/run.sh: the ten ports gen_stream uses
asn = 12345;
services = (
	{ name = "http"; port = 80; }, { name = "https"; port = 443; },
	{ name = "http-alt"; port = 8080; }, { name = "https-alt"; port = 8443; },
	{ name = "ssh"; port = 22; }, { name = "mysql"; port = 3306; },
	{ name = "postgres"; port = 5432; }, { name = "redis"; port = 6379; },
	{ name = "app"; port = 9000; }, { name = "metrics"; port = 9090; }
);
listen = {
	templates = ( {
		source = "$TOP/etc/templates/haproxy.cfg.mustache";
		destination = "$T/out/haproxy.cfg";
	} );
};
CONF
}
# timed CMD...: runs it, "wall user sys maxrss_kb" in $T/time
timed() {
	local s e
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o "$T/time" -f '%e %U %S %M' "$@"
	else
		s=$(now_ns)
		TIMEFORMAT='%U %S'
		{ time "$@" ; } 2>"$T/time.bash"
		e=$(now_ns)
		echo "$(calc "($e - $s) / 1e9") $(tail -n 1 "$T/time.bash") 0" >"$T/time"
	fi
}

if want stream || want render; then
	mkdir -p "$T/out"
	listen_conf >"$T/listen.conf"
fi
if want stream; then
	log "stream: generating $STREAM_LINES update lines over $STREAM_PFX prefixes"
	"$B/gen_stream" -l "$STREAM_LINES" -n "$STREAM_PFX" >"$T/stream.jsonl" 2>"$T/gen.err" || {
		die "gen_stream failed: $(head -c 300 "$T/gen.err")"; }
	lines=$(wc -l <"$T/stream.jsonl")
	bytes=$(stat -c %s "$T/stream.jsonl")
	log "stream: json_loads floor"
	fj=$("$B/floor_json" <"$T/stream.jsonl")
	fjcpu=$(echo "$fj" | sed 's/.* cpu_s=\([0-9.]*\).*/\1/')
	log "stream: bgpsd-listen --once"
	timed "$LST" --once -c "$T/listen.conf" <"$T/stream.jsonl" >/dev/null 2>"$T/listen.err"
	read -r lwall lusr lsys lrss <"$T/time"
	lcpu=$(calc "$lusr + $lsys")
	servers=$(grep -c '^[[:space:]]*server ' "$T/out/haproxy.cfg" 2>/dev/null)
	echo "stream lines=$lines bytes=$bytes listen_wall=$lwall listen_user=$lusr listen_sys=$lsys listen_maxrss_kb=$lrss servers=$servers $fj" >>"$OUT/raw.txt"
	result "Listener: $lines lines ($((bytes / 1048576)) MiB) -> $servers backends" \
	    "$(fnum %.0f "$lines / $lcpu") lines/s per CPU s ($(fnum %.2f "$lcpu") s CPU, $(fnum %.2f "$lwall") s wall, RSS $(fnum %.1f "$lrss / 1024") MB)" \
	    ">= 200,000 lines/s" "$(verdict "$lines / $lcpu >= 200000")"
	result "Listener floor: json_loadb of every line only" \
	    "$(fnum %.0f "$lines / $fjcpu") lines/s per CPU s ($fjcpu s CPU)" "" ""
	result "Listener / json_loadb floor CPU" \
	    "$(fnum %.2f "$lcpu / $fjcpu")x" "<= 1.5x" "$(verdict "$lcpu / $fjcpu <= 1.5")"
	# no-change re-render: another stream with the same final table
	"$B/gen_stream" -l $((STREAM_LINES / 20 > 30000 ? STREAM_LINES / 20 : 30000)) \
	    -n "$STREAM_PFX" -s 7 >"$T/stream2.jsonl" 2>/dev/null
	rm -f "$T/stream.jsonl"
	before=$(stat -c '%i %y' "$T/out/haproxy.cfg" 2>/dev/null)
	sleep 0.05
	timed "$LST" --once -c "$T/listen.conf" <"$T/stream2.jsonl" >/dev/null 2>"$T/listen2.err"
	after=$(stat -c '%i %y' "$T/out/haproxy.cfg" 2>/dev/null)
	echo "nochange before=[$before] after=[$after]" >>"$OUT/raw.txt"
	if [ -n "$before" ] && [ "$before" = "$after" ]; then
		result "No-change re-render (same table, same destination)" \
		    "not rewritten (inode and mtime kept)" "not rewritten" met
	else
		result "No-change re-render (same table, same destination)" \
		    "REWRITTEN ($before -> $after)" "not rewritten" MISSED
	fi
fi
if want render; then
	log "render: haproxy template, $RENDER_N backends, $RENDER_R times"
	rb=$("$B/render_bench" -n "$RENDER_N" -r "$RENDER_R" -c "$T/listen.conf" \
	    -t "$TOP/etc/templates/haproxy.cfg.mustache")
	echo "$rb" >>"$OUT/raw.txt"
	rms=$(echo "$rb" | sed 's/.* render_ms=\([0-9.]*\).*/\1/')
	rmin=$(echo "$rb" | sed 's/.* render_min_ms=\([0-9.]*\).*/\1/')
	cms=$(echo "$rb" | sed 's/.* context_ms=\([0-9.]*\).*/\1/')
	cmin=$(echo "$rb" | sed 's/.* context_min_ms=\([0-9.]*\).*/\1/')
	result "Render haproxy.cfg, $RENDER_N backends: template (median, min)" \
	    "$rms ms, $rmin ms" "<= 20 ms" "$(verdict "$rms <= 20")"
	result "Render: context opened on the table before it (median, min)" \
	    "$cms ms, $cmin ms" "" ""
	jcms=$(echo "$rb" | sed 's/.* json_context_ms=\([0-9.]*\).*/\1/')
	jrms=$(echo "$rb" | sed 's/.* json_render_ms=\([0-9.]*\).*/\1/')
	result "Render through a JSON tree instead (build + render, median)" \
	    "$jcms ms + $jrms ms" "" ""
	result "Render: JSON tree / view (same run, same bytes)" \
	    "$(fnum %.1f "($jcms + $jrms) / ($cms + $rms)")x" "" ""
fi

# ---- the table ------------------------------------------------------------
{
	echo
	echo "bgpsd benchmarks: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), Linux $(uname -r)"
	echo "load average at start $LOAD0, at end $(cut -d' ' -f1-3 /proc/loadavg); $(( $(date +%s) - START )) s"
	awk -F'|' '
	{ n[NR] = $1; v[NR] = $2; t[NR] = $3; d[NR] = $4
	  if (length($1) > w1) w1 = length($1); if (length($2) > w2) w2 = length($2)
	  if (length($3) > w3) w3 = length($3) }
	END {
		if (w3 < 6) w3 = 6
		fmt = "%-" w1 "s  %-" w2 "s  %-" w3 "s  %s\n"
		printf fmt, "benchmark", "result", "target", ""
		for (i = 1; i <= NR; i++)
			printf fmt, n[i], v[i], t[i], d[i]
	}' "$RESULTS"
} | tee "$OUT/table.txt"
