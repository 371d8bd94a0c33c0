/*
 * test_adjrib.c - the plain-text answers of ExaBGP 4.2 to "show neighbor
 * summary" and "show adj-rib in extensive": every line of the real
 * captures in data/listen/adjrib/ (tests/integration/capture_adjrib.sh),
 * each route shape field by field, and a table of lines that must be
 * refused whole.
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

#define CAPTURES	"data/listen/adjrib/"

/* the start of every route line of answers.txt */
#define N11	"neighbor 169.254.179.11 local-ip 169.254.179.2 " \
	"local-as 65000 peer-as 65001 router-id 169.254.179.2 " \
	"family-allowed in-open "

static struct adjrib_line	 line;

static int
parse(const char *s, char *err, size_t errlen)
{
	return adjrib_parse(&line, &tl_msg, s, strlen(s), err, errlen);
}

static void
parse_ok(const char *s)
{
	char	 err[256];

	if (parse(s, err, sizeof(err)) == -1)
		fail_msg("refused (%s): %s", err, s);
}

/* the communities of tl_msg as "a:b a:b" and large as "g:l:l ..." */
static void
assert_comms(const char *want, const char *want_large)
{
	char	 buf[1024];
	size_t	 i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < tl_msg.ncommunities; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u:%u",
		    i ? " " : "", tl_msg.communities[i].asn,
		    tl_msg.communities[i].value);
	assert_string_equal(buf, want);
	buf[0] = '\0';
	n = 0;
	for (i = 0; i < tl_msg.nlarge; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u:%u:%u",
		    i ? " " : "", tl_msg.large[i].global, tl_msg.large[i].local1,
		    tl_msg.large[i].local2);
	assert_string_equal(buf, want_large);
}

/* find the line of FILE that contains needle; parse it */
static void
parse_capture_line(const char *file, const char *needle)
{
	char	 path[256], buf[8192];
	FILE	*f;
	int	 found = 0;

	snprintf(path, sizeof(path), CAPTURES "%s", file);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open", path);
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (strstr(buf, needle) != NULL) {
			found = 1;
			break;
		}
	}
	fclose(f);
	if (!found)
		fail_msg("%s: no line with '%s'", path, needle);
	buf[strcspn(buf, "\n")] = '\0';
	parse_ok(buf);
}

/* every text line of every capture parses; counts by type */
struct capture {
	const char	*name;
	int		 header, peer, route, done, json;
};

static void
test_captures(void **state)
{
	static const struct capture want[] = {
		{ "answers.txt", 2, 6, 13, 3, 0 },
		{ "answers-noack.txt", 2, 4, 2, 0, 0 },
		{ "rr.txt", 2, 2, 7, 3, 0 },
		{ "respawn.txt", 2, 4, 13, 3, 3 },
		{ "interleave.txt", 2, 4, 508, 3, 6 },
	};
	struct capture	 got;
	char		 path[256], buf[8192], err[256];
	FILE		*f;
	size_t		 i, n;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(&got, 0, sizeof(got));
		snprintf(path, sizeof(path), CAPTURES "%s", want[i].name);
		if ((f = fopen(path, "r")) == NULL)
			fail_msg("%s: cannot open", path);
		n = 0;
		while (fgets(buf, sizeof(buf), f) != NULL) {
			n++;
			if (buf[0] == '{') {
				got.json++;
				continue;
			}
			if (adjrib_parse(&line, &tl_msg, buf, strlen(buf), err,
			    sizeof(err)) == -1)
				fail_msg("%s:%zu: refused (%s)", path, n, err);
			switch (line.type) {
			case ADJRIB_HEADER:
				got.header++;
				break;
			case ADJRIB_PEER:
				got.peer++;
				assert_true(line.established);
				break;
			case ADJRIB_ROUTE:
				got.route++;
				assert_true(line.unicast);
				assert_int_equal(tl_msg.type, EXABGP_MSG_UPDATE);
				assert_int_equal(tl_msg.nannounce, 1);
				assert_true(tl_msg.has_peer);
				break;
			case ADJRIB_DONE:
				got.done++;
				break;
			default:
				fail_msg("%s:%zu: type %s", path, n,
				    adjrib_type_name(line.type));
			}
		}
		fclose(f);
		assert_int_equal(got.header, want[i].header);
		assert_int_equal(got.peer, want[i].peer);
		assert_int_equal(got.route, want[i].route);
		assert_int_equal(got.done, want[i].done);
		assert_int_equal(got.json, want[i].json);
	}
}

