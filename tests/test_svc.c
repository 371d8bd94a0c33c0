/*
 * test_svc.c - the service state machine driven by tables of results:
 * rise, fall, the fast interval while rising or falling, draining by
 * disable files, and which services keep their state over a reload.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "announce.h"
#include "check.h"
#include "conf.h"
#include "ev.h"
#include "testlib.h"

static struct service_conf *
svc_conf(const char *name, uint16_t port, int rise, int fall)
{
	struct service_conf	*sc = calloc(1, sizeof(*sc));
	struct check_conf	*cc = calloc(1, sizeof(*cc));

	assert_non_null(sc);
	assert_non_null(cc);
	sc->name = strdup(name);
	sc->port = port;
	sc->timing.interval = 2;
	sc->timing.fast_interval = 0.5;
	sc->timing.timeout = 1;
	sc->timing.rise = rise;
	sc->timing.fall = fall;
	cc->type = CHECK_TCP;
	cc->timeout = 1;
	cc->port = port;
	assert_int_equal(addr_parse("127.0.0.1", &cc->host), 0);
	sc->checks = cc;
	sc->nchecks = 1;
	return sc;
}

static void
svc_conf_free(struct service_conf *sc)
{
	free(sc->name);
	free(sc->checks);
	free(sc);
}

/*
 * One row per result: the input, then the state, healthy flag, whether
 * healthy changed, and the interval asked for next.
 */
struct row {
	int		 ok;
	enum svc_state	 state;
	int		 healthy;
	int		 changed;
	int		 fast;
};

static void
run_table(struct svc *s, const struct row *rows, size_t n)
{
	size_t	 i;
	int	 ch;

	for (i = 0; i < n; i++) {
		ch = svc_result(s, rows[i].ok, rows[i].ok ? CHECK_OK :
		    CHECK_TCP_REFUSED, rows[i].ok ? "" :
		    "tcp: connection refused", 1000 + i, i * EV_NSEC, NULL);
		if (s->state != rows[i].state || s->healthy !=
		    rows[i].healthy || ch != rows[i].changed ||
		    svc_interval(s) != (rows[i].fast ? EV_NSEC / 2 :
		    2 * EV_NSEC))
			fail_msg("row %zu: state %s healthy %d changed %d "
			    "interval %llu", i, svc_state_name(s->state),
			    s->healthy, ch,
			    (unsigned long long)svc_interval(s));
	}
}

static void
test_rise3_fall3(void **state)
{
	struct service_conf	*sc = svc_conf("https", 443, 3, 3);
	struct svc		 s;
	static const struct row rows[] = {
		{ 1, SVC_UNKNOWN, 0, 0, 1 },	/* rising */
		{ 1, SVC_UNKNOWN, 0, 0, 1 },
		{ 1, SVC_UP, 1, 1, 0 },		/* 3rd success */
		{ 1, SVC_UP, 1, 0, 0 },
		{ 0, SVC_UP, 1, 0, 1 },		/* falling */
		{ 1, SVC_UP, 1, 0, 0 },		/* run broken */
		{ 0, SVC_UP, 1, 0, 1 },
		{ 0, SVC_UP, 1, 0, 1 },
		{ 0, SVC_DOWN, 0, 1, 0 },	/* 3rd failure */
		{ 0, SVC_DOWN, 0, 0, 0 },
		{ 1, SVC_DOWN, 0, 0, 1 },	/* rising */
		{ 0, SVC_DOWN, 0, 0, 0 },	/* run broken */
		{ 1, SVC_DOWN, 0, 0, 1 },
		{ 1, SVC_DOWN, 0, 0, 1 },
		{ 1, SVC_UP, 1, 1, 0 },
	};

	svc_init(&s, sc, 0);
	assert_int_equal(s.state, SVC_UNKNOWN);
	assert_int_equal(s.healthy, 0);
	assert_int_equal(svc_interval(&s), 2 * EV_NSEC);
	run_table(&s, rows, TL_NITEMS(rows));
	assert_int_equal(s.nchecks, 15);
	assert_int_equal(s.nfailures, 6);
	assert_int_equal(s.ntransitions, 3);
	assert_int_equal(s.last_latency, 1000 + 14);
	/* the last failure is kept while up, for the status file */
	assert_string_equal(svc_reason(&s), "tcp: connection refused");
	svc_conf_free(sc);
}

