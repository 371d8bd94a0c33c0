#!/usr/bin/env python3
# tests/data/bad/make.py - writes the malformed inputs of the bad-input
# suite (tests/hardening/test_bad_input.sh). The files are committed; run
# this again only to change them. Bytes that text editors mangle (NUL,
# invalid UTF-8, CR) are why they are generated.
#
# json/NAME.jsonl   one line from "ExaBGP" (peer 169.254.179.1, which is up
#                   and already announces 192.0.2.10/32 with 443 and 8080
#                   when the line arrives). Each is either refused whole
#                   (log "stdin line N skipped") or, for ign-*, valid JSON
#                   that names no port (nothing to log); either way the
#                   dump must not change.
# conf/NAME.conf    first line "# expect: LINE" (the file:line the error
#                   must name; 0 = "file:" without a line); both programs'
#                   -n must refuse it.
# templates/NAME.mustache  first line "{{! expect: TEXT }}": compile errors
#                   of bgpsd-listen -n / --render (rec-* render errors).
# ack/NAME.txt      what a broken ExaBGP could write to bgpsd-announce.
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = ('"neighbor": { "address": { "local": "169.254.179.2", "peer": '
        '"169.254.179.1" }, "asn": { "local": 65000, "peer": 65001 }, '
        '"direction": "receive"')
HEAD = '{ "exabgp": "4.0.1", "time": 1795644152.1, "host": "vm", ' \
       '"pid": 11269, "ppid": 1, "counter": 9, '


def upd(attr='"community": [ [ 12345, 80 ] ]', ann=None, wd=None,
        peer=PEER):
    parts = ['"attribute": { "origin": "igp", %s }' % attr]
    if ann is not None:
        parts.append('"announce": { %s }' % ann)
    if wd is not None:
        parts.append('"withdraw": { %s }' % wd)
    return (HEAD + '"type": "update", ' + peer + ', "message": { '
            '"update": { ' + ', '.join(parts) + ' } } } }')


def v4(*nlri, nh='169.254.179.1'):
    return '"ipv4 unicast": { "%s": [ %s ] }' % (
        nh, ', '.join('{ "nlri": "%s" }' % n for n in nlri))


def ann20(attr):
    """192.0.2.20/32 announced with the attributes attr"""
    return upd(attr=attr, ann=v4('192.0.2.20/32'))


GOOD = upd(ann=v4('192.0.2.20/32'))

