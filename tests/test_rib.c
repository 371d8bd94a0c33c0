/*
 * test_rib.c - the listener's table: replace, withdraw, peer down,
 * several peers, community rules, limits, End-of-RIB gating, reload;
 * and, data-driven, every real capture in fixtures/exabgp-4.2 against
 * the map its NAME.expected.json gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <jansson.h>

#include "addr.h"
#include "community.h"
#include "conf.h"
#include "listen.h"
#include "testlib.h"


#define P1	"169.254.179.1"
#define P2	"fd00:179::1"
#define P3	"192.0.2.254"

static int
peer_state(struct rib *rib, const char *peer, const char *st)
{
	return tl_feedf(rib, "{ \"type\": \"state\", \"neighbor\": { "
	    "\"address\": { \"local\": \"x\", \"peer\": \"%s\" }, "
	    "\"state\": \"%s\" } }", peer, st);
}

static int
eor(struct rib *rib, const char *peer, const char *afi)
{
	return tl_feedf(rib, "{ \"type\": \"update\", \"neighbor\": {"
	    " \"address\": { \"peer\": \"%s\" }, \"direction\": \"receive\", "
	    "\"message\": { \"eor\": { \"afi\": \"%s\", \"safi\": "
	    "\"unicast\" } } } }", peer, afi);
}

/*
 * announce space-separated prefixes (all of one family) with the JSON
 * lists comm (standard) and large (may be NULL)
 */
static int
announce(struct rib *rib, const char *peer, const char *prefixes,
    const char *comm, const char *large)
{
	char	 list[4096], buf[128];
	const char *p = prefixes, *sp;
	size_t	 off = 0;
	int	 v6 = strchr(prefixes, ':') != NULL;

	list[0] = '\0';
	while (*p != '\0') {
		sp = strchr(p, ' ');
		snprintf(buf, sizeof(buf), "%.*s",
		    (int)(sp != NULL ? (size_t)(sp - p) : strlen(p)), p);
		off += (size_t)snprintf(list + off, sizeof(list) - off,
		    "%s{ \"nlri\": \"%s\" }", off ? ", " : "", buf);
		p = sp != NULL ? sp + 1 : p + strlen(p);
	}
	return tl_feedf(rib, "{ \"type\": \"update\", \"neighbor\": {"
	    " \"address\": { \"peer\": \"%s\" }, \"direction\": \"receive\", "
	    "\"message\": { \"update\": { \"attribute\": { \"origin\": \"igp\""
	    "%s%s%s%s }, \"announce\": { \"%s unicast\": { \"%s\": [ %s ] } } "
	    "} } } }", peer, comm ? ", \"community\": " : "", comm ? comm : "",
	    large ? ", \"large-community\": " : "", large ? large : "",
	    v6 ? "ipv6" : "ipv4", peer, list);
}

static int
withdraw(struct rib *rib, const char *peer, const char *prefix)
{
	return tl_feedf(rib, "{ \"type\": \"update\", \"neighbor\": {"
	    " \"address\": { \"peer\": \"%s\" }, \"message\": { \"update\": { "
	    "\"withdraw\": { \"%s unicast\": [ { \"nlri\": \"%s\" } ] } } } "
	    "} }", peer, strchr(prefix, ':') ? "ipv6" : "ipv4", prefix);
}

/*
 * announce one prefix through next hop nh with extra attributes attrs
 * (JSON members after "origin", may be NULL)
 */
static int
announce_nh(struct rib *rib, const char *peer, const char *prefix,
    const char *nh, const char *attrs)
{
	return tl_feedf(rib, "{ \"type\": \"update\", \"neighbor\": {"
	    " \"address\": { \"peer\": \"%s\" }, \"direction\": \"receive\", "
	    "\"message\": { \"update\": { \"attribute\": { \"origin\": \"igp\""
	    "%s%s }, \"announce\": { \"%s unicast\": { \"%s\": [ { \"nlri\": "
	    "\"%s\" } ] } } } } } }", peer, attrs ? ", " : "", attrs ? attrs : "",
	    strchr(prefix, ':') ? "ipv6" : "ipv4", nh, prefix);
}

/* backend i of port in a fresh view; 0 if the port has fewer */
static int
backend_of(struct rib *rib, uint16_t port, size_t i,
    struct rib_backend_info *b, struct rib_view *v)
{
	size_t	 pi;

	rib_view(rib, v);
	pi = rib_view_port(v, port);
	if (pi == RIB_VIEW_NONE || i >= RIB_VIEW_COUNT(v, pi)) {
		rib_view_free(v);
		return 0;
	}
	rib_view_backend(v, pi, i, b);
	return 1;
}

/* the map as compact JSON text, keys sorted: easy to compare */
static void
assert_map(struct rib *rib, const char *want)
{
	json_t		*map = context_map(rib), *w;
	json_error_t	 jerr;
	char		*got;

	w = json_loads(want, 0, &jerr);
	if (w == NULL)
		fail_msg("bad expectation %s: %s", want, jerr.text);
	if (!json_equal(map, w)) {
		got = json_dumps(map, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("map %s, wanted %s", got, want);
	}
	json_decref(w);
	json_decref(map);
}

static void
test_replace(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);
	uint64_t	 gen;

	assert_int_equal(peer_state(rib, P1, "up"), 0);
	assert_int_equal(announce(rib, P1, "192.0.2.10/32",
	    "[[12345, 443], [12345, 8080]]", NULL), 1);
	assert_map(rib, "{\"443\": [\"192.0.2.10\"], "
	    "\"8080\": [\"192.0.2.10\"]}");
	gen = rib_generation(rib);
	/* identical re-announcement, other order, duplicates: no change */
	assert_int_equal(announce(rib, P1, "192.0.2.10/32",
	    "[[12345, 8080], [12345, 443], [12345, 443]]", NULL), 0);
	assert_int_equal(rib_generation(rib), gen);
	/* a re-announcement replaces the whole set */
	assert_int_equal(announce(rib, P1, "192.0.2.10/32",
	    "[[12345, 80], [12345, 443]]", NULL), 1);
	assert_true(rib_generation(rib) > gen);
	assert_map(rib, "{\"80\": [\"192.0.2.10\"], "
	    "\"443\": [\"192.0.2.10\"]}");
	/* without any community: an implicit withdraw */
	assert_int_equal(announce(rib, P1, "192.0.2.10/32", NULL, NULL), 1);
	assert_map(rib, "{}");
	assert_int_equal(rib_nroutes(rib), 0);
	rib_free(rib);
}