static void
test_first_failure_is_down(void **state)
{
	struct service_conf	*sc = svc_conf("dns", 53, 2, 5);
	struct svc		 s;
	static const struct row rows[] = {
		{ 0, SVC_DOWN, 0, 0, 0 },	/* never up: down at once */
		{ 1, SVC_DOWN, 0, 0, 1 },
		{ 1, SVC_UP, 1, 1, 0 },
		{ 0, SVC_UP, 1, 0, 1 },
		{ 0, SVC_UP, 1, 0, 1 },
		{ 0, SVC_UP, 1, 0, 1 },
		{ 0, SVC_UP, 1, 0, 1 },
		{ 0, SVC_DOWN, 0, 1, 0 },	/* 5th */
	};

	svc_init(&s, sc, 0);
	run_table(&s, rows, TL_NITEMS(rows));
	assert_int_equal(s.since, 7 * EV_NSEC);
	svc_conf_free(sc);
}

static void
test_rise1_fall1(void **state)
{
	struct service_conf	*sc = svc_conf("x", 1, 1, 1);
	struct svc		 s;
	static const struct row rows[] = {
		{ 1, SVC_UP, 1, 1, 0 },
		{ 0, SVC_DOWN, 0, 1, 0 },
		{ 1, SVC_UP, 1, 1, 0 },
		{ 1, SVC_UP, 1, 0, 0 },
	};

	svc_init(&s, sc, 0);
	run_table(&s, rows, TL_NITEMS(rows));
	svc_conf_free(sc);
}

static void
test_reason(void **state)
{
	struct service_conf	*sc = svc_conf("x", 1, 1, 1);
	struct svc		 s;

	svc_init(&s, sc, 0);
	assert_string_equal(svc_reason(&s), "");
	svc_result(&s, 0, CHECK_TIMEOUT, NULL, 5, 1, NULL);
	assert_string_equal(svc_reason(&s), check_reason_str(CHECK_TIMEOUT));
	svc_result(&s, 0, CHECK_HTTP_STATUS, "http: status 503", 5, 2, NULL);
	assert_string_equal(svc_reason(&s), "http: status 503");
	svc_conf_free(sc);
}

static void
test_disable_files(void **state)
{
	struct service_conf	*sc = svc_conf("https", 443, 1, 1);
	struct svc		 s;
	const char		*global = tl_path("global");

	sc->disable_file = (char *)tl_path("own");
	svc_init(&s, sc, 0);
	assert_int_equal(svc_result(&s, 1, CHECK_OK, "", 1, 1, global), 1);
	assert_true(s.healthy);

	/* the global file drains every service */
	tl_spit(global, "");
	assert_int_equal(svc_result(&s, 1, CHECK_OK, "", 1, 2, global), 1);
	assert_false(s.healthy);
	assert_true(s.drained);
	assert_int_equal(s.state, SVC_UP);	/* drained, not down */
	assert_int_equal(svc_drain_update(&s, 3, global), 0);
	/* no global file configured: the same service is back */
	assert_int_equal(svc_drain_update(&s, 3, NULL), 1);
	assert_true(s.healthy);
	assert_int_equal(unlink(global), 0);
	assert_int_equal(svc_drain_update(&s, 4, global), 0);

	/* the service's own file */
	tl_spit(sc->disable_file, "");
	assert_int_equal(svc_drain_update(&s, 5, global), 1);
	assert_false(s.healthy);
	/* a failure while drained: down, healthy stays 0, no change */
	assert_int_equal(svc_result(&s, 0, CHECK_TCP_REFUSED, "", 1, 6,
	    global), 0);
	assert_int_equal(s.state, SVC_DOWN);
	assert_int_equal(unlink(sc->disable_file), 0);
	assert_int_equal(svc_drain_update(&s, 7, global), 0);
	assert_false(s.healthy);
	assert_int_equal(svc_result(&s, 1, CHECK_OK, "", 1, 8, global), 1);
	assert_true(s.healthy);
	assert_int_equal(tl_entries(tl_tmpdir), 0);
	svc_conf_free(sc);
}

/*
 * drain_time: the disable file starts a drain (still healthy, draining,
 * "draining" to the outside) that ends at drain_end (withdrawn,
 * "disabled"); the file removed during the drain ends it (up again); a
 * failure during the drain withdraws at once (down).
 */