json = {
    # structure
    'truncated': GOOD[:120],
    'truncated-end': GOOD[:-3],
    'not-json': 'hello world, this is not json',
    'empty-object': '{}',
    'array': '[ 1, 2, 3 ]',
    'bare-string': '"update"',
    'type-number': GOOD.replace('"type": "update"', '"type": 5'),
    'type-missing': GOOD.replace('"type": "update", ', ''),
    'neighbor-string': HEAD + '"type": "update", "neighbor": "x", '
    '"message": { "update": { "announce": { %s } } } }' % v4('192.0.2.20/32'),
    'message-missing': HEAD + '"type": "update", ' + PEER + ' } }',
    'peer-bad-addr': GOOD.replace('"peer": "169.254.179.1"',
                                  '"peer": "169.254.179.999"'),
    'peer-number': GOOD.replace('"peer": "169.254.179.1"', '"peer": 12'),
    'announce-string': upd(ann='"ipv4 unicast": "192.0.2.20/32"'),
    'nexthop-object': upd(ann='"ipv4 unicast": { "169.254.179.1": '
                          '{ "nlri": "192.0.2.20/32" } }'),
    'nlri-number': upd(ann='"ipv4 unicast": { "169.254.179.1": '
                       '[ { "nlri": 3221225492 } ] }'),
    'nlri-null': upd(ann='"ipv4 unicast": { "169.254.179.1": '
                     '[ { "nlri": null } ] }'),
    'deep-nesting': '[' * 100000,
    # addresses and prefixes: a bad one anywhere refuses the whole line
    'v4-octet-300': upd(ann=v4('192.0.2.20/32', '300.1.1.1/32')),
    'v4-octet-256': upd(ann=v4('192.0.2.256/32')),
    'v4-leading-zero': upd(ann=v4('192.0.2.020/32')),
    'v4-len-33': upd(ann=v4('192.0.2.20/33')),
    'v4-len-negative': upd(ann=v4('192.0.2.20/-1')),
    'v4-len-junk': upd(ann=v4('192.0.2.20/32abc')),
    'v4-space': upd(ann=v4('192.0.2.20 /32')),
    'v4-host-bits': upd(ann=v4('192.0.2.20/24')),
    'v6-len-129': upd(ann='"ipv6 unicast": { "fd00:179::1": '
                      '[ { "nlri": "2001:db8::1/129" } ] }'),
    'v6-scope': upd(ann='"ipv6 unicast": { "fd00:179::1": '
                    '[ { "nlri": "fe80::1%eth0/128" } ] }'),
    'v6-in-v4-family': upd(ann=v4('2001:db8::1/128')),
    'withdraw-half-bad': upd(attr='"community": []',
                             wd=v4('192.0.2.10/32', '192.0.2.256/32')
                             .replace('{ "169.254.179.1": [', '[')
                             .replace('] }', ']')),
    # communities
    'community-70000': ann20('"community": [ [ 12345, 70000 ] ]'),
    'community-negative': ann20('"community": [ [ 12345, -1 ] ]'),
    'community-string': ann20('"community": [ "12345:443" ]'),
    'community-flat': ann20('"community": "12345:443"'),
    'community-three': ann20('"community": [ [ 12345, 443, 1 ] ]'),
    'community-float': ann20('"community": [ [ 12345, 443.5 ] ]'),
    'community-huge-real': ann20('"community": [ [ 12345, 1e400 ] ]'),
    'community-huge-int': ann20(
        '"community": [ [ 12345, 123456789012345678901234567890 ] ]'),
    'large-out-of-range': ann20(
        '"large-community": [ [ 12345, 0, 4294967296 ] ]'),
    'large-two': ann20('"large-community": [ [ 12345, 443 ] ]'),
    # bytes
    'nul-byte': GOOD[:200] + '\0' + GOOD[200:],
    'nul-in-nlri': upd(ann=v4('192.0.2.20/32\\u0000')),
    'utf8-invalid': GOOD.replace('"host": "vm"', '"host": "v\xffm"'),
    'utf8-overlong': GOOD.replace('"host": "vm"', '"host": "\xc0\xafvm"'),
    'utf8-in-nlri': upd(ann=v4('192.0.2.2\xff/32')),
    'binary': ''.join(chr(c) for c in range(1, 256) if c != 10),
    # state
    'state-unknown': HEAD + '"type": "state", ' +
    PEER.replace(', "direction": "receive"', '') +
    ', "state": "sideways" } }',
    'eor-afi-number': HEAD + '"type": "update", ' + PEER +
    ', "message": { "eor": { "afi": 4, "safi": "unicast" } } } }',
    # valid JSON that names no port: accepted, changes nothing
    'ign-non-host': upd(attr='"community": [ [ 12345, 80 ] ]',
                        ann=v4('192.0.2.0/24')),
    'ign-other-asn': ann20('"community": [ [ 64512, 80 ] ]'),
    'ign-port-0': ann20('"community": [ [ 12345, 0 ] ]'),
    'ign-unknown-type': HEAD + '"type": "weather", "forecast": "rain" }',
    'ign-refresh-4.2.21': HEAD + '"type": "refresh", ' + PEER +
    ', "message": { "refresh": { "afi": ""ipv4"" } } } }',
}
# the refresh line of ExaBGP 4.2.21 is invalid JSON: refused, not ignored
json['refresh-4.2.21'] = json.pop('ign-refresh-4.2.21')


def write(folder, name, data):
    """tests/data/bad/FOLDER/NAME, these bytes"""
    with open(os.path.join(HERE, folder, name), 'wb') as f:
        f.write(data)


def write_expected(folder, ext, head, table):
    """each NAME: (EXPECT, TEXT) of table as FOLDER/NAME.EXT: head % EXPECT,
    then TEXT"""
    for name, (expect, text) in table.items():
        write(folder, name + ext,
              (head % expect).encode() + text.encode('latin-1'))


for name, text in json.items():
    write('json', name + '.jsonl', text.encode('latin-1') + b'\n')