static void
test_withdraw(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);
	uint64_t	 gen;

	peer_state(rib, P1, "up");
	peer_state(rib, P2, "up");
	announce(rib, P1, "192.0.2.1/32 192.0.2.2/32", "[[12345, 80]]", NULL);
	announce(rib, P2, "2001:db8::1/128", "[[12345, 80]]", NULL);
	assert_int_equal(rib_nroutes(rib), 3);
	assert_int_equal(withdraw(rib, P1, "192.0.2.1/32"), 1);
	assert_map(rib, "{\"80\": [\"192.0.2.2\", \"2001:db8::1\"]}");
	gen = rib_generation(rib);
	/* unknown prefix, twice the same, another peer's prefix: no-ops */
	assert_int_equal(withdraw(rib, P1, "198.51.100.77/32"), 0);
	assert_int_equal(withdraw(rib, P1, "192.0.2.1/32"), 0);
	assert_int_equal(withdraw(rib, P1, "2001:db8::1/128"), 0);
	assert_int_equal(rib_generation(rib), gen);
	assert_int_equal(withdraw(rib, P2, "2001:db8::1/128"), 1);
	assert_map(rib, "{\"80\": [\"192.0.2.2\"]}");
	assert_int_equal(rib_nroutes(rib), 1);
	rib_free(rib);
}

/* one line with a withdraw and an announce of the same prefix */
static void
test_withdraw_then_announce(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);

	peer_state(rib, P1, "up");
	tl_feed(rib, "{ \"type\": \"update\", \"neighbor\": { \"address\": { "
	    "\"peer\": \"" P1 "\" }, \"message\": { \"update\": { "
	    "\"attribute\": { \"community\": [[12345, 22]] }, \"withdraw\": { "
	    "\"ipv4 unicast\": [ \"192.0.2.5/32\" ] }, \"announce\": { "
	    "\"ipv4 unicast\": { \"" P1 "\": [ \"192.0.2.5/32\" ] } } } } } }");
	assert_map(rib, "{\"22\": [\"192.0.2.5\"]}");
	rib_free(rib);
}

static void
test_peer_down(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);

	peer_state(rib, P1, "up");
	peer_state(rib, P2, "up");
	announce(rib, P1, "192.0.2.1/32 192.0.2.2/32", "[[12345, 80]]", NULL);
	announce(rib, P2, "2001:db8::1/128", "[[12345, 443]]", NULL);
	assert_int_equal(peer_state(rib, P1, "down"), 1);
	assert_map(rib, "{\"443\": [\"2001:db8::1\"]}");
	assert_int_equal(rib_nroutes(rib), 1);
	/* a down of a peer without routes changes nothing */
	assert_int_equal(peer_state(rib, P1, "down"), 0);
	assert_int_equal(peer_state(rib, P3, "down"), 0);
	/* coming back: an empty table until it re-sends */
	assert_int_equal(peer_state(rib, P1, "connected"), 0);
	assert_int_equal(peer_state(rib, P1, "up"), 0);
	assert_map(rib, "{\"443\": [\"2001:db8::1\"]}");
	announce(rib, P1, "192.0.2.2/32", "[[12345, 80]]", NULL);
	assert_map(rib, "{\"80\": [\"192.0.2.2\"], "
	    "\"443\": [\"2001:db8::1\"]}");
	/* an "up" without a "down" before: the peer re-sends everything */
	assert_int_equal(peer_state(rib, P1, "up"), 1);
	assert_map(rib, "{\"443\": [\"2001:db8::1\"]}");
	rib_free(rib);
}

static void
test_two_peers(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);

	peer_state(rib, P1, "up");
	peer_state(rib, P3, "up");
	announce(rib, P1, "192.0.2.10/32", "[[12345, 443], [12345, 80]]",
	    NULL);
	assert_int_equal(announce(rib, P3, "192.0.2.10/32", "[[12345, 443]]",
	    NULL), 0);	/* already a backend of 443 */
	assert_map(rib, "{\"80\": [\"192.0.2.10\"], "
	    "\"443\": [\"192.0.2.10\"]}");
	/* the first peer withdraws: 443 stays (second peer), 80 goes */
	assert_int_equal(withdraw(rib, P1, "192.0.2.10/32"), 1);
	assert_map(rib, "{\"443\": [\"192.0.2.10\"]}");
	assert_int_equal(withdraw(rib, P3, "192.0.2.10/32"), 1);
	assert_map(rib, "{}");

	/* same with a peer going down instead of withdrawing */
	announce(rib, P1, "192.0.2.10/32", "[[12345, 443]]", NULL);
	announce(rib, P3, "192.0.2.10/32", "[[12345, 443]]", NULL);
	assert_int_equal(peer_state(rib, P3, "down"), 0);
	assert_map(rib, "{\"443\": [\"192.0.2.10\"]}");
	/* one peer changes its ports, the other's still hold */
	assert_int_equal(announce(rib, P1, "192.0.2.10/32", "[[12345, 8443]]",
	    NULL), 1);
	assert_map(rib, "{\"8443\": [\"192.0.2.10\"]}");
	rib_free(rib);
}

static void
test_communities(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);

	peer_state(rib, P1, "up");
	/* foreign ASNs, well-known ones, port 0: no port */
	assert_int_equal(announce(rib, P1, "192.0.2.1/32",
	    "[[65000, 443], [64512, 80], [65535, 65281], [12345, 0]]", NULL),
	    0);
	assert_map(rib, "{}");
	/* kept for a reload to another ASN; port 0 alone is never kept */
	assert_int_equal(rib_nroutes(rib), 1);
	assert_int_equal(announce(rib, P1, "192.0.2.9/32", "[[12345, 0]]",
	    "[[12345, 0, 0], [12345, 7, 443]]"), 0);
	assert_int_equal(rib_nroutes(rib), 1);
	/* large communities do not count in standard mode */
	assert_int_equal(announce(rib, P1, "192.0.2.2/32", NULL,
	    "[[12345, 0, 443]]"), 0);
	/* 65535 is a port; a mix keeps only ours */
	assert_int_equal(announce(rib, P1, "192.0.2.3/32",
	    "[[12345, 65535], [65000, 22], [12345, 53]]", "[[12345, 0, 80]]"),
	    1);
	assert_map(rib, "{\"53\": [\"192.0.2.3\"], "
	    "\"65535\": [\"192.0.2.3\"]}");
	rib_free(rib);
}

static void
test_large_mode(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 1, 1, 0);

	peer_state(rib, P1, "up");
	/* standard ones are ignored in large mode */
	assert_int_equal(announce(rib, P1, "192.0.2.1/32", "[[12345, 443]]",
	    NULL), 0);
	/* only ASN:0:port */
	assert_int_equal(announce(rib, P1, "192.0.2.2/32", "[[12345, 443]]",
	    "[[12345, 0, 443], [12345, 1, 8080], [65000, 0, 22], "
	    "[12345, 0, 0], [12345, 0, 70000]]"), 1);
	assert_map(rib, "{\"443\": [\"192.0.2.2\"]}");
	rib_free(rib);

	/* a 32-bit ASN */
	rib = tl_rib_new(4200000000u, 1, 1, 0);
	peer_state(rib, P2, "up");
	announce(rib, P2, "2001:db8::5/128", "[[65535, 443]]",
	    "[[4200000000, 0, 443], [4200000000, 0, 80]]");
	assert_map(rib, "{\"80\": [\"2001:db8::5\"], "
	    "\"443\": [\"2001:db8::5\"]}");
	rib_free(rib);

	/* a 32-bit ASN never matches a standard community */
	rib = tl_rib_new(70000, 0, 1, 0);
	peer_state(rib, P1, "up");
	announce(rib, P1, "192.0.2.1/32", "[[4464, 443]]", NULL);
	assert_map(rib, "{}");
	rib_free(rib);
}

