/*
 * rib.c - the listener's table: one route per (peer, prefix), and the
 * aggregate (port, prefix) -> number of peers announcing it.
 *
 * A route keeps the communities that could name a port under *some*
 * configuration ("candidates": standard ASN:P and large G:0:P with
 * P in 1..65535), not the ports of the current one, so that a SIGHUP
 * changing the ASN or the large-community mode re-reads the table
 * instead of waiting for every route to be announced again. Routes
 * without a candidate are not stored at all: whatever the ASN, they
 * name no service.
 *
 * Applying a message costs O(1) per prefix (hash lookups and a merge
 * of two short sorted port lists); sorted views are built on demand.
 *
 * Accept filters: a route from a peer outside accept_peers, or whose
 * prefix lies outside accept_prefixes, is stored with "ignored" set and
 * never reaches the aggregate. Storing it (rather than dropping it) lets
 * a reload re-filter the whole table in both directions, like the
 * reload of an ASN. The filters only change in rib_reconf, which
 * re-evaluates every stored route.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "listen.h"
#include "log.h"

#define RIB_HTAB_MIN	16
#define RIB_CAND_LARGE	(UINT64_C(1) << 63)
#define RIB_CAND_INLINE	2	/* most routes carry one or two ports */

/* an intrusive chained hash table; nodes are the first member */
struct hnode {
	struct hnode	*next;
	uint32_t	 hash;
};

struct htab {
	struct hnode	**b;
	size_t		  mask;		/* buckets - 1, a power of two */
	size_t		  count;
};

struct rib_route {
	struct hnode	 node;
	struct prefix	 prefix;
	uint8_t		 ignored;	/* kept out by the accept filters */
	uint32_t	 ncand;
	uint64_t	*cand;		/* sorted, unique; inl when small */
	uint64_t	 inl[RIB_CAND_INLINE];
};

struct rib_agg {
	struct hnode	 node;
	struct prefix	 prefix;
	uint16_t	 port;
	uint32_t	 npeers;
};

struct rib_peer {
	struct hnode		 node;
	struct addr		 addr;
	enum rib_peer_state	 state;
	struct htab		 routes;
	int			 accepted;	/* passes accept_peers */
	size_t			 nfiltered;	/* stored routes ignored */
	size_t			 nignored;	/* ... of them naming a port */
	uint64_t		 refused;
	int			 cap_logged;	/* max_routes warned this burst */
	int			 eor;		/* >= 1 EOR since last up */
	unsigned		 eor_families;
	uint64_t		 ups;
};

/* a (peer, prefix) whose being ignored was logged */
struct rib_logged {
	struct hnode	 node;
	struct addr	 peer;
	struct prefix	 prefix;
};

struct rib {
	struct rib_conf	 conf;		/* filter pointers not kept */
	struct prefix_set acc_prefixes;
	struct prefix_set acc_peers;
	int		 has_acc_prefixes;
	int		 has_acc_peers;
	struct htab	 logged;	/* at most RIB_LOGGED_MAX */
	int		 logged_full;	/* said that logging stops */
	struct htab	 peers;
	struct htab	 agg;
	uint32_t	*port_count;	/* [65536] backends per port, lazily */
	uint64_t	 generation;
	size_t		 nroutes;	/* accepted */
	size_t		 nignored;	/* ignored, naming a port */
	size_t		 npeers_up;
	size_t		 npeers_up_eor;
	/* scratch, reused from message to message */
	uint64_t	*cbuf;
	size_t		 ccap;
	uint16_t	*pold, *pnew;
	size_t		 pcap;
};

static const char *const rib_peer_state_names[] = {
	[RIB_PEER_IDLE] = "idle",
	[RIB_PEER_CONNECTED] = "connected",
	[RIB_PEER_UP] = "up",
	[RIB_PEER_DOWN] = "down",
};

const char *
rib_peer_state_name(enum rib_peer_state s)
{
	if ((size_t)s >= sizeof(rib_peer_state_names) /
	    sizeof(rib_peer_state_names[0]))
		return "?";
	return rib_peer_state_names[s];
}

static const char *const rib_ignore_names[] = {
	[RIB_IGNORE_PEER] = "peer",
	[RIB_IGNORE_PREFIX] = "prefix",
};

/* the log's wording of each reason */
static const char *const rib_ignore_texts[] = {
	[RIB_IGNORE_PEER] = "peer not in accept_peers",
	[RIB_IGNORE_PREFIX] = "prefix outside accept_prefixes",
};

