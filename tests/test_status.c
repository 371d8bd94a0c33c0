/*
 * test_status.c - the status file (JSON) and the metrics file (Prometheus
 * text format) of bgpsd-announce, rendered from a small live state: one
 * service up, one down with a failure, one catalogue entry, an IPv4
 * prefix announced (and acked by a fake ExaBGP over pipes) and an IPv6
 * prefix withdrawn. Writing the files is statusfile.c's (test_statusfile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <regex.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <jansson.h>

#include "addr.h"
#include "announce.h"
#include "check.h"
#include "conf.h"
#include "ev.h"
#include "testlib.h"

#define NSVC	3
#define NPFX	2

struct fx {
	struct bgpsd_conf	 conf;
	struct service_conf	 sc[NSVC];
	struct check_conf	 cc[NSVC];
	struct prefix_conf	 pc[NPFX];
	size_t			 pidx[NPFX];
	struct svc		 svcs[NSVC];
	struct route		 routes[NPFX];
	struct ev_loop		*loop;
	struct exabgp		*x;
	int			 to_us[2];	/* "ExaBGP" -> daemon */
	int			 from_us[2];	/* daemon -> "ExaBGP" */
	struct route_want	 want4;		/* announce of prefix 0 */
	struct route_want	 want6;		/* withdraw of prefix 1 */
	struct status_view	 v;
	time_t			 before;	/* wall clock around setup */
	time_t			 after;
	char			 dir[64];
};

static void
gone_cb(enum exabgp_gone why, void *arg)
{
	(void)why;
	(void)arg;
	fail_msg("ExaBGP gone in a status test");
}

static void
fx_service(struct fx *f, size_t i, const char *name, uint16_t port,
    size_t nchecks)
{
	struct service_conf	*sc = &f->sc[i];
	struct check_conf	*cc = &f->cc[i];

	sc->name = (char *)name;
	sc->port = port;
	sc->line = (int)i + 1;
	sc->timing.interval = 2;
	sc->timing.fast_interval = 0.5;
	sc->timing.timeout = 1;
	sc->timing.rise = 1;
	sc->timing.fall = 1;
	cc->type = CHECK_TCP;
	cc->timeout = 1;
	cc->port = port;
	assert_int_equal(addr_parse("127.0.0.1", &cc->host), 0);
	sc->checks = nchecks > 0 ? cc : NULL;
	sc->nchecks = nchecks;
	sc->prefixes = f->pidx;
	sc->nprefixes = NPFX;
}

