/*
 * report.c - bgpsd-listen's status file (JSON) and metrics file
 * (Prometheus text format), built from the table's own counters (no
 * template context is built for them) and written by statusfile.c when
 * something changed, at most once per status_interval.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "listen.h"
#include "log.h"
#include "statusfile.h"

#ifndef BGPSD_VERSION
#define BGPSD_VERSION	"unknown"
#endif

/*
 * The services of the status: the catalogue and every port with backends,
 * by port, each with its name (catalogue or "port_N") and its backends,
 * counted by the table itself: no template context is built for this.
 */
static json_t *
report_services(const struct listend *l)
{
	const struct service_conf *sc;
	json_t		*arr;
	char		 name[32];
	size_t		 n;
	unsigned	 port;

	arr = json_array();
	for (port = 1; port <= 65535; port++) {
		n = rib_port_backends(l->rib, (uint16_t)port);
		sc = conf_service_by_port(l->conf, (uint16_t)port);
		if (n == 0 && sc == NULL)
			continue;
		snprintf(name, sizeof(name), "port_%u", port);
		json_array_append_new(arr, json_pack("{s:s, s:i, s:I}", "name",
		    sc != NULL ? sc->name : name, "port", (int)port, "backends",
		    (json_int_t)n));
	}
	return arr;
}

static json_t *
report_peers(const struct listend *l)
{
	struct rib_peer_stat	*peers = NULL;
	json_t			*arr;
	char			 a[ADDR_STRLEN];
	size_t			 n, i;

	arr = json_array();
	n = rib_peers(l->rib, &peers);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, "
		    "s:f, s:I, s:b, s:I, s:s, s:b}", "address",
		    addr_fmt(&peers[i].addr, a, sizeof(a)), "state",
		    rib_peer_state_name(peers[i].state), "routes",
		    (json_int_t)peers[i].routes, "stale",
		    (json_int_t)peers[i].stale, "stale_time",
		    peers[i].stale_time, "refused",
		    (json_int_t)peers[i].refused, "accepted", peers[i].accepted,
		    "ignored", (json_int_t)peers[i].ignored, "ignored_reason",
		    rib_ignore_name(peers[i].ignore_reason), "eor",
		    peers[i].eor));
	free(peers);
	return arr;
}

static json_t *
report_render(const struct listend *l)
{
	const struct render_status *st;
	json_t		*o, *arr;
	double		 secs;
	size_t		 i, bytes;

	render_last(l->render, &secs, &bytes);
	o = json_object();
	json_object_set_new(o, "passes", json_integer((json_int_t)l->passes));
	json_object_set_new(o, "failed_passes",
	    json_integer((json_int_t)l->pass_failures));
	json_object_set_new(o, "last", l->last_pass ?
	    json_integer(l->last_pass) : json_null());
	json_object_set_new(o, "last_result", l->last_pass ?
	    json_string(l->last_failed ? "failed" : "ok") : json_null());
	json_object_set_new(o, "waiting_for_eor",
	    json_boolean(!l->first_done));
	/* the cost of making the texts of the last pass, not of writing */
	json_object_set_new(o, "last_seconds", json_real(secs));
	json_object_set_new(o, "last_bytes", json_integer((json_int_t)bytes));
	arr = json_array();
	for (i = 0; i < render_count(l->render); i++) {
		st = render_status(l->render, i);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I, s:I, s:b}", "source", st->source, "destination",
		    st->destination, "result", writer_result_name(st->result),
		    "detail", st->detail, "time", (json_int_t)st->when,
		    "bytes", (json_int_t)st->bytes,
		    "command_pending", st->command_pending));
	}
	json_object_set_new(o, "templates", arr);
	json_object_set_new(o, "last_command",
	    json_string(render_commands_result(l->render)));
	return o;
}