const char *
rib_ignore_name(enum rib_ignore r)
{
	if ((size_t)r >= sizeof(rib_ignore_names) /
	    sizeof(rib_ignore_names[0]))
		return "?";
	return rib_ignore_names[r];
}

/* ---- hash table ---- */

static void
htab_init(struct htab *h)
{
	h->b = xcalloc(RIB_HTAB_MIN, sizeof(*h->b));
	h->mask = RIB_HTAB_MIN - 1;
	h->count = 0;
}

static void
htab_grow(struct htab *h)
{
	struct hnode	**nb, *n, *next;
	size_t		  i, nmask = h->mask * 2 + 1;

	nb = xcalloc(nmask + 1, sizeof(*nb));
	for (i = 0; i <= h->mask; i++) {
		for (n = h->b[i]; n != NULL; n = next) {
			next = n->next;
			n->next = nb[n->hash & nmask];
			nb[n->hash & nmask] = n;
		}
	}
	free(h->b);
	h->b = nb;
	h->mask = nmask;
}

static void
htab_insert(struct htab *h, struct hnode *n, uint32_t hash)
{
	if (h->count > h->mask)
		htab_grow(h);
	n->hash = hash;
	n->next = h->b[hash & h->mask];
	h->b[hash & h->mask] = n;
	h->count++;
}

static void
htab_remove(struct htab *h, struct hnode *n)
{
	struct hnode	**pp;

	for (pp = &h->b[n->hash & h->mask]; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			h->count--;
			return;
		}
	}
	fatalx("%s: node not in table", __func__);
}

static int
prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->len == b->len && a->addr.family == b->addr.family &&
	    memcmp(a->addr.u.bytes, b->addr.u.bytes,
	    a->addr.family == AF_INET6 ? 16 : 4) == 0;
}

/* ---- peers ---- */

static uint32_t
rib_addr_hash(const struct addr *a)
{
	struct prefix	 p;

	memset(&p, 0, sizeof(p));
	p.addr = *a;
	p.len = (uint8_t)addr_maxlen(a);
	return prefix_hash(&p);
}

static struct rib_peer *
rib_peer_find(const struct rib *rib, const struct addr *a)
{
	uint32_t	 h = rib_addr_hash(a);
	struct hnode	*n;
	struct rib_peer	*p;

	for (n = rib->peers.b[h & rib->peers.mask]; n != NULL; n = n->next) {
		p = (struct rib_peer *)n;
		if (n->hash == h && addr_cmp(&p->addr, a) == 0)
			return p;
	}
	return NULL;
}

/* ---- accept filters ---- */

static int
rib_peer_accepted(const struct rib *rib, const struct addr *a)
{
	return !rib->has_acc_peers || prefix_set_match_addr(&rib->acc_peers,
	    a);
}

static int
rib_prefix_accepted(const struct rib *rib, const struct prefix *p)
{
	return !rib->has_acc_prefixes ||
	    prefix_set_match(&rib->acc_prefixes, p);
}

static struct rib_peer *
rib_peer_get(struct rib *rib, const struct addr *a)
{
	struct rib_peer	*p;

	if ((p = rib_peer_find(rib, a)) != NULL)
		return p;
	p = xcalloc(1, sizeof(*p));
	p->addr = *a;
	p->accepted = rib_peer_accepted(rib, a);
	p->state = RIB_PEER_IDLE;
	htab_init(&p->routes);
	htab_insert(&rib->peers, &p->node, rib_addr_hash(a));
	return p;
}

/*
 * The only place peer state and EOR change: keeps the counters true.
 * Only accepted peers count (p->accepted changes in rib_reconf alone,
 * which counts again from scratch).
 */
static void
rib_peer_set(struct rib *rib, struct rib_peer *p, enum rib_peer_state state,
    int eor)
{
	if (p->state == RIB_PEER_UP && p->accepted) {
		rib->npeers_up--;
		if (p->eor)
			rib->npeers_up_eor--;
	}
	p->state = state;
	p->eor = eor;
	if (p->state == RIB_PEER_UP && p->accepted) {
		rib->npeers_up++;
		if (p->eor)
			rib->npeers_up_eor++;
	}
}

/* ---- the aggregate ---- */