static void
test_host_routes(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);

	peer_state(rib, P1, "up");
	peer_state(rib, P2, "up");
	assert_int_equal(announce(rib, P1, "198.51.100.0/24 192.0.2.0/31",
	    "[[12345, 80]]", NULL), 0);
	assert_int_equal(announce(rib, P2, "2001:db8::/64", "[[12345, 80]]",
	    NULL), 0);
	assert_int_equal(rib_nroutes(rib), 0);
	rib_free(rib);

	rib = tl_rib_new(12345, 0, 0, 0);
	peer_state(rib, P1, "up");
	announce(rib, P1, "198.51.100.0/24 198.51.100.0/32 192.0.2.7/32",
	    "[[12345, 80]]", NULL);
	/* one IP for two prefixes of the same address */
	assert_map(rib, "{\"80\": [\"192.0.2.7\", \"198.51.100.0\"]}");
	assert_int_equal(rib_nroutes(rib), 3);
	rib_free(rib);
}

static void
test_max_routes(void **state)
{
	struct rib		*rib = tl_rib_new(12345, 0, 1, 2);
	struct rib_peer_stat	*ps;
	size_t			 n;

	peer_state(rib, P1, "up");
	peer_state(rib, P3, "up");
	announce(rib, P1, "192.0.2.1/32 192.0.2.2/32 192.0.2.3/32 "
	    "192.0.2.4/32", "[[12345, 80]]", NULL);
	assert_int_equal(rib_nroutes(rib), 2);
	assert_map(rib, "{\"80\": [\"192.0.2.1\", \"192.0.2.2\"]}");
	/* existing routes can still change and go */
	assert_int_equal(announce(rib, P1, "192.0.2.2/32", "[[12345, 443]]",
	    NULL), 1);
	assert_map(rib, "{\"80\": [\"192.0.2.1\"], \"443\": [\"192.0.2.2\"]}");
	/* the limit is per peer */
	announce(rib, P3, "192.0.2.3/32", "[[12345, 80]]", NULL);
	assert_int_equal(rib_nroutes(rib), 3);
	n = rib_peers(rib, &ps);
	assert_int_equal(n, 2);
	assert_int_equal(ps[0].routes, 2);	/* 169.254.179.1 */
	assert_int_equal(ps[0].refused, 2);
	assert_int_equal(ps[1].routes, 1);	/* 192.0.2.254 */
	assert_int_equal(ps[1].refused, 0);
	free(ps);
	/* room again after a withdraw */
	withdraw(rib, P1, "192.0.2.1/32");
	assert_int_equal(announce(rib, P1, "192.0.2.4/32", "[[12345, 22]]",
	    NULL), 1);
	assert_map(rib, "{\"22\": [\"192.0.2.4\"], \"80\": [\"192.0.2.3\"], "
	    "\"443\": [\"192.0.2.2\"]}");
	n = rib_peers(rib, &ps);
	assert_int_equal(ps[0].refused, 2);
	free(ps);
	rib_free(rib);
}

static void
test_eor_gating(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);

	assert_false(rib_all_eor(rib));		/* nobody up yet */
	peer_state(rib, P1, "connected");
	assert_false(rib_all_eor(rib));
	peer_state(rib, P1, "up");
	assert_false(rib_all_eor(rib));
	assert_int_equal(rib_peers_up(rib), 1);
	announce(rib, P1, "192.0.2.1/32", "[[12345, 80]]", NULL);
	assert_false(rib_all_eor(rib));
	eor(rib, P1, "ipv4");
	assert_true(rib_all_eor(rib));
	/* a peer that is only connected does not hold the render back */
	peer_state(rib, P2, "connected");
	assert_true(rib_all_eor(rib));
	peer_state(rib, P2, "up");
	assert_false(rib_all_eor(rib));
	/* a second family on the same session: still fine */
	eor(rib, P2, "ipv6");
	assert_true(rib_all_eor(rib));
	eor(rib, P2, "ipv4");
	assert_true(rib_all_eor(rib));
	/* a peer going down leaves the others */
	peer_state(rib, P1, "down");
	assert_true(rib_all_eor(rib));
	assert_int_equal(rib_peers_up(rib), 1);
	/* back up: it must send its EOR again */
	peer_state(rib, P1, "connected");
	assert_true(rib_all_eor(rib));
	peer_state(rib, P1, "up");
	assert_false(rib_all_eor(rib));
	eor(rib, P1, "ipv4");
	assert_true(rib_all_eor(rib));
	peer_state(rib, P1, "down");
	peer_state(rib, P2, "down");
	assert_false(rib_all_eor(rib));		/* nobody up */
	assert_int_equal(rib_peers_up(rib), 0);
	rib_free(rib);
}

static void
test_peers(void **state)
{
	struct rib		*rib = tl_rib_new(12345, 0, 1, 0);
	struct rib_peer_stat	*ps;
	char			 buf[ADDR_STRLEN];
	size_t			 n;

	peer_state(rib, P2, "up");
	peer_state(rib, P3, "connected");
	peer_state(rib, P1, "up");
	eor(rib, P1, "ipv4");
	eor(rib, P1, "ipv6");
	announce(rib, P2, "2001:db8::1/128 2001:db8::2/128", "[[12345, 1]]",
	    NULL);
	/* an empty update does not invent a peer */
	tl_feed(rib, "{ \"type\": \"update\", \"neighbor\": { \"address\": { "
	    "\"peer\": \"192.0.2.99\" }, \"message\": { \"update\": { "
	    "\"attribute\": { \"origin\": \"igp\" } } } } }");
	n = rib_peers(rib, &ps);
	assert_int_equal(n, 3);
	assert_string_equal(addr_fmt(&ps[0].addr, buf, sizeof(buf)), P1);
	assert_int_equal(ps[0].state, RIB_PEER_UP);
	assert_true(ps[0].eor);
	assert_int_equal(ps[0].eor_families,
	    (1u << EXABGP_FAMILY_IPV4) | (1u << EXABGP_FAMILY_IPV6));
	assert_int_equal(ps[0].ups, 1);
	assert_string_equal(addr_fmt(&ps[1].addr, buf, sizeof(buf)), P3);
	assert_int_equal(ps[1].state, RIB_PEER_CONNECTED);
	assert_string_equal(addr_fmt(&ps[2].addr, buf, sizeof(buf)), P2);
	assert_int_equal(ps[2].routes, 2);
	assert_false(ps[2].eor);
	free(ps);
	assert_string_equal(rib_peer_state_name(RIB_PEER_DOWN), "down");
	assert_string_equal(rib_peer_state_name(RIB_PEER_IDLE), "idle");
	rib_free(rib);
}

