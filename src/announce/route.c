/*
 * route.c - the desired route of each prefix (the set of healthy ports)
 * and the one ExaBGP line that expresses it.
 *
 * Line layout, fixed so that equal states give byte-identical lines (the
 * exabgp layer compares them to decide whether anything changed):
 *
 *   announce route P next-hop NH [local-preference N] [med N]
 *       [as-path [A B ...]] [community [ASN:port ... static ...]]
 *       [large-community [ASN:0:port ... meta ... static ...]]
 *   withdraw route P next-hop NH
 *
 * meta: the weight and drain large communities of community.h, in port
 * order, only for ports whose weight is not 100 or that are draining, so
 * a route of plain ports stays the line it always was. The port's own
 * community is always there: a consumer that knows nothing of the rest
 * still sees the port up.
 *
 * The ports come first in ascending order, then the static communities in
 * config order. In large mode (32-bit ASN or large_communities) the ports
 * go out as large communities ASN:0:port and the static 2-byte
 * communities, if any, stay in the community clause. Every token is
 * validated again before use although conf.c validated it: a bad token
 * may inject a second command, and ExaBGP does not even answer some bad
 * lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "announce.h"
#include "conf.h"
#include "buf.h"
#include "community.h"
#include "log.h"

static int
route_port_find(const struct route *r, uint16_t port, size_t *at)
{
	size_t	 lo = 0, hi = r->nports, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->ports[mid].port == port) {
			*at = mid;
			return 1;
		}
		if (r->ports[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

int
route_port_add(struct route *r, uint16_t port)
{
	size_t	 at;

	if (route_port_find(r, port, &at)) {
		r->ports[at].refs++;
		return 0;
	}
	if (r->nports == r->cap) {
		r->cap = r->cap == 0 ? 8 : r->cap * 2;
		r->ports = xreallocarray(r->ports, r->cap, sizeof(*r->ports));
	}
	memmove(&r->ports[at + 1], &r->ports[at],
	    (r->nports - at) * sizeof(*r->ports));
	r->ports[at].port = port;
	r->ports[at].weight = COMMUNITY_WEIGHT_DEFAULT;
	r->ports[at].draining = 0;
	r->ports[at].refs = 1;
	r->nports++;
	return 1;
}

int
route_port_del(struct route *r, uint16_t port)
{
	size_t	 at;

	if (!route_port_find(r, port, &at))
		return 0;
	if (--r->ports[at].refs > 0)
		return 0;
	memmove(&r->ports[at], &r->ports[at + 1],
	    (r->nports - at - 1) * sizeof(*r->ports));
	r->nports--;
	return 1;
}

int
route_port_meta(struct route *r, uint16_t port, uint16_t weight,
    int draining)
{
	size_t	 at;

	if (!route_port_find(r, port, &at))
		return 0;
	if (r->ports[at].weight == weight &&
	    r->ports[at].draining == (draining != 0))
		return 0;
	r->ports[at].weight = weight;
	r->ports[at].draining = draining != 0;
	return 1;
}

void
route_clear(struct route *r)
{
	free(r->ports);
	r->ports = NULL;
	r->nports = r->cap = 0;
}

int
route_line_valid(const char *s)
{
	const unsigned char	*p;

	if (s == NULL || *s == '\0')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'F'))
			continue;
		switch (*p) {
		case '.':
		case ':':
		case '/':
		case '[':
		case ']':
		case ' ':
		case '-':
			continue;
		default:
			return 0;
		}
	}
	return 1;
}

/* decimal digits only, value <= max */
static int
route_num_valid(const char *s, size_t len, uint64_t max)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (len == 0 || len > 10)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v <= max;
}

/* "A:B" (n == 2, each <= 65535) or "A:B:C" (n == 3, each 32 bits) */
static int
route_community_valid(const char *s, int n)
{
	const char	*p = s, *colon;
	uint64_t	 max = n == 2 ? 65535 : UINT32_MAX;
	int		 i;

	for (i = 0; i < n; i++) {
		colon = strchr(p, ':');
		if (i == n - 1) {
			if (colon != NULL)
				return 0;
			return route_num_valid(p, strlen(p), max);
		}
		if (colon == NULL || !route_num_valid(p, (size_t)(colon - p),
		    max))
			return 0;
		p = colon + 1;
	}
	return 0;
}

static int
route_next_hop_valid(const char *nh)
{
	struct addr	 a;

	if (nh == NULL)
		return 0;
	if (strcmp(nh, "self") == 0)
		return 1;
	return addr_parse(nh, &a) == 0;
}

/* "withdraw route P next-hop NH" into b; -1 if a token is bad */
static int
route_head(struct buf *b, const char *verb, const struct prefix_conf *pc)
{
	char	 pbuf[PREFIX_STRLEN];

	if (prefix_fmt(&pc->prefix, pbuf, sizeof(pbuf)) == NULL ||
	    !prefix_is_host(&pc->prefix)) {
		log_warnx("route: prefix of line %d is not a host route",
		    pc->line);
		return -1;
	}
	if (!route_next_hop_valid(pc->next_hop)) {
		log_warnx("route: %s: bad next-hop", pbuf);
		return -1;
	}
	buf_printf(b, "%s route %s next-hop %s", verb, pbuf, pc->next_hop);
	return 0;
}

static char *
route_finish(struct buf *b)
{
	if (!route_line_valid(b->s)) {
		log_warnx("route: refusing a line with a forbidden character");
		free(b->s);
		return NULL;
	}
	return b->s;
}

char *
route_withdraw_line(const struct prefix_conf *pc)
{
	struct buf	 b = BUF_INIT;

	b.cap = 128;
	b.s = xmalloc(b.cap);
	b.s[0] = '\0';
	if (route_head(&b, "withdraw", pc) == -1) {
		free(b.s);
		return NULL;
	}
	return route_finish(&b);
}

