/*
 * adjrib.c - the plain-text answers of ExaBGP 4.2 to "show neighbor
 * summary" and "show adj-rib in extensive", one line at a time (recover.c
 * asks for them when bgpsd-listen starts).
 *
 * The text is untrusted input. A line is understood whole or refused
 * whole; every field we use is checked, every other one is only skipped
 * (brackets balanced). The shapes, all seen with ExaBGP 4.2.21
 * (tests/data/listen/adjrib/):
 *
 *   Peer            AS        up/down state       |     #sent     #recvd
 *   169.254.179.11  65001     0:00:02 established           1          8
 *   neighbor 169.254.179.11 local-ip 169.254.179.2 local-as 65000
 *     peer-as 65001 router-id 169.254.179.2 family-allowed in-open
 *     ipv4 unicast 192.0.2.1/32 next-hop 169.254.179.11 origin igp
 *     as-path [ 65001 ] community [ 12345:443 12345:8080 ]
 *     large-community 12345:0:8443
 *   done | error
 *
 * One community is written bare, several in "[ ... ]"; the well-known
 * ones by name (no-export ...).
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "answer.h"
#include "listen.h"
#include "log.h"

struct adjrib_tok {
	const char	*s;
	size_t		 len;
};

struct adjrib_cursor {
	const char	*p, *end;
};

static const char *const adjrib_type_names[] = {
	[ADJRIB_EMPTY] = "empty",
	[ADJRIB_DONE] = "done",
	[ADJRIB_ERROR] = "error",
	[ADJRIB_HEADER] = "header",
	[ADJRIB_PEER] = "peer",
	[ADJRIB_ROUTE] = "route",
};

/* what precedes the family in a route line: neighbor.name() */
static const char *const adjrib_name_keys[] = {
	"local-ip", "local-as", "peer-as", "router-id", "family-allowed", NULL
};

/* the well-known communities ExaBGP writes by name (RFC 1997, 3765, 7999) */
static const struct {
	const char	*name;
	uint16_t	 asn, value;
} adjrib_wellknown[] = {
	{ "no-export",		 0xffff, 0xff01 },
	{ "no-advertise",	 0xffff, 0xff02 },
	{ "no-export-subconfed", 0xffff, 0xff03 },
	{ "no-peer",		 0xffff, 0xff04 },
	{ "blackhole",		 0xffff, 0x029a },
};

/* attribute names ExaBGP writes: a value that is one of them is absent */
static const char *const adjrib_attr_names[] = {
	"origin", "as-path", "next-hop", "med", "local-preference",
	"atomic-aggregate", "aggregator", "community", "large-community",
	"originator-id", "cluster-list", "extended-community", "pmsi", "aigp",
	"bgp-ls", "bgp-prefix-sid", "name", "error", "attribute", NULL
};

const char *
adjrib_type_name(enum adjrib_type t)
{
	if ((size_t)t >= sizeof(adjrib_type_names) /
	    sizeof(adjrib_type_names[0]))
		return "?";
	return adjrib_type_names[t];
}

static int
adjrib_fail(struct adjrib_line *a, char *err, size_t errlen,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
adjrib_fail(struct adjrib_line *a, char *err, size_t errlen,
    const char *fmt, ...)
{
	va_list	 ap;

	a->type = ADJRIB_EMPTY;
	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* the next blank-separated word; 0 at the end of the line */
static int
adjrib_next(struct adjrib_cursor *c, struct adjrib_tok *t)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\r' || *c->p == '\n'))
		c->p++;
	if (c->p == c->end)
		return 0;
	t->s = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t' &&
	    *c->p != '\r' && *c->p != '\n')
		c->p++;
	t->len = (size_t)(c->p - t->s);
	return 1;
}

