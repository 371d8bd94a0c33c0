# tests/hardening/listen-json.sh - ExaBGP 4.2 JSON lines for bgpsd-listen
# (sourced). Peer 169.254.179.1, local 169.254.179.2.
P4=169.254.179.1
L4=169.254.179.2
j_state() {
	printf '{ "exabgp": "4.0.1", "type": "state", "neighbor": { "address": { "local": "%s", "peer": "%s" }, "asn": { "local": 65000, "peer": 65001 }, "state": "%s" } }\n' \
	    "$L4" "$P4" "$1"
}
j_eor() {
	printf '{ "exabgp": "4.0.1", "type": "update", "neighbor": { "address": { "local": "%s", "peer": "%s" }, "asn": { "local": 65000, "peer": 65001 }, "direction": "receive", "message": { "eor": { "afi": "ipv4", "safi": "unicast" } } } }\n' \
	    "$L4" "$P4"
}
# j_ann PREFIX PORT...
j_ann() {
	local pfx=$1 c= p
	shift
	for p in "$@"; do c="$c${c:+, }[ 12345, $p ]"; done
	printf '{ "exabgp": "4.0.1", "type": "update", "neighbor": { "address": { "local": "%s", "peer": "%s" }, "asn": { "local": 65000, "peer": 65001 }, "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "community": [ %s ] }, "announce": { "ipv4 unicast": { "%s": [ { "nlri": "%s" } ] } } } } } }\n' \
	    "$L4" "$P4" "$c" "$P4" "$pfx"
}
# what a freshly started ExaBGP (no session up yet, acks on) answers to
# the table recovery bgpsd-listen asks for at start (recover.c)
j_fresh() {
	local h='Peer            AS        up/down state       |     #sent     #recvd'
	printf '%s\ndone\ndone\n%s\ndone\n' "$h" "$h"
}
j_start() { j_fresh; j_state connected; j_state up; j_eor; }
# what bgpsd-listen writes on its stdout, once, at start
j_request() {
	printf 'show neighbor summary\nshow adj-rib in extensive\nshow neighbor summary\n'
}