/* ---- accept filters ---- */

/* space-separated networks into v (at most 16); the count */
static size_t
nets(const char *list, struct prefix *v)
{
	char	 buf[512], *tok, *save = NULL;
	size_t	 n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		assert_true(n < 16);
		if (prefix_parse(tok, &v[n++], 1) == -1)
			fail_msg("bad test network %s", tok);
	}
	return n;
}

/* rc with filters (NULL: none); the arrays are only borrowed */
static void
filter_conf(struct rib_conf *rc, int host_only, const char *prefixes,
    const char *peers, struct prefix *vp, struct prefix *vr)
{
	memset(rc, 0, sizeof(*rc));
	rc->asn = 12345;
	rc->host_routes_only = host_only;
	if (prefixes != NULL) {
		rc->naccept_prefixes = nets(prefixes, vp);
		rc->accept_prefixes = vp;
	}
	if (peers != NULL) {
		rc->naccept_peers = nets(peers, vr);
		rc->accept_peers = vr;
	}
}

static struct rib *
new_rib_filtered(int host_only, const char *prefixes, const char *peers)
{
	struct rib_conf	 rc;
	struct prefix	 vp[16], vr[16];
	struct rib	*rib;

	filter_conf(&rc, host_only, prefixes, peers, vp, vr);
	rib = rib_new(&rc);
	/* rib_new copied them: scribbling on ours changes nothing */
	memset(vp, 0xff, sizeof(vp));
	memset(vr, 0xff, sizeof(vr));
	return rib;
}

/* 1 if the table knows peer a */
static int
has_peer(const struct rib *rib, const char *a)
{
	struct rib_peer_stat	*ps;
	char			 buf[ADDR_STRLEN];
	size_t			 n, i;
	int			 found = 0;

	n = rib_peers(rib, &ps);
	for (i = 0; i < n; i++)
		if (strcmp(addr_fmt(&ps[i].addr, buf, sizeof(buf)), a) == 0)
			found = 1;
	free(ps);
	return found;
}

/* the stats of peer a (must exist) */
static struct rib_peer_stat
peer_stat(const struct rib *rib, const char *a)
{
	struct rib_peer_stat	*ps, r;
	char			 buf[ADDR_STRLEN];
	size_t			 n, i;

	n = rib_peers(rib, &ps);
	for (i = 0; i < n; i++)
		if (strcmp(addr_fmt(&ps[i].addr, buf, sizeof(buf)), a) == 0)
			break;
	if (i == n)
		fail_msg("no peer %s", a);
	r = ps[i];
	free(ps);
	return r;
}

static void
test_accept_prefixes(void **state)
{
	struct rib		*rib = new_rib_filtered(0,
	    "192.0.2.0/25 2001:db8:1::/48 198.51.100.7", NULL);
	struct rib_peer_stat	 st;

	peer_state(rib, P1, "up");
	peer_state(rib, P2, "up");
	/* IPv4: the first and last address in, one beyond out */
	assert_int_equal(announce(rib, P1, "192.0.2.0/32 192.0.2.127/32 "
	    "192.0.2.128/32 192.0.1.255/32 198.51.100.7/32 198.51.100.6/32",
	    "[[12345, 80]]", NULL), 1);
	/* a network itself is inside; a shorter one is not */
	announce(rib, P1, "192.0.2.0/25 192.0.2.0/24", "[[12345, 22]]", NULL);
	/* IPv6 the same */
	announce(rib, P2, "2001:db8:1::/128", "[[12345, 80]]", NULL);
	announce(rib, P2, "2001:db8:1:ffff:ffff:ffff:ffff:ffff/128",
	    "[[12345, 80]]", NULL);
	announce(rib, P2, "2001:db8:2::/128", "[[12345, 80]]", NULL);
	announce(rib, P2, "2001:db8::ffff/128", "[[12345, 80]]", NULL);
	assert_map(rib, "{\"22\": [\"192.0.2.0\"], \"80\": [\"192.0.2.0\", "
	    "\"192.0.2.127\", \"198.51.100.7\", \"2001:db8:1::\", "
	    "\"2001:db8:1:ffff:ffff:ffff:ffff:ffff\"]}");
	assert_int_equal(rib_nroutes(rib), 6);
	assert_int_equal(rib_nignored(rib), 6);
	st = peer_stat(rib, P1);
	assert_int_equal(st.routes, 4);
	assert_int_equal(st.ignored, 4);
	assert_true(st.accepted);
	assert_int_equal(st.ignore_reason, RIB_IGNORE_PREFIX);
	assert_string_equal(rib_ignore_name(st.ignore_reason), "prefix");

	/* an ignored route announced again: still out, counted once */
	assert_int_equal(announce(rib, P1, "192.0.2.128/32", "[[12345, 80], "
	    "[12345, 443]]", NULL), 0);
	assert_int_equal(rib_nignored(rib), 6);
	/* one naming no port under these rules: stored, not counted */
	announce(rib, P1, "192.0.2.200/32", "[[65000, 80]]", NULL);
	assert_int_equal(rib_nignored(rib), 6);
	/* a withdraw of an ignored route: it stops counting */
	assert_int_equal(withdraw(rib, P1, "192.0.2.128/32"), 0);
	assert_int_equal(rib_nignored(rib), 5);
	assert_int_equal(peer_stat(rib, P1).ignored, 3);
	/* the session goes: so do its ignored routes, and the peer itself */
	peer_state(rib, P2, "down");
	assert_int_equal(rib_nignored(rib), 3);
	assert_false(has_peer(rib, P2));
	assert_map(rib, "{\"22\": [\"192.0.2.0\"], \"80\": [\"192.0.2.0\", "
	    "\"192.0.2.127\", \"198.51.100.7\"]}");
	rib_free(rib);
}

