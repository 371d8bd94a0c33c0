/*
 * rib.c - the listener's table.
 *
 * One route per (peer, prefix), grouped by destination (the prefix): a
 * destination keeps its routes in preference order, and is a backend of
 * every port one of its accepted routes carries. The attributes of
 * routes (communities, med, local preference) are interned: routes
 * announced with the same set share one copy, which also carries the
 * ports, weights and drain states the current rules read from it.
 *
 * A route keeps every community, not only the ports of the current
 * configuration, so that a SIGHUP changing the ASN or the large-community
 * mode re-reads the table; a route without any community that could name
 * a port under some configuration (standard X:P, large X:0:P, P > 0) is
 * not stored at all: it names no service whatever the ASN.
 *
 * Cost: applying a message is O(1) per prefix (hash lookups, a few
 * routes per destination). Rendering reads the table through a view
 * (rib_view) built in one pass over the destinations, which are kept in
 * prefix order (new ones are sorted in, gone ones swept, at view time).
 *
 * Accept filters: a route from a peer outside accept_peers, or whose
 * prefix lies outside accept_prefixes, is stored with "ignored" set and
 * is never a backend; a reload re-filters the whole table both ways.
 *
 * Stale routes (graceful restart, RFC 4724, on the consumer): when the
 * session of a peer with a stale_time goes down, or comes up again, its
 * routes are kept, marked stale; what it announces again replaces them,
 * what it withdraws goes, and whatever is still stale stale_time after it
 * became stale is dropped then (rib_expire). Its End-of-RIB ends no stale
 * route: a restarted BIRD reflector sends it before its own clients are
 * back (measured: 135 of 200 routes came after it).
 *
 * Merge rule: a backend announced by several peers takes what travels
 * with its port (weight, drain, next hop, med, local preference, the
 * other communities) from its preferred route among those carrying the
 * port: a fresh route before a stale one, then the lowest peer address.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "community.h"
#include "ev.h"
#include "listen.h"
#include "log.h"

#define RIB_HTAB_MIN	16
#define RIB_PORTS_INLINE 4

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

/* interned attributes: shared by every route announced with them */
struct rib_attr {
	struct hnode		 node;
	uint32_t		 refs;
	int64_t			 med;		/* -1: none */
	int64_t			 local_pref;	/* -1: none */
	uint32_t		 nstd, nlarge;
	uint32_t		*std;		/* asn << 16 | value, sorted */
	struct large_community	*large;		/* sorted */
	/* under the current rules (rib_attr_derive) */
	uint32_t		 nports;
	struct port_meta	*ports;		/* ascending */
};

struct rib_route {
	struct rib_route	*dnext;		/* its destination's, best first */
	struct rib_route	*pnext, *pprev;	/* its peer's */
	struct rib_dest		*dest;
	struct rib_peer		*peer;
	struct rib_attr		*attr;
	struct addr		 next_hop;	/* family 0: none */
	uint8_t			 stale;
	uint8_t			 ignored;	/* kept out by the filters */
	uint8_t			 family;	/* enum exabgp_family */
};

struct rib_dest {
	struct hnode		 node;
	struct prefix		 prefix;
	struct rib_route	*routes;
	uint16_t		*ports;		/* union of the accepted routes' */
	uint16_t		 nports;
	uint16_t		 inl[RIB_PORTS_INLINE];
	uint8_t			 dead;		/* out of the hash, in dv */
	uint32_t		 pos;		/* index in rib->dv */
};

struct rib_peer {
	struct hnode		 node;
	struct addr		 addr;
	enum rib_peer_state	 state;
	struct rib_route	*routes;	/* every route of the peer */
	size_t			 nroutes;	/* stored, ignored ones too */
	size_t			 nfiltered;	/* stored routes ignored */
	size_t			 nignored;	/* ... of them naming a port */
	size_t			 nstale;
	int			 accepted;	/* passes accept_peers */
	uint64_t		 refused;
	int			 cap_logged;	/* max_routes warned this burst */
	int			 eor;		/* >= 1 EOR since last up */
	unsigned		 eor_families;
	uint64_t		 ups;
	double			 stale_time;	/* from the rules */
	uint64_t		 stale_until;	/* monotonic ns; 0: none stale */
};

/* a (peer, prefix) whose being ignored was logged */
struct rib_logged {
	struct hnode	 node;
	struct addr	 peer;
	struct prefix	 prefix;
};

/*
 * What templates see of a destination, per port: the route they read
 * (the first, in preference order, that names the port). Interned
 * attributes make the attribute pointer stand for every value; the
 * snapshot never outlives the objects it points to (it is compared
 * right after the change it was taken for).
 */
struct rib_vis {
	uint16_t		 port;
	uint32_t		 order;
	const struct rib_peer	*peer;
	const struct rib_attr	*attr;
	struct addr		 next_hop;
};

struct rib_stale_rules {
	struct prefix_set	*sets;
	double			*times;
	size_t			 n;
};

struct rib {
	struct rib_conf		 conf;		/* pointers not kept */
	struct prefix_set	 acc_prefixes;
	struct prefix_set	 acc_peers;
	int			 has_acc_prefixes;
	int			 has_acc_peers;
	struct rib_stale_rules	 stale;
	struct htab		 logged;	/* at most RIB_LOGGED_MAX */
	int			 logged_full;
	struct htab		 peers;
	struct htab		 dests;
	struct htab		 attrs;
	/* every destination, prefix order up to nsorted, then new ones */
	struct rib_dest		**dv;
	size_t			 ndv, capdv, nsorted, ndead;
	uint32_t		*port_count;	/* [65536], lazily */
	size_t			 nbackends;
	uint64_t		 generation;
	size_t			 nroutes;	/* accepted, stored */
	size_t			 nignored;	/* ignored, naming a port */
	size_t			 nstale;
	size_t			 npeers_up;
	size_t			 npeers_up_eor;
	/* scratch for unions of ports */
	uint16_t		*pbuf;
	size_t			 pcap;
	/* what templates saw of snap_dest before a change (rib_dest_snap) */
	const struct rib_dest	*snap_dest;
	struct rib_vis		*snap, *vis;
	size_t			 nsnap, snapcap, viscap;
};

static const char *const rib_peer_state_names[] = {
	[RIB_PEER_IDLE] = "idle",
	[RIB_PEER_CONNECTED] = "connected",
	[RIB_PEER_UP] = "up",
	[RIB_PEER_DOWN] = "down",
};

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
rib_peer_state_name(enum rib_peer_state s)
{
	if ((size_t)s >= sizeof(rib_peer_state_names) /
	    sizeof(rib_peer_state_names[0]))
		return "?";
	return rib_peer_state_names[s];
}