static void
test_graceful_drain(void **state)
{
	struct service_conf	*sc = svc_conf("https", 443, 1, 1);
	struct svc		 s;

	sc->disable_file = (char *)tl_path("own");
	sc->drain_time = 2;
	svc_init(&s, sc, 0);
	assert_int_equal(svc_pub(&s), SVC_PUB_DOWN);
	assert_int_equal(svc_result(&s, 1, CHECK_OK, "", 1, 1, NULL), 1);
	assert_int_equal(svc_pub(&s), SVC_PUB_UP);

	tl_spit(sc->disable_file, "");
	assert_int_equal(svc_drain_update(&s, 10 * EV_NSEC, NULL), 0);
	assert_true(s.healthy);
	assert_true(s.draining);
	assert_true(s.drained);
	assert_int_equal(s.drain_end, 12 * EV_NSEC);
	assert_int_equal(svc_pub(&s), SVC_PUB_DRAINING);
	assert_string_equal(svc_pub_name(svc_pub(&s)), "draining");
	/* a passing check during the drain changes nothing */
	assert_int_equal(svc_result(&s, 1, CHECK_OK, "", 1, 11 * EV_NSEC,
	    NULL), 0);
	assert_true(s.draining);
	assert_int_equal(svc_drain_update(&s, 12 * EV_NSEC - 1, NULL), 0);
	assert_true(s.draining);
	/* its time is over: withdrawn */
	assert_int_equal(svc_drain_update(&s, 12 * EV_NSEC, NULL), 1);
	assert_false(s.healthy);
	assert_false(s.draining);
	assert_int_equal(svc_pub(&s), SVC_PUB_DISABLED);
	assert_string_equal(svc_pub_name(svc_pub(&s)), "disabled");
	/* the file goes: up, no drain left over */
	assert_int_equal(unlink(sc->disable_file), 0);
	assert_int_equal(svc_drain_update(&s, 13 * EV_NSEC, NULL), 1);
	assert_int_equal(svc_pub(&s), SVC_PUB_UP);

	/* removed during the drain: the drain ends, the port stays up */
	tl_spit(sc->disable_file, "");
	assert_int_equal(svc_drain_update(&s, 20 * EV_NSEC, NULL), 0);
	assert_true(s.draining);
	assert_int_equal(unlink(sc->disable_file), 0);
	assert_int_equal(svc_drain_update(&s, 21 * EV_NSEC, NULL), 0);
	assert_false(s.draining);
	assert_int_equal(svc_pub(&s), SVC_PUB_UP);

	/* a failure during the drain: withdrawn at once, down */
	tl_spit(sc->disable_file, "");
	assert_int_equal(svc_drain_update(&s, 30 * EV_NSEC, NULL), 0);
	assert_true(s.draining);
	assert_int_equal(svc_result(&s, 0, CHECK_TCP_REFUSED, "", 1,
	    31 * EV_NSEC, NULL), 1);
	assert_false(s.draining);
	assert_false(s.healthy);
	/* drained and down: disabled is what the operator asked for */
	assert_int_equal(svc_pub(&s), SVC_PUB_DISABLED);
	/* coming up while the file is there: no drain, not announced */
	assert_int_equal(svc_result(&s, 1, CHECK_OK, "", 1, 32 * EV_NSEC,
	    NULL), 0);
	assert_false(s.healthy);
	assert_false(s.draining);
	assert_int_equal(unlink(sc->disable_file), 0);

	/* drain_time 0 keeps the immediate withdraw */
	sc->drain_time = 0;
	assert_int_equal(svc_drain_update(&s, 40 * EV_NSEC, NULL), 1);
	tl_spit(sc->disable_file, "");
	assert_int_equal(svc_drain_update(&s, 41 * EV_NSEC, NULL), 1);
	assert_false(s.healthy);
	assert_false(s.draining);
	assert_int_equal(unlink(sc->disable_file), 0);
	assert_int_equal(tl_entries(tl_tmpdir), 0);
	svc_conf_free(sc);
}

