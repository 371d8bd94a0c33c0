/*
 * test_sched.c - the scheduler on real time with short intervals: --once,
 * the cap and its FIFO queue, the start splay, the drift-free grid and
 * skipped slots, timer slack, run-now, the per-service interval callback,
 * the fd budget, freeing with checks in flight. The checks are real (loopback
 * tcp, small exec commands).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "check.h"
#include "conf.h"
#include "ev.h"
#include "log.h"
#include "sched.h"
#include "testlib.h"

#define MAX_SVC		400
#define MAX_EVENTS	512

static struct sched	*cur;		/* for the callbacks */

/* the listener that accepts and drops: a tcp check's "up" */
static int		 up_fd = -1;
static uint16_t		 up_port;
/* bound, never listening: a tcp check's "refused" */
static int		 down_fd = -1;
static uint16_t		 down_port;

static struct bgpsd_conf	conf;
static struct service_conf	svcs[MAX_SVC];
static struct check_conf	checks[MAX_SVC][4];
static char			names[MAX_SVC][32];

struct event {
	size_t			 svc;
	int			 ok;
	enum check_reason	 reason;
	char			 detail[64];
	uint64_t		 at;		/* monotonic ns of the callback */
	uint64_t		 latency;
	size_t			 inflight, queued;
	int			 weight;	/* sched_weight, in the callback */
};

static struct event	events[MAX_EVENTS];
static size_t		nevents;
static size_t		max_inflight;
static size_t		max_queued;
static uint64_t		intervals[MAX_SVC];	/* for interval_cb */

static void
result_cb(size_t svc, int ok, enum check_reason reason, const char *detail,
    uint64_t latency, void *arg)
{
	struct event	*e;

	assert_ptr_equal(arg, &conf);
	if (nevents == MAX_EVENTS)
		return;
	e = &events[nevents++];
	e->svc = svc;
	e->ok = ok;
	e->reason = reason;
	snprintf(e->detail, sizeof(e->detail), "%s", detail);
	e->at = ev_monotonic();
	e->latency = latency;
	e->weight = -2;
	if (cur != NULL) {
		e->inflight = sched_inflight(cur);
		e->queued = sched_queued(cur);
		e->weight = sched_weight(cur, svc);
	}
}

static uint64_t
interval_cb(size_t svc, void *arg)
{
	return intervals[svc];
}

static size_t
count(size_t svc)
{
	size_t	 i, n = 0;

	for (i = 0; i < nevents; i++)
		n += events[i].svc == svc;
	return n;
}

/* run the loop for ns, sampling the scheduler's figures */
static void
spin(uint64_t ns)
{
	uint64_t	 end = ev_monotonic() + ns;

	while (ev_monotonic() < end) {
		ev_run_once(tl_loop, 5 * EV_MSEC);
		if (cur != NULL) {
			if (sched_inflight(cur) > max_inflight)
				max_inflight = sched_inflight(cur);
			if (sched_queued(cur) > max_queued)
				max_queued = sched_queued(cur);
		}
	}
}

static void
spin_until(size_t n, uint64_t limit)
{
	uint64_t	 end = ev_monotonic() + limit;

	while (nevents < n && ev_monotonic() < end)
		spin(EV_MSEC);
}

static void
up_accept_cb(int fd, unsigned int ev, void *arg)
{
	int	 c;

	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) != -1)
		close(c);
}

