/*
 * test_addr.c - addr/prefix parsing, canonical formatting, ordering and
 * hashing, driven by tables of good and bad inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "addr.h"
#include "testlib.h"

struct good {
	const char	*in;
	const char	*canon;
	int		 family;
};

static const struct good good_addrs[] = {
	{ "0.0.0.0", "0.0.0.0", AF_INET },
	{ "192.0.2.10", "192.0.2.10", AF_INET },
	{ "255.255.255.255", "255.255.255.255", AF_INET },
	{ "198.51.100.0", "198.51.100.0", AF_INET },
	{ "::", "::", AF_INET6 },
	{ "::1", "::1", AF_INET6 },
	{ "2001:db8::1", "2001:db8::1", AF_INET6 },
	{ "2001:DB8::1", "2001:db8::1", AF_INET6 },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", AF_INET6 },
	{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", AF_INET6 },
	{ "2001:db8:0:0:0:0:2:1", "2001:db8::2:1", AF_INET6 },
	{ "2001:db8::", "2001:db8::", AF_INET6 },
	{ "::ffff:192.0.2.1", "::ffff:192.0.2.1", AF_INET6 },
	{ "fe80::1", "fe80::1", AF_INET6 },
	{ "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", AF_INET6 },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AF_INET6 },
};

static const char *const bad_addrs[] = {
	"",
	" ",
	"1.2.3",
	"1.2.3.4.5",
	"1.2.3.4.",
	".1.2.3.4",
	"256.1.1.1",
	"300.1.1.1",
	"1.2.3.-1",
	"01.2.3.4",
	"1.2.3.04",
	"0x1.2.3.4",
	"1.2.3.4 ",
	" 1.2.3.4",
	"1.2.3.4\n",
	"1.2. 3.4",
	"1.2.3.4x",
	"1.2.3.4/32",
	"localhost",
	"fe80::1%eth0",
	"fe80::1%1",
	"[::1]",
	":::1",
	":1",
	"1:",
	"::1:",
	"1::2::3",
	"1:2:3:4:5:6:7:8:9",
	"1:2:3:4:5:6:7::8",
	"12345::1",
	"00000::1",
	"g::1",
	"::1.2.3",
	"::1.2.3.4.5",
	"::01.2.3.4",
	"2001:db8::1 ",
	"2001:db8::1/128",
	"2001:db8:0:0:0:0:0:0:0:1111111111111111111111111111111111111111",
};

struct goodp {
	const char	*in;
	const char	*canon;
	int		 len;
	int		 host;
};

static const struct goodp good_prefixes[] = {
	{ "192.0.2.10/32", "192.0.2.10/32", 32, 1 },
	{ "192.0.2.0/24", "192.0.2.0/24", 24, 0 },
	{ "192.0.2.128/25", "192.0.2.128/25", 25, 0 },
	{ "0.0.0.0/0", "0.0.0.0/0", 0, 0 },
	{ "10.0.0.0/8", "10.0.0.0/8", 8, 0 },
	{ "198.51.100.0/31", "198.51.100.0/31", 31, 0 },
	{ "2001:db8::/32", "2001:db8::/32", 32, 0 },
	{ "2001:DB8::1/128", "2001:db8::1/128", 128, 1 },
	{ "2001:0db8:0:0::0/48", "2001:db8::/48", 48, 0 },
	{ "::/0", "::/0", 0, 0 },
	{ "2001:db8::8000:0/97", "2001:db8::8000:0/97", 97, 0 },
	{ "2001:db8:1:2::/64", "2001:db8:1:2::/64", 64, 0 },
};

static const char *const bad_prefixes[] = {
	"",
	"/",
	"/32",
	"/0",
	"1.2.3.4/",
	"1.2.3.4/33",
	"1.2.3.4/032",
	"1.2.3.4/00",
	"1.2.3.4/-1",
	"1.2.3.4/+32",
	"1.2.3.4/ 32",
	"1.2.3.4 /32",
	"1.2.3.4/32 ",
	"1.2.3.4/32x",
	"1.2.3.4/32/32",
	"1.2.3.4/3 2",
	"1.2.3.4/0x20",
	"1.2.3.4/4294967328",
	"1.2.3.4/99999999999999999999999",
	"300.1.1.1/32",
	"1.2.3/24",
	"192.0.2.1/24",		/* host bits */
	"192.0.2.128/24",
	"192.0.2.1/31",
	"11.0.0.0/7",
	"0.0.0.1/0",
	"2001:db8::1/129",
	"2001:db8::1/64",	/* host bits */
	"2001:db9::/31",
	"2001:db8::/1280",
	"2001:db8::/0128",
	"fe80::1%eth0/128",
	"fe80::%eth0/64",
	"::/",
	"2001:db8::1/128\n",
	"1.2.3.4",		/* bare refused unless allowed */
	"2001:db8::1",
};