/*
 * The shapes of route lines in the captures: each row a line (the one
 * of file that holds needle), what it must parse to: a route of peer
 * with prefix (NULL: not looked at), the communities and large ones.
 */
static void
test_route_shapes(void **state)
{
	static const struct {
		const char	*file, *needle, *peer, *prefix;
		const char	*comms, *large;
	} rows[] = {
		/* several communities, written in brackets */
		{ "answers.txt", " 192.0.2.1/32 ", "169.254.179.11",
		    "192.0.2.1/32", "12345:443 12345:8080", "" },
		/* large communities only */
		{ "answers.txt", " 192.0.2.2/32 ", NULL, NULL, "",
		    "12345:0:80 12345:0:443" },
		/* no community at all */
		{ "answers.txt", " 192.0.2.3/32 ", NULL, NULL, "", "" },
		/* a well-known one by name; one large community, bare */
		{ "answers.txt", " 192.0.2.4/32 ", NULL, NULL,
		    "12345:443 65535:65281", "12345:0:8443" },
		/* one community, bare; med, as-path of two, origin incomplete */
		{ "answers.txt", " 192.0.2.5/32 ", NULL, NULL, "12345:80", "" },
		/* not a host route: parsed, the table decides */
		{ "answers.txt", " 198.51.100.0/24 ", NULL, "198.51.100.0/24",
		    "12345:443", "" },
		/* an extended community after it */
		{ "answers.txt", " 192.0.2.6/32 ", NULL, NULL, "12345:443", "" },
		/* blackhole, no-advertise, no-peer by name */
		{ "answers.txt", " 192.0.2.7/32 ", NULL, NULL,
		    "12345:22 65535:666 65535:65282 65535:65284", "" },
		/* IPv6, its own session */
		{ "answers.txt", " 2001:db8::1/128 ", "fd00:179::11",
		    "2001:db8::1/128", "12345:443", "" },
		{ "answers.txt", " 2001:db8::2/128 ", NULL, NULL, "",
		    "12345:0:443" },
		/* iBGP: local-preference and med */
		{ "answers.txt", " 192.0.2.10/32 ", "169.254.179.12", NULL,
		    "12345:443", "" },
		{ "answers.txt", " 192.0.2.11/32 ", NULL, NULL,
		    "12345:22 65535:65281", "" },
		/* through a BIRD reflector: originator-id, cluster-list */
		{ "rr.txt", " 192.0.2.1/32 ", "169.254.179.1", NULL,
		    "12345:443 12345:8080", "" },
		{ "rr.txt", " 192.0.2.2/32 ", NULL, NULL, "",
		    "12345:0:80 12345:0:443" },
		{ "rr.txt", " 192.0.2.6/32 ", NULL, NULL, "12345:443", "" },
	};
	size_t	 i;

	for (i = 0; i < TL_NITEMS(rows); i++) {
		parse_capture_line(rows[i].file, rows[i].needle);
		assert_int_equal(line.type, ADJRIB_ROUTE);
		assert_int_equal(tl_msg.type, EXABGP_MSG_UPDATE);
		if (rows[i].peer != NULL) {
			tl_assert_addr(&line.peer, rows[i].peer);
			tl_assert_addr(&tl_msg.peer, rows[i].peer);
		}
		if (rows[i].prefix != NULL)
			tl_assert_prefix(&tl_msg.announce[0], rows[i].prefix);
		assert_comms(rows[i].comms, rows[i].large);
	}
}

static void
test_summary(void **state)
{
	parse_ok("Peer            AS        up/down state       |     #sent"
	    "     #recvd");
	assert_int_equal(line.type, ADJRIB_HEADER);
	parse_ok("fd00:179::11    65001     0:00:02 established           1"
	    "          4");
	assert_int_equal(line.type, ADJRIB_PEER);
	assert_true(line.established);
	tl_assert_addr(&line.peer, "fd00:179::11");
	/* timedelta text with blanks after a day; an unknown AS */
	parse_ok("192.0.2.254     n/a       1 day, 2:03:04 established"
	    "       12        345");
	assert_int_equal(line.type, ADJRIB_PEER);
	assert_true(line.established);
	/* duration 0 is written "down"; the state is what counts */
	parse_ok("192.0.2.254     65001          down established 0 0");
	assert_true(line.established);
	parse_ok("192.0.2.254     65001     0:00:01 active 0 0");
	assert_int_equal(line.type, ADJRIB_PEER);
	assert_false(line.established);
	parse_ok("done");
	assert_int_equal(line.type, ADJRIB_DONE);
	parse_ok("  error \r");
	assert_int_equal(line.type, ADJRIB_ERROR);
	parse_ok("");
	assert_int_equal(line.type, ADJRIB_EMPTY);
	parse_ok(" \t ");
	assert_int_equal(line.type, ADJRIB_EMPTY);
}

