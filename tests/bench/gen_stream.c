/*
 * gen_stream.c - a synthetic but realistic ExaBGP 4.2 JSON stream for
 * the listener benchmark, in exactly the shapes of the real captures in
 * shared/fixtures/exabgp-4.2/ (spacing included): per session
 * "connected", "up", the initial table, End-of-RIB; then community churn
 * (ports added and removed, foreign and well-known communities, MED,
 * withdraws and re-announcements); finally every prefix re-announced
 * with its one base port, so the final table has exactly one backend per
 * prefix.
 *
 *   gen_stream [-l UPDATE_LINES] [-n PREFIXES] [-P PEERS] [-s SEED]
 *
 * PREFIXES host routes (4 of 5 IPv4 /32 in 198.18.0.0/15, the RFC 2544
 * benchmarking range; 1 of 5 IPv6 /128 in 2001:db8::/32) spread over
 * PEERS announcers, each with an IPv4 session (169.254.179.x, carrying
 * its IPv4 routes) and an IPv6 session (fd00:179::x). As ExaBGP does,
 * IPv4 NLRIs with identical attributes are grouped (up to 25 a line),
 * IPv6 ones come one per line, and IPv6 withdraws carry attributes.
 * Exactly UPDATE_LINES lines of type "update" are written (plus 2 state
 * lines per session); a summary goes to stderr.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

#define GEN_GROUP_MAX	25
#define GEN_NPORTS	10

static const int gen_ports[GEN_NPORTS] = {
	80, 443, 8080, 8443, 22, 3306, 5432, 6379, 9000, 9090
};

struct gen_session {
	char		 peer[48];
	char		 local[48];
	int		 v6;
	uint64_t	 counter;
};

static struct gen_session *gen_sess;	/* 2 per peer: v4, v6 */
static int		 gen_npeers = 10;
static int		 gen_n = 10000;
static double		 gen_time = 1795644272.0;
static uint64_t		 gen_rng = 88172645463325252ULL;
static uint64_t		 gen_updates;

static uint64_t
gen_random(void)
{
	/* xorshift64: reproducible, no libc state */
	gen_rng ^= gen_rng << 13;
	gen_rng ^= gen_rng >> 7;
	gen_rng ^= gen_rng << 17;
	return gen_rng;
}

static int
gen_is_v6(int i)
{
	return i % 5 == 4;
}

static int
gen_peer(int i)
{
	return i % gen_npeers;
}

static int
gen_base_port(int i)
{
	return gen_ports[(i / gen_npeers) % GEN_NPORTS];
}

static void
gen_prefix(int i, char *buf, size_t len)
{
	if (gen_is_v6(i))
		snprintf(buf, len, "2001:db8:%x::%x/128", i / 65536 + 1,
		    i % 65536 + 1);
	else
		snprintf(buf, len, "198.%d.%d.%d/32", 18 + (i >> 16) % 2,
		    (i >> 8) & 0xff, i & 0xff);
}

static struct gen_session *
gen_session(int i)
{
	return &gen_sess[gen_peer(i) * 2 + gen_is_v6(i)];
}

static void
gen_head(struct gen_session *s, const char *type)
{
	gen_time += 0.0001;
	s->counter++;
	printf("{ \"exabgp\": \"4.0.1\", \"time\": %.7f, \"host\" : \"vm\", "
	    "\"pid\" : 14047, \"ppid\" : 1, \"counter\": %" PRIu64 ", "
	    "\"type\": \"%s\", \"neighbor\": { \"address\": { \"local\": "
	    "\"%s\", \"peer\": \"%s\" }, \"asn\": { \"local\": 65000, "
	    "\"peer\": 65001 } , ", gen_time, s->counter, type, s->local,
	    s->peer);
}

static void
gen_state(struct gen_session *s, const char *state)
{
	gen_head(s, "state");
	printf("\"state\": \"%s\" } }\n", state);
}