static void
test_accept_peers(void **state)
{
	struct rib		*rib = new_rib_filtered(1, NULL,
	    "169.254.179.0/24 fd00:179::1");
	struct rib_peer_stat	 st;

	/* peers as networks: edges of the /24, one beyond */
	peer_state(rib, P1, "up");
	peer_state(rib, "169.254.179.255", "up");
	peer_state(rib, "169.254.180.1", "up");
	peer_state(rib, P2, "up");
	peer_state(rib, "fd00:179::2", "up");
	peer_state(rib, P3, "up");
	assert_int_equal(rib_peers_up(rib), 3);	/* the accepted ones */
	announce(rib, P1, "192.0.2.1/32", "[[12345, 80]]", NULL);
	announce(rib, "169.254.179.255", "192.0.2.2/32", "[[12345, 80]]",
	    NULL);
	announce(rib, "169.254.180.1", "192.0.2.3/32", "[[12345, 80]]",
	    NULL);
	announce(rib, P2, "2001:db8::1/128", "[[12345, 80]]", NULL);
	announce(rib, "fd00:179::2", "2001:db8::2/128", "[[12345, 80]]",
	    NULL);
	/* a rogue peer announcing a legitimate host's /32 with a new port */
	assert_int_equal(announce(rib, P3, "192.0.2.1/32", "[[12345, 443]]",
	    NULL), 0);
	assert_map(rib, "{\"80\": [\"192.0.2.1\", \"192.0.2.2\", "
	    "\"2001:db8::1\"]}");
	st = peer_stat(rib, P3);
	assert_false(st.accepted);
	assert_int_equal(st.routes, 0);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(st.ignore_reason, RIB_IGNORE_PEER);
	assert_string_equal(rib_ignore_name(st.ignore_reason), "peer");
	assert_false(peer_stat(rib, "fd00:179::2").accepted);
	assert_true(peer_stat(rib, "169.254.179.255").accepted);
	assert_int_equal(rib_nroutes(rib), 3);
	assert_int_equal(rib_nignored(rib), 3);

	/* End-of-RIB: only the accepted peers hold the first render */
	eor(rib, P1, "ipv4");
	eor(rib, "169.254.179.255", "ipv4");
	assert_false(rib_all_eor(rib));
	eor(rib, P2, "ipv6");
	assert_true(rib_all_eor(rib));	/* three rogues never sent one */
	rib_free(rib);
}

/* a reload re-filters the stored table, narrower and wider */
static void
test_accept_reconf(void **state)
{
	struct rib	*rib = new_rib_filtered(1, NULL, NULL);
	struct rib_conf	 rc;
	struct prefix	 vp[16], vr[16];

	peer_state(rib, P1, "up");
	peer_state(rib, P3, "up");
	eor(rib, P1, "ipv4");
	announce(rib, P1, "192.0.2.1/32 198.51.100.1/32", "[[12345, 80]]",
	    NULL);
	announce(rib, P3, "192.0.2.9/32", "[[12345, 443]]", NULL);
	assert_false(rib_all_eor(rib));		/* P3 counts, no EOR */
	assert_map(rib, "{\"80\": [\"192.0.2.1\", \"198.51.100.1\"], "
	    "\"443\": [\"192.0.2.9\"]}");

	/* narrower: stored routes leave the map at once */
	filter_conf(&rc, 1, "192.0.2.0/24", P1, vp, vr);
	assert_int_equal(rib_reconf(rib, &rc), 1);
	assert_map(rib, "{\"80\": [\"192.0.2.1\"]}");
	assert_int_equal(rib_nroutes(rib), 1);
	assert_int_equal(rib_nignored(rib), 2);
	assert_true(rib_all_eor(rib));		/* P3 no longer counts */
	assert_int_equal(rib_peers_up(rib), 1);
	/* the same again: nothing changes */
	assert_int_equal(rib_reconf(rib, &rc), 0);
	/* a later update of an ignored route does not bring it back */
	announce(rib, P1, "198.51.100.1/32", "[[12345, 22]]", NULL);
	assert_map(rib, "{\"80\": [\"192.0.2.1\"]}");

	/* wider: the ignored routes come in without a re-announce */
	filter_conf(&rc, 1, "192.0.2.0/24 198.51.100.0/24", NULL, vp, vr);
	assert_int_equal(rib_reconf(rib, &rc), 1);
	assert_map(rib, "{\"22\": [\"198.51.100.1\"], \"80\": "
	    "[\"192.0.2.1\"], \"443\": [\"192.0.2.9\"]}");
	assert_int_equal(rib_nignored(rib), 0);
	assert_int_equal(rib_peers_up(rib), 2);
	assert_false(rib_all_eor(rib));
	/* no filters at all: as before */
	filter_conf(&rc, 1, NULL, NULL, vp, vr);
	assert_int_equal(rib_reconf(rib, &rc), 0);
	assert_int_equal(rib_nroutes(rib), 3);
	/* and the table keeps working after the rebuilds */
	withdraw(rib, P1, "192.0.2.1/32");
	peer_state(rib, P3, "down");
	assert_map(rib, "{\"22\": [\"198.51.100.1\"]}");
	rib_free(rib);
}

/*
 * Run fn with stderr into a file: the number of lines containing what,
 * and (what2 not NULL) in *n2 the number containing what2.
 */
static size_t
count_logged(void (*fn)(void *), void *arg, const char *what,
    const char *what2, size_t *n2)
{
	char	 path[] = "/tmp/test_rib.XXXXXX", line[1024];
	int	 fd, saved;
	FILE	*fp;
	size_t	 n = 0;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	fn(arg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	fp = fopen(path, "r");
	assert_non_null(fp);
	if (n2 != NULL)
		*n2 = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, what) != NULL)
			n++;
		if (what2 != NULL && strstr(line, what2) != NULL)
			(*n2)++;
	}
	fclose(fp);
	unlink(path);
	return n;
}

static void
log_repeats(void *arg)
{
	struct rib	*rib = arg;
	int		 i;

	for (i = 0; i < 5; i++) {
		announce(rib, P3, "192.0.2.1/32", i % 2 ? "[[12345, 80]]" :
		    "[[12345, 443]]", NULL);
		announce(rib, P1, "198.51.100.1/32", "[[12345, 80]]", NULL);
	}
	/* no port under these rules: not logged */
	announce(rib, P1, "198.51.100.2/32", "[[65000, 80]]", NULL);
	/* a session flap sends the same routes again: the record decides */
	peer_state(rib, P3, "down");
	peer_state(rib, P3, "up");
	announce(rib, P3, "192.0.2.1/32", "[[12345, 80]]", NULL);
}

static void
log_flood(void *arg)
{
	struct rib	*rib = arg;
	char		 pfx[64];
	int		 i;

	for (i = 0; i < RIB_LOGGED_MAX + 500; i++) {
		snprintf(pfx, sizeof(pfx), "2001:db8:ff::%x/128", i);
		announce(rib, "fd00:179::66", pfx, "[[12345, 80]]", NULL);
	}
}

struct log_reload {
	struct rib	*rib;
	const char	*prefixes;
	const char	*peers;
};

static void
log_reconf(void *arg)
{
	struct log_reload *lr = arg;
	struct rib_conf	 rc;
	struct prefix	 vp[16], vr[16];

	filter_conf(&rc, 1, lr->prefixes, lr->peers, vp, vr);
	rib_reconf(lr->rib, &rc);
}

