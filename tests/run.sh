#!/bin/sh
# tests/run.sh - run every test and print one summary line "N passed, N failed".
#
# Unit tests: $BUILD/tests/test_* (cmocka, TAP output counted case by case).
# Shell suites: tests/*/test_*.sh, each printing TAP-like "ok - name" /
# "not ok - name" / "ok - name # SKIP reason" lines (see tests/lib.sh).
# Then mandoc -T lint on every man page and -n on every shipped config.
# ONLY=pattern runs only matching suites.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
BUILD=${BUILD:-build}
export TOP BUILD
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
export BUILD
VALGRIND=${VALGRIND:-0}
if [ "$VALGRIND" = 1 ]; then
	BGPSD_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-fds=no"
else
	BGPSD_WRAP=
fi
export BGPSD_WRAP
ONLY=${ONLY:-}
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
passed=0
failed=0
skipped=0
failures=""

# count TAP-ish lines in $1 (a log); exit status $2; name $3
tally() {
	p=$(grep -Ec '^ok( |$)' "$1" | tr -d ' ')
	s=$(grep -Ec '^ok .*# SKIP' "$1" | tr -d ' ')
	f=$(grep -Ec '^not ok( |$)' "$1" | tr -d ' ')
	p=$((p - s))
	# cmocka's TAP writes a skipped test as "not ok N # SKIP"
	sn=$(grep -Ec '^not ok .*# SKIP' "$1" | tr -d ' ')
	f=$((f - sn))
	s=$((s + sn))
	if [ "$2" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok - $3 exited with status $2" >>"$1"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$f" != 0 ]; then
		failures="$failures $3"
		printf '%-40s %4d passed %3d FAILED (log: %s)\n' "$3" "$p" "$f" "$1"
		grep -E '^not ok|^# ' "$1" | head -n 20 | sed 's/^/    /'
	else
		printf '%-40s %4d passed' "$3" "$p"
		[ "$s" != 0 ] && printf ' %3d skipped' "$s"
		printf '\n'
	fi
}

want() {
	[ -z "$ONLY" ] && return 0
	case $1 in *$ONLY*) return 0 ;; esac
	return 1
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	want "$name" || continue
	log=$LOGDIR/$name.log
	(cd tests && CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 $BGPSD_WRAP "$t") >"$log" 2>&1
	tally "$log" $? "$name"
done

for s in tests/*/test_*.sh; do
	[ -f "$s" ] || continue
	name=$(echo "$s" | sed 's|^tests/||; s|\.sh$||')
	want "$name" || continue
	log=$LOGDIR/$(echo "$name" | tr / _).log
	timeout 600 bash "$s" >"$log" 2>&1 </dev/null
	tally "$log" $? "$name"
done

if want lint; then
	log=$LOGDIR/lint.log
	: >"$log"
	for m in man/*.[0-9]; do
		[ -f "$m" ] || continue
		if out=$(mandoc -T lint -W warning "$m" 2>&1) && [ -z "$out" ]; then
			echo "ok - mandoc -T lint $m" >>"$log"
		else
			printf 'not ok - mandoc -T lint %s\n# %s\n' "$m" "$out" >>"$log"
		fi
	done
	for c in etc/*.conf; do
		[ -f "$c" ] || continue
		# ExaBGP/BIRD examples are not bgpsd.conf(5) files
		case ${c##*/} in exabgp-*|bird-*) continue ;; esac
		for p in bgpsd-announce bgpsd-listen; do
			if out=$($BGPSD_WRAP "$BUILD/$p" -n -c "$c" 2>&1); then
				echo "ok - $p -n -c $c" >>"$log"
			else
				printf 'not ok - %s -n -c %s\n# %s\n' "$p" "$c" "$out" >>"$log"
			fi
		done
	done
	# the in-tree copies of the workspace's shared fixtures stay current
	for d in exabgp-4.2 mustache-spec; do
		src=$TOP/../shared/fixtures/$d
		[ -d "$src" ] || continue
		if out=$(diff -r "$src" "tests/data/fixtures/$d" 2>&1); then
			echo "ok - tests/data/fixtures/$d matches $src" >>"$log"
		else
			printf 'not ok - tests/data/fixtures/%s matches %s\n# %s\n' \
			    "$d" "$src" "$(echo "$out" | head -n 3)" >>"$log"
		fi
	done
	tally "$log" 0 lint
fi

[ -n "$failures" ] && echo "failed suites:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
