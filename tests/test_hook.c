/*
 * test_hook.c - on_change commands (hook.c) with real children: their
 * environment, one at a time in the order of the changes, the timeout,
 * failures in the log, nothing on our stdout, the queue's bound, and the
 * advert layer calling them on real state changes.
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
#include "conf.h"
#include "ev.h"
#include "log.h"
#include "testlib.h"

static char	*argv_one[2];

/* a service whose on_change is the shell command cmd */
static void
hook_conf(struct service_conf *sc, const char *cmd, double timeout)
{
	memset(sc, 0, sizeof(*sc));
	sc->name = "web";
	sc->port = 443;
	sc->weight = CONF_WEIGHT_DEFAULT;
	argv_one[0] = (char *)cmd;
	argv_one[1] = NULL;
	sc->on_change.argv = argv_one;
	sc->on_change.shell = 1;
	sc->on_change_timeout = timeout;
}

/* run until every queued command ended (at most max_ns) */
static void
hook_wait(struct hook *h, uint64_t max_ns)
{
	uint64_t	 end = ev_monotonic() + max_ns;

	while (hook_pending(h) > 0 && ev_monotonic() < end)
		ev_run_once(tl_loop, 10 * EV_MSEC);
}

/*
 * The stats of h: runs commands started, failures of them failed, none
 * dropped; then h is freed
 */
static void
assert_stats_free(struct hook *h, uint64_t runs, uint64_t failures)
{
	struct hook_stats	 st;

	hook_get_stats(h, &st);
	assert_int_equal(st.runs, runs);
	assert_int_equal(st.failures, failures);
	assert_int_equal(st.dropped, 0);
	hook_free(h);
}

static void
test_env_and_order(void **state)
{
	struct service_conf	 sc;
	struct hook		*h = hook_new(tl_loop);
	struct tl_capture	 out;
	char			 cmd[512], *got;

	/* the sleep makes a second command that did not wait visible */
	snprintf(cmd, sizeof(cmd), "echo \"$SERVICE $PORT $OLD_STATE "
	    "$NEW_STATE\" >> %s; sleep 0.05; echo on-stdout; echo on-stderr "
	    ">&2", tl_path("log"));
	hook_conf(&sc, cmd, 5);
	tl_capture_start(&out, 1);
	assert_int_equal(hook_change(h, &sc, SVC_PUB_DOWN, SVC_PUB_UP), 1);
	assert_int_equal(hook_change(h, &sc, SVC_PUB_UP, SVC_PUB_DRAINING),
	    1);
	assert_int_equal(hook_change(h, &sc, SVC_PUB_DRAINING,
	    SVC_PUB_DISABLED), 1);
	/* no change, no command */
	assert_int_equal(hook_change(h, &sc, SVC_PUB_UP, SVC_PUB_UP), 0);
	assert_int_equal(hook_pending(h), 3);
	hook_wait(h, 5 * EV_NSEC);
	got = xstrdup(tl_capture_stop(&out));
	assert_string_equal(got, "");
	free(got);
	assert_int_equal(hook_pending(h), 0);
	got = tl_slurp(tl_path("log"));
	assert_string_equal(got, "web 443 down up\nweb 443 up draining\n"
	    "web 443 draining disabled\n");
	free(got);
	assert_stats_free(h, 3, 0);
}

static void
test_failures(void **state)
{
	struct service_conf	 sc;
	struct hook		*h = hook_new(tl_loop);
	struct tl_capture	 err;
	char			 cmd[256];
	uint64_t		 t0;

	tl_capture_start(&err, 2);
	/* exit 3 with a message: logged with its output */
	hook_conf(&sc, "echo cannot reach the pager; exit 3", 5);
	assert_int_equal(hook_change(h, &sc, SVC_PUB_UP, SVC_PUB_DOWN), 1);
	hook_wait(h, 5 * EV_NSEC);
	/* a hung command is killed at on_change_timeout */
	snprintf(cmd, sizeof(cmd), "sleep 30");
	hook_conf(&sc, cmd, 0.2);
	t0 = ev_monotonic();
	assert_int_equal(hook_change(h, &sc, SVC_PUB_DOWN, SVC_PUB_UP), 1);
	hook_wait(h, 5 * EV_NSEC);
	assert_true(ev_monotonic() - t0 < 3 * EV_NSEC);
	/* not there at all (argv, no shell) */
	hook_conf(&sc, "/nonexistent/hook", 5);
	sc.on_change.shell = 0;
	assert_int_equal(hook_change(h, &sc, SVC_PUB_UP, SVC_PUB_DRAINING),
	    1);
	hook_wait(h, 5 * EV_NSEC);
	tl_capture_expect(&err, "on_change of web:443 (up -> down) "
	    "failed: exit 3: cannot reach the pager",
	    "on_change of web:443 (down -> up) failed: timeout",
	    "on_change of web:443 (up -> draining) failed", NULL);
	assert_stats_free(h, 3, 3);
}

