/*
 * svc.c - the state of one service: rise/fall hysteresis over the results
 * of its checks (all checks pass = one success), and draining through
 * disable files.
 *
 * A service starts UNKNOWN, which routes like DOWN: it is announced only
 * after `rise` consecutive successes. The first failure makes it DOWN
 * (it was not announced, so there is nothing to wait for). UP falls to
 * DOWN after `fall` consecutive failures. While a service moves between
 * states (rising or falling) it is checked every fast_interval.
 *
 * Disable files are stat(2)ed at every evaluation, i.e. once per check
 * result: one syscall next to a whole check, and no timer over every
 * service. A drain therefore takes effect within one interval.
 *
 * A disable file that appears while the service is up starts a graceful
 * drain when drain_time > 0: the port stays in the routes, marked
 * draining, until drain_end; then it is withdrawn (disabled). The caller
 * (advert.c) runs a timer to the earliest drain_end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "announce.h"
#include "check.h"
#include "checkconf.h"
#include "conf.h"
#include "ev.h"
#include "log.h"

static const char *const svc_state_names[SVC_STATE_MAX] = {
	[SVC_UNKNOWN] = "unknown",
	[SVC_DOWN] = "down",
	[SVC_UP] = "up",
};

static const char *const svc_pub_names[SVC_PUB_MAX] = {
	[SVC_PUB_DOWN] = "down",
	[SVC_PUB_UP] = "up",
	[SVC_PUB_DRAINING] = "draining",
	[SVC_PUB_DISABLED] = "disabled",
};

const char *
svc_pub_name(enum svc_pub p)
{
	if ((unsigned)p >= SVC_PUB_MAX)
		return "?";
	return svc_pub_names[p];
}

enum svc_pub
svc_pub(const struct svc *s)
{
	if (s->healthy)
		return s->draining ? SVC_PUB_DRAINING : SVC_PUB_UP;
	return s->drained ? SVC_PUB_DISABLED : SVC_PUB_DOWN;
}

const char *
svc_state_name(enum svc_state s)
{
	if ((unsigned)s >= SVC_STATE_MAX)
		return "?";
	return svc_state_names[s];
}

void
svc_init(struct svc *s, const struct service_conf *sc, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->conf = sc;
	s->state = SVC_UNKNOWN;
	s->last_reason = CHECK_OK;
	s->weight = sc->weight > 0 ? sc->weight : CONF_WEIGHT_DEFAULT;
	s->reported = -1;
	s->since = now;
	clock_gettime(CLOCK_REALTIME, &s->since_wall);
}

const char *
svc_reason(const struct svc *s)
{
	if (!s->failed_once)
		return "";
	if (s->last_detail[0] != '\0')
		return s->last_detail;
	return check_reason_str(s->last_reason);
}

int
svc_rising(const struct svc *s)
{
	return s->state != SVC_UP && s->ok_run > 0;
}

int
svc_falling(const struct svc *s)
{
	return s->state == SVC_UP && s->fail_run > 0;
}

uint64_t
svc_interval(const struct svc *s)
{
	double	 d;

	d = svc_rising(s) || svc_falling(s) ? s->conf->timing.fast_interval :
	    s->conf->timing.interval;
	if (d <= 0)
		d = 1;
	return (uint64_t)(d * EV_NSEC);
}

static int
svc_file_exists(const char *path)
{
	struct stat	 st;

	if (path == NULL || *path == '\0')
		return 0;
	if (stat(path, &st) == 0)
		return 1;
	/* EACCES and such: we cannot tell; do not drain on a guess */
	return 0;
}

static void
svc_changed(struct svc *s, uint64_t now)
{
	s->since = now;
	clock_gettime(CLOCK_REALTIME, &s->since_wall);
	s->ntransitions++;
}

/* recompute healthy; 1 if it changed */
static int
svc_update_healthy(struct svc *s)
{
	int	 h;

	/* a service that fails while draining goes at once */
	if (s->state != SVC_UP)
		s->draining = 0;
	h = s->state == SVC_UP && (!s->drained || s->draining);

	if (h == s->healthy)
		return 0;
	s->healthy = h;
	return 1;
}

int
svc_drain_update(struct svc *s, uint64_t now, const char *global_disable)
{
	const char	*which = NULL;
	int		 d;

	if (svc_file_exists(s->conf->disable_file))
		which = s->conf->disable_file;
	else if (svc_file_exists(global_disable))
		which = global_disable;
	d = which != NULL;
	if (d != s->drained) {
		s->drained = d;
		if (d && s->state == SVC_UP && s->conf->drain_time > 0 &&
		    !s->draining) {
			s->draining = 1;
			s->drain_end = now + (uint64_t)(s->conf->drain_time *
			    EV_NSEC);
			log_info("service %s:%u draining for %.3gs: %s exists",
			    s->conf->name, s->conf->port,
			    s->conf->drain_time, which);
		} else if (d)
			log_info("service %s:%u drained: %s exists",
			    s->conf->name, s->conf->port, which);
		else
			log_info("service %s:%u no longer drained",
			    s->conf->name, s->conf->port);
	}
	if (s->draining && !s->stopping && (!d || now >= s->drain_end)) {
		s->draining = 0;
		if (d)
			log_info("service %s:%u drain over: withdrawn",
			    s->conf->name, s->conf->port);
	}
	return svc_update_healthy(s);
}

