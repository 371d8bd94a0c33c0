/*
 * test_recover.c - the table recovery at start: what a respawned
 * bgpsd-listen reads (ExaBGP's answers between the JSON lines) turned
 * into the table, and when it may render. The real captures of
 * data/listen/adjrib/ (tests/integration/capture_adjrib.sh) give the
 * maps; small synthetic streams give every way the answer can go wrong.
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

#include <jansson.h>

#include "addr.h"
#include "listen.h"
#include "testlib.h"

#define CAPTURES	"data/listen/adjrib/"

#define HEAD	"Peer            AS        up/down state       |" \
		"     #sent     #recvd"
#define PEER(a)	a "   65001     0:00:06 established           1" \
		"          2"
#define ROUTE(peer, rest) "neighbor " peer " local-ip 169.254.179.2 " \
	"local-as 65000 peer-as 65001 router-id 169.254.179.2 " \
	"family-allowed in-open " rest
#define P1	"169.254.179.1"
#define P2	"169.254.179.3"
#define P6	"fd00:179::1"

struct fixture {
	struct rib		*rib;
	struct recover		*rec;
	struct exabgp_msg	 msg;
	int			 refused;	/* recover_text said -1 */
};

static struct fixture	 fx;

static struct rib *
new_rib(int large)
{
	struct rib_conf	 rc;

	memset(&rc, 0, sizeof(rc));
	rc.asn = 12345;
	rc.large = large;
	rc.host_routes_only = 1;
	rc.max_routes = 100000;
	return rib_new(&rc);
}

static int
setup(void **state)
{
	memset(&fx, 0, sizeof(fx));
	fx.rib = new_rib(0);
	fx.rec = recover_new(fx.rib, 100000);
	exabgp_msg_init(&fx.msg);
	recover_begin(fx.rec);
	return 0;
}

static int
teardown(void **state)
{
	recover_free(fx.rec);
	rib_free(fx.rib);
	exabgp_msg_free(&fx.msg);
	return 0;
}

/* one stdin line, as bgpsd-listen's listen_line handles it */
static void
feed(const char *line)
{
	char	 err[256];
	size_t	 len = strlen(line);

	if (len > 0 && line[0] != '{') {
		if (recover_text(fx.rec, line, len, err, sizeof(err)) == -1)
			fx.refused++;
		return;
	}
	if (exabgp_decode(&fx.msg, line, len, err, sizeof(err)) == -1)
		fail_msg("test JSON refused: %s: %s", err, line);
	recover_live(fx.rec, &fx.msg);
	rib_apply(fx.rib, &fx.msg);
}

static void
feedv(const char *first, ...)
{
	va_list		 ap;
	const char	*s;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		feed(s);
	va_end(ap);
}

static void
feed_one(const char *line, void *arg)
{
	feed(line);
}

static void
feed_file(const char *name)
{
	char	 path[256];

	snprintf(path, sizeof(path), CAPTURES "%s", name);
	tl_each_line(path, feed_one, NULL);
}

static char	*json_state(const char *peer, const char *st);
static char	*json_update(const char *peer, const char *body);

/* the port map as compact JSON, keys sorted */
static void
assert_map(struct rib *rib, const char *want)
{
	json_t	*m = context_map(rib);
	char	*s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);

	if (strcmp(s, want) != 0)
		fail_msg("map\n got: %s\nwant: %s", s, want);
	free(s);
	json_decref(m);
}

static struct recover_stats
stats(void)
{
	struct recover_stats	 st;

	recover_stats(fx.rec, &st);
	return st;
}

/* ---- JSON lines in ExaBGP's shapes ---- */

static char	 jbuf[4][1024];
static int	 jnext;

static char *
json_state(const char *peer, const char *st)
{
	char	*b = jbuf[jnext++ % 4];

	snprintf(b, sizeof(jbuf[0]), "{ \"exabgp\": \"4.0.1\", \"type\": "
	    "\"state\", \"neighbor\": { \"address\": { \"local\": \"x\", "
	    "\"peer\": \"%s\" }, \"state\": \"%s\" } }", peer, st);
	return b;
}

static char *
json_update(const char *peer, const char *body)
{
	char	*b = jbuf[jnext++ % 4];

	snprintf(b, sizeof(jbuf[0]), "{ \"exabgp\": \"4.0.1\", \"type\": "
	    "\"update\", \"neighbor\": { \"address\": { \"local\": \"x\", "
	    "\"peer\": \"%s\" }, \"direction\": \"receive\", \"message\": "
	    "{ %s } } }", peer, body);
	return b;
}

