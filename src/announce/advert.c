/*
 * advert.c - what this host advertises about each service: a check
 * result goes through the service's state machine (svc.c), its weight and
 * drain; the port then enters, leaves or changes in the route of each of
 * its prefixes (route.c), the caller pushes those routes to ExaBGP, and a
 * change of what the port is to the outside runs its on_change (hook.c).
 *
 * A drain ends on a timer, not at the next check result: drain_time may
 * be shorter than the interval. The timer is armed at the earliest
 * drain_end; arming only moves it earlier, and only its expiry scans the
 * services (rarely: once per drain that ends), so a result costs no scan.
 */
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "conf.h"
#include "ev.h"
#include "log.h"

struct advert {
	struct ev_loop		*loop;
	advert_push_cb		 push;
	void			*arg;
	const struct bgpsd_conf	*conf;
	struct svc		*svcs;
	struct route		*routes;
	struct ev_timer		 drain_timer;
	struct hook		*hook;
};

static void	advert_drain_cb(void *);

struct advert *
advert_new(struct ev_loop *loop, advert_push_cb push, void *arg)
{
	struct advert	*a = xcalloc(1, sizeof(*a));

	a->loop = loop;
	a->push = push;
	a->arg = arg;
	ev_timer_init(&a->drain_timer, advert_drain_cb, a);
	a->hook = hook_new(loop);
	return a;
}

void
advert_free(struct advert *a)
{
	if (a == NULL)
		return;
	ev_timer_stop(a->loop, &a->drain_timer);
	hook_free(a->hook);
	free(a);
}

struct hook *
advert_hook(struct advert *a)
{
	return a->hook;
}

/* a drain that ends on its own: the timer must fire by then */
static void
advert_arm(struct advert *a, const struct svc *s)
{
	if (!s->draining || s->stopping)
		return;
	if (!ev_timer_armed(&a->drain_timer) || s->drain_end <
	    a->drain_timer.when)
		ev_timer_at(a->loop, &a->drain_timer, s->drain_end);
}

/*
 * The port of service i as it stands now, in the routes of its prefixes.
 * A port's refs count services (route.c): add and delete once each.
 */
static void
advert_routes(struct advert *a, size_t i, int push)
{
	struct svc	*s = &a->svcs[i];
	struct route	*r;
	size_t		 j;
	int		 changed;

	if (!s->healthy && !s->routed)
		return;
	for (j = 0; j < s->conf->nprefixes; j++) {
		r = &a->routes[s->conf->prefixes[j]];
		changed = 0;
		if (s->healthy && !s->routed)
			changed = route_port_add(r, s->conf->port);
		if (s->healthy)
			changed |= route_port_meta(r, s->conf->port,
			    (uint16_t)s->weight, s->draining);
		else
			changed = route_port_del(r, s->conf->port);
		if (changed && push && a->push != NULL)
			a->push(s->conf->prefixes[j], a->arg);
	}
	s->routed = s->healthy;
}

/* after a change of service i that was `old` to the outside */
static void
advert_after(struct advert *a, size_t i, enum svc_pub old)
{
	struct svc	*s = &a->svcs[i];
	enum svc_pub	 now = svc_pub(s);

	advert_routes(a, i, 1);
	advert_arm(a, s);
	if (now != old)
		(void)hook_change(a->hook, s->conf, old, now);
}

void
advert_set(struct advert *a, const struct bgpsd_conf *conf, struct svc *svcs,
    struct route *routes)
{
	size_t	 i;

	a->conf = conf;
	a->svcs = svcs;
	a->routes = routes;
	ev_timer_stop(a->loop, &a->drain_timer);
	(void)hook_creds(a->hook, conf->user, conf->group);
	for (i = 0; i < conf->nservices; i++) {
		svcs[i].routed = 0;	/* the routes are new and empty */
		advert_routes(a, i, 0);
		advert_arm(a, &svcs[i]);
	}
}

void
advert_result(struct advert *a, size_t i, int ok, enum check_reason reason,
    const char *detail, uint64_t latency, int weight)
{
	struct svc	*s = &a->svcs[i];
	enum svc_pub	 old = svc_pub(s);

	/* a failing run's weight means nothing: keep the last one */
	if (ok)
		(void)svc_weight_update(s, weight);
	(void)svc_result(s, ok, reason, detail, latency, ev_now(a->loop),
	    a->conf->announce.disable_file);
	advert_after(a, i, old);
}

static void
advert_drain_cb(void *arg)
{
	struct advert	*a = arg;
	struct svc	*s;
	enum svc_pub	 old;
	uint64_t	 now = ev_monotonic();
	size_t		 i;

	if (a->conf == NULL)
		return;
	for (i = 0; i < a->conf->nservices; i++) {
		s = &a->svcs[i];
		if (!s->draining || s->stopping)
			continue;
		if (s->drain_end <= now) {
			old = svc_pub(s);
			(void)svc_drain_update(s, now,
			    a->conf->announce.disable_file);
			advert_after(a, i, old);
		} else
			advert_arm(a, s);
	}
}

uint64_t
advert_stop_drain(struct advert *a, const char *why)
{
	struct svc	*s;
	enum svc_pub	 old;
	size_t		 i, n = 0;

	if (a->conf == NULL || a->conf->announce.drain_on_stop <= 0)
		return 0;
	ev_timer_stop(a->loop, &a->drain_timer);
	for (i = 0; i < a->conf->nservices; i++) {
		s = &a->svcs[i];
		old = svc_pub(s);
		(void)svc_stop_drain(s);
		if (s->draining)
			n++;
		advert_after(a, i, old);
	}
	if (n == 0)
		return 0;
	log_info("%s: %zu ports draining for %.3gs, then withdrawn", why, n,
	    a->conf->announce.drain_on_stop);
	return (uint64_t)(a->conf->announce.drain_on_stop * EV_NSEC);
}
