#!/bin/bash
# tests/install/test_deps.sh - make deps (tests/deps.sh), issue 2: it asks
# dpkg only and never calls apt when nothing is missing; not root with
# something missing, it prints the exact apt-get line and fails. dpkg-query
# and apt-get are shims on PATH here: the test installs nothing and never
# touches the system's package state.
. "$(dirname "$0")/../lib.sh"
mktmp
chmod 755 "$T"
mkdir -p "$T/bin"
# dpkg-query: every package installed but those named in $T/missing
cat >"$T/bin/dpkg-query" <<EOF
#!/bin/sh
for p; do :; done
if grep -qx "\$p" "$T/missing" 2>/dev/null; then
	echo "dpkg-query: no packages found matching \$p" >&2
	exit 1
fi
printf 'ii '
EOF
cat >"$T/bin/apt-get" <<EOF
#!/bin/sh
echo "apt-get \$*" >>"$T/apt.log"
exit 0
EOF
chmod 755 "$T/bin/dpkg-query" "$T/bin/apt-get"
DEPS=$TOP/tests/deps.sh

: >"$T/missing"
env PATH="$T/bin:$PATH" sh "$DEPS" >"$T/out" 2>&1
rc=$?
check "nothing missing: exit 0" test $rc = 0
check "nothing missing: apt-get never called" test ! -e "$T/apt.log"
check "nothing missing: silent" test ! -s "$T/out"

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	echo haproxy >"$T/missing"
	echo bird2 >>"$T/missing"
	chmod 644 "$T/missing"
	su -s /bin/sh nobody -c "PATH='$T/bin:$PATH' sh '$DEPS'" \
	    >"$T/out" 2>&1
	rc=$?
	check "not root, something missing: fails" test $rc != 0
	check "not root: the exact apt-get line" grep -qx \
	    "make deps: run as root: apt-get update && apt-get install -y --no-install-recommends haproxy bird2" \
	    "$T/out"
	check "not root: apt-get never called" test ! -e "$T/apt.log"
else
	skip "not root, something missing" "needs root to become nobody"
fi
