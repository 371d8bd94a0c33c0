/*
 * test_route.c - the exact ExaBGP line for every change of a prefix's set
 * of ports: IPv4 and IPv6, without and with attributes, 2-byte and large
 * communities; wants compared as data (equal exactly when their lines
 * are), withdrawn, copied and outliving their config. Bad tokens are
 * refused at load by conf.c: test_conf and data/conf/bad.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"
#include "announce.h"
#include "conf.h"
#include "log.h"

static void
conf_prefix(struct prefix_conf *pc, const char *p, const char *nh)
{
	memset(pc, 0, sizeof(*pc));
	assert_int_equal(prefix_parse(p, &pc->prefix, 0), 0);
	pc->next_hop = (char *)nh;
	pc->attr.med = -1;
	pc->attr.local_pref = -1;
	pc->line = 1;
}

/* a config of AS asn alone, and its prefix p with next hop nh */
static void
conf_route(struct bgpsd_conf *c, struct prefix_conf *pc, uint32_t asn,
    const char *p, const char *nh)
{
	memset(c, 0, sizeof(*c));
	c->asn = asn;
	conf_prefix(pc, p, nh);
}

/* AS 12345, 192.0.2.10/32 next-hop self: the route most tests walk */
static void
conf_v4(struct bgpsd_conf *c, struct prefix_conf *pc)
{
	conf_route(c, pc, 12345, "192.0.2.10/32", "self");
}

/* the route of conf_v4, with the config it points into */
struct v4 {
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r;
};

/* a test run with a struct v4 made for it (v4_setup), freed after it */
#define V4_TEST(t) \
	cmocka_unit_test_setup_teardown(t, v4_setup, v4_teardown)

/* cmocka setup: a struct v4 in *state, its route fresh (no ports) */
static int
v4_setup(void **state)
{
	struct v4	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	conf_v4(&f->c, &f->pc);
	route_init(&f->r, &f->c, &f->pc);
	*state = f;
	return 0;
}

/* cmocka teardown: the route's ports freed (route_clear may run twice) */
static int
v4_teardown(void **state)
{
	struct v4	*f = *state;

	route_clear(&f->r);
	free(f);
	return 0;
}

/* "A:B" as conf.c keeps it (A << 16 | B) */
static uint32_t
comm_of(const char *s)
{
	uint32_t	 a, b;

	assert_int_equal(sscanf(s, "%" SCNu32 ":%" SCNu32, &a, &b), 2);
	return a << 16 | b;
}

/* "A:B:C" as conf.c keeps it */
static struct large_community
large_of(const char *s)
{
	struct large_community	 lc;

	assert_int_equal(sscanf(s, "%" SCNu32 ":%" SCNu32 ":%" SCNu32,
	    &lc.global, &lc.local1, &lc.local2), 3);
	return lc;
}

/* the static communities of pc, ncomm 2-byte and nlarge large ones */
static void
set_communities(struct prefix_conf *pc, const char *const *comm,
    size_t ncomm, const char *const *large, size_t nlarge)
{
	size_t	 i;

	for (i = 0; i < ncomm; i++)
		pc->attr.communities[i] = comm_of(comm[i]);
	pc->attr.ncommunities = ncomm;
	for (i = 0; i < nlarge; i++)
		pc->attr.large_communities[i] = large_of(large[i]);
	pc->attr.nlarge_communities = nlarge;
}

/* only printable ASCII: nothing that could end the line */
static int
line_clean(const char *l)
{
	for (; *l != '\0'; l++)
		if (*l < 0x20 || *l > 0x7e)
			return 0;
	return 1;
}

/* the line of route r as the exabgp layer would write it */
static char *
render(const struct route *r)
{
	struct route_want	 w;
	char			*l;

	memset(&w, 0, sizeof(w));
	route_want_of(&w, r);
	l = route_want_fmt(&w);
	route_want_free(&w);
	assert_non_null(l);
	assert_true(line_clean(l));
	return l;
}

/* route r, as it stands, renders exactly as want */
static void
expect_route(const struct route *r, const char *want)
{
	char	*l;

	l = render(r);
	assert_string_equal(l, want);
	free(l);
}

