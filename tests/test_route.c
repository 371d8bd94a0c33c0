/*
 * test_route.c - the exact ExaBGP line for every change of a prefix's set
 * of ports: IPv4 and IPv6, without and with attributes, 2-byte and large
 * communities; wants compared as data (equal exactly when their lines
 * are), withdrawn, copied and outliving their config. Bad tokens are
 * refused at load by conf.c: test_conf and data/conf/bad.
 */
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
	char		*l;
	size_t		 i;

	route_init(&r, c, pc);
	for (i = 0; i < n; i++)
		assert_int_equal(route_port_add(&r, ports[i]), 1);
	l = render(&r);
	assert_string_equal(l, want);
	free(l);
	route_clear(&r);
}

/* walk a route through adds and deletes; each step's line is exact */
static void
test_v4_plain_steps(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r;
	char			*l;
	struct step {
		int		 add;
		uint16_t	 port;
		int		 changed;
		const char	*line;
	} steps[] = {
		{ 1, 443, 1, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:443]" },
		{ 1, 80, 1, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:80 12345:443]" },
		{ 1, 8080, 1, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:80 12345:443 12345:8080]" },
		/* a second service on the same port: no change */
		{ 1, 443, 0, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:80 12345:443 12345:8080]" },
		{ 0, 443, 0, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:80 12345:443 12345:8080]" },
		{ 0, 443, 1, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:80 12345:8080]" },
		{ 0, 443, 0, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:80 12345:8080]" },
		{ 0, 80, 1, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:8080]" },
		{ 0, 8080, 1, "withdraw route 192.0.2.10/32 next-hop self" },
		{ 1, 1, 1, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:1]" },
		{ 1, 65535, 1, "announce route 192.0.2.10/32 next-hop self "
		    "community [12345:1 12345:65535]" },
	};
	size_t			 i;

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	route_init(&r, &c, &pc);
	l = render(&r);
	assert_string_equal(l, "withdraw route 192.0.2.10/32 next-hop self");
	free(l);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].add)
			assert_int_equal(route_port_add(&r, steps[i].port),
			    steps[i].changed);
		else
			assert_int_equal(route_port_del(&r, steps[i].port),
			    steps[i].changed);
		l = render(&r);
		assert_non_null(l);
		assert_string_equal(l, steps[i].line);
		free(l);
	}
	route_clear(&r);
	assert_int_equal(r.nports, 0);
}

static void
test_v6(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	uint16_t		 p1[] = { 53 }, p2[] = { 53, 443 };

	memset(&c, 0, sizeof(c));
	c.asn = 65001;
	conf_prefix(&pc, "2001:db8::10/128", "self");
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
	char			 c1[] = "65000:1", c2[] = "65000:200";
	char			 l1[] = "65000:7:8";

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	conf_prefix(&pc, "198.51.100.7/32", "192.0.2.1");
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
	pc.attr.communities[0] = c1;
	pc.attr.communities[1] = c2;
	pc.attr.ncommunities = 2;
	pc.attr.large_communities[0] = l1;
	pc.attr.nlarge_communities = 1;
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
	pc.attr.ncommunities = 0;
	pc.attr.nlarge_communities = 0;
	expect_line(&c, &pc, p, 1, "announce route 198.51.100.7/32 "
	    "next-hop 192.0.2.1 med 0 community [12345:443]");
}

