/*
 * status.c - what bgpsd-announce knows, for humans and monitoring: a JSON
 * status file (jansson) and a Prometheus text file (node_exporter's
 * textfile collector), both replaced atomically so a reader never sees
 * half a file. main.c decides when (on changes, rate-limited).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "addr.h"
#include "announce.h"
#include "check.h"
#include "conf.h"
#include "buf.h"
#include "log.h"
#include "statusfile.h"

static void
status_iso8601(const struct timespec *ts, char *buf, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

static json_t *
status_service(const struct svc *s)
{
	char	 since[32];

	status_iso8601(&s->since_wall, since, sizeof(since));
	return json_pack("{s:s, s:i, s:s, s:b, s:b, s:b, s:s, s:i, s:b, s:b, "
	    "s:s, s:s?, s:f, s:I, s:I, s:I}",
	    "name", s->conf->name,
	    "port", (int)s->conf->port,
	    "state", svc_state_name(s->state),
	    "announced", s->healthy,
	    "drained", s->drained,
	    "draining", s->draining,
	    "port_state", svc_pub_name(svc_pub(s)),
	    "weight", s->weight,
	    "rising", svc_rising(s),
	    "falling", svc_falling(s),
	    "since", since,
	    "last_failure", s->failed_once ? svc_reason(s) : NULL,
	    "last_latency_seconds", (double)s->last_latency / 1e9,
	    "checks", (json_int_t)s->nchecks,
	    "failures", (json_int_t)s->nfailures,
	    "transitions", (json_int_t)s->ntransitions);
}

static json_t *
status_prefix(const struct status_view *v, size_t i)
{
	const struct route	*r = &v->routes[i];
	json_t			*o, *ports;
	const char		*cur = NULL;
	char			 pbuf[PREFIX_STRLEN];
	size_t			 j;
	int			 acked = 0;

	prefix_fmt(&r->pc->prefix, pbuf, sizeof(pbuf));
	ports = json_array();
	for (j = 0; j < r->nports; j++)
		json_array_append_new(ports, json_integer(r->ports[j].port));
	if (v->exabgp != NULL)
		(void)exabgp_current(v->exabgp, &r->pc->prefix, &acked,
		    &cur);
	/* "address": "absent" says why a prefix with ports is withdrawn */
	o = json_pack("{s:s, s:o, s:s, s:s?, s:b}",
	    "prefix", pbuf,
	    "ports", ports,
	    "address", route_addr_name(r->addr),
	    "line", cur,
	    "acked", acked);
	return o;
}

char *
status_json(const struct status_view *v)
{
	json_t			*root, *svcs, *pfx, *x;
	struct exabgp_stats	 st;
	struct timespec		 now, started;
	char			 nowbuf[32], startbuf[32], *text;
	size_t			 i;

	clock_gettime(CLOCK_REALTIME, &now);
	started.tv_sec = v->started;
	started.tv_nsec = 0;
	status_iso8601(&now, nowbuf, sizeof(nowbuf));
	status_iso8601(&started, startbuf, sizeof(startbuf));
	svcs = json_array();
	pfx = json_array();
	if (v->conf != NULL) {
		for (i = 0; i < v->conf->nservices; i++)
			if (v->svcs[i].conf->nchecks > 0)
				json_array_append_new(svcs,
				    status_service(&v->svcs[i]));
		for (i = 0; i < v->conf->announce.nprefixes; i++)
			json_array_append_new(pfx, status_prefix(v, i));
	}
	memset(&st, 0, sizeof(st));
	if (v->exabgp != NULL)
		exabgp_get_stats(v->exabgp, &st);
	x = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "lines", (json_int_t)st.lines,
	    "done", (json_int_t)st.done,
	    "errors", (json_int_t)st.errors,
	    "ack_timeouts", (json_int_t)st.timeouts,
	    "acks_pending", (json_int_t)st.inflight,
	    "neighbor_lines", (json_int_t)st.neighbor,
	    "ignored_lines", (json_int_t)st.unknown);
	root = json_pack("{s:s, s:s, s:i, s:s, s:s, s:{s:b, s:s?, s:I, s:I}, "
	    "s:o, s:o, s:o}",
	    "program", "bgpsd-announce",
	    "version", BGPSD_VERSION,
	    "pid", (int)getpid(),
	    "started", startbuf,
	    "updated", nowbuf,
	    "config",
	    "ok", v->conf != NULL,
	    "error", v->conf == NULL ? v->conf_error : NULL,
	    "reloads", (json_int_t)v->reloads,
	    "reload_failures", (json_int_t)v->reload_failures,
	    "exabgp", x,
	    "services", svcs,
	    "prefixes", pfx);
	if (root == NULL) {
		log_warnx("status: cannot build the JSON document");
		return NULL;
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(6));
	json_decref(root);
	if (text == NULL)
		log_warnx("status: cannot encode the JSON document");
	return text;
}