static void
test_other_family(void **state)
{
	parse_ok(N11 "ipv4 flow destination 192.0.2.1/32 extended-community "
	    "rate-limit:0");
	assert_int_equal(line.type, ADJRIB_ROUTE);
	assert_false(line.unicast);
	assert_int_equal(tl_msg.type, EXABGP_MSG_IGNORED);
	assert_int_equal(tl_msg.nannounce, 0);
	parse_ok(N11 "ipv4 mpls-vpn 192.0.2.1/32 rd 1:1 next-hop x");
	assert_false(line.unicast);
}

static void
test_odd_but_good(void **state)
{
	/* an empty community attribute: the keyword, then the next one */
	parse_ok(N11 "ipv4 unicast 192.0.2.1/32 next-hop 1.2.3.4 community "
	    "large-community 12345:0:80");
	assert_comms("", "12345:0:80");
	parse_ok(N11 "ipv4 unicast 192.0.2.1/32 community");
	assert_comms("", "");
	parse_ok(N11 "ipv4 unicast 192.0.2.1/32 community [ ]");
	assert_comms("", "");
	/* no next-hop; add-path; nested as-set; aggregator; unknown attr */
	parse_ok(N11 "ipv4 unicast 192.0.2.1/32 path-information 0.0.0.1 "
	    "origin igp as-path [ 65001 ( 65002 65003 ) ] atomic-aggregate "
	    "aggregator ( 65001:192.0.2.1 ) community 12345:80 attribute "
	    "[ 0x63 0xC0 0x0102 ]");
	tl_assert_prefix(&tl_msg.announce[0], "192.0.2.1/32");
	assert_comms("12345:80", "");
	/* "community" inside brackets is not the attribute */
	parse_ok(N11 "ipv4 unicast 192.0.2.1/32 attribute [ community 1:2 ] "
	    "community 0:0");
	assert_comms("0:0", "");
	/* the largest values */
	parse_ok(N11 "ipv4 unicast 192.0.2.1/32 community 65535:65535 "
	    "large-community 4294967295:4294967295:4294967295");
	assert_comms("65535:65535", "4294967295:4294967295:4294967295");
	/* multisession names the families instead of in-open */
	parse_ok("neighbor 192.0.2.9 local-ip auto local-as auto peer-as auto "
	    "router-id 192.0.2.1 family-allowed ipv4-unicast/ipv6-unicast "
	    "ipv6 unicast 2001:db8::9/128 next-hop ::1 community 12345:1");
	tl_assert_addr(&line.peer, "192.0.2.9");
	tl_assert_prefix(&tl_msg.announce[0], "2001:db8::9/128");
}