const char *
rib_ignore_name(enum rib_ignore r)
{
	if ((size_t)r >= sizeof(rib_ignore_names) /
	    sizeof(rib_ignore_names[0]))
		return "?";
	return rib_ignore_names[r];
}

/* ---- hash tables ---- */

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

static void
htab_free_all(struct htab *h, void (*fn)(struct hnode *))
{
	struct hnode	*n, *next;
	size_t		 i;

	for (i = 0; h->b != NULL && i <= h->mask; i++) {
		for (n = h->b[i]; n != NULL; n = next) {
			next = n->next;
			if (fn != NULL)
				fn(n);
		}
	}
	free(h->b);
	h->b = NULL;
	h->count = 0;
}

static int
prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->len == b->len && a->addr.family == b->addr.family &&
	    memcmp(a->addr.u.bytes, b->addr.u.bytes,
	    a->addr.family == AF_INET6 ? 16 : 4) == 0;
}

static uint32_t
rib_addr_hash(const struct addr *a)
{
	struct prefix	 p;

	memset(&p, 0, sizeof(p));
	p.addr = *a;
	p.len = (uint8_t)addr_maxlen(a);
	return prefix_hash(&p);
}

/* ---- rules: filters and stale times ---- */

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

/* the stale_time of a peer: its first matching rule, else the default */
static double
rib_stale_time(const struct rib *rib, const struct addr *a)
{
	size_t	 i;

	for (i = 0; i < rib->stale.n; i++)
		if (prefix_set_match_addr(&rib->stale.sets[i], a))
			return rib->stale.times[i];
	return rib->conf.stale_time;
}

static void
rib_stale_rules_free(struct rib_stale_rules *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		prefix_set_free(&r->sets[i]);
	free(r->sets);
	free(r->times);
	memset(r, 0, sizeof(*r));
}

/* ---- peers ---- */

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

