#!/bin/bash
# tests/hardening/test_injection.sh - nothing learned from BGP reaches a
# rendered file except inet_ntop text and integers; nothing from the
# config reaches ExaBGP's stdin except validated tokens.
#
# 1. bgpsd-listen --once renders a template that prints every field of the
#    context, from a real capture plus hostile lines (prefixes holding
#    quotes, newlines, Mustache tags; communities as strings; junk next-hop
#    keys and peers; addresses in non-canonical spellings). Every line of
#    the file must match a strict pattern, every address must be exactly
#    what inet_ntop(inet_pton(x)) gives, no byte of the hostile text may
#    appear.
# 2. hostile strings in next_hop, communities, as_path and prefixes are
#    refused by -n with file:line; a config using every attribute gives
#    bgpsd-announce --once lines that all match a strict pattern.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
mktmp

if ! command -v python3 >/dev/null 2>&1; then
	skip "injection" "python3 missing"
	exit 0
fi
STREAM=$FIXTURES/basic-v4-v6.jsonl

# ---- 1. BGP -> rendered file --------------------------------------------
cat >"$T/all.mustache" <<'EOF2'
{{#services}}
svc {{name}} {{port}} {{count}}
{{#backends}}
be {{ip}} {{prefix}} {{family}} {{host}} {{index}} {{first}} {{last}} {{ipv4}} {{ipv6}}
{{/backends}}
{{/services}}
{{#by_port.443}}p443 {{count}}{{/by_port.443}}
EOF2
listen_conf -s "https:443 web:80" -m 0.0 "$T/all.mustache" "$T/out.cfg" \
    >"$T/listen.conf"

python3 - "$T/hostile.jsonl" <<'PY'
import json, sys
PEER = {"address": {"local": "169.254.179.2", "peer": "169.254.179.1"},
        "asn": {"local": 65000, "peer": 65001}, "direction": "receive"}
def upd(nlris, comm=[[12345, 443], [12345, 80]], nh="169.254.179.1",
        fam="ipv4 unicast", peer=None, key="community"):
    n = dict(PEER)
    if peer is not None:
        n = dict(n, address={"local": "169.254.179.2", "peer": peer})
    return {"exabgp": "4.0.1", "type": "update", "neighbor": dict(n,
            message={"update": {"attribute": {key: comm},
            "announce": {fam: {nh: [{"nlri": p} for p in nlris]}}}})}
EVIL = ['"', '\n', '{{', '}}', '{{#services}}', '{{> x}}', '<', '&',
        '\\', ';', ']', '$(', '`']
lines = []
for e in EVIL:
    lines.append(upd(["192.0.2.30/32" + e]))
    lines.append(upd([e + "192.0.2.30/32"]))
    lines.append(upd(["192.0.2.31/32"], nh="169.254.179.1" + e))
    lines.append(upd(["192.0.2.32/32"], peer="169.254.179.1" + e))
    lines.append(upd(["192.0.2.33/32"], comm=[["12345" + e, "443"]]))
lines.append(upd(["192.0.2.34/32"], comm=["12345:443"]))
lines.append(upd(["192.0.2.35/32"], comm=[[12345, "443"]]))
lines.append(upd(["192.0.2.36/32"], comm=[[12345, 443.0]]))
lines.append(upd(["192.0.2.37/32"], comm=[[12345, True]]))
lines.append(upd(["192.0.2.38/32"], comm=[[12345, 0, "443"]],
                 key="large-community"))
# accepted, but only in canonical text: next-hop key junk is not data
lines.append(upd(["192.0.2.40/32"], nh="no-nexthop"))
lines.append(upd(["192.0.2.41/32"], nh="junk {{x}} \" \n"))
# non-canonical spellings of good addresses: must come out canonical
lines.append(upd(["2001:DB8:0:0:0:0:0:A1/128"], fam="ipv6 unicast",
                 nh="fd00:179::1"))
lines.append(upd(["2001:0db8:0000::00a2/128"], fam="ipv6 unicast",
                 nh="fd00:179::1"))
lines.append(upd(["::ffff:192.0.2.50/128"], fam="ipv6 unicast",
                 nh="fd00:179::1"))
lines.append(upd(["::FFFF:c000:233/128"], fam="ipv6 unicast",
                 nh="fd00:179::1"))
with open(sys.argv[1], "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
PY
{ cat "$STREAM"; cat "$T/hostile.jsonl"; } >"$T/in.jsonl"
$LISTEN --once -c "$T/listen.conf" <"$T/in.jsonl" >"$T/stdout" 2>"$T/err.log"
rc=$?
if ! sane "listen --once" $rc "$T/err.log" || [ $rc != 0 ] ||
    [ ! -f "$T/out.cfg" ]; then
	not_ok "injection: bgpsd-listen --once rendered the hostile stream"
	diag "rc $rc" "$(head -c 800 "$T/err.log")"
else
	ok "injection: bgpsd-listen --once rendered the hostile stream"
fi
if [ -s "$T/stdout" ]; then
	not_ok "injection: nothing on bgpsd-listen's stdout"
else
	ok "injection: nothing on bgpsd-listen's stdout"
fi

out=$(python3 - "$T/out.cfg" <<'PY'
import re, socket, sys
data = open(sys.argv[1], 'rb').read()
bad = []
try:
    text = data.decode('ascii')
except UnicodeDecodeError:
    print("not ASCII"); sys.exit(1)
def canon(ip):
    fam = socket.AF_INET6 if ':' in ip else socket.AF_INET
    try:
        return socket.inet_ntop(fam, socket.inet_pton(fam, ip)) == ip
    except OSError:
        return False
ips = []
for n, line in enumerate(text.split('\n'), 1):
    if line == '':
        continue
    m = re.fullmatch(r'svc [A-Za-z0-9_.-]+ [0-9]+ [0-9]+', line) or \
        re.fullmatch(r'p443 [0-9]+', line)
    if m:
        continue
    m = re.fullmatch(r'be ([0-9a-f.:]+) ([0-9a-f.:]+)/(32|128) (ipv4|ipv6) '
                     r'(\[?[0-9a-f.:]+\]?) [0-9]+ (true|false) (true|false) '
                     r'(true|false) (true|false)', line)
    if not m:
        bad.append("%d: %r" % (n, line)); continue
    ip, pip, plen, fam, host = m.group(1, 2, 3, 4, 5)
    if not canon(ip) or ip != pip:
        bad.append("%d: not canonical: %r" % (n, line))
    if (fam == 'ipv4') != (plen == '32') or (fam == 'ipv4') == (':' in ip):
        bad.append("%d: family: %r" % (n, line))
    if host not in (ip, '[%s]' % ip):
        bad.append("%d: host: %r" % (n, line))
    ips.append(ip)
for b in bad:
    print(b)
print("IPS " + " ".join(sorted(set(ips))))
sys.exit(1 if bad else 0)
PY
)
if [ $? = 0 ]; then
	ok "injection: every rendered line is canonical text and integers"
else
	not_ok "injection: every rendered line is canonical text and integers"
	diag "$out"
fi
ips=$(echo "$out" | sed -n 's/^IPS //p')
diag "addresses rendered: $ips"
# the good and the non-canonical spellings made it, rewritten
for want in 192.0.2.10 2001:db8::10 192.0.2.40 2001:db8::a1 2001:db8::a2 \
    ::ffff:192.0.2.50 ::ffff:192.0.2.51; do
	case " $ips " in
	*" $want "*) ok "injection: $want rendered in canonical form" ;;
	*) not_ok "injection: $want rendered in canonical form" ;;
	esac
done
# whatever the junk next-hop key means, its bytes never show
if LC_ALL=C grep -qE '"|\{|\}|<|&|;|\$|`|junk|\\' "$T/out.cfg"; then
	not_ok "injection: no byte of the hostile strings in the file"
	diag "$(grep -nE '"|\{|\}|<|&|;|\$|`|junk|\\' "$T/out.cfg" | head -n 5)"
else
	ok "injection: no byte of the hostile strings in the file"
fi
# every refused line was logged, as printable ASCII
nrefused=$(grep -c 'skipped' "$T/err.log")
# 13 strings x 4 kinds refused (the next-hop key is not data: accepted)
# plus 5 communities of the wrong type
if [ "$nrefused" = 57 ] && ascii_only "$T/err.log"; then
	ok "injection: $nrefused hostile lines refused and logged as ASCII"
else
	not_ok "injection: hostile lines refused and logged as ASCII ($nrefused)"
fi

# the context printed by --dump holds the same canonical text only
$LISTEN --once --dump -c "$T/listen.conf" <"$T/in.jsonl" >"$T/dump.json" \
    2>/dev/null
if python3 - "$T/dump.json" <<'PY'
import json, socket, sys
d = json.load(open(sys.argv[1]))
def canon(ip):
    fam = socket.AF_INET6 if ':' in ip else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, ip)) == ip
for s in d["services"]:
    assert isinstance(s["port"], int) and isinstance(s["count"], int)
    for b in s["backends"]:
        assert canon(b["ip"]), b
        assert b["prefix"] in (b["ip"] + "/32", b["ip"] + "/128"), b
        assert b["family"] in ("ipv4", "ipv6"), b
PY
then
	ok "injection: --dump context holds canonical addresses and integers"
else
	not_ok "injection: --dump context holds canonical addresses and integers"
fi

# ---- 2. config -> ExaBGP's stdin ----------------------------------------------
# hostile: each value would end a list or start a second command
n=0
hostile() {
	local key=$1 value=$2 where=${3:-announce}
	n=$((n + 1))
	local f=$T/hostile-$n.conf
	{
		echo 'asn = 12345;'
		echo 'services = ( { name = "web"; port = 80;'
		echo '	checks = ( { type = "exec"; command = [ "true" ]; } ); } );'
		echo 'announce = {'
		if [ "$where" = prefix ]; then
			echo '	prefixes = ( {'
			echo '		prefix = "192.0.2.10/32";'
			printf '\t\t%s = %s;\n' "$key" "$value"
			echo '	} );'
		else
			echo '	prefixes = ( "192.0.2.10/32" );'
			printf '\t%s = %s;\n' "$key" "$value"
		fi
		echo '};'
	} >"$f"
	local line
	line=$(grep -n "^[[:space:]]*$key = " "$f" | head -n 1 | cut -d: -f1)
	${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" -n -c "$f" >"$T/out" 2>"$T/err.log"
	rc=$?
	refused "config injection $n ($key = $value) -n" $rc "$f:$line: " &&
	    ok "config injection $n ($key = $value): refused at line $line"
}
for nh in '"self\nannounce route 198.51.100.1/32 next-hop self"' \
    '"self community [1:1]"' '"192.0.2.1]"' '"192.0.2.1;"' \
    '"self\rwithdraw route 192.0.2.10/32"' '"self "' '""' '"2001:db8::1"'; do
	hostile next_hop_ipv4 "$nh"
done
hostile next_hop_ipv6 '"self\nannounce route 198.51.100.1/32"'
hostile next_hop_ipv6 '"192.0.2.1"'
for c in '"65000:1]"' '"65000:1 65000:2"' '"65000:1;"' \
    '"65000:1\nwithdraw route 192.0.2.10/32"' '"65000:70000"' \
    '"65000:1:2"' '" 65000:1"' '"65000:1,65000:2"' '"0x1:2"'; do
	hostile static_communities "[ $c ]"
done
for c in '"1:2:3]"' '"1:2:3 4:5:6"' '"1:2:3\n"' '"1:2"' '"1:2:4294967296"'; do
	hostile static_large_communities "[ $c ]"
done
for a in '[ "65001" ]' '[ 65001, -1 ]' '[ 4294967296 ]' '"65001 65002"'; do
	hostile as_path "$a"
done
hostile med '"100\nannounce route 198.51.100.1/32"'
hostile med '-1'
hostile local_preference '4294967296'
hostile next_hop '"self\nannounce route 198.51.100.1/32 next-hop self"' prefix
hostile next_hop '"self ]"' prefix
hostile static_communities '[ "1:2 ] med 5" ]' prefix
for p in '"192.0.2.10/32\nannounce route 198.51.100.1/32"' \
    '"192.0.2.10/32]"' '"192.0.2.10/32;"' '" 192.0.2.10/32"' \
    '"192.0.2.10/32 next-hop 192.0.2.1"' '"192.0.2.0/24"' \
    '"192.0.2.10/32/32"'; do
	n=$((n + 1))
	f=$T/hostile-$n.conf
	printf 'asn = 12345;\nannounce = {\n\tprefixes = ( %s );\n};\n' "$p" >"$f"
	${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" -n -c "$f" >/dev/null 2>"$T/err.log"
	rc=$?
	if sane "prefix $p" $rc "$T/err.log" && [ $rc != 0 ] &&
	    grep -qF "$f:3: " "$T/err.log"; then
		ok "config injection $n (prefix $p): refused at line 3"
	else
		not_ok "config injection $n (prefix $p): refused at line 3"
		diag "$(cat "$T/err.log")"
	fi
done

# every attribute in use: each --once line must match the strict grammar
cat >"$T/attrs.conf" <<'EOF2'
asn = 12345;
services = (
	{ name = "web"; port = 80;
	  checks = ( { type = "exec"; command = [ "true" ]; } ); },
	{ name = "tls"; port = 443;
	  checks = ( { type = "exec"; command = [ "true" ]; } ); },
	{ name = "down"; port = 8080;
	  checks = ( { type = "exec"; command = [ "false" ]; } ); },
	{ name = "v6only"; port = 53; prefixes = [ "2001:db8::11/128" ];
	  checks = ( { type = "exec"; command = [ "false" ]; } ); }
);
announce = {
	prefixes = (
		"192.0.2.10/32",
		{ prefix = "192.0.2.11/32"; next_hop = "192.0.2.1"; med = 5;
		  local_preference = 200; as_path = [ 65001, 4200000000 ];
		  static_communities = [ "65000:1", "65535:65535" ];
		  static_large_communities = [ "4200000000:1:2" ]; },
		{ prefix = "2001:db8::10/128"; next_hop = "2001:db8::1"; }
	);
	med = 100;
	static_communities = [ "65000:7" ];
};
EOF2
${BGPSD_WRAP:-} "$BUILD/bgpsd-announce" --once -c "$T/attrs.conf" >"$T/once.out" \
    2>"$T/err.log"
rc=$?
if ! sane "announce --once" $rc "$T/err.log" || [ $rc != 1 ]; then
	not_ok "announce --once with every attribute (exit 1: a service down)"
	diag "rc $rc" "$(head -c 600 "$T/err.log")"
else
	ok "announce --once with every attribute (exit 1: a service down)"
fi
diag "$(cat "$T/once.out")"
if python3 - "$T/once.out" <<'PY'
import re, socket, sys
def addr(s):
    fam = socket.AF_INET6 if ':' in s else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, s)) == s
A = r'[0-9a-f.:]+'
C = r'[0-9]{1,5}:[0-9]{1,5}'
L = r'[0-9]{1,10}:[0-9]{1,10}:[0-9]{1,10}'
ANN = re.compile(
    r'announce route (?P<p>' + A + r')/(?P<l>32|128)'
    r' next-hop (?P<nh>self|' + A + r')'
    r'( local-preference [0-9]{1,10})?( med [0-9]{1,10})?'
    r'( as-path \[[0-9]{1,10}( [0-9]{1,10})*\])?'
    r'( community \[' + C + r'( ' + C + r')*\])?'
    r'( large-community \[' + L + r'( ' + L + r')*\])?')
WD = re.compile(r'withdraw route (?P<p>' + A + r')/(?P<l>32|128)'
                r'( next-hop (?P<nh>self|' + A + r'))?')
data = open(sys.argv[1], 'rb').read()
assert data.endswith(b'\n'), "last line unterminated"
lines = data.decode('ascii').split('\n')[:-1]
assert len(lines) == 4, lines
for line in lines:
    m = ANN.fullmatch(line) or WD.fullmatch(line)
    assert m, "no match: %r" % line
    assert addr(m.group('p')), line
    if m.group('nh') not in (None, 'self'):
        assert addr(m.group('nh')), line
    for c in re.findall(r'\b([0-9]+):([0-9]+)\b(?!:)', line):
        assert all(int(x) <= 65535 for x in c), line
PY
then
	ok "announce --once: every line matches the strict ExaBGP grammar"
else
	not_ok "announce --once: every line matches the strict ExaBGP grammar"
fi