char *
report_status(void *arg)
{
	struct listend		*l = arg;
	struct recover_stats	 rs;
	json_t			*j, *o;
	char			*text, *out;
	size_t			 len;

	j = json_object();
	json_object_set_new(j, "version", json_string(BGPSD_VERSION));
	json_object_set_new(j, "pid", json_integer(getpid()));
	json_object_set_new(j, "time", json_integer((json_int_t)time(NULL)));
	json_object_set_new(j, "peers", report_peers(l));
	json_object_set_new(j, "routes",
	    json_integer((json_int_t)rib_nroutes(l->rib)));
	json_object_set_new(j, "routes_ignored",
	    json_integer((json_int_t)rib_nignored(l->rib)));
	json_object_set_new(j, "routes_stale",
	    json_integer((json_int_t)rib_nstale(l->rib)));
	json_object_set_new(j, "backends",
	    json_integer((json_int_t)rib_nbackends(l->rib)));
	json_object_set_new(j, "services", report_services(l));
	o = json_pack("{s:I, s:I, s:I}", "read", (json_int_t)l->in.nlines,
	    "malformed", (json_int_t)l->nbad,
	    "oversized", (json_int_t)l->in.noversized);
	json_object_set_new(j, "lines", o);
	json_object_set_new(j, "render", report_render(l));
	o = json_object();
	json_object_set_new(o, "last", l->last_reload ?
	    json_integer(l->last_reload) : json_null());
	json_object_set_new(o, "result", l->reload_result != NULL ?
	    json_string(l->reload_result) : json_null());
	json_object_set_new(j, "reload", o);
	recover_stats(l->rec, &rs);
	json_object_set_new(j, "recovery", json_pack("{s:s, s:s, s:I, s:I, "
	    "s:I, s:I, s:I}", "state", recover_state_name(rs.state), "detail",
	    rs.detail, "attempts", (json_int_t)rs.attempts, "peers",
	    (json_int_t)rs.peers, "routes", (json_int_t)rs.routes,
	    "superseded", (json_int_t)rs.superseded, "skipped",
	    (json_int_t)rs.skipped));
	if ((text = json_dumps(j, JSON_INDENT(2))) == NULL)
		fatalx("status: out of memory");
	json_decref(j);
	len = strlen(text);
	out = xmalloc(len + 2);
	memcpy(out, text, len);
	memcpy(out + len, "\n", 2);
	free(text);
	return out;
}

/* per peer: session up, routes, stale, ignored and why */
static void
report_metrics_peers(struct buf *b, const struct listend *l)
{
	struct rib_peer_stat	*peers = NULL;
	char			 a[ADDR_STRLEN];
	size_t			 n, i;

	n = rib_peers(l->rib, &peers);
	prom_head(b, "bgpsd_listen_peer_up", "gauge",
	    "1 if the BGP session is up");
	for (i = 0; i < n; i++)
		buf_printf(b, "bgpsd_listen_peer_up{peer=\"%s\"} %d\n",
		    addr_fmt(&peers[i].addr, a, sizeof(a)),
		    peers[i].state == RIB_PEER_UP);
	prom_head(b, "bgpsd_listen_peer_routes", "gauge",
	    "routes stored per peer");
	for (i = 0; i < n; i++)
		buf_printf(b, "bgpsd_listen_peer_routes{peer=\"%s\"} %zu\n",
		    addr_fmt(&peers[i].addr, a, sizeof(a)), peers[i].routes);
	prom_head(b, "bgpsd_listen_peer_routes_stale", "gauge",
	    "routes of a peer kept stale (session lost, stale_time running)");
	for (i = 0; i < n; i++)
		buf_printf(b, "bgpsd_listen_peer_routes_stale{peer=\"%s\"} "
		    "%zu\n", addr_fmt(&peers[i].addr, a, sizeof(a)),
		    peers[i].stale);
	prom_head(b, "bgpsd_listen_peer_routes_ignored", "gauge",
	    "routes stored per peer that the accept filters keep out");
	for (i = 0; i < n; i++)
		buf_printf(b, "bgpsd_listen_peer_routes_ignored{peer=\"%s\","
		    "reason=\"%s\"} %llu\n", addr_fmt(&peers[i].addr, a,
		    sizeof(a)), rib_ignore_name(peers[i].ignore_reason),
		    (unsigned long long)peers[i].ignored);
	free(peers);
}