static void
test_large(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	uint16_t		 p[] = { 80, 443 };
	char			 c1[] = "65000:1", l1[] = "4200000001:9:9";

	memset(&c, 0, sizeof(c));
	c.asn = 4200000000u;
	c.large = 1;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	expect_line(&c, &pc, p, 2, "announce route 192.0.2.10/32 next-hop self "
	    "large-community [4200000000:0:80 4200000000:0:443]");
	pc.attr.communities[0] = c1;
	pc.attr.ncommunities = 1;
	pc.attr.large_communities[0] = l1;
	pc.attr.nlarge_communities = 1;
	expect_line(&c, &pc, p, 2, "announce route 192.0.2.10/32 next-hop self "
	    "community [65000:1] large-community [4200000000:0:80 "
	    "4200000000:0:443 4200000001:9:9]");
	expect_line(&c, &pc, NULL, 0,
	    "withdraw route 192.0.2.10/32 next-hop self");
	/* large_communities = true with a 2-byte ASN */
	c.asn = 12345;
	pc.attr.ncommunities = 0;
	pc.attr.nlarge_communities = 0;
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
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r;
	char			*l, l1[] = "65000:7:7";

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	route_init(&r, &c, &pc);
	assert_int_equal(route_port_add(&r, 443), 1);
	assert_int_equal(route_port_add(&r, 80), 1);
	/* the default weight, not draining: the line of before */
	assert_int_equal(route_port_meta(&r, 443, 100, 0), 0);
	l = render(&r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443]");
	free(l);
	assert_int_equal(route_port_meta(&r, 443, 40, 0), 1);
	assert_int_equal(route_port_meta(&r, 443, 40, 0), 0);
	assert_int_equal(route_port_meta(&r, 80, 100, 1), 1);
	assert_int_equal(route_port_meta(&r, 8080, 5, 1), 0);	/* absent */
	l = render(&r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [12345:2:800000 "
	    "12345:1:4430040]");
	free(l);
	/* weight 0 and draining at once; a static large one goes last */
	pc.attr.large_communities[0] = l1;
	pc.attr.nlarge_communities = 1;
	reattr(&r, &c, &pc);
	assert_int_equal(route_port_meta(&r, 443, 0, 1), 1);
	l = render(&r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [12345:2:800000 "
	    "12345:1:4430000 12345:2:4430000 65000:7:7]");
	free(l);
	/* a port deleted and added again starts from the default */
	assert_int_equal(route_port_del(&r, 443), 1);
	assert_int_equal(route_port_add(&r, 443), 1);
	assert_int_equal(route_port_meta(&r, 80, 100, 0), 1);
	l = render(&r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [65000:7:7]");
	free(l);
	route_clear(&r);

	/* large mode: ports, then meta, then statics, in one clause */
	c.asn = 4200000000u;
	c.large = 1;
	pc.attr.nlarge_communities = 0;
	reattr(&r, &c, &pc);
	assert_int_equal(route_port_add(&r, 443), 1);
	assert_int_equal(route_port_meta(&r, 443, 256, 0), 1);
	l = render(&r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "large-community [4200000000:0:443 4200000000:1:4430256]");
	free(l);
	route_clear(&r);
}

/* many ports with meta: the line holds them all, in order */
static void
test_meta_many(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r;
	char			*l, want[64];
	uint16_t		 i;

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	route_init(&r, &c, &pc);
	for (i = 1; i <= 300; i++) {
		(void)route_port_add(&r, i);
		assert_int_equal(route_port_meta(&r, i, 7, i % 2), 1);
	}
	l = render(&r);
	assert_non_null(strstr(l, " large-community [12345:1:10007 "
	    "12345:2:10000 "
	    "12345:1:20007 12345:1:30007 12345:2:30000 "));
	snprintf(want, sizeof(want), " 12345:1:3000007]");
	assert_non_null(strstr(l, want));
	free(l);
	route_clear(&r);
}

static void
test_many_ports(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r;
	struct route_want	 w;
	char			*l, want[32];
	unsigned		 i;

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	route_init(&r, &c, &pc);
	/* added in descending order, rendered ascending */
	for (i = 1000; i >= 1; i--)
		assert_int_equal(route_port_add(&r, (uint16_t)i), 1);
	assert_int_equal(r.nports, 1000);
	l = render(&r);
	assert_non_null(l);
	assert_non_null(strstr(l, "community [12345:1 12345:2 12345:3 "));
	snprintf(want, sizeof(want), " 12345:999 12345:1000]");
	assert_non_null(strstr(l, want));
	free(l);
	/* the want's ports: ascending and unique, the formatter's premise */
	memset(&w, 0, sizeof(w));
	route_want_of(&w, &r);
	assert_int_equal(w.nports, 1000);
	for (i = 1; i < w.nports; i++)
		if (w.ports[i - 1].port >= w.ports[i].port)
			fail_msg("ports %u and %u out of order",
			    w.ports[i - 1].port, w.ports[i].port);
	route_want_free(&w);
	route_clear(&r);
}

/*
 * require_address: while the address is absent the route renders as a
 * withdraw, its ports kept; present or not looked at, as before.
 */
static void
test_addr_absent(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r;
	char			*l;
	const char		*ann = "announce route 192.0.2.10/32 next-hop "
	    "self community [12345:80 12345:443]";

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	route_init(&r, &c, &pc);
	assert_int_equal(route_port_add(&r, 443), 1);
	assert_int_equal(route_port_add(&r, 80), 1);

	assert_int_equal(r.addr, ROUTE_ADDR_UNCHECKED);	/* zeroed */
	assert_non_null(l = render(&r));
	assert_string_equal(l, ann);
	free(l);
	r.addr = ROUTE_ADDR_ABSENT;
	assert_non_null(l = render(&r));
	assert_string_equal(l, "withdraw route 192.0.2.10/32 next-hop self");
	free(l);
	assert_int_equal(r.nports, 2);
	r.addr = ROUTE_ADDR_PRESENT;
	assert_non_null(l = render(&r));
	assert_string_equal(l, ann);
	free(l);

	assert_string_equal(route_addr_name(ROUTE_ADDR_UNCHECKED),
	    "unchecked");
	assert_string_equal(route_addr_name(ROUTE_ADDR_PRESENT), "present");
	assert_string_equal(route_addr_name(ROUTE_ADDR_ABSENT), "absent");
	assert_string_equal(route_addr_name(ROUTE_ADDR_MAX), "unknown");
	route_clear(&r);
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

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
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
	pc.attr.communities[0] = c1;
	pc.attr.ncommunities = 1;
	NEXT(); route_port_add(&r[n - 1], 80);
	pc.attr.communities[0] = c2;
	NEXT(); route_port_add(&r[n - 1], 80);
	pc.attr.ncommunities = 0;
	pc.attr.large_communities[0] = lc1;
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

	memset(&c, 0, sizeof(c));
	memset(&w, 0, sizeof(w));
	memset(&cp, 0, sizeof(cp));
	c.asn = 12345;
	conf_prefix(&pc, "2001:db8::10/128", nh);
	pc.attr.med = 5;
	pc.attr.communities[0] = c1;
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

/* route_init converts conf.c's canonical text: the limits survive */
static void
test_attrs_limits(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	uint16_t		 p[] = { 65535 };
	char			 c0[] = "0:0", cmax[] = "65535:65535";
	char			 lmax[] = "4294967295:4294967295:4294967295";
	char			 l0[] = "0:0:0";

	memset(&c, 0, sizeof(c));
	c.asn = 4294967295u;
	conf_prefix(&pc, "198.51.100.7/32", "198.51.100.1");
	pc.attr.med = UINT32_MAX;
	pc.attr.local_pref = UINT32_MAX;
	pc.attr.as_path[0] = UINT32_MAX;
	pc.attr.as_path[1] = 1;
	pc.attr.nas_path = 2;
	pc.attr.communities[0] = c0;
	pc.attr.communities[1] = cmax;
	pc.attr.ncommunities = 2;
	pc.attr.large_communities[0] = lmax;
	pc.attr.large_communities[1] = l0;
	pc.attr.nlarge_communities = 2;
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
		cmocka_unit_test(test_addr_absent),
		cmocka_unit_test(test_v4_plain_steps),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_meta_many),
		cmocka_unit_test(test_many_ports),
		cmocka_unit_test(test_want_equal),
		cmocka_unit_test(test_want_own_copy),
		cmocka_unit_test(test_attrs_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
