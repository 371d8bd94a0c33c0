/*
 * test_exabgp_json.c - decoding ExaBGP 4.2 JSON lines: every line of
 * every real capture, each message shape, and a table of bad lines that
 * must be refused whole (never half an update).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "addr.h"
#include "listen.h"
#include "testlib.h"


/* the envelope ExaBGP writes around an update for 169.254.179.1 */
#define UPD_HEAD	"{ \"exabgp\": \"4.0.1\", \"time\": 1.5, " \
	"\"host\" : \"vm\", \"pid\" : 1, \"ppid\" : 1, \"counter\": 4, " \
	"\"type\": \"update\", \"neighbor\": { \"address\": { " \
	"\"local\": \"169.254.179.2\", \"peer\": \"169.254.179.1\" }, " \
	"\"asn\": { \"local\": 65000, \"peer\": 65001 } , " \
	"\"direction\": \"receive\", \"message\": { \"update\": { "
#define UPD_TAIL	" } } } }"
#define UPD(body)	UPD_HEAD body UPD_TAIL

#define STATE(peer, st)	"{ \"exabgp\": \"4.0.1\", \"type\": \"state\", " \
	"\"neighbor\": { \"address\": { \"local\": \"x\", \"peer\": \"" \
	peer "\" }, \"asn\": { \"local\": 65000, \"peer\": 65001 } , " \
	"\"state\": \"" st "\" } }"

static int
decode(struct exabgp_msg *m, const char *line, char *err, size_t errlen)
{
	return exabgp_decode(m, line, strlen(line), err, errlen);
}

/*
 * jansson allocates a line's values from a per-line arena (jarena.c)
 * that is reset when exabgp_decode returns: nothing of the line may be
 * alive then, whether the line was good or refused.
 */
static void
assert_arena_clean(void)
{
	struct jarena_stats	 s;

	jarena_stats(&s);
	assert_int_equal(s.live, 0);
	assert_int_equal(s.leaks, 0);
	assert_int_equal(s.strays, 0);
}

/* per-fixture count of decoded message types */
struct fixture_counts {
	const char	*name;
	int		 state, update, eor, shutdown, ignored, bad;
	int		 announced, withdrawn;	/* prefixes */
};

static const struct fixture_counts fixture_counts[] = {
	/* name, state update eor shutdown ignored bad, ann wd */
	{ "basic-v4-v6", 4, 2, 2, 0, 0, 0, 2, 0 },
	{ "session-drop", 6, 2, 2, 1, 0, 0, 2, 0 },
	{ "all-message-types", 6, 2, 2, 1, 10, 1, 2, 0 },
	{ "v4-session-both-families", 8, 6, 4, 0, 0, 0, 5, 0 },
	{ "withdraw", 4, 15, 2, 0, 0, 0, 9, 9 },
	{ "table-300", 4, 200, 2, 0, 0, 0, 300, 30 },
};

static void
count_fixture(const char *name, struct fixture_counts *c)
{
	struct exabgp_msg	 m;
	char			 path[256], err[256], *buf, *line, *nl;
	size_t			 len;
	int			 rc;

	snprintf(path, sizeof(path), TL_FIXTURES "%s.jsonl", name);
	buf = tl_slurp(path);
	assert_non_null(buf);
	len = strlen(buf);
	memset(c, 0, sizeof(*c));
	exabgp_msg_init(&m);
	for (line = buf; line < buf + len; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(buf + len - line))) ==
		    NULL)
			nl = buf + len;
		rc = exabgp_decode(&m, line, (size_t)(nl - line), err,
		    sizeof(err));
		assert_arena_clean();
		if (rc == -1) {
			/* the only bad line in the captures: 4.2's refresh */
			assert_non_null(strstr(line, "\"type\": \"refresh\""));
			assert_non_null(strstr(err, "invalid JSON"));
			assert_int_equal(m.type, EXABGP_MSG_IGNORED);
			c->bad++;
			continue;
		}
		switch (m.type) {
		case EXABGP_MSG_STATE:
			c->state++;
			break;
		case EXABGP_MSG_UPDATE:
			c->update++;
			c->announced += (int)m.nannounce;
			c->withdrawn += (int)m.nwithdraw;
			break;
		case EXABGP_MSG_EOR:
			c->eor++;
			break;
		case EXABGP_MSG_SHUTDOWN:
			c->shutdown++;
			break;
		case EXABGP_MSG_IGNORED:
			c->ignored++;
			break;
		default:
			fail_msg("%s: unexpected type %s", name,
			    exabgp_msg_type_name(m.type));
		}
		if (m.type == EXABGP_MSG_STATE || m.type == EXABGP_MSG_UPDATE ||
		    m.type == EXABGP_MSG_EOR)
			assert_true(m.has_peer);
	}
	exabgp_msg_free(&m);
}

