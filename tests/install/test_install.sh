#!/bin/bash
# make install honours PREFIX and DESTDIR; make uninstall removes it again.
. "$(dirname "$0")/../lib.sh"
mktmp
cd "$TOP" || exit 1
if make -s install BUILD="$BUILD" PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$T/root" >"$T/log" 2>&1; then
	ok "make install PREFIX=/usr DESTDIR=..."
else
	not_ok "make install PREFIX=/usr DESTDIR=..."; diag "$(tail -n 5 "$T/log")"
fi
for f in usr/sbin/bgpsd-announce usr/sbin/bgpsd-listen \
    usr/share/man/man5/bgpsd.conf.5 usr/share/man/man7/bgpsd.7 \
    usr/share/man/man8/bgpsd-announce.8 \
    usr/share/man/man8/bgpsd-listen.8 etc/bgpsd/bgpsd.conf.example \
    etc/bgpsd/templates/haproxy.cfg.mustache \
    usr/libexec/bgpsd/checks/check_pidfile usr/libexec/bgpsd/checks/check_redis \
    etc/bgpsd/templates/nginx-upstream.conf.mustache \
    etc/bgpsd/examples/exabgp-announce.conf etc/bgpsd/examples/exabgp-listen.conf \
    etc/bgpsd/examples/exabgp-listen-rr.conf etc/bgpsd/examples/bird-rr.conf; do
	check "installed $f" test -e "$T/root/$f"
done
check "checks are executable" test -x "$T/root/usr/libexec/bgpsd/checks/check_maintenance"
check "binaries are executable" test -x "$T/root/usr/sbin/bgpsd-announce"
# the compiled-in default config path follows SYSCONFDIR of the build, the
# installed example config still validates
check "installed example config validates" \
    "$T/root/usr/sbin/bgpsd-announce" -n -c "$T/root/etc/bgpsd/bgpsd.conf.example"
# its relative template sources are the installed templates beside it
check "installed example config validates with its templates (bgpsd-listen -n)" \
    "$T/root/usr/sbin/bgpsd-listen" -n -c "$T/root/etc/bgpsd/bgpsd.conf.example"
ww=$(find "$T/root" -perm -o+w ! -type l | head -n 3)
check "nothing installed world-writable" test -z "$ww"
make -s uninstall PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$T/root" >"$T/log" 2>&1
left=$(find "$T/root" -type f | head -n 3)
check "make uninstall removes every file" test -z "$left"
[ -n "$left" ] && diag "$left"
exit 0
