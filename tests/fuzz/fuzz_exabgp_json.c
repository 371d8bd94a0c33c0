/*
 * fuzz_exabgp_json.c - libFuzzer target: ExaBGP JSON lines through
 * exabgp_decode() into rib_apply() on a table that persists across inputs
 * (state from earlier inputs is what real streams build on).
 *
 * The input is a stream, cut into lines by lines.c (bgpsd-listen's own
 * splitter, max_line from the last byte) in reads of varying sizes.
 *
 * Oracles beyond the sanitizers: the splitter agrees with a plain cut of
 * the whole input on every line and oversized line; a refused line
 * leaves the message EXABGP_MSG_IGNORED and the table untouched
 * (generation unchanged); the
 * table never holds more than max_routes per peer; every backend is a
 * host route with a port != 0 and >= 1 peer; the context built from the
 * table contains only canonical inet_ntop text (re-parsed and re-printed
 * identically); with accept filters set, every backend lies inside
 * accept_prefixes. The rules (ASN, large mode, host routes only, accept
 * filters) change every 97 inputs, as a SIGHUP would; a finding may then need the inputs
 * before it (libFuzzer keeps only the last): run the corpus to reproduce.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "addr.h"
#include "listen.h"
#include "log.h"

#define FUZZ_MAX_ROUTES	512

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct rib	*rib;
static struct exabgp_msg msg;
static struct rib_conf	 rc;
static unsigned long	 ninputs;
static struct prefix	 fuzz_accept[2];	/* 192.0.2.0/24, 2001:db8::/32 */
static struct prefix	 fuzz_peers[1];		/* 169.254.179.0/24 */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz", 0, 0);
	rc.asn = 12345;
	rc.large = 0;
	rc.host_routes_only = 1;
	rc.max_routes = FUZZ_MAX_ROUTES;
	if (prefix_parse("192.0.2.0/24", &fuzz_accept[0], 0) == -1 ||
	    prefix_parse("2001:db8::/32", &fuzz_accept[1], 0) == -1 ||
	    prefix_parse("169.254.179.0/24", &fuzz_peers[0], 0) == -1)
		abort();
	rib = rib_new(&rc);
	exabgp_msg_init(&msg);
	return 0;
}

static void
fuzz_check_text(const char *s)
{
	struct prefix	 p;
	struct addr	 a;
	char		 buf[PREFIX_STRLEN];

	if (strchr(s, '/') != NULL) {
		if (prefix_parse(s, &p, 0) == -1)
			abort();
		if (strcmp(prefix_fmt(&p, buf, sizeof(buf)), s) != 0)
			abort();
	} else {
		if (addr_parse(s, &a) == -1)
			abort();
		if (strcmp(addr_fmt(&a, buf, sizeof(buf)), s) != 0)
			abort();
	}
}

/* every string that came from the table is canonical address text */
static void
fuzz_check_context(struct rib *r)
{
	json_t		*ctx, *svcs, *svc, *backends, *b, *t;
	size_t		 i, j, k;
	char		*dump;

	ctx = context_build(r, NULL);
	if (ctx == NULL)
		abort();
	svcs = json_object_get(ctx, "services");
	json_array_foreach(svcs, i, svc) {
		backends = json_object_get(svc, "backends");
		json_array_foreach(backends, j, b) {
			fuzz_check_text(json_string_value(
			    json_object_get(b, "ip")));
			fuzz_check_text(json_string_value(
			    json_object_get(b, "prefix")));
			fuzz_check_text(json_string_value(
			    json_object_get(b, "peer")));
			if (!json_is_null(json_object_get(b, "next_hop")))
				fuzz_check_text(json_string_value(
				    json_object_get(b, "next_hop")));
			/* tags: numbers and colons only, whatever came in */
			json_array_foreach(json_object_get(b, "tags"), k, t)
				if (strspn(json_string_value(t),
				    "0123456789:") !=
				    strlen(json_string_value(t)))
					abort();
		}
	}
	dump = context_dump(ctx);
	if (dump == NULL)
		abort();
	free(dump);
	json_decref(ctx);
}

static void
fuzz_check_rib(struct rib *r)
{
	struct rib_backend	*be;
	struct rib_peer_stat	*ps;
	size_t			 n, i;

	n = rib_backends(r, &be);
	for (i = 0; i < n; i++) {
		/* non-host routes only while host_routes_only is off */
		if (be[i].port == 0 || be[i].npeers == 0 ||
		    (rc.host_routes_only && !prefix_is_host(&be[i].prefix)))
			abort();
		if (i > 0 && be[i - 1].port > be[i].port)
			abort();
		if (rc.accept_prefixes != NULL &&
		    !prefix_contains(&fuzz_accept[0], &be[i].prefix) &&
		    !prefix_contains(&fuzz_accept[1], &be[i].prefix))
			abort();
	}
	free(be);
	n = rib_peers(r, &ps);
	for (i = 0; i < n; i++)
		if (rc.max_routes > 0 &&
		    ps[i].routes > (size_t)rc.max_routes)
			abort();
	free(ps);
}