/*
 * Service names are [A-Za-z0-9_.-] (conf.c), so label values need no
 * escaping; refuse anything else rather than write a broken file.
 */
static int
status_label_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '"' || *s == '\\' || *s == '\n')
			return 0;
	return 1;
}

/* one family per service figure, each listing the services that have checks */
static void
status_metrics_services(struct buf *b, const struct status_view *v)
{
	const struct svc	*s;
	size_t			 i, k, n = 0;
	static const struct {
		const char	*name;
		const char	*type;
		const char	*help;
	} per_svc[] = {
		{ "bgpsd_service_up", "gauge",
		    "1 if the service passed rise checks and did not fall" },
		{ "bgpsd_service_announced", "gauge",
		    "1 if the service's port is in the routes (up and not drained, "
		    "or draining)" },
		{ "bgpsd_service_drained", "gauge",
		    "1 while a disable_file of the service exists" },
		{ "bgpsd_service_draining", "gauge",
		    "1 while the port is announced marked draining" },
		{ "bgpsd_service_weight", "gauge",
		    "the weight announced with the port" },
		{ "bgpsd_check_latency_seconds", "gauge",
		    "latency of the last check run of the service" },
		{ "bgpsd_service_checks_total", "counter",
		    "check runs of the service" },
		{ "bgpsd_service_failures_total", "counter",
		    "failed check runs of the service" },
		{ "bgpsd_service_transitions_total", "counter",
		    "state changes of the service" },
	};

	if (v->conf != NULL)
		n = v->conf->nservices;
	for (k = 0; k < sizeof(per_svc) / sizeof(per_svc[0]); k++) {
		prom_head(b, per_svc[k].name, per_svc[k].type,
		    per_svc[k].help);
		for (i = 0; i < n; i++) {
			s = &v->svcs[i];
			if (s->conf->nchecks == 0 ||
			    !status_label_ok(s->conf->name))
				continue;
			buf_printf(b, "%s{service=\"%s\",port=\"%u\"} ",
			    per_svc[k].name, s->conf->name,
			    (unsigned)s->conf->port);
			switch (k) {
			case 0:
				buf_printf(b, "%d\n", s->state == SVC_UP);
				break;
			case 1:
				buf_printf(b, "%d\n", s->healthy);
				break;
			case 2:
				buf_printf(b, "%d\n", s->drained);
				break;
			case 3:
				buf_printf(b, "%d\n", s->draining);
				break;
			case 4:
				buf_printf(b, "%d\n", s->weight);
				break;
			case 5:
				buf_printf(b, "%.6f\n",
				    (double)s->last_latency / 1e9);
				break;
			case 6:
				buf_printf(b, "%" PRIu64 "\n", s->nchecks);
				break;
			case 7:
				buf_printf(b, "%" PRIu64 "\n", s->nfailures);
				break;
			default:
				buf_printf(b, "%" PRIu64 "\n", s->ntransitions);
				break;
			}
		}
	}
}