static void
test_addr_good(void **state)
{
	char		 buf[ADDR_STRLEN];
	struct addr	 a;
	size_t		 i;

	for (i = 0; i < sizeof(good_addrs) / sizeof(good_addrs[0]); i++) {
		const struct good	*g = &good_addrs[i];

		memset(&a, 0xa5, sizeof(a));
		if (addr_parse(g->in, &a) != 0)
			fail_msg("addr_parse(\"%s\") failed", g->in);
		assert_int_equal(a.family, g->family);
		assert_string_equal(addr_fmt(&a, buf, sizeof(buf)), g->canon);
		assert_int_equal(addr_maxlen(&a),
		    g->family == AF_INET ? 32 : 128);
		assert_string_equal(addr_family_name(&a),
		    g->family == AF_INET ? "ipv4" : "ipv6");
		/* canonical text parses back to the same address */
		{
			struct addr	 b;

			assert_int_equal(addr_parse(buf, &b), 0);
			assert_int_equal(addr_cmp(&a, &b), 0);
		}
	}
}

static void
test_addr_bad(void **state)
{
	struct addr	 a;
	size_t		 i;

	assert_int_equal(addr_parse(NULL, &a), -1);
	for (i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++)
		if (addr_parse(bad_addrs[i], &a) != -1)
			fail_msg("addr_parse(\"%s\") accepted", bad_addrs[i]);
}

static void
test_prefix_good(void **state)
{
	char		 buf[PREFIX_STRLEN];
	struct prefix	 p, q;
	size_t		 i;

	for (i = 0; i < sizeof(good_prefixes) / sizeof(good_prefixes[0]);
	    i++) {
		const struct goodp	*g = &good_prefixes[i];

		if (prefix_parse(g->in, &p, 0) != 0)
			fail_msg("prefix_parse(\"%s\") failed", g->in);
		assert_int_equal(p.len, g->len);
		assert_int_equal(prefix_is_host(&p), g->host);
		assert_string_equal(prefix_fmt(&p, buf, sizeof(buf)),
		    g->canon);
		assert_int_equal(prefix_parse(buf, &q, 0), 0);
		assert_int_equal(prefix_cmp(&p, &q), 0);
		assert_int_equal(prefix_hash(&p), prefix_hash(&q));
		/* allow_bare changes nothing when a length is given */
		assert_int_equal(prefix_parse(g->in, &q, 1), 0);
		assert_int_equal(prefix_cmp(&p, &q), 0);
	}
}

