# tests/hardening/common.sh - shared by the hardening suites (sourced
# after tests/lib.sh).

# sane NAME RC LOG: the process ended by itself (no signal, no timeout,
# no valgrind error status 99) and left no sanitizer or valgrind report.
sane() {
	local rc=$2 log=$3
	if [ "$rc" -ge 124 ] || [ "$rc" = 99 ]; then
		diag "$1: exit status $rc"
		return 1
	fi
	if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|==[0-9]+== (Invalid|Conditional|Use of|Syscall param)|definitely lost: [1-9]' "$log"; then
		diag "$1: sanitizer/valgrind report:" "$(head -n 20 "$log")"
		return 1
	fi
	return 0
}

# ascii_only FILE: printable ASCII, tabs and newlines only (logs that a
# hostile peer fed must not carry its bytes)
ascii_only() {
	! LC_ALL=C grep -q '[^[:print:][:space:]]' "$1" &&
	    ! LC_ALL=C grep -q $'[\r\v\f]' "$1"
}

# pid_alive PID
pid_alive() { kill -0 "$1" 2>/dev/null; }

# stop PID [SECONDS]: SIGTERM, wait up to SECONDS (default 5), then KILL;
# returns the exit status, 255 when it had to be killed
stop() {
	local pid=$1 limit=${2:-5} i=0
	kill -TERM "$pid" 2>/dev/null
	while pid_alive "$pid" && [ $i -lt $((limit * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if pid_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 255
	fi
	wait "$pid" 2>/dev/null
}

# refused NAME RC WHAT...: a program run with its stderr in $T/err.log
# ended by itself (sane), with a status RC other than 0, and its stderr
# names every WHAT (fixed strings). Returns 0 when so, for the caller's
# own checks and ok line; else prints the not ok line and returns 1.
refused() {
	local n=$1 rc=$2 what
	shift 2
	if ! sane "$n" "$rc" "$T/err.log"; then
		not_ok "$n: no crash"
		return 1
	elif [ "$rc" = 0 ]; then
		not_ok "$n: refuses it"
		return 1
	fi
	for what in "$@"; do
		if ! grep -qF -- "$what" "$T/err.log"; then
			not_ok "$n: names $what"
			diag "$(head -c 400 "$T/err.log")"
			return 1
		fi
	done
}