static void
gen_eor(struct gen_session *s)
{
	gen_head(s, "update");
	printf("\"direction\": \"receive\", \"message\": { \"eor\": { "
	    "\"afi\" : \"%s\", \"safi\" : \"unicast\" } } } }\n",
	    s->v6 ? "ipv6" : "ipv4");
	gen_updates++;
}

/*
 * The attribute set of variant v for prefix i: 0 = its base port only,
 * 1 = plus a second port, 2 = plus no-export, 3 = a foreign community
 * first, 4 = base port with a MED, 5 = no community at all (no port).
 */
static void
gen_attributes(int i, int v, int withdraw)
{
	int	base = gen_base_port(i), other;

	printf("\"attribute\": { \"origin\": \"igp\", ");
	if (v == 4 && !withdraw)
		printf("\"med\": 100, ");
	printf("\"as-path\": [ 65001 ], \"confederation-path\": []");
	if (withdraw || v == 5) {
		printf(" }");
		return;
	}
	printf(", \"community\": [ ");
	switch (v) {
	case 1:
		other = gen_ports[(i + v + 1) % GEN_NPORTS];
		if (other == base)
			other = gen_ports[(i + v + 2) % GEN_NPORTS];
		if (other < base)
			printf("[ 12345, %d ], [ 12345, %d ]", other, base);
		else
			printf("[ 12345, %d ], [ 12345, %d ]", base, other);
		break;
	case 2:
		printf("[ 12345, %d ], [ 65535, 65281 ]", base);
		break;
	case 3:
		printf("[ 64512, 80 ], [ 12345, %d ]", base);
		break;
	default:
		printf("[ 12345, %d ]", base);
		break;
	}
	printf(" ] }");
}

/* the start of an update line of s, up to its attributes */
static void
gen_update_head(struct gen_session *s)
{
	gen_head(s, "update");
	printf("\"direction\": \"receive\", \"message\": { \"update\": { ");
}

/* the NLRIs of prefixes idx[0..n), comma-separated, as ExaBGP lists them */
static void
gen_nlris(const int *idx, int n)
{
	char	p[64];
	int	k;

	for (k = 0; k < n; k++) {
		gen_prefix(idx[k], p, sizeof(p));
		printf("%s{ \"nlri\": \"%s\" }", k ? ", " : "", p);
	}
}

/* one announce line: prefixes idx[0..n) of one session, same attrs */
static void
gen_announce(const int *idx, int n, int v)
{
	struct gen_session	*s = gen_session(idx[0]);

	gen_update_head(s);
	gen_attributes(idx[0], v, 0);
	printf(", \"announce\": { \"%s unicast\": { \"%s\": [ ",
	    s->v6 ? "ipv6" : "ipv4", s->peer);
	gen_nlris(idx, n);
	printf(" ] } } } } } }\n");
	gen_updates++;
}

static void
gen_withdraw(const int *idx, int n)
{
	struct gen_session	*s = gen_session(idx[0]);

	gen_update_head(s);
	/* as captured: IPv6 withdraws carry attributes, IPv4 ones do not */
	if (s->v6) {
		gen_attributes(idx[0], 0, 1);
		printf(", ");
	}
	printf("\"withdraw\": { \"%s unicast\": [ ", s->v6 ? "ipv6" : "ipv4");
	gen_nlris(idx, n);
	printf(" ] } } } } }\n");
	gen_updates++;
}

/*
 * Every prefix with variant 0, grouped like ExaBGP: per session, IPv4
 * prefixes with the same base port up to 25 a line, IPv6 one a line.
 * Returns the number of lines (dry = 1: count only).
 */
static uint64_t
gen_table(int dry)
{
	int		 idx[GEN_GROUP_MAX], n, peer, port, i;
	uint64_t	 lines = 0;

	for (peer = 0; peer < gen_npeers; peer++) {
		for (port = 0; port < GEN_NPORTS; port++) {
			n = 0;
			for (i = peer; i < gen_n; i += gen_npeers) {
				if (gen_base_port(i) != gen_ports[port])
					continue;
				if (gen_is_v6(i)) {
					if (!dry)
						gen_announce(&i, 1, 0);
					lines++;
					continue;
				}
				idx[n++] = i;
				if (n == GEN_GROUP_MAX) {
					if (!dry)
						gen_announce(idx, n, 0);
					lines++;
					n = 0;
				}
			}
			if (n > 0) {
				if (!dry)
					gen_announce(idx, n, 0);
				lines++;
			}
		}
	}
	return lines;
}

