/*
 * sched.c - when each service's checks run. Per service one embedded
 * timer on the monotonic clock; a FIFO of runs waiting for room under the
 * cap; a counter of checks in flight. Every event touches one service
 * (O(log services) for its timer), never the whole list, except
 * sched_start/sched_run_now/sched_free which visit each service once.
 *
 * Timers have slack: a run's timer fires at its slot rounded up to a
 * grid of 1, 2, 5 or 10 ms (the largest step within 1% of the interval,
 * none below 100 ms), shared by all services. Runs that fall due within
 * one step of each other then start in one wake-up of the loop instead
 * of one wake-up each: at 1,000 services a second, 100 wake-ups instead
 * of 1,000. The slots themselves stay on the exact grid, so the slack
 * never accumulates.
 */
#include <sys/random.h>
#include <sys/resource.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "sched.h"

/* fds kept for everything that is not a check: logs, pipes, files, ... */
#define SCHED_FD_RESERVE	128
/* a check in flight holds one socket; curl and exec may need a second */
#define SCHED_FD_PER_CHECK	2
#define SCHED_MIN_INTERVAL	EV_MSEC

enum sched_state {
	SVC_IDLE,	/* waiting for its slot (timer armed) or never */
	SVC_QUEUED,	/* due, waiting for room under the cap */
	SVC_RUNNING,
};

struct sched_svc {
	struct sched		*s;
	size_t			 idx;		/* in conf->services */
	struct check		*checks;
	size_t			 nchecks;
	size_t			 pending;	/* checks of this run in flight */
	enum sched_state	 state;
	uint64_t		 slot;		/* nominal start of this run */
	int			 weight;	/* of the last run, -1: none */
	struct ev_timer		 timer;
	struct sched_svc	*next;		/* queue */
};

struct sched {
	struct ev_loop		*loop;
	const struct bgpsd_conf	*conf;
	struct check_ctx	*ctx;
	sched_result_cb		 result;
	sched_interval_cb	 interval;
	void			*arg;
	struct sched_svc	*svcs;		/* one per conf service */
	size_t			 nsvcs;
	struct check		*checks;	/* all, service by service */
	size_t			 nchecks;
	size_t			 cap;
	size_t			 inflight;
	struct sched_svc	*qhead;
	struct sched_svc	**qtail;
	size_t			 queued;
	int			 once;
	size_t			 once_left;
	uint64_t		 rng;
};

static void	sched_check_done(struct check *, void *);
static void	sched_slot_cb(void *);

/* the slack grid for an interval (ns): 0 for none */
static uint64_t
sched_slack(uint64_t iv)
{
	static const uint64_t	 steps[] = { 10, 5, 2, 1 };
	size_t			 i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * EV_MSEC * 100 <= iv)
			return steps[i] * EV_MSEC;
	return 0;
}

/* arm v's timer for its slot, late by at most the slack */
static void
sched_arm(struct sched *s, struct sched_svc *v, uint64_t iv)
{
	uint64_t	 g = sched_slack(iv), when = v->slot;

	if (g > 0 && when <= UINT64_MAX - g)
		when = (when + g - 1) / g * g;
	ev_timer_at(s->loop, &v->timer, when);
}

/* splitmix64: plenty for spreading start times */
static uint64_t
sched_random(struct sched *s)
{
	uint64_t	 z;

	z = (s->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
sched_ns(double sec)
{
	if (sec <= 0)
		return 0;
	return (uint64_t)(sec * 1e9);
}

/*
 * Room for every check the cap lets fly: raise the soft fd limit to the
 * hard one, and if that still falls short lower the cap rather than see
 * socket() fail with EMFILE in the middle of a burst.
 */
static size_t
sched_fd_budget(size_t want)
{
	struct rlimit	 rl;
	rlim_t		 old;
	size_t		 avail, cap;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit RLIMIT_NOFILE");
		return want;
	}
	old = rl.rlim_cur;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			log_warn("setrlimit RLIMIT_NOFILE %llu",
			    (unsigned long long)rl.rlim_max);
			rl.rlim_cur = old;
		} else
			log_debug("open files limit raised from %llu to %llu",
			    (unsigned long long)old,
			    (unsigned long long)rl.rlim_cur);
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return want;
	avail = rl.rlim_cur > SCHED_FD_RESERVE + SCHED_FD_PER_CHECK ?
	    (size_t)rl.rlim_cur - SCHED_FD_RESERVE : SCHED_FD_PER_CHECK;
	cap = avail / SCHED_FD_PER_CHECK;
	if (cap >= want)
		return want;
	log_warnx("max_concurrent lowered from %zu to %zu: open files "
	    "limited to %llu", want, cap, (unsigned long long)rl.rlim_cur);
	return cap;
}