static int
setup(void **state)
{
	log_init("test_sched", 0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (tl_loop_setup(state) == -1)
		return -1;
	if ((up_fd = tl_lo_socket(AF_INET, 512, &up_port)) == -1 ||
	    (down_fd = tl_lo_socket(AF_INET, -1, &down_port)) == -1)
		return -1;
	if (ev_io_add(tl_loop, up_fd, EV_READ, up_accept_cb, NULL) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	ev_io_del(tl_loop, up_fd);
	close(up_fd);
	close(down_fd);
	return tl_loop_teardown(state);
}

/* a scheduler for conf, started */
static void
start(void)
{
	cur = sched_new(tl_loop, &conf, result_cb, interval_cb, &conf);
	assert_non_null(cur);
	sched_start(cur);
}

static void
stop(void)
{
	sched_free(cur);
	cur = NULL;
}

/* a failed assertion leaves its scheduler behind: never to the next test */
static int
test_end(void **state)
{
	stop();
	return 0;
}

/* a fresh config: n services, no checks yet */
static void
conf_reset(size_t n, double interval, int splay, int cap)
{
	size_t	 i;

	memset(&conf, 0, sizeof(conf));
	memset(svcs, 0, sizeof(svcs));
	memset(checks, 0, sizeof(checks));
	conf.services = svcs;
	conf.nservices = n;
	conf.announce.splay = splay;
	conf.announce.max_concurrent = cap;
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "svc%zu", i);
		svcs[i].name = names[i];
		svcs[i].port = 8000 + i;
		svcs[i].checks = checks[i];
		svcs[i].timing.interval = interval;
		svcs[i].timing.fast_interval = interval;
		intervals[i] = (uint64_t)(interval * 1e9);
	}
	nevents = 0;
	max_inflight = max_queued = 0;
}

static void
add_tcp(size_t svc, int up)
{
	struct check_conf	*cf = &checks[svc][svcs[svc].nchecks++];

	cf->type = CHECK_TCP;
	cf->timeout = 1;
	addr_parse("127.0.0.1", &cf->host);
	cf->port = up ? up_port : down_port;
}

static void
add_exec(size_t svc, const char *script, double timeout)
{
	static const char	*argvs[MAX_SVC * 4][2];
	static size_t		 n;
	struct check_conf	*cf = &checks[svc][svcs[svc].nchecks++];
	const char		**argv = argvs[n++ % (MAX_SVC * 4)];

	argv[0] = script;
	argv[1] = NULL;
	cf->type = CHECK_EXEC;
	cf->timeout = timeout;
	cf->shell = 1;
	cf->argv = (char **)argv;
	cf->argc = 1;
}

static const struct event *
find(size_t svc)
{
	size_t	 i;

	for (i = 0; i < nevents; i++)
		if (events[i].svc == svc)
			return &events[i];
	return NULL;
}

/* --once: every scheduled service once; the first failing check decides */
static void
test_once(void **state)
{
	const struct event	*e;

	conf_reset(5, 2, 1, 1024);
	add_tcp(0, 1);
	/* 1: a catalogue entry, no checks: never run */
	add_tcp(2, 0);
	add_tcp(3, 1);
	add_exec(3, "exit 2", 2);
	add_tcp(3, 0);
	add_exec(4, "true", 2);
	add_tcp(4, 1);
	assert_int_equal(sched_once(tl_loop, &conf, result_cb, &conf), 0);
	assert_int_equal(nevents, 4);
	assert_int_equal(count(0), 1);
	assert_int_equal(count(1), 0);
	assert_int_equal(count(2), 1);
	assert_int_equal(count(3), 1);
	assert_int_equal(count(4), 1);
	e = find(0);
	assert_true(e->ok);
	assert_int_equal(e->reason, CHECK_OK);
	assert_string_equal(e->detail, "ok");
	e = find(2);
	assert_false(e->ok);
	assert_int_equal(e->reason, CHECK_TCP_REFUSED);
	assert_string_equal(e->detail, "tcp: connection refused");
	e = find(3);
	assert_false(e->ok);
	/* config order, not whichever failed first in time */
	assert_int_equal(e->reason, CHECK_EXEC_EXIT);
	assert_string_equal(e->detail, "exec: exit 2");
	e = find(4);
	assert_true(e->ok);
	assert_true(e->latency > 0);
	/* no service at all: nothing to do, still fine */
	conf_reset(0, 2, 1, 1024);
	assert_int_equal(sched_once(tl_loop, &conf, result_cb, &conf), 0);
	assert_int_equal(nevents, 0);
}