static void
test_prefix_bad(void **state)
{
	struct prefix	 p;
	size_t		 i;

	assert_int_equal(prefix_parse(NULL, &p, 1), -1);
	for (i = 0; i < sizeof(bad_prefixes) / sizeof(bad_prefixes[0]); i++)
		if (prefix_parse(bad_prefixes[i], &p, 0) != -1)
			fail_msg("prefix_parse(\"%s\") accepted",
			    bad_prefixes[i]);
	/* with allow_bare only the two bare host addresses become valid */
	for (i = 0; i < sizeof(bad_prefixes) / sizeof(bad_prefixes[0]); i++) {
		const char	*s = bad_prefixes[i];
		int		 bare = strcmp(s, "1.2.3.4") == 0 ||
				    strcmp(s, "2001:db8::1") == 0;

		if (prefix_parse(s, &p, 1) != (bare ? 0 : -1))
			fail_msg("prefix_parse(\"%s\", bare) wrong", s);
	}
	/* every bad address is a bad prefix too, bare or not */
	for (i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		if (strcmp(bad_addrs[i], "1.2.3.4/32") == 0 ||
		    strcmp(bad_addrs[i], "2001:db8::1/128") == 0)
			continue;
		if (prefix_parse(bad_addrs[i], &p, 1) != -1)
			fail_msg("prefix_parse(\"%s\", bare) accepted",
			    bad_addrs[i]);
	}
}

static void
test_prefix_bare(void **state)
{
	char		 buf[PREFIX_STRLEN];
	struct prefix	 p;

	assert_int_equal(prefix_parse("192.0.2.10", &p, 1), 0);
	assert_int_equal(p.len, 32);
	assert_true(prefix_is_host(&p));
	assert_string_equal(prefix_fmt(&p, buf, sizeof(buf)),
	    "192.0.2.10/32");
	assert_int_equal(prefix_parse("2001:db8::10", &p, 1), 0);
	assert_int_equal(p.len, 128);
	assert_true(prefix_is_host(&p));
	assert_string_equal(prefix_fmt(&p, buf, sizeof(buf)),
	    "2001:db8::10/128");
	assert_int_equal(prefix_parse("192.0.2.10", &p, 0), -1);
}

static void
test_prefix_untouched_on_error(void **state)
{
	struct prefix	 p, before;

	assert_int_equal(prefix_parse("192.0.2.10/32", &p, 0), 0);
	before = p;
	assert_int_equal(prefix_parse("192.0.2.11/33", &p, 0), -1);
	assert_int_equal(prefix_parse("192.0.2.1/24", &p, 0), -1);
	assert_memory_equal(&p, &before, sizeof(p));
}

static void
test_fmt_small_buffer(void **state)
{
	char		 buf[8], big[16];
	struct addr	 a;
	struct prefix	 p;

	assert_int_equal(addr_parse("192.0.2.100", &a), 0);
	assert_string_equal(addr_fmt(&a, buf, sizeof(buf)), "");
	assert_int_equal(prefix_parse("1.2.3.4/32", &p, 0), 0);
	assert_string_equal(prefix_fmt(&p, buf, sizeof(buf)), "");
	assert_int_equal(prefix_parse("1.2.3.0/24", &p, 0), 0);
	assert_string_equal(prefix_fmt(&p, buf, sizeof(buf)), "");
	/* "1.0.0.0/8" needs exactly 10 bytes */
	assert_int_equal(prefix_parse("1.0.0.0/8", &p, 0), 0);
	assert_string_equal(prefix_fmt(&p, big, 9), "");
	assert_string_equal(prefix_fmt(&p, big, 10), "1.0.0.0/8");
	/* "1.2.3.4" needs exactly 8 */
	assert_string_equal(addr_fmt(&p.addr, big, 9), "1.0.0.0");
	assert_string_equal(addr_fmt(&p.addr, big, 7), "");
}

/* IPv4 is formatted by hand: every octet value, as inet_ntop writes it */
static void
test_fmt_v4_every_octet(void **state)
{
	char		 buf[ADDR_STRLEN], want[ADDR_STRLEN];
	struct addr	 a;
	int		 v, pos;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	for (pos = 0; pos < 4; pos++)
		for (v = 0; v < 256; v++) {
			memset(a.u.bytes, pos == 0 ? 7 : 0, 4);
			a.u.bytes[pos] = (uint8_t)v;
			assert_non_null(inet_ntop(AF_INET, a.u.bytes, want,
			    sizeof(want)));
			assert_string_equal(addr_fmt(&a, buf, sizeof(buf)),
			    want);
		}
	/* "255.255.255.255" needs exactly 16 bytes */
	memset(a.u.bytes, 255, 4);
	assert_string_equal(addr_fmt(&a, buf, 16), "255.255.255.255");
	assert_string_equal(addr_fmt(&a, buf, 15), "");
}

