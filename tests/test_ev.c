/*
 * test_ev.c - the event loop: timer order, re-arming and stopping from
 * callbacks, a large heap, fd readiness and removal from callbacks,
 * signals through the self-pipe, child exits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "testlib.h"

static void
sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* timers */

struct rec {
	struct ev_loop	*loop;
	int		 log[64];
	int		 n;
};

struct tmr {
	struct ev_timer	 t;
	struct rec	*rec;
	int		 id;
	int		 rearm;		/* times left to re-arm itself */
	struct ev_timer	*victim;	/* stopped from the callback */
	int		 brk;
};

static void
tmr_cb(void *arg)
{
	struct tmr	*m = arg;

	assert_false(ev_timer_armed(&m->t));
	if (m->rec->n < 64)
		m->rec->log[m->rec->n++] = m->id;
	if (m->victim != NULL)
		ev_timer_stop(m->rec->loop, m->victim);
	if (m->rearm > 0) {
		m->rearm--;
		ev_timer_after(m->rec->loop, &m->t, EV_MSEC);
	}
	if (m->brk)
		ev_break(m->rec->loop);
}

static void
tmr_init(struct tmr *m, struct rec *r, int id)
{
	memset(m, 0, sizeof(*m));
	ev_timer_init(&m->t, tmr_cb, m);
	m->rec = r;
	m->id = id;
}

/* timers a, b, c with ids 1, 2, 3, armed at ta, tb, tc */
static void
tmr_abc(struct rec *r, struct tmr *a, struct tmr *b, struct tmr *c,
    uint64_t ta, uint64_t tb, uint64_t tc)
{
	tmr_init(a, r, 1);
	tmr_init(b, r, 2);
	tmr_init(c, r, 3);
	ev_timer_at(r->loop, &a->t, ta);
	ev_timer_at(r->loop, &b->t, tb);
	ev_timer_at(r->loop, &c->t, tc);
}