/* run the loop a little, draining what the daemon wrote */
static void
fx_pump(struct fx *f, unsigned ms)
{
	uint64_t	 end = ev_monotonic() + ms * EV_MSEC;
	char		 buf[4096];

	while (ev_monotonic() < end) {
		ev_run_once(f->loop, 2 * (int64_t)EV_MSEC);
		while (read(f->from_us[0], buf, sizeof(buf)) > 0)
			;
	}
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	size_t		 i;

	assert_non_null(f);
	f->before = time(NULL);
	f->conf.asn = 12345;
	assert_int_equal(prefix_parse("192.0.2.10/32", &f->pc[0].prefix, 0),
	    0);
	assert_int_equal(prefix_parse("2001:db8::10/128", &f->pc[1].prefix,
	    0), 0);
	for (i = 0; i < NPFX; i++) {
		f->pc[i].next_hop = (char *)"self";
		f->pc[i].attr.med = -1;
		f->pc[i].attr.local_pref = -1;
		f->pc[i].line = (int)i + 1;
		f->pc[i].listed = 1;
		f->pidx[i] = i;
		route_init(&f->routes[i], &f->conf, &f->pc[i]);
	}
	f->conf.announce.present = 1;
	f->conf.announce.prefixes = f->pc;
	f->conf.announce.nprefixes = NPFX;
	fx_service(f, 0, "web", 80, 1);
	fx_service(f, 1, "dns", 53, 1);
	fx_service(f, 2, "catalog", 8080, 0);	/* catalogue entry only */
	f->conf.services = f->sc;
	f->conf.nservices = NSVC;

	/* web: up after one success (rise 1), 1.5 ms */
	for (i = 0; i < NSVC; i++)
		svc_init(&f->svcs[i], &f->sc[i], 0);
	assert_int_equal(svc_result(&f->svcs[0], 1, CHECK_OK, "", 1500000,
	    EV_NSEC, NULL), 1);
	/* dns: down at the first failure, 250 ms */
	svc_result(&f->svcs[1], 0, CHECK_TCP_REFUSED,
	    "tcp: connection refused", 250000000, EV_NSEC, NULL);
	assert_int_equal(f->svcs[1].state, SVC_DOWN);
	/* the route follows the healthy service */
	assert_int_equal(route_port_add(&f->routes[0], 80), 1);

	/* ExaBGP over pipes: both lines written, only the first acked */
	if (pipe(f->to_us) == -1 || pipe(f->from_us) == -1)
		return -1;
	fcntl(f->from_us[0], F_SETFL, O_NONBLOCK);
	assert_non_null(f->loop = ev_new());
	assert_non_null(f->x = exabgp_new(f->loop, f->to_us[0],
	    f->from_us[1], gone_cb, f));
	exabgp_configure(f->x, 1, 0, 60 * EV_NSEC);
	route_want_of(&f->want4, &f->routes[0]);
	route_want_of(&f->want6, &f->routes[1]);
	exabgp_set(f->x, &f->want4);
	exabgp_set(f->x, &f->want6);
	exabgp_flush(f->x);
	fx_pump(f, 10);
	assert_int_equal(write(f->to_us[1], "done\n", 5), 5);
	fx_pump(f, 10);

	f->v.conf = &f->conf;
	f->v.svcs = f->svcs;
	f->v.routes = f->routes;
	f->v.exabgp = f->x;
	f->v.started = 1700000000;
	f->v.reloads = 2;
	f->v.reload_failures = 1;
	f->after = time(NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;
	size_t		 i;

	exabgp_free(f->x);
	ev_free(f->loop);
	close(f->to_us[0]);
	close(f->to_us[1]);
	close(f->from_us[0]);
	close(f->from_us[1]);
	for (i = 0; i < NPFX; i++)
		route_clear(&f->routes[i]);
	route_want_free(&f->want4);
	route_want_free(&f->want6);
	free(f);
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) to seconds since the epoch; -1 if not */
static time_t
iso_parse(const char *s)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 20 || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ",
	    &tm)) == NULL || *end != '\0')
		return -1;
	return timegm(&tm);
}

static json_t *
json_by_name(json_t *arr, const char *key, const char *name)
{
	size_t	 i;
	json_t	*o;

	json_array_foreach(arr, i, o) {
		if (json_is_string(json_object_get(o, key)) &&
		    strcmp(json_string_value(json_object_get(o, key)),
		    name) == 0)
			return o;
	}
	return NULL;
}

static json_t *
parse_status(const struct status_view *v)
{
	char		*text;
	json_t		*root;
	json_error_t	 jerr;

	assert_non_null(text = status_json(v));
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		fail_msg("status JSON does not parse: %s at %d:%d",
		    jerr.text, jerr.line, jerr.column);
	free(text);
	assert_true(json_is_object(root));
	return root;
}