static int
cmp_strs(const char *a, const char *b)
{
	struct addr	 x, y;

	assert_int_equal(addr_parse(a, &x), 0);
	assert_int_equal(addr_parse(b, &y), 0);
	return addr_cmp(&x, &y);
}

static void
test_addr_cmp(void **state)
{
	/* ascending; each element compares below every later one */
	static const char *const order[] = {
		"0.0.0.0", "0.0.0.1", "1.0.0.0", "9.255.255.255",
		"10.0.0.0", "192.0.2.9", "192.0.2.10", "192.0.2.100",
		"255.255.255.255",
		"::", "::1", "::ffff:0.0.0.0", "::ffff:192.0.2.1",
		"2001:db8::", "2001:db8::1", "2001:db8::2", "2001:db8::10",
		"2001:db8:0:1::", "fe80::1", "ffff::",
	};
	size_t	 n = sizeof(order) / sizeof(order[0]), i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int	 r = cmp_strs(order[i], order[j]);
			int	 want = i < j ? -1 : i > j ? 1 : 0;

			if (r != want)
				fail_msg("addr_cmp(%s, %s) = %d, want %d",
				    order[i], order[j], r, want);
		}
}

static void
test_prefix_cmp(void **state)
{
	static const char *const order[] = {
		"0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/32",
		"10.0.0.1/32", "192.0.2.0/24", "192.0.2.10/32",
		"::/0", "2001:db8::/32", "2001:db8::/64", "2001:db8::1/128",
	};
	size_t		 n = sizeof(order) / sizeof(order[0]), i, j;
	struct prefix	 a, b;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int	 want = i < j ? -1 : i > j ? 1 : 0;

			assert_int_equal(prefix_parse(order[i], &a, 0), 0);
			assert_int_equal(prefix_parse(order[j], &b, 0), 0);
			if (prefix_cmp(&a, &b) != want)
				fail_msg("prefix_cmp(%s, %s) != %d",
				    order[i], order[j], want);
		}
}

static void
test_prefix_hash(void **state)
{
	enum { N = 4096 };
	uint64_t	*h;		/* the 32-bit hashes, for tl_u64cmp */
	unsigned int	 buckets[256];
	struct prefix	 p, q;
	size_t		 i, dups = 0, maxb = 0;
	char		 s[PREFIX_STRLEN];

	/* equal prefixes hash equal whatever the input spelling */
	assert_int_equal(prefix_parse("2001:0DB8:0::1/128", &p, 0), 0);
	assert_int_equal(prefix_parse("2001:db8::1/128", &q, 0), 0);
	assert_int_equal(prefix_hash(&p), prefix_hash(&q));
	/* same address bytes, other family or length: differ */
	assert_int_equal(prefix_parse("10.0.0.0/8", &p, 0), 0);
	assert_int_equal(prefix_parse("10.0.0.0/16", &q, 0), 0);
	assert_int_not_equal(prefix_hash(&p), prefix_hash(&q));
	assert_int_equal(prefix_parse("::/0", &p, 0), 0);
	assert_int_equal(prefix_parse("0.0.0.0/0", &q, 0), 0);
	assert_int_not_equal(prefix_hash(&p), prefix_hash(&q));

	/* sequential host routes spread over a small power-of-two table */
	h = calloc(N, sizeof(*h));
	assert_non_null(h);
	memset(buckets, 0, sizeof(buckets));
	for (i = 0; i < N; i++) {
		snprintf(s, sizeof(s), "192.0.%zu.%zu/32", i / 256, i % 256);
		assert_int_equal(prefix_parse(s, &p, 0), 0);
		h[i] = prefix_hash(&p);
		buckets[h[i] & 255]++;
	}
	qsort(h, N, sizeof(*h), tl_u64cmp);
	for (i = 1; i < N; i++)
		if (h[i] == h[i - 1])
			dups++;
	for (i = 0; i < 256; i++)
		if (buckets[i] > maxb)
			maxb = buckets[i];
	free(h);
	assert_int_equal(dups, 0);
	/* mean 16 per bucket; a weak hash piles them up far beyond 3x */
	assert_true(maxb < 48);
}