# ---- configs: both programs, -n ----
BASE = '''asn = 12345;
services = ( { name = "http"; port = 80; checks = ( { type = "tcp"; } ); } );
'''
conf = {
    'nul-byte': ('0', 'asn = 12345;\0\n'),
    'utf8-invalid-name': ('3', 'asn = 12345;\nservices = ( { name = "h\xfft"; port = 80; } );\n'),
    'unterminated-string': ('4', 'asn = 12345;\nservices = ( { name = "http; port = 80; } );\n'),
    'deep-groups': ('2', 'x = ' + '{ y = ' * 300 + '1;' + ' };' * 300 + '\n'),
    'long-line': ('3', 'asn = 12345;\nservices = ( { name = "' + 'a' * 300000 + '"; port = 80; } );\n'),
    'huge-port': ('4', 'asn = 12345;\nservices = ( { name = "http";\nport = 99999999999999999999; } );\n'),
    'port-hex-huge': ('4', 'asn = 12345;\nservices = ( { name = "http";\nport = 0x10050; } );\n'),
    'include-self': ('3', 'asn = 12345;\n@include "include-self.conf"\n'),
    'include-missing': ('3', 'asn = 12345;\n@include "/nonexistent/bgpsd.conf"\n'),
    'binary-garbage': ('2', ''.join(chr(c) for c in range(128, 256))),
    'name-newline': ('3', 'asn = 12345;\nservices = ( { name = "a\\nb"; port = 80; } );\n'),
    'next-hop-injection': ('5', BASE + 'announce = { prefixes = [ "192.0.2.10/32" ];\n next_hop_ipv4 = "self community [1:1]"; };\n'),
    'prefix-v4-300': ('5', BASE + 'announce = {\n prefixes = [ "300.1.1.1/32" ]; };\n'),
    'prefix-v6-129': ('5', BASE + 'announce = {\n prefixes = [ "2001:db8::1/129" ]; };\n'),
    'max-routes-negative': ('3', 'asn = 12345;\nlisten = { max_routes = -5; };\n'),
    'wait-max-inf': ('3', 'asn = 12345;\nlisten = { wait_max = 1e400; };\n'),
    'user-unknown': ('3', 'asn = 12345;\nuser = "no-such-user-bgpsd";\n'),
    'destination-newline': ('3', 'asn = 12345;\nlisten = { templates = ( { source = "/etc/passwd"; destination = "/tmp/x\\n"; } ); };\n'),
}
write_expected('conf', '.conf', '# expect: %s\n', conf)

# ---- templates ----
tmpl = {
    'unclosed-section': ('unclosed section', '{{#services}}\n{{name}}\n'),
    'unclosed-inverted': ('unclosed section', '{{^services}}none\n'),
    'mismatched-close': ('does not match', '{{#services}}{{#backends}}\n{{/services}}{{/backends}}\n'),
    'close-without-open': ('without open', '{{name}}\n{{/services}}\n'),
    'unclosed-tag': ('unclosed tag', '{{#services}}{{name\n'),
    'bad-delimiters': ('delimiter', '{{=<%=}}\n'),
    'empty-name': ('empty', '{{}}\n'),
    'partial-dotdot': ('partial', '{{> ../etc/passwd}}\n'),
    'lambda-inheritance': ('not supported', '{{<parent}}{{/parent}}\n'),
    'nul-in-tag': ('bad name', '{{na\0me}}\n'),
    'utf8-invalid-tag': ('does not match', '{{#serv\xffices}}x{{/services}}\n'),
    # recursion through partials: compiles, refused when rendering
    'rec-a': ('nested deeper', '{{#services}}{{> rec-b}}{{/services}}\n'),
}
write_expected('templates', '.mustache', '{{! expect: %s }}', tmpl)
# rec-a -> rec-b -> rec-a ... with a context that never runs out
write('templates', 'rec-b.mustache',
      b'{{! expect: nested deeper }}[{{#services}}{{> rec-a}}{{/services}}]')

ack = {
    'nul-bytes': b'done\0\nerror\0junk\n\0\0\0\n',
    'utf8-invalid': b'\xff\xfe\xfd\ndon\xe9\n',
    'long-line': b'n' * 20000 + b'\ndone\n',
    'crlf-mix': b'done\r\r\nneighbor\r\n\r\n',
    'unknown-words': b'announce route 192.0.2.10/32 next-hop self\nDONE\n done\nerror!\n',
    'many-dones': b'done\n' * 5000,
}
for name, data in ack.items():
    write('ack', name + '.txt', data)
