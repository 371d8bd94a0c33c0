/*
 * offline.c - the modes that are not the daemon: --once (every check run
 * once, the ExaBGP commands of the result printed) and -n (check the
 * configuration).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "announce.h"
#include "conf.h"
#include "creds.h"
#include "ev.h"
#include "log.h"
#include "printconf.h"
#include "sched.h"

struct once {
	const struct bgpsd_conf	*conf;
	struct svc		*svcs;
	int			*seen;
};

static void
once_result_cb(size_t i, int ok, enum check_reason reason,
    const char *detail, uint64_t latency, void *arg)
{
	struct once	*o = arg;
	struct svc	*s = &o->svcs[i];

	/* rise/fall do not apply: one result decides */
	o->seen[i] = 1;
	s->state = ok ? SVC_UP : SVC_DOWN;
	s->last_latency = latency;
	if (!ok) {
		s->failed_once = 1;
		s->last_reason = reason;
		snprintf(s->last_detail, sizeof(s->last_detail), "%s",
		    detail != NULL ? detail : "");
	}
	(void)svc_drain_update(s, ev_monotonic(),
	    o->conf->announce.disable_file);
	s->healthy = s->state == SVC_UP && !s->drained;
}

int
announce_once(const char *path)
{
	struct bgpsd_conf	*conf;
	struct ev_loop		*loop;
	struct once		 o;
	struct route		*routes;
	struct ifaddr_set	*ia;
	struct route_want	 w;
	char			 err[1024], pbuf[PREFIX_STRLEN], *line;
	size_t			 i, j, n;
	int			 rc = 0;

	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if ((loop = ev_new()) == NULL)
		fatalx("cannot create the event loop");
	n = conf->nservices;
	o.conf = conf;
	o.svcs = xcalloc(n > 0 ? n : 1, sizeof(*o.svcs));
	o.seen = xcalloc(n > 0 ? n : 1, sizeof(*o.seen));
	for (i = 0; i < n; i++)
		svc_init(&o.svcs[i], &conf->services[i], ev_monotonic());
	if (sched_once(loop, conf, once_result_cb, &o) == -1) {
		rc = 2;
		goto out;
	}
	routes = xcalloc(conf->announce.nprefixes > 0 ?
	    conf->announce.nprefixes : 1, sizeof(*routes));
	for (i = 0; i < conf->announce.nprefixes; i++)
		route_init(&routes[i], conf, &conf->announce.prefixes[i]);
	for (i = 0; i < n; i++) {
		if (conf->services[i].nchecks == 0)
			continue;
		if (!o.seen[i] || o.svcs[i].state != SVC_UP) {
			rc = 1;
			log_info("service %s:%u is down: %s",
			    conf->services[i].name, conf->services[i].port,
			    o.seen[i] ? svc_reason(&o.svcs[i]) : "no result");
			continue;
		}
		if (!o.svcs[i].healthy) {
			log_info("service %s:%u is up but drained",
			    conf->services[i].name, conf->services[i].port);
			continue;
		}
		log_info("service %s:%u is up", conf->services[i].name,
		    conf->services[i].port);
		for (j = 0; j < conf->services[i].nprefixes; j++)
			(void)route_port_add(
			    &routes[conf->services[i].prefixes[j]],
			    conf->services[i].port);
	}
	ia = ifaddr_new(NULL, NULL, NULL);
	memset(&w, 0, sizeof(w));
	for (i = 0; i < conf->announce.nprefixes; i++) {
		routes[i].addr = announce_addr_of(ia, routes[i].pc);
		if (routes[i].addr == ROUTE_ADDR_ABSENT) {
			log_info("prefix %s: its address is not on an "
			    "interface of this host that is up: withdrawn",
			    prefix_fmt(&routes[i].pc->prefix, pbuf,
			    sizeof(pbuf)));
			if (rc == 0)
				rc = 1;
		}
		route_want_of(&w, &routes[i]);
		line = route_want_fmt(&w);
		printf("%s\n", line);
		free(line);
		route_clear(&routes[i]);
	}
	route_want_free(&w);
	free(routes);
	ifaddr_free(ia);
	if (fflush(stdout) == EOF)
		rc = 2;
out:
	free(o.svcs);
	free(o.seen);
	ev_free(loop);
	conf_free(conf);
	return rc;
}

int
announce_check(const char *path, int verbose)
{
	struct bgpsd_conf	*conf;
	struct creds		 c;
	char			 err[1024];

	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* the daemon would run with every exec check failing: say so now */
	if (creds_resolve(conf->user, NULL, 1, &c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:%d: %s\n", conf->user_file,
		    conf->user_line, err);
		conf_free(conf);
		return 1;
	}
	if (creds_resolve(NULL, conf->group, 0, &c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:%d: %s\n", conf->group_file,
		    conf->group_line, err);
		conf_free(conf);
		return 1;
	}
	if (verbose)
		conf_print(stdout, conf);
	else
		fprintf(stderr, "configuration OK\n");
	conf_free(conf);
	return fflush(stdout) == EOF ? 1 : 0;
}
