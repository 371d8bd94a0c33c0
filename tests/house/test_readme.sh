#!/bin/bash
# tests/house/test_readme.sh - README.md says what is true:
# - its first screen (40 lines) holds the two commands, make demo and
#   make check;
# - its minimal bgpsd.conf and template pass bgpsd-announce -n and
#   bgpsd-listen -n;
# - its ExaBGP wiring passes exabgp --test (with the programs' paths and
#   that bgpsd.conf put in).
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
mktmp

# block HEADING N: the Nth fenced block below "## HEADING" in README.md
block() {
	awk -v h="## $1" -v n="$2" '
	    $0 == h { in_sec = 1; next }
	    in_sec && /^## / { exit }
	    in_sec && /^```/ { if (in_blk) { if (++seen == n) exit; in_blk = 0 }
		else in_blk = 1; next }
	    in_sec && in_blk && seen == n - 1 { print }' README.md
}

for c in "make demo" "make check"; do
	check "README.md names $c on its first screen" \
	    grep -q "^$c " <(head -n 40 README.md)
done

block "A minimal configuration" 1 >"$T/bgpsd.conf"
block "A minimal configuration" 2 >"$T/upstream.conf.mustache"
if ! grep -q '^announce' "$T/bgpsd.conf" ||
    ! grep -q '{{#services}}' "$T/upstream.conf.mustache"; then
	not_ok "README.md's minimal bgpsd.conf and template found"
	diag "$(head -n 3 "$T/bgpsd.conf")"
	exit 0
fi
for p in announce listen; do
	prog=$ANNOUNCE
	[ $p = listen ] && prog=$LISTEN
	if [ ! -x "$BUILD/bgpsd-$p" ]; then
		skip "README.md's minimal bgpsd.conf: bgpsd-$p -n" "not built"
	elif out=$($prog -n -c "$T/bgpsd.conf" 2>&1); then
		ok "README.md's minimal bgpsd.conf: bgpsd-$p -n"
	else
		not_ok "README.md's minimal bgpsd.conf: bgpsd-$p -n"
		diag "$out"
	fi
done

name="README.md's ExaBGP wiring: exabgp --test"
block "Wiring bgpsd into an existing ExaBGP" 1 |
    sed "s|/usr/local/sbin/|$BUILD/|; s|/usr/local/etc/bgpsd/bgpsd.conf|$T/bgpsd.conf|" \
    >"$T/exabgp.conf"
if ! grep -q '^process bgpsd-listen' "$T/exabgp.conf"; then
	not_ok "$name (block not found)"
elif ! command -v exabgp >/dev/null 2>&1; then
	skip "$name" "no exabgp"
elif out=$(cd "$T" && timeout 60 exabgp --test exabgp.conf 2>&1); then
	ok "$name"
else
	not_ok "$name"
	diag "$(echo "$out" | grep -iE 'error|problem|invalid' | head -n 5)"
fi