struct sched *
sched_new(struct ev_loop *loop, const struct bgpsd_conf *conf,
    sched_result_cb result, sched_interval_cb interval, void *arg)
{
	struct sched		*s;
	struct sched_svc	*v;
	const struct service_conf *sc;
	size_t			 i, j, n;
	uint64_t		 seed;

	s = xcalloc(1, sizeof(*s));
	s->loop = loop;
	s->conf = conf;
	s->result = result;
	s->interval = interval;
	s->arg = arg;
	s->qtail = &s->qhead;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = ev_monotonic() ^ ((uint64_t)getpid() << 32);
	s->rng = seed;
	s->cap = conf->announce.max_concurrent > 0 ?
	    (size_t)conf->announce.max_concurrent : 1024;
	s->cap = sched_fd_budget(s->cap);
	if ((s->ctx = check_ctx_new(loop, conf->user, conf->group)) == NULL)
		goto fail;

	s->nsvcs = conf->nservices;
	for (i = 0, n = 0; i < conf->nservices; i++)
		n += conf->services[i].nchecks;
	s->svcs = xcalloc(s->nsvcs > 0 ? s->nsvcs : 1, sizeof(*s->svcs));
	s->checks = xcalloc(n > 0 ? n : 1, sizeof(*s->checks));
	for (i = 0; i < s->nsvcs; i++) {
		sc = &conf->services[i];
		v = &s->svcs[i];
		v->s = s;
		v->idx = i;
		v->weight = -1;
		v->checks = s->checks + s->nchecks;
		ev_timer_init(&v->timer, sched_slot_cb, v);
		for (j = 0; j < sc->nchecks; j++) {
			if (check_init(&v->checks[j], s->ctx, &sc->checks[j],
			    sched_check_done, v) == -1) {
				log_warnx("service %s: check %zu cannot be "
				    "set up", sc->name, j + 1);
				goto fail;
			}
			v->nchecks++;
			s->nchecks++;
		}
	}
	return s;
 fail:
	sched_free(s);
	return NULL;
}

void
sched_free(struct sched *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; s->svcs != NULL && i < s->nsvcs; i++)
		ev_timer_stop(s->loop, &s->svcs[i].timer);
	for (i = 0; i < s->nchecks; i++)
		check_fini(&s->checks[i]);
	check_ctx_free(s->ctx);
	free(s->checks);
	free(s->svcs);
	free(s);
}

static void
sched_svc_run(struct sched *s, struct sched_svc *v)
{
	size_t	 i;

	v->state = SVC_RUNNING;
	v->pending = v->nchecks;
	s->inflight += v->nchecks;
	/* results come from the loop, never from inside check_start */
	for (i = 0; i < v->nchecks; i++)
		check_start(&v->checks[i]);
}

/* start queued runs while they fit; one bigger than the cap runs alone */
static void
sched_dispatch(struct sched *s)
{
	struct sched_svc	*v;

	while ((v = s->qhead) != NULL) {
		if (s->inflight > 0 && s->inflight + v->nchecks > s->cap)
			break;
		if ((s->qhead = v->next) == NULL)
			s->qtail = &s->qhead;
		v->next = NULL;
		s->queued--;
		sched_svc_run(s, v);
	}
}

static void
sched_enqueue(struct sched *s, struct sched_svc *v)
{
	v->state = SVC_QUEUED;
	v->next = NULL;
	*s->qtail = v;
	s->qtail = &v->next;
	s->queued++;
}

static void
sched_slot_cb(void *arg)
{
	struct sched_svc	*v = arg;

	sched_enqueue(v->s, v);
	sched_dispatch(v->s);
}