static void
test_json_services(void **state)
{
	struct fx	*f = *state;
	json_t		*root, *svcs, *web, *dns;
	time_t		 t;

	root = parse_status(&f->v);
	assert_string_equal(json_string_value(json_object_get(root,
	    "program")), "bgpsd-announce");
	assert_int_equal(json_integer_value(json_object_get(root, "pid")),
	    getpid());
	assert_string_equal(json_string_value(json_object_get(root,
	    "started")), "2023-11-14T22:13:20Z");
	t = iso_parse(json_string_value(json_object_get(root, "updated")));
	assert_true(t >= f->before && t <= time(NULL));

	svcs = json_object_get(root, "services");
	assert_true(json_is_array(svcs));
	/* the catalogue entry has no checks: no state to report */
	assert_int_equal(json_array_size(svcs), 2);
	assert_null(json_by_name(svcs, "name", "catalog"));

	assert_non_null(web = json_by_name(svcs, "name", "web"));
	assert_int_equal(json_integer_value(json_object_get(web, "port")), 80);
	assert_string_equal(json_string_value(json_object_get(web, "state")),
	    "up");
	assert_true(json_is_true(json_object_get(web, "announced")));
	assert_true(json_is_false(json_object_get(web, "drained")));
	assert_true(json_is_false(json_object_get(web, "draining")));
	assert_string_equal(json_string_value(json_object_get(web,
	    "port_state")), "up");
	assert_int_equal(json_integer_value(json_object_get(web, "weight")),
	    100);
	assert_true(json_is_false(json_object_get(web, "rising")));
	assert_true(json_is_false(json_object_get(web, "falling")));
	/* never failed: null, present */
	assert_true(json_is_null(json_object_get(web, "last_failure")));
	assert_true(json_is_real(json_object_get(web,
	    "last_latency_seconds")));
	assert_float_equal(json_real_value(json_object_get(web,
	    "last_latency_seconds")), 0.0015, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(web, "checks")),
	    1);
	assert_int_equal(json_integer_value(json_object_get(web,
	    "failures")), 0);
	assert_int_equal(json_integer_value(json_object_get(web,
	    "transitions")), 1);
	t = iso_parse(json_string_value(json_object_get(web, "since")));
	assert_true(t >= f->before && t <= f->after);

	assert_non_null(dns = json_by_name(svcs, "name", "dns"));
	assert_int_equal(json_integer_value(json_object_get(dns, "port")), 53);
	assert_string_equal(json_string_value(json_object_get(dns, "state")),
	    "down");
	assert_true(json_is_false(json_object_get(dns, "announced")));
	assert_string_equal(json_string_value(json_object_get(dns,
	    "port_state")), "down");
	assert_string_equal(json_string_value(json_object_get(dns,
	    "last_failure")), "tcp: connection refused");
	assert_float_equal(json_real_value(json_object_get(dns,
	    "last_latency_seconds")), 0.25, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(dns,
	    "failures")), 1);
	json_decref(root);

	/* since is UTC, exactly, whatever the time zone */
	f->svcs[1].since_wall.tv_sec = 1700000000;
	f->svcs[1].since_wall.tv_nsec = 999999999;
	setenv("TZ", "America/New_York", 1);
	tzset();
	root = parse_status(&f->v);
	unsetenv("TZ");
	tzset();
	dns = json_by_name(json_object_get(root, "services"), "name", "dns");
	assert_non_null(dns);
	assert_string_equal(json_string_value(json_object_get(dns, "since")),
	    "2023-11-14T22:13:20Z");
	json_decref(root);
}

