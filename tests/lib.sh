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

# a private temporary folder removed on exit
mktmp() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/bgpsd-test.XXXXXX")
	trap 'rm -rf "$T"' EXIT
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
