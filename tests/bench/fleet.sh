#!/bin/bash
# tests/bench/fleet.sh - the fleet benchmark (issue 12): bgpsd-listen behind
# a real BIRD 2 route reflector, fed by N hosts' routes (make bench-fleet).
#
#   BUILD=build bash tests/bench/fleet.sh            # N = 1,000 10,000 50,000
#   FLEET_N="1000 10000" FLEET_RUNS=1 ... fleet.sh   # other N, fewer runs
#   bash tests/bench/fleet.sh gr [N]                 # BIRD graceful-restart
#                                                    # evidence (raw JSON)
#
# One lab per run, in network namespaces on one bridge (tests/integration/
# lib.sh), torn down after it:
#   inj  ExaBGP announcing N host routes 198.18.x.y/32 (RFC 2544's
#        benchmarking range), 5 port communities each, each with its own
#        next hop; the routes are in its config (FLEET_INJECT=api: sent
#        through its API), changes go through its API (commands written to
#        a fifo that an API process copies to ExaBGP)
#   rr   BIRD 2 with the shipped etc/bird-rr.conf: only its defines and the
#        client list change (the injector gets the per-client prefix list
#        the file provides for hosts announcing other addresses, here the
#        /32s of 198.18.0.0/15, and its own receive limit); the hosts' own
#        addresses (the next hops) are on its subnet 198.19.0.0/16
#   lb   the consumer: ExaBGP + bgpsd-listen with the shipped
#        etc/templates/haproxy.cfg.mustache and a catalogue of the 5 ports
#   rr2  a second reflector, in the two-reflector run
#
# Per run it measures: the learn (the injector's session up, or its first
# API command -> the rendered file holds N*5 server lines), CPU of every process over it, bgpsd-listen's peak RSS
# and its RSS some seconds later, single changes (one community dropped from
# one host's route, and put back: CPU and change -> file latency), and a
# reflector restart with no change meanwhile (every version of the rendered
# file is seen through inotify by filewatch, so a version that lost
# backends cannot slip between two samples). The two-reflector run stops
# and starts each reflector in turn.
#
# CPU is per process, ns on CPU from /proc/PID/task/*/schedstat (all
# threads), read before and after each phase; bgpsd-listen's children
# (check and reload command) from its cutime+cstime. Results of every run
# go to $FLEET_OUT/raw/, the table to $FLEET_OUT/table.txt.
#
# Settings (environment):
#   FLEET_N        host counts, default "1000 10000 50000"
#   FLEET_RUNS     runs per N, default 3 (medians are quoted)
#   FLEET_CHANGES  single changes per run, default 10 (half drops, half
#                  restores)
#   FLEET_RR2      1: one two-reflector run per N (default), 0: none
#   FLEET_STALE    the consumer's listen.stale_time, 120 (default, as
#                  etc/bgpsd.conf suggests for reflectors); 0: a reflector
#                  restart empties the file (the table before issue 12)
#   FLEET_CHECK    none (default) or haproxy: "haproxy -c -f %s" as the
#                  template's check (costly: see tests/bench/README.md)
#   FLEET_INJECT   static (default): the N routes are in the injector's
#                  config, its sessions held down (birdc disable) until it
#                  has loaded them, and the learn runs from the first
#                  session's establishment; api: the injector starts empty
#                  and the learn runs from the first API command. Either
#                  way the single changes go through the API process
#   FLEET_NH       the next hop of each route:
#                  host (default): the host's own session address, in
#                  198.19.0.0/16 (a subnet the reflectors are on), as when
#                  each host announces its service address with "next-hop
#                  self": one route per UPDATE from the reflector;
#                  own: the route's own address (a host announcing its
#                  session address: the shipped default rule); BIRD then
#                  finds each next hop through the route itself (a warning
#                  per route and re-evaluation, and much CPU);
#                  shared: the injector's address for all; BIRD packs
#                  hundreds of routes per UPDATE (cheap for the consumer)
#   FLEET_BATCH    with FLEET_NH=shared: prefixes per API command, 1000
#   FLEET_OUT      default $BUILD/bench-fleet
#   FLEET_KEEP_LABS 1: keep each lab's files in $FLEET_OUT/labs/
#   FLEET_DOWN     seconds a reflector stays down, default 2
#   FLEET_STABLE   seconds without a new version that end a restart's
#                  watch, default 7 (bgpsd-listen's wait_max + 2)
#   FLEET_AFTER    seconds after the learn before "RSS after", default 5
# Everything stays inside namespaces this script creates; only processes
# it started are stopped, by PID.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
export BUILD
B=$BUILD/tests/bench
FLEET_N=${FLEET_N:-1000 10000 50000}
FLEET_RUNS=${FLEET_RUNS:-3}
FLEET_CHANGES=${FLEET_CHANGES:-10}
FLEET_RR2=${FLEET_RR2:-1}
FLEET_CHECK=${FLEET_CHECK:-none}
FLEET_STALE=${FLEET_STALE:-120}
FLEET_INJECT=${FLEET_INJECT:-static}
FLEET_BATCH=${FLEET_BATCH:-1000}
FLEET_NH=${FLEET_NH:-host}
case $FLEET_NH in host|own|shared) ;; *) echo "FLEET_NH: host, own or shared" >&2; exit 2 ;; esac
FLEET_OUT=${FLEET_OUT:-$BUILD/bench-fleet}
case $FLEET_OUT in /*) ;; *) FLEET_OUT=$TOP/$FLEET_OUT ;; esac
AS=12345
PORTS="80 443 8080 8443 9000"
DROP_PORT=8443			# the community a single change drops

flog() { printf '[fleet %s] %s\n' "$(date +%T)" "$*" >&2; }

# ---------------------------------------------------------------------------
# numbers

# num, cpu_ns, child_ns and kb, shared with run.sh
# shellcheck source=lib.sh
. "$TOP/tests/bench/lib.sh"
# ns on CPU of a process and every live descendant, plus reaped children
tree_ns() {
	local s=0 q=("$1") p
	[ -n "$1" ] || { echo 0; return; }
	lab_kids_scan
	while [ ${#q[@]} -gt 0 ]; do
		p=${q[0]}
		q=("${q[@]:1}")
		s=$((s + $(cpu_ns "$p") + $(child_ns "$p")))
		# shellcheck disable=SC2206
		q+=(${LAB_KIDS[$p]:-})
	done
	echo "$s"
}
# $EPOCHREALTIME as ns
now_ns() {
	local t=$EPOCHREALTIME
	echo "${t%.*}${t#*.}000"
}
fcalc() { awk "BEGIN { printf \"$1\", $2 }" </dev/null; }

# ---------------------------------------------------------------------------
# the lab of one run

# host i (1..N) -> its service address in 198.18.0.0/16, 250 hosts per
# /24, and its own (session) address, the same in 198.19.0.0/16: the next
# hop of its route in FLEET_NH=host mode. "prefix next-hop" per line.
fleet_addrs() {
	awk -v n="$1" -v nh="$FLEET_NH" -v inj="${LAB_V4[inj]:-}" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = sprintf("%d.%d", int(i / 250) % 256, i % 250 + 1)
			if (nh == "host")
				h = "198.19." a
			else if (nh == "own")
				h = "198.18." a
			else
				h = inj
			print "198.18." a, h
		}
	}'
}
fleet_addr() {
	local i=$(($1 - 1))
	echo "198.18.$(((i / 250) % 256)).$((i % 250 + 1))"
}
fleet_nh() {
	local i=$(($1 - 1))
	case $FLEET_NH in
	host) echo "198.19.$(((i / 250) % 256)).$((i % 250 + 1))" ;;
	own) fleet_addr "$1" ;;
	*) echo self ;;
	esac
}
comms() {
	local p c=""
	for p in $PORTS; do
		[ "$p" = "${1:-}" ] && continue
		c="$c $AS:$p"
	done
	echo "${c# }"
}

# fleet_neighbor PEER_HOST ME PROCS CONSUMER(yes|no) [EXTRA]: one ExaBGP
# neighbor stanza towards a reflector
fleet_neighbor() {
	local peer=$1 me=$2 procs=$3 consumer=$4 extra=${5:-} recv=""
	[ "$consumer" = yes ] && recv="
		neighbor-changes;
		receive {
			parsed;
			update;
		}"
	cat <<EOF
neighbor ${LAB_V4[$peer]} {
	router-id ${LAB_V4[$me]};
	local-address ${LAB_V4[$me]};
	local-as $AS;
	peer-as $AS;
	hold-time $LAB_HOLD;
	family {
		ipv4 unicast;
	}
	capability {
		route-refresh;$extra
	}
	api {
		processes [ $procs ];$recv
	}
}
EOF
}

# lb_conf LISTEN_LINES CHECK_LINE: the consumer's bgpsd.conf in $L: the
# five services, the haproxy template into L/out and every reload stamped
# in L/reloads.log; LISTEN_LINES (more listen settings) and CHECK_LINE
# (the template's check) may be empty
lb_conf() {
	mkdir -p "$L/out"
	cat >"$L/bgpsd.conf" <<EOF
# bgpsd.conf of the fleet benchmark's consumer (generated by fleet.sh)
asn = $AS;
services = (
	{ name = "http"; port = 80; }, { name = "https"; port = 443; },
	{ name = "http-alt"; port = 8080; }, { name = "https-alt"; port = 8443; },
	{ name = "app"; port = 9000; }
);
listen = {
$1
	templates = ( {
		source = "$TOP/etc/templates/haproxy.cfg.mustache";
		destination = "$L/out/haproxy.cfg";
		$2
		# the "reload": one line per run, with the time
		command = [ "/bin/sh", "-c", "date +%%s%%N >>$L/reloads.log" ];
	} );
};
EOF
}

# inj_api: the injector's API process in $LAB_DIR/inj (sets I): api.sh
# copies the harness's commands from I/cmd.fifo to ExaBGP and appends
# ExaBGP's answers, stamped, to I/acks.log
inj_api() {
	I=$LAB_DIR/inj
	mkfifo "$I/cmd.fifo"
	cat >"$I/api.sh" <<EOF
#!/bin/sh
# ExaBGP's answers (done/error), stamped; the harness's commands from the fifo
exec 3<&0
"$B/stamp" -r <&3 >>"$I/acks.log" &
exec cat 0<>"$I/cmd.fifo"
EOF
	chmod +x "$I/api.sh"
}
# inj_process: the process block of the injector's exabgp.conf
inj_process() { printf 'process inject {\n\trun %s/api.sh;\n\tencoder text;\n}\n' "$I"; }

# rr_conf REFLECTOR [EXTRA_TEMPLATE_LINE]: etc/bird-rr.conf with this lab's
# router id and clients
rr_conf() {
	local r=$1 extra=${2:-} clients limit
	limit=$((NHOSTS + 1000))
	clients="# the injector announces every fleet host's /32: its own list,
# and a receive limit for that many (the shipped RR_MAX_ROUTES stays for
# every other client)
protocol bgp inj from bgpsd_client {
	neighbor ${LAB_V4[inj]};
	ipv4 {
		import where bgpsd_client_import_list([ 198.18.0.0/15{32,32} ]);
		receive limit $limit action block;
	};
}
# the consumer announces nothing: the default rule
protocol bgp lb from bgpsd_client {
	neighbor ${LAB_V4[lb]};
}
"
	echo "log stderr all;	# fleet.sh: BIRD's log into the lab's log"
	awk -v c="$clients" -v x="$extra" '
	    /^# BEGIN clients/ { print; printf "%s", c; skip = 1; next }
	    /^# END clients/ { skip = 0 }
	    /^template bgp bgpsd_client/ && x != "" { print; print "\t" x; next }
	    !skip' "$TOP/etc/bird-rr.conf" |
	sed -e "s/^define RR_ID = .*/define RR_ID = ${LAB_V4[$r]};/"
}

