/*
 * community.h - what bgpsd puts in BGP communities, both ways: the port
 * of every healthy service, and per port its weight and whether it is
 * draining (bgpsd.conf(5), COMMUNITIES).
 *
 *   ASN:port            standard community: the port is up (16-bit ASN)
 *   ASN:0:port          large community: the same (32-bit ASN, or
 *                       large_communities = true)
 *   ASN:1:P*10000+W     large: port P has weight W (0..9999), sent only
 *                       when W is not COMMUNITY_WEIGHT_DEFAULT
 *   ASN:2:P*10000       large: port P is draining: up, but it should get
 *                       no new connections
 *
 * A consumer that knows only ASN:port (or ASN:0:port) still sees the port
 * up; one that knows the rest reads weight and drain from the other
 * kinds. Kinds above 2 (and values that do not decode) are left alone:
 * they are the room for later additions, and appear nowhere.
 */
#ifndef BGPSD_COMMUNITY_H
#define BGPSD_COMMUNITY_H

#include <stddef.h>
#include <stdint.h>

#define COMMUNITY_WEIGHT_DEFAULT	100
#define COMMUNITY_WEIGHT_MAX		9999

enum community_kind {
	COMMUNITY_PORT = 0,
	COMMUNITY_WEIGHT = 1,
	COMMUNITY_DRAIN = 2,
	COMMUNITY_KIND_MAX
};

struct large_community {
	uint32_t	global, local1, local2;
};

/* one port of a route and what travels with it */
struct port_meta {
	uint16_t	port;
	uint16_t	weight;		/* 0..COMMUNITY_WEIGHT_MAX */
	uint8_t		draining;
};

/*
 * The large communities that carry the metadata of ports (weight when not
 * the default, drain), in port order, into out (room for 2 * n). The port
 * communities themselves are not included. Returns how many.
 */
size_t		community_meta_encode(uint32_t asn, const struct port_meta *,
		    size_t n, struct large_community *out);

/*
 * One large community: 1 if it is bgpsd metadata of asn (kind WEIGHT or
 * DRAIN, a port 1..65535, a value in range), with kind, port and value
 * set; 0 for anything else (the port kind included).
 */
int		community_meta_decode(uint32_t asn,
		    const struct large_community *, enum community_kind *,
		    uint16_t *port, uint16_t *value);

#endif
