# shellcheck shell=bash
# tests/bench/fleet_gr.sh - what a consumer's ExaBGP sees when the BIRD
# route reflector restarts, with and without graceful restart (sourced by
# fleet.sh: `bash tests/bench/fleet.sh gr [N]`).
#
# The fleet lab at small N (default 1,000): injector, reflector, consumer.
# The consumer's ExaBGP runs bgpsd-listen and a recorder, a process that
# stamps every JSON line ExaBGP writes (CLOCK_REALTIME) into a file; it is
# subscribed to OPEN messages too, to show the capabilities BIRD sends.
# While the reflector restarts, birdc is polled every 0.1 s for the state
# of its two sessions and the routes it holds from the injector.
# Scenarios:
#   plain     shipped bird-rr.conf (graceful restart "aware", BIRD's
#             default), ExaBGP peers without the capability; SIGTERM,
#             then a plain start
#   kill      the same, SIGKILL instead (a crash: no NOTIFICATION)
#   R         the same as plain, started again with bird -R
#   gr        "graceful restart on;" in the client template, ExaBGP peers
#             with "graceful-restart 120"; stopped with birdc graceful
#             restart, a plain start
#   gr-R      the same, started with bird -R (recovery: "wait for graceful
#             restart ... before exporting")
#   gr-term-R graceful restart on, stopped with SIGTERM, started with -R
# The timeline of each goes to stdout and to $FLEET_OUT/gr/SCENARIO.txt,
# the raw JSON to $FLEET_OUT/gr/SCENARIO.json.

GR_SCENARIOS=${FLEET_GR_SCENARIOS:-plain kill R gr gr-R gr-term-R}

gr_main() {
	local n=${1:-1000} sc rc=0
	mkdir -p "$FLEET_OUT/gr"
	for sc in $GR_SCENARIOS; do
		flog "graceful restart evidence: $sc, N=$n"
		if ! bash "$TOP/tests/bench/fleet.sh" gr-one "$sc" "$n" \
		    >"$FLEET_OUT/gr/$sc.log" 2>&1; then
			flog "$sc failed: $(tail -n 3 "$FLEET_OUT/gr/$sc.log" | tr '\n' ' ')"
			rc=1
		fi
		[ -f "$FLEET_OUT/gr/$sc.txt" ] && cat "$FLEET_OUT/gr/$sc.txt"
	done
	return $rc
}

# gr_one SCENARIO N
gr_one() {
	local sc=$1 n=$2 bird_extra="" exa_cap="" stop start_args="" out
	NHOSTS=$n
	LAB_HOLD=${FLEET_HOLD:-30}
	# shellcheck source=../integration/lib.sh
	. "$TOP/tests/integration/lib.sh"
	BGPSD_LAB_MODE=${BGPSD_LAB_MODE:-netns}
	lab_init "fleetgr"
	lab_host rr 1
	lab_host lb 2
	lab_host inj 10
	ip -n "${LAB_NS[rr]}" addr add 198.19.255.254/16 dev eth0
	RRS=rr
	case $sc in
	plain) stop=term ;;
	kill) stop="kill" ;;
	R) stop=term start_args=-R ;;
	gr) stop=gr bird_extra="graceful restart on;" ;;
	gr-R) stop=gr start_args=-R bird_extra="graceful restart on;" ;;
	gr-term-R) stop=term start_args=-R bird_extra="graceful restart on;" ;;
	*) lab_die "unknown scenario $sc" ;;
	esac
	case $sc in gr*) exa_cap="
		graceful-restart 120;" ;; esac
	# BIRD's own account, with ms: session states, End-of-RIB sent and
	# received ("packets" traces every UPDATE too: fine at small N)
	rr_conf rr "${bird_extra:+$bird_extra
	}debug { states, events, packets };" |
	    sed 's/^log stderr all;.*/&\ntimeformat log iso long ms;/' >"$LAB_DIR/rr/bird.conf"
	out=$(bird -p -c "$LAB_DIR/rr/bird.conf" 2>&1) || lab_die "bird -p: $out"

	L=$LAB_DIR/lb
	lb_conf "" ""
	cat >"$L/record.sh" <<EOF