/* backends per port of the catalogue or with backends, as the status */
static void
report_metrics_services(struct buf *b, const struct listend *l)
{
	const struct service_conf *sc;
	size_t		 n;
	unsigned	 port;

	prom_head(b, "bgpsd_listen_service_backends", "gauge",
	    "backends per service");
	for (port = 1; port <= 65535; port++) {
		n = rib_port_backends(l->rib, (uint16_t)port);
		sc = conf_service_by_port(l->conf, (uint16_t)port);
		if (n == 0 && sc == NULL)
			continue;
		if (sc != NULL)
			buf_printf(b, "bgpsd_listen_service_backends{service="
			    "\"%s\",port=\"%u\"} %zu\n", sc->name, port, n);
		else
			buf_printf(b, "bgpsd_listen_service_backends{service="
			    "\"port_%u\",port=\"%u\"} %zu\n", port, port, n);
	}
}

/* per template: was the last write of its file good */
static void
report_metrics_templates(struct buf *b, const struct listend *l)
{
	const struct render_status *st;
	size_t		 i;

	prom_head(b, "bgpsd_listen_template_ok", "gauge",
	    "1 if the last write of the file was good (written or unchanged)");
	for (i = 0; i < render_count(l->render); i++) {
		st = render_status(l->render, i);
		buf_printf(b, "bgpsd_listen_template_ok{destination=\"");
		prom_label(b, st->destination);
		buf_printf(b, "\"} %d\n", st->result == WRITER_WRITTEN ||
		    st->result == WRITER_UNCHANGED);
	}
}

char *
report_metrics(void *arg)
{
	struct listend		*l = arg;
	struct buf		 b = BUF_INIT;
	double			 secs;
	size_t			 bytes;

	report_metrics_peers(&b, l);
	report_metrics_services(&b, l);
	prom_head(&b, "bgpsd_listen_lines_total", "counter",
	    "lines read on stdin");
	buf_printf(&b, "bgpsd_listen_lines_total %llu\n",
	    (unsigned long long)l->in.nlines);
	prom_head(&b, "bgpsd_listen_lines_skipped_total", "counter",
	    "lines skipped");
	buf_printf(&b, "bgpsd_listen_lines_skipped_total{reason=\"malformed\"} "
	    "%llu\n", (unsigned long long)l->nbad);
	buf_printf(&b, "bgpsd_listen_lines_skipped_total{reason=\"oversized\"} "
	    "%llu\n", (unsigned long long)l->in.noversized);
	prom_head(&b, "bgpsd_listen_render_passes_total", "counter",
	    "render passes");
	buf_printf(&b, "bgpsd_listen_render_passes_total %llu\n",
	    (unsigned long long)l->passes);
	prom_head(&b, "bgpsd_listen_render_failed_passes_total", "counter",
	    "passes with a failed template or command");
	buf_printf(&b, "bgpsd_listen_render_failed_passes_total %llu\n",
	    (unsigned long long)l->pass_failures);
	prom_head(&b, "bgpsd_listen_last_render_seconds", "gauge",
	    "unix time of the last pass");
	buf_printf(&b, "bgpsd_listen_last_render_seconds %lld\n",
	    (long long)l->last_pass);
	render_last(l->render, &secs, &bytes);
	prom_head(&b, "bgpsd_listen_render_duration_seconds", "gauge",
	    "time to make every text of the last pass (writing not counted)");
	buf_printf(&b, "bgpsd_listen_render_duration_seconds %.6f\n", secs);
	prom_head(&b, "bgpsd_listen_render_bytes", "gauge",
	    "bytes of every text made by the last pass");
	buf_printf(&b, "bgpsd_listen_render_bytes %zu\n", bytes);
	prom_head(&b, "bgpsd_listen_backends", "gauge",
	    "(port, prefix) pairs in the table: backends of all services");
	buf_printf(&b, "bgpsd_listen_backends %zu\n", rib_nbackends(l->rib));
	prom_head(&b, "bgpsd_listen_table_recovered", "gauge",
	    "0 while the routes ExaBGP held at start are not known (nothing "
	    "is rendered)");
	buf_printf(&b, "bgpsd_listen_table_recovered %d\n",
	    recover_state(l->rec) == RECOVER_DONE ||
	    recover_state(l->rec) == RECOVER_OFF);
	report_metrics_templates(&b, l);
	return b.s;
}

/* something the status shows changed: written within status_interval */
void
report_touch(struct listend *l)
{
	if (!l->once)
		statusfile_touch(l->sf);
}
