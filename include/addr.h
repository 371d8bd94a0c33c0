/*
 * addr.h - IPv4/IPv6 addresses and prefixes: parse, format (inet_ntop
 * canonical text), compare, host-route test. Rejects anything malformed.
 */
#ifndef BGPSD_ADDR_H
#define BGPSD_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN	50	/* address + "/128" + NUL */

struct addr {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		uint8_t		bytes[16];
	} u;
};

struct prefix {
	struct addr	addr;
	uint8_t		len;		/* 0..32 or 0..128 */
};

/* 0 on success, -1 on anything malformed (no scope ids, no spaces) */
int	addr_parse(const char *, struct addr *);
/*
 * "A/LEN"; without "/LEN" only when allow_bare != 0 (then a host
 * route). Host bits set beyond LEN are an error.
 */
int	prefix_parse(const char *, struct prefix *, int allow_bare);

/* canonical text; buf must hold ADDR_STRLEN / PREFIX_STRLEN bytes */
const char	*addr_fmt(const struct addr *, char *, size_t);
const char	*prefix_fmt(const struct prefix *, char *, size_t);

/* order: IPv4 before IPv6, then numeric address (then length) */
int	addr_cmp(const struct addr *, const struct addr *);
int	prefix_cmp(const struct prefix *, const struct prefix *);
int	prefix_is_host(const struct prefix *);	/* /32 or /128 */
int	addr_maxlen(const struct addr *);	/* 32 or 128 */
const char	*addr_family_name(const struct addr *);	/* "ipv4"/"ipv6" */
uint32_t	prefix_hash(const struct prefix *);
uint32_t	hash_mix32(uint32_t);	/* for hash tables: mixes all bits */

/*
 * Containment: 1 if p (or a) lies inside net: same family, p at least as
 * long as net, and the first net->len bits equal. A network contains
 * itself; 0.0.0.0/0 contains every IPv4 prefix and no IPv6 one.
 */
int	prefix_contains(const struct prefix *net, const struct prefix *p);
int	prefix_contains_addr(const struct prefix *net, const struct addr *a);

/*
 * A set of networks that answers "does any of them contain P?" in
 * O(L log n): one binary search per distinct length L present in the
 * set and not longer than P (a handful in practice, at most 33 + 129).
 */
struct prefix_set {
	struct prefix	*v;		/* sorted (prefix_cmp), unique */
	size_t		 n;
	uint8_t		 lens[2][129];	/* [0] IPv4, [1] IPv6: distinct */
	size_t		 nlens[2];	/* lengths present, ascending */
};

/* copy n networks (any order, duplicates fine); n 0 = matches nothing */
void	prefix_set_init(struct prefix_set *, const struct prefix *, size_t n);
void	prefix_set_free(struct prefix_set *);
int	prefix_set_match(const struct prefix_set *, const struct prefix *);
int	prefix_set_match_addr(const struct prefix_set *, const struct addr *);
/* 1 if both hold the same networks */
int	prefix_set_equal(const struct prefix_set *, const struct prefix_set *);

#endif