/* one churn line: a random prefix, maybe a few more of its session */
static void
gen_churn(void)
{
	int		idx[5], n = 1, i, j, k, v;
	uint64_t	r = gen_random();

	i = (int)(r % (uint64_t)gen_n);
	idx[0] = i;
	/* IPv4: sometimes a few prefixes of the same session together */
	if (!gen_is_v6(i) && (r >> 32) % 4 == 0) {
		for (k = 1, j = i + gen_npeers * 5; k < 5 && j < gen_n;
		    k++, j += gen_npeers * 5)
			if (!gen_is_v6(j) &&
			    gen_base_port(j) == gen_base_port(i))
				idx[n++] = j;
	}
	v = (int)((r >> 40) % 10);
	if (v >= 6) {
		/* 4 in 10: withdraws; the prefix comes back later */
		gen_withdraw(idx, n);
		return;
	}
	if (n > 1 && v == 1)
		v = 0;	/* a second port is per prefix: keep groups simple */
	gen_announce(idx, n, v);
}

int
main(int argc, char *argv[])
{
	uint64_t	 lines = 1000000, fixed, table;
	const char	*seed = NULL;
	int		 p;
	const struct bench_opt opts[] = {
		{ 'l', BENCH_U64, &lines },
		{ 'n', BENCH_INT, &gen_n },
		{ 'P', BENCH_INT, &gen_npeers },
		{ 's', BENCH_STR, &seed },
	};

	if (bench_options(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    "usage: gen_stream [-l LINES] [-n PREFIXES] [-P PEERS] "
	    "[-s SEED]\n") == -1)
		return 2;
	if (seed != NULL)
		gen_rng = strtoull(seed, NULL, 10) | 1;
	if (gen_n < 1 || gen_n > 100000 || gen_npeers < 1 ||
	    gen_npeers > 200) {
		fprintf(stderr, "gen_stream: bad -n or -P\n");
		return 2;
	}
	if ((gen_sess = calloc((size_t)gen_npeers * 2,
	    sizeof(*gen_sess))) == NULL)
		return 1;
	for (p = 0; p < gen_npeers; p++) {
		snprintf(gen_sess[2 * p].peer, sizeof(gen_sess[0].peer),
		    "169.254.179.%d", p + 1);
		snprintf(gen_sess[2 * p].local, sizeof(gen_sess[0].local),
		    "169.254.179.254");
		snprintf(gen_sess[2 * p + 1].peer, sizeof(gen_sess[0].peer),
		    "fd00:179::%x", p + 1);
		snprintf(gen_sess[2 * p + 1].local, sizeof(gen_sess[0].local),
		    "fd00:179::ffff");
		gen_sess[2 * p + 1].v6 = 1;
	}
	/* initial table + EORs, churn, final table: exactly `lines` */
	table = gen_table(1);
	fixed = 2 * table + 2 * (uint64_t)gen_npeers;
	if (lines < fixed) {
		fprintf(stderr, "gen_stream: -l must be at least %" PRIu64
		    " for %d prefixes\n", fixed, gen_n);
		return 2;
	}
	for (p = 0; p < 2 * gen_npeers; p++) {
		gen_state(&gen_sess[p], "connected");
		gen_state(&gen_sess[p], "up");
	}
	(void)gen_table(0);
	for (p = 0; p < 2 * gen_npeers; p++)
		gen_eor(&gen_sess[p]);
	while (gen_updates < lines - table)
		gen_churn();
	(void)gen_table(0);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("gen_stream: stdout");
		return 1;
	}
	fprintf(stderr, "gen_stream: %" PRIu64 " update lines, %d prefixes, "
	    "%d peers (%d sessions)\n", gen_updates, gen_n, gen_npeers,
	    2 * gen_npeers);
	return 0;
}