#define ANN4(p, port) "\"update\": { \"attribute\": { \"community\": " \
	"[ [ 12345, " port " ] ] }, \"announce\": { \"ipv4 unicast\": " \
	"{ \"x\": [ { \"nlri\": \"" p "\" } ] } } }"
#define WDR4(p) "\"update\": { \"withdraw\": { \"ipv4 unicast\": " \
	"[ { \"nlri\": \"" p "\" } ] } }"
#define EOR4 "\"eor\": { \"afi\": \"ipv4\", \"safi\": \"unicast\" }"

/* ---- a fresh ExaBGP: nothing established, nothing to recover ---- */

static void
test_fresh_ack(void **state)
{
	assert_int_equal(recover_state(fx.rec), RECOVER_PENDING);
	assert_false(recover_ready(fx.rec));
	feedv(HEAD, "done", "done", NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_PENDING);
	feed(HEAD);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_true(recover_ready(fx.rec));
	feed("done");
	assert_int_equal(stats().peers, 0);
	assert_int_equal(stats().lines, 5);
	assert_int_equal(fx.refused, 0);
	/* no peer up: the End-of-RIB gating runs as without recovery */
	assert_false(rib_all_eor(fx.rib));
	feedv(json_state(P1, "up"), json_update(P1, ANN4("192.0.2.1/32",
	    "443")), NULL);
	assert_false(rib_all_eor(fx.rib));
	feed(json_update(P1, EOR4));
	assert_true(rib_all_eor(fx.rib));
}

static void
test_fresh_noack(void **state)
{
	feed(HEAD);
	assert_int_equal(recover_state(fx.rec), RECOVER_PENDING);
	feed(HEAD);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_string_equal(stats().detail, "recovered");
}

/* ---- the real captures ---- */

static void
test_capture_answers(void **state)
{
	feed_file("answers.txt");
	assert_int_equal(fx.refused, 0);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_int_equal(stats().peers, 3);
	assert_int_equal(stats().routes, 13);
	assert_int_equal(stats().skipped, 0);
	assert_int_equal(rib_peers_up(fx.rib), 3);
	assert_true(rib_all_eor(fx.rib));
	/* 192.0.2.3 has no community, 198.51.100.0/24 is no host route */
	assert_map(fx.rib, "{\"22\":[\"192.0.2.7\",\"192.0.2.11\"],"
	    "\"443\":[\"192.0.2.1\",\"192.0.2.4\",\"192.0.2.6\","
	    "\"192.0.2.10\",\"2001:db8::1\"],\"80\":[\"192.0.2.5\"],"
	    "\"8080\":[\"192.0.2.1\"]}");
}

static void
test_capture_noack(void **state)
{
	feed_file("answers-noack.txt");
	assert_int_equal(fx.refused, 0);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_int_equal(stats().peers, 2);
	assert_map(fx.rib, "{\"443\":[\"192.0.2.1\",\"2001:db8::1\"],"
	    "\"8080\":[\"192.0.2.1\"]}");
}

static void
test_capture_rr(void **state)
{
	feed_file("rr.txt");
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_int_equal(stats().peers, 1);
	assert_map(fx.rib, "{\"443\":[\"192.0.2.1\",\"192.0.2.4\","
	    "\"192.0.2.6\"],\"80\":[\"192.0.2.5\"],\"8080\":[\"192.0.2.1\"]}");
}

/*
 * A respawned process: 169.254.179.12 went down before (ExaBGP still
 * lists its Adj-RIB-In), then 192.0.2.1 loses 8080, 192.0.2.5 is
 * withdrawn and 192.0.2.8 comes, in JSON.
 */
static void
test_capture_respawn(void **state)
{
	feed_file("respawn.txt");
	assert_int_equal(fx.refused, 0);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_int_equal(stats().peers, 2);
	assert_int_equal(stats().skipped, 2);
	assert_map(fx.rib, "{\"22\":[\"192.0.2.7\"],\"443\":[\"192.0.2.1\","
	    "\"192.0.2.4\",\"192.0.2.6\",\"2001:db8::1\"],\"8080\":"
	    "[\"192.0.2.8\"]}");
	/* the same under large communities (12345:0:PORT) */
	teardown(state);
	memset(&fx, 0, sizeof(fx));
	fx.rib = new_rib(1);
	fx.rec = recover_new(fx.rib, 100000);
	exabgp_msg_init(&fx.msg);
	recover_begin(fx.rec);
	feed_file("respawn.txt");
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_map(fx.rib, "{\"443\":[\"192.0.2.2\",\"2001:db8::2\"],"
	    "\"80\":[\"192.0.2.2\"],\"8443\":[\"192.0.2.4\"]}");
}

