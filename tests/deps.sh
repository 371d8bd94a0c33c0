#!/bin/sh
# tests/deps.sh - install what is missing from Debian's archive. A second run
# asks dpkg only (instant) and never calls apt. Not root and something
# missing: print the apt-get line and fail.
set -u
PKGS="gcc make pkg-config libcurl4-openssl-dev libconfig-dev libjansson-dev
libcmocka-dev exabgp haproxy bird2 iproute2 mandoc valgrind clang
libclang-rt-14-dev nginx-light python3 procps psmisc time openssl"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
	case $st in ii*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "make deps: missing packages:$missing" >&2
	echo "make deps: run as root: apt-get update && $line" >&2
	exit 1
fi
echo "make deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# no service may start from a package's postinst (nginx, haproxy, bird)
policy=/usr/sbin/policy-rc.d
created=0
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && created=1
fi
apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $missing >&2
rc=$?
[ $created = 1 ] && rm -f $policy
exit $rc