char *
route_line_meta(const struct bgpsd_conf *conf, const struct prefix_conf *pc,
    const struct port_meta *pm, size_t nports)
{
	const struct route_attr	*a = &pc->attr;
	struct buf		 b = BUF_INIT;
	struct large_community	 lsmall[32], *lc;
	size_t			 i, nlc;
	int			 large = conf->large || conf->asn > 65535;
	int			 open;

	if (nports == 0)
		return route_withdraw_line(pc);
	b.cap = 128 + nports * 40;
	b.s = xmalloc(b.cap);
	b.s[0] = '\0';
	if (route_head(&b, "announce", pc) == -1)
		goto fail;
	if (a->local_pref > UINT32_MAX || a->med > UINT32_MAX) {
		log_warnx("route: med or local-preference out of range");
		goto fail;
	}
	if (a->local_pref >= 0)
		buf_printf(&b, " local-preference %" PRId64, a->local_pref);
	if (a->med >= 0)
		buf_printf(&b, " med %" PRId64, a->med);
	if (a->nas_path > 0) {
		buf_printf(&b, " as-path [");
		for (i = 0; i < a->nas_path; i++)
			buf_printf(&b, "%s%" PRIu32, i == 0 ? "" : " ",
			    a->as_path[i]);
		buf_printf(&b, "]");
	}

	/* community [ports (2-byte mode) then statics] */
	open = 0;
	if (!large) {
		for (i = 0; i < nports; i++) {
			if (i > 0 && pm[i].port <= pm[i - 1].port) {
				log_warnx("route: ports not ascending");
				goto fail;
			}
			buf_printf(&b, "%s%" PRIu32 ":%u", open ? " " :
			    " community [", conf->asn, (unsigned)pm[i].port);
			open = 1;
		}
	}
	for (i = 0; i < a->ncommunities; i++) {
		if (!route_community_valid(a->communities[i], 2)) {
			log_warnx("route: bad community");
			goto fail;
		}
		buf_printf(&b, "%s%s", open ? " " : " community [",
		    a->communities[i]);
		open = 1;
	}
	if (open)
		buf_printf(&b, "]");

	/* large-community [ports (large mode) then statics] */
	open = 0;
	if (large) {
		for (i = 0; i < nports; i++) {
			if (i > 0 && pm[i].port <= pm[i - 1].port) {
				log_warnx("route: ports not ascending");
				goto fail;
			}
			buf_printf(&b, "%s%" PRIu32 ":0:%u", open ? " " :
			    " large-community [", conf->asn,
			    (unsigned)pm[i].port);
			open = 1;
		}
	}
	lc = nports <= 16 ? lsmall : xreallocarray(NULL, nports * 2,
	    sizeof(*lc));
	nlc = community_meta_encode(conf->asn, pm, nports, lc);
	for (i = 0; i < nlc; i++) {
		buf_printf(&b, "%s%" PRIu32 ":%" PRIu32 ":%" PRIu32, open ?
		    " " : " large-community [", lc[i].global, lc[i].local1,
		    lc[i].local2);
		open = 1;
	}
	if (lc != lsmall)
		free(lc);
	for (i = 0; i < a->nlarge_communities; i++) {
		if (!route_community_valid(a->large_communities[i], 3)) {
			log_warnx("route: bad large community");
			goto fail;
		}
		buf_printf(&b, "%s%s", open ? " " : " large-community [",
		    a->large_communities[i]);
		open = 1;
	}
	if (open)
		buf_printf(&b, "]");
	return route_finish(&b);

fail:
	free(b.s);
	return NULL;
}

char *
route_line(const struct bgpsd_conf *conf, const struct prefix_conf *pc,
    const uint16_t *ports, size_t nports)
{
	struct port_meta	 small[64], *pm;
	size_t			 i;
	char			*line;

	if (nports == 0)
		return route_withdraw_line(pc);
	memset(small, 0, sizeof(small));	/* as in route_render */
	pm = nports <= 64 ? small : xreallocarray(NULL, nports, sizeof(*pm));
	for (i = 0; i < nports; i++) {
		pm[i].port = ports[i];
		pm[i].weight = COMMUNITY_WEIGHT_DEFAULT;
		pm[i].draining = 0;
	}
	line = route_line_meta(conf, pc, pm, nports);
	if (pm != small)
		free(pm);
	return line;
}

static const char *const route_addr_names[] = {
	[ROUTE_ADDR_UNCHECKED] = "unchecked",
	[ROUTE_ADDR_PRESENT] = "present",
	[ROUTE_ADDR_ABSENT] = "absent",
};

const char *
route_addr_name(enum route_addr a)
{
	if ((size_t)a >= ROUTE_ADDR_MAX)
		return "unknown";
	return route_addr_names[a];
}

char *
route_render(const struct bgpsd_conf *conf, const struct route *r)
{
	struct port_meta	 small[64], *pm;
	size_t			 i;
	char			*line;

	/* the address is not on this host: nobody answers there */
	if (r->addr == ROUTE_ADDR_ABSENT || r->nports == 0)
		return route_withdraw_line(r->pc);
	/* zeroed: gcc -O1 cannot tell that only what is set is read */
	memset(small, 0, sizeof(small));
	pm = r->nports <= 64 ? small :
	    xreallocarray(NULL, r->nports, sizeof(*pm));
	for (i = 0; i < r->nports; i++) {
		pm[i].port = r->ports[i].port;
		pm[i].weight = r->ports[i].weight;
		pm[i].draining = r->ports[i].draining;
	}
	line = route_line_meta(conf, r->pc, pm, r->nports);
	if (pm != small)
		free(pm);
	return line;
}