/* the queue is bounded; a command running at the end is killed */
static void
test_bound_and_free(void **state)
{
	struct service_conf	 sc;
	struct hook		*h = hook_new(tl_loop);
	struct hook_stats	 st;
	struct tl_capture	 err;
	size_t			 i;

	hook_conf(&sc, "sleep 30", 60);
	tl_capture_start(&err, 2);
	for (i = 0; i < HOOK_QUEUE_MAX; i++)
		assert_int_equal(hook_change(h, &sc, i % 2 ? SVC_PUB_UP :
		    SVC_PUB_DOWN, i % 2 ? SVC_PUB_DOWN : SVC_PUB_UP), 1);
	assert_int_equal(hook_change(h, &sc, SVC_PUB_UP, SVC_PUB_DOWN), 0);
	hook_get_stats(h, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.runs, 1);	/* one at a time */
	assert_int_equal(hook_pending(h), HOOK_QUEUE_MAX);
	hook_free(h);
	tl_capture_expect(&err, "dropped", "still running at exit: killed",
	    "1023 on_change commands not run", NULL);
}

/* the advert layer: a real service, its drain, its hook */
struct pushes {
	int	 n;
};

static void
push_cb(size_t pi, void *arg)
{
	struct pushes	*p = arg;

	p->n++;
}

static void
test_advert(void **state)
{
	struct bgpsd_conf	 c;
	struct service_conf	 sc;
	struct prefix_conf	 pc;
	struct svc		 s;
	struct route		 r;
	struct advert		*a;
	struct pushes		 p = { 0 };
	struct route_want	 w;
	size_t			 pfx = 0;
	char			 cmd[256], *got, *line;
	uint64_t		 end;

	memset(&c, 0, sizeof(c));
	memset(&pc, 0, sizeof(pc));
	c.asn = 12345;
	assert_int_equal(prefix_parse("192.0.2.10/32", &pc.prefix, 0), 0);
	pc.next_hop = "self";
	pc.attr.med = pc.attr.local_pref = -1;
	c.announce.prefixes = &pc;
	c.announce.nprefixes = 1;
	snprintf(cmd, sizeof(cmd), "echo \"$OLD_STATE $NEW_STATE\" >> %s",
	    tl_path("log"));
	hook_conf(&sc, cmd, 5);
	sc.weight = 80;
	sc.drain_time = 0.2;
	sc.disable_file = (char *)tl_path("off");
	sc.timing.rise = sc.timing.fall = 1;
	sc.timing.interval = 2;
	sc.prefixes = &pfx;
	sc.nprefixes = 1;
	c.services = &sc;
	c.nservices = 1;
	route_init(&r, &c, &pc);
	svc_init(&s, &sc, 0);
	a = advert_new(tl_loop, push_cb, &p);
	advert_set(a, &c, &s, &r);

	advert_result(a, 0, 1, CHECK_OK, "ok", 1, -1);
	assert_int_equal(p.n, 1);
	memset(&w, 0, sizeof(w));
	route_want_of(&w, &r);
	line = route_want_fmt(&w);
	route_want_free(&w);
	assert_string_equal(line, "announce route 192.0.2.10/32 next-hop self "
	    "community [12345:443] large-community [12345:1:4430080]");
	free(line);
	/* the check reports 30: one push; the same again: none */
	advert_result(a, 0, 1, CHECK_OK, "ok", 1, 30);
	advert_result(a, 0, 1, CHECK_OK, "ok", 1, 30);
	assert_int_equal(p.n, 2);
	assert_int_equal(r.ports[0].weight, 30);
	/* the disable file: draining, one push */
	tl_spit(sc.disable_file, "");
	advert_result(a, 0, 1, CHECK_OK, "ok", 1, 30);
	assert_int_equal(p.n, 3);
	assert_true(r.ports[0].draining);
	/* the drain ends on the timer, not at a result */
	end = ev_monotonic() + 2 * EV_NSEC;
	while (r.nports > 0 && ev_monotonic() < end)
		ev_run_once(tl_loop, 10 * EV_MSEC);
	assert_int_equal(r.nports, 0);
	assert_int_equal(p.n, 4);
	hook_wait(advert_hook(a), 5 * EV_NSEC);
	got = tl_slurp(tl_path("log"));
	assert_string_equal(got, "down up\nup draining\ndraining disabled\n");
	free(got);
	assert_int_equal(unlink(sc.disable_file), 0);
	advert_free(a);
	route_clear(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_DIR_LOOP_TEST(test_env_and_order),
		TL_DIR_LOOP_TEST(test_failures),
		TL_DIR_LOOP_TEST(test_bound_and_free),
		TL_DIR_LOOP_TEST(test_advert),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
