# tests/bench/lib.sh - what run.sh (make bench) and fleet.sh (make
# bench-fleet) both sample from /proc, sourced by each of them.
#
# Every sampler prints a number, also when the process is already gone (a
# process that died before it was sampled must not turn into arithmetic on
# an empty string: bash aborts the whole enclosing block on that, silently).
CLK_TCK=$(getconf CLK_TCK)

# num VALUE: VALUE if it is a whole number, else 0
num() { case ${1:-} in ''|*[!0-9]*) echo 0 ;; *) echo "$1" ;; esac; }
# ns on CPU of a live process, all its threads (0 when gone)
cpu_ns() {
	local s=0 a rest f
	for f in /proc/"$1"/task/*/schedstat; do
		[ -r "$f" ] || continue
		read -r a rest <"$f" 2>/dev/null || continue
		s=$((s + $(num "$a")))
	done
	echo "$s"
}
# ns of CPU of its reaped children (cutime + cstime)
child_ns() {
	local st
	st=$(cat /proc/"$1"/stat 2>/dev/null) || { echo 0; return; }
	st=${st##*) }
	# after "comm) ": field 3 is state; cutime, cstime are fields 16, 17
	# shellcheck disable=SC2086
	set -- $st
	echo $(( ($(num "${14:-}") + $(num "${15:-}")) * 1000000000 / CLK_TCK ))
}
# kb PID FIELD: a kB figure of /proc/PID/status (VmHWM, RssAnon ...)
kb() { num "$(awk -v k="$2:" '$1 == k { print $2 }' /proc/"$1"/status 2>/dev/null)"; }
