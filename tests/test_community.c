/*
 * test_community.c - the metadata of ports in large communities: encode
 * then decode gives the same, only non-default weights and drains are
 * sent, the limits of ports and values, other ASNs and unknown kinds
 * left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "community.h"

static void
test_round_trip(void **state)
{
	struct port_meta	 pm[] = {
		{ 1, 0, 0 }, { 80, 100, 0 }, { 443, 7, 1 },
		{ 8080, 100, 1 }, { 65535, 9999, 0 },
	};
	struct large_community	 lc[10];
	enum community_kind	 kind;
	uint16_t		 port, value;
	size_t			 n;

	(void)state;
	n = community_meta_encode(4200000000U, pm, 5, lc);
	/* 1: weight 0; 80: nothing; 443: weight + drain; 8080: drain;
	 * 65535: weight */
	assert_int_equal(n, 5);
	assert_int_equal(lc[0].global, 4200000000U);
	assert_int_equal(lc[0].local1, COMMUNITY_WEIGHT);
	assert_int_equal(lc[0].local2, 10000);
	assert_int_equal(lc[1].local2, 4430007);
	assert_int_equal(lc[2].local1, COMMUNITY_DRAIN);
	assert_int_equal(lc[2].local2, 4430000);
	assert_int_equal(lc[3].local2, 80800000);
	assert_int_equal(lc[4].local2, 655359999U);

	assert_int_equal(community_meta_decode(4200000000U, &lc[1], &kind,
	    &port, &value), 1);
	assert_int_equal(kind, COMMUNITY_WEIGHT);
	assert_int_equal(port, 443);
	assert_int_equal(value, 7);
	assert_int_equal(community_meta_decode(4200000000U, &lc[3], &kind,
	    &port, &value), 1);
	assert_int_equal(kind, COMMUNITY_DRAIN);
	assert_int_equal(port, 8080);
	assert_int_equal(community_meta_decode(4200000000U, &lc[4], &kind,
	    &port, &value), 1);
	assert_int_equal(port, 65535);
	assert_int_equal(value, 9999);
	assert_int_equal(community_meta_decode(4200000000U, &lc[0], &kind,
	    &port, &value), 1);
	assert_int_equal(port, 1);
	assert_int_equal(value, 0);
}

static void
test_weight_capped(void **state)
{
	struct port_meta	 pm = { 22, 60000, 0 };
	struct large_community	 lc[2];

	(void)state;
	assert_int_equal(community_meta_encode(12345, &pm, 1, lc), 1);
	assert_int_equal(lc[0].local2, 229999);
}

static void
test_left_alone(void **state)
{
	static const struct large_community bad[] = {
		{ 12346, 1, 4430100 },		/* another ASN */
		{ 12345, 0, 443 },		/* the port kind itself */
		{ 12345, 3, 4430000 },		/* an unknown kind */
		{ 12345, 4000000000U, 1 },	/* an unknown kind */
		{ 12345, 1, 9999 },		/* port 0 */
		{ 12345, 1, 655360000 },	/* port 65536 */
		{ 12345, 1, 4294967295U },	/* port beyond 65535 */
		{ 12345, 2, 4430001 },		/* a drain with a value */
	};
	enum community_kind	 kind;
	uint16_t		 port, value;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(community_meta_decode(12345, &bad[i], &kind,
		    &port, &value), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_weight_capped),
		cmocka_unit_test(test_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