/*
 * 100 routes got 12345:2 while ExaBGP dumped them with 12345:1 from its
 * earlier copy: in the capture, dump lines come after the JSON of the
 * same route. Read in stream order they would win; they must not.
 */
static void
test_capture_interleave(void **state)
{
	json_t	*m, *v;
	size_t	 i;
	char	 ip[32];
	int	 older = 0;
	FILE	*f;
	char	*buf = NULL, *p;
	size_t	 cap = 0;
	ssize_t	 n;
	static char seen2[256];	/* 198.51.100.x: 12345:2 in the JSON */

	/* the capture really holds such lines (else this proves nothing) */
	if ((f = fopen(CAPTURES "interleave.txt", "r")) == NULL)
		fail_msg("cannot open interleave.txt");
	while ((n = getline(&buf, &cap, f)) > 0) {
		if (buf[0] == '{' && strstr(buf, "[ [ 12345, 2 ] ]") != NULL) {
			for (p = buf; (p = strstr(p, "198.51.100.")) != NULL;
			    p++)
				seen2[atoi(p + 11) & 0xff] = 1;
		} else if (strncmp(buf, "neighbor ", 9) == 0 &&
		    (p = strstr(buf, " 198.51.100.")) != NULL &&
		    strstr(buf, "community 12345:1") != NULL &&
		    seen2[atoi(p + 12) & 0xff])
			older++;
	}
	free(buf);
	fclose(f);
	assert_true(older > 0);

	feed_file("interleave.txt");
	assert_int_equal(fx.refused, 0);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_true(stats().superseded >= (uint64_t)older);
	m = context_map(fx.rib);
	v = json_object_get(m, "2");
	assert_int_equal(json_array_size(v), 100);
	for (i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%zu", 155 + i);
		assert_string_equal(json_string_value(json_array_get(v, i)),
		    ip);
	}
	assert_int_equal(json_array_size(json_object_get(m, "1")), 508 - 100);
	assert_int_equal(json_object_size(m), 2);
	json_decref(m);
}

/* ---- the JSON wins over an older answer ---- */