static void
test_host_and_family(void **state)
{
	struct prefix	 p;

	assert_int_equal(prefix_parse("192.0.2.0/31", &p, 0), 0);
	assert_false(prefix_is_host(&p));
	assert_int_equal(prefix_parse("2001:db8::/127", &p, 0), 0);
	assert_false(prefix_is_host(&p));
	assert_int_equal(prefix_parse("2001:db8::/32", &p, 0), 0);
	assert_false(prefix_is_host(&p));	/* /32 of IPv6 is no host */
	assert_string_equal(addr_family_name(&p.addr), "ipv6");
	assert_int_equal(addr_maxlen(&p.addr), 128);
}

struct contain {
	const char	*net;
	const char	*p;
	int		 want;
};

/* the edges of networks: first and last address, one beyond, lengths */
static const struct contain contains[] = {
	{ "192.0.2.0/24", "192.0.2.0/24", 1 },		/* itself */
	{ "192.0.2.0/24", "192.0.2.0/32", 1 },		/* first */
	{ "192.0.2.0/24", "192.0.2.255/32", 1 },	/* last */
	{ "192.0.2.0/24", "192.0.2.128/25", 1 },
	{ "192.0.2.0/24", "192.0.3.0/32", 0 },		/* one beyond */
	{ "192.0.2.0/24", "192.0.1.255/32", 0 },	/* one before */
	{ "192.0.2.0/24", "192.0.2.0/23", 0 },		/* shorter */
	{ "192.0.2.0/24", "192.0.0.0/16", 0 },
	{ "192.0.2.128/25", "192.0.2.128/32", 1 },
	{ "192.0.2.128/25", "192.0.2.255/32", 1 },
	{ "192.0.2.128/25", "192.0.2.127/32", 0 },
	{ "198.51.100.0/22", "198.51.103.255/32", 1 },	/* inside an octet */
	{ "198.51.100.0/22", "198.51.104.0/32", 0 },
	{ "198.51.100.0/22", "198.51.99.255/32", 0 },
	{ "192.0.2.10/32", "192.0.2.10/32", 1 },
	{ "192.0.2.10/32", "192.0.2.11/32", 0 },
	{ "192.0.2.11/31", "192.0.2.10/32", 0 },	/* not parsed: host bits */
	{ "0.0.0.0/0", "255.255.255.255/32", 1 },
	{ "0.0.0.0/0", "0.0.0.0/0", 1 },
	{ "0.0.0.0/0", "::/128", 0 },			/* other family */
	{ "::/0", "2001:db8::1/128", 1 },
	{ "::/0", "192.0.2.1/32", 0 },
	{ "192.0.2.0/24", "::ffff:192.0.2.1/128", 0 },	/* mapped: IPv6 */
	{ "2001:db8::/32", "2001:db8::/32", 1 },
	{ "2001:db8::/32", "2001:db8::/128", 1 },
	{ "2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128", 1 },
	{ "2001:db8::/32", "2001:db9::/128", 0 },
	{ "2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff/128", 0 },
	{ "2001:db8::/32", "2001:db8::/31", 0 },
	{ "2001:db8::/127", "2001:db8::1/128", 1 },
	{ "2001:db8::/127", "2001:db8::2/128", 0 },
	{ "2001:db8:0:0:8000::/65", "2001:db8::8000:0:0:1/128", 1 },
	{ "2001:db8:0:0:8000::/65", "2001:db8::7fff:ffff:ffff:ffff/128", 0 },
	{ "2001:db8::1/128", "2001:db8::1/128", 1 },
	{ "2001:db8::1/128", "2001:db8::/128", 0 },
};