/* the routes: ports carried, address present, announced, per prefix */
static void
status_metrics_prefixes(struct buf *b, const struct status_view *v)
{
	char		 pbuf[PREFIX_STRLEN];
	const struct route_want *cur;
	size_t		 i;
	int		 acked;

	prom_head(b, "bgpsd_prefix_ports", "gauge",
	    "healthy ports carried by the route of the prefix");
	for (i = 0; v->conf != NULL && i < v->conf->announce.nprefixes; i++) {
		prefix_fmt(&v->routes[i].pc->prefix, pbuf, sizeof(pbuf));
		buf_printf(b, "bgpsd_prefix_ports{prefix=\"%s\"} %zu\n", pbuf,
		    v->routes[i].nports);
	}
	prom_head(b, "bgpsd_prefix_address_present", "gauge",
	    "1 if the address of the prefix is on an up interface of this "
	    "host (prefixes with require_address only)");
	for (i = 0; v->conf != NULL && i < v->conf->announce.nprefixes; i++) {
		if (v->routes[i].addr == ROUTE_ADDR_UNCHECKED)
			continue;
		prefix_fmt(&v->routes[i].pc->prefix, pbuf, sizeof(pbuf));
		buf_printf(b, "bgpsd_prefix_address_present{prefix=\"%s\"} "
		    "%d\n", pbuf, v->routes[i].addr == ROUTE_ADDR_PRESENT);
	}
	prom_head(b, "bgpsd_prefix_announced", "gauge",
	    "1 if the last line written for the prefix is an announce");
	for (i = 0; v->conf != NULL && i < v->conf->announce.nprefixes; i++) {
		prefix_fmt(&v->routes[i].pc->prefix, pbuf, sizeof(pbuf));
		cur = v->exabgp == NULL ? NULL : exabgp_current(v->exabgp,
		    &v->routes[i].pc->prefix, &acked, NULL);
		buf_printf(b, "bgpsd_prefix_announced{prefix=\"%s\"} %d\n",
		    pbuf, cur != NULL && cur->announce);
	}
}

/* what went to ExaBGP and what it answered */
static void
status_metrics_exabgp(struct buf *b, const struct status_view *v)
{
	struct exabgp_stats	 st;

	memset(&st, 0, sizeof(st));
	if (v->exabgp != NULL)
		exabgp_get_stats(v->exabgp, &st);
	prom_head(b, "bgpsd_announce_lines_total", "counter",
	    "lines written to ExaBGP");
	buf_printf(b, "bgpsd_announce_lines_total %" PRIu64 "\n", st.lines);
	prom_head(b, "bgpsd_acks_total", "counter",
	    "answers read from ExaBGP");
	buf_printf(b, "bgpsd_acks_total{answer=\"done\"} %" PRIu64 "\n",
	    st.done);
	buf_printf(b, "bgpsd_acks_total{answer=\"error\"} %" PRIu64 "\n",
	    st.errors);
	prom_head(b, "bgpsd_ack_timeouts_total", "counter",
	    "lines not answered within ack_timeout (late or never)");
	buf_printf(b, "bgpsd_ack_timeouts_total %" PRIu64 "\n", st.timeouts);
	prom_head(b, "bgpsd_acks_pending", "gauge",
	    "lines written and not answered yet");
	buf_printf(b, "bgpsd_acks_pending %zu\n", st.inflight);
}

char *
status_metrics(const struct status_view *v)
{
	struct buf	 b;

	memset(&b, 0, sizeof(b));
	b.cap = 4096;
	b.s = xmalloc(b.cap);
	b.s[0] = '\0';
	status_metrics_services(&b, v);
	status_metrics_prefixes(&b, v);
	status_metrics_exabgp(&b, v);
	prom_head(&b, "bgpsd_config_ok", "gauge",
	    "1 if a valid configuration is running");
	buf_printf(&b, "bgpsd_config_ok %d\n", v->conf != NULL);
	prom_head(&b, "bgpsd_reloads_total", "counter",
	    "configuration reloads by result");
	buf_printf(&b, "bgpsd_reloads_total{result=\"ok\"} %" PRIu64 "\n",
	    v->reloads);
	buf_printf(&b, "bgpsd_reloads_total{result=\"failed\"} %" PRIu64 "\n",
	    v->reload_failures);
	prom_head(&b, "bgpsd_start_time_seconds", "gauge",
	    "start time of the process since the epoch");
	buf_printf(&b, "bgpsd_start_time_seconds %lld\n",
	    (long long)v->started);
	return b.s;
}