/* the next slot on the grid slot + k * interval that is not yet past */
static void
sched_next(struct sched *s, struct sched_svc *v)
{
	uint64_t	 iv, now, next;

	if (s->interval != NULL)
		iv = s->interval(v->idx, s->arg);
	else
		iv = sched_ns(s->conf->services[v->idx].timing.interval);
	if (iv < SCHED_MIN_INTERVAL)
		iv = SCHED_MIN_INTERVAL;
	now = ev_monotonic();
	next = v->slot + iv;
	if (next < now)	/* missed slots are skipped, not run in a burst */
		next = v->slot + (now - v->slot + iv - 1) / iv * iv;
	v->slot = next;
	sched_arm(s, v, iv);
}

static void
sched_check_done(struct check *c, void *arg)
{
	struct sched_svc	*v = arg;
	struct sched		*s = v->s;
	struct check		*failed = NULL;
	uint64_t		 latency = 0;
	size_t			 i;

	s->inflight--;
	if (--v->pending > 0) {
		sched_dispatch(s);
		return;
	}
	v->weight = -1;
	for (i = 0; i < v->nchecks; i++) {
		if (v->checks[i].latency > latency)
			latency = v->checks[i].latency;
		/* several checks report: the lowest weight wins */
		if (v->checks[i].weight >= 0 && (v->weight < 0 ||
		    v->checks[i].weight < v->weight))
			v->weight = v->checks[i].weight;
		if (failed == NULL && v->checks[i].reason != CHECK_OK)
			failed = &v->checks[i];
	}
	v->state = SVC_IDLE;
	if (s->result != NULL) {
		if (failed == NULL)
			s->result(v->idx, 1, CHECK_OK, "ok", latency, s->arg);
		else
			s->result(v->idx, 0, failed->reason, failed->detail,
			    latency, s->arg);
	}
	if (s->once)
		s->once_left--;
	else if (v->state == SVC_IDLE && !ev_timer_armed(&v->timer))
		sched_next(s, v);
	sched_dispatch(s);
}

/* the service's entry if it has checks and none is running, else NULL */
static struct sched_svc *
sched_idle(struct sched *s, size_t i)
{
	struct sched_svc	*v = &s->svcs[i];

	return v->nchecks == 0 || v->state != SVC_IDLE ? NULL : v;
}

void
sched_start(struct sched *s)
{
	struct sched_svc	*v;
	uint64_t		 now, iv;
	size_t			 i;

	now = ev_monotonic();
	for (i = 0; i < s->nsvcs; i++) {
		if ((v = sched_idle(s, i)) == NULL)
			continue;
		v->slot = now;
		iv = sched_ns(s->conf->services[i].timing.interval);
		/* so that a thousand checks do not all fire together */
		if (s->conf->announce.splay && iv > 0)
			v->slot += sched_random(s) % iv;
		sched_arm(s, v, iv);
	}
}

void
sched_run_now(struct sched *s)
{
	struct sched_svc	*v;
	uint64_t		 now;
	size_t			 i;

	now = ev_monotonic();
	for (i = 0; i < s->nsvcs; i++) {
		if ((v = sched_idle(s, i)) == NULL)
			continue;
		ev_timer_stop(s->loop, &v->timer);
		/* the schedule continues from here */
		v->slot = now;
		sched_enqueue(s, v);
	}
	sched_dispatch(s);
}

int
sched_once(struct ev_loop *loop, const struct bgpsd_conf *conf,
    sched_result_cb result, void *arg)
{
	struct sched	*s;
	size_t		 i;
	int		 rv = 0;

	if ((s = sched_new(loop, conf, result, NULL, arg)) == NULL)
		return -1;
	s->once = 1;
	for (i = 0; i < s->nsvcs; i++) {
		if (s->svcs[i].nchecks == 0)
			continue;
		s->svcs[i].slot = ev_monotonic();
		sched_enqueue(s, &s->svcs[i]);
		s->once_left++;
	}
	sched_dispatch(s);
	while (s->once_left > 0)
		if (ev_run_once(loop, -1) == -1) {
			rv = -1;
			break;
		}
	sched_free(s);
	return rv;
}

int
sched_weight(const struct sched *s, size_t svc)
{
	if (s == NULL || svc >= s->nsvcs)
		return -1;
	return s->svcs[svc].weight;
}

size_t
sched_max_concurrent(const struct sched *s)
{
	return s->cap;
}

size_t
sched_inflight(const struct sched *s)
{
	return s->inflight;
}

size_t
sched_queued(const struct sched *s)
{
	return s->queued;
}