static void
test_json_prefixes(void **state)
{
	struct fx	*f = *state;
	json_t		*root, *pfx, *p4, *p6, *cfg, *x;

	root = parse_status(&f->v);
	pfx = json_object_get(root, "prefixes");
	assert_int_equal(json_array_size(pfx), 2);

	assert_non_null(p4 = json_by_name(pfx, "prefix", "192.0.2.10/32"));
	assert_int_equal(json_array_size(json_object_get(p4, "ports")), 1);
	assert_int_equal(json_integer_value(json_array_get(
	    json_object_get(p4, "ports"), 0)), 80);
	assert_string_equal(json_string_value(json_object_get(p4, "line")),
	    "announce route 192.0.2.10/32 next-hop self community "
	    "[12345:80]");
	assert_true(json_is_true(json_object_get(p4, "acked")));
	assert_string_equal(json_string_value(json_object_get(p4,
	    "address")), "unchecked");

	assert_non_null(p6 = json_by_name(pfx, "prefix", "2001:db8::10/128"));
	assert_int_equal(json_array_size(json_object_get(p6, "ports")), 0);
	assert_string_equal(json_string_value(json_object_get(p6, "line")),
	    "withdraw route 2001:db8::10/128 next-hop self");
	assert_true(json_is_false(json_object_get(p6, "acked")));

	cfg = json_object_get(root, "config");
	assert_true(json_is_true(json_object_get(cfg, "ok")));
	assert_true(json_is_null(json_object_get(cfg, "error")));
	assert_int_equal(json_integer_value(json_object_get(cfg, "reloads")),
	    2);
	assert_int_equal(json_integer_value(json_object_get(cfg,
	    "reload_failures")), 1);

	x = json_object_get(root, "exabgp");
	assert_int_equal(json_integer_value(json_object_get(x, "lines")), 2);
	assert_int_equal(json_integer_value(json_object_get(x, "done")), 1);
	assert_int_equal(json_integer_value(json_object_get(x, "errors")), 0);
	assert_int_equal(json_integer_value(json_object_get(x,
	    "acks_pending")), 1);
	json_decref(root);

	/* without ExaBGP nothing was written: line null, not acked */
	f->v.exabgp = NULL;
	root = parse_status(&f->v);
	p4 = json_by_name(json_object_get(root, "prefixes"), "prefix",
	    "192.0.2.10/32");
	assert_non_null(p4);
	assert_true(json_is_null(json_object_get(p4, "line")));
	assert_true(json_is_false(json_object_get(p4, "acked")));
	assert_int_equal(json_integer_value(json_object_get(
	    json_object_get(root, "exabgp"), "lines")), 0);
	json_decref(root);

	/* require_address: the status says why a prefix with ports is out */
	f->routes[0].addr = ROUTE_ADDR_ABSENT;
	f->routes[1].addr = ROUTE_ADDR_PRESENT;
	root = parse_status(&f->v);
	pfx = json_object_get(root, "prefixes");
	p4 = json_by_name(pfx, "prefix", "192.0.2.10/32");
	p6 = json_by_name(pfx, "prefix", "2001:db8::10/128");
	assert_string_equal(json_string_value(json_object_get(p4,
	    "address")), "absent");
	assert_int_equal(json_array_size(json_object_get(p4, "ports")), 1);
	assert_string_equal(json_string_value(json_object_get(p6,
	    "address")), "present");
	json_decref(root);
}

static void
test_json_no_config(void **state)
{
	struct fx		*f = *state;
	struct status_view	 v;
	json_t			*root, *cfg;

	memset(&v, 0, sizeof(v));
	v.conf_error = "bgpsd.conf:7: \"port\" out of range";
	v.reload_failures = 3;
	root = parse_status(&v);
	cfg = json_object_get(root, "config");
	assert_true(json_is_false(json_object_get(cfg, "ok")));
	assert_string_equal(json_string_value(json_object_get(cfg, "error")),
	    "bgpsd.conf:7: \"port\" out of range");
	assert_int_equal(json_array_size(json_object_get(root, "services")),
	    0);
	assert_int_equal(json_array_size(json_object_get(root, "prefixes")),
	    0);
	json_decref(root);
	(void)f;
}

/*
 * Check the Prometheus text format line by line: every sample is
 * "name{label="value",...} value" or "name value"; every metric has
 * HELP then TYPE before its first sample, once; the samples of a metric
 * are together; counters end in _total. Returns the number of samples.
 */
