/*
 * route.c - the desired route of each prefix (the set of healthy ports),
 * its want (what ExaBGP should have, as data, compared by the exabgp
 * layer) and the one ExaBGP line that expresses a want.
 *
 * Line layout, fixed so that equal wants give byte-identical lines and
 * route_want_equal() holds exactly when the lines are equal:
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
 * communities, if any, stay in the community clause.
 *
 * Nothing is validated here: conf.c refused at load, with file:line, a
 * prefix that is not a host route, a bad next hop, a number out of range
 * and a malformed community. A want holds numbers and addresses only, and
 * the line is made of those (formatted here and by addr.c) and fixed
 * keywords: no character that could end the line or start a second
 * command can reach it.
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

#define ROUTE_LARGE_SMALL	32	/* meta communities on the stack */

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

static void
route_attrs_init(struct route_attrs *ra, const struct bgpsd_conf *conf,
    const struct prefix_conf *pc)
{
	memset(ra, 0, sizeof(*ra));
	/* conf.c resolved it to "self" or a canonical address */
	if (pc->next_hop != NULL && strcmp(pc->next_hop, "self") != 0 &&
	    addr_parse(pc->next_hop, &ra->next_hop) == -1)
		fatalx("route: next hop '%s' was not validated", pc->next_hop);
	ra->asn = conf->asn;
	ra->large = conf->large || conf->asn > 65535;
	ra->attr = pc->attr;
}

void
route_init(struct route *r, const struct bgpsd_conf *conf,
    const struct prefix_conf *pc)
{
	memset(r, 0, sizeof(*r));
	r->pc = pc;
	r->addr = ROUTE_ADDR_UNCHECKED;
	route_attrs_init(&r->attrs, conf, pc);
}

/* ---- wants ---- */

static void
route_want_room(struct route_want *w, size_t n)
{
	if (n <= w->cap)
		return;
	w->cap = n < 8 ? 8 : n;
	w->ports = xreallocarray(w->ports, w->cap, sizeof(*w->ports));
}

void
route_want_of(struct route_want *w, const struct route *r)
{
	size_t	 i;

	w->prefix = r->pc->prefix;
	w->attrs = r->attrs;
	w->nports = 0;
	/* the address is not on this host: nobody answers there */
	w->announce = r->nports > 0 && r->addr != ROUTE_ADDR_ABSENT;
	if (!w->announce)
		return;
	route_want_room(w, r->nports);
	for (i = 0; i < r->nports; i++) {
		w->ports[i].port = r->ports[i].port;
		w->ports[i].weight = r->ports[i].weight;
		w->ports[i].draining = r->ports[i].draining != 0;
	}
	w->nports = r->nports;
}

void
route_want_withdraw(struct route_want *w)
{
	w->announce = 0;
	w->nports = 0;
}

void
route_want_copy(struct route_want *dst, const struct route_want *src)
{
	dst->prefix = src->prefix;
	dst->announce = src->announce;
	dst->attrs = src->attrs;
	route_want_room(dst, src->nports);
	if (src->nports > 0)
		memcpy(dst->ports, src->ports, src->nports *
		    sizeof(*src->ports));
	dst->nports = src->nports;
}

void
route_want_free(struct route_want *w)
{
	free(w->ports);
	w->ports = NULL;
	w->nports = w->cap = 0;
}

static int
route_attr_equal(const struct route_attr *a, const struct route_attr *b)
{
	return a->med == b->med && a->local_pref == b->local_pref &&
	    a->nas_path == b->nas_path &&
	    a->ncommunities == b->ncommunities &&
	    a->nlarge_communities == b->nlarge_communities &&
	    memcmp(a->as_path, b->as_path,
	    a->nas_path * sizeof(*a->as_path)) == 0 &&
	    memcmp(a->communities, b->communities,
	    a->ncommunities * sizeof(*a->communities)) == 0 &&
	    memcmp(a->large_communities, b->large_communities,
	    a->nlarge_communities * sizeof(*a->large_communities)) == 0;
}

static int
route_attrs_equal(const struct route_attrs *a, const struct route_attrs *b)
{
	return a->asn == b->asn && a->large == b->large &&
	    route_attr_equal(&a->attr, &b->attr);
}