static void
test_prefix_contains(void **state)
{
	struct prefix	 net, p;
	size_t		 i;

	for (i = 0; i < sizeof(contains) / sizeof(contains[0]); i++) {
		if (prefix_parse(contains[i].net, &net, 0) == -1) {
			/* a network with host bits set is no network */
			assert_string_equal(contains[i].net, "192.0.2.11/31");
			continue;
		}
		assert_int_equal(prefix_parse(contains[i].p, &p, 0), 0);
		if (prefix_contains(&net, &p) != contains[i].want)
			fail_msg("prefix_contains(%s, %s) != %d",
			    contains[i].net, contains[i].p, contains[i].want);
		/* host routes: the address form agrees */
		if (prefix_is_host(&p) &&
		    prefix_contains_addr(&net, &p.addr) != contains[i].want)
			fail_msg("prefix_contains_addr(%s, %s) != %d",
			    contains[i].net, contains[i].p, contains[i].want);
	}
}

static void
set_of(struct prefix_set *s, const char *const *nets, size_t n)
{
	struct prefix	*v;
	size_t		 i;

	v = calloc(n > 0 ? n : 1, sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < n; i++)
		assert_int_equal(prefix_parse(nets[i], &v[i], 1), 0);
	prefix_set_init(s, v, n);
	free(v);
}

static int
set_has(const struct prefix_set *s, const char *p)
{
	struct prefix	 x;

	assert_int_equal(prefix_parse(p, &x, 1), 0);
	return prefix_set_match(s, &x);
}

static void
test_prefix_set(void **state)
{
	static const char *const nets[] = {
		"192.0.2.0/25", "198.51.100.7", "2001:db8:1::/48",
		"2001:db8::10/128", "198.51.100.7/32", "192.0.2.0/25",
	};
	static const char *const same[] = {
		"2001:db8::10", "198.51.100.7/32", "2001:db8:1::/48",
		"192.0.2.0/25",
	};
	/* a prefix, and whether the set of nets holds it */
	static const struct {
		const char	*p;
		int		 in;
	} probes[] = {
		{ "192.0.2.0/32", 1 },
		{ "192.0.2.127/32", 1 },
		{ "192.0.2.128/32", 0 },
		{ "192.0.2.0/25", 1 },
		{ "192.0.2.0/24", 0 },
		{ "198.51.100.7/32", 1 },
		{ "198.51.100.6/32", 0 },
		{ "198.51.100.6/31", 0 },
		{ "2001:db8:1:ffff::1/128", 1 },
		{ "2001:db8:2::1/128", 0 },
		{ "2001:db8::10/128", 1 },
		{ "2001:db8::11/128", 0 },
		{ "::ffff:192.0.2.1/128", 0 },
	};
	struct prefix_set s, t;
	struct addr	 a;
	size_t		 i;

	set_of(&s, nets, sizeof(nets) / sizeof(nets[0]));
	assert_int_equal(s.n, 4);	/* duplicates merged */
	assert_int_equal(s.nlens[0], 2);	/* 25, 32 */
	assert_int_equal(s.nlens[1], 2);	/* 48, 128 */
	for (i = 0; i < TL_NITEMS(probes); i++)
		if ((set_has(&s, probes[i].p) != 0) != probes[i].in)
			fail_msg("%s: %s the set", probes[i].p,
			    probes[i].in ? "not in" : "in");
	assert_int_equal(addr_parse("198.51.100.7", &a), 0);
	assert_true(prefix_set_match_addr(&s, &a));
	assert_int_equal(addr_parse("2001:db8:1::", &a), 0);
	assert_true(prefix_set_match_addr(&s, &a));
	assert_int_equal(addr_parse("2001:db8::", &a), 0);
	assert_false(prefix_set_match_addr(&s, &a));

	/* equality ignores order, duplicates and spelling */
	set_of(&t, same, sizeof(same) / sizeof(same[0]));
	assert_true(prefix_set_equal(&s, &t));
	prefix_set_free(&t);
	set_of(&t, same, 3);
	assert_false(prefix_set_equal(&s, &t));
	prefix_set_free(&t);

	/* empty: nothing matches, not even ::/0's members */
	set_of(&t, NULL, 0);
	assert_false(set_has(&t, "0.0.0.0/0"));
	assert_false(set_has(&t, "2001:db8::1"));
	prefix_set_free(&t);
	prefix_set_free(&s);
}