birdc_r() { birdc -s "$LAB_DIR/$1/bird.ctl" "${@:2}" 2>/dev/null; }
# bird_start REFLECTOR [ARGS]: start (or restart) a reflector's BIRD
bird_start() {
	local r=$1
	shift
	rm -f "$LAB_DIR/$r/bird.ctl"
	lab_spawn "bird-$r" "$r" bird -f "$@" -c "$LAB_DIR/$r/bird.conf" \
	    -s "$LAB_DIR/$r/bird.ctl" -P "$LAB_DIR/$r/bird.pid"
	lab_wait 10 test -S "$LAB_DIR/$r/bird.ctl" || lab_die "BIRD $r did not start"
}
bird_up() {
	[ "$(birdc_r "$1" show protocols | grep -Ec '^(inj|lb) .*Established')" -ge 2 ]
}
# routes BIRD imported from the injector
bird_routes() {
	birdc_r "$1" show route protocol inj count |
	    awk '/routes for/ { print $1; exit }'
}
bird_full() { [ "$(num "$(bird_routes "$1")")" -ge "$NHOSTS" ]; }

# the watcher's log: "t_ns count bytes hash" per version of the file
W_last() { tail -n 1 "$WLOG" 2>/dev/null; }
W_count() { local l; l=$(W_last); l=${l#* }; echo "${l%% *}"; }
W_lines() { wc -l <"$WLOG"; }
# first version after line L (1-based count of lines already seen) with
# COUNT server lines: its time (ns), or nothing
W_first() {
	awk -v from="$1" -v want="$2" 'NR > from && $2 == want { print $1; exit }' "$WLOG"
}
W_has() { [ -n "$(W_first "$1" "$2")" ]; }

# snapshot: CPU of every process of the lab, in ns, "name=value ..."
snap() {
	local r out=""
	out="listen=$(cpu_ns "$LPID") listen_kids=$(child_ns "$LPID")"
	out="$out exa_lb=$(cpu_ns "$EPID") inj=$(tree_ns "$IPID")"
	for r in $RRS; do
		out="$out bird_$r=$(cpu_ns "$(lab_pid "bird-$r")")"
	done
	echo "$out"
}
# sget SNAP NAME
sget() { local x=" $1 "; x=${x#* "$2"=}; echo "${x%% *}"; }
# delta SNAP0 SNAP1 NAME: ms
delta() { fcalc %.1f "($(sget "$2" "$3") - $(sget "$1" "$3")) / 1e6"; }

# quiet SECONDS: until bgpsd-listen and the consumer's ExaBGP have used
# less than 20 ms of CPU in each of two 0.5 s windows (bounded)
quiet() {
	local limit=$1 end a b c d calm=0
	end=$(( $(now_ns) + limit * 1000000000 ))
	a=$(cpu_ns "$LPID"); c=$(cpu_ns "$EPID")
	while [ "$(now_ns)" -lt "$end" ]; do
		sleep 0.5
		b=$(cpu_ns "$LPID"); d=$(cpu_ns "$EPID")
		if [ $((b - a + d - c)) -lt 20000000 ]; then
			calm=$((calm + 1))
			[ $calm -ge 2 ] && return 0
		else
			calm=0
		fi
		a=$b c=$d
	done
	return 1
}

res() { echo "$1=$2" >>"$RES"; }

# run_one N RUN NRR RESULT_FILE
run_one() {
	NHOSTS=$1
	local run=$2 nrr=$3 r
	RES=$4
	: >"$RES"
	LAB_HOLD=${FLEET_HOLD:-30}
	# shellcheck source=../integration/lib.sh
	. "$TOP/tests/integration/lib.sh"
	BGPSD_LAB_MODE=${BGPSD_LAB_MODE:-netns}
	[ "$BGPSD_LAB_MODE" = netns ] || lab_die "the fleet lab needs network namespaces"
	# FLEET_KEEP_LABS=1: the lab's files (logs, pids in lab.log) stay
	[ "${FLEET_KEEP_LABS:-0}" = 1 ] &&
	    LAB_DIR_KEEP=$FLEET_OUT/labs/n$NHOSTS-rr$nrr-$run
	lab_init "fleet$NHOSTS"
	lab_host rr 1
	lab_host lb 2
	lab_host inj 10
	RRS=rr
	if [ "$nrr" = 2 ]; then
		lab_host rr2 3
		RRS="rr rr2"
	fi
	[ "$NHOSTS" -ge 1 ] && [ "$NHOSTS" -le 64000 ] ||
	    lab_die "N from 1 to 64000 (198.18.0.0/16)"
	# the hosts' own addresses are on the reflectors' subnet (FLEET_NH=host)
	ip -n "${LAB_NS[rr]}" addr add 198.19.255.254/16 dev eth0
	[ "$nrr" = 2 ] && ip -n "${LAB_NS[rr2]}" addr add 198.19.255.253/16 dev eth0
	SERVERS=$((NHOSTS * 5))
	res n "$NHOSTS"
	res run "$run"
	res reflectors "$nrr"
	res inject "$FLEET_INJECT"
	res check "$FLEET_CHECK"
	res next_hop "$FLEET_NH"
	res load_start "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"

	# ---- reflectors
	for r in $RRS; do
		rr_conf "$r" >"$LAB_DIR/$r/bird.conf"
		out=$(bird -p -c "$LAB_DIR/$r/bird.conf" 2>&1) ||
		    lab_die "bird -p $r: $out"
	done

	# ---- consumer: bgpsd-listen, the haproxy template, 5 ports
	L=$LAB_DIR/lb
	local check_line=""
	[ "$FLEET_CHECK" = haproxy ] &&
	    check_line='check = [ "haproxy", "-c", "-q", "-f", "%s" ];'
	lb_conf "	# every peer is a reflector: keep its routes over its restart
	stale_time = $FLEET_STALE;
	status_file = \"$L/status.json\";
	metrics_file = \"$L/metrics.prom\";" "$check_line"
	out=$("$BUILD/bgpsd-listen" -n -c "$L/bgpsd.conf" 2>&1) ||
	    lab_die "bgpsd-listen -n: $out"
	{
		echo "process bgpsd-listen {"
		echo "	run $BUILD/bgpsd-listen -c $L/bgpsd.conf;"
		echo "	encoder json;"
		echo "}"
		for r in $RRS; do
			fleet_neighbor "$r" lb bgpsd-listen yes
		done
	} >"$L/exabgp.conf"
	: >"$L/reloads.log"

	# ---- injector: an API process copying the fifo to ExaBGP
	inj_api
	: >"$I/acks.log"
	local statics=""
	{
		inj_process
		for r in $RRS; do
			fleet_neighbor "$r" inj inject no
		done
	} >"$I/exabgp.conf"
	if [ "$FLEET_INJECT" = static ]; then
		# the same, with every route in the config
		statics="$I/exabgp-static.conf"
		fleet_addrs "$NHOSTS" | awk -v c="$(comms)" -v nh="$FLEET_NH" '
		    BEGIN { print "\tstatic {" }
		    { printf "\t\troute %s/32 next-hop %s community [ %s ];\n", $1, nh == "shared" ? "self" : $2, c }
		    END { print "\t}" }' >"$I/static.inc"
		awk -v inc="$I/static.inc" '
		    { print }
		    /^\thold-time/ { while ((getline l < inc) > 0) print l; close(inc) }' \
		    "$I/exabgp.conf" >"$statics"
	fi
	# the announce commands: one per route with its own next hop, or
	# FLEET_BATCH prefixes each with the injector's
	fleet_addrs "$NHOSTS" | awk -v b="$FLEET_BATCH" -v c="$(comms)" -v nh="$FLEET_NH" '
	    nh != "shared" { print "announce route " $1 "/32 next-hop " $2 " community [" c "]"; next }
	    { l = l " " $1 "/32"; k++ }
	    k == b { print "announce attributes next-hop self community [" c "] nlri" l; l = ""; k = 0 }
	    END { if (k) print "announce attributes next-hop self community [" c "] nlri" l }' \
	    >"$I/announce.txt"
	NCMD=$(wc -l <"$I/announce.txt")

	for r in $RRS; do
		bird_start "$r"
	done
	lab_exabgp_start lb "$L/exabgp.conf" no
	WLOG=$LAB_DIR/filewatch.log
	lab_spawn filewatch lb "$B/filewatch" -t 7200 "$L/out/haproxy.cfg"
	if [ "$FLEET_INJECT" = api ]; then
		lab_exabgp_start inj "$I/exabgp.conf" no
	else
		# the injector's sessions stay refused until it has loaded its
		# N routes and the learn starts
		for r in $RRS; do
			birdc_r "$r" disable inj >/dev/null
		done
		lab_exabgp_start inj "$statics" no
	fi
	for r in $RRS; do
		if [ "$FLEET_INJECT" = api ]; then
			lab_wait 60 bird_up "$r" || lab_die "sessions of $r not up"
		else
			lab_wait 60 eval "[ \"\$(birdc_r $r show protocols | grep -c '^lb .*Established')\" = 1 ]" ||
			    lab_die "consumer session of $r not up"
		fi
	done
	IPID=$(lab_pid exabgp-inj)
	# its API process runs (ExaBGP starts its processes once its
	# configuration is loaded)
	lab_wait $((30 + NHOSTS / 1000)) lab_child exabgp-inj cat >/dev/null ||
	    lab_die "the injector's API process is not running"
	exec {CMDFD}<>"$I/cmd.fifo"
	EPID=$(lab_pid exabgp-lb)
	lab_wait 20 lab_child exabgp-lb bgpsd-listen >/dev/null ||
	    lab_die "bgpsd-listen not running"
	LPID=$(lab_child exabgp-lb bgpsd-listen)
	# the End-of-RIB of the empty table has reached it
	sleep 1
	res listen_rss_base_kb "$(kb "$LPID" VmRSS)"

	# what the consumer's ExaBGP used so far: start-up, idle (cold_start)
	EXA_BOOT=$(cpu_ns "$EPID")
	# ---- 1. the learn
	local s0 s1 t0 t1 tb="" ti="" rss_after
	if [ "$FLEET_INJECT" = api ]; then
		s0=$(snap)
		t0=$(now_ns)
		cat "$I/announce.txt" >&"$CMDFD" &
		flog "N=$NHOSTS run $run: learning ($NCMD API commands)"
	else
		s0=$(snap)
		for r in $RRS; do
			birdc_r "$r" enable inj >/dev/null
		done
		# from the first session's establishment (ExaBGP retries its
		# connection with a growing delay: not the consumer's work)
		lab_wait 30 eval "birdc_r rr show protocols inj | grep -q Established" ||
		    lab_die "the injector's session did not come up"
		t0=$(now_ns)
		flog "N=$NHOSTS run $run: learning (static routes)"
	fi
	local limit=$((60 + NHOSTS / 100))
	local end=$(( t0 + limit * 1000000000 ))
	while [ "$(now_ns)" -lt "$end" ]; do
		[ -z "$tb" ] && bird_full rr && tb=$(now_ns)
		if [ -z "$ti" ] && [ "$FLEET_INJECT" = api ] &&
		    [ "$(grep -c ' done$' "$I/acks.log")" -ge "$NCMD" ]; then
			ti=$(awk -v n="$NCMD" '/ done$/ && ++k == n { print $1; exit }' "$I/acks.log")
		fi
		W_has 0 "$SERVERS" && break
		sleep 0.2
	done
	t1=$(W_first 0 "$SERVERS")
	[ -n "$t1" ] || { lab_tail "$LAB_DIR/exabgp-lb.log"; lab_die "the file never held $SERVERS server lines within $limit s (last: $(W_last))"; }
	quiet 60 || flog "bgpsd-listen not quiet after the learn"
	s1=$(snap)
	res learn_s "$(fcalc %.2f "($t1 - $t0) / 1e9")"
	[ -n "$tb" ] && res bird_full_s "$(fcalc %.2f "($tb - $t0) / 1e9")"
	[ -n "$ti" ] && res inj_acked_s "$(fcalc %.2f "($ti - $t0) / 1e9")"
	res learn_versions "$(awk -v t="$t0" '$1 >= t' "$WLOG" | wc -l)"
	res learn_reloads "$(awk -v t="$t0" '$1 >= t' "$L/reloads.log" | wc -l)"
	for k in listen listen_kids exa_lb inj; do
		res "learn_cpu_${k}_ms" "$(delta "$s0" "$s1" "$k")"
	done
	for r in $RRS; do
		res "learn_cpu_bird_${r}_ms" "$(delta "$s0" "$s1" "bird_$r")"
	done
	res listen_hwm_kb "$(kb "$LPID" VmHWM)"
	res listen_rss_kb "$(kb "$LPID" VmRSS)"
	res exa_lb_hwm_kb "$(kb "$EPID" VmHWM)"
	res bird_hwm_kb "$(kb "$(lab_pid bird-rr)" VmHWM)"
	res file_bytes "$(W_last | awk '{ print $3 }')"
	sleep "${FLEET_AFTER:-5}"
	rss_after=$(kb "$LPID" VmRSS)
	res listen_rss_after_kb "$rss_after"
	res listen_anon_after_kb "$(kb "$LPID" RssAnon)"
	[ -s "$L/status.json" ] && res status_passes "$(jq -r '.render.passes' "$L/status.json" 2>/dev/null)"

	if [ "$nrr" = 1 ]; then
		# ---- 2. single changes
		local k idx ip nh want cmd sa sb ta tf lats="" cpus="" kids="" exas=""
		for ((k = 0; k < FLEET_CHANGES; k++)); do
			idx=$(( (k / 2) * 7919 % NHOSTS + 1 ))
			ip=$(fleet_addr "$idx")
			nh=$(fleet_nh "$idx")
			if [ $((k % 2)) = 0 ]; then
				cmd="announce route $ip/32 next-hop $nh community [$(comms $DROP_PORT)]"
				want=$((SERVERS - 1))
			else
				cmd="announce route $ip/32 next-hop $nh community [$(comms)]"
				want=$SERVERS
			fi
			local before
			before=$(W_lines)
			sa=$(snap)
			ta=$(now_ns)
			echo "$cmd" >&"$CMDFD"
			lab_wait 60 W_has "$before" "$want" ||
			    lab_die "change $k ($cmd) not in the file within 60 s"
			tf=$(W_first "$before" "$want")
			quiet 30 || flog "not quiet after change $k"
			sb=$(snap)
			lats="$lats $(fcalc %.3f "($tf - $ta) / 1e9")"
			cpus="$cpus $(delta "$sa" "$sb" listen)"
			kids="$kids $(delta "$sa" "$sb" listen_kids)"
			exas="$exas $(delta "$sa" "$sb" exa_lb)"
			if [ $((k % 2)) = 0 ] &&
			    grep -q "^[[:space:]]*server $ip $ip:$DROP_PORT " "$L/out/haproxy.cfg"; then
				lab_die "change $k: $ip:$DROP_PORT still in the file"
			fi
		done
		res change_latency_s "${lats# }"
		res change_cpu_listen_ms "${cpus# }"
		res change_cpu_listen_kids_ms "${kids# }"
		res change_cpu_exa_lb_ms "${exas# }"
	fi

	# ---- 3. reflector restarts, no change meanwhile
	local which
	for which in $RRS; do
		restart_rr "$which"
	done
	# ---- 4. a consumer starting against a full reflector
	[ "$nrr" = 1 ] && cold_start
	res load_end "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
	check_alive
	exec {CMDFD}>&-
	return 0
}

check_alive() {
	grep -q "Too many death" "$LAB_DIR"/exabgp-*.log 2>/dev/null &&
	    lab_die "ExaBGP gave up on a process (Too many death)"
	return 0
}

# restart_rr REFLECTOR: stop it (SIGTERM), FLEET_DOWN s later start it, and
# watch the rendered file until all is quiet again
restart_rr() {
	local r=$1 p="rr_${1}_" h0 r0 l0 ts tst tup="" tfull="" tq
	h0=$(W_last | awk '{ print $4 }')
	r0=$(wc -l <"$L/reloads.log")
	l0=$(W_lines)
	flog "N=$NHOSTS: restarting reflector $r"
	local s0 s1
	s0=$(snap)
	ts=$(now_ns)
	lab_stop "bird-$r" 10
	sleep "${FLEET_DOWN:-2}"
	tst=$(now_ns)
	bird_start "$r"
	local end=$(( tst + (120 + NHOSTS / 200) * 1000000000 ))
	while [ "$(now_ns)" -lt "$end" ]; do
		[ -z "$tup" ] && bird_up "$r" && tup=$(now_ns)
		[ -n "$tup" ] && [ -z "$tfull" ] && bird_full "$r" && tfull=$(now_ns) && break
		sleep 0.2
	done
	# then quiet: no new version for FLEET_STABLE s (wait_max + 2) and an
	# idle consumer
	local lastn stable=0
	lastn=$(W_lines)
	while [ "$(now_ns)" -lt "$end" ]; do
		sleep 1
		if [ "$(W_lines)" = "$lastn" ]; then
			stable=$((stable + 1))
			[ $stable -ge "${FLEET_STABLE:-7}" ] && break
		else
			stable=0
			lastn=$(W_lines)
		fi
	done
	quiet 30 >/dev/null
	s1=$(snap)
	tq=$(now_ns)
	res "${p}sessions_up_s" "$([ -n "$tup" ] && fcalc %.2f "($tup - $tst) / 1e9" || echo never)"
	res "${p}bird_full_s" "$([ -n "$tfull" ] && fcalc %.2f "($tfull - $tst) / 1e9" || echo never)"
	res "${p}versions" "$(awk -v l="$l0" 'NR > l' "$WLOG" | wc -l)"
	res "${p}min_servers" "$(awk -v l="$l0" -v s="$SERVERS" 'NR > l { if ($2 < m || m == "") m = $2 } END { print m == "" ? s : m }' "$WLOG")"
	res "${p}identical" "$([ "$(W_last | awk '{ print $4 }')" = "$h0" ] && echo yes || echo no)"
	res "${p}final_servers" "$(W_count)"
	res "${p}reloads" "$(( $(wc -l <"$L/reloads.log") - r0 ))"
	# from the start of BIRD to the last version written (the file
	# complete again), when any was written
	res "${p}last_version_s" "$(awk -v l="$l0" -v t="$tst" 'NR > l { x = $1 } END { if (x) printf "%.2f", (x - t) / 1e9; else print "-" }' "$WLOG")"
	res "${p}cpu_listen_ms" "$(delta "$s0" "$s1" listen)"
	res "${p}cpu_exa_lb_ms" "$(delta "$s0" "$s1" exa_lb)"
	res "${p}versions_detail" "$(awk -v l="$l0" -v t="$ts" 'NR > l { printf "%s%.2f:%d", sep, ($1 - t) / 1e9, $2; sep = "," }' "$WLOG")"
	: "$tq"
}

# cold_start: a new consumer (ExaBGP and bgpsd-listen) against the full
# reflector, rendering to a new file, as after a reboot: ExaBGP connects
# at once, the full table comes at the reflector's pace, then its
# End-of-RIB, then (when that came within wait_max of bgpsd-listen's
# start) the first render. Holding the session back instead would let
# wait_max run out before it starts. The learn runs from the session's
# establishment to the complete file. CPU: bgpsd-listen's from its start
# (its own start-up is a few ms); ExaBGP's from the session's
# establishment (its own start-up before it is not part of the learn; the
# first consumer's start-up, EXA_BOOT, was subtracted before, and at a
# small N a new ExaBGP could take less than it: a negative figure).
cold_start() {
	local s0 s1 t0="" t1 w2=$LAB_DIR/filewatch2.log end eb
	flog "N=$NHOSTS: consumer cold start"
	lab_stop exabgp-lb 10
	mkdir -p "$L/out2"
	sed "s|$L/out/haproxy.cfg|$L/out2/haproxy.cfg|" "$L/bgpsd.conf" >"$L/bgpsd2.conf"
	sed "s|-c $L/bgpsd.conf;|-c $L/bgpsd2.conf;|" "$L/exabgp.conf" >"$L/exabgp2.conf"
	lab_spawn filewatch2 lb "$B/filewatch" -t 7200 "$L/out2/haproxy.cfg"
	lab_wait 5 test -s "$w2" || lab_die "filewatch2 did not start"
	# the old session is gone at the reflector
	lab_wait 30 eval "! birdc_r rr show protocols lb | grep -q Established" ||
	    lab_die "cold start: the old consumer's session stays up"
	lab_exabgp_start lb "$L/exabgp2.conf" no exabgp-lb2
	EPID=$(lab_pid exabgp-lb2)
	end=$(( $(now_ns) + 60 * 1000000000 ))
	while [ "$(now_ns)" -lt "$end" ]; do
		if birdc_r rr show protocols lb | grep -q Established; then
			t0=$(now_ns)
			eb=$(cpu_ns "$EPID")
			break
		fi
		sleep 0.05
	done
	[ -n "$t0" ] || lab_die "cold start: the session did not come up"
	s0="listen=0 listen_kids=0 exa_lb=$eb"
	lab_wait 20 lab_child exabgp-lb2 bgpsd-listen >/dev/null ||
	    lab_die "bgpsd-listen (cold start) not running"
	LPID=$(lab_child exabgp-lb2 bgpsd-listen)
	end=$(( t0 + (60 + NHOSTS / 100) * 1000000000 ))
	while [ "$(now_ns)" -lt "$end" ]; do
		awk -v s="$SERVERS" '$2 == s { f = 1 } END { exit !f }' "$w2" && break
		sleep 0.2
	done
	t1=$(awk -v s="$SERVERS" '$2 == s { print $1; exit }' "$w2")
	[ -n "$t1" ] || lab_die "cold start: the file never complete"
	quiet 60 || flog "not quiet after the cold start"
	s1=$(snap)
	res cold_learn_s "$(fcalc %.2f "($t1 - $t0) / 1e9")"
	res cold_versions "$(($(wc -l <"$w2") - 1))"
	res cold_versions_detail "$(awk -v t="$t0" 'NR > 1 { printf "%s%.2f:%d", sep, ($1 - t) / 1e9, $2; sep = "," }' "$w2")"
	res cold_cpu_listen_ms "$(delta "$s0" "$s1" listen)"
	res cold_cpu_listen_kids_ms "$(delta "$s0" "$s1" listen_kids)"
	res cold_cpu_exa_lb_ms "$(delta "$s0" "$s1" exa_lb)"
	res cold_exa_boot_ms "$(fcalc %.1f "$EXA_BOOT / 1e6")"
	res cold_listen_hwm_kb "$(kb "$LPID" VmHWM)"
	sleep "${FLEET_AFTER:-5}"
	res cold_listen_rss_after_kb "$(kb "$LPID" VmRSS)"
}

# ---------------------------------------------------------------------------
# the table

# median of a space-separated list
median() {
	echo "$@" | tr ' ' '\n' | sed '/^$/d' | sort -g |
	    awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# rget FILE KEY
rget() { awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' "$1"; }
# over N NRR KEY: the values of KEY in every run of N with NRR reflectors
over() {
	local f v out=""
	for f in "$FLEET_OUT"/raw/n"$1"-rr"$2"-*.txt; do
		[ -f "$f" ] || continue
		v=$(rget "$f" "$3")
		[ -n "$v" ] && out="$out $v"
	done
	echo "${out# }"
}
med() { median "$(over "$@")"; }

table() {
	local n runs lat cpu kids ex learn hwm after base bpb bpba ch
	echo "bgpsd fleet benchmark: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), Linux $(uname -r)"
	echo "$(exabgp --version 2>&1 | awk '/^ExaBGP/ { print "ExaBGP " $3 }'), $(bird --version 2>&1 | awk '{ print "BIRD " $3 }'), bgpsd $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null); check: $FLEET_CHECK; injection: $FLEET_INJECT, next hop: $FLEET_NH"
	echo "load average at start $LOAD0, at end $(cut -d' ' -f1-3 /proc/loadavg); $(( $(date +%s) - START )) s"
	echo "medians over the runs; CPU in ms (ns on CPU from schedstat); RSS from /proc/PID/status"
	echo
	printf '%-8s %4s %9s %11s %11s %8s %8s %9s %14s %14s %9s %9s %11s\n' \
	    "N hosts" runs "learn s" "listen CPU" "ExaBGP CPU" "ratio" "BIRD" "injector" \
	    "peak RSS MiB" "after MiB" "B/backend" "change" "change->file"
	printf '%-8s %4s %9s %11s %11s %8s %8s %9s %14s %14s %9s %9s %11s\n' \
	    "" "" "" "(children)" "(consumer)" "" "CPU" "CPU" "(base)" "" "peak/after" "CPU ms" "s"
	for n in $FLEET_N; do
		runs=$(over "$n" 1 n | wc -w)
		[ "$runs" -gt 0 ] || continue
		learn=$(med "$n" 1 learn_s)
		cpu=$(med "$n" 1 learn_cpu_listen_ms)
		kids=$(med "$n" 1 learn_cpu_listen_kids_ms)
		ex=$(med "$n" 1 learn_cpu_exa_lb_ms)
		hwm=$(med "$n" 1 listen_hwm_kb)
		after=$(med "$n" 1 listen_rss_after_kb)
		base=$(med "$n" 1 listen_rss_base_kb)
		bpb=$(fcalc %.0f "$hwm * 1024 / ($n * 5)")
		bpba=$(fcalc %.0f "$after * 1024 / ($n * 5)")
		# every change of every run, pooled
		lat=$(median "$(over "$n" 1 change_latency_s)")
		ch=$(median "$(over "$n" 1 change_cpu_listen_ms)")
		printf '%-8s %4s %9s %11s %11s %8s %8s %9s %14s %14s %9s %9s %11s\n' \
		    "$n" "$runs" "$learn" "$(fcalc %.0f "$cpu") ($(fcalc %.0f "$kids"))" \
		    "$(fcalc %.0f "$ex")" "$(fcalc %.2fx "$cpu / ($ex > 0 ? $ex : 1)")" \
		    "$(fcalc %.0f "$(med "$n" 1 learn_cpu_bird_rr_ms)")" \
		    "$(fcalc %.0f "$(med "$n" 1 learn_cpu_inj_ms)")" \
		    "$(fcalc %.1f "$hwm / 1024") ($(fcalc %.1f "$base / 1024"))" \
		    "$(fcalc %.1f "$after / 1024")" "$bpb/$bpba" "$(fcalc %.0f "$ch")" \
		    "$(fcalc %.2f "$lat")"
	done
	echo
	echo "learn details: file = the rendered haproxy.cfg; versions = files written during the learn"
	echo "(a pass at most wait_max = 5 s after the first change renders the partial table);"
	echo "BIRD full / inj acked = s after the learn started until BIRD holds all N / ExaBGP acked every API command;"
	echo "cold start = a new consumer (ExaBGP + bgpsd-listen) against the full reflector: its session up -> complete file"
	printf '%-8s %10s %8s %9s %9s %7s | %9s %8s %11s %11s %8s %9s\n' "N hosts" "file bytes" versions \
	    "BIRD full" "inj acked" passes "cold s" versions "listen CPU" "ExaBGP CPU" ratio "peak MiB"
	for n in $FLEET_N; do
		[ "$(over "$n" 1 n | wc -w)" -gt 0 ] || continue
		cpu=$(med "$n" 1 cold_cpu_listen_ms)
		ex=$(med "$n" 1 cold_cpu_exa_lb_ms)
		printf '%-8s %10s %8s %9s %9s %7s | %9s %8s %11s %11s %8s %9s\n' "$n" \
		    "$(med "$n" 1 file_bytes)" "$(med "$n" 1 learn_versions)" \
		    "$(med "$n" 1 bird_full_s)" "$(med "$n" 1 inj_acked_s)" \
		    "$(med "$n" 1 status_passes)" "$(med "$n" 1 cold_learn_s)" \
		    "$(med "$n" 1 cold_versions)" "$(fcalc %.0f "$cpu")" \
		    "$(fcalc %.0f "$ex")" "$(fcalc %.2fx "$cpu / ($ex > 0 ? $ex : 1)")" \
		    "$(fcalc %.1f "$(med "$n" 1 cold_listen_hwm_kb) / 1024")"
	done
	echo
	echo "reflector restart, no change meanwhile (BIRD SIGTERM, ${FLEET_DOWN:-2} s down, started again);"
	echo "every version of the file seen (inotify): versions written, fewest server lines in any, file identical after, reloads run"
	printf '%-8s %-10s %-28s %s\n' "N hosts" reflectors "stopped" "result per run: versions, fewest servers / all, identical, reloads, last version at s after start"
	local f r2
	for n in $FLEET_N; do
		for r2 in 1 2; do
			for f in "$FLEET_OUT"/raw/n"$n"-rr"$r2"-*.txt; do
				[ -f "$f" ] || continue
				for r in rr rr2; do
					[ -n "$(rget "$f" "rr_${r}_versions")" ] || continue
					printf '%-8s %-10s %-28s %s versions, %s / %s, identical %s, %s reloads, last %s s\n' \
					    "$n" "$r2" "$r of $r2 (run $(rget "$f" run))" \
					    "$(rget "$f" "rr_${r}_versions")" \
					    "$(rget "$f" "rr_${r}_min_servers")" "$((n * 5))" \
					    "$(rget "$f" "rr_${r}_identical")" \
					    "$(rget "$f" "rr_${r}_reloads")" \
					    "$(rget "$f" "rr_${r}_last_version_s")"
				done
			done
		done
	done
	if [ "$FLEET_RR2" = 1 ]; then
		echo
		echo "two reflectors: the learn (each route arrives twice)"
		printf '%-8s %9s %11s %11s %14s\n' "N hosts" "learn s" "listen CPU" "ExaBGP CPU" "peak RSS MiB"
		for n in $FLEET_N; do
			[ "$(over "$n" 2 n | wc -w)" -gt 0 ] || continue
			printf '%-8s %9s %11s %11s %14s\n' "$n" "$(med "$n" 2 learn_s)" \
			    "$(fcalc %.0f "$(med "$n" 2 learn_cpu_listen_ms)")" \
			    "$(fcalc %.0f "$(med "$n" 2 learn_cpu_exa_lb_ms)")" \
			    "$(fcalc %.1f "$(med "$n" 2 listen_hwm_kb) / 1024")"
		done
	fi
}

# ---------------------------------------------------------------------------
# main

case ${1:-} in
run)
	shift
	run_one "$@"
	exit $?
	;;
gr)
	shift
	# shellcheck source=fleet_gr.sh
	. "$TOP/tests/bench/fleet_gr.sh"
	gr_main "$@"
	exit $?
	;;
gr-one)
	shift
	# shellcheck source=fleet_gr.sh
	. "$TOP/tests/bench/fleet_gr.sh"
	gr_one "$@"
	exit $?
	;;
table)
	START=$(date +%s)
	LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
	table
	exit 0
	;;
esac

for t in filewatch stamp; do
	[ -x "$B/$t" ] || { flog "$B/$t missing (make tests)"; exit 1; }
done
[ -x "$BUILD/bgpsd-listen" ] || { flog "$BUILD/bgpsd-listen missing (make)"; exit 1; }
for c in exabgp bird birdc jq; do
	command -v "$c" >/dev/null || { flog "$c not installed (make deps)"; exit 1; }
done
if [ "$(id -u)" != 0 ]; then
	flog "the fleet lab needs root (network namespaces)"
	exit 77
fi
START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$FLEET_OUT/raw" "$FLEET_OUT/logs"
rm -f "$FLEET_OUT"/raw/*.txt
FAILS=0
for n in $FLEET_N; do
	runs="$(seq 1 "$FLEET_RUNS") "
	[ "$FLEET_RR2" = 1 ] && runs="${runs}rr2"
	for run in $runs; do
		nrr=1
		[ "$run" = rr2 ] && nrr=2 run=1
		f=$FLEET_OUT/raw/n$n-rr$nrr-$run.txt
		flog "N=$n, $nrr reflector(s), run $run"
		if ! bash "$0" run "$n" "$run" "$nrr" "$f" \
		    >"$FLEET_OUT/logs/n$n-rr$nrr-$run.log" 2>&1; then
			FAILS=$((FAILS + 1))
			flog "N=$n run $run failed: $(tail -n 3 "$FLEET_OUT/logs/n$n-rr$nrr-$run.log" | tr '\n' ' ')"
			mv "$f" "$f.failed" 2>/dev/null
		fi
	done
done
table | tee "$FLEET_OUT/table.txt"
[ "$FAILS" = 0 ] || { flog "$FAILS run(s) failed: see $FLEET_OUT/logs"; exit 1; }
exit 0