static int
adjrib_is(const struct adjrib_tok *t, const char *word)
{
	return t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

/* a word into buf (NUL-terminated); -1 if it does not fit */
static int
adjrib_copy(const struct adjrib_tok *t, char *buf, size_t buflen)
{
	if (t->len >= buflen)
		return -1;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	return 0;
}

static int
adjrib_addr(const struct adjrib_tok *t, struct addr *a)
{
	char	 buf[ADDR_STRLEN];

	if (adjrib_copy(t, buf, sizeof(buf)) == -1)
		return -1;
	return addr_parse(buf, a);
}

/* decimal digits only, no sign, no leading zeros beyond "0", <= max */
static int
adjrib_uint(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* split "a:b[:c]" into n numbers, each <= max */
static int
adjrib_colon(const struct adjrib_tok *t, size_t n, uint32_t max,
    uint32_t *out)
{
	const char	*p = t->s, *end = t->s + t->len, *colon;
	size_t		 i;

	for (i = 0; i < n; i++) {
		colon = memchr(p, ':', (size_t)(end - p));
		if (i + 1 < n && colon == NULL)
			return -1;
		if (i + 1 == n) {
			if (colon != NULL)
				return -1;
			colon = end;
		}
		if (adjrib_uint(p, (size_t)(colon - p), max, &out[i]) == -1)
			return -1;
		p = colon + 1;
	}
	return 0;
}

static int
adjrib_attr_name(const struct adjrib_tok *t)
{
	size_t	 i;

	for (i = 0; adjrib_attr_names[i] != NULL; i++)
		if (adjrib_is(t, adjrib_attr_names[i]))
			return 1;
	return 0;
}

static int
adjrib_community(struct exabgp_msg *m, const struct adjrib_tok *t)
{
	uint32_t	 v[2];
	size_t		 i;
	int		 found = 0;

	for (i = 0; i < sizeof(adjrib_wellknown) /
	    sizeof(adjrib_wellknown[0]); i++) {
		if (adjrib_is(t, adjrib_wellknown[i].name)) {
			v[0] = adjrib_wellknown[i].asn;
			v[1] = adjrib_wellknown[i].value;
			found = 1;
			break;
		}
	}
	if (!found && adjrib_colon(t, 2, 65535, v) == -1)
		return -1;
	exabgp_msg_add_community(m, (uint16_t)v[0], (uint16_t)v[1]);
	return 0;
}

static int
adjrib_large(struct exabgp_msg *m, const struct adjrib_tok *t)
{
	uint32_t	 v[3];

	if (adjrib_colon(t, 3, UINT32_MAX, v) == -1)
		return -1;
	exabgp_msg_add_large(m, v[0], v[1], v[2]);
	return 0;
}

/*
 * The value of "community" or "large-community" at c: one bare word or
 * "[ w w ... ]". An attribute name (or the end of the line) right after
 * the keyword is the text of an empty attribute. Returns the number of
 * items, or -1.
 */
static int
adjrib_list(struct adjrib_cursor *c, struct exabgp_msg *m, int large)
{
	struct adjrib_cursor	 save = *c;
	struct adjrib_tok	 t;
	int			 n = 0;

	if (!adjrib_next(c, &t))
		return 0;
	if (!adjrib_is(&t, "[")) {
		if (adjrib_attr_name(&t)) {
			*c = save;
			return 0;
		}
		return (large ? adjrib_large(m, &t) :
		    adjrib_community(m, &t)) == -1 ? -1 : 1;
	}
	for (;;) {
		if (!adjrib_next(c, &t))
			return -1;	/* no "]" */
		if (adjrib_is(&t, "]"))
			return n;
		if ((large ? adjrib_large(m, &t) :
		    adjrib_community(m, &t)) == -1)
			return -1;
		n++;
	}
}

/* bracket depth change of a word: "[", "(" open, "]", ")" close */
static int
adjrib_depth(const struct adjrib_tok *t)
{
	size_t	 i;
	int	 d = 0;

	for (i = 0; i < t->len; i++) {
		if (t->s[i] == '[' || t->s[i] == '(')
			d++;
		else if (t->s[i] == ']' || t->s[i] == ')')
			d--;
	}
	return d;
}

/* a route line; c is past "neighbor" */
static int
adjrib_route(struct adjrib_line *a, struct exabgp_msg *m,
    struct adjrib_cursor *c, char *err, size_t errlen)
{
	struct adjrib_tok	 t, afi, safi;
	struct prefix		 p;
	struct addr		 hop;
	char			 buf[PREFIX_STRLEN];
	int64_t			*out;
	uint32_t		 v;
	size_t			 i;
	int			 depth = 0, seen_c = 0, seen_l = 0, d;

	memset(&hop, 0, sizeof(hop));

	if (!adjrib_next(c, &t) || adjrib_addr(&t, &a->peer) == -1)
		return adjrib_fail(a, err, errlen, "route: bad neighbor "
		    "address");
	for (i = 0; adjrib_name_keys[i] != NULL; i++) {
		if (!adjrib_next(c, &t) || !adjrib_is(&t, adjrib_name_keys[i]))
			return adjrib_fail(a, err, errlen, "route: '%s' "
			    "expected", adjrib_name_keys[i]);
		if (!adjrib_next(c, &t))
			return adjrib_fail(a, err, errlen, "route: no value "
			    "for '%s'", adjrib_name_keys[i]);
	}
	if (!adjrib_next(c, &afi) || !adjrib_next(c, &safi))
		return adjrib_fail(a, err, errlen, "route: no family");
	a->type = ADJRIB_ROUTE;
	if (!adjrib_is(&safi, "unicast") ||
	    (!adjrib_is(&afi, "ipv4") && !adjrib_is(&afi, "ipv6"))) {
		/* flow, vpn, ...: carries no service, not read further */
		a->unicast = 0;
		return 0;
	}
	if (!adjrib_next(c, &t) || adjrib_copy(&t, buf, sizeof(buf)) == -1 ||
	    prefix_parse(buf, &p, 0) == -1 ||
	    (p.addr.family == AF_INET) != adjrib_is(&afi, "ipv4"))
		return adjrib_fail(a, err, errlen, "route: bad %.*s prefix",
		    (int)afi.len, afi.s);
	/* path-information, next-hop and the attributes, in any order */
	while (adjrib_next(c, &t)) {
		if (depth == 0 && adjrib_is(&t, "community")) {
			if (seen_c++ || adjrib_list(c, m, 0) == -1)
				return adjrib_fail(a, err, errlen, "route: bad "
				    "community");
			continue;
		}
		if (depth == 0 && adjrib_is(&t, "large-community")) {
			if (seen_l++ || adjrib_list(c, m, 1) == -1)
				return adjrib_fail(a, err, errlen, "route: bad "
				    "large-community");
			continue;
		}
		if (depth == 0 && adjrib_is(&t, "next-hop")) {
			/* "next-hop self" or an address; what fails: none */
			if (!adjrib_next(c, &t))
				return adjrib_fail(a, err, errlen, "route: no "
				    "value for 'next-hop'");
			if (adjrib_addr(&t, &hop) == -1)
				memset(&hop, 0, sizeof(hop));
			continue;
		}
		if (depth == 0 && (adjrib_is(&t, "med") ||
		    adjrib_is(&t, "local-preference"))) {
			out = adjrib_is(&t, "med") ? &m->med : &m->local_pref;
			if (!adjrib_next(c, &t) ||
			    adjrib_uint(t.s, t.len, UINT32_MAX, &v) == -1)
				return adjrib_fail(a, err, errlen, "route: bad "
				    "%s", out == &m->med ? "med" :
				    "local-preference");
			*out = v;
			continue;
		}
		d = adjrib_depth(&t);
		if ((d < 0 && -d > depth) || depth + d > 64)
			return adjrib_fail(a, err, errlen, "route: unbalanced "
			    "brackets");
		depth += d;
	}
	if (depth != 0)
		return adjrib_fail(a, err, errlen, "route: unbalanced "
		    "brackets");
	a->unicast = 1;
	m->type = EXABGP_MSG_UPDATE;
	m->has_peer = 1;
	m->peer = a->peer;
	exabgp_msg_add_route(m, &p, &hop);	/* its only route */
	return 0;
}

/* a summary line: ADDRESS AS UP/DOWN... STATE SENT RECVD */
static int
adjrib_peer(struct adjrib_line *a, const struct adjrib_tok *first,
    struct adjrib_cursor *c, char *err, size_t errlen)
{
	struct adjrib_tok	 t, last[3];
	uint32_t		 v;
	size_t			 n = 1, i;

	memset(last, 0, sizeof(last));
	if (adjrib_addr(first, &a->peer) == -1)
		return adjrib_fail(a, err, errlen, "unexpected text line");
	/* keep the last three words; up/down may have blanks ("1 day, ") */
	while (adjrib_next(c, &t)) {
		last[0] = last[1];
		last[1] = last[2];
		last[2] = t;
		n++;
	}
	if (n < 6)
		return adjrib_fail(a, err, errlen, "summary: too few fields");
	for (i = 1; i < 3; i++)
		if (adjrib_uint(last[i].s, last[i].len, UINT32_MAX, &v) == -1)
			return adjrib_fail(a, err, errlen, "summary: counters "
			    "expected");
	a->type = ADJRIB_PEER;
	a->established = adjrib_is(&last[0], "established");
	return 0;
}

int
adjrib_parse(struct adjrib_line *a, struct exabgp_msg *m, const char *buf,
    size_t len, char *err, size_t errlen)
{
	struct adjrib_cursor	 c;
	struct adjrib_tok	 t;
	size_t			 n;

	memset(a, 0, sizeof(*a));
	exabgp_msg_reset(m);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (memchr(buf, '\0', len) != NULL)
		return adjrib_fail(a, err, errlen, "NUL byte in line");
	c.p = buf;
	c.end = buf + len;
	if (!adjrib_next(&c, &t)) {
		a->type = ADJRIB_EMPTY;
		return 0;
	}
	/* the words both programs know: answer.c, on the trimmed line */
	for (n = (size_t)(c.end - t.s); n > 0 && strchr(" \t\r\n",
	    t.s[n - 1]) != NULL; n--)
		;
	switch (answer_parse(t.s, n)) {
	case ANSWER_DONE:
		a->type = ADJRIB_DONE;
		return 0;
	case ANSWER_ERROR:
		a->type = ADJRIB_ERROR;
		return 0;
	case ANSWER_SUMMARY:
		a->type = ADJRIB_HEADER;
		return 0;
	default:
		break;
	}
	if (adjrib_is(&t, "done") || adjrib_is(&t, "error"))
		return adjrib_fail(a, err, errlen, "unexpected text line");
	if (adjrib_is(&t, "neighbor"))
		return adjrib_route(a, m, &c, err, errlen);
	if (adjrib_is(&t, "Peer"))
		return adjrib_fail(a, err, errlen,
		    "summary: unexpected header");
	return adjrib_peer(a, &t, &c, err, errlen);
}