/* exactly n timers ran, the ids that follow in that order */
static void
assert_ran(const struct rec *r, int n, ...)
{
	va_list	 ap;
	int	 i;

	assert_int_equal(r->n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_int_equal(r->log[i], va_arg(ap, int));
	va_end(ap);
}

static void
test_timer_order(void **state)
{
	struct ev_loop	*loop = *state;
	struct rec	 r = { .loop = loop };
	struct tmr	 m[4];
	uint64_t	 t0;
	int		 i;

	for (i = 0; i < 4; i++)
		tmr_init(&m[i], &r, i);
	assert_false(ev_timer_armed(&m[0].t));
	ev_timer_after(loop, &m[0].t, 30 * EV_MSEC);
	ev_timer_after(loop, &m[1].t, 10 * EV_MSEC);
	ev_timer_after(loop, &m[2].t, 20 * EV_MSEC);
	ev_timer_after(loop, &m[3].t, 40 * EV_MSEC);
	m[3].brk = 1;
	assert_true(ev_timer_armed(&m[0].t));
	t0 = ev_monotonic();
	assert_int_equal(ev_run(loop), 0);
	assert_true(ev_monotonic() - t0 >= 40 * EV_MSEC);
	assert_true(ev_monotonic() - t0 < 1000 * EV_MSEC);
	assert_ran(&r, 4, 1, 2, 0, 3);
	for (i = 0; i < 4; i++)
		assert_false(ev_timer_armed(&m[i].t));
}

static void
test_timer_rearm_moves(void **state)
{
	struct ev_loop	*loop = *state;
	struct rec	 r = { .loop = loop };
	struct tmr	 a, b, c;
	uint64_t	 now = ev_monotonic();

	/* arm, then move while armed: later, earlier */
	tmr_abc(&r, &a, &b, &c, now + 10 * EV_MSEC, now + 20 * EV_MSEC,
	    now + 30 * EV_MSEC);
	ev_timer_at(loop, &a.t, now + 40 * EV_MSEC);
	ev_timer_at(loop, &c.t, now + 5 * EV_MSEC);
	a.brk = 1;
	assert_int_equal(ev_run(loop), 0);
	assert_ran(&r, 3, 3, 2, 1);
}

static void
test_timer_self_rearm(void **state)
{
	struct ev_loop	*loop = *state;
	struct rec	 r = { .loop = loop };
	struct tmr	 a;
	int		 i;

	tmr_init(&a, &r, 7);
	a.rearm = 5;
	ev_timer_after(loop, &a.t, EV_MSEC);
	for (i = 0; i < 200 && r.n < 6; i++)
		assert_int_equal(ev_run_once(loop, 50 * EV_MSEC), 0);
	assert_int_equal(r.n, 6);
	assert_false(ev_timer_armed(&a.t));
	/* nothing armed: a bounded wait returns with nothing fired */
	assert_int_equal(ev_run_once(loop, 5 * EV_MSEC), 0);
	assert_int_equal(r.n, 6);
}

static void
zero_rearm_cb(void *arg)
{
	struct tmr	*m = arg;

	m->rec->n++;
	ev_timer_after(m->rec->loop, &m->t, 0);
}

static void
test_timer_zero_rearm_no_spin(void **state)
{
	struct ev_loop	*loop = *state;
	struct rec	 r = { .loop = loop };
	struct tmr	 a;

	tmr_init(&a, &r, 1);
	a.t.cb = zero_rearm_cb;
	ev_timer_after(loop, &a.t, 0);
	/* one iteration fires it once, not forever */
	assert_int_equal(ev_run_once(loop, 0), 0);
	assert_int_equal(r.n, 1);
	assert_true(ev_timer_armed(&a.t));
	assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
	assert_int_equal(r.n, 2);
	ev_timer_stop(loop, &a.t);
	assert_false(ev_timer_armed(&a.t));
	ev_timer_stop(loop, &a.t);	/* stopping twice is harmless */
}

static void
test_timer_stop_in_callback(void **state)
{
	struct ev_loop	*loop = *state;
	struct rec	 r = { .loop = loop };
	struct tmr	 a, b, c;
	uint64_t	 now = ev_monotonic();

	/* all three already due: they run in one iteration */
	tmr_abc(&r, &a, &b, &c, now - 3, now - 2, now - 1);
	a.victim = &b.t;
	assert_int_equal(ev_run_once(loop, 0), 0);
	assert_ran(&r, 2, 1, 3);
	assert_false(ev_timer_armed(&b.t));
}

static void
test_timer_stop_before_fire(void **state)
{
	struct ev_loop	*loop = *state;
	struct rec	 r = { .loop = loop };
	struct tmr	 a, b;

	tmr_init(&a, &r, 1);
	tmr_init(&b, &r, 2);
	ev_timer_after(loop, &a.t, 5 * EV_MSEC);
	ev_timer_after(loop, &b.t, 10 * EV_MSEC);
	ev_timer_stop(loop, &a.t);
	b.brk = 1;
	assert_int_equal(ev_run(loop), 0);
	assert_ran(&r, 1, 2);
}

#define NBIG	10000

struct big {
	struct ev_timer	 t;
	struct bigrec	*br;
	int		 stopped;
	int		 fired;
};

struct bigrec {
	uint64_t	 last;
	int		 nfired;
	int		 disorder;
};

static void
big_cb(void *arg)
{
	struct big	*b = arg;

	if (b->t.when < b->br->last)
		b->br->disorder++;
	b->br->last = b->t.when;
	b->br->nfired++;
	b->fired++;
}

static void
test_timer_10k(void **state)
{
	struct ev_loop	*loop = *state;
	struct bigrec	 br = { 0, 0, 0 };
	struct big	*b;
	uint64_t	 base = ev_monotonic();
	int		 i, want = 0;

	b = calloc(NBIG, sizeof(*b));
	assert_non_null(b);
	srand(42);
	/* in the past, so one iteration must fire them all, in order */
	for (i = 0; i < NBIG; i++) {
		ev_timer_init(&b[i].t, big_cb, &b[i]);
		b[i].br = &br;
		ev_timer_at(loop, &b[i].t,
		    base - 1 - (uint64_t)(rand() % 1000000));
	}
	/* move a third of them, stop a quarter */
	for (i = 0; i < NBIG; i += 3)
		ev_timer_at(loop, &b[i].t,
		    base - 1 - (uint64_t)(rand() % 1000000));
	for (i = 0; i < NBIG; i++)
		if (rand() % 4 == 0) {
			ev_timer_stop(loop, &b[i].t);
			b[i].stopped = 1;
		} else
			want++;
	/* and one far in the future that must not fire */
	{
		struct big	 late;

		memset(&late, 0, sizeof(late));
		ev_timer_init(&late.t, big_cb, &late);
		late.br = &br;
		ev_timer_after(loop, &late.t, 3600 * EV_NSEC);
		assert_int_equal(ev_run_once(loop, 0), 0);
		assert_false(late.fired);
		assert_true(ev_timer_armed(&late.t));
		ev_timer_stop(loop, &late.t);
	}
	assert_int_equal(br.nfired, want);
	assert_int_equal(br.disorder, 0);
	for (i = 0; i < NBIG; i++) {
		assert_int_equal(b[i].fired, !b[i].stopped);
		assert_false(ev_timer_armed(&b[i].t));
	}
	free(b);
}

/*
 * Callbacks that stop and re-arm random other timers while the heap is
 * being drained, checked against a model of which timers are armed.
 */
#define NCHURN	2000

struct churn {
	struct ev_timer	 t[NCHURN];
	int		 armed[NCHURN];		/* the model */
	int		 fired[NCHURN];
	struct ev_loop	*loop;
	uint64_t	 last;
	int		 disorder;
	int		 unexpected;
};

struct churn_arg {
	struct churn	*c;
	int		 i;
};

static struct churn_arg	 churn_args[NCHURN];

static void
churn_cb(void *arg)
{
	struct churn_arg	*a = arg;
	struct churn		*c = a->c;
	int			 j = rand() % NCHURN;

	if (!c->armed[a->i])
		c->unexpected++;
	c->armed[a->i] = 0;
	c->fired[a->i]++;
	if (c->t[a->i].when < c->last)
		c->disorder++;
	c->last = c->t[a->i].when;
	switch (rand() % 4) {
	case 0:
		ev_timer_stop(c->loop, &c->t[j]);
		c->armed[j] = 0;
		break;
	case 1:
		/* due already, yet deferred to the next iteration */
		ev_timer_at(c->loop, &c->t[j], ev_now(c->loop) - 5);
		c->armed[j] = 1;
		break;
	case 2:
		ev_timer_at(c->loop, &c->t[j], ev_now(c->loop) + EV_NSEC);
		c->armed[j] = 1;
		break;
	default:
		break;
	}
}

static void
test_timer_churn(void **state)
{
	struct ev_loop	*loop = *state;
	struct churn	*c;
	uint64_t	 base = ev_monotonic();
	int		 i, round;

	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->loop = loop;
	srand(7);
	for (i = 0; i < NCHURN; i++) {
		churn_args[i].c = c;
		churn_args[i].i = i;
		ev_timer_init(&c->t[i], churn_cb, &churn_args[i]);
		ev_timer_at(loop, &c->t[i], base - 1 - (uint64_t)(rand() %
		    1000000));
		c->armed[i] = 1;
	}
	for (round = 0; round < 3; round++) {
		c->last = 0;
		assert_int_equal(ev_run_once(loop, 0), 0);
		assert_int_equal(c->unexpected, 0);
		assert_int_equal(c->disorder, 0);
		for (i = 0; i < NCHURN; i++) {
			assert_int_equal(ev_timer_armed(&c->t[i]),
			    c->armed[i]);
			/* whatever is still armed is not due yet */
			if (c->armed[i])
				assert_true(c->t[i].when > ev_now(loop));
		}
	}
	for (i = 0; i < NCHURN; i++)
		ev_timer_stop(loop, &c->t[i]);
	free(c);
}

static void
test_now_cached(void **state)
{
	struct ev_loop	*loop = *state;
	uint64_t	 n1, n2;

	assert_int_equal(ev_run_once(loop, 0), 0);
	n1 = ev_now(loop);
	sleep_ms(5);
	assert_int_equal(ev_now(loop), n1);
	assert_true(ev_monotonic() >= n1 + 5 * EV_MSEC);
	assert_int_equal(ev_run_once(loop, 0), 0);
	n2 = ev_now(loop);
	assert_true(n2 >= n1 + 5 * EV_MSEC);
}

static void
test_wait_bound(void **state)
{
	struct ev_loop	*loop = *state;
	uint64_t	 t0 = ev_monotonic(), dt;

	assert_int_equal(ev_run_once(loop, 30 * EV_MSEC), 0);
	dt = ev_monotonic() - t0;
	assert_true(dt >= 29 * EV_MSEC);
	assert_true(dt < 500 * EV_MSEC);
}

/* fd watchers */

struct iorec {
	struct ev_loop	*loop;
	int		 calls;
	unsigned int	 events;
	int		 fd;
	int		 del_fds[2];	/* removed from the callback */
	char		 buf[16];
	ssize_t		 got;
};

static void
io_cb(int fd, unsigned int events, void *arg)
{
	struct iorec	*r = arg;

	r->calls++;
	r->events = events;
	r->fd = fd;
	if (events & EV_READ)
		r->got = read(fd, r->buf, sizeof(r->buf));
}

static void
test_io_pipe(void **state)
{
	struct ev_loop	*loop = *state;
	struct iorec	 rd = { .loop = loop }, wr = { .loop = loop };
	int		 p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(ev_io_add(loop, p[0], EV_READ, io_cb, &rd), 0);
	/* one watcher per fd */
	assert_int_equal(ev_io_add(loop, p[0], EV_READ, io_cb, &rd), -1);
	assert_int_equal(errno, EEXIST);

	/* nothing to read: no callback */
	assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
	assert_int_equal(rd.calls, 0);

	assert_int_equal(write(p[1], "hi", 2), 2);
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(rd.calls, 1);
	assert_int_equal(rd.fd, p[0]);
	assert_int_equal(rd.events, EV_READ);
	assert_int_equal(rd.got, 2);

	/* muted: data waits, no callback; unmuted: delivered */
	assert_int_equal(ev_io_mod(loop, p[0], 0), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
	assert_int_equal(rd.calls, 1);
	assert_int_equal(ev_io_mod(loop, p[0], EV_READ), 0);
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(rd.calls, 2);

	/* write side is writable at once */
	assert_int_equal(ev_io_add(loop, p[1], EV_WRITE, io_cb, &wr), 0);
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(wr.calls, 1);
	assert_int_equal(wr.events, EV_WRITE);
	ev_io_del(loop, p[1]);
	close(p[1]);

	/* EOF: reported as EV_ERROR plus the asked-for EV_READ */
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(rd.calls, 3);
	assert_true(rd.events & EV_ERROR);
	assert_true(rd.events & EV_READ);
	assert_int_equal(rd.got, 0);
	ev_io_del(loop, p[0]);
	ev_io_del(loop, p[0]);	/* twice is harmless */
	assert_int_equal(ev_io_mod(loop, p[0], EV_READ), -1);
	close(p[0]);
	assert_int_equal(ev_run_once(loop, 5 * EV_MSEC), 0);
	assert_int_equal(rd.calls, 3);
}

static void
io_del_cb(int fd, unsigned int events, void *arg)
{
	struct iorec	*r = arg;

	r->calls++;
	ev_io_del(r->loop, r->del_fds[0]);
	ev_io_del(r->loop, r->del_fds[1]);
}

static void
test_io_del_in_callback(void **state)
{
	struct ev_loop	*loop = *state;
	struct iorec	 r = { .loop = loop };
	int		 a[2], b[2];

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	r.del_fds[0] = a[0];
	r.del_fds[1] = b[0];
	assert_int_equal(ev_io_add(loop, a[0], EV_READ, io_del_cb, &r), 0);
	assert_int_equal(ev_io_add(loop, b[0], EV_READ, io_del_cb, &r), 0);
	assert_int_equal(write(a[1], "a", 1), 1);
	assert_int_equal(write(b[1], "b", 1), 1);
	/* both ready in one batch; the first callback removes both */
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
	assert_int_equal(r.calls, 1);
	/* and the fd can be watched again afterwards */
	assert_int_equal(ev_io_add(loop, a[0], EV_READ, io_cb, &r), 0);
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(r.calls, 2);
	ev_io_del(loop, a[0]);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void
test_io_high_fd(void **state)
{
	struct ev_loop	*loop = *state;
	struct iorec	 r = { .loop = loop };
	int		 p[2], hi;

	assert_int_equal(pipe(p), 0);
	/* beyond the initial table: it must grow */
	hi = dup2(p[0], 700);
	assert_int_equal(hi, 700);
	assert_int_equal(ev_io_add(loop, hi, EV_READ, io_cb, &r), 0);
	assert_int_equal(write(p[1], "z", 1), 1);
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.fd, 700);
	ev_io_del(loop, hi);
	close(hi);
	close(p[0]);
	close(p[1]);
	assert_int_equal(ev_io_add(loop, -1, EV_READ, io_cb, &r), -1);
}

static void
file_cb(int fd, unsigned int events, void *arg)
{
	struct iorec	*r = arg;

	r->calls++;
	r->events = events;
	if (events & EV_READ) {
		r->got = read(fd, r->buf, sizeof(r->buf));
		/* EOF: the owner stops watching, as with a pipe */
		if (r->got == 0)
			ev_io_del(r->loop, fd);
	}
}

static void
test_io_regular_file(void **state)
{
	struct ev_loop	*loop = *state;
	struct iorec	 r = { .loop = loop };
	char		 path[] = "/tmp/bgpsd-test-ev.XXXXXX";
	uint64_t	 t0;
	int		 fd, i, nul;

	/* stdin fed from a file: epoll refuses it, yet it must work */
	fd = mkstemp(path);
	assert_true(fd != -1);
	unlink(path);
	assert_int_equal(write(fd, "0123456789abcdefXYZ", 19), 19);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(ev_io_add(loop, fd, EV_READ, file_cb, &r), 0);
	/* 16 + 3 bytes, then EOF, then no more callbacks */
	for (i = 0; i < 5; i++)
		assert_int_equal(ev_run_once(loop, 1000 * EV_MSEC), 0);
	assert_int_equal(r.calls, 3);
	assert_int_equal(r.got, 0);
	/* not watched any more: the next wait is a real one */
	t0 = ev_monotonic();
	assert_int_equal(ev_run_once(loop, 20 * EV_MSEC), 0);
	assert_true(ev_monotonic() - t0 >= 19 * EV_MSEC);
	close(fd);

	/* /dev/null as well; muted it does not make the loop spin */
	nul = open("/dev/null", O_RDONLY);
	assert_true(nul != -1);
	memset(&r, 0, sizeof(r));
	r.loop = loop;
	assert_int_equal(ev_io_add(loop, nul, EV_READ, file_cb, &r), 0);
	assert_int_equal(ev_io_mod(loop, nul, 0), 0);
	t0 = ev_monotonic();
	assert_int_equal(ev_run_once(loop, 20 * EV_MSEC), 0);
	assert_true(ev_monotonic() - t0 >= 19 * EV_MSEC);
	assert_int_equal(r.calls, 0);
	assert_int_equal(ev_io_mod(loop, nul, EV_READ), 0);
	assert_int_equal(ev_run_once(loop, 1000 * EV_MSEC), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.got, 0);
	close(nul);
}

/* signals */

struct sigrec {
	int	 calls;
	int	 signo;
};

static void
sig_cb(int signo, void *arg)
{
	struct sigrec	*s = arg;

	s->calls++;
	s->signo = signo;
}

static void
test_signal(void **state)
{
	struct ev_loop	*loop = *state;
	struct sigrec	 s = { 0, 0 }, h = { 0, 0 };

	assert_int_equal(ev_signal(loop, SIGCHLD, sig_cb, &s), -1);
	assert_int_equal(ev_signal(loop, SIGKILL, sig_cb, &s), -1);
	assert_int_equal(ev_signal(loop, SIGUSR1, sig_cb, &s), 0);
	assert_int_equal(ev_signal(loop, SIGHUP, sig_cb, &h), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	/* the handler only flags; the callback runs from the loop */
	assert_int_equal(s.calls, 0);
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.signo, SIGUSR1);
	assert_int_equal(h.calls, 0);
	/* two raises before the loop runs collapse into one callback */
	assert_int_equal(raise(SIGHUP), 0);
	assert_int_equal(raise(SIGHUP), 0);
	assert_int_equal(ev_run_once(loop, 100 * EV_MSEC), 0);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.signo, SIGHUP);
	assert_int_equal(s.calls, 1);
}

static void
test_signal_restored(void **state)
{
	struct ev_loop		*loop;
	struct sigaction	 sa;

	/* ev_free puts back the previous disposition */
	signal(SIGUSR2, SIG_IGN);
	loop = ev_new();
	assert_non_null(loop);
	assert_null(ev_new());		/* one loop per process */
	assert_int_equal(ev_signal(loop, SIGUSR2, sig_cb, NULL), 0);
	ev_free(loop);
	assert_int_equal(sigaction(SIGUSR2, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_IGN);
	signal(SIGUSR2, SIG_DFL);
}

/* children */

struct kidrec {
	int	 calls;
	pid_t	 pid;
	int	 status;
};

static void
kid_cb(pid_t pid, int status, void *arg)
{
	struct kidrec	*k = arg;

	k->calls++;
	k->pid = pid;
	k->status = status;
}

static pid_t
spawn_exit(int code, int delay_ms)
{
	pid_t	 pid;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (delay_ms > 0)
			sleep_ms(delay_ms);
		_exit(code);
	}
	return pid;
}

static void
test_child_exit(void **state)
{
	struct ev_loop	*loop = *state;
	struct kidrec	 k = { 0, 0, 0 }, k2 = { 0, 0, 0 };
	pid_t		 pid, pid2;

	pid = spawn_exit(3, 20);
	pid2 = spawn_exit(0, 40);
	assert_int_equal(ev_child(loop, pid, kid_cb, &k), 0);
	assert_int_equal(ev_child(loop, pid2, kid_cb, &k2), 0);
	tl_run_until(loop, &k2.calls, 5 * EV_NSEC);
	assert_int_equal(k.calls, 1);
	assert_int_equal(k.pid, pid);
	assert_true(WIFEXITED(k.status));
	assert_int_equal(WEXITSTATUS(k.status), 3);
	assert_int_equal(k2.calls, 1);
	assert_true(WIFEXITED(k2.status));
	assert_int_equal(WEXITSTATUS(k2.status), 0);
	/* reaped: gone from the process table */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void
test_child_signaled(void **state)
{
	struct ev_loop	*loop = *state;
	struct kidrec	 k = { 0, 0, 0 };
	pid_t		 pid;

	pid = spawn_exit(0, 10000);
	assert_int_equal(ev_child(loop, pid, kid_cb, &k), 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	tl_run_until(loop, &k.calls, 5 * EV_NSEC);
	assert_int_equal(k.calls, 1);
	assert_true(WIFSIGNALED(k.status));
	assert_int_equal(WTERMSIG(k.status), SIGKILL);
}

static void
test_child_exited_before_registration(void **state)
{
	struct ev_loop	*loop = *state;
	struct kidrec	 k = { 0, 0, 0 };
	siginfo_t	 si;
	pid_t		 pid;
	int		 i;

	pid = spawn_exit(5, 0);
	/* wait until it is a zombie, without reaping it */
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	/* its SIGCHLD is consumed by iterations before anyone registers */
	for (i = 0; i < 3; i++)
		assert_int_equal(ev_run_once(loop, 5 * EV_MSEC), 0);
	assert_int_equal(ev_child(loop, pid, kid_cb, &k), 0);
	tl_run_until(loop, &k.calls, 2 * EV_NSEC);
	assert_int_equal(k.calls, 1);
	assert_int_equal(WEXITSTATUS(k.status), 5);
}

static void
test_child_cancel_still_reaped(void **state)
{
	struct ev_loop	*loop = *state;
	struct kidrec	 k = { 0, 0, 0 };
	pid_t		 pid;
	uint64_t	 end;

	pid = spawn_exit(1, 20);
	assert_int_equal(ev_child(loop, pid, kid_cb, &k), 0);
	ev_child_cancel(loop, pid);
	/* until the loop reaps it, kill(pid, 0) finds the zombie */
	end = ev_monotonic() + 3 * EV_NSEC;
	while (kill(pid, 0) == 0 && ev_monotonic() < end)
		assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(k.calls, 0);
}

static void
test_child_foreign_not_stolen(void **state)
{
	struct ev_loop	*loop = *state;
	int		 status, i;
	pid_t		 pid;

	/* a child forked by someone else (a library) is not ours to reap */
	pid = spawn_exit(9, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_LOOP_TEST(test_timer_order),
		TL_LOOP_TEST(test_timer_rearm_moves),
		TL_LOOP_TEST(test_timer_self_rearm),
		TL_LOOP_TEST(test_timer_zero_rearm_no_spin),
		TL_LOOP_TEST(test_timer_stop_in_callback),
		TL_LOOP_TEST(test_timer_stop_before_fire),
		TL_LOOP_TEST(test_timer_10k),
		TL_LOOP_TEST(test_timer_churn),
		TL_LOOP_TEST(test_now_cached),
		TL_LOOP_TEST(test_wait_bound),
		TL_LOOP_TEST(test_io_pipe),
		TL_LOOP_TEST(test_io_del_in_callback),
		TL_LOOP_TEST(test_io_high_fd),
		TL_LOOP_TEST(test_io_regular_file),
		TL_LOOP_TEST(test_signal),
		cmocka_unit_test(test_signal_restored),
		TL_LOOP_TEST(test_child_exit),
		TL_LOOP_TEST(test_child_signaled),
		TL_LOOP_TEST(test_child_exited_before_registration),
		TL_LOOP_TEST(test_child_cancel_still_reaped),
		TL_LOOP_TEST(test_child_foreign_not_stolen),
	};

	return cmocka_run_group_tests(tests, tl_log_debug_setup, NULL);
}