static struct rib_peer *
rib_peer_get(struct rib *rib, const struct addr *a)
{
	struct rib_peer	*p;

	if ((p = rib_peer_find(rib, a)) != NULL)
		return p;
	p = xcalloc(1, sizeof(*p));
	p->addr = *a;
	p->accepted = rib_peer_accepted(rib, a);
	p->stale_time = rib_stale_time(rib, a);
	p->state = RIB_PEER_IDLE;
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

/* ---- interned attributes ---- */

static int
rib_u32_cmp(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
rib_large_cmp(const void *a, const void *b)
{
	const struct large_community *x = a, *y = b;

	if (x->global != y->global)
		return x->global < y->global ? -1 : 1;
	if (x->local1 != y->local1)
		return x->local1 < y->local1 ? -1 : 1;
	return x->local2 < y->local2 ? -1 : x->local2 > y->local2;
}

static uint32_t
rib_attr_hash(const struct rib_attr *a)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	h = hash_mix32(h ^ (uint32_t)a->med) ^ (uint32_t)(a->med >> 32);
	h = hash_mix32(h ^ (uint32_t)a->local_pref);
	for (i = 0; i < a->nstd; i++)
		h = hash_mix32(h ^ a->std[i]);
	for (i = 0; i < a->nlarge; i++)
		h = hash_mix32(hash_mix32(hash_mix32(h ^ a->large[i].global) ^
		    a->large[i].local1) ^ a->large[i].local2);
	return h;
}

static int
rib_attr_eq(const struct rib_attr *a, const struct rib_attr *b)
{
	return a->med == b->med && a->local_pref == b->local_pref &&
	    a->nstd == b->nstd && a->nlarge == b->nlarge &&
	    (a->nstd == 0 ||
	    memcmp(a->std, b->std, a->nstd * sizeof(*a->std)) == 0) &&
	    (a->nlarge == 0 ||
	    memcmp(a->large, b->large, a->nlarge * sizeof(*a->large)) == 0);
}

/* the ports, weights and drains an attribute set names under conf */
static void
rib_attr_derive(const struct rib_conf *conf, struct rib_attr *a)
{
	enum community_kind	 kind;
	uint16_t		 port, value;
	size_t			 i, j, n = 0;

	free(a->ports);
	a->ports = NULL;
	a->nports = 0;
	if (!conf->large && conf->asn <= 65535) {
		for (i = 0; i < a->nstd; i++)
			if ((a->std[i] >> 16) == conf->asn &&
			    (a->std[i] & 0xffff) != 0)
				n++;
	}
	for (i = 0; i < a->nlarge; i++)
		if (conf->large && a->large[i].global == conf->asn &&
		    a->large[i].local1 == COMMUNITY_PORT &&
		    a->large[i].local2 > 0 && a->large[i].local2 <= 65535)
			n++;
	if (n == 0)
		return;
	a->ports = xcalloc(n, sizeof(*a->ports));
	for (i = 0; !conf->large && conf->asn <= 65535 && i < a->nstd; i++)
		if ((a->std[i] >> 16) == conf->asn && (a->std[i] & 0xffff) != 0)
			a->ports[a->nports++].port =
			    (uint16_t)(a->std[i] & 0xffff);
	for (i = 0; conf->large && i < a->nlarge; i++)
		if (a->large[i].global == conf->asn &&
		    a->large[i].local1 == COMMUNITY_PORT &&
		    a->large[i].local2 > 0 && a->large[i].local2 <= 65535)
			a->ports[a->nports++].port = (uint16_t)a->large[i].local2;
	/* both lists were sorted: std by value, large by local2 */
	for (i = 0; i < a->nports; i++)
		a->ports[i].weight = COMMUNITY_WEIGHT_DEFAULT;
	for (i = 0; i < a->nlarge; i++) {
		if (!community_meta_decode(conf->asn, &a->large[i], &kind,
		    &port, &value))
			continue;
		for (j = 0; j < a->nports && a->ports[j].port != port; j++)
			;
		if (j == a->nports)
			continue;	/* metadata of a port not up: none */
		if (kind == COMMUNITY_WEIGHT)
			a->ports[j].weight = value;
		else if (kind == COMMUNITY_DRAIN)
			a->ports[j].draining = 1;
	}
}

/* 1 if the message names a port under some configuration */
static int
rib_has_candidate(const struct exabgp_msg *m)
{
	size_t	 i;

	for (i = 0; i < m->ncommunities; i++)
		if (m->communities[i].value != 0)
			return 1;
	for (i = 0; i < m->nlarge; i++)
		if (m->large[i].local1 == 0 && m->large[i].local2 > 0 &&
		    m->large[i].local2 <= 65535)
			return 1;
	return 0;
}

/* the interned attribute set of an update (a reference taken) */
static struct rib_attr *
rib_attr_get(struct rib *rib, const struct exabgp_msg *m)
{
	struct rib_attr	 key, *a;
	struct hnode	*n;
	uint32_t	 h, *std;
	struct large_community *large;
	size_t		 i, k;

	std = xcalloc(m->ncommunities + 1, sizeof(*std));
	for (i = k = 0; i < m->ncommunities; i++)
		std[k++] = (uint32_t)m->communities[i].asn << 16 |
		    m->communities[i].value;
	qsort(std, k, sizeof(*std), rib_u32_cmp);
	memset(&key, 0, sizeof(key));
	key.std = std;
	for (i = 0; i < k; i++)
		if (i == 0 || std[i] != std[key.nstd - 1])
			std[key.nstd++] = std[i];
	large = xcalloc(m->nlarge + 1, sizeof(*large));
	for (i = 0; i < m->nlarge; i++) {
		large[i].global = m->large[i].global;
		large[i].local1 = m->large[i].local1;
		large[i].local2 = m->large[i].local2;
	}
	qsort(large, m->nlarge, sizeof(*large), rib_large_cmp);
	key.large = large;
	for (i = 0; i < m->nlarge; i++)
		if (i == 0 || rib_large_cmp(&large[i],
		    &large[key.nlarge - 1]) != 0)
			large[key.nlarge++] = large[i];
	key.med = m->med;
	key.local_pref = m->local_pref;
	h = rib_attr_hash(&key);
	for (n = rib->attrs.b[h & rib->attrs.mask]; n != NULL; n = n->next) {
		a = (struct rib_attr *)n;
		if (n->hash == h && rib_attr_eq(a, &key)) {
			free(std);
			free(large);
			a->refs++;
			return a;
		}
	}
	a = xcalloc(1, sizeof(*a));
	*a = key;
	a->std = xreallocarray(std, key.nstd > 0 ? key.nstd : 1,
	    sizeof(*std));
	a->large = xreallocarray(large, key.nlarge > 0 ? key.nlarge : 1,
	    sizeof(*large));
	a->refs = 1;
	rib_attr_derive(&rib->conf, a);
	htab_insert(&rib->attrs, &a->node, h);
	return a;
}

static void
rib_attr_free(struct rib_attr *a)
{
	free(a->std);
	free(a->large);
	free(a->ports);
	free(a);
}

static void
rib_attr_put(struct rib *rib, struct rib_attr *a)
{
	if (a == NULL || --a->refs > 0)
		return;
	htab_remove(&rib->attrs, &a->node);
	rib_attr_free(a);
}

static const struct port_meta *
rib_attr_port(const struct rib_attr *a, uint16_t port)
{
	size_t	 lo = 0, hi = a->nports, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a->ports[mid].port == port)
			return &a->ports[mid];
		if (a->ports[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- destinations ---- */

static struct rib_dest *
rib_dest_find(const struct rib *rib, const struct prefix *p, uint32_t h)
{
	struct hnode	*n;
	struct rib_dest	*d;

	for (n = rib->dests.b[h & rib->dests.mask]; n != NULL; n = n->next) {
		d = (struct rib_dest *)n;
		if (n->hash == h && prefix_eq(&d->prefix, p))
			return d;
	}
	return NULL;
}

static struct rib_dest *
rib_dest_get(struct rib *rib, const struct prefix *p, uint32_t h)
{
	struct rib_dest	*d;

	if ((d = rib_dest_find(rib, p, h)) != NULL)
		return d;
	d = xcalloc(1, sizeof(*d));
	d->prefix = *p;
	d->ports = d->inl;
	htab_insert(&rib->dests, &d->node, h);
	if (rib->ndv == rib->capdv) {
		rib->capdv = rib->capdv == 0 ? 64 : rib->capdv * 2;
		rib->dv = xreallocarray(rib->dv, rib->capdv, sizeof(*rib->dv));
	}
	d->pos = (uint32_t)rib->ndv;
	rib->dv[rib->ndv++] = d;
	return d;
}

static void
rib_dest_free(struct rib_dest *d)
{
	if (d->ports != d->inl)
		free(d->ports);
	free(d);
}

/* sweep the gone destinations out of dv, order kept */
static void
rib_dv_compact(struct rib *rib)
{
	size_t	 i, k = 0, ks = 0;

	if (rib->ndead == 0)
		return;
	for (i = 0; i < rib->ndv; i++) {
		if (rib->dv[i]->dead) {
			rib_dest_free(rib->dv[i]);
			continue;
		}
		if (i < rib->nsorted)
			ks++;
		rib->dv[k] = rib->dv[i];
		rib->dv[k]->pos = (uint32_t)k;
		k++;
	}
	rib->ndv = k;
	rib->nsorted = ks;
	rib->ndead = 0;
}

static int
rib_dest_cmp(const void *a, const void *b)
{
	const struct rib_dest *const *x = a, *const *y = b;

	return prefix_cmp(&(*x)->prefix, &(*y)->prefix);
}

/* dv in prefix order: the new tail sorted, then merged in */
static void
rib_dv_sort(struct rib *rib)
{
	struct rib_dest	**tmp;
	size_t		  i, j, k, ns = rib->nsorted, n = rib->ndv;

	rib_dv_compact(rib);
	ns = rib->nsorted;
	n = rib->ndv;
	if (ns == n)
		return;
	qsort(rib->dv + ns, n - ns, sizeof(*rib->dv), rib_dest_cmp);
	if (ns > 0 && rib_dest_cmp(&rib->dv[ns - 1], &rib->dv[ns]) > 0) {
		tmp = xreallocarray(NULL, n, sizeof(*tmp));
		for (i = 0, j = ns, k = 0; i < ns || j < n; k++)
			tmp[k] = j == n || (i < ns && rib_dest_cmp(&rib->dv[i],
			    &rib->dv[j]) < 0) ? rib->dv[i++] : rib->dv[j++];
		memcpy(rib->dv, tmp, n * sizeof(*tmp));
		free(tmp);
	}
	for (i = 0; i < n; i++)
		rib->dv[i]->pos = (uint32_t)i;
	rib->nsorted = n;
}

/* route a before b in a destination: fresh first, then lowest peer */
static int
rib_route_before(const struct rib_route *a, const struct rib_route *b)
{
	if (a->stale != b->stale)
		return !a->stale;
	return addr_cmp(&a->peer->addr, &b->peer->addr) < 0;
}

static void
rib_dest_unlink(struct rib_dest *d, struct rib_route *r)
{
	struct rib_route	**pp;

	for (pp = &d->routes; *pp != NULL; pp = &(*pp)->dnext)
		if (*pp == r) {
			*pp = r->dnext;
			r->dnext = NULL;
			return;
		}
	fatalx("%s: route not in its destination", __func__);
}

static void
rib_dest_link(struct rib_dest *d, struct rib_route *r)
{
	struct rib_route	**pp;

	for (pp = &d->routes; *pp != NULL && rib_route_before(*pp, r);
	    pp = &(*pp)->dnext)
		;
	r->dnext = *pp;
	*pp = r;
}

static void
rib_count_port(struct rib *rib, uint16_t port, int delta)
{
	if (rib->port_count == NULL)
		rib->port_count = xcalloc(65536, sizeof(*rib->port_count));
	rib->port_count[port] += (uint32_t)delta;
	rib->nbackends += (size_t)delta;
}

static int
rib_u16_cmp(const void *a, const void *b)
{
	uint16_t	 x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

static int
rib_vis_cmp(const void *a, const void *b)
{
	const struct rib_vis	*x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* what templates see of d, by port, into *buf; the number of ports */
static size_t
rib_dest_vis(const struct rib_dest *d, struct rib_vis **buf, size_t *cap)
{
	const struct rib_route	*r;
	struct rib_vis		*v;
	size_t			 n = 0, i, k;
	uint32_t		 order = 0;

	for (r = d->routes; r != NULL; r = r->dnext)
		if (!r->ignored)
			n += r->attr->nports;
	if (n > *cap) {
		*cap = n;
		*buf = xreallocarray(*buf, n, sizeof(**buf));
	}
	n = 0;
	for (r = d->routes; r != NULL; r = r->dnext, order++)
		for (i = 0; !r->ignored && i < r->attr->nports; i++) {
			v = &(*buf)[n++];
			v->port = r->attr->ports[i].port;
			v->order = order;
			v->peer = r->peer;
			v->attr = r->attr;
			v->next_hop = r->next_hop;
		}
	/* one route (the usual case) is sorted already */
	if (order > 1 && n > 1) {
		qsort(*buf, n, sizeof(**buf), rib_vis_cmp);
		for (i = 1, k = 1; i < n; i++)
			if ((*buf)[i].port != (*buf)[k - 1].port)
				(*buf)[k++] = (*buf)[i];
		n = k;
	}
	return n;
}

/* before a change of d's routes: what rib_dest_update compares with */
static void
rib_dest_snap(struct rib *rib, const struct rib_dest *d)
{
	rib->nsnap = rib_dest_vis(d, &rib->snap, &rib->snapcap);
	rib->snap_dest = d;
}

/* did what templates see of d change since rib_dest_snap? */
static int
rib_dest_changed(struct rib *rib, const struct rib_dest *d)
{
	size_t	 n, i;

	if (rib->snap_dest != d)
		return 1;		/* no snapshot: assume it did */
	rib->snap_dest = NULL;
	n = rib_dest_vis(d, &rib->vis, &rib->viscap);
	if (n != rib->nsnap)
		return 1;
	for (i = 0; i < n; i++)
		if (rib->vis[i].port != rib->snap[i].port ||
		    rib->vis[i].peer != rib->snap[i].peer ||
		    rib->vis[i].attr != rib->snap[i].attr ||
		    addr_cmp(&rib->vis[i].next_hop,
		    &rib->snap[i].next_hop) != 0)
			return 1;
	return 0;
}

/*
 * Something about the routes of d changed: its ports are the union of
 * its accepted routes' again, the counts follow; the table's generation
 * moves if what templates see of d changed (against rib_dest_snap,
 * taken before the change); a destination left without routes is gone.
 */
static void
rib_dest_update(struct rib *rib, struct rib_dest *d)
{
	struct rib_route	*r;
	size_t			 n = 0, i, j, k;

	for (r = d->routes; r != NULL; r = r->dnext)
		if (!r->ignored)
			n += r->attr->nports;
	if (n > rib->pcap) {
		rib->pcap = n;
		rib->pbuf = xreallocarray(rib->pbuf, n, sizeof(*rib->pbuf));
	}
	n = 0;
	for (r = d->routes; r != NULL; r = r->dnext)
		for (i = 0; !r->ignored && i < r->attr->nports; i++)
			rib->pbuf[n++] = r->attr->ports[i].port;
	if (n > 1) {
		qsort(rib->pbuf, n, sizeof(*rib->pbuf), rib_u16_cmp);
		for (i = 1, k = 1; i < n; i++)
			if (rib->pbuf[i] != rib->pbuf[k - 1])
				rib->pbuf[k++] = rib->pbuf[i];
		n = k;
	}
	/* merge old and new: counts move for what differs only */
	for (i = j = 0; i < d->nports || j < n;) {
		if (j == n || (i < d->nports && d->ports[i] < rib->pbuf[j]))
			rib_count_port(rib, d->ports[i++], -1);
		else if (i == d->nports || rib->pbuf[j] < d->ports[i])
			rib_count_port(rib, rib->pbuf[j++], 1);
		else {
			i++;
			j++;
		}
	}
	if (d->ports != d->inl && n <= RIB_PORTS_INLINE) {
		free(d->ports);
		d->ports = d->inl;
	} else if (n > RIB_PORTS_INLINE && (d->ports == d->inl ||
	    n > d->nports))
		d->ports = xreallocarray(d->ports == d->inl ? NULL : d->ports,
		    n, sizeof(*d->ports));
	if (n > 0)	/* pbuf is NULL until a destination had a port */
		memcpy(d->ports, rib->pbuf, n * sizeof(*d->ports));
	d->nports = (uint16_t)n;
	if (rib_dest_changed(rib, d))
		rib->generation++;
	if (d->routes == NULL) {
		htab_remove(&rib->dests, &d->node);
		d->dead = 1;
		rib->ndead++;
		if (rib->ndead > 1024 && rib->ndead > rib->ndv / 2)
			rib_dv_compact(rib);
	}
}

/* ---- routes ---- */

static struct rib_route *
rib_route_of(const struct rib_dest *d, const struct rib_peer *peer)
{
	struct rib_route	*r;

	for (r = d->routes; r != NULL; r = r->dnext)
		if (r->peer == peer)
			return r;
	return NULL;
}

/* the route's share of the counters: delta 1 in, -1 out */
static void
rib_route_count(struct rib *rib, struct rib_route *r, int delta)
{
	struct rib_peer	*p = r->peer;

	p->nroutes += (size_t)delta;
	if (r->stale) {
		p->nstale += (size_t)delta;
		rib->nstale += (size_t)delta;
	}
	if (!r->ignored) {
		rib->nroutes += (size_t)delta;
		return;
	}
	p->nfiltered += (size_t)delta;
	if (r->attr->nports > 0) {
		p->nignored += (size_t)delta;
		rib->nignored += (size_t)delta;
	}
}

static void
rib_route_remove(struct rib *rib, struct rib_route *r, int update)
{
	struct rib_peer	*p = r->peer;
	struct rib_dest	*d = r->dest;

	if (update)
		rib_dest_snap(rib, d);
	rib_route_count(rib, r, -1);
	rib_dest_unlink(d, r);
	if (r->pprev != NULL)
		r->pprev->pnext = r->pnext;
	else
		p->routes = r->pnext;
	if (r->pnext != NULL)
		r->pnext->pprev = r->pprev;
	rib_attr_put(rib, r->attr);
	free(r);
	if (update)
		rib_dest_update(rib, d);
	if (rib->conf.max_routes > 0 &&
	    (int64_t)p->nroutes < rib->conf.max_routes)
		p->cap_logged = 0;
}

/* ---- the record of what was logged as ignored ---- */

static uint32_t
rib_logged_hash(const struct addr *peer, const struct prefix *p)
{
	return hash_mix32(rib_addr_hash(peer) * 31u + prefix_hash(p));
}

static void
rib_free_node(struct hnode *n)
{
	free(n);
}

/*
 * Log a newly ignored route once per (peer, prefix), and only if it
 * names a port (a route with other communities is no backend anyway).
 * The record is bounded: past RIB_LOGGED_MAX pairs one line says so and
 * the rest is counted only (status file, metrics).
 */
static void
rib_ignore_log(struct rib *rib, const struct rib_route *r)
{
	const struct rib_peer	*peer = r->peer;
	struct rib_logged	*lg;
	struct hnode		*n;
	uint32_t		 h;
	char			 a[ADDR_STRLEN], pf[PREFIX_STRLEN];
	enum rib_ignore		 why;

	if (r->attr->nports == 0)
		return;
	h = rib_logged_hash(&peer->addr, &r->dest->prefix);
	for (n = rib->logged.b[h & rib->logged.mask]; n != NULL; n = n->next) {
		lg = (struct rib_logged *)n;
		if (n->hash == h && addr_cmp(&lg->peer, &peer->addr) == 0 &&
		    prefix_eq(&lg->prefix, &r->dest->prefix))
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
	lg->prefix = r->dest->prefix;
	htab_insert(&rib->logged, &lg->node, h);
	why = peer->accepted ? RIB_IGNORE_PREFIX : RIB_IGNORE_PEER;
	log_warnx("peer %s: route %s ignored: %s",
	    addr_fmt(&peer->addr, a, sizeof(a)),
	    prefix_fmt(&r->dest->prefix, pf, sizeof(pf)),
	    rib_ignore_texts[why]);
}

static void
rib_withdraw(struct rib *rib, struct rib_peer *peer, const struct prefix *p)
{
	struct rib_dest		*d;
	struct rib_route	*r;

	if ((d = rib_dest_find(rib, p, prefix_hash(p))) != NULL &&
	    (r = rib_route_of(d, peer)) != NULL)
		rib_route_remove(rib, r, 1);
}

static void
rib_announce(struct rib *rib, struct rib_peer *peer, const struct prefix *p,
    const struct addr *next_hop, struct rib_attr *attr, int family)
{
	struct rib_dest		*d;
	struct rib_route	*r;
	uint32_t		 h = prefix_hash(p);
	char			 buf[ADDR_STRLEN];
	int			 ignored;

	if (rib->conf.host_routes_only && !prefix_is_host(p))
		return;
	d = rib_dest_find(rib, p, h);
	r = d != NULL ? rib_route_of(d, peer) : NULL;
	if (attr == NULL) {
		/* names no service under any rules: an implicit withdraw */
		if (r != NULL)
			rib_route_remove(rib, r, 1);
		return;
	}
	ignored = !peer->accepted || !rib_prefix_accepted(rib, p);
	if (r == NULL && rib->conf.max_routes > 0 &&
	    (int64_t)peer->nroutes >= rib->conf.max_routes) {
		peer->refused++;
		if (!peer->cap_logged)
			log_warnx("peer %s: max_routes %lld reached, "
			    "refusing new routes",
			    addr_fmt(&peer->addr, buf, sizeof(buf)),
			    (long long)rib->conf.max_routes);
		peer->cap_logged = 1;
		return;
	}
	if (d == NULL)
		d = rib_dest_get(rib, p, h);
	if (r != NULL) {
		/* the same route again: nothing to do, nothing changed */
		if (r->attr == attr && !r->stale && r->ignored == ignored &&
		    addr_cmp(&r->next_hop, next_hop) == 0)
			return;
	}
	rib_dest_snap(rib, d);
	if (r != NULL) {
		rib_route_count(rib, r, -1);
		rib_dest_unlink(d, r);
		rib_attr_put(rib, r->attr);
	} else {
		r = xcalloc(1, sizeof(*r));
		r->dest = d;
		r->peer = peer;
		r->pnext = peer->routes;
		if (peer->routes != NULL)
			peer->routes->pprev = r;
		peer->routes = r;
	}
	attr->refs++;
	r->attr = attr;
	r->next_hop = *next_hop;
	r->family = (uint8_t)family;
	r->stale = 0;
	if (ignored && !r->ignored)
		r->ignored = 1, rib_ignore_log(rib, r);
	r->ignored = (uint8_t)ignored;
	rib_route_count(rib, r, 1);
	rib_dest_link(d, r);
	rib_dest_update(rib, d);
}

/* ---- stale routes ---- */

/* every route of the peer stale (it went down, or came up again) */
static void
rib_peer_stale(struct rib *rib, struct rib_peer *peer)
{
	struct rib_route	*r;

	for (r = peer->routes; r != NULL; r = r->pnext) {
		if (r->stale)
			continue;
		rib_dest_snap(rib, r->dest);
		rib_route_count(rib, r, -1);
		rib_dest_unlink(r->dest, r);
		r->stale = 1;
		rib_route_count(rib, r, 1);
		rib_dest_link(r->dest, r);
		/* the preferred route may change: output may too */
		rib_dest_update(rib, r->dest);
	}
	peer->stale_until = peer->nstale > 0 ? ev_monotonic() +
	    (uint64_t)(peer->stale_time * (double)EV_NSEC) : 0;
}

/* drop the peer's stale routes; how many */
static size_t
rib_peer_unstale(struct rib *rib, struct rib_peer *peer)
{
	struct rib_route	*r, *next;
	size_t			 n = 0;

	for (r = peer->routes; r != NULL; r = next) {
		next = r->pnext;
		if (r->stale) {
			rib_route_remove(rib, r, 1);
			n++;
		}
	}
	if (peer->nstale == 0)
		peer->stale_until = 0;
	return n;
}

/* every route of a peer gone */
static void
rib_peer_flush(struct rib *rib, struct rib_peer *peer)
{
	while (peer->routes != NULL)
		rib_route_remove(rib, peer->routes, 1);
	peer->stale_until = 0;
	peer->cap_logged = 0;
}

static void
rib_peer_drop(struct rib *rib, struct rib_peer *peer)
{
	rib_peer_flush(rib, peer);
	rib_peer_set(rib, peer, RIB_PEER_DOWN, 0);
	htab_remove(&rib->peers, &peer->node);
	free(peer);
}

static void
rib_state(struct rib *rib, struct rib_peer *peer, const struct exabgp_msg *m)
{
	char		 buf[ADDR_STRLEN];
	size_t		 had = peer->nroutes;

	addr_fmt(&peer->addr, buf, sizeof(buf));
	switch (m->state) {
	case EXABGP_STATE_CONNECTED:
		rib_peer_set(rib, peer, RIB_PEER_CONNECTED, 0);
		log_debug("peer %s: connected", buf);
		break;
	case EXABGP_STATE_UP:
		/* the peer now sends its whole table again */
		if (peer->stale_time > 0 && had > 0) {
			rib_peer_stale(rib, peer);
			log_info("peer %s: up, %zu routes stale until it "
			    "sends them again, at most %.0f s", buf,
			    peer->nstale, peer->stale_time);
		} else {
			rib_peer_flush(rib, peer);
			log_info("peer %s: up", buf);
		}
		rib_peer_set(rib, peer, RIB_PEER_UP, 0);
		peer->eor_families = 0;
		peer->ups++;
		break;
	case EXABGP_STATE_DOWN:
		peer->eor_families = 0;
		/* ExaBGP sends no withdraws for a session that went down */
		if (peer->stale_time > 0 && had > 0) {
			rib_peer_stale(rib, peer);
			rib_peer_set(rib, peer, RIB_PEER_DOWN, 0);
			log_info("peer %s: down (%s), %zu routes kept stale "
			    "for %.0f s", buf, m->reason[0] != '\0' ?
			    m->reason : "no reason", peer->nstale,
			    peer->stale_time);
			break;
		}
		log_info("peer %s: down (%s), %zu routes dropped", buf,
		    m->reason[0] != '\0' ? m->reason : "no reason", had);
		/* gone: nothing of it is kept (the status lists live peers) */
		rib_peer_drop(rib, peer);
		break;
	}
}

/*
 * End-of-RIB opens the first render's gate. It does not end the stale
 * routes of a peer that came back: a restarted BIRD sends its End-of-RIB
 * before its own clients are back (and a restarted ExaBGP before its API
 * processes have spoken), so what it has not sent yet is not gone. A
 * stale route ends when the peer sends it again, withdraws it, or at
 * stale_time (rib_expire).
 */
static void
rib_eor(struct rib *rib, struct rib_peer *peer, const struct exabgp_msg *m)
{
	char		 buf[ADDR_STRLEN];

	addr_fmt(&peer->addr, buf, sizeof(buf));
	peer->eor_families |= 1u << m->family;
	if (peer->nstale > 0)
		log_debug("peer %s: End-of-RIB %s with %zu routes still "
		    "stale: kept until sent again or %.0f s", buf,
		    exabgp_family_name(m->family), peer->nstale,
		    peer->stale_time);
	if (!peer->eor) {
		log_debug("peer %s: End-of-RIB %s, %zu routes", buf,
		    exabgp_family_name(m->family), peer->nroutes);
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
	rc->stale_time = conf->listen.stale_time;
	rc->peer_groups = conf->listen.peer_groups;
	rc->npeer_groups = conf->listen.npeer_groups;
}

/* conf into rib, filters copied; 1 if the filters differ from before */
static int
rib_set_conf(struct rib *rib, const struct rib_conf *conf)
{
	struct prefix_set np, npeer;
	int		 hp = conf->accept_prefixes != NULL;
	int		 hpeer = conf->accept_peers != NULL;
	int		 changed;
	size_t		 i;

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
	rib_stale_rules_free(&rib->stale);
	rib->stale.n = conf->npeer_groups;
	rib->stale.sets = xcalloc(conf->npeer_groups + 1,
	    sizeof(*rib->stale.sets));
	rib->stale.times = xcalloc(conf->npeer_groups + 1,
	    sizeof(*rib->stale.times));
	for (i = 0; i < conf->npeer_groups; i++) {
		prefix_set_init(&rib->stale.sets[i],
		    conf->peer_groups[i].match, conf->peer_groups[i].nmatch);
		rib->stale.times[i] = conf->peer_groups[i].stale_time;
	}
	rib->conf = *conf;
	/* the caller's arrays need not outlive this call */
	rib->conf.accept_prefixes = rib->conf.accept_peers = NULL;
	rib->conf.naccept_prefixes = rib->conf.naccept_peers = 0;
	rib->conf.peer_groups = NULL;
	rib->conf.npeer_groups = 0;
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
	htab_init(&rib->dests);
	htab_init(&rib->attrs);
	return rib;
}

static void
rib_free_peer_node(struct hnode *n)
{
	struct rib_peer		*p = (struct rib_peer *)n;
	struct rib_route	*r, *next;

	for (r = p->routes; r != NULL; r = next) {
		next = r->pnext;
		free(r);
	}
	free(p);
}

static void
rib_free_attr_node(struct hnode *n)
{
	rib_attr_free((struct rib_attr *)n);
}

void
rib_free(struct rib *rib)
{
	size_t	 i;

	if (rib == NULL)
		return;
	htab_free_all(&rib->peers, rib_free_peer_node);
	htab_free_all(&rib->attrs, rib_free_attr_node);
	htab_free_all(&rib->dests, NULL);
	for (i = 0; i < rib->ndv; i++)
		rib_dest_free(rib->dv[i]);
	free(rib->dv);
	free(rib->port_count);
	htab_free_all(&rib->logged, rib_free_node);
	prefix_set_free(&rib->acc_prefixes);
	prefix_set_free(&rib->acc_peers);
	rib_stale_rules_free(&rib->stale);
	free(rib->pbuf);
	free(rib->snap);
	free(rib->vis);
	free(rib);
}

/* the ports (with their metadata) of every attribute set, as a checksum */
static uint32_t
rib_attrs_sum(const struct rib *rib)
{
	const struct rib_attr	*a;
	struct hnode		*n;
	uint32_t		 sum = 0, h;
	size_t			 i, j;

	for (i = 0; i <= rib->attrs.mask; i++)
		for (n = rib->attrs.b[i]; n != NULL; n = n->next) {
			a = (const struct rib_attr *)n;
			h = n->hash;
			for (j = 0; j < a->nports; j++)
				h = hash_mix32(h ^
				    ((uint32_t)a->ports[j].port << 16 |
				    a->ports[j].weight) ^ a->ports[j].draining);
			sum += h;	/* order of the table does not matter */
		}
	return sum;
}

int
rib_reconf(struct rib *rib, const struct rib_conf *conf)
{
	struct hnode		*n;
	struct rib_peer		*peer;
	struct rib_route	*r, *next;
	struct rib_attr		*a;
	uint64_t		 gen = rib->generation;
	size_t			 i, k, before = rib->nbackends;
	uint32_t		 sum_before = rib_attrs_sum(rib);
	int			 changed = 0, was;

	if (rib_set_conf(rib, conf)) {
		/* new filters: what they ignore is news again */
		htab_free_all(&rib->logged, rib_free_node);
		htab_init(&rib->logged);
		rib->logged_full = 0;
	}
	for (i = 0; i <= rib->attrs.mask; i++)
		for (n = rib->attrs.b[i]; n != NULL; n = n->next) {
			a = (struct rib_attr *)n;
			rib_attr_derive(&rib->conf, a);
		}
	rib->npeers_up = rib->npeers_up_eor = 0;
	for (i = 0; i <= rib->peers.mask; i++) {
		for (n = rib->peers.b[i]; n != NULL; n = n->next) {
			peer = (struct rib_peer *)n;
			peer->accepted = rib_peer_accepted(rib, &peer->addr);
			peer->stale_time = rib_stale_time(rib, &peer->addr);
			if (peer->state == RIB_PEER_UP && peer->accepted) {
				rib->npeers_up++;
				if (peer->eor)
					rib->npeers_up_eor++;
			}
			for (r = peer->routes; r != NULL; r = next) {
				next = r->pnext;
				if (conf->host_routes_only &&
				    !prefix_is_host(&r->dest->prefix)) {
					rib_route_remove(rib, r, 1);
					changed = 1;
					continue;
				}
				was = r->ignored;
				rib_route_count(rib, r, -1);
				r->ignored = (uint8_t)(!peer->accepted ||
				    !rib_prefix_accepted(rib,
				    &r->dest->prefix));
				rib_route_count(rib, r, 1);
				if (r->ignored != was)
					changed = 1;
				if (r->ignored && !was)
					rib_ignore_log(rib, r);
			}
			if (conf->max_routes <= 0 ||
			    (int64_t)peer->nroutes < conf->max_routes)
				peer->cap_logged = 0;
		}
	}
	/* every destination's ports under the new rules */
	for (k = 0; k < rib->ndv; k++)
		if (!rib->dv[k]->dead)
			rib_dest_update(rib, rib->dv[k]);
	if (rib->nbackends != before || rib_attrs_sum(rib) != sum_before)
		changed = 1;
	rib->generation = gen + (changed ? 1 : 0);
	return changed;
}

int
rib_apply(struct rib *rib, const struct exabgp_msg *m)
{
	static const struct addr none;
	struct rib_peer	*peer;
	struct rib_attr	*attr = NULL;
	uint64_t	 gen = rib->generation;
	size_t		 i;

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
		if (m->nannounce > 0 && rib_has_candidate(m))
			attr = rib_attr_get(rib, m);
		for (i = 0; i < m->nannounce; i++)
			rib_announce(rib, peer, &m->announce[i],
			    m->next_hop != NULL ? &m->next_hop[i] : &none,
			    attr, m->announce[i].addr.family == AF_INET6 ?
			    EXABGP_FAMILY_IPV6 : EXABGP_FAMILY_IPV4);
		rib_attr_put(rib, attr);
		/* a peer that was never up and holds nothing: not kept */
		if (peer->nroutes == 0 && peer->state == RIB_PEER_IDLE &&
		    peer->refused == 0)
			rib_peer_drop(rib, peer);
		break;
	default:
		break;
	}
	return rib->generation != gen;
}

int
rib_expire(struct rib *rib, uint64_t now)
{
	struct hnode	*n, *next;
	struct rib_peer	*peer;
	uint64_t	 gen = rib->generation;
	char		 buf[ADDR_STRLEN];
	size_t		 i, k;

	for (i = 0; i <= rib->peers.mask; i++) {
		for (n = rib->peers.b[i]; n != NULL; n = next) {
			next = n->next;
			peer = (struct rib_peer *)n;
			if (peer->stale_until == 0 || peer->stale_until > now)
				continue;
			k = rib_peer_unstale(rib, peer);
			log_info("peer %s: %zu stale routes dropped after %.0f "
			    "s", addr_fmt(&peer->addr, buf, sizeof(buf)), k,
			    peer->stale_time);
			if (peer->state == RIB_PEER_DOWN && peer->nroutes == 0)
				rib_peer_drop(rib, peer);
		}
	}
	return rib->generation != gen;
}

uint64_t
rib_next_expiry(const struct rib *rib)
{
	struct hnode		*n;
	const struct rib_peer	*peer;
	uint64_t		 t = 0;
	size_t			 i;

	for (i = 0; i <= rib->peers.mask; i++)
		for (n = rib->peers.b[i]; n != NULL; n = n->next) {
			peer = (const struct rib_peer *)n;
			if (peer->stale_until != 0 && (t == 0 ||
			    peer->stale_until < t))
				t = peer->stale_until;
		}
	return t;
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
	    addr_fmt(&peer->addr, buf, sizeof(buf)), peer->nroutes);
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

size_t
rib_nbackends(const struct rib *rib)
{
	return rib->nbackends;
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

size_t
rib_nstale(const struct rib *rib)
{
	return rib->nstale;
}

/* ---- the view: what a render reads ---- */

void
rib_view(struct rib *rib, struct rib_view *v)
{
	struct rib_dest	*d;
	size_t		 i, j, k, *fill;
	uint32_t	 c;

	memset(v, 0, sizeof(*v));
	v->rib = rib;
	rib_dv_sort(rib);
	for (i = 1; rib->port_count != NULL && i < 65536; i++)
		if (rib->port_count[i] > 0)
			v->nports++;
	v->ports = xcalloc(v->nports + 1, sizeof(*v->ports));
	v->start = xcalloc(v->nports + 1, sizeof(*v->start));
	v->dests = xcalloc(rib->nbackends + 1, sizeof(*v->dests));
	for (i = 1, k = 0, c = 0; rib->port_count != NULL && i < 65536; i++)
		if (rib->port_count[i] > 0) {
			v->ports[k] = (uint16_t)i;
			v->start[k++] = c;
			c += rib->port_count[i];
		}
	v->start[k] = c;
	fill = xcalloc(v->nports + 1, sizeof(*fill));
	for (i = 0; i < rib->ndv; i++) {
		d = rib->dv[i];
		/* both lists ascending: one merge per destination */
		for (j = 0, k = 0; j < d->nports; j++) {
			while (v->ports[k] < d->ports[j])
				k++;
			v->dests[v->start[k] + fill[k]++] = d;
		}
	}
	free(fill);
}

void
rib_view_free(struct rib_view *v)
{
	free(v->ports);
	free(v->start);
	free(v->dests);
	memset(v, 0, sizeof(*v));
}

size_t
rib_view_port(const struct rib_view *v, uint16_t port)
{
	size_t	 lo = 0, hi = v->nports, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v->ports[mid] == port)
			return mid;
		if (v->ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return RIB_VIEW_NONE;
}

const struct prefix *
rib_view_prefix(const struct rib_view *v, size_t pi, size_t i)
{
	return &v->dests[v->start[pi] + i]->prefix;
}

/*
 * A render walks each port's backends in order, and each one's
 * destination and route are scattered over the heap: at 250,000 backends
 * the first touch of each was a cache miss, most of a pass. Fetch the
 * destination 8 backends ahead and its first route 4 ahead (its pointer
 * read from the destination fetched 4 backends ago).
 */
void
rib_view_prefetch(const struct rib_view *v, size_t pi, size_t i)
{
	const struct rib_dest	**dp = v->dests + v->start[pi];
	size_t			 n = RIB_VIEW_COUNT(v, pi);

	if (i + 8 < n)
		__builtin_prefetch(dp[i + 8]);
	if (i + 4 < n && dp[i + 4]->routes != NULL)
		__builtin_prefetch(dp[i + 4]->routes);
}

void
rib_view_backend(const struct rib_view *v, size_t pi, size_t i,
    struct rib_backend_info *b)
{
	const struct rib_dest	*d = v->dests[v->start[pi] + i];
	const struct rib_route	*r, *best = NULL;
	const struct port_meta	*pm = NULL, *m;
	uint16_t		 port = v->ports[pi];

	memset(b, 0, sizeof(*b));
	b->prefix = &d->prefix;
	for (r = d->routes; r != NULL; r = r->dnext) {
		if (r->ignored || (m = rib_attr_port(r->attr, port)) == NULL)
			continue;
		b->npeers++;
		if (best == NULL) {
			best = r;
			pm = m;
		}
	}
	if (best == NULL)
		fatalx("%s: a backend without its route", __func__);
	b->peer = &best->peer->addr;
	b->next_hop = &best->next_hop;
	b->med = best->attr->med;
	b->local_pref = best->attr->local_pref;
	b->weight = pm->weight;
	b->draining = pm->draining;
	b->stale = best->stale;
	b->attr = best->attr;
	b->asn = v->rib->conf.asn;
	b->large = v->rib->conf.large;
}

/* is community i (standard first, then large) one of bgpsd's own? */
static int
rib_tag_ours(const struct rib_backend_info *b, size_t i)
{
	const struct rib_attr	*a = b->attr;
	const struct large_community *lc;
	enum community_kind	 kind;
	uint16_t		 port, value;

	if (i < a->nstd)
		return !b->large && (a->std[i] >> 16) == b->asn &&
		    (a->std[i] & 0xffff) != 0;
	lc = &a->large[i - a->nstd];
	if (lc->global != b->asn)
		return 0;
	if (lc->local1 == COMMUNITY_PORT)
		return b->large && lc->local2 > 0 && lc->local2 <= 65535;
	return community_meta_decode(b->asn, lc, &kind, &port, &value);
}

size_t
rib_backend_ntags(const struct rib_backend_info *b)
{
	const struct rib_attr	*a = b->attr;
	size_t			 i, n = 0;

	for (i = 0; i < a->nstd + a->nlarge; i++)
		if (!rib_tag_ours(b, i))
			n++;
	return n;
}

void
rib_backend_tag(const struct rib_backend_info *b, size_t t, char *buf,
    size_t len)
{
	const struct rib_attr	*a = b->attr;
	size_t			 i;

	buf[0] = '\0';
	for (i = 0; i < a->nstd + a->nlarge; i++) {
		if (rib_tag_ours(b, i))
			continue;
		if (t-- > 0)
			continue;
		if (i < a->nstd)
			snprintf(buf, len, "%u:%u", a->std[i] >> 16,
			    a->std[i] & 0xffff);
		else
			snprintf(buf, len, "%u:%u:%u",
			    a->large[i - a->nstd].global,
			    a->large[i - a->nstd].local1,
			    a->large[i - a->nstd].local2);
		return;
	}
}

size_t
rib_backends(struct rib *rib, struct rib_backend **out)
{
	struct rib_view		 v;
	struct rib_backend_info	 b;
	struct rib_backend	*bv;
	size_t			 pi, i, k = 0;

	rib_view(rib, &v);
	bv = xcalloc(rib->nbackends + 1, sizeof(*bv));
	for (pi = 0; pi < v.nports; pi++)
		for (i = 0; i < RIB_VIEW_COUNT(&v, pi); i++) {
			rib_view_backend(&v, pi, i, &b);
			bv[k].port = v.ports[pi];
			bv[k].prefix = *b.prefix;
			bv[k].npeers = b.npeers;
			k++;
		}
	rib_view_free(&v);
	*out = bv;
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
			v[k].routes = p->nroutes - p->nfiltered;
			v[k].stale = p->nstale;
			v[k].accepted = p->accepted;
			v[k].ignored = p->nignored;
			v[k].ignore_reason = p->accepted ? RIB_IGNORE_PREFIX :
			    RIB_IGNORE_PEER;
			v[k].refused = p->refused;
			v[k].eor = p->eor;
			v[k].eor_families = p->eor_families;
			v[k].ups = p->ups;
			v[k].stale_time = p->stale_time;
			k++;
		}
	}
	qsort(v, k, sizeof(*v), rib_peer_stat_cmp);
	*out = v;
	return k;
}