/* drain_on_stop: announced services drain until the exit, no deadline */
static void
test_stop_drain(void **state)
{
	struct service_conf	*sc = svc_conf("https", 443, 1, 1);
	struct service_conf	*dn = svc_conf("db", 5432, 1, 1);
	struct svc		 s, d;

	svc_init(&s, sc, 0);
	svc_init(&d, dn, 0);
	assert_int_equal(svc_result(&s, 1, CHECK_OK, "", 1, 1, NULL), 1);
	assert_int_equal(svc_result(&d, 0, CHECK_TCP_REFUSED, "", 1, 1,
	    NULL), 0);
	assert_int_equal(svc_stop_drain(&s), 1);
	assert_int_equal(svc_stop_drain(&s), 0);
	assert_int_equal(svc_stop_drain(&d), 0);
	assert_int_equal(svc_pub(&s), SVC_PUB_DRAINING);
	assert_int_equal(svc_pub(&d), SVC_PUB_DOWN);
	/* no drain_end: time passing does not end it */
	assert_int_equal(svc_drain_update(&s, 1000 * EV_NSEC, NULL), 0);
	assert_true(s.draining);
	/* a failure still withdraws */
	assert_int_equal(svc_result(&s, 0, CHECK_TCP_REFUSED, "", 1,
	    1001 * EV_NSEC, NULL), 1);
	assert_int_equal(svc_pub(&s), SVC_PUB_DOWN);
	svc_conf_free(sc);
	svc_conf_free(dn);
}

/* a reported weight lowers the configured one, never raises it */
static void
test_weight(void **state)
{
	struct service_conf	*sc = svc_conf("https", 443, 1, 1);
	struct svc		 s, n;
	struct bgpsd_conf	 nc;

	sc->weight = 50;
	svc_init(&s, sc, 0);
	assert_int_equal(s.weight, 50);
	assert_int_equal(svc_weight_update(&s, -1), 0);
	assert_int_equal(svc_weight_update(&s, 20), 1);
	assert_int_equal(s.weight, 20);
	assert_int_equal(svc_weight_update(&s, 20), 0);
	assert_int_equal(svc_weight_update(&s, 0), 1);
	assert_int_equal(s.weight, 0);
	assert_int_equal(svc_weight_update(&s, 999), 1);
	assert_int_equal(s.weight, 50);
	assert_int_equal(svc_weight_update(&s, 30), 1);
	/* no report: back to the configured weight */
	assert_int_equal(svc_weight_update(&s, -1), 1);
	assert_int_equal(s.weight, 50);
	/* no weight in a hand-made conf: the default */
	sc->weight = 0;
	svc_init(&s, sc, 0);
	assert_int_equal(s.weight, CONF_WEIGHT_DEFAULT);

	/* a reload lowers the cap under a kept report */
	sc->weight = 200;
	svc_init(&s, sc, 0);
	assert_int_equal(svc_weight_update(&s, 150), 1);
	memset(&nc, 0, sizeof(nc));
	nc.services = svc_conf("https", 443, 1, 1);
	nc.services->weight = 100;
	nc.nservices = 1;
	assert_int_equal(svc_reload(&n, &nc, &s, 1, 5), 1);
	assert_int_equal(n.weight, 100);
	assert_int_equal(n.reported, 150);
	svc_conf_free(nc.services);
	svc_conf_free(sc);
}

static void
test_conf_same(void **state)
{
	struct service_conf	*a = svc_conf("https", 443, 3, 3);
	struct service_conf	*b = svc_conf("https", 443, 5, 1);
	char			*argv1[] = { "check_x", "-a", NULL };
	char			*argv2[] = { "check_x", "-b", NULL };

	/* timing is not identity */
	assert_true(svc_conf_same(a, b));
	b->checks[0].timeout = 2;
	assert_false(svc_conf_same(a, b));
	b->checks[0].timeout = 1;
	b->checks[0].port = 444;
	assert_false(svc_conf_same(a, b));
	b->checks[0].port = 443;
	b->checks[0].expect = "+OK";
	assert_false(svc_conf_same(a, b));
	b->checks[0].expect = NULL;
	b->port = 444;
	assert_false(svc_conf_same(a, b));
	b->port = 443;
	free(b->name);
	b->name = strdup("web");
	assert_false(svc_conf_same(a, b));
	free(b->name);
	b->name = strdup("https");
	a->checks[0].type = b->checks[0].type = CHECK_EXEC;
	a->checks[0].argv = argv1;
	a->checks[0].argc = 2;
	b->checks[0].argv = argv1;
	b->checks[0].argc = 2;
	assert_true(svc_conf_same(a, b));
	b->checks[0].argv = argv2;
	assert_false(svc_conf_same(a, b));
	b->nchecks = 0;
	assert_false(svc_conf_same(a, b));
	svc_conf_free(a);
	svc_conf_free(b);
}