/* once per (peer, prefix), never per update; bounded; new filters reset */
static void
test_ignore_log(void **state)
{
	struct rib		*rib = new_rib_filtered(1, "192.0.2.0/24 "
	    "2001:db8::/32", P1 " " P2);
	struct log_reload	 lr = { rib, "192.0.2.0/24 2001:db8::/32",
	    P1 " " P2 };
	size_t			 n2;

	peer_state(rib, P1, "up");
	peer_state(rib, P3, "up");
	announce(rib, P1, "192.0.2.5/32", "[[12345, 80]]", NULL);
	assert_int_equal(count_logged(log_repeats, rib, " ignored: ",
	    "peer 192.0.2.254: route 192.0.2.1/32 ignored: peer not in "
	    "accept_peers", &n2), 2);
	assert_int_equal(n2, 1);
	assert_int_equal(count_logged(log_repeats, rib, " ignored",
	    NULL, NULL), 0);
	/* the same filters reloaded: the record stays */
	assert_int_equal(count_logged(log_reconf, &lr, " ignored", NULL,
	    NULL), 0);
	assert_int_equal(count_logged(log_repeats, rib, " ignored",
	    NULL, NULL), 0);
	/* other filters: the record is emptied; the flap logs again */
	lr.prefixes = "192.0.2.0/24 2001:db8::/32 203.0.113.0/24";
	assert_int_equal(count_logged(log_reconf, &lr, " ignored", NULL,
	    NULL), 0);
	assert_int_equal(count_logged(log_repeats, rib, " ignored: ",
	    "peer 192.0.2.254: route 192.0.2.1/32 ignored", &n2), 1);
	assert_int_equal(n2, 1);
	/* a reload that ignores an accepted route logs it */
	lr.prefixes = "2001:db8::/32";
	assert_int_equal(count_logged(log_reconf, &lr, " ignored: ",
	    "peer 169.254.179.1: route 192.0.2.5/32 ignored: prefix "
	    "outside accept_prefixes", &n2), 1);
	assert_int_equal(n2, 1);

	/* a rogue with many prefixes: the record fills, one line says so */
	assert_int_equal(count_logged(log_flood, rib, " ignored: ",
	    "further ones are counted", &n2), RIB_LOGGED_MAX - 1);
	assert_int_equal(n2, 1);
	assert_int_equal(count_logged(log_flood, rib, "ignored", NULL, NULL),
	    0);
	/* counted all the same */
	assert_int_equal(peer_stat(rib, "fd00:179::66").ignored,
	    RIB_LOGGED_MAX + 500);
	rib_free(rib);
}

static void
test_backends_order(void **state)
{
	struct rib		*rib = tl_rib_new(12345, 0, 1, 0);
	struct rib_backend	*v;
	char			 buf[PREFIX_STRLEN];
	size_t			 n;

	peer_state(rib, P1, "up");
	peer_state(rib, P2, "up");
	announce(rib, P2, "2001:db8::10/128", "[[12345, 443]]", NULL);
	announce(rib, P2, "2001:db8::9/128", "[[12345, 443]]", NULL);
	announce(rib, P1, "192.0.2.10/32 192.0.2.9/32 10.0.0.1/32",
	    "[[12345, 443], [12345, 22]]", NULL);
	announce(rib, P2, "::ffff:192.0.2.1/128", "[[12345, 22]]", NULL);
	n = rib_backends(rib, &v);
	assert_int_equal(n, 9);
	assert_int_equal(v[0].port, 22);
	assert_string_equal(prefix_fmt(&v[0].prefix, buf, sizeof(buf)),
	    "10.0.0.1/32");
	assert_string_equal(prefix_fmt(&v[1].prefix, buf, sizeof(buf)),
	    "192.0.2.9/32");
	assert_string_equal(prefix_fmt(&v[2].prefix, buf, sizeof(buf)),
	    "192.0.2.10/32");
	assert_string_equal(prefix_fmt(&v[3].prefix, buf, sizeof(buf)),
	    "::ffff:192.0.2.1/128");
	assert_int_equal(v[4].port, 443);
	assert_string_equal(prefix_fmt(&v[7].prefix, buf, sizeof(buf)),
	    "2001:db8::9/128");
	assert_string_equal(prefix_fmt(&v[8].prefix, buf, sizeof(buf)),
	    "2001:db8::10/128");
	assert_int_equal(v[8].npeers, 1);
	free(v);
	rib_free(rib);
}

static void
test_reconf(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 0, 0);
	struct rib_conf	 rc;

	peer_state(rib, P1, "up");
	announce(rib, P1, "192.0.2.1/32", "[[12345, 80], [65000, 443]]",
	    "[[65000, 0, 8080]]");
	announce(rib, P1, "198.51.100.0/24", "[[12345, 22]]", NULL);
	assert_map(rib, "{\"22\": [\"198.51.100.0\"], "
	    "\"80\": [\"192.0.2.1\"]}");

	/* same rules: nothing changes */
	memset(&rc, 0, sizeof(rc));
	rc.asn = 12345;
	assert_int_equal(rib_reconf(rib, &rc), 0);

	/* a new ASN reads the stored communities again */
	rc.asn = 65000;
	assert_int_equal(rib_reconf(rib, &rc), 1);
	assert_map(rib, "{\"443\": [\"192.0.2.1\"]}");
	rc.large = 1;
	assert_int_equal(rib_reconf(rib, &rc), 1);
	assert_map(rib, "{\"8080\": [\"192.0.2.1\"]}");
	rc.large = 0;
	rc.asn = 12345;
	rib_reconf(rib, &rc);
	assert_map(rib, "{\"22\": [\"198.51.100.0\"], "
	    "\"80\": [\"192.0.2.1\"]}");
	/* host routes only now: the /24 goes */
	rc.host_routes_only = 1;
	assert_int_equal(rib_reconf(rib, &rc), 1);
	assert_map(rib, "{\"80\": [\"192.0.2.1\"]}");
	assert_int_equal(rib_nroutes(rib), 1);
	/* and the table keeps working after a rebuild */
	withdraw(rib, P1, "192.0.2.1/32");
	assert_map(rib, "{}");
	rib_free(rib);
}

static void
test_clear(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);

	peer_state(rib, P1, "up");
	peer_state(rib, P2, "up");
	announce(rib, P1, "192.0.2.1/32", "[[12345, 80]]", NULL);
	announce(rib, P2, "2001:db8::1/128", "[[12345, 80]]", NULL);
	assert_int_equal(rib_clear(rib), 1);
	assert_map(rib, "{}");
	assert_int_equal(rib_nroutes(rib), 0);
	assert_int_equal(rib_clear(rib), 0);
	rib_free(rib);
	rib_free(NULL);
}