static void
test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"hello",
		"done done",
		"error 1",
		"neighbor",
		"neighbor 192.0.2.256 local-ip x local-as x peer-as x "
		    "router-id x family-allowed in-open ipv4 unicast "
		    "192.0.2.1/32",
		"neighbor 169.254.179.11 local-ip x",
		"neighbor 169.254.179.11 local-ip x local-as x peer-as x "
		    "router-id x family-allowed",
		"neighbor 169.254.179.11 local-ip x local-as x peer-as x "
		    "router-id x nope in-open ipv4 unicast 192.0.2.1/32",
		N11 "ipv4",
		N11 "ipv4 unicast",
		N11 "ipv4 unicast 192.0.2.1/33",
		N11 "ipv4 unicast 192.0.2.1",
		N11 "ipv4 unicast 2001:db8::1/128",
		N11 "ipv6 unicast 192.0.2.1/32",
		N11 "ipv4 unicast 192.0.2.0/24x",
		N11 "ipv4 unicast 192.0.2.1/32 community 12345:65536",
		N11 "ipv4 unicast 192.0.2.1/32 community 65536:1",
		N11 "ipv4 unicast 192.0.2.1/32 community 012345:1",
		N11 "ipv4 unicast 192.0.2.1/32 community +1:1",
		N11 "ipv4 unicast 192.0.2.1/32 community 1:",
		N11 "ipv4 unicast 192.0.2.1/32 community :1",
		N11 "ipv4 unicast 192.0.2.1/32 community 1:2:3",
		N11 "ipv4 unicast 192.0.2.1/32 community 12345",
		N11 "ipv4 unicast 192.0.2.1/32 community no-such-name",
		N11 "ipv4 unicast 192.0.2.1/32 community [ 1:2",
		N11 "ipv4 unicast 192.0.2.1/32 community [ 1:2 x:y ]",
		N11 "ipv4 unicast 192.0.2.1/32 community 1:2 community 1:3",
		N11 "ipv4 unicast 192.0.2.1/32 large-community 1:2",
		N11 "ipv4 unicast 192.0.2.1/32 large-community 1:2:3:4",
		N11 "ipv4 unicast 192.0.2.1/32 large-community 4294967296:0:1",
		N11 "ipv4 unicast 192.0.2.1/32 large-community [ 1:0:1",
		N11 "ipv4 unicast 192.0.2.1/32 large-community 1:0:1 "
		    "large-community 1:0:2",
		N11 "ipv4 unicast 192.0.2.1/32 as-path [ 65001",
		N11 "ipv4 unicast 192.0.2.1/32 as-path 65001 ]",
		N11 "ipv4 unicast 192.0.2.1/32 aggregator ( 1:2.3.4.5",
		"Peer AS up/down state | #sent #recvd extra",
		"Peer AS up/down state",
		"192.0.2.1 65001 0:00:01 established 1 x",
		"192.0.2.1 65001 established 1 2",
		"192.0.2.999 65001 0:00:01 established 1 2",
		"192.0.2.1 65001 0:00:01 established 1 -2",
		"192.0.2.1 65001 0:00:01 established 1 99999999999",
	};
	char	 err[256], buf[512];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], err, sizeof(err)) != -1)
			fail_msg("accepted (%s): %s",
			    adjrib_type_name(line.type), bad[i]);
		assert_true(err[0] != '\0');
		assert_int_equal(line.type, ADJRIB_EMPTY);
		assert_int_equal(tl_msg.type, EXABGP_MSG_IGNORED);
	}
	/* a NUL inside the line */
	memcpy(buf, "done\0x", 6);
	assert_int_equal(adjrib_parse(&line, &tl_msg, buf, 6, err, sizeof(err)),
	    -1);
	/* brackets nested beyond 64 */
	snprintf(buf, sizeof(buf), N11 "ipv4 unicast 192.0.2.1/32 as-path ");
	for (i = 0; i < 70; i++)
		strcat(buf, "[ ");	/* 290 bytes at most */
	assert_int_equal(parse(buf, err, sizeof(err)), -1);
	/* an error message never quotes the input */
	assert_int_equal(parse(N11 "ipv4 unicast \x01\x02/32", err,
	    sizeof(err)), -1);
	for (i = 0; err[i] != '\0'; i++)
		assert_true(err[i] >= 0x20 && err[i] < 0x7f);
}

/* a message is reused: nothing of the previous line leaks into the next */
static void
test_reuse(void **state)
{
	parse_capture_line("answers.txt", " 192.0.2.4/32 ");
	assert_int_equal(tl_msg.ncommunities, 2);
	parse_ok("done");
	assert_int_equal(tl_msg.type, EXABGP_MSG_IGNORED);
	assert_int_equal(tl_msg.ncommunities, 0);
	assert_int_equal(tl_msg.nlarge, 0);
	assert_int_equal(tl_msg.nannounce, 0);
	assert_false(tl_msg.has_peer);
	parse_capture_line("answers.txt", " 192.0.2.3/32 ");
	assert_int_equal(tl_msg.ncommunities, 0);
	assert_int_equal(tl_msg.nannounce, 1);
}

static void
test_names(void **state)
{
	assert_string_equal(adjrib_type_name(ADJRIB_ROUTE), "route");
	assert_string_equal(adjrib_type_name(ADJRIB_HEADER), "header");
	assert_string_equal(adjrib_type_name((enum adjrib_type)99), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_MSG_TEST(test_captures),
		TL_MSG_TEST(test_route_shapes),
		TL_MSG_TEST(test_summary),
		TL_MSG_TEST(test_other_family),
		TL_MSG_TEST(test_odd_but_good),
		TL_MSG_TEST(test_bad_lines),
		TL_MSG_TEST(test_reuse),
		TL_MSG_TEST(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