int
svc_stop_drain(struct svc *s)
{
	s->stopping = 1;
	if (!s->healthy || s->draining)
		return 0;
	s->draining = 1;
	return 1;
}

int
svc_weight_update(struct svc *s, int reported)
{
	int	 w;

	w = s->conf->weight > 0 ? s->conf->weight : CONF_WEIGHT_DEFAULT;
	s->reported = reported;
	if (reported >= 0 && reported < w)
		w = reported;
	if (w == s->weight)
		return 0;
	log_info("service %s:%u weight %d -> %d%s", s->conf->name,
	    s->conf->port, s->weight, w, reported >= 0 ? " (reported)" : "");
	s->weight = w;
	return 1;
}

int
svc_result(struct svc *s, int ok, enum check_reason reason,
    const char *detail, uint64_t latency, uint64_t now,
    const char *global_disable)
{
	const struct timing_conf *t = &s->conf->timing;
	enum svc_state	 old = s->state;

	s->nchecks++;
	s->last_latency = latency;
	s->last_ok = ok;
	if (ok) {
		s->fail_run = 0;
		if (s->ok_run < t->rise)
			s->ok_run++;
		if (s->state != SVC_UP && s->ok_run >= t->rise)
			s->state = SVC_UP;
	} else {
		s->nfailures++;
		s->ok_run = 0;
		s->failed_once = 1;
		s->last_reason = reason;
		snprintf(s->last_detail, sizeof(s->last_detail), "%s",
		    detail != NULL ? detail : "");
		if (s->fail_run < t->fall)
			s->fail_run++;
		if (s->state == SVC_UNKNOWN ||
		    (s->state == SVC_UP && s->fail_run >= t->fall))
			s->state = SVC_DOWN;
	}
	if (s->state != old) {
		svc_changed(s, now);
		if (s->state == SVC_UP)
			log_info("service %s:%u is up (%d successes)",
			    s->conf->name, s->conf->port, s->ok_run);
		else
			log_info("service %s:%u is %s: %s", s->conf->name,
			    s->conf->port, svc_state_name(s->state),
			    svc_reason(s));
	}
	return svc_drain_update(s, now, global_disable);
}

/* ---- reload ---- */

int
svc_conf_same(const struct service_conf *a, const struct service_conf *b)
{
	size_t	 i;

	if (a->port != b->port || strcmp(a->name, b->name) != 0 ||
	    a->nchecks != b->nchecks)
		return 0;
	for (i = 0; i < a->nchecks; i++)
		if (!check_conf_same(&a->checks[i], &b->checks[i]))
			return 0;
	return 1;
}

static int
svc_key_cmp(const struct service_conf *a, const struct service_conf *b)
{
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int
svc_ptr_cmp(const void *a, const void *b)
{
	const struct svc *const	*sa = a, *const *sb = b;

	return svc_key_cmp((*sa)->conf, (*sb)->conf);
}

size_t
svc_reload(struct svc *nsvc, const struct bgpsd_conf *nconf,
    const struct svc *osvc, size_t nold, uint64_t now)
{
	const struct svc	**sorted;
	size_t			 i, lo, hi, mid, kept = 0;
	int			 c;

	/* sorted by (port, name): a reload of 10,000 services stays cheap */
	sorted = xreallocarray(NULL, nold > 0 ? nold : 1, sizeof(*sorted));
	for (i = 0; i < nold; i++)
		sorted[i] = &osvc[i];
	qsort(sorted, nold, sizeof(*sorted), svc_ptr_cmp);
	for (i = 0; i < nconf->nservices; i++) {
		svc_init(&nsvc[i], &nconf->services[i], now);
		lo = 0;
		hi = nold;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			c = svc_key_cmp(&nconf->services[i], sorted[mid]->conf);
			if (c == 0) {
				lo = mid;
				break;
			}
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (lo < nold && svc_key_cmp(&nconf->services[i],
		    sorted[lo]->conf) == 0 &&
		    svc_conf_same(&nconf->services[i], sorted[lo]->conf)) {
			nsvc[i] = *sorted[lo];
			nsvc[i].conf = &nconf->services[i];
			/* rise/fall may have changed: keep counts in range */
			if (nsvc[i].ok_run > nsvc[i].conf->timing.rise)
				nsvc[i].ok_run = nsvc[i].conf->timing.rise;
			if (nsvc[i].fail_run > nsvc[i].conf->timing.fall)
				nsvc[i].fail_run = nsvc[i].conf->timing.fall;
			/* so may the configured weight, the cap */
			(void)svc_weight_update(&nsvc[i], nsvc[i].reported);
			kept++;
		}
	}
	free(sorted);
	return kept;
}