static void
test_fixture_counts(void **state)
{
	struct fixture_counts	 c;
	size_t			 i;

	for (i = 0; i < sizeof(fixture_counts) / sizeof(fixture_counts[0]);
	    i++) {
		const struct fixture_counts *w = &fixture_counts[i];

		count_fixture(w->name, &c);
		if (c.state != w->state || c.update != w->update ||
		    c.eor != w->eor || c.shutdown != w->shutdown ||
		    c.ignored != w->ignored || c.bad != w->bad ||
		    c.announced != w->announced || c.withdrawn != w->withdrawn)
			fail_msg("%s: state %d update %d eor %d shutdown %d "
			    "ignored %d bad %d announced %d withdrawn %d",
			    w->name, c.state, c.update, c.eor, c.shutdown,
			    c.ignored, c.bad, c.announced, c.withdrawn);
	}
}

/* every capture decodes without error, except the one refresh line */
static void
test_fixtures_all_decode(void **state)
{
	static const char *const names[] = {
		"all-message-types", "announcer-restart", "attributes",
		"basic-v4-v6", "community-change", "ibgp", "multi-prefix",
		"session-drop", "session-reset-readvertise", "table-300",
		"v4-session-both-families", "withdraw",
	};
	struct fixture_counts	 c;
	size_t			 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		count_fixture(names[i], &c);
		assert_int_equal(c.bad,
		    strcmp(names[i], "all-message-types") == 0 ? 1 : 0);
		assert_true(c.state >= 2);
	}
	count_fixture("table-300", &c);
	assert_int_equal(c.announced, 300);
	assert_int_equal(c.withdrawn, 30);
}