static uint32_t
rib_agg_hash(uint16_t port, const struct prefix *p)
{
	uint32_t	 h = prefix_hash(p) ^ ((uint32_t)port * 2654435761u);

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

static void
rib_agg_ref(struct rib *rib, uint16_t port, const struct prefix *p, int delta)
{
	uint32_t	 h = rib_agg_hash(port, p);
	struct hnode	*n;
	struct rib_agg	*a = NULL;

	for (n = rib->agg.b[h & rib->agg.mask]; n != NULL; n = n->next) {
		a = (struct rib_agg *)n;
		if (n->hash == h && a->port == port &&
		    prefix_eq(&a->prefix, p))
			break;
	}
	if (n == NULL) {
		if (delta < 0)
			fatalx("%s: unreferenced backend", __func__);
		a = xcalloc(1, sizeof(*a));
		a->port = port;
		a->prefix = *p;
		a->npeers = 1;
		htab_insert(&rib->agg, &a->node, h);
		if (rib->port_count == NULL)
			rib->port_count = xcalloc(65536,
			    sizeof(*rib->port_count));
		rib->port_count[port]++;
		rib->generation++;
		return;
	}
	if (delta > 0) {
		a->npeers++;
		return;
	}
	if (--a->npeers == 0) {
		htab_remove(&rib->agg, &a->node);
		free(a);
		rib->port_count[port]--;
		rib->generation++;
	}
}

/* ---- candidates and ports ---- */

static uint64_t
rib_cand_std(uint16_t asn, uint16_t port)
{
	return ((uint64_t)asn << 16) | port;
}

static uint64_t
rib_cand_large(uint32_t global, uint16_t port)
{
	return RIB_CAND_LARGE | ((uint64_t)global << 16) | port;
}

static int
rib_u64_cmp(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the message's candidates into rib->cbuf, sorted and unique */
static size_t
rib_candidates(struct rib *rib, const struct exabgp_msg *m)
{
	size_t	 i, n = 0, need = m->ncommunities + m->nlarge;

	if (need > rib->ccap) {
		rib->cbuf = xreallocarray(rib->cbuf, need, sizeof(*rib->cbuf));
		rib->ccap = need;
	}
	for (i = 0; i < m->ncommunities; i++) {
		if (m->communities[i].value == 0)
			continue;	/* port 0 is no service */
		rib->cbuf[n++] = rib_cand_std(m->communities[i].asn,
		    m->communities[i].value);
	}
	for (i = 0; i < m->nlarge; i++) {
		if (m->large[i].local1 != 0 || m->large[i].local2 == 0 ||
		    m->large[i].local2 > 65535)
			continue;
		rib->cbuf[n++] = rib_cand_large(m->large[i].global,
		    (uint16_t)m->large[i].local2);
	}
	if (n > 1) {
		qsort(rib->cbuf, n, sizeof(*rib->cbuf), rib_u64_cmp);
		for (need = n, n = 1, i = 1; i < need; i++)
			if (rib->cbuf[i] != rib->cbuf[n - 1])
				rib->cbuf[n++] = rib->cbuf[i];
	}
	return n;
}

/* the ports a candidate list names under conf, ascending (cand sorted) */
static size_t
rib_ports(const struct rib_conf *conf, const uint64_t *cand, size_t ncand,
    uint16_t *out)
{
	uint64_t	 key;
	size_t		 i, n = 0;

	if (conf->large)
		key = RIB_CAND_LARGE | ((uint64_t)conf->asn << 16);
	else if (conf->asn > 65535)
		return 0;
	else
		key = (uint64_t)conf->asn << 16;
	for (i = 0; i < ncand; i++)
		if ((cand[i] & ~(uint64_t)0xffff) == key)
			out[n++] = (uint16_t)(cand[i] & 0xffff);
	return n;
}

static void
rib_pbuf(struct rib *rib, size_t need)
{
	if (need <= rib->pcap)
		return;
	rib->pold = xreallocarray(rib->pold, need, sizeof(*rib->pold));
	rib->pnew = xreallocarray(rib->pnew, need, sizeof(*rib->pnew));
	rib->pcap = need;
}

/*
 * Add (delta 1) or remove (-1) every port of a route to the aggregate;
 * an ignored route instead counts (or stops counting) as ignored when
 * it names a port.
 */
static void
rib_route_ref(struct rib *rib, struct rib_peer *peer,
    const struct rib_route *r, int delta)
{
	size_t	 i, n;

	rib_pbuf(rib, r->ncand);
	n = rib_ports(&rib->conf, r->cand, r->ncand, rib->pold);
	if (r->ignored) {
		if (n > 0) {
			peer->nignored += (size_t)delta;
			rib->nignored += (size_t)delta;
		}
		return;
	}
	for (i = 0; i < n; i++)
		rib_agg_ref(rib, rib->pold[i], &r->prefix, delta);
}

/* stored routes: accepted ones in rib->nroutes, ignored in nfiltered */
static void
rib_route_count(struct rib *rib, struct rib_peer *peer,
    const struct rib_route *r, int delta)
{
	if (r->ignored)
		peer->nfiltered += (size_t)delta;
	else
		rib->nroutes += (size_t)delta;
}

/* ---- the record of what was logged as ignored ---- */

static uint32_t
rib_logged_hash(const struct addr *peer, const struct prefix *p)
{
	uint32_t	 h = rib_addr_hash(peer) * 31u + prefix_hash(p);

	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h;
}

static void
rib_logged_free_node(struct hnode *n)
{
	free(n);
}

static void	htab_free_all(struct htab *, void (*)(struct hnode *));

/*
 * Log a newly ignored route once per (peer, prefix), and only if it
 * names a port (a route with other communities is no backend anyway).
 * The record is bounded: past RIB_LOGGED_MAX pairs one line says so and
 * the rest is counted only (status file, metrics).
 */
static void
rib_ignore_log(struct rib *rib, const struct rib_peer *peer,
    const struct rib_route *r)
{
	struct rib_logged *lg;
	struct hnode	*n;
	uint32_t	 h;
	char		 a[ADDR_STRLEN], pf[PREFIX_STRLEN];
	enum rib_ignore	 why;

	rib_pbuf(rib, r->ncand);
	if (rib_ports(&rib->conf, r->cand, r->ncand, rib->pold) == 0)
		return;
	h = rib_logged_hash(&peer->addr, &r->prefix);
	for (n = rib->logged.b[h & rib->logged.mask]; n != NULL; n = n->next) {
		lg = (struct rib_logged *)n;
		if (n->hash == h && addr_cmp(&lg->peer, &peer->addr) == 0 &&
		    prefix_eq(&lg->prefix, &r->prefix))
			return;
	}
	if (rib->logged.count >= RIB_LOGGED_MAX) {
		if (!rib->logged_full)
			log_warnx("%d ignored routes logged: further ones are "
			    "counted in the status file and metrics, not "
			    "logged, until a reload changes the filters",
			    RIB_LOGGED_MAX);
		rib->logged_full = 1;
		return;
	}
	lg = xcalloc(1, sizeof(*lg));
	lg->peer = peer->addr;
	lg->prefix = r->prefix;
	htab_insert(&rib->logged, &lg->node, h);
	why = peer->accepted ? RIB_IGNORE_PREFIX : RIB_IGNORE_PEER;
	log_warnx("peer %s: route %s ignored: %s",
	    addr_fmt(&peer->addr, a, sizeof(a)),
	    prefix_fmt(&r->prefix, pf, sizeof(pf)), rib_ignore_texts[why]);
}

static void
rib_route_setcand(struct rib_route *r, const uint64_t *cand, size_t n)
{
	if (r->cand != r->inl)
		free(r->cand);
	r->cand = n <= RIB_CAND_INLINE ? r->inl :
	    xreallocarray(NULL, n, sizeof(*r->cand));
	memcpy(r->cand, cand, n * sizeof(*cand));
	r->ncand = (uint32_t)n;
}

static void
rib_route_free(struct rib_route *r)
{
	if (r->cand != r->inl)
		free(r->cand);
	free(r);
}

/* ---- routes ---- */

static struct rib_route *
rib_route_find(const struct rib_peer *peer, const struct prefix *p,
    uint32_t h)
{
	struct hnode	*n;
	struct rib_route *r;

	for (n = peer->routes.b[h & peer->routes.mask]; n != NULL;
	    n = n->next) {
		r = (struct rib_route *)n;
		if (n->hash == h && prefix_eq(&r->prefix, p))
			return r;
	}
	return NULL;
}

static void
rib_route_remove(struct rib *rib, struct rib_peer *peer, struct rib_route *r)
{
	rib_route_ref(rib, peer, r, -1);
	rib_route_count(rib, peer, r, -1);
	htab_remove(&peer->routes, &r->node);
	rib_route_free(r);
	if (rib->conf.max_routes > 0 &&
	    (int64_t)peer->routes.count < rib->conf.max_routes)
		peer->cap_logged = 0;
}

static void
rib_withdraw(struct rib *rib, struct rib_peer *peer, const struct prefix *p)
{
	struct rib_route *r;

	if ((r = rib_route_find(peer, p, prefix_hash(p))) != NULL)
		rib_route_remove(rib, peer, r);
}

/* replace only what differs: old and new port lists are sorted */
static void
rib_route_replace(struct rib *rib, struct rib_route *r, const uint64_t *cand,
    size_t ncand)
{
	size_t	 i = 0, j = 0, no, nn;

	rib_pbuf(rib, r->ncand > ncand ? r->ncand : ncand);
	no = rib_ports(&rib->conf, r->cand, r->ncand, rib->pold);
	nn = rib_ports(&rib->conf, cand, ncand, rib->pnew);
	while (i < no || j < nn) {
		if (j == nn || (i < no && rib->pold[i] < rib->pnew[j]))
			rib_agg_ref(rib, rib->pold[i++], &r->prefix, -1);
		else if (i == no || rib->pnew[j] < rib->pold[i])
			rib_agg_ref(rib, rib->pnew[j++], &r->prefix, 1);
		else {
			i++;
			j++;
		}
	}
	if (r->ncand != ncand ||
	    memcmp(r->cand, cand, ncand * sizeof(*cand)) != 0)
		rib_route_setcand(r, cand, ncand);
}

/*
 * A stored route's new candidates and filter verdict. Both accepted:
 * only the differing ports move. Otherwise out with the old state, in
 * with the new (a route ignored now is logged unless it already was).
 */
static void
rib_route_update(struct rib *rib, struct rib_peer *peer, struct rib_route *r,
    int ignored, const uint64_t *cand, size_t ncand)
{
	int	 was = r->ignored;

	if (!was && !ignored) {
		rib_route_replace(rib, r, cand, ncand);
		return;
	}
	rib_route_ref(rib, peer, r, -1);
	rib_route_count(rib, peer, r, -1);
	if (r->ncand != ncand ||
	    memcmp(r->cand, cand, ncand * sizeof(*cand)) != 0)
		rib_route_setcand(r, cand, ncand);
	r->ignored = (uint8_t)ignored;
	rib_route_count(rib, peer, r, 1);
	rib_route_ref(rib, peer, r, 1);
	if (ignored && !was)
		rib_ignore_log(rib, peer, r);
}

static void
rib_announce(struct rib *rib, struct rib_peer *peer, const struct prefix *p,
    const uint64_t *cand, size_t ncand)
{
	struct rib_route *r;
	uint32_t	 h;
	char		 buf[ADDR_STRLEN];
	int		 ignored;

	if (rib->conf.host_routes_only && !prefix_is_host(p))
		return;
	h = prefix_hash(p);
	r = rib_route_find(peer, p, h);
	if (ncand == 0) {
		/* names no service under any rules: an implicit withdraw */
		if (r != NULL)
			rib_route_remove(rib, peer, r);
		return;
	}
	ignored = !peer->accepted || !rib_prefix_accepted(rib, p);
	if (r != NULL) {
		rib_route_update(rib, peer, r, ignored, cand, ncand);
		return;
	}
	if (rib->conf.max_routes > 0 &&
	    (int64_t)peer->routes.count >= rib->conf.max_routes) {
		peer->refused++;
		if (!peer->cap_logged)
			log_warnx("peer %s: max_routes %lld reached, "
			    "refusing new routes",
			    addr_fmt(&peer->addr, buf, sizeof(buf)),
			    (long long)rib->conf.max_routes);
		peer->cap_logged = 1;
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->prefix = *p;
	r->ignored = (uint8_t)ignored;
	r->cand = r->inl;
	rib_route_setcand(r, cand, ncand);
	htab_insert(&peer->routes, &r->node, h);
	rib_route_count(rib, peer, r, 1);
	rib_route_ref(rib, peer, r, 1);
	if (ignored)
		rib_ignore_log(rib, peer, r);
}

/* every route of a peer gone (session down or re-established) */
static void
rib_peer_flush(struct rib *rib, struct rib_peer *peer)
{
	struct hnode	*n, *next;
	size_t		 i;

	if (peer->routes.count == 0)
		return;
	for (i = 0; i <= peer->routes.mask; i++) {
		for (n = peer->routes.b[i]; n != NULL; n = next) {
			next = n->next;
			rib_route_ref(rib, peer, (struct rib_route *)n, -1);
			rib_route_count(rib, peer, (struct rib_route *)n, -1);
			rib_route_free((struct rib_route *)n);
		}
	}
	free(peer->routes.b);
	htab_init(&peer->routes);	/* give the memory back */
	peer->cap_logged = 0;
}

static void	rib_free_peer_node(struct hnode *);

static void
rib_state(struct rib *rib, struct rib_peer *peer, const struct exabgp_msg *m)
{
	char		 buf[ADDR_STRLEN];
	size_t		 had = peer->routes.count;

	addr_fmt(&peer->addr, buf, sizeof(buf));
	switch (m->state) {
	case EXABGP_STATE_CONNECTED:
		rib_peer_set(rib, peer, RIB_PEER_CONNECTED, 0);
		log_debug("peer %s: connected", buf);
		break;
	case EXABGP_STATE_UP:
		/* the peer now sends its whole table again */
		rib_peer_flush(rib, peer);
		rib_peer_set(rib, peer, RIB_PEER_UP, 0);
		peer->eor_families = 0;
		peer->ups++;
		log_info("peer %s: up", buf);
		break;
	case EXABGP_STATE_DOWN:
		/* ExaBGP sends no withdraws for a session that went down */
		rib_peer_flush(rib, peer);
		rib_peer_set(rib, peer, RIB_PEER_DOWN, 0);
		peer->eor_families = 0;
		log_info("peer %s: down (%s), %zu routes dropped", buf,
		    m->reason[0] != '\0' ? m->reason : "no reason", had);
		/* gone: nothing of it is kept (the status lists live peers) */
		htab_remove(&rib->peers, &peer->node);
		rib_free_peer_node(&peer->node);
		break;
	}
}

static void
rib_eor(struct rib *rib, struct rib_peer *peer, const struct exabgp_msg *m)
{
	char		 buf[ADDR_STRLEN];

	peer->eor_families |= 1u << m->family;
	if (!peer->eor) {
		log_debug("peer %s: End-of-RIB %s, %zu routes",
		    addr_fmt(&peer->addr, buf, sizeof(buf)),
		    exabgp_family_name(m->family), peer->routes.count);
		rib_peer_set(rib, peer, peer->state, 1);
	}
}

/* ---- public ---- */

void
rib_conf_from(struct rib_conf *rc, const struct bgpsd_conf *conf)
{
	memset(rc, 0, sizeof(*rc));
	rc->asn = conf->asn;
	rc->large = conf->large || conf->asn > 65535;
	rc->host_routes_only = conf->listen.host_routes_only;
	rc->max_routes = conf->listen.max_routes;
	rc->accept_prefixes = conf->listen.accept_prefixes;
	rc->naccept_prefixes = conf->listen.naccept_prefixes;
	rc->accept_peers = conf->listen.accept_peers;
	rc->naccept_peers = conf->listen.naccept_peers;
}

/* conf into rib, filters copied; 1 if the filters differ from before */
static int
rib_set_conf(struct rib *rib, const struct rib_conf *conf)
{
	struct prefix_set np, npeer;
	int		 hp = conf->accept_prefixes != NULL;
	int		 hpeer = conf->accept_peers != NULL;
	int		 changed;

	prefix_set_init(&np, conf->accept_prefixes, hp ?
	    conf->naccept_prefixes : 0);
	prefix_set_init(&npeer, conf->accept_peers, hpeer ?
	    conf->naccept_peers : 0);
	changed = hp != rib->has_acc_prefixes ||
	    hpeer != rib->has_acc_peers ||
	    !prefix_set_equal(&np, &rib->acc_prefixes) ||
	    !prefix_set_equal(&npeer, &rib->acc_peers);
	prefix_set_free(&rib->acc_prefixes);
	prefix_set_free(&rib->acc_peers);
	rib->acc_prefixes = np;
	rib->acc_peers = npeer;
	rib->has_acc_prefixes = hp;
	rib->has_acc_peers = hpeer;
	rib->conf = *conf;
	/* the caller's arrays need not outlive this call */
	rib->conf.accept_prefixes = rib->conf.accept_peers = NULL;
	rib->conf.naccept_prefixes = rib->conf.naccept_peers = 0;
	return changed;
}

struct rib *
rib_new(const struct rib_conf *conf)
{
	struct rib	*rib;

	rib = xcalloc(1, sizeof(*rib));
	rib_set_conf(rib, conf);
	htab_init(&rib->logged);
	htab_init(&rib->peers);
	htab_init(&rib->agg);
	return rib;
}

static void
htab_free_all(struct htab *h, void (*fn)(struct hnode *))
{
	struct hnode	*n, *next;
	size_t		 i;

	for (i = 0; i <= h->mask; i++) {
		for (n = h->b[i]; n != NULL; n = next) {
			next = n->next;
			fn(n);
		}
	}
	free(h->b);
	h->b = NULL;
	h->count = 0;
}

static void
rib_free_route_node(struct hnode *n)
{
	rib_route_free((struct rib_route *)n);
}

static void
rib_free_peer_node(struct hnode *n)
{
	struct rib_peer	*p = (struct rib_peer *)n;

	htab_free_all(&p->routes, rib_free_route_node);
	free(p);
}

static void
rib_free_agg_node(struct hnode *n)
{
	free(n);
}

void
rib_free(struct rib *rib)
{
	if (rib == NULL)
		return;
	htab_free_all(&rib->peers, rib_free_peer_node);
	htab_free_all(&rib->agg, rib_free_agg_node);
	free(rib->port_count);
	htab_free_all(&rib->logged, rib_logged_free_node);
	prefix_set_free(&rib->acc_prefixes);
	prefix_set_free(&rib->acc_peers);
	free(rib->cbuf);
	free(rib->pold);
	free(rib->pnew);
	free(rib);
}

/* 1 if both aggregates hold the same (port, prefix) set */
static int
rib_agg_same(const struct htab *a, struct rib *rib)
{
	struct hnode	*n, *m;
	struct rib_agg	*x, *y;
	size_t		 i;

	if (a->count != rib->agg.count)
		return 0;
	for (i = 0; i <= a->mask; i++) {
		for (n = a->b[i]; n != NULL; n = n->next) {
			x = (struct rib_agg *)n;
			for (m = rib->agg.b[n->hash & rib->agg.mask];
			    m != NULL; m = m->next) {
				y = (struct rib_agg *)m;
				if (m->hash == n->hash && y->port == x->port &&
				    prefix_eq(&y->prefix, &x->prefix))
					break;
			}
			if (m == NULL)
				return 0;
		}
	}
	return 1;
}

int
rib_reconf(struct rib *rib, const struct rib_conf *conf)
{
	struct htab	 old = rib->agg;
	struct hnode	*n, *rn, *next;
	struct rib_peer	*peer;
	struct rib_route *r;
	uint64_t	 gen = rib->generation;
	size_t		 i, j;
	int		 changed, was;

	if (rib_set_conf(rib, conf)) {
		/* new filters: what they ignore is news again */
		htab_free_all(&rib->logged, rib_logged_free_node);
		htab_init(&rib->logged);
		rib->logged_full = 0;
	}
	htab_init(&rib->agg);
	if (rib->port_count != NULL)
		memset(rib->port_count, 0, 65536 * sizeof(*rib->port_count));
	rib->nroutes = rib->nignored = 0;
	rib->npeers_up = rib->npeers_up_eor = 0;
	for (i = 0; i <= rib->peers.mask; i++) {
		for (n = rib->peers.b[i]; n != NULL; n = n->next) {
			peer = (struct rib_peer *)n;
			peer->accepted = rib_peer_accepted(rib, &peer->addr);
			peer->nfiltered = peer->nignored = 0;
			if (peer->state == RIB_PEER_UP && peer->accepted) {
				rib->npeers_up++;
				if (peer->eor)
					rib->npeers_up_eor++;
			}
			for (j = 0; j <= peer->routes.mask; j++) {
				for (rn = peer->routes.b[j]; rn != NULL;
				    rn = next) {
					next = rn->next;
					r = (struct rib_route *)rn;
					if (conf->host_routes_only &&
					    !prefix_is_host(&r->prefix)) {
						htab_remove(&peer->routes, rn);
						rib_route_free(r);
						continue;
					}
					was = r->ignored;
					r->ignored = (uint8_t)(!peer->accepted ||
					    !rib_prefix_accepted(rib,
					    &r->prefix));
					rib_route_count(rib, peer, r, 1);
					rib_route_ref(rib, peer, r, 1);
					if (r->ignored && !was)
						rib_ignore_log(rib, peer, r);
				}
			}
			if (conf->max_routes <= 0 ||
			    (int64_t)peer->routes.count < conf->max_routes)
				peer->cap_logged = 0;
		}
	}
	changed = !rib_agg_same(&old, rib);
	htab_free_all(&old, rib_free_agg_node);
	rib->generation = gen + (changed ? 1 : 0);
	return changed;
}

int
rib_apply(struct rib *rib, const struct exabgp_msg *m)
{
	struct rib_peer	*peer;
	uint64_t	 gen = rib->generation;
	size_t		 i, ncand;

	switch (m->type) {
	case EXABGP_MSG_STATE:
	case EXABGP_MSG_UPDATE:
	case EXABGP_MSG_EOR:
		break;
	default:
		return 0;
	}
	if (!m->has_peer)
		return 0;
	if (m->type == EXABGP_MSG_UPDATE && m->nannounce == 0 &&
	    m->nwithdraw == 0)
		return 0;	/* do not create a peer for nothing */
	peer = rib_peer_get(rib, &m->peer);
	switch (m->type) {
	case EXABGP_MSG_STATE:
		rib_state(rib, peer, m);
		break;
	case EXABGP_MSG_EOR:
		rib_eor(rib, peer, m);
		break;
	case EXABGP_MSG_UPDATE:
		for (i = 0; i < m->nwithdraw; i++)
			rib_withdraw(rib, peer, &m->withdraw[i]);
		ncand = m->nannounce > 0 ? rib_candidates(rib, m) : 0;
		for (i = 0; i < m->nannounce; i++)
			rib_announce(rib, peer, &m->announce[i], rib->cbuf,
			    ncand);
		break;
	default:
		break;
	}
	return rib->generation != gen;
}

void
rib_restore_peer(struct rib *rib, const struct addr *a)
{
	struct rib_peer	*peer = rib_peer_get(rib, a);
	char		 buf[ADDR_STRLEN];

	if (peer->state != RIB_PEER_UP)
		peer->ups++;
	rib_peer_set(rib, peer, RIB_PEER_UP, 1);
	log_info("peer %s: up before we started, %zu route(s) recovered",
	    addr_fmt(&peer->addr, buf, sizeof(buf)), peer->routes.count);
}

int
rib_clear(struct rib *rib)
{
	struct hnode	*n;
	uint64_t	 gen = rib->generation;
	size_t		 i;

	for (i = 0; i <= rib->peers.mask; i++)
		for (n = rib->peers.b[i]; n != NULL; n = n->next)
			rib_peer_flush(rib, (struct rib_peer *)n);
	return rib->generation != gen;
}

uint64_t
rib_generation(const struct rib *rib)
{
	return rib->generation;
}

size_t
rib_port_backends(const struct rib *rib, uint16_t port)
{
	return rib->port_count != NULL ? rib->port_count[port] : 0;
}

int
rib_all_eor(const struct rib *rib)
{
	return rib->npeers_up > 0 && rib->npeers_up_eor == rib->npeers_up;
}

size_t
rib_peers_up(const struct rib *rib)
{
	return rib->npeers_up;
}

size_t
rib_nroutes(const struct rib *rib)
{
	return rib->nroutes;
}

size_t
rib_nignored(const struct rib *rib)
{
	return rib->nignored;
}

static int
rib_backend_cmp(const void *a, const void *b)
{
	const struct rib_backend *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return prefix_cmp(&x->prefix, &y->prefix);
}

size_t
rib_backends(const struct rib *rib, struct rib_backend **out)
{
	struct rib_backend *v;
	struct hnode	*n;
	struct rib_agg	*a;
	size_t		 i, k = 0;

	v = xcalloc(rib->agg.count > 0 ? rib->agg.count : 1, sizeof(*v));
	for (i = 0; i <= rib->agg.mask; i++) {
		for (n = rib->agg.b[i]; n != NULL; n = n->next) {
			a = (struct rib_agg *)n;
			v[k].port = a->port;
			v[k].prefix = a->prefix;
			v[k].npeers = a->npeers;
			k++;
		}
	}
	qsort(v, k, sizeof(*v), rib_backend_cmp);
	*out = v;
	return k;
}

static int
rib_peer_stat_cmp(const void *a, const void *b)
{
	const struct rib_peer_stat *x = a, *y = b;

	return addr_cmp(&x->addr, &y->addr);
}

size_t
rib_peers(const struct rib *rib, struct rib_peer_stat **out)
{
	struct rib_peer_stat *v;
	struct rib_peer	*p;
	struct hnode	*n;
	size_t		 i, k = 0;

	v = xcalloc(rib->peers.count > 0 ? rib->peers.count : 1, sizeof(*v));
	for (i = 0; i <= rib->peers.mask; i++) {
		for (n = rib->peers.b[i]; n != NULL; n = n->next) {
			p = (struct rib_peer *)n;
			v[k].addr = p->addr;
			v[k].state = p->state;
			v[k].routes = p->routes.count - p->nfiltered;
			v[k].accepted = p->accepted;
			v[k].ignored = p->nignored;
			v[k].ignore_reason = p->accepted ? RIB_IGNORE_PREFIX :
			    RIB_IGNORE_PEER;
			v[k].refused = p->refused;
			v[k].eor = p->eor;
			v[k].eor_families = p->eor_families;
			v[k].ups = p->ups;
			k++;
		}
	}
	qsort(v, k, sizeof(*v), rib_peer_stat_cmp);
	*out = v;
	return k;
}