static void
test_superseded(void **state)
{
	feedv(HEAD, PEER(P1), "done", NULL);
	/* read before the dump lines of the same routes */
	feed(json_update(P1, ANN4("192.0.2.1/32", "8080")));
	feed(json_update(P1, WDR4("192.0.2.2/32")));
	feedv(ROUTE(P1, "ipv4 unicast 192.0.2.1/32 community 12345:443"),
	    ROUTE(P1, "ipv4 unicast 192.0.2.2/32 community 12345:443"),
	    ROUTE(P1, "ipv4 unicast 192.0.2.3/32 community 12345:443"),
	    "done", HEAD, PEER(P1), "done", NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_int_equal(stats().superseded, 2);
	assert_int_equal(stats().routes, 1);
	assert_map(fx.rib, "{\"443\":[\"192.0.2.3\"],\"8080\":"
	    "[\"192.0.2.1\"]}");
	/* once done, answers change nothing */
	feedv(HEAD, PEER(P1), "done",
	    ROUTE(P1, "ipv4 unicast 192.0.2.9/32 community 12345:443"),
	    "done", NULL);
	assert_map(fx.rib, "{\"443\":[\"192.0.2.3\"],\"8080\":"
	    "[\"192.0.2.1\"]}");
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	/* and JSON lines are no longer tracked */
	feed(json_update(P1, ANN4("192.0.2.4/32", "443")));
	assert_int_equal(stats().touched, 0);
}

/* a peer whose session moved while we asked is left to the JSON */
static void
test_state_change(void **state)
{
	feedv(HEAD, PEER(P1), PEER(P2), "done", NULL);
	feed(json_state(P2, "down"));
	feedv(ROUTE(P1, "ipv4 unicast 192.0.2.1/32 community 12345:443"),
	    ROUTE(P2, "ipv4 unicast 192.0.2.2/32 community 12345:443"),
	    "done", HEAD, PEER(P1), "done", NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_int_equal(stats().peers, 1);
	assert_int_equal(stats().skipped, 1);
	assert_map(fx.rib, "{\"443\":[\"192.0.2.1\"]}");
	assert_int_equal(rib_peers_up(fx.rib), 1);
	assert_true(rib_all_eor(fx.rib));
	/* P2 comes up again: the gate waits for its End-of-RIB */
	feedv(json_state(P2, "up"), json_update(P2, ANN4("192.0.2.2/32",
	    "443")), NULL);
	assert_false(rib_all_eor(fx.rib));
	feed(json_update(P2, EOR4));
	assert_true(rib_all_eor(fx.rib));
}

/* a peer that came up while we asked is not in A: its JSON counts */
static void
test_peer_up_meanwhile(void **state)
{
	feedv(HEAD, PEER(P1), "done", json_state(P2, "connected"),
	    json_state(P2, "up"), NULL);
	feedv(ROUTE(P1, "ipv4 unicast 192.0.2.1/32 community 12345:443"),
	    ROUTE(P2, "ipv4 unicast 192.0.2.2/32 community 12345:443"),
	    "done", HEAD, PEER(P1), PEER(P2), "done", NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_int_equal(stats().peers, 1);
	assert_int_equal(stats().skipped, 1);
	assert_false(rib_all_eor(fx.rib));
	feedv(json_update(P2, ANN4("192.0.2.2/32", "443")),
	    json_update(P2, EOR4), NULL);
	assert_true(rib_all_eor(fx.rib));
	assert_map(fx.rib, "{\"443\":[\"192.0.2.1\",\"192.0.2.2\"]}");
}

/* ---- failures, and what ends them ---- */

static void
test_error(void **state)
{
	feedv(HEAD, PEER(P1), "done", "error", HEAD, PEER(P1), "done", NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	assert_false(recover_ready(fx.rec));
	assert_non_null(strstr(stats().detail, "'error'"));
}

/* acks on: a dump that ends without its "done" is not trusted */
static void
test_incomplete_dump(void **state)
{
	feedv(HEAD, PEER(P1), "done",
	    ROUTE(P1, "ipv4 unicast 192.0.2.1/32 community 12345:443"),
	    HEAD, PEER(P1), "done", NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	assert_non_null(strstr(stats().detail, "without 'done'"));
	assert_int_equal(rib_peers_up(fx.rib), 0);
	/* asked again: a whole answer ends it */
	recover_begin(fx.rec);
	assert_int_equal(recover_state(fx.rec), RECOVER_PENDING);
	assert_int_equal(stats().attempts, 2);
	feedv(HEAD, PEER(P1), "done",
	    ROUTE(P1, "ipv4 unicast 192.0.2.1/32 community 12345:443"),
	    "done", HEAD, PEER(P1), "done", NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_int_equal(stats().peers, 1);
	assert_map(fx.rib, "{\"443\":[\"192.0.2.1\"]}");
}

/* an unreadable line inside the answer: the answer is not used */
static void
test_refused_line(void **state)
{
	feedv(HEAD, PEER(P1), "done",
	    ROUTE(P1, "ipv4 unicast 192.0.2.1/32 community 12345:99999"),
	    NULL);
	assert_int_equal(fx.refused, 1);
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	assert_non_null(strstr(stats().detail, "refused"));
	/* the rest of that answer is ignored; a later whole one is used */
	feedv(ROUTE(P1, "ipv4 unicast 192.0.2.2/32 community 12345:443"),
	    "done", NULL);
	assert_int_equal(stats().routes, 0);
	/* text that is no answer at all, outside an answer: only refused */
	feed("hello");
	assert_int_equal(fx.refused, 2);
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
}

/* main's timer fired; the answer comes late all the same */
static void
test_late_answer(void **state)
{
	feed(HEAD);
	recover_fail(fx.rec, "no answer from ExaBGP within 10 s");
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	assert_string_equal(stats().detail,
	    "no answer from ExaBGP within 10 s");
	feedv(PEER(P1), "done",
	    ROUTE(P1, "ipv4 unicast 192.0.2.1/32 community 12345:443"),
	    "done", HEAD, NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_string_equal(stats().detail, "recovered, after failing");
	assert_map(fx.rib, "{\"443\":[\"192.0.2.1\"]}");
	/* DONE stays DONE */
	recover_fail(fx.rec, "x");
	recover_begin(fx.rec);
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
}

/* every session of A restarted: the dump no longer matters */
static void
test_sessions_restarted(void **state)
{
	feedv(HEAD, PEER(P1), PEER(P6), "done", NULL);
	recover_fail(fx.rec, "no answer");
	feed(json_state(P1, "down"));
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	feed(json_state(P6, "down"));
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
	assert_string_equal(stats().detail,
	    "every session that was up restarted, after failing");
	assert_int_equal(stats().peers, 0);
}

/* without A, nobody knows which sessions are up: no way out but asking */
static void
test_failed_without_summary(void **state)
{
	recover_fail(fx.rec, "no answer");
	feedv(json_state(P1, "down"), json_state(P1, "up"),
	    json_update(P1, EOR4), NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	recover_cancel(fx.rec, "given up");
	assert_int_equal(recover_state(fx.rec), RECOVER_OFF);
	assert_true(recover_ready(fx.rec));
	/* answers after that are only counted */
	feedv(HEAD, PEER(P1), "done",
	    ROUTE(P1, "ipv4 unicast 192.0.2.1/32 community 12345:443"), NULL);
	assert_int_equal(fx.refused, 0);
	assert_int_equal(stats().routes, 0);
}

/* what the JSON changed is remembered up to max_touched, no further */
static void
test_max_touched(void **state)
{
	recover_free(fx.rec);
	fx.rec = recover_new(fx.rib, 2);
	recover_begin(fx.rec);
	feedv(HEAD, PEER(P1), "done", NULL);
	feedv(json_update(P1, ANN4("192.0.2.1/32", "443")),
	    json_update(P1, ANN4("192.0.2.1/32", "80")),
	    json_update(P1, WDR4("192.0.2.2/32")), NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_PENDING);
	assert_int_equal(stats().touched, 2);
	feed(json_update(P1, ANN4("192.0.2.3/32", "443")));
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	assert_non_null(strstr(stats().detail, "more than 2 routes"));
	assert_int_equal(stats().touched, 0);
	/* no answer can be used any more, not even a later whole one */
	feedv(ROUTE(P1, "ipv4 unicast 192.0.2.4/32 community 12345:443"),
	    "done", HEAD, PEER(P1), "done", NULL);
	recover_begin(fx.rec);
	feedv(HEAD, PEER(P1), "done",
	    ROUTE(P1, "ipv4 unicast 192.0.2.4/32 community 12345:443"),
	    "done", HEAD, PEER(P1), "done", NULL);
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	assert_int_equal(stats().routes, 0);
	assert_map(fx.rib, "{\"443\":[\"192.0.2.3\"],\"80\":"
	    "[\"192.0.2.1\"]}");
	/* the session restarting ends it */
	feed(json_state(P1, "down"));
	assert_int_equal(recover_state(fx.rec), RECOVER_DONE);
}

static void
test_max_peers(void **state)
{
	char	 line[128];
	int	 i;

	feed(HEAD);
	for (i = 0; i <= RECOVER_MAX_PEERS; i++) {
		snprintf(line, sizeof(line), "2001:db8::%x:%x 65001 0:00:01 "
		    "established 1 2", i >> 16, i & 0xffff);
		feed(line);
	}
	assert_int_equal(recover_state(fx.rec), RECOVER_FAILED);
	assert_non_null(strstr(stats().detail, "more than 65536"));
}

/* not begun (recovery_timeout = 0): nothing changes, lines are counted */
static void
test_off(void **state)
{
	struct recover	*r = recover_new(fx.rib, 100000);
	char		 err[64];

	assert_int_equal(recover_state(r), RECOVER_OFF);
	assert_true(recover_ready(r));
	assert_int_equal(recover_text(r, HEAD, strlen(HEAD), err,
	    sizeof(err)), 0);
	assert_int_equal(recover_text(r, "done", 4, err, sizeof(err)), 0);
	assert_int_equal(recover_text(r, "x y", 3, err, sizeof(err)), -1);
	recover_fail(r, "x");
	assert_int_equal(recover_state(r), RECOVER_OFF);
	recover_free(r);
	recover_free(NULL);
}

static void
test_names(void **state)
{
	static const struct {
		enum recover_state	 st;
		const char		*name;
	} cases[] = {
		{ RECOVER_OFF, "off" },
		{ RECOVER_PENDING, "pending" },
		{ RECOVER_DONE, "done" },
		{ RECOVER_FAILED, "failed" },
		{ (enum recover_state)9, "?" },
	};
	size_t	i;

	for (i = 0; i < TL_NITEMS(cases); i++)
		assert_string_equal(recover_state_name(cases[i].st),
		    cases[i].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TEST(test_fresh_ack),
		TL_TEST(test_fresh_noack),
		TL_TEST(test_capture_answers),
		TL_TEST(test_capture_noack),
		TL_TEST(test_capture_rr),
		TL_TEST(test_capture_respawn),
		TL_TEST(test_capture_interleave),
		TL_TEST(test_superseded),
		TL_TEST(test_state_change),
		TL_TEST(test_peer_up_meanwhile),
		TL_TEST(test_error),
		TL_TEST(test_incomplete_dump),
		TL_TEST(test_refused_line),
		TL_TEST(test_late_answer),
		TL_TEST(test_sessions_restarted),
		TL_TEST(test_failed_without_summary),
		TL_TEST(test_max_touched),
		TL_TEST(test_max_peers),
		TL_TEST(test_off),
		TL_TEST(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