static void
test_state(void **state)
{
	struct exabgp_msg	 m;
	char			 err[128];

	exabgp_msg_init(&m);
	assert_int_equal(decode(&m, STATE("169.254.179.1", "connected"), err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_STATE);
	assert_int_equal(m.state, EXABGP_STATE_CONNECTED);
	tl_assert_addr(&m.peer, "169.254.179.1");

	assert_int_equal(decode(&m, STATE("fd00:179::1", "up"), err,
	    sizeof(err)), 0);
	assert_int_equal(m.state, EXABGP_STATE_UP);
	tl_assert_addr(&m.peer, "fd00:179::1");
	assert_string_equal(m.reason, "");

	assert_int_equal(decode(&m, "{ \"type\": \"state\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"fd00:179::1\" }, \"state\": \"down\", "
	    "\"reason\": \"peer reset\\n\\u00e9 (closing)\" } }", err,
	    sizeof(err)), 0);
	assert_int_equal(m.state, EXABGP_STATE_DOWN);
	/* control characters and non-ASCII never reach a log line */
	assert_string_equal(m.reason, "peer reset??? (closing)");

	assert_int_equal(exabgp_decode(&m, STATE("::1", "flapping"),
	    strlen(STATE("::1", "flapping")), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "state"));
	exabgp_msg_free(&m);
}

static void
test_eor(void **state)
{
	struct exabgp_msg	 m;
	char			 err[128];
	const char		*v6 = "{ \"type\": \"update\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"fd00:179::1\" }, \"direction\": "
	    "\"receive\", \"message\": { \"eor\": { \"afi\" : \"ipv6\", "
	    "\"safi\" : \"unicast\" } } } }";
	const char		*flow = "{ \"type\": \"update\", \"neighbor\": {"
	    " \"address\": { \"peer\": \"192.0.2.1\" }, \"message\": { \"eor\":"
	    " { \"afi\" : \"ipv4\", \"safi\" : \"flow\" } } } }";

	exabgp_msg_init(&m);
	assert_int_equal(decode(&m, v6, err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_EOR);
	assert_int_equal(m.family, EXABGP_FAMILY_IPV6);
	tl_assert_addr(&m.peer, "fd00:179::1");
	assert_int_equal(decode(&m, flow, err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_EOR);
	assert_int_equal(m.family, EXABGP_FAMILY_OTHER);
	exabgp_msg_free(&m);
}

static void
test_announce_shapes(void **state)
{
	struct exabgp_msg	 m;
	char			 err[128];

	exabgp_msg_init(&m);
	/* objects, several next-hop groups, the attributes apply to all */
	assert_int_equal(decode(&m, UPD("\"attribute\": { \"origin\": \"igp\","
	    " \"as-path\": [ 65001 ], \"confederation-path\": [], "
	    "\"community\": [ [ 12345, 443 ], [ 12345, 8080 ] ], "
	    "\"large-community\": [ [ 12345, 0 , 443 ] ] }, \"announce\": { "
	    "\"ipv4 unicast\": { \"169.254.179.1\": [ { \"nlri\": "
	    "\"192.0.2.10/32\" }, { \"nlri\": \"192.0.2.11/32\" } ], "
	    "\"no-nexthop\": [ { \"nlri\": \"192.0.2.12/32\" } ] } }"), err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_UPDATE);
	tl_assert_addr(&m.peer, "169.254.179.1");
	assert_int_equal(m.nannounce, 3);
	tl_assert_prefix(&m.announce[0], "192.0.2.10/32");
	tl_assert_prefix(&m.announce[1], "192.0.2.11/32");
	tl_assert_prefix(&m.announce[2], "192.0.2.12/32");
	assert_int_equal(m.nwithdraw, 0);
	assert_int_equal(m.ncommunities, 2);
	assert_int_equal(m.communities[0].asn, 12345);
	assert_int_equal(m.communities[0].value, 443);
	assert_int_equal(m.communities[1].value, 8080);
	assert_int_equal(m.nlarge, 1);
	assert_int_equal(m.large[0].global, 12345);
	assert_int_equal(m.large[0].local1, 0);
	assert_int_equal(m.large[0].local2, 443);

	/* plain-string NLRIs, IPv6, and extremes of the ranges */
	assert_int_equal(decode(&m, UPD("\"attribute\": { \"community\": "
	    "[ [ 65535, 65535 ], [ 0, 0 ] ], \"large-community\": [ [ "
	    "4294967295, 4294967295, 4294967295 ] ] }, \"announce\": { "
	    "\"ipv6 unicast\": { \"fd00:179::1\": [ \"2001:db8::10/128\", "
	    "\"2001:DB8:0::11/128\" ] } }"), err, sizeof(err)), 0);
	assert_int_equal(m.nannounce, 2);
	tl_assert_prefix(&m.announce[0], "2001:db8::10/128");
	tl_assert_prefix(&m.announce[1], "2001:db8::11/128");
	assert_int_equal(m.communities[0].asn, 65535);
	assert_int_equal(m.communities[0].value, 65535);
	assert_int_equal(m.large[0].local2, 4294967295u);

	/* withdraw and announce in one update; other families skipped */
	assert_int_equal(decode(&m, UPD("\"withdraw\": { \"ipv4 unicast\": [ "
	    "{ \"nlri\": \"192.0.2.1/32\" }, \"192.0.2.2/32\" ], "
	    "\"ipv4 flow\": [ { \"anything\": 1 } ] }, \"announce\": { "
	    "\"ipv4 mpls-vpn\": { \"x\": 5 }, \"ipv4 unicast\": { "
	    "\"169.254.179.1\": [ \"198.51.100.0/24\" ] } }"), err,
	    sizeof(err)), 0);
	assert_int_equal(m.nwithdraw, 2);
	tl_assert_prefix(&m.withdraw[0], "192.0.2.1/32");
	tl_assert_prefix(&m.withdraw[1], "192.0.2.2/32");
	assert_int_equal(m.nannounce, 1);
	tl_assert_prefix(&m.announce[0], "198.51.100.0/24");
	/* the previous line's communities do not leak into this one */
	assert_int_equal(m.ncommunities, 0);
	assert_int_equal(m.nlarge, 0);

	/* IPv6 withdraw carrying attributes, as 4.2 writes it */
	assert_int_equal(decode(&m, UPD("\"attribute\": { \"origin\": \"igp\","
	    " \"as-path\": [ 65001 ], \"confederation-path\": [] }, "
	    "\"withdraw\": { \"ipv6 unicast\": [ { \"nlri\": "
	    "\"2001:db8::1/128\" } ] }"), err, sizeof(err)), 0);
	assert_int_equal(m.nwithdraw, 1);
	assert_int_equal(m.nannounce, 0);

	/* attributes only: an empty update */
	assert_int_equal(decode(&m, UPD("\"attribute\": { \"origin\": "
	    "\"igp\" }"), err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_UPDATE);
	assert_int_equal(m.nannounce + m.nwithdraw, 0);

	/* empty lists are fine too */
	assert_int_equal(decode(&m, UPD("\"attribute\": { \"community\": [] },"
	    " \"announce\": { \"ipv4 unicast\": { \"1.1.1.1\": [] } }"), err,
	    sizeof(err)), 0);
	assert_int_equal(m.nannounce, 0);
	exabgp_msg_free(&m);
}

static void
test_other_types(void **state)
{
	struct exabgp_msg	 m;
	char			 err[128];

	exabgp_msg_init(&m);
	assert_int_equal(decode(&m, "{ \"exabgp\": \"4.0.1\", \"time\": 1.0, "
	    "\"host\" : \"vm\", \"pid\" : 13042, \"ppid\" : 1, \"type\": "
	    "\"notification\", \"notification\": \"shutdown\" }", err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_SHUTDOWN);
	assert_false(m.has_peer);

	/* a peer's NOTIFICATION: the state message that follows counts */
	assert_int_equal(decode(&m, "{ \"type\": \"notification\", "
	    "\"neighbor\": { \"address\": { \"peer\": \"192.0.2.1\" }, "
	    "\"message\": { \"notification\": { \"code\": 6 } } } }", err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_IGNORED);

	assert_int_equal(decode(&m, "{ \"type\": \"keepalive\", \"neighbor\":"
	    " { \"direction\": \"receive\"  } }", err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_IGNORED);
	assert_int_equal(decode(&m, "{ \"type\": \"open\" }", err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_IGNORED);
	assert_int_equal(decode(&m, "{ \"type\": \"some-future-kind\", "
	    "\"x\": [1, 2] }", err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_IGNORED);

	/* what our ExaBGP sends is not what the peer announces */
	assert_int_equal(decode(&m, "{ \"type\": \"update\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"192.0.2.1\" }, \"direction\": \"send\","
	    " \"message\": { \"update\": { \"announce\": { \"ipv4 unicast\": {"
	    " \"1.1.1.1\": [ \"192.0.2.9/32\" ] } } } } } }", err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_IGNORED);
	assert_int_equal(m.nannounce, 0);
	exabgp_msg_free(&m);
}

static void
test_text_lines(void **state)
{
	struct exabgp_msg	 m;
	char			 err[128];

	exabgp_msg_init(&m);
	assert_int_equal(decode(&m, "done", err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_DONE);
	assert_int_equal(decode(&m, "error\r\n", err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_ERROR);
	assert_int_equal(decode(&m, "  done \n", err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_DONE);
	assert_int_equal(decode(&m, "", err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_IGNORED);
	assert_int_equal(decode(&m, "\n", err, sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_IGNORED);
	assert_int_equal(exabgp_decode_text(&m, "error", 5, err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_ERROR);
	/* a prefix of a longer buffer */
	assert_int_equal(exabgp_decode_text(&m, "donexyz", 4, err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_DONE);

	assert_int_equal(decode(&m, "Done", err, sizeof(err)), -1);
	assert_int_equal(decode(&m, "done done", err, sizeof(err)), -1);
	assert_int_equal(decode(&m, "neighbor 192.0.2.1 up", err,
	    sizeof(err)), -1);
	assert_int_equal(decode(&m, "[1, 2]", err, sizeof(err)), -1);
	assert_int_equal(m.type, EXABGP_MSG_IGNORED);
	exabgp_msg_free(&m);
}

struct bad {
	const char	*why;
	const char	*line;
	size_t		 len;		/* 0: strlen */
	const char	*err;		/* substring of the reason */
};

static const char nul_line[] = UPD("\"announce\": { \"ipv4 unicast\": { "
    "\"1.1.1.1\": [ \"192.0.2.1/32\" ] } }") "\0garbage";
static const char nul_inside[] = "{ \"type\": \"st\0ate\" }";

static const struct bad bad_lines[] = {
	{ "truncated", "{ \"type\": \"update\", \"neighbor\": { \"addr", 0,
	    "invalid JSON" },
	{ "truncated update", UPD("\"announce\": { \"ipv4 unicast\": { "
	    "\"1.1.1.1\": [ \"192.0.2.1/32\" ] }"), 0, "invalid JSON" },
	{ "trailing garbage", "{ \"type\": \"open\" } x", 0, "invalid JSON" },
	{ "two objects", "{ \"type\": \"open\" }{ \"type\": \"open\" }", 0,
	    "invalid JSON" },
	{ "not an object", "{ \"type\" }", 0, "invalid JSON" },
	{ "type missing", "{ \"neighbor\": {} }", 0, "type" },
	{ "type a number", "{ \"type\": 5 }", 0, "type" },
	{ "type null", "{ \"type\": null }", 0, "type" },
	{ "neighbor missing", "{ \"type\": \"state\" }", 0, "neighbor" },
	{ "neighbor a list", "{ \"type\": \"update\", \"neighbor\": [] }", 0,
	    "neighbor" },
	{ "peer missing", "{ \"type\": \"state\", \"neighbor\": { "
	    "\"address\": {}, \"state\": \"up\" } }", 0, "peer" },
	{ "peer a number", "{ \"type\": \"state\", \"neighbor\": { "
	    "\"address\": { \"peer\": 1 }, \"state\": \"up\" } }", 0, "peer" },
	{ "peer invalid", STATE("300.1.1.1", "up"), 0, "peer" },
	{ "peer with scope", STATE("fe80::1%eth0", "up"), 0, "peer" },
	{ "state a number", "{ \"type\": \"state\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"::1\" }, \"state\": 1 } }", 0,
	    "state" },
	{ "message missing", "{ \"type\": \"update\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"::1\" } } }", 0, "message" },
	{ "message without update", "{ \"type\": \"update\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"::1\" }, \"message\": {} } }", 0,
	    "update" },
	{ "eor without afi", "{ \"type\": \"update\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"::1\" }, \"message\": { \"eor\": { "
	    "\"safi\": \"unicast\" } } } }", 0, "eor" },
	{ "eor afi a number", "{ \"type\": \"update\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"::1\" }, \"message\": { \"eor\": { "
	    "\"afi\": 1, \"safi\": \"unicast\" } } } }", 0, "eor" },
	{ "prefix 300.1.1.1/32", UPD("\"announce\": { \"ipv4 unicast\": { "
	    "\"1.1.1.1\": [ { \"nlri\": \"300.1.1.1/32\" } ] } }"), 0,
	    "invalid prefix" },
	{ "prefix /129", UPD("\"announce\": { \"ipv6 unicast\": { "
	    "\"::1\": [ { \"nlri\": \"2001:db8::1/129\" } ] } }"), 0,
	    "invalid prefix" },
	{ "prefix /33", UPD("\"withdraw\": { \"ipv4 unicast\": [ "
	    "\"192.0.2.1/33\" ] }"), 0, "invalid prefix" },
	{ "prefix host bits", UPD("\"withdraw\": { \"ipv4 unicast\": [ "
	    "\"192.0.2.1/24\" ] }"), 0, "invalid prefix" },
	{ "prefix without length", UPD("\"withdraw\": { \"ipv4 unicast\": [ "
	    "\"192.0.2.1\" ] }"), 0, "invalid prefix" },
	{ "prefix empty", UPD("\"withdraw\": { \"ipv4 unicast\": [ \"\" ] }"),
	    0, "invalid prefix" },
	{ "IPv6 prefix as ipv4", UPD("\"announce\": { \"ipv4 unicast\": { "
	    "\"1.1.1.1\": [ \"2001:db8::1/128\" ] } }"), 0, "invalid prefix" },
	{ "IPv4 prefix as ipv6", UPD("\"withdraw\": { \"ipv6 unicast\": [ "
	    "\"192.0.2.1/32\" ] }"), 0, "invalid prefix" },
	{ "nlri a number", UPD("\"announce\": { \"ipv4 unicast\": { "
	    "\"1.1.1.1\": [ { \"nlri\": 3232235777 } ] } }"), 0,
	    "invalid prefix" },
	{ "nlri object without nlri", UPD("\"announce\": { \"ipv4 unicast\": "
	    "{ \"1.1.1.1\": [ { \"prefix\": \"192.0.2.1/32\" } ] } }"), 0,
	    "invalid prefix" },
	{ "announce a list", UPD("\"announce\": [ \"192.0.2.1/32\" ]"), 0,
	    "announce" },
	{ "announce family a list", UPD("\"announce\": { \"ipv4 unicast\": [ "
	    "\"192.0.2.1/32\" ] }"), 0, "announce" },
	{ "next-hop group not a list", UPD("\"announce\": { \"ipv4 unicast\":"
	    " { \"1.1.1.1\": \"192.0.2.1/32\" } }"), 0, "not a list" },
	{ "withdraw family an object", UPD("\"withdraw\": { \"ipv4 unicast\":"
	    " { \"nlri\": \"192.0.2.1/32\" } }"), 0, "not a list" },
	{ "attribute a list", UPD("\"attribute\": [], \"withdraw\": {}"), 0,
	    "attribute" },
	{ "community not a list", UPD("\"attribute\": { \"community\": "
	    "\"12345:443\" }"), 0, "community" },
	{ "community one number", UPD("\"attribute\": { \"community\": "
	    "[ [ 12345 ] ] }"), 0, "community 0" },
	{ "community three numbers", UPD("\"attribute\": { \"community\": "
	    "[ [ 12345, 0, 443 ] ] }"), 0, "community 0" },
	{ "community flat", UPD("\"attribute\": { \"community\": "
	    "[ 12345, 443 ] }"), 0, "community 0" },
	{ "community value 65536", UPD("\"attribute\": { \"community\": "
	    "[ [ 12345, 443 ], [ 12345, 65536 ] ] }"), 0, "community 1" },
	{ "community asn 70000", UPD("\"attribute\": { \"community\": "
	    "[ [ 70000, 443 ] ] }"), 0, "community 0" },
	{ "community negative", UPD("\"attribute\": { \"community\": "
	    "[ [ -1, 443 ] ] }"), 0, "community 0" },
	{ "community string", UPD("\"attribute\": { \"community\": "
	    "[ [ 12345, \"443\" ] ] }"), 0, "community 0" },
	{ "community real", UPD("\"attribute\": { \"community\": "
	    "[ [ 12345, 443.0 ] ] }"), 0, "community 0" },
	{ "community exponent", UPD("\"attribute\": { \"community\": "
	    "[ [ 12345, 4e2 ] ] }"), 0, "community 0" },
	{ "community huge", UPD("\"attribute\": { \"community\": "
	    "[ [ 12345, 99999999999999999999999999 ] ] }"), 0,
	    "invalid JSON" },
	{ "community bool", UPD("\"attribute\": { \"community\": "
	    "[ [ true, 443 ] ] }"), 0, "community 0" },
	{ "large two numbers", UPD("\"attribute\": { \"large-community\": "
	    "[ [ 12345, 443 ] ] }"), 0, "large-community 0" },
	{ "large out of range", UPD("\"attribute\": { \"large-community\": "
	    "[ [ 4294967296, 0, 443 ] ] }"), 0, "large-community 0" },
	{ "large local2 out of range", UPD("\"attribute\": { "
	    "\"large-community\": [ [ 12345, 0, 9223372036854775807 ] ] }"), 0,
	    "large-community 0" },
	{ "large not a list", UPD("\"attribute\": { \"large-community\": "
	    "{ } }"), 0, "large-community" },
	{ "NUL after the object", nul_line, sizeof(nul_line) - 1, "NUL" },
	{ "NUL inside a string", nul_inside, sizeof(nul_inside) - 1, "NUL" },
	{ "escaped NUL", "{ \"type\": \"st\\u0000ate\" }", 0, "invalid JSON" },
	{ "invalid UTF-8", "{ \"type\": \"state\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"\xc3\x28\" } } }", 0, "invalid JSON" },
	{ "raw control byte", "{ \"type\": \"op\x01en\" }", 0,
	    "invalid JSON" },
	{ "raw byte after the object", "{ \"type\": \"open\" } \x1b[31m", 0,
	    "invalid JSON" },
	{ "overlong UTF-8", "{ \"type\": \"\xc0\xaf\" }", 0, "invalid JSON" },
	{ "duplicate key", "{ \"type\": \"open\", \"type\": \"state\" }", 0,
	    "invalid JSON" },
	{ "4.2 refresh", "{ \"exabgp\": \"4.0.1\", \"type\": \"refresh\", "
	    "\"neighbor\": { \"address\": { \"local\": \"169.254.179.2\", "
	    "\"peer\": \"169.254.179.1\" }, \"route-refresh\": { \"afi\": "
	    "\"\"ipv4\"\", \"safi\": \"\"unicast\"\" } } }", 0,
	    "invalid JSON" },
};

/*
 * Each bad line is refused whole: -1, a reason, and a message that
 * applies nothing even though an earlier good line filled its arrays.
 */
static void
test_bad_lines(void **state)
{
	struct exabgp_msg	 m;
	char			 err[256];
	const char		*good = UPD("\"attribute\": { \"community\": "
	    "[ [ 12345, 443 ] ], \"large-community\": [ [ 1, 0, 2 ] ] }, "
	    "\"withdraw\": { \"ipv4 unicast\": [ \"192.0.2.9/32\" ] }, "
	    "\"announce\": { \"ipv4 unicast\": { \"1.1.1.1\": "
	    "[ \"192.0.2.1/32\" ] } }");
	size_t			 i, j, len;

	exabgp_msg_init(&m);
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		const struct bad *b = &bad_lines[i];

		assert_int_equal(decode(&m, good, err, sizeof(err)), 0);
		assert_int_equal(m.nannounce, 1);
		len = b->len != 0 ? b->len : strlen(b->line);
		err[0] = '\0';
		if (exabgp_decode(&m, b->line, len, err, sizeof(err)) != -1)
			fail_msg("%s: accepted", b->why);
		assert_arena_clean();
		if (strstr(err, b->err) == NULL)
			fail_msg("%s: reason \"%s\", wanted \"%s\"", b->why,
			    err, b->err);
		/* the reason is safe to log: printable ASCII only */
		for (j = 0; err[j] != '\0'; j++)
			if ((unsigned char)err[j] < 0x20 ||
			    (unsigned char)err[j] >= 0x7f)
				fail_msg("%s: raw byte in reason", b->why);
		assert_int_equal(m.type, EXABGP_MSG_IGNORED);
		assert_false(m.has_peer);
		assert_int_equal(m.nannounce, 0);
		assert_int_equal(m.nwithdraw, 0);
		assert_int_equal(m.ncommunities, 0);
		assert_int_equal(m.nlarge, 0);
	}
	/* a NULL error buffer is allowed */
	assert_int_equal(exabgp_decode(&m, "{", 1, NULL, 0), -1);
	exabgp_msg_free(&m);
}

/* nesting deeper than jansson's limit is refused, not recursed into */
static void
test_deep_nesting(void **state)
{
	struct exabgp_msg	 m;
	char			 err[128], *line;
	size_t			 i, depth = 5000, len = 0;

	line = malloc(2 * depth + 64);
	assert_non_null(line);
	len += (size_t)sprintf(line, "{ \"type\": \"open\", \"x\": ");
	for (i = 0; i < depth; i++)
		line[len++] = '[';
	for (i = 0; i < depth; i++)
		line[len++] = ']';
	line[len++] = '}';
	exabgp_msg_init(&m);
	assert_int_equal(exabgp_decode(&m, line, len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid JSON"));
	assert_arena_clean();
	exabgp_msg_free(&m);
	free(line);
}

/*
 * The arena is used for JSON lines (and only while one is decoded),
 * and decoding with it off (BGPSD_JARENA=0) gives the same results.
 */
static void
test_arena(void **state)
{
	static const char *const names[] = {
		"basic-v4-v6", "all-message-types", "withdraw", "table-300",
	};
	struct fixture_counts	 on, off;
	struct jarena_stats	 s0, s;
	struct exabgp_msg	 m;
	char			 err[64];
	size_t			 i;

	jarena_enable(1);	/* whatever BGPSD_JARENA says */
	jarena_stats(&s0);
	exabgp_msg_init(&m);
	assert_int_equal(decode(&m, STATE("192.0.2.1", "up"), err,
	    sizeof(err)), 0);
	jarena_stats(&s);
	assert_true(s.enabled);
	assert_int_equal(s.lines, s0.lines + 1);
	assert_true(s.allocs > s0.allocs);
	assert_int_equal(s.fallbacks, s0.fallbacks);
	/* text lines never touch jansson */
	assert_int_equal(decode(&m, "done", err, sizeof(err)), 0);
	jarena_stats(&s0);
	assert_int_equal(s0.lines, s.lines);
	exabgp_msg_free(&m);

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		jarena_enable(1);
		count_fixture(names[i], &on);
		jarena_enable(0);
		jarena_stats(&s0);
		count_fixture(names[i], &off);
		jarena_stats(&s);
		assert_int_equal(s.lines, s0.lines);
		on.name = off.name = NULL;
		assert_memory_equal(&on, &off, sizeof(on));
	}
	jarena_enable(1);
}

/* one message reused across lines of different sizes */
static void
test_reuse(void **state)
{
	struct exabgp_msg	 m;
	char			 err[128], line[16384];
	size_t			 i, off;

	exabgp_msg_init(&m);
	off = (size_t)snprintf(line, sizeof(line), "%s",
	    UPD_HEAD "\"attribute\": { \"community\": [ [ 12345, 80 ] ] }, "
	    "\"announce\": { \"ipv4 unicast\": { \"1.1.1.1\": [ ");
	for (i = 0; i < 200; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off,
		    "%s{ \"nlri\": \"198.51.100.%zu/32\" }", i ? ", " : "", i);
	snprintf(line + off, sizeof(line) - off, " ] } }" UPD_TAIL);
	assert_int_equal(decode(&m, line, err, sizeof(err)), 0);
	assert_int_equal(m.nannounce, 200);
	tl_assert_prefix(&m.announce[199], "198.51.100.199/32");
	assert_int_equal(decode(&m, STATE("::1", "up"), err, sizeof(err)), 0);
	assert_int_equal(m.nannounce, 0);
	assert_int_equal(m.ncommunities, 0);
	assert_int_equal(decode(&m, UPD("\"announce\": { \"ipv4 unicast\": { "
	    "\"1.1.1.1\": [ \"192.0.2.1/32\" ] } }"), err, sizeof(err)), 0);
	assert_int_equal(m.nannounce, 1);
	assert_int_equal(m.ncommunities, 0);
	exabgp_msg_free(&m);
	exabgp_msg_free(&m);	/* idempotent */
}

static void
test_names(void **state)
{
	assert_string_equal(exabgp_msg_type_name(EXABGP_MSG_UPDATE), "update");
	assert_string_equal(exabgp_msg_type_name(EXABGP_MSG_SHUTDOWN),
	    "shutdown");
	assert_string_equal(exabgp_msg_type_name((enum exabgp_msg_type)99),
	    "?");
	assert_string_equal(exabgp_state_name(EXABGP_STATE_DOWN), "down");
	assert_string_equal(exabgp_family_name(EXABGP_FAMILY_IPV6),
	    "ipv6 unicast");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_counts),
		cmocka_unit_test(test_fixtures_all_decode),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_eor),
		cmocka_unit_test(test_announce_shapes),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