static void
test_reload(void **state)
{
	struct bgpsd_conf	 oc, nc;
	struct service_conf	 os[3], ns[4];
	struct service_conf	*t;
	struct svc		 osv[3], nsv[4];
	const char		*names[] = { "a", "b", "c", "d" };
	size_t			 i;
	int			 r;

	memset(&oc, 0, sizeof(oc));
	memset(&nc, 0, sizeof(nc));
	for (i = 0; i < 4; i++) {
		t = svc_conf(names[i], (uint16_t)(1000 + i), 2, 2);
		if (i < 3)
			os[i] = *t;
		ns[i] = *t;
		free(t);
	}
	oc.services = os;
	oc.nservices = 3;
	for (i = 0; i < 3; i++) {
		svc_init(&osv[i], &os[i], 0);
		for (r = 0; r < 2; r++)
			svc_result(&osv[i], 1, CHECK_OK, "", 1, 1, NULL);
		assert_true(osv[i].healthy);
	}
	/* new order, b's check changed, d new, c with a new rise */
	nc.services = ns;
	nc.nservices = 4;
	ns[0] = os[2];	/* c */
	ns[0].timing.rise = 1;
	ns[1] = os[0];	/* a */
	t = svc_conf("b", 1001, 2, 2);
	t->checks[0].timeout = 3;
	ns[2] = *t;
	free(t);
	assert_int_equal(svc_reload(nsv, &nc, osv, 3, 10 * EV_NSEC), 2);
	assert_ptr_equal(nsv[0].conf, &ns[0]);
	assert_true(nsv[0].healthy);		/* c kept */
	assert_int_equal(nsv[0].ok_run, 1);	/* clamped to the new rise */
	assert_int_equal(nsv[0].since, 1);
	assert_true(nsv[1].healthy);		/* a kept */
	assert_int_equal(nsv[1].nchecks, 2);
	assert_false(nsv[2].healthy);		/* b changed: afresh */
	assert_int_equal(nsv[2].state, SVC_UNKNOWN);
	assert_int_equal(nsv[2].since, 10 * EV_NSEC);
	assert_false(nsv[3].healthy);		/* d new */
	assert_int_equal(nsv[3].state, SVC_UNKNOWN);
	for (i = 0; i < 3; i++) {
		free(os[i].name);
		free(os[i].checks);
	}
	free(ns[2].name);
	free(ns[2].checks);
	free(ns[3].name);
	free(ns[3].checks);
}

static void
test_reload_many(void **state)
{
	struct bgpsd_conf	 c;
	struct service_conf	*sc;
	struct svc		*o, *n;
	size_t			 i, N = 10000;
	char			 name[32];

	memset(&c, 0, sizeof(c));
	sc = calloc(N, sizeof(*sc));
	o = calloc(N, sizeof(*o));
	n = calloc(N, sizeof(*n));
	assert_non_null(sc);
	assert_non_null(o);
	assert_non_null(n);
	for (i = 0; i < N; i++) {
		struct service_conf *t;

		snprintf(name, sizeof(name), "s%zu", i);
		t = svc_conf(name, (uint16_t)(i % 60000 + 1), 1, 1);
		sc[i] = *t;
		free(t);
		svc_init(&o[i], &sc[i], 0);
		if (i % 2 == 0)
			svc_result(&o[i], 1, CHECK_OK, "", 1, 1, NULL);
	}
	c.services = sc;
	c.nservices = N;
	assert_int_equal(svc_reload(n, &c, o, N, 5), N);
	for (i = 0; i < N; i++)
		assert_int_equal(n[i].healthy, i % 2 == 0);
	for (i = 0; i < N; i++) {
		free(sc[i].name);
		free(sc[i].checks);
	}
	free(sc);
	free(o);
	free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rise3_fall3),
		cmocka_unit_test(test_first_failure_is_down),
		cmocka_unit_test(test_rise1_fall1),
		cmocka_unit_test(test_reason),
		TL_TMPDIR_TEST(test_disable_files),
		TL_TMPDIR_TEST(test_graceful_drain),
		cmocka_unit_test(test_stop_drain),
		cmocka_unit_test(test_weight),
		cmocka_unit_test(test_conf_same),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_reload_many),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
