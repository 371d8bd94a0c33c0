/*
 * push.c - the routes follow the services and the host: check results go
 * to advert.c, which moves the ports of the routes and hands a changed
 * route back here for the exabgp layer; an address that leaves or comes
 * back withdraws or re-announces its prefix.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "announce.h"
#include "log.h"
#include "sched.h"

/* the want of prefix pi to the exabgp layer (advert_push_cb) */
void
announce_push(size_t pi, void *arg)
{
	struct announcer	*a = arg;
	struct route_want	 w;

	if (a->x == NULL)
		return;
	memset(&w, 0, sizeof(w));
	route_want_of(&w, &a->routes[pi]);
	exabgp_set(a->x, &w);
	route_want_free(&w);
}

/* whether the address of pc is on this host, if it is to be looked at */
enum route_addr
announce_addr_of(const struct ifaddr_set *ia, const struct prefix_conf *pc)
{
	if (!pc->require_address)
		return ROUTE_ADDR_UNCHECKED;
	return ifaddr_has(ia, &pc->prefix.addr) ? ROUTE_ADDR_PRESENT :
	    ROUTE_ADDR_ABSENT;
}

void
announce_addr_absent_log(const struct route *r, const char *when)
{
	char	 pbuf[PREFIX_STRLEN];

	log_warnx("prefix %s: its address is not on an interface of this "
	    "host that is up%s: withdrawn (%zu healthy ports kept) until it "
	    "is; require_address = false announces it anyway",
	    prefix_fmt(&r->pc->prefix, pbuf, sizeof(pbuf)), when, r->nports);
}

/* the host's addresses changed: withdraw or re-announce what it affects */
void
announce_ifaddr_cb(void *arg)
{
	struct announcer	*a = arg;
	struct route		*r;
	enum route_addr		 now;
	char			 pbuf[PREFIX_STRLEN];
	size_t			 i;
	int			 changed = 0;

	if (a->conf == NULL || a->quitting)
		return;
	for (i = 0; i < a->conf->announce.nprefixes; i++) {
		r = &a->routes[i];
		if ((now = announce_addr_of(a->ifaddr, r->pc)) == r->addr)
			continue;
		r->addr = now;
		if (now == ROUTE_ADDR_ABSENT)
			announce_addr_absent_log(r, " any more");
		else
			log_info("prefix %s: its address is back on this "
			    "host: announced again (%zu healthy ports)",
			    prefix_fmt(&r->pc->prefix, pbuf, sizeof(pbuf)),
			    r->nports);
		announce_push(i, a);
		changed = 1;
	}
	if (changed)
		announce_status_touch(a);
}

void
announce_result_cb(size_t i, int ok, enum check_reason reason,
    const char *detail, uint64_t latency, void *arg)
{
	struct announcer	*a = arg;

	advert_result(a->adv, i, ok, reason, detail, latency,
	    sched_weight(a->sched, i));
	announce_status_touch(a);
}

uint64_t
announce_interval_cb(size_t i, void *arg)
{
	struct announcer	*a = arg;

	return svc_interval(&a->svcs[i]);
}