/* many routes: the tables grow and shrink without losing anything */
static void
test_many(void **state)
{
	struct rib		*rib = tl_rib_new(12345, 0, 1, 0);
	struct rib_backend	*v;
	char			 pfx[64];
	size_t			 i, n;

	peer_state(rib, P1, "up");
	peer_state(rib, P3, "up");
	for (i = 0; i < 5000; i++) {
		snprintf(pfx, sizeof(pfx), "2001:db8:1::%zx/128", i);
		announce(rib, i % 2 ? P1 : P3, pfx, i % 3 ?
		    "[[12345, 80], [12345, 443]]" : "[[12345, 80]]", NULL);
	}
	assert_int_equal(rib_nroutes(rib), 5000);
	n = rib_backends(rib, &v);
	assert_int_equal(n, 5000 + 3333);
	free(v);
	for (i = 0; i < 5000; i += 2) {
		snprintf(pfx, sizeof(pfx), "2001:db8:1::%zx/128", i);
		withdraw(rib, P3, pfx);
	}
	assert_int_equal(rib_nroutes(rib), 2500);
	peer_state(rib, P1, "down");
	assert_int_equal(rib_nroutes(rib), 0);
	n = rib_backends(rib, &v);
	assert_int_equal(n, 0);
	free(v);
	rib_free(rib);
}

/* ---- every capture against its expected map ---- */

static void
golden_one(const char *name)
{
	struct rib	*rib = tl_capture_rib(name);
	char		 path[512], *got;
	json_t		*want, *map;
	json_error_t	 jerr;

	snprintf(path, sizeof(path), TL_FIXTURES "%s.expected.json", name);
	if ((want = json_load_file(path, 0, &jerr)) == NULL)
		fail_msg("%s: %s", path, jerr.text);
	map = context_map(rib);
	if (!json_equal(map, want)) {
		got = json_dumps(map, JSON_COMPACT);
		fail_msg("%s: map %s differs from %s", name, got, path);
	}
	json_decref(map);
	json_decref(want);
	rib_free(rib);
}

static void
test_golden_fixtures(void **state)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n, count = 0;
	char		 name[256];

	if ((d = opendir(TL_FIXTURES)) == NULL)
		fail_msg("%s: cannot open", TL_FIXTURES);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 7 || strcmp(de->d_name + n - 6, ".jsonl") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 6), de->d_name);
		golden_one(name);
		count++;
	}
	closedir(d);
	assert_true(count >= 12);	/* README lists twelve streams */
}

/*
 * Two route reflectors send every route twice: the second copy changes
 * nothing a template sees (no new render); the backend's data comes from
 * the preferred route (fresh first, then the lowest peer address), and
 * losing the preferred one moves it to the other copy.
 */
static void
test_two_reflectors(void **state)
{
	struct rib		*rib = tl_rib_new(12345, 0, 1, 0);
	struct rib_backend_info	 b;
	struct rib_view		 v;
	char			 buf[ADDR_STRLEN];
	uint64_t		 gen;

	peer_state(rib, P1, "up");
	peer_state(rib, P3, "up");
	assert_int_equal(announce(rib, P3, "192.0.2.10/32", "[[12345, 443]]",
	    NULL), 1);
	gen = rib_generation(rib);
	/* P1 is the lower address: preferred, so templates see a change */
	assert_int_equal(announce(rib, P1, "192.0.2.10/32", "[[12345, 443]]",
	    NULL), 1);
	assert_true(backend_of(rib, 443, 0, &b, &v));
	assert_string_equal(addr_fmt(b.peer, buf, sizeof(buf)), P1);
	assert_int_equal(b.npeers, 2);
	rib_view_free(&v);
	/* the same copy again from either: nothing */
	gen = rib_generation(rib);
	assert_int_equal(announce(rib, P3, "192.0.2.10/32", "[[12345, 443]]",
	    NULL), 0);
	assert_int_equal(announce(rib, P1, "192.0.2.10/32", "[[12345, 443]]",
	    NULL), 0);
	assert_int_equal(rib_generation(rib), gen);
	/* the backup's copy changes: not what templates read */
	assert_int_equal(announce(rib, P3, "192.0.2.10/32",
	    "[[12345, 443], [65000, 7]]", NULL), 0);
	/* the preferred reflector goes: the backup's copy takes over */
	assert_int_equal(peer_state(rib, P1, "down"), 1);
	assert_true(backend_of(rib, 443, 0, &b, &v));
	assert_string_equal(addr_fmt(b.peer, buf, sizeof(buf)), P3);
	assert_int_equal(b.npeers, 1);
	assert_int_equal(rib_backend_ntags(&b), 1);
	rib_view_free(&v);
	assert_map(rib, "{\"443\": [\"192.0.2.10\"]}");
	rib_free(rib);
}

/* weight and drain from our large communities, per port; MED, LOCAL_PREF,
 * next hop; everything else is a tag */
static void
test_metadata(void **state)
{
	struct rib		*rib = tl_rib_new(12345, 0, 1, 0);
	struct rib_backend_info	 b;
	struct rib_view		 v;
	char			 buf[64];

	peer_state(rib, P1, "up");
	assert_int_equal(announce_nh(rib, P1, "192.0.2.10/32", "198.51.100.7",
	    "\"med\": 10, \"local-preference\": 300, \"community\": "
	    "[[12345, 443], [12345, 80], [65000, 1], [65535, 65281]], "
	    "\"large-community\": [[12345, 1, 4430050], [12345, 2, 800000], "
	    "[12345, 1, 800200], [4200000000, 5, 6], [12345, 9, 1]]"), 1);
	assert_true(backend_of(rib, 443, 0, &b, &v));
	assert_int_equal(b.weight, 50);
	assert_false(b.draining);
	assert_int_equal(b.med, 10);
	assert_int_equal(b.local_pref, 300);
	assert_string_equal(addr_fmt(b.next_hop, buf, sizeof(buf)),
	    "198.51.100.7");
	/* foreign and unknown kinds are tags; ours are not; numeric order */
	assert_int_equal(rib_backend_ntags(&b), 4);
	rib_backend_tag(&b, 0, buf, sizeof(buf));
	assert_string_equal(buf, "65000:1");
	rib_backend_tag(&b, 1, buf, sizeof(buf));
	assert_string_equal(buf, "65535:65281");
	rib_backend_tag(&b, 2, buf, sizeof(buf));
	assert_string_equal(buf, "12345:9:1");
	rib_backend_tag(&b, 3, buf, sizeof(buf));
	assert_string_equal(buf, "4200000000:5:6");
	rib_view_free(&v);
	/* port 80: draining, its weight community read too */
	assert_true(backend_of(rib, 80, 0, &b, &v));
	assert_true(b.draining);
	assert_int_equal(b.weight, 200);
	rib_view_free(&v);
	/* no MED, no LOCAL_PREF, default weight: -1, -1, 100 */
	assert_int_equal(announce_nh(rib, P1, "192.0.2.10/32", "198.51.100.7",
	    "\"community\": [[12345, 443]]"), 1);
	assert_true(backend_of(rib, 443, 0, &b, &v));
	assert_int_equal(b.weight, COMMUNITY_WEIGHT_DEFAULT);
	assert_int_equal(b.med, -1);
	assert_int_equal(b.local_pref, -1);
	assert_int_equal(rib_backend_ntags(&b), 0);
	rib_view_free(&v);
	/* a weight change alone is a change */
	assert_int_equal(announce_nh(rib, P1, "192.0.2.10/32", "198.51.100.7",
	    "\"community\": [[12345, 443]], \"large-community\": "
	    "[[12345, 1, 4430001]]"), 1);
	/* a metadata community of a port the route does not name: nothing */
	assert_int_equal(announce_nh(rib, P1, "192.0.2.11/32", "198.51.100.7",
	    "\"large-community\": [[12345, 1, 4430001]]"), 0);
	assert_map(rib, "{\"443\": [\"192.0.2.10\"]}");
	rib_free(rib);
}