/* one line, as bgpsd-listen handles it: decode, then apply whole */
static void
fuzz_line(const char *p, size_t len)
{
	char		 err[256];
	uint64_t	 gen;

	gen = rib_generation(rib);
	if (exabgp_decode(&msg, p, len, err, sizeof(err)) == -1) {
		if (msg.type != EXABGP_MSG_IGNORED)
			abort();
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
	} else {
		if (memchr(msg.reason, '\0', sizeof(msg.reason)) == NULL)
			abort();
		rib_apply(rib, &msg);
	}
	if (msg.type == EXABGP_MSG_IGNORED && rib_generation(rib) != gen)
		abort();
}

/*
 * The stream is cut by lines.c (bgpsd-listen's splitter) in reads of
 * varying sizes; a reference cut of the whole input must agree on every
 * line and every oversized one.
 */
struct fuzz_ref {
	const char	*p, *end;
	size_t		 max;
	uint64_t	 n;
};

/* the next line of the reference cut, which must be line number lineno */
static const char *
fuzz_ref_next(struct fuzz_ref *r, uint64_t lineno, size_t *len)
{
	const char	*nl, *line = r->p;

	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	if (nl == NULL)
		nl = r->end;
	*len = (size_t)(nl - r->p);
	r->p = nl < r->end ? nl + 1 : nl;
	if (lineno != ++r->n)
		abort();
	return line;
}

static int
fuzz_on_line(const char *line, size_t len, uint64_t lineno, void *arg)
{
	struct fuzz_ref	*r = arg;
	size_t		 wlen;
	const char	*want = fuzz_ref_next(r, lineno, &wlen);

	if (len != wlen || len > r->max || memcmp(line, want, len) != 0)
		abort();
	fuzz_line(line, len);
	return 0;
}

static void
fuzz_on_over(const char *head, size_t len, uint64_t lineno, void *arg)
{
	struct fuzz_ref	*r = arg;
	size_t		 wlen;
	const char	*want = fuzz_ref_next(r, lineno, &wlen);

	if (wlen <= r->max || len > LINES_HEAD ||
	    len != (wlen < LINES_HEAD ? wlen : LINES_HEAD) ||
	    memcmp(head, want, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lines	 lb;
	struct fuzz_ref	 ref;
	const char	*p = (const char *)data, *end = p + size;
	size_t		 chunk, seed = size * 2654435761u;
	uint64_t	 want;

	/* vary the rules now and then; reconf must keep the table sane */
	ninputs++;
	if (ninputs % 97 == 0) {
		rc.large = !rc.large;
		rc.asn = rc.large ? 4200000000u : 12345;
		rc.host_routes_only = (ninputs / 97) % 3 != 0;
		rc.accept_prefixes = (ninputs / 97) % 2 ? fuzz_accept : NULL;
		rc.naccept_prefixes = 2;
		rc.accept_peers = (ninputs / 97) % 5 == 1 ? fuzz_peers : NULL;
		rc.naccept_peers = 1;
		rib_reconf(rib, &rc);
	}
	if (rib_nroutes(rib) > 4 * FUZZ_MAX_ROUTES)
		rib_clear(rib);

	ref.p = p;
	ref.end = end;
	ref.n = 0;
	ref.max = 256 + (size > 0 ? data[size - 1] : 0) * 256;
	lines_init(&lb, ref.max, fuzz_on_line, fuzz_on_over, &ref);
	while (p < end) {
		chunk = 1 + (seed >> 7) % 4096;
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		if (chunk > (size_t)(end - p))
			chunk = (size_t)(end - p);
		if (lines_feed(&lb, p, chunk) != 0)
			abort();
		p += chunk;
	}
	if (lines_eof(&lb) != 0)
		abort();
	/* every newline ends a line; a last one without it counts too */
	want = 0;
	for (p = (const char *)data; p < end; p++)
		want += *p == '\n';
	if (size > 0 && data[size - 1] != '\n')
		want++;
	if (lb.nlines != want || ref.n != want)
		abort();
	lines_free(&lb);

	fuzz_check_rib(rib);
	fuzz_check_context(rib);
	(void)rib_all_eor(rib);
	return 0;
}
