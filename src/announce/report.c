/*
 * report.c - bgpsd-announce's status file (JSON) and metrics file
 * (Prometheus text format): the statusfile callbacks that show them the
 * announcer's state (status.c formats it), and the touch that has them
 * written after a change, at most once per status_interval.
 */
#include <string.h>

#include "announce.h"
#include "statusfile.h"

static void
announce_status_view(struct announcer *a, struct status_view *v)
{
	memset(v, 0, sizeof(*v));
	v->conf = a->conf;
	v->svcs = a->svcs;
	v->routes = a->routes;
	v->exabgp = a->x;
	v->conf_error = a->conf_error;
	v->started = a->started;
	v->reloads = a->reloads;
	v->reload_failures = a->reload_failures;
}

char *
announce_status_json_cb(void *arg)
{
	struct status_view	 v;

	announce_status_view(arg, &v);
	return v.conf != NULL ? status_json(&v) : NULL;
}

char *
announce_status_metrics_cb(void *arg)
{
	struct status_view	 v;

	announce_status_view(arg, &v);
	return v.conf != NULL ? status_metrics(&v) : NULL;
}

/* a change or new counters: the files follow within status_interval */
void
announce_status_touch(struct announcer *a)
{
	if (!a->quitting)
		statusfile_touch(a->sf);
}

void
announce_exabgp_notify(void *arg)
{
	announce_status_touch(arg);
}