static struct rib *
new_stale_rib(double stale_time, const struct peer_group_conf *g, size_t ng)
{
	struct rib_conf	 rc;

	memset(&rc, 0, sizeof(rc));
	rc.asn = 12345;
	rc.host_routes_only = 1;
	rc.stale_time = stale_time;
	rc.peer_groups = g;
	rc.npeer_groups = ng;
	return rib_new(&rc);
}

static size_t
peer_stale(struct rib *rib, const char *peer, enum rib_peer_state *st)
{
	struct rib_peer_stat	*ps;
	char			 buf[ADDR_STRLEN];
	size_t			 n, i, stale = (size_t)-1;

	n = rib_peers(rib, &ps);
	for (i = 0; i < n; i++)
		if (strcmp(addr_fmt(&ps[i].addr, buf, sizeof(buf)), peer) == 0) {
			stale = ps[i].stale;
			*st = ps[i].state;
		}
	free(ps);
	return stale;
}

/*
 * stale_time: a lost session keeps its routes, stale, for that long; back
 * up, what the peer sends again is fresh, what it does not goes when the
 * time runs out (not at its End-of-RIB); a fresh route of another peer is
 * preferred to a stale one; peer groups set it per peer (first match).
 */
static void
test_stale(void **state)
{
	struct peer_group_conf	 g;
	struct prefix		 net;
	struct rib		*rib;
	struct rib_backend_info	 b;
	struct rib_view		 v;
	enum rib_peer_state	 st;
	char			 buf[ADDR_STRLEN];
	uint64_t		 due;

	assert_int_equal(prefix_parse("192.0.2.0/24", &net, 0), 0);
	memset(&g, 0, sizeof(g));
	g.match = &net;
	g.nmatch = 1;
	g.stale_time = 0;		/* P3 lies in it: no stale time */
	rib = new_stale_rib(30, &g, 1);
	peer_state(rib, P1, "up");
	announce(rib, P1, "192.0.2.1/32 192.0.2.2/32", "[[12345, 443]]", NULL);
	eor(rib, P1, "ipv4");
	assert_int_equal(rib_next_expiry(rib), 0);
	/* down: kept, stale; templates see the same */
	assert_int_equal(peer_state(rib, P1, "down"), 0);
	assert_int_equal(rib_nstale(rib), 2);
	assert_int_equal(peer_stale(rib, P1, &st), 2);
	assert_int_equal(st, RIB_PEER_DOWN);
	assert_map(rib, "{\"443\": [\"192.0.2.1\", \"192.0.2.2\"]}");
	due = rib_next_expiry(rib);
	assert_true(due > 0);
	/* another peer's fresh copy is preferred to the stale one */
	peer_state(rib, P3, "up");
	assert_int_equal(announce(rib, P3, "192.0.2.1/32", "[[12345, 443]]",
	    NULL), 1);
	assert_true(backend_of(rib, 443, 0, &b, &v));
	assert_string_equal(addr_fmt(b.peer, buf, sizeof(buf)), P3);
	assert_false(b.stale);
	rib_view_free(&v);
	/* P3 matches the group: stale_time 0, its routes go at once */
	assert_int_equal(peer_state(rib, P3, "down"), 1);
	assert_int_equal(peer_stale(rib, P3, &st), (size_t)-1);
	/* P1 back: still stale until its End-of-RIB */
	peer_state(rib, P1, "up");
	assert_int_equal(rib_nstale(rib), 2);
	assert_int_equal(announce(rib, P1, "192.0.2.1/32", "[[12345, 443]]",
	    NULL), 0);
	assert_int_equal(rib_nstale(rib), 1);
	/*
	 * End-of-RIB ends no stale route: a restarted BIRD sends it before
	 * its clients are back. .2, not sent again, goes at stale_time.
	 */
	assert_int_equal(eor(rib, P1, "ipv4"), 0);
	assert_int_equal(rib_nstale(rib), 1);
	due = rib_next_expiry(rib);
	assert_true(due > 0);
	assert_int_equal(rib_expire(rib, due), 1);
	assert_int_equal(rib_nstale(rib), 0);
	assert_int_equal(rib_next_expiry(rib), 0);
	assert_map(rib, "{\"443\": [\"192.0.2.1\"]}");
	assert_int_equal(rib_nroutes(rib), 1);
	/* down again, and the time runs out */
	peer_state(rib, P1, "down");
	due = rib_next_expiry(rib);
	assert_int_equal(rib_expire(rib, due - 1), 0);
	assert_int_equal(rib_nstale(rib), 1);
	assert_int_equal(rib_expire(rib, due), 1);
	assert_int_equal(rib_nstale(rib), 0);
	assert_int_equal(rib_nroutes(rib), 0);
	assert_map(rib, "{}");
	/* a down peer without routes is gone */
	assert_int_equal(peer_stale(rib, P1, &st), (size_t)-1);
	rib_free(rib);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_MSG_TEST(test_replace),
		TL_MSG_TEST(test_withdraw),
		TL_MSG_TEST(test_withdraw_then_announce),
		TL_MSG_TEST(test_peer_down),
		TL_MSG_TEST(test_two_peers),
		TL_MSG_TEST(test_communities),
		TL_MSG_TEST(test_large_mode),
		TL_MSG_TEST(test_host_routes),
		TL_MSG_TEST(test_max_routes),
		TL_MSG_TEST(test_eor_gating),
		TL_MSG_TEST(test_peers),
		TL_MSG_TEST(test_backends_order),
		TL_MSG_TEST(test_reconf),
		TL_MSG_TEST(test_clear),
		TL_MSG_TEST(test_many),
		TL_MSG_TEST(test_accept_prefixes),
		TL_MSG_TEST(test_accept_peers),
		TL_MSG_TEST(test_accept_reconf),
		TL_MSG_TEST(test_ignore_log),
		TL_MSG_TEST(test_two_reflectors),
		TL_MSG_TEST(test_metadata),
		TL_MSG_TEST(test_stale),
		TL_MSG_TEST(test_golden_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