static size_t
prom_check(const char *text)
{
	regex_t		 rs, rh, rt;
	regmatch_t	 m[2];
	char		*copy, *line, *save, *end, name[128], cur[128];
	char		 typed[64][128];
	size_t		 ntyped = 0, nsamples = 0, i, n;
	int		 helped = 0;

	assert_int_equal(regcomp(&rs, "^([a-zA-Z_:][a-zA-Z0-9_:]*)"
	    "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\"\\\\n])*\""
	    "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\"\\\\n])*\")*\\})?"
	    " ([^ ]+)$", REG_EXTENDED), 0);
	assert_int_equal(regcomp(&rh, "^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) "
	    "[^\n]+$", REG_EXTENDED), 0);
	assert_int_equal(regcomp(&rt, "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) "
	    "(counter|gauge|histogram|summary|untyped)$", REG_EXTENDED), 0);
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	assert_non_null(copy = strdup(text));
	cur[0] = '\0';
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (regexec(&rh, line, 2, m, 0) == 0) {
			n = (size_t)(m[1].rm_eo - m[1].rm_so);
			snprintf(name, sizeof(name), "%.*s", (int)n,
			    line + m[1].rm_so);
			for (i = 0; i < ntyped; i++)
				if (strcmp(typed[i], name) == 0)
					fail_msg("HELP again for %s", name);
			snprintf(cur, sizeof(cur), "%s", name);
			helped = 1;
			continue;
		}
		if (regexec(&rt, line, 2, m, 0) == 0) {
			n = (size_t)(m[1].rm_eo - m[1].rm_so);
			snprintf(name, sizeof(name), "%.*s", (int)n,
			    line + m[1].rm_so);
			if (!helped || strcmp(name, cur) != 0)
				fail_msg("TYPE without HELP: %s", line);
			for (i = 0; i < ntyped; i++)
				if (strcmp(typed[i], name) == 0)
					fail_msg("TYPE again for %s", name);
			assert_true(ntyped < 64);
			snprintf(typed[ntyped++], sizeof(typed[0]), "%s",
			    name);
			if (strstr(line, " counter") != NULL &&
			    (strlen(name) < 6 || strcmp(name + strlen(name) -
			    6, "_total") != 0))
				fail_msg("counter not named _total: %s", name);
			helped = 0;
			continue;
		}
		if (line[0] == '#')
			fail_msg("bad comment line: %s", line);
		if (regexec(&rs, line, 2, m, 0) != 0)
			fail_msg("not a sample line: %s", line);
		n = (size_t)(m[1].rm_eo - m[1].rm_so);
		snprintf(name, sizeof(name), "%.*s", (int)n, line + m[1].rm_so);
		/* the sample belongs to the metric typed last */
		if (ntyped == 0 || strcmp(typed[ntyped - 1], name) != 0)
			fail_msg("sample of %s outside its block", name);
		strtod(strrchr(line, ' ') + 1, &end);
		if (*end != '\0')
			fail_msg("value not a number: %s", line);
		nsamples++;
	}
	free(copy);
	regfree(&rs);
	regfree(&rh);
	regfree(&rt);
	return nsamples;
}

static int
has_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