/* the set agrees with prefix_contains over every member, at random */
static void
test_prefix_set_brute(void **state)
{
	enum { NNET = 200, NPROBE = 20000 };
	struct prefix	*nets, p;
	struct prefix_set s;
	unsigned int	 seed = 179;
	size_t		 i, j, hits = 0;
	int		 want, v6, len;

	nets = calloc(NNET, sizeof(*nets));
	assert_non_null(nets);
	for (i = 0; i < NNET; i++) {
		memset(&p, 0, sizeof(p));
		v6 = i % 2;
		p.addr.family = v6 ? AF_INET6 : AF_INET;
		/* documentation ranges, so the probes land near them */
		/* networks in half the space the probes cover */
		if (v6) {
			memcpy(p.addr.u.bytes, "\x20\x01\x0d\xb8", 4);
			p.addr.u.bytes[4] = (uint8_t)(rand_r(&seed) % 2);
			p.addr.u.bytes[15] = (uint8_t)rand_r(&seed);
			len = 40 + rand_r(&seed) % 89;
		} else {
			memcpy(p.addr.u.bytes, "\xc0\x00\x02", 3);
			p.addr.u.bytes[3] = (uint8_t)rand_r(&seed);
			len = 20 + rand_r(&seed) % 13;
		}
		/* a network: host bits cleared */
		nets[i] = p;
		nets[i].len = (uint8_t)len;
		for (j = (size_t)len; j < (v6 ? 128u : 32u); j++)
			nets[i].addr.u.bytes[j / 8] &=
			    (uint8_t)~(0x80 >> (j % 8));
	}
	prefix_set_init(&s, nets, NNET);
	for (i = 0; i < NPROBE; i++) {
		memset(&p, 0, sizeof(p));
		v6 = rand_r(&seed) % 2;
		p.addr.family = v6 ? AF_INET6 : AF_INET;
		if (v6) {
			memcpy(p.addr.u.bytes, "\x20\x01\x0d\xb8", 4);
			p.addr.u.bytes[4] = (uint8_t)(rand_r(&seed) % 4);
			p.addr.u.bytes[15] = (uint8_t)rand_r(&seed);
			p.len = 128;
		} else {
			memcpy(p.addr.u.bytes, "\xc0\x00", 2);
			p.addr.u.bytes[2] = (uint8_t)(2 + rand_r(&seed) % 32);
			p.addr.u.bytes[3] = (uint8_t)rand_r(&seed);
			p.len = 32;
		}
		want = 0;
		for (j = 0; j < NNET && !want; j++)
			want = prefix_contains(&nets[j], &p);
		hits += (size_t)want;
		if (prefix_set_match(&s, &p) != want)
			fail_msg("set and prefix_contains disagree on probe "
			    "%zu", i);
	}
	/* the probes hit and missed both */
	assert_true(hits > NPROBE / 20 && hits < NPROBE - NPROBE / 20);
	prefix_set_free(&s);
	free(nets);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_good),
		cmocka_unit_test(test_addr_bad),
		cmocka_unit_test(test_prefix_good),
		cmocka_unit_test(test_prefix_bad),
		cmocka_unit_test(test_prefix_bare),
		cmocka_unit_test(test_prefix_untouched_on_error),
		cmocka_unit_test(test_fmt_small_buffer),
		cmocka_unit_test(test_fmt_v4_every_octet),
		cmocka_unit_test(test_addr_cmp),
		cmocka_unit_test(test_prefix_cmp),
		cmocka_unit_test(test_prefix_hash),
		cmocka_unit_test(test_host_and_family),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_prefix_set),
		cmocka_unit_test(test_prefix_set_brute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