/*
 * The weight of a run: the lowest any of its checks reported; -1 when
 * none did, or for a service that does not exist.
 */
static void
test_weight(void **state)
{
	conf_reset(3, 10, 0, 1024);
	add_exec(0, "echo weight=30", 2);
	add_exec(0, "echo weight=20", 2);
	add_tcp(0, 1);
	add_exec(1, "true", 2);
	add_tcp(2, 1);
	add_exec(2, "echo weight=7", 2);
	start();
	spin_until(3, 5 * EV_NSEC);
	assert_int_equal(nevents, 3);
	assert_int_equal(find(0)->weight, 20);
	assert_int_equal(find(1)->weight, -1);
	assert_int_equal(find(2)->weight, 7);
	assert_int_equal(sched_weight(cur, 0), 20);
	assert_int_equal(sched_weight(cur, 3), -1);
	stop();
	assert_int_equal(sched_weight(NULL, 0), -1);
}

/* the cap holds, the excess waits in the queue and none is dropped */
static void
test_cap_queue(void **state)
{
	size_t		 i;
	uint64_t	 t0;

	conf_reset(6, 10, 0, 2);
	for (i = 0; i < 6; i++)
		add_exec(i, "sleep 0.1", 2);
	t0 = ev_monotonic();
	start();
	assert_int_equal(sched_max_concurrent(cur), 2);
	while (nevents < 6 && ev_monotonic() - t0 < 3 * EV_NSEC)
		spin(EV_MSEC);
	assert_int_equal(nevents, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(count(i), 1);
	assert_int_equal(max_inflight, 2);
	assert_true(max_queued >= 3);
	for (i = 0; i < nevents; i++)
		assert_true(events[i].inflight <= 2);
	/* three waves of two */
	assert_true(ev_monotonic() - t0 >= 300 * EV_MSEC);
	assert_int_equal(sched_queued(cur), 0);
	stop();

	/* --once respects the cap as well */
	conf_reset(4, 10, 0, 1);
	for (i = 0; i < 4; i++)
		add_exec(i, "sleep 0.05", 2);
	t0 = ev_monotonic();
	assert_int_equal(sched_once(tl_loop, &conf, result_cb, &conf), 0);
	assert_int_equal(nevents, 4);
	assert_true(ev_monotonic() - t0 >= 200 * EV_MSEC);
}

/* a run bigger than the cap still runs (alone), never deadlocks */
static void
test_cap_smaller_than_service(void **state)
{
	conf_reset(2, 10, 0, 1);
	add_tcp(0, 1);
	add_tcp(0, 1);
	add_tcp(0, 1);
	add_tcp(1, 1);
	assert_int_equal(sched_once(tl_loop, &conf, result_cb, &conf), 0);
	assert_int_equal(nevents, 2);
	assert_true(find(0)->ok);
	assert_true(find(1)->ok);
}

/* first runs spread over one interval with splay, right away without */
static void
test_splay(void **state)
{
	size_t		 i;
	uint64_t	 t0, lo = UINT64_MAX, hi = 0, d;

	conf_reset(20, 0.4, 1, 1024);
	for (i = 0; i < 20; i++) {
		add_tcp(i, 1);
		intervals[i] = 10 * EV_NSEC;
	}
	t0 = ev_monotonic();
	start();
	spin(450 * EV_MSEC);
	assert_int_equal(nevents, 20);
	for (i = 0; i < nevents; i++) {
		d = events[i].at - t0;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		assert_true(d < 450 * EV_MSEC);
	}
	/* 20 uniform draws over 400 ms all within 100 ms: ~1e-12 */
	assert_true(hi - lo > 100 * EV_MSEC);
	stop();

	conf_reset(20, 0.4, 0, 1024);
	for (i = 0; i < 20; i++) {
		add_tcp(i, 1);
		intervals[i] = 10 * EV_NSEC;
	}
	t0 = ev_monotonic();
	start();
	spin_until(20, EV_NSEC);
	assert_int_equal(nevents, 20);
	for (i = 0; i < nevents; i++)
		assert_true(events[i].at - t0 < 100 * EV_MSEC);
	stop();
}

/*
 * Slots stay on the grid start + k * interval however long each run takes:
 * a check of 40 ms at 100 ms intervals would drift by 40 ms per run if the
 * next run were counted from the result. A busy machine delays single
 * starts (jitter, not cumulative), so what is asserted is the trend: over
 * six intervals the starts fall behind the grid by far less than the
 * 240 ms a drifting scheduler would lose.
 */
static void
test_drift_free(void **state)
{
	size_t		 k;
	int64_t		 off, first = 0, last = 0;
	uint64_t	 s0, sk;

	conf_reset(1, 0.1, 0, 1024);
	add_exec(0, "sleep 0.04", 2);
	start();
	spin_until(7, 2 * EV_NSEC);
	assert_int_equal(nevents, 7);
	s0 = events[0].at - events[0].latency;
	for (k = 0; k < nevents; k++) {
		assert_true(events[k].latency >= 40 * EV_MSEC);
		sk = events[k].at - events[k].latency;
		off = (int64_t)(sk - s0) - (int64_t)(k * 100 * EV_MSEC);
		if (k == 1)
			first = off;
		last = off;
	}
	/* drifting: last - first = 5 * 40 ms; on the grid: jitter only */
	assert_true(last - first < 100 * (int64_t)EV_MSEC);
	stop();
}

/* a run longer than the interval: missed slots are skipped, no burst */
static void
test_skip_missed(void **state)
{
	size_t		 k;
	uint64_t	 gap;

	conf_reset(1, 0.05, 0, 1024);
	add_exec(0, "sleep 0.12", 2);
	start();
	spin_until(4, 2 * EV_NSEC);
	assert_int_equal(nevents, 4);
	for (k = 1; k < nevents; k++) {
		gap = (events[k].at - events[k].latency) -
		    (events[k - 1].at - events[k - 1].latency);
		/* the next free slot on the 50 ms grid after 120+ ms: 150 */
		assert_true(gap >= 135 * EV_MSEC);
		assert_true(gap <= 215 * EV_MSEC);
	}
	stop();
}

/*
 * Timer slack: runs that fall due within one slack step (1% of the
 * interval, at most 10 ms) start in one wake-up of the loop. 400 services
 * at 1 s spread by the splay: without slack their starts fall apart into
 * about 270 groups (gaps over 1 ms between consecutive starts), with a
 * 10 ms grid into at most 101. None starts more than the slack (and the
 * machine's jitter) after the interval.
 */
static void
test_slack(void **state)
{
	static uint64_t	 starts[MAX_SVC];
	size_t		 i, groups;
	uint64_t	 t0;

	conf_reset(400, 1, 1, 1024);
	for (i = 0; i < 400; i++) {
		add_tcp(i, 1);
		intervals[i] = 10 * EV_NSEC;
	}
	t0 = ev_monotonic();
	start();
	spin_until(400, 2 * EV_NSEC);
	assert_int_equal(nevents, 400);
	for (i = 0; i < nevents; i++)
		starts[i] = events[i].at - events[i].latency;
	qsort(starts, nevents, sizeof(starts[0]), tl_u64cmp);
	for (i = 1, groups = 1; i < nevents; i++)
		if (starts[i] - starts[i - 1] > EV_MSEC)
			groups++;
	print_message("400 starts in %zu groups\n", groups);
	assert_true(groups <= 150);
	assert_true(starts[nevents - 1] - t0 < EV_NSEC + 100 * EV_MSEC);
	stop();
}

/* SIGUSR1: everything now, then the schedule continues from there */
static void
test_run_now(void **state)
{
	size_t		 i;
	uint64_t	 t0;

	conf_reset(5, 10, 1, 1024);
	for (i = 0; i < 5; i++)
		add_tcp(i, i != 2);
	start();
	spin(20 * EV_MSEC);
	t0 = ev_monotonic();
	sched_run_now(cur);
	spin_until(5, EV_NSEC);
	assert_int_equal(nevents, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(count(i), 1);
		assert_int_equal(find(i)->ok, i != 2);
	}
	assert_true(ev_monotonic() - t0 < 300 * EV_MSEC);
	/* the splayed first slots were replaced, not added to */
	spin(200 * EV_MSEC);
	assert_int_equal(nevents, 5);
	stop();
}

/* the caller's interval decides each service's next slot */
static void
test_interval_cb(void **state)
{
	conf_reset(3, 10, 0, 1024);
	add_tcp(0, 1);
	add_tcp(1, 0);
	intervals[0] = 50 * EV_MSEC;
	intervals[1] = 10 * EV_NSEC;
	/* 2 has no checks and is never run */
	start();
	spin(330 * EV_MSEC);
	assert_true(count(0) >= 6 && count(0) <= 8);
	assert_int_equal(count(1), 1);
	assert_int_equal(count(2), 0);
	stop();
}

/* freeing with checks in flight: no callback, the commands are killed */
static void
test_free_in_flight(void **state)
{
	conf_reset(2, 10, 0, 1024);
	add_exec(0, "sleep 30", 5);
	add_tcp(1, 1);
	add_exec(1, "sleep 30", 5);
	start();
	spin(50 * EV_MSEC);
	assert_int_equal(sched_inflight(cur), 2);
	stop();
	spin(50 * EV_MSEC);
	assert_int_equal(nevents, 0);
}

/* in a child, so the lowered hard limit does not stay with the test */
static int
fd_budget_child(rlim_t soft, rlim_t hard, size_t want_cap, rlim_t want_soft)
{
	struct rlimit	 rl = { soft, hard };
	struct sched	*s;
	pid_t		 pid;
	int		 status;

	if ((pid = fork()) == 0) {
		/* valgrind keeps fds for itself and refuses this */
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			_exit(77);
		if ((s = sched_new(tl_loop, &conf, result_cb, NULL, &conf)) ==
		    NULL)
			_exit(3);
		getrlimit(RLIMIT_NOFILE, &rl);
		if (sched_max_concurrent(s) != want_cap)
			_exit(4);
		if (rl.rlim_cur != want_soft)
			_exit(5);
		_exit(0);
	}
	assert_int_not_equal(pid, -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static void
test_fd_budget(void **state)
{
	int	 rc;

	conf_reset(1, 10, 0, 1024);
	add_tcp(0, 1);
	/* soft raised to hard; enough for the cap */
	if ((rc = fd_budget_child(256, 4096, 1024, 4096)) == 77)
		skip();
	assert_int_equal(rc, 0);
	/* not enough even at the hard limit: the cap goes down */
	assert_int_equal(fd_budget_child(300, 300, (300 - 128) / 2, 300), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_once, test_end),
		cmocka_unit_test_teardown(test_weight, test_end),
		cmocka_unit_test_teardown(test_cap_queue, test_end),
		cmocka_unit_test_teardown(test_cap_smaller_than_service, test_end),
		cmocka_unit_test_teardown(test_splay, test_end),
		cmocka_unit_test_teardown(test_drift_free, test_end),
		cmocka_unit_test_teardown(test_skip_missed, test_end),
		cmocka_unit_test_teardown(test_slack, test_end),
		cmocka_unit_test_teardown(test_run_now, test_end),
		cmocka_unit_test_teardown(test_interval_cb, test_end),
		cmocka_unit_test_teardown(test_free_in_flight, test_end),
		cmocka_unit_test_teardown(test_fd_budget, test_end),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