/* the line of route r holds both, part and other part */
static void
expect_parts(const struct route *r, const char *part, const char *other)
{
	char	*l;

	l = render(r);
	assert_non_null(strstr(l, part));
	assert_non_null(strstr(l, other));
	free(l);
}

/* the attributes of pc changed under r: take them again */
static void
reattr(struct route *r, const struct bgpsd_conf *c,
    const struct prefix_conf *pc)
{
	struct route	 t;

	route_init(&t, c, pc);
	r->attrs = t.attrs;
}

static void
expect_line(const struct bgpsd_conf *c, const struct prefix_conf *pc,
    const uint16_t *ports, size_t n, const char *want)
{
	struct route	 r;
	size_t		 i;

	route_init(&r, c, pc);
	for (i = 0; i < n; i++)
		assert_int_equal(route_port_add(&r, ports[i]), 1);
	expect_route(&r, want);
	route_clear(&r);
}

/*
 * walk a route through adds and deletes; each step's line is exact: the
 * announce with these communities, or the withdraw where comm is NULL
 */
static void
test_v4_plain_steps(void **state)
{
	struct v4		*f = *state;
	char			 want[128];
	struct step {
		int		 add;
		uint16_t	 port;
		int		 changed;
		const char	*comm;
	} steps[] = {
		{ 1, 443, 1, "12345:443" },
		{ 1, 80, 1, "12345:80 12345:443" },
		{ 1, 8080, 1, "12345:80 12345:443 12345:8080" },
		/* a second service on the same port: no change */
		{ 1, 443, 0, "12345:80 12345:443 12345:8080" },
		{ 0, 443, 0, "12345:80 12345:443 12345:8080" },
		{ 0, 443, 1, "12345:80 12345:8080" },
		{ 0, 443, 0, "12345:80 12345:8080" },
		{ 0, 80, 1, "12345:8080" },
		{ 0, 8080, 1, NULL },
		{ 1, 1, 1, "12345:1" },
		{ 1, 65535, 1, "12345:1 12345:65535" },
	};
	size_t			 i;

	expect_route(&f->r, "withdraw route 192.0.2.10/32 next-hop self");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].add)
			assert_int_equal(route_port_add(&f->r, steps[i].port),
			    steps[i].changed);
		else
			assert_int_equal(route_port_del(&f->r, steps[i].port),
			    steps[i].changed);
		if (steps[i].comm == NULL)
			snprintf(want, sizeof(want),
			    "withdraw route 192.0.2.10/32 next-hop self");
		else
			snprintf(want, sizeof(want), "announce route "
			    "192.0.2.10/32 next-hop self community [%s]",
			    steps[i].comm);
		expect_route(&f->r, want);
	}
	route_clear(&f->r);
	assert_int_equal(f->r.nports, 0);
}

static void
test_v6(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	uint16_t		 p1[] = { 53 }, p2[] = { 53, 443 };

	conf_route(&c, &pc, 65001, "2001:db8::10/128", "self");
	expect_line(&c, &pc, p1, 1, "announce route 2001:db8::10/128 "
	    "next-hop self community [65001:53]");
	expect_line(&c, &pc, p2, 2, "announce route 2001:db8::10/128 "
	    "next-hop self community [65001:53 65001:443]");
	expect_line(&c, &pc, NULL, 0, "withdraw route 2001:db8::10/128 "
	    "next-hop self");
	conf_prefix(&pc, "2001:db8::10/128", "2001:db8::1");
	expect_line(&c, &pc, p1, 1, "announce route 2001:db8::10/128 "
	    "next-hop 2001:db8::1 community [65001:53]");
	expect_line(&c, &pc, NULL, 0, "withdraw route 2001:db8::10/128 "
	    "next-hop 2001:db8::1");
	conf_prefix(&pc, "2001:db8::10/128", "::ffff:169.254.179.1");
	expect_line(&c, &pc, p1, 1, "announce route 2001:db8::10/128 "
	    "next-hop ::ffff:169.254.179.1 community [65001:53]");
}