#!/bin/sh
# every JSON line of ExaBGP, stamped; nothing written back, but stdout
# is kept open (fd 3): ExaBGP takes its end of file for a death
exec "$B/stamp" -r 3>&1 >>"$L/json.log"
EOF
	chmod +x "$L/record.sh"
	{
		echo "process bgpsd-listen {"
		echo "	run $BUILD/bgpsd-listen -c $L/bgpsd.conf;"
		echo "	encoder json;"
		echo "}"
		echo "process record {"
		echo "	run $L/record.sh;"
		echo "	encoder json;"
		echo "}"
		fleet_neighbor rr lb "bgpsd-listen record" yes "$exa_cap" |
		    sed 's/^\t\t\tparsed;/\t\t\tparsed;\n\t\t\topen;/'
	} >"$L/exabgp.conf"
	: >"$L/json.log"

	inj_api
	{
		inj_process
		fleet_neighbor rr inj inject no "$exa_cap"
	} >"$I/exabgp.conf"
	fleet_addrs "$n" | awk -v c="$(comms)" \
	    '{ print "announce route " $1 "/32 next-hop " $2 " community [" c "]" }' \
	    >"$I/announce.txt"

	bird_start rr
	lab_exabgp_start lb "$L/exabgp.conf" no
	lab_exabgp_start inj "$I/exabgp.conf" no
	WLOG=$LAB_DIR/filewatch.log
	lab_spawn filewatch lb "$B/filewatch" -t 3600 "$L/out/haproxy.cfg"
	lab_wait 60 bird_up rr || lab_die "sessions not up"
	exec {CMDFD}<>"$I/cmd.fifo"
	cat "$I/announce.txt" >&"$CMDFD"
	lab_wait 120 W_has 0 $((n * 5)) || lab_die "the file never complete"
	sleep 2
	{ birdc_r rr show protocols all lb; birdc_r rr show protocols all inj; } |
	    sed -n '/^[a-z]/p; /capabilities/,/Session:/p' >"$LAB_DIR/caps-before.txt"

	# ---- the restart, and a timeline of what BIRD and the consumer see
	local tl=$LAB_DIR/timeline.txt t_stop t_start end st_lb st_inj routes prev=""
	local j0 w0
	j0=$(wc -l <"$L/json.log")
	w0=$(wc -l <"$WLOG")
	t_stop=$(now_ns)
	case $stop in
	term) lab_stop bird-rr 10 ;;
	kill) lab_kill bird-rr KILL ;;
	gr)
		birdc_r rr graceful restart >"$LAB_DIR/gr-cmd.txt"
		lab_wait 10 lab_gone "$(lab_pid bird-rr)"
		wait "$(lab_pid bird-rr)" 2>/dev/null ;;
	esac
	echo "$(fcalc %.3f "($(now_ns) - $t_stop) / 1e9") harness: BIRD gone ($stop)" >>"$tl"
	sleep 2
	t_start=$(now_ns)
	echo "$(fcalc %.3f "($t_start - $t_stop) / 1e9") harness: BIRD started${start_args:+ with $start_args}" >>"$tl"
	# shellcheck disable=SC2086
	bird_start rr $start_args
	end=$(( t_start + 40 * 1000000000 ))
	while [ "$(now_ns)" -lt "$end" ]; do
		st_lb=$(birdc_r rr show protocols | awk '$1 == "lb" { print $4 "/" $6 }')
		st_inj=$(birdc_r rr show protocols | awk '$1 == "inj" { print $4 "/" $6 }')
		routes=$(bird_routes rr)
		if [ "$st_lb $st_inj $routes" != "$prev" ]; then
			echo "$(fcalc %.3f "($(now_ns) - $t_stop) / 1e9") birdc: lb $st_lb, inj $st_inj, routes from inj ${routes:-?}" >>"$tl"
			prev="$st_lb $st_inj $routes"
		fi
		sleep 0.1
	done
	{ birdc_r rr show protocols all lb; birdc_r rr show protocols all inj; } |
	    sed -n '/^[a-z]/p; /capabilities/,/Session:/p' >"$LAB_DIR/caps-after.txt"
	# the consumer's JSON after the stop, one line per message (updates
	# summarised), and the file versions
	awk -v from="$j0" -v t0="$t_stop" 'NR > from {
		t = ($1 - t0) / 1e9
		line = $0
		sub(/^[0-9]+ /, "", line)
		ty = line; sub(/.*"type": *"/, "", ty); sub(/".*/, "", ty)
		if (ty == "state") {
			s = line; sub(/.*"state": *"/, "", s); sub(/".*/, "", s)
			r = ""
			if (line ~ /"reason"/) { r = line; sub(/.*"reason": *"/, "", r); sub(/".*/, "", r); r = " (" r ")" }
			printf "%.3f consumer JSON: state %s%s\n", t, s, r
		} else if (ty == "update") {
			if (line ~ /"eor"/) { printf "%.3f consumer JSON: update End-of-RIB %s\n", t, (line ~ /ipv6/ ? "ipv6" : "ipv4") ; next }
			a = gsub(/"nlri"/, "&", line)
			w = 0
			if (line ~ /"withdraw"/) { x = line; sub(/.*"withdraw"/, "", x); w = gsub(/"nlri"|"[0-9.]+\/32"/, "&", x) }
			printf "%.3f consumer JSON: update, %d prefixes\n", t, a + w
		} else if (ty == "open") {
			c = line; sub(/.*"capabilities": *\{/, "", c); sub(/\}, *"message".*/, "", c)
			dir = line ~ /"direction": *"receive"/ ? "received" : "sent"
			if (line ~ /graceful/) { g = line; sub(/.*"64": *\{/, "", g); sub(/\}, *"[0-9]+".*/, "", g); gsub(/[[:space:]]+/, " ", g); printf "%.3f consumer JSON: open %s, graceful restart capability {%s}\n", t, dir, g }
			else printf "%.3f consumer JSON: open %s, no graceful restart capability\n", t, dir
		} else
			printf "%.3f consumer JSON: %s\n", t, ty
	}' "$L/json.log" >>"$tl"
	awk -v from="$w0" -v t0="$t_stop" 'NR > from {
		printf "%.3f rendered file: new version, %d server lines\n", ($1 - t0) / 1e9, $2 }' \
	    "$WLOG" >>"$tl"
	# BIRD's log after the restart: states, End-of-RIB, graceful restart
	# (its times are local wall-clock ms)
	local t0s
	t0s=$(fcalc %.3f "$t_stop / 1e9")
	grep -E 'END-OF-RIB|Graceful restart|State changed|BGP session|Started|Connected|graceful|Neighbor' \
	    "$LAB_DIR/bird-rr.log" | grep -v 'UPDATE' |
	while IFS= read -r line; do
		local d ts
		d=$(echo "$line" | awk '{ print $1 " " $2 }')
		ts=$(date -d "$d" +%s.%N 2>/dev/null) || continue
		lab_fle "$t0s" "$ts" || continue
		echo "$(fcalc %.3f "$ts - $t0s") BIRD: ${line#* * }"
	done >>"$tl"
	{
		echo "== scenario $sc (N=$n): stop $stop, start${start_args:+ $start_args}${bird_extra:+, $bird_extra in the client template}${exa_cap:+, ExaBGP peers with graceful-restart 120}"
		echo "   seconds after the stop; consumer JSON updates merged per line: a run of updates shows as its first and last line"
		sort -g -s -k1,1 "$tl" | awk '
		    /consumer JSON: update, / { if (!inrun) { print; first = $0 } else last = $0; inrun++; tot += $5; next }
		    { flush(); print }
		    function flush() { if (inrun > 1) printf "%s   (... %d update lines, %d prefixes in all)\n", last, inrun, tot; inrun = 0; tot = 0 }
		    END { flush() }'
		echo "   BIRD's view of the sessions (consumer lb, injector inj) before the stop / 40 s after the start:"
		sed 's/^/     before: /' "$LAB_DIR/caps-before.txt"
		sed 's/^/     after:  /' "$LAB_DIR/caps-after.txt"
		[ -s "$LAB_DIR/gr-cmd.txt" ] && sed 's/^/   birdc graceful restart: /' "$LAB_DIR/gr-cmd.txt"
		echo "   reloads run after the stop: $(awk -v t="$t_stop" '$1 >= t' "$L/reloads.log" | wc -l)"
		grep -h 'bgpsd-listen: peer\|bgpsd-listen: .*written' "$LAB_DIR/exabgp-lb.log" | tail -n 8 | sed 's/^/   listen log: /'
	} >"$FLEET_OUT/gr/$sc.txt"
	awk -v from="$j0" 'NR > from' "$L/json.log" >"$FLEET_OUT/gr/$sc.json"
	cp "$LAB_DIR/bird-rr.log" "$FLEET_OUT/gr/$sc.bird.log" 2>/dev/null
	exec {CMDFD}>&-
	return 0
}