static void
test_metrics(void **state)
{
	struct fx	*f = *state;
	char		*m;
	size_t		 n;

	assert_non_null(m = status_metrics(&f->v));
	n = prom_check(m);
	/* 9 per-service metrics x 2 services, 2 x 2 prefixes, 9 globals */
	assert_int_equal(n, 9 * 2 + 2 * 2 + 9);
	assert_true(has_line(m, "bgpsd_service_weight{service=\"web\","
	    "port=\"80\"} 100"));
	assert_true(has_line(m, "bgpsd_service_draining{service=\"web\","
	    "port=\"80\"} 0"));
	assert_true(has_line(m, "bgpsd_service_up{service=\"web\","
	    "port=\"80\"} 1"));
	assert_true(has_line(m, "bgpsd_service_up{service=\"dns\","
	    "port=\"53\"} 0"));
	assert_true(has_line(m, "bgpsd_service_announced{service=\"web\","
	    "port=\"80\"} 1"));
	assert_true(has_line(m, "bgpsd_service_announced{service=\"dns\","
	    "port=\"53\"} 0"));
	assert_true(has_line(m, "bgpsd_service_drained{service=\"dns\","
	    "port=\"53\"} 0"));
	assert_true(has_line(m, "bgpsd_check_latency_seconds{service="
	    "\"web\",port=\"80\"} 0.001500"));
	assert_true(has_line(m, "bgpsd_check_latency_seconds{service="
	    "\"dns\",port=\"53\"} 0.250000"));
	assert_true(has_line(m, "bgpsd_service_checks_total{service="
	    "\"web\",port=\"80\"} 1"));
	assert_true(has_line(m, "bgpsd_service_failures_total{service="
	    "\"dns\",port=\"53\"} 1"));
	assert_true(has_line(m, "bgpsd_service_transitions_total{service="
	    "\"web\",port=\"80\"} 1"));
	assert_null(strstr(m, "catalog"));
	assert_true(has_line(m, "bgpsd_prefix_ports{prefix="
	    "\"192.0.2.10/32\"} 1"));
	assert_true(has_line(m, "bgpsd_prefix_ports{prefix="
	    "\"2001:db8::10/128\"} 0"));
	assert_true(has_line(m, "bgpsd_prefix_announced{prefix="
	    "\"192.0.2.10/32\"} 1"));
	assert_true(has_line(m, "bgpsd_prefix_announced{prefix="
	    "\"2001:db8::10/128\"} 0"));
	assert_true(has_line(m, "bgpsd_announce_lines_total 2"));
	assert_true(has_line(m, "bgpsd_acks_total{answer=\"done\"} 1"));
	assert_true(has_line(m, "bgpsd_acks_total{answer=\"error\"} 0"));
	assert_true(has_line(m, "bgpsd_acks_pending 1"));
	assert_true(has_line(m, "bgpsd_config_ok 1"));
	assert_true(has_line(m, "bgpsd_reloads_total{result=\"ok\"} 2"));
	assert_true(has_line(m, "bgpsd_reloads_total{result=\"failed\"} 1"));
	assert_true(has_line(m, "bgpsd_start_time_seconds 1700000000"));
	assert_true(has_line(m, "# TYPE bgpsd_service_up gauge"));
	assert_true(has_line(m, "# TYPE bgpsd_service_checks_total counter"));

	/* require_address: a sample for each prefix whose address is looked at */
	assert_null(strstr(m, "bgpsd_prefix_address_present{"));
	f->routes[0].addr = ROUTE_ADDR_ABSENT;
	f->routes[1].addr = ROUTE_ADDR_PRESENT;
	free(m);
	assert_non_null(m = status_metrics(&f->v));
	assert_int_equal(prom_check(m), n + 2);
	assert_true(has_line(m, "bgpsd_prefix_address_present{prefix="
	    "\"192.0.2.10/32\"} 0"));
	assert_true(has_line(m, "bgpsd_prefix_address_present{prefix="
	    "\"2001:db8::10/128\"} 1"));
	f->routes[0].addr = f->routes[1].addr = ROUTE_ADDR_UNCHECKED;
	free(m);

	/* web goes down (fall 1): its sample follows, still valid */
	assert_int_equal(svc_result(&f->svcs[0], 0, CHECK_TIMEOUT, NULL,
	    1000000000, 2 * EV_NSEC, NULL), 1);
	assert_non_null(m = status_metrics(&f->v));
	assert_int_equal(prom_check(m), n);
	assert_true(has_line(m, "bgpsd_service_up{service=\"web\","
	    "port=\"80\"} 0"));
	assert_true(has_line(m, "bgpsd_service_failures_total{service="
	    "\"web\",port=\"80\"} 1"));
	free(m);
}

/*
 * conf.c refuses such names; should one get here anyway, status.c leaves
 * the service out rather than write a label the format cannot hold.
 */
static void
test_metrics_bad_label(void **state)
{
	struct fx	*f = *state;
	char		*m;

	f->sc[1].name = (char *)"d\"n\\s\n";
	assert_non_null(m = status_metrics(&f->v));
	assert_int_equal(prom_check(m), 9 * 1 + 2 * 2 + 9);
	assert_null(strstr(m, "port=\"53\""));
	assert_true(has_line(m, "bgpsd_service_up{service=\"web\","
	    "port=\"80\"} 1"));
	free(m);
	f->sc[1].name = (char *)"dns";
}

static void
test_metrics_no_config(void **state)
{
	struct status_view	 v;
	char			*m;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.started = 42;
	assert_non_null(m = status_metrics(&v));
	assert_int_equal(prom_check(m), 9);
	assert_true(has_line(m, "bgpsd_config_ok 0"));
	assert_true(has_line(m, "bgpsd_start_time_seconds 42"));
	assert_null(strstr(m, "service="));
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TEST(test_json_services),
		TL_TEST(test_json_prefixes),
		TL_TEST(test_json_no_config),
		TL_TEST(test_metrics),
		TL_TEST(test_metrics_bad_label),
		cmocka_unit_test(test_metrics_no_config),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
