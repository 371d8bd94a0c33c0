/*
 * reload.c - the configuration at start and on SIGHUP: a new one takes
 * the place of the running one whole, or not at all; without any valid
 * one the announcer announces nothing and says so every minute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "announce.h"
#include "conf.h"
#include "ev.h"
#include "log.h"
#include "sched.h"
#include "statusfile.h"

/*
 * Switch to nconf: carry the state of unchanged services over, rebuild
 * the routes, hand every prefix's line to the exabgp layer (which writes
 * nothing for a line that did not change), withdraw prefixes that left
 * the config. On failure nconf is freed and the old config stays.
 */
int
announce_apply(struct announcer *a, struct bgpsd_conf *nconf)
{
	struct svc		*nsvcs;
	struct route		*nroutes;
	struct sched		*nsched;
	uint64_t		 now = ev_monotonic();
	size_t			 i, j, kept, nold = 0;
	struct route_want	 w;

	nsched = sched_new(a->loop, nconf, announce_result_cb,
	    announce_interval_cb, a);
	if (nsched == NULL) {
		snprintf(a->conf_error, sizeof(a->conf_error),
		    "%s: the checks cannot be set up", nconf->path);
		conf_free(nconf);
		return -1;
	}
	if (a->sched != NULL)
		sched_free(a->sched);	/* before the old conf goes */
	a->sched = nsched;

	nsvcs = xcalloc(nconf->nservices > 0 ? nconf->nservices : 1,
	    sizeof(*nsvcs));
	if (a->conf != NULL)
		nold = a->conf->nservices;
	kept = svc_reload(nsvcs, nconf, a->svcs, nold, now);
	for (i = 0; i < nconf->nservices; i++)
		(void)svc_drain_update(&nsvcs[i], now,
		    nconf->announce.disable_file);
	nroutes = xcalloc(nconf->announce.nprefixes > 0 ?
	    nconf->announce.nprefixes : 1, sizeof(*nroutes));
	for (i = 0; i < nconf->announce.nprefixes; i++) {
		route_init(&nroutes[i], nconf, &nconf->announce.prefixes[i]);
		nroutes[i].addr = announce_addr_of(a->ifaddr, nroutes[i].pc);
	}
	advert_set(a->adv, nconf, nsvcs, nroutes);

	/* prefixes gone from the config are withdrawn (w: own copies) */
	if (a->conf != NULL && a->x != NULL) {
		memset(&w, 0, sizeof(w));
		for (i = 0; i < a->conf->announce.nprefixes; i++) {
			for (j = 0; j < nconf->announce.nprefixes; j++)
				if (prefix_cmp(&a->routes[i].pc->prefix,
				    &nconf->announce.prefixes[j].prefix) == 0)
					break;
			if (j < nconf->announce.nprefixes)
				continue;
			route_want_of(&w, &a->routes[i]);
			route_want_withdraw(&w);
			exabgp_set(a->x, &w);
		}
		route_want_free(&w);
	}
	if (a->routes != NULL && a->conf != NULL) {
		for (i = 0; i < a->conf->announce.nprefixes; i++)
			route_clear(&a->routes[i]);
		free(a->routes);
	}
	free(a->svcs);
	conf_free(a->conf);
	a->conf = nconf;
	a->svcs = nsvcs;
	a->routes = nroutes;
	a->conf_error[0] = '\0';
	ev_timer_stop(a->loop, &a->nag_timer);
	statusfile_set(a->sf, nconf->announce.status_file,
	    nconf->announce.metrics_file, nconf->announce.status_interval);
	for (i = 0; i < nconf->announce.nprefixes; i++)
		if (nroutes[i].addr == ROUTE_ADDR_ABSENT)
			announce_addr_absent_log(&nroutes[i], "");

	if (a->x != NULL) {
		exabgp_configure(a->x, nconf->announce.ack,
		    (uint64_t)(nconf->announce.batch * EV_NSEC),
		    (uint64_t)(nconf->announce.ack_timeout * EV_NSEC));
		for (i = 0; i < nconf->announce.nprefixes; i++)
			announce_push(i, a);
	}
	log_info("config %s: %zu services (%zu kept their state), "
	    "%zu prefixes", nconf->path, nconf->nservices, kept,
	    nconf->announce.nprefixes);
	sched_start(a->sched);
	announce_status_touch(a);
	return 0;
}

void
announce_nag_cb(void *arg)
{
	struct announcer	*a = arg;

	log_warnx("NO VALID CONFIGURATION: %s; announcing nothing until a "
	    "SIGHUP brings a valid one", a->conf_error);
	ev_timer_after(a->loop, &a->nag_timer, ANNOUNCE_NAG_INTERVAL);
}

void
announce_reload(struct announcer *a)
{
	struct bgpsd_conf	*nconf;
	char			 err[1024];

	if (a->bad_argv) {
		log_warnx("SIGHUP: a bad command line cannot be reloaded; "
		    "fix the process's run line in ExaBGP's configuration");
		return;
	}
	log_info("reloading %s", a->conf_path);
	if ((nconf = conf_load(a->conf_path, err, sizeof(err))) == NULL) {
		a->reload_failures++;
		if (a->conf != NULL) {
			log_warnx("reload failed, keeping the running "
			    "config: %s", err);
			announce_status_touch(a);
		} else {
			snprintf(a->conf_error, sizeof(a->conf_error), "%s",
			    err);
			announce_nag_cb(a);
		}
		return;
	}
	if (announce_apply(a, nconf) == -1) {
		a->reload_failures++;
		log_warnx("reload failed: %s", a->conf_error);
		if (a->conf != NULL)
			a->conf_error[0] = '\0';
		else
			announce_nag_cb(a);
		return;
	}
	a->reloads++;
}