static void
test_attributes(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	uint16_t		 p[] = { 443, 8080 };
	const char		*comm[] = { "65000:1", "65000:200" };
	const char		*large[] = { "65000:7:8" };

	conf_route(&c, &pc, 12345, "198.51.100.7/32", "192.0.2.1");
	pc.attr.med = 100;
	expect_line(&c, &pc, p, 2, "announce route 198.51.100.7/32 "
	    "next-hop 192.0.2.1 med 100 community [12345:443 12345:8080]");
	pc.attr.local_pref = 200;
	pc.attr.as_path[0] = 65100;
	pc.attr.as_path[1] = 65200;
	pc.attr.nas_path = 2;
	expect_line(&c, &pc, p, 2, "announce route 198.51.100.7/32 "
	    "next-hop 192.0.2.1 local-preference 200 med 100 "
	    "as-path [65100 65200] community [12345:443 12345:8080]");
	set_communities(&pc, comm, 2, large, 1);
	expect_line(&c, &pc, p, 2, "announce route 198.51.100.7/32 "
	    "next-hop 192.0.2.1 local-preference 200 med 100 "
	    "as-path [65100 65200] community [12345:443 12345:8080 "
	    "65000:1 65000:200] large-community [65000:7:8]");
	/* the withdraw carries no attributes */
	expect_line(&c, &pc, NULL, 0, "withdraw route 198.51.100.7/32 "
	    "next-hop 192.0.2.1");
	/* med 0 is a value, not "none" */
	pc.attr.med = 0;
	pc.attr.local_pref = -1;
	pc.attr.nas_path = 0;
	set_communities(&pc, NULL, 0, NULL, 0);
	expect_line(&c, &pc, p, 1, "announce route 198.51.100.7/32 "
	    "next-hop 192.0.2.1 med 0 community [12345:443]");
}

static void
test_large(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	uint16_t		 p[] = { 80, 443 };
	const char		*comm[] = { "65000:1" };
	const char		*large[] = { "4200000001:9:9" };

	conf_route(&c, &pc, 4200000000u, "192.0.2.10/32", "self");
	c.large = 1;
	expect_line(&c, &pc, p, 2, "announce route 192.0.2.10/32 next-hop self "
	    "large-community [4200000000:0:80 4200000000:0:443]");
	set_communities(&pc, comm, 1, large, 1);
	expect_line(&c, &pc, p, 2, "announce route 192.0.2.10/32 next-hop self "
	    "community [65000:1] large-community [4200000000:0:80 "
	    "4200000000:0:443 4200000001:9:9]");
	expect_line(&c, &pc, NULL, 0,
	    "withdraw route 192.0.2.10/32 next-hop self");
	/* large_communities = true with a 2-byte ASN */
	c.asn = 12345;
	set_communities(&pc, NULL, 0, NULL, 0);
	conf_prefix(&pc, "2001:db8::1/128", "self");
	expect_line(&c, &pc, p, 1, "announce route 2001:db8::1/128 next-hop "
	    "self large-community [12345:0:80]");
	/* a 32-bit ASN forces large even if conf.c forgot to resolve it */
	c.large = 0;
	c.asn = 65536;
	expect_line(&c, &pc, p, 1, "announce route 2001:db8::1/128 next-hop "
	    "self large-community [65536:0:80]");
}

/*
 * Weight and drain: after the port communities, in port order, only for
 * ports off the default; the plain community of every port stays. The
 * route follows route_port_meta, and only a real change counts.
 */
