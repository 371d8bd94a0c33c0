/*
 * test_route.c - the exact ExaBGP line for every change of a prefix's set
 * of ports: IPv4 and IPv6, without and with attributes, 2-byte and large
 * communities, and refusal of anything that could inject a command.
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

static void
expect_line(const struct bgpsd_conf *c, const struct prefix_conf *pc,
    const uint16_t *ports, size_t n, const char *want)
{
	char	*l = route_line(c, pc, ports, n);

	assert_non_null(l);
	assert_string_equal(l, want);
	assert_null(strchr(l, '\n'));
	assert_true(route_line_valid(l));
	free(l);
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
	memset(&r, 0, sizeof(r));
	r.pc = &pc;
	l = route_render(&c, &r);
	assert_string_equal(l, "withdraw route 192.0.2.10/32 next-hop self");
	free(l);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].add)
			assert_int_equal(route_port_add(&r, steps[i].port),
			    steps[i].changed);
		else
			assert_int_equal(route_port_del(&r, steps[i].port),
			    steps[i].changed);
		l = route_render(&c, &r);
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
	memset(&r, 0, sizeof(r));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	r.pc = &pc;
	assert_int_equal(route_port_add(&r, 443), 1);
	assert_int_equal(route_port_add(&r, 80), 1);
	/* the default weight, not draining: the line of before */
	assert_int_equal(route_port_meta(&r, 443, 100, 0), 0);
	l = route_render(&c, &r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443]");
	free(l);
	assert_int_equal(route_port_meta(&r, 443, 40, 0), 1);
	assert_int_equal(route_port_meta(&r, 443, 40, 0), 0);
	assert_int_equal(route_port_meta(&r, 80, 100, 1), 1);
	assert_int_equal(route_port_meta(&r, 8080, 5, 1), 0);	/* absent */
	l = route_render(&c, &r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [12345:2:800000 "
	    "12345:1:4430040]");
	free(l);
	/* weight 0 and draining at once; a static large one goes last */
	pc.attr.large_communities[0] = l1;
	pc.attr.nlarge_communities = 1;
	assert_int_equal(route_port_meta(&r, 443, 0, 1), 1);
	l = route_render(&c, &r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [12345:2:800000 "
	    "12345:1:4430000 12345:2:4430000 65000:7:7]");
	free(l);
	/* a port deleted and added again starts from the default */
	assert_int_equal(route_port_del(&r, 443), 1);
	assert_int_equal(route_port_add(&r, 443), 1);
	assert_int_equal(route_port_meta(&r, 80, 100, 0), 1);
	l = route_render(&c, &r);
	assert_string_equal(l, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:80 12345:443] large-community [65000:7:7]");
	free(l);
	route_clear(&r);

	/* large mode: ports, then meta, then statics, in one clause */
	c.asn = 4200000000u;
	c.large = 1;
	pc.attr.nlarge_communities = 0;
	assert_int_equal(route_port_add(&r, 443), 1);
	assert_int_equal(route_port_meta(&r, 443, 256, 0), 1);
	l = route_render(&c, &r);
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
	memset(&r, 0, sizeof(r));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	r.pc = &pc;
	for (i = 1; i <= 300; i++) {
		(void)route_port_add(&r, i);
		assert_int_equal(route_port_meta(&r, i, 7, i % 2), 1);
	}
	l = route_render(&c, &r);
	assert_non_null(l);
	assert_true(route_line_valid(l));
	assert_non_null(strstr(l, " large-community [12345:1:10007 "
	    "12345:2:10000 "
	    "12345:1:20007 12345:1:30007 12345:2:30000 "));
	snprintf(want, sizeof(want), " 12345:1:3000007]");
	assert_non_null(strstr(l, want));
	free(l);
	route_clear(&r);
}

static void
test_refused(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	uint16_t		 p[] = { 443 }, unsorted[] = { 443, 80 };
	char			 inj[] = "65000:1]\nannounce route 0.0.0.0/0";
	char			 big[] = "65000:65536", neg[] = "-1:2";
	char			 l3[] = "1:2", l4[] = "1:2:3:4";
	char			 nh1[] = "self\nwithdraw", nh2[] = "192.0.2.256";
	char			 *s;

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	log_init("test_route", 0, 0);
	conf_prefix(&pc, "192.0.2.10/32", nh1);
	assert_null(route_line(&c, &pc, p, 1));
	assert_null(route_withdraw_line(&pc));
	conf_prefix(&pc, "192.0.2.10/32", nh2);
	assert_null(route_line(&c, &pc, p, 1));
	conf_prefix(&pc, "192.0.2.10/32", NULL);
	assert_null(route_line(&c, &pc, p, 1));
	/* not a host route */
	conf_prefix(&pc, "192.0.2.0/24", "self");
	assert_null(route_line(&c, &pc, p, 1));
	conf_prefix(&pc, "192.0.2.10/32", "self");
	assert_null(route_line(&c, &pc, unsorted, 2));
	pc.attr.communities[0] = inj;
	pc.attr.ncommunities = 1;
	assert_null(route_line(&c, &pc, p, 1));
	pc.attr.communities[0] = big;
	assert_null(route_line(&c, &pc, p, 1));
	pc.attr.communities[0] = neg;
	assert_null(route_line(&c, &pc, p, 1));
	pc.attr.communities[0] = l3;
	assert_non_null(s = route_line(&c, &pc, p, 1));
	free(s);
	pc.attr.ncommunities = 0;
	pc.attr.large_communities[0] = l3;
	pc.attr.nlarge_communities = 1;
	assert_null(route_line(&c, &pc, p, 1));
	pc.attr.large_communities[0] = l4;
	assert_null(route_line(&c, &pc, p, 1));
	pc.attr.nlarge_communities = 0;
	pc.attr.med = (int64_t)UINT32_MAX + 1;
	assert_null(route_line(&c, &pc, p, 1));
}

static void
test_line_valid(void **state)
{
	assert_true(route_line_valid("announce route 192.0.2.1/32 next-hop "
	    "self community [1:2]"));
	assert_true(route_line_valid("withdraw route 2001:DB8::1/128"));
	assert_false(route_line_valid(""));
	assert_false(route_line_valid(NULL));
	assert_false(route_line_valid("a\nb"));
	assert_false(route_line_valid("a\rb"));
	assert_false(route_line_valid("a\tb"));
	assert_false(route_line_valid("a;b"));
	assert_false(route_line_valid("a,b"));
	assert_false(route_line_valid("aGb"));
	assert_false(route_line_valid("a\x7f"));
	assert_false(route_line_valid("a\xc3\xa9"));
}

static void
test_many_ports(void **state)
{
	struct bgpsd_conf	 c;
	struct prefix_conf	 pc;
	struct route		 r;
	char			*l, want[32];
	unsigned		 i;

	memset(&c, 0, sizeof(c));
	c.asn = 12345;
	conf_prefix(&pc, "192.0.2.10/32", "self");
	memset(&r, 0, sizeof(r));
	r.pc = &pc;
	/* added in descending order, rendered ascending */
	for (i = 1000; i >= 1; i--)
		assert_int_equal(route_port_add(&r, (uint16_t)i), 1);
	assert_int_equal(r.nports, 1000);
	l = route_render(&c, &r);
	assert_non_null(l);
	assert_non_null(strstr(l, "community [12345:1 12345:2 12345:3 "));
	snprintf(want, sizeof(want), " 12345:999 12345:1000]");
	assert_non_null(strstr(l, want));
	free(l);
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
	memset(&r, 0, sizeof(r));
	r.pc = &pc;
	assert_int_equal(route_port_add(&r, 443), 1);
	assert_int_equal(route_port_add(&r, 80), 1);

	assert_int_equal(r.addr, ROUTE_ADDR_UNCHECKED);	/* zeroed */
	assert_non_null(l = route_render(&c, &r));
	assert_string_equal(l, ann);
	free(l);
	r.addr = ROUTE_ADDR_ABSENT;
	assert_non_null(l = route_render(&c, &r));
	assert_string_equal(l, "withdraw route 192.0.2.10/32 next-hop self");
	free(l);
	assert_int_equal(r.nports, 2);
	r.addr = ROUTE_ADDR_PRESENT;
	assert_non_null(l = route_render(&c, &r));
	assert_string_equal(l, ann);
	free(l);

	assert_string_equal(route_addr_name(ROUTE_ADDR_UNCHECKED),
	    "unchecked");
	assert_string_equal(route_addr_name(ROUTE_ADDR_PRESENT), "present");
	assert_string_equal(route_addr_name(ROUTE_ADDR_ABSENT), "absent");
	assert_string_equal(route_addr_name(ROUTE_ADDR_MAX), "unknown");
	route_clear(&r);
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
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_meta_many),
		cmocka_unit_test(test_line_valid),
		cmocka_unit_test(test_many_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