int
route_want_equal(const struct route_want *a, const struct route_want *b)
{
	const struct addr	*na = &a->attrs.next_hop;
	const struct addr	*nb = &b->attrs.next_hop;
	size_t			 i;

	if (prefix_cmp(&a->prefix, &b->prefix) != 0 ||
	    a->announce != b->announce || na->family != nb->family ||
	    (na->family != 0 && addr_cmp(na, nb) != 0))
		return 0;
	/* a withdraw names the prefix and the next hop, nothing else */
	if (!a->announce)
		return 1;
	if (a->nports != b->nports || !route_attrs_equal(&a->attrs, &b->attrs))
		return 0;
	for (i = 0; i < a->nports; i++)
		if (a->ports[i].port != b->ports[i].port ||
		    a->ports[i].weight != b->ports[i].weight ||
		    a->ports[i].draining != b->ports[i].draining)
			return 0;
	return 1;
}

/* ---- the line ---- */

/* the separator before the next item of a clause: its head if first */
static const char *
route_sep(int *open, const char *clause)
{
	const char	*s = *open ? " " : clause;

	*open = 1;
	return s;
}

static void
route_fmt_attrs(struct buf *b, const struct route_attr *a)
{
	size_t	 i;

	if (a->local_pref >= 0)
		buf_printf(b, " local-preference %" PRId64, a->local_pref);
	if (a->med >= 0)
		buf_printf(b, " med %" PRId64, a->med);
	if (a->nas_path > 0) {
		buf_printf(b, " as-path [");
		for (i = 0; i < a->nas_path; i++)
			buf_printf(b, "%s%" PRIu32, i == 0 ? "" : " ",
			    a->as_path[i]);
		buf_printf(b, "]");
	}
}

/* community [ports (2-byte mode) then statics] */
static void
route_fmt_communities(struct buf *b, const struct route_want *w)
{
	const struct route_attrs	*a = &w->attrs;
	size_t				 i;
	int				 open = 0;

	for (i = 0; !a->large && i < w->nports; i++)
		buf_printf(b, "%s%" PRIu32 ":%u", route_sep(&open,
		    " community ["), a->asn, (unsigned)w->ports[i].port);
	for (i = 0; i < a->attr.ncommunities; i++)
		buf_printf(b, "%s%" PRIu32 ":%" PRIu32, route_sep(&open,
		    " community ["), a->attr.communities[i] >> 16,
		    a->attr.communities[i] & 0xffff);
	if (open)
		buf_printf(b, "]");
}

/* large-community [ports (large mode) then meta then statics] */
static void
route_fmt_large(struct buf *b, const struct route_want *w)
{
	const struct route_attrs	*a = &w->attrs;
	struct large_community		 lsmall[ROUTE_LARGE_SMALL], *lc;
	const struct large_community	*l;
	size_t				 i, nlc;
	int				 open = 0;

	for (i = 0; a->large && i < w->nports; i++)
		buf_printf(b, "%s%" PRIu32 ":0:%u", route_sep(&open,
		    " large-community ["), a->asn, (unsigned)w->ports[i].port);
	lc = w->nports * 2 <= ROUTE_LARGE_SMALL ? lsmall :
	    xreallocarray(NULL, w->nports * 2, sizeof(*lc));
	nlc = community_meta_encode(a->asn, w->ports, w->nports, lc);
	for (i = 0; i < nlc + a->attr.nlarge_communities; i++) {
		l = i < nlc ? &lc[i] : &a->attr.large_communities[i - nlc];
		buf_printf(b, "%s%" PRIu32 ":%" PRIu32 ":%" PRIu32,
		    route_sep(&open, " large-community ["), l->global,
		    l->local1, l->local2);
	}
	if (lc != lsmall)
		free(lc);
	if (open)
		buf_printf(b, "]");
}

char *
route_want_fmt(const struct route_want *w)
{
	struct buf	 b = BUF_INIT;
	char		 pbuf[PREFIX_STRLEN], nbuf[ADDR_STRLEN];

	b.cap = 128 + w->nports * 40;
	b.s = xmalloc(b.cap);
	b.s[0] = '\0';
	buf_printf(&b, "%s route %s next-hop %s", w->announce ? "announce" :
	    "withdraw", prefix_fmt(&w->prefix, pbuf, sizeof(pbuf)),
	    w->attrs.next_hop.family == 0 ? "self" :
	    addr_fmt(&w->attrs.next_hop, nbuf, sizeof(nbuf)));
	if (w->announce) {
		route_fmt_attrs(&b, &w->attrs.attr);
		route_fmt_communities(&b, w);
		route_fmt_large(&b, w);
	}
	return b.s;
}