static void
test_meta(void **state)
{
	struct v4		*f = *state;
	char			 l1[] = "65000:7:7";

	assert_int_equal(route_port_add(&f->r, 443), 1);
	assert_int_equal(route_port_add(&f->r, 80), 1);
	/* the default weight, not draining: the line of before */
	assert_int_equal(route_port_meta(&f->r, 443, 100, 0), 0);
	expect_route(&f->r, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443]");
	assert_int_equal(route_port_meta(&f->r, 443, 40, 0), 1);
	assert_int_equal(route_port_meta(&f->r, 443, 40, 0), 0);
	assert_int_equal(route_port_meta(&f->r, 80, 100, 1), 1);
	/* 8080 is absent: nothing to change */
	assert_int_equal(route_port_meta(&f->r, 8080, 5, 1), 0);
	expect_route(&f->r, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [12345:2:800000 "
	    "12345:1:4430040]");
	/* weight 0 and draining at once; a static large one goes last */
	f->pc.attr.large_communities[0] = large_of(l1);
	f->pc.attr.nlarge_communities = 1;
	reattr(&f->r, &f->c, &f->pc);
	assert_int_equal(route_port_meta(&f->r, 443, 0, 1), 1);
	expect_route(&f->r, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [12345:2:800000 "
	    "12345:1:4430000 12345:2:4430000 65000:7:7]");
	/* a port deleted and added again starts from the default */
	assert_int_equal(route_port_del(&f->r, 443), 1);
	assert_int_equal(route_port_add(&f->r, 443), 1);
	assert_int_equal(route_port_meta(&f->r, 80, 100, 0), 1);
	expect_route(&f->r, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [65000:7:7]");
	route_clear(&f->r);

	/* large mode: ports, then meta, then statics, in one clause */
	f->c.asn = 4200000000u;
	f->c.large = 1;
	f->pc.attr.nlarge_communities = 0;
	reattr(&f->r, &f->c, &f->pc);
	assert_int_equal(route_port_add(&f->r, 443), 1);
	assert_int_equal(route_port_meta(&f->r, 443, 256, 0), 1);
	expect_route(&f->r, "announce route 192.0.2.10/32 next-hop self "
	    "large-community [4200000000:0:443 4200000000:1:4430256]");
}

/* many ports with meta: the line holds them all, in order */
static void
test_meta_many(void **state)
{
	struct v4		*f = *state;
	uint16_t		 i;

	for (i = 1; i <= 300; i++) {
		(void)route_port_add(&f->r, i);
		assert_int_equal(route_port_meta(&f->r, i, 7, i % 2), 1);
	}
	expect_parts(&f->r, " large-community [12345:1:10007 12345:2:10000 "
	    "12345:1:20007 12345:1:30007 12345:2:30000 ", " 12345:1:3000007]");
}

static void
test_many_ports(void **state)
{
	struct v4		*f = *state;
	struct route_want	 w;
	unsigned		 i;

	/* added in descending order, rendered ascending */
	for (i = 1000; i >= 1; i--)
		assert_int_equal(route_port_add(&f->r, (uint16_t)i), 1);
	assert_int_equal(f->r.nports, 1000);
	expect_parts(&f->r, "community [12345:1 12345:2 12345:3 ",
	    " 12345:999 12345:1000]");
	/* the want's ports: ascending and unique, the formatter's premise */
	memset(&w, 0, sizeof(w));
	route_want_of(&w, &f->r);
	assert_int_equal(w.nports, 1000);
	for (i = 1; i < w.nports; i++)
		if (w.ports[i - 1].port >= w.ports[i].port)
			fail_msg("ports %u and %u out of order",
			    w.ports[i - 1].port, w.ports[i].port);
	route_want_free(&w);
}

/*
 * require_address: while the address is absent the route renders as a
 * withdraw, its ports kept; present or not looked at, as before.
 */
static void
test_addr_absent(void **state)
{
	struct v4		*f = *state;
	const char		*ann = "announce route 192.0.2.10/32 next-hop "
	    "self community [12345:80 12345:443]";

	assert_int_equal(route_port_add(&f->r, 443), 1);
	assert_int_equal(route_port_add(&f->r, 80), 1);

	assert_int_equal(f->r.addr, ROUTE_ADDR_UNCHECKED);	/* zeroed */
	expect_route(&f->r, ann);
	f->r.addr = ROUTE_ADDR_ABSENT;
	expect_route(&f->r, "withdraw route 192.0.2.10/32 next-hop self");
	assert_int_equal(f->r.nports, 2);
	f->r.addr = ROUTE_ADDR_PRESENT;
	expect_route(&f->r, ann);

	assert_string_equal(route_addr_name(ROUTE_ADDR_UNCHECKED),
	    "unchecked");
	assert_string_equal(route_addr_name(ROUTE_ADDR_PRESENT), "present");
	assert_string_equal(route_addr_name(ROUTE_ADDR_ABSENT), "absent");
	assert_string_equal(route_addr_name(ROUTE_ADDR_MAX), "unknown");
}

/*
 * route_want_equal is the exabgp layer's "did anything change": it must
 * hold exactly when the two lines are equal. Every pair of a set of
 * routes that differ in one thing each (ports, weight, drain, address,
 * next hop, med, local-preference, as-path, communities, ASN, large
 * mode), compared both ways.
 */
static void
test_want_equal(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r[20];
	struct route_want	 w[20];
	char			*l[20], c1[] = "65000:1", c2[] = "65000:2";
	char			 lc1[] = "65000:7:8";
	size_t			 n = 0, i, j, nequal = 0;

	conf_v4(&c, &pc);
#define NEXT()	route_init(&r[n++], &c, &pc)
	NEXT();					/* 0: withdraw */
	NEXT();					/* 1: withdraw, a twin of 0 */
	NEXT(); route_port_add(&r[n - 1], 80);	/* 2 */
	NEXT(); route_port_add(&r[n - 1], 80);	/* 3: twin of 2 */
	NEXT(); route_port_add(&r[n - 1], 443);
	NEXT(); route_port_add(&r[n - 1], 80);
	route_port_add(&r[n - 1], 443);
	NEXT(); route_port_add(&r[n - 1], 80);	/* weight 100: as 2 */
	route_port_meta(&r[n - 1], 80, 100, 0);
	NEXT(); route_port_add(&r[n - 1], 80);
	route_port_meta(&r[n - 1], 80, 40, 0);
	NEXT(); route_port_add(&r[n - 1], 80);
	route_port_meta(&r[n - 1], 80, 41, 0);
	NEXT(); route_port_add(&r[n - 1], 80);
	route_port_meta(&r[n - 1], 80, 100, 1);
	NEXT(); route_port_add(&r[n - 1], 80);	/* absent: as 0 */
	r[n - 1].addr = ROUTE_ADDR_ABSENT;
	pc.attr.med = 0;
	NEXT(); route_port_add(&r[n - 1], 80);
	pc.attr.med = -1;
	pc.attr.local_pref = 0;
	NEXT(); route_port_add(&r[n - 1], 80);
	pc.attr.local_pref = -1;
	pc.attr.as_path[0] = 65100;
	pc.attr.nas_path = 1;
	NEXT(); route_port_add(&r[n - 1], 80);
	pc.attr.nas_path = 0;
	pc.attr.communities[0] = comm_of(c1);
	pc.attr.ncommunities = 1;
	NEXT(); route_port_add(&r[n - 1], 80);
	pc.attr.communities[0] = comm_of(c2);
	NEXT(); route_port_add(&r[n - 1], 80);
	pc.attr.ncommunities = 0;
	pc.attr.large_communities[0] = large_of(lc1);
	pc.attr.nlarge_communities = 1;
	NEXT(); route_port_add(&r[n - 1], 80);
	pc.attr.nlarge_communities = 0;
	c.large = 1;
	NEXT(); route_port_add(&r[n - 1], 80);
	c.large = 0;
	c.asn = 12346;
	NEXT(); route_port_add(&r[n - 1], 80);
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "192.0.2.1");
	NEXT();					/* withdraw, other next hop */
#undef NEXT
	assert_int_equal(n, 20);
	for (i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		route_want_of(&w[i], &r[i]);
		l[i] = route_want_fmt(&w[i]);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			if (route_want_equal(&w[i], &w[j]) !=
			    (strcmp(l[i], l[j]) == 0))
				fail_msg("want %zu vs %zu: equal %d, lines\n%s\n"
				    "%s", i, j, route_want_equal(&w[i], &w[j]),
				    l[i], l[j]);
			nequal += i != j && route_want_equal(&w[i], &w[j]);
		}
	/* the twins, the default weight and the absent address, each way */
	assert_int_equal(nequal, 2 * 6);
	assert_true(route_want_equal(&w[0], &w[10]));
	assert_true(route_want_equal(&w[2], &w[6]));
	assert_false(w[10].announce);
	assert_int_equal(w[10].nports, 0);
	assert_false(route_want_equal(&w[0], &w[19]));
	for (i = 0; i < n; i++) {
		free(l[i]);
		route_want_free(&w[i]);
		route_clear(&r[i]);
	}
}

/*
 * A want owns what it holds: the withdraw of a reload outlives the old
 * config, and the exabgp layer keeps wants across reloads. Withdrawn by
 * data, it keeps the prefix and next hop, drops ports and attributes.
 */
static void
test_want_own_copy(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r;
	struct route_want	 w, cp;
	char			 nh[] = "2001:db8::1", c1[] = "65000:1";
	char			*l;
	const char		*ann = "announce route 2001:db8::10/128 "
	    "next-hop 2001:db8::1 med 5 community [12345:53 65000:1] "
	    "large-community [12345:1:530007]";

	memset(&w, 0, sizeof(w));
	memset(&cp, 0, sizeof(cp));
	conf_route(&c, &pc, 12345, "2001:db8::10/128", nh);
	pc.attr.med = 5;
	pc.attr.communities[0] = comm_of(c1);
	pc.attr.ncommunities = 1;
	route_init(&r, &c, &pc);
	assert_int_equal(route_port_add(&r, 53), 1);
	assert_int_equal(route_port_meta(&r, 53, 7, 0), 1);
	route_want_of(&w, &r);
	route_want_copy(&cp, &w);
	/* the config and the route go away */
	route_clear(&r);
	memset(nh, 'x', sizeof(nh) - 1);
	memset(c1, 'x', sizeof(c1) - 1);
	memset(&pc, 0, sizeof(pc));
	memset(&c, 0, sizeof(c));
	l = route_want_fmt(&w);
	assert_string_equal(l, ann);
	free(l);
	route_want_free(&w);
	assert_null(w.ports);
	l = route_want_fmt(&cp);
	assert_string_equal(l, ann);
	free(l);
	route_want_copy(&w, &cp);
	route_want_withdraw(&cp);
	assert_false(cp.announce);
	assert_int_equal(cp.nports, 0);
	assert_false(route_want_equal(&w, &cp));
	l = route_want_fmt(&cp);
	assert_string_equal(l, "withdraw route 2001:db8::10/128 next-hop "
	    "2001:db8::1");
	free(l);
	route_want_free(&w);
	route_want_free(&cp);
}

/* the limits of every number survive into the line */
static void
test_attrs_limits(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	uint16_t		 p[] = { 65535 };
	const char		*comm[] = { "0:0", "65535:65535" };
	const char		*large[] = {
		"4294967295:4294967295:4294967295", "0:0:0"
	};

	conf_route(&c, &pc, 4294967295u, "198.51.100.7/32", "198.51.100.1");
	pc.attr.med = UINT32_MAX;
	pc.attr.local_pref = UINT32_MAX;
	pc.attr.as_path[0] = UINT32_MAX;
	pc.attr.as_path[1] = 1;
	pc.attr.nas_path = 2;
	set_communities(&pc, comm, 2, large, 2);
	expect_line(&c, &pc, p, 1, "announce route 198.51.100.7/32 next-hop "
	    "198.51.100.1 local-preference 4294967295 med 4294967295 "
	    "as-path [4294967295 1] community [0:0 65535:65535] "
	    "large-community [4294967295:0:65535 "
	    "4294967295:4294967295:4294967295 0:0:0]");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		V4_TEST(test_addr_absent),
		V4_TEST(test_v4_plain_steps),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_large),
		V4_TEST(test_meta),
		V4_TEST(test_meta_many),
		V4_TEST(test_many_ports),
		cmocka_unit_test(test_want_equal),
		cmocka_unit_test(test_want_own_copy),
		cmocka_unit_test(test_attrs_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
